/* Secure memory for secrets.
 *
 * Every secret lives in memory obtained from sodium_malloc (locked into RAM,
 * guard pages around it) and is wiped when freed. sodium_malloc costs an
 * mmap, an mprotect and an mlock per call, and sodium_free a munmap: about
 * 58 us a pair on these machines, more than a Diffie-Hellman exchange, and
 * the munmap stalls the other threads of the process. So secrets are carved
 * from pooled chunks of sodium_malloc'd memory instead: a chunk of 256 KiB is
 * taken once and cut into slots of power-of-two size classes (32 B to 4 KiB).
 * Requests larger than the largest class go to sodium_malloc directly.
 *
 * Freed slots are wiped and kept on their chunk's free list of their class;
 * a chunk with a free slot of class c is on the pool's list of chunks that
 * can serve c, and each chunk counts the slots it has handed out. A chunk
 * whose last slot comes back is reset (nothing on its free lists, carving
 * starts again at its first byte): the chunk being carved stays, up to
 * POOL_RESERVE others are kept for the next burst, and any further one goes
 * back to sodium_free, so that the locked memory and RSS taken by a burst of
 * secrets (half-open SAs of a flood) are given back when the burst expires.
 * A free finds its chunk through an index of chunk addresses: a hash of the
 * 256 KiB-aligned units of the address space, each chunk entered under the
 * (at most two) units it overlaps. Allocation and free are O(1): no list of
 * chunks is walked.
 *
 * The pool is shared by every thread, under one mutex (uncontended cost: a
 * few tens of nanoseconds against the microseconds of the crypto around it);
 * the sodium_free of a returned chunk happens after the mutex is released.
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
#include <stdlib.h>
#include <string.h>

#include "util/asan.h"

#define POOL_CHUNK IK_SECMEM_CHUNK
#define POOL_UNIT_SHIFT 18 /* log2(POOL_CHUNK): a chunk overlaps at most two units */
#define POOL_RESERVE IK_SECMEM_RESERVE
#define POOL_MIN_SHIFT 5  /* 32 bytes */
#define POOL_MAX_SHIFT 12 /* 4096 bytes */
#define POOL_CLASSES (POOL_MAX_SHIFT - POOL_MIN_SHIFT + 1)
#define POOL_ALIGN 16
#define POOL_INDEX_MIN 16 /* buckets of the address index at first */

_Static_assert(((size_t)1 << POOL_UNIT_SHIFT) == POOL_CHUNK, "a unit is a chunk's size");

#ifdef IK_ASAN
#define POOL_REDZONE 32u
#else
#define POOL_REDZONE 0u
#endif

struct pool_free {
	struct pool_free *next;
};

struct pool_chunk;

/* An entry of the address index: one 256 KiB unit that a chunk overlaps. */
struct pool_node {
	struct pool_node *next;
	struct pool_chunk *chunk;
	uintptr_t unit;
};

/* A chunk's bookkeeping lives on the ordinary heap (it holds no secret). */
struct pool_chunk {
	unsigned char *base;                  /* POOL_CHUNK bytes from sodium_malloc */
	size_t cut;                           /* bytes carved from the start */
	size_t used;                          /* slots handed out and not freed */
	struct pool_free *free[POOL_CLASSES]; /* freed slots, by class */
	/* on pool.avail[c] while free[c] is not empty */
	struct pool_chunk *next[POOL_CLASSES], *prev[POOL_CLASSES];
	struct pool_chunk *rnext; /* on pool.reserve */
	struct pool_node node[2];
};

static struct {
	pthread_mutex_t lock;
	struct pool_chunk *avail[POOL_CLASSES]; /* chunks with a free slot of the class */
	struct pool_chunk *cur;                 /* the chunk being carved */
	struct pool_chunk *reserve;             /* empty chunks kept for reuse */
	size_t nreserve;
	struct pool_node **index; /* address index: index_mask + 1 buckets */
	size_t index_mask, index_nodes;
	size_t chunks, in_use, large, large_bytes;
	uint64_t returned, frees, probes;
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

/* ---- the address index ---- */

static size_t index_bucket(uintptr_t unit)
{
	/* Fibonacci hashing: chunk addresses are the allocator's, not a peer's */
	return (size_t)(((uint64_t)unit * 0x9e3779b97f4a7c15ull) >> 32) & pool.index_mask;
}

/* Doubles the buckets when there are as many entries as buckets; on
 * allocation failure the old table stays (longer chains, still correct).
 * Returns -1 only when there is no table at all. */
static int index_grow(void)
{
	size_t n = pool.index ? (pool.index_mask + 1) * 2 : POOL_INDEX_MIN;
	struct pool_node **t;

	if (pool.index && pool.index_nodes + 2 <= pool.index_mask + 1)
		return 0;
	t = calloc(n, sizeof(*t));
	if (!t)
		return pool.index ? 0 : -1;
	if (pool.index) {
		size_t old = pool.index_mask + 1;
		struct pool_node **o = pool.index;

		pool.index = t;
		pool.index_mask = n - 1;
		for (size_t b = 0; b < old; b++) {
			struct pool_node *e, *next;

			for (e = o[b]; e; e = next) {
				size_t h = index_bucket(e->unit);

				next = e->next;
				e->next = t[h];
				t[h] = e;
			}
		}
		free(o);
	} else {
		pool.index = t;
		pool.index_mask = n - 1;
	}
	return 0;
}

static void index_put(struct pool_node *e)
{
	size_t h = index_bucket(e->unit);

	e->next = pool.index[h];
	pool.index[h] = e;
	pool.index_nodes++;
}

static void index_del(struct pool_node *e)
{
	struct pool_node **pp = &pool.index[index_bucket(e->unit)];

	while (*pp && *pp != e)
		pp = &(*pp)->next;
	if (*pp) {
		*pp = e->next;
		pool.index_nodes--;
	}
}

/* The chunk holding p, or NULL when p is no slot of the pool. */
static struct pool_chunk *index_find(const void *p)
{
	uintptr_t a = (uintptr_t)p, unit = a >> POOL_UNIT_SHIFT;
	struct pool_node *e;

	for (e = pool.index[index_bucket(unit)]; e; e = e->next) {
		pool.probes++;
		if (e->unit == unit && a >= (uintptr_t)e->chunk->base &&
		    a < (uintptr_t)e->chunk->base + POOL_CHUNK)
			return e->chunk;
	}
	return NULL;
}

/* ---- chunks ---- */

static void avail_link(struct pool_chunk *ch, int c)
{
	ch->prev[c] = NULL;
	ch->next[c] = pool.avail[c];
	if (pool.avail[c])
		pool.avail[c]->prev[c] = ch;
	pool.avail[c] = ch;
}

static void avail_unlink(struct pool_chunk *ch, int c)
{
	if (ch->prev[c])
		ch->prev[c]->next[c] = ch->next[c];
	else
		pool.avail[c] = ch->next[c];
	if (ch->next[c])
		ch->next[c]->prev[c] = ch->prev[c];
	ch->next[c] = ch->prev[c] = NULL;
}

/* A new chunk from sodium_malloc, entered in the index; NULL when out of memory. */
static struct pool_chunk *chunk_new(void)
{
	struct pool_chunk *ch;
	uintptr_t first, last;

	if (index_grow() < 0)
		return NULL;
	ch = calloc(1, sizeof(*ch));
	if (!ch)
		return NULL;
	ch->base = sodium_malloc(POOL_CHUNK);
	if (!ch->base) {
		free(ch);
		return NULL;
	}
	IK_POISON(ch->base, POOL_CHUNK);
	first = (uintptr_t)ch->base >> POOL_UNIT_SHIFT;
	last = ((uintptr_t)ch->base + POOL_CHUNK - 1) >> POOL_UNIT_SHIFT;
	ch->node[0] = (struct pool_node){ .chunk = ch, .unit = first };
	index_put(&ch->node[0]);
	if (last != first) {
		ch->node[1] = (struct pool_node){ .chunk = ch, .unit = last };
		index_put(&ch->node[1]);
	}
	pool.chunks++;
	return ch;
}

/* A chunk whose last slot came back: off every list of free slots, carving
 * from its start again. Its slots were wiped as they were freed. */
static void chunk_reset(struct pool_chunk *ch)
{
	for (int c = 0; c < POOL_CLASSES; c++) {
		if (ch->free[c])
			avail_unlink(ch, c);
		ch->free[c] = NULL;
	}
	ch->cut = 0;
	IK_POISON(ch->base, POOL_CHUNK);
}

/* Takes ch out of the pool; the caller sodium_frees it outside the lock. */
static void chunk_remove(struct pool_chunk *ch)
{
	index_del(&ch->node[0]);
	if (ch->node[1].chunk)
		index_del(&ch->node[1]);
	pool.chunks--;
	pool.returned++;
}

static void chunk_release(struct pool_chunk *ch)
{
	IK_UNPOISON(ch->base, POOL_CHUNK);
	sodium_free(ch->base); /* wipes */
	free(ch);
}

/* ---- allocation ---- */

static size_t large_size(size_t size)
{
	/* sodium_malloc puts the block against its guard page: a size that is a
	 * multiple of 16 keeps it aligned for any header */
	return (size + POOL_ALIGN - 1) & ~(size_t)(POOL_ALIGN - 1);
}

/* A slot of class c, with its chunk's count taken; NULL when out of memory. */
static void *pool_take(int c)
{
	size_t slot = (size_t)1 << (POOL_MIN_SHIFT + c);
	struct pool_chunk *ch = pool.avail[c];
	void *p;

	if (ch) {
		struct pool_free *f = ch->free[c];

		ch->free[c] = f->next;
		if (!ch->free[c])
			avail_unlink(ch, c);
		p = f;
	} else {
		if (!pool.cur || pool.cur->cut + slot > POOL_CHUNK) {
			/* the rest of the old chunk stays unused: at most 4 KiB */
			if (pool.reserve) {
				ch = pool.reserve;
				pool.reserve = ch->rnext;
				pool.nreserve--;
				ch->rnext = NULL;
			} else {
				ch = chunk_new();
			}
			if (!ch)
				return NULL;
			pool.cur = ch;
		}
		ch = pool.cur;
		p = ch->base + ch->cut;
		ch->cut += slot;
	}
	ch->used++;
	pool.in_use += slot;
	return p;
}

void *ik_secmem_alloc(size_t size)
{
	int c = size > SIZE_MAX / 2 ? -1 : pool_class((size ? size : 1) + POOL_REDZONE);
	size_t slot;
	void *p;

	if (c < 0) {
		size_t rounded = large_size(size);

		p = size > SIZE_MAX / 2 ? NULL : sodium_malloc(rounded);
		if (!p)
			return NULL;
		memset(p, 0, rounded);
		pthread_mutex_lock(&pool.lock);
		pool.large++;
		pool.large_bytes += rounded;
		pthread_mutex_unlock(&pool.lock);
		return p;
	}
	slot = (size_t)1 << (POOL_MIN_SHIFT + c);
	pthread_mutex_lock(&pool.lock);
	p = pool_take(c);
	pthread_mutex_unlock(&pool.lock);
	if (p) {
		IK_UNPOISON(p, slot);
		memset(p, 0, slot);
		IK_POISON(p, slot);
		IK_UNPOISON(p, size ? size : 1); /* the rest of the slot is the redzone */
	}
	return p;
}

void ik_secmem_free(void *p, size_t size)
{
	int c = size > SIZE_MAX / 2 ? -1 : pool_class((size ? size : 1) + POOL_REDZONE);
	struct pool_free *f = p;
	struct pool_chunk *ch, *gone = NULL;
	size_t slot;

	if (!p)
		return;
	if (c < 0) {
		pthread_mutex_lock(&pool.lock);
		pool.large--;
		pool.large_bytes -= large_size(size);
		pthread_mutex_unlock(&pool.lock);
		sodium_free(p); /* wipes */
		return;
	}
	slot = (size_t)1 << (POOL_MIN_SHIFT + c);
	pthread_mutex_lock(&pool.lock);
	pool.frees++;
	ch = pool.index ? index_find(p) : NULL;
	if (!ch || !ch->used) {
		pthread_mutex_unlock(&pool.lock);
		/* a pointer the pool never handed out, or a double free: the
		 * bookkeeping of secrets cannot be trusted any more */
		abort();
	}
	/* wiped under the lock, once known to be the pool's: at most 4 KiB */
	IK_UNPOISON(p, slot);
	sodium_memzero(p, slot);
	IK_POISON((unsigned char *)p + sizeof(*f), slot - sizeof(*f));
	if (!ch->free[c])
		avail_link(ch, c);
	f->next = ch->free[c];
	ch->free[c] = f;
	ch->used--;
	pool.in_use -= slot;
	if (!ch->used) {
		chunk_reset(ch);
		if (ch == pool.cur) {
			/* carved from its start again */
		} else if (pool.nreserve < POOL_RESERVE) {
			ch->rnext = pool.reserve;
			pool.reserve = ch;
			pool.nreserve++;
		} else {
			chunk_remove(ch);
			gone = ch;
		}
	}
	pthread_mutex_unlock(&pool.lock);
	if (gone)
		chunk_release(gone);
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

void ik_secmem_stats(struct ik_secmem_stats *st)
{
	pthread_mutex_lock(&pool.lock);
	st->in_use = pool.in_use + pool.large_bytes;
	st->held = pool.chunks * (size_t)POOL_CHUNK + pool.large_bytes;
	st->chunks = pool.chunks;
	st->large = pool.large;
	st->chunks_returned = pool.returned;
	st->frees = pool.frees;
	st->index_probes = pool.probes;
	pthread_mutex_unlock(&pool.lock);
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
