/* Unit tests of src/util: addresses, masks, the text buffer, the trace capture. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "util/addr.h"
#include "util/asan.h"
#include "util/log.h"
#include "util/secmem.h"
#include "util/strbuf.h"
#include "util/util.h"

START_TEST(addr_parse_strict)
{
	uint32_t a;

	ck_assert_int_eq(ik_addr_parse("192.168.0.2", &a), 0);
	ck_assert_uint_eq(a, 0xc0a80002u);
	ck_assert_int_eq(ik_addr_parse("192.168.0", &a), -1);
	ck_assert_int_eq(ik_addr_parse("192.168.0.256", &a), -1);
	ck_assert_int_eq(ik_addr_parse("192.168.0.2x", &a), -1);
	ck_assert_int_eq(ik_addr_parse("1.2.3.0004", &a), -1);
	char buf[IK_ADDRSTRLEN];
	ck_assert_str_eq(ik_addr_fmt(0xc0a80002u, buf), "192.168.0.2");
}
END_TEST

/* struct ik_addr: both families parsed, printed, keyed and compared. */
START_TEST(addr_any_family)
{
	struct ik_addr a, b;
	uint8_t k1[IK_ADDR_KEYLEN], k2[IK_ADDR_KEYLEN];
	char buf[IK_ADDR_ANYSTRLEN];

	ck_assert_int_eq(ik_addr_parse_any("192.0.2.1", &a), 0);
	ck_assert_uint_eq(a.family, IK_AF_INET4);
	ck_assert_uint_eq(a.v4, 0xc0000201u);
	ck_assert_str_eq(ik_addr_fmt_any(&a, buf), "192.0.2.1");
	ck_assert_int_eq(ik_addr_parse_any("2001:DB8:0:0::1", &b), 0);
	ck_assert_uint_eq(b.family, IK_AF_INET6);
	ck_assert_str_eq(ik_addr_fmt_any(&b, buf), "2001:db8::1");
	ck_assert(!ik_addr_eq(&a, &b));
	ck_assert_uint_eq(ik_addr_key(&a, k1), 5);
	ck_assert_uint_eq(ik_addr_key(&b, k2), 17);
	/* ::ffff:192.0.2.1 is an IPv6 address, not the IPv4 one */
	ck_assert_int_eq(ik_addr_parse_any("::ffff:192.0.2.1", &b), 0);
	ck_assert(!ik_addr_eq(&a, &b));
	b = ik_addr_v4(0xc0000201u);
	ck_assert(ik_addr_eq(&a, &b));
	ck_assert_int_eq(ik_addr_parse_any("192.0.2", &a), -1);
	ck_assert_int_eq(ik_addr_parse_any("2001:db8::1::2", &a), -1);
}
END_TEST

START_TEST(mask_plen)
{
	ck_assert_int_eq(ik_mask_plen(0xffffffffu), 32);
	ck_assert_int_eq(ik_mask_plen(0xffffff00u), 24);
	ck_assert_int_eq(ik_mask_plen(0), 0);
	ck_assert_int_eq(ik_mask_plen(0xff00ff00u), -1);
	ck_assert_uint_eq(ik_plen_mask(24), 0xffffff00u);
	ck_assert_uint_eq(ik_plen_mask(0), 0);
	ck_assert_uint_eq(ik_plen_mask(32), 0xffffffffu);
}
END_TEST

START_TEST(strbuf_json)
{
	struct ik_sb sb;

	ik_sb_init(&sb);
	ck_assert_str_eq(ik_sb_str(&sb), "");
	ik_sb_json_str(&sb, "a\"b\\c\n\x01");
	ck_assert_str_eq(ik_sb_str(&sb), "\"a\\\"b\\\\c\\n\\u0001\"");
	ik_sb_reset(&sb);
	ik_sb_printf(&sb, "%d-%s", 7, "x");
	ck_assert_str_eq(ik_sb_str(&sb), "7-x");
	ik_sb_free(&sb);
}
END_TEST

START_TEST(log_categories)
{
	struct ik_log_capture cap = { 0 };
	struct ik_log lg = { .debug_mask = IK_DBG_ISAKMP, .sink = ik_log_capture_sink, .ctx = &cap };

	ik_dbg(&lg, IK_DBG_ISAKMP, "ISAKMP:(%u):found", 0u);
	ik_dbg(&lg, IK_DBG_IPSEC, "IPSEC: dropped");
	ik_msg(&lg, IK_LOG_WARNING, "%%CRYPTO-4-X: always");
	ck_assert_uint_eq(cap.n, 2);
	ck_assert_int_eq(ik_log_capture_find(&cap, 0, "found"), 0);
	ck_assert_int_eq(ik_log_capture_find(&cap, 0, "dropped"), -1);
	ck_assert_uint_eq(ik_dbg_cat_parse("isakmp aaa"), IK_DBG_ISAKMP_AAA);
	ck_assert_uint_eq(ik_dbg_cat_parse("bogus"), 0);
	ck_assert_uint_eq(ik_dbg_cat_parse("isakmp detail"), IK_DBG_ISAKMP_DETAIL);
	/* detail lines need their own switch */
	ik_dbg(&lg, IK_DBG_ISAKMP_DETAIL, "ISAKMP:(0):key for 192.0.2.1 found in r1");
	ck_assert_int_eq(ik_log_capture_find(&cap, 0, "found in r1"), -1);
	ik_log_capture_clear(&cap);
}
END_TEST

/* debug crypto condition peer ipv4 A: only lines of events whose peer is in
 * the set; lines outside any peer's event are dropped while a condition is
 * set; with no condition everything passes. */
START_TEST(log_condition_peer)
{
	struct ik_log_capture cap = { 0 };
	struct ik_dbg_cond cond = { 0 };
	struct ik_log lg = { .debug_mask = IK_DBG_ISAKMP, .sink = ik_log_capture_sink,
			     .ctx = &cap, .cond = &cond };
	uint32_t many[IK_DBG_COND_MAX];

	ik_log_scope(&lg, 0xc0000201u);
	ik_dbg(&lg, IK_DBG_ISAKMP, "no condition: A");
	ck_assert_int_eq(ik_dbg_cond_add(&cond, 0xc0000202u), 0);
	ck_assert_int_eq(ik_dbg_cond_add(&cond, 0xc0000202u), 0); /* twice: once */
	ck_assert_uint_eq(cond.n, 1);
	ik_dbg(&lg, IK_DBG_ISAKMP, "condition B, event A");
	ik_log_scope(&lg, 0xc0000202u);
	ik_dbg(&lg, IK_DBG_ISAKMP, "condition B, event B");
	ik_log_scope(&lg, 0);
	ik_dbg(&lg, IK_DBG_ISAKMP, "condition B, no peer");
	ik_msg(&lg, IK_LOG_WARNING, "%%CRYPTO-4-X: messages are never filtered");
	ck_assert_int_ge(ik_log_capture_find(&cap, 0, "no condition: A"), 0);
	ck_assert_int_eq(ik_log_capture_find(&cap, 0, "event A"), -1);
	ck_assert_int_ge(ik_log_capture_find(&cap, 0, "event B"), 0);
	ck_assert_int_eq(ik_log_capture_find(&cap, 0, "no peer"), -1);
	ck_assert_int_ge(ik_log_capture_find(&cap, 0, "never filtered"), 0);
	/* a full set: every member found, one more refused, deletes keep the rest */
	ik_dbg_cond_clear(&cond);
	for (unsigned i = 0; i < IK_DBG_COND_MAX; i++)
		many[i] = 0xc6336400u + i * 7919u;
	for (unsigned i = 0; i < IK_DBG_COND_MAX; i++)
		ck_assert_int_eq(ik_dbg_cond_add(&cond, many[i]), 0);
	ck_assert_int_eq(ik_dbg_cond_add(&cond, 0xcb007101u), -1);
	ck_assert_int_eq(ik_dbg_cond_del(&cond, many[3]), 0);
	ck_assert_int_eq(ik_dbg_cond_del(&cond, many[3]), -1);
	for (unsigned i = 0; i < IK_DBG_COND_MAX; i++)
		ck_assert(ik_dbg_cond_has(&cond, many[i]) == (i != 3));
	ik_dbg_cond_clear(&cond);
	ck_assert_uint_eq(cond.n, 0);
	ik_log_scope(&lg, 0xc0000201u);
	ik_dbg(&lg, IK_DBG_ISAKMP, "cleared: A again");
	ck_assert_int_ge(ik_log_capture_find(&cap, 0, "cleared: A again"), 0);
	ik_log_capture_clear(&cap);
}
END_TEST

/* A control byte that reaches a log line (tab aside) is escaped there: one
 * call, one line; a trailing newline is dropped. */
START_TEST(log_line_scrubbed)
{
	struct ik_log_capture cap = { 0 };
	struct ik_log lg = { .debug_mask = IK_DBG_ISAKMP, .sink = ik_log_capture_sink, .ctx = &cap };

	ik_dbg(&lg, IK_DBG_ISAKMP, "\tname : %s", "a\nfake line\x1b[0m\x7f");
	ik_msg(&lg, IK_LOG_ERR, "%%IKERD-3-X: %s", "reason\n");
	ik_msg(&lg, IK_LOG_ERR, "plain \xc3\xa9");
	ck_assert_uint_eq(cap.n, 3);
	ck_assert_str_eq(cap.lines[0], "\tname : a\\x0afake line\\x1b[0m\\x7f");
	ck_assert_str_eq(cap.lines[1], "%IKERD-3-X: reason");
	ck_assert_str_eq(cap.lines[2], "plain \xc3\xa9");
	ik_log_capture_clear(&cap);
}
END_TEST

START_TEST(secret_roundtrip)
{
	struct ik_secret *s = ik_secret_new("cisco", 5);

	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->len, 5);
	ck_assert_str_eq((const char *)s->p, "cisco");
	ck_assert_int_eq(ik_memeq_ct(s->p, "cisco", 5), 0);
	ck_assert_int_ne(ik_memeq_ct(s->p, "cisca", 5), 0);
	ik_secret_free(s);
}
END_TEST

START_TEST(secmem_pool_reuse)
{
	/* Freed slots are wiped and reused; many live secrets take few chunks. */
	struct ik_secret *s[2000];
	uint8_t src[200];
	size_t before = ik_secmem_chunks();

	memset(src, 'k', sizeof(src));
	for (int i = 0; i < 2000; i++) {
		s[i] = ik_secret_new(src, (size_t)(i % 200) + 1);
		ck_assert_ptr_nonnull(s[i]);
		ck_assert_uint_eq(s[i]->len, (size_t)(i % 200) + 1);
		ck_assert_uint_eq(s[i]->p[s[i]->len], 0);
	}
	ck_assert_uint_le(ik_secmem_chunks() - before, 3);
	uint8_t *p = s[7]->p;
	size_t len = s[7]->len;
	ik_secret_free(s[7]);
	/* a freed slot is poisoned in ASan builds: this look is deliberate */
	IK_UNPOISON(p, len);
	for (size_t i = 0; i < len; i++)
		ck_assert_uint_eq(p[i], 0);
	IK_POISON(p, len);
	s[7] = ik_secret_alloc(len);
	ck_assert_ptr_eq(s[7]->p, p);
	for (int i = 0; i < 2000; i++)
		ik_secret_free(s[i]);
	/* larger than the pool's largest class: straight from sodium_malloc */
	struct ik_secret *big = ik_secret_alloc(10000);
	ck_assert_ptr_nonnull(big);
	ck_assert_uint_eq(big->p[9999], 0);
	ik_secret_free(big);
	void *raw = ik_secmem_alloc(100);
	ck_assert_ptr_nonnull(raw);
	ik_secmem_free(raw, 100);
}
END_TEST

START_TEST(escape_peer_text)
{
	char out[IK_ESCAPED_LEN(8)], small[8];

	ck_assert_str_eq(ik_str_escape("a\nb\x1b\\\xff", 6, out, sizeof(out)),
			 "a\\x0ab\\x1b\\\\\\xff");
	ck_assert_str_eq(ik_str_escape("plain.example", 13, small, sizeof(small)), "plai...");
	ck_assert_str_eq(ik_str_escape("\n\n\n", 3, small, sizeof(small)), "\\x0a...");
	ck_assert_str_eq(ik_str_escape("x\0y", 3, out, sizeof(out)), "x\\x00y");
	ck_assert_str_eq(ik_str_escape("", 0, out, sizeof(out)), "");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("util");
	SRunner *sr;
	int failed;

	if (ik_secmem_init())
		return 1;
	tcase_add_test(tc, addr_parse_strict);
	tcase_add_test(tc, addr_any_family);
	tcase_add_test(tc, mask_plen);
	tcase_add_test(tc, strbuf_json);
	tcase_add_test(tc, log_categories);
	tcase_add_test(tc, log_line_scrubbed);
	tcase_add_test(tc, log_condition_peer);
	tcase_add_test(tc, secret_roundtrip);
	tcase_add_test(tc, secmem_pool_reuse);
	tcase_add_test(tc, escape_peer_text);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
