/* What crypto maps keep in the kernel beside their policies and SAs:
 * reverse routes (`reverse-route`: a route to the remote subnet of each SA
 * pair, via the peer, while the pair is up; `reverse-route static`: for each
 * permit line of the entry while the map is applied) and the packet counts
 * of each ACL line (the SA pairs of the line that are up, read from the
 * kernel when shown, plus the counts of those that are gone).
 *
 * The tables are the daemon's, under its kernel mutex (d->kmu), which the
 * workers hold when a child SA goes up or down. Per child event the work is
 * a hash lookup; only show walks the tables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/acl.h"
#include "daemon/daemon.h"
#include "daemon/show_conf.h"
#include "profile/cmap_select.h"
#include "util/addr.h"
#include "util/util.h"
#include "vti/kernel.h"

/* ---- a small chained hash table of fixed-size records ---- */

struct cmk_node {
	struct cmk_node *next;
	uint64_t key;
};

struct cmk_tab {
	struct cmk_node **b;
	size_t nb, n;
};

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

static struct cmk_node *tab_find(const struct cmk_tab *t, uint64_t key)
{
	if (!t->nb)
		return NULL;
	for (struct cmk_node *n = t->b[mix(key) & (t->nb - 1)]; n; n = n->next)
		if (n->key == key)
			return n;
	return NULL;
}

static int tab_grow(struct cmk_tab *t)
{
	size_t nb = t->nb ? t->nb * 2 : 64;
	struct cmk_node **b = calloc(nb, sizeof(*b));

	if (!b)
		return -1;
	for (size_t i = 0; i < t->nb; i++)
		for (struct cmk_node *n = t->b[i], *next; n; n = next) {
			size_t h = mix(n->key) & (nb - 1);

			next = n->next;
			n->next = b[h];
			b[h] = n;
		}
	free(t->b);
	t->b = b;
	t->nb = nb;
	return 0;
}

/* Adds node (its key set); the caller made sure the key is not there. */
static int tab_add(struct cmk_tab *t, struct cmk_node *node)
{
	size_t h;

	if (t->n >= t->nb && tab_grow(t))
		return -1;
	h = mix(node->key) & (t->nb - 1);
	node->next = t->b[h];
	t->b[h] = node;
	t->n++;
	return 0;
}

static void tab_del(struct cmk_tab *t, struct cmk_node *node)
{
	struct cmk_node **p = &t->b[mix(node->key) & (t->nb - 1)];

	while (*p && *p != node)
		p = &(*p)->next;
	if (*p) {
		*p = node->next;
		t->n--;
	}
}

static void tab_free(struct cmk_tab *t, bool wipe, size_t size)
{
	for (size_t i = 0; i < t->nb; i++)
		for (struct cmk_node *n = t->b[i], *next; n; n = next) {
			next = n->next;
			if (wipe)
				ik_wipe(n, size);
			free(n);
		}
	free(t->b);
	memset(t, 0, sizeof(*t));
}

/* ---- the records ---- */

struct cmk_route {
	struct cmk_node node;   /* key: dst, plen, via */
	struct ik_addr dst, via;
	uint8_t plen;
	unsigned refs;          /* SA pairs up (reverse-route) */
	unsigned static_refs;   /* permit lines of applied maps (reverse-route static) */
	bool installed;
	bool map_dynamic;       /* map names a dynamic map */
	char map[64];           /* the entry's map, for show */
};

struct cmk_line {
	struct cmk_node node;   /* key: request id */
	uint64_t packets, bytes; /* of the SA pairs that are gone (both directions) */
	uint64_t show_packets;  /* scratch of a show */
};

struct cmk_child {
	struct cmk_node node;   /* key: inbound destination and SPI */
	struct ik_child_sa sa;  /* keys wiped: ids, selectors, request id */
};

struct ikd_cmk {
	struct cmk_tab routes, lines, children;
};

/* FNV-1a over an address's key bytes, onto h. */
static uint64_t addr_hash(uint64_t h, const struct ik_addr *a)
{
	uint8_t k[IK_ADDR_KEYLEN];
	size_t n = ik_addr_key(a, k);

	for (size_t i = 0; i < n; i++)
		h = (h ^ k[i]) * 0x100000001b3ull;
	return h;
}

static uint64_t route_key(const struct ik_addr *dst, uint8_t plen, const struct ik_addr *via)
{
	return addr_hash(addr_hash(0xcbf29ce484222325ull ^ plen, dst), via);
}

static uint64_t child_key(const struct ik_child_sa *c)
{
	return addr_hash(0xcbf29ce484222325ull ^ c->in.spi, &c->in.dst);
}

static struct ikd_cmk *cmk(struct ikd *d)
{
	if (!d->cmk)
		d->cmk = calloc(1, sizeof(*d->cmk));
	return d->cmk;
}

/* The interface of cfg that carries map NAME (a dynamic map: a map with an
 * entry naming it), or NULL. */
static const char *map_ifname(const struct ik_config *cfg, const char *name, bool dynamic)
{
	for (size_t i = 0; cfg && i < cfg->ncmap_ifaces; i++)
		for (int f = 0; f < 2; f++) {
			const struct ik_cmap *m = ik_cmap_of_iface(cfg->cmap_ifaces[i],
								   f ? IK_AF_INET6 : IK_AF_INET4);
			bool carries = m && !dynamic && !strcmp(m->name, name);

			for (size_t k = 0; m && !carries && dynamic && k < m->nentries; k++)
				carries = m->entries[k]->dynamic_name &&
					  !strcmp(m->entries[k]->dynamic_name, name);
			if (carries)
				return cfg->cmap_ifaces[i]->name;
		}
	return NULL;
}

static struct cmk_route *route_get(struct ikd *d, const struct ik_addr *dst, uint8_t plen,
				   const struct ik_addr *via)
{
	struct ikd_cmk *c = cmk(d);
	uint64_t key = route_key(dst, plen, via);
	struct cmk_route *r;

	if (!c)
		return NULL;
	r = (struct cmk_route *)tab_find(&c->routes, key);
	if (r)   /* the same route, or (64-bit key collision) another: not kept */
		return ik_addr_eq(&r->dst, dst) && r->plen == plen && ik_addr_eq(&r->via, via) ?
		       r : NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->node.key = key;
	r->dst = *dst;
	r->plen = plen;
	r->via = *via;
	if (tab_add(&c->routes, &r->node)) {
		free(r);
		return NULL;
	}
	return r;
}

/* The route is wanted (refs or static_refs) and not installed: installs
 * it; not wanted: removes it and forgets it. */
static void route_sync(struct ikd *d, struct cmk_route *r)
{
	struct ik_kernel *k = d->kernel;
	char a[2][IK_ADDR_ANYSTRLEN];

	if ((r->refs || r->static_refs) && !r->installed) {
		if (k->ops->route_add(k, &r->dst, r->plen, &r->via))
			ik_msg(&d->log, IK_LOG_ERR, "%%IKERD-3-RRI: reverse-route %s/%u via %s "
			       "(crypto map %s) could not be installed",
			       ik_addr_fmt_any(&r->dst, a[0]), r->plen,
			       ik_addr_fmt_any(&r->via, a[1]), r->map);
		else
			r->installed = true;
		return;
	}
	if (r->refs || r->static_refs)
		return;
	if (r->installed)
		k->ops->route_del(k, &r->dst, r->plen, &r->via);
	tab_del(&cmk(d)->routes, &r->node);
	free(r);
}

static void route_ref(struct ikd *d, const struct ik_cmap_entry *e, const struct ik_addr *dst,
		      uint8_t plen, const struct ik_addr *via, bool is_static, int delta)
{
	struct cmk_route *r = route_get(d, dst, plen, via);

	if (!r) {
		ik_msg(&d->log, IK_LOG_ERR, "%%IKERD-3-RRI: reverse-route of crypto map %s %u: "
		       "cannot be kept (out of memory)", e->map->name, e->seq);
		return;
	}
	if (!r->map[0]) {
		snprintf(r->map, sizeof(r->map), "%s", e->map->name);
		r->map_dynamic = e->map->is_dynamic;
	}
	if (is_static)
		r->static_refs = delta > 0 ? r->static_refs + 1 :
				 r->static_refs ? r->static_refs - 1 : 0;
	else
		r->refs = delta > 0 ? r->refs + 1 : r->refs ? r->refs - 1 : 0;
	route_sync(d, r);
}

/* ---- child SAs ---- */

void ikd_cmap_child(struct ikd *d, const struct ik_child_sa *c, bool up)
{
	struct ikd_cmk *m = cmk(d);
	const struct ik_cmap_entry *e = c->cmap;
	struct cmk_child *ch;
	struct cmk_node *n;

	if (!e || !m)
		return;
	if (e->reverse_route && !e->reverse_route_static)
		route_ref(d, e, &c->sel.dst, c->sel.dst_plen, &c->out.dst, false, up ? 1 : -1);
	n = tab_find(&m->children, child_key(c));
	if (n && (((struct cmk_child *)n)->sa.in.spi != c->in.spi ||
		  !ik_addr_eq(&((struct cmk_child *)n)->sa.in.dst, &c->in.dst)))
		n = NULL;       /* another pair under the same key: this one is not kept */
	if (up && !n && !tab_find(&m->children, child_key(c))) {
		ch = calloc(1, sizeof(*ch));
		if (!ch)
			return;
		ch->node.key = child_key(c);
		ch->sa = *c;
		ik_wipe(ch->sa.in.enc_key, sizeof(ch->sa.in.enc_key));
		ik_wipe(ch->sa.in.auth_key, sizeof(ch->sa.in.auth_key));
		ik_wipe(ch->sa.out.enc_key, sizeof(ch->sa.out.enc_key));
		ik_wipe(ch->sa.out.auth_key, sizeof(ch->sa.out.auth_key));
		ch->sa.tunnel = NULL;
		ch->sa.cmap = NULL;     /* of a snapshot that may go: not kept */
		ch->sa.fvrf = NULL;
		if (tab_add(&m->children, &ch->node))
			free(ch);
		return;
	}
	if (!up && n) {
		struct ik_sa_counters in, out;
		struct cmk_line *l;
		uint64_t key = c->reqid;

		ch = (struct cmk_child *)n;
		tab_del(&m->children, n);
		/* what the pair counted stays with its line */
		if (!d->kernel->ops->child_counters(d->kernel, &ch->sa, &in, &out)) {
			l = (struct cmk_line *)tab_find(&m->lines, key);
			if (!l && (l = calloc(1, sizeof(*l)))) {
				l->node.key = key;
				if (tab_add(&m->lines, &l->node)) {
					free(l);
					l = NULL;
				}
			}
			if (l) {
				l->packets += in.packets + out.packets;
				l->bytes += in.bytes + out.bytes;
			}
		}
		free(ch);
	}
}

/* ---- reverse-route static ---- */

static void static_routes(struct ikd *d, const struct ik_config *cfg, int delta)
{
	for (size_t i = 0; cfg && i < cfg->ncmap_entries; i++) {
		const struct ik_cmap_entry *e = cfg->cmap_entries[i];

		if (!e->reverse_route_static || !e->acl || !e->npeers || e->map->is_dynamic ||
		    !map_ifname(cfg, e->map->name, false))
			continue;       /* a map applied nowhere installs nothing */
		for (size_t a = 0; a < e->acl->naces; a++) {
			struct ik_proxy p;
			struct ik_addr net;
			char why[160];
			int plen;

			if (e->acl->aces[a].action != IK_ACE_PERMIT ||
			    ik_ace_proxy(&e->acl->aces[a], &p, why, sizeof(why)))
				continue;
			plen = ik_range_cover(&p.remote.lo, &p.remote.hi, &net);
			route_ref(d, e, &net, (uint8_t)plen, &e->peers[0], true, delta);
		}
	}
}

void ikd_cmap_static_sync(struct ikd *d, const struct ik_config *old,
			  const struct ik_config *nw)
{
	pthread_mutex_lock(&d->kmu);
	/* the new ones first: a route both have stays installed */
	static_routes(d, nw, 1);
	static_routes(d, old, -1);
	pthread_mutex_unlock(&d->kmu);
}

void ikd_cmap_kernel_free(struct ikd *d)
{
	struct ikd_cmk *m = d->cmk;

	if (!m)
		return;
	for (size_t i = 0; i < m->routes.nb; i++)
		for (struct cmk_node *n = m->routes.b[i]; n; n = n->next) {
			struct cmk_route *r = (struct cmk_route *)n;

			if (r->installed)
				d->kernel->ops->route_del(d->kernel, &r->dst, r->plen, &r->via);
		}
	tab_free(&m->routes, false, 0);
	tab_free(&m->lines, false, 0);
	tab_free(&m->children, true, sizeof(struct cmk_child));
	free(m);
	d->cmk = NULL;
}

/* ---- show ---- */

static int route_cmp(const void *pa, const void *pb)
{
	const struct cmk_route *x = *(const struct cmk_route *const *)pa;
	const struct cmk_route *y = *(const struct cmk_route *const *)pb;

	uint8_t a[IK_ADDR_KEYLEN], b[IK_ADDR_KEYLEN];
	size_t na = ik_addr_key(&x->dst, a), nb = ik_addr_key(&y->dst, b);
	int c = memcmp(a, b, na < nb ? na : nb);

	if (c || na != nb)
		return c ? c : na < nb ? -1 : 1;
	if (x->plen != y->plen)
		return x->plen > y->plen ? -1 : 1;
	na = ik_addr_key(&x->via, a);
	nb = ik_addr_key(&y->via, b);
	c = memcmp(a, b, na < nb ? na : nb);
	return c ? c : na < nb ? -1 : na > nb;
}

void ikd_show_crypto_route(struct ikd *d, bool json, struct ik_sb *out)
{
	struct ikd_cmk *m;
	struct cmk_route **v = NULL;
	size_t n = 0;

	pthread_mutex_lock(&d->kmu);
	m = d->cmk;
	if (m && m->routes.n)
		v = calloc(m->routes.n, sizeof(*v));
	for (size_t i = 0; v && i < m->routes.nb; i++)
		for (struct cmk_node *x = m->routes.b[i]; x; x = x->next)
			v[n++] = (struct cmk_route *)x;
	if (n)
		qsort(v, n, sizeof(*v), route_cmp);
	if (json)
		ik_sb_add(out, "{\"routes\":[");
	else
		ik_sb_add(out, "\nVPN Routing Table: Shows RRI and VTI created routes\n"
			  "Codes: RRI - Reverse-Route, VTI- Virtual Tunnel Interface\n"
			  "        S - Static Map ACLs\n\n");
	if (!json && n)
		ik_sb_add(out, "Routes created in table GLOBAL DEFAULT\n");
	for (size_t i = 0; i < n; i++) {
		const struct cmk_route *r = v[i];
		const char *ifn = map_ifname(d->cfg, r->map, r->map_dynamic);
		char a[3][IK_ADDR_ANYSTRLEN];

		if (json) {
			ik_sb_printf(out, "%s{\"prefix\":\"%s/%u\",\"via\":\"%s\",\"interface\":",
				     i ? "," : "", ik_addr_fmt_any(&r->dst, a[0]), r->plen,
				     ik_addr_fmt_any(&r->via, a[1]));
			ik_sb_json_str(out, ifn);
			ik_sb_add(out, ",\"crypto_map\":");
			ik_sb_json_str(out, r->map);
			ik_sb_printf(out, ",\"static\":%s,\"sa_pairs\":%u,\"installed\":%s}",
				     r->static_refs ? "true" : "false", r->refs,
				     r->installed ? "true" : "false");
			continue;
		}
		/* IOS: an IPv4 prefix with its mask, an IPv6 one with its length */
		if (r->dst.family == IK_AF_INET6)
			ik_sb_printf(out, "%s/%u", ik_addr_fmt_ios(&r->dst, a[0]), r->plen);
		else
			ik_sb_printf(out, "%s/%s", ik_addr_fmt(r->dst.v4, a[0]),
				     ik_addr_fmt(ik_sel_mask4(r->plen), a[1]));
		ik_sb_printf(out, " [1/0] via %s tag 0\n", ik_addr_fmt_ios(&r->via, a[2]));
		ik_sb_printf(out, "\t\t\t\ton %s RRI%s%s\n", ifn ? ifn : "?",
			     r->static_refs ? " S" : "", r->installed ? "" : " (not installed)");
	}
	if (json)
		ik_sb_add(out, "]}\n");
	pthread_mutex_unlock(&d->kmu);
	free(v);
}

/* The packets of each request id: the lines' totals of pairs gone, plus
 * what the kernel counts for the pairs up (read now). Under kmu. */
static void line_counts(struct ikd *d)
{
	struct ikd_cmk *m = d->cmk;

	for (size_t i = 0; i < m->lines.nb; i++)
		for (struct cmk_node *x = m->lines.b[i]; x; x = x->next)
			((struct cmk_line *)x)->show_packets = ((struct cmk_line *)x)->packets;
	for (size_t i = 0; i < m->children.nb; i++)
		for (struct cmk_node *x = m->children.b[i]; x; x = x->next) {
			struct cmk_child *ch = (struct cmk_child *)x;
			struct ik_sa_counters in, out;
			struct cmk_line *l = (struct cmk_line *)tab_find(&m->lines, ch->sa.reqid);

			if (!l && (l = calloc(1, sizeof(*l)))) {
				l->node.key = ch->sa.reqid;
				if (tab_add(&m->lines, &l->node)) {
					free(l);
					l = NULL;
				}
			}
			if (!l || d->kernel->ops->child_counters(d->kernel, &ch->sa, &in, &out))
				continue;
			l->show_packets += in.packets + out.packets;
		}
}

int ikd_cmap_counts(struct ikd *d, const struct ik_config *cfg, struct ik_cmap_counts *out)
{
	memset(out, 0, sizeof(*out));
	out->cfg = cfg;
	out->nacl = cfg->nacls;
	out->nentry = cfg->ncmap_entries;
	out->acl_line = calloc(cfg->nacls ? cfg->nacls : 1, sizeof(*out->acl_line));
	out->entry = calloc(cfg->ncmap_entries ? cfg->ncmap_entries : 1, sizeof(*out->entry));
	if (!out->acl_line || !out->entry) {
		ik_cmap_counts_free(out);
		return -1;
	}
	for (size_t i = 0; i < cfg->nacls; i++) {
		out->acl_line[i] = calloc(cfg->acls[i]->naces ? cfg->acls[i]->naces : 1,
					  sizeof(uint64_t));
		if (!out->acl_line[i]) {
			ik_cmap_counts_free(out);
			return -1;
		}
	}
	pthread_mutex_lock(&d->kmu);
	if (d->cmk) {
		line_counts(d);
		for (size_t i = 0; i < cfg->ncmap_entries; i++) {
			const struct ik_cmap_entry *e = cfg->cmap_entries[i];
			size_t ai;

			if (!e->acl)
				continue;
			for (ai = 0; ai < cfg->nacls && cfg->acls[ai] != e->acl; ai++)
				;
			for (size_t a = 0; a < e->acl->naces && a < 255; a++) {
				const struct cmk_line *l = (const struct cmk_line *)
					tab_find(&d->cmk->lines, ik_cmap_reqid(e, a));
				uint64_t p = l ? l->show_packets : 0;

				out->entry[i] += p;
				if (ai < cfg->nacls)
					out->acl_line[ai][a] += p;
			}
		}
	}
	pthread_mutex_unlock(&d->kmu);
	return 0;
}
