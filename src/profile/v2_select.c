/* IKEv2 selection: policy, profile and keyring peer (see v2_select.h).
 *
 * The index holds every `match identity remote` of every profile, and every
 * peer block of every keyring, as candidates ranked in configuration order.
 * Address candidates live in longest-prefix tables (keyring/lpm.h, and
 * keyring/lpm6.h for `address ipv6`): one IPv4 and one IPv6 table per
 * profile fVRF key (global, a named VRF, or any) and per keyring. Name
 * candidates (fqdn, email, key-id, exact or domain) live in one array sorted
 * by the hash of (type, domain flag, value), so that a lookup probes the
 * identity itself and each of its parent domains: a bounded number of binary
 * searches whatever the size of the configuration.
 */
#include "profile/v2_select.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keyring/lpm.h"
#include "keyring/lpm6.h"
#include "util/addr.h"
#include "util/log.h"
#include "util/util.h"

/* Specificity: an address match counts its prefix length (0..32), a domain
 * match 40 plus its number of labels, an exact name match 100. */
#define V2_SPEC_DOMAIN 40
#define V2_SPEC_EXACT 100

struct v2_cand {
	const void *obj;                   /* profile, or peer block */
	const struct ik_ikev2_keyring *kr; /* peer blocks: their keyring */
	enum ik_id_type type;
	bool domain;
	const char *value;
	bool prefix;            /* an address prefix (in an LPM table), not a name */
	uint32_t addr, plen;
	const uint8_t *addr6;   /* an IPv6 prefix (in an LPM6 table), or NULL */
	uint32_t rank;
};

struct v2_name {
	uint32_t hash;
	uint32_t rank;
	const struct v2_cand *c;
};

struct v2_names {
	struct v2_name *v;
	size_t n;
};

/* The address matches of the profiles sharing one `match fvrf` value. */
struct v2_vrf_lpm {
	const char *fvrf;       /* NULL: global; "any" */
	struct ik_lpm *lpm;
	struct ik_lpm6 *lpm6;   /* `match identity remote address ipv6` */
};

struct v2_kr {
	const struct ik_ikev2_keyring *kr;
	size_t first, end;      /* its candidates in cands[] */
	struct ik_lpm *lpm;     /* peers with `address` */
	struct ik_lpm6 *lpm6;   /* peers with `address ipv6`: the peer blocks themselves */
};

struct ik_v2_index {
	struct v2_cand *cands;  /* profile matches, then keyring peers */
	size_t ncands;
	struct v2_names pnames, knames;
	struct v2_vrf_lpm *vrfs;
	size_t nvrfs;
	struct v2_kr *krs;
	size_t nkrs;
};

/* ---- names ---- */

static uint32_t v2_hash(enum ik_id_type t, bool domain, const char *s, size_t n)
{
	uint8_t tag[2] = { (uint8_t)t, domain ? 1 : 0 };

	return ik_fnv_nocase(ik_fnv_nocase(IK_FNV_INIT, tag, 2), s, n);
}

static int v2_name_cmp(const void *a, const void *b)
{
	const struct v2_name *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return 0;
}

/* The first entry with this hash, or names->n. */
static size_t v2_names_first(const struct v2_names *nm, uint32_t h)
{
	size_t lo = 0, hi = nm->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (nm->v[mid].hash < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Key IDs are opaque octets; FQDNs and e-mail addresses compare without
 * regard to case. */
static bool v2_value_eq(enum ik_id_type t, const char *a, const char *b, size_t blen)
{
	if (strlen(a) != blen)
		return false;
	return t == IK_ID_KEY_ID ? memcmp(a, b, blen) == 0 : strncasecmp(a, b, blen) == 0;
}

static unsigned v2_labels(const char *s, size_t n)
{
	unsigned k = n ? 1 : 0;

	for (size_t i = 0; i < n; i++)
		k += s[i] == '.';
	return k;
}

static bool v2_same_vrf(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

/* ---- building ---- */

void ik_v2_index_free(struct ik_v2_index *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->nvrfs; i++) {
		ik_lpm_free(x->vrfs[i].lpm);
		ik_lpm6_free(x->vrfs[i].lpm6);
	}
	for (size_t i = 0; i < x->nkrs; i++) {
		ik_lpm_free(x->krs[i].lpm);
		ik_lpm6_free(x->krs[i].lpm6);
	}
	free(x->vrfs);
	free(x->krs);
	free(x->pnames.v);
	free(x->knames.v);
	free(x->cands);
	free(x);
}

static void v2_name_add(struct v2_names *nm, const struct v2_cand *c)
{
	struct v2_name *e = &nm->v[nm->n++];

	e->hash = v2_hash(c->type, c->domain, c->value, strlen(c->value));
	e->rank = c->rank;
	e->c = c;
}

static struct ik_lpm *v2_lpm_of(const struct v2_cand *c, size_t n, struct ik_lpm_ent *tmp,
				bool (*want)(const struct v2_cand *, const void *), const void *arg)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (!c[i].prefix || !want(&c[i], arg))
			continue;
		tmp[k].addr = c[i].addr;
		tmp[k].plen = c[i].plen;
		tmp[k].rank = c[i].rank;
		tmp[k].val = &c[i];
		k++;
	}
	return ik_lpm_build(tmp, k);
}

static bool v2_want_vrf(const struct v2_cand *c, const void *arg)
{
	const struct ik_ikev2_profile *p = c->obj;

	return c->kr == NULL && v2_same_vrf(p->match_fvrf, arg);
}

static bool v2_want_kr(const struct v2_cand *c, const void *arg)
{
	return c->kr == arg;
}

/* The IPv6 address matches of the profiles with fVRF key fvrf. */
static struct ik_lpm6 *v2_lpm6_vrf(const struct v2_cand *c, size_t n, const char *fvrf)
{
	struct ik_lpm6_ent *e = malloc((n ? n : 1) * sizeof(*e));
	struct ik_lpm6 *t;
	size_t k = 0;

	if (!e)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (!c[i].addr6 || c[i].kr || !v2_want_vrf(&c[i], fvrf))
			continue;
		memcpy(e[k].addr, c[i].addr6, 16);
		e[k].plen = c[i].plen;
		e[k].rank = c[i].rank;
		e[k].val = &c[i];
		k++;
	}
	t = ik_lpm6_build(e, k);
	free(e);
	return t;
}

/* The peer blocks of kr with `address ipv6`, rank = their order. */
static struct ik_lpm6 *v2_lpm6_of(const struct ik_ikev2_keyring *kr)
{
	struct ik_lpm6_ent *e = malloc((kr->npeers ? kr->npeers : 1) * sizeof(*e));
	struct ik_lpm6 *t;
	size_t n = 0;

	if (!e)
		return NULL;
	for (size_t j = 0; j < kr->npeers; j++) {
		const struct ik_ikev2_peer *pb = &kr->peers[j];

		if (!pb->has_addr || !pb->v6)
			continue;
		memcpy(e[n].addr, pb->addr6, 16);
		e[n].plen = (uint32_t)pb->plen;
		e[n].rank = (uint32_t)j;
		e[n].val = pb;
		n++;
	}
	t = ik_lpm6_build(e, n);
	free(e);
	return t;
}

struct ik_v2_index *ik_v2_index_build(const struct ik_config *cfg)
{
	struct ik_v2_index *x = calloc(1, sizeof(*x));
	struct ik_lpm_ent *tmp = NULL;
	size_t n = 0, np = 0;

	if (!x)
		return NULL;
	for (size_t i = 0; i < cfg->nv2_profiles; i++)
		np += cfg->v2_profiles[i]->nmatches;
	n = np;
	for (size_t i = 0; i < cfg->nv2_keyrings; i++)
		for (size_t j = 0; j < cfg->v2_keyrings[i]->npeers; j++) {
			const struct ik_ikev2_peer *pb = &cfg->v2_keyrings[i]->peers[j];

			n += (pb->id_type != IK_ID_NONE && pb->id_value) + pb->has_addr;
		}
	x->cands = calloc(n ? n : 1, sizeof(*x->cands));
	x->pnames.v = calloc(np ? np : 1, sizeof(*x->pnames.v));
	x->knames.v = calloc(n - np ? n - np : 1, sizeof(*x->knames.v));
	x->vrfs = calloc(cfg->nv2_profiles + 1, sizeof(*x->vrfs));
	x->krs = calloc(cfg->nv2_keyrings ? cfg->nv2_keyrings : 1, sizeof(*x->krs));
	tmp = malloc((n ? n : 1) * sizeof(*tmp));
	if (!x->cands || !x->pnames.v || !x->knames.v || !x->vrfs || !x->krs || !tmp)
		goto fail;

	for (size_t i = 0; i < cfg->nv2_profiles; i++) {
		const struct ik_ikev2_profile *p = cfg->v2_profiles[i];
		size_t k;

		for (size_t j = 0; j < p->nmatches; j++) {
			const struct ik_ikev2_match *m = &p->matches[j];
			struct v2_cand *c = &x->cands[x->ncands];

			c->obj = p;
			c->type = m->type;
			c->domain = m->domain;
			c->value = m->value;
			/* IPv6 prefixes are not in the IPv4 tables */
			c->prefix = m->type == IK_ID_ADDRESS && !m->v6;
			c->addr = m->addr & m->mask;
			c->plen = m->plen < 0 ? (m->v6 ? 128 : 32) : (uint32_t)m->plen;
			c->addr6 = m->type == IK_ID_ADDRESS && m->v6 ? m->addr6 : NULL;
			c->rank = (uint32_t)x->ncands++;
			if (!c->prefix && c->value)
				v2_name_add(&x->pnames, c);
		}
		for (k = 0; k < x->nvrfs; k++)
			if (v2_same_vrf(x->vrfs[k].fvrf, p->match_fvrf))
				break;
		if (k == x->nvrfs)
			x->vrfs[x->nvrfs++].fvrf = p->match_fvrf;
	}
	for (size_t i = 0; i < cfg->nv2_keyrings; i++) {
		const struct ik_ikev2_keyring *kr = cfg->v2_keyrings[i];

		x->krs[i].kr = kr;
		x->krs[i].first = x->ncands;
		for (size_t j = 0; j < kr->npeers; j++) {
			const struct ik_ikev2_peer *pb = &kr->peers[j];

			/* a peer block is a candidate by identity and by address:
			 * one entry for each lookup */
			if (pb->id_type != IK_ID_NONE && pb->id_value) {
				struct v2_cand *c = &x->cands[x->ncands];

				c->obj = pb;
				c->kr = kr;
				c->type = pb->id_type;
				c->domain = pb->id_domain;
				c->value = pb->id_value;
				c->rank = (uint32_t)x->ncands++;
				v2_name_add(&x->knames, c);
			}
			if (pb->has_addr) {
				struct v2_cand *c = &x->cands[x->ncands];

				c->obj = pb;
				c->kr = kr;
				c->type = IK_ID_ADDRESS;
				c->prefix = !pb->v6;
				c->addr = pb->addr & pb->mask;
				c->plen = pb->plen < 0 ? 32 : (uint32_t)pb->plen;
				c->rank = (uint32_t)x->ncands++;
			}
		}
		x->krs[i].end = x->ncands;
	}
	qsort(x->pnames.v, x->pnames.n, sizeof(*x->pnames.v), v2_name_cmp);
	qsort(x->knames.v, x->knames.n, sizeof(*x->knames.v), v2_name_cmp);
	for (size_t k = 0; k < x->nvrfs; k++) {
		x->vrfs[k].lpm = v2_lpm_of(x->cands, x->ncands, tmp, v2_want_vrf, x->vrfs[k].fvrf);
		x->vrfs[k].lpm6 = v2_lpm6_vrf(x->cands, x->ncands, x->vrfs[k].fvrf);
		if (!x->vrfs[k].lpm || !x->vrfs[k].lpm6)
			goto fail;
	}
	for (size_t i = 0; i < cfg->nv2_keyrings; i++) {
		struct v2_kr *k = &x->krs[i];

		k->lpm = v2_lpm_of(x->cands + k->first, k->end - k->first, tmp, v2_want_kr, k->kr);
		k->lpm6 = v2_lpm6_of(k->kr);
		x->nkrs++;
		if (!x->krs[i].lpm || !x->krs[i].lpm6)
			goto fail;
	}
	free(tmp);
	return x;
fail:
	free(tmp);
	ik_v2_index_free(x);
	return NULL;
}

/* ---- defaults ---- */

/* IOS XE's built-in proposals ("smart defaults"): one CBC proposal with
 * SHA-2 integrity and one AEAD proposal, the same groups. */
static char *def_cbc_encr[] = { "aes-cbc-256" };
static char *def_gcm_encr[] = { "aes-gcm-256" };
static char *def_integ[] = { "sha512", "sha384" };
static char *def_groups[] = { "19", "14", "21", "5" };
static struct ik_ikev2_proposal def_proposals[2] = {
	{ .name = "default", .encr = def_cbc_encr, .nencr = 1, .integ = def_integ, .ninteg = 2,
	  .prf = def_integ, .nprf = 2, .group = def_groups, .ngroup = 4 },
	{ .name = "default", .encr = def_gcm_encr, .nencr = 1, .prf = def_integ, .nprf = 2,
	  .group = def_groups, .ngroup = 4 },
};
static struct ik_ikev2_proposal *def_proposal_ptrs[2] = {
	&def_proposals[0], &def_proposals[1],
};
static char *def_any[] = { "any" };
static const struct ik_ikev2_policy def_policy = {
	.name = "default",
	.proposals = def_proposal_ptrs,
	.nproposals = 2,
	.match_fvrf = def_any,
	.nmatch_fvrf = 1,
};

size_t ik_v2_default_proposals(const struct ik_ikev2_proposal *const **out)
{
	*out = (const struct ik_ikev2_proposal *const *)def_proposal_ptrs;
	return 2;
}

const struct ik_ikev2_policy *ik_v2_default_policy(void)
{
	return &def_policy;
}

bool ik_v2_policy_is_default(const struct ik_ikev2_policy *p)
{
	return p == &def_policy;
}

/* ---- identities ---- */

const char *ik_v2_id_type_name(enum ik_id_type t)
{
	switch (t) {
	case IK_ID_ADDRESS: return "IPv4 address";
	case IK_ID_FQDN: return "FQDN";
	case IK_ID_EMAIL: return "email";
	case IK_ID_KEY_ID: return "key ID";
	case IK_ID_NONE: break;
	}
	return "none";
}

const char *ik_v2_id_fmt(const struct ik_v2_id *id, char *buf, size_t len)
{
	char a[IK_ADDRSTRLEN];

	if (id->type == IK_ID_ADDRESS && id->v6) {
		char a6[IK_ADDR_ANYSTRLEN];
		struct ik_addr x = { .family = IK_AF_INET6 };

		memcpy(x.v6, id->addr6, 16);
		snprintf(buf, len, "%s", ik_addr_fmt_any(&x, a6));
	} else if (id->type == IK_ID_ADDRESS)
		snprintf(buf, len, "%s", ik_addr_fmt(id->addr, a));
	else
		ik_str_escape(id->value ? id->value : "", id->value ? strlen(id->value) : 0, buf,
			      len);
	return buf;
}

/* The VRF as IOS's trace numbers it: 0 for the global table, else its place
 * among the configured VRFs, from 1. */
static unsigned v2_vrf_id(const struct ik_config *cfg, const char *fvrf)
{
	if (!fvrf)
		return 0;
	for (size_t i = 0; i < cfg->nvrfs; i++)
		if (strcmp(cfg->vrfs[i].name, fvrf) == 0)
			return (unsigned)i + 1;
	return (unsigned)cfg->nvrfs + 1;
}

/* ---- policy (IKE_SA_INIT) ---- */

static bool v2_policy_admits(const struct ik_ikev2_policy *p, const char *fvrf, uint32_t local,
			     bool *exact_vrf, bool *exact_local)
{
	bool vrf_ok = false, local_ok = p->nmatch_local == 0;

	*exact_vrf = false;
	*exact_local = false;
	if (p->nmatch_fvrf == 0)
		vrf_ok = fvrf == NULL;
	for (size_t i = 0; i < p->nmatch_fvrf; i++) {
		if (strcmp(p->match_fvrf[i], "any") == 0) {
			vrf_ok = true;
		} else if (fvrf && strcmp(p->match_fvrf[i], fvrf) == 0) {
			vrf_ok = true;
			*exact_vrf = true;
		}
	}
	if (p->nmatch_fvrf == 0 && fvrf == NULL)
		*exact_vrf = true;
	for (size_t i = 0; i < p->nmatch_local; i++)
		if (p->match_local[i] == local) {
			local_ok = true;
			*exact_local = true;
		}
	return vrf_ok && local_ok;
}

/* local: the IPv4 address matched against `match address local` lines (0
 * for an IPv6 one: such lines are IPv4 and never list it); a: as printed. */
static const struct ik_ikev2_policy *policy_select(const struct ik_config *cfg, const char *fvrf,
						   uint32_t local, const char *a,
						   const struct ik_trace *tr)
{
	const struct ik_ikev2_policy *best = NULL;
	int best_score = -1;
	const struct ik_log *lg = tr ? tr->log : NULL;

	ik_dbg(lg, IK_DBG_IKEV2, "IKEv2:Searching Policy with fvrf %u, local address %s",
	       v2_vrf_id(cfg, fvrf), a);
	if (cfg->nv2_policies == 0) {
		ik_dbg(lg, IK_DBG_IKEV2, "IKEv2:Using the Default Policy for Proposal");
		ik_dbg(lg, IK_DBG_IKEV2, "IKEv2:Found Policy 'default'");
		return &def_policy;
	}
	/* policies are few (IOS allows a handful per router): a scan */
	for (size_t i = 0; i < cfg->nv2_policies; i++) {
		const struct ik_ikev2_policy *p = cfg->v2_policies[i];
		bool ev, el;
		int score;

		if (!v2_policy_admits(p, fvrf, local, &ev, &el))
			continue;
		score = (el ? 2 : 0) + (ev ? 1 : 0);
		if (score > best_score) {
			best = p;
			best_score = score;
		}
	}
	if (!best) {
		ik_dbg(lg, IK_DBG_IKEV2, "IKEv2:Failed to find a matching policy for fvrf %u, "
		       "local address %s", v2_vrf_id(cfg, fvrf), a);
		return NULL;
	}
	ik_dbg(lg, IK_DBG_IKEV2, "IKEv2:Found Policy '%s'", best->name);
	return best;
}

const struct ik_ikev2_policy *ik_v2_policy_select(const struct ik_config *cfg, const char *fvrf,
						  uint32_t local, const struct ik_trace *tr)
{
	char a[IK_ADDRSTRLEN];

	return policy_select(cfg, fvrf, local, ik_addr_fmt(local, a), tr);
}

const struct ik_ikev2_policy *ik_v2_policy_select_ip(const struct ik_config *cfg,
						     const char *fvrf,
						     const struct ik_addr *local,
						     const struct ik_trace *tr)
{
	char a[IK_ADDR_ANYSTRLEN];

	return policy_select(cfg, fvrf, local->family == IK_AF_INET6 ? 0 : local->v4,
			     ik_addr_fmt_any(local, a), tr);
}

/* ---- profile (IKE_AUTH) ---- */

static bool v2_profile_admits(const struct ik_ikev2_profile *p, const char *fvrf,
			      uint32_t local)
{
	bool local_ok = p->nmatch_local == 0;

	if (p->match_fvrf && strcmp(p->match_fvrf, "any") == 0) {
		/* any VRF */
	} else if (!v2_same_vrf(p->match_fvrf, fvrf)) {
		return false;
	}
	for (size_t i = 0; i < p->nmatch_local && !local_ok; i++)
		local_ok = p->match_local[i] == local;
	return local_ok;
}

struct v2_best {
	const struct v2_cand *c;
	int spec;
	bool exact_vrf;
	const struct v2_cand *tie; /* another profile as good, or NULL */
};

/* Whether (spec, exact_vrf, rank) of c beats b. */
static void v2_offer(struct v2_best *b, const struct v2_cand *c, int spec, bool exact_vrf)
{
	if (!b->c || spec > b->spec || (spec == b->spec && exact_vrf && !b->exact_vrf)) {
		b->c = c;
		b->spec = spec;
		b->exact_vrf = exact_vrf;
		b->tie = NULL;
		return;
	}
	if (spec == b->spec && exact_vrf == b->exact_vrf) {
		if (c->rank < b->c->rank) {
			b->tie = b->c;
			b->c = c;
		} else if (!b->tie && c->obj != b->c->obj) {
			b->tie = c;
		}
	}
}

static bool v2_cand_exact_vrf(const struct v2_cand *c)
{
	const struct ik_ikev2_profile *p = c->obj;

	return !(p->match_fvrf && strcmp(p->match_fvrf, "any") == 0);
}

/* Probes the name tables for id: the value itself (exact candidates) and,
 * for FQDNs and e-mail addresses, each parent domain (domain candidates). */
static void v2_names_probe(const struct v2_names *nm, const struct ik_v2_id *id,
			   bool (*admit)(const struct v2_cand *, const void *), const void *arg,
			   void (*take)(void *, const struct v2_cand *, int), void *acc)
{
	const char *v = id->value;
	size_t n;

	if (!v || id->type == IK_ID_ADDRESS || id->type == IK_ID_NONE)
		return;
	n = strlen(v);
	/* exact */
	for (size_t i = v2_names_first(nm, v2_hash(id->type, false, v, n));
	     i < nm->n && nm->v[i].hash == v2_hash(id->type, false, v, n); i++) {
		const struct v2_cand *c = nm->v[i].c;

		if (c->type == id->type && !c->domain && v2_value_eq(c->type, c->value, v, n) &&
		    admit(c, arg))
			take(acc, c, V2_SPEC_EXACT);
	}
	if (id->type == IK_ID_KEY_ID)
		return;
	/* domains: for an e-mail address, what follows '@', then its parents */
	const char *d = v;

	if (id->type == IK_ID_EMAIL) {
		const char *at = strrchr(v, '@');

		if (!at)
			return;
		d = at + 1;
	}
	for (unsigned guard = 0; *d && guard < 128; guard++) {
		size_t dn = strlen(d);
		uint32_t h = v2_hash(id->type, true, d, dn);

		for (size_t i = v2_names_first(nm, h); i < nm->n && nm->v[i].hash == h; i++) {
			const struct v2_cand *c = nm->v[i].c;

			if (c->type == id->type && c->domain &&
			    v2_value_eq(c->type, c->value, d, dn) && admit(c, arg))
				take(acc, c, V2_SPEC_DOMAIN + (int)v2_labels(d, dn));
		}
		d = strchr(d, '.');
		if (!d)
			break;
		d++;
	}
}

struct v2_pargs {
	const char *fvrf;
	uint32_t local;
};

static bool v2_admit_profile(const struct v2_cand *c, const void *arg)
{
	const struct v2_pargs *a = arg;

	return v2_profile_admits(c->obj, a->fvrf, a->local);
}

static void v2_take_profile(void *acc, const struct v2_cand *c, int spec)
{
	v2_offer(acc, c, spec, v2_cand_exact_vrf(c));
}

/* The best admitted address candidate of one LPM table: from the longest
 * prefix length present down, the first admitted entry in rank order; *tie
 * gets the next admitted entry of the same prefix, if any. */
static const struct v2_cand *v2_lpm_best(const struct ik_lpm *t, uint32_t a,
					 bool (*admit)(const struct v2_cand *, const void *),
					 const void *arg, const struct v2_cand **tie)
{
	uint64_t plens = ik_lpm_plens(t);

	*tie = NULL;
	for (int p = 32; p >= 0; p--) {
		const struct v2_cand *best = NULL;
		const struct ik_lpm_ent *e;
		size_t cnt;

		if (!(plens & (1ull << p)))
			continue;
		cnt = ik_lpm_exact(t, a, (uint32_t)p, &e);
		for (size_t i = 0; i < cnt; i++) {
			const struct v2_cand *c = e[i].val;

			if (!admit(c, arg))
				continue;
			if (!best) {
				best = c;
			} else if (c->obj != best->obj) {
				*tie = c;
				break;
			}
		}
		if (best)
			return best;
	}
	return NULL;
}

/* v2_lpm_best over an IPv6 table. */
static const struct v2_cand *v2_lpm6_best(const struct ik_lpm6 *t, const uint8_t a[16],
					  bool (*admit)(const struct v2_cand *, const void *),
					  const void *arg, const struct v2_cand **tie)
{
	struct ik_plen6 plens = ik_lpm6_plens(t);

	*tie = NULL;
	for (int p = 128; p >= 0; p--) {
		const struct v2_cand *best = NULL;
		const struct ik_lpm6_ent *e;
		size_t cnt;

		if (!ik_plen6_has(&plens, (unsigned)p))
			continue;
		cnt = ik_lpm6_exact(t, a, (uint32_t)p, &e);
		for (size_t i = 0; i < cnt; i++) {
			const struct v2_cand *c = e[i].val;

			if (!admit(c, arg))
				continue;
			if (!best) {
				best = c;
			} else if (c->obj != best->obj) {
				*tie = c;
				break;
			}
		}
		if (best)
			return best;
	}
	return NULL;
}

/* A profile decision: the winner, its specificity, and another profile that
 * matched as specifically (the first configured is kept). */
struct v2_pick {
	const struct ik_ikev2_profile *p, *tie;
	int spec;
};

/* How specifically m matches id (a prefix length, a domain's 40 + labels,
 * 100 for an exact name), or -1. */
static int v2_match_spec(const struct ik_ikev2_match *m, const struct ik_v2_id *id)
{
	const char *d;

	if (m->type != id->type)
		return -1;
	if (m->type == IK_ID_ADDRESS && id->v6)
		return m->v6 && ik_addr6_in(id->addr6, m->addr6, m->plen) ? m->plen : -1;
	if (m->type == IK_ID_ADDRESS)
		return !m->v6 && ik_addr_in(id->addr, m->addr, m->mask) ? m->plen : -1;
	if (!m->value || !id->value)
		return -1;
	if (!m->domain)
		return v2_value_eq(m->type, m->value, id->value, strlen(id->value)) ?
		       V2_SPEC_EXACT : -1;
	d = id->value;
	if (id->type == IK_ID_EMAIL) {
		d = strrchr(id->value, '@');
		if (!d)
			return -1;
		d++;
	}
	for (unsigned guard = 0; d && *d && guard < 128; guard++) {
		if (strcasecmp(d, m->value) == 0)
			return V2_SPEC_DOMAIN + (int)v2_labels(d, strlen(d));
		d = strchr(d, '.');
		if (d)
			d++;
	}
	return -1;
}

/* Reference decision by scanning every profile (a model without an index). */
static void v2_profile_scan(const struct ik_config *cfg, const char *fvrf, uint32_t local,
			    const struct ik_v2_id *id, struct v2_pick *pk)
{
	bool best_exact = false;

	pk->spec = -1;
	for (size_t i = 0; i < cfg->nv2_profiles; i++) {
		const struct ik_ikev2_profile *p = cfg->v2_profiles[i];
		bool ev = !(p->match_fvrf && strcmp(p->match_fvrf, "any") == 0);
		int s = -1;

		if (!v2_profile_admits(p, fvrf, local))
			continue;
		for (size_t j = 0; j < p->nmatches; j++) {
			int t = v2_match_spec(&p->matches[j], id);

			if (t > s)
				s = t;
		}
		if (s < 0)
			continue;
		if (s > pk->spec || (s == pk->spec && ev && !best_exact)) {
			pk->p = p;
			pk->spec = s;
			pk->tie = NULL;
			best_exact = ev;
		} else if (s == pk->spec && ev == best_exact && !pk->tie) {
			pk->tie = p;
		}
	}
}

static void v2_profile_index(const struct ik_v2_index *x, const char *fvrf, uint32_t local,
			     const struct ik_v2_id *id, struct v2_pick *pk)
{
	struct v2_best b = { 0 };
	struct v2_pargs args = { fvrf, local };

	if (id->type == IK_ID_ADDRESS) {
		for (size_t i = 0; i < x->nvrfs; i++) {
			const char *k = x->vrfs[i].fvrf;
			const struct v2_cand *c, *tie;

			if (!(k && strcmp(k, "any") == 0) && !v2_same_vrf(k, fvrf))
				continue;
			if (id->v6)
				c = v2_lpm6_best(x->vrfs[i].lpm6, id->addr6, v2_admit_profile,
						 &args, &tie);
			else
				c = v2_lpm_best(x->vrfs[i].lpm, id->addr, v2_admit_profile, &args,
						&tie);
			if (c)
				v2_offer(&b, c, (int)c->plen, v2_cand_exact_vrf(c));
			if (tie)
				v2_offer(&b, tie, (int)tie->plen, v2_cand_exact_vrf(tie));
		}
	} else {
		v2_names_probe(&x->pnames, id, v2_admit_profile, &args, v2_take_profile, &b);
	}
	pk->spec = b.c ? b.spec : -1;
	pk->p = b.c ? b.c->obj : NULL;
	pk->tie = b.tie ? b.tie->obj : NULL;
}

const struct ik_ikev2_profile *ik_v2_profile_select(const struct ik_config *cfg,
						    const char *fvrf, uint32_t local,
						    const struct ik_v2_id *id,
						    const struct ik_trace *tr)
{
	const struct ik_log *lg = tr ? tr->log : NULL;
	unsigned cid = tr ? tr->conn_id : 0;
	struct v2_pick pk = { 0 };
	char idb[IK_ESCAPED_LEN(256)];

	ik_dbg(lg, IK_DBG_IKEV2, "IKEv2:(SESSION ID = %u,SA ID = %u):Searching policy based on "
	       "peer's identity '%s' of type '%s'", cid, cid, ik_v2_id_fmt(id, idb, sizeof(idb)),
	       id->v6 ? "IPv6 address" : ik_v2_id_type_name(id->type));
	if (cfg->v2index)
		v2_profile_index(cfg->v2index, fvrf, local, id, &pk);
	else
		v2_profile_scan(cfg, fvrf, local, id, &pk);
	if (!pk.p) {
		ik_dbg(lg, IK_DBG_IKEV2, "IKEv2:(SESSION ID = %u,SA ID = %u):Failed to locate an "
		       "item in the database", cid, cid);
		ik_dbg(lg, IK_DBG_IKEV2, "ikerd: no IKEv2 profile matches identity '%s' of type "
		       "'%s'", idb, ik_v2_id_type_name(id->type));
		return NULL;
	}
	ik_dbg(lg, IK_DBG_IKEV2, "IKEv2:found matching IKEv2 profile '%s'", pk.p->name);
	if (pk.tie && pk.tie != pk.p)
		ik_dbg(lg, IK_DBG_IKEV2, "ikerd: IKEv2 profile %s matches as specifically; "
		       "keeping the first configured, %s", pk.tie->name, pk.p->name);
	return pk.p;
}

/* ---- keyring peer (IKE_AUTH) ---- */

static const struct v2_kr *v2_kr_find(const struct ik_v2_index *x,
				      const struct ik_ikev2_keyring *kr)
{
	/* keyrings are few and referenced by pointer: profiles hold their
	 * keyring, so this binary-free scan runs over keyrings, not peers */
	for (size_t i = 0; i < x->nkrs; i++)
		if (x->krs[i].kr == kr)
			return &x->krs[i];
	return NULL;
}

struct v2_kargs {
	const struct ik_ikev2_keyring *kr;
};

static bool v2_admit_kr(const struct v2_cand *c, const void *arg)
{
	const struct v2_kargs *a = arg;

	return c->kr == a->kr;
}

struct v2_kbest {
	const struct v2_cand *c;
	int spec;
};

static void v2_take_peer(void *acc, const struct v2_cand *c, int spec)
{
	struct v2_kbest *b = acc;

	if (!b->c || spec > b->spec || (spec == b->spec && c->rank < b->c->rank)) {
		b->c = c;
		b->spec = spec;
	}
}

/* The peer block of kr whose identity is id (exact, or the most specific
 * domain), first configured on ties. */
static const struct ik_ikev2_peer *v2_peer_by_id(const struct ik_config *cfg,
						 const struct ik_ikev2_keyring *kr,
						 const struct ik_v2_id *id)
{
	const struct ik_v2_index *x = cfg->v2index;
	struct v2_kargs args = { kr };
	struct v2_kbest b = { 0 };

	if (id->type == IK_ID_ADDRESS && id->v6)
		return NULL; /* identity address lines are IPv4: by address below */
	if (id->type == IK_ID_ADDRESS) {
		/* identity address A: stored as the dotted quad the parser wrote */
		char a[IK_ADDRSTRLEN];
		struct ik_v2_id t = { .type = IK_ID_ADDRESS,
				      .value = ik_addr_fmt(id->addr, a) };

		if (x) {
			uint32_t h = v2_hash(IK_ID_ADDRESS, false, t.value, strlen(t.value));

			for (size_t i = v2_names_first(&x->knames, h);
			     i < x->knames.n && x->knames.v[i].hash == h; i++) {
				const struct v2_cand *c = x->knames.v[i].c;

				if (c->kr == kr && c->type == IK_ID_ADDRESS &&
				    strcmp(c->value, t.value) == 0)
					v2_take_peer(&b, c, V2_SPEC_EXACT);
			}
			return b.c ? b.c->obj : NULL;
		}
		for (size_t i = 0; i < kr->npeers; i++)
			if (kr->peers[i].id_type == IK_ID_ADDRESS && kr->peers[i].id_value &&
			    strcmp(kr->peers[i].id_value, t.value) == 0)
				return &kr->peers[i];
		return NULL;
	}
	if (x) {
		v2_names_probe(&x->knames, id, v2_admit_kr, &args, v2_take_peer, &b);
		return b.c ? b.c->obj : NULL;
	}
	const struct ik_ikev2_peer *best = NULL;
	int best_spec = -1;

	for (size_t i = 0; i < kr->npeers; i++) {
		const struct ik_ikev2_peer *pb = &kr->peers[i];
		struct ik_ikev2_match m = { .type = pb->id_type, .value = pb->id_value,
					    .domain = pb->id_domain };
		int s;

		if (pb->id_type == IK_ID_NONE || pb->id_type == IK_ID_ADDRESS)
			continue;
		s = v2_match_spec(&m, id);
		if (s > best_spec) {
			best = pb;
			best_spec = s;
		}
	}
	return best;
}

/* The peer block of kr with the longest `address` prefix holding a. */
static const struct ik_ikev2_peer *v2_peer_by_addr(const struct ik_config *cfg,
						   const struct ik_ikev2_keyring *kr, uint32_t a)
{
	const struct ik_ikev2_peer *best = NULL;
	int best_plen = -1;

	if (cfg->v2index) {
		const struct v2_kr *k = v2_kr_find(cfg->v2index, kr);
		const struct v2_cand *c = k ? ik_lpm_lookup(k->lpm, a) : NULL;

		return c ? c->obj : NULL;
	}
	for (size_t i = 0; i < kr->npeers; i++) {
		const struct ik_ikev2_peer *pb = &kr->peers[i];

		if (pb->has_addr && !pb->v6 && ik_addr_in(a, pb->addr, pb->mask) &&
		    pb->plen > best_plen) {
			best = pb;
			best_plen = pb->plen;
		}
	}
	return best;
}

static const struct ik_ikev2_peer *v2_peer_by_hostname(const struct ik_ikev2_keyring *kr,
						       const char *h)
{
	/* initiator only, once per negotiation it starts */
	for (size_t i = 0; i < kr->npeers; i++)
		if (kr->peers[i].hostname && strcasecmp(kr->peers[i].hostname, h) == 0)
			return &kr->peers[i];
	return NULL;
}

/* The keys of peer block pb for profile p; -1 when a direction that
 * authenticates with pre-share has no key. */
static int v2_psk_fill(const struct ik_ikev2_profile *p, const struct ik_ikev2_peer *pb,
		       struct ik_v2_psk *out, const struct ik_log *lg, unsigned cid)
{
	out->keyring = p->keyring;
	out->peer = pb;
	out->local = pb->psk_local ? pb->psk_local : pb->psk;
	out->remote = pb->psk_remote ? pb->psk_remote : pb->psk;
	ik_dbg(lg, IK_DBG_IKEV2, "IKEv2:%% Matched peer block '%s'", pb->name);
	if (p->auth_local == IK_AUTH_PSK && !out->local) {
		ik_dbg(lg, IK_DBG_IKEV2, "IKEv2:(SESSION ID = %u,SA ID = %u):ikerd: peer block "
		       "'%s' of keyring %s has no local pre-shared key", cid, cid, pb->name,
		       p->keyring->name);
		return -1;
	}
	if (p->auth_remote == IK_AUTH_PSK && !out->remote) {
		ik_dbg(lg, IK_DBG_IKEV2, "IKEv2:(SESSION ID = %u,SA ID = %u):ikerd: peer block "
		       "'%s' of keyring %s has no remote pre-shared key", cid, cid, pb->name,
		       p->keyring->name);
		return -1;
	}
	return 0;
}

int ik_v2_key_responder(const struct ik_config *cfg, const struct ik_ikev2_profile *p,
			const struct ik_v2_id *id, uint32_t peer, struct ik_v2_psk *out,
			const struct ik_trace *tr)
{
	const struct ik_log *lg = tr ? tr->log : NULL;
	unsigned cid = tr ? tr->conn_id : 0;
	const struct ik_ikev2_peer *pb;
	char a[IK_ADDRSTRLEN];

	memset(out, 0, sizeof(*out));
	if (!p->keyring) {
		ik_dbg(lg, IK_DBG_IKEV2, "IKEv2:(SESSION ID = %u,SA ID = %u):ikerd: IKEv2 profile "
		       "%s has no keyring", cid, cid, p->name);
		return -1;
	}
	ik_dbg(lg, IK_DBG_IKEV2, "IKEv2:%% Getting preshared key from profile keyring %s",
	       p->keyring->name);
	pb = v2_peer_by_id(cfg, p->keyring, id);
	if (!pb)
		pb = v2_peer_by_addr(cfg, p->keyring, peer);
	if (!pb) {
		ik_dbg(lg, IK_DBG_IKEV2, "IKEv2:%% Failed to find a matching peer block in keyring "
		       "%s for %s", p->keyring->name, ik_addr_fmt(peer, a));
		return -1;
	}
	return v2_psk_fill(p, pb, out, lg, cid);
}

int ik_v2_key_initiator(const struct ik_config *cfg, const struct ik_ikev2_profile *p,
			uint32_t peer, const char *hostname, struct ik_v2_psk *out,
			const struct ik_trace *tr)
{
	const struct ik_log *lg = tr ? tr->log : NULL;
	unsigned cid = tr ? tr->conn_id : 0;
	const struct ik_ikev2_peer *pb = NULL;
	char a[IK_ADDRSTRLEN];

	memset(out, 0, sizeof(*out));
	if (!p->keyring) {
		ik_dbg(lg, IK_DBG_IKEV2, "IKEv2:(SESSION ID = %u,SA ID = %u):ikerd: IKEv2 profile "
		       "%s has no keyring", cid, cid, p->name);
		return -1;
	}
	ik_dbg(lg, IK_DBG_IKEV2, "IKEv2:%% Getting preshared key from profile keyring %s",
	       p->keyring->name);
	if (hostname)
		pb = v2_peer_by_hostname(p->keyring, hostname);
	if (!pb)
		pb = v2_peer_by_addr(cfg, p->keyring, peer);
	if (!pb) {
		ik_dbg(lg, IK_DBG_IKEV2, "IKEv2:%% Failed to find a matching peer block in keyring "
		       "%s for %s", p->keyring->name, ik_addr_fmt(peer, a));
		return -1;
	}
	return v2_psk_fill(p, pb, out, lg, cid);
}

/* ---- peers over IPv6 ---- */

/* The peer block of kr with the longest `address ipv6` prefix holding a. */
static const struct ik_ikev2_peer *v2_peer_by_addr6(const struct ik_config *cfg,
						    const struct ik_ikev2_keyring *kr,
						    const uint8_t a[16])
{
	const struct ik_ikev2_peer *best = NULL;

	if (cfg->v2index) {
		const struct v2_kr *k = v2_kr_find(cfg->v2index, kr);

		return k ? ik_lpm6_lookup(k->lpm6, a) : NULL;
	}
	for (size_t i = 0; i < kr->npeers; i++) {
		const struct ik_ikev2_peer *pb = &kr->peers[i];

		if (pb->has_addr && pb->v6 && ik_addr6_in(a, pb->addr6, pb->plen) &&
		    (!best || pb->plen > best->plen))
			best = pb;
	}
	return best;
}

static int v2_key_ip(const struct ik_config *cfg, const struct ik_ikev2_profile *p,
		     const struct ik_v2_id *id, const char *hostname, const struct ik_addr *peer,
		     struct ik_v2_psk *out, const struct ik_trace *tr)
{
	const struct ik_log *lg = tr ? tr->log : NULL;
	unsigned cid = tr ? tr->conn_id : 0;
	const struct ik_ikev2_peer *pb = NULL;
	char a[IK_ADDR_ANYSTRLEN];

	memset(out, 0, sizeof(*out));
	if (!p->keyring) {
		ik_dbg(lg, IK_DBG_IKEV2, "IKEv2:(SESSION ID = %u,SA ID = %u):ikerd: IKEv2 profile "
		       "%s has no keyring", cid, cid, p->name);
		return -1;
	}
	ik_dbg(lg, IK_DBG_IKEV2, "IKEv2:%% Getting preshared key from profile keyring %s",
	       p->keyring->name);
	if (id)
		pb = v2_peer_by_id(cfg, p->keyring, id);
	if (!pb && hostname)
		pb = v2_peer_by_hostname(p->keyring, hostname);
	if (!pb)
		pb = v2_peer_by_addr6(cfg, p->keyring, peer->v6);
	if (!pb) {
		ik_dbg(lg, IK_DBG_IKEV2, "IKEv2:%% Failed to find a matching peer block in "
		       "keyring %s for %s", p->keyring->name, ik_addr_fmt_ios(peer, a));
		return -1;
	}
	return v2_psk_fill(p, pb, out, lg, cid);
}

int ik_v2_key_responder_ip(const struct ik_config *cfg, const struct ik_ikev2_profile *p,
			   const struct ik_v2_id *id, const struct ik_addr *peer,
			   struct ik_v2_psk *out, const struct ik_trace *tr)
{
	if (peer->family != IK_AF_INET6)
		return ik_v2_key_responder(cfg, p, id, peer->v4, out, tr);
	return v2_key_ip(cfg, p, id, NULL, peer, out, tr);
}

int ik_v2_key_initiator_ip(const struct ik_config *cfg, const struct ik_ikev2_profile *p,
			   const struct ik_addr *peer, const char *hostname,
			   struct ik_v2_psk *out, const struct ik_trace *tr)
{
	if (peer->family != IK_AF_INET6)
		return ik_v2_key_initiator(cfg, p, peer->v4, hostname, out, tr);
	return v2_key_ip(cfg, p, NULL, hostname, peer, out, tr);
}
