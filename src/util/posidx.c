/* An index from keys to positions in a dense array (see posidx.h). */
#include "util/posidx.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void ik_posidx_init(struct ik_posidx *x)
{
	memset(x, 0, sizeof(*x));
	randombytes_buf(x->key, sizeof(x->key));
}

void ik_posidx_free(struct ik_posidx *x)
{
	free(x->pos);
	free(x->hash);
	x->pos = NULL;
	x->hash = NULL;
	x->mask = 0;
	x->n = 0;
}

uint32_t ik_posidx_hash(const struct ik_posidx *x, const void *d, size_t len)
{
	uint8_t out[crypto_shorthash_BYTES];

	crypto_shorthash(out, d, len, x->key);
	return (uint32_t)out[0] << 24 | (uint32_t)out[1] << 16 | (uint32_t)out[2] << 8 | out[3];
}

bool ik_posidx_find(const struct ik_posidx *x, uint32_t h, ik_posidx_eq_fn eq, const void *ctx,
		    uint32_t *pos)
{
	if (!x->pos)
		return false;
	for (size_t i = h & x->mask; x->pos[i]; i = (i + 1) & x->mask)
		if (x->hash[i] == h && eq(ctx, x->pos[i] - 1)) {
			*pos = x->pos[i] - 1;
			return true;
		}
	return false;
}

/* The slot that holds pos (hash h), or -1. */
static long slot_of(const struct ik_posidx *x, uint32_t h, uint32_t pos)
{
	if (!x->pos)
		return -1;
	for (size_t i = h & x->mask; x->pos[i]; i = (i + 1) & x->mask)
		if (x->pos[i] == pos + 1 && x->hash[i] == h)
			return (long)i;
	return -1;
}

static void place(uint32_t *ps, uint32_t *hs, size_t mask, uint32_t h, uint32_t p1)
{
	size_t i = h & mask;

	while (ps[i])
		i = (i + 1) & mask;
	ps[i] = p1;
	hs[i] = h;
}

static int grow(struct ik_posidx *x)
{
	size_t nslots = x->pos ? (x->mask + 1) * 2 : 16;
	uint32_t *ps = calloc(nslots, sizeof(*ps));
	uint32_t *hs = calloc(nslots, sizeof(*hs));

	if (!ps || !hs) {
		free(ps);
		free(hs);
		return -1;
	}
	if (x->pos)
		for (size_t i = 0; i <= x->mask; i++)
			if (x->pos[i])
				place(ps, hs, nslots - 1, x->hash[i], x->pos[i]);
	free(x->pos);
	free(x->hash);
	x->pos = ps;
	x->hash = hs;
	x->mask = nslots - 1;
	return 0;
}

int ik_posidx_insert(struct ik_posidx *x, uint32_t h, uint32_t pos)
{
	if (pos == UINT32_MAX)
		return -1;
	if ((!x->pos || (x->n + 1) * 2 > x->mask + 1) && grow(x))
		return -1;
	place(x->pos, x->hash, x->mask, h, pos + 1);
	x->n++;
	return 0;
}

bool ik_posidx_remove(struct ik_posidx *x, uint32_t h, uint32_t pos)
{
	long s = slot_of(x, h, pos);
	size_t i, j;

	if (s < 0)
		return false;
	/* backward shift: pull later entries of the run into the hole when
	 * their home slot is not between the hole and themselves */
	i = (size_t)s;
	x->pos[i] = 0;
	for (j = (i + 1) & x->mask; x->pos[j]; j = (j + 1) & x->mask) {
		size_t home = x->hash[j] & x->mask;
		bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);

		if (stays)
			continue;
		x->pos[i] = x->pos[j];
		x->hash[i] = x->hash[j];
		x->pos[j] = 0;
		i = j;
	}
	x->n--;
	return true;
}

bool ik_posidx_move(struct ik_posidx *x, uint32_t h, uint32_t from, uint32_t to)
{
	long s = slot_of(x, h, from);

	if (s < 0 || to == UINT32_MAX)
		return false;
	x->pos[s] = to + 1;
	return true;
}
