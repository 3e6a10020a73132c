/* IKEv2 wire codec: rules, header, chains, payload parsers and the builder. */
#include "ike/v2_msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

#define C(x) (1u << (x))
#define IN_SK (C(IK_V2_CTX_AUTH) | C(IK_V2_CTX_CHILD) | C(IK_V2_CTX_INFO))

/* The IKEv2 payload rules: smallest body, most per message, where each may
 * appear (RFC 7296 1.2-1.5, 2.6, 2.23; RFC 7383 2.5). The critical bit of a
 * known payload is ignored (RFC 7296 2.5); EAP and GSPM are known by name but
 * handled as unknown: skipped, or UNSUPPORTED_CRITICAL_PAYLOAD when critical. */
static const struct ik_pl_rule v2_rows[256] = {
	[IK_V2_PL_SA] = { "SA", 8, 1, 0,
			  C(IK_V2_CTX_INIT) | C(IK_V2_CTX_AUTH) | C(IK_V2_CTX_CHILD) },
	[IK_V2_PL_KE] = { "KE", 4, 1, 0, C(IK_V2_CTX_INIT) | C(IK_V2_CTX_CHILD) },
	[IK_V2_PL_IDI] = { "IDi", 4, 1, 0, C(IK_V2_CTX_AUTH) },
	[IK_V2_PL_IDR] = { "IDr", 4, 1, 0, C(IK_V2_CTX_AUTH) },
	[IK_V2_PL_CERT] = { "CERT", 1, 0, 0, C(IK_V2_CTX_AUTH) },
	[IK_V2_PL_CERTREQ] = { "CERTREQ", 1, 0, 0, C(IK_V2_CTX_INIT) | C(IK_V2_CTX_AUTH) },
	[IK_V2_PL_AUTH] = { "AUTH", 5, 1, 0, C(IK_V2_CTX_AUTH) },
	[IK_V2_PL_NONCE] = { "Nonce", IK_V2_MIN_NONCE, 1, 0,
			     C(IK_V2_CTX_INIT) | C(IK_V2_CTX_CHILD) },
	[IK_V2_PL_N] = { "N", 4, 0, 0, C(IK_V2_CTX_INIT) | IN_SK | C(IK_V2_CTX_INFO_CLEAR) },
	[IK_V2_PL_D] = { "D", 4, 0, 0, C(IK_V2_CTX_INFO) },
	[IK_V2_PL_V] = { "V", 1, 0, 0, C(IK_V2_CTX_INIT) | IN_SK },
	[IK_V2_PL_TSI] = { "TSi", 4, 1, 0, C(IK_V2_CTX_AUTH) | C(IK_V2_CTX_CHILD) },
	[IK_V2_PL_TSR] = { "TSr", 4, 1, 0, C(IK_V2_CTX_AUTH) | C(IK_V2_CTX_CHILD) },
	[IK_V2_PL_SK] = { "SK", 0, 1, IK_PL_F_LAST, C(IK_V2_CTX_OUTER) },
	[IK_V2_PL_CP] = { "CP", 4, 1, 0, C(IK_V2_CTX_AUTH) | C(IK_V2_CTX_INFO) },
	[IK_V2_PL_EAP] = { "EAP", 4, 1, IK_PL_F_UNSUPPORTED, 0 },
	[IK_V2_PL_GSPM] = { "GSPM", 1, 1, IK_PL_F_UNSUPPORTED, 0 },
	[IK_V2_PL_SKF] = { "SKF", 4, 1, IK_PL_F_LAST, C(IK_V2_CTX_OUTER) },
};

static const char *const v2_ctx_names[IK_V2_CTX_N] = {
	[IK_V2_CTX_INIT] = "IKE_SA_INIT",
	[IK_V2_CTX_AUTH] = "IKE_AUTH (inside SK)",
	[IK_V2_CTX_CHILD] = "CREATE_CHILD_SA (inside SK)",
	[IK_V2_CTX_INFO] = "INFORMATIONAL (inside SK)",
	[IK_V2_CTX_OUTER] = "a protected exchange outside SK",
	[IK_V2_CTX_INFO_CLEAR] = "an unprotected INFORMATIONAL",
};

const struct ik_pl_rules ik_v2_pl_rules = {
	.version = 2,
	.row = v2_rows,
	.max_payloads = IK_V2_MAX_PAYLOADS,
	.unknown_fatal = false,
	.ctx_name = v2_ctx_names,
	.nctx = IK_V2_CTX_N,
};

const char *ik_v2_exch_name(unsigned exch)
{
	switch (exch) {
	case IK_V2_EXCH_IKE_SA_INIT: return "IKE_SA_INIT";
	case IK_V2_EXCH_IKE_AUTH: return "IKE_AUTH";
	case IK_V2_EXCH_CREATE_CHILD_SA: return "CREATE_CHILD_SA";
	case IK_V2_EXCH_INFORMATIONAL: return "INFORMATIONAL";
	default: return "UNKNOWN";
	}
}

const char *ik_v2_pl_name(unsigned type)
{
	const struct ik_pl_rule *r = type < 256 ? &v2_rows[type] : NULL;

	if (type == IK_V2_PL_NONE)
		return "NONE";
	return r && r->name ? r->name : "UNKNOWN";
}

const char *ik_v2_tt_name(unsigned type)
{
	switch (type) {
	case IK_V2_TT_ENCR: return "ENCR";
	case IK_V2_TT_PRF: return "PRF";
	case IK_V2_TT_INTEG: return "INTEG";
	case IK_V2_TT_DH: return "DH";
	case IK_V2_TT_ESN: return "ESN";
	default: return "UNKNOWN";
	}
}

const char *ik_v2_notify_name(unsigned type)
{
	switch (type) {
	case IK_V2_N_UNSUPPORTED_CRITICAL_PAYLOAD: return "UNSUPPORTED_CRITICAL_PAYLOAD";
	case IK_V2_N_INVALID_IKE_SPI: return "INVALID_IKE_SPI";
	case IK_V2_N_INVALID_MAJOR_VERSION: return "INVALID_MAJOR_VERSION";
	case IK_V2_N_INVALID_SYNTAX: return "INVALID_SYNTAX";
	case IK_V2_N_INVALID_MESSAGE_ID: return "INVALID_MESSAGE_ID";
	case IK_V2_N_INVALID_SPI: return "INVALID_SPI";
	case IK_V2_N_NO_PROPOSAL_CHOSEN: return "NO_PROPOSAL_CHOSEN";
	case IK_V2_N_INVALID_KE_PAYLOAD: return "INVALID_KE_PAYLOAD";
	case IK_V2_N_AUTHENTICATION_FAILED: return "AUTHENTICATION_FAILED";
	case IK_V2_N_SINGLE_PAIR_REQUIRED: return "SINGLE_PAIR_REQUIRED";
	case IK_V2_N_NO_ADDITIONAL_SAS: return "NO_ADDITIONAL_SAS";
	case IK_V2_N_INTERNAL_ADDRESS_FAILURE: return "INTERNAL_ADDRESS_FAILURE";
	case IK_V2_N_FAILED_CP_REQUIRED: return "FAILED_CP_REQUIRED";
	case IK_V2_N_TS_UNACCEPTABLE: return "TS_UNACCEPTABLE";
	case IK_V2_N_INVALID_SELECTORS: return "INVALID_SELECTORS";
	case IK_V2_N_TEMPORARY_FAILURE: return "TEMPORARY_FAILURE";
	case IK_V2_N_CHILD_SA_NOT_FOUND: return "CHILD_SA_NOT_FOUND";
	case IK_V2_N_INITIAL_CONTACT: return "INITIAL_CONTACT";
	case IK_V2_N_SET_WINDOW_SIZE: return "SET_WINDOW_SIZE";
	case IK_V2_N_ADDITIONAL_TS_POSSIBLE: return "ADDITIONAL_TS_POSSIBLE";
	case IK_V2_N_IPCOMP_SUPPORTED: return "IPCOMP_SUPPORTED";
	case IK_V2_N_NAT_DETECTION_SOURCE_IP: return "NAT_DETECTION_SOURCE_IP";
	case IK_V2_N_NAT_DETECTION_DESTINATION_IP: return "NAT_DETECTION_DESTINATION_IP";
	case IK_V2_N_COOKIE: return "COOKIE";
	case IK_V2_N_USE_TRANSPORT_MODE: return "USE_TRANSPORT_MODE";
	case IK_V2_N_HTTP_CERT_LOOKUP_SUPPORTED: return "HTTP_CERT_LOOKUP_SUPPORTED";
	case IK_V2_N_REKEY_SA: return "REKEY_SA";
	case IK_V2_N_ESP_TFC_PADDING_NOT_SUPPORTED: return "ESP_TFC_PADDING_NOT_SUPPORTED";
	case IK_V2_N_NON_FIRST_FRAGMENTS_ALSO: return "NON_FIRST_FRAGMENTS_ALSO";
	case IK_V2_N_MOBIKE_SUPPORTED: return "MOBIKE_SUPPORTED";
	case IK_V2_N_REDIRECT_SUPPORTED: return "REDIRECT_SUPPORTED";
	case IK_V2_N_IKEV2_FRAGMENTATION_SUPPORTED: return "IKEV2_FRAGMENTATION_SUPPORTED";
	case IK_V2_N_SIGNATURE_HASH_ALGORITHMS: return "SIGNATURE_HASH_ALGORITHMS";
	default: return "UNKNOWN";
	}
}

int ik_v2_parse_hdr(const uint8_t *d, size_t dlen, struct ik_v2_hdr *h, char *err, size_t errlen)
{
	if (dlen < IK_V2_HDR_LEN) {
		snprintf(err, errlen, "IKEv2 header: %zu bytes < %d", dlen, IK_V2_HDR_LEN);
		return IK_PL_MALFORMED;
	}
	memcpy(h->spi_i, d, 8);
	memcpy(h->spi_r, d + 8, 8);
	h->np = d[16];
	h->version = d[17];
	h->exch = d[18];
	h->flags = d[19];
	h->msgid = ik_get32(d + 20);
	h->len = ik_get32(d + 24);
	if ((h->version >> 4) > 2) {
		snprintf(err, errlen, "IKEv2 header: major version %u > 2", h->version >> 4);
		return IK_V2_BAD_VERSION;
	}
	if ((h->version >> 4) != 2) {
		snprintf(err, errlen, "IKEv2 header: version %u.%u in an IKEv2 context",
			 h->version >> 4, h->version & 0xf);
		return IK_PL_MALFORMED;
	}
	if (h->len < IK_V2_HDR_LEN) {
		snprintf(err, errlen, "IKEv2 header: length %u < %d", h->len, IK_V2_HDR_LEN);
		return IK_PL_MALFORMED;
	}
	if (h->len > dlen) {
		snprintf(err, errlen, "IKEv2 header: length %u > %zu received", h->len, dlen);
		return IK_PL_MALFORMED;
	}
	if (h->len > IK_V2_MAX_MSG) {
		snprintf(err, errlen, "IKEv2 header: length %u > %d supported", h->len,
			 IK_V2_MAX_MSG);
		return IK_PL_MALFORMED;
	}
	if (h->exch < IK_V2_EXCH_IKE_SA_INIT || h->exch > IK_V2_EXCH_INFORMATIONAL) {
		snprintf(err, errlen, "IKEv2 header: unknown exchange type %u", h->exch);
		return IK_PL_MALFORMED;
	}
	/* RFC 7296 3.1: the other flag bits are ignored on receipt */
	if (h->exch == IK_V2_EXCH_IKE_SA_INIT && h->msgid != 0) {
		snprintf(err, errlen, "IKEv2 header: IKE_SA_INIT with message ID %u", h->msgid);
		return IK_PL_MALFORMED;
	}
	return 0;
}

static int v2_visit(void *arg, const struct ik_pl *pl, char *err, size_t errlen)
{
	struct ik_v2_msg *m = arg;

	(void)err;
	(void)errlen;
	m->pl[m->npl++] = *pl;
	return 0;
}

static int v2_walk(const uint8_t *msg, size_t len, size_t start, unsigned np, unsigned ctx,
		   struct ik_v2_msg *m, char *err, size_t errlen)
{
	struct ik_pl_walk w;
	int rc;

	m->npl = 0;
	m->sk = NULL;
	m->inner_np = 0;
	rc = ik_pl_walk(&ik_v2_pl_rules, msg, len, start, np, ctx, false, v2_visit, m, &w, err,
			errlen);
	m->end = w.end;
	m->skipped = w.skipped;
	m->bad_type = w.bad_type;
	if (rc)
		return rc;
	if (m->npl && (m->pl[m->npl - 1].type == IK_V2_PL_SK ||
		       m->pl[m->npl - 1].type == IK_V2_PL_SKF)) {
		m->sk = &m->pl[m->npl - 1];
		m->inner_np = w.inner_np;
	}
	return 0;
}

int ik_v2_parse_payloads(const uint8_t *msg, size_t msg_len, struct ik_v2_msg *m,
			 char *err, size_t errlen)
{
	unsigned ctx;
	int rc;

	if (m->hdr.exch == IK_V2_EXCH_IKE_SA_INIT)
		ctx = IK_V2_CTX_INIT;
	else if (m->hdr.exch == IK_V2_EXCH_INFORMATIONAL && m->hdr.np != IK_V2_PL_SK &&
		 m->hdr.np != IK_V2_PL_SKF)
		ctx = IK_V2_CTX_INFO_CLEAR;
	else
		ctx = IK_V2_CTX_OUTER;
	rc = v2_walk(msg, msg_len, IK_V2_HDR_LEN, m->hdr.np, ctx, m, err, errlen);
	if (rc)
		return rc;
	if (ctx == IK_V2_CTX_OUTER && !m->sk) {
		snprintf(err, errlen, "%s message without an SK payload",
			 ik_v2_exch_name(m->hdr.exch));
		return IK_PL_MALFORMED;
	}
	return 0;
}

int ik_v2_parse_inner(const uint8_t *plain, size_t len, unsigned first_np, unsigned exch,
		      struct ik_v2_msg *m, char *err, size_t errlen)
{
	unsigned ctx;

	switch (exch) {
	case IK_V2_EXCH_IKE_AUTH: ctx = IK_V2_CTX_AUTH; break;
	case IK_V2_EXCH_CREATE_CHILD_SA: ctx = IK_V2_CTX_CHILD; break;
	case IK_V2_EXCH_INFORMATIONAL: ctx = IK_V2_CTX_INFO; break;
	default:
		snprintf(err, errlen, "%s carries no SK payload", ik_v2_exch_name(exch));
		return IK_PL_MALFORMED;
	}
	return v2_walk(plain, len, 0, first_np, ctx, m, err, errlen);
}

const struct ik_pl *ik_v2_find(const struct ik_v2_msg *m, unsigned type)
{
	for (size_t i = 0; i < m->npl; i++)
		if (m->pl[i].type == type)
			return &m->pl[i];
	return NULL;
}

unsigned ik_v2_count(const struct ik_v2_msg *m, unsigned type)
{
	unsigned n = 0;

	for (size_t i = 0; i < m->npl; i++)
		n += m->pl[i].type == type;
	return n;
}

const struct ik_pl *ik_v2_find_notify(const struct ik_v2_msg *m, uint16_t type)
{
	for (size_t i = 0; i < m->npl; i++)
		if (m->pl[i].type == IK_V2_PL_N && ik_get16(m->pl[i].body + 2) == type)
			return &m->pl[i];
	return NULL;
}

/* ---- SA: validated and counted, then filled into one block ---- */

struct v2_sa_count {
	size_t np, nt;
};

static int v2_parse_xform(const uint8_t *b, size_t tlen, size_t tpoff, struct ik_v2_transform *t,
			  char *err, size_t errlen)
{
	size_t off = 8;

	if (t) {
		t->off = tpoff;
		t->type = b[4];
		t->id = ik_get16(b + 6);
		t->keylen = 0;
		t->unknown_attr = false;
	}
	while (off < tlen) {
		size_t rem = tlen - off;
		uint16_t ty;

		if (rem < 4) {
			snprintf(err, errlen, "transform attribute at offset %zu: header 4 > %zu "
				 "remaining", tpoff + off, rem);
			return -1;
		}
		ty = ik_get16(b + off);
		if (ty & 0x8000) {
			if (t && (ty & 0x7fff) == IK_V2_ATTR_KEY_LENGTH)
				t->keylen = ik_get16(b + off + 2);
			else if (t)
				t->unknown_attr = true;
			off += 4;
			continue;
		}
		/* only TV attributes are defined; a TLV one is length-checked and
		 * marks the transform as carrying an unknown attribute */
		uint16_t alen = ik_get16(b + off + 2);
		if (alen > rem - 4) {
			snprintf(err, errlen, "transform attribute %u at offset %zu: length %u > "
				 "%zu remaining", ty, tpoff + off, alen, rem - 4);
			return -1;
		}
		if (t)
			t->unknown_attr = true;
		off += 4 + alen;
	}
	return 0;
}

static int v2_sa_pass(const struct ik_pl *pl, struct ik_v2_sa *sa, struct v2_sa_count *c,
		      char *err, size_t errlen)
{
	const uint8_t *b = pl->body;
	size_t len = pl->body_len, off = 0;
	struct ik_v2_transform *tfree = sa ? (struct ik_v2_transform *)(sa->p + c->np) : NULL;
	unsigned last = 2;
	size_t np = 0;

	while (last == 2) {
		size_t rem = len - off, poff = pl->off + 4 + off, nt = 0;
		unsigned plen, spi_size, ntrans, tlast = 3;
		struct ik_v2_proposal *p = NULL;

		if (rem < 8) {
			snprintf(err, errlen, "proposal at offset %zu: header 8 > %zu remaining",
				 poff, rem);
			return -1;
		}
		last = b[off];
		if (last != 0 && last != 2) {
			snprintf(err, errlen, "proposal at offset %zu: last-substructure %u is "
				 "neither 0 nor 2", poff, last);
			return -1;
		}
		plen = ik_get16(b + off + 2);
		if (plen < 8 || plen > rem) {
			snprintf(err, errlen, "proposal at offset %zu: length %u not in 8..%zu",
				 poff, plen, rem);
			return -1;
		}
		if (np == IK_V2_MAX_PROPOSALS) {
			snprintf(err, errlen, "proposal at offset %zu: more than %d proposals",
				 poff, IK_V2_MAX_PROPOSALS);
			return -1;
		}
		spi_size = b[off + 6];
		ntrans = b[off + 7];
		if (spi_size != 0 && spi_size != 4 && spi_size != 8) {
			snprintf(err, errlen, "proposal at offset %zu: SPI size %u not 0, 4 or 8",
				 poff, spi_size);
			return -1;
		}
		if ((size_t)8 + spi_size > plen) {
			snprintf(err, errlen, "proposal at offset %zu: SPI size %u > %u remaining",
				 poff, spi_size, plen - 8);
			return -1;
		}
		if (sa) {
			p = &sa->p[sa->np++];
			p->off = poff;
			p->num = b[off + 4];
			p->proto = b[off + 5];
			p->spi_size = (uint8_t)spi_size;
			p->ntrans = (uint8_t)ntrans;
			memset(p->spi, 0, sizeof(p->spi));
			memcpy(p->spi, b + off + 8, spi_size);
			p->t = tfree;
			p->nt = 0;
		}
		size_t toff = off + 8 + spi_size, tend = off + plen;
		if (ntrans == 0 || toff == tend) {
			snprintf(err, errlen, "proposal at offset %zu: no transform", poff);
			return -1;
		}
		while (tlast == 3) {
			size_t trem = tend - toff, tpoff = pl->off + 4 + toff;
			unsigned tlen;

			if (trem < 8) {
				snprintf(err, errlen, "transform at offset %zu: header 8 > %zu "
					 "remaining", tpoff, trem);
				return -1;
			}
			tlast = b[toff];
			if (tlast != 0 && tlast != 3) {
				snprintf(err, errlen, "transform at offset %zu: last-substructure "
					 "%u is neither 0 nor 3", tpoff, tlast);
				return -1;
			}
			tlen = ik_get16(b + toff + 2);
			if (tlen < 8 || tlen > trem) {
				snprintf(err, errlen, "transform at offset %zu: length %u not in "
					 "8..%zu", tpoff, tlen, trem);
				return -1;
			}
			if (nt == IK_V2_MAX_TRANSFORMS) {
				snprintf(err, errlen, "transform at offset %zu: more than %d "
					 "transforms", tpoff, IK_V2_MAX_TRANSFORMS);
				return -1;
			}
			if (v2_parse_xform(b + toff, tlen, tpoff, p ? tfree : NULL, err, errlen))
				return -1;
			if (p) {
				tfree++;
				p->nt++;
			}
			nt++;
			toff += tlen;
		}
		if (toff != tend) {
			snprintf(err, errlen, "proposal at offset %zu: %zu bytes after the last "
				 "transform", poff, tend - toff);
			return -1;
		}
		if (nt != ntrans) {
			snprintf(err, errlen, "proposal at offset %zu: %u transforms announced, "
				 "%zu present", poff, ntrans, nt);
			return -1;
		}
		if (!sa)
			c->nt += nt;
		np++;
		off += plen;
	}
	if (off != len) {
		snprintf(err, errlen, "SA payload at offset %zu: %zu bytes after the last proposal",
			 pl->off, len - off);
		return -1;
	}
	if (!sa)
		c->np = np;
	return 0;
}

size_t ik_v2_sa_size(size_t np, size_t nt)
{
	return sizeof(struct ik_v2_sa) + np * sizeof(struct ik_v2_proposal) +
	       nt * sizeof(struct ik_v2_transform);
}

int ik_v2_parse_sa(const struct ik_pl *pl, struct ik_v2_sa **out, char *err, size_t errlen)
{
	struct v2_sa_count c = { 0, 0 };
	struct ik_v2_sa *sa;
	size_t size;

	*out = NULL;
	if (v2_sa_pass(pl, NULL, &c, err, errlen))
		return IK_PL_MALFORMED;
	size = ik_v2_sa_size(c.np, c.nt);
	sa = calloc(1, size);
	if (!sa) {
		snprintf(err, errlen, "SA payload at offset %zu: out of memory for %zu bytes",
			 pl->off, size);
		return IK_PL_MALFORMED;
	}
	sa->alloc = size;
	sa->p = (struct ik_v2_proposal *)(sa + 1);
	/* the second pass reads bytes the first one validated */
	if (v2_sa_pass(pl, sa, &c, err, errlen) || sa->np != c.np) {
		free(sa);
		return IK_PL_MALFORMED;
	}
	*out = sa;
	return 0;
}

void ik_v2_sa_free(struct ik_v2_sa *sa)
{
	free(sa);
}

const struct ik_v2_transform *ik_v2_prop_find(const struct ik_v2_proposal *p, uint8_t type,
					      size_t i)
{
	for (size_t k = 0; k < p->nt; k++)
		if (p->t[k].type == type && i-- == 0)
			return &p->t[k];
	return NULL;
}

/* ---- the other payloads ---- */

int ik_v2_parse_ke(const struct ik_pl *pl, struct ik_v2_ke *ke, char *err, size_t errlen)
{
	ke->group = ik_get16(pl->body);
	ke->data = pl->body + 4;
	ke->len = pl->body_len - 4;
	if (ke->len == 0) {
		snprintf(err, errlen, "KE payload at offset %zu: no key exchange data", pl->off);
		return IK_PL_MALFORMED;
	}
	return 0;
}

int ik_v2_parse_id(const struct ik_pl *pl, struct ik_v2_id_pl *id, char *err, size_t errlen)
{
	const char *name = ik_v2_pl_name(pl->type);

	id->type = pl->body[0];
	id->data = pl->body + 4;
	id->len = pl->body_len - 4;
	id->body = pl->body;
	id->body_len = pl->body_len;
	switch (id->type) {
	case IK_V2_ID_IPV4_ADDR:
	case IK_V2_ID_IPV6_ADDR: {
		size_t want = id->type == IK_V2_ID_IPV4_ADDR ? 4 : 16;

		if (id->len != want) {
			snprintf(err, errlen, "%s payload at offset %zu: ID_IPV%c_ADDR of %zu "
				 "bytes != %zu", name, pl->off,
				 id->type == IK_V2_ID_IPV4_ADDR ? '4' : '6', id->len, want);
			return IK_PL_MALFORMED;
		}
		break;
	}
	case IK_V2_ID_FQDN:
	case IK_V2_ID_RFC822_ADDR:
	case IK_V2_ID_KEY_ID:
	case IK_V2_ID_DER_ASN1_DN:
	case IK_V2_ID_DER_ASN1_GN:
		if (id->len == 0) {
			snprintf(err, errlen, "%s payload at offset %zu: empty identity of type "
				 "%u", name, pl->off, id->type);
			return IK_PL_MALFORMED;
		}
		break;
	default:
		snprintf(err, errlen, "%s payload at offset %zu: unsupported ID type %u", name,
			 pl->off, id->type);
		return IK_PL_MALFORMED;
	}
	return 0;
}

int ik_v2_parse_cert(const struct ik_pl *pl, struct ik_v2_cert *c, char *err, size_t errlen)
{
	c->encoding = pl->body[0];
	c->data = pl->body + 1;
	c->len = pl->body_len - 1;
	if (pl->type == IK_V2_PL_CERTREQ && c->encoding == IK_V2_CERT_X509_SIG &&
	    c->len % 20 != 0) {
		snprintf(err, errlen, "CERTREQ payload at offset %zu: %zu bytes of CA hashes, not "
			 "a multiple of 20", pl->off, c->len);
		return IK_PL_MALFORMED;
	}
	return 0;
}

int ik_v2_parse_auth(const struct ik_pl *pl, struct ik_v2_auth *a, char *err, size_t errlen)
{
	a->method = pl->body[0];
	a->data = pl->body + 4;
	a->len = pl->body_len - 4;
	if (a->method == 0) {
		snprintf(err, errlen, "AUTH payload at offset %zu: method 0", pl->off);
		return IK_PL_MALFORMED;
	}
	return 0;
}

int ik_v2_parse_nonce(const struct ik_pl *pl, const uint8_t **n, size_t *len, char *err,
		      size_t errlen)
{
	if (pl->body_len < IK_V2_MIN_NONCE || pl->body_len > IK_V2_MAX_NONCE) {
		snprintf(err, errlen, "Nonce payload at offset %zu: %zu bytes not in %d..%d",
			 pl->off, pl->body_len, IK_V2_MIN_NONCE, IK_V2_MAX_NONCE);
		return IK_PL_MALFORMED;
	}
	*n = pl->body;
	*len = pl->body_len;
	return 0;
}

int ik_v2_parse_notify(const struct ik_pl *pl, struct ik_v2_notify *n, char *err,
		       size_t errlen)
{
	n->proto = pl->body[0];
	n->spi_size = pl->body[1];
	n->type = ik_get16(pl->body + 2);
	if ((size_t)4 + n->spi_size > pl->body_len) {
		snprintf(err, errlen, "N(%s) payload at offset %zu: SPI size %u > %zu remaining",
			 ik_v2_notify_name(n->type), pl->off, n->spi_size, pl->body_len - 4);
		return IK_PL_MALFORMED;
	}
	n->spi = pl->body + 4;
	n->data = n->spi + n->spi_size;
	n->data_len = pl->body_len - 4 - n->spi_size;
	switch (n->type) {
	case IK_V2_N_NAT_DETECTION_SOURCE_IP:
	case IK_V2_N_NAT_DETECTION_DESTINATION_IP:
		if (n->data_len != 20) {
			snprintf(err, errlen, "N(%s) payload at offset %zu: %zu bytes of data != "
				 "20", ik_v2_notify_name(n->type), pl->off, n->data_len);
			return IK_PL_MALFORMED;
		}
		break;
	case IK_V2_N_COOKIE:
		if (n->data_len < 1 || n->data_len > 64) {
			snprintf(err, errlen, "N(COOKIE) payload at offset %zu: %zu bytes of data "
				 "not in 1..64", pl->off, n->data_len);
			return IK_PL_MALFORMED;
		}
		break;
	case IK_V2_N_INVALID_KE_PAYLOAD:
		if (n->data_len != 2) {
			snprintf(err, errlen, "N(INVALID_KE_PAYLOAD) payload at offset %zu: %zu "
				 "bytes of data != 2", pl->off, n->data_len);
			return IK_PL_MALFORMED;
		}
		break;
	case IK_V2_N_REKEY_SA:
		if (n->spi_size != 4) {
			snprintf(err, errlen, "N(REKEY_SA) payload at offset %zu: SPI size %u != "
				 "4", pl->off, n->spi_size);
			return IK_PL_MALFORMED;
		}
		break;
	default:
		break;
	}
	return 0;
}

int ik_v2_parse_delete(const struct ik_pl *pl, struct ik_v2_delete *d, char *err,
		       size_t errlen)
{
	d->proto = pl->body[0];
	d->spi_size = pl->body[1];
	d->nspi = ik_get16(pl->body + 2);
	d->spis = pl->body + 4;
	if (d->proto == IK_V2_PROTO_IKE) {
		if (d->spi_size != 0 || d->nspi != 0 || pl->body_len != 4) {
			snprintf(err, errlen, "D payload at offset %zu: IKE SA with SPI size %u, "
				 "%u SPIs, %zu bytes", pl->off, d->spi_size, d->nspi,
				 pl->body_len - 4);
			return IK_PL_MALFORMED;
		}
		return 0;
	}
	if (d->proto != IK_V2_PROTO_ESP && d->proto != IK_V2_PROTO_AH) {
		snprintf(err, errlen, "D payload at offset %zu: protocol %u", pl->off, d->proto);
		return IK_PL_MALFORMED;
	}
	if (d->spi_size != 4 || d->nspi == 0 ||
	    (size_t)d->spi_size * d->nspi != pl->body_len - 4) {
		snprintf(err, errlen, "D payload at offset %zu: %u SPIs of %u bytes in %zu "
			 "remaining", pl->off, d->nspi, d->spi_size, pl->body_len - 4);
		return IK_PL_MALFORMED;
	}
	return 0;
}

int ik_v2_parse_ts(const struct ik_pl *pl, struct ik_v2_ts_list *l, char *err, size_t errlen)
{
	const char *name = ik_v2_pl_name(pl->type);
	unsigned n = pl->body[0];
	size_t off = 4;

	l->n = 0;
	if (n == 0 || n > IK_V2_MAX_TS) {
		snprintf(err, errlen, "%s payload at offset %zu: %u selectors not in 1..%d",
			 name, pl->off, n, IK_V2_MAX_TS);
		return IK_PL_MALFORMED;
	}
	for (unsigned i = 0; i < n; i++) {
		size_t rem = pl->body_len - off, soff = pl->off + 4 + off;
		struct ik_v2_ts *ts = &l->ts[l->n];
		unsigned slen, alen;

		if (rem < 4) {
			snprintf(err, errlen, "%s selector at offset %zu: header 4 > %zu "
				 "remaining", name, soff, rem);
			return IK_PL_MALFORMED;
		}
		ts->type = pl->body[off];
		ts->proto = pl->body[off + 1];
		slen = ik_get16(pl->body + off + 2);
		if (ts->type == IK_V2_TS_IPV4_ADDR_RANGE) {
			alen = 4;
		} else if (ts->type == IK_V2_TS_IPV6_ADDR_RANGE) {
			alen = 16;
		} else {
			snprintf(err, errlen, "%s selector at offset %zu: unsupported type %u",
				 name, soff, ts->type);
			return IK_PL_MALFORMED;
		}
		if (slen != 8 + 2 * alen || slen > rem) {
			snprintf(err, errlen, "%s selector at offset %zu: length %u, expected %u "
				 "(%zu remaining)", name, soff, slen, 8 + 2 * alen, rem);
			return IK_PL_MALFORMED;
		}
		ts->alen = (uint8_t)alen;
		ts->sport = ik_get16(pl->body + off + 4);
		ts->eport = ik_get16(pl->body + off + 6);
		memset(ts->start, 0, sizeof(ts->start));
		memset(ts->end, 0, sizeof(ts->end));
		memcpy(ts->start, pl->body + off + 8, alen);
		memcpy(ts->end, pl->body + off + 8 + alen, alen);
		/* start after end, except OPAQUE ports: 65535..0 (RFC 7296 3.13.1) */
		if ((ts->sport > ts->eport && !(ts->sport == 65535 && ts->eport == 0)) ||
		    memcmp(ts->start, ts->end, alen) > 0) {
			snprintf(err, errlen, "%s selector at offset %zu: start after end", name,
				 soff);
			return IK_PL_MALFORMED;
		}
		l->n++;
		off += slen;
	}
	if (off != pl->body_len) {
		snprintf(err, errlen, "%s payload at offset %zu: %zu bytes after %u selectors",
			 name, pl->off, pl->body_len - off, n);
		return IK_PL_MALFORMED;
	}
	return 0;
}

int ik_v2_parse_cp(const struct ik_pl *pl, struct ik_v2_cp *cp, char *err, size_t errlen)
{
	size_t off = 4;

	cp->type = pl->body[0];
	cp->nattr = 0;
	if (cp->type < IK_V2_CFG_REQUEST || cp->type > IK_V2_CFG_ACK) {
		snprintf(err, errlen, "CP payload at offset %zu: type %u", pl->off, cp->type);
		return IK_PL_MALFORMED;
	}
	while (off < pl->body_len) {
		size_t rem = pl->body_len - off, aoff = pl->off + 4 + off;
		struct ik_v2_cp_attr *a;

		if (rem < 4) {
			snprintf(err, errlen, "CP attribute at offset %zu: header 4 > %zu "
				 "remaining", aoff, rem);
			return IK_PL_MALFORMED;
		}
		if (cp->nattr == IK_V2_MAX_CP_ATTRS) {
			snprintf(err, errlen, "CP attribute at offset %zu: more than %d attributes",
				 aoff, IK_V2_MAX_CP_ATTRS);
			return IK_PL_MALFORMED;
		}
		a = &cp->attr[cp->nattr];
		a->type = ik_get16(pl->body + off) & 0x7fff;
		a->len = ik_get16(pl->body + off + 2);
		if (a->len > rem - 4) {
			snprintf(err, errlen, "CP attribute %u at offset %zu: length %u > %zu "
				 "remaining", a->type, aoff, a->len, rem - 4);
			return IK_PL_MALFORMED;
		}
		a->val = pl->body + off + 4;
		cp->nattr++;
		off += 4 + a->len;
	}
	return 0;
}

int ik_v2_parse_skf(const struct ik_pl *pl, struct ik_v2_skf *f, char *err, size_t errlen)
{
	f->num = ik_get16(pl->body);
	f->total = ik_get16(pl->body + 2);
	f->enc = pl->body + 4;
	f->enc_len = pl->body_len - 4;
	if (f->num == 0 || f->total == 0 || f->num > f->total ||
	    f->total > IK_V2_MAX_FRAGMENTS) {
		snprintf(err, errlen, "SKF payload at offset %zu: fragment %u of %u (at most %d)",
			 pl->off, f->num, f->total, IK_V2_MAX_FRAGMENTS);
		return IK_PL_MALFORMED;
	}
	return 0;
}

/* ---- reassembly ---- */

void ik_v2_reasm_init(struct ik_v2_reasm *r)
{
	memset(r, 0, sizeof(*r));
}

void ik_v2_reasm_clear(struct ik_v2_reasm *r)
{
	for (size_t i = 0; i < IK_V2_MAX_FRAGMENTS; i++)
		free(r->piece[i]);
	ik_v2_reasm_init(r);
}

bool ik_v2_reasm_expire(struct ik_v2_reasm *r, uint64_t now_ms)
{
	if (!r->active || now_ms - r->started_ms <= IK_V2_REASM_MS)
		return false;
	ik_v2_reasm_clear(r);
	return true;
}

int ik_v2_reasm_add(struct ik_v2_reasm *r, uint32_t msgid, const struct ik_v2_skf *f,
		    unsigned np, const uint8_t *plain, size_t len, uint64_t now_ms,
		    uint8_t *out, size_t out_size, size_t *out_len, unsigned *first_np,
		    char *err, size_t errlen)
{
	size_t i = (size_t)f->num - 1, off = 0;

	*out_len = 0;
	if (f->num == 0 || f->num > f->total || f->total > IK_V2_MAX_FRAGMENTS) {
		snprintf(err, errlen, "fragment %u of %u: at most %d fragments", f->num,
			 f->total, IK_V2_MAX_FRAGMENTS);
		return -1;
	}
	ik_v2_reasm_expire(r, now_ms);
	if (r->active && r->msgid == msgid && f->total < r->total)
		return IK_V2_REASM_IGNORED;
	if (!r->active || r->msgid != msgid || f->total > r->total) {
		ik_v2_reasm_clear(r);
		r->active = true;
		r->msgid = msgid;
		r->total = f->total;
		r->started_ms = now_ms;
	}
	if (r->piece[i])
		return IK_V2_REASM_IGNORED;
	if (len > IK_V2_MAX_MSG - r->bytes) {
		snprintf(err, errlen, "fragment %u of %u: %zu bytes after %zu exceed %d", f->num,
			 f->total, len, r->bytes, IK_V2_MAX_MSG);
		ik_v2_reasm_clear(r);
		return -1;
	}
	r->piece[i] = malloc(len ? len : 1);
	if (!r->piece[i]) {
		snprintf(err, errlen, "fragment %u of %u: out of memory", f->num, f->total);
		ik_v2_reasm_clear(r);
		return -1;
	}
	memcpy(r->piece[i], plain, len);
	r->len[i] = (uint16_t)len;
	r->bytes += len;
	r->have++;
	if (f->num == 1)
		r->first_np = (uint8_t)np;
	if (r->have < r->total)
		return IK_V2_REASM_STORED;
	if (r->bytes > out_size) {
		snprintf(err, errlen, "%u fragments: %zu bytes > %zu", r->total, r->bytes,
			 out_size);
		ik_v2_reasm_clear(r);
		return -1;
	}
	for (size_t k = 0; k < r->total; k++) {
		memcpy(out + off, r->piece[k], r->len[k]);
		off += r->len[k];
	}
	*out_len = off;
	*first_np = r->first_np;
	ik_v2_reasm_clear(r);
	return IK_V2_REASM_DONE;
}

/* ---- builder ---- */

void ik_v2_b_init(struct ik_v2_builder *b, const uint8_t spi_i[8], const uint8_t spi_r[8],
		  uint8_t exch, uint8_t flags, uint32_t msgid)
{
	b->overflow = false;
	memcpy(b->buf, spi_i, 8);
	memcpy(b->buf + 8, spi_r, 8);
	b->buf[16] = 0;
	b->buf[17] = 0x20;
	b->buf[18] = exch;
	b->buf[19] = flags;
	ik_put32(b->buf + 20, msgid);
	ik_put32(b->buf + 24, IK_V2_HDR_LEN);
	b->len = IK_V2_HDR_LEN;
	b->np_off = 16;
}

void ik_v2_b_put(struct ik_v2_builder *b, const void *data, size_t len)
{
	if (b->overflow || len > sizeof(b->buf) - b->len) {
		b->overflow = true;
		return;
	}
	if (len)
		memcpy(b->buf + b->len, data, len);
	b->len += len;
}

void ik_v2_b_put8(struct ik_v2_builder *b, uint8_t v)
{
	ik_v2_b_put(b, &v, 1);
}

void ik_v2_b_put16(struct ik_v2_builder *b, uint16_t v)
{
	uint8_t x[2];

	ik_put16(x, v);
	ik_v2_b_put(b, x, 2);
}

void ik_v2_b_put32(struct ik_v2_builder *b, uint32_t v)
{
	uint8_t x[4];

	ik_put32(x, v);
	ik_v2_b_put(b, x, 4);
}

size_t ik_v2_b_open(struct ik_v2_builder *b, uint8_t type, bool critical)
{
	size_t off = b->len;
	uint8_t h[4] = { 0, critical ? 0x80 : 0, 0, 4 };

	if (!b->overflow)
		b->buf[b->np_off] = type;
	ik_v2_b_put(b, h, 4);
	b->np_off = off;
	return off;
}

void ik_v2_b_close(struct ik_v2_builder *b, size_t off)
{
	if (b->overflow || b->len - off > 0xffff) {
		b->overflow = true;
		return;
	}
	ik_put16(b->buf + off + 2, (uint16_t)(b->len - off));
}

void ik_v2_b_payload(struct ik_v2_builder *b, uint8_t type, const void *body, size_t len)
{
	size_t off = ik_v2_b_open(b, type, false);

	ik_v2_b_put(b, body, len);
	ik_v2_b_close(b, off);
}

void ik_v2_b_sa(struct ik_v2_builder *b, const struct ik_v2_proposal *p, size_t np)
{
	size_t off;

	/* counts past what one byte holds (and what a parser here accepts) */
	for (size_t i = 0; i < np; i++)
		if (p[i].nt > IK_V2_MAX_TRANSFORMS || p[i].spi_size > 8)
			np = IK_V2_MAX_PROPOSALS + 1;
	if (np > IK_V2_MAX_PROPOSALS) {
		b->overflow = true;
		return;
	}
	off = ik_v2_b_open(b, IK_V2_PL_SA, false);

	for (size_t i = 0; i < np; i++) {
		size_t poff = b->len;

		ik_v2_b_put8(b, i + 1 < np ? 2 : 0);
		ik_v2_b_put8(b, 0);
		ik_v2_b_put16(b, 0);
		ik_v2_b_put8(b, p[i].num);
		ik_v2_b_put8(b, p[i].proto);
		ik_v2_b_put8(b, p[i].spi_size);
		ik_v2_b_put8(b, (uint8_t)p[i].nt);
		ik_v2_b_put(b, p[i].spi, p[i].spi_size);
		for (size_t k = 0; k < p[i].nt; k++) {
			const struct ik_v2_transform *t = &p[i].t[k];

			ik_v2_b_put8(b, k + 1 < p[i].nt ? 3 : 0);
			ik_v2_b_put8(b, 0);
			ik_v2_b_put16(b, t->keylen ? 12 : 8);
			ik_v2_b_put8(b, t->type);
			ik_v2_b_put8(b, 0);
			ik_v2_b_put16(b, t->id);
			if (t->keylen) {
				ik_v2_b_put16(b, 0x8000 | IK_V2_ATTR_KEY_LENGTH);
				ik_v2_b_put16(b, t->keylen);
			}
		}
		if (!b->overflow)
			ik_put16(b->buf + poff + 2, (uint16_t)(b->len - poff));
	}
	ik_v2_b_close(b, off);
}

void ik_v2_b_ke(struct ik_v2_builder *b, uint16_t group, const uint8_t *data, size_t len)
{
	size_t off = ik_v2_b_open(b, IK_V2_PL_KE, false);

	ik_v2_b_put16(b, group);
	ik_v2_b_put16(b, 0);
	ik_v2_b_put(b, data, len);
	ik_v2_b_close(b, off);
}

void ik_v2_b_id(struct ik_v2_builder *b, uint8_t pltype, uint8_t idtype, const void *data,
		size_t len)
{
	size_t off = ik_v2_b_open(b, pltype, false);

	ik_v2_b_put8(b, idtype);
	ik_v2_b_put8(b, 0);
	ik_v2_b_put16(b, 0);
	ik_v2_b_put(b, data, len);
	ik_v2_b_close(b, off);
}

void ik_v2_b_cert(struct ik_v2_builder *b, uint8_t pltype, uint8_t encoding,
		  const void *data, size_t len)
{
	size_t off = ik_v2_b_open(b, pltype, false);

	ik_v2_b_put8(b, encoding);
	ik_v2_b_put(b, data, len);
	ik_v2_b_close(b, off);
}

void ik_v2_b_auth(struct ik_v2_builder *b, uint8_t method, const void *data, size_t len)
{
	size_t off = ik_v2_b_open(b, IK_V2_PL_AUTH, false);

	ik_v2_b_put8(b, method);
	ik_v2_b_put8(b, 0);
	ik_v2_b_put16(b, 0);
	ik_v2_b_put(b, data, len);
	ik_v2_b_close(b, off);
}

void ik_v2_b_nonce(struct ik_v2_builder *b, const void *data, size_t len)
{
	ik_v2_b_payload(b, IK_V2_PL_NONCE, data, len);
}

void ik_v2_b_notify(struct ik_v2_builder *b, uint8_t proto, const void *spi, uint8_t spi_size,
		    uint16_t type, const void *data, size_t len)
{
	size_t off = ik_v2_b_open(b, IK_V2_PL_N, false);

	ik_v2_b_put8(b, proto);
	ik_v2_b_put8(b, spi_size);
	ik_v2_b_put16(b, type);
	ik_v2_b_put(b, spi, spi_size);
	ik_v2_b_put(b, data, len);
	ik_v2_b_close(b, off);
}

void ik_v2_b_delete(struct ik_v2_builder *b, uint8_t proto, uint8_t spi_size, uint16_t nspi,
		    const void *spis)
{
	size_t off = ik_v2_b_open(b, IK_V2_PL_D, false);

	ik_v2_b_put8(b, proto);
	ik_v2_b_put8(b, spi_size);
	ik_v2_b_put16(b, nspi);
	ik_v2_b_put(b, spis, (size_t)spi_size * nspi);
	ik_v2_b_close(b, off);
}

void ik_v2_b_ts(struct ik_v2_builder *b, uint8_t pltype, const struct ik_v2_ts *ts, size_t n)
{
	size_t off;

	if (n > IK_V2_MAX_TS) {
		b->overflow = true;
		return;
	}
	off = ik_v2_b_open(b, pltype, false);

	ik_v2_b_put8(b, (uint8_t)n);
	ik_v2_b_put8(b, 0);
	ik_v2_b_put16(b, 0);
	for (size_t i = 0; i < n; i++) {
		size_t alen = ts[i].type == IK_V2_TS_IPV6_ADDR_RANGE ? 16 : 4;

		ik_v2_b_put8(b, ts[i].type);
		ik_v2_b_put8(b, ts[i].proto);
		ik_v2_b_put16(b, (uint16_t)(8 + 2 * alen));
		ik_v2_b_put16(b, ts[i].sport);
		ik_v2_b_put16(b, ts[i].eport);
		ik_v2_b_put(b, ts[i].start, alen);
		ik_v2_b_put(b, ts[i].end, alen);
	}
	ik_v2_b_close(b, off);
}

void ik_v2_b_cp(struct ik_v2_builder *b, uint8_t type, const struct ik_v2_cp_attr *a, size_t n)
{
	size_t off;

	if (n > IK_V2_MAX_CP_ATTRS) {
		b->overflow = true;
		return;
	}
	off = ik_v2_b_open(b, IK_V2_PL_CP, false);

	ik_v2_b_put8(b, type);
	ik_v2_b_put8(b, 0);
	ik_v2_b_put16(b, 0);
	for (size_t i = 0; i < n; i++) {
		ik_v2_b_put16(b, a[i].type & 0x7fff);
		ik_v2_b_put16(b, a[i].len);
		ik_v2_b_put(b, a[i].val, a[i].len);
	}
	ik_v2_b_close(b, off);
}

size_t ik_v2_b_sk(struct ik_v2_builder *b)
{
	/* the critical bit is clear: RFC 7296 3.14 */
	return ik_v2_b_open(b, IK_V2_PL_SK, false);
}

void ik_v2_b_finish(struct ik_v2_builder *b)
{
	if (!b->overflow)
		ik_put32(b->buf + 24, (uint32_t)b->len);
}
