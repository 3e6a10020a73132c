/* show crypto isakmp sa [detail], show crypto ipsec sa, show crypto session,
 * show crypto isakmp peers: IOS 15 layouts, and the same data as JSON. */
#include <stdio.h>
#include <string.h>

#include "ike/v1_int.h"
#include "util/addr.h"
#include "util/util.h"

static const char *encr_short(const struct ik_p1 *p1, char *buf, size_t n)
{
	switch (p1->encr) {
	case IK_ENCR_DES: return "des";
	case IK_ENCR_3DES: return "3des";
	case IK_ENCR_AES:
		snprintf(buf, n, "aes%s", p1->keylen == 128 ? "" :
			 p1->keylen == 192 ? "192" : p1->keylen == 256 ? "256" : "");
		return buf;
	default: return "none";
	}
}

static const char *hash_short(enum ik_hash h)
{
	switch (h) {
	case IK_HASH_MD5: return "md5";
	case IK_HASH_SHA1: return "sha";
	case IK_HASH_SHA256: return "sha256";
	case IK_HASH_SHA384: return "sha384";
	case IK_HASH_SHA512: return "sha512";
	default: return "none";
	}
}

static void fmt_hms(uint64_t ms, char *buf, size_t n)
{
	uint64_t s = ms / 1000;

	snprintf(buf, n, "%02u:%02u:%02u", (unsigned)(s / 3600), (unsigned)(s / 60 % 60),
		 (unsigned)(s % 60));
}

static uint64_t left_ms(uint64_t now, uint64_t at)
{
	return at > now ? at - now : 0;
}

/* One IKEv1 SA as a row of show crypto isakmp sa (the version's show op). */
void ik_v1_show_sa(const struct ik_ike_sa *sa, enum ik_sa_show form, bool first, uint64_t now,
		   struct ik_sb *out)
{
	const struct ik_p1 *p1 = (const struct ik_p1 *)sa;
	char a[IK_ADDRSTRLEN], b[IK_ADDRSTRLEN], ebuf[16], life[16], vrf[40], cap[8] = "";

	switch (form) {
	case IK_SA_SHOW_JSON:
		ik_sb_printf(out, "%s{\"conn_id\":%u,\"dst\":\"%s\",\"src\":\"%s\","
			     "\"state\":\"%s\",\"ike_state\":\"%s\",\"status\":\"ACTIVE\","
			     "\"role\":\"%s\",\"fvrf\":", first ? "" : ",", p1->conn_id,
			     ik_addr_fmt(p1->initiator ? p1->remote.addr : p1->local.addr, a),
			     ik_addr_fmt(p1->initiator ? p1->local.addr : p1->remote.addr, b),
			     ik_v1_p1_disp(p1), ik_v1_p1_state_name(p1->state),
			     p1->initiator ? "initiator" : "responder");
		ik_sb_json_str(out, p1->fvrf);
		ik_sb_add(out, ",\"profile\":");
		ik_sb_json_str(out, p1->profile ? p1->profile->name : NULL);
		ik_sb_printf(out, ",\"encr\":\"%s\",\"hash\":\"%s\",\"auth\":\"psk\","
			     "\"dh\":%u,\"lifetime_left\":%llu,\"dpd\":%s,\"nat\":%s}",
			     encr_short(p1, ebuf, sizeof(ebuf)), hash_short(p1->hash), p1->group,
			     (unsigned long long)(p1->state == IKE_P1_COMPLETE ?
						  left_ms(now, p1->t_expire.at) / 1000 : 0),
			     p1->peer_dpd ? "true" : "false",
			     p1->nat_self || p1->nat_peer ? "true" : "false");
		return;
	case IK_SA_SHOW_BRIEF:
		/* dst/src as the exchange goes: initiator -> responder */
		ik_sb_printf(out, "%-15s %-15s %-15s%7u ACTIVE\n",
			     ik_addr_fmt(p1->initiator ? p1->remote.addr : p1->local.addr, a),
			     ik_addr_fmt(p1->initiator ? p1->local.addr : p1->remote.addr, b),
			     ik_v1_p1_disp(p1), p1->conn_id);
		return;
	case IK_SA_SHOW_DETAIL:
		break;
	}
	snprintf(vrf, sizeof(vrf), "%s/%s", p1->fvrf ? p1->fvrf : "(none)",
		 p1->profile && p1->profile->ivrf ? p1->profile->ivrf : "(none)");
	if (p1->peer_dpd && (p1->cfg->keepalive || (p1->profile && p1->profile->keepalive)))
		strcat(cap, "D");
	if (p1->nat_self || p1->nat_peer)
		strcat(cap, "N");
	fmt_hms(p1->state == IKE_P1_COMPLETE ? left_ms(now, p1->t_expire.at) : 0, life,
		sizeof(life));
	ik_sb_printf(out, "%-5u %-15s %-15s %-14s %-6s %-4s %-6s %-4s %-2u %-8s %s\n",
		     p1->conn_id, ik_addr_fmt(p1->local.addr, a),
		     ik_addr_fmt(p1->remote.addr, b), vrf,
		     p1->state == IKE_P1_COMPLETE ? "ACTIVE" : "ACTIVE",
		     encr_short(p1, ebuf, sizeof(ebuf)), hash_short(p1->hash),
		     p1->have_keys || p1->encr ? "psk" : "", p1->group, life, cap);
	ik_sb_printf(out, "       Engine-id:Conn-id =  SW:%u\n\n",
		     p1->conn_id >= 1000 ? p1->conn_id - 1000 : p1->conn_id);
}

/* Every SA through its version's show op. */
static void show_each(struct ik_engine *e, enum ik_sa_show form, uint64_t now,
		      struct ik_sb *out)
{
	bool first = true;

	for (struct ik_p1 *p1 = e->p1s; p1; p1 = p1->next) {
		if (p1->dead)
			continue;
		p1->ops->show(&p1->sa, form, first, now, out);
		first = false;
	}
}

void ik_engine_show_isakmp_sa(struct ik_engine *e, bool detail, bool json, struct ik_sb *out)
{
	uint64_t now = ik_v1_now(e);

	if (json) {
		ik_sb_add(out, "[");
		show_each(e, IK_SA_SHOW_JSON, now, out);
		ik_sb_add(out, "]\n");
		return;
	}
	if (!detail) {
		ik_sb_add(out, "IPv4 Crypto ISAKMP SA\n");
		ik_sb_add(out, "dst             src             state          conn-id status\n");
		show_each(e, IK_SA_SHOW_BRIEF, now, out);
		ik_sb_add(out, "\nIPv6 Crypto ISAKMP SA\n\n");
		return;
	}
	ik_sb_add(out, "Codes: C - IKE configuration mode, D - Dead Peer Detection\n"
		  "       K - Keepalives, N - NAT-traversal\n"
		  "       T - cTCP encapsulation, X - IKE Extended Authentication\n"
		  "       psk - Preshared key, rsig - RSA signature\n"
		  "       renc - RSA encryption\n"
		  "IPv4 Crypto ISAKMP SA\n\n"
		  "C-id  Local           Remote          fvrf/ivrf      Status Encr Hash   Auth DH "
		  "Lifetime Cap.\n\n");
	show_each(e, IK_SA_SHOW_DETAIL, now, out);
	ik_sb_add(out, "IPv6 Crypto ISAKMP SA\n\n");
}

static void counters(struct ik_engine *e, const struct ik_child *c, struct ik_sa_counters *in,
		     struct ik_sa_counters *out)
{
	memset(in, 0, sizeof(*in));
	memset(out, 0, sizeof(*out));
	if (e->host.child_counters)
		e->host.child_counters(e->host.ctx, &c->sa, in, out);
}

static void proxy(const struct ik_child *c, bool local, char *buf, size_t n)
{
	char a[IK_ADDRSTRLEN], m[IK_ADDRSTRLEN];
	uint32_t addr = local ? c->sa.sel.src : c->sa.sel.dst;
	uint32_t mask = local ? c->sa.sel.src_mask : c->sa.sel.dst_mask;

	snprintf(buf, n, "%s/%s/%u/0", ik_addr_fmt(addr, a), ik_addr_fmt(mask, m), c->sa.sel.proto);
}

static void esp_block(struct ik_sb *out, const struct ik_child *c, bool inbound, uint64_t now,
		      const struct ik_sa_counters *cnt)
{
	uint32_t spi = inbound ? c->sa.in.spi : c->sa.out.spi;
	uint64_t kb = c->sa.lifetime_kb > cnt->bytes / 1024 ? c->sa.lifetime_kb - cnt->bytes / 1024
							    : 0;

	ik_sb_printf(out, "      spi: 0x%X(%u)\n", spi, spi);
	ik_sb_printf(out, "        transform: %s ,\n", c->transform_name);
	ik_sb_printf(out, "        in use settings ={%s%s, }\n",
		     c->sa.mode == IK_MODE_TRANSPORT ? "Transport" : "Tunnel",
		     c->sa.udp_encap ? " UDP-Encaps" : "");
	ik_sb_printf(out, "        conn id: %u, flow_id: SW:%u, sibling_flags 80000040, "
		     "crypto map: %s-head-0\n", c->sa.id + (inbound ? 0 : 1),
		     c->sa.id + (inbound ? 0 : 1) - 2000, c->sa.ifname);
	ik_sb_printf(out, "        sa timing: remaining key lifetime (k/sec): (%llu/%llu)\n",
		     (unsigned long long)kb,
		     (unsigned long long)(left_ms(now, c->t_hard.at) / 1000));
	ik_sb_printf(out, "        IV size: %u bytes\n",
		     c->sa.enc == IK_ESP_AES ? 16 : c->sa.enc == IK_ESP_GCM ? 8 : 8);
	ik_sb_add(out, "        replay detection support: Y\n");
	ik_sb_add(out, "        Status: ACTIVE(ACTIVE)\n\n");
}

void ik_engine_show_ipsec_sa(struct ik_engine *e, bool json, struct ik_sb *out)
{
	uint64_t now = ik_v1_now(e);
	char a[IK_ADDRSTRLEN], b[IK_ADDRSTRLEN], lp[64], rp[64];
	bool first = true;

	if (json)
		ik_sb_add(out, "[");
	for (const struct ik_child *c = e->children; c; c = c->next) {
		struct ik_sa_counters in, o;

		counters(e, c, &in, &o);
		proxy(c, true, lp, sizeof(lp));
		proxy(c, false, rp, sizeof(rp));
		ik_addr_fmt(c->local.addr, a);
		ik_addr_fmt(c->remote.addr, b);
		if (json) {
			ik_sb_printf(out, "%s{\"interface\":", first ? "" : ",");
			ik_sb_json_str(out, c->sa.ifname);
			ik_sb_printf(out, ",\"local\":\"%s\",\"peer\":\"%s\",\"peer_port\":%u,"
				     "\"local_ident\":\"%s\",\"remote_ident\":\"%s\","
				     "\"transform\":", a, b, c->remote.port, lp, rp);
			ik_sb_json_str(out, c->transform_name);
			ik_sb_printf(out, ",\"mode\":\"%s\",\"spi_in\":%u,\"spi_out\":%u,"
				     "\"conn_id_in\":%u,\"conn_id_out\":%u,\"pkts_encaps\":%llu,"
				     "\"pkts_decaps\":%llu,\"bytes_out\":%llu,\"bytes_in\":%llu,"
				     "\"lifetime_sec_left\":%llu,\"pfs_group\":%u,"
				     "\"udp_encap\":%s}",
				     c->sa.mode == IK_MODE_TRANSPORT ? "transport" : "tunnel",
				     c->sa.in.spi, c->sa.out.spi, c->sa.id, c->sa.id + 1,
				     (unsigned long long)o.packets, (unsigned long long)in.packets,
				     (unsigned long long)o.bytes, (unsigned long long)in.bytes,
				     (unsigned long long)(left_ms(now, c->t_hard.at) / 1000),
				     c->sa.pfs_group, c->sa.udp_encap ? "true" : "false");
			first = false;
			continue;
		}
		ik_sb_printf(out, "\ninterface: %s\n", c->sa.ifname);
		ik_sb_printf(out, "    Crypto map tag: %s-head-0, local addr %s\n\n", c->sa.ifname,
			     a);
		ik_sb_add(out, "   protected vrf: (none)\n");
		ik_sb_printf(out, "   local  ident (addr/mask/prot/port): (%s)\n", lp);
		ik_sb_printf(out, "   remote ident (addr/mask/prot/port): (%s)\n", rp);
		ik_sb_printf(out, "   current_peer %s port %u\n", b, c->remote.port);
		ik_sb_add(out, "     PERMIT, flags={origin_is_acl,}\n");
		ik_sb_printf(out,
			"    #pkts encaps: %llu, #pkts encrypt: %llu, #pkts digest: %llu\n",
			     (unsigned long long)o.packets, (unsigned long long)o.packets,
			     (unsigned long long)o.packets);
		ik_sb_printf(out,
			"    #pkts decaps: %llu, #pkts decrypt: %llu, #pkts verify: %llu\n",
			     (unsigned long long)in.packets, (unsigned long long)in.packets,
			     (unsigned long long)in.packets);
		ik_sb_add(out, "    #pkts compressed: 0, #pkts decompressed: 0\n"
			  "    #pkts not compressed: 0, #pkts compr. failed: 0\n"
			  "    #pkts not decompressed: 0, #pkts decompress failed: 0\n");
		ik_sb_printf(out, "    #send errors %llu, #recv errors %llu\n\n",
			     (unsigned long long)o.errors, (unsigned long long)in.errors);
		ik_sb_printf(out, "     local crypto endpt.: %s, remote crypto endpt.: %s\n", a, b);
		ik_sb_printf(out, "     plaintext mtu %u, path mtu 1500, ip mtu 1500, ip mtu idb "
			     "%s\n", c->sa.enc == IK_ESP_AES ? 1422 : 1438,
			     c->sa.tunnel && c->sa.tunnel->tunnel_source_if ?
			     c->sa.tunnel->tunnel_source_if : "(none)");
		ik_sb_printf(out, "     current outbound spi: 0x%X(%u)\n", c->sa.out.spi,
			     c->sa.out.spi);
		if (c->sa.pfs_group)
			ik_sb_printf(out, "     PFS (Y/N): Y, DH group: group%u\n\n",
				     c->sa.pfs_group);
		else
			ik_sb_add(out, "     PFS (Y/N): N, DH group: none\n\n");
		ik_sb_add(out, "     inbound esp sas:\n");
		esp_block(out, c, true, now, &in);
		ik_sb_add(out, "     inbound ah sas:\n\n     inbound pcp sas:\n\n");
		ik_sb_add(out, "     outbound esp sas:\n");
		esp_block(out, c, false, now, &o);
		ik_sb_add(out, "     outbound ah sas:\n\n     outbound pcp sas:\n");
	}
	if (json)
		ik_sb_add(out, "]\n");
}

void ik_engine_show_session(struct ik_engine *e, bool json, struct ik_sb *out)
{
	char a[IK_ADDRSTRLEN], b[IK_ADDRSTRLEN];
	bool first = true;

	if (json)
		ik_sb_add(out, "[");
	else
		ik_sb_add(out, "Crypto session current status\n\n");
	/* One session per peer: its ISAKMP SAs and its child SAs. */
	for (struct ik_p1 *p1 = e->p1s; p1; p1 = p1->next) {
		unsigned nsa = 0;
		const struct ik_child *any = NULL;
		bool dup = false;

		if (p1->dead)
			continue;
		for (struct ik_p1 *o = e->p1s; o != p1; o = o->next)
			if (!o->dead && o->remote.addr == p1->remote.addr &&
			    o->local.addr == p1->local.addr)
				dup = true;
		if (dup)
			continue;
		for (const struct ik_child *c = e->children; c; c = c->next)
			if (c->remote.addr == p1->remote.addr && c->local.addr == p1->local.addr) {
				nsa += 2;
				any = c;
			}
		const char *ifname = any ? any->sa.ifname : p1->tunnel ? p1->tunnel->name : "";
		const char *status = nsa && p1->state == IKE_P1_COMPLETE ? "UP-ACTIVE" :
			p1->state == IKE_P1_COMPLETE ? "UP-IDLE" : "DOWN-NEGOTIATING";
		ik_addr_fmt(p1->local.addr, a);
		ik_addr_fmt(p1->remote.addr, b);
		if (json) {
			ik_sb_printf(out, "%s{\"interface\":", first ? "" : ",");
			ik_sb_json_str(out, ifname);
			ik_sb_add(out, ",\"profile\":");
			ik_sb_json_str(out, p1->profile ? p1->profile->name : NULL);
			ik_sb_printf(out, ",\"status\":\"%s\",\"peer\":\"%s\",\"peer_port\":%u,"
				     "\"ike\":{\"version\":1,\"local\":\"%s/%u\",\"remote\":"
				     "\"%s/%u\",\"state\":\"%s\"},\"active_sas\":%u}", status, b,
				     p1->remote.port, a, p1->local.port, b, p1->remote.port,
				     p1->state == IKE_P1_COMPLETE ? "Active" : "Inactive", nsa);
			first = false;
			continue;
		}
		ik_sb_printf(out, "Interface: %s\n", ifname);
		if (p1->profile)
			ik_sb_printf(out, "Profile: %s\n", p1->profile->name);
		ik_sb_printf(out, "Session status: %s\n", status);
		ik_sb_printf(out, "Peer: %s port %u\n", b, p1->remote.port);
		for (struct ik_p1 *o = p1; o; o = o->next)
			if (!o->dead && o->remote.addr == p1->remote.addr &&
			    o->local.addr == p1->local.addr)
				ik_sb_printf(out, "  IKEv1 SA: local %s/%u remote %s/%u %s\n", a,
					     o->local.port, b, o->remote.port,
					     o->state == IKE_P1_COMPLETE ? "Active" : "Inactive");
		if (any) {
			char s[IK_ADDRSTRLEN], d[IK_ADDRSTRLEN];

			if (any->sa.sel.proto == 47)
				ik_sb_printf(out, "  IPSEC FLOW: permit 47 host %s host %s\n",
					     ik_addr_fmt(any->sa.sel.src, s),
					     ik_addr_fmt(any->sa.sel.dst, d));
			else
				ik_sb_add(out, "  IPSEC FLOW: permit ip 0.0.0.0/0.0.0.0 "
					  "0.0.0.0/0.0.0.0\n");
			ik_sb_printf(out, "        Active SAs: %u, origin: crypto map\n", nsa);
		}
		ik_sb_add(out, "\n");
	}
	if (json)
		ik_sb_add(out, "]\n");
}

void ik_engine_show_peers(struct ik_engine *e, bool json, struct ik_sb *out)
{
	char a[IK_ADDRSTRLEN], b[IK_ADDRSTRLEN];
	bool first = true;

	if (json)
		ik_sb_add(out, "[");
	for (struct ik_p1 *p1 = e->p1s; p1; p1 = p1->next) {
		char id[IK_ESCAPED_LEN(255)];

		if (p1->dead)
			continue;
		if (p1->peer_id_type == IK_V1_ID_IPV4_ADDR)
			ik_addr_fmt(p1->peer_id_addr, id);
		else if (p1->peer_id_type)
			ik_str_escape(p1->peer_id_name ? p1->peer_id_name : "",
				      p1->peer_id_name ? strlen(p1->peer_id_name) : 0, id,
				      sizeof(id));
		else
			snprintf(id, sizeof(id), "%s", "");
		ik_addr_fmt(p1->remote.addr, b);
		ik_addr_fmt(p1->local.addr, a);
		if (json) {
			ik_sb_printf(out, "%s{\"peer\":\"%s\",\"port\":%u,\"local\":\"%s\","
				     "\"phase1_id\":", first ? "" : ",", b, p1->remote.port, a);
			ik_sb_json_str(out, id);
			ik_sb_add(out, "}");
			first = false;
			continue;
		}
		ik_sb_printf(out, "Peer: %s Port: %u Local: %s\n", b, p1->remote.port, a);
		ik_sb_printf(out, " Phase1 id: %s\n", id);
	}
	if (json)
		ik_sb_add(out, "]\n");
}

void ik_v1_trace_create_sa(struct ik_engine *e, const struct ik_child *c)
{
	char a[IK_ADDRSTRLEN];

	ik_dbg(e->log, IK_DBG_IPSEC, "IPSEC(key_engine): got a queue event with 1 KMI message(s)");
	ik_dbg(e->log, IK_DBG_IPSEC, "IPSEC(crypto_ipsec_create_ipsec_sas): Map found %s-head-0",
	       c->sa.ifname);
	ik_dbg(e->log, IK_DBG_IPSEC, "IPSEC(create_sa): sa created,");
	ik_dbg(e->log, IK_DBG_IPSEC, "  (sa) sa_dest= %s, sa_proto= 50,",
	       ik_addr_fmt(c->local.addr, a));
	ik_dbg(e->log, IK_DBG_IPSEC, "    sa_spi= 0x%X(%u),", c->sa.in.spi, c->sa.in.spi);
	ik_dbg(e->log, IK_DBG_IPSEC, "    sa_trans= %s , sa_conn_id= %u", c->transform_name,
	       c->sa.id);
	ik_dbg(e->log, IK_DBG_IPSEC, "IPSEC(create_sa): sa created,");
	ik_dbg(e->log, IK_DBG_IPSEC, "  (sa) sa_dest= %s, sa_proto= 50,",
	       ik_addr_fmt(c->remote.addr, a));
	ik_dbg(e->log, IK_DBG_IPSEC, "    sa_spi= 0x%X(%u),", c->sa.out.spi, c->sa.out.spi);
	ik_dbg(e->log, IK_DBG_IPSEC, "    sa_trans= %s , sa_conn_id= %u", c->transform_name,
	       c->sa.id + 1);
}
