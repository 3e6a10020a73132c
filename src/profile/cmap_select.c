/* Crypto map selection (profile/cmap_select.h). */
#include "profile/cmap_select.h"

#include <string.h>

const struct ik_interface *ik_cmap_iface_for_local(const struct ik_config *cfg,
						   const struct ik_addr *a)
{
	if (!cfg || a->family != IK_AF_INET4)
		return NULL;
	for (size_t i = 0; i < cfg->ncmap_ifaces; i++) {
		const struct ik_interface *ifc = cfg->cmap_ifaces[i];
		const struct ik_interface *src = ifc;

		if (ifc->crypto_map->local_address_if)
			src = ik_config_find_iface(cfg, ifc->crypto_map->local_address_if);
		if (src && src->mask && src->addr == a->v4)
			return ifc;
	}
	return NULL;
}

static bool peer_allowed(const struct ik_cmap_entry *e, const struct ik_addr *peer)
{
	if (!e->npeers)
		return e->map->is_dynamic;
	for (size_t i = 0; i < e->npeers; i++)
		if (ik_addr_eq(&e->peers[i], peer))
			return true;
	return false;
}

static bool entry_match(const struct ik_cmap_entry *e, const struct ik_addr *peer,
			const struct ik_proxy *p, ik_cmap_trace_fn trace, void *ctx,
			struct ik_cmap_match *out)
{
	const struct ik_ace *ace;

	if (trace)
		trace(ctx, e);
	if (!peer_allowed(e, peer) || !e->ntsets)
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

int ik_cmap_match_proxy(const struct ik_cmap *map, const struct ik_addr *peer,
			const struct ik_proxy *p, ik_cmap_trace_fn trace, void *ctx,
			struct ik_cmap_match *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; map && i < map->nentries; i++) {
		const struct ik_cmap_entry *e = map->entries[i];

		if (!e->dynamic) {
			if (entry_match(e, peer, p, trace, ctx, out))
				return 0;
			continue;
		}
		for (size_t k = 0; k < e->dynamic->nentries; k++)
			if (entry_match(e->dynamic->entries[k], peer, p, trace, ctx, out)) {
				out->via = e;
				return 0;
			}
	}
	return -1;
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
	return 0x800000u | (((uint32_t)e->id << 8 | (uint32_t)(ace_idx & 0xff)) & 0x7fffffu);
}
