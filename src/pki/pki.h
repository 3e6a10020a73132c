/* Certificates for IKE authentication (rsa-sig, ecdsa-sig): the trust
 * anchors of a trustpoint, chain validation, the check that an ID payload
 * names the certificate it came with, IOS certificate maps, and the hash of a
 * public key by which a peer can be pinned (see authlist.h).
 *
 * Built on OpenSSL's X509_STORE. Every failure is one of the results below
 * with a reason in IOS's words ("certificate has expired", "unknown CA"...),
 * never a crash: certificates are peer input. */
#ifndef IK_PKI_PKI_H
#define IK_PKI_PKI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* Bounds on what is accepted (errors beyond them). */
#define IK_PKI_MAX_CERT (16u * 1024) /* bytes of one certificate */
#define IK_PKI_MAX_DEPTH 8           /* certificates in a chain, leaf included */

/* ---- trust anchors ---- */
struct ik_pki_store;

struct ik_pki_store *ik_pki_store_new(void);
void ik_pki_store_free(struct ik_pki_store *s);
/* Adds a CA certificate (DER or PEM; a PEM text may hold several). Returns
 * how many were added, or -1 with the reason in err. */
int ik_pki_store_add_ca(struct ik_pki_store *s, const uint8_t *data, size_t len, char *err,
			size_t errlen);
/* Adds a CRL (DER or PEM) and turns revocation checking on
 * (`revocation-check crl`). Returns 0 or -1. */
int ik_pki_store_add_crl(struct ik_pki_store *s, const uint8_t *data, size_t len, char *err,
			 size_t errlen);
size_t ik_pki_store_ncas(const struct ik_pki_store *s);
/* Up to max of the store's CA certificates (owned by the store), for show
 * output. Returns how many. */
size_t ik_pki_store_cas(const struct ik_pki_store *s, X509 **out, size_t max);

/* ---- certificates ---- */
/* One certificate from DER or PEM bytes, or NULL with the reason (sizes
 * compared, or OpenSSL's reason). */
X509 *ik_pki_cert_parse(const uint8_t *data, size_t len, char *err, size_t errlen);
/* A certificate, a public key or a private key (PEM or DER) from a file: its
 * public key, or NULL with the reason. */
EVP_PKEY *ik_pki_load_pubkey_file(const char *path, char *err, size_t errlen);

enum ik_pki_result {
	IK_PKI_OK = 0,
	IK_PKI_EXPIRED,
	IK_PKI_NOT_YET_VALID,
	IK_PKI_UNKNOWN_CA,
	IK_PKI_BAD_SIGNATURE,
	IK_PKI_REVOKED,
	IK_PKI_BAD_USAGE,
	IK_PKI_TOO_DEEP,
	IK_PKI_FAILED,
};
/* IOS's words for a result ("certificate has expired", ...). */
const char *ik_pki_result_text(enum ik_pki_result r);

/* Validates leaf up to a trust anchor of s, with the peer's other
 * certificates (untrusted, may be NULL) as intermediates, at time now: dates,
 * signatures, CA flags and key usage (digitalSignature when present),
 * revocation when the store has CRLs, depth at most IK_PKI_MAX_DEPTH. why
 * gets OpenSSL's detail and the subject concerned. */
enum ik_pki_result ik_pki_verify(const struct ik_pki_store *s, X509 *leaf,
				 STACK_OF(X509) *untrusted, time_t now, char *why, size_t whylen);

/* ---- identities ---- */
enum ik_pki_id_kind {
	IK_PKI_ID_IPV4 = 1,     /* 4 bytes, network order */
	IK_PKI_ID_FQDN,
	IK_PKI_ID_EMAIL,
	IK_PKI_ID_DN,           /* DER of a Name */
	IK_PKI_ID_IPV6,         /* 16 bytes, network order */
};

/* Whether the certificate names this identity: an IPv4, IPv6, FQDN or e-mail
 * identity must be among its subjectAltNames (an e-mail also as the
 * subject's emailAddress); a DN must equal its subject. */
bool ik_pki_cert_has_id(X509 *c, enum ik_pki_id_kind kind, const void *val, size_t len);

/* The subject or issuer as IOS prints it in show output and certificate
 * maps: "cn=r1.example.com,o=Example" (lower-case attribute names, comma
 * separated). */
void ik_pki_name_text(const X509_NAME *n, char *buf, size_t len);

/* ---- certificate maps (crypto pki certificate map NAME SEQ) ---- */
enum ik_pki_map_field { IK_PKI_MAP_SUBJECT, IK_PKI_MAP_ISSUER };
enum ik_pki_map_op { IK_PKI_MAP_EQ, IK_PKI_MAP_NE, IK_PKI_MAP_CO, IK_PKI_MAP_NC };

struct ik_pki_map_rule {
	enum ik_pki_map_field field;
	enum ik_pki_map_op op;
	const char *value;      /* compared without regard to case, as IOS does */
};

/* Every rule of one map entry holds for c. */
bool ik_pki_map_match(X509 *c, const struct ik_pki_map_rule *rules, size_t n);

/* ---- raw public keys ---- */
/* A DER SubjectPublicKeyInfo (RFC 7670's Raw Public Key, CERT encoding 15)
 * of exactly len bytes: its key (RSA or EC), or NULL with the reason. */
EVP_PKEY *ik_pki_spki_parse(const uint8_t *der, size_t len, char *err, size_t errlen);
/* Whether c is self-signed: its issuer is its subject and its own key
 * verifies its signature. */
bool ik_pki_cert_self_signed(X509 *c);
/* A self-signed certificate for key (`enrollment selfsigned`): subject from
 * the IOS subject-name text ("cn=r1.example.com,o=Example"; NULL: cn=cn),
 * serial from the key's hash, valid from 2000-01-01 with no well-defined
 * expiration (99991231235959Z, RFC 5280 4.1.2.5): the key is what peers pin,
 * the dates mean nothing. With an RSA key the same inputs give the same
 * certificate at every load, so a peer may also hold it as a trust anchor.
 * NULL with the reason. */
X509 *ik_pki_self_sign(EVP_PKEY *key, const char *subject, const char *cn, char *err,
		       size_t errlen);

/* ---- public-key hashes ---- */
enum ik_pki_hash { IK_PKI_SHA1 = 1, IK_PKI_SHA256 };

/* The hash of the key's DER SubjectPublicKeyInfo. Returns its length (20 or
 * 32) or -1. */
int ik_pki_key_hash(EVP_PKEY *pk, enum ik_pki_hash alg, uint8_t out[32]);
/* "sha256 6ab919e2..." (lower-case hex), the form an authorization list
 * takes. Returns buf. */
char *ik_pki_key_hash_text(EVP_PKEY *pk, enum ik_pki_hash alg, char *buf, size_t len);

#endif
