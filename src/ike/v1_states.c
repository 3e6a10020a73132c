/* IKEv1 as a table (RFC 2409 sections 5 and 5.5): one row per message an SA
 * may receive in a state, with the payloads it must and may carry, whether it
 * is encrypted, and the handler. The dispatcher below does what every row
 * shares: duplicate detection (the responder resends its last reply), the
 * decryption with the IV of the exchange, the payload chain walk, the
 * payload presence checks and the IOS state-change trace. */
#include <stdio.h>
#include <string.h>

#include "ike/v1_int.h"
#include "util/addr.h"
#include "util/mutant.h"
#include "util/util.h"

#define PLB(t) (1u << ((t) == IK_V1_PL_NATD_DRAFT ? 22 : (t) == IK_V1_PL_NATOA_DRAFT ? 23 : (t)))
#define NATD (PLB(IK_V1_PL_NATD) | PLB(IK_V1_PL_NATD_DRAFT))
#define AUTH5 (PLB(IK_V1_PL_HASH) | PLB(IK_V1_PL_SIG) | PLB(IK_V1_PL_CERT) | PLB(IK_V1_PL_CR) | \
	       PLB(IK_V1_PL_N) | PLB(IK_V1_PL_VID))

typedef int (*mm_handler)(struct ik_p1 *, const struct ik_v1_msg *, const uint8_t *, size_t);

struct mm_row {
	enum ik_p1_state from;
	uint32_t req, opt;
	bool enc;
	bool enc_opt;           /* encrypted or not, as the peer chooses */
	bool early;             /* print the state change before the handler */
	enum ik_p1_state to;    /* state when early */
	mm_handler h;
	const char *what;
};

/* Main Mode with pre-shared keys (RFC 2409 5.4). */
static const struct mm_row mm_rows[] = {
	/* HDR, SA --> */
	{ IKE_READY, PLB(IK_V1_PL_SA), PLB(IK_V1_PL_VID), false, false, true, IKE_R_MM1,
	  ik_v1_mm_r1, "MM1" },
	/* <-- HDR, SA */
	{ IKE_I_MM1, PLB(IK_V1_PL_SA), PLB(IK_V1_PL_VID), false, false, true, IKE_I_MM2,
	  ik_v1_mm_i2, "MM2" },
	/* HDR, KE, Ni [, CR] --> */
	{ IKE_R_MM2, PLB(IK_V1_PL_KE) | PLB(IK_V1_PL_NONCE),
	  PLB(IK_V1_PL_VID) | NATD | PLB(IK_V1_PL_CR), false, false, true, IKE_R_MM3,
	  ik_v1_mm_r3, "MM3" },
	/* <-- HDR, KE, Nr [, CR] */
	{ IKE_I_MM3, PLB(IK_V1_PL_KE) | PLB(IK_V1_PL_NONCE),
	  PLB(IK_V1_PL_VID) | NATD | PLB(IK_V1_PL_CR), false, false, true, IKE_I_MM4,
	  ik_v1_mm_i4, "MM4" },
	/* HDR*, IDii, HASH_I --> (pre-shared keys)
	 * HDR*, IDii, [CERT,] SIG_I --> (signatures, 5.1): the handler requires the
	 * HASH or the SIG that the negotiated method calls for */
	{ IKE_R_MM4, PLB(IK_V1_PL_ID), AUTH5, true, false, true, IKE_R_MM5, ik_v1_mm_r5, "MM5" },
	/* <-- HDR*, IDir, HASH_R  or  <-- HDR*, IDir, [CERT,] SIG_R */
	{ IKE_I_MM5, PLB(IK_V1_PL_ID), AUTH5, true, false, false, IKE_I_MM6, ik_v1_mm_i6, "MM6" },
};


/* Aggressive Mode with pre-shared keys (RFC 2409 5.4); NAT-D as RFC 3947 3.2
 * places it (AM2 and AM3). AM3 is encrypted by IOS and strongSwan; RFC 2409
 * allows it in clear. */
static const struct mm_row am_rows[] = {
	/* HDR, SA, KE, Ni, IDii --> */
	{ IKE_READY, PLB(IK_V1_PL_SA) | PLB(IK_V1_PL_KE) | PLB(IK_V1_PL_NONCE) | PLB(IK_V1_PL_ID),
	  PLB(IK_V1_PL_VID), false, false, true, IKE_R_AM_AAA_AWAIT, ik_v1_am_r1, "AM1" },
	/* <-- HDR, SA, KE, Nr, IDir, HASH_R */
	{ IKE_I_AM1, PLB(IK_V1_PL_SA) | PLB(IK_V1_PL_KE) | PLB(IK_V1_PL_NONCE) | PLB(IK_V1_PL_ID) |
	  PLB(IK_V1_PL_HASH), PLB(IK_V1_PL_VID) | NATD, false, false, false, IKE_I_AM1,
	  ik_v1_am_i2, "AM2" },
	/* HDR*, HASH_I --> */
	{ IKE_R_AM2, PLB(IK_V1_PL_HASH), PLB(IK_V1_PL_N) | PLB(IK_V1_PL_VID) | NATD, true, true,
	  false, IKE_R_AM2, ik_v1_am_r3, "AM3" },
};

/* Quick Mode (RFC 2409 5.5); the node states are IOS's. */
struct qm_row {
	bool initiator;
	enum ik_qm_state from;
	uint32_t req, opt;
	const char *what;
};
static const struct qm_row qm_rows[] = {
	/* HDR*, HASH(1), SA, Ni [, KE ] [, IDci, IDcr ] --> */
	{ false, IKE_QM_READY, PLB(IK_V1_PL_HASH) | PLB(IK_V1_PL_SA) | PLB(IK_V1_PL_NONCE),
	  PLB(IK_V1_PL_KE) | PLB(IK_V1_PL_ID) | PLB(IK_V1_PL_N) | PLB(IK_V1_PL_NATOA) |
	  PLB(IK_V1_PL_NATOA_DRAFT), "QM1" },
	/* <-- HDR*, HASH(2), SA, Nr [, KE ] [, IDci, IDcr ] */
	{ true, IKE_QM_I_QM1, PLB(IK_V1_PL_HASH) | PLB(IK_V1_PL_SA) | PLB(IK_V1_PL_NONCE),
	  PLB(IK_V1_PL_KE) | PLB(IK_V1_PL_ID) | PLB(IK_V1_PL_N) | PLB(IK_V1_PL_NATOA) |
	  PLB(IK_V1_PL_NATOA_DRAFT), "QM2" },
	/* HDR*, HASH(3) --> */
	{ false, IKE_QM_R_QM2, PLB(IK_V1_PL_HASH), 0, "QM3" },
};

static void bad_message(struct ik_p1 *p1, const char *why)
{
	struct ik_engine *e = p1->e;
	char ra[IK_ADDR_ANYSTRLEN];

	if (why)
		ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP:(%u):%s", p1->conn_id, why);
	ik_msg(e->log, IK_LOG_WARNING, "%%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from %s failed "
	       "its sanity check or is malformed", ik_addr_fmt_ios(&p1->remote.ip, ra));
}

/* The first encrypted message of Main Mode (MM5 on the responder, MM6 on
 * the initiator) that does not decrypt to valid payloads: with debugging off
 * too, the likely reason (K5: the two sides' keys differ) in one line. */
static void k5_hint(struct ik_p1 *p1)
{
	char ra[IK_ADDR_ANYSTRLEN];

	if (p1->state != IKE_R_MM4 && p1->state != IKE_I_MM5)
		return;
	ik_msg(p1->e->log, IK_LOG_INFO, "%%CRYPTO-6-IKMP_MODE_FAILURE: Processing of Main mode "
	       "failed with peer at %s (%s does not decrypt: the peers' pre-shared keys differ "
	       "(K5); ours is from keyring %s)", ik_addr_fmt_ios(&p1->remote.ip, ra),
	       p1->state == IKE_R_MM4 ? "MM5" : "MM6",
	       p1->key && p1->key->ring ? p1->key->ring->name : "?");
}

static int check_payloads(struct ik_p1 *p1, const struct ik_v1_msg *m, uint32_t req,
			  uint32_t opt)
{
	char why[128];

	for (size_t i = 0; i < m->npl; i++) {
		if (!(PLB(m->pl[i].type) & (req | opt))) {
			snprintf(why, sizeof(why), " unexpected %s payload at offset %zu",
				 ik_v1_pl_name(m->pl[i].type), m->pl[i].off);
			bad_message(p1, why);
			return -1;
		}
	}
	for (unsigned t = 1; t < 24; t++) {
		if ((req & (1u << t)) && !ik_v1_find(m, t)) {
			snprintf(why, sizeof(why), " missing %s payload", ik_v1_pl_name(t));
			bad_message(p1, why);
			return -1;
		}
	}
	return 0;
}

/* The chain walk of a (decrypted) message; IOS's sanity-check messages on
 * failure. */
static int parse_chain(struct ik_p1 *p1, const uint8_t *msg, size_t len, struct ik_v1_msg *m,
		       bool enc)
{
	char err[200];
	int rc;

	rc = ik_v1_parse_payloads(msg, len, m, enc, err, sizeof(err));
	if (rc == -2) {
		ik_dbg(p1->e->log, IK_DBG_ISAKMP, "ISAKMP: %s", err);
		bad_message(p1, NULL);
		if (enc)
			k5_hint(p1);
		return -1;
	}
	if (rc) {
		char why[240];

		snprintf(why, sizeof(why), " %s", err);
		bad_message(p1, why);
		if (enc)
			k5_hint(p1);
		return -1;
	}
	return 0;
}

static void resend(struct ik_p1 *p1, struct ik_xmit *x, int phase)
{
	struct ik_engine *e = p1->e;
	uint64_t now = ik_core_now(e);

	ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP:(%u): phase %d packet is a duplicate of a previous "
	       "packet.", p1->conn_id, phase);
	if (x->last_dup_ms && now - x->last_dup_ms < IK_V1_DUP_RATE_MS) {
		ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP:(%u): retransmission skipped (rate limited)",
		       p1->conn_id);
		return;
	}
	x->last_dup_ms = now ? now : 1;
	ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP:(%u): retransmitting due to retransmit phase %d",
	       p1->conn_id, phase);
	ik_v1_send(p1, x->buf, x->len);
}

/* MM5, MM6 or AM3 decrypted to garbage: with pre-shared keys that is nearly
 * always a key that differs between the two sides (IOS only says "reserved not
 * zero on ID payload!"). Says so, and which key this side used; the peer that
 * sent it evidently has our MM4 (AM2), so after the second one that is not
 * retransmitted any more. */
static void bad_decrypt(struct ik_p1 *p1, const char *what)
{
	struct ik_engine *e = p1->e;
	const struct ik_key *k = p1->key;
	char ra[IK_ADDR_ANYSTRLEN];

	ik_addr_fmt_ios(&p1->remote.ip, ra);
	if (k && k->ring)
		ik_msg(e->log, IK_LOG_WARNING, "ISAKMP:(%u): %s from %s did not decrypt to a "
		       "valid message: the pre-shared key probably differs from the peer's (this "
		       "side used the key of keyring %s, line %d)", p1->conn_id, what, ra,
		       k->ring->name ? k->ring->name : "default", k->line);
	else
		ik_msg(e->log, IK_LOG_WARNING, "ISAKMP:(%u): %s from %s did not decrypt to a "
		       "valid message: the pre-shared key probably differs from the peer's",
		       p1->conn_id, what, ra);
	ik_peer_sa_event(&p1->sa, IK_PEER_DECRYPT_ERR);
	if (++p1->bad_decrypts >= 2 && !p1->initiator && ik_timer_armed(&p1->x.t)) {
		ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP:(%u): %u %s from %s did not decrypt: %s is "
		       "not retransmitted any more", p1->conn_id, p1->bad_decrypts, what, ra,
		       strcmp(what, "AM3") ? "MM4" : "AM2");
		ik_timer_cancel(&e->timers, &p1->x.t);
	}
}

static void dispatch_p1(struct ik_p1 *p1, const struct ik_v1_hdr *h, const uint8_t *raw,
			size_t len, uint64_t dg, const struct mm_row *rows, size_t nrows)
{
	const struct mm_row *row = NULL;
	bool enc;
	static const uint8_t zero[8];
	struct ik_v1_msg m;
	uint8_t plain[IK_V1_MAX_MSG];
	uint8_t iv_save[16], iv_new[16];
	const uint8_t *msg = raw;
	size_t mlen = h->len;
	int rc;

	if (p1->x.buf && p1->x.rx_digest == dg) {
		resend(p1, &p1->x, 1);
		return;
	}
	for (size_t i = 0; i < nrows; i++)
		if (rows[i].from == p1->state)
			row = &rows[i];
	if (!row || h->msgid != 0) {
		ik_dbg(p1->e->log, IK_DBG_ISAKMP, "ISAKMP:(%u): %s Mode message not expected in "
		       "state %s, dropped", p1->conn_id, rows == am_rows ? "Aggressive" : "Main",
		       ik_v1_p1_state_name(p1->state));
		return;
	}
	enc = row->enc && !(row->enc_opt && !(h->flags & IK_V1_FLAG_ENC));
	if (!enc && (h->flags & IK_V1_FLAG_ENC)) {
		bad_message(p1, " encrypted message before the keys exist");
		return;
	}
	if (enc && !(h->flags & IK_V1_FLAG_ENC)) {
		bad_message(p1, " unencrypted message after the key exchange");
		return;
	}
	if (row->from == IKE_I_MM1 && !memcmp(h->rcookie, zero, 8)) {
		bad_message(p1, " responder cookie is zero");
		return;
	}
	memcpy(iv_save, p1->iv, sizeof(iv_save));
	if (enc) {
		long n = ik_v1_decrypt(p1, raw, h->len, p1->iv, iv_new, plain, sizeof(plain));

		if (n < 0) {
			bad_message(p1, " decryption failed");
			k5_hint(p1);
			return;
		}
		msg = plain;
		mlen = (size_t)n;
	}
	m.hdr = *h;
	if (parse_chain(p1, msg, mlen, &m, enc)) {
		if (enc)
			bad_decrypt(p1, row->what);
		return;
	}
	if (check_payloads(p1, &m, row->req, row->opt))
		return;
	if (enc)
		memcpy(p1->iv, iv_new, sizeof(p1->iv));
	if (row->early)
		ik_v1_p1_set_state(p1, rows == am_rows ? "IKE_MESG_FROM_PEER, IKE_AM_EXCH" :
				   "IKE_MESG_FROM_PEER, IKE_MM_EXCH", row->to);
	rc = row->h(p1, &m, msg, mlen);
	if (rc) {
		if (enc && !p1->dead)
			memcpy(p1->iv, iv_save, sizeof(p1->iv));
		if (!p1->dead && row->early)
			p1->state = row->from;
		return;
	}
	p1->x.rx_digest = dg;
	p1->x.last_dup_ms = 0;
	p1->last_rx_ms = ik_core_now(p1->e);
}

static void dispatch_qm(struct ik_p1 *p1, const struct ik_v1_hdr *h, const uint8_t *raw,
			uint64_t dg)
{
	struct ik_engine *e = p1->e;
	struct ik_qm *q;
	struct ik_v1_msg m;
	uint8_t plain[IK_V1_MAX_MSG], iv[16], iv_new[16];
	const struct qm_row *row = NULL;
	long n;
	int rc;

	if (p1->state != IKE_P1_COMPLETE) {
		ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP:(%u): Quick Mode before phase 1 is complete, "
		       "dropped", p1->conn_id);
		return;
	}
	if (!(h->flags & IK_V1_FLAG_ENC) || h->msgid == 0) {
		bad_message(p1, " Quick Mode message unencrypted or with message ID 0");
		return;
	}
	q = ik_v1_qm_find(p1, h->msgid);
	if (q && q->x.buf && q->x.rx_digest == dg) {
		resend(p1, &q->x, 2);
		return;
	}
	if (q && q->done && !IK_MUTANT(IK_MUT_QM_DONE_REPLAY)) {
		/* a completed exchange kept for retransmissions: anything else
		 * with its M-ID is a replay (its IV has moved on: no decryption) */
		ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP:(%u): phase 2 packet is a duplicate of a "
		       "previous packet (M-ID %u), dropped", p1->conn_id, h->msgid);
		return;
	}
	if (!q && !IK_MUTANT(IK_MUT_QM_REPLAY) && ik_v1_msgid_seen(p1, h->msgid)) {
		ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP:(%u): phase 2 packet is a "
		       "duplicate of a previous packet (M-ID %u), dropped",
		       p1->conn_id, h->msgid);
		return;
	}
	if (q)
		memcpy(iv, q->iv, sizeof(iv));
	else if (ik_v1_iv_msgid(p1->hash, p1->up->p2_iv_base, p1->blen, h->msgid, iv))
		return;
	n = ik_v1_decrypt(p1, raw, h->len, iv, iv_new, plain, sizeof(plain));
	if (n < 0) {
		bad_message(p1, " decryption failed");
		return;
	}
	m.hdr = *h;
	if (parse_chain(p1, plain, (size_t)n, &m, true))
		return;
	if (m.npl == 0 || m.pl[0].type != IK_V1_PL_HASH) {
		bad_message(p1, " Quick Mode message does not start with HASH");
		return;
	}
	for (size_t i = 0; i < IK_ARRAY_LEN(qm_rows); i++) {
		if (q && qm_rows[i].initiator == q->initiator && qm_rows[i].from == q->state)
			row = &qm_rows[i];
		if (!q && !qm_rows[i].initiator && qm_rows[i].from == IKE_QM_READY)
			row = &qm_rows[i];
	}
	if (!row) {
		ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP:(%u): Quick Mode message for node %u not "
		       "expected in state %s, dropped", p1->conn_id, h->msgid,
		       ik_v1_qm_state_name(q->state));
		return;
	}
	if (check_payloads(p1, &m, row->req, row->opt))
		return;
	if (!q) {
		q = ik_v1_qm_new(p1, h->msgid, false);
		if (!q)
			return;
		memcpy(q->iv, iv_new, sizeof(q->iv));
		rc = ik_v1_qm_r1(p1, q, &m);
		if (rc) {
			ik_v1_qm_unlink(p1, q);
			ik_v1_qm_free(q);
			return;
		}
	} else {
		memcpy(iv, q->iv, sizeof(iv));
		memcpy(q->iv, iv_new, sizeof(q->iv));
		rc = q->initiator ? ik_v1_qm_i2(p1, q, &m) : ik_v1_qm_r3(p1, q, &m);
		if (rc) {
			memcpy(q->iv, iv, sizeof(q->iv));
			return;
		}
	}
	q->x.rx_digest = dg;
	q->x.last_dup_ms = 0;
	p1->last_rx_ms = ik_core_now(e);
}

static void dispatch_info(struct ik_p1 *p1, const struct ik_v1_hdr *h, const uint8_t *raw)
{
	struct ik_v1_msg m;
	uint8_t plain[IK_V1_MAX_MSG], iv[16], iv_new[16];
	long n;

	if (!(h->flags & IK_V1_FLAG_ENC)) {
		m.hdr = *h;
		if (parse_chain(p1, raw, h->len, &m, false))
			return;
		ik_v1_info_input(p1, &m, false);
		return;
	}
	if (!p1->have_keys) {
		bad_message(p1, " encrypted informational exchange before the keys exist");
		return;
	}
	if (ik_v1_iv_msgid(p1->hash, p1->state == IKE_P1_COMPLETE ? p1->up->p2_iv_base : p1->iv,
			   p1->blen, h->msgid, iv))
		return;
	n = ik_v1_decrypt(p1, raw, h->len, iv, iv_new, plain, sizeof(plain));
	if (n < 0) {
		bad_message(p1, " decryption failed");
		return;
	}
	m.hdr = *h;
	if (parse_chain(p1, plain, (size_t)n, &m, true))
		return;
	ik_v1_info_input(p1, &m, true);
}

/* An unencrypted message with the cookies of an SA whose peer is elsewhere:
 * nothing in it can prove it comes from the peer. */
static void foreign_source(struct ik_p1 *p1, const struct ik_endpoint *local,
			   const struct ik_endpoint *remote)
{
	struct ik_engine *e = p1->e;
	char sa[IK_ADDR_ANYSTRLEN], pa[IK_ADDR_ANYSTRLEN];

	ik_addr_fmt_ios(&remote->ip, sa);
	ik_addr_fmt_ios(&p1->remote.ip, pa);
	ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP:(%u): unauthenticated message from %s port %u "
	       "(dport %u) for the SA with %s port %u, dropped", p1->conn_id, sa, remote->port,
	       local->port, pa, p1->remote.port);
	ik_msg(e->log, IK_LOG_WARNING, "%%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from %s failed "
	       "its sanity check or is malformed", sa);
}

void ik_v1_p1_authenticated(struct ik_p1 *p1)
{
	struct ik_engine *e = p1->e;
	char oa[IK_ADDR_ANYSTRLEN], na[IK_ADDR_ANYSTRLEN];

	if (e->v1_rx_moved != p1)
		return;
	e->v1_rx_moved = NULL;
	if (e->v1_rx_local.port != 4500)
		return; /* without NAT-T the SA stays where it was set up */
	ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP:(%u): peer moved from %s port %u to %s port %u "
	       "(dport %u), authenticated", p1->conn_id, ik_addr_fmt_ios(&p1->remote.ip, oa),
	       p1->remote.port, ik_addr_fmt_ios(&e->v1_rx_remote.ip, na), e->v1_rx_remote.port,
	       e->v1_rx_local.port);
	ik_v1_p1_set_endpoints(p1, &e->v1_rx_local, &e->v1_rx_remote);
}

void ik_v1_dispatch(struct ik_engine *e, struct ik_p1 *p1, const struct ik_endpoint *local,
		    const struct ik_endpoint *remote, const char *fvrf, const uint8_t *raw,
		    size_t raw_len)
{
	struct ik_v1_hdr h;
	char err[200], ra[IK_ADDR_ANYSTRLEN];
	uint64_t dg;

	if (ik_v1_parse_hdr(raw, raw_len, &h, err, sizeof(err)))
		return;
	dg = ik_v1_digest(raw, h.len);
	if (!(p1->state == IKE_READY && !p1->initiator))
		ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP (%u): received packet from %s dport %u "
		       "sport %u %s (%c) %s", p1->conn_id, ik_addr_fmt_ios(&remote->ip, ra),
		       local->port, remote->port, fvrf ? fvrf : "Global",
		       p1->initiator ? 'I' : 'R', ik_v1_p1_disp(p1));
	/* NAT-T: the peer floated to 4500, or its NAT mapping changed. The cookies
	 * travel in clear: a message from anywhere else is no evidence of a move
	 * until it authenticates (RFC 3947 section 4); the SA's endpoint moves then
	 * (ik_v1_p1_authenticated), and an unencrypted one cannot, so it goes. */
	e->v1_rx_local = *local;
	e->v1_rx_remote = *remote;
	e->v1_rx_moved = NULL;
	if (!ik_addr_eq(&remote->ip, &p1->remote.ip) || remote->port != p1->remote.port ||
	    local->port != p1->local.port) {
		if (p1->state == IKE_READY) {
			ik_v1_p1_set_endpoints(p1, local, remote);
		} else if (IK_MUTANT(IK_MUT_ENDPOINT_AUTH) && local->port == 4500) {
			/* the switched-off check: follow at once */
			ik_v1_p1_set_endpoints(p1, local, remote);
		} else if (!(h.flags & IK_V1_FLAG_ENC) && !IK_MUTANT(IK_MUT_SRC_ADDR) &&
			   !(h.exch == IK_V1_EXCH_AGGR && p1->state == IKE_R_AM2)) {
			/* (an AM3 in clear still carries HASH_I, and floats to 4500) */
			foreign_source(p1, local, remote);
			return;
		} else {
			e->v1_rx_moved = p1;
		}
	}
	switch (h.exch) {
	case IK_V1_EXCH_MM:
		if (p1->state == IKE_P1_COMPLETE && !(p1->x.buf && p1->x.rx_digest == dg)) {
			ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP:(%u): Main Mode message on an "
			       "established SA, dropped", p1->conn_id);
			return;
		}
		dispatch_p1(p1, &h, raw, raw_len, dg, mm_rows, IK_ARRAY_LEN(mm_rows));
		break;
	case IK_V1_EXCH_AGGR:
		if (p1->state == IKE_P1_COMPLETE && !(p1->x.buf && p1->x.rx_digest == dg)) {
			ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP:(%u): Aggressive Mode message on an "
			       "established SA, dropped", p1->conn_id);
			return;
		}
		dispatch_p1(p1, &h, raw, raw_len, dg, am_rows, IK_ARRAY_LEN(am_rows));
		break;
	case IK_V1_EXCH_QM:
		dispatch_qm(p1, &h, raw, dg);
		break;
	case IK_V1_EXCH_INFO:
		dispatch_info(p1, &h, raw);
		break;
	default:
		ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP:(%u): %s exchange not supported, dropped",
		       p1->conn_id, ik_v1_exch_name(h.exch));
		if (p1->state == IKE_READY)
			ik_v1_p1_delete(p1, "exchange not supported", false);
		break;
	}
	(void)fvrf;
}
