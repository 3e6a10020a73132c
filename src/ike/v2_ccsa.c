/* IKEv2 CREATE_CHILD_SA (RFC 7296 1.3, 2.8, 2.17, 2.18): rekeying a child SA
 * (REKEY_SA, new SPIs, PFS with `set pfs groupN`: KE payloads), an
 * additional child, and rekeying the IKE SA (new SPIs, SKEYSEED from the old
 * SK_d, the children move to the new SA).
 *
 * Both sides start rekeys on their own timers, so both may rekey the same SA
 * at once (RFC 7296 2.8.1). Each side answers the other's request and
 * completes its own; then the SA made by the exchange that used the lowest
 * of the four nonces is redundant and is deleted by the side that started
 * that exchange, and the side whose exchange survived deletes the SA both
 * replaced. The replaced child goes only once its successor is installed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/v2_int.h"
#include "ike/v2_more.h"
#include "util/addr.h"
#include "util/util.h"

static const uint8_t zero8[8];

/* ---- helpers ---- */

static struct ik_v2_builder *builder(void)
{
	return malloc(sizeof(struct ik_v2_builder));
}

static int nonce_new(struct ik_v2_ike_sa *s, uint8_t **n, size_t *len)
{
	ik_v2_wipe_free(n, len);
	*n = malloc(IK_V2_NONCE_LEN);
	if (!*n)
		return -1;
	ik_core_rand(s->e, *n, IK_V2_NONCE_LEN);
	*len = IK_V2_NONCE_LEN;
	return 0;
}

static struct ik_dh *dh_new(struct ik_v2_ike_sa *s, unsigned group)
{
	size_t rl = ik_dh_rand_len(group);
	uint8_t *r;
	struct ik_dh *dh;

	if (!ik_v2_dh_supported((uint16_t)group) || rl == 0)
		return NULL;
	r = malloc(rl);
	if (!r)
		return NULL;
	ik_core_rand(s->e, r, rl);
	dh = ik_dh_new(group, r, rl);
	ik_wipe(r, rl);
	free(r);
	return dh;
}

static void add_ke(struct ik_v2_builder *b, const struct ik_dh *dh, uint16_t group)
{
	size_t len;
	const uint8_t *pub = ik_dh_public(dh, &len);

	ik_v2_b_ke(b, group, pub, len);
}

/* The child offer of a CREATE_CHILD_SA request (for tunnel t, or the crypto
 * map entry in x->cr), then Ni and, with PFS, KEi. -1 (logged, with what is
 * not done) when one cannot be made. */
static int offer_nonce_ke(struct ik_v2_ike_sa *s, struct ik_v2_ccsa_x *x,
			  const struct ik_interface *t, struct ik_v2_builder *b, const char *what)
{
	if (ik_v2_esp_offer(s, t, &x->cr, b) || nonce_new(s, &x->ni, &x->ni_len))
		return -1;
	ik_v2_b_nonce(b, x->ni, x->ni_len);
	ik_dh_free(x->dh);
	x->dh = NULL;
	if (x->cr.pfs_group) {
		x->dh = dh_new(s, x->cr.pfs_group);
		if (!x->dh) {
			V2DBG(s, "PFS group %u cannot be used: %s", x->cr.pfs_group, what);
			return -1;
		}
		add_ke(b, x->dh, (uint16_t)x->cr.pfs_group);
	}
	return 0;
}

void ik_v2_ccsa_x_free(struct ik_v2_ccsa_x *x)
{
	if (!x)
		return;
	ik_v2_wipe_free(&x->ni, &x->ni_len);
	ik_dh_free(x->dh);
	free(x->coll_nonce);
	ik_wipe(x, sizeof(*x));
	free(x);
}

/* The record of a CREATE_CHILD_SA request of ours about to be made (NULL
 * when out of memory, or while the previous one's answer is handled). */
static struct ik_v2_ccsa_x *request_new(struct ik_v2_more *m)
{
	if (m->ccsa)
		return NULL;
	m->ccsa = calloc(1, sizeof(*m->ccsa));
	return m->ccsa;
}

/* A request that was not sent: its record (nonce, DH key) goes. */
static void request_undo(struct ik_v2_more *m)
{
	ik_v2_ccsa_x_free(m->ccsa);
	m->ccsa = NULL;
}

/* Remembers the lowest nonce of the peer's colliding exchange; false when
 * out of memory (the collision then goes unresolved, as if none). */
static bool coll_nonce_keep(struct ik_v2_ccsa_x *x, const uint8_t *n, size_t len)
{
	uint8_t *p = malloc(len);

	if (!p)
		return false;
	memcpy(p, n, len);
	free(x->coll_nonce);
	x->coll_nonce = p;
	x->coll_nonce_len = len;
	return true;
}

/* The lower of two nonces, as RFC 7296 2.8.1 compares them. */
static void nonce_min(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
		      const uint8_t **m, size_t *mlen)
{
	if (ik_v2_nonce_cmp(a, alen, b, blen) <= 0) {
		*m = a;
		*mlen = alen;
	} else {
		*m = b;
		*mlen = blen;
	}
}

/* An error response: one notify. */
static void respond_error(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx, uint16_t type,
			  const uint8_t *data, size_t len)
{
	struct ik_v2_builder *b = builder();
	size_t sk_off;

	V2DBG(s, "Sending %s in the CREATE_CHILD_SA response", ik_v2_notify_name(type));
	if (!b)
		return;
	ik_v2_msg_begin(s, b, IK_V2_EXCH_CREATE_CHILD_SA, true, rx->m.hdr.msgid, &sk_off);
	ik_v2_b_notify(b, 0, NULL, 0, type, data, len);
	ik_v2_send_response(s, b, sk_off);
	free(b);
}

/* The first error notify of a response, or 0. */
static uint16_t error_notify(const struct ik_v2_rx *rx)
{
	for (size_t i = 0; i < rx->m.npl; i++) {
		struct ik_v2_notify n;
		char err[200];

		if (rx->m.pl[i].type == IK_V2_PL_N &&
		    ik_v2_parse_notify(&rx->m.pl[i], &n, err, sizeof(err)) == 0 &&
		    n.type <= IK_V2_N_ERROR_MAX)
			return n.type;
	}
	return 0;
}

static int get_nonce(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx, const uint8_t **n,
		     size_t *len)
{
	const struct ik_pl *pl = ik_v2_find(&rx->m, IK_V2_PL_NONCE);
	char err[200];

	if (!pl || ik_v2_parse_nonce(pl, n, len, err, sizeof(err))) {
		V2DBG(s, "CREATE_CHILD_SA without a valid nonce%s%s", pl ? ": " : "",
		      pl ? err : "");
		return -1;
	}
	return 0;
}

/* g^ir from the peer's KE for our dh: NULL when absent, of another group or
 * invalid (traced; *bad_group set when the group differs). */
static struct ik_secret *get_gir(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx,
				 struct ik_dh *dh, uint16_t group, bool *bad_group)
{
	const struct ik_pl *pl = ik_v2_find(&rx->m, IK_V2_PL_KE);
	struct ik_v2_ke ke;
	struct ik_secret *gir;
	char err[200];

	*bad_group = false;
	if (!pl || ik_v2_parse_ke(pl, &ke, err, sizeof(err))) {
		V2DBG(s, "CREATE_CHILD_SA without a valid KE payload (group %u expected)", group);
		return NULL;
	}
	if (ke.group != group) {
		V2DBG(s, "KE payload of group %u, group %u expected", ke.group, group);
		*bad_group = true;
		return NULL;
	}
	if (ik_v2_ke_check(&ke, err, sizeof(err))) {
		V2DBG(s, "KE payload refused: %s", err);
		return NULL;
	}
	gir = ik_dh_derive(dh, ke.data, ke.len, err, sizeof(err));
	if (!gir)
		V2DBG(s, "KE payload refused: %s", err);
	return gir;
}

static const struct ik_interface *child_tunnel(struct ik_v2_ike_sa *s, const struct ik_child *c)
{
	const struct ik_interface *t = NULL;

	if (c->sa.ifname[0])
		t = ik_config_find_iface(s->cfg, c->sa.ifname);
	if (!t)
		t = ik_v2_tunnel_for(s);
	return t && t->protection ? t : NULL;
}

static void move_children(struct ik_v2_ike_sa *s, unsigned from_conn, unsigned to_conn)
{
	struct ik_engine *e = s->e;

	for (struct ik_child *c = ik_core_child_first_addr_ip(e, &s->remote.ip); c;
	     c = ik_core_child_next_addr(e, c))
		if (c->version == 2 && c->p1_conn_id == from_conn)
			c->p1_conn_id = to_conn;
}

/* A child made on an IKE SA that a rekey has replaced meanwhile belongs to
 * the replacement (the old SA is about to go, and its children with it). */
static void follow_successor(struct ik_v2_ike_sa *s)
{
	struct ik_v2_ike_sa *n;

	const struct ik_v2_more *m = ik_v2_more_peek(s), *nm;

	if (!m || !m->rekeyed)
		return;
	n = ik_v2_sa_find_peer(s->e, &s->local.ip, &s->remote.ip);
	if (n && n != s && !((nm = ik_v2_more_peek(n)) && nm->rekeyed))
		move_children(s, s->conn_id, n->conn_id);
}

void ik_v2_ccsa_abort(struct ik_v2_ike_sa *s)
{
	struct ik_v2_more *m = ik_v2_more_peek(s);
	struct ik_child *c;

	if (!m || !m->ccsa)
		return;
	if (m->x == IK_V2_X_CHILD_REKEY && m->ccsa->cr.rekey_of &&
	    (c = ik_core_child_find(s->e, m->ccsa->cr.rekey_of)))
		c->rekeying = false;
	request_undo(m);
}

/* ---- child SA rekey ---- */

void ik_v2_child_rekey(struct ik_engine *e, struct ik_child *c, uint64_t now)
{
	struct ik_v2_ike_sa *s = e->v2 ? ik_v2_sa_find_peer(e, &c->local.ip, &c->remote.ip) :
		NULL;
	struct ik_v2_more *m;
	unsigned *q;

	(void)now;
	c->rekeying = true;
	ik_timer_cancel(&e->timers, &c->t_soft);
	ik_dbg(e->log, IK_DBG_IPSEC, "IPSEC(sa_request): , rekey of conn id %u (soft lifetime)",
	       c->sa.id);
	if (!s || s->state != IKEV2_READY || !(m = ik_v2_more_get(s)))
		return;
	for (unsigned i = 0; i < m->nrekey; i++)
		if (m->rekey_id[i] == c->sa.id)
			return;
	q = ik_v2_more_grow(m->rekey_id, &m->rekey_cap, m->nrekey, sizeof(*q),
			    IK_V2_MORE_REKEY_MAX);
	if (!q) {
		V2DBG(s, "rekey queue %s: IPsec SA [SPI: 0x%X] lives to its hard lifetime",
		      m->nrekey == IK_V2_MORE_REKEY_MAX ? "full" : "out of memory", c->sa.in.spi);
		return;
	}
	m->rekey_id = q;
	m->rekey_id[m->nrekey++] = c->sa.id;
	ik_v2_more_run(s);
}

int ik_v2_ccsa_send_child_rekey(struct ik_v2_ike_sa *s, unsigned child_id)
{
	struct ik_engine *e = s->e;
	struct ik_v2_more *m = ik_v2_more_get(s);
	struct ik_child *c = ik_core_child_find(e, child_id);
	const struct ik_interface *t;
	struct ik_v2_builder *b = NULL;
	struct ik_v2_ccsa_x *x;
	uint8_t spi[4];
	size_t sk_off;

	if (!m || !c || c->version != 2 || c->p1_conn_id != s->conn_id || !(x = request_new(m)))
		return -1;
	if (c->sa.cmap) {
		/* a crypto map child: the same selectors, the entry's settings now */
		t = NULL;
		x->cr.cmap = ik_v2_cmap_entry_in(s->cfg, c->sa.cmap);
		x->cr.cmap_ace = c->sa.reqid & 0xff;
		ik_v2_cmap_child_proxy(c, &x->cr.proxy);
		x->cr.pkt.proto = 255;
		if (!x->cr.cmap) {
			V2DBG(s, "IPsec SA [SPI: 0x%X] has no crypto map entry any more: not "
			      "rekeyed", c->sa.in.spi);
			goto fail;
		}
		x->cr.pfs_group = x->cr.cmap->pfs_group;
	} else {
		t = child_tunnel(s, c);
		if (!t) {
			V2DBG(s, "IPsec SA [SPI: 0x%X] has no protected tunnel any more: not "
			      "rekeyed", c->sa.in.spi);
			goto fail;
		}
		x->cr.pfs_group = t->protection->pfs_group;
	}
	b = builder();
	if (!b)
		goto fail;
	x->cr.exch_initiator = true;
	ik_v2_msg_begin(s, b, IK_V2_EXCH_CREATE_CHILD_SA, false, UINT32_MAX, &sk_off);
	ik_put32(spi, c->sa.in.spi);
	ik_v2_b_notify(b, IK_V2_PROTO_ESP, spi, 4, IK_V2_N_REKEY_SA, NULL, 0);
	if (offer_nonce_ke(s, x, t, b, "rekey not sent"))
		goto fail;
	x->cr.rekey_of = child_id;
	V2DBG(s, "Sending rekey request for IPsec SA [SPI: 0x%X]", c->sa.in.spi);
	if (ik_v2_send_request(s, b, sk_off))
		goto fail;
	free(b);
	m->x = IK_V2_X_CHILD_REKEY;
	c->rekeying = true;
	return 0;
fail:
	free(b);
	request_undo(m);
	return -1;
}

int ik_v2_ccsa_send_child_new(struct ik_v2_ike_sa *s, const struct ik_v2_new_child *nc)
{
	struct ik_v2_more *m = ik_v2_more_get(s);
	struct ik_v2_builder *b;
	struct ik_v2_ccsa_x *x;
	size_t sk_off;

	if (!m || !nc->cmap || !(x = request_new(m)))
		return -1;
	b = builder();
	if (!b)
		goto fail;
	x->cr.exch_initiator = true;
	x->cr.pfs_group = nc->cmap->pfs_group;
	x->cr.cmap = nc->cmap;
	x->cr.cmap_ace = nc->ace;
	x->cr.proxy = nc->proxy;
	x->cr.pkt = nc->pkt;
	ik_v2_msg_begin(s, b, IK_V2_EXCH_CREATE_CHILD_SA, false, UINT32_MAX, &sk_off);
	if (offer_nonce_ke(s, x, NULL, b, "no child SA requested"))
		goto fail;
	V2DBG(s, "Sending CREATE_CHILD_SA request for crypto map %s %u", nc->cmap->map->name,
	      nc->cmap->seq);
	if (ik_v2_send_request(s, b, sk_off))
		goto fail;
	free(b);
	m->x = IK_V2_X_CHILD_NEW;
	return 0;
fail:
	free(b);
	request_undo(m);
	return -1;
}

/* A rekey that did not happen: the old child is tried again a little later
 * (before its hard lifetime ends it). */
static void retry_later(struct ik_engine *e, struct ik_child *c)
{
	uint64_t now = ik_core_now(e), at = now + IK_V2_REKEY_RETRY_MS;

	c->rekeying = false;
	if (!ik_timer_armed(&c->t_hard) || at < c->t_hard.at)
		ik_core_timer_set(e, &c->t_soft, at);
}

/* Our child rekey is answered. */
static void child_rekey_done(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx)
{
	struct ik_engine *e = s->e;
	struct ik_v2_ccsa_x *x = ik_v2_more_peek(s)->ccsa;
	struct ik_v2_child_req cr = x->cr;
	struct ik_child *old = x->cr.rekey_of ? ik_core_child_find(e, x->cr.rekey_of) : NULL, *nc;
	struct ik_secret *gir = NULL;
	const uint8_t *nr, *low;
	size_t nr_len, low_len;
	uint16_t err = error_notify(rx);
	bool bad;

	if (err) {
		if (!cr.rekey_of)
			ik_v2_fail(s, "the peer refused the IPsec SA for crypto map %s %u: %s",
				   cr.cmap ? cr.cmap->map->name : "?", cr.cmap ? cr.cmap->seq : 0,
				   ik_v2_notify_name(err));
		else
			V2DBG(s, "The peer refused the rekey of IPsec SA: %s",
			      ik_v2_notify_name(err));
		goto fail;
	}
	if (get_nonce(s, rx, &nr, &nr_len))
		goto fail;
	if (cr.pfs_group && !(gir = get_gir(s, rx, x->dh, (uint16_t)cr.pfs_group, &bad)))
		goto fail;
	if (ik_v2_esp_accept(s, rx, &cr))
		goto fail;
	cr.rekey_of = 0;
	if (ik_v2_child_install(s, &cr, x->ni, x->ni_len, nr, nr_len, gir)) {
		V2DBG(s, "The %s IPsec SA could not be installed", x->cr.rekey_of ? "rekeyed" :
		      "new");
		goto fail;
	}
	ik_secret_free(gir);
	if (x->cr.rekey_of)
		e->v2->st.child_rekeys++;
	nc = ik_v2_child_by_out_spi(s, cr.spi_out);
	nonce_min(x->ni, x->ni_len, nr, nr_len, &low, &low_len);
	if (x->cr.rekey_of && x->coll_child && x->coll_old == x->cr.rekey_of) {
		/* both rekeyed it (RFC 7296 2.8.1) */
		e->v2->st.rekey_collisions++;
		if (ik_v2_nonce_cmp(low, low_len, x->coll_nonce, x->coll_nonce_len) < 0) {
			V2DBG(s, "Simultaneous rekey: ours used the lowest nonce, deleting our "
			      "redundant IPsec SA [SPI: 0x%X]", cr.spi_in);
			if (nc)
				ik_core_child_remove(e, nc, true, "redundant rekey");
			old = NULL; /* the peer's exchange survived: the peer deletes it */
		} else {
			V2DBG(s, "Simultaneous rekey: the peer's exchange used the lowest nonce; "
			      "ours survives");
		}
	}
	if (old) {
		V2DBG(s, "Rekey of IPsec SA [SPI: 0x%X] done, deleting the old one",
		      old->sa.in.spi);
		ik_core_child_remove(e, old, true, "rekeyed");
	}
	x->cr.rekey_of = 0;
	ik_v2_ccsa_abort(s);
	follow_successor(s);
	return;
fail:
	ik_secret_free(gir);
	if (old)
		retry_later(e, old);
	x->cr.rekey_of = 0;
	ik_v2_ccsa_abort(s);
}

/* Child SAs with the SA's peer (its address: bounded by the per-peer cap). */
static unsigned children_of_peer(struct ik_v2_ike_sa *s)
{
	unsigned n = 0;

	for (struct ik_child *c = ik_core_child_first_addr_ip(s->e, &s->remote.ip); c;
	     c = ik_core_child_next_addr(s->e, c))
		n++;
	return n;
}

/* The peer's request for a child (a rekey when it carries REKEY_SA). */
static void child_request(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx)
{
	struct ik_engine *e = s->e;
	struct ik_v2_more *m = ik_v2_more_peek(s);
	const struct ik_pl *rk = ik_v2_find_notify(&rx->m, IK_V2_N_REKEY_SA);
	struct ik_child *old = NULL, *nc;
	struct ik_v2_child_req cr;
	struct ik_v2_builder *b = NULL;
	struct ik_secret *gir = NULL;
	struct ik_dh *dh = NULL;
	uint8_t *nr = NULL, grp[2];
	size_t nr_len = 0, sk_off;
	const uint8_t *ni, *low;
	size_t ni_len, low_len;
	char err[200];
	bool bad;
	int rc;

	if (rk) {
		struct ik_v2_notify n;

		if (ik_v2_parse_notify(rk, &n, err, sizeof(err)) || n.proto != IK_V2_PROTO_ESP ||
		    n.spi_size != 4) {
			V2DBG(s, "REKEY_SA notify not of an ESP SA: refused");
			respond_error(s, rx, IK_V2_N_INVALID_SYNTAX, NULL, 0);
			return;
		}
		old = ik_v2_child_by_out_spi(s, ik_get32(n.spi));
		V2DBG(s, "Received child rekey request for IPsec SA [SPI: 0x%X]", ik_get32(n.spi));
		if (!old) {
			V2DBG(s, "No IPsec SA with SPI 0x%X: CHILD_SA_NOT_FOUND", ik_get32(n.spi));
			b = builder();
			if (b) {
				ik_v2_msg_begin(s, b, IK_V2_EXCH_CREATE_CHILD_SA, true,
						rx->m.hdr.msgid, &sk_off);
				ik_v2_b_notify(b, IK_V2_PROTO_ESP, n.spi, 4,
					       IK_V2_N_CHILD_SA_NOT_FOUND, NULL, 0);
				ik_v2_send_response(s, b, sk_off);
				free(b);
			}
			return;
		}
	}
	if (get_nonce(s, rx, &ni, &ni_len)) {
		respond_error(s, rx, IK_V2_N_INVALID_SYNTAX, NULL, 0);
		return;
	}
	if (!old && children_of_peer(s) >= IK_CORE_PEER_MAX_CHILD) {
		/* an authenticated peer still may not pile up child SAs */
		V2DBG(s, "%u child SAs with this peer already: NO_ADDITIONAL_SAS",
		      IK_CORE_PEER_MAX_CHILD);
		respond_error(s, rx, IK_V2_N_NO_ADDITIONAL_SAS, NULL, 0);
		return;
	}
	b = builder();
	if (!b)
		return;
	memset(&cr, 0, sizeof(cr));
	cr.exch_initiator = false;
	ik_v2_msg_begin(s, b, IK_V2_EXCH_CREATE_CHILD_SA, true, rx->m.hdr.msgid, &sk_off);
	rc = ik_v2_esp_choose(s, rx, &cr, b);
	if (rc) {
		respond_error(s, rx, (uint16_t)rc, NULL, 0);
		goto out;
	}
	if (cr.pfs_group) {
		dh = dh_new(s, cr.pfs_group);
		if (!dh) {
			respond_error(s, rx, IK_V2_N_NO_PROPOSAL_CHOSEN, NULL, 0);
			goto out;
		}
		gir = get_gir(s, rx, dh, (uint16_t)cr.pfs_group, &bad);
		if (!gir) {
			ik_put16(grp, (uint16_t)cr.pfs_group);
			if (bad)
				respond_error(s, rx, IK_V2_N_INVALID_KE_PAYLOAD, grp, 2);
			else
				respond_error(s, rx, IK_V2_N_INVALID_SYNTAX, NULL, 0);
			goto out;
		}
	}
	if (nonce_new(s, &nr, &nr_len))
		goto out;
	ik_v2_b_nonce(b, nr, nr_len);
	if (dh)
		add_ke(b, dh, (uint16_t)cr.pfs_group);
	cr.rekey_of = 0;
	if (ik_v2_child_install(s, &cr, ni, ni_len, nr, nr_len, gir)) {
		respond_error(s, rx, IK_V2_N_NO_ADDITIONAL_SAS, NULL, 0);
		goto out;
	}
	if (ik_v2_send_response(s, b, sk_off))
		goto out;
	nc = ik_v2_child_by_out_spi(s, cr.spi_out);
	if (old)
		e->v2->st.child_rekeys++;
	follow_successor(s);
	/* our own rekey of the same child under way: a collision */
	if (old && nc && m && m->x == IK_V2_X_CHILD_REKEY && m->ccsa &&
	    m->ccsa->cr.rekey_of == old->sa.id) {
		V2DBG(s, "Simultaneous rekey of IPsec SA [SPI: 0x%X] detected", old->sa.in.spi);
		nonce_min(ni, ni_len, nr, nr_len, &low, &low_len);
		if (coll_nonce_keep(m->ccsa, low, low_len)) {
			m->ccsa->coll_child = nc->sa.id;
			m->ccsa->coll_old = old->sa.id;
		}
	}
out:
	free(b);
	ik_secret_free(gir);
	ik_dh_free(dh);
	ik_v2_wipe_free(&nr, &nr_len);
}

/* ---- IKE SA rekey ---- */

/* Live IKEv2 SAs with the SA's peer: its address pair and port in its fVRF,
 * as IKEv1 counts its cap (peers behind one NAT address are counted apart),
 * through the peer index. */
static unsigned ike_sas_of_peer(struct ik_v2_ike_sa *s)
{
	unsigned n = 0;

	for (struct ik_hlink *l = ik_core_sa_first_peer(s->e, s->fvrf, &s->local, &s->remote);
	     l; l = ik_htab_next(l)) {
		struct ik_ike_sa *sa = ik_container_of(l, struct ik_ike_sa, by_peer);

		if (!sa->dead && sa->version == 2 && ik_addr_eq(&sa->remote.ip, &s->remote.ip) &&
		    sa->remote.port == s->remote.port && ik_addr_eq(&sa->local.ip, &s->local.ip) &&
		    ((!sa->fvrf && !s->fvrf) || (sa->fvrf && s->fvrf && !strcmp(sa->fvrf, s->fvrf))))
			n++;
	}
	return n;
}

/* The live SA whose initiator SPI is spi_i, made by this side, or NULL. */
static struct ik_v2_ike_sa *find_spi_i(struct ik_engine *e, const uint8_t spi_i[8])
{
	for (struct ik_hlink *l = ik_core_sa_first_spi(e, spi_i); l; l = ik_htab_next(l)) {
		struct ik_ike_sa *sa = ik_container_of(l, struct ik_ike_sa, by_spi);

		if (!sa->dead && sa->version == 2 && !memcmp(sa->spi_i, spi_i, 8))
			return (struct ik_v2_ike_sa *)sa;
	}
	return NULL;
}

/* The proposal of our suite (one transform of each type). */
static size_t suite_transforms(const struct ik_v2_suite *su, struct ik_v2_transform t[4])
{
	size_t n = 0;

	memset(t, 0, 4 * sizeof(t[0]));
	t[n].type = IK_V2_TT_ENCR;
	t[n].id = su->encr;
	t[n++].keylen = su->keylen;
	t[n].type = IK_V2_TT_PRF;
	t[n++].id = su->prf;
	if (su->integ != IK_V2_INTEG_NONE) {
		t[n].type = IK_V2_TT_INTEG;
		t[n++].id = su->integ;
	}
	t[n].type = IK_V2_TT_DH;
	t[n++].id = su->dh;
	return n;
}

static bool prop_has(const struct ik_v2_proposal *p, uint8_t type, uint16_t id, uint16_t kl)
{
	const struct ik_v2_transform *t;

	for (size_t i = 0; (t = ik_v2_prop_find(p, type, i)); i++)
		if (t->id == id && t->keylen == kl && !t->unknown_attr)
			return true;
	return false;
}

/* Whether the proposal offers the suite of the SA being rekeyed. */
static bool prop_offers(const struct ik_v2_proposal *p, const struct ik_v2_suite *su)
{
	return p->proto == IK_V2_PROTO_IKE && p->spi_size == 8 &&
		prop_has(p, IK_V2_TT_ENCR, su->encr, su->keylen) &&
		prop_has(p, IK_V2_TT_PRF, su->prf, 0) &&
		(su->integ == IK_V2_INTEG_NONE ? !ik_v2_prop_find(p, IK_V2_TT_INTEG, 0) :
		 prop_has(p, IK_V2_TT_INTEG, su->integ, 0)) &&
		prop_has(p, IK_V2_TT_DH, su->dh, 0);
}

/* A new IKE SA replacing s (RFC 7296 2.18): its SPIs, keys from the old
 * SK_d, the old SA's configuration, session and peer. */
static struct ik_v2_ike_sa *ike_successor(struct ik_v2_ike_sa *s, struct ik_v2_ike_sa *ns,
					  const struct ik_secret *gir, const uint8_t *ni,
					  size_t ni_len, const uint8_t *nr, size_t nr_len)
{
	struct ik_engine *e = s->e;
	const struct ik_v2_up *ou = ik_v2_up_ro(s);
	struct ik_v2_up *nu;
	char err[200];

	if (ik_v2_derive_rekey(&s->suite, s->suite.prf, s->up->keys.sk_d, gir, ni, ni_len, nr,
			       nr_len, ns->spi_i, ns->spi_r, &ik_v2_up(ns)->keys)) {
		V2DBG(s, "Key derivation of the new IKE SA failed");
		return NULL;
	}
	(void)err;
	ns->have_keys = true;
	ns->suite = s->suite;
	ns->dh_group = s->suite.dh;
	if (ns->cfg != s->cfg) {
		ik_core_cfg_release(e, ns->cfg);
		ns->cfg = ik_core_cfg_hold(e, s->cfg);
	}
	nu = ik_v2_up(ns);
	nu->tunnel = ou->tunnel;
	nu->policy = ou->policy;
	nu->profile = ou->profile;
	nu->psk = ou->psk;
	ns->nat_self = s->nat_self;
	ns->nat_peer = s->nat_peer;
	ns->peer_frag = s->peer_frag;
	nu->peer_id_type = ou->peer_id_type;
	nu->peer_id = ou->peer_id;
	if (ou->peer_id_value) {
		nu->peer_id_value = strdup(ou->peer_id_value);
		nu->peer_id.value = nu->peer_id_value;
	}
	nu->session_id = ik_v2_session_id(s);
	ns->conn_id = e->next_conn_id++;
	ik_v2_sa_established(ns);
	return ns;
}

int ik_v2_ccsa_send_ike_rekey(struct ik_v2_ike_sa *s)
{
	struct ik_engine *e = s->e;
	struct ik_v2_more *m = ik_v2_more_get(s);
	struct ik_v2_transform t[4];
	struct ik_v2_proposal p;
	struct ik_v2_ike_sa *ns;
	struct ik_v2_builder *b;
	struct ik_v2_ccsa_x *x;
	size_t sk_off;

	if (!m || !s->have_keys || m->rekeyed || !(x = request_new(m)))
		return -1;
	/* the new SA exists (not yet usable) so that its SPI is ours alone; a
	 * rekey that fails leaves it to time out as a half-open SA does */
	ns = ik_v2_sa_new(e, true, &s->local, &s->remote, s->fvrf);
	if (!ns) {
		request_undo(m);
		return -1;
	}
	b = builder();
	if (!b)
		goto fail;
	memset(&p, 0, sizeof(p));
	p.num = 1;
	p.proto = IK_V2_PROTO_IKE;
	p.spi_size = 8;
	memcpy(p.spi, ns->spi_i, 8);
	p.nt = suite_transforms(&s->suite, t);
	p.ntrans = (uint8_t)p.nt;
	p.t = t;
	ik_v2_msg_begin(s, b, IK_V2_EXCH_CREATE_CHILD_SA, false, UINT32_MAX, &sk_off);
	ik_v2_b_sa(b, &p, 1);
	if (nonce_new(s, &x->ni, &x->ni_len))
		goto fail;
	ik_v2_b_nonce(b, x->ni, x->ni_len);
	x->dh = dh_new(s, s->suite.dh);
	if (!x->dh)
		goto fail;
	add_ke(b, x->dh, s->suite.dh);
	V2DBG(s, "Sending IKE SA rekey request (new SPI %08X%08X)", ik_get32(ns->spi_i),
	      ik_get32(ns->spi_i + 4));
	if (ik_v2_send_request(s, b, sk_off))
		goto fail;
	free(b);
	memcpy(x->new_spi, ns->spi_i, 8);
	x->new_suite = s->suite;
	m->x = IK_V2_X_IKE_REKEY;
	return 0;
fail:
	free(b);
	request_undo(m);
	ik_v2_sa_delete(ns, "IKE SA rekey not sent", false);
	return -1;
}

/* The old SA's work is done: the side whose exchange survived deletes it. */
static void retire_old(struct ik_v2_ike_sa *s)
{
	struct ik_v2_more *m = ik_v2_more_peek(s);

	m->rekeyed = true;
	if (s->live) {
		ik_timer_cancel(&s->e->timers, &s->live->t_rekey);
		ik_timer_cancel(&s->e->timers, &s->live->t_dpd);
	}
}

static void ike_rekey_done(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx)
{
	struct ik_engine *e = s->e;
	struct ik_v2_ccsa_x *x = ik_v2_more_peek(s)->ccsa;
	struct ik_v2_ike_sa *ns = find_spi_i(e, x->new_spi), *other;
	const struct ik_pl *sapl = ik_v2_find(&rx->m, IK_V2_PL_SA);
	struct ik_v2_sa *sa = NULL;
	struct ik_v2_suite su;
	struct ik_secret *gir = NULL;
	const uint8_t *nr, *low;
	size_t nr_len, low_len;
	uint16_t err = error_notify(rx);
	char why[200];
	bool bad;

	if (!ns) {
		V2DBG(s, "IKE SA rekey answered, but the new SA is gone");
		goto out;
	}
	if (err) {
		V2DBG(s, "The peer refused the IKE SA rekey: %s", ik_v2_notify_name(err));
		goto fail;
	}
	if (!sapl || ik_v2_parse_sa(sapl, &sa, why, sizeof(why)) || sa->np != 1 ||
	    !prop_offers(&sa->p[0], &x->new_suite) ||
	    ik_v2_prop_suite(&sa->p[0], &su, why, sizeof(why))) {
		V2DBG(s, "IKE SA rekey: the answer's SA payload is not the proposal sent");
		goto fail;
	}
	if (!memcmp(sa->p[0].spi, zero8, 8)) {
		V2DBG(s, "IKE SA rekey: the answer has no responder SPI");
		goto fail;
	}
	if (get_nonce(s, rx, &nr, &nr_len) ||
	    !(gir = get_gir(s, rx, x->dh, x->new_suite.dh, &bad)))
		goto fail;
	memcpy(ns->spi_r, sa->p[0].spi, 8);
	if (!ike_successor(s, ns, gir, x->ni, x->ni_len, nr, nr_len))
		goto fail;
	e->v2->st.ike_rekeys++;
	nonce_min(x->ni, x->ni_len, nr, nr_len, &low, &low_len);
	retire_old(s);
	if (x->coll_ike) {
		e->v2->st.rekey_collisions++;
		other = ik_v2_sa_find(e, x->coll_spi_i, x->coll_spi_r);
		if (ik_v2_nonce_cmp(low, low_len, x->coll_nonce, x->coll_nonce_len) < 0 &&
		    other) {
			V2DBG(s, "Simultaneous IKE SA rekey: ours used the lowest nonce, deleting "
			      "our redundant IKE SA");
			ik_v2_sa_delete(ns, "redundant IKE SA rekey", true);
			/* the children go to the peer's SA; the peer deletes the old one */
			move_children(s, s->conn_id, other->conn_id);
			goto out;
		}
		V2DBG(s, "Simultaneous IKE SA rekey: ours survives");
		if (other)
			move_children(s, other->conn_id, ns->conn_id);
	}
	move_children(s, s->conn_id, ns->conn_id);
	V2DBG(s, "IKE SA rekeyed (new SA ID %u): deleting the old IKE SA", ns->sa_id);
	ik_v2_sa_delete(s, "IKE SA rekeyed", true);
	goto out;
fail:
	ik_v2_sa_delete(ns, "IKE SA rekey failed", false);
	ik_core_timer_set(e, &ik_core_sa_live(&s->sa)->t_rekey,
			  ik_core_now(e) + IK_V2_REKEY_RETRY_MS);
out:
	ik_v2_sa_free(sa);
	ik_secret_free(gir);
	ik_v2_ccsa_abort(s);
}

static void ike_rekey_request(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx,
			      const struct ik_v2_sa *sa)
{
	struct ik_engine *e = s->e;
	struct ik_v2_more *m = ik_v2_more_get(s);
	const struct ik_v2_proposal *p = NULL;
	struct ik_v2_transform t[4];
	struct ik_v2_proposal ans;
	struct ik_v2_ike_sa *ns = NULL;
	struct ik_v2_builder *b = NULL;
	struct ik_secret *gir = NULL;
	struct ik_dh *dh = NULL;
	const uint8_t *ni, *low;
	uint8_t *nr = NULL, grp[2];
	size_t ni_len, nr_len = 0, low_len, sk_off;
	bool bad;

	V2DBG(s, "Received IKE SA rekey request");
	if (!m || m->rekeyed) {
		respond_error(s, rx, IK_V2_N_TEMPORARY_FAILURE, NULL, 0);
		return;
	}
	if (ike_sas_of_peer(s) >= IK_CORE_PEER_MAX_IKE) {
		/* replaced SAs the peer never deleted: no more until they go */
		V2DBG(s, "%u IKE SAs with this peer already: TEMPORARY_FAILURE",
		      IK_CORE_PEER_MAX_IKE);
		respond_error(s, rx, IK_V2_N_TEMPORARY_FAILURE, NULL, 0);
		return;
	}
	for (size_t i = 0; i < sa->np && !p; i++)
		if (prop_offers(&sa->p[i], &s->suite) && memcmp(sa->p[i].spi, zero8, 8))
			p = &sa->p[i];
	if (!p) {
		V2DBG(s, "IKE SA rekey: no proposal offers this SA's algorithms (%s, %s)",
		      ik_v2_encr_name(s->suite.encr, s->suite.keylen),
		      ik_v2_prf_name(s->suite.prf));
		respond_error(s, rx, IK_V2_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	if (get_nonce(s, rx, &ni, &ni_len)) {
		respond_error(s, rx, IK_V2_N_INVALID_SYNTAX, NULL, 0);
		return;
	}
	dh = dh_new(s, s->suite.dh);
	if (!dh)
		return;
	gir = get_gir(s, rx, dh, s->suite.dh, &bad);
	if (!gir) {
		ik_put16(grp, s->suite.dh);
		if (bad)
			respond_error(s, rx, IK_V2_N_INVALID_KE_PAYLOAD, grp, 2);
		else
			respond_error(s, rx, IK_V2_N_INVALID_SYNTAX, NULL, 0);
		goto out;
	}
	if (nonce_new(s, &nr, &nr_len))
		goto out;
	ns = ik_v2_sa_new(e, false, &s->local, &s->remote, s->fvrf);
	if (!ns)
		goto out;
	memcpy(ns->spi_i, p->spi, 8);
	ik_core_sa_index_spi(&ns->sa);
	if (!ike_successor(s, ns, gir, ni, ni_len, nr, nr_len)) {
		ik_v2_sa_delete(ns, "IKE SA rekey failed", false);
		respond_error(s, rx, IK_V2_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		goto out;
	}
	b = builder();
	if (!b)
		goto out;
	ans = *p;
	ans.num = p->num;
	memcpy(ans.spi, ns->spi_r, 8);
	ans.nt = suite_transforms(&s->suite, t);
	ans.ntrans = (uint8_t)ans.nt;
	ans.t = t;
	ik_v2_msg_begin(s, b, IK_V2_EXCH_CREATE_CHILD_SA, true, rx->m.hdr.msgid, &sk_off);
	ik_v2_b_sa(b, &ans, 1);
	ik_v2_b_nonce(b, nr, nr_len);
	add_ke(b, dh, s->suite.dh);
	if (ik_v2_send_response(s, b, sk_off)) {
		ik_v2_sa_delete(ns, "IKE SA rekey answer not sent", false);
		goto out;
	}
	e->v2->st.ike_rekeys++;
	V2DBG(s, "IKE SA rekeyed by the peer (new SA ID %u); the peer deletes this one",
	      ns->sa_id);
	if (m->x == IK_V2_X_IKE_REKEY && m->ccsa) {
		V2DBG(s, "Simultaneous IKE SA rekey detected");
		nonce_min(ni, ni_len, nr, nr_len, &low, &low_len);
		if (coll_nonce_keep(m->ccsa, low, low_len)) {
			m->ccsa->coll_ike = true;
			memcpy(m->ccsa->coll_spi_i, ns->spi_i, 8);
			memcpy(m->ccsa->coll_spi_r, ns->spi_r, 8);
		}
		/* the children follow whichever SA survives: decided when ours is answered */
	} else {
		move_children(s, s->conn_id, ns->conn_id);
		retire_old(s);
	}
	/* the old SA goes when the peer deletes it, or at the latest when a
	 * peer's retransmissions of that DELETE would be over */
	ik_core_timer_set(e, &s->t_expire, ik_core_now(e) + ik_core_exchange_limit_ms(e));
out:
	free(b);
	ik_secret_free(gir);
	ik_dh_free(dh);
	ik_v2_wipe_free(&nr, &nr_len);
}

/* ---- dispatch ---- */

void ik_v2_ccsa_request(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx)
{
	const struct ik_pl *sapl = ik_v2_find(&rx->m, IK_V2_PL_SA);
	struct ik_v2_sa *sa = NULL;
	char err[200];

	ik_v2_up(s)->last_rx_ms = ik_core_now(s->e);
	if (!sapl || ik_v2_parse_sa(sapl, &sa, err, sizeof(err)) || sa->np == 0) {
		V2DBG(s, "CREATE_CHILD_SA request without a valid SA payload%s%s",
		      sapl ? ": " : "", sapl ? err : "");
		respond_error(s, rx, IK_V2_N_INVALID_SYNTAX, NULL, 0);
		ik_v2_sa_free(sa);
		return;
	}
	if (sa->p[0].proto == IK_V2_PROTO_IKE)
		ike_rekey_request(s, rx, sa);
	else
		child_request(s, rx);
	ik_v2_sa_free(sa);
}

void ik_v2_ccsa_response(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx)
{
	struct ik_v2_more *m = ik_v2_more_peek(s);
	enum ik_v2_xch x = m ? m->x : IK_V2_X_NONE;

	ik_v2_up(s)->last_rx_ms = ik_core_now(s->e);
	if (m)
		m->x = IK_V2_X_NONE;
	if (m && !m->ccsa)
		x = IK_V2_X_NONE;
	if (x == IK_V2_X_CHILD_REKEY || x == IK_V2_X_CHILD_NEW)
		child_rekey_done(s, rx);
	else if (x == IK_V2_X_IKE_REKEY)
		ike_rekey_done(s, rx);
	else
		V2DBG(s, "CREATE_CHILD_SA response to no request of ours: ignored");
}
