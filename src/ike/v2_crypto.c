/* IKEv2 key derivation, AUTH, and SK/SKF payload protection. */
#include "ike/v2_crypto.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "ike/crypto_int.h"
#include "util/mutant.h"
#include "util/util.h"

/* ---- algorithms ---- */

static pthread_once_t v2_once = PTHREAD_ONCE_INIT;
static EVP_CIPHER *v2_gcm128, *v2_gcm256;

static void v2_setup_once(void)
{
	ik_crypto_setup();
	v2_gcm128 = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
	v2_gcm256 = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
}

static void v2_setup(void)
{
	pthread_once(&v2_once, v2_setup_once);
}

static enum ik_hash prf_hash(uint16_t prf)
{
	switch (prf) {
	case IK_V2_PRF_HMAC_SHA1: return IK_HASH_SHA1;
	case IK_V2_PRF_HMAC_SHA2_256: return IK_HASH_SHA256;
	case IK_V2_PRF_HMAC_SHA2_384: return IK_HASH_SHA384;
	case IK_V2_PRF_HMAC_SHA2_512: return IK_HASH_SHA512;
	default: return IK_HASH_NONE;
	}
}

static enum ik_hash integ_hash(uint16_t integ)
{
	switch (integ) {
	case IK_V2_INTEG_HMAC_SHA1_96: return IK_HASH_SHA1;
	case IK_V2_INTEG_HMAC_SHA2_256_128: return IK_HASH_SHA256;
	case IK_V2_INTEG_HMAC_SHA2_384_192: return IK_HASH_SHA384;
	case IK_V2_INTEG_HMAC_SHA2_512_256: return IK_HASH_SHA512;
	default: return IK_HASH_NONE;
	}
}

bool ik_v2_encr_is_aead(uint16_t encr)
{
	return encr == IK_V2_ENCR_AES_GCM_16 || encr == IK_V2_ENCR_CHACHA20_POLY1305;
}

size_t ik_v2_prf_len(uint16_t prf)
{
	return ik_hash_len(prf_hash(prf));
}

size_t ik_v2_encr_key_len(uint16_t encr, uint16_t keylen)
{
	switch (encr) {
	case IK_V2_ENCR_AES_CBC:
		return keylen == 128 || keylen == 192 || keylen == 256 ? keylen / 8u : 0;
	case IK_V2_ENCR_AES_GCM_16:
		/* RFC 5282 7.1: the key and a 4-byte salt */
		return keylen == 128 || keylen == 256 ? keylen / 8u + 4 : 0;
	case IK_V2_ENCR_CHACHA20_POLY1305:
		/* RFC 7634 2: 32-byte key and 4-byte salt; no Key Length attribute */
		return keylen == 0 ? 36 : 0;
	default:
		return 0;
	}
}

size_t ik_v2_integ_key_len(uint16_t integ)
{
	return ik_hash_len(integ_hash(integ));
}

size_t ik_v2_icv_len(const struct ik_v2_suite *s)
{
	if (ik_v2_encr_is_aead(s->encr))
		return 16;
	switch (s->integ) {
	case IK_V2_INTEG_HMAC_SHA1_96: return 12;
	case IK_V2_INTEG_HMAC_SHA2_256_128: return 16;
	case IK_V2_INTEG_HMAC_SHA2_384_192: return 24;
	case IK_V2_INTEG_HMAC_SHA2_512_256: return 32;
	default: return 0;
	}
}

size_t ik_v2_iv_len(uint16_t encr)
{
	switch (encr) {
	case IK_V2_ENCR_AES_CBC: return 16;
	case IK_V2_ENCR_AES_GCM_16:
	case IK_V2_ENCR_CHACHA20_POLY1305: return 8;
	default: return 0;
	}
}

const char *ik_v2_encr_name(uint16_t encr, uint16_t keylen)
{
	switch (encr) {
	case IK_V2_ENCR_AES_CBC:
		return keylen == 128 ? "AES-CBC-128" : keylen == 192 ? "AES-CBC-192" :
		       keylen == 256 ? "AES-CBC-256" : "AES-CBC";
	case IK_V2_ENCR_AES_GCM_16:
		return keylen == 128 ? "AES-GCM-16-128" : keylen == 256 ? "AES-GCM-16-256" :
		       "AES-GCM-16";
	case IK_V2_ENCR_CHACHA20_POLY1305:
		return "CHACHA20-POLY1305";
	case IK_V2_ENCR_3DES:
		return "3DES";
	default:
		return "UNKNOWN";
	}
}

const char *ik_v2_integ_name(uint16_t integ)
{
	switch (integ) {
	case IK_V2_INTEG_NONE: return "NONE";
	case IK_V2_INTEG_HMAC_SHA1_96: return "HMAC-SHA1-96";
	case IK_V2_INTEG_HMAC_SHA2_256_128: return "HMAC-SHA256-128";
	case IK_V2_INTEG_HMAC_SHA2_384_192: return "HMAC-SHA384-192";
	case IK_V2_INTEG_HMAC_SHA2_512_256: return "HMAC-SHA512-256";
	default: return "UNKNOWN";
	}
}

const char *ik_v2_prf_name(uint16_t prf)
{
	switch (prf) {
	case IK_V2_PRF_HMAC_SHA1: return "HMAC-SHA1";
	case IK_V2_PRF_HMAC_SHA2_256: return "HMAC-SHA256";
	case IK_V2_PRF_HMAC_SHA2_384: return "HMAC-SHA384";
	case IK_V2_PRF_HMAC_SHA2_512: return "HMAC-SHA512";
	default: return "UNKNOWN";
	}
}

bool ik_v2_dh_supported(uint16_t group)
{
	switch (group) {
	case 14: case 15: case 16: case 19: case 20: case 21: case 31:
		return ik_dh_supported(group);
	default:
		return false;
	}
}

int ik_v2_ke_check(const struct ik_v2_ke *ke, char *err, size_t errlen)
{
	size_t want;

	if (!ik_v2_dh_supported(ke->group)) {
		snprintf(err, errlen, "KE payload: DH group %u is not supported", ke->group);
		return -1;
	}
	want = ik_dh_public_len(ke->group);
	if (ke->len != want) {
		snprintf(err, errlen, "KE payload: %zu bytes of key exchange data != %zu for "
			 "group %u (%s)", ke->len, want, ke->group, ik_dh_name(ke->group));
		return -1;
	}
	return 0;
}

int ik_v2_transform_from_ios(uint8_t type, const char *kw, struct ik_v2_transform *t)
{
	static const struct { const char *kw; uint16_t id, keylen; } encr[] = {
		{ "aes-cbc-128", IK_V2_ENCR_AES_CBC, 128 },
		{ "aes-cbc-192", IK_V2_ENCR_AES_CBC, 192 },
		{ "aes-cbc-256", IK_V2_ENCR_AES_CBC, 256 },
		{ "aes-gcm-128", IK_V2_ENCR_AES_GCM_16, 128 },
		{ "aes-gcm-256", IK_V2_ENCR_AES_GCM_16, 256 },
		{ "chacha20-poly1305", IK_V2_ENCR_CHACHA20_POLY1305, 0 },
	};
	static const struct { const char *kw; uint16_t integ, prf; } hash[] = {
		{ "sha1", IK_V2_INTEG_HMAC_SHA1_96, IK_V2_PRF_HMAC_SHA1 },
		{ "sha256", IK_V2_INTEG_HMAC_SHA2_256_128, IK_V2_PRF_HMAC_SHA2_256 },
		{ "sha384", IK_V2_INTEG_HMAC_SHA2_384_192, IK_V2_PRF_HMAC_SHA2_384 },
		{ "sha512", IK_V2_INTEG_HMAC_SHA2_512_256, IK_V2_PRF_HMAC_SHA2_512 },
	};

	memset(t, 0, sizeof(*t));
	t->type = type;
	if (!kw)
		return -1;
	switch (type) {
	case IK_V2_TT_ENCR:
		for (size_t i = 0; i < sizeof(encr) / sizeof(encr[0]); i++)
			if (!strcmp(kw, encr[i].kw)) {
				t->id = encr[i].id;
				t->keylen = encr[i].keylen;
				return 0;
			}
		return -1;
	case IK_V2_TT_INTEG:
	case IK_V2_TT_PRF:
		for (size_t i = 0; i < sizeof(hash) / sizeof(hash[0]); i++)
			if (!strcmp(kw, hash[i].kw)) {
				t->id = type == IK_V2_TT_PRF ? hash[i].prf : hash[i].integ;
				return 0;
			}
		return -1;
	case IK_V2_TT_DH: {
		char *end;
		unsigned long g = strtoul(kw, &end, 10);

		if (*kw < '0' || *kw > '9' || *end || g > 0xffff ||
		    !ik_v2_dh_supported((uint16_t)g))
			return -1;
		t->id = (uint16_t)g;
		return 0;
	}
	default:
		return -1;
	}
}

int ik_v2_proposal_from_conf(const struct ik_ikev2_proposal *cp, struct ik_v2_transform *out,
			     size_t max, unsigned *skipped)
{
	struct { uint8_t type; char **kw; size_t n; } lists[4] = {
		{ IK_V2_TT_ENCR, cp->encr, cp->nencr },
		{ IK_V2_TT_PRF, cp->prf, cp->nprf },
		{ IK_V2_TT_INTEG, cp->integ, cp->ninteg },
		{ IK_V2_TT_DH, cp->group, cp->ngroup },
	};
	bool aead = cp->nencr > 0;
	size_t n = 0;
	unsigned skip = 0;

	for (size_t i = 0; i < cp->nencr; i++) {
		struct ik_v2_transform t;

		if (ik_v2_transform_from_ios(IK_V2_TT_ENCR, cp->encr[i], &t) == 0 &&
		    !ik_v2_encr_is_aead(t.id))
			aead = false;
	}
	for (size_t l = 0; l < 4; l++) {
		if (lists[l].type == IK_V2_TT_INTEG && aead)
			continue;
		for (size_t i = 0; i < lists[l].n; i++) {
			if (n == max)
				return -1;
			if (ik_v2_transform_from_ios(lists[l].type, lists[l].kw[i], &out[n]) == 0)
				n++;
			else
				skip++;
		}
	}
	if (skipped)
		*skipped = skip;
	return (int)n;
}

int ik_v2_prop_suite(const struct ik_v2_proposal *p, struct ik_v2_suite *s, char *err,
		     size_t errlen)
{
	static const uint8_t types[] = { IK_V2_TT_ENCR, IK_V2_TT_PRF, IK_V2_TT_INTEG,
					 IK_V2_TT_DH };

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < sizeof(types); i++) {
		const struct ik_v2_transform *t = ik_v2_prop_find(p, types[i], 0);

		if (ik_v2_prop_find(p, types[i], 1)) {
			snprintf(err, errlen, "proposal %u: more than one %s transform", p->num,
				 ik_v2_tt_name(types[i]));
			return -1;
		}
		if (!t) {
			if (types[i] == IK_V2_TT_INTEG)
				continue;
			snprintf(err, errlen, "proposal %u: no %s transform", p->num,
				 ik_v2_tt_name(types[i]));
			return -1;
		}
		if (t->unknown_attr) {
			snprintf(err, errlen, "proposal %u: %s transform %u with an unknown "
				 "attribute", p->num, ik_v2_tt_name(types[i]), t->id);
			return -1;
		}
		switch (types[i]) {
		case IK_V2_TT_ENCR: s->encr = t->id; s->keylen = t->keylen; break;
		case IK_V2_TT_PRF: s->prf = t->id; break;
		case IK_V2_TT_INTEG: s->integ = t->id; break;
		default: s->dh = t->id; break;
		}
	}
	return 0;
}

const char *ik_v2_suite_unsupported(const struct ik_v2_suite *s)
{
	if (ik_v2_prf_len(s->prf) == 0)
		return "PRF not supported";
	if (ik_v2_encr_key_len(s->encr, s->keylen) == 0)
		return "encryption algorithm or key length not supported";
	if (ik_v2_encr_is_aead(s->encr)) {
		if (s->integ != IK_V2_INTEG_NONE)
			return "an AEAD cipher with an integrity algorithm";
	} else if (ik_v2_integ_key_len(s->integ) == 0) {
		return "integrity algorithm not supported";
	}
	if (s->dh && !ik_v2_dh_supported(s->dh))
		return "DH group not supported";
	v2_setup();
	if (s->encr == IK_V2_ENCR_AES_GCM_16 && !(s->keylen == 128 ? v2_gcm128 : v2_gcm256))
		return "AES-GCM not available in OpenSSL";
	return NULL;
}

/* ---- PRF, prf+ ---- */

int ik_v2_prf(uint16_t prf, const uint8_t *key, size_t klen, const struct ik_iov *iov,
	      size_t n, uint8_t *out)
{
	enum ik_hash h = prf_hash(prf);

	if (h == IK_HASH_NONE)
		return -1;
	return ik_prf(h, key, klen, iov, n, out);
}

int ik_v2_prf_plus(uint16_t prf, const uint8_t *key, size_t klen, const struct ik_iov *seed,
		   size_t nseed, uint8_t *out, size_t need)
{
	size_t hlen = ik_v2_prf_len(prf), have = 0;
	struct ik_iov iov[8];
	uint8_t t[IK_V2_PRF_MAX], cnt = 1;
	int rc = -1;

	if (hlen == 0 || nseed > 6 || (need && !out) || need > 255 * hlen)
		return -1;
	/* T1 = prf(K, S | 0x01); Tn = prf(K, Tn-1 | S | n) */
	iov[0] = (struct ik_iov){ t, 0 };
	for (size_t i = 0; i < nseed; i++)
		iov[1 + i] = seed[i];
	iov[1 + nseed] = (struct ik_iov){ &cnt, 1 };
	while (have < need) {
		size_t take = need - have < hlen ? need - have : hlen;

		if (ik_v2_prf(prf, key, klen, iov, nseed + 2, t) != 0)
			goto done;
		memcpy(out + have, t, take);
		have += take;
		iov[0].len = hlen;
		cnt++;
	}
	rc = 0;
done:
	ik_wipe(t, sizeof(t));
	return rc;
}

/* ---- SKEYSEED and SK_* ---- */

static int v2_split(const struct ik_v2_suite *s, const struct ik_secret *skeyseed,
		    const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		    const uint8_t spi_i[8], const uint8_t spi_r[8], struct ik_v2_keys *out)
{
	size_t pl = ik_v2_prf_len(s->prf), al = ik_v2_integ_key_len(s->integ);
	size_t el = ik_v2_encr_key_len(s->encr, s->keylen);
	size_t total = pl + 2 * al + 2 * el + 2 * pl, off = 0;
	struct ik_secret *km, **dst[7];
	size_t len[7] = { pl, al, al, el, el, pl, pl };
	struct ik_iov seed[4];
	int rc = -1;

	if (ik_v2_encr_is_aead(s->encr))
		len[1] = len[2] = 0, total -= 2 * al;
	dst[0] = &out->sk_d;
	dst[1] = &out->sk_ai;
	dst[2] = &out->sk_ar;
	dst[3] = &out->sk_ei;
	dst[4] = &out->sk_er;
	dst[5] = &out->sk_pi;
	dst[6] = &out->sk_pr;
	km = ik_secret_alloc(total);
	if (!km)
		return -1;
	seed[0] = (struct ik_iov){ ni, ni_len };
	seed[1] = (struct ik_iov){ nr, nr_len };
	seed[2] = (struct ik_iov){ spi_i, 8 };
	seed[3] = (struct ik_iov){ spi_r, 8 };
	if (ik_v2_prf_plus(s->prf, skeyseed->p, skeyseed->len, seed, 4, km->p, total) != 0)
		goto done;
	for (int i = 0; i < 7; i++) {
		if (!(*dst[i] = ik_secret_new(km->p + off, len[i])))
			goto done;
		off += len[i];
	}
	rc = 0;
done:
	ik_secret_free(km);
	return rc;
}

int ik_v2_skeyseed(const struct ik_v2_suite *s, const struct ik_secret *gir,
		   const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		   struct ik_secret **out)
{
	uint8_t key[2 * IK_V2_MAX_NONCE];
	struct ik_iov iov;
	struct ik_secret *k;
	int rc = -1;

	if (!out)
		return -1;
	*out = NULL;
	if (!s || ik_v2_suite_unsupported(s) || !gir || !ni || !nr ||
	    ni_len > IK_V2_MAX_NONCE || nr_len > IK_V2_MAX_NONCE)
		return -1;
	/* SKEYSEED = prf(Ni | Nr, g^ir): the nonces are the key */
	memcpy(key, ni, ni_len);
	memcpy(key + ni_len, nr, nr_len);
	iov = (struct ik_iov){ gir->p, gir->len };
	k = ik_secret_alloc(ik_v2_prf_len(s->prf));
	if (k && ik_v2_prf(s->prf, key, ni_len + nr_len, &iov, 1, k->p) == 0) {
		*out = k;
		k = NULL;
		rc = 0;
	}
	ik_secret_free(k);
	ik_wipe(key, sizeof(key));
	return rc;
}

int ik_v2_derive_keys(const struct ik_v2_suite *s, struct ik_secret *skeyseed,
		      const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		      const uint8_t spi_i[8], const uint8_t spi_r[8], struct ik_v2_keys *out)
{
	if (!out) {
		ik_secret_free(skeyseed);
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->skeyseed = skeyseed;
	if (!s || ik_v2_suite_unsupported(s) || !skeyseed ||
	    skeyseed->len != ik_v2_prf_len(s->prf) || !ni || !nr || !spi_i || !spi_r ||
	    ni_len > IK_V2_MAX_NONCE || nr_len > IK_V2_MAX_NONCE)
		goto fail;
	out->s = *s;
	if (v2_split(s, skeyseed, ni, ni_len, nr, nr_len, spi_i, spi_r, out) != 0)
		goto fail;
	return 0;
fail:
	ik_v2_keys_free(out);
	return -1;
}

int ik_v2_derive(const struct ik_v2_suite *s, const struct ik_secret *gir,
		 const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		 const uint8_t spi_i[8], const uint8_t spi_r[8], struct ik_v2_keys *out)
{
	struct ik_secret *skeyseed;

	if (!out)
		return -1;
	memset(out, 0, sizeof(*out));
	if (!spi_i || !spi_r || ik_v2_skeyseed(s, gir, ni, ni_len, nr, nr_len, &skeyseed))
		return -1;
	return ik_v2_derive_keys(s, skeyseed, ni, ni_len, nr, nr_len, spi_i, spi_r, out);
}

int ik_v2_derive_rekey(const struct ik_v2_suite *s, uint16_t old_prf,
		       const struct ik_secret *old_sk_d, const struct ik_secret *gir,
		       const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		       const uint8_t spi_i[8], const uint8_t spi_r[8], struct ik_v2_keys *out)
{
	struct ik_iov iov[3];

	if (!out)
		return -1;
	memset(out, 0, sizeof(*out));
	if (!s || ik_v2_suite_unsupported(s) || ik_v2_prf_len(old_prf) == 0 || !old_sk_d ||
	    !gir || !ni || !nr || !spi_i || !spi_r)
		return -1;
	out->s = *s;
	/* SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), with the old PRF */
	iov[0] = (struct ik_iov){ gir->p, gir->len };
	iov[1] = (struct ik_iov){ ni, ni_len };
	iov[2] = (struct ik_iov){ nr, nr_len };
	out->skeyseed = ik_secret_alloc(ik_v2_prf_len(old_prf));
	if (!out->skeyseed ||
	    ik_v2_prf(old_prf, old_sk_d->p, old_sk_d->len, iov, 3, out->skeyseed->p) != 0 ||
	    v2_split(s, out->skeyseed, ni, ni_len, nr, nr_len, spi_i, spi_r, out) != 0) {
		ik_v2_keys_free(out);
		return -1;
	}
	return 0;
}

void ik_v2_keys_free(struct ik_v2_keys *k)
{
	if (!k)
		return;
	ik_secret_free(k->skeyseed);
	ik_secret_free(k->sk_d);
	ik_secret_free(k->sk_ai);
	ik_secret_free(k->sk_ar);
	ik_secret_free(k->sk_ei);
	ik_secret_free(k->sk_er);
	ik_secret_free(k->sk_pi);
	ik_secret_free(k->sk_pr);
	ik_wipe(k, sizeof(*k));
}

int ik_v2_child_keymat(uint16_t prf, const struct ik_secret *sk_d, const struct ik_secret *gir,
		       const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		       uint8_t *out, size_t need)
{
	struct ik_iov seed[3];
	size_t n = 0;

	if (!sk_d || !ni || !nr)
		return -1;
	if (gir)
		seed[n++] = (struct ik_iov){ gir->p, gir->len };
	seed[n++] = (struct ik_iov){ ni, ni_len };
	seed[n++] = (struct ik_iov){ nr, nr_len };
	return ik_v2_prf_plus(prf, sk_d->p, sk_d->len, seed, n, out, need);
}

/* ---- AUTH with a pre-shared key ---- */

int ik_v2_auth_psk(uint16_t prf, const struct ik_secret *psk, const uint8_t *msg,
		   size_t msg_len, const uint8_t *nonce, size_t nonce_len,
		   const struct ik_secret *sk_p, const uint8_t *id_body, size_t id_len,
		   uint8_t *out)
{
	static const char pad[] = "Key Pad for IKEv2";
	uint8_t kp[IK_V2_PRF_MAX], macid[IK_V2_PRF_MAX];
	size_t hl = ik_v2_prf_len(prf);
	struct ik_iov iov[3];
	int rc = -1;

	if (hl == 0 || !psk || !msg || !nonce || !sk_p || !id_body || !out)
		return -1;
	/* MACedIDFor* = prf(SK_p, IDType | RESERVED | IDData) */
	iov[0] = (struct ik_iov){ id_body, id_len };
	if (ik_v2_prf(prf, sk_p->p, sk_p->len, iov, 1, macid) != 0)
		goto done;
	/* the key: prf(Shared Secret, "Key Pad for IKEv2"), 17 octets, no NUL */
	iov[0] = (struct ik_iov){ pad, sizeof(pad) - 1 };
	if (ik_v2_prf(prf, psk->p, psk->len, iov, 1, kp) != 0)
		goto done;
	iov[0] = (struct ik_iov){ msg, msg_len };
	iov[1] = (struct ik_iov){ nonce, nonce_len };
	iov[2] = (struct ik_iov){ macid, hl };
	if (ik_v2_prf(prf, kp, hl, iov, 3, out) != 0)
		goto done;
	rc = 0;
done:
	ik_wipe(kp, sizeof(kp));
	ik_wipe(macid, sizeof(macid));
	return rc;
}

bool ik_v2_auth_psk_equal(uint16_t prf, const struct ik_secret *psk, const uint8_t *msg,
			  size_t msg_len, const uint8_t *nonce, size_t nonce_len,
			  const struct ik_secret *sk_p, const uint8_t *id_body, size_t id_len,
			  const uint8_t *auth, size_t auth_len)
{
	uint8_t want[IK_V2_PRF_MAX];
	size_t hl = ik_v2_prf_len(prf);
	bool eq;

	if (hl == 0 || !auth || auth_len != hl ||
	    ik_v2_auth_psk(prf, psk, msg, msg_len, nonce, nonce_len, sk_p, id_body, id_len,
			   want) != 0)
		return false;
	eq = ik_hash_equal(auth, auth_len, want, hl) || IK_MUTANT(IK_MUT_V2_AUTH);
	ik_wipe(want, sizeof(want));
	return eq;
}

int ik_v2_natd_hash(const uint8_t spi_i[8], const uint8_t spi_r[8], const uint8_t *addr,
		    size_t alen, uint16_t port, uint8_t out[20])
{
	uint8_t p[2];
	struct ik_iov iov[4];

	if (!spi_i || !spi_r || !addr || (alen != 4 && alen != 16) || !out)
		return -1;
	ik_put16(p, port);
	iov[0] = (struct ik_iov){ spi_i, 8 };
	iov[1] = (struct ik_iov){ spi_r, 8 };
	iov[2] = (struct ik_iov){ addr, alen };
	iov[3] = (struct ik_iov){ p, 2 };
	return ik_hash(IK_HASH_SHA1, iov, 4, out);
}

/* ---- SK / SKF ---- */

/* AES-GCM of len bytes in place; enc: tag written, else checked. */
static int v2_gcm(const struct ik_secret *key, const uint8_t *iv, const uint8_t *aad,
		  size_t aad_len, uint8_t *data, size_t len, uint8_t *tag, int enc)
{
	const EVP_CIPHER *c;
	EVP_CIPHER_CTX *ctx;
	uint8_t nonce[12];
	size_t klen = key->len - 4;
	int olen = 0, rc = -1;

	v2_setup();
	c = klen == 16 ? v2_gcm128 : klen == 32 ? v2_gcm256 : NULL;
	if (!c || len > INT32_MAX || aad_len > INT32_MAX)
		return -1;
	/* RFC 5282 4: nonce = salt (the last 4 bytes of the key material) | IV */
	memcpy(nonce, key->p + klen, 4);
	memcpy(nonce + 4, iv, 8);
	ctx = ik_crypto_cipher_init(c, key->p, nonce, enc);
	if (!ctx)
		return -1;
	if (EVP_CipherUpdate(ctx, NULL, &olen, aad, (int)aad_len) != 1 ||
	    (len && EVP_CipherUpdate(ctx, data, &olen, data, (int)len) != 1))
		goto done;
	if (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, tag) != 1)
		goto done;
	if (EVP_CipherFinal_ex(ctx, data + len, &olen) != 1) {
		rc = enc ? -1 : IK_V2_ICV_MISMATCH;
		goto done;
	}
	if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag) != 1)
		goto done;
	rc = 0;
done:
	if (rc)
		ik_crypto_cipher_fail(ctx);
	return rc;
}

static int v2_chacha(const struct ik_secret *key, const uint8_t *iv, const uint8_t *aad,
		     size_t aad_len, uint8_t *data, size_t len, uint8_t *tag, int enc)
{
	uint8_t nonce[12];

	if (key->len != 36)
		return -1;
	/* RFC 7634 2: nonce = salt | IV */
	memcpy(nonce, key->p + 32, 4);
	memcpy(nonce + 4, iv, 8);
	if (enc) {
		unsigned long long tl = 0;

		return crypto_aead_chacha20poly1305_ietf_encrypt_detached(data, tag, &tl, data,
				len, aad, aad_len, NULL, nonce, key->p) == 0 ? 0 : -1;
	}
	return crypto_aead_chacha20poly1305_ietf_decrypt_detached(data, NULL, data, len, tag,
			aad, aad_len, nonce, key->p) == 0 ? 0 : IK_V2_ICV_MISMATCH;
}

/* HMAC ICV of buf[0..len) truncated to icv_len. */
static int v2_icv(const struct ik_v2_suite *s, const struct ik_secret *sk_a, const uint8_t *buf,
		  size_t len, uint8_t *icv)
{
	uint8_t mac[IK_V2_PRF_MAX];
	struct ik_iov iov = { buf, len };

	if (ik_prf(integ_hash(s->integ), sk_a->p, sk_a->len, &iov, 1, mac) != 0)
		return -1;
	memcpy(icv, mac, ik_v2_icv_len(s));
	return 0;
}

/* The SK/SKF payload at pl_off in buf (cap bytes), whose IV goes at iv_off
 * and whose plen plaintext bytes are there now: shifted past the IV, padded,
 * encrypted, lengths set, ICV computed. *msg_len: the message's new length. */
static int v2_seal(const struct ik_v2_keys *k, bool initiator, uint8_t *buf, size_t cap,
		   size_t pl_off, size_t iv_off, size_t plen, const uint8_t *iv,
		   size_t *msg_len, char *err, size_t errlen)
{
	const struct ik_v2_suite *s = &k->s;
	const struct ik_secret *ke = initiator ? k->sk_ei : k->sk_er;
	const struct ik_secret *ka = initiator ? k->sk_ai : k->sk_ar;
	size_t ivl = ik_v2_iv_len(s->encr), icvl = ik_v2_icv_len(s), padlen = 0;
	size_t ct_off = iv_off + ivl, ctlen, total;
	bool aead = ik_v2_encr_is_aead(s->encr);
	uint8_t *ct = buf + ct_off;

	if (!ke || (!aead && !ka) || ivl == 0 || icvl == 0 || !iv) {
		snprintf(err, errlen, "SK payload: no keys for %s",
			 ik_v2_encr_name(s->encr, s->keylen));
		return -1;
	}
	if (!aead)
		padlen = (16 - (plen + 1) % 16) % 16;
	ctlen = plen + padlen + 1;
	total = ct_off + ctlen + icvl;
	if (total > cap || total - pl_off > 0xffff) {
		snprintf(err, errlen, "SK payload at offset %zu: %zu bytes encrypted > %zu "
			 "available", pl_off, total, cap);
		return -1;
	}
	memmove(ct, buf + iv_off, plen);
	memcpy(buf + iv_off, iv, ivl);
	memset(ct + plen, 0, padlen);
	ct[plen + padlen] = (uint8_t)padlen;
	ik_put16(buf + pl_off + 2, (uint16_t)(total - pl_off));
	ik_put32(buf + 24, (uint32_t)total);
	*msg_len = total;
	switch (s->encr) {
	case IK_V2_ENCR_AES_CBC: {
		uint8_t ivc[16];

		memcpy(ivc, iv, 16);
		if (ik_cbc_encrypt(IK_ENCR_AES, ke->p, ke->len, ivc, ct, ctlen, ct) != 0 ||
		    v2_icv(s, ka, buf, total - icvl, buf + total - icvl) != 0)
			goto fail;
		return 0;
	}
	case IK_V2_ENCR_AES_GCM_16:
		if (v2_gcm(ke, iv, buf, iv_off, ct, ctlen, ct + ctlen, 1) != 0)
			goto fail;
		return 0;
	case IK_V2_ENCR_CHACHA20_POLY1305:
		if (v2_chacha(ke, iv, buf, iv_off, ct, ctlen, ct + ctlen, 1) != 0)
			goto fail;
		return 0;
	default:
		break;
	}
fail:
	snprintf(err, errlen, "SK payload at offset %zu: %s encryption failed", pl_off,
		 ik_v2_encr_name(s->encr, s->keylen));
	return -1;
}

int ik_v2_sk_seal(const struct ik_v2_keys *k, bool initiator, struct ik_v2_builder *b,
		  size_t sk_off, const uint8_t *iv, char *err, size_t errlen)
{
	size_t len;

	if (b->overflow || sk_off + 4 > b->len || b->buf[sk_off + 1] & 0x7f) {
		snprintf(err, errlen, "SK payload: the message was not built");
		return -1;
	}
	if (v2_seal(k, initiator, b->buf, sizeof(b->buf), sk_off, sk_off + 4,
		    b->len - sk_off - 4, iv, &len, err, errlen) != 0) {
		b->overflow = true;
		return -1;
	}
	b->len = len;
	return 0;
}

int ik_v2_sk_open(const struct ik_v2_keys *k, bool from_initiator, const uint8_t *msg,
		  size_t msg_len, const struct ik_pl *sk, uint8_t *plain, size_t plain_size,
		  size_t *plain_len, char *err, size_t errlen)
{
	const struct ik_v2_suite *s = &k->s;
	const struct ik_secret *ke = from_initiator ? k->sk_ei : k->sk_er;
	const struct ik_secret *ka = from_initiator ? k->sk_ai : k->sk_ar;
	const char *name = ik_v2_pl_name(sk->type);
	size_t ivl = ik_v2_iv_len(s->encr), icvl = ik_v2_icv_len(s);
	size_t iv_off = sk->off + (sk->type == IK_V2_PL_SKF ? 8 : 4), enc_len, ctlen;
	bool aead = ik_v2_encr_is_aead(s->encr);
	const uint8_t *iv;
	uint8_t tag[16];
	unsigned padlen;
	int rc;

	*plain_len = 0;
	if (!ke || (!aead && !ka) || ivl == 0 || icvl == 0) {
		snprintf(err, errlen, "%s payload: no keys", name);
		return -1;
	}
	if (sk->off + sk->len != msg_len || iv_off > msg_len) {
		snprintf(err, errlen, "%s payload at offset %zu: not the last %zu bytes of the "
			 "message", name, sk->off, msg_len - sk->off);
		return -1;
	}
	enc_len = msg_len - iv_off;
	if (enc_len < ivl + icvl + (aead ? 1 : 16)) {
		snprintf(err, errlen, "%s payload at offset %zu: %zu encrypted bytes < IV %zu + "
			 "ICV %zu + %d", name, sk->off, enc_len, ivl, icvl, aead ? 1 : 16);
		return -1;
	}
	ctlen = enc_len - ivl - icvl;
	if (!aead && ctlen % 16 != 0) {
		snprintf(err, errlen, "%s payload at offset %zu: %zu bytes of ciphertext, not a "
			 "multiple of 16", name, sk->off, ctlen);
		return -1;
	}
	if (ctlen > plain_size) {
		snprintf(err, errlen, "%s payload at offset %zu: %zu bytes of ciphertext > %zu",
			 name, sk->off, ctlen, plain_size);
		return -1;
	}
	iv = msg + iv_off;
	memcpy(plain, iv + ivl, ctlen);
	switch (s->encr) {
	case IK_V2_ENCR_AES_CBC: {
		uint8_t icv[IK_V2_ICV_MAX], ivc[16];

		if (v2_icv(s, ka, msg, msg_len - icvl, icv) != 0) {
			rc = -1;
			break;
		}
		if (!ik_hash_equal(msg + msg_len - icvl, icvl, icv, icvl) &&
		    !IK_MUTANT(IK_MUT_V2_ICV)) {
			rc = IK_V2_ICV_MISMATCH;
			break;
		}
		memcpy(ivc, iv, 16);
		rc = ik_cbc_decrypt(IK_ENCR_AES, ke->p, ke->len, ivc, plain, ctlen, plain);
		break;
	}
	case IK_V2_ENCR_AES_GCM_16:
		memcpy(tag, msg + msg_len - 16, 16);
		rc = v2_gcm(ke, iv, msg, iv_off, plain, ctlen, tag, 0);
		break;
	case IK_V2_ENCR_CHACHA20_POLY1305:
		memcpy(tag, msg + msg_len - 16, 16);
		rc = v2_chacha(ke, iv, msg, iv_off, plain, ctlen, tag, 0);
		break;
	default:
		rc = -1;
		break;
	}
	if (rc == IK_V2_ICV_MISMATCH) {
		ik_wipe(plain, ctlen);
		snprintf(err, errlen, "%s payload at offset %zu: ICV mismatch (%s, %zu bytes)",
			 name, sk->off, aead ? ik_v2_encr_name(s->encr, s->keylen) :
			 ik_v2_integ_name(s->integ), icvl);
		return rc;
	}
	if (rc) {
		ik_wipe(plain, ctlen);
		snprintf(err, errlen, "%s payload at offset %zu: %s decryption failed", name,
			 sk->off, ik_v2_encr_name(s->encr, s->keylen));
		return -1;
	}
	padlen = plain[ctlen - 1];
	if ((size_t)padlen + 1 > ctlen) {
		ik_wipe(plain, ctlen);
		snprintf(err, errlen, "%s payload at offset %zu: pad length %u > %zu decrypted "
			 "bytes", name, sk->off, padlen, ctlen - 1);
		return -1;
	}
	*plain_len = ctlen - padlen - 1;
	return 0;
}

int ik_v2_fragment(const struct ik_v2_keys *k, bool initiator, const struct ik_v2_builder *b,
		   size_t sk_off, size_t frag_max, const uint8_t *ivs, size_t ivs_len,
		   ik_v2_frag_emit_fn emit, void *arg, char *err, size_t errlen)
{
	size_t ivl = ik_v2_iv_len(k->s.encr), icvl = ik_v2_icv_len(&k->s);
	size_t over, chunk, plen, total, np_off = 16, off = IK_V2_HDR_LEN;
	const uint8_t *plain;
	uint8_t first_np, *buf;
	int rc = -1;

	if (b->overflow || sk_off + 4 > b->len || b->buf[sk_off + 1] & 0x7f || ivl == 0 ||
	    frag_max > IK_V2_MAX_MSG) {
		snprintf(err, errlen, "SKF: the message was not built");
		return -1;
	}
	/* the next payload field that names SK: the header's or a clear payload's */
	while (off < sk_off) {
		np_off = off;
		off += ik_get16(b->buf + off + 2);
	}
	if (off != sk_off) {
		snprintf(err, errlen, "SKF: no SK payload at offset %zu", sk_off);
		return -1;
	}
	over = sk_off + 8 + ivl + icvl;
	chunk = frag_max > over ? frag_max - over : 0;
	if (!ik_v2_encr_is_aead(k->s.encr))
		chunk = chunk / 16 * 16;          /* the pad length byte takes the last */
	if (chunk < 2) {
		snprintf(err, errlen, "SKF: %zu bytes per fragment leave no room after %zu "
			 "bytes of headers, IV and ICV", frag_max, over);
		return -1;
	}
	chunk -= 1;
	plain = b->buf + sk_off + 4;
	plen = b->len - sk_off - 4;
	first_np = b->buf[sk_off];
	total = (plen + chunk - 1) / chunk;
	if (total == 0)
		total = 1;
	if (total > IK_V2_MAX_FRAGMENTS || ivs_len < total * ivl) {
		snprintf(err, errlen, "SKF: %zu fragments of %zu bytes (at most %d, %zu IVs)",
			 total, chunk, IK_V2_MAX_FRAGMENTS, ivs_len / ivl);
		return -1;
	}
	buf = malloc(IK_V2_MAX_MSG);
	if (!buf)
		return -1;
	for (size_t i = 0; i < total; i++) {
		size_t take = plen - i * chunk < chunk ? plen - i * chunk : chunk, len;

		memcpy(buf, b->buf, sk_off);
		buf[np_off] = IK_V2_PL_SKF;
		buf[sk_off] = i == 0 ? first_np : 0;
		buf[sk_off + 1] = 0;
		ik_put16(buf + sk_off + 4, (uint16_t)(i + 1));
		ik_put16(buf + sk_off + 6, (uint16_t)total);
		memcpy(buf + sk_off + 8, plain + i * chunk, take);
		if (v2_seal(k, initiator, buf, frag_max, sk_off, sk_off + 8, take,
			    ivs + i * ivl, &len, err, errlen) != 0)
			goto done;
		if (emit(arg, buf, len) != 0) {
			snprintf(err, errlen, "SKF: fragment %zu of %zu not sent", i + 1, total);
			goto done;
		}
	}
	rc = (int)total;
done:
	ik_wipe(buf, IK_V2_MAX_MSG);
	free(buf);
	return rc;
}
