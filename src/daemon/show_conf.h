/* The configuration-side show commands, in IOS layout or JSON:
 *   show crypto isakmp key, show crypto isakmp profile, show crypto isakmp policy,
 *   show crypto isakmp default policy, show crypto ipsec transform-set,
 *   show crypto ipsec profile, show debugging, show crypto authorization list. */
#ifndef IK_DAEMON_SHOW_CONF_H
#define IK_DAEMON_SHOW_CONF_H

#include <stdbool.h>

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
/* mask: IK_DBG_* bits switched on. */
void ik_show_debugging(unsigned mask, bool json, struct ik_sb *out);

#endif
