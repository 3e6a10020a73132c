/* show crypto isakmp sa [detail], show crypto ipsec sa [peer A] [detail],
 * show crypto session [remote A] [detail | brief], show crypto isakmp peers,
 * show crypto engine connections active: IOS 15 layouts, and the same data as
 * JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/v1_int.h"
#include "ike/v2_more.h"
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
	char a[IK_ADDR_ANYSTRLEN], b[IK_ADDR_ANYSTRLEN], ebuf[16], life[16], vrf[40], cap[8] = "";

	switch (form) {
	case IK_SA_SHOW_JSON:
		ik_sb_printf(out, "%s{\"conn_id\":%u,\"dst\":\"%s\",\"src\":\"%s\","
			     "\"state\":\"%s\",\"ike_state\":\"%s\",\"status\":\"ACTIVE\","
			     "\"role\":\"%s\",\"fvrf\":", first ? "" : ",", p1->conn_id,
			     ik_addr_fmt_ios(p1->initiator ? &p1->remote.ip : &p1->local.ip, a),
			     ik_addr_fmt_ios(p1->initiator ? &p1->local.ip : &p1->remote.ip, b),
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
		ik_addr_fmt_ios(p1->initiator ? &p1->remote.ip : &p1->local.ip, a);
		ik_addr_fmt_ios(p1->initiator ? &p1->local.ip : &p1->remote.ip, b);
		if (p1->remote.family == IK_AF_INET6) {
			/* IOS gives an IPv6 SA three lines: the addresses are too wide
			 * for the columns */
			ik_sb_printf(out, " dst: %s\n src: %s\n state: %-15s conn-id: %6u "
				     "status: ACTIVE\n\n", a, b, ik_v1_p1_disp(p1), p1->conn_id);
			return;
		}
		ik_sb_printf(out, "%-15s %-15s %-15s%7u ACTIVE\n", a, b, ik_v1_p1_disp(p1),
			     p1->conn_id);
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
	if (p1->remote.family == IK_AF_INET6)
		/* as IOS: the local address after the connection id, the remote
		 * one under the Remote column, the rest on a third line */
		ik_sb_printf(out, "%-5u %s\n%22s%s\n%38s", p1->conn_id,
			     ik_addr_fmt_ios(&p1->local.ip, a), "",
			     ik_addr_fmt_ios(&p1->remote.ip, b), "");
	else
		ik_sb_printf(out, "%-5u %-15s %-15s ", p1->conn_id,
			     ik_addr_fmt_ios(&p1->local.ip, a),
			     ik_addr_fmt_ios(&p1->remote.ip, b));
	ik_sb_printf(out, "%-14s %-6s %-4s %-6s %-4s %-2u %-8s %s\n", vrf,
		     p1->state == IKE_P1_COMPLETE ? "ACTIVE" : "ACTIVE",
		     encr_short(p1, ebuf, sizeof(ebuf)), hash_short(p1->hash),
		     p1->have_keys || p1->encr ? "psk" : "", p1->group, life, cap);
	ik_sb_printf(out, "       Engine-id:Conn-id =  SW:%u\n\n",
		     p1->conn_id >= 1000 ? p1->conn_id - 1000 : p1->conn_id);
}

/* Every SA of one address family (any with family < 0) through its
 * version's show op; how many. */
static unsigned show_each(struct ik_engine *e, enum ik_sa_show form, int family, uint64_t now,
			  struct ik_sb *out)
{
	bool first = true;
	unsigned n = 0;

	for (struct ik_p1 *p1 = e->p1s; p1; p1 = p1->next) {
		if (p1->dead || (family >= 0 && p1->remote.family != family))
			continue;
		n++;
		p1->ops->show(&p1->sa, form, first, now, out);
		first = false;
	}
	return n;
}

void ik_engine_show_isakmp_sa(struct ik_engine *e, bool detail, bool json, struct ik_sb *out)
{
	uint64_t now = ik_core_now(e);

	if (json) {
		ik_sb_add(out, "[");
		show_each(e, IK_SA_SHOW_JSON, -1, now, out);
		ik_sb_add(out, "]\n");
		return;
	}
	if (!detail) {
		ik_sb_add(out, "IPv4 Crypto ISAKMP SA\n");
		ik_sb_add(out, "dst             src             state          conn-id status\n");
		show_each(e, IK_SA_SHOW_BRIEF, IK_AF_INET4, now, out);
		ik_sb_add(out, "\nIPv6 Crypto ISAKMP SA\n\n");
		show_each(e, IK_SA_SHOW_BRIEF, IK_AF_INET6, now, out);
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
	show_each(e, IK_SA_SHOW_DETAIL, IK_AF_INET4, now, out);
	ik_sb_add(out, "IPv6 Crypto ISAKMP SA\n\n");
	for (struct ik_p1 *p1 = e->p1s; p1; p1 = p1->next)
		if (!p1->dead && p1->remote.family == IK_AF_INET6) {
			ik_sb_add(out, "C-id  Local           Remote          fvrf/ivrf      "
				  "Status Encr Hash   Auth DH Lifetime Cap.\n\n");
			break;
		}
	show_each(e, IK_SA_SHOW_DETAIL, IK_AF_INET6, now, out);
}

static void counters(struct ik_engine *e, const struct ik_child *c, struct ik_sa_counters *in,
		     struct ik_sa_counters *out)
{
	memset(in, 0, sizeof(*in));
	memset(out, 0, sizeof(*out));
	if (e->host.child_counters)
		e->host.child_counters(e->host.ctx, &c->sa, in, out);
}

/* IOS writes an IPv4 ident with its mask, an IPv6 one with its prefix length
 * (2001:DB8::1/128/47/0). */
static void proxy(const struct ik_child *c, bool local, char *buf, size_t n)
{
	char a[IK_ADDR_ANYSTRLEN], m[IK_ADDRSTRLEN];
	const struct ik_addr *addr = local ? &c->sa.sel.src : &c->sa.sel.dst;
	uint8_t plen = local ? c->sa.sel.src_plen : c->sa.sel.dst_plen;

	if (addr->family == IK_AF_INET6)
		snprintf(buf, n, "%s/%u/%u/0", ik_addr_fmt_ios(addr, a), plen, c->sa.sel.proto);
	else
		snprintf(buf, n, "%s/%s/%u/0", ik_addr_fmt(addr->v4, a),
			 ik_addr_fmt(ik_sel_mask4(plen), m), c->sa.sel.proto);
}

static void esp_block(struct ik_sb *out, const struct ik_child *c, bool inbound, uint64_t now,
		      const struct ik_sa_counters *cnt, const char *tag)
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
		     "crypto map: %s\n", c->sa.id + (inbound ? 0 : 1),
		     c->sa.id + (inbound ? 0 : 1) - 2000, tag);
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
	static const struct ik_show_opts all;

	ik_engine_show_ipsec_sa_opt(e, &all, json, out);
}

void ik_engine_show_ipsec_sa_opt(struct ik_engine *e, const struct ik_show_opts *so, bool json,
				 struct ik_sb *out)
{
	uint64_t now = ik_core_now(e);
	char a[IK_ADDR_ANYSTRLEN], b[IK_ADDR_ANYSTRLEN], lp[64], rp[64];
	bool first = true;

	if (json)
		ik_sb_add(out, "[");
	for (const struct ik_child *c = e->children; c; c = c->next) {
		struct ik_sa_counters in, o;

		const char *ifn = c->sa.ifname;
		char tag[80];

		if (!ik_show_opts_peer(so, &c->remote.ip))
			continue;
		if (so->map && (!c->sa.cmap || !ik_v1_cmap_in_map(c->cfg, c->sa.cmap, so->map)))
			continue;
		/* tunnels: IOS's internal map of the interface; crypto maps: the tag */
		if (c->sa.cmap) {
			ifn = ik_v1_cmap_ifname(c->cfg, c->sa.cmap);
			snprintf(tag, sizeof(tag), "%s", c->sa.cmap->map->name);
		} else {
			snprintf(tag, sizeof(tag), "%s-head-0", c->sa.ifname);
		}
		counters(e, c, &in, &o);
		proxy(c, true, lp, sizeof(lp));
		proxy(c, false, rp, sizeof(rp));
		ik_addr_fmt_ios(&c->local.ip, a);
		ik_addr_fmt_ios(&c->remote.ip, b);
		if (json) {
			ik_sb_printf(out, "%s{\"interface\":", first ? "" : ",");
			ik_sb_json_str(out, ifn);
			ik_sb_add(out, ",\"crypto_map\":");
			ik_sb_json_str(out, c->sa.cmap ? tag : NULL);
			ik_sb_printf(out, ",\"local\":\"%s\",\"peer\":\"%s\",\"peer_port\":%u,"
				     "\"local_ident\":\"%s\",\"remote_ident\":\"%s\","
				     "\"transform\":", a, b, c->remote.port, lp, rp);
			ik_sb_json_str(out, c->transform_name);
			ik_sb_printf(out, ",\"mode\":\"%s\",\"spi_in\":%u,\"spi_out\":%u,"
				     "\"conn_id_in\":%u,\"conn_id_out\":%u,\"pkts_encaps\":%llu,"
				     "\"pkts_decaps\":%llu,\"bytes_out\":%llu,\"bytes_in\":%llu,"
				     "\"lifetime_sec_left\":%llu,\"pfs_group\":%u,"
				     "\"udp_encap\":%s,\"recv_errors\":%llu,\"send_errors\":%llu,"
				     "\"replay_failed\":%llu,\"verify_failed\":%llu}",
				     c->sa.mode == IK_MODE_TRANSPORT ? "transport" : "tunnel",
				     c->sa.in.spi, c->sa.out.spi, c->sa.id, c->sa.id + 1,
				     (unsigned long long)o.packets, (unsigned long long)in.packets,
				     (unsigned long long)o.bytes, (unsigned long long)in.bytes,
				     (unsigned long long)(left_ms(now, c->t_hard.at) / 1000),
				     c->sa.pfs_group, c->sa.udp_encap ? "true" : "false",
				     (unsigned long long)in.errors, (unsigned long long)o.errors,
				     (unsigned long long)in.replay_failed,
				     (unsigned long long)in.auth_failed);
			first = false;
			continue;
		}
		ik_sb_printf(out, "\ninterface: %s\n", ifn);
		ik_sb_printf(out, "    Crypto map tag: %s, local addr %s\n\n", tag, a);
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
		if (so->detail) {
			/* the failure counters the kernel keeps per SA */
			ik_sb_printf(out, "    #pkts verify failed: %llu\n",
				     (unsigned long long)in.auth_failed);
			ik_sb_printf(out, "    ##pkts replay failed (rcv): %llu\n",
				     (unsigned long long)in.replay_failed);
		}
		ik_sb_printf(out, "    #send errors %llu, #recv errors %llu\n\n",
			     (unsigned long long)o.errors, (unsigned long long)in.errors);
		ik_sb_printf(out, "     local crypto endpt.: %s, remote crypto endpt.: %s\n", a, b);
		/* an IPv6 outer header is 20 bytes longer than an IPv4 one */
		ik_sb_printf(out, "     plaintext mtu %u, path mtu 1500, ip mtu 1500, ip mtu idb "
			     "%s\n", (c->sa.enc == IK_ESP_AES ? 1422u : 1438u) -
			     (c->sa.out.dst.family == IK_AF_INET6 ? 20u : 0u),
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
		esp_block(out, c, true, now, &in, tag);
		ik_sb_add(out, "     inbound ah sas:\n\n     inbound pcp sas:\n\n");
		ik_sb_add(out, "     outbound esp sas:\n");
		esp_block(out, c, false, now, &o, tag);
		ik_sb_add(out, "     outbound ah sas:\n\n     outbound pcp sas:\n");
	}
	if (json)
		ik_sb_add(out, "]\n");
}

/* "Tunnel1" as IOS abbreviates it in narrow columns ("Tu1"). */
static void ifname_short(const char *name, char *buf, size_t n)
{
	static const struct {
		const char *full, *abbr;
	} ab[] = {
		{ "Tunnel", "Tu" }, { "GigabitEthernet", "Gi" }, { "FastEthernet", "Fa" },
		{ "Ethernet", "Et" }, { "Loopback", "Lo" }, { "Virtual-Access", "Vi" },
	};

	for (size_t i = 0; i < IK_ARRAY_LEN(ab); i++) {
		size_t l = strlen(ab[i].full);

		if (!strncmp(name, ab[i].full, l)) {
			snprintf(buf, n, "%s%s", ab[i].abbr, name + l);
			return;
		}
	}
	snprintf(buf, n, "%s", name);
}

/* The peer's phase-1 identity, escaped (it comes from the network). */
static void peer_id_text(const struct ik_p1 *p1, char *id, size_t n)
{
	if (ik_v1_peer_id_type(p1) == IK_V1_ID_IPV4_ADDR)
		ik_addr_fmt(p1->up->peer_id_addr, id);
	else if (ik_v1_peer_id_type(p1))
		ik_str_escape(p1->up->peer_id_name, strlen(p1->up->peer_id_name), id, n);
	else
		snprintf(id, n, "%s", "");
}

static void p1_caps(const struct ik_p1 *p1, char *cap)
{
	cap[0] = '\0';
	if (p1->peer_dpd && (p1->cfg->keepalive || (p1->profile && p1->profile->keepalive)))
		strcat(cap, "D");
	if (p1->nat_self || p1->nat_peer)
		strcat(cap, "N");
}

/* The sessions of show crypto session: the live ISAKMP SAs grouped by
 * (local, remote) address pair, the first of each pair in the list being its
 * session's head, and the children grouped the same way. Built once per
 * command by sorting (O(n log n)), instead of a walk over every SA and child
 * for each SA. */
struct sess_ent {
	uint8_t k[2 * IK_ADDR_KEYLEN];
	size_t klen;
	size_t idx;             /* position in its list */
	const void *obj;        /* struct ik_p1 or struct ik_child */
};

/* A session's head: its position in the list, and in the sorted p1s. */
struct sess_head {
	size_t idx, pos;
};

struct sessions {
	struct sess_ent *p1s, *ch;
	size_t np1, nch;
	struct sess_head *heads; /* in list order */
	size_t nheads;
};

static void sess_key(struct sess_ent *s, const struct ik_endpoint *l,
		     const struct ik_endpoint *r)
{
	s->klen = ik_addr_key(&l->ip, s->k);
	s->klen += ik_addr_key(&r->ip, s->k + s->klen);
}

static int sess_key_cmp(const struct sess_ent *x, const struct sess_ent *y)
{
	int c = memcmp(x->k, y->k, x->klen < y->klen ? x->klen : y->klen);

	if (c)
		return c;
	return x->klen < y->klen ? -1 : x->klen > y->klen;
}

static int sess_cmp(const void *a, const void *b)
{
	const struct sess_ent *x = a, *y = b;
	int c = sess_key_cmp(x, y);

	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int head_cmp(const void *a, const void *b)
{
	const struct sess_head *x = a, *y = b;

	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void sessions_build(const struct ik_engine *e, struct sessions *ss)
{
	size_t n = 0, m = 0, i = 0;

	memset(ss, 0, sizeof(*ss));
	for (const struct ik_p1 *p1 = e->p1s; p1; p1 = p1->next)
		n++;
	for (const struct ik_child *c = e->children; c; c = c->next)
		m++;
	ss->p1s = ik_xcalloc(n ? n : 1, sizeof(*ss->p1s));
	ss->ch = ik_xcalloc(m ? m : 1, sizeof(*ss->ch));
	ss->heads = ik_xcalloc(n ? n : 1, sizeof(*ss->heads));
	for (const struct ik_p1 *p1 = e->p1s; p1; p1 = p1->next, i++) {
		struct sess_ent *s;

		if (p1->dead)
			continue;
		s = &ss->p1s[ss->np1++];
		sess_key(s, &p1->local, &p1->remote);
		s->idx = i;
		s->obj = p1;
	}
	i = 0;
	for (const struct ik_child *c = e->children; c; c = c->next, i++) {
		struct sess_ent *s = &ss->ch[ss->nch++];

		sess_key(s, &c->local, &c->remote);
		s->idx = i;
		s->obj = c;
	}
	qsort(ss->p1s, ss->np1, sizeof(*ss->p1s), sess_cmp);
	qsort(ss->ch, ss->nch, sizeof(*ss->ch), sess_cmp);
	for (i = 0; i < ss->np1; i++)
		if (i == 0 || sess_key_cmp(&ss->p1s[i - 1], &ss->p1s[i]))
			ss->heads[ss->nheads++] = (struct sess_head){ ss->p1s[i].idx, i };
	qsort(ss->heads, ss->nheads, sizeof(*ss->heads), head_cmp);
}

static void sessions_free(struct sessions *ss)
{
	free(ss->p1s);
	free(ss->ch);
	free(ss->heads);
}

/* The children of the session whose head is ss->p1s[h]: how many, and the
 * last of them in the engine's list (NULL when none). */
static unsigned session_children(const struct sessions *ss, size_t h, const struct ik_child **last)
{
	size_t lo = 0, hi = ss->nch;
	unsigned n = 0;

	*last = NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sess_key_cmp(&ss->ch[mid], &ss->p1s[h]) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ss->nch && !sess_key_cmp(&ss->ch[lo], &ss->p1s[h]); lo++, n++)
		*last = ss->ch[lo].obj;
	return n;
}

/* show crypto session brief */
static void session_brief(struct ik_engine *e, const struct ik_show_opts *so, struct ik_sb *out)
{
	uint64_t now = ik_core_now(e);
	struct sessions ss;

	ik_sb_add(out, "Status: A- Active, U - Up, D - Down, I - Idle, S - Standby, "
		  "N - Negotiating\n        K - No IKE\nivrf = (none)\n"
		  " Peer            I/F          Username        Group/Phase1_id          "
		  "Uptime   Status\n");
	sessions_build(e, &ss);
	for (size_t h = 0; h < ss.nheads; h++) {
		const struct ik_p1 *p1 = ss.p1s[ss.heads[h].pos].obj;
		const struct ik_child *any;
		char b[IK_ADDR_ANYSTRLEN], ifs[32], id[IK_ESCAPED_LEN(255)], up[16];
		const char *st;

		if (!ik_show_opts_peer(so, &p1->remote.ip))
			continue;
		session_children(&ss, ss.heads[h].pos, &any);
		ifname_short(any ? any->sa.ifname : p1->tunnel ? p1->tunnel->name : "", ifs,
			     sizeof(ifs));
		peer_id_text(p1, id, sizeof(id));
		st = p1->state != IKE_P1_COMPLETE ? "DN" : any ? "UA" : "UI";
		fmt_hms(now - (p1->up && p1->up->established_ms ? p1->up->established_ms :
			       p1->created_ms), up,
			sizeof(up));
		ik_sb_printf(out, "%-15s %-12s %-15s %-24s %-8s %s\n",
			     ik_addr_fmt_ios(&p1->remote.ip, b), ifs, "", id, up, st);
	}
	sessions_free(&ss);
	ik_v2_show_session_brief(e, so, out); /* v2_show_sa.c */
}

void ik_engine_show_session(struct ik_engine *e, bool json, struct ik_sb *out)
{
	static const struct ik_show_opts all;

	ik_engine_show_session_opt(e, &all, json, out);
}

void ik_engine_show_session_opt(struct ik_engine *e, const struct ik_show_opts *so, bool json,
				struct ik_sb *out)
{
	char a[IK_ADDR_ANYSTRLEN], b[IK_ADDR_ANYSTRLEN];
	uint64_t now = ik_core_now(e);
	struct sessions ss;
	bool first = true;

	if (so->brief && !json) {
		session_brief(e, so, out);
		return;
	}
	if (json)
		ik_sb_add(out, "[");
	else if (so->detail)
		ik_sb_add(out, "Crypto session current status\n\n"
			  "Code: C - IKE Configuration mode, D - Dead Peer Detection\n"
			  "K - Keepalives, N - NAT-traversal, T - cTCP encapsulation\n"
			  "X - IKE Extended Authentication, F - IKE Fragmentation\n"
			  "R - IKE Auto Reconnect, U - IKE Dynamic Route Update\n\n");
	else
		ik_sb_add(out, "Crypto session current status\n\n");
	/* One session per peer: its ISAKMP SAs and its child SAs. */
	sessions_build(e, &ss);
	for (size_t h = 0; h < ss.nheads; h++) {
		const struct ik_p1 *p1 = ss.p1s[ss.heads[h].pos].obj;
		unsigned nsa;
		const struct ik_child *any;
		char id[IK_ESCAPED_LEN(255)], up[16];

		if (!ik_show_opts_peer(so, &p1->remote.ip))
			continue;
		nsa = 2 * session_children(&ss, ss.heads[h].pos, &any);
		const char *ifname = any ? any->sa.ifname : p1->tunnel ? p1->tunnel->name : "";
		const char *status = nsa && p1->state == IKE_P1_COMPLETE ? "UP-ACTIVE" :
			p1->state == IKE_P1_COMPLETE ? "UP-IDLE" : "DOWN-NEGOTIATING";
		ik_addr_fmt_ios(&p1->local.ip, a);
		ik_addr_fmt_ios(&p1->remote.ip, b);
		peer_id_text(p1, id, sizeof(id));
		fmt_hms(now - (p1->up && p1->up->established_ms ? p1->up->established_ms :
			       p1->created_ms), up,
			sizeof(up));
		if (json) {
			ik_sb_printf(out, "%s{\"interface\":", first ? "" : ",");
			ik_sb_json_str(out, ifname);
			ik_sb_add(out, ",\"profile\":");
			ik_sb_json_str(out, p1->profile ? p1->profile->name : NULL);
			ik_sb_add(out, ",\"phase1_id\":");
			ik_sb_json_str(out, id);
			ik_sb_add(out, ",\"fvrf\":");
			ik_sb_json_str(out, p1->fvrf);
			ik_sb_printf(out, ",\"uptime\":\"%s\",\"conn_id\":%u", up, p1->conn_id);
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
		if (so->detail)
			ik_sb_printf(out, "Uptime: %s\n", up);
		ik_sb_printf(out, "Session status: %s\n", status);
		if (so->detail) {
			ik_sb_printf(out, "Peer: %s port %u fvrf: %s ivrf: %s\n", b,
				     p1->remote.port, p1->fvrf ? p1->fvrf : "(none)",
				     p1->profile && p1->profile->ivrf ? p1->profile->ivrf :
				     "(none)");
			ik_sb_printf(out, "      Phase1_id: %s\n", id);
			ik_sb_printf(out, "      Desc: %s\n",
				     p1->profile && p1->profile->description ?
				     p1->profile->description : "(none)");
		} else {
			ik_sb_printf(out, "Peer: %s port %u\n", b, p1->remote.port);
		}
		for (size_t k = ss.heads[h].pos; k < ss.np1 &&
		     !sess_key_cmp(&ss.p1s[k], &ss.p1s[ss.heads[h].pos]); k++) {
			const struct ik_p1 *o = ss.p1s[k].obj;
			char cap[8], life[16];

			ik_sb_printf(out, "  IKEv1 SA: local %s/%u remote %s/%u %s\n", a,
				     o->local.port, b, o->remote.port,
				     o->state == IKE_P1_COMPLETE ? "Active" : "Inactive");
			if (!so->detail)
				continue;
			p1_caps(o, cap);
			fmt_hms(o->state == IKE_P1_COMPLETE ? left_ms(now, o->t_expire.at) : 0,
				life, sizeof(life));
			ik_sb_printf(out, "          Capabilities:%s connid:%u lifetime:%s\n",
				     cap[0] ? cap : "(none)", o->conn_id, life);
		}
		if (any) {
			ik_sel_flow_line(out, &any->sa.sel);
			ik_sb_printf(out, "        Active SAs: %u, origin: crypto map\n", nsa);
			if (so->detail) {
				struct ik_sa_counters in, o;
				unsigned long long kin, kout;

				counters(e, any, &in, &o);
				kin = any->sa.lifetime_kb > in.bytes / 1024 ?
				      any->sa.lifetime_kb - in.bytes / 1024 : 0;
				kout = any->sa.lifetime_kb > o.bytes / 1024 ?
				       any->sa.lifetime_kb - o.bytes / 1024 : 0;
				ik_sb_printf(out, "        Inbound:  #pkts dec'ed %llu drop %llu life "
					     "(KB/Sec) %llu/%llu\n",
					     (unsigned long long)in.packets,
					     (unsigned long long)in.errors, kin,
					     (unsigned long long)(left_ms(now, any->t_hard.at) / 1000));
				ik_sb_printf(out, "        Outbound: #pkts enc'ed %llu drop %llu life "
					     "(KB/Sec) %llu/%llu\n",
					     (unsigned long long)o.packets,
					     (unsigned long long)o.errors, kout,
					     (unsigned long long)(left_ms(now, any->t_hard.at) / 1000));
			}
		}
		ik_sb_add(out, "\n");
	}
	sessions_free(&ss);
	ik_v2_show_crypto_session(e, so, json, &first, out); /* v2_show_sa.c */
	if (json)
		ik_sb_add(out, "]\n");
}

void ik_engine_show_peers(struct ik_engine *e, bool json, struct ik_sb *out)
{
	char a[IK_ADDR_ANYSTRLEN], b[IK_ADDR_ANYSTRLEN];
	bool first = true;

	if (json)
		ik_sb_add(out, "[");
	for (struct ik_p1 *p1 = e->p1s; p1; p1 = p1->next) {
		char id[IK_ESCAPED_LEN(255)];

		if (p1->dead)
			continue;
		if (ik_v1_peer_id_type(p1) == IK_V1_ID_IPV4_ADDR)
			ik_addr_fmt(p1->up->peer_id_addr, id);
		else if (ik_v1_peer_id_type(p1))
			ik_str_escape(p1->up->peer_id_name ? p1->up->peer_id_name : "",
				      p1->up->peer_id_name ? strlen(p1->up->peer_id_name) : 0, id,
				      sizeof(id));
		else
			snprintf(id, sizeof(id), "%s", "");
		ik_addr_fmt_ios(&p1->remote.ip, b);
		ik_addr_fmt_ios(&p1->local.ip, a);
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

static const char *esp_enc_text(const struct ik_child_sa *sa, char *buf, size_t n)
{
	switch (sa->enc) {
	case IK_ESP_DES: return "DES";
	case IK_ESP_3DES: return "3DES";
	case IK_ESP_AES:
		snprintf(buf, n, "AES%s", sa->enc_keylen == 192 ? "192" :
			 sa->enc_keylen == 256 ? "256" : "");
		return buf;
	case IK_ESP_GCM:
		snprintf(buf, n, "AES%s-GCM", sa->enc_keylen == 192 ? "192" :
			 sa->enc_keylen == 256 ? "256" : "");
		return buf;
	default: return "NULL";
	}
}

static const char *esp_auth_text(enum ik_esp_auth a)
{
	switch (a) {
	case IK_ESP_MD5: return "MD5";
	case IK_ESP_SHA1: return "SHA";
	case IK_ESP_SHA256: return "SHA256";
	case IK_ESP_SHA384: return "SHA384";
	case IK_ESP_SHA512: return "SHA512";
	default: return NULL;
	}
}

/* One row of show crypto engine connections active; counters < 0 are not
 * known to ikerd and print as "-". */
static void conn_row(struct ik_sb *out, bool json, bool *first, unsigned id, const char *type,
		     const char *alg, long long enc, long long dec, const struct ik_addr *addr)
{
	char a[IK_ADDR_ANYSTRLEN], e[24], d[24];

	ik_addr_fmt_ios(addr, a);
	if (json) {
		ik_sb_printf(out, "%s{\"id\":%u,\"type\":\"%s\",\"algorithm\":\"%s\","
			     "\"encrypt\":", *first ? "" : ",", id, type, alg);
		if (enc < 0)
			ik_sb_add(out, "null");
		else
			ik_sb_printf(out, "%lld", enc);
		ik_sb_add(out, ",\"decrypt\":");
		if (dec < 0)
			ik_sb_add(out, "null");
		else
			ik_sb_printf(out, "%lld", dec);
		ik_sb_printf(out, ",\"address\":\"%s\"}", a);
		*first = false;
		return;
	}
	snprintf(e, sizeof(e), enc < 0 ? "-" : "%lld", enc);
	snprintf(d, sizeof(d), dec < 0 ? "-" : "%lld", dec);
	ik_sb_printf(out, "%5u  %-7s %-18s %8s %8s %8s %s\n", id, type, alg, e, d, "-", a);
}

/* show crypto engine connections active: one row per SA, the ISAKMP SAs
 * (hash+cipher, as IOS writes them) and both directions of each IPsec SA
 * pair (cipher+hash) with their packet counts. LastSeqN is not read from the
 * kernel: "-". */
void ik_engine_show_engine_conns(struct ik_engine *e, bool json, struct ik_sb *out)
{
	bool first = true;

	if (json)
		ik_sb_add(out, "[");
	else
		ik_sb_add(out, "Crypto Engine Connections\n\n"
			  "   ID  Type    Algorithm           Encrypt  Decrypt LastSeqN "
			  "IP-Address\n");
	for (const struct ik_child *c = e->children; c; c = c->next) {
		struct ik_sa_counters in, o;
		char eb[16], alg[40];
		const char *h = esp_auth_text(c->sa.auth);

		counters(e, c, &in, &o);
		snprintf(alg, sizeof(alg), "%s%s%s", esp_enc_text(&c->sa, eb, sizeof(eb)),
			 h ? "+" : "", h ? h : "");
		conn_row(out, json, &first, c->sa.id, "IPsec", alg, 0, (long long)in.packets,
			 &c->local.ip);
		conn_row(out, json, &first, c->sa.id + 1, "IPsec", alg, (long long)o.packets, 0,
			 &c->local.ip);
	}
	for (const struct ik_p1 *p1 = e->p1s; p1; p1 = p1->next) {
		char eb[16], hb[16], alg[40];

		if (p1->dead || p1->state != IKE_P1_COMPLETE)
			continue;
		snprintf(hb, sizeof(hb), "%s", hash_short(p1->hash));
		for (char *p = hb; *p; p++)
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		snprintf(alg, sizeof(alg), "%s+%s", hb, encr_short(p1, eb, sizeof(eb)));
		for (char *p = alg; *p; p++)
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		conn_row(out, json, &first, p1->conn_id, "IKE", alg, -1, -1, &p1->local.ip);
	}
	if (json)
		ik_sb_add(out, "]\n");
}
