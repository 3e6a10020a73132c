/* show crypto pki certificates [verbose] and show crypto pki trustpoints, in
 * IOS layout or JSON (ikerctl-json(7)), from a configuration snapshot. */
#ifndef IK_PKI_PKI_SHOW_H
#define IK_PKI_PKI_SHOW_H

#include <stdbool.h>
#include <time.h>

#include "conf/model.h"
#include "util/strbuf.h"

/* now: the wall clock, for each certificate's status. */
void ik_show_pki_certificates(const struct ik_config *cfg, bool verbose, bool json, time_t now,
			      struct ik_sb *out);
void ik_show_pki_trustpoints(const struct ik_config *cfg, bool json, struct ik_sb *out);

#endif
