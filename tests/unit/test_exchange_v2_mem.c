/* What an established IKEv2 SA holds for its requests in flight (struct
 * ik_v2_more, v2_more.h), per kind of exchange: a liveness check holds the
 * small block only, a CREATE_CHILD_SA (child or IKE SA rekey) a record with
 * its nonce and DH key for as long as it is in flight, queues grow by need up
 * to their stated bounds and go when they drain. And many SAs with a
 * liveness check each in flight: heap per SA measured, a few hundred bytes
 * at most. Two engines (etc/examples/ikev2-r1/r2.conf, group 31) or one
 * responder with many initiators behind NATs (test_mesh.h). Deterministic:
 * fake clock, seeded RNGs. */
#include <check.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/asan.h"
#ifdef IK_ASAN
/* the sanitizer runtime's count (its header is not always installed) */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

#include "ike/v2_int.h"
#include "ike/v2_more.h"
#include "test_exchange_harness.h"
#include "test_mesh.h"
#include "util/strbuf.h"

#define R1_ADDR 0xc0a80001u /* 192.168.0.1 */
#define R2_ADDR 0xc0a80002u /* 192.168.0.2 */
#define PUB_BASE 0x64400000u /* 100.64.0.0: public addresses of the mesh's initiators */

static struct xnet net;

/* Heap bytes in use (the sanitizer's count in sanitizer builds). */
static size_t heap_used(void)
{
#ifdef IK_ASAN
	return __sanitizer_get_current_allocated_bytes();
#else
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
#endif
}

static char *conf(const char *path)
{
	return xn_replace(xn_read(path), " group 14\n", " group 31\n");
}

static void start(uint64_t seed)
{
	char *t1 = conf("etc/examples/ikev2-r1.conf"), *t2 = conf("etc/examples/ikev2-r2.conf");
	struct ik_config *c1 = xn_load(t1, "r1.conf"), *c2 = xn_load(t2, "r2.conf");

	free(t1);
	free(t2);
	xn_init(&net, c1, R1_ADDR, c2, R2_ADDR, seed, NULL);
}

/* R1 brings the SA and its child pair up. */
static void up(void)
{
	struct ik_sb err;

	ik_sb_init(&err);
	ck_assert_msg(ik_engine_initiate(net.n[0].e, "Tunnel1", &err) == 0, "%s",
		      ik_sb_str(&err));
	ik_sb_free(&err);
	xn_run(&net, 2000);
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(net.n[1].nup, 1);
}

static struct ik_v2_ike_sa *the_sa(int side)
{
	struct ik_v2_ike_sa *found = NULL;

	for (struct ik_v2_ike_sa *s = net.n[side].e->v2->sas; s; s = s->next)
		if (!s->dead && s->state == IKEV2_READY) {
			ck_assert_ptr_null(found);
			found = s;
		}
	ck_assert_ptr_nonnull(found);
	return found;
}

static bool has_line(int side, const char *s)
{
	return xn_find(&net.n[side], 0, s) >= 0;
}

/* The queues hold nothing and have no arrays. */
static void queues_empty(const struct ik_v2_more *m)
{
	ck_assert_uint_eq(m->ndel, 0);
	ck_assert_uint_eq(m->nrekey, 0);
	ck_assert_uint_eq(m->nnew, 0);
	ck_assert_ptr_null(m->del_spi);
	ck_assert_ptr_null(m->rekey_id);
	ck_assert_ptr_null(m->new_child);
	ck_assert_uint_eq(m->del_cap + m->rekey_cap + m->new_cap, 0);
}

/* A liveness check in flight (R2 hears nothing): the small block only,
 * no CREATE_CHILD_SA record, no queue arrays; gone once answered. */
START_TEST(dpd_in_flight_holds_block_only)
{
	struct ik_v2_ike_sa *s;
	const struct ik_v2_more *m;

	start(71);
	up();
	ck_assert_ptr_null(ik_v2_more_peek(the_sa(0)));
	ck_assert_uint_eq(ik_v2_more_bytes(the_sa(0)), 0);
	net.blackhole[1] = true;
	xn_run(&net, 11000);
	s = the_sa(0);
	m = ik_v2_more_peek(s);
	ck_assert(has_line(0, "Sending DPD/liveness query"));
	ck_assert(ik_v2_req_pending(s));
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->x, IK_V2_X_DPD);
	ck_assert_ptr_null(m->ccsa);
	queues_empty(m);
	ck_assert_uint_eq(ik_v2_more_bytes(s), sizeof(struct ik_v2_more));
	ck_assert_uint_le(sizeof(struct ik_v2_more), 64);
	/* the window keeps the request itself: an empty INFORMATIONAL */
	ck_assert_uint_le(s->up->rq.req.len, 128);
	net.blackhole[1] = false;
	xn_run(&net, 3000);
	ck_assert(has_line(0, "the peer is alive"));
	ck_assert_ptr_null(ik_v2_more_peek(the_sa(0)));
	xn_free(&net);
}
END_TEST

/* A child rekey in flight: a record with what was offered, the nonce, no
 * DH key without PFS, no collision; the rekey queue's array already gone.
 * Answered: the record and the block go. */
START_TEST(child_rekey_in_flight_record)
{
	struct ik_v2_ike_sa *s;
	const struct ik_v2_more *m;
	uint32_t old_in;

	start(72);
	up();
	old_in = net.n[0].up[0].in.spi;
	net.blackhole[1] = true;
	ik_engine_expire(net.n[0].e, old_in, false);
	s = the_sa(0);
	m = ik_v2_more_peek(s);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->x, IK_V2_X_CHILD_REKEY);
	ck_assert_ptr_nonnull(m->ccsa);
	ck_assert_uint_ne(m->ccsa->cr.rekey_of, 0);
	ck_assert_ptr_nonnull(m->ccsa->ni);
	ck_assert_uint_eq(m->ccsa->ni_len, IK_V2_NONCE_LEN);
	ck_assert_ptr_null(m->ccsa->dh);
	ck_assert_ptr_null(m->ccsa->coll_nonce);
	queues_empty(m);
	ck_assert_uint_eq(ik_v2_more_bytes(s), sizeof(struct ik_v2_more) +
			  sizeof(struct ik_v2_ccsa_x) + IK_V2_NONCE_LEN);
	net.blackhole[1] = false;
	xn_run(&net, 3000);
	ck_assert(has_line(0, "Rekey of IPsec SA"));
	ck_assert_uint_ne(net.n[0].up[0].in.spi, old_in);
	ck_assert_ptr_null(ik_v2_more_peek(the_sa(0)));
	xn_free(&net);
}
END_TEST

/* An IKE SA rekey in flight: a record with our new SPI, the nonce and the
 * DH key of the exchange. */
START_TEST(ike_rekey_in_flight_record)
{
	struct ik_v2_ike_sa *s;
	const struct ik_v2_more *m;

	start(73);
	up();
	net.blackhole[1] = true;
	s = the_sa(0);
	ck_assert_ptr_nonnull(s->live);
	ik_v2_sa_timer(s, &s->live->t_rekey, net.now);
	m = ik_v2_more_peek(s);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->x, IK_V2_X_IKE_REKEY);
	ck_assert_ptr_nonnull(m->ccsa);
	ck_assert_ptr_nonnull(m->ccsa->dh);
	ck_assert_uint_eq(m->ccsa->ni_len, IK_V2_NONCE_LEN);
	ck_assert(memcmp(m->ccsa->new_spi, (uint8_t[8]){ 0 }, 8) != 0);
	queues_empty(m);
	net.blackhole[1] = false;
	xn_run(&net, 3000);
	ck_assert(has_line(0, "IKE SA rekeyed (new SA ID"));
	ck_assert_ptr_null(ik_v2_more_peek(the_sa(0)));
	xn_free(&net);
}
END_TEST

/* DELETEs queued behind a request in flight: the array grows by need to
 * IK_V2_MORE_DEL_MAX, one more is refused with the trace line, and the
 * array goes once the DELETE carrying them all is sent. */
START_TEST(delete_queue_bounded)
{
	struct ik_v2_ike_sa *s;
	struct ik_v2_more *m;
	uint8_t caps[IK_V2_MORE_DEL_MAX + 1];

	start(74);
	up();
	net.blackhole[1] = true;
	xn_run(&net, 11000); /* a liveness check holds the window */
	s = the_sa(0);
	for (unsigned i = 0; i <= IK_V2_MORE_DEL_MAX; i++) {
		ik_v2_info_queue_delete(s, 0x1000u + i);
		m = ik_v2_more_peek(s);
		caps[i] = m->del_cap;
	}
	m = ik_v2_more_peek(s);
	ck_assert_uint_eq(m->ndel, IK_V2_MORE_DEL_MAX);
	ck_assert_uint_eq(m->del_cap, IK_V2_MORE_DEL_MAX);
	ck_assert_uint_eq(caps[0], 2);
	ck_assert_uint_eq(caps[2], 4);
	ck_assert_uint_eq(caps[4], 8);
	ck_assert_uint_eq(m->del_spi[0], 0x1000u);
	ck_assert_uint_eq(m->del_spi[IK_V2_MORE_DEL_MAX - 1], 0x1000u + IK_V2_MORE_DEL_MAX - 1);
	ck_assert(has_line(0, "DELETE queue full: IPsec SA [SPI: 0x1020]"));
	net.blackhole[1] = false;
	xn_run(&net, 3000);
	ck_assert(has_line(0, "Sending DELETE INFO message for IPsec SA [SPI: 0x101F]"));
	ck_assert_ptr_null(ik_v2_more_peek(the_sa(0)));
	xn_free(&net);
}
END_TEST

/* The growth rule alone: doubling from 2, capped at the bound, NULL at the
 * bound with the array untouched. */
START_TEST(grow_doubles_to_bound)
{
	unsigned *a = NULL, *p;
	uint8_t cap = 0;
	unsigned n;

	for (n = 0; n < IK_V2_MORE_REKEY_MAX; n++) {
		p = ik_v2_more_grow(a, &cap, n, sizeof(*a), IK_V2_MORE_REKEY_MAX);
		ck_assert_ptr_nonnull(p);
		a = p;
		a[n] = n;
		ck_assert_uint_ge(cap, n + 1);
		ck_assert_uint_le(cap, 2 * (n + 1));
	}
	ck_assert_uint_eq(cap, IK_V2_MORE_REKEY_MAX);
	ck_assert_ptr_null(ik_v2_more_grow(a, &cap, n, sizeof(*a), IK_V2_MORE_REKEY_MAX));
	ck_assert_uint_eq(cap, IK_V2_MORE_REKEY_MAX);
	for (n = 0; n < IK_V2_MORE_REKEY_MAX; n++)
		ck_assert_uint_eq(a[n], n);
	free(a);
	/* a bound that is not a power of two */
	a = NULL;
	cap = 0;
	for (n = 0; n < 5; n++) {
		a = ik_v2_more_grow(a, &cap, n, sizeof(*a), 5);
		ck_assert_ptr_nonnull(a);
	}
	ck_assert_uint_eq(cap, 5);
	free(a);
}
END_TEST

/* ---- crypto map children queued on an IKE SA ---- */

static const char cm_common[] =
	"crypto ikev2 proposal PROP\n encryption aes-cbc-256\n integrity sha256\n group 31\n"
	"crypto ikev2 policy POL\n proposal PROP\n"
	"crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac\n mode tunnel\n";

/* R1: per-host children of 10.1.1.0/24 <-> 10.2.0.0/16 with R2 */
static const char cm_r1[] =
	"hostname R1\n"
	"crypto ikev2 keyring KR\n peer R2\n  address 192.168.0.2\n  pre-shared-key k3y\n"
	"crypto ikev2 profile P2\n match identity remote address 192.168.0.2 255.255.255.255\n"
	" authentication local pre-share\n authentication remote pre-share\n keyring local KR\n"
	"ip access-list extended TO-R2\n permit ip 10.1.1.0 0.0.0.255 10.2.0.0 0.0.255.255\n"
	"crypto map CM 10 ipsec-isakmp\n set peer 192.168.0.2\n set transform-set TS\n"
	" set ikev2-profile P2\n match address TO-R2\n"
	" set security-association level per-host\n"
	"interface GigabitEthernet0/0\n ip address 192.168.0.1 255.255.255.0\n crypto map CM\n";

static const char cm_r2[] =
	"hostname R2\n"
	"crypto ikev2 keyring KR\n peer R1\n  address 192.168.0.1\n  pre-shared-key k3y\n"
	"crypto ikev2 profile P1\n match identity remote address 192.168.0.1 255.255.255.255\n"
	" authentication local pre-share\n authentication remote pre-share\n keyring local KR\n"
	"ip access-list extended TO-R1\n permit ip 10.2.0.0 0.0.255.255 10.1.0.0 0.0.255.255\n"
	"crypto map CM 10 ipsec-isakmp\n set peer 192.168.0.1\n set transform-set TS\n"
	" set ikev2-profile P1\n match address TO-R1\n"
	"interface GigabitEthernet0/0\n ip address 192.168.0.2 255.255.255.0\n crypto map CM\n";

/* the rekey part of queues_bounded needs more children than the rekey queue holds */
_Static_assert(IK_V2_MORE_NEW_MAX >= IK_V2_MORE_REKEY_MAX, "children for the rekey queue");

static int cm_packet(unsigned host, struct ik_sb *err)
{
	char src[16];

	snprintf(src, sizeof(src), "10.1.1.%u", host);
	return xn_initiate_map(&net, 0, "CM", src, "10.2.0.1", err);
}

/* Per-host crypto map children wanted while the IKE SA's window is busy:
 * the queue's array grows to IK_V2_MORE_NEW_MAX entries, one more is
 * refused with a reason, and once the peer answers every queued child
 * comes up, one CREATE_CHILD_SA after the other, and the queue's array and
 * the block go. Then all those children want a rekey at once: the rekey
 * queue holds IK_V2_MORE_REKEY_MAX of them, as bounded. */
START_TEST(queues_bounded)
{
	struct ik_sb a, b, err;
	struct ik_config *c1, *c2;
	const struct ik_v2_more *m;
	struct ik_v2_ike_sa *s;
	struct ik_v2_stats st;
	uint32_t spis[2 + IK_V2_MORE_NEW_MAX];
	unsigned host = 1, n = 0;

	ik_sb_init(&a);
	ik_sb_init(&b);
	ik_sb_printf(&a, "%s%s", cm_common, cm_r1);
	ik_sb_printf(&b, "%s%s", cm_common, cm_r2);
	c1 = xn_load(ik_sb_str(&a), "r1.conf");
	c2 = xn_load(ik_sb_str(&b), "r2.conf");
	ik_sb_free(&a);
	ik_sb_free(&b);
	xn_init(&net, c1, R1_ADDR, c2, R2_ADDR, 75, NULL);
	ik_sb_init(&err);
	ck_assert_msg(cm_packet(host++, &err) == 0, "%s", ik_sb_str(&err));
	xn_run(&net, 2000);
	ck_assert_uint_eq(net.n[0].nup, 1);
	/* the second host's CREATE_CHILD_SA goes at once and stays in flight */
	ck_assert_msg(cm_packet(host++, &err) == 0, "%s", ik_sb_str(&err));
	m = ik_v2_more_peek(the_sa(0));
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->x, IK_V2_X_CHILD_NEW);
	ck_assert_ptr_nonnull(m->ccsa);
	ck_assert_ptr_nonnull(m->ccsa->cr.cmap);
	queues_empty(m);
	for (unsigned i = 0; i < IK_V2_MORE_NEW_MAX; i++)
		ck_assert_msg(cm_packet(host++, &err) == 0, "%s", ik_sb_str(&err));
	m = ik_v2_more_peek(the_sa(0));
	ck_assert_uint_eq(m->nnew, IK_V2_MORE_NEW_MAX);
	ck_assert_uint_eq(m->new_cap, IK_V2_MORE_NEW_MAX);
	ck_assert_int_eq(cm_packet(host, &err), -1);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&err),
				     "too many child SAs waiting for the IKE SA to the peer"));
	ik_sb_free(&err);
	xn_run(&net, 5000);
	/* the harness lists 16 children; its counts of installs go on */
	ck_assert_uint_eq(net.n[0].ups, 2 + IK_V2_MORE_NEW_MAX);
	ck_assert_uint_eq(net.n[1].ups, 2 + IK_V2_MORE_NEW_MAX);
	ck_assert_uint_eq(net.n[0].downs + net.n[1].downs, 0);
	ck_assert_ptr_null(ik_v2_more_peek(the_sa(0)));

	/* the 18 children reach their soft lifetime at once: the first rekey
	 * goes, 16 wait, the last is refused (it lives to its hard lifetime) */
	s = the_sa(0);
	for (struct ik_child *c = ik_v2_child_first(s); c && n < 2 + IK_V2_MORE_NEW_MAX;
	     c = ik_v2_child_next(s, c))
		spis[n++] = c->sa.in.spi;
	ck_assert_uint_eq(n, 2 + IK_V2_MORE_NEW_MAX);
	for (unsigned i = 0; i < n; i++)
		ik_engine_expire(net.n[0].e, spis[i], false);
	m = ik_v2_more_peek(s);
	ck_assert_uint_eq(m->x, IK_V2_X_CHILD_REKEY);
	ck_assert_uint_eq(m->nrekey, IK_V2_MORE_REKEY_MAX);
	ck_assert_uint_eq(m->rekey_cap, IK_V2_MORE_REKEY_MAX);
	ck_assert_int_ge(xn_find(&net.n[0], 0, "rekey queue full: IPsec SA"), 0);
	xn_run(&net, 5000);
	ik_engine_v2_stats(net.n[0].e, &st);
	ck_assert_uint_eq(st.child_rekeys, 1 + IK_V2_MORE_REKEY_MAX);
	ck_assert_ptr_null(ik_v2_more_peek(the_sa(0)));
	xn_free(&net);
}
END_TEST

/* ---- many SAs ---- */

static struct mnet mesh;

/* One handshake from initiator k (behind its own NAT address). */
static bool mesh_handshake(struct ik_config *ic, unsigned k)
{
	struct mnode *r = &mesh.n[0], *i;
	unsigned before = r->nup;
	struct ik_sb err;
	bool ok;

	i = mn_add(&mesh, 1, "I", ik_config_ref(ic), R1_ADDR, 1000 + k, NULL, false);
	i->nat_addr = PUB_BASE + k;
	i->nat_port = 500;
	ik_sb_init(&err);
	ok = ik_engine_initiate(i->e, "Tunnel1", &err) == 0;
	ik_sb_free(&err);
	mn_deliver(&mesh);
	ok = ok && i->nup == 1 && r->nup == before + 1;
	mn_del(&mesh, 1);
	return ok;
}

/* N SAs each with a liveness check of the responder in flight (the
 * initiators are gone): each holds the small block only, and the heap grew
 * by a few hundred bytes per SA at most (the request kept for
 * retransmission included), not by a fixed block of kilobytes. */
START_TEST(many_sas_dpd_in_flight)
{
	enum { N = 40 };
	char *t = conf("etc/examples/ikev2-r2.conf"), a[16];
	struct ik_config *rc, *ic;
	struct mnode *r;
	struct ik_sb sb;
	size_t h0, h1;
	unsigned busy = 0;

	t = xn_replace(t, "crypto ikev2 keyring keyring1\n peer R1\n  address 192.168.0.1\n",
		       "crypto ikev2 keyring keyring1\n peer R1\n  address 0.0.0.0 0.0.0.0\n");
	ik_sb_init(&sb);
	ik_sb_add(&sb, t);
	free(t);
	for (unsigned k = 0; k < N; k++) {
		uint32_t p = PUB_BASE + k;

		snprintf(a, sizeof(a), "%u.%u.%u.%u", p >> 24, (p >> 16) & 255, (p >> 8) & 255,
			 p & 255);
		ik_sb_printf(&sb, "interface Tunnel%u\n tunnel source Ethernet0/0\n"
			     " tunnel mode ipsec ipv4\n tunnel destination %s\n"
			     " tunnel protection ipsec profile profile1\n!\n", 10 + k, a);
	}
	rc = xn_load(ik_sb_str(&sb), "responder");
	ik_sb_free(&sb);
	t = conf("etc/examples/ikev2-r1.conf");
	ic = xn_load(t, "initiator");
	free(t);
	mn_init(&mesh);
	r = mn_add(&mesh, 0, "R", rc, R2_ADDR, 1, NULL, false);
	for (unsigned k = 0; k < N; k++)
		ck_assert_msg(mesh_handshake(ic, k), "handshake %u", k);
	ck_assert_uint_eq(r->nup, N);
	h0 = heap_used();
	mesh.now += 15000; /* one DPD interval of the responder's profile */
	ik_engine_run_timers(r->e);
	mesh.qlen = 0;
	h1 = heap_used();
	for (struct ik_v2_ike_sa *s = r->e->v2->sas; s; s = s->next) {
		const struct ik_v2_more *m = ik_v2_more_peek(s);

		if (s->dead || s->state != IKEV2_READY)
			continue;
		ck_assert(ik_v2_req_pending(s));
		ck_assert_ptr_nonnull(m);
		ck_assert_uint_eq(m->x, IK_V2_X_DPD);
		ck_assert_uint_eq(ik_v2_more_bytes(s), sizeof(struct ik_v2_more));
		busy++;
	}
	ck_assert_uint_eq(busy, N);
	ck_assert_msg(h1 > h0 && (h1 - h0) / N <= 256, "%zu B per SA with a liveness check",
		      (h1 - h0) / N);
	mn_free(&mesh);
	ik_config_unref(ic);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("exchange_v2_mem");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, dpd_in_flight_holds_block_only);
	tcase_add_test(tc, child_rekey_in_flight_record);
	tcase_add_test(tc, ike_rekey_in_flight_record);
	tcase_add_test(tc, delete_queue_bounded);
	tcase_add_test(tc, grow_doubles_to_bound);
	tcase_add_test(tc, queues_bounded);
	tcase_add_test(tc, many_sas_dpd_in_flight);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
