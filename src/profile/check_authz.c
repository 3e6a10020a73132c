/* Rule AZ of the static checker: authorization lists (see check_authz.h).
 *
 * An identity reaches a profile through its `match identity` lines; a list
 * entry can apply to a peer of the profile only if the identity it names is
 * one that some match line accepts (an address inside the match's prefix, an
 * FQDN equal to the host or inside the domain, an e-mail equal to the
 * user-fqdn or inside the domain). `peer any` entries apply to every peer. A
 * DN entry may apply to any profile: a peer that presents a DN is selected by
 * a certificate map, which the match identity lines do not show; and a
 * profile without match identity lines (certificate maps only) is not judged
 * by its lines at all. */
#include "profile/check_authz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/addr.h"
#include "util/strbuf.h"
#include "util/util.h"

/* Duplicate identities reported one by one per list before a summary. */
#define AZ_MAX_DUPS 10

static char *az_strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *az_strf(const char *fmt, ...)
{
	struct ik_sb sb;
	va_list ap;
	char *s;

	ik_sb_init(&sb);
	va_start(ap, fmt);
	ik_sb_vprintf(&sb, fmt, ap);
	va_end(ap);
	s = ik_xstrdup(ik_sb_str(&sb));
	ik_sb_free(&sb);
	return s;
}

static void az_line(struct ik_check_item *it, int line, char *what)
{
	if (it->nlines == IK_CHECK_AZ_LINES) {
		free(what);
		return;
	}
	it->line[it->nlines] = line;
	it->what[it->nlines++] = what;
}

/* name equals domain, or ends with "." domain (case ignored). */
static bool in_domain(const char *name, const char *domain)
{
	size_t n = strlen(name), d = strlen(domain);

	if (n == d)
		return !strcasecmp(name, domain);
	return n > d && name[n - d - 1] == '.' && !strcasecmp(name + n - d, domain);
}

static bool v1_match_fits(const struct ik_identity_match *m, const struct ik_authlist_peer *e)
{
	switch (e->kind) {
	case IK_AUTHL_ANY:
		return true;
	case IK_AUTHL_ADDRESS:
		return m->kind == IK_MATCH_ADDRESS && e->addr.family == IK_AF_INET4 &&
		       ik_addr_in(e->addr.v4, m->addr, m->mask);
	case IK_AUTHL_FQDN:
		return (m->kind == IK_MATCH_HOST && !strcasecmp(e->value, m->name)) ||
		       (m->kind == IK_MATCH_HOST_DOMAIN && in_domain(e->value, m->name));
	case IK_AUTHL_EMAIL:
		return m->kind == IK_MATCH_USER_FQDN && !strcasecmp(e->value, m->name);
	case IK_AUTHL_DN:
		return true;
	}
	return false;
}

static bool v2_match_fits(const struct ik_ikev2_match *m, const struct ik_authlist_peer *e)
{
	const char *at;

	switch (e->kind) {
	case IK_AUTHL_ANY:
		return true;
	case IK_AUTHL_ADDRESS:
		return m->type == IK_ID_ADDRESS && e->addr.family == IK_AF_INET4 &&
		       ik_addr_in(e->addr.v4, m->addr, m->mask);
	case IK_AUTHL_FQDN:
		if (m->type != IK_ID_FQDN || !m->value)
			return false;
		return m->domain ? in_domain(e->value, m->value) : !strcasecmp(e->value, m->value);
	case IK_AUTHL_EMAIL:
		if (m->type != IK_ID_EMAIL || !m->value)
			return false;
		if (!m->domain)
			return !strcasecmp(e->value, m->value);
		at = strrchr(e->value, '@');
		return at && in_domain(at + 1, m->value);
	case IK_AUTHL_DN:
		return true;
	}
	return false;
}

/* A profile that uses a list, either version. */
struct az_user {
	const char *kind;       /* "isakmp", "ikev2" */
	const char *name;
	int line, authz_line;
	const struct ik_isakmp_profile *v1;
	const struct ik_ikev2_profile *v2;
};

static size_t az_nmatches(const struct az_user *u)
{
	return u->v1 ? u->v1->nmatches : u->v2->nmatches;
}

/* Whether entry e can apply to some peer of profile u. */
static bool az_fits(const struct az_user *u, const struct ik_authlist_peer *e)
{
	if (!az_nmatches(u))
		return true;
	for (size_t i = 0; i < az_nmatches(u); i++) {
		if (u->v1 && v1_match_fits(&u->v1->matches[i], e))
			return true;
		if (u->v2 && v2_match_fits(&u->v2->matches[i], e))
			return true;
	}
	return false;
}

static size_t az_users(const struct ik_config *cfg, const struct ik_authlist *l,
		       struct az_user **out)
{
	struct az_user *u = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < cfg->nprofiles; i++) {
		const struct ik_isakmp_profile *p = cfg->profiles[i];

		if (p->authz == l)
			*IK_VEC_PUSH(u, n, cap) = (struct az_user){ "isakmp", p->name, p->line,
								    p->authz_line, p, NULL };
	}
	for (size_t i = 0; i < cfg->nv2_profiles; i++) {
		const struct ik_ikev2_profile *p = cfg->v2_profiles[i];

		if (p->authz == l)
			*IK_VEC_PUSH(u, n, cap) = (struct az_user){ "ikev2", p->name, p->line,
								    p->authz_line, NULL, p };
	}
	*out = u;
	return n;
}

static void az_unused_list(const struct ik_authlist *l,
			   void (*emit)(void *ctx, struct ik_check_item *it), void *ctx)
{
	struct ik_check_item it = { .severity = "warning", .rule = "AZ" };

	az_line(&it, l->line, az_strf("crypto isakmp authorization list %s", l->name));
	it.message = az_strf("authorization list %s (%zu entr%s) is not used by any isakmp or "
			     "ikev2 profile: none of its entries is in force", l->name, l->npeers,
			     l->npeers == 1 ? "y" : "ies");
	it.direction = az_strf("no session fails; no peer is checked against the list");
	it.fix = az_strf("add `authorization list %s` to the profiles it is meant for, or "
			 "remove the list", l->name);
	emit(ctx, &it);
}

/* Every peer of profile u is refused: no entry can match its identities. */
static void az_never_pass(const struct ik_authlist *l, const struct az_user *u,
			  void (*emit)(void *ctx, struct ik_check_item *it), void *ctx)
{
	struct ik_check_item it = { .severity = "error", .rule = "AZ" };

	az_line(&it, u->authz_line, az_strf("crypto %s profile %s: authorization list %s",
					    u->kind, u->name, l->name));
	az_line(&it, l->line, az_strf("crypto isakmp authorization list %s", l->name));
	it.message = az_strf("every peer of %s profile %s is refused: none of the %zu entr%s "
			     "of authorization list %s names an identity that the profile's %zu "
			     "match identity line%s accept%s", u->kind, u->name, l->npeers,
			     l->npeers == 1 ? "y" : "ies", l->name, az_nmatches(u),
			     az_nmatches(u) == 1 ? "" : "s", az_nmatches(u) == 1 ? "s" : "");
	it.direction = az_strf("every session of profile %s fails after authentication, both "
			       "directions (Peer Not Validated against the AuthList)", u->name);
	it.fix = az_strf("add `peer IDENTITY key-hash sha256 HEX` lines for the peers of %s "
			 "(`ikerctl key-hash FILE` prints them from a peer's certificate), or "
			 "reference the list meant for this profile", u->name);
	emit(ctx, &it);
}

/* Entries of a used list that apply to no peer of any of its profiles. */
static void az_dead_entries(const struct ik_authlist *l, const struct az_user *u, size_t nu,
			    void (*emit)(void *ctx, struct ik_check_item *it), void *ctx)
{
	struct ik_check_item it = { .severity = "warning", .rule = "AZ" };
	char text[IK_CONF_MAX_LINE + 160];
	size_t dead = 0;

	bool *fits;

	for (size_t i = 0; i < nu; i++)
		if (!az_nmatches(&u[i]))
			return; /* certificate maps: any identity may arrive */
	fits = ik_xcalloc(l->npeers ? l->npeers : 1, sizeof(*fits));
	for (size_t k = 0; k < l->npeers; k++) {
		for (size_t i = 0; !fits[k] && i < nu; i++)
			fits[k] = az_fits(&u[i], &l->peers[k]);
		dead += !fits[k];
	}
	/* none fits: the profiles' errors (every peer refused) say it */
	if (!dead || dead == l->npeers) {
		free(fits);
		return;
	}
	az_line(&it, l->line, az_strf("crypto isakmp authorization list %s", l->name));
	for (size_t k = 0; k < l->npeers; k++)
		if (!fits[k])
			az_line(&it, l->peers[k].line, az_strf("%s", ik_authlist_peer_text(
					&l->peers[k], text, sizeof(text))));
	free(fits);
	it.message = az_strf("%zu entr%s of authorization list %s name%s an identity that no "
			     "profile using the list accepts (%s profile %s%s): never used",
			     dead, dead == 1 ? "y" : "ies", l->name, dead == 1 ? "s" : "",
			     u[0].kind, u[0].name, nu > 1 ? " and others" : "");
	it.direction = az_strf("no session fails; the entr%s never appl%s",
			       dead == 1 ? "y" : "ies", dead == 1 ? "ies" : "y");
	it.fix = az_strf("correct the identity of the entr%s, add a match identity line for "
			 "it, or remove %s", dead == 1 ? "y" : "ies", dead == 1 ? "it" : "them");
	emit(ctx, &it);
}

static int az_id_cmp(const struct ik_authlist_peer *a, const struct ik_authlist_peer *b)
{
	uint8_t ka[IK_ADDR_KEYLEN], kb[IK_ADDR_KEYLEN];
	size_t la, lb;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	switch (a->kind) {
	case IK_AUTHL_ANY:
		return 0;
	case IK_AUTHL_ADDRESS:
		la = ik_addr_key(&a->addr, ka);
		lb = ik_addr_key(&b->addr, kb);
		if (la != lb)
			return la < lb ? -1 : 1;
		return memcmp(ka, kb, la);
	default:
		return strcasecmp(a->value, b->value);
	}
}

static int az_ptr_cmp(const void *x, const void *y)
{
	const struct ik_authlist_peer *a = *(const struct ik_authlist_peer *const *)x;
	const struct ik_authlist_peer *b = *(const struct ik_authlist_peer *const *)y;
	int r = az_id_cmp(a, b);

	if (r)
		return r;
	return a->line < b->line ? -1 : a->line > b->line;
}

static bool az_same_key(const struct ik_authlist_peer *a, const struct ik_authlist_peer *b)
{
	return a->alg == b->alg && !memcmp(a->hash, b->hash, a->alg == IK_AUTHL_SHA1 ? 20 : 32);
}

/* Identities listed more than once with different keys. */
static void az_dups(const struct ik_authlist *l,
		    void (*emit)(void *ctx, struct ik_check_item *it), void *ctx)
{
	const struct ik_authlist_peer **v;
	char text[IK_CONF_MAX_LINE + 160];
	size_t reported = 0, more = 0;

	if (l->npeers < 2)
		return;
	v = ik_xcalloc(l->npeers, sizeof(*v));
	for (size_t k = 0; k < l->npeers; k++)
		v[k] = &l->peers[k];
	qsort(v, l->npeers, sizeof(*v), az_ptr_cmp);
	for (size_t a = 0, b; a < l->npeers; a = b) {
		struct ik_check_item it = { .severity = "warning", .rule = "AZ" };
		size_t keys = 1;

		for (b = a + 1; b < l->npeers && !az_id_cmp(v[a], v[b]); b++) {
			bool seen = false;

			for (size_t k = a; !seen && k < b; k++)
				seen = az_same_key(v[k], v[b]);
			keys += !seen;
		}
		if (keys < 2)
			continue;
		if (reported == AZ_MAX_DUPS) {
			more++;
			continue;
		}
		reported++;
		for (size_t k = a; k < b; k++) {
			ik_authlist_peer_text(v[k], text, sizeof(text));
			az_line(&it, v[k]->line, az_strf("%s", text));
		}
		ik_authlist_peer_text(v[a], text, sizeof(text));
		*strstr(text, " key-hash ") = '\0';
		it.message = az_strf("authorization list %s lists %s with %zu different keys: "
				     "each of them is accepted", l->name, text + 5, keys);
		it.direction = az_strf("no session fails; a peer may present any of the keys "
				       "(intended only while a key is replaced)");
		it.fix = az_strf("keep only the entry of the key the peer holds now");
		emit(ctx, &it);
	}
	if (more) {
		struct ik_check_item it = { .severity = "warning", .rule = "AZ" };

		az_line(&it, l->line, az_strf("crypto isakmp authorization list %s", l->name));
		it.message = az_strf("authorization list %s: %zu more identities are listed with "
				     "different keys", l->name, more);
		it.direction = az_strf("no session fails");
		it.fix = az_strf("keep one entry per identity");
		emit(ctx, &it);
	}
	free(v);
}

void ik_check_authz(const struct ik_config *cfg,
		    void (*emit)(void *ctx, struct ik_check_item *it), void *ctx)
{
	for (size_t i = 0; i < cfg->nauthlists; i++) {
		const struct ik_authlist *l = cfg->authlists[i];
		struct az_user *u;
		size_t nu = az_users(cfg, l, &u);

		if (!nu)
			az_unused_list(l, emit, ctx);
		for (size_t k = 0; k < nu; k++) {
			bool any = false;

			for (size_t e = 0; !any && e < l->npeers; e++)
				any = az_fits(&u[k], &l->peers[e]);
			if (!any)
				az_never_pass(l, &u[k], emit, ctx);
		}
		if (nu)
			az_dead_entries(l, u, nu, emit, ctx);
		az_dups(l, emit, ctx);
		free(u);
	}
}
