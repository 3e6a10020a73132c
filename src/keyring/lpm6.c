/* IPv6 longest-prefix-match table: see lpm6.h for the layout. */
#include "keyring/lpm6.h"

#include <stdlib.h>
#include <string.h>

#include "util/addr.h"

/* A hash slot (8 bytes): the entry it points at and 32 more bits of the
 * prefix's hash, so that a probe for a prefix that is not there seldom
 * reads an entry, and the slot array stays small enough to be cached. */
struct lpm6_slot {
	uint32_t idx;           /* index + 1 of the prefix's first entry; 0: empty */
	uint32_t tag;           /* the hash's high half */
};

struct ik_lpm6 {
	struct ik_lpm6_ent *ents; /* sorted by (addr, plen, rank) */
	size_t n;
	struct ik_plen6 plens;
	uint8_t order[129];       /* the lengths present, longest first */
	unsigned norder;
	struct lpm6_slot *slots;
	size_t cap;               /* power of two; 0 when the table is empty */
};

static int lpm6_ent_cmp(const void *a, const void *b)
{
	const struct ik_lpm6_ent *x = a, *y = b;
	int c = memcmp(x->addr, y->addr, 16);

	if (c)
		return c;
	if (x->plen != y->plen)
		return x->plen < y->plen ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return 0;
}

/* A full 64-bit mix (every input bit moves every output bit): prefixes that
 * differ only in their last bytes (peers numbered ::1, ::2, ...) must not
 * share the low bits the slot index takes. */
static uint64_t lpm6_mix(uint64_t h)
{
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	h ^= h >> 31;
	return h;
}

static uint64_t lpm6_hash(const uint8_t a[16], uint32_t plen)
{
	uint64_t hi, lo;

	memcpy(&hi, a, 8);
	memcpy(&lo, a + 8, 8);
	return lpm6_mix(lpm6_mix(hi ^ ((uint64_t)plen << 56)) ^ lo);
}

/* The slot holding prefix (a, plen), or the empty slot where it would go. */
static size_t lpm6_find(const struct ik_lpm6 *t, const uint8_t a[16], uint32_t plen)
{
	uint64_t x = lpm6_hash(a, plen);
	size_t h = (size_t)x & (t->cap - 1);
	uint32_t tag = (uint32_t)(x >> 32);

	while (t->slots[h].idx) {
		const struct lpm6_slot *sl = &t->slots[h];

		if (sl->tag == tag) {
			const struct ik_lpm6_ent *e = &t->ents[sl->idx - 1];

			if (e->plen == plen && !memcmp(e->addr, a, 16))
				break;
		}
		h = (h + 1) & (t->cap - 1);
	}
	return h;
}

struct ik_lpm6 *ik_lpm6_build(struct ik_lpm6_ent *ents, size_t n)
{
	struct ik_lpm6 *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	if (n > 0xfffffffeu)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		if (ents[i].plen > 128)
			ents[i].plen = 128;
		ik_addr6_mask(ents[i].addr, (int)ents[i].plen);
		ik_plen6_add(&t->plens, ents[i].plen);
	}
	for (int p = 128; p >= 0; p--)
		if (ik_plen6_has(&t->plens, (unsigned)p))
			t->order[t->norder++] = (uint8_t)p;
	if (!n)
		return t;
	qsort(ents, n, sizeof(*ents), lpm6_ent_cmp);
	t->ents = malloc(n * sizeof(*ents));
	t->cap = 4;
	while (t->cap < n + n / 2 + 1)
		t->cap *= 2;
	t->slots = calloc(t->cap, sizeof(*t->slots));
	if (!t->ents || !t->slots)
		goto fail;
	memcpy(t->ents, ents, n * sizeof(*ents));
	t->n = n;
	for (size_t i = 0; i < n; i++) {
		const struct ik_lpm6_ent *e = &t->ents[i];

		if (i > 0 && t->ents[i - 1].plen == e->plen &&
		    !memcmp(t->ents[i - 1].addr, e->addr, 16))
			continue;
		struct lpm6_slot *sl = &t->slots[lpm6_find(t, e->addr, e->plen)];

		sl->idx = (uint32_t)i + 1;
		sl->tag = (uint32_t)(lpm6_hash(e->addr, e->plen) >> 32);
	}
	return t;
fail:
	ik_lpm6_free(t);
	return NULL;
}

void ik_lpm6_free(struct ik_lpm6 *t)
{
	if (!t)
		return;
	free(t->ents);
	free(t->slots);
	free(t);
}

const void *ik_lpm6_lookup(const struct ik_lpm6 *t, const uint8_t a[16])
{
	uint8_t m[16];

	if (!t || !t->n)
		return NULL;
	for (unsigned i = 0; i < t->norder; i++) {
		size_t h;

		memcpy(m, a, 16);
		ik_addr6_mask(m, t->order[i]);
		h = lpm6_find(t, m, t->order[i]);
		if (t->slots[h].idx)
			return t->ents[t->slots[h].idx - 1].val;
	}
	return NULL;
}

struct ik_plen6 ik_lpm6_plens(const struct ik_lpm6 *t)
{
	return t->plens;
}

size_t ik_lpm6_exact(const struct ik_lpm6 *t, const uint8_t a[16], uint32_t plen,
		     const struct ik_lpm6_ent **first)
{
	uint8_t m[16];
	size_t h, i, lo;

	*first = NULL;
	if (!t || !t->n || plen > 128)
		return 0;
	memcpy(m, a, 16);
	ik_addr6_mask(m, (int)plen);
	h = lpm6_find(t, m, plen);
	if (!t->slots[h].idx)
		return 0;
	lo = t->slots[h].idx - 1;
	for (i = lo; i < t->n && t->ents[i].plen == plen && !memcmp(t->ents[i].addr, m, 16); i++)
		;
	*first = &t->ents[lo];
	return i - lo;
}

size_t ik_lpm6_count(const struct ik_lpm6 *t)
{
	return t ? t->n : 0;
}

size_t ik_lpm6_bytes(const struct ik_lpm6 *t)
{
	if (!t)
		return 0;
	return sizeof(*t) + t->n * sizeof(*t->ents) + t->cap * sizeof(*t->slots);
}
