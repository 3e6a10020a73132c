/* Peer authentication by certificate for either IKE version (peerauth.h). */
#include "pki/peerauth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "util/mutant.h"
#include "util/util.h"

#define PDBG(in, ...) ik_dbg((in)->log, IK_DBG_PKI_TRANS, __VA_ARGS__)
#define MDBG(in, ...) ik_dbg((in)->log, IK_DBG_PKI_MSG, __VA_ARGS__)

void ik_pki_verdict_clear(struct ik_pki_verdict *v)
{
	X509_free(v->leaf);
	EVP_PKEY_free(v->key);
	v->leaf = NULL;
	v->key = NULL;
}

bool ik_pki_certmap_match(const struct ik_certmap *m, X509 *c)
{
	for (size_t i = 0; i < m->nentries; i++) {
		const struct ik_certmap_entry *e = &m->entries[i];
		bool all = true;

		for (size_t r = 0; r < e->nrules && all; r++) {
			struct ik_pki_map_rule rule = {
				.field = (enum ik_pki_map_field)e->rules[r].field,
				.op = (enum ik_pki_map_op)e->rules[r].op,
				.value = e->rules[r].value,
			};

			all = ik_pki_map_match(c, &rule, 1);
		}
		if (all)
			return true;
	}
	return false;
}

static const char *id_kind_text(enum ik_pki_id_kind k)
{
	switch (k) {
	case IK_PKI_ID_IPV4: return "addr";
	case IK_PKI_ID_IPV6: return "addr6";
	case IK_PKI_ID_FQDN: return "fqdn";
	case IK_PKI_ID_EMAIL: return "e-mail";
	case IK_PKI_ID_DN: return "DN";
	}
	return "?";
}

/* The identity as text (for logs and the authorization list's DN). */
static void id_text(const struct ik_pki_peer_in *in, char *buf, size_t len)
{
	switch (in->id_kind) {
	case IK_PKI_ID_IPV4:
		if (in->id_len == 4) {
			const uint8_t *b = in->id;

			snprintf(buf, len, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
			return;
		}
		break;
	case IK_PKI_ID_IPV6:
		if (in->id_len == 16 && len >= IK_ADDR_ANYSTRLEN) {
			struct ik_addr a = { .family = IK_AF_INET6 };

			memcpy(a.v6, in->id, 16);
			ik_addr_fmt_any(&a, buf);
			return;
		}
		break;
	case IK_PKI_ID_FQDN:
	case IK_PKI_ID_EMAIL:
		ik_str_escape(in->id, in->id_len > 255 ? 255 : in->id_len, buf, len);
		return;
	case IK_PKI_ID_DN: {
		const unsigned char *p = in->id;
		X509_NAME *n = d2i_X509_NAME(NULL, &p, (long)in->id_len);

		if (n) {
			ik_pki_name_text(n, buf, len);
			X509_NAME_free(n);
			return;
		}
		ERR_clear_error();
		break;
	}
	}
	snprintf(buf, len, "(unreadable)");
}

/* The leaf: the certificate the ID names, else the first that is no CA,
 * else the first. */
static int pick_leaf(const struct ik_pki_peer_in *in, X509 **all, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ik_pki_cert_has_id(all[i], in->id_kind, in->id, in->id_len))
			return (int)i;
	for (size_t i = 0; i < n; i++)
		if (!X509_check_ca(all[i]))
			return (int)i;
	return 0;
}

static void fail_msg(const struct ik_pki_peer_in *in, struct ik_pki_verdict *v,
		     enum ik_pki_verdict_code code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void fail_msg(const struct ik_pki_peer_in *in, struct ik_pki_verdict *v,
		     enum ik_pki_verdict_code code, const char *fmt, ...)
{
	va_list ap;
	char ra[IK_ADDR_ANYSTRLEN];

	v->code = code;
	va_start(ap, fmt);
	vsnprintf(v->reason, sizeof(v->reason), fmt, ap);
	va_end(ap);
	if (code != IK_PKI_V_AUTHZ)
		ik_msg(in->log, IK_LOG_NOTICE, "%%CRYPTO-5-IKMP_INVAL_CERT: Certificate received "
		       "from %s failed validation (%s)", ik_addr_fmt_any(&in->peer, ra), v->reason);
}

static void chain_msg(const struct ik_pki_peer_in *in, X509 *leaf, enum ik_pki_result r)
{
	char serial[80] = "", when[64] = "";
	const ASN1_INTEGER *sn = X509_get0_serialNumber(leaf);
	BIGNUM *bn = sn ? ASN1_INTEGER_to_BN(sn, NULL) : NULL;
	char *hex = bn ? BN_bn2hex(bn) : NULL;
	const ASN1_TIME *t = r == IK_PKI_EXPIRED ? X509_get0_notAfter(leaf) :
		X509_get0_notBefore(leaf);
	BIO *b = BIO_new(BIO_s_mem());

	snprintf(serial, sizeof(serial), "%s", hex ? hex : "?");
	OPENSSL_free(hex);
	BN_free(bn);
	if (b && ASN1_TIME_print(b, t) == 1) {
		int n = BIO_read(b, when, (int)sizeof(when) - 1);

		when[n > 0 ? n : 0] = '\0';
	}
	BIO_free(b);
	ERR_clear_error();
	if (r == IK_PKI_EXPIRED)
		ik_msg(in->log, IK_LOG_ERR, "%%PKI-3-CERTIFICATE_INVALID_EXPIRED: Certificate chain "
		       "validation has failed.  The certificate (SN: %s) has expired.    Validity "
		       "period ended on %s", serial, when);
	else if (r == IK_PKI_NOT_YET_VALID)
		ik_msg(in->log, IK_LOG_ERR, "%%PKI-3-CERTIFICATE_INVALID_NOT_YET_VALID: Certificate "
		       "chain validation has failed.  The certificate (SN: %s) is not yet valid    "
		       "Validity period starts on %s", serial, when);
	else
		ik_msg(in->log, IK_LOG_ERR, "%%PKI-3-CERTIFICATE_INVALID: Certificate chain "
		       "validation has failed.");
}

static enum ik_authz_kind authz_kind(enum ik_pki_id_kind k)
{
	switch (k) {
	case IK_PKI_ID_IPV4:
	case IK_PKI_ID_IPV6: return IK_AUTHZ_ADDRESS;
	case IK_PKI_ID_FQDN: return IK_AUTHZ_FQDN;
	case IK_PKI_ID_EMAIL: return IK_AUTHZ_EMAIL;
	case IK_PKI_ID_DN: return IK_AUTHZ_DN;
	}
	return IK_AUTHZ_ANY;
}

/* Whether the authorization list in force refuses identity idt presenting
 * key (it logs why). */
static bool authz_refuses(const struct ik_pki_peer_in *in, EVP_PKEY *key, const char *idt,
			  const char *ra)
{
	struct ik_authz_id id = { .kind = authz_kind(in->id_kind) };

	if (in->id_kind == IK_PKI_ID_IPV4 && in->id_len == 4) {
		const uint8_t *b = in->id;

		id.addr = ik_addr_v4((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
				     (uint32_t)b[2] << 8 | b[3]);
	} else if (in->id_kind == IK_PKI_ID_IPV6 && in->id_len == 16) {
		id.addr.family = IK_AF_INET6;
		memcpy(id.addr.v6, in->id, 16);
	} else if (in->id_kind == IK_PKI_ID_IPV4 || in->id_kind == IK_PKI_ID_IPV6) {
		/* an address of the wrong length is no address the list can name */
		PDBG(in, "CRYPTO_PKI: %s: address identity of %zu bytes refused by the AuthList %s",
		     ra, in->id_len, ik_authz_name(in->authz));
		return true;
	} else {
		id.value = idt;
	}
	return ik_authz_check(in->authz, &id, key, ra, in->log) != IK_AUTHZ_OK;
}

static void authz_fail(const struct ik_pki_peer_in *in, struct ik_pki_verdict *v,
		       const char *idt)
{
	char ht[80];

	fail_msg(in, v, IK_PKI_V_AUTHZ, "Peer Not Validated against the AuthList %s: %s presented "
		 "%s", ik_authz_name(in->authz), idt,
		 ik_pki_key_hash_text(v->key, IK_PKI_SHA256, ht, sizeof(ht)));
	EVP_PKEY_free(v->key);
	v->key = NULL;
}

/* A key no CA vouches for (raw, or of a self-signed certificate): accepted
 * only when the list in force accepts raw keys and pins this one for the
 * identity. v->key is the key; what names it for the messages. */
static enum ik_pki_verdict_code pin_check(const struct ik_pki_peer_in *in,
					  struct ik_pki_verdict *v, const char *idt,
					  const char *ra, const char *what)
{
	char ht[80];

	ik_pki_key_hash_text(v->key, IK_PKI_SHA256, ht, sizeof(ht));
	if (!in->authz || !ik_authz_raw_keys(in->authz)) {
		fail_msg(in, v, IK_PKI_V_RAW, "%s of %s (key %s) and %s%s%s", what, idt, ht,
			 in->authz ? "authorization list " : "no authorization list in the profile",
			 in->authz ? ik_authz_name(in->authz) : "",
			 in->authz ? " does not say raw-public-key accept" : "");
		EVP_PKEY_free(v->key);
		v->key = NULL;
		return v->code;
	}
	PDBG(in, "CRYPTO_PKI: %s of %s: key %s, checked against the AuthList %s", what, idt, ht,
	     ik_authz_name(in->authz));
	if (authz_refuses(in, v->key, idt, ra) && !IK_MUTANT(IK_MUT_RAW_PIN)) {
		authz_fail(in, v, idt);
		return v->code;
	}
	v->pinned = true;
	v->code = IK_PKI_V_OK;
	return v->code;
}

/* The peer's raw public key (IKEv2 CERT encoding 15). */
static enum ik_pki_verdict_code raw_verify(const struct ik_pki_peer_in *in,
					   struct ik_pki_verdict *v, const char *idt)
{
	char why[300], ra[IK_ADDR_ANYSTRLEN];

	ik_addr_fmt_any(&in->peer, ra);
	MDBG(in, "CRYPTO_PKI: raw public key received from %s, %zu bytes", ra, in->raw_key_len);
	v->key = ik_pki_spki_parse(in->raw_key, in->raw_key_len, why, sizeof(why));
	if (!v->key) {
		fail_msg(in, v, IK_PKI_V_BAD_CERT, "%s", why);
		return v->code;
	}
	snprintf(v->subject, sizeof(v->subject), "raw public key");
	return pin_check(in, v, idt, ra, "raw public key");
}

enum ik_pki_verdict_code ik_pki_peer_verify(const struct ik_pki_peer_in *in,
					    struct ik_pki_verdict *v)
{
	X509 *all[IK_PKI_MAX_PEER_CERTS] = { 0 };
	STACK_OF(X509) *untrusted = NULL;
	size_t n = 0;
	int li;
	char why[300], idt[IK_ESCAPED_LEN(255)], ra[IK_ADDR_ANYSTRLEN];
	enum ik_pki_result best = IK_PKI_UNKNOWN_CA;
	char best_why[300] = "no trustpoint with a CA certificate";

	memset(v, 0, sizeof(*v));
	id_text(in, idt, sizeof(idt));
	ik_addr_fmt_any(&in->peer, ra);
	if (in->raw_key)
		return raw_verify(in, v, idt);
	if (!in->ncerts) {
		fail_msg(in, v, IK_PKI_V_NO_CERT, "no certificate received");
		return v->code;
	}
	if (in->ncerts > IK_PKI_MAX_PEER_CERTS) {
		fail_msg(in, v, IK_PKI_V_BAD_CERT, "%zu certificates received, at most %u taken",
			 in->ncerts, IK_PKI_MAX_PEER_CERTS);
		return v->code;
	}
	for (n = 0; n < in->ncerts; n++) {
		all[n] = ik_pki_cert_parse(in->certs[n], in->cert_lens[n], why, sizeof(why));
		if (!all[n]) {
			fail_msg(in, v, IK_PKI_V_BAD_CERT, "certificate %zu of %zu: %s", n + 1,
				 in->ncerts, why);
			goto out;
		}
		MDBG(in, "CRYPTO_PKI: certificate %zu received from %s, %zu bytes", n + 1, ra,
		     in->cert_lens[n]);
	}
	li = pick_leaf(in, all, n);
	v->leaf = all[li];
	if (X509_up_ref(v->leaf) != 1) {
		v->leaf = NULL;
		fail_msg(in, v, IK_PKI_V_BAD_CERT, "out of memory");
		goto out;
	}
	ik_pki_name_text(X509_get_subject_name(v->leaf), v->subject, sizeof(v->subject));
	PDBG(in, "CRYPTO_PKI: validating certificate of %s, subject %s", ra, v->subject);
	untrusted = sk_X509_new_null();
	for (size_t i = 0; untrusted && i < n; i++)
		if ((int)i != li && !sk_X509_push(untrusted, all[i]))
			break;
	/* the chain: the first trustpoint that validates it */
	v->chain = IK_PKI_UNKNOWN_CA;
	for (size_t t = 0; t < in->ntps; t++) {
		const struct ik_trustpoint *tp = in->tps[t];
		enum ik_pki_result r;

		if (!tp || !tp->store || !ik_pki_store_ncas(tp->store))
			continue;
		r = ik_pki_verify(tp->store, v->leaf, untrusted, in->now, why, sizeof(why));
		PDBG(in, "CRYPTO_PKI: trustpoint %s: %s%s%s%s", tp->name, ik_pki_result_text(r),
		     r ? " (" : "", r ? why : "", r ? ")" : "");
		if (r == IK_PKI_OK) {
			v->tp = tp;
			v->chain = IK_PKI_OK;
			break;
		}
		if (best == IK_PKI_UNKNOWN_CA) {
			best = r;
			snprintf(best_why, sizeof(best_why), "%s", why);
		}
	}
	/* a self-signed certificate under no trustpoint: a raw key in a wrapper */
	if (!v->tp && best == IK_PKI_UNKNOWN_CA && ik_pki_cert_self_signed(v->leaf) &&
	    in->authz && ik_authz_raw_keys(in->authz)) {
		if (in->map && !ik_pki_certmap_match(in->map, v->leaf)) {
			fail_msg(in, v, IK_PKI_V_MAP, "certificate map %s does not match %s",
				 in->map->name, v->subject);
			goto out;
		}
		v->key = X509_get_pubkey(v->leaf);
		if (!v->key) {
			fail_msg(in, v, IK_PKI_V_BAD_CERT, "no usable public key in %s", v->subject);
			goto out;
		}
		pin_check(in, v, idt, ra, "self-signed certificate");
		goto out;
	}
	if (!v->tp && IK_MUTANT(IK_MUT_CERT_CHAIN) && in->ntps)
		v->tp = in->tps[0];
	if (!v->tp) {
		v->chain = best;
		if (best == IK_PKI_UNKNOWN_CA && ik_pki_cert_self_signed(v->leaf))
			PDBG(in, "CRYPTO_PKI: %s is self-signed: accepted only when pinned by an "
			     "authorization list with raw-public-key accept", v->subject);
		chain_msg(in, v->leaf, best);
		fail_msg(in, v, IK_PKI_V_CHAIN, "%s: %s", ik_pki_result_text(best), best_why);
		goto out;
	}
	PDBG(in, "CRYPTO_PKI: Certificate validated by trustpoint %s", v->tp->name);
	/* the identity the peer claims must be the certificate's */
	if (!ik_pki_cert_has_id(v->leaf, in->id_kind, in->id, in->id_len) &&
	    !IK_MUTANT(IK_MUT_CERT_ID)) {
		fail_msg(in, v, IK_PKI_V_ID_MISMATCH, "ID of %s (type %s) and certificate %s do not "
			 "match", idt, id_kind_text(in->id_kind), v->subject);
		goto out;
	}
	if (in->map && !ik_pki_certmap_match(in->map, v->leaf)) {
		fail_msg(in, v, IK_PKI_V_MAP, "certificate map %s does not match %s", in->map->name,
			 v->subject);
		goto out;
	}
	v->key = X509_get_pubkey(v->leaf);
	if (!v->key) {
		fail_msg(in, v, IK_PKI_V_BAD_CERT, "no usable public key in %s", v->subject);
		goto out;
	}
	if (in->authz && authz_refuses(in, v->key, idt, ra) && !IK_MUTANT(IK_MUT_CERT_AUTHZ)) {
		authz_fail(in, v, idt);
		goto out;
	}
	v->code = IK_PKI_V_OK;
out:
	sk_X509_free(untrusted);
	for (size_t i = 0; i < n && i < IK_PKI_MAX_PEER_CERTS; i++)
		X509_free(all[i]);
	ERR_clear_error();
	return v->code;
}

/* ---- signatures ---- */

static size_t ec_half(EVP_PKEY *key)
{
	return ((size_t)EVP_PKEY_get_bits(key) + 7) / 8;
}

unsigned ik_pki_v1_auth_method(EVP_PKEY *key)
{
	int bits;

	if (!key)
		return 0;
	if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA)
		return 3;
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC)
		return 0;
	bits = EVP_PKEY_get_bits(key);
	return bits == 256 ? 9 : bits == 384 ? 10 : bits == 521 ? 11 : 0;
}

int ik_pki_sign(EVP_PKEY *key, enum ik_pki_sig_scheme s, const uint8_t *data, size_t len,
		uint8_t *sig, size_t cap)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
	uint8_t der[256];
	size_t sl = 0;
	int rc = -1;

	if (!ctx || EVP_PKEY_sign_init(ctx) != 1)
		goto out;
	if (s == IK_SIG_V1_RSA) {
		if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA ||
		    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1 ||
		    EVP_PKEY_sign(ctx, NULL, &sl, data, len) != 1 || sl > cap ||
		    EVP_PKEY_sign(ctx, sig, &sl, data, len) != 1)
			goto out;
		rc = (int)sl;
	} else {
		ECDSA_SIG *es;
		const unsigned char *p = der;
		const BIGNUM *r, *sv;
		size_t half = ec_half(key);

		if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC || 2 * half > cap)
			goto out;
		sl = sizeof(der);
		if (EVP_PKEY_sign(ctx, der, &sl, data, len) != 1)
			goto out;
		es = d2i_ECDSA_SIG(NULL, &p, (long)sl);
		if (!es)
			goto out;
		ECDSA_SIG_get0(es, &r, &sv);
		if (BN_bn2binpad(r, sig, (int)half) == (int)half &&
		    BN_bn2binpad(sv, sig + half, (int)half) == (int)half)
			rc = (int)(2 * half);
		ECDSA_SIG_free(es);
	}
out:
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

bool ik_pki_verify_sig(EVP_PKEY *key, enum ik_pki_sig_scheme s, const uint8_t *data, size_t len,
		       const uint8_t *sig, size_t siglen)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
	bool ok = false;

	if (!ctx || EVP_PKEY_verify_init(ctx) != 1)
		goto out;
	if (s == IK_SIG_V1_RSA) {
		ok = EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA &&
		     EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
		     EVP_PKEY_verify(ctx, sig, siglen, data, len) == 1;
	} else {
		size_t half = ec_half(key);
		ECDSA_SIG *es;
		BIGNUM *r, *sv;
		unsigned char *der = NULL;
		int dlen;

		if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC || siglen != 2 * half)
			goto out;
		es = ECDSA_SIG_new();
		r = BN_bin2bn(sig, (int)half, NULL);
		sv = BN_bin2bn(sig + half, (int)half, NULL);
		if (!es || !r || !sv || ECDSA_SIG_set0(es, r, sv) != 1) {
			BN_free(r);
			BN_free(sv);
			ECDSA_SIG_free(es);
			goto out;
		}
		dlen = i2d_ECDSA_SIG(es, &der);
		ok = dlen > 0 && EVP_PKEY_verify(ctx, der, (size_t)dlen, data, len) == 1;
		OPENSSL_free(der);
		ECDSA_SIG_free(es);
	}
out:
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

static bool key_suits(const struct ik_trustpoint *tp, enum ik_authm want)
{
	int id;

	if (!tp || !tp->cert || !tp->key)
		return false;
	id = EVP_PKEY_get_base_id(tp->key);
	return want == IK_AUTH_NONE || (want == IK_AUTH_RSA_SIG && id == EVP_PKEY_RSA) ||
	       (want == IK_AUTH_ECDSA_SIG && id == EVP_PKEY_EC);
}

const struct ik_trustpoint *ik_pki_local_tp(const struct ik_config *cfg,
					    struct ik_trustpoint *const *tps, size_t ntps,
					    enum ik_authm want)
{
	for (size_t i = 0; i < ntps; i++)
		if (key_suits(tps[i], want))
			return tps[i];
	for (size_t i = 0; cfg && i < cfg->ntrustpoints; i++)
		if (key_suits(cfg->trustpoints[i], want))
			return cfg->trustpoints[i];
	return NULL;
}
