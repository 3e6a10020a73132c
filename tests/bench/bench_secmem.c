/* The secure-memory pool (src/util/secmem.c; not part of make check; prints
 * figures, asserts nothing):
 *   nanoseconds of an allocation and its free (a 49-byte secret: a 32-byte
 *     key with its header and NUL), one after the other, and of a burst of
 *     50,000 allocations freed in random order, which takes chunks and gives
 *     them back;
 *   what a burst of 50,000 eight-key sets (the keys of an IKEv2 half-open SA)
 *     leaves held when all but 1 in K of them are freed: secrets are not
 *     moved, so each survivor keeps its chunk.
 * Usage: bench_secmem */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "util/secmem.h"

#define SECRET 49 /* a 32-byte key in a struct ik_secret */
#define BURST 50000
#define KEYS 8

static void *v[BURST][KEYS];

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static void pair_cost(void)
{
	enum { PAIRS = 2000000, ROUNDS = 10 };
	double t0 = now_s(), t1;
	struct ik_secmem_stats s;

	for (unsigned i = 0; i < PAIRS; i++)
		ik_secmem_free(ik_secmem_alloc(SECRET), SECRET);
	t1 = now_s();
	printf("alloc + free of a %u-byte secret: %.1f ns\n", SECRET, (t1 - t0) * 1e9 / PAIRS);
	t0 = now_s();
	for (unsigned r = 0; r < ROUNDS; r++) {
		for (unsigned i = 0; i < BURST; i++)
			v[i][0] = ik_secmem_alloc(SECRET);
		for (unsigned i = BURST; i > 1; i--) {
			unsigned j = rnd() % i;
			void *t = v[i - 1][0];

			v[i - 1][0] = v[j][0];
			v[j][0] = t;
		}
		for (unsigned i = 0; i < BURST; i++)
			ik_secmem_free(v[i][0], SECRET);
	}
	t1 = now_s();
	ik_secmem_stats(&s);
	printf("burst of %u, freed in random order: %.1f ns per alloc + free "
	       "(%llu chunks given back in %u bursts)\n", BURST,
	       (t1 - t0) * 1e9 / ((double)ROUNDS * BURST), (unsigned long long)s.chunks_returned,
	       ROUNDS);
}

static void survivors(unsigned keep)
{
	struct ik_secmem_stats s0, s1, s2;

	ik_secmem_stats(&s0);
	for (unsigned i = 0; i < BURST; i++)
		for (unsigned k = 0; k < KEYS; k++)
			v[i][k] = ik_secmem_alloc(SECRET);
	ik_secmem_stats(&s1);
	for (unsigned i = 0; i < BURST; i++)
		if (i % keep)
			for (unsigned k = 0; k < KEYS; k++)
				ik_secmem_free(v[i][k], SECRET);
	ik_secmem_stats(&s2);
	printf("%8u %11zu %13.1f %11.1f %7zu\n", keep, s1.chunks,
	       ((double)s2.in_use - (double)s0.in_use) / 1024.0,
	       ((double)s2.held - (double)s0.held) / 1048576.0, s2.chunks);
	for (unsigned i = 0; i < BURST; i += keep)
		for (unsigned k = 0; k < KEYS; k++)
			ik_secmem_free(v[i][k], SECRET);
}

int main(void)
{
	static const unsigned keep[] = { 100, 1000, 10000, 100000 };

	if (ik_secmem_init())
		return 1;
	pair_cost();
	printf("\n%u sets of %u secrets, all but 1 in K freed (chunks of %u KiB):\n", BURST,
	       KEYS, IK_SECMEM_CHUNK / 1024);
	printf("%8s %11s %13s %11s %7s\n", "K", "peak chunks", "in use KiB", "held +MiB",
	       "chunks");
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		survivors(keep[i]);
	return 0;
}
