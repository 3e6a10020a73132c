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
	struct ik_lpm *lpm;     /* keyrings of this VRF without local-address (the default
				 * keyring excluded) */
};

/* The keyrings of one fVRF bound to one local address (local-address A). */
struct rv_bound {
	uint32_t vrf;           /* index into vrfs */
	uint32_t local;         /* never 0 */
	struct ik_lpm *lpm;
};

struct ik_resolver {
	struct ik_lpm *deflt;   /* the default keyring (global VRF only) */
	struct rv_vrf *vrfs;    /* vrfs[0] is the global VRF */
	size_t nvrfs;
	uint32_t *vhash;        /* VRF name hash -> index + 1 (0 = empty) */
	uint32_t vcap;          /* power of two */
	uint64_t *ring_plens;   /* by keyring order: the prefix lengths it holds (K1) */
	size_t nring_plens;
	struct rv_bound *bound; /* one per (fVRF, local address) that keyrings are bound to */
	size_t nbound;
	uint32_t *bhash;        /* hash of (fVRF index, local) -> bound index + 1 */
	uint32_t bcap;          /* power of two, 0 when nothing is bound */
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

/* A keyring with local-address is searched only for exchanges on that
 * address. One naming an interface the file gives no address to is bound to
 * an address ikerd does not know: it is never searched. */
static bool rv_ring_bound(const struct ik_keyring *kr)
{
	return kr->local_address_if || kr->local_address;
}

static uint32_t rv_bound_hash(uint32_t vrf, uint32_t local)
{
	uint32_t h = (local ^ (vrf * 0x9e3779b1u)) * 0x85ebca6bu;

	return h ^ (h >> 15);
}

static size_t rv_vrf_index(const struct ik_resolver *r, const struct rv_vrf *v)
{
	return (size_t)(v - r->vrfs);
}

/* The table of the keyrings of v bound to local, or NULL. */
static const struct ik_lpm *rv_bound_find(const struct ik_resolver *r, const struct rv_vrf *v,
					  uint32_t local)
{
	uint32_t vi, h;

	if (!r->bcap || !v || !local)
		return NULL;
	vi = (uint32_t)rv_vrf_index(r, v);
	h = rv_bound_hash(vi, local) & (r->bcap - 1);
	while (r->bhash[h]) {
		const struct rv_bound *b = &r->bound[r->bhash[h] - 1];

		if (b->vrf == vi && b->local == local)
			return b->lpm;
		h = (h + 1) & (r->bcap - 1);
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
	for (size_t i = 0; i < r->nbound; i++)
		ik_lpm_free(r->bound[i].lpm);
	free(r->bound);
	free(r->bhash);
	free(r);
}

/* Collects the address keys of the keyrings of vrf (the default keyring
 * apart) that are bound to local (0: those without local-address), in
 * keyring order then key order, and builds their table. */
static struct ik_lpm *rv_build_vrf(const struct ik_config *cfg, const char *vrf,
				   uint32_t local, struct ik_lpm_ent *tmp)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->nkeyrings; i++) {
		const struct ik_keyring *kr = cfg->keyrings[i];

		if (kr->is_default || !rv_same_vrf(kr->vrf, vrf))
			continue;
		if (local ? !rv_ring_bound(kr) || kr->local_address != local
			  : rv_ring_bound(kr))
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

/* One table per (fVRF, local address) that some keyring is bound to. */
static int rv_build_bound(struct ik_resolver *r, const struct ik_config *cfg,
			  struct ik_lpm_ent *tmp)
{
	size_t nb = 0;

	for (size_t i = 0; i < cfg->nkeyrings; i++)
		nb += !cfg->keyrings[i]->is_default && cfg->keyrings[i]->local_address;
	if (!nb)
		return 0;
	r->bound = calloc(nb, sizeof(*r->bound));
	r->bcap = 4;
	while (r->bcap < 2 * nb)
		r->bcap *= 2;
	r->bhash = calloc(r->bcap, sizeof(*r->bhash));
	if (!r->bound || !r->bhash)
		return -1;
	for (size_t i = 0; i < cfg->nkeyrings; i++) {
		const struct ik_keyring *kr = cfg->keyrings[i];
		const struct rv_vrf *v;
		uint32_t vi, h;

		if (kr->is_default || !kr->local_address)
			continue;
		v = rv_vrf_find(r, kr->vrf);
		if (!v || rv_bound_find(r, v, kr->local_address))
			continue;
		vi = (uint32_t)rv_vrf_index(r, v);
		r->bound[r->nbound].vrf = vi;
		r->bound[r->nbound].local = kr->local_address;
		r->bound[r->nbound].lpm = rv_build_vrf(cfg, kr->vrf, kr->local_address, tmp);
		if (!r->bound[r->nbound].lpm)
			return -1;
		h = rv_bound_hash(vi, kr->local_address) & (r->bcap - 1);
		while (r->bhash[h])
			h = (h + 1) & (r->bcap - 1);
		r->bhash[h] = (uint32_t)++r->nbound;
	}
	return 0;
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
		r->vrfs[i].lpm = rv_build_vrf(cfg, r->vrfs[i].name, 0, tmp);
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
	if (rv_build_bound(r, cfg, tmp))
		goto fail;
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
	b += r->nbound * sizeof(*r->bound) + r->bcap * sizeof(*r->bhash);
	for (size_t i = 0; i < r->nbound; i++)
		b += ik_lpm_bytes(r->bound[i].lpm);
	return b;
}

/* ---- traces ---- */

static bool rv_tracing(const struct ik_trace *tr)
{
	return tr && (ik_log_on(tr->log, IK_DBG_ISAKMP) ||
		      ik_log_on(tr->log, IK_DBG_ISAKMP_DETAIL));
}

/* Appends every key of t containing peer to *out (n entries so far, *cap
 * allocated). Returns the new count; on out of memory *out is freed and
 * set to NULL and 0 is returned. */
static size_t rv_all_matches(const struct ik_lpm *t, uint32_t peer, const struct ik_key ***out,
			     size_t n, size_t *capp)
{
	const struct ik_key **v = *out;
	size_t cap = *capp;
	uint64_t plens;

	if (!t)
		return n;
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
					*out = NULL;
					*capp = 0;
					return 0;
				}
				v = nv;
			}
			v[n++] = e[i].val;
		}
	}
	*out = v;
	*capp = cap;
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

/* debug crypto isakmp detail: the IOS walk over the keyrings of one or two
 * tables (t2: the keyrings bound to the local address; plain debug crypto
 * isakmp prints only the outcome): per keyring holding a key for the peer,
 * "key for P found in RING", then "Selecting A,M as key" when it beats the
 * keys seen so far ("as final key" for the winner), and ikerd's own line
 * when it ties with an earlier keyring (K3.6). */
static void rv_trace_walk(const struct ik_lpm *t, const struct ik_lpm *t2, uint32_t peer,
			  const struct ik_key *winner, const struct ik_trace *tr)
{
	const struct ik_key **m = NULL, *cur = NULL;
	size_t cap = 0, n = rv_all_matches(t, peer, &m, 0, &cap);

	n = rv_all_matches(t2, peer, &m, n, &cap);
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
			/* ikerd's own line (IOS prints none here): marked as such,
			 * so that a trace compared with IOS's tells them apart */
			ik_dbg(tr->log, IK_DBG_ISAKMP_DETAIL,
			       "ikerd:(%u): K3.6: %s,%s is configured in keyring %s and in "
			       "keyring %s; keeping the first configured, %s (IOS calls "
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

/* The better of two candidates: the longer prefix, then the first in
 * configuration order (keyring, then key) (K3.5, K3.6). */
static const struct ik_key *rv_better(const struct ik_key *a, const struct ik_key *b)
{
	if (!a || !b)
		return a ? a : b;
	if (ik_key_plen(a) != ik_key_plen(b))
		return ik_key_plen(a) > ik_key_plen(b) ? a : b;
	return rv_key_cmp_config(&a, &b) <= 0 ? a : b;
}

/* The keyrings of fVRF v: those without local-address, and those bound to
 * local (K3.4 restricted by local-address). */
static const struct ik_key *rv_lookup_vrf(const struct ik_resolver *r, const struct rv_vrf *v,
					  uint32_t local, uint32_t peer)
{
	const struct ik_lpm *b;

	if (!v)
		return NULL;
	b = rv_bound_find(r, v, local);
	return rv_better(ik_lpm_lookup(v->lpm, peer), b ? ik_lpm_lookup(b, peer) : NULL);
}

/* K3 with its trace. */
static const struct ik_key *rv_responder_traced(const struct ik_resolver *r, const char *fvrf,
						const struct rv_vrf *v, uint32_t local,
						uint32_t peer, const struct ik_trace *tr)
{
	const struct ik_key *k = NULL;
	char ps[IK_ADDRSTRLEN];

	ik_addr_fmt(peer, ps);
	if (!fvrf) {
		k = r->deflt ? ik_lpm_lookup(r->deflt, peer) : NULL;
		if (k) {
			rv_trace_walk(r->deflt, NULL, peer, k, tr);
			rv_trace_found(tr, peer);
			return k;
		}
		ik_dbg(tr->log, IK_DBG_ISAKMP_DETAIL,
		       "ISAKMP:(%u):key for %s not available in default", tr->conn_id, ps);
	}
	k = rv_lookup_vrf(r, v, local, peer);
	if (!k) {
		rv_trace_none(tr, peer);
		return NULL;
	}
	rv_trace_walk(v->lpm, rv_bound_find(r, v, local), peer, k, tr);
	rv_trace_found(tr, peer);
	return k;
}

const struct ik_key *ik_resolve_responder(const struct ik_resolver *r, const char *fvrf,
					  uint32_t local, uint32_t peer,
					  const struct ik_trace *tr)
{
	const struct rv_vrf *v;
	const struct ik_key *k;

	if (!r)
		return NULL;
	v = rv_vrf_find(r, fvrf);
	if (rv_tracing(tr))
		return rv_responder_traced(r, fvrf, v, local, peer, tr);
	if (!fvrf && r->deflt && (k = ik_lpm_lookup(r->deflt, peer)))
		return k;
	return rv_lookup_vrf(r, v, local, peer);
}

/* The table holding a keyring's keys. */
static const struct ik_lpm *rv_table_of(const struct ik_resolver *r, const struct ik_keyring *kr)
{
	const struct rv_vrf *v;

	if (kr->is_default)
		return r->deflt;
	v = rv_vrf_find(r, kr->vrf);
	if (v && rv_ring_bound(kr))
		return rv_bound_find(r, v, kr->local_address);
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
					  const char *fvrf, uint32_t local, uint32_t peer,
					  const struct ik_trace *tr)
{
	const struct ik_key *best = NULL;

	if (!r)
		return NULL;
	if (!profile || !profile->nkeyrings)
		return ik_resolve_responder(r, fvrf, local, peer, tr); /* K2 */
	/* K1: the profile's keyrings, in the profile's order; a keyring bound
	 * to another local address is not searched */
	for (size_t i = 0; i < profile->nkeyrings; i++) {
		const struct ik_keyring *kr = profile->keyrings[i];
		const struct ik_key *k;

		if (rv_ring_bound(kr) && kr->local_address != local)
			continue;
		k = rv_best_in_ring(r, kr, peer);

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
