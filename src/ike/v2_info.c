/* Exchanges on an established IKEv2 SA, in their first form: an
 * INFORMATIONAL request gets its response (empty, or with the DELETE of the
 * IKE SA it asked for, RFC 7296 1.4.1), so that the peer's liveness checks
 * keep the SA; a CREATE_CHILD_SA request is answered NO_ADDITIONAL_SAS
 * (1.3: the peer then negotiates anew); a child's soft lifetime and the IKE
 * SA's rekey time start a new IKE SA whose first child replaces the old
 * one; a child going away is announced with an INFORMATIONAL DELETE. */
#include <stdlib.h>
#include <string.h>

#include "ike/v2_int.h"
#include "util/util.h"

void ik_v2_info_request(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx)
{
	struct ik_v2_builder *b = malloc(sizeof(*b));
	bool del_ike = false;
	size_t sk;

	for (size_t i = 0; i < rx->m.npl; i++) {
		struct ik_v2_delete d;
		char err[160];

		if (rx->m.pl[i].type == IK_V2_PL_D &&
		    !ik_v2_parse_delete(&rx->m.pl[i], &d, err, sizeof(err)) &&
		    d.proto == IK_V2_PROTO_IKE)
			del_ike = true;
	}
	if (!b)
		return;
	ik_v2_msg_begin(s, b, IK_V2_EXCH_INFORMATIONAL, true, rx->m.hdr.msgid, &sk);
	if (ik_v2_send_response(s, b, sk) == 0 && !del_ike)
		V2DBG(s, "INFORMATIONAL request answered");
	free(b);
	if (del_ike)
		ik_v2_sa_delete(s, "Received DELETE of the IKE SA", false);
}

void ik_v2_ccsa_request(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx)
{
	struct ik_v2_builder *b = malloc(sizeof(*b));
	size_t sk;

	if (!b)
		return;
	V2DBG(s, "CREATE_CHILD_SA request: answering NO_ADDITIONAL_SAS");
	ik_v2_msg_begin(s, b, IK_V2_EXCH_CREATE_CHILD_SA, true, rx->m.hdr.msgid, &sk);
	ik_v2_b_notify(b, 0, NULL, 0, IK_V2_N_NO_ADDITIONAL_SAS, NULL, 0);
	ik_v2_send_response(s, b, sk);
	free(b);
}

void ik_v2_info_response(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx)
{
	(void)rx;
	s->dpd_tries = 0;
	if (s->state == IKEV2_DELETING)
		ik_v2_sa_delete(s, "DELETE acknowledged", false);
}

void ik_v2_ccsa_response(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx)
{
	(void)rx;
	V2DBG(s, "CREATE_CHILD_SA response ignored: this SA sends no such request");
}

void ik_v2_win_idle(struct ik_v2_ike_sa *s)
{
	(void)s;
}

/* Re-negotiation from the tunnel: a new IKE SA whose child replaces rekey_of. */
static void renegotiate(struct ik_engine *e, const char *ifname, unsigned rekey_of)
{
	const struct ik_interface *t = ik_config_find_iface(e->cfg, ifname);
	struct ik_sb err;
	uint32_t src;

	if (e->opts.passive || !t || !t->protection || !t->protection->ikev2_profile ||
	    t->shutdown)
		return;
	src = ik_v1_tunnel_source(e, t);
	if (!src || !t->tunnel_dest)
		return;
	ik_sb_init(&err);
	if (ik_v2_initiate(e, t, src, rekey_of, &err))
		ik_msg(e->log, IK_LOG_WARNING, "%s", ik_sb_str(&err));
	ik_sb_free(&err);
}

void ik_v2_child_rekey(struct ik_engine *e, struct ik_child *c, uint64_t now)
{
	(void)now;
	c->rekeying = true;
	ik_timer_cancel(&e->timers, &c->t_soft);
	if (!c->initiator || !c->sa.ifname[0])
		return;
	ik_dbg(e->log, IK_DBG_IKEV2, "IKEv2:soft lifetime of the IPsec SA of %s (spi 0x%08X): "
	       "negotiating its replacement", c->sa.ifname, c->sa.out.spi);
	renegotiate(e, c->sa.ifname, c->sa.id);
}

void ik_v2_child_notify_delete(struct ik_engine *e, struct ik_child *c)
{
	struct ik_v2_ike_sa *s = ik_v2_sa_find_peer(e, &c->local.ip, &c->remote.ip);
	struct ik_v2_builder *b;
	uint8_t spi[4];
	size_t sk;

	if (!s || s->win.req_pending)
		return;
	b = malloc(sizeof(*b));
	if (!b)
		return;
	ik_put32(spi, c->sa.in.spi);
	ik_v2_msg_begin(s, b, IK_V2_EXCH_INFORMATIONAL, false, UINT32_MAX, &sk);
	ik_v2_b_delete(b, IK_V2_PROTO_ESP, 4, 1, spi);
	if (ik_v2_send_request(s, b, sk) == 0)
		V2DBG(s, "Sending DELETE INFO message for IPsec SA [SPI: 0x%08X]", c->sa.in.spi);
	free(b);
}

void ik_v2_sa_timer(struct ik_v2_ike_sa *s, struct ik_timer *t, uint64_t now)
{
	struct ik_engine *e = s->e;

	switch (t->kind) {
	case IK_TK_SA_REKEY:
		s->rekey_started = true;
		if (s->initiator && s->tunnel) {
			V2DBG(s, "IKE SA lifetime soft limit: negotiating a new IKE SA");
			renegotiate(e, s->tunnel->name, 0);
		}
		break;
	case IK_TK_SA_DPD:
		if (s->state != IKEV2_READY || !s->profile || !s->profile->dpd_interval)
			break;
		if (!s->win.req_pending &&
		    now - s->last_rx_ms >= (uint64_t)s->profile->dpd_interval * 1000) {
			struct ik_v2_builder *b = malloc(sizeof(*b));
			size_t sk;

			if (b) {
				/* liveness check: an empty INFORMATIONAL; the retransmission
				 * limit deletes the SA if the peer is gone */
				ik_v2_msg_begin(s, b, IK_V2_EXCH_INFORMATIONAL, false, UINT32_MAX,
						&sk);
				if (ik_v2_send_request(s, b, sk) == 0)
					V2DBG(s, "Sending DPD/liveness query");
				free(b);
			}
		}
		ik_v1_timer_set(e, &s->t_dpd, now + (uint64_t)s->profile->dpd_interval * 1000);
		break;
	case IK_TK_SA_NATKA: {
		static const uint8_t ka = 0xff;

		e->host.send(e->host.ctx, &s->local, &s->remote, s->fvrf, &ka, 1);
		if (s->profile && s->profile->nat_keepalive)
			ik_v1_timer_set(e, &s->t_natka,
					now + (uint64_t)s->profile->nat_keepalive * 1000);
		break;
	}
	default:
		break;
	}
}
