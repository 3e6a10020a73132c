/* Informational exchanges (RFC 2408 4.8, RFC 2409 5.7): notifications,
 * DELETE of ISAKMP and IPsec SAs, and Dead Peer Detection (RFC 3706). Once
 * phase 1 has keys, they are encrypted and carry HASH(1) =
 * prf(SKEYID_a, M-ID | N/D); unauthenticated ones are traced and ignored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/v1_int.h"
#include "util/addr.h"
#include "util/mutant.h"
#include "util/util.h"

#define DBG(p1, ...) ik_dbg((p1)->e->log, IK_DBG_ISAKMP, __VA_ARGS__)

static uint32_t new_msgid(struct ik_p1 *p1)
{
	uint32_t id;

	do
		ik_core_rand(p1->e, &id, sizeof(id));
	while (id == 0);
	return id;
}

/* note: a trace line printed once the message ID is known, or NULL. */
static void info_send(struct ik_p1 *p1, uint8_t pl_type, const uint8_t *body, size_t len,
		      const char *note)
{
	struct ik_v1_builder *b = malloc(sizeof(*b));
	uint32_t msgid = new_msgid(p1);
	uint8_t iv[16], zero[64] = { 0 };
	size_t hl, hoff, after;

	if (!b)
		return;
	DBG(p1, "ISAKMP: set new node %u to QM_IDLE", msgid);
	if (note)
		DBG(p1, "ISAKMP:(%u):%s", p1->conn_id, note);
	if (!p1->have_keys) {
		ik_v1_b_init(b, p1->cky_i, p1->cky_r, IK_V1_EXCH_INFO, 0, msgid);
		ik_v1_b_payload(b, pl_type, body, len);
		ik_v1_b_finish(b);
		if (!b->overflow)
			ik_v1_send(p1, b->buf, b->len);
		free(b);
		return;
	}
	hl = ik_hash_len(p1->hash);
	ik_v1_b_init(b, p1->cky_i, p1->cky_r, IK_V1_EXCH_INFO, 0, msgid);
	hoff = ik_v1_b_open(b, IK_V1_PL_HASH);
	ik_v1_b_put(b, zero, hl);
	ik_v1_b_close(b, hoff);
	ik_v1_b_payload(b, pl_type, body, len);
	if (p1->e->host.tamper && !b->overflow) {
		ik_v1_b_finish(b);
		p1->e->host.tamper(p1->e->host.ctx, IK_TAMPER_HASH, b->buf, &b->len,
				   sizeof(b->buf));
	}
	after = hoff + 4 + hl;
	if (b->overflow ||
	    ik_v1_hash_msgid(p1, NULL, 0, msgid, b->buf + after, b->len - after, NULL, 0,
			     b->buf + hoff + 4) ||
	    ik_v1_iv_msgid(p1->hash, p1->state == IKE_P1_COMPLETE ? p1->up->p2_iv_base : p1->iv,
			   p1->blen, msgid, iv) ||
	    ik_v1_encrypt(p1, b, iv)) {
		free(b);
		return;
	}
	ik_v1_send(p1, b->buf, b->len);
	free(b);
}

void ik_v1_info_send(struct ik_p1 *p1, uint8_t pl_type, const uint8_t *body, size_t len)
{
	info_send(p1, pl_type, body, len, NULL);
}

void ik_v1_send_notify(struct ik_p1 *p1, uint16_t type, uint8_t proto, const uint8_t *spi,
		       size_t spi_len, const uint8_t *data, size_t data_len)
{
	uint8_t body[8 + 16 + 64];
	char note[96];

	if (spi_len > 16 || data_len > 64)
		return;
	ik_put32(body, 1);
	body[4] = proto;
	body[5] = (uint8_t)spi_len;
	ik_put16(body + 6, type);
	if (spi_len)
		memcpy(body + 8, spi, spi_len);
	if (data_len)
		memcpy(body + 8 + spi_len, data, data_len);
	snprintf(note, sizeof(note), "Sending NOTIFY %s protocol %u", ik_v1_notify_name(type),
		 proto);
	info_send(p1, IK_V1_PL_N, body, 8 + spi_len + data_len, type < 8192 ? note : NULL);
}

void ik_v1_send_delete(struct ik_p1 *p1, uint8_t proto, const uint8_t *spis, size_t spi_size,
		       unsigned nspi)
{
	uint8_t body[8 + 16 * 4];

	if (spi_size * nspi > 16 * 4 || !p1->have_keys)
		return;
	ik_put32(body, 1);
	body[4] = proto;
	body[5] = (uint8_t)spi_size;
	ik_put16(body + 6, (uint16_t)nspi);
	memcpy(body + 8, spis, spi_size * nspi);
	DBG(p1, "ISAKMP:(%u):purging %s SA%s, sending DELETE protocol %u", p1->conn_id,
	    proto == IK_V1_PROTO_ISAKMP ? "ISAKMP" : "IPsec", nspi > 1 ? "s" : "", proto);
	ik_v1_info_send(p1, IK_V1_PL_D, body, 8 + spi_size * nspi);
}

static void dpd_send(struct ik_p1 *p1, uint16_t type, uint32_t seq)
{
	uint8_t spi[16], data[4];
	char ra[IK_ADDR_ANYSTRLEN];

	memcpy(spi, p1->cky_i, 8);
	memcpy(spi + 8, p1->cky_r, 8);
	ik_put32(data, seq);
	DBG(p1, "ISAKMP:(%u):DPD/%s sent to peer %s, sequence 0x%X", p1->conn_id,
	    ik_v1_notify_name(type), ik_addr_fmt_ios(&p1->remote.ip, ra), seq);
	ik_v1_send_notify(p1, type, IK_V1_PROTO_ISAKMP, spi, 16, data, 4);
	if (type == IK_V1_N_R_U_THERE)
		ik_peer_sa_event(&p1->sa, IK_PEER_DPD_SENT);
}

static void handle_delete(struct ik_p1 *p1, const struct ik_v1_pl *pl)
{
	struct ik_engine *e = p1->e;
	struct ik_v1_delete d;
	char err[200], oa[IK_ADDR_ANYSTRLEN];

	DBG(p1, "ISAKMP:(%u): processing DELETE payload. message ID = %u", p1->conn_id, 0u);
	if (ik_v1_parse_delete(pl, &d, err, sizeof(err))) {
		DBG(p1, "ISAKMP:(%u): %s", p1->conn_id, err);
		return;
	}
	for (unsigned i = 0; i < d.nspi; i++) {
		const uint8_t *spi = d.spis + (size_t)i * d.spi_size;

		if (d.proto == IK_V1_PROTO_ISAKMP && d.spi_size == 16) {
			struct ik_p1 *o = ik_v1_p1_find_cookies(e, spi, spi + 8);

			/* a peer deletes its own SAs, not another peer's */
			if (o && !ik_addr_eq(&o->remote.ip, &p1->remote.ip) &&
			    !IK_MUTANT(IK_MUT_DELETE_SCOPE)) {
				DBG(p1, "ISAKMP:(%u): DELETE names the ISAKMP SA of "
				    "another peer (%s), ignored", p1->conn_id,
				    ik_addr_fmt_ios(&o->remote.ip, oa));
			} else if (o) {
				ik_v1_p1_delete(o, "P1 delete notify (in)", false);
			}
		} else if (d.proto == IK_V1_PROTO_ESP && d.spi_size == 4) {
			uint32_t s = ik_get32(spi);

			ik_dbg(e->log, IK_DBG_IPSEC, "IPSEC(key_engine_delete_sas): rec'd delete "
			       "notify from ISAKMP");
			ik_v1_child_remove_out_ip(e, &p1->remote.ip, s, "delete notify");
		} else {
			DBG(p1, "ISAKMP:(%u): DELETE of protocol %u with %u-byte SPIs ignored",
			    p1->conn_id, d.proto, d.spi_size);
		}
	}
}

static void handle_notify(struct ik_p1 *p1, const struct ik_v1_pl *pl, uint32_t msgid)
{
	struct ik_v1_notify n;
	char err[200], ra[IK_ADDR_ANYSTRLEN];

	if (ik_v1_parse_notify(pl, &n, err, sizeof(err))) {
		DBG(p1, "ISAKMP:(%u): %s", p1->conn_id, err);
		return;
	}
	DBG(p1, "ISAKMP:(%u): processing NOTIFY %s protocol %u", p1->conn_id,
	    ik_v1_notify_name(n.type), n.proto);
	DBG(p1, "\tspi 0, message ID = %u, sa = 0x%08X", msgid, ik_get32(p1->cky_r));
	ik_addr_fmt_ios(&p1->remote.ip, ra);
	if (n.type < 8192 && n.proto == IK_V1_PROTO_ESP && n.spi_size == 4) {
		/* our Quick Mode offer was refused: the node goes now */
		uint32_t spi = ik_get32(n.spi);

		for (struct ik_qm *q = p1->up ? p1->up->qms : NULL; q; q = q->next)
			if (q->initiator && !q->done && q->spi_in == spi) {
				DBG(p1, "ISAKMP:(%u):deleting node %u error TRUE reason \"%s\"",
				    p1->conn_id, q->msgid, ik_v1_notify_name(n.type));
				ik_msg(p1->e->log, IK_LOG_INFO, "%%CRYPTO-6-IKMP_MODE_FAILURE: "
				       "Processing of Quick mode failed with peer at %s (the peer "
				       "refused our offer: %s; its log says why)", ra,
				       ik_v1_notify_name(n.type));
				p1->e->st.p2_failed++;
				ik_v1_qm_unlink(p1, q);
				ik_v1_qm_free(q);
				break;
			}
		return;
	}
	if (n.type == IK_V1_N_R_U_THERE && n.data_len == 4) {
		uint32_t seq = ik_get32(n.data);
		struct ik_p1_up *u = ik_v1_p1_up(p1);

		DBG(p1, "ISAKMP:(%u):DPD/R_U_THERE received from peer %s, sequence 0x%X",
		    p1->conn_id, ra, seq);
		/* RFC 3706: the peer's sequence only grows; an old one is a replay
		 * (the HASH cannot tell) and no sign of life */
		if (!u->dpd_peer_seq || (int32_t)(seq - u->dpd_peer_seq) > 0 ||
		    IK_MUTANT(IK_MUT_DPD_REPLAY)) {
			u->dpd_peer_seq = seq;
			p1->last_rx_ms = ik_core_now(p1->e);
		} else {
			DBG(p1, "ISAKMP:(%u):DPD/R_U_THERE sequence 0x%X is not after 0x%X: a "
			    "replay, not a sign of life", p1->conn_id, seq, u->dpd_peer_seq);
		}
		dpd_send(p1, IK_V1_N_R_U_THERE_ACK, seq);
	} else if (n.type == IK_V1_N_R_U_THERE_ACK && n.data_len == 4) {
		uint32_t seq = ik_get32(n.data);
		struct ik_p1_up *u = ik_v1_p1_up(p1);

		DBG(p1, "ISAKMP:(%u):DPD/R_U_THERE_ACK received from peer %s, sequence 0x%X",
		    p1->conn_id, ra, seq);
		if (seq != u->dpd_seq && !IK_MUTANT(IK_MUT_DPD_REPLAY)) {
			DBG(p1, "ISAKMP:(%u):DPD/R_U_THERE_ACK sequence 0x%X is not the one sent "
			    "(0x%X): a replay, ignored", p1->conn_id, seq, u->dpd_seq);
		} else if (u->dpd_pending) {
			unsigned ka = p1->profile && p1->profile->keepalive ?
				p1->profile->keepalive : p1->cfg->keepalive;

			p1->last_rx_ms = ik_core_now(p1->e);
			ik_peer_sa_event(&p1->sa, IK_PEER_DPD_ANSWERED);
			u->dpd_pending = false;
			u->dpd_tries = 0;
			ik_core_timer_set(p1->e, &ik_core_sa_live(&p1->sa)->t_dpd,
					  ik_core_now(p1->e) + (uint64_t)ka * 1000);
		}
	}
}

int ik_v1_info_input(struct ik_p1 *p1, const struct ik_v1_msg *m, bool authenticated)
{
	uint32_t msgid = m->hdr.msgid;
	size_t first = 1;
	char ra[IK_ADDR_ANYSTRLEN];

	if (!authenticated && IK_MUTANT(IK_MUT_INFO_PLAIN)) {
		/* the switched-off check: act on it as if a HASH had vouched for it */
		first = 0;
		goto act;
	}
	if (!authenticated) {
		/* Nothing vouches for it: say what it was, act on none of it. */
		for (size_t i = 0; i < m->npl; i++) {
			struct ik_v1_notify n;
			char err[200];

			if (m->pl[i].type == IK_V1_PL_N &&
			    ik_v1_parse_notify(&m->pl[i], &n, err, sizeof(err)) == 0)
				DBG(p1, "ISAKMP:(%u): processing NOTIFY %s protocol %u", p1->conn_id,
				    ik_v1_notify_name(n.type), n.proto);
			DBG(p1, "ISAKMP:(%u): unauthenticated informational %s payload from the "
			    "peer ignored", p1->conn_id, ik_v1_pl_name(m->pl[i].type));
		}
		DBG(p1, "ISAKMP:(%u):Notify has no hash. Rejected.", p1->conn_id);
		return 0;
	}
	if (m->npl == 0 || m->pl[0].type != IK_V1_PL_HASH) {
		DBG(p1, "ISAKMP:(%u): informational exchange without HASH ignored", p1->conn_id);
		return -1;
	}
	{
		const struct ik_v1_pl *h = &m->pl[0];
		const uint8_t *base = h->p - h->off;
		size_t after = h->off + h->len, hl = ik_hash_len(p1->hash);
		uint8_t calc[64];

		DBG(p1, "ISAKMP:(%u): processing HASH payload. message ID = %u", p1->conn_id,
		    msgid);
		if (ik_v1_hash_msgid(p1, NULL, 0, msgid, base + after, m->end - after, NULL, 0,
				     calc))
			return -1;
		if (!ik_hash_equal(h->body, h->body_len, calc, hl) &&
		    !IK_MUTANT(IK_MUT_INFO_HASH)) {
			DBG(p1, "ISAKMP:(%u): informational exchange with a bad HASH ignored",
			    p1->conn_id);
			ik_msg(p1->e->log, IK_LOG_WARNING, "%%CRYPTO-4-IKMP_BAD_MESSAGE: IKE "
			       "message from %s failed its sanity check or is malformed",
			       ik_addr_fmt_ios(&p1->e->v1_rx_remote.ip, ra));
			return -1;
		}
	}
act:
	/* Informational exchanges have no replay protection: only a DPD message
	 * that is fresh (handle_notify) counts as a sign of the peer's life. */
	if (IK_MUTANT(IK_MUT_DPD_REPLAY))
		p1->last_rx_ms = ik_core_now(p1->e);
	for (size_t i = first; i < m->npl; i++) {
		if (p1->dead)
			break;
		if (m->pl[i].type == IK_V1_PL_N)
			handle_notify(p1, &m->pl[i], msgid);
		else if (m->pl[i].type == IK_V1_PL_D)
			handle_delete(p1, &m->pl[i]);
	}
	return 0;
}

/* Whether the peer showed life since the last check: an IKE message, or
 * inbound ESP packets on one of its SAs (on-demand DPD). */
static bool peer_alive(struct ik_p1 *p1, uint64_t now, unsigned ka)
{
	struct ik_engine *e = p1->e;
	uint64_t pkts = 0;

	if (now - p1->last_rx_ms < (uint64_t)ka * 1000)
		return true;
	if (!e->host.child_counters)
		return false;
	for (struct ik_child *c = ik_core_child_first_addr_ip(e, &p1->remote.ip); c;
	     c = ik_core_child_next_addr(e, c)) {
		struct ik_sa_counters in = { 0 }, out = { 0 };

		if (e->host.child_counters(e->host.ctx, &c->sa, &in, &out) == 0)
			pkts += in.packets;
	}
	if (pkts != p1->up->dpd_in_pkts) {
		p1->up->dpd_in_pkts = pkts;
		return true;
	}
	return false;
}

static void dpd_dead_sa(struct ik_p1 *o, void *arg)
{
	(void)arg;
	ik_v1_p1_delete(o, "No reply to DPD (peer dead)", false);
}

static void dpd_dead_child(struct ik_engine *e, struct ik_child *c, void *arg)
{
	(void)arg;
	ik_core_child_remove(e, c, false, "peer dead (DPD)");
}

void ik_v1_dpd_timer(struct ik_p1 *p1, uint64_t now)
{
	struct ik_engine *e = p1->e;
	unsigned ka = p1->cfg->keepalive, retry = p1->cfg->keepalive_retry;
	char ra[IK_ADDR_ANYSTRLEN];

	if (p1->profile && p1->profile->keepalive) {
		ka = p1->profile->keepalive;
		retry = p1->profile->keepalive_retry;
	}
	if (!retry)
		retry = 2;
	if (!ka || p1->state != IKE_P1_COMPLETE) {
		ik_core_timer_set(e, &p1->live->t_dpd, 0);
		return;
	}
	if (!p1->up->dpd_pending) {
		if (!p1->cfg->keepalive_periodic && peer_alive(p1, now, ka)) {
			ik_core_timer_set(e, &p1->live->t_dpd, now + (uint64_t)ka * 1000);
			return;
		}
		p1->up->dpd_pending = true;
		p1->up->dpd_tries = 0;
	}
	if (p1->up->dpd_tries > IK_CORE_RETRANS_MAX) {
		DBG(p1, "ISAKMP:(%u):DPD: peer %s not responding after %u R_U_THERE, declaring it "
		    "dead", p1->conn_id, ik_addr_fmt_ios(&p1->remote.ip, ra), IK_CORE_RETRANS_MAX);
		/* this peer's (address AND port: not its neighbours behind one NAT) */
		ik_v1_peer_each(p1, NULL, dpd_dead_sa, dpd_dead_child, NULL);
		return;
	}
	if (p1->up->dpd_tries)
		DBG(p1, "ISAKMP:(%u):DPD: no R_U_THERE_ACK from %s, retry %u", p1->conn_id,
		    ik_addr_fmt_ios(&p1->remote.ip, ra), p1->up->dpd_tries);
	p1->up->dpd_tries++;
	if (!p1->up->dpd_seq)
		ik_core_rand(e, &p1->up->dpd_seq, sizeof(p1->up->dpd_seq));
	p1->up->dpd_seq++;
	dpd_send(p1, IK_V1_N_R_U_THERE, p1->up->dpd_seq);
	ik_core_timer_set(e, &p1->live->t_dpd, now + (uint64_t)retry * 1000);
}
