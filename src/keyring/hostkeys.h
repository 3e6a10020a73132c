/* Pre-shared keys bound to a host name (`pre-shared-key hostname H key K`,
 * `crypto isakmp key K hostname H`): used when the peer identifies itself by
 * an FQDN before the key is needed, that is in Aggressive Mode. Main Mode
 * never uses them as responder (rule K3.1): the identity arrives encrypted.
 *
 * The index is an array sorted by the hash of the lower-cased name: a lookup
 * is a binary search whatever the number of keys. */
#ifndef IK_KEYRING_HOSTKEYS_H
#define IK_KEYRING_HOSTKEYS_H

#include "conf/model.h"
#include "keyring/resolver.h"

struct ik_hostkeys;

struct ik_hostkeys *ik_hostkeys_build(const struct ik_config *cfg);
void ik_hostkeys_free(struct ik_hostkeys *hk);

/* The key for host name (compared without regard to case): among the keys
 * for that name, the first in the order the rules search keyrings: the
 * profile's keyrings in the profile's order when it lists any (K1), else the
 * default keyring and then the keyrings of fvrf in configuration order (K2,
 * K3); a keyring with local-address only when it is local, the address the
 * exchange arrived on or leaves from. Trace: "found peer pre-shared key
 * matching NAME", or NULL. */
const struct ik_key *ik_hostkeys_lookup(const struct ik_hostkeys *hk,
					const struct ik_isakmp_profile *profile,
					const char *fvrf, uint32_t local, const char *name,
					const struct ik_trace *tr);

#endif
