/* Pre-shared key selection, rules K1..K4 of spec/selection-rules.md.
 *
 * One resolver is built per configuration snapshot (ik_config_load_*). It
 * holds, per front-door VRF, the address keys of every keyring bound to that
 * VRF, concatenated in configuration order, in a longest-prefix structure
 * (an exact /32 hash plus a trie for shorter prefixes), and, for the global
 * VRF, the default keyring's keys separately since they are searched first.
 * Keyrings with `local-address A` go into one more table per (fVRF, A),
 * found through a hash: a lookup searches at most three tables whatever the
 * number of keys and keyrings.
 *
 * Every lookup emits the IOS trace lines of its rule through tr (may be NULL).
 */
#ifndef IK_KEYRING_RESOLVER_H
#define IK_KEYRING_RESOLVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/model.h"
#include "util/addr.h"
#include "util/log.h"

/* Where trace lines go, and the IOS connection id shown as ISAKMP:(N): */
struct ik_trace {
	const struct ik_log *log;
	unsigned conn_id;
};

struct ik_resolver *ik_resolver_build(const struct ik_config *cfg);
void ik_resolver_free(struct ik_resolver *r);

/* K3/K4: responder at MM3. Address keys only; fvrf NULL means global.
 * Global VRF: the default keyring first (longest prefix there), else the
 * keyrings of the global VRF concatenated; longest prefix; first in
 * configuration order on ties. local is the address the exchange arrived on:
 * a keyring with `local-address` is searched only when it equals local
 * (0: not known; only keyrings without local-address are searched). Returns
 * NULL when no key matches. */
const struct ik_key *ik_resolve_responder(const struct ik_resolver *r, const char *fvrf,
					  uint32_t local, uint32_t peer,
					  const struct ik_trace *tr);

/* K1 (profile != NULL): only that profile's keyrings, in their order, longest
 * prefix, first wins on ties; a profile with no keyring uses the keyrings of
 * K2. K2 (profile == NULL): the most specific key over all keyrings of the
 * fVRF, the default keyring consulted first. Address keys only. local is the
 * address the exchange leaves from; keyrings bound to another local address
 * are skipped, as for the responder. */
const struct ik_key *ik_resolve_initiator(const struct ik_resolver *r,
					  const struct ik_isakmp_profile *profile,
					  const char *fvrf, uint32_t local, uint32_t peer,
					  const struct ik_trace *tr);

/* The same lookups for a peer of either family (struct ik_addr). An IPv4
 * peer goes through the calls above unchanged (local: its IPv4 address, or
 * NULL / an IPv6 address for "not known"); an IPv6 peer is looked up among
 * the keys written `address ipv6 P/L`, by the same rules K1..K4 and with
 * the same traces, addresses printed as IOS prints IPv6 (2001:DB8::1). A
 * keyring bound to an IPv6 local address is searched only for exchanges on
 * that address; one bound to an IPv4 address never for an IPv6 peer. */
const struct ik_key *ik_resolve_responder_ip(const struct ik_resolver *r, const char *fvrf,
					     const struct ik_addr *local,
					     const struct ik_addr *peer,
					     const struct ik_trace *tr);
const struct ik_key *ik_resolve_initiator_ip(const struct ik_resolver *r,
					     const struct ik_isakmp_profile *profile,
					     const char *fvrf, const struct ik_addr *local,
					     const struct ik_addr *peer,
					     const struct ik_trace *tr);

/* An address key contains a (same family, within its prefix). */
bool ik_key_matches(const struct ik_key *k, const struct ik_addr *a);

/* The prefix length and mask the K rules use for an address key: its own,
 * except that IOS reads "address 0.0.0.0" with the mask omitted as the
 * wildcard 0.0.0.0 0.0.0.0 (show crypto isakmp key lists such a key as
 * "0.0.0.0 [0.0.0.0]"; rule K4). An IPv6 key has its own length (0..128) and
 * no mask: ik_key_mask is for IPv4 keys. */
int ik_key_plen(const struct ik_key *k);
uint32_t ik_key_mask(const struct ik_key *k);

/* Memory the resolver uses, for the benchmark's bytes-per-key figure. */
size_t ik_resolver_bytes(const struct ik_resolver *r);

#endif
