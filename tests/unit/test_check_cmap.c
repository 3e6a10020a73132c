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

/* ---- with the peer's configuration (ikerd -t --peer-config) ---- */

/* R1 (192.0.2.1, base) and R2 (192.0.2.2): the checker's output for R1
 * given R2's configuration, each with its own access list (ipsec-isakmp
 * entry 10 on both, IKEv2 when v2). */
static char *check_pair(const char *acl1, const char *acl2, bool v2, int *n)
{
	static const char v2conf[] =
		"crypto ikev2 keyring KR\n peer P\n  address 0.0.0.0 0.0.0.0\n"
		"  pre-shared-key k3y\n"
		"crypto ikev2 profile V2\n match identity remote address 0.0.0.0\n"
		" authentication local pre-share\n authentication remote pre-share\n"
		" keyring local KR\n";
	struct ik_conf_error err;
	struct ik_sb c1, c2, out;
	struct ik_config *r1, *r2;
	struct ik_check_env env = IK_CHECK_ENV_ENGINE;
	const struct ik_config *peers[1];
	const char *files[1] = { "r2.conf" };
	char *s, buf[2048];

	ik_sb_init(&c1);
	ik_sb_init(&c2);
	ik_sb_printf(&c1, "%s%sip access-list extended A\n%s"
		     "crypto map CM 10 ipsec-isakmp\n set peer 192.0.2.2\n set transform-set TS\n"
		     " match address A\n%s", base, v2 ? v2conf : "", acl1,
		     v2 ? " set ikev2-profile V2\n" : "");
	ik_sb_printf(&c2, "crypto isakmp key k3y address 192.0.2.1\n"
		     "crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac\n%s"
		     "interface GigabitEthernet0/0\n ip address 192.0.2.2 255.255.255.0\n"
		     " crypto map CM\nip access-list extended B\n%s"
		     "crypto map CM 10 ipsec-isakmp\n set peer 192.0.2.1\n set transform-set TS\n"
		     " match address B\n%s", v2 ? v2conf : "", acl2,
		     v2 ? " set ikev2-profile V2\n" : "");
	r1 = ik_config_load_string(ik_sb_str(&c1), "r1.conf", &err);
	if (!r1) {
		ik_conf_error_format(&err, buf, sizeof(buf));
		ck_abort_msg("%s", buf);
	}
	r2 = ik_config_load_string(ik_sb_str(&c2), "r2.conf", &err);
	if (!r2) {
		ik_conf_error_format(&err, buf, sizeof(buf));
		ck_abort_msg("%s", buf);
	}
	ik_sb_free(&c1);
	ik_sb_free(&c2);
	peers[0] = r2;
	env.peers = peers;
	env.peer_files = files;
	env.npeers = 1;
	ik_sb_init(&out);
	*n = ik_check_config_env(r1, &env, &out, false, NULL);
	s = strdup(ik_sb_str(&out));
	ik_sb_free(&out);
	ik_config_unref(r2);
	ik_config_unref(r1);
	return s;
}

/* L1: mirror images agree (a narrower line on one side is inside the
 * other's), no finding; without the peer's file, none either. */
START_TEST(mirror_clean)
{
	int n;
	char *s = check_pair(" permit ip 10.1.0.0 0.0.0.255 10.2.0.0 0.0.0.255\n",
			     " permit ip 10.2.0.0 0.0.0.255 10.1.0.0 0.0.0.255\n"
			     " permit ip 10.2.0.0 0.0.0.127 10.1.0.0 0.0.0.255\n", false, &n);

	ck_assert_msg(n == 0, "%s", s);
	free(s);
}
END_TEST

/* L1: a line of this router that the peer's map refuses (IKEv1: Quick Mode
 * fails at the peer), and a line of the peer's that this router refuses,
 * each named in its own file. */
START_TEST(mirror_missing_both_ways)
{
	int n;
	char *s = check_pair(" permit ip 10.1.0.0 0.0.0.255 10.2.0.0 0.0.0.255\n"
			     " permit ip 10.1.0.0 0.0.0.255 10.9.0.0 0.0.0.255\n",
			     " permit ip 10.2.0.0 0.0.0.255 10.1.0.0 0.0.0.255\n"
			     " permit ip 10.2.0.0 0.0.0.255 10.1.7.0 0.0.0.255\n", false, &n);

	ck_assert_msg(n == 2, "%s", s);
	HAS(s, "error: L1: crypto map CM 10: access list A line 20 has no mirror image in "
	    "crypto map CM of the peer 192.0.2.2 (r2.conf)\n");
	HAS(s, "line r1.conf:8: permit ip 10.1.0.0 0.0.0.255 10.9.0.0 0.0.0.255");
	HAS(s, "fails: this router initiating for this traffic: Quick Mode fails at the "
	    "responder (proxy identities not supported)");
	HAS(s, "r2.conf:9: error: L1: the peer's crypto map CM 10 (r2.conf): access list B "
	    "line 20 has no mirror image in crypto map CM here\n");
	HAS(s, "line r2.conf:8: permit ip 10.2.0.0 0.0.0.255 10.1.7.0 0.0.0.255");
	HAS(s, "fails: the peer initiating for this traffic: Quick Mode fails");
	free(s);
}
END_TEST

/* L1 over IKEv2: a line the responder can narrow is a note; one that
 * overlaps nothing of the peer's is an error (TS_UNACCEPTABLE). */
START_TEST(mirror_ikev2_narrow_or_refuse)
{
	int n;
	char *s = check_pair(" permit ip 10.1.0.0 0.0.255.255 10.2.0.0 0.0.0.255\n"
			     " permit ip 10.5.0.0 0.0.0.255 10.6.0.0 0.0.0.255\n",
			     " permit ip 10.2.0.0 0.0.0.255 10.1.0.0 0.0.0.255\n", true, &n);

	ck_assert_msg(n == 2, "%s", s);
	HAS(s, "note: L1: crypto map CM 10: access list A line 10 has no mirror image in "
	    "crypto map CM of the peer 192.0.2.2 (r2.conf): the peer narrows it (IKEv2)");
	HAS(s, "error: L1: crypto map CM 10: access list A line 20 has no mirror image");
	HAS(s, "the responder answers TS_UNACCEPTABLE");
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
	tcase_add_test(tc, mirror_clean);
	tcase_add_test(tc, mirror_missing_both_ways);
	tcase_add_test(tc, mirror_ikev2_narrow_or_refuse);
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
