/* IKEv1 with crypto maps between two engines in one process: an entry's
 * ACL lines as Quick Mode proxy identities (two LAN prefixes, two SA
 * pairs), the responder's map database walk in sequence order with the
 * mirror-image rule, a dynamic map for a peer it does not know, a proxy
 * mismatch with IOS's lines, set peer failover, and the ISAKMP profile of
 * an entry (rule P4). Deterministic: fake clock, seeded RNGs. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/acl.h"
#include "ipsec/child.h"
#include "profile/cmap_select.h"
#include "test_exchange_harness.h"
#include "util/addr.h"
#include "util/strbuf.h"

#define R1_ADDR 0xc0000201u /* 192.0.2.1 */
#define R2_ADDR 0xc0000202u /* 192.0.2.2 */

static struct xnet net;

static const char common[] =
	"crypto isakmp policy 10\n encr aes 256\n hash sha256\n authentication pre-share\n"
	" group 14\n"
	"crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac\n mode tunnel\n";

/* R1: two LANs (10.1.1.0/24, 10.1.2.0/24) to R2's 10.2.0.0/16 */
static const char r1_map[] =
	"hostname R1\n"
	"crypto isakmp key k3y address 192.0.2.2\n"
	"crypto isakmp key k3y address 192.0.2.3\n"
	"ip access-list extended TO-R2\n"
	" permit ip 10.1.1.0 0.0.0.255 10.2.0.0 0.0.255.255\n"
	" permit ip 10.1.2.0 0.0.0.255 10.2.0.0 0.0.255.255\n"
	"crypto map CM 10 ipsec-isakmp\n"
	" set peer 192.0.2.2\n"
	" set transform-set TS\n"
	" set pfs group14\n"
	" set security-association lifetime seconds 1800\n"
	" match address TO-R2\n"
	"interface GigabitEthernet0/0\n ip address 192.0.2.1 255.255.255.0\n crypto map CM\n";

/* R2: an unrelated entry first, then the mirror image of R1's */
static const char r2_map[] =
	"hostname R2\n"
	"crypto isakmp key k3y address 192.0.2.1\n"
	"ip access-list extended OTHER\n"
	" permit ip 10.2.0.0 0.0.255.255 10.9.0.0 0.0.255.255\n"
	"ip access-list extended TO-R1\n"
	" permit ip 10.2.0.0 0.0.255.255 10.1.0.0 0.0.255.255\n"
	"crypto map CM 5 ipsec-isakmp\n"
	" set peer 192.0.2.1\n set transform-set TS\n match address OTHER\n"
	"crypto map CM 10 ipsec-isakmp\n"
	" set peer 192.0.2.1\n set transform-set TS\n set pfs group14\n"
	" match address TO-R1\n"
	"interface GigabitEthernet0/0\n ip address 192.0.2.2 255.255.255.0\n crypto map CM\n";

static void start(const char *t1, const char *t2, uint64_t seed)
{
	struct ik_sb a, b;
	struct ik_config *c1, *c2;

	ik_sb_init(&a);
	ik_sb_init(&b);
	ik_sb_printf(&a, "%s%s", common, t1);
	ik_sb_printf(&b, "%s%s", common, t2);
	c1 = xn_load(ik_sb_str(&a), "r1.conf");
	c2 = xn_load(ik_sb_str(&b), "r2.conf");
	ik_sb_free(&a);
	ik_sb_free(&b);
	xn_init(&net, c1, R1_ADDR, c2, R2_ADDR, seed, NULL);
}

static int initiate(int side, const char *map, const char *s, const char *d, struct ik_sb *err)
{
	return xn_initiate_map(&net, side, map, s, d, err);
}

static void initiate_ok(int side, const char *map, const char *s, const char *d)
{
	struct ik_sb err;

	ik_sb_init(&err);
	ck_assert_msg(initiate(side, map, s, d, &err) == 0, "%s", ik_sb_str(&err));
	ik_sb_free(&err);
}

static uint32_t A(const char *s)
{
	uint32_t a;

	ck_assert_int_eq(ik_addr_parse(s, &a), 0);
	return a;
}

/* Child k of each side is a pair: same SPIs crossed, same keys, selectors
 * mirrored, tunnel mode, outer addresses the peers. */
static void expect_pair(unsigned k)
{
	const struct ik_child_sa *a = &net.n[0].up[k], *b = &net.n[1].up[k];

	ck_assert_uint_eq(a->out.spi, b->in.spi);
	ck_assert_uint_eq(a->in.spi, b->out.spi);
	ck_assert(!memcmp(a->out.enc_key, b->in.enc_key, sizeof(a->out.enc_key)));
	ck_assert(!memcmp(a->in.auth_key, b->out.auth_key, sizeof(a->in.auth_key)));
	ck_assert_uint_eq(a->mode, IK_MODE_TUNNEL);
	ck_assert_uint_eq(b->mode, IK_MODE_TUNNEL);
	ck_assert_uint_eq(a->out.src.v4, R1_ADDR);
	ck_assert_uint_eq(a->out.dst.v4, R2_ADDR);
	ck_assert_str_eq(a->ifname, "");
	ck_assert_ptr_null(a->tunnel);
	ck_assert_ptr_nonnull(a->cmap);
	ck_assert_ptr_nonnull(b->cmap);
	ck_assert_uint_eq(a->sel.src.v4, b->sel.dst.v4);
	ck_assert_uint_eq(a->sel.dst.v4, b->sel.src.v4);
	ck_assert_uint_eq(ik_sel_mask4(a->sel.src_plen), ik_sel_mask4(b->sel.dst_plen));
	ck_assert_uint_eq(ik_sel_mask4(a->sel.dst_plen), ik_sel_mask4(b->sel.src_plen));
}

/* Two LAN prefixes behind R1: two Quick Modes on one phase 1, one SA pair
 * per ACL line, each with that line's subnets as selectors. The responder
 * walks its map in sequence order (entry 5 first) and takes entry 10, whose
 * line holds R1's proposal mirrored (a narrower proposal is accepted). */
START_TEST(two_prefixes_two_pairs)
{
	start(r1_map, r2_map, 1);
	initiate_ok(0, "CM", "10.1.1.5", "10.2.3.4");
	xn_run(&net, 2000);
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(net.n[1].nup, 1);
	initiate_ok(0, "CM", "10.1.2.5", "10.2.3.4");
	xn_run(&net, 2000);
	if (net.n[0].nup != 2 || net.n[1].nup != 2) {
		xn_dump(&net.n[0]);
		xn_dump(&net.n[1]);
	}
	ck_assert_uint_eq(net.n[0].nup, 2);
	ck_assert_uint_eq(net.n[1].nup, 2);
	expect_pair(0);
	expect_pair(1);
	ck_assert_uint_eq(net.n[0].up[0].sel.src.v4, A("10.1.1.0"));
	ck_assert_uint_eq(ik_sel_mask4(net.n[0].up[0].sel.src_plen), A("255.255.255.0"));
	ck_assert_uint_eq(net.n[0].up[0].sel.dst.v4, A("10.2.0.0"));
	ck_assert_uint_eq(ik_sel_mask4(net.n[0].up[0].sel.dst_plen), A("255.255.0.0"));
	ck_assert_uint_eq(net.n[0].up[1].sel.src.v4, A("10.1.2.0"));
	ck_assert_uint_eq(net.n[0].up[0].pfs_group, 14);
	ck_assert_uint_eq(net.n[0].up[0].lifetime_sec, 1800);
	/* one request id per ACL line, apart from the tunnels' */
	ck_assert_uint_ne(net.n[0].up[0].reqid, net.n[0].up[1].reqid);
	ck_assert_uint_ge(net.n[0].up[0].reqid, 0x800000u);
	ck_assert_uint_eq(net.n[1].up[0].cmap->seq, 10);
	XN_EXPECT_ORDER(&net.n[0], "    local_proxy= 10.1.1.0/255.255.255.0/0/0 (type=4),",
		     "    remote_proxy= 10.2.0.0/255.255.0.0/0/0 (type=4),");
	XN_EXPECT_ORDER(&net.n[1], "    local_proxy= 10.2.0.0/255.255.0.0/0/0 (type=4),",
		     "    remote_proxy= 10.1.1.0/255.255.255.0/0/0 (type=4),",
		     "Crypto mapdb : proxy_match", "\tsrc addr     : 10.2.0.0",
		     "\tdst addr     : 10.1.1.0", "\tprotocol     : 0",
		     "Crypto mapdb : proxy_match", "\tsrc addr     : 10.2.0.0");
	/* a packet that no entry protects is refused with why */
	{
		struct ik_sb err;

		ik_sb_init(&err);
		ck_assert_int_eq(initiate(0, "CM", "10.1.3.5", "10.2.3.4", &err), -1);
		ck_assert_ptr_nonnull(strstr(ik_sb_str(&err), "no entry of crypto map CM "
					     "protects 10.1.3.5 -> 10.2.3.4"));
		ik_sb_free(&err);
		ik_sb_init(&err);
		ck_assert_int_eq(initiate(0, "NOPE", "10.1.1.5", "10.2.3.4", &err), -1);
		ck_assert_ptr_nonnull(strstr(ik_sb_str(&err), "crypto map NOPE is not configured"));
		ik_sb_free(&err);
	}
	xn_free(&net);
}
END_TEST

/* Proxy identities that no entry of the responder's map holds: no SA, and
 * IOS's lines on the responder (map_db_find_best, proxy identities not
 * supported, NO_PROPOSAL_CHOSEN), whatever the order of the walk. */
START_TEST(mismatched_proxies)
{
	char *r2 = xn_replace(strdup(r2_map), " permit ip 10.2.0.0 0.0.255.255 10.1.0.0 0.0.255.255",
			      " permit ip 10.2.0.0 0.0.255.255 10.1.2.0 0.0.0.255");

	start(r1_map, r2, 2);
	free(r2);
	initiate_ok(0, "CM", "10.1.1.5", "10.2.3.4");
	xn_run(&net, 3000);
	ck_assert_uint_eq(net.n[0].nup, 0);
	ck_assert_uint_eq(net.n[1].nup, 0);
	XN_EXPECT_ORDER(&net.n[1], "Crypto mapdb : proxy_match", "Crypto mapdb : proxy_match",
		     "map_db_find_best did not find matching map",
		     "IPSEC(ipsec_process_proposal): proxy identities not supported");
	ck_assert_int_ge(xn_find(&net.n[1], 0, "%CRYPTO-6-IKMP_MODE_FAILURE: Processing of Quick "
				 "mode failed with peer at 192.0.2.1 (NO_PROPOSAL_CHOSEN: the "
				 "proxy identities match no entry of the crypto map"), 0);
	xn_free(&net);
}
END_TEST

/* The mirror-image rule: R2 with R1's own ACL (not mirrored) refuses. */
START_TEST(not_mirrored_refused)
{
	char *r2 = xn_replace(strdup(r2_map), " permit ip 10.2.0.0 0.0.255.255 10.1.0.0 0.0.255.255",
			      " permit ip 10.1.0.0 0.0.255.255 10.2.0.0 0.0.255.255");

	start(r1_map, r2, 3);
	free(r2);
	initiate_ok(0, "CM", "10.1.1.5", "10.2.3.4");
	xn_run(&net, 3000);
	ck_assert_uint_eq(net.n[1].nup, 0);
	ck_assert_int_ge(xn_find(&net.n[1], 0, "map_db_find_best did not find matching map"), 0);
	xn_free(&net);
}
END_TEST

/* A responder that does not know the peer: a dynamic map (no set peer, no
 * match address) at the end of its map takes R1's proposal as it is. */
START_TEST(dynamic_map_responder)
{
	static const char r2_dyn[] =
		"hostname R2\n"
		"crypto isakmp key k3y address 0.0.0.0 0.0.0.0\n"
		"crypto dynamic-map DYN 10\n set transform-set TS\n set pfs group14\n"
		"crypto map CM 65535 ipsec-isakmp dynamic DYN\n"
		"interface GigabitEthernet0/0\n ip address 192.0.2.2 255.255.255.0\n crypto map CM\n";

	start(r1_map, r2_dyn, 4);
	initiate_ok(0, "CM", "10.1.2.5", "10.2.3.4");
	xn_run(&net, 2000);
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(net.n[1].nup, 1);
	expect_pair(0);
	ck_assert(net.n[1].up[0].cmap->map->is_dynamic);
	ck_assert_uint_eq(net.n[1].up[0].sel.src.v4, A("10.2.0.0"));
	ck_assert_uint_eq(net.n[1].up[0].sel.dst.v4, A("10.1.2.0"));
	xn_free(&net);
}
END_TEST

/* A static entry needs the peer among its set peer lines: the same map
 * without R1 as a peer refuses it. */
START_TEST(static_entry_needs_peer)
{
	char *r2 = strdup(r2_map);

	r2 = xn_replace(r2, " set peer 192.0.2.1\n set transform-set TS\n set pfs",
			" set peer 192.0.2.77\n set transform-set TS\n set pfs");
	start(r1_map, r2, 5);
	free(r2);
	initiate_ok(0, "CM", "10.1.1.5", "10.2.3.4");
	xn_run(&net, 3000);
	ck_assert_uint_eq(net.n[1].nup, 0);
	ck_assert_int_ge(xn_find(&net.n[1], 0, "map_db_find_best did not find matching map"), 0);
	xn_free(&net);
}
END_TEST

/* set peer failover: the first peer (192.0.2.3) never answers; after phase
 * 1 to it dies by retransmission, the next peer (R2) is tried and the SA
 * comes up there. */
START_TEST(peer_failover)
{
	char *r1 = xn_replace(strdup(r1_map), " set peer 192.0.2.2\n",
			      " set peer 192.0.2.3 default\n set peer 192.0.2.2\n");

	start(r1, r2_map, 6);
	free(r1);
	initiate_ok(0, "CM", "10.1.1.5", "10.2.3.4");
	xn_run(&net, 600000);
	if (net.n[0].nup != 1)
		xn_dump(&net.n[0]);
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(net.n[1].nup, 1);
	ck_assert_uint_eq(net.n[0].up[0].out.dst.v4, R2_ADDR);
	XN_EXPECT_ORDER(&net.n[0], "deleting SA reason \"Death by retransmission P1\"",
		     "%CRYPTO-6-PEER_FAILOVER: crypto map CM 10: peer 192.0.2.3 does not answer, "
		     "trying 192.0.2.2");
	xn_free(&net);
}
END_TEST

static bool owns_only_first(void *ctx, const struct ik_addr *peer)
{
	(void)ctx;
	return peer->family != IK_AF_INET4 || peer->v4 != R2_ADDR;
}

static struct ik_cmap_handoff handed;
static unsigned nhanded;
static int handoff_result;

static int handoff_rec(void *ctx, const struct ik_cmap_handoff *h)
{
	(void)ctx;
	if (handoff_result == 0) {
		handed = *h;
		nhanded++;
	}
	return handoff_result;
}

/* R1's engine with a host that serves R2 from another engine (worker). */
static void engine_other_worker(int (*handoff)(void *, const struct ik_cmap_handoff *))
{
	struct ik_engine_host host;
	struct ik_engine_opts o = { 0 };
	struct ik_engine *old = net.n[0].e;

	host = *xn_host(&net.n[0]);
	host.owns_peer = owns_only_first;
	host.handoff = handoff;
	net.n[0].e = ik_engine_new(net.n[0].cfg, &host, &net.n[0].log, &o);
	ik_engine_free(old);
}

/* A host that serves R2 from another engine (worker): the failover is
 * handed to that engine (the map entry, line, peer, proxy identities), which
 * brings the SA pair up with R2; a host that cannot take it (no handoff, or
 * its queue full) says why. */
START_TEST(peer_failover_other_worker)
{
	char *r1 = xn_replace(strdup(r1_map), " set peer 192.0.2.2\n",
			      " set peer 192.0.2.3\n set peer 192.0.2.2\n");

	start(r1, r2_map, 10);
	free(r1);
	engine_other_worker(handoff_rec);
	nhanded = 0;
	handoff_result = 0;
	initiate_ok(0, "CM", "10.1.1.5", "10.2.3.4");
	xn_run(&net, 600000);
	ck_assert_uint_eq(net.n[0].nup, 0);
	ck_assert_uint_eq(nhanded, 1);
	ck_assert_str_eq(handed.map, "CM");
	ck_assert_uint_eq(handed.seq, 10);
	ck_assert_uint_eq(handed.ace, 0);
	ck_assert_uint_eq(handed.peer_idx, 1);
	ck_assert_uint_eq(handed.peer.v4, R2_ADDR);
	ck_assert_uint_eq(handed.peer.family, IK_AF_INET4);
	ck_assert_uint_eq(handed.src.v4, R1_ADDR);
	ck_assert_int_ge(xn_find(&net.n[0], 0, "%CRYPTO-6-PEER_FAILOVER: crypto map CM 10: peer "
				 "192.0.2.3 does not answer, trying 192.0.2.2 (on the worker "
				 "thread that serves it)"), 0);
	/* the engine that serves R2 starts it */
	ck_assert_int_eq(ik_engine_cmap_handoff(net.n[0].e, &handed), 0);
	xn_run(&net, 3000);
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(net.n[1].nup, 1);
	expect_pair(0);
	ck_assert_uint_eq(net.n[0].up[0].sel.src.v4, A("10.1.1.0"));
	/* a handoff naming an entry that is not there is refused with why */
	snprintf(handed.map, sizeof(handed.map), "GONE");
	ck_assert_int_eq(ik_engine_cmap_handoff(net.n[0].e, &handed), -1);
	ck_assert_int_ge(xn_find(&net.n[0], 0, "crypto map GONE 10 changed before its failover "
				 "could start"), 0);
	xn_free(&net);

	r1 = xn_replace(strdup(r1_map), " set peer 192.0.2.2\n",
			" set peer 192.0.2.3\n set peer 192.0.2.2\n");
	start(r1, r2_map, 11);
	engine_other_worker(handoff_rec);
	handoff_result = -1;
	initiate_ok(0, "CM", "10.1.1.5", "10.2.3.4");
	xn_run(&net, 600000);
	ck_assert_int_ge(xn_find(&net.n[0], 0, "192.0.2.2 is served by another worker thread, "
				 "which could not be asked to start it (its queue is full)"), 0);
	xn_free(&net);
	start(r1, r2_map, 12);
	free(r1);
	engine_other_worker(NULL);
	initiate_ok(0, "CM", "10.1.1.5", "10.2.3.4");
	xn_run(&net, 600000);
	ck_assert_uint_eq(net.n[0].nup, 0);
	ck_assert_int_ge(xn_find(&net.n[0], 0, "%CRYPTO-4-PEER_FAILOVER: crypto map CM 10: peer "
				 "192.0.2.3 does not answer; 192.0.2.2 is served by another "
				 "worker thread"), 0);
	xn_free(&net);
}
END_TEST

/* P4 for maps: the responder's entry names an ISAKMP profile that phase 1
 * did not match; refused with IOS's profile line. */
START_TEST(entry_isakmp_profile_p4)
{
	char *r2 = xn_replace(strdup(r2_map), " set peer 192.0.2.1\n set transform-set TS\n set pfs",
			      " set peer 192.0.2.1\n set isakmp-profile OTHERPROF\n"
			      " set transform-set TS\n set pfs");

	r2 = xn_replace(r2, "hostname R2\n", "hostname R2\ncrypto isakmp profile OTHERPROF\n"
			" match identity address 198.51.100.1 255.255.255.255\n");
	start(r1_map, r2, 7);
	free(r2);
	initiate_ok(0, "CM", "10.1.1.5", "10.2.3.4");
	xn_run(&net, 3000);
	ck_assert_uint_eq(net.n[1].nup, 0);
	XN_EXPECT_ORDER(&net.n[1], "map_db_check_isakmp_profile profile did not match",
		     "Crypto mapdb : proxy_match");
	ck_assert_int_ge(xn_find(&net.n[1], 0, "P4: crypto map CM 10 names ISAKMP profile "
				 "OTHERPROF"), 0);
	xn_free(&net);
}
END_TEST

struct traps {
	unsigned n;
	uint32_t reqid[4];
	struct ik_selector sel[4];
	uint32_t local[4], peer[4];
};

static void trap_rec(void *ctx, const struct ik_cmap_entry *e, size_t ace,
		     const struct ik_selector *sel, uint32_t reqid, const struct ik_addr *local,
		     const struct ik_addr *peer)
{
	struct traps *t = ctx;

	(void)e;
	(void)ace;
	if (t->n < 4) {
		t->reqid[t->n] = reqid;
		t->sel[t->n] = *sel;
		t->local[t->n] = local->v4;
		t->peer[t->n] = peer->v4;
	}
	t->n++;
}

/* The kernel traps of R1's map (one per permit line, local subnet to remote
 * subnet, outer addresses R1 -> first peer) and an acquire with the second
 * one's request id: the SA pair of that line comes up, as for the first
 * packet on IOS. An unknown request id starts nothing. */
START_TEST(acquire_brings_line_up)
{
	struct traps t = { 0 };
	const struct ik_cmap_entry *e;
	size_t ace;

	start(r1_map, r2_map, 8);
	ck_assert_uint_eq(ik_cmap_traps(net.n[0].cfg, trap_rec, &t), 2);
	ck_assert_uint_eq(t.sel[1].src.v4, A("10.1.2.0"));
	ck_assert_uint_eq(ik_sel_mask4(t.sel[1].src_plen), A("255.255.255.0"));
	ck_assert_uint_eq(t.sel[1].dst.v4, A("10.2.0.0"));
	ck_assert_uint_eq(ik_sel_mask4(t.sel[1].dst_plen), A("255.255.0.0"));
	ck_assert_uint_eq(t.local[1], R1_ADDR);
	ck_assert_uint_eq(t.peer[1], R2_ADDR);
	ck_assert_uint_ne(t.reqid[0], t.reqid[1]);
	ck_assert_int_eq(ik_cmap_by_reqid(net.n[0].cfg, t.reqid[1], &e, &ace), 0);
	ck_assert_uint_eq(ace, 1);
	/* R2's map has no trap for R1's lines: its entries are mirrored */
	ik_engine_acquire(net.n[0].e, t.reqid[1] + 7, R1_ADDR, R2_ADDR);
	xn_run(&net, 2000);
	ck_assert_uint_eq(net.n[0].nup, 0);
	ik_engine_acquire(net.n[0].e, t.reqid[1], R1_ADDR, R2_ADDR);
	xn_run(&net, 2000);
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(net.n[1].nup, 1);
	expect_pair(0);
	ck_assert_uint_eq(net.n[0].up[0].sel.src.v4, A("10.1.2.0"));
	ck_assert_uint_eq(net.n[0].up[0].reqid, t.reqid[1]);
	xn_free(&net);
}
END_TEST

/* set security-association level per-host over IKEv1: the acquire's host
 * pair becomes the Quick Mode proxy identities (/32), one SA pair per pair
 * of hosts on one phase 1. */
START_TEST(per_host_quick_modes)
{
	char *r1 = xn_replace(strdup(r1_map), " match address TO-R2\n",
			      " match address TO-R2\n set security-association level per-host\n");
	const struct ik_cmap *m;
	struct ik_kevent ev;

	start(r1, r2_map, 13);
	m = ik_config_find_cmap(net.n[0].cfg, "CM", false);
	for (unsigned k = 0; k < 2; k++) {
		memset(&ev, 0, sizeof(ev));
		ev.type = IK_KEV_ACQUIRE;
		ev.reqid = ik_cmap_reqid(m->entries[0], 0);
		ev.src = ik_addr_v4(R1_ADDR);
		ev.dst = ik_addr_v4(R2_ADDR);
		ev.sel.src = ik_addr_v4(A(k ? "10.1.1.9" : "10.1.1.5"));
		ev.sel.dst = ik_addr_v4(A("10.2.3.4"));
		ev.sel.src_plen = ev.sel.dst_plen = 32;
		ik_engine_acquire_ev(net.n[0].e, &ev);
		xn_run(&net, 2000);
	}
	ck_assert_uint_eq(net.n[0].nup, 2);
	ck_assert_uint_eq(net.n[1].nup, 2);
	expect_pair(0);
	expect_pair(1);
	ck_assert_uint_eq(net.n[0].up[0].sel.src.v4, A("10.1.1.5"));
	ck_assert_uint_eq(ik_sel_mask4(net.n[0].up[0].sel.src_plen), 0xffffffffu);
	ck_assert_uint_eq(net.n[0].up[1].sel.src.v4, A("10.1.1.9"));
	ck_assert_uint_eq(ik_sel_mask4(net.n[0].up[1].sel.dst_plen), 0xffffffffu);
	XN_EXPECT_ORDER(&net.n[0], "    local_proxy= 10.1.1.5/255.255.255.255/0/0 (type=4),",
		     "    remote_proxy= 10.2.3.4/255.255.255.255/0/0 (type=4),");
	xn_free(&net);
	free(r1);
}
END_TEST

/* IPv6 access lists over IPv4 peers: Quick Mode's proxy identities are
 * IPv6 subnets (ID_IPV6_ADDR_SUBNET), the responder's IPv6 list takes
 * them, the SA pairs carry IPv6 selectors. */
START_TEST(ipv6_acl_quick_mode)
{
	char *r1 = xn_replace(strdup(r1_map), "ip access-list extended TO-R2\n"
			      " permit ip 10.1.1.0 0.0.0.255 10.2.0.0 0.0.255.255\n"
			      " permit ip 10.1.2.0 0.0.0.255 10.2.0.0 0.0.255.255\n",
			      "ipv6 access-list TO-R2\n"
			      " permit ipv6 2001:db8:1::/48 2001:db8:2::/48\n");
	char *r2 = xn_replace(strdup(r2_map), "ip access-list extended TO-R1\n"
			      " permit ip 10.2.0.0 0.0.255.255 10.1.0.0 0.0.255.255\n",
			      "ipv6 access-list TO-R1\n"
			      " permit ipv6 2001:db8:2::/48 2001:db8::/32\n");
	struct ik_addr net1;

	start(r1, r2, 14);
	initiate_ok(0, "CM", "2001:db8:1::5", "2001:db8:2::9");
	xn_run(&net, 3000);
	if (net.n[0].nup != 1 || net.n[1].nup != 1) {
		xn_dump(&net.n[0]);
		xn_dump(&net.n[1]);
	}
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(net.n[1].nup, 1);
	ck_assert_int_eq(ik_addr_parse_any("2001:db8:1::", &net1), 0);
	ck_assert(ik_addr_eq(&net.n[0].up[0].sel.src, &net1));
	ck_assert_uint_eq(net.n[0].up[0].sel.src_plen, 48);
	ck_assert(ik_addr_eq(&net.n[1].up[0].sel.dst, &net1));
	ck_assert_uint_eq(net.n[1].up[0].sel.dst_plen, 48);
	XN_EXPECT_ORDER(&net.n[1], "    local_proxy= 2001:db8:2::-2001:db8:2:ffff:ffff:ffff:ffff:ffff",
		     "Crypto mapdb : proxy_match", "\tsrc addr     : 2001:db8:2::");
	xn_free(&net);
	free(r1);
	free(r2);
}
END_TEST

static struct ik_config *conf_of(const char *text)
{
	struct ik_sb a;
	struct ik_config *c;

	ik_sb_init(&a);
	ik_sb_printf(&a, "%s%s", common, text);
	c = xn_load(ik_sb_str(&a), "reload.conf");
	ik_sb_free(&a);
	return c;
}

/* A reload keeps the SAs of an entry that is still there with the same
 * access list and peer (the rekey then runs on the new snapshot), and
 * removes them, telling the peer, when the entry's access list changes. */
START_TEST(reload_keeps_unchanged_entry)
{
	struct ik_config *c;
	char *t;

	start(r1_map, r2_map, 9);
	initiate_ok(0, "CM", "10.1.1.5", "10.2.3.4");
	xn_run(&net, 2000);
	ck_assert_uint_eq(net.n[0].nup, 1);
	c = conf_of(r1_map);
	ik_engine_set_config(net.n[0].e, c);
	ik_config_unref(c);
	xn_deliver(&net);
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(net.n[1].nup, 1);
	/* the soft lifetime (1800 s): the rekey under the new snapshot */
	xn_run(&net, 1700 * 1000);
	ck_assert_uint_eq(net.n[0].ups, 2);
	ck_assert_uint_eq(net.n[0].nup, 1);
	t = xn_replace(strdup(r1_map), " match address TO-R2\n", " match address OTHER\n");
	c = conf_of(t);
	free(t);
	ik_engine_set_config(net.n[0].e, c);
	ik_config_unref(c);
	xn_deliver(&net);
	ck_assert_uint_eq(net.n[0].nup, 0);
	ck_assert_uint_eq(net.n[1].nup, 0);
	xn_free(&net);
}
END_TEST

/* An entry that sets an ikev2-profile belongs to IKEv2: the IKEv1
 * responder passes over it (the proposal then matches no entry), and the
 * initiator starts IKEv2 for it, not Main Mode. */
START_TEST(ikev2_entry_not_used_by_ikev1)
{
	static const char v2prof[] =
		"crypto ikev2 profile P2\n match identity remote address 192.0.2.1 "
		"255.255.255.255\n authentication local pre-share\n"
		" authentication remote pre-share\n";
	char *r2 = xn_replace(strdup(r2_map), " set pfs group14\n match address TO-R1\n",
			      " set pfs group14\n set ikev2-profile P2\n match address TO-R1\n");
	char *r1 = xn_replace(strdup(r1_map), " match address TO-R2\n",
			      " set ikev2-profile P2\n match address TO-R2\n");
	struct ik_sb t2, t1, err;

	ik_sb_init(&t2);
	ik_sb_printf(&t2, "%s%s", v2prof, r2);
	ik_sb_init(&t1);
	ik_sb_printf(&t1, "%s%s", v2prof, r1);
	start(r1_map, ik_sb_str(&t2), 11);
	initiate_ok(0, "CM", "10.1.1.5", "10.2.3.4");
	xn_run(&net, 3000);
	ck_assert_uint_eq(net.n[1].nup, 0);
	ck_assert_int_ge(xn_find(&net.n[1], 0, "map_db_find_best did not find matching map"), 0);
	xn_free(&net);
	start(ik_sb_str(&t1), r2_map, 12);
	ik_sb_init(&err);
	ck_assert_int_eq(initiate(0, "CM", "10.1.1.5", "10.2.3.4", &err), 0);
	ik_sb_free(&err);
	ck_assert_int_ge(xn_find(&net.n[0], 0, "Initiating IKEv2 for crypto map CM 10 to "
				 "192.0.2.2 (IKEv2 profile P2)"), 0);
	ck_assert_int_lt(xn_find(&net.n[0], 0, "beginning Main Mode exchange"), 0);
	xn_free(&net);
	ik_sb_free(&t1);
	ik_sb_free(&t2);
	free(r1);
	free(r2);
}
END_TEST

static Suite *cmap_suite(void)
{
	Suite *s = suite_create("cmap_exchange");
	TCase *tc = tcase_create("cmap");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, two_prefixes_two_pairs);
	tcase_add_test(tc, mismatched_proxies);
	tcase_add_test(tc, not_mirrored_refused);
	tcase_add_test(tc, dynamic_map_responder);
	tcase_add_test(tc, static_entry_needs_peer);
	tcase_add_test(tc, peer_failover);
	tcase_add_test(tc, peer_failover_other_worker);
	tcase_add_test(tc, entry_isakmp_profile_p4);
	tcase_add_test(tc, acquire_brings_line_up);
	tcase_add_test(tc, reload_keeps_unchanged_entry);
	tcase_add_test(tc, ikev2_entry_not_used_by_ikev1);
	tcase_add_test(tc, per_host_quick_modes);
	tcase_add_test(tc, ipv6_acl_quick_mode);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cmap_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
