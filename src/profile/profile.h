/* ISAKMP profile selection, rules P1..P3, and the P2 keyring cross-check.
 * The static checker (L1) and the explainer (L2) are in profile/check.h. */
#ifndef IK_PROFILE_PROFILE_H
#define IK_PROFILE_PROFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/model.h"
#include "keyring/resolver.h"
#include "util/addr.h"

/* The peer's identity as received in its ID payload (IKEv1 MM5/MM6). */
enum ik_peer_id_type {
	IK_PEER_ID_IPV4 = 1, IK_PEER_ID_FQDN, IK_PEER_ID_USER_FQDN, IK_PEER_ID_IPV6,
	IK_PEER_ID_DN /* certificates: matched by certificate map only */
};

struct ik_peer_id {
	enum ik_peer_id_type type;
	uint32_t addr;          /* IK_PEER_ID_IPV4 */
	const char *name;       /* FQDN / USER_FQDN, NUL-terminated */
	uint8_t addr6[16];      /* IK_PEER_ID_IPV6, network order */
};

struct ik_profile_index *ik_profile_index_build(const struct ik_config *cfg);
void ik_profile_index_free(struct ik_profile_index *pi);

/* P1: responder after MM5. The most specific `match identity` over all
 * profiles (configuration order does not matter), restricted to matches whose
 * fVRF equals fvrf (NULL = global). Trace: "peer matches PROFILE profile" or
 * "peer matches *none* of the profiles". Returns NULL for none.
 * Specificity: an address match counts its prefix length; a host (ID_FQDN)
 * or user-fqdn (ID_USER_FQDN) match, compared without regard to case, counts
 * more and applies in every fVRF; a host domain match (the name or any name
 * ending in .DOMAIN) counts less than a host match, a longer domain more than
 * a shorter one. Equally specific matches in two profiles: the
 * first configured wins and a warning line says so. IOS prints these lines
 * with connection id 0 whatever the SA, and so does ikerd. local is the
 * address the exchange arrived on: a profile with `local-address` matches
 * only there (0: not known; only profiles without local-address match). */
const struct ik_isakmp_profile *ik_profile_match_responder(const struct ik_config *cfg,
							   const char *fvrf, uint32_t local,
							   const struct ik_peer_id *id,
							   const struct ik_trace *tr);

/* P2: the keyring picked at MM3 must be one of the profile's keyrings (the same
 * object, not the same key text). A profile without keyrings accepts only the
 * default keyring. Trace on failure: "Key not found in keyrings of profile ,
 * aborting exchange". Returns true when the key passes. */
bool ik_profile_check_keyring(const struct ik_isakmp_profile *p, const struct ik_key *key,
			      const struct ik_trace *tr);

/* P2 as the responder runs it after MM5, with the trace IOS prints: first the
 * peer's key in the matched profile's keyrings (K1 lookup: "Found ADDRESS key
 * in keyring K"), then ik_profile_check_keyring on the key picked at MM3.
 * p NULL (the peer matched no profile): nothing to check, returns true; so
 * does ik_profile_check_keyring. Uses cfg->resolver for the lookup. */
bool ik_profile_check_responder(const struct ik_config *cfg, const struct ik_isakmp_profile *p,
				const struct ik_key *key, const char *fvrf, uint32_t local,
				uint32_t peer, const struct ik_trace *tr);

/* P3: initiator. The IPsec profile's `set isakmp-profile` when there is one,
 * else the most specific profile matching the peer address (address matches
 * only, profiles bound to another local address skipped), else NULL. Trace:
 * "SA request profile is NAME". */
const struct ik_isakmp_profile *ik_profile_for_initiator(const struct ik_config *cfg,
							 const struct ik_ipsec_profile *ipsec,
							 const char *fvrf, uint32_t local,
							 uint32_t peer, const struct ik_trace *tr);

/* The same three for exchanges over IPv4 or IPv6: local and peer are
 * struct ik_addr (local NULL, 0.0.0.0 or ::: not known). An IPv6 identity
 * (IK_PEER_ID_IPV6) matches `match identity address ipv6 P/L` lines; a
 * profile bound to an IPv6 local address takes part only in exchanges on
 * it. */
const struct ik_isakmp_profile *ik_profile_match_responder_ip(const struct ik_config *cfg,
							      const char *fvrf,
							      const struct ik_addr *local,
							      const struct ik_peer_id *id,
							      const struct ik_trace *tr);
bool ik_profile_check_responder_ip(const struct ik_config *cfg,
				   const struct ik_isakmp_profile *p, const struct ik_key *key,
				   const char *fvrf, const struct ik_addr *local,
				   const struct ik_addr *peer, const struct ik_trace *tr);
const struct ik_isakmp_profile *ik_profile_for_initiator_ip(const struct ik_config *cfg,
							    const struct ik_ipsec_profile *ipsec,
							    const char *fvrf,
							    const struct ik_addr *local,
							    const struct ik_addr *peer,
							    const struct ik_trace *tr);

#endif
