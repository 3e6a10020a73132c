/* Unit tests of src/conf: the seed's R1/R2 parsed field by field, every
 * error class with its place and message, ignored commands, IKEv2 blocks,
 * print -> parse -> print round trips, bounds, and the 1M-key load time. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf/model.h"
#include "util/addr.h"
#include "util/secmem.h"
#include "util/strbuf.h"

#define EX(f) TOP_SRCDIR "/etc/examples/" f

static uint32_t A(const char *s)
{
	uint32_t a = 0;

	ck_assert_int_eq(ik_addr_parse(s, &a), 0);
	return a;
}

static struct ik_config *load_ok(const char *text)
{
	struct ik_conf_error err;
	struct ik_config *cfg = ik_config_load_string(text, "t.conf", &err);
	char buf[2048];

	if (!cfg) {
		ik_conf_error_format(&err, buf, sizeof(buf));
		ck_abort_msg("unexpected parse error:\n%s", buf);
	}
	return cfg;
}

static struct ik_config *load_file_ok(const char *path)
{
	struct ik_conf_error err;
	struct ik_config *cfg = ik_config_load_file(path, &err);
	char buf[2048];

	if (!cfg) {
		ik_conf_error_format(&err, buf, sizeof(buf));
		ck_abort_msg("unexpected parse error:\n%s", buf);
	}
	return cfg;
}

static const char *key_text(const struct ik_key *k)
{
	ck_assert_ptr_nonnull(k->secret);
	ck_assert_uint_eq(strlen((const char *)k->secret->p), k->secret->len);
	return (const char *)k->secret->p;
}

START_TEST(seed_r1_fields)
{
	struct ik_config *cfg = load_file_ok(EX("seed-r1.conf"));
	struct ik_keyring *k1, *k2;
	struct ik_isakmp_profile *p1, *p2;
	struct ik_interface *tun, *eth, *lo;
	struct ik_ipsec_profile *ip;

	ck_assert_str_eq(cfg->hostname, "R1");
	ck_assert_uint_eq(cfg->nwarnings, 0);
	/* the default keyring is always first, empty here */
	ck_assert_uint_eq(cfg->nkeyrings, 3);
	ck_assert(cfg->keyrings[0]->is_default);
	ck_assert_str_eq(cfg->keyrings[0]->name, "default");
	ck_assert_uint_eq(cfg->keyrings[0]->nkeys, 0);
	ck_assert_int_eq(cfg->keyrings[0]->line, 0);
	ck_assert_uint_eq(cfg->keyrings[0]->order, 0);
	k1 = ik_config_find_keyring(cfg, "keyring1");
	k2 = ik_config_find_keyring(cfg, "keyring2");
	ck_assert_ptr_eq(k1, cfg->keyrings[1]);
	ck_assert_ptr_eq(k2, cfg->keyrings[2]);
	ck_assert_int_eq(k1->line, 4);
	ck_assert_int_eq(k2->line, 6);
	ck_assert_uint_eq(k2->order, 2);
	ck_assert_ptr_null(k1->vrf);
	ck_assert_uint_eq(k1->nkeys, 1);
	ck_assert_uint_eq(cfg->nkeys, 2);
	ck_assert_ptr_eq(cfg->keys[0], k1->keys[0]);
	ck_assert_ptr_eq(cfg->keys[1], k2->keys[0]);
	ck_assert_int_eq(k1->keys[0]->kind, IK_KEY_ADDRESS);
	ck_assert_uint_eq(k1->keys[0]->addr, A("192.168.0.2"));
	ck_assert_uint_eq(k1->keys[0]->mask, 0xffffffffu);
	ck_assert_int_eq(k1->keys[0]->plen, 32);
	ck_assert(!k1->keys[0]->mask_given);
	ck_assert_str_eq(key_text(k1->keys[0]), "cisco");
	ck_assert_uint_eq(k1->keys[0]->secret->len, 5);
	ck_assert_ptr_eq(k1->keys[0]->ring, k1);
	ck_assert_int_eq(k1->keys[0]->line, 5);
	ck_assert_uint_eq(k2->keys[0]->order, 1);

	ck_assert_uint_eq(cfg->npolicies, 1);
	ck_assert_uint_eq(cfg->policies[0].prio, 10);
	ck_assert_int_eq(cfg->policies[0].encr, IK_ENCR_3DES);
	ck_assert_uint_eq(cfg->policies[0].keylen, 0);
	ck_assert_int_eq(cfg->policies[0].hash, IK_HASH_MD5);
	ck_assert_int_eq(cfg->policies[0].auth, IK_AUTH_PSK);
	ck_assert_uint_eq(cfg->policies[0].group, 2);
	ck_assert_uint_eq(cfg->policies[0].lifetime, 86400);
	ck_assert_int_eq(cfg->policies[0].line, 9);

	ck_assert_uint_eq(cfg->nprofiles, 2);
	p1 = ik_config_find_profile(cfg, "profile1");
	p2 = ik_config_find_profile(cfg, "profile2");
	ck_assert_ptr_eq(p1, cfg->profiles[0]);
	ck_assert_ptr_eq(p2, cfg->profiles[1]);
	ck_assert_int_eq(p1->line, 15);
	ck_assert_uint_eq(p1->nkeyrings, 1);
	ck_assert_ptr_eq(p1->keyrings[0], k1);
	ck_assert_ptr_eq(p2->keyrings[0], k2);
	ck_assert_uint_eq(p1->nmatches, 1);
	ck_assert_int_eq(p1->matches[0].kind, IK_MATCH_ADDRESS);
	/* the trailing "!non existing host" is a comment, not a VRF */
	ck_assert_uint_eq(p1->matches[0].addr, A("192.168.0.102"));
	ck_assert_uint_eq(p1->matches[0].mask, 0xffffffffu);
	ck_assert_int_eq(p1->matches[0].plen, 32);
	ck_assert(p1->matches[0].mask_given);
	ck_assert_ptr_null(p1->matches[0].vrf);
	ck_assert_int_eq(p1->matches[0].line, 17);
	ck_assert_uint_eq(p2->matches[0].addr, A("192.168.0.2"));
	ck_assert_ptr_null(p2->ivrf);

	ck_assert_uint_eq(cfg->ntsets, 1);
	ck_assert_str_eq(cfg->tsets[0]->name, "TS");
	ck_assert_int_eq(cfg->tsets[0]->enc, IK_ESP_AES);
	ck_assert_uint_eq(cfg->tsets[0]->keylen, 128);
	ck_assert_int_eq(cfg->tsets[0]->auth, IK_ESP_SHA256);
	ck_assert_int_eq(cfg->tsets[0]->mode, IK_MODE_TUNNEL);

	ip = ik_config_find_ipsec_profile(cfg, "profile1");
	ck_assert_ptr_nonnull(ip);
	ck_assert_uint_eq(ip->ntsets, 1);
	ck_assert_ptr_eq(ip->tsets[0], cfg->tsets[0]);
	ck_assert_ptr_eq(ip->isakmp_profile, p2);
	ck_assert_ptr_null(ip->ikev2_profile);
	ck_assert_uint_eq(ip->pfs_group, 0);
	ck_assert_uint_eq(cfg->sa_lifetime_sec, 3600);
	ck_assert_uint_eq(cfg->sa_lifetime_kb, 4608000);

	ck_assert_uint_eq(cfg->nifaces, 3);
	lo = ik_config_find_iface(cfg, "Loopback0");
	tun = ik_config_find_iface(cfg, "Tunnel1");
	eth = ik_config_find_iface(cfg, "Ethernet0/0");
	ck_assert_ptr_nonnull(lo);
	ck_assert_ptr_nonnull(tun);
	ck_assert_ptr_nonnull(eth);
	ck_assert_str_eq(lo->description, "Simulate LAN");
	ck_assert_uint_eq(lo->addr, A("192.168.100.1"));
	ck_assert_uint_eq(lo->mask, A("255.255.255.0"));
	ck_assert(!lo->is_tunnel);
	ck_assert(tun->is_tunnel);
	ck_assert_uint_eq(tun->tunnel_num, 1);
	ck_assert_uint_eq(tun->addr, A("10.0.0.1"));
	ck_assert_str_eq(tun->tunnel_source_if, "Ethernet0/0");
	/* Ethernet0/0 is defined after Tunnel1 and still resolves */
	ck_assert(tun->tunnel_source_resolved);
	ck_assert_uint_eq(tun->tunnel_source, A("192.168.0.1"));
	ck_assert_uint_eq(tun->tunnel_dest, A("192.168.0.2"));
	ck_assert_int_eq(tun->tunnel_mode, IK_TUN_GRE_IP);
	ck_assert_ptr_eq(tun->protection, ip);
	ck_assert(!tun->shutdown);
	ck_assert_int_eq(tun->line, 33);
	ck_assert_ptr_eq(ik_config_iface_by_addr(cfg, A("192.168.0.1")), eth);
	ck_assert_ptr_null(ik_config_iface_by_addr(cfg, A("192.168.0.2")));

	ck_assert_uint_eq(cfg->nroutes, 1);
	ck_assert_ptr_null(cfg->routes[0].vrf);
	ck_assert_uint_eq(cfg->routes[0].prefix, A("192.168.200.0"));
	ck_assert_uint_eq(cfg->routes[0].mask, A("255.255.255.0"));
	ck_assert_uint_eq(cfg->routes[0].nexthop, A("10.0.0.2"));
	ck_assert_ptr_null(cfg->routes[0].out_if);
	ck_assert_ptr_null(cfg->routes[0].out_if_name);

	ck_assert_ptr_null(ik_config_find_keyring(cfg, "keyring9"));
	ck_assert_ptr_eq(ik_config_find_keyring(cfg, "default"), cfg->keyrings[0]);
	ck_assert_str_eq(cfg->file, EX("seed-r1.conf"));
	ik_config_unref(cfg);
}
END_TEST

/* ik_config_iface_by_addr goes through an index sorted by address: with
 * thousands of interfaces in no order, every address finds its interface,
 * two interfaces with one address give the first in the file, and an
 * address no interface has, or a cleared one, gives none. */
START_TEST(iface_by_addr_index)
{
	enum { N = 3000 };
	struct ik_sb sb;
	struct ik_config *cfg;
	char name[32];

	ik_sb_init(&sb);
	for (unsigned k = 0; k < N; k++) {
		unsigned i = (k * 7919u) % N; /* every i once, out of order */

		ik_sb_printf(&sb, "interface Ethernet0/%u\n ip address 10.%u.%u.1 255.255.255.0\n",
			     i, i >> 8, i & 255);
	}
	ik_sb_add(&sb, "interface Loopback1\n ip address 10.0.5.1 255.255.255.255\n");
	ik_sb_add(&sb, "interface Loopback2\n ip address 10.0.6.1 255.255.255.255\n"
		  " no ip address\n");
	cfg = load_ok(ik_sb_str(&sb));
	ck_assert(cfg->ifaces_indexed);
	ck_assert_uint_eq(cfg->nifaces_by_addr, N + 1);
	for (unsigned i = 0; i < N; i++) {
		const struct ik_interface *ifc =
			ik_config_iface_by_addr(cfg, 0x0a000001u | i << 8);

		snprintf(name, sizeof(name), "Ethernet0/%u", i);
		ck_assert_ptr_nonnull(ifc);
		/* 10.0.5.1 is also Loopback1's, later in the file */
		ck_assert_str_eq(ifc->name, name);
	}
	ck_assert_ptr_null(ik_config_iface_by_addr(cfg, 0x0a000002u));
	ck_assert_ptr_null(ik_config_iface_by_addr(cfg, 0x0b000001u));
	ck_assert_ptr_null(ik_config_iface_by_addr(cfg, 0x09ffff01u));
	ck_assert_ptr_null(ik_config_iface_by_addr(cfg, 0));
	ik_config_unref(cfg);
	ik_sb_free(&sb);
}
END_TEST

START_TEST(seed_r2_fields)
{
	struct ik_config *cfg = load_file_ok(EX("seed-r2.conf"));
	struct ik_isakmp_profile *p1 = ik_config_find_profile(cfg, "profile1");
	struct ik_interface *tun = ik_config_find_iface(cfg, "Tunnel1");

	ck_assert_str_eq(cfg->hostname, "R2");
	ck_assert_uint_eq(p1->matches[0].addr, A("192.168.0.1"));
	ck_assert_uint_eq(cfg->profiles[1]->matches[0].addr, A("192.168.0.100"));
	ck_assert_ptr_eq(cfg->ipsec_profiles[0]->isakmp_profile, p1);
	ck_assert_uint_eq(tun->tunnel_source, A("192.168.0.2"));
	ck_assert(tun->tunnel_source_resolved);
	ck_assert_uint_eq(tun->tunnel_dest, A("192.168.0.1"));
	ck_assert_str_eq(key_text(cfg->keyrings[2]->keys[0]), "cisco");
	ck_assert_uint_eq(cfg->keyrings[2]->keys[0]->addr, A("192.168.0.1"));
	ck_assert_uint_eq(cfg->routes[0].prefix, A("192.168.100.0"));
	/* references */
	ck_assert_ptr_eq(ik_config_ref(cfg), cfg);
	ck_assert_uint_eq(cfg->refs, 2);
	ik_config_unref(cfg);
	ck_assert_uint_eq(cfg->refs, 1);
	ik_config_unref(cfg);
}
END_TEST

/* ---- errors ---- */

struct err_case {
	const char *text;
	int line, col;
	const char *msg;
};

static const struct err_case err_cases[] = {
	/* unknown references, pointing at the name */
	{ "crypto isakmp profile profile1\n   keyring keyring9\n", 2, 12,
	  "unknown keyring 'keyring9' in isakmp profile profile1" },
	{ "crypto ipsec profile P\n set transform-set NOPE\n", 2, 20,
	  "unknown transform-set 'NOPE' in ipsec profile P" },
	{ "crypto ipsec profile P\n set isakmp-profile X\n", 2, 21,
	  "unknown isakmp profile 'X' in ipsec profile P" },
	{ "crypto ipsec profile P\n set ikev2-profile X\n", 2, 20,
	  "unknown ikev2 profile 'X' in ipsec profile P" },
	{ "interface Tunnel0\n tunnel protection ipsec profile GONE\n", 2, 34,
	  "unknown ipsec profile 'GONE' in interface Tunnel0" },
	{ "crypto ikev2 profile V\n keyring local KR\n", 2, 16,
	  "unknown ikev2 keyring 'KR' in ikev2 profile V" },
	{ "crypto ikev2 policy POL\n proposal PROP\n", 2, 11,
	  "unknown ikev2 proposal 'PROP' in ikev2 policy POL" },
	/* crypto commands */
	{ "crypto isakmp foo\n", 1, 15, "unknown command 'crypto isakmp foo'" },
	{ "crypto bogus\n", 1, 8, "unknown command 'crypto bogus'" },
	{ "crypto call admission limit ike in-negotiation-sa 5\n", 1, 51,
	  "in-negotiation-sa limit 5 is out of range 10-100000" },
	{ "crypto call admission limit ike sa 50\n", 1, 33,
	  "crypto call admission limit ike sa is not supported" },
	{ "crypto call admission limit\n", 1, 29, "incomplete command: 'ike' expected" },
	{ "crypto ikev2 limit max-sa 10\n", 1, 20,
	  "'max-in-negotiation-sa' expected, not 'max-sa'" },
	{ "crypto map M 10 ipsec-manual\n", 1, 17, "ipsec-manual are not supported" },
	{ "crypto keyring K\n  rsa-pubkey name x\n", 2, 3,
	  "unknown command 'rsa-pubkey' in crypto keyring K" },
	{ "crypto isakmp policy 10\n encr blowfish\n", 2, 7, "unknown encryption 'blowfish'" },
	{ "crypto isakmp policy 10\n encr aes 512\n", 2, 11, "AES key length must be" },
	{ "crypto isakmp policy 10\n hash sha1\n", 2, 7, "unknown hash 'sha1'" },
	{ "crypto isakmp policy 10\n group 3\n", 2, 8, "unsupported DH group 3" },
	{ "crypto isakmp policy 10\n lifetime 59\n", 2, 11, "lifetime 59 is out of range 60-86400" },
	{ "crypto isakmp policy 10\n lifetime 86401\n", 2, 11, "out of range 60-86400" },
	{ "crypto isakmp policy 0\n", 1, 22, "out of range 1-10000" },
	{ "crypto isakmp policy 10\n authentication rsa-encr\n", 2, 17,
	  "unsupported authentication 'rsa-encr'" },
	{ "crypto isakmp policy 10\n encr\n", 2, 7, "incomplete command" },
	{ "crypto isakmp keepalive 5\n", 1, 25, "keepalive interval 5 is out of range 10-3600" },
	{ "crypto isakmp keepalive 10 61\n", 1, 28, "keepalive retry 61 is out of range 2-60" },
	{ "crypto isakmp keepalive 10 2 sometimes\n", 1, 30, "unexpected 'sometimes'" },
	/* addresses and masks */
	{ "crypto keyring K\n  pre-shared-key address 192.168.0.256 key x\n", 2, 26,
	  "'192.168.0.256' is not a valid address" },
	{ "crypto keyring K\n  pre-shared-key address 10.0.0.0 255.0.255.0 key x\n", 2, 35,
	  "mask 255.0.255.0 is not contiguous" },
	{ "crypto keyring K\n  pre-shared-key address 10.0.0.1 key\n", 2, 39, "incomplete" },
	{ "crypto keyring K\n  pre-shared-key address 10.0.0.1 cisco\n", 2, 35,
	  "'key' expected, not 'cisco'" },
	{ "crypto keyring K\n  pre-shared-key address 10.0.0.1 key 6 ABCDEF\n", 2, 39,
	  "encrypted key (type 6) cannot be used" },
	{ "crypto keyring K\n  pre-shared-key address 10.0.0.1 key 7 0822455D0A16\n", 2, 39,
	  "encrypted key (type 7) cannot be used" },
	{ "crypto isakmp key 6 SECRET address 1.2.3.4\n", 1, 19, "encrypted key (type 6)" },
	{ "crypto isakmp key k address 1.2.3.4 extra\n", 1, 37, "unexpected 'extra'" },
	{ "crypto isakmp profile P\n match identity address 10.0.0.1 255.255.0.255\n", 2, 34,
	  "not contiguous" },
	{ "crypto isakmp profile P\n match identity dn foo\n", 2, 17,
	  "unknown identity type 'dn'" },
	{ "crypto isakmp profile P\n ca trust-point TP\n", 2, 17,
	  "unknown trustpoint 'TP' in isakmp profile P" },
	{ "crypto isakmp profile P\n match certificate M\n", 2, 20,
	  "unknown certificate map 'M' in isakmp profile P" },
	{ "crypto pki certificate chain TP\n", 1, 30, "unknown trustpoint 'TP'" },
	{ "crypto pki trustpoint TP\n revocation-check ocsp\n", 2, 19,
	  "unsupported revocation-check 'ocsp'" },
	{ "crypto pki trustpoint TP\ncrypto pki certificate chain TP\n certificate ca 01\n"
	  "  3082ZZ\n", 4, 3, "'3082ZZ' is not hex" },
	{ "crypto pki trustpoint TP\ncrypto pki certificate chain TP\n certificate ca 01\n"
	  "  30820102\n  \tquit\n", 3, 0, "certificate of 4 bytes does not parse" },
	{ "crypto pki trustpoint TP\ncrypto pki certificate chain TP\n certificate ca 01\n"
	  "  30820102\nhostname R\n", 3, 0, "certificate 01 not closed by 'quit'" },
	{ "crypto pki import TP pem ca.pem\n", 1, 19, "unknown trustpoint 'TP'" },
	{ "crypto pki trustpoint TP\ncrypto pki certificate chain TP\n certificate self-signed 01\n"
	  "  \tquit\n", 3, 0, "certificate 01 has no hex lines before its quit" },
	{ "crypto pki trustpoint TP\ncrypto pki import TP pem /nonexistent/ca.pem\n", 2, 26,
	  "cannot open /nonexistent/ca.pem" },
	{ "crypto pki trustpoint TP\n revocation-check crl\n", 1, 0,
	  "revocation-check crl needs a CRL" },
	{ "crypto pki certificate map M 10\n subject-name has x\n", 2, 15,
	  "unknown operator 'has'" },
	{ "crypto isakmp policy 1\n authentication rsa-encr\n", 2, 17,
	  "unsupported authentication 'rsa-encr'" },
	{ "crypto isakmp profile P\n keepalive 10 retry 1\n", 2, 21, "out of range 2-60" },
	/* transform-sets */
	{ "crypto ipsec transform-set T esp-aes esp-3des\n", 1, 38, "two encryption transforms" },
	{ "crypto ipsec transform-set T esp-gcm esp-sha-hmac\n", 1, 38,
	  "esp-gcm provides integrity" },
	{ "crypto ipsec transform-set T esp-sha-hmac esp-gcm 256\n", 1, 43,
	  "esp-gcm provides integrity" },
	{ "crypto ipsec transform-set T esp-md5-hmac esp-sha-hmac\n", 1, 43,
	  "two authentication transforms" },
	{ "crypto ipsec transform-set T esp-null\n", 1, 30, "unknown transform 'esp-null'" },
	{ "crypto ipsec transform-set T esp-gcm 192\n", 1, 38, "key length must be 128 or 256" },
	{ "crypto ipsec transform-set T esp-aes\n mode tunel\n", 2, 7, "unknown mode 'tunel'" },
	{ "crypto ipsec profile P\n set pfs group3\n", 2, 10, "unsupported PFS group 'group3'" },
	{ "crypto ipsec profile P\n set security-association lifetime seconds 100\n", 2, 44,
	  "out of range 120-86400" },
	{ "crypto ipsec profile P\n set peer 1.2.3.4\n", 2, 6, "unknown command 'set peer'" },
	/* interfaces and routes */
	{ "interface Ethernet0/0\n ip address 10.0.0.1 255.255.255.0\n tunnel source x\n", 3, 2,
	  "tunnel commands apply to Tunnel interfaces only" },
	{ "interface Ethernet0/0\n crypto ipsec df-bit clear\n", 2, 2,
	  "crypto commands on interfaces other than crypto map are not supported" },
	{ "interface Tunnel5\n tunnel mode gre multipoint\n", 2, 14,
	  "tunnel mode 'gre multipoint' is not supported" },
	{ "interface Tunnel5\n tunnel destination 10.1.1\n", 2, 21, "not a valid address" },
	{ "interface Loopback0\n ip address 10.0.0.1 255.0.0.255\n", 2, 22, "not contiguous" },
	{ "interface Tunnel1\n ip mtu 40\n", 2, 9, "ip mtu 40 is out of range 68-17916" },
	{ "interface Tunnel1\n ip mtu\n", 2, 9, "incomplete command: ip mtu expected" },
	{ "interface Tunnel1\n ip tcp adjust-mss 1500\n", 2, 20,
	  "ip tcp adjust-mss 1500 is out of range 500-1460" },
	{ "interface Tunnel1\n ip tcp adjust-mss 1360 x\n", 2, 25, "unexpected 'x'" },
	{ "ip route 10.0.0.1 255.255.255.0 1.1.1.1\n", 1, 10, "inconsistent address and mask" },
	{ "ip route 10.0.0.0 255.255.255.0\n", 1, 33, "incomplete" },
	/* IKEv2 */
	{ "crypto ikev2 proposal P\n encryption aes-cbc-512\n", 2, 13,
	  "unknown encryption 'aes-cbc-512'" },
	{ "crypto ikev2 proposal P\n encryption aes-cbc-256\n group 14\n", 1, 23,
	  "ikev2 proposal P has no integrity" },
	{ "crypto ikev2 proposal P\n encryption aes-gcm-128\n integrity sha1\n group 14\n", 1, 23,
	  "has integrity with an AEAD cipher" },
	{ "crypto ikev2 keyring K\n peer R1\n  pre-shared-key 6 xyz\n", 3, 18,
	  "encrypted key (type 6)" },
	{ "crypto ikev2 keyring K\n address 1.2.3.4\n", 2, 2, "(peer expected)" },
	{ "crypto ikev2 profile P\n dpd 10 2 sometimes\n", 2, 11,
	  "'on-demand' or 'periodic' expected" },
	{ "crypto ikev2 profile P\n authentication remote eap\n", 2, 24,
	  "unsupported authentication 'eap'" },
	{ "crypto ikev2 foo X\n", 1, 14, "unknown command 'crypto ikev2 foo'" },
	/* structure */
	{ "crypto keyring K vrf A\ncrypto keyring K vrf B\n", 2, 22,
	  "keyring K is already bound to vrf A" },
	{ "no crypto isakmp keepalive\n", 1, 1, "'no crypto ...' is not supported" },
	{ "crypto keyring K\npre-shared-key address 1.2.3.4 key x\n", 2, 1,
	  "'pre-shared-key' is a sub-mode command: indent it" },
	{ "interface Tunnel1\n ip address 10.0.0.1 255.255.255.0\nshutdown\n", 3, 1,
	  "'shutdown' is a sub-mode command" },
	/* after exit, an indented line is a top-level command again */
	{ "crypto keyring K\n exit\n pre-shared-key address 1.2.3.4 key x\n", 3, 2,
	  "is a sub-mode command" },
	{ "crypto ikev2 keyring K\n peer A\n exit\n address 1.2.3.4\n", 4, 2,
	  "(peer expected)" },
	{ "banner motd ^C\nhello\n", 2, 0, "banner text not closed" },
};

START_TEST(error_cases)
{
	const struct err_case *ec = &err_cases[_i];
	struct ik_conf_error err;
	struct ik_config *cfg = ik_config_load_string(ec->text, "e.conf", &err);
	char buf[2048];

	ik_conf_error_format(&err, buf, sizeof(buf));
	ck_assert_msg(cfg == NULL, "case %d parsed:\n%s", _i, ec->text);
	ck_assert_str_eq(err.file, "e.conf");
	ck_assert_msg(err.line == ec->line && err.col == ec->col,
		      "case %d: got %d:%d, want %d:%d\n%s", _i, err.line, err.col, ec->line,
		      ec->col, buf);
	ck_assert_msg(strstr(err.msg, ec->msg), "case %d: message '%s' lacks '%s'", _i, err.msg,
		      ec->msg);
}
END_TEST

START_TEST(error_format_ios)
{
	const char *text = "hostname R1\n"
			   "crypto keyring keyring1\n"
			   "  pre-shared-key address 192.168.0.2 key cisco\n"
			   "crypto isakmp profile profile1\n"
			   "   keyring keyring9\n";
	struct ik_conf_error err;
	char buf[2048];

	ck_assert_ptr_null(ik_config_load_string(text, "r1.conf", &err));
	ik_conf_error_format(&err, buf, sizeof(buf));
	ck_assert_str_eq(buf, "r1.conf:5:12: unknown keyring 'keyring9' in isakmp profile profile1\n"
			      "   keyring keyring9\n"
			      "           ^\n"
			      "% Invalid input detected at '^' marker.\n");
	ck_assert_str_eq(err.text, "   keyring keyring9");

	/* incomplete commands say so; a tab before the token keeps the marker aligned */
	ck_assert_ptr_null(ik_config_load_string("crypto isakmp policy 1\n\tgroup\n", "x", &err));
	ik_conf_error_format(&err, buf, sizeof(buf));
	ck_assert_str_eq(buf, "x:2:8: incomplete command: group expected\n"
			      "\tgroup\n"
			      "\t      ^\n"
			      "% Incomplete command.\n");
}
END_TEST

/* A file that is not text is refused at the first non-printable byte, with
 * its line and column in IOS's error form (the byte echoed as '?'); tabs,
 * CR LF and UTF-8 in descriptions are text. */
START_TEST(error_not_text)
{
	struct ik_conf_error err;
	struct ik_config *cfg;
	char buf[2048];
	uint8_t rnd[512];
	uint64_t x = 12345;

	ck_assert_ptr_null(ik_config_load_string("hostname R1\ncrypto isakmp policy 10\n"
						 " encr a\x01" "es\n", "r.conf", &err));
	ik_conf_error_format(&err, buf, sizeof(buf));
	ck_assert_str_eq(buf, "r.conf:3:8: non-printable byte 0x01: the file is not text\n"
			      " encr a?es\n"
			      "       ^\n"
			      "% Invalid input detected at '^' marker.\n");
	/* in a comment and in a banner too: nothing of the file is used */
	ck_assert_ptr_null(ik_config_load_string("! \x1b[2J\n", "c.conf", &err));
	ck_assert_int_eq(err.line, 1);
	ck_assert_int_eq(err.col, 3);
	ck_assert_ptr_null(ik_config_load_string("banner motd ^\nx\x7fy\n^\n", "b.conf", &err));
	ck_assert_int_eq(err.line, 2);
	ck_assert_int_eq(err.col, 2);
	/* bytes that are not UTF-8: a lone continuation byte, an overlong form */
	ck_assert_ptr_null(ik_config_load_string("interface Tunnel1\n description a\x80\n",
						 "u.conf", &err));
	ck_assert_int_eq(err.col, 15);
	ck_assert_ptr_null(ik_config_load_string("interface Tunnel1\n description \xc0\xaf\n",
						 "u.conf", &err));
	/* random bytes (a binary written over the file) */
	for (size_t i = 0; i < sizeof(rnd) - 1; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		rnd[i] = (uint8_t)(x >> 56) ? (uint8_t)(x >> 56) : 1;
	}
	rnd[sizeof(rnd) - 1] = 0;
	ck_assert_ptr_null(ik_config_load_string((const char *)rnd, "rnd.conf", &err));
	ck_assert_int_ge(err.line, 1);
	ck_assert_int_ge(err.col, 1);
	ck_assert_ptr_nonnull(strstr(err.msg, "non-printable byte"));
	/* text: tabs, CR LF, UTF-8 */
	cfg = load_ok("hostname R1\r\ninterface Tunnel1\r\n\tdescription Z\xc3\xbcrich \xe2\x86\x92 "
		      "\xf0\x9f\x94\x92\r\n");
	ik_config_unref(cfg);
}
END_TEST

START_TEST(error_format_small_buffers_and_null)
{
	struct ik_conf_error err;
	struct ik_config *cfg;
	char buf[2048], small[16];

	ck_assert_ptr_null(ik_config_load_string("crypto isakmp policy 10\n group 3\n", "f", &err));
	ik_conf_error_format(&err, buf, sizeof(buf));
	for (size_t n = 1; n < sizeof(small); n++) {
		memset(small, 'x', sizeof(small));
		ik_conf_error_format(&err, small, n);
		ck_assert_uint_lt(strlen(small), n);
		ck_assert(!strncmp(small, buf, strlen(small)));
	}
	ik_conf_error_format(&err, NULL, 10);
	ik_conf_error_format(NULL, buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
	/* no error structure: still NULL, nothing else */
	ck_assert_ptr_null(ik_config_load_string("crypto bogus\n", NULL, NULL));
	ck_assert_ptr_null(ik_config_load_file("/nonexistent", NULL));
	/* an empty configuration: the default keyring and IOS defaults */
	cfg = load_ok(NULL);
	ck_assert_str_eq(cfg->hostname, "Router");
	ck_assert_str_eq(cfg->file, "t.conf");
	ck_assert_uint_eq(cfg->nkeyrings, 1);
	ck_assert_int_eq(cfg->isakmp_identity, IK_SELF_ID_ADDRESS);
	ck_assert_uint_eq(cfg->nwarnings, 0);
	ik_config_unref(cfg);
	cfg = ik_config_load_string("", NULL, &err);
	ck_assert_str_eq(cfg->file, "<string>");
	ik_config_unref(cfg);
}
END_TEST

START_TEST(error_hides_key)
{
	struct ik_conf_error err;
	char buf[2048];

	ck_assert_ptr_null(ik_config_load_string(
		"crypto keyring K\n  pre-shared-key address 10.0.0.256 key s3cr3t\n", "x", &err));
	ck_assert_ptr_null(strstr(err.text, "s3cr3t"));
	ck_assert_str_eq(err.text, "  pre-shared-key address 10.0.0.256 key ******");
	ck_assert_ptr_null(ik_config_load_string(
		"crypto isakmp key t0psecret address 1.2.3.4 bogus\n", "x", &err));
	ck_assert_ptr_null(strstr(err.text, "t0psecret"));
	ik_conf_error_format(&err, buf, sizeof(buf));
	ck_assert_ptr_null(strstr(buf, "t0psecret"));
	ck_assert_int_eq(err.col, 45);
}
END_TEST

START_TEST(error_nothing_half_applied)
{
	/* an error on the last line: the whole parse fails, nothing leaks (ASan) */
	struct ik_conf_error err;
	struct ik_config *cfg = ik_config_load_string(
		"crypto keyring K\n  pre-shared-key address 10.0.0.1 key a\n"
		"crypto ikev2 keyring V\n peer P\n  pre-shared-key x\n"
		"interface Tunnel1\n tunnel source Loopback0\n"
		"ip route 1.0.0.0 255.0.0.0 Tunnel1\n"
		"crypto isakmp policy 10\n group 7\n", "x", &err);

	ck_assert_ptr_null(cfg);
	ck_assert_int_eq(err.line, 10);
	ik_config_unref(NULL);
}
END_TEST

/* ---- syntax ---- */

START_TEST(syntax_comments_case_crlf)
{
	struct ik_config *cfg = load_ok(
		"! a comment\r\n"
		"\r\n"
		"HOSTNAME MixedCase\r\n"
		"CRYPTO KEYRING Ring\r\n"
		"\tPre-Shared-Key ADDRESS 10.1.0.0 255.255.0.0 KEY MyKey !comment\r\n"
		"   ! indented comment does not close the block\r\n"
		"  pre-shared-key hostname peer.example.com key other\r\n"
		"crypto keyring ring\r\n"
		"crypto isakmp key 0 plain address 10.2.0.0 255.255.255.0 no-xauth\r\n"
		"crypto isakmp key k2 hostname h.example\r\n");
	struct ik_keyring *kr = ik_config_find_keyring(cfg, "Ring");

	ck_assert_str_eq(cfg->hostname, "MixedCase");
	ck_assert_ptr_nonnull(kr);
	ck_assert_ptr_ne(kr, ik_config_find_keyring(cfg, "ring")); /* names keep case */
	ck_assert_uint_eq(kr->nkeys, 2);
	ck_assert_uint_eq(kr->keys[0]->addr, A("10.1.0.0"));
	ck_assert_int_eq(kr->keys[0]->plen, 16);
	ck_assert(kr->keys[0]->mask_given);
	ck_assert_str_eq(key_text(kr->keys[0]), "MyKey");
	ck_assert_int_eq(kr->keys[1]->kind, IK_KEY_HOSTNAME);
	ck_assert_str_eq(kr->keys[1]->hostname, "peer.example.com");
	ck_assert_str_eq(key_text(kr->keys[1]), "other");
	/* crypto isakmp key goes to the default keyring; "0" marks clear text */
	ck_assert_uint_eq(cfg->keyrings[0]->nkeys, 2);
	ck_assert_str_eq(key_text(cfg->keyrings[0]->keys[0]), "plain");
	ck_assert(cfg->keyrings[0]->keys[0]->no_xauth);
	ck_assert_int_eq(cfg->keyrings[0]->keys[0]->plen, 24);
	ck_assert_int_eq(cfg->keyrings[0]->keys[1]->kind, IK_KEY_HOSTNAME);
	ck_assert_uint_eq(cfg->keys[2]->order, 2);
	ck_assert_ptr_eq(cfg->keys[2]->ring, cfg->keyrings[0]);
	ik_config_unref(cfg);
}
END_TEST

START_TEST(submodes_exit_and_reentry)
{
	struct ik_config *cfg = load_ok(
		"crypto keyring K\n"
		"  pre-shared-key address 1.1.1.1 key a\n"
		" exit\n"
		" crypto isakmp profile P\n"         /* indented, but top-level after exit */
		"   keyring K\n"
		"crypto ikev2 keyring V\n"
		" peer A\n  address 1.1.1.1\n exit\n"
		" peer B\n  address 2.2.2.2\n"
		"crypto ipsec transform-set T esp-aes\n"
		"crypto ipsec transform-set T esp-3des esp-md5-hmac\n mode transport\n"
		"crypto keyring K\n  pre-shared-key address 2.2.2.2 key b\n"
		"interface Loopback1\n description one\n"
		"interface loopback1\n description two\n");
	struct ik_keyring *k = ik_config_find_keyring(cfg, "K");

	ck_assert_uint_eq(cfg->nkeyrings, 2);
	ck_assert_uint_eq(k->nkeys, 2);
	ck_assert_int_eq(k->line, 1);
	ck_assert_ptr_eq(cfg->profiles[0]->keyrings[0], k);
	ck_assert_uint_eq(cfg->v2_keyrings[0]->npeers, 2);
	ck_assert_uint_eq(cfg->v2_keyrings[0]->peers[1].addr, A("2.2.2.2"));
	/* a transform-set defined again takes the new transforms */
	ck_assert_uint_eq(cfg->ntsets, 1);
	ck_assert_int_eq(cfg->tsets[0]->enc, IK_ESP_3DES);
	ck_assert_int_eq(cfg->tsets[0]->auth, IK_ESP_MD5);
	ck_assert_uint_eq(cfg->tsets[0]->keylen, 0);
	ck_assert_int_eq(cfg->tsets[0]->mode, IK_MODE_TRANSPORT);
	ck_assert_uint_eq(cfg->nifaces, 1);
	ck_assert_str_eq(cfg->ifaces[0]->name, "Loopback1");
	ck_assert_str_eq(cfg->ifaces[0]->description, "two");
	ik_config_unref(cfg);
}
END_TEST

START_TEST(keys_replace_and_mask)
{
	struct ik_config *cfg = load_ok(
		"crypto keyring K\n"
		"  pre-shared-key address 192.168.0.77 255.255.255.0 key first\n"
		"  pre-shared-key address 10.0.0.1 key a\n"
		"crypto keyring L\n"
		"  pre-shared-key address 192.168.0.0 255.255.255.0 key other-ring\n"
		"crypto keyring K\n"
		"  pre-shared-key address 192.168.0.0 255.255.255.0 key second\n"
		"  pre-shared-key address 192.168.0.0 255.255.0.0 key wider\n"
		"  pre-shared-key address 0.0.0.0 0.0.0.0 key any\n"
		"  pre-shared-key address 10.0.0.1 key 0 b\n");
	struct ik_keyring *k = ik_config_find_keyring(cfg, "K");

	/* network = address & mask; the same address and mask replaces the key */
	ck_assert_uint_eq(k->nkeys, 4);
	ck_assert_uint_eq(k->keys[0]->addr, A("192.168.0.0"));
	ck_assert_str_eq(key_text(k->keys[0]), "second");
	ck_assert_int_eq(k->keys[0]->line, 7);
	ck_assert_str_eq(key_text(k->keys[1]), "b");
	ck_assert_int_eq(k->keys[2]->plen, 16);
	ck_assert_int_eq(k->keys[3]->plen, 0);
	ck_assert_str_eq(key_text(k->keys[3]), "any");
	ck_assert_uint_eq(cfg->nkeys, 5);
	ck_assert_str_eq(key_text(ik_config_find_keyring(cfg, "L")->keys[0]), "other-ring");
	ik_config_unref(cfg);

	/* "address 0.0.0.0" alone is the wildcard (K4): the same key as 0.0.0.0 0.0.0.0 */
	cfg = load_ok("crypto isakmp key one address 0.0.0.0\n"
		      "crypto isakmp key two address 0.0.0.0 0.0.0.0\n"
		      "crypto isakmp key three address 0.0.0.0 255.255.255.255\n");
	ck_assert_uint_eq(cfg->keyrings[0]->nkeys, 2);
	ck_assert_str_eq(key_text(cfg->keyrings[0]->keys[0]), "two");
	ck_assert(cfg->keyrings[0]->keys[0]->mask_given);
	ck_assert_int_eq(cfg->keyrings[0]->keys[0]->plen, 0);
	ck_assert_int_eq(cfg->keyrings[0]->keys[1]->plen, 32);
	for (size_t i = 0; i < cfg->nkeys; i++)
		ck_assert_uint_eq(cfg->keys[i]->order, i);
	ik_config_unref(cfg);
}
END_TEST

/* A file long enough for the key table to be sized from its line count at
 * once: 6,000 keys, every fifth address given again later with another key
 * (replaced, not added), hostname keys beside them, in two keyrings. */
START_TEST(keys_replace_in_a_large_file)
{
	struct ik_sb t;
	struct ik_config *cfg;
	struct ik_keyring *k, *l;

	ik_sb_init(&t);
	ik_sb_printf(&t, "crypto keyring K\n");
	for (unsigned i = 0; i < 6000; i++)
		ik_sb_printf(&t, "  pre-shared-key address 10.%u.%u.1 key k%u\n", i / 256, i % 256,
			     i);
	for (unsigned i = 0; i < 6000; i += 5)
		ik_sb_printf(&t, "  pre-shared-key address 10.%u.%u.1 key again%u\n", i / 256,
			     i % 256, i);
	ik_sb_printf(&t, "  pre-shared-key hostname Peer.Example key h1\n"
		     "  pre-shared-key hostname peer.example key h2\n"
		     "crypto keyring L\n  pre-shared-key address 10.0.0.1 key other\n");
	cfg = load_ok(ik_sb_str(&t));
	k = ik_config_find_keyring(cfg, "K");
	l = ik_config_find_keyring(cfg, "L");
	ck_assert_uint_eq(k->nkeys, 6001);
	ck_assert_uint_eq(cfg->nkeys, 6002);
	for (unsigned i = 0; i < 6000; i++) {
		char want[32];

		snprintf(want, sizeof(want), i % 5 ? "k%u" : "again%u", i);
		ck_assert_uint_eq(k->keys[i]->addr,
				  (10u << 24) | (i / 256) << 16 | (i % 256) << 8 | 1);
		ck_assert_str_eq(key_text(k->keys[i]), want);
	}
	ck_assert_str_eq(key_text(k->keys[6000]), "h2");
	ck_assert_str_eq(key_text(l->keys[0]), "other");
	ik_config_unref(cfg);
	ik_sb_free(&t);
}
END_TEST

START_TEST(policies_defaults_sorted)
{
	struct ik_config *cfg = load_ok(
		"crypto isakmp policy 20\n"
		"crypto isakmp policy 5\n"
		" encr aes 256\n hash sha512\n group 24\n lifetime 3600\n"
		"crypto isakmp policy 10\n encr aes\n hash sha\n authentication rsa-sig\n"
		"crypto isakmp policy 20\n hash sha256\n"
		"crypto isakmp identity hostname\n"
		"crypto isakmp keepalive 10\n"
		"crypto isakmp nat keepalive 20\n");

	ck_assert_uint_eq(cfg->npolicies, 3);
	ck_assert_uint_eq(cfg->policies[0].prio, 5);
	ck_assert_uint_eq(cfg->policies[1].prio, 10);
	ck_assert_uint_eq(cfg->policies[2].prio, 20);
	ck_assert_int_eq(cfg->policies[0].encr, IK_ENCR_AES);
	ck_assert_uint_eq(cfg->policies[0].keylen, 256);
	ck_assert_int_eq(cfg->policies[0].hash, IK_HASH_SHA512);
	ck_assert_uint_eq(cfg->policies[0].group, 24);
	ck_assert_uint_eq(cfg->policies[0].lifetime, 3600);
	ck_assert_uint_eq(cfg->policies[1].keylen, 128);
	/* IOS defaults: des, sha, rsa-sig, group 1, 86400 s; re-entering keeps them */
	ck_assert_int_eq(cfg->policies[2].encr, IK_ENCR_DES);
	ck_assert_int_eq(cfg->policies[2].hash, IK_HASH_SHA256);
	ck_assert_int_eq(cfg->policies[2].auth, IK_AUTH_RSA_SIG);
	ck_assert_uint_eq(cfg->policies[2].group, 1);
	ck_assert_uint_eq(cfg->policies[2].lifetime, 86400);
	ck_assert_int_eq(cfg->policies[2].line, 1);
	ck_assert_int_eq(cfg->isakmp_identity, IK_SELF_ID_FQDN);
	ck_assert_uint_eq(cfg->keepalive, 10);
	ck_assert_uint_eq(cfg->keepalive_retry, 2);
	ck_assert(!cfg->keepalive_periodic);
	ck_assert_uint_eq(cfg->nat_keepalive, 20);
	ck_assert_str_eq(ik_encr_name(IK_ENCR_3DES), "3des");
	ck_assert_str_eq(ik_hash_name(IK_HASH_SHA1), "sha");
	ck_assert_str_eq(ik_hash_name(IK_HASH_SHA384), "sha384");
	ik_config_unref(cfg);

	cfg = load_ok("crypto isakmp keepalive 30 5 periodic\n");
	ck_assert_uint_eq(cfg->keepalive_retry, 5);
	ck_assert(cfg->keepalive_periodic);
	ik_config_unref(cfg);
}
END_TEST

START_TEST(profiles_full)
{
	struct ik_config *cfg = load_ok(
		"crypto keyring A vrf FV\n  local-address GigabitEthernet0/1\n  description ring A\n"
		"crypto keyring B\n  local-address 10.9.9.9\n"
		"crypto isakmp profile P\n"
		"   description the  profile\n"
		"   vrf INSIDE\n"
		"   keyring A\n   keyring B\n   keyring A\n"
		"   match identity address 10.0.0.0 255.0.0.0 FV\n"
		"   match identity address 10.1.1.1 FV\n"
		"   match identity host r1.example.com\n"
		"   match identity user-fqdn u@example.com\n"
		"   self-identity fqdn\n"
		"   local-address Loopback0\n"
		"   initiate mode aggressive\n"
		"   keepalive 20 retry 3\n"
		"interface gigabitethernet0/1\n ip address 172.16.0.1 255.255.255.252\n"
		"interface Loopback0\n ip address 1.1.1.1 255.255.255.255\n");
	struct ik_isakmp_profile *p = cfg->profiles[0];
	struct ik_keyring *a = ik_config_find_keyring(cfg, "A");

	ck_assert_str_eq(a->vrf, "FV");
	ck_assert_str_eq(a->description, "ring A");
	ck_assert_str_eq(a->local_address_if, "GigabitEthernet0/1");
	ck_assert_uint_eq(a->local_address, A("172.16.0.1"));
	ck_assert_uint_eq(ik_config_find_keyring(cfg, "B")->local_address, A("10.9.9.9"));
	ck_assert_str_eq(p->description, "the  profile");
	ck_assert_str_eq(p->ivrf, "INSIDE");
	ck_assert_uint_eq(p->nkeyrings, 2); /* a repeated keyring line counts once */
	ck_assert_ptr_eq(p->keyrings[0], a);
	ck_assert_uint_eq(p->nmatches, 4);
	ck_assert_uint_eq(p->matches[0].mask, A("255.0.0.0"));
	ck_assert_str_eq(p->matches[0].vrf, "FV");
	ck_assert(!p->matches[1].mask_given);
	ck_assert_int_eq(p->matches[1].plen, 32);
	ck_assert_str_eq(p->matches[1].vrf, "FV");
	ck_assert_int_eq(p->matches[2].kind, IK_MATCH_HOST);
	ck_assert_str_eq(p->matches[2].name, "r1.example.com");
	ck_assert_int_eq(p->matches[3].kind, IK_MATCH_USER_FQDN);
	ck_assert_int_eq(p->self_id, IK_SELF_ID_FQDN);
	ck_assert_ptr_null(p->self_id_value);
	ck_assert_uint_eq(p->local_address, A("1.1.1.1"));
	ck_assert(p->initiate_aggressive);
	ck_assert_uint_eq(p->keepalive, 20);
	ck_assert_uint_eq(p->keepalive_retry, 3);
	ik_config_unref(cfg);
}
END_TEST

START_TEST(ipsec_full)
{
	struct ik_config *cfg = load_ok(
		"crypto ipsec security-association lifetime seconds 7200\n"
		"crypto ipsec security-association lifetime kilobytes 100000\n"
		"crypto ipsec transform-set G esp-gcm 256\n mode transport\n"
		"crypto ipsec transform-set D esp-3des esp-md5-hmac\n"
		"crypto ipsec transform-set S esp-sha512-hmac esp-aes 192\n"
		"crypto ipsec profile IP\n"
		" set transform-set OLD\n"
		" set transform-set G D S\n"
		" set pfs group14\n"
		" set security-association lifetime seconds 1800\n"
		" set security-association lifetime kilobytes 2560\n"
		"crypto ipsec transform-set OLD esp-des\n");
	struct ik_ipsec_profile *ip = cfg->ipsec_profiles[0];
	struct ik_transform_set *s = cfg->tsets[2];

	ck_assert_uint_eq(cfg->sa_lifetime_sec, 7200);
	ck_assert_uint_eq(cfg->sa_lifetime_kb, 100000);
	ck_assert_int_eq(cfg->tsets[0]->enc, IK_ESP_GCM);
	ck_assert_uint_eq(cfg->tsets[0]->keylen, 256);
	ck_assert_int_eq(cfg->tsets[0]->auth, IK_ESP_AUTH_NONE);
	ck_assert_int_eq(cfg->tsets[0]->mode, IK_MODE_TRANSPORT);
	ck_assert_int_eq(cfg->tsets[1]->enc, IK_ESP_3DES);
	ck_assert_int_eq(cfg->tsets[1]->auth, IK_ESP_MD5);
	ck_assert_int_eq(s->enc, IK_ESP_AES);
	ck_assert_uint_eq(s->keylen, 192);
	ck_assert_int_eq(s->auth, IK_ESP_SHA512);
	ck_assert_uint_eq(ip->ntsets, 3);
	ck_assert_ptr_eq(ip->tsets[0], cfg->tsets[0]);
	ck_assert_ptr_eq(ip->tsets[2], s);
	ck_assert_uint_eq(ip->pfs_group, 14);
	ck_assert_uint_eq(ip->lifetime_sec, 1800);
	ck_assert_uint_eq(ip->lifetime_kb, 2560);
	ik_config_unref(cfg);
}
END_TEST

START_TEST(ikev2_blocks)
{
	struct ik_config *cfg = load_ok(
		"crypto ikev2 proposal PROP\n"
		" encryption aes-cbc-256 aes-cbc-128\n"
		" integrity sha256\n"
		" integrity sha1 sha256\n"
		" group 14 19\n"
		"crypto ikev2 proposal AEAD\n encryption aes-gcm-256\n prf sha384\n group 20\n"
		"crypto ikev2 policy POL\n proposal PROP\n proposal AEAD\n match fvrf any\n"
		" match address local 192.168.0.1\n"
		"crypto ikev2 keyring KR\n"
		" peer R2\n"
		"  description router two\n"
		"  address 192.168.0.2\n"
		"  identity fqdn domain example.com\n"
		"  pre-shared-key cisco\n"
		" peer NET\n  address 10.0.0.0 255.0.0.0\n"
		"  pre-shared-key local left\n  pre-shared-key remote right\n"
		"  identity address 10.0.0.9\n"
		" exit\n"
		" peer R2\n  identity email a@b.c\n"
		"crypto ikev2 profile V2\n"
		" description v2 profile\n"
		" match identity remote address 192.168.0.2 255.255.255.255\n"
		" match identity remote fqdn r2.example.com\n"
		" match identity remote email domain example.com\n"
		" match identity remote key-id 1234\n"
		" match fvrf any\n"
		" identity local fqdn r1.example.com\n"
		" authentication remote pre-share\n"
		" authentication local pre-share\n"
		" keyring local KR\n"
		" lifetime 3600\n"
		" dpd 10 3 periodic\n"
		"crypto ipsec transform-set TS esp-aes 256 esp-sha-hmac\n"
		"crypto ipsec profile IPP\n set transform-set TS\n set ikev2-profile V2\n");
	struct ik_ikev2_proposal *pr = cfg->v2_proposals[0];
	struct ik_ikev2_policy *pol = cfg->v2_policies[0];
	struct ik_ikev2_keyring *kr = cfg->v2_keyrings[0];
	struct ik_ikev2_profile *p = cfg->v2_profiles[0];

	ck_assert_uint_eq(pr->nencr, 2);
	ck_assert_str_eq(pr->encr[0], "aes-cbc-256");
	ck_assert_uint_eq(pr->ninteg, 2); /* repeated lines add, without duplicates */
	ck_assert_str_eq(pr->integ[1], "sha1");
	ck_assert_uint_eq(pr->ngroup, 2);
	ck_assert_str_eq(pr->group[1], "19");
	ck_assert_uint_eq(pol->nproposals, 2);
	ck_assert_ptr_eq(pol->proposals[1], cfg->v2_proposals[1]);
	ck_assert_str_eq(pol->match_fvrf[0], "any");
	ck_assert_uint_eq(pol->match_local[0], A("192.168.0.1"));
	ck_assert_uint_eq(kr->npeers, 2);
	ck_assert_str_eq(kr->peers[0].name, "R2");
	ck_assert_str_eq(kr->peers[0].description, "router two");
	ck_assert(kr->peers[0].has_addr);
	ck_assert_uint_eq(kr->peers[0].addr, A("192.168.0.2"));
	ck_assert_int_eq(kr->peers[0].plen, 32);
	ck_assert_int_eq(kr->peers[0].id_type, IK_ID_EMAIL); /* re-entered peer R2 */
	ck_assert_str_eq(kr->peers[0].id_value, "a@b.c");
	ck_assert_str_eq((const char *)kr->peers[0].psk->p, "cisco");
	ck_assert_int_eq(kr->peers[1].plen, 8);
	ck_assert_str_eq((const char *)kr->peers[1].psk_local->p, "left");
	ck_assert_str_eq((const char *)kr->peers[1].psk_remote->p, "right");
	ck_assert_ptr_null(kr->peers[1].psk);
	ck_assert_int_eq(kr->peers[1].id_type, IK_ID_ADDRESS);
	ck_assert_str_eq(kr->peers[1].id_value, "10.0.0.9");
	ck_assert_str_eq(p->description, "v2 profile");
	ck_assert_uint_eq(p->nmatches, 4);
	ck_assert_int_eq(p->matches[0].type, IK_ID_ADDRESS);
	ck_assert_uint_eq(p->matches[0].addr, A("192.168.0.2"));
	ck_assert(p->matches[0].mask_given);
	ck_assert_int_eq(p->matches[1].type, IK_ID_FQDN);
	ck_assert_str_eq(p->matches[1].value, "r2.example.com");
	ck_assert(p->matches[2].domain);
	ck_assert_int_eq(p->matches[3].type, IK_ID_KEY_ID);
	ck_assert_str_eq(p->match_fvrf, "any");
	ck_assert_int_eq(p->local_id_type, IK_ID_FQDN);
	ck_assert_str_eq(p->local_id_value, "r1.example.com");
	ck_assert_int_eq(p->auth_local, IK_AUTH_PSK);
	ck_assert_int_eq(p->auth_remote, IK_AUTH_PSK);
	ck_assert_ptr_eq(p->keyring, kr);
	ck_assert_uint_eq(p->lifetime, 3600);
	ck_assert_uint_eq(p->dpd_interval, 10);
	ck_assert_uint_eq(p->dpd_retry, 3);
	ck_assert(p->dpd_periodic);
	ck_assert_ptr_eq(cfg->ipsec_profiles[0]->ikev2_profile, p);
	ik_config_unref(cfg);
}
END_TEST

START_TEST(interfaces_routes_vrfs)
{
	struct ik_config *cfg = load_ok(
		"ip vrf RED\n rd 1:1\n route-target export 1:1\n"
		"vrf definition BLUE\n rd 2:2\n address-family ipv4\n exit-address-family\n"
		"interface tunnel 7\n"
		" description to the hub\n"
		" ip address 10.7.0.1 255.255.255.0\n"
		" ip vrf forwarding RED\n"
		" ip mtu 1400\n"
		" ip tcp adjust-mss 1360\n"
		" tunnel source 203.0.113.1\n"
		" tunnel destination 198.51.100.1\n"
		" tunnel mode ipsec ipv4\n"
		" tunnel vrf BLUE\n"
		" shutdown\n"
		"interface Tunnel8\n tunnel source GigabitEthernet9\n shutdown\n no shutdown\n"
		"interface Ethernet0/1\n vrf forwarding BLUE\n duplex auto\n"
		"interface Dialer1\n ip address negotiated\n"
		"ip route 0.0.0.0 0.0.0.0 Tunnel7\n"
		"ip route vrf RED 10.0.0.0 255.0.0.0 Ethernet0/1 10.1.1.1 200\n"
		"ip route 172.16.0.0 255.240.0.0 eth0\n");
	struct ik_interface *t7 = ik_config_find_iface(cfg, "Tunnel7");
	struct ik_interface *t8 = ik_config_find_iface(cfg, "Tunnel8");

	ck_assert_uint_eq(cfg->nvrfs, 2);
	ck_assert_str_eq(cfg->vrfs[1].name, "BLUE");
	ck_assert_ptr_nonnull(t7);
	ck_assert(t7->is_tunnel);
	ck_assert_uint_eq(t7->tunnel_num, 7);
	ck_assert_str_eq(t7->vrf, "RED");
	ck_assert_str_eq(t7->description, "to the hub");
	ck_assert_uint_eq(t7->tunnel_source, A("203.0.113.1"));
	ck_assert(t7->tunnel_source_resolved);
	ck_assert_ptr_null(t7->tunnel_source_if);
	ck_assert_int_eq(t7->tunnel_mode, IK_TUN_IPSEC_IPV4);
	ck_assert_str_eq(t7->tunnel_vrf, "BLUE");
	ck_assert(t7->shutdown);
	/* not configured here: the daemon looks the name up in Linux */
	ck_assert_str_eq(t8->tunnel_source_if, "GigabitEthernet9");
	ck_assert(!t8->tunnel_source_resolved);
	ck_assert(!t8->shutdown);
	ck_assert_str_eq(cfg->ifaces[2]->vrf, "BLUE");
	ck_assert_uint_eq(cfg->nroutes, 3);
	ck_assert_ptr_eq(cfg->routes[0].out_if, t7);
	ck_assert_str_eq(cfg->routes[0].out_if_name, "Tunnel7");
	ck_assert_uint_eq(cfg->routes[0].nexthop, 0);
	ck_assert_str_eq(cfg->routes[1].vrf, "RED");
	ck_assert_uint_eq(cfg->routes[1].nexthop, A("10.1.1.1"));
	ck_assert_ptr_eq(cfg->routes[1].out_if, cfg->ifaces[2]);
	ck_assert_ptr_null(cfg->routes[2].out_if);
	ck_assert_str_eq(cfg->routes[2].out_if_name, "eth0");
	ck_assert_uint_eq(cfg->ifaces[3]->mask, 0);
	/* ip mtu and ip tcp adjust-mss are applied to the Linux link */
	ck_assert_uint_eq(t7->ip_mtu, 1400);
	ck_assert_uint_eq(t7->tcp_adjust_mss, 1360);
	ck_assert_uint_eq(t8->ip_mtu, 0);
	ck_assert_uint_eq(t8->tcp_adjust_mss, 0);
	/* duplex, negotiated address, route distance: warnings */
	ck_assert_uint_eq(cfg->nwarnings, 3);
	ck_assert_str_eq(cfg->warnings[0].msg,
			 "line 25: 'duplex auto' in interface Ethernet0/1 is not used by ikerd; "
			 "ignored");
	ik_config_unref(cfg);
}
END_TEST

START_TEST(ignored_commands)
{
	struct ik_config *cfg = load_ok(
		"Building configuration...\n"
		"version 15.2\n"
		"service timestamps debug datetime msec\n"
		"router ospf 1\n"
		" network 10.0.0.0 0.255.255.255 area 0\n"
		" passive-interface default\n"
		"line vty 0 4\n login\n transport input ssh\n"
		"banner motd ^C\n"
		"  Authorized access only !\n"
		"crypto keyring fake\n"
		"^C\n"
		"banner login # one line #\n"
		"crypto pki trustpoint TP-self-signed-1\n enrollment selfsigned\n"
		"crypto pki certificate chain TP-self-signed-1\n certificate self-signed 01\n"
		"  3082022B 30820194\n  \tquit\n"
		"no ip domain lookup\n"
		"hostname R9\n"
		"end\n");
	const char *pw = "username admin privilege 15 secret 5 $1$abcd\n"
			 "snmp-server community publ1c RO\n";

	ck_assert_str_eq(cfg->hostname, "R9");
	ck_assert_ptr_null(ik_config_find_keyring(cfg, "fake")); /* inside the banner */
	ck_assert_uint_eq(cfg->nwarnings, 10);
	ck_assert_str_eq(cfg->warnings[3].msg,
			 "line 4: 'router ospf 1' is not used by ikerd; ignored");
	ck_assert_int_eq(cfg->warnings[3].line, 4);
	ck_assert_int_eq(cfg->warnings[5].line, 10);
	ck_assert_int_eq(cfg->warnings[6].line, 14);
	ck_assert_int_eq(cfg->warnings[8].line, 21);
	ck_assert_str_eq(cfg->warnings[9].msg, "line 23: 'end' is not used by ikerd; ignored");
	/* IOS's own self-signed trustpoint: its key stays in IOS, nothing is made */
	ck_assert_uint_eq(cfg->ntrustpoints, 1);
	ck_assert(cfg->trustpoints[0]->enrollment_selfsigned);
	ck_assert_ptr_null(cfg->trustpoints[0]->cert);
	ik_config_unref(cfg);

	/* passwords of ignored commands do not reach the warnings */
	cfg = load_ok(pw);
	ck_assert_str_eq(cfg->warnings[0].msg, "line 1: 'username admin privilege 15 secret * *"
			 "******' is not used by ikerd; ignored");
	ck_assert_str_eq(cfg->warnings[1].msg, "line 2: 'snmp-server community ****** **' is "
			 "not used by ikerd; ignored");
	ik_config_unref(cfg);
}
END_TEST

START_TEST(warnings_bounded)
{
	struct ik_sb sb;
	struct ik_config *cfg;

	ik_sb_init(&sb);
	for (int i = 0; i < 3000; i++)
		ik_sb_printf(&sb, "logging host 10.0.0.%d\n", i % 250);
	cfg = load_ok(ik_sb_str(&sb));
	ck_assert_uint_eq(cfg->nwarnings, IK_CONF_MAX_WARNINGS + 1);
	ck_assert_ptr_nonnull(strstr(cfg->warnings[IK_CONF_MAX_WARNINGS].msg, "more ignored"));
	ik_config_unref(cfg);
	ik_sb_free(&sb);
}
END_TEST

/* ---- print -> parse -> print ---- */

static void round_trip(struct ik_config *cfg)
{
	struct ik_sb one, two;
	struct ik_conf_error err;
	struct ik_config *again;
	char buf[2048];

	ik_sb_init(&one);
	ik_sb_init(&two);
	ik_config_print(cfg, &one);
	again = ik_config_load_string(ik_sb_str(&one), "print", &err);
	if (!again) {
		ik_conf_error_format(&err, buf, sizeof(buf));
		ck_abort_msg("print does not parse:\n%s\n%s", buf, ik_sb_str(&one));
	}
	ik_config_print(again, &two);
	ck_assert_str_eq(ik_sb_str(&one), ik_sb_str(&two));
	ck_assert_uint_eq(again->nkeys, cfg->nkeys);
	ck_assert_uint_eq(again->nkeyrings, cfg->nkeyrings);
	ck_assert_uint_eq(again->nprofiles, cfg->nprofiles);
	ck_assert_uint_eq(again->nifaces, cfg->nifaces);
	ck_assert_uint_eq(again->nwarnings, 0);
	ik_config_unref(again);
	ik_sb_free(&one);
	ik_sb_free(&two);
}

static const char *const examples[] = {
	"seed-r1.conf", "seed-r2.conf", "hub.conf", "spoke1.conf",
	"ikev2-r1.conf", "ikev2-r2.conf", "vti.conf", "two-isp.conf", "cmap-ikev2.conf",
	"cmap-ipv6.conf",
};

START_TEST(examples_parse_and_round_trip)
{
	char path[4096];
	struct ik_config *cfg;

	snprintf(path, sizeof(path), "%s/etc/examples/%s", TOP_SRCDIR, examples[_i]);
	cfg = load_file_ok(path);
	ck_assert_msg(cfg->nwarnings == 0, "%s: %s", examples[_i],
		      cfg->nwarnings ? cfg->warnings[0].msg : "");
	round_trip(cfg);
	ik_config_unref(cfg);
}
END_TEST

START_TEST(print_seed_r1_text)
{
	struct ik_config *cfg = load_file_ok(EX("seed-r1.conf"));
	struct ik_sb sb;

	ik_sb_init(&sb);
	ik_config_print(cfg, &sb);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&sb),
		"crypto keyring keyring1\n  pre-shared-key address 192.168.0.2 key cisco\n"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&sb),
		"   match identity address 192.168.0.102 255.255.255.255\n"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&sb),
		"interface Tunnel1\n ip address 10.0.0.1 255.255.255.0\n"
		" tunnel source Ethernet0/0\n tunnel destination 192.168.0.2\n"
		" tunnel protection ipsec profile profile1\n"));
	ik_sb_free(&sb);
	ik_config_unref(cfg);
}
END_TEST

START_TEST(print_round_trip_rich)
{
	struct ik_config *cfg = load_ok(
		"crypto keyring default\n description global keys\n"
		"crypto isakmp key k1 address 0.0.0.0 0.0.0.0 no-xauth\n"
		"crypto isakmp key k2 hostname x.example\n"
		"crypto isakmp key 0 address 10.0.0.1\n"
		"crypto isakmp keepalive 15 4 periodic\ncrypto isakmp nat keepalive 30\n"
		"crypto isakmp identity hostname\n"
		"crypto call admission limit ike in-negotiation-sa 5000\n"
		"crypto ikev2 limit max-in-negotiation-sa 700\n"
		"crypto isakmp policy 7\n encr aes 192\n hash sha384\n authentication pre-share\n"
		" group 19\n lifetime 600\n"
		"crypto isakmp policy 8\n"
		"crypto keyring R vrf F\n  local-address 1.2.3.4\n"
		"  pre-shared-key hostname h key v\n"
		"crypto isakmp profile P\n vrf I\n keyring R\n keyring default\n"
		" self-identity user-fqdn me@x\n"
		" match identity address 10.0.0.0 255.255.255.255.0\n"
		"crypto isakmp profile Q\n match identity address 1.1.1.1 255.0.0.0\n"
		"crypto ipsec security-association lifetime seconds 900\n"
		"crypto ipsec transform-set T esp-gcm\n mode transport\n"
		"crypto ipsec profile I\n set transform-set T\n set pfs group21\n"
		" set security-association lifetime seconds 300\n description d\n"
		"interface Tunnel0\n tunnel source 9.9.9.9\n tunnel protection ipsec profile I\n"
		" tunnel mode gre ip\n ip mtu 1400\n ip tcp adjust-mss 1360\n no ip mtu\n ip mtu 1380\n"
		"ip route vrf V 10.0.0.0 255.0.0.0 Tunnel0 10.0.0.2\n");

	ck_assert_uint_eq(cfg->max_in_negotiation, 5000);
	ck_assert_uint_eq(cfg->v2_max_in_negotiation, 700);
	round_trip(cfg);
	ik_config_unref(cfg);
}
END_TEST

/* ---- bounds ---- */

START_TEST(bounds_long_line_and_nul_and_size)
{
	struct ik_conf_error err;
	char *text = malloc(IK_CONF_MAX_LINE + 100);
	char path[] = "/tmp/ikerd-conf-XXXXXX";
	struct ik_config *cfg;
	int fd;

	memcpy(text, "hostname x\n", 11);
	memset(text + 11, 'a', IK_CONF_MAX_LINE + 1);
	text[IK_CONF_MAX_LINE + 12] = '\0';
	ck_assert_ptr_null(ik_config_load_string(text, "long", &err));
	ck_assert_int_eq(err.line, 2);
	ck_assert_ptr_nonnull(strstr(err.msg, "longer than the limit of 4096"));
	/* exactly 4096 bytes is fine (an ignored command) */
	memset(text, 'a', IK_CONF_MAX_LINE);
	strcpy(text + IK_CONF_MAX_LINE, "\r\n");
	cfg = load_ok(text);
	ik_config_unref(cfg);
	free(text);

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "hostname a\n\0x\n", 14), 14);
	ck_assert_ptr_null(ik_config_load_file(path, &err));
	ck_assert_int_eq(err.line, 2);
	ck_assert_int_eq(err.col, 1);
	{
		char buf[1024];

		ik_conf_error_format(&err, buf, sizeof(buf));
		ck_assert_str_eq(strchr(buf, ':'), ":2:1: non-printable byte 0x00: the file is not "
			       "text\n?x\n^\n% Invalid input detected at '^' marker.\n");
	}
	ck_assert_int_eq(ftruncate(fd, IK_CONF_MAX_FILE + 1), 0);
	ck_assert_ptr_null(ik_config_load_file(path, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "larger than the limit"));
	close(fd);
	unlink(path);
	ck_assert_ptr_null(ik_config_load_file("/nonexistent/ikerd.conf", &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "cannot open"));
	ck_assert_int_eq(err.line, 0);
}
END_TEST

START_TEST(million_keys)
{
	enum { RINGS = 1000, PER = 1000 };
	struct ik_sb sb;
	struct ik_config *cfg;
	struct timespec t0, t1;
	double sec;

	ik_sb_init(&sb);
	for (int r = 0; r < RINGS; r++) {
		ik_sb_printf(&sb, "crypto keyring ring%d\n", r);
		for (int k = 0; k < PER; k++)
			ik_sb_printf(&sb, "  pre-shared-key address 10.%d.%d.%d key k%d-%d\n",
				     r / 256, r % 256, k % 250, r, k);
	}
	ck_assert(!sb.oom);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cfg = load_ok(ik_sb_str(&sb));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	sec = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("conf: 1,000,000 pre-shared-key lines in 1,000 keyrings: %.3f s (%zu bytes)\n",
	       sec, sb.len);
	fflush(stdout);
	/* k % 250 repeats addresses: later lines replace earlier keys (IOS) */
	ck_assert_uint_eq(cfg->nkeys, RINGS * 250);
	ck_assert_str_eq(key_text(ik_config_find_keyring(cfg, "ring999")->keys[249]),
			 "k999-999");
	ck_assert_msg(sec < 20.0, "%.3f s", sec);
	ik_config_unref(cfg);
	ik_sb_free(&sb);

	/* and a million distinct keys */
	ik_sb_init(&sb);
	for (int r = 0; r < RINGS; r++) {
		ik_sb_printf(&sb, "crypto keyring ring%d\n", r);
		for (int k = 0; k < PER; k++)
			ik_sb_printf(&sb, "  pre-shared-key address %d.%d.%d.%d key k%d\n",
				     1 + r / 256, r % 256, k / 250, k % 250, k);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cfg = load_ok(ik_sb_str(&sb));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	sec = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("conf: 1,000,000 distinct keys: %.3f s\n", sec);
	fflush(stdout);
	ck_assert_uint_eq(cfg->nkeys, 1000000);
	ck_assert_uint_eq(cfg->keys[999999]->order, 999999);
	ck_assert_msg(sec < 20.0, "%.3f s", sec);
	ik_config_unref(cfg);
	ik_sb_free(&sb);
}
END_TEST

static Suite *conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, seed_r1_fields);
	tcase_add_test(tc, seed_r2_fields);
	tcase_add_test(tc, iface_by_addr_index);
	tcase_add_loop_test(tc, error_cases, 0, (int)(sizeof(err_cases) / sizeof(err_cases[0])));
	tcase_add_test(tc, error_format_ios);
	tcase_add_test(tc, error_format_small_buffers_and_null);
	tcase_add_test(tc, error_hides_key);
	tcase_add_test(tc, error_nothing_half_applied);
	tcase_add_test(tc, syntax_comments_case_crlf);
	tcase_add_test(tc, keys_replace_and_mask);
	tcase_add_test(tc, keys_replace_in_a_large_file);
	tcase_add_test(tc, submodes_exit_and_reentry);
	tcase_add_test(tc, policies_defaults_sorted);
	tcase_add_test(tc, profiles_full);
	tcase_add_test(tc, ipsec_full);
	tcase_add_test(tc, ikev2_blocks);
	tcase_add_test(tc, interfaces_routes_vrfs);
	tcase_add_test(tc, ignored_commands);
	tcase_add_test(tc, warnings_bounded);
	tcase_add_loop_test(tc, examples_parse_and_round_trip, 0,
			    (int)(sizeof(examples) / sizeof(examples[0])));
	tcase_add_test(tc, print_seed_r1_text);
	tcase_add_test(tc, print_round_trip_rich);
	tcase_add_test(tc, bounds_long_line_and_nul_and_size);
	tcase_add_test(tc, million_keys);
	tcase_add_test(tc, error_not_text);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(conf_suite());
	int failed;

	ik_secmem_init();
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
