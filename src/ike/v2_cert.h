/* IKE_AUTH with certificates: see v2_cert.c. */
#ifndef IK_IKE_V2_CERT_H
#define IK_IKE_V2_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "conf/model.h"
#include "pki/sig_v2.h"

struct ik_v2_ike_sa;
struct ik_v2_builder;
struct ik_v2_rx;
struct ik_v2_id_pl;
struct ik_v2_auth;

/* The AUTH method we sign with for key: 14 (RFC 7427, with the first of
 * SHA-256, SHA-384, SHA-512 in peer_hashes, into *hash) when digsig (the
 * profile asks for it) and the peer announced one of them; else the key's
 * own (1 for RSA as IOS, 9-11 for ECDSA). */
unsigned ik_v2_cert_method(EVP_PKEY *key, bool digsig, uint8_t peer_hashes,
			   enum ik_v2_sig_hash *hash);
/* rsa-sig or ecdsa-sig. */
bool ik_v2_auth_is_sig(enum ik_authm m);
/* identity local dn: the DER subject of the certificate we sign with into
 * out; its length, 0 when there is none (or it does not fit). */
size_t ik_v2_cert_local_dn(const struct ik_v2_ike_sa *s, uint8_t *out, size_t cap);
/* The text of a DER Name ("cn=...,o=...") in *out (malloc'd): 0 or -1. */
int ik_v2_cert_dn_text(const uint8_t *der, size_t len, char **out);
/* The responder's profile by certificate map: the first IKEv2 profile with
 * `match certificate` (configuration order) whose map matches the peer's
 * end-entity certificate; NULL when none does (or no CERT). Before any
 * check of the certificate: the profile's trustpoints validate it after. */
const struct ik_ikev2_profile *ik_v2_cert_profile(struct ik_v2_ike_sa *s,
						 const struct ik_v2_rx *rx);
/* CERTREQ (X.509 signature) naming the SHA-1 hashes of the public keys of
 * the CAs of the profile's trustpoints, when the profile authenticates the
 * peer by certificate and there is any. */
void ik_v2_cert_req(struct ik_v2_ike_sa *s, struct ik_v2_builder *b);
/* SIGNATURE_HASH_ALGORITHMS (RFC 7427) in IKE_SA_INIT when the config has
 * a trustpoint: the hashes we verify digital signatures (method 14) with. */
void ik_v2_cert_sig_hashes(struct ik_v2_ike_sa *s, struct ik_v2_builder *b);
/* The responder's IKE_SA_INIT: it does not know the profile yet, so the
 * CERTREQ names the CAs of every trustpoint (none: no CERTREQ). A peer that
 * sends its certificate only when asked (strongSwan's default) needs it. */
void ik_v2_cert_req_init(struct ik_v2_ike_sa *s, struct ik_v2_builder *b);
/* What the peer's message (IKE_SA_INIT, IKE_AUTH request) says it takes: a
 * CERTREQ of encoding 15, raw public keys (RFC 7670); SIGNATURE_HASH_
 * ALGORITHMS, the hashes of RFC 7427 signatures. */
void ik_v2_cert_note_req(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx);
/* CERT (our certificate; our key alone, encoding 15, when the certificate
 * is self-signed and the peer asked for raw keys), CERTREQ (initiator) and
 * AUTH signed with the key of our trustpoint (the one whose CA the peer's
 * CERTREQ names, else the profile's first that suits) over our
 * SignedOctets; idb/idl: our ID body. 0, or -1 after ik_v2_fail. */
int ik_v2_cert_auth(struct ik_v2_ike_sa *s, struct ik_v2_builder *b, bool initiator,
		    const uint8_t *idb, size_t idl);
/* The peer's CERT payloads and AUTH signature (a) over its SignedOctets
 * with ID id: chain, ID, certificate map, authorization list, signature.
 * 0, or -1 with the reason in why. */
int ik_v2_cert_check(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx,
		     const struct ik_v2_id_pl *id, const struct ik_v2_auth *a, char *why,
		     size_t whylen);

#endif
