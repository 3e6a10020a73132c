/* IKEv2 selection, rules V2-1 and V2-2 (doc/selection-rules.md): the policy at
 * IKE_SA_INIT, the profile from IDi and the key from that profile's keyring
 * at IKE_AUTH, the initiator's key, the IOS default proposal and policy, the
 * show commands and the explainer; the index against a literal scan on
 * random configurations. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/model.h"
#include "profile/check.h"
#include "profile/profile.h"
#include "profile/snapshot.h"
#include "profile/v2_select.h"
#include "util/addr.h"
#include "util/secmem.h"
#include "util/strbuf.h"

static struct ik_log_capture cap;
static struct ik_log lg = { .debug_mask = IK_DBG_IKEV2, .sink = ik_log_capture_sink,
			     .ctx = &cap };
static const struct ik_trace tr = { &lg, 7 };

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

	ck_assert_msg(cfg != NULL, "%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
	ck_assert_ptr_nonnull(cfg->v2index);
	return cfg;
}

static struct ik_config *load_example(const char *name)
{
	struct ik_conf_error err;
	char path[512];
	struct ik_config *cfg;

	snprintf(path, sizeof(path), "%s/etc/examples/%s", TOP_SRCDIR, name);
	cfg = ik_snapshot_load_file(path, &err);
	ck_assert_msg(cfg != NULL, "%s: %s", path, err.msg);
	return cfg;
}

static void expect_line(const char *needle)
{
	ck_assert_msg(ik_log_capture_find(&cap, 0, needle) >= 0, "trace lacks '%s'", needle);
}

static const struct ik_ikev2_profile *prof_addr(const struct ik_config *cfg, const char *fvrf,
						const char *local, const char *id)
{
	struct ik_v2_id v = { .type = IK_ID_ADDRESS, .addr = ip(id) };

	return ik_v2_profile_select(cfg, fvrf, ip(local), &v, &tr);
}

static const struct ik_ikev2_profile *prof_name(const struct ik_config *cfg, enum ik_id_type t,
						const char *value)
{
	struct ik_v2_id v = { .type = t, .value = value };

	return ik_v2_profile_select(cfg, NULL, ip("192.0.2.1"), &v, &tr);
}

/* ---- V2-1: the seed's topology over IKEv2 works from both sides ---- */

START_TEST(v2_1_seed_r2_initiates)
{
	/* R2 initiates: its tunnel's profile is profile1, whose keyring1 holds
	 * R1's key. R1, responder, picks its profile from R2's identity first
	 * (profile2), then the key from profile2's keyring2: no blind pick. */
	struct ik_config *r1 = load_example("ikev2-r1.conf");
	struct ik_config *r2 = load_example("ikev2-r2.conf");
	const struct ik_ikev2_profile *ip2 = ik_config_find_iface(r2, "Tunnel1")->protection
		->ikev2_profile;
	struct ik_v2_id idi = { .type = IK_ID_ADDRESS, .addr = ip("192.168.0.2") };
	struct ik_v2_psk ki, kr;
	const struct ik_ikev2_profile *p;

	ck_assert_str_eq(ip2->name, "profile1");
	ck_assert_int_eq(ik_v2_key_initiator(r2, ip2, ip("192.168.0.1"), NULL, &ki, &tr), 0);
	ck_assert_str_eq(ki.keyring->name, "keyring1");
	p = ik_v2_profile_select(r1, NULL, ip("192.168.0.1"), &idi, &tr);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->name, "profile2");
	expect_line("IKEv2:found matching IKEv2 profile 'profile2'");
	ck_assert_int_eq(ik_v2_key_responder(r1, p, &idi, ip("192.168.0.2"), &kr, &tr), 0);
	ck_assert_str_eq(kr.keyring->name, "keyring2");
	expect_line("IKEv2:% Getting preshared key from profile keyring keyring2");
	expect_line("IKEv2:% Matched peer block 'R2'");
	/* both sides hold the same key text: AUTH verifies both ways */
	ck_assert_str_eq((const char *)ki.local->p, (const char *)kr.remote->p);
	ck_assert_str_eq((const char *)kr.local->p, (const char *)ki.remote->p);
	ik_config_unref(r1);
	ik_config_unref(r2);
}
END_TEST

START_TEST(v2_1_seed_r1_initiates)
{
	struct ik_config *r1 = load_example("ikev2-r1.conf");
	struct ik_config *r2 = load_example("ikev2-r2.conf");
	const struct ik_ikev2_profile *ip1 = ik_config_find_iface(r1, "Tunnel1")->protection
		->ikev2_profile;
	struct ik_v2_id idi = { .type = IK_ID_ADDRESS, .addr = ip("192.168.0.1") };
	struct ik_v2_psk ki, kr;
	const struct ik_ikev2_profile *p;

	ck_assert_int_eq(ik_v2_key_initiator(r1, ip1, ip("192.168.0.2"), NULL, &ki, &tr), 0);
	ck_assert_str_eq(ki.keyring->name, "keyring2");
	p = ik_v2_profile_select(r2, NULL, ip("192.168.0.2"), &idi, &tr);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->name, "profile1");
	ck_assert_int_eq(ik_v2_key_responder(r2, p, &idi, ip("192.168.0.1"), &kr, &tr), 0);
	ck_assert_str_eq(kr.keyring->name, "keyring1");
	ik_config_unref(r1);
	ik_config_unref(r2);
}
END_TEST

START_TEST(v2_1_next_to_ikev1)
{
	/* The same topology over IKEv1 (seed-r1.conf): R2's initiation fails at
	 * MM5 (K3.6 then P2); over IKEv2 the explainer says it succeeds. */
	struct ik_config *v1 = load_example("seed-r1.conf");
	struct ik_config *v2 = load_example("ikev2-r1.conf");
	struct ik_peer_id id1 = { .type = IK_PEER_ID_IPV4, .addr = ip("192.168.0.2") };
	struct ik_sb o1, o2;

	ik_sb_init(&o1);
	ik_sb_init(&o2);
	ck_assert_int_eq(ik_explain_responder(v1, NULL, 0, ip("192.168.0.2"), &id1, &o1, false), 1);
	ck_assert_int_eq(ik_v2_explain_responder(v2, NULL, ip("192.168.0.1"), ip("192.168.0.2"),
						 NULL, &o2, false), 0);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&o2), "IKE_AUTH from 192.168.0.2 succeeds: "
				      "policy POL, profile profile2, keyring keyring2"));
	ik_sb_free(&o1);
	ik_sb_free(&o2);
	ik_config_unref(v1);
	ik_config_unref(v2);
}
END_TEST

/* ---- policy (V2-2, IKE_SA_INIT) ---- */

START_TEST(policy_default_when_none)
{
	struct ik_config *cfg = load("crypto ikev2 keyring K\n peer P\n  address 192.0.2.2\n"
				     "  pre-shared-key k\n");
	const struct ik_ikev2_policy *p = ik_v2_policy_select(cfg, NULL, ip("192.0.2.1"), &tr);

	ck_assert(ik_v2_policy_is_default(p));
	expect_line("IKEv2:Searching Policy with fvrf 0, local address 192.0.2.1");
	expect_line("IKEv2:Using the Default Policy for Proposal");
	expect_line("IKEv2:Found Policy 'default'");
	/* the default policy admits any VRF */
	ck_assert(ik_v2_policy_is_default(ik_v2_policy_select(cfg, "blue", 1, &tr)));
	ik_config_unref(cfg);
}
END_TEST

static const char *pol_cfg =
	"vrf definition blue\n"
	"crypto ikev2 proposal A\n encryption aes-cbc-128\n integrity sha1\n group 14\n"
	"crypto ikev2 policy GLOBAL\n proposal A\n"
	"crypto ikev2 policy ANY\n match fvrf any\n proposal A\n"
	"crypto ikev2 policy LOCAL\n match address local 198.51.100.1\n proposal A\n"
	"crypto ikev2 policy BLUE\n match fvrf blue\n proposal A\n";

START_TEST(policy_specificity)
{
	struct ik_config *cfg = load(pol_cfg);

	/* global VRF, any address: no match lines is the global VRF, exactly */
	ck_assert_str_eq(ik_v2_policy_select(cfg, NULL, ip("192.0.2.1"), &tr)->name, "GLOBAL");
	/* an explicit local address beats the rest */
	ck_assert_str_eq(ik_v2_policy_select(cfg, NULL, ip("198.51.100.1"), &tr)->name,
			 "LOCAL");
	/* a named VRF: its own policy beats `any` */
	ck_assert_str_eq(ik_v2_policy_select(cfg, "blue", ip("192.0.2.1"), &tr)->name, "BLUE");
	/* another VRF: only `any` */
	ck_assert_str_eq(ik_v2_policy_select(cfg, "red", ip("192.0.2.1"), &tr)->name, "ANY");
	ik_config_unref(cfg);
}
END_TEST

START_TEST(policy_none_matches)
{
	struct ik_config *cfg = load(
		"crypto ikev2 proposal A\n encryption aes-cbc-128\n integrity sha1\n group 14\n"
		"crypto ikev2 policy LOCAL\n match address local 198.51.100.1\n proposal A\n");

	ck_assert_ptr_null(ik_v2_policy_select(cfg, NULL, ip("192.0.2.1"), &tr));
	expect_line("IKEv2:Failed to find a matching policy for fvrf 0, local address 192.0.2.1");
	ik_config_unref(cfg);
}
END_TEST

/* ---- profile (V2-1, IKE_AUTH) ---- */

static const char *prof_cfg =
	"crypto ikev2 keyring K\n peer ALL\n  address 0.0.0.0 0.0.0.0\n  pre-shared-key k\n"
	"crypto ikev2 profile NET\n match identity remote address 192.0.2.0 255.255.255.0\n"
	" keyring local K\n"
	"crypto ikev2 profile HOST\n match identity remote address 192.0.2.9\n keyring local K\n"
	"crypto ikev2 profile DOM\n match identity remote fqdn domain example.com\n"
	" keyring local K\n"
	"crypto ikev2 profile SUB\n match identity remote fqdn domain lab.example.com\n"
	" keyring local K\n"
	"crypto ikev2 profile EXACT\n match identity remote fqdn r1.lab.example.com\n"
	" keyring local K\n"
	"crypto ikev2 profile MAIL\n match identity remote email domain example.com\n"
	" keyring local K\n"
	"crypto ikev2 profile KID\n match identity remote key-id Branch-7\n keyring local K\n"
	"crypto ikev2 profile LOC\n match identity remote address 203.0.113.0 255.255.255.0\n"
	" match address local 198.51.100.1\n keyring local K\n"
	"crypto ikev2 profile ANYV\n match fvrf any\n"
	" match identity remote address 192.0.2.0 255.255.255.0\n keyring local K\n";

START_TEST(profile_most_specific)
{
	struct ik_config *cfg = load(prof_cfg);

	/* address: the longest prefix, whatever the order */
	ck_assert_str_eq(prof_addr(cfg, NULL, "192.0.2.1", "192.0.2.9")->name, "HOST");
	/* equal prefixes: an explicit fVRF (global) beats `match fvrf any` */
	ck_assert_str_eq(prof_addr(cfg, NULL, "192.0.2.1", "192.0.2.10")->name, "NET");
	/* another VRF: only the `any` profile applies */
	ck_assert_str_eq(prof_addr(cfg, "blue", "192.0.2.1", "192.0.2.10")->name, "ANYV");
	/* names: exact beats domain, a longer domain beats a shorter one */
	ck_assert_str_eq(prof_name(cfg, IK_ID_FQDN, "r1.lab.example.com")->name, "EXACT");
	ck_assert_str_eq(prof_name(cfg, IK_ID_FQDN, "R2.Lab.Example.COM")->name, "SUB");
	ck_assert_str_eq(prof_name(cfg, IK_ID_FQDN, "r3.example.com")->name, "DOM");
	ck_assert_ptr_null(prof_name(cfg, IK_ID_FQDN, "r3.example.org"));
	expect_line("IKEv2:(SESSION ID = 7,SA ID = 7):Failed to locate an item in the database");
	/* an e-mail matches by its domain; an FQDN match never takes an e-mail */
	ck_assert_str_eq(prof_name(cfg, IK_ID_EMAIL, "ops@example.com")->name, "MAIL");
	ck_assert_ptr_null(prof_name(cfg, IK_ID_EMAIL, "ops@example.net"));
	/* key IDs are opaque: case matters */
	ck_assert_str_eq(prof_name(cfg, IK_ID_KEY_ID, "Branch-7")->name, "KID");
	ck_assert_ptr_null(prof_name(cfg, IK_ID_KEY_ID, "branch-7"));
	ik_config_unref(cfg);
}
END_TEST

START_TEST(profile_local_address)
{
	struct ik_config *cfg = load(prof_cfg);

	ck_assert_str_eq(prof_addr(cfg, NULL, "198.51.100.1", "203.0.113.5")->name, "LOC");
	ck_assert_ptr_null(prof_addr(cfg, NULL, "198.51.100.2", "203.0.113.5"));
	ik_config_unref(cfg);
}
END_TEST

START_TEST(profile_tie_first_configured)
{
	struct ik_config *cfg = load(
		"crypto ikev2 profile A\n match identity remote address 192.0.2.0 255.255.255.0\n"
		"crypto ikev2 profile B\n match identity remote address 192.0.2.0 255.255.255.0\n");

	ck_assert_str_eq(prof_addr(cfg, NULL, "192.0.2.1", "192.0.2.3")->name, "A");
	/* ikerd's own line, marked so that it is not taken for IOS's */
	expect_line("ikerd: IKEv2 profile B matches as specifically; keeping the first "
		    "configured, A");
	ik_config_unref(cfg);
}
END_TEST

/* ---- keyring (V2-2) ---- */

static const char *kr_cfg =
	"crypto ikev2 keyring K\n"
	" peer NET\n  address 192.0.2.0 255.255.255.0\n  pre-shared-key net\n"
	" peer HOST\n  address 192.0.2.9\n  pre-shared-key host\n"
	" peer BYID\n  identity fqdn r1.example.com\n  pre-shared-key byid\n"
	" peer ASYM\n  address 198.51.100.7\n  pre-shared-key local mine\n"
	"  pre-shared-key remote theirs\n"
	" peer HALF\n  address 198.51.100.8\n  pre-shared-key local onlymine\n"
	" peer NAMED\n  hostname hub.example.com\n  pre-shared-key named\n"
	"crypto ikev2 profile P\n match identity remote address 0.0.0.0 0.0.0.0\n"
	" match identity remote fqdn domain example.com\n"
	" authentication local pre-share\n authentication remote pre-share\n"
	" keyring local K\n";

START_TEST(keyring_identity_then_address)
{
	struct ik_config *cfg = load(kr_cfg);
	const struct ik_ikev2_profile *p = cfg->v2_profiles[0];
	struct ik_v2_id fq = { .type = IK_ID_FQDN, .value = "r1.example.com" };
	struct ik_v2_id other = { .type = IK_ID_FQDN, .value = "r9.example.com" };
	struct ik_v2_id a9 = { .type = IK_ID_ADDRESS, .addr = ip("192.0.2.9") };
	struct ik_v2_psk k;

	/* by identity first, even when the address would match another block */
	ck_assert_int_eq(ik_v2_key_responder(cfg, p, &fq, ip("192.0.2.9"), &k, &tr), 0);
	ck_assert_str_eq(k.peer->name, "BYID");
	/* no identity match: by address, the longest prefix */
	ck_assert_int_eq(ik_v2_key_responder(cfg, p, &other, ip("192.0.2.9"), &k, &tr), 0);
	ck_assert_str_eq(k.peer->name, "HOST");
	ck_assert_int_eq(ik_v2_key_responder(cfg, p, &a9, ip("192.0.2.10"), &k, &tr), 0);
	ck_assert_str_eq(k.peer->name, "NET");
	ck_assert_str_eq((const char *)k.local->p, "net");
	/* nothing at all */
	ck_assert_int_eq(ik_v2_key_responder(cfg, p, &other, ip("203.0.113.1"), &k, &tr), -1);
	expect_line("IKEv2:% Failed to find a matching peer block in keyring K for 203.0.113.1");
	ik_config_unref(cfg);
}
END_TEST

START_TEST(keyring_asymmetric_keys)
{
	struct ik_config *cfg = load(kr_cfg);
	const struct ik_ikev2_profile *p = cfg->v2_profiles[0];
	struct ik_v2_id a = { .type = IK_ID_ADDRESS, .addr = ip("198.51.100.7") };
	struct ik_v2_id h = { .type = IK_ID_ADDRESS, .addr = ip("198.51.100.8") };
	struct ik_v2_psk k;

	ck_assert_int_eq(ik_v2_key_responder(cfg, p, &a, ip("198.51.100.7"), &k, &tr), 0);
	ck_assert_str_eq((const char *)k.local->p, "mine");
	ck_assert_str_eq((const char *)k.remote->p, "theirs");
	/* authentication remote pre-share needs a remote key */
	ck_assert_int_eq(ik_v2_key_responder(cfg, p, &h, ip("198.51.100.8"), &k, &tr), -1);
	expect_line("has no remote pre-shared key");
	ik_config_unref(cfg);
}
END_TEST

START_TEST(keyring_initiator)
{
	struct ik_config *cfg = load(kr_cfg);
	const struct ik_ikev2_profile *p = cfg->v2_profiles[0];
	struct ik_v2_psk k;

	ck_assert_int_eq(ik_v2_key_initiator(cfg, p, ip("192.0.2.9"), NULL, &k, &tr), 0);
	ck_assert_str_eq(k.peer->name, "HOST");
	ck_assert_int_eq(ik_v2_key_initiator(cfg, p, ip("203.0.113.1"), "HUB.example.com", &k,
					     &tr), 0);
	ck_assert_str_eq(k.peer->name, "NAMED");
	ck_assert_int_eq(ik_v2_key_initiator(cfg, p, ip("203.0.113.1"), NULL, &k, &tr), -1);
	ik_config_unref(cfg);
}
END_TEST

/* ---- the index against a literal scan ---- */

static unsigned rnd_state = 12345;

static unsigned rnd(unsigned n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) % n;
}

START_TEST(index_equals_scan)
{
	static const char *const names[] = { "a.example.com", "example.com", "b.a.example.com",
					     "example.org", "x.example.org" };
	static const char *const vrfs[] = { NULL, "blue", "any" };

	for (int round = 0; round < 40; round++) {
		struct ik_sb t;
		struct ik_config *cfg;
		struct ik_v2_index *saved;

		ik_sb_init(&t);
		ik_sb_add(&t, "vrf definition blue\n");
		for (unsigned i = 0, n = 1 + rnd(12); i < n; i++) {
			ik_sb_printf(&t, "crypto ikev2 profile P%u\n", i);
			if (vrfs[rnd(3)])
				ik_sb_printf(&t, " match fvrf %s\n", vrfs[1 + rnd(2)]);
			if (rnd(4) == 0)
				ik_sb_printf(&t, " match address local 198.51.100.%u\n", 1 + rnd(2));
			for (unsigned m = 0, nm = 1 + rnd(3); m < nm; m++) {
				unsigned plen = rnd(33);

				if (rnd(2)) {
					uint32_t mask = plen ? 0xffffffffu << (32 - plen) : 0;
					char a[IK_ADDRSTRLEN], k[IK_ADDRSTRLEN];

					ik_sb_printf(&t, " match identity remote address %s %s\n",
						     ik_addr_fmt((0xc0000200u | rnd(16)) & mask, a),
						     ik_addr_fmt(mask, k));
				} else {
					ik_sb_printf(&t, " match identity remote fqdn %s%s\n",
						     rnd(2) ? "domain " : "", names[rnd(5)]);
				}
			}
		}
		cfg = load(ik_sb_str(&t));
		for (int q = 0; q < 60; q++) {
			const char *fvrf = vrfs[rnd(2)];
			uint32_t local = 0xc6336401u + rnd(2);
			struct ik_v2_id id = { .type = IK_ID_NONE };
			const struct ik_ikev2_profile *a, *b;

			if (rnd(2)) {
				id.type = IK_ID_ADDRESS;
				id.addr = 0xc0000200u | rnd(16);
				id.value = NULL;
			} else {
				id.type = IK_ID_FQDN;
				id.addr = 0;
				id.value = names[rnd(5)];
			}
			a = ik_v2_profile_select(cfg, fvrf, local, &id, NULL);
			saved = cfg->v2index;
			cfg->v2index = NULL;
			b = ik_v2_profile_select(cfg, fvrf, local, &id, NULL);
			cfg->v2index = saved;
			ck_assert_msg(a == b, "round %d query %d: index %s, scan %s\n%s", round, q,
				      a ? a->name : "-", b ? b->name : "-", ik_sb_str(&t));
		}
		ik_config_unref(cfg);
		ik_sb_free(&t);
	}
}
END_TEST

/* `match identity remote address ipv6` through the index: many profiles
 * with IPv6 prefixes of every length in 2001:db8::/32 (and some IPv4 and
 * name matches beside them), fVRFs and local addresses; IPv6 identities
 * pick the same profile as the scan over the profiles (P1, P2). */
START_TEST(index_equals_scan_v6)
{
	static const char *const vrfs[] = { NULL, "blue", "any" };

	for (int round = 0; round < 6; round++) {
		struct ik_sb t;
		struct ik_config *cfg;
		struct ik_v2_index *saved;
		unsigned np = 50 + rnd(250), hits = 0;

		ik_sb_init(&t);
		ik_sb_add(&t, "vrf definition blue\n");
		for (unsigned i = 0; i < np; i++) {
			ik_sb_printf(&t, "crypto ikev2 profile P%u\n", i);
			if (rnd(3) == 0)
				ik_sb_printf(&t, " match fvrf %s\n", vrfs[1 + rnd(2)]);
			if (rnd(6) == 0)
				ik_sb_printf(&t, " match address local 198.51.100.%u\n", 1 + rnd(2));
			for (unsigned m = 0, nm = 1 + rnd(3); m < nm; m++) {
				unsigned plen = 32 + rnd(97);

				if (rnd(8) == 0) {
					ik_sb_printf(&t, " %s 192.0.2.%u 255.255.255.255\n",
						     "match identity remote address", rnd(16));
				} else if (rnd(8) == 0) {
					ik_sb_printf(&t, " %s r%u.example\n",
						     "match identity remote fqdn", rnd(16));
				} else {
					/* the varying bits sit in the last 16: short
					 * prefixes cover many queries, long ones few */
					ik_sb_printf(&t, " %s 2001:db8::%x/%u\n",
						     "match identity remote address ipv6",
						     rnd(16) << rnd(13), plen);
				}
			}
		}
		cfg = load(ik_sb_str(&t));
		for (int q = 0; q < 400; q++) {
			const char *fvrf = vrfs[rnd(2)];
			uint32_t local = 0xc6336401u + rnd(2);
			struct ik_v2_id id = { .type = IK_ID_ADDRESS, .v6 = true };
			const struct ik_ikev2_profile *a, *b;
			struct ik_addr x;
			char s6[64];

			snprintf(s6, sizeof(s6), "2001:db8::%x", rnd(16) << rnd(13));
			ck_assert_int_eq(ik_addr_parse_any(s6, &x), 0);
			memcpy(id.addr6, x.v6, 16);
			a = ik_v2_profile_select(cfg, fvrf, local, &id, NULL);
			saved = cfg->v2index;
			cfg->v2index = NULL;
			b = ik_v2_profile_select(cfg, fvrf, local, &id, NULL);
			cfg->v2index = saved;
			ck_assert_msg(a == b, "round %d query %d (%s): index %s, scan %s", round,
				      q, s6, a ? a->name : "-", b ? b->name : "-");
			hits += a != NULL;
		}
		/* the comparison means something: most queries find a profile */
		ck_assert_uint_gt(hits, 100);
		ik_config_unref(cfg);
		ik_sb_free(&t);
	}
}
END_TEST

/* ---- show and configuration ---- */

START_TEST(show_defaults)
{
	struct ik_config *cfg = load("hostname R\n");
	struct ik_sb o;

	ik_sb_init(&o);
	ik_v2_show_proposal(cfg, false, &o);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&o), " IKEv2 proposal: default \n"
				      "     Encryption : AES-CBC-256\n"
				      "     Integrity  : SHA512 SHA384\n"
				      "     PRF        : SHA512 SHA384\n"
				      "     DH Group   : DH_GROUP_256_ECP/Group 19 "
				      "DH_GROUP_2048_MODP/Group 14 DH_GROUP_521_ECP/Group 21 "
				      "DH_GROUP_1536_MODP/Group 5\n"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&o), "     Encryption : AES-GCM-256\n"));
	ik_sb_reset(&o);
	ik_v2_show_policy(cfg, false, &o);
	ck_assert_str_eq(ik_sb_str(&o), "IKEv2 policy : default\n"
			 "      Match fvrf : any\n"
			 "      Match address local : any\n"
			 "      Proposal    : default\n");
	ik_sb_reset(&o);
	ik_v2_show_policy(cfg, true, &o);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&o), "\"default\":true"));
	ik_sb_free(&o);
	ik_config_unref(cfg);
}
END_TEST

START_TEST(show_profile_and_roundtrip)
{
	static const char *text =
		"crypto ikev2 cookie-challenge 10\n"
		"crypto ikev2 proposal X\n encryption chacha20-poly1305\n prf sha256\n group 31\n"
		"crypto ikev2 keyring K\n peer H\n  hostname hub.example.com\n"
		"  pre-shared-key k\n"
		"crypto ikev2 profile P\n match address local 198.51.100.1\n"
		" match identity remote fqdn domain example.com\n keyring local K\n"
		" nat keepalive 20\n";
	struct ik_config *cfg = load(text), *again;
	struct ik_sb a, b, o;
	struct ik_conf_error err;

	ik_sb_init(&a);
	ik_sb_init(&b);
	ik_sb_init(&o);
	ik_config_print(cfg, &a);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&a), "crypto ikev2 cookie-challenge 10\n"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&a), "  hostname hub.example.com\n"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&a), " match address local 198.51.100.1\n"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&a), " nat keepalive 20\n"));
	again = ik_snapshot_load_string(ik_sb_str(&a), "again", &err);
	ck_assert_ptr_nonnull(again);
	ik_config_print(again, &b);
	ck_assert_str_eq(ik_sb_str(&a), ik_sb_str(&b));
	ik_v2_show_proposal(cfg, false, &o);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&o), "DH_GROUP_CURVE25519/Group 31"));
	ik_sb_reset(&o);
	ik_v2_show_profile(cfg, false, &o);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&o), "IKEv2 profile: P\n"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&o), "   fqdn domain example.com\n"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&o), "  Local address/interface: 198.51.100.1\n"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&o), " NAT-keepalive: 20 seconds\n"));
	ik_sb_reset(&o);
	ik_v2_show_profile(cfg, true, &o);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&o), "\"keyring\":\"K\""));
	ik_sb_free(&a);
	ik_sb_free(&b);
	ik_sb_free(&o);
	ik_config_unref(again);
	ik_config_unref(cfg);
}
END_TEST

START_TEST(explain_failures)
{
	struct ik_config *cfg = load(kr_cfg);
	struct ik_v2_id mail = { .type = IK_ID_EMAIL, .value = "ops@example.com" };
	struct ik_sb o;

	ik_sb_init(&o);
	ck_assert_int_eq(ik_v2_explain_responder(cfg, NULL, ip("192.0.2.1"), ip("203.0.113.1"),
						 &mail, &o, false), 1);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&o), "no IKEv2 profile matches identity email "
				      "'ops@example.com'"));
	ik_sb_reset(&o);
	ck_assert_int_eq(ik_v2_explain_responder(cfg, NULL, ip("192.0.2.1"), ip("203.0.113.1"),
						 NULL, &o, true), 1);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&o), "\"profile\":\"P\""));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&o), "finds no pre-shared key"));
	ik_sb_free(&o);
	ik_config_unref(cfg);
}
END_TEST


/* ---- the static checker (L1) for IKEv2 tunnels ---- */

#define CHK_BASE \
	"crypto ikev2 proposal A\n encryption aes-cbc-128\n integrity sha1\n group 14\n" \
	"crypto ikev2 policy POL\n match address local 192.0.2.1\n proposal A\n" \
	"crypto ikev2 keyring K\n peer OTHER\n  address 203.0.113.9\n  pre-shared-key k\n" \
	"crypto ikev2 profile P\n match identity remote address 198.51.100.2\n" \
	" authentication local pre-share\n authentication remote pre-share\n" \
	" keyring local K\n" \
	"crypto ipsec transform-set TS esp-aes esp-sha256-hmac\n" \
	"crypto ipsec profile IP\n set transform-set TS\n set ikev2-profile P\n" \
	"interface Ethernet0\n ip address %s 255.255.255.0\n" \
	"interface Tunnel1\n ip address 10.0.0.1 255.255.255.0\n tunnel source Ethernet0\n" \
	" tunnel destination %s\n tunnel protection ipsec profile IP\n"

static char *check_text(const char *local, const char *dest)
{
	char text[2048];
	struct ik_config *cfg;
	struct ik_sb o;
	char *r;

	snprintf(text, sizeof(text), CHK_BASE, local, dest);
	cfg = load(text);
	ik_sb_init(&o);
	ik_check_config(cfg, &o, false);
	r = strdup(ik_sb_str(&o));
	ik_sb_free(&o);
	ik_config_unref(cfg);
	return r;
}

START_TEST(check_v2_tunnels)
{
	char *t;

	/* no peer block for the tunnel destination: the initiator fails */
	t = check_text("192.0.2.1", "198.51.100.2");
	ck_assert_ptr_nonnull(strstr(t, "error: V2-2: Tunnel1 initiates toward 198.51.100.2 "
				   "with IKEv2 profile P, and keyring K has no peer block"));
	ck_assert_ptr_null(strstr(t, "no crypto ikev2 policy"));
	/* and the peer's own initiation finds profile P but no key */
	ck_assert_ptr_nonnull(strstr(t, "warning: V2-1: a peer identifying itself as address "
				   "198.51.100.2 matches IKEv2 profile P"));
	free(t);
	/* a local address no policy matches */
	t = check_text("192.0.2.5", "203.0.113.9");
	ck_assert_ptr_nonnull(strstr(t, "error: V2-2: no crypto ikev2 policy matches fVRF "
				   "global and local address 192.0.2.5"));
	ck_assert_ptr_null(strstr(t, "initiates toward"));
	/* 203.0.113.9 has a key but no profile matches its address identity */
	ck_assert_ptr_nonnull(strstr(t, "no IKEv2 profile matches a peer identifying itself "
				   "as address 203.0.113.9"));
	free(t);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("v2_select");
	TCase *tc = tcase_create("v2");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, v2_1_seed_r2_initiates);
	tcase_add_test(tc, v2_1_seed_r1_initiates);
	tcase_add_test(tc, v2_1_next_to_ikev1);
	tcase_add_test(tc, policy_default_when_none);
	tcase_add_test(tc, policy_specificity);
	tcase_add_test(tc, policy_none_matches);
	tcase_add_test(tc, profile_most_specific);
	tcase_add_test(tc, profile_local_address);
	tcase_add_test(tc, profile_tie_first_configured);
	tcase_add_test(tc, keyring_identity_then_address);
	tcase_add_test(tc, keyring_asymmetric_keys);
	tcase_add_test(tc, keyring_initiator);
	tcase_add_test(tc, index_equals_scan);
	tcase_add_test(tc, index_equals_scan_v6);
	tcase_add_test(tc, show_defaults);
	tcase_add_test(tc, show_profile_and_roundtrip);
	tcase_add_test(tc, explain_failures);
	tcase_add_test(tc, check_v2_tunnels);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
