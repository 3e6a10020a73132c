/* The selection rules of spec/selection-rules.md with IPv6 peers: the K-rule
 * and P-rule examples rewritten in 2001:db8::/32, on snapshots loaded from
 * IOS text, with the trace lines compared exactly; the IPv6 configuration
 * syntax (errors with line and column, show running-config round trip); the
 * checker's IPv6 findings (K3.6, K4, tunnels over IPv6); the explainer
 * (test isakmp peer 2001:db8::2); and the IPv6 longest-prefix table against
 * a linear scan. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/show_conf.h"
#include "keyring/lpm6.h"
#include "keyring/resolver.h"
#include "profile/check.h"
#include "profile/profile.h"
#include "profile/snapshot.h"
#include "profile/v2_select.h"
#include "util/addr.h"
#include "util/secmem.h"
#include "util/strbuf.h"

static struct ik_log_capture cap;
static struct ik_log lg = { .debug_mask = IK_DBG_ISAKMP | IK_DBG_ISAKMP_DETAIL,
			    .sink = ik_log_capture_sink,
			    .ctx = &cap };
static struct ik_trace tr0 = { .log = &lg, .conn_id = 0 };

static void setup(void)
{
	ik_secmem_init();
	ik_log_capture_clear(&cap);
}

static void teardown(void)
{
	ik_log_capture_clear(&cap);
}

static struct ik_addr ip(const char *s)
{
	struct ik_addr a;

	ck_assert_int_eq(ik_addr_parse_any(s, &a), 0);
	return a;
}

static struct ik_config *load(const char *text)
{
	struct ik_conf_error err;
	struct ik_config *cfg = ik_snapshot_load_string(text, "test.conf", &err);

	ck_assert_msg(cfg != NULL, "%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
	return cfg;
}

/* Loading fails at line:col with a message containing msg. */
static void load_fails(const char *text, int line, int col, const char *msg)
{
	struct ik_conf_error err;
	struct ik_config *cfg = ik_snapshot_load_string(text, "test.conf", &err);

	ck_assert_msg(cfg == NULL, "loaded: %s", text);
	ck_assert_int_eq(err.line, line);
	ck_assert_int_eq(err.col, col);
	ck_assert_msg(strstr(err.msg, msg), "\"%s\" lacks \"%s\"", err.msg, msg);
}

static void expect_trace(const char *first, ...)
{
	va_list ap;
	size_t i = 0;

	va_start(ap, first);
	for (const char *l = first; l; l = va_arg(ap, const char *), i++) {
		ck_assert_msg(i < cap.n, "trace line %zu missing: expected \"%s\"", i, l);
		ck_assert_str_eq(cap.lines[i], l);
	}
	va_end(ap);
	ck_assert_msg(cap.n == i, "%zu trace lines, expected %zu (extra: \"%s\")", cap.n, i,
		      cap.n > i ? cap.lines[i] : "");
	ik_log_capture_clear(&cap);
}

static const char *ring_of(const struct ik_key *k)
{
	return k ? k->ring->name : "(none)";
}

static const struct ik_key *resp(const struct ik_config *cfg, const char *fvrf, const char *peer,
				 const struct ik_trace *tr)
{
	struct ik_addr p = ip(peer);

	return ik_resolve_responder_ip(cfg->resolver, fvrf, NULL, &p, tr);
}

/* K2 in IPv6: no profile; a /48 in keyring1 and a /128 in keyring2: the
 * most specific wins, with IOS's sequence of lines. */
START_TEST(v6_k2_initiator_most_specific)
{
	struct ik_config *cfg = load("crypto keyring keyring1\n"
				     "  pre-shared-key address ipv6 2001:db8:0:1::/64 key c1\n"
				     "crypto keyring keyring2\n"
				     "  pre-shared-key address ipv6 2001:db8:0:1::2/128 key c2\n");
	struct ik_addr peer = ip("2001:db8:0:1::2"), other = ip("2001:db8:0:1::7");
	const struct ik_key *k;

	k = ik_resolve_initiator_ip(cfg->resolver, NULL, NULL, NULL, &peer, &tr0);
	ck_assert_str_eq(ring_of(k), "keyring2");
	expect_trace("ISAKMP:(0):key for 2001:DB8:0:1::2 not available in default",
		     "ISAKMP:(0):key for 2001:DB8:0:1::2 found in keyring1",
		     "ISAKMP:(0):ISAKMP: Selecting 2001:DB8:0:1::/64 as key",
		     "ISAKMP:(0):key for 2001:DB8:0:1::2 found in keyring2",
		     "ISAKMP:(0):ISAKMP: Selecting 2001:DB8:0:1::2/128 as final key",
		     "ISAKMP:(0):found peer pre-shared key matching 2001:DB8:0:1::2", NULL);
	k = ik_resolve_initiator_ip(cfg->resolver, NULL, NULL, NULL, &other, &tr0);
	ck_assert_str_eq(ring_of(k), "keyring1");
	expect_trace("ISAKMP:(0):key for 2001:DB8:0:1::7 not available in default",
		     "ISAKMP:(0):key for 2001:DB8:0:1::7 found in keyring1",
		     "ISAKMP:(0):ISAKMP: Selecting 2001:DB8:0:1::/64 as final key",
		     "ISAKMP:(0):found peer pre-shared key matching 2001:DB8:0:1::7", NULL);
	ik_config_unref(cfg);
}
END_TEST

/* K1 in IPv6: with a profile, only its keyrings, even when another keyring
 * holds a more specific key. */
START_TEST(v6_k1_profile_keyrings_only)
{
	struct ik_config *cfg = load("crypto keyring keyring1\n"
				     "  pre-shared-key address ipv6 2001:db8::2/128 key c1\n"
				     "crypto keyring keyring2\n"
				     "  pre-shared-key address ipv6 2001:db8::/32 key c2\n"
				     "crypto isakmp profile profile2\n"
				     "   keyring keyring2\n"
				     "   match identity address ipv6 2001:db8::2/128\n");
	const struct ik_isakmp_profile *p = ik_config_find_profile(cfg, "profile2");
	struct ik_addr peer = ip("2001:db8::2");
	const struct ik_key *k;

	k = ik_resolve_initiator_ip(cfg->resolver, p, NULL, NULL, &peer, &tr0);
	ck_assert_str_eq(ring_of(k), "keyring2");
	expect_trace("ISAKMP:(0):Found ADDRESS key in keyring keyring2", NULL);
	ik_config_unref(cfg);
}
END_TEST

/* K3.1, K3.5: the responder considers address keys only (a hostname key
 * never), and the longest prefix over all keyrings whatever their order. */
START_TEST(v6_k3_responder_longest_prefix)
{
	struct ik_config *cfg = load("crypto keyring keyring2\n"
				     "  pre-shared-key address ipv6 2001:db8::2/128 key c2\n"
				     "  pre-shared-key hostname peer.example key h\n"
				     "crypto keyring keyring1\n"
				     "  pre-shared-key address ipv6 2001:db8::/32 key c1\n");

	ck_assert_str_eq(ring_of(resp(cfg, NULL, "2001:db8::2", &tr0)), "keyring2");
	expect_trace("ISAKMP:(0):key for 2001:DB8::2 not available in default",
		     "ISAKMP:(0):key for 2001:DB8::2 found in keyring2",
		     "ISAKMP:(0):ISAKMP: Selecting 2001:DB8::2/128 as final key",
		     "ISAKMP:(0):key for 2001:DB8::2 found in keyring1",
		     "ISAKMP:(0):found peer pre-shared key matching 2001:DB8::2", NULL);
	ck_assert_str_eq(ring_of(resp(cfg, NULL, "2001:db8:ffff::9", NULL)), "keyring1");
	ck_assert_ptr_null(resp(cfg, NULL, "2001:db9::2", &tr0));
	expect_trace("ISAKMP:(0):key for 2001:DB9::2 not available in default",
		     "ISAKMP:(0):No pre-shared key with 2001:DB9::2!", NULL);
	ik_config_unref(cfg);
}
END_TEST

/* K3.6 in IPv6: the same prefix in two keyrings: the first configured wins,
 * with ikerd's own line. */
START_TEST(v6_k3_6_tie_first_wins)
{
	struct ik_config *cfg = load("crypto keyring keyring1\n"
				     "  pre-shared-key address ipv6 2001:db8::2/128 key cisco\n"
				     "crypto keyring keyring2\n"
				     "  pre-shared-key address ipv6 2001:db8::2/128 key cisco\n");

	ck_assert_str_eq(ring_of(resp(cfg, NULL, "2001:db8::2", &tr0)), "keyring1");
	expect_trace("ISAKMP:(0):key for 2001:DB8::2 not available in default",
		     "ISAKMP:(0):key for 2001:DB8::2 found in keyring1",
		     "ISAKMP:(0):ISAKMP: Selecting 2001:DB8::2/128 as final key",
		     "ISAKMP:(0):key for 2001:DB8::2 found in keyring2",
		     "ikerd:(0): K3.6: 2001:DB8::2/128 is configured in keyring keyring1 and in "
		     "keyring keyring2; keeping the first configured, keyring1 (IOS calls this "
		     "unpredictable, use one keyring per address)",
		     "ISAKMP:(0):found peer pre-shared key matching 2001:DB8::2", NULL);
	ik_config_unref(cfg);
}
END_TEST

/* K3.3, K4 in IPv6: a global crypto isakmp key for ::/0 is searched first
 * and shadows a keyring's /128, even when written last; the fVRF keyrings
 * are not shadowed. */
START_TEST(v6_k4_default_keyring_first)
{
	struct ik_config *cfg = load("crypto keyring keyring1\n"
				     "  pre-shared-key address ipv6 2001:db8::2/128 key c1\n"
				     "crypto keyring red vrf RED\n"
				     "  pre-shared-key address ipv6 2001:db8::2/128 key r1\n"
				     "crypto isakmp key global address ipv6 ::/0\n");
	const struct ik_key *k = resp(cfg, NULL, "2001:db8::2", &tr0);

	ck_assert_str_eq(ring_of(k), "default");
	ck_assert_int_eq(ik_key_plen(k), 0);
	expect_trace("ISAKMP:(0):key for 2001:DB8::2 found in default",
		     "ISAKMP:(0):ISAKMP: Selecting ::/0 as final key",
		     "ISAKMP:(0):found peer pre-shared key matching 2001:DB8::2", NULL);
	ck_assert_str_eq(ring_of(resp(cfg, "RED", "2001:db8::2", NULL)), "red");
	ik_config_unref(cfg);
}
END_TEST

/* IPv4 and IPv6 keys never answer for each other: 0.0.0.0 0.0.0.0 is not
 * ::/0, and an IPv4-mapped address is not its IPv4 address. */
START_TEST(v6_families_apart)
{
	struct ik_config *cfg = load("crypto keyring v4\n"
				     "  pre-shared-key address 0.0.0.0 0.0.0.0 key any4\n"
				     "crypto keyring v6\n"
				     "  pre-shared-key address ipv6 2001:db8::/32 key net6\n");

	ck_assert_str_eq(ring_of(resp(cfg, NULL, "2001:db8::2", NULL)), "v6");
	ck_assert_ptr_null(resp(cfg, NULL, "::ffff:192.0.2.1", NULL));
	ck_assert_str_eq(ring_of(resp(cfg, NULL, "192.0.2.1", NULL)), "v4");
	ik_config_unref(cfg);
	cfg = load("crypto keyring v6\n"
		   "  pre-shared-key address ipv6 ::/0 key all6\n");
	ck_assert_ptr_null(ik_resolve_responder(cfg->resolver, NULL, 0, 0x20010db8u, NULL));
	ck_assert_str_eq(ring_of(resp(cfg, NULL, "2001:db8::2", NULL)), "v6");
	ik_config_unref(cfg);
}
END_TEST

/* local-address with an IPv6 address binds a keyring to exchanges on that
 * address only (and never to IPv4 ones). */
START_TEST(v6_local_address_binding)
{
	struct ik_config *cfg = load("interface Ethernet1\n"
				     " ipv6 address 2001:db8:1::1/64\n"
				     "crypto keyring out1\n"
				     "  local-address Ethernet1\n"
				     "  pre-shared-key address ipv6 2001:db8::/32 key e1\n"
				     "crypto keyring out2\n"
				     "  local-address 2001:db8:2::1\n"
				     "  pre-shared-key address ipv6 2001:db8::/32 key e2\n"
				     "crypto keyring any\n"
				     "  pre-shared-key address ipv6 2001:db8::/16 key a\n");
	struct ik_addr p = ip("2001:db8::2"), l1 = ip("2001:db8:1::1"), l2 = ip("2001:db8:2::1");
	struct ik_addr l4 = ip("192.0.2.1");
	const struct ik_isakmp_profile *none = NULL;

	ck_assert_str_eq(ring_of(ik_resolve_responder_ip(cfg->resolver, NULL, &l1, &p, NULL)),
			 "out1");
	ck_assert_str_eq(ring_of(ik_resolve_responder_ip(cfg->resolver, NULL, &l2, &p, NULL)),
			 "out2");
	ck_assert_str_eq(ring_of(ik_resolve_responder_ip(cfg->resolver, NULL, NULL, &p, NULL)),
			 "any");
	ck_assert_str_eq(ring_of(ik_resolve_responder_ip(cfg->resolver, NULL, &l4, &p, NULL)),
			 "any");
	ck_assert_str_eq(ring_of(ik_resolve_initiator_ip(cfg->resolver, none, NULL, &l2, &p,
							 NULL)), "out2");
	ik_config_unref(cfg);
}
END_TEST

/* P1, P2 and P3 with IPv6 identities: the most specific match wins whatever
 * the order; the seed's failing direction (K3.6 then P2) in IPv6. */
START_TEST(v6_p_rules_seed)
{
	static const char r1[] =
		"crypto keyring keyring1\n"
		"  pre-shared-key address ipv6 2001:db8::2/128 key cisco\n"
		"crypto keyring keyring2\n"
		"  pre-shared-key address ipv6 2001:db8::2/128 key cisco\n"
		"crypto isakmp profile profile1\n"
		"   keyring keyring1\n"
		"   match identity address ipv6 2001:db8::/32\n"
		"crypto isakmp profile profile2\n"
		"   keyring keyring2\n"
		"   match identity address ipv6 2001:db8::2/128\n"
		"crypto ipsec transform-set ts esp-aes esp-sha-hmac\n"
		"crypto ipsec profile ipsec1\n"
		" set transform-set ts\n";
	struct ik_config *cfg = load(r1);
	struct ik_peer_id id = { .type = IK_PEER_ID_IPV6 };
	struct ik_addr peer = ip("2001:db8::2"), other = ip("2001:db8::99");
	const struct ik_isakmp_profile *p;
	const struct ik_key *k;

	memcpy(id.addr6, peer.v6, 16);
	/* R2 initiates toward R1: R1 picks keyring1 at MM3 (K3.6) ... */
	k = resp(cfg, NULL, "2001:db8::2", NULL);
	ck_assert_str_eq(ring_of(k), "keyring1");
	/* ... R2's identity matches profile2 (the /128 beats the /32, P1) ... */
	p = ik_profile_match_responder_ip(cfg, NULL, NULL, &id, &tr0);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->name, "profile2");
	expect_trace("ISAKMP:(0):: peer matches profile2 profile", NULL);
	/* ... whose keyrings do not hold the key picked at MM3 (P2) */
	ck_assert(!ik_profile_check_responder_ip(cfg, p, k, NULL, NULL, &peer, &tr0));
	expect_trace("ISAKMP:(0):Found ADDRESS key in keyring keyring2",
		     "ISAKMP:(0): Key not found in keyrings of profile , aborting exchange", NULL);
	/* another host of the /32 matches profile1, whose keyring is keyring1 */
	memcpy(id.addr6, other.v6, 16);
	p = ik_profile_match_responder_ip(cfg, NULL, NULL, &id, NULL);
	ck_assert_str_eq(p->name, "profile1");
	/* an IPv4 identity matches no IPv6 line */
	id.type = IK_PEER_ID_IPV4;
	id.addr = 0x20010db8u;
	ck_assert_ptr_null(ik_profile_match_responder_ip(cfg, NULL, NULL, &id, &tr0));
	expect_trace("ISAKMP:(0):: peer matches *none* of the profiles", NULL);
	/* P3: without set isakmp-profile, the most specific profile by address */
	p = ik_profile_for_initiator_ip(cfg, ik_config_find_ipsec_profile(cfg, "ipsec1"), NULL,
					NULL, &peer, &tr0);
	ck_assert_str_eq(p->name, "profile2");
	expect_trace("ISAKMP:(0): SA request profile is profile2", NULL);
	ik_config_unref(cfg);
}
END_TEST

/* The explainer (ikerctl test isakmp peer 2001:db8::2) over the seed. */
START_TEST(v6_explain_seed)
{
	struct ik_config *cfg = load("crypto keyring keyring1\n"
				     "  pre-shared-key address ipv6 2001:db8::2/128 key cisco\n"
				     "crypto keyring keyring2\n"
				     "  pre-shared-key address ipv6 2001:db8::2/128 key cisco\n"
				     "crypto isakmp profile profile2\n"
				     "   keyring keyring2\n"
				     "   match identity address ipv6 2001:db8::2/128\n");
	struct ik_addr peer = ip("2001:db8::2"), none = ip("0.0.0.0");
	struct ik_sb out;

	ik_sb_init(&out);
	ck_assert_int_eq(ik_explain_responder_ip(cfg, NULL, &none, &peer, NULL, &out, false), 1);
	ck_assert_msg(strstr(ik_sb_str(&out),
			     "Responder decision for peer 2001:DB8::2, fVRF global, identity "
			     "ID_IPV6_ADDR 2001:DB8::2\n"), "%s", ik_sb_str(&out));
	ck_assert_msg(strstr(ik_sb_str(&out), "ISAKMP:(0):: peer matches profile2 profile\n"
			     "ISAKMP:(0):Found ADDRESS key in keyring keyring2\n"
			     "ISAKMP:(0): Key not found in keyrings of profile , aborting "
			     "exchange\n"
			     "ISAKMP (0): FSM action returned error: 2\n"
			     "Verdict: phase 1 would fail at MM5"), "%s", ik_sb_str(&out));
	ik_sb_free(&out);
	ik_sb_init(&out);
	ik_explain_responder_ip(cfg, NULL, &none, &peer, NULL, &out, true);
	ck_assert_msg(strstr(ik_sb_str(&out), "\"peer\": \"2001:DB8::2\""), "%s",
		      ik_sb_str(&out));
	ik_sb_free(&out);
	ik_config_unref(cfg);
}
END_TEST

/* The syntax: every IPv6 form parses and prints back as IOS writes it, and
 * the print parses to the same print. */
START_TEST(v6_config_round_trip)
{
	static const char text[] =
		"crypto keyring kr\n"
		"  local-address 2001:db8:1::1\n"
		"  pre-shared-key address ipv6 2001:DB8::/32 key k1\n"
		"  pre-shared-key address ipv6 2001:db8::2 key k2\n"
		"crypto isakmp key gk address ipv6 2001:db8:ff::/48\n"
		"crypto isakmp profile p\n"
		"   keyring kr\n"
		"   match identity address ipv6 2001:db8::2/128\n"
		"   local-address 2001:db8:1::1\n"
		"crypto ikev2 keyring k2\n"
		" peer a\n"
		"  address ipv6 2001:db8::/32\n"
		"  identity address 2001:db8::2\n"
		"  pre-shared-key x\n"
		" peer b\n"
		"  address 2001:db8:5::5/128\n"
		"  pre-shared-key y\n"
		"crypto ikev2 profile v2\n"
		" match identity remote address ipv6 2001:db8::/32\n"
		" match identity remote address 2001:db8:7::/48\n"
		"interface Ethernet0\n"
		" ipv6 address 2001:db8:1::1/64\n"
		" ipv6 address FE80::1 link-local\n"
		"interface Tunnel1\n"
		" ipv6 address 2001:db8:100::1/64\n"
		" tunnel source Ethernet0\n"
		" tunnel destination 2001:db8:2::1\n"
		" tunnel mode gre ipv6\n"
		"interface Tunnel2\n"
		" tunnel source 2001:db8:1::1\n"
		" tunnel destination 2001:db8:2::1\n"
		" tunnel mode ipsec ipv6\n"
		"ipv6 route 2001:db8:200::/48 Tunnel1\n"
		"ipv6 route 2001:db8:300::/48 Tunnel1 2001:db8:100::2\n"
		"ipv6 route vrf RED ::/0 2001:db8:1::fe\n";
	struct ik_config *cfg = load(text), *again;
	struct ik_sb a, b;
	const char *want[] = {
		"  local-address 2001:DB8:1::1\n",
		"  pre-shared-key address ipv6 2001:DB8::/32 key k1\n",
		"  pre-shared-key address ipv6 2001:DB8::2/128 key k2\n",
		"crypto isakmp key gk address ipv6 2001:DB8:FF::/48\n",
		"   match identity address ipv6 2001:DB8::2/128\n",
		"   local-address 2001:DB8:1::1\n",
		"  address 2001:DB8::/32\n",
		"  identity address 2001:DB8::2\n",
		"  address 2001:DB8:5::5/128\n",
		" match identity remote address 2001:DB8::/32\n",
		" match identity remote address 2001:DB8:7::/48\n",
		" ipv6 address 2001:DB8:1::1/64\n",
		" ipv6 address 2001:DB8:100::1/64\n",
		" tunnel source Ethernet0\n tunnel destination 2001:DB8:2::1\n"
		" tunnel mode gre ipv6\n",
		" tunnel source 2001:DB8:1::1\n tunnel destination 2001:DB8:2::1\n"
		" tunnel mode ipsec ipv6\n",
		"ipv6 route 2001:DB8:200::/48 Tunnel1\n",
		"ipv6 route 2001:DB8:300::/48 Tunnel1 2001:DB8:100::2\n",
		"ipv6 route vrf RED ::/0 2001:DB8:1::FE\n",
	};
	const struct ik_interface *t1 = ik_config_find_iface(cfg, "Tunnel1");

	ck_assert(t1->tunnel_source_v6 && t1->tunnel_source_resolved);
	ck_assert_int_eq(t1->tunnel_source, 0);
	ck_assert_int_eq(t1->tunnel_dest, 0);
	ck_assert(t1->tunnel_mode == IK_TUN_GRE_IPV6);
	ik_sb_init(&a);
	ik_sb_init(&b);
	ik_config_print(cfg, &a);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(strstr(ik_sb_str(&a), want[i]), "missing \"%s\" in\n%s", want[i],
			      ik_sb_str(&a));
	ck_assert(!strstr(ik_sb_str(&a), "FE80"));
	again = load(ik_sb_str(&a));
	ik_config_print(again, &b);
	ck_assert_str_eq(ik_sb_str(&a), ik_sb_str(&b));
	ik_sb_free(&a);
	ik_sb_free(&b);
	ik_config_unref(again);
	ik_config_unref(cfg);
}
END_TEST

/* Bad IPv6 input: the error names the line and the column of the word. */
START_TEST(v6_config_errors)
{
	load_fails("crypto keyring k\n  pre-shared-key address ipv6 2001:db8::/129 key x\n",
		   2, 31, "not a valid IPv6 prefix");
	load_fails("crypto isakmp key x address ipv6 2001:db8:::1/64\n", 1, 34,
		   "not a valid IPv6 prefix");
	load_fails("crypto keyring k\n  pre-shared-key address ipv6 192.0.2.1/32 key x\n",
		   2, 31, "not a valid IPv6 prefix");
	load_fails("interface Tunnel1\n tunnel destination 2001:db8::zz\n", 2, 21,
		   "not a valid IPv6 address");
	load_fails("interface Tunnel1\n tunnel destination 2001:db8::2\n", 1, 1,
		   "tunnel destination is IPv6 but tunnel mode gre ip");
	load_fails("interface Tunnel1\n tunnel mode ipsec ipv6\n tunnel destination 192.0.2.2\n",
		   1, 1, "tunnel destination is IPv4 but tunnel mode ipsec ipv6");
	load_fails("interface Tunnel1\n tunnel source ::\n", 2, 16,
		   "tunnel source :: is not valid");
	load_fails("ipv6 route 2001:db8::1/32 Tunnel1\n", 1, 12, "inconsistent prefix");
	load_fails("interface Tunnel1\n tunnel mode gre ipx\n", 2, 14, "not supported");
}
END_TEST

/* ikerd -t over IPv6 keys: K3.6 and K4 findings; a tunnel over IPv6 is fine
 * (IKE over IPv6), but an ipv6 address on a VTI over IPv4 is an error (it
 * carries IPv4 only, as IOS's tunnel mode ipsec ipv4); without IPv6 in the
 * engine, the tunnel over IPv6 would be the error. */
START_TEST(v6_checker_findings)
{
	struct ik_config *cfg = load("crypto keyring kr1\n"
				     "  pre-shared-key address ipv6 2001:db8::2/128 key a\n"
				     "crypto keyring kr2\n"
				     "  pre-shared-key address ipv6 2001:db8::2/128 key b\n"
				     "crypto isakmp key g address ipv6 2001:db8::/32\n"
				     "crypto ipsec transform-set ts esp-aes esp-sha-hmac\n"
				     "crypto ipsec profile ip\n"
				     " set transform-set ts\n"
				     "interface Tunnel1\n"
				     " tunnel source 2001:db8:1::1\n"
				     " tunnel destination 2001:db8::2\n"
				     " tunnel mode ipsec ipv6\n"
				     " tunnel protection ipsec profile ip\n"
				     "interface Tunnel2\n"
				     " ip address 192.0.2.1 255.255.255.252\n"
				     " ipv6 address 2001:db8:ff::1/64\n"
				     " tunnel source 198.51.100.1\n"
				     " tunnel destination 198.51.100.2\n"
				     " tunnel mode ipsec ipv4\n"
				     " tunnel protection ipsec profile ip\n");
	struct ik_check_env env = IK_CHECK_ENV_ENGINE;
	struct ik_check_counts n = { 0 };
	struct ik_sb out;
	const char *s;

	ik_sb_init(&out);
	ik_check_config_env(cfg, &env, &out, false, &n);
	s = ik_sb_str(&out);
	ck_assert_msg(strstr(s, "warning: K3.6: 2001:DB8::2/128 is configured in keyring kr1 "
			     "and in keyring kr2"), "%s", s);
	ck_assert_msg(strstr(s, "warning: K4: the global key for 2001:DB8::/32"), "%s", s);
	ck_assert(env.ipv6);
	ck_assert_msg(!strstr(s, "Tunnel1 runs over IPv6"), "%s", s);
	ck_assert_msg(strstr(s, "error: IPv6: Tunnel2 carries IPv6 (ipv6 address) in a VTI over "
			     "IPv4"), "%s", s);
	ik_sb_free(&out);
	/* an engine without IPv6: the tunnel over IPv6 never comes up */
	env.ipv6 = false;
	ik_sb_init(&out);
	ik_check_config_env(cfg, &env, &out, false, &n);
	s = ik_sb_str(&out);
	ck_assert_msg(strstr(s, "error: IPv6: Tunnel1 runs over IPv6"), "%s", s);
	ik_sb_free(&out);
	ik_config_unref(cfg);
}
END_TEST

/* K1 for a tunnel over IPv6: no address ipv6 key for its destination is an
 * error naming the IPv6 key to add; with the key, the finding goes. */
START_TEST(v6_checker_k1_tunnel)
{
	static const char tun[] = "crypto ipsec transform-set ts esp-aes esp-sha-hmac\n"
				  "crypto ipsec profile ip\n"
				  " set transform-set ts\n"
				  "interface Tunnel1\n"
				  " tunnel source 2001:db8::1\n"
				  " tunnel mode gre ipv6\n"
				  " tunnel destination 2001:db8::2\n"
				  " tunnel protection ipsec profile ip\n";
	struct ik_check_env env = IK_CHECK_ENV_ENGINE;

	for (int with_key = 0; with_key < 2; with_key++) {
		char text[1024];
		struct ik_config *cfg;
		struct ik_check_counts n = { 0 };
		struct ik_sb out;
		const char *s;

		snprintf(text, sizeof(text), "%s%s", with_key ?
			 "crypto isakmp key k address ipv6 2001:db8::2/128\n" : "", tun);
		cfg = load(text);
		ik_sb_init(&out);
		ik_check_config_env(cfg, &env, &out, false, &n);
		s = ik_sb_str(&out);
		if (with_key)
			ck_assert_msg(!strstr(s, "K1"), "%s", s);
		else
			ck_assert_msg(strstr(s, "error: K1: Tunnel1 initiates toward 2001:DB8::2 "
					     "without a profile") &&
				      strstr(s, "fix: add pre-shared-key address ipv6 "
					     "2001:DB8::2/128 to a keyring of fVRF global"),
				      "%s", s);
		ik_sb_free(&out);
		ik_config_unref(cfg);
	}
}
END_TEST

/* P4 for a tunnel over IPv6: its IPsec profile is bound to prof2, but its
 * destination selects prof1 (the longer prefix) as responder: an error
 * naming the match and the IPv6 fix; with prof2 matching the /128, none. */
START_TEST(v6_checker_p4_tunnel)
{
	static const char base[] = "crypto keyring kr\n"
				   "  pre-shared-key address ipv6 2001:db8::2/128 key k\n"
				   "crypto isakmp profile prof1\n"
				   "   keyring kr\n"
				   "   match identity address ipv6 2001:db8::/64\n"
				   "crypto isakmp profile prof2\n"
				   "   keyring kr\n"
				   "   match identity address ipv6 2001:db8::/48\n"
				   "%s"
				   "crypto ipsec transform-set ts esp-aes esp-sha-hmac\n"
				   "crypto ipsec profile ip\n"
				   " set transform-set ts\n"
				   " set isakmp-profile prof2\n"
				   "interface Tunnel1\n"
				   " tunnel source 2001:db8:1::1\n"
				   " tunnel destination 2001:db8::2\n"
				   " tunnel mode gre ipv6\n"
				   " tunnel protection ipsec profile ip\n";
	static const char *const want[] = {
		"error: P4: Tunnel1's IPsec profile ip is bound to ISAKMP profile prof2, but "
		"peer 2001:DB8::2 (its tunnel destination) selects profile prof1 as responder "
		"(P1)",
		"test.conf:5: profile prof1: match identity address ipv6 2001:DB8::/64",
		"fix: make profile prof2 the most specific match for 2001:DB8::2 (match "
		"identity address ipv6 2001:DB8::2/128)",
	};
	struct ik_check_env env = IK_CHECK_ENV_ENGINE;

	for (int fixed = 0; fixed < 2; fixed++) {
		char text[2048];
		struct ik_config *cfg;
		struct ik_check_counts n = { 0 };
		struct ik_sb out;
		const char *s;

		snprintf(text, sizeof(text), base, fixed ?
			 "   match identity address ipv6 2001:db8::2/128\n" : "");
		cfg = load(text);
		ik_sb_init(&out);
		ik_check_config_env(cfg, &env, &out, false, &n);
		s = ik_sb_str(&out);
		if (fixed)
			ck_assert_msg(!strstr(s, "P4"), "%s", s);
		for (size_t k = 0; !fixed && k < sizeof(want) / sizeof(want[0]); k++)
			ck_assert_msg(strstr(s, want[k]), "no \"%s\" in\n%s", want[k], s);
		ik_sb_free(&out);
		ik_config_unref(cfg);
	}
}
END_TEST

/* P2 for the peer of a tunnel over IPv6 whose identity is a host name: the
 * tunnel's profile matches only `host r2.example`, so the peer connects from
 * 2001:db8::2 presenting that name; the key picked at MM3 for 2001:db8::2 is
 * keyring1's, which the profile does not list: an error; P4 notes that the
 * identity depends on the peer. */
START_TEST(v6_checker_p2_tunnel_source)
{
	struct ik_config *cfg = load("crypto keyring keyring1\n"
				     "  pre-shared-key address ipv6 2001:db8::2/128 key a\n"
				     "crypto keyring keyring2\n"
				     "  pre-shared-key address ipv6 2001:db8:9::/48 key b\n"
				     "crypto isakmp profile prof\n"
				     "   keyring keyring2\n"
				     "   match identity host r2.example\n"
				     "crypto ipsec transform-set ts esp-aes esp-sha-hmac\n"
				     "crypto ipsec profile ip\n"
				     " set transform-set ts\n"
				     " set isakmp-profile prof\n"
				     "interface Tunnel1\n"
				     " tunnel source 2001:db8:1::1\n"
				     " tunnel destination 2001:db8::2\n"
				     " tunnel mode gre ipv6\n"
				     " tunnel protection ipsec profile ip\n");
	struct ik_check_env env = IK_CHECK_ENV_ENGINE;
	struct ik_check_counts n = { 0 };
	struct ik_sb out;
	const char *s;

	ik_sb_init(&out);
	ik_check_config_env(cfg, &env, &out, false, &n);
	s = ik_sb_str(&out);
	ck_assert_msg(strstr(s, "test.conf:12: error: P2: profile prof matches 2001:DB8::2 "
			     "presenting identity host r2.example, but the key this router "
			     "picks for it at MM3 is 2001:DB8::2/128 from keyring keyring1, "
			     "which profile prof does not list (P2)"), "%s", s);
	ck_assert_msg(strstr(s, "note: P4: Tunnel1's peer 2001:DB8::2 is not matched by its "
			     "own address; profile prof expects it to present another "
			     "identity (host r2.example)"), "%s", s);
	ik_sb_free(&out);
	ik_config_unref(cfg);
}
END_TEST

/* show crypto isakmp key and show crypto isakmp profile print IPv6 keys and
 * identities as IOS does (upper case, P/L), in text and JSON. */
START_TEST(v6_show_key_and_profile)
{
	struct ik_config *cfg = load("crypto keyring kr1\n"
				     "  pre-shared-key address ipv6 2001:db8::/32 key net\n"
				     "  pre-shared-key address 192.0.2.2 key four\n"
				     "crypto isakmp key glob address ipv6 2001:db8:1::2/128\n"
				     "crypto isakmp profile p1\n"
				     "   keyring kr1\n"
				     "   match identity address ipv6 2001:db8::/32\n");
	struct ik_sb out;

	ik_sb_init(&out);
	ik_show_isakmp_key(cfg, false, &out);
	ck_assert_str_eq(ik_sb_str(&out),
			 "Keyring      Hostname/Address          Preshared Key\n\n"
			 "default     2001:DB8:1::2/128              glob\n"
			 "kr1         2001:DB8::/32                  net\n"
			 "kr1         192.0.2.2                      four\n");
	ik_sb_free(&out);
	ik_sb_init(&out);
	ik_show_isakmp_key(cfg, true, &out);
	ck_assert_msg(strstr(ik_sb_str(&out), "\"address\":\"2001:DB8::\",\"prefix_length\":32"),
		      "%s", ik_sb_str(&out));
	ik_sb_free(&out);
	ik_sb_init(&out);
	ik_show_isakmp_profile(cfg, false, &out);
	ck_assert_msg(strstr(ik_sb_str(&out), "   Identities matched are:\n"
			     "    ipv6-address 2001:DB8::/32\n"), "%s", ik_sb_str(&out));
	ik_sb_free(&out);
	ik_sb_init(&out);
	ik_show_isakmp_profile(cfg, true, &out);
	ck_assert_msg(strstr(ik_sb_str(&out), "{\"type\":\"ipv6-address\",\"address\":"
			     "\"2001:DB8::\",\"prefix_length\":32"), "%s", ik_sb_str(&out));
	ik_sb_free(&out);
	ik_config_unref(cfg);
}
END_TEST

/* IKEv2 keyring peers with IPv6 addresses: longest prefix, never mixed with
 * IPv4 peer blocks (V2-2). */
START_TEST(v6_ikev2_keyring_peers)
{
	struct ik_config *cfg = load("crypto ikev2 keyring kr\n"
				     " peer net\n"
				     "  address ipv6 2001:db8::/32\n"
				     "  pre-shared-key net6\n"
				     " peer host\n"
				     "  address 2001:db8::2/128\n"
				     "  pre-shared-key host6\n"
				     " peer four\n"
				     "  address 0.0.0.0 0.0.0.0\n"
				     "  pre-shared-key four\n"
				     "crypto ikev2 profile pr\n"
				     " match identity remote address ipv6 2001:db8::/32\n"
				     " authentication remote pre-share\n"
				     " authentication local pre-share\n"
				     " keyring local kr\n");
	const struct ik_ikev2_profile *p = cfg->v2_profiles[0];
	struct ik_addr h = ip("2001:db8::2"), n = ip("2001:db8::3"), o = ip("2001:db9::1");
	struct ik_addr f = ip("192.0.2.9");
	struct ik_v2_psk k;

	ck_assert_int_eq(ik_v2_key_initiator_ip(cfg, p, &h, NULL, &k, NULL), 0);
	ck_assert_str_eq(k.peer->name, "host");
	ck_assert_int_eq(ik_v2_key_responder_ip(cfg, p, NULL, &n, &k, NULL), 0);
	ck_assert_str_eq(k.peer->name, "net");
	ck_assert_int_eq(ik_v2_key_initiator_ip(cfg, p, &o, NULL, &k, NULL), -1);
	ck_assert_int_eq(ik_v2_key_initiator_ip(cfg, p, &f, NULL, &k, NULL), 0);
	ck_assert_str_eq(k.peer->name, "four");
	ik_config_unref(cfg);
}
END_TEST

/* L1 over IPv6: the seed's R1 in 2001:db8::/32: ikerd -t predicts that
 * R2's initiation fails at MM5 (K3.6 then P2), and a match with no key at
 * all fails at MM3 (K3). */
START_TEST(v6_checker_seed_p2)
{
	struct ik_config *cfg = load("crypto keyring keyring1\n"
				     "  pre-shared-key address ipv6 2001:db8::2/128 key cisco\n"
				     "crypto keyring keyring2\n"
				     "  pre-shared-key address ipv6 2001:db8::2/128 key cisco\n"
				     "crypto isakmp profile profile1\n"
				     "   keyring keyring1\n"
				     "   match identity address ipv6 2001:db8::102/128\n"
				     "crypto isakmp profile profile2\n"
				     "   keyring keyring2\n"
				     "   match identity address ipv6 2001:db8::2/128\n");
	struct ik_check_env env = IK_CHECK_ENV_ENGINE;
	struct ik_check_counts n = { 0 };
	struct ik_sb out;
	const char *s;

	ik_sb_init(&out);
	ik_check_config_env(cfg, &env, &out, false, &n);
	s = ik_sb_str(&out);
	ck_assert_msg(strstr(s, "test.conf:10: error: P2: profile profile2 matches 2001:DB8::2, "
			     "but the key this router picks for it at MM3 is 2001:DB8::2/128 "
			     "from keyring keyring1, which profile profile2 does not list (P2)"),
		      "%s", s);
	ck_assert_msg(strstr(s, "warning: K3: profile profile1 matches 2001:DB8::102 but no "
			     "keyring"), "%s", s);
	ck_assert_int_eq(n.errors, 1);
	ik_sb_free(&out);
	ik_config_unref(cfg);
}
END_TEST

/* The IPv6 table agrees with a linear scan over random prefixes. */
START_TEST(v6_lpm6_against_scan)
{
	enum { N = 400, Q = 4000 };
	struct ik_lpm6_ent *ents = calloc(N, sizeof(*ents)), *copy = calloc(N, sizeof(*copy));
	static const int lens[] = { 0, 16, 32, 33, 48, 63, 64, 100, 127, 128 };
	uint32_t seed = 12345;
	struct ik_lpm6 *t;

#define RND() (seed = seed * 1103515245u + 12345u, seed >> 8)
	for (int i = 0; i < N; i++) {
		ents[i].addr[0] = 0x20;
		ents[i].addr[1] = 0x01;
		ents[i].addr[2] = 0x0d;
		ents[i].addr[3] = 0xb8;
		for (int b = 4; b < 16; b++)
			ents[i].addr[b] = (uint8_t)(RND() % 4);
		ents[i].plen = (uint32_t)lens[RND() % 10];
		ents[i].rank = (uint32_t)i;
		ents[i].val = &ents[i];
		ik_addr6_mask(ents[i].addr, (int)ents[i].plen);
	}
	memcpy(copy, ents, N * sizeof(*ents));
	t = ik_lpm6_build(copy, N);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(ik_lpm6_count(t), N);
	for (int q = 0; q < Q; q++) {
		uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8 };
		const struct ik_lpm6_ent *best = NULL;

		for (int b = 4; b < 16; b++)
			a[b] = (uint8_t)(RND() % 4);
		if (q % 7 == 0)
			a[0] = 0x30;
		for (int i = 0; i < N; i++)
			if (ik_addr6_in(a, ents[i].addr, (int)ents[i].plen) &&
			    (!best || ents[i].plen > best->plen))
				best = &ents[i];
		ck_assert_ptr_eq(ik_lpm6_lookup(t, a), best ? best->val : NULL);
	}
#undef RND
	ik_lpm6_free(t);
	free(copy);
	free(ents);
}
END_TEST

static Suite *v6_suite(void)
{
	Suite *s = suite_create("select-v6");
	TCase *t = tcase_create("v6");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, v6_k2_initiator_most_specific);
	tcase_add_test(t, v6_k1_profile_keyrings_only);
	tcase_add_test(t, v6_k3_responder_longest_prefix);
	tcase_add_test(t, v6_k3_6_tie_first_wins);
	tcase_add_test(t, v6_k4_default_keyring_first);
	tcase_add_test(t, v6_families_apart);
	tcase_add_test(t, v6_local_address_binding);
	tcase_add_test(t, v6_p_rules_seed);
	tcase_add_test(t, v6_explain_seed);
	tcase_add_test(t, v6_config_round_trip);
	tcase_add_test(t, v6_config_errors);
	tcase_add_test(t, v6_checker_findings);
	tcase_add_test(t, v6_checker_k1_tunnel);
	tcase_add_test(t, v6_checker_p4_tunnel);
	tcase_add_test(t, v6_checker_p2_tunnel_source);
	tcase_add_test(t, v6_checker_seed_p2);
	tcase_add_test(t, v6_show_key_and_profile);
	tcase_add_test(t, v6_ikev2_keyring_peers);
	tcase_add_test(t, v6_lpm6_against_scan);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(v6_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
