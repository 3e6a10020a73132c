/* Fuzz target: a peer's Diffie-Hellman public value (the KE payload body)
 * through ik_dh_derive. The first byte picks the group, the rest is the
 * value. Whatever the bytes, the value is either refused with a reason or
 * gives a shared secret of the group's length; anything else aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ike/crypto.h"
#include "util/secmem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned groups[] = { 1, 2, 5, 14, 15, 16, 19, 20, 21, 24, 31 };
#define NGROUPS (sizeof(groups) / sizeof(groups[0]))

/* One key pair per group, made once from fixed bytes. */
static struct ik_dh *keys[NGROUPS];

static struct ik_dh *key_for(size_t i)
{
	uint8_t r[128];
	size_t rl;

	if (keys[i])
		return keys[i];
	rl = ik_dh_rand_len(groups[i]);
	if (rl == 0 || rl > sizeof(r))
		abort();
	memset(r, 0xa5, rl);
	keys[i] = ik_dh_new(groups[i], r, rl);
	if (!keys[i])
		abort();
	return keys[i];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct ik_secret *s;
	char why[128] = "";
	size_t i, want;

	if (!ready) {
		if (ik_secmem_init() != 0)
			abort();
		ready = 1;
	}
	if (size < 1)
		return 0;
	i = data[0] % NGROUPS;
	want = ik_dh_public_len(groups[i]);
	s = ik_dh_derive(key_for(i), data + 1, size - 1, why, sizeof(why));
	if (s) {
		size_t zlen = groups[i] >= 19 && groups[i] <= 21 ? want / 2 : want;

		if (size - 1 != want || s->len != zlen || why[0] != '\0')
			abort();
		ik_secret_free(s);
	} else if (why[0] == '\0') {
		abort();
	}
	return 0;
}
