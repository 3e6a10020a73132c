/* Known-answer tests of src/ike/crypto*.c. Every expected value comes from
 * tests/unit/vectors/crypto_vectors.h, which tests/unit/vectors/gen_vectors.py
 * computes without ikerd (Python pow()/hmac/hashlib and the openssl command
 * line), so two ikerd sharing a wrong derivation cannot pass. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "conf/model.h"
#include "ike/crypto.h"
#include "util/secmem.h"

#include "vectors/crypto_vectors.h"

#define NVEC(a) (sizeof(a) / sizeof((a)[0]))

struct buf {
	uint8_t *p;
	size_t len;
};

/* Decodes a hex vector (NULL gives an empty buffer). */
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

static void bfree(struct buf *b)
{
	free(b->p);
	b->p = NULL;
}

static void ck_bytes(const uint8_t *got, size_t glen, const char *want_hex, const char *what)
{
	struct buf w = hexb(want_hex);

	ck_assert_msg(glen == w.len, "%s: length %zu != %zu", what, glen, w.len);
	ck_assert_msg(memcmp(got, w.p, w.len) == 0, "%s: value differs", what);
	bfree(&w);
}

static struct ik_secret *secret_hex(const char *h)
{
	struct buf b = hexb(h);
	struct ik_secret *s = ik_secret_new(b.p, b.len);

	ck_assert_ptr_nonnull(s);
	bfree(&b);
	return s;
}

static const struct ikv_dh *dh_vec(unsigned group)
{
	for (size_t i = 0; i < NVEC(ikv_dh); i++)
		if (ikv_dh[i].group == group)
			return &ikv_dh[i];
	ck_abort_msg("no vector for group %u", group);
	return NULL;
}

static struct ik_dh *dh_from(unsigned group, const char *rand_hex)
{
	struct buf r = hexb(rand_hex);
	struct ik_dh *dh;

	ck_assert_uint_eq(ik_dh_rand_len(group), r.len);
	dh = ik_dh_new(group, r.p, r.len);
	ck_assert_msg(dh != NULL, "ik_dh_new(%u) failed", group);
	bfree(&r);
	return dh;
}

/* Derives with dh from peer and expects a refusal whose reason holds want. */
static void ck_refused(struct ik_dh *dh, const uint8_t *peer, size_t len, const char *want)
{
	char why[128];
	struct ik_secret *s = ik_dh_derive(dh, peer, len, why, sizeof(why));

	ck_assert_msg(s == NULL, "bad public value accepted (want \"%s\")", want);
	ck_assert_msg(strstr(why, want) != NULL, "reason \"%s\" lacks \"%s\"", why, want);
	/* an expected refusal leaves nothing in OpenSSL's error queue */
	ck_assert_uint_eq(ERR_peek_error(), 0);
}

/* ---- Diffie-Hellman ---- */

START_TEST(dh_known_answers)
{
	const struct ikv_dh *v = &ikv_dh[_i];
	struct ik_dh *a = dh_from(v->group, v->ra), *b = dh_from(v->group, v->rb);
	struct ik_secret *za, *zb;
	struct buf pa = hexb(v->pa), pb = hexb(v->pb);
	const uint8_t *pub;
	char why[128];
	size_t len;

	ck_assert(ik_dh_supported(v->group));
	ck_assert_uint_eq(ik_dh_public_len(v->group), pa.len);
	pub = ik_dh_public(a, &len);
	ck_bytes(pub, len, v->pa, "public value a");
	pub = ik_dh_public(b, &len);
	ck_bytes(pub, len, v->pb, "public value b");
	za = ik_dh_derive(a, pb.p, pb.len, why, sizeof(why));
	ck_assert_msg(za != NULL, "group %u derive: %s", v->group, why);
	ck_bytes(za->p, za->len, v->z, "shared secret (a)");
	zb = ik_dh_derive(b, pa.p, pa.len, why, sizeof(why));
	ck_assert_msg(zb != NULL, "group %u derive: %s", v->group, why);
	ck_bytes(zb->p, zb->len, v->z, "shared secret (b)");
	/* a key pair derives any number of times */
	ik_secret_free(za);
	za = ik_dh_derive(a, pb.p, pb.len, NULL, 0);
	ck_assert_ptr_nonnull(za);
	ck_bytes(za->p, za->len, v->z, "second derive");
	ik_secret_free(za);
	ik_secret_free(zb);
	bfree(&pa);
	bfree(&pb);
	ik_dh_free(a);
	ik_dh_free(b);
}
END_TEST

START_TEST(dh_names_and_sizes)
{
	static const struct {
		unsigned group;
		const char *name;
		size_t pub, rand;
	} t[] = {
		{ 1, "modp768", 96, 20 },     { 2, "modp1024", 128, 20 },
		{ 5, "modp1536", 192, 30 },   { 14, "modp2048", 256, 32 },
		{ 15, "modp3072", 384, 35 },  { 16, "modp4096", 512, 38 },
		{ 19, "ecp256", 64, 40 },     { 20, "ecp384", 96, 56 },
		{ 21, "ecp521", 132, 74 },    { 24, "modp2048s256", 256, 40 },
		{ 31, "curve25519", 32, 32 },
	};
	uint8_t r[80] = { 1 };

	for (size_t i = 0; i < NVEC(t); i++) {
		ck_assert(ik_dh_supported(t[i].group));
		ck_assert_str_eq(ik_dh_name(t[i].group), t[i].name);
		ck_assert_uint_eq(ik_dh_public_len(t[i].group), t[i].pub);
		ck_assert_uint_eq(ik_dh_rand_len(t[i].group), t[i].rand);
		/* exactly rand_len bytes, no more, no less */
		ck_assert_ptr_null(ik_dh_new(t[i].group, r, t[i].rand - 1));
		ck_assert_ptr_null(ik_dh_new(t[i].group, r, t[i].rand + 1));
	}
	for (unsigned g = 0; g < 40; g++) {
		bool known = false;

		for (size_t i = 0; i < NVEC(t); i++)
			known |= t[i].group == g;
		if (known)
			continue;
		ck_assert_msg(!ik_dh_supported(g), "group %u claimed", g);
		ck_assert_uint_eq(ik_dh_public_len(g), 0);
		ck_assert_uint_eq(ik_dh_rand_len(g), 0);
		ck_assert_ptr_null(ik_dh_new(g, r, sizeof(r)));
	}
}
END_TEST

/* The MODP refusals: 0, 1, p-1, p, all-ones, wrong lengths. */
START_TEST(dh_modp_rejects)
{
	static const unsigned groups[] = { 1, 2, 5, 14, 15, 16, 24 };
	const struct ikv_dh *v = dh_vec(groups[_i]);
	struct ik_dh *a = dh_from(v->group, v->ra);
	struct buf p = hexb(v->p), pb = hexb(v->pb);
	uint8_t *y = calloc(1, p.len + 1);
	char want[64];

	ck_assert_ptr_nonnull(y);
	ck_refused(a, y, p.len, "out of range");                    /* 0 */
	y[p.len - 1] = 1;
	ck_refused(a, y, p.len, "out of range");                    /* 1 */
	memcpy(y, p.p, p.len);
	ck_refused(a, y, p.len, "out of range");                    /* p */
	y[p.len - 1] -= 1;
	ck_refused(a, y, p.len, "out of range");                    /* p - 1 */
	memset(y, 0xff, p.len);
	ck_refused(a, y, p.len, "out of range");                    /* > p */
	snprintf(want, sizeof(want), "KE length %zu != %zu for group %u", p.len - 1, p.len,
		 v->group);
	ck_refused(a, pb.p + 1, p.len - 1, want);
	memset(y, 0, p.len + 1);
	memcpy(y + 1, pb.p, pb.len);                                 /* left-padded, too long */
	snprintf(want, sizeof(want), "KE length %zu != %zu", p.len + 1, p.len);
	ck_refused(a, y, p.len + 1, want);
	ck_refused(a, NULL, 0, "KE length 0");
	/* p - 2 is in range and accepted */
	memcpy(y, p.p, p.len);
	y[p.len - 1] -= 2;
	if (v->group != 24) {
		struct ik_secret *s = ik_dh_derive(a, y, p.len, NULL, 0);

		ck_assert_ptr_nonnull(s);
		ik_secret_free(s);
	} else {
		/* p - 2 has order 2q: outside the subgroup */
		ck_refused(a, y, p.len, "subgroup");
	}
	free(y);
	bfree(&p);
	bfree(&pb);
	ik_dh_free(a);
}
END_TEST

START_TEST(dh_group24_subgroup)
{
	const struct ikv_dh *v = dh_vec(24);
	struct ik_dh *a = dh_from(24, v->ra);
	struct buf bad = hexb(ikv_g24_bad);

	ck_refused(a, bad.p, bad.len, "not in the order-q subgroup");
	bfree(&bad);
	ik_dh_free(a);
}
END_TEST

START_TEST(dh_ecp_rejects)
{
	static const unsigned groups[] = { 19, 20, 21 };
	const struct ikv_dh *v = dh_vec(groups[_i]);
	struct ik_dh *a = dh_from(v->group, v->ra);
	struct buf p = hexb(v->p), pb = hexb(v->pb), off = hexb(v->off);
	size_t fl = p.len;
	uint8_t *q = calloc(1, 2 * fl + 1);
	char want[64];

	ck_assert_ptr_nonnull(q);
	ck_assert_uint_eq(pb.len, 2 * fl);
	ck_refused(a, off.p, off.len, "not on curve");
	ck_refused(a, q, 2 * fl, "not on curve");                  /* (0, 0) */
	memcpy(q, p.p, fl);                                          /* x = p */
	memcpy(q + fl, pb.p + fl, fl);
	ck_refused(a, q, 2 * fl, "not on curve");
	memcpy(q, pb.p, fl);                                         /* y = p */
	memcpy(q + fl, p.p, fl);
	ck_refused(a, q, 2 * fl, "not on curve");
	if (v->unred) {
		struct buf u = hexb(v->unred);

		ck_refused(a, u.p, u.len, "not on curve");
		bfree(&u);
	}
	snprintf(want, sizeof(want), "KE length %zu != %zu for group %u", fl, 2 * fl, v->group);
	ck_refused(a, pb.p, fl, want);                               /* x alone */
	memset(q, 0, 2 * fl + 1);
	q[0] = 0x04;                                                 /* SEC1 prefix: not IKE */
	memcpy(q + 1, pb.p, 2 * fl);
	snprintf(want, sizeof(want), "KE length %zu != %zu", 2 * fl + 1, 2 * fl);
	ck_refused(a, q, 2 * fl + 1, want);
	free(q);
	bfree(&p);
	bfree(&pb);
	bfree(&off);
	ik_dh_free(a);
}
END_TEST

START_TEST(dh_x25519_rejects)
{
	const struct ikv_dh *v = dh_vec(31);
	struct ik_dh *a = dh_from(31, v->ra);
	struct buf pb = hexb(v->pb);

	for (size_t i = 0; i < NVEC(ikv_x25519_low); i++) {
		struct buf u = hexb(ikv_x25519_low[i]);

		ck_refused(a, u.p, u.len, "all zero");
		bfree(&u);
	}
	ck_refused(a, pb.p, 31, "KE length 31 != 32 for group 31");
	bfree(&pb);
	ik_dh_free(a);
}
END_TEST

/* Public values that strongSwan and libreswan really sent are accepted and
 * give the shared secret computed outside ikerd. */
START_TEST(dh_real_peers)
{
	const struct ikv_peer *v = &ikv_peer[_i];
	const struct ikv_dh *d = dh_vec(v->group);
	struct ik_dh *a = dh_from(v->group, d->ra);
	struct buf pub = hexb(v->pub);
	struct ik_secret *z;
	char why[128];

	ck_assert_uint_eq(pub.len, ik_dh_public_len(v->group));
	z = ik_dh_derive(a, pub.p, pub.len, why, sizeof(why));
	ck_assert_msg(z != NULL, "%s refused: %s", v->src, why);
	ck_bytes(z->p, z->len, v->z, v->src);
	ik_secret_free(z);
	bfree(&pub);
	ik_dh_free(a);
}
END_TEST

/* Arbitrary peer bytes of the right length: each is either refused with a
 * reason or gives a secret of the right length; never a crash (the
 * sanitizer build watches memory). Deterministic: a fixed xorshift stream. */
START_TEST(dh_random_peers)
{
	const struct ikv_dh *v = &ikv_dh[_i];
	struct ik_dh *a = dh_from(v->group, v->ra);
	size_t len = ik_dh_public_len(v->group);
	uint8_t *y = malloc(len);
	uint64_t st = 0x9e3779b97f4a7c15ull ^ v->group;
	int rounds = len > 200 ? 6 : 40, refused = 0;

	ck_assert_ptr_nonnull(y);
	for (int r = 0; r < rounds; r++) {
		char why[128] = "";
		struct ik_secret *z;

		for (size_t i = 0; i < len; i++) {
			st ^= st << 13;
			st ^= st >> 7;
			st ^= st << 17;
			y[i] = (uint8_t)st;
		}
		if (r % 2)
			y[0] = 0; /* MODP: in range (random values often exceed p) */
		z = ik_dh_derive(a, y, len, why, sizeof(why));
		if (z) {
			ck_assert_uint_eq(z->len, v->p ? strlen(v->p) / 2 : 32);
			ck_assert_str_eq(why, "");
		} else {
			ck_assert_msg(why[0] != '\0', "refusal without a reason");
			refused++;
		}
		ik_secret_free(z);
	}
	/* random x|y pairs are off every curve */
	if (v->group >= 19 && v->group <= 21)
		ck_assert_int_eq(refused, rounds);
	free(y);
	ik_dh_free(a);
}
END_TEST

/* Several threads at once, starting from a cold process (check forks per
 * test), each computing every group's vectors. */
static void *dh_thread(void *arg)
{
	size_t *bad = arg;

	for (int round = 0; round < 3; round++) {
		/* the PRF chain and CBC share the process-wide OpenSSL objects */
		for (size_t i = 0; i < NVEC(ikv_v1); i++) {
			const struct ikv_v1 *v = &ikv_v1[i];
			struct ik_secret *psk = secret_hex(v->psk), *gxy = secret_hex(v->gxy);
			struct buf ni = hexb(v->ni), nr = hexb(v->nr);
			struct buf gxi = hexb(v->gxi), gxr = hexb(v->gxr);
			struct buf ci = hexb(v->cky_i), cr = hexb(v->cky_r), e = hexb(v->enc_key);
			struct ik_v1_keys k;

			if (ik_v1_derive_psk(v->hash, v->encr, v->kbits, psk, ni.p, ni.len, nr.p,
					     nr.len, gxy, gxi.p, gxi.len, gxr.p, gxr.len, ci.p,
					     cr.p, &k) != 0)
				(*bad)++;
			else if (k.enc_key->len != e.len || memcmp(k.enc_key->p, e.p, e.len) != 0)
				(*bad)++;
			ik_v1_keys_free(&k);
			ik_secret_free(psk);
			ik_secret_free(gxy);
			bfree(&ni);
			bfree(&nr);
			bfree(&gxi);
			bfree(&gxr);
			bfree(&ci);
			bfree(&cr);
			bfree(&e);
		}
		for (size_t i = 0; i < NVEC(ikv_cbc); i++) {
			const struct ikv_cbc *v = &ikv_cbc[i];
			struct buf key = hexb(v->key), iv = hexb(v->iv), pt = hexb(v->pt);
			struct buf ct = hexb(v->ct);
			uint8_t out[256];

			if (ik_cbc_encrypt(v->encr, key.p, key.len, iv.p, pt.p, pt.len, out) != 0 ||
			    memcmp(out, ct.p, ct.len) != 0)
				(*bad)++;
			bfree(&key);
			bfree(&iv);
			bfree(&pt);
			bfree(&ct);
		}
		for (size_t i = 0; i < NVEC(ikv_dh); i++) {
			const struct ikv_dh *v = &ikv_dh[i];
			struct buf r = hexb(v->ra), pb = hexb(v->pb), z = hexb(v->z);
			struct ik_dh *dh = ik_dh_new(v->group, r.p, r.len);
			struct ik_secret *s = dh ? ik_dh_derive(dh, pb.p, pb.len, NULL, 0) : NULL;

			if (!s || s->len != z.len || memcmp(s->p, z.p, z.len) != 0)
				(*bad)++;
			ik_secret_free(s);
			ik_dh_free(dh);
			bfree(&r);
			bfree(&pb);
			bfree(&z);
		}
	}
	return NULL;
}

START_TEST(dh_threads)
{
	pthread_t t[4];
	size_t bad[4] = { 0 };

	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, dh_thread, &bad[i]), 0);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
		ck_assert_uint_eq(bad[i], 0);
	}
}
END_TEST

/* ---- hash and PRF ---- */

START_TEST(hash_lengths_and_abc)
{
	/* FIPS 180 / RFC 1321 "abc" digests */
	static const char *const abc[] = {
		[IK_HASH_MD5] = "900150983cd24fb0d6963f7d28e17f72",
		[IK_HASH_SHA1] = "a9993e364706816aba3e25717850c26c9cd0d89d",
		[IK_HASH_SHA256] =
			"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	};
	struct ik_iov iov[2] = { { "a", 1 }, { "bc", 2 } };
	uint8_t out[64];

	ck_assert_uint_eq(ik_hash_len(IK_HASH_MD5), 16);
	ck_assert_uint_eq(ik_hash_len(IK_HASH_SHA1), 20);
	ck_assert_uint_eq(ik_hash_len(IK_HASH_SHA256), 32);
	ck_assert_uint_eq(ik_hash_len(IK_HASH_SHA384), 48);
	ck_assert_uint_eq(ik_hash_len(IK_HASH_SHA512), 64);
	ck_assert_uint_eq(ik_hash_len(IK_HASH_NONE), 0);
	for (int h = IK_HASH_MD5; h <= IK_HASH_SHA256; h++) {
		ck_assert_int_eq(ik_hash(h, iov, 2, out), 0);
		ck_bytes(out, ik_hash_len(h), abc[h], "hash(abc)");
	}
	ck_assert_int_eq(ik_hash(IK_HASH_NONE, iov, 2, out), -1);
	ck_assert_int_eq(ik_prf(IK_HASH_NONE, out, 4, iov, 2, out), -1);
}
END_TEST

/* ---- IKEv1 key derivation ---- */

START_TEST(v1_psk_known_answers)
{
	const struct ikv_v1 *v = &ikv_v1[_i];
	struct ik_secret *psk = secret_hex(v->psk), *gxy = secret_hex(v->gxy);
	struct buf ni = hexb(v->ni), nr = hexb(v->nr), gxi = hexb(v->gxi), gxr = hexb(v->gxr);
	struct buf ci = hexb(v->cky_i), cr = hexb(v->cky_r);
	struct ik_v1_keys k;

	ck_assert_int_eq(ik_v1_derive_psk(v->hash, v->encr, v->kbits, psk, ni.p, ni.len, nr.p,
					  nr.len, gxy, gxi.p, gxi.len, gxr.p, gxr.len, ci.p, cr.p,
					  &k),
			 0);
	ck_bytes(k.skeyid->p, k.skeyid->len, v->skeyid, "SKEYID");
	ck_bytes(k.skeyid_d->p, k.skeyid_d->len, v->skeyid_d, "SKEYID_d");
	ck_bytes(k.skeyid_a->p, k.skeyid_a->len, v->skeyid_a, "SKEYID_a");
	ck_bytes(k.skeyid_e->p, k.skeyid_e->len, v->skeyid_e, "SKEYID_e");
	ck_bytes(k.enc_key->p, k.enc_key->len, v->enc_key, "cipher key (appendix B)");
	ck_assert_uint_eq(k.iv_len, ik_encr_block_len(v->encr));
	ck_bytes(k.iv, k.iv_len, v->iv, "phase-1 IV");
	ik_v1_keys_free(&k);
	ck_assert_ptr_null(k.skeyid);
	/* bad parameters fail and leave nothing to free */
	ck_assert_int_eq(ik_v1_derive_psk(v->hash, v->encr, 100, psk, ni.p, ni.len, nr.p,
					  nr.len, gxy, gxi.p, gxi.len, gxr.p, gxr.len, ci.p, cr.p,
					  &k),
			 v->encr == IK_ENCR_AES ? -1 : 0);
	ik_v1_keys_free(&k);
	ck_assert_int_eq(ik_v1_derive_psk(IK_HASH_NONE, v->encr, v->kbits, psk, ni.p, ni.len,
					  nr.p, nr.len, gxy, gxi.p, gxi.len, gxr.p, gxr.len, ci.p,
					  cr.p, &k),
			 -1);
	ck_assert_ptr_null(k.skeyid);
	ik_secret_free(psk);
	ik_secret_free(gxy);
	bfree(&ni);
	bfree(&nr);
	bfree(&gxi);
	bfree(&gxr);
	bfree(&ci);
	bfree(&cr);
}
END_TEST

START_TEST(v1_iv_msgid)
{
	const struct ikv_iv2 *v = &ikv_iv2[_i];
	struct buf last = hexb(v->last);
	uint8_t iv[16];

	ck_assert_int_eq(ik_v1_iv_msgid(v->hash, last.p, last.len, v->msgid, iv), 0);
	ck_bytes(iv, last.len, v->iv, "phase-2 IV");
	ck_assert_int_eq(ik_v1_iv_msgid(v->hash, last.p, 0, v->msgid, iv), -1);
	bfree(&last);
}
END_TEST

START_TEST(v1_keymat)
{
	const struct ikv_keymat *v = &ikv_keymat[_i];
	struct ik_secret *skd = secret_hex(v->skeyid_d);
	struct ik_secret *gqm = v->gxy_qm ? secret_hex(v->gxy_qm) : NULL;
	struct buf spi = hexb(v->spi), ni = hexb(v->ni), nr = hexb(v->nr), km = hexb(v->keymat);
	uint8_t out[128];

	ck_assert_uint_le(km.len, sizeof(out));
	ck_assert_int_eq(ik_v1_keymat(v->hash, skd, gqm, 3, spi.p, ni.p, ni.len, nr.p, nr.len,
				      out, km.len),
			 0);
	ck_bytes(out, km.len, v->keymat, gqm ? "KEYMAT (PFS)" : "KEYMAT");
	/* a shorter request is a prefix of the longer one */
	memset(out, 0, sizeof(out));
	ck_assert_int_eq(ik_v1_keymat(v->hash, skd, gqm, 3, spi.p, ni.p, ni.len, nr.p, nr.len,
				      out, 7),
			 0);
	ck_assert_int_eq(memcmp(out, km.p, 7), 0);
	ck_assert_int_eq(out[7], 0);
	/* protocol is part of the input */
	ck_assert_int_eq(ik_v1_keymat(v->hash, skd, gqm, 2, spi.p, ni.p, ni.len, nr.p, nr.len,
				      out, km.len),
			 0);
	ck_assert_int_ne(memcmp(out, km.p, km.len), 0);
	ik_secret_free(skd);
	ik_secret_free(gqm);
	bfree(&spi);
	bfree(&ni);
	bfree(&nr);
	bfree(&km);
}
END_TEST

START_TEST(esp_key_lengths)
{
	ck_assert_uint_eq(ik_esp_enc_key_len(IK_ESP_DES, 0), 8);
	ck_assert_uint_eq(ik_esp_enc_key_len(IK_ESP_3DES, 0), 24);
	ck_assert_uint_eq(ik_esp_enc_key_len(IK_ESP_AES, 0), 16);
	ck_assert_uint_eq(ik_esp_enc_key_len(IK_ESP_AES, 128), 16);
	ck_assert_uint_eq(ik_esp_enc_key_len(IK_ESP_AES, 192), 24);
	ck_assert_uint_eq(ik_esp_enc_key_len(IK_ESP_AES, 256), 32);
	ck_assert_uint_eq(ik_esp_enc_key_len(IK_ESP_AES, 512), 0);
	ck_assert_uint_eq(ik_esp_enc_key_len(IK_ESP_GCM, 128), 20);
	ck_assert_uint_eq(ik_esp_enc_key_len(IK_ESP_GCM, 256), 36);
	ck_assert_uint_eq(ik_esp_enc_key_len(IK_ESP_ENC_NONE, 0), 0);
	ck_assert_uint_eq(ik_esp_auth_key_len(IK_ESP_MD5), 16);
	ck_assert_uint_eq(ik_esp_auth_key_len(IK_ESP_SHA1), 20);
	ck_assert_uint_eq(ik_esp_auth_key_len(IK_ESP_SHA256), 32);
	ck_assert_uint_eq(ik_esp_auth_key_len(IK_ESP_SHA384), 48);
	ck_assert_uint_eq(ik_esp_auth_key_len(IK_ESP_SHA512), 64);
	ck_assert_uint_eq(ik_esp_auth_key_len(IK_ESP_AUTH_NONE), 0);
	ck_assert_uint_eq(ik_encr_key_len(IK_ENCR_DES, 0), 8);
	ck_assert_uint_eq(ik_encr_key_len(IK_ENCR_3DES, 0), 24);
	ck_assert_uint_eq(ik_encr_key_len(IK_ENCR_AES, 0), 16);
	ck_assert_uint_eq(ik_encr_key_len(IK_ENCR_AES, 256), 32);
	ck_assert_uint_eq(ik_encr_key_len(IK_ENCR_AES, 100), 0);
	ck_assert_uint_eq(ik_encr_block_len(IK_ENCR_DES), 8);
	ck_assert_uint_eq(ik_encr_block_len(IK_ENCR_3DES), 8);
	ck_assert_uint_eq(ik_encr_block_len(IK_ENCR_AES), 16);
	ck_assert_uint_eq(ik_encr_block_len(IK_ENCR_NONE), 0);
}
END_TEST

/* ---- CBC ---- */

START_TEST(cbc_known_answers)
{
	const struct ikv_cbc *v = &ikv_cbc[_i];
	struct buf key = hexb(v->key), iv0 = hexb(v->iv), pt = hexb(v->pt), ct = hexb(v->ct);
	size_t blen = ik_encr_block_len(v->encr), half;
	uint8_t iv[16], out[256], out2[256];

	ck_assert_msg(ik_encr_unsupported(v->encr, (unsigned)key.len * 8 *
						       (v->encr == IK_ENCR_AES)) == NULL,
		      "%s unsupported", v->name);
	ck_assert_uint_eq(pt.len, sizeof(out));
	memcpy(iv, iv0.p, blen);
	ck_assert_int_eq(ik_cbc_encrypt(v->encr, key.p, key.len, iv, pt.p, pt.len, out), 0);
	ck_bytes(out, pt.len, v->ct, v->name);
	ck_assert_int_eq(memcmp(iv, ct.p + ct.len - blen, blen), 0);
	/* decrypt in place: the IV becomes the last block of the input */
	memcpy(iv, iv0.p, blen);
	memcpy(out, ct.p, ct.len);
	ck_assert_int_eq(ik_cbc_decrypt(v->encr, key.p, key.len, iv, out, ct.len, out), 0);
	ck_assert_int_eq(memcmp(out, pt.p, pt.len), 0);
	ck_assert_int_eq(memcmp(iv, ct.p + ct.len - blen, blen), 0);
	/* chaining: two calls with the carried IV equal one call */
	half = 5 * blen;
	memcpy(iv, iv0.p, blen);
	ck_assert_int_eq(ik_cbc_encrypt(v->encr, key.p, key.len, iv, pt.p, half, out2), 0);
	ck_assert_int_eq(ik_cbc_encrypt(v->encr, key.p, key.len, iv, pt.p + half, pt.len - half,
					out2 + half),
			 0);
	ck_assert_int_eq(memcmp(out2, ct.p, ct.len), 0);
	memcpy(iv, iv0.p, blen);
	ck_assert_int_eq(ik_cbc_decrypt(v->encr, key.p, key.len, iv, ct.p, half, out2), 0);
	ck_assert_int_eq(ik_cbc_decrypt(v->encr, key.p, key.len, iv, ct.p + half, ct.len - half,
					out2 + half),
			 0);
	ck_assert_int_eq(memcmp(out2, pt.p, pt.len), 0);
	/* refusals: partial block, wrong key length */
	ck_assert_int_eq(ik_cbc_encrypt(v->encr, key.p, key.len, iv, pt.p, blen + 1, out), -1);
	ck_assert_int_eq(ik_cbc_decrypt(v->encr, key.p, key.len, iv, ct.p, blen - 1, out), -1);
	ck_assert_int_eq(ik_cbc_encrypt(v->encr, key.p, key.len - 1, iv, pt.p, blen, out), -1);
	bfree(&key);
	bfree(&iv0);
	bfree(&pt);
	bfree(&ct);
}
END_TEST

/* One cipher and one digest context per thread serve every call: calls that
 * change cipher, key, direction and digest one after the other still give
 * the known answers (nothing of one call leaks into the next). */
START_TEST(cbc_context_reuse)
{
	static const char sha1_abc[] = "a9993e364706816aba3e25717850c26c9cd0d89d";
	struct ik_iov abc[1] = { { "abc", 3 } };
	uint8_t iv[16], out[256], md[64];

	for (unsigned round = 0; round < 3; round++)
		for (size_t k = 0; k < NVEC(ikv_cbc); k++) {
			/* round 1 goes backwards: every cipher follows another one */
			const struct ikv_cbc *v = &ikv_cbc[round == 1 ? NVEC(ikv_cbc) - 1 - k : k];
			struct buf key = hexb(v->key), iv0 = hexb(v->iv), pt = hexb(v->pt),
				   ct = hexb(v->ct);
			size_t blen = ik_encr_block_len(v->encr);

			memcpy(iv, iv0.p, blen);
			ck_assert_int_eq(ik_cbc_decrypt(v->encr, key.p, key.len, iv, ct.p, ct.len,
							out), 0);
			ck_assert_int_eq(memcmp(out, pt.p, pt.len), 0);
			ck_assert_int_eq(ik_hash(IK_HASH_SHA1, abc, 1, md), 0);
			ck_bytes(md, 20, sha1_abc, "sha1(abc) between ciphers");
			memcpy(iv, iv0.p, blen);
			ck_assert_int_eq(ik_cbc_encrypt(v->encr, key.p, key.len, iv, pt.p, pt.len,
							out), 0);
			ck_bytes(out, pt.len, v->ct, v->name);
			/* a refused call in between changes nothing */
			ck_assert_int_eq(ik_cbc_encrypt(v->encr, key.p, key.len, iv, pt.p,
							blen + 1, out), -1);
			bfree(&key);
			bfree(&iv0);
			bfree(&pt);
			bfree(&ct);
		}
}
END_TEST

/* Without OpenSSL's legacy provider single DES is refused with the reason,
 * and everything else still works. Runs in its own forked process, before
 * anything there has loaded a provider. */
START_TEST(cbc_without_legacy_provider)
{
	const struct ikv_cbc *v = &ikv_cbc[1];
	struct buf key = hexb(v->key), iv = hexb(v->iv), pt = hexb(v->pt);
	uint8_t out[256], k8[8] = { 0 }, iv8[8] = { 0 };
	const char *why;

	ck_assert_int_eq(v->encr, IK_ENCR_3DES);
	ck_assert_int_eq(setenv("OPENSSL_MODULES", "/nonexistent/ossl-modules", 1), 0);
	why = ik_encr_unsupported(IK_ENCR_DES, 0);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, "legacy provider") != NULL, "reason: %s", why);
	ck_assert_int_eq(ik_cbc_encrypt(IK_ENCR_DES, k8, 8, iv8, pt.p, 8, out), -1);
	ck_assert_ptr_null(ik_encr_unsupported(IK_ENCR_3DES, 0));
	ck_assert_int_eq(ik_cbc_encrypt(v->encr, key.p, key.len, iv.p, pt.p, pt.len, out), 0);
	ck_bytes(out, pt.len, v->ct, "3des without the legacy provider");
	bfree(&key);
	bfree(&iv);
	bfree(&pt);
}
END_TEST

START_TEST(cbc_unsupported)
{
	ck_assert_ptr_null(ik_encr_unsupported(IK_ENCR_3DES, 0));
	ck_assert_ptr_null(ik_encr_unsupported(IK_ENCR_AES, 256));
	ck_assert_ptr_nonnull(ik_encr_unsupported(IK_ENCR_AES, 512));
	ck_assert_ptr_nonnull(ik_encr_unsupported(IK_ENCR_NONE, 0));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("crypto");
	TCase *dh = tcase_create("dh"), *kdf = tcase_create("kdf"), *cbc = tcase_create("cbc");
	SRunner *sr;
	int failed;

	if (ik_secmem_init())
		return 1;
	tcase_set_timeout(dh, 60);
	tcase_add_loop_test(dh, dh_known_answers, 0, (int)NVEC(ikv_dh));
	tcase_add_test(dh, dh_names_and_sizes);
	tcase_add_loop_test(dh, dh_modp_rejects, 0, 7);
	tcase_add_test(dh, dh_group24_subgroup);
	tcase_add_loop_test(dh, dh_ecp_rejects, 0, 3);
	tcase_add_test(dh, dh_x25519_rejects);
	tcase_add_loop_test(dh, dh_real_peers, 0, (int)NVEC(ikv_peer));
	tcase_add_loop_test(dh, dh_random_peers, 0, (int)NVEC(ikv_dh));
	tcase_add_test(dh, dh_threads);
	suite_add_tcase(s, dh);
	tcase_add_test(kdf, hash_lengths_and_abc);
	tcase_add_loop_test(kdf, v1_psk_known_answers, 0, (int)NVEC(ikv_v1));
	tcase_add_loop_test(kdf, v1_iv_msgid, 0, (int)NVEC(ikv_iv2));
	tcase_add_loop_test(kdf, v1_keymat, 0, (int)NVEC(ikv_keymat));
	tcase_add_test(kdf, esp_key_lengths);
	suite_add_tcase(s, kdf);
	tcase_add_loop_test(cbc, cbc_known_answers, 0, (int)NVEC(ikv_cbc));
	tcase_add_test(cbc, cbc_unsupported);
	tcase_add_test(cbc, cbc_context_reuse);
	suite_add_tcase(s, cbc);
	sr = srunner_create(s);
	/* needs a process of its own: the providers load once per process */
	if (srunner_fork_status(sr) != CK_NOFORK)
		tcase_add_test(cbc, cbc_without_legacy_provider);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
