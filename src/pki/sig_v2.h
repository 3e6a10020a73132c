/* IKEv2 signatures for AUTH (RFC 7296 2.15, 3.8; RFC 4754; RFC 7427):
 *   method 1  RSA, PKCS#1 v1.5 with a SHA-1 DigestInfo (what IOS sends);
 *   method 9, 10, 11  ECDSA with SHA-256/384/512 on P-256/384/521, r|s of
 *             fixed size;
 *   method 14 digital signature: one length octet, the DER of an
 *             AlgorithmIdentifier, then the signature (RSA PKCS#1 v1.5 or
 *             DER ECDSA-Sig-Value) with SHA-256, SHA-384 or SHA-512.
 * The octets signed are the SignedOctets of 2.15 (ik_v2_auth_octets). */
#ifndef IK_PKI_SIG_V2_H
#define IK_PKI_SIG_V2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#define IK_V2_SIG_MAX 1200 /* AUTH data of a signature, AlgorithmIdentifier included */

enum ik_v2_sig_hash { IK_V2_SIG_SHA256 = 1, IK_V2_SIG_SHA384, IK_V2_SIG_SHA512 };

/* The method we send for key: 1 for RSA, 9/10/11 for ECDSA by curve, 0 for
 * a key that fits none. */
unsigned ik_pki_v2_method(EVP_PKEY *key);
/* AUTH data for method (1, 9-11, 14; hash is used by 14 only) into out (cap
 * bytes). Returns its length, or -1. */
int ik_pki_v2_sign(EVP_PKEY *key, unsigned method, enum ik_v2_sig_hash hash,
		   const uint8_t *data, size_t len, uint8_t *out, size_t cap);
/* Whether auth (the AUTH data of method) is key's signature of data. why
 * (may be NULL) gets the reason of a refusal: a method that does not suit
 * the key, an unknown or unsupported AlgorithmIdentifier, a bad signature. */
bool ik_pki_v2_verify(EVP_PKEY *key, unsigned method, const uint8_t *auth, size_t alen,
		      const uint8_t *data, size_t len, char *why, size_t whylen);
/* The name of a method for the debug lines ("RSA signature", ...). */
const char *ik_pki_v2_method_name(unsigned method);

#endif
