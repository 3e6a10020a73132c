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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyring/lpm.h"
#include "keyring/lpm6.h"
#include "util/addr.h"

struct rv_vrf {
	const char *name;       /* NULL: global */
	struct ik_lpm *lpm;     /* keyrings of this VRF without local-address (the default
				 * keyring excluded) */
	struct ik_lpm6 *lpm6;   /* the same keyrings' IPv6 keys */
};

/* The keyrings of one fVRF bound to one IPv6 local address. */
struct rv_bound6 {
	uint32_t vrf;
	uint8_t local[16];
	struct ik_lpm6 *lpm;
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

	/* IPv6 keys: the same tables over the keys written `address ipv6` */
	struct ik_lpm6 *deflt6;
	struct ik_plen6 *ring_plens6; /* by keyring order, nring_plens of them */
	struct rv_bound6 *bound6;
	size_t nbound6;
	uint32_t *bhash6;
	uint32_t bcap6;
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
	return kr->local_address_if || kr->local_address || kr->local_v6;
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

static uint32_t rv_bound6_hash(uint32_t vrf, const uint8_t local[16])
{
	uint32_t h = 2166136261u ^ (vrf * 0x9e3779b1u);

	for (int i = 0; i < 16; i++)
		h = (h ^ local[i]) * 16777619u;
	return h ^ (h >> 15);
}

static const struct ik_lpm6 *rv_bound6_find(const struct ik_resolver *r,
					    const struct rv_vrf *v, const uint8_t *local)
{
	uint32_t vi, h;

	if (!r->bcap6 || !v || !local)
		return NULL;
	vi = (uint32_t)rv_vrf_index(r, v);
	h = rv_bound6_hash(vi, local) & (r->bcap6 - 1);
	while (r->bhash6[h]) {
		const struct rv_bound6 *b = &r->bound6[r->bhash6[h] - 1];

		if (b->vrf == vi && !memcmp(b->local, local, 16))
			return b->lpm;
		h = (h + 1) & (r->bcap6 - 1);
	}
	return NULL;
}

void ik_resolver_free(struct ik_resolver *r)
{
	if (!r)
		return;
	ik_lpm_free(r->deflt);
	ik_lpm6_free(r->deflt6);
	free(r->ring_plens6);
	for (size_t i = 0; i < r->nbound6; i++)
		ik_lpm6_free(r->bound6[i].lpm);
	free(r->bound6);
	free(r->bhash6);
	for (size_t i = 0; i < r->nvrfs; i++)
		ik_lpm6_free(r->vrfs[i].lpm6);
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

			if (k->kind != IK_KEY_ADDRESS || k->v6)
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

/* The IPv6 keys of the keyrings of vrf (the default keyring apart) bound to
 * local6 (NULL: those without local-address), in the same order. */
static struct ik_lpm6 *rv_build_vrf6(const struct ik_config *cfg, const char *vrf,
				     const uint8_t *local6, struct ik_lpm6_ent *tmp)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->nkeyrings; i++) {
		const struct ik_keyring *kr = cfg->keyrings[i];

		if (kr->is_default || !rv_same_vrf(kr->vrf, vrf))
			continue;
		if (local6 ? !kr->local_v6 || memcmp(kr->local_address6, local6, 16)
			   : rv_ring_bound(kr))
			continue;
		for (size_t j = 0; j < kr->nkeys; j++) {
			const struct ik_key *k = kr->keys[j];

			if (k->kind != IK_KEY_ADDRESS || !k->v6)
				continue;
			memcpy(tmp[n].addr, k->addr6, 16);
			tmp[n].plen = (uint32_t)ik_key_plen(k);
			tmp[n].rank = (uint32_t)n;
			tmp[n].val = k;
			n++;
		}
	}
	return ik_lpm6_build(tmp, n);
}

/* One IPv6 table per (fVRF, IPv6 local address) that keyrings are bound to. */
static int rv_build_bound6(struct ik_resolver *r, const struct ik_config *cfg,
			   struct ik_lpm6_ent *tmp)
{
	size_t nb = 0;

	for (size_t i = 0; i < cfg->nkeyrings; i++)
		nb += !cfg->keyrings[i]->is_default && cfg->keyrings[i]->local_v6;
	if (!nb)
		return 0;
	r->bound6 = calloc(nb, sizeof(*r->bound6));
	r->bcap6 = 4;
	while (r->bcap6 < 2 * nb)
		r->bcap6 *= 2;
	r->bhash6 = calloc(r->bcap6, sizeof(*r->bhash6));
	if (!r->bound6 || !r->bhash6)
		return -1;
	for (size_t i = 0; i < cfg->nkeyrings; i++) {
		const struct ik_keyring *kr = cfg->keyrings[i];
		const struct rv_vrf *v;
		struct rv_bound6 *b;
		uint32_t vi, h;

		if (kr->is_default || !kr->local_v6)
			continue;
		v = rv_vrf_find(r, kr->vrf);
		if (!v || rv_bound6_find(r, v, kr->local_address6))
			continue;
		vi = (uint32_t)rv_vrf_index(r, v);
		b = &r->bound6[r->nbound6];
		b->vrf = vi;
		memcpy(b->local, kr->local_address6, 16);
		b->lpm = rv_build_vrf6(cfg, kr->vrf, kr->local_address6, tmp);
		if (!b->lpm)
			return -1;
		h = rv_bound6_hash(vi, kr->local_address6) & (r->bcap6 - 1);
		while (r->bhash6[h])
			h = (h + 1) & (r->bcap6 - 1);
		r->bhash6[h] = (uint32_t)++r->nbound6;
	}
	return 0;
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
	struct ik_lpm6_ent *tmp6 = NULL;
	size_t maxkeys = 0, maxkeys6 = 0, nv = 1;

	if (!r)
		return NULL;
	for (size_t i = 0; i < cfg->nkeyrings; i++)
		maxkeys += cfg->keyrings[i]->nkeys;
	for (size_t i = 0; i < cfg->nkeys; i++)
		maxkeys6 += cfg->keys[i]->kind == IK_KEY_ADDRESS && cfg->keys[i]->v6;
	tmp = malloc((maxkeys ? maxkeys : 1) * sizeof(*tmp));
	tmp6 = malloc((maxkeys6 ? maxkeys6 : 1) * sizeof(*tmp6));
	r->vrfs = calloc(cfg->nkeyrings + 1, sizeof(*r->vrfs));
	r->ring_plens = calloc(cfg->nkeyrings + 1, sizeof(*r->ring_plens));
	r->ring_plens6 = calloc(cfg->nkeyrings + 1, sizeof(*r->ring_plens6));
	if (!tmp || !tmp6 || !r->vrfs || !r->ring_plens || !r->ring_plens6)
		goto fail;
	r->nring_plens = cfg->nkeyrings;
	for (size_t i = 0; i < cfg->nkeyrings; i++) {
		const struct ik_keyring *kr = cfg->keyrings[i];

		for (size_t j = 0; j < kr->nkeys && kr->order < r->nring_plens; j++) {
			const struct ik_key *k = kr->keys[j];

			if (k->kind == IK_KEY_ADDRESS && k->v6)
				ik_plen6_add(&r->ring_plens6[kr->order], (unsigned)ik_key_plen(k));
			else if (k->kind == IK_KEY_ADDRESS)
				r->ring_plens[kr->order] |= (uint64_t)1 << ik_key_plen(k);
		}
	}

	/* the default keyring: keyrings[0] when the model has one */
	for (size_t i = 0; i < cfg->nkeyrings; i++) {
		const struct ik_keyring *kr = cfg->keyrings[i];
		size_t n = 0, n6 = 0;

		if (!kr->is_default)
			continue;
		for (size_t j = 0; j < kr->nkeys; j++) {
			const struct ik_key *k = kr->keys[j];

			if (k->kind != IK_KEY_ADDRESS)
				continue;
			if (k->v6) {
				memcpy(tmp6[n6].addr, k->addr6, 16);
				tmp6[n6].plen = (uint32_t)ik_key_plen(k);
				tmp6[n6].rank = (uint32_t)n6;
				tmp6[n6].val = k;
				n6++;
				continue;
			}
			tmp[n].addr = k->addr;
			tmp[n].plen = (uint32_t)ik_key_plen(k);
			tmp[n].rank = (uint32_t)n;
			tmp[n].val = k;
			n++;
		}
		r->deflt = ik_lpm_build(tmp, n);
		r->deflt6 = ik_lpm6_build(tmp6, n6);
		if (!r->deflt || !r->deflt6)
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
		r->vrfs[i].lpm6 = rv_build_vrf6(cfg, r->vrfs[i].name, NULL, tmp6);
		if (!r->vrfs[i].lpm || !r->vrfs[i].lpm6)
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
	if (rv_build_bound(r, cfg, tmp) || rv_build_bound6(r, cfg, tmp6))
		goto fail;
	free(tmp);
	free(tmp6);
	return r;
fail:
	free(tmp);
	free(tmp6);
	ik_resolver_free(r);
	return NULL;
}

int ik_key_plen(const struct ik_key *k)
{
	if (k->v6)
		return k->plen < 0 || k->plen > 128 ? 128 : k->plen;
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
	b += ik_lpm6_bytes(r->deflt6) + r->nring_plens * sizeof(*r->ring_plens6);
	for (size_t i = 0; i < r->nvrfs; i++)
		b += ik_lpm6_bytes(r->vrfs[i].lpm6);
	b += r->nbound6 * sizeof(*r->bound6) + r->bcap6 * sizeof(*r->bhash6);
	for (size_t i = 0; i < r->nbound6; i++)
		b += ik_lpm6_bytes(r->bound6[i].lpm);
	return b;
}

/* ---- traces ---- */

static bool rv_tracing(const struct ik_trace *tr)
{
	return tr && (ik_log_on(tr->log, IK_DBG_ISAKMP) ||
		      ik_log_on(tr->log, IK_DBG_ISAKMP_DETAIL));
}

/* Appends k to the growing array *v (*n entries, *cap allocated). On out of
 * memory the array is freed, *v set to NULL, *n and *cap to 0, and false
 * returned. */
static bool rv_push(const struct ik_key ***v, size_t *n, size_t *cap, const struct ik_key *k)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		const struct ik_key **nv = realloc(*v, ncap * sizeof(**v));

		if (!nv) {
			free(*v);
			*v = NULL;
			*n = *cap = 0;
			return false;
		}
		*v = nv;
		*cap = ncap;
	}
	(*v)[(*n)++] = k;
	return true;
}

/* Appends every key of t containing peer to *out (n entries so far, *cap
 * allocated). Returns the new count; on out of memory *out is freed and
 * set to NULL and 0 is returned. */
static size_t rv_all_matches(const struct ik_lpm *t, uint32_t peer, const struct ik_key ***out,
			     size_t n, size_t *capp)
{
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
		for (size_t i = 0; i < cnt; i++)
			if (!rv_push(out, &n, capp, e[i].val))
				return 0;
	}
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

/* Appends every IPv6 key of t containing peer, as rv_all_matches. */
static size_t rv_all_matches6(const struct ik_lpm6 *t, const uint8_t peer[16],
			      const struct ik_key ***out, size_t n, size_t *capp)
{
	struct ik_plen6 plens;

	if (!t)
		return n;
	plens = ik_lpm6_plens(t);
	for (int p = 128; p >= 0; p--) {
		const struct ik_lpm6_ent *e;
		size_t cnt;

		if (!ik_plen6_has(&plens, (unsigned)p))
			continue;
		cnt = ik_lpm6_exact(t, peer, (uint32_t)p, &e);
		for (size_t i = 0; i < cnt; i++)
			if (!rv_push(out, &n, capp, e[i].val))
				return 0;
	}
	return n;
}

/* A key's address as the traces print it: "A,M" for IPv4 (IOS), "P/L" for
 * IPv6. */
static const char *rv_key_fmt(const struct ik_key *k, char *buf, size_t len)
{
	char a[IK_ADDRSTRLEN], m[IK_ADDRSTRLEN], p[IK_PREFIX6STRLEN];

	if (k->v6)
		snprintf(buf, len, "%s", ik_prefix6_fmt_ios(k->addr6, ik_key_plen(k), p));
	else
		snprintf(buf, len, "%s,%s", ik_addr_fmt(k->addr, a),
			 ik_addr_fmt(ik_key_mask(k), m));
	return buf;
}

static void rv_trace_select(const struct ik_trace *tr, const struct ik_key *k, bool final)
{
	char kb[IK_PREFIX6STRLEN + 4];

	ik_dbg(tr->log, IK_DBG_ISAKMP_DETAIL, "ISAKMP:(%u):ISAKMP: Selecting %s as %s",
	       tr->conn_id, rv_key_fmt(k, kb, sizeof(kb)), final ? "final key" : "key");
}

/* debug crypto isakmp detail: the IOS walk over the keyrings of one or two
 * tables (t2: the keyrings bound to the local address; plain debug crypto
 * isakmp prints only the outcome): per keyring holding a key for the peer,
 * "key for P found in RING", then "Selecting A,M as key" when it beats the
 * keys seen so far ("as final key" for the winner), and ikerd's own line
 * when it ties with an earlier keyring (K3.6). */
static void rv_trace_walk_keys(const struct ik_key **m, size_t n, const char *ps,
			       const struct ik_key *winner, const struct ik_trace *tr)
{
	const struct ik_key *cur = NULL;
	char kb[IK_PREFIX6STRLEN + 4];

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
			       "ikerd:(%u): K3.6: %s is configured in keyring %s and in "
			       "keyring %s; keeping the first configured, %s (IOS calls "
			       "this unpredictable, use one keyring per address)",
			       tr->conn_id, rv_key_fmt(best, kb, sizeof(kb)), cur->ring->name,
			       ring->name, cur->ring->name);
		}
	}
}

static void rv_trace_walk(const struct ik_lpm *t, const struct ik_lpm *t2, uint32_t peer,
			  const struct ik_key *winner, const struct ik_trace *tr)
{
	const struct ik_key **m = NULL;
	size_t cap = 0, n = rv_all_matches(t, peer, &m, 0, &cap);
	char ps[IK_ADDRSTRLEN];

	n = rv_all_matches(t2, peer, &m, n, &cap);
	rv_trace_walk_keys(m, n, ik_addr_fmt(peer, ps), winner, tr);
	free(m);
}

static void rv_trace_walk6(const struct ik_lpm6 *t, const struct ik_lpm6 *t2,
			   const uint8_t peer[16], const struct ik_key *winner,
			   const struct ik_trace *tr)
{
	const struct ik_key **m = NULL;
	size_t cap = 0, n = rv_all_matches6(t, peer, &m, 0, &cap);
	char ps[IK_ADDR_ANYSTRLEN];

	n = rv_all_matches6(t2, peer, &m, n, &cap);
	rv_trace_walk_keys(m, n, ik_addr6_fmt_ios(peer, ps), winner, tr);
	free(m);
}

static void rv_trace_found_s(const struct ik_trace *tr, const char *ps)
{
	ik_dbg(tr->log, IK_DBG_ISAKMP, "ISAKMP:(%u):found peer pre-shared key matching %s",
	       tr->conn_id, ps);
}

static void rv_trace_none_s(const struct ik_trace *tr, const char *ps)
{
	ik_dbg(tr->log, IK_DBG_ISAKMP, "ISAKMP:(%u):No pre-shared key with %s!", tr->conn_id, ps);
}

static void rv_trace_found(const struct ik_trace *tr, uint32_t peer)
{
	char ps[IK_ADDRSTRLEN];

	rv_trace_found_s(tr, ik_addr_fmt(peer, ps));
}

static void rv_trace_none(const struct ik_trace *tr, uint32_t peer)
{
	char ps[IK_ADDRSTRLEN];

	rv_trace_none_s(tr, ik_addr_fmt(peer, ps));
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

/* ---- IPv6 peers: the same rules over the keys written `address ipv6` ---- */

static const struct ik_key *rv_lookup_vrf6(const struct ik_resolver *r, const struct rv_vrf *v,
					   const uint8_t *local, const uint8_t peer[16])
{
	const struct ik_lpm6 *b;

	if (!v)
		return NULL;
	b = rv_bound6_find(r, v, local);
	return rv_better(ik_lpm6_lookup(v->lpm6, peer), b ? ik_lpm6_lookup(b, peer) : NULL);
}

static const struct ik_key *rv_responder6(const struct ik_resolver *r, const char *fvrf,
					  const uint8_t *local, const uint8_t peer[16],
					  const struct ik_trace *tr)
{
	const struct rv_vrf *v = rv_vrf_find(r, fvrf);
	const struct ik_key *k = NULL;
	bool tracing = rv_tracing(tr);
	char ps[IK_ADDR_ANYSTRLEN];

	if (tracing)
		ik_addr6_fmt_ios(peer, ps);
	if (!fvrf && (k = ik_lpm6_lookup(r->deflt6, peer))) {
		if (tracing) {
			rv_trace_walk6(r->deflt6, NULL, peer, k, tr);
			rv_trace_found_s(tr, ps);
		}
		return k;
	}
	if (!fvrf && tracing)
		ik_dbg(tr->log, IK_DBG_ISAKMP_DETAIL,
		       "ISAKMP:(%u):key for %s not available in default", tr->conn_id, ps);
	k = rv_lookup_vrf6(r, v, local, peer);
	if (!tracing)
		return k;
	if (!k) {
		rv_trace_none_s(tr, ps);
		return NULL;
	}
	rv_trace_walk6(v->lpm6, rv_bound6_find(r, v, local), peer, k, tr);
	rv_trace_found_s(tr, ps);
	return k;
}

static const struct ik_lpm6 *rv_table6_of(const struct ik_resolver *r,
					  const struct ik_keyring *kr)
{
	const struct rv_vrf *v;

	if (kr->is_default)
		return r->deflt6;
	v = rv_vrf_find(r, kr->vrf);
	if (v && rv_ring_bound(kr))
		return kr->local_v6 ? rv_bound6_find(r, v, kr->local_address6) : NULL;
	return v ? v->lpm6 : NULL;
}

static const struct ik_key *rv_best_in_ring6(const struct ik_resolver *r,
					     const struct ik_keyring *kr,
					     const uint8_t peer[16])
{
	const struct ik_lpm6 *t = rv_table6_of(r, kr);
	struct ik_plen6 plens;

	if (!t)
		return NULL;
	plens = kr->order < r->nring_plens ? r->ring_plens6[kr->order] : ik_lpm6_plens(t);
	for (int p = 128; p >= 0; p--) {
		const struct ik_lpm6_ent *e;
		size_t cnt;

		if (!ik_plen6_has(&plens, (unsigned)p))
			continue;
		cnt = ik_lpm6_exact(t, peer, (uint32_t)p, &e);
		for (size_t i = 0; i < cnt; i++) {
			const struct ik_key *k = e[i].val;

			if (k->ring == kr)
				return k;
		}
	}
	return NULL;
}

/* The IPv4 local address of an ik_addr (0: none or not IPv4). */
static uint32_t rv_local4(const struct ik_addr *local)
{
	return local && local->family == IK_AF_INET4 ? local->v4 : 0;
}

/* The IPv6 local address (NULL: none, not IPv6, or ::). */
static const uint8_t *rv_local6(const struct ik_addr *local)
{
	static const uint8_t zero[16];

	if (!local || local->family != IK_AF_INET6 || !memcmp(local->v6, zero, 16))
		return NULL;
	return local->v6;
}

const struct ik_key *ik_resolve_responder_ip(const struct ik_resolver *r, const char *fvrf,
					     const struct ik_addr *local,
					     const struct ik_addr *peer,
					     const struct ik_trace *tr)
{
	if (!r || !peer)
		return NULL;
	if (peer->family != IK_AF_INET6)
		return ik_resolve_responder(r, fvrf, rv_local4(local), peer->v4, tr);
	return rv_responder6(r, fvrf, rv_local6(local), peer->v6, tr);
}

const struct ik_key *ik_resolve_initiator_ip(const struct ik_resolver *r,
					     const struct ik_isakmp_profile *profile,
					     const char *fvrf, const struct ik_addr *local,
					     const struct ik_addr *peer,
					     const struct ik_trace *tr)
{
	const struct ik_key *best = NULL;
	const uint8_t *l6;

	if (!r || !peer)
		return NULL;
	if (peer->family != IK_AF_INET6)
		return ik_resolve_initiator(r, profile, fvrf, rv_local4(local), peer->v4, tr);
	l6 = rv_local6(local);
	if (!profile || !profile->nkeyrings)
		return rv_responder6(r, fvrf, l6, peer->v6, tr); /* K2 */
	for (size_t i = 0; i < profile->nkeyrings; i++) {
		const struct ik_keyring *kr = profile->keyrings[i];
		const struct ik_key *k;

		if (rv_ring_bound(kr) &&
		    (!kr->local_v6 || !l6 || memcmp(kr->local_address6, l6, 16)))
			continue;
		k = rv_best_in_ring6(r, kr, peer->v6);
		if (k && (!best || ik_key_plen(k) > ik_key_plen(best)))
			best = k;
	}
	if (rv_tracing(tr)) {
		char ps[IK_ADDR_ANYSTRLEN];

		if (best)
			ik_dbg(tr->log, IK_DBG_ISAKMP,
			       "ISAKMP:(%u):Found ADDRESS key in keyring %s", tr->conn_id,
			       best->ring->name);
		else
			rv_trace_none_s(tr, ik_addr6_fmt_ios(peer->v6, ps));
	}
	return best;
}

bool ik_key_matches(const struct ik_key *k, const struct ik_addr *a)
{
	if (k->kind != IK_KEY_ADDRESS || k->v6 != (a->family == IK_AF_INET6))
		return false;
	if (k->v6)
		return ik_addr6_in(a->v6, k->addr6, ik_key_plen(k));
	return ik_addr_in(a->v4, k->addr, ik_key_mask(k));
}
