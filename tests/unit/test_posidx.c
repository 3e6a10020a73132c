/* Unit tests of src/util/posidx: the key -> position index of dense arrays
 * (the kernel backend's tracked policies, child SAs and tunnels) agrees with
 * a linear scan of the array under inserts, swap-removals and lookups, also
 * when every key falls into a few hash values. */
#include <check.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "util/posidx.h"

struct arr {
	uint32_t *key;
	uint32_t *h;
	size_t n;
	unsigned collide;       /* 0: keyed hash; N: hash = key % N */
	struct ik_posidx x;
};

struct look {
	const struct arr *a;
	uint32_t key;
};

static bool look_eq(const void *ctx, uint32_t pos)
{
	const struct look *l = ctx;

	return l->a->key[pos] == l->key;
}

static uint32_t arr_hash(const struct arr *a, uint32_t key)
{
	return a->collide ? key % a->collide : ik_posidx_hash(&a->x, &key, sizeof(key));
}

static long arr_scan(const struct arr *a, uint32_t key)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->key[i] == key)
			return (long)i;
	return -1;
}

static long arr_find(const struct arr *a, uint32_t key)
{
	struct look l = { a, key };
	uint32_t pos;

	return ik_posidx_find(&a->x, arr_hash(a, key), look_eq, &l, &pos) ? (long)pos : -1;
}

static void arr_remove(struct arr *a, size_t i)
{
	size_t last = a->n - 1;

	ck_assert(ik_posidx_remove(&a->x, a->h[i], (uint32_t)i));
	if (i != last) {
		a->key[i] = a->key[last];
		a->h[i] = a->h[last];
		ck_assert(ik_posidx_move(&a->x, a->h[i], (uint32_t)last, (uint32_t)i));
	}
	a->n--;
}

static void run_random(unsigned collide, unsigned ops, unsigned cap)
{
	struct arr a = { .collide = collide };
	unsigned seed = 12345u + collide;

	a.key = calloc(cap, sizeof(*a.key));
	a.h = calloc(cap, sizeof(*a.h));
	ck_assert(a.key && a.h);
	ik_posidx_init(&a.x);
	for (unsigned op = 0; op < ops; op++) {
		uint32_t key = (uint32_t)rand_r(&seed) % (cap * 2);
		long at = arr_scan(&a, key);
		unsigned what = (unsigned)rand_r(&seed) % 3;

		ck_assert_int_eq(arr_find(&a, key), at);
		if (what == 0 && at < 0 && a.n < cap) {
			a.key[a.n] = key;
			a.h[a.n] = arr_hash(&a, key);
			ck_assert_int_eq(ik_posidx_insert(&a.x, a.h[a.n], (uint32_t)a.n), 0);
			a.n++;
		} else if (what == 1 && at >= 0) {
			arr_remove(&a, (size_t)at);
		} else if (what == 2 && a.n) {
			arr_remove(&a, (size_t)rand_r(&seed) % a.n);
		}
		ck_assert_uint_eq(a.x.n, a.n);
		if (op % 997 == 0)
			for (uint32_t k = 0; k < cap * 2; k++)
				ck_assert_int_eq(arr_find(&a, k), arr_scan(&a, k));
	}
	while (a.n)
		arr_remove(&a, 0);
	for (uint32_t k = 0; k < cap * 2; k++)
		ck_assert_int_eq(arr_find(&a, k), -1);
	ik_posidx_free(&a.x);
	free(a.key);
	free(a.h);
}

START_TEST(agrees_with_scan)
{
	run_random(0, 60000, 600);
}
END_TEST

START_TEST(agrees_with_scan_colliding)
{
	/* long runs of equal hashes that wrap around the table's end */
	run_random(3, 30000, 300);
	run_random(61, 30000, 300);
}
END_TEST

START_TEST(absent_and_empty)
{
	struct ik_posidx x;
	struct arr a = { 0 };
	struct look l = { &a, 1 };
	uint32_t pos;

	ik_posidx_init(&x);
	ck_assert(!ik_posidx_find(&x, 7, look_eq, &l, &pos));
	ck_assert(!ik_posidx_remove(&x, 7, 0));
	ck_assert(!ik_posidx_move(&x, 7, 0, 1));
	ck_assert_int_eq(ik_posidx_insert(&x, 7, 0), 0);
	ck_assert(!ik_posidx_remove(&x, 8, 0));
	ck_assert(!ik_posidx_remove(&x, 7, 1));
	ck_assert(!ik_posidx_move(&x, 7, 1, 2));
	ck_assert_int_eq(ik_posidx_insert(&x, 7, UINT32_MAX), -1);
	ck_assert(ik_posidx_remove(&x, 7, 0));
	ck_assert_uint_eq(x.n, 0);
	ik_posidx_free(&x);
}
END_TEST

START_TEST(hash_is_keyed)
{
	struct ik_posidx x, y;
	unsigned same = 0;

	ik_posidx_init(&x);
	ik_posidx_init(&y);
	ck_assert(memcmp(x.key, y.key, sizeof(x.key)));
	for (uint32_t k = 0; k < 64; k++)
		same += ik_posidx_hash(&x, &k, sizeof(k)) == ik_posidx_hash(&y, &k, sizeof(k));
	ck_assert_uint_lt(same, 4);
	ik_posidx_free(&x);
	ik_posidx_free(&y);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("posidx");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	if (sodium_init() < 0)
		return EXIT_FAILURE;
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, agrees_with_scan);
	tcase_add_test(tc, agrees_with_scan_colliding);
	tcase_add_test(tc, absent_and_empty);
	tcase_add_test(tc, hash_is_keyed);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
