/* Quick Mode for crypto maps: proxy identities (ID payloads) read into
 * traffic selectors, the map entry that takes them (responder), the IOS
 * trace of the map database, and the child SA's selectors. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/v1_int.h"
#include "ike/v2_int.h"
#include "util/strbuf.h"
#include "util/addr.h"
#include "util/util.h"

#define IPS(p1, ...) ik_dbg((p1)->e->log, IK_DBG_IPSEC, __VA_ARGS__)
#define DBG(p1, ...) ik_dbg((p1)->e->log, IK_DBG_ISAKMP, __VA_ARGS__)

static struct ik_addr v4_at(const uint8_t *p)
{
	return ik_addr_v4(ik_get32(p));
}

static struct ik_addr v6_at(const uint8_t *p)
{
	struct ik_addr a = { .family = IK_AF_INET6 };

	memcpy(a.v6, p, 16);
	return a;
}

/* The body of an IPsec ID payload (RFC 2407 4.6.2): type, protocol, port,
 * then an address, a subnet (address and mask) or a range. -1 with why
 * for anything else. */
int ik_v1_id_ts(const uint8_t *b, size_t n, uint8_t *proto, struct ik_ts *ts, char *why,
		size_t len)
{
	uint16_t port;

	if (n < 4) {
		snprintf(why, len, "%zu bytes", n);
		return -1;
	}
	*proto = b[1];
	port = ik_get16(b + 2);
	memset(ts, 0, sizeof(*ts));
	ts->port_lo = port;
	ts->port_hi = port ? port : 65535;
	switch (b[0]) {
	case IK_V1_ID_IPV4_ADDR:
		if (n != 8)
			break;
		ts->lo = ts->hi = v4_at(b + 4);
		return 0;
	case IK_V1_ID_IPV4_ADDR_SUBNET: {
		uint32_t a, m;

		if (n != 12)
			break;
		a = ik_get32(b + 4);
		m = ik_get32(b + 8);
		if (ik_mask_plen(m) < 0)
			break;
		ts->lo = ik_addr_v4(a & m);
		ts->hi = ik_addr_v4(a | ~m);
		return 0;
	}
	case IK_V1_ID_IPV4_ADDR_RANGE:
		if (n != 12 || ik_get32(b + 4) > ik_get32(b + 8))
			break;
		ts->lo = v4_at(b + 4);
		ts->hi = v4_at(b + 8);
		return 0;
	case 5: /* ID_IPV6_ADDR */
		if (n != 20)
			break;
		ts->lo = ts->hi = v6_at(b + 4);
		return 0;
	case 6: { /* ID_IPV6_ADDR_SUBNET */
		struct ik_addr m = { .family = IK_AF_INET6 };

		if (n != 36)
			break;
		for (int i = 0; i < 16; i++)
			m.v6[i] = (uint8_t)~b[20 + i];
		if (ik_wild_plen(&m) < 0)
			break;
		ts->lo = v6_at(b + 4);
		ts->hi = v6_at(b + 4);
		for (int i = 0; i < 16; i++) {
			ts->lo.v6[i] &= b[20 + i];
			ts->hi.v6[i] |= (uint8_t)~b[20 + i];
		}
		return 0;
	}
	case 8: /* ID_IPV6_ADDR_RANGE */
		if (n != 36 || memcmp(b + 4, b + 20, 16) > 0)
			break;
		ts->lo = v6_at(b + 4);
		ts->hi = v6_at(b + 20);
		return 0;
	}
	snprintf(why, len, "type %u with %zu bytes is not an address, subnet or range", b[0], n);
	return -1;
}

static int id_ts(const struct ik_v1_pl *id, uint8_t *proto, struct ik_ts *ts, char *why,
		 size_t len)
{
	char w[120];

	if (!ik_v1_id_ts(id->body, id->body_len, proto, ts, w, sizeof(w)))
		return 0;
	snprintf(why, len, "ID payload at offset %zu: %s", id->off, w);
	return -1;
}

/* "192.0.2.0/255.255.255.0" (a subnet), "192.0.2.1/255.255.255.255", or
 * "192.0.2.1-192.0.2.9" for a range that is not a subnet. */
static void ts_fmt(const struct ik_ts *t, char *buf, size_t len)
{
	char a[IK_ADDR_ANYSTRLEN], b[IK_ADDR_ANYSTRLEN];

	if (t->lo.family == IK_AF_INET4) {
		uint32_t m = ~(t->lo.v4 ^ t->hi.v4);

		if (ik_mask_plen(m) >= 0 && (t->lo.v4 & ~m) == 0 && (t->hi.v4 | m) == 0xffffffffu) {
			snprintf(buf, len, "%s/%s", ik_addr_fmt_any(&t->lo, a),
				 ik_addr_fmt(m, b));
			return;
		}
	}
	snprintf(buf, len, "%s-%s", ik_addr_fmt_any(&t->lo, a), ik_addr_fmt_any(&t->hi, b));
}

static void trace_proxy_pair(struct ik_p1 *p1, const struct ik_proxy *px)
{
	char l[100], r[100];

	ts_fmt(&px->local, l, sizeof(l));
	ts_fmt(&px->remote, r, sizeof(r));
	IPS(p1, "    local_proxy= %s/%u/%u (type=%u),", l, px->proto,
	    px->local.port_lo == 0 && px->local.port_hi == 65535 ? 0 : px->local.port_lo,
	    px->local.lo.family == IK_AF_INET6 ? 6u : 4u);
	IPS(p1, "    remote_proxy= %s/%u/%u (type=%u),", r, px->proto,
	    px->remote.port_lo == 0 && px->remote.port_hi == 65535 ? 0 : px->remote.port_lo,
	    px->remote.lo.family == IK_AF_INET6 ? 6u : 4u);
}

void ik_v1_cmap_trace_proxies(struct ik_p1 *p1, const struct ik_qm *q)
{
	trace_proxy_pair(p1, &q->proxy);
}

void ik_v1_cmap_trace_request(struct ik_p1 *p1)
{
	if (p1->up && p1->up->cmx)
		trace_proxy_pair(p1, &p1->up->cmx->proxy);
}

struct trace_ctx {
	struct ik_p1 *p1;
	const struct ik_proxy *p;
};

/* IOS's map database trace, once per entry it looks at. */
static void trace_entry(void *ctx, const struct ik_cmap_entry *e)
{
	struct trace_ctx *t = ctx;
	struct ik_p1 *p1 = t->p1;
	char a[IK_ADDR_ANYSTRLEN], b[IK_ADDR_ANYSTRLEN];

	if (e->isakmp_profile &&
	    (!p1->profile || strcmp(p1->profile->name, e->isakmp_profile->name)))
		IPS(p1, "map_db_check_isakmp_profile profile did not match");
	IPS(p1, "Crypto mapdb : proxy_match");
	IPS(p1, "\tsrc addr     : %s", ik_addr_fmt_any(&t->p->local.lo, a));
	IPS(p1, "\tdst addr     : %s", ik_addr_fmt_any(&t->p->remote.lo, b));
	IPS(p1, "\tprotocol     : %u", t->p->proto);
	IPS(p1, "\tsrc port     : %u", t->p->local.port_lo == 0 &&
	    t->p->local.port_hi == 65535 ? 0 : t->p->local.port_lo);
	IPS(p1, "\tdst port     : %u", t->p->remote.port_lo == 0 &&
	    t->p->remote.port_hi == 65535 ? 0 : t->p->remote.port_lo);
}

int ik_v1_cmap_select(struct ik_p1 *p1, struct ik_qm *q, const struct ik_v1_pl *idci,
		      const struct ik_v1_pl *idcr)
{
	const struct ik_cmap *map = ik_cmap_for_local(q->cfg, &p1->local.ip);
	struct ik_cmap_match m;
	uint8_t pi, pr;
	char why[160];

	if (!map)
		return 1;
	if (!idci || !idcr) {
		DBG(p1, "ISAKMP:(%u): crypto map %s needs proxy identities: the peer sent none",
		    p1->conn_id, map->name);
		return -1;
	}
	memset(&q->proxy, 0, sizeof(q->proxy));
	/* IDci is the peer's side: our remote */
	if (id_ts(idci, &pi, &q->proxy.remote, why, sizeof(why)) ||
	    id_ts(idcr, &pr, &q->proxy.local, why, sizeof(why))) {
		DBG(p1, "ISAKMP:(%u): %s", p1->conn_id, why);
		return -1;
	}
	if (pi != pr) {
		DBG(p1, "ISAKMP:(%u): proxy identities name protocols %u and %u", p1->conn_id,
		    pi, pr);
		return -1;
	}
	q->proxy.proto = pi;
	q->cmap_map = map;
	if (ik_cmap_match_proxy(map, 1, &p1->remote.ip, &q->proxy, NULL, NULL, &m))
		return -1;
	q->cmap = m.entry;
	q->cmap_ace = m.ace_idx;
	q->ipsec = &m.entry->ipsec;
	return 0;
}

void ik_v1_cmap_trace_walk(struct ik_p1 *p1, const struct ik_qm *q)
{
	struct trace_ctx tc = { p1, &q->proxy };
	struct ik_cmap_match m;

	if (q->cmap_map)
		(void)ik_cmap_match_proxy(q->cmap_map, 1, &p1->remote.ip, &q->proxy, trace_entry,
					  &tc, &m);
}

/* A range that is a subnet as that prefix; else the smallest subnet
 * holding it (a range proxy becomes the prefix that covers it). */
static void ts_prefix(const struct ik_ts *t, struct ik_addr *addr, uint8_t *plen)
{
	*plen = (uint8_t)ik_range_cover(&t->lo, &t->hi, addr);
}

void ik_v1_cmap_child(const struct ik_qm *q, struct ik_child_sa *c)
{
	const struct ik_proxy *p = &q->proxy;

	c->ifname[0] = '\0';
	c->tunnel = NULL;
	c->cmap = q->cmap;
	c->mode = IK_MODE_TUNNEL;
	ts_prefix(&p->local, &c->sel.src, &c->sel.src_plen);
	ts_prefix(&p->remote, &c->sel.dst, &c->sel.dst_plen);
	c->sel.proto = p->proto;
	c->sel.sport = p->local.port_lo == p->local.port_hi ? p->local.port_lo : 0;
	c->sel.dport = p->remote.port_lo == p->remote.port_hi ? p->remote.port_lo : 0;
	c->reqid = ik_cmap_reqid(q->cmap, q->cmap_ace);
}

size_t ik_v1_cmap_id(const struct ik_ts *ts, uint8_t proto, uint8_t body[40])
{
	uint16_t port = ts->port_lo == ts->port_hi ? ts->port_lo : 0;
	bool v6 = ts->lo.family == IK_AF_INET6;

	body[1] = proto;
	ik_put16(body + 2, port);
	if (!v6) {
		uint32_t m = ~(ts->lo.v4 ^ ts->hi.v4);

		if (ts->lo.v4 == ts->hi.v4) {
			body[0] = IK_V1_ID_IPV4_ADDR;
			ik_put32(body + 4, ts->lo.v4);
			return 8;
		}
		if (ik_mask_plen(m) >= 0 && (ts->lo.v4 & ~m) == 0) {
			body[0] = IK_V1_ID_IPV4_ADDR_SUBNET;
			ik_put32(body + 4, ts->lo.v4);
			ik_put32(body + 8, m);
			return 12;
		}
		body[0] = IK_V1_ID_IPV4_ADDR_RANGE;
		ik_put32(body + 4, ts->lo.v4);
		ik_put32(body + 8, ts->hi.v4);
		return 12;
	}
	if (!memcmp(ts->lo.v6, ts->hi.v6, 16)) {
		body[0] = 5; /* ID_IPV6_ADDR */
		memcpy(body + 4, ts->lo.v6, 16);
		return 20;
	}
	{
		struct ik_addr net;
		int plen = ik_range_prefix(&ts->lo, &ts->hi, &net);

		if (plen >= 0) {
			/* a prefix: address and mask, as IOS sends an IPv6 ACL line */
			body[0] = IK_V1_ID_IPV6_ADDR_SUBNET;
			memcpy(body + 4, net.v6, 16);
			memset(body + 20, 0xff, 16);
			ik_addr6_mask(body + 20, plen);
			return 36;
		}
	}
	body[0] = IK_V1_ID_IPV6_ADDR_RANGE;
	memcpy(body + 4, ts->lo.v6, 16);
	memcpy(body + 20, ts->hi.v6, 16);
	return 36;
}

/* The entry of the current configuration with the map name and sequence
 * number of e (which may belong to an older snapshot), or NULL. */
static const struct ik_cmap_entry *entry_now(const struct ik_config *cfg,
					     const struct ik_cmap_entry *e)
{
	const struct ik_cmap *m = ik_config_find_cmap(cfg, e->map->name, e->map->is_dynamic);

	for (size_t i = 0; m && i < m->nentries; i++)
		if (m->entries[i]->seq == e->seq)
			return m->entries[i];
	return NULL;
}

void ik_v1_cmap_start_wanted(struct ik_p1 *p1)
{
	const struct ik_cmap_entry *e = entry_now(p1->e->cfg, p1->up->cmap);

	p1->up->want_qm = false;
	if (!e || !e->acl || p1->up->cmx->ace >= e->acl->naces) {
		DBG(p1, "ISAKMP:(%u): crypto map %s %u changed during phase 1: no Quick Mode",
		    p1->conn_id, p1->up->cmap->map->name, p1->up->cmap->seq);
		return;
	}
	ik_v1_qm_start_cmap(p1, e, p1->up->cmx->ace, &p1->up->cmx->proxy, p1->up->want_rekey_of);
}

/* Phase 1 (or only Quick Mode) to peer number pi of entry e for line ace. */
static int start_peer(struct ik_engine *e, const struct ik_addr *src,
		      const struct ik_cmap_entry *ce, size_t ace, const struct ik_proxy *px,
		      const struct ik_flow *f, size_t pi, struct ik_sb *err)
{
	struct ik_endpoint local, remote;
	struct ik_proxy hp;
	struct ik_p1 *p1;
	const struct ik_addr *dst = &ce->peers[pi];
	char da[IK_ADDR_ANYSTRLEN];

	if (ce->per_host && f && f->src.family == px->local.lo.family &&
	    f->dst.family == px->remote.lo.family) {
		/* set security-association level per-host: the packet's hosts */
		hp = *px;
		hp.local.lo = hp.local.hi = f->src;
		hp.remote.lo = hp.remote.hi = f->dst;
		px = &hp;
	}
	if (ce->ikev2_profile)
		return ik_v2_cmap_start(e, src, ce, ace, px, f, pi, err);

	if (src->family != dst->family) {
		ik_sb_printf(err, "%% crypto map %s %u: no local %s address for peer %s",
			     ce->map->name, ce->seq, dst->family == IK_AF_INET6 ? "IPv6" : "IPv4",
			     ik_addr_fmt_ios(dst, da));
		return -1;
	}
	ik_log_scope_addr(e->log, dst);
	p1 = ik_v1_p1_find_peer_ip(e, src, dst, false);
	if (p1 && p1->state == IKE_P1_COMPLETE && !p1->up->rekey_started)
		return ik_v1_qm_start_cmap(p1, ce, ace, px, 0);
	if (p1 && p1->initiator && p1->state != IKE_P1_COMPLETE)
		return 0; /* phase 1 under way: the next packet asks again */
	local = ik_ep(src, 500);
	remote = ik_ep(dst, 500);
	p1 = ik_v1_p1_new(e, true, &local, &remote, NULL);
	if (!p1) {
		ik_sb_printf(err, "%% out of memory");
		return -1;
	}
	ik_v1_p1_up(p1)->cmx = calloc(1, sizeof(*p1->up->cmx));
	if (!p1->up->cmx) {
		ik_sb_printf(err, "%% out of memory");
		ik_v1_p1_delete(p1, "out of memory", false);
		return -1;
	}
	p1->up->cmap = ce;
	p1->up->cmx->ace = ace;
	p1->up->cmx->peer = pi;
	p1->up->cmx->proxy = *px;
	p1->up->want_qm = true;
	if (ik_v1_mm_start(p1)) {
		ik_sb_printf(err, "%% crypto map %s %u: phase 1 to %s could not start (see the "
			     "debug trace)", ce->map->name, ce->seq, ik_addr_fmt_ios(dst, da));
		ik_v1_p1_delete(p1, "could not start", false);
		return -1;
	}
	return 0;
}

void ik_cmap_failover(struct ik_engine *e, const struct ik_cmap_entry *was, size_t ace,
		      const struct ik_proxy *px, size_t cur, const struct ik_addr *dead,
		      const struct ik_addr *src)
{
	const struct ik_cmap_entry *ce = entry_now(e->cfg, was);
	struct ik_cmap_handoff h;
	struct ik_sb err;
	char a[IK_ADDR_ANYSTRLEN], b[IK_ADDR_ANYSTRLEN];
	size_t next = cur + 1;

	if (!ce || e->opts.passive || next >= ce->npeers || !ce->acl || ace >= ce->acl->naces ||
	    ce->peers[next].family != src->family)
		return;
	ik_addr_fmt_ios(dead, a);
	ik_addr_fmt_ios(&ce->peers[next], b);
	if (e->host.owns_peer && !e->host.owns_peer(e->host.ctx, &ce->peers[next])) {
		/* its datagrams reach another engine: that one starts it */
		memset(&h, 0, sizeof(h));
		snprintf(h.map, sizeof(h.map), "%s", ce->map->name);
		h.seq = ce->seq;
		h.ace = ace;
		h.peer_idx = next;
		h.peer = ce->peers[next];
		h.src = *src;
		h.proxy = *px;
		if (e->host.handoff && e->host.handoff(e->host.ctx, &h) == 0) {
			ik_msg(e->log, IK_LOG_INFO, "%%CRYPTO-6-PEER_FAILOVER: crypto map %s %u: "
			       "peer %s does not answer, trying %s (on the worker thread that "
			       "serves it)", ce->map->name, ce->seq, a, b);
			return;
		}
		ik_msg(e->log, IK_LOG_WARNING, "%%CRYPTO-4-PEER_FAILOVER: crypto map %s %u: peer "
		       "%s does not answer; %s is served by another worker thread, which could "
		       "not be asked to start it%s", ce->map->name, ce->seq, a, b,
		       e->host.handoff ? " (its queue is full)" : "");
		return;
	}
	ik_msg(e->log, IK_LOG_INFO, "%%CRYPTO-6-PEER_FAILOVER: crypto map %s %u: peer %s does "
	       "not answer, trying %s", ce->map->name, ce->seq, a, b);
	ik_sb_init(&err);
	if (start_peer(e, src, ce, ace, px, NULL, next, &err))
		ik_msg(e->log, IK_LOG_WARNING, "%s", ik_sb_str(&err));
	ik_sb_free(&err);
}

void ik_v1_cmap_failover(struct ik_p1 *p1)
{
	if (p1->up && p1->up->cmx)
		ik_cmap_failover(p1->e, p1->up->cmap, p1->up->cmx->ace, &p1->up->cmx->proxy,
				 p1->up->cmx->peer, &p1->remote.ip, &p1->local.ip);
}

int ik_engine_cmap_handoff(struct ik_engine *e, const struct ik_cmap_handoff *h)
{
	const struct ik_cmap *m = ik_config_find_cmap(e->cfg, h->map, false);
	const struct ik_cmap_entry *ce = NULL;
	struct ik_sb err;
	int rc;

	for (size_t i = 0; m && i < m->nentries; i++)
		if (m->entries[i]->seq == h->seq)
			ce = m->entries[i];
	if (!ce || e->opts.passive || h->peer_idx >= ce->npeers || !ce->acl ||
	    h->ace >= ce->acl->naces || !ik_addr_eq(&ce->peers[h->peer_idx], &h->peer)) {
		ik_msg(e->log, IK_LOG_WARNING, "%%CRYPTO-4-PEER_FAILOVER: crypto map %s %u changed "
		       "before its failover could start", h->map, h->seq);
		return -1;
	}
	ik_log_scope_addr(e->log, &h->peer);
	ik_sb_init(&err);
	rc = start_peer(e, &h->src, ce, h->ace, &h->proxy, NULL, h->peer_idx, &err);
	if (rc)
		ik_msg(e->log, IK_LOG_WARNING, "%s", ik_sb_str(&err));
	ik_sb_free(&err);
	return rc;
}

int ik_engine_initiate_map(struct ik_engine *e, const char *map, const struct ik_flow *f,
			   struct ik_sb *err)
{
	const struct ik_cmap *m = ik_config_find_cmap(e->cfg, map, false);
	struct ik_cmap_match mt;
	struct ik_proxy px;
	char why[160], s[IK_ADDR_ANYSTRLEN], d[IK_ADDR_ANYSTRLEN];
	struct ik_addr src;

	if (e->opts.passive) {
		ik_sb_printf(err, "%% the engine is passive (responder only)");
		return -1;
	}
	if (!m) {
		ik_sb_printf(err, "%% crypto map %s is not configured", map);
		return -1;
	}
	if (ik_cmap_match_flow(m, f, &mt)) {
		ik_sb_printf(err, "%% no entry of crypto map %s protects %s -> %s (protocol %u)",
			     map, ik_addr_fmt_any(&f->src, s), ik_addr_fmt_any(&f->dst, d),
			     f->proto);
		return -1;
	}
	if (ik_cmap_local(e->cfg, m, mt.entry->peers[0].family, &src)) {
		bool v6 = mt.entry->peers[0].family == IK_AF_INET6;

		ik_sb_printf(err, "%% crypto map %s is applied to no interface with an %s address "
			     "(%s)", map, v6 ? "IPv6" : "IPv4", v6 ? "ipv6 crypto map" :
			     "crypto map");
		return -1;
	}
	if (ik_ace_proxy(mt.ace, &px, why, sizeof(why))) {
		ik_sb_printf(err, "%% crypto map %s %u, access list %s line %d: %s", map,
			     mt.entry->seq, mt.entry->acl->name, mt.ace->line, why);
		return -1;
	}
	return start_peer(e, &src, mt.entry, mt.ace_idx, &px, f, 0, err);
}

/* The map of cfg that carries e: e's own map, or for a dynamic-map entry
 * the first map with an entry naming that dynamic map. */
static const struct ik_cmap *parent_map(const struct ik_config *cfg,
					const struct ik_cmap_entry *e)
{
	if (!e->map->is_dynamic)
		return e->map;
	for (size_t i = 0; i < cfg->ncmaps; i++)
		for (size_t k = 0; k < cfg->cmaps[i]->nentries; k++)
			if (cfg->cmaps[i]->entries[k]->dynamic == e->map)
				return cfg->cmaps[i];
	return NULL;
}

bool ik_v1_cmap_in_map(const struct ik_config *cfg, const struct ik_cmap_entry *e,
		       const char *name)
{
	const struct ik_cmap *m = parent_map(cfg, e);

	return (m && !strcmp(m->name, name)) || !strcmp(e->map->name, name);
}

const char *ik_v1_cmap_ifname(const struct ik_config *cfg, const struct ik_cmap_entry *e)
{
	const struct ik_cmap *m = parent_map(cfg, e);

	for (size_t i = 0; m && i < cfg->ncmap_ifaces; i++)
		if (ik_cmap_iface_carries(cfg->cmap_ifaces[i], m))
			return cfg->cmap_ifaces[i]->name;
	return "";
}

void ik_engine_clear_map(struct ik_engine *e, const char *map)
{
	for (struct ik_child *c = e->children, *next; c; c = next) {
		next = c->next;
		if (!c->sa.cmap || !ik_v1_cmap_in_map(c->cfg, c->sa.cmap, map))
			continue;
		ik_log_scope_addr(e->log, &c->remote.ip);
		ik_core_child_remove(e, c, true, "clear");
	}
}

static int acquire(struct ik_engine *e, uint32_t reqid, const struct ik_flow *f)
{
	const struct ik_cmap_entry *ce;
	struct ik_proxy px;
	struct ik_sb err;
	char why[160];
	struct ik_addr src;
	size_t ace;
	int rc;

	if (e->opts.passive || ik_cmap_by_reqid(e->cfg, reqid, &ce, &ace) ||
	    ik_cmap_local(e->cfg, ce->map, ce->peers[0].family, &src) ||
	    ik_ace_proxy(&ce->acl->aces[ace], &px, why, sizeof(why)))
		return -1;
	ik_sb_init(&err);
	rc = start_peer(e, &src, ce, ace, &px, f, 0, &err);
	if (rc)
		ik_msg(e->log, IK_LOG_WARNING, "%s", ik_sb_str(&err));
	ik_sb_free(&err);
	return rc;
}

int ik_v1_cmap_acquire(struct ik_engine *e, uint32_t reqid)
{
	return acquire(e, reqid, NULL);
}

void ik_engine_acquire_ev(struct ik_engine *e, const struct ik_kevent *ev)
{
	struct ik_flow f;
	bool packet = ev->sel.src_plen == ik_af_bits(ev->sel.src.family) &&
		      ev->sel.dst_plen == ik_af_bits(ev->sel.dst.family);

	if (!(ev->reqid & IK_CMAP_REQID_FLAG)) {
		ik_engine_acquire_ip(e, ev->reqid, &ev->src, &ev->dst);
		return;
	}
	memset(&f, 0, sizeof(f));
	f.proto = ev->sel.proto;
	f.src = ev->sel.src;
	f.dst = ev->sel.dst;
	f.sport = ev->sel.sport;
	f.dport = ev->sel.dport;
	/* XFRM's acquire names the packet (host masks); a selector that does
	 * not is only the policy's */
	(void)acquire(e, ev->reqid, packet ? &f : NULL);
}

bool ik_v1_cmap_kept(const struct ik_config *cfg, const struct ik_cmap_entry *e,
		     const struct ik_addr *peer)
{
	const struct ik_cmap_entry *n = entry_now(cfg, e);

	if (!n || !!n->acl_name != !!e->acl_name ||
	    (n->acl_name && strcmp(n->acl_name, e->acl_name)))
		return false;
	if (!n->npeers)
		return n->map->is_dynamic;
	for (size_t i = 0; i < n->npeers; i++)
		if (ik_addr_eq(&n->peers[i], peer))
			return true;
	return false;
}

void ik_v1_cmap_rekey(struct ik_engine *e, struct ik_child *c)
{
	const struct ik_cmap_entry *ce = entry_now(e->cfg, c->sa.cmap);
	size_t ace = c->sa.reqid & 0xff;
	struct ik_p1 *p1;
	struct ik_proxy px;
	char why[160];

	if (!ce || !ce->acl || ace >= ce->acl->naces ||
	    ik_ace_proxy(&ce->acl->aces[ace], &px, why, sizeof(why)))
		return;
	ik_dbg(e->log, IK_DBG_IPSEC, "IPSEC(sa_request): , rekey of conn id %u (soft lifetime)",
	       c->sa.id);
	p1 = ik_v1_p1_find_peer_ip(e, &c->local.ip, &c->remote.ip, true);
	if (p1) {
		ik_v1_qm_start_cmap(p1, ce, ace, &px, c->sa.id);
	} else {
		struct ik_sb err;
		size_t pi = 0;

		for (size_t i = 0; i < ce->npeers; i++)
			if (ik_addr_eq(&ce->peers[i], &c->remote.ip))
				pi = i;
		ik_sb_init(&err);
		if (start_peer(e, &c->local.ip, ce, ace, &px, NULL, pi, &err) == 0) {
			struct ik_p1 *np = ik_v1_p1_find_peer_ip(e, &c->local.ip, &c->remote.ip,
								false);
			if (np)
				ik_v1_p1_up(np)->want_rekey_of = c->sa.id;
		}
		ik_sb_free(&err);
	}
}
