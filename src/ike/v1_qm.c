/* Quick Mode (RFC 2409 section 5.5), initiator and responder: one proposal
 * per transform set of the IPsec profile, proxy identities of the GRE or VTI
 * tunnel, optional PFS, KEYMAT for both directions, and rule P4 of
 * spec/selection-rules.md on the responder. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/v1_int.h"
#include "profile/snapshot.h"
#include "util/addr.h"
#include "util/mutant.h"
#include "util/util.h"

#define DBG(p1, ...) ik_dbg((p1)->e->log, IK_DBG_ISAKMP, __VA_ARGS__)
#define IPS(p1, ...) ik_dbg((p1)->e->log, IK_DBG_IPSEC, __VA_ARGS__)

enum { ESP_DES = 2, ESP_3DES = 3, ESP_AES = 12, ESP_GCM16 = 20 };

static unsigned esp_id(enum ik_esp_enc e)
{
	switch (e) {
	case IK_ESP_DES: return ESP_DES;
	case IK_ESP_3DES: return ESP_3DES;
	case IK_ESP_AES: return ESP_AES;
	case IK_ESP_GCM: return ESP_GCM16;
	default: return 0;
	}
}

static const char *esp_ios(unsigned id)
{
	switch (id) {
	case ESP_DES: return "ESP_DES";
	case ESP_3DES: return "ESP_3DES";
	case ESP_AES: return "ESP_AES";
	case ESP_GCM16: return "ESP_GCM";
	default: return "ESP_UNKNOWN";
	}
}

static unsigned auth_code(enum ik_esp_auth a)
{
	switch (a) {
	case IK_ESP_MD5: return 1;
	case IK_ESP_SHA1: return 2;
	case IK_ESP_SHA256: return 5;
	case IK_ESP_SHA384: return 6;
	case IK_ESP_SHA512: return 7;
	default: return 0;
	}
}

static const char *auth_ios(uint64_t v)
{
	switch (v) {
	case 1: return "HMAC-MD5";
	case 2: return "HMAC-SHA";
	case 5: return "HMAC-SHA256";
	case 6: return "HMAC-SHA384";
	case 7: return "HMAC-SHA512";
	default: return "unknown";
	}
}

/* ---- nodes ---- */

struct ik_qm *ik_v1_qm_find(struct ik_p1 *p1, uint32_t msgid)
{
	for (struct ik_qm *q = p1->up ? p1->up->qms : NULL; q; q = q->next)
		if (q->msgid == msgid)
			return q;
	return NULL;
}

struct ik_qm *ik_v1_qm_new(struct ik_p1 *p1, uint32_t msgid, bool initiator)
{
	struct ik_qm *q;

	if (!initiator && ik_v1_qm_refused(p1))
		return NULL;
	ik_v1_qm_make_room(p1);
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->x.t.kind = IK_TK_XCH_XMIT;
	q->t_expire.kind = IK_TK_XCH_EXPIRE;
	ik_v1_p1_up(p1)->qm_pending++;
	p1->up->qm_count++;
	q->p1 = p1;
	q->msgid = msgid;
	q->initiator = initiator;
	q->state = IKE_QM_READY;
	q->cfg = ik_core_cfg_hold(p1->e, p1->e->cfg);
	ik_core_timer_set(p1->e, &q->t_expire, ik_core_now(p1->e) + ik_core_exchange_limit_ms(p1->e));
	q->next = p1->up->qms;
	p1->up->qms = q;
	ik_v1_msgid_remember(p1, msgid);
	return q;
}

void ik_v1_qm_unlink(struct ik_p1 *p1, struct ik_qm *q)
{
	for (struct ik_qm **pp = &p1->up->qms; *pp; pp = &(*pp)->next)
		if (*pp == q) {
			*pp = q->next;
			return;
		}
}

void ik_v1_qm_free(struct ik_qm *q)
{
	if (!q)
		return;
	ik_timer_cancel(&q->p1->e->timers, &q->x.t);
	ik_timer_cancel(&q->p1->e->timers, &q->t_expire);
	if (!q->done)
		q->p1->up->qm_pending--;
	q->p1->up->qm_count--;
	ik_core_cfg_release(q->p1->e, q->cfg);
	ik_v1_xmit_clear(&q->x);
	ik_dh_free(q->dh);
	ik_secret_free(q->gxy);
	ik_v1_nonce_free(&q->ni, &q->ni_len);
	ik_v1_nonce_free(&q->nr, &q->nr_len);
	free(q->sa_b);
	ik_wipe(q, sizeof(*q));
	free(q);
}

static void qm_state(struct ik_p1 *p1, struct ik_qm *q, const char *input, enum ik_qm_state to)
{
	DBG(p1, "ISAKMP:(%u):Node %u, Input = %s", p1->conn_id, q->msgid, input);
	DBG(p1, "ISAKMP:(%u):Old State = %s  New State = %s", p1->conn_id,
	    ik_v1_qm_state_name(q->state), ik_v1_qm_state_name(to));
	q->state = to;
}

int ik_v1_hash_msgid(struct ik_p1 *p1, const uint8_t *pre, size_t pre_len, uint32_t msgid,
		     const uint8_t *a, size_t alen, const uint8_t *b2, size_t blen2, uint8_t *out)
{
	uint8_t mid[4];
	struct ik_iov iov[4];
	size_t n = 0;

	ik_put32(mid, msgid);
	if (pre_len)
		iov[n++] = (struct ik_iov){ pre, pre_len };
	iov[n++] = (struct ik_iov){ mid, 4 };
	if (alen)
		iov[n++] = (struct ik_iov){ a, alen };
	if (blen2)
		iov[n++] = (struct ik_iov){ b2, blen2 };
	return ik_prf(p1->hash, p1->keys->skeyid_a->p, p1->keys->skeyid_a->len, iov, n, out);
}

static uint32_t new_spi(struct ik_engine *e)
{
	uint32_t s;

	do
		ik_core_rand(e, &s, sizeof(s));
	while (s <= 255);
	return s;
}

static bool use_udp_encap(const struct ik_p1 *p1)
{
	return p1->nat_self || p1->nat_peer;
}

static unsigned encap_code(const struct ik_p1 *p1, enum ik_ipsec_mode mode)
{
	if (!use_udp_encap(p1))
		return mode == IK_MODE_TRANSPORT ? IK_V1_ENCAP_TRANSPORT : IK_V1_ENCAP_TUNNEL;
	if (p1->peer_natt_rfc)
		return mode == IK_MODE_TRANSPORT ? IK_V1_ENCAP_UDP_TRANSPORT :
			IK_V1_ENCAP_UDP_TUNNEL;
	return mode == IK_MODE_TRANSPORT ? IK_V1_ENCAP_UDP_TRANSPORT_DRAFT :
		IK_V1_ENCAP_UDP_TUNNEL_DRAFT;
}

static bool tunnel_is_gre(const struct ik_interface *t)
{
	return t->tunnel_mode == IK_TUN_GRE_IP || t->tunnel_mode == IK_TUN_GRE_IPV6;
}

static enum ik_ipsec_mode tunnel_mode_for(const struct ik_interface *t,
					  const struct ik_transform_set *ts)
{
	/* no tunnel: a crypto map entry, whose subnets need tunnel mode */
	if (!t || !tunnel_is_gre(t))
		return IK_MODE_TUNNEL;
	return ts->mode;
}

/* The longest proxy identity body: type, protocol, port, two IPv6 addresses. */
#define PROXY_MAX 36

/* The proxy identities of a tunnel as seen from this side (ep: that side's
 * end point): GRE carries the tunnel end points with protocol 47
 * (ID_IPV4_ADDR or ID_IPV6_ADDR), a VTI any/any of the family it carries
 * (ID_IPV4_ADDR_SUBNET 0/0, ID_IPV6_ADDR_SUBNET ::/0). */
static size_t make_proxy(const struct ik_interface *t, const struct ik_addr *ep, uint8_t *body)
{
	body[1] = tunnel_is_gre(t) ? 47 : 0;
	ik_put16(body + 2, 0);
	if (t->tunnel_mode == IK_TUN_IPSEC_IPV4) {
		body[0] = IK_V1_ID_IPV4_ADDR_SUBNET;
		memset(body + 4, 0, 8);
		return 12;
	}
	if (t->tunnel_mode == IK_TUN_IPSEC_IPV6) {
		body[0] = IK_V1_ID_IPV6_ADDR_SUBNET;
		memset(body + 4, 0, 32);
		return 36;
	}
	if (ep->family == IK_AF_INET6) {
		body[0] = IK_V1_ID_IPV6_ADDR;
		memcpy(body + 4, ep->v6, 16);
		return 20;
	}
	body[0] = IK_V1_ID_IPV4_ADDR;
	ik_put32(body + 4, ep->v4);
	return 8;
}

static void lifetimes(const struct ik_ipsec_profile *ip, uint32_t *sec, uint64_t *kb)
{
	*sec = ip->lifetime_sec ? ip->lifetime_sec : 3600;
	*kb = ip->lifetime_kb ? ip->lifetime_kb : 4608000;
}

static void put_esp_transform(struct ik_p1 *p1, struct ik_v1_builder *b,
			      const struct ik_interface *t, const struct ik_transform_set *ts,
			      uint32_t sec, uint64_t kb, unsigned pfs)
{
	size_t off = b->len;

	ik_v1_b_put8(b, 0);
	ik_v1_b_put8(b, 0);
	ik_v1_b_put16(b, 0);
	ik_v1_b_put8(b, 1);
	ik_v1_b_put8(b, (uint8_t)esp_id(ts->enc));
	ik_v1_b_put16(b, 0);
	ik_v1_b_attr(b, IK_V1_A2_ENCAP, encap_code(p1, tunnel_mode_for(t, ts)), false);
	ik_v1_b_attr(b, IK_V1_A2_LIFE_TYPE, 1, false);
	ik_v1_b_attr(b, IK_V1_A2_LIFE_DUR, sec, false);
	ik_v1_b_attr(b, IK_V1_A2_LIFE_TYPE, 2, false);
	ik_v1_b_attr(b, IK_V1_A2_LIFE_DUR, (uint32_t)(kb > 0xffffffffu ? 0xffffffffu : kb), true);
	if (auth_code(ts->auth))
		ik_v1_b_attr(b, IK_V1_A2_AUTH, auth_code(ts->auth), false);
	if (ts->enc == IK_ESP_AES || ts->enc == IK_ESP_GCM)
		ik_v1_b_attr(b, IK_V1_A2_KEYLEN, ts->keylen ? ts->keylen : 128, false);
	if (pfs)
		ik_v1_b_attr(b, IK_V1_A2_GROUP, pfs, false);
	if (!b->overflow)
		ik_put16(b->buf + off + 2, (uint16_t)(b->len - off));
}

static int make_pfs(struct ik_p1 *p1, struct ik_qm *q, unsigned group)
{
	size_t rl = ik_dh_rand_len(group);
	uint8_t *r = malloc(rl ? rl : 1);

	if (!r)
		return -1;
	ik_core_rand(p1->e, r, rl);
	q->dh = ik_dh_new(group, r, rl);
	ik_wipe(r, rl);
	free(r);
	q->pfs_group = group;
	return q->dh ? 0 : -1;
}

/* Encrypts, sends and keeps b for retransmission. */
static int qm_send(struct ik_p1 *p1, struct ik_qm *q, struct ik_v1_builder *b, bool retransmit)
{
	if (b->overflow || ik_v1_encrypt(p1, b, q->iv))
		return -1;
	ik_v1_send(p1, b->buf, b->len);
	ik_v1_xmit_set(p1, &q->x, b->buf, b->len, retransmit);
	return 0;
}

/* Fills the HASH payload at hoff (its data) over everything after it. */
static int fill_hash(struct ik_p1 *p1, struct ik_qm *q, struct ik_v1_builder *b, size_t hoff,
		     const uint8_t *pre, size_t pre_len)
{
	size_t hl = ik_hash_len(p1->hash), after = hoff + 4 + hl;

	/* HASH(1): prf(SKEYID_a, M-ID | rest); HASH(2): prf(SKEYID_a, M-ID | Ni_b | rest) */
	if (pre_len)
		return ik_v1_hash_msgid(p1, NULL, 0, q->msgid, pre, pre_len, b->buf + after,
					b->len - after, b->buf + hoff + 4);
	return ik_v1_hash_msgid(p1, NULL, 0, q->msgid, b->buf + after, b->len - after, NULL,
				0, b->buf + hoff + 4);
}

/* Quick Mode for tunnel t, or (t NULL) for line ace of crypto map entry cm
 * with proxy identities px. */
static int qm_start(struct ik_p1 *p1, const struct ik_interface *t,
		    const struct ik_cmap_entry *cm, size_t ace, const struct ik_proxy *px,
		    unsigned rekey_of)
{
	struct ik_engine *e = p1->e;
	const struct ik_ipsec_profile *ip = t ? t->protection : &cm->ipsec;
	struct ik_v1_builder *b;
	struct ik_qm *q;
	uint32_t msgid, sec;
	uint64_t kb;
	uint8_t zero[64] = { 0 }, idb[40];
	size_t hl = ik_hash_len(p1->hash), hoff, sa_off;
	int rc = -1;

	if (!ip || !ip->ntsets)
		return -1;
	for (struct ik_qm *o = ik_v1_p1_up(p1)->qms; o; o = o->next) {
		if (!o->initiator || o->done)
			continue;
		if (t && o->tunnel && !strcmp(o->tunnel->name, t->name))
			return 0; /* already negotiating */
		if (!t && o->cmap == cm && o->cmap_ace == ace)
			return 0;
	}
	do
		ik_core_rand(e, &msgid, sizeof(msgid));
	while (msgid == 0 || ik_v1_qm_find(p1, msgid));
	q = ik_v1_qm_new(p1, msgid, true);
	b = malloc(sizeof(*b));
	if (!q || !b)
		goto out;
	q->tunnel = t;
	q->ipsec = ip;
	q->rekey_of = rekey_of;
	if (!t) {
		q->cmap = cm;
		q->cmap_ace = ace;
		q->proxy = *px;
	}
	if (ik_v1_iv_msgid(p1->hash, p1->up->p2_iv_base, p1->blen, msgid, q->iv))
		goto out;
	DBG(p1, "ISAKMP:(%u):beginning Quick Mode exchange, M-ID of %u", p1->conn_id, msgid);
	q->spi_in = new_spi(e);
	DBG(p1, "ISAKMP:(%u):QM Initiator gets spi", p1->conn_id);
	if (ik_v1_nonce_set(e, &q->ni, &q->ni_len, NULL, IK_V1_NONCE_LEN))
		goto out;
	if (ip->pfs_group && make_pfs(p1, q, ip->pfs_group))
		goto out;
	lifetimes(ip, &sec, &kb);

	/* HDR*, HASH(1), SA, Ni [, KE ], IDci, IDcr --> */
	ik_v1_b_init(b, p1->cky_i, p1->cky_r, IK_V1_EXCH_QM, 0, msgid);
	hoff = ik_v1_b_open(b, IK_V1_PL_HASH);
	ik_v1_b_put(b, zero, hl);
	ik_v1_b_close(b, hoff);
	sa_off = ik_v1_b_open(b, IK_V1_PL_SA);
	ik_v1_b_put32(b, 1);
	ik_v1_b_put32(b, 1);
	for (size_t i = 0; i < ip->ntsets; i++) {
		size_t p_off = b->len;
		uint8_t spi[4];

		ik_put32(spi, q->spi_in);
		ik_v1_b_put8(b, i + 1 < ip->ntsets ? IK_V1_PL_P : 0);
		ik_v1_b_put8(b, 0);
		ik_v1_b_put16(b, 0);
		ik_v1_b_put8(b, (uint8_t)(i + 1));
		ik_v1_b_put8(b, IK_V1_PROTO_ESP);
		ik_v1_b_put8(b, 4);
		ik_v1_b_put8(b, 1);
		ik_v1_b_put(b, spi, 4);
		put_esp_transform(p1, b, t, ip->tsets[i], sec, kb, ip->pfs_group);
		if (!b->overflow)
			ik_put16(b->buf + p_off + 2, (uint16_t)(b->len - p_off));
	}
	ik_v1_b_close(b, sa_off);
	if (b->overflow)
		goto out;
	q->sa_b_len = b->len - sa_off - 4;
	q->sa_b = malloc(q->sa_b_len);
	if (!q->sa_b)
		goto out;
	memcpy(q->sa_b, b->buf + sa_off + 4, q->sa_b_len);
	ik_v1_b_payload(b, IK_V1_PL_NONCE, q->ni, q->ni_len);
	if (q->dh) {
		size_t pl;
		const uint8_t *pub = ik_dh_public(q->dh, &pl);

		ik_v1_b_payload(b, IK_V1_PL_KE, pub, pl);
	}
	if (t) {
		ik_v1_b_payload(b, IK_V1_PL_ID, idb, make_proxy(t, &p1->local.ip, idb));
		ik_v1_b_payload(b, IK_V1_PL_ID, idb, make_proxy(t, &p1->remote.ip, idb));
	} else {
		ik_v1_b_payload(b, IK_V1_PL_ID, idb, ik_v1_cmap_id(&px->local, px->proto, idb));
		ik_v1_b_payload(b, IK_V1_PL_ID, idb, ik_v1_cmap_id(&px->remote, px->proto, idb));
	}
	if (b->overflow || fill_hash(p1, q, b, hoff, NULL, 0))
		goto out;
	if (qm_send(p1, q, b, true))
		goto out;
	qm_state(p1, q, "IKE_MESG_INTERNAL, IKE_INIT_QM", IKE_QM_I_QM1);
	rc = 0;
out:
	if (rc && q) {
		ik_v1_qm_unlink(p1, q);
		ik_v1_qm_free(q);
	}
	free(b);
	return rc;
}

int ik_v1_qm_start(struct ik_p1 *p1, const struct ik_interface *t, unsigned rekey_of)
{
	return qm_start(p1, t, NULL, 0, NULL, rekey_of);
}

int ik_v1_qm_start_cmap(struct ik_p1 *p1, const struct ik_cmap_entry *cm, size_t ace,
			const struct ik_proxy *px, unsigned rekey_of)
{
	return qm_start(p1, NULL, cm, ace, px, rekey_of);
}

/* Verifies HASH(1) or HASH(2): prf(SKEYID_a, M-ID | [Ni_b |] rest of message);
 * pre is Ni_b for HASH(2). */
static int verify_hash(struct ik_p1 *p1, struct ik_qm *q, const struct ik_v1_msg *m,
		       const uint8_t *pre, size_t pre_len)
{
	const struct ik_v1_pl *h = &m->pl[0];
	const uint8_t *base = h->p - h->off;
	size_t after = h->off + h->len, hl = ik_hash_len(p1->hash);
	uint8_t calc[64];
	char ra[IK_ADDR_ANYSTRLEN];

	DBG(p1, "ISAKMP:(%u): processing HASH payload. message ID = %u", p1->conn_id, q->msgid);
	if (pre_len ? ik_v1_hash_msgid(p1, NULL, 0, q->msgid, pre, pre_len, base + after,
				       m->end - after, calc) :
		      ik_v1_hash_msgid(p1, NULL, 0, q->msgid, base + after, m->end - after, NULL, 0,
				       calc))
		return -1;
	if (!ik_hash_equal(h->body, h->body_len, calc, hl) &&
	    !(pre_len ? IK_MUTANT(IK_MUT_QM_HASH2) : IK_MUTANT(IK_MUT_QM_HASH1))) {
		DBG(p1, "ISAKMP:(%u): phase 2 hash from %s does not match", p1->conn_id,
		    ik_addr_fmt_ios(&p1->remote.ip, ra));
		ik_msg(p1->e->log, IK_LOG_WARNING, "%%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from "
		       "%s failed its sanity check or is malformed", ra);
		return -1;
	}
	ik_v1_p1_authenticated(p1);
	return 0;
}

struct esp_offer {
	unsigned esp;
	uint64_t encap, auth, keylen, group, sec, kb;
};

static void read_offer(struct ik_p1 *p1, const struct ik_v1_transform *t, struct esp_offer *o,
		       bool trace)
{
	uint64_t ltype = 1;

	memset(o, 0, sizeof(*o));
	o->esp = t->id;
	if (trace) {
		DBG(p1, "ISAKMP: transform %u, %s ", t->num, esp_ios(t->id));
		DBG(p1, "ISAKMP:   attributes in transform:");
	}
	for (size_t i = 0; i < t->nattr; i++) {
		const struct ik_v1_attr *a = &t->attr[i];

		switch (a->type) {
		case IK_V1_A2_ENCAP:
			o->encap = a->v;
			if (trace)
				DBG(p1, "ISAKMP:      encaps is %u (%s)", (unsigned)a->v,
				    a->v == 2 || a->v == 4 || a->v == 61444 ? "Transport" :
				    "Tunnel");
			break;
		case IK_V1_A2_LIFE_TYPE:
			ltype = a->v;
			if (trace)
				DBG(p1, "ISAKMP:      SA life type in %s", a->v == 2 ? "kilobytes" :
				    "seconds");
			break;
		case IK_V1_A2_LIFE_DUR:
			if (ltype == 2)
				o->kb = a->v;
			else
				o->sec = a->v;
			if (!trace)
				break;
			if (a->tv) {
				DBG(p1, "ISAKMP:      SA life duration (basic) of %u",
					(unsigned)a->v);
			} else {
				char hex[64] = "";
				size_t n = 0;

				for (unsigned k = 0; k < a->len && k < 8; k++)
					n += (size_t)snprintf(hex + n, sizeof(hex) - n, " 0x%X",
							      a->val[k]);
				DBG(p1, "ISAKMP:      SA life duration (VPI) of %s", hex);
			}
			break;
		case IK_V1_A2_AUTH:
			o->auth = a->v;
			if (trace)
				DBG(p1, "ISAKMP:      authenticator is %s", auth_ios(a->v));
			break;
		case IK_V1_A2_KEYLEN:
			o->keylen = a->v;
			if (trace)
				DBG(p1, "ISAKMP:      key length is %u", (unsigned)a->v);
			break;
		case IK_V1_A2_GROUP:
			o->group = a->v;
			if (trace)
				DBG(p1, "ISAKMP:      group is %u", (unsigned)a->v);
			break;
		default:
			if (trace)
				DBG(p1, "ISAKMP:      unknown attribute %u", a->type);
			o->esp = 0;
			break;
		}
	}
}

static bool offer_matches(const struct ik_p1 *p1, const struct esp_offer *o,
			  const struct ik_interface *t, const struct ik_transform_set *ts)
{
	enum ik_ipsec_mode want = tunnel_mode_for(t, ts);
	unsigned klen = ts->keylen ? ts->keylen : 128;

	if (o->esp != esp_id(ts->enc) || o->auth != auth_code(ts->auth))
		return false;
	if ((ts->enc == IK_ESP_AES || ts->enc == IK_ESP_GCM) && o->keylen != klen)
		return false;
	if (o->encap != encap_code(p1, want) && o->encap != encap_code(p1, IK_MODE_TUNNEL))
		return false;
	return true;
}

static enum ik_ipsec_mode offer_mode(uint64_t encap)
{
	return encap == 2 || encap == 4 || encap == 61444 ? IK_MODE_TRANSPORT : IK_MODE_TUNNEL;
}

/* KEYMAT for both directions into the child. */
static int keymat(struct ik_p1 *p1, struct ik_qm *q)
{
	struct ik_child_sa *c = &q->child;
	size_t el = ik_esp_enc_key_len(c->enc, c->enc_keylen), al = ik_esp_auth_key_len(c->auth);
	uint8_t km[IK_MAX_ENC_KEY + IK_MAX_AUTH_KEY], spi[4];
	int rc = 0;

	if (el > IK_MAX_ENC_KEY || al > IK_MAX_AUTH_KEY)
		return -1;
	const uint8_t *ni = q->ni, *nr = q->nr;
	ik_put32(spi, q->spi_in);
	rc |= ik_v1_keymat(p1->hash, p1->keys->skeyid_d, q->gxy, IK_V1_PROTO_ESP, spi, ni,
			   q->ni_len, nr, q->nr_len, km, el + al);
	memcpy(c->in.enc_key, km, el);
	memcpy(c->in.auth_key, km + el, al);
	ik_put32(spi, q->spi_out);
	rc |= ik_v1_keymat(p1->hash, p1->keys->skeyid_d, q->gxy, IK_V1_PROTO_ESP, spi, ni,
			   q->ni_len, nr, q->nr_len, km, el + al);
	memcpy(c->out.enc_key, km, el);
	memcpy(c->out.auth_key, km + el, al);
	ik_wipe(km, sizeof(km));
	return rc ? -1 : 0;
}

static void fill_child(struct ik_p1 *p1, struct ik_qm *q, const struct ik_transform_set *ts,
		       const struct esp_offer *o)
{
	struct ik_child_sa *c = &q->child;
	const struct ik_interface *t = q->tunnel;
	uint32_t sec;
	uint64_t kb;

	lifetimes(q->ipsec, &sec, &kb);
	if (o->sec && o->sec < sec)
		sec = (uint32_t)o->sec;
	if (o->kb && o->kb < kb)
		kb = o->kb;
	if (t) {
		snprintf(c->ifname, sizeof(c->ifname), "%s", t->name);
		c->tunnel = t;
	}
	c->mode = offer_mode(o->encap);
	c->enc = ts->enc;
	c->enc_keylen = (ts->enc == IK_ESP_AES || ts->enc == IK_ESP_GCM) ?
		(ts->keylen ? ts->keylen : 128) : ts->enc == IK_ESP_3DES ? 192 :
		ts->enc == IK_ESP_DES ? 64 : 0;
	c->auth = ts->auth;
	c->icv_bits = ts->enc == IK_ESP_GCM ? 128 : 0;
	c->in.spi = q->spi_in;
	c->in.src = p1->remote.ip;
	c->in.dst = p1->local.ip;
	c->out.spi = q->spi_out;
	c->out.src = p1->local.ip;
	c->out.dst = p1->remote.ip;
	if (!t) {
		ik_v1_cmap_child(q, c);
	} else if (t->tunnel_mode == IK_TUN_IPSEC_IPV4 || t->tunnel_mode == IK_TUN_IPSEC_IPV6) {
		/* a VTI: every address of the family it carries */
		memset(&c->sel, 0, sizeof(c->sel));
		c->sel.src.family = c->sel.dst.family =
			t->tunnel_mode == IK_TUN_IPSEC_IPV6 ? IK_AF_INET6 : IK_AF_INET4;
	} else {
		memset(&c->sel, 0, sizeof(c->sel));
		c->sel.src = p1->local.ip;
		c->sel.dst = p1->remote.ip;
		c->sel.src_plen = c->sel.dst_plen = (uint8_t)ik_af_bits(p1->local.ip.family);
		c->sel.proto = 47;
	}
	c->lifetime_sec = sec;
	c->lifetime_kb = kb;
	c->udp_encap = use_udp_encap(p1);
	c->encap_local_port = c->udp_encap ? p1->local.port : 0;
	c->encap_remote_port = c->udp_encap ? p1->remote.port : 0;
	c->pfs_group = q->pfs_group;
	if (t)
		c->reqid = t->tunnel_num + 1;
}

/* Installs the negotiated pair (child_up), then retires the SA it replaces. */
static int install(struct ik_p1 *p1, struct ik_qm *q)
{
	struct ik_engine *e = p1->e;
	struct ik_child *c = calloc(1, sizeof(*c));
	uint64_t now = ik_core_now(e);
	uint16_t j = 0;
	char tn[64];

	if (!c)
		return -1;
	q->child.id = e->next_child_id;
	e->next_child_id += 2;
	c->sa = q->child;
	c->cfg = ik_core_cfg_hold(e, q->cfg);
	c->local = p1->local;
	c->remote = p1->remote;
	c->fvrf = p1->fvrf ? strdup(p1->fvrf) : NULL;
	c->sa.fvrf = c->fvrf;
	snprintf(c->profile_name, sizeof(c->profile_name), "%s",
		 p1->profile ? p1->profile->name : "");
	c->p1_conn_id = p1->conn_id;
	c->initiator = q->initiator;
	c->created_ms = now;
	ik_core_rand(e, &j, sizeof(j));
	for (size_t i = 0; i < q->ipsec->ntsets; i++)
		if (q->ipsec->tsets[i]->enc == c->sa.enc && q->ipsec->tsets[i]->auth == c->sa.auth)
			ik_core_tset_name(q->ipsec->tsets[i], tn, sizeof(tn));
	snprintf(c->transform_name, sizeof(c->transform_name), "%s", tn);
	ik_core_trace_create_sa(e, c);
	if (e->host.child_up(e->host.ctx, &c->sa)) {
		uint8_t spi[4];

		ik_msg(e->log, IK_LOG_ERR, "IPSEC: installing the SA pair for %s (spi 0x%X/0x%X) "
		       "failed", c->sa.ifname, c->sa.in.spi, c->sa.out.spi);
		ik_put32(spi, c->sa.in.spi);
		ik_v1_send_delete(p1, IK_V1_PROTO_ESP, spi, 4, 1);
		ik_core_cfg_release(e, c->cfg);
		free(c->fvrf);
		ik_wipe(c, sizeof(*c));
		free(c);
		e->st.p2_failed++;
		return -1;
	}
	/* Soft lifetime (rekey) at 85..90%, jittered, by the side that initiated. */
	ik_v1_child_insert(e, c, q->initiator ? now + (uint64_t)c->sa.lifetime_sec *
			   (850 + j % 50) : 0, now + (uint64_t)c->sa.lifetime_sec * 1000);
	e->st.p2_done++;
	if (q->rekey_of) {
		struct ik_child *old = ik_core_child_find(e, q->rekey_of);

		if (old)
			ik_core_child_remove(e, old, true, "rekeyed");
	}
	return 0;
}

/* ---- responder: QM1 -> QM2 ---- */

/* IOS's message for a failed Quick Mode, logged with debugging off, with why. */
static void qm_failure(struct ik_p1 *p1, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void qm_failure(struct ik_p1 *p1, const char *fmt, ...)
{
	char ra[IK_ADDR_ANYSTRLEN], why[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	ik_msg(p1->e->log, IK_LOG_INFO, "%%CRYPTO-6-IKMP_MODE_FAILURE: Processing of Quick mode "
	       "failed with peer at %s (%s)", ik_addr_fmt_ios(&p1->remote.ip, ra), why);
}

static void p4_fail(struct ik_p1 *p1, struct ik_qm *q, const struct ik_v1_sa *sa, bool profile)
{
	char la[IK_ADDR_ANYSTRLEN], ra[IK_ADDR_ANYSTRLEN];
	uint8_t spi[4] = { 0 };

	if (profile)
		IPS(p1, "map_db_check_isakmp_profile profile did not match");
	IPS(p1, "map_db_find_best did not find matching map");
	IPS(p1, "IPSEC(ipsec_process_proposal): proxy identities not supported");
	DBG(p1, "ISAKMP:(%u): IPsec policy invalidated proposal with error 32", p1->conn_id);
	DBG(p1, "ISAKMP:(%u): phase 2 SA policy not acceptable! (local %s remote %s)",
	    p1->conn_id, ik_addr_fmt_ios(&p1->local.ip, la), ik_addr_fmt_ios(&p1->remote.ip, ra));
	if (sa->np && sa->p[0].spi_size == 4)
		memcpy(spi, sa->p[0].spi, 4);
	ik_v1_send_notify(p1, IK_V1_N_NO_PROPOSAL_CHOSEN, IK_V1_PROTO_ESP, spi, 4, NULL, 0);
	p1->e->st.p2_failed++;
	(void)q;
}

static bool id_is(const struct ik_v1_pl *pl, const uint8_t *want, size_t wlen)
{
	return pl->body_len == wlen && !memcmp(pl->body, want, wlen);
}

/* The protected tunnel to this peer whose proxy identities are the ones
 * received (several tunnels may share the endpoints, GRE and VTI); else the
 * first tunnel to the peer, whose mismatch is then reported. */
static const struct ik_interface *tunnel_for_ids(const struct ik_config *cfg,
						 const struct ik_p1 *p1,
						 const struct ik_v1_pl *idci,
						 const struct ik_v1_pl *idcr)
{
	const struct ik_interface *first = NULL;
	size_t n = 0;
	const struct ik_interface *const *ts = ik_snapshot_tunnels_to_ip(cfg, &p1->remote.ip, &n);

	for (size_t i = 0; i < n; i++) {
		const struct ik_interface *t = ts[i];
		uint8_t wi[PROXY_MAX], wr[PROXY_MAX];
		struct ik_addr src;
		size_t li, lr;

		ik_iface_tunnel_source(t, &src);
		if (!ik_addr_is_any(&src) && !ik_addr_eq(&src, &p1->local.ip))
			continue;
		if (!first)
			first = t;
		if (!idci)
			return t;
		li = make_proxy(t, &p1->remote.ip, wi);
		lr = make_proxy(t, &p1->local.ip, wr);
		if (idci->body_len == li && !memcmp(idci->body, wi, li) &&
		    idcr->body_len == lr && !memcmp(idcr->body, wr, lr))
			return t;
	}
	return first;
}

/* A PFS group offered to a profile without `set pfs`: IOS takes any; here
 * only a group that the isakmp policies already trust (so a weak group such
 * as modp768 is not accepted when nobody configured it). */
static bool pfs_group_allowed(const struct ik_config *cfg, unsigned group)
{
	for (size_t k = 0; k < cfg->npolicies; k++)
		if (cfg->policies[k].group == group)
			return true;
	return false;
}

int ik_v1_qm_r1(struct ik_p1 *p1, struct ik_qm *q, const struct ik_v1_msg *m)
{
	struct ik_engine *e = p1->e;
	struct ik_v1_sa *sa = NULL;
	struct ik_v1_builder *b = malloc(sizeof(*b));
	const struct ik_v1_pl *sapl = ik_v1_find(m, IK_V1_PL_SA);
	const struct ik_v1_pl *no = ik_v1_find(m, IK_V1_PL_NONCE);
	const struct ik_v1_pl *ke = ik_v1_find(m, IK_V1_PL_KE);
	const struct ik_v1_pl *idci = NULL, *idcr = NULL;
	const struct ik_interface *t;
	const struct ik_transform_set *ts = NULL;
	const struct ik_v1_proposal *chosen = NULL;
	struct esp_offer offer;
	char err[200], la[IK_ADDR_ANYSTRLEN], ra[IK_ADDR_ANYSTRLEN];
	uint8_t zero[64] = { 0 }, want_i[PROXY_MAX], want_r[PROXY_MAX];
	size_t hl = ik_hash_len(p1->hash), hoff, wi, wr;
	bool prof_bad;
	int rc = -1, cmap_rc;

	if (!b)
		goto out;
	if (verify_hash(p1, q, m, NULL, 0))
		goto out;
	DBG(p1, "ISAKMP:(%u): processing SA payload. message ID = %u", p1->conn_id, q->msgid);
	if (ik_v1_parse_sa(sapl, &sa, err, sizeof(err))) {
		DBG(p1, "ISAKMP:(%u): %s", p1->conn_id, err);
		ik_msg(e->log, IK_LOG_WARNING, "%%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from %s "
		       "failed its sanity check or is malformed",
		       ik_addr_fmt_ios(&p1->remote.ip, ra));
		goto out;
	}
	for (size_t i = 0; i < m->npl; i++) {
		if (m->pl[i].type != IK_V1_PL_ID)
			continue;
		if (!idci)
			idci = &m->pl[i];
		else if (!idcr)
			idcr = &m->pl[i];
	}
	if (idci && !idcr) {
		bad_ids:
		DBG(p1, "ISAKMP:(%u): Quick Mode needs two ID payloads or none", p1->conn_id);
		ik_msg(e->log, IK_LOG_WARNING, "%%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from %s "
		       "failed its sanity check or is malformed",
		       ik_addr_fmt_ios(&p1->remote.ip, ra));
		goto out;
	}
	if (ik_v1_count(m, IK_V1_PL_ID) > 2)
		goto bad_ids;
	t = tunnel_for_ids(q->cfg, p1, idci, idcr);
	q->tunnel = t;
	q->ipsec = t ? t->protection : NULL;
	/* no protected tunnel to this peer: the crypto map of the interface */
	cmap_rc = t ? 1 : ik_v1_cmap_select(p1, q, idci, idcr);
	for (size_t i = 0; i < sa->np && !chosen; i++) {
		const struct ik_v1_proposal *p = &sa->p[i];

		DBG(p1, "ISAKMP:(%u):Checking IPsec proposal %u", p1->conn_id, p->num);
		if (p->proto != IK_V1_PROTO_ESP || p->spi_size != 4 || p->nt < 1) {
			DBG(p1, "ISAKMP:(%u):proposal %u is not ESP with a 4-byte SPI", p1->conn_id,
			    p->num);
			continue;
		}
		for (size_t k = 0; k < p->nt && !chosen; k++) {
			read_offer(p1, &p->t[k], &offer, true);
			for (size_t n = 0; q->ipsec && n < q->ipsec->ntsets; n++) {
				const struct ik_transform_set *x = q->ipsec->tsets[n];

				if (!offer_matches(p1, &offer, t, x))
					continue;
				if (q->ipsec->pfs_group && (offer.group != q->ipsec->pfs_group ||
					!ke))
					continue;
				if (offer.group && !ke)
					continue;
				if (offer.group && !q->ipsec->pfs_group &&
				    !pfs_group_allowed(q->cfg, (unsigned)offer.group) &&
				    !IK_MUTANT(IK_MUT_QM_PFS_GROUP)) {
					DBG(p1, "ISAKMP:(%u):PFS group %u offered: the IPsec "
					    "profile sets none and no isakmp policy uses it",
					    p1->conn_id, (unsigned)offer.group);
					continue;
				}
				ts = x;
				chosen = p;
				break;
			}
			if (!chosen)
				DBG(p1, "ISAKMP:(%u):atts are not acceptable.", p1->conn_id);
		}
	}
	if (chosen) {
		DBG(p1, "ISAKMP:(%u):atts are acceptable.", p1->conn_id);
		IPS(p1, "IPSEC(validate_proposal_request): proposal part #1");
	}
	ik_addr_fmt_ios(&p1->local.ip, la);
	ik_addr_fmt_ios(&p1->remote.ip, ra);
	IPS(p1, "IPSEC(validate_proposal_request): proposal part #1,");
	IPS(p1, "  (key eng. msg.) INBOUND local= %s:0, remote= %s:0,", la, ra);
	if (cmap_rc != 1 && idci) {
		ik_v1_cmap_trace_proxies(p1, q);
	} else if ((!t || tunnel_is_gre(t)) && p1->local.ip.family == IK_AF_INET6) {
		IPS(p1, "    local_proxy= %s/128/47/0,", la);
		IPS(p1, "    remote_proxy= %s/128/47/0,", ra);
	} else if (!t || tunnel_is_gre(t)) {
		IPS(p1, "    local_proxy= %s/255.255.255.255/47/0,", la);
		IPS(p1, "    remote_proxy= %s/255.255.255.255/47/0,", ra);
	} else if (t->tunnel_mode == IK_TUN_IPSEC_IPV6) {
		IPS(p1, "    local_proxy= ::/0/0/0,");
		IPS(p1, "    remote_proxy= ::/0/0/0,");
	} else {
		IPS(p1, "    local_proxy= 0.0.0.0/0.0.0.0/0/0,");
		IPS(p1, "    remote_proxy= 0.0.0.0/0.0.0.0/0/0,");
	}
	IPS(p1, "    protocol= ESP, transform= NONE  (Tunnel),");
	IPS(p1, "    lifedur= 0s and 0kb,");
	IPS(p1, "    spi= 0x0(0), conn_id= 0, keysize= 128, flags= 0x0");
	/* P4 as IOS traces it: the map database checks the ISAKMP profile of the
	 * entry before its proxies, twice, then a last time before giving up
	 * (p4_fail). */
	prof_bad = t && t->protection->isakmp_profile &&
		   (!p1->profile || strcmp(p1->profile->name, t->protection->isakmp_profile->name));
	for (int k = 0; t && k < (prof_bad ? 2 : 1); k++) {
		if (prof_bad)
			IPS(p1, "map_db_check_isakmp_profile profile did not match");
		IPS(p1, "Crypto mapdb : proxy_match");
		IPS(p1, "\tsrc addr     : %s", la);
		IPS(p1, "\tdst addr     : %s", ra);
		IPS(p1, "\tprotocol     : %u", tunnel_is_gre(t) ? 47 : 0);
		IPS(p1, "\tsrc port     : 0");
		IPS(p1, "\tdst port     : 0");
	}
	/* The proxy identities must be the tunnel's. */
	if (t && idci) {
		wi = make_proxy(t, &p1->remote.ip, want_i);
		wr = make_proxy(t, &p1->local.ip, want_r);
		if (!id_is(idci, want_i, wi) || !id_is(idcr, want_r, wr))
			t = NULL;
	}
	if (cmap_rc != 1)
		ik_v1_cmap_trace_walk(p1, q);
	if (cmap_rc == 0 && q->cmap->isakmp_profile &&
	    (!p1->profile || strcmp(p1->profile->name, q->cmap->isakmp_profile->name))) {
		p4_fail(p1, q, sa, false);
		qm_failure(p1, "P4: %s names ISAKMP profile %s; phase 1 matched %s",
			   q->ipsec->name, q->cmap->isakmp_profile->name,
			   p1->profile ? p1->profile->name : "no profile");
		goto out;
	}
	if (cmap_rc == -1) {
		p4_fail(p1, q, sa, false);
		qm_failure(p1, "NO_PROPOSAL_CHOSEN: the proxy identities match no entry of the "
			   "crypto map of this interface for this peer");
		goto out;
	}
	/* P4: the IPsec profile selected by the proxy identities names another
	 * ISAKMP profile than the one phase 1 matched. */
	if (!t && cmap_rc) {
		p4_fail(p1, q, sa, false);
		qm_failure(p1, "NO_PROPOSAL_CHOSEN: the proxy identities match no protected "
			   "tunnel to this peer");
		goto out;
	}
	if (prof_bad) {
		p4_fail(p1, q, sa, true);
		qm_failure(p1, "P4: the IPsec profile %s of %s names ISAKMP profile %s; phase 1 "
			   "matched %s", t->protection->name, t->name,
			   t->protection->isakmp_profile->name,
			   p1->profile ? p1->profile->name : "no profile");
		goto out;
	}
	if (!chosen) {
		qm_failure(p1, "NO_PROPOSAL_CHOSEN: no transform set of %s%s matches "
			   "an offered proposal", t ? "IPsec profile " : "", q->ipsec->name);
		DBG(p1, "ISAKMP:(%u): phase 2 SA policy not acceptable! (local %s remote %s)",
		    p1->conn_id, la, ra);
		ik_v1_send_notify(p1, IK_V1_N_NO_PROPOSAL_CHOSEN, IK_V1_PROTO_ESP,
				  sa->np && sa->p[0].spi_size == 4 ? sa->p[0].spi : zero, 4, NULL,
					0);
		e->st.p2_failed++;
		goto out;
	}
	DBG(p1, "ISAKMP:(%u): processing NONCE payload. message ID = %u", p1->conn_id, q->msgid);
	if (no->body_len < IK_V1_MIN_NONCE || no->body_len > IK_V1_MAX_NONCE) {
		DBG(p1, "ISAKMP:(%u): NONCE payload at offset %zu: length %zu not in %u..%u",
		    p1->conn_id, no->off, no->body_len, IK_V1_MIN_NONCE, IK_V1_MAX_NONCE);
		goto out;
	}
	if (ik_v1_nonce_set(e, &q->ni, &q->ni_len, no->body, no->body_len))
		goto out;
	if (ke) {
		unsigned g = (unsigned)offer.group;
		char why[128] = "";

		DBG(p1, "ISAKMP:(%u): processing KE payload. message ID = %u", p1->conn_id,
		    q->msgid);
		if (!g || !ik_dh_supported(g) || ke->body_len != ik_dh_public_len(g) ||
		    make_pfs(p1, q, g)) {
			DBG(p1, "ISAKMP:(%u): KE payload at offset %zu: %zu bytes, group %u not "
			    "usable", p1->conn_id, ke->off, ke->body_len, g);
			goto out;
		}
		q->gxy = ik_dh_derive(q->dh, ke->body, ke->body_len, why, sizeof(why));
		if (!q->gxy) {
			DBG(p1, "ISAKMP:(%u): invalid KE payload: %s", p1->conn_id, why);
			goto out;
		}
	}
	if (idci) {
		DBG(p1, "ISAKMP:(%u): processing ID payload. message ID = %u", p1->conn_id,
		    q->msgid);
		DBG(p1, "ISAKMP:(%u): processing ID payload. message ID = %u", p1->conn_id,
		    q->msgid);
	}
	q->spi_out = ik_get32(chosen->spi);
	q->spi_in = new_spi(e);
	DBG(p1, "ISAKMP:(%u):QM Responder gets spi", p1->conn_id);
	qm_state(p1, q, "IKE_MESG_FROM_PEER, IKE_QM_EXCH", IKE_QM_SPI_STARVE);
	qm_state(p1, q, "IKE_MESG_INTERNAL, IKE_GOT_SPI", IKE_QM_IPSEC_INSTALL_AWAIT);
	if (ik_v1_nonce_set(e, &q->nr, &q->nr_len, NULL, IK_V1_NONCE_LEN))
		goto out;
	fill_child(p1, q, ts, &offer);
	if (keymat(p1, q))
		goto out;

	/* <-- HDR*, HASH(2), SA, Nr [, KE ] [, IDci, IDcr ] */
	ik_v1_b_init(b, p1->cky_i, p1->cky_r, IK_V1_EXCH_QM, 0, q->msgid);
	hoff = ik_v1_b_open(b, IK_V1_PL_HASH);
	ik_v1_b_put(b, zero, hl);
	ik_v1_b_close(b, hoff);
	size_t sa_off = ik_v1_b_open(b, IK_V1_PL_SA);
	ik_v1_b_put32(b, 1);
	ik_v1_b_put32(b, 1);
	size_t p_off = b->len;
	uint8_t spi[4];
	ik_put32(spi, q->spi_in);
	ik_v1_b_put8(b, 0);
	ik_v1_b_put8(b, 0);
	ik_v1_b_put16(b, 0);
	ik_v1_b_put8(b, chosen->num);
	ik_v1_b_put8(b, IK_V1_PROTO_ESP);
	ik_v1_b_put8(b, 4);
	ik_v1_b_put8(b, 1);
	ik_v1_b_put(b, spi, 4);
	{
		const struct ik_v1_transform *ct = &chosen->t[0];
		const uint8_t *base = sapl->p - sapl->off;

		for (size_t k = 0; k < chosen->nt; k++) {
			struct esp_offer o2;

			read_offer(p1, &chosen->t[k], &o2, false);
			if (offer_matches(p1, &o2, t, ts)) {
				ct = &chosen->t[k];
				break;
			}
		}
		size_t t_off = b->len;
		ik_v1_b_put(b, base + ct->off, ik_get16(base + ct->off + 2));
		if (!b->overflow)
			b->buf[t_off] = 0;
	}
	if (!b->overflow)
		ik_put16(b->buf + p_off + 2, (uint16_t)(b->len - p_off));
	ik_v1_b_close(b, sa_off);
	ik_v1_b_payload(b, IK_V1_PL_NONCE, q->nr, q->nr_len);
	if (q->dh) {
		size_t pl;
		const uint8_t *pub = ik_dh_public(q->dh, &pl);

		ik_v1_b_payload(b, IK_V1_PL_KE, pub, pl);
	}
	if (idci) {
		ik_v1_b_payload(b, IK_V1_PL_ID, idci->body, idci->body_len);
		ik_v1_b_payload(b, IK_V1_PL_ID, idcr->body, idcr->body_len);
	}
	if (b->overflow || fill_hash(p1, q, b, hoff, q->ni, q->ni_len))
		goto out;
	if (qm_send(p1, q, b, true))
		goto out;
	qm_state(p1, q, "IKE_MESG_INTERNAL, IKE_GOT_SPI", IKE_QM_R_QM2);
	rc = 0;
out:
	ik_v1_sa_free(sa);
	free(b);
	return rc;
}

/* ---- initiator: QM2 -> QM3 ---- */

/* A completed Quick Mode stays known this long, so that a retransmitted QM2
 * (our QM3 was lost) is answered by resending QM3, and a late duplicate QM3
 * is recognised: at least as long as the peer may retransmit. */
static uint64_t qm_linger_ms(const struct ik_engine *e)
{
	uint64_t w = ik_core_retrans_window_ms(e) + 30000;

	return w > IK_V1_QM_LINGER_MS ? w : IK_V1_QM_LINGER_MS;
}

int ik_v1_qm_i2(struct ik_p1 *p1, struct ik_qm *q, const struct ik_v1_msg *m)
{
	struct ik_engine *e = p1->e;
	struct ik_v1_sa *sa = NULL;
	const struct ik_v1_pl *no = ik_v1_find(m, IK_V1_PL_NONCE);
	const struct ik_v1_pl *ke = ik_v1_find(m, IK_V1_PL_KE);
	const struct ik_transform_set *ts = NULL;
	struct esp_offer offer;
	struct ik_v1_builder *b = malloc(sizeof(*b));
	char err[200], ra[IK_ADDR_ANYSTRLEN];
	uint8_t pre[1 + IK_V1_MAX_NONCE * 2];
	size_t hl = ik_hash_len(p1->hash), hoff;
	int rc = -1;

	if (!b)
		goto out;
	if (verify_hash(p1, q, m, q->ni, q->ni_len))
		goto out;
	DBG(p1, "ISAKMP:(%u): processing SA payload. message ID = %u", p1->conn_id, q->msgid);
	if (ik_v1_parse_sa(ik_v1_find(m, IK_V1_PL_SA), &sa, err, sizeof(err)) || sa->np != 1 ||
	    sa->p[0].nt != 1 || sa->p[0].proto != IK_V1_PROTO_ESP || sa->p[0].spi_size != 4 ||
	    sa->p[0].num < 1 || sa->p[0].num > q->ipsec->ntsets) {
		DBG(p1, "ISAKMP:(%u): the responder's SA is not one proposal of ours: %s",
		    p1->conn_id, sa ? "bad proposal" : err);
		ik_msg(e->log, IK_LOG_WARNING, "%%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from %s "
		       "failed its sanity check or is malformed",
		       ik_addr_fmt_ios(&p1->remote.ip, ra));
		goto out;
	}
	ts = q->ipsec->tsets[sa->p[0].num - 1];
	DBG(p1, "ISAKMP:(%u):Checking IPsec proposal %u", p1->conn_id, sa->p[0].num);
	read_offer(p1, &sa->p[0].t[0], &offer, true);
	if (!offer_matches(p1, &offer, q->tunnel, ts) || offer.group != q->pfs_group) {
		DBG(p1, "ISAKMP:(%u):atts are not acceptable.", p1->conn_id);
		goto out;
	}
	DBG(p1, "ISAKMP:(%u):atts are acceptable.", p1->conn_id);
	DBG(p1, "ISAKMP:(%u): processing NONCE payload. message ID = %u", p1->conn_id, q->msgid);
	if (no->body_len < IK_V1_MIN_NONCE || no->body_len > IK_V1_MAX_NONCE)
		goto out;
	if (ik_v1_nonce_set(p1->e, &q->nr, &q->nr_len, no->body, no->body_len))
		goto out;
	if (q->pfs_group) {
		char why[128] = "";

		if (!ke || ke->body_len != ik_dh_public_len(q->pfs_group)) {
			DBG(p1, "ISAKMP:(%u): PFS: KE payload missing or of the wrong size",
			    p1->conn_id);
			goto out;
		}
		DBG(p1, "ISAKMP:(%u): processing KE payload. message ID = %u", p1->conn_id,
		    q->msgid);
		q->gxy = ik_dh_derive(q->dh, ke->body, ke->body_len, why, sizeof(why));
		if (!q->gxy) {
			DBG(p1, "ISAKMP:(%u): invalid KE payload: %s", p1->conn_id, why);
			goto out;
		}
	}
	if (ik_v1_find(m, IK_V1_PL_ID)) {
		DBG(p1, "ISAKMP:(%u): processing ID payload. message ID = %u", p1->conn_id,
		    q->msgid);
		DBG(p1, "ISAKMP:(%u): processing ID payload. message ID = %u", p1->conn_id,
		    q->msgid);
	}
	q->spi_out = ik_get32(sa->p[0].spi);
	fill_child(p1, q, ts, &offer);
	if (keymat(p1, q))
		goto out;
	/* HDR*, HASH(3) --> : prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b) */
	ik_v1_b_init(b, p1->cky_i, p1->cky_r, IK_V1_EXCH_QM, 0, q->msgid);
	hoff = ik_v1_b_open(b, IK_V1_PL_HASH);
	pre[0] = 0;
	ik_v1_b_put(b, pre, hl);
	ik_v1_b_close(b, hoff);
	memcpy(pre + 1, q->ni, q->ni_len);
	memcpy(pre + 1 + q->ni_len, q->nr, q->nr_len);
	if (ik_v1_hash_msgid(p1, pre, 1, q->msgid, pre + 1, q->ni_len + q->nr_len, NULL, 0,
			     b->buf + hoff + 4))
		goto out;
	if (qm_send(p1, q, b, false))
		goto out;
	qm_state(p1, q, "IKE_MESG_FROM_PEER, IKE_QM_EXCH", IKE_QM_PHASE2_COMPLETE);
	ik_v1_qm_done(q, ik_core_now(e) + qm_linger_ms(e));
	install(p1, q);
	rc = 0;
out:
	ik_v1_sa_free(sa);
	free(b);
	return rc;
}

/* ---- responder: QM3 ---- */

int ik_v1_qm_r3(struct ik_p1 *p1, struct ik_qm *q, const struct ik_v1_msg *m)
{
	const struct ik_v1_pl *h = &m->pl[0];
	uint8_t pre[1 + IK_V1_MAX_NONCE * 2], calc[64];
	size_t hl = ik_hash_len(p1->hash);
	char ra[IK_ADDR_ANYSTRLEN];

	DBG(p1, "ISAKMP:(%u): processing HASH payload. message ID = %u", p1->conn_id, q->msgid);
	pre[0] = 0;
	memcpy(pre + 1, q->ni, q->ni_len);
	memcpy(pre + 1 + q->ni_len, q->nr, q->nr_len);
	if (ik_v1_hash_msgid(p1, pre, 1, q->msgid, pre + 1, q->ni_len + q->nr_len, NULL, 0, calc))
		return -1;
	if (!ik_hash_equal(h->body, h->body_len, calc, hl) && !IK_MUTANT(IK_MUT_QM_HASH3)) {
		DBG(p1, "ISAKMP:(%u): phase 2 hash from %s does not match", p1->conn_id,
		    ik_addr_fmt_ios(&p1->remote.ip, ra));
		ik_msg(p1->e->log, IK_LOG_WARNING, "%%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from "
		       "%s failed its sanity check or is malformed", ra);
		return -1;
	}
	ik_v1_p1_authenticated(p1);
	DBG(p1, "ISAKMP:(%u):deleting node %u error FALSE reason \"QM done (await)\"",
	    p1->conn_id, q->msgid);
	qm_state(p1, q, "IKE_MESG_FROM_PEER, IKE_QM_EXCH", IKE_QM_PHASE2_COMPLETE);
	ik_v1_xmit_clear(&q->x);
	ik_v1_qm_done(q, ik_core_now(p1->e) + qm_linger_ms(p1->e));
	install(p1, q);
	return 0;
}
