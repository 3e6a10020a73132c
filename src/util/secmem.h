/* Secrets (pre-shared keys, DH private values, SKEYID material) in libsodium
 * secure memory: guarded pages, locked, wiped on free. */
#ifndef IK_UTIL_SECMEM_H
#define IK_UTIL_SECMEM_H

#include <stddef.h>
#include <stdint.h>

struct ik_secret {
	size_t len;
	uint8_t *p; /* sodium_malloc'd, len bytes (+1 NUL for printable keys) */
};

/* Must be called once before any other function here (calls sodium_init). */
int ik_secmem_init(void);
/* Copies len bytes; returns NULL on allocation failure. */
struct ik_secret *ik_secret_new(const void *data, size_t len);
struct ik_secret *ik_secret_alloc(size_t len); /* zero-filled */
struct ik_secret *ik_secret_dup(const struct ik_secret *s);
void ik_secret_free(struct ik_secret *s); /* NULL is fine */
/* Constant-time comparison of two equal-length buffers: 0 when equal. */
int ik_memeq_ct(const void *a, const void *b, size_t len);
void ik_wipe(void *p, size_t len);

#endif
