/* Internal to src/ike/crypto*.c: the process-wide OpenSSL set-up shared by
 * the DH code and the PRF/cipher code. */
#ifndef IK_IKE_CRYPTO_INT_H
#define IK_IKE_CRYPTO_INT_H

#include <stdint.h>

#include <openssl/evp.h>

/* Loads the OpenSSL providers (default, and legacy for single DES) and
 * fetches the digests, HMAC and ciphers once per process. Safe to call from
 * any thread, any number of times. */
void ik_crypto_setup(void);

/* The calling thread's cipher context, initialised for c (a fetched cipher)
 * with key and iv, to encrypt (enc 1) or decrypt (0); NULL on failure. It is
 * the same context at every call of the thread (re-keyed in place when c is
 * the cipher of the previous call): use it before the next call, never free
 * it; after a failure half-way, hand it to ik_crypto_cipher_fail. */
EVP_CIPHER_CTX *ik_crypto_cipher_init(const EVP_CIPHER *c, const uint8_t *key,
				      const uint8_t *iv, int enc);
void ik_crypto_cipher_fail(EVP_CIPHER_CTX *ctx);

#endif
