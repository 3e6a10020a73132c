/* IKE over IPv6 between two engines in one process: IKEv1 Main Mode and
 * Quick Mode, and IKEv2, between 2001:db8::1 (R1) and 2001:db8::2 (R2) with
 * `tunnel mode gre ipv6`, keys and identities written `address ipv6`
 * (rules K1, K3.6, P1, P2 over IPv6; V2-1). Deterministic: fake clock,
 * seeded RNGs. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/v1_msg.h"
#include "ike/v2_msg.h"
#include "test_exchange_harness.h"
#include "util/addr.h"
#include "util/strbuf.h"
#include "util/util.h"

static struct xnet net;

static const char r1_v1[] =
	"hostname R1\n"
	"crypto keyring keyring1\n"
	"  pre-shared-key address ipv6 2001:db8::2/128 key cisco6\n"
	"crypto keyring keyring0\n"
	"  pre-shared-key address ipv6 2001:db8::/32 key wrong\n"
	"crypto isakmp policy 10\n"
	" encr aes\n"
	" hash sha256\n"
	" authentication pre-share\n"
	" group 14\n"
	"crypto isakmp profile profile1\n"
	"   keyring keyring1\n"
	"   match identity address ipv6 2001:db8::2/128\n"
	"crypto ipsec transform-set TS esp-aes esp-sha256-hmac\n"
	" mode tunnel\n"
	"crypto ipsec profile profile1\n"
	" set transform-set TS\n"
	" set isakmp-profile profile1\n"
	"interface Tunnel1\n"
	" ip address 10.0.0.1 255.255.255.0\n"
	" tunnel source Ethernet0/0\n"
	" tunnel mode gre ipv6\n"
	" tunnel destination 2001:db8::2\n"
	" tunnel protection ipsec profile profile1\n"
	"interface Ethernet0/0\n"
	" ipv6 address 2001:db8::1/64\n";

static const char r2_v1[] =
	"hostname R2\n"
	"crypto keyring keyring0\n"
	"  pre-shared-key address ipv6 2001:db8::/32 key wrong\n"
	"crypto keyring keyring1\n"
	"  pre-shared-key address ipv6 2001:db8::1/128 key cisco6\n"
	"crypto isakmp policy 10\n"
	" encr aes\n"
	" hash sha256\n"
	" authentication pre-share\n"
	" group 14\n"
	"crypto isakmp profile profile1\n"
	"   keyring keyring1\n"
	"   match identity address ipv6 2001:db8::1/128\n"
	"crypto ipsec transform-set TS esp-aes esp-sha256-hmac\n"
	" mode tunnel\n"
	"crypto ipsec profile profile1\n"
	" set transform-set TS\n"
	" set isakmp-profile profile1\n"
	"interface Tunnel1\n"
	" ip address 10.0.0.2 255.255.255.0\n"
	" tunnel source Ethernet0/0\n"
	" tunnel mode gre ipv6\n"
	" tunnel destination 2001:db8::1\n"
	" tunnel protection ipsec profile profile1\n"
	"interface Ethernet0/0\n"
	" ipv6 address 2001:db8::2/64\n";

static const char r1_v2[] =
	"hostname R1\n"
	"crypto ikev2 proposal PROP\n"
	" encryption aes-cbc-256\n"
	" integrity sha256\n"
	" group 14\n"
	"crypto ikev2 policy POL\n"
	" proposal PROP\n"
	"crypto ikev2 keyring keyring1\n"
	" peer R2\n"
	"  address ipv6 2001:db8::2/128\n"
	"  pre-shared-key cisco6\n"
	"crypto ikev2 profile profile1\n"
	" match identity remote address ipv6 2001:db8::2/128\n"
	" authentication remote pre-share\n"
	" authentication local pre-share\n"
	" keyring local keyring1\n"
	"crypto ipsec transform-set TS esp-aes esp-sha256-hmac\n"
	" mode tunnel\n"
	"crypto ipsec profile profile1\n"
	" set transform-set TS\n"
	" set ikev2-profile profile1\n"
	"interface Tunnel1\n"
	" ip address 10.0.0.1 255.255.255.0\n"
	" tunnel source Ethernet0/0\n"
	" tunnel mode gre ipv6\n"
	" tunnel destination 2001:db8::2\n"
	" tunnel protection ipsec profile profile1\n"
	"interface Ethernet0/0\n"
	" ipv6 address 2001:db8::1/64\n";

static const char r2_v2[] =
	"hostname R2\n"
	"crypto ikev2 proposal PROP\n"
	" encryption aes-cbc-256\n"
	" integrity sha256\n"
	" group 14\n"
	"crypto ikev2 policy POL\n"
	" proposal PROP\n"
	"crypto ikev2 keyring keyring1\n"
	" peer R1\n"
	"  address ipv6 2001:db8::1/128\n"
	"  pre-shared-key cisco6\n"
	"crypto ikev2 profile profile1\n"
	" match identity remote address ipv6 2001:db8::1/128\n"
	" authentication remote pre-share\n"
	" authentication local pre-share\n"
	" keyring local keyring1\n"
	"crypto ipsec transform-set TS esp-aes esp-sha256-hmac\n"
	" mode tunnel\n"
	"crypto ipsec profile profile1\n"
	" set transform-set TS\n"
	" set ikev2-profile profile1\n"
	"interface Tunnel1\n"
	" ip address 10.0.0.2 255.255.255.0\n"
	" tunnel source Ethernet0/0\n"
	" tunnel mode gre ipv6\n"
	" tunnel destination 2001:db8::1\n"
	" tunnel protection ipsec profile profile1\n"
	"interface Ethernet0/0\n"
	" ipv6 address 2001:db8::2/64\n";

static struct ik_addr v6(const char *s)
{
	struct ik_addr a;

	ck_assert_int_eq(ik_addr_parse_any(s, &a), 0);
	return a;
}

static void start(const char *t1, const char *t2, uint64_t seed)
{
	struct ik_config *c1 = xn_load(t1, "r1.conf"), *c2 = xn_load(t2, "r2.conf");
	struct ik_addr a1 = v6("2001:db8::1"), a2 = v6("2001:db8::2");

	xn_init_ip(&net, c1, &a1, c2, &a2, seed, NULL);
}

static void dump(const struct xnode *n)
{
	for (size_t i = 0; i < n->cap.n; i++)
		fprintf(stderr, "%s: %s\n", n->name, n->cap.lines[i]);
}

#define EXPECT_ORDER(node, ...)                                                         \
	do {                                                                            \
		static const char *const lines_[] = { __VA_ARGS__ };                     \
		const char *miss_ = xn_in_order((node), lines_, sizeof(lines_) / sizeof(*lines_)); \
		if (miss_)                                                              \
			dump(node);                                                     \
		ck_assert_msg(!miss_, "%s: trace line missing or out of order: \"%s\"", \
			      (node)->name, miss_ ? miss_ : "");                        \
	} while (0)

#define EXPECT_LINE(node, s)                                                            \
	do {                                                                            \
		if (xn_find((node), 0, (s)) < 0)                                        \
			dump(node);                                                     \
		ck_assert_msg(xn_find((node), 0, (s)) >= 0, "%s: no line \"%s\"",       \
			      (node)->name, (s));                                       \
	} while (0)

static void initiate(int side, const char *ifname)
{
	struct ik_sb err;

	ik_sb_init(&err);
	ck_assert_msg(ik_engine_initiate(net.n[side].e, ifname, &err) == 0, "%s", ik_sb_str(&err));
	ik_sb_free(&err);
}

START_TEST(v1_mm_qm_over_ipv6)
{
	struct ik_engine_stats st;
	struct ik_sb out;

	start(r1_v1, r2_v1, 1);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	dump(&net.n[0]);
	dump(&net.n[1]);
	ik_engine_stats(net.n[0].e, &st);
	ck_assert_uint_eq(st.p1_done, 1);
	ik_sb_init(&out);
	ik_engine_show_isakmp_sa(net.n[0].e, false, false, &out);
	ik_engine_show_isakmp_sa(net.n[1].e, true, false, &out);
	fprintf(stderr, "%s", ik_sb_str(&out));
	ik_sb_free(&out);
	xn_free(&net);
}
END_TEST

START_TEST(v2_over_ipv6)
{
	struct ik_engine_stats st;
	struct ik_show_opts so = { 0 };
	struct ik_sb out;

	start(r1_v2, r2_v2, 2);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	dump(&net.n[0]);
	dump(&net.n[1]);
	ik_engine_stats(net.n[1].e, &st);
	ik_sb_init(&out);
	ik_engine_show_ikev2_sa(net.n[0].e, &so, false, &out);
	fprintf(stderr, "%s", ik_sb_str(&out));
	ik_sb_free(&out);
	xn_free(&net);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("exchange_v6");
	TCase *tc = tcase_create("ipv6");

	tcase_add_test(tc, v1_mm_qm_over_ipv6);
	tcase_add_test(tc, v2_over_ipv6);
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
	return failed ? 1 : 0;
}
