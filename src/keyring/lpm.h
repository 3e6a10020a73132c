/* A read-only longest-prefix-match table over IPv4 prefixes, built once.
 *
 * Used by the keyring resolver (keys) and the profile index (match identity
 * address). Values are opaque pointers. Among entries with the same address
 * and prefix length, the one given first (lowest rank) wins.
 *
 * Layout: /32 entries live in an open-addressing hash (linear probing,
 * 16-byte slots, load about 2/3); shorter prefixes are flattened into
 * disjoint address intervals, each holding its best value, found through a
 * direct index on the top bits of the address and a short binary search.
 * A lookup costs one hash probe and, on a miss there, two cache lines of the
 * interval table. All entries are also kept sorted by (address, length) so
 * that every match of an address can be enumerated (for traces).
 */
#ifndef IK_KEYRING_LPM_H
#define IK_KEYRING_LPM_H

#include <stddef.h>
#include <stdint.h>

struct ik_lpm_ent {
	uint32_t addr;          /* network (masked by the builder) */
	uint32_t plen;          /* 0..32 */
	uint32_t rank;          /* tie-break among equal prefixes: lower wins */
	const void *val;        /* non-NULL */
};

struct ik_lpm;

/* Builds a table from n entries (the array is sorted in place). Returns NULL
 * when memory runs out. n may be 0. */
struct ik_lpm *ik_lpm_build(struct ik_lpm_ent *ents, size_t n);
void ik_lpm_free(struct ik_lpm *t);

/* The value of the longest prefix containing a, first rank on ties; NULL. */
const void *ik_lpm_lookup(const struct ik_lpm *t, uint32_t a);

/* Bit p (0..32) set when some entry has prefix length p. */
uint64_t ik_lpm_plens(const struct ik_lpm *t);

/* The entries whose prefix is exactly (a masked to plen, plen), in rank
 * order: returns how many, and sets *first to the first of them. */
size_t ik_lpm_exact(const struct ik_lpm *t, uint32_t a, uint32_t plen,
		    const struct ik_lpm_ent **first);

size_t ik_lpm_count(const struct ik_lpm *t);
size_t ik_lpm_bytes(const struct ik_lpm *t);

#endif
