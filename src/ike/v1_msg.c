/* IKEv1 wire codec: validate-then-parse, and the builder. */
#include "ike/v1_msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* The IKEv1 payload rules. Every message-level type with the smallest body
 * RFC 2408 gives it; no per-type count limit (the message limit applies).
 * Where each payload may appear is checked per message by the state machine
 * (v1_states.c), whose trace names the unexpected payload in IOS's words, so
 * every row allows every exchange here. */
#define V1_ANY ((1u << IK_V1_CTX_N) - 1)
static const struct ik_pl_rule v1_rows[256] = {
	[IK_V1_PL_SA] = { "SA", 8, 0, 0, V1_ANY },           /* DOI + situation */
	[IK_V1_PL_KE] = { "KE", 1, 0, 0, V1_ANY },
	[IK_V1_PL_ID] = { "ID", 4, 0, 0, V1_ANY },
	[IK_V1_PL_CERT] = { "CERT", 1, 0, 0, V1_ANY },
	[IK_V1_PL_CR] = { "CERT-REQ", 1, 0, 0, V1_ANY },
	[IK_V1_PL_HASH] = { "HASH", 1, 0, 0, V1_ANY },
	[IK_V1_PL_SIG] = { "SIG", 1, 0, 0, V1_ANY },
	[IK_V1_PL_NONCE] = { "NONCE", 1, 0, 0, V1_ANY },
	[IK_V1_PL_N] = { "NOTIFY", 8, 0, 0, V1_ANY },
	[IK_V1_PL_D] = { "DELETE", 8, 0, 0, V1_ANY },
	[IK_V1_PL_VID] = { "VID", 1, 0, 0, V1_ANY },
	[IK_V1_PL_NATD] = { "NAT-D", 1, 0, 0, V1_ANY },
	[IK_V1_PL_NATOA] = { "NAT-OA", 8, 0, 0, V1_ANY },
	[IK_V1_PL_NATD_DRAFT] = { "NAT-D(draft)", 1, 0, 0, V1_ANY },
	[IK_V1_PL_NATOA_DRAFT] = { "NAT-OA(draft)", 8, 0, 0, V1_ANY },
};

static const char *const v1_ctx_names[IK_V1_CTX_N] = {
	"an IKEv1 message",
};

const struct ik_pl_rules ik_v1_pl_rules = {
	.version = 1,
	.row = v1_rows,
	.max_payloads = IK_V1_MAX_PAYLOADS,
	.unknown_fatal = true,
	.foreign_lo = 33,
	.foreign_hi = 53,
	.foreign = "IKEv2",
	.self = "IKEv1",
	.ctx_name = v1_ctx_names,
	.nctx = IK_V1_CTX_N,
};

const char *ik_v1_pl_name(unsigned type)
{
	const struct ik_pl_rule *r;

	switch (type) {
	case IK_V1_PL_NONE: return "NONE";
	case IK_V1_PL_P: return "PROPOSAL";
	case IK_V1_PL_T: return "TRANSFORM";
	default:
		r = ik_pl_rule_get(&ik_v1_pl_rules, type);
		return r ? r->name : "UNKNOWN";
	}
}

const char *ik_v1_exch_name(unsigned exch)
{
	switch (exch) {
	case IK_V1_EXCH_MM: return "MAIN";
	case IK_V1_EXCH_AGGR: return "AGGRESSIVE";
	case IK_V1_EXCH_INFO: return "INFO";
	case IK_V1_EXCH_QM: return "QUICK";
	default: return "UNKNOWN";
	}
}

const char *ik_v1_notify_name(unsigned type)
{
	switch (type) {
	case IK_V1_N_INVALID_PAYLOAD_TYPE: return "INVALID_PAYLOAD_TYPE";
	case IK_V1_N_INVALID_EXCHANGE_TYPE: return "INVALID_EXCHANGE_TYPE";
	case IK_V1_N_INVALID_FLAGS: return "INVALID_FLAGS";
	case IK_V1_N_INVALID_MESSAGE_ID: return "INVALID_MESSAGE_ID";
	case IK_V1_N_INVALID_SPI: return "INVALID_SPI";
	case IK_V1_N_NO_PROPOSAL_CHOSEN: return "PROPOSAL_NOT_CHOSEN";
	case IK_V1_N_PAYLOAD_MALFORMED: return "PAYLOAD_MALFORMED";
	case IK_V1_N_INVALID_KEY_INFORMATION: return "INVALID_KEY_INFORMATION";
	case IK_V1_N_INVALID_ID_INFORMATION: return "INVALID_ID_INFORMATION";
	case IK_V1_N_INVALID_HASH_INFORMATION: return "INVALID_HASH_INFORMATION";
	case IK_V1_N_AUTHENTICATION_FAILED: return "AUTHENTICATION_FAILED";
	case IK_V1_N_INITIAL_CONTACT: return "INITIAL_CONTACT";
	case IK_V1_N_R_U_THERE: return "R_U_THERE";
	case IK_V1_N_R_U_THERE_ACK: return "R_U_THERE_ACK";
	default: return "UNKNOWN";
	}
}

int ik_v1_parse_hdr(const uint8_t *d, size_t dlen, struct ik_v1_hdr *h, char *err, size_t errlen)
{
	if (dlen < IK_V1_HDR_LEN) {
		snprintf(err, errlen, "ISAKMP header: %zu bytes < %d", dlen, IK_V1_HDR_LEN);
		return -1;
	}
	memcpy(h->icookie, d, 8);
	memcpy(h->rcookie, d + 8, 8);
	h->np = d[16];
	h->version = d[17];
	h->exch = d[18];
	h->flags = d[19];
	h->msgid = ik_get32(d + 20);
	h->len = ik_get32(d + 24);
	if ((h->version >> 4) == 2) {
		snprintf(err, errlen, "ISAKMP header: version 2.%u (IKEv2) in an IKEv1 context",
			 h->version & 0xf);
		return -1;
	}
	if ((h->version >> 4) != 1) {
		snprintf(err, errlen, "ISAKMP header: unsupported version %u.%u",
			 h->version >> 4, h->version & 0xf);
		return -1;
	}
	if (h->len < IK_V1_HDR_LEN) {
		snprintf(err, errlen, "ISAKMP header: length %u < %d", h->len, IK_V1_HDR_LEN);
		return -1;
	}
	if (h->len > dlen) {
		snprintf(err, errlen, "ISAKMP header: length %u > %zu received", h->len, dlen);
		return -1;
	}
	if (h->len > IK_V1_MAX_MSG) {
		snprintf(err, errlen, "ISAKMP header: length %u > %d supported", h->len,
			 IK_V1_MAX_MSG);
		return -1;
	}
	if (h->flags & ~(IK_V1_FLAG_ENC | IK_V1_FLAG_COMMIT | IK_V1_FLAG_AUTHONLY)) {
		snprintf(err, errlen, "ISAKMP header: unknown flags 0x%02x", h->flags);
		return -1;
	}
	if (h->exch != IK_V1_EXCH_MM && h->exch != IK_V1_EXCH_AGGR &&
	    h->exch != IK_V1_EXCH_INFO && h->exch != IK_V1_EXCH_QM) {
		if (h->exch >= 34 && h->exch <= 37)
			snprintf(err, errlen, "ISAKMP header: IKEv2 exchange type %u", h->exch);
		else
			snprintf(err, errlen, "ISAKMP header: unknown exchange type %u", h->exch);
		return -1;
	}
	return 0;
}

static int v1_visit(void *arg, const struct ik_pl *pl, char *err, size_t errlen)
{
	struct ik_v1_msg *m = arg;
	struct ik_v1_pl *o = &m->pl[m->npl++];

	(void)err;
	(void)errlen;
	o->type = pl->type;
	o->off = pl->off;
	o->p = pl->p;
	o->len = pl->len;
	o->body = pl->body;
	o->body_len = pl->body_len;
	return 0;
}

int ik_v1_parse_payloads(const uint8_t *msg, size_t msg_len, struct ik_v1_msg *m,
			 bool allow_trailing, char *err, size_t errlen)
{
	struct ik_pl_walk w;
	int rc;

	m->npl = 0;
	rc = ik_pl_walk(&ik_v1_pl_rules, msg, msg_len, IK_V1_HDR_LEN, m->hdr.np, IK_V1_CTX_MSG,
			allow_trailing, v1_visit, m, &w, err, errlen);
	m->end = w.end;
	return rc == IK_PL_RESERVED ? -2 : rc ? -1 : 0;
}

const struct ik_v1_pl *ik_v1_find(const struct ik_v1_msg *m, unsigned type)
{
	for (size_t i = 0; i < m->npl; i++)
		if (m->pl[i].type == type)
			return &m->pl[i];
	return NULL;
}

unsigned ik_v1_count(const struct ik_v1_msg *m, unsigned type)
{
	unsigned n = 0;

	for (size_t i = 0; i < m->npl; i++)
		if (m->pl[i].type == type)
			n++;
	return n;
}

/* The SA payload is read twice: the first pass checks every length and
 * counts proposals, transforms and attributes (out == NULL); the second,
 * over the same now validated bytes, fills one block sized by those counts. */
struct sa_count {
	size_t np, nt, na;
};

struct sa_fill {
	struct ik_v1_sa *sa;
	struct ik_v1_transform *t;     /* next free transform */
	struct ik_v1_attr *a;          /* next free attribute */
};

static int parse_attrs(const uint8_t *p, size_t len, size_t base, struct ik_v1_transform *t,
		       struct sa_fill *f, struct sa_count *c, char *err, size_t errlen)
{
	size_t off = 0, n = 0;

	if (t) {
		t->attr = f->a;
		t->nattr = 0;
	}
	while (off < len) {
		size_t rem = len - off;
		struct ik_v1_attr a;

		if (rem < 4) {
			snprintf(err, errlen, "attribute at offset %zu: header 4 > %zu remaining",
				 base + off, rem);
			return -1;
		}
		if (n == IK_V1_MAX_ATTRS) {
			snprintf(err, errlen, "attribute at offset %zu: more than %d attributes",
				 base + off, IK_V1_MAX_ATTRS);
			return -1;
		}
		n++;
		uint16_t ty = ik_get16(p + off);
		a.type = ty & 0x7fff;
		a.tv = (ty & 0x8000) != 0;
		if (a.tv) {
			a.len = 2;
			a.val = p + off + 2;
			a.v = ik_get16(p + off + 2);
			a.numeric = true;
			off += 4;
		} else {
			a.len = ik_get16(p + off + 2);
			if (a.len > rem - 4) {
				snprintf(err, errlen,
					"attribute %u at offset %zu: length %u > %zu remaining",
					 a.type, base + off, a.len, rem - 4);
				return -1;
			}
			a.val = p + off + 4;
			a.numeric = a.len <= 8;
			a.v = 0;
			for (unsigned i = 0; a.numeric && i < a.len; i++)
				a.v = (a.v << 8) | a.val[i];
			off += 4 + a.len;
		}
		if (t) {
			*f->a++ = a;
			t->nattr++;
		}
	}
	c->na += n;
	return 0;
}

static int sa_pass(const struct ik_v1_pl *pl, struct sa_fill *f, struct sa_count *c,
		   char *err, size_t errlen)
{
	const uint8_t *b = pl->body;
	size_t len = pl->body_len, off;
	struct ik_v1_sa *sa = f ? f->sa : NULL;
	unsigned np;

	if (ik_get32(b) != 1) {
		snprintf(err, errlen, "SA payload at offset %zu: DOI %u is not IPsec (1)",
			 pl->off, ik_get32(b));
		return -1;
	}
	if (ik_get32(b + 4) != 1) {
		snprintf(err, errlen, "SA payload at offset %zu: situation %u is not "
			 "SIT_IDENTITY_ONLY (1)", pl->off, ik_get32(b + 4));
		return -1;
	}
	off = 8;
	np = IK_V1_PL_P;
	if (off == len) {
		snprintf(err, errlen, "SA payload at offset %zu: no proposal", pl->off);
		return -1;
	}
	while (np == IK_V1_PL_P) {
		size_t rem = len - off, poff = pl->off + 4 + off, nt = 0;
		struct ik_v1_proposal *p = NULL;
		unsigned plen, spi_size, ntrans;

		if (rem < 8) {
			snprintf(err, errlen, "PROPOSAL at offset %zu: header 8 > %zu remaining",
				 poff, rem);
			return -1;
		}
		if (b[off + 1] != 0) {
			snprintf(err, errlen, "reserved not zero on PROPOSAL payload!");
			return -2;
		}
		plen = ik_get16(b + off + 2);
		if (plen < 8) {
			snprintf(err, errlen, "PROPOSAL at offset %zu: length %u < 8", poff, plen);
			return -1;
		}
		if (plen > rem) {
			snprintf(err, errlen, "PROPOSAL at offset %zu: length %u > %zu remaining",
				 poff, plen, rem);
			return -1;
		}
		if (c->np == IK_V1_MAX_PROPOSALS) {
			snprintf(err, errlen, "PROPOSAL at offset %zu: more than %d proposals",
				poff, IK_V1_MAX_PROPOSALS);
			return -1;
		}
		c->np++;
		np = b[off];
		if (np != IK_V1_PL_P && np != IK_V1_PL_NONE) {
			snprintf(err, errlen, "PROPOSAL at offset %zu: next payload %u is not a "
				 "proposal", poff, np);
			return -1;
		}
		spi_size = b[off + 6];
		ntrans = b[off + 7];
		if (sa) {
			p = &sa->p[sa->np++];
			p->off = poff;
			p->num = b[off + 4];
			p->proto = b[off + 5];
			p->spi_size = (uint8_t)spi_size;
			p->ntrans = (uint8_t)ntrans;
			p->spi = b + off + 8;
			p->t = f->t;
			p->nt = 0;
		}
		if ((size_t)8 + spi_size > plen) {
			snprintf(err, errlen, "PROPOSAL at offset %zu: SPI size %u > %u remaining",
				 poff, spi_size, plen - 8);
			return -1;
		}
		size_t toff = off + 8 + spi_size, tend = off + plen;
		unsigned tnp = IK_V1_PL_T;
		if (ntrans == 0 || toff == tend) {
			snprintf(err, errlen, "PROPOSAL at offset %zu: no transform", poff);
			return -1;
		}
		while (tnp == IK_V1_PL_T) {
			size_t trem = tend - toff, tpoff = pl->off + 4 + toff;
			struct ik_v1_transform *t = NULL;
			unsigned tlen;
			int rc;

			if (trem < 8) {
				snprintf(err, errlen, "TRANSFORM at offset %zu: header 8 > %zu "
					 "remaining", tpoff, trem);
				return -1;
			}
			if (b[toff + 1] != 0) {
				snprintf(err, errlen, "reserved not zero on TRANSFORM payload!");
				return -2;
			}
			tlen = ik_get16(b + toff + 2);
			if (tlen < 8) {
				snprintf(err, errlen, "TRANSFORM at offset %zu: length %u < 8",
					tpoff, tlen);
				return -1;
			}
			if (tlen > trem) {
				snprintf(err, errlen, "TRANSFORM at offset %zu: length %u > %zu "
					 "remaining", tpoff, tlen, trem);
				return -1;
			}
			if (nt == IK_V1_MAX_TRANSFORMS) {
				snprintf(err, errlen,
					"TRANSFORM at offset %zu: more than %d transforms",
					 tpoff, IK_V1_MAX_TRANSFORMS);
				return -1;
			}
			tnp = b[toff];
			if (tnp != IK_V1_PL_T && tnp != IK_V1_PL_NONE) {
				snprintf(err, errlen,
					"TRANSFORM at offset %zu: next payload %u is not "
					 "a transform", tpoff, tnp);
				return -1;
			}
			nt++;
			if (p) {
				t = f->t++;
				p->nt++;
				t->off = tpoff;
				t->num = b[toff + 4];
				t->id = b[toff + 5];
			}
			rc = parse_attrs(b + toff + 8, tlen - 8, tpoff + 8, t, f, c, err, errlen);
			if (rc)
				return rc;
			toff += tlen;
		}
		if (toff != tend) {
			snprintf(err, errlen, "PROPOSAL at offset %zu: %zu bytes after the last "
				 "transform", poff, tend - toff);
			return -1;
		}
		if (nt != ntrans) {
			snprintf(err, errlen,
				"PROPOSAL at offset %zu: %u transforms announced, %zu "
				 "present", poff, ntrans, nt);
			return -1;
		}
		c->nt += nt;
		off += plen;
	}
	if (off != len) {
		snprintf(err, errlen, "SA payload at offset %zu: %zu bytes after the last proposal",
			 pl->off, len - off);
		return -1;
	}
	return 0;
}

size_t ik_v1_sa_size(size_t np, size_t nt, size_t na)
{
	return sizeof(struct ik_v1_sa) + np * sizeof(struct ik_v1_proposal) +
	       nt * sizeof(struct ik_v1_transform) + na * sizeof(struct ik_v1_attr);
}

int ik_v1_parse_sa(const struct ik_v1_pl *pl, struct ik_v1_sa **out, char *err, size_t errlen)
{
	struct sa_count c = { 0, 0, 0 }, c2 = { 0, 0, 0 };
	struct sa_fill f;
	struct ik_v1_sa *sa;
	size_t size;
	int rc;

	*out = NULL;
	rc = sa_pass(pl, NULL, &c, err, errlen);
	if (rc)
		return rc;
	size = ik_v1_sa_size(c.np, c.nt, c.na);
	sa = calloc(1, size);
	if (!sa) {
		snprintf(err, errlen, "SA payload at offset %zu: out of memory for %zu bytes",
			 pl->off, size);
		return -1;
	}
	sa->doi = ik_get32(pl->body);
	sa->sit = ik_get32(pl->body + 4);
	sa->alloc = size;
	sa->p = (struct ik_v1_proposal *)(sa + 1);
	f.sa = sa;
	f.t = (struct ik_v1_transform *)(sa->p + c.np);
	f.a = (struct ik_v1_attr *)(f.t + c.nt);
	/* the bytes were validated by the first pass: this one cannot fail */
	rc = sa_pass(pl, &f, &c2, err, errlen);
	if (rc || c2.np != c.np || c2.nt != c.nt || c2.na != c.na) {
		free(sa);
		snprintf(err, errlen, "SA payload at offset %zu: inconsistent second pass",
			 pl->off);
		return -1;
	}
	*out = sa;
	return 0;
}

void ik_v1_sa_free(struct ik_v1_sa *sa)
{
	free(sa);
}

int ik_v1_parse_id(const struct ik_v1_pl *pl, struct ik_v1_id *id, char *err, size_t errlen)
{
	id->type = pl->body[0];
	id->proto = pl->body[1];
	id->port = ik_get16(pl->body + 2);
	id->data = pl->body + 4;
	id->len = pl->body_len - 4;
	switch (id->type) {
	case IK_V1_ID_IPV4_ADDR:
		if (id->len != 4) {
			snprintf(err, errlen, "ID payload at offset %zu: ID_IPV4_ADDR of %zu bytes "
				 "!= 4", pl->off, id->len);
			return -1;
		}
		break;
	case IK_V1_ID_IPV6_ADDR:
		if (id->len != 16) {
			snprintf(err, errlen, "ID payload at offset %zu: ID_IPV6_ADDR of %zu "
				 "bytes != 16", pl->off, id->len);
			return -1;
		}
		break;
	case IK_V1_ID_IPV4_ADDR_SUBNET:
	case IK_V1_ID_IPV4_ADDR_RANGE:
		if (id->len != 8) {
			snprintf(err, errlen, "ID payload at offset %zu: type %u of %zu bytes != 8",
				 pl->off, id->type, id->len);
			return -1;
		}
		break;
	case IK_V1_ID_FQDN:
	case IK_V1_ID_USER_FQDN:
	case IK_V1_ID_KEY_ID:
		if (id->len == 0 || id->len > 255) {
			snprintf(err, errlen, "ID payload at offset %zu: name of %zu bytes not in "
				 "1..255", pl->off, id->len);
			return -1;
		}
		break;
	case IK_V1_ID_DER_ASN1_DN:
		if (id->len == 0 || id->len > 1024) {
			snprintf(err, errlen, "ID payload at offset %zu: DN of %zu bytes not in "
				 "1..1024", pl->off, id->len);
			return -1;
		}
		break;
	default:
		snprintf(err, errlen, "ID payload at offset %zu: unsupported ID type %u", pl->off,
			 id->type);
		return -1;
	}
	return 0;
}

int ik_v1_parse_notify(const struct ik_v1_pl *pl, struct ik_v1_notify *n, char *err, size_t errlen)
{
	n->doi = ik_get32(pl->body);
	n->proto = pl->body[4];
	n->spi_size = pl->body[5];
	n->type = ik_get16(pl->body + 6);
	if ((size_t)8 + n->spi_size > pl->body_len) {
		snprintf(err, errlen, "NOTIFY payload at offset %zu: SPI size %u > %zu remaining",
			 pl->off, n->spi_size, pl->body_len - 8);
		return -1;
	}
	n->spi = pl->body + 8;
	n->data = n->spi + n->spi_size;
	n->data_len = pl->body_len - 8 - n->spi_size;
	return 0;
}

int ik_v1_parse_delete(const struct ik_v1_pl *pl, struct ik_v1_delete *d, char *err, size_t errlen)
{
	d->doi = ik_get32(pl->body);
	d->proto = pl->body[4];
	d->spi_size = pl->body[5];
	d->nspi = ik_get16(pl->body + 6);
	d->spis = pl->body + 8;
	if (d->spi_size == 0 || d->nspi == 0) {
		snprintf(err, errlen, "DELETE payload at offset %zu: SPI size %u, %u SPIs", pl->off,
			 d->spi_size, d->nspi);
		return -1;
	}
	if ((size_t)d->spi_size * d->nspi != pl->body_len - 8) {
		snprintf(err, errlen, "DELETE payload at offset %zu: %u SPIs of %u bytes != %zu "
			 "remaining", pl->off, d->nspi, d->spi_size, pl->body_len - 8);
		return -1;
	}
	return 0;
}

const struct ik_v1_attr *ik_v1_attr_find(const struct ik_v1_transform *t, uint16_t type)
{
	for (size_t i = 0; i < t->nattr; i++)
		if (t->attr[i].type == type)
			return &t->attr[i];
	return NULL;
}

/* ---- builder ---- */

void ik_v1_b_init(struct ik_v1_builder *b, const uint8_t icookie[8], const uint8_t rcookie[8],
		  uint8_t exch, uint8_t flags, uint32_t msgid)
{
	b->overflow = false;
	memcpy(b->buf, icookie, 8);
	memcpy(b->buf + 8, rcookie, 8);
	b->buf[16] = 0;
	b->buf[17] = 0x10;
	b->buf[18] = exch;
	b->buf[19] = flags;
	ik_put32(b->buf + 20, msgid);
	ik_put32(b->buf + 24, IK_V1_HDR_LEN);
	b->len = IK_V1_HDR_LEN;
	b->np_off = 16;
}

void ik_v1_b_put(struct ik_v1_builder *b, const void *data, size_t len)
{
	if (b->overflow || len > sizeof(b->buf) - b->len) {
		b->overflow = true;
		return;
	}
	if (len)
		memcpy(b->buf + b->len, data, len);
	b->len += len;
}

void ik_v1_b_put8(struct ik_v1_builder *b, uint8_t v)
{
	ik_v1_b_put(b, &v, 1);
}

void ik_v1_b_put16(struct ik_v1_builder *b, uint16_t v)
{
	uint8_t x[2];

	ik_put16(x, v);
	ik_v1_b_put(b, x, 2);
}

void ik_v1_b_put32(struct ik_v1_builder *b, uint32_t v)
{
	uint8_t x[4];

	ik_put32(x, v);
	ik_v1_b_put(b, x, 4);
}

size_t ik_v1_b_open(struct ik_v1_builder *b, uint8_t type)
{
	size_t off = b->len;
	uint8_t h[4] = { 0, 0, 0, 4 };

	if (!b->overflow)
		b->buf[b->np_off] = type;
	ik_v1_b_put(b, h, 4);
	b->np_off = off;
	return off;
}

void ik_v1_b_close(struct ik_v1_builder *b, size_t off)
{
	if (b->overflow || b->len - off > 0xffff) {
		b->overflow = true;
		return;
	}
	ik_put16(b->buf + off + 2, (uint16_t)(b->len - off));
}

void ik_v1_b_payload(struct ik_v1_builder *b, uint8_t type, const void *body, size_t len)
{
	size_t off = ik_v1_b_open(b, type);

	ik_v1_b_put(b, body, len);
	ik_v1_b_close(b, off);
}

void ik_v1_b_attr(struct ik_v1_builder *b, uint16_t type, uint32_t value, bool force_tlv)
{
	if (value <= 0xffff && !force_tlv) {
		ik_v1_b_put16(b, 0x8000 | type);
		ik_v1_b_put16(b, (uint16_t)value);
	} else {
		ik_v1_b_put16(b, type);
		ik_v1_b_put16(b, 4);
		ik_v1_b_put32(b, value);
	}
}

void ik_v1_b_finish(struct ik_v1_builder *b)
{
	if (!b->overflow)
		ik_put32(b->buf + 24, (uint32_t)b->len);
}
