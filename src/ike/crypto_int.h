/* Internal to src/ike/crypto*.c: the process-wide OpenSSL set-up shared by
 * the DH code and the PRF/cipher code. */
#ifndef IK_IKE_CRYPTO_INT_H
#define IK_IKE_CRYPTO_INT_H

/* Loads the OpenSSL providers (default, and legacy for single DES) and
 * fetches the digests, HMAC and ciphers once per process. Safe to call from
 * any thread, any number of times. */
void ik_crypto_setup(void);

#endif
