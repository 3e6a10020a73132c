/* IKE_SA_INIT (RFC 7296 1.2), both roles: the IKE proposal chosen from the
 * IKEv2 policy of the fVRF and local address (rule V2-2), KE and nonces,
 * NAT detection (2.23) and the move to UDP 4500, INVALID_KE_PAYLOAD and the
 * initiator's retry with the group asked for (1.3 and 2.7), COOKIE above
 * `crypto ikev2 cookie-challenge N` half-open SAs (2.6), NO_PROPOSAL_CHOSEN.
 *
 * The responder answers COOKIE, INVALID_KE_PAYLOAD and NO_PROPOSAL_CHOSEN
 * without keeping any state: an SA is made only for a request it accepts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/v2_cert.h"
#include "ike/v2_int.h"
#include "ike/v2_more.h"
#include "util/addr.h"
#include "util/mutant.h"
#include "util/util.h"

#define MAX_T 64
#define DBG2(e, ...) ik_dbg((e)->log, IK_DBG_IKEV2, __VA_ARGS__)

struct v2_choice {
	uint8_t num;
	struct ik_v2_transform t[4];
	size_t nt;
	struct ik_v2_suite suite;
};

/* A datagram dropped: the engine's count and show crypto ikev2 stats'. */
static void v2_dropped(struct ik_engine *e)
{
	e->st.rx_dropped++;
	ik_v2_eng(e)->st.dropped++;
}

static bool tr_eq(const struct ik_v2_transform *a, const struct ik_v2_transform *b)
{
	return a->type == b->type && a->id == b->id && a->keylen == b->keylen;
}

static bool tr_in(const struct ik_v2_transform *list, size_t n,
		  const struct ik_v2_transform *t)
{
	for (size_t i = 0; i < n; i++)
		if (tr_eq(&list[i], t))
			return true;
	return false;
}

/* IOS: a proposal without `prf` uses its integrity algorithms as PRFs. The
 * PRF transforms go after the encryption ones (IOS order). */
static size_t prf_from_integ(struct ik_v2_transform *t, size_t n)
{
	struct ik_v2_transform prf[8];
	size_t np = 0, at = n;

	for (size_t i = 0; i < n && np < 8; i++) {
		uint16_t id = 0;

		if (t[i].type != IK_V2_TT_INTEG)
			continue;
		switch (t[i].id) {
		case IK_V2_INTEG_HMAC_SHA1_96: id = IK_V2_PRF_HMAC_SHA1; break;
		case IK_V2_INTEG_HMAC_SHA2_256_128: id = IK_V2_PRF_HMAC_SHA2_256; break;
		case IK_V2_INTEG_HMAC_SHA2_384_192: id = IK_V2_PRF_HMAC_SHA2_384; break;
		case IK_V2_INTEG_HMAC_SHA2_512_256: id = IK_V2_PRF_HMAC_SHA2_512; break;
		default: continue;
		}
		prf[np++] = (struct ik_v2_transform){ .type = IK_V2_TT_PRF, .id = id };
	}
	for (size_t i = 0; i < n; i++)
		if (t[i].type != IK_V2_TT_ENCR) {
			at = i;
			break;
		}
	if (!np || n + np > MAX_T)
		return n;
	memmove(&t[at + np], &t[at], (n - at) * sizeof(*t));
	memcpy(&t[at], prf, np * sizeof(*t));
	return n + np;
}

/* The policy's proposals as transform lists (IOS order). */
static size_t policy_props(const struct ik_ikev2_policy *pol,
			   struct ik_v2_transform (*t)[MAX_T], size_t *nt, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < pol->nproposals && n < max; i++) {
		int k = ik_v2_proposal_from_conf(pol->proposals[i], t[n], MAX_T, NULL);

		if (k <= 0)
			continue;
		if (!pol->proposals[i]->nprf)
			k = (int)prf_from_integ(t[n], (size_t)k);
		nt[n++] = (size_t)k;
	}
	return n;
}

/* One transform of a type from the peer's proposal that ours lists: the
 * group of the peer's KE first (avoids an INVALID_KE round trip). */
static const struct ik_v2_transform *pick(const struct ik_v2_proposal *p, uint8_t type,
					  const struct ik_v2_transform *ours, size_t n,
					  uint16_t prefer)
{
	const struct ik_v2_transform *first = NULL;

	for (size_t i = 0; i < p->nt; i++) {
		const struct ik_v2_transform *t = &p->t[i];

		if (t->type != type || t->unknown_attr || !tr_in(ours, n, t))
			continue;
		if (prefer && t->id == prefer)
			return t;
		if (!first)
			first = t;
	}
	return first;
}

/* Responder: our proposals in order against the peer's. */
static int choose(const struct ik_ikev2_policy *pol, const struct ik_v2_sa *offer,
		  uint16_t ke_group, struct v2_choice *out)
{
	struct ik_v2_transform (*ours)[MAX_T] = malloc(sizeof(*ours) * IK_V2_MAX_PROPOSALS);
	size_t nt[IK_V2_MAX_PROPOSALS];
	size_t n;
	int rc = -1;

	if (!ours)
		return -1;
	n = policy_props(pol, ours, nt, IK_V2_MAX_PROPOSALS);
	for (size_t i = 0; i < n && rc; i++) {
		for (size_t j = 0; j < offer->np && rc; j++) {
			const struct ik_v2_proposal *p = &offer->p[j];
			const struct ik_v2_transform *e, *f, *g, *d;

			if (p->proto != IK_V2_PROTO_IKE || p->spi_size != 0)
				continue;
			e = pick(p, IK_V2_TT_ENCR, ours[i], nt[i], 0);
			f = pick(p, IK_V2_TT_PRF, ours[i], nt[i], 0);
			g = pick(p, IK_V2_TT_INTEG, ours[i], nt[i], 0);
			d = pick(p, IK_V2_TT_DH, ours[i], nt[i], ke_group);
			if (!e || !f || !d)
				continue;
			if (ik_v2_encr_is_aead(e->id))
				g = NULL;
			else if (!g)
				continue;
			memset(out, 0, sizeof(*out));
			out->num = p->num;
			out->t[out->nt++] = *e;
			out->t[out->nt++] = *f;
			if (g)
				out->t[out->nt++] = *g;
			out->t[out->nt++] = *d;
			out->suite.encr = e->id;
			out->suite.keylen = e->keylen;
			out->suite.prf = f->id;
			out->suite.integ = g ? g->id : IK_V2_INTEG_NONE;
			out->suite.dh = d->id;
			if (ik_v2_suite_unsupported(&out->suite) || !ik_v2_dh_supported(d->id))
				continue;
			rc = 0;
		}
	}
	free(ours);
	return rc;
}

static void trace_suite(struct ik_v2_ike_sa *s, const struct ik_v2_suite *su)
{
	V2DBG(s, "Negotiated proposal: Encryption %s, PRF %s, Integrity %s, DH group %u",
	      ik_v2_encr_name(su->encr, su->keylen), ik_v2_prf_name(su->prf),
	      su->integ ? ik_v2_integ_name(su->integ) : "none", su->dh);
}

/* ---- NAT detection ---- */

static int natd(const uint8_t spi_i[8], const uint8_t spi_r[8], const struct ik_endpoint *ep,
		uint8_t out[20])
{
	uint8_t a[4];

	if (ep->family != IK_AF_INET4)
		return ik_v2_natd_hash(spi_i, spi_r, ep->addr6, 16, ep->port, out);
	ik_put32(a, ep->addr);
	return ik_v2_natd_hash(spi_i, spi_r, a, 4, ep->port, out);
}

static void natd_add(struct ik_v2_builder *b, const uint8_t spi_i[8], const uint8_t spi_r[8],
		     const struct ik_endpoint *local, const struct ik_endpoint *remote)
{
	uint8_t h[20];

	if (natd(spi_i, spi_r, local, h) == 0)
		ik_v2_b_notify(b, 0, NULL, 0, IK_V2_N_NAT_DETECTION_SOURCE_IP, h, 20);
	if (natd(spi_i, spi_r, remote, h) == 0)
		ik_v2_b_notify(b, 0, NULL, 0, IK_V2_N_NAT_DETECTION_DESTINATION_IP, h, 20);
}

/* The peer's NAT-D notifies (hashed with the SPIs of the message's
 * header): a source hash none of which is the peer's address means the
 * peer is behind a NAT; a destination hash that is not ours, we are. */
static void natd_check(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx,
		       const uint8_t spi_i[8], const uint8_t spi_r[8])
{
	uint8_t want_src[20], want_dst[20];
	bool have_src = false, have_dst = false, src_ok = false, dst_ok = false;

	if (natd(spi_i, spi_r, &s->remote, want_src) || natd(spi_i, spi_r, &s->local, want_dst))
		return;
	V2DBG(s, "Checking NAT discovery");
	for (size_t i = 0; i < rx->m.npl; i++) {
		struct ik_v2_notify n;
		char err[160];

		if (rx->m.pl[i].type != IK_V2_PL_N ||
		    ik_v2_parse_notify(&rx->m.pl[i], &n, err, sizeof(err)))
			continue;
		if (n.type == IK_V2_N_NAT_DETECTION_SOURCE_IP) {
			have_src = true;
			if (ik_hash_equal(n.data, n.data_len, want_src, 20))
				src_ok = true;
		} else if (n.type == IK_V2_N_NAT_DETECTION_DESTINATION_IP) {
			have_dst = true;
			if (ik_hash_equal(n.data, n.data_len, want_dst, 20))
				dst_ok = true;
		}
	}
	if (!have_src || !have_dst) {
		V2DBG(s, "NAT detection notifies not received: no NAT assumed");
		return;
	}
	s->nat_peer = !src_ok;
	s->nat_self = !dst_ok;
	if (s->nat_peer)
		V2DBG(s, "NAT detected: the peer is behind a NAT");
	if (s->nat_self)
		V2DBG(s, "NAT detected: this end is behind a NAT");
	if (!s->nat_peer && !s->nat_self)
		V2DBG(s, "NAT not found");
}

/* ---- COOKIE (RFC 7296 2.6) ---- */

static void cookie_rotate(struct ik_engine *e, struct ik_v2_eng *v)
{
	uint64_t now = ik_core_now(e);

	if (v->cookie_have_secret && now - v->cookie_rotated_ms < IK_V2_COOKIE_ROTATE_MS)
		return;
	memcpy(v->cookie_prev, v->cookie_secret, sizeof(v->cookie_prev));
	ik_core_rand(e, v->cookie_secret, sizeof(v->cookie_secret));
	if (!v->cookie_have_secret)
		memcpy(v->cookie_prev, v->cookie_secret, sizeof(v->cookie_prev));
	v->cookie_have_secret = true;
	v->cookie_version++;
	v->cookie_rotated_ms = now;
}

/* version (4 bytes) | HMAC-SHA256(secret of that version, Ni | IPi | SPIi)[0..16) */
static int cookie_make(const uint8_t secret[32], uint32_t version, const uint8_t *ni,
		       size_t ni_len, const struct ik_endpoint *from, const uint8_t spi_i[8],
		       uint8_t out[IK_V2_COOKIE_LEN])
{
	uint8_t mac[IK_V2_PRF_MAX], ip[IK_ADDR_KEYLEN];
	struct ik_iov iov[3] = {
		{ ni, ni_len }, { ip, ik_addr_key(&from->ip, ip) }, { spi_i, 8 },
	};

	if (ik_v2_prf(IK_V2_PRF_HMAC_SHA2_256, secret, 32, iov, 3, mac))
		return -1;
	ik_put32(out, version);
	memcpy(out + 4, mac, IK_V2_COOKIE_LEN - 4);
	ik_wipe(mac, sizeof(mac));
	return 0;
}

static bool cookie_valid(struct ik_v2_eng *v, const struct ik_v2_notify *n, const uint8_t *ni,
			 size_t ni_len, const struct ik_endpoint *from, const uint8_t spi_i[8])
{
	uint8_t want[IK_V2_COOKIE_LEN];
	uint32_t ver;
	const uint8_t *secret;
	bool ok;

	if (n->data_len != IK_V2_COOKIE_LEN)
		return false;
	ver = ik_get32(n->data);
	if (ver == v->cookie_version)
		secret = v->cookie_secret;
	else if (ver + 1 == v->cookie_version)
		secret = v->cookie_prev;
	else
		return false;
	if (cookie_make(secret, ver, ni, ni_len, from, spi_i, want))
		return false;
	ok = ik_hash_equal(n->data, n->data_len, want, IK_V2_COOKIE_LEN);
	return ok;
}

/* ---- responder ---- */

static const struct ik_v2_notify *first_notify(const struct ik_v2_msg *m, uint16_t type,
					       struct ik_v2_notify *n)
{
	const struct ik_pl *pl = ik_v2_find_notify(m, type);
	char err[160];

	if (!pl || ik_v2_parse_notify(pl, n, err, sizeof(err)))
		return NULL;
	return n;
}

void ik_v2_init_request(struct ik_engine *e, const struct ik_endpoint *local,
			const struct ik_endpoint *remote, const char *fvrf,
			const struct ik_v2_rx *rx)
{
	const struct ik_v2_hdr *h = &rx->m.hdr;
	struct ik_v2_eng *v = ik_v2_eng(e);
	const struct ik_pl *pl_sa = ik_v2_find(&rx->m, IK_V2_PL_SA);
	const struct ik_pl *pl_ke = ik_v2_find(&rx->m, IK_V2_PL_KE);
	const struct ik_pl *pl_ni = ik_v2_find(&rx->m, IK_V2_PL_NONCE);
	const struct ik_ikev2_policy *pol;
	struct ik_trace tr = { e->log, 0 };
	struct ik_v2_sa *offer = NULL;
	struct ik_v2_ke ke;
	struct ik_v2_notify cn;
	struct v2_choice ch;
	const uint8_t *ni;
	size_t ni_len;
	struct ik_v2_ike_sa *s = NULL;
	struct ik_v2_builder *b = NULL;
	struct ik_secret *gir = NULL;
	struct ik_dh *dh = NULL;
	uint8_t rnd[128], nd[2], nr[IK_V2_NONCE_LEN];
	char err[200], ra[IK_ADDR_ANYSTRLEN];
	size_t nr_off = 0;
	unsigned limit;
	bool accepted = false;

	ik_addr_fmt_any(&remote->ip, ra);
	if (local->family != remote->family) {
		DBG2(e, "IKEv2:IKE_SA_INIT request from %s to an address of the other family: "
		     "dropped", ra);
		v2_dropped(e);
		return;
	}
	if (!pl_sa || !pl_ke || !pl_ni) {
		DBG2(e, "IKEv2:IKE_SA_INIT request from %s without %s payload: "
		     "dropped", ra, !pl_sa ? "SA" : !pl_ke ? "KE" : "Nonce");
		v2_dropped(e);
		return;
	}
	v->st.in_req++; /* show crypto ikev2 stats: accepted or rejected at out: */
	if (ik_v2_parse_sa(pl_sa, &offer, err, sizeof(err)) ||
	    ik_v2_parse_ke(pl_ke, &ke, err, sizeof(err)) ||
	    ik_v2_parse_nonce(pl_ni, &ni, &ni_len, err, sizeof(err))) {
		DBG2(e, "IKEv2:malformed IKE_SA_INIT request from %s: %s", ra,
		     err);
		ik_v2_send_notify_clear(e, local, remote, fvrf, h, IK_V2_N_INVALID_SYNTAX, NULL, 0);
		v2_dropped(e);
		goto out;
	}
	/* COOKIE: above the threshold of half-open IKEv2 SAs, the request must
	 * echo one made from its own Ni, source address and SPIi */
	if (e->cfg->v2_cookie_challenge && v->half_open >= e->cfg->v2_cookie_challenge) {
		cookie_rotate(e, v);
		bool have = first_notify(&rx->m, IK_V2_N_COOKIE, &cn) != NULL;

		if (!have || (!cookie_valid(v, &cn, ni, ni_len, remote, h->spi_i) &&
			      !IK_MUTANT(IK_MUT_V2_COOKIE))) {
			uint8_t ck[IK_V2_COOKIE_LEN];

			v->st.cookie_challenged++;
			if (have)
				v->st.cookie_rejected++;
			else
				v->st.cookie_missing++;
			DBG2(e, "IKEv2:%u half-open IKEv2 SAs (cookie-challenge "
			     "%u): sending COOKIE to %s", v->half_open,
			     e->cfg->v2_cookie_challenge, ra);
			if (cookie_make(v->cookie_secret, v->cookie_version, ni, ni_len, remote,
					h->spi_i, ck) == 0) {
				ik_v2_send_notify_clear(e, local, remote, fvrf, h, IK_V2_N_COOKIE,
							ck, sizeof(ck));
				v->cookies_sent++;
			}
			goto out;
		}
		v->cookies_ok++;
		v->st.cookie_accepted++;
	}
	pol = ik_v2_policy_select_ip(e->cfg, fvrf, &local->ip, &tr);
	if (!pol || choose(pol, offer, ke.group, &ch)) {
		DBG2(e, "IKEv2:Failed to find a matching proposal for %s "
		     "(policy %s)", ra, pol ? pol->name : "none");
		ik_msg(e->log, IK_LOG_NOTICE, "%%IKEV2-5-RECV_CONNECTION_REQUEST: no matching "
		       "IKEv2 proposal for %s: NO_PROPOSAL_CHOSEN", ra);
		ik_v2_send_notify_clear(e, local, remote, fvrf, h, IK_V2_N_NO_PROPOSAL_CHOSEN,
					NULL, 0);
		e->st.p1_failed++;
		goto out;
	}
	if (ke.group != ch.suite.dh) {
		DBG2(e, "IKEv2:KE payload of group %u from %s, policy %s wants group %u: "
		     "sending INVALID_KE_PAYLOAD", ke.group, ra, pol->name, ch.suite.dh);
		ik_put16(nd, ch.suite.dh);
		ik_v2_send_notify_clear(e, local, remote, fvrf, h, IK_V2_N_INVALID_KE_PAYLOAD,
					nd, 2);
		goto out;
	}
	if (ik_v2_ke_check(&ke, err, sizeof(err))) {
		DBG2(e, "IKEv2:IKE_SA_INIT from %s: %s", ra, err);
		ik_v2_send_notify_clear(e, local, remote, fvrf, h, IK_V2_N_INVALID_SYNTAX, NULL, 0);
		v2_dropped(e);
		goto out;
	}
	/* admission: crypto ikev2 limit max-in-negotiation-sa, then the core's */
	limit = e->cfg->v2_max_in_negotiation;
	if (limit && v->half_open >= limit) {
		DBG2(e, "IKEv2:%u IKEv2 SAs in negotiation (limit %u): request "
		     "from %s refused", v->half_open, limit, ra);
		ik_msg(e->log, IK_LOG_WARNING, "%%IKEV2-4-MAX_IN_NEG: in-negotiation SA limit %u "
		       "reached, IKE_SA_INIT from %s refused", limit, ra);
		e->st.half_open_refused++;
		v->st.rej_sa_limit++;
		goto out;
	}
	if (!ik_core_admit(e, local, remote, fvrf)) {
		v->st.rej_sa_limit++;
		goto out;
	}
	s = ik_v2_sa_new(e, false, local, remote, fvrf);
	if (!s)
		goto out;
	memcpy(s->spi_i, h->spi_i, 8);
	ik_core_sa_index_spi(&s->sa);
	s->suite = ch.suite;
	s->dh_group = ch.suite.dh;
	V2DBG(s, "Found Policy '%s'", pol->name);
	trace_suite(s, &ch.suite);
	if (ik_dh_rand_len(s->dh_group) > sizeof(rnd))
		goto fail;
	ik_core_rand(e, rnd, ik_dh_rand_len(s->dh_group));
	dh = ik_dh_new(s->dh_group, rnd, ik_dh_rand_len(s->dh_group));
	ik_wipe(rnd, sizeof(rnd));
	if (!dh)
		goto fail;
	gir = ik_dh_derive(dh, ke.data, ke.len, err, sizeof(err));
	if (!gir) {
		V2DBG(s, "KE payload of %s rejected: %s", ra, err);
		ik_v2_send_notify_clear(e, local, remote, fvrf, h, IK_V2_N_INVALID_SYNTAX, NULL, 0);
		goto fail;
	}
	/* Ni is kept as a view of the request, Nr of the response (below) */
	if (ni < rx->raw || ni_len > rx->raw_len || (size_t)(ni - rx->raw) > rx->raw_len - ni_len)
		goto fail;
	ik_core_rand(e, nr, sizeof(nr));
	/* SKEYSEED alone is kept: the SK_* are derived when the first encrypted
	 * message arrives (ik_v2_sa_keys), g^ir goes now */
	if (ik_v2_sa_skeyseed(s, gir, ni, ni_len, nr, sizeof(nr)))
		goto fail;
	ik_secret_free(gir);
	gir = NULL;
	s->conn_id = e->next_conn_id++;
	natd_check(s, rx, h->spi_i, (const uint8_t[8]){ 0 });
	/* RFC 7383: fragments only when both announce them */
	s->peer_frag = ik_v2_frag_local(s) &&
		ik_v2_find_notify(&rx->m, IK_V2_N_IKEV2_FRAGMENTATION_SUPPORTED);
	ik_v2_cert_note_req(s, rx);
	s->win.peer_next = 1;
	/* the response */
	b = malloc(sizeof(*b));
	if (!b)
		goto fail;
	{
		struct ik_v2_proposal p = {
			.num = ch.num, .proto = IK_V2_PROTO_IKE, .t = ch.t, .nt = ch.nt,
		};
		const uint8_t *pub;
		size_t pub_len, sk;

		ik_v2_msg_begin(s, b, IK_V2_EXCH_IKE_SA_INIT, true, 0, &sk);
		ik_v2_b_sa(b, &p, 1);
		pub = ik_dh_public(dh, &pub_len);
		ik_v2_b_ke(b, s->dh_group, pub, pub_len);
		nr_off = b->len + 4; /* the Nonce data, after the generic header */
		ik_v2_b_nonce(b, nr, sizeof(nr));
		natd_add(b, s->spi_i, s->spi_r, local, remote);
		ik_v2_cert_req_init(s, b);
		ik_v2_cert_sig_hashes(s, b);
		if (s->peer_frag)
			ik_v2_b_notify(b, 0, NULL, 0, IK_V2_N_IKEV2_FRAGMENTATION_SUPPORTED,
				       NULL, 0);
		if (ik_v2_send_response(s, b, sk) ||
		    ik_v2_keep_both(s, rx->raw, rx->raw_len, (size_t)(ni - rx->raw), ni_len,
				    b->buf, b->len, nr_off, sizeof(nr)) ||
		    memcmp(ik_v2_sa_nr(s), nr, sizeof(nr)))
			goto fail;
	}
	/* the response holds our public value: the key pair is no longer needed
	 * (the response itself is kept with the request, ik_v2_init_r) */
	ik_v2_sa_set_state(s, IKEV2_R_INIT_SENT);
	accepted = true;
	goto out;
fail:
	if (s)
		ik_v2_sa_delete(s, "IKE_SA_INIT failed", false);
out:
	if (accepted)
		v->st.in_req_accepted++;
	else
		v->st.in_req_rejected++;
	ik_wipe(nr, sizeof(nr));
	ik_secret_free(gir);
	ik_dh_free(dh);
	free(b);
	ik_v2_sa_free(offer);
}

/* ---- initiator ---- */

int ik_v2_init_start(struct ik_v2_ike_sa *s)
{
	struct ik_engine *e = s->e;
	struct ik_v2_transform (*ours)[MAX_T] = NULL;
	struct ik_v2_proposal props[IK_V2_MAX_PROPOSALS];
	size_t nt[IK_V2_MAX_PROPOSALS], n, sk, pub_len;
	struct ik_v2_builder *b = NULL;
	uint8_t rnd[128], ni[IK_V2_NONCE_LEN];
	const uint8_t *pub;
	size_t ni_off;
	int rc = -1;

	if (!ik_v2_up(s)->policy) {
		struct ik_trace tr = { e->log, s->sa_id };

		s->up->policy = ik_v2_policy_select_ip(s->cfg, s->fvrf, &s->local.ip, &tr);
		if (!s->up->policy) {
			ik_v2_fail(s, "no IKEv2 policy for local address %s",
				   ik_addr_fmt_any(&s->local.ip, (char[IK_ADDR_ANYSTRLEN]){ 0 }));
			return -1;
		}
	}
	ours = malloc(sizeof(*ours) * IK_V2_MAX_PROPOSALS);
	b = malloc(sizeof(*b));
	if (!ours || !b)
		goto out;
	n = policy_props(s->up->policy, ours, nt, IK_V2_MAX_PROPOSALS);
	for (size_t i = 0; i < n; i++) {
		props[i] = (struct ik_v2_proposal){
			.num = (uint8_t)(i + 1), .proto = IK_V2_PROTO_IKE, .t = ours[i],
			.nt = nt[i],
		};
		if (!s->dh_group)
			for (size_t k = 0; k < nt[i] && !s->dh_group; k++)
				if (ours[i][k].type == IK_V2_TT_DH &&
				    ik_v2_dh_supported(ours[i][k].id))
					s->dh_group = ours[i][k].id;
	}
	if (!n || !s->dh_group) {
		ik_v2_fail(s, "IKEv2 policy %s has no proposal this ikerd can negotiate",
			   s->up->policy->name);
		goto out;
	}
	ik_dh_free(ik_v2_up(s)->dh);
	ik_core_rand(e, rnd, ik_dh_rand_len(s->dh_group));
	s->up->dh = ik_dh_new(s->dh_group, rnd, ik_dh_rand_len(s->dh_group));
	ik_wipe(rnd, sizeof(rnd));
	if (!s->up->dh)
		goto out;
	/* a retry (COOKIE, INVALID_KE_PAYLOAD) sends the same Ni again */
	if (ik_v2_sa_ni(s) && s->ni_len == sizeof(ni))
		memcpy(ni, ik_v2_sa_ni(s), sizeof(ni));
	else
		ik_core_rand(e, ni, sizeof(ni));
	V2DBG(s, "Found Policy '%s'", s->up->policy->name);
	V2DBG(s, "Generating IKE_SA_INIT message (DH group %u)", s->dh_group);
	ik_v2_msg_begin(s, b, IK_V2_EXCH_IKE_SA_INIT, false, 0, &sk);
	if (s->up && s->up->cookie)
		ik_v2_b_notify(b, 0, NULL, 0, IK_V2_N_COOKIE, s->up->cookie, s->up->cookie_len);
	ik_v2_b_sa(b, props, n);
	pub = ik_dh_public(s->up->dh, &pub_len);
	ik_v2_b_ke(b, s->dh_group, pub, pub_len);
	ni_off = b->len + 4; /* the Nonce data, after the generic header */
	ik_v2_b_nonce(b, ni, sizeof(ni));
	natd_add(b, s->spi_i, s->spi_r, &s->local, &s->remote);
	ik_v2_cert_sig_hashes(s, b);
	if (ik_v2_frag_local(s))
		ik_v2_b_notify(b, 0, NULL, 0, IK_V2_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	s->up->rq.req_pending = false; /* a retry replaces the request (message id 0) */
	s->up->rq.next_msgid = 0;
	if (ik_v2_send_request(s, b, sk))
		goto out;
	if (ik_v2_keep_request(s, ni_off, sizeof(ni)) || memcmp(ik_v2_sa_ni(s), ni, sizeof(ni)))
		goto out;
	if (s->state != IKEV2_I_INIT_SENT) /* not a COOKIE or INVALID_KE retry */
		ik_v2_eng(s->e)->st.out_req++;
	ik_v2_sa_set_state(s, IKEV2_I_INIT_SENT);
	rc = 0;
out:
	ik_wipe(ni, sizeof(ni));
	free(ours);
	free(b);
	return rc;
}

/* Whether the responder's choice is one of our proposals, transform for
 * transform. */
static bool answer_offered(const struct ik_v2_ike_sa *s, const struct ik_v2_proposal *p)
{
	struct ik_v2_transform (*ours)[MAX_T] = malloc(sizeof(*ours) * IK_V2_MAX_PROPOSALS);
	size_t nt[IK_V2_MAX_PROPOSALS], n;
	bool ok = false;

	if (!ours)
		return false;
	n = policy_props(s->up->policy, ours, nt, IK_V2_MAX_PROPOSALS);
	if (p->num >= 1 && p->num <= n) {
		ok = true;
		for (size_t k = 0; k < p->nt && ok; k++)
			ok = tr_in(ours[p->num - 1], nt[p->num - 1], &p->t[k]);
	}
	free(ours);
	return ok;
}

int ik_v2_init_response(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx)
{
	struct ik_engine *e = s->e;
	const struct ik_v2_hdr *h = &rx->m.hdr;
	struct ik_v2_notify n;
	const struct ik_pl *pl_sa, *pl_ke, *pl_nr;
	struct ik_v2_sa *ans = NULL;
	struct ik_v2_ke ke;
	struct ik_secret *gir = NULL;
	const uint8_t *nr;
	size_t nr_len;
	char err[200];
	int rc = -1;

	if (first_notify(&rx->m, IK_V2_N_COOKIE, &n)) {
		if (n.data_len < 1 || n.data_len > 64 ||
		    ik_v2_up(s)->cookie_retries >= IK_V2_COOKIE_RETRIES) {
			ik_v2_fail(s, "COOKIE from the responder not followed (%zu bytes, "
				   "%u tries)", n.data_len, s->up->cookie_retries);
			ik_v2_sa_delete(s, "COOKIE refused", false);
			return -1;
		}
		s->up->cookie_retries++;
		V2DBG(s, "Received COOKIE: sending IKE_SA_INIT again with it");
		if (ik_v2_copy(&s->up->cookie, &s->up->cookie_len, n.data, n.data_len) ||
		    ik_v2_init_start(s)) {
			ik_v2_sa_delete(s, "IKE_SA_INIT retry failed", false);
			return -1;
		}
		return 0;
	}
	if (first_notify(&rx->m, IK_V2_N_INVALID_KE_PAYLOAD, &n)) {
		uint16_t g = n.data_len == 2 ? ik_get16(n.data) : 0;
		bool offered = false;
		struct ik_v2_transform (*ours)[MAX_T] = malloc(sizeof(*ours) * IK_V2_MAX_PROPOSALS);
		size_t nt[IK_V2_MAX_PROPOSALS], np = 0;

		if (ours)
			np = policy_props(s->up->policy, ours, nt, IK_V2_MAX_PROPOSALS);
		for (size_t i = 0; i < np; i++)
			for (size_t k = 0; k < nt[i]; k++)
				if (ours[i][k].type == IK_V2_TT_DH && ours[i][k].id == g)
					offered = true;
		free(ours);
		if (!offered || g == s->dh_group || ik_v2_up(s)->ke_retries >= IK_V2_KE_RETRIES) {
			ik_v2_fail(s, "INVALID_KE_PAYLOAD asks for DH group %u, %s", g,
				   !offered ? "which we did not offer" : "retries exhausted");
			ik_v2_sa_delete(s, "INVALID_KE_PAYLOAD", false);
			return -1;
		}
		s->up->ke_retries++;
		V2DBG(s, "Received INVALID_KE_PAYLOAD: the peer wants DH group %u (we sent %u)", g,
		      s->dh_group);
		s->dh_group = g;
		if (ik_v2_init_start(s)) {
			ik_v2_sa_delete(s, "IKE_SA_INIT retry failed", false);
			return -1;
		}
		return 0;
	}
	if (first_notify(&rx->m, IK_V2_N_NO_PROPOSAL_CHOSEN, &n)) {
		ik_v2_fail(s, "the peer %s answered NO_PROPOSAL_CHOSEN to IKE_SA_INIT (policy %s)",
			   ik_addr_fmt_any(&s->remote.ip, (char[IK_ADDR_ANYSTRLEN]){ 0 }),
			   s->up->policy->name);
		ik_v2_eng(s->e)->st.out_req_rejected++;
		ik_v2_sa_delete(s, "NO_PROPOSAL_CHOSEN", false);
		return -1;
	}
	pl_sa = ik_v2_find(&rx->m, IK_V2_PL_SA);
	pl_ke = ik_v2_find(&rx->m, IK_V2_PL_KE);
	pl_nr = ik_v2_find(&rx->m, IK_V2_PL_NONCE);
	if (!pl_sa || !pl_ke || !pl_nr || !memcmp(h->spi_r, "\0\0\0\0\0\0\0\0", 8)) {
		V2DBG(s, "IKE_SA_INIT response without SA, KE, Nonce or SPIr: dropped");
		return -1;
	}
	if (ik_v2_parse_sa(pl_sa, &ans, err, sizeof(err)) ||
	    ik_v2_parse_ke(pl_ke, &ke, err, sizeof(err)) ||
	    ik_v2_parse_nonce(pl_nr, &nr, &nr_len, err, sizeof(err))) {
		V2DBG(s, "malformed IKE_SA_INIT response: %s", err);
		goto out;
	}
	if (ans->np != 1 || ans->p[0].proto != IK_V2_PROTO_IKE ||
	    ik_v2_prop_suite(&ans->p[0], &s->suite, err, sizeof(err)) ||
	    !answer_offered(s, &ans->p[0]) || ik_v2_suite_unsupported(&s->suite)) {
		ik_v2_fail(s, "the responder chose a proposal we did not offer");
		ik_v2_sa_delete(s, "bad proposal", false);
		goto out;
	}
	if (ke.group != s->dh_group || s->suite.dh != s->dh_group ||
	    ik_v2_ke_check(&ke, err, sizeof(err))) {
		ik_v2_fail(s, "KE payload of the responder: group %u (ours %u) %s", ke.group,
			   s->dh_group, err);
		ik_v2_sa_delete(s, "bad KE", false);
		goto out;
	}
	gir = ik_dh_derive(ik_v2_up(s)->dh, ke.data, ke.len, err, sizeof(err));
	if (!gir) {
		ik_v2_fail(s, "KE payload of the responder rejected: %s", err);
		ik_v2_sa_delete(s, "bad KE", false);
		goto out;
	}
	/* the response is ours: the window is free, SPIr known */
	s->up->rq.req_pending = false;
	ik_timer_cancel(&e->timers, &s->up->rq.t_xmit);
	memcpy(s->spi_r, h->spi_r, 8);
	trace_suite(s, &s->suite);
	if (nr < rx->raw || nr_len > rx->raw_len ||
	    (size_t)(nr - rx->raw) > rx->raw_len - nr_len ||
	    ik_v2_keep_response(s, rx->raw, rx->raw_len, (size_t)(nr - rx->raw), nr_len) ||
	    ik_v2_sa_skeyseed(s, gir, ik_v2_sa_ni(s), s->ni_len, ik_v2_sa_nr(s), s->nr_len) ||
	    !ik_v2_sa_keys(s)) {
		ik_v2_sa_delete(s, "key derivation failed", false);
		goto out;
	}
	s->conn_id = e->next_conn_id++;
	natd_check(s, rx, s->spi_i, s->spi_r);
	s->peer_frag = ik_v2_frag_local(s) &&
		ik_v2_find_notify(&rx->m, IK_V2_N_IKEV2_FRAGMENTATION_SUPPORTED);
	ik_v2_cert_note_req(s, rx);
	if (s->nat_self || s->nat_peer)
		ik_v2_sa_float(s);
	ik_v2_eng(e)->st.out_req_accepted++;
	rc = ik_v2_auth_start(s);
	if (rc)
		ik_v2_sa_delete(s, "IKE_AUTH could not start", false);
out:
	ik_secret_free(gir);
	ik_v2_sa_free(ans);
	return rc;
}
