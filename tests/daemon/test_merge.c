/* Unit tests of the merging of show output from several workers
 * (src/daemon/show_merge.c). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/show_merge.h"

static void parts_set(struct ik_sb *p, unsigned n, const char *const *texts)
{
	for (unsigned k = 0; k < n; k++) {
		ik_sb_init(&p[k]);
		ik_sb_add(&p[k], texts[k]);
	}
}

static void parts_free(struct ik_sb *p, unsigned n)
{
	for (unsigned k = 0; k < n; k++)
		ik_sb_free(&p[k]);
}

START_TEST(text_headings_once)
{
	static const char *const t[] = {
		"IPv4 Crypto ISAKMP SA\n"
		"dst             src             state          conn-id status\n"
		"198.51.100.2    198.51.100.1    QM_IDLE           1001 ACTIVE\n"
		"\nIPv6 Crypto ISAKMP SA\n\n",
		"IPv4 Crypto ISAKMP SA\n"
		"dst             src             state          conn-id status\n"
		"198.51.100.1    198.51.100.3    QM_IDLE         101001 ACTIVE\n"
		"198.51.100.1    198.51.100.5    MM_NO_STATE     101002 ACTIVE\n"
		"\nIPv6 Crypto ISAKMP SA\n\n",
		"IPv4 Crypto ISAKMP SA\n"
		"dst             src             state          conn-id status\n"
		"\nIPv6 Crypto ISAKMP SA\n\n",
	};
	struct ik_sb p[3], out;

	parts_set(p, 3, t);
	ik_sb_init(&out);
	ikd_merge_text(p, 3, &out);
	ck_assert_str_eq(ik_sb_str(&out),
			 "IPv4 Crypto ISAKMP SA\n"
			 "dst             src             state          conn-id status\n"
			 "198.51.100.2    198.51.100.1    QM_IDLE           1001 ACTIVE\n"
			 "198.51.100.1    198.51.100.3    QM_IDLE         101001 ACTIVE\n"
			 "198.51.100.1    198.51.100.5    MM_NO_STATE     101002 ACTIVE\n"
			 "\nIPv6 Crypto ISAKMP SA\n\n");
	ik_sb_free(&out);
	parts_free(p, 3);
}
END_TEST

START_TEST(text_empty_parts)
{
	static const char *const t[] = { "", "\ninterface: Tunnel1\n   spi: 0x1\n", "" };
	struct ik_sb p[3], out;

	parts_set(p, 3, t);
	ik_sb_init(&out);
	ikd_merge_text(p, 3, &out);
	ck_assert_str_eq(ik_sb_str(&out), "\ninterface: Tunnel1\n   spi: 0x1\n");
	ik_sb_free(&out);
	parts_free(p, 3);
	/* a last line without a newline is kept */
	static const char *const u[] = { "head\nrow1", "head\nrow2" };
	parts_set(p, 2, u);
	ik_sb_init(&out);
	ikd_merge_text(p, 2, &out);
	ck_assert_str_eq(ik_sb_str(&out), "head\nrow1\nrow2\n");
	ik_sb_free(&out);
	parts_free(p, 2);
}
END_TEST

START_TEST(json_arrays_and_objects)
{
	static const char *const arr[] = { "[{\"conn_id\":1001}]\n", "[]\n",
					   "[\n {\"conn_id\":201001},\n {\"conn_id\":201002}\n]\n" };
	static const char *const obj[] = { "{\"keys\":[1,\"a]\"]}\n", "{\"keys\":[2]}\n" };
	static const char *const two[] = { "{\"a\":[1],\"b\":[2]}\n", "{\"a\":[3],\"b\":[4]}\n" };
	struct ik_sb p[3], out;

	parts_set(p, 3, arr);
	ik_sb_init(&out);
	ikd_merge_json(p, 3, &out);
	ck_assert_str_eq(ik_sb_str(&out),
			 "[{\"conn_id\":1001},{\"conn_id\":201001},\n {\"conn_id\":201002}\n]\n");
	ik_sb_free(&out);
	parts_free(p, 3);

	parts_set(p, 2, obj);
	ik_sb_init(&out);
	ikd_merge_json(p, 2, &out);
	ck_assert_str_eq(ik_sb_str(&out), "{\"keys\":[1,\"a]\",2]}\n");
	ik_sb_free(&out);
	parts_free(p, 2);

	/* objects with more than one member are not merged member by member */
	parts_set(p, 2, two);
	ik_sb_init(&out);
	ikd_merge_json(p, 2, &out);
	ck_assert_str_eq(ik_sb_str(&out),
			 "{\"workers\":[{\"a\":[1],\"b\":[2]},{\"a\":[3],\"b\":[4]}]}\n");
	ik_sb_free(&out);
	parts_free(p, 2);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("show_merge");
	TCase *tc = tcase_create("merge");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, text_headings_once);
	tcase_add_test(tc, text_empty_parts);
	tcase_add_test(tc, json_arrays_and_objects);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
