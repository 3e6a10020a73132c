/* Unit tests of the static checker's crypto map findings (rule L1, and
 * K1/K2 for set peer): each finding on a configuration that has it, and
 * none on a clean one. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/model.h"
#include "profile/check.h"
#include "util/secmem.h"
#include "util/strbuf.h"

static const char base[] =
	"crypto isakmp key k3y address 192.0.2.2\n"
	"crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac\n"
	"interface GigabitEthernet0/0\n ip address 192.0.2.1 255.255.255.0\n crypto map CM\n";

/* The checker's text output for base + text; *n the number of findings. */
static char *check(const char *text, int *n)
{
	struct ik_conf_error err;
	struct ik_sb conf, out;
	struct ik_config *cfg;
	char *s, buf[2048];

	ik_sb_init(&conf);
	ik_sb_printf(&conf, "%s%s", base, text);
	cfg = ik_config_load_string(ik_sb_str(&conf), "t.conf", &err);
	if (!cfg) {
		ik_conf_error_format(&err, buf, sizeof(buf));
		ck_abort_msg("%s", buf);
	}
	ik_sb_free(&conf);
	ik_sb_init(&out);
	*n = ik_check_config(cfg, &out, false);
	s = strdup(ik_sb_str(&out));
	ik_sb_free(&out);
	ik_config_unref(cfg);
	return s;
}

#define HAS(s, part) ck_assert_msg(strstr((s), (part)), "missing \"%s\" in:\n%s", (part), (s))

START_TEST(clean_map_no_finding)
{
	int n;
	char *s = check("ip access-list extended A\n"
			" permit ip 10.1.1.0 0.0.0.255 10.2.0.0 0.0.255.255\n"
			"ip access-list extended B\n"
			" permit ip 10.1.2.0 0.0.0.255 10.3.0.0 0.0.255.255\n"
			"crypto map CM 10 ipsec-isakmp\n set peer 192.0.2.2\n set transform-set TS\n"
			" match address A\n"
			"crypto map CM 20 ipsec-isakmp\n set peer 192.0.2.2\n set transform-set TS\n"
			" match address B\n", &n);

	ck_assert_msg(n == 0, "%s", s);
	free(s);
}
END_TEST

START_TEST(acl_line_shadowed)
{
	int n;
	char *s = check("ip access-list extended A\n"
			" deny   ip 10.1.0.0 0.0.255.255 any\n"
			" permit ip 10.1.1.0 0.0.0.255 10.2.0.0 0.0.255.255\n"
			"crypto map CM 10 ipsec-isakmp\n set peer 192.0.2.2\n set transform-set TS\n"
			" match address A\n", &n);

	ck_assert_int_eq(n, 1);
	HAS(s, "t.conf:7: warning: L1: access list A line 20 is shadowed by line 10: it never "
	    "matches");
	HAS(s, "fails: traffic of line 20 is left in clear by line 10");
	free(s);
}
END_TEST

/* The same findings for an IPv6 list: a shadowed line, and a clean list
 * with none. */
START_TEST(acl6_line_shadowed)
{
	int n;
	char *s = check("ipv6 access-list A6\n"
			" deny ipv6 2001:db8:1::/48 any\n"
			" permit ipv6 2001:db8:1:5::/64 2001:db8:2::/48\n"
			"crypto map CM 10 ipsec-isakmp\n set peer 192.0.2.2\n set transform-set TS\n"
			" match address A6\n", &n);

	ck_assert_int_eq(n, 1);
	HAS(s, "t.conf:7: warning: L1: access list A6 line 20 is shadowed by line 10: it never "
	    "matches");
	free(s);
	s = check("ipv6 access-list A6\n"
		  " permit ipv6 2001:db8:1::/48 2001:db8:2::/48\n"
		  " permit ipv6 2001:db8:3::/48 2001:db8:2::/48\n"
		  "crypto map CM 10 ipsec-isakmp\n set peer 192.0.2.2\n set transform-set TS\n"
		  " match address A6\n", &n);
	ck_assert_msg(n == 0, "%s", s);
	free(s);
}
END_TEST

START_TEST(entry_shadowed_and_overlap)
{
	int n;
	char *s = check("ip access-list extended A\n"
			" permit ip 10.1.0.0 0.0.255.255 10.2.0.0 0.0.255.255\n"
			"ip access-list extended B\n"
			" permit ip 10.1.1.0 0.0.0.255 10.2.0.0 0.0.0.255\n"
			"ip access-list extended C\n"
			" permit ip 10.0.0.0 0.255.255.255 10.2.1.0 0.0.0.255\n"
			"crypto map CM 10 ipsec-isakmp\n set peer 192.0.2.2\n set transform-set TS\n"
			" match address A\n"
			"crypto map CM 20 ipsec-isakmp\n set peer 192.0.2.2\n set transform-set TS\n"
			" match address B\n"
			"crypto map CM 30 ipsec-isakmp\n set peer 192.0.2.2\n set transform-set TS\n"
			" match address C\n", &n);

	ck_assert_int_eq(n, 2);
	HAS(s, "warning: L1: crypto map CM 20: access list B line 10 is inside line 10 of A "
	    "(entry 10): the entry never protects it");
	HAS(s, "warning: L1: crypto map CM: access lists A (entry 10) and C (entry 30) overlap: "
	    "the common traffic goes to entry 10");
	free(s);
}
END_TEST

START_TEST(incomplete_entries_and_missing_acl)
{
	int n;
	char *s = check("crypto map CM 10 ipsec-isakmp\n set peer 192.0.2.2\n set transform-set TS\n"
			"crypto map CM 20 ipsec-isakmp\n set transform-set TS\n match address X\n"
			"crypto map CM 30 ipsec-isakmp\n set peer 192.0.2.2\n match address X\n"
			"crypto map CM 40 ipsec-isakmp\n set peer 192.0.2.2\n set transform-set TS\n"
			" match address NOPE\n"
			"ip access-list extended X\n permit ip 10.9.0.0 0.0.255.255 any\n", &n);

	HAS(s, "error: L1: crypto map CM 10 is incomplete: no match address");
	HAS(s, "error: L1: crypto map CM 20 is incomplete: no set peer");
	HAS(s, "error: L1: crypto map CM 30 is incomplete: no set transform-set");
	HAS(s, "error: L1: crypto map CM 40: match address NOPE names no extended access list");
	ck_assert_int_eq(n, 4);
	free(s);
}
END_TEST

START_TEST(set_peer_without_key)
{
	int n;
	char *s = check("ip access-list extended A\n"
			" permit ip 10.1.1.0 0.0.0.255 10.2.0.0 0.0.255.255\n"
			"crypto map CM 10 ipsec-isakmp\n set peer 192.0.2.2\n set peer 192.0.2.3\n"
			" set transform-set TS\n match address A\n", &n);

	ck_assert_int_eq(n, 1);
	HAS(s, "error: K2: crypto map CM 10: no pre-shared key for set peer 192.0.2.3 in any "
	    "keyring");
	HAS(s, "  peers: 192.0.2.3\n");
	free(s);
}
END_TEST

START_TEST(not_a_selector_and_unapplied_map)
{
	int n;
	char *s = check("ip access-list extended A\n"
			" permit ip 10.0.0.1 0.255.0.254 any\n"
			"crypto map CM 10 ipsec-isakmp\n set peer 192.0.2.2\n set transform-set TS\n"
			" match address A\n"
			"crypto map SPARE 10 ipsec-isakmp\n set peer 192.0.2.2\n set transform-set TS\n"
			" match address A\n", &n);

	HAS(s, "error: L1: access list A line 10 cannot be a traffic selector: wildcard of the "
	    "source is not a prefix");
	HAS(s, "warning: L1: crypto map SPARE is applied to no interface");
	ck_assert_int_eq(n, 2);
	free(s);
}
END_TEST

START_TEST(ikev2_entry_key_checked)
{
	int n;
	char *s = check("crypto ikev2 profile P2\n match identity remote address 192.0.2.2 "
			"255.255.255.255\n authentication local pre-share\n"
			" authentication remote pre-share\n"
			"ip access-list extended A\n"
			" permit ip 10.1.1.0 0.0.0.255 10.2.0.0 0.0.255.255\n"
			"crypto map CM 10 ipsec-isakmp\n set peer 192.0.2.2\n set transform-set TS\n"
			" set ikev2-profile P2\n match address A\n", &n);

	/* negotiated over IKEv2: only the profile's missing key is reported (V2-2) */
	ck_assert_ptr_null(strstr(s, "not negotiated"));
	HAS(s, "error: V2-2: crypto map CM 10 initiates toward 192.0.2.2 with IKEv2 profile "
	    "P2, and the profile has no keyring local");
	free(s);
	s = check("crypto ikev2 keyring KR\n peer R2\n  address 192.0.2.2\n"
		  "  pre-shared-key k3y\n"
		  "crypto ikev2 profile P2\n match identity remote address 192.0.2.2 "
		  "255.255.255.255\n authentication local pre-share\n"
		  " authentication remote pre-share\n keyring local KR\n"
		  "ip access-list extended A\n"
		  " permit ip 10.1.1.0 0.0.0.255 10.2.0.0 0.0.255.255\n"
		  "crypto map CM 10 ipsec-isakmp\n set peer 192.0.2.2\n set transform-set TS\n"
		  " set ikev2-profile P2\n match address A\n", &n);
	ck_assert_ptr_null(strstr(s, "V2-2"));
	free(s);
}
END_TEST

static Suite *check_cmap_suite(void)
{
	Suite *s = suite_create("check_cmap");
	TCase *tc = tcase_create("check_cmap");

	tcase_add_test(tc, clean_map_no_finding);
	tcase_add_test(tc, acl_line_shadowed);
	tcase_add_test(tc, acl6_line_shadowed);
	tcase_add_test(tc, entry_shadowed_and_overlap);
	tcase_add_test(tc, incomplete_entries_and_missing_acl);
	tcase_add_test(tc, set_peer_without_key);
	tcase_add_test(tc, not_a_selector_and_unapplied_map);
	tcase_add_test(tc, ikev2_entry_key_checked);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(check_cmap_suite());
	int failed;

	ik_secmem_init();
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
