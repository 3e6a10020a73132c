/* L1: the static checker (ikerd -t, ikerctl check) and L2: the explainer
 * (ikerctl test isakmp peer A [vrf V] [identity ID]). */
#ifndef IK_PROFILE_CHECK_H
#define IK_PROFILE_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/model.h"
#include "ike/features.h"
#include "profile/profile.h"
#include "util/addr.h"
#include "util/strbuf.h"

/* What the checker knows of the system it runs for: what the engine can do,
 * and a lookup of the IPv4 address of a Linux interface (ifaddr NULL: not
 * known; names the file does not define are then not checked). */
struct ik_check_env {
	bool ikev2;             /* IKEv2 exchanges */
	bool aggressive;        /* IKEv1 Aggressive Mode */
	bool certs;             /* rsa-sig authentication */
	bool ipv6;              /* IKE and tunnels over IPv6, IPv6 inside tunnels */
	int (*ifaddr)(void *ctx, const char *ifname, uint32_t *addr);
	void *ctx;
	/* The peers' configurations (ikerd -t --peer-config FILE): crypto map
	 * access lists are checked for mirror images against them. */
	const struct ik_config *const *peers;
	const char *const *peer_files;
	size_t npeers;
};

/* The engine's capabilities (ike/features.h), no interface lookup. */
#define IK_CHECK_ENV_ENGINE                                                    \
	{ .ikev2 = IK_FEATURE_IKEV2, .aggressive = IK_FEATURE_AGGRESSIVE,      \
	  .certs = IK_FEATURE_CERTS, .ipv6 = IK_FEATURE_IPV6 }

struct ik_check_counts {
	int errors;             /* a failure that follows from the configuration */
	int warnings;           /* a hazard, or a setting that is not used */
	int notes;              /* depends on what the peer does (NAT, identity) */
};

/* Appends every finding to out (text, or a JSON array when json) and returns
 * how many there are. Each finding names the configuration lines, the peers
 * concerned, which initiator direction fails, and a fix. Severities: error,
 * warning, note (see struct ik_check_counts). ik_check_config uses
 * IK_CHECK_ENV_ENGINE; counts may be NULL. */
int ik_check_config(const struct ik_config *cfg, struct ik_sb *out, bool json);
int ik_check_config_env(const struct ik_config *cfg, const struct ik_check_env *env,
			struct ik_sb *out, bool json, struct ik_check_counts *counts);

/* Prints what the responder would decide for this peer, for an exchange
 * arriving on local address local (0: not given; keyrings and profiles with
 * local-address are then not considered): the MM3 key pick (K3)
 * and, given an identity (default: the peer address as ID_IPV4_ADDR), the MM5
 * profile decision (P1) and the keyring cross-check (P2), with the same trace
 * lines as a live exchange, followed by a one-line verdict. Returns 0 when
 * phase 1 would succeed, 1 when it would fail. */
int ik_explain_responder(const struct ik_config *cfg, const char *fvrf, uint32_t local,
			 uint32_t peer, const struct ik_peer_id *id, struct ik_sb *out, bool json);
/* The same for a peer of either family (an IPv6 peer's default identity is
 * ID_IPV6_ADDR); local: 0.0.0.0 or :: when not given. */
int ik_explain_responder_ip(const struct ik_config *cfg, const char *fvrf,
			    const struct ik_addr *local, const struct ik_addr *peer,
			    const struct ik_peer_id *id, struct ik_sb *out, bool json);

#endif
