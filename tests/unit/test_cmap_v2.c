/* Crypto maps over IKEv2 between two engines in one process: entries that
 * set an ikev2-profile. The ACL line an initiation matched goes out as TSi
 * and TSr (the first in IKE_AUTH, the next in CREATE_CHILD_SA on the same
 * IKE SA), the responder walks its map in sequence order (mapdb trace),
 * narrows the peer's selectors to its line (RFC 7296 2.9), takes a dynamic
 * map for a peer it does not name, and answers TS_UNACCEPTABLE when no
 * entry allows them; children are rekeyed with their selectors.
 * Deterministic: fake clock, seeded RNGs. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/acl.h"
#include "ike/engine.h"
#include "ipsec/child.h"
#include "profile/cmap_select.h"
#include "test_exchange_harness.h"
#include "util/addr.h"
#include "util/strbuf.h"

#define R1_ADDR 0xc0000201u /* 192.0.2.1 */
#define R2_ADDR 0xc0000202u /* 192.0.2.2 */

static struct xnet net;

static const char common[] =
	"crypto ikev2 proposal PROP\n encryption aes-cbc-256\n integrity sha256\n group 14\n"
	"crypto ikev2 policy POL\n proposal PROP\n"
	"crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac\n mode tunnel\n";

/* R1: two LANs (10.1.1.0/24, 10.1.2.0/24) to R2's 10.2.0.0/16 */
static const char r1_map[] =
	"hostname R1\n"
	"crypto ikev2 keyring KR\n peer R2\n  address 192.0.2.2\n  pre-shared-key k3y\n"
	"crypto ikev2 profile P2\n match identity remote address 192.0.2.2 255.255.255.255\n"
	" authentication local pre-share\n authentication remote pre-share\n keyring local KR\n"
	"ip access-list extended TO-R2\n"
	" permit ip 10.1.1.0 0.0.0.255 10.2.0.0 0.0.255.255\n"
	" permit ip 10.1.2.0 0.0.0.255 10.2.0.0 0.0.255.255\n"
	"crypto map CM 10 ipsec-isakmp\n"
	" set peer 192.0.2.2\n"
	" set transform-set TS\n"
	" set pfs group14\n"
	" set security-association lifetime seconds 1800\n"
	" set ikev2-profile P2\n"
	" match address TO-R2\n"
	"interface GigabitEthernet0/0\n ip address 192.0.2.1 255.255.255.0\n crypto map CM\n";

static const char r2_keys[] =
	"hostname R2\n"
	"crypto ikev2 keyring KR\n peer R1\n  address 192.0.2.1\n  pre-shared-key k3y\n"
	"crypto ikev2 profile P1\n match identity remote address 192.0.2.1 255.255.255.255\n"
	" authentication local pre-share\n authentication remote pre-share\n keyring local KR\n";

/* R2: an unrelated entry first, then the mirror image of R1's */
static const char r2_map[] =
	"ip access-list extended OTHER\n"
	" permit ip 10.2.0.0 0.0.255.255 10.9.0.0 0.0.255.255\n"
	"ip access-list extended TO-R1\n"
	" permit ip 10.2.0.0 0.0.255.255 10.1.0.0 0.0.255.255\n"
	"crypto map CM 5 ipsec-isakmp\n"
	" set peer 192.0.2.1\n set transform-set TS\n set ikev2-profile P1\n"
	" match address OTHER\n"
	"crypto map CM 10 ipsec-isakmp\n"
	" set peer 192.0.2.1\n set transform-set TS\n set pfs group14\n"
	" set ikev2-profile P1\n match address TO-R1\n"
	"interface GigabitEthernet0/0\n ip address 192.0.2.2 255.255.255.0\n crypto map CM\n";

#define EXPECT_LINE(node, s)                                                            \
	do {                                                                            \
		if (xn_find((node), 0, (s)) < 0)                                        \
			xn_dump(node);                                                     \
		ck_assert_msg(xn_find((node), 0, (s)) >= 0, "%s: no line \"%s\"",       \
			      (node)->name, (s));                                       \
	} while (0)

static void start(const char *t1, const char *t2, uint64_t seed)
{
	struct ik_sb a, b;
	struct ik_config *c1, *c2;

	ik_sb_init(&a);
	ik_sb_init(&b);
	ik_sb_printf(&a, "%s%s", common, t1);
	ik_sb_printf(&b, "%s%s%s", common, r2_keys, t2);
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

/* The child of side 0 with inbound SPI, and its peer's: a pair (SPIs
 * crossed, keys equal, selectors mirrored, tunnel mode, a map entry). */
static void expect_pair(unsigned k)
{
	const struct ik_child_sa *a = &net.n[0].up[k], *b = NULL;

	for (unsigned i = 0; i < net.n[1].nup; i++)
		if (net.n[1].up[i].out.spi == a->in.spi)
			b = &net.n[1].up[i];
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(a->out.spi, b->in.spi);
	ck_assert(!memcmp(a->out.enc_key, b->in.enc_key, sizeof(a->out.enc_key)));
	ck_assert(!memcmp(a->in.auth_key, b->out.auth_key, sizeof(a->in.auth_key)));
	ck_assert_uint_eq(a->mode, IK_MODE_TUNNEL);
	ck_assert_uint_eq(b->mode, IK_MODE_TUNNEL);
	ck_assert_str_eq(a->ifname, "");
	ck_assert_ptr_null(a->tunnel);
	ck_assert_ptr_nonnull(a->cmap);
	ck_assert_ptr_nonnull(b->cmap);
	ck_assert_uint_eq(a->sel.src.v4, b->sel.dst.v4);
	ck_assert_uint_eq(a->sel.dst.v4, b->sel.src.v4);
	ck_assert_uint_eq(ik_sel_mask4(a->sel.src_plen), ik_sel_mask4(b->sel.dst_plen));
	ck_assert_uint_eq(ik_sel_mask4(a->sel.dst_plen), ik_sel_mask4(b->sel.src_plen));
	ck_assert_uint_ge(a->reqid, IK_CMAP_REQID_FLAG);
	ck_assert_uint_ge(b->reqid, IK_CMAP_REQID_FLAG);
}

static unsigned ready(int side)
{
	struct ik_v2_stats st;

	ik_engine_v2_stats(net.n[side].e, &st);
	return st.in_active + st.out_active;
}

/* Two LAN prefixes behind R1: the first line's child comes with IKE_AUTH,
 * the second's with CREATE_CHILD_SA on the same IKE SA (PFS: KE payloads);
 * the responder walks entry 5 before entry 10 and narrows nothing (R1's
 * lines are inside its line). */
START_TEST(two_prefixes_two_children)
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
	ck_assert_uint_eq(ready(0), 1);
	ck_assert_uint_eq(ready(1), 1);
	expect_pair(0);
	expect_pair(1);
	ck_assert_uint_eq(net.n[0].up[0].sel.src.v4, A("10.1.1.0"));
	ck_assert_uint_eq(ik_sel_mask4(net.n[0].up[0].sel.src_plen), A("255.255.255.0"));
	ck_assert_uint_eq(net.n[0].up[0].sel.dst.v4, A("10.2.0.0"));
	ck_assert_uint_eq(ik_sel_mask4(net.n[0].up[0].sel.dst_plen), A("255.255.0.0"));
	ck_assert_uint_eq(net.n[0].up[1].sel.src.v4, A("10.1.2.0"));
	ck_assert_uint_eq(net.n[0].up[0].pfs_group, 0); /* IKE_AUTH's child: no KE */
	ck_assert_uint_eq(net.n[0].up[1].pfs_group, 14);
	ck_assert_uint_eq(net.n[0].up[0].lifetime_sec, 1800);
	ck_assert_uint_ne(net.n[0].up[0].reqid, net.n[0].up[1].reqid);
	ck_assert_uint_eq(net.n[1].up[0].cmap->seq, 10);
	XN_EXPECT_ORDER(&net.n[0], "Initiating IKEv2 for crypto map CM 10 to 192.0.2.2",
		     "IPsec SA for crypto map CM 10 installed",
		     "Sending CREATE_CHILD_SA request for crypto map CM 10",
		     "IPsec SA for crypto map CM 10 installed");
	/* R1 names the packet first (RFC 7296 2.9): the trace shows it */
	XN_EXPECT_ORDER(&net.n[1], "Crypto mapdb : proxy_match", "\tsrc addr     : 10.2.3.4",
		     "\tdst addr     : 10.1.1.5", "\tprotocol     : 0",
		     "Crypto mapdb : proxy_match", "\tsrc addr     : 10.2.3.4",
		     "Traffic selectors for crypto map CM 10: TSi 10.1.1.0-10.1.1.255 proto 0 "
		     "ports 0-65535, TSr 10.2.0.0-10.2.255.255 proto 0 ports 0-65535");
	/* the same line again: nothing new (its child is up) */
	initiate_ok(0, "CM", "10.1.2.9", "10.2.7.7");
	xn_run(&net, 2000);
	ck_assert_uint_eq(net.n[0].nup, 2);
	xn_free(&net);
}
END_TEST

/* R2 initiates toward R1 through its map: the other direction works the
 * same (R1's entry takes the mirror image of R2's line, narrowed to R1's
 * narrower line: RFC 7296 2.9). */
START_TEST(responder_narrows)
{
	start(r1_map, r2_map, 2);
	initiate_ok(1, "CM", "10.2.3.4", "10.1.2.5");
	xn_run(&net, 3000);
	if (net.n[0].nup != 1 || net.n[1].nup != 1) {
		xn_dump(&net.n[0]);
		xn_dump(&net.n[1]);
	}
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(net.n[1].nup, 1);
	expect_pair(0);
	/* R2 offered 10.2.0.0/16 <-> 10.1.0.0/16; R1's first line allows
	 * 10.1.1.0/24 only, but the packet was 10.1.2.5: RFC 7296 2.9 makes R1 take
	 * its second line. Without the packet, the first line would do. */
	ck_assert_uint_eq(net.n[1].up[0].sel.dst.v4, A("10.1.2.0"));
	ck_assert_uint_eq(ik_sel_mask4(net.n[0].up[0].sel.src_plen), A("255.255.255.0"));
	ck_assert_uint_eq(ik_sel_mask4(net.n[1].up[0].sel.dst_plen), A("255.255.255.0"));
	xn_free(&net);
}
END_TEST

/* R2's list holds nothing of R1's line: TS_UNACCEPTABLE, R2 says which
 * entries it walked, R1 says the peer refused, no child on either side;
 * the IKE SA stays. */
START_TEST(mismatch_ts_unacceptable)
{
	char *r2 = xn_replace(strdup(r2_map), " permit ip 10.2.0.0 0.0.255.255 10.1.0.0 0.0.255.255\n",
			      " permit ip 10.2.0.0 0.0.255.255 10.7.0.0 0.0.255.255\n");

	start(r1_map, r2, 3);
	initiate_ok(0, "CM", "10.1.1.5", "10.2.3.4");
	xn_run(&net, 3000);
	ck_assert_uint_eq(net.n[0].nup, 0);
	ck_assert_uint_eq(net.n[1].nup, 0);
	ck_assert_uint_eq(ready(0), 1);
	XN_EXPECT_ORDER(&net.n[1], "Crypto mapdb : proxy_match", "Crypto mapdb : proxy_match",
		     "no entry of crypto map CM (IKEv2 profile P1) allows the peer's traffic "
		     "selectors (10.1.1.5 -> 10.2.3.4, protocol 0, first of 2 and 2): "
		     "TS_UNACCEPTABLE");
	EXPECT_LINE(&net.n[0], "the peer refused the IPsec SA for crypto map CM 10: "
		    "TS_UNACCEPTABLE");
	xn_free(&net);
	free(r2);
}
END_TEST

/* An entry bound to another IKEv2 profile is passed over (the SA's profile
 * is P1): IOS's map_db_check trace, then TS_UNACCEPTABLE. */
START_TEST(entry_of_other_profile_passed_over)
{
	static const char other[] =
		"crypto ikev2 profile PX\n match identity remote address 192.0.2.99 "
		"255.255.255.255\n authentication local pre-share\n authentication remote "
		"pre-share\n keyring local KR\n";
	char *r2 = xn_replace(strdup(r2_map), " set pfs group14\n set ikev2-profile P1\n",
			      " set pfs group14\n set ikev2-profile PX\n");
	struct ik_sb t2;

	ik_sb_init(&t2);
	ik_sb_printf(&t2, "%s%s", other, r2);
	start(r1_map, ik_sb_str(&t2), 4);
	initiate_ok(0, "CM", "10.1.1.5", "10.2.3.4");
	xn_run(&net, 3000);
	ck_assert_uint_eq(net.n[1].nup, 0);
	XN_EXPECT_ORDER(&net.n[1], "map_db_check_ikev2_profile profile did not match",
		     "Crypto mapdb : proxy_match", "TS_UNACCEPTABLE");
	ik_sb_free(&t2);
	free(r2);
	xn_free(&net);
}
END_TEST

/* A responder with a dynamic map: R1 is not named anywhere on R2, the
 * dynamic entry (no set peer) takes it; without match address it takes the
 * peer's selectors as offered. */
START_TEST(dynamic_map)
{
	static const char r2_dyn[] =
		"ip access-list extended TO-ANY\n"
		" permit ip 10.2.0.0 0.0.255.255 10.1.0.0 0.0.255.255\n"
		"crypto dynamic-map DYN 10\n set transform-set TS\n set ikev2-profile P1\n"
		" match address TO-ANY\n"
		"crypto map CM 65535 ipsec-isakmp dynamic DYN\n"
		"interface GigabitEthernet0/0\n ip address 192.0.2.2 255.255.255.0\n crypto map CM\n";
	char *nomatch = xn_replace(strdup(r2_dyn), " match address TO-ANY\n", "");

	start(r1_map, r2_dyn, 5);
	initiate_ok(0, "CM", "10.1.2.5", "10.2.3.4");
	xn_run(&net, 3000);
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(net.n[1].nup, 1);
	expect_pair(0);
	ck_assert(net.n[1].up[0].cmap->map->is_dynamic);
	ck_assert_uint_eq(net.n[1].up[0].sel.dst.v4, A("10.1.2.0"));
	xn_free(&net);

	start(r1_map, nomatch, 6);
	initiate_ok(0, "CM", "10.1.1.5", "10.2.3.4");
	xn_run(&net, 3000);
	ck_assert_uint_eq(net.n[1].nup, 1);
	ck_assert_uint_eq(net.n[1].up[0].sel.dst.v4, A("10.1.1.0"));
	ck_assert_uint_eq(ik_sel_mask4(net.n[1].up[0].sel.src_plen), A("255.255.0.0"));
	xn_free(&net);
	free(nomatch);
}
END_TEST

/* A static entry needs the peer among its set peer lines: R2 names
 * another peer, so R1's child is refused. */
START_TEST(static_entry_needs_peer)
{
	char *r2 = xn_replace(strdup(r2_map), " set peer 192.0.2.1\n set transform-set TS\n"
			      " set pfs group14\n", " set peer 192.0.2.7\n set transform-set TS\n"
			      " set pfs group14\n");

	start(r1_map, r2, 7);
	initiate_ok(0, "CM", "10.1.1.5", "10.2.3.4");
	xn_run(&net, 3000);
	ck_assert_uint_eq(net.n[1].nup, 0);
	EXPECT_LINE(&net.n[1], "TS_UNACCEPTABLE");
	xn_free(&net);
	free(r2);
}
END_TEST

/* The soft lifetime rekeys a crypto map child with its own selectors
 * (CREATE_CHILD_SA with REKEY_SA, PFS), and the pair is replaced. */
START_TEST(child_rekey_keeps_selectors)
{
	uint32_t old_in;

	start(r1_map, r2_map, 8);
	initiate_ok(0, "CM", "10.1.1.5", "10.2.3.4");
	xn_run(&net, 2000);
	initiate_ok(0, "CM", "10.1.2.5", "10.2.3.4");
	xn_run(&net, 2000);
	ck_assert_uint_eq(net.n[0].nup, 2);
	old_in = net.n[0].up[1].in.spi;
	ik_engine_expire(net.n[0].e, old_in, false);
	xn_run(&net, 3000);
	ck_assert_uint_eq(net.n[0].nup, 2);
	ck_assert_uint_eq(net.n[1].nup, 2);
	EXPECT_LINE(&net.n[0], "Sending rekey request for IPsec SA");
	for (unsigned k = 0; k < 2; k++) {
		ck_assert_uint_ne(net.n[0].up[k].in.spi, old_in);
		expect_pair(k);
	}
	ck_assert_uint_eq(net.n[0].up[1].sel.src.v4, A("10.1.2.0"));
	ck_assert_uint_eq(net.n[0].up[1].pfs_group, 14);
	xn_free(&net);
}
END_TEST

/* An acquire as XFRM reports it: the line's request id and the packet (host
 * masks), or only the policy's selector. */
static void acquire(int side, size_t ace, const char *s, const char *d, bool packet)
{
	const struct ik_cmap *m = ik_config_find_cmap(net.n[side].cfg, "CM", false);
	struct ik_kevent ev;

	ck_assert_ptr_nonnull(m);
	memset(&ev, 0, sizeof(ev));
	ev.type = IK_KEV_ACQUIRE;
	ev.reqid = ik_cmap_reqid(m->entries[0], ace);
	ev.src = ik_addr_v4(net.n[side].addr);
	ev.dst = ik_addr_v4(net.n[1 - side].addr);
	ev.sel.src = ik_addr_v4(A(s));
	ev.sel.dst = ik_addr_v4(A(d));
	ev.sel.src_plen = packet ? 32 : 24;
	ev.sel.dst_plen = packet ? 32 : 16;
	ik_engine_acquire_ev(net.n[side].e, &ev);
}

/* set security-association level per-host: each packet's host pair gets its
 * own child (/32 selectors) on one IKE SA; a second packet of a pair raises
 * nothing new. Without per-host, the acquire brings up the whole line. */
START_TEST(per_host_children)
{
	char *r1 = xn_replace(strdup(r1_map), " match address TO-R2\n",
			      " match address TO-R2\n set security-association level per-host\n");

	start(r1, r2_map, 9);
	acquire(0, 0, "10.1.1.5", "10.2.3.4", true);
	xn_run(&net, 2000);
	acquire(0, 0, "10.1.1.6", "10.2.3.4", true);
	xn_run(&net, 2000);
	acquire(0, 0, "10.1.1.5", "10.2.3.4", true);
	xn_run(&net, 2000);
	if (net.n[0].nup != 2)
		xn_dump(&net.n[0]);
	ck_assert_uint_eq(net.n[0].nup, 2);
	ck_assert_uint_eq(net.n[1].nup, 2);
	ck_assert_uint_eq(ready(0), 1);
	expect_pair(0);
	expect_pair(1);
	ck_assert_uint_eq(net.n[0].up[0].sel.src.v4, A("10.1.1.5"));
	ck_assert_uint_eq(ik_sel_mask4(net.n[0].up[0].sel.src_plen), 0xffffffffu);
	ck_assert_uint_eq(net.n[0].up[0].sel.dst.v4, A("10.2.3.4"));
	ck_assert_uint_eq(ik_sel_mask4(net.n[0].up[0].sel.dst_plen), 0xffffffffu);
	ck_assert_uint_eq(net.n[0].up[1].sel.src.v4, A("10.1.1.6"));
	ck_assert_uint_eq(ik_sel_mask4(net.n[0].up[1].sel.dst_plen), 0xffffffffu);
	ck_assert_uint_eq(net.n[0].up[0].reqid, net.n[0].up[1].reqid);
	xn_free(&net);

	start(r1_map, r2_map, 10);
	acquire(0, 1, "10.1.2.5", "10.2.3.4", true);
	xn_run(&net, 2000);
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(net.n[0].up[0].sel.src.v4, A("10.1.2.0"));
	ck_assert_uint_eq(ik_sel_mask4(net.n[0].up[0].sel.src_plen), A("255.255.255.0"));
	/* the packet went first in TSi/TSr: R2's trace shows it */
	EXPECT_LINE(&net.n[1], "\tsrc addr     : 10.2.3.4");
	xn_free(&net);
	free(r1);
}
END_TEST

/* set security-association level per-host on the responder: R1 offers its
 * line (10.1.1.0/24 <-> 10.2.0.0/16) with the packet first; R2 narrows to
 * the packet's hosts (RFC 7296 2.9) and both install /32 selectors. An offer
 * without a packet pair (an acquire of the policy's selector only) names no
 * host: R2 refuses it with TS_UNACCEPTABLE and says why. */
START_TEST(per_host_responder_narrows_to_hosts)
{
	char *r2 = xn_replace(strdup(r2_map), " match address TO-R1\n",
			      " match address TO-R1\n set security-association level per-host\n");

	start(r1_map, r2, 14);
	initiate_ok(0, "CM", "10.1.1.5", "10.2.3.4");
	xn_run(&net, 3000);
	if (net.n[0].nup != 1 || net.n[1].nup != 1) {
		xn_dump(&net.n[0]);
		xn_dump(&net.n[1]);
	}
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(net.n[1].nup, 1);
	expect_pair(0);
	ck_assert_uint_eq(net.n[1].up[0].sel.src.v4, A("10.2.3.4"));
	ck_assert_uint_eq(net.n[1].up[0].sel.src_plen, 32);
	ck_assert_uint_eq(net.n[1].up[0].sel.dst.v4, A("10.1.1.5"));
	ck_assert_uint_eq(net.n[1].up[0].sel.dst_plen, 32);
	ck_assert_uint_eq(net.n[0].up[0].sel.src.v4, A("10.1.1.5"));
	ck_assert_uint_eq(net.n[0].up[0].sel.src_plen, 32);
	ck_assert_uint_eq(net.n[0].up[0].sel.dst_plen, 32);
	EXPECT_LINE(&net.n[1], "Traffic selectors for crypto map CM 10: TSi 10.1.1.5-10.1.1.5 "
		    "proto 0 ports 0-65535, TSr 10.2.3.4-10.2.3.4 proto 0 ports 0-65535");
	/* another host pair of the same line: a child of its own */
	initiate_ok(0, "CM", "10.1.1.6", "10.2.3.4");
	xn_run(&net, 3000);
	ck_assert_uint_eq(net.n[1].nup, 2);
	ck_assert_uint_eq(net.n[1].up[1].sel.dst.v4, A("10.1.1.6"));
	ck_assert_uint_eq(net.n[1].up[1].sel.dst_plen, 32);
	xn_free(&net);

	start(r1_map, r2, 15);
	acquire(0, 0, "10.1.1.0", "10.2.0.0", false);
	xn_run(&net, 3000);
	ck_assert_uint_eq(net.n[0].nup, 0);
	ck_assert_uint_eq(net.n[1].nup, 0);
	ck_assert_uint_eq(ready(0), 1);
	XN_EXPECT_ORDER(&net.n[1], "crypto map CM 10 is per-host: the peer's first traffic "
		     "selectors name no single host pair",
		     "no entry of crypto map CM (IKEv2 profile P1) allows the peer's traffic "
		     "selectors (10.1.1.0 -> 10.2.0.0, protocol 0, first of 1 and 1); entry 10 is "
		     "per-host and the peer named no single host pair first (no packet): "
		     "TS_UNACCEPTABLE");
	EXPECT_LINE(&net.n[0], "the peer refused the IPsec SA for crypto map CM 10: "
		    "TS_UNACCEPTABLE");
	xn_free(&net);
	free(r2);
}
END_TEST

/* IPv6 access lists over IPv4 peers: R1's ipv6 access-list lines become
 * IPv6 traffic selectors (TS_IPV6_ADDR_RANGE), R2's IPv6 list takes them
 * (mirror image, narrowed), the children carry IPv6 selectors; and over
 * IKEv1 the same lists make IPv6 proxy identities (ID_IPV6_ADDR_SUBNET). */
START_TEST(ipv6_acl_children)
{
	static const char acl1[] =
		"ipv6 access-list TO-R2\n"
		" permit ipv6 2001:db8:1::/48 2001:db8:2::/48\n"
		" permit ipv6 2001:db8:3::/48 2001:db8:2::/48\n";
	static const char acl2[] =
		"ipv6 access-list TO-R1\n"
		" permit ipv6 2001:db8:2::/48 2001:db8::/32\n";
	char *r1 = xn_replace(strdup(r1_map), "ip access-list extended TO-R2\n"
			      " permit ip 10.1.1.0 0.0.0.255 10.2.0.0 0.0.255.255\n"
			      " permit ip 10.1.2.0 0.0.0.255 10.2.0.0 0.0.255.255\n", acl1);
	char *r2 = xn_replace(strdup(r2_map), "ip access-list extended TO-R1\n"
			      " permit ip 10.2.0.0 0.0.255.255 10.1.0.0 0.0.255.255\n", acl2);
	struct ik_addr s1, d1;

	start(r1, r2, 12);
	initiate_ok(0, "CM", "2001:db8:1::5", "2001:db8:2::9");
	xn_run(&net, 2000);
	initiate_ok(0, "CM", "2001:db8:3::5", "2001:db8:2::9");
	xn_run(&net, 2000);
	if (net.n[0].nup != 2 || net.n[1].nup != 2) {
		xn_dump(&net.n[0]);
		xn_dump(&net.n[1]);
	}
	ck_assert_uint_eq(net.n[0].nup, 2);
	ck_assert_uint_eq(net.n[1].nup, 2);
	ck_assert_int_eq(ik_addr_parse_any("2001:db8:3::", &s1), 0);
	ck_assert_int_eq(ik_addr_parse_any("2001:db8:2::", &d1), 0);
	ck_assert(ik_addr_eq(&net.n[0].up[1].sel.src, &s1));
	ck_assert_uint_eq(net.n[0].up[1].sel.src_plen, 48);
	ck_assert(ik_addr_eq(&net.n[0].up[1].sel.dst, &d1));
	ck_assert_uint_eq(net.n[0].up[1].sel.dst_plen, 48);
	/* R2: its line narrowed to R1's */
	ck_assert(ik_addr_eq(&net.n[1].up[1].sel.dst, &s1));
	ck_assert_uint_eq(net.n[1].up[1].sel.dst_plen, 48);
	ck_assert_uint_eq(net.n[1].up[1].out.dst.family, IK_AF_INET4);
	EXPECT_LINE(&net.n[1], "Traffic selectors for crypto map CM 10: TSi "
		    "2001:db8:3::-2001:db8:3:ffff:ffff:ffff:ffff:ffff proto 0 ports 0-65535");
	xn_free(&net);
	free(r1);
	free(r2);
}
END_TEST

/* per-host on the responder with IPv6 lists over IPv4 peers: R1 offers its
 * /48 line with the packet first; R2 narrows to the two hosts (/128). */
START_TEST(per_host_responder_ipv6)
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
	struct ik_addr h1, h2;

	r2 = xn_replace(r2, " match address TO-R1\n",
			" match address TO-R1\n set security-association level per-host\n");
	start(r1, r2, 16);
	initiate_ok(0, "CM", "2001:db8:1::5", "2001:db8:2::9");
	xn_run(&net, 3000);
	if (net.n[1].nup != 1)
		xn_dump(&net.n[1]);
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(net.n[1].nup, 1);
	ck_assert_int_eq(ik_addr_parse_any("2001:db8:1::5", &h1), 0);
	ck_assert_int_eq(ik_addr_parse_any("2001:db8:2::9", &h2), 0);
	ck_assert(ik_addr_eq(&net.n[1].up[0].sel.src, &h2));
	ck_assert_uint_eq(net.n[1].up[0].sel.src_plen, 128);
	ck_assert(ik_addr_eq(&net.n[1].up[0].sel.dst, &h1));
	ck_assert_uint_eq(net.n[1].up[0].sel.dst_plen, 128);
	ck_assert(ik_addr_eq(&net.n[0].up[0].sel.src, &h1));
	ck_assert_uint_eq(net.n[0].up[0].sel.src_plen, 128);
	xn_free(&net);
	free(r1);
	free(r2);
}
END_TEST

/* set peer failover over IKEv2: the first peer never answers IKE_SA_INIT,
 * the next one is tried and the child comes up with it. */
START_TEST(peer_failover_v2)
{
	char *r1 = xn_replace(strdup(r1_map), " set peer 192.0.2.2\n",
			      " set peer 192.0.2.3\n set peer 192.0.2.2\n");

	r1 = xn_replace(r1, "  address 192.0.2.2\n", "  address 192.0.2.0 255.255.255.0\n");
	start(r1, r2_map, 13);
	free(r1);
	initiate_ok(0, "CM", "10.1.1.5", "10.2.3.4");
	xn_run(&net, 600000);
	if (net.n[0].nup != 1)
		xn_dump(&net.n[0]);
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(net.n[1].nup, 1);
	expect_pair(0);
	XN_EXPECT_ORDER(&net.n[0], "Initiating IKEv2 for crypto map CM 10 to 192.0.2.3",
		     "%CRYPTO-6-PEER_FAILOVER: crypto map CM 10: peer 192.0.2.3 does not answer, "
		     "trying 192.0.2.2",
		     "Initiating IKEv2 for crypto map CM 10 to 192.0.2.2");
	xn_free(&net);
}
END_TEST

static Suite *cmap_v2_suite(void)
{
	Suite *s = suite_create("cmap_v2");
	TCase *tc = tcase_create("cmap_v2");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, two_prefixes_two_children);
	tcase_add_test(tc, responder_narrows);
	tcase_add_test(tc, mismatch_ts_unacceptable);
	tcase_add_test(tc, entry_of_other_profile_passed_over);
	tcase_add_test(tc, dynamic_map);
	tcase_add_test(tc, static_entry_needs_peer);
	tcase_add_test(tc, child_rekey_keeps_selectors);
	tcase_add_test(tc, per_host_children);
	tcase_add_test(tc, per_host_responder_narrows_to_hosts);
	tcase_add_test(tc, ipv6_acl_children);
	tcase_add_test(tc, per_host_responder_ipv6);
	tcase_add_test(tc, peer_failover_v2);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cmap_v2_suite());
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? 1 : 0;
}
