/* Unit tests of keyring and profile selection: rules K1..K4 and P1..P3 of
 * spec/selection-rules.md, with the IOS trace lines compared exactly, and the
 * seed's R1/R2 decisions in both directions. Models are built by hand
 * (test_select_model.c). */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyring/lpm.h"
#include "keyring/resolver.h"
#include "profile/profile.h"
#include "test_select_model.h"
#include "util/addr.h"

static struct ik_log_capture cap;
static struct ik_log lg = { .debug_mask = IK_DBG_ISAKMP | IK_DBG_ISAKMP_DETAIL,
			    .sink = ik_log_capture_sink,
			    .ctx = &cap };
static struct ik_trace tr0 = { .log = &lg, .conn_id = 0 };

/* The captured lines equal the expected ones, in order and in number. */
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

static void setup(void)
{
	ik_log_capture_clear(&cap);
}

static void teardown(void)
{
	ik_log_capture_clear(&cap);
}

/* K2: no profile configured; the seed's /24 in keyring1 then /32 in keyring2,
 * with the exact IOS sequence. */
START_TEST(k2_initiator_most_specific_trace)
{
	struct ik_config *cfg = tm_new();
	struct ik_keyring *k1 = tm_keyring(cfg, "keyring1", NULL);
	struct ik_keyring *k2 = tm_keyring(cfg, "keyring2", NULL);
	struct ik_key *a = tm_key(cfg, k1, "192.168.0.0", "255.255.255.0", "cisco");
	struct ik_key *b = tm_key(cfg, k2, "192.168.0.2", NULL, "cisco");
	const struct ik_key *k;

	(void)a;
	tm_index(cfg);
	k = ik_resolve_initiator(cfg->resolver, NULL, NULL, 0, tm_ip("192.168.0.2"), &tr0);
	ck_assert_ptr_eq(k, b);
	expect_trace("ISAKMP:(0):key for 192.168.0.2 not available in default",
		     "ISAKMP:(0):key for 192.168.0.2 found in keyring1",
		     "ISAKMP:(0):ISAKMP: Selecting 192.168.0.0,255.255.255.0 as key",
		     "ISAKMP:(0):key for 192.168.0.2 found in keyring2",
		     "ISAKMP:(0):ISAKMP: Selecting 192.168.0.2,255.255.255.255 as final key",
		     "ISAKMP:(0):found peer pre-shared key matching 192.168.0.2", NULL);
	/* another host of the /24 gets keyring1's key */
	k = ik_resolve_initiator(cfg->resolver, NULL, NULL, 0, tm_ip("192.168.0.7"), &tr0);
	ck_assert_ptr_eq(k, a);
	expect_trace("ISAKMP:(0):key for 192.168.0.7 not available in default",
		     "ISAKMP:(0):key for 192.168.0.7 found in keyring1",
		     "ISAKMP:(0):ISAKMP: Selecting 192.168.0.0,255.255.255.0 as final key",
		     "ISAKMP:(0):found peer pre-shared key matching 192.168.0.7", NULL);
	tm_free(cfg);
}
END_TEST

/* K3.5: the responder picks the most specific key whatever the order of the
 * keyrings (the /32 is in the first keyring here, the /16 in the second). */
START_TEST(k3_responder_longest_prefix_any_order)
{
	struct ik_config *cfg = tm_new();
	struct ik_keyring *k2 = tm_keyring(cfg, "keyring2", NULL);
	struct ik_keyring *k1 = tm_keyring(cfg, "keyring1", NULL);
	struct ik_key *b = tm_key(cfg, k2, "192.168.0.2", NULL, "cisco2");
	struct ik_key *a = tm_key(cfg, k1, "192.168.0.0", "255.255.0.0", "cisco");

	tm_index(cfg);
	ck_assert_ptr_eq(ik_resolve_responder(cfg->resolver, NULL, 0, tm_ip("192.168.0.2"), &tr0), b);
	expect_trace("ISAKMP:(0):key for 192.168.0.2 not available in default",
		     "ISAKMP:(0):key for 192.168.0.2 found in keyring2",
		     "ISAKMP:(0):ISAKMP: Selecting 192.168.0.2,255.255.255.255 as final key",
		     "ISAKMP:(0):key for 192.168.0.2 found in keyring1",
		     "ISAKMP:(0):found peer pre-shared key matching 192.168.0.2", NULL);
	ck_assert_ptr_eq(ik_resolve_responder(cfg->resolver, NULL, 0, tm_ip("192.168.5.5"), NULL), a);
	ck_assert_ptr_null(ik_resolve_responder(cfg->resolver, NULL, 0, tm_ip("192.169.0.2"), NULL));
	tm_free(cfg);
}
END_TEST

/* K3.6: the same address and mask in two keyrings: the first configured wins,
 * and ikerd says so. */
START_TEST(k3_6_tie_first_configured_wins)
{
	struct ik_config *cfg = tm_seed_r1();
	const struct ik_key *k;

	k = ik_resolve_responder(cfg->resolver, NULL, 0, tm_ip("192.168.0.2"), &tr0);
	ck_assert_ptr_nonnull(k);
	ck_assert_str_eq(k->ring->name, "keyring1");
	expect_trace("ISAKMP:(0):key for 192.168.0.2 not available in default",
		     "ISAKMP:(0):key for 192.168.0.2 found in keyring1",
		     "ISAKMP:(0):ISAKMP: Selecting 192.168.0.2,255.255.255.255 as final key",
		     "ISAKMP:(0):key for 192.168.0.2 found in keyring2",
		     "ikerd:(0): K3.6: 192.168.0.2,255.255.255.255 is configured in keyring "
		     "keyring1 and in keyring keyring2; keeping the first configured, keyring1 "
		     "(IOS calls this unpredictable, use one keyring per address)",
		     "ISAKMP:(0):found peer pre-shared key matching 192.168.0.2", NULL);
	tm_free(cfg);
}
END_TEST

/* K3.3 / K4: the default keyring is searched first; its 0.0.0.0/0 key wins
 * over a /32 in a keyring, even though it is configured last. */
START_TEST(k4_default_keyring_shadows)
{
	struct ik_config *cfg = tm_new();
	struct ik_keyring *k1 = tm_keyring(cfg, "keyring1", NULL);
	struct ik_keyring *k2 = tm_keyring(cfg, "keyring2", NULL);
	const struct ik_key *k;

	tm_key(cfg, k1, "192.168.0.0", "255.255.0.0", "cisco");
	tm_key(cfg, k2, "192.168.0.2", NULL, "cisco2");
	struct ik_key *g = tm_key(cfg, NULL, "0.0.0.0", "0.0.0.0", "cisco3");
	tm_index(cfg);
	k = ik_resolve_responder(cfg->resolver, NULL, 0, tm_ip("192.168.0.2"), &tr0);
	ck_assert_ptr_eq(k, g);
	ck_assert_str_eq(k->ring->name, "default");
	expect_trace("ISAKMP:(0):key for 192.168.0.2 found in default",
		     "ISAKMP:(0):ISAKMP: Selecting 0.0.0.0,0.0.0.0 as final key",
		     "ISAKMP:(0):found peer pre-shared key matching 192.168.0.2", NULL);
	/* K2 consults the default keyring first too */
	k = ik_resolve_initiator(cfg->resolver, NULL, NULL, 0, tm_ip("192.168.0.2"), NULL);
	ck_assert_ptr_eq(k, g);
	/* the default keyring belongs to the global VRF only */
	ck_assert_ptr_null(ik_resolve_responder(cfg->resolver, "A", 0, tm_ip("192.168.0.2"), NULL));
	tm_free(cfg);
}
END_TEST

/* K4: "crypto isakmp key X address 0.0.0.0" with the mask omitted is the
 * wildcard 0.0.0.0 0.0.0.0, as IOS shows it ("0.0.0.0 [0.0.0.0]"). */
START_TEST(k4_address_0_without_mask_is_wildcard)
{
	struct ik_config *cfg = tm_new();
	struct ik_keyring *k2 = tm_keyring(cfg, "keyring2", NULL);
	const struct ik_key *k;

	tm_key(cfg, k2, "192.168.0.2", NULL, "cisco2");
	struct ik_key *g = tm_key(cfg, NULL, "0.0.0.0", NULL, "cisco3");
	tm_index(cfg);
	ck_assert_int_eq(ik_key_plen(g), 0);
	ck_assert_uint_eq(ik_key_mask(g), 0);
	k = ik_resolve_responder(cfg->resolver, NULL, 0, tm_ip("192.168.0.2"), &tr0);
	ck_assert_ptr_eq(k, g);
	expect_trace("ISAKMP:(0):key for 192.168.0.2 found in default",
		     "ISAKMP:(0):ISAKMP: Selecting 0.0.0.0,0.0.0.0 as final key",
		     "ISAKMP:(0):found peer pre-shared key matching 192.168.0.2", NULL);
	tm_free(cfg);
}
END_TEST

/* K3.2 / K3.4: keyrings bound to an fVRF answer only peers of that fVRF and are
 * concatenated in configuration order; a global keyring never answers there. */
START_TEST(k3_fvrf_separation_and_concatenation)
{
	struct ik_config *cfg = tm_new();
	struct ik_keyring *a1 = tm_keyring(cfg, "ringA1", "A");
	struct ik_keyring *g = tm_keyring(cfg, "global1", NULL);
	struct ik_keyring *b1 = tm_keyring(cfg, "ringB1", "B");
	struct ik_keyring *a2 = tm_keyring(cfg, "ringA2", "A");
	struct ik_key *ka1 = tm_key(cfg, a1, "10.0.0.0", "255.0.0.0", "a1");
	struct ik_key *ka2 = tm_key(cfg, a2, "10.1.1.1", NULL, "a2");
	struct ik_key *ka2b = tm_key(cfg, a2, "10.0.0.0", "255.0.0.0", "a2b");
	struct ik_key *kg = tm_key(cfg, g, "10.1.1.1", NULL, "g");
	struct ik_key *kb = tm_key(cfg, b1, "172.16.0.0", "255.240.0.0", "b");
	(void)ka2b;
	tm_index(cfg);
	ck_assert_ptr_eq(ik_resolve_responder(cfg->resolver, "A", 0, tm_ip("10.1.1.1"), NULL), ka2);
	/* tie between ringA1 and ringA2 for 10/8: ringA1 is first in VRF A */
	ck_assert_ptr_eq(ik_resolve_responder(cfg->resolver, "A", 0, tm_ip("10.9.9.9"), &tr0), ka1);
	expect_trace("ISAKMP:(0):key for 10.9.9.9 found in ringA1",
		     "ISAKMP:(0):ISAKMP: Selecting 10.0.0.0,255.0.0.0 as final key",
		     "ISAKMP:(0):key for 10.9.9.9 found in ringA2",
		     "ikerd:(0): K3.6: 10.0.0.0,255.0.0.0 is configured in keyring ringA1 "
		     "and in keyring ringA2; keeping the first configured, ringA1 (IOS "
		     "calls this unpredictable, use one keyring per address)",
		     "ISAKMP:(0):found peer pre-shared key matching 10.9.9.9", NULL);
	ck_assert_ptr_eq(ik_resolve_responder(cfg->resolver, NULL, 0, tm_ip("10.1.1.1"), NULL), kg);
	/* a key in a VRF keyring never answers a global peer, nor another VRF */
	ck_assert_ptr_null(ik_resolve_responder(cfg->resolver, NULL, 0, tm_ip("10.9.9.9"), NULL));
	ck_assert_ptr_null(ik_resolve_responder(cfg->resolver, "B", 0, tm_ip("10.1.1.1"), NULL));
	ck_assert_ptr_null(ik_resolve_responder(cfg->resolver, NULL, 0, tm_ip("172.16.1.1"), NULL));
	ck_assert_ptr_eq(ik_resolve_responder(cfg->resolver, "B", 0, tm_ip("172.16.1.1"), NULL), kb);
	ck_assert_ptr_null(ik_resolve_responder(cfg->resolver, "C", 0, tm_ip("172.16.1.1"), &tr0));
	expect_trace("ISAKMP:(0):No pre-shared key with 172.16.1.1!", NULL);
	tm_free(cfg);
}
END_TEST

/* K3.1: hostname keys are never considered by the address resolver. */
START_TEST(k3_1_hostname_keys_ignored)
{
	struct ik_config *cfg = tm_new();
	struct ik_keyring *k1 = tm_keyring(cfg, "keyring1", NULL);

	tm_key_host(cfg, k1, "r2.example.net", "cisco");
	tm_index(cfg);
	ck_assert_ptr_null(ik_resolve_responder(cfg->resolver, NULL, 0, tm_ip("192.168.0.9"), &tr0));
	expect_trace("ISAKMP:(0):key for 192.168.0.9 not available in default",
		     "ISAKMP:(0):No pre-shared key with 192.168.0.9!", NULL);
	tm_free(cfg);
}
END_TEST

/* Tracing off, or no trace at all: the same answer and not one line. */
START_TEST(k_no_trace_no_text)
{
	struct ik_config *cfg = tm_seed_r1();
	struct ik_log off = { .debug_mask = IK_DBG_IPSEC, .sink = ik_log_capture_sink,
			      .ctx = &cap };
	struct ik_trace troff = { .log = &off, .conn_id = 5 };
	const struct ik_key *a, *b;

	a = ik_resolve_responder(cfg->resolver, NULL, 0, tm_ip("192.168.0.2"), NULL);
	b = ik_resolve_responder(cfg->resolver, NULL, 0, tm_ip("192.168.0.2"), &troff);
	ck_assert_ptr_eq(a, b);
	struct ik_peer_id none = { .type = IK_PEER_ID_IPV4, .addr = tm_ip("1.1.1.1") };

	ck_assert_ptr_null(ik_profile_match_responder(cfg, NULL, 0, &none, &troff));
	ck_assert_uint_eq(cap.n, 0);
	tm_free(cfg);
}
END_TEST

/* K1: the initiator with a profile looks only in the profile's keyrings, in
 * the profile's order. */
START_TEST(k1_initiator_profile_keyrings)
{
	struct ik_config *cfg = tm_seed_r1();
	const struct ik_isakmp_profile *p2 = cfg->profiles[1];
	struct ik_trace tr = { .log = &lg, .conn_id = 0 };
	const struct ik_key *k;

	k = ik_resolve_initiator(cfg->resolver, p2, NULL, 0, tm_ip("192.168.0.2"), &tr);
	ck_assert_ptr_nonnull(k);
	ck_assert_str_eq(k->ring->name, "keyring2");
	expect_trace("ISAKMP:(0):Found ADDRESS key in keyring keyring2", NULL);
	/* nothing for this peer in profile2's keyring */
	k = ik_resolve_initiator(cfg->resolver, p2, NULL, 0, tm_ip("192.168.0.3"), &tr);
	ck_assert_ptr_null(k);
	expect_trace("ISAKMP:(0):No pre-shared key with 192.168.0.3!", NULL);
	tm_free(cfg);
}
END_TEST

START_TEST(k1_profile_longest_over_its_keyrings)
{
	struct ik_config *cfg = tm_new();
	struct ik_keyring *k1 = tm_keyring(cfg, "keyring1", NULL);
	struct ik_keyring *k2 = tm_keyring(cfg, "keyring2", NULL);
	struct ik_keyring *k3 = tm_keyring(cfg, "keyring3", NULL);
	struct ik_isakmp_profile *p = tm_profile(cfg, "p");

	tm_key(cfg, k1, "10.1.1.1", NULL, "x");
	struct ik_key *w = tm_key(cfg, k2, "10.1.0.0", "255.255.0.0", "y");
	tm_key(cfg, k3, "10.0.0.0", "255.0.0.0", "z");
	struct ik_key *w3 = tm_key(cfg, k3, "10.1.0.0", "255.255.0.0", "z2");
	tm_profile_keyring(p, k3);
	tm_profile_keyring(p, k2);
	tm_index(cfg);
	/* keyring1's /32 is not the profile's; k3 and k2 tie at /16: k3 is first
	 * in the profile */
	ck_assert_ptr_eq(ik_resolve_initiator(cfg->resolver, p, NULL, 0, tm_ip("10.1.1.1"), NULL),
			 w3);
	(void)w;
	tm_free(cfg);
}
END_TEST

static struct ik_peer_id ipv4(const char *a)
{
	struct ik_peer_id id = { .type = IK_PEER_ID_IPV4, .addr = tm_ip(a) };

	return id;
}

/* P1: the most specific match wins whatever the order of the profiles; the
 * scan (no index) and the index agree. */
START_TEST(p1_most_specific_order_independent)
{
	for (int order = 0; order < 2; order++) {
		for (int indexed = 0; indexed < 2; indexed++) {
			struct ik_config *cfg = tm_new();
			struct ik_isakmp_profile *pa, *pb;
			struct ik_peer_id id = ipv4("192.168.0.1");

			if (order == 0) {
				pa = tm_profile(cfg, "profile1");
				pb = tm_profile(cfg, "profile2");
			} else {
				pb = tm_profile(cfg, "profile2");
				pa = tm_profile(cfg, "profile1");
			}
			tm_match_addr(cfg, pa, "192.168.0.0", "255.255.255.0", NULL);
			tm_match_addr(cfg, pb, "192.168.0.1", "255.255.255.255", NULL);
			if (indexed)
				tm_index(cfg);
			ck_assert_ptr_eq(ik_profile_match_responder(cfg, NULL, 0, &id, &tr0), pb);
			expect_trace("ISAKMP:(0):: peer matches profile2 profile", NULL);
			id = ipv4("192.168.0.9");
			ck_assert_ptr_eq(ik_profile_match_responder(cfg, NULL, 0, &id, NULL), pa);
			id = ipv4("192.168.1.9");
			ck_assert_ptr_null(ik_profile_match_responder(cfg, NULL, 0, &id, &tr0));
			expect_trace("ISAKMP:(0):: peer matches *none* of the profiles", NULL);
			tm_free(cfg);
		}
	}
}
END_TEST

/* P1: match identity address A M FVRF applies only to peers of that fVRF. */
START_TEST(p1_fvrf)
{
	struct ik_config *cfg = tm_new();
	struct ik_isakmp_profile *pg = tm_profile(cfg, "global");
	struct ik_isakmp_profile *pv = tm_profile(cfg, "inA");
	struct ik_peer_id id = ipv4("10.0.0.1");

	tm_match_addr(cfg, pg, "10.0.0.0", "255.0.0.0", NULL);
	tm_match_addr(cfg, pv, "10.0.0.1", "255.255.255.255", "A");
	tm_index(cfg);
	ck_assert_ptr_eq(ik_profile_match_responder(cfg, NULL, 0, &id, NULL), pg);
	ck_assert_ptr_eq(ik_profile_match_responder(cfg, "A", 0, &id, NULL), pv);
	ck_assert_ptr_null(ik_profile_match_responder(cfg, "B", 0, &id, NULL));
	tm_free(cfg);
}
END_TEST

/* P1: host and user-fqdn identities, compared without case; equal matches in
 * two profiles: the first configured, with a warning line. */
START_TEST(p1_names_and_tie)
{
	for (int indexed = 0; indexed < 2; indexed++) {
		struct ik_config *cfg = tm_new();
		struct ik_isakmp_profile *p1 = tm_profile(cfg, "profile1");
		struct ik_isakmp_profile *p2 = tm_profile(cfg, "profile2");
		struct ik_isakmp_profile *p3 = tm_profile(cfg, "profile3");
		struct ik_peer_id id = { .type = IK_PEER_ID_FQDN, .name = "R2.Example.NET" };

		tm_match_name(cfg, p1, IK_MATCH_HOST, "r2.example.net");
		tm_match_name(cfg, p2, IK_MATCH_USER_FQDN, "r2.example.net");
		tm_match_addr(cfg, p2, "10.0.0.0", "255.255.255.0", NULL);
		tm_match_addr(cfg, p3, "10.0.0.0", "255.255.255.0", NULL);
		if (indexed)
			tm_index(cfg);
		ck_assert_ptr_eq(ik_profile_match_responder(cfg, NULL, 0, &id, NULL), p1);
		id.type = IK_PEER_ID_USER_FQDN;
		ck_assert_ptr_eq(ik_profile_match_responder(cfg, NULL, 0, &id, NULL), p2);
		id.name = "r3.example.net";
		ck_assert_ptr_null(ik_profile_match_responder(cfg, NULL, 0, &id, NULL));
		id = ipv4("10.0.0.5");
		ck_assert_ptr_eq(ik_profile_match_responder(cfg, NULL, 0, &id, &tr0), p2);
		char w[512];
		snprintf(w, sizeof(w),
			 "ikerd:(0): P1 tie: peer matches profile profile2 (line %d) and "
			 "profile profile3 (line %d) equally specifically; using profile2, the "
			 "first configured (P1 tie)", p2->matches[1].line, p3->matches[0].line);
		expect_trace(w, "ISAKMP:(0):: peer matches profile2 profile", NULL);
		tm_free(cfg);
	}
}
END_TEST

/* P2: the keyring picked at MM3 must be one of the profile's keyrings; the
 * same key text in another keyring object fails. */
START_TEST(p2_keyring_cross_check)
{
	struct ik_config *cfg = tm_seed_r1();
	const struct ik_isakmp_profile *p1 = cfg->profiles[0], *p2 = cfg->profiles[1];
	const struct ik_key *k1 = cfg->keyrings[1]->keys[0], *k2 = cfg->keyrings[2]->keys[0];
	struct ik_trace tr = { .log = &lg, .conn_id = 1012 };

	ck_assert_str_eq((const char *)k1->secret->p, (const char *)k2->secret->p);
	ck_assert(ik_profile_check_keyring(p1, k1, &tr));
	ck_assert(ik_profile_check_keyring(p2, k2, &tr));
	ck_assert_uint_eq(cap.n, 0);
	ck_assert(!ik_profile_check_keyring(p2, k1, &tr));
	expect_trace("ISAKMP:(1012): Key not found in keyrings of profile , aborting exchange",
		     NULL);
	ck_assert(!ik_profile_check_keyring(p1, NULL, NULL));
	/* no profile matched: nothing to check */
	ck_assert(ik_profile_check_keyring(NULL, k1, &tr));
	tm_free(cfg);
}
END_TEST

/* P2: a profile without keyrings accepts only the default keyring. */
START_TEST(p2_profile_without_keyring)
{
	struct ik_config *cfg = tm_new();
	struct ik_keyring *k1 = tm_keyring(cfg, "keyring1", NULL);
	struct ik_key *kd = tm_key(cfg, NULL, "0.0.0.0", "0.0.0.0", "g");
	struct ik_key *kk = tm_key(cfg, k1, "10.0.0.1", NULL, "k");
	struct ik_isakmp_profile *p = tm_profile(cfg, "p");

	ck_assert(ik_profile_check_keyring(p, kd, NULL));
	ck_assert(!ik_profile_check_keyring(p, kk, NULL));
	tm_free(cfg);
}
END_TEST

/* P3: the IPsec profile's set isakmp-profile, else the most specific profile
 * for the peer address. */
START_TEST(p3_initiator_profile)
{
	struct ik_config *cfg = tm_new();
	struct ik_isakmp_profile *p1 = tm_profile(cfg, "profile1");
	struct ik_isakmp_profile *p2 = tm_profile(cfg, "profile2");
	struct ik_ipsec_profile *with, *without;

	tm_match_addr(cfg, p1, "192.168.0.0", "255.255.255.0", NULL);
	tm_match_addr(cfg, p2, "192.168.0.2", "255.255.255.255", NULL);
	with = tm_ipsec(cfg, "withp", p1);
	without = tm_ipsec(cfg, "without", NULL);
	tm_index(cfg);
	ck_assert_ptr_eq(ik_profile_for_initiator(cfg, without, NULL, 0, tm_ip("192.168.0.2"), &tr0),
			 p2);
	expect_trace("ISAKMP:(0): SA request profile is profile2", NULL);
	ck_assert_ptr_eq(ik_profile_for_initiator(cfg, with, NULL, 0, tm_ip("192.168.0.2"), &tr0),
			 p1);
	expect_trace("ISAKMP:(0): SA request profile is profile1", NULL);
	ck_assert_ptr_null(ik_profile_for_initiator(cfg, NULL, NULL, 0, tm_ip("10.0.0.1"), &tr0));
	ck_assert_uint_eq(cap.n, 0);
	tm_free(cfg);
}
END_TEST

/* The seed, R1 initiates: R1 uses profile2/keyring2 (P3, K1); R2 as
 * responder picks keyring1 at MM3 (K3.6), R1's identity matches profile1
 * whose keyring is keyring1: P2 passes. */
START_TEST(seed_r1_initiates_works)
{
	struct ik_config *r1 = tm_seed_r1(), *r2 = tm_seed_r2();
	struct ik_trace tr = { .log = &lg, .conn_id = 0 };
	const struct ik_isakmp_profile *p;
	const struct ik_key *k;
	struct ik_peer_id id = ipv4("192.168.0.1");

	p = ik_profile_for_initiator(r1, r1->ifaces[0]->protection, NULL, 0, tm_ip("192.168.0.2"),
				     &tr);
	k = ik_resolve_initiator(r1->resolver, p, NULL, 0, tm_ip("192.168.0.2"), &tr);
	expect_trace("ISAKMP:(0): SA request profile is profile2",
		     "ISAKMP:(0):Found ADDRESS key in keyring keyring2", NULL);
	ck_assert_str_eq(k->ring->name, "keyring2");

	k = ik_resolve_responder(r2->resolver, NULL, 0, tm_ip("192.168.0.1"), NULL);
	ck_assert_str_eq(k->ring->name, "keyring1");
	tr.conn_id = 1011;
	p = ik_profile_match_responder(r2, NULL, 0, &id, &tr);
	ck_assert_str_eq(p->name, "profile1");
	ck_assert(ik_profile_check_responder(r2, p, k, NULL, 0, tm_ip("192.168.0.1"), &tr));
	expect_trace("ISAKMP:(0):: peer matches profile1 profile",
		     "ISAKMP:(1011):Found ADDRESS key in keyring keyring1", NULL);
	tm_free(r1);
	tm_free(r2);
}
END_TEST

/* The seed, R2 initiates: R2 uses profile1/keyring1; R1 as responder picks
 * keyring1 at MM3, R2's identity matches profile2 (keyring2): P2 fails with
 * IOS's lines. */
START_TEST(seed_r2_initiates_fails_p2)
{
	struct ik_config *r1 = tm_seed_r1(), *r2 = tm_seed_r2();
	struct ik_trace tr = { .log = &lg, .conn_id = 0 };
	const struct ik_isakmp_profile *p;
	const struct ik_key *k;
	struct ik_peer_id id = ipv4("192.168.0.2");

	p = ik_profile_for_initiator(r2, r2->ifaces[0]->protection, NULL, 0, tm_ip("192.168.0.1"),
				     &tr);
	k = ik_resolve_initiator(r2->resolver, p, NULL, 0, tm_ip("192.168.0.1"), &tr);
	expect_trace("ISAKMP:(0): SA request profile is profile1",
		     "ISAKMP:(0):Found ADDRESS key in keyring keyring1", NULL);

	k = ik_resolve_responder(r1->resolver, NULL, 0, tm_ip("192.168.0.2"), NULL);
	ck_assert_str_eq(k->ring->name, "keyring1");
	tr.conn_id = 1012;
	p = ik_profile_match_responder(r1, NULL, 0, &id, &tr);
	ck_assert_str_eq(p->name, "profile2");
	ck_assert(!ik_profile_check_responder(r1, p, k, NULL, 0, tm_ip("192.168.0.2"), &tr));
	expect_trace("ISAKMP:(0):: peer matches profile2 profile",
		     "ISAKMP:(1012):Found ADDRESS key in keyring keyring2",
		     "ISAKMP:(1012): Key not found in keyrings of profile , aborting exchange",
		     NULL);
	tm_free(r1);
	tm_free(r2);
}
END_TEST

/* ---- randomized agreement with a plain reading of the rules ---- */

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* K3 read literally: default keyring first (longest, first), else the
 * keyrings of the fVRF in order, longest prefix, first on ties. */
static const struct ik_key *ref_responder(const struct ik_config *cfg, const char *fvrf,
					  uint32_t peer)
{
	const struct ik_key *best = NULL;

	if (!fvrf) {
		const struct ik_keyring *d = cfg->keyrings[0];

		for (size_t j = 0; j < d->nkeys; j++) {
			const struct ik_key *k = d->keys[j];

			if (k->kind == IK_KEY_ADDRESS && ik_addr_in(peer, k->addr, k->mask) &&
			    (!best || k->plen > best->plen))
				best = k;
		}
		if (best)
			return best;
	}
	for (size_t i = 1; i < cfg->nkeyrings; i++) {
		const struct ik_keyring *kr = cfg->keyrings[i];

		if ((kr->vrf == NULL) != (fvrf == NULL) || (fvrf && strcmp(kr->vrf, fvrf)))
			continue;
		for (size_t j = 0; j < kr->nkeys; j++) {
			const struct ik_key *k = kr->keys[j];

			if (k->kind == IK_KEY_ADDRESS && ik_addr_in(peer, k->addr, k->mask) &&
			    (!best || k->plen > best->plen))
				best = k;
		}
	}
	return best;
}

static void rnd_addr(char *buf, size_t len)
{
	/* a small space so that prefixes nest, overlap and repeat */
	snprintf(buf, len, "10.%u.%u.%u", rnd() % 2, rnd() % 4, rnd() % 8);
}

START_TEST(k3_random_agrees_with_rules)
{
	static const char *vrfs[] = { NULL, "A", "B" };

	for (int round = 0; round < 60; round++) {
		struct ik_config *cfg = tm_new();
		int nrings = 1 + (int)(rnd() % 6);
		char a[32], m[32];

		for (int i = 0; i < nrings; i++) {
			char name[16];
			struct ik_keyring *kr;

			snprintf(name, sizeof(name), "kr%d", i);
			kr = tm_keyring(cfg, name, vrfs[rnd() % 3]);
			for (int j = (int)(rnd() % 8); j > 0; j--) {
				uint32_t plen = 8 + rnd() % 25;

				rnd_addr(a, sizeof(a));
				ik_addr_fmt(ik_plen_mask((int)plen), m);
				tm_key(cfg, kr, a, m, "s");
			}
		}
		for (int j = (int)(rnd() % 3); j > 0; j--) {
			rnd_addr(a, sizeof(a));
			ik_addr_fmt(ik_plen_mask((int)(rnd() % 33)), m);
			tm_key(cfg, NULL, a, m, "d");
		}
		tm_index(cfg);
		for (int q = 0; q < 200; q++) {
			const char *v = vrfs[rnd() % 3];
			uint32_t peer;

			rnd_addr(a, sizeof(a));
			peer = tm_ip(a);
			ck_assert_ptr_eq(ik_resolve_responder(cfg->resolver, v, 0, peer, NULL),
					 ref_responder(cfg, v, peer));
		}
		tm_free(cfg);
	}
}
END_TEST

/* K1 read literally: the profile's keyrings in the profile's order, the
 * longest prefix, the earlier keyring of the profile on ties. */
static const struct ik_key *ref_k1(const struct ik_isakmp_profile *p, uint32_t peer)
{
	const struct ik_key *best = NULL;

	for (size_t i = 0; i < p->nkeyrings; i++)
		for (size_t j = 0; j < p->keyrings[i]->nkeys; j++) {
			const struct ik_key *k = p->keyrings[i]->keys[j];

			if (k->kind == IK_KEY_ADDRESS && ik_addr_in(peer, k->addr, k->mask) &&
			    (!best || k->plen > best->plen))
				best = k;
		}
	return best;
}

START_TEST(k1_random_agrees_with_rules)
{
	static const char *vrfs[] = { NULL, "A" };

	for (int round = 0; round < 60; round++) {
		struct ik_config *cfg = tm_new();
		struct ik_keyring *rings[6];
		int nrings = 1 + (int)(rnd() % 6);
		char a[32], m[32];

		for (int i = 0; i < nrings; i++) {
			char name[16];

			snprintf(name, sizeof(name), "kr%d", i);
			rings[i] = tm_keyring(cfg, name, vrfs[rnd() % 2]);
			for (int j = (int)(rnd() % 8); j > 0; j--) {
				rnd_addr(a, sizeof(a));
				ik_addr_fmt(ik_plen_mask((int)(8 + rnd() % 25)), m);
				tm_key(cfg, rings[i], a, m, "s");
			}
		}
		struct ik_isakmp_profile *p = tm_profile(cfg, "p");

		for (int j = 1 + (int)(rnd() % 3); j > 0; j--)
			tm_profile_keyring(p, rings[rnd() % (unsigned)nrings]);
		tm_index(cfg);
		for (int q = 0; q < 200; q++) {
			uint32_t peer;

			rnd_addr(a, sizeof(a));
			peer = tm_ip(a);
			ck_assert_ptr_eq(ik_resolve_initiator(cfg->resolver, p, NULL, 0, peer, NULL),
					 ref_k1(p, peer));
		}
		tm_free(cfg);
	}
}
END_TEST

START_TEST(p1_random_index_agrees_with_scan)
{
	static const char *vrfs[] = { NULL, "A" };

	for (int round = 0; round < 60; round++) {
		struct ik_config *cfg = tm_new();
		int np = 1 + (int)(rnd() % 8);
		char a[32], m[32];

		for (int i = 0; i < np; i++) {
			char name[16];
			struct ik_isakmp_profile *p;

			snprintf(name, sizeof(name), "p%d", i);
			p = tm_profile(cfg, name);
			for (int j = (int)(rnd() % 4); j > 0; j--) {
				rnd_addr(a, sizeof(a));
				ik_addr_fmt(ik_plen_mask((int)(8 + rnd() % 25)), m);
				tm_match_addr(cfg, p, a, m, vrfs[rnd() % 2]);
			}
		}
		for (int q = 0; q < 200; q++) {
			struct ik_peer_id id;
			const char *v = vrfs[rnd() % 2];
			const struct ik_isakmp_profile *scan, *idx;

			rnd_addr(a, sizeof(a));
			id = ipv4(a);
			scan = ik_profile_match_responder(cfg, v, 0, &id, NULL);
			tm_index(cfg);
			idx = ik_profile_match_responder(cfg, v, 0, &id, NULL);
			cfg->index_free(cfg);
			ck_assert_ptr_eq(scan, idx);
		}
		tm_free(cfg);
	}
}
END_TEST


/* The longest-prefix table over the whole address space: /0, /1, /31, /32
 * at both ends, nested and repeated prefixes, clusters that put many
 * interval boundaries in one bucket of the direct index, against a scan. */
START_TEST(lpm_full_space_agrees_with_scan)
{
	static const uint32_t edges[] = { 0, 1, 0x7fffffffu, 0x80000000u, 0xfffffffeu,
					  0xffffffffu };

	for (int round = 0; round < 40; round++) {
		struct ik_lpm_ent ents[64], copy[64];
		size_t n = 1 + rnd() % 64;
		struct ik_lpm *t;

		for (size_t i = 0; i < n; i++) {
			uint32_t plen = rnd() % 4 == 0 ? 32 : rnd() % 33;
			uint32_t a = rnd() % 3 == 0 ? edges[rnd() % 6] : rnd();

			if (i > 0 && rnd() % 5 == 0)
				a = copy[rnd() % i].addr; /* nest or repeat */
			else if (rnd() % 3 == 0)
				a = 0x0a000000u + rnd() % 256; /* many boundaries in one bucket */
			ents[i].addr = a & ik_plen_mask((int)plen);
			ents[i].plen = plen;
			ents[i].rank = (uint32_t)i;
			ents[i].val = &copy[i];
			copy[i] = ents[i];
		}
		t = ik_lpm_build(ents, n);
		ck_assert_ptr_nonnull(t);
		for (int q = 0; q < 2000; q++) {
			const void *want = NULL;
			uint32_t a = rnd();
			int wl = -1;

			if (q < 6)
				a = edges[q];
			else if (a % 2)
				a = copy[rnd() % n].addr + rnd() % 3 - 1; /* at a boundary */
			for (size_t i = 0; i < n; i++)
				if (ik_addr_in(a, copy[i].addr, ik_plen_mask((int)copy[i].plen)) &&
				    (int)copy[i].plen > wl) {
					wl = (int)copy[i].plen;
					want = &copy[i];
				}
			ck_assert_ptr_eq(ik_lpm_lookup(t, a), want);
		}
		ik_lpm_free(t);
	}
}
END_TEST

static int ent_order(const void *a, const void *b)
{
	const struct ik_lpm_ent *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->plen != y->plen)
		return x->plen < y->plen ? -1 : 1;
	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/* A table large enough for the linear-time sort of the builder (ranks in
 * ascending order): the entries end up in (address, length, rank) order as
 * a comparison sort puts them, repeated prefixes included, and lookups
 * agree with a scan; entries whose ranks are not ascending are sorted too. */
START_TEST(lpm_large_sort_agrees_with_qsort)
{
	enum { N = 20000 };
	struct ik_lpm_ent *ents = malloc(N * sizeof(*ents)), *want = malloc(N * sizeof(*want));

	ck_assert_ptr_nonnull(ents);
	ck_assert_ptr_nonnull(want);
	for (int round = 0; round < 2; round++) {
		struct ik_lpm *t;

		for (size_t i = 0; i < N; i++) {
			uint32_t plen = rnd() % 2 ? 32 : 8 + rnd() % 25;
			uint32_t a = i > 0 && rnd() % 7 == 0 ? ents[rnd() % i].addr
				     : rnd() % 3 ? 0x0a000000u + rnd() % 65536 : rnd();

			ents[i].addr = a & ik_plen_mask((int)plen);
			ents[i].plen = i > 0 && rnd() % 11 == 0 ? ents[i - 1].plen : plen;
			ents[i].addr &= ik_plen_mask((int)ents[i].plen);
			ents[i].rank = round ? (uint32_t)(N - i) : (uint32_t)i;
			ents[i].val = &ents[i];
		}
		memcpy(want, ents, N * sizeof(*want));
		qsort(want, N, sizeof(*want), ent_order);
		t = ik_lpm_build(ents, N);
		ck_assert_ptr_nonnull(t);
		for (size_t i = 0; i < N; i++) {
			ck_assert_uint_eq(ents[i].addr, want[i].addr);
			ck_assert_uint_eq(ents[i].plen, want[i].plen);
			ck_assert_uint_eq(ents[i].rank, want[i].rank);
		}
		for (int q = 0; q < 300; q++) {
			uint32_t a = q % 2 ? rnd() : want[rnd() % N].addr;
			const void *w = NULL;
			int wl = -1;
			uint32_t wr = 0;

			for (size_t i = 0; i < N; i++)
				if (ik_addr_in(a, want[i].addr, ik_plen_mask((int)want[i].plen)) &&
				    ((int)want[i].plen > wl ||
				     ((int)want[i].plen == wl && want[i].rank < wr))) {
					wl = (int)want[i].plen;
					wr = want[i].rank;
					w = want[i].val;
				}
			ck_assert_ptr_eq(ik_lpm_lookup(t, a), w);
		}
		ik_lpm_free(t);
	}
	free(ents);
	free(want);
}
END_TEST

static Suite *select_suite(void)
{
	Suite *s = suite_create("select");
	TCase *k = tcase_create("keyring");
	TCase *p = tcase_create("profile");
	TCase *seed = tcase_create("seed");

	tcase_add_checked_fixture(k, setup, teardown);
	tcase_add_checked_fixture(p, setup, teardown);
	tcase_add_checked_fixture(seed, setup, teardown);
	tcase_add_test(k, k2_initiator_most_specific_trace);
	tcase_add_test(k, k3_responder_longest_prefix_any_order);
	tcase_add_test(k, k3_6_tie_first_configured_wins);
	tcase_add_test(k, k4_default_keyring_shadows);
	tcase_add_test(k, k4_address_0_without_mask_is_wildcard);
	tcase_add_test(k, k3_fvrf_separation_and_concatenation);
	tcase_add_test(k, k3_1_hostname_keys_ignored);
	tcase_add_test(k, k_no_trace_no_text);
	tcase_add_test(k, k1_initiator_profile_keyrings);
	tcase_add_test(k, k1_profile_longest_over_its_keyrings);
	tcase_add_test(k, k1_random_agrees_with_rules);
	tcase_add_test(k, k3_random_agrees_with_rules);
	tcase_add_test(k, lpm_full_space_agrees_with_scan);
	tcase_add_test(k, lpm_large_sort_agrees_with_qsort);
	tcase_add_test(p, p1_most_specific_order_independent);
	tcase_add_test(p, p1_fvrf);
	tcase_add_test(p, p1_names_and_tie);
	tcase_add_test(p, p2_keyring_cross_check);
	tcase_add_test(p, p2_profile_without_keyring);
	tcase_add_test(p, p3_initiator_profile);
	tcase_add_test(p, p1_random_index_agrees_with_scan);
	tcase_add_test(seed, seed_r1_initiates_works);
	tcase_add_test(seed, seed_r2_initiates_fails_p2);
	suite_add_tcase(s, k);
	suite_add_tcase(s, p);
	suite_add_tcase(s, seed);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(select_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
