/* The IKEv1 engine: SA tables, input demultiplexing, timers, initiation,
 * clearing and reload. The exchanges themselves are in v1_mm.c (Main Mode),
 * v1_qm.c (Quick Mode) and v1_info.c (informational), driven by the state
 * table of v1_states.c. */
#include "ike/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/v1_int.h"
#include "util/addr.h"
#include "util/util.h"

/* ---- snapshots ---- */

/* The shared count of a snapshot may be touched by the engines of several
 * threads at once (reload): atomically. */
static void cfg_ref_atomic(struct ik_config *cfg)
{
	__atomic_add_fetch(&cfg->refs, 1, __ATOMIC_RELAXED);
}

static void cfg_unref_atomic(struct ik_config *cfg)
{
	if (__atomic_sub_fetch(&cfg->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		cfg->refs = 1; /* the last one: let the model free itself */
		ik_config_unref(cfg);
	}
}

struct ik_config *ik_v1_cfg_hold(struct ik_engine *e, struct ik_config *cfg)
{
	struct ik_snap *h;

	for (h = e->snaps; h; h = h->next)
		if (h->cfg == cfg) {
			h->holders++;
			return cfg;
		}
	h = calloc(1, sizeof(*h));
	if (!h)
		abort(); /* nowhere to keep the snapshot alive: nothing sensible left */
	h->cfg = cfg;
	h->holders = 1;
	cfg_ref_atomic(cfg);
	h->next = e->snaps;
	e->snaps = h;
	return cfg;
}

void ik_v1_cfg_release(struct ik_engine *e, struct ik_config *cfg)
{
	for (struct ik_snap **pp = &e->snaps; *pp; pp = &(*pp)->next) {
		struct ik_snap *h = *pp;

		if (h->cfg != cfg)
			continue;
		if (--h->holders == 0) {
			*pp = h->next;
			cfg_unref_atomic(h->cfg);
			free(h);
		}
		return;
	}
}

/* ---- small helpers ---- */

uint64_t ik_v1_now(struct ik_engine *e)
{
	return e->host.now_ms(e->host.ctx);
}

void ik_v1_rand(struct ik_engine *e, void *buf, size_t len)
{
	e->host.random(e->host.ctx, buf, len);
}

uint64_t ik_v1_digest(const uint8_t *d, size_t len)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < len; i++) {
		h ^= d[i];
		h *= 1099511628211ull;
	}
	return h ^ len;
}

static unsigned bucket_of(const uint8_t cky[8])
{
	return (unsigned)(ik_v1_digest(cky, 8) % IK_P1_BUCKETS);
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
}

void ik_v1_assign_conn_id(struct ik_p1 *p1)
{
	if (!p1->conn_id)
		p1->conn_id = p1->e->next_conn_id++;
}

/* ---- sending ---- */

void ik_v1_send(struct ik_p1 *p1, const uint8_t *msg, size_t len)
{
	struct ik_engine *e = p1->e;
	char ra[IK_ADDRSTRLEN];

	ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP:(%u): sending packet to %s my_port %u peer_port %u "
	       "(%c) %s", p1->conn_id, ik_addr_fmt(p1->remote.addr, ra), p1->local.port,
	       p1->remote.port, p1->initiator ? 'I' : 'R', ik_v1_p1_disp(p1));
	ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP:(%u):Sending an IKE IPv4 Packet.", p1->conn_id);
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
	free(x->buf);
	x->buf = NULL;
	x->len = 0;
	x->count = 0;
	x->next_ms = 0;
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
	x->next_ms = retransmit ? ik_v1_now(p1->e) + IK_V1_RETRANS_BASE_MS : 0;
}

/* ---- SA table ---- */

struct ik_p1 *ik_v1_p1_new(struct ik_engine *e, bool initiator, const struct ik_endpoint *local,
			   const struct ik_endpoint *remote, const char *fvrf)
{
	struct ik_p1 *p1 = calloc(1, sizeof(*p1));
	unsigned b;

	if (!p1)
		return NULL;
	p1->e = e;
	p1->initiator = initiator;
	p1->local = *local;
	p1->remote = *remote;
	p1->fvrf = fvrf ? strdup(fvrf) : NULL;
	p1->cfg = ik_v1_cfg_hold(e, e->cfg);
	p1->state = IKE_READY;
	p1->created_ms = ik_v1_now(e);
	p1->last_rx_ms = p1->created_ms;
	p1->expire_ms = p1->created_ms + ik_v1_exchange_limit_ms(e);
	do
		ik_v1_rand(e, initiator ? p1->cky_i : p1->cky_r, 8);
	while (!memcmp(initiator ? p1->cky_i : p1->cky_r, "\0\0\0\0\0\0\0\0", 8));
	p1->next = e->p1s;
	e->p1s = p1;
	if (initiator) {
		b = bucket_of(p1->cky_i);
		p1->hnext = e->bucket[b];
		e->bucket[b] = p1;
	}
	return p1;
}

/* Called once the responder knows the initiator cookie (MM1). */
void ik_v1_p1_rehash(struct ik_p1 *p1)
{
	struct ik_engine *e = p1->e;
	unsigned b = bucket_of(p1->cky_i);

	p1->hnext = e->bucket[b];
	e->bucket[b] = p1;
}

static void p1_unhash(struct ik_p1 *p1)
{
	struct ik_engine *e = p1->e;
	struct ik_p1 **pp = &e->bucket[bucket_of(p1->cky_i)];

	for (; *pp; pp = &(*pp)->hnext)
		if (*pp == p1) {
			*pp = p1->hnext;
			return;
		}
}

static struct ik_p1 *p1_lookup(struct ik_engine *e, const uint8_t icky[8], const uint8_t rcky[8])
{
	static const uint8_t zero[8];

	for (struct ik_p1 *p1 = e->bucket[bucket_of(icky)]; p1; p1 = p1->hnext) {
		if (p1->dead || memcmp(p1->cky_i, icky, 8))
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

static void p1_free(struct ik_p1 *p1)
{
	while (p1->qms) {
		struct ik_qm *q = p1->qms;

		p1->qms = q->next;
		ik_v1_qm_free(q);
	}
	ik_v1_xmit_clear(&p1->x);
	free(p1->sai_b);
	free(p1->gxi);
	free(p1->gxr);
	ik_dh_free(p1->dh);
	if (p1->have_keys)
		ik_v1_keys_free(&p1->keys);
	ik_wipe(p1->ni, sizeof(p1->ni));
	ik_wipe(p1->nr, sizeof(p1->nr));
	ik_v1_cfg_release(p1->e, p1->cfg);
	free(p1->fvrf);
	free(p1);
}

void ik_v1_p1_delete(struct ik_p1 *p1, const char *reason, bool notify_peer)
{
	struct ik_engine *e = p1->e;
	char ra[IK_ADDRSTRLEN];

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
	       ik_addr_fmt(p1->remote.addr, ra));
	if (p1->state != IKE_P1_COMPLETE)
		e->st.p1_failed++;
	p1->dead = true;
	p1->state = IKE_DEST_SA;
	p1_unhash(p1);
}

struct ik_p1 *ik_v1_p1_find_peer(struct ik_engine *e, uint32_t local, uint32_t remote,
				 bool established)
{
	struct ik_p1 *best = NULL;

	for (struct ik_p1 *p1 = e->p1s; p1; p1 = p1->next) {
		if (p1->dead || p1->remote.addr != remote || (local && p1->local.addr != local))
			continue;
		if (established && p1->state != IKE_P1_COMPLETE)
			continue;
		if (!best || p1->created_ms >= best->created_ms)
			best = p1;
	}
	return best;
}

/* ---- children ---- */

struct ik_child *ik_v1_child_find(struct ik_engine *e, unsigned id)
{
	for (struct ik_child *c = e->children; c; c = c->next)
		if (c->sa.id == id)
			return c;
	return NULL;
}

void ik_v1_child_remove(struct ik_engine *e, struct ik_child *c, bool notify_peer, const char *why)
{
	struct ik_child **pp;
	char ra[IK_ADDRSTRLEN];

	if (notify_peer) {
		struct ik_p1 *p1 = ik_v1_p1_find_peer(e, c->local, c->remote, true);

		if (p1) {
			uint8_t spi[4];

			ik_put32(spi, c->sa.in.spi);
			ik_v1_send_delete(p1, IK_V1_PROTO_ESP, spi, 4, 1);
		}
	}
	ik_dbg(e->log, IK_DBG_IPSEC, "IPSEC(delete_sa): deleting SA,");
	ik_dbg(e->log, IK_DBG_IPSEC, "  (sa) sa_dest= %s, sa_proto= 50, sa_spi= 0x%X(%u), "
	       "sa_conn_id= %u (%s)", ik_addr_fmt(c->remote, ra), c->sa.out.spi, c->sa.out.spi,
	       c->sa.id + 1, why);
	e->host.child_down(e->host.ctx, &c->sa);
	for (pp = &e->children; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	ik_wipe(&c->sa, sizeof(c->sa));
	ik_v1_cfg_release(e, c->cfg);
	free(c->fvrf);
	free(c);
}

/* ---- configuration helpers ---- */

const char *ik_v1_tunnel_fvrf(const struct ik_interface *t)
{
	return t ? t->tunnel_vrf : NULL;
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

/* The protected tunnel whose endpoints are local/remote (responder side of
 * Quick Mode), or NULL. */
const struct ik_interface *ik_v1_tunnel_for(const struct ik_config *cfg, uint32_t local,
					    uint32_t remote)
{
	for (size_t i = 0; i < cfg->nifaces; i++) {
		const struct ik_interface *t = cfg->ifaces[i];

		if (!t->is_tunnel || !t->protection || t->tunnel_dest != remote)
			continue;
		if (t->tunnel_source_resolved && t->tunnel_source && t->tunnel_source != local)
			continue;
		return t;
	}
	return NULL;
}

/* ---- lifecycle ---- */

struct ik_engine *ik_engine_new(struct ik_config *cfg, const struct ik_engine_host *host,
				const struct ik_log *log, const struct ik_engine_opts *opts)
{
	struct ik_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->cfg = ik_v1_cfg_hold(e, cfg);
	e->host = *host;
	e->log = log;
	if (opts)
		e->opts = *opts;
	if (!e->opts.first_conn_id)
		e->opts.first_conn_id = 1001;
	if (!e->opts.max_half_open)
		e->opts.max_half_open = 1000;
	if (!e->opts.retransmit_max)
		e->opts.retransmit_max = IK_V1_RETRANS_MAX;
	e->next_conn_id = e->opts.first_conn_id;
	e->next_child_id = 2001 + 2 * (e->opts.first_conn_id - 1001);
	/* Cisco IOS announces itself with a vendor ID that starts 3e984048; the
	 * rest identifies the box. */
	memcpy(e->ios_vid, "\x3e\x98\x40\x48", 4);
	ik_v1_rand(e, e->ios_vid + 4, 12);
	e->ios_vid[14] = 0x01;
	return e;
}

void ik_engine_free(struct ik_engine *e)
{
	if (!e)
		return;
	while (e->children) {
		struct ik_child *c = e->children;

		e->children = c->next;
		ik_wipe(&c->sa, sizeof(c->sa));
		ik_v1_cfg_release(e, c->cfg);
		free(c->fvrf);
		free(c);
	}
	while (e->p1s) {
		struct ik_p1 *p1 = e->p1s;

		e->p1s = p1->next;
		p1_free(p1);
	}
	ik_v1_cfg_release(e, e->cfg);
	free(e);
}

/* Frees the SAs marked dead. */
static int engine_initiate_tunnel(struct ik_engine *e, const char *ifname, struct ik_sb *err);

static void gc(struct ik_engine *e)
{
	struct ik_p1 **pp = &e->p1s;

	while (*pp) {
		struct ik_p1 *p1 = *pp;

		if (p1->dead) {
			*pp = p1->next;
			p1_free(p1);
		} else {
			pp = &p1->next;
		}
	}
}

static unsigned half_open_count(struct ik_engine *e, struct ik_p1 **oldest)
{
	unsigned n = 0;

	*oldest = NULL;
	for (struct ik_p1 *p1 = e->p1s; p1; p1 = p1->next) {
		if (p1->dead || p1->state == IKE_P1_COMPLETE)
			continue;
		n++;
		if (!*oldest || p1->created_ms < (*oldest)->created_ms)
			*oldest = p1;
	}
	return n;
}

/* ---- input ---- */

void ik_engine_input(struct ik_engine *e, const struct ik_endpoint *local,
		     const struct ik_endpoint *remote, const char *fvrf,
		     const uint8_t *msg, size_t len)
{
	struct ik_v1_hdr h;
	char err[200], ra[IK_ADDRSTRLEN];
	struct ik_p1 *p1;
	static const uint8_t zero[8];

	ik_log_scope(e->log, remote->addr); /* debug crypto condition peer */
	if (len == 1 && msg[0] == 0xff)
		return; /* NAT-T keepalive (RFC 3948 2.3) */
	if (ik_v1_parse_hdr(msg, len, &h, err, sizeof(err))) {
		ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP (0): malformed packet from %s port %u: %s",
		       ik_addr_fmt(remote->addr, ra), remote->port, err);
		ik_msg(e->log, IK_LOG_WARNING, "%%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from %s "
		       "failed its sanity check or is malformed", ra);
		return;
	}
	p1 = p1_lookup(e, h.icookie, h.rcookie);
	if (!p1) {
		if (h.exch == IK_V1_EXCH_AGGR && e->cfg->aggressive_mode_disable &&
		    !memcmp(h.rcookie, zero, 8)) {
			ik_msg(e->log, IK_LOG_INFO, "%%CRYPTO-6-IKMP_AGG_MODE_DISABLED: Unable to "
			       "initiate or respond to Aggressive Mode while disabled (peer %s)",
			       ik_addr_fmt(remote->addr, ra));
			return;
		}
		if ((h.exch == IK_V1_EXCH_MM || h.exch == IK_V1_EXCH_AGGR) &&
		    !memcmp(h.rcookie, zero, 8) && h.msgid == 0 &&
		    h.np == IK_V1_PL_SA && !(h.flags & IK_V1_FLAG_ENC)) {
			struct ik_p1 *oldest;

			ik_dbg(e->log, IK_DBG_ISAKMP,
				"ISAKMP (0): received packet from %s dport %u "
			       "sport %u %s (N) NEW SA", ik_addr_fmt(remote->addr, ra), local->port,
			       remote->port, fvrf ? fvrf : "Global");
			if (half_open_count(e, &oldest) >= e->opts.max_half_open && oldest) {
				ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP:(%u):half-open SA limit %u "
				       "reached, dropping the oldest", oldest->conn_id,
				       e->opts.max_half_open);
				ik_v1_p1_delete(oldest, "half-open limit", false);
			}
			p1 = ik_v1_p1_new(e, false, local, remote, fvrf);
			if (!p1)
				return;
			memcpy(p1->cky_i, h.icookie, 8);
			ik_v1_p1_rehash(p1);
			ik_v1_dispatch(e, p1, local, remote, fvrf, msg, len);
			if (!p1->dead && p1->state == IKE_READY)
				ik_v1_p1_delete(p1, "malformed first message", false);
			gc(e);
			return;
		}
		if (h.exch == IK_V1_EXCH_INFO && !(h.flags & IK_V1_FLAG_ENC)) {
			ik_dbg(e->log, IK_DBG_ISAKMP,
				"ISAKMP (0): received packet from %s dport %u "
			       "sport %u %s (N) NEW SA", ik_addr_fmt(remote->addr, ra), local->port,
			       remote->port, fvrf ? fvrf : "Global");
			ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP:(0):unauthenticated informational "
			       "exchange from %s ignored", ra);
			return;
		}
		ik_msg(e->log, IK_LOG_WARNING, "%%CRYPTO-4-IKMP_NO_SA: IKE message from %s has no "
		       "SA and is not an initialization offer", ik_addr_fmt(remote->addr, ra));
		return;
	}
	ik_v1_dispatch(e, p1, local, remote, fvrf, msg, len);
	gc(e);
}

/* ---- timers ---- */

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

uint64_t ik_engine_next_timer(const struct ik_engine *e)
{
	uint64_t t = UINT64_MAX;

	for (const struct ik_p1 *p1 = e->p1s; p1; p1 = p1->next) {
		if (p1->dead)
			continue;
		if (p1->x.next_ms)
			t = min64(t, p1->x.next_ms);
		if (p1->expire_ms)
			t = min64(t, p1->expire_ms);
		if (p1->rekey_ms && !p1->rekey_started)
			t = min64(t, p1->rekey_ms);
		if (p1->dpd_next_ms)
			t = min64(t, p1->dpd_next_ms);
		if (p1->natka_next_ms)
			t = min64(t, p1->natka_next_ms);
		for (const struct ik_qm *q = p1->qms; q; q = q->next) {
			if (q->x.next_ms)
				t = min64(t, q->x.next_ms);
			if (q->expire_ms)
				t = min64(t, q->expire_ms);
		}
	}
	for (const struct ik_child *c = e->children; c; c = c->next) {
		if (c->soft_ms && !c->rekeying)
			t = min64(t, c->soft_ms);
		t = min64(t, c->hard_ms);
	}
	return t;
}

static void retransmit(struct ik_p1 *p1, struct ik_xmit *x, bool phase2, uint32_t msgid)
{
	struct ik_engine *e = p1->e;
	uint64_t now = ik_v1_now(e);

	if (x->count >= e->opts.retransmit_max) {
		x->next_ms = 0;
		if (phase2) {
			ik_dbg(e->log, IK_DBG_ISAKMP,
				"ISAKMP:(%u):deleting node %u error TRUE reason "
			       "\"Death by retransmission P2\"", p1->conn_id, msgid);
			e->st.p2_failed++;
			for (struct ik_qm *q = p1->qms; q; q = q->next)
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
			char ra[IK_ADDRSTRLEN];

			ik_msg(e->log, IK_LOG_INFO, "%%CRYPTO-6-IKMP_MODE_FAILURE: Processing of "
			       "Main mode failed with peer at %s (no answer in %s after %u "
			       "retransmissions%s)", ik_addr_fmt(p1->remote.addr, ra),
			       ik_v1_p1_disp(p1), x->count,
			       p1->state == IKE_I_MM5 ? ": a peer that drops MM5 is often "
			       "checking another keyring, rule P2 on its side" : "");
		}
		ik_v1_p1_delete(p1, "Death by retransmission P1", false);
		return;
	}
	x->count++;
	ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP:(%u): retransmitting phase %d %s%s...", p1->conn_id,
	       phase2 ? 2 : 1, phase2 ? "QM_IDLE" : ik_v1_p1_disp(p1), phase2 ? "     " : "");
	ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP (%u): incrementing error counter on %s, attempt %u "
	       "of %u: retransmit phase %d", p1->conn_id, phase2 ? "node" : "sa", x->count,
	       e->opts.retransmit_max, phase2 ? 2 : 1);
	ik_dbg(e->log, IK_DBG_ISAKMP, "ISAKMP:(%u): retransmitting phase %d %s", p1->conn_id,
	       phase2 ? 2 : 1, phase2 ? "QM_IDLE" : ik_v1_p1_disp(p1));
	ik_v1_send(p1, x->buf, x->len);
	/* exponential back-off, capped: 2, 4, 8, 16, 16 s, then the SA goes */
	x->next_ms = now + ((uint64_t)IK_V1_RETRANS_BASE_MS
			    << (x->count <= IK_V1_RETRANS_CAP_SHIFT ? x->count : IK_V1_RETRANS_CAP_SHIFT));
}

uint64_t ik_v1_retrans_window_ms(const struct ik_engine *e)
{
	uint64_t t = 0;

	/* the wait before retransmission n + 1 is BASE << min(n, CAP) */
	for (unsigned n = 0; n <= e->opts.retransmit_max; n++)
		t += (uint64_t)IK_V1_RETRANS_BASE_MS
		     << (n <= IK_V1_RETRANS_CAP_SHIFT ? n : IK_V1_RETRANS_CAP_SHIFT);
	return t;
}

uint64_t ik_v1_exchange_limit_ms(const struct ik_engine *e)
{
	uint64_t w = ik_v1_retrans_window_ms(e);

	return w > IK_V1_HALF_OPEN_MS ? w : IK_V1_HALF_OPEN_MS;
}

static void child_timers(struct ik_engine *e, uint64_t now)
{
	struct ik_child *c = e->children, *next;

	for (; c; c = next) {
		next = c->next;
		ik_log_scope(e->log, c->remote);
		if (now >= c->hard_ms) {
			ik_v1_child_remove(e, c, true, "lifetime expired");
			continue;
		}
		if (c->soft_ms && !c->rekeying && now >= c->soft_ms) {
			struct ik_p1 *p1 = ik_v1_p1_find_peer(e, c->local, c->remote, true);
			const struct ik_interface *t = c->sa.tunnel;

			c->rekeying = true;
			if (e->opts.passive || !t)
				continue;
			ik_dbg(e->log, IK_DBG_IPSEC,
				"IPSEC(sa_request): , rekey of conn id %u (soft "
			       "lifetime)", c->sa.id);
			/* The tunnel pointer belongs to the child's snapshot; look it up in
			 * the current one. */
			t = ik_config_find_iface(e->cfg, c->sa.ifname);
			if (!t || !t->protection)
				continue;
			if (p1) {
				ik_v1_qm_start(p1, t, c->sa.id);
			} else {
				struct ik_sb err;

				ik_sb_init(&err);
				if (engine_initiate_tunnel(e, c->sa.ifname, &err) == 0) {
					struct ik_p1 *np = ik_v1_p1_find_peer(e, c->local,
						c->remote, false);
					if (np)
						np->want_rekey_of = c->sa.id;
				}
				ik_sb_free(&err);
			}
		}
	}
}

void ik_engine_run_timers(struct ik_engine *e)
{
	uint64_t now = ik_v1_now(e);

	for (struct ik_p1 *p1 = e->p1s; p1; p1 = p1->next) {
		if (p1->dead)
			continue;
		ik_log_scope(e->log, p1->remote.addr);
		if (p1->x.next_ms && now >= p1->x.next_ms)
			retransmit(p1, &p1->x, false, 0);
		if (p1->dead)
			continue;
		if (p1->expire_ms && now >= p1->expire_ms) {
			ik_v1_p1_delete(p1, p1->state == IKE_P1_COMPLETE ? "Lifetime expired" :
					"Half-open SA timed out", p1->state == IKE_P1_COMPLETE);
			continue;
		}
		if (p1->rekey_ms && !p1->rekey_started && now >= p1->rekey_ms) {
			p1->rekey_started = true;
			if (p1->initiator && p1->tunnel && !e->opts.passive) {
				struct ik_sb err;

				ik_dbg(e->log, IK_DBG_ISAKMP,
					"ISAKMP:(%u):phase 1 SA lifetime soft "
				       "limit, renegotiating", p1->conn_id);
				ik_sb_init(&err);
				if (engine_initiate_tunnel(e, p1->tunnel->name, &err) == 0) {
					struct ik_p1 *np = ik_v1_p1_find_peer(e, p1->local.addr,
									   p1->remote.addr, false);

					/* a phase-1 rekey: the child SAs stay as they are */
					if (np && np != p1)
						np->want_qm = false;
				}
				ik_sb_free(&err);
			}
		}
		if (p1->dpd_next_ms && now >= p1->dpd_next_ms)
			ik_v1_dpd_timer(p1, now);
		if (p1->dead)
			continue;
		if (p1->natka_next_ms && now >= p1->natka_next_ms) {
			static const uint8_t ka = 0xff;

			e->host.send(e->host.ctx, &p1->local, &p1->remote, p1->fvrf, &ka, 1);
			p1->natka_next_ms = now + (uint64_t)p1->cfg->nat_keepalive * 1000;
		}
		for (struct ik_qm *q = p1->qms, *qn; q; q = qn) {
			qn = q->next;
			if (q->x.next_ms && now >= q->x.next_ms) {
				retransmit(p1, &q->x, true, q->msgid);
				continue; /* q may be gone */
			}
			if (q->expire_ms && now >= q->expire_ms) {
				if (!q->done) {
					ik_dbg(e->log, IK_DBG_ISAKMP,
						"ISAKMP:(%u):deleting node %u "
					       "error TRUE reason \"QM timed out\"", p1->conn_id,
					       q->msgid);
					e->st.p2_failed++;
				}
				ik_v1_qm_unlink(p1, q);
				ik_v1_qm_free(q);
			}
		}
	}
	child_timers(e, now);
	gc(e);
}

/* ---- initiation ---- */

/* Starts phase 1 (or only Quick Mode) for a tunnel. Rekeys come here too, so
 * this does not look at the tunnel's existing child SAs: ik_engine_initiate
 * does, for the requests that come from outside. */
static int engine_initiate_tunnel(struct ik_engine *e, const char *ifname, struct ik_sb *err)
{
	const struct ik_interface *t = ik_config_find_iface(e->cfg, ifname);
	struct ik_endpoint local, remote;
	struct ik_p1 *p1;
	uint32_t src;

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
	src = ik_v1_tunnel_source(e, t);
	if (!src || !t->tunnel_dest) {
		ik_sb_printf(err, "%% %s: tunnel source or destination unknown", ifname);
		return -1;
	}
	ik_log_scope(e->log, t->tunnel_dest);
	/* An established phase 1 to this peer: only Quick Mode is needed. */
	p1 = ik_v1_p1_find_peer(e, src, t->tunnel_dest, false);
	if (p1 && p1->state == IKE_P1_COMPLETE && !p1->rekey_started)
		return ik_v1_qm_start(p1, t, 0);
	if (p1 && p1->initiator && p1->tunnel == t && p1->state != IKE_P1_COMPLETE) {
		p1->want_qm = true;
		return 0; /* already negotiating */
	}
	local.addr = src;
	local.port = 500;
	remote.addr = t->tunnel_dest;
	remote.port = 500;
	p1 = ik_v1_p1_new(e, true, &local, &remote, ik_v1_tunnel_fvrf(t));
	if (!p1) {
		ik_sb_printf(err, "%% out of memory");
		return -1;
	}
	p1->tunnel = t;
	p1->want_qm = true;
	if (ik_v1_mm_start(p1)) {
		ik_sb_printf(err, "%% %s: phase 1 could not start (see the debug trace)", ifname);
		ik_v1_p1_delete(p1, "could not start", false);
		gc(e);
		return -1;
	}
	return 0;
}

/* A child SA of this tunnel that is up and not being replaced, or NULL. */
static const struct ik_child *engine_tunnel_child(const struct ik_engine *e, const char *ifname)
{
	for (const struct ik_child *c = e->children; c; c = c->next)
		if (!c->rekeying && !strcmp(c->sa.ifname, ifname))
			return c;
	return NULL;
}

int ik_engine_initiate(struct ik_engine *e, const char *ifname, struct ik_sb *err)
{
	const struct ik_child *c = e->opts.passive ? NULL : engine_tunnel_child(e, ifname);

	if (c) {
		char a[IK_ADDRSTRLEN];

		ik_sb_printf(err, "%s: IPsec SAs with %s are already up (outbound spi 0x%08X); "
			     "nothing to negotiate (clear crypto sa peer %s renegotiates)",
			     ifname, ik_addr_fmt(c->remote, a), c->sa.out.spi, a);
		return 1;
	}
	return engine_initiate_tunnel(e, ifname, err);
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
	if (e->opts.passive)
		return;
	for (size_t i = 0; i < e->cfg->nifaces; i++) {
		const struct ik_interface *t = e->cfg->ifaces[i];
		struct ik_sb err;

		if (!t->is_tunnel || !t->protection || t->shutdown)
			continue;
		if (reqid ? reqid != t->tunnel_num + 1 : t->tunnel_dest != dst)
			continue;
		(void)src;
		ik_sb_init(&err);
		if (ik_engine_initiate(e, t->name, &err) < 0)
			ik_msg(e->log, IK_LOG_WARNING, "%s", ik_sb_str(&err));
		ik_sb_free(&err);
		return;
	}
}

void ik_engine_expire(struct ik_engine *e, uint32_t spi, bool hard)
{
	for (struct ik_child *c = e->children; c; c = c->next) {
		if (c->sa.in.spi != spi && c->sa.out.spi != spi)
			continue;
		ik_log_scope(e->log, c->remote);
		if (hard) {
			ik_v1_child_remove(e, c, true, "kernel hard expire");
		} else if (!c->rekeying) {
			c->soft_ms = ik_v1_now(e);
			child_timers(e, c->soft_ms);
		}
		gc(e);
		return;
	}
}

/* ---- clear ---- */

void ik_engine_clear(struct ik_engine *e, enum ik_clear_what what, uint32_t peer, unsigned conn_id)
{
	if (what == IK_CLEAR_SA || what == IK_CLEAR_SESSION) {
		struct ik_child *c = e->children, *next;

		for (; c; c = next) {
			next = c->next;
			ik_log_scope(e->log, c->remote);
			if (!peer || c->remote == peer)
				ik_v1_child_remove(e, c, true, "clear");
		}
	}
	if (what == IK_CLEAR_ISAKMP || what == IK_CLEAR_SESSION) {
		for (struct ik_p1 *p1 = e->p1s; p1; p1 = p1->next) {
			if (p1->dead)
				continue;
			if (what == IK_CLEAR_ISAKMP && conn_id && p1->conn_id != conn_id)
				continue;
			if (peer && p1->remote.addr != peer)
				continue;
			ik_log_scope(e->log, p1->remote.addr);
			ik_v1_p1_delete(p1, "Manual clear", true);
		}
	}
	gc(e);
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

	e->cfg = ik_v1_cfg_hold(e, cfg);
	for (struct ik_child *c = e->children, *next; c; c = next) {
		next = c->next;
		if (!tunnel_same(c->sa.tunnel, ik_config_find_iface(cfg, c->sa.ifname)))
			ik_v1_child_remove(e, c, true, "configuration changed");
	}
	for (struct ik_p1 *p1 = e->p1s; p1; p1 = p1->next) {
		if (p1->dead)
			continue;
		if (p1->tunnel) {
			if (!tunnel_same(p1->tunnel, ik_config_find_iface(cfg, p1->tunnel->name)))
				ik_v1_p1_delete(p1, "configuration changed", true);
			continue;
		}
		/* Responder SAs: kept while a tunnel to that peer is still protected
		 * and unchanged, or while no tunnel ever named it. */
		const struct ik_interface *ot = ik_v1_tunnel_for(old, p1->local.addr,
								  p1->remote.addr);
		const struct ik_interface *nt = ik_v1_tunnel_for(cfg, p1->local.addr,
								  p1->remote.addr);
		if (ot && !tunnel_same(ot, nt))
			ik_v1_p1_delete(p1, "configuration changed", true);
	}
	ik_v1_cfg_release(e, old);
	gc(e);
}

/* ---- stats ---- */

void ik_engine_stats(const struct ik_engine *e, struct ik_engine_stats *st)
{
	*st = e->st;
	st->isakmp_sas = st->isakmp_up = st->child_sas = st->half_open = 0;
	for (const struct ik_p1 *p1 = e->p1s; p1; p1 = p1->next) {
		if (p1->dead)
			continue;
		st->isakmp_sas++;
		if (p1->state == IKE_P1_COMPLETE)
			st->isakmp_up++;
		else
			st->half_open++;
	}
	for (const struct ik_child *c = e->children; c; c = c->next)
		st->child_sas++;
}
