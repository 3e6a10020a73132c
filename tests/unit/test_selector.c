/* Traffic selector helpers (src/ipsec/selector.c): ranges and prefixes of
 * both families, the text forms the kernel record and the show commands
 * print. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

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

int main(void)
{
	Suite *s = suite_create("selector");
	TCase *tc = tcase_create("selector");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, range_prefix_v4);
	tcase_add_test(tc, range_prefix_v6);
	tcase_add_test(tc, selector_text);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
