/* IKEv2 exchanges on an established SA, between two engines in one process
 * (etc/examples/ikev2-r1.conf and ikev2-r2.conf, rule V2-1, and variants):
 * INFORMATIONAL DELETE of children and of the IKE SA both ways, liveness
 * checks answered and unanswered (peer dead), CREATE_CHILD_SA rekeys of a
 * child (with and without PFS) and of the IKE SA started by each side,
 * simultaneous rekeys (RFC 7296 2.8.1), lost and duplicated requests and
 * responses, RFC 7383 fragments with a small MTU (and a lost fragment), a
 * tampered ICV on an INFORMATIONAL, and show/clear crypto ikev2.
 * Deterministic: fake clock, seeded RNGs. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/v2_int.h"
#include "ike/v2_more.h"
#include "test_exchange_harness.h"
#include "util/addr.h"
#include "util/strbuf.h"

#define R1_ADDR 0xc0a80001u /* 192.168.0.1 */
#define R2_ADDR 0xc0a80002u /* 192.168.0.2 */

static struct xnet net;

static bool has_line(int side, const char *s)
{
	return xn_find(&net.n[side], 0, s) >= 0;
}

#define EXPECT_LINE(side, s)                                                            \
	do {                                                                            \
		if (!has_line((side), (s)))                                             \
			xn_dump(&net.n[side]);                                             \
		ck_assert_msg(has_line((side), (s)), "%s: no trace line \"%s\"",        \
			      net.n[side].name, (s));                                   \
	} while (0)

/* The R1/R2 pair in IKEv2 form, with each side's text changed by the edits
 * (pairs of from, to; NULL ends). */
static void start_edit(uint64_t seed, const char *const *e1, const char *const *e2)
{
	char *t1 = xn_read("etc/examples/ikev2-r1.conf");
	char *t2 = xn_read("etc/examples/ikev2-r2.conf");
	struct ik_config *c1, *c2;

	t1 = xn_replace(t1, " integrity sha256\n", " integrity sha256\n prf sha256\n");
	t2 = xn_replace(t2, " integrity sha256\n", " integrity sha256\n prf sha256\n");
	for (size_t i = 0; e1 && e1[i]; i += 2)
		t1 = xn_replace(t1, e1[i], e1[i + 1]);
	for (size_t i = 0; e2 && e2[i]; i += 2)
		t2 = xn_replace(t2, e2[i], e2[i + 1]);
	c1 = xn_load(t1, "r1.conf");
	c2 = xn_load(t2, "r2.conf");
	free(t1);
	free(t2);
	xn_init(&net, c1, R1_ADDR, c2, R2_ADDR, seed, NULL);
}

static void initiate(int side)
{
	struct ik_sb err;

	ik_sb_init(&err);
	ck_assert_msg(ik_engine_initiate(net.n[side].e, "Tunnel1", &err) == 0, "%s",
		      ik_sb_str(&err));
	ik_sb_free(&err);
}

/* Both sides hold exactly one child, each one's outbound SA the other's
 * inbound SA. */
static void expect_pair(void)
{
	const struct ik_child_sa *a, *b;

	if (net.n[0].nup != 1 || net.n[1].nup != 1) {
		xn_dump(&net.n[0]);
		xn_dump(&net.n[1]);
	}
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(net.n[1].nup, 1);
	a = &net.n[0].up[0];
	b = &net.n[1].up[0];
	ck_assert_uint_eq(a->out.spi, b->in.spi);
	ck_assert_uint_eq(a->in.spi, b->out.spi);
	ck_assert(!memcmp(a->out.enc_key, b->in.enc_key, sizeof(a->out.enc_key)));
	ck_assert(!memcmp(a->out.auth_key, b->in.auth_key, sizeof(a->out.auth_key)));
	ck_assert(!memcmp(a->in.enc_key, b->out.enc_key, sizeof(a->in.enc_key)));
	ck_assert(!memcmp(a->in.auth_key, b->out.auth_key, sizeof(a->in.auth_key)));
	ck_assert(memcmp(a->in.enc_key, a->out.enc_key, sizeof(a->in.enc_key)));
}

static void stats(int side, struct ik_v2_stats *st)
{
	ik_engine_v2_stats(net.n[side].e, st);
}

/* IKE SAs READY on a side. */
static unsigned ready(int side)
{
	struct ik_v2_stats st;

	stats(side, &st);
	return st.in_active + st.out_active;
}

static unsigned ike_sas(int side)
{
	struct ik_v2_stats st;

	stats(side, &st);
	return st.in_sas + st.out_sas;
}

/* Up from side `side`: one IKE SA READY and one child pair. */
static void up(int side)
{
	initiate(side);
	xn_run(&net, 2000);
	expect_pair();
	ck_assert_uint_eq(ready(0), 1);
	ck_assert_uint_eq(ready(1), 1);
}

/* The only READY IKEv2 SA of a side. */
static struct ik_v2_ike_sa *the_sa(int side)
{
	struct ik_engine *e = net.n[side].e;
	struct ik_v2_ike_sa *found = NULL;

	for (struct ik_v2_ike_sa *s = e->v2 ? e->v2->sas : NULL; s; s = s->next)
		if (!s->dead && s->state == IKEV2_READY) {
			ck_assert_ptr_null(found);
			found = s;
		}
	ck_assert_ptr_nonnull(found);
	return found;
}

/* The newest READY IKEv2 SA of a side. */
static struct ik_v2_ike_sa *the_newest(int side)
{
	struct ik_engine *e = net.n[side].e;
	struct ik_v2_ike_sa *newest = NULL;

	for (struct ik_v2_ike_sa *s = e->v2 ? e->v2->sas : NULL; s; s = s->next)
		if (!s->dead && s->state == IKEV2_READY &&
		    (!newest || (int)(s->sa_id - newest->sa_id) > 0))
			newest = s;
	ck_assert_ptr_nonnull(newest);
	return newest;
}

static void soft_expire(int side)
{
	ik_engine_expire(net.n[side].e, net.n[side].up[0].in.spi, false);
}

static void teardown(void)
{
	xn_free(&net);
}

/* ---- INFORMATIONAL: DELETE ---- */

/* clear crypto sa on one side: its DELETE removes the pair on the other;
 * the IKE SA stays up on both. Then the same from the other side. */
START_TEST(delete_child_both_ways)
{
	for (int side = 0; side < 2; side++) {
		struct ik_v2_stats st;

		start_edit(11 + (uint64_t)side, NULL, NULL);
		up(0);
		ik_engine_clear(net.n[side].e, IK_CLEAR_SA, 0, 0);
		xn_run(&net, 1000);
		ck_assert_uint_eq(net.n[0].nup, 0);
		ck_assert_uint_eq(net.n[1].nup, 0);
		ck_assert_uint_eq(ready(0), 1);
		ck_assert_uint_eq(ready(1), 1);
		EXPECT_LINE(side, "Sending DELETE INFO message for IPsec SA");
		EXPECT_LINE(1 - side, "Processing DELETE INFO message for IPsec SA");
		stats(1 - side, &st);
		ck_assert_uint_eq(st.deletes_rx, 1);
		stats(side, &st);
		ck_assert_uint_eq(st.deletes_tx, 1);
		teardown();
	}
}
END_TEST

/* clear crypto ikev2 sa on one side: the IKE SA and its children go on both. */
START_TEST(delete_ike_both_ways)
{
	for (int side = 0; side < 2; side++) {
		start_edit(21 + (uint64_t)side, NULL, NULL);
		up(side);
		ik_engine_clear(net.n[side].e, IK_CLEAR_IKEV2_SA, 0, 0);
		xn_run(&net, 1000);
		ck_assert_uint_eq(net.n[0].nup, 0);
		ck_assert_uint_eq(net.n[1].nup, 0);
		ck_assert_uint_eq(ike_sas(0), 0);
		ck_assert_uint_eq(ike_sas(1), 0);
		EXPECT_LINE(1 - side, "Process delete request from peer");
		teardown();
	}
}
END_TEST

/* clear crypto session covers IKEv2; clear crypto ikev2 sa remote names one
 * peer (another address leaves the SA alone). */
START_TEST(clear_session_and_remote)
{
	start_edit(31, NULL, NULL);
	up(0);
	ik_engine_clear(net.n[0].e, IK_CLEAR_IKEV2_SA, 0xc0a80063u, 0);
	xn_run(&net, 1000);
	ck_assert_uint_eq(ready(0), 1);
	ck_assert_uint_eq(net.n[0].nup, 1);
	ik_engine_clear(net.n[0].e, IK_CLEAR_IKEV2_SA, R2_ADDR, 0);
	xn_run(&net, 1000);
	ck_assert_uint_eq(ike_sas(0), 0);
	ck_assert_uint_eq(ike_sas(1), 0);
	ck_assert_uint_eq(net.n[1].nup, 0);
	up(1);
	ik_engine_clear(net.n[0].e, IK_CLEAR_SESSION, R2_ADDR, 0);
	xn_run(&net, 1000);
	ck_assert_uint_eq(ike_sas(0), 0);
	ck_assert_uint_eq(ike_sas(1), 0);
	ck_assert_uint_eq(net.n[1].nup, 0);
	teardown();
}
END_TEST

/* A DELETE whose ICV was changed on the wire is dropped: the peer's child
 * stays until the (intact) retransmission arrives. */
START_TEST(tampered_icv_informational)
{
	const struct xmsg *m;

	start_edit(41, NULL, NULL);
	up(0);
	/* the DELETE is sent at once and lost; a copy with its last byte (the
	 * ICV) flipped is delivered instead */
	net.blackhole[1] = true;
	ik_engine_clear(net.n[0].e, IK_CLEAR_SA, 0, 0);
	xn_deliver(&net);
	net.blackhole[1] = false;
	m = xn_sent(&net, 0, IK_V2_EXCH_INFORMATIONAL, 0);
	ck_assert_ptr_nonnull(m);
	{
		uint8_t d[XN_MAX_MSG];
		size_t len = m->len;

		memcpy(d, m->data, len);
		d[len - 1] ^= 0x01;
		xn_inject(&net, 0, d, len, 500);
	}
	xn_deliver(&net);
	ck_assert_uint_eq(net.n[1].nup, 1);
	EXPECT_LINE(1, "ICV mismatch");
	/* the retransmission is intact */
	xn_run(&net, 10000);
	ck_assert_uint_eq(net.n[1].nup, 0);
	teardown();
}
END_TEST

/* ---- liveness ---- */

/* R1's profile has dpd 10 2 on-demand: with no traffic from R2 a liveness
 * check goes out, R2 answers, the SA stays. */
START_TEST(dpd_answered)
{
	struct ik_v2_stats st;

	start_edit(51, NULL, NULL);
	up(0);
	xn_run(&net, 25000);
	EXPECT_LINE(0, "Sending DPD/liveness query");
	EXPECT_LINE(1, "Received DPD/liveness query");
	EXPECT_LINE(0, "the peer is alive");
	ck_assert_uint_eq(ready(0), 1);
	ck_assert_uint_eq(net.n[0].nup, 1);
	stats(0, &st);
	ck_assert_uint_ge(st.dpd_tx, 1);
	/* the answered check left nothing queued: its state went with it */
	ck_assert_ptr_null(the_sa(0)->more);
	ck_assert_ptr_nonnull(the_sa(0)->up);
	ck_assert(the_sa(0)->up->dpd_base);
	teardown();
}
END_TEST

/* A responder SA after IKE_SA_INIT (the initiator hears nothing back yet)
 * holds the two messages in one block, exact, its nonces pointing into
 * them and the window's response a view of it, and no post-IKE_AUTH block;
 * once IKE_AUTH is done, the block is gone and the SA is whole. */
START_TEST(half_open_responder_kept)
{
	struct ik_v2_ike_sa *s = NULL;
	const struct xmsg *req;

	start_edit(51, NULL, NULL);
	net.blackhole[0] = true;
	initiate(0);
	xn_run(&net, 500);
	for (struct ik_v2_ike_sa *x = net.n[1].e->v2->sas; x; x = x->next)
		if (!x->dead && x->state == IKEV2_R_INIT_SENT)
			s = x;
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_null(s->up);     /* no keys, requests, child or identity yet */
	ck_assert_ptr_null(s->more);
	/* SKEYSEED alone: the SK_* wait for the first encrypted message */
	ck_assert(!s->have_keys);
	ck_assert_ptr_nonnull(s->skeyseed);
	ck_assert_uint_eq(s->skeyseed->len, ik_v2_prf_len(s->suite.prf));
	req = xn_sent(&net, 0, IK_V2_EXCH_IKE_SA_INIT, 0);
	ck_assert_ptr_nonnull(req);
	ck_assert_uint_eq(s->init_i_len, req->len);
	ck_assert(!memcmp(s->init_i, req->data, req->len));
	ck_assert_ptr_eq(ik_v2_sa_init_r(s), s->init_i + s->init_i_len);
	ck_assert(s->have_resp && s->resp_kept); /* resent from the block */
	ck_assert(ik_v2_sa_ni(s) > s->init_i &&
		  ik_v2_sa_ni(s) + s->ni_len <= ik_v2_sa_init_r(s));
	ck_assert(ik_v2_sa_nr(s) > ik_v2_sa_init_r(s) &&
		  ik_v2_sa_nr(s) + s->nr_len <= ik_v2_sa_init_r(s) + s->init_r_len);
	ck_assert_uint_eq(s->ni_len, IK_V2_NONCE_LEN);
	ck_assert_uint_eq(s->nr_len, IK_V2_NONCE_LEN);
	/* the initiator retransmits; now it hears the answer */
	net.blackhole[0] = false;
	xn_run(&net, 5000);
	expect_pair();
	s = the_sa(1);
	ck_assert_ptr_null(s->init_i);
	ck_assert_ptr_null(ik_v2_sa_init_r(s));
	ck_assert_ptr_null(ik_v2_sa_ni(s));
	ck_assert_ptr_null(ik_v2_sa_nr(s));
	ck_assert(!s->resp_kept);
	ck_assert_ptr_nonnull(s->up);
	ck_assert(s->have_keys);
	ck_assert_ptr_null(s->skeyseed); /* the keys own it now */
	ck_assert_ptr_nonnull(s->up->keys.sk_d);
	ck_assert_int_eq(s->up->peer_id.type, IK_ID_ADDRESS);
	ck_assert_ptr_null(the_sa(0)->init_i);
	teardown();
}
END_TEST

/* The responder derives the SK_* only when IKE_AUTH arrives: half-open, it
 * holds SKEYSEED alone and no post-IKE_SA_INIT block; `clear crypto ikev2
 * sa` removes such an SA without a message (nothing authenticated it);
 * the initiator's retransmission then makes a new one, which completes. */
START_TEST(half_open_lazy_keys)
{
	struct ik_v2_ike_sa *s = NULL;
	struct ik_show_opts o = { 0 };
	struct ik_sb out;
	unsigned sent;

	start_edit(53, NULL, NULL);
	net.blackhole[0] = true;
	initiate(0);
	xn_run(&net, 500);
	for (struct ik_v2_ike_sa *x = net.n[1].e->v2->sas; x; x = x->next)
		if (!x->dead && x->state == IKEV2_R_INIT_SENT)
			s = x;
	ck_assert_ptr_nonnull(s);
	ck_assert(!s->have_keys);
	ck_assert_ptr_nonnull(s->skeyseed);
	ck_assert_ptr_null(s->up);
	ck_assert_int_lt(xn_find(&net.n[1], 0, "Generating KEYMAT"), 0);
	ck_assert_uint_eq(ike_sas(1), 1);
	/* show: the negotiated suite, no keys needed for it; detail and JSON
	 * read the absent post-IKE_SA_INIT block as empty */
	ik_sb_init(&out);
	ik_engine_show_ikev2_sa(net.n[1].e, &o, false, &out);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), "Encr: AES-CBC, keysize: 256, PRF: "
				     "SHA256, Hash: SHA256, DH Grp:14"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), "IN-NEG"));
	o.detail = true;
	ik_sb_reset(&out);
	ik_engine_show_ikev2_sa(net.n[1].e, &o, false, &out);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), "Initiator of SA : No"));
	ik_sb_reset(&out);
	ik_engine_show_ikev2_sa(net.n[1].e, &o, true, &out);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), "\"encr\":"));
	ik_sb_free(&out);
	ck_assert_ptr_null(s->up);   /* show allocated nothing */
	sent = net.sent_by[1];
	ik_engine_clear(net.n[1].e, IK_CLEAR_IKEV2_SA, R1_ADDR, 0);
	xn_deliver(&net);
	ck_assert_uint_eq(ike_sas(1), 0);
	ck_assert_uint_eq(net.sent_by[1], sent); /* no DELETE for a half-open SA */
	net.blackhole[0] = false;
	xn_run(&net, 10000);
	expect_pair();
	XN_EXPECT_ORDER(&net.n[1], "IKEv2 IKE_SA_INIT Exchange RESPONSE",
			"IKEv2 IKE_AUTH Exchange REQUEST",
			"Generating KEYMAT: SKEYSEED and SK_* derived");
	XN_EXPECT_ORDER(&net.n[0], "IKEv2 IKE_SA_INIT Exchange RESPONSE",
			"Generating KEYMAT: SKEYSEED and SK_* derived",
			"IKEv2 IKE_AUTH Exchange REQUEST");
	teardown();
}
END_TEST

/* dpd periodic: a check every interval even though the peer just spoke. */
START_TEST(dpd_periodic)
{
	static const char *const e1[] = { " dpd 10 2 on-demand", " dpd 10 2 periodic", NULL };
	struct ik_v2_stats st;

	start_edit(52, e1, NULL);
	up(0);
	xn_run(&net, 35000);
	stats(0, &st);
	ck_assert_uint_ge(st.dpd_tx, 3);
	ck_assert_uint_eq(ready(0), 1);
	teardown();
}
END_TEST

/* The peer goes silent: the liveness check is retransmitted, then the peer is
 * declared dead, its IKE SA and children cleared with the IOS lines. */
START_TEST(dpd_peer_dead)
{
	struct ik_v2_stats st;

	start_edit(53, NULL, NULL);
	up(0);
	net.blackhole[1] = true;
	net.blackhole[0] = true;
	xn_run(&net, 120000);
	EXPECT_LINE(0, "Sending DPD/liveness query");
	EXPECT_LINE(0, "Retransmitting packet");
	EXPECT_LINE(0, "peer 192.168.0.2 is dead");
	EXPECT_LINE(0, "%IKEV2-5-SA_DOWN");
	ck_assert_uint_eq(ike_sas(0), 0);
	ck_assert_uint_eq(net.n[0].nup, 0);
	stats(0, &st);
	ck_assert_uint_eq(st.dpd_dead, 1);
	teardown();
}
END_TEST

/* ---- CREATE_CHILD_SA: child rekey ---- */

static void child_rekey(int side, uint64_t seed, const char *const *e1, const char *const *e2)
{
	uint32_t old_in0, old_in1;
	struct ik_v2_stats st;

	start_edit(seed, e1, e2);
	up(0);
	old_in0 = net.n[0].up[0].in.spi;
	old_in1 = net.n[1].up[0].in.spi;
	soft_expire(side);
	xn_run(&net, 3000);
	expect_pair();
	ck_assert_uint_ne(net.n[0].up[0].in.spi, old_in0);
	ck_assert_uint_ne(net.n[1].up[0].in.spi, old_in1);
	ck_assert_uint_eq(net.n[0].ups, 2);
	ck_assert_uint_eq(net.n[1].ups, 2);
	ck_assert_uint_eq(ready(0), 1);
	ck_assert_uint_eq(ready(1), 1);
	EXPECT_LINE(side, "Sending rekey request for IPsec SA");
	EXPECT_LINE(1 - side, "Received child rekey request for IPsec SA");
	stats(side, &st);
	ck_assert_uint_eq(st.child_rekeys, 1);
}

START_TEST(child_rekey_by_initiator)
{
	child_rekey(0, 61, NULL, NULL);
	teardown();
}
END_TEST

START_TEST(child_rekey_by_responder)
{
	child_rekey(1, 62, NULL, NULL);
	teardown();
}
END_TEST

/* The children's soft lifetime drives the rekey: the side that made the
 * child rekeys first (85-90 % of `crypto ipsec security-association lifetime
 * seconds`), once, and the pair is replaced. */
START_TEST(child_rekey_lifetime)
{
	static const char *const e[] = { "crypto ipsec transform-set TS",
		"crypto ipsec security-association lifetime seconds 300\n"
		"crypto ipsec transform-set TS", NULL };
	struct ik_v2_stats s0, s1;
	uint32_t old_in0;

	start_edit(64, e, e);
	up(0);
	old_in0 = net.n[0].up[0].in.spi;
	ck_assert_uint_eq(net.n[0].up[0].lifetime_sec, 300);
	xn_run(&net, 250000);
	ck_assert_uint_eq(net.n[0].up[0].in.spi, old_in0);
	xn_run(&net, 25000);
	expect_pair();
	ck_assert_uint_ne(net.n[0].up[0].in.spi, old_in0);
	stats(0, &s0);
	stats(1, &s1);
	ck_assert_uint_eq(s0.child_rekeys, 1);
	ck_assert_uint_eq(s1.child_rekeys, 1);
	EXPECT_LINE(0, "Sending rekey request for IPsec SA");
	teardown();
}
END_TEST

/* set pfs group14 on both ipsec profiles: KE in CREATE_CHILD_SA, the child
 * records the group. */
START_TEST(child_rekey_pfs)
{
	static const char *const e[] = { " set transform-set TS\n",
					 " set transform-set TS\n set pfs group14\n", NULL };

	child_rekey(0, 63, e, e);
	ck_assert_uint_eq(net.n[0].up[0].pfs_group, 14);
	ck_assert_uint_eq(net.n[1].up[0].pfs_group, 14);
	teardown();
}
END_TEST

/* Both sides rekey the child at once (RFC 7296 2.8.1): after both exchanges
 * one pair is left, the same on both sides. */
START_TEST(child_rekey_simultaneous)
{
	for (uint64_t seed = 70; seed < 74; seed++) {
		struct ik_v2_stats s0, s1;

		start_edit(seed, NULL, NULL);
		up(0);
		soft_expire(0);
		soft_expire(1);
		xn_run(&net, 5000);
		expect_pair();
		stats(0, &s0);
		stats(1, &s1);
		ck_assert_uint_eq(s0.rekey_collisions, 1);
		ck_assert_uint_eq(s1.rekey_collisions, 1);
		EXPECT_LINE(0, "Simultaneous rekey of IPsec SA");
		teardown();
	}
}
END_TEST

/* The rekey request is lost once, then its response once: retransmission
 * and the kept response complete it; one new pair, no double install. */
START_TEST(child_rekey_lost_messages)
{
	for (int lose = 0; lose < 2; lose++) {
		start_edit(81 + (uint64_t)lose, NULL, NULL);
		up(0);
		soft_expire(0);
		net.blackhole[lose ? 0 : 1] = true; /* 1: request lost; 0: response lost */
		xn_deliver(&net);
		net.blackhole[lose ? 0 : 1] = false;
		xn_run(&net, 10000);
		expect_pair();
		ck_assert_uint_eq(net.n[1].ups, 2);
		ck_assert_uint_eq(net.n[0].ups, 2);
		if (lose)
			EXPECT_LINE(1, "Retransmitted request");
		{
			struct ik_v2_stats st;

			stats(0, &st);
			ck_assert_uint_ge(st.retransmits, 1);
		}
		teardown();
	}
}
END_TEST

/* A replay of the rekey request after the exchange is over (the peer has
 * moved its window on) is dropped: nothing is installed again. */
START_TEST(child_rekey_duplicate_request)
{
	const struct xmsg *m;

	start_edit(85, NULL, NULL);
	up(0);
	soft_expire(0);
	xn_run(&net, 3000);
	expect_pair();
	m = xn_sent(&net, 0, IK_V2_EXCH_CREATE_CHILD_SA, 0);
	ck_assert_ptr_nonnull(m);
	xn_inject(&net, 0, m->data, m->len, 500);
	xn_run(&net, 3000);
	expect_pair();
	ck_assert_uint_eq(net.n[1].ups, 2);
	teardown();
}
END_TEST

/* A CREATE_CHILD_SA request for one more child (no REKEY_SA), built with
 * the engine's own functions on side 0's SA. */
static void request_additional_child(void)
{
	struct ik_v2_ike_sa *s = the_sa(0);
	struct ik_v2_builder *b = malloc(sizeof(*b));
	struct ik_v2_child_req cr;
	uint8_t ni[32];
	size_t sk;

	ck_assert_ptr_nonnull(b);
	memset(&cr, 0, sizeof(cr));
	ik_v2_msg_begin(s, b, IK_V2_EXCH_CREATE_CHILD_SA, false, UINT32_MAX, &sk);
	ck_assert_int_eq(ik_v2_esp_offer(s, ik_v2_tunnel_for(s), &cr, b), 0);
	memset(ni, 0x5a, sizeof(ni));
	ni[0] = (uint8_t)s->up->rq.next_msgid;
	ik_v2_b_nonce(b, ni, sizeof(ni));
	ck_assert_int_eq(ik_v2_send_request(s, b, sk), 0);
	free(b);
	xn_deliver(&net);
}

/* An authenticated peer asking for child after child: the responder stops
 * at the per-peer cap with NO_ADDITIONAL_SAS, and the IKE SA stays. */
START_TEST(additional_children_capped)
{
	start_edit(86, NULL, NULL);
	up(0);
	for (unsigned i = 0; i < IK_CORE_PEER_MAX_CHILD + 6; i++)
		request_additional_child();
	ck_assert_uint_eq(net.n[1].ups, IK_CORE_PEER_MAX_CHILD);
	EXPECT_LINE(1, "NO_ADDITIONAL_SAS");
	ck_assert_uint_eq(ready(0), 1);
	ck_assert_uint_eq(ready(1), 1);
	teardown();
}
END_TEST

/* Authenticated but malformed or refused requests (the sender's payloads
 * rewritten before encryption) get an error notify, name the payload in the
 * trace and change nothing: a REKEY_SA of 8-byte SPI size, a KE of another
 * group than the PFS group, a DELETE with 3-byte SPIs. */
START_TEST(malformed_requests)
{
	static const char *const e[] = { " set transform-set TS\n",
					 " set transform-set TS\n set pfs group14\n", NULL };
	static const uint8_t rekey_bad[] = { 3, 8, 0x40, 0x09, 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t del_bad[] = { 3, 3, 0, 1, 1, 2, 3 };
	static uint8_t ke_bad[4 + 64] = { 0x00, 0x13 };
	uint32_t spi0;

	start_edit(87, e, e);
	up(0);
	spi0 = net.n[1].up[0].in.spi;
	/* 1. REKEY_SA with an 8-byte SPI */
	net.tamper[0] = (struct xtamper){ .on = true, .from = 0,
		.exch = IK_V2_EXCH_CREATE_CHILD_SA, .nth = 1, .pl = IK_V2_PL_N,
		.body = rekey_bad, .body_len = sizeof(rekey_bad) };
	soft_expire(0);
	xn_run(&net, 1000);
	ck_assert_uint_eq(net.tamper[0].applied, 1);
	EXPECT_LINE(1, "REKEY_SA notify not of an ESP SA: refused");
	EXPECT_LINE(0, "The peer refused the rekey of IPsec SA: INVALID_SYNTAX");
	ck_assert_uint_eq(net.n[1].up[0].in.spi, spi0);
	expect_pair();
	/* 2. the retried rekey's KE of group 19 where PFS is group 14 */
	net.tamper[0] = (struct xtamper){ .on = true, .from = 0,
		.exch = IK_V2_EXCH_CREATE_CHILD_SA, .nth = 1, .pl = IK_V2_PL_KE,
		.body = ke_bad, .body_len = sizeof(ke_bad) };
	xn_run(&net, IK_V2_REKEY_RETRY_MS + 1000);
	ck_assert_uint_eq(net.tamper[0].applied, 1);
	EXPECT_LINE(1, "KE payload of group 19, group 14 expected");
	EXPECT_LINE(0, "The peer refused the rekey of IPsec SA: INVALID_KE_PAYLOAD");
	ck_assert_uint_eq(net.n[1].up[0].in.spi, spi0);
	expect_pair();
	/* 3. a DELETE of 3-byte SPIs: answered, nothing deleted */
	net.tamper[0] = (struct xtamper){ .on = true, .from = 0,
		.exch = IK_V2_EXCH_INFORMATIONAL, .nth = 1, .pl = IK_V2_PL_D,
		.body = del_bad, .body_len = sizeof(del_bad) };
	ik_engine_clear(net.n[0].e, IK_CLEAR_SA, 0, 0);
	xn_run(&net, 1000);
	ck_assert_uint_eq(net.tamper[0].applied, 1);
	EXPECT_LINE(1, "DELETE payload ignored");
	ck_assert_uint_eq(net.n[1].nup, 1); /* the peer still has it: its DELETE was garbled */
	ck_assert_uint_eq(net.n[0].nup, 0);
	ck_assert_uint_eq(ready(0), 1);
	ck_assert_uint_eq(ready(1), 1);
	teardown();
}
END_TEST

/* ---- CREATE_CHILD_SA: IKE SA rekey ---- */

static void ike_rekey(int side, uint64_t seed)
{
	struct ik_v2_ike_sa *s0, *s1;
	uint8_t old_spi[8];
	unsigned old_sa;
	struct ik_v2_stats st;

	start_edit(seed, NULL, NULL);
	up(0);
	s0 = the_sa(side);
	memcpy(old_spi, s0->spi_i, 8);
	old_sa = s0->sa_id;
	ik_v2_sa_timer(s0, &s0->live->t_rekey, net.now);
	xn_run(&net, 3000);
	ck_assert_uint_eq(ike_sas(0), 1);
	ck_assert_uint_eq(ike_sas(1), 1);
	s0 = the_sa(0);
	s1 = the_sa(1);
	ck_assert(memcmp(s0->spi_i, old_spi, 8));
	ck_assert(!memcmp(s0->spi_i, s1->spi_i, 8));
	ck_assert(!memcmp(s0->spi_r, s1->spi_r, 8));
	ck_assert_uint_ne(the_sa(side)->sa_id, old_sa);
	ck_assert(s0->initiator != s1->initiator);
	ck_assert(the_sa(side)->initiator); /* the rekey's initiator is the new SA's */
	/* the children moved: still one pair, and the new SA rekeys them */
	expect_pair();
	stats(side, &st);
	ck_assert_uint_eq(st.ike_rekeys, 1);
	soft_expire(1 - side);
	xn_run(&net, 3000);
	expect_pair();
	ck_assert_uint_eq(net.n[0].ups, 2);
	/* and deletes them */
	ik_engine_clear(net.n[0].e, IK_CLEAR_IKEV2_SA, 0, 0);
	xn_run(&net, 2000);
	ck_assert_uint_eq(net.n[1].nup, 0);
	ck_assert_uint_eq(ike_sas(1), 0);
}

START_TEST(ike_rekey_by_initiator)
{
	ike_rekey(0, 91);
	teardown();
}
END_TEST

START_TEST(ike_rekey_by_responder)
{
	ike_rekey(1, 92);
	teardown();
}
END_TEST

/* A peer that rekeys the IKE SA again and again without ever deleting the
 * replaced ones (its DELETEs lost here) is refused at the per-peer cap of
 * IKE SAs with TEMPORARY_FAILURE. */
START_TEST(ike_rekey_capped)
{
	struct ik_v2_stats st;

	start_edit(94, NULL, NULL);
	up(0);
	for (unsigned i = 0; i < IK_CORE_PEER_MAX_IKE + 2; i++) {
		struct ik_v2_ike_sa *s0 = the_sa(0);

		ik_v2_sa_timer(s0, &s0->live->t_rekey, net.now);
		/* request (sent), response, then the DELETE of the old SA: lost */
		ck_assert_uint_lt(net.sent, 62);
		net.drop_mask |= 1ull << (net.sent + 1);
		xn_deliver(&net);
	}
	EXPECT_LINE(1, "TEMPORARY_FAILURE");
	ck_assert_uint_eq(ike_sas(1), IK_CORE_PEER_MAX_IKE);
	stats(1, &st);
	ck_assert_uint_eq(st.ike_rekeys, IK_CORE_PEER_MAX_IKE - 1);
	teardown();
}
END_TEST

/* The (local, remote) index of READY SAs answers as the walk over the SAs
 * of the remote address: the newest READY SA of the pair, none for another
 * local address. Checked on both sides as IKE rekeys whose DELETEs are lost
 * pile up SAs of one pair, then as they go one by one, newest first, and
 * after an IKE SA moves to another port. */
static void expect_pair_agrees(struct ik_engine *e, const struct ik_addr *l,
			       const struct ik_addr *r)
{
	struct ik_v2_ike_sa *newest = NULL, *found = ik_v2_sa_find_peer(e, l, r);

	for (struct ik_v2_ike_sa *s = e->v2 ? e->v2->sas : NULL; s; s = s->next)
		if (!s->dead && s->state == IKEV2_READY && ik_addr_eq(&s->local.ip, l) &&
		    ik_addr_eq(&s->remote.ip, r) &&
		    (!newest || (int)(s->sa_id - newest->sa_id) > 0))
			newest = s;
	ck_assert_ptr_eq(found, ik_v2_sa_find_peer_walk(e, l, r));
	ck_assert_ptr_eq(found, newest);
}

static void expect_index_agrees(int side)
{
	struct ik_engine *e = net.n[side].e;
	struct ik_addr l = ik_addr_v4(side ? R2_ADDR : R1_ADDR);
	struct ik_addr r = ik_addr_v4(side ? R1_ADDR : R2_ADDR);
	struct ik_addr other = ik_addr_v4(0xc0a80063u), moved = ik_addr_v4(0xc0a80064u);

	expect_pair_agrees(e, &l, &r);
	expect_pair_agrees(e, &l, &moved);
	expect_pair_agrees(e, &other, &r);
	ck_assert_ptr_null(ik_v2_sa_find_peer(e, &other, &r));
	ck_assert_ptr_null(ik_v2_sa_find_peer(e, &l, &other));
}

START_TEST(find_peer_index_agrees_with_walk)
{
	struct ik_v2_ike_sa *s;
	struct ik_endpoint lo, re;

	start_edit(95, NULL, NULL);
	expect_index_agrees(0);
	up(0);
	expect_index_agrees(0);
	expect_index_agrees(1);
	for (unsigned i = 0; i < IK_CORE_PEER_MAX_IKE - 2; i++) {
		s = the_newest(0);
		ik_v2_sa_timer(s, &s->live->t_rekey, net.now);
		ck_assert_uint_lt(net.sent, 62);
		net.drop_mask |= 1ull << (net.sent + 1);
		xn_deliver(&net);
		ck_assert_uint_eq(ready(1), i + 2);
		expect_index_agrees(0);
		expect_index_agrees(1);
	}
	/* an SA whose peer moves to another address (and port) leaves the
	 * pair's index for the other pair's; then one of the first pair */
	s = the_newest(1);
	lo = s->local;
	re = ik_ep_v4(0xc0a80064u, 4500);
	lo.port = 4500;
	ik_core_sa_set_endpoints(&s->sa, &lo, &re);
	ik_v2_pair_moved(s);
	expect_index_agrees(1);
	ck_assert_ptr_eq(ik_v2_sa_find_peer(net.n[1].e, &lo.ip, &re.ip), s);
	ik_v2_sa_delete(s, "test", false);
	expect_index_agrees(1);
	lo = the_newest(1)->local;
	re = the_newest(1)->remote;
	while ((s = ik_v2_sa_find_peer(net.n[1].e, &lo.ip, &re.ip))) {
		ik_v2_sa_delete(s, "test", false);
		expect_index_agrees(1);
	}
	ck_assert_uint_eq(ready(1), 0);
	teardown();
}
END_TEST

/* The profile's lifetime drives the rekey timer. */
START_TEST(ike_rekey_lifetime)
{
	static const char *const e1[] = { " dpd 10 2 on-demand\n",
					  " dpd 10 2 on-demand\n lifetime 120\n", NULL };
	struct ik_v2_stats st;

	start_edit(93, e1, NULL);
	up(0);
	xn_run(&net, 115000);
	stats(0, &st);
	ck_assert_uint_eq(st.ike_rekeys, 1);
	ck_assert_uint_eq(ike_sas(0), 1);
	ck_assert_uint_eq(ike_sas(1), 1);
	expect_pair();
	teardown();
}
END_TEST

/* Both sides rekey the IKE SA at once: one IKE SA is left on each side,
 * the same one, with the children. */
START_TEST(ike_rekey_simultaneous)
{
	for (uint64_t seed = 100; seed < 104; seed++) {
		struct ik_v2_ike_sa *s0, *s1;

		start_edit(seed, NULL, NULL);
		up(0);
		s0 = the_sa(0);
		s1 = the_sa(1);
		ik_v2_sa_timer(s0, &s0->live->t_rekey, net.now);
		ik_v2_sa_timer(s1, &s1->live->t_rekey, net.now);
		xn_run(&net, 5000);
		ck_assert_uint_eq(ike_sas(0), 1);
		ck_assert_uint_eq(ike_sas(1), 1);
		s0 = the_sa(0);
		s1 = the_sa(1);
		ck_assert(!memcmp(s0->spi_i, s1->spi_i, 8));
		ck_assert(!memcmp(s0->spi_r, s1->spi_r, 8));
		expect_pair();
		/* the survivor works: a child rekey over it */
		soft_expire(0);
		xn_run(&net, 3000);
		expect_pair();
		teardown();
	}
}
END_TEST

/* A child rekey crosses an IKE SA rekey started by the other side: the new
 * child ends up on the new IKE SA, which deletes it with itself. */
START_TEST(child_rekey_crosses_ike_rekey)
{
	for (int side = 0; side < 2; side++) {
		struct ik_v2_ike_sa *s1;

		start_edit(105 + (uint64_t)side, NULL, NULL);
		up(0);
		soft_expire(side);
		s1 = the_sa(1 - side);
		ik_v2_sa_timer(s1, &s1->live->t_rekey, net.now);
		xn_run(&net, 5000);
		ck_assert_uint_eq(ike_sas(0), 1);
		ck_assert_uint_eq(ike_sas(1), 1);
		expect_pair();
		ik_engine_clear(net.n[1].e, IK_CLEAR_IKEV2_SA, 0, 0);
		xn_run(&net, 2000);
		ck_assert_uint_eq(net.n[0].nup, 0);
		ck_assert_uint_eq(net.n[1].nup, 0);
		teardown();
	}
}
END_TEST

/* ---- fragmentation ---- */

/* crypto ikev2 fragmentation mtu 200 on both: the rekey messages go as
 * fragments and are reassembled; a lost fragment is recovered by the
 * retransmission of all of them. */
START_TEST(fragments_small_mtu)
{
	static const char *const e[] = { "crypto ikev2 proposal PROP\n",
		"crypto ikev2 fragmentation mtu 200\n!\ncrypto ikev2 proposal PROP\n", NULL };

	for (int lose = 0; lose < 2; lose++) {
		struct ik_v2_stats s0, s1;

		start_edit(111 + (uint64_t)lose, e, e);
		up(0);
		if (lose) { /* the second datagram from here on: a fragment of the request */
			ck_assert_uint_lt(net.sent, 62);
			net.drop_mask = 1ull << (net.sent + 1);
		}
		soft_expire(0);
		xn_run(&net, 10000);
		expect_pair();
		ck_assert_uint_eq(net.n[0].ups, 2);
		stats(0, &s0);
		stats(1, &s1);
		ck_assert_uint_gt(s0.frag_tx, 1);
		ck_assert_uint_gt(s1.frag_rx, 1);
		EXPECT_LINE(1, "Reassembled message");
		/* IKE_AUTH came in fragments: the keys came with the first */
		XN_EXPECT_ORDER(&net.n[1], "IKEv2 IKE_SA_INIT Exchange RESPONSE",
				"IKEv2 IKE_AUTH Exchange REQUEST",
				"Generating KEYMAT: SKEYSEED and SK_* derived",
				"Reassembled message");
		teardown();
	}
}
END_TEST

/* Fragments of an AES-GCM IKE SA (each sealed with its own IV) and a child
 * rekey through them. */
START_TEST(fragments_aead)
{
	static const char *const e[] = { "crypto ikev2 proposal PROP\n",
		"crypto ikev2 fragmentation mtu 200\n!\ncrypto ikev2 proposal PROP\n",
		" encryption aes-cbc-256\n integrity sha256\n", " encryption aes-gcm-256\n", NULL };
	struct ik_v2_stats s0;

	start_edit(115, e, e);
	up(0);
	ck_assert_uint_eq(the_sa(0)->suite.encr, IK_V2_ENCR_AES_GCM_16);
	soft_expire(1);
	xn_run(&net, 3000);
	expect_pair();
	stats(0, &s0);
	ck_assert_uint_gt(s0.frag_rx, 1);
	EXPECT_LINE(0, "Reassembled message");
	teardown();
}
END_TEST

/* Only one side configures fragmentation: nothing is fragmented. */
START_TEST(fragments_one_side_only)
{
	static const char *const e[] = { "crypto ikev2 proposal PROP\n",
		"crypto ikev2 fragmentation mtu 200\n!\ncrypto ikev2 proposal PROP\n", NULL };
	struct ik_v2_stats s0;

	start_edit(121, e, NULL);
	up(0);
	soft_expire(0);
	xn_run(&net, 3000);
	expect_pair();
	stats(0, &s0);
	ck_assert_uint_eq(s0.frag_tx, 0);
	teardown();
}
END_TEST

/* ---- show ---- */

START_TEST(show_ikev2)
{
	struct ik_show_opts o = { 0 };
	struct ik_v2_stats st;
	struct ik_sb out;

	start_edit(131, NULL, NULL);
	up(0);
	ik_sb_init(&out);
	ik_engine_show_ikev2_sa(net.n[0].e, &o, false, &out);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), " IPv4 Crypto IKEv2  SA \n"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), "\n1         192.168.0.1/"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), "    192.168.0.2/"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), "   none/none            READY  \n"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), "Encr: AES-CBC, keysize: 256, PRF: "
				     "SHA256, Hash: SHA256, DH Grp:14, Auth sign: PSK, Auth "
				     "verify: PSK\n"));
	ck_assert_ptr_null(strstr(ik_sb_str(&out), "Local spi"));
	ik_sb_reset(&out);
	o.detail = true;
	ik_engine_show_ikev2_sa(net.n[0].e, &o, false, &out);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), "DPD configured for 10 seconds, retry 2"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), "Initiator of SA : Yes"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), "Remote id: 192.168.0.2"));
	ik_sb_reset(&out);
	ik_engine_show_ikev2_sa(net.n[0].e, &o, true, &out);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), "{\"ikev2_sas\":[{\"tunnel_id\":"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), "\"status\":\"READY\""));
	ik_sb_reset(&out);
	o.detail = false;
	ik_engine_show_ikev2_session(net.n[1].e, &o, false, &out);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), "Status:UP-ACTIVE, IKE count:1, "
				     "CHILD count:1"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), "Child sa: local selector  "
				     "192.168.0.2/0 - 192.168.0.2/65535"));
	ik_sb_reset(&out);
	ik_engine_show_ikev2_session(net.n[1].e, &o, true, &out);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), "\"child_count\":1"));
	ik_sb_reset(&out);
	ik_engine_show_session(net.n[0].e, false, &out);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), "  IKEv2 SA: local 192.168.0.1/"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), " remote 192.168.0.2/"));
	ik_sb_reset(&out);
	ik_engine_show_session(net.n[0].e, true, &out);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), "\"version\":2"));
	ik_sb_reset(&out);
	{
		struct ik_show_opts b = { .brief = true };

		ik_engine_show_session_opt(net.n[0].e, &b, false, &out);
		ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), "\n192.168.0.2     Tu1          "
					     "                192.168.0.2              00:00:"));
		ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), " UA\n"));
	}
	ik_sb_reset(&out);
	o.peer = 0xc0a80063u; /* another peer: nothing */
	ik_engine_show_ikev2_sa(net.n[0].e, &o, true, &out);
	ck_assert_str_eq(ik_sb_str(&out), "{\"ikev2_sas\":[]}\n");
	ik_sb_reset(&out);
	stats(0, &st);
	ck_assert_uint_eq(st.out_active, 1);
	ck_assert_uint_eq(st.out_req, 1);
	ck_assert_uint_eq(st.out_req_accepted, 1);
	ck_assert_uint_eq(st.in_req, 0);
	stats(1, &st);
	ck_assert_uint_eq(st.in_active, 1);
	ck_assert_uint_eq(st.in_req, 1);
	ck_assert_uint_eq(st.in_req_accepted, 1);
	ck_assert_uint_eq(st.in_req_rejected, 0);
	stats(0, &st);
	ik_v2_stats_format(&st, false, &out);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), "Total outgoing IKEv2 SA Count:    1"));
	ik_sb_reset(&out);
	ik_v2_stats_format(&st, true, &out);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), "\"outgoing_active\":1"));
	ik_sb_free(&out);
	teardown();
}
END_TEST

/* crypto ikev2 fragmentation [mtu N]: IOS's default and range, printed back. */
START_TEST(conf_fragmentation)
{
	struct ik_config *c = xn_load("crypto ikev2 fragmentation\n", "a.conf");
	struct ik_sb out;

	ck_assert_uint_eq(c->v2_frag_mtu, 576);
	ik_sb_init(&out);
	ik_config_print(c, &out);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), "crypto ikev2 fragmentation\n"));
	ik_config_unref(c);
	c = xn_load("crypto ikev2 fragmentation mtu 1400\n", "b.conf");
	ck_assert_uint_eq(c->v2_frag_mtu, 1400);
	ik_sb_reset(&out);
	ik_config_print(c, &out);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&out), "crypto ikev2 fragmentation mtu 1400\n"));
	ik_config_unref(c);
	ik_sb_free(&out);
	ck_assert_uint_eq(ik_v2_frag_size(576, false, false), 548);
	ck_assert_uint_eq(ik_v2_frag_size(576, false, true), 544);
	ck_assert_uint_eq(ik_v2_frag_size(1280, true, false), 1232);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("exchange_v2_more");
	TCase *tc = tcase_create("v2more");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, conf_fragmentation);
	tcase_add_test(tc, delete_child_both_ways);
	tcase_add_test(tc, delete_ike_both_ways);
	tcase_add_test(tc, clear_session_and_remote);
	tcase_add_test(tc, tampered_icv_informational);
	tcase_add_test(tc, dpd_answered);
	tcase_add_test(tc, half_open_responder_kept);
	tcase_add_test(tc, half_open_lazy_keys);
	tcase_add_test(tc, dpd_periodic);
	tcase_add_test(tc, dpd_peer_dead);
	tcase_add_test(tc, child_rekey_by_initiator);
	tcase_add_test(tc, child_rekey_by_responder);
	tcase_add_test(tc, child_rekey_lifetime);
	tcase_add_test(tc, child_rekey_pfs);
	tcase_add_test(tc, child_rekey_simultaneous);
	tcase_add_test(tc, child_rekey_lost_messages);
	tcase_add_test(tc, child_rekey_duplicate_request);
	tcase_add_test(tc, additional_children_capped);
	tcase_add_test(tc, malformed_requests);
	tcase_add_test(tc, ike_rekey_by_initiator);
	tcase_add_test(tc, ike_rekey_by_responder);
	tcase_add_test(tc, ike_rekey_lifetime);
	tcase_add_test(tc, ike_rekey_capped);
	tcase_add_test(tc, find_peer_index_agrees_with_walk);
	tcase_add_test(tc, ike_rekey_simultaneous);
	tcase_add_test(tc, child_rekey_crosses_ike_rekey);
	tcase_add_test(tc, fragments_small_mtu);
	tcase_add_test(tc, fragments_aead);
	tcase_add_test(tc, fragments_one_side_only);
	tcase_add_test(tc, show_ikev2);
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
