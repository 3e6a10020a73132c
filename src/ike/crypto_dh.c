/* Diffie-Hellman for IKE: MODP groups 1, 2, 5, 14, 15, 16 (RFC 2409, 3526),
 * 24 (RFC 5114 2048-bit with a 256-bit subgroup), ECP groups 19, 20, 21
 * (RFC 5903) and X25519, group 31 (RFC 8031).
 *
 * MODP is plain BIGNUM arithmetic: one Montgomery context per group, built
 * once, then BN_mod_exp_mont_consttime with a short private exponent. The
 * peer's value is checked here (exact length, 1 < y < p-1; for group 24 also
 * y^q = 1 mod p as RFC 6989 asks for groups with small subgroups), which is
 * all that these groups need; no OpenSSL key object, hence none of its
 * full-length validation on every derive (perf-notes.md).
 *
 * Private values are made from caller-supplied random bytes
 * (ik_dh_rand_len):
 *   MODP 1, 2, 5, 14, 15, 16: the bytes are the exponent, big-endian, with
 *     the top bit forced to 1, so every exponent has exactly 8 * rand_len
 *     bits: 160 (groups 1, 2), 240 (5), 256 (14), 280 (15), 304 (16). Each is
 *     at least twice the group's strength estimate in RFC 3526 section 8;
 *     group 14 takes 256 rather than the bare 224 so that its private value
 *     is not weaker than the AES-128 keys it usually protects.
 *   MODP 24: 40 bytes r, x = (r mod (q - 1)) + 1, so 1 <= x < q.
 *   ECP: field size + 8 bytes r, d = (r mod (n - 1)) + 1 (FIPS 186-4 B.4.1).
 *   X25519: the 32 bytes as they are (clamped by the scalar multiplication).
 */
#include "ike/crypto.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <sodium.h>

#include "ike/crypto_int.h"
#include "util/mutant.h"

#define IK_DH_MAX_PUB 512 /* modp4096 */

enum ik_dh_kind { IK_DH_MODP, IK_DH_ECP, IK_DH_X25519 };

struct ik_dh_group {
	unsigned num;
	const char *name;
	enum ik_dh_kind kind;
	size_t plen;                /* modulus or field length, bytes */
	size_t rand_len;
	/* MODP */
	BIGNUM *(*p_get)(BIGNUM *); /* an RFC 2409/3526 prime from libcrypto */
	const uint8_t *p_bytes, *g_bytes, *q_bytes;
	size_t q_len;
	/* ECP */
	int nid;
	/* built once by ik_dh_setup */
	BIGNUM *p, *g, *q, *pm1;    /* pm1: p - 1 */
	BIGNUM *q_m1;               /* group 24: q - 1 */
	BN_MONT_CTX *mont;
	EC_GROUP *ec;
	BIGNUM *n_m1;               /* ECP: order - 1 */
	bool ready;
};

#define IK_DH_MAX_PRIV 66 /* P-521 order */

/* One block of secure memory (util/secmem.h: locked, wiped on free) holds the
 * private value and the public one. */
struct ik_dh {
	const struct ik_dh_group *grp;
	size_t priv_len;
	uint8_t priv[IK_DH_MAX_PRIV]; /* exponent or scalar, big-endian; X25519 raw */
	size_t pub_len;
	uint8_t pub[IK_DH_MAX_PUB];
};

/* The primes. Groups 1 and 2 (RFC 2409 section 6.1, 6.2) and 5, 14, 15, 16
 * (RFC 3526 sections 2-5), all with generator 2, come from libcrypto's copies
 * of those RFCs' primes; the known-answer tests rebuild each from its pi-based
 * definition. Group 24 (RFC 5114 section 2.3: p, g and the subgroup order q),
 * big-endian: */
static const uint8_t modp2048s256_p[256] = {
	0x87, 0xa8, 0xe6, 0x1d, 0xb4, 0xb6, 0x66, 0x3c, 0xff, 0xbb, 0xd1, 0x9c,
	0x65, 0x19, 0x59, 0x99, 0x8c, 0xee, 0xf6, 0x08, 0x66, 0x0d, 0xd0, 0xf2,
	0x5d, 0x2c, 0xee, 0xd4, 0x43, 0x5e, 0x3b, 0x00, 0xe0, 0x0d, 0xf8, 0xf1,
	0xd6, 0x19, 0x57, 0xd4, 0xfa, 0xf7, 0xdf, 0x45, 0x61, 0xb2, 0xaa, 0x30,
	0x16, 0xc3, 0xd9, 0x11, 0x34, 0x09, 0x6f, 0xaa, 0x3b, 0xf4, 0x29, 0x6d,
	0x83, 0x0e, 0x9a, 0x7c, 0x20, 0x9e, 0x0c, 0x64, 0x97, 0x51, 0x7a, 0xbd,
	0x5a, 0x8a, 0x9d, 0x30, 0x6b, 0xcf, 0x67, 0xed, 0x91, 0xf9, 0xe6, 0x72,
	0x5b, 0x47, 0x58, 0xc0, 0x22, 0xe0, 0xb1, 0xef, 0x42, 0x75, 0xbf, 0x7b,
	0x6c, 0x5b, 0xfc, 0x11, 0xd4, 0x5f, 0x90, 0x88, 0xb9, 0x41, 0xf5, 0x4e,
	0xb1, 0xe5, 0x9b, 0xb8, 0xbc, 0x39, 0xa0, 0xbf, 0x12, 0x30, 0x7f, 0x5c,
	0x4f, 0xdb, 0x70, 0xc5, 0x81, 0xb2, 0x3f, 0x76, 0xb6, 0x3a, 0xca, 0xe1,
	0xca, 0xa6, 0xb7, 0x90, 0x2d, 0x52, 0x52, 0x67, 0x35, 0x48, 0x8a, 0x0e,
	0xf1, 0x3c, 0x6d, 0x9a, 0x51, 0xbf, 0xa4, 0xab, 0x3a, 0xd8, 0x34, 0x77,
	0x96, 0x52, 0x4d, 0x8e, 0xf6, 0xa1, 0x67, 0xb5, 0xa4, 0x18, 0x25, 0xd9,
	0x67, 0xe1, 0x44, 0xe5, 0x14, 0x05, 0x64, 0x25, 0x1c, 0xca, 0xcb, 0x83,
	0xe6, 0xb4, 0x86, 0xf6, 0xb3, 0xca, 0x3f, 0x79, 0x71, 0x50, 0x60, 0x26,
	0xc0, 0xb8, 0x57, 0xf6, 0x89, 0x96, 0x28, 0x56, 0xde, 0xd4, 0x01, 0x0a,
	0xbd, 0x0b, 0xe6, 0x21, 0xc3, 0xa3, 0x96, 0x0a, 0x54, 0xe7, 0x10, 0xc3,
	0x75, 0xf2, 0x63, 0x75, 0xd7, 0x01, 0x41, 0x03, 0xa4, 0xb5, 0x43, 0x30,
	0xc1, 0x98, 0xaf, 0x12, 0x61, 0x16, 0xd2, 0x27, 0x6e, 0x11, 0x71, 0x5f,
	0x69, 0x38, 0x77, 0xfa, 0xd7, 0xef, 0x09, 0xca, 0xdb, 0x09, 0x4a, 0xe9,
	0x1e, 0x1a, 0x15, 0x97,
};

static const uint8_t modp2048s256_g[256] = {
	0x3f, 0xb3, 0x2c, 0x9b, 0x73, 0x13, 0x4d, 0x0b, 0x2e, 0x77, 0x50, 0x66,
	0x60, 0xed, 0xbd, 0x48, 0x4c, 0xa7, 0xb1, 0x8f, 0x21, 0xef, 0x20, 0x54,
	0x07, 0xf4, 0x79, 0x3a, 0x1a, 0x0b, 0xa1, 0x25, 0x10, 0xdb, 0xc1, 0x50,
	0x77, 0xbe, 0x46, 0x3f, 0xff, 0x4f, 0xed, 0x4a, 0xac, 0x0b, 0xb5, 0x55,
	0xbe, 0x3a, 0x6c, 0x1b, 0x0c, 0x6b, 0x47, 0xb1, 0xbc, 0x37, 0x73, 0xbf,
	0x7e, 0x8c, 0x6f, 0x62, 0x90, 0x12, 0x28, 0xf8, 0xc2, 0x8c, 0xbb, 0x18,
	0xa5, 0x5a, 0xe3, 0x13, 0x41, 0x00, 0x0a, 0x65, 0x01, 0x96, 0xf9, 0x31,
	0xc7, 0x7a, 0x57, 0xf2, 0xdd, 0xf4, 0x63, 0xe5, 0xe9, 0xec, 0x14, 0x4b,
	0x77, 0x7d, 0xe6, 0x2a, 0xaa, 0xb8, 0xa8, 0x62, 0x8a, 0xc3, 0x76, 0xd2,
	0x82, 0xd6, 0xed, 0x38, 0x64, 0xe6, 0x79, 0x82, 0x42, 0x8e, 0xbc, 0x83,
	0x1d, 0x14, 0x34, 0x8f, 0x6f, 0x2f, 0x91, 0x93, 0xb5, 0x04, 0x5a, 0xf2,
	0x76, 0x71, 0x64, 0xe1, 0xdf, 0xc9, 0x67, 0xc1, 0xfb, 0x3f, 0x2e, 0x55,
	0xa4, 0xbd, 0x1b, 0xff, 0xe8, 0x3b, 0x9c, 0x80, 0xd0, 0x52, 0xb9, 0x85,
	0xd1, 0x82, 0xea, 0x0a, 0xdb, 0x2a, 0x3b, 0x73, 0x13, 0xd3, 0xfe, 0x14,
	0xc8, 0x48, 0x4b, 0x1e, 0x05, 0x25, 0x88, 0xb9, 0xb7, 0xd2, 0xbb, 0xd2,
	0xdf, 0x01, 0x61, 0x99, 0xec, 0xd0, 0x6e, 0x15, 0x57, 0xcd, 0x09, 0x15,
	0xb3, 0x35, 0x3b, 0xbb, 0x64, 0xe0, 0xec, 0x37, 0x7f, 0xd0, 0x28, 0x37,
	0x0d, 0xf9, 0x2b, 0x52, 0xc7, 0x89, 0x14, 0x28, 0xcd, 0xc6, 0x7e, 0xb6,
	0x18, 0x4b, 0x52, 0x3d, 0x1d, 0xb2, 0x46, 0xc3, 0x2f, 0x63, 0x07, 0x84,
	0x90, 0xf0, 0x0e, 0xf8, 0xd6, 0x47, 0xd1, 0x48, 0xd4, 0x79, 0x54, 0x51,
	0x5e, 0x23, 0x27, 0xcf, 0xef, 0x98, 0xc5, 0x82, 0x66, 0x4b, 0x4c, 0x0f,
	0x6c, 0xc4, 0x16, 0x59,
};

static const uint8_t modp2048s256_q[32] = {
	0x8c, 0xf8, 0x36, 0x42, 0xa7, 0x09, 0xa0, 0x97, 0xb4, 0x47, 0x99, 0x76,
	0x40, 0x12, 0x9d, 0xa2, 0x99, 0xb1, 0xa4, 0x7d, 0x1e, 0xb3, 0x75, 0x0b,
	0xa3, 0x08, 0xb0, 0xfe, 0x64, 0xf5, 0xfb, 0xd3,
};

static const uint8_t modp_g2[1] = { 0x02 };

static struct ik_dh_group ik_dh_groups[] = {
	{ .num = 1, .name = "modp768", .kind = IK_DH_MODP, .plen = 96, .rand_len = 20,
	  .p_get = BN_get_rfc2409_prime_768, .g_bytes = modp_g2 },
	{ .num = 2, .name = "modp1024", .kind = IK_DH_MODP, .plen = 128, .rand_len = 20,
	  .p_get = BN_get_rfc2409_prime_1024, .g_bytes = modp_g2 },
	{ .num = 5, .name = "modp1536", .kind = IK_DH_MODP, .plen = 192, .rand_len = 30,
	  .p_get = BN_get_rfc3526_prime_1536, .g_bytes = modp_g2 },
	{ .num = 14, .name = "modp2048", .kind = IK_DH_MODP, .plen = 256, .rand_len = 32,
	  .p_get = BN_get_rfc3526_prime_2048, .g_bytes = modp_g2 },
	{ .num = 15, .name = "modp3072", .kind = IK_DH_MODP, .plen = 384, .rand_len = 35,
	  .p_get = BN_get_rfc3526_prime_3072, .g_bytes = modp_g2 },
	{ .num = 16, .name = "modp4096", .kind = IK_DH_MODP, .plen = 512, .rand_len = 38,
	  .p_get = BN_get_rfc3526_prime_4096, .g_bytes = modp_g2 },
	{ .num = 19, .name = "ecp256", .kind = IK_DH_ECP, .plen = 32, .rand_len = 40,
	  .nid = NID_X9_62_prime256v1 },
	{ .num = 20, .name = "ecp384", .kind = IK_DH_ECP, .plen = 48, .rand_len = 56,
	  .nid = NID_secp384r1 },
	{ .num = 21, .name = "ecp521", .kind = IK_DH_ECP, .plen = 66, .rand_len = 74,
	  .nid = NID_secp521r1 },
	{ .num = 24, .name = "modp2048s256", .kind = IK_DH_MODP, .plen = 256, .rand_len = 40,
	  .p_bytes = modp2048s256_p, .g_bytes = modp2048s256_g, .q_bytes = modp2048s256_q,
	  .q_len = sizeof(modp2048s256_q) },
	{ .num = 31, .name = "curve25519", .kind = IK_DH_X25519, .plen = 32, .rand_len = 32 },
};

#define IK_DH_NGROUPS (sizeof(ik_dh_groups) / sizeof(ik_dh_groups[0]))

static pthread_once_t ik_dh_once = PTHREAD_ONCE_INIT;

static bool ik_dh_setup_modp(struct ik_dh_group *gr, BN_CTX *ctx)
{
	size_t glen = gr->g_bytes == modp_g2 ? sizeof(modp_g2) : gr->plen;

	gr->p = gr->p_get ? gr->p_get(NULL) : BN_bin2bn(gr->p_bytes, (int)gr->plen, NULL);
	gr->g = BN_bin2bn(gr->g_bytes, (int)glen, NULL);
	gr->pm1 = BN_new();
	gr->mont = BN_MONT_CTX_new();
	if (!gr->p || !gr->g || !gr->pm1 || !gr->mont || (size_t)BN_num_bytes(gr->p) != gr->plen)
		return false;
	if (BN_sub(gr->pm1, gr->p, BN_value_one()) != 1)
		return false;
	if (BN_MONT_CTX_set(gr->mont, gr->p, ctx) != 1)
		return false;
	if (gr->q_bytes) {
		gr->q = BN_bin2bn(gr->q_bytes, (int)gr->q_len, NULL);
		gr->q_m1 = BN_new();
		if (!gr->q || !gr->q_m1 || BN_sub(gr->q_m1, gr->q, BN_value_one()) != 1)
			return false;
	}
	return true;
}

static bool ik_dh_setup_ecp(struct ik_dh_group *gr)
{
	const BIGNUM *n;

	gr->ec = EC_GROUP_new_by_curve_name(gr->nid);
	if (!gr->ec)
		return false;
	if ((size_t)(EC_GROUP_get_degree(gr->ec) + 7) / 8 != gr->plen)
		return false;
	n = EC_GROUP_get0_order(gr->ec);
	gr->n_m1 = BN_dup(n);
	if (!gr->n_m1 || BN_sub_word(gr->n_m1, 1) != 1)
		return false;
	return true;
}

static void ik_dh_setup(void)
{
	BN_CTX *ctx;

	ik_crypto_setup();
	/* key pairs live in libsodium's secure memory: nothing works without it */
	if (sodium_init() < 0)
		return;
	ctx = BN_CTX_new();
	if (!ctx)
		return;
	for (size_t i = 0; i < IK_DH_NGROUPS; i++) {
		struct ik_dh_group *gr = &ik_dh_groups[i];

		switch (gr->kind) {
		case IK_DH_MODP:
			gr->ready = ik_dh_setup_modp(gr, ctx);
			break;
		case IK_DH_ECP:
			gr->ready = ik_dh_setup_ecp(gr);
			break;
		case IK_DH_X25519:
			gr->ready = true;
			break;
		}
	}
	BN_CTX_free(ctx);
}

static const struct ik_dh_group *ik_dh_group_find(unsigned group)
{
	for (size_t i = 0; i < IK_DH_NGROUPS; i++)
		if (ik_dh_groups[i].num == group)
			return &ik_dh_groups[i];
	return NULL;
}

/* The group when it is known and its tables were built, else NULL. */
static const struct ik_dh_group *ik_dh_group_get(unsigned group)
{
	const struct ik_dh_group *gr = ik_dh_group_find(group);

	if (!gr)
		return NULL;
	pthread_once(&ik_dh_once, ik_dh_setup);
	return gr->ready ? gr : NULL;
}

bool ik_dh_supported(unsigned group)
{
	return ik_dh_group_get(group) != NULL;
}

const char *ik_dh_name(unsigned group)
{
	const struct ik_dh_group *gr = ik_dh_group_find(group);

	return gr ? gr->name : "unknown";
}

size_t ik_dh_public_len(unsigned group)
{
	const struct ik_dh_group *gr = ik_dh_group_get(group);

	if (!gr)
		return 0;
	return gr->kind == IK_DH_ECP ? 2 * gr->plen : gr->plen;
}

size_t ik_dh_rand_len(unsigned group)
{
	const struct ik_dh_group *gr = ik_dh_group_get(group);

	return gr ? gr->rand_len : 0;
}

/* x = r mod m + 1, big-endian, left-padded to out_len bytes. */
static int ik_dh_reduce(const uint8_t *r, size_t rlen, const BIGNUM *m, uint8_t *out,
			size_t out_len, BN_CTX *ctx)
{
	BIGNUM *a, *x;
	int rc = -1;

	BN_CTX_start(ctx);
	a = BN_CTX_get(ctx);
	x = BN_CTX_get(ctx);
	if (!x)
		goto done;
	BN_set_flags(a, BN_FLG_CONSTTIME);
	BN_set_flags(x, BN_FLG_CONSTTIME);
	if (!BN_bin2bn(r, (int)rlen, a) || BN_nnmod(x, a, m, ctx) != 1 ||
	    BN_add_word(x, 1) != 1)
		goto done;
	if (BN_bn2binpad(x, out, (int)out_len) != (int)out_len)
		goto done;
	rc = 0;
done:
	BN_CTX_end(ctx); /* the pool clears what it handed out when freed */
	return rc;
}

static int ik_dh_new_modp(struct ik_dh *dh, const uint8_t *rand, size_t rand_len,
			  BN_CTX *ctx)
{
	const struct ik_dh_group *gr = dh->grp;
	BIGNUM *x, *y;
	int rc = -1;

	if (gr->q) {
		dh->priv_len = gr->q_len;
		if (ik_dh_reduce(rand, rand_len, gr->q_m1, dh->priv, dh->priv_len, ctx) != 0)
			return -1;
	} else {
		dh->priv_len = rand_len;
		memcpy(dh->priv, rand, rand_len);
		dh->priv[0] |= 0x80;
	}
	BN_CTX_start(ctx);
	x = BN_CTX_get(ctx);
	y = BN_CTX_get(ctx);
	if (!y)
		goto done;
	BN_set_flags(x, BN_FLG_CONSTTIME);
	if (!BN_bin2bn(dh->priv, (int)dh->priv_len, x))
		goto done;
	if (BN_mod_exp_mont_consttime(y, gr->g, x, gr->p, ctx, gr->mont) != 1)
		goto done;
	dh->pub_len = gr->plen;
	if (BN_bn2binpad(y, dh->pub, (int)gr->plen) != (int)gr->plen)
		goto done;
	rc = 0;
done:
	BN_CTX_end(ctx);
	return rc;
}

static int ik_dh_new_ecp(struct ik_dh *dh, const uint8_t *rand, size_t rand_len,
			 BN_CTX *ctx)
{
	const struct ik_dh_group *gr = dh->grp;
	uint8_t oct[1 + 2 * 66];
	size_t olen = 1 + 2 * gr->plen;
	size_t nlen = (size_t)BN_num_bytes(EC_GROUP_get0_order(gr->ec));
	EC_POINT *pt = NULL;
	BIGNUM *d;
	int rc = -1;

	if (nlen > sizeof(dh->priv))
		return -1;
	dh->priv_len = nlen;
	if (ik_dh_reduce(rand, rand_len, gr->n_m1, dh->priv, nlen, ctx) != 0)
		return -1;
	BN_CTX_start(ctx);
	d = BN_CTX_get(ctx);
	pt = EC_POINT_new(gr->ec);
	if (!d || !pt)
		goto done;
	BN_set_flags(d, BN_FLG_CONSTTIME);
	if (!BN_bin2bn(dh->priv, (int)dh->priv_len, d))
		goto done;
	if (EC_POINT_mul(gr->ec, pt, d, NULL, NULL, ctx) != 1)
		goto done;
	if (EC_POINT_point2oct(gr->ec, pt, POINT_CONVERSION_UNCOMPRESSED, oct, olen, ctx) !=
	    olen)
		goto done;
	dh->pub_len = 2 * gr->plen;
	memcpy(dh->pub, oct + 1, dh->pub_len);
	rc = 0;
done:
	EC_POINT_free(pt);
	BN_CTX_end(ctx);
	return rc;
}

struct ik_dh *ik_dh_new(unsigned group, const uint8_t *rand, size_t rand_len)
{
	const struct ik_dh_group *gr = ik_dh_group_get(group);
	struct ik_dh *dh;
	BN_CTX *ctx = NULL;
	int rc = -1;

	if (!gr || !rand || rand_len != gr->rand_len)
		return NULL;
	dh = ik_secmem_alloc(sizeof(*dh)); /* zeroed */
	if (!dh)
		return NULL;
	dh->grp = gr;
	if (gr->kind == IK_DH_X25519) {
		dh->priv_len = rand_len;
		memcpy(dh->priv, rand, rand_len);
		dh->pub_len = crypto_scalarmult_BYTES;
		if (crypto_scalarmult_base(dh->pub, dh->priv) == 0)
			rc = 0;
		goto done;
	}
	ctx = BN_CTX_new();
	if (!ctx)
		goto done;
	if (gr->kind == IK_DH_MODP)
		rc = ik_dh_new_modp(dh, rand, rand_len, ctx);
	else
		rc = ik_dh_new_ecp(dh, rand, rand_len, ctx);
done:
	BN_CTX_free(ctx);
	if (rc != 0) {
		ik_dh_free(dh);
		return NULL;
	}
	return dh;
}

void ik_dh_free(struct ik_dh *dh)
{
	if (!dh)
		return;
	ik_secmem_free(dh, sizeof(*dh)); /* wipes */
}

const uint8_t *ik_dh_public(const struct ik_dh *dh, size_t *len)
{
	if (len)
		*len = dh ? dh->pub_len : 0;
	return dh ? dh->pub : NULL;
}

static struct ik_secret *ik_dh_derive_modp(const struct ik_dh *dh, const uint8_t *peer,
					   size_t len, char *why, size_t whylen, BN_CTX *ctx)
{
	const struct ik_dh_group *gr = dh->grp;
	struct ik_secret *s = NULL;
	BIGNUM *y, *x, *z;

	BN_CTX_start(ctx);
	y = BN_CTX_get(ctx);
	x = BN_CTX_get(ctx);
	z = BN_CTX_get(ctx);
	if (!z || !BN_bin2bn(peer, (int)len, y)) {
		snprintf(why, whylen, "out of memory");
		goto done;
	}
	if ((BN_cmp(y, BN_value_one()) <= 0 || BN_cmp(y, gr->pm1) >= 0) &&
	    !IK_MUTANT(IK_MUT_DH_RANGE)) {
		snprintf(why, whylen, "public value out of range (y <= 1 or y >= p-1)");
		goto done;
	}
	if (gr->q) {
		/* RFC 6989 section 2.2: the value must lie in the order-q subgroup */
		if (BN_mod_exp_mont(z, y, gr->q, gr->p, ctx, gr->mont) != 1) {
			snprintf(why, whylen, "subgroup check failed");
			goto done;
		}
		if (!BN_is_one(z)) {
			snprintf(why, whylen, "public value not in the order-q subgroup (y^q != 1)");
			goto done;
		}
	}
	BN_set_flags(x, BN_FLG_CONSTTIME);
	if (!BN_bin2bn(dh->priv, (int)dh->priv_len, x) ||
	    BN_mod_exp_mont_consttime(z, y, x, gr->p, ctx, gr->mont) != 1) {
		snprintf(why, whylen, "modular exponentiation failed");
		goto done;
	}
	s = ik_secret_alloc(gr->plen);
	if (!s) {
		snprintf(why, whylen, "out of secure memory");
		goto done;
	}
	if (BN_bn2binpad(z, s->p, (int)gr->plen) != (int)gr->plen) {
		snprintf(why, whylen, "shared secret longer than the modulus");
		ik_secret_free(s);
		s = NULL;
	}
done:
	BN_CTX_end(ctx);
	return s;
}

static struct ik_secret *ik_dh_derive_ecp(const struct ik_dh *dh, const uint8_t *peer,
					  size_t len, char *why, size_t whylen, BN_CTX *ctx)
{
	const struct ik_dh_group *gr = dh->grp;
	struct ik_secret *s = NULL;
	uint8_t oct[1 + 2 * 66];
	EC_POINT *q = NULL, *r = NULL;
	BIGNUM *d, *x;

	BN_CTX_start(ctx);
	d = BN_CTX_get(ctx);
	x = BN_CTX_get(ctx);
	q = EC_POINT_new(gr->ec);
	r = EC_POINT_new(gr->ec);
	if (!x || !q || !r) {
		snprintf(why, whylen, "out of memory");
		goto done;
	}
	oct[0] = POINT_CONVERSION_UNCOMPRESSED;
	memcpy(oct + 1, peer, len);
	/* oct2point refuses coordinates >= the field prime and points off the curve */
	if (EC_POINT_oct2point(gr->ec, q, oct, 1 + len, ctx) != 1 ||
	    EC_POINT_is_on_curve(gr->ec, q, ctx) != 1) {
		ERR_clear_error(); /* an expected refusal, not an OpenSSL fault */
		snprintf(why, whylen, "point not on curve");
		goto done;
	}
	if (EC_POINT_is_at_infinity(gr->ec, q) != 0) {
		snprintf(why, whylen, "point at infinity");
		goto done;
	}
	BN_set_flags(d, BN_FLG_CONSTTIME);
	if (!BN_bin2bn(dh->priv, (int)dh->priv_len, d) ||
	    EC_POINT_mul(gr->ec, r, NULL, q, d, ctx) != 1) {
		snprintf(why, whylen, "point multiplication failed");
		goto done;
	}
	if (EC_POINT_is_at_infinity(gr->ec, r) != 0) {
		snprintf(why, whylen, "shared point at infinity");
		goto done;
	}
	if (EC_POINT_get_affine_coordinates(gr->ec, r, x, NULL, ctx) != 1) {
		snprintf(why, whylen, "point conversion failed");
		goto done;
	}
	s = ik_secret_alloc(gr->plen);
	if (!s) {
		snprintf(why, whylen, "out of secure memory");
		goto done;
	}
	if (BN_bn2binpad(x, s->p, (int)gr->plen) != (int)gr->plen) {
		snprintf(why, whylen, "x coordinate longer than the field");
		ik_secret_free(s);
		s = NULL;
	}
done:
	EC_POINT_free(q);
	EC_POINT_clear_free(r);
	BN_CTX_end(ctx);
	return s;
}

struct ik_secret *ik_dh_derive(struct ik_dh *dh, const uint8_t *peer, size_t len,
			       char *why, size_t whylen)
{
	const struct ik_dh_group *gr;
	struct ik_secret *s = NULL;
	char dummy[1];
	size_t want;
	BN_CTX *ctx;

	if (!why || whylen == 0) {
		why = dummy;
		whylen = sizeof(dummy);
	}
	why[0] = '\0';
	if (!dh || !dh->priv_len) {
		snprintf(why, whylen, "no DH key pair");
		return NULL;
	}
	gr = dh->grp;
	want = gr->kind == IK_DH_ECP ? 2 * gr->plen : gr->plen;
	if (!peer || len != want) {
		snprintf(why, whylen, "KE length %zu != %zu for group %u", peer ? len : 0,
			 want, gr->num);
		return NULL;
	}
	if (gr->kind == IK_DH_X25519) {
		s = ik_secret_alloc(crypto_scalarmult_BYTES);
		if (!s) {
			snprintf(why, whylen, "out of secure memory");
			return NULL;
		}
		/* libsodium refuses an all-zero result (a low-order peer point) */
		if (crypto_scalarmult(s->p, dh->priv, peer) != 0) {
			snprintf(why, whylen, "X25519 shared secret is all zero (low-order point)");
			ik_secret_free(s);
			return NULL;
		}
		return s;
	}
	ctx = BN_CTX_new();
	if (!ctx) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	if (gr->kind == IK_DH_MODP)
		s = ik_dh_derive_modp(dh, peer, len, why, whylen, ctx);
	else
		s = ik_dh_derive_ecp(dh, peer, len, why, whylen, ctx);
	BN_CTX_free(ctx);
	return s;
}
