/* L1: the static checker (ikerd -t, ikerctl check) and L2: the explainer
 * (ikerctl test isakmp peer A [vrf V] [identity ID]). */
#ifndef IK_PROFILE_CHECK_H
#define IK_PROFILE_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/model.h"
#include "profile/profile.h"
#include "util/strbuf.h"

/* Appends every finding to out (text, or a JSON array when json) and returns
 * how many there are. Each finding names the configuration lines, the peers
 * concerned, which initiator direction fails, and a fix. */
int ik_check_config(const struct ik_config *cfg, struct ik_sb *out, bool json);

/* Prints what the responder would decide for this peer: the MM3 key pick (K3)
 * and, given an identity (default: the peer address as ID_IPV4_ADDR), the MM5
 * profile decision (P1) and the keyring cross-check (P2), with the same trace
 * lines as a live exchange, followed by a one-line verdict. Returns 0 when
 * phase 1 would succeed, 1 when it would fail. */
int ik_explain_responder(const struct ik_config *cfg, const char *fvrf, uint32_t peer,
			 const struct ik_peer_id *id, struct ik_sb *out, bool json);

#endif
