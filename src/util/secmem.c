/* Secure memory for secrets.
 *
 * Every secret lives in memory obtained from sodium_malloc (locked into RAM,
 * guard pages around it) and is wiped when freed. sodium_malloc costs an
 * mmap, an mprotect and an mlock per call, and sodium_free a munmap: about
 * 58 us a pair on these machines, more than a Diffie-Hellman exchange, and
 * the munmap stalls the other threads of the process. So secrets are carved
 * from pooled chunks of sodium_malloc'd memory instead: a chunk of 256 KiB is
 * taken once and cut into slots of power-of-two size classes (32 B to 4 KiB);
 * freed slots are wiped and kept on a per-class free list. Requests larger than
 * the largest class go to sodium_malloc directly. Chunks are never returned:
 * the pool's size follows the peak number of live secrets.
 *
 * The pool is shared by every thread, under one mutex (uncontended cost: a
 * few tens of nanoseconds against the microseconds of the crypto around it).
 *
 * Slots sit side by side inside a chunk, without the guard pages that
 * sodium_malloc puts around a block: in AddressSanitizer builds every slot
 * therefore has a poisoned redzone after the bytes asked for (and a free
 * slot is poisoned but for its free-list link), so that an overflow from one
 * secret into the next, or a use after free, is reported at once.
 */
#include "util/secmem.h"

#include <pthread.h>
#include <sodium.h>
#include <stdalign.h>
#include <string.h>

#define POOL_CHUNK (256u * 1024u)
#define POOL_MIN_SHIFT 5  /* 32 bytes */
#define POOL_MAX_SHIFT 12 /* 4096 bytes */
#define POOL_CLASSES (POOL_MAX_SHIFT - POOL_MIN_SHIFT + 1)
#define POOL_ALIGN 16

#if defined(__SANITIZE_ADDRESS__)
#define IK_SECMEM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define IK_SECMEM_ASAN 1
#endif
#endif
#ifdef IK_SECMEM_ASAN
#include <sanitizer/asan_interface.h>
#define POOL_REDZONE 32u
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POOL_REDZONE 0u
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

struct pool_free {
	struct pool_free *next;
};

static struct {
	pthread_mutex_t lock;
	struct pool_free *free[POOL_CLASSES];
	unsigned char *chunk; /* current chunk, carved from cut up to POOL_CHUNK */
	size_t cut;
	size_t chunks;
} pool = { .lock = PTHREAD_MUTEX_INITIALIZER };

int ik_secmem_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

/* The size class of a request, or -1 when it is too large for the pool. */
static int pool_class(size_t size)
{
	int c = 0;

	if (size > ((size_t)1 << POOL_MAX_SHIFT))
		return -1;
	while (((size_t)1 << (POOL_MIN_SHIFT + c)) < size)
		c++;
	return c;
}

void *ik_secmem_alloc(size_t size)
{
	int c = size > SIZE_MAX / 2 ? -1 : pool_class((size ? size : 1) + POOL_REDZONE);
	size_t slot;
	void *p = NULL;

	if (c < 0) {
		/* sodium_malloc puts the block against its guard page: a size that
		 * is a multiple of 16 keeps it aligned for any header */
		size_t rounded = (size + POOL_ALIGN - 1) & ~(size_t)(POOL_ALIGN - 1);

		p = sodium_malloc(rounded);
		if (p)
			memset(p, 0, rounded);
		return p;
	}
	slot = (size_t)1 << (POOL_MIN_SHIFT + c);
	pthread_mutex_lock(&pool.lock);
	if (pool.free[c]) {
		p = pool.free[c];
		pool.free[c] = pool.free[c]->next;
	} else {
		if (!pool.chunk || pool.cut + slot > POOL_CHUNK) {
			/* the rest of the old chunk stays unused: at most 4 KiB */
			unsigned char *n = sodium_malloc(POOL_CHUNK);

			if (n) {
				POISON(n, POOL_CHUNK);
				pool.chunk = n;
				pool.cut = 0;
				pool.chunks++;
			}
		}
		if (pool.chunk && pool.cut + slot <= POOL_CHUNK) {
			p = pool.chunk + pool.cut;
			pool.cut += slot;
		}
	}
	pthread_mutex_unlock(&pool.lock);
	if (p) {
		UNPOISON(p, slot);
		memset(p, 0, slot);
		POISON(p, slot);
		UNPOISON(p, size ? size : 1); /* the rest of the slot is the redzone */
	}
	return p;
}

void ik_secmem_free(void *p, size_t size)
{
	int c = size > SIZE_MAX / 2 ? -1 : pool_class((size ? size : 1) + POOL_REDZONE);
	struct pool_free *f = p;
	size_t slot;

	if (!p)
		return;
	if (c < 0) {
		sodium_free(p); /* wipes */
		return;
	}
	slot = (size_t)1 << (POOL_MIN_SHIFT + c);
	UNPOISON(p, slot);
	sodium_memzero(p, slot);
	/* before it is on the list: another thread may take it at once */
	POISON((unsigned char *)p + sizeof(*f), slot - sizeof(*f));
	pthread_mutex_lock(&pool.lock);
	f->next = pool.free[c];
	pool.free[c] = f;
	pthread_mutex_unlock(&pool.lock);
}

/* A secret is one pool slot: the header, then len bytes and a NUL. */
static size_t secret_size(size_t len)
{
	size_t hdr = (sizeof(struct ik_secret) + POOL_ALIGN - 1) & ~(size_t)(POOL_ALIGN - 1);

	return hdr + len + 1;
}

struct ik_secret *ik_secret_alloc(size_t len)
{
	size_t hdr = (sizeof(struct ik_secret) + POOL_ALIGN - 1) & ~(size_t)(POOL_ALIGN - 1);
	struct ik_secret *s;

	if (len > SIZE_MAX / 2)
		return NULL;
	s = ik_secmem_alloc(secret_size(len));
	if (!s)
		return NULL;
	s->p = (uint8_t *)s + hdr; /* zeroed by ik_secmem_alloc */
	s->len = len;
	return s;
}

struct ik_secret *ik_secret_new(const void *data, size_t len)
{
	struct ik_secret *s = ik_secret_alloc(len);

	if (s && len)
		memcpy(s->p, data, len);
	return s;
}

struct ik_secret *ik_secret_dup(const struct ik_secret *s)
{
	return s ? ik_secret_new(s->p, s->len) : NULL;
}

void ik_secret_free(struct ik_secret *s)
{
	if (!s)
		return;
	ik_secmem_free(s, secret_size(s->len)); /* wipes header and bytes */
}

size_t ik_secmem_chunks(void)
{
	size_t n;

	pthread_mutex_lock(&pool.lock);
	n = pool.chunks;
	pthread_mutex_unlock(&pool.lock);
	return n;
}

int ik_memeq_ct(const void *a, const void *b, size_t len)
{
	return sodium_memcmp(a, b, len);
}

bool ik_hash_equal(const void *received, size_t received_len, const void *computed,
		   size_t computed_len)
{
	/* lengths are public (the negotiated hash): only the bytes need constant time */
	if (received_len != computed_len || computed_len == 0)
		return false;
	return sodium_memcmp(received, computed, computed_len) == 0;
}

void ik_wipe(void *p, size_t len)
{
	sodium_memzero(p, len);
}
