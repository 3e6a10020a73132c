/* Unit tests of src/util/slab: objects are distinct, zeroed and aligned; a
 * slab whose objects are all free is unmapped (one is kept as a spare), so
 * that memory of long-lived records goes back to the system with them; the
 * counts agree with a model under random allocations and frees. */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/slab.h"

#define OBJ 368 /* the size of a per-peer record */

static bool mapped(const void *p)
{
	unsigned char v;
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)(sysconf(_SC_PAGESIZE) - 1);

	return mincore((void *)a, 1, &v) == 0 || errno != ENOMEM;
}

START_TEST(test_slab_basic)
{
	struct ik_slab_pool p;
	size_t n = 1000;
	uint8_t **v = calloc(n, sizeof(*v));

	ik_slab_init(&p, OBJ);
	ck_assert_uint_eq(p.size % 16, 0);
	ck_assert_uint_ge(p.size, OBJ);
	for (size_t i = 0; i < n; i++) {
		v[i] = ik_slab_alloc(&p);
		ck_assert_ptr_nonnull(v[i]);
		ck_assert_uint_eq((uintptr_t)v[i] % 16, 0);
		for (size_t k = 0; k < OBJ; k++)
			ck_assert_uint_eq(v[i][k], 0);
		memset(v[i], (int)(i & 0xff), OBJ);
	}
	ck_assert_uint_eq(p.nobjs, n);
	ck_assert_uint_eq(p.nslabs, (n + p.per_slab - 1) / p.per_slab);
	/* no object overlaps another: each still holds its own pattern */
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < OBJ; k++)
			ck_assert_uint_eq(v[i][k], i & 0xff);
	/* freeing every object unmaps every slab but one */
	for (size_t i = 0; i < n; i++)
		ik_slab_free(&p, v[i]);
	ck_assert_uint_eq(p.nobjs, 0);
	ck_assert_uint_eq(p.nslabs, 1);
	{
		size_t gone = 0;

		for (size_t i = 0; i < n; i++)
			gone += !mapped(v[i]);
		ck_assert_uint_ge(gone, n - p.per_slab);
	}
	/* the spare serves the next object, zeroed again */
	v[0] = ik_slab_alloc(&p);
	ck_assert_ptr_nonnull(v[0]);
	ck_assert_uint_eq(p.nslabs, 1);
	for (size_t k = 0; k < OBJ; k++)
		ck_assert_uint_eq(v[0][k], 0);
	ik_slab_free(&p, NULL);
	ik_slab_destroy(&p);
	ck_assert_uint_eq(p.nslabs, 0);
	ck_assert_uint_eq(p.nobjs, 0);
	ck_assert(!mapped(v[0]));
	/* usable again after destroy */
	v[0] = ik_slab_alloc(&p);
	ck_assert_ptr_nonnull(v[0]);
	ik_slab_destroy(&p);
	free(v);
}
END_TEST

START_TEST(test_slab_refuses_large)
{
	struct ik_slab_pool p;

	ik_slab_init(&p, IK_SLAB_BYTES / 2);
	ck_assert_ptr_null(ik_slab_alloc(&p));
	ck_assert_uint_eq(p.nslabs, 0);
	ik_slab_init(&p, 1);
	ck_assert_uint_ge(p.size, sizeof(void *));
	ck_assert_ptr_nonnull(ik_slab_alloc(&p));
	ik_slab_destroy(&p);
}
END_TEST

/* Long-lived objects among many short-lived ones: once the short-lived
 * ones go, the slabs left are about those the long-lived ones need. */
START_TEST(test_slab_random)
{
	struct ik_slab_pool p;
	enum { N = 20000 };
	uint32_t *v[N] = { 0 };
	size_t live = 0;
	unsigned seed = 12345;

	ik_slab_init(&p, 48);
	for (int round = 0; round < 200000; round++) {
		size_t i = (size_t)rand_r(&seed) % N;

		if (v[i]) {
			ck_assert_uint_eq(v[i][0], (uint32_t)i);
			ik_slab_free(&p, v[i]);
			v[i] = NULL;
			live--;
		} else {
			v[i] = ik_slab_alloc(&p);
			ck_assert_ptr_nonnull(v[i]);
			ck_assert_uint_eq(v[i][0], 0);
			v[i][0] = (uint32_t)i;
			live++;
		}
		ck_assert_uint_eq(p.nobjs, live);
	}
	/* keep every 1000th object, free the rest */
	for (size_t i = 0; i < N; i++) {
		if (v[i] && i % 1000) {
			ik_slab_free(&p, v[i]);
			v[i] = NULL;
			live--;
		}
	}
	ck_assert_uint_eq(p.nobjs, live);
	ck_assert_uint_le(p.nslabs, live + 1);
	for (size_t i = 0; i < N; i++)
		if (v[i])
			ck_assert_uint_eq(v[i][0], (uint32_t)i);
	for (size_t i = 0; i < N; i++)
		ik_slab_free(&p, v[i]);
	ck_assert_uint_eq(p.nslabs, 1);
	ik_slab_destroy(&p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("slab");
	TCase *tc = tcase_create("slab");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_slab_basic);
	tcase_add_test(tc, test_slab_refuses_large);
	tcase_add_test(tc, test_slab_random);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
