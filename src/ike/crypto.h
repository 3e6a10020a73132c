/* IKE cryptography: Diffie-Hellman, PRF/hash, IKEv1 key derivation and
 * phase-1 encryption (RFC 2409 section 5 and appendix B).
 *
 * Sans-I/O: nothing here draws randomness by itself. DH private values are
 * made from bytes that the caller takes from the host's RNG, so two engines
 * with fixed RNGs in one test process are deterministic.
 * OpenSSL tri-state returns are checked for == 1; all return 0 on success and
 * -1 on failure unless said otherwise. Secrets live in ik_secret (secure memory).
 */
#ifndef IK_IKE_CRYPTO_H
#define IK_IKE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/model.h"
#include "util/secmem.h"

struct ik_iov {
	const void *p;
	size_t len;
};

/* Per-process set-up, done once (later calls return at once): algorithm
 * objects and every Diffie-Hellman group's tables. The engine calls it when
 * it is made, so that no exchange waits for it. */
void ik_crypto_prepare(void);

/* ---- Diffie-Hellman: groups 1, 2, 5, 14, 15, 16 (MODP), 19, 20, 21 (ECP),
 * 24 (MODP with 256-bit subgroup), 31 (X25519) where supported ---- */
bool ik_dh_supported(unsigned group);
const char *ik_dh_name(unsigned group);      /* "modp1024", "ecp256", ... */
size_t ik_dh_public_len(unsigned group);     /* KE payload data length */
size_t ik_dh_rand_len(unsigned group);       /* bytes of randomness ik_dh_new wants */

struct ik_dh;
/* Makes a key pair from rand (ik_dh_rand_len bytes). MODP private exponents
 * are short (2x the group's strength, as perf-notes.md measures). */
struct ik_dh *ik_dh_new(unsigned group, const uint8_t *rand, size_t rand_len);
void ik_dh_free(struct ik_dh *dh);
/* The public value as sent in KE (left-padded to ik_dh_public_len; ECP x|y). */
const uint8_t *ik_dh_public(const struct ik_dh *dh, size_t *len);
/* Validates the peer's value (length, 1 < y < p-1, on-curve) and derives g^xy,
 * left-padded to the modulus length. Returns NULL when the value is bad, with
 * a reason in why (may be NULL). */
struct ik_secret *ik_dh_derive(struct ik_dh *dh, const uint8_t *peer, size_t len,
			       char *why, size_t whylen);

/* ---- hash and PRF (HMAC) ---- */
size_t ik_hash_len(enum ik_hash h);
int ik_hash(enum ik_hash h, const struct ik_iov *iov, size_t n, uint8_t *out);
int ik_prf(enum ik_hash h, const uint8_t *key, size_t klen,
	   const struct ik_iov *iov, size_t n, uint8_t *out);

/* ---- phase-1 ciphers (CBC) ---- */
size_t ik_encr_block_len(enum ik_encr e);            /* 8 for des/3des, 16 for aes */
size_t ik_encr_key_len(enum ik_encr e, unsigned keylen_bits); /* bytes */
/* NULL when the cipher and key length work here, else why not (single DES
 * needs OpenSSL's legacy provider, which may be missing). */
const char *ik_encr_unsupported(enum ik_encr e, unsigned keylen_bits);
/* len must be a multiple of the block length. iv is updated to the last
 * ciphertext block (the IV chaining of RFC 2409 appendix B). */
int ik_cbc_encrypt(enum ik_encr e, const uint8_t *key, size_t klen, uint8_t *iv,
		   const uint8_t *in, size_t len, uint8_t *out);
int ik_cbc_decrypt(enum ik_encr e, const uint8_t *key, size_t klen, uint8_t *iv,
		   const uint8_t *in, size_t len, uint8_t *out);

/* ---- IKEv1 key derivation ---- */
struct ik_v1_keys {
	struct ik_secret *skeyid, *skeyid_d, *skeyid_a, *skeyid_e;
	struct ik_secret *enc_key;   /* SKEYID_e expanded per appendix B to the cipher's key length */
	uint8_t iv[16];              /* phase-1 IV = hash(g^xi | g^xr), truncated */
	size_t iv_len;               /* block length */
};
/* SKEYID = prf(psk, Ni_b | Nr_b), or with psk NULL (signature
 * authentication) prf(Ni_b | Nr_b, g^xy); SKEYID_d/_a/_e per RFC 2409 section 5;
 * the cipher key from SKEYID_e (appendix B: K1 = prf(SKEYID_e, 0), ...);
 * the first IV from g^xi | g^xr. */
int ik_v1_derive_psk(enum ik_hash h, enum ik_encr e, unsigned keylen_bits,
		     const struct ik_secret *psk,
		     const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		     const struct ik_secret *gxy,
		     const uint8_t *gxi, size_t gxi_len, const uint8_t *gxr, size_t gxr_len,
		     const uint8_t cky_i[8], const uint8_t cky_r[8],
		     struct ik_v1_keys *out);
void ik_v1_keys_free(struct ik_v1_keys *k);

/* IV of a phase-2 or informational exchange: hash(last phase-1 CBC block | M-ID),
 * truncated to the block length. */
int ik_v1_iv_msgid(enum ik_hash h, const uint8_t *p1_last_block, size_t blen,
		   uint32_t msgid, uint8_t *out);

/* Quick Mode KEYMAT (RFC 2409 section 5.5), expanded to need bytes:
 * KEYMAT = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b), then
 * K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b), K2 = prf(SKEYID_d, K1 | ...), ...
 * gxy_qm may be NULL (no PFS). spi in network byte order as on the wire. */
int ik_v1_keymat(enum ik_hash h, const struct ik_secret *skeyid_d,
		 const struct ik_secret *gxy_qm, uint8_t protocol, const uint8_t spi[4],
		 const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		 uint8_t *out, size_t need);

/* ESP key lengths in bytes for a transform (GCM: key plus 4-byte salt). */
size_t ik_esp_enc_key_len(enum ik_esp_enc e, unsigned keylen_bits);
size_t ik_esp_auth_key_len(enum ik_esp_auth a);

#endif
