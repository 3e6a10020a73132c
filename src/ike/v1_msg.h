/* IKEv1 (ISAKMP, RFC 2408/2409/3947) wire codec: a strict parser that checks
 * every length against what remains before using it (validate-then-parse),
 * and a builder for outgoing messages. Errors name the payload, its offset in
 * the message and the sizes compared. Only a parsed SA payload is
 * allocated, sized by what was received.
 */
#ifndef IK_IKE_V1_MSG_H
#define IK_IKE_V1_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/pl_walk.h"

#define IK_V1_HDR_LEN 28
#define IK_V1_MAX_MSG 8192
#define IK_V1_MAX_PAYLOADS 40
/* Limits of a parsed SA payload (also stated in ikerd(8) and the README).
 * Past any of them the SA payload is refused as malformed. The parsed SA is
 * one block sized by what was received (ik_v1_sa_size of the counts), so a
 * message of at most IK_V1_MAX_MSG bytes never makes it larger than
 * IK_V1_SA_ALLOC_MAX. */
#define IK_V1_MAX_PROPOSALS 16   /* proposals in one SA payload */
#define IK_V1_MAX_TRANSFORMS 32  /* transforms in one proposal */
#define IK_V1_MAX_ATTRS 16       /* attributes in one transform */
/* Each attribute takes at least 4 bytes on the wire and sizeof(struct
 * ik_v1_attr) = 24 here, a transform 8 and 32, a proposal 8 and 40: at most
 * 6 bytes of memory per byte of SA payload body. */
#define IK_V1_SA_ALLOC_MAX (sizeof(struct ik_v1_sa) + 6 * IK_V1_MAX_MSG)

/* The one context of the IKEv1 payload rules: payload placement per exchange
 * is checked by the state machine, with IOS's trace. */
enum { IK_V1_CTX_MSG = 0, IK_V1_CTX_N = 1 };
extern const struct ik_pl_rules ik_v1_pl_rules;

/* Payload types (RFC 2408 3.1, RFC 3947, draft-ietf-ipsec-nat-t-ike-02/03). */
enum {
	IK_V1_PL_NONE = 0,
	IK_V1_PL_SA = 1,
	IK_V1_PL_P = 2,
	IK_V1_PL_T = 3,
	IK_V1_PL_KE = 4,
	IK_V1_PL_ID = 5,
	IK_V1_PL_CERT = 6,
	IK_V1_PL_CR = 7,
	IK_V1_PL_HASH = 8,
	IK_V1_PL_SIG = 9,
	IK_V1_PL_NONCE = 10,
	IK_V1_PL_N = 11,
	IK_V1_PL_D = 12,
	IK_V1_PL_VID = 13,
	IK_V1_PL_NATD = 20,
	IK_V1_PL_NATOA = 21,
	IK_V1_PL_NATD_DRAFT = 130,
	IK_V1_PL_NATOA_DRAFT = 131,
};

/* Exchange types and header flags. */
enum {
	IK_V1_EXCH_MM = 2,
	IK_V1_EXCH_AGGR = 4,
	IK_V1_EXCH_INFO = 5,
	IK_V1_EXCH_QM = 32,
};
#define IK_V1_FLAG_ENC 0x01
#define IK_V1_FLAG_COMMIT 0x02
#define IK_V1_FLAG_AUTHONLY 0x04

/* Protocol ids (IPsec DOI). */
enum { IK_V1_PROTO_ISAKMP = 1, IK_V1_PROTO_AH = 2, IK_V1_PROTO_ESP = 3 };

/* ID types (RFC 2407 4.6.2.1). */
enum {
	IK_V1_ID_IPV4_ADDR = 1,
	IK_V1_ID_FQDN = 2,
	IK_V1_ID_USER_FQDN = 3,
	IK_V1_ID_IPV4_ADDR_SUBNET = 4,
	IK_V1_ID_IPV6_ADDR = 5,
	IK_V1_ID_IPV6_ADDR_SUBNET = 6,
	IK_V1_ID_IPV4_ADDR_RANGE = 7,
	IK_V1_ID_IPV6_ADDR_RANGE = 8,
	IK_V1_ID_DER_ASN1_DN = 9,
	IK_V1_ID_KEY_ID = 11,
};

/* Phase-1 attributes (RFC 2409 appendix A). */
enum {
	IK_V1_A_ENCR = 1,
	IK_V1_A_HASH = 2,
	IK_V1_A_AUTH = 3,
	IK_V1_A_GROUP = 4,
	IK_V1_A_LIFE_TYPE = 11,
	IK_V1_A_LIFE_DUR = 12,
	IK_V1_A_KEYLEN = 14,
};
/* Phase-2 attributes (RFC 2407 4.5). */
enum {
	IK_V1_A2_LIFE_TYPE = 1,
	IK_V1_A2_LIFE_DUR = 2,
	IK_V1_A2_GROUP = 3,
	IK_V1_A2_ENCAP = 4,
	IK_V1_A2_AUTH = 5,
	IK_V1_A2_KEYLEN = 6,
};
enum {
	IK_V1_ENCAP_TUNNEL = 1,
	IK_V1_ENCAP_TRANSPORT = 2,
	IK_V1_ENCAP_UDP_TUNNEL = 3,
	IK_V1_ENCAP_UDP_TRANSPORT = 4,
	IK_V1_ENCAP_UDP_TUNNEL_DRAFT = 61443,
	IK_V1_ENCAP_UDP_TRANSPORT_DRAFT = 61444,
};

/* Notify message types used here (RFC 2408 3.14.1, RFC 3706). */
enum {
	IK_V1_N_INVALID_PAYLOAD_TYPE = 1,
	IK_V1_N_INVALID_EXCHANGE_TYPE = 7,
	IK_V1_N_INVALID_FLAGS = 8,
	IK_V1_N_INVALID_MESSAGE_ID = 9,
	IK_V1_N_INVALID_SPI = 11,
	IK_V1_N_NO_PROPOSAL_CHOSEN = 14,
	IK_V1_N_PAYLOAD_MALFORMED = 16,
	IK_V1_N_INVALID_KEY_INFORMATION = 17,
	IK_V1_N_INVALID_ID_INFORMATION = 18,
	IK_V1_N_AUTHENTICATION_FAILED = 24,
	IK_V1_N_INVALID_HASH_INFORMATION = 23,
	IK_V1_N_INITIAL_CONTACT = 24578,
	IK_V1_N_R_U_THERE = 36136,
	IK_V1_N_R_U_THERE_ACK = 36137,
};

struct ik_v1_hdr {
	uint8_t icookie[8], rcookie[8];
	uint8_t np, version, exch, flags;
	uint32_t msgid;
	uint32_t len;
};

/* One payload of the chain, as found in the (decrypted) message. */
struct ik_v1_pl {
	uint8_t type;
	size_t off;             /* offset of the generic header in the message */
	const uint8_t *p;       /* generic header */
	size_t len;             /* whole payload, header included */
	const uint8_t *body;    /* after the 4-byte generic header */
	size_t body_len;
};

struct ik_v1_msg {
	struct ik_v1_hdr hdr;
	struct ik_v1_pl pl[IK_V1_MAX_PAYLOADS];
	size_t npl;
	size_t end;             /* offset just past the last payload */
};

struct ik_v1_attr {
	const uint8_t *val;
	uint64_t v;             /* numeric value when len <= 8 */
	uint16_t type;
	uint16_t len;           /* value length (2 for TV) */
	bool tv;
	bool numeric;
};

struct ik_v1_transform {
	uint8_t num, id;
	size_t off;
	struct ik_v1_attr *attr;        /* nattr, inside the SA's block */
	size_t nattr;
};

struct ik_v1_proposal {
	uint8_t num, proto, spi_size, ntrans;
	const uint8_t *spi;
	size_t off;
	struct ik_v1_transform *t;      /* nt, inside the SA's block */
	size_t nt;
};

/* A parsed SA payload: one allocation holding the proposals, transforms and
 * attributes received, pointing into the message for values and SPIs. */
struct ik_v1_sa {
	uint32_t doi, sit;
	struct ik_v1_proposal *p;
	size_t np;
	size_t alloc;           /* bytes of this block */
};

struct ik_v1_id {
	uint8_t type, proto;
	uint16_t port;
	const uint8_t *data;
	size_t len;
};

struct ik_v1_notify {
	uint32_t doi;
	uint8_t proto, spi_size;
	uint16_t type;
	const uint8_t *spi;
	const uint8_t *data;
	size_t data_len;
};

struct ik_v1_delete {
	uint32_t doi;
	uint8_t proto, spi_size;
	uint16_t nspi;
	const uint8_t *spis;
};

/* Payload type name as IOS prints it ("KE", "ID", "NAT-D", ...). */
const char *ik_v1_pl_name(unsigned type);
const char *ik_v1_exch_name(unsigned exch);
const char *ik_v1_notify_name(unsigned type);

/* Header of a datagram: version 1.0, length within the datagram. Errors go
 * to err (errlen bytes). 0 on success. */
int ik_v1_parse_hdr(const uint8_t *d, size_t dlen, struct ik_v1_hdr *h, char *err, size_t errlen);

/* Walks the payload chain of a message (header included in msg, msg_len =
 * header length): first payload type from m->hdr.np, from offset 28. Checks
 * every generic header (reserved byte zero, length >= 4 and within what
 * remains, a known IKEv1 type, the minimal size of the type). When
 * allow_trailing (a decrypted body with padding) bytes after the last payload
 * are allowed; otherwise the chain must end exactly at msg_len.
 * Returns 0, -1 on a malformed chain, or -2 when a generic header has a
 * non-zero reserved byte (err then holds IOS's "reserved not zero on X
 * payload!"). */
int ik_v1_parse_payloads(const uint8_t *msg, size_t msg_len, struct ik_v1_msg *m,
			 bool allow_trailing, char *err, size_t errlen);

/* The first payload of a type, or NULL. */
const struct ik_v1_pl *ik_v1_find(const struct ik_v1_msg *m, unsigned type);
unsigned ik_v1_count(const struct ik_v1_msg *m, unsigned type);

/* Per-payload parsers; the payload was length-checked by the chain walk. */
/* The SA payload, into one block sized by the proposals, transforms and
 * attributes it holds (within the IK_V1_MAX_* limits), freed with
 * ik_v1_sa_free(). *sa is NULL on failure. */
int ik_v1_parse_sa(const struct ik_v1_pl *pl, struct ik_v1_sa **sa, char *err, size_t errlen);
void ik_v1_sa_free(struct ik_v1_sa *sa);
/* Bytes of a parsed SA with np proposals, nt transforms, na attributes. */
size_t ik_v1_sa_size(size_t np, size_t nt, size_t na);
int ik_v1_parse_id(const struct ik_v1_pl *pl, struct ik_v1_id *id, char *err, size_t errlen);
int ik_v1_parse_notify(const struct ik_v1_pl *pl, struct ik_v1_notify *n, char *err, size_t errlen);
int ik_v1_parse_delete(const struct ik_v1_pl *pl, struct ik_v1_delete *d, char *err, size_t errlen);
/* An attribute by type in a transform, or NULL. */
const struct ik_v1_attr *ik_v1_attr_find(const struct ik_v1_transform *t, uint16_t type);

/* ---- builder ---- */
struct ik_v1_builder {
	uint8_t buf[IK_V1_MAX_MSG];
	size_t len;
	size_t np_off;          /* where the next payload type goes */
	bool overflow;
};

void ik_v1_b_init(struct ik_v1_builder *b, const uint8_t icookie[8], const uint8_t rcookie[8],
		  uint8_t exch, uint8_t flags, uint32_t msgid);
/* Opens a payload of type: writes its generic header (length filled by
 * ik_v1_b_close) and links it into the chain. Returns its offset. */
size_t ik_v1_b_open(struct ik_v1_builder *b, uint8_t type);
void ik_v1_b_close(struct ik_v1_builder *b, size_t off);
void ik_v1_b_put(struct ik_v1_builder *b, const void *data, size_t len);
void ik_v1_b_put8(struct ik_v1_builder *b, uint8_t v);
void ik_v1_b_put16(struct ik_v1_builder *b, uint16_t v);
void ik_v1_b_put32(struct ik_v1_builder *b, uint32_t v);
/* A whole payload with the given body. */
void ik_v1_b_payload(struct ik_v1_builder *b, uint8_t type, const void *body, size_t len);
/* An attribute, TV when value < 65536 and !force_tlv, else TLV of 4 bytes. */
void ik_v1_b_attr(struct ik_v1_builder *b, uint16_t type, uint32_t value, bool force_tlv);
/* Writes the total length into the header. */
void ik_v1_b_finish(struct ik_v1_builder *b);

#endif
