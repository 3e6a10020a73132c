/* L1 for crypto maps (profile/check_cmap.h). */
#include "profile/check_cmap.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "conf/acl.h"
#include "profile/cmap_select.h"
#include "profile/profile.h"
#include "profile/v2_select.h"
#include "util/addr.h"
#include "util/strbuf.h"

/* Line pairs compared per list or map: a list of a few thousand lines is
 * checked whole, a larger one up to this many pairs. */
#define CM_MAX_PAIRS 4000000u

struct cm {
	const struct ik_config *cfg;
	const struct ik_resolver *r;
	ik_cmap_finding_fn add;
	void *ctx;
	struct ik_cmap_finding f;
};

static struct ik_cmap_finding *cm_new(struct cm *c, const char *sev, const char *rule,
				      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static struct ik_cmap_finding *cm_new(struct cm *c, const char *sev, const char *rule,
				      const char *fmt, ...)
{
	va_list ap;

	memset(&c->f, 0, sizeof(c->f));
	c->f.severity = sev;
	c->f.rule = rule;
	va_start(ap, fmt);
	vsnprintf(c->f.message, sizeof(c->f.message), fmt, ap);
	va_end(ap);
	return &c->f;
}

static void cm_line(struct ik_cmap_finding *f, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void cm_line(struct ik_cmap_finding *f, int line, const char *fmt, ...)
{
	va_list ap;

	if (f->nlines == IK_CMAP_FINDING_LINES)
		return;
	f->line[f->nlines] = line;
	va_start(ap, fmt);
	vsnprintf(f->what[f->nlines], sizeof(f->what[0]), fmt, ap);
	va_end(ap);
	f->nlines++;
}

/* "permit ip 10.1.0.0 0.0.255.255 any" */
static void ace_text(const struct ik_ace *a, char *buf, size_t len)
{
	struct ik_sb sb;

	ik_sb_init(&sb);
	ik_sb_printf(&sb, "%s ", ik_ace_action_word(a, false));
	ik_ace_format(a, &sb);
	snprintf(buf, len, "%s", ik_sb_str(&sb));
	ik_sb_free(&sb);
}

/* Lines of one list that an earlier line holds whole: never matched. */
static void cm_acl_shadow(struct cm *c, const struct ik_acl *acl)
{
	size_t pairs = 0;

	for (size_t j = 0; j < acl->naces; j++) {
		const struct ik_ace *b = &acl->aces[j];
		struct ik_proxy pb;
		char why[160];

		if (b->action == IK_ACE_REMARK)
			continue;
		if (ik_ace_proxy(b, &pb, why, sizeof(why))) {
			char t[160];
			struct ik_cmap_finding *f;

			if (b->action != IK_ACE_PERMIT)
				continue;
			ace_text(b, t, sizeof(t));
			f = cm_new(c, "error", "L1", "access list %s line %u cannot be a traffic "
				   "selector: %s", acl->name, b->seq, why);
			cm_line(f, b->line, "%s", t);
			snprintf(f->direction, sizeof(f->direction), "a crypto map entry matching "
				 "on this line neither sends nor accepts its traffic");
			snprintf(f->fix, sizeof(f->fix), "write the line with subnet wildcards "
				 "(0.0.0.255) and eq/range ports");
			c->add(c->ctx, f);
			continue;
		}
		for (size_t i = 0; i < j && pairs < CM_MAX_PAIRS; i++, pairs++) {
			const struct ik_ace *a = &acl->aces[i];
			struct ik_proxy pa;
			struct ik_cmap_finding *f;
			char ta[160], tb[160];

			if (a->action == IK_ACE_REMARK || ik_ace_proxy(a, &pa, why, sizeof(why)) ||
			    !ik_proxy_within(&pb, &pa))
				continue;
			ace_text(a, ta, sizeof(ta));
			ace_text(b, tb, sizeof(tb));
			f = cm_new(c, "warning", "L1", "access list %s line %u is shadowed by line "
				   "%u: it never matches", acl->name, b->seq, a->seq);
			cm_line(f, a->line, "%s", ta);
			cm_line(f, b->line, "%s", tb);
			snprintf(f->direction, sizeof(f->direction), "traffic of line %u is %s by "
				 "line %u", b->seq, a->action == IK_ACE_PERMIT ? "protected" :
				 "left in clear", a->seq);
			snprintf(f->fix, sizeof(f->fix), "remove line %u, or move it before line "
				 "%u", b->seq, a->seq);
			c->add(c->ctx, f);
			break;
		}
	}
}

static const char *entry_kind(const struct ik_cmap_entry *e)
{
	return e->map->is_dynamic ? "crypto dynamic-map" : "crypto map";
}

/* Permit lines of entry b inside or overlapping those of an earlier entry
 * a of the same map: the earlier entry takes the traffic. */
static void cm_entry_overlap(struct cm *c, const struct ik_cmap_entry *a,
			     const struct ik_cmap_entry *b, size_t *pairs)
{
	char why[160];

	for (size_t j = 0; j < b->acl->naces; j++) {
		const struct ik_ace *y = &b->acl->aces[j];
		struct ik_proxy py;

		if (y->action != IK_ACE_PERMIT || ik_ace_proxy(y, &py, why, sizeof(why)))
			continue;
		for (size_t i = 0; i < a->acl->naces && *pairs < CM_MAX_PAIRS; i++, (*pairs)++) {
			const struct ik_ace *x = &a->acl->aces[i];
			struct ik_proxy px;
			struct ik_cmap_finding *f;
			char tx[160], ty[160];
			bool inside;

			if (x->action != IK_ACE_PERMIT || ik_ace_proxy(x, &px, why, sizeof(why)) ||
			    !ik_proxy_overlap(&px, &py))
				continue;
			inside = ik_proxy_within(&py, &px);
			ace_text(x, tx, sizeof(tx));
			ace_text(y, ty, sizeof(ty));
			if (inside)
				f = cm_new(c, "warning", "L1", "crypto map %s %u: access list %s line %u "
					   "is inside line %u of %s (entry %u): the entry never "
					   "protects it", b->map->name, b->seq, b->acl->name, y->seq,
					   x->seq, a->acl->name, a->seq);
			else
				f = cm_new(c, "warning", "L1", "crypto map %s: access lists %s (entry "
					   "%u) and %s (entry %u) overlap: the common traffic goes "
					   "to entry %u", b->map->name, a->acl->name, a->seq,
					   b->acl->name, b->seq, a->seq);
			cm_line(f, a->line, "%s %s %u", entry_kind(a), a->map->name, a->seq);
			cm_line(f, x->line, "%s", tx);
			cm_line(f, b->line, "%s %s %u", entry_kind(b), b->map->name, b->seq);
			cm_line(f, y->line, "%s", ty);
			snprintf(f->direction, sizeof(f->direction), "packets of line %u of %s are "
				 "sent to %s's peers with entry %u's settings", y->seq, b->acl->name,
				 a->acl->name, a->seq);
			snprintf(f->fix, sizeof(f->fix), "make the access lists of entries %u and "
				 "%u disjoint, or deny the common traffic in %s", a->seq, b->seq,
				 a->acl->name);
			c->add(c->ctx, f);
			return;
		}
	}
}

/* An entry whose peers are of a family the map is not applied to: IOS
 * applies a map to IPv4 with crypto map NAME and to IPv6 with ipv6 crypto
 * map NAME; the entry never initiates nor answers. */
static void cm_entry_family(struct cm *c, const struct ik_cmap_entry *e, bool applied)
{
	bool v6 = e->peers[0].family == IK_AF_INET6, right = false;
	struct ik_cmap_finding *f;
	char ps[IK_ADDR_ANYSTRLEN];
	struct ik_addr lo;

	for (size_t i = 0; i < c->cfg->ncmap_ifaces; i++)
		right |= ik_cmap_of_iface(c->cfg->cmap_ifaces[i], e->peers[0].family) == e->map;
	ik_addr_fmt_ios(&e->peers[0], ps);
	if (!right) {
		if (!applied)
			return; /* "applied to no interface" says it */
		f = cm_new(c, "error", "L1", "crypto map %s %u sets %s peer %s, but no interface "
			   "applies the map to %s", e->map->name, e->seq, v6 ? "IPv6" : "IPv4", ps,
			   v6 ? "IPv6 (ipv6 crypto map)" : "IPv4 (crypto map)");
		cm_line(f, e->line, "crypto map %s %u ipsec-isakmp: set peer %s", e->map->name,
			e->seq, ps);
		snprintf(f->peer, sizeof(f->peer), "%s", ps);
		snprintf(f->direction, sizeof(f->direction), "the entry neither initiates to %s "
			 "nor accepts its proposals", ps);
		snprintf(f->fix, sizeof(f->fix), "add %scrypto map %s under the interface that "
			 "faces %s", v6 ? "ipv6 " : "", e->map->name, ps);
		c->add(c->ctx, f);
		return;
	}
	if (!ik_cmap_local(c->cfg, e->map, e->peers[0].family, &lo))
		return;
	f = cm_new(c, "error", "L1", "crypto map %s %u sets %s peer %s, but the interface "
		   "%s has no %s address", e->map->name, e->seq, v6 ? "IPv6" : "IPv4", ps,
		   e->map->local_address_if ? "of its local-address" : "applying the map",
		   v6 ? "IPv6" : "IPv4");
	cm_line(f, e->line, "crypto map %s %u ipsec-isakmp: set peer %s", e->map->name, e->seq,
		ps);
	snprintf(f->peer, sizeof(f->peer), "%s", ps);
	snprintf(f->direction, sizeof(f->direction), "no exchange with %s can leave or be "
		 "answered", ps);
	snprintf(f->fix, sizeof(f->fix), "add %s address to %s", v6 ? "an ipv6" : "an ip",
		 e->map->local_address_if ? e->map->local_address_if : "that interface");
	c->add(c->ctx, f);
}

static void cm_entry(struct cm *c, const struct ik_cmap_entry *e, bool applied)
{
	const char *kind = entry_kind(e);
	struct ik_cmap_finding *f;
	struct ik_addr local;
	bool has_local;

	if (e->dynamic_name)
		return;
	if (e->acl_name && !e->acl) {
		f = cm_new(c, "error", "L1", "%s %s %u: match address %s names no extended access "
			   "list", kind, e->map->name, e->seq, e->acl_name);
		cm_line(f, e->line, "%s %s %u", kind, e->map->name, e->seq);
		snprintf(f->direction, sizeof(f->direction), "the entry protects no traffic, in "
			 "either direction");
		snprintf(f->fix, sizeof(f->fix), "define ip access-list extended %s", e->acl_name);
		c->add(c->ctx, f);
	}
	if (e->map->is_dynamic) {
		if (!e->ntsets) {
			f = cm_new(c, "error", "L1", "%s %s %u has no set transform-set", kind,
				   e->map->name, e->seq);
			cm_line(f, e->line, "%s %s %u", kind, e->map->name, e->seq);
			snprintf(f->direction, sizeof(f->direction), "Quick Mode from any peer "
				 "through this entry fails (NO_PROPOSAL_CHOSEN)");
			snprintf(f->fix, sizeof(f->fix), "add set transform-set");
			c->add(c->ctx, f);
		}
		return;
	}
	if (!e->acl_name || !e->npeers || !e->ntsets) {
		f = cm_new(c, "error", "L1", "crypto map %s %u is incomplete: no %s", e->map->name,
			   e->seq, !e->acl_name ? "match address" : !e->npeers ? "set peer" :
			   "set transform-set");
		cm_line(f, e->line, "crypto map %s %u ipsec-isakmp", e->map->name, e->seq);
		snprintf(f->direction, sizeof(f->direction), "IOS ignores an incomplete entry: it "
			 "neither initiates nor accepts anything");
		snprintf(f->fix, sizeof(f->fix), "add %s", !e->acl_name ? "match address ACL" :
			 !e->npeers ? "set peer A" : "set transform-set T");
		c->add(c->ctx, f);
	}
	if (!e->npeers)
		return;
	cm_entry_family(c, e, applied);
	has_local = !ik_cmap_local(c->cfg, e->map, e->peers[0].family, &local);
	for (size_t i = 0; e->ikev2_profile && i < e->npeers; i++) {
		const struct ik_ikev2_profile *p = e->ikev2_profile;
		struct ik_v2_psk k;
		char ps[IK_ADDR_ANYSTRLEN];

		if (p->auth_local != IK_AUTH_PSK ||
		    !ik_v2_key_initiator_ip(c->cfg, p, &e->peers[i], NULL, &k, NULL))
			continue;
		ik_addr_fmt_ios(&e->peers[i], ps);
		f = cm_new(c, "error", "V2-2", "crypto map %s %u initiates toward %s with IKEv2 "
			   "profile %s, and %s", e->map->name, e->seq, ps, p->name, p->keyring ?
			   "its keyring has no peer block with a usable key for it" :
			   "the profile has no keyring local");
		cm_line(f, e->line, "crypto map %s %u ipsec-isakmp: set peer %s", e->map->name,
			e->seq, ps);
		cm_line(f, p->line, "crypto ikev2 profile %s", p->name);
		snprintf(f->peer, sizeof(f->peer), "%s", ps);
		snprintf(f->direction, sizeof(f->direction), "sessions this router initiates to "
			 "%s through the entry fail before IKE_AUTH is sent%s", ps,
			 i + 1 < e->npeers ? "; the next set peer is tried" : "");
		snprintf(f->fix, sizeof(f->fix), p->keyring ? "add a peer block with address %s "
			 "and a pre-shared-key to keyring %s" : "add keyring local KEYRING to IKEv2 "
			 "profile %s%s", p->keyring ? ps : p->name, p->keyring ? p->keyring->name :
			 "");
		c->add(c->ctx, f);
	}
	for (size_t i = 0; c->r && !e->ikev2_profile && i < e->npeers; i++) {
		const struct ik_isakmp_profile *p;
		char ps[IK_ADDR_ANYSTRLEN];
		const struct ik_addr *lo = has_local ? &local : NULL;

		p = ik_profile_for_initiator_ip(c->cfg, &e->ipsec, NULL, lo, &e->peers[i], NULL);
		if (ik_resolve_initiator_ip(c->r, p, NULL, lo, &e->peers[i], NULL))
			continue;
		ik_addr_fmt_ios(&e->peers[i], ps);
		f = cm_new(c, "error", p && p->nkeyrings ? "K1" : "K2", "crypto map %s %u: no "
			   "pre-shared key for set peer %s%s%s", e->map->name, e->seq, ps,
			   p ? " in the keyrings of profile " : " in any keyring",
			   p ? p->name : "");
		cm_line(f, e->line, "crypto map %s %u ipsec-isakmp: set peer %s", e->map->name,
			e->seq, ps);
		if (p)
			cm_line(f, p->line, "crypto isakmp profile %s", p->name);
		snprintf(f->peer, sizeof(f->peer), "%s", ps);
		snprintf(f->direction, sizeof(f->direction), "phase 1 this router initiates to %s "
			 "fails before MM3 (No pre-shared key with %s!)%s", ps, ps,
			 i + 1 < e->npeers ? "; the next set peer is tried" : "");
		if (e->peers[i].family == IK_AF_INET6)
			snprintf(f->fix, sizeof(f->fix), "add crypto isakmp key KEY address ipv6 "
				 "%s/128, or pre-shared-key address ipv6 %s/128 key KEY to %s",
				 ps, ps, p && p->nkeyrings ? p->keyrings[0]->name : "a keyring");
		else
			snprintf(f->fix, sizeof(f->fix), "add crypto isakmp key KEY address %s, "
				 "or pre-shared-key address %s to %s", ps, ps,
				 p && p->nkeyrings ? p->keyrings[0]->name : "a keyring");
		c->add(c->ctx, f);
	}
}

/* An entry that takes traffic: complete, with its access list (IOS skips
 * the others, reported by cm_entry). */
static bool entry_used(const struct ik_cmap_entry *e)
{
	return !e->dynamic_name && e->acl && e->ntsets && (e->npeers || e->map->is_dynamic);
}

static void cm_map(struct cm *c, const struct ik_cmap *m)
{
	bool applied = false;
	size_t pairs = 0;

	for (size_t i = 0; i < c->cfg->ncmap_ifaces; i++)
		applied |= ik_cmap_iface_carries(c->cfg->cmap_ifaces[i], m);
	if (!m->is_dynamic && !applied) {
		struct ik_cmap_finding *f = cm_new(c, "warning", "L1", "crypto map %s is applied "
						   "to no interface", m->name);

		cm_line(f, m->line, "crypto map %s", m->name);
		snprintf(f->direction, sizeof(f->direction), "no traffic is protected and no "
			 "peer's proposal is matched against the map");
		snprintf(f->fix, sizeof(f->fix), "add crypto map %s under the outside interface",
			 m->name);
		c->add(c->ctx, f);
	}
	for (size_t k = 0; k < m->nentries; k++) {
		const struct ik_cmap_entry *b = m->entries[k];

		cm_entry(c, b, applied);
		if (!entry_used(b))
			continue;
		for (size_t j = 0; j < k; j++)
			if (entry_used(m->entries[j]))
				cm_entry_overlap(c, m->entries[j], b, &pairs);
	}
}

void ik_check_cmaps(const struct ik_config *cfg, const struct ik_resolver *r,
		    ik_cmap_finding_fn add, void *ctx)
{
	struct cm c = { .cfg = cfg, .r = r, .add = add, .ctx = ctx };

	for (size_t i = 0; i < cfg->nacls; i++)
		cm_acl_shadow(&c, cfg->acls[i]);
	for (size_t i = 0; i < cfg->ncmaps; i++)
		cm_map(&c, cfg->cmaps[i]);
}

/* ---- with the peer's configuration: mirror images ---- */

struct cm_mirror {
	struct cm c;                    /* c.cfg: the file checked */
	const char *peer_file;
};

/* Whether a is one of cfg's interface addresses. */
static bool cm_has_addr(const struct ik_config *cfg, const struct ik_addr *a)
{
	if (a->family != IK_AF_INET6)
		return ik_config_iface_by_addr(cfg, a->v4) != NULL;
	for (size_t i = 0; i < cfg->nifaces; i++)
		if (cfg->ifaces[i]->has_addr6 && !memcmp(cfg->ifaces[i]->addr6, a->v6, 16))
			return true;
	return false;
}

/* IKEv2 narrows: whether an entry of map that allows peer overlaps q. */
static bool cm_narrowable(const struct ik_cmap *map, const struct ik_addr *peer,
			  const struct ik_proxy *q)
{
	char why[160];

	for (size_t i = 0; i < map->nentries; i++) {
		const struct ik_cmap_entry *e = map->entries[i];

		if (!e->ikev2_profile || !e->acl || !ik_cmap_peer_allowed(e, peer))
			continue;
		for (size_t j = 0; j < e->acl->naces; j++) {
			struct ik_proxy p;

			if (e->acl->aces[j].action == IK_ACE_PERMIT &&
			    !ik_ace_proxy(&e->acl->aces[j], &p, why, sizeof(why)) &&
			    ik_proxy_overlap(&p, q))
				return true;
		}
	}
	return false;
}

/* One permit line x of entry e (of side "from", leaving from local address
 * lx towards peer p) against the map the other side ("to") applies at p.
 * ours: from is the file checked. */
static void cm_mirror_line(struct cm_mirror *mc, const struct ik_cmap_entry *e,
			   const struct ik_ace *x, const struct ik_addr *lx,
			   const struct ik_addr *p, const struct ik_cmap *to_map, bool ours)
{
	unsigned ver = e->ikev2_profile ? 2 : 1;
	const char *pf = mc->peer_file, *here = ours ? NULL : pf;
	struct ik_proxy px, q;
	struct ik_cmap_match mt;
	struct ik_cmap_finding *f;
	char why[160], tx[160], ls[IK_ADDR_ANYSTRLEN], ps[IK_ADDR_ANYSTRLEN];
	bool narrow;

	if (ik_ace_proxy(x, &px, why, sizeof(why)))
		return; /* "cannot be a traffic selector" says it */
	q.proto = px.proto;
	q.local = px.remote;
	q.remote = px.local;
	if (!ik_cmap_match_proxy(to_map, ver, lx, &q, NULL, NULL, &mt))
		return;
	narrow = ver == 2 && cm_narrowable(to_map, lx, &q);
	ace_text(x, tx, sizeof(tx));
	ik_addr_fmt_ios(lx, ls);
	ik_addr_fmt_ios(p, ps);
	if (ours)
		f = cm_new(&mc->c, narrow ? "note" : "error", "L1", "crypto map %s %u: access "
			   "list %s line %u has no mirror image in crypto map %s of the peer %s "
			   "(%s)%s", e->map->name, e->seq, e->acl->name, x->seq, to_map->name,
			   ps, pf, narrow ? ": the peer narrows it (IKEv2)" : "");
	else
		f = cm_new(&mc->c, narrow ? "note" : "error", "L1", "the peer's crypto map %s "
			   "%u (%s): access list %s line %u has no mirror image in crypto map "
			   "%s here%s", e->map->name, e->seq, pf, e->acl->name, x->seq,
			   to_map->name, narrow ? ": this router narrows it (IKEv2)" : "");
	f->file[f->nlines] = here;
	cm_line(f, e->line, "%s %s %u", entry_kind(e), e->map->name, e->seq);
	f->file[f->nlines] = here;
	cm_line(f, x->line, "%s", tx);
	snprintf(f->peer, sizeof(f->peer), "%s", ours ? ps : ls);
	if (narrow)
		snprintf(f->direction, sizeof(f->direction), "%s initiating for this traffic: "
			 "the child SA covers only what both access lists permit",
			 ours ? "this router" : "the peer");
	else
		snprintf(f->direction, sizeof(f->direction), "%s initiating for this traffic: "
			 "%s", ours ? "this router" : "the peer",
			 ver == 2 ? "the responder answers TS_UNACCEPTABLE" :
			 "Quick Mode fails at the responder (proxy identities not supported)");
	snprintf(f->fix, sizeof(f->fix), "permit the mirror image (source and destination "
		 "swapped) in crypto map %s %s, or remove the line", to_map->name,
		 ours ? "of the peer" : "here");
	mc->c.add(mc->c.ctx, f);
}

/* Every line that side from initiates with, against side to. */
static void cm_mirror_dir(struct cm_mirror *mc, const struct ik_config *from,
			  const struct ik_config *to, bool ours)
{
	for (size_t i = 0; i < from->ncmaps; i++) {
		const struct ik_cmap *m = from->cmaps[i];

		if (m->is_dynamic)
			continue;
		for (size_t k = 0; k < m->nentries; k++) {
			const struct ik_cmap_entry *e = m->entries[k];
			struct ik_addr lx;

			if (e->dynamic || !e->acl || !e->npeers ||
			    ik_cmap_local(from, m, e->peers[0].family, &lx))
				continue;
			for (size_t n = 0; n < e->npeers; n++) {
				const struct ik_cmap *tm = ik_cmap_for_local(to, &e->peers[n]);

				if (!tm || !cm_has_addr(to, &e->peers[n]))
					continue;
				for (size_t j = 0; j < e->acl->naces && j < 255; j++)
					if (e->acl->aces[j].action == IK_ACE_PERMIT)
						cm_mirror_line(mc, e, &e->acl->aces[j], &lx,
							       &e->peers[n], tm, ours);
			}
		}
	}
}

void ik_check_cmap_mirror(const struct ik_config *cfg, const struct ik_config *peer,
			  const char *peer_file, ik_cmap_finding_fn add, void *ctx)
{
	struct cm_mirror mc = { .c = { .cfg = cfg, .add = add, .ctx = ctx },
				.peer_file = peer_file };

	cm_mirror_dir(&mc, cfg, peer, true);
	cm_mirror_dir(&mc, peer, cfg, false);
}
