/* The IKEv1 wire codec: every length checked against what remains, errors
 * naming the payload, its offset and the sizes compared; IKEv2 in an IKEv1
 * message rejected; the builder's output parsed back. */
#include <check.h>
#include <string.h>

#include "ike/natt_frame.h"
#include "ike/v1_msg.h"
#include "util/util.h"

static struct ik_v1_builder b;
static struct ik_v1_msg m;
static char err[256];

static const uint8_t cki[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, ckr[8] = { 0 };

static int parse(const uint8_t *d, size_t len, bool trailing)
{
	if (ik_v1_parse_hdr(d, len, &m.hdr, err, sizeof(err)))
		return -10;
	return ik_v1_parse_payloads(d, m.hdr.len, &m, trailing, err, sizeof(err));
}

START_TEST(builder_roundtrip)
{
	uint8_t ke[128], nonce[20];
	struct ik_v1_sa *sa = NULL;

	memset(ke, 0xab, sizeof(ke));
	memset(nonce, 0xcd, sizeof(nonce));
	ik_v1_b_init(&b, cki, ckr, IK_V1_EXCH_MM, 0, 0);
	size_t sa_off = ik_v1_b_open(&b, IK_V1_PL_SA);
	ik_v1_b_put32(&b, 1);
	ik_v1_b_put32(&b, 1);
	ik_v1_b_put(&b, "\0\0\0\x24\x01\x01\0\x01", 8);           /* proposal, 36 bytes */
	ik_v1_b_put(&b, "\0\0\0\x1c\x01\x01\0\0", 8);             /* transform, 28 bytes */
	ik_v1_b_attr(&b, IK_V1_A_ENCR, 5, false);
	ik_v1_b_attr(&b, IK_V1_A_HASH, 1, false);
	ik_v1_b_attr(&b, IK_V1_A_GROUP, 2, false);
	ik_v1_b_attr(&b, IK_V1_A_LIFE_DUR, 86400, true);
	ik_v1_b_close(&b, sa_off);
	ik_v1_b_payload(&b, IK_V1_PL_KE, ke, sizeof(ke));
	ik_v1_b_payload(&b, IK_V1_PL_NONCE, nonce, sizeof(nonce));
	ik_v1_b_finish(&b);
	ck_assert(!b.overflow);
	ck_assert_int_eq(parse(b.buf, b.len, false), 0);
	ck_assert_uint_eq(m.npl, 3);
	ck_assert_uint_eq(m.pl[1].type, IK_V1_PL_KE);
	ck_assert_uint_eq(m.pl[1].body_len, 128);
	ck_assert_uint_eq(m.pl[1].off, 28 + 48);
	ck_assert_int_eq(ik_v1_parse_sa(&m.pl[0], &sa, err, sizeof(err)), 0);
	ck_assert_uint_eq(sa->np, 1);
	ck_assert_uint_eq(sa->p[0].nt, 1);
	ck_assert_uint_eq(sa->p[0].t[0].nattr, 4);
	ck_assert_uint_eq(ik_v1_attr_find(&sa->p[0].t[0], IK_V1_A_LIFE_DUR)->v, 86400);
	ck_assert(!ik_v1_attr_find(&sa->p[0].t[0], IK_V1_A_LIFE_DUR)->tv);
	ck_assert_uint_eq(ik_v1_attr_find(&sa->p[0].t[0], IK_V1_A_ENCR)->v, 5);
	ik_v1_sa_free(sa);
}
END_TEST

START_TEST(length_beyond_remaining)
{
	uint8_t ke[64];

	memset(ke, 1, sizeof(ke));
	ik_v1_b_init(&b, cki, ckr, IK_V1_EXCH_MM, 0, 0);
	ik_v1_b_payload(&b, IK_V1_PL_NONCE, ke, 52);
	ik_v1_b_payload(&b, IK_V1_PL_KE, ke, 64);
	ik_v1_b_finish(&b);
	/* KE at offset 28 + 56 = 84, claims 300 bytes */
	ik_put16(b.buf + 84 + 2, 300);
	ck_assert_int_eq(parse(b.buf, b.len, false), -1);
	ck_assert_str_eq(err, "KE payload at offset 84: length 300 > 68 remaining");
}
END_TEST

START_TEST(zero_length_ke)
{
	ik_v1_b_init(&b, cki, ckr, IK_V1_EXCH_MM, 0, 0);
	ik_v1_b_payload(&b, IK_V1_PL_KE, NULL, 0);
	ik_v1_b_finish(&b);
	ck_assert_int_eq(parse(b.buf, b.len, false), -1);
	ck_assert_str_eq(err, "KE payload at offset 28: length 4 < 5 minimum");
}
END_TEST

START_TEST(reserved_not_zero)
{
	uint8_t id[8] = { 1, 17, 1, 244, 192, 168, 0, 1 };

	ik_v1_b_init(&b, cki, ckr, IK_V1_EXCH_MM, 0, 0);
	ik_v1_b_payload(&b, IK_V1_PL_ID, id, sizeof(id));
	ik_v1_b_finish(&b);
	b.buf[28 + 1] = 0x5a;
	ck_assert_int_eq(parse(b.buf, b.len, false), -2);
	ck_assert_str_eq(err, "reserved not zero on ID payload!");
}
END_TEST

START_TEST(ikev2_rejected)
{
	ik_v1_b_init(&b, cki, ckr, IK_V1_EXCH_MM, 0, 0);
	ik_v1_b_payload(&b, 33, "\0\0\0\0", 4); /* IKEv2 SA */
	ik_v1_b_finish(&b);
	ck_assert_int_eq(parse(b.buf, b.len, false), -1);
	ck_assert_str_eq(err, "payload at offset 28: IKEv2 payload type 33 in an IKEv1 message");
	b.buf[17] = 0x20;
	ck_assert_int_eq(parse(b.buf, b.len, false), -10);
	ck_assert_str_eq(err, "ISAKMP header: version 2.0 (IKEv2) in an IKEv1 context");
	b.buf[17] = 0x10;
	b.buf[18] = 34; /* IKE_SA_INIT */
	ck_assert_int_eq(parse(b.buf, b.len, false), -10);
	ck_assert_str_eq(err, "ISAKMP header: IKEv2 exchange type 34");
}
END_TEST

START_TEST(unknown_payload)
{
	ik_v1_b_init(&b, cki, ckr, IK_V1_EXCH_MM, 0, 0);
	ik_v1_b_payload(&b, 99, "x", 1);
	ik_v1_b_finish(&b);
	ck_assert_int_eq(parse(b.buf, b.len, false), -1);
	ck_assert_str_eq(err, "payload at offset 28: unknown payload type 99");
}
END_TEST

START_TEST(header_checks)
{
	uint8_t d[40] = { 0 };

	ck_assert_int_eq(ik_v1_parse_hdr(d, 20, &m.hdr, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "ISAKMP header: 20 bytes < 28");
	d[17] = 0x10;
	d[18] = IK_V1_EXCH_MM;
	ik_put32(d + 24, 60);
	ck_assert_int_eq(ik_v1_parse_hdr(d, 40, &m.hdr, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "ISAKMP header: length 60 > 40 received");
	ik_put32(d + 24, 28);
	ck_assert_int_eq(ik_v1_parse_hdr(d, 40, &m.hdr, err, sizeof(err)), 0);
	/* trailing bytes after the chain: only for decrypted bodies */
	ik_put32(d + 24, 40);
	ck_assert_int_eq(parse(d, 40, false), -1);
	ck_assert_str_eq(err, "payload chain ends at offset 28, 12 bytes before the message "
			 "length 40");
	ck_assert_int_eq(parse(d, 40, true), 0);
}
END_TEST

START_TEST(sa_errors)
{
	struct ik_v1_sa *sa = NULL;

	ik_v1_b_init(&b, cki, ckr, IK_V1_EXCH_MM, 0, 0);
	size_t off = ik_v1_b_open(&b, IK_V1_PL_SA);
	ik_v1_b_put32(&b, 1);
	ik_v1_b_put32(&b, 1);
	ik_v1_b_put(&b, "\0\0\0\x30\x01\x01\0\x01", 8); /* proposal claims 48 of 16 */
	ik_v1_b_put(&b, "\0\0\0\x08\x01\x01\0\0", 8);
	ik_v1_b_close(&b, off);
	ik_v1_b_finish(&b);
	ck_assert_int_eq(parse(b.buf, b.len, false), 0);
	ck_assert_int_eq(ik_v1_parse_sa(&m.pl[0], &sa, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "PROPOSAL at offset 40: length 48 > 16 remaining");
	/* transform count mismatch */
	b.buf[40 + 3] = 16;
	b.buf[40 + 7] = 2;
	ck_assert_int_eq(ik_v1_parse_sa(&m.pl[0], &sa, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "PROPOSAL at offset 40: 2 transforms announced, 1 present");
	/* an attribute running past its transform */
	b.buf[40 + 7] = 1;
	ik_v1_b_init(&b, cki, ckr, IK_V1_EXCH_MM, 0, 0);
	off = ik_v1_b_open(&b, IK_V1_PL_SA);
	ik_v1_b_put32(&b, 1);
	ik_v1_b_put32(&b, 1);
	ik_v1_b_put(&b, "\0\0\0\x18\x01\x01\0\x01", 8);
	ik_v1_b_put(&b, "\0\0\0\x10\x01\x01\0\0", 8);
	ik_v1_b_put(&b, "\x00\x0c\x00\x10\0\0\0\0", 8); /* TLV of 16 in 4 */
	ik_v1_b_close(&b, off);
	ik_v1_b_finish(&b);
	ck_assert_int_eq(parse(b.buf, b.len, false), 0);
	ck_assert_int_eq(ik_v1_parse_sa(&m.pl[0], &sa, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "attribute 12 at offset 56: length 16 > 4 remaining");
	ck_assert_ptr_null(sa);
}
END_TEST

START_TEST(id_and_delete)
{
	struct ik_v1_id id;
	struct ik_v1_delete d;

	ik_v1_b_init(&b, cki, ckr, IK_V1_EXCH_MM, 0, 0);
	ik_v1_b_payload(&b, IK_V1_PL_ID, "\x01\x11\x01\xf4\xc0\xa8\x00", 7);
	ik_v1_b_payload(&b, IK_V1_PL_D, "\0\0\0\x01\x03\x04\x00\x02\0\0\x01\0", 12);
	ik_v1_b_finish(&b);
	ck_assert_int_eq(parse(b.buf, b.len, false), 0);
	ck_assert_int_eq(ik_v1_parse_id(&m.pl[0], &id, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "ID payload at offset 28: ID_IPV4_ADDR of 3 bytes != 4");
	ck_assert_int_eq(ik_v1_parse_delete(&m.pl[1], &d, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "DELETE payload at offset 39: 2 SPIs of 4 bytes != 4 remaining");
	/* ID_IPV6_ADDR: 16 bytes, no more and no less */
	ik_v1_b_init(&b, cki, ckr, IK_V1_EXCH_MM, 0, 0);
	ik_v1_b_payload(&b, IK_V1_PL_ID, "\x05\x11\x01\xf4\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0"
			"\0\0\0\x02", 20);
	ik_v1_b_payload(&b, IK_V1_PL_ID, "\x05\x11\x01\xf4\x20\x01\x0d\xb8", 8);
	ik_v1_b_finish(&b);
	ck_assert_int_eq(parse(b.buf, b.len, false), 0);
	ck_assert_int_eq(ik_v1_parse_id(&m.pl[0], &id, err, sizeof(err)), 0);
	ck_assert_uint_eq(id.type, IK_V1_ID_IPV6_ADDR);
	ck_assert_uint_eq(id.len, 16);
	ck_assert_uint_eq(id.data[15], 2);
	ck_assert_int_eq(ik_v1_parse_id(&m.pl[1], &id, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "ID payload at offset 52: ID_IPV6_ADDR of 4 bytes != 16");
}
END_TEST

/* Framing on the IKE ports (RFC 3948): marker stripped, keepalive, ESP and
 * short datagrams told apart; nothing read past the datagram. */
START_TEST(natt_framing)
{
	static const uint8_t ike[32] = { 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t esp[12] = { 0, 0, 0x12, 0x34, 0, 0, 0, 1 };
	static const uint8_t ka = 0xff;
	struct ik_natt_frame f;

	ck_assert_int_eq(ik_natt_frame_parse(ike, sizeof(ike), 4500, &f), IK_NATT_IKE);
	ck_assert_ptr_eq(f.ike, ike + 4);
	ck_assert_uint_eq(f.ike_len, sizeof(ike) - 4);
	ck_assert_int_eq(ik_natt_frame_parse(ike, sizeof(ike), 500, &f), IK_NATT_IKE);
	ck_assert_ptr_eq(f.ike, ike);
	ck_assert_uint_eq(f.ike_len, sizeof(ike));
	ck_assert_int_eq(ik_natt_frame_parse(&ka, 1, 4500, &f), IK_NATT_KEEPALIVE);
	ck_assert_int_eq(ik_natt_frame_parse(esp, sizeof(esp), 4500, &f), IK_NATT_ESP);
	ck_assert_uint_eq(f.spi, 0x1234);
	ck_assert_int_eq(ik_natt_frame_parse(esp, 7, 4500, &f), IK_NATT_SHORT);
	ck_assert_int_eq(ik_natt_frame_parse(ike, 3, 4500, &f), IK_NATT_SHORT);
	ck_assert_int_eq(ik_natt_frame_parse(ike, 0, 4500, &f), IK_NATT_SHORT);
	ck_assert_ptr_nonnull(f.why);
	/* a marker alone: an empty message, which the engine reports as malformed */
	ck_assert_int_eq(ik_natt_frame_parse(ike, 4, 4500, &f), IK_NATT_IKE);
	ck_assert_uint_eq(f.ike_len, 0);
	ck_assert_str_eq(ik_natt_kind_name(IK_NATT_ESP), "ESP");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("v1 codec");
	TCase *tc = tcase_create("codec");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, builder_roundtrip);
	tcase_add_test(tc, length_beyond_remaining);
	tcase_add_test(tc, zero_length_ke);
	tcase_add_test(tc, reserved_not_zero);
	tcase_add_test(tc, ikev2_rejected);
	tcase_add_test(tc, unknown_payload);
	tcase_add_test(tc, header_checks);
	tcase_add_test(tc, sa_errors);
	tcase_add_test(tc, id_and_delete);
	tcase_add_test(tc, natt_framing);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
