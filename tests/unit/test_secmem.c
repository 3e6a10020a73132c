/* Unit tests of the secure-memory pool (src/util/secmem.c): a burst of
 * allocations that is freed gives its chunks back (they are unmapped), but
 * for the chunk being carved and IK_SECMEM_RESERVE empty ones; mixed sizes
 * freed in any order never overlap and come back zeroed; memory is wiped on
 * free; blocks too large for the pool keep sodium_malloc's guard page; a
 * free finds its chunk without walking the chunks; the counts of
 * ik_secmem_stats agree with what is live. Each test runs in its own
 * process, on a pool that starts empty. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/secmem.h"

#include "util/asan.h"

/* 1,500 bytes take a 2 KiB slot with or without ASan's redzone: 128 a chunk */
#define BIG_SLOT_REQ 1500
#define BIG_SLOTS_PER_CHUNK (IK_SECMEM_CHUNK / 2048)

static uint64_t rnd_state = 0x2545f4914f6cdd1dull;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (uint32_t)(rnd_state >> 16);
}

static bool mapped(const void *p)
{
	unsigned char v;
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)(sysconf(_SC_PAGESIZE) - 1);

	return mincore((void *)a, 1, &v) == 0 || errno != ENOMEM;
}

static void shuffle(void **v, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = rnd() % i;
		void *t = v[i - 1];

		v[i - 1] = v[j];
		v[j] = t;
	}
}

START_TEST(burst_gives_chunks_back)
{
	size_t n = 16 * BIG_SLOTS_PER_CHUNK, unmapped = 0;
	void **v = calloc(n, sizeof(*v));
	struct ik_secmem_stats s0, s1, s2;

	ck_assert_ptr_nonnull(v);
	ik_secmem_stats(&s0);
	ck_assert_uint_eq(s0.chunks, 0);
	for (size_t i = 0; i < n; i++) {
		v[i] = ik_secmem_alloc(BIG_SLOT_REQ);
		ck_assert_ptr_nonnull(v[i]);
		memset(v[i], 0x5a, BIG_SLOT_REQ);
	}
	ik_secmem_stats(&s1);
	ck_assert_uint_eq(s1.chunks, 16);
	ck_assert_uint_eq(ik_secmem_chunks(), 16);
	ck_assert_uint_eq(s1.in_use, n * 2048);
	ck_assert_uint_eq(s1.held, 16 * (size_t)IK_SECMEM_CHUNK);
	for (size_t i = 0; i < n; i++)
		ik_secmem_free(v[i], BIG_SLOT_REQ);
	ik_secmem_stats(&s2);
	/* the chunk being carved (the last) stays, and one in reserve */
	ck_assert_uint_eq(s2.chunks, 1 + IK_SECMEM_RESERVE);
	ck_assert_uint_eq(ik_secmem_chunks(), 1 + IK_SECMEM_RESERVE);
	ck_assert_uint_eq(s2.in_use, 0);
	ck_assert_uint_eq(s2.held, (1 + IK_SECMEM_RESERVE) * (size_t)IK_SECMEM_CHUNK);
	ck_assert_uint_eq(s2.chunks_returned, 16 - 1 - IK_SECMEM_RESERVE);
	/* the first slot of each chunk: the given-back chunks are unmapped */
	for (size_t k = 0; k < 16; k++)
		if (!mapped(v[k * BIG_SLOTS_PER_CHUNK]))
			unmapped++;
	ck_assert_uint_eq(unmapped, 16 - 1 - IK_SECMEM_RESERVE);
	ck_assert(mapped(v[15 * BIG_SLOTS_PER_CHUNK])); /* being carved */
	free(v);
}
END_TEST

START_TEST(reuse_after_return)
{
	size_t n = 6 * BIG_SLOTS_PER_CHUNK;
	void **v = calloc(n, sizeof(*v));
	struct ik_secmem_stats s;

	ck_assert_ptr_nonnull(v);
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < n; i++) {
			const uint8_t *b;

			v[i] = ik_secmem_alloc(BIG_SLOT_REQ);
			ck_assert_ptr_nonnull(v[i]);
			b = v[i];
			/* zero-filled, also where a previous round left its bytes */
			ck_assert(b[0] == 0 && b[BIG_SLOT_REQ / 2] == 0 &&
				  b[BIG_SLOT_REQ - 1] == 0);
			memset(v[i], 0xa5, BIG_SLOT_REQ);
		}
		ck_assert_uint_eq(ik_secmem_chunks(), 6);
		shuffle(v, n);
		for (size_t i = 0; i < n; i++)
			ik_secmem_free(v[i], BIG_SLOT_REQ);
		ck_assert_uint_eq(ik_secmem_chunks(), 1 + IK_SECMEM_RESERVE);
	}
	ik_secmem_stats(&s);
	/* per round: 6 chunks, of which the carved one and the reserve stay */
	ck_assert_uint_eq(s.chunks_returned, 3 * (6 - 1 - IK_SECMEM_RESERVE));
	ck_assert_uint_eq(s.in_use, 0);
	free(v);
}
END_TEST

/* A live allocation: its size and the byte it is filled with. */
struct live {
	uint8_t *p;
	size_t size;
	uint8_t fill;
};

static void live_check_free(struct live *l)
{
	for (size_t k = 0; k < l->size; k++)
		if (l->p[k] != l->fill)
			ck_abort_msg("byte %zu of a %zu-byte block overwritten", k, l->size);
	ik_secmem_free(l->p, l->size);
	l->p = NULL;
}

START_TEST(interleaved_sizes)
{
	enum { SLOTS = 3000, OPS = 40000 };
	struct live *l = calloc(SLOTS, sizeof(*l));
	struct ik_secmem_stats s;
	size_t nlive = 0, max_chunks = 0;

	ck_assert_ptr_nonnull(l);
	for (unsigned op = 0; op < OPS; op++) {
		struct live *e = &l[rnd() % SLOTS];

		if (e->p) {
			live_check_free(e);
			continue;
		}
		/* mostly pool classes, a few blocks too large for the pool */
		e->size = rnd() % 8 ? 1 + rnd() % 4000 : 4097 + rnd() % 6000;
		e->p = ik_secmem_alloc(e->size);
		ck_assert_ptr_nonnull(e->p);
		for (size_t k = 0; k < e->size; k++)
			if (e->p[k])
				ck_abort_msg("byte %zu of a new %zu-byte block not zero", k, e->size);
		e->fill = (uint8_t)(1 + op % 255);
		memset(e->p, e->fill, e->size);
		if (ik_secmem_chunks() > max_chunks)
			max_chunks = ik_secmem_chunks();
	}
	for (size_t i = 0; i < SLOTS; i++)
		if (l[i].p)
			nlive++;
	ck_assert_uint_gt(nlive, 0);
	ck_assert_uint_gt(max_chunks, 1 + IK_SECMEM_RESERVE);
	for (size_t i = 0; i < SLOTS; i++)
		if (l[i].p)
			live_check_free(&l[i]);
	ik_secmem_stats(&s);
	ck_assert_uint_eq(s.in_use, 0);
	ck_assert_uint_eq(s.large, 0);
	ck_assert_uint_le(s.chunks, 1 + IK_SECMEM_RESERVE);
	ck_assert_uint_eq(s.held, s.chunks * (size_t)IK_SECMEM_CHUNK);
	free(l);
}
END_TEST

START_TEST(secrets_and_raw_counted)
{
	struct ik_secmem_stats s0, s1, s2;
	struct ik_secret *a, *b;
	void *big;

	ik_secmem_stats(&s0);
	a = ik_secret_new("cisco123", 8);
	b = ik_secret_alloc(10000); /* beyond the largest class */
	big = ik_secmem_alloc(5000);
	ck_assert(a && b && big);
	ik_secmem_stats(&s1);
	ck_assert_uint_eq(s1.large, 2);
	ck_assert_uint_ge(s1.in_use - s0.in_use, 8 + 10000 + 5000);
	ck_assert_uint_ge(s1.held - s0.held, 10000 + 5000);
	ck_assert_str_eq((const char *)a->p, "cisco123");
	ik_secret_free(a);
	ik_secret_free(b);
	ik_secmem_free(big, 5000);
	ik_secmem_stats(&s2);
	ck_assert_uint_eq(s2.large, 0);
	ck_assert_uint_eq(s2.in_use, s0.in_use);
}
END_TEST

START_TEST(wiped_on_free)
{
	/* the keeper holds the chunk, so the freed slot stays mapped to look at */
	void *keeper = ik_secmem_alloc(200);
	uint8_t *p = ik_secmem_alloc(200);
	struct ik_secret *s = ik_secret_new("0123456789abcdef0123456789abcdef", 32);
	uint8_t *sp;

	ck_assert(keeper && p && s);
	memset(p, 0xee, 200);
	sp = s->p;
	ik_secmem_free(p, 200);
	ik_secret_free(s);
	/* freed slots are poisoned in ASan builds: these looks are deliberate; the
	 * first bytes of a free slot hold its free-list link */
	IK_UNPOISON(p, 200);
	for (size_t k = sizeof(void *); k < 200; k++)
		ck_assert_uint_eq(p[k], 0);
	IK_POISON(p, 200);
	IK_UNPOISON(sp, 33);
	for (size_t k = 0; k < 33; k++)
		ck_assert_uint_eq(sp[k], 0);
	IK_POISON(sp, 33);
	ik_secmem_free(keeper, 200);
}
END_TEST

/* Writes one byte at offset off of a fresh secure block of size bytes, in a
 * child; returns true when the child died of it (SIGSEGV, or ASan's report
 * of a SEGV). */
static bool write_kills(size_t size, size_t off)
{
	int fd[2], st = 0;
	char out[4096];
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	ck_assert_int_eq(pipe(fd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		volatile uint8_t *b = ik_secmem_alloc(size);

		close(fd[0]);
		dup2(fd[1], 2);
		if (!b)
			_exit(3);
		b[off] = 1;
		_exit(0);
	}
	close(fd[1]);
	while (n + 1 < sizeof(out) && (r = read(fd[0], out + n, sizeof(out) - 1 - n)) > 0)
		n += (size_t)r;
	out[n] = 0;
	close(fd[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	if (WIFSIGNALED(st))
		return WTERMSIG(st) == SIGSEGV || WTERMSIG(st) == SIGBUS;
	ck_assert_msg(WEXITSTATUS(st) != 3, "no secure memory");
	return WEXITSTATUS(st) != 0 && strstr(out, "SEGV") != NULL;
}

START_TEST(large_blocks_keep_guard_page)
{
	/* 10,000 and 8,192 bytes: sizes that are multiples of 16 end at the guard
	 * page that sodium_malloc puts after every block */
	ck_assert(!write_kills(10000, 9999));
	ck_assert(write_kills(10000, 10000));
	ck_assert(!write_kills(8192, 8191));
	ck_assert(write_kills(8192, 8192));
}
END_TEST

START_TEST(free_finds_chunk_without_walk)
{
	/* 96 chunks, more than the index starts with, freed in random order:
	 * every free looks at a handful of index entries, not at the chunks */
	size_t n = 96 * BIG_SLOTS_PER_CHUNK;
	void **v = calloc(n, sizeof(*v));
	struct ik_secmem_stats s0, s1;

	ck_assert_ptr_nonnull(v);
	for (size_t i = 0; i < n; i++) {
		v[i] = ik_secmem_alloc(BIG_SLOT_REQ);
		ck_assert_ptr_nonnull(v[i]);
	}
	ck_assert_uint_eq(ik_secmem_chunks(), 96);
	shuffle(v, n);
	ik_secmem_stats(&s0);
	for (size_t i = 0; i < n; i++)
		ik_secmem_free(v[i], BIG_SLOT_REQ);
	ik_secmem_stats(&s1);
	ck_assert_uint_eq(s1.frees - s0.frees, n);
	ck_assert_msg(s1.index_probes - s0.index_probes <= 3 * n,
		      "%llu index entries looked at for %zu frees",
		      (unsigned long long)(s1.index_probes - s0.index_probes), n);
	ck_assert_uint_eq(s1.chunks, 1 + IK_SECMEM_RESERVE);
	ck_assert_uint_eq(s1.in_use, 0);
	free(v);
}
END_TEST

/* Frees that the pool cannot account for stop the process. */
static int free_status(int what)
{
	int st = 0;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		static uint8_t not_pool[64];
		void *p = ik_secmem_alloc(64);

		if (what == 0) {
			ik_secmem_free(not_pool, 64);
		} else {
			ik_secmem_free(p, 64);
			ik_secmem_free(p, 64); /* the chunk has nothing handed out */
		}
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return st;
}

START_TEST(bad_free_aborts)
{
	int st = free_status(_i);

	ck_assert(WIFSIGNALED(st));
	ck_assert_int_eq(WTERMSIG(st), SIGABRT);
}
END_TEST

static void *churn(void *arg)
{
	uint64_t x = (uintptr_t)arg;
	void *v[64] = { 0 };
	size_t sz[64] = { 0 };

	for (unsigned op = 0; op < 30000; op++) {
		unsigned k;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		k = (unsigned)(x % 64);
		if (v[k]) {
			for (size_t b = 0; b < sz[k]; b++)
				if (((uint8_t *)v[k])[b] != (uint8_t)k)
					return (void *)1; /* changed under its owner */
			ik_secmem_free(v[k], sz[k]);
			v[k] = NULL;
		} else {
			sz[k] = 1 + (size_t)(x >> 32) % 3000;
			v[k] = ik_secmem_alloc(sz[k]);
			if (!v[k])
				return (void *)2; /* allocation failed */
			memset(v[k], (int)k, sz[k]);
		}
	}
	for (unsigned k = 0; k < 64; k++)
		ik_secmem_free(v[k], sz[k]);
	return NULL;
}

START_TEST(threads_share_the_pool)
{
	pthread_t t[3];
	void *res;
	struct ik_secmem_stats s;

	for (uintptr_t k = 0; k < 3; k++)
		ck_assert_int_eq(pthread_create(&t[k], NULL, churn, (void *)(k * 7919 + 1)), 0);
	for (int k = 0; k < 3; k++) {
		ck_assert_int_eq(pthread_join(t[k], &res), 0);
		ck_assert_msg(res == NULL, "thread %d: %s", k,
			      res == (void *)1 ? "a block changed under its owner" : "out of memory");
	}
	ik_secmem_stats(&s);
	ck_assert_uint_eq(s.in_use, 0);
	ck_assert_uint_le(s.chunks, 1 + IK_SECMEM_RESERVE);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("secmem");
	TCase *tc = tcase_create("pool");
	SRunner *sr;
	int failed;

	if (ik_secmem_init())
		return EXIT_FAILURE;
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, burst_gives_chunks_back);
	tcase_add_test(tc, reuse_after_return);
	tcase_add_test(tc, interleaved_sizes);
	tcase_add_test(tc, secrets_and_raw_counted);
	tcase_add_test(tc, wiped_on_free);
	tcase_add_test(tc, large_blocks_keep_guard_page);
	tcase_add_test(tc, free_finds_chunk_without_walk);
	tcase_add_loop_test(tc, bad_free_aborts, 0, 2);
	tcase_add_test(tc, threads_share_the_pool);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
