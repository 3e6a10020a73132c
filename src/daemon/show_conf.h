/* The configuration-side show commands, in IOS layout or JSON:
 *   show crypto isakmp key, show crypto isakmp profile, show crypto isakmp policy,
 *   show crypto isakmp default policy, show crypto ipsec transform-set,
 *   show crypto ipsec profile, show debugging, show crypto authorization list;
 *   show crypto map and show access-lists (show_cmap.c). */
#ifndef IK_DAEMON_SHOW_CONF_H
#define IK_DAEMON_SHOW_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/model.h"
#include "util/strbuf.h"

void ik_show_isakmp_key(const struct ik_config *cfg, bool json, struct ik_sb *out);
void ik_show_isakmp_profile(const struct ik_config *cfg, bool json, struct ik_sb *out);
void ik_show_isakmp_policy(const struct ik_config *cfg, bool json, struct ik_sb *out);
void ik_show_isakmp_default_policy(const struct ik_config *cfg, bool json, struct ik_sb *out);
void ik_show_ipsec_transform_set(const struct ik_config *cfg, bool json, struct ik_sb *out);
void ik_show_ipsec_profile(const struct ik_config *cfg, bool json, struct ik_sb *out);
/* show crypto authorization list [NAME] (name NULL: every list): the entries
 * as their configuration lines, and the profiles that use each list. -1 with
 * "% ..." in out when NAME is not configured. */
int ik_show_authz_list(const struct ik_config *cfg, const char *name, bool json,
		       struct ik_sb *out);
/* A transform set's transforms as IOS lists them ("esp-aes esp-sha-hmac"),
 * and as a JSON object (for the crypto map shows). */
void ik_show_tset_text(const struct ik_transform_set *ts, char *buf, size_t n);
void ik_show_tset_json(const struct ik_transform_set *ts, struct ik_sb *out);
/* Packet counts of crypto maps, for the shows: per ACL line (acl_line[i][k]:
 * line k of cfg->acls[i], summed over the map entries that use the list)
 * and per map entry (entry[e->id]), over the entries' SA pairs, present and
 * past (daemon: ikd_cmap_counts). */
struct ik_cmap_counts {
	const struct ik_config *cfg;
	size_t nacl, nentry;
	uint64_t **acl_line;
	uint64_t *entry;
};
void ik_cmap_counts_free(struct ik_cmap_counts *c);

/* show crypto map [interface IF] (ifname NULL: every map), and show
 * access-lists [NAME] (name NULL: every list), with the counts of cnt when
 * not NULL (a line without matches prints none, as on IOS; without counts
 * JSON says "matches": null). Return 0, or -1 with IOS's message in out when
 * the interface or list is unknown. */
int ik_show_crypto_map(const struct ik_config *cfg, const char *ifname, bool json,
		       const struct ik_cmap_counts *cnt, struct ik_sb *out);
int ik_show_access_lists(const struct ik_config *cfg, const char *name, bool json,
			 const struct ik_cmap_counts *cnt, struct ik_sb *out);
/* mask: IK_DBG_* bits switched on. */
void ik_show_debugging(unsigned mask, bool json, struct ik_sb *out);

#endif
