/* IKEv2 (RFC 7296, RFC 7383) wire codec: the header, the payload chain
 * (walked by the shared walker with IKEv2's rules), a parser for every
 * payload ikerd uses, and a builder symmetric to it. Validate-then-parse:
 * every length is checked against what remains before it is used, and every
 * error names the payload, its offset and the sizes compared. Only a parsed
 * SA payload is allocated, sized by what was received.
 *
 * Encryption of SK/SKF payloads is in v2_crypto.h; this file only frames
 * them.
 */
#ifndef IK_IKE_V2_MSG_H
#define IK_IKE_V2_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/pl_walk.h"

#define IK_V2_HDR_LEN 28
#define IK_V2_MAX_MSG 16384       /* a whole (reassembled) message */
#define IK_V2_MAX_PAYLOADS 48     /* payloads in one chain */
#define IK_V2_MAX_PROPOSALS 16    /* proposals in one SA payload */
#define IK_V2_MAX_TRANSFORMS 64   /* transforms in one proposal */
#define IK_V2_MAX_TS 16           /* traffic selectors in one TS payload */
#define IK_V2_MAX_CP_ATTRS 16     /* attributes in one CP payload */
#define IK_V2_MAX_FRAGMENTS 64    /* RFC 7383 fragments of one message */
#define IK_V2_MIN_NONCE 16        /* RFC 7296 3.9 */
#define IK_V2_MAX_NONCE 256

/* Payload types (RFC 7296 3.2, RFC 7383 2.5). */
enum {
	IK_V2_PL_NONE = 0,
	IK_V2_PL_SA = 33,
	IK_V2_PL_KE = 34,
	IK_V2_PL_IDI = 35,
	IK_V2_PL_IDR = 36,
	IK_V2_PL_CERT = 37,
	IK_V2_PL_CERTREQ = 38,
	IK_V2_PL_AUTH = 39,
	IK_V2_PL_NONCE = 40,
	IK_V2_PL_N = 41,
	IK_V2_PL_D = 42,
	IK_V2_PL_V = 43,
	IK_V2_PL_TSI = 44,
	IK_V2_PL_TSR = 45,
	IK_V2_PL_SK = 46,
	IK_V2_PL_CP = 47,
	IK_V2_PL_EAP = 48,
	IK_V2_PL_GSPM = 49,
	IK_V2_PL_SKF = 53,
};

/* Exchange types and header flags. */
enum {
	IK_V2_EXCH_IKE_SA_INIT = 34,
	IK_V2_EXCH_IKE_AUTH = 35,
	IK_V2_EXCH_CREATE_CHILD_SA = 36,
	IK_V2_EXCH_INFORMATIONAL = 37,
};
#define IK_V2_FLAG_I 0x08         /* sent by the original initiator */
#define IK_V2_FLAG_V 0x10         /* a higher version is supported */
#define IK_V2_FLAG_R 0x20         /* a response */

/* Where a chain is (the contexts of the IKEv2 payload rules). */
enum {
	IK_V2_CTX_INIT = 0,       /* IKE_SA_INIT, in clear */
	IK_V2_CTX_AUTH,           /* inside SK of IKE_AUTH */
	IK_V2_CTX_CHILD,          /* inside SK of CREATE_CHILD_SA */
	IK_V2_CTX_INFO,           /* inside SK of INFORMATIONAL */
	IK_V2_CTX_OUTER,          /* the clear chain of a protected exchange */
	IK_V2_CTX_INFO_CLEAR,     /* an unprotected INFORMATIONAL (RFC 7296 1.5) */
	IK_V2_CTX_N
};
extern const struct ik_pl_rules ik_v2_pl_rules;

/* Protocol ids, transform types and ids (IANA IKEv2 registries). */
enum { IK_V2_PROTO_IKE = 1, IK_V2_PROTO_AH = 2, IK_V2_PROTO_ESP = 3 };
enum {
	IK_V2_TT_ENCR = 1, IK_V2_TT_PRF = 2, IK_V2_TT_INTEG = 3, IK_V2_TT_DH = 4,
	IK_V2_TT_ESN = 5,
};
enum {
	IK_V2_ENCR_3DES = 3, IK_V2_ENCR_AES_CBC = 12, IK_V2_ENCR_AES_GCM_16 = 20,
	IK_V2_ENCR_CHACHA20_POLY1305 = 28,
};
enum {
	IK_V2_PRF_HMAC_SHA1 = 2, IK_V2_PRF_HMAC_SHA2_256 = 5, IK_V2_PRF_HMAC_SHA2_384 = 6,
	IK_V2_PRF_HMAC_SHA2_512 = 7,
};
enum {
	IK_V2_INTEG_NONE = 0, IK_V2_INTEG_HMAC_SHA1_96 = 2, IK_V2_INTEG_HMAC_SHA2_256_128 = 12,
	IK_V2_INTEG_HMAC_SHA2_384_192 = 13, IK_V2_INTEG_HMAC_SHA2_512_256 = 14,
};
#define IK_V2_ATTR_KEY_LENGTH 14

/* ID types (RFC 7296 3.5). */
enum {
	IK_V2_ID_IPV4_ADDR = 1, IK_V2_ID_FQDN = 2, IK_V2_ID_RFC822_ADDR = 3,
	IK_V2_ID_IPV6_ADDR = 5, IK_V2_ID_DER_ASN1_DN = 9, IK_V2_ID_DER_ASN1_GN = 10,
	IK_V2_ID_KEY_ID = 11,
};
/* AUTH methods (RFC 7296 3.8, RFC 7427). */
enum {
	IK_V2_AUTH_RSA_SIG = 1, IK_V2_AUTH_PSK = 2, IK_V2_AUTH_DSS_SIG = 3,
	IK_V2_AUTH_DIGITAL_SIG = 14,
};
/* Certificate encodings (RFC 7296 3.6). */
enum { IK_V2_CERT_X509_SIG = 4, IK_V2_CERT_HASH_URL_X509 = 12, IK_V2_CERT_RAW_PUBKEY = 15 };
/* Traffic selector types (RFC 7296 3.13.1). */
enum { IK_V2_TS_IPV4_ADDR_RANGE = 7, IK_V2_TS_IPV6_ADDR_RANGE = 8 };
/* CP types (RFC 7296 3.15). */
enum { IK_V2_CFG_REQUEST = 1, IK_V2_CFG_REPLY = 2, IK_V2_CFG_SET = 3, IK_V2_CFG_ACK = 4 };

/* Notify message types (RFC 7296 3.10.1, RFC 7383, RFC 5685, RFC 7427). */
enum {
	IK_V2_N_UNSUPPORTED_CRITICAL_PAYLOAD = 1,
	IK_V2_N_INVALID_IKE_SPI = 4,
	IK_V2_N_INVALID_MAJOR_VERSION = 5,
	IK_V2_N_INVALID_SYNTAX = 7,
	IK_V2_N_INVALID_MESSAGE_ID = 9,
	IK_V2_N_INVALID_SPI = 11,
	IK_V2_N_NO_PROPOSAL_CHOSEN = 14,
	IK_V2_N_INVALID_KE_PAYLOAD = 17,
	IK_V2_N_AUTHENTICATION_FAILED = 24,
	IK_V2_N_SINGLE_PAIR_REQUIRED = 34,
	IK_V2_N_NO_ADDITIONAL_SAS = 35,
	IK_V2_N_INTERNAL_ADDRESS_FAILURE = 36,
	IK_V2_N_FAILED_CP_REQUIRED = 37,
	IK_V2_N_TS_UNACCEPTABLE = 38,
	IK_V2_N_INVALID_SELECTORS = 39,
	IK_V2_N_TEMPORARY_FAILURE = 43,
	IK_V2_N_CHILD_SA_NOT_FOUND = 44,
	IK_V2_N_INITIAL_CONTACT = 16384,
	IK_V2_N_SET_WINDOW_SIZE = 16385,
	IK_V2_N_ADDITIONAL_TS_POSSIBLE = 16386,
	IK_V2_N_IPCOMP_SUPPORTED = 16387,
	IK_V2_N_NAT_DETECTION_SOURCE_IP = 16388,
	IK_V2_N_NAT_DETECTION_DESTINATION_IP = 16389,
	IK_V2_N_COOKIE = 16390,
	IK_V2_N_USE_TRANSPORT_MODE = 16391,
	IK_V2_N_HTTP_CERT_LOOKUP_SUPPORTED = 16392,
	IK_V2_N_REKEY_SA = 16393,
	IK_V2_N_ESP_TFC_PADDING_NOT_SUPPORTED = 16394,
	IK_V2_N_NON_FIRST_FRAGMENTS_ALSO = 16395,
	IK_V2_N_MOBIKE_SUPPORTED = 16396,
	IK_V2_N_REDIRECT_SUPPORTED = 16406,
	IK_V2_N_IKEV2_FRAGMENTATION_SUPPORTED = 16430,
	IK_V2_N_SIGNATURE_HASH_ALGORITHMS = 16431,
};
/* Notify types below this are errors (RFC 7296 3.10.1). */
#define IK_V2_N_ERROR_MAX 16383

struct ik_v2_hdr {
	uint8_t spi_i[8], spi_r[8];
	uint8_t np, version, exch, flags;
	uint32_t msgid;
	uint32_t len;
};

/* Results beyond IK_PL_* (0, -1 malformed: INVALID_SYNTAX; -3 an unknown
 * critical payload: UNSUPPORTED_CRITICAL_PAYLOAD with its type). */
#define IK_V2_BAD_VERSION (-4)    /* major version > 2: INVALID_MAJOR_VERSION */

/* A message's payloads: the clear chain, and after decryption the inner one. */
struct ik_v2_msg {
	struct ik_v2_hdr hdr;
	struct ik_pl pl[IK_V2_MAX_PAYLOADS];
	size_t npl;
	size_t end;                /* offset past the last clear payload */
	unsigned skipped;          /* unknown non-critical payloads skipped */
	unsigned bad_type;         /* the type of an unsupported critical payload */
	const struct ik_pl *sk;    /* the SK or SKF payload (last of the clear chain) */
	unsigned inner_np;         /* its next payload field: the first inner payload */
};

/* Exchange, notify, payload, transform names as traces print them. */
const char *ik_v2_exch_name(unsigned exch);     /* "IKE_SA_INIT", ... */
const char *ik_v2_pl_name(unsigned type);       /* "SA", "IDi", "SK", ... */
const char *ik_v2_notify_name(unsigned type);   /* "NAT_DETECTION_SOURCE_IP", ... */
const char *ik_v2_tt_name(unsigned type);       /* "ENCR", "PRF", ... */

/* The header of a datagram (non-ESP marker already removed): version 2.x
 * (IK_V2_BAD_VERSION for a higher major version), a known exchange, length
 * within the datagram and at most IK_V2_MAX_MSG. */
int ik_v2_parse_hdr(const uint8_t *d, size_t dlen, struct ik_v2_hdr *h, char *err, size_t errlen);
/* The clear chain of a message of hdr.len bytes in msg. IKE_SA_INIT takes
 * its payloads in clear; the other exchanges an SK or SKF payload (last), or
 * for INFORMATIONAL only notifies. m->sk and m->inner_np are set when the
 * chain ends with SK/SKF. */
int ik_v2_parse_payloads(const uint8_t *msg, size_t msg_len, struct ik_v2_msg *m,
			 char *err, size_t errlen);
/* The chain inside a decrypted SK payload (plain, len bytes, first payload
 * type first_np), for exchange exch; payload offsets are offsets in plain.
 * Replaces m's payload list. */
int ik_v2_parse_inner(const uint8_t *plain, size_t len, unsigned first_np, unsigned exch,
		      struct ik_v2_msg *m, char *err, size_t errlen);
const struct ik_pl *ik_v2_find(const struct ik_v2_msg *m, unsigned type);
unsigned ik_v2_count(const struct ik_v2_msg *m, unsigned type);
/* The first notify of a type in m, or NULL. */
const struct ik_pl *ik_v2_find_notify(const struct ik_v2_msg *m, uint16_t type);

/* ---- per-payload structures and parsers ---- */

struct ik_v2_transform {
	uint8_t type;              /* IK_V2_TT_* */
	uint16_t id;
	uint16_t keylen;           /* Key Length attribute in bits, 0 when absent */
	bool unknown_attr;         /* carries an attribute other than Key Length:
				    * RFC 7296 3.3.6 says to reject the transform */
	size_t off;
};

struct ik_v2_proposal {
	uint8_t num, proto, spi_size, ntrans;
	uint8_t spi[8];
	size_t off;
	struct ik_v2_transform *t; /* nt, inside the SA's block */
	size_t nt;
};

/* A parsed SA payload: one block sized by the proposals and transforms
 * received (ik_v2_sa_size), freed with ik_v2_sa_free(). */
struct ik_v2_sa {
	struct ik_v2_proposal *p;
	size_t np;
	size_t alloc;
};

struct ik_v2_ke {
	uint16_t group;
	const uint8_t *data;
	size_t len;
};

struct ik_v2_id_pl {
	uint8_t type;
	const uint8_t *data;
	size_t len;
	const uint8_t *body;       /* the whole body: what AUTH signs (RFC 7296 2.15) */
	size_t body_len;
};

struct ik_v2_cert {
	uint8_t encoding;
	const uint8_t *data;
	size_t len;
};

struct ik_v2_auth {
	uint8_t method;
	const uint8_t *data;
	size_t len;
};

struct ik_v2_notify {
	uint8_t proto, spi_size;
	uint16_t type;
	const uint8_t *spi;
	const uint8_t *data;
	size_t data_len;
};

struct ik_v2_delete {
	uint8_t proto, spi_size;
	uint16_t nspi;
	const uint8_t *spis;
};

struct ik_v2_ts {
	uint8_t type;              /* IK_V2_TS_IPV4/6_ADDR_RANGE */
	uint8_t proto;             /* 0: any */
	uint16_t sport, eport;
	uint8_t alen;              /* 4 or 16 */
	uint8_t start[16], end[16];
};

struct ik_v2_ts_list {
	struct ik_v2_ts ts[IK_V2_MAX_TS];
	size_t n;
};

struct ik_v2_cp_attr {
	uint16_t type;
	const uint8_t *val;
	uint16_t len;
};

struct ik_v2_cp {
	uint8_t type;              /* IK_V2_CFG_* */
	struct ik_v2_cp_attr attr[IK_V2_MAX_CP_ATTRS];
	size_t nattr;
};

/* SKF framing (RFC 7383 2.5): numbers, then the encrypted part. */
struct ik_v2_skf {
	uint16_t num, total;
	const uint8_t *enc;        /* IV | ciphertext | ICV */
	size_t enc_len;
};

int ik_v2_parse_sa(const struct ik_pl *pl, struct ik_v2_sa **sa, char *err, size_t errlen);
void ik_v2_sa_free(struct ik_v2_sa *sa);
size_t ik_v2_sa_size(size_t np, size_t nt);
/* A transform of a type in a proposal (the i-th of that type), or NULL. */
const struct ik_v2_transform *ik_v2_prop_find(const struct ik_v2_proposal *p, uint8_t type,
					      size_t i);
int ik_v2_parse_ke(const struct ik_pl *pl, struct ik_v2_ke *ke, char *err, size_t errlen);
int ik_v2_parse_id(const struct ik_pl *pl, struct ik_v2_id_pl *id, char *err, size_t errlen);
/* CERT or CERTREQ; a CERTREQ of X.509 certificates carries 20-byte SHA-1
 * hashes of CA public keys (RFC 7296 3.7): its length is checked. */
int ik_v2_parse_cert(const struct ik_pl *pl, struct ik_v2_cert *c, char *err, size_t errlen);
int ik_v2_parse_auth(const struct ik_pl *pl, struct ik_v2_auth *a, char *err, size_t errlen);
/* Nonce data is the body, 16..256 bytes. */
int ik_v2_parse_nonce(const struct ik_pl *pl, const uint8_t **n, size_t *len, char *err,
		      size_t errlen);
int ik_v2_parse_notify(const struct ik_pl *pl, struct ik_v2_notify *n, char *err,
		       size_t errlen);
int ik_v2_parse_delete(const struct ik_pl *pl, struct ik_v2_delete *d, char *err,
		       size_t errlen);
int ik_v2_parse_ts(const struct ik_pl *pl, struct ik_v2_ts_list *l, char *err, size_t errlen);
int ik_v2_parse_cp(const struct ik_pl *pl, struct ik_v2_cp *cp, char *err, size_t errlen);
int ik_v2_parse_skf(const struct ik_pl *pl, struct ik_v2_skf *f, char *err, size_t errlen);

/* ---- reassembly of SKF fragments (RFC 7383 2.6) ----
 * Fragments are decrypted (their ICV checked) one by one as they arrive,
 * then kept here until all are present. Bounded: at most IK_V2_MAX_FRAGMENTS
 * fragments and IK_V2_MAX_MSG bytes of plaintext, for at most
 * IK_V2_REASM_MS after the first; memory is taken per fragment received and
 * released on completion, expiry or ik_v2_reasm_clear. */
#define IK_V2_REASM_MS 30000

struct ik_v2_reasm {
	bool active;
	uint32_t msgid;
	uint16_t total, have;
	uint8_t first_np;          /* next payload of fragment 1 */
	uint64_t started_ms;
	size_t bytes;
	uint8_t *piece[IK_V2_MAX_FRAGMENTS];
	uint16_t len[IK_V2_MAX_FRAGMENTS];
};

enum {
	IK_V2_REASM_STORED = 0,    /* kept; more fragments wanted */
	IK_V2_REASM_DONE = 1,      /* complete: the message is in out */
	IK_V2_REASM_IGNORED = 2,   /* a duplicate, or of a smaller Total Fragments */
};
void ik_v2_reasm_init(struct ik_v2_reasm *r);
void ik_v2_reasm_clear(struct ik_v2_reasm *r);
/* True when a reassembly is under way and older than IK_V2_REASM_MS (then
 * cleared). */
bool ik_v2_reasm_expire(struct ik_v2_reasm *r, uint64_t now_ms);
/* Adds fragment f of message msgid (np: the SKF payload's next payload
 * field), decrypted into plain/len. A fragment of another message ID, or
 * with a larger Total Fragments, starts anew (RFC 7383 2.6.1). On
 * IK_V2_REASM_DONE the inner payloads are in out (out_len bytes) and
 * *first_np names the first; the state is cleared. -1 when a bound is
 * exceeded or out is too small (the state is cleared, err says which). */
int ik_v2_reasm_add(struct ik_v2_reasm *r, uint32_t msgid, const struct ik_v2_skf *f,
		    unsigned np, const uint8_t *plain, size_t len, uint64_t now_ms,
		    uint8_t *out, size_t out_size, size_t *out_len, unsigned *first_np,
		    char *err, size_t errlen);

/* ---- builder ----
 * Each function appends a payload; what does not fit in the buffer, or
 * counts past the parser's limits (IK_V2_MAX_PROPOSALS, _TRANSFORMS, _TS,
 * _CP_ATTRS), set overflow and the message must not be sent. */
struct ik_v2_builder {
	uint8_t buf[IK_V2_MAX_MSG];
	size_t len;
	size_t np_off;             /* where the next payload type goes */
	bool overflow;
};

void ik_v2_b_init(struct ik_v2_builder *b, const uint8_t spi_i[8], const uint8_t spi_r[8],
		  uint8_t exch, uint8_t flags, uint32_t msgid);
/* Opens a payload (its length is set by ik_v2_b_close) and links it into the
 * chain; returns its offset. */
size_t ik_v2_b_open(struct ik_v2_builder *b, uint8_t type, bool critical);
void ik_v2_b_close(struct ik_v2_builder *b, size_t off);
void ik_v2_b_put(struct ik_v2_builder *b, const void *data, size_t len);
void ik_v2_b_put8(struct ik_v2_builder *b, uint8_t v);
void ik_v2_b_put16(struct ik_v2_builder *b, uint16_t v);
void ik_v2_b_put32(struct ik_v2_builder *b, uint32_t v);
/* A payload whose body is given whole (V, or any payload already encoded). */
void ik_v2_b_payload(struct ik_v2_builder *b, uint8_t type, const void *body, size_t len);
/* SA of np proposals (num, proto, spi, transforms as in the parsed form). */
void ik_v2_b_sa(struct ik_v2_builder *b, const struct ik_v2_proposal *p, size_t np);
void ik_v2_b_ke(struct ik_v2_builder *b, uint16_t group, const uint8_t *data, size_t len);
/* IDi or IDr (pltype). */
void ik_v2_b_id(struct ik_v2_builder *b, uint8_t pltype, uint8_t idtype, const void *data,
		size_t len);
/* CERT or CERTREQ (pltype). */
void ik_v2_b_cert(struct ik_v2_builder *b, uint8_t pltype, uint8_t encoding,
		  const void *data, size_t len);
void ik_v2_b_auth(struct ik_v2_builder *b, uint8_t method, const void *data, size_t len);
void ik_v2_b_nonce(struct ik_v2_builder *b, const void *data, size_t len);
void ik_v2_b_notify(struct ik_v2_builder *b, uint8_t proto, const void *spi, uint8_t spi_size,
		    uint16_t type, const void *data, size_t len);
void ik_v2_b_delete(struct ik_v2_builder *b, uint8_t proto, uint8_t spi_size, uint16_t nspi,
		    const void *spis);
/* TSi or TSr (pltype). */
void ik_v2_b_ts(struct ik_v2_builder *b, uint8_t pltype, const struct ik_v2_ts *ts, size_t n);
void ik_v2_b_cp(struct ik_v2_builder *b, uint8_t type, const struct ik_v2_cp_attr *a, size_t n);
/* Opens an SK payload: the payloads built after it are its inner chain
 * (ik_v2_sk_seal in v2_crypto.h encrypts them in place). Returns its offset. */
size_t ik_v2_b_sk(struct ik_v2_builder *b);
/* Writes the total length into the header. */
void ik_v2_b_finish(struct ik_v2_builder *b);

#endif
