/* Selection rules written as IOS configuration text (spec/selection-rules.md):
 * K1..K4, fVRF separation, P1..P3 on snapshots loaded by the parser, the
 * seed's R1/R2 (etc/examples) in both directions with the IOS trace lines,
 * the static checker (L1) on the seeds and on clean configurations, and the
 * explainer (L2). */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyring/resolver.h"
#include "profile/check.h"
#include "profile/profile.h"
#include "profile/snapshot.h"
#include "util/addr.h"
#include "util/secmem.h"

static struct ik_log_capture cap;
static struct ik_log lg = { .debug_mask = IK_DBG_ISAKMP | IK_DBG_ISAKMP_DETAIL,
			    .sink = ik_log_capture_sink,
			    .ctx = &cap };

static void setup(void)
{
	ik_secmem_init();
	ik_log_capture_clear(&cap);
}

static void teardown(void)
{
	ik_log_capture_clear(&cap);
}

static uint32_t ip(const char *s)
{
	uint32_t a = 0;

	ck_assert_int_eq(ik_addr_parse(s, &a), 0);
	return a;
}

static struct ik_config *load(const char *text)
{
	struct ik_conf_error err;
	struct ik_config *cfg = ik_snapshot_load_string(text, "test.conf", &err);

	ck_assert_msg(cfg != NULL, "%s:%d: %s", err.file, err.line, err.msg);
	ck_assert_ptr_nonnull(cfg->resolver);
	ck_assert_ptr_nonnull(cfg->pindex);
	return cfg;
}

static struct ik_config *load_example(const char *name)
{
	struct ik_conf_error err;
	char path[512];
	struct ik_config *cfg;

	snprintf(path, sizeof(path), "%s/etc/examples/%s", TOP_SRCDIR, name);
	cfg = ik_snapshot_load_file(path, &err);
	ck_assert_msg(cfg != NULL, "%s:%d: %s", err.file, err.line, err.msg);
	return cfg;
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

/* K2: the seed's initiator without a profile: the /24 of keyring1, then the
 * /32 of keyring2, with the exact IOS lines. */
START_TEST(text_k2_initiator_no_profile)
{
	struct ik_config *cfg = load(
		"crypto keyring keyring1\n"
		"  pre-shared-key address 192.168.0.0 255.255.255.0 key cisco\n"
		"crypto keyring keyring2\n"
		"  pre-shared-key address 192.168.0.2 key cisco\n"
		"crypto ipsec transform-set TS esp-aes esp-sha256-hmac\n"
		" mode tunnel\n"
		"crypto ipsec profile profile1\n"
		" set transform-set TS\n"
		"interface Tunnel1\n"
		" ip address 10.0.0.1 255.255.255.0\n"
		" tunnel destination 192.168.0.2\n"
		" tunnel protection ipsec profile profile1\n");
	struct ik_trace tr = { .log = &lg, .conn_id = 0 };
	const struct ik_isakmp_profile *p;
	const struct ik_key *k;

	p = ik_profile_for_initiator(cfg, cfg->ifaces[0]->protection, NULL, 0, ip("192.168.0.2"),
				     &tr);
	ck_assert_ptr_null(p);
	k = ik_resolve_initiator(cfg->resolver, p, NULL, 0, ip("192.168.0.2"), &tr);
	ck_assert_str_eq(ring_of(k), "keyring2");
	expect_trace("ISAKMP:(0):key for 192.168.0.2 not available in default",
		     "ISAKMP:(0):key for 192.168.0.2 found in keyring1",
		     "ISAKMP:(0):ISAKMP: Selecting 192.168.0.0,255.255.255.0 as key",
		     "ISAKMP:(0):key for 192.168.0.2 found in keyring2",
		     "ISAKMP:(0):ISAKMP: Selecting 192.168.0.2,255.255.255.255 as final key",
		     "ISAKMP:(0):found peer pre-shared key matching 192.168.0.2", NULL);
	ik_config_unref(cfg);
}
END_TEST

/* K3.5: the responder with different addresses: the most specific whatever
 * the order (the seed's 192.168.0.0/16 in keyring1, 192.168.0.2 in keyring2). */
START_TEST(text_k3_responder_most_specific)
{
	struct ik_config *cfg = load(
		"crypto keyring keyring1\n"
		" pre-shared-key address 192.168.0.0 255.255.0.0 key cisco\n"
		"crypto keyring keyring2\n"
		" pre-shared-key address 192.168.0.2 key cisco2\n");
	const struct ik_key *k;

	k = ik_resolve_responder(cfg->resolver, NULL, 0, ip("192.168.0.2"), NULL);
	ck_assert_str_eq(ring_of(k), "keyring2");
	ck_assert_str_eq((const char *)k->secret->p, "cisco2");
	k = ik_resolve_responder(cfg->resolver, NULL, 0, ip("192.168.7.2"), NULL);
	ck_assert_str_eq(ring_of(k), "keyring1");
	ik_config_unref(cfg);
}
END_TEST

/* K3.3 / K4: the seed's global key comes last in the file but is searched
 * first, and wins over the /32 of keyring2. */
START_TEST(text_k4_global_key_first)
{
	struct ik_config *cfg = load(
		"crypto keyring keyring1\n"
		" pre-shared-key address 192.168.0.0 255.255.0.0 key cisco\n"
		"crypto keyring keyring2\n"
		" pre-shared-key address 192.168.0.2 key cisco2\n"
		"crypto isakmp key cisco3 address 0.0.0.0\n");
	struct ik_trace tr = { .log = &lg, .conn_id = 0 };
	const struct ik_key *k;

	k = ik_resolve_responder(cfg->resolver, NULL, 0, ip("192.168.0.2"), &tr);
	ck_assert_str_eq(ring_of(k), "default");
	ck_assert_str_eq((const char *)k->secret->p, "cisco3");
	ck_assert_int_eq(cap.n, 3);
	ck_assert_str_eq(cap.lines[0], "ISAKMP:(0):key for 192.168.0.2 found in default");
	ik_log_capture_clear(&cap);
	ik_config_unref(cfg);
}
END_TEST

/* K3.2 / K3.4: keyrings of a front-door VRF answer only that VRF. */
START_TEST(text_fvrf_separation)
{
	struct ik_config *cfg = load(
		"ip vrf INET\n"
		"crypto keyring inet vrf INET\n"
		" pre-shared-key address 203.0.113.0 255.255.255.0 key vrfkey\n"
		"crypto keyring global\n"
		" pre-shared-key address 198.51.100.7 key globalkey\n"
		"crypto keyring inet2 vrf INET\n"
		" pre-shared-key address 203.0.113.9 key vrfkey2\n");

	ck_assert_ptr_null(ik_resolve_responder(cfg->resolver, NULL, 0, ip("203.0.113.9"), NULL));
	ck_assert_str_eq(ring_of(ik_resolve_responder(cfg->resolver, "INET", 0, ip("203.0.113.9"),
						      NULL)), "inet2");
	ck_assert_str_eq(ring_of(ik_resolve_responder(cfg->resolver, "INET", 0, ip("203.0.113.1"),
						      NULL)), "inet");
	ck_assert_ptr_null(ik_resolve_responder(cfg->resolver, "INET", 0, ip("198.51.100.7"), NULL));
	ck_assert_str_eq(ring_of(ik_resolve_responder(cfg->resolver, NULL, 0, ip("198.51.100.7"),
						      NULL)), "global");
	ik_config_unref(cfg);
}
END_TEST

/* P1: most specific, whatever the order of the profiles; fVRF in the match. */
START_TEST(text_p1_most_specific_and_fvrf)
{
	struct ik_config *cfg = load(
		"ip vrf INET\n"
		"crypto keyring keyring\n"
		" pre-shared-key address 192.168.0.0 255.255.255.0 key cisco\n"
		"crypto isakmp profile profile2\n"
		" keyring keyring\n"
		" match identity address 192.168.0.1 255.255.255.255\n"
		"crypto isakmp profile profile1\n"
		" keyring keyring\n"
		" match identity address 192.168.0.0 255.255.255.0\n"
		"crypto isakmp profile invrf\n"
		" match identity address 192.168.0.1 255.255.255.255 INET\n");
	struct ik_trace tr = { .log = &lg, .conn_id = 1003 };
	struct ik_peer_id id = { .type = IK_PEER_ID_IPV4, .addr = ip("192.168.0.1") };
	const struct ik_isakmp_profile *p;

	p = ik_profile_match_responder(cfg, NULL, 0, &id, &tr);
	ck_assert_str_eq(p->name, "profile2");
	expect_trace("ISAKMP:(0):: peer matches profile2 profile", NULL);
	p = ik_profile_match_responder(cfg, "INET", 0, &id, NULL);
	ck_assert_str_eq(p->name, "invrf");
	id.addr = ip("192.168.0.77");
	p = ik_profile_match_responder(cfg, NULL, 0, &id, NULL);
	ck_assert_str_eq(p->name, "profile1");
	ck_assert_ptr_null(ik_profile_match_responder(cfg, "INET", 0, &id, &tr));
	expect_trace("ISAKMP:(0):: peer matches *none* of the profiles", NULL);
	ik_config_unref(cfg);
}
END_TEST

/* P3: without set isakmp-profile the most specific profile for the peer. */
START_TEST(text_p3_without_set_isakmp_profile)
{
	struct ik_config *cfg = load(
		"crypto keyring keyring\n"
		" pre-shared-key address 192.168.0.0 255.255.255.0 key cisco\n"
		"crypto isakmp profile profile1\n"
		" keyring keyring\n"
		" match identity address 192.168.0.0 255.255.255.0\n"
		"crypto isakmp profile profile2\n"
		" keyring keyring\n"
		" match identity address 192.168.0.2 255.255.255.255\n"
		"crypto ipsec transform-set TS esp-aes esp-sha256-hmac\n"
		"crypto ipsec profile profile1\n"
		" set transform-set TS\n");
	struct ik_trace tr = { .log = &lg, .conn_id = 0 };
	const struct ik_isakmp_profile *p;

	p = ik_profile_for_initiator(cfg, cfg->ipsec_profiles[0], NULL, 0, ip("192.168.0.2"), &tr);
	ck_assert_str_eq(p->name, "profile2");
	expect_trace("ISAKMP:(0): SA request profile is profile2", NULL);
	ik_config_unref(cfg);
}
END_TEST

/* The seed, both directions, on etc/examples/seed-r1.conf and seed-r2.conf. */
START_TEST(text_seed_both_directions)
{
	struct ik_config *r1 = load_example("seed-r1.conf"), *r2 = load_example("seed-r2.conf");
	struct ik_trace tr = { .log = &lg, .conn_id = 0 };
	struct ik_peer_id id1 = { .type = IK_PEER_ID_IPV4, .addr = ip("192.168.0.1") };
	struct ik_peer_id id2 = { .type = IK_PEER_ID_IPV4, .addr = ip("192.168.0.2") };
	const struct ik_isakmp_profile *p;
	const struct ik_key *k;

	/* R1 initiates: P3 then K1 on R1 */
	p = ik_profile_for_initiator(r1, r1->ipsec_profiles[0], NULL, 0, ip("192.168.0.2"), &tr);
	k = ik_resolve_initiator(r1->resolver, p, NULL, 0, ip("192.168.0.2"), &tr);
	expect_trace("ISAKMP:(0): SA request profile is profile2",
		     "ISAKMP:(0):Found ADDRESS key in keyring keyring2", NULL);
	/* R2 responds: keyring1 at MM3, profile1 after MM5, P2 passes */
	k = ik_resolve_responder(r2->resolver, NULL, 0, ip("192.168.0.1"), NULL);
	ck_assert_str_eq(ring_of(k), "keyring1");
	tr.conn_id = 1011;
	p = ik_profile_match_responder(r2, NULL, 0, &id1, &tr);
	ck_assert(ik_profile_check_responder(r2, p, k, NULL, 0, ip("192.168.0.1"), &tr));
	expect_trace("ISAKMP:(0):: peer matches profile1 profile",
		     "ISAKMP:(1011):Found ADDRESS key in keyring keyring1", NULL);

	/* R2 initiates: profile1, keyring1 */
	tr.conn_id = 0;
	p = ik_profile_for_initiator(r2, r2->ipsec_profiles[0], NULL, 0, ip("192.168.0.1"), &tr);
	k = ik_resolve_initiator(r2->resolver, p, NULL, 0, ip("192.168.0.1"), &tr);
	expect_trace("ISAKMP:(0): SA request profile is profile1",
		     "ISAKMP:(0):Found ADDRESS key in keyring keyring1", NULL);
	/* R1 responds: keyring1 at MM3, profile2 after MM5, P2 fails */
	k = ik_resolve_responder(r1->resolver, NULL, 0, ip("192.168.0.2"), NULL);
	ck_assert_str_eq(ring_of(k), "keyring1");
	tr.conn_id = 1012;
	p = ik_profile_match_responder(r1, NULL, 0, &id2, &tr);
	ck_assert(!ik_profile_check_responder(r1, p, k, NULL, 0, ip("192.168.0.2"), &tr));
	expect_trace("ISAKMP:(0):: peer matches profile2 profile",
		     "ISAKMP:(1012):Found ADDRESS key in keyring keyring2",
		     "ISAKMP:(1012): Key not found in keyrings of profile , aborting exchange",
		     NULL);
	ik_config_unref(r1);
	ik_config_unref(r2);
}
END_TEST

/* L1 on the seed files: R1 reports that sessions initiated by R2 fail (P2);
 * R2 reports no failure of R1-initiated sessions, only the K3.6 tie. */
START_TEST(text_l1_seeds)
{
	struct ik_config *r1 = load_example("seed-r1.conf"), *r2 = load_example("seed-r2.conf");
	struct ik_sb out;

	ik_sb_init(&out);
	ck_assert_int_ge(ik_check_config(r1, &out, false), 2);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), "error: P2: profile profile2 matches "
				     "192.168.0.2"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), "fails: sessions initiated by 192.168.0.2 "
				     "toward this router fail at MM5"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), "warning: K3.6: "));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), "seed-r1.conf:"));
	ik_sb_reset(&out);
	ik_check_config(r2, &out, false);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), "warning: K3.6: "));
	ck_assert_ptr_null(strstr(ik_sb_str(&out), ": P2: "));
	ck_assert_ptr_null(strstr(ik_sb_str(&out), ": P4: "));
	ck_assert_ptr_null(strstr(ik_sb_str(&out), "error"));
	ik_sb_free(&out);
	ik_config_unref(r1);
	ik_config_unref(r2);
}
END_TEST

/* L1 on clean configurations: the shipped hub and spoke, and one with
 * fVRF keyrings, a shorter match covering /32 keys, and P3 without a set. */
START_TEST(text_l1_clean_configs)
{
	static const char *examples[] = { "hub.conf", "spoke1.conf", "ipv6-in-gre.conf" };
	struct ik_sb out;

	ik_sb_init(&out);
	for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++) {
		struct ik_config *cfg = load_example(examples[i]);

		ck_assert_msg(ik_check_config(cfg, &out, false) == 0, "%s: %s", examples[i],
			      ik_sb_str(&out));
		ik_config_unref(cfg);
	}
	struct ik_config *cfg = load(
		"ip vrf INET\n"
		"crypto keyring branches\n"
		" pre-shared-key address 198.51.100.0 255.255.255.0 key branches\n"
		" pre-shared-key address 198.51.100.20 key branch20\n"
		"crypto keyring partners vrf INET\n"
		" pre-shared-key address 203.0.113.5 key partner5\n"
		"crypto isakmp profile branches\n"
		" keyring branches\n"
		" match identity address 198.51.100.0 255.255.255.0\n"
		"crypto isakmp profile partners\n"
		" keyring partners\n"
		" match identity address 203.0.113.5 255.255.255.255 INET\n"
		"crypto ipsec transform-set TS esp-aes esp-sha256-hmac\n"
		"crypto ipsec profile branches\n"
		" set transform-set TS\n"
		" set isakmp-profile branches\n"
		"crypto ipsec profile plain\n"
		" set transform-set TS\n"
		"interface Tunnel20\n"
		" ip address 10.0.20.1 255.255.255.252\n"
		" tunnel destination 198.51.100.20\n"
		" tunnel protection ipsec profile branches\n"
		"interface Tunnel21\n"
		" ip address 10.0.21.1 255.255.255.252\n"
		" tunnel destination 198.51.100.21\n"
		" tunnel protection ipsec profile plain\n");

	ck_assert_msg(ik_check_config(cfg, &out, false) == 0, "%s", ik_sb_str(&out));
	ck_assert_int_eq(ik_check_config(cfg, &out, true), 0);
	ck_assert_str_eq(ik_sb_str(&out), "[]\n");
	ik_sb_free(&out);
	ik_config_unref(cfg);
}
END_TEST

/* L2 on the seed's R1 for R2's address, as text. */
START_TEST(text_l2_explain_seed_r1)
{
	struct ik_config *r1 = load_example("seed-r1.conf");
	struct ik_sb out;

	ik_sb_init(&out);
	ck_assert_int_eq(ik_explain_responder(r1, NULL, 0, ip("192.168.0.2"), NULL, &out, false), 1);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out),
		"ISAKMP:(0):found peer pre-shared key matching 192.168.0.2\n"
		"ISAKMP:(0):: peer matches profile2 profile\n"
		"ISAKMP:(0):Found ADDRESS key in keyring keyring2\n"
		"ISAKMP:(0): Key not found in keyrings of profile , aborting exchange\n"
		"ISAKMP (0): FSM action returned error: 2\n"
		"Verdict: phase 1 would fail at MM5: "));
	ik_sb_free(&out);
	ik_config_unref(r1);
}
END_TEST

static Suite *conf_suite(void)
{
	Suite *s = suite_create("select-conf");
	TCase *t = tcase_create("text");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, text_k2_initiator_no_profile);
	tcase_add_test(t, text_k3_responder_most_specific);
	tcase_add_test(t, text_k4_global_key_first);
	tcase_add_test(t, text_fvrf_separation);
	tcase_add_test(t, text_p1_most_specific_and_fvrf);
	tcase_add_test(t, text_p3_without_set_isakmp_profile);
	tcase_add_test(t, text_seed_both_directions);
	tcase_add_test(t, text_l1_seeds);
	tcase_add_test(t, text_l1_clean_configs);
	tcase_add_test(t, text_l2_explain_seed_r1);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(conf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
