/* IKEv2 cryptography (RFC 7296 2.13-2.18, RFC 5282, RFC 7634, RFC 7383):
 * prf+, SKEYSEED and the SK_* keys, the rekeyed SKEYSEED, child KEYMAT, the
 * pre-shared-key AUTH value, and the SK/SKF payload's encryption and
 * integrity: AES-CBC with HMAC-SHA1-96/SHA2-256-128/384-192/512-256, AES-GCM
 * with a 16-byte ICV, ChaCha20-Poly1305.
 *
 * Sans-I/O like crypto.h: IVs come from the caller (random bytes for CBC, a
 * value never repeated under one key for the AEAD ciphers). Returns 0 on
 * success and -1 on failure unless said otherwise; secrets live in ik_secret.
 * Algorithm objects are fetched once per process.
 */
#ifndef IK_IKE_V2_CRYPTO_H
#define IK_IKE_V2_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/crypto.h"
#include "ike/pl_walk.h"
#include "ike/v2_msg.h"
#include "util/secmem.h"

#define IK_V2_PRF_MAX 64          /* HMAC-SHA2-512 */
#define IK_V2_ICV_MAX 32
#define IK_V2_IV_MAX 16
#define IK_V2_ICV_MISMATCH (-2)   /* ik_v2_sk_open: the ICV is not the peer's */

/* The algorithms of an IKE SA (IKEv2 transform ids). integ is
 * IK_V2_INTEG_NONE with an AEAD cipher. keylen in bits (AES: 128, 192,
 * 256; GCM 128 or 256; ChaCha20-Poly1305: 0). */
struct ik_v2_suite {
	uint16_t encr, keylen, integ, prf, dh;
};

/* The IKEv2 transform an IOS keyword of `crypto ikev2 proposal` names, for
 * a transform type: ENCR "aes-cbc-128|192|256", "aes-gcm-128|256",
 * "chacha20-poly1305"; INTEG and PRF "sha1", "sha256", "sha384", "sha512"; DH
 * "14", "15", "16", "19", "20", "21", "31". -1 for a keyword this code cannot
 * negotiate (3des, md5, groups 1, 2, 5, 24). */
int ik_v2_transform_from_ios(uint8_t type, const char *kw, struct ik_v2_transform *t);
/* The transforms of a configured proposal in the order IOS sends them
 * (encryption, PRF, integrity, groups; no integrity with AEAD ciphers), into
 * out (max entries). Returns how many, or -1 when more than max; *skipped
 * (may be NULL) counts keywords not negotiable here. */
int ik_v2_proposal_from_conf(const struct ik_ikev2_proposal *cp, struct ik_v2_transform *out,
			     size_t max, unsigned *skipped);
/* The suite of a chosen IKE proposal (one transform of each type, as a
 * responder returns it): 0, or -1 with the reason in err (a type missing or
 * repeated, an unknown attribute). integ stays IK_V2_INTEG_NONE when absent. */
int ik_v2_prop_suite(const struct ik_v2_proposal *p, struct ik_v2_suite *s, char *err,
		     size_t errlen);
/* NULL when the suite is usable here, else why not (for the trace). */
const char *ik_v2_suite_unsupported(const struct ik_v2_suite *s);
bool ik_v2_encr_is_aead(uint16_t encr);
size_t ik_v2_prf_len(uint16_t prf);                       /* 0: unknown */
size_t ik_v2_encr_key_len(uint16_t encr, uint16_t keylen); /* SK_e bytes, salt included */
size_t ik_v2_integ_key_len(uint16_t integ);                /* SK_a bytes */
size_t ik_v2_icv_len(const struct ik_v2_suite *s);
size_t ik_v2_iv_len(uint16_t encr);
/* "AES-CBC-256", "AES-GCM-16-128", "CHACHA20-POLY1305", "HMAC-SHA256", ... */
const char *ik_v2_encr_name(uint16_t encr, uint16_t keylen);
const char *ik_v2_integ_name(uint16_t integ);
const char *ik_v2_prf_name(uint16_t prf);

/* The groups IKEv2 offers here: 14, 15, 16, 19, 20, 21, 31. */
bool ik_v2_dh_supported(uint16_t group);
/* The KE payload's data length against the group's (RFC 7296 3.4); 0 when
 * it matches, else -1 with the sizes in err. */
int ik_v2_ke_check(const struct ik_v2_ke *ke, char *err, size_t errlen);

/* prf(key, iov...) with an IKEv2 PRF; out gets ik_v2_prf_len bytes. */
int ik_v2_prf(uint16_t prf, const uint8_t *key, size_t klen, const struct ik_iov *iov,
	      size_t n, uint8_t *out);
/* prf+ (RFC 7296 2.13): T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n),
 * need bytes of T1 | T2 | ... (at most 255 blocks). */
int ik_v2_prf_plus(uint16_t prf, const uint8_t *key, size_t klen, const struct ik_iov *seed,
		   size_t nseed, uint8_t *out, size_t need);

struct ik_v2_keys {
	struct ik_v2_suite s;
	struct ik_secret *skeyseed;
	struct ik_secret *sk_d, *sk_ai, *sk_ar, *sk_ei, *sk_er, *sk_pi, *sk_pr;
};

/* RFC 7296 2.14 in two steps, so that a responder can keep SKEYSEED alone
 * (one PRF output) between IKE_SA_INIT and IKE_AUTH: SKEYSEED = prf(Ni | Nr,
 * g^ir) into *out (a new secret); then the SK_* from it into out, which takes
 * skeyseed over (freed on failure too). */
int ik_v2_skeyseed(const struct ik_v2_suite *s, const struct ik_secret *gir,
		   const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		   struct ik_secret **out);
int ik_v2_derive_keys(const struct ik_v2_suite *s, struct ik_secret *skeyseed,
		      const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		      const uint8_t spi_i[8], const uint8_t spi_r[8], struct ik_v2_keys *out);
/* RFC 7296 2.14: SKEYSEED = prf(Ni | Nr, g^ir), then
 * SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr =
 * prf+(SKEYSEED, Ni | Nr | SPIi | SPIr). */
int ik_v2_derive(const struct ik_v2_suite *s, const struct ik_secret *gir,
		 const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		 const uint8_t spi_i[8], const uint8_t spi_r[8], struct ik_v2_keys *out);
/* RFC 7296 2.18: the new IKE SA's SKEYSEED = prf_old(SK_d (old), g^ir (new) |
 * Ni | Nr), then the keys as above with the new suite and the new SPIs. */
int ik_v2_derive_rekey(const struct ik_v2_suite *s, uint16_t old_prf,
		       const struct ik_secret *old_sk_d, const struct ik_secret *gir,
		       const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		       const uint8_t spi_i[8], const uint8_t spi_r[8], struct ik_v2_keys *out);
void ik_v2_keys_free(struct ik_v2_keys *k);

/* RFC 7296 2.17: KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr), need bytes
 * (the initiator's keys first: encryption then integrity, then the
 * responder's). gir may be NULL (no PFS). */
int ik_v2_child_keymat(uint16_t prf, const struct ik_secret *sk_d, const struct ik_secret *gir,
		       const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		       uint8_t *out, size_t need);

/* RFC 7296 2.15, pre-shared key: AUTH = prf(prf(Shared Secret, "Key Pad for
 * IKEv2"), <SignedOctets>), SignedOctets = the sender's first message (its
 * IKE_SA_INIT) | the peer's nonce data | prf(SK_p, the sender's ID body).
 * sk_p is SK_pi for the initiator's AUTH, SK_pr for the responder's. out gets
 * ik_v2_prf_len bytes. */
int ik_v2_auth_psk(uint16_t prf, const struct ik_secret *psk, const uint8_t *msg,
		   size_t msg_len, const uint8_t *nonce, size_t nonce_len,
		   const struct ik_secret *sk_p, const uint8_t *id_body, size_t id_len,
		   uint8_t *out);
/* Computes the same and compares it in constant time with the AUTH data
 * received: true only when they are equal (and of the PRF's length). */
bool ik_v2_auth_psk_equal(uint16_t prf, const struct ik_secret *psk, const uint8_t *msg,
			  size_t msg_len, const uint8_t *nonce, size_t nonce_len,
			  const struct ik_secret *sk_p, const uint8_t *id_body, size_t id_len,
			  const uint8_t *auth, size_t auth_len);

/* NAT detection data (RFC 7296 2.23): SHA-1(SPIi | SPIr | IP | Port), the
 * address in network order (4 or 16 bytes), the port in host order. */
int ik_v2_natd_hash(const uint8_t spi_i[8], const uint8_t spi_r[8], const uint8_t *addr,
		    size_t alen, uint16_t port, uint8_t out[20]);

/* ---- SK and SKF payloads ---- */

/* Encrypts in place the payloads built after the SK payload at sk_off (the
 * last one of b, opened by ik_v2_b_sk): pads, encrypts with the sender's
 * SK_e (SK_ei when initiator), writes IV | ciphertext | ICV, sets the SK and
 * message lengths and computes the ICV (HMAC with SK_a over the message, or
 * the AEAD tag with the message up to the SK header as associated data).
 * iv: ik_v2_iv_len bytes. */
int ik_v2_sk_seal(const struct ik_v2_keys *k, bool initiator, struct ik_v2_builder *b,
		  size_t sk_off, const uint8_t *iv, char *err, size_t errlen);
/* Checks the ICV of a received message (msg, msg_len = hdr.len) whose last
 * clear payload sk is SK or SKF, sent by the initiator or not (the keys
 * used are the sender's), and decrypts it into plain (at least the
 * encrypted length). *plain_len is the inner payloads' length, padding
 * removed. The ICV is compared in constant time (HMAC) or checked by the
 * AEAD; a mismatch returns IK_V2_ICV_MISMATCH, a malformed payload -1. */
int ik_v2_sk_open(const struct ik_v2_keys *k, bool from_initiator, const uint8_t *msg,
		  size_t msg_len, const struct ik_pl *sk, uint8_t *plain, size_t plain_size,
		  size_t *plain_len, char *err, size_t errlen);

/* RFC 7383: cuts the inner payloads of a message built in b (SK opened at
 * sk_off, not yet sealed) into fragments of at most frag_max bytes of
 * datagram each, every one an SKF payload sealed like SK (fragment 1 keeps
 * the first inner payload type, the others 0). Calls emit for each fragment
 * with its bytes; ivs gives ik_v2_iv_len bytes per fragment (total * iv_len).
 * Returns the number of fragments, or -1. */
typedef int (*ik_v2_frag_emit_fn)(void *arg, const uint8_t *msg, size_t len);
int ik_v2_fragment(const struct ik_v2_keys *k, bool initiator, const struct ik_v2_builder *b,
		   size_t sk_off, size_t frag_max, const uint8_t *ivs, size_t ivs_len,
		   ik_v2_frag_emit_fn emit, void *arg, char *err, size_t errlen);

#endif
