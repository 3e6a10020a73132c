/* show crypto authorization list [NAME] (see show_conf.h). */
#include "daemon/show_conf.h"

#include <stdio.h>
#include <string.h>

#include "util/addr.h"

/* The profiles that name list l, as ", "-separated text (JSON: strings). */
static void users(const struct ik_config *cfg, const struct ik_authlist *l, bool json,
		  struct ik_sb *out)
{
	bool first = true;

	for (size_t i = 0; i < cfg->nprofiles; i++) {
		if (cfg->profiles[i]->authz != l)
			continue;
		if (json) {
			ik_sb_add(out, first ? "{\"isakmp_profile\":" : ",{\"isakmp_profile\":");
			ik_sb_json_str(out, cfg->profiles[i]->name);
			ik_sb_add(out, "}");
		} else {
			ik_sb_printf(out, "%sisakmp profile %s", first ? "" : ", ",
				     cfg->profiles[i]->name);
		}
		first = false;
	}
	for (size_t i = 0; i < cfg->nv2_profiles; i++) {
		if (cfg->v2_profiles[i]->authz != l)
			continue;
		if (json) {
			ik_sb_add(out, first ? "{\"ikev2_profile\":" : ",{\"ikev2_profile\":");
			ik_sb_json_str(out, cfg->v2_profiles[i]->name);
			ik_sb_add(out, "}");
		} else {
			ik_sb_printf(out, "%sikev2 profile %s", first ? "" : ", ",
				     cfg->v2_profiles[i]->name);
		}
		first = false;
	}
	if (first && !json)
		ik_sb_add(out, "no profile (the list is not in force)");
}

static void show_one(const struct ik_config *cfg, const struct ik_authlist *l, bool json,
		     struct ik_sb *out)
{
	char line[IK_CONF_MAX_LINE + 160], a[IK_ADDR_ANYSTRLEN], hex[65];

	if (json) {
		ik_sb_add(out, "{\"name\":");
		ik_sb_json_str(out, l->name);
		ik_sb_printf(out, ",\"line\":%d,\"raw_public_keys\":%s,\"description\":", l->line,
			     l->raw_keys ? "true" : "false");
		ik_sb_json_str(out, l->description);
		ik_sb_add(out, ",\"used_by\":[");
		users(cfg, l, true, out);
		ik_sb_add(out, "],\"entries\":[");
		for (size_t k = 0; k < l->npeers; k++) {
			const struct ik_authlist_peer *p = &l->peers[k];
			size_t hl = p->alg == IK_AUTHL_SHA1 ? 20 : 32;

			for (size_t i = 0; i < hl; i++)
				snprintf(hex + 2 * i, 3, "%02x", p->hash[i]);
			ik_sb_printf(out, "%s{\"identity\":\"%s\",\"value\":", k ? "," : "",
				     ik_authlist_id_kw(p->kind));
			if (p->kind == IK_AUTHL_ADDRESS)
				ik_sb_json_str(out, ik_addr_fmt_any(&p->addr, a));
			else
				ik_sb_json_str(out, p->value);
			ik_sb_printf(out, ",\"hash\":\"%s\",\"key_hash\":\"%s\",\"line\":%d}",
				     p->alg == IK_AUTHL_SHA1 ? "sha1" : "sha256", hex, p->line);
		}
		ik_sb_add(out, "]}");
		return;
	}
	ik_sb_printf(out, "Authorization list %s (line %d), %zu entr%s, raw public keys %s\n",
		     l->name, l->line, l->npeers, l->npeers == 1 ? "y" : "ies",
		     l->raw_keys ? "accepted when pinned" : "not accepted");
	if (l->description)
		ik_sb_printf(out, " Description: %s\n", l->description);
	ik_sb_add(out, " Used by: ");
	users(cfg, l, false, out);
	ik_sb_add(out, "\n");
	for (size_t k = 0; k < l->npeers; k++)
		ik_sb_printf(out, "  %s   (line %d)\n",
			     ik_authlist_peer_text(&l->peers[k], line, sizeof(line)),
			     l->peers[k].line);
	ik_sb_add(out, "\n");
}

int ik_show_authz_list(const struct ik_config *cfg, const char *name, bool json,
		       struct ik_sb *out)
{
	const struct ik_authlist *only = NULL;

	if (name && !(only = ik_config_find_authlist(cfg, name))) {
		ik_sb_printf(out, "%% Authorization list %s is not configured\n", name);
		return -1;
	}
	if (json)
		ik_sb_add(out, "{\"authorization_lists\":[");
	for (size_t i = 0, n = 0; i < cfg->nauthlists; i++) {
		if (only && cfg->authlists[i] != only)
			continue;
		if (json && n++)
			ik_sb_add(out, ",");
		show_one(cfg, cfg->authlists[i], json, out);
	}
	if (json)
		ik_sb_add(out, "]}\n");
	else if (!cfg->nauthlists)
		ik_sb_add(out, "No authorization list is configured\n");
	return 0;
}
