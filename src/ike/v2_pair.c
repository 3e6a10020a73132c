/* The IKEv2 SAs in state READY by (local address, remote address): what
 * ik_v2_sa_find_peer answers from (child rekey and delete, INITIAL_CONTACT,
 * crypto map initiation), in O(1) however many SAs one peer address holds.
 *
 * One struct ik_v2_pair per address pair with READY SAs, in a keyed hash
 * table of the engine's IKEv2 state; its SAs in a list ordered by SA ID
 * (the order of creation), so that the newest is the tail. A node is made
 * when an SA becomes READY (the half-open SA holds only the pointer to it)
 * and goes when the SA leaves READY, is deleted or moves to other
 * addresses. SAs become READY about in the order they were made: the node
 * goes in from the tail, past the few newer SAs already READY. */
#include <stdlib.h>

#include "ike/v2_int.h"

struct ik_v2_pair {
	struct ik_hlink link;
	struct ik_addr local, remote;
	struct ik_v2_pair_node *head, *tail;    /* oldest first */
};

struct ik_v2_pair_node {
	struct ik_v2_pair *pair;
	struct ik_v2_pair_node *prev, *next;
	struct ik_v2_ike_sa *sa;
};

static uint64_t pair_hash(const struct ik_engine *e, const struct ik_addr *local,
			  const struct ik_addr *remote)
{
	return ik_core_hash_peer(e, NULL, local, remote, 0);
}

static struct ik_v2_pair *pair_find(struct ik_engine *e, const struct ik_addr *local,
				    const struct ik_addr *remote, uint64_t h)
{
	for (struct ik_hlink *l = ik_htab_first(&e->v2->pairs, h); l; l = ik_htab_next(l)) {
		struct ik_v2_pair *p = ik_container_of(l, struct ik_v2_pair, link);

		if (ik_addr_eq(&p->local, local) && ik_addr_eq(&p->remote, remote))
			return p;
	}
	return NULL;
}

/* Whether SA ID a was given after b (IDs count up and may wrap). */
static bool id_after(unsigned a, unsigned b)
{
	return (int)(a - b) > 0;
}

void ik_v2_pair_enter(struct ik_v2_ike_sa *s)
{
	struct ik_engine *e = s->e;
	struct ik_v2_eng *v = ik_v2_eng(e);
	uint64_t h = pair_hash(e, &s->local.ip, &s->remote.ip);
	struct ik_v2_pair *p;
	struct ik_v2_pair_node *n, *after;

	if (s->ready)
		return;
	p = pair_find(e, &s->local.ip, &s->remote.ip, h);
	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p)
			return;
		p->local = s->local.ip;
		p->remote = s->remote.ip;
		if (ik_htab_add(&v->pairs, &p->link, h)) {
			free(p);
			return;
		}
	}
	n = calloc(1, sizeof(*n));
	if (!n) {
		if (!p->head) {
			ik_htab_del(&v->pairs, &p->link);
			free(p);
		}
		return;
	}
	n->pair = p;
	n->sa = s;
	for (after = p->tail; after && id_after(after->sa->sa_id, s->sa_id); after = after->prev)
		;
	n->prev = after;
	n->next = after ? after->next : p->head;
	if (n->next)
		n->next->prev = n;
	else
		p->tail = n;
	if (after)
		after->next = n;
	else
		p->head = n;
	s->ready = n;
}

void ik_v2_pair_leave(struct ik_v2_ike_sa *s)
{
	struct ik_v2_pair_node *n = s->ready;
	struct ik_v2_pair *p;

	if (!n)
		return;
	p = n->pair;
	if (n->prev)
		n->prev->next = n->next;
	else
		p->head = n->next;
	if (n->next)
		n->next->prev = n->prev;
	else
		p->tail = n->prev;
	free(n);
	s->ready = NULL;
	if (!p->head) {
		ik_htab_del(&s->e->v2->pairs, &p->link);
		free(p);
	}
}

void ik_v2_pair_moved(struct ik_v2_ike_sa *s)
{
	if (!s->ready)
		return;
	ik_v2_pair_leave(s);
	ik_v2_pair_enter(s);
}

struct ik_v2_ike_sa *ik_v2_sa_find_peer(struct ik_engine *e, const struct ik_addr *local,
					const struct ik_addr *remote)
{
	struct ik_v2_pair *p;

	if (!local)
		return ik_v2_sa_find_peer_walk(e, NULL, remote);
	if (!e->v2)
		return NULL;
	p = pair_find(e, local, remote, pair_hash(e, local, remote));
	return p && p->tail ? p->tail->sa : NULL;
}

struct ik_v2_ike_sa *ik_v2_sa_find_peer_walk(struct ik_engine *e, const struct ik_addr *local,
					     const struct ik_addr *remote)
{
	struct ik_v2_ike_sa *best = NULL;

	for (struct ik_hlink *l = ik_core_sa_first_addr_ip(e, remote); l; l = ik_htab_next(l)) {
		struct ik_ike_sa *sa = ik_container_of(l, struct ik_ike_sa, by_addr);
		struct ik_v2_ike_sa *s = (struct ik_v2_ike_sa *)sa;

		if (sa->dead || sa->version != 2 || sa->state != IKEV2_READY ||
		    !ik_addr_eq(&sa->remote.ip, remote) ||
		    (local && !ik_addr_eq(&sa->local.ip, local)))
			continue;
		if (!best || id_after(s->sa_id, best->sa_id))
			best = s;
	}
	return best;
}

void ik_v2_pairs_free(struct ik_engine *e)
{
	struct ik_v2_eng *v = e->v2;

	for (struct ik_v2_ike_sa *s = v->sas; s; s = s->next)
		ik_v2_pair_leave(s);
	ik_htab_free(&v->pairs);
}
