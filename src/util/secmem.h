/* Secrets (pre-shared keys, DH private values, SKEYID material) in libsodium
 * secure memory: guarded pages, locked, wiped on free. */
#ifndef IK_UTIL_SECMEM_H
#define IK_UTIL_SECMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ik_secret {
	size_t len;
	uint8_t *p; /* secure memory: len bytes and a NUL */
};

/* Must be called once before any other function here (calls sodium_init). */
int ik_secmem_init(void);
/* Raw secure memory, zero-filled, for secrets that are not byte strings (a DH
 * key pair). Small sizes come from a pool of locked, guarded chunks (see
 * secmem.c); free with the same size; the memory is wiped on free. */
void *ik_secmem_alloc(size_t size);
void ik_secmem_free(void *p, size_t size);
/* Chunks the pool has taken from sodium_malloc (for tests). */
size_t ik_secmem_chunks(void);
/* Copies len bytes; returns NULL on allocation failure. */
struct ik_secret *ik_secret_new(const void *data, size_t len);
struct ik_secret *ik_secret_alloc(size_t len); /* zero-filled */
struct ik_secret *ik_secret_dup(const struct ik_secret *s);
void ik_secret_free(struct ik_secret *s); /* NULL is fine */
/* Constant-time comparison of two equal-length buffers: 0 when equal (the
 * primitive; checks of a HASH, ICV or MAC use ik_hash_equal). */
int ik_memeq_ct(const void *a, const void *b, size_t len);
/* The one verification of a received HASH/ICV/MAC against the computed one:
 * true when the received value has the expected length and equals it, in
 * time that does not depend on where they differ. */
bool ik_hash_equal(const void *received, size_t received_len, const void *computed,
		   size_t computed_len);
void ik_wipe(void *p, size_t len);

#endif
