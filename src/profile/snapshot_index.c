/* The lookup indexes of a snapshot: the keyring resolver and the profile
 * index, built once per model and freed with it (cfg->index_free). */
#include "profile/snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyring/hostkeys.h"
#include "keyring/resolver.h"
#include "pki/authlist.h"
#include "profile/profile.h"
#include "profile/v2_select.h"

/* Protected tunnels sorted by destination, then configuration order. The
 * keys a lookup compares sit in arrays of their own beside the interfaces
 * (a binary search reads no interface object: at 50,000 tunnels each of
 * those reads was a cache miss). */
struct dest_key {
	uint8_t k[IK_ADDR_KEYLEN];      /* ik_addr_key of the destination, zero-padded */
};

struct ik_tunnel_index {
	size_t n;
	const struct ik_interface **t;
	struct dest_key *dkeys;             /* of t[i] */
	const struct ik_interface **by_num; /* the same, by tunnel number */
	unsigned *nums;                     /* of by_num[i] */
	struct pair_ent *pairs;             /* IPv4 tunnels by (destination, source, order) */
	size_t npairs;
};

struct pair_ent {
	uint32_t dest;
	uint32_t src;           /* the source, 0 when any */
	size_t pos;             /* in cfg->ifaces: ties keep configuration order */
	const struct ik_interface *t;
};

static bool tunnel_indexed(const struct ik_interface *t)
{
	return t->is_tunnel && t->protection;
}

/* The sort key of a destination: ik_addr_key's bytes (the family first, so
 * that IPv4 and IPv6 destinations never mix), zero-padded; tunnel numbers
 * sort by the same bytes. */
struct tunnel_ent {
	uint8_t dest[IK_ADDR_KEYLEN];
	size_t pos;             /* in cfg->ifaces: ties keep configuration order */
	const struct ik_interface *t;
};

static void dest_key(const struct ik_addr *a, uint8_t k[IK_ADDR_KEYLEN])
{
	memset(k, 0, IK_ADDR_KEYLEN);
	ik_addr_key(a, k);
}

static int tunnel_cmp(const void *a, const void *b)
{
	const struct tunnel_ent *x = a, *y = b;
	int r = memcmp(x->dest, y->dest, IK_ADDR_KEYLEN);

	if (r)
		return r;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int pair_cmp(const void *a, const void *b)
{
	const struct pair_ent *x = a, *y = b;

	if (x->dest != y->dest)
		return x->dest < y->dest ? -1 : 1;
	if (x->src != y->src)
		return x->src < y->src ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* The source a tunnel is bound to, 0 when it matches any local address */
static uint32_t tunnel_src_key(const struct ik_interface *t)
{
	return t->tunnel_source_resolved ? t->tunnel_source : 0;
}

static bool tunnel_v4(const struct ik_interface *t)
{
	return !t->tunnel_dest_v6 && !t->tunnel_source_v6;
}

static int tunnel_dest_cmp(const struct ik_interface *t, const uint8_t k[IK_ADDR_KEYLEN])
{
	uint8_t tk[IK_ADDR_KEYLEN];
	struct ik_addr d;

	ik_iface_tunnel_dest(t, &d);
	dest_key(&d, tk);
	return memcmp(tk, k, IK_ADDR_KEYLEN);
}

static void tunnel_index_free(struct ik_tunnel_index *ti)
{
	if (ti) {
		free(ti->t);
		free(ti->dkeys);
		free(ti->by_num);
		free(ti->nums);
		free(ti->pairs);
	}
	free(ti);
}

static struct ik_tunnel_index *tunnel_index_build(const struct ik_config *cfg)
{
	struct ik_tunnel_index *ti = calloc(1, sizeof(*ti));
	size_t cap = cfg->nifaces ? cfg->nifaces : 1;
	struct tunnel_ent *ent = calloc(cap, sizeof(*ent));

	if (!ti || !ent)
		goto fail;
	ti->t = calloc(cap, sizeof(*ti->t));
	ti->dkeys = calloc(cap, sizeof(*ti->dkeys));
	ti->nums = calloc(cap, sizeof(*ti->nums));
	if (!ti->t || !ti->dkeys || !ti->nums)
		goto fail;
	for (size_t i = 0; i < cfg->nifaces; i++)
		if (tunnel_indexed(cfg->ifaces[i])) {
			struct ik_addr d;

			ik_iface_tunnel_dest(cfg->ifaces[i], &d);
			dest_key(&d, ent[ti->n].dest);
			ent[ti->n].pos = i;
			ent[ti->n].t = cfg->ifaces[i];
			ti->n++;
		}
	qsort(ent, ti->n, sizeof(*ent), tunnel_cmp);
	for (size_t i = 0; i < ti->n; i++) {
		ti->t[i] = ent[i].t;
		memcpy(ti->dkeys[i].k, ent[i].dest, IK_ADDR_KEYLEN);
	}
	ti->by_num = calloc(cap, sizeof(*ti->by_num));
	ti->pairs = calloc(cap, sizeof(*ti->pairs));
	if (!ti->by_num || !ti->pairs)
		goto fail;
	for (size_t i = 0; i < ti->n; i++)
		if (tunnel_v4(ent[i].t))
			ti->pairs[ti->npairs++] = (struct pair_ent){
				.dest = ent[i].t->tunnel_dest, .src = tunnel_src_key(ent[i].t),
				.pos = ent[i].pos, .t = ent[i].t };
	qsort(ti->pairs, ti->npairs, sizeof(*ti->pairs), pair_cmp);
	for (size_t i = 0; i < ti->n; i++) {
		struct ik_addr num = ik_addr_v4(ent[i].t->tunnel_num);

		dest_key(&num, ent[i].dest);
	}
	qsort(ent, ti->n, sizeof(*ent), tunnel_cmp);
	for (size_t i = 0; i < ti->n; i++) {
		ti->by_num[i] = ent[i].t;
		ti->nums[i] = ent[i].t->tunnel_num;
	}
	free(ent);
	return ti;
fail:
	free(ent);
	tunnel_index_free(ti);
	return NULL;
}

/* The first entry of the pair index for (dest, src), or NULL */
static const struct pair_ent *pair_first(const struct ik_tunnel_index *ti, uint32_t dest,
					 uint32_t src)
{
	size_t lo = 0, hi = ti->npairs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct pair_ent *p = &ti->pairs[mid];

		if (p->dest < dest || (p->dest == dest && p->src < src))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < ti->npairs && ti->pairs[lo].dest == dest && ti->pairs[lo].src == src)
		return &ti->pairs[lo];
	return NULL;
}

const struct ik_interface *ik_snapshot_tunnel_for(const struct ik_config *cfg, uint32_t local,
						  uint32_t remote)
{
	const struct ik_tunnel_index *ti = cfg->tindex;
	const struct pair_ent *bound, *any;

	if (!ti) {
		for (size_t i = 0; i < cfg->nifaces; i++) {
			const struct ik_interface *t = cfg->ifaces[i];

			if (tunnel_indexed(t) && tunnel_v4(t) && t->tunnel_dest == remote &&
			    (!tunnel_src_key(t) || t->tunnel_source == local))
				return t;
		}
		return NULL;
	}
	bound = local ? pair_first(ti, remote, local) : NULL;
	any = pair_first(ti, remote, 0);
	if (bound && (!any || bound->pos < any->pos))
		return bound->t;
	return any ? any->t : NULL;
}

const struct ik_interface *ik_snapshot_tunnel_num(const struct ik_config *cfg, unsigned num)
{
	const struct ik_tunnel_index *ti = cfg->tindex;
	size_t lo = 0, hi;

	if (!ti) {
		for (size_t i = 0; i < cfg->nifaces; i++)
			if (tunnel_indexed(cfg->ifaces[i]) && cfg->ifaces[i]->tunnel_num == num)
				return cfg->ifaces[i];
		return NULL;
	}
	hi = ti->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ti->nums[mid] < num)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ti->n && ti->nums[lo] == num ? ti->by_num[lo] : NULL;
}

const struct ik_interface *const *ik_snapshot_tunnels_to(const struct ik_config *cfg,
							  uint32_t dest, size_t *n)
{
	struct ik_addr d = ik_addr_v4(dest);

	return ik_snapshot_tunnels_to_ip(cfg, &d, n);
}

const struct ik_interface *const *ik_snapshot_tunnels_to_ip(const struct ik_config *cfg,
							     const struct ik_addr *dest,
							     size_t *n)
{
	const struct ik_tunnel_index *ti = cfg->tindex;
	uint8_t k[IK_ADDR_KEYLEN];
	size_t lo = 0, hi, first;

	*n = 0;
	dest_key(dest, k);
	if (!ti) {
		/* a model without indexes (a test's): the first match only */
		for (size_t i = 0; i < cfg->nifaces; i++)
			if (tunnel_indexed(cfg->ifaces[i]) &&
			    !tunnel_dest_cmp(cfg->ifaces[i], k)) {
				*n = 1;
				return (const struct ik_interface *const *)&cfg->ifaces[i];
			}
		return NULL;
	}
	hi = ti->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (memcmp(ti->dkeys[mid].k, k, IK_ADDR_KEYLEN) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	while (lo < ti->n && !memcmp(ti->dkeys[lo].k, k, IK_ADDR_KEYLEN))
		lo++;
	*n = lo - first;
	return ti->t + first;
}

static void snapshot_index_free(struct ik_config *cfg)
{
	ik_resolver_free(cfg->resolver);
	ik_profile_index_free(cfg->pindex);
	tunnel_index_free(cfg->tindex);
	ik_hostkeys_free(cfg->hostkeys);
	ik_v2_index_free(cfg->v2index);
	for (size_t i = 0; i < cfg->nauthlists; i++) {
		ik_authz_free(cfg->authlists[i]->index);
		cfg->authlists[i]->index = NULL;
	}
	cfg->resolver = NULL;
	cfg->pindex = NULL;
	cfg->tindex = NULL;
	cfg->hostkeys = NULL;
	cfg->v2index = NULL;
}

int ik_snapshot_index(struct ik_config *cfg, struct ik_conf_error *err)
{
	const char *what = NULL;

	cfg->resolver = ik_resolver_build(cfg);
	if (!cfg->resolver)
		what = "keyring resolver";
	cfg->pindex = what ? NULL : ik_profile_index_build(cfg);
	if (!what && !cfg->pindex)
		what = "ISAKMP profile index";
	cfg->tindex = what ? NULL : tunnel_index_build(cfg);
	if (!what && !cfg->tindex)
		what = "tunnel index";
	cfg->hostkeys = what ? NULL : ik_hostkeys_build(cfg);
	if (!what && !cfg->hostkeys)
		what = "host-name key index";
	cfg->v2index = what ? NULL : ik_v2_index_build(cfg);
	if (!what && !cfg->v2index)
		what = "IKEv2 profile and keyring index";
	for (size_t i = 0; !what && i < cfg->nauthlists; i++) {
		cfg->authlists[i]->index = ik_authz_build_conf(cfg->authlists[i]);
		if (!cfg->authlists[i]->index)
			what = "authorization list";
	}
	if (!what) {
		cfg->index_free = snapshot_index_free;
		return 0;
	}
	snapshot_index_free(cfg);
	if (err) {
		memset(err, 0, sizeof(*err));
		snprintf(err->file, sizeof(err->file), "%s", cfg->file ? cfg->file : "<config>");
		snprintf(err->msg, sizeof(err->msg),
			 "%% cannot build the %s: out of memory (%zu keyrings, %zu profiles)",
			 what, cfg->nkeyrings, cfg->nprofiles);
	}
	return -1;
}

