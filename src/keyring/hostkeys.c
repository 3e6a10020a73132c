/* Host-name keys (see hostkeys.h). */
#include "keyring/hostkeys.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/log.h"
#include "util/util.h"

struct hk_ent {
	uint32_t hash;
	uint32_t order;         /* the key's place in the file: ties keep it */
	const struct ik_key *key;
};

struct ik_hostkeys {
	struct hk_ent *v;
	size_t n;
};

static uint32_t hk_hash(const char *s)
{
	return ik_fnv_nocase(IK_FNV_INIT, s, strlen(s));
}

static int hk_cmp(const void *a, const void *b)
{
	const struct hk_ent *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

struct ik_hostkeys *ik_hostkeys_build(const struct ik_config *cfg)
{
	struct ik_hostkeys *hk = calloc(1, sizeof(*hk));
	size_t n = 0;

	if (!hk)
		return NULL;
	for (size_t i = 0; i < cfg->nkeys; i++)
		n += cfg->keys[i]->kind == IK_KEY_HOSTNAME && cfg->keys[i]->hostname;
	hk->v = calloc(n ? n : 1, sizeof(*hk->v));
	if (!hk->v) {
		free(hk);
		return NULL;
	}
	for (size_t i = 0; i < cfg->nkeys; i++) {
		const struct ik_key *k = cfg->keys[i];

		if (k->kind != IK_KEY_HOSTNAME || !k->hostname)
			continue;
		hk->v[hk->n].hash = hk_hash(k->hostname);
		hk->v[hk->n].order = k->order;
		hk->v[hk->n].key = k;
		hk->n++;
	}
	qsort(hk->v, hk->n, sizeof(*hk->v), hk_cmp);
	return hk;
}

void ik_hostkeys_free(struct ik_hostkeys *hk)
{
	if (!hk)
		return;
	free(hk->v);
	free(hk);
}

static bool hk_same_vrf(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

/* The place of keyring r in the search order, or -1 when it is not searched. */
static long hk_rank(const struct ik_keyring *r, const struct ik_isakmp_profile *p,
		    const char *fvrf)
{
	if (p && p->nkeyrings) {
		for (size_t i = 0; i < p->nkeyrings; i++)
			if (p->keyrings[i] == r)
				return (long)i;
		return -1;
	}
	if (r->is_default)
		return fvrf ? -1 : 0;
	return hk_same_vrf(r->vrf, fvrf) ? (long)r->order + 1 : -1;
}

const struct ik_key *ik_hostkeys_lookup(const struct ik_hostkeys *hk,
					const struct ik_isakmp_profile *profile,
					const char *fvrf, uint32_t local, const char *name,
					const struct ik_trace *tr)
{
	uint32_t h;
	size_t lo = 0, hi;
	const struct ik_key *best = NULL;
	long best_rank = -1;

	if (!hk || !name)
		return NULL;
	h = hk_hash(name);
	hi = hk->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (hk->v[mid].hash < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* the keys for this name, one per keyring at most that holds it */
	for (size_t i = lo; i < hk->n && hk->v[i].hash == h; i++) {
		const struct ik_key *k = hk->v[i].key;
		long rank;

		if (strcasecmp(k->hostname, name) || !k->ring)
			continue;
		/* local-address: that address only */
		if (!k->ring->is_default && (k->ring->local_address_if || k->ring->local_address) &&
		    k->ring->local_address != local)
			continue;
		rank = hk_rank(k->ring, profile, fvrf);
		if (rank < 0)
			continue;
		if (!best || rank < best_rank) {
			best = k;
			best_rank = rank;
		}
	}
	if (best && tr)
		ik_dbg(tr->log, IK_DBG_ISAKMP, "ISAKMP:(%u):found peer pre-shared key matching %s",
		       tr->conn_id, best->hostname);
	return best;
}
