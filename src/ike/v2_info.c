/* IKEv2 INFORMATIONAL exchanges (RFC 7296 1.4, 1.5, 2.4): DELETE of child
 * SAs and of the IKE SA in both directions, liveness checks (`dpd INTERVAL
 * RETRY on-demand|periodic` of the ikev2 profile: an empty INFORMATIONAL),
 * and the queue of requests an SA sends one at a time (window size 1).
 *
 * Every request handled here has passed the window (message ID) and ICV
 * checks of v2_sa.c; every request gets exactly one response. A DELETE of
 * children is answered with a DELETE of the paired SAs (RFC 7296 1.4.1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/v2_int.h"
#include "ike/v2_more.h"
#include "util/addr.h"
#include "util/util.h"

/* ---- per-SA state ---- */

struct ik_v2_more *ik_v2_more_get(struct ik_v2_ike_sa *s)
{
	if (!s->more) {
		s->more = calloc(1, sizeof(*s->more));
		if (s->more) /* liveness counts inbound packets from now on */
			ik_v2_up(s)->dpd_base = true;
	}
	return s->more;
}

struct ik_v2_more *ik_v2_more_peek(const struct ik_v2_ike_sa *s)
{
	return s->more;
}

void *ik_v2_more_grow(void *arr, uint8_t *cap, unsigned n, size_t size, unsigned max)
{
	unsigned want;
	void *p;

	if (n < *cap)
		return arr;
	if (n >= max)
		return NULL;
	want = *cap ? 2u * *cap : 2u;
	if (want > max)
		want = max;
	p = realloc(arr, (size_t)want * size);
	if (!p)
		return NULL;
	*cap = (uint8_t)want;
	return p;
}

size_t ik_v2_more_bytes(const struct ik_v2_ike_sa *s)
{
	const struct ik_v2_more *m = ik_v2_more_peek(s);
	size_t n;

	if (!m)
		return 0;
	n = sizeof(*m) + m->del_cap * sizeof(m->del_spi[0]) +
		m->rekey_cap * sizeof(m->rekey_id[0]) + m->new_cap * sizeof(m->new_child[0]);
	if (m->ccsa)
		n += sizeof(*m->ccsa) + m->ccsa->ni_len + m->ccsa->coll_nonce_len;
	return n;
}

void ik_v2_more_free(struct ik_v2_ike_sa *s)
{
	struct ik_v2_more *m = ik_v2_more_peek(s);

	if (!m)
		return;
	ik_v2_ccsa_x_free(m->ccsa);
	free(m->del_spi);
	free(m->rekey_id);
	free(m->new_child);
	ik_wipe(m, sizeof(*m));
	free(m);
	s->more = NULL;
}

/* ---- children of an SA ---- */

/* Children belong to the IKE SA that made them (or that took them over in
 * an IKE SA rekey) by its connection id. */
static bool child_of(const struct ik_v2_ike_sa *s, const struct ik_child *c)
{
	return c->version == 2 && s->conn_id && c->p1_conn_id == s->conn_id;
}

struct ik_child *ik_v2_child_next(struct ik_v2_ike_sa *s, struct ik_child *c)
{
	for (c = ik_core_child_next_addr(s->e, c); c; c = ik_core_child_next_addr(s->e, c))
		if (child_of(s, c))
			return c;
	return NULL;
}

struct ik_child *ik_v2_child_first(struct ik_v2_ike_sa *s)
{
	struct ik_child *c;

	c = ik_core_child_first_addr_ip(s->e, &s->remote.ip);
	if (c && !child_of(s, c))
		c = ik_v2_child_next(s, c);
	return c;
}

struct ik_child *ik_v2_child_by_out_spi(struct ik_v2_ike_sa *s, uint32_t spi)
{
	for (struct ik_child *c = ik_v2_child_first(s); c; c = ik_v2_child_next(s, c))
		if (c->sa.out.spi == spi)
			return c;
	return NULL;
}

int ik_v2_nonce_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int r = memcmp(a, b, alen < blen ? alen : blen);

	if (r)
		return r;
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/* ---- the queue ---- */

static void peer_fmt(const struct ik_v2_ike_sa *s, char *buf)
{
	ik_addr_fmt_any(&s->remote.ip, buf);
}

void ik_v2_info_queue_delete(struct ik_v2_ike_sa *s, uint32_t spi_in)
{
	struct ik_v2_more *m = ik_v2_more_get(s);
	uint32_t *q;

	if (!m)
		return;
	q = ik_v2_more_grow(m->del_spi, &m->del_cap, m->ndel, sizeof(*q), IK_V2_MORE_DEL_MAX);
	if (!q) {
		V2DBG(s, "DELETE queue %s: IPsec SA [SPI: 0x%X] goes without telling the peer",
		      m->ndel == IK_V2_MORE_DEL_MAX ? "full" : "out of memory", spi_in);
		return;
	}
	m->del_spi = q;
	m->del_spi[m->ndel++] = spi_in;
	ik_v2_more_run(s);
}

static struct ik_v2_builder *builder(void)
{
	return malloc(sizeof(struct ik_v2_builder));
}

/* An INFORMATIONAL request with what is queued for it. */
int ik_v2_info_send_queued(struct ik_v2_ike_sa *s)
{
	struct ik_v2_more *m = ik_v2_more_peek(s);
	struct ik_v2_builder *b;
	size_t sk_off;
	uint8_t spis[IK_V2_MORE_DEL_MAX * 4];
	const struct ik_ikev2_profile *pf;
	enum ik_v2_xch x;
	unsigned n = 0;
	int rc;

	if (!m || (!m->ndel && !m->want_dpd))
		return -1;
	b = builder();
	if (!b)
		return -1;
	ik_v2_msg_begin(s, b, IK_V2_EXCH_INFORMATIONAL, false, UINT32_MAX, &sk_off);
	if (m->ndel) {
		x = IK_V2_X_DELETE_CHILD;
		n = m->ndel;
		for (unsigned i = 0; i < n; i++) {
			ik_put32(spis + 4 * i, m->del_spi[i]);
			V2DBG(s, "Sending DELETE INFO message for IPsec SA [SPI: 0x%X]",
			      m->del_spi[i]);
		}
		ik_v2_b_delete(b, IK_V2_PROTO_ESP, 4, (uint16_t)n, spis);
	} else {
		x = IK_V2_X_DPD;
		V2DBG(s, "Sending DPD/liveness query");
	}
	rc = ik_v2_send_request(s, b, sk_off);
	free(b);
	if (rc)
		return -1;
	m->x = x;
	pf = ik_v2_sa_profile(s);
	if (x == IK_V2_X_DPD && pf && pf->dpd_retry) {
		/* IOS: the liveness check is retried every RETRY seconds */
		s->up->rq.req_interval_ms = pf->dpd_retry * 1000u;
		ik_core_timer_set(s->e, &s->up->rq.t_xmit,
				  ik_core_now(s->e) + s->up->rq.req_interval_ms);
	}
	if (x == IK_V2_X_DELETE_CHILD) {
		m->ndel = 0;
		free(m->del_spi);
		m->del_spi = NULL;
		m->del_cap = 0;
		s->e->v2->st.deletes_tx += n;
	} else {
		m->want_dpd = false;
		s->e->v2->st.dpd_tx++;
		ik_peer_sa_event(&s->sa, IK_PEER_DPD_SENT);
	}
	return 0;
}

/* Whether the SA's state holds nothing: no queue, no request of ours in
 * flight, no collision or rekey to remember. */
static bool more_idle(const struct ik_v2_ike_sa *s)
{
	const struct ik_v2_more *m = ik_v2_more_peek(s);

	return m && !ik_v2_req_pending(s) && m->x == IK_V2_X_NONE && !m->ndel && !m->nrekey &&
		!m->nnew && !m->want_dpd && !m->want_ike_rekey && !m->ccsa && !m->rekeyed;
}

void ik_v2_win_idle(struct ik_v2_ike_sa *s)
{
	ik_v2_more_run(s);
	/* an established SA between exchanges carries no such state */
	if (!s->dead && more_idle(s))
		ik_v2_more_free(s);
}

void ik_v2_more_run(struct ik_v2_ike_sa *s)
{
	struct ik_v2_more *m = ik_v2_more_peek(s);

	if (!m || s->dead || s->state != IKEV2_READY || ik_v2_req_pending(s))
		return;
	if (m->ndel) {
		ik_v2_info_send_queued(s);
		return;
	}
	/* a CREATE_CHILD_SA whose answer is still being handled keeps its
	 * record until then: the next one waits for ik_v2_win_idle */
	if (!m->ccsa && m->want_ike_rekey) {
		m->want_ike_rekey = false;
		if (ik_v2_ccsa_send_ike_rekey(s) == 0)
			return;
	}
	while (!m->ccsa && m->nrekey) {
		unsigned id = m->rekey_id[0];

		m->nrekey--;
		memmove(m->rekey_id, m->rekey_id + 1, m->nrekey * sizeof(m->rekey_id[0]));
		if (!m->nrekey) {
			free(m->rekey_id);
			m->rekey_id = NULL;
			m->rekey_cap = 0;
		}
		if (ik_v2_ccsa_send_child_rekey(s, id) == 0)
			return;
	}
	while (!m->ccsa && m->nnew) {
		struct ik_v2_new_child nc = m->new_child[0];

		m->nnew--;
		memmove(m->new_child, m->new_child + 1, m->nnew * sizeof(m->new_child[0]));
		if (!m->nnew) {
			free(m->new_child);
			m->new_child = NULL;
			m->new_cap = 0;
		}
		if (ik_v2_ccsa_send_child_new(s, &nc) == 0)
			return;
	}
	if (m->want_dpd)
		ik_v2_info_send_queued(s);
}

/* ---- timers ---- */

static unsigned ike_lifetime(const struct ik_v2_ike_sa *s)
{
	const struct ik_ikev2_profile *pf = ik_v2_sa_profile(s);

	return pf && pf->lifetime ? pf->lifetime : IK_V2_DEFAULT_LIFETIME;
}

void ik_v2_more_established(struct ik_v2_ike_sa *s)
{
	struct ik_engine *e = s->e;
	uint64_t now = ik_core_now(e), life = (uint64_t)ike_lifetime(s) * 1000;
	uint64_t soft = life - life * IK_V2_REKEY_MARGIN_PCT / 100;
	const struct ik_ikev2_profile *pf = ik_v2_sa_profile(s);
	uint8_t j;

	ik_v2_up(s)->last_rx_ms = now;
	/* both sides rekey; the original initiator a little earlier, and a
	 * jitter of up to 2.5 % keeps the two from colliding every time */
	ik_core_rand(e, &j, 1);
	soft -= life * (s->initiator ? 2u : 0u) / 100 + life * j / (256u * 40u);
	ik_core_timer_set(e, &s->live->t_rekey, now + soft);
	ik_core_timer_set(e, &s->t_expire, now + life);
	if (pf && pf->dpd_interval)
		ik_core_timer_set(e, &s->live->t_dpd, now + (uint64_t)pf->dpd_interval * 1000);
	if (s->nat_self && pf && pf->nat_keepalive)
		ik_core_timer_set(e, &s->live->t_natka, now + (uint64_t)pf->nat_keepalive * 1000);
}

/* Whether the peer showed life within the interval: an authenticated IKE
 * message, or inbound ESP packets on its children since the last check. */
static bool peer_alive(struct ik_v2_ike_sa *s, uint64_t now, unsigned interval)
{
	struct ik_engine *e = s->e;
	struct ik_v2_up *up = ik_v2_up(s);
	uint64_t pkts = 0;

	if (now - up->last_rx_ms < (uint64_t)interval * 1000)
		return true;
	if (!e->host.child_counters || !up->dpd_base)
		return false;
	for (struct ik_child *c = ik_v2_child_first(s); c; c = ik_v2_child_next(s, c)) {
		struct ik_sa_counters in = { 0 }, out = { 0 };

		if (e->host.child_counters(e->host.ctx, &c->sa, &in, &out) == 0)
			pkts += in.packets;
	}
	if (pkts != up->dpd_in_pkts) {
		up->dpd_in_pkts = pkts;
		return true;
	}
	return false;
}

void ik_v2_info_dpd_timer(struct ik_v2_ike_sa *s, uint64_t now)
{
	const struct ik_ikev2_profile *p = ik_v2_sa_profile(s);
	struct ik_v2_more *m;
	unsigned iv;

	if (!p || !p->dpd_interval || s->state != IKEV2_READY) {
		if (s->live)
			ik_core_timer_set(s->e, &s->live->t_dpd, 0);
		return;
	}
	iv = p->dpd_interval;
	ik_core_timer_set(s->e, &s->live->t_dpd, now + (uint64_t)iv * 1000);
	/* a request of ours under way is a liveness check already: its
	 * retransmissions give up on a dead peer */
	if (ik_v2_req_pending(s))
		return;
	if (!p->dpd_periodic && peer_alive(s, now, iv))
		return;
	m = ik_v2_more_get(s);
	if (!m)
		return;
	m->want_dpd = true;
	ik_v2_more_run(s);
}

static void peer_dead(struct ik_v2_ike_sa *s, enum ik_v2_xch x)
{
	struct ik_engine *e = s->e;
	char ra[IK_ADDR_ANYSTRLEN], la[IK_ADDR_ANYSTRLEN];

	peer_fmt(s, ra);
	V2DBG(s, "Maximum number of retransmissions reached: peer %s is dead", ra);
	ik_msg(e->log, IK_LOG_NOTICE, "%%IKEV2-5-SA_DOWN: SA DOWN: Local %s:%u Remote %s:%u "
	       "(no reply to %s: peer dead)", ik_addr_fmt_any(&s->local.ip, la),
	       s->local.port, ra, s->remote.port,
	       x == IK_V2_X_DPD ? "DPD" : x == IK_V2_X_DELETE_CHILD ? "DELETE" :
	       x == IK_V2_X_CHILD_NEW ? "CREATE_CHILD_SA" : "rekey");
	if (x == IK_V2_X_DPD)
		e->v2->st.dpd_dead++;
	ik_v2_sa_delete(s, x == IK_V2_X_DPD ? "No reply to DPD (peer dead)" :
			"No reply from the peer (peer dead)", false);
}

bool ik_v2_more_request_timeout(struct ik_v2_ike_sa *s)
{
	struct ik_v2_more *m = ik_v2_more_peek(s);
	enum ik_v2_xch x;

	if (!m || m->x == IK_V2_X_NONE || s->state != IKEV2_READY)
		return false;
	x = m->x;
	if (x == IK_V2_X_CHILD_REKEY || x == IK_V2_X_IKE_REKEY || x == IK_V2_X_CHILD_NEW)
		ik_v2_ccsa_abort(s);
	m->x = IK_V2_X_NONE;
	peer_dead(s, x);
	return true;
}

void ik_v2_sa_timer(struct ik_v2_ike_sa *s, struct ik_timer *t, uint64_t now)
{
	struct ik_engine *e = s->e;
	struct ik_v2_more *m;

	if (s->dead)
		return;
	switch (t->kind) {
	case IK_TK_SA_DPD:
		ik_v2_info_dpd_timer(s, now);
		break;
	case IK_TK_SA_REKEY:
		if (s->state != IKEV2_READY ||
		    ((m = ik_v2_more_peek(s)) && m->rekeyed))
			break;
		m = ik_v2_more_get(s);
		if (!m)
			break;
		V2DBG(s, "IKE SA lifetime soft limit reached, rekeying");
		m->want_ike_rekey = true;
		ik_v2_more_run(s);
		break;
	case IK_TK_SA_NATKA: {
		static const uint8_t ka = 0xff;
		const struct ik_ikev2_profile *pf = ik_v2_sa_profile(s);

		e->host.send(e->host.ctx, &s->local, &s->remote, s->fvrf, &ka, 1);
		if (pf && pf->nat_keepalive)
			ik_core_timer_set(e, &s->live->t_natka,
					now + (uint64_t)pf->nat_keepalive * 1000);
		break;
	}
	default:
		break;
	}
}

/* ---- DELETE of a child by us ---- */

void ik_v2_child_notify_delete(struct ik_engine *e, struct ik_child *c)
{
	struct ik_v2_ike_sa *s;

	if (!e->v2)
		return;
	s = ik_v2_sa_find_peer(e, &c->local.ip, &c->remote.ip);
	if (s && !s->dead && s->state == IKEV2_READY)
		ik_v2_info_queue_delete(s, c->sa.in.spi);
}

/* ---- requests from the peer ---- */

/* A DELETE payload of the peer's request: the children it names go; their
 * pairs are answered in rsp (our inbound SPIs), *n of them. Returns true
 * when it deletes the IKE SA. */
static bool handle_delete(struct ik_v2_ike_sa *s, const struct ik_pl *pl, uint8_t *rsp,
			  unsigned *n)
{
	struct ik_engine *e = s->e;
	struct ik_v2_delete d;
	char err[200];

	if (ik_v2_parse_delete(pl, &d, err, sizeof(err))) {
		V2DBG(s, "DELETE payload ignored: %s", err);
		return false;
	}
	if (d.proto == IK_V2_PROTO_IKE) {
		V2DBG(s, "Process delete request from peer");
		V2DBG(s, "Processing DELETE INFO message for IKEv2 SA [ISPI: 0x%08X%08X "
		      "RSPI: 0x%08X%08X]", ik_get32(s->spi_i), ik_get32(s->spi_i + 4),
		      ik_get32(s->spi_r), ik_get32(s->spi_r + 4));
		return true;
	}
	if (d.proto != IK_V2_PROTO_ESP || d.spi_size != 4) {
		V2DBG(s, "DELETE of protocol %u with %u-byte SPIs ignored", d.proto, d.spi_size);
		return false;
	}
	for (unsigned i = 0; i < d.nspi; i++) {
		uint32_t spi = ik_get32(d.spis + 4 * (size_t)i);
		struct ik_child *c = ik_v2_child_by_out_spi(s, spi);

		V2DBG(s, "Processing DELETE INFO message for IPsec SA [SPI: 0x%X]", spi);
		if (!c) {
			V2DBG(s, "No IPsec SA with SPI 0x%X: nothing to delete", spi);
			continue;
		}
		if (*n < IK_V2_MORE_DEL_MAX) {
			ik_put32(rsp + 4 * *n, c->sa.in.spi);
			(*n)++;
		}
		ik_dbg(e->log, IK_DBG_IPSEC, "IPSEC(key_engine_delete_sas): rec'd delete notify "
		       "from IKEv2");
		e->v2->st.deletes_rx++;
		ik_core_child_remove(e, c, false, "delete notify");
	}
	return false;
}

void ik_v2_info_request(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx)
{
	struct ik_v2_builder *b = builder();
	uint8_t rsp[IK_V2_MORE_DEL_MAX * 4];
	unsigned n = 0, ndel = 0, nn = 0;
	bool del_ike = false;
	size_t sk_off;

	ik_v2_up(s)->last_rx_ms = ik_core_now(s->e);
	for (size_t i = 0; i < rx->m.npl; i++) {
		const struct ik_pl *pl = &rx->m.pl[i];

		if (pl->type == IK_V2_PL_D) {
			ndel++;
			if (handle_delete(s, pl, rsp, &n))
				del_ike = true;
		} else if (pl->type == IK_V2_PL_N) {
			struct ik_v2_notify nt;
			char err[200];

			nn++;
			if (ik_v2_parse_notify(pl, &nt, err, sizeof(err)) == 0)
				V2DBG(s, "Received %s notify in an INFORMATIONAL request",
				      ik_v2_notify_name(nt.type));
		}
	}
	if (!ndel && !nn)
		V2DBG(s, "Received DPD/liveness query");
	if (!b)
		goto out;
	ik_v2_msg_begin(s, b, IK_V2_EXCH_INFORMATIONAL, true, rx->m.hdr.msgid, &sk_off);
	if (n) /* the pairs of the children it deleted (RFC 7296 1.4.1) */
		ik_v2_b_delete(b, IK_V2_PROTO_ESP, 4, (uint16_t)n, rsp);
	V2DBG(s, "Sending ACK to informational exchange");
	ik_v2_send_response(s, b, sk_off);
	free(b);
out:
	if (del_ike) {
		s->e->v2->st.deletes_rx++;
		ik_v2_sa_delete(s, "Delete notify from the peer", false);
	}
}

void ik_v2_info_response(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx)
{
	struct ik_v2_more *m = ik_v2_more_peek(s);
	enum ik_v2_xch x = m ? m->x : IK_V2_X_NONE;

	ik_v2_up(s)->last_rx_ms = ik_core_now(s->e);
	if (m)
		m->x = IK_V2_X_NONE;
	switch (x) {
	case IK_V2_X_DPD:
		V2DBG(s, "Received DPD/liveness response: the peer is alive");
		ik_peer_sa_event(&s->sa, IK_PEER_DPD_ANSWERED);
		break;
	case IK_V2_X_DELETE_CHILD:
		for (size_t i = 0; i < rx->m.npl; i++) {
			struct ik_v2_delete d;
			char err[200];

			if (rx->m.pl[i].type != IK_V2_PL_D ||
			    ik_v2_parse_delete(&rx->m.pl[i], &d, err, sizeof(err)))
				continue;
			for (unsigned k = 0; k < d.nspi && d.spi_size == 4; k++)
				V2DBG(s, "The peer deleted its IPsec SA [SPI: 0x%X]",
				      ik_get32(d.spis + 4 * (size_t)k));
		}
		break;
	default:
		break;
	}
}
