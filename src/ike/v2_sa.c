/* The IKEv2 SA on the engine core: creation, deletion, lookup, the message
 * window (RFC 7296 2.3: window size 1, requests retransmitted with the
 * core's back-off, the last response resent for a retransmitted request),
 * sending, and the input path: header, SA lookup, window checks, ICV, then
 * the exchange handlers of v2_init.c, v2_auth.c and v2_info.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/v2_int.h"
#include "ike/v2_more.h"
#include "profile/snapshot.h"
#include "util/addr.h"
#include "util/mutant.h"
#include "util/util.h"


/* A datagram dropped: the engine's count and show crypto ikev2 stats'. */
static void v2_dropped(struct ik_engine *e)
{
	e->st.rx_dropped++;
	ik_v2_eng(e)->st.dropped++;
}

static const struct ik_ike_sa_ops v2_ops;

struct ik_v2_eng *ik_v2_eng(struct ik_engine *e)
{
	if (!e->v2) {
		e->v2 = ik_xcalloc(1, sizeof(*e->v2));
		e->v2->next_session_id = 1;
	}
	return e->v2;
}

static const char *const state_names[] = {
	[IKEV2_IDLE] = "IDLE",
	[IKEV2_I_INIT_SENT] = "I_INIT_SENT",
	[IKEV2_R_INIT_SENT] = "R_INIT_SENT",
	[IKEV2_I_AUTH_SENT] = "I_AUTH_SENT",
	[IKEV2_READY] = "READY",
	[IKEV2_DELETING] = "DELETING",
	[IKEV2_DEAD] = "DEAD",
};

const char *ik_v2_state_name(enum ik_v2_state st)
{
	return (unsigned)st < IK_ARRAY_LEN(state_names) ? state_names[st] : "?";
}

void ik_v2_sa_set_state(struct ik_v2_ike_sa *s, enum ik_v2_state to)
{
	V2DBG(s, "State change: %s -> %s", ik_v2_state_name(s->state), ik_v2_state_name(to));
	if (s->state == IKEV2_READY && to != IKEV2_READY)
		ik_v2_pair_leave(s);
	s->state = to;
	if (to == IKEV2_READY) {
		ik_core_sa_live(&s->sa);
		ik_v2_pair_enter(s);
	}
}

int ik_v2_copy(uint8_t **dst, size_t *dlen, const uint8_t *src, size_t len)
{
	uint8_t *n = malloc(len ? len : 1);

	if (!n)
		return -1;
	memcpy(n, src, len);
	ik_v2_wipe_free(dst, dlen);
	*dst = n;
	*dlen = len;
	return 0;
}

void ik_v2_wipe_free(uint8_t **p, size_t *len)
{
	if (*p)
		ik_wipe(*p, *len);
	free(*p);
	*p = NULL;
	*len = 0;
}

static void out_clear(struct ik_v2_out *o)
{
	free(o->buf);
	free(o->dlen);
	memset(o, 0, sizeof(*o));
}

static int out_set(struct ik_v2_out *o, const uint8_t *d, size_t len)
{
	uint8_t *c = malloc(len ? len : 1);

	if (!c)
		return -1;
	memcpy(c, d, len);
	out_clear(o);
	o->buf = c;
	o->len = len;
	o->n = 1;
	return 0;
}

/* ---- creation, lookup, deletion ---- */

struct ik_v2_ike_sa *ik_v2_sa_new(struct ik_engine *e, bool initiator,
				  const struct ik_endpoint *local,
				  const struct ik_endpoint *remote, const char *fvrf)
{
	struct ik_v2_eng *v = ik_v2_eng(e);
	struct ik_v2_ike_sa *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->ops = &v2_ops;
	s->version = 2;
	s->e = e;
	s->initiator = initiator;
	s->local = *local;
	s->remote = *remote;
	s->fvrf = fvrf ? strdup(fvrf) : NULL;
	s->cfg = ik_core_cfg_hold(e, e->cfg);
	s->state = IKEV2_IDLE;
	s->created_ms = ik_core_now(e);
	s->sa_id = v->next_session_id++;
	s->t_expire.kind = IK_TK_SA_EXPIRE;
	ik_core_timer_set(e, &s->t_expire, s->created_ms + ik_core_exchange_limit_ms(e));
	do
		ik_core_rand(e, initiator ? s->spi_i : s->spi_r, 8);
	while (!memcmp(initiator ? s->spi_i : s->spi_r, "\0\0\0\0\0\0\0\0", 8));
	s->next = v->sas;
	if (v->sas)
		v->sas->prev = s;
	v->sas = s;
	ik_core_sa_link(&s->sa);
	ik_peer_sa_event(&s->sa, IK_PEER_SA_CREATED);
	v->half_open++;
	if (initiator) {
		ik_v2_up(s); /* it sends requests from the start */
		ik_core_sa_index_spi(&s->sa);
	}
	return s;
}

struct ik_v2_ike_sa *ik_v2_sa_find(struct ik_engine *e, const uint8_t spi_i[8],
				   const uint8_t spi_r[8])
{
	static const uint8_t zero[8];

	for (struct ik_hlink *l = ik_core_sa_first_spi(e, spi_i); l; l = ik_htab_next(l)) {
		struct ik_ike_sa *sa = ik_container_of(l, struct ik_ike_sa, by_spi);

		if (sa->dead || sa->version != 2 || memcmp(sa->spi_i, spi_i, 8))
			continue;
		if (!memcmp(sa->spi_r, spi_r, 8))
			return (struct ik_v2_ike_sa *)sa;
		/* the initiator learns SPIr from the IKE_SA_INIT response */
		if (sa->initiator && sa->state == IKEV2_I_INIT_SENT && !memcmp(sa->spi_r, zero, 8))
			return (struct ik_v2_ike_sa *)sa;
		/* a retransmitted IKE_SA_INIT request still has SPIr zero */
		if (!sa->initiator && !memcmp(spi_r, zero, 8))
			return (struct ik_v2_ike_sa *)sa;
	}
	return NULL;
}

static void sa_cancel_timers(struct ik_v2_ike_sa *s)
{
	struct ik_timers *ts = &s->e->timers;

	if (s->up)
		ik_timer_cancel(ts, &s->up->rq.t_xmit);
	ik_timer_cancel(ts, &s->t_expire);
	ik_core_sa_live_cancel(&s->sa);
}

static void sa_free(struct ik_v2_ike_sa *s)
{
	sa_cancel_timers(s);
	ik_core_sa_live_free(&s->sa);
	ik_v2_more_free(s);
	ik_secret_free(s->skeyseed);
	ik_v2_kept_free(s);
	ik_v2_sa_child_done(s);
	if (s->up) {
		out_clear(&s->up->rq.req);
		out_clear(&s->up->resp);
		if (s->up->reasm)
			ik_v2_reasm_clear(s->up->reasm);
		free(s->up->reasm);
		ik_dh_free(s->up->dh);
		if (s->have_keys)
			ik_v2_keys_free(&s->up->keys);
		ik_v2_wipe_free(&s->up->cookie, &s->up->cookie_len);
		free(s->up->peer_id_value);
		ik_wipe(s->up, sizeof(*s->up));
		free(s->up);
	}
	ik_core_cfg_release(s->e, s->cfg);
	free(s->fvrf);
	free(s);
}

static void v2_free(struct ik_ike_sa *sa)
{
	sa_free((struct ik_v2_ike_sa *)sa);
}

static void in_neg_leave(struct ik_v2_ike_sa *s)
{
	if (s->half_open)
		ik_v2_eng(s->e)->half_open--;
	ik_core_ho_leave(&s->sa);
}

void ik_v2_sa_delete(struct ik_v2_ike_sa *s, const char *reason, bool notify_peer)
{
	struct ik_engine *e = s->e;
	struct ik_v2_eng *v = ik_v2_eng(e);
	char ra[IK_ADDR_ANYSTRLEN];

	if (s->dead)
		return;
	if (notify_peer && s->state == IKEV2_READY && !ik_v2_req_pending(s)) {
		struct ik_v2_builder *b = malloc(sizeof(*b));
		size_t sk;

		if (b) {
			ik_v2_msg_begin(s, b, IK_V2_EXCH_INFORMATIONAL, false, UINT32_MAX, &sk);
			ik_v2_b_delete(b, IK_V2_PROTO_IKE, 0, 0, NULL);
			if (ik_v2_send_request(s, b, sk) == 0)
				V2DBG(s, "Sending DELETE INFO message for IKEv2 SA");
			free(b);
		}
	}
	V2DBG(s, "Deleting SA: reason \"%s\" state %s (peer %s:%u)", reason,
	      ik_v2_state_name(s->state), ik_addr_fmt_any(&s->remote.ip, ra), s->remote.port);
	if (s->state != IKEV2_READY)
		e->st.p1_failed++;
	ik_peer_sa_event(&s->sa, IK_PEER_SA_DELETED);
	/* children made by this SA go with it */
	if (s->conn_id) {
		struct ik_child *c, *next;

		/* through the children's address index: only this peer's */
		for (c = ik_core_child_first_addr_ip(e, &s->remote.ip); c; c = next) {
			next = ik_core_child_next_addr(e, c);
			if (c->version == 2 && c->p1_conn_id == s->conn_id)
				ik_core_child_remove(e, c, false, "IKE SA deleted");
		}
	}
	in_neg_leave(s);
	ik_v2_pair_leave(s);
	s->state = IKEV2_DEAD;
	sa_cancel_timers(s);
	if (s->prev)
		s->prev->next = s->next;
	else
		v->sas = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
	ik_core_sa_unlink(&s->sa);
}

static void v2_del(struct ik_ike_sa *sa, const char *reason, bool notify_peer)
{
	ik_v2_sa_delete((struct ik_v2_ike_sa *)sa, reason, notify_peer);
}

void ik_v2_engine_free(struct ik_engine *e)
{
	struct ik_v2_eng *v = e->v2;

	if (!v)
		return;
	ik_v2_pairs_free(e);
	while (v->sas) {
		struct ik_v2_ike_sa *s = v->sas;

		v->sas = s->next;
		ik_core_ho_leave(&s->sa);
		sa_free(s);
	}
	ik_wipe(v, sizeof(*v));
	free(v);
	e->v2 = NULL;
}

void ik_v2_fail(struct ik_v2_ike_sa *s, const char *fmt, ...)
{
	char why[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	ik_dbg(s->e->log, IK_DBG_IKEV2, "IKEv2-ERROR:(SESSION ID = %u,SA ID = %u):: %s",
	       V2ID(s), why);
	ik_msg(s->e->log, IK_LOG_NOTICE, "%%IKEV2-3-NEG_ABORT: Negotiation aborted due to ERROR: "
	       "%s", why);
}

/* ---- established, endpoints ---- */

void ik_v2_sa_established(struct ik_v2_ike_sa *s)
{
	struct ik_engine *e = s->e;
	uint64_t now = ik_core_now(e);
	const struct ik_ikev2_profile *pf = ik_v2_sa_profile(s);
	uint32_t life = pf && pf->lifetime ? pf->lifetime : IK_V2_DEFAULT_LIFETIME;
	uint16_t j = 0;

	/* a rekey's new SA (no IKE_AUTH of its own) was made inside an
	 * authenticated one: its peer is proven too, and it holds the record */
	ik_core_ho_prove(&s->sa);
	in_neg_leave(s);
	ik_v2_sa_set_state(s, IKEV2_READY);
	ik_v2_up(s)->established_ms = now;
	s->up->last_rx_ms = now;
	e->st.p1_done++;
	ik_core_timer_set(e, &s->t_expire, now + (uint64_t)life * 1000);
	/* the initiator rekeys at 85..90 % of the lifetime, jittered */
	ik_core_rand(e, &j, sizeof(j));
	if (s->initiator)
		ik_core_timer_set(e, &s->live->t_rekey, now + (uint64_t)life * (850 + j % 50));
	if (pf && pf->dpd_interval && pf->dpd_periodic)
		ik_core_timer_set(e, &s->live->t_dpd,
				  now + (uint64_t)pf->dpd_interval * 1000);
	if ((s->nat_self) && (pf && pf->nat_keepalive))
		ik_core_timer_set(e, &s->live->t_natka,
				  now + (uint64_t)pf->nat_keepalive * 1000);
	ik_dh_free(s->up->dh);
	s->up->dh = NULL;
	{
		char ida[IK_ADDR_ANYSTRLEN], idb[300];

		ik_addr_fmt_any(&s->local.ip, ida);
		ik_v2_id_fmt(&ik_v2_up(s)->peer_id, idb, sizeof(idb));
		V2DBG(s, "Session with IKE ID PAIR (%s, %s) is UP", s->initiator ? ida : idb,
		      s->initiator ? idb : ida);
	}
	V2DBG(s, "IKE SA established with %s (IKEv2 profile %s)",
	      s->initiator ? "responder" : "initiator", pf ? pf->name : "none");
	ik_v2_more_established(s); /* rekey, liveness and keepalive timers (v2_info.c) */
}

void ik_v2_sa_authenticated(struct ik_v2_ike_sa *s)
{
	const struct ik_v2_eng *v = ik_v2_eng(s->e);
	char oa[IK_ADDR_ANYSTRLEN], na[IK_ADDR_ANYSTRLEN];

	ik_v2_up(s)->last_rx_ms = ik_core_now(s->e);
	if (ik_ep_eq(&v->rx_remote, &s->remote) && v->rx_local.port == s->local.port)
		return;
	V2DBG(s, "peer moved from %s:%u to %s:%u (local port %u), authenticated",
	      ik_addr_fmt_any(&s->remote.ip, oa), s->remote.port,
	      ik_addr_fmt_any(&v->rx_remote.ip, na), v->rx_remote.port, v->rx_local.port);
	ik_core_sa_set_endpoints(&s->sa, &v->rx_local, &v->rx_remote);
	ik_v2_pair_moved(s);
}

void ik_v2_sa_float(struct ik_v2_ike_sa *s)
{
	struct ik_endpoint l = s->local, r = s->remote;

	if (l.port == 4500)
		return;
	l.port = 4500;
	r.port = 4500;
	V2DBG(s, "NAT detected float to init port 4500, resp port 4500");
	ik_core_sa_set_endpoints(&s->sa, &l, &r);
	ik_v2_pair_moved(s);
}

/* ---- sending ---- */

void ik_v2_sa_send(struct ik_v2_ike_sa *s, const uint8_t *d, size_t len)
{
	struct ik_engine *e = s->e;
	char ra[IK_ADDR_ANYSTRLEN], la[IK_ADDR_ANYSTRLEN];

	ik_dbg(e->log, IK_DBG_IKEV2, "IKEv2:(SESSION ID = %u,SA ID = %u):Sending Packet [To "
	       "%s:%u/From %s:%u/VRF i0:f0]", V2ID(s), ik_addr_fmt_any(&s->remote.ip, ra),
	       s->remote.port, ik_addr_fmt_any(&s->local.ip, la), s->local.port);
	ik_peer_sa_msg(&s->sa, d, len, true);
	if (s->local.port == 4500) {
		uint8_t buf[IK_V2_MAX_MSG + 4];

		if (len > IK_V2_MAX_MSG)
			return;
		memset(buf, 0, 4);
		memcpy(buf + 4, d, len);
		e->host.send(e->host.ctx, &s->local, &s->remote, s->fvrf, buf, len + 4);
		return;
	}
	e->host.send(e->host.ctx, &s->local, &s->remote, s->fvrf, d, len);
}

static void out_send(struct ik_v2_ike_sa *s, const struct ik_v2_out *o)
{
	size_t off = 0;

	if (!o->dlen) {
		if (o->n)
			ik_v2_sa_send(s, o->buf, o->len);
		return;
	}
	for (unsigned i = 0; i < o->n && off + o->dlen[i] <= o->len; i++) {
		ik_v2_sa_send(s, o->buf + off, o->dlen[i]);
		off += o->dlen[i];
	}
}

void ik_v2_msg_begin(struct ik_v2_ike_sa *s, struct ik_v2_builder *b, uint8_t exch,
		     bool response, uint32_t msgid, size_t *sk_off)
{
	uint8_t flags = (s->initiator ? IK_V2_FLAG_I : 0) | (response ? IK_V2_FLAG_R : 0);

	if (msgid == UINT32_MAX)
		msgid = ik_v2_rq(s)->next_msgid;
	ik_v2_b_init(b, s->spi_i, s->spi_r, exch, flags, msgid);
	*sk_off = exch == IK_V2_EXCH_IKE_SA_INIT ? 0 : ik_v2_b_sk(b);
}

/* Lets the test host rewrite the inner chain before it is sealed: it sees
 * the header and the inner payloads as one clear chain. */
static void tamper_inner(struct ik_v2_ike_sa *s, struct ik_v2_builder *b, size_t sk_off)
{
	const struct ik_engine_host *h = &s->e->host;
	uint8_t *view;
	size_t inner, len;

	if (!h->tamper || b->overflow || sk_off < IK_V2_HDR_LEN || sk_off + 4 > b->len)
		return;
	inner = b->len - sk_off - 4;
	view = malloc(IK_V2_MAX_MSG);
	if (!view)
		return;
	memcpy(view, b->buf, IK_V2_HDR_LEN);
	view[16] = b->buf[sk_off]; /* the SK payload's next payload: the first inner one */
	memcpy(view + IK_V2_HDR_LEN, b->buf + sk_off + 4, inner);
	len = IK_V2_HDR_LEN + inner;
	h->tamper(h->ctx, IK_TAMPER_ENCRYPT, view, &len,
		  IK_V2_MAX_MSG - (sk_off + 4 - IK_V2_HDR_LEN) - 64);
	if (len >= IK_V2_HDR_LEN && sk_off + 4 + (len - IK_V2_HDR_LEN) <= sizeof(b->buf)) {
		b->buf[sk_off] = view[16];
		memcpy(b->buf + sk_off + 4, view + IK_V2_HDR_LEN, len - IK_V2_HDR_LEN);
		b->len = sk_off + 4 + (len - IK_V2_HDR_LEN);
	}
	free(view);
}

/* Seals or finishes b; the bytes to send are then b->buf, b->len. */
static int msg_seal(struct ik_v2_ike_sa *s, struct ik_v2_builder *b, size_t sk_off)
{
	const struct ik_v2_keys *k;
	uint8_t iv[IK_V2_IV_MAX];
	char err[200];

	if (b->overflow) {
		V2DBG(s, "message does not fit in %u bytes, not sent", IK_V2_MAX_MSG);
		return -1;
	}
	if (b->buf[18] == IK_V2_EXCH_IKE_SA_INIT) {
		ik_v2_b_finish(b);
		return 0;
	}
	if (!(k = ik_v2_sa_keys(s)))
		return -1;
	tamper_inner(s, b, sk_off);
	if (ik_v2_encr_is_aead(k->s.encr)) {
		/* GCM and ChaCha20-Poly1305: an IV never repeated under the key */
		memset(iv, 0, sizeof(iv));
		s->up->iv_seq++;
		for (int i = 0; i < 8; i++)
			iv[i] = (uint8_t)(s->up->iv_seq >> (56 - 8 * i));
	} else {
		ik_core_rand(s->e, iv, ik_v2_iv_len(k->s.encr));
	}
	if (ik_v2_sk_seal(k, s->initiator, b, sk_off, iv, err, sizeof(err))) {
		V2DBG(s, "encryption failed: %s", err);
		return -1;
	}
	return 0;
}

/* The datagrams of b into o: one sealed SK message, or its RFC 7383
 * fragments when the peer takes them and it exceeds the configured MTU. */
static int msg_out(struct ik_v2_ike_sa *s, struct ik_v2_builder *b, size_t sk_off,
		   struct ik_v2_out *o)
{
	if (!b->overflow && b->buf[18] != IK_V2_EXCH_IKE_SA_INIT && ik_v2_frag_needed(s, b)) {
		tamper_inner(s, b, sk_off);
		return ik_v2_frag_out(s, b, sk_off, o) < 0 ? -1 : 0;
	}
	if (msg_seal(s, b, sk_off))
		return -1;
	return out_set(o, b->buf, b->len);
}

/* The payloads of a message being built (the inner chain of SK), for the
 * trace: what IOS prints as "Payload contents" of what it sends. */
static void built_payloads(const struct ik_v2_builder *b, size_t sk_off, char *buf, size_t cap)
{
	size_t o = sk_off ? sk_off + 4 : IK_V2_HDR_LEN, n = 0;
	uint8_t np = sk_off ? b->buf[sk_off] : b->buf[16];

	buf[0] = 0;
	for (unsigned k = 0; np && o + 4 <= b->len && k < IK_V2_MAX_PAYLOADS && n + 64 < cap;
	     k++) {
		size_t l = ik_get16(b->buf + o + 2);

		if (l < 4 || o + l > b->len)
			break;
		if (np == IK_V2_PL_N && l >= 8)
			n += (size_t)snprintf(buf + n, cap - n, "%sN(%s)", n ? " " : "",
					      ik_v2_notify_name(ik_get16(b->buf + o + 6)));
		else
			n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? " " : "",
					      ik_v2_pl_name(np));
		np = b->buf[o];
		o += l;
	}
}

static void trace_out(struct ik_v2_ike_sa *s, const struct ik_v2_builder *b, bool response,
		      const char *contents)
{
	char si[17], sr[17];

	ik_hex(b->buf, 8, si);
	ik_hex(b->buf + 8, 8, sr);
	V2DBG(s, "Initiator SPI : %s - Responder SPI : %s Message id: %u", si, sr,
	      ik_get32(b->buf + 20));
	V2DBG(s, "IKEv2 %s Exchange %s", ik_v2_exch_name(b->buf[18]),
	      response ? "RESPONSE" : "REQUEST");
	V2DBG(s, "Payload contents: %s", contents);
}

int ik_v2_send_request(struct ik_v2_ike_sa *s, struct ik_v2_builder *b, size_t sk_off)
{
	struct ik_v2_req_win *w = ik_v2_rq(s);
	uint32_t msgid = ik_get32(b->buf + 20);
	char contents[512];

	if (w->req_pending && !(msgid == w->req_msgid && msgid == 0)) {
		V2DBG(s, "a request is outstanding (message id %u): %s request not sent",
		      w->req_msgid, ik_v2_exch_name(b->buf[18]));
		return -1;
	}
	built_payloads(b, sk_off, contents, sizeof(contents));
	if (msg_out(s, b, sk_off, &w->req))
		return -1;
	trace_out(s, b, false, contents);
	w->req_pending = true;
	w->req_msgid = msgid;
	w->req_exch = b->buf[18];
	w->req_count = 0;
	w->req_interval_ms = 0;
	if (msgid == w->next_msgid)
		w->next_msgid++;
	out_send(s, &w->req);
	ik_core_timer_set(s->e, &w->t_xmit, ik_core_now(s->e) + IK_V2_RETRANS_BASE_MS);
	return 0;
}

struct ik_v2_child_req *ik_v2_sa_child(struct ik_v2_ike_sa *s)
{
	struct ik_v2_up *up = ik_v2_up(s);

	if (!up->child)
		up->child = ik_xcalloc(1, sizeof(*up->child));
	return up->child;
}

struct ik_v2_up *ik_v2_up(struct ik_v2_ike_sa *s)
{
	if (!s->up) {
		s->up = ik_xcalloc(1, sizeof(*s->up));
		s->up->sa = s;
		s->up->rq.t_xmit.kind = IK_TK_V2_XMIT;
		s->up->last_rx_ms = ik_core_now(s->e);
	}
	return s->up;
}

const struct ik_ikev2_profile *ik_v2_sa_profile(const struct ik_v2_ike_sa *s)
{
	return s->up ? s->up->profile : NULL;
}

struct ik_v2_req_win *ik_v2_rq(struct ik_v2_ike_sa *s)
{
	return &ik_v2_up(s)->rq;
}

bool ik_v2_req_pending(const struct ik_v2_ike_sa *s)
{
	return s->up && s->up->rq.req_pending;
}

int ik_v2_sa_skeyseed(struct ik_v2_ike_sa *s, const struct ik_secret *gir, const uint8_t *ni,
		      size_t ni_len, const uint8_t *nr, size_t nr_len)
{
	ik_secret_free(s->skeyseed);
	if (ik_v2_skeyseed(&s->suite, gir, ni, ni_len, nr, nr_len, &s->skeyseed)) {
		V2DBG(s, "SKEYSEED computation failed");
		return -1;
	}
	return 0;
}

const struct ik_v2_keys *ik_v2_sa_keys(struct ik_v2_ike_sa *s)
{
	struct ik_v2_up *up;
	struct ik_secret *seed = s->skeyseed;

	if (s->have_keys)
		return &s->up->keys;
	if (!seed || !ik_v2_sa_ni(s) || !ik_v2_sa_nr(s))
		return NULL;
	up = ik_v2_up(s);
	s->skeyseed = NULL; /* the keys own it now, or it is freed with them */
	if (ik_v2_derive_keys(&s->suite, seed, ik_v2_sa_ni(s), s->ni_len, ik_v2_sa_nr(s),
			      s->nr_len, s->spi_i, s->spi_r, &up->keys)) {
		V2DBG(s, "key derivation failed");
		return NULL;
	}
	s->have_keys = true;
	V2DBG(s, "Generating KEYMAT: SKEYSEED and SK_* derived");
	return &up->keys;
}

const struct ik_v2_up *ik_v2_up_ro(const struct ik_v2_ike_sa *s)
{
	static const struct ik_v2_up none;

	return s->up ? s->up : &none;
}

void ik_v2_sa_child_done(struct ik_v2_ike_sa *s)
{
	if (!s->up)
		return;
	free(s->up->child);
	s->up->child = NULL;
}

const uint8_t *ik_v2_init_r(const struct ik_v2_ike_sa *s, size_t *len)
{
	*len = s->init_r_len;
	return ik_v2_sa_init_r(s);
}

/* The view of len bytes at off of a kept message of mlen bytes, or NULL. */
static const uint8_t *kept_view(const uint8_t *msg, size_t mlen, size_t off, size_t len)
{
	return off <= mlen && len <= mlen - off ? msg + off : NULL;
}

int ik_v2_keep_request(struct ik_v2_ike_sa *s, size_t ni_off, size_t ni_len)
{
	const struct ik_v2_out *o = &ik_v2_rq(s)->req;
	uint8_t *k;

	if (o->dlen || !kept_view(o->buf, o->len, ni_off, ni_len) || !ni_len ||
	    o->len > UINT16_MAX)
		return -1;
	k = malloc(o->len ? o->len : 1);
	if (!k)
		return -1;
	memcpy(k, o->buf, o->len);
	ik_v2_kept_free(s);
	s->init_i = k;
	s->init_i_len = (uint16_t)o->len;
	s->ni_off = (uint16_t)ni_off;
	s->ni_len = (uint16_t)ni_len;
	return 0;
}

int ik_v2_keep_response(struct ik_v2_ike_sa *s, const uint8_t *msg, size_t len, size_t nr_off,
			size_t nr_len)
{
	size_t il = s->init_i_len;
	uint8_t *k;

	if (!s->init_i || s->init_r_len || !kept_view(msg, len, nr_off, nr_len) ||
	    len > UINT16_MAX || !len || !nr_len)
		return -1;
	k = malloc(il + len);
	if (!k)
		return -1;
	memcpy(k, s->init_i, il);
	memcpy(k + il, msg, len);
	ik_wipe(s->init_i, il);
	free(s->init_i);
	s->init_i = k;
	s->init_r_len = (uint16_t)len;
	s->nr_off = (uint16_t)nr_off;
	s->nr_len = (uint16_t)nr_len;
	return 0;
}

int ik_v2_keep_both(struct ik_v2_ike_sa *s, const uint8_t *req, size_t req_len, size_t ni_off,
		    size_t ni_len, const uint8_t *resp, size_t resp_len, size_t nr_off,
		    size_t nr_len)
{
	bool have = s->have_resp;
	uint8_t *k;

	if (!kept_view(req, req_len, ni_off, ni_len) ||
	    !kept_view(resp, resp_len, nr_off, nr_len) || req_len > UINT16_MAX || !resp_len ||
	    resp_len > UINT16_MAX || !ni_len || !nr_len)
		return -1;
	k = malloc(req_len + resp_len);
	if (!k)
		return -1;
	memcpy(k, req, req_len);
	memcpy(k + req_len, resp, resp_len);
	ik_v2_kept_free(s);
	if (s->up)
		out_clear(&s->up->resp);
	s->have_resp = have;
	s->resp_kept = true; /* resent from the block */
	s->init_i = k;
	s->init_i_len = (uint16_t)req_len;
	s->init_r_len = (uint16_t)resp_len;
	s->ni_off = (uint16_t)ni_off;
	s->ni_len = (uint16_t)ni_len;
	s->nr_off = (uint16_t)nr_off;
	s->nr_len = (uint16_t)nr_len;
	return 0;
}

void ik_v2_kept_free(struct ik_v2_ike_sa *s)
{
	if (s->resp_kept) {
		/* the window's response lives in the block: it goes with it */
		s->resp_kept = false;
		s->have_resp = false;
	}
	if (s->init_i) {
		ik_wipe(s->init_i, (size_t)s->init_i_len + s->init_r_len);
		free(s->init_i);
	}
	s->init_i = NULL;
	s->init_i_len = s->init_r_len = s->ni_off = s->nr_off = 0;
	s->ni_len = s->nr_len = 0;
}

int ik_v2_send_response(struct ik_v2_ike_sa *s, struct ik_v2_builder *b, size_t sk_off)
{
	struct ik_v2_win *w = &s->win;
	uint32_t msgid = ik_get32(b->buf + 20);
	char contents[512];

	built_payloads(b, sk_off, contents, sizeof(contents));
	if (b->buf[18] == IK_V2_EXCH_IKE_SA_INIT) {
		/* the responder's IKE_SA_INIT response goes from b: the caller keeps
		 * it with the request (ik_v2_keep_both), resends come from there */
		if (msg_seal(s, b, sk_off))
			return -1;
		if (s->up)
			out_clear(&s->up->resp);
	} else if (msg_out(s, b, sk_off, &ik_v2_up(s)->resp)) {
		return -1;
	}
	trace_out(s, b, true, contents);
	s->have_resp = true;
	s->resp_kept = false;
	w->resp_msgid = msgid;
	w->last_dup = 0; /* resends of this response are rate-limited anew */
	if (b->buf[18] == IK_V2_EXCH_IKE_SA_INIT)
		ik_v2_sa_send(s, b->buf, b->len);
	else
		out_send(s, &s->up->resp);
	return 0;
}

void ik_v2_send_notify_clear(struct ik_engine *e, const struct ik_endpoint *local,
			     const struct ik_endpoint *remote, const char *fvrf,
			     const struct ik_v2_hdr *req, uint16_t type, const uint8_t *data,
			     size_t len)
{
	static const uint8_t zero[8];
	struct ik_v2_builder *b = malloc(sizeof(*b));
	char ra[IK_ADDR_ANYSTRLEN];

	if (!b)
		return;
	ik_v2_b_init(b, req->spi_i, zero, req->exch, IK_V2_FLAG_R, req->msgid);
	ik_v2_b_notify(b, 0, NULL, 0, type, data, len);
	ik_v2_b_finish(b);
	if (!b->overflow) {
		ik_dbg(e->log, IK_DBG_IKEV2, "IKEv2:Sending Packet [To %s:%u/From %u/VRF i0:f0] "
		       "IKE_SA_INIT RESPONSE N(%s)", ik_addr_fmt_any(&remote->ip, ra),
		       remote->port, local->port, ik_v2_notify_name(type));
		ik_peer_reply(e, &remote->ip, fvrf, b->buf, b->len);
		if (local->port == 4500) {
			uint8_t buf[IK_V2_MAX_MSG + 4];

			memset(buf, 0, 4);
			memcpy(buf + 4, b->buf, b->len);
			e->host.send(e->host.ctx, local, remote, fvrf, buf, b->len + 4);
		} else {
			e->host.send(e->host.ctx, local, remote, fvrf, b->buf, b->len);
		}
	}
	free(b);
}

/* ---- timers ---- */

struct ik_ike_sa *ik_v2_timer_owner(struct ik_timer *t)
{
	return &ik_container_of(t, struct ik_v2_up, rq.t_xmit)->sa->sa;
}

static void retransmit(struct ik_v2_ike_sa *s, uint64_t now)
{
	struct ik_engine *e = s->e;
	struct ik_v2_req_win *w = ik_v2_rq(s);
	unsigned shift;

	if (!w->req_pending)
		return;
	if (w->req_count >= e->opts.retransmit_max) {
		w->req_pending = false;
		if (ik_v2_more_request_timeout(s)) /* a liveness check: the peer is dead */
			return;
		V2DBG(s, "Maximum number of retransmissions reached");
		ik_v2_fail(s, "no response from %s to %s after %u retransmissions",
			   ik_addr_fmt_any(&s->remote.ip, (char[IK_ADDR_ANYSTRLEN]){ 0 }),
			   ik_v2_exch_name(w->req_exch), w->req_count);
		ik_v2_cmap_failover(s);
		ik_v2_sa_delete(s, "Maximum retransmissions", false);
		return;
	}
	w->req_count++;
	e->st.retransmits++;
	ik_peer_sa_event(&s->sa, IK_PEER_RETRANSMIT);
	ik_v2_eng(e)->st.retransmits++;
	V2DBG(s, "Retransmitting packet");
	out_send(s, &w->req);
	shift = w->req_count < 3 ? w->req_count : 3;
	ik_core_timer_set(e, &w->t_xmit, now + (w->req_interval_ms ? w->req_interval_ms :
					      (uint64_t)IK_V2_RETRANS_BASE_MS << shift));
}

static void v2_timer(struct ik_ike_sa *sa, struct ik_timer *t, uint64_t now)
{
	struct ik_v2_ike_sa *s = (struct ik_v2_ike_sa *)sa;

	if (s->dead)
		return;
	switch (t->kind) {
	case IK_TK_V2_XMIT:
		retransmit(s, now);
		break;
	case IK_TK_SA_EXPIRE:
		if (s->state != IKEV2_READY)
			ik_v2_fail(s, "negotiation with %s timed out in state %s",
				   ik_addr_fmt_any(&s->remote.ip, (char[IK_ADDR_ANYSTRLEN]){ 0 }),
				   ik_v2_state_name(s->state));
		ik_v2_sa_delete(s, s->state == IKEV2_READY ? "Lifetime expired" :
				"Negotiation timed out", s->state == IKEV2_READY);
		break;
	default:
		ik_v2_sa_timer(s, t, now);
		break;
	}
}

/* ---- input ---- */

static void trace_in(struct ik_engine *e, const struct ik_endpoint *local,
		     const struct ik_endpoint *remote, const struct ik_v2_hdr *h, unsigned sid)
{
	char ra[IK_ADDR_ANYSTRLEN], la[IK_ADDR_ANYSTRLEN], si[17], sr[17];

	if (!(e->log->debug_mask & IK_DBG_IKEV2))
		return;
	ik_dbg(e->log, IK_DBG_IKEV2, "IKEv2:(SESSION ID = %u,SA ID = %u):Received Packet [From "
	       "%s:%u/To %s:%u/VRF i0:f0]", sid, sid, ik_addr_fmt_any(&remote->ip, ra),
	       remote->port, ik_addr_fmt_any(&local->ip, la), local->port);
	ik_hex(h->spi_i, 8, si);
	ik_hex(h->spi_r, 8, sr);
	ik_dbg(e->log, IK_DBG_IKEV2, "IKEv2:(SESSION ID = %u,SA ID = %u):Initiator SPI : %s - "
	       "Responder SPI : %s Message id: %u", sid, sid, si, sr, h->msgid);
	ik_dbg(e->log, IK_DBG_IKEV2, "IKEv2:(SESSION ID = %u,SA ID = %u):IKEv2 %s Exchange %s",
	       sid, sid, ik_v2_exch_name(h->exch), h->flags & IK_V2_FLAG_R ? "RESPONSE" :
	       "REQUEST");
}

static void trace_payloads(struct ik_engine *e, const struct ik_v2_msg *m, unsigned sid)
{
	char buf[512];
	size_t n = 0;

	if (!(e->log->debug_mask & IK_DBG_IKEV2))
		return;
	buf[0] = 0;
	for (size_t i = 0; i < m->npl && n < sizeof(buf) - 64; i++) {
		const struct ik_pl *pl = &m->pl[i];

		if (pl->type == IK_V2_PL_N && pl->body_len >= 4) {
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%sN(%s)", n ? " " : "",
					      ik_v2_notify_name(ik_get16(pl->body + 2)));
		} else {
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? " " : "",
					      ik_v2_pl_name(pl->type));
		}
	}
	ik_dbg(e->log, IK_DBG_IKEV2, "IKEv2:(SESSION ID = %u,SA ID = %u):Payload contents: %s",
	       sid, sid, buf);
}

/* A message for an existing SA: window, source, ICV, then the handler. */
static void sa_input(struct ik_v2_ike_sa *s, const struct ik_endpoint *local,
		     const struct ik_endpoint *remote, const struct ik_v2_hdr *h,
		     const uint8_t *msg)
{
	struct ik_engine *e = s->e;
	struct ik_v2_win *w = &s->win;
	const struct ik_v2_req_win *rq = &ik_v2_up_ro(s)->rq;
	const struct ik_v2_keys *k;
	bool response = h->flags & IK_V2_FLAG_R;
	bool moved;
	struct ik_v2_rx *rx;
	uint8_t *plain = NULL;
	size_t plain_cap = 0;
	char err[200];
	int rc;

	trace_in(e, local, remote, h, s->sa_id);
	/* The I flag names the original initiator: it must be the peer. */
	if (!!(h->flags & IK_V2_FLAG_I) == s->initiator) {
		V2DBG(s, "message with the wrong Initiator flag, dropped");
		v2_dropped(e);
		return;
	}
	if (response) {
		if (!rq->req_pending || h->msgid != rq->req_msgid || h->exch != rq->req_exch) {
			if (!IK_MUTANT(IK_MUT_V2_MSGID)) {
				V2DBG(s, "response with message id %u does not answer our request "
				      "(%s%u), dropped", h->msgid, rq->req_pending ? "" : "none; ",
				      rq->req_msgid);
				v2_dropped(e);
				return;
			}
		}
	} else {
		if (s->have_resp && h->msgid == w->resp_msgid) {
			/* a retransmitted request: the kept response, at most twice a second */
			uint32_t at = (uint32_t)(ik_core_now(e) - s->created_ms) + 1;

			if (w->last_dup && at - w->last_dup < 500)
				return;
			w->last_dup = at ? at : 1;
			V2DBG(s, "Retransmitted request (message id %u): resending the response",
			      h->msgid);
			if (s->resp_kept)
				ik_v2_sa_send(s, ik_v2_sa_init_r(s), s->init_r_len);
			else if (s->up)
				out_send(s, &s->up->resp);
			return;
		}
		if (h->msgid != w->peer_next && !IK_MUTANT(IK_MUT_V2_MSGID)) {
			V2DBG(s, "request with message id %u, expected %u: dropped", h->msgid,
			      w->peer_next);
			v2_dropped(e);
			return;
		}
	}
	moved = !ik_ep_eq(remote, &s->remote) || local->port != s->local.port;
	ik_v2_eng(e)->rx_local = *local;
	ik_v2_eng(e)->rx_remote = *remote;
	rx = calloc(1, sizeof(*rx));
	if (!rx)
		return;
	rx->raw = msg;
	rx->raw_len = h->len;
	rx->m.hdr = *h;
	if (ik_v2_parse_payloads(msg, h->len, &rx->m, err, sizeof(err))) {
		V2DBG(s, "malformed message from %s: %s",
		      ik_addr_fmt_any(&remote->ip, (char[IK_ADDR_ANYSTRLEN]){ 0 }), err);
		v2_dropped(e);
		goto out;
	}
	if (h->exch == IK_V2_EXCH_IKE_SA_INIT) {
		/* in clear: nothing authenticates it, so it must come from the peer */
		if (moved && !IK_MUTANT(IK_MUT_V2_SRC_ADDR)) {
			V2DBG(s, "IKE_SA_INIT from %s:%u, not the SA's peer %s:%u: dropped",
			      ik_addr_fmt_any(&remote->ip, (char[IK_ADDR_ANYSTRLEN]){ 0 }),
			      remote->port, ik_addr_fmt_any(&s->remote.ip,
			      (char[IK_ADDR_ANYSTRLEN]){ 0 }), s->remote.port);
			v2_dropped(e);
			goto out;
		}
		trace_payloads(e, &rx->m, s->sa_id);
		if (response && s->state == IKEV2_I_INIT_SENT)
			ik_v2_init_response(s, rx);
		else
			V2DBG(s, "IKE_SA_INIT %s in state %s: dropped", response ? "response" :
			      "request", ik_v2_state_name(s->state));
		goto out;
	}
	/* the SK_* of a responder are derived here, for the first encrypted
	 * message (IKE_AUTH or its first fragment) */
	if (!rx->m.sk || !(k = ik_v2_sa_keys(s))) {
		V2DBG(s, "%s without SK payload (or before keys exist): dropped",
		      ik_v2_exch_name(h->exch));
		v2_dropped(e);
		goto out;
	}
	if (moved && IK_MUTANT(IK_MUT_V2_ENDPOINT_AUTH))
		ik_v2_sa_authenticated(s); /* the switched-off check: follow at once */
	if (rx->m.sk->type == IK_V2_PL_SKF) {
		unsigned first_np = 0;

		/* RFC 7383: each fragment's ICV checked, then reassembled (v2_frag.c) */
		plain = malloc(IK_V2_MAX_MSG);
		if (!plain)
			goto out;
		plain_cap = IK_V2_MAX_MSG;
		rc = ik_v2_frag_in(s, msg, h->len, &rx->m, plain, IK_V2_MAX_MSG,
				   &rx->plain_len, &first_np);
		if (rc != 1) {
			if (rc == IK_V2_ICV_MISMATCH)
				ik_peer_sa_event(&s->sa, IK_PEER_DECRYPT_ERR);
			if (rc == IK_V2_ICV_MISMATCH)
				ik_msg(e->log, IK_LOG_WARNING, "%%IKEV2-5-INTEG_CHECK_FAIL: "
				       "integrity check failed on a fragment from %s:%u (SA ID %u)",
				       ik_addr_fmt_any(&remote->ip, (char[IK_ADDR_ANYSTRLEN]){ 0 }),
				       remote->port, s->sa_id);
			if (rc < 0)
				v2_dropped(e);
			goto out;
		}
		rx->m.inner_np = first_np;
		rc = 0;
	} else {
		plain = malloc(h->len);
		if (!plain)
			goto out;
		plain_cap = h->len;
		rc = ik_v2_sk_open(k, h->flags & IK_V2_FLAG_I, msg, h->len, rx->m.sk,
				   plain, h->len, &rx->plain_len, err, sizeof(err));
	}
	if (rc) {
		V2DBG(s, "%s", rc == IK_V2_ICV_MISMATCH ? "Failed to verify the checksum of the "
		      "encrypted payload (ICV mismatch): message dropped" : err);
		if (rc == IK_V2_ICV_MISMATCH)
			ik_peer_sa_event(&s->sa, IK_PEER_DECRYPT_ERR);
		if (rc == IK_V2_ICV_MISMATCH)
			ik_msg(e->log, IK_LOG_WARNING, "%%IKEV2-5-INTEG_CHECK_FAIL: integrity "
			       "check failed on a message from %s:%u (SA ID %u)",
			       ik_addr_fmt_any(&remote->ip, (char[IK_ADDR_ANYSTRLEN]){ 0 }),
			       remote->port, s->sa_id);
		v2_dropped(e);
		goto out;
	}
	rx->plain = plain;
	if (ik_v2_parse_inner(plain, rx->plain_len, rx->m.inner_np, h->exch, &rx->m, err,
			      sizeof(err))) {
		V2DBG(s, "malformed encrypted payloads: %s", err);
		v2_dropped(e);
		goto out;
	}
	trace_payloads(e, &rx->m, s->sa_id);
	/* authenticated: the window moves, and the SA follows the peer */
	if (response) {
		ik_v2_rq(s)->req_pending = false;
		ik_timer_cancel(&e->timers, &s->up->rq.t_xmit);
	} else {
		w->peer_next = h->msgid + 1;
	}
	if (moved)
		ik_v2_sa_authenticated(s);
	else
		ik_v2_up(s)->last_rx_ms = ik_core_now(e);
	switch (h->exch) {
	case IK_V2_EXCH_IKE_AUTH:
		if (!response && s->state == IKEV2_R_INIT_SENT)
			ik_v2_auth_request(s, rx);
		else if (response && s->state == IKEV2_I_AUTH_SENT)
			ik_v2_auth_response(s, rx);
		else
			V2DBG(s, "IKE_AUTH %s in state %s: dropped", response ? "response" :
			      "request", ik_v2_state_name(s->state));
		break;
	case IK_V2_EXCH_INFORMATIONAL:
		if (response)
			ik_v2_info_response(s, rx);
		else
			ik_v2_info_request(s, rx);
		break;
	case IK_V2_EXCH_CREATE_CHILD_SA:
		if (s->state != IKEV2_READY)
			V2DBG(s, "CREATE_CHILD_SA before IKE_AUTH completed: dropped");
		else if (response)
			ik_v2_ccsa_response(s, rx);
		else
			ik_v2_ccsa_request(s, rx);
		break;
	default:
		break;
	}
	if (!s->dead && response && !ik_v2_req_pending(s))
		ik_v2_win_idle(s);
out:
	if (plain) {
		ik_wipe(plain, plain_cap);
		free(plain);
	}
	free(rx);
}

void ik_v2_input(struct ik_engine *e, const struct ik_endpoint *local,
		 const struct ik_endpoint *remote, const char *fvrf, const uint8_t *msg,
		 size_t len)
{
	static const uint8_t zero[8];
	struct ik_v2_hdr h;
	struct ik_v2_ike_sa *s;
	char err[200], ra[IK_ADDR_ANYSTRLEN];

	if (ik_v2_parse_hdr(msg, len, &h, err, sizeof(err))) {
		ik_dbg(e->log, IK_DBG_IKEV2, "IKEv2:Received a malformed packet from %s:%u: %s",
		       ik_addr_fmt_any(&remote->ip, ra), remote->port, err);
		v2_dropped(e);
		return;
	}
	s = ik_v2_sa_find(e, h.spi_i, h.spi_r);
	if (s) {
		ik_peer_sa_rx(&s->sa);
		sa_input(s, local, remote, &h, msg);
		return;
	}
	if (h.exch == IK_V2_EXCH_IKE_SA_INIT && !(h.flags & IK_V2_FLAG_R) &&
	    (h.flags & IK_V2_FLAG_I) && h.msgid == 0 && !memcmp(h.spi_r, zero, 8)) {
		struct ik_v2_rx *rx = calloc(1, sizeof(*rx));

		if (!rx)
			return;
		rx->raw = msg;
		rx->raw_len = h.len;
		rx->m.hdr = h;
		/* traced under the id the SA will take */
		trace_in(e, local, remote, &h, ik_v2_eng(e)->next_session_id);
		if (ik_v2_parse_payloads(msg, h.len, &rx->m, err, sizeof(err))) {
			ik_dbg(e->log, IK_DBG_IKEV2, "IKEv2:Received a malformed IKE_SA_INIT from "
			       "%s:%u: %s", ik_addr_fmt_any(&remote->ip, ra), remote->port, err);
			v2_dropped(e);
		} else {
			trace_payloads(e, &rx->m, ik_v2_eng(e)->next_session_id);
			ik_v2_init_request(e, local, remote, fvrf, rx);
		}
		free(rx);
		return;
	}
	v2_dropped(e);
	ik_dbg(e->log, IK_DBG_IKEV2, "IKEv2:Received %s %s from %s:%u for an unknown IKE SA: "
	       "dropped", ik_v2_exch_name(h.exch), h.flags & IK_V2_FLAG_R ? "response" :
	       "request", ik_addr_fmt_any(&remote->ip, ra), remote->port);
}

static const struct ik_ike_sa_ops v2_ops = {
	.version = 2,
	.timer = v2_timer,
	.del = v2_del,
	.show = NULL,
	.free = v2_free,
};

/* ---- initiation ---- */

int ik_v2_initiate(struct ik_engine *e, const struct ik_interface *t, const struct ik_addr *src,
		   unsigned rekey_of, struct ik_sb *err)
{
	struct ik_v2_eng *v = ik_v2_eng(e);
	struct ik_endpoint local = ik_ep(src, 500), remote;
	struct ik_v2_ike_sa *s;
	struct ik_addr dst;
	char da[IK_ADDR_ANYSTRLEN];

	ik_iface_tunnel_dest(t, &dst);
	remote = ik_ep(&dst, 500);
	/* one negotiation per tunnel: through the peer's address chain */
	for (struct ik_hlink *l = ik_core_sa_first_addr_ip(e, &dst); l;
	     l = ik_htab_next(l)) {
		struct ik_ike_sa *sa = ik_container_of(l, struct ik_ike_sa, by_addr);
		struct ik_v2_ike_sa *o = (struct ik_v2_ike_sa *)sa;

		if (!sa->dead && sa->version == 2 && sa->initiator && ik_v2_up_ro(o)->tunnel &&
		    !strcmp(o->up->tunnel->name, t->name) && sa->state != IKEV2_READY)
			return 0;
	}
	(void)v;
	s = ik_v2_sa_new(e, true, &local, &remote, ik_core_tunnel_fvrf(t));
	if (!s) {
		ik_sb_printf(err, "%% out of memory");
		return -1;
	}
	s->up->tunnel = t; /* an initiator has its block from creation (ik_v2_sa_new) */
	s->up->profile = t->protection->ikev2_profile;
	s->up->want_child = true;
	ik_v2_sa_child(s)->rekey_of = rekey_of;
	V2DBG(s, "Initiating IKEv2 for %s to %s (IKEv2 profile %s)", t->name,
	      ik_addr_fmt_ios(&dst, da), t->protection->ikev2_profile->name);
	if (ik_v2_init_start(s)) {
		ik_sb_printf(err, "%% %s: IKEv2 could not start (see debug crypto ikev2)", t->name);
		ik_v2_sa_delete(s, "could not start", false);
		return -1;
	}
	return 0;
}
