/* An index from keys to positions in a dense array.
 *
 * The array stays the owner of its elements (compact, iterated in order,
 * removed by moving the last element into the hole); the index answers "at
 * which position is the element with this key" in O(1) expected time. It is
 * an open-addressed table (linear probing, deletion by backward shift, no
 * tombstones) of positions and of the low 32 bits of their keys' hashes; it
 * doubles when half full. The caller hashes its keys with ik_posidx_hash (a
 * keyed SipHash under a key drawn at random for each index, so that keys a
 * peer chooses, such as traffic selectors, cannot be made to collide) and
 * decides equality itself, through the callback given to ik_posidx_find.
 *
 * The caller tells the index about every change of the array: insert when an
 * element is appended, remove when one leaves, move when one changes
 * position. */
#ifndef IK_UTIL_POSIDX_H
#define IK_UTIL_POSIDX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IK_POSIDX_KEY_LEN 16

struct ik_posidx {
	uint32_t *pos;          /* position + 1 per slot; 0 = empty */
	uint32_t *hash;         /* the hash of the key at that position */
	size_t mask;            /* slots - 1 (a power of two), 0 before the first insert */
	size_t n;
	uint8_t key[IK_POSIDX_KEY_LEN];
};

/* Whether the element at pos has the key the caller looks for. */
typedef bool (*ik_posidx_eq_fn)(const void *ctx, uint32_t pos);

/* An empty index with a fresh random hash key. */
void ik_posidx_init(struct ik_posidx *x);
void ik_posidx_free(struct ik_posidx *x);

uint32_t ik_posidx_hash(const struct ik_posidx *x, const void *d, size_t len);

/* The position of an element whose hash is h and for which eq answers true;
 * false if there is none. */
bool ik_posidx_find(const struct ik_posidx *x, uint32_t h, ik_posidx_eq_fn eq, const void *ctx,
		    uint32_t *pos);

/* Records that the element at pos has the hash h. 0, or -1 when out of
 * memory (the index is unchanged then). */
int ik_posidx_insert(struct ik_posidx *x, uint32_t h, uint32_t pos);

/* Forgets the element at pos (of hash h). false if the index did not hold it. */
bool ik_posidx_remove(struct ik_posidx *x, uint32_t h, uint32_t pos);

/* The element of hash h moved from position from to position to. false if
 * the index did not hold it at from. */
bool ik_posidx_move(struct ik_posidx *x, uint32_t h, uint32_t from, uint32_t to);

#endif
