/* Fuzz target: the IKEv2 message parser (header, clear chain, the chain
 * inside SK read as if decrypted, every per-payload parser), then the
 * builder: the clear chain rebuilt byte for byte, and the SA and TS payloads
 * rebuilt from their parsed form and parsed back to the same values. The SK
 * or SKF payload is opened with fixed keys of three suites (framing checks,
 * then a refused ICV), and its body, sealed as an inner chain with those
 * keys, must open back to the same bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ike/v2_crypto.h"
#include "ike/v2_msg.h"
#include "util/secmem.h"

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
	/* each proposal read as a chosen one: a suite, or a reason */
	for (size_t i = 0; i < sa->np; i++) {
		struct ik_v2_suite s;

		if (ik_v2_prop_suite(&sa->p[i], &s, err, sizeof(err)) == 0)
			(void)ik_v2_suite_unsupported(&s);
	}
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
		struct ik_v2_id_pl id;
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

static struct ik_v2_keys keys[3];
static uint8_t plain[IK_V2_MAX_MSG];

static int keys_init(void)
{
	static const struct ik_v2_suite s[3] = {
		{ IK_V2_ENCR_AES_CBC, 256, IK_V2_INTEG_HMAC_SHA2_256_128,
		  IK_V2_PRF_HMAC_SHA2_256, 14 },
		{ IK_V2_ENCR_AES_GCM_16, 128, 0, IK_V2_PRF_HMAC_SHA2_256, 31 },
		{ IK_V2_ENCR_CHACHA20_POLY1305, 0, 0, IK_V2_PRF_HMAC_SHA1, 19 },
	};
	static const uint8_t n[16] = { 1, 2, 3 };
	struct ik_secret *gir;

	if (ik_secmem_init())
		return -1;
	gir = ik_secret_new("fuzz", 4);
	for (int i = 0; i < 3; i++)
		if (!gir || ik_v2_derive(&s[i], gir, n, 16, n, 16, n, n, &keys[i]))
			return -1;
	ik_secret_free(gir);
	return 0;
}

static void check_sk(const uint8_t *data, const struct ik_v2_msg *m)
{
	static uint8_t iv[16] = { 9 };
	size_t plen;
	char err[256];

	for (int i = 0; i < 3; i++) {
		const struct ik_v2_keys *k = &keys[i];
		size_t sk;

		/* fixed keys are not the sender's: never accepted */
		if (ik_v2_sk_open(k, m->hdr.flags & IK_V2_FLAG_I, data, m->hdr.len, m->sk, plain,
				  sizeof(plain), &plen, err, sizeof(err)) == 0)
			__builtin_trap();
		if (m->sk->type != IK_V2_PL_SK)
			continue;
		/* the body as an inner chain: sealed, then opened to the same bytes */
		ik_v2_b_init(&b2, m->hdr.spi_i, m->hdr.spi_r, m->hdr.exch, m->hdr.flags,
			     m->hdr.msgid);
		sk = ik_v2_b_sk(&b2);
		b2.buf[sk] = (uint8_t)m->inner_np;
		ik_v2_b_put(&b2, m->sk->body, m->sk->body_len);
		if (b2.overflow || ik_v2_sk_seal(k, true, &b2, sk, iv, err, sizeof(err)))
			continue;
		{
			struct ik_pl pl = { IK_V2_PL_SK, false, sk, b2.buf + sk, b2.len - sk,
					    b2.buf + sk + 4, b2.len - sk - 4 };

			if (ik_v2_sk_open(k, true, b2.buf, b2.len, &pl, plain, sizeof(plain),
					  &plen, err, sizeof(err)) != 0 ||
			    plen != m->sk->body_len || memcmp(plain, m->sk->body, plen) != 0)
				__builtin_trap();
			/* the responder's keys refuse it */
			if (ik_v2_sk_open(k, false, b2.buf, b2.len, &pl, plain, sizeof(plain),
					  &plen, err, sizeof(err)) != IK_V2_ICV_MISMATCH)
				__builtin_trap();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ik_v2_msg m;
	static int ready;
	char err[256];

	if (!ready)
		ready = keys_init() == 0 ? 1 : -1;
	if (ready < 0)
		__builtin_trap();

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
	if (m.sk)
		check_sk(data, &m);
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
