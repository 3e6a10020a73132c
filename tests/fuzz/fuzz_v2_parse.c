/* Fuzz target: the IKEv2 message parser (header, clear chain, the chain
 * inside SK read as if decrypted, every per-payload parser), then the
 * builder: the clear chain rebuilt byte for byte, and the SA and TS payloads
 * rebuilt from their parsed form and parsed back to the same values. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ike/v2_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ik_v2_builder b, b2;

static void check_sa(const struct ik_pl *pl)
{
	struct ik_v2_sa *sa = NULL, *sa2 = NULL;
	struct ik_v2_msg m2;
	char err[256];

	if (ik_v2_parse_sa(pl, &sa, err, sizeof(err)))
		return;
	/* one block, proportional to what was received */
	if (sa->alloc > ik_v2_sa_size(pl->body_len / 8, pl->body_len / 8))
		__builtin_trap();
	ik_v2_b_init(&b2, b.buf, b.buf, IK_V2_EXCH_IKE_SA_INIT, IK_V2_FLAG_I, 0);
	ik_v2_b_sa(&b2, sa->p, sa->np);
	ik_v2_b_finish(&b2);
	if (!b2.overflow) {
		if (ik_v2_parse_hdr(b2.buf, b2.len, &m2.hdr, err, sizeof(err)) ||
		    ik_v2_parse_payloads(b2.buf, b2.len, &m2, err, sizeof(err)) ||
		    ik_v2_parse_sa(&m2.pl[0], &sa2, err, sizeof(err)))
			__builtin_trap();
		if (sa2->np != sa->np)
			__builtin_trap();
		for (size_t i = 0; i < sa->np; i++) {
			if (sa2->p[i].nt != sa->p[i].nt || sa2->p[i].proto != sa->p[i].proto ||
			    memcmp(sa2->p[i].spi, sa->p[i].spi, 8) != 0)
				__builtin_trap();
			for (size_t k = 0; k < sa->p[i].nt; k++)
				if (sa2->p[i].t[k].type != sa->p[i].t[k].type ||
				    sa2->p[i].t[k].id != sa->p[i].t[k].id ||
				    sa2->p[i].t[k].keylen != sa->p[i].t[k].keylen)
					__builtin_trap();
		}
		ik_v2_sa_free(sa2);
	}
	ik_v2_sa_free(sa);
}

static void check_ts(const struct ik_pl *pl)
{
	struct ik_v2_ts_list l;
	char err[256];

	if (ik_v2_parse_ts(pl, &l, err, sizeof(err)))
		return;
	ik_v2_b_init(&b2, b.buf, b.buf, IK_V2_EXCH_IKE_AUTH, 0, 1);
	ik_v2_b_ts(&b2, pl->type, l.ts, l.n);
	/* the selectors were read exactly: the rebuilt body is the same */
	if (b2.len - IK_V2_HDR_LEN != pl->len ||
	    memcmp(b2.buf + IK_V2_HDR_LEN + 4, pl->body, pl->body_len) != 0)
		__builtin_trap();
}

static void payloads(const struct ik_v2_msg *m)
{
	char err[256];

	for (size_t i = 0; i < m->npl; i++) {
		const struct ik_pl *pl = &m->pl[i];
		struct ik_v2_ke ke;
		struct ik_v2_id id;
		struct ik_v2_cert c;
		struct ik_v2_auth a;
		struct ik_v2_notify n;
		struct ik_v2_delete d;
		struct ik_v2_cp cp;
		struct ik_v2_skf f;
		const uint8_t *nonce;
		size_t nlen;

		switch (pl->type) {
		case IK_V2_PL_SA: check_sa(pl); break;
		case IK_V2_PL_KE: (void)ik_v2_parse_ke(pl, &ke, err, sizeof(err)); break;
		case IK_V2_PL_IDI:
		case IK_V2_PL_IDR: (void)ik_v2_parse_id(pl, &id, err, sizeof(err)); break;
		case IK_V2_PL_CERT:
		case IK_V2_PL_CERTREQ: (void)ik_v2_parse_cert(pl, &c, err, sizeof(err)); break;
		case IK_V2_PL_AUTH: (void)ik_v2_parse_auth(pl, &a, err, sizeof(err)); break;
		case IK_V2_PL_NONCE:
			(void)ik_v2_parse_nonce(pl, &nonce, &nlen, err, sizeof(err));
			break;
		case IK_V2_PL_N:
			if (ik_v2_parse_notify(pl, &n, err, sizeof(err)) == 0)
				(void)ik_v2_notify_name(n.type);
			break;
		case IK_V2_PL_D: (void)ik_v2_parse_delete(pl, &d, err, sizeof(err)); break;
		case IK_V2_PL_TSI:
		case IK_V2_PL_TSR: check_ts(pl); break;
		case IK_V2_PL_CP: (void)ik_v2_parse_cp(pl, &cp, err, sizeof(err)); break;
		case IK_V2_PL_SKF: (void)ik_v2_parse_skf(pl, &f, err, sizeof(err)); break;
		default: break;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ik_v2_msg m;
	char err[256];

	if (ik_v2_parse_hdr(data, size, &m.hdr, err, sizeof(err)))
		return 0;
	if (ik_v2_parse_payloads(data, m.hdr.len, &m, err, sizeof(err)))
		return 0;
	payloads(&m);
	/* the clear chain rebuilt is the same bytes, when nothing was skipped */
	if (!m.skipped) {
		ik_v2_b_init(&b, m.hdr.spi_i, m.hdr.spi_r, m.hdr.exch, m.hdr.flags, m.hdr.msgid);
		for (size_t i = 0; i < m.npl; i++) {
			size_t off = ik_v2_b_open(&b, m.pl[i].type, m.pl[i].critical);

			ik_v2_b_put(&b, m.pl[i].body, m.pl[i].body_len);
			ik_v2_b_close(&b, off);
			/* the other reserved bits are not kept */
			if (!b.overflow)
				b.buf[off + 1] = m.pl[i].p[1];
		}
		if (m.sk && !b.overflow)
			b.buf[m.sk->off] = (uint8_t)m.inner_np;
		ik_v2_b_finish(&b);
		if (b.overflow || b.len != m.hdr.len ||
		    memcmp(b.buf + IK_V2_HDR_LEN, data + IK_V2_HDR_LEN, b.len - IK_V2_HDR_LEN))
			__builtin_trap();
	}
	/* the SK body read as a decrypted inner chain */
	if (m.sk && m.sk->type == IK_V2_PL_SK) {
		const uint8_t *body = m.sk->body;
		size_t blen = m.sk->body_len;
		unsigned np = m.inner_np;

		if (ik_v2_parse_inner(body, blen, np, m.hdr.exch, &m, err, sizeof(err)) == 0)
			payloads(&m);
	}
	return 0;
}
