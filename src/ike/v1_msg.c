/* IKEv1 wire codec: validate-then-parse, and the builder. */
#include "ike/v1_msg.h"

#include <stdio.h>
#include <string.h>

#include "util/util.h"

const char *ik_v1_pl_name(unsigned type)
{
	switch (type) {
	case IK_V1_PL_NONE: return "NONE";
	case IK_V1_PL_SA: return "SA";
	case IK_V1_PL_P: return "PROPOSAL";
	case IK_V1_PL_T: return "TRANSFORM";
	case IK_V1_PL_KE: return "KE";
	case IK_V1_PL_ID: return "ID";
	case IK_V1_PL_CERT: return "CERT";
	case IK_V1_PL_CR: return "CERT-REQ";
	case IK_V1_PL_HASH: return "HASH";
	case IK_V1_PL_SIG: return "SIG";
	case IK_V1_PL_NONCE: return "NONCE";
	case IK_V1_PL_N: return "NOTIFY";
	case IK_V1_PL_D: return "DELETE";
	case IK_V1_PL_VID: return "VID";
	case IK_V1_PL_NATD: return "NAT-D";
	case IK_V1_PL_NATOA: return "NAT-OA";
	case IK_V1_PL_NATD_DRAFT: return "NAT-D(draft)";
	case IK_V1_PL_NATOA_DRAFT: return "NAT-OA(draft)";
	default: return "UNKNOWN";
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

/* Smallest body (after the generic header) of each known type; -1 if the type
 * is not an IKEv1 message-level payload. */
static int pl_min_body(unsigned type)
{
	switch (type) {
	case IK_V1_PL_SA: return 8;      /* DOI + situation */
	case IK_V1_PL_KE: return 1;
	case IK_V1_PL_ID: return 4;
	case IK_V1_PL_CERT: return 1;
	case IK_V1_PL_CR: return 1;
	case IK_V1_PL_HASH: return 1;
	case IK_V1_PL_SIG: return 1;
	case IK_V1_PL_NONCE: return 1;
	case IK_V1_PL_N: return 8;
	case IK_V1_PL_D: return 8;
	case IK_V1_PL_VID: return 1;
	case IK_V1_PL_NATD: return 1;
	case IK_V1_PL_NATD_DRAFT: return 1;
	case IK_V1_PL_NATOA: return 8;
	case IK_V1_PL_NATOA_DRAFT: return 8;
	default: return -1;
	}
}

int ik_v1_parse_payloads(const uint8_t *msg, size_t msg_len, struct ik_v1_msg *m,
			 bool allow_trailing, char *err, size_t errlen)
{
	size_t off = IK_V1_HDR_LEN;
	unsigned type = m->hdr.np;

	m->npl = 0;
	while (type != IK_V1_PL_NONE) {
		size_t rem = msg_len - off;
		unsigned len;
		int min;

		if (type >= 33 && type <= 53) {
			snprintf(err, errlen, "payload at offset %zu: IKEv2 payload type %u in an "
				 "IKEv1 message", off, type);
			return -1;
		}
		min = pl_min_body(type);
		if (min < 0) {
			snprintf(err, errlen, "payload at offset %zu: unknown payload type %u",
				 off, type);
			return -1;
		}
		if (rem < 4) {
			snprintf(err, errlen, "%s payload at offset %zu: header 4 > %zu remaining",
				 ik_v1_pl_name(type), off, rem);
			return -1;
		}
		if (msg[off + 1] != 0) {
			snprintf(err, errlen, "reserved not zero on %s payload!",
				ik_v1_pl_name(type));
			return -2;
		}
		len = ik_get16(msg + off + 2);
		if (len < 4 + (unsigned)min) {
			snprintf(err, errlen, "%s payload at offset %zu: length %u < %d minimum",
				 ik_v1_pl_name(type), off, len, 4 + min);
			return -1;
		}
		if (len > rem) {
			snprintf(err, errlen, "%s payload at offset %zu: length %u > %zu remaining",
				 ik_v1_pl_name(type), off, len, rem);
			return -1;
		}
		if (m->npl == IK_V1_MAX_PAYLOADS) {
			snprintf(err, errlen, "%s payload at offset %zu: more than %d payloads",
				 ik_v1_pl_name(type), off, IK_V1_MAX_PAYLOADS);
			return -1;
		}
		struct ik_v1_pl *pl = &m->pl[m->npl++];
		pl->type = (uint8_t)type;
		pl->off = off;
		pl->p = msg + off;
		pl->len = len;
		pl->body = msg + off + 4;
		pl->body_len = len - 4;
		type = msg[off];
		off += len;
	}
	m->end = off;
	if (!allow_trailing && off != msg_len) {
		snprintf(err, errlen, "payload chain ends at offset %zu, %zu bytes before the "
			 "message length %zu", off, msg_len - off, msg_len);
		return -1;
	}
	return 0;
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

static int parse_attrs(const uint8_t *p, size_t len, size_t base, struct ik_v1_transform *t,
		       char *err, size_t errlen)
{
	size_t off = 0;

	t->nattr = 0;
	while (off < len) {
		size_t rem = len - off;
		struct ik_v1_attr *a;

		if (rem < 4) {
			snprintf(err, errlen, "attribute at offset %zu: header 4 > %zu remaining",
				 base + off, rem);
			return -1;
		}
		if (t->nattr == IK_V1_MAX_ATTRS) {
			snprintf(err, errlen, "attribute at offset %zu: more than %d attributes",
				 base + off, IK_V1_MAX_ATTRS);
			return -1;
		}
		a = &t->attr[t->nattr++];
		uint16_t ty = ik_get16(p + off);
		a->type = ty & 0x7fff;
		a->tv = (ty & 0x8000) != 0;
		if (a->tv) {
			a->len = 2;
			a->val = p + off + 2;
			a->v = ik_get16(p + off + 2);
			a->numeric = true;
			off += 4;
			continue;
		}
		a->len = ik_get16(p + off + 2);
		if (a->len > rem - 4) {
			snprintf(err, errlen,
				"attribute %u at offset %zu: length %u > %zu remaining",
				 a->type, base + off, a->len, rem - 4);
			return -1;
		}
		a->val = p + off + 4;
		a->numeric = a->len <= 8;
		a->v = 0;
		for (unsigned i = 0; a->numeric && i < a->len; i++)
			a->v = (a->v << 8) | a->val[i];
		off += 4 + a->len;
	}
	return 0;
}

int ik_v1_parse_sa(const struct ik_v1_pl *pl, struct ik_v1_sa *sa, char *err, size_t errlen)
{
	const uint8_t *b = pl->body;
	size_t len = pl->body_len, off;
	unsigned np;

	sa->doi = ik_get32(b);
	sa->sit = ik_get32(b + 4);
	sa->np = 0;
	if (sa->doi != 1) {
		snprintf(err, errlen, "SA payload at offset %zu: DOI %u is not IPsec (1)",
			 pl->off, sa->doi);
		return -1;
	}
	if (sa->sit != 1) {
		snprintf(err, errlen, "SA payload at offset %zu: situation %u is not "
			 "SIT_IDENTITY_ONLY (1)", pl->off, sa->sit);
		return -1;
	}
	off = 8;
	np = IK_V1_PL_P;
	if (off == len) {
		snprintf(err, errlen, "SA payload at offset %zu: no proposal", pl->off);
		return -1;
	}
	while (np == IK_V1_PL_P) {
		size_t rem = len - off, poff = pl->off + 4 + off;
		struct ik_v1_proposal *p;
		unsigned plen;

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
		if (sa->np == IK_V1_MAX_PROPOSALS) {
			snprintf(err, errlen, "PROPOSAL at offset %zu: more than %d proposals",
				poff, IK_V1_MAX_PROPOSALS);
			return -1;
		}
		p = &sa->p[sa->np++];
		np = b[off];
		if (np != IK_V1_PL_P && np != IK_V1_PL_NONE) {
			snprintf(err, errlen, "PROPOSAL at offset %zu: next payload %u is not a "
				 "proposal", poff, np);
			return -1;
		}
		p->off = poff;
		p->num = b[off + 4];
		p->proto = b[off + 5];
		p->spi_size = b[off + 6];
		p->ntrans = b[off + 7];
		p->nt = 0;
		if ((size_t)8 + p->spi_size > plen) {
			snprintf(err, errlen, "PROPOSAL at offset %zu: SPI size %u > %u remaining",
				 poff, p->spi_size, plen - 8);
			return -1;
		}
		p->spi = b + off + 8;
		size_t toff = off + 8 + p->spi_size, tend = off + plen;
		unsigned tnp = IK_V1_PL_T;
		if (p->ntrans == 0 || toff == tend) {
			snprintf(err, errlen, "PROPOSAL at offset %zu: no transform", poff);
			return -1;
		}
		while (tnp == IK_V1_PL_T) {
			size_t trem = tend - toff, tpoff = pl->off + 4 + toff;
			unsigned tlen;
			struct ik_v1_transform *t;
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
			if (p->nt == IK_V1_MAX_TRANSFORMS) {
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
			t = &p->t[p->nt++];
			t->off = tpoff;
			t->num = b[toff + 4];
			t->id = b[toff + 5];
			rc = parse_attrs(b + toff + 8, tlen - 8, tpoff + 8, t, err, errlen);
			if (rc)
				return rc;
			toff += tlen;
		}
		if (toff != tend) {
			snprintf(err, errlen, "PROPOSAL at offset %zu: %zu bytes after the last "
				 "transform", poff, tend - toff);
			return -1;
		}
		if (p->nt != p->ntrans) {
			snprintf(err, errlen,
				"PROPOSAL at offset %zu: %u transforms announced, %zu "
				 "present", poff, p->ntrans, p->nt);
			return -1;
		}
		off += plen;
	}
	if (off != len) {
		snprintf(err, errlen, "SA payload at offset %zu: %zu bytes after the last proposal",
			 pl->off, len - off);
		return -1;
	}
	return 0;
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
