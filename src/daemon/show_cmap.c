/* show crypto map [interface IF] and show access-lists, in IOS layout or
 * JSON (daemon/show_conf.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf/acl.h"
#include "daemon/show_conf.h"
#include "profile/cmap_select.h"
#include "util/addr.h"

static void acl_line(const struct ik_acl *acl, const struct ik_ace *a, struct ik_sb *out)
{
	ik_sb_printf(out, "%s ", ik_ace_action_word(a, false));
	ik_ace_format(a, out);
	(void)acl;
}

void ik_cmap_counts_free(struct ik_cmap_counts *c)
{
	for (size_t i = 0; c->acl_line && i < c->nacl; i++)
		free(c->acl_line[i]);
	free(c->acl_line);
	free(c->entry);
	memset(c, 0, sizeof(*c));
}

/* The count of line k of cfg's list number ai, or -1 without counts. */
static int64_t line_count(const struct ik_cmap_counts *cnt, const struct ik_config *cfg,
			  const struct ik_acl *acl, size_t k)
{
	if (!cnt || cnt->cfg != cfg)
		return -1;
	for (size_t i = 0; i < cnt->nacl && i < cfg->nacls; i++)
		if (cfg->acls[i] == acl)
			return (int64_t)cnt->acl_line[i][k];
	return -1;
}

static int64_t entry_count(const struct ik_cmap_counts *cnt, const struct ik_config *cfg,
			   const struct ik_cmap_entry *e)
{
	if (!cnt || cnt->cfg != cfg || e->id >= cnt->nentry)
		return -1;
	return (int64_t)cnt->entry[e->id];
}

static void acl_json(const struct ik_config *cfg, const struct ik_acl *acl,
		     const struct ik_cmap_counts *cnt, struct ik_sb *out)
{
	struct ik_sb t;

	ik_sb_add(out, "{\"name\":");
	ik_sb_json_str(out, acl->name);
	ik_sb_printf(out, ",\"numbered\":%s,\"ipv6\":%s,\"line\":%d,\"entries\":[",
		     acl->numbered ? "true" : "false", acl->ipv6 ? "true" : "false", acl->line);
	for (size_t i = 0; i < acl->naces; i++) {
		const struct ik_ace *a = &acl->aces[i];

		ik_sb_init(&t);
		ik_ace_format(a, &t);
		ik_sb_printf(out, "%s{\"seq\":%u,\"action\":", i ? "," : "", a->seq);
		ik_sb_json_str(out, ik_ace_action_word(a, false));
		ik_sb_add(out, a->action == IK_ACE_REMARK ? ",\"remark\":" : ",\"text\":");
		ik_sb_json_str(out, ik_sb_str(&t));
		if (line_count(cnt, cfg, acl, i) >= 0)
			ik_sb_printf(out, ",\"matches\":%lld", (long long)line_count(cnt, cfg, acl, i));
		else
			ik_sb_add(out, ",\"matches\":null");
		ik_sb_printf(out, ",\"line\":%d}", a->line);
		ik_sb_free(&t);
	}
	ik_sb_add(out, "]}");
}

int ik_show_access_lists(const struct ik_config *cfg, const char *name, bool json,
			 const struct ik_cmap_counts *cnt, struct ik_sb *out)
{
	bool any = false;

	if (name && !ik_config_find_acl(cfg, name)) {
		ik_sb_printf(out, "%% access list %s is not configured\n", name);
		return -1;
	}
	if (json)
		ik_sb_add(out, "{\"access_lists\":[");
	for (size_t i = 0; i < cfg->nacls; i++) {
		const struct ik_acl *acl = cfg->acls[i];

		if (name && strcmp(acl->name, name))
			continue;
		if (json) {
			if (any)
				ik_sb_add(out, ",");
			acl_json(cfg, acl, cnt, out);
			any = true;
			continue;
		}
		if (acl->ipv6)
			ik_sb_printf(out, "IPv6 access list %s\n", acl->name);
		else
			ik_sb_printf(out, "Extended IP access list %s\n", acl->name);
		for (size_t k = 0; k < acl->naces; k++) {
			const struct ik_ace *a = &acl->aces[k];
			int64_t m = line_count(cnt, cfg, acl, k);

			if (a->action == IK_ACE_REMARK)
				continue; /* IOS shows remarks in the configuration only */
			if (acl->ipv6) {
				/* IOS: the sequence number last, after the count */
				ik_sb_add(out, "    ");
				acl_line(acl, a, out);
				if (m > 0)
					ik_sb_printf(out, " (%lld match%s)", (long long)m,
						     m == 1 ? "" : "es");
				ik_sb_printf(out, " sequence %u\n", a->seq);
				continue;
			}
			ik_sb_printf(out, "    %u ", a->seq);
			acl_line(acl, a, out);
			if (m > 0)
				ik_sb_printf(out, " (%lld match%s)", (long long)m, m == 1 ? "" : "es");
			ik_sb_add(out, "\n");
		}
	}
	if (json)
		ik_sb_add(out, "]}\n");
	return 0;
}

/* The interfaces that carry map m, comma-separated into out (text) */
static void map_ifaces(const struct ik_config *cfg, const struct ik_cmap *m, struct ik_sb *out,
		       bool json)
{
	bool first = true;

	for (size_t i = 0; i < cfg->ncmap_ifaces; i++) {
		const struct ik_interface *ifc = cfg->cmap_ifaces[i];

		if (!ik_cmap_iface_carries(ifc, m))
			continue;
		if (json) {
			if (!first)
				ik_sb_add(out, ",");
			ik_sb_json_str(out, ifc->name);
		} else {
			ik_sb_printf(out, "\t\t%s\n", ifc->name);
		}
		first = false;
	}
}

/* An entry IOS lists as an IPv6 map entry: IPv6 peers, or none in a map
 * applied to IPv6 only (ipv6 crypto map). */
static bool entry_v6(const struct ik_config *cfg, const struct ik_cmap_entry *e)
{
	bool v4 = false, v6 = false;

	if (e->npeers)
		return e->peers[0].family == IK_AF_INET6;
	for (size_t i = 0; i < cfg->ncmap_ifaces; i++) {
		v4 |= cfg->cmap_ifaces[i]->crypto_map == e->map;
		v6 |= cfg->cmap_ifaces[i]->crypto_map6 == e->map;
	}
	return v6 && !v4;
}

static void entry_text(const struct ik_config *cfg, const struct ik_cmap_entry *e,
		       const struct ik_cmap_counts *cnt, struct ik_sb *out)
{
	char a[IK_ADDR_ANYSTRLEN], tr[80];
	uint32_t sec = e->lifetime_sec ? e->lifetime_sec :
		       cfg->sa_lifetime_sec ? cfg->sa_lifetime_sec : 3600;
	uint64_t kb = e->lifetime_kb ? e->lifetime_kb :
		      cfg->sa_lifetime_kb ? cfg->sa_lifetime_kb : 4608000;

	if (e->map->is_dynamic)
		ik_sb_printf(out, "Crypto Map Template\"%s\" %u\n", e->map->name, e->seq);
	else
		ik_sb_printf(out, "Crypto Map %s \"%s\" %u ipsec-isakmp\n",
			     entry_v6(cfg, e) ? "IPv6" : "IPv4", e->map->name, e->seq);
	if (e->dynamic_name) {
		ik_sb_printf(out, "\tDynamic map template tag: %s\n", e->dynamic_name);
		return;
	}
	if (e->description)
		ik_sb_printf(out, "\tDescription: %s\n", e->description);
	for (size_t k = 0; k < e->npeers; k++)
		ik_sb_printf(out, "\tPeer = %s\n", ik_addr_fmt_ios(&e->peers[k], a));
	if (e->isakmp_profile)
		ik_sb_printf(out, "\tISAKMP Profile: %s\n", e->isakmp_profile->name);
	if (e->ikev2_profile)
		ik_sb_printf(out, "\tIKEv2 Profile: %s\n", e->ikev2_profile->name);
	if (e->acl) {
		ik_sb_printf(out, e->acl->ipv6 ? "\tIPv6 access list %s\n" :
			     "\tExtended IP access list %s\n", e->acl->name);
		for (size_t k = 0; k < e->acl->naces; k++) {
			if (e->acl->aces[k].action == IK_ACE_REMARK)
				continue;
			ik_sb_printf(out, "\t    access-list %s ", e->acl->name);
			acl_line(e->acl, &e->acl->aces[k], out);
			ik_sb_add(out, "\n");
		}
	} else if (e->acl_name) {
		ik_sb_printf(out, "\tExtended IP access list %s (not configured)\n", e->acl_name);
	} else {
		ik_sb_add(out, "\tNo matching address list set.\n");
	}
	if (e->npeers)
		ik_sb_printf(out, "\tCurrent peer: %s\n", ik_addr_fmt_ios(&e->peers[0], a));
	if (e->per_host)
		ik_sb_add(out, "\tSecurity association level: per-host\n");
	ik_sb_printf(out, "\tSecurity association lifetime: %llu kilobytes/%u seconds\n",
		     (unsigned long long)kb, sec);
	ik_sb_add(out, "\tResponder-Only (Y/N): N\n");
	if (e->pfs_group)
		ik_sb_printf(out, "\tPFS (Y/N): Y\n\tDH group:  group%u\n", e->pfs_group);
	else
		ik_sb_add(out, "\tPFS (Y/N): N\n");
	ik_sb_add(out, "\tMixed-mode : Disabled\n\tTransform sets={ \n");
	for (size_t k = 0; k < e->ntsets; k++) {
		ik_show_tset_text(e->tsets[k], tr, sizeof(tr));
		ik_sb_printf(out, "\t\t%s:  { %s  } , \n", e->tsets[k]->name, tr);
	}
	ik_sb_add(out, "\t}\n");
	if (e->reverse_route)
		ik_sb_printf(out, "\tReverse Route Injection Enabled%s\n",
			     e->reverse_route_static ? " (static)" : "");
	if (entry_count(cnt, cfg, e) >= 0)
		ik_sb_printf(out, "\tPackets through its SAs (in and out, present and past): "
			     "%lld\n", (long long)entry_count(cnt, cfg, e));
}

static void entry_json(const struct ik_config *cfg, const struct ik_cmap_entry *e,
		       const struct ik_cmap_counts *cnt, struct ik_sb *out)
{
	char a[IK_ADDR_ANYSTRLEN];
	uint32_t sec = e->lifetime_sec ? e->lifetime_sec :
		       cfg->sa_lifetime_sec ? cfg->sa_lifetime_sec : 3600;
	uint64_t kb = e->lifetime_kb ? e->lifetime_kb :
		      cfg->sa_lifetime_kb ? cfg->sa_lifetime_kb : 4608000;

	ik_sb_printf(out, "{\"seq\":%u,\"family\":\"%s\",\"dynamic_map\":", e->seq,
		     entry_v6(cfg, e) ? "ipv6" : "ipv4");
	ik_sb_json_str(out, e->dynamic_name);
	ik_sb_add(out, ",\"description\":");
	ik_sb_json_str(out, e->description);
	ik_sb_add(out, ",\"peers\":[");
	for (size_t k = 0; k < e->npeers; k++) {
		if (k)
			ik_sb_add(out, ",");
		ik_sb_json_str(out, ik_addr_fmt_any(&e->peers[k], a));
	}
	ik_sb_add(out, "],\"access_list\":");
	ik_sb_json_str(out, e->acl_name);
	ik_sb_printf(out, ",\"access_list_configured\":%s,\"isakmp_profile\":",
		     e->acl ? "true" : "false");
	ik_sb_json_str(out, e->isakmp_profile ? e->isakmp_profile->name : NULL);
	ik_sb_add(out, ",\"ikev2_profile\":");
	ik_sb_json_str(out, e->ikev2_profile ? e->ikev2_profile->name : NULL);
	ik_sb_printf(out, ",\"lifetime_kb\":%llu,\"lifetime_sec\":%u,\"pfs_group\":%u,"
		     "\"per_host\":%s,\"reverse_route\":%s,\"reverse_route_static\":%s,"
		     "\"transform_sets\":[", (unsigned long long)kb, sec, e->pfs_group,
		     e->per_host ? "true" : "false", e->reverse_route ? "true" : "false",
		     e->reverse_route_static ? "true" : "false");
	for (size_t k = 0; k < e->ntsets; k++) {
		if (k)
			ik_sb_add(out, ",");
		ik_show_tset_json(e->tsets[k], out);
	}
	if (entry_count(cnt, cfg, e) >= 0)
		ik_sb_printf(out, "],\"packets\":%lld", (long long)entry_count(cnt, cfg, e));
	else
		ik_sb_add(out, "],\"packets\":null");
	ik_sb_printf(out, ",\"line\":%d}", e->line);
}

static void map_show(const struct ik_config *cfg, const struct ik_cmap *m, bool json,
		     bool first, const struct ik_cmap_counts *cnt, struct ik_sb *out)
{
	if (json) {
		ik_sb_add(out, first ? "{\"name\":" : ",{\"name\":");
		ik_sb_json_str(out, m->name);
		ik_sb_printf(out, ",\"dynamic\":%s,\"local_address\":",
			     m->is_dynamic ? "true" : "false");
		ik_sb_json_str(out, m->local_address_if);
		ik_sb_add(out, ",\"interfaces\":[");
		map_ifaces(cfg, m, out, true);
		ik_sb_add(out, "],\"entries\":[");
		for (size_t k = 0; k < m->nentries; k++) {
			if (k)
				ik_sb_add(out, ",");
			entry_json(cfg, m->entries[k], cnt, out);
		}
		ik_sb_add(out, "]}");
		return;
	}
	if (m->local_address_if)
		ik_sb_printf(out, "Crypto Map \"%s\": local address is %s\n\n", m->name,
			     m->local_address_if);
	for (size_t k = 0; k < m->nentries; k++) {
		entry_text(cfg, m->entries[k], cnt, out);
		ik_sb_printf(out, "\tInterfaces using crypto map %s:\n", m->name);
		map_ifaces(cfg, m, out, false);
		ik_sb_add(out, "\n");
	}
}

int ik_show_crypto_map(const struct ik_config *cfg, const char *ifname, bool json,
		       const struct ik_cmap_counts *cnt, struct ik_sb *out)
{
	const struct ik_interface *ifc = NULL;
	bool first = true;

	if (ifname) {
		ifc = ik_config_find_iface(cfg, ifname);
		if (!ifc) {
			ik_sb_printf(out, "%% interface %s is not configured\n", ifname);
			return -1;
		}
	}
	if (json)
		ik_sb_add(out, "{\"crypto_maps\":[");
	if (ifc) {
		if (ifc->crypto_map)
			map_show(cfg, ifc->crypto_map, json, true, cnt, out);
		if (ifc->crypto_map6 && ifc->crypto_map6 != ifc->crypto_map)
			map_show(cfg, ifc->crypto_map6, json, !ifc->crypto_map, cnt, out);
		if (!ifc->crypto_map && !ifc->crypto_map6 && !json)
			ik_sb_printf(out, "No crypto map is applied to interface %s\n", ifc->name);
	} else {
		/* the maps, then the dynamic maps they use as templates */
		for (int pass = 0; pass < 2; pass++)
			for (size_t i = 0; i < cfg->ncmaps; i++) {
				if (cfg->cmaps[i]->is_dynamic != (pass == 1))
					continue;
				map_show(cfg, cfg->cmaps[i], json, first, cnt, out);
				first = false;
			}
	}
	if (json)
		ik_sb_add(out, "]}\n");
	return 0;
}
