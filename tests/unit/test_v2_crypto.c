/* IKEv2 cryptography against vectors computed outside ikerd
 * (tests/unit/vectors/gen_vectors.py --v2): prf+, SKEYSEED and SK_*, the
 * rekeyed SKEYSEED, child KEYMAT, PSK AUTH, and whole IKE_AUTH messages
 * sealed with AES-CBC + HMAC, AES-GCM and ChaCha20-Poly1305. Every check
 * (ICV, AUTH) is shown to refuse a changed bit; the reference captures'
 * SK payloads are framed as this code expects. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/v2_crypto.h"
#include "ike/v2_msg.h"
#include "util/secmem.h"
#include "util/util.h"

#include "vectors/v2_vectors.h"

#define NVEC(a) (sizeof(a) / sizeof((a)[0]))

struct buf {
	uint8_t *p;
	size_t len;
};

static struct buf hexb(const char *h)
{
	struct buf b = { NULL, 0 };
	size_t n = h ? strlen(h) : 0;

	ck_assert_uint_eq(n % 2, 0);
	b.len = n / 2;
	b.p = malloc(b.len + 1);
	ck_assert_ptr_nonnull(b.p);
	for (size_t i = 0; i < b.len; i++) {
		unsigned v;

		ck_assert_int_eq(sscanf(h + 2 * i, "%2x", &v), 1);
		b.p[i] = (uint8_t)v;
	}
	return b;
}

static void ck_bytes(const uint8_t *got, size_t glen, const char *want_hex, const char *what)
{
	struct buf w = hexb(want_hex);

	ck_assert_msg(glen == w.len, "%s: length %zu != %zu", what, glen, w.len);
	ck_assert_msg(memcmp(got, w.p, w.len) == 0, "%s: value differs", what);
	free(w.p);
}

static struct ik_secret *secret_hex(const char *h)
{
	struct buf b = hexb(h);
	struct ik_secret *s = ik_secret_new(b.p, b.len);

	ck_assert_ptr_nonnull(s);
	free(b.p);
	return s;
}

static struct ik_v2_suite suite_of(const struct ikv2_derive *v)
{
	return (struct ik_v2_suite){ v->encr, v->keylen, v->integ, v->prf, 0 };
}

static void ck_keys(const struct ik_v2_keys *k, const char *const sk[7], const char *what)
{
	const struct ik_secret *got[7] = { k->sk_d, k->sk_ai, k->sk_ar, k->sk_ei, k->sk_er,
					   k->sk_pi, k->sk_pr };
	static const char *const names[7] = { "SK_d", "SK_ai", "SK_ar", "SK_ei", "SK_er",
					      "SK_pi", "SK_pr" };

	for (int i = 0; i < 7; i++) {
		char w[96];

		snprintf(w, sizeof(w), "%s %s", what, names[i]);
		ck_assert_ptr_nonnull(got[i]);
		ck_bytes(got[i]->p, got[i]->len, sk[i], w);
	}
}

START_TEST(prf_plus_kat)
{
	const struct ikv2_prfplus *v = &ikv2_prfplus[_i];
	struct buf key = hexb(v->key), seed = hexb(v->seed), want = hexb(v->out);
	struct ik_iov iov[2] = { { seed.p, 10 }, { seed.p + 10, seed.len - 10 } };
	uint8_t out[300];

	ck_assert_int_eq(ik_v2_prf_plus(v->prf, key.p, key.len, iov, 2, out, want.len), 0);
	ck_bytes(out, want.len, v->out, "prf+");
	/* a shorter output is a prefix */
	ck_assert_int_eq(ik_v2_prf_plus(v->prf, key.p, key.len, iov, 2, out, 33), 0);
	ck_assert_mem_eq(out, want.p, 33);
	/* at most 255 blocks */
	ck_assert_int_eq(ik_v2_prf_plus(v->prf, key.p, key.len, iov, 2, out,
					255 * ik_v2_prf_len(v->prf) + 1), -1);
	free(key.p);
	free(seed.p);
	free(want.p);
}
END_TEST

START_TEST(derive_kat)
{
	const struct ikv2_derive *v = &ikv2_derive[_i];
	struct ik_v2_suite s = suite_of(v);
	struct ik_secret *gir = secret_hex(v->gir);
	struct buf ni = hexb(v->ni), nr = hexb(v->nr), si = hexb(v->spi_i), sr = hexb(v->spi_r);
	struct ik_v2_keys k;

	ck_assert_ptr_null(ik_v2_suite_unsupported(&s));
	ck_assert_int_eq(ik_v2_derive(&s, gir, ni.p, ni.len, nr.p, nr.len, si.p, sr.p, &k), 0);
	ck_bytes(k.skeyseed->p, k.skeyseed->len, v->skeyseed, v->label);
	ck_keys(&k, v->sk, v->label);
	ik_v2_keys_free(&k);
	ik_secret_free(gir);
	free(ni.p);
	free(nr.p);
	free(si.p);
	free(sr.p);
}
END_TEST

START_TEST(rekey_kat)
{
	const struct ikv2_rekey *v = &ikv2_rekey[_i];
	const struct ikv2_derive *o = &ikv2_derive[v->old], *n = &ikv2_derive[v->new];
	struct ik_v2_suite s = suite_of(n);
	struct ik_secret *gir = secret_hex(v->gir), *skd = secret_hex(o->sk[0]);
	struct buf ni = hexb(v->ni), nr = hexb(v->nr), si = hexb(v->spi_i), sr = hexb(v->spi_r);
	struct ik_v2_keys k;

	ck_assert_int_eq(ik_v2_derive_rekey(&s, o->prf, skd, gir, ni.p, ni.len, nr.p, nr.len,
					    si.p, sr.p, &k), 0);
	ck_bytes(k.skeyseed->p, k.skeyseed->len, v->skeyseed, "rekeyed SKEYSEED");
	ck_keys(&k, v->sk, "rekey");
	ik_v2_keys_free(&k);
	ik_secret_free(gir);
	ik_secret_free(skd);
	free(ni.p);
	free(nr.p);
	free(si.p);
	free(sr.p);
}
END_TEST

START_TEST(keymat_kat)
{
	const struct ikv2_keymat *v = &ikv2_keymat[_i];
	struct ik_secret *skd = secret_hex(v->sk_d), *gir = v->gir ? secret_hex(v->gir) : NULL;
	struct buf ni = hexb(v->ni), nr = hexb(v->nr), want = hexb(v->keymat);
	uint8_t out[128];

	ck_assert_int_eq(ik_v2_child_keymat(v->prf, skd, gir, ni.p, ni.len, nr.p, nr.len, out,
					    want.len), 0);
	ck_bytes(out, want.len, v->keymat, "KEYMAT");
	ik_secret_free(skd);
	ik_secret_free(gir);
	free(ni.p);
	free(nr.p);
	free(want.p);
}
END_TEST

START_TEST(auth_kat)
{
	const struct ikv2_auth *v = &ikv2_auth[_i];
	struct ik_secret *psk = ik_secret_new(v->psk, strlen(v->psk)), *skp = secret_hex(v->sk_p);
	struct ik_secret *wrong = ik_secret_new("lab-psk-v3", 10);
	struct buf msg = hexb(v->msg), no = hexb(v->nonce), id = hexb(v->id), au = hexb(v->auth);
	uint8_t out[IK_V2_PRF_MAX];

	ck_assert_int_eq(ik_v2_auth_psk(v->prf, psk, msg.p, msg.len, no.p, no.len, skp, id.p,
					id.len, out), 0);
	ck_bytes(out, ik_v2_prf_len(v->prf), v->auth, "AUTH");
	ck_assert(ik_v2_auth_psk_equal(v->prf, psk, msg.p, msg.len, no.p, no.len, skp, id.p,
				       id.len, au.p, au.len));
	/* each input matters: a bit of the AUTH, the message, the ID; the key */
	au.p[au.len - 1] ^= 1;
	ck_assert(!ik_v2_auth_psk_equal(v->prf, psk, msg.p, msg.len, no.p, no.len, skp, id.p,
					id.len, au.p, au.len));
	au.p[au.len - 1] ^= 1;
	ck_assert(!ik_v2_auth_psk_equal(v->prf, psk, msg.p, msg.len, no.p, no.len, skp, id.p,
					id.len, au.p, au.len - 1));
	msg.p[7] ^= 0x40;
	ck_assert(!ik_v2_auth_psk_equal(v->prf, psk, msg.p, msg.len, no.p, no.len, skp, id.p,
					id.len, au.p, au.len));
	msg.p[7] ^= 0x40;
	id.p[4] ^= 1;
	ck_assert(!ik_v2_auth_psk_equal(v->prf, psk, msg.p, msg.len, no.p, no.len, skp, id.p,
					id.len, au.p, au.len));
	id.p[4] ^= 1;
	ck_assert(!ik_v2_auth_psk_equal(v->prf, wrong, msg.p, msg.len, no.p, no.len, skp, id.p,
					id.len, au.p, au.len));
	ik_secret_free(psk);
	ik_secret_free(wrong);
	ik_secret_free(skp);
	free(msg.p);
	free(no.p);
	free(id.p);
	free(au.p);
}
END_TEST

/* Keys of ikv2_derive[i] with only what sealing needs set from the vector. */
static void keys_of(const struct ikv2_derive *v, struct ik_v2_keys *k)
{
	memset(k, 0, sizeof(*k));
	k->s = suite_of(v);
	k->sk_ai = secret_hex(v->sk[1]);
	k->sk_ar = secret_hex(v->sk[2]);
	k->sk_ei = secret_hex(v->sk[3]);
	k->sk_er = secret_hex(v->sk[4]);
}

static struct ik_v2_builder b;
static uint8_t plain[IK_V2_MAX_MSG];

START_TEST(sk_kat)
{
	const struct ikv2_sk *v = &ikv2_sk[_i];
	const struct ikv2_derive *d = &ikv2_derive[v->derive];
	struct buf iv = hexb(v->iv), inner = hexb(v->inner), want = hexb(v->msg);
	struct buf si = hexb(d->spi_i), sr = hexb(d->spi_r);
	struct ik_v2_keys k;
	struct ik_v2_msg m;
	size_t sk, plen;
	char err[256];

	keys_of(d, &k);
	ik_v2_b_init(&b, si.p, sr.p, IK_V2_EXCH_IKE_AUTH, IK_V2_FLAG_I, 1);
	sk = ik_v2_b_sk(&b);
	ik_v2_b_id(&b, IK_V2_PL_IDI, IK_V2_ID_FQDN, "r1.example", 10);
	ik_v2_b_auth(&b, IK_V2_AUTH_PSK, inner.p + 26, 32);
	ik_v2_b_close(&b, sk);
	ck_assert_mem_eq(b.buf + sk + 4, inner.p, inner.len);
	ck_assert_int_eq(ik_v2_sk_seal(&k, true, &b, sk, iv.p, err, sizeof(err)), 0);
	ck_bytes(b.buf, b.len, v->msg, d->label);

	/* received: parsed, ICV checked, decrypted, inner chain parsed */
	ck_assert_int_eq(ik_v2_parse_hdr(want.p, want.len, &m.hdr, err, sizeof(err)), 0);
	ck_assert_int_eq(ik_v2_parse_payloads(want.p, want.len, &m, err, sizeof(err)), 0);
	ck_assert_int_eq(ik_v2_sk_open(&k, true, want.p, want.len, m.sk, plain, sizeof(plain),
				       &plen, err, sizeof(err)), 0);
	ck_assert_uint_eq(plen, inner.len);
	ck_assert_mem_eq(plain, inner.p, plen);
	ck_assert_int_eq(ik_v2_parse_inner(plain, plen, m.inner_np, m.hdr.exch, &m, err,
					   sizeof(err)), 0);
	ck_assert_uint_eq(m.npl, 2);

	/* one bit changed in the header (associated data or HMAC input), the IV,
	 * the ciphertext, the ICV: each refused as an ICV mismatch */
	size_t spots[] = { 20, 28 + 4, want.len / 2, want.len - 1 };
	for (size_t i = 0; i < NVEC(spots); i++) {
		want.p[spots[i]] ^= 0x01;
		ck_assert_int_eq(ik_v2_parse_payloads(want.p, want.len, &m, err, sizeof(err)), 0);
		ck_assert_int_eq(ik_v2_sk_open(&k, true, want.p, want.len, m.sk, plain,
					       sizeof(plain), &plen, err, sizeof(err)),
				 IK_V2_ICV_MISMATCH);
		ck_assert_ptr_nonnull(strstr(err, "ICV mismatch"));
		want.p[spots[i]] ^= 0x01;
	}
	/* the responder's keys do not open the initiator's message */
	ck_assert_int_eq(ik_v2_parse_payloads(want.p, want.len, &m, err, sizeof(err)), 0);
	ck_assert_int_eq(ik_v2_sk_open(&k, false, want.p, want.len, m.sk, plain, sizeof(plain),
				       &plen, err, sizeof(err)), IK_V2_ICV_MISMATCH);
	/* cut short: no room for IV and ICV */
	{
		struct ik_pl shortsk = *m.sk;

		shortsk.len = 4 + ik_v2_iv_len(k.s.encr) + ik_v2_icv_len(&k.s);
		shortsk.body_len = shortsk.len - 4;
		ck_assert_int_eq(ik_v2_sk_open(&k, true, want.p, shortsk.off + shortsk.len,
					       &shortsk, plain, sizeof(plain), &plen, err,
					       sizeof(err)), -1);
		ck_assert_ptr_nonnull(strstr(err, "encrypted bytes < IV"));
	}
	ik_v2_keys_free(&k);
	free(iv.p);
	free(inner.p);
	free(want.p);
	free(si.p);
	free(sr.p);
}
END_TEST

struct frags {
	uint8_t msg[8][1024];
	size_t len[8];
	unsigned n;
};

static int collect(void *arg, const uint8_t *msg, size_t len)
{
	struct frags *f = arg;

	if (f->n == 8 || len > sizeof(f->msg[0]))
		return -1;
	memcpy(f->msg[f->n], msg, len);
	f->len[f->n++] = len;
	return 0;
}

START_TEST(fragments)
{
	const struct ikv2_derive *d = &ikv2_derive[_i];
	static struct frags f;
	static uint8_t whole[4096];
	struct ik_v2_keys k;
	struct ik_v2_msg m;
	uint8_t ivs[8 * 16], vid[700];
	size_t sk, inner_len, got = 0, plen, outlen;
	struct ik_v2_reasm r;
	unsigned first_np = 0;
	char err[256];

	keys_of(d, &k);
	memset(ivs, 0x5c, sizeof(ivs));
	for (size_t i = 0; i < sizeof(vid); i++)
		vid[i] = (uint8_t)i;
	ik_v2_b_init(&b, (const uint8_t *)"initspi!", (const uint8_t *)"respspi!",
		     IK_V2_EXCH_IKE_AUTH, IK_V2_FLAG_I, 1);
	sk = ik_v2_b_sk(&b);
	for (int i = 0; i < 3; i++)
		ik_v2_b_payload(&b, IK_V2_PL_V, vid, sizeof(vid));
	inner_len = b.len - sk - 4;
	memcpy(whole, b.buf + sk + 4, inner_len);
	f.n = 0;
	ck_assert_int_eq(ik_v2_fragment(&k, true, &b, sk, 576, ivs, sizeof(ivs), collect, &f,
					err, sizeof(err)), 5);
	for (unsigned i = 0; i < f.n; i++) {
		struct ik_v2_skf skf;

		ck_assert_uint_le(f.len[i], 576);
		ck_assert_int_eq(ik_v2_parse_hdr(f.msg[i], f.len[i], &m.hdr, err, sizeof(err)), 0);
		ck_assert_int_eq(ik_v2_parse_payloads(f.msg[i], f.len[i], &m, err, sizeof(err)),
				 0);
		ck_assert_uint_eq(m.sk->type, IK_V2_PL_SKF);
		ck_assert_uint_eq(m.inner_np, i == 0 ? IK_V2_PL_V : 0);
		ck_assert_int_eq(ik_v2_parse_skf(m.sk, &skf, err, sizeof(err)), 0);
		ck_assert_uint_eq(skf.num, i + 1);
		ck_assert_uint_eq(skf.total, 5);
		ck_assert_int_eq(ik_v2_sk_open(&k, true, f.msg[i], f.len[i], m.sk, plain + got,
					       sizeof(plain) - got, &plen, err, sizeof(err)), 0);
		got += plen;
	}
	ck_assert_uint_eq(got, inner_len);
	ck_assert_mem_eq(plain, whole, inner_len);
	/* the same fragments reassembled last first, with a duplicate */
	ik_v2_reasm_init(&r);
	for (int i = (int)f.n - 1; i >= 0; i--) {
		static uint8_t one[1024], all[4096];
		struct ik_v2_skf skf;
		int want = i == 0 ? IK_V2_REASM_DONE : IK_V2_REASM_STORED;

		ck_assert_int_eq(ik_v2_parse_hdr(f.msg[i], f.len[i], &m.hdr, err, sizeof(err)), 0);
		ck_assert_int_eq(ik_v2_parse_payloads(f.msg[i], f.len[i], &m, err, sizeof(err)),
				 0);
		ck_assert_int_eq(ik_v2_parse_skf(m.sk, &skf, err, sizeof(err)), 0);
		ck_assert_int_eq(ik_v2_sk_open(&k, true, f.msg[i], f.len[i], m.sk, one,
					       sizeof(one), &plen, err, sizeof(err)), 0);
		if (i == 2)
			ck_assert_int_eq(ik_v2_reasm_add(&r, 1, &skf, m.inner_np, one, plen, 10,
							 all, sizeof(all), &outlen, &first_np, err,
							 sizeof(err)), IK_V2_REASM_STORED);
		ck_assert_int_eq(ik_v2_reasm_add(&r, 1, &skf, m.inner_np, one, plen, 10, all,
						 sizeof(all), &outlen, &first_np, err,
						 sizeof(err)),
				 i == 2 ? IK_V2_REASM_IGNORED : want);
		if (want == IK_V2_REASM_DONE) {
			ck_assert_uint_eq(outlen, inner_len);
			ck_assert_mem_eq(all, whole, inner_len);
			ck_assert_uint_eq(first_np, IK_V2_PL_V);
			ck_assert(!r.active);
		}
	}
	/* too small a fragment size */
	ck_assert_int_eq(ik_v2_fragment(&k, true, &b, sk, 60, ivs, sizeof(ivs), collect, &f,
					err, sizeof(err)), -1);
	ik_v2_keys_free(&k);
}
END_TEST

START_TEST(proposal_from_ios)
{
	char *cbc_encr[] = { "aes-cbc-256", "3des", "aes-cbc-128" };
	char *gcm_encr[] = { "aes-gcm-256", "chacha20-poly1305" };
	char *hashes[] = { "sha256", "md5", "sha1" };
	char *groups[] = { "14", "2", "31", "19x" };
	struct ik_ikev2_proposal cp = { "P", cbc_encr, 3, hashes, 3, hashes, 1, groups, 4, 1 };
	struct ik_v2_transform t[16];
	unsigned skipped;

	/* aes-cbc-256 aes-cbc-128 | prf sha256 | integ sha256 sha1 | 14 31 */
	ck_assert_int_eq(ik_v2_proposal_from_conf(&cp, t, 16, &skipped), 7);
	ck_assert_uint_eq(skipped, 4);
	ck_assert_uint_eq(t[0].type, IK_V2_TT_ENCR);
	ck_assert_uint_eq(t[0].keylen, 256);
	ck_assert_uint_eq(t[1].keylen, 128);
	ck_assert_uint_eq(t[2].type, IK_V2_TT_PRF);
	ck_assert_uint_eq(t[2].id, IK_V2_PRF_HMAC_SHA2_256);
	ck_assert_uint_eq(t[3].id, IK_V2_INTEG_HMAC_SHA2_256_128);
	ck_assert_uint_eq(t[4].id, IK_V2_INTEG_HMAC_SHA1_96);
	ck_assert_uint_eq(t[5].id, 14);
	ck_assert_uint_eq(t[6].id, 31);
	ck_assert_int_eq(ik_v2_proposal_from_conf(&cp, t, 6, NULL), -1);
	/* AEAD only: no integrity transform */
	cp.encr = gcm_encr;
	cp.nencr = 2;
	ck_assert_int_eq(ik_v2_proposal_from_conf(&cp, t, 16, &skipped), 5);
	ck_assert_uint_eq(t[1].id, IK_V2_ENCR_CHACHA20_POLY1305);
	ck_assert_uint_eq(t[1].keylen, 0);
	ck_assert_uint_eq(t[2].type, IK_V2_TT_PRF);
	ck_assert_uint_eq(t[3].type, IK_V2_TT_DH);
	ck_assert_int_eq(ik_v2_transform_from_ios(IK_V2_TT_DH, "", t), -1);
	ck_assert_int_eq(ik_v2_transform_from_ios(IK_V2_TT_ESN, "sha1", t), -1);
}
END_TEST

START_TEST(natd_kat)
{
	const struct ikv2_natd *v = &ikv2_natd[_i];
	struct buf si = hexb(v->spi_i), sr = hexb(v->spi_r), a = hexb(v->addr);
	uint8_t h[20];

	ck_assert_int_eq(ik_v2_natd_hash(si.p, sr.p, a.p, a.len, v->port, h), 0);
	ck_bytes(h, 20, v->hash, "NAT-D");
	ck_assert_int_eq(ik_v2_natd_hash(si.p, sr.p, a.p, 5, v->port, h), -1);
	free(si.p);
	free(sr.p);
	free(a.p);
}
END_TEST

START_TEST(ke_and_suites)
{
	uint8_t data[256] = { 0 };
	struct ik_v2_ke ke = { 14, data, 255 };
	char err[256];

	ck_assert_int_eq(ik_v2_ke_check(&ke, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "KE payload: 255 bytes of key exchange data != 256 for group 14 "
			 "(modp2048)");
	ke.len = 256;
	ck_assert_int_eq(ik_v2_ke_check(&ke, err, sizeof(err)), 0);
	ke = (struct ik_v2_ke){ 31, data, 32 };
	ck_assert_int_eq(ik_v2_ke_check(&ke, err, sizeof(err)), 0);
	ke = (struct ik_v2_ke){ 19, data, 32 };
	ck_assert_int_eq(ik_v2_ke_check(&ke, err, sizeof(err)), -1);
	ke = (struct ik_v2_ke){ 2, data, 128 };
	ck_assert_int_eq(ik_v2_ke_check(&ke, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "KE payload: DH group 2 is not supported");
	for (unsigned g = 0; g < 40; g++)
		ck_assert(ik_v2_dh_supported((uint16_t)g) ==
			  (g == 14 || g == 15 || g == 16 || g == 19 || g == 20 || g == 21 ||
			   g == 31));

	{
		struct ik_v2_transform xf[4] = {
			{ IK_V2_TT_ENCR, IK_V2_ENCR_AES_GCM_16, 256, false, 0 },
			{ IK_V2_TT_PRF, IK_V2_PRF_HMAC_SHA2_256, 0, false, 0 },
			{ IK_V2_TT_DH, 31, 0, false, 0 },
			{ IK_V2_TT_DH, 19, 0, false, 0 },
		};
		struct ik_v2_proposal p = { .num = 1, .proto = 1, .t = xf, .nt = 3 };
		struct ik_v2_suite s;

		ck_assert_int_eq(ik_v2_prop_suite(&p, &s, err, sizeof(err)), 0);
		ck_assert_uint_eq(s.encr, IK_V2_ENCR_AES_GCM_16);
		ck_assert_uint_eq(s.keylen, 256);
		ck_assert_uint_eq(s.integ, IK_V2_INTEG_NONE);
		ck_assert_uint_eq(s.dh, 31);
		ck_assert_ptr_null(ik_v2_suite_unsupported(&s));
		p.nt = 4;
		ck_assert_int_eq(ik_v2_prop_suite(&p, &s, err, sizeof(err)), -1);
		ck_assert_str_eq(err, "proposal 1: more than one DH transform");
		p.nt = 3;
		xf[1].unknown_attr = true;
		ck_assert_int_eq(ik_v2_prop_suite(&p, &s, err, sizeof(err)), -1);
		p.t = xf + 1;
		p.nt = 2;
		ck_assert_int_eq(ik_v2_prop_suite(&p, &s, err, sizeof(err)), -1);
		ck_assert_str_eq(err, "proposal 1: no ENCR transform");
	}
	ck_assert_ptr_nonnull(ik_v2_suite_unsupported(&(struct ik_v2_suite){
		IK_V2_ENCR_CHACHA20_POLY1305, 256, 0, IK_V2_PRF_HMAC_SHA2_256, 0 }));
	ck_assert_ptr_nonnull(ik_v2_suite_unsupported(&(struct ik_v2_suite){
		IK_V2_ENCR_AES_GCM_16, 256, IK_V2_INTEG_HMAC_SHA1_96, IK_V2_PRF_HMAC_SHA1, 0 }));
	ck_assert_ptr_nonnull(ik_v2_suite_unsupported(&(struct ik_v2_suite){
		IK_V2_ENCR_AES_CBC, 256, IK_V2_INTEG_NONE, IK_V2_PRF_HMAC_SHA1, 0 }));
	ck_assert_ptr_nonnull(ik_v2_suite_unsupported(&(struct ik_v2_suite){
		IK_V2_ENCR_AES_GCM_16, 192, 0, IK_V2_PRF_HMAC_SHA1, 0 }));
	ck_assert_ptr_null(ik_v2_suite_unsupported(&(struct ik_v2_suite){
		IK_V2_ENCR_AES_CBC, 192, IK_V2_INTEG_HMAC_SHA2_512_256, IK_V2_PRF_HMAC_SHA2_512,
		21 }));
}
END_TEST

/* The reference captures' IKE_AUTH and later messages: their SK payloads are
 * framed as this code expects for the suites negotiated (c1: AES-CBC-256 +
 * HMAC-SHA256-128; c2: AES-GCM-16-256), so keys that are not the peers'
 * (their DH private values were not recorded) end in an ICV mismatch, never
 * in a framing error; their KE data has the length of its group. */
START_TEST(captures_framing)
{
	static const struct { const char *prefix; struct ik_v2_suite s; } caps[] = {
		{ "pcap-c1-", { IK_V2_ENCR_AES_CBC, 256, IK_V2_INTEG_HMAC_SHA2_256_128,
				IK_V2_PRF_HMAC_SHA2_256, 14 } },
		{ "pcap-c2-", { IK_V2_ENCR_AES_GCM_16, 256, 0, IK_V2_PRF_HMAC_SHA2_256, 31 } },
	};
	unsigned opened = 0, kes = 0;
	char dir[512];

	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/v2_parse", TOP_SRCDIR);
	for (size_t c = 0; c < NVEC(caps); c++) {
		struct ik_secret *gir = ik_secret_new("not the peers' secret", 21);
		uint8_t n[32] = { 0 };
		struct ik_v2_keys k;
		DIR *dd = opendir(dir);
		struct dirent *de;

		ck_assert_ptr_nonnull(dd);
		ck_assert_int_eq(ik_v2_derive(&caps[c].s, gir, n, 32, n, 32, n, n, &k), 0);
		while ((de = readdir(dd))) {
			static uint8_t msg[IK_V2_MAX_MSG];
			struct ik_v2_msg m;
			char path[1024], err[256];
			size_t len, plen;
			FILE *fp;

			if (strncmp(de->d_name, caps[c].prefix, strlen(caps[c].prefix)) != 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			fp = fopen(path, "rb");
			ck_assert_ptr_nonnull(fp);
			len = fread(msg, 1, sizeof(msg), fp);
			fclose(fp);
			ck_assert_int_eq(ik_v2_parse_hdr(msg, len, &m.hdr, err, sizeof(err)), 0);
			ck_assert_int_eq(ik_v2_parse_payloads(msg, m.hdr.len, &m, err, sizeof(err)),
					 0);
			if (!m.sk) {
				struct ik_v2_ke ke;

				ck_assert_int_eq(ik_v2_parse_ke(ik_v2_find(&m, IK_V2_PL_KE), &ke,
								err, sizeof(err)), 0);
				ck_assert_uint_eq(ke.group, caps[c].s.dh);
				ck_assert_int_eq(ik_v2_ke_check(&ke, err, sizeof(err)), 0);
				kes++;
				continue;
			}
			ck_assert_msg(ik_v2_sk_open(&k, m.hdr.flags & IK_V2_FLAG_I, msg, m.hdr.len,
						    m.sk, plain, sizeof(plain), &plen, err,
						    sizeof(err)) == IK_V2_ICV_MISMATCH,
				      "%s: %s", de->d_name, err);
			opened++;
		}
		closedir(dd);
		ik_v2_keys_free(&k);
		ik_secret_free(gir);
	}
	ck_assert_uint_eq(opened, 4);
	ck_assert_uint_eq(kes, 4);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("v2 crypto");
	TCase *tc = tcase_create("kat");
	SRunner *sr;
	int failed;

	if (ik_secmem_init())
		return 1;
	tcase_add_loop_test(tc, prf_plus_kat, 0, (int)NVEC(ikv2_prfplus));
	tcase_add_loop_test(tc, derive_kat, 0, (int)NVEC(ikv2_derive));
	tcase_add_loop_test(tc, rekey_kat, 0, (int)NVEC(ikv2_rekey));
	tcase_add_loop_test(tc, keymat_kat, 0, (int)NVEC(ikv2_keymat));
	tcase_add_loop_test(tc, auth_kat, 0, (int)NVEC(ikv2_auth));
	tcase_add_loop_test(tc, sk_kat, 0, (int)NVEC(ikv2_sk));
	tcase_add_loop_test(tc, fragments, 0, (int)NVEC(ikv2_derive));
	tcase_add_test(tc, proposal_from_ios);
	tcase_add_loop_test(tc, natd_kat, 0, (int)NVEC(ikv2_natd));
	tcase_add_test(tc, ke_and_suites);
	tcase_add_test(tc, captures_framing);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
