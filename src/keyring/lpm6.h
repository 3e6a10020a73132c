/* A read-only longest-prefix-match table over IPv6 prefixes, built once.
 *
 * The IPv6 counterpart of keyring/lpm.h, with the same contract: values are
 * opaque pointers, and among entries with the same prefix the one with the
 * lowest rank wins. IPv4 lookups do not go through this table, so they keep
 * the cost of lpm.h.
 *
 * Layout: all entries sorted by (address, length, rank), and one
 * open-addressing hash keyed by (prefix length, masked address) pointing at
 * the first entry of each distinct prefix. A lookup probes the hash once per
 * prefix length present in the table, longest first, and stops at the first
 * hit: its cost depends on how many distinct lengths the configuration uses
 * (at most 129), never on the number of entries.
 */
#ifndef IK_KEYRING_LPM6_H
#define IK_KEYRING_LPM6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ik_lpm6_ent {
	uint8_t addr[16];       /* network order; masked by the builder */
	uint32_t plen;          /* 0..128 */
	uint32_t rank;          /* tie-break among equal prefixes: lower wins */
	const void *val;        /* non-NULL */
};

/* The set of prefix lengths 0..128 of a table. */
struct ik_plen6 {
	uint64_t w[3];
};

static inline bool ik_plen6_has(const struct ik_plen6 *s, unsigned p)
{
	return p <= 128 && (s->w[p / 64] >> (p % 64)) & 1;
}

static inline void ik_plen6_add(struct ik_plen6 *s, unsigned p)
{
	if (p <= 128)
		s->w[p / 64] |= (uint64_t)1 << (p % 64);
}

struct ik_lpm6;

/* Builds a table from n entries (the array is sorted in place). NULL when
 * memory runs out. n may be 0. */
struct ik_lpm6 *ik_lpm6_build(struct ik_lpm6_ent *ents, size_t n);
void ik_lpm6_free(struct ik_lpm6 *t);

/* The value of the longest prefix containing a, first rank on ties; NULL. */
const void *ik_lpm6_lookup(const struct ik_lpm6 *t, const uint8_t a[16]);

/* The prefix lengths present. */
struct ik_plen6 ik_lpm6_plens(const struct ik_lpm6 *t);

/* The entries whose prefix is exactly (a masked to plen, plen), in rank
 * order: returns how many, and sets *first to the first of them. */
size_t ik_lpm6_exact(const struct ik_lpm6 *t, const uint8_t a[16], uint32_t plen,
		     const struct ik_lpm6_ent **first);

size_t ik_lpm6_count(const struct ik_lpm6 *t);
size_t ik_lpm6_bytes(const struct ik_lpm6 *t);

#endif
