/* Fixed-size objects in slabs of their own pages (see slab.h). */
#include "util/slab.h"

#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>

#include "util/asan.h"

#define SLAB_ALIGN 16u

struct slab_free {
	struct slab_free *next;
};

struct ik_slab {
	struct ik_slab *prev, *next;            /* on the partial list */
	struct ik_slab *all_prev, *all_next;    /* every slab of the pool */
	struct slab_free *free;                 /* objects given back */
	uint32_t nused;                         /* objects in use */
	uint32_t nfresh;                        /* objects carved so far */
	bool listed;                            /* on the partial list */
};

#define SLAB_HEAD ((sizeof(struct ik_slab) + SLAB_ALIGN - 1) & ~(size_t)(SLAB_ALIGN - 1))

static uint8_t *slab_objs(struct ik_slab *s)
{
	return (uint8_t *)s + SLAB_HEAD;
}

void ik_slab_init(struct ik_slab_pool *p, size_t size)
{
	memset(p, 0, sizeof(*p));
	if (size < sizeof(struct slab_free))
		size = sizeof(struct slab_free);
	p->size = (size + SLAB_ALIGN - 1) & ~(size_t)(SLAB_ALIGN - 1);
	if (p->size > (IK_SLAB_BYTES - SLAB_HEAD) / 4)
		p->size = 0; /* refused: ik_slab_alloc answers NULL */
	else
		p->per_slab = (uint32_t)((IK_SLAB_BYTES - SLAB_HEAD) / p->size);
}

static void partial_add(struct ik_slab_pool *p, struct ik_slab *s)
{
	s->prev = NULL;
	s->next = p->partial;
	if (p->partial)
		p->partial->prev = s;
	p->partial = s;
	s->listed = true;
}

static void partial_del(struct ik_slab_pool *p, struct ik_slab *s)
{
	if (!s->listed)
		return;
	if (s->prev)
		s->prev->next = s->next;
	else
		p->partial = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->prev = s->next = NULL;
	s->listed = false;
}

/* A new slab aligned on its size: twice the size is mapped, the ends cut. */
static struct ik_slab *slab_map(struct ik_slab_pool *p)
{
	size_t len = 2 * (size_t)IK_SLAB_BYTES;
	uint8_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t a;
	size_t head;
	struct ik_slab *s;

	if (m == MAP_FAILED)
		return NULL;
	a = ((uintptr_t)m + IK_SLAB_BYTES - 1) & ~(uintptr_t)(IK_SLAB_BYTES - 1);
	head = (size_t)(a - (uintptr_t)m);
	if (head)
		munmap(m, head);
	if (len - head > IK_SLAB_BYTES)
		munmap((uint8_t *)a + IK_SLAB_BYTES, len - head - IK_SLAB_BYTES);
	s = (struct ik_slab *)a;
	memset(s, 0, sizeof(*s));
	IK_POISON(slab_objs(s), IK_SLAB_BYTES - SLAB_HEAD);
	s->all_next = p->all;
	if (p->all)
		p->all->all_prev = s;
	p->all = s;
	p->nslabs++;
	return s;
}

static void slab_unmap(struct ik_slab_pool *p, struct ik_slab *s)
{
	if (s->all_prev)
		s->all_prev->all_next = s->all_next;
	else
		p->all = s->all_next;
	if (s->all_next)
		s->all_next->all_prev = s->all_prev;
	p->nslabs--;
	IK_UNPOISON(slab_objs(s), IK_SLAB_BYTES - SLAB_HEAD);
	munmap(s, IK_SLAB_BYTES);
}

void *ik_slab_alloc(struct ik_slab_pool *p)
{
	struct ik_slab *s = p->partial;
	uint8_t *obj;

	if (!p->size)
		return NULL;
	if (!s) {
		if (p->spare) {
			s = p->spare;
			p->spare = NULL;
		} else if (!(s = slab_map(p))) {
			return NULL;
		}
		partial_add(p, s);
	}
	if (s->free) {
		obj = (uint8_t *)s->free;
		IK_UNPOISON(obj, p->size);
		s->free = s->free->next;
	} else {
		obj = slab_objs(s) + (size_t)s->nfresh++ * p->size;
		IK_UNPOISON(obj, p->size);
	}
	if (++s->nused == p->per_slab)
		partial_del(p, s);
	p->nobjs++;
	memset(obj, 0, p->size);
	return obj;
}

void ik_slab_free(struct ik_slab_pool *p, void *obj)
{
	struct ik_slab *s;
	struct slab_free *f = obj;

	if (!obj)
		return;
	s = (struct ik_slab *)((uintptr_t)obj & ~(uintptr_t)(IK_SLAB_BYTES - 1));
	f->next = s->free;
	s->free = f;
	IK_POISON(obj, p->size);
	p->nobjs--;
	if (s->nused-- == p->per_slab)
		partial_add(p, s);
	if (s->nused)
		return;
	/* empty: kept as the spare, or unmapped */
	partial_del(p, s);
	if (!p->spare)
		p->spare = s;
	else
		slab_unmap(p, s);
}

void ik_slab_destroy(struct ik_slab_pool *p)
{
	while (p->all)
		slab_unmap(p, p->all);
	p->partial = p->spare = NULL;
	p->nobjs = 0;
}
