/* Unit tests of the static checker (L1) and the explainer (L2) of
 * spec/selection-rules.md, on the seed's R1/R2 and on small models built by
 * hand for each finding (K3.6, K4, P2, P1-tie, P4) and for clean
 * configurations, which must give no finding. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/check.h"
#include "util/addr.h"
#include "test_select_model.h"

static struct ik_sb out;

static void setup(void)
{
	ik_sb_init(&out);
}

static void teardown(void)
{
	ik_sb_free(&out);
}

/* The text of the finding of rule `rule` (from its header line to the next
 * header), or NULL. */
static char *finding(const char *text, const char *rule)
{
	char needle[64];
	const char *p, *end;

	snprintf(needle, sizeof(needle), ": %s: ", rule);
	p = strstr(text, needle);
	if (!p)
		return NULL;
	while (p > text && p[-1] != '\n')
		p--;
	end = strstr(p + 1, "\n<");
	end = end ? end + 1 : p + strlen(p);
	return strndup(p, (size_t)(end - p));
}

static int count_rule(const char *text, const char *rule)
{
	char needle[64];
	int n = 0;

	snprintf(needle, sizeof(needle), ": %s: ", rule);
	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* L1 on the seed's R1: sessions initiated by R2 (192.168.0.2) fail at MM5,
 * since the MM3 pick is keyring1 (K3.6) and profile2 lists only keyring2 (P2). */
START_TEST(l1_seed_r1_p2_r2_initiated_fails)
{
	struct ik_config *cfg = tm_seed_r1();
	char *f;

	ck_assert_int_ge(ik_check_config(cfg, &out, false), 2);
	f = finding(ik_sb_str(&out), "P2");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f, "error: P2: profile profile2 matches 192.168.0.2, but "
				   "the key this router picks for it at MM3 is "
				   "192.168.0.2,255.255.255.255 from keyring keyring1"));
	ck_assert_ptr_nonnull(strstr(f, "  peers: 192.168.0.2\n"));
	ck_assert_ptr_nonnull(strstr(f, "fails: sessions initiated by 192.168.0.2 toward this "
				   "router fail at MM5: Key not found in keyrings of profile"));
	ck_assert_ptr_nonnull(strstr(f, "sessions this router initiates with profile profile2 "
				   "work"));
	ck_assert_ptr_nonnull(strstr(f, "fix: list keyring keyring1 in profile profile2"));
	ck_assert_ptr_nonnull(strstr(f, "<test>:2: keyring keyring1: pre-shared-key address "
				   "192.168.0.2 255.255.255.255"));
	free(f);
	f = finding(ik_sb_str(&out), "K3.6");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f, "fix: put the key for 192.168.0.2 in a single keyring "
				   "shared by profile1 and profile2"));
	ck_assert_ptr_nonnull(strstr(f, "sessions initiated by 192.168.0.2 toward this router "
				   "fail at MM5"));
	free(f);
	ck_assert_int_eq(count_rule(ik_sb_str(&out), "P2"), 1);
	ck_assert_int_eq(count_rule(ik_sb_str(&out), "P4"), 0);
	tm_free(cfg);
}
END_TEST

/* L1 on the seed's R2: R1-initiated sessions work (keyring1 is picked and
 * profile1 lists it): only the K3.6 tie, no P2 or P4 failure. */
START_TEST(l1_seed_r2_tie_only)
{
	struct ik_config *cfg = tm_seed_r2();
	char *f;

	ik_check_config(cfg, &out, false);
	ck_assert_int_eq(count_rule(ik_sb_str(&out), "P2"), 0);
	ck_assert_int_eq(count_rule(ik_sb_str(&out), "P4"), 0);
	ck_assert_ptr_null(strstr(ik_sb_str(&out), "error"));
	f = finding(ik_sb_str(&out), "K3.6");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f, "fails: no session fails today: 192.168.0.1 selects "
				   "profile profile1, which lists keyring keyring1"));
	free(f);
	tm_free(cfg);
}
END_TEST

static struct ik_config *hub(void)
{
	struct ik_config *cfg = tm_new();
	struct ik_keyring *kr = tm_keyring(cfg, "spokes", NULL);
	struct ik_keyring *kv = tm_keyring(cfg, "partners", "INET2");
	struct ik_isakmp_profile *p = tm_profile(cfg, "spokes");
	struct ik_isakmp_profile *pv = tm_profile(cfg, "partners");

	tm_key(cfg, kr, "10.0.0.0", "255.0.0.0", "spokes-wide");
	tm_key(cfg, kr, "10.1.1.1", NULL, "spoke1");
	tm_key(cfg, kr, "10.2.2.2", NULL, "spoke2");
	tm_key(cfg, kv, "172.16.0.0", "255.255.0.0", "partners");
	tm_profile_keyring(p, kr);
	tm_match_addr(cfg, p, "10.0.0.0", "255.0.0.0", NULL);
	tm_profile_keyring(pv, kv);
	tm_match_addr(cfg, pv, "172.16.0.0", "255.255.0.0", "INET2");
	struct ik_ipsec_profile *ip = tm_ipsec(cfg, "prot", p);
	tm_tunnel(cfg, 1, "10.1.1.1", ip, NULL);
	tm_tunnel(cfg, 2, "10.2.2.2", ip, NULL);
	tm_tunnel(cfg, 3, "172.16.4.4", tm_ipsec(cfg, "protv", pv), "INET2");
	tm_index(cfg);
	return cfg;
}

/* A clean hub-and-spoke configuration: nothing to report, in both forms. */
START_TEST(l1_clean_hub_no_finding)
{
	struct ik_config *cfg = hub();

	ck_assert_int_eq(ik_check_config(cfg, &out, false), 0);
	ck_assert_str_eq(ik_sb_str(&out), "");
	ik_sb_reset(&out);
	ck_assert_int_eq(ik_check_config(cfg, &out, true), 0);
	ck_assert_str_eq(ik_sb_str(&out), "[]\n");
	tm_free(cfg);
}
END_TEST

/* An empty configuration: no finding; the explainer finds no key (K3). */
START_TEST(l1_empty_config)
{
	struct ik_config *cfg = tm_new();

	tm_index(cfg);
	ck_assert_int_eq(ik_check_config(cfg, &out, true), 0);
	ck_assert_str_eq(ik_sb_str(&out), "[]\n");
	ik_sb_reset(&out);
	ck_assert_int_eq(ik_explain_responder(cfg, "A", 0, tm_ip("192.0.2.1"), NULL, &out, false), 1);
	ck_assert_str_eq(ik_sb_str(&out),
		"Responder decision for peer 192.0.2.1, fVRF A, identity ID_IPV4_ADDR 192.0.2.1\n"
		"ISAKMP:(0):No pre-shared key with 192.0.2.1!\n"
		"Verdict: phase 1 would fail at MM3: no pre-shared key for 192.0.2.1 in fVRF A "
		"(K3)\n");
	tm_free(cfg);
}
END_TEST

/* K4: a global 0.0.0.0 key shadows the keyring keys of the global VRF. */
START_TEST(l1_k4_default_shadows)
{
	struct ik_config *cfg = tm_new();
	char *f;
	struct ik_keyring *k1 = tm_keyring(cfg, "keyring1", NULL);
	struct ik_isakmp_profile *p = tm_profile(cfg, "p1");

	tm_key(cfg, k1, "192.168.0.0", "255.255.0.0", "cisco");
	tm_key(cfg, k1, "192.168.0.2", NULL, "cisco2");
	tm_key(cfg, NULL, "0.0.0.0", "0.0.0.0", "cisco3");
	tm_profile_keyring(p, k1);
	tm_match_addr(cfg, p, "192.168.0.2", NULL, NULL);
	tm_index(cfg);
	ik_check_config(cfg, &out, false);
	f = finding(ik_sb_str(&out), "K4");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f, "peers: 192.168.0.0/16, 192.168.0.2\n"));
	ck_assert_ptr_nonnull(strstr(f, "the global key for 0.0.0.0,0.0.0.0"));
	free(f);
	/* and the consequence for p1's peer: the MM3 key is the default one */
	f = finding(ik_sb_str(&out), "P2");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f, "from keyring default"));
	ck_assert_ptr_nonnull(strstr(f, "fix: remove the global crypto isakmp key for "
				   "192.168.0.2"));
	free(f);
	tm_free(cfg);
}
END_TEST

/* A large configuration: findings list at most 16 lines and 8 peers each,
 * with the rest counted, and the check stays fast (K4 over 20,000 keys). */
START_TEST(l1_large_config_bounded)
{
	struct ik_config *cfg = tm_new();
	struct ik_keyring *kr = tm_keyring(cfg, "big", NULL);
	struct ik_isakmp_profile *p = tm_profile(cfg, "big");
	char a[32];
	char *f;

	for (unsigned i = 0; i < 20000; i++) {
		snprintf(a, sizeof(a), "10.%u.%u.%u", (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff);
		tm_key(cfg, kr, a, NULL, NULL);
	}
	tm_key(cfg, NULL, "10.0.0.0", "255.0.0.0", "global");
	tm_profile_keyring(p, kr);
	tm_match_addr(cfg, p, "10.0.0.0", "255.0.0.0", NULL);
	tm_index(cfg);
	ik_check_config(cfg, &out, false);
	f = finding(ik_sb_str(&out), "K4");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f, "  and 19985 more lines\n"));
	ck_assert_ptr_nonnull(strstr(f, "10.0.0.7 and 19992 more\n"));
	free(f);
	/* every probe of the /8 match gets the global key: one P2 finding */
	ck_assert_int_eq(count_rule(ik_sb_str(&out), "P2"), 1);
	ik_sb_reset(&out);
	ik_check_config(cfg, &out, true);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), "\"more_lines\": 19985, "
				     "\"more_peers\": 19992, "));
	tm_free(cfg);
}
END_TEST

/* P2 on a shorter match: the profile's /24 covers a peer whose /32 key sits
 * in another keyring. */
START_TEST(l1_p2_probes_keys_inside_match)
{
	struct ik_config *cfg = tm_new();
	struct ik_keyring *k1 = tm_keyring(cfg, "keyring1", NULL);
	struct ik_keyring *k2 = tm_keyring(cfg, "keyring2", NULL);
	struct ik_isakmp_profile *p = tm_profile(cfg, "site");
	char *f;

	tm_key(cfg, k1, "192.168.0.0", "255.255.255.0", "a");
	tm_key(cfg, k2, "192.168.0.7", NULL, "b");
	tm_profile_keyring(p, k1);
	tm_match_addr(cfg, p, "192.168.0.0", "255.255.255.0", NULL);
	tm_index(cfg);
	ck_assert_int_eq(ik_check_config(cfg, &out, false), 1);
	f = finding(ik_sb_str(&out), "P2");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f, "peers: 192.168.0.7\n"));
	ck_assert_ptr_nonnull(strstr(f, "fix: list keyring keyring2 in profile site"));
	free(f);
	tm_free(cfg);
}
END_TEST

/* P1-tie and P4: two profiles match the tunnel's peer equally; the first is
 * selected, but the IPsec profile is bound to the second. */
START_TEST(l1_p1_tie_and_p4)
{
	struct ik_config *cfg = tm_new();
	struct ik_keyring *kr = tm_keyring(cfg, "keyring", NULL);
	struct ik_isakmp_profile *p1 = tm_profile(cfg, "profile1");
	struct ik_isakmp_profile *p2 = tm_profile(cfg, "profile2");
	char *f;

	tm_key(cfg, kr, "192.168.0.1", NULL, "k");
	tm_profile_keyring(p1, kr);
	tm_profile_keyring(p2, kr);
	tm_match_addr(cfg, p1, "192.168.0.0", "255.255.255.0", NULL);
	tm_match_addr(cfg, p2, "192.168.0.0", "255.255.255.0", NULL);
	tm_tunnel(cfg, 1, "192.168.0.1", tm_ipsec(cfg, "prof", p2), NULL);
	tm_index(cfg);
	ck_assert_int_eq(ik_check_config(cfg, &out, false), 2);
	f = finding(ik_sb_str(&out), "P1-tie");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f, "profiles profile1 and profile2 match 192.168.0.0/24 "
				   "equally specifically"));
	free(f);
	f = finding(ik_sb_str(&out), "P4");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f, "peer 192.168.0.1 (its tunnel destination) selects "
				   "profile profile1"));
	ck_assert_ptr_nonnull(strstr(f, "fails: sessions initiated by 192.168.0.1 toward this "
				   "router fail in Quick Mode"));
	ck_assert_ptr_nonnull(strstr(f, "PROPOSAL_NOT_CHOSEN"));
	free(f);
	tm_free(cfg);
}
END_TEST

/* K1: a tunnel whose profile's keyrings hold no key for its destination
 * cannot be initiated; an IKEv2 tunnel is not concerned. */
START_TEST(l1_k1_initiator_without_key)
{
	struct ik_config *cfg = tm_new();
	struct ik_keyring *k1 = tm_keyring(cfg, "keyring1", NULL);
	struct ik_keyring *k2 = tm_keyring(cfg, "keyring2", NULL);
	struct ik_isakmp_profile *p = tm_profile(cfg, "profile1");
	char *f;

	tm_key(cfg, k1, "192.168.0.2", NULL, "a");
	tm_key(cfg, k2, "192.168.0.3", NULL, "b");
	tm_profile_keyring(p, k2);
	tm_match_addr(cfg, p, "192.168.0.0", "255.255.255.0", NULL);
	tm_tunnel(cfg, 1, "192.168.0.2", tm_ipsec(cfg, "prof", p), NULL);
	tm_index(cfg);
	ik_check_config(cfg, &out, false);
	f = finding(ik_sb_str(&out), "K1");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f, "error: K1: Tunnel1 initiates toward 192.168.0.2 with "
				   "profile profile1, but none of its keyrings (keyring2) holds "
				   "an address key for 192.168.0.2 (K1)"));
	ck_assert_ptr_nonnull(strstr(f, "fails: sessions this router initiates on Tunnel1 fail "
				   "before MM3"));
	ck_assert_ptr_nonnull(strstr(f, "fix: add pre-shared-key address 192.168.0.2 to keyring "
				   "keyring2"));
	free(f);
	/* as responder the peer would get keyring1's key: P2 too */
	ck_assert_int_eq(count_rule(ik_sb_str(&out), "P2"), 1);
	ik_sb_reset(&out);
	struct ik_ikev2_profile v2 = { .name = "v2" };

	cfg->ipsec_profiles[0]->ikev2_profile = &v2;
	ik_check_config(cfg, &out, false);
	ck_assert_int_eq(count_rule(ik_sb_str(&out), "K1"), 0);
	cfg->ipsec_profiles[0]->ikev2_profile = NULL;
	tm_free(cfg);
}
END_TEST

/* JSON: an array of objects with the documented fields. */
START_TEST(l1_json_fields)
{
	struct ik_config *cfg = tm_seed_r1();
	const char *s;

	ck_assert_int_ge(ik_check_config(cfg, &out, true), 2);
	s = ik_sb_str(&out);
	ck_assert_int_eq(s[0], '[');
	ck_assert_ptr_nonnull(strstr(s, "{\"severity\": \"error\", \"rule\": \"P2\", "));
	ck_assert_ptr_nonnull(strstr(s, "\"lines\": [{\"file\": \"<test>\", \"line\": 10, "));
	ck_assert_ptr_nonnull(strstr(s, "\"peers\": [\"192.168.0.2\"]"));
	ck_assert_ptr_nonnull(strstr(s, "\"direction\": \"sessions initiated by 192.168.0.2"));
	ck_assert_ptr_nonnull(strstr(s, "\"fix\": \""));
	ck_assert_str_eq(s + strlen(s) - 4, "}\n]\n");
	tm_free(cfg);
}
END_TEST

/* L2 on R1 for R2's address: the live trace lines, then the verdict. */
START_TEST(l2_explain_r1_for_r2)
{
	struct ik_config *cfg = tm_seed_r1();

	ck_assert_int_eq(ik_explain_responder(cfg, NULL, 0, tm_ip("192.168.0.2"), NULL, &out, false),
			 1);
	ck_assert_str_eq(ik_sb_str(&out),
		"Responder decision for peer 192.168.0.2, fVRF global, identity ID_IPV4_ADDR "
		"192.168.0.2\n"
		"ISAKMP:(0):key for 192.168.0.2 not available in default\n"
		"ISAKMP:(0):key for 192.168.0.2 found in keyring1\n"
		"ISAKMP:(0):ISAKMP: Selecting 192.168.0.2,255.255.255.255 as final key\n"
		"ISAKMP:(0):key for 192.168.0.2 found in keyring2\n"
		"ikerd:(0): K3.6: 192.168.0.2,255.255.255.255 is configured in keyring keyring1 "
		"and in keyring keyring2; keeping the first configured, keyring1 (IOS calls "
		"this unpredictable, use one keyring per address)\n"
		"ISAKMP:(0):found peer pre-shared key matching 192.168.0.2\n"
		"ISAKMP:(0):: peer matches profile2 profile\n"
		"ISAKMP:(0):Found ADDRESS key in keyring keyring2\n"
		"ISAKMP:(0): Key not found in keyrings of profile , aborting exchange\n"
		"ISAKMP (0): FSM action returned error: 2\n"
		"Verdict: phase 1 would fail at MM5: Key not found in keyrings of profile "
		"profile2 (the key picked at MM3 comes from keyring keyring1, line 2; profile "
		"profile2 does not list it) (P2)\n");
	tm_free(cfg);
}
END_TEST

/* L2 on R2 for R1's address: phase 1 completes; JSON form; another identity. */
START_TEST(l2_explain_r2_for_r1)
{
	struct ik_config *cfg = tm_seed_r2();
	struct ik_peer_id other = { .type = IK_PEER_ID_IPV4, .addr = tm_ip("192.168.0.100") };
	struct ik_peer_id fqdn = { .type = IK_PEER_ID_FQDN, .name = "r1.example.net" };

	ck_assert_int_eq(ik_explain_responder(cfg, NULL, 0, tm_ip("192.168.0.1"), NULL, &out, false),
			 0);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out),
		"ISAKMP:(0):: peer matches profile1 profile\n"
		"ISAKMP:(0):Found ADDRESS key in keyring keyring1\n"
		"Verdict: phase 1 would complete with profile profile1, keyring keyring1\n"));
	ik_sb_reset(&out);
	ck_assert_int_eq(ik_explain_responder(cfg, NULL, 0, tm_ip("192.168.0.1"), NULL, &out, true),
			 0);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out),
		"{\"peer\": \"192.168.0.1\", \"fvrf\": null, \"identity\": \"ID_IPV4_ADDR "
		"192.168.0.1\", \"keyring\": \"keyring1\", \"key_line\": 2, \"profile\": "
		"\"profile1\", \"ok\": true, \"trace\": [\"ISAKMP:(0):key for 192.168.0.1"));
	ik_sb_reset(&out);
	/* the same address presenting profile2's identity: keyring1 at MM3, P2 fails */
	ck_assert_int_eq(ik_explain_responder(cfg, NULL, 0, tm_ip("192.168.0.1"), &other, &out,
					      false), 1);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), "peer matches profile2 profile\n"));
	ik_sb_reset(&out);
	/* an FQDN identity no profile matches: no profile, no cross-check */
	ck_assert_int_eq(ik_explain_responder(cfg, NULL, 0, tm_ip("192.168.0.1"), &fqdn, &out,
					      false), 0);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out),
		"identity ID_FQDN r1.example.net\n"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out),
		"ISAKMP:(0):: peer matches *none* of the profiles\n"
		"Verdict: phase 1 would complete with no profile, keyring keyring1\n"));
	ik_sb_reset(&out);
	/* no key at all */
	ck_assert_int_eq(ik_explain_responder(cfg, NULL, 0, tm_ip("10.9.9.9"), NULL, &out, false), 1);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out),
		"ISAKMP:(0):No pre-shared key with 10.9.9.9!\n"
		"Verdict: phase 1 would fail at MM3: no pre-shared key for 10.9.9.9 in fVRF "
		"global (K3)\n"));
	tm_free(cfg);
}
END_TEST

static uint32_t rnd_state = 2463534242u;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* L1 and L2 agree on random configurations: for every host that a profile
 * matches, the explainer's verdict fails at MM5 exactly when the checker
 * lists that host in a P2 finding; the JSON form has as many objects as the
 * count returned. */
START_TEST(l1_l2_agree_on_random_configs)
{
	for (int round = 0; round < 80; round++) {
		struct ik_config *cfg = tm_new();
		struct ik_keyring *rings[4];
		int nr = 1 + (int)(rnd() % 4), n;
		char a[32], name[16];

		for (int i = 0; i < nr; i++) {
			snprintf(name, sizeof(name), "kr%d", i);
			rings[i] = tm_keyring(cfg, name, NULL);
			for (int j = (int)(rnd() % 4); j > 0; j--) {
				snprintf(a, sizeof(a), "10.0.0.%u", rnd() % 6);
				tm_key(cfg, rings[i], a, rnd() % 4 ? NULL : "255.255.255.248",
				       "k");
			}
		}
		if (rnd() % 4 == 0)
			tm_key(cfg, NULL, "10.0.0.0", rnd() % 2 ? "255.255.255.0" : NULL, "g");
		for (int i = (int)(rnd() % 4); i >= 0; i--) {
			struct ik_isakmp_profile *p;

			snprintf(name, sizeof(name), "p%d", i);
			p = tm_profile(cfg, name);
			for (int j = (int)(rnd() % 3); j > 0; j--)
				tm_profile_keyring(p, rings[rnd() % (unsigned)nr]);
			snprintf(a, sizeof(a), "10.0.0.%u", rnd() % 6);
			tm_match_addr(cfg, p, a, rnd() % 3 ? NULL : "255.255.255.248", NULL);
			if (rnd() % 3 == 0) {
				snprintf(a, sizeof(a), "10.0.0.%u", rnd() % 6);
				tm_tunnel(cfg, (unsigned)i, a, tm_ipsec(cfg, name, p), NULL);
			}
		}
		tm_index(cfg);
		n = ik_check_config(cfg, &out, true);
		int objs = 0;

		for (const char *q = ik_sb_str(&out); (q = strstr(q, "{\"severity\"")); q++)
			objs++;
		ck_assert_int_eq(objs, n);
		ik_sb_reset(&out);
		ik_check_config(cfg, &out, false);
		char *text = strdup(ik_sb_str(&out));

		for (size_t i = 0; i < cfg->nprofiles; i++) {
			const struct ik_identity_match *m = &cfg->profiles[i]->matches[0];
			char host[IK_ADDRSTRLEN], needle[128];
			bool listed = false;

			if (m->plen != 32)
				continue;
			ik_addr_fmt(m->addr, host);
			ik_sb_reset(&out);
			int fails = ik_explain_responder(cfg, NULL, 0, m->addr, NULL, &out, false);
			bool mm5 = strstr(ik_sb_str(&out), "would fail at MM5") != NULL;

			/* a P2 finding whose peers line lists host */
			for (const char *f = text; (f = strstr(f, ": P2: ")); f++) {
				const char *pl = strstr(f, "  peers: ");
				const char *end = pl ? strchr(pl, '\n') : NULL;

				snprintf(needle, sizeof(needle), " %s", host);
				if (pl && end) {
					char *line = strndup(pl + 8, (size_t)(end - pl - 8));
					char *tok, *save = NULL;

					for (tok = strtok_r(line, ",", &save); tok;
					     tok = strtok_r(NULL, ",", &save))
						if (!strcmp(tok, needle))
							listed = true;
					free(line);
				}
			}
			if (mm5)
				ck_assert_int_eq(fails, 1);
			/* the profile must be the one the host selects for the
			 * checker to list it under that profile's match */
			struct ik_peer_id id = { .type = IK_PEER_ID_IPV4, .addr = m->addr };
			if (ik_profile_match_responder(cfg, NULL, 0, &id, NULL) == cfg->profiles[i])
				ck_assert_msg(mm5 == listed,
					      "host %s: explain says %s, check %s\n%s\n%s", host,
					      mm5 ? "MM5 failure" : "no MM5 failure",
					      listed ? "lists it" : "does not", ik_sb_str(&out),
					      text);
		}
		free(text);
		ik_sb_reset(&out);
		tm_free(cfg);
	}
}
END_TEST

/* ---- AZ: authorization lists ---- */

#define AZ_H1 " key-hash sha1 0011223344556677889900112233445566778899\n"
#define AZ_H2 " key-hash sha1 9911223344556677889900112233445566778899\n"

static struct ik_config *az_load(const char *text)
{
	struct ik_conf_error err;
	struct ik_config *cfg = ik_config_load_string(text, "az.conf", &err);
	char buf[2048];

	if (!cfg) {
		ik_conf_error_format(&err, buf, sizeof(buf));
		ck_abort_msg("unexpected parse error:\n%s", buf);
	}
	return cfg;
}

/* AZ: a list that every peer of its profile passes (an entry per identity
 * the profile accepts, or `any`): no finding. */
START_TEST(az_clean_lists_no_finding)
{
	struct ik_config *cfg = az_load(
		"crypto isakmp authorization list L\n"
		" peer fqdn r1.example.com" AZ_H1
		" peer address 192.0.2.7" AZ_H1
		" peer email ops@example.net" AZ_H1
		"crypto isakmp authorization list ANY\n"
		" peer any" AZ_H1
		/* a DN may reach any profile (certificate maps): never dead */
		" peer dn \"cn=r7,o=Example\"" AZ_H2
		"crypto isakmp profile P\n"
		" match identity host domain example.com\n"
		" match identity address 192.0.2.0 255.255.255.0\n"
		" match identity user-fqdn ops@example.net\n"
		" authorization list L\n"
		"crypto ikev2 profile V\n"
		" match identity remote email domain example.org\n"
		" authorization list ANY\n");

	ik_check_config(cfg, &out, false);
	ck_assert_msg(count_rule(ik_sb_str(&out), "AZ") == 0, "%s", ik_sb_str(&out));
	ik_config_unref(cfg);
}
END_TEST

/* AZ: a list no profile uses is a warning naming the list's line. */
START_TEST(az_unused_list)
{
	struct ik_config *cfg = az_load("crypto isakmp authorization list SPARE\n"
					" peer fqdn r1.example.com" AZ_H1);
	char *f;

	ik_check_config(cfg, &out, false);
	f = finding(ik_sb_str(&out), "AZ");
	ck_assert_msg(f && strstr(f, "az.conf:1: warning: AZ: authorization list SPARE (1 entry) "
				  "is not used by any isakmp or ikev2 profile"), "%s",
		      ik_sb_str(&out));
	ck_assert_int_eq(count_rule(ik_sb_str(&out), "AZ"), 1);
	free(f);
	ik_config_unref(cfg);
}
END_TEST

/* AZ: profiles whose peers no entry can match are errors, IKEv1 and IKEv2
 * (an address outside the match prefix, an FQDN outside the domain). */
START_TEST(az_profile_never_passes)
{
	struct ik_config *cfg = az_load(
		"crypto isakmp authorization list L\n"
		" peer address 198.51.100.9" AZ_H1
		" peer fqdn r1.example.org" AZ_H1
		"crypto isakmp profile P\n"
		" match identity address 192.0.2.0 255.255.255.0\n"
		" authorization list L\n"
		"crypto ikev2 profile V\n"
		" match identity remote fqdn domain example.com\n"
		" authorization list L\n");
	struct ik_check_counts n;
	const char *s;

	ik_check_config_env(cfg, &(struct ik_check_env)IK_CHECK_ENV_ENGINE, &out, false, &n);
	s = ik_sb_str(&out);
	ck_assert_msg(strstr(s, "az.conf:6: error: AZ: every peer of isakmp profile P is refused: "
			     "none of the 2 entries of authorization list L names an identity "
			     "that the profile's 1 match identity line accepts\n"), "%s", s);
	ck_assert_msg(strstr(s, "az.conf:9: error: AZ: every peer of ikev2 profile V is refused"),
		      "%s", s);
	ck_assert_msg(strstr(s, "Peer Not Validated against the AuthList"), "%s", s);
	ck_assert_int_eq(count_rule(s, "AZ"), 2);
	ck_assert_int_ge(n.errors, 2);
	ik_config_unref(cfg);
}
END_TEST

/* AZ: entries of a used list that no profile's identity reaches, and an
 * identity listed with two keys (twice the same key is no finding). */
START_TEST(az_dead_entries_and_duplicates)
{
	struct ik_config *cfg = az_load(
		"crypto isakmp authorization list L\n"
		" peer fqdn r1.example.com" AZ_H1
		" peer fqdn R1.example.com" AZ_H2
		" peer fqdn r2.example.com" AZ_H1
		" peer fqdn r9.example.net" AZ_H1
		" peer address 192.0.2.9" AZ_H1
		" peer address 192.0.2.9" AZ_H2
		" peer fqdn r2.example.com" AZ_H1
		"crypto isakmp profile P\n"
		" match identity host domain example.com\n"
		" authorization list L\n");
	const char *s;

	ik_check_config(cfg, &out, false);
	s = ik_sb_str(&out);
	ck_assert_msg(strstr(s, "az.conf:1: warning: AZ: 3 entries of authorization list L name "
			     "an identity that no profile using the list accepts (isakmp profile "
			     "P): never used\n"), "%s", s);
	ck_assert_msg(strstr(s, "  line az.conf:5: peer fqdn r9.example.net key-hash sha1"), "%s",
		      s);
	ck_assert_msg(strstr(s, "warning: AZ: authorization list L lists fqdn r1.example.com "
			     "with 2 different keys"), "%s", s);
	ck_assert_msg(strstr(s, "warning: AZ: authorization list L lists address 192.0.2.9 with "
			     "2 different keys"), "%s", s);
	ck_assert_msg(!strstr(s, "lists fqdn r2.example.com"), "%s", s);
	ck_assert_int_eq(count_rule(s, "AZ"), 3);
	ik_config_unref(cfg);
}
END_TEST

static Suite *check_suite(void)
{
	Suite *s = suite_create("select-check");
	TCase *l1 = tcase_create("L1");
	TCase *l2 = tcase_create("L2");

	tcase_add_checked_fixture(l1, setup, teardown);
	tcase_add_checked_fixture(l2, setup, teardown);
	tcase_add_test(l1, l1_seed_r1_p2_r2_initiated_fails);
	tcase_add_test(l1, l1_seed_r2_tie_only);
	tcase_add_test(l1, l1_clean_hub_no_finding);
	tcase_add_test(l1, l1_empty_config);
	tcase_add_test(l1, l1_k4_default_shadows);
	tcase_add_test(l1, l1_p2_probes_keys_inside_match);
	tcase_add_test(l1, l1_p1_tie_and_p4);
	tcase_add_test(l1, l1_k1_initiator_without_key);
	tcase_add_test(l1, l1_json_fields);
	tcase_add_test(l1, l1_large_config_bounded);
	tcase_add_test(l1, l1_l2_agree_on_random_configs);
	tcase_add_test(l1, az_clean_lists_no_finding);
	tcase_add_test(l1, az_unused_list);
	tcase_add_test(l1, az_profile_never_passes);
	tcase_add_test(l1, az_dead_entries_and_duplicates);
	tcase_add_test(l2, l2_explain_r1_for_r2);
	tcase_add_test(l2, l2_explain_r2_for_r1);
	suite_add_tcase(s, l1);
	suite_add_tcase(s, l2);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(check_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
