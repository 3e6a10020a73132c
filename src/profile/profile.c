/* ISAKMP profile selection (P1, P3) and the keyring cross-check (P2).
 *
 * The profile index holds, per front-door VRF, a longest-prefix table of
 * every `match identity address` (keyring/lpm.h; rank = profile order, then
 * match order, so that equal matches resolve to the first configured
 * profile), and sorted hash arrays of the `match identity host` and
 * `user-fqdn` names (compared without regard to case). Without an index (a
 * model built by hand) the same decisions are taken by scanning.
 */
#include "profile/profile.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keyring/lpm.h"
#include "keyring/lpm6.h"
#include "util/addr.h"

/* Specificity of a host or user-fqdn match: above any address prefix. */
#define PI_NAME_SPECIFICITY 300
/* A host domain match: above any address prefix, below a host name, a
 * longer domain above a shorter one. */
#define PI_DOMAIN_SPECIFICITY(len) (33 + ((len) < 255 ? (int)(len) : 255))

struct pi_val {
	const struct ik_isakmp_profile *p;
	const struct ik_identity_match *m;
	uint32_t rank;
};

struct pi_vrf {
	const char *name;       /* NULL: global */
	uint32_t local;         /* profiles with local-address A: A; 0 for the others */
	struct ik_lpm *lpm;
};

/* IPv6 address matches of one fVRF: those of profiles without
 * local-address (bound false), or of profiles bound to one IPv6 address. */
struct pi_vrf6 {
	const char *name;
	bool bound;
	uint8_t local[16];
	struct ik_lpm6 *lpm;
};

struct pi_name {
	uint32_t hash;
	uint32_t rank;
	const struct pi_val *v;
};

struct ik_profile_index {
	struct pi_val *vals;    /* every match, in rank order */
	size_t nvals;
	struct pi_vrf *vrfs;
	size_t nvrfs;
	struct pi_name *names[3]; /* [0] host, [1] user-fqdn, [2] host domain; sorted by
				   * (hash, rank) */
	size_t nnames[3];
	struct pi_vrf6 *vrfs6;
	size_t nvrfs6;
};

static bool pi_same_vrf(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

/* A profile with local-address matches only exchanges on that address;
 * one naming an interface the file gives no address to never matches. */
static bool pi_bound(const struct ik_isakmp_profile *p)
{
	return p->local_address_if || p->local_address || p->local_v6;
}

/* local: the address the exchange is on (IPv4 0 or IPv6 ::: not known) */
static bool pi_local_ok(const struct ik_isakmp_profile *p, const struct ik_addr *local)
{
	if (!pi_bound(p))
		return true;
	if (local->family == IK_AF_INET6)
		return p->local_v6 && !memcmp(p->local_address6, local->v6, 16);
	return p->local_address && p->local_address == local->v4;
}

static uint32_t pi_name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		h = (h ^ c) * 16777619u;
	}
	return h;
}

static int pi_name_cmp(const void *a, const void *b)
{
	const struct pi_name *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return 0;
}

void ik_profile_index_free(struct ik_profile_index *pi)
{
	if (!pi)
		return;
	for (size_t i = 0; i < pi->nvrfs; i++)
		ik_lpm_free(pi->vrfs[i].lpm);
	free(pi->vrfs);
	for (size_t i = 0; i < pi->nvrfs6; i++)
		ik_lpm6_free(pi->vrfs6[i].lpm);
	free(pi->vrfs6);
	free(pi->names[0]);
	free(pi->names[1]);
	free(pi->names[2]);
	free(pi->vals);
	free(pi);
}

static bool pi_same_v6(const struct pi_vrf6 *v, const char *vrf, bool bound,
		       const uint8_t *local)
{
	return pi_same_vrf(v->name, vrf) && v->bound == bound &&
	       (!bound || !memcmp(v->local, local, 16));
}

/* The IPv6 tables: one per (fVRF, IPv6 local address or none). */
static int pi_build6(struct ik_profile_index *pi)
{
	struct ik_lpm6_ent *tmp;
	size_t n6 = 0;

	for (size_t i = 0; i < pi->nvals; i++)
		n6 += pi->vals[i].m->kind == IK_MATCH_ADDRESS && pi->vals[i].m->v6;
	if (!n6)
		return 0;
	pi->vrfs6 = calloc(n6, sizeof(*pi->vrfs6));
	tmp = malloc(n6 * sizeof(*tmp));
	if (!pi->vrfs6 || !tmp) {
		free(tmp);
		return -1;
	}
	for (size_t i = 0; i < pi->nvals; i++) {
		const struct ik_identity_match *m = pi->vals[i].m;
		const struct ik_isakmp_profile *p = pi->vals[i].p;
		bool bound = pi_bound(p);
		size_t k;

		if (m->kind != IK_MATCH_ADDRESS || !m->v6 || (bound && !p->local_v6))
			continue;
		for (k = 0; k < pi->nvrfs6; k++)
			if (pi_same_v6(&pi->vrfs6[k], m->vrf, bound, p->local_address6))
				break;
		if (k == pi->nvrfs6) {
			pi->vrfs6[k].name = m->vrf;
			pi->vrfs6[k].bound = bound;
			memcpy(pi->vrfs6[k].local, p->local_address6, 16);
			pi->nvrfs6++;
		}
	}
	for (size_t k = 0; k < pi->nvrfs6; k++) {
		struct pi_vrf6 *v = &pi->vrfs6[k];
		size_t cnt = 0;

		for (size_t i = 0; i < pi->nvals; i++) {
			const struct ik_identity_match *m = pi->vals[i].m;
			const struct ik_isakmp_profile *p = pi->vals[i].p;

			if (m->kind != IK_MATCH_ADDRESS || !m->v6 ||
			    (pi_bound(p) && !p->local_v6) ||
			    !pi_same_v6(v, m->vrf, pi_bound(p), p->local_address6))
				continue;
			memcpy(tmp[cnt].addr, m->addr6, 16);
			tmp[cnt].plen = (uint32_t)m->plen;
			tmp[cnt].rank = pi->vals[i].rank;
			tmp[cnt].val = &pi->vals[i];
			cnt++;
		}
		v->lpm = ik_lpm6_build(tmp, cnt);
		if (!v->lpm) {
			free(tmp);
			return -1;
		}
	}
	free(tmp);
	return 0;
}

struct ik_profile_index *ik_profile_index_build(const struct ik_config *cfg)
{
	struct ik_profile_index *pi = calloc(1, sizeof(*pi));
	struct ik_lpm_ent *tmp = NULL;
	size_t n = 0;

	if (!pi)
		return NULL;
	for (size_t i = 0; i < cfg->nprofiles; i++)
		n += cfg->profiles[i]->nmatches;
	pi->vals = calloc(n ? n : 1, sizeof(*pi->vals));
	pi->vrfs = calloc(n + 1, sizeof(*pi->vrfs));
	pi->names[0] = calloc(n ? n : 1, sizeof(*pi->names[0]));
	pi->names[1] = calloc(n ? n : 1, sizeof(*pi->names[1]));
	pi->names[2] = calloc(n ? n : 1, sizeof(*pi->names[2]));
	tmp = malloc((n ? n : 1) * sizeof(*tmp));
	if (!pi->vals || !pi->vrfs || !pi->names[0] || !pi->names[1] || !pi->names[2] || !tmp)
		goto fail;

	/* the matches in rank order; the VRFs, global first */
	pi->nvrfs = 1;
	for (size_t i = 0; i < cfg->nprofiles; i++) {
		const struct ik_isakmp_profile *p = cfg->profiles[i];

		for (size_t j = 0; j < p->nmatches; j++) {
			const struct ik_identity_match *m = &p->matches[j];
			struct pi_val *v = &pi->vals[pi->nvals];

			v->p = p;
			v->m = m;
			v->rank = (uint32_t)pi->nvals++;
			if (m->kind == IK_MATCH_ADDRESS && m->v6) {
				continue; /* pi_build6 */
			} else if (m->kind == IK_MATCH_ADDRESS && (m->vrf || pi_bound(p))) {
				size_t k;

				if (pi_bound(p) && !p->local_address)
					continue; /* never matches */
				for (k = 1; k < pi->nvrfs; k++)
					if (pi_same_vrf(pi->vrfs[k].name, m->vrf) &&
					    pi->vrfs[k].local == p->local_address)
						break;
				if (k == pi->nvrfs) {
					pi->vrfs[pi->nvrfs].name = m->vrf;
					pi->vrfs[pi->nvrfs++].local = p->local_address;
				}
			} else if (m->kind != IK_MATCH_ADDRESS && m->name) {
				int w = m->kind == IK_MATCH_HOST ? 0
					: m->kind == IK_MATCH_USER_FQDN ? 1 : 2;
				struct pi_name *nm = &pi->names[w][pi->nnames[w]++];

				nm->hash = pi_name_hash(m->name);
				nm->rank = v->rank;
				nm->v = v;
			}
		}
	}
	for (int w = 0; w < 3; w++)
		qsort(pi->names[w], pi->nnames[w], sizeof(*pi->names[w]), pi_name_cmp);
	for (size_t k = 0; k < pi->nvrfs; k++) {
		size_t cnt = 0;

		for (size_t i = 0; i < pi->nvals; i++) {
			const struct ik_identity_match *m = pi->vals[i].m;
			const struct ik_isakmp_profile *p = pi->vals[i].p;

			if (m->kind != IK_MATCH_ADDRESS || m->v6 ||
			    !pi_same_vrf(m->vrf, pi->vrfs[k].name))
				continue;
			if (pi_bound(p) ? p->local_address != pi->vrfs[k].local || !p->local_address
					: pi->vrfs[k].local != 0)
				continue;
			tmp[cnt].addr = m->addr & m->mask;
			tmp[cnt].plen = m->plen < 0 ? 32 : (uint32_t)m->plen;
			tmp[cnt].rank = pi->vals[i].rank;
			tmp[cnt].val = &pi->vals[i];
			cnt++;
		}
		pi->vrfs[k].lpm = ik_lpm_build(tmp, cnt);
		if (!pi->vrfs[k].lpm)
			goto fail;
	}
	if (pi_build6(pi))
		goto fail;
	free(tmp);
	return pi;
fail:
	free(tmp);
	ik_profile_index_free(pi);
	return NULL;
}

/* ---- P1 ---- */

struct pi_result {
	const struct ik_isakmp_profile *p;
	const struct ik_identity_match *m;
	int spec;                                /* specificity of the winning match */
	const struct ik_isakmp_profile *tie_p;   /* another profile as specific, or NULL */
	const struct ik_identity_match *tie_m;
};

/* How specifically m matches id in fvrf: a prefix length, 33 for a name,
 * -1 when it does not match. Host and user-fqdn matches carry no fVRF and
 * apply in every VRF. */
static int pi_spec(const struct ik_identity_match *m, const char *fvrf,
		   const struct ik_peer_id *id)
{
	switch (m->kind) {
	case IK_MATCH_ADDRESS:
		if (m->v6) {
			if (id->type != IK_PEER_ID_IPV6 || !pi_same_vrf(m->vrf, fvrf))
				return -1;
			return ik_addr6_in(id->addr6, m->addr6, m->plen) ? m->plen : -1;
		}
		if (id->type != IK_PEER_ID_IPV4 || !pi_same_vrf(m->vrf, fvrf))
			return -1;
		return ik_addr_in(id->addr, m->addr, m->mask) ? m->plen : -1;
	case IK_MATCH_HOST:
		if (id->type != IK_PEER_ID_FQDN || !id->name || !m->name)
			return -1;
		return strcasecmp(id->name, m->name) == 0 ? PI_NAME_SPECIFICITY : -1;
	case IK_MATCH_USER_FQDN:
		if (id->type != IK_PEER_ID_USER_FQDN || !id->name || !m->name)
			return -1;
		return strcasecmp(id->name, m->name) == 0 ? PI_NAME_SPECIFICITY : -1;
	case IK_MATCH_HOST_DOMAIN: {
		size_t nl, dl;

		if (id->type != IK_PEER_ID_FQDN || !id->name || !m->name)
			return -1;
		nl = strlen(id->name);
		dl = strlen(m->name);
		if (nl < dl || strcasecmp(id->name + nl - dl, m->name) ||
		    (nl > dl && id->name[nl - dl - 1] != '.'))
			return -1;
		return PI_DOMAIN_SPECIFICITY(dl);
	}
	}
	return -1;
}

/* Reference decision by scanning every profile and match. */
static void pi_match_scan(const struct ik_config *cfg, const char *fvrf,
			  const struct ik_addr *local, const struct ik_peer_id *id,
			  struct pi_result *res)
{
	memset(res, 0, sizeof(*res));
	res->spec = -1;
	for (size_t i = 0; i < cfg->nprofiles; i++) {
		const struct ik_isakmp_profile *p = cfg->profiles[i];
		int best = -1;
		const struct ik_identity_match *bm = NULL;

		if (!pi_local_ok(p, local))
			continue;

		for (size_t j = 0; j < p->nmatches; j++) {
			int s = pi_spec(&p->matches[j], fvrf, id);

			if (s > best) {
				best = s;
				bm = &p->matches[j];
			}
		}
		if (best < 0)
			continue;
		if (best > res->spec) {
			res->p = p;
			res->m = bm;
			res->spec = best;
			res->tie_p = NULL;
			res->tie_m = NULL;
		} else if (best == res->spec && !res->tie_p) {
			res->tie_p = p;
			res->tie_m = bm;
		}
	}
}

static const struct pi_vrf *pi_vrf_find(const struct ik_profile_index *pi, const char *fvrf,
				       uint32_t local)
{
	for (size_t i = 0; i < pi->nvrfs; i++)
		if (pi_same_vrf(pi->vrfs[i].name, fvrf) && pi->vrfs[i].local == local)
			return &pi->vrfs[i];
	return NULL;
}

/* The better of two address matches: the longer prefix, then the rank. */
static const struct pi_val *pi_better(const struct pi_val *a, const struct pi_val *b)
{
	if (!a || !b)
		return a ? a : b;
	if (a->m->plen != b->m->plen)
		return a->m->plen > b->m->plen ? a : b;
	return a->rank <= b->rank ? a : b;
}

/* Another profile matching id as specifically as w in table v, or NULL. */
static const struct pi_val *pi_tie_in(const struct pi_vrf *v, const struct pi_val *w,
				      uint32_t addr)
{
	const struct ik_lpm_ent *e;
	size_t cnt;

	if (!v)
		return NULL;
	cnt = ik_lpm_exact(v->lpm, addr, (uint32_t)w->m->plen, &e);
	for (size_t i = 0; i < cnt; i++) {
		const struct pi_val *o = e[i].val;

		if (o->p != w->p)
			return o;
	}
	return NULL;
}

static void pi_match_name(const struct ik_profile_index *pi, int w, const char *name,
			  const struct ik_addr *local, struct pi_result *res);

static const struct pi_vrf6 *pi_vrf6_find(const struct ik_profile_index *pi, const char *fvrf,
					  const struct ik_addr *local)
{
	static const uint8_t zero[16];
	bool bound = local && local->family == IK_AF_INET6 && memcmp(local->v6, zero, 16);

	if (local && !bound)
		return NULL;
	for (size_t i = 0; i < pi->nvrfs6; i++)
		if (pi_same_v6(&pi->vrfs6[i], fvrf, bound, bound ? local->v6 : zero))
			return &pi->vrfs6[i];
	return NULL;
}

/* Another profile matching as specifically as w in the IPv6 table v. */
static const struct pi_val *pi_tie_in6(const struct pi_vrf6 *v, const struct pi_val *w,
				       const uint8_t addr[16])
{
	const struct ik_lpm6_ent *e;
	size_t cnt;

	if (!v)
		return NULL;
	cnt = ik_lpm6_exact(v->lpm, addr, (uint32_t)w->m->plen, &e);
	for (size_t i = 0; i < cnt; i++) {
		const struct pi_val *o = e[i].val;

		if (o->p != w->p)
			return o;
	}
	return NULL;
}

static void pi_match_index6(const struct ik_profile_index *pi, const char *fvrf,
			    const struct ik_addr *local, const struct ik_peer_id *id,
			    bool want_tie, struct pi_result *res)
{
	const struct pi_vrf6 *v = pi_vrf6_find(pi, fvrf, NULL);
	const struct pi_vrf6 *b = pi_vrf6_find(pi, fvrf, local);
	const struct pi_val *w, *o;

	w = pi_better(v ? ik_lpm6_lookup(v->lpm, id->addr6) : NULL,
		      b ? ik_lpm6_lookup(b->lpm, id->addr6) : NULL);
	if (!w)
		return;
	res->p = w->p;
	res->m = w->m;
	res->spec = w->m->plen;
	if (!want_tie)
		return;
	o = pi_tie_in6(v, w, id->addr6);
	if (!o)
		o = pi_tie_in6(b, w, id->addr6);
	if (o) {
		res->tie_p = o->p;
		res->tie_m = o->m;
	}
}

static void pi_match_index(const struct ik_profile_index *pi, const char *fvrf,
			   const struct ik_addr *local_ip, const struct ik_peer_id *id,
			   bool want_tie, struct pi_result *res)
{
	uint32_t local = local_ip->family == IK_AF_INET4 ? local_ip->v4 : 0;

	memset(res, 0, sizeof(*res));
	res->spec = -1;
	if (id->type == IK_PEER_ID_IPV6) {
		pi_match_index6(pi, fvrf, local_ip, id, want_tie, res);
		return;
	}
	if (id->type == IK_PEER_ID_IPV4) {
		const struct pi_vrf *v = pi_vrf_find(pi, fvrf, 0);
		const struct pi_vrf *b = local ? pi_vrf_find(pi, fvrf, local) : NULL;
		const struct pi_val *w, *o;

		w = pi_better(v ? ik_lpm_lookup(v->lpm, id->addr) : NULL,
			      b ? ik_lpm_lookup(b->lpm, id->addr) : NULL);
		if (!w)
			return;
		res->p = w->p;
		res->m = w->m;
		res->spec = w->m->plen;
		if (!want_tie)
			return;
		o = pi_tie_in(v, w, id->addr);
		if (!o)
			o = pi_tie_in(b, w, id->addr);
		if (o) {
			res->tie_p = o->p;
			res->tie_m = o->m;
		}
		return;
	}
	if (!id->name || (id->type != IK_PEER_ID_FQDN && id->type != IK_PEER_ID_USER_FQDN))
		return;
	pi_match_name(pi, id->type == IK_PEER_ID_FQDN ? 0 : 1, id->name, local_ip, res);
	if (res->p || id->type != IK_PEER_ID_FQDN)
		return;
	/* host domain: the name itself, then each shorter suffix after a dot,
	 * so that the longest domain wins */
	for (const char *d = id->name; d && *d && !res->p;) {
		pi_match_name(pi, 2, d, local_ip, res);
		if (res->p)
			res->spec = PI_DOMAIN_SPECIFICITY(strlen(d));
		d = strchr(d, '.');
		if (d)
			d++;
	}
}

/* The profiles whose names of kind w equal name (any case), on local. */
static void pi_match_name(const struct ik_profile_index *pi, int w, const char *name,
			  const struct ik_addr *local, struct pi_result *res)
{
	uint32_t h = pi_name_hash(name);
	const struct pi_name *names = pi->names[w];
	size_t lo = 0, hi = pi->nnames[w];

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (names[mid].hash < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < pi->nnames[w] && names[i].hash == h; i++) {
		const struct pi_val *o = names[i].v;

		if (strcasecmp(o->m->name, name) != 0 || !pi_local_ok(o->p, local))
			continue;
		if (!res->p) {
			res->p = o->p;
			res->m = o->m;
			res->spec = PI_NAME_SPECIFICITY;
		} else if (o->p != res->p) {
			res->tie_p = o->p;
			res->tie_m = o->m;
			break;
		}
	}
}

/* want_tie: also find a second profile as specific (for the trace only) */
static void pi_match(const struct ik_config *cfg, const char *fvrf, const struct ik_addr *local,
		     const struct ik_peer_id *id, bool want_tie, struct pi_result *res)
{
	if (cfg->pindex)
		pi_match_index(cfg->pindex, fvrf, local, id, want_tie, res);
	else
		pi_match_scan(cfg, fvrf, local, id, res);
}

static bool pi_tracing(const struct ik_trace *tr)
{
	return tr && ik_log_on(tr->log, IK_DBG_ISAKMP);
}

const struct ik_isakmp_profile *ik_profile_match_responder(const struct ik_config *cfg,
							   const char *fvrf, uint32_t local,
							   const struct ik_peer_id *id,
							   const struct ik_trace *tr)
{
	struct ik_addr l = ik_addr_v4(local);

	return ik_profile_match_responder_ip(cfg, fvrf, &l, id, tr);
}

const struct ik_isakmp_profile *ik_profile_match_responder_ip(const struct ik_config *cfg,
							      const char *fvrf,
							      const struct ik_addr *local,
							      const struct ik_peer_id *id,
							      const struct ik_trace *tr)
{
	struct pi_result res;
	bool tracing = pi_tracing(tr);
	struct ik_addr none = ik_addr_v4(0);

	pi_match(cfg, fvrf, local ? local : &none, id, tracing, &res);
	if (!tracing)
		return res.p;
	/* IOS prints this line with connection id 0 whatever the SA */
	if (!res.p) {
		ik_dbg(tr->log, IK_DBG_ISAKMP, "ISAKMP:(0):: peer matches *none* of the profiles");
		return NULL;
	}
	if (res.tie_p) /* ikerd's own line: IOS prints none */
		ik_dbg(tr->log, IK_DBG_ISAKMP,
		       "ikerd:(0): P1 tie: peer matches profile %s (line %d) and profile %s "
		       "(line %d) equally specifically; using %s, the first configured (P1 tie)",
		       res.p->name, res.m->line, res.tie_p->name, res.tie_m->line, res.p->name);
	ik_dbg(tr->log, IK_DBG_ISAKMP, "ISAKMP:(0):: peer matches %s profile", res.p->name);
	return res.p;
}

/* ---- P2 ---- */

bool ik_profile_check_keyring(const struct ik_isakmp_profile *p, const struct ik_key *key,
			      const struct ik_trace *tr)
{
	bool ok = false;

	if (!p)
		return true;
	if (key) {
		if (!p->nkeyrings)
			ok = key->ring && key->ring->is_default;
		for (size_t i = 0; i < p->nkeyrings && !ok; i++)
			ok = p->keyrings[i] == key->ring;
	}
	if (!ok && pi_tracing(tr))
		ik_dbg(tr->log, IK_DBG_ISAKMP,
		       "ISAKMP:(%u): Key not found in keyrings of profile , aborting exchange",
		       tr->conn_id);
	return ok;
}

bool ik_profile_check_responder(const struct ik_config *cfg, const struct ik_isakmp_profile *p,
				const struct ik_key *key, const char *fvrf, uint32_t local,
				uint32_t peer, const struct ik_trace *tr)
{
	if (p && p->nkeyrings && pi_tracing(tr))
		(void)ik_resolve_initiator(cfg->resolver, p, fvrf, local, peer, tr);
	return ik_profile_check_keyring(p, key, tr);
}

bool ik_profile_check_responder_ip(const struct ik_config *cfg,
				   const struct ik_isakmp_profile *p, const struct ik_key *key,
				   const char *fvrf, const struct ik_addr *local,
				   const struct ik_addr *peer, const struct ik_trace *tr)
{
	if (p && p->nkeyrings && pi_tracing(tr))
		(void)ik_resolve_initiator_ip(cfg->resolver, p, fvrf, local, peer, tr);
	return ik_profile_check_keyring(p, key, tr);
}

/* ---- P3 ---- */

const struct ik_isakmp_profile *ik_profile_for_initiator(const struct ik_config *cfg,
							 const struct ik_ipsec_profile *ipsec,
							 const char *fvrf, uint32_t local,
							 uint32_t peer, const struct ik_trace *tr)
{
	struct ik_addr l = ik_addr_v4(local), pa = ik_addr_v4(peer);

	return ik_profile_for_initiator_ip(cfg, ipsec, fvrf, &l, &pa, tr);
}

const struct ik_isakmp_profile *ik_profile_for_initiator_ip(const struct ik_config *cfg,
							    const struct ik_ipsec_profile *ipsec,
							    const char *fvrf,
							    const struct ik_addr *local,
							    const struct ik_addr *peer,
							    const struct ik_trace *tr)
{
	const struct ik_isakmp_profile *p;

	if (ipsec && ipsec->isakmp_profile) {
		p = ipsec->isakmp_profile;
	} else {
		struct ik_peer_id id = { .type = IK_PEER_ID_IPV4 };
		struct ik_addr none = ik_addr_v4(0);
		struct pi_result res;

		if (peer->family == IK_AF_INET6) {
			id.type = IK_PEER_ID_IPV6;
			memcpy(id.addr6, peer->v6, 16);
		} else {
			id.addr = peer->v4;
		}
		pi_match(cfg, fvrf, local ? local : &none, &id, false, &res);
		p = res.p;
	}
	if (p && pi_tracing(tr))
		ik_dbg(tr->log, IK_DBG_ISAKMP, "ISAKMP:(%u): SA request profile is %s",
		       tr->conn_id, p->name);
	return p;
}
