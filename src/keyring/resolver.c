/* Pre-shared key selection, rules K1..K4 of spec/selection-rules.md.
 *
 * Per front-door VRF, one longest-prefix table (keyring/lpm.h) over the
 * address keys of every keyring bound to that VRF, concatenated in
 * configuration order (rank = position in that concatenation, so that equal
 * prefixes resolve to the first configured, K3.6); and, for the global VRF,
 * a separate table for the default keyring, searched first (K3.3, K4).
 *
 * The lookup without tracing touches only the tables. With tracing on, the
 * lines IOS prints for the decision are rebuilt from every match of the
 * address (at most one exact search per prefix length present).
 */
#include "keyring/resolver.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "keyring/lpm.h"
#include "util/addr.h"

struct rv_vrf {
	const char *name;       /* NULL: global */
	struct ik_lpm *lpm;     /* keyrings of this VRF (the default keyring excluded) */
};

struct ik_resolver {
	struct ik_lpm *deflt;   /* the default keyring (global VRF only) */
	struct rv_vrf *vrfs;    /* vrfs[0] is the global VRF */
	size_t nvrfs;
	uint32_t *vhash;        /* VRF name hash -> index + 1 (0 = empty) */
	uint32_t vcap;          /* power of two */
	uint64_t *ring_plens;   /* by keyring order: the prefix lengths it holds (K1) */
	size_t nring_plens;
};

static uint32_t rv_name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

static bool rv_same_vrf(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

/* The table of a front-door VRF, or NULL when no keyring is bound to it. */
static const struct rv_vrf *rv_vrf_find(const struct ik_resolver *r, const char *fvrf)
{
	uint32_t h;

	if (!fvrf)
		return &r->vrfs[0];
	if (!r->vcap)
		return NULL;
	h = rv_name_hash(fvrf) & (r->vcap - 1);
	while (r->vhash[h]) {
		const struct rv_vrf *v = &r->vrfs[r->vhash[h] - 1];

		if (strcmp(v->name, fvrf) == 0)
			return v;
		h = (h + 1) & (r->vcap - 1);
	}
	return NULL;
}

void ik_resolver_free(struct ik_resolver *r)
{
	if (!r)
		return;
	ik_lpm_free(r->deflt);
	for (size_t i = 0; i < r->nvrfs; i++)
		ik_lpm_free(r->vrfs[i].lpm);
	free(r->vrfs);
	free(r->vhash);
	free(r->ring_plens);
	free(r);
}

/* Collects the address keys of the keyrings bound to vrf (the default
 * keyring apart), in keyring order then key order, and builds their table. */
static struct ik_lpm *rv_build_vrf(const struct ik_config *cfg, const char *vrf,
				   struct ik_lpm_ent *tmp)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->nkeyrings; i++) {
		const struct ik_keyring *kr = cfg->keyrings[i];

		if (kr->is_default || !rv_same_vrf(kr->vrf, vrf))
			continue;
		for (size_t j = 0; j < kr->nkeys; j++) {
			const struct ik_key *k = kr->keys[j];

			if (k->kind != IK_KEY_ADDRESS)
				continue;
			tmp[n].addr = k->addr;
			tmp[n].plen = (uint32_t)ik_key_plen(k);
			tmp[n].rank = (uint32_t)n;
			tmp[n].val = k;
			n++;
		}
	}
	return ik_lpm_build(tmp, n);
}

struct ik_resolver *ik_resolver_build(const struct ik_config *cfg)
{
	struct ik_resolver *r = calloc(1, sizeof(*r));
	struct ik_lpm_ent *tmp = NULL;
	size_t maxkeys = 0, nv = 1;

	if (!r)
		return NULL;
	for (size_t i = 0; i < cfg->nkeyrings; i++)
		maxkeys += cfg->keyrings[i]->nkeys;
	tmp = malloc((maxkeys ? maxkeys : 1) * sizeof(*tmp));
	r->vrfs = calloc(cfg->nkeyrings + 1, sizeof(*r->vrfs));
	r->ring_plens = calloc(cfg->nkeyrings + 1, sizeof(*r->ring_plens));
	if (!tmp || !r->vrfs || !r->ring_plens)
		goto fail;
	r->nring_plens = cfg->nkeyrings;
	for (size_t i = 0; i < cfg->nkeyrings; i++) {
		const struct ik_keyring *kr = cfg->keyrings[i];

		for (size_t j = 0; j < kr->nkeys && kr->order < r->nring_plens; j++) {
			const struct ik_key *k = kr->keys[j];

			if (k->kind == IK_KEY_ADDRESS)
				r->ring_plens[kr->order] |= (uint64_t)1 << ik_key_plen(k);
		}
	}

	/* the default keyring: keyrings[0] when the model has one */
	for (size_t i = 0; i < cfg->nkeyrings; i++) {
		const struct ik_keyring *kr = cfg->keyrings[i];
		size_t n = 0;

		if (!kr->is_default)
			continue;
		for (size_t j = 0; j < kr->nkeys; j++) {
			const struct ik_key *k = kr->keys[j];

			if (k->kind != IK_KEY_ADDRESS)
				continue;
			tmp[n].addr = k->addr;
			tmp[n].plen = (uint32_t)ik_key_plen(k);
			tmp[n].rank = (uint32_t)n;
			tmp[n].val = k;
			n++;
		}
		r->deflt = ik_lpm_build(tmp, n);
		if (!r->deflt)
			goto fail;
		break;
	}

	/* the VRFs, global first, then in order of first appearance */
	r->vrfs[0].name = NULL;
	for (size_t i = 0; i < cfg->nkeyrings; i++) {
		const char *v = cfg->keyrings[i]->vrf;
		size_t j;

		if (!v || cfg->keyrings[i]->is_default)
			continue;
		for (j = 1; j < nv; j++)
			if (strcmp(r->vrfs[j].name, v) == 0)
				break;
		if (j == nv)
			r->vrfs[nv++].name = v;
	}
	r->nvrfs = nv;
	for (size_t i = 0; i < nv; i++) {
		r->vrfs[i].lpm = rv_build_vrf(cfg, r->vrfs[i].name, tmp);
		if (!r->vrfs[i].lpm)
			goto fail;
	}
	if (nv > 1) {
		r->vcap = 4;
		while (r->vcap < 2 * nv)
			r->vcap *= 2;
		r->vhash = calloc(r->vcap, sizeof(*r->vhash));
		if (!r->vhash)
			goto fail;
		for (size_t i = 1; i < nv; i++) {
			uint32_t h = rv_name_hash(r->vrfs[i].name) & (r->vcap - 1);

			while (r->vhash[h])
				h = (h + 1) & (r->vcap - 1);
			r->vhash[h] = (uint32_t)i + 1;
		}
	}
	free(tmp);
	return r;
fail:
	free(tmp);
	ik_resolver_free(r);
	return NULL;
}

int ik_key_plen(const struct ik_key *k)
{
	if (k->addr == 0 && !k->mask_given)
		return 0;
	return k->plen < 0 || k->plen > 32 ? 32 : k->plen;
}

uint32_t ik_key_mask(const struct ik_key *k)
{
	return ik_plen_mask(ik_key_plen(k));
}

size_t ik_resolver_bytes(const struct ik_resolver *r)
{
	size_t b;

	if (!r)
		return 0;
	b = sizeof(*r) + r->nvrfs * sizeof(*r->vrfs) + r->vcap * sizeof(*r->vhash) +
	    r->nring_plens * sizeof(*r->ring_plens);
	b += ik_lpm_bytes(r->deflt);
	for (size_t i = 0; i < r->nvrfs; i++)
		b += ik_lpm_bytes(r->vrfs[i].lpm);
	return b;
}

/* ---- traces ---- */

static bool rv_tracing(const struct ik_trace *tr)
{
	return tr && (ik_log_on(tr->log, IK_DBG_ISAKMP) ||
		      ik_log_on(tr->log, IK_DBG_ISAKMP_DETAIL));
}

/* Every key of t containing peer, longest prefix first, rank order within
 * a prefix. Returns the count; *out is malloc'd (NULL when none or out of
 * memory). */
static size_t rv_all_matches(const struct ik_lpm *t, uint32_t peer, const struct ik_key ***out)
{
	const struct ik_key **v = NULL;
	size_t n = 0, cap = 0;
	uint64_t plens;

	*out = NULL;
	if (!t)
		return 0;
	plens = ik_lpm_plens(t);
	for (int p = 32; p >= 0; p--) {
		const struct ik_lpm_ent *e;
		size_t cnt;

		if (!(plens & ((uint64_t)1 << p)))
			continue;
		cnt = ik_lpm_exact(t, peer, (uint32_t)p, &e);
		for (size_t i = 0; i < cnt; i++) {
			if (n == cap) {
				const struct ik_key **nv;

				cap = cap ? cap * 2 : 16;
				nv = realloc(v, cap * sizeof(*v));
				if (!nv) {
					free(v);
					return 0;
				}
				v = nv;
			}
			v[n++] = e[i].val;
		}
	}
	*out = v;
	return n;
}

static int rv_key_cmp_config(const void *a, const void *b)
{
	const struct ik_key *x = *(const struct ik_key *const *)a;
	const struct ik_key *y = *(const struct ik_key *const *)b;

	if (x->ring->order != y->ring->order)
		return x->ring->order < y->ring->order ? -1 : 1;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return 0;
}

static void rv_trace_select(const struct ik_trace *tr, const struct ik_key *k, bool final)
{
	char a[IK_ADDRSTRLEN], m[IK_ADDRSTRLEN];

	ik_dbg(tr->log, IK_DBG_ISAKMP_DETAIL, "ISAKMP:(%u):ISAKMP: Selecting %s,%s as %s",
	       tr->conn_id,
	       ik_addr_fmt(k->addr, a), ik_addr_fmt(ik_key_mask(k), m),
	       final ? "final key" : "key");
}

/* debug crypto isakmp detail: the IOS walk over the keyrings of one table
 * (plain debug crypto isakmp prints only the outcome): per keyring holding a key for
 * the peer, "key for P found in RING", then "Selecting A,M as key" when it
 * beats the keys seen so far ("as final key" for the winner), and ikerd's
 * own line when it ties with an earlier keyring (K3.6). */
static void rv_trace_walk(const struct ik_lpm *t, uint32_t peer, const struct ik_key *winner,
			  const struct ik_trace *tr)
{
	const struct ik_key **m = NULL, *cur = NULL;
	size_t n = rv_all_matches(t, peer, &m);
	char ps[IK_ADDRSTRLEN], a[IK_ADDRSTRLEN], mk[IK_ADDRSTRLEN];

	ik_addr_fmt(peer, ps);
	if (n)
		qsort(m, n, sizeof(*m), rv_key_cmp_config);
	for (size_t i = 0; i < n;) {
		const struct ik_keyring *ring = m[i]->ring;
		const struct ik_key *best = m[i];
		size_t j;

		for (j = i; j < n && m[j]->ring == ring; j++)
			if (ik_key_plen(m[j]) > ik_key_plen(best))
				best = m[j];
		i = j;
		ik_dbg(tr->log, IK_DBG_ISAKMP_DETAIL, "ISAKMP:(%u):key for %s found in %s",
		       tr->conn_id, ps, ring->name);
		if (!cur || ik_key_plen(best) > ik_key_plen(cur)) {
			cur = best;
			rv_trace_select(tr, best, best == winner);
		} else if (ik_key_plen(best) == ik_key_plen(cur)) {
			ik_dbg(tr->log, IK_DBG_ISAKMP_DETAIL,
			       "ISAKMP:(%u):ISAKMP: %s,%s is configured in keyring %s and in "
			       "keyring %s; keeping the first configured, %s (K3.6: IOS calls "
			       "this unpredictable, use one keyring per address)",
			       tr->conn_id, ik_addr_fmt(best->addr, a),
			       ik_addr_fmt(ik_key_mask(best), mk), cur->ring->name, ring->name,
			       cur->ring->name);
		}
	}
	free(m);
}

static void rv_trace_found(const struct ik_trace *tr, uint32_t peer)
{
	char ps[IK_ADDRSTRLEN];

	ik_dbg(tr->log, IK_DBG_ISAKMP, "ISAKMP:(%u):found peer pre-shared key matching %s",
	       tr->conn_id, ik_addr_fmt(peer, ps));
}

static void rv_trace_none(const struct ik_trace *tr, uint32_t peer)
{
	char ps[IK_ADDRSTRLEN];

	ik_dbg(tr->log, IK_DBG_ISAKMP, "ISAKMP:(%u):No pre-shared key with %s!", tr->conn_id,
	       ik_addr_fmt(peer, ps));
}

/* K3 with its trace. */
static const struct ik_key *rv_responder_traced(const struct ik_resolver *r, const char *fvrf,
						const struct rv_vrf *v, uint32_t peer,
						const struct ik_trace *tr)
{
	const struct ik_key *k = NULL;
	char ps[IK_ADDRSTRLEN];

	ik_addr_fmt(peer, ps);
	if (!fvrf) {
		k = r->deflt ? ik_lpm_lookup(r->deflt, peer) : NULL;
		if (k) {
			rv_trace_walk(r->deflt, peer, k, tr);
			rv_trace_found(tr, peer);
			return k;
		}
		ik_dbg(tr->log, IK_DBG_ISAKMP_DETAIL,
		       "ISAKMP:(%u):key for %s not available in default", tr->conn_id, ps);
	}
	k = v ? ik_lpm_lookup(v->lpm, peer) : NULL;
	if (!k) {
		rv_trace_none(tr, peer);
		return NULL;
	}
	rv_trace_walk(v->lpm, peer, k, tr);
	rv_trace_found(tr, peer);
	return k;
}

const struct ik_key *ik_resolve_responder(const struct ik_resolver *r, const char *fvrf,
					  uint32_t peer, const struct ik_trace *tr)
{
	const struct rv_vrf *v;
	const struct ik_key *k;

	if (!r)
		return NULL;
	v = rv_vrf_find(r, fvrf);
	if (rv_tracing(tr))
		return rv_responder_traced(r, fvrf, v, peer, tr);
	if (!fvrf && r->deflt && (k = ik_lpm_lookup(r->deflt, peer)))
		return k;
	return v ? ik_lpm_lookup(v->lpm, peer) : NULL;
}

/* The table holding a keyring's keys. */
static const struct ik_lpm *rv_table_of(const struct ik_resolver *r, const struct ik_keyring *kr)
{
	const struct rv_vrf *v;

	if (kr->is_default)
		return r->deflt;
	v = rv_vrf_find(r, kr->vrf);
	return v ? v->lpm : NULL;
}

/* The most specific key of one keyring for peer, first configured on ties. */
static const struct ik_key *rv_best_in_ring(const struct ik_resolver *r,
					    const struct ik_keyring *kr, uint32_t peer)
{
	const struct ik_lpm *t = rv_table_of(r, kr);
	uint64_t plens;

	if (!t)
		return NULL;
	/* only the prefix lengths this keyring holds */
	plens = kr->order < r->nring_plens ? r->ring_plens[kr->order] : ik_lpm_plens(t);
	for (int p = 32; p >= 0; p--) {
		const struct ik_lpm_ent *e;
		size_t cnt;

		if (!(plens & ((uint64_t)1 << p)))
			continue;
		cnt = ik_lpm_exact(t, peer, (uint32_t)p, &e);
		for (size_t i = 0; i < cnt; i++) {
			const struct ik_key *k = e[i].val;

			if (k->ring == kr)
				return k;
		}
	}
	return NULL;
}

const struct ik_key *ik_resolve_initiator(const struct ik_resolver *r,
					  const struct ik_isakmp_profile *profile,
					  const char *fvrf, uint32_t peer,
					  const struct ik_trace *tr)
{
	const struct ik_key *best = NULL;

	if (!r)
		return NULL;
	if (!profile || !profile->nkeyrings)
		return ik_resolve_responder(r, fvrf, peer, tr); /* K2 */
	/* K1: the profile's keyrings, in the profile's order */
	for (size_t i = 0; i < profile->nkeyrings; i++) {
		const struct ik_key *k = rv_best_in_ring(r, profile->keyrings[i], peer);

		if (k && (!best || ik_key_plen(k) > ik_key_plen(best)))
			best = k;
	}
	if (rv_tracing(tr)) {
		if (best)
			ik_dbg(tr->log, IK_DBG_ISAKMP,
			       "ISAKMP:(%u):Found ADDRESS key in keyring %s", tr->conn_id,
			       best->ring->name);
		else
			rv_trace_none(tr, peer);
	}
	return best;
}
