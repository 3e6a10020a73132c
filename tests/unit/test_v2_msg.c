/* The IKEv2 wire codec: every message of the reference strongSwan captures
 * parses; the builder's messages parse back to what was built; each bounds
 * check names the payload, its offset and the sizes compared; unknown
 * payloads are skipped unless critical. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/v2_msg.h"
#include "util/util.h"

static struct ik_v2_builder b;
static struct ik_v2_msg m;
static char err[256];
static const uint8_t spi_i[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, spi_r[8] = { 0 };

static int parse(const uint8_t *d, size_t len)
{
	int rc = ik_v2_parse_hdr(d, len, &m.hdr, err, sizeof(err));

	if (rc)
		return rc - 10;
	return ik_v2_parse_payloads(d, m.hdr.len, &m, err, sizeof(err));
}

/* Parses every payload of m; 0 when all parse. */
static int parse_all(const struct ik_v2_msg *mm)
{
	for (size_t i = 0; i < mm->npl; i++) {
		const struct ik_pl *pl = &mm->pl[i];
		struct ik_v2_sa *sa = NULL;
		struct ik_v2_ke ke;
		struct ik_v2_notify n;
		struct ik_v2_cert c;
		const uint8_t *no;
		size_t nl;
		int rc = 0;

		switch (pl->type) {
		case IK_V2_PL_SA:
			rc = ik_v2_parse_sa(pl, &sa, err, sizeof(err));
			ik_v2_sa_free(sa);
			break;
		case IK_V2_PL_KE: rc = ik_v2_parse_ke(pl, &ke, err, sizeof(err)); break;
		case IK_V2_PL_NONCE: rc = ik_v2_parse_nonce(pl, &no, &nl, err, sizeof(err)); break;
		case IK_V2_PL_N: rc = ik_v2_parse_notify(pl, &n, err, sizeof(err)); break;
		case IK_V2_PL_CERT:
		case IK_V2_PL_CERTREQ: rc = ik_v2_parse_cert(pl, &c, err, sizeof(err)); break;
		default: break;
		}
		if (rc)
			return rc;
	}
	return 0;
}

START_TEST(captures_parse)
{
	char dir[512];
	unsigned n = 0, init = 0, sk = 0;
	DIR *d;
	struct dirent *de;

	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/v2_parse", TOP_SRCDIR);
	d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		static uint8_t buf[IK_V2_MAX_MSG];
		char path[1024];
		size_t len;
		FILE *f;

		if (strncmp(de->d_name, "pcap-", 5) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f = fopen(path, "rb");
		ck_assert_ptr_nonnull(f);
		len = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		ck_assert_msg(parse(buf, len) == 0, "%s: %s", de->d_name, err);
		ck_assert_msg(parse_all(&m) == 0, "%s: %s", de->d_name, err);
		if (m.hdr.exch == IK_V2_EXCH_IKE_SA_INIT) {
			struct ik_v2_ke ke;

			ck_assert_ptr_nonnull(ik_v2_find(&m, IK_V2_PL_SA));
			ck_assert_ptr_nonnull(ik_v2_find(&m, IK_V2_PL_NONCE));
			ck_assert_int_eq(ik_v2_parse_ke(ik_v2_find(&m, IK_V2_PL_KE), &ke, err,
							sizeof(err)), 0);
			ck_assert_uint_eq(ke.len, ke.group == 31 ? 32 : 256);
			ck_assert_ptr_nonnull(ik_v2_find_notify(&m,
						IK_V2_N_NAT_DETECTION_SOURCE_IP));
			init++;
		} else {
			ck_assert_ptr_nonnull(m.sk);
			/* an empty INFORMATIONAL (a liveness check) has no inner payload */
			ck_assert(m.inner_np != 0 || m.hdr.exch == IK_V2_EXCH_INFORMATIONAL);
			sk++;
		}
		n++;
	}
	closedir(d);
	ck_assert_uint_eq(n, 14);
	ck_assert_uint_eq(init, 6);
	ck_assert_uint_eq(sk, 8);
}
END_TEST

static struct ik_v2_transform xf[] = {
	{ IK_V2_TT_ENCR, IK_V2_ENCR_AES_CBC, 256, false, 0 },
	{ IK_V2_TT_PRF, IK_V2_PRF_HMAC_SHA2_256, 0, false, 0 },
	{ IK_V2_TT_INTEG, IK_V2_INTEG_HMAC_SHA2_256_128, 0, false, 0 },
	{ IK_V2_TT_DH, 14, 0, false, 0 },
	{ IK_V2_TT_DH, 31, 0, false, 0 },
};

START_TEST(init_roundtrip)
{
	struct ik_v2_proposal p[2];
	struct ik_v2_sa *sa = NULL;
	struct ik_v2_ke ke;
	struct ik_v2_notify n;
	uint8_t kd[256], nonce[32], natd[20];
	const uint8_t *no;
	size_t nl;

	memset(p, 0, sizeof(p));
	p[0] = (struct ik_v2_proposal){ .num = 1, .proto = IK_V2_PROTO_IKE, .t = xf, .nt = 5 };
	p[1] = (struct ik_v2_proposal){ .num = 2, .proto = IK_V2_PROTO_IKE, .t = xf + 1, .nt = 3 };
	memset(kd, 0x11, sizeof(kd));
	memset(nonce, 0x22, sizeof(nonce));
	memset(natd, 0x33, sizeof(natd));
	ik_v2_b_init(&b, spi_i, spi_r, IK_V2_EXCH_IKE_SA_INIT, IK_V2_FLAG_I, 0);
	ik_v2_b_sa(&b, p, 2);
	ik_v2_b_ke(&b, 14, kd, sizeof(kd));
	ik_v2_b_nonce(&b, nonce, sizeof(nonce));
	ik_v2_b_notify(&b, 0, NULL, 0, IK_V2_N_NAT_DETECTION_SOURCE_IP, natd, sizeof(natd));
	ik_v2_b_notify(&b, 0, NULL, 0, IK_V2_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	ik_v2_b_finish(&b);
	ck_assert(!b.overflow);
	ck_assert_uint_eq(b.buf[17], 0x20);
	ck_assert_int_eq(parse(b.buf, b.len), 0);
	ck_assert_uint_eq(m.npl, 5);
	ck_assert_uint_eq(m.hdr.flags, IK_V2_FLAG_I);
	ck_assert_int_eq(ik_v2_parse_sa(&m.pl[0], &sa, err, sizeof(err)), 0);
	ck_assert_uint_eq(sa->np, 2);
	ck_assert_uint_eq(sa->p[0].nt, 5);
	ck_assert_uint_eq(sa->p[1].num, 2);
	ck_assert_uint_eq(ik_v2_prop_find(&sa->p[0], IK_V2_TT_ENCR, 0)->keylen, 256);
	ck_assert_uint_eq(ik_v2_prop_find(&sa->p[0], IK_V2_TT_DH, 1)->id, 31);
	ck_assert_ptr_null(ik_v2_prop_find(&sa->p[0], IK_V2_TT_DH, 2));
	ck_assert_uint_eq(sa->alloc, ik_v2_sa_size(2, 8));
	ik_v2_sa_free(sa);
	ck_assert_int_eq(ik_v2_parse_ke(&m.pl[1], &ke, err, sizeof(err)), 0);
	ck_assert_uint_eq(ke.group, 14);
	ck_assert_uint_eq(ke.len, 256);
	ck_assert_int_eq(ik_v2_parse_nonce(&m.pl[2], &no, &nl, err, sizeof(err)), 0);
	ck_assert_uint_eq(nl, 32);
	ck_assert_int_eq(ik_v2_parse_notify(ik_v2_find_notify(&m,
			IK_V2_N_NAT_DETECTION_SOURCE_IP), &n, err, sizeof(err)), 0);
	ck_assert_mem_eq(n.data, natd, 20);
	ck_assert_ptr_nonnull(ik_v2_find_notify(&m, IK_V2_N_IKEV2_FRAGMENTATION_SUPPORTED));
	ck_assert_str_eq(ik_v2_notify_name(IK_V2_N_IKEV2_FRAGMENTATION_SUPPORTED),
			 "IKEV2_FRAGMENTATION_SUPPORTED");

	/* a NAT-D of 19 bytes */
	ik_v2_b_init(&b, spi_i, spi_r, IK_V2_EXCH_IKE_SA_INIT, IK_V2_FLAG_I, 0);
	ik_v2_b_notify(&b, 0, NULL, 0, IK_V2_N_NAT_DETECTION_DESTINATION_IP, natd, 19);
	ik_v2_b_finish(&b);
	ck_assert_int_eq(parse(b.buf, b.len), 0);
	ck_assert_int_eq(ik_v2_parse_notify(&m.pl[0], &n, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "N(NAT_DETECTION_DESTINATION_IP) payload at offset 28: 19 bytes "
			 "of data != 20");
}
END_TEST

START_TEST(auth_inner_roundtrip)
{
	struct ik_v2_msg in;
	struct ik_v2_id_pl id;
	struct ik_v2_auth a;
	struct ik_v2_ts_list l;
	struct ik_v2_ts ts[2];
	struct ik_v2_cp cp;
	struct ik_v2_cp_attr ca = { 1, NULL, 0 };
	size_t sk;
	uint8_t mac[32];

	memset(ts, 0, sizeof(ts));
	ts[0] = (struct ik_v2_ts){ IK_V2_TS_IPV4_ADDR_RANGE, 47, 0, 65535, 4,
				   { 198, 51, 100, 1 }, { 198, 51, 100, 1 } };
	ts[1] = (struct ik_v2_ts){ IK_V2_TS_IPV6_ADDR_RANGE, 0, 0, 65535, 16,
				   { 0x20, 0x01, 0x0d, 0xb8 }, { 0x20, 0x01, 0x0d, 0xb8, 0xff } };
	memset(mac, 0x44, sizeof(mac));
	ik_v2_b_init(&b, spi_i, spi_i, IK_V2_EXCH_IKE_AUTH, IK_V2_FLAG_I, 1);
	sk = ik_v2_b_sk(&b);
	ik_v2_b_id(&b, IK_V2_PL_IDI, IK_V2_ID_FQDN, "r1.example", 10);
	ik_v2_b_auth(&b, IK_V2_AUTH_PSK, mac, sizeof(mac));
	ik_v2_b_notify(&b, 0, NULL, 0, IK_V2_N_INITIAL_CONTACT, NULL, 0);
	ik_v2_b_cp(&b, IK_V2_CFG_REQUEST, &ca, 1);
	ik_v2_b_ts(&b, IK_V2_PL_TSI, ts, 2);
	ik_v2_b_ts(&b, IK_V2_PL_TSR, ts, 1);
	ik_v2_b_close(&b, sk);
	ik_v2_b_finish(&b);
	ck_assert(!b.overflow);
	/* clear: one SK, whose next payload is IDi */
	ck_assert_int_eq(parse(b.buf, b.len), 0);
	ck_assert_uint_eq(m.npl, 1);
	ck_assert_ptr_nonnull(m.sk);
	ck_assert_uint_eq(m.inner_np, IK_V2_PL_IDI);
	/* inner, read from the SK body as if decrypted */
	ck_assert_int_eq(ik_v2_parse_inner(m.sk->body, m.sk->body_len, m.inner_np,
					   IK_V2_EXCH_IKE_AUTH, &in, err, sizeof(err)), 0);
	ck_assert_uint_eq(in.npl, 6);
	ck_assert_int_eq(ik_v2_parse_id(&in.pl[0], &id, err, sizeof(err)), 0);
	ck_assert_uint_eq(id.len, 10);
	ck_assert_uint_eq(id.body_len, 14);
	ck_assert_int_eq(ik_v2_parse_auth(&in.pl[1], &a, err, sizeof(err)), 0);
	ck_assert_uint_eq(a.method, IK_V2_AUTH_PSK);
	ck_assert_mem_eq(a.data, mac, 32);
	ck_assert_int_eq(ik_v2_parse_cp(&in.pl[3], &cp, err, sizeof(err)), 0);
	ck_assert_uint_eq(cp.nattr, 1);
	ck_assert_int_eq(ik_v2_parse_ts(&in.pl[4], &l, err, sizeof(err)), 0);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_uint_eq(l.ts[0].proto, 47);
	ck_assert_mem_eq(l.ts[1].end, ts[1].end, 16);
	ck_assert_uint_eq(l.ts[1].alen, 16);
	/* the same inner chain is not allowed in CREATE_CHILD_SA (IDi) */
	ck_assert_int_eq(ik_v2_parse_inner(m.sk->body, m.sk->body_len, m.inner_np,
					   IK_V2_EXCH_CREATE_CHILD_SA, &in, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "IDi payload at offset 0: not allowed in CREATE_CHILD_SA "
			 "(inside SK)");
	/* a selector whose start is after its end */
	ts[0].sport = 80;
	ts[0].eport = 79;
	ik_v2_b_init(&b, spi_i, spi_i, IK_V2_EXCH_IKE_AUTH, IK_V2_FLAG_I, 1);
	ik_v2_b_ts(&b, IK_V2_PL_TSI, ts, 1);
	ck_assert_int_eq(ik_pl_walk(&ik_v2_pl_rules, b.buf, b.len, IK_V2_HDR_LEN,
				    IK_V2_PL_TSI, IK_V2_CTX_AUTH, false, NULL, NULL,
				    &(struct ik_pl_walk){ 0 }, err, sizeof(err)), 0);
	{
		struct ik_pl pl = { IK_V2_PL_TSI, false, 28, b.buf + 28, b.len - 28,
				    b.buf + 32, b.len - 32 };

		ck_assert_int_eq(ik_v2_parse_ts(&pl, &l, err, sizeof(err)), -1);
		ck_assert_str_eq(err, "TSi selector at offset 36: start after end");
		/* OPAQUE ports are 65535..0 */
		ik_put16(b.buf + 32 + 4 + 4, 65535);
		ik_put16(b.buf + 32 + 4 + 6, 0);
		ck_assert_int_eq(ik_v2_parse_ts(&pl, &l, err, sizeof(err)), 0);
		ck_assert_uint_eq(l.ts[0].sport, 65535);
		b.buf[32 + 4 + 3] = 24; /* selector length 24 of an IPv4 range */
		ck_assert_int_eq(ik_v2_parse_ts(&pl, &l, err, sizeof(err)), -1);
		ck_assert_str_eq(err, "TSi selector at offset 36: length 24, expected 16 (16 "
				 "remaining)");
	}
}
END_TEST

START_TEST(unknown_and_critical)
{
	uint8_t v[4] = { 1, 2, 3, 4 };

	/* an unknown payload type 99 between two V: skipped */
	ik_v2_b_init(&b, spi_i, spi_r, IK_V2_EXCH_IKE_SA_INIT, IK_V2_FLAG_I, 0);
	ik_v2_b_payload(&b, IK_V2_PL_V, v, 4);
	ik_v2_b_payload(&b, 99, v, 4);
	ik_v2_b_payload(&b, IK_V2_PL_V, v, 4);
	ik_v2_b_finish(&b);
	ck_assert_int_eq(parse(b.buf, b.len), 0);
	ck_assert_uint_eq(m.npl, 2);
	ck_assert_uint_eq(m.skipped, 1);
	/* critical: UNSUPPORTED_CRITICAL_PAYLOAD, with the type */
	b.buf[36 + 1] = 0x80;
	ck_assert_int_eq(parse(b.buf, b.len), IK_PL_UNSUPPORTED_CRITICAL);
	ck_assert_uint_eq(m.bad_type, 99);
	ck_assert_str_eq(err, "payload at offset 36: unsupported critical payload type 99");
	/* EAP is known but not supported: the same */
	b.buf[28] = IK_V2_PL_EAP;
	ck_assert_int_eq(parse(b.buf, b.len), IK_PL_UNSUPPORTED_CRITICAL);
	ck_assert_uint_eq(m.bad_type, IK_V2_PL_EAP);
	/* a known payload's critical bit changes nothing */
	b.buf[28] = 99;
	b.buf[36 + 1] = 0;
	b.buf[28 + 1] = 0x80;
	ck_assert_int_eq(parse(b.buf, b.len), 0);
	ck_assert(m.pl[0].critical);
	/* CERTREQ: SHA-1 hashes of 20 bytes */
	{
		struct ik_v2_cert c;
		uint8_t h[41];

		memset(h, 0x77, sizeof(h));
		ik_v2_b_init(&b, spi_i, spi_r, IK_V2_EXCH_IKE_SA_INIT, IK_V2_FLAG_R, 0);
		ik_v2_b_cert(&b, IK_V2_PL_CERTREQ, IK_V2_CERT_X509_SIG, h, 40);
		ik_v2_b_cert(&b, IK_V2_PL_CERTREQ, IK_V2_CERT_X509_SIG, h, 41);
		ik_v2_b_finish(&b);
		ck_assert_int_eq(parse(b.buf, b.len), 0);
		ck_assert_int_eq(ik_v2_parse_cert(&m.pl[0], &c, err, sizeof(err)), 0);
		ck_assert_uint_eq(c.len, 40);
		ck_assert_int_eq(ik_v2_parse_cert(&m.pl[1], &c, err, sizeof(err)), -1);
		ck_assert_str_eq(err, "CERTREQ payload at offset 73: 41 bytes of CA hashes, not a "
				 "multiple of 20");
	}
	/* IDi in IKE_SA_INIT */
	ik_v2_b_init(&b, spi_i, spi_r, IK_V2_EXCH_IKE_SA_INIT, IK_V2_FLAG_I, 0);
	ik_v2_b_id(&b, IK_V2_PL_IDI, IK_V2_ID_IPV4_ADDR, v, 4);
	ik_v2_b_finish(&b);
	ck_assert_int_eq(parse(b.buf, b.len), -1);
	ck_assert_str_eq(err, "IDi payload at offset 28: not allowed in IKE_SA_INIT");
	/* IKE_AUTH without SK */
	ik_v2_b_init(&b, spi_i, spi_r, IK_V2_EXCH_IKE_AUTH, IK_V2_FLAG_I, 1);
	ik_v2_b_payload(&b, IK_V2_PL_V, v, 4);
	ik_v2_b_finish(&b);
	ck_assert_int_eq(parse(b.buf, b.len), -1);
	ck_assert_str_eq(err, "V payload at offset 28: not allowed in a protected exchange "
			 "outside SK");
	/* two KE */
	ik_v2_b_init(&b, spi_i, spi_r, IK_V2_EXCH_IKE_SA_INIT, IK_V2_FLAG_I, 0);
	ik_v2_b_ke(&b, 31, v, 4);
	ik_v2_b_ke(&b, 31, v, 4);
	ik_v2_b_finish(&b);
	ck_assert_int_eq(parse(b.buf, b.len), -1);
	ck_assert_str_eq(err, "KE payload at offset 40: more than 1 in one message");
}
END_TEST

START_TEST(header_and_small_payloads)
{
	struct ik_v2_delete d;
	struct ik_v2_skf f;
	struct ik_v2_sa *sa = NULL;
	uint8_t spis[8] = { 0, 0, 0, 1, 0, 0, 0, 2 };
	const uint8_t *no;
	size_t nl;

	ik_v2_b_init(&b, spi_i, spi_r, IK_V2_EXCH_IKE_SA_INIT, IK_V2_FLAG_I, 0);
	ik_v2_b_finish(&b);
	ck_assert_int_eq(parse(b.buf, b.len), 0);
	b.buf[17] = 0x30;
	ck_assert_int_eq(parse(b.buf, b.len), IK_V2_BAD_VERSION - 10);
	ck_assert_str_eq(err, "IKEv2 header: major version 3 > 2");
	b.buf[17] = 0x21; /* a minor version is ignored */
	ck_assert_int_eq(parse(b.buf, b.len), 0);
	b.buf[17] = 0x10;
	ck_assert_int_eq(parse(b.buf, b.len), -11);
	b.buf[17] = 0x20;
	b.buf[18] = 33;
	ck_assert_int_eq(parse(b.buf, b.len), -11);
	ck_assert_str_eq(err, "IKEv2 header: unknown exchange type 33");
	b.buf[18] = IK_V2_EXCH_IKE_SA_INIT;
	ck_assert_int_eq(parse(b.buf, 27), -11);
	ck_assert_str_eq(err, "IKEv2 header: 27 bytes < 28");
	ik_put32(b.buf + 24, 29);
	ck_assert_int_eq(parse(b.buf, 28), -11);
	ck_assert_str_eq(err, "IKEv2 header: length 29 > 28 received");

	ik_v2_b_init(&b, spi_i, spi_r, IK_V2_EXCH_INFORMATIONAL, 0, 2);
	ik_v2_b_sk(&b);
	ik_v2_b_delete(&b, IK_V2_PROTO_ESP, 4, 2, spis);
	ik_v2_b_delete(&b, IK_V2_PROTO_IKE, 0, 0, NULL);
	{
		/* says 3 SPIs, carries 2 */
		size_t off = ik_v2_b_open(&b, IK_V2_PL_D, false);

		ik_v2_b_put(&b, "\x03\x04\x00\x03", 4);
		ik_v2_b_put(&b, spis, 8);
		ik_v2_b_close(&b, off);
	}
	ik_v2_b_nonce(&b, spis, 8);
	ik_v2_b_finish(&b);
	ck_assert_int_eq(ik_v2_parse_inner(b.buf + 32, b.len - 32, IK_V2_PL_D,
					   IK_V2_EXCH_INFORMATIONAL, &m, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "Nonce payload at offset 40: length 12 < 20 minimum");
	ck_assert_int_eq(ik_v2_parse_inner(b.buf + 32, b.len - 32, IK_V2_PL_D,
					   IK_V2_EXCH_CREATE_CHILD_SA, &m, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "D payload at offset 0: not allowed in CREATE_CHILD_SA "
			 "(inside SK)");
	{
		struct ik_pl d1 = { IK_V2_PL_D, false, 0, b.buf + 32, 16, b.buf + 36, 12 };
		struct ik_pl d2 = { IK_V2_PL_D, false, 16, b.buf + 48, 8, b.buf + 52, 4 };
		struct ik_pl d3 = { IK_V2_PL_D, false, 24, b.buf + 56, 16, b.buf + 60, 12 };
		struct ik_pl n8 = { IK_V2_PL_NONCE, false, 40, b.buf + 72, 12, b.buf + 76, 8 };

		ck_assert_int_eq(ik_v2_parse_delete(&d1, &d, err, sizeof(err)), 0);
		ck_assert_uint_eq(d.nspi, 2);
		ck_assert_int_eq(ik_v2_parse_delete(&d2, &d, err, sizeof(err)), 0);
		ck_assert_int_eq(ik_v2_parse_delete(&d3, &d, err, sizeof(err)), -1);
		ck_assert_str_eq(err, "D payload at offset 24: 3 SPIs of 4 bytes in 8 remaining");
		ck_assert_int_eq(ik_v2_parse_nonce(&n8, &no, &nl, err, sizeof(err)), -1);
		ck_assert_str_eq(err, "Nonce payload at offset 40: 8 bytes not in 16..256");
		/* SKF framing */
		ik_put16(b.buf + 36, 2);
		ik_put16(b.buf + 38, 3);
		ck_assert_int_eq(ik_v2_parse_skf(&d1, &f, err, sizeof(err)), 0);
		ck_assert_uint_eq(f.num, 2);
		ck_assert_uint_eq(f.enc_len, 8);
		ik_put16(b.buf + 36, 4);
		ck_assert_int_eq(ik_v2_parse_skf(&d1, &f, err, sizeof(err)), -1);
		ck_assert_str_eq(err, "SKF payload at offset 0: fragment 4 of 3 (at most 64)");
	}
	/* the builder refuses counts the parser would refuse */
	{
		static struct ik_v2_ts many[IK_V2_MAX_TS + 1];

		ik_v2_b_init(&b, spi_i, spi_r, IK_V2_EXCH_IKE_AUTH, IK_V2_FLAG_I, 1);
		ik_v2_b_ts(&b, IK_V2_PL_TSI, many, IK_V2_MAX_TS + 1);
		ck_assert(b.overflow);
	}
	/* an SA whose transform runs past its proposal */
	ik_v2_b_init(&b, spi_i, spi_r, IK_V2_EXCH_IKE_SA_INIT, IK_V2_FLAG_I, 0);
	ik_v2_b_sa(&b, &(struct ik_v2_proposal){ .num = 1, .proto = 1, .t = xf, .nt = 2 }, 1);
	ik_v2_b_finish(&b);
	ck_assert_int_eq(parse(b.buf, b.len), 0);
	b.buf[32 + 8 + 3] = 40;
	ck_assert_int_eq(ik_v2_parse_sa(&m.pl[0], &sa, err, sizeof(err)), -1);
	ck_assert_ptr_null(sa);
	ck_assert_str_eq(err, "transform at offset 40: length 40 not in 8..20");
	b.buf[32 + 8 + 3] = 12;
	b.buf[32 + 7] = 3;
	ck_assert_int_eq(ik_v2_parse_sa(&m.pl[0], &sa, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "proposal at offset 32: 3 transforms announced, 2 present");
}
END_TEST

START_TEST(reassembly_bounds)
{
	static uint8_t out[IK_V2_MAX_MSG], big[IK_V2_MAX_MSG];
	struct ik_v2_reasm r;
	struct ik_v2_skf f = { 1, 3, NULL, 0 };
	size_t len;
	unsigned np;

	ik_v2_reasm_init(&r);
	/* more than 64 fragments */
	f = (struct ik_v2_skf){ 1, IK_V2_MAX_FRAGMENTS + 1, NULL, 0 };
	ck_assert_int_eq(ik_v2_reasm_add(&r, 1, &f, 35, big, 10, 0, out, sizeof(out), &len, &np,
					 err, sizeof(err)), -1);
	ck_assert_str_eq(err, "fragment 1 of 65: at most 64 fragments");
	/* a larger total starts anew; a smaller one is ignored */
	f = (struct ik_v2_skf){ 1, 2, NULL, 0 };
	ck_assert_int_eq(ik_v2_reasm_add(&r, 1, &f, 35, big, 10, 0, out, sizeof(out), &len, &np,
					 err, sizeof(err)), IK_V2_REASM_STORED);
	f = (struct ik_v2_skf){ 2, 3, NULL, 0 };
	ck_assert_int_eq(ik_v2_reasm_add(&r, 1, &f, 0, big, 10, 0, out, sizeof(out), &len, &np,
					 err, sizeof(err)), IK_V2_REASM_STORED);
	ck_assert_uint_eq(r.have, 1);
	ck_assert_uint_eq(r.total, 3);
	f = (struct ik_v2_skf){ 1, 2, NULL, 0 };
	ck_assert_int_eq(ik_v2_reasm_add(&r, 1, &f, 35, big, 10, 0, out, sizeof(out), &len, &np,
					 err, sizeof(err)), IK_V2_REASM_IGNORED);
	/* another message ID starts anew */
	f = (struct ik_v2_skf){ 1, 3, NULL, 0 };
	ck_assert_int_eq(ik_v2_reasm_add(&r, 2, &f, 35, big, 10, 0, out, sizeof(out), &len, &np,
					 err, sizeof(err)), IK_V2_REASM_STORED);
	ck_assert_uint_eq(r.msgid, 2);
	ck_assert_uint_eq(r.have, 1);
	/* expiry: 30 s after the first fragment */
	ck_assert(!ik_v2_reasm_expire(&r, IK_V2_REASM_MS));
	ck_assert(ik_v2_reasm_expire(&r, IK_V2_REASM_MS + 1));
	ck_assert(!r.active);
	/* more than IK_V2_MAX_MSG bytes of plaintext */
	f = (struct ik_v2_skf){ 1, 3, NULL, 0 };
	ck_assert_int_eq(ik_v2_reasm_add(&r, 3, &f, 35, big, IK_V2_MAX_MSG - 100, 0, out,
					 sizeof(out), &len, &np, err, sizeof(err)),
			 IK_V2_REASM_STORED);
	f = (struct ik_v2_skf){ 2, 3, NULL, 0 };
	ck_assert_int_eq(ik_v2_reasm_add(&r, 3, &f, 0, big, 101, 0, out, sizeof(out), &len, &np,
					 err, sizeof(err)), -1);
	ck_assert_str_eq(err, "fragment 2 of 3: 101 bytes after 16284 exceed 16384");
	ck_assert(!r.active);
	/* complete, but out is too small */
	f = (struct ik_v2_skf){ 1, 1, NULL, 0 };
	ck_assert_int_eq(ik_v2_reasm_add(&r, 4, &f, 35, big, 100, 0, out, 99, &len, &np,
					 err, sizeof(err)), -1);
	ik_v2_reasm_clear(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("v2 codec");
	TCase *tc = tcase_create("codec");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, captures_parse);
	tcase_add_test(tc, init_roundtrip);
	tcase_add_test(tc, auth_inner_roundtrip);
	tcase_add_test(tc, unknown_and_critical);
	tcase_add_test(tc, header_and_small_payloads);
	tcase_add_test(tc, reassembly_bounds);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
