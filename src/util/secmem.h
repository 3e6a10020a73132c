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
 * secmem.c); free with the same size; the memory is wiped on free. Freeing
 * a pointer the pool never gave (or a second time, when that empties its
 * chunk) aborts. */
void *ik_secmem_alloc(size_t size);
void ik_secmem_free(void *p, size_t size);
/* The pool's chunks: IK_SECMEM_CHUNK bytes each; a chunk whose slots are all
 * free again is kept while it is the one being carved or while fewer than
 * IK_SECMEM_RESERVE other empty ones are kept, else given back. */
#define IK_SECMEM_CHUNK (256u * 1024u)
#define IK_SECMEM_RESERVE 1u
/* Chunks the pool holds from sodium_malloc now (for tests). */
size_t ik_secmem_chunks(void);
/* Secure memory of the whole process (every thread), for show and benchmarks. */
struct ik_secmem_stats {
	size_t in_use;            /* bytes handed out: whole pool slots, and large blocks */
	size_t held;              /* bytes taken from sodium_malloc: chunks, large blocks */
	size_t chunks;            /* the pool's chunks */
	size_t large;             /* blocks too large for the pool, each sodium_malloc'd */
	uint64_t chunks_returned; /* chunks given back to sodium_free since start */
	uint64_t frees;           /* slots freed since start */
	uint64_t index_probes;    /* entries of the address index those frees looked at */
};
void ik_secmem_stats(struct ik_secmem_stats *st);
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
