/* Child SAs of IKEv2 (RFC 7296 1.2, 2.9, 2.17, 3.3): the ESP proposals of a
 * tunnel's IPsec profile (one per transform set), traffic selectors (the
 * GRE endpoints with protocol 47 for `tunnel mode gre ip`, any/any for
 * `tunnel mode ipsec ipv4`), the responder's narrowing (2.9: the
 * intersection of what the peer proposes and what the tunnel allows, or
 * TS_UNACCEPTABLE), KEYMAT and the install through the host into the core's
 * child table. Used by IKE_AUTH and by CREATE_CHILD_SA. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/v2_int.h"
#include "profile/snapshot.h"
#include "util/addr.h"
#include "util/util.h"

enum { V2_ENCR_DES = 2, V2_INTEG_HMAC_MD5_96 = 1 };

/* The transforms of a transform set (ENCR, INTEG unless AEAD, D-H when
 * pfs is not 0, ESN none): at most TS_MAX. */
#define TS_MAX 4
static size_t tset_transforms(const struct ik_transform_set *ts, unsigned pfs,
			      struct ik_v2_transform *t)
{
	size_t n = 0;

	memset(t, 0, TS_MAX * sizeof(*t));
	t[n].type = IK_V2_TT_ENCR;
	switch (ts->enc) {
	case IK_ESP_AES:
		t[n].id = IK_V2_ENCR_AES_CBC;
		t[n].keylen = (uint16_t)(ts->keylen ? ts->keylen : 128);
		break;
	case IK_ESP_GCM:
		t[n].id = IK_V2_ENCR_AES_GCM_16;
		t[n].keylen = (uint16_t)(ts->keylen ? ts->keylen : 128);
		break;
	case IK_ESP_3DES:
		t[n].id = IK_V2_ENCR_3DES;
		break;
	default:
		return 0; /* DES and null: not offered over IKEv2 */
	}
	n++;
	if (ts->enc != IK_ESP_GCM) {
		t[n].type = IK_V2_TT_INTEG;
		switch (ts->auth) {
		case IK_ESP_MD5: t[n].id = V2_INTEG_HMAC_MD5_96; break;
		case IK_ESP_SHA1: t[n].id = IK_V2_INTEG_HMAC_SHA1_96; break;
		case IK_ESP_SHA256: t[n].id = IK_V2_INTEG_HMAC_SHA2_256_128; break;
		case IK_ESP_SHA384: t[n].id = IK_V2_INTEG_HMAC_SHA2_384_192; break;
		case IK_ESP_SHA512: t[n].id = IK_V2_INTEG_HMAC_SHA2_512_256; break;
		default: return 0;
		}
		n++;
	}
	if (pfs) {
		t[n].type = IK_V2_TT_DH;
		t[n].id = (uint16_t)pfs;
		n++;
	}
	t[n].type = IK_V2_TT_ESN;
	t[n].id = 0;
	return n + 1;
}

/* Whether the peer's ESP proposal can carry transform set ts: its ENCR
 * (and INTEG) among the peer's, and no ESN or "no ESN" offered. */
static bool prop_carries(const struct ik_v2_proposal *p, const struct ik_transform_set *ts)
{
	struct ik_v2_transform want[TS_MAX];
	size_t n = tset_transforms(ts, 0, want);
	bool esn_seen = false, no_esn = false;

	if (!n || p->proto != IK_V2_PROTO_ESP || p->spi_size != 4)
		return false;
	for (size_t i = 0; i < p->nt; i++) {
		if (p->t[i].type == IK_V2_TT_ESN) {
			esn_seen = true;
			if (p->t[i].id == 0)
				no_esn = true;
		}
		if (p->t[i].type == IK_V2_TT_INTEG && ts->enc == IK_ESP_GCM && p->t[i].id != 0)
			return false;
	}
	if (esn_seen && !no_esn)
		return false;
	for (size_t k = 0; k + 1 < n; k++) {
		bool found = false;

		for (size_t i = 0; i < p->nt && !found; i++)
			found = p->t[i].type == want[k].type && p->t[i].id == want[k].id &&
				p->t[i].keylen == want[k].keylen && !p->t[i].unknown_attr;
		if (!found)
			return false;
	}
	return true;
}

/* ---- traffic selectors ---- */

/* A selector address (network order, 4 or 16 bytes) as an address. */
static struct ik_addr ts_addr(const uint8_t *b, uint8_t alen)
{
	struct ik_addr a;

	memset(&a, 0, sizeof(a));
	if (alen == 16) {
		a.family = IK_AF_INET6;
		memcpy(a.v6, b, 16);
	} else {
		a.v4 = ik_get32(b);
	}
	return a;
}

static void ts_put(uint8_t *b, const struct ik_addr *a)
{
	if (a->family == IK_AF_INET6)
		memcpy(b, a->v6, 16);
	else
		ik_put32(b, a->v4);
}

/* The range lo..hi (one family), all ports. */
static void ts_set(struct ik_v2_ts *t, const struct ik_addr *lo, const struct ik_addr *hi,
		   uint8_t proto)
{
	memset(t, 0, sizeof(*t));
	t->type = lo->family == IK_AF_INET6 ? IK_V2_TS_IPV6_ADDR_RANGE :
		IK_V2_TS_IPV4_ADDR_RANGE;
	t->proto = proto;
	t->sport = 0;
	t->eport = 65535;
	t->alen = lo->family == IK_AF_INET6 ? 16 : 4;
	ts_put(t->start, lo);
	ts_put(t->end, hi);
}

/* GRE over IPv4 or IPv6: the one kind of tunnel that can use transport mode. */
static bool ts_gre(const struct ik_interface *t)
{
	return t->tunnel_mode == IK_TUN_GRE_IP || t->tunnel_mode == IK_TUN_GRE_IPV6;
}

/* What the tunnel allows on one side (ep: that side's endpoint): every
 * address of the family the tunnel carries for 'tunnel mode ipsec ipv4/ipv6',
 * GRE (proto 47) to or from the endpoint else. */
static void ts_want(const struct ik_interface *t, const struct ik_addr *ep,
		    struct ik_v2_ts *out)
{
	struct ik_addr lo, hi;

	memset(&lo, 0, sizeof(lo));
	if (t->tunnel_mode == IK_TUN_IPSEC_IPV4 || t->tunnel_mode == IK_TUN_IPSEC_IPV6) {
		if (t->tunnel_mode == IK_TUN_IPSEC_IPV6)
			lo.family = IK_AF_INET6;
		hi = ik_prefix_last(&lo, 0);
		ts_set(out, &lo, &hi, 0);
	} else {
		ts_set(out, ep, ep, 47);
	}
}

/* a and b intersected into out; false when empty or of two families. The
 * addresses are big-endian, so memcmp orders them. */
static bool ts_inter(const struct ik_v2_ts *a, const struct ik_v2_ts *b, struct ik_v2_ts *out)
{
	const uint8_t *lo, *hi;
	uint16_t sp, ep;
	uint8_t proto;

	if (a->type != b->type || (a->type != IK_V2_TS_IPV4_ADDR_RANGE &&
				   a->type != IK_V2_TS_IPV6_ADDR_RANGE) || a->alen != b->alen)
		return false;
	if (a->proto && b->proto && a->proto != b->proto)
		return false;
	proto = a->proto ? a->proto : b->proto;
	lo = memcmp(a->start, b->start, a->alen) > 0 ? a->start : b->start;
	hi = memcmp(a->end, b->end, a->alen) < 0 ? a->end : b->end;
	sp = a->sport > b->sport ? a->sport : b->sport;
	ep = a->eport < b->eport ? a->eport : b->eport;
	if (memcmp(lo, hi, a->alen) > 0 || sp > ep)
		return false;
	{
		struct ik_addr l = ts_addr(lo, a->alen), h = ts_addr(hi, a->alen);

		ts_set(out, &l, &h, proto);
	}
	out->sport = sp;
	out->eport = ep;
	return true;
}

static bool ts_same(const struct ik_v2_ts *a, const struct ik_v2_ts *b)
{
	return a->type == b->type && a->proto == b->proto && a->sport == b->sport &&
	       a->eport == b->eport && a->alen == b->alen &&
	       !memcmp(a->start, b->start, a->alen) && !memcmp(a->end, b->end, a->alen);
}

/* The first selector of the peer's list that meets what we allow. */
static bool ts_narrow(const struct ik_v2_ts_list *l, const struct ik_v2_ts *want,
		      struct ik_v2_ts *out)
{
	for (size_t i = 0; i < l->n; i++)
		if (ts_inter(&l->ts[i], want, out))
			return true;
	return false;
}

/* Keeps only the widest selector of l when every other one lies within it
 * (else l is left as it is, and refused). */
static void ts_widest(struct ik_v2_ts_list *l)
{
	size_t w = 0;
	struct ik_v2_ts x;

	for (size_t i = 1; i < l->n; i++)
		if (ts_inter(&l->ts[i], &l->ts[w], &x) && ts_same(&x, &l->ts[w]))
			w = i;
	for (size_t i = 0; i < l->n; i++)
		if (!ts_inter(&l->ts[i], &l->ts[w], &x) || !ts_same(&x, &l->ts[i]))
			return;
	l->ts[0] = l->ts[w];
	l->n = 1;
}

/* An address range as a prefix (net, plen); a range that is not one
 * becomes every address of its family (the tunnel's policy decides). */
static void ts_prefix(const struct ik_v2_ts *t, struct ik_addr *net, uint8_t *plen)
{
	struct ik_addr lo = ts_addr(t->start, t->alen), hi = ts_addr(t->end, t->alen);
	int n = ik_range_prefix(&lo, &hi, net);

	if (n < 0) {
		memset(net, 0, sizeof(*net));
		net->family = lo.family;
		n = 0;
	}
	*plen = (uint8_t)n;
}

/* The smallest prefix holding a range (a crypto map's ACL line written as
 * a range, or a peer's range narrowed into it). */
static void ts_cover(const struct ik_v2_ts *t, struct ik_addr *net, uint8_t *plen)
{
	struct ik_addr lo = ts_addr(t->start, t->alen), hi = ts_addr(t->end, t->alen);

	*plen = (uint8_t)ik_range_cover(&lo, &hi, net);
}

static void ts_text(const struct ik_v2_ts *t, char *buf, size_t n)
{
	char a[IK_ADDR_ANYSTRLEN], b[IK_ADDR_ANYSTRLEN];
	struct ik_addr lo = ts_addr(t->start, t->alen), hi = ts_addr(t->end, t->alen);

	snprintf(buf, n, "%s-%s proto %u ports %u-%u", ik_addr_fmt_any(&lo, a),
		 ik_addr_fmt_any(&hi, b), t->proto, t->sport, t->eport);
}

static uint32_t new_spi(struct ik_engine *e)
{
	uint32_t s;

	do
		ik_core_rand(e, &s, sizeof(s));
	while (s <= 255);
	return s;
}

const struct ik_interface *ik_v2_tunnel_for(const struct ik_v2_ike_sa *s)
{
	return ik_core_tunnel_for_ip(s->cfg, &s->local.ip, &s->remote.ip);
}

/* ---- initiator ---- */

int ik_v2_esp_offer(struct ik_v2_ike_sa *s, const struct ik_interface *t,
		    struct ik_v2_child_req *cr, struct ik_v2_builder *b)
{
	const struct ik_cmap_entry *cm = t ? NULL : cr->cmap;
	const struct ik_ipsec_profile *ip = t ? t->protection : cm ? &cm->ipsec : NULL;
	struct ik_v2_proposal props[IK_V2_MAX_PROPOSALS];
	struct ik_v2_transform tr[IK_V2_MAX_PROPOSALS][TS_MAX];
	unsigned pfs = cr->pfs_group;
	struct ik_proxy px = cr->proxy, pkt = cr->pkt;
	size_t ace = cr->cmap_ace;
	struct ik_v2_ts tsi, tsr;
	size_t n = 0;

	if (!ip)
		return -1;
	memset(cr, 0, sizeof(*cr));
	cr->tunnel = t;
	cr->cmap = cm;
	cr->cmap_ace = ace;
	cr->proxy = px;
	cr->pkt = pkt;
	cr->ipsec = ip;
	cr->pfs_group = pfs;
	cr->exch_initiator = true;
	cr->spi_in = new_spi(s->e);
	for (size_t i = 0; i < ip->ntsets && n < IK_V2_MAX_PROPOSALS; i++) {
		size_t nt = tset_transforms(ip->tsets[i], pfs, tr[n]);
		uint8_t spi[4];

		if (!nt)
			continue;
		ik_put32(spi, cr->spi_in);
		props[n] = (struct ik_v2_proposal){
			.num = (uint8_t)(i + 1), .proto = IK_V2_PROTO_ESP, .spi_size = 4,
			.t = tr[n], .nt = nt,
		};
		memcpy(props[n].spi, spi, 4);
		n++;
	}
	if (!n) {
		ik_v2_fail(s, "IPsec profile %s has no transform set IKEv2 can offer", ip->name);
		return -1;
	}
	if (!cm) {
		ts_want(t, &s->local.ip, &tsi);
		ts_want(t, &s->remote.ip, &tsr);
	}
	if (t && ip->ntsets && ip->tsets[0]->mode == IK_MODE_TRANSPORT &&
	    ts_gre(t)) {
		ik_v2_b_notify(b, 0, NULL, 0, IK_V2_N_USE_TRANSPORT_MODE, NULL, 0);
		cr->transport = true;
	}
	ik_v2_b_sa(b, props, n);
	if (cm) {
		ik_v2_cmap_offer_ts(cr, b);
		return 0;
	}
	ik_v2_b_ts(b, IK_V2_PL_TSI, &tsi, 1);
	ik_v2_b_ts(b, IK_V2_PL_TSR, &tsr, 1);
	cr->tsi = tsi;
	cr->tsr = tsr;
	return 0;
}

/* Parses SA, TSi, TSr of a message (the caller frees *sa). */
static int child_payloads(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx,
			  struct ik_v2_sa **sa, struct ik_v2_ts_list *tsi,
			  struct ik_v2_ts_list *tsr)
{
	const struct ik_pl *p_sa = ik_v2_find(&rx->m, IK_V2_PL_SA);
	const struct ik_pl *p_i = ik_v2_find(&rx->m, IK_V2_PL_TSI);
	const struct ik_pl *p_r = ik_v2_find(&rx->m, IK_V2_PL_TSR);
	char err[200];

	*sa = NULL;
	if (!p_sa || !p_i || !p_r) {
		V2DBG(s, "child SA: %s payload missing", !p_sa ? "SA" : !p_i ? "TSi" : "TSr");
		return -1;
	}
	if (ik_v2_parse_sa(p_sa, sa, err, sizeof(err)) ||
	    ik_v2_parse_ts(p_i, tsi, err, sizeof(err)) ||
	    ik_v2_parse_ts(p_r, tsr, err, sizeof(err))) {
		V2DBG(s, "child SA: %s", err);
		return -1;
	}
	return 0;
}

int ik_v2_esp_accept(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx,
		     struct ik_v2_child_req *cr)
{
	struct ik_v2_sa *sa = NULL;
	struct ik_v2_ts_list *tl = malloc(2 * sizeof(*tl));
	struct ik_v2_ts x;
	const struct ik_v2_proposal *p;
	int rc = -1;

	if (!tl || child_payloads(s, rx, &sa, &tl[0], &tl[1]))
		goto out;
	p = sa->np == 1 ? &sa->p[0] : NULL;
	if (!p || p->num < 1 || p->num > cr->ipsec->ntsets ||
	    !prop_carries(p, cr->ipsec->tsets[p->num - 1]) ||
	    (cr->pfs_group && !ik_v2_prop_find(p, IK_V2_TT_DH, 0)) ||
	    (cr->pfs_group && ik_v2_prop_find(p, IK_V2_TT_DH, 0)->id != cr->pfs_group)) {
		ik_v2_fail(s, "the responder's ESP proposal is not one we offered");
		goto out;
	}
	/* the responder may narrow, never widen; a crypto map line's answer may
	 * hold the packet's pair beside the line's: the widest is kept */
	if (cr->cmap && (tl[0].n > 1 || tl[1].n > 1)) {
		ts_widest(&tl[0]);
		ts_widest(&tl[1]);
	}
	if (tl[0].n != 1 || tl[1].n != 1 || !ts_inter(&tl[0].ts[0], &cr->tsi, &x) ||
	    !ts_same(&x, &tl[0].ts[0]) || !ts_inter(&tl[1].ts[0], &cr->tsr, &x) ||
	    !ts_same(&x, &tl[1].ts[0])) {
		ik_v2_fail(s, "the responder's traffic selectors are not within ours");
		goto out;
	}
	cr->tsi = tl[0].ts[0];
	cr->tsr = tl[1].ts[0];
	cr->tset = cr->ipsec->tsets[p->num - 1];
	cr->spi_out = ik_get32(p->spi);
	if (cr->transport && !ik_v2_find_notify(&rx->m, IK_V2_N_USE_TRANSPORT_MODE))
		cr->transport = false;
	rc = 0;
out:
	ik_v2_sa_free(sa);
	free(tl);
	return rc;
}

/* ---- responder ---- */

/* The D-H transform of an ESP proposal against the profile's `set pfs`:
 * none on both sides, or the profile's group among the proposal's. Only
 * CREATE_CHILD_SA has PFS: the child of IKE_AUTH takes its keys from the
 * IKE SA's exchange, and its proposal carries no D-H transform (RFC 7296
 * 1.2), whatever the profile sets. */
static bool pfs_ok(const struct ik_v2_rx *rx, const struct ik_v2_proposal *p,
		   const struct ik_ipsec_profile *ip, unsigned *group)
{
	bool any = false, want = false;

	if (rx->m.hdr.exch != IK_V2_EXCH_CREATE_CHILD_SA) {
		*group = 0;
		for (size_t i = 0; i < p->nt; i++)
			if (p->t[i].type == IK_V2_TT_DH && p->t[i].id != 0)
				return false;
		return true;
	}
	for (size_t i = 0; i < p->nt; i++) {
		if (p->t[i].type != IK_V2_TT_DH || p->t[i].id == 0)
			continue;
		any = true;
		if (ip->pfs_group && p->t[i].id == ip->pfs_group)
			want = true;
	}
	*group = want ? ip->pfs_group : 0;
	return any ? want : !ip->pfs_group;
}

int ik_v2_esp_choose(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx,
		     struct ik_v2_child_req *cr, struct ik_v2_builder *b)
{
	struct ik_v2_sa *sa = NULL;
	struct ik_v2_ts_list *tl = malloc(2 * sizeof(*tl));
	const struct ik_interface *const *ts;
	const struct ik_interface *t = NULL;
	struct ik_v2_ts wi, wr, ni, nr;
	size_t n = 0;
	int rc = IK_V2_N_TS_UNACCEPTABLE;
	char a[128], c[128];

	memset(cr, 0, sizeof(*cr));
	cr->exch_initiator = false;
	if (!tl || child_payloads(s, rx, &sa, &tl[0], &tl[1])) {
		rc = IK_V2_N_NO_PROPOSAL_CHOSEN;
		goto out;
	}
	ts = ik_snapshot_tunnels_to_ip(s->cfg, &s->remote.ip, &n);
	/* tunnels bound to the SA's profile first, then any protected one */
	for (int pass = 0; pass < 2 && !t; pass++) {
		for (size_t i = 0; i < n && !t; i++) {
			const struct ik_interface *x = ts[i];
			struct ik_addr src;

			ik_iface_tunnel_source(x, &src);
			if (!x->protection || x->shutdown ||
			    (!ik_addr_is_any(&src) && !ik_addr_eq(&src, &s->local.ip)))
				continue;
			if ((pass == 0) != (x->protection->ikev2_profile == ik_v2_sa_profile(s)))
				continue;
			ts_want(x, &s->remote.ip, &wi);
			ts_want(x, &s->local.ip, &wr);
			if (ts_narrow(&tl[0], &wi, &ni) && ts_narrow(&tl[1], &wr, &nr))
				t = x;
		}
	}
	/* no protected tunnel: the crypto map of the local address, if any */
	if (!t) {
		switch (ik_v2_cmap_choose(s, &tl[0], &tl[1], cr, &ni, &nr)) {
		case 0:
			goto chosen;
		case -1:
			goto out;
		}
	}
	if (!t) {
		if (tl[0].n && tl[1].n) {
			ts_text(&tl[0].ts[0], a, sizeof(a));
			ts_text(&tl[1].ts[0], c, sizeof(c));
		} else {
			snprintf(a, sizeof(a), "none");
			snprintf(c, sizeof(c), "none");
		}
		ik_v2_fail(s, "no protected tunnel to %s allows the peer's traffic selectors "
			   "(TSi %s, TSr %s): TS_UNACCEPTABLE",
			   ik_addr_fmt_any(&s->remote.ip, (char[IK_ADDR_ANYSTRLEN]){ 0 }), a, c);
		goto out;
	}
	cr->tunnel = t;
	cr->ipsec = t->protection;
chosen:
	for (size_t j = 0; j < sa->np && !cr->tset; j++)
		for (size_t k = 0; k < cr->ipsec->ntsets && !cr->tset; k++)
			if (prop_carries(&sa->p[j], cr->ipsec->tsets[k]) &&
			    pfs_ok(rx, &sa->p[j], cr->ipsec, &cr->pfs_group)) {
				cr->tset = cr->ipsec->tsets[k];
				cr->spi_out = ik_get32(sa->p[j].spi);
				cr->spi_in = new_spi(s->e);
				{
					struct ik_v2_transform tr[TS_MAX];
					struct ik_v2_proposal p = {
						.num = sa->p[j].num, .proto = IK_V2_PROTO_ESP,
						.spi_size = 4, .t = tr,
					};

					p.nt = tset_transforms(cr->tset, cr->pfs_group, tr);
					ik_put32(p.spi, cr->spi_in);
					if (ik_v2_find_notify(&rx->m, IK_V2_N_USE_TRANSPORT_MODE) &&
					    cr->tset->mode == IK_MODE_TRANSPORT && t &&
					    ts_gre(t)) {
						cr->transport = true;
						ik_v2_b_notify(b, 0, NULL, 0,
							       IK_V2_N_USE_TRANSPORT_MODE, NULL, 0);
					}
					ik_v2_b_sa(b, &p, 1);
				}
			}
	if (!cr->tset) {
		ik_v2_fail(s, "no transform set of IPsec profile %s matches the peer's ESP "
			   "proposals: NO_PROPOSAL_CHOSEN", cr->ipsec->name);
		rc = IK_V2_N_NO_PROPOSAL_CHOSEN;
		goto out;
	}
	cr->tsi = ni;
	cr->tsr = nr;
	ts_text(&ni, a, sizeof(a));
	ts_text(&nr, c, sizeof(c));
	if (t)
		V2DBG(s, "Traffic selectors for %s: TSi %s, TSr %s", t->name, a, c);
	else
		V2DBG(s, "Traffic selectors for crypto map %s %u: TSi %s, TSr %s",
		      cr->cmap->map->name, cr->cmap->seq, a, c);
	ik_v2_b_ts(b, IK_V2_PL_TSI, &ni, 1);
	ik_v2_b_ts(b, IK_V2_PL_TSR, &nr, 1);
	rc = 0;
out:
	ik_v2_sa_free(sa);
	free(tl);
	return rc;
}

/* ---- install ---- */

/* The peer installed a child we could not: an INFORMATIONAL DELETE of its
 * SPI pair (our inbound SPI), when the window is free. */
static void delete_unused(struct ik_v2_ike_sa *s, uint32_t spi_in)
{
	struct ik_v2_builder *b;
	uint8_t spi[4];
	size_t sk;

	if (ik_v2_req_pending(s) || s->state != IKEV2_READY)
		return;
	b = malloc(sizeof(*b));
	if (!b)
		return;
	ik_put32(spi, spi_in);
	ik_v2_msg_begin(s, b, IK_V2_EXCH_INFORMATIONAL, false, UINT32_MAX, &sk);
	ik_v2_b_delete(b, IK_V2_PROTO_ESP, 4, 1, spi);
	if (ik_v2_send_request(s, b, sk) == 0)
		V2DBG(s, "Sending DELETE INFO message for IPsec SA [SPI: 0x%08X] (not installed)",
		      spi_in);
	free(b);
}

static const struct ik_child_ops v2_child_ops = {
	.version = 2,
	.rekey = ik_v2_child_rekey,
	.notify_delete = ik_v2_child_notify_delete,
};

int ik_v2_child_install(struct ik_v2_ike_sa *s, const struct ik_v2_child_req *cr,
			const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
			const struct ik_secret *gir)
{
	struct ik_engine *e = s->e;
	const struct ik_transform_set *ts = cr->tset;
	const struct ik_interface *t = cr->tunnel;
	struct ik_child *c;
	struct ik_child_sa *cs;
	struct ik_esp_sa *first, *second;
	const struct ik_v2_ts *ours, *theirs;
	uint8_t km[2 * (IK_MAX_ENC_KEY + IK_MAX_AUTH_KEY)];
	size_t el, al;
	uint64_t now = ik_core_now(e);
	uint16_t j = 0;

	if (!ts || (!t && !cr->cmap))
		return -1;
	el = ik_esp_enc_key_len(ts->enc, ts->keylen);
	al = ts->enc == IK_ESP_GCM ? 0 : ik_esp_auth_key_len(ts->auth);
	if (!el || el > IK_MAX_ENC_KEY || al > IK_MAX_AUTH_KEY)
		return -1;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -1;
	cs = &c->sa;
	if (ik_v2_child_keymat(s->suite.prf, s->up->keys.sk_d, gir, ni, ni_len, nr, nr_len, km,
			       2 * (el + al))) {
		free(c);
		return -1;
	}
	/* KEYMAT: the keys of the exchange initiator's outbound direction first
	 * (RFC 7296 2.17) */
	first = cr->exch_initiator ? &cs->out : &cs->in;
	second = cr->exch_initiator ? &cs->in : &cs->out;
	memcpy(first->enc_key, km, el);
	memcpy(first->auth_key, km + el, al);
	memcpy(second->enc_key, km + el + al, el);
	memcpy(second->auth_key, km + 2 * el + al, al);
	ik_wipe(km, sizeof(km));
	cs->id = e->next_child_id;
	e->next_child_id += 2;
	snprintf(cs->ifname, sizeof(cs->ifname), "%s", t ? t->name : "");
	cs->tunnel = t;
	cs->cmap = t ? NULL : cr->cmap;
	cs->mode = cr->transport ? IK_MODE_TRANSPORT : IK_MODE_TUNNEL;
	cs->enc = ts->enc;
	cs->enc_keylen = (ts->enc == IK_ESP_AES || ts->enc == IK_ESP_GCM) ?
		(ts->keylen ? ts->keylen : 128) : ts->enc == IK_ESP_3DES ? 192 : 0;
	cs->auth = ts->enc == IK_ESP_GCM ? IK_ESP_AUTH_NONE : ts->auth;
	cs->icv_bits = ts->enc == IK_ESP_GCM ? 128 : 0;
	cs->in.spi = cr->spi_in;
	cs->in.src = s->remote.ip;
	cs->in.dst = s->local.ip;
	cs->out.spi = cr->spi_out;
	cs->out.src = s->local.ip;
	cs->out.dst = s->remote.ip;
	ours = cr->exch_initiator ? &cr->tsi : &cr->tsr;
	theirs = cr->exch_initiator ? &cr->tsr : &cr->tsi;
	if (cs->cmap) {
		/* a crypto map line: a range that is not a prefix is covered by
		 * the smallest one, and a single port goes into the selector */
		ts_cover(ours, &cs->sel.src, &cs->sel.src_plen);
		ts_cover(theirs, &cs->sel.dst, &cs->sel.dst_plen);
		cs->sel.sport = ours->sport == ours->eport ? ours->sport : 0;
		cs->sel.dport = theirs->sport == theirs->eport ? theirs->sport : 0;
	} else {
		ts_prefix(ours, &cs->sel.src, &cs->sel.src_plen);
		ts_prefix(theirs, &cs->sel.dst, &cs->sel.dst_plen);
	}
	cs->sel.proto = ours->proto == theirs->proto ? ours->proto : 0;
	cs->lifetime_sec = cr->ipsec->lifetime_sec ? cr->ipsec->lifetime_sec :
		(s->cfg->sa_lifetime_sec ? s->cfg->sa_lifetime_sec : 3600);
	cs->lifetime_kb = cr->ipsec->lifetime_kb ? cr->ipsec->lifetime_kb : 4608000;
	cs->udp_encap = s->nat_self || s->nat_peer;
	cs->encap_local_port = cs->udp_encap ? s->local.port : 0;
	cs->encap_remote_port = cs->udp_encap ? s->remote.port : 0;
	cs->pfs_group = cr->pfs_group;
	cs->reqid = t ? t->tunnel_num + 1 : ik_cmap_reqid(cr->cmap, cr->cmap_ace);
	c->cfg = ik_core_cfg_hold(e, s->cfg);
	c->local = s->local;
	c->remote = s->remote;
	c->fvrf = s->fvrf ? strdup(s->fvrf) : NULL;
	cs->fvrf = c->fvrf;
	snprintf(c->profile_name, sizeof(c->profile_name), "%s",
		 ik_v2_sa_profile(s) ? ik_v2_sa_profile(s)->name : "");
	c->p1_conn_id = s->conn_id;
	c->initiator = s->initiator;
	c->created_ms = now;
	ik_core_tset_name(ts, c->transform_name, sizeof(c->transform_name));
	ik_core_trace_create_sa(e, c);
	if (e->host.child_up(e->host.ctx, cs)) {
		ik_msg(e->log, IK_LOG_ERR, "IPSEC: installing the SA pair for %s (spi 0x%X/0x%X) "
		       "failed", t ? cs->ifname : "a crypto map", cs->in.spi, cs->out.spi);
		delete_unused(s, cs->in.spi);
		ik_core_cfg_release(e, c->cfg);
		free(c->fvrf);
		ik_wipe(c, sizeof(*c));
		free(c);
		e->st.p2_failed++;
		return -1;
	}
	ik_core_rand(e, &j, sizeof(j));
	/* both sides rekey on their soft lifetime; the one that made the child a
	 * little earlier, so that they seldom collide (RFC 7296 2.8.1) */
	ik_core_child_insert(e, c, &v2_child_ops, now + (uint64_t)cs->lifetime_sec *
			     ((cr->exch_initiator ? 850u : 900u) + j % 50),
			     now + (uint64_t)cs->lifetime_sec * 1000);
	e->st.p2_done++;
	if (t)
		V2DBG(s, "IPsec SA for %s installed: in spi 0x%08X, out spi 0x%08X (%s)",
		      cs->ifname, cs->in.spi, cs->out.spi, c->transform_name);
	else
		V2DBG(s, "IPsec SA for crypto map %s %u installed: in spi 0x%08X, out spi "
		      "0x%08X (%s)", cs->cmap->map->name, cs->cmap->seq, cs->in.spi,
		      cs->out.spi, c->transform_name);
	if (cr->rekey_of) {
		struct ik_child *old = ik_core_child_find(e, cr->rekey_of);

		if (old && old != c)
			ik_core_child_remove(e, old, true, "rekeyed");
	}
	return 0;
}

