/* The engine's entry points and the IKEv1 glue: admission of first
 * messages, input demultiplexing, timer dispatch, initiation, clearing and
 * reload (what both versions share without being IKEv1 is in core.c, the
 * IKE SA table and half-open accounting in sa_table.c). The exchanges
 * themselves are in v1_mm.c (Main Mode), v1_qm.c (Quick Mode) and v1_info.c
 * (informational), driven by the state table of v1_states.c. */
#include "ike/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/v1_int.h"
#include "ike/v2_int.h"
#include "ike/v2_more.h"
#include "profile/snapshot.h"
#include "util/addr.h"
#include "util/mutant.h"
#include "util/util.h"

/* ---- small helpers ---- */

uint64_t ik_v1_digest(const uint8_t *d, size_t len)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < len; i++) {
		h ^= d[i];
		h *= 1099511628211ull;
	}
	return h ^ len;
}

/* The same address: IPv4 (4 bytes) or IPv6 (16), never equal across
 * families. */
static bool ep_same_addr(const struct ik_endpoint *a, const struct ik_endpoint *b)
{
	return ik_addr_eq(&a->ip, &b->ip);
}

const struct ik_trace *ik_v1_tr(const struct ik_p1 *p1, struct ik_trace *tr)
{
	tr->log = p1->e->log;
	tr->conn_id = p1->conn_id;
	return tr;
}

static const char *const p1_names[] = {
	[IKE_READY] = "IKE_READY",
	[IKE_I_MM1] = "IKE_I_MM1", [IKE_I_MM2] = "IKE_I_MM2", [IKE_I_MM3] = "IKE_I_MM3",
	[IKE_I_MM4] = "IKE_I_MM4", [IKE_I_MM5] = "IKE_I_MM5", [IKE_I_MM6] = "IKE_I_MM6",
	[IKE_R_MM1] = "IKE_R_MM1", [IKE_R_MM2] = "IKE_R_MM2", [IKE_R_MM3] = "IKE_R_MM3",
	[IKE_R_MM4] = "IKE_R_MM4", [IKE_R_MM5] = "IKE_R_MM5",
	[IKE_I_AM1] = "IKE_I_AM1", [IKE_R_AM_AAA_AWAIT] = "IKE_R_AM_AAA_AWAIT",
	[IKE_R_AM2] = "IKE_R_AM2",
	[IKE_P1_COMPLETE] = "IKE_P1_COMPLETE",
	[IKE_DEST_SA] = "IKE_DEST_SA",
};

const char *ik_v1_p1_state_name(enum ik_p1_state s)
{
	return (unsigned)s < IK_ARRAY_LEN(p1_names) ? p1_names[s] : "?";
}

/* The state word of show crypto isakmp sa and of the packet trace lines. */
const char *ik_v1_p1_disp(const struct ik_p1 *p1)
{
	switch (p1->state) {
	case IKE_READY:
	case IKE_I_MM1:
		return "MM_NO_STATE";
	case IKE_R_MM1:
	case IKE_R_MM2:
	case IKE_I_MM2:
	case IKE_I_MM3:
		return "MM_SA_SETUP";
	case IKE_R_MM3:
	case IKE_R_MM4:
	case IKE_R_MM5:
	case IKE_I_MM4:
	case IKE_I_MM5:
	case IKE_I_MM6:
		return "MM_KEY_EXCH";
	case IKE_I_AM1:
	case IKE_R_AM_AAA_AWAIT:
	case IKE_R_AM2:
		return "AG_INIT_EXCH";
	case IKE_P1_COMPLETE:
		return "QM_IDLE";
	case IKE_DEST_SA:
	default:
		return "MM_NO_STATE";
	}
}

static const char *const qm_names[] = {
	[IKE_QM_READY] = "IKE_QM_READY",
	[IKE_QM_I_QM1] = "IKE_QM_I_QM1",
	[IKE_QM_SPI_STARVE] = "IKE_QM_SPI_STARVE",
	[IKE_QM_IPSEC_INSTALL_AWAIT] = "IKE_QM_IPSEC_INSTALL_AWAIT",
	[IKE_QM_R_QM2] = "IKE_QM_R_QM2",
	[IKE_QM_PHASE2_COMPLETE] = "IKE_QM_PHASE2_COMPLETE",
};

const char *ik_v1_qm_state_name(enum ik_qm_state s)
{
	return (unsigned)s < IK_ARRAY_LEN(qm_names) ? qm_names[s] : "?";
}

void ik_v1_p1_set_state(struct ik_p1 *p1, const char *input, enum ik_p1_state to)
{
	const struct ik_log *lg = p1->e->log;

	ik_dbg(lg, IK_DBG_ISAKMP, "ISAKMP:(%u):Input = %s", p1->conn_id, input);
	ik_dbg(lg, IK_DBG_ISAKMP, "ISAKMP:(%u):Old State = %s New State = %s", p1->conn_id,
	       ik_v1_p1_state_name(p1->state), ik_v1_p1_state_name(to));
	p1->state = to;
	if (to == IKE_P1_COMPLETE) {
		ik_v1_p1_up(p1);
		ik_core_sa_live(&p1->sa);
	}
	if (to >= IKE_R_MM3 && to <= IKE_R_MM5)
		ik_core_ho_prove(&p1->sa);
	else if (to == IKE_P1_COMPLETE) {
		ik_core_ho_prove(&p1->sa); /* Aggressive Mode: proven on completion */
		ik_core_ho_leave(&p1->sa);
	}
}

void ik_v1_assign_conn_id(struct ik_p1 *p1)
{
	if (!p1->conn_id)
		p1->conn_id = p1->e->next_conn_id++;
}

/* ---- exchange material ---- */

void ik_v1_nonce_free(uint8_t **n, size_t *len)
{
	if (*n)
		ik_wipe(*n, *len);
	free(*n);
	*n = NULL;
	*len = 0;
}

int ik_v1_nonce_set(struct ik_engine *e, uint8_t **dst, size_t *dlen, const uint8_t *src,
		    size_t len)
{
	uint8_t *n = malloc(len ? len : 1);

	if (!n)
		return -1;
	if (src)
		memcpy(n, src, len);
	else
		ik_core_rand(e, n, len);
	ik_v1_nonce_free(dst, dlen);
	*dst = n;
	*dlen = len;
	return 0;
}

bool ik_v1_msgid_seen(const struct ik_p1 *p1, uint32_t msgid)
{
	if (!p1->up || !p1->up->seen_msgid)
		return false;
	for (size_t i = 0; i < IK_V1_SEEN_MSGID; i++)
		if (p1->up->seen_msgid[i] == msgid)
			return true;
	return false;
}

void ik_v1_msgid_remember(struct ik_p1 *p1, uint32_t msgid)
{
	if (!ik_v1_p1_up(p1)->seen_msgid)
		p1->up->seen_msgid = ik_xcalloc(IK_V1_SEEN_MSGID, sizeof(*p1->up->seen_msgid));
	p1->up->seen_msgid[p1->up->seen_next++ % IK_V1_SEEN_MSGID] = msgid;
}

/* ---- sending ---- */

void ik_v1_send(struct ik_p1 *p1, const uint8_t *msg, size_t len)
{
	struct ik_engine *e = p1->e;
	char ra[IK_ADDR_ANYSTRLEN];

	ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP:(%u): sending packet to %s my_port %u peer_port %u "
	       "(%c) %s", p1->conn_id, ik_addr_fmt_ios(&p1->remote.ip, ra), p1->local.port,
	       p1->remote.port, p1->initiator ? 'I' : 'R', ik_v1_p1_disp(p1));
	ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP:(%u):Sending an IKE IPv%c Packet.", p1->conn_id,
	       p1->remote.family == IK_AF_INET6 ? '6' : '4');
	ik_peer_sa_msg(&p1->sa, msg, len, true);
	if (p1->local.port == 4500) {
		/* RFC 3947/3948: IKE on the NAT-T port carries the non-ESP marker. */
		uint8_t buf[IK_V1_MAX_MSG + 4];

		if (len > IK_V1_MAX_MSG)
			return;
		memset(buf, 0, 4);
		memcpy(buf + 4, msg, len);
		e->host.send(e->host.ctx, &p1->local, &p1->remote, p1->fvrf, buf, len + 4);
		return;
	}
	e->host.send(e->host.ctx, &p1->local, &p1->remote, p1->fvrf, msg, len);
}

void ik_v1_xmit_clear(struct ik_xmit *x)
{
	if (x->ts)
		ik_timer_cancel(x->ts, &x->t);
	free(x->buf);
	x->buf = NULL;
	x->len = 0;
	x->count = 0;
}

void ik_v1_xmit_set(struct ik_p1 *p1, struct ik_xmit *x, const uint8_t *msg, size_t len,
		    bool retransmit)
{
	uint8_t *copy = malloc(len ? len : 1);

	if (!copy)
		return;
	memcpy(copy, msg, len);
	free(x->buf);
	x->buf = copy;
	x->len = len;
	x->count = 0;
	x->ts = &p1->e->timers;
	ik_core_timer_set(p1->e, &x->t, retransmit ? ik_core_now(p1->e) + IK_CORE_RETRANS_BASE_MS : 0);
}

/* ---- SA table ---- */

static const struct ik_ike_sa_ops v1_ops;

static bool admit(struct ik_engine *e, const struct ik_endpoint *local,
		  const struct ik_endpoint *remote, const char *fvrf);

struct ik_p1 *ik_v1_p1_new(struct ik_engine *e, bool initiator, const struct ik_endpoint *local,
			   const struct ik_endpoint *remote, const char *fvrf)
{
	struct ik_p1 *p1 = calloc(1, sizeof(*p1));

	if (!p1)
		return NULL;
	p1->ops = &v1_ops;
	p1->version = 1;
	p1->e = e;
	p1->initiator = initiator;
	p1->local = *local;
	p1->remote = *remote;
	p1->fvrf = fvrf ? strdup(fvrf) : NULL;
	p1->cfg = ik_core_cfg_hold(e, e->cfg);
	p1->state = IKE_READY;
	p1->created_ms = ik_core_now(e);
	p1->last_rx_ms = p1->created_ms;
	p1->x.t.kind = IK_TK_SA_XMIT;
	p1->t_expire.kind = IK_TK_SA_EXPIRE;
	ik_core_timer_set(e, &p1->t_expire, p1->created_ms + ik_core_exchange_limit_ms(e));
	do
		ik_core_rand(e, initiator ? p1->cky_i : p1->cky_r, 8);
	while (!memcmp(initiator ? p1->cky_i : p1->cky_r, "\0\0\0\0\0\0\0\0", 8));
	p1->next = e->p1s;
	if (e->p1s)
		e->p1s->prev = p1;
	e->p1s = p1;
	ik_core_sa_link(&p1->sa);
	ik_peer_sa_event(&p1->sa, IK_PEER_SA_CREATED);
	if (initiator)
		ik_htab_add(&e->sa_by_spi, &p1->by_spi, ik_core_hash_spi(e, p1->cky_i));
	return p1;
}

struct ik_p1_up *ik_v1_p1_up(struct ik_p1 *p1)
{
	if (!p1->up)
		p1->up = ik_xcalloc(1, sizeof(*p1->up));
	return p1->up;
}

/* Called once the responder knows the initiator cookie (MM1). */
void ik_v1_p1_rehash(struct ik_p1 *p1)
{
	ik_htab_add(&p1->e->sa_by_spi, &p1->by_spi, ik_core_hash_spi(p1->e, p1->cky_i));
}

void ik_v1_p1_set_endpoints(struct ik_p1 *p1, const struct ik_endpoint *local,
			    const struct ik_endpoint *remote)
{
	ik_core_sa_set_endpoints(&p1->sa, local, remote);
}

bool ik_core_admit(struct ik_engine *e, const struct ik_endpoint *local,
		   const struct ik_endpoint *remote, const char *fvrf)
{
	return admit(e, local, remote, fvrf);
}

static struct ik_p1 *p1_lookup(struct ik_engine *e, const uint8_t icky[8], const uint8_t rcky[8])
{
	static const uint8_t zero[8];
	uint64_t h = ik_core_hash_spi(e, icky);

	for (struct ik_hlink *l = ik_htab_first(&e->sa_by_spi, h); l; l = ik_htab_next(l)) {
		struct ik_ike_sa *sa = ik_container_of(l, struct ik_ike_sa, by_spi);
		struct ik_p1 *p1 = (struct ik_p1 *)sa;

		if (sa->dead || sa->version != 1 || memcmp(p1->cky_i, icky, 8))
			continue;
		if (!memcmp(p1->cky_r, rcky, 8))
			return p1;
		/* A retransmitted MM1 (or a message for an SA being built) still
		 * carries a zero responder cookie. */
		if (!p1->initiator && !memcmp(rcky, zero, 8))
			return p1;
		/* MM2 or AM2: the initiator learns the responder cookie. */
		if (p1->initiator && (p1->state == IKE_I_MM1 || p1->state == IKE_I_AM1) &&
		    !memcmp(p1->cky_r, zero, 8))
			return p1;
	}
	return NULL;
}

struct ik_p1 *ik_v1_p1_find_cookies(struct ik_engine *e, const uint8_t icky[8],
				    const uint8_t rcky[8])
{
	uint64_t h = ik_core_hash_spi(e, icky);

	for (struct ik_hlink *l = ik_htab_first(&e->sa_by_spi, h); l; l = ik_htab_next(l)) {
		struct ik_ike_sa *sa = ik_container_of(l, struct ik_ike_sa, by_spi);

		if (!sa->dead && sa->version == 1 && !memcmp(sa->spi_i, icky, 8) &&
		    !memcmp(sa->spi_r, rcky, 8))
			return (struct ik_p1 *)sa;
	}
	return NULL;
}

static void qm_cancel_timers(struct ik_engine *e, struct ik_qm *q)
{
	ik_timer_cancel(&e->timers, &q->x.t);
	ik_timer_cancel(&e->timers, &q->t_expire);
}

static void p1_cancel_timers(struct ik_p1 *p1)
{
	struct ik_timers *ts = &p1->e->timers;

	ik_timer_cancel(ts, &p1->x.t);
	ik_timer_cancel(ts, &p1->t_expire);
	ik_core_sa_live_cancel(&p1->sa);
	for (struct ik_qm *q = p1->up ? p1->up->qms : NULL; q; q = q->next)
		qm_cancel_timers(p1->e, q);
}

static void p1_free(struct ik_p1 *p1)
{
	p1_cancel_timers(p1);
	while (p1->up && p1->up->qms) {
		struct ik_qm *q = p1->up->qms;

		p1->up->qms = q->next;
		ik_v1_qm_free(q);
	}
	ik_core_sa_live_free(&p1->sa);
	ik_v1_xmit_clear(&p1->x);
	free(p1->sai_b);
	free(p1->gxi);
	free(p1->gxr);
	ik_dh_free(p1->dh);
	ik_v1_keys_free(p1->keys);
	free(p1->keys);
	ik_v1_nonce_free(&p1->ni, &p1->ni_len);
	ik_v1_nonce_free(&p1->nr, &p1->nr_len);
	if (p1->up) {
		free(p1->up->seen_msgid);
		free(p1->up->peer_id_name);
		free(p1->up->cmx);
	}
	free(p1->up);
	if (p1->am_hash_i)
		ik_wipe(p1->am_hash_i, IK_V1_AM_HASH_LEN);
	free(p1->am_hash_i);
	if (p1->e->v1_rx_moved == p1)
		p1->e->v1_rx_moved = NULL;
	ik_core_cfg_release(p1->e, p1->cfg);
	free(p1->fvrf);
	free(p1);
}

static void v1_free(struct ik_ike_sa *sa)
{
	p1_free((struct ik_p1 *)sa);
}

void ik_v1_p1_delete(struct ik_p1 *p1, const char *reason, bool notify_peer)
{
	struct ik_engine *e = p1->e;
	char ra[IK_ADDR_ANYSTRLEN];

	if (p1->dead)
		return;
	if (notify_peer && p1->state == IKE_P1_COMPLETE) {
		uint8_t spi[16];

		memcpy(spi, p1->cky_i, 8);
		memcpy(spi + 8, p1->cky_r, 8);
		ik_v1_send_delete(p1, IK_V1_PROTO_ISAKMP, spi, 16, 1);
	}
	ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP:(%u):deleting SA reason \"%s\" state (%c) %s "
	       "(peer %s)", p1->conn_id, reason, p1->initiator ? 'I' : 'R', ik_v1_p1_disp(p1),
	       ik_addr_fmt_ios(&p1->remote.ip, ra));
	if (p1->state != IKE_P1_COMPLETE)
		e->st.p1_failed++;
	ik_peer_sa_event(&p1->sa, IK_PEER_SA_DELETED);
	ik_core_ho_leave(&p1->sa);
	p1->dead = true;
	p1->state = IKE_DEST_SA;
	ik_htab_del(&e->sa_by_spi, &p1->by_spi);
	ik_core_sa_unindex_peer(&p1->sa);
	p1_cancel_timers(p1);
	/* out of the admin list now; freed after the event that deleted it */
	if (p1->prev)
		p1->prev->next = p1->next;
	else
		e->p1s = p1->next;
	if (p1->next)
		p1->next->prev = p1->prev;
	p1->next = p1->prev = NULL;
	p1->free_next = e->free_list;
	e->free_list = &p1->sa;
}

static void v1_del(struct ik_ike_sa *sa, const char *reason, bool notify_peer)
{
	ik_v1_p1_delete((struct ik_p1 *)sa, reason, notify_peer);
}

/* Frees the SAs deleted during the event. */
static void reap(struct ik_engine *e)
{
	while (e->free_list) {
		struct ik_ike_sa *sa = e->free_list;

		e->free_list = sa->free_next;
		sa->ops->free(sa);
	}
}

struct ik_p1 *ik_v1_p1_find_peer(struct ik_engine *e, uint32_t local, uint32_t remote,
				 bool established)
{
	struct ik_addr ra = ik_addr_v4(remote), la = ik_addr_v4(local);

	return ik_v1_p1_find_peer_ip(e, local ? &la : NULL, &ra, established);
}

struct ik_p1 *ik_v1_p1_find_peer_ip(struct ik_engine *e, const struct ik_addr *local,
				    const struct ik_addr *remote, bool established)
{
	struct ik_p1 *best = NULL;
	uint64_t h = ik_core_hash_addr(e, remote);

	if (local && ik_addr_is_any(local))
		local = NULL;
	for (struct ik_hlink *l = ik_htab_first(&e->sa_by_addr, h); l; l = ik_htab_next(l)) {
		struct ik_ike_sa *sa = ik_container_of(l, struct ik_ike_sa, by_addr);
		struct ik_p1 *p1 = (struct ik_p1 *)sa;

		if (sa->version != 1 || p1->dead || !ik_addr_eq(&p1->remote.ip, remote) ||
		    (local && !ik_addr_eq(&p1->local.ip, local)))
			continue;
		if (established && p1->state != IKE_P1_COMPLETE)
			continue;
		if (!best || p1->created_ms > best->created_ms ||
		    (p1->created_ms == best->created_ms && p1->conn_id >= best->conn_id))
			best = p1;
	}
	return best;
}

static bool same_peer(const struct ik_p1 *a, const char *fvrf, const struct ik_endpoint *local,
		      const struct ik_endpoint *remote)
{
	return ep_same_addr(&a->remote, remote) && a->remote.port == remote->port &&
	       ep_same_addr(&a->local, local) &&
	       ((!a->fvrf && !fvrf) || (a->fvrf && fvrf && !strcmp(a->fvrf, fvrf)));
}

void ik_v1_peer_each(struct ik_p1 *p1, struct ik_p1 *except,
		     void (*sa_fn)(struct ik_p1 *o, void *arg),
		     void (*child_fn)(struct ik_engine *e, struct ik_child *c, void *arg),
		     void *arg)
{
	struct ik_engine *e = p1->e;
	struct ik_endpoint local = p1->local, remote = p1->remote;
	char *fvrf = p1->fvrf;
	uint64_t h = ik_core_hash_peer(e, fvrf, &local.ip, &remote.ip, remote.port);
	struct ik_hlink *l, *next;

	if (child_fn)
		for (l = ik_htab_first(&e->ch_by_peer, h); l; l = next) {
			struct ik_child *c = ik_container_of(l, struct ik_child, by_peer);

			next = ik_htab_next(l);
			if (ep_same_addr(&c->remote, &remote) && c->remote.port == remote.port &&
			    ep_same_addr(&c->local, &local) &&
			    ((!c->fvrf && !fvrf) || (c->fvrf && fvrf && !strcmp(c->fvrf, fvrf))))
				child_fn(e, c, arg);
		}
	if (sa_fn)
		for (l = ik_htab_first(&e->sa_by_peer, h); l; l = next) {
			struct ik_ike_sa *sa = ik_container_of(l, struct ik_ike_sa, by_peer);
			struct ik_p1 *o = (struct ik_p1 *)sa;

			next = ik_htab_next(l);
			if (o != except && sa->version == 1 && !o->dead &&
			    same_peer(o, fvrf, &local, &remote))
				sa_fn(o, arg);
		}
}

/* ---- children ---- */

unsigned ik_v1_child_remove_out(struct ik_engine *e, uint32_t remote, uint32_t spi,
				const char *why)
{
	struct ik_addr ra = ik_addr_v4(remote);

	return ik_v1_child_remove_out_ip(e, &ra, spi, why);
}

unsigned ik_v1_child_remove_out_ip(struct ik_engine *e, const struct ik_addr *remote,
				   uint32_t spi, const char *why)
{
	struct ik_hlink *l, *next;
	unsigned n = 0;

	for (l = ik_htab_first(&e->ch_by_spi_out, ik_core_hash_u32(e, 's', spi)); l; l = next) {
		struct ik_child *c = ik_container_of(l, struct ik_child, by_spi_out);

		next = ik_htab_next(l);
		/* a peer deletes its own SAs, not another peer's */
		if (c->sa.out.spi == spi &&
		    (ik_addr_eq(&c->remote.ip, remote) || IK_MUTANT(IK_MUT_DELETE_ESP_SCOPE))) {
			ik_core_child_remove(e, c, false, why);
			n++;
		}
	}
	return n;
}

static bool same_peer(const struct ik_p1 *a, const char *fvrf, const struct ik_endpoint *local,
		      const struct ik_endpoint *remote);

/* The newest established SA with this very peer (fvrf, address and port):
 * through the peer index, whatever the number of peers behind its address. */
static struct ik_p1 *p1_find_exact(struct ik_engine *e, const char *fvrf,
				   const struct ik_endpoint *local,
				   const struct ik_endpoint *remote)
{
	uint64_t h = ik_core_hash_peer(e, fvrf, &local->ip, &remote->ip, remote->port);
	struct ik_p1 *best = NULL;

	for (struct ik_hlink *l = ik_htab_first(&e->sa_by_peer, h); l; l = ik_htab_next(l)) {
		struct ik_ike_sa *sa = ik_container_of(l, struct ik_ike_sa, by_peer);
		struct ik_p1 *p1 = (struct ik_p1 *)sa;

		if (sa->version != 1 || p1->dead || p1->state != IKE_P1_COMPLETE ||
		    !same_peer(p1, fvrf, local, remote))
			continue;
		if (!best || p1->created_ms > best->created_ms ||
		    (p1->created_ms == best->created_ms && p1->conn_id >= best->conn_id))
			best = p1;
	}
	return best;
}

static void v1_child_notify_delete(struct ik_engine *e, struct ik_child *c)
{
	struct ik_p1 *p1 = p1_find_exact(e, c->fvrf, &c->local, &c->remote);

	if (!p1)
		p1 = ik_v1_p1_find_peer_ip(e, &c->local.ip, &c->remote.ip, true);

	if (p1) {
		uint8_t spi[4];

		ik_put32(spi, c->sa.in.spi);
		ik_v1_send_delete(p1, IK_V1_PROTO_ESP, spi, 4, 1);
	}
}

static void v1_child_rekey(struct ik_engine *e, struct ik_child *c, uint64_t now);

static const struct ik_child_ops v1_child_ops = {
	.version = 1,
	.rekey = v1_child_rekey,
	.notify_delete = v1_child_notify_delete,
};

void ik_v1_child_insert(struct ik_engine *e, struct ik_child *c, uint64_t soft_ms,
			uint64_t hard_ms)
{
	ik_core_child_insert(e, c, &v1_child_ops, soft_ms, hard_ms);
}

/* ---- Quick Mode nodes ---- */

void ik_v1_qm_done(struct ik_qm *q, uint64_t linger_until)
{
	if (!q->done)
		q->p1->up->qm_pending--;
	q->done = true;
	ik_core_timer_set(q->p1->e, &q->t_expire, linger_until);
}

static void count_child(struct ik_engine *e, struct ik_child *c, void *arg)
{
	(void)e;
	(void)c;
	(*(unsigned *)arg)++;
}

void ik_v1_qm_make_room(struct ik_p1 *p1)
{
	struct ik_qm *oldest = NULL;

	if (!p1->up || p1->up->qm_count < IK_V1_SA_MAX_QM_NODES)
		return;
	/* newest first: the last done node is the oldest */
	for (struct ik_qm *q = p1->up->qms; q; q = q->next)
		if (q->done)
			oldest = q;
	if (!oldest)
		return;
	ik_dbg(p1->e->log, IK_DBG_ISAKMP, "ISAKMP:(%u):deleting node %u error FALSE reason "
	       "\"%u nodes on this SA: completed node released early\"", p1->conn_id,
	       oldest->msgid, p1->up->qm_count);
	ik_v1_qm_unlink(p1, oldest);
	ik_v1_qm_free(oldest);
}

bool ik_v1_qm_refused(struct ik_p1 *p1)
{
	struct ik_engine *e = p1->e;
	char ra[IK_ADDR_ANYSTRLEN];
	unsigned n = 0;

	if (ik_v1_p1_up(p1)->qm_pending >= IK_V1_SA_MAX_QM) {
		ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP:(%u): %u Quick Mode exchanges under way with "
		       "%s (limit %u), new one refused", p1->conn_id, p1->up->qm_pending,
		       ik_addr_fmt_ios(&p1->remote.ip, ra), IK_V1_SA_MAX_QM);
		return true;
	}
	ik_v1_peer_each(p1, NULL, NULL, count_child, &n);
	if (n >= IK_CORE_PEER_MAX_CHILD) {
		ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP:(%u): peer %s port %u has %u IPsec SA pairs "
		       "(limit %u), new Quick Mode refused", p1->conn_id,
		       ik_addr_fmt_ios(&p1->remote.ip, ra), p1->remote.port, n,
		       IK_CORE_PEER_MAX_CHILD);
		return true;
	}
	return false;
}

/* ---- configuration helpers ---- */

/* The tunnel's source of either family: an IPv6 source from the
 * configuration (tunnel source X:X::X, or an interface whose ipv6 address it
 * gives), else the IPv4 one. 0 when known, -1 when not. */
int ik_v1_tunnel_source_ip(struct ik_engine *e, const struct ik_interface *t,
			   struct ik_addr *out)
{
	if (t->tunnel_source_v6) {
		ik_iface_tunnel_source(t, out);
		return 0;
	}
	if (ik_tunnel_mode_v6(t->tunnel_mode) && t->tunnel_source_if) {
		/* an interface of the host, not of the configuration */
		out->family = IK_AF_INET6;
		return e->host.resolve_ifaddr6 &&
		       e->host.resolve_ifaddr6(e->host.ctx, t->tunnel_source_if, out->v6) == 0 ?
		       0 : -1;
	}
	*out = ik_addr_v4(ik_v1_tunnel_source(e, t));
	return out->v4 ? 0 : -1;
}

uint32_t ik_v1_tunnel_source(struct ik_engine *e, const struct ik_interface *t)
{
	uint32_t a = 0;

	if (t->tunnel_source_resolved || !t->tunnel_source_if)
		return t->tunnel_source;
	if (e->host.resolve_ifaddr &&
	    e->host.resolve_ifaddr(e->host.ctx, t->tunnel_source_if, &a) == 0)
		return a;
	return 0;
}

/* ---- lifecycle ---- */

struct ik_engine *ik_engine_new(struct ik_config *cfg, const struct ik_engine_host *host,
				const struct ik_log *log, const struct ik_engine_opts *opts)
{
	struct ik_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	/* per-process set-up now, not in the first exchange: algorithm objects
	 * and every Diffie-Hellman group's tables */
	ik_crypto_prepare();
	e->cfg = ik_core_cfg_hold(e, cfg);
	e->host = *host;
	e->log = log;
	if (opts)
		e->opts = *opts;
	if (!e->opts.first_conn_id)
		e->opts.first_conn_id = 1001;
	e->half_open_from_cfg = !e->opts.max_half_open;
	if (!e->opts.max_half_open)
		e->opts.max_half_open = cfg->max_in_negotiation ? cfg->max_in_negotiation : 1000;
	if (!e->opts.retransmit_max)
		e->opts.retransmit_max = IK_CORE_RETRANS_MAX;
	e->next_conn_id = e->opts.first_conn_id;
	e->next_child_id = 2001 + 2 * (e->opts.first_conn_id - 1001);
	ik_core_rand(e, e->hkey, sizeof(e->hkey));
	/* Cisco IOS announces itself with a vendor ID that starts 3e984048; the
	 * rest identifies the box. */
	memcpy(e->ios_vid, "\x3e\x98\x40\x48", 4);
	ik_core_rand(e, e->ios_vid + 4, 12);
	e->ios_vid[14] = 0x01;
	return e;
}

void ik_engine_free(struct ik_engine *e)
{
	if (!e)
		return;
	ik_core_children_free(e);
	while (e->p1s) {
		struct ik_p1 *p1 = e->p1s;

		e->p1s = p1->next;
		ik_core_ho_leave(&p1->sa);
		p1_free(p1);
	}
	reap(e);
	ik_v2_engine_free(e);
	ik_htab_free(&e->sa_by_spi);
	ik_htab_free(&e->sa_by_peer);
	ik_htab_free(&e->sa_by_addr);
	ik_htab_free(&e->srcs);
	ik_slab_destroy(&e->src_pool);
	ik_timers_free(&e->timers);
	ik_peer_tab_free(&e->peers);
	ik_core_cfg_release(e, e->cfg);
	free(e);
}

static int engine_initiate_tunnel(struct ik_engine *e, const char *ifname, struct ik_sb *err);

/* ---- admission of first messages ---- */

/* IKE SAs between this address pair (fvrf, local address, remote address
 * and port) that are up or whose peer has answered from its address: spoofed
 * first messages do not count. A peer keeps one IKE SA per address pair, so a
 * peer reaching several local addresses gets the cap once per local address;
 * the walk stays bounded by the caps (IKE SAs per pair times local addresses,
 * plus the per-source half-open cap). */
static unsigned peer_sas(struct ik_engine *e, const char *fvrf, const struct ik_endpoint *local,
			 const struct ik_endpoint *remote)
{
	uint64_t h = ik_core_hash_peer(e, fvrf, &local->ip, &remote->ip, remote->port);
	unsigned n = 0;

	for (struct ik_hlink *l = ik_htab_first(&e->sa_by_peer, h); l; l = ik_htab_next(l)) {
		struct ik_ike_sa *sa = ik_container_of(l, struct ik_ike_sa, by_peer);

		if (sa->dead || (sa->half_open && !sa->proven) || sa->version != 1 ||
		    !same_peer((struct ik_p1 *)sa, fvrf, local, remote))
			continue;
		n++;
	}
	return n;
}

static unsigned src_cap(const struct ik_engine *e)
{
	unsigned c = e->opts.max_half_open / 10;

	return c < 4 ? 4 : c;
}

/* The SA a full half-open table gives up for a new one: the oldest whose peer
 * has not answered, preferring, among the IK_V1_EVICT_LOOK oldest, one whose
 * source address holds other half-open SAs. A flood from a pool of spoofed
 * addresses turns the table over faster than a real peer answers MM2 (every
 * 15 ms at 65,000 MM1 per second and 1,000 entries): it now evicts its own
 * entries before those of a lone peer still computing its MM3. */
static struct ik_ike_sa *ho_victim(struct ik_engine *e)
{
	struct ik_ike_sa *sa = e->ho_unproven_head;

	for (unsigned k = 0; sa && k < IK_V1_EVICT_LOOK; k++, sa = sa->ho_next)
		if (sa->src && sa->src->half_open > 1)
			return sa;
	return e->ho_unproven_head;
}

/* Whether a first message from remote may open a new SA; evicts an SA whose
 * peer has not answered (ho_victim) when the half-open table is full. */
static bool admit(struct ik_engine *e, const struct ik_endpoint *local,
		  const struct ik_endpoint *remote, const char *fvrf)
{
	struct ik_src *s = ik_core_src_find(e, &remote->ip);
	uint64_t now = ik_core_now(e);
	char ra[IK_ADDR_ANYSTRLEN];
	unsigned n;

	ik_addr_fmt_ios(&remote->ip, ra);
	if (s && s->half_open >= src_cap(e)) {
		ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP (0): %u SAs in negotiation with %s (limit "
		       "per source %u), new SA refused", s->half_open, ra, src_cap(e));
		e->st.half_open_refused++;
		return false;
	}
	if (s) {
		if (now - s->win_ms >= 1000 || now < s->win_ms) {
			s->win_ms = now;
			s->win_count = 0;
		}
		if (s->win_count >= IK_V1_SRC_RATE) {
			ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP (0): more than %u new SAs per second "
			       "from %s, new SA refused (response rate limit)", IK_V1_SRC_RATE, ra);
			e->st.half_open_refused++;
			return false;
		}
		s->win_count++;
	}
	n = peer_sas(e, fvrf, local, remote);
	if (n >= IK_CORE_PEER_MAX_IKE) {
		char la[IK_ADDR_ANYSTRLEN];

		ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP (0): peer %s port %u has %u IKE SAs with %s "
		       "(limit %u), new SA refused", ra, remote->port, n,
		       ik_addr_fmt_ios(&local->ip, la), IK_CORE_PEER_MAX_IKE);
		e->st.half_open_refused++;
		return false;
	}
	if (e->half_open < e->opts.max_half_open)
		return true;
	if (e->ho_unproven_head) {
		struct ik_ike_sa *v = ho_victim(e);
		struct ik_p1 *victim = (struct ik_p1 *)v;

		ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP:(%u):half-open SA limit %u reached, dropping "
		       "the oldest%s", victim->conn_id, e->opts.max_half_open,
		       v == e->ho_unproven_head ? "" : " of a source holding several");
		e->st.half_open_evicted++;
		victim->ops->del(&victim->sa, "half-open limit", false);
		return true;
	}
	ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP (0): half-open SA limit %u reached and every SA in "
	       "negotiation has proved its address, new SA from %s refused",
	       e->opts.max_half_open, ra);
	e->st.half_open_refused++;
	return false;
}

/* ---- input ---- */

static void v1_input(struct ik_engine *e, const struct ik_endpoint *local,
		     const struct ik_endpoint *remote, const char *fvrf,
		     const uint8_t *msg, size_t len)
{
	struct ik_v1_hdr h;
	char err[200], ra[IK_ADDR_ANYSTRLEN];
	struct ik_p1 *p1;
	static const uint8_t zero[8];

	if (ik_v1_parse_hdr(msg, len, &h, err, sizeof(err))) {
		ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP (0): malformed packet from %s port %u: %s",
		       ik_addr_fmt_ios(&remote->ip, ra), remote->port, err);
		ik_msg(e->log, IK_LOG_WARNING, "%%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from %s "
		       "failed its sanity check or is malformed", ra);
		e->st.rx_dropped++;
		return;
	}
	p1 = p1_lookup(e, h.icookie, h.rcookie);
	if (!p1) {
		if (h.exch == IK_V1_EXCH_AGGR && e->cfg->aggressive_mode_disable &&
		    !memcmp(h.rcookie, zero, 8)) {
			ik_msg(e->log, IK_LOG_INFO, "%%CRYPTO-6-IKMP_AGG_MODE_DISABLED: Unable to "
			       "initiate or respond to Aggressive Mode while disabled (peer %s)",
			       ik_addr_fmt_ios(&remote->ip, ra));
			return;
		}
		if ((h.exch == IK_V1_EXCH_MM || h.exch == IK_V1_EXCH_AGGR) &&
		    !memcmp(h.rcookie, zero, 8) && h.msgid == 0 &&
		    h.np == IK_V1_PL_SA && !(h.flags & IK_V1_FLAG_ENC)) {
			ik_dbg(e->log, IK_DBG_ISAKMP,
				"ISAKMP (0): received packet from %s dport %u "
			       "sport %u %s (N) NEW SA", ik_addr_fmt_ios(&remote->ip, ra),
			       local->port, remote->port, fvrf ? fvrf : "Global");
			if (!admit(e, local, remote, fvrf)) {
				e->st.rx_dropped++;
				return;
			}
			p1 = ik_v1_p1_new(e, false, local, remote, fvrf);
			if (!p1)
				return;
			memcpy(p1->cky_i, h.icookie, 8);
			ik_v1_p1_rehash(p1);
			ik_v1_dispatch(e, p1, local, remote, fvrf, msg, len);
			if (!p1->dead && p1->state == IKE_READY)
				ik_v1_p1_delete(p1, "malformed first message", false);
			return;
		}
		e->st.rx_dropped++;
		if (h.exch == IK_V1_EXCH_INFO && !(h.flags & IK_V1_FLAG_ENC)) {
			ik_dbg(e->log, IK_DBG_ISAKMP,
				"ISAKMP (0): received packet from %s dport %u "
			       "sport %u %s (N) NEW SA", ik_addr_fmt_ios(&remote->ip, ra),
			       local->port, remote->port, fvrf ? fvrf : "Global");
			ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP:(0):unauthenticated informational "
			       "exchange from %s ignored", ra);
			return;
		}
		ik_msg(e->log, IK_LOG_WARNING, "%%CRYPTO-4-IKMP_NO_SA: IKE message from %s has no "
		       "SA and is not an initialization offer", ik_addr_fmt_ios(&remote->ip, ra));
		return;
	}
	ik_peer_sa_rx(&p1->sa);
	ik_v1_dispatch(e, p1, local, remote, fvrf, msg, len);
}

void ik_engine_input(struct ik_engine *e, const struct ik_endpoint *local,
		     const struct ik_endpoint *remote, const char *fvrf,
		     const uint8_t *msg, size_t len)
{
	ik_log_scope_addr(e->log, &remote->ip); /* debug crypto condition peer */
	if (len == 1 && msg[0] == 0xff)
		return; /* NAT-T keepalive (RFC 3948 2.3) */
	e->st.rx_datagrams++;
	ik_peer_msg(e, &remote->ip, fvrf, msg, len, false);
	/* The version, from the ISAKMP header (RFC 2408 3.1, RFC 7296 3.1: the
	 * major version is the high nibble of octet 17), before anything else
	 * is parsed. */
	if (len >= 28 && msg[17] >> 4 == 2)
		ik_v2_input(e, local, remote, fvrf, msg, len);
	else
		v1_input(e, local, remote, fvrf, msg, len);
	ik_peer_rx_end(e);
	reap(e);
}

/* ---- timers ---- */

uint64_t ik_engine_next_timer(const struct ik_engine *e)
{
	const struct ik_timer *t = ik_timers_top(&e->timers);

	return t ? t->at : UINT64_MAX;
}

static void retransmit(struct ik_p1 *p1, struct ik_xmit *x, bool phase2, uint32_t msgid)
{
	struct ik_engine *e = p1->e;
	uint64_t now = ik_core_now(e);

	if (x->count >= e->opts.retransmit_max) {
		ik_timer_cancel(&e->timers, &x->t);
		if (phase2) {
			ik_dbg(e->log, IK_DBG_ISAKMP,
				"ISAKMP:(%u):deleting node %u error TRUE reason "
			       "\"Death by retransmission P2\"", p1->conn_id, msgid);
			e->st.p2_failed++;
			for (struct ik_qm *q = p1->up->qms; q; q = q->next)
				if (&q->x == x) {
					ik_v1_qm_unlink(p1, q);
					ik_v1_qm_free(q);
					break;
				}
			return;
		}
		ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP:(%u): peer does not do paranoid keepalives.",
		       p1->conn_id);
		{
			char ra[IK_ADDR_ANYSTRLEN];

			ik_msg(e->log, IK_LOG_INFO, "%%CRYPTO-6-IKMP_MODE_FAILURE: Processing of "
			       "Main mode failed with peer at %s (no answer in %s after %u "
			       "retransmissions%s)", ik_addr_fmt_ios(&p1->remote.ip, ra),
			       ik_v1_p1_disp(p1), x->count,
			       p1->state == IKE_I_MM5 ? ": a peer that drops MM5 is often "
			       "checking another keyring, rule P2 on its side" : "");
		}
		ik_v1_p1_delete(p1, "Death by retransmission P1", false);
		if (p1->up && p1->up->cmap)
			ik_v1_cmap_failover(p1);
		return;
	}
	x->count++;
	e->st.retransmits++;
	ik_peer_sa_event(&p1->sa, IK_PEER_RETRANSMIT);
	ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP:(%u): retransmitting phase %d %s%s...", p1->conn_id,
	       phase2 ? 2 : 1, phase2 ? "QM_IDLE" : ik_v1_p1_disp(p1), phase2 ? "     " : "");
	ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP (%u): incrementing error counter on %s, attempt %u "
	       "of %u: retransmit phase %d", p1->conn_id, phase2 ? "node" : "sa", x->count,
	       e->opts.retransmit_max, phase2 ? 2 : 1);
	ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP:(%u): retransmitting phase %d %s", p1->conn_id,
	       phase2 ? 2 : 1, phase2 ? "QM_IDLE" : ik_v1_p1_disp(p1));
	ik_v1_send(p1, x->buf, x->len);
	/* exponential back-off, capped: 2, 4, 8, 16, 16 s, then the SA goes */
	ik_core_timer_set(e, &x->t, now + ((uint64_t)IK_CORE_RETRANS_BASE_MS
			<< (x->count <= IK_CORE_RETRANS_CAP_SHIFT ? x->count :
			    IK_CORE_RETRANS_CAP_SHIFT)));
}

static void v1_child_rekey(struct ik_engine *e, struct ik_child *c, uint64_t now)
{
	struct ik_p1 *p1 = ik_v1_p1_find_peer_ip(e, &c->local.ip, &c->remote.ip, true);
	const struct ik_interface *t = c->sa.tunnel;

	(void)now;
	c->rekeying = true;
	ik_timer_cancel(&e->timers, &c->t_soft);
	if (c->sa.cmap && !e->opts.passive) {
		ik_v1_cmap_rekey(e, c);
		return;
	}
	if (e->opts.passive || !t)
		return;
	ik_dbg(e->log, IK_DBG_IPSEC,
		"IPSEC(sa_request): , rekey of conn id %u (soft "
	       "lifetime)", c->sa.id);
	/* The tunnel pointer belongs to the child's snapshot; look it up in
	 * the current one. */
	t = ik_config_find_iface(e->cfg, c->sa.ifname);
	if (!t || !t->protection)
		return;
	if (p1) {
		ik_v1_qm_start(p1, t, c->sa.id);
	} else {
		struct ik_sb err;

		ik_sb_init(&err);
		if (engine_initiate_tunnel(e, c->sa.ifname, &err) == 0) {
			struct ik_p1 *np = ik_v1_p1_find_peer_ip(e, &c->local.ip,
				&c->remote.ip, false);
			if (np)
				ik_v1_p1_up(np)->want_rekey_of = c->sa.id;
		}
		ik_sb_free(&err);
	}
}

static void p1_rekey(struct ik_p1 *p1)
{
	struct ik_engine *e = p1->e;

	ik_v1_p1_up(p1)->rekey_started = true;
	if (p1->initiator && p1->tunnel && !e->opts.passive) {
		struct ik_sb err;

		ik_dbg(e->log, IK_DBG_ISAKMP,
			"ISAKMP:(%u):phase 1 SA lifetime soft "
		       "limit, renegotiating", p1->conn_id);
		ik_sb_init(&err);
		if (engine_initiate_tunnel(e, p1->tunnel->name, &err) == 0) {
			struct ik_p1 *np = ik_v1_p1_find_peer_ip(e, &p1->local.ip,
							      &p1->remote.ip, false);

			/* a phase-1 rekey: the child SAs stay as they are */
			if (np && np != p1)
				ik_v1_p1_up(np)->want_qm = false;
		}
		ik_sb_free(&err);
	}
}

/* The IKEv1 SA's timers, and those of its Quick Mode nodes. */
static void v1_timer(struct ik_ike_sa *sa, struct ik_timer *t, uint64_t now)
{
	struct ik_p1 *p1 = (struct ik_p1 *)sa;
	struct ik_engine *e = p1->e;

	if (p1->dead)
		return;
	switch (t->kind) {
	case IK_TK_SA_XMIT:
		retransmit(p1, &p1->x, false, 0);
		break;
	case IK_TK_SA_EXPIRE:
		ik_v1_p1_delete(p1, p1->state == IKE_P1_COMPLETE ? "Lifetime expired" :
				"Half-open SA timed out", p1->state == IKE_P1_COMPLETE);
		break;
	case IK_TK_SA_REKEY:
		p1_rekey(p1);
		break;
	case IK_TK_SA_DPD:
		ik_v1_dpd_timer(p1, now);
		break;
	case IK_TK_SA_NATKA: {
		static const uint8_t ka = 0xff;

		e->host.send(e->host.ctx, &p1->local, &p1->remote, p1->fvrf, &ka, 1);
		if (p1->cfg->nat_keepalive)
			ik_core_timer_set(e, &p1->live->t_natka,
					now + (uint64_t)p1->cfg->nat_keepalive * 1000);
		break;
	}
	case IK_TK_XCH_XMIT: {
		struct ik_qm *q = ik_container_of(t, struct ik_qm, x.t);

		retransmit(p1, &q->x, true, q->msgid);
		break;
	}
	case IK_TK_XCH_EXPIRE: {
		struct ik_qm *q = ik_container_of(t, struct ik_qm, t_expire);

		if (!q->done) {
			ik_dbg(e->log, IK_DBG_ISAKMP,
				"ISAKMP:(%u):deleting node %u "
			       "error TRUE reason \"QM timed out\"", p1->conn_id,
			       q->msgid);
			e->st.p2_failed++;
		}
		ik_v1_qm_unlink(p1, q);
		ik_v1_qm_free(q);
		break;
	}
	default:
		break;
	}
}

static const struct ik_ike_sa_ops v1_ops = {
	.version = 1,
	.timer = v1_timer,
	.del = v1_del,
	.show = ik_v1_show_sa,
	.free = v1_free,
};

/* The owner of a due timer, and its hook. */
static void timer_fire(struct ik_engine *e, struct ik_timer *t, uint64_t now)
{
	struct ik_ike_sa *sa;
	struct ik_child *c;

	switch (t->kind) {
	case IK_TK_SA_XMIT:
		/* the IKEv1 SA's retransmission state is its struct ik_xmit */
		sa = &ik_container_of(t, struct ik_p1, x.t)->sa;
		break;
	case IK_TK_SA_EXPIRE:
		sa = ik_container_of(t, struct ik_ike_sa, t_expire);
		break;
	case IK_TK_SA_REKEY:
		sa = ik_container_of(t, struct ik_sa_live, t_rekey)->sa;
		break;
	case IK_TK_SA_DPD:
		sa = ik_container_of(t, struct ik_sa_live, t_dpd)->sa;
		break;
	case IK_TK_SA_NATKA:
		sa = ik_container_of(t, struct ik_sa_live, t_natka)->sa;
		break;
	case IK_TK_XCH_XMIT:
		sa = &ik_container_of(t, struct ik_qm, x.t)->p1->sa;
		break;
	case IK_TK_XCH_EXPIRE:
		sa = &ik_container_of(t, struct ik_qm, t_expire)->p1->sa;
		break;
	case IK_TK_V2_XMIT:
		sa = ik_v2_timer_owner(t);
		break;
	case IK_TK_CHILD_SOFT:
		c = ik_container_of(t, struct ik_child, t_soft);
		ik_log_scope_addr(e->log, &c->remote.ip);
		if (!c->rekeying)
			c->ops->rekey(e, c, now);
		return;
	case IK_TK_CHILD_HARD:
		c = ik_container_of(t, struct ik_child, t_hard);
		ik_log_scope_addr(e->log, &c->remote.ip);
		ik_core_child_remove(e, c, true, "lifetime expired");
		return;
	default:
		return;
	}
	ik_log_scope_addr(e->log, &sa->remote.ip);
	sa->ops->timer(sa, t, now);
}

void ik_engine_run_timers(struct ik_engine *e)
{
	uint64_t now = ik_core_now(e);
	/* a handler that re-arms its timer in the past runs again next call */
	size_t budget = e->timers.n + 16;
	struct ik_timer *t;

	while ((t = ik_timers_top(&e->timers)) && t->at <= now && budget--) {
		ik_timer_cancel(&e->timers, t);
		timer_fire(e, t, now);
	}
	reap(e);
	ik_core_compact(e); /* half-open SAs expire here after a flood */
}

/* ---- initiation ---- */

/* Starts phase 1 (or only Quick Mode) for a tunnel. Rekeys come here too, so
 * this does not look at the tunnel's existing child SAs: ik_engine_initiate
 * does, for the requests that come from outside. */
static int engine_initiate_tunnel(struct ik_engine *e, const char *ifname, struct ik_sb *err)
{
	const struct ik_interface *t = ik_config_find_iface(e->cfg, ifname);
	struct ik_endpoint local, remote;
	struct ik_addr src, dst;
	struct ik_p1 *p1;

	if (e->opts.passive) {
		ik_sb_printf(err, "%% the engine is passive (responder only)");
		return -1;
	}
	if (!t || !t->is_tunnel) {
		ik_sb_printf(err, "%% %s is not a configured tunnel interface", ifname);
		return -1;
	}
	if (!t->protection) {
		ik_sb_printf(err, "%% %s has no tunnel protection", ifname);
		return -1;
	}
	if (t->shutdown) {
		ik_sb_printf(err, "%% %s is shut down", ifname);
		return -1;
	}
	ik_iface_tunnel_dest(t, &dst);
	if (ik_v1_tunnel_source_ip(e, t, &src) || ik_addr_is_any(&dst)) {
		ik_sb_printf(err, "%% %s: tunnel source or destination unknown", ifname);
		return -1;
	}
	if (src.family != dst.family) {
		ik_sb_printf(err, "%% %s: tunnel source and destination are not of one address "
			     "family", ifname);
		return -1;
	}
	ik_log_scope_addr(e->log, &dst);
	if (t->protection->ikev2_profile)
		return ik_v2_initiate(e, t, &src, 0, err);
	/* An established phase 1 to this peer: only Quick Mode is needed. */
	p1 = ik_v1_p1_find_peer_ip(e, &src, &dst, false);
	if (p1 && p1->state == IKE_P1_COMPLETE && !p1->up->rekey_started)
		return ik_v1_qm_start(p1, t, 0);
	if (p1 && p1->initiator && p1->tunnel == t && p1->state != IKE_P1_COMPLETE) {
		ik_v1_p1_up(p1)->want_qm = true;
		return 0; /* already negotiating */
	}
	local = ik_ep(&src, 500);
	remote = ik_ep(&dst, 500);
	p1 = ik_v1_p1_new(e, true, &local, &remote, ik_core_tunnel_fvrf(t));
	if (!p1) {
		ik_sb_printf(err, "%% out of memory");
		return -1;
	}
	p1->tunnel = t;
	ik_v1_p1_up(p1)->want_qm = true;
	if (ik_v1_mm_start(p1)) {
		ik_sb_printf(err, "%% %s: phase 1 could not start (see the debug trace)", ifname);
		ik_v1_p1_delete(p1, "could not start", false);
		return -1;
	}
	return 0;
}

/* A child SA of this tunnel that is up and not being replaced, or NULL. */
static const struct ik_child *engine_tunnel_child(const struct ik_engine *e, const char *ifname)
{
	for (struct ik_hlink *l = ik_htab_first(&e->ch_by_tunnel, ik_core_hash_tunnel(e, ifname)); l;
	     l = ik_htab_next(l)) {
		const struct ik_child *c = ik_container_of(l, struct ik_child, by_tunnel);

		if (!c->rekeying && !strcmp(c->sa.ifname, ifname))
			return c;
	}
	return NULL;
}

int ik_engine_initiate(struct ik_engine *e, const char *ifname, struct ik_sb *err)
{
	const struct ik_child *c = e->opts.passive ? NULL : engine_tunnel_child(e, ifname);
	int rc;

	if (c) {
		char a[IK_ADDR_ANYSTRLEN];

		ik_sb_printf(err, "%s: IPsec SAs with %s are already up (outbound spi 0x%08X); "
			     "nothing to negotiate (clear crypto sa peer %s renegotiates)",
			     ifname, ik_addr_fmt_ios(&c->remote.ip, a), c->sa.out.spi, a);
		return 1;
	}
	rc = engine_initiate_tunnel(e, ifname, err);
	reap(e);
	return rc;
}

void ik_engine_initiate_all(struct ik_engine *e)
{
	if (e->opts.passive)
		return;
	for (size_t i = 0; i < e->cfg->nifaces; i++) {
		const struct ik_interface *t = e->cfg->ifaces[i];
		struct ik_sb err;

		if (!t->is_tunnel || !t->protection || t->shutdown)
			continue;
		ik_sb_init(&err);
		if (ik_engine_initiate(e, t->name, &err) < 0)
			ik_msg(e->log, IK_LOG_WARNING, "%s", ik_sb_str(&err));
		ik_sb_free(&err);
	}
}

void ik_engine_acquire(struct ik_engine *e, uint32_t reqid, uint32_t src, uint32_t dst)
{
	struct ik_addr s = ik_addr_v4(src), d = ik_addr_v4(dst);

	ik_engine_acquire_ip(e, reqid, &s, &d);
}

void ik_engine_acquire_ip(struct ik_engine *e, uint32_t reqid, const struct ik_addr *src,
			  const struct ik_addr *dst)
{
	const struct ik_interface *t = NULL;
	struct ik_sb err;

	(void)src;
	if (e->opts.passive)
		return;
	if (reqid & IK_CMAP_REQID_FLAG) {
		(void)ik_v1_cmap_acquire(e, reqid);
		return;
	}
	/* the tunnel, through the snapshot's index: by reqid (TunnelN has
	 * reqid N + 1), else the first protected tunnel to dst */
	if (reqid) {
		t = ik_snapshot_tunnel_num(e->cfg, reqid - 1);
		if (t && t->shutdown)
			t = NULL;
	} else {
		size_t n = 0;
		const struct ik_interface *const *ts = ik_snapshot_tunnels_to_ip(e->cfg, dst, &n);

		for (size_t i = 0; i < n && !t; i++)
			if (!ts[i]->shutdown)
				t = ts[i];
	}
	if (!t)
		return;
	ik_sb_init(&err);
	if (ik_engine_initiate(e, t->name, &err) < 0)
		ik_msg(e->log, IK_LOG_WARNING, "%s", ik_sb_str(&err));
	ik_sb_free(&err);
}

static struct ik_child *child_by_spi(struct ik_engine *e, uint32_t spi)
{
	uint64_t h = ik_core_hash_u32(e, 's', spi);
	struct ik_hlink *l;

	for (l = ik_htab_first(&e->ch_by_spi, h); l; l = ik_htab_next(l)) {
		struct ik_child *c = ik_container_of(l, struct ik_child, by_spi_in);

		if (c->sa.in.spi == spi)
			return c;
	}
	for (l = ik_htab_first(&e->ch_by_spi_out, h); l; l = ik_htab_next(l)) {
		struct ik_child *c = ik_container_of(l, struct ik_child, by_spi_out);

		if (c->sa.out.spi == spi)
			return c;
	}
	return NULL;
}

void ik_engine_expire(struct ik_engine *e, uint32_t spi, bool hard)
{
	struct ik_child *c = child_by_spi(e, spi);

	if (!c)
		return;
	ik_log_scope_addr(e->log, &c->remote.ip);
	if (hard)
		ik_core_child_remove(e, c, true, "kernel hard expire");
	else if (!c->rekeying)
		c->ops->rekey(e, c, ik_core_now(e));
	reap(e);
}

/* ---- clear ---- */

static void clear_p1(struct ik_p1 *p1, enum ik_clear_what what, const struct ik_addr *peer,
		     unsigned conn_id)
{
	if (p1->dead)
		return;
	if (what == IK_CLEAR_ISAKMP && conn_id && p1->conn_id != conn_id)
		return;
	if (peer && !ik_addr_eq(&p1->remote.ip, peer))
		return;
	ik_log_scope_addr(p1->e->log, &p1->remote.ip);
	ik_v1_p1_delete(p1, "Manual clear", true);
}

void ik_engine_clear(struct ik_engine *e, enum ik_clear_what what, uint32_t peer, unsigned conn_id)
{
	struct ik_addr pa = ik_addr_v4(peer);

	ik_engine_clear_addr(e, what, peer ? &pa : NULL, conn_id);
}

void ik_engine_clear_addr(struct ik_engine *e, enum ik_clear_what what,
			  const struct ik_addr *peer, unsigned conn_id)
{
	if (peer && ik_addr_is_any(peer))
		peer = NULL;
	if (what == IK_CLEAR_IKEV2_SA || what == IK_CLEAR_SESSION)
		ik_v2_clear_addr(e, peer); /* IKEv2 SAs and their children (v2_show_sa.c) */
	if (what == IK_CLEAR_IKEV2_SA) {
		reap(e);
		return;
	}
	if (what == IK_CLEAR_SA || what == IK_CLEAR_SESSION) {
		struct ik_child *c, *next;

		/* one peer: through the address index */
		for (c = peer ? ik_core_child_first_addr_ip(e, peer) : e->children; c; c = next) {
			next = peer ? ik_core_child_next_addr(e, c) : c->next;
			ik_log_scope_addr(e->log, &c->remote.ip);
			ik_core_child_remove(e, c, true, "clear");
		}
	}
	if (what == IK_CLEAR_ISAKMP || what == IK_CLEAR_SESSION) {
		if (peer) {
			struct ik_hlink *l, *next;

			uint64_t h = ik_core_hash_addr(e, peer);

			for (l = ik_htab_first(&e->sa_by_addr, h); l; l = next) {
				struct ik_ike_sa *sa = ik_container_of(l, struct ik_ike_sa,
								       by_addr);

				next = ik_htab_next(l);
				if (sa->version == 1)
					clear_p1((struct ik_p1 *)sa, what, peer, conn_id);
			}
		} else {
			for (struct ik_p1 *p1 = e->p1s, *next; p1; p1 = next) {
				next = p1->next;
				clear_p1(p1, what, peer, conn_id);
			}
		}
	}
	reap(e);
}

/* ---- reload ---- */

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Whether the parts of a tunnel's configuration that its SAs depend on are
 * equal in two snapshots. */
static bool tunnel_same(const struct ik_interface *a, const struct ik_interface *b)
{
	const struct ik_ipsec_profile *pa, *pb;

	if (!a || !b || a->tunnel_dest != b->tunnel_dest || a->tunnel_source != b->tunnel_source ||
	    a->tunnel_dest_v6 != b->tunnel_dest_v6 || a->tunnel_source_v6 != b->tunnel_source_v6 ||
	    memcmp(a->tunnel_dest6, b->tunnel_dest6, 16) ||
	    memcmp(a->tunnel_source6, b->tunnel_source6, 16) ||
	    !same_str(a->tunnel_source_if, b->tunnel_source_if) ||
	    a->tunnel_mode != b->tunnel_mode || !same_str(a->tunnel_vrf, b->tunnel_vrf) ||
	    a->shutdown != b->shutdown)
		return false;
	pa = a->protection;
	pb = b->protection;
	if (!pa || !pb)
		return pa == pb;
	if (!same_str(pa->name, pb->name) || pa->pfs_group != pb->pfs_group ||
	    pa->lifetime_sec != pb->lifetime_sec || pa->lifetime_kb != pb->lifetime_kb ||
	    pa->ntsets != pb->ntsets)
		return false;
	if (!same_str(pa->isakmp_profile ? pa->isakmp_profile->name : NULL,
		      pb->isakmp_profile ? pb->isakmp_profile->name : NULL))
		return false;
	for (size_t i = 0; i < pa->ntsets; i++) {
		const struct ik_transform_set *x = pa->tsets[i], *y = pb->tsets[i];

		if (x->enc != y->enc || x->keylen != y->keylen || x->auth != y->auth ||
		    x->mode != y->mode)
			return false;
	}
	return true;
}

void ik_engine_set_config(struct ik_engine *e, struct ik_config *cfg)
{
	struct ik_config *old = e->cfg;

	e->cfg = ik_core_cfg_hold(e, cfg);
	if (e->half_open_from_cfg)
		e->opts.max_half_open = cfg->max_in_negotiation ? cfg->max_in_negotiation : 1000;
	for (struct ik_child *c = e->children, *next; c; c = next) {
		next = c->next;
		if (c->sa.cmap ? !ik_v1_cmap_kept(cfg, c->sa.cmap, &c->remote.ip) :
		    !tunnel_same(c->sa.tunnel, ik_config_find_iface(cfg, c->sa.ifname)))
			ik_core_child_remove(e, c, true, "configuration changed");
	}
	for (struct ik_p1 *p1 = e->p1s, *pnext; p1; p1 = pnext) {
		pnext = p1->next;
		if (p1->dead)
			continue;
		if (p1->tunnel) {
			if (!tunnel_same(p1->tunnel, ik_config_find_iface(cfg, p1->tunnel->name)))
				ik_v1_p1_delete(p1, "configuration changed", true);
			continue;
		}
		/* Responder SAs: kept while a tunnel to that peer is still protected
		 * and unchanged, or while no tunnel ever named it. */
		const struct ik_interface *ot = ik_core_tunnel_for_ip(old, &p1->local.ip,
								     &p1->remote.ip);
		const struct ik_interface *nt = ik_core_tunnel_for_ip(cfg, &p1->local.ip,
								     &p1->remote.ip);
		if (ot && !tunnel_same(ot, nt))
			ik_v1_p1_delete(p1, "configuration changed", true);
	}
	/* IKEv2 SAs a tunnel started: they go when its configuration changed */
	for (struct ik_v2_ike_sa *s = e->v2 ? e->v2->sas : NULL, *snext; s; s = snext) {
		snext = s->next;
		const struct ik_interface *st = s->up ? s->up->tunnel : NULL;

		if (!s->dead && st && !tunnel_same(st, ik_config_find_iface(cfg, st->name)))
			ik_v2_sa_delete(s, "configuration changed", true);
	}
	ik_core_cfg_release(e, old);
	reap(e);
}

/* ---- stats ---- */

void ik_engine_stats(const struct ik_engine *e, struct ik_engine_stats *st)
{
	*st = e->st;
	st->half_open = e->half_open;
	st->isakmp_sas = (unsigned)e->sa_by_spi.n;
	st->isakmp_up = st->isakmp_sas - st->half_open;
	st->child_sas = (unsigned)e->ch_by_id.n;
}
