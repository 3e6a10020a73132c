/* Child SAs over IPv6 between two engines in one process (IKE over IPv6
 * between 2001:db8::1 and 2001:db8::2): the Quick Mode proxy identities and
 * the IKEv2 traffic selectors of 'tunnel mode gre ipv6' (GRE, protocol 47,
 * between the IPv6 end points) and 'tunnel mode ipsec ipv6' (::/0 both
 * ways), the selectors and outer addresses the host receives, show crypto
 * ipsec sa and show crypto session as IOS prints IPv6 idents, and the
 * refusals when the two ends' tunnel modes differ (IKEv1 NO_PROPOSAL_CHOSEN,
 * IKEv2 TS_UNACCEPTABLE). Deterministic: fake clock, seeded RNGs. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/v1_msg.h"
#include "ike/v2_msg.h"
#include "ipsec/child.h"
#include "test_exchange_harness.h"
#include "util/addr.h"
#include "util/strbuf.h"

static struct xnet net;

/* %1$s: this router's number, %2$s the peer's, %3$s the tunnel mode. */
static const char v1_conf[] =
	"hostname R%s\n"
	"crypto keyring keyring1\n"
	"  pre-shared-key address ipv6 2001:db8::%s/128 key cisco6\n"
	"crypto isakmp policy 10\n"
	" encr aes\n"
	" hash sha256\n"
	" authentication pre-share\n"
	" group 14\n"
	"crypto ipsec transform-set TS esp-aes esp-sha256-hmac\n"
	" mode tunnel\n"
	"crypto ipsec profile profile1\n"
	" set transform-set TS\n"
	"interface Tunnel1\n"
	" ipv6 address 2001:db8:ffff::%s/64\n"
	" tunnel source 2001:db8::%s\n"
	" tunnel mode %s\n"
	" tunnel destination 2001:db8::%s\n"
	" tunnel protection ipsec profile profile1\n";

static const char v2_conf[] =
	"hostname R%s\n"
	"crypto ikev2 proposal PROP\n"
	" encryption aes-cbc-256\n"
	" integrity sha256\n"
	" group 14\n"
	"crypto ikev2 policy POL\n"
	" proposal PROP\n"
	"crypto ikev2 keyring keyring1\n"
	" peer P\n"
	"  address ipv6 2001:db8::%s/128\n"
	"  pre-shared-key cisco6\n"
	"crypto ikev2 profile profile1\n"
	" match identity remote address ipv6 2001:db8::%s/128\n"
	" authentication remote pre-share\n"
	" authentication local pre-share\n"
	" keyring local keyring1\n"
	"crypto ipsec transform-set TS esp-aes esp-sha256-hmac\n"
	" mode tunnel\n"
	"crypto ipsec profile profile1\n"
	" set transform-set TS\n"
	" set ikev2-profile profile1\n"
	"interface Tunnel1\n"
	" ipv6 address 2001:db8:ffff::%s/64\n"
	" tunnel source 2001:db8::%s\n"
	" tunnel mode %s\n"
	" tunnel destination 2001:db8::%s\n"
	" tunnel protection ipsec profile profile1\n";

static struct ik_config *conf(bool v2, int me, const char *mode)
{
	char text[2048], a[4], b[4];

	snprintf(a, sizeof(a), "%d", me);
	snprintf(b, sizeof(b), "%d", 3 - me);
	if (v2)
		snprintf(text, sizeof(text), v2_conf, a, b, b, a, a, mode, b);
	else
		snprintf(text, sizeof(text), v1_conf, a, b, a, a, mode, b);
	return xn_load(text, me == 1 ? "r1.conf" : "r2.conf");
}

static struct ik_addr A(const char *s)
{
	struct ik_addr a;

	ck_assert_int_eq(ik_addr_parse_any(s, &a), 0);
	return a;
}

static void start(bool v2, const char *mode1, const char *mode2, uint64_t seed)
{
	struct ik_addr a1 = A("2001:db8::1"), a2 = A("2001:db8::2");

	memset(&net, 0, sizeof(net));
	xn_init_ip(&net, conf(v2, 1, mode1), &a1, conf(v2, 2, mode2), &a2, seed, NULL);
}

static void expect_line(const struct xnode *n, const char *line)
{
	if (xn_find(n, 0, line) < 0)
		xn_dump(n);
	ck_assert_msg(xn_find(n, 0, line) >= 0, "%s: no line \"%s\"", n->name, line);
}

static void initiate(int side)
{
	struct ik_sb err;

	ik_sb_init(&err);
	ck_assert_msg(ik_engine_initiate(net.n[side].e, "Tunnel1", &err) == 0, "%s",
		      ik_sb_str(&err));
	ik_sb_free(&err);
}

static const char *sel_text(const struct ik_child_sa *c)
{
	static char buf[IK_SEL_STRLEN];

	return ik_sel_fmt(&c->sel, buf, sizeof(buf));
}

/* Both ends have the child; each one's selector is the other's reversed, the
 * outer addresses are the IPv6 end points. */
static void expect_children(const char *sel1, const char *sel2)
{
	char a[IK_ADDR_ANYSTRLEN], b[IK_ADDR_ANYSTRLEN];

	if (net.n[0].nup != 1 || net.n[1].nup != 1) {
		xn_dump(&net.n[0]);
		xn_dump(&net.n[1]);
	}
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(net.n[1].nup, 1);
	ck_assert_str_eq(sel_text(&net.n[0].up[0]), sel1);
	ck_assert_str_eq(sel_text(&net.n[1].up[0]), sel2);
	ck_assert_str_eq(ik_addr_fmt_any(&net.n[0].up[0].out.src, a), "2001:db8::1");
	ck_assert_str_eq(ik_addr_fmt_any(&net.n[0].up[0].out.dst, b), "2001:db8::2");
	ck_assert(ik_addr_eq(&net.n[0].up[0].out.dst, &net.n[1].up[0].in.dst));
	ck_assert(ik_addr_eq(&net.n[0].up[0].in.src, &net.n[1].up[0].out.src));
	ck_assert_uint_eq(net.n[0].up[0].out.spi, net.n[1].up[0].in.spi);
}

/* IKEv1, 'tunnel mode gre ipv6' (R1 initiates): IDci/IDcr are ID_IPV6_ADDR
 * with protocol 47 (R2 takes them as its tunnel's proxies), the children
 * protect GRE between the end points, and show crypto ipsec sa prints the
 * idents as IOS does for IPv6. */
START_TEST(v1_gre_ipv6)
{
	struct ik_sb sb;

	start(false, "gre ipv6", "gre ipv6", 11);
	initiate(0);
	xn_run(&net, 2000);
	expect_children("2001:db8::1/128->2001:db8::2/128 proto 47",
			"2001:db8::2/128->2001:db8::1/128 proto 47");
	expect_line(&net.n[0], "    local_proxy= 2001:DB8::1/128/47/0,");
	expect_line(&net.n[1], "    local_proxy= 2001:DB8::2/128/47/0,");
	expect_line(&net.n[1], "    remote_proxy= 2001:DB8::1/128/47/0,");
	expect_line(&net.n[1], "\tprotocol     : 47");
	ik_sb_init(&sb);
	ik_engine_show_ipsec_sa(net.n[0].e, false, &sb);
	ck_assert_msg(strstr(ik_sb_str(&sb), "   local  ident (addr/mask/prot/port): "
			     "(2001:DB8::1/128/47/0)\n"
			     "   remote ident (addr/mask/prot/port): (2001:DB8::2/128/47/0)\n") &&
		      strstr(ik_sb_str(&sb), "     local crypto endpt.: 2001:DB8::1, remote crypto "
			     "endpt.: 2001:DB8::2\n     plaintext mtu 1402, "),
		      "%s", ik_sb_str(&sb));
	ik_sb_reset(&sb);
	ik_engine_show_ipsec_sa(net.n[0].e, true, &sb);
	ck_assert_msg(strstr(ik_sb_str(&sb), "\"local_ident\":\"2001:DB8::1/128/47/0\","
			     "\"remote_ident\":\"2001:DB8::2/128/47/0\""), "%s", ik_sb_str(&sb));
	ik_sb_reset(&sb);
	ik_engine_show_session(net.n[0].e, false, &sb);
	ck_assert_msg(strstr(ik_sb_str(&sb), "  IPSEC FLOW: permit 47 host 2001:DB8::1 host "
			     "2001:DB8::2\n"), "%s", ik_sb_str(&sb));
	ik_sb_free(&sb);
	xn_free(&net);
}
END_TEST

/* A kernel acquire with IPv6 outer addresses and no reqid: the engine finds
 * the tunnel by its IPv6 destination and brings the child up; a destination
 * without a tunnel starts nothing. */
START_TEST(acquire_ipv6)
{
	struct ik_addr a1 = A("2001:db8::1"), a2 = A("2001:db8::2"), a9 = A("2001:db8::9");

	start(false, "gre ipv6", "gre ipv6", 14);
	ik_engine_acquire_ip(net.n[0].e, 0, &a1, &a9);
	xn_run(&net, 2000);
	ck_assert_uint_eq(net.sent, 0);
	ik_engine_acquire_ip(net.n[0].e, 0, &a1, &a2);
	xn_run(&net, 2000);
	expect_children("2001:db8::1/128->2001:db8::2/128 proto 47",
			"2001:db8::2/128->2001:db8::1/128 proto 47");
	xn_free(&net);
}
END_TEST

/* IKEv1, 'tunnel mode ipsec ipv6': ID_IPV6_ADDR_SUBNET ::/0 both ways, the
 * children protect every IPv6 address (a vti6 carries IPv6 only). */
START_TEST(v1_ipsec_ipv6)
{
	struct ik_sb sb;

	start(false, "ipsec ipv6", "ipsec ipv6", 12);
	initiate(0);
	xn_run(&net, 2000);
	expect_children("::/0->::/0 proto 0", "::/0->::/0 proto 0");
	expect_line(&net.n[0], "    remote_proxy= ::/0/0/0,");
	expect_line(&net.n[1], "    local_proxy= ::/0/0/0,");
	expect_line(&net.n[1], "\tprotocol     : 0");
	ik_sb_init(&sb);
	ik_engine_show_ipsec_sa(net.n[1].e, false, &sb);
	ck_assert_msg(strstr(ik_sb_str(&sb), "   local  ident (addr/mask/prot/port): "
			     "(::/0/0/0)\n"), "%s", ik_sb_str(&sb));
	ik_sb_reset(&sb);
	ik_engine_show_session(net.n[1].e, false, &sb);
	ck_assert_msg(strstr(ik_sb_str(&sb), "  IPSEC FLOW: permit ipv6 ::/0 ::/0\n"), "%s",
		      ik_sb_str(&sb));
	ik_sb_free(&sb);
	xn_free(&net);
}
END_TEST

/* IKEv1: R1 is 'gre ipv6', R2 'ipsec ipv6': R1's GRE proxies are not R2's
 * tunnel's, so R2 refuses the Quick Mode and no child is installed. */
START_TEST(v1_mode_mismatch)
{
	start(false, "gre ipv6", "ipsec ipv6", 13);
	initiate(0);
	xn_run(&net, 2000);
	ck_assert_uint_eq(net.n[0].ups, 0);
	ck_assert_uint_eq(net.n[1].ups, 0);
	expect_line(&net.n[1], "IPSEC(ipsec_process_proposal): proxy identities not supported");
	xn_free(&net);
}
END_TEST

/* IKEv2, 'tunnel mode gre ipv6': TS_IPV6_ADDR_RANGE with protocol 47 for
 * each end point; the responder's trace names the narrowed selectors. */
START_TEST(v2_gre_ipv6)
{
	start(true, "gre ipv6", "gre ipv6", 21);
	initiate(0);
	xn_run(&net, 2000);
	expect_children("2001:db8::1/128->2001:db8::2/128 proto 47",
			"2001:db8::2/128->2001:db8::1/128 proto 47");
	expect_line(&net.n[1], "Traffic selectors for Tunnel1: TSi 2001:db8::1-2001:db8::1 "
		    "proto 47 ports 0-65535, TSr 2001:db8::2-2001:db8::2 proto 47 ports 0-65535");
	xn_free(&net);
}
END_TEST

/* IKEv2, 'tunnel mode ipsec ipv6': ::/0 both ways. */
START_TEST(v2_ipsec_ipv6)
{
	struct ik_show_opts so = { 0 };
	struct ik_sb sb;

	start(true, "ipsec ipv6", "ipsec ipv6", 22);
	initiate(0);
	xn_run(&net, 2000);
	expect_children("::/0->::/0 proto 0", "::/0->::/0 proto 0");
	ik_sb_init(&sb);
	ik_engine_show_ikev2_session(net.n[0].e, &so, false, &sb);
	ck_assert_msg(strstr(ik_sb_str(&sb), "Child sa: local selector  ::/0 - "
			     "FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF/65535\n"), "%s",
		      ik_sb_str(&sb));
	ik_sb_free(&sb);
	xn_free(&net);
}
END_TEST

/* IKEv2: R1 'ipsec ipv6' offers ::/0, R2's only tunnel to R1 is 'gre ipv6'
 * (GRE between the end points): narrowing to protocol 47 is allowed (RFC
 * 7296 2.9), so the child protects GRE. Then both 'ipsec ipv6', R1's TSi
 * changed on its way into an IPv4 range (TS_IPV4_ADDR_RANGE 0.0.0.0 -
 * 255.255.255.255): nothing IPv4 crosses a vti6, R2 answers TS_UNACCEPTABLE
 * and neither side installs a child. */
START_TEST(v2_narrowing_and_unacceptable)
{
	static const uint8_t ts4[] = {
		1, 0, 0, 0,                             /* one selector */
		IK_V2_TS_IPV4_ADDR_RANGE, 0, 0, 16, 0, 0, 0xff, 0xff,
		0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,
	};

	start(true, "ipsec ipv6", "gre ipv6", 23);
	initiate(0);
	xn_run(&net, 2000);
	ck_assert_uint_eq(net.n[1].nup, 1);
	ck_assert_str_eq(sel_text(&net.n[1].up[0]), "2001:db8::2/128->2001:db8::1/128 proto 47");
	xn_free(&net);

	start(true, "ipsec ipv6", "ipsec ipv6", 24);
	net.tamper[0] = (struct xtamper){ .on = true, .from = 0, .exch = IK_V2_EXCH_IKE_AUTH,
		.nth = 1, .pl = IK_V2_PL_TSI, .body = ts4, .body_len = sizeof(ts4) };
	initiate(0);
	xn_run(&net, 2000);
	ck_assert_uint_eq(net.tamper[0].applied, 1);
	ck_assert_uint_eq(net.n[0].ups, 0);
	ck_assert_uint_eq(net.n[1].ups, 0);
	expect_line(&net.n[1], "no protected tunnel to 2001:db8::1 allows the peer's traffic "
		    "selectors (TSi 0.0.0.0-255.255.255.255 proto 0 ports 0-65535, TSr "
		    "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff proto 0 ports 0-65535): "
		    "TS_UNACCEPTABLE");
	xn_free(&net);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("exchange_v6_child");
	TCase *tc = tcase_create("child");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, v1_gre_ipv6);
	tcase_add_test(tc, v1_ipsec_ipv6);
	tcase_add_test(tc, v1_mode_mismatch);
	tcase_add_test(tc, acquire_ipv6);
	tcase_add_test(tc, v2_gre_ipv6);
	tcase_add_test(tc, v2_ipsec_ipv6);
	tcase_add_test(tc, v2_narrowing_and_unacceptable);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
