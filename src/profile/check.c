/* L1: the static checker, and L2: the explainer (spec/selection-rules.md).
 *
 * The checker predicts, from the configuration alone, the responder-side
 * failures of the K and P rules. It runs the same resolver and profile
 * matcher as a live exchange on representative peers: for every `match
 * identity address`, the match itself when it is a host, else its network
 * and every key address inside it (at most CK_MAX_PROBES of them). Host and
 * user-fqdn matches name no address, so no peer is probed for them.
 *
 * Findings (in this order): K3.6 the same address and mask in two keyrings of
 * one fVRF that one MM3 search sees together; K4 a default-keyring key
 * shadowing keyring keys; P2 a profile whose peers get, at MM3, a key from a
 * keyring the profile does not list; K3 a profile's host peer without any
 * key; K5 a peer for which this router initiates with one key text and
 * answers with another; P1-tie two profiles matching the same identity
 * equally; P4 a tunnel whose IPsec profile names an ISAKMP profile that its
 * destination never selects as responder; K1 a tunnel whose initiator key
 * lookup (the profile's keyrings, or K2 without one) finds no key for its
 * destination (IKEv1 tunnels only); then what cannot work with this engine
 * or host (V2, auth, AM, tunnel, local-address); then Aggressive Mode with
 * pre-shared keys (AM) and IKEv2 tunnels (V2-1, V2-2).
 *
 * Local addresses: the probes run at each local address the file binds a
 * keyring or a profile to (and at each tunnel source then), or once for
 * "any address" when nothing is bound.
 *
 * Source and identity: a peer's source address (a tunnel destination, a
 * key's address) and the identity it presents (a match identity) are
 * separate inputs. A peer whose own address matches no profile but whose
 * tunnel or key belongs to a profile must present another identity (a name,
 * or a private address behind NAT): its MM3 key is checked against that
 * profile (P2, K5), and what depends on the identity it presents is a note,
 * not a predicted failure.
 */
#include "profile/check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "keyring/lpm.h"
#include "pki/peerauth.h"
#include "pki/pki.h"
#include "profile/snapshot.h"
#include "keyring/resolver.h"
#include "profile/check_authz.h"
#include "keyring/lpm6.h"
#include "keyring/resolver.h"
#include "profile/check_cmap.h"
#include "profile/v2_select.h"
#include "util/addr.h"
#include "util/util.h"

/* Peers listed in one finding before "and N more". */
#define CK_MAX_PEERS 8
/* Configuration lines listed in one finding before "and N more". */
#define CK_MAX_LINES 16
/* Key addresses probed inside one match identity of a profile. */
#define CK_MAX_PROBES 4096

struct ck_line {
	int line;
	char *what;
	const char *file;       /* NULL: the file checked; else the peer's */
};

struct ck_finding {
	const char *severity;
	const char *rule;
	char *message;
	struct ck_line *lines;
	size_t nlines;
	size_t more_lines;
	char *peers[CK_MAX_PEERS];
	size_t npeers;
	size_t more_peers;
	char *direction;
	char *fix;
};

struct ck {
	const struct ik_config *cfg;
	const struct ik_resolver *r;
	const struct ik_check_env *env;
	struct ck_finding *f;
	size_t n, cap;
	/* The local addresses exchanges are checked at: {0} when no keyring or
	 * profile has local-address; else every address the file binds a
	 * keyring or a profile to, and every tunnel source. */
	uint32_t locals[64];
	size_t nlocals;
};

static char *ck_strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *ck_strf(const char *fmt, ...)
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

static struct ck_finding *ck_new(struct ck *c, const char *sev, const char *rule)
{
	struct ck_finding *f = IK_VEC_PUSH(c->f, c->n, c->cap);

	f->severity = sev;
	f->rule = rule;
	return f;
}

static void ck_add_line_in(struct ck_finding *f, const char *file, int line, char *what)
{
	if (f->nlines == CK_MAX_LINES) {
		f->more_lines++;
		free(what);
		return;
	}
	for (size_t i = 0; i < f->nlines; i++)
		if (f->lines[i].line == line && f->lines[i].file == file &&
		    !strcmp(f->lines[i].what, what)) {
			free(what);
			return;
		}
	f->lines = ik_xrealloc(f->lines, (f->nlines + 1) * sizeof(*f->lines));
	f->lines[f->nlines].line = line;
	f->lines[f->nlines].what = what;
	f->lines[f->nlines].file = file;
	f->nlines++;
}

static void ck_add_line(struct ck_finding *f, int line, char *what)
{
	ck_add_line_in(f, NULL, line, what);
}

static void ck_add_peer(struct ck_finding *f, char *peer)
{
	for (size_t i = 0; i < f->npeers; i++)
		if (!strcmp(f->peers[i], peer)) {
			free(peer);
			return;
		}
	if (f->npeers < CK_MAX_PEERS)
		f->peers[f->npeers++] = peer;
	else {
		f->more_peers++;
		free(peer);
	}
}

static void ck_free(struct ck *c)
{
	for (size_t i = 0; i < c->n; i++) {
		struct ck_finding *f = &c->f[i];

		free(f->message);
		for (size_t j = 0; j < f->nlines; j++)
			free(f->lines[j].what);
		free(f->lines);
		for (size_t j = 0; j < f->npeers; j++)
			free(f->peers[j]);
		free(f->direction);
		free(f->fix);
	}
	free(c->f);
}

static bool ck_same_vrf(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static const char *ck_vrf_name(const char *v)
{
	return v ? v : "global";
}

/* "192.168.0.2" for a host, "192.168.0.0/24" for a prefix */
static char *ck_prefix(uint32_t addr, int plen)
{
	char a[IK_ADDRSTRLEN];

	ik_addr_fmt(addr, a);
	return plen == 32 ? ik_xstrdup(a) : ck_strf("%s/%d", a, plen);
}

/* "2001:DB8::2" for a host, "2001:DB8::/32" for a prefix */
static char *ck_prefix6(const uint8_t a6[16], int plen)
{
	char a[IK_ADDR_ANYSTRLEN];

	ik_addr6_fmt_ios(a6, a);
	return plen == 128 ? ik_xstrdup(a) : ck_strf("%s/%d", a, plen);
}

static char *ck_key_what(const struct ik_key *k)
{
	char a[IK_ADDRSTRLEN], m[IK_ADDRSTRLEN], p[IK_PREFIX6STRLEN];

	if (k->v6) {
		ik_prefix6_fmt_ios(k->addr6, ik_key_plen(k), p);
		if (k->ring->is_default)
			return ck_strf("crypto isakmp key ... address ipv6 %s (default keyring)",
				       p);
		return ck_strf("keyring %s: pre-shared-key address ipv6 %s", k->ring->name, p);
	}

	ik_addr_fmt(k->addr, a);
	ik_addr_fmt(ik_key_mask(k), m);
	if (k->ring->is_default)
		return ck_strf("crypto isakmp key ... address %s %s (default keyring)", a, m);
	return ck_strf("keyring %s: pre-shared-key address %s %s", k->ring->name, a, m);
}

static char *ck_match_what(const struct ik_isakmp_profile *p, const struct ik_identity_match *m)
{
	char a[IK_ADDRSTRLEN], mk[IK_ADDRSTRLEN], pb[IK_PREFIX6STRLEN];

	if (m->kind == IK_MATCH_ADDRESS && m->v6)
		return ck_strf("profile %s: match identity address ipv6 %s%s%s", p->name,
			       ik_prefix6_fmt_ios(m->addr6, m->plen, pb), m->vrf ? " " : "",
			       m->vrf ? m->vrf : "");
	if (m->kind != IK_MATCH_ADDRESS)
		return ck_strf("profile %s: match identity %s %s", p->name,
			       m->kind == IK_MATCH_HOST ? "host"
			       : m->kind == IK_MATCH_HOST_DOMAIN ? "host domain" : "user-fqdn",
			       m->name);
	ik_addr_fmt(m->addr, a);
	ik_addr_fmt(m->mask, mk);
	return ck_strf("profile %s: match identity address %s %s%s%s", p->name, a, mk,
		       m->vrf ? " " : "", m->vrf ? m->vrf : "");
}

/* "profile1 and profile2", the profiles that list one of the keyrings */
static char *ck_profiles_listing(const struct ik_config *cfg, const struct ik_keyring **rings,
				 size_t nrings)
{
	struct ik_sb sb;
	size_t n = 0, total = 0;
	char *s;

	for (int pass = 0; pass < 2; pass++) {
		if (pass)
			ik_sb_init(&sb);
		n = 0;
		for (size_t i = 0; i < cfg->nprofiles; i++) {
			const struct ik_isakmp_profile *p = cfg->profiles[i];
			bool lists = false;

			for (size_t j = 0; j < p->nkeyrings && !lists; j++)
				for (size_t k = 0; k < nrings && !lists; k++)
					lists = p->keyrings[j] == rings[k];
			if (!lists)
				continue;
			if (pass) {
				if (n)
					ik_sb_add(&sb, n + 1 == total ? " and " : ", ");
				ik_sb_add(&sb, p->name);
			}
			n++;
		}
		total = n;
	}
	s = total ? ik_xstrdup(ik_sb_str(&sb)) : NULL;
	ik_sb_free(&sb);
	return s;
}

static struct ik_peer_id ck_ipv4(uint32_t a)
{
	struct ik_peer_id id = { .type = IK_PEER_ID_IPV4, .addr = a };

	return id;
}

/* A keyring or profile bound by local-address; addr 0 when the interface it
 * names has no address in the file (then it is never used). */
static bool ck_ring_bound(const struct ik_keyring *kr)
{
	return !kr->is_default && (kr->local_address_if || kr->local_address || kr->local_v6);
}

static bool ck_prof_bound(const struct ik_isakmp_profile *p)
{
	return p->local_address_if || p->local_address || p->local_v6;
}

/* Whether a profile takes part in exchanges on local address l. */
static bool ck_prof_at(const struct ik_isakmp_profile *p, uint32_t l)
{
	return !ck_prof_bound(p) || (p->local_address && p->local_address == l);
}

/* " on local address A" (empty for 0) in a static buffer per call site */
static const char *ck_at(uint32_t l, char *buf, size_t len)
{
	char a[IK_ADDRSTRLEN];

	if (!l)
		buf[0] = '\0';
	else
		snprintf(buf, len, " on local address %s", ik_addr_fmt(l, a));
	return buf;
}

/* ck_at for an address of either family (IPv6 as IOS prints it) */
static const char *ck_at_ip(const struct ik_addr *l, char *buf, size_t len)
{
	char a[IK_ADDR_ANYSTRLEN];

	if (l->family != IK_AF_INET6)
		return ck_at(l->v4, buf, len);
	if (ik_addr_is_any(l))
		buf[0] = '\0';
	else
		snprintf(buf, len, " on local address %s", ik_addr_fmt_ios(l, a));
	return buf;
}

/* A peer identity that is the address a (ID_IPV4_ADDR or ID_IPV6_ADDR). */
static struct ik_peer_id ck_id_of(const struct ik_addr *a)
{
	struct ik_peer_id id = { .type = IK_PEER_ID_IPV4, .addr = a->v4 };

	if (a->family == IK_AF_INET6) {
		id.type = IK_PEER_ID_IPV6;
		id.addr = 0;
		memcpy(id.addr6, a->v6, 16);
	}
	return id;
}

static void ck_add_local(struct ck *c, uint32_t l)
{
	if (!l)
		return;
	for (size_t i = 0; i < c->nlocals; i++)
		if (c->locals[i] == l)
			return;
	if (c->nlocals < IK_ARRAY_LEN(c->locals))
		c->locals[c->nlocals++] = l;
}

/* The address a tunnel's exchanges leave from, 0 when not known. */
static uint32_t ck_tunnel_local(const struct ck *c, const struct ik_interface *t)
{
	uint32_t a = 0;

	if (t->tunnel_source_resolved)
		return t->tunnel_source;
	if (t->tunnel_source_if && c->env && c->env->ifaddr &&
	    c->env->ifaddr(c->env->ctx, t->tunnel_source_if, &a) == 0)
		return a;
	return 0;
}

static void ck_locals(struct ck *c)
{
	const struct ik_config *cfg = c->cfg;
	bool used = false;

	c->nlocals = 0;
	for (size_t i = 0; i < cfg->nkeyrings; i++)
		if (ck_ring_bound(cfg->keyrings[i])) {
			used = true;
			ck_add_local(c, cfg->keyrings[i]->local_address);
		}
	for (size_t i = 0; i < cfg->nprofiles; i++)
		if (ck_prof_bound(cfg->profiles[i])) {
			used = true;
			ck_add_local(c, cfg->profiles[i]->local_address);
		}
	if (!used) {
		c->locals[0] = 0;
		c->nlocals = 1;
		return;
	}
	for (size_t i = 0; i < cfg->nifaces; i++)
		if (cfg->ifaces[i]->is_tunnel && cfg->ifaces[i]->protection)
			ck_add_local(c, ck_tunnel_local(c, cfg->ifaces[i]));
	if (!c->nlocals)
		c->locals[c->nlocals++] = 0;
}

/* Two keys of one fVRF that a single MM3 search sees together: neither
 * keyring bound to a local address, or bound to the same one, or one of
 * them unbound (then both are searched on the other's address). */
static bool ck_rings_meet(const struct ik_keyring *a, const struct ik_keyring *b)
{
	if ((ck_ring_bound(a) && !a->local_address) || (ck_ring_bound(b) && !b->local_address))
		return false;
	return !ck_ring_bound(a) || !ck_ring_bound(b) || a->local_address == b->local_address;
}

/* Two profiles that one MM5 decision considers together (as ck_rings_meet). */
static bool ck_profs_meet(const struct ik_isakmp_profile *a, const struct ik_isakmp_profile *b)
{
	if ((ck_prof_bound(a) && !a->local_address) || (ck_prof_bound(b) && !b->local_address))
		return false;
	return !ck_prof_bound(a) || !ck_prof_bound(b) || a->local_address == b->local_address;
}

/* ---- K3.6: the same address and mask in two keyrings of one fVRF ---- */

static int ck_key_cmp(const void *a, const void *b)
{
	const struct ik_key *x = *(const struct ik_key *const *)a;
	const struct ik_key *y = *(const struct ik_key *const *)b;
	int v;

	if (x->ring->is_default != y->ring->is_default)
		return x->ring->is_default ? -1 : 1;
	if (!x->ring->vrf != !y->ring->vrf)
		return !x->ring->vrf ? -1 : 1;
	if (x->ring->vrf && (v = strcmp(x->ring->vrf, y->ring->vrf)))
		return v;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (ik_key_plen(x) != ik_key_plen(y))
		return ik_key_plen(x) < ik_key_plen(y) ? -1 : 1;
	if (x->ring->order != y->ring->order)
		return x->ring->order < y->ring->order ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void ck_tie_direction(struct ck *c, struct ck_finding *f, const struct ik_key *first,
			     const struct ik_key *other, uint32_t local)
{
	char ps[IK_ADDRSTRLEN];

	if (ik_key_plen(first) != 32) {
		f->direction = ck_strf("when peers in %s initiate, this router always uses "
				       "keyring %s's key (first configured); keyring %s's copy is "
				       "never used as responder",
				       f->peers[0], first->ring->name, other->ring->name);
		return;
	}
	ik_addr_fmt(first->addr, ps);
	struct ik_peer_id id = ck_ipv4(first->addr);
	const struct ik_isakmp_profile *p =
		ik_profile_match_responder(c->cfg, first->ring->vrf, local, &id, NULL);
	const struct ik_key *k = ik_resolve_responder(c->r, first->ring->vrf, local, first->addr,
						      NULL);

	if (p && k && !ik_profile_check_keyring(p, k, NULL))
		f->direction = ck_strf("sessions initiated by %s toward this router fail at MM5 "
				       "(it selects profile %s, which does not list keyring %s; "
				       "see the P2 finding); sessions this router initiates are "
				       "not affected", ps, p->name, k->ring->name);
	else if (p)
		f->direction = ck_strf("no session fails today: %s selects profile %s, which "
				       "lists keyring %s; keyring %s's copy is never used when %s "
				       "initiates, and reordering the keyrings would break "
				       "sessions initiated by %s", ps, p->name,
				       k ? k->ring->name : "?",
				       other->ring->name, ps, ps);
	else
		f->direction = ck_strf("no session fails from the tie itself: %s matches no "
				       "profile; keyring %s's copy is never used when %s "
				       "initiates", ps, other->ring->name, ps);
}

static void ck_k36(struct ck *c, const struct ik_key **keys, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		bool multi = false;

		while (j < n && keys[j]->addr == keys[i]->addr &&
		       ik_key_plen(keys[j]) == ik_key_plen(keys[i]) &&
		       keys[j]->ring->is_default == keys[i]->ring->is_default &&
		       ck_same_vrf(keys[j]->ring->vrf, keys[i]->ring->vrf)) {
			if (keys[j]->ring != keys[i]->ring)
				multi = true;
			j++;
		}
		const struct ik_key *first = NULL, *other = NULL;

		/* the first pair of keyrings that one MM3 search sees together */
		for (size_t a = i; a < j && multi && !other; a++)
			for (size_t b = a + 1; b < j && !other; b++)
				if (keys[b]->ring != keys[a]->ring &&
				    ck_rings_meet(keys[a]->ring, keys[b]->ring)) {
					first = keys[a];
					other = keys[b];
				}
		if (!other || keys[i]->ring->is_default) {
			i = j;
			continue;
		}
		struct ck_finding *f = ck_new(c, "warning", "K3.6");
		const struct ik_keyring *rings[64];
		size_t nr = 0;
		char a[IK_ADDRSTRLEN], m[IK_ADDRSTRLEN], at[64];
		uint32_t local = ck_ring_bound(first->ring) ? first->ring->local_address
							    : ck_ring_bound(other->ring)
							      ? other->ring->local_address : 0;

		for (size_t k = i; k < j; k++) {
			if (keys[k] != first && keys[k] != other &&
			    !(ck_rings_meet(keys[k]->ring, first->ring) &&
			      ck_rings_meet(keys[k]->ring, other->ring)))
				continue;
			ck_add_line(f, keys[k]->line, ck_key_what(keys[k]));
			if (nr < IK_ARRAY_LEN(rings))
				rings[nr++] = keys[k]->ring;
		}
		ck_add_peer(f, ck_prefix(first->addr, ik_key_plen(first)));
		f->message = ck_strf("%s,%s is configured in keyring %s and in keyring %s (fVRF "
				     "%s%s): as responder this router always picks the first, "
				     "keyring %s (K3.6; IOS calls two keys for one address "
				     "unpredictable)",
				     ik_addr_fmt(first->addr, a),
				     ik_addr_fmt(ik_key_mask(first), m),
				     first->ring->name, other->ring->name,
				     ck_vrf_name(first->ring->vrf), ck_at(local, at, sizeof(at)),
				     first->ring->name);
		ck_tie_direction(c, f, first, other, local);
		char *profs = ck_profiles_listing(c->cfg, rings, nr);
		f->fix = profs ? ck_strf("put the key for %s in a single keyring shared by %s "
					 "(list that keyring in each of them) and remove the "
					 "other copies", f->peers[0], profs)
			       : ck_strf("remove the duplicate key for %s from keyring %s (line "
					 "%d)", f->peers[0], other->ring->name, other->line);
		free(profs);
		i = j;
	}
}

/* ---- K4: the default keyring shadows keyring keys ---- */

static void ck_k4(struct ck *c, const struct ik_key **keys, size_t n)
{
	const struct ik_keyring *d = c->cfg->nkeyrings ? c->cfg->keyrings[0] : NULL;
	struct ik_lpm_ent *ents;
	struct ik_lpm *t;
	size_t nd = 0;

	if (!d || !d->is_default || !d->nkeys)
		return;
	ents = ik_xcalloc(d->nkeys, sizeof(*ents));
	for (size_t i = 0; i < d->nkeys; i++) {
		const struct ik_key *k = d->keys[i];

		if (k->kind != IK_KEY_ADDRESS)
			continue;
		ents[nd].addr = k->addr;
		ents[nd].plen = (uint32_t)ik_key_plen(k);
		ents[nd].rank = (uint32_t)i; /* configuration order, and the index */
		ents[nd].val = k;
		nd++;
	}
	t = ik_lpm_build(ents, nd);
	free(ents);
	if (!t)
		return;
	/* one finding per shadowing default key: byd[i] = index + 1 into c->f */
	size_t *byd = ik_xcalloc(d->nkeys, sizeof(*byd));
	uint64_t plens = ik_lpm_plens(t);

	for (size_t i = 0; i < n; i++) {
		const struct ik_key *k = keys[i], *dk = NULL;
		struct ck_finding *f;
		char a[IK_ADDRSTRLEN], m[IK_ADDRSTRLEN];
		size_t di = 0;

		if (k->ring->is_default || k->ring->vrf)
			continue;
		/* the default key IOS takes for the whole of k's prefix: the
		 * longest default prefix that contains it */
		for (int p = ik_key_plen(k); p >= 0 && !dk; p--) {
			const struct ik_lpm_ent *e;

			if ((plens & ((uint64_t)1 << p)) &&
			    ik_lpm_exact(t, k->addr, (uint32_t)p, &e)) {
				dk = e->val;
				di = e->rank;
			}
		}
		if (!dk)
			continue;
		if (!byd[di]) {
			f = ck_new(c, "warning", "K4");
			byd[di] = c->n;
			f->message = ck_strf("the global key for %s,%s (crypto isakmp key, "
					     "default keyring) is searched first for peers of the "
					     "global VRF and shadows more specific keyring keys "
					     "(K3.3, K4)", ik_addr_fmt(dk->addr, a),
					     ik_addr_fmt(ik_key_mask(dk), m));
			ck_add_line(f, dk->line, ck_key_what(dk));
			f->fix = ck_strf("remove the crypto isakmp key line (line %d) and put "
					 "that key in a keyring, or use only keyrings; never mix "
					 "the default keyring with keyrings for the same peers",
					 dk->line);
		}
		f = &c->f[byd[di] - 1];
		ck_add_line(f, k->line, ck_key_what(k));
		ck_add_peer(f, ck_prefix(k->addr, ik_key_plen(k)));
	}
	for (size_t i = 0; i < d->nkeys; i++) {
		struct ck_finding *f;
		struct ik_sb sb;

		if (!byd[i])
			continue;
		f = &c->f[byd[i] - 1];
		ik_sb_init(&sb);
		for (size_t j = 0; j < f->npeers; j++)
			ik_sb_printf(&sb, "%s%s", j ? ", " : "", f->peers[j]);
		if (f->more_peers)
			ik_sb_printf(&sb, " and %zu more", f->more_peers);
		f->direction = ck_strf("sessions initiated toward this router by %s use the "
				       "global key, not the keyring key: they fail at MM5 unless "
				       "the peer has the same key text and its profile accepts "
				       "the default keyring (P2); sessions this router initiates "
				       "with a profile use that profile's keyring (K1)",
				       ik_sb_str(&sb));
		ik_sb_free(&sb);
	}
	free(byd);
	ik_lpm_free(t);
}

/* ---- K3.6 and K4 over the IPv6 keys ---- */

/* Two keyrings that one IPv6 MM3 search sees together. */
static bool ck_rings_meet6(const struct ik_keyring *a, const struct ik_keyring *b)
{
	if ((ck_ring_bound(a) && !a->local_v6) || (ck_ring_bound(b) && !b->local_v6))
		return false;
	return !ck_ring_bound(a) || !ck_ring_bound(b) ||
	       !memcmp(a->local_address6, b->local_address6, 16);
}

static int ck_key6_cmp(const void *a, const void *b)
{
	const struct ik_key *x = *(const struct ik_key *const *)a;
	const struct ik_key *y = *(const struct ik_key *const *)b;
	int v;

	if (x->ring->is_default != y->ring->is_default)
		return x->ring->is_default ? -1 : 1;
	if (!x->ring->vrf != !y->ring->vrf)
		return !x->ring->vrf ? -1 : 1;
	if (x->ring->vrf && (v = strcmp(x->ring->vrf, y->ring->vrf)))
		return v;
	if ((v = memcmp(x->addr6, y->addr6, 16)))
		return v;
	if (ik_key_plen(x) != ik_key_plen(y))
		return ik_key_plen(x) < ik_key_plen(y) ? -1 : 1;
	if (x->ring->order != y->ring->order)
		return x->ring->order < y->ring->order ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void ck_k36_v6(struct ck *c, const struct ik_key **keys, size_t n)
{
	for (size_t i = 0; i < n;) {
		const struct ik_key *first = NULL, *other = NULL;
		size_t j = i + 1;

		while (j < n && !memcmp(keys[j]->addr6, keys[i]->addr6, 16) &&
		       ik_key_plen(keys[j]) == ik_key_plen(keys[i]) &&
		       keys[j]->ring->is_default == keys[i]->ring->is_default &&
		       ck_same_vrf(keys[j]->ring->vrf, keys[i]->ring->vrf))
			j++;
		for (size_t a = i; a < j && !other; a++)
			for (size_t b = a + 1; b < j && !other; b++)
				if (keys[b]->ring != keys[a]->ring &&
				    ck_rings_meet6(keys[a]->ring, keys[b]->ring)) {
					first = keys[a];
					other = keys[b];
				}
		if (!other || keys[i]->ring->is_default) {
			i = j;
			continue;
		}
		struct ck_finding *f = ck_new(c, "warning", "K3.6");
		char pb[IK_PREFIX6STRLEN];

		for (size_t k = i; k < j; k++)
			if (keys[k] == first || keys[k] == other ||
			    (ck_rings_meet6(keys[k]->ring, first->ring) &&
			     ck_rings_meet6(keys[k]->ring, other->ring)))
				ck_add_line(f, keys[k]->line, ck_key_what(keys[k]));
		ck_add_peer(f, ck_prefix6(first->addr6, ik_key_plen(first)));
		f->message = ck_strf("%s is configured in keyring %s and in keyring %s (fVRF %s): "
				     "as responder this router always picks the first, keyring %s "
				     "(K3.6; IOS calls two keys for one address unpredictable)",
				     ik_prefix6_fmt_ios(first->addr6, ik_key_plen(first), pb),
				     first->ring->name, other->ring->name,
				     ck_vrf_name(first->ring->vrf), first->ring->name);
		f->direction = ck_strf("when %s initiates, this router always uses keyring %s's "
				       "key; keyring %s's copy is never used as responder, and a "
				       "profile that lists only keyring %s fails at MM5 (P2)",
				       f->peers[0], first->ring->name, other->ring->name,
				       other->ring->name);
		f->fix = ck_strf("keep the key for %s in one keyring and list that keyring in "
				 "every profile that needs it; remove the copy in keyring %s "
				 "(line %d)", f->peers[0], other->ring->name, other->line);
		i = j;
	}
}

static void ck_k4_v6(struct ck *c, const struct ik_key **keys, size_t n)
{
	const struct ik_keyring *d = c->cfg->keyrings[0];
	struct ik_lpm6_ent *ents;
	struct ik_lpm6 *t;
	size_t nd = 0, *byd;

	if (!d->is_default || !d->nkeys)
		return;
	ents = ik_xcalloc(d->nkeys, sizeof(*ents));
	for (size_t i = 0; i < d->nkeys; i++) {
		const struct ik_key *k = d->keys[i];

		if (k->kind != IK_KEY_ADDRESS || !k->v6)
			continue;
		memcpy(ents[nd].addr, k->addr6, 16);
		ents[nd].plen = (uint32_t)ik_key_plen(k);
		ents[nd].rank = (uint32_t)i;
		ents[nd].val = k;
		nd++;
	}
	t = nd ? ik_lpm6_build(ents, nd) : NULL;
	free(ents);
	if (!t)
		return;
	byd = ik_xcalloc(d->nkeys, sizeof(*byd));
	struct ik_plen6 plens = ik_lpm6_plens(t);

	for (size_t i = 0; i < n; i++) {
		const struct ik_key *k = keys[i], *dk = NULL;
		struct ck_finding *f;
		char pb[IK_PREFIX6STRLEN];
		size_t di = 0;

		if (k->ring->is_default || k->ring->vrf)
			continue;
		for (int p = ik_key_plen(k); p >= 0 && !dk; p--) {
			const struct ik_lpm6_ent *e;

			if (ik_plen6_has(&plens, (unsigned)p) &&
			    ik_lpm6_exact(t, k->addr6, (uint32_t)p, &e)) {
				dk = e->val;
				di = e->rank;
			}
		}
		if (!dk)
			continue;
		if (!byd[di]) {
			f = ck_new(c, "warning", "K4");
			byd[di] = c->n;
			f->message = ck_strf("the global key for %s (crypto isakmp key, "
					     "default keyring) is searched first for peers of "
					     "the global VRF and shadows more specific keyring "
					     "keys (K3.3, K4)",
					     ik_prefix6_fmt_ios(dk->addr6, ik_key_plen(dk), pb));
			ck_add_line(f, dk->line, ck_key_what(dk));
			f->direction = ik_xstrdup("sessions initiated toward this router "
						  "by these peers use the global key, not "
						  "the keyring key: they fail at MM5 unless "
						  "the peer has the same key text and its "
						  "profile accepts the default keyring (P2)");
			f->fix = ck_strf("remove the crypto isakmp key line (line %d) and put "
					 "that key in a keyring, or use only keyrings", dk->line);
		}
		f = &c->f[byd[di] - 1];
		ck_add_line(f, k->line, ck_key_what(k));
		ck_add_peer(f, ck_prefix6(k->addr6, ik_key_plen(k)));
	}
	free(byd);
	ik_lpm6_free(t);
}

static void ck_keys_v6(struct ck *c)
{
	const struct ik_key **keys;
	size_t n = 0;

	for (size_t i = 0; i < c->cfg->nkeys; i++)
		n += c->cfg->keys[i]->kind == IK_KEY_ADDRESS && c->cfg->keys[i]->v6;
	if (!n)
		return;
	keys = ik_xcalloc(n, sizeof(*keys));
	n = 0;
	for (size_t i = 0; i < c->cfg->nkeys; i++)
		if (c->cfg->keys[i]->kind == IK_KEY_ADDRESS && c->cfg->keys[i]->v6 &&
		    c->cfg->keys[i]->ring)
			keys[n++] = c->cfg->keys[i];
	qsort(keys, n, sizeof(*keys), ck_key6_cmp);
	ck_k36_v6(c, keys, n);
	ck_k4_v6(c, keys, n);
	free(keys);
}

/* ---- P2 and K3 over the IPv6 identities each profile matches ---- */

/* For each `match identity address ipv6 P/L` of a profile: the peer at P
 * (its network address, the identity a peer of that prefix presents), the
 * profile it selects at MM5 and the key the responder picks for it at MM3,
 * on the profile's IPv6 local address if it has one. A peer that selects
 * this profile with a key from a keyring the profile does not list fails at
 * MM5 (P2); one with no key at all fails at MM3 (K3). */
static void ck_p2_v6(struct ck *c)
{
	for (size_t i = 0; i < c->cfg->nprofiles; i++) {
		const struct ik_isakmp_profile *p = c->cfg->profiles[i];
		struct ik_addr local = { .family = IK_AF_INET6 };

		if (ck_prof_bound(p) && !p->local_v6)
			continue;
		if (p->local_v6)
			memcpy(local.v6, p->local_address6, 16);
		for (size_t j = 0; j < p->nmatches; j++) {
			const struct ik_identity_match *m = &p->matches[j];
			struct ik_peer_id id = { .type = IK_PEER_ID_IPV6 };
			struct ik_addr peer = { .family = IK_AF_INET6 };
			const struct ik_key *k;
			struct ck_finding *f;
			char ps[IK_ADDR_ANYSTRLEN], kb[IK_PREFIX6STRLEN];

			if (m->kind != IK_MATCH_ADDRESS || !m->v6)
				continue;
			memcpy(id.addr6, m->addr6, 16);
			memcpy(peer.v6, m->addr6, 16);
			if (ik_profile_match_responder_ip(c->cfg, m->vrf, &local, &id, NULL) != p)
				continue;
			k = ik_resolve_responder_ip(c->r, m->vrf, &local, &peer, NULL);
			if (k && ik_profile_check_keyring(p, k, NULL))
				continue;
			ik_addr6_fmt_ios(m->addr6, ps);
			f = ck_new(c, k ? "error" : "warning", k ? "P2" : "K3");
			ck_add_line(f, m->line, ck_match_what(p, m));
			ck_add_peer(f, ik_xstrdup(ps));
			if (!k) {
				f->message = ck_strf("profile %s matches %s but no keyring of "
						     "fVRF %s holds an IPv6 address key for "
						     "it: as responder this router has no "
						     "pre-shared key at MM3 (K3)",
						     p->name, ps, ck_vrf_name(m->vrf));
				f->direction = ck_strf("sessions initiated by %s toward this "
						       "router fail at MM3 (No pre-shared key "
						       "with %s!)", ps, ps);
				f->fix = ck_strf("add pre-shared-key address ipv6 %s/128 to a "
						 "keyring listed in profile %s", ps, p->name);
				continue;
			}
			ck_add_line(f, k->line, ck_key_what(k));
			f->message = ck_strf("profile %s matches %s, but the key this router picks "
					     "for it at MM3 is %s from keyring %s, which profile %s "
					     "does not list (P2)", p->name, ps,
					     ik_prefix6_fmt_ios(k->addr6, ik_key_plen(k), kb),
					     k->ring->name, p->name);
			f->direction = ck_strf("sessions initiated by %s toward this router fail at "
					       "MM5: Key not found in keyrings of profile , aborting "
					       "exchange", ps);
			f->fix = ck_strf("list keyring %s in profile %s, or keep the key for %s in "
					 "a single keyring shared by every profile that matches it; "
					 "or use IKEv2, which picks the profile before the key (V2-1)",
					 k->ring->name, p->name, ps);
		}
	}
}

/* ---- P2 and K3 (no key) over the peers each profile matches ---- */

struct ck_p2_group {
	const struct ik_keyring *ring; /* NULL: no key at all */
	size_t fidx;                   /* index + 1 into c->f */
};

static int ck_addr_cmp(const void *a, const void *b)
{
	const struct ik_key *x = *(const struct ik_key *const *)a;
	const struct ik_key *y = *(const struct ik_key *const *)b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static bool ck_same_secret(const struct ik_key *a, const struct ik_key *b)
{
	if (!a->secret || !b->secret)
		return a->secret == b->secret;
	return a->secret->len == b->secret->len &&
	       memcmp(a->secret->p, b->secret->p, a->secret->len) == 0;
}

/* Whether a tunnel bound to profile p (through its IPsec profile) has a
 * destination other than x that has a key: the peer that presents x as its
 * identity may then connect from that address (behind NAT). */
static bool ck_other_source(const struct ck *c, const struct ik_isakmp_profile *p,
			    const char *vrf, const struct ik_addr *local, const struct ik_addr *x)
{
	for (size_t i = 0; i < c->cfg->nifaces; i++) {
		const struct ik_interface *t = c->cfg->ifaces[i];
		struct ik_addr d;

		if (!t->is_tunnel || !t->protection || t->protection->isakmp_profile != p ||
		    (!t->tunnel_dest && !t->tunnel_dest_v6) || !ck_same_vrf(t->tunnel_vrf, vrf))
			continue;
		ik_iface_tunnel_dest(t, &d);
		if (d.family != x->family || ik_addr_eq(&d, x))
			continue;
		if (ik_resolve_responder_ip(c->r, vrf, local, &d, NULL))
			return true;
	}
	return false;
}

/* K5: the key this router initiates with (K1, the profile's keyrings in the
 * profile's order) and the key it answers with (K3, configuration order)
 * differ in text: whichever key the peer holds, one direction fails. */
static void ck_k5(struct ck *c, const struct ik_isakmp_profile *p, const char *vrf,
		  const struct ik_addr *local, const struct ik_addr *x, const char *who,
		  const struct ik_key *k)
{
	const struct ik_key *own = ik_resolve_initiator_ip(c->r, p, vrf, local, x, NULL);
	char ps[IK_ADDR_ANYSTRLEN], at[96];
	struct ck_finding *f;

	if (!own || own == k || ck_same_secret(own, k))
		return;
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->f[i].rule, "K5") && c->f[i].nlines >= 2 &&
		    c->f[i].lines[0].line == k->line && c->f[i].lines[1].line == own->line) {
			ck_add_peer(&c->f[i], ik_xstrdup(ik_addr_fmt_ios(x, ps)));
			return;
		}
	ik_addr_fmt_ios(x, ps);
	ck_at_ip(local, at, sizeof(at));
	f = ck_new(c, "error", "K5");
	ck_add_line(f, k->line, ck_key_what(k));
	ck_add_line(f, own->line, ck_key_what(own));
	ck_add_line(f, p->line, ck_strf("crypto isakmp profile %s", p->name));
	ck_add_peer(f, ik_xstrdup(ps));
	f->message = ck_strf("profile %s lists keyrings %s and %s, which both hold a key for "
			     "%s with different texts: as responder this router picks keyring "
			     "%s's key (first in configuration order, K3.6), as initiator "
			     "keyring %s's (first in the profile's order, K1)%s", p->name,
			     own->ring->name, k->ring->name, who, k->ring->name, own->ring->name,
			     at);
	f->direction = ck_strf("if %s holds keyring %s's key, sessions it initiates toward "
			       "this router fail at MM5; if it holds keyring %s's key, sessions "
			       "this router initiates fail at MM5 (ISAKMP: reserved not zero on "
			       "ID payload!, %%CRYPTO-4-IKMP_BAD_MESSAGE; K5): one direction "
			       "fails whichever it holds", ps, own->ring->name, k->ring->name);
	f->fix = ck_strf("keep one key for %s (remove it from keyring %s or %s), or give both "
			 "copies the same text, or list the keyrings in profile %s in their "
			 "configuration order", ps, k->ring->name, own->ring->name, p->name);
}

/* P2, K3 and K5 for a peer connecting from x whose identity selects p.
 * who: the identity when it is not x itself (a host name, or an address
 * behind NAT), else NULL. */
static void ck_p2_source(struct ck *c, const struct ik_isakmp_profile *p, int mline,
			 const char *mwhat_src, const char *vrf, const struct ik_addr *local,
			 const struct ik_addr *x, const char *who, bool nokey_definite,
			 struct ck_p2_group *groups, size_t *ngroups)
{
	const struct ik_key *k;
	char ps[IK_ADDR_ANYSTRLEN], a[IK_ADDRSTRLEN], mk[IK_ADDRSTRLEN], at[96], idw[300];
	char kb[IK_PREFIX6STRLEN + 2 * IK_ADDRSTRLEN];
	struct ck_finding *f;
	size_t g;

	k = ik_resolve_responder_ip(c->r, vrf, local, x, NULL);
	ik_addr_fmt_ios(x, ps);
	if (!k && !nokey_definite)
		return;
	if (!k && !who && ck_other_source(c, p, vrf, local, x))
		return; /* that peer connects from the tunnel's destination (NAT) */
	if (k && ik_profile_check_keyring(p, k, NULL)) {
		ck_k5(c, p, vrf, local, x, who ? who : ps, k);
		return;
	}
	ck_at_ip(local, at, sizeof(at));
	if (who)
		snprintf(idw, sizeof(idw), " presenting identity %s", who);
	else
		idw[0] = '\0';
	for (g = 0; g < *ngroups; g++)
		if (groups[g].ring == (k ? k->ring : NULL))
			break;
	if (g < *ngroups) {
		f = &c->f[groups[g].fidx - 1];
		ck_add_peer(f, ik_xstrdup(ps));
		return;
	}
	if (g == 8)
		return;
	(*ngroups)++;
	groups[g].ring = k ? k->ring : NULL;
	f = ck_new(c, k ? "error" : "warning", k ? "P2" : "K3");
	groups[g].fidx = c->n;
	ck_add_line(f, mline, ik_xstrdup(mwhat_src));
	ck_add_peer(f, ik_xstrdup(ps));
	if (!k) {
		f->message = ck_strf("profile %s matches %s but no keyring of fVRF %s%s holds an "
				     "address key for it: as responder this router has no "
				     "pre-shared key at MM3 (K3)", p->name, ps,
				     ck_vrf_name(vrf), at);
		f->direction = ck_strf("sessions initiated by %s toward this router fail at MM3 "
				       "(No pre-shared key with %s!), if it connects from the "
				       "address it presents as identity (a peer behind NAT "
				       "connects from its NAT address, whose key decides)", ps, ps);
		f->fix = ck_strf("add pre-shared-key address %s%s%s to a keyring listed in "
				 "profile %s", x->family == IK_AF_INET6 ? "ipv6 " : "", ps,
				 x->family == IK_AF_INET6 ? "/128" : "", p->name);
		return;
	}
	ck_add_line(f, k->line, ck_key_what(k));
	if (p->nkeyrings)
		ck_add_line(f, p->line, ck_strf("crypto isakmp profile %s", p->name));
	if (k->v6)
		ik_prefix6_fmt_ios(k->addr6, ik_key_plen(k), kb);
	else
		snprintf(kb, sizeof(kb), "%s,%s", ik_addr_fmt(k->addr, a),
			 ik_addr_fmt(ik_key_mask(k), mk));
	f->message = ck_strf("profile %s matches %s%s, but the key this router picks for it at "
			     "MM3%s is %s from keyring %s, which profile %s does not list (P2)",
			     p->name, ps, idw, at, kb, k->ring->name, p->name);
	const struct ik_key *own = ik_resolve_initiator_ip(c->r, p, vrf, local, x, NULL);
	f->direction = ck_strf("sessions initiated by %s%s toward this router fail at MM5: Key "
			       "not found in keyrings of profile , aborting exchange; sessions "
			       "this router initiates with profile %s %s", ps, idw, p->name,
			       own ? "work (K1 uses the profile's own keyring)"
				   : "find no key in the profile's keyrings either");
	if (k->ring->is_default)
		f->fix = ck_strf("remove the global crypto isakmp key for %s (line %d) or move it "
				 "into a keyring listed in profile %s; or use IKEv2, which picks "
				 "the profile before the key (V2-1)", ps, k->line, p->name);
	else
		f->fix = ck_strf("list keyring %s in profile %s, or keep the key for %s in a "
				 "single keyring shared by every profile that matches it; or use "
				 "IKEv2, which picks the profile before the key (V2-1)",
				 k->ring->name, p->name, ps);
}

/* A peer presenting its address x as identity (no NAT) and connecting from x. */
static void ck_p2_peer(struct ck *c, const struct ik_isakmp_profile *p,
		       const struct ik_identity_match *m, uint32_t local, uint32_t x,
		       struct ck_p2_group *groups, size_t *ngroups)
{
	struct ik_peer_id id = ck_ipv4(x);
	struct ik_addr l4 = ik_addr_v4(local), x4 = ik_addr_v4(x);
	char *what;

	if (ik_profile_match_responder(c->cfg, m->vrf, local, &id, NULL) != p)
		return;
	what = ck_match_what(p, m);
	ck_p2_source(c, p, m->line, what, m->vrf, &l4, &x4, NULL, m->plen == 32, groups,
		     ngroups);
	free(what);
}

static void ck_p2_at(struct ck *c, const struct ik_key **byaddr, size_t n, uint32_t local)
{
	for (size_t i = 0; i < c->cfg->nprofiles; i++) {
		const struct ik_isakmp_profile *p = c->cfg->profiles[i];

		if (!ck_prof_at(p, local))
			continue;
		for (size_t j = 0; j < p->nmatches; j++) {
			const struct ik_identity_match *m = &p->matches[j];
			struct ck_p2_group groups[8];
			size_t ng = 0, probes = 0;

			if (m->kind != IK_MATCH_ADDRESS || m->v6)
				continue;
			ck_p2_peer(c, p, m, local, m->addr & m->mask, groups, &ng);
			if (m->plen == 32)
				continue;
			/* every key address inside the match */
			size_t lo = 0, hi = n;
			uint32_t first = m->addr & m->mask, last = first | ~m->mask;

			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;

				if (byaddr[mid]->addr < first)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (size_t k = lo; k < n && byaddr[k]->addr <= last &&
					    probes < CK_MAX_PROBES; k++) {
				const struct ik_key *key = byaddr[k];

				if (key->addr == first || ik_key_plen(key) < m->plen)
					continue;
				if (!(key->ring->is_default ? !m->vrf
							    : ck_same_vrf(key->ring->vrf, m->vrf)))
					continue;
				probes++;
				ck_p2_peer(c, p, m, local, key->addr, groups, &ng);
			}
		}
	}
}

/* Private addresses (RFC 1918, RFC 6598): what a peer behind NAT presents. */
static bool ck_private(uint32_t a)
{
	return (a >> 24) == 10 || (a >> 20) == 0xac1 || (a >> 16) == 0xc0a8 ||
	       (a >> 22) == (0x6440 >> 6);
}

/* Unique local IPv6 addresses (fc00::/7): an IPv6 peer's private ones. */
static bool ck_private6(const uint8_t a[16])
{
	return (a[0] & 0xfe) == 0xfc;
}

/* An identity that selects p as responder other than the source address x
 * itself, described in buf: CK_ID_NAT for a name or a private address (a
 * peer behind NAT, or one known by name), CK_ID_OTHER for another public
 * address, 0 when there is none. Address matches of x's family only. */
enum { CK_ID_NAT = 1, CK_ID_OTHER = 2 };

static int ck_other_identity(const struct ck *c, const struct ik_isakmp_profile *p,
			     const char *vrf, const struct ik_addr *local, const struct ik_addr *x,
			     char *buf, size_t len)
{
	bool x6 = x->family == IK_AF_INET6;
	int found = 0;
	char first[300] = "";

	for (size_t j = 0; j < p->nmatches; j++) {
		const struct ik_identity_match *m = &p->matches[j];
		struct ik_peer_id id = { 0 };
		char a[IK_ADDR_ANYSTRLEN], name[300];

		if (m->kind == IK_MATCH_ADDRESS && m->v6) {
			if (!x6 || !ck_same_vrf(m->vrf, vrf) ||
			    ik_addr6_in(x->v6, m->addr6, m->plen))
				continue;
			id.type = IK_PEER_ID_IPV6;
			memcpy(id.addr6, m->addr6, 16);
			snprintf(buf, len, "%s", ik_addr6_fmt_ios(m->addr6, a));
		} else if (m->kind == IK_MATCH_ADDRESS) {
			if (x6 || !ck_same_vrf(m->vrf, vrf) || ik_addr_in(x->v4, m->addr, m->mask))
				continue;
			id = ck_ipv4(m->addr & m->mask);
			snprintf(buf, len, "%s", ik_addr_fmt(m->addr & m->mask, a));
		} else if (m->kind == IK_MATCH_HOST_DOMAIN) {
			/* a host of that domain */
			snprintf(buf, len, "host domain %s", m->name ? m->name : "");
			snprintf(name, sizeof(name), "peer.%s", m->name ? m->name : "");
			id.type = IK_PEER_ID_FQDN;
			id.name = name;
		} else {
			id.type = m->kind == IK_MATCH_HOST ? IK_PEER_ID_FQDN : IK_PEER_ID_USER_FQDN;
			id.name = m->name;
			snprintf(buf, len, "%s %s", m->kind == IK_MATCH_HOST ? "host" : "user-fqdn",
				 m->name ? m->name : "");
		}
		if (ik_profile_match_responder_ip(c->cfg, vrf, local, &id, NULL) != p)
			continue;
		if (id.type == IK_PEER_ID_IPV4 ? ck_private(id.addr) :
		    id.type == IK_PEER_ID_IPV6 ? ck_private6(id.addr6) : true)
			return CK_ID_NAT;
		if (!found)
			snprintf(first, sizeof(first), "%s", buf);
		found = CK_ID_OTHER;
	}
	if (found)
		snprintf(buf, len, "%s", first);
	return found;
}

/* The peers whose identity is not their source address: a tunnel bound to
 * p connects from its destination, and a key in p's keyrings names the
 * address its peer connects from. When p does not match that address
 * itself, the peer must present another identity that p matches (a host
 * name, or its private address behind NAT); the key picked at MM3 for the
 * source address must then come from one of p's keyrings (P2), and must be
 * the key this router initiates with (K5). */
/* Whether a profile (or keyring, given its binding) takes part in
 * exchanges on local address l of either family. */
static bool ck_bound_at(bool bound, uint32_t a4, bool v6, const uint8_t a6[16],
			const struct ik_addr *l)
{
	if (!bound)
		return true;
	if (l->family == IK_AF_INET6)
		return v6 && !memcmp(a6, l->v6, 16);
	return !v6 && a4 && a4 == l->v4;
}

/* The address a tunnel's exchanges leave from, of its destination's
 * family (IPv6: as the configuration writes it; :: when not known). */
static struct ik_addr ck_tunnel_local_ip(const struct ck *c, const struct ik_interface *t)
{
	struct ik_addr a;

	if (!t->tunnel_dest_v6)
		return ik_addr_v4(ck_tunnel_local(c, t));
	ik_iface_tunnel_source(t, &a);
	if (a.family != IK_AF_INET6) {
		memset(&a, 0, sizeof(a));
		a.family = IK_AF_INET6;
	}
	return a;
}

static void ck_p2_sources(struct ck *c, const struct ik_addr *local, size_t nlocals)
{
	bool v6 = local->family == IK_AF_INET6;

	for (size_t i = 0; i < c->cfg->nprofiles; i++) {
		const struct ik_isakmp_profile *p = c->cfg->profiles[i];
		struct ck_p2_group groups[8];
		size_t ng = 0, probes = 0;
		char who[300];

		if (!ck_bound_at(ck_prof_bound(p), p->local_address, p->local_v6,
				 p->local_address6, local) || !p->nmatches)
			continue;
		for (size_t t = 0; t < c->cfg->nifaces; t++) {
			const struct ik_interface *ifc = c->cfg->ifaces[t];
			struct ik_addr dest, tl;
			struct ik_peer_id id;
			char *what;

			if (!ifc->is_tunnel || !ifc->protection || ifc->tunnel_dest_v6 != v6 ||
			    (!v6 && !ifc->tunnel_dest) ||
			    ifc->protection->isakmp_profile != p || ifc->protection->ikev2_profile)
				continue;
			tl = ck_tunnel_local_ip(c, ifc);
			if (!ik_addr_eq(&tl, local) && nlocals > 1)
				continue;
			ik_iface_tunnel_dest(ifc, &dest);
			id = ck_id_of(&dest);
			if (ik_profile_match_responder_ip(c->cfg, ifc->tunnel_vrf, local, &id,
							  NULL))
				continue; /* decided by its address: ck_p2_at, and P4 */
			if (!ck_other_identity(c, p, ifc->tunnel_vrf, local, &dest, who,
					       sizeof(who)))
				continue;
			what = ck_strf("interface %s: tunnel destination, with profile %s",
				       ifc->name, p->name);
			ck_p2_source(c, p, ifc->line, what, ifc->tunnel_vrf, local, &dest, who,
				     false, groups, &ng);
			free(what);
		}
		for (size_t r = 0; r < p->nkeyrings; r++) {
			const struct ik_keyring *kr = p->keyrings[r];

			if (v6 ? !ck_bound_at(ck_ring_bound(kr), kr->local_address, kr->local_v6,
					      kr->local_address6, local)
			       : ck_ring_bound(kr) && kr->local_address != local->v4)
				continue;
			for (size_t k = 0; k < kr->nkeys && probes < CK_MAX_PROBES; k++) {
				const struct ik_key *key = kr->keys[k];
				struct ik_addr x;
				struct ik_peer_id id;
				char *what;

				if (key->kind != IK_KEY_ADDRESS || key->v6 != v6 ||
				    ik_key_plen(key) != (v6 ? 128 : 32))
					continue;
				probes++;
				x = ik_addr_v4(key->addr);
				if (v6) {
					x.family = IK_AF_INET6;
					memcpy(x.v6, key->addr6, 16);
				}
				id = ck_id_of(&x);
				if (ik_profile_match_responder_ip(c->cfg, kr->vrf, local, &id,
								  NULL))
					continue; /* decided by its address: ck_p2_at */
				if (!ck_other_identity(c, p, kr->vrf, local, &x, who, sizeof(who)))
					continue;
				what = ck_key_what(key);
				ck_p2_source(c, p, key->line, what, kr->vrf, local, &x, who, false,
					     groups, &ng);
				free(what);
			}
		}
	}
}

/* Adds a to the set l6 (n of cap), once. */
static void ck_local6_add(struct ik_addr *l6, size_t *n, size_t cap, const struct ik_addr *a)
{
	for (size_t k = 0; k < *n; k++)
		if (ik_addr_eq(&l6[k], a))
			return;
	if (*n < cap)
		l6[(*n)++] = *a;
}

/* The IPv6 local addresses P2 is checked at for the peers of tunnels over
 * IPv6 and IPv6 keys, as ck_locals does for IPv4: {::} when nothing is
 * bound to an IPv6 local address, else those addresses and the sources of
 * the tunnels over IPv6. */
static void ck_p2_sources_v6(struct ck *c)
{
	struct ik_addr l6[64], a = { .family = IK_AF_INET6 };
	size_t n = 0;

	for (size_t i = 0; i < c->cfg->nkeyrings; i++) {
		const struct ik_keyring *kr = c->cfg->keyrings[i];

		if (!ck_ring_bound(kr) || !kr->local_v6)
			continue;
		memcpy(a.v6, kr->local_address6, 16);
		ck_local6_add(l6, &n, IK_ARRAY_LEN(l6), &a);
	}
	for (size_t i = 0; i < c->cfg->nprofiles; i++) {
		const struct ik_isakmp_profile *p = c->cfg->profiles[i];

		if (!p->local_v6)
			continue;
		memcpy(a.v6, p->local_address6, 16);
		ck_local6_add(l6, &n, IK_ARRAY_LEN(l6), &a);
	}
	for (size_t i = 0; n && i < c->cfg->nifaces; i++) {
		const struct ik_interface *t = c->cfg->ifaces[i];

		if (!t->is_tunnel || !t->protection || !t->tunnel_dest_v6)
			continue;
		a = ck_tunnel_local_ip(c, t);
		ck_local6_add(l6, &n, IK_ARRAY_LEN(l6), &a);
	}
	if (!n) {
		memset(&l6[0], 0, sizeof(l6[0]));
		l6[0].family = IK_AF_INET6;
		n = 1;
	}
	for (size_t k = 0; k < n; k++)
		ck_p2_sources(c, &l6[k], n);
}

static void ck_p2(struct ck *c, const struct ik_key **byaddr, size_t n)
{
	for (size_t l = 0; l < c->nlocals; l++) {
		struct ik_addr l4 = ik_addr_v4(c->locals[l]);

		ck_p2_at(c, byaddr, n, c->locals[l]);
		ck_p2_sources(c, &l4, c->nlocals);
	}
}

/* ---- P1-tie: two profiles match the same identity equally ---- */

struct ck_match_ref {
	const struct ik_isakmp_profile *p;
	const struct ik_identity_match *m;
};

static int ck_match_cmp(const void *a, const void *b)
{
	const struct ck_match_ref *x = a, *y = b;
	int v;

	if (x->m->kind != y->m->kind)
		return x->m->kind < y->m->kind ? -1 : 1;
	if (x->m->kind == IK_MATCH_ADDRESS) {
		if (!x->m->vrf != !y->m->vrf)
			return !x->m->vrf ? -1 : 1;
		if (x->m->vrf && (v = strcmp(x->m->vrf, y->m->vrf)))
			return v;
		if (x->m->v6 != y->m->v6)
			return x->m->v6 ? 1 : -1;
		if (x->m->v6 && (v = memcmp(x->m->addr6, y->m->addr6, 16)))
			return v;
		if ((x->m->addr & x->m->mask) != (y->m->addr & y->m->mask))
			return (x->m->addr & x->m->mask) < (y->m->addr & y->m->mask) ? -1 : 1;
		if (x->m->plen != y->m->plen)
			return x->m->plen < y->m->plen ? -1 : 1;
	} else if ((v = strcasecmp(x->m->name ? x->m->name : "", y->m->name ? y->m->name : ""))) {
		return v;
	}
	return x->p->order < y->p->order ? -1 : x->p->order > y->p->order;
}

static void ck_p1_tie(struct ck *c)
{
	struct ck_match_ref *v = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < c->cfg->nprofiles; i++)
		for (size_t j = 0; j < c->cfg->profiles[i]->nmatches; j++) {
			struct ck_match_ref *r = IK_VEC_PUSH(v, n, cap);

			r->p = c->cfg->profiles[i];
			r->m = &c->cfg->profiles[i]->matches[j];
		}
	if (n)
		qsort(v, n, sizeof(*v), ck_match_cmp);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		const struct ck_match_ref *other = NULL;

		while (j < n) {
			struct ck_match_ref a = v[i], b = v[j];

			/* equal but for the profile */
			b.p = a.p;
			if (ck_match_cmp(&a, &b) != 0)
				break;
			if (!other && v[j].p != v[i].p && ck_profs_meet(v[i].p, v[j].p))
				other = &v[j];
			j++;
		}
		if (!other) {
			i = j;
			continue;
		}
		struct ck_finding *f = ck_new(c, "warning", "P1-tie");
		const struct ik_identity_match *m = v[i].m;
		char *who = m->kind == IK_MATCH_ADDRESS && m->v6 ? ck_prefix6(m->addr6, m->plen)
			    : m->kind == IK_MATCH_ADDRESS ? ck_prefix(m->addr & m->mask, m->plen)
			    : ik_xstrdup(m->name ? m->name : "");

		for (size_t k = i; k < j; k++)
			ck_add_line(f, v[k].m->line, ck_match_what(v[k].p, v[k].m));
		f->message = ck_strf("profiles %s and %s match %s equally specifically: the "
				     "first configured, %s, is always selected (P1)", v[i].p->name,
				     other->p->name, who, v[i].p->name);
		f->direction = ck_strf("sessions initiated by %s toward this router always select "
				       "profile %s; profile %s is never selected for them as "
				       "responder", who, v[i].p->name, other->p->name);
		f->fix = ck_strf("remove one of the two match identity lines, or make the one of "
				 "profile %s more specific", other->p->name);
		ck_add_peer(f, who);
		i = j;
	}
	free(v);
}

/* ---- P4: an IPsec profile bound to a profile its peer never selects ---- */

static void ck_p4(struct ck *c)
{
	for (size_t i = 0; i < c->cfg->nifaces; i++) {
		const struct ik_interface *ifc = c->cfg->ifaces[i];
		const struct ik_ipsec_profile *ip = ifc->protection;
		const struct ik_isakmp_profile *want, *got;
		char ps[IK_ADDR_ANYSTRLEN];
		struct ik_addr local, dest;
		struct ik_peer_id id;
		const char *v6, *host;

		if (!ifc->is_tunnel || !ip || !ip->isakmp_profile ||
		    (!ifc->tunnel_dest && !ifc->tunnel_dest_v6))
			continue;
		local = ck_tunnel_local_ip(c, ifc);
		ik_iface_tunnel_dest(ifc, &dest);
		v6 = ifc->tunnel_dest_v6 ? " ipv6" : "";
		host = ifc->tunnel_dest_v6 ? "/128" : " 255.255.255.255";
		char who[300];

		want = ip->isakmp_profile;
		id = ck_id_of(&dest);
		got = ik_profile_match_responder_ip(c->cfg, ifc->tunnel_vrf, &local, &id, NULL);
		if (got == want)
			continue;
		ik_addr_fmt_ios(&dest, ps);
		int other = got ? 0 : ck_other_identity(c, want, ifc->tunnel_vrf, &local, &dest,
							who, sizeof(who));

		if (other) {
			/* the peer's identity is not its address (NAT, or a name):
			 * the configuration cannot tell which it presents; another
			 * public address is less likely, a warning */
			struct ck_finding *f = ck_new(c, other == CK_ID_NAT ? "note" : "warning",
						      "P4");

			ck_add_line(f, ifc->line, ck_strf("interface %s: tunnel destination %s, "
							  "tunnel protection ipsec profile %s",
							  ifc->name, ps, ip->name));
			ck_add_peer(f, ik_xstrdup(ps));
			f->message = ck_strf("%s's peer %s is not matched by its own address; profile "
					     "%s expects it to present another identity (%s): this "
					     "depends on the peer (behind NAT it presents its private "
					     "address), not on this configuration", ifc->name, ps,
					     want->name, who);
			f->direction = ck_strf("sessions initiated by %s toward this router complete "
					       "if it presents an identity that profile %s matches; "
					       "if it presents its address %s, Quick Mode fails "
					       "(P4)", ps, want->name, ps);
			f->fix = ck_strf("nothing to change if the peer presents %s%s; otherwise "
					 "add match identity address%s %s%s to profile %s", who,
					 other == CK_ID_NAT ? "" : " (check the address: it is "
					 "not a private one, as a peer behind NAT would present)",
					 v6, ps, ifc->tunnel_dest_v6 ? "/128" : "", want->name);
			continue;
		}
		struct ck_finding *f = ck_new(c, "error", "P4");

		ck_add_line(f, ifc->line, ck_strf("interface %s: tunnel destination %s, tunnel "
						  "protection ipsec profile %s", ifc->name, ps,
						  ip->name));
		ck_add_line(f, ip->line, ck_strf("crypto ipsec profile %s: set isakmp-profile %s",
						 ip->name, want->name));
		if (got)
			for (size_t j = 0; j < got->nmatches; j++) {
				const struct ik_identity_match *gm = &got->matches[j];

				if (gm->kind != IK_MATCH_ADDRESS ||
				    gm->v6 != ifc->tunnel_dest_v6 ||
				    !ck_same_vrf(gm->vrf, ifc->tunnel_vrf))
					continue;
				if (gm->v6 ? ik_addr6_in(dest.v6, gm->addr6, gm->plen)
					   : ik_addr_in(dest.v4, gm->addr, gm->mask))
					ck_add_line(f, gm->line, ck_match_what(got, gm));
			}
		ck_add_peer(f, ik_xstrdup(ps));
		f->message = ck_strf("%s's IPsec profile %s is bound to ISAKMP profile %s, but "
				     "peer %s (its tunnel destination) %s%s as responder (P1), so "
				     "Quick Mode will not find the IPsec profile (P4)", ifc->name,
				     ip->name, want->name, ps,
				     got ? "selects profile " : "matches none of the profiles",
				     got ? got->name : "");
		f->direction = ck_strf("sessions initiated by %s toward this router fail in Quick "
				       "Mode: phase 2 SA policy not acceptable, "
				       "PROPOSAL_NOT_CHOSEN; sessions this router initiates on %s "
				       "use profile %s and are not affected", ps, ifc->name,
				       want->name);
		f->fix = ck_strf("make profile %s the most specific match for %s (match identity "
				 "address%s %s%s), or bind the IPsec profile to %s",
				 want->name, ps, v6, ps, host,
				 got ? got->name : "the profile the peer selects");
	}
}

/* ---- K1: a tunnel this router cannot initiate for lack of a key ---- */

static void ck_k1(struct ck *c)
{
	for (size_t i = 0; i < c->cfg->nifaces; i++) {
		const struct ik_interface *ifc = c->cfg->ifaces[i];
		const struct ik_ipsec_profile *ip = ifc->protection;
		const struct ik_isakmp_profile *p;
		struct ck_finding *f;
		char ps[IK_ADDR_ANYSTRLEN];
		const char *v6 = ifc->tunnel_dest_v6 ? "ipv6 " : "";
		const char *host = ifc->tunnel_dest_v6 ? "/128" : "";
		struct ik_addr local, dest;
		struct ik_sb rings;

		if (!ifc->is_tunnel || !ip || ip->ikev2_profile ||
		    (!ifc->tunnel_dest && !ifc->tunnel_dest_v6))
			continue;
		/* a tunnel over IPv6: its IPv6 source as the configuration gives it
		 * (an interface of the host is not looked up: not known) */
		if (ifc->tunnel_dest_v6)
			ik_iface_tunnel_source(ifc, &local);
		else
			local = ik_addr_v4(ck_tunnel_local(c, ifc));
		ik_iface_tunnel_dest(ifc, &dest);
		p = ik_profile_for_initiator_ip(c->cfg, ip, ifc->tunnel_vrf, &local, &dest, NULL);
		if (ik_resolve_initiator_ip(c->r, p, ifc->tunnel_vrf, &local, &dest, NULL))
			continue;
		ik_addr_fmt_ios(&dest, ps);
		f = ck_new(c, "error", "K1");
		ck_add_line(f, ifc->line, ck_strf("interface %s: tunnel destination %s, tunnel "
						  "protection ipsec profile %s", ifc->name, ps,
						  ip->name));
		ck_add_peer(f, ik_xstrdup(ps));
		f->direction = ck_strf("sessions this router initiates on %s fail before MM3 (No "
				       "pre-shared key with %s!); sessions initiated by %s are "
				       "decided by the responder rules (K3)", ifc->name, ps, ps);
		if (!p || !p->nkeyrings) {
			if (p)
				ck_add_line(f, p->line,
					    ck_strf("crypto isakmp profile %s", p->name));
			f->message = ck_strf("%s initiates toward %s %s%s, and no keyring of fVRF "
					     "%s holds an address key for it (K2)", ifc->name, ps,
					     p ? "with profile " : "without a profile",
					     p ? p->name : "", ck_vrf_name(ifc->tunnel_vrf));
			f->fix = ck_strf("add pre-shared-key address %s%s%s to a keyring of fVRF %s",
					 v6, ps, host, ck_vrf_name(ifc->tunnel_vrf));
			continue;
		}
		ck_add_line(f, p->line, ck_strf("crypto isakmp profile %s", p->name));
		ik_sb_init(&rings);
		for (size_t j = 0; j < p->nkeyrings; j++)
			ik_sb_printf(&rings, "%s%s", j ? ", " : "", p->keyrings[j]->name);
		f->message = ck_strf("%s initiates toward %s with profile %s, but none of its "
				     "keyrings (%s) holds an address key for %s (K1)", ifc->name,
				     ps, p->name, ik_sb_str(&rings), ps);
		f->fix = ck_strf("add pre-shared-key address %s%s%s to keyring %s (listed in "
				 "profile %s)", v6, ps, host, p->keyrings[0]->name, p->name);
		ik_sb_free(&rings);
	}
}

/* ---- crypto maps (profile/check_cmap.c) ---- */

static void ck_cmap_add(void *ctx, const struct ik_cmap_finding *cf)
{
	struct ck *c = ctx;
	struct ck_finding *f = ck_new(c, cf->severity, cf->rule);

	f->message = ik_xstrdup(cf->message);
	for (size_t i = 0; i < cf->nlines; i++)
		ck_add_line_in(f, cf->file[i], cf->line[i], ik_xstrdup(cf->what[i]));
	if (cf->peer[0])
		ck_add_peer(f, ik_xstrdup(cf->peer));
	f->direction = ik_xstrdup(cf->direction);
	f->fix = ik_xstrdup(cf->fix);
}

/* ---- what cannot work at run time ---- */

/* A tunnel over IPv6 with an engine that has no IPv6 (outer), or IPv6 on a
 * VTI over IPv4, which carries IPv4 only, as IOS's tunnel mode ipsec ipv4. */
static void ck_v6_tunnel(struct ck *c, const struct ik_interface *t, bool outer)
{
	struct ck_finding *f = ck_new(c, "error", "IPv6");
	char a[IK_ADDR_ANYSTRLEN];

	ck_add_line(f, t->line, ck_strf("interface %s: %s", t->name,
					outer ? "tunnel mode gre|ipsec ipv6"
					      : "ipv6 address"));
	ck_add_peer(f, ik_xstrdup(t->tunnel_dest_v6 ? ik_addr6_fmt_ios(t->tunnel_dest6, a) :
				  t->tunnel_dest ? ik_addr_fmt(t->tunnel_dest, a) : "(none)"));
	f->message = outer ? ck_strf("%s runs over IPv6, but this ikerd negotiates IKE and "
				     "installs tunnels over IPv4 only: the tunnel never comes "
				     "up", t->name)
			   : ck_strf("%s carries IPv6 (ipv6 address) in a VTI over IPv4 (tunnel "
				     "mode ipsec ipv4), which carries IPv4 only, as on IOS: IPv6 "
				     "traffic does not pass (a GRE tunnel carries both)", t->name);
	f->direction = ck_strf("both directions: %s", outer ? "no IKE exchange over IPv6"
							      : "IPv6 packets are not routed");
	f->fix = ik_xstrdup(outer ? "use tunnel mode gre ip or ipsec ipv4 with IPv4 tunnel "
				    "addresses"
				  : "carry IPv6 in a GRE tunnel (tunnel mode gre ip), in a VTI "
				    "of its own (tunnel mode ipsec ipv6), or remove the ipv6 "
				    "address");
}

static const char *ck_authm_name(enum ik_authm a)
{
	return a == IK_AUTH_PSK ? "pre-share" : a == IK_AUTH_RSA_SIG ? "rsa-sig" :
	       a == IK_AUTH_ECDSA_SIG ? "ecdsa-sig" : "not set";
}

static bool ck_v2_auth_set(enum ik_authm a)
{
	return a == IK_AUTH_PSK || a == IK_AUTH_RSA_SIG || a == IK_AUTH_ECDSA_SIG;
}

/* An IKEv2 profile that signs (authentication local rsa-sig|ecdsa-sig)
 * needs a trustpoint with a certificate and private key of that type. */
static bool ck_v2_can_sign(const struct ik_config *cfg, const struct ik_ikev2_profile *p)
{
	struct ik_trustpoint *const *tps = p->ntrustpoints ? p->trustpoints : cfg->trustpoints;
	size_t n = p->ntrustpoints ? p->ntrustpoints : cfg->ntrustpoints;

	if (p->auth_local != IK_AUTH_RSA_SIG && p->auth_local != IK_AUTH_ECDSA_SIG)
		return true;
	return ik_pki_local_tp(cfg, tps, n, p->auth_local) != NULL;
}

static void ck_runtime_tunnels(struct ck *c)
{
	const struct ik_check_env *env = c->env;

	for (size_t i = 0; i < c->cfg->nifaces; i++) {
		const struct ik_interface *t = c->cfg->ifaces[i];
		const struct ik_ipsec_profile *ip = t->protection;
		struct ck_finding *f;
		uint32_t a;

		if (!t->is_tunnel)
			continue;
		if (ip && ip->ikev2_profile && (!ck_v2_auth_set(ip->ikev2_profile->auth_local) ||
						!ck_v2_auth_set(ip->ikev2_profile->auth_remote) ||
						!ck_v2_can_sign(c->cfg, ip->ikev2_profile))) {
			const struct ik_ikev2_profile *p2 = ip->ikev2_profile;
			bool set = ck_v2_auth_set(p2->auth_local) &&
				   ck_v2_auth_set(p2->auth_remote);

			f = ck_new(c, "error", "V2");
			ck_add_line(f, t->line, ck_strf("interface %s: tunnel protection ipsec "
							"profile %s", t->name, ip->name));
			ck_add_line(f, p2->line, ck_strf("crypto ikev2 profile %s", p2->name));
			ck_add_peer(f, ik_xstrdup(t->tunnel_dest ? ik_addr_fmt(t->tunnel_dest,
						  (char[IK_ADDRSTRLEN]){ 0 }) : "(none)"));
			if (set)
				f->message = ck_strf("IKEv2 profile %s of %s signs with %s, and no "
						     "trustpoint has a certificate and private key "
						     "of that type: IKE_AUTH fails", p2->name,
						     t->name, ck_authm_name(p2->auth_local));
			else
				f->message = ck_strf("IKEv2 profile %s of %s does not set how both "
						     "ways authenticate (authentication local %s, "
						     "remote %s): IKE_AUTH fails", p2->name,
						     t->name, ck_authm_name(p2->auth_local),
						     ck_authm_name(p2->auth_remote));
			f->direction = ck_strf("both directions: %s never comes up", t->name);
			f->fix = set ? ck_strf("a pki trustpoint with the router's certificate and "
					       "key in crypto ikev2 profile %s", p2->name) :
				 ck_strf("authentication local and authentication remote "
					 "(pre-share with a keyring, rsa-sig or ecdsa-sig with a "
					 "pki trustpoint) in crypto ikev2 profile %s", p2->name);
		}
		/* IPv6 inside a GRE tunnel works (the GRE link carries it); a VTI
		 * over IPv4 carries IPv4 only */
		if (!env->ipv6 && ik_tunnel_mode_v6(t->tunnel_mode))
			ck_v6_tunnel(c, t, true);
		else if (t->has_addr6 && t->tunnel_mode == IK_TUN_IPSEC_IPV4)
			ck_v6_tunnel(c, t, false);
		if (ik_tunnel_mode_v6(t->tunnel_mode))
			continue; /* the interface lookup below is for IPv4 sources */
		if (!t->tunnel_source_if || t->tunnel_source_resolved ||
		    ik_config_find_iface(c->cfg, t->tunnel_source_if) || !env->ifaddr ||
		    env->ifaddr(env->ctx, t->tunnel_source_if, &a) == 0)
			continue;
		f = ck_new(c, "error", "tunnel");
		ck_add_line(f, t->line, ck_strf("interface %s: tunnel source %s", t->name,
						t->tunnel_source_if));
		ck_add_peer(f, ik_xstrdup(t->tunnel_dest ? ik_addr_fmt(t->tunnel_dest,
					  (char[IK_ADDRSTRLEN]){ 0 }) : "(none)"));
		f->message = ck_strf("tunnel source %s of %s is neither an interface of this file "
				     "nor an interface of this system with an IPv4 address: the "
				     "tunnel has no local address", t->tunnel_source_if, t->name);
		f->direction = ck_strf("both directions: %s never comes up", t->name);
		f->fix = ck_strf("name the Linux interface that carries the tunnel (tunnel source "
				 "eth0), or give its address (tunnel source A)");
	}
}

/* Whether a trustpoint can sign for a policy: certificate and key, of the
 * policy's key type. */
static bool ck_tp_signs(const struct ik_trustpoint *tp, enum ik_authm a)
{
	int id;

	if (!tp->cert || !tp->key)
		return false;
	id = EVP_PKEY_get_base_id(tp->key);
	return (a == IK_AUTH_RSA_SIG && id == EVP_PKEY_RSA) ||
	       (a == IK_AUTH_ECDSA_SIG && id == EVP_PKEY_EC);
}

/* Certificates: a signature policy needs a certificate and key of ours of
 * its type, and a trustpoint with a CA to validate the peer's, or an
 * authorization list that pins raw keys (raw-public-key accept); a
 * profile's ca trust-point needs a CA unless its list pins raw keys. */
static void ck_certs(struct ck *c)
{
	const struct ik_config *cfg = c->cfg;
	struct ck_finding *f;
	bool psk = false, any_ca = false;

	for (size_t i = 0; i < cfg->npolicies; i++)
		psk = psk || cfg->policies[i].auth == IK_AUTH_PSK;
	for (size_t i = 0; i < cfg->ntrustpoints; i++)
		any_ca = any_ca || (cfg->trustpoints[i]->store &&
				    ik_pki_store_ncas(cfg->trustpoints[i]->store));
	for (size_t i = 0; i < cfg->nauthlists; i++)
		any_ca = any_ca || cfg->authlists[i]->raw_keys;
	for (size_t i = 0; i < cfg->npolicies; i++) {
		const struct ik_isakmp_policy *pol = &cfg->policies[i];
		bool signs = false;

		if (pol->auth != IK_AUTH_RSA_SIG && pol->auth != IK_AUTH_ECDSA_SIG)
			continue;
		for (size_t k = 0; k < cfg->ntrustpoints && !signs; k++)
			signs = ck_tp_signs(cfg->trustpoints[k], pol->auth);
		if (signs && any_ca)
			continue;
		f = ck_new(c, psk ? "warning" : "error", "auth");
		ck_add_line(f, pol->line, ck_strf("crypto isakmp policy %u: authentication %s%s",
						  pol->prio, pol->auth == IK_AUTH_RSA_SIG ?
						  "rsa-sig" : "ecdsa-sig",
						  pol->auth == IK_AUTH_RSA_SIG ?
						  " (IOS's default when the policy has no "
						  "authentication line)" : ""));
		ck_add_peer(f, ik_xstrdup("every IKEv1 peer"));
		if (!signs)
			f->message = ck_strf("policy %u authenticates with %s, and no trustpoint has "
					     "a certificate and private key of that type: the "
					     "policy is never offered nor accepted%s", pol->prio,
					     pol->auth == IK_AUTH_RSA_SIG ? "RSA signatures" :
					     "ECDSA signatures", psk ? "" : ", and no IKEv1 phase "
					     "1 can complete");
		else
			f->message = ck_strf("policy %u authenticates with certificates, and no "
					     "trustpoint has a CA certificate: no peer certificate "
					     "can validate", pol->prio);
		f->direction = ck_strf("both directions: %s", signs ? "%PKI-3-CERTIFICATE_INVALID "
				       "for every peer" : "phase 1 SA policy not acceptable!");
		f->fix = ck_strf(signs ? "import the CA certificate (crypto pki import TP pem "
				 "CA.pem, or certificate ca in crypto pki certificate chain TP)" :
				 "import the router's certificate and key (crypto pki import TP "
				 "pem CERT.pem key KEY.pem), or use authentication pre-share");
	}
	for (size_t i = 0; i < cfg->nprofiles; i++) {
		const struct ik_isakmp_profile *p = cfg->profiles[i];

		for (size_t k = 0; k < p->ntrustpoints && !(p->authz && p->authz->raw_keys); k++) {
			const struct ik_trustpoint *tp = p->trustpoints[k];

			if (tp->store && ik_pki_store_ncas(tp->store))
				continue;
			f = ck_new(c, "warning", "auth");
			ck_add_line(f, p->line, ck_strf("crypto isakmp profile %s: ca trust-point %s",
							p->name, tp->name));
			ck_add_line(f, tp->line, ck_strf("crypto pki trustpoint %s", tp->name));
			ck_add_peer(f, ik_xstrdup("the peers of this profile"));
			f->message = ck_strf("trustpoint %s has no CA certificate: it validates no "
					     "peer certificate", tp->name);
			f->direction = ck_strf("responder: %%PKI-3-CERTIFICATE_INVALID");
			f->fix = ck_strf("import its CA (crypto pki import %s pem CA.pem)", tp->name);
		}
	}
}

static void ck_runtime(struct ck *c)
{
	const struct ik_config *cfg = c->cfg;
	const struct ik_check_env *env = c->env;
	struct ck_finding *f;
	bool psk = false;

	ck_runtime_tunnels(c);
	for (size_t i = 0; i < cfg->npolicies; i++)
		psk = psk || cfg->policies[i].auth == IK_AUTH_PSK;
	if (cfg->npolicies && !psk && !env->certs) {
		f = ck_new(c, "error", "auth");
		for (size_t i = 0; i < cfg->npolicies; i++)
			ck_add_line(f, cfg->policies[i].line,
				    ck_strf("crypto isakmp policy %u: authentication rsa-sig%s",
					    cfg->policies[i].prio,
					    " (IOS's default when the policy has no "
					    "authentication line)"));
		ck_add_peer(f, ik_xstrdup("every IKEv1 peer"));
		f->message = ck_strf("every crypto isakmp policy authenticates with rsa-sig, and "
				     "this ikerd has no certificate support: no IKEv1 phase 1 can "
				     "complete");
		f->direction = ck_strf("both directions: no proposal is acceptable "
				       "(phase 1 SA policy not acceptable!)");
		f->fix = ck_strf("add authentication pre-share to the policies used with "
				 "pre-shared keys");
	}
	if (env->certs)
		ck_certs(c);
	for (size_t i = 0; i < cfg->nprofiles && !env->aggressive; i++) {
		const struct ik_isakmp_profile *p = cfg->profiles[i];

		if (!p->initiate_aggressive)
			continue;
		f = ck_new(c, "error", "AM");
		ck_add_line(f, p->line, ck_strf("crypto isakmp profile %s: initiate mode "
						"aggressive", p->name));
		ck_add_peer(f, ik_xstrdup("the peers of this profile"));
		f->message = ck_strf("profile %s initiates in Aggressive Mode, which this ikerd "
				     "does not have", p->name);
		f->direction = ck_strf("sessions this router initiates with profile %s are not "
				       "started; sessions the peers initiate in Main Mode work",
				       p->name);
		f->fix = ck_strf("remove initiate mode aggressive (Main Mode protects the "
				 "identities, and does not expose a hash of the key)");
	}
	for (size_t i = 0; i < cfg->nkeyrings + cfg->nprofiles; i++) {
		const char *ifn, *kind, *name;
		uint32_t la;
		int line;

		if (i < cfg->nkeyrings) {
			const struct ik_keyring *kr = cfg->keyrings[i];

			ifn = kr->local_address_if;
			la = kr->local_address || kr->local_v6;
			kind = "keyring";
			name = kr->name;
			line = kr->line;
		} else {
			const struct ik_isakmp_profile *p = cfg->profiles[i - cfg->nkeyrings];

			ifn = p->local_address_if;
			la = p->local_address || p->local_v6;
			kind = "profile";
			name = p->name;
			line = p->line;
		}
		if (!ifn || la)
			continue;
		f = ck_new(c, "warning", "local-address");
		ck_add_line(f, line, ck_strf("%s %s: local-address %s", kind, name, ifn));
		ck_add_peer(f, ik_xstrdup("every peer"));
		f->message = ck_strf("local-address %s of %s %s names no interface of this file "
				     "with an ip address: ikerd cannot tell the address it "
				     "binds, so %s %s is never used", ifn, kind, name, kind, name);
		f->direction = ck_strf("both directions: %s %s is skipped", kind, name);
		f->fix = ck_strf("add interface %s with its ip address to the file, or write "
				 "local-address A with the address", ifn);
	}
}

/* ---- Aggressive Mode with pre-shared keys ---- */

/* A profile that initiates in Aggressive Mode: the responder's HASH_R (AM2)
 * is computed from the pre-shared key and values anyone on the path sees, so
 * it can be taken offline to guess the key. A warning, not a failure. */
static void ck_am(struct ck *c)
{
	for (size_t i = 0; i < c->cfg->nprofiles; i++) {
		const struct ik_isakmp_profile *p = c->cfg->profiles[i];
		struct ck_finding *f;

		if (!p->initiate_aggressive)
			continue;
		f = ck_new(c, "warning", "AM");
		ck_add_line(f, p->line, ck_strf("crypto isakmp profile %s: initiate mode "
						"aggressive", p->name));
		f->message = c->cfg->aggressive_mode_disable ?
			ck_strf("profile %s asks for Aggressive Mode, but crypto isakmp "
				"aggressive-mode disable is set: this router initiates in Main "
				"Mode", p->name) :
			ck_strf("profile %s initiates in Aggressive Mode with pre-shared keys: the "
				"peer's reply carries a hash of the key that an eavesdropper can "
				"take offline to guess it", p->name);
		f->direction = ck_strf("no session fails; the key's secrecy rests on its "
				       "strength");
		f->fix = ck_strf("remove initiate mode aggressive (Main Mode hides the "
				 "identities and the hash), or use a long random key; IKEv2 has no "
				 "such exposure");
	}
}

/* ---- V2: IKEv2 tunnels ---- */

/* Whether a profile uses pre-shared keys (and so needs its keyring). */
static bool ck_v2_psk(const struct ik_ikev2_profile *p)
{
	return p->auth_local == IK_AUTH_PSK || p->auth_remote == IK_AUTH_PSK;
}

/* For every tunnel bound to an IKEv2 profile: the policy for its local
 * address (IKE_SA_INIT), the initiator's key (V2-2), and whether the peer,
 * identifying itself by its address, finds a profile and a key here
 * (V2-1). The peer may send another identity (an FQDN, or a private address
 * behind NAT): that last finding is a warning that says so. */
static void ck_v2(struct ck *c)
{
	for (size_t i = 0; i < c->cfg->nifaces; i++) {
		const struct ik_interface *ifc = c->cfg->ifaces[i];
		const struct ik_ipsec_profile *ip = ifc->protection;
		const struct ik_ikev2_profile *p, *rp;
		struct ik_v2_id id = { .type = IK_ID_NONE };
		struct ik_v2_psk k;
		struct ck_finding *f;
		char ps[IK_ADDRSTRLEN], ls[IK_ADDRSTRLEN];

		if (!ifc->is_tunnel || !ip || !ip->ikev2_profile || !ifc->tunnel_dest)
			continue;
		p = ip->ikev2_profile;
		ik_addr_fmt(ifc->tunnel_dest, ps);
		ik_addr_fmt(ifc->tunnel_source, ls);
		if (ifc->tunnel_source_resolved &&
		    !ik_v2_policy_select(c->cfg, ifc->tunnel_vrf, ifc->tunnel_source, NULL)) {
			f = ck_new(c, "error", "V2-2");
			ck_add_line(f, ifc->line, ck_strf("interface %s: tunnel source %s",
							  ifc->name, ls));
			ck_add_peer(f, ik_xstrdup(ps));
			f->message = ck_strf("no crypto ikev2 policy matches fVRF %s and local "
					     "address %s", ck_vrf_name(ifc->tunnel_vrf), ls);
			f->direction = ck_strf("both directions: IKE_SA_INIT on %s finds no "
					       "proposal (NO_PROPOSAL_CHOSEN)", ifc->name);
			f->fix = ck_strf("add match address local %s (or no match lines) to a "
					 "crypto ikev2 policy", ls);
		}
		if (ck_v2_psk(p) && ik_v2_key_initiator(c->cfg, p, ifc->tunnel_dest, NULL, &k, NULL)) {
			f = ck_new(c, "error", "V2-2");
			ck_add_line(f, ifc->line, ck_strf("interface %s: tunnel destination %s, "
							  "tunnel protection ipsec profile %s",
							  ifc->name, ps, ip->name));
			ck_add_line(f, p->line, ck_strf("crypto ikev2 profile %s", p->name));
			ck_add_peer(f, ik_xstrdup(ps));
			f->message = p->keyring ?
				ck_strf("%s initiates toward %s with IKEv2 profile %s, and keyring "
					"%s has no peer block with a usable key for it", ifc->name,
					ps, p->name, p->keyring->name) :
				ck_strf("IKEv2 profile %s has no keyring local", p->name);
			f->direction = ck_strf("sessions this router initiates on %s fail before "
					       "IKE_AUTH is sent", ifc->name);
			f->fix = p->keyring ?
				ck_strf("add a peer block with address %s and a pre-shared-key to "
					"keyring %s", ps, p->keyring->name) :
				ck_strf("add keyring local KEYRING to IKEv2 profile %s", p->name);
		}
		id.type = IK_ID_ADDRESS;
		id.addr = ifc->tunnel_dest;
		id.value = NULL;
		rp = ik_v2_profile_select(c->cfg, ifc->tunnel_vrf, ifc->tunnel_source, &id, NULL);
		if (rp && (!ck_v2_psk(rp) ||
			   !ik_v2_key_responder(c->cfg, rp, &id, ifc->tunnel_dest, &k, NULL)))
			continue;
		f = ck_new(c, "warning", "V2-1");
		ck_add_line(f, ifc->line, ck_strf("interface %s: tunnel destination %s",
						  ifc->name, ps));
		if (rp)
			ck_add_line(f, rp->line, ck_strf("crypto ikev2 profile %s", rp->name));
		ck_add_peer(f, ik_xstrdup(ps));
		f->message = rp ?
			ck_strf("a peer identifying itself as address %s matches IKEv2 profile %s, "
				"whose keyring has no key for it", ps, rp->name) :
			ck_strf("no IKEv2 profile matches a peer identifying itself as address %s",
				ps);
		f->direction = ck_strf("sessions initiated by %s fail at IKE_AUTH "
				       "(AUTHENTICATION_FAILED) if it sends its address as its "
				       "identity; another identity (an FQDN, a private address "
				       "behind NAT) is not known from this configuration", ps);
		f->fix = ck_strf("add match identity remote address %s to the IKEv2 profile for "
				 "this peer, with a keyring holding its key", ps);
	}
}

/* ---- output ---- */

static void ck_print_text(const struct ck *c, struct ik_sb *out)
{
	const char *file = c->cfg->file ? c->cfg->file : "<config>";

	for (size_t i = 0; i < c->n; i++) {
		const struct ck_finding *f = &c->f[i];

		ik_sb_printf(out, "%s:%d: %s: %s: %s\n",
			     f->nlines && f->lines[0].file ? f->lines[0].file : file,
			     f->nlines ? f->lines[0].line : 0, f->severity, f->rule, f->message);
		for (size_t j = 0; j < f->nlines; j++)
			ik_sb_printf(out, "  line %s:%d: %s\n",
				     f->lines[j].file ? f->lines[j].file : file, f->lines[j].line,
				     f->lines[j].what);
		if (f->more_lines)
			ik_sb_printf(out, "  and %zu more lines\n", f->more_lines);
		ik_sb_add(out, "  peers:");
		for (size_t j = 0; j < f->npeers; j++)
			ik_sb_printf(out, "%s %s", j ? "," : "", f->peers[j]);
		if (f->more_peers)
			ik_sb_printf(out, " and %zu more", f->more_peers);
		ik_sb_printf(out, "\n  fails: %s\n  fix: %s\n", f->direction ? f->direction : "",
			     f->fix ? f->fix : "");
	}
}

static void ck_print_json(const struct ck *c, struct ik_sb *out)
{
	const char *file = c->cfg->file ? c->cfg->file : "<config>";

	ik_sb_add(out, "[");
	for (size_t i = 0; i < c->n; i++) {
		const struct ck_finding *f = &c->f[i];

		ik_sb_add(out, i ? ",\n {" : "\n {");
		ik_sb_add(out, "\"severity\": ");
		ik_sb_json_str(out, f->severity);
		ik_sb_add(out, ", \"rule\": ");
		ik_sb_json_str(out, f->rule);
		ik_sb_add(out, ", \"message\": ");
		ik_sb_json_str(out, f->message);
		ik_sb_add(out, ", \"lines\": [");
		for (size_t j = 0; j < f->nlines; j++) {
			ik_sb_add(out, j ? ", {\"file\": " : "{\"file\": ");
			ik_sb_json_str(out, f->lines[j].file ? f->lines[j].file : file);
			ik_sb_printf(out, ", \"line\": %d, \"what\": ", f->lines[j].line);
			ik_sb_json_str(out, f->lines[j].what);
			ik_sb_add(out, "}");
		}
		ik_sb_add(out, "], \"peers\": [");
		for (size_t j = 0; j < f->npeers; j++) {
			if (j)
				ik_sb_add(out, ", ");
			ik_sb_json_str(out, f->peers[j]);
		}
		ik_sb_printf(out, "], \"more_lines\": %zu, \"more_peers\": %zu, \"direction\": ",
			     f->more_lines, f->more_peers);
		ik_sb_json_str(out, f->direction);
		ik_sb_add(out, ", \"fix\": ");
		ik_sb_json_str(out, f->fix);
		ik_sb_add(out, "}");
	}
	ik_sb_add(out, c->n ? "\n]\n" : "]\n");
}

/* A finding of profile/check_authz.c. */
static void ck_emit(void *ctx, struct ik_check_item *it)
{
	struct ck_finding *f = ck_new(ctx, it->severity, it->rule);

	for (int i = 0; i < it->nlines; i++)
		ck_add_line(f, it->line[i], it->what[i]);
	f->message = it->message;
	f->direction = it->direction;
	f->fix = it->fix;
}

int ik_check_config(const struct ik_config *cfg, struct ik_sb *out, bool json)
{
	struct ik_check_env env = IK_CHECK_ENV_ENGINE;

	return ik_check_config_env(cfg, &env, out, json, NULL);
}

int ik_check_config_env(const struct ik_config *cfg, const struct ik_check_env *env,
			struct ik_sb *out, bool json, struct ik_check_counts *counts)
{
	struct ck c = { .cfg = cfg, .r = cfg->resolver, .env = env };
	struct ik_resolver *own = NULL;
	const struct ik_key **keys;
	size_t n = 0;
	int count;

	if (!c.r)
		c.r = own = ik_resolver_build(cfg);
	ck_locals(&c);
	keys = ik_xcalloc(cfg->nkeys ? cfg->nkeys : 1, sizeof(*keys));
	for (size_t i = 0; i < cfg->nkeys; i++)
		if (cfg->keys[i]->kind == IK_KEY_ADDRESS && cfg->keys[i]->ring &&
		    !cfg->keys[i]->v6)
			keys[n++] = cfg->keys[i];
	if (n)
		qsort(keys, n, sizeof(*keys), ck_key_cmp);
	ck_k36(&c, keys, n);
	ck_k4(&c, keys, n);
	ck_keys_v6(&c);
	if (c.r)
		ck_p2_v6(&c);
	if (n)
		qsort(keys, n, sizeof(*keys), ck_addr_cmp);
	if (c.r) {
		ck_p2(&c, keys, n);
		ck_p2_sources_v6(&c);
	}
	ck_p1_tie(&c);
	ck_p4(&c);
	if (c.r)
		ck_k1(&c);
	ck_runtime(&c);
	ck_am(&c);
	ck_v2(&c);
	ik_check_authz(cfg, ck_emit, &c);
	ik_check_cmaps(cfg, c.r, ck_cmap_add, &c);
	for (size_t i = 0; env && i < env->npeers; i++)
		ik_check_cmap_mirror(cfg, env->peers[i], env->peer_files[i], ck_cmap_add, &c);
	if (counts) {
		memset(counts, 0, sizeof(*counts));
		for (size_t i = 0; i < c.n; i++) {
			if (!strcmp(c.f[i].severity, "error"))
				counts->errors++;
			else if (!strcmp(c.f[i].severity, "warning"))
				counts->warnings++;
			else
				counts->notes++;
		}
	}
	if (json)
		ck_print_json(&c, out);
	else
		ck_print_text(&c, out);
	count = (int)c.n;
	ck_free(&c);
	free(keys);
	ik_resolver_free(own);
	return count;
}

/* ---- L2: the explainer ---- */

int ik_explain_responder(const struct ik_config *cfg, const char *fvrf, uint32_t local,
			 uint32_t peer, const struct ik_peer_id *id, struct ik_sb *out, bool json)
{
	struct ik_addr l = ik_addr_v4(local), pa = ik_addr_v4(peer);

	return ik_explain_responder_ip(cfg, fvrf, &l, &pa, id, out, json);
}

int ik_explain_responder_ip(const struct ik_config *cfg, const char *fvrf,
			    const struct ik_addr *local, const struct ik_addr *peer,
			    const struct ik_peer_id *id, struct ik_sb *out, bool json)
{
	static const uint8_t zero[16];
	bool have_local = local->family == IK_AF_INET6 ? memcmp(local->v6, zero, 16) != 0
						       : local->v4 != 0;
	struct ik_log_capture cap = { 0 };
	struct ik_log lg = { .debug_mask = IK_DBG_ISAKMP | IK_DBG_ISAKMP_DETAIL,
			     .sink = ik_log_capture_sink, .ctx = &cap };
	struct ik_trace tr = { .log = &lg, .conn_id = 0 };
	struct ik_resolver *own = NULL;
	const struct ik_resolver *r = cfg->resolver;
	struct ik_peer_id pid = ck_ipv4(peer->v4);
	const struct ik_isakmp_profile *p = NULL;
	const struct ik_key *k;
	char ps[IK_ADDR_ANYSTRLEN], idtxt[300];
	char *verdict;
	bool ok = false;

	if (!r)
		r = own = ik_resolver_build(cfg);
	if (peer->family == IK_AF_INET6) {
		pid.type = IK_PEER_ID_IPV6;
		memcpy(pid.addr6, peer->v6, 16);
	}
	if (id)
		pid = *id;
	ik_addr_fmt_ios(peer, ps);
	if (pid.type == IK_PEER_ID_IPV6) {
		char a[IK_ADDR_ANYSTRLEN];

		snprintf(idtxt, sizeof(idtxt), "ID_IPV6_ADDR %s", ik_addr6_fmt_ios(pid.addr6, a));
	} else if (pid.type == IK_PEER_ID_IPV4) {
		char a[IK_ADDRSTRLEN];

		snprintf(idtxt, sizeof(idtxt), "ID_IPV4_ADDR %s", ik_addr_fmt(pid.addr, a));
	} else {
		snprintf(idtxt, sizeof(idtxt), "%s %s",
			 pid.type == IK_PEER_ID_FQDN ? "ID_FQDN" : "ID_USER_FQDN",
			 pid.name ? pid.name : "");
	}

	/* MM3: the key, by address and fVRF only (K3) */
	k = ik_resolve_responder_ip(r, fvrf, local, peer, &tr);
	if (!k) {
		verdict = ck_strf("phase 1 would fail at MM3: no pre-shared key for %s in fVRF %s "
				  "(K3)", ps, ck_vrf_name(fvrf));
	} else {
		/* MM5: the profile by identity (P1), then the keyring check (P2)
		 * as ik_profile_check_responder does it, with this resolver */
		p = ik_profile_match_responder_ip(cfg, fvrf, local, &pid, &tr);
		if (p && p->nkeyrings)
			(void)ik_resolve_initiator_ip(r, p, fvrf, local, peer, &tr);
		ok = ik_profile_check_keyring(p, k, &tr);
		/* the state machine's line that ends a live exchange here (P2) */
		if (!ok)
			ik_dbg(&lg, IK_DBG_ISAKMP, "ISAKMP (%u): FSM action returned error: 2",
			       tr.conn_id);
		if (ok && p)
			verdict = ck_strf("phase 1 would complete with profile %s, keyring %s",
					  p->name, k->ring->name);
		else if (ok)
			verdict = ck_strf("phase 1 would complete with no profile, keyring %s",
					  k->ring->name);
		else
			verdict = ck_strf("phase 1 would fail at MM5: Key not found in "
					  "keyrings of profile %s (the key picked at MM3 comes "
					  "from keyring %s, line %d; profile %s does not list it) "
					  "(P2)", p->name,
					  k->ring->name, k->line, p->name);
	}
	if (json) {
		ik_sb_add(out, "{\"peer\": ");
		ik_sb_json_str(out, ps);
		ik_sb_add(out, ", \"fvrf\": ");
		ik_sb_json_str(out, fvrf);
		ik_sb_add(out, ", \"identity\": ");
		ik_sb_json_str(out, idtxt);
		ik_sb_add(out, ", \"keyring\": ");
		ik_sb_json_str(out, k ? k->ring->name : NULL);
		ik_sb_printf(out, ", \"key_line\": %d, \"profile\": ", k ? k->line : 0);
		ik_sb_json_str(out, p ? p->name : NULL);
		ik_sb_printf(out, ", \"ok\": %s, \"trace\": [", ok ? "true" : "false");
		for (size_t i = 0; i < cap.n; i++) {
			if (i)
				ik_sb_add(out, ", ");
			ik_sb_json_str(out, cap.lines[i]);
		}
		ik_sb_add(out, "], \"verdict\": ");
		ik_sb_json_str(out, verdict);
		ik_sb_add(out, ", \"local\": ");
		if (have_local) {
			char la[IK_ADDR_ANYSTRLEN];

			ik_sb_json_str(out, ik_addr_fmt_ios(local, la));
		} else {
			ik_sb_json_str(out, NULL);
		}
		ik_sb_add(out, "}\n");
	} else {
		char at[96], la[IK_ADDR_ANYSTRLEN];

		if (have_local)
			snprintf(at, sizeof(at), " on local address %s",
				 ik_addr_fmt_ios(local, la));
		else
			at[0] = '\0';
		ik_sb_printf(out, "Responder decision for peer %s, fVRF %s%s, identity %s\n", ps,
			     ck_vrf_name(fvrf), at, idtxt);
		for (size_t i = 0; i < cap.n; i++)
			ik_sb_printf(out, "%s\n", cap.lines[i]);
		ik_sb_printf(out, "Verdict: %s\n", verdict);
	}
	free(verdict);
	ik_log_capture_clear(&cap);
	ik_resolver_free(own);
	return ok ? 0 : 1;
}
