/* Main Mode with pre-shared keys (RFC 2409 section 5.4), initiator and
 * responder, with IOS's debug trace and its key and profile selection
 * (spec/selection-rules.md K1..K5, P1..P3). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/v1_int.h"
#include "keyring/hostkeys.h"
#include "util/addr.h"
#include "util/mutant.h"
#include "util/util.h"

#define DBG(p1, ...) ik_dbg((p1)->e->log, IK_DBG_ISAKMP, __VA_ARGS__)

/* ---- attribute codes ---- */

static unsigned encr_code(enum ik_encr e)
{
	switch (e) {
	case IK_ENCR_DES: return 1;
	case IK_ENCR_3DES: return 5;
	case IK_ENCR_AES: return 7;
	default: return 0;
	}
}

static enum ik_encr encr_from(uint64_t v)
{
	switch (v) {
	case 1: return IK_ENCR_DES;
	case 5: return IK_ENCR_3DES;
	case 7: return IK_ENCR_AES;
	default: return IK_ENCR_NONE;
	}
}

static unsigned hash_code(enum ik_hash h)
{
	switch (h) {
	case IK_HASH_MD5: return 1;
	case IK_HASH_SHA1: return 2;
	case IK_HASH_SHA256: return 4;
	case IK_HASH_SHA384: return 5;
	case IK_HASH_SHA512: return 6;
	default: return 0;
	}
}

static enum ik_hash hash_from(uint64_t v)
{
	switch (v) {
	case 1: return IK_HASH_MD5;
	case 2: return IK_HASH_SHA1;
	case 4: return IK_HASH_SHA256;
	case 5: return IK_HASH_SHA384;
	case 6: return IK_HASH_SHA512;
	default: return IK_HASH_NONE;
	}
}

static const char *encr_ios(uint64_t v)
{
	switch (v) {
	case 1: return "DES-CBC";
	case 5: return "3DES-CBC";
	case 7: return "AES-CBC";
	default: return "unknown";
	}
}

static const char *hash_ios(uint64_t v)
{
	switch (v) {
	case 1: return "MD5";
	case 2: return "SHA";
	case 4: return "SHA256";
	case 5: return "SHA384";
	case 6: return "SHA512";
	default: return "unknown";
	}
}

/* ---- encryption of phase-1 and later messages ---- */

int ik_v1_encrypt(struct ik_p1 *p1, struct ik_v1_builder *b, uint8_t *iv)
{
	const struct ik_engine_host *host = &p1->e->host;
	size_t body, pad;
	uint8_t zero[16] = { 0 };

	if (host->tamper && !b->overflow) {
		ik_v1_b_finish(b);
		host->tamper(host->ctx, IK_TAMPER_ENCRYPT, b->buf, &b->len, sizeof(b->buf));
	}
	body = b->len - IK_V1_HDR_LEN;
	pad = (p1->blen - body % p1->blen) % p1->blen;
	ik_v1_b_put(b, zero, pad); /* IOS pads with zeros */
	if (b->overflow)
		return -1;
	b->buf[19] |= IK_V1_FLAG_ENC;
	ik_v1_b_finish(b);
	return ik_cbc_encrypt(p1->encr, p1->keys->enc_key->p, p1->keys->enc_key->len, iv,
			      b->buf + IK_V1_HDR_LEN, b->len - IK_V1_HDR_LEN,
			      b->buf + IK_V1_HDR_LEN);
}

long ik_v1_decrypt(struct ik_p1 *p1, const uint8_t *msg, size_t len, const uint8_t *iv,
		   uint8_t *iv_out, uint8_t *out, size_t outcap)
{
	size_t body = len - IK_V1_HDR_LEN;

	if (!p1->have_keys || len > outcap || body == 0 || body % p1->blen) {
		DBG(p1, "ISAKMP:(%u): encrypted body of %zu bytes is not a multiple of the block "
		    "length %zu", p1->conn_id, body, (size_t)p1->blen);
		return -1;
	}
	memcpy(iv_out, iv, p1->blen);
	memcpy(out, msg, IK_V1_HDR_LEN);
	if (ik_cbc_decrypt(p1->encr, p1->keys->enc_key->p, p1->keys->enc_key->len, iv_out,
			   msg + IK_V1_HDR_LEN, body, out + IK_V1_HDR_LEN))
		return -1;
	return (long)len;
}

/* ---- the proposal (SA payload) ---- */

static void put_p1_transform(struct ik_v1_builder *b, const struct ik_isakmp_policy *pol,
			     unsigned num, bool last, unsigned auth)
{
	size_t off = b->len;

	ik_v1_b_put8(b, last ? 0 : IK_V1_PL_T);
	ik_v1_b_put8(b, 0);
	ik_v1_b_put16(b, 0);
	ik_v1_b_put8(b, (uint8_t)num);
	ik_v1_b_put8(b, 1); /* KEY_IKE */
	ik_v1_b_put16(b, 0);
	ik_v1_b_attr(b, IK_V1_A_ENCR, encr_code(pol->encr), false);
	if (pol->encr == IK_ENCR_AES)
		ik_v1_b_attr(b, IK_V1_A_KEYLEN, pol->keylen ? pol->keylen : 128, false);
	ik_v1_b_attr(b, IK_V1_A_HASH, hash_code(pol->hash), false);
	ik_v1_b_attr(b, IK_V1_A_GROUP, pol->group, false);
	ik_v1_b_attr(b, IK_V1_A_AUTH, auth, false);
	ik_v1_b_attr(b, IK_V1_A_LIFE_TYPE, 1, false);
	ik_v1_b_attr(b, IK_V1_A_LIFE_DUR, pol->lifetime ? pol->lifetime : 86400, true);
	if (!b->overflow)
		ik_put16(b->buf + off + 2, (uint16_t)(b->len - off));
}

/* A policy we can offer: a pre-shared key policy, or (Main Mode) a
 * signature policy with a certificate and key of ours to sign with. */
static bool policy_usable(const struct ik_p1 *p1, const struct ik_isakmp_policy *pol)
{
	bool auth = pol->auth == IK_AUTH_PSK ||
		    (!p1->aggressive && ik_v1_auth_usable(p1, pol->auth));

	return auth && encr_code(pol->encr) && hash_code(pol->hash) &&
	       ik_dh_supported(pol->group);
}

/* Checks one offered transform against one policy with IOS's lines.
 * Returns true when acceptable; *life gets the lifetime to use. */
static bool check_transform(struct ik_p1 *p1, const struct ik_v1_transform *t, uint8_t np,
			    const struct ik_isakmp_policy *pol, uint32_t *life)
{
	bool ok = true;
	uint64_t encr = 0, hash = 0, auth = 0, group = 0, keylen = 0, ltype = 1, ldur = 0;
	unsigned id = p1->conn_id;

	DBG(p1, "ISAKMP:(%u):Checking ISAKMP transform %u against priority %u policy", id, t->num,
	    pol->prio);
	for (size_t i = 0; i < t->nattr; i++) {
		const struct ik_v1_attr *a = &t->attr[i];

		switch (a->type) {
		case IK_V1_A_ENCR:
			encr = a->v;
			DBG(p1, "ISAKMP:      encryption %s", encr_ios(a->v));
			break;
		case IK_V1_A_KEYLEN:
			keylen = a->v;
			DBG(p1, "ISAKMP:      keylength of %u", (unsigned)a->v);
			break;
		case IK_V1_A_HASH:
			hash = a->v;
			DBG(p1, "ISAKMP:      hash %s", hash_ios(a->v));
			break;
		case IK_V1_A_GROUP:
			group = a->v;
			DBG(p1, "ISAKMP:      default group %u", (unsigned)a->v);
			break;
		case IK_V1_A_AUTH:
			auth = a->v;
			DBG(p1, "ISAKMP:      auth %s", a->v == 1 ? "pre-share" :
			    a->v == 3 ? "RSA sig" : a->v >= 9 && a->v <= 11 ? "ECDSA sig" :
			    "unknown");
			break;
		case IK_V1_A_LIFE_TYPE:
			ltype = a->v;
			DBG(p1, "ISAKMP:      life type in %s", a->v == 1 ? "seconds" :
			    a->v == 2 ? "kilobytes" : "unknown units");
			break;
		case IK_V1_A_LIFE_DUR:
			if (ltype == 1 && a->numeric)
				ldur = a->v;
			if (a->tv) {
				DBG(p1, "ISAKMP:      life duration (basic) of %u", (unsigned)a->v);
			} else {
				char hex[64] = "";
				size_t n = 0;

				for (unsigned k = 0; k < a->len && k < 8; k++)
					n += (size_t)snprintf(hex + n, sizeof(hex) - n, " 0x%X",
							      a->val[k]);
				DBG(p1, "ISAKMP:      life duration (VPI) of %s", hex);
			}
			break;
		default:
			DBG(p1, "ISAKMP:      unknown attribute %u", a->type);
			ok = false;
			break;
		}
	}
	if (t->id != 1) {
		DBG(p1, "ISAKMP:(%u):transform %u is not KEY_IKE (%u)", id, t->num, t->id);
		ok = false;
	}
	if (ok && encr_from(encr) != pol->encr) {
		DBG(p1, "ISAKMP:(%u):Encryption algorithm offered does not match policy!", id);
		ok = false;
	}
	if (ok && pol->encr == IK_ENCR_AES && keylen != (pol->keylen ? pol->keylen : 128)) {
		DBG(p1, "ISAKMP:(%u):Proposed key length does not match policy", id);
		ok = false;
	}
	if (ok && hash_from(hash) != pol->hash) {
		DBG(p1, "ISAKMP:(%u):Hash algorithm offered does not match policy!", id);
		ok = false;
	}
	if (ok && pol->auth == IK_AUTH_PSK && auth != 1) {
		DBG(p1, "ISAKMP:(%u):Preshared authentication offered but does not match policy!",
		    id);
		ok = false;
	} else if (ok && pol->auth != IK_AUTH_PSK &&
		   (!ik_v1_auth_code_ok(pol->auth, auth) || p1->aggressive)) {
		DBG(p1, "ISAKMP:(%u):Authentication method offered does not match policy!", id);
		ok = false;
	} else if (ok && !ik_v1_auth_usable(p1, pol->auth)) {
		DBG(p1, "ISAKMP:(%u):No cert, and no keys (public or pre-shared) with remote peer",
		    id);
		ok = false;
	}
	if (ok && (group != pol->group || !ik_dh_supported((unsigned)group))) {
		DBG(p1, "ISAKMP:(%u):Diffie-Hellman group offered does not match policy!", id);
		ok = false;
	}
	if (!ok) {
		DBG(p1, "ISAKMP:(%u):atts are not acceptable. Next payload is %u", id, np);
		return false;
	}
	DBG(p1, "ISAKMP:(%u):atts are acceptable. Next payload is %u", id, np);
	uint32_t mine = pol->lifetime ? pol->lifetime : 86400;
	uint32_t use = (ldur && ldur < mine) ? (uint32_t)ldur : mine;
	DBG(p1, "ISAKMP:(%u):Acceptable atts:actual life: 0", id);
	DBG(p1, "ISAKMP:(%u):Acceptable atts:life: 0", id);
	DBG(p1, "ISAKMP:(%u):Fill atts in sa vpi_length:4", id);
	DBG(p1, "ISAKMP:(%u):Fill atts in sa life_in_seconds:%u", id, use);
	DBG(p1, "ISAKMP:(%u):Returning Actual lifetime: %u", id, use);
	DBG(p1, "ISAKMP:(%u)::Started lifetime timer: %u.", id, use);
	*life = use;
	return true;
}

/* Picks the first acceptable transform (offer order), each checked against
 * the policies in priority order. Returns the transform or NULL. */
static const struct ik_v1_transform *choose(struct ik_p1 *p1, const struct ik_v1_proposal *p)
{
	const struct ik_config *cfg = p1->cfg;

	for (size_t i = 0; i < p->nt; i++) {
		const struct ik_v1_transform *t = &p->t[i];
		uint8_t np = i + 1 < p->nt ? IK_V1_PL_T : 0;

		for (size_t k = 0; k < cfg->npolicies; k++) {
			const struct ik_isakmp_policy *pol = &cfg->policies[k];
			uint32_t life;

			if (check_transform(p1, t, np, pol, &life)) {
				p1->encr = pol->encr;
				p1->keylen = pol->encr == IK_ENCR_AES ?
					(pol->keylen ? pol->keylen : 128) : 0;
				p1->hash = pol->hash;
				p1->auth = pol->auth;
				p1->group = pol->group;
				p1->lifetime = life;
				p1->policy_prio = pol->prio;
				p1->blen = ik_encr_block_len(pol->encr);
				return t;
			}
		}
	}
	return NULL;
}

/* ---- identities ---- */

struct my_id {
	uint8_t body[4 + 256];
	size_t len;
};

static void make_my_id(struct ik_p1 *p1, struct my_id *id)
{
	enum ik_self_id s = p1->cfg->isakmp_identity;

	if (p1->profile && p1->profile->self_id != IK_SELF_ID_DEFAULT)
		s = p1->profile->self_id;
	id->body[1] = 17;
	ik_put16(id->body + 2, 500);
	if (s == IK_SELF_ID_FQDN) {
		const char *h = (p1->profile && p1->profile->self_id == IK_SELF_ID_FQDN &&
				 p1->profile->self_id_value) ? p1->profile->self_id_value :
			p1->cfg->hostname ? p1->cfg->hostname : "Router";
		size_t n = strlen(h);

		if (n > 255)
			n = 255;
		id->body[0] = IK_V1_ID_FQDN;
		memcpy(id->body + 4, h, n);
		id->len = 4 + n;
		return;
	}
	if (p1->local.family == IK_AF_INET6) {
		id->body[0] = IK_V1_ID_IPV6_ADDR;
		memcpy(id->body + 4, p1->local.addr6, 16);
		id->len = 20;
		return;
	}
	id->body[0] = IK_V1_ID_IPV4_ADDR;
	ik_put32(id->body + 4, p1->local.addr);
	id->len = 8;
}

/* The name IOS gives our phase-1 identity type in its traces. */
static const char *id_type_name(uint8_t t)
{
	return t == IK_V1_ID_FQDN ? "ID_FQDN" : t == IK_V1_ID_IPV6_ADDR ? "ID_IPV6_ADDR" :
	       "ID_IPV4_ADDR";
}

static void trace_id(struct ik_p1 *p1, const uint8_t *body, size_t len, uint8_t np)
{
	char a[IK_ADDR_ANYSTRLEN], name[IK_ESCAPED_LEN(255)];

	DBG(p1, "ISAKMP (%u): ID payload", p1->conn_id);
	DBG(p1, "\tnext-payload : %u", np);
	DBG(p1, "\ttype         : %u", body[0]);
	if (body[0] == IK_V1_ID_IPV4_ADDR && len == 8)
		DBG(p1, "\taddress      : %s", ik_addr_fmt(ik_get32(body + 4), a));
	else if (body[0] == IK_V1_ID_IPV6_ADDR && len == 20)
		DBG(p1, "\taddress      : %s", ik_addr6_fmt_ios(body + 4, a));
	else if (body[0] == IK_V1_ID_FQDN || body[0] == IK_V1_ID_USER_FQDN)
		DBG(p1, "\tFQDN name    : %s",
		    ik_str_escape(body + 4, len - 4, name, sizeof(name)));
	DBG(p1, "\tprotocol     : %u", body[1]);
	DBG(p1, "\tport         : %u", ik_get16(body + 2));
	DBG(p1, "\tlength       : %zu", len + 4);
}

/* HASH_I / HASH_R (RFC 2409 5): prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b |
 * IDii_b), the responder's with the g^x and cookies swapped. */
static int auth_hash(struct ik_p1 *p1, bool of_initiator, const uint8_t *id_b, size_t id_len,
		     uint8_t *out)
{
	struct ik_iov iov[6];

	if (of_initiator) {
		iov[0] = (struct ik_iov){ p1->gxi, p1->gxi_len };
		iov[1] = (struct ik_iov){ p1->gxr, p1->gxr_len };
		iov[2] = (struct ik_iov){ p1->cky_i, 8 };
		iov[3] = (struct ik_iov){ p1->cky_r, 8 };
	} else {
		iov[0] = (struct ik_iov){ p1->gxr, p1->gxr_len };
		iov[1] = (struct ik_iov){ p1->gxi, p1->gxi_len };
		iov[2] = (struct ik_iov){ p1->cky_r, 8 };
		iov[3] = (struct ik_iov){ p1->cky_i, 8 };
	}
	iov[4] = (struct ik_iov){ p1->sai_b, p1->sai_b_len };
	iov[5] = (struct ik_iov){ id_b, id_len };
	return ik_prf(p1->hash, p1->keys->skeyid->p, p1->keys->skeyid->len, iov, 6, out);
}

/* ---- key material ---- */

static int make_dh(struct ik_p1 *p1)
{
	size_t rl = ik_dh_rand_len(p1->group);
	uint8_t *r = malloc(rl ? rl : 1);
	const uint8_t *pub;
	size_t publen;

	if (!r)
		return -1;
	ik_core_rand(p1->e, r, rl);
	p1->dh = ik_dh_new(p1->group, r, rl);
	ik_wipe(r, rl);
	free(r);
	if (!p1->dh)
		return -1;
	pub = ik_dh_public(p1->dh, &publen);
	if (p1->initiator) {
		p1->gxi = malloc(publen);
		if (!p1->gxi)
			return -1;
		memcpy(p1->gxi, pub, publen);
		p1->gxi_len = publen;
	} else {
		p1->gxr = malloc(publen);
		if (!p1->gxr)
			return -1;
		memcpy(p1->gxr, pub, publen);
		p1->gxr_len = publen;
	}
	return 0;
}

static int take_ke_nonce(struct ik_p1 *p1, const struct ik_v1_msg *m)
{
	const struct ik_v1_pl *ke = ik_v1_find(m, IK_V1_PL_KE);
	const struct ik_v1_pl *no = ik_v1_find(m, IK_V1_PL_NONCE);
	size_t want = ik_dh_public_len(p1->group);
	uint8_t **dst = p1->initiator ? &p1->gxr : &p1->gxi;
	size_t *dlen = p1->initiator ? &p1->gxr_len : &p1->gxi_len;
	char ra[IK_ADDR_ANYSTRLEN];

	DBG(p1, "ISAKMP:(%u): processing KE payload. message ID = 0", p1->conn_id);
	if (ke->body_len != want && !IK_MUTANT(IK_MUT_MM_KE_LEN)) {
		DBG(p1, "ISAKMP:(%u): KE payload at offset %zu: length %zu != %zu for group %u",
		    p1->conn_id, ke->off, ke->body_len, want, p1->group);
		ik_msg(p1->e->log, IK_LOG_WARNING, "%%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from "
		       "%s failed its sanity check or is malformed",
		       ik_addr_fmt_ios(&p1->remote.ip, ra));
		return -1;
	}
	DBG(p1, "ISAKMP:(%u): processing NONCE payload. message ID = 0", p1->conn_id);
	if (no->body_len < 16 || no->body_len > IK_V1_MAX_NONCE) {
		DBG(p1, "ISAKMP:(%u): NONCE payload at offset %zu: length %zu not in 16..%u",
		    p1->conn_id, no->off, no->body_len, IK_V1_MAX_NONCE);
		ik_msg(p1->e->log, IK_LOG_WARNING, "%%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from "
		       "%s failed its sanity check or is malformed",
		       ik_addr_fmt_ios(&p1->remote.ip, ra));
		return -1;
	}
	free(*dst);
	*dst = malloc(ke->body_len);
	if (!*dst)
		return -1;
	memcpy(*dst, ke->body, ke->body_len);
	*dlen = ke->body_len;
	if (p1->initiator)
		return ik_v1_nonce_set(p1->e, &p1->nr, &p1->nr_len, no->body, no->body_len);
	return ik_v1_nonce_set(p1->e, &p1->ni, &p1->ni_len, no->body, no->body_len);
}

static int derive(struct ik_p1 *p1)
{
	const uint8_t *peer = p1->initiator ? p1->gxr : p1->gxi;
	size_t plen = p1->initiator ? p1->gxr_len : p1->gxi_len;
	struct ik_secret *gxy;
	char why[128] = "";
	int rc;

	gxy = ik_dh_derive(p1->dh, peer, plen, why, sizeof(why));
	if (!gxy) {
		DBG(p1, "ISAKMP:(%u): invalid KE payload: %s", p1->conn_id, why);
		return -1;
	}
	if (!p1->keys && !(p1->keys = calloc(1, sizeof(*p1->keys)))) {
		ik_secret_free(gxy);
		return -1;
	}
	/* The key's secret (its text, len bytes) is used in place: no copy. */
	rc = ik_v1_derive_psk(p1->hash, p1->encr, p1->keylen,
			      ik_v1_auth_is_sig(p1->auth) ? NULL : p1->key->secret, p1->ni, p1->ni_len,
			      p1->nr, p1->nr_len, gxy, p1->gxi, p1->gxi_len, p1->gxr, p1->gxr_len,
			      p1->cky_i, p1->cky_r, p1->keys);
	ik_secret_free(gxy);
	if (rc)
		return -1;
	p1->have_keys = true;
	if (p1->e->host.p1_keys)
		p1->e->host.p1_keys(p1->e->host.ctx, p1->cky_i, p1->keys->enc_key->p,
				    p1->keys->enc_key->len);
	p1->blen = p1->keys->iv_len;
	memcpy(p1->iv, p1->keys->iv, p1->keys->iv_len);
	return 0;
}

static void gen_nonce(struct ik_p1 *p1)
{
	uint8_t **n = p1->initiator ? &p1->ni : &p1->nr;
	size_t *nl = p1->initiator ? &p1->ni_len : &p1->nr_len;

	/* out of memory: an empty nonce, refused by the peer */
	(void)ik_v1_nonce_set(p1->e, n, nl, NULL, IK_V1_NONCE_LEN);
}

static void put_ke_nonce(struct ik_p1 *p1, struct ik_v1_builder *b)
{
	const uint8_t *pub;
	size_t publen;

	pub = ik_dh_public(p1->dh, &publen);
	ik_v1_b_payload(b, IK_V1_PL_KE, pub, publen);
	if (p1->initiator)
		ik_v1_b_payload(b, IK_V1_PL_NONCE, p1->ni, p1->ni_len);
	else
		ik_v1_b_payload(b, IK_V1_PL_NONCE, p1->nr, p1->nr_len);
}

static void send_reply(struct ik_p1 *p1, struct ik_v1_builder *b, bool retransmit)
{
	ik_v1_b_finish(b);
	ik_v1_send(p1, b->buf, b->len);
	ik_v1_xmit_set(p1, &p1->x, b->buf, b->len, retransmit);
}

/* IOS's message, logged with debugging off, and why (the rule that failed)
 * in parentheses when known: the one line an engineer sees without debug. */
static void mode_failure(struct ik_p1 *p1, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void mode_failure(struct ik_p1 *p1, const char *fmt, ...)
{
	char ra[IK_ADDR_ANYSTRLEN], why[300] = "";
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
	}
	ik_msg(p1->e->log, IK_LOG_INFO, "%%CRYPTO-6-IKMP_MODE_FAILURE: Processing of %s mode "
	       "failed with peer at %s%s%s%s", p1->aggressive ? "Aggressive" : "Main",
	       ik_addr_fmt_ios(&p1->remote.ip, ra), why[0] ? " (" : "", why, why[0] ? ")" : "");
}

/* The SA payload of MM1 or AM1: one proposal, one transform per usable
 * policy in priority order (only_group: those of that DH group, as
 * Aggressive Mode's KE fixes the group). Keeps SAi_b for the HASHes. */
static int put_offer(struct ik_p1 *p1, struct ik_v1_builder *b, unsigned only_group)
{
	size_t sa_off, p_off;
	unsigned n = 0, k = 0;

	for (size_t i = 0; i < p1->cfg->npolicies; i++) {
		const struct ik_isakmp_policy *pol = &p1->cfg->policies[i];

		if (policy_usable(p1, pol) && (!only_group || pol->group == only_group))
			n++;
	}
	if (!n) {
		DBG(p1, "ISAKMP:(0):no crypto isakmp policy with pre-shared key authentication "
		    "and a supported group");
		return -1;
	}
	sa_off = ik_v1_b_open(b, IK_V1_PL_SA);
	ik_v1_b_put32(b, 1);
	ik_v1_b_put32(b, 1);
	p_off = b->len;
	ik_v1_b_put8(b, 0);
	ik_v1_b_put8(b, 0);
	ik_v1_b_put16(b, 0);
	ik_v1_b_put8(b, 1);
	ik_v1_b_put8(b, IK_V1_PROTO_ISAKMP);
	ik_v1_b_put8(b, 0);
	ik_v1_b_put8(b, (uint8_t)n);
	for (size_t i = 0; i < p1->cfg->npolicies; i++) {
		const struct ik_isakmp_policy *pol = &p1->cfg->policies[i];

		if (!policy_usable(p1, pol) || (only_group && pol->group != only_group))
			continue;
		k++;
		put_p1_transform(b, pol, k, k == n, ik_v1_auth_code(p1, pol->auth));
	}
	if (!b->overflow)
		ik_put16(b->buf + p_off + 2, (uint16_t)(b->len - p_off));
	ik_v1_b_close(b, sa_off);
	if (b->overflow)
		return -1;
	p1->sai_b_len = b->len - sa_off - 4;
	p1->sai_b = malloc(p1->sai_b_len);
	if (!p1->sai_b)
		return -1;
	memcpy(p1->sai_b, b->buf + sa_off + 4, p1->sai_b_len);
	return 0;
}

static int am_start(struct ik_p1 *p1, struct ik_v1_builder *b);

/* The offer of MM1 or AM1, as the responder takes it: the SA payload parsed,
 * the vendor IDs read, and the first acceptable transform; NULL (the SA is
 * deleted, the peer told NO_PROPOSAL_CHOSEN when nothing matched) else. */
static const struct ik_v1_transform *choose(struct ik_p1 *p1, const struct ik_v1_proposal *p);

static const struct ik_v1_transform *respond_offer(struct ik_p1 *p1, const struct ik_v1_pl *sapl,
						   const struct ik_v1_msg *m, const uint8_t *msg,
						   size_t len, struct ik_v1_sa **sa)
{
	const struct ik_v1_transform *t = NULL;
	char err[200], la[IK_ADDR_ANYSTRLEN], ra[IK_ADDR_ANYSTRLEN];

	DBG(p1, "ISAKMP:(0): processing SA payload. message ID = 0");
	if (ik_v1_parse_sa(sapl, sa, err, sizeof(err))) {
		DBG(p1, "ISAKMP:(0): %s", err);
		ik_msg(p1->e->log, IK_LOG_WARNING, "%%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from "
		       "%s failed its sanity check or is malformed",
		       ik_addr_fmt_ios(&p1->remote.ip, ra));
		ik_v1_p1_delete(p1, "malformed SA payload", false);
		return NULL;
	}
	ik_v1_vid_process(p1, m, msg, len);
	if ((*sa)->np == 1 && (*sa)->p[0].proto == IK_V1_PROTO_ISAKMP)
		t = choose(p1, &(*sa)->p[0]);
	if (!t) {
		DBG(p1, "ISAKMP:(0):no offers accepted!");
		DBG(p1, "ISAKMP:(0): phase 1 SA policy not acceptable! (local %s remote %s)",
		    ik_addr_fmt_ios(&p1->local.ip, la), ik_addr_fmt_ios(&p1->remote.ip, ra));
		ik_v1_send_notify(p1, IK_V1_N_NO_PROPOSAL_CHOSEN, IK_V1_PROTO_ISAKMP, NULL, 0,
				  NULL, 0);
		mode_failure(p1, "NO_PROPOSAL_CHOSEN: no crypto isakmp policy matches an offered "
			     "transform");
		ik_v1_p1_delete(p1, "Phase1 SA policy not acceptable", false);
	}
	return t;
}

/* The SA payload of MM2 or AM2, as the initiator reads it; on a malformed
 * one the responder cookie is forgotten again (the SA waits for a good
 * answer). */
static int parse_answer_sa(struct ik_p1 *p1, const struct ik_v1_pl *sapl, struct ik_v1_sa **sa)
{
	char err[200], ra[IK_ADDR_ANYSTRLEN];

	DBG(p1, "ISAKMP:(0): processing SA payload. message ID = 0");
	if (!ik_v1_parse_sa(sapl, sa, err, sizeof(err)))
		return 0;
	DBG(p1, "ISAKMP:(0): %s", err);
	ik_msg(p1->e->log, IK_LOG_WARNING, "%%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from %s "
	       "failed its sanity check or is malformed", ik_addr_fmt_ios(&p1->remote.ip, ra));
	memset(p1->cky_r, 0, 8);
	return -1;
}

/* N(INITIAL-CONTACT) for the ISAKMP SA, in MM5 or AM3. */
static void put_initial_contact(struct ik_p1 *p1, struct ik_v1_builder *b)
{
	size_t off = ik_v1_b_open(b, IK_V1_PL_N);

	ik_v1_b_put32(b, 1);
	ik_v1_b_put8(b, IK_V1_PROTO_ISAKMP);
	ik_v1_b_put8(b, 16);
	ik_v1_b_put16(b, IK_V1_N_INITIAL_CONTACT);
	ik_v1_b_put(b, p1->cky_i, 8);
	ik_v1_b_put(b, p1->cky_r, 8);
	ik_v1_b_close(b, off);
}

/* Phase 1 is complete on the initiator: the Quick Mode it was started for. */
static void start_wanted_qm(struct ik_p1 *p1)
{
	const struct ik_interface *t;

	if (!p1->up)
		return;
	if (p1->up->want_qm && p1->up->cmap) {
		ik_v1_cmap_start_wanted(p1);
		return;
	}
	if (!p1->up->want_qm || !p1->tunnel)
		return;
	t = ik_config_find_iface(p1->e->cfg, p1->tunnel->name);
	p1->up->want_qm = false;
	if (t && t->protection)
		ik_v1_qm_start(p1, t, p1->up->want_rekey_of);
}

static void put_chosen(struct ik_v1_builder *b, const struct ik_v1_sa *sa,
		       const struct ik_v1_transform *t, const uint8_t *msg);

/* ---- initiator: MM1 ---- */

/* Whether a policy authenticates with a signature we can make. */
static bool initiator_can_sign(const struct ik_p1 *p1)
{
	for (size_t i = 0; i < p1->cfg->npolicies; i++)
		if (ik_v1_auth_is_sig(p1->cfg->policies[i].auth) &&
		    policy_usable(p1, &p1->cfg->policies[i]))
			return true;
	return false;
}

int ik_v1_mm_start(struct ik_p1 *p1)
{
	struct ik_engine *e = p1->e;
	const struct ik_interface *t = p1->tunnel;
	const struct ik_ipsec_profile *ip = t ? t->protection : &p1->up->cmap->ipsec;
	struct ik_trace tr;
	struct ik_v1_builder *b;
	char la[IK_ADDR_ANYSTRLEN], ra[IK_ADDR_ANYSTRLEN];
	static const uint8_t zero[8];
	int rc;
	bool am, gre = t && (t->tunnel_mode == IK_TUN_GRE_IP || t->tunnel_mode == IK_TUN_GRE_IPV6);
	const struct ik_transform_set *ts = ip->ntsets ? ip->tsets[0] : NULL;

	ik_addr_fmt_ios(&p1->local.ip, la);
	ik_addr_fmt_ios(&p1->remote.ip, ra);
	ik_dbg(e->log, IK_DBG_IPSEC, "IPSEC(sa_request): ,");
	ik_dbg(e->log, IK_DBG_IPSEC, "  (key eng. msg.) OUTBOUND local= %s:500, remote= %s:500,",
	       la, ra);
	if (!t) {
		ik_v1_cmap_trace_request(p1);
	} else if (gre && p1->local.ip.family == IK_AF_INET6) {
		ik_dbg(e->log, IK_DBG_IPSEC, "    local_proxy= %s/128/47/0,", la);
		ik_dbg(e->log, IK_DBG_IPSEC, "    remote_proxy= %s/128/47/0,", ra);
	} else if (gre) {
		ik_dbg(e->log, IK_DBG_IPSEC, "    local_proxy= %s/255.255.255.255/47/0,", la);
		ik_dbg(e->log, IK_DBG_IPSEC, "    remote_proxy= %s/255.255.255.255/47/0,", ra);
	} else if (t->tunnel_mode == IK_TUN_IPSEC_IPV6) {
		ik_dbg(e->log, IK_DBG_IPSEC, "    local_proxy= ::/0/0/0,");
		ik_dbg(e->log, IK_DBG_IPSEC, "    remote_proxy= ::/0/0/0,");
	} else {
		ik_dbg(e->log, IK_DBG_IPSEC, "    local_proxy= 0.0.0.0/0.0.0.0/0/0,");
		ik_dbg(e->log, IK_DBG_IPSEC, "    remote_proxy= 0.0.0.0/0.0.0.0/0/0,");
	}
	if (ts) {
		char tn[64];

		ik_core_tset_name(ts, tn, sizeof(tn));
		ik_dbg(e->log, IK_DBG_IPSEC, "    protocol= ESP, transform= %s (%s),", tn,
		       ts->mode == IK_MODE_TRANSPORT ? "Transport" : "Tunnel");
	}
	ik_dbg(e->log, IK_DBG_IPSEC, "    lifedur= %us and %llukb,",
	       ip->lifetime_sec ? ip->lifetime_sec : 3600,
	       (unsigned long long)(ip->lifetime_kb ? ip->lifetime_kb : 4608000));
	ik_dbg(e->log, IK_DBG_IPSEC, "    spi= 0x0(0), conn_id= 0, keysize= %u, flags= 0x0",
	       ts && ts->keylen ? ts->keylen : 128);

	ik_v1_tr(p1, &tr);
	p1->profile = ik_profile_for_initiator_ip(p1->cfg, ip, p1->fvrf, &p1->local.ip,
						  &p1->remote.ip, &tr);
	DBG(p1, "ISAKMP: %s a peer struct for %s, peer port 500",
	    ik_v1_p1_find_peer_ip(e, NULL, &p1->remote.ip, false) != p1 ? "Found" : "Created", ra);
	DBG(p1, "ISAKMP: Locking peer struct 0x%08X, refcount 1 for isakmp_initiator",
	    ik_get32(p1->cky_i + 4));
	DBG(p1, "ISAKMP: local port %u, remote port %u", p1->local.port, p1->remote.port);
	DBG(p1, "ISAKMP: set new node 0 to QM_IDLE");
	DBG(p1, "ISAKMP:(0):insert sa successfully sa = %08X", ik_get32(p1->cky_i));
	am = p1->profile && p1->profile->initiate_aggressive;
	if (am && p1->cfg->aggressive_mode_disable) {
		ik_msg(e->log, IK_LOG_INFO, "%%CRYPTO-6-IKMP_AGG_MODE_DISABLED: Unable to "
		       "initiate or respond to Aggressive Mode while disabled (peer %s)", ra);
		am = false;
	}
	if (!am)
		DBG(p1, "ISAKMP:(0):Can not start Aggressive mode, trying Main mode.");
	p1->key = ik_resolve_initiator_ip(p1->cfg->resolver, p1->profile, p1->fvrf,
					  &p1->local.ip, &p1->remote.ip, &tr);
	if (!p1->key && !am && initiator_can_sign(p1)) {
		DBG(p1, "ISAKMP:(0):No pre-shared key with %s: offering certificate "
		    "authentication only", ra);
	} else if (!p1->key) {
		DBG(p1, "ISAKMP:(0):No pre-shared key with %s!", ra);
		if (p1->profile && p1->profile->nkeyrings)
			mode_failure(p1, "no pre-shared key for %s in the keyrings of profile %s (K1)",
				     ra, p1->profile->name);
		else
			mode_failure(p1, "no pre-shared key for %s in any keyring (K2)", ra);
		return -1;
	}
	b = malloc(sizeof(*b));
	if (!b)
		return -1;
	if (am) {
		rc = am_start(p1, b);
		free(b);
		return rc;
	}
	ik_v1_b_init(b, p1->cky_i, zero, IK_V1_EXCH_MM, 0, 0);
	if (put_offer(p1, b, 0)) {
		free(b);
		return -1;
	}
	ik_v1_vid_add_natt(p1, b, true);
	ik_v1_p1_set_state(p1, "IKE_MESG_FROM_IPSEC, IKE_SA_REQ_MM", IKE_I_MM1);
	DBG(p1, "ISAKMP:(0): beginning Main Mode exchange");
	send_reply(p1, b, true);
	free(b);
	return 0;
}

/* ---- responder: MM1 -> MM2 ---- */

int ik_v1_mm_r1(struct ik_p1 *p1, const struct ik_v1_msg *m, const uint8_t *msg, size_t len)
{
	const struct ik_v1_pl *sapl = ik_v1_find(m, IK_V1_PL_SA);
	struct ik_v1_sa *sa = NULL;
	const struct ik_v1_transform *t = NULL;
	struct ik_v1_builder *b = NULL;
	int rc = -1;

	t = respond_offer(p1, sapl, m, msg, len, &sa);
	if (!t)
		goto out;
	p1->sai_b_len = sapl->body_len;
	p1->sai_b = malloc(p1->sai_b_len);
	b = malloc(sizeof(*b));
	if (!p1->sai_b || !b)
		goto out;
	memcpy(p1->sai_b, sapl->body, sapl->body_len);
	ik_v1_vid_process(p1, m, msg, len);
	ik_v1_p1_set_state(p1, "IKE_MESG_INTERNAL, IKE_PROCESS_MAIN_MODE", IKE_R_MM1);

	/* <-- HDR, SA (the chosen transform), VID */
	ik_v1_b_init(b, p1->cky_i, p1->cky_r, IK_V1_EXCH_MM, 0, 0);
	put_chosen(b, sa, t, msg);
	ik_v1_vid_add_natt(p1, b, false);
	/* Not retransmitted by a timer: nothing shows yet that the source address is
	 * real (a spoofed MM1 would get six datagrams reflected at its victim). A
	 * lost MM2 is resent when the initiator retransmits MM1 (duplicate). */
	send_reply(p1, b, false);
	ik_v1_p1_set_state(p1, "IKE_MESG_INTERNAL, IKE_PROCESS_COMPLETE", IKE_R_MM2);
	rc = 0;
out:
	ik_v1_sa_free(sa);
	free(b);
	return rc;
}

/* ---- initiator: MM2 -> MM3 ---- */

int ik_v1_mm_i2(struct ik_p1 *p1, const struct ik_v1_msg *m, const uint8_t *msg, size_t len)
{
	const struct ik_v1_pl *sapl = ik_v1_find(m, IK_V1_PL_SA);
	struct ik_v1_sa *sa = NULL;
	const struct ik_v1_transform *t = NULL;
	struct ik_v1_builder *b = NULL;
	struct ik_trace tr;
	char err[200], ra[IK_ADDR_ANYSTRLEN];
	int rc = -1;

	memcpy(p1->cky_r, m->hdr.rcookie, 8);
	if (parse_answer_sa(p1, sapl, &sa))
		goto out;
	ik_v1_vid_process(p1, m, msg, len);
	if (p1->key) {
		ik_resolve_initiator_ip(p1->cfg->resolver, p1->profile, p1->fvrf, &p1->local.ip,
					&p1->remote.ip, ik_v1_tr(p1, &tr));
		DBG(p1, "ISAKMP:(0): local preshared key found");
	}
	if (p1->profile)
		DBG(p1, "ISAKMP : Looking for xauth in profile %s", p1->profile->name);
	if (sa->np == 1 && sa->p[0].proto == IK_V1_PROTO_ISAKMP && sa->p[0].nt == 1)
		t = choose(p1, &sa->p[0]);
	if (t && p1->auth == IK_AUTH_PSK && !p1->key) {
		DBG(p1, "ISAKMP:(0): the peer chose pre-shared key authentication, and there is no "
		    "pre-shared key for it");
		t = NULL;
	}
	if (!t) {
		DBG(p1, "ISAKMP:(0): phase 1 SA policy not acceptable! (local %s remote %s)",
		    ik_addr_fmt_ios(&p1->local.ip, err), ik_addr_fmt_ios(&p1->remote.ip, ra));
		mode_failure(p1, "the transform the peer chose is none of ours");
		ik_v1_p1_delete(p1, "Phase1 SA policy not acceptable", false);
		goto out;
	}
	ik_v1_vid_process(p1, m, msg, len);
	ik_v1_p1_set_state(p1, "IKE_MESG_INTERNAL, IKE_PROCESS_MAIN_MODE", IKE_I_MM2);
	if (make_dh(p1))
		goto fail;
	b = malloc(sizeof(*b));
	if (!b)
		goto fail;
	/* HDR, KE, Ni, VIDs, NAT-D, NAT-D --> */
	gen_nonce(p1);
	ik_v1_b_init(b, p1->cky_i, p1->cky_r, IK_V1_EXCH_MM, 0, 0);
	put_ke_nonce(p1, b);
	if (ik_v1_auth_is_sig(p1->auth))
		ik_v1_cert_put_certreq(p1, b);
	ik_v1_vid_add(p1, b, false, true);
	if (ik_v1_natd_add(p1, b))
		goto fail;
	send_reply(p1, b, true);
	ik_v1_p1_set_state(p1, "IKE_MESG_INTERNAL, IKE_PROCESS_COMPLETE", IKE_I_MM3);
	rc = 0;
	goto out;
fail:
	ik_v1_p1_delete(p1, "internal error", false);
out:
	ik_v1_sa_free(sa);
	free(b);
	return rc;
}

/* ---- responder: MM3 -> MM4 (K3: the key is chosen by address, blind) ---- */

int ik_v1_mm_r3(struct ik_p1 *p1, const struct ik_v1_msg *m, const uint8_t *msg, size_t len)
{
	struct ik_v1_builder *b;
	struct ik_trace tr;
	char ra[IK_ADDR_ANYSTRLEN];

	if (take_ke_nonce(p1, m))
		return -1;
	if (!ik_v1_auth_is_sig(p1->auth))
		p1->key = ik_resolve_responder_ip(p1->cfg->resolver, p1->fvrf, &p1->local.ip,
						  &p1->remote.ip, ik_v1_tr(p1, &tr));
	if (!p1->key && !ik_v1_auth_is_sig(p1->auth)) {
		DBG(p1, "ISAKMP:(0):No pre-shared key with %s!",
		    ik_addr_fmt_ios(&p1->remote.ip, ra));
		mode_failure(p1, "no pre-shared key for %s in any keyring (K3)", ra);
		ik_v1_p1_delete(p1, "No preshared key", false);
		return -1;
	}
	ik_v1_assign_conn_id(p1);
	gen_nonce(p1);
	if (make_dh(p1) || derive(p1)) {
		mode_failure(p1, "Diffie-Hellman failed");
		ik_v1_p1_delete(p1, "DH failed", false);
		return -1;
	}
	ik_v1_vid_process(p1, m, msg, len);
	ik_v1_natd_process(p1, m);
	ik_v1_p1_set_state(p1, "IKE_MESG_INTERNAL, IKE_PROCESS_MAIN_MODE", IKE_R_MM3);
	b = malloc(sizeof(*b));
	if (!b)
		return -1;
	/* <-- HDR, KE, Nr [, CR], VIDs, NAT-D, NAT-D */
	ik_v1_b_init(b, p1->cky_i, p1->cky_r, IK_V1_EXCH_MM, 0, 0);
	put_ke_nonce(p1, b);
	if (ik_v1_auth_is_sig(p1->auth))
		ik_v1_cert_put_certreq(p1, b);
	ik_v1_vid_add(p1, b, true, false);
	if (ik_v1_natd_add(p1, b)) {
		free(b);
		ik_v1_p1_delete(p1, "internal error", false);
		return -1;
	}
	send_reply(p1, b, true);
	free(b);
	ik_v1_p1_set_state(p1, "IKE_MESG_INTERNAL, IKE_PROCESS_COMPLETE", IKE_R_MM4);
	return 0;
}

/* Builds and sends MM5 or MM6: HDR*, ID, HASH [, N(INITIAL-CONTACT)]. */
static int send_id_hash(struct ik_p1 *p1, bool initial_contact)
{
	struct my_id id;
	uint8_t h[64];
	struct ik_v1_builder *b;
	size_t hl = ik_hash_len(p1->hash);
	int rc = -1;

	make_my_id(p1, &id);
	DBG(p1, "ISAKMP:(%u):SA is doing pre-shared key authentication using id type %s",
	    p1->conn_id, id_type_name(id.body[0]));
	trace_id(p1, id.body, id.len, IK_V1_PL_HASH);
	DBG(p1, "ISAKMP:(%u):Total payload length: %zu", p1->conn_id, id.len + 4);
	if (auth_hash(p1, p1->initiator, id.body, id.len, h))
		return -1;
	b = malloc(sizeof(*b));
	if (!b)
		return -1;
	ik_v1_b_init(b, p1->cky_i, p1->cky_r, IK_V1_EXCH_MM, 0, 0);
	ik_v1_b_payload(b, IK_V1_PL_ID, id.body, id.len);
	ik_v1_b_payload(b, IK_V1_PL_HASH, h, hl);
	if (initial_contact)
		put_initial_contact(p1, b);
	if (ik_v1_encrypt(p1, b, p1->iv) == 0) {
		ik_v1_send(p1, b->buf, b->len);
		ik_v1_xmit_set(p1, &p1->x, b->buf, b->len, p1->initiator);
		rc = 0;
	}
	free(b);
	return rc;
}

/* ---- initiator: MM4 -> MM5 ---- */

int ik_v1_mm_i4(struct ik_p1 *p1, const struct ik_v1_msg *m, const uint8_t *msg, size_t len)
{
	struct ik_trace tr;
	bool ic;

	if (take_ke_nonce(p1, m))
		return -1;
	if (p1->key)
		ik_resolve_initiator_ip(p1->cfg->resolver, p1->profile, p1->fvrf, &p1->local.ip,
					&p1->remote.ip, ik_v1_tr(p1, &tr));
	ik_v1_assign_conn_id(p1);
	if (derive(p1)) {
		mode_failure(p1, "Diffie-Hellman failed");
		ik_v1_p1_delete(p1, "DH failed", false);
		return -1;
	}
	ik_v1_vid_process(p1, m, msg, len);
	ik_v1_natd_process(p1, m);
	ik_v1_p1_set_state(p1, "IKE_MESG_INTERNAL, IKE_PROCESS_MAIN_MODE", IKE_I_MM4);
	if ((p1->nat_self || p1->nat_peer) && p1->local.port == 500) {
		struct ik_endpoint l = p1->local, r = p1->remote;

		DBG(p1, "ISAKMP:(%u):NAT-T: floating to port 4500", p1->conn_id);
		l.port = 4500;
		r.port = 4500;
		ik_v1_p1_set_endpoints(p1, &l, &r);
	}
	ic = !ik_v1_p1_find_peer_ip(p1->e, &p1->local.ip, &p1->remote.ip, true);
	if (ic)
		DBG(p1, "ISAKMP:(%u):Send initial contact", p1->conn_id);
	p1->initial_contact_sent = ic;
	if (ik_v1_auth_is_sig(p1->auth) ? ik_v1_cert_send_auth(p1, ic) : send_id_hash(p1, ic)) {
		mode_failure(p1, "cannot build MM5");
		ik_v1_p1_delete(p1, "internal error", false);
		return -1;
	}
	ik_v1_p1_set_state(p1, "IKE_MESG_INTERNAL, IKE_PROCESS_COMPLETE", IKE_I_MM5);
	return 0;
}

/* Reads IDii/IDir into the SA. */
static int take_id(struct ik_p1 *p1, const struct ik_v1_pl *pl, struct ik_peer_id *pid)
{
	struct ik_v1_id id;
	char err[200], ra[IK_ADDR_ANYSTRLEN];
	int bad;

	DBG(p1, "ISAKMP:(%u): processing ID payload. message ID = 0", p1->conn_id);
	bad = ik_v1_parse_id(pl, &id, err, sizeof(err));
	if (!bad && id.type != IK_V1_ID_IPV4_ADDR && id.type != IK_V1_ID_FQDN &&
	    id.type != IK_V1_ID_USER_FQDN && id.type != IK_V1_ID_IPV6_ADDR &&
	    !(id.type == IK_V1_ID_DER_ASN1_DN && ik_v1_auth_is_sig(p1->auth))) {
		/* well formed, but a subnet, a range or a key ID names no peer here */
		snprintf(err, sizeof(err), "ID payload at offset %zu: ID type %u (%s) is not "
			 "accepted as a phase 1 identity", pl->off, id.type,
			 id.type == IK_V1_ID_IPV4_ADDR_SUBNET ? "ID_IPV4_ADDR_SUBNET" :
			 id.type == IK_V1_ID_IPV4_ADDR_RANGE ? "ID_IPV4_ADDR_RANGE" :
			 id.type == IK_V1_ID_DER_ASN1_DN ? "ID_DER_ASN1_DN (with pre-shared keys)" :
			 id.type == IK_V1_ID_KEY_ID ? "ID_KEY_ID" : "unknown");
		bad = -1;
	}
	if (bad) {
		DBG(p1, "ISAKMP:(%u): %s", p1->conn_id, err);
		ik_msg(p1->e->log, IK_LOG_WARNING, "%%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from "
		       "%s failed its sanity check or is malformed",
		       ik_addr_fmt_ios(&p1->remote.ip, ra));
		return -1;
	}
	trace_id(p1, pl->body, pl->body_len, pl->p[0]);
	ik_v1_p1_up(p1)->peer_id_type = id.type;
	memset(pid, 0, sizeof(*pid));
	if (id.type == IK_V1_ID_DER_ASN1_DN) {
		/* a DN: no match identity names it (profiles by certificate map) */
		pid->type = IK_PEER_ID_DN;
		return 0;
	}
	if (id.type == IK_V1_ID_IPV4_ADDR) {
		p1->up->peer_id_addr = ik_get32(id.data);
		pid->type = IK_PEER_ID_IPV4;
		pid->addr = p1->up->peer_id_addr;
	} else if (id.type == IK_V1_ID_IPV6_ADDR) {
		/* kept as IOS prints it, for show and the traces */
		char a6[IK_ADDR_ANYSTRLEN];

		free(p1->up->peer_id_name);
		p1->up->peer_id_name = ik_xstrdup(ik_addr6_fmt_ios(id.data, a6));
		pid->type = IK_PEER_ID_IPV6;
		memcpy(pid->addr6, id.data, 16);
	} else {
		free(p1->up->peer_id_name);
		p1->up->peer_id_name = ik_xmalloc(id.len + 1);
		memcpy(p1->up->peer_id_name, id.data, id.len);
		p1->up->peer_id_name[id.len] = 0;
		pid->type = id.type == IK_V1_ID_FQDN ? IK_PEER_ID_FQDN : IK_PEER_ID_USER_FQDN;
		pid->name = p1->up->peer_id_name;
	}
	return 0;
}

static int check_hash(struct ik_p1 *p1, const struct ik_v1_msg *m, const struct ik_v1_pl *idpl)
{
	const struct ik_v1_pl *hp = ik_v1_find(m, IK_V1_PL_HASH);
	uint8_t h[64];
	size_t hl = ik_hash_len(p1->hash);
	char ra[IK_ADDR_ANYSTRLEN];

	DBG(p1, "ISAKMP:(%u): processing HASH payload. message ID = 0", p1->conn_id);
	if (!hp) {
		DBG(p1, "ISAKMP:(%u): missing HASH payload", p1->conn_id);
		return -1;
	}
	if (auth_hash(p1, !p1->initiator, idpl->body, idpl->body_len, h))
		return -1;
	if (!ik_hash_equal(hp->body, hp->body_len, h, hl) &&
	    !(!p1->initiator ? IK_MUTANT(IK_MUT_MM_HASH_I) :
	      m->hdr.exch == IK_V1_EXCH_AGGR ? IK_MUTANT(IK_MUT_AM_HASH_R) :
	      IK_MUTANT(IK_MUT_MM_HASH_R))) {
		DBG(p1, "ISAKMP:(%u):SA authentication status:", p1->conn_id);
		DBG(p1, "\tnot authenticated");
		ik_msg(p1->e->log, IK_LOG_INFO, "%%CRYPTO-6-IKMP_AUTH_FAIL: Authentication method "
		       "1 failed with host %s", ik_addr_fmt_ios(&p1->remote.ip, ra));
		ik_peer_sa_event(&p1->sa, IK_PEER_AUTH_FAIL);
		return -1;
	}
	return 0;
}

static void trace_authenticated(struct ik_p1 *p1)
{
	char ra[IK_ADDR_ANYSTRLEN];

	DBG(p1, "ISAKMP:(%u):SA authentication status:", p1->conn_id);
	DBG(p1, "\tauthenticated");
	DBG(p1, "ISAKMP:(%u):SA has been authenticated with %s", p1->conn_id,
	    ik_addr_fmt_ios(&p1->remote.ip, ra));
}

static void ic_delete_sa(struct ik_p1 *o, void *arg)
{
	(void)arg;
	ik_v1_p1_delete(o, "Receive initial contact", false);
}

static void ic_delete_child(struct ik_engine *e, struct ik_child *c, void *arg)
{
	(void)arg;
	ik_core_child_remove(e, c, false, "initial contact");
}

/* INITIAL-CONTACT: every other SA with this peer goes; the peer is its
 * address AND port (and VRF), so that peers behind one NAT address do not
 * delete each other's SAs. */
static void initial_contact(struct ik_p1 *p1, const struct ik_v1_msg *m)
{

	for (size_t i = 0; i < m->npl; i++) {
		struct ik_v1_notify n;
		char err[200];

		if (m->pl[i].type != IK_V1_PL_N ||
		    ik_v1_parse_notify(&m->pl[i], &n, err, sizeof(err)))
			continue;
		DBG(p1, "ISAKMP:(%u): processing NOTIFY %s protocol %u", p1->conn_id,
		    ik_v1_notify_name(n.type), n.proto);
		DBG(p1, "\tspi 0, message ID = 0, sa = 0x%08X", ik_get32(p1->cky_r));
		if (n.type != IK_V1_N_INITIAL_CONTACT)
			continue;
		ik_v1_peer_each(p1, p1, ic_delete_sa, ic_delete_child, NULL);
	}
}

static void rekeyed_sa_expire(struct ik_p1 *o, void *arg)
{
	uint64_t now = *(const uint64_t *)arg;

	if (o->state == IKE_P1_COMPLETE && o->up->rekey_started)
		ik_core_timer_set(o->e, &o->t_expire, now + 5000);
}

void ik_v1_phase1_done(struct ik_p1 *p1)
{
	struct ik_engine *e = p1->e;
	uint64_t now = ik_core_now(e);
	uint16_t j = 0;
	unsigned ka = p1->cfg->keepalive;

	memcpy(p1->up->p2_iv_base, p1->iv, p1->blen);
	p1->up->established_ms = now;
	ik_core_timer_set(e, &p1->t_expire, now + (uint64_t)p1->lifetime * 1000);
	ik_core_rand(e, &j, sizeof(j));
	/* Phase-1 rekey by the initiator at 85..90% of the lifetime. */
	ik_core_timer_set(e, &p1->live->t_rekey, p1->initiator ?
			now + (uint64_t)p1->lifetime * (850 + j % 50) : 0);
	if (p1->profile && p1->profile->keepalive)
		ka = p1->profile->keepalive;
	ik_core_timer_set(e, &p1->live->t_dpd, ka && p1->peer_dpd ? now + (uint64_t)ka * 1000 : 0);
	ik_core_timer_set(e, &p1->live->t_natka, (p1->nat_self && p1->cfg->nat_keepalive) ?
			now + (uint64_t)p1->cfg->nat_keepalive * 1000 : 0);
	e->st.p1_done++;
	/* the exchange material is needed no more: keep an SA small */
	ik_v1_nonce_free(&p1->ni, &p1->ni_len);
	ik_v1_nonce_free(&p1->nr, &p1->nr_len);
	free(p1->sai_b);
	p1->sai_b = NULL;
	p1->sai_b_len = 0;
	free(p1->gxi);
	free(p1->gxr);
	p1->gxi = p1->gxr = NULL;
	p1->gxi_len = p1->gxr_len = 0;
	ik_dh_free(p1->dh);
	p1->dh = NULL;
	if (p1->am_hash_i)
		ik_wipe(p1->am_hash_i, IK_V1_AM_HASH_LEN);
	free(p1->am_hash_i);
	p1->am_hash_i = NULL;
	/* Half-open no more: the phase-1 SA of a rekey takes over from the old one. */
	if (p1->initiator)
		ik_v1_peer_each(p1, p1, rekeyed_sa_expire, NULL, &now);
}

/* ---- responder: MM5 -> MM6, P1 and P2 ---- */

static void mm_done_responder(struct ik_p1 *p1, const struct ik_v1_msg *m);

/* MM5 with a signature: the profile by certificate map, else by identity
 * (P1); no keyring to cross-check (P2 is about pre-shared keys). */
static int mm_r5_sig(struct ik_p1 *p1, const struct ik_v1_msg *m, const struct ik_v1_pl *idpl,
		     const struct ik_peer_id *pid)
{
	struct ik_trace tr0 = { .log = p1->e->log, .conn_id = 0 };
	char why[480];

	p1->profile = ik_v1_cert_profile(p1, m);
	if (!p1->profile && pid->type != IK_PEER_ID_DN)
		p1->profile = ik_profile_match_responder_ip(p1->cfg, p1->fvrf, &p1->local.ip, pid,
							    &tr0);
	if (ik_v1_cert_check_auth(p1, m, idpl, why, sizeof(why))) {
		mode_failure(p1, "%s", why);
		return -1;
	}
	ik_v1_p1_authenticated(p1);
	initial_contact(p1, m);
	trace_authenticated(p1);
	if (ik_v1_cert_send_auth(p1, false)) {
		ik_v1_p1_delete(p1, "internal error", false);
		return -1;
	}
	mm_done_responder(p1, m);
	return 0;
}

int ik_v1_mm_r5(struct ik_p1 *p1, const struct ik_v1_msg *m, const uint8_t *msg, size_t len)
{
	const struct ik_v1_pl *idpl = ik_v1_find(m, IK_V1_PL_ID);
	const struct ik_isakmp_profile *prof;
	struct ik_peer_id pid;
	struct ik_trace tr0, tr;

	(void)msg;
	(void)len;
	if (take_id(p1, idpl, &pid))
		return -1;
	tr0.log = p1->e->log;
	tr0.conn_id = 0;
	if (ik_v1_auth_is_sig(p1->auth))
		return mm_r5_sig(p1, m, idpl, &pid);
	prof = ik_profile_match_responder_ip(p1->cfg, p1->fvrf, &p1->local.ip, &pid, &tr0);
	if (!ik_profile_check_responder_ip(p1->cfg, prof, p1->key, p1->fvrf, &p1->local.ip,
					   &p1->remote.ip, ik_v1_tr(p1, &tr))) {
		DBG(p1, "ISAKMP (%u): FSM action returned error: 2", p1->conn_id);
		mode_failure(p1, "P2: the key used since MM3 is from keyring %s, which ISAKMP "
			     "profile %s (matched by the peer's identity) does not list",
			     p1->key && p1->key->ring ? p1->key->ring->name : "?",
			     prof ? prof->name : "?");
		return -1;
	}
	p1->profile = prof;
	if (check_hash(p1, m, idpl)) {
		mode_failure(p1, "HASH mismatch: the peers' pre-shared keys differ (K5)");
		return -1;
	}
	ik_v1_p1_authenticated(p1);
	initial_contact(p1, m);
	trace_authenticated(p1);
	DBG(p1, "ISAKMP:(%u):SA authentication status:", p1->conn_id);
	DBG(p1, "\tauthenticated");
	if (send_id_hash(p1, false)) {
		ik_v1_p1_delete(p1, "internal error", false);
		return -1;
	}
	mm_done_responder(p1, m);
	return 0;
}

static void mm_done_responder(struct ik_p1 *p1, const struct ik_v1_msg *m)
{
	(void)m;
	ik_v1_p1_set_state(p1, "IKE_MESG_INTERNAL, IKE_PROCESS_COMPLETE", IKE_P1_COMPLETE);
	ik_v1_phase1_done(p1);
}

/* ---- initiator: MM6 ---- */

int ik_v1_mm_i6(struct ik_p1 *p1, const struct ik_v1_msg *m, const uint8_t *msg, size_t len)
{
	const struct ik_v1_pl *idpl = ik_v1_find(m, IK_V1_PL_ID);
	struct ik_peer_id pid;
	struct ik_trace tr0;

	(void)msg;
	(void)len;
	if (take_id(p1, idpl, &pid))
		return -1;
	if (!p1->profile && pid.type != IK_PEER_ID_DN) {
		tr0.log = p1->e->log;
		tr0.conn_id = 0;
		p1->profile = ik_profile_match_responder_ip(p1->cfg, p1->fvrf, &p1->local.ip,
							    &pid, &tr0);
	}
	if (ik_v1_auth_is_sig(p1->auth)) {
		char why[480];

		if (ik_v1_cert_check_auth(p1, m, idpl, why, sizeof(why))) {
			mode_failure(p1, "%s", why);
			return -1;
		}
	} else if (check_hash(p1, m, idpl)) {
		mode_failure(p1, "HASH mismatch: the peers' pre-shared keys differ (K5)");
		return -1;
	}
	ik_v1_p1_authenticated(p1);
	trace_authenticated(p1);
	ik_dbg(p1->e->log, IK_DBG_ISAKMP_AAA, "ISAKMP AAA: Accounting is not enabled");
	ik_v1_p1_set_state(p1, "IKE_MESG_FROM_PEER, IKE_MM_EXCH", IKE_I_MM6);
	ik_v1_p1_set_state(p1, "IKE_MESG_INTERNAL, IKE_PROCESS_MAIN_MODE", IKE_I_MM6);
	ik_v1_p1_set_state(p1, "IKE_MESG_INTERNAL, IKE_PROCESS_COMPLETE", IKE_P1_COMPLETE);
	ik_v1_xmit_clear(&p1->x);
	ik_v1_phase1_done(p1);
	start_wanted_qm(p1);
	return 0;
}

/* ---- Aggressive Mode (RFC 2409 5.4) ----
 *
 *   HDR, SA, KE, Ni, IDii -->
 *                      <-- HDR, SA, KE, Nr, IDir, HASH_R [, NAT-D, NAT-D]
 *   HDR*, HASH_I [, NAT-D, NAT-D] -->
 *
 * The initiator's identity travels in clear in the first message, so the
 * responder chooses the profile (P1) before the key, and checks the key's
 * keyring against it (P2) before using it; a peer identified by an FQDN may
 * have a host-name key. The price is a HASH_R that anyone who sends an AM1
 * can take offline to guess the key (ikerd -t warns about it). */

/* Builds the SA payload of the reply: the offer's proposal with the chosen
 * transform only (MM2 and AM2). */
static void put_chosen(struct ik_v1_builder *b, const struct ik_v1_sa *sa,
		       const struct ik_v1_transform *t, const uint8_t *msg)
{
	size_t sa_off = ik_v1_b_open(b, IK_V1_PL_SA), p_off, t_off;
	uint16_t tlen = ik_get16(msg + t->off + 2);

	ik_v1_b_put32(b, 1);
	ik_v1_b_put32(b, 1);
	p_off = b->len;
	ik_v1_b_put8(b, 0);
	ik_v1_b_put8(b, 0);
	ik_v1_b_put16(b, 0);
	ik_v1_b_put8(b, sa->p[0].num);
	ik_v1_b_put8(b, IK_V1_PROTO_ISAKMP);
	ik_v1_b_put8(b, 0);
	ik_v1_b_put8(b, 1);
	t_off = b->len;
	ik_v1_b_put(b, msg + t->off, tlen);
	if (!b->overflow) {
		b->buf[t_off] = 0;
		ik_put16(b->buf + p_off + 2, (uint16_t)(b->len - p_off));
	}
	ik_v1_b_close(b, sa_off);
}

/* AM1: the group of the highest-priority usable policy; its policies only. */
static int am_start(struct ik_p1 *p1, struct ik_v1_builder *b)
{
	static const uint8_t zero[8];
	struct my_id id;
	unsigned group = 0;

	for (size_t i = 0; i < p1->cfg->npolicies && !group; i++)
		if (p1->cfg->policies[i].auth == IK_AUTH_PSK &&
		    policy_usable(p1, &p1->cfg->policies[i]))
			group = p1->cfg->policies[i].group;
	if (!group) {
		DBG(p1, "ISAKMP:(0):no crypto isakmp policy with pre-shared key authentication "
		    "and a supported group");
		return -1;
	}
	p1->aggressive = true;
	p1->group = group;
	if (make_dh(p1))
		return -1;
	gen_nonce(p1);
	make_my_id(p1, &id);
	ik_v1_b_init(b, p1->cky_i, zero, IK_V1_EXCH_AGGR, 0, 0);
	if (put_offer(p1, b, group))
		return -1;
	put_ke_nonce(p1, b);
	DBG(p1, "ISAKMP:(0):SA is doing pre-shared key authentication using id type %s",
	    id_type_name(id.body[0]));
	trace_id(p1, id.body, id.len, IK_V1_PL_VID);
	ik_v1_b_payload(b, IK_V1_PL_ID, id.body, id.len);
	ik_v1_vid_add_natt(p1, b, true);
	ik_v1_vid_add(p1, b, false, true);
	if (b->overflow)
		return -1;
	ik_v1_p1_set_state(p1, "IKE_MESG_FROM_IPSEC, IKE_SA_REQ_AM", IKE_I_AM1);
	DBG(p1, "ISAKMP:(0): beginning Aggressive Mode exchange");
	send_reply(p1, b, true);
	return 0;
}

/* The key for a peer that sent pid in clear (AM1): a host-name key for an
 * FQDN, else (or when there is none) the address key of rule K3; then the
 * P2 check against the profile, before the key is used. */
static const struct ik_key *am_key(struct ik_p1 *p1, const struct ik_isakmp_profile *prof,
				   const struct ik_peer_id *pid)
{
	struct ik_trace tr;
	const struct ik_key *key = NULL;
	char ra[IK_ADDR_ANYSTRLEN];

	ik_v1_tr(p1, &tr);
	if ((pid->type == IK_PEER_ID_FQDN || pid->type == IK_PEER_ID_USER_FQDN) && pid->name)
		key = ik_hostkeys_lookup(p1->cfg->hostkeys, prof, p1->fvrf,
					 p1->local.family == IK_AF_INET6 ? 0 : p1->local.addr,
					 pid->name, &tr);
	if (key) {
		if (!ik_profile_check_keyring(prof, key, &tr))
			return NULL;
		return key;
	}
	key = ik_resolve_responder_ip(p1->cfg->resolver, p1->fvrf, &p1->local.ip, &p1->remote.ip,
				      &tr);
	if (!key) {
		DBG(p1, "ISAKMP:(0):No pre-shared key with %s!",
		    ik_addr_fmt_ios(&p1->remote.ip, ra));
		return NULL;
	}
	if (!ik_profile_check_responder_ip(p1->cfg, prof, key, p1->fvrf, &p1->local.ip,
					   &p1->remote.ip, &tr))
		return NULL;
	return key;
}

/* ---- responder: AM1 -> AM2 ---- */

int ik_v1_am_r1(struct ik_p1 *p1, const struct ik_v1_msg *m, const uint8_t *msg, size_t len)
{
	const struct ik_v1_pl *sapl = ik_v1_find(m, IK_V1_PL_SA);
	const struct ik_v1_pl *idpl = ik_v1_find(m, IK_V1_PL_ID);
	struct ik_v1_sa *sa = NULL;
	const struct ik_v1_transform *t = NULL;
	const struct ik_isakmp_profile *prof;
	struct ik_v1_builder *b = NULL;
	struct ik_peer_id pid;
	struct ik_trace tr0;
	struct my_id id;
	uint8_t h[64];
	int rc = -1;

	p1->aggressive = true;
	t = respond_offer(p1, sapl, m, msg, len, &sa);
	if (!t)
		goto out;
	p1->sai_b_len = sapl->body_len;
	p1->sai_b = malloc(p1->sai_b_len);
	b = malloc(sizeof(*b));
	if (!p1->sai_b || !b)
		goto fail;
	memcpy(p1->sai_b, sapl->body, sapl->body_len);
	if (take_ke_nonce(p1, m) || take_id(p1, idpl, &pid)) {
		ik_v1_p1_delete(p1, "malformed first message", false);
		goto out;
	}
	tr0.log = p1->e->log;
	tr0.conn_id = 0;
	prof = ik_profile_match_responder_ip(p1->cfg, p1->fvrf, &p1->local.ip, &pid, &tr0);
	p1->key = am_key(p1, prof, &pid);
	if (!p1->key) {
		DBG(p1, "ISAKMP (%u): FSM action returned error: 2", p1->conn_id);
		mode_failure(p1, "no pre-shared key for the peer's identity%s%s (K1)",
			     prof ? " in the keyrings of profile " : "", prof ? prof->name : "");
		ik_v1_p1_delete(p1, "No usable preshared key", false);
		goto out;
	}
	p1->profile = prof;
	ik_v1_assign_conn_id(p1);
	gen_nonce(p1);
	if (make_dh(p1) || derive(p1)) {
		mode_failure(p1, "Diffie-Hellman failed");
		ik_v1_p1_delete(p1, "DH failed", false);
		goto out;
	}
	/* the HASH_I AM3 must carry, over the identity received here */
	if (!p1->am_hash_i)
		p1->am_hash_i = ik_xmalloc(IK_V1_AM_HASH_LEN);
	if (auth_hash(p1, true, idpl->body, idpl->body_len, p1->am_hash_i))
		goto fail;
	ik_v1_p1_set_state(p1, "IKE_MESG_INTERNAL, IKE_PROCESS_AGGRESSIVE_MODE", IKE_R_AM_AAA_AWAIT);

	/* <-- HDR, SA, KE, Nr, IDir, HASH_R, VIDs, NAT-D, NAT-D */
	make_my_id(p1, &id);
	if (auth_hash(p1, false, id.body, id.len, h))
		goto fail;
	ik_v1_b_init(b, p1->cky_i, p1->cky_r, IK_V1_EXCH_AGGR, 0, 0);
	put_chosen(b, sa, t, msg);
	put_ke_nonce(p1, b);
	DBG(p1, "ISAKMP:(%u):SA is doing pre-shared key authentication using id type %s",
	    p1->conn_id, id_type_name(id.body[0]));
	trace_id(p1, id.body, id.len, IK_V1_PL_HASH);
	ik_v1_b_payload(b, IK_V1_PL_ID, id.body, id.len);
	ik_v1_b_payload(b, IK_V1_PL_HASH, h, ik_hash_len(p1->hash));
	ik_v1_vid_add_natt(p1, b, false);
	ik_v1_vid_add(p1, b, true, false);
	if (ik_v1_natd_add(p1, b))
		goto fail;
	send_reply(p1, b, true);
	ik_v1_p1_set_state(p1, "IKE_MESG_INTERNAL, IKE_PROCESS_COMPLETE", IKE_R_AM2);
	rc = 0;
	goto out;
fail:
	ik_v1_p1_delete(p1, "internal error", false);
out:
	ik_v1_sa_free(sa);
	free(b);
	return rc;
}

/* ---- initiator: AM2 -> AM3 ---- */

int ik_v1_am_i2(struct ik_p1 *p1, const struct ik_v1_msg *m, const uint8_t *msg, size_t len)
{
	const struct ik_v1_pl *sapl = ik_v1_find(m, IK_V1_PL_SA);
	const struct ik_v1_pl *idpl = ik_v1_find(m, IK_V1_PL_ID);
	struct ik_v1_sa *sa = NULL;
	const struct ik_v1_transform *t = NULL;
	struct ik_v1_builder *b = NULL;
	struct ik_peer_id pid;
	struct ik_trace tr0;
	struct my_id id;
	uint8_t h[64];
	char err[200], ra[IK_ADDR_ANYSTRLEN];
	unsigned kegroup;
	bool ic;
	int rc = -1;

	memcpy(p1->cky_r, m->hdr.rcookie, 8);
	if (parse_answer_sa(p1, sapl, &sa))
		goto out;
	ik_v1_vid_process(p1, m, msg, len);
	kegroup = p1->group; /* AM1's KE fixed the group */
	if (sa->np == 1 && sa->p[0].proto == IK_V1_PROTO_ISAKMP && sa->p[0].nt == 1)
		t = choose(p1, &sa->p[0]);
	if (!t || p1->group != kegroup) {
		DBG(p1, "ISAKMP:(0): phase 1 SA policy not acceptable! (local %s remote %s)",
		    ik_addr_fmt_ios(&p1->local.ip, err), ik_addr_fmt_ios(&p1->remote.ip, ra));
		mode_failure(p1, "the transform the peer chose is none of ours");
		ik_v1_p1_delete(p1, "Phase1 SA policy not acceptable", false);
		goto out;
	}
	if (take_ke_nonce(p1, m) || take_id(p1, idpl, &pid)) {
		memset(p1->cky_r, 0, 8);
		goto out;
	}
	if (!p1->profile) {
		tr0.log = p1->e->log;
		tr0.conn_id = 0;
		p1->profile = ik_profile_match_responder_ip(p1->cfg, p1->fvrf, &p1->local.ip,
							    &pid, &tr0);
	}
	ik_v1_assign_conn_id(p1);
	if (derive(p1)) {
		mode_failure(p1, "Diffie-Hellman failed");
		ik_v1_p1_delete(p1, "DH failed", false);
		goto out;
	}
	if (check_hash(p1, m, idpl)) {
		mode_failure(p1, "HASH mismatch: the peers' pre-shared keys differ (K5)");
		ik_v1_p1_delete(p1, "HASH_R failed", false);
		goto out;
	}
	trace_authenticated(p1);
	ik_v1_natd_process(p1, m);
	ik_v1_p1_set_state(p1, "IKE_MESG_FROM_PEER, IKE_AM_EXCH", IKE_I_AM1);
	if ((p1->nat_self || p1->nat_peer) && p1->local.port == 500) {
		struct ik_endpoint l = p1->local, r = p1->remote;

		DBG(p1, "ISAKMP:(%u):NAT-T: floating to port 4500", p1->conn_id);
		l.port = 4500;
		r.port = 4500;
		ik_v1_p1_set_endpoints(p1, &l, &r);
	}
	ic = !ik_v1_p1_find_peer_ip(p1->e, &p1->local.ip, &p1->remote.ip, true);
	if (ic)
		DBG(p1, "ISAKMP:(%u):Send initial contact", p1->conn_id);
	p1->initial_contact_sent = ic;

	/* HDR*, HASH_I, NAT-D, NAT-D [, N(INITIAL-CONTACT)] --> */
	make_my_id(p1, &id);
	b = malloc(sizeof(*b));
	if (!b || auth_hash(p1, true, id.body, id.len, h))
		goto fail;
	ik_v1_b_init(b, p1->cky_i, p1->cky_r, IK_V1_EXCH_AGGR, 0, 0);
	ik_v1_b_payload(b, IK_V1_PL_HASH, h, ik_hash_len(p1->hash));
	if (ik_v1_natd_add(p1, b))
		goto fail;
	if (ic)
		put_initial_contact(p1, b);
	if (ik_v1_encrypt(p1, b, p1->iv))
		goto fail;
	ik_v1_send(p1, b->buf, b->len);
	/* kept to answer a retransmitted AM2 (our AM3 was lost), not on a timer */
	ik_v1_xmit_set(p1, &p1->x, b->buf, b->len, false);
	ik_dbg(p1->e->log, IK_DBG_ISAKMP_AAA, "ISAKMP AAA: Accounting is not enabled");
	ik_v1_p1_set_state(p1, "IKE_MESG_INTERNAL, IKE_PROCESS_COMPLETE", IKE_P1_COMPLETE);
	ik_v1_phase1_done(p1);
	start_wanted_qm(p1);
	rc = 0;
	goto out;
fail:
	ik_v1_p1_delete(p1, "internal error", false);
out:
	ik_v1_sa_free(sa);
	free(b);
	return rc;
}

/* ---- responder: AM3 ---- */

int ik_v1_am_r3(struct ik_p1 *p1, const struct ik_v1_msg *m, const uint8_t *msg, size_t len)
{
	const struct ik_v1_pl *hp = ik_v1_find(m, IK_V1_PL_HASH);
	size_t hl = ik_hash_len(p1->hash);
	char ra[IK_ADDR_ANYSTRLEN];

	(void)msg;
	(void)len;
	DBG(p1, "ISAKMP:(%u): processing HASH payload. message ID = 0", p1->conn_id);
	if ((!p1->am_hash_i || !ik_hash_equal(hp->body, hp->body_len, p1->am_hash_i, hl)) &&
	    !IK_MUTANT(IK_MUT_AM_HASH_I)) {
		DBG(p1, "ISAKMP:(%u):SA authentication status:", p1->conn_id);
		DBG(p1, "\tnot authenticated");
		ik_msg(p1->e->log, IK_LOG_INFO, "%%CRYPTO-6-IKMP_AUTH_FAIL: Authentication method "
		       "1 failed with host %s", ik_addr_fmt_ios(&p1->remote.ip, ra));
		ik_peer_sa_event(&p1->sa, IK_PEER_AUTH_FAIL);
		mode_failure(p1, "HASH mismatch: the peers' pre-shared keys differ (K5)");
		return -1;
	}
	ik_v1_p1_authenticated(p1);
	ik_v1_natd_process(p1, m);
	initial_contact(p1, m);
	trace_authenticated(p1);
	ik_v1_xmit_clear(&p1->x);
	ik_v1_p1_set_state(p1, "IKE_MESG_INTERNAL, IKE_PROCESS_COMPLETE", IKE_P1_COMPLETE);
	ik_v1_phase1_done(p1);
	return 0;
}

/* ---- shared with v1_cert.c ---- */

int ik_v1_auth_hash(struct ik_p1 *p1, bool of_initiator, const uint8_t *id_b, size_t id_len,
		    uint8_t *out)
{
	return auth_hash(p1, of_initiator, id_b, id_len, out);
}

void ik_v1_put_initial_contact(struct ik_p1 *p1, struct ik_v1_builder *b)
{
	put_initial_contact(p1, b);
}
