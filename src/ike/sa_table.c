/* The core's IKE SA table (core.h): the SAs of both versions by initiator
 * SPI, by peer (front-door VRF, local address, remote address and port) and
 * by remote address; the half-open count with its eviction lists (peers that
 * have not answered from their address first) and the per-source records;
 * the timers of established SAs. Every operation touches one chain or one
 * list link: nothing here walks the SAs. */
#include <stdlib.h>

#include "ike/core.h"
#include "util/util.h"

static void sa_index_peer(struct ik_ike_sa *sa)
{
	struct ik_engine *e = sa->e;

	ik_htab_add(&e->sa_by_peer, &sa->by_peer,
		    ik_core_hash_peer(e, sa->fvrf, &sa->local.ip, &sa->remote.ip, sa->remote.port));
	ik_htab_add(&e->sa_by_addr, &sa->by_addr, ik_core_hash_addr(e, &sa->remote.ip));
}

void ik_core_sa_unindex_peer(struct ik_ike_sa *sa)
{
	ik_htab_del(&sa->e->sa_by_peer, &sa->by_peer);
	ik_htab_del(&sa->e->sa_by_addr, &sa->by_addr);
}

struct ik_src *ik_core_src_find(struct ik_engine *e, const struct ik_addr *addr)
{
	uint64_t h = ik_core_hash_addr(e, addr);

	for (struct ik_hlink *l = ik_htab_first(&e->srcs, h); l; l = ik_htab_next(l)) {
		struct ik_src *s = ik_container_of(l, struct ik_src, link);

		if (ik_addr_eq(&s->addr, addr))
			return s;
	}
	return NULL;
}

static struct ik_src *src_get(struct ik_engine *e, const struct ik_addr *addr)
{
	struct ik_src *s = ik_core_src_find(e, addr);

	if (s)
		return s;
	/* in a pool of their own: a source's record lives as long as its
	 * longest half-open SA, and would keep heap pages of others resident */
	if (!e->src_pool.size)
		ik_slab_init(&e->src_pool, sizeof(*s));
	s = ik_slab_alloc(&e->src_pool);
	if (!s)
		return NULL;
	s->addr = *addr;
	if (ik_htab_add(&e->srcs, &s->link, ik_core_hash_addr(e, addr))) {
		ik_slab_free(&e->src_pool, s);
		return NULL;
	}
	return s;
}

static void src_put(struct ik_engine *e, struct ik_src *s)
{
	ik_htab_del(&e->srcs, &s->link);
	ik_slab_free(&e->src_pool, s);
}

static void ho_unlink(struct ik_ike_sa **head, struct ik_ike_sa **tail, struct ik_ike_sa *sa)
{
	if (sa->ho_prev)
		sa->ho_prev->ho_next = sa->ho_next;
	else if (*head == sa)
		*head = sa->ho_next;
	if (sa->ho_next)
		sa->ho_next->ho_prev = sa->ho_prev;
	else if (*tail == sa)
		*tail = sa->ho_prev;
	sa->ho_prev = sa->ho_next = NULL;
}

static void ho_append(struct ik_ike_sa **head, struct ik_ike_sa **tail, struct ik_ike_sa *sa)
{
	sa->ho_next = NULL;
	sa->ho_prev = *tail;
	if (*tail)
		(*tail)->ho_next = sa;
	else
		*head = sa;
	*tail = sa;
}

/* A new SA is half-open; a responder's enters the eviction list. */
static void ho_enter(struct ik_engine *e, struct ik_ike_sa *sa)
{
	sa->half_open = true;
	e->half_open++;
	if (sa->initiator)
		return;
	ho_append(&e->ho_unproven_head, &e->ho_unproven_tail, sa);
	sa->src = src_get(e, &sa->remote.ip);
	if (!sa->src)
		return;
	if (!sa->src->half_open) {
		/* a new source: this SA opens its rate window */
		sa->src->win_ms = sa->created_ms;
		sa->src->win_count = 1;
	}
	sa->src->half_open++;
}

/* The responder's peer answered from its address (MM3): it is evicted only
 * after every SA that has not. */
static void ho_prove(struct ik_engine *e, struct ik_ike_sa *sa)
{
	if (!sa->half_open || sa->initiator || sa->proven)
		return;
	sa->proven = true;
	ho_unlink(&e->ho_unproven_head, &e->ho_unproven_tail, sa);
	ho_append(&e->ho_proven_head, &e->ho_proven_tail, sa);
	ik_peer_sa_event(sa, IK_PEER_SA_CREATED); /* deferred until now (ike/peer.c) */
}

static void ho_leave(struct ik_engine *e, struct ik_ike_sa *sa)
{
	if (!sa->half_open)
		return;
	sa->half_open = false;
	e->half_open--;
	if (sa->initiator)
		return;
	if (sa->proven)
		ho_unlink(&e->ho_proven_head, &e->ho_proven_tail, sa);
	else
		ho_unlink(&e->ho_unproven_head, &e->ho_unproven_tail, sa);
	if (sa->src && --sa->src->half_open == 0)
		src_put(e, sa->src);
	sa->src = NULL;
}

struct ik_sa_live *ik_core_sa_live(struct ik_ike_sa *sa)
{
	if (!sa->live) {
		sa->live = ik_xcalloc(1, sizeof(*sa->live));
		sa->live->sa = sa;
		sa->live->t_rekey.kind = IK_TK_SA_REKEY;
		sa->live->t_dpd.kind = IK_TK_SA_DPD;
		sa->live->t_natka.kind = IK_TK_SA_NATKA;
	}
	return sa->live;
}

void ik_core_sa_live_cancel(struct ik_ike_sa *sa)
{
	struct ik_timers *ts = &sa->e->timers;

	if (!sa->live)
		return;
	ik_timer_cancel(ts, &sa->live->t_rekey);
	ik_timer_cancel(ts, &sa->live->t_dpd);
	ik_timer_cancel(ts, &sa->live->t_natka);
}

void ik_core_sa_live_free(struct ik_ike_sa *sa)
{
	ik_core_sa_live_cancel(sa);
	free(sa->live);
	sa->live = NULL;
}

void ik_core_sa_set_endpoints(struct ik_ike_sa *sa, const struct ik_endpoint *local,
			      const struct ik_endpoint *remote)
{
	struct ik_engine *e = sa->e;
	bool moved = !ik_addr_eq(&sa->remote.ip, &remote->ip);

	ik_core_sa_unindex_peer(sa);
	if (moved && sa->half_open && !sa->initiator) {
		/* the per-source count follows the address */
		struct ik_src *s = sa->src;

		if (s && --s->half_open == 0)
			src_put(e, s);
		sa->src = src_get(e, &remote->ip);
		if (sa->src && sa->src->half_open == UINT16_MAX)
			sa->src = NULL; /* (never freed here: it has SAs) */
		if (sa->src)
			sa->src->half_open++;
	}
	sa->local = *local;
	sa->remote = *remote;
	sa_index_peer(sa);
}

void ik_core_sa_link(struct ik_ike_sa *sa)
{
	sa_index_peer(sa);
	ho_enter(sa->e, sa);
}

void ik_core_sa_index_spi(struct ik_ike_sa *sa)
{
	ik_htab_add(&sa->e->sa_by_spi, &sa->by_spi, ik_core_hash_spi(sa->e, sa->spi_i));
}

void ik_core_sa_unlink(struct ik_ike_sa *sa)
{
	struct ik_engine *e = sa->e;

	ho_leave(e, sa);
	sa->dead = true;
	ik_htab_del(&e->sa_by_spi, &sa->by_spi);
	ik_core_sa_unindex_peer(sa);
	sa->free_next = e->free_list;
	e->free_list = sa;
}

void ik_core_ho_prove(struct ik_ike_sa *sa)
{
	ho_prove(sa->e, sa);
}

void ik_core_ho_leave(struct ik_ike_sa *sa)
{
	ho_leave(sa->e, sa);
}

struct ik_hlink *ik_core_sa_first_spi(struct ik_engine *e, const uint8_t spi_i[8])
{
	return ik_htab_first(&e->sa_by_spi, ik_core_hash_spi(e, spi_i));
}

struct ik_hlink *ik_core_sa_first_addr(struct ik_engine *e, uint32_t addr)
{
	struct ik_addr a = ik_addr_v4(addr);

	return ik_htab_first(&e->sa_by_addr, ik_core_hash_addr(e, &a));
}

struct ik_hlink *ik_core_sa_first_addr_ip(struct ik_engine *e, const struct ik_addr *addr)
{
	return ik_htab_first(&e->sa_by_addr, ik_core_hash_addr(e, addr));
}

struct ik_hlink *ik_core_sa_first_peer(struct ik_engine *e, const char *fvrf,
				       const struct ik_endpoint *local,
				       const struct ik_endpoint *remote)
{
	return ik_htab_first(&e->sa_by_peer,
			     ik_core_hash_peer(e, fvrf, &local->ip, &remote->ip, remote->port));
}

void ik_core_compact(struct ik_engine *e)
{
	struct ik_htab *tabs[] = {
		&e->sa_by_spi, &e->sa_by_peer, &e->sa_by_addr, &e->srcs, &e->peers.by_addr,
		&e->ch_by_id, &e->ch_by_spi, &e->ch_by_spi_out, &e->ch_by_tunnel, &e->ch_by_peer,
		&e->ch_by_addr,
	};

	for (size_t i = 0; i < IK_ARRAY_LEN(tabs); i++)
		ik_htab_shrink(tabs[i]);
	ik_timers_shrink(&e->timers);
}
