/* Keyed hash tables of embedded links (see sa.h). */
#include "ike/sa.h"

#include <sodium.h>
#include <stdlib.h>

uint64_t ik_keyed_hash(const uint8_t key[IK_HKEY_LEN], const void *d, size_t len)
{
	uint8_t out[crypto_shorthash_BYTES];
	uint64_t h = 0;

	crypto_shorthash(out, d, len, key);
	for (size_t i = 0; i < sizeof(h); i++)
		h = h << 8 | out[i];
	return h;
}

#define HTAB_MIN 64 /* buckets */

/* Moves every link into nb buckets (a power of two). */
static int rehash(struct ik_htab *t, size_t nb)
{
	struct ik_hlink **b = calloc(nb, sizeof(*b));

	if (!b)
		return -1;
	if (t->b) {
		for (size_t i = 0; i <= t->mask; i++) {
			struct ik_hlink *l = t->b[i], *next;

			for (; l; l = next) {
				struct ik_hlink **pp = &b[l->h & (nb - 1)];

				next = l->next;
				l->next = *pp;
				if (*pp)
					(*pp)->pprev = &l->next;
				*pp = l;
				l->pprev = pp;
			}
		}
		free(t->b);
	}
	t->b = b;
	t->mask = nb - 1;
	return 0;
}

static int grow(struct ik_htab *t)
{
	return rehash(t, t->b ? (t->mask + 1) * 2 : HTAB_MIN);
}

bool ik_htab_shrink(struct ik_htab *t)
{
	size_t nb = HTAB_MIN;

	if (!t->b || t->mask + 1 <= HTAB_MIN || t->n >= (t->mask + 1) / 8)
		return false;
	while (nb < 2 * t->n)
		nb *= 2;
	return rehash(t, nb) == 0;
}

int ik_htab_add(struct ik_htab *t, struct ik_hlink *l, uint64_t h)
{
	struct ik_hlink **pp;

	if ((!t->b || t->n > t->mask) && grow(t) && !t->b)
		return -1; /* a full table that cannot grow still takes entries */
	l->h = h;
	pp = &t->b[h & t->mask];
	l->next = *pp;
	if (*pp)
		(*pp)->pprev = &l->next;
	*pp = l;
	l->pprev = pp;
	t->n++;
	return 0;
}

bool ik_htab_del(struct ik_htab *t, struct ik_hlink *l)
{
	if (!t->b || !l->pprev)
		return false;
	*l->pprev = l->next;
	if (l->next)
		l->next->pprev = l->pprev;
	l->next = NULL;
	l->pprev = NULL;
	t->n--;
	return true;
}

struct ik_hlink *ik_htab_first(const struct ik_htab *t, uint64_t h)
{
	struct ik_hlink *l;

	if (!t->b)
		return NULL;
	for (l = t->b[h & t->mask]; l && l->h != h; l = l->next)
		;
	return l;
}

struct ik_hlink *ik_htab_next(const struct ik_hlink *l)
{
	uint64_t h = l->h;

	for (l = l->next; l && l->h != h; l = l->next)
		;
	return (struct ik_hlink *)(uintptr_t)l;
}

void ik_htab_free(struct ik_htab *t)
{
	free(t->b);
	t->b = NULL;
	t->mask = 0;
	t->n = 0;
}
