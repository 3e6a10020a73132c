/* Peer authentication by certificate, for either IKE version: the one place
 * where the certificates a peer sent, the identity it claims, the trustpoints
 * and certificate map of the profile and the authorization list meet.
 *
 * IKEv1 Main Mode (ike/v1_cert.c) and IKEv2 IKE_AUTH call:
 *   1. ik_pki_peer_verify() with the CERT payloads (DER X.509, any order; the
 *      one whose subject names the identity, else the first end-entity
 *      certificate, is the leaf), the ID payload, the trustpoints to try
 *      (those of the profile, or every trustpoint with a CA when the
 *      profile names none), the profile's certificate map and authorization
 *      list, the peer's address and the wall-clock time. It returns a verdict
 *      with IOS's words for a failure and, on success, the peer's public key.
 *      A peer may instead present a raw public key (IKEv2 CERT encoding 15,
 *      RFC 7670) or a self-signed certificate no trustpoint validates: it is
 *      accepted only when the authorization list in force says
 *      `raw-public-key accept` and pins that key for the peer's identity
 *      (the key is then the whole proof: dates and names of a self-signed
 *      certificate are the peer's own words and are not checked).
 *   2. ik_pki_verify_sig() on the signed octets (IKEv1: HASH_I/HASH_R) with
 *      that key; ik_pki_sign() for our own signature with the trustpoint's
 *      private key (ik_pki_local_tp() picks the trustpoint).
 * Nothing here keeps state between calls; the snapshot's trustpoints are
 * read only (OpenSSL's X509_STORE is safe for concurrent verification). */
#ifndef IK_PKI_PEERAUTH_H
#define IK_PKI_PEERAUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "conf/model.h"
#include "pki/authlist.h"
#include "pki/pki.h"
#include "util/addr.h"
#include "util/log.h"

#define IK_PKI_MAX_PEER_CERTS 8 /* CERT payloads taken from one message */

enum ik_pki_verdict_code {
	IK_PKI_V_OK = 0,
	IK_PKI_V_NO_CERT,       /* no certificate (and no pinned raw key) */
	IK_PKI_V_BAD_CERT,      /* a CERT payload that does not parse */
	IK_PKI_V_CHAIN,         /* chain validation failed: see chain */
	IK_PKI_V_ID_MISMATCH,   /* the ID payload does not name the certificate */
	IK_PKI_V_MAP,           /* the profile's certificate map refuses it */
	IK_PKI_V_AUTHZ,         /* the authorization list refuses its key */
	IK_PKI_V_RAW,           /* a raw key (or self-signed certificate) and no list that
				 * accepts raw public keys */
};

struct ik_pki_peer_in {
	const uint8_t *const *certs;    /* DER of each certificate */
	const size_t *cert_lens;
	size_t ncerts;
	const uint8_t *raw_key;         /* DER SubjectPublicKeyInfo (IKEv2 CERT encoding
					 * 15), or NULL */
	size_t raw_key_len;
	enum ik_pki_id_kind id_kind;    /* the ID payload: kind and value */
	const void *id;                 /* IPv4: 4 bytes network order; DN: DER */
	size_t id_len;
	struct ik_trustpoint *const *tps;
	size_t ntps;
	const struct ik_certmap *map;   /* NULL: none */
	const struct ik_authz_list *authz; /* NULL: no list in force */
	struct ik_addr peer;
	time_t now;
	const struct ik_log *log;
	unsigned conn_id;               /* for the debug lines */
};

struct ik_pki_verdict {
	enum ik_pki_verdict_code code;
	enum ik_pki_result chain;       /* IK_PKI_V_CHAIN */
	char reason[400];               /* IOS's words, then the detail */
	const struct ik_trustpoint *tp; /* that validated the chain */
	X509 *leaf;                     /* owned: ik_pki_verdict_clear */
	EVP_PKEY *key;                  /* the leaf's key (owned) */
	char subject[256];              /* the leaf's subject, as maps see it */
	bool pinned;                    /* accepted as a raw key the list pins (tp NULL) */
};

/* Returns v->code; on IK_PKI_V_OK, v->key is the key the signature must
 * verify with. Logs the IOS messages of a failure (%CRYPTO-5-IKMP_INVAL_CERT,
 * %PKI-3-CERTIFICATE_INVALID_EXPIRED, ...) and the debug crypto pki lines. */
enum ik_pki_verdict_code ik_pki_peer_verify(const struct ik_pki_peer_in *in,
					    struct ik_pki_verdict *v);
void ik_pki_verdict_clear(struct ik_pki_verdict *v);

/* Whether a certificate map (any of its entries, in SEQ order) matches c. */
bool ik_pki_certmap_match(const struct ik_certmap *m, X509 *c);

/* Signatures as IKEv1 makes them (RFC 2409 5.1, RFC 4754 with IKEv1): RSA
 * is PKCS#1 v1.5 type 1 padding of the octets themselves (no DigestInfo);
 * ECDSA signs the octets (HASH_I or HASH_R) as the digest, r|s of fixed
 * size (as strongSwan does). */
enum ik_pki_sig_scheme { IK_SIG_V1_RSA = 1, IK_SIG_V1_ECDSA };

/* The signature into sig (cap bytes); its length, or -1. */
int ik_pki_sign(EVP_PKEY *key, enum ik_pki_sig_scheme s, const uint8_t *data, size_t len,
		uint8_t *sig, size_t cap);
/* Whether sig is key's signature of data. */
bool ik_pki_verify_sig(EVP_PKEY *key, enum ik_pki_sig_scheme s, const uint8_t *data, size_t len,
		       const uint8_t *sig, size_t siglen);
/* The scheme for a key (RSA or EC), and the IKEv1 authentication method
 * (3 RSA signatures; 9, 10, 11 ECDSA with P-256, P-384, P-521 of RFC 4754),
 * 0 when the key fits none. */
unsigned ik_pki_v1_auth_method(EVP_PKEY *key);

/* The trustpoint whose certificate and key we present: the first of tps
 * that has both, else the first of every trustpoint of cfg that has both
 * and whose key type suits want (IK_AUTH_RSA_SIG, IK_AUTH_ECDSA_SIG, or
 * IK_AUTH_NONE for either). NULL when there is none. */
const struct ik_trustpoint *ik_pki_local_tp(const struct ik_config *cfg,
					    struct ik_trustpoint *const *tps, size_t ntps,
					    enum ik_authm want);

#endif
