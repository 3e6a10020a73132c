/* Selection with local-address, identities that are not the source address
 * (host names, NAT), and the checker's findings about them
 * (doc/selection-rules.md): K3 and K1 restricted to the keyrings bound to the
 * exchange's local address, P1 restricted to the profiles bound to it, no
 * K3.6 tie between keyrings of different local addresses (L1), P2 for host
 * and user-fqdn identities, K5 between the initiator's and the responder's
 * pick, NAT (the identity is not the source address), and ikerd's own trace
 * lines kept apart from IOS's. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyring/hostkeys.h"
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
static struct ik_trace tr0 = { .log = &lg, .conn_id = 0 };
static struct ik_sb out;

static void setup(void)
{
	ik_secmem_init();
	ik_log_capture_clear(&cap);
	ik_sb_init(&out);
}

static void teardown(void)
{
	ik_log_capture_clear(&cap);
	ik_sb_free(&out);
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
	return cfg;
}

static const char *key_text(const struct ik_key *k)
{
	return k ? (const char *)k->secret->p : "(none)";
}

/* The checker with the engine's capabilities; returns the counts. */
static struct ik_check_counts check(const struct ik_config *cfg)
{
	struct ik_check_env env = IK_CHECK_ENV_ENGINE;
	struct ik_check_counts n;

	ik_sb_reset(&out);
	ik_check_config_env(cfg, &env, &out, false, &n);
	return n;
}

static bool has(const char *needle)
{
	return strstr(ik_sb_str(&out), needle) != NULL;
}

/* One keyring and one profile per local address: the same peer address in
 * both keyrings with different keys. */
static const char *const per_local =
	"crypto keyring RING-A\n"
	"  local-address 192.0.2.1\n"
	"  pre-shared-key address 198.51.100.2 key keyA\n"
	"crypto keyring RING-B\n"
	"  local-address GigabitEthernet0/1\n"
	"  pre-shared-key address 198.51.100.2 key keyB\n"
	"crypto isakmp policy 10\n"
	" authentication pre-share\n"
	"crypto isakmp profile PA\n"
	"   keyring RING-A\n"
	"   match identity address 198.51.100.2 255.255.255.255\n"
	"   local-address 192.0.2.1\n"
	"crypto isakmp profile PB\n"
	"   keyring RING-B\n"
	"   match identity address 198.51.100.2 255.255.255.255\n"
	"   local-address Gi0/1\n"
	"interface GigabitEthernet0/1\n"
	" ip address 203.0.113.1 255.255.255.0\n";

/* K3 + local-address: the responder searches only the keyrings bound to the
 * address the exchange arrived on (and those without local-address). */
START_TEST(local_k3_responder_per_local_address)
{
	struct ik_config *cfg = load(per_local);
	const struct ik_key *k;

	k = ik_resolve_responder(cfg->resolver, NULL, ip("192.0.2.1"), ip("198.51.100.2"), NULL);
	ck_assert_str_eq(key_text(k), "keyA");
	k = ik_resolve_responder(cfg->resolver, NULL, ip("203.0.113.1"), ip("198.51.100.2"),
				 &tr0);
	ck_assert_str_eq(key_text(k), "keyB");
	/* one keyring seen: no K3.6 tie line */
	for (size_t i = 0; i < cap.n; i++)
		ck_assert_msg(!strstr(cap.lines[i], "K3.6"), "tie line: %s", cap.lines[i]);
	ck_assert_str_eq(cap.lines[cap.n - 1],
			 "ISAKMP:(0):found peer pre-shared key matching 198.51.100.2");
	/* another local address: neither keyring */
	ck_assert_ptr_null(ik_resolve_responder(cfg->resolver, NULL, ip("192.0.2.99"),
						ip("198.51.100.2"), NULL));
	ck_assert_ptr_null(ik_resolve_responder(cfg->resolver, NULL, 0, ip("198.51.100.2"),
						NULL));
	ik_config_unref(cfg);
}
END_TEST

/* K1/K2 + local-address: the initiator's lookup skips keyrings bound to
 * another local address; P3 skips profiles bound to another address. */
START_TEST(local_k1_initiator_per_local_address)
{
	struct ik_config *cfg = load(per_local);
	const struct ik_isakmp_profile *pa = ik_config_find_profile(cfg, "PA");
	const struct ik_isakmp_profile *pb = ik_config_find_profile(cfg, "PB");
	const struct ik_isakmp_profile *p;

	ck_assert_str_eq(key_text(ik_resolve_initiator(cfg->resolver, pa, NULL, ip("192.0.2.1"),
						       ip("198.51.100.2"), NULL)), "keyA");
	ck_assert_str_eq(key_text(ik_resolve_initiator(cfg->resolver, pb, NULL,
						       ip("203.0.113.1"), ip("198.51.100.2"),
						       NULL)), "keyB");
	/* K2 without a profile */
	ck_assert_str_eq(key_text(ik_resolve_initiator(cfg->resolver, NULL, NULL,
						       ip("203.0.113.1"), ip("198.51.100.2"),
						       NULL)), "keyB");
	/* a profile used on another local address finds none of its keys */
	ck_assert_ptr_null(ik_resolve_initiator(cfg->resolver, pa, NULL, ip("203.0.113.1"),
						ip("198.51.100.2"), NULL));
	p = ik_profile_for_initiator(cfg, NULL, NULL, ip("203.0.113.1"), ip("198.51.100.2"),
				     NULL);
	ck_assert_ptr_eq(p, pb);
	p = ik_profile_for_initiator(cfg, NULL, NULL, ip("192.0.2.1"), ip("198.51.100.2"), NULL);
	ck_assert_ptr_eq(p, pa);
	ik_config_unref(cfg);
}
END_TEST

/* P1 + P2 + local-address: each profile matches only on its own address, so
 * the two equal matches are no tie, and the keyring cross-check passes on
 * both addresses. */
START_TEST(local_p1_p2_per_local_address)
{
	struct ik_config *cfg = load(per_local);
	struct ik_peer_id id = { .type = IK_PEER_ID_IPV4, .addr = ip("198.51.100.2") };
	const struct ik_isakmp_profile *p;
	const char *locals[] = { "192.0.2.1", "203.0.113.1" };

	for (size_t i = 0; i < 2; i++) {
		uint32_t l = ip(locals[i]);
		const struct ik_key *k = ik_resolve_responder(cfg->resolver, NULL, l,
							      ip("198.51.100.2"), NULL);

		ik_log_capture_clear(&cap);
		p = ik_profile_match_responder(cfg, NULL, l, &id, &tr0);
		ck_assert_str_eq(p->name, i ? "PB" : "PA");
		ck_assert_uint_eq(cap.n, 1); /* no P1 tie line */
		ck_assert_str_eq(cap.lines[0], i ? "ISAKMP:(0):: peer matches PB profile"
						 : "ISAKMP:(0):: peer matches PA profile");
		ck_assert(ik_profile_check_responder(cfg, p, k, NULL, l, ip("198.51.100.2"),
						     NULL));
	}
	/* on an address no profile is bound to: none of them */
	ck_assert_ptr_null(ik_profile_match_responder(cfg, NULL, ip("192.0.2.99"), &id, NULL));
	ik_config_unref(cfg);
}
END_TEST

/* L1 + local-address: no K3.6 tie between keyrings bound to different local
 * addresses, no P1 tie, no P2: the configuration is clean. The same two
 * keyrings without local-address are a K3.6 tie and a P2 error. */
START_TEST(local_l1_no_false_tie)
{
	struct ik_config *cfg = load(per_local);
	struct ik_check_counts n = check(cfg);

	ck_assert_msg(n.errors + n.warnings + n.notes == 0, "%s", ik_sb_str(&out));
	ik_config_unref(cfg);

	cfg = load("crypto keyring RING-A\n"
		   "  pre-shared-key address 198.51.100.2 key keyA\n"
		   "crypto keyring RING-B\n"
		   "  local-address 203.0.113.1\n"
		   "  pre-shared-key address 198.51.100.2 key keyA\n"
		   "crypto isakmp policy 10\n"
		   " authentication pre-share\n"
		   "crypto isakmp profile PB\n"
		   "   keyring RING-B\n"
		   "   match identity address 198.51.100.2 255.255.255.255\n");
	n = check(cfg);
	/* an unbound keyring meets the bound one on its address: a tie */
	ck_assert_msg(has("warning: K3.6: 198.51.100.2,255.255.255.255 is configured in "
			  "keyring RING-A and in keyring RING-B (fVRF global on local address "
			  "203.0.113.1)"), "%s", ik_sb_str(&out));
	ck_assert_msg(has("error: P2: profile PB matches 198.51.100.2, but the key this "
			  "router picks for it at MM3 on local address 203.0.113.1 is "
			  "198.51.100.2,255.255.255.255 from keyring RING-A"), "%s",
		      ik_sb_str(&out));
	ck_assert_int_eq(n.errors, 1);
	ik_config_unref(cfg);
}
END_TEST

/* L2 + local-address: the explainer takes the local address. */
START_TEST(local_l2_explain)
{
	struct ik_config *cfg = load(per_local);

	ck_assert_int_eq(ik_explain_responder(cfg, NULL, ip("203.0.113.1"), ip("198.51.100.2"),
					      NULL, &out, false), 0);
	ck_assert_msg(has("Responder decision for peer 198.51.100.2, fVRF global on local "
			  "address 203.0.113.1, identity ID_IPV4_ADDR 198.51.100.2\n"), "%s",
		      ik_sb_str(&out));
	ck_assert_msg(has("Verdict: phase 1 would complete with profile PB, keyring RING-B\n"),
		      "%s", ik_sb_str(&out));
	ik_config_unref(cfg);
}
END_TEST

/* P2 for identities that are names: the MM3 key comes from keyring RING1
 * (K3.6, first configured) while the profile that matches the peer's
 * hostname lists only RING2. */
START_TEST(p2_host_and_user_fqdn_identities)
{
	static const char *const kinds[] = { "host spoke.example.net",
					     "user-fqdn ops@example.net" };

	for (size_t i = 0; i < 2; i++) {
		char text[1024], want[256];
		struct ik_config *cfg;
		struct ik_check_counts n;

		snprintf(text, sizeof(text),
			 "crypto keyring RING1\n"
			 "  pre-shared-key address 198.51.100.2 key k1\n"
			 "crypto keyring RING2\n"
			 "  pre-shared-key address 198.51.100.2 key k1\n"
			 "crypto isakmp policy 10\n"
			 " authentication pre-share\n"
			 "crypto isakmp profile P-NAME\n"
			 "   keyring RING2\n"
			 "   match identity %s\n", kinds[i]);
		cfg = load(text);
		n = check(cfg);
		snprintf(want, sizeof(want), "error: P2: profile P-NAME matches 198.51.100.2 "
			 "presenting identity %s, but the key this router picks for it at MM3 "
			 "is 198.51.100.2,255.255.255.255 from keyring RING1", kinds[i]);
		ck_assert_msg(has(want), "%s", ik_sb_str(&out));
		ck_assert_msg(has("fails: sessions initiated by 198.51.100.2 presenting identity"),
			      "%s", ik_sb_str(&out));
		ck_assert_int_eq(n.errors, 1);
		ik_config_unref(cfg);
	}
}
END_TEST

/* K5: one profile lists RING-A then RING-B; RING-B is configured first.
 * Both hold a key for the peer with different texts: the responder answers
 * with RING-B's key (K3.6), the initiator uses RING-A's (K1). */
START_TEST(k5_profile_order_differs_from_config_order)
{
	static const char *const fmt =
		"crypto keyring RING-B\n"
		"  pre-shared-key address 198.51.100.2 key %s\n"
		"crypto keyring RING-A\n"
		"  pre-shared-key address 198.51.100.2 key textA\n"
		"crypto isakmp policy 10\n"
		" authentication pre-share\n"
		"crypto isakmp profile P\n"
		"   keyring RING-A\n"
		"   keyring RING-B\n"
		"   match identity address 198.51.100.2 255.255.255.255\n";
	char text[1024];
	struct ik_config *cfg;
	struct ik_check_counts n;
	const struct ik_key *r, *i;

	snprintf(text, sizeof(text), fmt, "textB");
	cfg = load(text);
	r = ik_resolve_responder(cfg->resolver, NULL, 0, ip("198.51.100.2"), NULL);
	i = ik_resolve_initiator(cfg->resolver, ik_config_find_profile(cfg, "P"), NULL, 0,
				 ip("198.51.100.2"), NULL);
	ck_assert_str_eq(key_text(r), "textB");
	ck_assert_str_eq(key_text(i), "textA");
	n = check(cfg);
	ck_assert_msg(has("error: K5: profile P lists keyrings RING-A and RING-B, which both "
			  "hold a key for 198.51.100.2 with different texts"), "%s",
		      ik_sb_str(&out));
	ck_assert_msg(has("fails: if 198.51.100.2 holds keyring RING-A's key, sessions it "
			  "initiates toward this router fail at MM5; if it holds keyring "
			  "RING-B's key, sessions this router initiates fail at MM5"), "%s",
		      ik_sb_str(&out));
	ck_assert_int_eq(n.errors, 1);
	ik_config_unref(cfg);

	/* the same text in both: only the K3.6 warning */
	snprintf(text, sizeof(text), fmt, "textA");
	cfg = load(text);
	n = check(cfg);
	ck_assert_msg(!has(": K5: ") && n.errors == 0, "%s", ik_sb_str(&out));
	ik_config_unref(cfg);
}
END_TEST

/* NAT: the hub's tunnel goes to the spoke's NAT address 198.51.100.20, the
 * key is for that address, and the profile matches the spoke's private
 * address 10.1.1.2, the identity it presents. Nothing fails from the
 * configuration: no K3 (no key for 10.1.1.2 is needed), no P4 error; a note
 * says that it depends on the identity the peer presents. */
static const char *const nat_hub =
	"crypto keyring SPOKES\n"
	"  pre-shared-key address 198.51.100.20 key natkey\n"
	"crypto keyring OTHER\n"
	"  pre-shared-key address 198.51.100.0 255.255.255.0 key other\n"
	"crypto isakmp policy 10\n"
	" authentication pre-share\n"
	"crypto isakmp profile SPOKE\n"
	"   keyring %s\n"
	"   match identity address %s 255.255.255.255\n"
	"crypto ipsec transform-set TS esp-aes esp-sha-hmac\n"
	"crypto ipsec profile IPP\n"
	" set transform-set TS\n"
	" set isakmp-profile SPOKE\n"
	"interface Tunnel1\n"
	" tunnel source 192.0.2.1\n"
	" tunnel destination 198.51.100.20\n"
	" tunnel protection ipsec profile IPP\n";

START_TEST(nat_identity_is_not_source)
{
	char text[2048];
	struct ik_config *cfg;
	struct ik_check_counts n;

	snprintf(text, sizeof(text), nat_hub, "SPOKES", "10.1.1.2");
	cfg = load(text);
	n = check(cfg);
	ck_assert_msg(n.errors == 0 && n.warnings == 0, "%s", ik_sb_str(&out));
	ck_assert_msg(!has(": K3: ") && !has("error: P4"), "%s", ik_sb_str(&out));
	ck_assert_msg(has("note: P4: Tunnel1's peer 198.51.100.20 is not matched by its own "
			  "address; profile SPOKE expects it to present another identity "
			  "(10.1.1.2)"), "%s", ik_sb_str(&out));
	ik_config_unref(cfg);

	/* a public address as the other identity: more likely a typo than NAT,
	 * a warning (still not a predicted failure) */
	snprintf(text, sizeof(text), nat_hub, "SPOKES", "203.0.113.9");
	cfg = load(text);
	n = check(cfg);
	ck_assert_msg(has("warning: P4: Tunnel1's peer 198.51.100.20 is not matched by its own "
			  "address") && n.errors == 0 && n.notes == 0, "%s", ik_sb_str(&out));
	ik_config_unref(cfg);

	/* the NAT address's key is in a keyring the profile does not list:
	 * whatever identity the spoke presents, P2 fails */
	snprintf(text, sizeof(text), nat_hub, "OTHER", "10.1.1.2");
	cfg = load(text);
	n = check(cfg);
	ck_assert_msg(has("error: P2: profile SPOKE matches 198.51.100.20 presenting identity "
			  "10.1.1.2, but the key this router picks for it at MM3 is "
			  "198.51.100.20,255.255.255.255 from keyring SPOKES"), "%s",
		      ik_sb_str(&out));
	ik_config_unref(cfg);
}
END_TEST

/* ikerd's own trace lines (K3.6 tie, P1 tie) cannot be taken for IOS
 * lines: they start with "ikerd:", never with "ISAKMP". */
START_TEST(own_lines_marked)
{
	struct ik_config *cfg = load("crypto keyring keyring1\n"
				     "  pre-shared-key address 198.51.100.2 key k\n"
				     "crypto keyring keyring2\n"
				     "  pre-shared-key address 198.51.100.2 key k\n"
				     "crypto isakmp profile p1\n"
				     "   match identity address 198.51.100.2 255.255.255.255\n"
				     "crypto isakmp profile p2\n"
				     "   match identity address 198.51.100.2 255.255.255.255\n");
	struct ik_peer_id id = { .type = IK_PEER_ID_IPV4, .addr = ip("198.51.100.2") };
	size_t own = 0;

	ik_resolve_responder(cfg->resolver, NULL, 0, ip("198.51.100.2"), &tr0);
	ik_profile_match_responder(cfg, NULL, 0, &id, &tr0);
	for (size_t i = 0; i < cap.n; i++) {
		bool tie = strstr(cap.lines[i], "K3.6") || strstr(cap.lines[i], "P1 tie");

		if (tie) {
			ck_assert_msg(!strncmp(cap.lines[i], "ikerd:(0): ", 11), "%s",
				      cap.lines[i]);
			own++;
		} else {
			ck_assert_msg(!strncmp(cap.lines[i], "ISAKMP", 6), "%s", cap.lines[i]);
		}
	}
	ck_assert_uint_eq(own, 2);
	ik_config_unref(cfg);
}
END_TEST

/* L1: what the engine lacks is an error, labelled as such: the checker is
 * told what the engine has (here: no Aggressive Mode, no IKEv2). */
START_TEST(l1_engine_features)
{
	struct ik_config *cfg = load("crypto isakmp policy 10\n"
				     " authentication pre-share\n"
				     "crypto isakmp profile p\n"
				     "   match identity address 198.51.100.2 255.255.255.255\n"
				     "   initiate mode aggressive\n");
	struct ik_check_env env = { .ikev2 = true, .aggressive = false, .certs = false };
	struct ik_check_counts n;

	ik_check_config_env(cfg, &env, &out, false, &n);
	ck_assert_msg(has("error: AM: profile p initiates in Aggressive Mode, which this ikerd "
			  "does not have"), "%s", ik_sb_str(&out));
	ck_assert_int_eq(n.errors, 1);
	ik_sb_reset(&out);
	env.aggressive = true;
	ik_check_config_env(cfg, &env, &out, false, &n);
	ck_assert_msg(!has("error: AM") && n.errors == 0, "%s", ik_sb_str(&out));
	ik_config_unref(cfg);
}
END_TEST

/* K3 + local-address for host-name keys (Aggressive Mode): a keyring bound
 * to a local address lends its host-name keys only there. */
START_TEST(local_hostname_keys)
{
	struct ik_config *cfg = load("crypto keyring A\n"
				     "  local-address 192.0.2.1\n"
				     "  pre-shared-key hostname r2.example.net key keyA\n"
				     "crypto keyring B\n"
				     "  local-address 192.0.2.2\n"
				     "  pre-shared-key hostname r2.example.net key keyB\n");

	ck_assert_str_eq(key_text(ik_hostkeys_lookup(cfg->hostkeys, NULL, NULL, ip("192.0.2.1"),
						     "r2.example.net", NULL)), "keyA");
	ck_assert_str_eq(key_text(ik_hostkeys_lookup(cfg->hostkeys, NULL, NULL, ip("192.0.2.2"),
						     "r2.example.net", NULL)), "keyB");
	ck_assert_ptr_null(ik_hostkeys_lookup(cfg->hostkeys, NULL, NULL, ip("192.0.2.3"),
					      "r2.example.net", NULL));
	ik_config_unref(cfg);
}
END_TEST

/* The tunnel from local to remote (the responder's re-binding of its SAs on
 * reload, Quick Mode): tunnels bound to a source, tunnels whose source is an
 * interface the configuration does not give an address (any local
 * address), several to one destination, in configuration order; the
 * snapshot's index against a scan of the interfaces, 300 random tunnels. */
/* The destination and number indexes (keys kept in the index's own arrays)
 * answer as a scan of the interfaces: every protected tunnel to a
 * destination, IPv4 or IPv6, in configuration order; a tunnel by number;
 * nothing for a destination or number that no protected tunnel has. */
START_TEST(tunnels_to_and_num_index_agree_with_scan)
{
	static const char *const dsts[] = { "198.51.100.1", "198.51.100.2", "2001:db8::1",
					    "2001:db8::2", "203.0.113.7" };
	struct ik_sb t;
	struct ik_config *cfg;
	unsigned seed = 777;

	ik_sb_init(&t);
	ik_sb_printf(&t, "crypto ipsec transform-set TS esp-aes esp-sha-hmac\n!\n"
		     "crypto ipsec profile P\n set transform-set TS\n!\n"
		     "interface Ethernet0/0\n ip address 192.0.2.1 255.255.255.0\n"
		     " ipv6 address 2001:db8:ffff::1/64\n!\n");
	for (int i = 1; i <= 200; i++) {
		unsigned d;

		seed = seed * 1103515245u + 12345u;
		d = (seed >> 8) % 5;
		/* numbers out of order; one tunnel in eight unprotected */
		ik_sb_printf(&t, "interface Tunnel%d\n tunnel source Ethernet0/0\n%s"
			     " tunnel destination %s\n%s!\n", (i * 37) % 211 + 1,
			     strchr(dsts[d], ':') ? " tunnel mode gre ipv6\n" : "", dsts[d],
			     i % 8 ? " tunnel protection ipsec profile P\n" : "");
	}
	cfg = load(ik_sb_str(&t));
	for (int d = 0; d <= 5; d++) {
		struct ik_addr a;
		const struct ik_interface *const *got;
		size_t n, want = 0;

		ck_assert_int_eq(ik_addr_parse_any(d < 5 ? dsts[d] : "2001:db8::9", &a), 0);
		got = ik_snapshot_tunnels_to_ip(cfg, &a, &n);
		for (size_t i = 0; i < cfg->nifaces; i++) {
			const struct ik_interface *f = cfg->ifaces[i];
			struct ik_addr fd;

			if (!f->is_tunnel || !f->protection)
				continue;
			ik_iface_tunnel_dest(f, &fd);
			if (!ik_addr_eq(&fd, &a))
				continue;
			ck_assert_uint_lt(want, n);
			ck_assert_ptr_eq(got[want], f);
			want++;
		}
		ck_assert_uint_eq(n, want);
		if (d < 5)
			ck_assert_uint_gt(n, 10);
	}
	for (unsigned num = 0; num <= 215; num++) {
		const struct ik_interface *want = NULL;

		for (size_t i = 0; i < cfg->nifaces && !want; i++)
			if (cfg->ifaces[i]->is_tunnel && cfg->ifaces[i]->protection &&
			    cfg->ifaces[i]->tunnel_num == num)
				want = cfg->ifaces[i];
		ck_assert_ptr_eq(ik_snapshot_tunnel_num(cfg, num), want);
	}
	ik_config_unref(cfg);
	ik_sb_free(&t);
}
END_TEST

START_TEST(tunnel_for_index_agrees_with_scan)
{
	static const char *const srcs[] = { "192.0.2.1", "192.0.2.2", "192.0.2.3",
					    "Loopback9" };
	static const char *const dsts[] = { "198.51.100.1", "198.51.100.2", "198.51.100.3" };
	struct ik_sb t;
	struct ik_config *cfg;
	unsigned seed = 12345;

	ik_sb_init(&t);
	ik_sb_printf(&t, "crypto ipsec transform-set TS esp-aes esp-sha-hmac\n!\n"
		     "crypto ipsec profile P\n set transform-set TS\n!\n");
	for (int i = 1; i <= 300; i++) {
		seed = seed * 1103515245u + 12345u;
		ik_sb_printf(&t, "interface Tunnel%d\n tunnel source %s\n tunnel destination %s\n"
			     " tunnel protection ipsec profile P\n!\n", i,
			     srcs[(seed >> 8) % (i < 250 ? 3 : 4)], dsts[(seed >> 20) % 3]);
	}
	cfg = load(ik_sb_str(&t));
	for (int s = 0; s < 5; s++) {
		for (int d = 0; d < 4; d++) {
			uint32_t local = s == 4 ? 0 : s == 3 ? ip("192.0.2.9") : ip(srcs[s]);
			uint32_t remote = d == 3 ? ip("198.51.100.9") : ip(dsts[d]);
			const struct ik_interface *want = NULL;

			for (size_t i = 0; i < cfg->nifaces && !want; i++) {
				const struct ik_interface *f = cfg->ifaces[i];

				if (f->is_tunnel && f->protection && f->tunnel_dest == remote &&
				    (!f->tunnel_source_resolved || !f->tunnel_source ||
				     f->tunnel_source == local))
					want = f;
			}
			ck_assert_ptr_eq(ik_snapshot_tunnel_for(cfg, local, remote), want);
			/* the cases the random file must cover */
			if (s < 3 && d < 3)
				ck_assert_ptr_nonnull(want);
		}
	}
	/* no tunnel to that destination */
	ck_assert_ptr_eq(ik_snapshot_tunnel_for(cfg, ip("192.0.2.9"), ip("198.51.100.9")), NULL);
	ik_config_unref(cfg);
	ik_sb_free(&t);
	cfg = load("crypto ipsec transform-set TS esp-aes esp-sha-hmac\n!\n"
		   "crypto ipsec profile P\n set transform-set TS\n!\n"
		   "interface Tunnel1\n tunnel source Loopback9\n"
		   " tunnel destination 198.51.100.1\n tunnel protection ipsec profile P\n!\n"
		   "interface Tunnel2\n tunnel source 192.0.2.1\n"
		   " tunnel destination 198.51.100.1\n tunnel protection ipsec profile P\n!\n"
		   "interface Tunnel3\n tunnel source 192.0.2.2\n"
		   " tunnel destination 198.51.100.1\n tunnel protection ipsec profile P\n!\n");
	ck_assert_str_eq(ik_snapshot_tunnel_for(cfg, ip("192.0.2.1"), ip("198.51.100.1"))->name,
			 "Tunnel1");
	ck_assert_ptr_eq(ik_snapshot_tunnel_for(cfg, ip("192.0.2.1"), ip("198.51.100.2")), NULL);
	ik_config_unref(cfg);
	cfg = load("crypto ipsec transform-set TS esp-aes esp-sha-hmac\n!\n"
		   "crypto ipsec profile P\n set transform-set TS\n!\n"
		   "interface Tunnel1\n tunnel source 192.0.2.2\n"
		   " tunnel destination 198.51.100.1\n tunnel protection ipsec profile P\n!\n"
		   "interface Tunnel2\n tunnel source 192.0.2.1\n"
		   " tunnel destination 198.51.100.1\n tunnel protection ipsec profile P\n!\n"
		   "interface Tunnel3\n tunnel source 192.0.2.1\n"
		   " tunnel destination 198.51.100.1\n tunnel protection ipsec profile P\n!\n");
	ck_assert_str_eq(ik_snapshot_tunnel_for(cfg, ip("192.0.2.1"), ip("198.51.100.1"))->name,
			 "Tunnel2");
	ck_assert_ptr_eq(ik_snapshot_tunnel_for(cfg, ip("192.0.2.3"), ip("198.51.100.1")), NULL);
	ik_config_unref(cfg);
}
END_TEST

static Suite *local_suite(void)
{
	Suite *s = suite_create("select-local");
	TCase *t = tcase_create("local");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, local_k3_responder_per_local_address);
	tcase_add_test(t, local_k1_initiator_per_local_address);
	tcase_add_test(t, local_p1_p2_per_local_address);
	tcase_add_test(t, local_l1_no_false_tie);
	tcase_add_test(t, local_l2_explain);
	tcase_add_test(t, p2_host_and_user_fqdn_identities);
	tcase_add_test(t, k5_profile_order_differs_from_config_order);
	tcase_add_test(t, nat_identity_is_not_source);
	tcase_add_test(t, own_lines_marked);
	tcase_add_test(t, l1_engine_features);
	tcase_add_test(t, local_hostname_keys);
	tcase_add_test(t, tunnel_for_index_agrees_with_scan);
	tcase_add_test(t, tunnels_to_and_num_index_agree_with_scan);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(local_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
