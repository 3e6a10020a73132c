/* Crypto maps whose peers are IPv6 addresses: the configuration (set peer
 * X:X::X, ipv6 crypto map on the interface, one family per entry), the map
 * serving a local address by family, the kernel traps with IPv6 outer
 * addresses, show crypto map as IOS prints an IPv6 entry, the checker's
 * findings (K1 over IPv6, a map not applied to its peers' family), and
 * IKEv1 and IKEv2 exchanges between two engines on 2001:db8::1 and
 * 2001:db8::2 (IPv4 and IPv6 LANs, a dynamic map for an unknown IPv6 peer,
 * set peer failover). Deterministic: fake clock, seeded RNGs. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/acl.h"
#include "daemon/show_conf.h"
#include "ike/engine.h"
#include "ipsec/child.h"
#include "profile/check.h"
#include "profile/cmap_select.h"
#include "test_exchange_harness.h"
#include "util/addr.h"
#include "util/strbuf.h"

static struct xnet net;

static const char v1_common[] =
	"crypto isakmp policy 10\n encr aes 256\n hash sha256\n authentication pre-share\n"
	" group 14\n"
	"crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac\n mode tunnel\n";

static const char v2_common[] =
	"crypto ikev2 proposal PROP\n encryption aes-cbc-256\n integrity sha256\n group 14\n"
	"crypto ikev2 policy POL\n proposal PROP\n"
	"crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac\n mode tunnel\n";

/* R1 (2001:db8::1): two IPv4 LANs and one IPv6 LAN to R2 */
static const char r1_v1[] =
	"hostname R1\n"
	"crypto isakmp key k3y address ipv6 2001:db8::2/128\n"
	"crypto isakmp key k3y address ipv6 2001:db8::3/128\n"
	"ip access-list extended TO-R2\n"
	" permit ip 10.1.1.0 0.0.0.255 10.2.0.0 0.0.255.255\n"
	" permit ip 10.1.2.0 0.0.0.255 10.2.0.0 0.0.255.255\n"
	"ipv6 access-list TO-R2-V6\n"
	" permit ipv6 2001:db8:a1::/48 2001:db8:b2::/48\n"
	"crypto map CM6 10 ipsec-isakmp\n"
	" set peer 2001:db8::2\n"
	" set transform-set TS\n"
	" set pfs group14\n"
	" match address TO-R2\n"
	"crypto map CM6 20 ipsec-isakmp\n"
	" set peer 2001:db8::2\n"
	" set transform-set TS\n"
	" match address TO-R2-V6\n"
	"interface GigabitEthernet0/0\n ipv6 address 2001:db8::1/64\n ipv6 crypto map CM6\n";

/* R2 (2001:db8::2): an entry for another peer first, then the mirror images */
static const char r2_v1[] =
	"hostname R2\n"
	"crypto isakmp key k3y address ipv6 2001:db8::1/128\n"
	"ip access-list extended TO-R1\n"
	" permit ip 10.2.0.0 0.0.255.255 10.1.0.0 0.0.255.255\n"
	"ipv6 access-list TO-R1-V6\n"
	" permit ipv6 2001:db8:b2::/48 2001:db8:a1::/48\n"
	"crypto map CM6 5 ipsec-isakmp\n"
	" set peer 2001:db8::99\n set transform-set TS\n match address TO-R1\n"
	"crypto map CM6 10 ipsec-isakmp\n"
	" set peer 2001:db8::1\n set transform-set TS\n set pfs group14\n"
	" match address TO-R1\n"
	"crypto map CM6 20 ipsec-isakmp\n"
	" set peer 2001:db8::1\n set transform-set TS\n match address TO-R1-V6\n"
	"interface GigabitEthernet0/0\n ipv6 address 2001:db8::2/64\n ipv6 crypto map CM6\n";

static const char r1_v2[] =
	"hostname R1\n"
	"crypto ikev2 keyring KR\n peer R2\n  address 2001:db8::2/128\n  pre-shared-key k3y\n"
	"crypto ikev2 profile P2\n match identity remote address 2001:db8::2/128\n"
	" authentication local pre-share\n authentication remote pre-share\n keyring local KR\n"
	"ip access-list extended TO-R2\n"
	" permit ip 10.1.1.0 0.0.0.255 10.2.0.0 0.0.255.255\n"
	" permit ip 10.1.2.0 0.0.0.255 10.2.0.0 0.0.255.255\n"
	"crypto map CM6 10 ipsec-isakmp\n"
	" set peer 2001:db8::2\n"
	" set transform-set TS\n"
	" set ikev2-profile P2\n"
	" match address TO-R2\n"
	"interface GigabitEthernet0/0\n ipv6 address 2001:db8::1/64\n ipv6 crypto map CM6\n";

static const char r2_v2[] =
	"hostname R2\n"
	"crypto ikev2 keyring KR\n peer R1\n  address 2001:db8::1/128\n  pre-shared-key k3y\n"
	"crypto ikev2 profile P1\n match identity remote address 2001:db8::1/128\n"
	" authentication local pre-share\n authentication remote pre-share\n keyring local KR\n"
	"ip access-list extended TO-R1\n"
	" permit ip 10.2.0.0 0.0.255.255 10.1.0.0 0.0.255.255\n"
	"crypto map CM6 10 ipsec-isakmp\n"
	" set peer 2001:db8::1\n set transform-set TS\n set ikev2-profile P1\n"
	" match address TO-R1\n"
	"interface GigabitEthernet0/0\n ipv6 address 2001:db8::2/64\n ipv6 crypto map CM6\n";

#define HAS(s, part) ck_assert_msg(strstr((s), (part)), "missing \"%s\" in:\n%s", (part), (s))

static struct ik_addr ip(const char *s)
{
	struct ik_addr a;

	ck_assert_int_eq(ik_addr_parse_any(s, &a), 0);
	return a;
}

static struct ik_config *load(const char *common, const char *text)
{
	struct ik_sb b;
	struct ik_config *c;

	ik_sb_init(&b);
	ik_sb_printf(&b, "%s%s", common, text);
	c = xn_load(ik_sb_str(&b), "t.conf");
	ik_sb_free(&b);
	return c;
}

static void start(const char *common, const char *t1, const char *t2, uint64_t seed)
{
	struct ik_config *c1 = load(common, t1), *c2 = load(common, t2);
	struct ik_addr a1 = ip("2001:db8::1"), a2 = ip("2001:db8::2");

	xn_init_ip(&net, c1, &a1, c2, &a2, seed, NULL);
}

static int initiate(int side, const char *map, const char *s, const char *d, struct ik_sb *err)
{
	return xn_initiate_map(&net, side, map, s, d, err);
}

static void initiate_ok(int side, const char *map, const char *s, const char *d)
{
	struct ik_sb err;

	ik_sb_init(&err);
	ck_assert_msg(initiate(side, map, s, d, &err) == 0, "%s", ik_sb_str(&err));
	ik_sb_free(&err);
}

/* Child k of each side is a pair with IPv6 outer addresses (the peers). */
static void expect_pair(unsigned k)
{
	const struct ik_child_sa *a = &net.n[0].up[k], *b = &net.n[1].up[k];
	struct ik_addr r1 = ip("2001:db8::1"), r2 = ip("2001:db8::2");

	ck_assert_uint_eq(a->out.spi, b->in.spi);
	ck_assert_uint_eq(a->in.spi, b->out.spi);
	ck_assert(!memcmp(a->out.enc_key, b->in.enc_key, sizeof(a->out.enc_key)));
	ck_assert_uint_eq(a->mode, IK_MODE_TUNNEL);
	ck_assert(ik_addr_eq(&a->out.src, &r1));
	ck_assert(ik_addr_eq(&a->out.dst, &r2));
	ck_assert(ik_addr_eq(&b->out.src, &r2));
	ck_assert(ik_addr_eq(&b->out.dst, &r1));
	ck_assert_ptr_nonnull(a->cmap);
	ck_assert_ptr_nonnull(b->cmap);
	ck_assert(ik_addr_eq(&a->sel.src, &b->sel.dst));
	ck_assert(ik_addr_eq(&a->sel.dst, &b->sel.src));
	ck_assert_uint_eq(a->sel.src_plen, b->sel.dst_plen);
	ck_assert_uint_eq(a->sel.dst_plen, b->sel.src_plen);
}

/* ---- configuration and selection ---- */

/* set peer takes IPv6 (printed as IOS prints it), ipv6 crypto map applies
 * the map to IPv6; an entry keeps one family, a map name that is not there
 * is refused with the command. */
START_TEST(config_forms)
{
	struct ik_conf_error err;
	struct ik_config *c = load(v1_common, r1_v1);
	const struct ik_interface *ifc = ik_config_find_iface(c, "GigabitEthernet0/0");
	struct ik_sb out;
	char buf[1024];

	ck_assert_ptr_nonnull(ifc);
	ck_assert_ptr_null(ifc->crypto_map);
	ck_assert_ptr_nonnull(ifc->crypto_map6);
	ck_assert_str_eq(ifc->crypto_map6->name, "CM6");
	ck_assert_uint_eq(c->ncmap_ifaces, 1);
	ik_sb_init(&out);
	ik_config_print(c, &out);
	HAS(ik_sb_str(&out), " set peer 2001:DB8::2\n");
	HAS(ik_sb_str(&out), " ipv6 crypto map CM6\n");
	ik_sb_free(&out);
	ik_config_unref(c);

	c = ik_config_load_string("crypto map M 10 ipsec-isakmp\n set peer 2001:db8::2\n"
				  " set peer 192.0.2.2\n", "m.conf", &err);
	ck_assert_ptr_null(c);
	ik_conf_error_format(&err, buf, sizeof(buf));
	HAS(buf, "m.conf:3");
	HAS(buf, "crypto map M 10 sets IPv6 peers already (first: 2001:DB8::2): a IPv4 peer "
	    "cannot join them");
	c = ik_config_load_string("crypto map M 10 ipsec-isakmp\n set peer fe80::1\n", "m.conf",
				  &err);
	ck_assert_ptr_null(c);
	ik_conf_error_format(&err, buf, sizeof(buf));
	HAS(buf, "a multicast or link-local address");
	c = ik_config_load_string("crypto map M 10 ipsec-isakmp\n set peer ::\n", "m.conf", &err);
	ck_assert_ptr_null(c);
	c = ik_config_load_string("interface GigabitEthernet0/0\n ipv6 crypto map NOPE\n",
				  "m.conf", &err);
	ck_assert_ptr_null(c);
	ik_conf_error_format(&err, buf, sizeof(buf));
	HAS(buf, "unknown crypto map 'NOPE' in interface GigabitEthernet0/0 (ipv6 crypto map)");
	/* failover order kept, default on the first */
	c = load(v1_common, "crypto map M 10 ipsec-isakmp\n set peer 2001:db8::3 default\n"
		 " set peer 2001:db8::2\n");
	ck_assert_uint_eq(c->cmaps[0]->entries[0]->npeers, 2);
	ck_assert(c->cmaps[0]->entries[0]->peer_default);
	{
		struct ik_addr p0 = ip("2001:db8::3"), p1 = ip("2001:db8::2");

		ck_assert(ik_addr_eq(&c->cmaps[0]->entries[0]->peers[0], &p0));
		ck_assert(ik_addr_eq(&c->cmaps[0]->entries[0]->peers[1], &p1));
	}
	ik_config_unref(c);
}
END_TEST

/* The map serving a local address goes by family: IPv4 to the map of
 * crypto map, IPv6 to the one of ipv6 crypto map (also through
 * local-address); the local address of a map by its peers' family. */
START_TEST(select_by_family)
{
	struct ik_config *c = load(v1_common,
				   "crypto map A 10 ipsec-isakmp\n set peer 192.0.2.2\n"
				   "crypto map B 10 ipsec-isakmp\n set peer 2001:db8::2\n"
				   "crypto map C local-address Loopback0\n"
				   "crypto map C 10 ipsec-isakmp\n set peer 2001:db8::9\n"
				   "interface Loopback0\n ip address 198.51.100.1 255.255.255.255\n"
				   " ipv6 address 2001:db8:ff::1/128\n"
				   "interface GigabitEthernet0/0\n ip address 192.0.2.1 255.255.255.0\n"
				   " ipv6 address 2001:db8::1/64\n crypto map A\n ipv6 crypto map B\n"
				   "interface GigabitEthernet0/1\n ipv6 address 2001:db8:1::1/64\n"
				   " ipv6 crypto map C\n");
	struct ik_addr a4 = ip("192.0.2.1"), a6 = ip("2001:db8::1"), lo6 = ip("2001:db8:ff::1");
	struct ik_addr g1 = ip("2001:db8:1::1"), out;
	const struct ik_cmap *a = ik_config_find_cmap(c, "A", false);
	const struct ik_cmap *b = ik_config_find_cmap(c, "B", false);
	const struct ik_cmap *cm = ik_config_find_cmap(c, "C", false);

	ck_assert_ptr_eq(ik_cmap_for_local(c, &a4), a);
	ck_assert_ptr_eq(ik_cmap_for_local(c, &a6), b);
	/* C leaves from its local-address interface, not from Gi0/1 */
	ck_assert_ptr_eq(ik_cmap_for_local(c, &lo6), cm);
	ck_assert_ptr_null(ik_cmap_for_local(c, &g1));
	ck_assert_int_eq(ik_cmap_local(c, a, IK_AF_INET4, &out), 0);
	ck_assert(ik_addr_eq(&out, &a4));
	ck_assert_int_eq(ik_cmap_local(c, b, IK_AF_INET6, &out), 0);
	ck_assert(ik_addr_eq(&out, &a6));
	/* B is applied to IPv6 only: no IPv4 address for it */
	ck_assert_int_eq(ik_cmap_local(c, b, IK_AF_INET4, &out), -1);
	ck_assert_int_eq(ik_cmap_local(c, cm, IK_AF_INET6, &out), 0);
	ck_assert(ik_addr_eq(&out, &lo6));
	ik_config_unref(c);
}
END_TEST

/* Responder matching over IPv6 peers: the entry names the peer by its IPv6
 * address; an IPv4 peer with the same last bits is another peer. */
START_TEST(match_proxy_ipv6_peer)
{
	struct ik_config *c = load(v1_common, r2_v1);
	const struct ik_cmap *m = ik_config_find_cmap(c, "CM6", false);
	struct ik_addr peer = ip("2001:db8::1"), other = ip("0.0.0.1");
	struct ik_cmap_match mt;
	struct ik_proxy p;

	memset(&p, 0, sizeof(p));
	p.local.lo = ip("10.2.0.0");
	p.local.hi = ip("10.2.255.255");
	p.remote.lo = ip("10.1.1.0");
	p.remote.hi = ip("10.1.1.255");
	p.local.port_hi = p.remote.port_hi = 65535;
	ck_assert_int_eq(ik_cmap_match_proxy(m, 1, &peer, &p, NULL, NULL, &mt), 0);
	ck_assert_uint_eq(mt.entry->seq, 10);
	ck_assert_int_eq(ik_cmap_match_proxy(m, 1, &other, &p, NULL, NULL, &mt), -1);
	p.local.lo = ip("2001:db8:b2::");
	p.local.hi = ip("2001:db8:b2:ffff:ffff:ffff:ffff:ffff");
	p.remote.lo = p.remote.hi = ip("2001:db8:a1::5");
	ck_assert_int_eq(ik_cmap_match_proxy(m, 1, &peer, &p, NULL, NULL, &mt), 0);
	ck_assert_uint_eq(mt.entry->seq, 20);
	ik_config_unref(c);
}
END_TEST

struct traps {
	unsigned n;
	struct ik_selector sel[4];
	struct ik_addr local[4], peer[4];
};

static void trap_rec(void *ctx, const struct ik_cmap_entry *e, size_t ace,
		     const struct ik_selector *sel, uint32_t reqid, const struct ik_addr *local,
		     const struct ik_addr *peer)
{
	struct traps *t = ctx;

	(void)e;
	(void)ace;
	(void)reqid;
	if (t->n < 4) {
		t->sel[t->n] = *sel;
		t->local[t->n] = *local;
		t->peer[t->n] = *peer;
	}
	t->n++;
}

/* Traps of an IPv6-peer map: IPv6 outer addresses (the interface's IPv6
 * address to the first set peer), the ACL's selectors of either family;
 * the same map applied with crypto map (IPv4) only installs none. */
START_TEST(traps_ipv6_outer)
{
	struct ik_config *c = load(v1_common, r1_v1);
	struct traps t = { 0 };
	struct ik_addr r1 = ip("2001:db8::1"), r2 = ip("2001:db8::2");
	struct ik_addr n1 = ip("10.1.1.0"), n6 = ip("2001:db8:a1::");
	char *v4only;

	ck_assert_uint_eq(ik_cmap_traps(c, trap_rec, &t), 3);
	for (unsigned i = 0; i < 3; i++) {
		ck_assert(ik_addr_eq(&t.local[i], &r1));
		ck_assert(ik_addr_eq(&t.peer[i], &r2));
	}
	ck_assert(ik_addr_eq(&t.sel[0].src, &n1));
	ck_assert_uint_eq(t.sel[0].src_plen, 24);
	ck_assert_uint_eq(t.sel[0].dst_plen, 16);
	ck_assert(ik_addr_eq(&t.sel[2].src, &n6));
	ck_assert_uint_eq(t.sel[2].src_plen, 48);
	ik_config_unref(c);

	v4only = xn_replace(strdup(r1_v1), " ipv6 crypto map CM6\n",
			    " ip address 192.0.2.1 255.255.255.0\n crypto map CM6\n");
	c = load(v1_common, v4only);
	free(v4only);
	t.n = 0;
	ck_assert_uint_eq(ik_cmap_traps(c, trap_rec, &t), 0);
	ik_config_unref(c);
}
END_TEST

/* show crypto map: an IPv6 entry as IOS prints it; --json with the family. */
START_TEST(show_ipv6_map)
{
	struct ik_config *c = load(v1_common, r1_v1);
	struct ik_sb out;

	ik_sb_init(&out);
	ck_assert_int_eq(ik_show_crypto_map(c, NULL, false, NULL, &out), 0);
	HAS(ik_sb_str(&out), "Crypto Map IPv6 \"CM6\" 10 ipsec-isakmp\n\tPeer = 2001:DB8::2\n");
	HAS(ik_sb_str(&out), "\tCurrent peer: 2001:DB8::2\n");
	HAS(ik_sb_str(&out), "\tIPv6 access list TO-R2-V6\n");
	HAS(ik_sb_str(&out), "\tInterfaces using crypto map CM6:\n\t\tGigabitEthernet0/0\n");
	ik_sb_free(&out);
	ik_sb_init(&out);
	ck_assert_int_eq(ik_show_crypto_map(c, "GigabitEthernet0/0", true, NULL, &out), 0);
	HAS(ik_sb_str(&out), "\"name\":\"CM6\"");
	HAS(ik_sb_str(&out), "\"family\":\"ipv6\"");
	HAS(ik_sb_str(&out), "\"peers\":[\"2001:db8::2\"]");
	HAS(ik_sb_str(&out), "\"interfaces\":[\"GigabitEthernet0/0\"]");
	ik_sb_free(&out);
	ik_config_unref(c);
}
END_TEST

/* ikerd -t: K1 over an IPv6 peer without a key, and an entry whose peers'
 * family the map is not applied to. */
START_TEST(check_findings)
{
	struct ik_config *c;
	struct ik_sb out;
	char *t;
	int n;

	t = xn_replace(strdup(r1_v1), "crypto isakmp key k3y address ipv6 2001:db8::2/128\n", "");
	c = load(v1_common, t);
	free(t);
	ik_sb_init(&out);
	n = ik_check_config(c, &out, false);
	ck_assert_int_ge(n, 1);
	HAS(ik_sb_str(&out), "crypto map CM6 10: no pre-shared key for set peer 2001:DB8::2");
	HAS(ik_sb_str(&out), "crypto isakmp key KEY address ipv6 2001:DB8::2/128");
	ik_sb_free(&out);
	ik_config_unref(c);

	/* the keys there: no K finding */
	c = load(v1_common, r1_v1);
	ik_sb_init(&out);
	(void)ik_check_config(c, &out, false);
	ck_assert_msg(!strstr(ik_sb_str(&out), "no pre-shared key"), "%s", ik_sb_str(&out));
	ck_assert_msg(!strstr(ik_sb_str(&out), "no interface applies"), "%s", ik_sb_str(&out));
	ik_sb_free(&out);
	ik_config_unref(c);

	/* applied with crypto map (IPv4) only */
	t = xn_replace(strdup(r1_v1), " ipv6 crypto map CM6\n",
		       " ip address 192.0.2.1 255.255.255.0\n crypto map CM6\n");
	c = load(v1_common, t);
	free(t);
	ik_sb_init(&out);
	(void)ik_check_config(c, &out, false);
	HAS(ik_sb_str(&out), "crypto map CM6 10 sets IPv6 peer 2001:DB8::2, but no interface "
	    "applies the map to IPv6 (ipv6 crypto map)");
	ik_sb_free(&out);
	ik_config_unref(c);

	/* IKEv2 (V2-2): the keyring has no peer block for the IPv6 peer */
	t = xn_replace(strdup(r1_v2), "  address 2001:db8::2/128\n", "  address 2001:db8:9::/64\n");
	c = load(v2_common, t);
	free(t);
	ik_sb_init(&out);
	(void)ik_check_config(c, &out, false);
	HAS(ik_sb_str(&out), "crypto map CM6 10 initiates toward 2001:DB8::2 with IKEv2 profile P2");
	ik_sb_free(&out);
	ik_config_unref(c);
	c = load(v2_common, r1_v2);
	ik_sb_init(&out);
	(void)ik_check_config(c, &out, false);
	ck_assert_msg(!strstr(ik_sb_str(&out), "initiates toward"), "%s", ik_sb_str(&out));
	ik_sb_free(&out);
	ik_config_unref(c);

	/* applied to IPv6 on an interface without an IPv6 address */
	t = xn_replace(strdup(r1_v1), " ipv6 address 2001:db8::1/64\n",
		       " ip address 192.0.2.1 255.255.255.0\n");
	c = load(v1_common, t);
	free(t);
	ik_sb_init(&out);
	(void)ik_check_config(c, &out, false);
	HAS(ik_sb_str(&out), "crypto map CM6 10 sets IPv6 peer 2001:DB8::2, but the interface "
	    "applying the map has no IPv6 address");
	ik_sb_free(&out);
	ik_config_unref(c);
}
END_TEST

/* ---- exchanges ---- */

/* IKEv1 over IPv6 peers: two IPv4 LAN prefixes and one IPv6 prefix, three
 * Quick Modes on one phase 1, the responder's map walk in sequence order
 * (entry 5 names another peer). */
START_TEST(v1_three_lines)
{
	struct ik_addr n6 = ip("2001:db8:a1::");

	start(v1_common, r1_v1, r2_v1, 61);
	initiate_ok(0, "CM6", "10.1.1.5", "10.2.3.4");
	xn_run(&net, 2000);
	initiate_ok(0, "CM6", "10.1.2.5", "10.2.3.4");
	xn_run(&net, 2000);
	initiate_ok(0, "CM6", "2001:db8:a1::5", "2001:db8:b2::7");
	xn_run(&net, 2000);
	if (net.n[0].nup != 3 || net.n[1].nup != 3) {
		xn_dump(&net.n[0]);
		xn_dump(&net.n[1]);
	}
	ck_assert_uint_eq(net.n[0].nup, 3);
	ck_assert_uint_eq(net.n[1].nup, 3);
	for (unsigned k = 0; k < 3; k++)
		expect_pair(k);
	ck_assert_uint_eq(net.n[0].up[0].sel.src.v4, 0x0a010100u);
	ck_assert_uint_eq(net.n[0].up[1].sel.src.v4, 0x0a010200u);
	ck_assert(ik_addr_eq(&net.n[0].up[2].sel.src, &n6));
	ck_assert_uint_eq(net.n[0].up[2].sel.src_plen, 48);
	ck_assert_uint_eq(net.n[1].up[0].cmap->seq, 10);
	ck_assert_uint_eq(net.n[1].up[2].cmap->seq, 20);
	ck_assert_uint_eq(net.n[0].up[0].pfs_group, 14);
	XN_EXPECT_ORDER(&net.n[1], "Crypto mapdb : proxy_match", "\tsrc addr     : 10.2.0.0",
		     "\tdst addr     : 10.1.1.0", "Crypto mapdb : proxy_match");
	XN_EXPECT_ORDER(&net.n[1], "    local_proxy= 2001:db8:b2::-2001:db8:b2:ffff:ffff:ffff:"
		     "ffff:ffff/0/0 (type=6),");
	xn_free(&net);
}
END_TEST

/* The responder does not know the IPv6 peer: a dynamic map with a wildcard
 * IPv6 key takes R1's proposal. */
START_TEST(v1_dynamic_map)
{
	static const char r2_dyn[] =
		"hostname R2\n"
		"crypto isakmp key k3y address ipv6 ::/0\n"
		"crypto dynamic-map DYN 10\n set transform-set TS\n set pfs group14\n"
		"crypto map CM6 65535 ipsec-isakmp dynamic DYN\n"
		"interface GigabitEthernet0/0\n ipv6 address 2001:db8::2/64\n ipv6 crypto map CM6\n";

	start(v1_common, r1_v1, r2_dyn, 62);
	initiate_ok(0, "CM6", "10.1.2.5", "10.2.3.4");
	xn_run(&net, 2000);
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(net.n[1].nup, 1);
	expect_pair(0);
	ck_assert(net.n[1].up[0].cmap->map->is_dynamic);
	ck_assert_uint_eq(net.n[1].up[0].sel.dst.v4, 0x0a010200u);
	xn_free(&net);
}
END_TEST

/* A responder whose map is applied with crypto map (IPv4) only does not
 * answer an IPv6 peer's proxies with it; an initiator whose map is not
 * applied to IPv6 says why. */
START_TEST(v1_family_not_applied)
{
	char *r2 = xn_replace(strdup(r2_v1), " ipv6 crypto map CM6\n", " crypto map CM6\n");
	struct ik_sb err;

	start(v1_common, r1_v1, r2, 63);
	free(r2);
	initiate_ok(0, "CM6", "10.1.1.5", "10.2.3.4");
	xn_run(&net, 3000);
	ck_assert_uint_eq(net.n[1].nup, 0);
	ck_assert_uint_eq(net.n[0].nup, 0);
	ik_sb_init(&err);
	ck_assert_int_eq(initiate(1, "CM6", "10.2.3.4", "10.1.1.5", &err), -1);
	HAS(ik_sb_str(&err), "crypto map CM6 is applied to no interface with an IPv6 address "
	    "(ipv6 crypto map)");
	ik_sb_free(&err);
	xn_free(&net);
}
END_TEST

/* set peer failover over IPv6: 2001:db8::3 never answers, R2 is next. */
START_TEST(v1_failover)
{
	char *r1 = xn_replace(strdup(r1_v1), " set peer 2001:db8::2\n set transform-set TS\n"
			      " set pfs", " set peer 2001:db8::3 default\n set peer 2001:db8::2\n"
			      " set transform-set TS\n set pfs");
	struct ik_addr r2 = ip("2001:db8::2");

	start(v1_common, r1, r2_v1, 64);
	free(r1);
	initiate_ok(0, "CM6", "10.1.1.5", "10.2.3.4");
	xn_run(&net, 600000);
	if (net.n[0].nup != 1)
		xn_dump(&net.n[0]);
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(net.n[1].nup, 1);
	ck_assert(ik_addr_eq(&net.n[0].up[0].out.dst, &r2));
	XN_EXPECT_ORDER(&net.n[0], "%CRYPTO-6-PEER_FAILOVER: crypto map CM6 10: peer 2001:DB8::3 "
		     "does not answer, trying 2001:DB8::2");
	xn_free(&net);
}
END_TEST

/* IKEv2 over IPv6 peers: the first line in IKE_AUTH, the second in
 * CREATE_CHILD_SA on the same IKE SA. */
START_TEST(v2_two_lines)
{
	start(v2_common, r1_v2, r2_v2, 65);
	initiate_ok(0, "CM6", "10.1.1.5", "10.2.3.4");
	xn_run(&net, 2000);
	initiate_ok(0, "CM6", "10.1.2.5", "10.2.3.4");
	xn_run(&net, 2000);
	if (net.n[0].nup != 2 || net.n[1].nup != 2) {
		xn_dump(&net.n[0]);
		xn_dump(&net.n[1]);
	}
	ck_assert_uint_eq(net.n[0].nup, 2);
	ck_assert_uint_eq(net.n[1].nup, 2);
	expect_pair(0);
	expect_pair(1);
	ck_assert_uint_eq(net.n[0].up[1].sel.src.v4, 0x0a010200u);
	ck_assert_uint_eq(net.n[1].up[0].sel.src.v4, 0x0a020000u);
	ck_assert_uint_eq(net.n[1].up[0].sel.src_plen, 16);
	XN_EXPECT_ORDER(&net.n[1], "Crypto mapdb : proxy_match", "\tsrc addr     : 10.2.3.4",
		     "\tdst addr     : 10.1.1.5");
	xn_free(&net);
}
END_TEST

/* IKEv2: a dynamic map answers an IPv6 peer it does not name. */
START_TEST(v2_dynamic_map)
{
	static const char r2_dyn[] =
		"hostname R2\n"
		"crypto ikev2 keyring KR\n peer ANY\n  address ::/0\n  pre-shared-key k3y\n"
		"crypto ikev2 profile P1\n match identity remote address ::/0\n"
		" authentication local pre-share\n authentication remote pre-share\n"
		" keyring local KR\n"
		"crypto dynamic-map DYN 10\n set transform-set TS\n set ikev2-profile P1\n"
		"crypto map CM6 65535 ipsec-isakmp dynamic DYN\n"
		"interface GigabitEthernet0/0\n ipv6 address 2001:db8::2/64\n ipv6 crypto map CM6\n";

	start(v2_common, r1_v2, r2_dyn, 66);
	initiate_ok(0, "CM6", "10.1.1.5", "10.2.3.4");
	xn_run(&net, 2000);
	if (net.n[1].nup != 1)
		xn_dump(&net.n[1]);
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(net.n[1].nup, 1);
	expect_pair(0);
	ck_assert(net.n[1].up[0].cmap->map->is_dynamic);
	xn_free(&net);
}
END_TEST

/* The key of an IPv6 map peer from a keyring line (pre-shared-key address
 * ipv6 P/L key K), longest prefix first (K-rules over IPv6): a /128 with
 * the right key beats a /64 with a wrong one. */
START_TEST(v1_keyring_ipv6_key)
{
	char *r1 = xn_replace(strdup(r1_v1), "crypto isakmp key k3y address ipv6 2001:db8::2/128\n",
			      "crypto keyring KR\n"
			      " pre-shared-key address ipv6 2001:db8::/64 key wr0ng\n"
			      " pre-shared-key address ipv6 2001:db8::2/128 key k3y\n");

	start(v1_common, r1, r2_v1, 69);
	free(r1);
	initiate_ok(0, "CM6", "10.1.1.5", "10.2.3.4");
	xn_run(&net, 2000);
	if (net.n[0].nup != 1)
		xn_dump(&net.n[0]);
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(net.n[1].nup, 1);
	expect_pair(0);
	xn_free(&net);

	/* only the /64 with the wrong key: phase 1 fails, no SA */
	r1 = xn_replace(strdup(r1_v1), "crypto isakmp key k3y address ipv6 2001:db8::2/128\n",
			"crypto keyring KR\n"
			" pre-shared-key address ipv6 2001:db8::/64 key wr0ng\n");
	start(v1_common, r1, r2_v1, 70);
	free(r1);
	initiate_ok(0, "CM6", "10.1.1.5", "10.2.3.4");
	xn_run(&net, 5000);
	ck_assert_uint_eq(net.n[0].nup, 0);
	ck_assert_uint_eq(net.n[1].nup, 0);
	xn_free(&net);
}
END_TEST

/* set security-association level per-host over IPv6 peers: the packet's
 * hosts become the proxy identities (/32 and /128). */
START_TEST(v1_per_host)
{
	char *r1 = xn_replace(strdup(r1_v1), " set pfs group14\n match address TO-R2\n",
			      " set pfs group14\n set security-association level per-host\n"
			      " match address TO-R2\n");
	struct ik_addr h1 = ip("10.1.1.5"), h2 = ip("10.2.3.4");

	r1 = xn_replace(r1, " match address TO-R2-V6\n", " set security-association level "
			"per-host\n match address TO-R2-V6\n");
	start(v1_common, r1, r2_v1, 68);
	free(r1);
	initiate_ok(0, "CM6", "10.1.1.5", "10.2.3.4");
	xn_run(&net, 2000);
	initiate_ok(0, "CM6", "2001:db8:a1::5", "2001:db8:b2::7");
	xn_run(&net, 2000);
	ck_assert_uint_eq(net.n[0].nup, 2);
	ck_assert_uint_eq(net.n[1].nup, 2);
	expect_pair(0);
	expect_pair(1);
	ck_assert(ik_addr_eq(&net.n[0].up[0].sel.src, &h1));
	ck_assert(ik_addr_eq(&net.n[0].up[0].sel.dst, &h2));
	ck_assert_uint_eq(net.n[0].up[0].sel.src_plen, 32);
	ck_assert_uint_eq(net.n[0].up[1].sel.src_plen, 128);
	ck_assert_uint_eq(net.n[0].up[1].sel.dst_plen, 128);
	xn_free(&net);
}
END_TEST

/* IKEv2: a static entry needs the IPv6 peer among its set peer lines; R2's
 * entry naming another address refuses R1's selectors. */
START_TEST(v2_static_entry_needs_peer)
{
	char *r2 = xn_replace(strdup(r2_v2), " set peer 2001:db8::1\n",
			      " set peer 2001:db8::77\n");

	start(v2_common, r1_v2, r2, 71);
	free(r2);
	initiate_ok(0, "CM6", "10.1.1.5", "10.2.3.4");
	xn_run(&net, 3000);
	ck_assert_uint_eq(net.n[0].nup, 0);
	ck_assert_uint_eq(net.n[1].nup, 0);
	ck_assert_int_ge(xn_find(&net.n[1], 0, "no entry of crypto map CM6"), 0);
	xn_free(&net);
}
END_TEST

/* IKEv2 set peer failover over IPv6: IKE_SA_INIT to 2001:db8::3 gets no
 * answer, R2 is next (its key from a peer block covering both). */
START_TEST(v2_failover)
{
	char *r1 = xn_replace(strdup(r1_v2), " set peer 2001:db8::2\n",
			      " set peer 2001:db8::3\n set peer 2001:db8::2\n");
	struct ik_addr r2 = ip("2001:db8::2");

	r1 = xn_replace(r1, "  address 2001:db8::2/128\n", "  address 2001:db8::/64\n");
	start(v2_common, r1, r2_v2, 67);
	free(r1);
	initiate_ok(0, "CM6", "10.1.1.5", "10.2.3.4");
	xn_run(&net, 600000);
	if (net.n[0].nup != 1)
		xn_dump(&net.n[0]);
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(net.n[1].nup, 1);
	expect_pair(0);
	ck_assert(ik_addr_eq(&net.n[0].up[0].out.dst, &r2));
	XN_EXPECT_ORDER(&net.n[0], "Initiating IKEv2 for crypto map CM6 10 to 2001:DB8::3",
		     "%CRYPTO-6-PEER_FAILOVER: crypto map CM6 10: peer 2001:DB8::3 does not "
		     "answer, trying 2001:DB8::2",
		     "Initiating IKEv2 for crypto map CM6 10 to 2001:DB8::2");
	xn_free(&net);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("cmap6");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, config_forms);
	tcase_add_test(tc, select_by_family);
	tcase_add_test(tc, match_proxy_ipv6_peer);
	tcase_add_test(tc, traps_ipv6_outer);
	tcase_add_test(tc, show_ipv6_map);
	tcase_add_test(tc, check_findings);
	tcase_add_test(tc, v1_three_lines);
	tcase_add_test(tc, v1_dynamic_map);
	tcase_add_test(tc, v1_family_not_applied);
	tcase_add_test(tc, v1_failover);
	tcase_add_test(tc, v1_per_host);
	tcase_add_test(tc, v1_keyring_ipv6_key);
	tcase_add_test(tc, v2_two_lines);
	tcase_add_test(tc, v2_dynamic_map);
	tcase_add_test(tc, v2_failover);
	tcase_add_test(tc, v2_static_entry_needs_peer);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
