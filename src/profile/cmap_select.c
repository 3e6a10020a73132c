/* Crypto map selection (profile/cmap_select.h). */
#include "profile/cmap_select.h"

#include <string.h>

#include "ipsec/child.h"

const struct ik_cmap *ik_cmap_of_iface(const struct ik_interface *ifc, uint8_t family)
{
	return family == IK_AF_INET6 ? ifc->crypto_map6 : ifc->crypto_map;
}

bool ik_cmap_iface_carries(const struct ik_interface *ifc, const struct ik_cmap *m)
{
	return m && (ifc->crypto_map == m || ifc->crypto_map6 == m);
}

/* The address of family of interface ifc, into *out; false without one. */
static bool iface_addr(const struct ik_interface *ifc, uint8_t family, struct ik_addr *out)
{
	if (!ifc)
		return false;
	if (family == IK_AF_INET6) {
		if (!ifc->has_addr6)
			return false;
		out->family = IK_AF_INET6;
		memcpy(out->v6, ifc->addr6, 16);
		return true;
	}
	if (!ifc->mask)
		return false;
	*out = ik_addr_v4(ifc->addr);
	return true;
}

const struct ik_interface *ik_cmap_iface_for_local(const struct ik_config *cfg,
						   const struct ik_addr *a)
{
	if (!cfg)
		return NULL;
	for (size_t i = 0; i < cfg->ncmap_ifaces; i++) {
		const struct ik_interface *ifc = cfg->cmap_ifaces[i];
		const struct ik_cmap *m = ik_cmap_of_iface(ifc, a->family);
		const struct ik_interface *src = ifc;
		struct ik_addr la;

		if (!m)
			continue;
		if (m->local_address_if)
			src = ik_config_find_iface(cfg, m->local_address_if);
		if (iface_addr(src, a->family, &la) && ik_addr_eq(&la, a))
			return ifc;
	}
	return NULL;
}

const struct ik_cmap *ik_cmap_for_local(const struct ik_config *cfg, const struct ik_addr *a)
{
	const struct ik_interface *ifc = ik_cmap_iface_for_local(cfg, a);

	return ifc ? ik_cmap_of_iface(ifc, a->family) : NULL;
}

bool ik_cmap_peer_allowed(const struct ik_cmap_entry *e, const struct ik_addr *peer)
{
	if (!e->npeers)
		return e->map->is_dynamic;
	for (size_t i = 0; i < e->npeers; i++)
		if (ik_addr_eq(&e->peers[i], peer))
			return true;
	return false;
}

static bool entry_match(const struct ik_cmap_entry *e, unsigned ike_version,
			const struct ik_addr *peer, const struct ik_proxy *p,
			ik_cmap_trace_fn trace, void *ctx, struct ik_cmap_match *out)
{
	const struct ik_ace *ace;

	if (trace)
		trace(ctx, e);
	if (!ik_cmap_peer_allowed(e, peer) || !e->ntsets ||
	    (ike_version == 1 && e->ikev2_profile) || (ike_version == 2 && !e->ikev2_profile))
		return false;
	if (!e->acl_name) {
		if (!e->map->is_dynamic)
			return false;
		out->entry = e;
		out->ace = NULL;
		out->ace_idx = 255;
		return true;
	}
	if (!e->acl || !(ace = ik_acl_proxy_match(e->acl, p)))
		return false;
	out->entry = e;
	out->ace = ace;
	out->ace_idx = (size_t)(ace - e->acl->aces);
	return true;
}

int ik_cmap_match_proxy(const struct ik_cmap *map, unsigned ike_version,
			const struct ik_addr *peer, const struct ik_proxy *p,
			ik_cmap_trace_fn trace, void *ctx, struct ik_cmap_match *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; map && i < map->nentries; i++) {
		const struct ik_cmap_entry *e = map->entries[i];

		if (!e->dynamic) {
			if (entry_match(e, ike_version, peer, p, trace, ctx, out))
				return 0;
			continue;
		}
		for (size_t k = 0; k < e->dynamic->nentries; k++)
			if (entry_match(e->dynamic->entries[k], ike_version, peer, p, trace, ctx,
					out)) {
				out->via = e;
				return 0;
			}
	}
	return -1;
}

const struct ik_cmap_entry *ik_cmap_walk(const struct ik_cmap *map, ik_cmap_walk_fn fn,
					 void *ctx, const struct ik_cmap_entry **via)
{
	*via = NULL;
	for (size_t i = 0; map && i < map->nentries; i++) {
		const struct ik_cmap_entry *e = map->entries[i];

		if (!e->dynamic) {
			if (fn(ctx, e))
				return e;
			continue;
		}
		for (size_t k = 0; k < e->dynamic->nentries; k++)
			if (fn(ctx, e->dynamic->entries[k])) {
				*via = e;
				return e->dynamic->entries[k];
			}
	}
	return NULL;
}

int ik_cmap_match_flow(const struct ik_cmap *map, const struct ik_flow *f,
		       struct ik_cmap_match *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; map && i < map->nentries; i++) {
		const struct ik_cmap_entry *e = map->entries[i];
		const struct ik_ace *ace;

		if (e->dynamic || !e->acl || !e->npeers || !e->ntsets)
			continue;
		ace = ik_acl_lookup(e->acl, f);
		if (!ace || ace->action != IK_ACE_PERMIT)
			continue;
		out->entry = e;
		out->ace = ace;
		out->ace_idx = (size_t)(ace - e->acl->aces);
		return 0;
	}
	return -1;
}

uint32_t ik_cmap_reqid(const struct ik_cmap_entry *e, size_t ace_idx)
{
	/* tunnels use 1..2^23; maps the upper half of the kernel's 24 bits */
	return IK_CMAP_REQID_FLAG |
	       (((uint32_t)e->id << 8 | (uint32_t)(ace_idx & 0xff)) & 0x7fffffu);
}

int ik_cmap_by_reqid(const struct ik_config *cfg, uint32_t reqid,
		     const struct ik_cmap_entry **e, size_t *ace)
{
	size_t id = (reqid & 0x7fffffu) >> 8;

	if (!(reqid & IK_CMAP_REQID_FLAG) || id >= cfg->ncmap_entries)
		return -1;
	*e = cfg->cmap_entries[id];
	*ace = reqid & 0xff;
	if ((*e)->dynamic_name || !(*e)->acl || *ace >= (*e)->acl->naces ||
	    (*e)->acl->aces[*ace].action != IK_ACE_PERMIT || !(*e)->npeers)
		return -1;
	return 0;
}

int ik_cmap_local(const struct ik_config *cfg, const struct ik_cmap *m, uint8_t family,
		  struct ik_addr *out)
{
	const struct ik_interface *ifc = NULL;

	if (m->local_address_if)
		return iface_addr(ik_config_find_iface(cfg, m->local_address_if), family, out) ?
		       0 : -1;
	for (size_t i = 0; !ifc && i < cfg->ncmap_ifaces; i++)
		if (ik_cmap_of_iface(cfg->cmap_ifaces[i], family) == m)
			ifc = cfg->cmap_ifaces[i];
	return iface_addr(ifc, family, out) ? 0 : -1;
}

size_t ik_cmap_traps(const struct ik_config *cfg, ik_cmap_trap_fn fn, void *ctx)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->ncmaps; i++) {
		const struct ik_cmap *m = cfg->cmaps[i];
		struct ik_addr lo[2];
		bool has[2];

		if (m->is_dynamic)
			continue;
		has[0] = !ik_cmap_local(cfg, m, IK_AF_INET4, &lo[0]);
		has[1] = !ik_cmap_local(cfg, m, IK_AF_INET6, &lo[1]);
		for (size_t k = 0; k < m->nentries; k++) {
			const struct ik_cmap_entry *e = m->entries[k];
			int f;

			if (e->dynamic_name || !e->acl || !e->npeers || !e->ntsets)
				continue;
			f = e->peers[0].family == IK_AF_INET6;
			if (!has[f])
				continue;       /* not applied to the peers' family */
			for (size_t a = 0; a < e->acl->naces && a < 255; a++) {
				struct ik_proxy p;
				struct ik_selector sel;
				char why[160];

				/* the inner family may differ from the peers' */
				if (e->acl->aces[a].action != IK_ACE_PERMIT ||
				    ik_ace_proxy(&e->acl->aces[a], &p, why, sizeof(why)))
					continue;
				memset(&sel, 0, sizeof(sel));
				sel.src_plen = (uint8_t)ik_range_cover(&p.local.lo, &p.local.hi,
								       &sel.src);
				sel.dst_plen = (uint8_t)ik_range_cover(&p.remote.lo, &p.remote.hi,
								       &sel.dst);
				sel.proto = p.proto;
				sel.sport = p.local.port_lo == p.local.port_hi ? p.local.port_lo : 0;
				sel.dport = p.remote.port_lo == p.remote.port_hi ?
					    p.remote.port_lo : 0;
				fn(ctx, e, a, &sel, ik_cmap_reqid(e, a), &lo[f], &e->peers[0]);
				n++;
			}
		}
	}
	return n;
}
