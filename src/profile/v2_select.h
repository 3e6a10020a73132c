/* IKEv2 selection, rules V2-1 and V2-2 (doc/selection-rules.md).
 *
 * IKE_SA_INIT: the responder knows only the front-door VRF and the local
 * address the request arrived on; they choose the IKEv2 policy, and so the
 * proposals it may accept (ik_v2_policy_select).
 * IKE_AUTH: the peer's identity (IDi) arrives first, so the profile is chosen
 * from it (ik_v2_profile_select: the most specific `match identity remote`),
 * and only then the pre-shared key, from that profile's keyring, by identity
 * and then by address (ik_v2_key_responder). Unlike IKEv1 Main Mode, the key
 * is never chosen blind: the IKEv1 keyring trap (K3 + P2) cannot happen.
 * The initiator knows its profile from the tunnel (`set ikev2-profile`) and
 * finds the key for the tunnel destination (ik_v2_key_initiator).
 *
 * Every decision emits its trace line under `debug crypto ikev2`. Lookups go
 * through an index built once per snapshot (cfg->v2index): their cost does not
 * grow with the number of profiles or keyring peers.
 */
#ifndef IK_PROFILE_V2_SELECT_H
#define IK_PROFILE_V2_SELECT_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/model.h"
#include "keyring/resolver.h"
#include "util/addr.h"
#include "util/strbuf.h"

/* An identity as carried in an IDi/IDr payload. */
struct ik_v2_id {
	enum ik_id_type type;   /* IK_ID_ADDRESS, IK_ID_FQDN, IK_ID_EMAIL, IK_ID_KEY_ID */
	uint32_t addr;          /* IK_ID_ADDRESS */
	const char *value;      /* the others: NUL-terminated */
	bool v6;                /* IK_ID_ADDRESS is ID_IPV6_ADDR: addr6 */
	uint8_t addr6[16];
};

/* The pre-shared keys for one peer: local signs our AUTH, remote checks the
 * peer's (`pre-shared-key local|remote K`; a plain `pre-shared-key K` is both). */
struct ik_v2_psk {
	const struct ik_ikev2_keyring *keyring;
	const struct ik_ikev2_peer *peer;
	const struct ik_secret *local, *remote;
};

struct ik_v2_index;
struct ik_v2_index *ik_v2_index_build(const struct ik_config *cfg);
void ik_v2_index_free(struct ik_v2_index *x);

/* IOS's built-in proposals and policy, used when the configuration has no
 * `crypto ikev2 policy` (`show crypto ikev2 proposal default`). */
size_t ik_v2_default_proposals(const struct ik_ikev2_proposal *const **out);
const struct ik_ikev2_policy *ik_v2_default_policy(void);
bool ik_v2_policy_is_default(const struct ik_ikev2_policy *p);

/* IKE_SA_INIT: the policy for a request in fvrf (NULL = global) arriving on
 * local. A policy applies when its `match fvrf` names fvrf or any (no line:
 * the global VRF only) and its `match address local` lists local (no line:
 * any address). Among those, one matching the local address explicitly beats
 * one that does not, an explicit fVRF beats `any`, then configuration order.
 * No policy configured: the default policy. Policies configured but none
 * applies: NULL (the request gets NO_PROPOSAL_CHOSEN). */
const struct ik_ikev2_policy *ik_v2_policy_select(const struct ik_config *cfg, const char *fvrf,
						  uint32_t local, const struct ik_trace *tr);
/* The same on a local address of either family: `match address local` lines
 * are IPv4, so a policy with one never applies to an exchange on IPv6. */
const struct ik_ikev2_policy *ik_v2_policy_select_ip(const struct ik_config *cfg,
						     const char *fvrf,
						     const struct ik_addr *local,
						     const struct ik_trace *tr);

/* IKE_AUTH, responder: the profile for identity id (V2-1). Candidates are the
 * profiles whose `match fvrf` admits fvrf and whose `match address local`
 * (if any) lists local. The most specific `match identity remote` wins: an
 * exact name beats a domain, a longer domain beats a shorter one, a longer
 * address prefix beats a shorter one; equal: an explicit fVRF beats `any`,
 * then the first configured. NULL: no profile for this identity. */
const struct ik_ikev2_profile *ik_v2_profile_select(const struct ik_config *cfg,
						    const char *fvrf, uint32_t local,
						    const struct ik_v2_id *id,
						    const struct ik_trace *tr);
/* The same on a local address of either family (as for policies, a profile
 * with `match address local` lines takes no part in an exchange on IPv6). */
static inline const struct ik_ikev2_profile *
ik_v2_profile_select_ip(const struct ik_config *cfg, const char *fvrf, const struct ik_addr *local,
			const struct ik_v2_id *id, const struct ik_trace *tr)
{
	return ik_v2_profile_select(cfg, fvrf, local->family == IK_AF_INET6 ? 0 : local->v4, id,
				    tr);
}

/* IKE_AUTH, responder: the peer block of p's keyring for this peer: first by
 * identity (`identity ...` equal to id, or its domain), then by the peer's
 * address (`address A M`, longest prefix), the first configured on ties.
 * Returns 0 and fills out, or -1 (no keyring, no peer block, or no key for a
 * direction the profile authenticates with pre-share) with the trace saying
 * which. */
int ik_v2_key_responder(const struct ik_config *cfg, const struct ik_ikev2_profile *p,
			const struct ik_v2_id *id, uint32_t peer, struct ik_v2_psk *out,
			const struct ik_trace *tr);

/* Initiator: the peer block of p's keyring for the tunnel destination (by
 * address, longest prefix), or, given a hostname, by `hostname`. */
int ik_v2_key_initiator(const struct ik_config *cfg, const struct ik_ikev2_profile *p,
			uint32_t peer, const char *hostname, struct ik_v2_psk *out,
			const struct ik_trace *tr);

/* The same two for a peer address of either family: an IPv6 peer is found
 * among the peer blocks written `address ipv6 P/L` (or `address P/L`),
 * longest prefix, after the identity (responder) or the hostname
 * (initiator); an IPv4 peer goes through the calls above. */
int ik_v2_key_responder_ip(const struct ik_config *cfg, const struct ik_ikev2_profile *p,
			   const struct ik_v2_id *id, const struct ik_addr *peer,
			   struct ik_v2_psk *out, const struct ik_trace *tr);
int ik_v2_key_initiator_ip(const struct ik_config *cfg, const struct ik_ikev2_profile *p,
			   const struct ik_addr *peer, const char *hostname,
			   struct ik_v2_psk *out, const struct ik_trace *tr);

/* Names as IOS prints them: "IPv4 address", "FQDN", "email", "key ID". */
const char *ik_v2_id_type_name(enum ik_id_type t);
/* The identity as text ("192.0.2.1", "r1.example.com") into buf. */
const char *ik_v2_id_fmt(const struct ik_v2_id *id, char *buf, size_t len);

/* show crypto ikev2 proposal|policy|profile, IOS layout or JSON. */
void ik_v2_show_proposal(const struct ik_config *cfg, bool json, struct ik_sb *out);
void ik_v2_show_policy(const struct ik_config *cfg, bool json, struct ik_sb *out);
void ik_v2_show_profile(const struct ik_config *cfg, bool json, struct ik_sb *out);

/* L2 for IKEv2 (`ikerctl test ikev2 peer A [vrf V] [local L] [identity ...]`):
 * the policy at IKE_SA_INIT, the profile and the key at IKE_AUTH, with the
 * live trace lines and a verdict. id NULL: the peer address as an IPv4
 * identity. Returns 0 when IKE_AUTH would find a profile and keys, 1 else. */
int ik_v2_explain_responder(const struct ik_config *cfg, const char *fvrf, uint32_t local,
			    uint32_t peer, const struct ik_v2_id *id, struct ik_sb *out,
			    bool json);

#endif
