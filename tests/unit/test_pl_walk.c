/* The shared payload-chain walker (rules as data, both versions' generic
 * header) and the IKEv1 SA payload parsed into a block sized by what was
 * received, at and past each stated limit. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/pl_walk.h"
#include "ike/v1_msg.h"
#include "util/util.h"

static char err[256];

/* ---- a small IKEv2-like rule set: two contexts, counts, LAST, UNSUPPORTED ---- */
static const struct ik_pl_rule t_rows[256] = {
	[40] = { "A", 2, 1, 0, 0x3 },
	[41] = { "B", 0, 0, 0, 0x1 },
	[46] = { "S", 0, 1, IK_PL_F_LAST, 0x3 },
	[48] = { "U", 0, 0, IK_PL_F_UNSUPPORTED, 0x3 },
};
static const char *const t_ctx[] = { "first", "second" };
static const struct ik_pl_rules t_rules = {
	.version = 2, .row = t_rows, .max_payloads = 4, .unknown_fatal = false,
	.ctx_name = t_ctx, .nctx = 2,
};

struct seen {
	unsigned n;
	uint8_t type[8];
	bool crit[8];
};

static int t_visit(void *arg, const struct ik_pl *pl, char *e, size_t elen)
{
	struct seen *s = arg;

	(void)e;
	(void)elen;
	s->type[s->n] = pl->type;
	s->crit[s->n++] = pl->critical;
	return 0;
}

/* Appends a generic header and body of n bytes (value 0x5a). */
static size_t put(uint8_t *m, size_t off, uint8_t np, uint8_t flags, size_t n)
{
	m[off] = np;
	m[off + 1] = flags;
	ik_put16(m + off + 2, (uint16_t)(4 + n));
	memset(m + off + 4, 0x5a, n);
	return off + 4 + n;
}

START_TEST(walk_v2_rules)
{
	uint8_t m[128];
	struct ik_pl_walk w;
	struct seen s = { 0 };
	size_t len;

	/* A, unknown 99 (skipped), B critical (known: the bit is only recorded) */
	len = put(m, 0, 99, 0, 2);
	len = put(m, len, 41, 0x00, 3);
	len = put(m, len, 0, 0x80, 0);
	ck_assert_int_eq(ik_pl_walk(&t_rules, m, len, 0, 40, 0, false, t_visit, &s, &w, err,
				    sizeof(err)), IK_PL_OK);
	ck_assert_uint_eq(w.npl, 2);
	ck_assert_uint_eq(w.skipped, 1);
	ck_assert_uint_eq(s.type[0], 40);
	ck_assert_uint_eq(s.type[1], 41);
	ck_assert(s.crit[1]);
	ck_assert_uint_eq(w.end, len);

	/* the unknown payload critical: refused with its type */
	m[7] = 0x80;
	ck_assert_int_eq(ik_pl_walk(&t_rules, m, len, 0, 40, 0, false, NULL, NULL, &w, err,
				    sizeof(err)), IK_PL_UNSUPPORTED_CRITICAL);
	ck_assert_uint_eq(w.bad_type, 99);
	ck_assert_str_eq(err, "payload at offset 6: unsupported critical payload type 99");
	m[7] = 0;

	/* B is not allowed in the second context */
	ck_assert_int_eq(ik_pl_walk(&t_rules, m, len, 0, 40, 1, false, NULL, NULL, &w, err,
				    sizeof(err)), IK_PL_MALFORMED);
	ck_assert_str_eq(err, "B payload at offset 13: not allowed in second");

	/* a known but unsupported type is an unknown one */
	len = put(m, 0, 0, 0x80, 0);
	ck_assert_int_eq(ik_pl_walk(&t_rules, m, len, 0, 48, 0, false, NULL, NULL, &w, err,
				    sizeof(err)), IK_PL_UNSUPPORTED_CRITICAL);
	ck_assert_uint_eq(w.bad_type, 48);
	m[1] = 0;
	ck_assert_int_eq(ik_pl_walk(&t_rules, m, len, 0, 48, 0, false, NULL, NULL, &w, err,
				    sizeof(err)), IK_PL_OK);
	ck_assert_uint_eq(w.npl, 0);
	ck_assert_uint_eq(w.skipped, 1);
}
END_TEST

START_TEST(walk_v2_limits)
{
	uint8_t m[128];
	struct ik_pl_walk w;
	size_t len;

	/* A at most once */
	len = put(m, 0, 40, 0, 2);
	len = put(m, len, 0, 0, 2);
	ck_assert_int_eq(ik_pl_walk(&t_rules, m, len, 0, 40, 0, false, NULL, NULL, &w, err,
				    sizeof(err)), IK_PL_MALFORMED);
	ck_assert_str_eq(err, "A payload at offset 6: more than 1 in one message");
	/* A's body of 1 < 2 */
	len = put(m, 0, 0, 0, 1);
	ck_assert_int_eq(ik_pl_walk(&t_rules, m, len, 0, 40, 0, false, NULL, NULL, &w, err,
				    sizeof(err)), IK_PL_MALFORMED);
	ck_assert_str_eq(err, "A payload at offset 0: length 5 < 6 minimum");
	/* length past the end */
	len = put(m, 0, 0, 0, 2);
	ck_assert_int_eq(ik_pl_walk(&t_rules, m, len - 1, 0, 40, 0, false, NULL, NULL, &w, err,
				    sizeof(err)), IK_PL_MALFORMED);
	ck_assert_str_eq(err, "A payload at offset 0: length 6 > 5 remaining");
	/* a truncated header */
	ck_assert_int_eq(ik_pl_walk(&t_rules, m, 3, 0, 40, 0, false, NULL, NULL, &w, err,
				    sizeof(err)), IK_PL_MALFORMED);
	ck_assert_str_eq(err, "A payload at offset 0: header 4 > 3 remaining");
	/* five payloads of B: more than the rules' four */
	len = 0;
	for (int i = 0; i < 5; i++)
		len = put(m, len, i < 4 ? 41 : 0, 0, 0);
	ck_assert_int_eq(ik_pl_walk(&t_rules, m, len, 0, 41, 0, false, NULL, NULL, &w, err,
				    sizeof(err)), IK_PL_MALFORMED);
	ck_assert_str_eq(err, "B payload at offset 16: more than 4 payloads");
	/* S ends the chain and names the first payload inside it; bytes after
	 * it are an error unless trailing bytes are allowed */
	len = put(m, 0, 41, 0, 8);
	ck_assert_int_eq(ik_pl_walk(&t_rules, m, len, 0, 46, 1, false, NULL, NULL, &w, err,
				    sizeof(err)), IK_PL_OK);
	ck_assert_uint_eq(w.inner_np, 41);
	ck_assert_uint_eq(w.npl, 1);
	ck_assert_int_eq(ik_pl_walk(&t_rules, m, len + 3, 0, 46, 1, false, NULL, NULL, &w, err,
				    sizeof(err)), IK_PL_MALFORMED);
	ck_assert_str_eq(err, "payload chain ends at offset 12, 3 bytes before the message "
			 "length 15");
}
END_TEST

START_TEST(walk_v1_table)
{
	/* the IKEv1 rows: every message-level type with its minimal body */
	static const struct { unsigned type; const char *name; unsigned min; } want[] = {
		{ 1, "SA", 8 }, { 4, "KE", 1 }, { 5, "ID", 4 }, { 6, "CERT", 1 },
		{ 7, "CERT-REQ", 1 }, { 8, "HASH", 1 }, { 9, "SIG", 1 }, { 10, "NONCE", 1 },
		{ 11, "NOTIFY", 8 }, { 12, "DELETE", 8 }, { 13, "VID", 1 }, { 20, "NAT-D", 1 },
		{ 21, "NAT-OA", 8 }, { 130, "NAT-D(draft)", 1 }, { 131, "NAT-OA(draft)", 8 },
	};
	unsigned known = 0;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct ik_pl_rule *r = ik_pl_rule_get(&ik_v1_pl_rules, want[i].type);

		ck_assert_ptr_nonnull(r);
		ck_assert_str_eq(r->name, want[i].name);
		ck_assert_uint_eq(r->min_body, want[i].min);
		ck_assert_str_eq(ik_v1_pl_name(want[i].type), want[i].name);
	}
	for (unsigned t = 0; t < 256; t++)
		known += ik_pl_rule_get(&ik_v1_pl_rules, t) != NULL;
	ck_assert_uint_eq(known, sizeof(want) / sizeof(want[0]));
	ck_assert_str_eq(ik_v1_pl_name(2), "PROPOSAL");
	ck_assert_str_eq(ik_v1_pl_name(99), "UNKNOWN");
}
END_TEST

/* ---- the IKEv1 SA payload sized by what was received ---- */

static struct ik_v1_builder b;

/* An SA payload of np proposals of nt transforms of na TV attributes, as
 * the first payload of b. */
static void build_sa(unsigned np, unsigned nt, unsigned na)
{
	static const uint8_t ck[8] = { 1 };
	size_t off;

	ik_v1_b_init(&b, ck, ck, IK_V1_EXCH_MM, 0, 0);
	off = ik_v1_b_open(&b, IK_V1_PL_SA);
	ik_v1_b_put32(&b, 1);
	ik_v1_b_put32(&b, 1);
	for (unsigned p = 0; p < np; p++) {
		size_t poff = b.len;

		ik_v1_b_put8(&b, p + 1 < np ? IK_V1_PL_P : 0);
		ik_v1_b_put8(&b, 0);
		ik_v1_b_put16(&b, 0);
		ik_v1_b_put8(&b, (uint8_t)(p + 1));
		ik_v1_b_put8(&b, IK_V1_PROTO_ISAKMP);
		ik_v1_b_put8(&b, 0);
		ik_v1_b_put8(&b, (uint8_t)nt);
		for (unsigned t = 0; t < nt; t++) {
			size_t toff = b.len;

			ik_v1_b_put8(&b, t + 1 < nt ? IK_V1_PL_T : 0);
			ik_v1_b_put8(&b, 0);
			ik_v1_b_put16(&b, 0);
			ik_v1_b_put8(&b, (uint8_t)(t + 1));
			ik_v1_b_put8(&b, 1);
			ik_v1_b_put16(&b, 0);
			for (unsigned a = 0; a < na; a++)
				ik_v1_b_attr(&b, (uint16_t)(a + 1), a, false);
			ik_put16(b.buf + toff + 2, (uint16_t)(b.len - toff));
		}
		ik_put16(b.buf + poff + 2, (uint16_t)(b.len - poff));
	}
	ik_v1_b_close(&b, off);
	ik_v1_b_finish(&b);
	ck_assert(!b.overflow);
}

static int parse_built(struct ik_v1_sa **sa)
{
	static struct ik_v1_msg m;

	ck_assert_int_eq(ik_v1_parse_hdr(b.buf, b.len, &m.hdr, err, sizeof(err)), 0);
	ck_assert_int_eq(ik_v1_parse_payloads(b.buf, b.len, &m, false, err, sizeof(err)), 0);
	return ik_v1_parse_sa(&m.pl[0], sa, err, sizeof(err));
}

static void at_limit(unsigned np, unsigned nt, unsigned na)
{
	struct ik_v1_sa *sa = NULL;

	build_sa(np, nt, na);
	ck_assert_int_eq(parse_built(&sa), 0);
	ck_assert_uint_eq(sa->np, np);
	ck_assert_uint_eq(sa->p[np - 1].nt, nt);
	ck_assert_uint_eq(sa->p[np - 1].t[nt - 1].nattr, na);
	ck_assert_uint_eq(sa->p[np - 1].t[nt - 1].attr[na - 1].type, na);
	ck_assert_uint_eq(sa->p[np - 1].t[nt - 1].attr[na - 1].v, na - 1);
	ck_assert_uint_eq(sa->alloc, ik_v1_sa_size(np, (size_t)np * nt, (size_t)np * nt * na));
	ck_assert_uint_le(sa->alloc, ik_v1_sa_size(0, 0, 0) + 6 * (b.len - 32));
	ck_assert_uint_le(sa->alloc, IK_V1_SA_ALLOC_MAX);
	ik_v1_sa_free(sa);
}

START_TEST(sa_limits)
{
	struct ik_v1_sa *sa = (struct ik_v1_sa *)&sa;

	at_limit(IK_V1_MAX_PROPOSALS, 1, 1);
	at_limit(1, IK_V1_MAX_TRANSFORMS, 1);
	at_limit(1, 1, IK_V1_MAX_ATTRS);
	at_limit(2, 8, 8);

	build_sa(IK_V1_MAX_PROPOSALS + 1, 1, 1);
	ck_assert_int_eq(parse_built(&sa), -1);
	ck_assert_ptr_null(sa);
	ck_assert_str_eq(err, "PROPOSAL at offset 360: more than 16 proposals");
	build_sa(1, IK_V1_MAX_TRANSFORMS + 1, 1);
	ck_assert_int_eq(parse_built(&sa), -1);
	ck_assert_str_eq(err, "TRANSFORM at offset 432: more than 32 transforms");
	build_sa(1, 1, IK_V1_MAX_ATTRS + 1);
	ck_assert_int_eq(parse_built(&sa), -1);
	ck_assert_str_eq(err, "attribute at offset 120: more than 16 attributes");
}
END_TEST

/* Real first messages: the block for a strongSwan and a libreswan MM1,
 * against the fixed structure of 274,960 bytes allocated before. */
START_TEST(sa_typical_mm1)
{
	static const char *const seeds[] = {
		"iop-ikerd-resp-swan-v1mm-3des-gre-01.bin",
		"iop-ikerd-resp-lsw-v1mm-aes256-gre-01.bin",
	};

	for (size_t i = 0; i < 2; i++) {
		static struct ik_v1_msg m;
		static uint8_t buf[IK_V1_MAX_MSG];
		char path[512];
		struct ik_v1_sa *sa = NULL;
		size_t n, nt = 0, na = 0;
		FILE *f;

		snprintf(path, sizeof(path), "%s/tests/fuzz/corpus/v1_parse/%s", TOP_SRCDIR,
			 seeds[i]);
		f = fopen(path, "rb");
		ck_assert_ptr_nonnull(f);
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		ck_assert_int_eq(ik_v1_parse_hdr(buf, n, &m.hdr, err, sizeof(err)), 0);
		ck_assert_int_eq(ik_v1_parse_payloads(buf, m.hdr.len, &m, false, err,
						      sizeof(err)), 0);
		ck_assert_int_eq(ik_v1_parse_sa(ik_v1_find(&m, IK_V1_PL_SA), &sa, err,
						sizeof(err)), 0);
		for (size_t p = 0; p < sa->np; p++) {
			nt += sa->p[p].nt;
			for (size_t t = 0; t < sa->p[p].nt; t++)
				na += sa->p[p].t[t].nattr;
		}
		printf("MM1 %s: %zu proposal(s), %zu transforms, %zu attributes: SA block %zu "
		       "bytes (was 274960)\n", seeds[i], sa->np, nt, na, sa->alloc);
		ck_assert_uint_lt(sa->alloc, 4096);
		ik_v1_sa_free(sa);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("payload walker");
	TCase *tc = tcase_create("walk");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, walk_v2_rules);
	tcase_add_test(tc, walk_v2_limits);
	tcase_add_test(tc, walk_v1_table);
	tcase_add_test(tc, sa_limits);
	tcase_add_test(tc, sa_typical_mm1);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
