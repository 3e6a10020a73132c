/* Longest-prefix-match table: see lpm.h for the layout. */
#include "keyring/lpm.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct lpm_slot {
	uint32_t addr;
	uint32_t unused;
	const void *val;        /* NULL: empty slot */
};

struct lpm_ival {
	uint32_t start;         /* first address of the interval */
	uint32_t unused;
	const void *val;        /* best prefix over the interval, or NULL */
};

struct ik_lpm {
	struct ik_lpm_ent *ents; /* sorted by (addr, plen, rank) */
	size_t n;
	uint64_t plens;

	struct lpm_slot *slots;  /* /32 entries */
	uint32_t cap;            /* 0 when there is no /32 entry */

	struct lpm_ival *ivals;  /* prefixes shorter than /32, flattened */
	size_t nivals;           /* 0 when there is none */
	uint32_t *top;           /* top[i]: interval holding i << shift */
	unsigned topbits;        /* 1..20 */
};

static inline uint32_t lpm_slot_of(uint32_t a, uint32_t cap)
{
	uint32_t h = a * 0x9e3779b1u;

	h ^= h >> 15;
	h *= 0x85ebca77u;
	h ^= h >> 13;
	return (uint32_t)(((uint64_t)h * cap) >> 32);
}

static int lpm_ent_cmp(const void *a, const void *b)
{
	const struct ik_lpm_ent *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->plen != y->plen)
		return x->plen < y->plen ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return 0;
}

static uint32_t lpm_mask(uint32_t plen)
{
	return plen == 0 ? 0 : plen >= 32 ? 0xffffffffu : ~(0xffffffffu >> plen);
}

/* Appends an interval, merging it into the previous one when the value is
 * the same. */
static void lpm_emit(struct lpm_ival *iv, size_t *n, uint64_t start, const void *val)
{
	if (*n && iv[*n - 1].val == val)
		return;
	if (*n && iv[*n - 1].start == start) {
		iv[*n - 1].val = val;
		if (*n > 1 && iv[*n - 2].val == val)
			(*n)--;
		return;
	}
	iv[*n].start = (uint32_t)start;
	iv[*n].unused = 0;
	iv[*n].val = val;
	(*n)++;
}

struct lpm_open {
	uint64_t end;           /* last address covered */
	const void *val;
};

/* Flattens the sorted prefixes shorter than /32 into disjoint intervals. */
static int lpm_build_ivals(struct ik_lpm *t, size_t nshort)
{
	struct lpm_open *stack = NULL;
	size_t depth = 0, n = 0;
	uint64_t cur = 0;

	/* 2 * nshort + 1 intervals at most; the stack is at most 33 deep */
	t->ivals = malloc((2 * nshort + 1) * sizeof(*t->ivals));
	stack = malloc(33 * sizeof(*stack));
	if (!t->ivals || !stack) {
		free(stack);
		return -1;
	}
	for (size_t i = 0; i < t->n; i++) {
		const struct ik_lpm_ent *e = &t->ents[i];
		uint64_t s = e->addr, end;

		if (e->plen >= 32)
			continue;
		/* equal prefixes: the first (lowest rank) was taken already */
		if (i > 0 && t->ents[i - 1].addr == e->addr && t->ents[i - 1].plen == e->plen)
			continue;
		end = s + ((uint64_t)1 << (32 - e->plen)) - 1;
		while (depth && stack[depth - 1].end < s) {
			if (cur <= stack[depth - 1].end) {
				lpm_emit(t->ivals, &n, cur, stack[depth - 1].val);
				cur = stack[depth - 1].end + 1;
			}
			depth--;
		}
		if (cur < s) {
			lpm_emit(t->ivals, &n, cur, depth ? stack[depth - 1].val : NULL);
			cur = s;
		}
		stack[depth].end = end;
		stack[depth].val = e->val;
		depth++;
	}
	while (depth) {
		if (cur <= stack[depth - 1].end) {
			lpm_emit(t->ivals, &n, cur, stack[depth - 1].val);
			cur = stack[depth - 1].end + 1;
		}
		depth--;
	}
	if (cur <= 0xffffffffu)
		lpm_emit(t->ivals, &n, cur, NULL);
	free(stack);
	t->nivals = n;

	/* the direct index: about one interval per bucket */
	unsigned bits = 1;
	while (bits < 20 && ((size_t)1 << bits) < n)
		bits++;
	t->topbits = bits;
	t->top = malloc(((size_t)1 << bits) * sizeof(*t->top));
	if (!t->top)
		return -1;
	size_t j = 0;
	for (size_t b = 0; b < ((size_t)1 << bits); b++) {
		uint32_t base = (uint32_t)(b << (32 - bits));

		while (j + 1 < n && t->ivals[j + 1].start <= base)
			j++;
		t->top[b] = (uint32_t)j;
	}
	return 0;
}

static int lpm_build_hash(struct ik_lpm *t, size_t nhost)
{
	uint64_t cap = nhost + nhost / 2 + 1;

	if (cap > 0xffffffffu)
		return -1;
	t->cap = (uint32_t)cap;
	t->slots = calloc(cap, sizeof(*t->slots));
	if (!t->slots)
		return -1;
	for (size_t i = 0; i < t->n; i++) {
		const struct ik_lpm_ent *e = &t->ents[i];
		uint32_t h;

		if (e->plen < 32)
			continue;
		if (i > 0 && t->ents[i - 1].addr == e->addr && t->ents[i - 1].plen == 32)
			continue;
		h = lpm_slot_of(e->addr, t->cap);
		while (t->slots[h].val)
			h = h + 1 == t->cap ? 0 : h + 1;
		t->slots[h].addr = e->addr;
		t->slots[h].val = e->val;
	}
	return 0;
}

/* One stable counting pass: dst gets src ordered by the 16-bit digit that
 * key() picks (cnt: 65,536 counters, cleared here). */
static void lpm_radix_pass(const struct ik_lpm_ent *src, struct ik_lpm_ent *dst, size_t n,
			   uint32_t *cnt, unsigned which)
{
	size_t sum = 0;

	memset(cnt, 0, 65536 * sizeof(*cnt));
	for (size_t i = 0; i < n; i++)
		cnt[which == 0 ? src[i].plen : which == 1 ? src[i].addr & 0xffffu
			: src[i].addr >> 16]++;
	for (size_t d = 0; d < 65536; d++) {
		size_t c = cnt[d];

		cnt[d] = (uint32_t)sum;
		sum += c;
	}
	for (size_t i = 0; i < n; i++)
		dst[cnt[which == 0 ? src[i].plen : which == 1 ? src[i].addr & 0xffffu
			: src[i].addr >> 16]++] = src[i];
}

/* Sorts ents by (addr, plen, rank). Given in rank order (as every builder
 * gives them), three stable counting passes (length, low half, high half
 * of the address) do it in linear time: a configuration with 100,000 keys
 * is reloaded without a comparison sort. Otherwise, and for small tables,
 * qsort. */
static int lpm_sort(struct ik_lpm_ent *ents, size_t n)
{
	struct ik_lpm_ent *tmp;
	uint32_t *cnt;
	bool ranked = n <= 0xffffffffu;

	for (size_t i = 1; i < n && ranked; i++)
		ranked = ents[i - 1].rank < ents[i].rank;
	if (n < 4096 || !ranked) {
		qsort(ents, n, sizeof(*ents), lpm_ent_cmp);
		return 0;
	}
	tmp = malloc(n * sizeof(*tmp));
	cnt = malloc(65536 * sizeof(*cnt));
	if (!tmp || !cnt) {
		free(tmp);
		free(cnt);
		return -1;
	}
	lpm_radix_pass(ents, tmp, n, cnt, 0);
	lpm_radix_pass(tmp, ents, n, cnt, 1);
	lpm_radix_pass(ents, tmp, n, cnt, 2);
	memcpy(ents, tmp, n * sizeof(*ents));
	free(tmp);
	free(cnt);
	return 0;
}

struct ik_lpm *ik_lpm_build(struct ik_lpm_ent *ents, size_t n)
{
	struct ik_lpm *t = calloc(1, sizeof(*t));
	size_t nhost = 0, nshort = 0;

	if (!t)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (ents[i].plen > 32)
			ents[i].plen = 32;
		ents[i].addr &= lpm_mask(ents[i].plen);
		t->plens |= (uint64_t)1 << ents[i].plen;
		if (ents[i].plen == 32)
			nhost++;
		else
			nshort++;
	}
	if (n && lpm_sort(ents, n) < 0)
		goto fail;
	if (n) {
		t->ents = malloc(n * sizeof(*ents));
		if (!t->ents)
			goto fail;
		memcpy(t->ents, ents, n * sizeof(*ents));
	}
	t->n = n;
	if (nhost && lpm_build_hash(t, nhost) < 0)
		goto fail;
	if (nshort && lpm_build_ivals(t, nshort) < 0)
		goto fail;
	return t;
fail:
	ik_lpm_free(t);
	return NULL;
}

void ik_lpm_free(struct ik_lpm *t)
{
	if (!t)
		return;
	free(t->ents);
	free(t->slots);
	free(t->ivals);
	free(t->top);
	free(t);
}

const void *ik_lpm_lookup(const struct ik_lpm *t, uint32_t a)
{
	const struct lpm_ival *iv;
	size_t lo, hi;

	if (t->cap) {
		uint32_t h = lpm_slot_of(a, t->cap);

		if (t->nivals)
			__builtin_prefetch(&t->top[a >> (32 - t->topbits)]);
		for (;;) {
			const struct lpm_slot *s = &t->slots[h];

			if (!s->val)
				break;
			if (s->addr == a)
				return s->val;
			h = h + 1 == t->cap ? 0 : h + 1;
		}
	}
	if (!t->nivals)
		return NULL;
	uint32_t b = a >> (32 - t->topbits);

	lo = t->top[b];
	hi = b + 1 < ((uint32_t)1 << t->topbits) ? t->top[b + 1] : t->nivals - 1;
	iv = t->ivals;
	/* the last interval in [lo, hi] that starts at or before a */
	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;

		if (iv[mid].start <= a)
			lo = mid;
		else
			hi = mid - 1;
	}
	return iv[lo].val;
}

uint64_t ik_lpm_plens(const struct ik_lpm *t)
{
	return t->plens;
}

size_t ik_lpm_exact(const struct ik_lpm *t, uint32_t a, uint32_t plen,
		    const struct ik_lpm_ent **first)
{
	size_t lo = 0, hi = t->n, i;

	a &= lpm_mask(plen);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct ik_lpm_ent *e = &t->ents[mid];

		if (e->addr < a || (e->addr == a && e->plen < plen))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < t->n && t->ents[i].addr == a && t->ents[i].plen == plen; i++)
		;
	*first = lo < t->n ? &t->ents[lo] : NULL;
	return i - lo;
}

size_t ik_lpm_count(const struct ik_lpm *t)
{
	return t->n;
}

size_t ik_lpm_bytes(const struct ik_lpm *t)
{
	size_t b;

	if (!t)
		return 0;
	b = sizeof(*t) + t->n * sizeof(*t->ents) + (size_t)t->cap * sizeof(*t->slots) +
	    t->nivals * sizeof(*t->ivals);
	if (t->nivals)
		b += ((size_t)1 << t->topbits) * sizeof(*t->top);
	return b;
}
