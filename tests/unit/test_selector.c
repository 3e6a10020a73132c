/* Traffic selector helpers (src/ipsec/selector.c): ranges and prefixes of
 * both families, the text forms the kernel record and the show commands
 * print. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/v1_int.h"
#include "ipsec/child.h"
#include "util/strbuf.h"

static struct ik_addr A(const char *s)
{
	struct ik_addr a;

	memset(&a, 0, sizeof(a));
	ck_assert_int_eq(ik_addr_parse_any(s, &a), 0);
	return a;
}

static void assert_addr(const struct ik_addr *a, const char *want)
{
	char buf[IK_ADDR_ANYSTRLEN];

	ck_assert_str_eq(ik_addr_fmt_any(a, buf), want);
}

START_TEST(range_prefix_v4)
{
	struct ik_addr lo = A("10.1.2.0"), hi = A("10.1.2.255"), net;

	ck_assert_int_eq(ik_range_prefix(&lo, &hi, &net), 24);
	assert_addr(&net, "10.1.2.0");
	hi = A("10.1.2.254"); /* not a prefix */
	ck_assert_int_eq(ik_range_prefix(&lo, &hi, &net), -1);
	lo = A("10.1.2.1"); /* not aligned */
	hi = A("10.1.2.255");
	ck_assert_int_eq(ik_range_prefix(&lo, &hi, &net), -1);
	lo = A("0.0.0.0");
	hi = A("255.255.255.255");
	ck_assert_int_eq(ik_range_prefix(&lo, &hi, &net), 0);
	lo = hi = A("198.51.100.7");
	ck_assert_int_eq(ik_range_prefix(&lo, &hi, &net), 32);
	/* the covering prefix of a range that is none */
	lo = A("10.1.2.3");
	hi = A("10.1.3.1");
	ck_assert_int_eq(ik_range_cover(&lo, &hi, &net), 23);
	assert_addr(&net, "10.1.2.0");
}
END_TEST

START_TEST(range_prefix_v6)
{
	struct ik_addr lo = A("2001:db8:1::"), hi = A("2001:db8:1:ffff:ffff:ffff:ffff:ffff"), net;
	struct ik_addr last;

	ck_assert_int_eq(ik_range_prefix(&lo, &hi, &net), 48);
	assert_addr(&net, "2001:db8:1::");
	last = ik_prefix_last(&net, 48);
	ck_assert(ik_addr_eq(&last, &hi));
	hi = A("2001:db8:1:ffff:ffff:ffff:ffff:fffe");
	ck_assert_int_eq(ik_range_prefix(&lo, &hi, &net), -1);
	lo = A("::");
	hi = A("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	ck_assert_int_eq(ik_range_prefix(&lo, &hi, &net), 0);
	last = ik_prefix_last(&lo, 0);
	ck_assert(ik_addr_eq(&last, &hi));
	lo = hi = A("2001:db8::1");
	ck_assert_int_eq(ik_range_prefix(&lo, &hi, &net), 128);
	/* a length inside a byte */
	lo = A("2001:db8::");
	hi = A("2001:db8:7fff:ffff:ffff:ffff:ffff:ffff");
	ck_assert_int_eq(ik_range_prefix(&lo, &hi, &net), 33);
	lo = A("2001:db8::5");
	hi = A("2001:db8::1:0");
	ck_assert_int_eq(ik_range_cover(&lo, &hi, &net), 111);
	assert_addr(&net, "2001:db8::");
	/* two families are never one range */
	lo = A("10.0.0.0");
	ck_assert_int_eq(ik_range_prefix(&lo, &hi, &net), -1);
}
END_TEST

START_TEST(selector_text)
{
	struct ik_selector s;
	struct ik_sb sb;
	char buf[IK_SEL_STRLEN];

	memset(&s, 0, sizeof(s));
	s.src = A("2001:db8::1");
	s.dst = A("2001:db8::2");
	s.src_plen = s.dst_plen = 128;
	s.proto = 47;
	ck_assert_str_eq(ik_sel_fmt(&s, buf, sizeof(buf)),
			 "2001:db8::1/128->2001:db8::2/128 proto 47");
	ik_sb_init(&sb);
	ik_sel_flow_line(&sb, &s);
	ck_assert_str_eq(ik_sb_str(&sb), "  IPSEC FLOW: permit 47 host 2001:DB8::1 host "
			 "2001:DB8::2\n");
	ik_sb_reset(&sb);
	memset(&s, 0, sizeof(s));
	s.src.family = s.dst.family = IK_AF_INET6;
	ik_sel_flow_line(&sb, &s);
	ck_assert_str_eq(ik_sb_str(&sb), "  IPSEC FLOW: permit ipv6 ::/0 ::/0\n");
	ik_sb_reset(&sb);
	memset(&s, 0, sizeof(s));
	ik_sel_flow_line(&sb, &s);
	ck_assert_str_eq(ik_sb_str(&sb), "  IPSEC FLOW: permit ip 0.0.0.0/0.0.0.0 "
			 "0.0.0.0/0.0.0.0\n");
	ik_sb_free(&sb);
	ck_assert_uint_eq(ik_sel_mask4(24), 0xffffff00u);
	ck_assert_uint_eq(ik_sel_mask4(0), 0);
	ck_assert_uint_eq(ik_sel_mask4(32), 0xffffffffu);
}
END_TEST

/* Quick Mode proxy identities in IPv6 (RFC 2407 4.6.2): a host is
 * ID_IPV6_ADDR (5), a prefix ID_IPV6_ADDR_SUBNET (6), any other range
 * ID_IPV6_ADDR_RANGE (8); each reads back into the same range, and the child
 * SA's selector is the prefix (or the prefix covering a range). */
START_TEST(quick_mode_ids_v6)
{
	static const struct {
		const char *lo, *hi;
		uint8_t type;
		size_t len;
		const char *sel;
	} c[] = {
		{ "2001:db8::1", "2001:db8::1", 5, 20, "2001:db8::1/128" },
		{ "2001:db8:1::", "2001:db8:1:0:ffff:ffff:ffff:ffff", 6, 36, "2001:db8:1::/64" },
		{ "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 6, 36, "::/0" },
		{ "2001:db8::5", "2001:db8::1:0", 8, 36, "2001:db8::/111" },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct ik_ts ts, back;
		struct ik_qm q;
		struct ik_cmap_entry ce;
		struct ik_child_sa cs;
		uint8_t body[40], proto = 0;
		char why[128], sel[IK_SEL_STRLEN], want[IK_SEL_STRLEN];
		size_t n;

		memset(&ts, 0, sizeof(ts));
		ts.lo = A(c[i].lo);
		ts.hi = A(c[i].hi);
		n = ik_v1_cmap_id(&ts, 47, body);
		ck_assert_uint_eq(n, c[i].len);
		ck_assert_uint_eq(body[0], c[i].type);
		ck_assert_uint_eq(body[1], 47);
		ck_assert_int_eq(ik_v1_id_ts(body, n, &proto, &back, why, sizeof(why)), 0);
		ck_assert_uint_eq(proto, 47);
		ck_assert(ik_addr_eq(&back.lo, &ts.lo));
		ck_assert(ik_addr_eq(&back.hi, &ts.hi));
		/* the child SA's selector from those proxies */
		memset(&q, 0, sizeof(q));
		memset(&ce, 0, sizeof(ce));
		memset(&cs, 0, sizeof(cs));
		q.cmap = &ce;
		q.proxy.proto = 47;
		q.proxy.local = back;
		q.proxy.remote = back;
		ik_v1_cmap_child(&q, &cs);
		snprintf(want, sizeof(want), "%s->%s proto 47", c[i].sel, c[i].sel);
		ck_assert_str_eq(ik_sel_fmt(&cs.sel, sel, sizeof(sel)), want);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("selector");
	TCase *tc = tcase_create("selector");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, range_prefix_v4);
	tcase_add_test(tc, range_prefix_v6);
	tcase_add_test(tc, selector_text);
	tcase_add_test(tc, quick_mode_ids_v6);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
