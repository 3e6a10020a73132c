/* Crypto maps over IKEv2: entries that `set ikev2-profile`. The initiator
 * offers the ACL line that the acquire (or `initiate map`) matched as TSi and
 * TSr, in IKE_AUTH for the first line and in CREATE_CHILD_SA for the lines
 * after it; the responder walks the map database in IOS's order (the same
 * `Crypto mapdb : proxy_match` trace as Quick Mode) and narrows the peer's
 * selectors to the first permit line that allows them (RFC 7296 2.9), or to
 * the packet's host pair the peer names first for a per-host entry, or
 * answers TS_UNACCEPTABLE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/v1_int.h"         /* ik_cmap_failover */
#include "ike/v2_int.h"
#include "ike/v2_more.h"
#include "util/addr.h"
#include "util/mutant.h"
#include "util/strbuf.h"
#include "util/util.h"

#define IPS(e, ...) ik_dbg((e)->log, IK_DBG_IPSEC, __VA_ARGS__)

/* ---- selectors: one side of a proxy identity as an IKEv2 TS ---- */

static void ts_from(const struct ik_ts *t, uint8_t proto, struct ik_v2_ts *out)
{
	memset(out, 0, sizeof(*out));
	out->proto = proto;
	out->sport = t->port_lo;
	out->eport = t->port_hi;
	if (t->lo.family == IK_AF_INET6) {
		out->type = IK_V2_TS_IPV6_ADDR_RANGE;
		out->alen = 16;
		memcpy(out->start, t->lo.v6, 16);
		memcpy(out->end, t->hi.v6, 16);
	} else {
		out->type = IK_V2_TS_IPV4_ADDR_RANGE;
		out->alen = 4;
		ik_put32(out->start, t->lo.v4);
		ik_put32(out->end, t->hi.v4);
	}
}

static void ts_to(const struct ik_v2_ts *t, struct ik_ts *out)
{
	memset(out, 0, sizeof(*out));
	out->port_lo = t->sport;
	out->port_hi = t->eport;
	if (t->type == IK_V2_TS_IPV6_ADDR_RANGE) {
		out->lo.family = out->hi.family = IK_AF_INET6;
		memcpy(out->lo.v6, t->start, 16);
		memcpy(out->hi.v6, t->end, 16);
	} else {
		out->lo = ik_addr_v4(ik_get32(t->start));
		out->hi = ik_addr_v4(ik_get32(t->end));
	}
}

void ik_v2_cmap_ts(const struct ik_v2_child_req *cr, struct ik_v2_ts *tsi,
		   struct ik_v2_ts *tsr)
{
	const struct ik_ts *i = cr->exch_initiator ? &cr->proxy.local : &cr->proxy.remote;
	const struct ik_ts *r = cr->exch_initiator ? &cr->proxy.remote : &cr->proxy.local;

	ts_from(i, cr->proxy.proto, tsi);
	ts_from(r, cr->proxy.proto, tsr);
}

void ik_v2_cmap_offer_ts(struct ik_v2_child_req *cr, struct ik_v2_builder *b)
{
	struct ik_v2_ts ti[2], tr[2];
	size_t n = 0;

	ik_v2_cmap_ts(cr, &cr->tsi, &cr->tsr);
	if (cr->pkt.proto != 255 && ik_proxy_within(&cr->pkt, &cr->proxy) &&
	    (!ik_addr_eq(&cr->proxy.local.lo, &cr->proxy.local.hi) ||
	     !ik_addr_eq(&cr->proxy.remote.lo, &cr->proxy.remote.hi))) {
		struct ik_v2_child_req p = *cr;

		p.proxy = cr->pkt;
		ik_v2_cmap_ts(&p, &ti[0], &tr[0]);
		n = 1;
	}
	ti[n] = cr->tsi;
	tr[n] = cr->tsr;
	ik_v2_b_ts(b, IK_V2_PL_TSI, ti, n + 1);
	ik_v2_b_ts(b, IK_V2_PL_TSR, tr, n + 1);
}

/* The packet of flow f as proxy identities (its protocol, addresses and
 * ports as single values), or proto 255 without one. */
static void pkt_of(const struct ik_flow *f, const struct ik_proxy *line, struct ik_proxy *out)
{
	memset(out, 0, sizeof(*out));
	out->proto = 255;
	if (!f || f->src.family != line->local.lo.family)
		return;
	out->proto = line->proto;
	out->local.lo = out->local.hi = f->src;
	out->remote.lo = out->remote.hi = f->dst;
	out->local.port_lo = line->local.port_lo;
	out->local.port_hi = line->local.port_hi;
	out->remote.port_lo = line->remote.port_lo;
	out->remote.port_hi = line->remote.port_hi;
	if (f->sport && line->local.port_lo <= f->sport && f->sport <= line->local.port_hi)
		out->local.port_lo = out->local.port_hi = f->sport;
	if (f->dport && line->remote.port_lo <= f->dport && f->dport <= line->remote.port_hi)
		out->remote.port_lo = out->remote.port_hi = f->dport;
}

void ik_v2_cmap_child_proxy(const struct ik_child *c, struct ik_proxy *px)
{
	const struct ik_selector *s = &c->sa.sel;

	memset(px, 0, sizeof(*px));
	px->proto = s->proto;
	px->local.lo = s->src;
	px->local.hi = ik_prefix_last(&s->src, s->src_plen);
	px->remote.lo = s->dst;
	px->remote.hi = ik_prefix_last(&s->dst, s->dst_plen);
	px->local.port_lo = s->sport;
	px->local.port_hi = s->sport ? s->sport : 65535;
	px->remote.port_lo = s->dport;
	px->remote.port_hi = s->dport ? s->dport : 65535;
}

const struct ik_cmap_entry *ik_v2_cmap_entry_in(const struct ik_config *cfg,
						const struct ik_cmap_entry *ce)
{
	const struct ik_cmap *m;

	if (!ce)
		return NULL;
	m = ik_config_find_cmap(cfg, ce->map->name, ce->map->is_dynamic);
	for (size_t i = 0; m && i < m->nentries; i++)
		if (m->entries[i]->seq == ce->seq)
			return m->entries[i];
	return NULL;
}

/* ---- initiator ---- */

static bool same_proxy(const struct ik_proxy *a, const struct ik_proxy *b)
{
	return ik_proxy_within(a, b) && ik_proxy_within(b, a);
}

/* Whether the peer already has a child of this request id and these proxy
 * identities (a line's, or one host pair of a per-host line), or one is
 * asked for on SA s (in flight or queued). Bounded by the per-peer cap on
 * children and the queue's size. */
static bool already_wanted(struct ik_engine *e, struct ik_v2_ike_sa *s,
			   const struct ik_addr *peer, uint32_t reqid, const struct ik_proxy *px)
{
	struct ik_v2_more *m = s ? ik_v2_more_peek(s) : NULL;
	struct ik_proxy cp;

	for (struct ik_child *c = ik_core_child_first_addr_ip(e, peer); c;
	     c = ik_core_child_next_addr(e, c)) {
		if (c->version != 2 || !c->sa.cmap || c->sa.reqid != reqid || c->rekeying)
			continue;
		ik_v2_cmap_child_proxy(c, &cp);
		if (ik_proxy_within(px, &cp))
			return true;
	}
	if (s && ik_v2_up_ro(s)->want_child && ik_v2_up_ro(s)->child &&
	    s->up->child->cmap && s->state != IKEV2_READY && same_proxy(&s->up->child->proxy, px))
		return true;
	if (!m)
		return false;
	if (m->x == IK_V2_X_CHILD_NEW && m->ccsa && m->ccsa->cr.cmap &&
	    same_proxy(&m->ccsa->cr.proxy, px))
		return true;
	for (unsigned i = 0; i < m->nnew; i++)
		if (same_proxy(&m->new_child[i].proxy, px))
			return true;
	return false;
}

/* An IKEv2 SA of ours to peer, READY or being negotiated by us, or NULL. */
static struct ik_v2_ike_sa *sa_to(struct ik_engine *e, const struct ik_addr *src,
				  const struct ik_addr *peer)
{
	const struct ik_addr l = *src, r = *peer;
	struct ik_v2_ike_sa *s = ik_v2_sa_find_peer(e, &l, &r);

	if (s)
		return s;
	for (struct ik_hlink *h = ik_core_sa_first_addr_ip(e, peer); h; h = ik_htab_next(h)) {
		struct ik_ike_sa *sa = ik_container_of(h, struct ik_ike_sa, by_addr);

		if (!sa->dead && sa->version == 2 && sa->initiator &&
		    sa->state != IKEV2_DELETING && sa->state != IKEV2_DEAD &&
		    ik_addr_eq(&sa->remote.ip, &r) && ik_addr_eq(&sa->local.ip, &l))
			return (struct ik_v2_ike_sa *)sa;
	}
	return NULL;
}

int ik_v2_cmap_start(struct ik_engine *e, const struct ik_addr *src,
		     const struct ik_cmap_entry *ce, size_t ace, const struct ik_proxy *px,
		     const struct ik_flow *f, size_t pi, struct ik_sb *err)
{
	const struct ik_addr *dst = &ce->peers[pi];
	uint32_t reqid = ik_cmap_reqid(ce, ace);
	struct ik_endpoint local, remote;
	struct ik_v2_ike_sa *s;
	struct ik_v2_child_req *cr;
	struct ik_v2_more *m;
	char da[IK_ADDR_ANYSTRLEN];

	if (src->family != dst->family) {
		ik_sb_printf(err, "%% crypto map %s %u: no local %s address for peer %s",
			     ce->map->name, ce->seq, dst->family == IK_AF_INET6 ? "IPv6" : "IPv4",
			     ik_addr_fmt_ios(dst, da));
		return -1;
	}
	ik_log_scope_addr(e->log, dst);
	s = sa_to(e, src, dst);
	if (already_wanted(e, s, dst, reqid, px))
		return 0;
	if (s) {
		struct ik_v2_new_child nc, *q = NULL;

		m = ik_v2_more_get(s);
		nc.cmap = ik_v2_cmap_entry_in(s->cfg, ce);
		if (m && nc.cmap)
			q = ik_v2_more_grow(m->new_child, &m->new_cap, m->nnew, sizeof(*q),
					    IK_V2_MORE_NEW_MAX);
		if (!q) {
			ik_sb_printf(err, "%% crypto map %s %u: %s", ce->map->name, ce->seq,
				     !m ? "out of memory" : !nc.cmap ?
				     "the IKE SA to the peer predates this entry" :
				     m->nnew < IK_V2_MORE_NEW_MAX ? "out of memory" :
				     "too many child SAs waiting for the IKE SA to the peer");
			return -1;
		}
		m->new_child = q;
		nc.ace = ace;
		nc.proxy = *px;
		pkt_of(f, px, &nc.pkt);
		m->new_child[m->nnew++] = nc;
		V2DBG(s, "Child SA for crypto map %s %u queued on the IKE SA to %s",
		      ce->map->name, ce->seq, ik_addr_fmt_ios(dst, da));
		ik_v2_more_run(s);
		return 0;
	}
	local = ik_ep(src, 500);
	remote = ik_ep(dst, 500);
	s = ik_v2_sa_new(e, true, &local, &remote, NULL);
	if (!s) {
		ik_sb_printf(err, "%% out of memory");
		return -1;
	}
	ik_v2_up(s)->tunnel = NULL;
	cr = ik_v2_sa_child(s);
	cr->cmap = ik_v2_cmap_entry_in(s->cfg, ce);
	ik_v2_up(s)->profile = cr->cmap ? cr->cmap->ikev2_profile : NULL;
	if (!ik_v2_sa_profile(s)) {
		ik_sb_printf(err, "%% crypto map %s %u: no IKEv2 profile", ce->map->name, ce->seq);
		ik_v2_sa_delete(s, "no IKEv2 profile", false);
		return -1;
	}
	s->up->want_child = true;
	cr->cmap_ace = ace;
	cr->proxy = *px;
	pkt_of(f, px, &cr->pkt);
	s->up->cmap_peer = (unsigned)pi;
	V2DBG(s, "Initiating IKEv2 for crypto map %s %u to %s (IKEv2 profile %s)",
	      ce->map->name, ce->seq, ik_addr_fmt_ios(dst, da), ik_v2_sa_profile(s)->name);
	if (ik_v2_init_start(s)) {
		ik_sb_printf(err, "%% crypto map %s %u: IKEv2 to %s could not start (see debug "
			     "crypto ikev2)", ce->map->name, ce->seq, da);
		ik_v2_sa_delete(s, "could not start", false);
		return -1;
	}
	return 0;
}

void ik_v2_cmap_failover(struct ik_v2_ike_sa *s)
{
	if (!s->initiator || !s->up || !s->up->want_child || !s->up->child || !s->up->child->cmap ||
	    ik_v2_up_ro(s)->established_ms)
		return;
	ik_cmap_failover(s->e, s->up->child->cmap, s->up->child->cmap_ace, &s->up->child->proxy,
			 s->up->cmap_peer,
			 &s->remote.ip, &s->local.ip);
}

/* ---- responder ---- */

struct choose_ctx {
	struct ik_v2_ike_sa *s;
	const struct ik_v2_ts_list *tsi, *tsr;
	struct ik_proxy first;  /* the peer's first pair, as seen here (traced) */
	struct ik_proxy got;
	size_t ace;
	const struct ik_cmap_entry *host_only; /* a per-host entry the offer failed */
};

static unsigned port_of(const struct ik_ts *t)
{
	return t->port_lo == 0 && t->port_hi == 65535 ? 0 : t->port_lo;
}

static void trace_entry(struct choose_ctx *x, const struct ik_cmap_entry *ce)
{
	struct ik_engine *e = x->s->e;
	char a[IK_ADDR_ANYSTRLEN], b[IK_ADDR_ANYSTRLEN];

	if (ce->ikev2_profile && ce->ikev2_profile != ik_v2_sa_profile(x->s))
		IPS(e, "map_db_check_ikev2_profile profile did not match");
	IPS(e, "Crypto mapdb : proxy_match");
	IPS(e, "\tsrc addr     : %s", ik_addr_fmt_any(&x->first.local.lo, a));
	IPS(e, "\tdst addr     : %s", ik_addr_fmt_any(&x->first.remote.lo, b));
	IPS(e, "\tprotocol     : %u", x->first.proto);
	IPS(e, "\tsrc port     : %u", port_of(&x->first.local));
	IPS(e, "\tdst port     : %u", port_of(&x->first.remote));
}

static bool single(const struct ik_ts *t)
{
	return ik_addr_eq(&t->lo, &t->hi);
}

/* A rough size for choosing the widest narrowing: address span bits of
 * both sides (a /24 beats a /32), then the port spans. */
static uint64_t span(const struct ik_proxy *p)
{
	uint64_t n = 0;
	const struct ik_ts *sides[2] = { &p->local, &p->remote };

	for (int k = 0; k < 2; k++) {
		const struct ik_ts *t = sides[k];
		int bits = 0;

		if (t->lo.family == IK_AF_INET6) {
			for (int i = 0; i < 16; i++) {
				uint8_t d = t->lo.v6[i] ^ t->hi.v6[i];

				if (d) {
					bits = (16 - i) * 8;
					break;
				}
			}
		} else {
			for (uint32_t d = t->lo.v4 ^ t->hi.v4; d; d >>= 1)
				bits++;
		}
		n += (uint64_t)bits << 20;
		n += (uint64_t)(t->port_hi - t->port_lo) >> 12;
	}
	return n;
}

/* The peer's pair (i, r) as proxy identities seen from here. */
static bool pair(const struct choose_ctx *x, size_t i, size_t r, struct ik_proxy *p)
{
	const struct ik_v2_ts *ti = &x->tsi->ts[i], *tr = &x->tsr->ts[r];

	if (ti->proto && tr->proto && ti->proto != tr->proto)
		return false;
	memset(p, 0, sizeof(*p));
	p->proto = ti->proto ? ti->proto : tr->proto;
	ts_to(ti, &p->remote);
	ts_to(tr, &p->local);
	return p->local.lo.family == p->remote.lo.family;
}

/* Whether a deny line before line l of acl holds q. */
static bool denied_before(const struct ik_acl *acl, size_t l, const struct ik_proxy *q)
{
	char why[128];

	for (size_t d = 0; d < l; d++) {
		struct ik_proxy dp;

		if (acl->aces[d].action == IK_ACE_DENY &&
		    !ik_ace_proxy(&acl->aces[d], &dp, why, sizeof(why)) && ik_proxy_within(q, &dp))
			return true;
	}
	return false;
}

/* The peer's first pair when both its sides are single addresses (the
 * packet that raised the peer's acquire, RFC 7296 2.9). */
static bool host_pair(const struct choose_ctx *x, struct ik_proxy *p)
{
	return pair(x, 0, 0, p) && (single(&p->local) && single(&p->remote));
}

/* set security-association level per-host: the peer's packet pair, as
 * much of it as line l allows (its ports), and nothing wider. acl NULL: a
 * dynamic entry without match address. */
static bool line_take_host(const struct choose_ctx *x, const struct ik_acl *acl, size_t l,
			   const struct ik_proxy *lp, struct ik_proxy *out)
{
	struct ik_proxy p, q;

	if (!host_pair(x, &p))
		return false;
	if (!acl) {
		*out = p;
		return true;
	}
	if (!ik_proxy_intersect(&p, lp, &q) || denied_before(acl, l, &q))
		return false;
	*out = q;
	return true;
}

/* The widest part of the peer's selectors that permit line l allows (no
 * earlier deny line holding it); when the peer's lists start with a pair of
 * single addresses (the packet that raised its acquire, RFC 7296 2.9), the
 * line must hold that pair. */
static bool line_take(const struct choose_ctx *x, const struct ik_acl *acl, size_t l,
		      const struct ik_proxy *lp, struct ik_proxy *out)
{
	struct ik_proxy p, q, best;
	bool found = false;

	if (x->tsi->n > 1 && x->tsr->n > 1 && pair(x, 0, 0, &p) && single(&p.local) &&
	    single(&p.remote) && !ik_proxy_within(&p, lp))
		return false;
	for (size_t i = 0; i < x->tsi->n; i++) {
		for (size_t r = 0; r < x->tsr->n; r++) {
			if (!pair(x, i, r, &p) || !ik_proxy_intersect(&p, lp, &q))
				continue;
			if (IK_MUTANT(IK_MUT_V2_CMAP_NARROW))
				q = p;  /* the peer's pair as offered */
			if (denied_before(acl, l, &q) || (found && span(&q) <= span(&best)))
				continue;
			best = q;
			found = true;
		}
	}
	if (found)
		*out = best;
	return found;
}

static bool entry_take(void *ctx, const struct ik_cmap_entry *ce)
{
	struct choose_ctx *x = ctx;
	struct ik_proxy p;
	char why[128];

	trace_entry(x, ce);
	if (!ce->ikev2_profile || ce->ikev2_profile != ik_v2_sa_profile(x->s) || !ce->ntsets)
		return false;
	if (!ik_cmap_peer_allowed(ce, &x->s->remote.ip) && !IK_MUTANT(IK_MUT_V2_CMAP_PEER))
		return false;
	if (ce->per_host && !host_pair(x, &p)) {
		IPS(x->s->e, "crypto map %s %u is per-host: the peer's first traffic selectors "
		    "name no single host pair", ce->map->name, ce->seq);
		if (!x->host_only)
			x->host_only = ce;
		return false;
	}
	if (ce->per_host && !ce->acl_name) {
		x->ace = 255;
		return ce->map->is_dynamic && line_take_host(x, NULL, 0, NULL, &x->got);
	}
	if (!ce->acl_name) {
		/* a dynamic entry without match address: the peer's widest pair
		 * (its subnets rather than the packet it may name first) */
		bool found = false;

		for (size_t i = 0; ce->map->is_dynamic && i < x->tsi->n; i++)
			for (size_t r = 0; r < x->tsr->n; r++)
				if (pair(x, i, r, &p) && (!found || span(&p) > span(&x->got))) {
					x->got = p;
					found = true;
				}
		x->ace = 255;
		return found;
	}
	for (size_t l = 0; ce->acl && l < ce->acl->naces && l < 255; l++) {
		struct ik_proxy lp;

		if (ce->acl->aces[l].action != IK_ACE_PERMIT ||
		    ik_ace_proxy(&ce->acl->aces[l], &lp, why, sizeof(why)))
			continue;
		if (ce->per_host ? line_take_host(x, ce->acl, l, &lp, &x->got) :
		    line_take(x, ce->acl, l, &lp, &x->got)) {
			x->ace = l;
			return true;
		}
	}
	return false;
}

int ik_v2_cmap_choose(struct ik_v2_ike_sa *s, const struct ik_v2_ts_list *tsi,
		      const struct ik_v2_ts_list *tsr, struct ik_v2_child_req *cr,
		      struct ik_v2_ts *ni, struct ik_v2_ts *nr)
{
	const struct ik_cmap *map = ik_cmap_for_local(s->cfg, &s->local.ip);
	struct choose_ctx x = { s, tsi, tsr, { 0 }, { 0 }, 0, NULL };
	const struct ik_cmap_entry *ce, *via;
	char a[IK_ADDR_ANYSTRLEN], b[IK_ADDR_ANYSTRLEN];

	if (!map)
		return 1;
	if (!tsi->n || !tsr->n || !pair(&x, 0, 0, &x.first)) {
		ik_v2_fail(s, "crypto map %s: the peer's traffic selectors are empty or of two "
			   "families: TS_UNACCEPTABLE", map->name);
		return -1;
	}
	ce = ik_cmap_walk(map, entry_take, &x, &via);
	if (!ce) {
		char hint[160] = "";

		if (x.host_only)
			snprintf(hint, sizeof(hint), "; entry %u is per-host and the peer named "
				 "no single host pair first (no packet)", x.host_only->seq);
		ik_v2_fail(s, "no entry of crypto map %s (IKEv2 profile %s) allows the peer's "
			   "traffic selectors (%s -> %s, protocol %u, first of %zu and %zu)%s: "
			   "TS_UNACCEPTABLE", map->name,
			   ik_v2_sa_profile(s) ? ik_v2_sa_profile(s)->name : "?",
			   ik_addr_fmt_any(&x.first.remote.lo, a),
			   ik_addr_fmt_any(&x.first.local.lo, b), x.first.proto, tsi->n, tsr->n,
			   hint);
		return -1;
	}
	cr->tunnel = NULL;
	cr->cmap = ce;
	cr->cmap_ace = x.ace;
	cr->ipsec = &ce->ipsec;
	cr->proxy = x.got;
	ik_v2_cmap_ts(cr, ni, nr);
	return 0;
}
