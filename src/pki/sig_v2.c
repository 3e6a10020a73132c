/* IKEv2 AUTH signatures: methods 1, 9-11 and 14 (see sig_v2.h). */
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "pki/sig_v2.h"
#include "util/mutant.h"

/* DER AlgorithmIdentifiers we send with method 14 (RFC 7427 appendix A). */
static const uint8_t ai_rsa[3][15] = {
	{ 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05,
	  0x00 },
	{ 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c, 0x05,
	  0x00 },
	{ 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d, 0x05,
	  0x00 },
};
static const uint8_t ai_ecdsa[3][12] = {
	{ 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02 },
	{ 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03 },
	{ 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04 },
};

static void say(char *why, size_t whylen, const char *s)
{
	if (why && whylen)
		snprintf(why, whylen, "%s", s);
}

static size_t ec_half(EVP_PKEY *key)
{
	return ((size_t)EVP_PKEY_get_bits(key) + 7) / 8;
}

static bool is_rsa(EVP_PKEY *k)
{
	return EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA;
}

static bool is_ec(EVP_PKEY *k)
{
	return EVP_PKEY_get_base_id(k) == EVP_PKEY_EC;
}

unsigned ik_pki_v2_method(EVP_PKEY *key)
{
	int bits;

	if (!key)
		return 0;
	if (is_rsa(key))
		return 1;
	if (!is_ec(key))
		return 0;
	bits = EVP_PKEY_get_bits(key);
	return bits == 256 ? 9 : bits == 384 ? 10 : bits == 521 ? 11 : 0;
}

const char *ik_pki_v2_method_name(unsigned method)
{
	switch (method) {
	case 1: return "RSA signature";
	case 9: return "ECDSA with SHA-256 on P-256";
	case 10: return "ECDSA with SHA-384 on P-384";
	case 11: return "ECDSA with SHA-512 on P-521";
	case 14: return "digital signature (RFC 7427)";
	default: return "unknown";
	}
}

static const EVP_MD *hash_md(enum ik_v2_sig_hash h)
{
	return h == IK_V2_SIG_SHA384 ? EVP_sha384() : h == IK_V2_SIG_SHA512 ? EVP_sha512() :
	       EVP_sha256();
}

/* The digest of ECDSA methods 9-11, by the method (and so the curve). */
static const EVP_MD *ecdsa_md(unsigned method, EVP_PKEY *key)
{
	int bits = EVP_PKEY_get_bits(key);

	switch (method) {
	case 9: return bits == 256 ? EVP_sha256() : NULL;
	case 10: return bits == 384 ? EVP_sha384() : NULL;
	case 11: return bits == 521 ? EVP_sha512() : NULL;
	default: return NULL;
	}
}

/* A raw signature with md: RSA PKCS#1 v1.5 (DigestInfo), ECDSA as DER. */
static int raw_sign(EVP_PKEY *key, const EVP_MD *md, const uint8_t *data, size_t len,
		    uint8_t *out, size_t cap)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pc = NULL;
	size_t sl = 0;
	int rc = -1;

	if (!c || EVP_DigestSignInit(c, &pc, md, NULL, key) != 1)
		goto out;
	if (is_rsa(key) && EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) != 1)
		goto out;
	if (EVP_DigestSign(c, NULL, &sl, data, len) != 1 || sl > cap ||
	    EVP_DigestSign(c, out, &sl, data, len) != 1)
		goto out;
	rc = (int)sl;
out:
	EVP_MD_CTX_free(c);
	return rc;
}

static bool raw_verify(EVP_PKEY *key, const EVP_MD *md, const uint8_t *data, size_t len,
		       const uint8_t *sig, size_t sl)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pc = NULL;
	bool ok = false;

	if (!c || EVP_DigestVerifyInit(c, &pc, md, NULL, key) != 1)
		goto out;
	if (is_rsa(key) && EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) != 1)
		goto out;
	ok = EVP_DigestVerify(c, sig, sl, data, len) == 1;
out:
	EVP_MD_CTX_free(c);
	return ok;
}

/* DER ECDSA-Sig-Value to r|s of half bytes each. */
static int der_to_rs(const uint8_t *der, size_t dl, size_t half, uint8_t *out, size_t cap)
{
	const unsigned char *p = der;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)dl);
	const BIGNUM *r, *s;
	int rc = -1;

	if (!es || 2 * half > cap)
		goto out;
	ECDSA_SIG_get0(es, &r, &s);
	if (BN_bn2binpad(r, out, (int)half) == (int)half &&
	    BN_bn2binpad(s, out + half, (int)half) == (int)half)
		rc = (int)(2 * half);
out:
	ECDSA_SIG_free(es);
	return rc;
}

/* r|s to DER (malloc'd by OpenSSL); its length or -1. */
static int rs_to_der(const uint8_t *sig, size_t half, unsigned char **der)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, (int)half, NULL), *s = BN_bin2bn(sig + half, (int)half, NULL);
	int dl = -1;

	if (!es || !r || !s || ECDSA_SIG_set0(es, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(es);
		return -1;
	}
	dl = i2d_ECDSA_SIG(es, der);
	ECDSA_SIG_free(es);
	return dl;
}

int ik_pki_v2_sign(EVP_PKEY *key, unsigned method, enum ik_v2_sig_hash hash,
		   const uint8_t *data, size_t len, uint8_t *out, size_t cap)
{
	uint8_t der[200];
	const uint8_t *ai;
	size_t ail, hi = hash == IK_V2_SIG_SHA384 ? 1 : hash == IK_V2_SIG_SHA512 ? 2 : 0;
	const EVP_MD *md;
	int sl, rc = -1;

	if (!key || !data || !out)
		return -1;
	switch (method) {
	case 1:
		if (is_rsa(key))
			rc = raw_sign(key, EVP_sha1(), data, len, out, cap);
		break;
	case 9: case 10: case 11:
		md = is_ec(key) ? ecdsa_md(method, key) : NULL;
		if (!md)
			break;
		sl = raw_sign(key, md, data, len, der, sizeof(der));
		if (sl > 0)
			rc = der_to_rs(der, (size_t)sl, ec_half(key), out, cap);
		break;
	case 14:
		if (!is_rsa(key) && !is_ec(key))
			break;
		ai = is_rsa(key) ? ai_rsa[hi] : ai_ecdsa[hi];
		ail = is_rsa(key) ? sizeof(ai_rsa[0]) : sizeof(ai_ecdsa[0]);
		if (cap < 1 + ail)
			break;
		out[0] = (uint8_t)ail;
		memcpy(out + 1, ai, ail);
		sl = raw_sign(key, hash_md(hash), data, len, out + 1 + ail, cap - 1 - ail);
		if (sl > 0)
			rc = (int)(1 + ail) + sl;
		break;
	default:
		break;
	}
	ERR_clear_error();
	return rc;
}

/* Method 14: the AlgorithmIdentifier names a hash and a key type; both must
 * be ones we accept and the key type the certificate's. */
static const EVP_MD *ai_parse(EVP_PKEY *key, const uint8_t *ai, size_t ail, char *why,
			      size_t whylen)
{
	const unsigned char *p = ai;
	X509_ALGOR *alg = d2i_X509_ALGOR(NULL, &p, (long)ail);
	const ASN1_OBJECT *obj = NULL;
	int nid, md_nid = NID_undef, pk_nid = NID_undef;
	const EVP_MD *md = NULL;

	if (!alg || p != ai + ail) {
		say(why, whylen, "AlgorithmIdentifier does not parse");
		goto out;
	}
	X509_ALGOR_get0(&obj, NULL, NULL, alg);
	nid = OBJ_obj2nid(obj);
	if (nid == NID_undef || !OBJ_find_sigid_algs(nid, &md_nid, &pk_nid)) {
		say(why, whylen, "unknown signature algorithm in the AlgorithmIdentifier");
		goto out;
	}
	if (!((pk_nid == NID_rsaEncryption && is_rsa(key)) ||
	      (pk_nid == NID_X9_62_id_ecPublicKey && is_ec(key)))) {
		say(why, whylen, "signature algorithm does not suit the certificate's key "
		    "(RSA-PSS is not supported)");
		goto out;
	}
	switch (md_nid) {
	case NID_sha256: md = EVP_sha256(); break;
	case NID_sha384: md = EVP_sha384(); break;
	case NID_sha512: md = EVP_sha512(); break;
	default:
		say(why, whylen, "hash of the signature algorithm not accepted (SHA-2 only)");
		break;
	}
out:
	X509_ALGOR_free(alg);
	return md;
}

bool ik_pki_v2_verify(EVP_PKEY *key, unsigned method, const uint8_t *auth, size_t alen,
		      const uint8_t *data, size_t len, char *why, size_t whylen)
{
	const EVP_MD *md;
	unsigned char *der = NULL;
	bool ok = false;
	int dl;

	say(why, whylen, "signature does not verify with the key of the certificate");
	if (!key || !auth || !data)
		return false;
	switch (method) {
	case 1:
		if (!is_rsa(key)) {
			say(why, whylen, "RSA signature method with a certificate not of RSA");
			break;
		}
		ok = raw_verify(key, EVP_sha1(), data, len, auth, alen);
		break;
	case 9: case 10: case 11:
		md = is_ec(key) ? ecdsa_md(method, key) : NULL;
		if (!md) {
			say(why, whylen, "ECDSA method does not suit the key or curve of the "
			    "certificate");
			break;
		}
		if (alen != 2 * ec_half(key))
			break;
		dl = rs_to_der(auth, ec_half(key), &der);
		ok = dl > 0 && raw_verify(key, md, data, len, der, (size_t)dl);
		OPENSSL_free(der);
		break;
	case 14:
		if (alen < 1 || (size_t)auth[0] + 1 >= alen) {
			say(why, whylen, "digital signature AUTH data too short");
			break;
		}
		md = ai_parse(key, auth + 1, auth[0], why, whylen);
		if (md)
			ok = raw_verify(key, md, data, len, auth + 1 + auth[0],
					alen - 1 - auth[0]);
		break;
	default:
		say(why, whylen, "authentication method not supported with certificates");
		break;
	}
	ERR_clear_error();
	return ok || IK_MUTANT(IK_MUT_V2_SIG);
}
