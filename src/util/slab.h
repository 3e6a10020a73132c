/* Fixed-size objects in slabs of their own pages.
 *
 * Records that live long (the idle per-peer records, the per-source records
 * of a flood) must not share heap pages with the short-lived blocks of
 * half-open SAs: one record left on a page keeps the whole page resident
 * after the SAs around it are freed, and malloc cannot give it back. A pool
 * takes its objects from page-aligned slabs of IK_SLAB_BYTES mapped for it
 * alone; a slab whose objects are all free is unmapped at once (one empty
 * slab is kept, so that a record made and dropped over and over does not map
 * and unmap a slab each time). Objects are carved from a slab as they are
 * first needed: a new slab costs the pages it uses, not its size.
 *
 * Every operation is O(1): the slab of an object is found from its address,
 * slabs with free objects are on a list. Not thread-safe (one pool per
 * engine). In AddressSanitizer builds free objects are poisoned. */
#ifndef IK_UTIL_SLAB_H
#define IK_UTIL_SLAB_H

#include <stddef.h>
#include <stdint.h>

#define IK_SLAB_BYTES (64u * 1024u)     /* a power of two; slabs are aligned on it */

struct ik_slab;

struct ik_slab_pool {
	size_t size;                    /* of an object, rounded up to 16 bytes */
	uint32_t per_slab;              /* objects in a slab */
	struct ik_slab *partial;        /* slabs with a free object, most recent first */
	struct ik_slab *spare;          /* one empty slab kept mapped, or NULL */
	struct ik_slab *all;            /* every slab mapped */
	size_t nslabs;                  /* slabs mapped, the spare included */
	size_t nobjs;                   /* objects in use */
};

/* A pool of objects of size bytes (at most a quarter of a slab). A pool
 * zeroed as a whole is an empty pool of no size: init it before use. */
void ik_slab_init(struct ik_slab_pool *p, size_t size);
/* A zeroed object, or NULL when no memory could be mapped. */
void *ik_slab_alloc(struct ik_slab_pool *p);
/* Gives back an object of this pool (NULL does nothing). */
void ik_slab_free(struct ik_slab_pool *p, void *obj);
/* Unmaps every slab: every object of the pool goes. The pool stays usable. */
void ik_slab_destroy(struct ik_slab_pool *p);

#endif
