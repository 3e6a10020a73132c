/* Certificates: trust anchors, validation, identities, maps, key hashes
 * (see pki.h). */
#include "pki/pki.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "util/secmem.h"
#include "util/util.h"

struct ik_pki_store {
	X509_STORE *st;
	size_t ncas;
	bool crl;
};

static void pki_err(char *err, size_t len, const char *what)
{
	unsigned long e = ERR_get_error();
	char ossl[200] = "";

	if (e)
		ERR_error_string_n(e, ossl, sizeof(ossl));
	ERR_clear_error();
	if (err && len)
		snprintf(err, len, "%s%s%s", what, ossl[0] ? ": " : "", ossl);
}

static bool is_pem(const uint8_t *d, size_t n)
{
	static const char tag[] = "-----BEGIN ";

	/* a PEM text may start with blank lines or comments */
	for (size_t i = 0; i + sizeof(tag) - 1 <= n && i < 4096; i++)
		if (!memcmp(d + i, tag, sizeof(tag) - 1))
			return true;
	return false;
}

struct ik_pki_store *ik_pki_store_new(void)
{
	struct ik_pki_store *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->st = X509_STORE_new();
	if (!s->st) {
		free(s);
		return NULL;
	}
	return s;
}

void ik_pki_store_free(struct ik_pki_store *s)
{
	if (!s)
		return;
	X509_STORE_free(s->st);
	free(s);
}

size_t ik_pki_store_ncas(const struct ik_pki_store *s)
{
	return s->ncas;
}

size_t ik_pki_store_cas(const struct ik_pki_store *s, X509 **out, size_t max)
{
	STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(s->st);
	size_t n = 0;

	for (int i = 0; objs && i < sk_X509_OBJECT_num(objs) && n < max; i++) {
		X509 *c = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));

		if (c)
			out[n++] = c;
	}
	return n;
}

X509 *ik_pki_cert_parse(const uint8_t *data, size_t len, char *err, size_t errlen)
{
	X509 *c = NULL;

	if (len == 0 || len > IK_PKI_MAX_CERT) {
		if (err)
			snprintf(err, errlen, "certificate of %zu bytes (1..%u accepted)", len,
				 IK_PKI_MAX_CERT);
		return NULL;
	}
	if (is_pem(data, len)) {
		BIO *b = BIO_new_mem_buf(data, (int)len);

		if (b)
			c = PEM_read_bio_X509(b, NULL, NULL, NULL);
		BIO_free(b);
	} else {
		const unsigned char *p = data;

		c = d2i_X509(NULL, &p, (long)len);
		if (c && (size_t)(p - data) != len) {
			if (err)
				snprintf(err, errlen, "certificate of %zu bytes followed by %zu more",
					 (size_t)(p - data), len - (size_t)(p - data));
			X509_free(c);
			ERR_clear_error();
			return NULL;
		}
	}
	if (!c)
		pki_err(err, errlen, "not a certificate (DER or PEM)");
	return c;
}

int ik_pki_store_add_ca(struct ik_pki_store *s, const uint8_t *data, size_t len, char *err,
			size_t errlen)
{
	int n = 0;

	if (is_pem(data, len)) {
		BIO *b = BIO_new_mem_buf(data, (int)(len > 0x7fffffff ? 0x7fffffff : len));
		X509 *c;

		if (!b)
			return -1;
		while (n <= 64 && (c = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
			if (X509_STORE_add_cert(s->st, c) != 1) {
				X509_free(c);
				BIO_free(b);
				pki_err(err, errlen, "cannot add the CA certificate");
				return -1;
			}
			X509_free(c);
			n++;
		}
		BIO_free(b);
		ERR_clear_error(); /* the end of the text */
		if (!n && err)
			snprintf(err, errlen, "no certificate in the PEM text");
	} else {
		X509 *c = ik_pki_cert_parse(data, len, err, errlen);

		if (c) {
			if (X509_STORE_add_cert(s->st, c) == 1)
				n = 1;
			else
				pki_err(err, errlen, "cannot add the CA certificate");
			X509_free(c);
		}
	}
	if (n <= 0)
		return -1;
	s->ncas += (size_t)n;
	return n;
}

int ik_pki_store_add_crl(struct ik_pki_store *s, const uint8_t *data, size_t len, char *err,
			 size_t errlen)
{
	X509_CRL *crl = NULL;

	if (len == 0 || len > 4u * 1024 * 1024) {
		if (err)
			snprintf(err, errlen, "CRL of %zu bytes", len);
		return -1;
	}
	if (is_pem(data, len)) {
		BIO *b = BIO_new_mem_buf(data, (int)len);

		if (b)
			crl = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL);
		BIO_free(b);
	} else {
		const unsigned char *p = data;

		crl = d2i_X509_CRL(NULL, &p, (long)len);
	}
	if (!crl || X509_STORE_add_crl(s->st, crl) != 1) {
		X509_CRL_free(crl);
		pki_err(err, errlen, "not a CRL (DER or PEM)");
		return -1;
	}
	X509_CRL_free(crl);
	s->crl = true;
	return 0;
}

EVP_PKEY *ik_pki_load_pubkey_file(const char *path, char *err, size_t errlen)
{
	uint8_t *buf;
	size_t n;
	FILE *f = fopen(path, "rb");
	EVP_PKEY *pk = NULL;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(65537);
	if (!buf) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	n = fread(buf, 1, 65537, f);
	fclose(f);
	if (n == 0 || n > 65536) {
		snprintf(err, errlen, "%s: %s (1..65536 bytes accepted)", path,
			 n ? "too large" : "empty");
		free(buf);
		return NULL;
	}
	if (is_pem(buf, n)) {
		BIO *b = BIO_new_mem_buf(buf, (int)n);
		X509 *c = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;

		if (c) {
			pk = X509_get_pubkey(c);
			X509_free(c);
		}
		if (!pk && b && BIO_reset(b) == 1)
			pk = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
		if (!pk && b && BIO_reset(b) == 1)
			pk = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
		BIO_free(b);
	} else {
		const unsigned char *p = buf;
		X509 *c = d2i_X509(NULL, &p, (long)n);

		if (c) {
			pk = X509_get_pubkey(c);
			X509_free(c);
		}
		if (!pk) {
			p = buf;
			pk = d2i_PUBKEY(NULL, &p, (long)n);
		}
		if (!pk) {
			p = buf;
			pk = d2i_AutoPrivateKey(NULL, &p, (long)n);
		}
	}
	ik_wipe(buf, n);
	free(buf);
	if (!pk) {
		char what[300];

		snprintf(what, sizeof(what), "%s: no certificate, public or private key (PEM or DER)",
			 path);
		pki_err(err, errlen, what);
	}
	ERR_clear_error();
	return pk;
}

/* ---- validation ---- */

const char *ik_pki_result_text(enum ik_pki_result r)
{
	switch (r) {
	case IK_PKI_OK: return "certificate chain validated";
	case IK_PKI_EXPIRED: return "certificate has expired";
	case IK_PKI_NOT_YET_VALID: return "certificate is not yet valid";
	case IK_PKI_UNKNOWN_CA: return "unknown CA: no trusted CA of the trustpoint issued it";
	case IK_PKI_BAD_SIGNATURE: return "certificate signature failure";
	case IK_PKI_REVOKED: return "certificate revoked";
	case IK_PKI_BAD_USAGE: return "key usage does not allow IKE signatures";
	case IK_PKI_TOO_DEEP: return "certificate chain too long";
	case IK_PKI_FAILED: break;
	}
	return "certificate validation failed";
}

static enum ik_pki_result map_error(int e)
{
	switch (e) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CRL_HAS_EXPIRED:
		return IK_PKI_EXPIRED;
	case X509_V_ERR_CERT_NOT_YET_VALID:
	case X509_V_ERR_CRL_NOT_YET_VALID:
		return IK_PKI_NOT_YET_VALID;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		return IK_PKI_UNKNOWN_CA;
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
	case X509_V_ERR_CRL_SIGNATURE_FAILURE:
	case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
		return IK_PKI_BAD_SIGNATURE;
	case X509_V_ERR_CERT_REVOKED:
		return IK_PKI_REVOKED;
	case X509_V_ERR_CERT_CHAIN_TOO_LONG:
		return IK_PKI_TOO_DEEP;
	case X509_V_ERR_INVALID_PURPOSE:
	case X509_V_ERR_INVALID_CA:
	case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
	case X509_V_ERR_KEYUSAGE_NO_CRL_SIGN:
		return IK_PKI_BAD_USAGE;
	default:
		return IK_PKI_FAILED;
	}
}

enum ik_pki_result ik_pki_verify(const struct ik_pki_store *s, X509 *leaf,
				 STACK_OF(X509) *untrusted, time_t now, char *why, size_t whylen)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509_VERIFY_PARAM *vp;
	enum ik_pki_result r = IK_PKI_FAILED;
	char subj[300] = "";

	if (why && whylen)
		why[0] = '\0';
	if (!ctx)
		return IK_PKI_FAILED;
	if (untrusted && sk_X509_num(untrusted) >= IK_PKI_MAX_DEPTH) {
		if (why)
			snprintf(why, whylen, "%d certificates sent, at most %d accepted",
				 sk_X509_num(untrusted) + 1, IK_PKI_MAX_DEPTH);
		X509_STORE_CTX_free(ctx);
		return IK_PKI_TOO_DEEP;
	}
	if (X509_STORE_CTX_init(ctx, s->st, leaf, untrusted) != 1)
		goto out;
	vp = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_time(vp, now);
	X509_VERIFY_PARAM_set_depth(vp, IK_PKI_MAX_DEPTH - 1);
	if (s->crl)
		X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_CRL_CHECK);
	if (X509_verify_cert(ctx) == 1) {
		uint32_t ku = X509_get_key_usage(leaf);

		/* a key usage, when present, must allow signatures (RFC 4945 5.1.3.2) */
		if (ku != UINT32_MAX && !(ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION))) {
			r = IK_PKI_BAD_USAGE;
			ik_pki_name_text(X509_get_subject_name(leaf), subj, sizeof(subj));
			if (why)
				snprintf(why, whylen, "key usage of %s lacks digitalSignature", subj);
		} else {
			r = IK_PKI_OK;
		}
	} else {
		int e = X509_STORE_CTX_get_error(ctx);
		X509 *at = X509_STORE_CTX_get_current_cert(ctx);

		r = map_error(e);
		if (at)
			ik_pki_name_text(X509_get_subject_name(at), subj, sizeof(subj));
		if (why)
			snprintf(why, whylen, "%s (%s)", X509_verify_cert_error_string(e),
				 subj[0] ? subj : "no certificate");
	}
out:
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return r;
}

/* ---- identities ---- */

static bool asn1_text_eq(const ASN1_STRING *s, const void *val, size_t len)
{
	return s && (size_t)ASN1_STRING_length(s) == len &&
	       strncasecmp((const char *)ASN1_STRING_get0_data(s), val, len) == 0;
}

bool ik_pki_cert_has_id(X509 *c, enum ik_pki_id_kind kind, const void *val, size_t len)
{
	GENERAL_NAMES *alt;
	bool found = false;

	if (kind == IK_PKI_ID_DN) {
		const unsigned char *p = val;
		X509_NAME *n = d2i_X509_NAME(NULL, &p, (long)len);

		found = n && (size_t)(p - (const unsigned char *)val) == len &&
			X509_NAME_cmp(n, X509_get_subject_name(c)) == 0;
		X509_NAME_free(n);
		ERR_clear_error();
		return found;
	}
	alt = X509_get_ext_d2i(c, NID_subject_alt_name, NULL, NULL);
	for (int i = 0; alt && i < sk_GENERAL_NAME_num(alt) && !found; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(alt, i);

		switch (kind) {
		case IK_PKI_ID_IPV4:
		case IK_PKI_ID_IPV6:
			found = g->type == GEN_IPADD && (len == 4 || len == 16) &&
				(kind == IK_PKI_ID_IPV4) == (len == 4) &&
				ASN1_STRING_length(g->d.iPAddress) == (int)len &&
				!memcmp(ASN1_STRING_get0_data(g->d.iPAddress), val, len);
			break;
		case IK_PKI_ID_FQDN:
			found = g->type == GEN_DNS && asn1_text_eq(g->d.dNSName, val, len);
			break;
		case IK_PKI_ID_EMAIL:
			found = g->type == GEN_EMAIL && asn1_text_eq(g->d.rfc822Name, val, len);
			break;
		case IK_PKI_ID_DN:
			break;
		}
	}
	GENERAL_NAMES_free(alt);
	if (!found && kind == IK_PKI_ID_EMAIL) {
		const X509_NAME *n = X509_get_subject_name(c);

		for (int k = -1; !found &&
		     (k = X509_NAME_get_index_by_NID(n, NID_pkcs9_emailAddress, k)) >= 0;)
			found = asn1_text_eq(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, k)),
					     val, len);
	}
	ERR_clear_error();
	return found;
}

void ik_pki_name_text(const X509_NAME *n, char *buf, size_t len)
{
	size_t at = 0;

	if (!len)
		return;
	buf[0] = '\0';
	for (int i = 0; i < X509_NAME_entry_count(n); i++) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(n, i);
		const char *sn = OBJ_nid2sn(OBJ_obj2nid(X509_NAME_ENTRY_get_object(e)));
		unsigned char *u = NULL;
		int ul = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(e));
		char key[64], val[IK_ESCAPED_LEN(256)];

		snprintf(key, sizeof(key), "%s", sn ? sn : "unknown");
		for (char *k = key; *k; k++)
			*k = (char)tolower((unsigned char)*k);
		ik_str_escape(u, ul > 0 ? (size_t)(ul > 256 ? 256 : ul) : 0, val, sizeof(val));
		OPENSSL_free(u);
		at += (size_t)snprintf(buf + at, at < len ? len - at : 0, "%s%s=%s", i ? "," : "",
				       key, val);
		if (at >= len) {
			buf[len - 1] = '\0';
			break;
		}
	}
}

/* ---- certificate maps ---- */

static bool contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return true;
	return n == 0;
}

bool ik_pki_map_match(X509 *c, const struct ik_pki_map_rule *rules, size_t n)
{
	char text[1024];

	for (size_t i = 0; i < n; i++) {
		const struct ik_pki_map_rule *r = &rules[i];
		bool hit;

		ik_pki_name_text(r->field == IK_PKI_MAP_SUBJECT ? X509_get_subject_name(c) :
				 X509_get_issuer_name(c), text, sizeof(text));
		switch (r->op) {
		case IK_PKI_MAP_EQ: hit = !strcasecmp(text, r->value); break;
		case IK_PKI_MAP_NE: hit = strcasecmp(text, r->value) != 0; break;
		case IK_PKI_MAP_CO: hit = contains_nocase(text, r->value); break;
		case IK_PKI_MAP_NC: hit = !contains_nocase(text, r->value); break;
		default: hit = false; break;
		}
		if (!hit)
			return false;
	}
	return true;
}

/* ---- key hashes ---- */

int ik_pki_key_hash(EVP_PKEY *pk, enum ik_pki_hash alg, uint8_t out[32])
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(pk, &der);
	unsigned int ol = 0;
	int rc = -1;

	if (n > 0 && EVP_Digest(der, (size_t)n, out, &ol,
				alg == IK_PKI_SHA1 ? EVP_sha1() : EVP_sha256(), NULL) == 1)
		rc = (int)ol;
	OPENSSL_free(der);
	ERR_clear_error();
	return rc;
}

char *ik_pki_key_hash_text(EVP_PKEY *pk, enum ik_pki_hash alg, char *buf, size_t len)
{
	uint8_t h[32];
	char hex[65];
	int n = ik_pki_key_hash(pk, alg, h);

	if (n < 0) {
		snprintf(buf, len, "(no hash)");
		return buf;
	}
	ik_hex(h, (size_t)n, hex);
	snprintf(buf, len, "%s %s", alg == IK_PKI_SHA1 ? "sha1" : "sha256", hex);
	return buf;
}

/* ---- raw public keys ---- */

EVP_PKEY *ik_pki_spki_parse(const uint8_t *der, size_t len, char *err, size_t errlen)
{
	const unsigned char *p = der;
	EVP_PKEY *pk;
	int id;

	if (len == 0 || len > IK_PKI_MAX_CERT) {
		snprintf(err, errlen, "raw public key of %zu bytes (1..%u accepted)", len,
			 IK_PKI_MAX_CERT);
		return NULL;
	}
	pk = d2i_PUBKEY(NULL, &p, (long)len);
	if (!pk) {
		pki_err(err, errlen, "not a DER SubjectPublicKeyInfo");
		return NULL;
	}
	if ((size_t)(p - der) != len) {
		snprintf(err, errlen, "raw public key of %zu bytes followed by %zu more",
			 (size_t)(p - der), len - (size_t)(p - der));
		EVP_PKEY_free(pk);
		return NULL;
	}
	id = EVP_PKEY_get_base_id(pk);
	if (id != EVP_PKEY_RSA && id != EVP_PKEY_EC) {
		snprintf(err, errlen, "raw public key of type %s (RSA or EC accepted)",
			 OBJ_nid2sn(id) ? OBJ_nid2sn(id) : "?");
		EVP_PKEY_free(pk);
		return NULL;
	}
	ERR_clear_error();
	return pk;
}

bool ik_pki_cert_self_signed(X509 *c)
{
	bool r = X509_self_signed(c, 1) == 1;

	ERR_clear_error();
	return r;
}

/* One attribute of an IOS subject-name: IOS writes the short names in
 * lower case (cn, o, ou, c, st, l) and e= for the e-mail address. */
static int name_add(X509_NAME *n, const char *k, const char *v)
{
	char up[32];
	size_t i;

	if (!strcasecmp(k, "e") || !strcasecmp(k, "ea") || !strcasecmp(k, "email"))
		k = "emailAddress";
	for (i = 0; k[i] && i + 1 < sizeof(up); i++)
		up[i] = (char)toupper((unsigned char)k[i]);
	up[i] = '\0';
	if (OBJ_txt2nid(k) == NID_undef && OBJ_txt2nid(up) != NID_undef)
		k = up;
	return X509_NAME_add_entry_by_txt(n, k, MBSTRING_UTF8, (const unsigned char *)v, -1, -1,
					  0) == 1 ? 0 : -1;
}

/* "cn=a,o=b" into n; 0 or -1. */
static int name_from_text(X509_NAME *n, const char *text)
{
	char *dup = strdup(text), *save = NULL;
	int rc = 0, added = 0;

	if (!dup)
		return -1;
	for (char *part = strtok_r(dup, ",", &save); part && !rc;
	     part = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(part, '='), *k = part, *v;

		if (!eq) {
			rc = -1;
			break;
		}
		*eq = '\0';
		v = eq + 1;
		while (*k == ' ')
			k++;
		for (char *t = eq - 1; t >= k && *t == ' '; t--)
			*t = '\0';
		while (*v == ' ')
			v++;
		if (!*k || !*v || name_add(n, k, v))
			rc = -1;
		added++;
	}
	free(dup);
	return rc || !added ? -1 : 0;
}

X509 *ik_pki_self_sign(EVP_PKEY *key, const char *subject, const char *cn, char *err,
		       size_t errlen)
{
	X509 *c = X509_new();
	X509_NAME *n = X509_NAME_new();
	ASN1_INTEGER *sn = NULL;
	BIGNUM *bn = NULL;
	uint8_t h[32];

	if (!c || !n || ik_pki_key_hash(key, IK_PKI_SHA256, h) != 32)
		goto fail;
	if (subject ? name_from_text(n, subject) :
	    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1,
				       -1, 0) != 1) {
		snprintf(err, errlen, "subject-name '%s' is not of the form cn=NAME[,o=ORG...]",
			 subject ? subject : cn);
		goto out;
	}
	h[0] &= 0x7f; /* a positive serial */
	bn = BN_bin2bn(h, 8, NULL);
	sn = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
	if (!sn || X509_set_version(c, 2) != 1 || X509_set_serialNumber(c, sn) != 1 ||
	    X509_set_subject_name(c, n) != 1 || X509_set_issuer_name(c, n) != 1 ||
	    ASN1_TIME_set_string_X509(X509_getm_notBefore(c), "20000101000000Z") != 1 ||
	    ASN1_TIME_set_string_X509(X509_getm_notAfter(c), "99991231235959Z") != 1 ||
	    X509_set_pubkey(c, key) != 1 || X509_sign(c, key, EVP_sha256()) <= 0)
		goto fail;
	ASN1_INTEGER_free(sn);
	BN_free(bn);
	X509_NAME_free(n);
	ERR_clear_error();
	return c;
fail:
	pki_err(err, errlen, "cannot make the self-signed certificate");
out:
	ASN1_INTEGER_free(sn);
	BN_free(bn);
	X509_NAME_free(n);
	X509_free(c);
	return NULL;
}
