/* The engine core: the timer heap and the keyed tables on their own, then
 * engines in one process (tests/unit/test_mesh.c): two peers behind one NAT
 * address keep each other's SAs (INITIAL-CONTACT acts on one address AND
 * port); a flood of spoofed first messages evicts only SAs whose peer has
 * not answered from its address; the per-source caps on half-open SAs and
 * on the rate of new ones; the per-SA cap on Quick Mode nodes under way; an
 * IKEv2 message is recognised from its header and dropped; the cap on IKE
 * SAs per peer counts per address pair (fVRF, local and remote address and
 * port), so that one address reaches many local addresses of a hub. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/core.h"
#include "ike/peer.h"
#include "ike/sa.h"
#include "ike/timer.h"
#include "test_exchange_harness.h"
#include "test_mesh.h"
#include "util/util.h"

#define R1_ADDR 0xc0a80001u   /* 192.168.0.1, the initiators' own address */
#define R2_ADDR 0xc0a80002u   /* 192.168.0.2, the responder */
#define NAT_ADDR 0xcb00710au  /* 203.0.113.10 */

/* ---- timer heap ---- */

START_TEST(timer_heap_order)
{
	enum { N = 2000 };
	static struct ik_timer t[N];
	struct ik_timers ts = { 0 };
	uint64_t r = 12345;

	memset(t, 0, sizeof(t));
	for (unsigned round = 0; round < 20000; round++) {
		unsigned i;
		uint64_t min = UINT64_MAX;
		const struct ik_timer *top;

		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		i = (unsigned)(r % N);
		if (r & 0x100000)
			ik_timer_cancel(&ts, &t[i]);
		else
			ck_assert_int_eq(ik_timer_set(&ts, &t[i], 1 + (r >> 20) % 100000), 0);
		if (round % 97)
			continue;
		for (unsigned k = 0; k < N; k++) {
			ck_assert_uint_eq(t[k].at != 0, ik_timer_armed(&t[k]));
			if (t[k].at && t[k].at < min)
				min = t[k].at;
		}
		top = ik_timers_top(&ts);
		ck_assert_uint_eq(top ? top->at : UINT64_MAX, min);
		/* every entry carries its handle's deadline and the handle its slot,
		 * and no entry is earlier than its parent (4-ary) */
		for (size_t k = 0; k < ts.n; k++) {
			ck_assert_uint_eq(ts.h[k].at, ts.h[k].t->at);
			ck_assert_uint_eq(ts.h[k].t->slot, k + 1);
			if (k)
				ck_assert_uint_le(ts.h[(k - 1) / 4].at, ts.h[k].at);
		}
	}
	/* the heap's room shrinks once most timers went; order holds */
	for (unsigned k = 0; k < N && ts.n > 40; k++)
		ik_timer_cancel(&ts, &t[k]);
	ck_assert(ik_timers_shrink(&ts));
	ck_assert_uint_le(ts.cap, 128);
	ck_assert_uint_ge(ts.cap, 64);
	ck_assert(!ik_timers_shrink(&ts));
	for (size_t k = 0; k < ts.n; k++)
		ck_assert_uint_eq(ts.h[k].t->slot, k + 1);
	/* popping gives non-decreasing deadlines */
	for (uint64_t last = 0; ik_timers_top(&ts);) {
		struct ik_timer *x = ik_timers_top(&ts);

		ck_assert_uint_ge(x->at, last);
		last = x->at;
		ik_timer_cancel(&ts, x);
	}
	ik_timers_free(&ts);
}
END_TEST

/* ---- keyed table ---- */

struct item {
	struct ik_hlink link;
	uint32_t key;
};

START_TEST(htab_grows_and_finds)
{
	enum { N = 20000 };
	struct item *it = calloc(N, sizeof(*it));
	struct ik_htab t = { 0 };
	uint8_t key[IK_HKEY_LEN] = { 1, 2, 3 };

	for (uint32_t i = 0; i < N; i++) {
		it[i].key = i * 7919u;
		ck_assert_int_eq(ik_htab_add(&t, &it[i].link,
					     ik_keyed_hash(key, &it[i].key, 4)), 0);
	}
	ck_assert_uint_eq(t.n, N);
	ck_assert_uint_ge(t.mask + 1, N / 2);
	for (uint32_t i = 0; i < N; i += 2)
		ck_assert(ik_htab_del(&t, &it[i].link));
	ck_assert(!ik_htab_del(&t, &it[0].link));
	for (uint32_t i = 0; i < N; i++) {
		uint32_t k = i * 7919u;
		uint64_t h = ik_keyed_hash(key, &k, 4);
		bool found = false;

		for (struct ik_hlink *l = ik_htab_first(&t, h); l; l = ik_htab_next(l))
			if (ik_container_of(l, struct item, link)->key == k)
				found = true;
		ck_assert_int_eq(found, i % 2 == 1);
	}
	/* a different key spreads the same inputs differently */
	{
		uint8_t key2[IK_HKEY_LEN] = { 9 };
		uint32_t k = 5;

		ck_assert_uint_ne(ik_keyed_hash(key, &k, 4), ik_keyed_hash(key2, &k, 4));
	}
	ik_htab_free(&t);
	free(it);
}
END_TEST

/* After most links went, the buckets shrink to about twice the links left
 * (not below 64), every link is still found and removable once, and the
 * table grows again as links come back. */
START_TEST(htab_shrinks_after_removal)
{
	enum { N = 20000, KEEP = 100 };
	struct item *it = calloc(N, sizeof(*it));
	struct ik_htab t = { 0 };
	uint8_t key[IK_HKEY_LEN] = { 4, 5, 6 };

	ck_assert(!ik_htab_shrink(&t));
	for (uint32_t i = 0; i < N; i++) {
		it[i].key = i;
		ck_assert_int_eq(ik_htab_add(&t, &it[i].link, ik_keyed_hash(key, &i, 4)), 0);
	}
	ck_assert_uint_ge(t.mask + 1, N);
	ck_assert(!ik_htab_shrink(&t)); /* full: nothing to give back */
	for (uint32_t i = KEEP; i < N; i++)
		ck_assert(ik_htab_del(&t, &it[i].link));
	ck_assert(ik_htab_shrink(&t));
	ck_assert_uint_eq(t.mask + 1, 256);
	ck_assert(!ik_htab_shrink(&t));
	for (uint32_t i = 0; i < N; i++) {
		bool found = false;

		for (struct ik_hlink *l = ik_htab_first(&t, ik_keyed_hash(key, &i, 4)); l;
		     l = ik_htab_next(l))
			if (ik_container_of(l, struct item, link)->key == i)
				found = true;
		ck_assert_int_eq(found, i < KEEP);
	}
	for (uint32_t i = 0; i < KEEP; i += 2)
		ck_assert(ik_htab_del(&t, &it[i].link));
	for (uint32_t i = 0; i < KEEP; i += 2)
		ck_assert(!ik_htab_del(&t, &it[i].link));
	for (uint32_t i = 0; i < KEEP; i++)
		ck_assert(ik_htab_del(&t, &it[i].link) == (i % 2 == 1));
	ck_assert_uint_eq(t.n, 0);
	ck_assert(ik_htab_shrink(&t));
	ck_assert_uint_eq(t.mask + 1, 64);
	for (uint32_t i = 0; i < N; i++)
		ck_assert_int_eq(ik_htab_add(&t, &it[i].link, ik_keyed_hash(key, &i, 4)), 0);
	ck_assert_uint_ge(t.mask + 1, N);
	ik_htab_free(&t);
	free(it);
}
END_TEST

/* Links sharing one key (every SA of one peer in the peer index) come out in
 * any order, also after the table grew around them, and a removed link is
 * not removed twice. */
START_TEST(htab_same_key_removal)
{
	enum { N = 3000 };
	struct item *it = calloc(N, sizeof(*it));
	struct ik_htab t = { 0 };
	unsigned left = N, left42 = N - (N + 2) / 3;

	for (uint32_t i = 0; i < N; i++)
		ck_assert_int_eq(ik_htab_add(&t, &it[i].link, i % 3 ? 42 : 7 + i), 0);
	for (uint32_t step = 0; step < 3; step++)
		for (uint32_t i = step; i < N; i += 3) {
			ck_assert(ik_htab_del(&t, &it[i].link));
			ck_assert(!ik_htab_del(&t, &it[i].link));
			left--;
			if (i % 3)
				left42--;
			if (i % 301 == 0) {
				unsigned n = 0;

				for (struct ik_hlink *l = ik_htab_first(&t, 42); l; l = ik_htab_next(l))
					n++;
				ck_assert_uint_eq(t.n, left);
				ck_assert_uint_eq(n, left42);
			}
		}
	ck_assert_uint_eq(t.n, 0);
	ck_assert_ptr_null(ik_htab_first(&t, 42));
	ik_htab_free(&t);
	free(it);
}
END_TEST

/* ---- engines ---- */

static struct mnet net;

/* The seed's R1 as an initiator of a VTI (tunnel mode ipsec ipv4, proxies
 * any/any, as NAT needs). */
static struct ik_config *initiator_cfg(const char *extra_tunnels)
{
	char *t = xn_read("etc/examples/seed-r1.conf");
	struct ik_config *c;

	t = xn_replace(t, " tunnel source Ethernet0/0\n", " tunnel source Ethernet0/0\n"
		       " tunnel mode ipsec ipv4\n");
	if (extra_tunnels)
		t = xn_replace(t, "interface Ethernet0/0\n", extra_tunnels);
	c = xn_load(t, "r1");
	free(t);
	return c;
}

/* The seed's R2 answering peers at `peer` (an address the initiators show
 * through their NAT, or their own). */
static struct ik_config *responder_cfg(const char *peer)
{
	char *t = xn_read("etc/examples/seed-r2.conf"), line[128];
	struct ik_config *c;

	t = xn_replace(t, " tunnel source Ethernet0/0\n", " tunnel source Ethernet0/0\n"
		       " tunnel mode ipsec ipv4\n");
	snprintf(line, sizeof(line), " tunnel destination %s", peer);
	t = xn_replace(t, " tunnel destination 192.168.0.1", line);
	snprintf(line, sizeof(line), "pre-shared-key address %s key cisco", peer);
	t = xn_replace(t, "pre-shared-key address 192.168.0.1 key cisco", line);
	c = xn_load(t, "r2");
	free(t);
	return c;
}

static void initiate(int side, const char *ifname)
{
	struct ik_sb err;

	ik_sb_init(&err);
	ck_assert_msg(ik_engine_initiate(net.n[side].e, ifname, &err) == 0, "%s", ik_sb_str(&err));
	ik_sb_free(&err);
}

static void expect_line(const struct mnode *n, const char *s)
{
	if (mn_find(n, 0, s) < 0)
		mn_dump(n);
	ck_assert_msg(mn_find(n, 0, s) >= 0, "%s: no line \"%s\"", n->name, s);
}

static void expect_no_line(const struct mnode *n, const char *s)
{
	if (mn_find(n, 0, s) >= 0)
		mn_dump(n);
	ck_assert_msg(mn_find(n, 0, s) < 0, "%s: unexpected line \"%s\"", n->name, s);
}

/* Two peers behind one NAT address (different ports) both bring their SAs
 * up: the second one's INITIAL-CONTACT does not delete the first one's SAs.
 * When the first restarts (same address and port), its INITIAL-CONTACT
 * deletes its own old SAs and only those. */
START_TEST(nat_two_peers_initial_contact)
{
	struct ik_engine_stats st;
	struct mnode *a, *b, *r;

	mn_init(&net);
	r = mn_add(&net, 0, "R2", responder_cfg("203.0.113.10"), R2_ADDR, 1, NULL, true);
	a = mn_add(&net, 1, "A", initiator_cfg(NULL), R1_ADDR, 2, NULL, true);
	a->nat_addr = NAT_ADDR;
	a->nat_port = 1500;
	b = mn_add(&net, 2, "B", initiator_cfg(NULL), R1_ADDR, 3, NULL, true);
	b->nat_addr = NAT_ADDR;
	b->nat_port = 2500;
	initiate(1, "Tunnel1");
	mn_run(&net, 1000);
	ck_assert_uint_eq(a->nup, 1);
	initiate(2, "Tunnel1");
	mn_run(&net, 1000);
	ck_assert_uint_eq(b->nup, 1);
	expect_line(r, "processing NOTIFY INITIAL_CONTACT");
	expect_no_line(r, "Receive initial contact");
	ik_engine_stats(r->e, &st);
	ck_assert_uint_eq(st.isakmp_up, 2);
	ck_assert_uint_eq(st.child_sas, 2);
	ck_assert_uint_eq(r->downs, 0);
	/* A restarts behind the same mapping */
	mn_del(&net, 1);
	a = mn_add(&net, 1, "A2", initiator_cfg(NULL), R1_ADDR, 4, NULL, true);
	a->nat_addr = NAT_ADDR;
	a->nat_port = 1500;
	initiate(1, "Tunnel1");
	mn_run(&net, 1000);
	ck_assert_uint_eq(a->nup, 1);
	expect_line(r, "Receive initial contact");
	ik_engine_stats(r->e, &st);
	ck_assert_uint_eq(st.isakmp_up, 2);   /* B's and A's new one */
	ck_assert_uint_eq(st.child_sas, 2);
	ck_assert_uint_eq(r->downs, 1);        /* A's old pair only */
	ck_assert_uint_eq(b->downs, 0);
	mn_free(&net);
}
END_TEST

/* show crypto session groups the SAs by address pair once per command:
 * four peers at four public addresses, a fifth behind the second one's NAT
 * address (another port), so that its session has two ISAKMP SAs and two
 * child pairs; every session printed once, in the same order in every form. */
START_TEST(show_session_groups)
{
	static const char *const cfg_tail =
		"interface Tunnel%u\n tunnel source Ethernet0/0\n tunnel mode ipsec ipv4\n"
		" tunnel destination 203.0.113.%u\n"
		" tunnel protection ipsec profile profile1\n!\n";
	char *t = xn_read("etc/examples/seed-r2.conf"), *text, peer[32];
	struct ik_show_opts o = { 0 };
	struct ik_sb sb, br;
	const char *p;
	struct mnode *r;
	size_t len;

	t = xn_replace(t, "pre-shared-key address 192.168.0.1 key cisco",
		       "pre-shared-key address 0.0.0.0 0.0.0.0 key cisco");
	t = xn_replace(t, " tunnel source Ethernet0/0\n", " tunnel source Ethernet0/0\n"
		       " tunnel mode ipsec ipv4\n");
	len = strlen(t) + 4 * 200;
	text = malloc(len);
	ck_assert_ptr_nonnull(text);
	strcpy(text, t);
	for (unsigned k = 0; k < 4; k++)
		snprintf(text + strlen(text), len - strlen(text), cfg_tail, 10 + k, 20 + k);
	mn_init(&net);
	r = mn_add(&net, 0, "R2", xn_load(text, "r2"), R2_ADDR, 41, NULL, true);
	for (int k = 0; k < 5; k++) {
		struct mnode *i = mn_add(&net, 1 + k, "I", initiator_cfg(NULL), R1_ADDR,
					 42 + (uint64_t)k, NULL, true);

		i->nat_addr = 0xcb007114u + (uint32_t)(k == 4 ? 1 : k); /* 203.0.113.20.. */
		i->nat_port = (uint16_t)(1000 + 100 * k);
		initiate(1 + k, "Tunnel1");
		mn_run(&net, 1000);
		ck_assert_uint_eq(i->nup, 1);
	}
	ck_assert_uint_eq(r->nup, 5);
	ik_sb_init(&sb);
	ik_sb_init(&br);
	ik_engine_show_session(r->e, false, &sb);
	o.brief = true;
	ik_engine_show_session_opt(r->e, &o, false, &br);
	/* the brief rows follow the sessions of the long form, one to one */
	p = strstr(ik_sb_str(&br), "Status\n");
	ck_assert_ptr_nonnull(p);
	p += 7;
	for (const char *q = strstr(ik_sb_str(&sb), "Peer: "); q; q = strstr(q + 1, "Peer: ")) {
		char row[32];

		ck_assert_int_eq(sscanf(q, "Peer: %31s", peer), 1);
		ck_assert_int_eq(sscanf(p, "%31s", row), 1);
		ck_assert_str_eq(row, peer);
		p = strchr(p, '\n');
		ck_assert_ptr_nonnull(p);
		p++;
	}
	ck_assert_str_eq(p, "");
	for (unsigned k = 0; k < 4; k++) {
		char want[200];
		const char *q;
		unsigned n = 0;

		snprintf(peer, sizeof(peer), "203.0.113.%u", 20 + k);
		snprintf(want, sizeof(want), "Peer: %s port ", peer);
		q = strstr(ik_sb_str(&sb), want);
		ck_assert_msg(q != NULL, "no session for %s:\n%s", peer, ik_sb_str(&sb));
		ck_assert_ptr_null(strstr(q + 1, want));        /* one session per address */
		for (const char *x = strstr(ik_sb_str(&sb), "remote "); x; x = strstr(x + 1, "remote "))
			n += !strncmp(x + 7, peer, strlen(peer)) && x[7 + strlen(peer)] == '/';
		ck_assert_uint_eq(n, k == 1 ? 2 : 1);
		snprintf(want, sizeof(want), "Active SAs: %u,", k == 1 ? 4 : 2);
		ck_assert_ptr_nonnull(strstr(q, want));
		ck_assert(strstr(q, "Active SAs:") == strstr(q, want));
		snprintf(want, sizeof(want), "\n%-15s Tu%u ", peer, 10 + k);
		ck_assert_msg(strstr(ik_sb_str(&br), want) != NULL, "%s", ik_sb_str(&br));
	}
	ik_sb_free(&sb);
	ik_sb_free(&br);
	free(text);
	free(t);
	mn_free(&net);
}
END_TEST

/* The same over IKEv2: two peers behind one NAT address (different ports),
 * each sending INITIAL_CONTACT, keep each other's SAs; a restart behind the
 * same mapping deletes only the restarted peer's old SA. */
static struct ik_config *v2_cfg(const char *file, const char *peer)
{
	char *t = xn_read(file), line[128];
	struct ik_config *c;

	t = xn_replace(t, " tunnel source Ethernet0/0\n", " tunnel source Ethernet0/0\n"
		       " tunnel mode ipsec ipv4\n");
	if (peer) {
		snprintf(line, sizeof(line), " tunnel destination %s", peer);
		t = xn_replace(t, " tunnel destination 192.168.0.1", line);
		snprintf(line, sizeof(line), "  address %s\n  pre-shared-key cisco\n!\n"
			 "crypto ikev2 keyring keyring2", peer);
		t = xn_replace(t, "  address 192.168.0.1\n  pre-shared-key cisco\n!\n"
			       "crypto ikev2 keyring keyring2", line);
	}
	c = xn_load(t, peer ? "r2" : "r1");
	free(t);
	return c;
}

START_TEST(nat_two_peers_initial_contact_v2)
{
	struct ik_engine_stats st;
	struct mnode *a, *b, *r;

	mn_init(&net);
	r = mn_add(&net, 0, "R2", v2_cfg("etc/examples/ikev2-r2.conf", "203.0.113.10"), R2_ADDR,
		   21, NULL, true);
	a = mn_add(&net, 1, "A", v2_cfg("etc/examples/ikev2-r1.conf", NULL), R1_ADDR, 22, NULL,
		   true);
	a->nat_addr = NAT_ADDR;
	a->nat_port = 1500;
	b = mn_add(&net, 2, "B", v2_cfg("etc/examples/ikev2-r1.conf", NULL), R1_ADDR, 23, NULL,
		   true);
	b->nat_addr = NAT_ADDR;
	b->nat_port = 2500;
	initiate(1, "Tunnel1");
	mn_run(&net, 1000);
	ck_assert_uint_eq(a->nup, 1);
	initiate(2, "Tunnel1");
	mn_run(&net, 1000);
	ck_assert_uint_eq(b->nup, 1);
	expect_line(r, "Processing INITIAL_CONTACT");
	expect_no_line(r, "INITIAL_CONTACT: deleting the older IKE SA");
	ik_engine_stats(r->e, &st);
	ck_assert_uint_eq(st.child_sas, 2);
	ck_assert_uint_eq(r->downs, 0);
	/* A restarts behind the same mapping */
	mn_del(&net, 1);
	a = mn_add(&net, 1, "A2", v2_cfg("etc/examples/ikev2-r1.conf", NULL), R1_ADDR, 24, NULL,
		   true);
	a->nat_addr = NAT_ADDR;
	a->nat_port = 1500;
	initiate(1, "Tunnel1");
	mn_run(&net, 1000);
	ck_assert_uint_eq(a->nup, 1);
	expect_line(r, "INITIAL_CONTACT: deleting the older IKE SA");
	ik_engine_stats(r->e, &st);
	ck_assert_uint_eq(st.child_sas, 2);   /* B's and A's new one */
	ck_assert_uint_eq(r->downs, 1);        /* A's old pair only */
	ck_assert_uint_eq(b->downs, 0);
	mn_free(&net);
}
END_TEST

/* DPD declares one peer behind a NAT dead: its SAs go, not those of its
 * neighbour behind the same address. */
START_TEST(nat_two_peers_dpd_dead)
{
	char *t = xn_read("etc/examples/seed-r2.conf");
	struct ik_config *rc;
	struct ik_engine_stats st;
	struct mnode *a, *b, *r;

	t = xn_replace(t, " tunnel source Ethernet0/0\n", " tunnel source Ethernet0/0\n"
		       " tunnel mode ipsec ipv4\n");
	t = xn_replace(t, " tunnel destination 192.168.0.1", " tunnel destination 203.0.113.10");
	t = xn_replace(t, "pre-shared-key address 192.168.0.1 key cisco",
		       "pre-shared-key address 203.0.113.10 key cisco");
	t = xn_replace(t, "crypto isakmp policy 10", "crypto isakmp keepalive 10 2 periodic\n"
		       "crypto isakmp policy 10");
	rc = xn_load(t, "r2");
	free(t);
	mn_init(&net);
	r = mn_add(&net, 0, "R2", rc, R2_ADDR, 16, NULL, true);
	a = mn_add(&net, 1, "A", initiator_cfg(NULL), R1_ADDR, 17, NULL, true);
	a->nat_addr = NAT_ADDR;
	a->nat_port = 1500;
	b = mn_add(&net, 2, "B", initiator_cfg(NULL), R1_ADDR, 18, NULL, true);
	b->nat_addr = NAT_ADDR;
	b->nat_port = 2500;
	initiate(1, "Tunnel1");
	mn_run(&net, 1000);
	initiate(2, "Tunnel1");
	mn_run(&net, 1000);
	ck_assert_uint_eq(a->nup, 1);
	ck_assert_uint_eq(b->nup, 1);
	a->deaf = true;
	mn_run(&net, 60000);
	expect_line(r, "not responding after 5 R_U_THERE, declaring it dead");
	ik_engine_stats(r->e, &st);
	ck_assert_uint_eq(st.isakmp_up, 1);    /* B's */
	ck_assert_uint_eq(st.child_sas, 1);
	ck_assert_uint_eq(r->downs, 1);        /* A's pair only */
	ck_assert_uint_eq(b->downs, 0);
	mn_free(&net);
}
END_TEST

/* The offset of the first payload of type pt in an IKEv1 message in clear, 0
 * when there is none. */
static size_t v1_find_pl(const uint8_t *m, size_t len, uint8_t pt)
{
	uint8_t np = m[16];
	size_t off = 28;

	while (np && off + 4 <= len) {
		size_t pl = ((size_t)m[off + 2] << 8) | m[off + 3];

		if (pl < 4 || off + pl > len)
			return 0;
		if (np == pt)
			return off;
		np = m[off];
		off += pl;
	}
	return 0;
}

static uint32_t swap_from, swap_to;
static unsigned swapped;

/* An authenticated peer that names another peer's SPI in its DELETE: the
 * ESP SPI swap_from becomes swap_to before the HASH is computed. */
static void swap_delete_spi(struct mnode *n, int stage, uint8_t *msg, size_t *len, size_t cap)
{
	size_t off;

	(void)n;
	(void)cap;
	if (stage != IK_TAMPER_HASH || *len < 28 || msg[18] != 5 /* informational */)
		return;
	off = v1_find_pl(msg, *len, 12 /* D */);
	if (!off || off + 16 > *len || msg[off + 8] != 3 /* ESP */ || msg[off + 9] != 4 ||
	    ik_get32(msg + off + 12) != swap_from)
		return;
	ik_put32(msg + off + 12, swap_to);
	swapped++;
}

/* Kills DELETE_ESP_SCOPE: A and B (two addresses, one tunnel each on R2)
 * are up; A, authenticated, sends a DELETE naming the SPI of R2's IPsec SA
 * towards B. R2 deletes nothing of B's (nor A's: A named no SPI of its own). */
START_TEST(delete_other_peers_ipsec_sa)
{
	char *t = xn_read("etc/examples/seed-r2.conf");
	struct ik_engine_stats st;
	struct mnode *a, *b, *r;

	t = xn_replace(t, " tunnel source Ethernet0/0\n", " tunnel source Ethernet0/0\n"
		       " tunnel mode ipsec ipv4\n");
	t = xn_replace(t, " tunnel destination 192.168.0.1", " tunnel destination 203.0.113.10");
	t = xn_replace(t, "pre-shared-key address 192.168.0.1 key cisco",
		       "pre-shared-key address 203.0.113.0 255.255.255.0 key cisco");
	t = xn_replace(t, "interface Ethernet0/0\n", "interface Tunnel2\n"
		       " ip address 10.0.1.2 255.255.255.0\n"
		       " tunnel source Ethernet0/0\n"
		       " tunnel mode ipsec ipv4\n"
		       " tunnel destination 203.0.113.11\n"
		       " tunnel protection ipsec profile profile1\n"
		       "!\n"
		       "interface Ethernet0/0\n");
	mn_init(&net);
	r = mn_add(&net, 0, "R2", xn_load(t, "r2"), R2_ADDR, 31, NULL, true);
	free(t);
	a = mn_add(&net, 1, "A", initiator_cfg(NULL), R1_ADDR, 32, NULL, true);
	a->nat_addr = NAT_ADDR;
	a->nat_port = 1500;
	b = mn_add(&net, 2, "B", initiator_cfg(NULL), R1_ADDR, 33, NULL, true);
	b->nat_addr = NAT_ADDR + 1;
	b->nat_port = 2500;
	initiate(1, "Tunnel1");
	mn_run(&net, 1000);
	initiate(2, "Tunnel1");
	mn_run(&net, 1000);
	ck_assert_uint_eq(a->nup, 1);
	ck_assert_uint_eq(b->nup, 1);
	ik_engine_stats(r->e, &st);
	ck_assert_uint_eq(st.child_sas, 2);
	/* R2's outbound SPI towards a peer is that peer's inbound SPI */
	swap_from = a->last_up_spi;
	swap_to = b->last_up_spi;
	swapped = 0;
	a->tamper = swap_delete_spi;
	ik_engine_clear(a->e, IK_CLEAR_SA, 0, 0);
	mn_deliver(&net);
	ck_assert_uint_eq(swapped, 1);
	expect_line(r, "rec'd delete notify from ISAKMP");
	ik_engine_stats(r->e, &st);
	ck_assert_uint_eq(st.child_sas, 2);
	ck_assert_uint_eq(r->downs, 0);
	ck_assert_uint_eq(b->downs, 0);
	mn_free(&net);
}
END_TEST

/* The first datagram (MM1) the initiator on slot 1 sends. */
static void capture_mm1(uint8_t *buf, size_t *len)
{
	net.keep_first = true;
	net.first_len = 0;
	initiate(1, "Tunnel1");
	ck_assert_uint_gt(net.first_len, 28);
	memcpy(buf, net.first, net.first_len);
	*len = net.first_len;
	net.keep_first = false;
}

static void spoof(int to, uint8_t *mm1, size_t len, uint32_t addr, uint16_t port, uint32_t k)
{
	struct ik_endpoint src = ik_ep_v4(addr, port);

	ik_put32(mm1, 0x5e000000u + k); /* a fresh initiator cookie */
	mn_inject(&net, to, &src, mm1, len);
}

/* A peer that has answered from its address (MM3) survives a flood of
 * spoofed MM1s filling the half-open table: the flood evicts its own
 * entries, oldest first, and the tunnel comes up. */
START_TEST(flood_spares_proven_peer)
{
	struct ik_engine_opts ro = { .max_half_open = 8 };
	struct ik_engine_stats st;
	uint8_t mm1[2048];
	size_t len;
	struct mnode *r, *a;

	mn_init(&net);
	r = mn_add(&net, 0, "R2", responder_cfg("192.168.0.1"), R2_ADDR, 5, &ro, true);
	a = mn_add(&net, 1, "R1", initiator_cfg(NULL), R1_ADDR, 6, NULL, true);
	capture_mm1(mm1, &len);
	ck_assert(mn_step(&net)); /* MM1 -> responder, MM2 queued */
	ck_assert(mn_step(&net)); /* MM2 -> initiator, MM3 queued */
	ck_assert(mn_step(&net)); /* MM3 -> responder: the peer answered */
	for (uint32_t k = 0; k < 200; k++)
		spoof(0, mm1, len, 0xc6336400u + k, 500, k); /* 198.51.100.k */
	ik_engine_stats(r->e, &st);
	ck_assert_uint_eq(st.half_open, 8);
	ck_assert_uint_ge(st.half_open_evicted, 190);
	expect_line(r, "half-open SA limit 8 reached, dropping the oldest");
	mn_run(&net, 1000);
	ck_assert_uint_eq(a->nup, 1);
	ck_assert_uint_eq(r->nup, 1);
	expect_no_line(r, "(1001):deleting SA reason \"half-open limit\"");
	mn_free(&net);
}
END_TEST

/* A peer whose MM3 is still on its way when a flood from a few spoofed
 * addresses turns the full half-open table over: the flood's entries (their
 * sources hold several) are evicted before the lone peer's, which completes. */
START_TEST(flood_spares_lone_peer_before_mm3)
{
	struct ik_engine_opts ro = { .max_half_open = 8 };
	struct ik_engine_stats st;
	uint8_t mm1[2048];
	size_t len;
	struct mnode *r, *a;

	mn_init(&net);
	r = mn_add(&net, 0, "R2", responder_cfg("192.168.0.1"), R2_ADDR, 25, &ro, true);
	a = mn_add(&net, 1, "R1", initiator_cfg(NULL), R1_ADDR, 26, NULL, true);
	capture_mm1(mm1, &len);
	ck_assert(mn_step(&net)); /* MM1 -> responder, MM2 queued */
	ck_assert(mn_step(&net)); /* MM2 -> initiator, MM3 queued (not delivered yet) */
	for (uint32_t k = 0; k < 40; k++) /* 4 addresses, 4 half-open each at most */
		spoof(0, mm1, len, 0xc6336401u + k % 4, (uint16_t)(1024 + k), k);
	ik_engine_stats(r->e, &st);
	ck_assert_uint_eq(st.half_open, 8);
	ck_assert_uint_ge(st.half_open_evicted, 20);
	expect_line(r, "half-open SA limit 8 reached, dropping the oldest of a source holding "
		    "several");
	mn_run(&net, 1000);
	expect_no_line(r, "(1001):deleting SA reason \"half-open limit\"");
	ck_assert_uint_eq(a->nup, 1);
	ck_assert_uint_eq(r->nup, 1);
	mn_free(&net);
}
END_TEST

/* One source address holds at most a tenth of the half-open table; another
 * source still gets in. */
START_TEST(half_open_cap_per_source)
{
	struct ik_engine_opts ro = { .max_half_open = 100 };
	struct ik_engine_stats st;
	uint8_t mm1[2048];
	size_t len;
	struct mnode *r;

	mn_init(&net);
	r = mn_add(&net, 0, "R2", responder_cfg("192.168.0.1"), R2_ADDR, 7, &ro, true);
	mn_add(&net, 1, "R1", initiator_cfg(NULL), R1_ADDR, 8, NULL, true);
	capture_mm1(mm1, &len);
	for (uint32_t k = 0; k < 30; k++)
		spoof(0, mm1, len, 0xc6336401u, (uint16_t)(1024 + k), k);
	ik_engine_stats(r->e, &st);
	ck_assert_uint_eq(st.half_open, 10);
	ck_assert_uint_eq(st.half_open_refused, 20);
	expect_line(r, "ISAKMP (0): 10 SAs in negotiation with 198.51.100.1 (limit per source 10),"
		    " new SA refused");
	spoof(0, mm1, len, 0xc6336402u, 500, 100);
	ik_engine_stats(r->e, &st);
	ck_assert_uint_eq(st.half_open, 11);
	mn_free(&net);
}
END_TEST

/* Per-peer records of a flood's sources: a peer gets a record only once it
 * has answered from its address, so the half-open SAs of 200 spoofed sources
 * make none, and what is left after they expire is within the limit too. */
START_TEST(peer_records_trimmed_when_idle)
{
	struct ik_engine_opts ro = { .max_half_open = 1000 };
	struct ik_engine_stats st;
	uint8_t mm1[2048];
	size_t len;
	struct mnode *r;

	mn_init(&net);
	r = mn_add(&net, 0, "R2", responder_cfg("192.168.0.1"), R2_ADDR, 51, &ro, true);
	mn_add(&net, 1, "R1", initiator_cfg(NULL), R1_ADDR, 52, NULL, true);
	capture_mm1(mm1, &len);
	ik_peer_set_max(r->e, 20);
	for (uint32_t k = 0; k < 200; k++)
		spoof(0, mm1, len, 0xc6336401u + k, 500, k);
	ik_engine_stats(r->e, &st);
	ck_assert_uint_eq(st.half_open, 200);
	/* spoofed sources never answered from their addresses: no record */
	ck_assert_uint_eq(r->e->peers.n, 0);
	mn_del(&net, 1);
	mn_run(&net, 200000);                   /* the half-open SAs expire */
	ik_engine_stats(r->e, &st);
	ck_assert_uint_eq(st.half_open, 0);
	ck_assert_uint_le(r->e->peers.nidle, 20);
	ck_assert_uint_le(r->e->peers.n, 20);
	mn_free(&net);
}
END_TEST

/* The per-source table and the SA indexes hold IPv6 sources as such: an
 * IPv6 source reaches its own cap, another IPv6 source and the IPv4 address
 * made of the same first four bytes (184.13.1.32 for 2001:db8::) are other
 * sources, and the trace prints the IPv6 address as IOS does. */
START_TEST(half_open_cap_per_source_ipv6)
{
	struct ik_engine_opts ro = { .max_half_open = 100 };
	struct ik_engine_stats st;
	struct ik_addr a6, b6;
	uint8_t mm1[2048];
	size_t len;
	struct mnode *r;

	ck_assert_int_eq(ik_addr_parse_any("2001:db8::1", &a6), 0);
	ck_assert_int_eq(ik_addr_parse_any("2001:db8::2", &b6), 0);
	mn_init(&net);
	r = mn_add(&net, 0, "R2", responder_cfg("192.168.0.1"), R2_ADDR, 9, &ro, true);
	mn_add(&net, 1, "R1", initiator_cfg(NULL), R1_ADDR, 10, NULL, true);
	capture_mm1(mm1, &len);
	for (uint32_t k = 0; k < 30; k++) {
		struct ik_endpoint src = ik_ep(&a6, (uint16_t)(1024 + k));

		ik_put32(mm1, 0x5e000000u + k);
		mn_inject(&net, 0, &src, mm1, len);
	}
	ik_engine_stats(r->e, &st);
	ck_assert_uint_eq(st.half_open, 10);
	ck_assert_uint_eq(st.half_open_refused, 20);
	expect_line(r, "ISAKMP (0): 10 SAs in negotiation with 2001:DB8::1 (limit per source 10),"
		    " new SA refused");
	{
		struct ik_endpoint other = ik_ep(&b6, 500);

		ik_put32(mm1, 0x5e000100u);
		mn_inject(&net, 0, &other, mm1, len);
	}
	ik_engine_stats(r->e, &st);
	ck_assert_uint_eq(st.half_open, 11);
	spoof(0, mm1, len, 0xb80d0120u, 500, 0x200); /* 184.13.1.32 */
	spoof(0, mm1, len, 0x20010db8u, 500, 0x201); /* 32.1.13.184 */
	ik_engine_stats(r->e, &st);
	ck_assert_uint_eq(st.half_open, 13);
	ck_assert_uint_eq(st.half_open_refused, 20);
	mn_free(&net);
}
END_TEST

/* New SAs from one source are answered at most 50 times a second. */
START_TEST(first_message_rate_per_source)
{
	struct ik_engine_opts ro = { .max_half_open = 1000 };
	struct ik_engine_stats st;
	uint8_t mm1[2048];
	size_t len;
	struct mnode *r;
	unsigned sent;

	mn_init(&net);
	r = mn_add(&net, 0, "R2", responder_cfg("192.168.0.1"), R2_ADDR, 9, &ro, true);
	mn_add(&net, 1, "R1", initiator_cfg(NULL), R1_ADDR, 10, NULL, true);
	capture_mm1(mm1, &len);
	sent = net.sent;
	for (uint32_t k = 0; k < 80; k++)
		spoof(0, mm1, len, 0xc6336401u, (uint16_t)(1024 + k), k);
	ik_engine_stats(r->e, &st);
	ck_assert_uint_eq(st.half_open, 50);
	ck_assert_uint_eq(net.sent - sent, 50); /* one MM2 each, none for the refused */
	expect_line(r, "more than 50 new SAs per second from 198.51.100.1, new SA refused "
		    "(response rate limit)");
	net.now += 1000;
	spoof(0, mm1, len, 0xc6336401u, 4000, 500);
	ik_engine_stats(r->e, &st);
	ck_assert_uint_eq(st.half_open, 51);
	mn_free(&net);
}
END_TEST

/* An IKEv2 message is told apart by its header's major version and goes to
 * the IKEv2 code before any IKEv1 parsing: this one (an SA payload announced,
 * none present) is dropped there as malformed, and no SA is made. */
START_TEST(ikev2_demultiplexed)
{
	struct ik_engine_stats st;
	struct ik_endpoint src = ik_ep_v4(R1_ADDR, 500);
	uint8_t m[28] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct mnode *r;

	mn_init(&net);
	r = mn_add(&net, 0, "R2", responder_cfg("192.168.0.1"), R2_ADDR, 11, NULL, true);
	m[16] = 33;     /* SA */
	m[17] = 0x20;   /* version 2.0 */
	m[18] = 34;     /* IKE_SA_INIT */
	m[19] = 0x08;   /* initiator */
	ik_put32(m + 24, 28);
	mn_inject(&net, 0, &src, m, sizeof(m));
	expect_line(r, "IKEv2:Received a malformed IKE_SA_INIT from 192.168.0.1:500");
	expect_no_line(r, "IKMP_BAD_MESSAGE");
	ik_engine_stats(r->e, &st);
	ck_assert_uint_eq(st.isakmp_sas, 0);
	ck_assert_uint_eq(st.rx_datagrams, 1);
	ck_assert_uint_eq(st.rx_dropped, 1);
	mn_free(&net);
}
END_TEST

/* An SA holds at most 16 Quick Mode nodes that are under way: an
 * authenticated peer that opens more and never completes them is refused. */
START_TEST(quick_mode_cap_per_sa)
{
	char extra[8192];
	size_t off = 0;
	struct mnode *r, *a;
	struct ik_engine_stats st;

	for (unsigned k = 2; k <= 24; k++)
		off += (size_t)snprintf(extra + off, sizeof(extra) - off,
				"interface Tunnel%u\n ip address 10.0.%u.1 255.255.255.0\n"
				" tunnel source Ethernet0/0\n tunnel mode ipsec ipv4\n"
				" tunnel destination 192.168.0.2\n"
				" tunnel protection ipsec profile profile1\n!\n", k, k);
	snprintf(extra + off, sizeof(extra) - off, "interface Ethernet0/0\n");
	mn_init(&net);
	r = mn_add(&net, 0, "R2", responder_cfg("192.168.0.1"), R2_ADDR, 12, NULL, true);
	a = mn_add(&net, 1, "R1", initiator_cfg(extra), R1_ADDR, 13, NULL, true);
	initiate(1, "Tunnel1");
	mn_run(&net, 1000);
	ck_assert_uint_eq(a->nup, 1);
	a->deaf = true; /* QM2s are lost: the responder's nodes stay under way */
	for (unsigned k = 2; k <= 24; k++) {
		char name[16];

		snprintf(name, sizeof(name), "Tunnel%u", k);
		initiate(1, name);
	}
	mn_deliver(&net);
	expect_line(r, "Quick Mode exchanges under way with 192.168.0.1 (limit 16), new one "
		    "refused");
	ik_engine_stats(r->e, &st);
	ck_assert_uint_eq(st.child_sas, 1);
	mn_free(&net);
}
END_TEST

/* Completed Quick Mode nodes linger for retransmissions, but an SA keeps at
 * most 64 nodes: a peer that completes exchange after exchange does not make
 * them pile up. */
START_TEST(quick_mode_nodes_bounded)
{
	struct mnode *r, *a;

	mn_init(&net);
	r = mn_add(&net, 0, "R2", responder_cfg("192.168.0.1"), R2_ADDR, 19, NULL, true);
	a = mn_add(&net, 1, "R1", initiator_cfg(NULL), R1_ADDR, 20, NULL, true);
	for (unsigned k = 0; k < 70; k++) {
		initiate(1, "Tunnel1");
		mn_deliver(&net);
		ck_assert_uint_eq(a->nup, 1);
		ik_engine_clear(a->e, IK_CLEAR_SA, 0, 0);
		mn_deliver(&net);
		ck_assert_uint_eq(r->nup, 0);
	}
	expect_line(r, "64 nodes on this SA: completed node released early");
	mn_free(&net);
}
END_TEST

/* A kernel acquire finds its tunnel through the snapshot's index: by reqid
 * (TunnelN has reqid N + 1) or, without one, by destination. */
START_TEST(acquire_through_the_tunnel_index)
{
	struct mnode *r, *a;
	unsigned sent;

	mn_init(&net);
	r = mn_add(&net, 0, "R2", responder_cfg("192.168.0.1"), R2_ADDR, 14, NULL, true);
	a = mn_add(&net, 1, "R1", initiator_cfg(NULL), R1_ADDR, 15, NULL, true);
	sent = net.sent;
	ik_engine_acquire(a->e, 7, 0, 0);               /* no Tunnel6 */
	ik_engine_acquire(a->e, 0, R1_ADDR, 0x0a000001u); /* no tunnel to 10.0.0.1 */
	ck_assert_uint_eq(net.sent, sent);
	ik_engine_acquire(a->e, 2, 0, 0);               /* Tunnel1 */
	ck_assert_uint_eq(net.sent, sent + 1);
	mn_run(&net, 1000);
	ck_assert_uint_eq(a->nup, 1);
	ck_assert_uint_eq(r->nup, 1);
	ik_engine_clear(a->e, IK_CLEAR_SESSION, 0, 0);
	mn_run(&net, 1000);
	ck_assert_uint_eq(r->nup, 0);
	sent = net.sent;
	ik_engine_acquire(a->e, 0, R1_ADDR, R2_ADDR);    /* by destination */
	ck_assert_uint_eq(net.sent, sent + 1);
	mn_run(&net, 1000);
	ck_assert_uint_eq(a->nup, 1);
	mn_free(&net);
}
END_TEST

/* ---- the per-peer cap on IKE SAs ---- */

#define HUB_ADDRS 42

/* A hub answering 192.168.0.1 on HUB_ADDRS local addresses (192.168.0.2 and
 * up), one VTI per local address; the spoke bringing up one tunnel to each. */
static struct ik_config *hub_cfg(bool spoke)
{
	struct ik_sb t;
	struct ik_config *c;

	ik_sb_init(&t);
	ik_sb_printf(&t, "hostname %s\n!\ncrypto keyring K\n"
		     "  pre-shared-key address 192.168.0.0 255.255.255.0 key cisco\n!\n"
		     "crypto isakmp policy 10\n encr 3des\n hash md5\n authentication pre-share\n"
		     " group 2\n!\ncrypto isakmp profile P\n   keyring K\n"
		     "   match identity address 192.168.0.0 255.255.255.0\n!\n"
		     "crypto ipsec transform-set TS esp-aes esp-sha256-hmac\n mode tunnel\n!\n"
		     "crypto ipsec profile IP\n set transform-set TS\n set isakmp-profile P\n!\n",
		     spoke ? "SPOKE" : "HUB");
	for (unsigned k = 0; k < HUB_ADDRS; k++)
		ik_sb_printf(&t, "interface Tunnel%u\n tunnel source 192.168.0.%u\n"
			     " tunnel destination 192.168.0.%u\n tunnel mode ipsec ipv4\n"
			     " tunnel protection ipsec profile IP\n!\n", k + 1,
			     spoke ? 1 : 2 + k, spoke ? 2 + k : 1);
	c = xn_load(ik_sb_str(&t), spoke ? "spoke" : "hub");
	ik_sb_free(&t);
	return c;
}

/* One peer address keeps one IKE SA with each of the hub's local addresses:
 * 42 tunnels from one address to 42 local addresses all come up, the cap on
 * IKE SAs per peer (8) counting per address pair. */
START_TEST(peer_cap_per_address_pair)
{
	struct ik_engine_stats st;
	struct mnode *r, *a;

	mn_init(&net);
	r = mn_add(&net, 0, "HUB", hub_cfg(false), R2_ADDR, 21, NULL, true);
	r->naddrs = HUB_ADDRS;
	a = mn_add(&net, 1, "SPOKE", hub_cfg(true), R1_ADDR, 22, NULL, true);
	for (unsigned k = 1; k <= HUB_ADDRS; k++) {
		char name[16];

		/* one after the other: the SAs already up count against the cap */
		snprintf(name, sizeof(name), "Tunnel%u", k);
		initiate(1, name);
		mn_run(&net, 1000);
		ck_assert_uint_eq(a->nup, k);
	}
	expect_no_line(r, "new SA refused");
	ik_engine_stats(r->e, &st);
	ck_assert_uint_eq(st.isakmp_up, HUB_ADDRS);
	ck_assert_uint_eq(st.child_sas, HUB_ADDRS);
	ck_assert_uint_eq(a->nup, HUB_ADDRS);
	ck_assert_uint_eq(r->nup, HUB_ADDRS);
	mn_free(&net);
}
END_TEST

/* Eight IKE SAs on one address pair whose peer answered from its address
 * (MM3 received): the ninth first message on that pair is refused, while the
 * same peer address still opens an SA with another local address. */
START_TEST(peer_cap_ninth_sa_refused)
{
	struct ik_engine_opts ro = { .max_half_open = 1000 };
	struct ik_engine_stats st;
	struct mnode *r, *a;

	mn_init(&net);
	r = mn_add(&net, 0, "HUB", hub_cfg(false), R2_ADDR, 23, &ro, true);
	r->naddrs = HUB_ADDRS;
	for (unsigned k = 0; k < 8; k++) {
		a = mn_add(&net, 1, "SPOKE", hub_cfg(true), R1_ADDR, 24 + k, NULL, true);
		initiate(1, "Tunnel1");
		ck_assert(mn_step(&net)); /* MM1 -> hub, MM2 queued */
		ck_assert(mn_step(&net)); /* MM2 -> spoke, MM3 queued */
		ck_assert(mn_step(&net)); /* MM3 -> hub: the peer answered */
		a->deaf = true;
		mn_deliver(&net);
		mn_del(&net, 1);
	}
	ik_engine_stats(r->e, &st);
	ck_assert_uint_eq(st.half_open, 8);
	expect_no_line(r, "new SA refused");
	a = mn_add(&net, 1, "SPOKE", hub_cfg(true), R1_ADDR, 40, NULL, true);
	initiate(1, "Tunnel1");
	ck_assert(mn_step(&net));
	expect_line(r, "ISAKMP (0): peer 192.168.0.1 port 500 has 8 IKE SAs with 192.168.0.2 "
		    "(limit 8), new SA refused");
	ik_engine_stats(r->e, &st);
	ck_assert_uint_eq(st.half_open, 8);
	ck_assert_uint_eq(st.half_open_refused, 1);
	/* another local address of the hub: a new pair, admitted and brought up */
	initiate(1, "Tunnel2");
	mn_run(&net, 1000);
	ik_engine_stats(r->e, &st);
	ck_assert_uint_eq(st.half_open_refused, 1);
	ck_assert_uint_eq(a->nup, 1);
	ck_assert_uint_eq(st.isakmp_up, 1);
	mn_free(&net);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("engine_core");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, timer_heap_order);
	tcase_add_test(tc, htab_grows_and_finds);
	tcase_add_test(tc, htab_shrinks_after_removal);
	tcase_add_test(tc, htab_same_key_removal);
	tcase_add_test(tc, show_session_groups);
	tcase_add_test(tc, nat_two_peers_initial_contact);
	tcase_add_test(tc, nat_two_peers_dpd_dead);
	tcase_add_test(tc, delete_other_peers_ipsec_sa);
	tcase_add_test(tc, flood_spares_proven_peer);
	tcase_add_test(tc, flood_spares_lone_peer_before_mm3);
	tcase_add_test(tc, half_open_cap_per_source);
	tcase_add_test(tc, peer_records_trimmed_when_idle);
	tcase_add_test(tc, half_open_cap_per_source_ipv6);
	tcase_add_test(tc, first_message_rate_per_source);
	tcase_add_test(tc, ikev2_demultiplexed);
	tcase_add_test(tc, nat_two_peers_initial_contact_v2);
	tcase_add_test(tc, quick_mode_cap_per_sa);
	tcase_add_test(tc, acquire_through_the_tunnel_index);
	tcase_add_test(tc, quick_mode_nodes_bounded);
	tcase_add_test(tc, peer_cap_per_address_pair);
	tcase_add_test(tc, peer_cap_ninth_sa_refused);
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
