/* show crypto ikev2 sa [remote A] [detailed], show crypto ikev2 session
 * [detailed], show crypto ikev2 stats, the IKEv2 sessions of show crypto
 * session, and clear crypto ikev2 sa [remote A]: IOS 15 layouts, and the
 * same data as JSON. Admin commands: they walk the engine's IKEv2 SAs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/v2_int.h"
#include "ike/v2_more.h"
#include "util/addr.h"
#include "util/util.h"

/* ---- names as IOS prints them ---- */

static const char *encr_ios(uint16_t encr)
{
	switch (encr) {
	case IK_V2_ENCR_AES_CBC: return "AES-CBC";
	case IK_V2_ENCR_AES_GCM_16: return "AES-GCM";
	case IK_V2_ENCR_CHACHA20_POLY1305: return "CHACHA20-POLY1305";
	case IK_V2_ENCR_3DES: return "3DES";
	default: return "unknown";
	}
}

static const char *prf_ios(uint16_t prf)
{
	switch (prf) {
	case IK_V2_PRF_HMAC_SHA1: return "SHA1";
	case IK_V2_PRF_HMAC_SHA2_256: return "SHA256";
	case IK_V2_PRF_HMAC_SHA2_384: return "SHA384";
	case IK_V2_PRF_HMAC_SHA2_512: return "SHA512";
	default: return "None";
	}
}

static const char *integ_ios(uint16_t integ)
{
	switch (integ) {
	case IK_V2_INTEG_HMAC_SHA1_96: return "SHA96";
	case IK_V2_INTEG_HMAC_SHA2_256_128: return "SHA256";
	case IK_V2_INTEG_HMAC_SHA2_384_192: return "SHA384";
	case IK_V2_INTEG_HMAC_SHA2_512_256: return "SHA512";
	default: return "None";
	}
}

static const char *status_ios(const struct ik_v2_ike_sa *s)
{
	if (s->state == IKEV2_READY)
		return "READY";
	if (s->state == IKEV2_DELETING || s->state == IKEV2_DEAD)
		return "DELETE";
	return "IN-NEG";
}

static const char *status_desc(const struct ik_v2_ike_sa *s)
{
	if (s->state == IKEV2_READY)
		return ik_v2_more_peek(s) && ik_v2_more_peek(s)->rekeyed ?
			"Rekeyed, waiting for deletion" :
			"Negotiation done";
	if (s->state == IKEV2_DELETING || s->state == IKEV2_DEAD)
		return "Deleting IKE SA";
	return "Negotiation in progress";
}

static const char *esp_enc_ios(const struct ik_child_sa *sa)
{
	switch (sa->enc) {
	case IK_ESP_AES: return "AES-CBC";
	case IK_ESP_GCM: return "AES-GCM";
	case IK_ESP_3DES: return "3DES";
	case IK_ESP_DES: return "DES";
	default: return "None";
	}
}

static const char *esp_auth_ios(enum ik_esp_auth a)
{
	switch (a) {
	case IK_ESP_SHA1: return "SHA96";
	case IK_ESP_SHA256: return "SHA256";
	case IK_ESP_SHA384: return "SHA384";
	case IK_ESP_SHA512: return "SHA512";
	case IK_ESP_MD5: return "MD596";
	default: return "None";
	}
}

static void local_id(const struct ik_v2_ike_sa *s, char *buf, size_t n)
{
	const struct ik_ikev2_profile *p = ik_v2_sa_profile(s);

	if (p && p->local_id_type != IK_ID_NONE && p->local_id_type != IK_ID_ADDRESS &&
	    p->local_id_value)
		snprintf(buf, n, "%s", p->local_id_value);
	else
		ik_addr_fmt_any(&s->local.ip, buf);
}

/* The peer's identity, escaped (it comes from the network). */
static void remote_id(const struct ik_v2_ike_sa *s, char *buf, size_t n)
{
	const struct ik_v2_up *up = ik_v2_up_ro(s);

	if (up->peer_id.type == IK_ID_NONE)
		ik_addr_fmt_any(&s->remote.ip, buf);
	else
		ik_v2_id_fmt(&up->peer_id, buf, n);
}

static uint64_t active_s(const struct ik_v2_ike_sa *s, uint64_t now)
{
	uint64_t est = ik_v2_up_ro(s)->established_ms;
	uint64_t from = est ? est : s->created_ms;

	return now > from ? (now - from) / 1000 : 0;
}

static unsigned lifetime_s(const struct ik_v2_ike_sa *s)
{
	const struct ik_ikev2_profile *pf = ik_v2_sa_profile(s);

	return pf && pf->lifetime ? pf->lifetime : IK_V2_DEFAULT_LIFETIME;
}

static bool shown(const struct ik_v2_ike_sa *s, const struct ik_show_opts *o)
{
	return !s->dead && ik_show_opts_peer(o, &s->remote.ip);
}

/* ---- one SA ---- */

static void sa_text(const struct ik_v2_ike_sa *s, bool detail, uint64_t now, struct ik_sb *out)
{
	char l[IK_ADDR_ANYSTRLEN + 8], r[IK_ADDR_ANYSTRLEN + 8], a[IK_ADDR_ANYSTRLEN];
	char vrf[80], li[300], ri[IK_ESCAPED_LEN(255)];
	const struct ik_v2_suite *su = &s->suite;
	const struct ik_v2_more *m = ik_v2_more_peek(s);

	snprintf(l, sizeof(l), "%s/%u", ik_addr_fmt_any(&s->local.ip, a), s->local.port);
	snprintf(r, sizeof(r), "%s/%u", ik_addr_fmt_any(&s->remote.ip, a), s->remote.port);
	snprintf(vrf, sizeof(vrf), "%s/%s", s->fvrf ? s->fvrf : "none", "none");
	ik_sb_printf(out, "%-9u %-21s %-21s %-20s %-7s\n", s->sa_id, l, r, vrf, status_ios(s));
	if (s->have_keys || s->skeyseed) {
		ik_sb_printf(out, "      Encr: %s, keysize: %u, PRF: %s, Hash: %s, DH Grp:%u, "
			     "Auth sign: PSK, Auth verify: PSK\n", encr_ios(su->encr),
			     su->encr == IK_V2_ENCR_CHACHA20_POLY1305 ? 256u : su->keylen,
			     prf_ios(su->prf), integ_ios(su->integ), su->dh);
	}
	ik_sb_printf(out, "      Life/Active Time: %u/%llu sec\n", lifetime_s(s),
		     (unsigned long long)active_s(s, now));
	if (!detail)
		return;
	local_id(s, li, sizeof(li));
	remote_id(s, ri, sizeof(ri));
	ik_sb_printf(out, "      CE id: %u, Session-id: %u\n", s->conn_id, ik_v2_session_id(s));
	ik_sb_printf(out, "      Status Description: %s\n", status_desc(s));
	ik_sb_printf(out, "      Local spi: %08X%08X       Remote spi: %08X%08X\n",
		     ik_get32(s->initiator ? s->spi_i : s->spi_r),
		     ik_get32((s->initiator ? s->spi_i : s->spi_r) + 4),
		     ik_get32(s->initiator ? s->spi_r : s->spi_i),
		     ik_get32((s->initiator ? s->spi_r : s->spi_i) + 4));
	ik_sb_printf(out, "      Local id: %s\n", li);
	ik_sb_printf(out, "      Remote id: %s\n", ri);
	ik_sb_printf(out, "      Local req msg id:  %-15u Remote req msg id:  %u\n",
		     ik_v2_up_ro(s)->rq.next_msgid ? ik_v2_up_ro(s)->rq.next_msgid - 1 : 0,
		     s->win.peer_next ? s->win.peer_next - 1 : 0);
	ik_sb_printf(out, "      Local next msg id: %-15u Remote next msg id: %u\n",
		     ik_v2_up_ro(s)->rq.next_msgid, s->win.peer_next);
	ik_sb_printf(out, "      Local req queued:  %-15u Remote req queued:  %u\n",
		     (m ? (unsigned)m->ndel + m->nrekey + m->want_dpd + m->want_ike_rekey : 0u) +
		     (ik_v2_req_pending(s) ? 1u : 0u), 0u);
	ik_sb_printf(out, "      Local window:      %-15u Remote window:      %u\n", 1u, 1u);
	if (ik_v2_sa_profile(s) && ik_v2_sa_profile(s)->dpd_interval)
		ik_sb_printf(out, "      DPD configured for %u seconds, retry %u\n",
			     ik_v2_sa_profile(s)->dpd_interval, ik_v2_sa_profile(s)->dpd_retry);
	else
		ik_sb_add(out, "      DPD configured for 0 seconds, retry 0\n");
	if (ik_v2_frag_local(s))
		ik_sb_printf(out, "      Fragmentation configured (MTU %u), %s.\n",
			     s->cfg->v2_frag_mtu, s->peer_frag ? "peer supports it" :
			     "peer does not support it");
	else
		ik_sb_add(out, "      Fragmentation not  configured.\n");
	ik_sb_add(out, "      Dynamic Route Update: disabled\n");
	ik_sb_add(out, "      Extended Authentication not configured.\n");
	if (s->nat_self || s->nat_peer)
		ik_sb_printf(out, "      NAT-T is detected %s\n", s->nat_self ? "inside" :
			     "outside");
	else
		ik_sb_add(out, "      NAT-T is not detected  \n");
	ik_sb_add(out, "      Cisco Trust Security SGT is disabled\n");
	ik_sb_printf(out, "      Initiator of SA : %s\n", s->initiator ? "Yes" : "No");
}

static void sa_json(const struct ik_v2_ike_sa *s, uint64_t now, struct ik_sb *out)
{
	char a[IK_ADDR_ANYSTRLEN], id[IK_ESCAPED_LEN(255)];
	const struct ik_v2_suite *su = &s->suite;

	ik_sb_printf(out, "{\"tunnel_id\":%u,\"session_id\":%u,\"conn_id\":%u,", s->sa_id,
		     ik_v2_session_id(s), s->conn_id);
	ik_sb_printf(out, "\"local\":\"%s\",\"local_port\":%u,",
		     ik_addr_fmt_any(&s->local.ip, a), s->local.port);
	ik_sb_printf(out, "\"remote\":\"%s\",\"remote_port\":%u,\"fvrf\":",
		     ik_addr_fmt_any(&s->remote.ip, a), s->remote.port);
	ik_sb_json_str(out, s->fvrf);
	ik_sb_printf(out, ",\"status\":\"%s\",\"description\":\"%s\",\"initiator\":%s,",
		     status_ios(s), status_desc(s), s->initiator ? "true" : "false");
	if (s->have_keys || s->skeyseed)
		ik_sb_printf(out, "\"encr\":\"%s\",\"keysize\":%u,\"prf\":\"%s\","
			     "\"integ\":\"%s\",\"dh_group\":%u,", encr_ios(su->encr),
			     su->encr == IK_V2_ENCR_CHACHA20_POLY1305 ? 256u : su->keylen,
			     prf_ios(su->prf), integ_ios(su->integ), su->dh);
	ik_sb_printf(out, "\"spi_i\":\"%08X%08X\",\"spi_r\":\"%08X%08X\",",
		     ik_get32(s->spi_i), ik_get32(s->spi_i + 4), ik_get32(s->spi_r),
		     ik_get32(s->spi_r + 4));
	local_id(s, id, sizeof(id));
	ik_sb_add(out, "\"local_id\":");
	ik_sb_json_str(out, id);
	remote_id(s, id, sizeof(id));
	ik_sb_add(out, ",\"remote_id\":");
	ik_sb_json_str(out, id);
	ik_sb_add(out, ",\"profile\":");
	ik_sb_json_str(out, ik_v2_sa_profile(s) ? ik_v2_sa_profile(s)->name : NULL);
	ik_sb_printf(out, ",\"lifetime\":%u,\"active_time\":%llu,\"next_msgid\":%u,"
		     "\"peer_next_msgid\":%u,\"nat_self\":%s,\"nat_peer\":%s,"
		     "\"fragmentation\":%s,\"dpd_interval\":%u}", lifetime_s(s),
		     (unsigned long long)active_s(s, now), ik_v2_up_ro(s)->rq.next_msgid,
		     s->win.peer_next,
		     s->nat_self ? "true" : "false", s->nat_peer ? "true" : "false",
		     ik_v2_frag_local(s) && s->peer_frag ? "true" : "false",
		     ik_v2_sa_profile(s) ? ik_v2_sa_profile(s)->dpd_interval : 0u);
}

/* ---- children ---- */

static void sel_range(const struct ik_addr *a, uint8_t plen, uint16_t port, char *buf, size_t n)
{
	char x[IK_ADDR_ANYSTRLEN], y[IK_ADDR_ANYSTRLEN];
	struct ik_addr last = ik_prefix_last(a, plen);

	snprintf(buf, n, "%s/%u - %s/%u", ik_addr_fmt_ios(a, x), port, ik_addr_fmt_ios(&last, y),
		 port ? port : 65535u);
}

static void child_text(const struct ik_child *c, bool detail, struct ik_sb *out)
{
	char ls[2 * IK_ADDR_ANYSTRLEN + 16], rs[2 * IK_ADDR_ANYSTRLEN + 16];

	sel_range(&c->sa.sel.src, c->sa.sel.src_plen, c->sa.sel.sport, ls, sizeof(ls));
	sel_range(&c->sa.sel.dst, c->sa.sel.dst_plen, c->sa.sel.dport, rs, sizeof(rs));
	ik_sb_printf(out, "Child sa: local selector  %s\n", ls);
	ik_sb_printf(out, "          remote selector %s\n", rs);
	ik_sb_printf(out, "          ESP spi in/out: 0x%X/0x%X  \n", c->sa.in.spi, c->sa.out.spi);
	if (!detail)
		return;
	ik_sb_add(out, "          AH spi in/out: 0x0/0x0  \n");
	ik_sb_add(out, "          CPI in/out: 0x0/0x0  \n");
	ik_sb_printf(out, "          Encr: %s, keysize: %u, esp_hmac: %s\n", esp_enc_ios(&c->sa),
		     c->sa.enc_keylen, esp_auth_ios(c->sa.auth));
	ik_sb_printf(out, "          ah_hmac: None, comp: IPCOMP_NONE, mode %s\n",
		     c->sa.mode == IK_MODE_TRANSPORT ? "transport" : "tunnel");
}

static void child_json(const struct ik_child *c, struct ik_sb *out)
{
	char a[IK_ADDR_ANYSTRLEN], b[IK_ADDR_ANYSTRLEN];

	ik_sb_printf(out, "{\"id\":%u,\"tunnel\":", c->sa.id);
	ik_sb_json_str(out, c->sa.ifname);
	ik_sb_printf(out, ",\"spi_in\":\"0x%X\",\"spi_out\":\"0x%X\",\"local_selector\":"
		     "\"%s/%d\",", c->sa.in.spi, c->sa.out.spi,
		     ik_addr_fmt_any(&c->sa.sel.src, a), c->sa.sel.src_plen);
	ik_sb_printf(out, "\"remote_selector\":\"%s/%d\",\"proto\":%u,\"encr\":\"%s\","
		     "\"keysize\":%u,\"esp_hmac\":\"%s\",\"mode\":\"%s\",\"pfs_group\":%u}",
		     ik_addr_fmt_any(&c->sa.sel.dst, b), c->sa.sel.dst_plen,
		     c->sa.sel.proto, esp_enc_ios(&c->sa), c->sa.enc_keylen,
		     esp_auth_ios(c->sa.auth),
		     c->sa.mode == IK_MODE_TRANSPORT ? "transport" : "tunnel", c->sa.pfs_group);
}

static unsigned count_children(struct ik_v2_ike_sa *s)
{
	unsigned n = 0;

	for (struct ik_child *c = ik_v2_child_first(s); c; c = ik_v2_child_next(s, c))
		n++;
	return n;
}

/* ---- show crypto ikev2 sa ---- */

void ik_engine_show_ikev2_sa(struct ik_engine *e, const struct ik_show_opts *o, bool json,
			     struct ik_sb *out)
{
	uint64_t now = ik_core_now(e);
	bool first = true;

	if (json) {
		ik_sb_add(out, "{\"ikev2_sas\":[");
		for (struct ik_v2_ike_sa *s = e->v2 ? e->v2->sas : NULL; s; s = s->next) {
			if (!shown(s, o))
				continue;
			if (!first)
				ik_sb_add(out, ",");
			sa_json(s, now, out);
			first = false;
		}
		ik_sb_add(out, "]}\n");
		return;
	}
	ik_sb_add(out, " IPv4 Crypto IKEv2  SA \n\n");
	ik_sb_add(out, "Tunnel-id Local                 Remote                fvrf/ivrf        "
		  "    Status \n");
	for (struct ik_v2_ike_sa *s = e->v2 ? e->v2->sas : NULL; s; s = s->next)
		if (shown(s, o) && s->remote.family == IK_AF_INET4)
			sa_text(s, o->detail, now, out);
	ik_sb_add(out, "\n IPv6 Crypto IKEv2  SA \n\n");
	for (struct ik_v2_ike_sa *s = e->v2 ? e->v2->sas : NULL; s; s = s->next) {
		if (!shown(s, o) || s->remote.family != IK_AF_INET6)
			continue;
		if (first)
			ik_sb_add(out, "Tunnel-id Local                 Remote                "
				  "fvrf/ivrf            Status \n");
		first = false;
		sa_text(s, o->detail, now, out);
	}
}

/* ---- show crypto ikev2 session ---- */

static int by_session(const void *a, const void *b)
{
	const struct ik_v2_ike_sa *x = *(const struct ik_v2_ike_sa *const *)a;
	const struct ik_v2_ike_sa *y = *(const struct ik_v2_ike_sa *const *)b;

	if (ik_v2_session_id(x) != ik_v2_session_id(y))
		return ik_v2_session_id(x) < ik_v2_session_id(y) ? -1 : 1;
	return x->sa_id < y->sa_id ? -1 : x->sa_id > y->sa_id;
}

void ik_engine_show_ikev2_session(struct ik_engine *e, const struct ik_show_opts *o, bool json,
				  struct ik_sb *out)
{
	uint64_t now = ik_core_now(e);
	struct ik_v2_ike_sa **v = NULL;
	size_t n = 0, cap = 0;
	bool first = true;

	for (struct ik_v2_ike_sa *s = e->v2 ? e->v2->sas : NULL; s; s = s->next) {
		if (!shown(s, o))
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct ik_v2_ike_sa **nv = realloc(v, nc * sizeof(*v));

			if (!nv)
				break;
			v = nv;
			cap = nc;
		}
		v[n++] = s;
	}
	if (n)
		qsort(v, n, sizeof(*v), by_session);
	ik_sb_add(out, json ? "{\"ikev2_sessions\":[" : " IPv4 Crypto IKEv2 Session \n\n");
	for (size_t i = 0; i < n;) {
		size_t j = i;
		unsigned nch = 0;
		bool up = false;

		while (j < n && ik_v2_session_id(v[j]) == ik_v2_session_id(v[i])) {
			nch += count_children(v[j]);
			up |= v[j]->state == IKEV2_READY;
			j++;
		}
		if (json) {
			ik_sb_printf(out, "%s{\"session_id\":%u,\"status\":\"%s\",\"ike_count\":%zu,"
				     "\"child_count\":%u,\"ike_sas\":[", first ? "" : ",",
				     ik_v2_session_id(v[i]), up ? (nch ? "UP-ACTIVE" : "UP-IDLE") :
				     "DOWN-NEGOTIATING", j - i, nch);
			for (size_t k = i; k < j; k++) {
				if (k > i)
					ik_sb_add(out, ",");
				sa_json(v[k], now, out);
			}
			ik_sb_add(out, "],\"children\":[");
			bool fc = true;

			for (size_t k = i; k < j; k++)
				for (struct ik_child *c = ik_v2_child_first(v[k]); c;
				     c = ik_v2_child_next(v[k], c)) {
					if (!fc)
						ik_sb_add(out, ",");
					child_json(c, out);
					fc = false;
				}
			ik_sb_add(out, "]}");
		} else {
			ik_sb_printf(out, "Session-id:%u, Status:%s, IKE count:%zu, CHILD count:%u"
				     "\n\n", ik_v2_session_id(v[i]),
				     up ? (nch ? "UP-ACTIVE" : "UP-IDLE")
				     : "DOWN-NEGOTIATING", j - i, nch);
			ik_sb_add(out, "Tunnel-id Local                 Remote                "
				  "fvrf/ivrf            Status \n");
			for (size_t k = i; k < j; k++)
				sa_text(v[k], o->detail, now, out);
			for (size_t k = i; k < j; k++)
				for (struct ik_child *c = ik_v2_child_first(v[k]); c;
				     c = ik_v2_child_next(v[k], c))
					child_text(c, o->detail, out);
			ik_sb_add(out, "\n");
		}
		first = false;
		i = j;
	}
	ik_sb_add(out, json ? "]}\n" : " IPv6 Crypto IKEv2 Session \n\n");
	free(v);
}

/* ---- show crypto session: the IKEv2 peers ---- */

void ik_v2_show_crypto_session(struct ik_engine *e, const struct ik_show_opts *o, bool json,
			       bool *first, struct ik_sb *out)
{
	char a[IK_ADDR_ANYSTRLEN], b[IK_ADDR_ANYSTRLEN];

	for (struct ik_v2_ike_sa *s = e->v2 ? e->v2->sas : NULL; s; s = s->next) {
		struct ik_child *any = NULL;
		unsigned nsa = 0;
		const char *status, *ifname;

		if (!shown(s, o))
			continue;
		for (struct ik_child *c = ik_v2_child_first(s); c; c = ik_v2_child_next(s, c)) {
			nsa += 2;
			any = c;
		}
		status = s->state == IKEV2_READY ? (nsa ? "UP-ACTIVE" : "UP-IDLE") :
			"DOWN-NEGOTIATING";
		ifname = any ? any->sa.ifname : ik_v2_up_ro(s)->tunnel ?
			s->up->tunnel->name : "";
		ik_addr_fmt_any(&s->local.ip, a);
		ik_addr_fmt_any(&s->remote.ip, b);
		if (json) {
			ik_sb_printf(out, "%s{\"interface\":", *first ? "" : ",");
			ik_sb_json_str(out, ifname);
			ik_sb_add(out, ",\"profile\":");
			ik_sb_json_str(out, ik_v2_sa_profile(s) ? ik_v2_sa_profile(s)->name : NULL);
			ik_sb_add(out, ",\"fvrf\":");
			ik_sb_json_str(out, s->fvrf);
			ik_sb_printf(out, ",\"conn_id\":%u,\"status\":\"%s\",\"peer\":\"%s\","
				     "\"peer_port\":%u,\"ike\":{\"version\":2,\"local\":\"%s/%u\","
				     "\"remote\":\"%s/%u\",\"state\":\"%s\",\"session_id\":%u},"
				     "\"active_sas\":%u}", s->conn_id, status, b, s->remote.port, a,
				     s->local.port, b, s->remote.port,
				     s->state == IKEV2_READY ? "Active" : "Inactive",
				     ik_v2_session_id(s),
				     nsa);
			*first = false;
			continue;
		}
		ik_sb_printf(out, "Interface: %s\n", ifname);
		if (ik_v2_sa_profile(s))
			ik_sb_printf(out, "Profile: %s\n", ik_v2_sa_profile(s)->name);
		ik_sb_printf(out, "Session status: %s\n", status);
		ik_sb_printf(out, "Peer: %s port %u\n", b, s->remote.port);
		if (o->detail)
			ik_sb_printf(out, "      Session ID: %u\n", ik_v2_session_id(s));
		ik_sb_printf(out, "  IKEv2 SA: local %s/%u remote %s/%u %s\n", a, s->local.port, b,
			     s->remote.port, s->state == IKEV2_READY ? "Active" : "Inactive");
		if (any) {
			ik_sel_flow_line(out, &any->sa.sel);
			ik_sb_printf(out, "        Active SAs: %u, origin: crypto map\n", nsa);
		}
		ik_sb_add(out, "\n");
		*first = false;
	}
}

/* The IKEv2 rows of show crypto session brief (after the IKEv1 ones). */
void ik_v2_show_session_brief(struct ik_engine *e, const struct ik_show_opts *o,
			      struct ik_sb *out)
{
	uint64_t now = ik_core_now(e);

	for (struct ik_v2_ike_sa *s = e->v2 ? e->v2->sas : NULL; s; s = s->next) {
		struct ik_child *any = ik_v2_child_first(s);
		char b[IK_ADDR_ANYSTRLEN], ifs[40], id[IK_ESCAPED_LEN(255)], up[16];
		uint64_t t;

		if (!shown(s, o))
			continue;
		snprintf(ifs, sizeof(ifs), "%s", any ? any->sa.ifname :
			 ik_v2_up_ro(s)->tunnel ? s->up->tunnel->name : "");
		if (!strncmp(ifs, "Tunnel", 6)) /* IOS abbreviates: Tu1 */
			memmove(ifs + 2, ifs + 6, strlen(ifs + 6) + 1);
		remote_id(s, id, sizeof(id));
		t = active_s(s, now);
		snprintf(up, sizeof(up), "%02u:%02u:%02u", (unsigned)(t / 3600),
			 (unsigned)(t / 60 % 60), (unsigned)(t % 60));
		ik_sb_printf(out, "%-15s %-12s %-15s %-24s %-8s %s\n",
			     ik_addr_fmt_any(&s->remote.ip, b), ifs, "", id, up,
			     s->state != IKEV2_READY ? "DN" : any ? "UA" : "UI");
	}
}

/* ---- show crypto ikev2 stats ---- */

void ik_engine_v2_stats(const struct ik_engine *e, struct ik_v2_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (e->v2)
		*st = e->v2->st;
	st->max_in_neg = e->opts.max_half_open;
	st->in_sas = st->in_active = st->in_neg = 0;
	st->out_sas = st->out_active = st->out_neg = 0;
	for (const struct ik_v2_ike_sa *s = e->v2 ? e->v2->sas : NULL; s; s = s->next) {
		bool ready = s->state == IKEV2_READY;

		if (s->dead)
			continue;
		if (s->initiator) {
			st->out_sas++;
			st->out_active += ready;
			st->out_neg += !ready;
		} else {
			st->in_sas++;
			st->in_active += ready;
			st->in_neg += !ready;
		}
	}
}

void ik_v2_stats_add(struct ik_v2_stats *sum, const struct ik_v2_stats *p)
{
	sum->max_in_neg += p->max_in_neg;
	sum->in_sas += p->in_sas;
	sum->in_active += p->in_active;
	sum->in_neg += p->in_neg;
	sum->out_sas += p->out_sas;
	sum->out_active += p->out_active;
	sum->out_neg += p->out_neg;
	sum->in_req += p->in_req;
	sum->in_req_accepted += p->in_req_accepted;
	sum->in_req_rejected += p->in_req_rejected;
	sum->out_req += p->out_req;
	sum->out_req_accepted += p->out_req_accepted;
	sum->out_req_rejected += p->out_req_rejected;
	sum->rej_rsrc_low += p->rej_rsrc_low;
	sum->rej_sa_limit += p->rej_sa_limit;
	sum->dropped += p->dropped;
	sum->cookie_challenged += p->cookie_challenged;
	sum->cookie_accepted += p->cookie_accepted;
	sum->cookie_rejected += p->cookie_rejected;
	sum->cookie_missing += p->cookie_missing;
	sum->child_rekeys += p->child_rekeys;
	sum->ike_rekeys += p->ike_rekeys;
	sum->rekey_collisions += p->rekey_collisions;
	sum->deletes_rx += p->deletes_rx;
	sum->deletes_tx += p->deletes_tx;
	sum->dpd_tx += p->dpd_tx;
	sum->dpd_dead += p->dpd_dead;
	sum->frag_tx += p->frag_tx;
	sum->frag_rx += p->frag_rx;
	sum->retransmits += p->retransmits;
}

#define LLU(x) ((unsigned long long)(x))

void ik_v2_stats_format(const struct ik_v2_stats *s, bool json, struct ik_sb *out)
{
	if (json) {
		ik_sb_printf(out, "{\"max_in_negotiation\":%u,\"incoming_sas\":%u,"
			     "\"incoming_active\":%u,\"incoming_negotiating\":%u,"
			     "\"outgoing_sas\":%u,\"outgoing_active\":%u,"
			     "\"outgoing_negotiating\":%u,", s->max_in_neg, s->in_sas,
			     s->in_active, s->in_neg, s->out_sas, s->out_active, s->out_neg);
		ik_sb_printf(out, "\"incoming_requests\":%llu,\"incoming_accepted\":%llu,"
			     "\"incoming_rejected\":%llu,\"outgoing_requests\":%llu,"
			     "\"outgoing_accepted\":%llu,\"outgoing_rejected\":%llu,"
			     "\"rejected_rsrc_low\":%llu,\"rejected_sa_limit\":%llu,"
			     "\"dropped_at_dispatch\":%llu,", LLU(s->in_req),
			     LLU(s->in_req_accepted), LLU(s->in_req_rejected), LLU(s->out_req),
			     LLU(s->out_req_accepted), LLU(s->out_req_rejected),
			     LLU(s->rej_rsrc_low), LLU(s->rej_sa_limit), LLU(s->dropped));
		ik_sb_printf(out, "\"cookie_challenged\":%llu,\"cookie_accepted\":%llu,"
			     "\"cookie_rejected\":%llu,\"cookie_missing\":%llu,"
			     "\"child_rekeys\":%llu,\"ike_rekeys\":%llu,\"rekey_collisions\":%llu,"
			     "\"deletes_received\":%llu,\"deletes_sent\":%llu,\"dpd_sent\":%llu,"
			     "\"dpd_dead_peers\":%llu,\"fragments_sent\":%llu,"
			     "\"fragments_received\":%llu,\"retransmissions\":%llu}\n",
			     LLU(s->cookie_challenged), LLU(s->cookie_accepted),
			     LLU(s->cookie_rejected), LLU(s->cookie_missing), LLU(s->child_rekeys),
			     LLU(s->ike_rekeys), LLU(s->rekey_collisions), LLU(s->deletes_rx),
			     LLU(s->deletes_tx), LLU(s->dpd_tx), LLU(s->dpd_dead), LLU(s->frag_tx),
			     LLU(s->frag_rx), LLU(s->retransmits));
		return;
	}
	ik_sb_add(out, "-----------------------------------------------------------------------"
		  "---------\n                   Crypto IKEv2 SA Statistics\n"
		  "-----------------------------------------------------------------------"
		  "---------\n");
	ik_sb_printf(out, "System Resource Limit:   %-8u Max IKEv2 SAs: %-8u Max in-negotiation: "
		     "%u\n", 0u, 0u, s->max_in_neg);
	ik_sb_printf(out, "Total incoming IKEv2 SA Count:    %-8u active: %-8u negotiating: %u\n",
		     s->in_sas, s->in_active, s->in_neg);
	ik_sb_printf(out, "Total outgoing IKEv2 SA Count:    %-8u active: %-8u negotiating: %u\n",
		     s->out_sas, s->out_active, s->out_neg);
	ik_sb_printf(out, "Incoming IKEv2 Requests: %-8llu accepted: %-8llu rejected: %llu\n",
		     LLU(s->in_req), LLU(s->in_req_accepted), LLU(s->in_req_rejected));
	ik_sb_printf(out, "Outgoing IKEv2 Requests: %-8llu accepted: %-8llu rejected: %llu\n",
		     LLU(s->out_req), LLU(s->out_req_accepted), LLU(s->out_req_rejected));
	ik_sb_printf(out, "Rejected IKEv2 Requests: %-8llu rsrc low: %-8llu SA limit: %llu\n",
		     LLU(s->rej_rsrc_low + s->rej_sa_limit), LLU(s->rej_rsrc_low),
		     LLU(s->rej_sa_limit));
	ik_sb_printf(out, "IKEv2 packets dropped at dispatch: %llu\n", LLU(s->dropped));
	ik_sb_printf(out, "Incoming IKEV2 Cookie Challenged Requests: %llu\n",
		     LLU(s->cookie_challenged));
	ik_sb_printf(out, "      accepted: %-8llu rejected: %-8llu rejected no cookie: %llu\n",
		     LLU(s->cookie_accepted), LLU(s->cookie_rejected), LLU(s->cookie_missing));
	ik_sb_printf(out, "Rekeys: CHILD SA %llu, IKE SA %llu, simultaneous %llu\n",
		     LLU(s->child_rekeys), LLU(s->ike_rekeys), LLU(s->rekey_collisions));
	ik_sb_printf(out, "DELETE: received %llu, sent %llu; DPD/liveness: sent %llu, peers "
		     "dead %llu\n", LLU(s->deletes_rx), LLU(s->deletes_tx), LLU(s->dpd_tx),
		     LLU(s->dpd_dead));
	ik_sb_printf(out, "Fragments: sent %llu, received %llu; retransmissions %llu\n",
		     LLU(s->frag_tx), LLU(s->frag_rx), LLU(s->retransmits));
}

/* ---- clear crypto ikev2 sa ---- */

void ik_v2_clear(struct ik_engine *e, uint32_t peer)
{
	struct ik_addr pa = ik_addr_v4(peer);

	ik_v2_clear_addr(e, peer ? &pa : NULL);
}

void ik_v2_clear_addr(struct ik_engine *e, const struct ik_addr *peer)
{
	struct ik_v2_ike_sa *s, *next;

	if (peer) { /* one peer: through the address index */
		struct ik_hlink *l, *nl;

		for (l = ik_core_sa_first_addr_ip(e, peer); l; l = nl) {
			struct ik_ike_sa *sa = ik_container_of(l, struct ik_ike_sa, by_addr);

			nl = ik_htab_next(l);
			if (sa->dead || sa->version != 2 || !ik_addr_eq(&sa->remote.ip, peer))
				continue;
			s = (struct ik_v2_ike_sa *)sa;
			ik_log_scope_addr(e->log, peer);
			V2DBG(s, "Manual clear of the IKE SA and its children");
			ik_v2_sa_delete(s, "Manual clear", true);
		}
		return;
	}
	for (s = e->v2 ? e->v2->sas : NULL; s; s = next) {
		next = s->next;
		if (s->dead)
			continue;
		ik_log_scope_addr(e->log, &s->remote.ip);
		V2DBG(s, "Manual clear of the IKE SA and its children");
		ik_v2_sa_delete(s, "Manual clear", true);
	}
}
