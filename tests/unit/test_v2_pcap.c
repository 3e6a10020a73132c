/* Writes IKEv2 messages made by the builder and sealed by v2_crypto into a
 * pcap file (IPv4 + UDP headers made here; port 500, and 4500 with the
 * non-ESP marker) for tests/unit/test_v2_tshark.sh, which decodes it with
 * tshark and fails on any malformed packet or expert warning: IKE_SA_INIT
 * request and response, an INVALID_KE_PAYLOAD and a COOKIE response,
 * IKE_AUTH request and response in SK, the request again as SKF fragments,
 * an INFORMATIONAL with a DELETE, and a CREATE_CHILD_SA request.
 *
 * OUT.pcap.keys receives the IKE SA's SPIs and keys as a record of tshark's
 * ikev2_decryption_table, so that tshark decrypts the SK payloads and checks
 * their ICV.
 *
 * Usage: test_v2_pcap OUT.pcap */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/crypto.h"
#include "ike/v2_crypto.h"
#include "ike/v2_msg.h"
#include "util/secmem.h"
#include "util/util.h"

static FILE *out;
static uint32_t when;

static void die(const char *what, const char *err)
{
	fprintf(stderr, "test_v2_pcap: %s: %s\n", what, err ? err : "failed");
	exit(1);
}

static uint16_t ip_sum(const uint8_t *h)
{
	uint32_t s = 0;

	for (int i = 0; i < 20; i += 2)
		s += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* One datagram from 198.51.100.1 (initiator) or .2, on port 500 or 4500. */
static void rec(bool from_i, uint16_t port, const uint8_t *msg, size_t len)
{
	uint8_t h[32];
	size_t marker = port == 4500 ? 4 : 0, ulen = 8 + marker + len, tot = 20 + ulen;
	uint32_t rh[4] = { 1700000000u + when / 1000, (when % 1000) * 1000, (uint32_t)tot,
			   (uint32_t)tot };

	when += 7;
	memset(h, 0, sizeof(h));
	h[0] = 0x45;
	ik_put16(h + 2, (uint16_t)tot);
	h[8] = 64;
	h[9] = 17;
	h[12] = 198, h[13] = 51, h[14] = 100, h[15] = from_i ? 1 : 2;
	h[16] = 198, h[17] = 51, h[18] = 100, h[19] = from_i ? 2 : 1;
	ik_put16(h + 10, ip_sum(h));
	ik_put16(h + 20, port);
	ik_put16(h + 22, port);
	ik_put16(h + 24, (uint16_t)ulen);
	fwrite(rh, 1, sizeof(rh), out);
	fwrite(h, 1, 28 + marker, out);
	fwrite(msg, 1, len, out);
}

static int frag_emit(void *arg, const uint8_t *msg, size_t len)
{
	(void)arg;
	rec(true, 4500, msg, len);
	return 0;
}

static struct ik_v2_builder b;

/* A byte field of a tshark UAT record: bare hex. */
static void hexq(FILE *f, const uint8_t *p, size_t n, const char *sep)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
	fputs(sep, f);
}

static void init_msg(const uint8_t spi_i[8], const uint8_t spi_r[8], bool resp,
		     const struct ik_v2_proposal *p, const uint8_t *ke, size_t ke_len,
		     const uint8_t *nonce)
{
	uint8_t natd[20];

	memset(natd, resp ? 0x52 : 0x49, sizeof(natd));
	ik_v2_b_init(&b, spi_i, spi_r, IK_V2_EXCH_IKE_SA_INIT,
		     resp ? IK_V2_FLAG_R : IK_V2_FLAG_I, 0);
	ik_v2_b_sa(&b, p, 1);
	ik_v2_b_ke(&b, 14, ke, ke_len);
	ik_v2_b_nonce(&b, nonce, 32);
	ik_v2_b_notify(&b, 0, NULL, 0, IK_V2_N_NAT_DETECTION_SOURCE_IP, natd, 20);
	ik_v2_b_notify(&b, 0, NULL, 0, IK_V2_N_NAT_DETECTION_DESTINATION_IP, natd, 20);
	ik_v2_b_notify(&b, 0, NULL, 0, IK_V2_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	ik_v2_b_payload(&b, IK_V2_PL_V, "ikerd test vendor", 17);
	ik_v2_b_finish(&b);
	if (b.overflow)
		die("IKE_SA_INIT", "overflow");
	rec(!resp, 500, b.buf, b.len);
}

/* The inner payloads of an IKE_AUTH message (IDi/IDr, AUTH, SA, TS). */
static void auth_inner(bool resp, const uint8_t *auth, size_t auth_len)
{
	static const uint8_t spi[4] = { 0xc1, 0x00, 0x00, 0x01 };
	struct ik_v2_transform xf[3] = {
		{ IK_V2_TT_ENCR, IK_V2_ENCR_AES_CBC, 256, false, 0 },
		{ IK_V2_TT_INTEG, IK_V2_INTEG_HMAC_SHA2_256_128, 0, false, 0 },
		{ IK_V2_TT_ESN, 0, 0, false, 0 },
	};
	struct ik_v2_proposal p = { .num = 1, .proto = IK_V2_PROTO_ESP, .spi_size = 4,
				    .t = xf, .nt = 3 };
	struct ik_v2_ts ts[2];

	memcpy(p.spi, spi, 4);
	memset(ts, 0, sizeof(ts));
	ts[0] = (struct ik_v2_ts){ IK_V2_TS_IPV4_ADDR_RANGE, 47, 0, 65535, 4,
				   { 198, 51, 100, 1 }, { 198, 51, 100, 1 } };
	ts[1] = (struct ik_v2_ts){ IK_V2_TS_IPV6_ADDR_RANGE, 0, 0, 65535, 16,
				   { 0x20, 0x01, 0x0d, 0xb8 },
				   { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,
				     0xff, 0xff, 0xff, 0xff } };
	ik_v2_b_id(&b, resp ? IK_V2_PL_IDR : IK_V2_PL_IDI, IK_V2_ID_IPV4_ADDR,
		   resp ? "\xc6\x33\x64\x02" : "\xc6\x33\x64\x01", 4);
	ik_v2_b_auth(&b, IK_V2_AUTH_PSK, auth, auth_len);
	if (!resp)
		ik_v2_b_notify(&b, 0, NULL, 0, IK_V2_N_INITIAL_CONTACT, NULL, 0);
	ik_v2_b_sa(&b, &p, 1);
	ik_v2_b_ts(&b, IK_V2_PL_TSI, ts, 2);
	ik_v2_b_ts(&b, IK_V2_PL_TSR, ts, 1);
}

int main(int argc, char **argv)
{
	static const uint8_t spi_i[8] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
	static const uint8_t spi_r[8] = { 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xf0, 0x01 };
	static const uint8_t zero[8] = { 0 };
	uint32_t gh[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 101 /* raw IPv4 */ };
	struct ik_v2_transform xf[4] = {
		{ IK_V2_TT_ENCR, IK_V2_ENCR_AES_CBC, 256, false, 0 },
		{ IK_V2_TT_PRF, IK_V2_PRF_HMAC_SHA2_256, 0, false, 0 },
		{ IK_V2_TT_INTEG, IK_V2_INTEG_HMAC_SHA2_256_128, 0, false, 0 },
		{ IK_V2_TT_DH, 14, 0, false, 0 },
	};
	struct ik_v2_proposal p = { .num = 1, .proto = IK_V2_PROTO_IKE, .t = xf, .nt = 4 };
	struct ik_v2_suite s = { IK_V2_ENCR_AES_CBC, 256, IK_V2_INTEG_HMAC_SHA2_256_128,
				 IK_V2_PRF_HMAC_SHA2_256, 14 };
	uint8_t rnd[64], ni[32], nr[32], iv[16 * 8], ivs[16 * 8], auth[IK_V2_PRF_MAX];
	uint8_t init_i[2048], group[2], cookie[16];
	size_t init_i_len, kl_i, kl_r, sk, off;
	struct ik_dh *dh_i, *dh_r;
	struct ik_secret *gir, *psk;
	struct ik_v2_keys k;
	const uint8_t *ke_i, *ke_r;
	char err[256];

	if (argc != 2)
		die("usage", "test_v2_pcap OUT.pcap");
	if (ik_secmem_init())
		die("secmem", NULL);
	out = fopen(argv[1], "wb");
	if (!out)
		die(argv[1], "cannot create");
	fwrite(gh, 1, sizeof(gh), out);
	for (size_t i = 0; i < sizeof(rnd); i++)
		rnd[i] = (uint8_t)(i * 7 + 1);
	memset(ni, 0xa1, sizeof(ni));
	memset(nr, 0xb2, sizeof(nr));
	for (size_t i = 0; i < sizeof(iv); i++)
		iv[i] = (uint8_t)(i * 13), ivs[i] = (uint8_t)(i * 29);
	dh_i = ik_dh_new(14, rnd, ik_dh_rand_len(14));
	rnd[0] ^= 0xff;
	dh_r = ik_dh_new(14, rnd, ik_dh_rand_len(14));
	if (!dh_i || !dh_r)
		die("DH", NULL);
	ke_i = ik_dh_public(dh_i, &kl_i);
	ke_r = ik_dh_public(dh_r, &kl_r);

	/* IKE_SA_INIT: a request answered with COOKIE, then INVALID_KE_PAYLOAD */
	ik_v2_b_init(&b, spi_i, zero, IK_V2_EXCH_IKE_SA_INIT, IK_V2_FLAG_R, 0);
	memset(cookie, 0xc0, sizeof(cookie));
	ik_v2_b_notify(&b, 0, NULL, 0, IK_V2_N_COOKIE, cookie, sizeof(cookie));
	ik_v2_b_finish(&b);
	rec(false, 500, b.buf, b.len);
	ik_v2_b_init(&b, spi_i, zero, IK_V2_EXCH_IKE_SA_INIT, IK_V2_FLAG_R, 0);
	ik_put16(group, 14);
	ik_v2_b_notify(&b, 0, NULL, 0, IK_V2_N_INVALID_KE_PAYLOAD, group, 2);
	ik_v2_b_finish(&b);
	rec(false, 500, b.buf, b.len);
	/* IKE_SA_INIT request and response */
	init_msg(spi_i, zero, false, &p, ke_i, kl_i, ni);
	memcpy(init_i, b.buf, b.len);
	init_i_len = b.len;
	init_msg(spi_i, spi_r, true, &p, ke_r, kl_r, nr);

	gir = ik_dh_derive(dh_i, ke_r, kl_r, err, sizeof(err));
	if (!gir || ik_v2_derive(&s, gir, ni, 32, nr, 32, spi_i, spi_r, &k))
		die("derive", err);
	psk = ik_secret_new("lab-psk-v2", 10);
	{
		char kpath[1024];
		FILE *kf;

		snprintf(kpath, sizeof(kpath), "%s.keys", argv[1]);
		kf = fopen(kpath, "w");
		if (!kf)
			die(kpath, "cannot create");
		hexq(kf, spi_i, 8, ",");
		hexq(kf, spi_r, 8, ",");
		hexq(kf, k.sk_ei->p, k.sk_ei->len, ",");
		hexq(kf, k.sk_er->p, k.sk_er->len, ",");
		fputs("\"AES-CBC-256 [RFC3602]\",", kf);
		hexq(kf, k.sk_ai->p, k.sk_ai->len, ",");
		hexq(kf, k.sk_ar->p, k.sk_ar->len, ",");
		fputs("\"HMAC_SHA2_256_128 [RFC4868]\"\n", kf);
		if (fclose(kf))
			die(kpath, "write failed");
	}

	/* IKE_AUTH request (on 4500 after NAT detection), AUTH over IDi's body */
	ik_v2_b_init(&b, spi_i, spi_r, IK_V2_EXCH_IKE_AUTH, IK_V2_FLAG_I, 1);
	sk = ik_v2_b_sk(&b);
	if (ik_v2_auth_psk(s.prf, psk, init_i, init_i_len, nr, 32, k.sk_pi,
			   (const uint8_t *)"\x01\0\0\0\xc6\x33\x64\x01", 8, auth))
		die("AUTH", NULL);
	auth_inner(false, auth, ik_v2_prf_len(s.prf));
	ik_v2_b_close(&b, sk);
	if (ik_v2_fragment(&k, true, &b, sk, 160, ivs, sizeof(ivs), frag_emit, NULL, err,
			   sizeof(err)) < 2)
		die("SKF", err);
	if (ik_v2_sk_seal(&k, true, &b, sk, iv, err, sizeof(err)))
		die("SK", err);
	rec(true, 4500, b.buf, b.len);
	/* IKE_AUTH response */
	ik_v2_b_init(&b, spi_i, spi_r, IK_V2_EXCH_IKE_AUTH, IK_V2_FLAG_R, 1);
	sk = ik_v2_b_sk(&b);
	auth_inner(true, auth, ik_v2_prf_len(s.prf));
	ik_v2_b_close(&b, sk);
	if (ik_v2_sk_seal(&k, false, &b, sk, iv + 16, err, sizeof(err)))
		die("SK", err);
	rec(false, 4500, b.buf, b.len);
	/* CREATE_CHILD_SA request: rekey of the child, with a nonce */
	ik_v2_b_init(&b, spi_i, spi_r, IK_V2_EXCH_CREATE_CHILD_SA, IK_V2_FLAG_I, 2);
	sk = ik_v2_b_sk(&b);
	ik_v2_b_notify(&b, IK_V2_PROTO_ESP, "\xc1\0\0\x01", 4, IK_V2_N_REKEY_SA, NULL, 0);
	ik_v2_b_nonce(&b, ni, 32);
	off = b.len;
	ik_v2_b_close(&b, sk);
	(void)off;
	if (ik_v2_sk_seal(&k, true, &b, sk, iv + 32, err, sizeof(err)))
		die("SK", err);
	rec(true, 4500, b.buf, b.len);
	/* INFORMATIONAL: DELETE of the child */
	ik_v2_b_init(&b, spi_i, spi_r, IK_V2_EXCH_INFORMATIONAL, IK_V2_FLAG_I, 3);
	sk = ik_v2_b_sk(&b);
	ik_v2_b_delete(&b, IK_V2_PROTO_ESP, 4, 1, "\xc1\0\0\x01");
	ik_v2_b_close(&b, sk);
	if (ik_v2_sk_seal(&k, true, &b, sk, iv + 48, err, sizeof(err)))
		die("SK", err);
	rec(true, 4500, b.buf, b.len);

	ik_v2_keys_free(&k);
	ik_secret_free(gir);
	ik_secret_free(psk);
	ik_dh_free(dh_i);
	ik_dh_free(dh_r);
	if (fclose(out))
		die(argv[1], "write failed");
	return 0;
}
