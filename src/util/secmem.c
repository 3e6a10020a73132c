#include "util/secmem.h"

#include <sodium.h>
#include <string.h>

int ik_secmem_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

struct ik_secret *ik_secret_alloc(size_t len)
{
	struct ik_secret *s = sodium_malloc(sizeof(*s));

	if (!s)
		return NULL;
	/* one spare byte keeps a printable key NUL-terminated */
	s->p = sodium_malloc(len + 1);
	if (!s->p) {
		sodium_free(s);
		return NULL;
	}
	memset(s->p, 0, len + 1);
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
	sodium_free(s->p); /* wipes */
	sodium_free(s);
}

int ik_memeq_ct(const void *a, const void *b, size_t len)
{
	return sodium_memcmp(a, b, len);
}

void ik_wipe(void *p, size_t len)
{
	sodium_memzero(p, len);
}
