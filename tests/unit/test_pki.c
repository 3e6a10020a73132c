/* Certificates and the authorization list by key hash: chain validation
 * failures (expired, not yet valid, unknown CA, bad signature, key usage,
 * revoked), identity/certificate matching, certificate maps, key hashes
 * against the openssl command line, and the list itself (SHA-1 and SHA-256,
 * wrong hash, identity not listed, any), and raw public keys and
 * self-signed certificates that only the list vouches for (raw-public-key
 * accept). Certificates are made here with OpenSSL, RSA and ECDSA. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "pki/authlist.h"
#include "pki/peerauth.h"
#include "pki/pki.h"
#include "util/log.h"
#include "util/secmem.h"

#define NOW 1767225600 /* 2026-01-01 */
#define DAY 86400

static EVP_PKEY *key_rsa(void)
{
	EVP_PKEY *k = EVP_RSA_gen(2048);

	ck_assert_ptr_nonnull(k);
	return k;
}

static EVP_PKEY *key_ec(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	ck_assert_ptr_nonnull(k);
	return k;
}

static void add_ext(X509 *c, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;

	X509V3_set_ctx(&ctx, issuer ? issuer : c, c, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(X509_add_ext(c, e, -1), 1);
	X509_EXTENSION_free(e);
}

/* A certificate for key, named cn (and o), issued by (issuer, ikey) or
 * self-signed, valid from NOW+from to NOW+to seconds. */
static X509 *make_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey, long from,
		       long to, bool ca, const char *san, const char *ku)
{
	static long serial = 1;
	X509 *c = X509_new();
	X509_NAME *n = X509_NAME_new();

	ck_assert_ptr_nonnull(c);
	X509_set_version(c, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(c), serial++);
	X509_time_adj_ex(X509_getm_notBefore(c), 0, from, (time_t[]){ NOW });
	X509_time_adj_ex(X509_getm_notAfter(c), 0, to, (time_t[]){ NOW });
	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"Example", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(c, n);
	X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer) : n);
	X509_NAME_free(n);
	X509_set_pubkey(c, key);
	add_ext(c, issuer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
	if (ku)
		add_ext(c, issuer, NID_key_usage, ku);
	if (san)
		add_ext(c, issuer, NID_subject_alt_name, san);
	ck_assert_int_gt(X509_sign(c, ikey ? ikey : key, EVP_sha256()), 0);
	return c;
}

static struct ik_pki_store *store_of(X509 *ca)
{
	struct ik_pki_store *s = ik_pki_store_new();
	unsigned char *der = NULL;
	int n = i2d_X509(ca, &der);
	char err[256];

	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(ik_pki_store_add_ca(s, der, (size_t)n, err, sizeof(err)), 1);
	OPENSSL_free(der);
	return s;
}

static EVP_PKEY *ca_key, *leaf_key, *ec_key;
static X509 *ca, *leaf;

static void setup(void)
{
	ik_secmem_init();
	ca_key = key_rsa();
	leaf_key = key_rsa();
	ec_key = key_ec();
	ca = make_cert("Lab CA", ca_key, NULL, NULL, -DAY, 3650 * DAY, true, NULL,
		       "critical,keyCertSign,cRLSign");
	leaf = make_cert("r1.example.com", leaf_key, ca, ca_key, -DAY, 365 * DAY, false,
			 "DNS:r1.example.com,IP:192.0.2.1,email:ops@example.com",
			 "critical,digitalSignature");
}

static void teardown(void)
{
	X509_free(leaf);
	X509_free(ca);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(leaf_key);
	EVP_PKEY_free(ec_key);
}

START_TEST(chain_valid_rsa_and_ecdsa)
{
	struct ik_pki_store *s = store_of(ca);
	X509 *ec = make_cert("r2.example.com", ec_key, ca, ca_key, -DAY, DAY, false, NULL, NULL);
	char why[300];

	ck_assert_int_eq(ik_pki_verify(s, leaf, NULL, NOW, why, sizeof(why)), IK_PKI_OK);
	ck_assert_int_eq(ik_pki_verify(s, ec, NULL, NOW, why, sizeof(why)), IK_PKI_OK);
	X509_free(ec);
	ik_pki_store_free(s);
}
END_TEST

START_TEST(chain_failures)
{
	struct ik_pki_store *s = store_of(ca);
	EVP_PKEY *other_key = key_ec();
	X509 *other_ca = make_cert("Other CA", other_key, NULL, NULL, -DAY, DAY, true, NULL,
				   NULL);
	X509 *stranger = make_cert("r3", leaf_key, other_ca, other_key, -DAY, DAY, false, NULL,
				   NULL);
	X509 *noauth = make_cert("r4", leaf_key, ca, ca_key, -DAY, DAY, false, NULL,
				 "critical,keyEncipherment");
	X509 *tampered;
	unsigned char *der = NULL, *at;
	const unsigned char *dp;
	int dl = i2d_X509(leaf, &der);
	char why[300];

	/* dates */
	ck_assert_int_eq(ik_pki_verify(s, leaf, NULL, NOW + 400L * DAY, why, sizeof(why)),
			 IK_PKI_EXPIRED);
	ck_assert_ptr_nonnull(strstr(why, "cn=r1.example.com"));
	ck_assert_int_eq(ik_pki_verify(s, leaf, NULL, NOW - 2 * DAY, why, sizeof(why)),
			 IK_PKI_NOT_YET_VALID);
	/* another CA */
	ck_assert_int_eq(ik_pki_verify(s, stranger, NULL, NOW, why, sizeof(why)),
			 IK_PKI_UNKNOWN_CA);
	ck_assert_str_eq(ik_pki_result_text(IK_PKI_UNKNOWN_CA),
			 "unknown CA: no trusted CA of the trustpoint issued it");
	/* a key usage that does not allow signatures */
	ck_assert_int_eq(ik_pki_verify(s, noauth, NULL, NOW, why, sizeof(why)), IK_PKI_BAD_USAGE);
	/* a signature that no longer matches the contents: one letter of the
	 * subject changed in the DER */
	at = memmem(der, (size_t)dl, "r1.example.com", 14);
	ck_assert_ptr_nonnull(at);
	at[1] = '9';
	dp = der;
	tampered = d2i_X509(NULL, &dp, dl);
	ck_assert_ptr_nonnull(tampered);
	OPENSSL_free(der);
	ck_assert_int_eq(ik_pki_verify(s, tampered, NULL, NOW, why, sizeof(why)),
			 IK_PKI_BAD_SIGNATURE);
	X509_free(tampered);
	X509_free(noauth);
	X509_free(stranger);
	X509_free(other_ca);
	EVP_PKEY_free(other_key);
	ik_pki_store_free(s);
}
END_TEST

START_TEST(chain_revoked)
{
	struct ik_pki_store *s = store_of(ca);
	X509_CRL *crl = X509_CRL_new();
	X509_REVOKED *rv = X509_REVOKED_new();
	ASN1_TIME *t = ASN1_TIME_set(NULL, NOW - 3600);
	unsigned char *der = NULL;
	char err[256], why[300];
	int n;

	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca));
	X509_CRL_set1_lastUpdate(crl, t);
	ASN1_TIME_set(t, NOW + DAY);
	X509_CRL_set1_nextUpdate(crl, t);
	X509_REVOKED_set_serialNumber(rv, X509_get_serialNumber(leaf));
	ASN1_TIME_set(t, NOW - 3600);
	X509_REVOKED_set_revocationDate(rv, t);
	X509_CRL_add0_revoked(crl, rv);
	X509_CRL_sort(crl);
	ck_assert_int_gt(X509_CRL_sign(crl, ca_key, EVP_sha256()), 0);
	n = i2d_X509_CRL(crl, &der);
	ck_assert_int_eq(ik_pki_store_add_crl(s, der, (size_t)n, err, sizeof(err)), 0);
	ck_assert_int_eq(ik_pki_verify(s, leaf, NULL, NOW, why, sizeof(why)), IK_PKI_REVOKED);
	OPENSSL_free(der);
	ASN1_TIME_free(t);
	X509_CRL_free(crl);
	ik_pki_store_free(s);
}
END_TEST

START_TEST(identity_matches_certificate)
{
	const uint8_t ip[4] = { 192, 0, 2, 1 }, other[4] = { 192, 0, 2, 9 };
	unsigned char *dn = NULL;
	int dnl = i2d_X509_NAME(X509_get_subject_name(leaf), &dn);

	ck_assert(ik_pki_cert_has_id(leaf, IK_PKI_ID_IPV4, ip, 4));
	ck_assert(!ik_pki_cert_has_id(leaf, IK_PKI_ID_IPV4, other, 4));
	ck_assert(ik_pki_cert_has_id(leaf, IK_PKI_ID_FQDN, "R1.example.com", 14));
	ck_assert(!ik_pki_cert_has_id(leaf, IK_PKI_ID_FQDN, "r2.example.com", 14));
	ck_assert(ik_pki_cert_has_id(leaf, IK_PKI_ID_EMAIL, "ops@example.com", 15));
	ck_assert(ik_pki_cert_has_id(leaf, IK_PKI_ID_DN, dn, (size_t)dnl));
	ck_assert(!ik_pki_cert_has_id(ca, IK_PKI_ID_DN, dn, (size_t)dnl));
	/* a DN with trailing bytes is no DN */
	ck_assert(!ik_pki_cert_has_id(leaf, IK_PKI_ID_DN, dn, (size_t)dnl - 1));
	OPENSSL_free(dn);
}
END_TEST

START_TEST(certificate_maps)
{
	char text[256];
	struct ik_pki_map_rule co = { IK_PKI_MAP_SUBJECT, IK_PKI_MAP_CO, "example.com" };
	struct ik_pki_map_rule eq = { IK_PKI_MAP_SUBJECT, IK_PKI_MAP_EQ,
				      "O=Example,CN=R1.Example.Com" };
	struct ik_pki_map_rule iss = { IK_PKI_MAP_ISSUER, IK_PKI_MAP_CO, "cn=lab ca" };
	struct ik_pki_map_rule nc = { IK_PKI_MAP_ISSUER, IK_PKI_MAP_NC, "lab" };
	struct ik_pki_map_rule both[2] = { co, iss };

	ik_pki_name_text(X509_get_subject_name(leaf), text, sizeof(text));
	ck_assert_str_eq(text, "o=Example,cn=r1.example.com");
	ck_assert(ik_pki_map_match(leaf, &co, 1));
	ck_assert(ik_pki_map_match(leaf, &eq, 1));
	ck_assert(ik_pki_map_match(leaf, both, 2));
	ck_assert(!ik_pki_map_match(leaf, &nc, 1));
	ck_assert(!ik_pki_map_match(ca, &co, 1));
}
END_TEST

/* The hash of the DER SubjectPublicKeyInfo, against the openssl command line
 * (computed outside this code). */
START_TEST(key_hash_known_answer)
{
	char path[] = "/tmp/ikpki-XXXXXX", cmd[512], want[128] = "", got[128];
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w"), *p;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(PEM_write_X509(f, leaf), 1);
	fclose(f);
	for (int alg = 0; alg < 2; alg++) {
		char err[256];
		EVP_PKEY *pk = ik_pki_load_pubkey_file(path, err, sizeof(err));

		ck_assert_msg(pk != NULL, "%s", err);
		snprintf(cmd, sizeof(cmd), "openssl x509 -in %s -noout -pubkey | openssl pkey "
			 "-pubin -outform DER | openssl dgst -%s -r | cut -d' ' -f1", path,
			 alg ? "sha256" : "sha1");
		p = popen(cmd, "r");
		ck_assert_ptr_nonnull(p);
		ck_assert_ptr_nonnull(fgets(want, sizeof(want), p));
		pclose(p);
		want[strcspn(want, "\n")] = '\0';
		ik_pki_key_hash_text(pk, alg ? IK_PKI_SHA256 : IK_PKI_SHA1, got, sizeof(got));
		ck_assert_str_eq(got + (alg ? 7 : 5), want);
		ck_assert(!strncmp(got, alg ? "sha256 " : "sha1 ", alg ? 7 : 5));
		EVP_PKEY_free(pk);
	}
	unlink(path);
}
END_TEST

START_TEST(load_errors)
{
	char err[256];
	static const uint8_t junk[] = "not a certificate";

	ck_assert_ptr_null(ik_pki_load_pubkey_file("/nonexistent/cert.pem", err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/cert.pem"));
	ck_assert_ptr_null(ik_pki_cert_parse(junk, sizeof(junk), err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "not a certificate"));
	ck_assert_ptr_null(ik_pki_cert_parse(junk, 0, err, sizeof(err)));
}
END_TEST

/* ---- the authorization list ---- */

static struct ik_log_capture cap;
static struct ik_log lg = { .debug_mask = IK_DBG_ISAKMP_AAA, .sink = ik_log_capture_sink,
			     .ctx = &cap };

static struct ik_authz_entry entry(enum ik_authz_kind kind, const char *v, EVP_PKEY *pk,
				   enum ik_pki_hash alg)
{
	struct ik_authz_entry e = { { kind, { .v4 = 0 }, v }, alg, { 0 }, 7 };

	ck_assert_int_gt(ik_pki_key_hash(pk, alg, e.hash), 0);
	return e;
}

START_TEST(authlist)
{
	EVP_PKEY *pk = X509_get0_pubkey(leaf);
	struct ik_authz_entry ents[3] = {
		entry(IK_AUTHZ_FQDN, "r1.example.com", pk, IK_PKI_SHA256),
		entry(IK_AUTHZ_FQDN, "r2.example.com", ec_key, IK_PKI_SHA1),
		entry(IK_AUTHZ_EMAIL, "ops@example.com", ec_key, IK_PKI_SHA256),
	};
	struct ik_authz_list *l = ik_authz_build("PINNED", ents, 3, false);
	struct ik_authz_id r1 = { IK_AUTHZ_FQDN, { .v4 = 0 }, "R1.EXAMPLE.COM" };
	struct ik_authz_id r2 = { IK_AUTHZ_FQDN, { .v4 = 0 }, "r2.example.com" };
	struct ik_authz_id r3 = { IK_AUTHZ_FQDN, { .v4 = 0 }, "r3.example.com" };
	struct ik_authz_id mail = { IK_AUTHZ_EMAIL, { .v4 = 0 }, "ops@example.com" };
	char want[100];

	ik_log_capture_clear(&cap);
	ck_assert_ptr_nonnull(l);
	/* SHA-256 entry, identity compared without regard to case */
	ck_assert_int_eq(ik_authz_check(l, &r1, pk, "192.0.2.1", &lg), IK_AUTHZ_OK);
	ck_assert_int_ge(ik_log_capture_find(&cap, 0, "Peer Validated against the AuthList "
					     "PINNED"), 0);
	/* SHA-1 entry */
	ck_assert_int_eq(ik_authz_check(l, &r2, ec_key, "192.0.2.2", &lg), IK_AUTHZ_OK);
	/* the right identity with another key: refused, with the key it showed */
	ck_assert_int_eq(ik_authz_check(l, &r2, pk, "192.0.2.2", &lg), IK_AUTHZ_KEY_MISMATCH);
	ik_pki_key_hash_text(pk, IK_PKI_SHA256, want, sizeof(want));
	ck_assert_int_ge(ik_log_capture_find(&cap, 0, "Peer Not Validated against the AuthList "
					     "PINNED: fqdn r2.example.com presented key"), 0);
	ck_assert_int_ge(ik_log_capture_find(&cap, 0, want), 0);
	ck_assert_int_ge(ik_log_capture_find(&cap, 0, "%CRYPTO-4-IKMP_AUTHLIST_FAIL: Peer "
					     "192.0.2.2 (fqdn r2.example.com) Not Validated"), 0);
	/* an identity not on the list */
	ck_assert_int_eq(ik_authz_check(l, &r3, pk, "192.0.2.3", &lg), IK_AUTHZ_NO_ENTRY);
	ck_assert_int_ge(ik_log_capture_find(&cap, 0, "identity not on the list"), 0);
	/* the same name as another kind of identity is another identity */
	ck_assert_int_eq(ik_authz_check(l, &mail, pk, "192.0.2.4", &lg), IK_AUTHZ_KEY_MISMATCH);
	ik_authz_free(l);
	ik_log_capture_clear(&cap);
}
END_TEST

START_TEST(authlist_any)
{
	EVP_PKEY *pk = X509_get0_pubkey(leaf);
	struct ik_authz_entry e = entry(IK_AUTHZ_ANY, NULL, pk, IK_PKI_SHA256);
	struct ik_authz_list *l = ik_authz_build("ANY", &e, 1, true);
	struct ik_authz_id a = { IK_AUTHZ_ADDRESS, { .v4 = 0xc0000201u }, NULL };

	ck_assert(ik_authz_raw_keys(l));
	ck_assert_int_eq(ik_authz_check(l, &a, pk, "192.0.2.1", &lg), IK_AUTHZ_OK);
	ck_assert_int_eq(ik_authz_check(l, &a, ec_key, "192.0.2.1", &lg), IK_AUTHZ_KEY_MISMATCH);
	ik_authz_free(l);
	ik_log_capture_clear(&cap);
}
END_TEST

/* ---- raw public keys and self-signed certificates ---- */

/* The peer's verdict: identity fqdn r1.example.com from 192.0.2.1, with a
 * raw key (spki) or certificates, the trustpoint tp (may be NULL). */
static enum ik_pki_verdict_code raw_verdict(const struct ik_authz_list *l,
					    const uint8_t *spki, size_t spki_len,
					    X509 *const *certs, size_t ncerts,
					    struct ik_trustpoint *tp, struct ik_pki_verdict *v)
{
	static const char id[] = "r1.example.com";
	unsigned char *der[4] = { 0 };
	const uint8_t *dp[4];
	size_t dl[4];
	struct ik_trustpoint *tps[1] = { tp };
	struct ik_pki_peer_in in = {
		.raw_key = spki, .raw_key_len = spki_len, .id_kind = IK_PKI_ID_FQDN, .id = id,
		.id_len = sizeof(id) - 1, .tps = tps, .ntps = tp ? 1 : 0, .authz = l,
		.peer = ik_addr_v4(0xc0000201u), .now = NOW, .log = &lg,
	};
	enum ik_pki_verdict_code rc;

	ck_assert_uint_le(ncerts, 4);
	for (size_t i = 0; i < ncerts; i++) {
		int n = i2d_X509(certs[i], &der[i]);

		ck_assert_int_gt(n, 0);
		dp[i] = der[i];
		dl[i] = (size_t)n;
	}
	in.certs = dp;
	in.cert_lens = dl;
	in.ncerts = ncerts;
	rc = ik_pki_peer_verify(&in, v);
	for (size_t i = 0; i < ncerts; i++)
		OPENSSL_free(der[i]);
	return rc;
}

/* A list pinning key for fqdn r1.example.com; raw: raw-public-key accept. */
static struct ik_authz_list *pin_list(EVP_PKEY *key, bool raw)
{
	struct ik_authz_entry e = entry(IK_AUTHZ_FQDN, "r1.example.com", key, IK_PKI_SHA256);
	struct ik_authz_list *l = ik_authz_build("RAW", &e, 1, raw);

	ck_assert_ptr_nonnull(l);
	return l;
}

START_TEST(raw_key_pinned)
{
	unsigned char *spki = NULL;
	int n = i2d_PUBKEY(leaf_key, &spki);
	struct ik_authz_list *pinned = pin_list(leaf_key, true);
	struct ik_authz_list *other = pin_list(ec_key, true);
	struct ik_authz_list *no_raw = pin_list(leaf_key, false);
	struct ik_authz_entry e3 = entry(IK_AUTHZ_FQDN, "r3.example.com", leaf_key,
					 IK_PKI_SHA256);
	struct ik_authz_list *unlisted = ik_authz_build("RAW", &e3, 1, true);
	struct ik_pki_verdict v;
	char hash[100];
	uint8_t *junk;

	ck_assert_int_gt(n, 0);
	ik_log_capture_clear(&cap);
	/* pinned for the identity, raw keys accepted: the key to verify AUTH with */
	ck_assert_int_eq(raw_verdict(pinned, spki, (size_t)n, NULL, 0, NULL, &v), IK_PKI_V_OK);
	ck_assert(v.pinned);
	ck_assert_ptr_null(v.tp);
	ck_assert_int_eq(EVP_PKEY_eq(v.key, leaf_key), 1);
	ik_pki_verdict_clear(&v);
	/* the list pins another key: refused with the key it presented */
	ik_log_capture_clear(&cap);
	ck_assert_int_eq(raw_verdict(other, spki, (size_t)n, NULL, 0, NULL, &v), IK_PKI_V_AUTHZ);
	ck_assert_ptr_null(v.key);
	ik_pki_key_hash_text(leaf_key, IK_PKI_SHA256, hash, sizeof(hash));
	ck_assert_ptr_nonnull(strstr(v.reason, "Peer Not Validated against the AuthList RAW: "
				     "r1.example.com presented"));
	ck_assert_ptr_nonnull(strstr(v.reason, hash));
	ck_assert_int_ge(ik_log_capture_find(&cap, 0, "%CRYPTO-4-IKMP_AUTHLIST_FAIL: Peer "
					     "192.0.2.1 (fqdn r1.example.com) Not Validated"), 0);
	ck_assert_int_ge(ik_log_capture_find(&cap, 0, hash), 0);
	ik_pki_verdict_clear(&v);
	/* the right hash, but the list does not say raw-public-key accept */
	ck_assert_int_eq(raw_verdict(no_raw, spki, (size_t)n, NULL, 0, NULL, &v), IK_PKI_V_RAW);
	ck_assert_ptr_nonnull(strstr(v.reason, "does not say raw-public-key accept"));
	ck_assert_ptr_null(v.key);
	ik_pki_verdict_clear(&v);
	/* no list at all */
	ck_assert_int_eq(raw_verdict(NULL, spki, (size_t)n, NULL, 0, NULL, &v), IK_PKI_V_RAW);
	ck_assert_ptr_nonnull(strstr(v.reason, "no authorization list"));
	ik_pki_verdict_clear(&v);
	/* the identity is not on the list (the key is, for another identity) */
	ik_log_capture_clear(&cap);
	ck_assert_int_eq(raw_verdict(unlisted, spki, (size_t)n, NULL, 0, NULL, &v),
			 IK_PKI_V_AUTHZ);
	ck_assert_int_ge(ik_log_capture_find(&cap, 0, "identity not on the list"), 0);
	ik_pki_verdict_clear(&v);
	/* a key followed by junk, and no key at all */
	junk = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(junk);
	memcpy(junk, spki, (size_t)n);
	junk[n] = 0;
	ck_assert_int_eq(raw_verdict(pinned, junk, (size_t)n + 1, NULL, 0, NULL, &v),
			 IK_PKI_V_BAD_CERT);
	ck_assert_ptr_nonnull(strstr(v.reason, "followed by 1 more"));
	ik_pki_verdict_clear(&v);
	ck_assert_int_eq(raw_verdict(pinned, junk + 1, (size_t)n - 1, NULL, 0, NULL, &v),
			 IK_PKI_V_BAD_CERT);
	ik_pki_verdict_clear(&v);
	free(junk);
	OPENSSL_free(spki);
	ik_authz_free(pinned);
	ik_authz_free(other);
	ik_authz_free(no_raw);
	ik_authz_free(unlisted);
	ik_log_capture_clear(&cap);
}
END_TEST

START_TEST(self_signed_pinned)
{
	X509 *self = make_cert("r1.example.com", leaf_key, NULL, NULL, -DAY, DAY, false, NULL,
			       NULL);
	/* the same key, but issued by a CA no trustpoint knows */
	EVP_PKEY *k2 = key_rsa();
	X509 *other_ca = make_cert("Other CA", k2, NULL, NULL, -DAY, DAY, true, NULL, NULL);
	X509 *by_other = make_cert("r1.example.com", leaf_key, other_ca, k2, -DAY, DAY, false,
				   NULL, NULL);
	struct ik_trustpoint tp = { .name = "TP", .store = store_of(ca) };
	struct ik_authz_list *pinned = pin_list(leaf_key, true);
	struct ik_authz_list *other = pin_list(ec_key, true);
	struct ik_authz_list *no_raw = pin_list(leaf_key, false);
	struct ik_pki_verdict v;

	ck_assert(ik_pki_cert_self_signed(self));
	ck_assert(!ik_pki_cert_self_signed(leaf));
	ck_assert(!ik_pki_cert_self_signed(by_other));
	/* under no trustpoint, pinned: accepted without a chain */
	ck_assert_int_eq(raw_verdict(pinned, NULL, 0, &self, 1, &tp, &v), IK_PKI_V_OK);
	ck_assert(v.pinned);
	ck_assert_ptr_null(v.tp);
	ck_assert_int_eq(EVP_PKEY_eq(v.key, leaf_key), 1);
	ik_pki_verdict_clear(&v);
	ck_assert_int_eq(raw_verdict(pinned, NULL, 0, &self, 1, NULL, &v), IK_PKI_V_OK);
	ik_pki_verdict_clear(&v);
	/* another key pinned */
	ck_assert_int_eq(raw_verdict(other, NULL, 0, &self, 1, &tp, &v), IK_PKI_V_AUTHZ);
	ck_assert_ptr_nonnull(strstr(v.reason, "Peer Not Validated against the AuthList"));
	ik_pki_verdict_clear(&v);
	/* no raw-public-key accept: an unknown CA, as before */
	ck_assert_int_eq(raw_verdict(no_raw, NULL, 0, &self, 1, &tp, &v), IK_PKI_V_CHAIN);
	ck_assert_int_eq(v.chain, IK_PKI_UNKNOWN_CA);
	ik_pki_verdict_clear(&v);
	/* a certificate of an unknown CA is no raw key, pinned or not */
	ck_assert_int_eq(raw_verdict(pinned, NULL, 0, &by_other, 1, &tp, &v), IK_PKI_V_CHAIN);
	ik_pki_verdict_clear(&v);
	/* a chain the trustpoint validates still passes through the list */
	ck_assert_int_eq(raw_verdict(pinned, NULL, 0, &leaf, 1, &tp, &v), IK_PKI_V_OK);
	ck_assert(!v.pinned);
	ck_assert_ptr_eq(v.tp, &tp);
	ik_pki_verdict_clear(&v);
	ik_authz_free(pinned);
	ik_authz_free(other);
	ik_authz_free(no_raw);
	ik_pki_store_free(tp.store);
	X509_free(self);
	X509_free(by_other);
	X509_free(other_ca);
	EVP_PKEY_free(k2);
	ik_log_capture_clear(&cap);
}
END_TEST

/* IPv6 identities: a subjectAltName IP of 16 bytes, and the list's address
 * entries for IPv6 (an ID_IPV6_ADDR of IKEv1 or IKEv2). */
START_TEST(ipv6_identity)
{
	static const uint8_t a1[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t a2[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	X509 *c = make_cert("r6.example.com", leaf_key, ca, ca_key, -DAY, DAY, false,
			    "IP:2001:db8::1,IP:192.0.2.1", NULL);
	struct ik_authz_entry e = { { IK_AUTHZ_ADDRESS, { .v4 = 0 }, NULL }, IK_PKI_SHA256,
				    { 0 }, 3 };
	struct ik_authz_list *l;
	struct ik_pki_verdict v;
	unsigned char *spki = NULL;
	int n = i2d_PUBKEY(leaf_key, &spki);
	struct ik_pki_peer_in in = { .raw_key = spki, .raw_key_len = (size_t)n,
				     .id_kind = IK_PKI_ID_IPV6, .id = a1, .id_len = 16,
				     .peer = ik_addr_v4(0xc0000201u), .now = NOW, .log = &lg };

	ck_assert(ik_pki_cert_has_id(c, IK_PKI_ID_IPV6, a1, 16));
	ck_assert(!ik_pki_cert_has_id(c, IK_PKI_ID_IPV6, a2, 16));
	ck_assert(ik_pki_cert_has_id(c, IK_PKI_ID_IPV4, "\xc0\x00\x02\x01", 4));
	/* the first 4 bytes of an IPv6 SAN are no IPv4 identity */
	ck_assert(!ik_pki_cert_has_id(c, IK_PKI_ID_IPV4, a1, 4));
	e.id.addr.family = IK_AF_INET6;
	memcpy(e.id.addr.v6, a1, 16);
	ck_assert_int_eq(ik_pki_key_hash(leaf_key, IK_PKI_SHA256, e.hash), 32);
	l = ik_authz_build("V6", &e, 1, true);
	ck_assert_ptr_nonnull(l);
	in.authz = l;
	ik_log_capture_clear(&cap);
	ck_assert_int_eq(ik_pki_peer_verify(&in, &v), IK_PKI_V_OK);
	ck_assert_int_ge(ik_log_capture_find(&cap, 0, "Peer Validated against the AuthList V6 "
					     "(address 2001:db8::1, line 3)"), 0);
	ik_pki_verdict_clear(&v);
	in.id = a2;
	ck_assert_int_eq(ik_pki_peer_verify(&in, &v), IK_PKI_V_AUTHZ);
	ck_assert_ptr_nonnull(strstr(v.reason, "2001:db8::2 presented"));
	ck_assert_int_ge(ik_log_capture_find(&cap, 0, "(address 2001:db8::2) Not Validated"), 0);
	ik_pki_verdict_clear(&v);
	/* an address identity of the wrong length */
	in.id_len = 5;
	ck_assert_int_eq(ik_pki_peer_verify(&in, &v), IK_PKI_V_AUTHZ);
	ik_pki_verdict_clear(&v);
	ik_authz_free(l);
	OPENSSL_free(spki);
	X509_free(c);
	ik_log_capture_clear(&cap);
}
END_TEST

/* enrollment selfsigned: the certificate made from a key. */
START_TEST(self_sign_made)
{
	char err[300], subj[200];
	X509 *c = ik_pki_self_sign(ec_key, "cn=r1.example.com, o=Lab", "R1", err, sizeof(err));

	ck_assert_ptr_nonnull(c);
	ck_assert(ik_pki_cert_self_signed(c));
	ck_assert_int_eq(X509_check_private_key(c, ec_key), 1);
	ik_pki_name_text(X509_get_subject_name(c), subj, sizeof(subj));
	ck_assert_str_eq(subj, "cn=r1.example.com,o=Lab");
	X509_free(c);
	c = ik_pki_self_sign(leaf_key, NULL, "R1", err, sizeof(err));
	ck_assert_ptr_nonnull(c);
	ik_pki_name_text(X509_get_subject_name(c), subj, sizeof(subj));
	ck_assert_str_eq(subj, "cn=R1");
	/* RSA: the same certificate at every load; no well-defined expiration */
	{
		X509 *again = ik_pki_self_sign(leaf_key, NULL, "R1", err, sizeof(err));

		ck_assert_ptr_nonnull(again);
		ck_assert_int_eq(X509_cmp(c, again), 0);
		ck_assert_int_eq(ASN1_TIME_cmp_time_t(X509_get0_notAfter(c), NOW + 3650L * DAY), 1);
		X509_free(again);
	}
	X509_free(c);
	ck_assert_ptr_null(ik_pki_self_sign(leaf_key, "no equals sign", "R1", err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "'no equals sign'"));
	ck_assert_ptr_null(ik_pki_self_sign(leaf_key, "zz=x", "R1", err, sizeof(err)));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("pki");
	TCase *tc = tcase_create("pki");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, chain_valid_rsa_and_ecdsa);
	tcase_add_test(tc, chain_failures);
	tcase_add_test(tc, chain_revoked);
	tcase_add_test(tc, identity_matches_certificate);
	tcase_add_test(tc, certificate_maps);
	tcase_add_test(tc, key_hash_known_answer);
	tcase_add_test(tc, load_errors);
	tcase_add_test(tc, authlist);
	tcase_add_test(tc, authlist_any);
	tcase_add_test(tc, raw_key_pinned);
	tcase_add_test(tc, self_signed_pinned);
	tcase_add_test(tc, self_sign_made);
	tcase_add_test(tc, ipv6_identity);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
