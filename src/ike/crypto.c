/* Hash, PRF (HMAC), phase-1 CBC ciphers and the IKEv1 key derivation of
 * RFC 2409 (section 5, 5.5 and appendix B).
 *
 * The OpenSSL objects (digests, the HMAC implementation, ciphers) are fetched
 * once per process under pthread_once and then only read; the contexts the
 * calls use are per thread and made once (struct ik_crypto_tls), so every
 * function here may run in several threads at once. Single DES lives in OpenSSL 3's
 * legacy provider: it is loaded next to the default provider; when it cannot
 * be loaded, des is reported unsupported by ik_encr_unsupported().
 */
#include "ike/crypto.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include "ike/crypto_int.h"
#include "util/util.h"

#define IK_HASH_MAX 64 /* sha512 */

enum { IK_CBC_DES, IK_CBC_3DES, IK_CBC_AES128, IK_CBC_AES192, IK_CBC_AES256, IK_CBC_N };

static const char *const ik_md_names[] = {
	[IK_HASH_MD5] = "MD5", [IK_HASH_SHA1] = "SHA1", [IK_HASH_SHA256] = "SHA2-256",
	[IK_HASH_SHA384] = "SHA2-384", [IK_HASH_SHA512] = "SHA2-512",
};
static const char *const ik_cbc_names[IK_CBC_N] = {
	[IK_CBC_DES] = "DES-CBC", [IK_CBC_3DES] = "DES-EDE3-CBC",
	[IK_CBC_AES128] = "AES-128-CBC", [IK_CBC_AES192] = "AES-192-CBC",
	[IK_CBC_AES256] = "AES-256-CBC",
};

static pthread_once_t ik_crypto_once = PTHREAD_ONCE_INIT;
static OSSL_PROVIDER *ik_prov_default, *ik_prov_legacy;
static EVP_MD *ik_md[IK_HASH_SHA512 + 1];
static EVP_MAC *ik_hmac;
/* one HMAC context per digest with the digest already set; each PRF call
 * duplicates it instead of looking the digest up by name again */
static EVP_MAC_CTX *ik_hmac_tmpl[IK_HASH_SHA512 + 1];
static EVP_CIPHER *ik_cbc[IK_CBC_N];

static void ik_crypto_setup_once(void)
{
	/* loading any provider explicitly turns off the implicit default one */
	ik_prov_default = OSSL_PROVIDER_load(NULL, "default");
	ik_prov_legacy = OSSL_PROVIDER_load(NULL, "legacy");
	for (int h = IK_HASH_MD5; h <= IK_HASH_SHA512; h++)
		ik_md[h] = EVP_MD_fetch(NULL, ik_md_names[h], NULL);
	ik_hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	for (int h = IK_HASH_MD5; h <= IK_HASH_SHA512 && ik_hmac; h++) {
		OSSL_PARAM params[2];
		EVP_MAC_CTX *c = EVP_MAC_CTX_new(ik_hmac);

		params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
							     (char *)(uintptr_t)ik_md_names[h], 0);
		params[1] = OSSL_PARAM_construct_end();
		if (c && EVP_MAC_CTX_set_params(c, params) == 1) {
			ik_hmac_tmpl[h] = c;
		} else {
			EVP_MAC_CTX_free(c);
		}
	}
	for (int i = 0; i < IK_CBC_N; i++)
		ik_cbc[i] = EVP_CIPHER_fetch(NULL, ik_cbc_names[i], NULL);
	/* what failed here (a missing legacy provider) is reported per cipher by
	 * ik_encr_unsupported(); leave no stale entries in this thread's queue */
	ERR_clear_error();
}

/* Per thread, the contexts every call reuses: one HMAC context per digest,
 * made once from the template and re-keyed at each call, one digest context
 * and one cipher context: OpenSSL 3 would otherwise allocate and free a
 * context (and its provider state) per call. Freed when the thread ends. */
struct ik_crypto_tls {
	EVP_MAC_CTX *hmac[IK_HASH_SHA512 + 1];
	EVP_MD_CTX *md;
	EVP_CIPHER_CTX *cipher;
};

static pthread_key_t ik_crypto_tls_key;

static void ik_crypto_tls_free(void *p)
{
	struct ik_crypto_tls *t = p;

	for (int h = 0; h <= IK_HASH_SHA512; h++)
		EVP_MAC_CTX_free(t->hmac[h]);
	EVP_MD_CTX_free(t->md);
	EVP_CIPHER_CTX_free(t->cipher);
	free(t);
}

static void ik_crypto_setup_all(void)
{
	ik_crypto_setup_once();
	if (pthread_key_create(&ik_crypto_tls_key, ik_crypto_tls_free) != 0)
		abort(); /* no thread-specific data at start: nothing can work */
}

void ik_crypto_setup(void)
{
	pthread_once(&ik_crypto_once, ik_crypto_setup_all);
}

void ik_crypto_prepare(void)
{
	ik_crypto_setup();
	/* builds every Diffie-Hellman group's tables */
	(void)ik_dh_supported(2);
}

static struct ik_crypto_tls *ik_crypto_tls(void)
{
	struct ik_crypto_tls *t;

	ik_crypto_setup();
	t = pthread_getspecific(ik_crypto_tls_key);
	if (!t) {
		t = calloc(1, sizeof(*t));
		if (!t || pthread_setspecific(ik_crypto_tls_key, t) != 0) {
			free(t);
			return NULL;
		}
	}
	return t;
}

static EVP_MAC_CTX *ik_hmac_ctx(enum ik_hash h)
{
	struct ik_crypto_tls *t = ik_crypto_tls();

	if (!t)
		return NULL;
	if (!t->hmac[h])
		t->hmac[h] = EVP_MAC_CTX_dup(ik_hmac_tmpl[h]);
	return t->hmac[h];
}

EVP_CIPHER_CTX *ik_crypto_cipher_init(const EVP_CIPHER *c, const uint8_t *key,
				      const uint8_t *iv, int enc)
{
	struct ik_crypto_tls *t = ik_crypto_tls();

	if (!t || !c)
		return NULL;
	if (!t->cipher && !(t->cipher = EVP_CIPHER_CTX_new()))
		return NULL;
	/* the same cipher as last time: its provider state is re-keyed in
	 * place (a NULL cipher keeps it), instead of freed and made again */
	if (EVP_CipherInit_ex2(t->cipher, EVP_CIPHER_CTX_get0_cipher(t->cipher) == c ? NULL : c,
			       key, iv, enc, NULL) != 1) {
		EVP_CIPHER_CTX_reset(t->cipher);
		return NULL;
	}
	return t->cipher;
}

void ik_crypto_cipher_fail(EVP_CIPHER_CTX *ctx)
{
	/* a call that stopped half-way: the next one starts from a clean context */
	EVP_CIPHER_CTX_reset(ctx);
}

/* ---- hash and PRF ---- */

static const EVP_MD *ik_md_get(enum ik_hash h)
{
	if (h < IK_HASH_MD5 || h > IK_HASH_SHA512)
		return NULL;
	ik_crypto_setup();
	return ik_md[h];
}

size_t ik_hash_len(enum ik_hash h)
{
	switch (h) {
	case IK_HASH_MD5:
		return 16;
	case IK_HASH_SHA1:
		return 20;
	case IK_HASH_SHA256:
		return 32;
	case IK_HASH_SHA384:
		return 48;
	case IK_HASH_SHA512:
		return 64;
	case IK_HASH_NONE:
		break;
	}
	return 0;
}

int ik_hash(enum ik_hash h, const struct ik_iov *iov, size_t n, uint8_t *out)
{
	const EVP_MD *md = ik_md_get(h);
	struct ik_crypto_tls *t;
	EVP_MD_CTX *ctx;
	unsigned int olen = 0;
	int rc = -1;

	if (!md || !out || (n && !iov))
		return -1;
	t = ik_crypto_tls();
	if (!t || (!t->md && !(t->md = EVP_MD_CTX_new())))
		return -1;
	ctx = t->md;
	if (EVP_DigestInit_ex(ctx, md, NULL) != 1)
		goto done;
	for (size_t i = 0; i < n; i++)
		if (iov[i].len && EVP_DigestUpdate(ctx, iov[i].p, iov[i].len) != 1)
			goto done;
	if (EVP_DigestFinal_ex(ctx, out, &olen) != 1 || olen != ik_hash_len(h))
		goto done;
	rc = 0;
done:
	if (rc)
		EVP_MD_CTX_reset(ctx);
	return rc;
}

int ik_prf(enum ik_hash h, const uint8_t *key, size_t klen,
	   const struct ik_iov *iov, size_t n, uint8_t *out)
{
	static const uint8_t nokey[1];
	EVP_MAC_CTX *ctx;
	size_t olen = 0, hlen = ik_hash_len(h);
	int rc = -1;

	if (!ik_md_get(h) || !ik_hmac_tmpl[h] || !out || (n && !iov) || (klen && !key))
		return -1;
	ctx = ik_hmac_ctx(h);
	if (!ctx)
		return -1;
	/* an empty key is a valid HMAC key; OpenSSL wants a non-NULL pointer */
	if (EVP_MAC_init(ctx, klen ? key : nokey, klen, NULL) != 1)
		goto done;
	for (size_t i = 0; i < n; i++)
		if (iov[i].len && EVP_MAC_update(ctx, iov[i].p, iov[i].len) != 1)
			goto done;
	if (EVP_MAC_final(ctx, out, &olen, hlen) != 1 || olen != hlen)
		goto done;
	rc = 0;
done:
	/* leave no keyed state behind in the reused context */
	if (EVP_MAC_init(ctx, nokey, 0, NULL) != 1)
		rc = -1;
	return rc;
}

/* ---- phase-1 ciphers ---- */

size_t ik_encr_block_len(enum ik_encr e)
{
	switch (e) {
	case IK_ENCR_DES:
	case IK_ENCR_3DES:
		return 8;
	case IK_ENCR_AES:
		return 16;
	case IK_ENCR_NONE:
		break;
	}
	return 0;
}

size_t ik_encr_key_len(enum ik_encr e, unsigned keylen_bits)
{
	switch (e) {
	case IK_ENCR_DES:
		return 8;
	case IK_ENCR_3DES:
		return 24;
	case IK_ENCR_AES:
		if (keylen_bits == 0)
			return 16; /* IOS: "encryption aes" is aes 128 */
		if (keylen_bits == 128 || keylen_bits == 192 || keylen_bits == 256)
			return keylen_bits / 8;
		return 0;
	case IK_ENCR_NONE:
		break;
	}
	return 0;
}

/* The cipher for (e, key length in bytes), or NULL. */
static const EVP_CIPHER *ik_cbc_get(enum ik_encr e, size_t klen)
{
	int i;

	switch (e) {
	case IK_ENCR_DES:
		if (klen != 8)
			return NULL;
		i = IK_CBC_DES;
		break;
	case IK_ENCR_3DES:
		if (klen != 24)
			return NULL;
		i = IK_CBC_3DES;
		break;
	case IK_ENCR_AES:
		if (klen == 16)
			i = IK_CBC_AES128;
		else if (klen == 24)
			i = IK_CBC_AES192;
		else if (klen == 32)
			i = IK_CBC_AES256;
		else
			return NULL;
		break;
	default:
		return NULL;
	}
	ik_crypto_setup();
	return ik_cbc[i];
}

const char *ik_encr_unsupported(enum ik_encr e, unsigned keylen_bits)
{
	size_t klen = ik_encr_key_len(e, keylen_bits);

	if (klen == 0)
		return "unknown cipher or key length";
	if (ik_cbc_get(e, klen))
		return NULL;
	if (e == IK_ENCR_DES)
		return "des-cbc needs the OpenSSL legacy provider, which could not be loaded";
	return "cipher not available in OpenSSL";
}

static int ik_cbc_run(enum ik_encr e, const uint8_t *key, size_t klen, uint8_t *iv,
		      const uint8_t *in, size_t len, uint8_t *out, int enc)
{
	const EVP_CIPHER *c = ik_cbc_get(e, klen);
	size_t blen = ik_encr_block_len(e);
	uint8_t next_iv[16];
	EVP_CIPHER_CTX *ctx;
	int olen = 0, flen = 0, rc = -1;

	if (!c || !key || !iv || (len && (!in || !out)) || blen == 0 || len % blen != 0 ||
	    len > (size_t)INT32_MAX)
		return -1;
	if (len == 0)
		return 0;
	/* decrypting in place would overwrite the last ciphertext block */
	if (!enc)
		memcpy(next_iv, in + len - blen, blen);
	ctx = ik_crypto_cipher_init(c, key, iv, enc);
	if (!ctx)
		return -1;
	if (EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 ||
	    EVP_CipherUpdate(ctx, out, &olen, in, (int)len) != 1 ||
	    EVP_CipherFinal_ex(ctx, out + olen, &flen) != 1 ||
	    (size_t)olen + (size_t)flen != len)
		goto done;
	memcpy(iv, enc ? out + len - blen : next_iv, blen);
	rc = 0;
done:
	if (rc)
		ik_crypto_cipher_fail(ctx);
	return rc;
}

int ik_cbc_encrypt(enum ik_encr e, const uint8_t *key, size_t klen, uint8_t *iv,
		   const uint8_t *in, size_t len, uint8_t *out)
{
	return ik_cbc_run(e, key, klen, iv, in, len, out, 1);
}

int ik_cbc_decrypt(enum ik_encr e, const uint8_t *key, size_t klen, uint8_t *iv,
		   const uint8_t *in, size_t len, uint8_t *out)
{
	return ik_cbc_run(e, key, klen, iv, in, len, out, 0);
}

/* ---- IKEv1 key derivation ---- */

/* prf(key, iov...) into a new secret of the PRF's length. */
static struct ik_secret *ik_prf_secret(enum ik_hash h, const struct ik_secret *key,
				       const struct ik_iov *iov, size_t n)
{
	struct ik_secret *s = ik_secret_alloc(ik_hash_len(h));

	if (!s)
		return NULL;
	if (ik_prf(h, key->p, key->len, iov, n, s->p) != 0) {
		ik_secret_free(s);
		return NULL;
	}
	return s;
}

/* RFC 2409 appendix B: the cipher key is SKEYID_e itself when long enough,
 * else K1 | K2 | ... with K1 = prf(SKEYID_e, 0), Kn+1 = prf(SKEYID_e, Kn). */
static struct ik_secret *ik_v1_enc_key(enum ik_hash h, const struct ik_secret *skeyid_e,
				       size_t klen)
{
	static const uint8_t zero[1] = { 0 };
	size_t hlen = ik_hash_len(h), have = 0;
	struct ik_secret *key;
	uint8_t k[IK_HASH_MAX];
	struct ik_iov iov;

	key = ik_secret_alloc(klen);
	if (!key)
		return NULL;
	if (skeyid_e->len >= klen) {
		memcpy(key->p, skeyid_e->p, klen);
		return key;
	}
	iov.p = zero;
	iov.len = sizeof(zero);
	while (have < klen) {
		size_t take = klen - have < hlen ? klen - have : hlen;

		if (ik_prf(h, skeyid_e->p, skeyid_e->len, &iov, 1, k) != 0) {
			ik_wipe(k, sizeof(k));
			ik_secret_free(key);
			return NULL;
		}
		memcpy(key->p + have, k, take);
		have += take;
		iov.p = k;
		iov.len = hlen;
	}
	ik_wipe(k, sizeof(k));
	return key;
}

int ik_v1_derive_psk(enum ik_hash h, enum ik_encr e, unsigned keylen_bits,
		     const struct ik_secret *psk,
		     const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		     const struct ik_secret *gxy,
		     const uint8_t *gxi, size_t gxi_len, const uint8_t *gxr, size_t gxr_len,
		     const uint8_t cky_i[8], const uint8_t cky_r[8],
		     struct ik_v1_keys *out)
{
	static const uint8_t c0[1] = { 0 }, c1[1] = { 1 }, c2[1] = { 2 };
	size_t klen = ik_encr_key_len(e, keylen_bits);
	size_t blen = ik_encr_block_len(e);
	uint8_t ivh[IK_HASH_MAX];
	struct ik_iov iov[5];

	if (!out)
		return -1;
	memset(out, 0, sizeof(*out));
	if (ik_hash_len(h) == 0 || klen == 0 || blen == 0 || blen > ik_hash_len(h) ||
	    !ni || !nr || !gxy || !gxi || !gxr || !cky_i || !cky_r)
		return -1;

	if (psk) {
		/* SKEYID = prf(pre-shared-key, Ni_b | Nr_b) */
		iov[0] = (struct ik_iov){ ni, ni_len };
		iov[1] = (struct ik_iov){ nr, nr_len };
		if (!(out->skeyid = ik_prf_secret(h, psk, iov, 2)))
			goto fail;
	} else {
		/* signatures (RFC 2409 5.1): SKEYID = prf(Ni_b | Nr_b, g^xy) */
		struct ik_secret *nn = ik_secret_alloc(ni_len + nr_len);

		if (!nn)
			goto fail;
		memcpy(nn->p, ni, ni_len);
		memcpy(nn->p + ni_len, nr, nr_len);
		iov[0] = (struct ik_iov){ gxy->p, gxy->len };
		out->skeyid = ik_prf_secret(h, nn, iov, 1);
		ik_secret_free(nn);
		if (!out->skeyid)
			goto fail;
	}
	/* SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0) */
	iov[0] = (struct ik_iov){ gxy->p, gxy->len };
	iov[1] = (struct ik_iov){ cky_i, 8 };
	iov[2] = (struct ik_iov){ cky_r, 8 };
	iov[3] = (struct ik_iov){ c0, 1 };
	if (!(out->skeyid_d = ik_prf_secret(h, out->skeyid, iov, 4)))
		goto fail;
	/* SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1) */
	iov[0] = (struct ik_iov){ out->skeyid_d->p, out->skeyid_d->len };
	iov[1] = (struct ik_iov){ gxy->p, gxy->len };
	iov[2] = (struct ik_iov){ cky_i, 8 };
	iov[3] = (struct ik_iov){ cky_r, 8 };
	iov[4] = (struct ik_iov){ c1, 1 };
	if (!(out->skeyid_a = ik_prf_secret(h, out->skeyid, iov, 5)))
		goto fail;
	/* SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2) */
	iov[0] = (struct ik_iov){ out->skeyid_a->p, out->skeyid_a->len };
	iov[4] = (struct ik_iov){ c2, 1 };
	if (!(out->skeyid_e = ik_prf_secret(h, out->skeyid, iov, 5)))
		goto fail;
	if (!(out->enc_key = ik_v1_enc_key(h, out->skeyid_e, klen)))
		goto fail;
	/* first IV = hash(g^xi | g^xr), truncated to the block length */
	iov[0] = (struct ik_iov){ gxi, gxi_len };
	iov[1] = (struct ik_iov){ gxr, gxr_len };
	if (ik_hash(h, iov, 2, ivh) != 0)
		goto fail;
	memcpy(out->iv, ivh, blen);
	out->iv_len = blen;
	return 0;
fail:
	ik_v1_keys_free(out);
	return -1;
}

void ik_v1_keys_free(struct ik_v1_keys *k)
{
	if (!k)
		return;
	ik_secret_free(k->skeyid);
	ik_secret_free(k->skeyid_d);
	ik_secret_free(k->skeyid_a);
	ik_secret_free(k->skeyid_e);
	ik_secret_free(k->enc_key);
	ik_wipe(k, sizeof(*k));
}

int ik_v1_iv_msgid(enum ik_hash h, const uint8_t *p1_last_block, size_t blen,
		   uint32_t msgid, uint8_t *out)
{
	uint8_t mid[4], dig[IK_HASH_MAX];
	struct ik_iov iov[2];

	if (!p1_last_block || !out || blen == 0 || blen > ik_hash_len(h))
		return -1;
	ik_put32(mid, msgid);
	iov[0] = (struct ik_iov){ p1_last_block, blen };
	iov[1] = (struct ik_iov){ mid, sizeof(mid) };
	if (ik_hash(h, iov, 2, dig) != 0)
		return -1;
	memcpy(out, dig, blen);
	return 0;
}

int ik_v1_keymat(enum ik_hash h, const struct ik_secret *skeyid_d,
		 const struct ik_secret *gxy_qm, uint8_t protocol, const uint8_t spi[4],
		 const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		 uint8_t *out, size_t need)
{
	size_t hlen = ik_hash_len(h), have = 0, n = 0;
	uint8_t k[IK_HASH_MAX];
	struct ik_iov iov[6];
	int rc = -1;

	if (hlen == 0 || !skeyid_d || !spi || !ni || !nr || (need && !out))
		return -1;
	/* K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b),
	 * Kn+1 = prf(SKEYID_d, Kn | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b) */
	iov[n++] = (struct ik_iov){ k, 0 };
	if (gxy_qm)
		iov[n++] = (struct ik_iov){ gxy_qm->p, gxy_qm->len };
	iov[n++] = (struct ik_iov){ &protocol, 1 };
	iov[n++] = (struct ik_iov){ spi, 4 };
	iov[n++] = (struct ik_iov){ ni, ni_len };
	iov[n++] = (struct ik_iov){ nr, nr_len };
	while (have < need) {
		size_t take = need - have < hlen ? need - have : hlen;

		if (ik_prf(h, skeyid_d->p, skeyid_d->len, iov, n, k) != 0)
			goto done;
		memcpy(out + have, k, take);
		have += take;
		iov[0].len = hlen;
	}
	rc = 0;
done:
	ik_wipe(k, sizeof(k));
	return rc;
}

size_t ik_esp_enc_key_len(enum ik_esp_enc e, unsigned keylen_bits)
{
	switch (e) {
	case IK_ESP_DES:
		return 8;
	case IK_ESP_3DES:
		return 24;
	case IK_ESP_AES:
		if (keylen_bits == 0)
			return 16; /* IOS: esp-aes is 128 bits */
		if (keylen_bits == 128 || keylen_bits == 192 || keylen_bits == 256)
			return keylen_bits / 8;
		return 0;
	case IK_ESP_GCM:
		if (keylen_bits == 0)
			return 16 + 4;
		if (keylen_bits == 128 || keylen_bits == 256)
			return keylen_bits / 8 + 4; /* RFC 4106: key plus 4-byte salt */
		return 0;
	case IK_ESP_ENC_NONE:
		break;
	}
	return 0;
}

size_t ik_esp_auth_key_len(enum ik_esp_auth a)
{
	switch (a) {
	case IK_ESP_MD5:
		return 16;
	case IK_ESP_SHA1:
		return 20;
	case IK_ESP_SHA256:
		return 32;
	case IK_ESP_SHA384:
		return 48;
	case IK_ESP_SHA512:
		return 64;
	case IK_ESP_AUTH_NONE:
		break;
	}
	return 0;
}
