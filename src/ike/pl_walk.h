/* The generic payload chain shared by IKEv1 (RFC 2408 3.2) and IKEv2
 * (RFC 7296 3.2): next payload (1 byte), reserved or critical bit (1 byte),
 * payload length (2 bytes), body. One walker checks every generic header
 * against what remains of the message before anything looks at a body; what
 * each version accepts is data, a table of rules per version.
 *
 * Errors name the payload, its offset in the message and the sizes compared.
 * Nothing here allocates.
 */
#ifndef IK_IKE_PL_WALK_H
#define IK_IKE_PL_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One payload as found in the message. */
struct ik_pl {
	uint8_t type;
	bool critical;          /* IKEv2 critical bit (always false for IKEv1) */
	size_t off;             /* offset of the generic header in the message */
	const uint8_t *p;       /* generic header */
	size_t len;             /* whole payload, header included */
	const uint8_t *body;    /* after the 4-byte generic header */
	size_t body_len;
};

/* Row flags. */
#define IK_PL_F_LAST 0x01        /* the chain ends with this payload; its next
				  * payload field names the first payload inside
				  * it (IKEv2 SK and SKF) */
#define IK_PL_F_UNSUPPORTED 0x02 /* known by name but not implemented: handled
				  * as an unknown payload (IKEv2: skipped, or
				  * UNSUPPORTED_CRITICAL_PAYLOAD when critical) */

/* What a version accepts of one payload type. A row with name NULL is a type
 * the version does not know. */
struct ik_pl_rule {
	const char *name;       /* as traces print it ("KE", "NAT-D", "IDi", ...) */
	uint16_t min_body;      /* smallest body after the generic header */
	uint8_t max_count;      /* most occurrences in one chain; 0: only max_payloads */
	uint8_t flags;          /* IK_PL_F_* */
	uint32_t allow;         /* contexts (bit n = context n) where it may appear */
};

struct ik_pl_rules {
	unsigned version;             /* 1 or 2: the generic header's second byte is a
				       * reserved byte (1) or the critical bit (2) */
	const struct ik_pl_rule *row; /* 256 rows, indexed by payload type */
	size_t max_payloads;          /* payloads in one chain */
	/* IKEv1: an unknown type ends the walk before its header is read.
	 * IKEv2: an unknown type is skipped unless its critical bit is set. */
	bool unknown_fatal;
	/* the other version's payload numbers, named in the error (unknown_fatal) */
	unsigned foreign_lo, foreign_hi;
	const char *foreign, *self;   /* "IKEv2", "IKEv1": the versions in that error */
	const char *const *ctx_name;  /* name of each context, for errors */
	size_t nctx;
};

/* Results of ik_pl_walk(). */
enum {
	IK_PL_OK = 0,
	IK_PL_MALFORMED = -1,
	IK_PL_RESERVED = -2,             /* IKEv1 reserved byte not zero (IOS's words in err) */
	IK_PL_UNSUPPORTED_CRITICAL = -3, /* IKEv2: an unknown payload with the critical bit */
};

/* Called for each accepted payload, in order. Non-zero stops the walk and is
 * returned by ik_pl_walk(). */
typedef int (*ik_pl_visit_fn)(void *arg, const struct ik_pl *pl, char *err, size_t errlen);

struct ik_pl_walk {
	size_t npl;               /* payloads visited */
	size_t end;               /* offset just past the last payload */
	unsigned skipped;         /* unknown non-critical payloads skipped (IKEv2) */
	unsigned bad_type;        /* the payload type of IK_PL_UNSUPPORTED_CRITICAL */
	unsigned inner_np;        /* next payload field of an IK_PL_F_LAST payload, else 0 */
};

/* Walks the chain of msg from offset start, first payload type first_np, in
 * context ctx (an index into the rules' contexts: where in which exchange the
 * chain is). Each generic header is checked: length >= 4 and within what
 * remains, the version's reserved byte, a type the rules know (or its
 * unknown-type handling), the type's minimal body, its count and whether the
 * context allows it. When allow_trailing (a decrypted IKEv1 body with
 * padding) bytes after the last payload are allowed; otherwise the chain must
 * end exactly at msg_len. */
int ik_pl_walk(const struct ik_pl_rules *r, const uint8_t *msg, size_t msg_len, size_t start,
	       unsigned first_np, unsigned ctx, bool allow_trailing, ik_pl_visit_fn visit,
	       void *arg, struct ik_pl_walk *w, char *err, size_t errlen);

/* The rule of a type, or NULL when the version does not know it. */
const struct ik_pl_rule *ik_pl_rule_get(const struct ik_pl_rules *r, unsigned type);

#endif
