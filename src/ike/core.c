/* The version-neutral core of the engine, shared by IKEv1 (engine.c and
 * v1_*.c) and IKEv2 (v2_*.c): the snapshots the SAs hold, the clock, random
 * bytes and timers of the host, the keys of the hash tables, the child SA
 * table, and the configuration helpers both versions ask. */
#include "ike/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/peer.h"
#include "profile/snapshot.h"
#include "util/addr.h"
#include "util/log.h"
#include "util/util.h"

/* ---- snapshots ---- */

/* The shared count of a snapshot may be touched by the engines of several
 * threads at once (reload): atomically. */
static void cfg_ref_atomic(struct ik_config *cfg)
{
	__atomic_add_fetch(&cfg->refs, 1, __ATOMIC_RELAXED);
}

static void cfg_unref_atomic(struct ik_config *cfg)
{
	if (__atomic_sub_fetch(&cfg->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		cfg->refs = 1; /* the last one: let the model free itself */
		ik_config_unref(cfg);
	}
}

struct ik_config *ik_core_cfg_hold(struct ik_engine *e, struct ik_config *cfg)
{
	struct ik_snap *h;

	for (h = e->snaps; h; h = h->next)
		if (h->cfg == cfg) {
			h->holders++;
			return cfg;
		}
	h = calloc(1, sizeof(*h));
	if (!h)
		abort(); /* nowhere to keep the snapshot alive: nothing sensible left */
	h->cfg = cfg;
	h->holders = 1;
	cfg_ref_atomic(cfg);
	h->next = e->snaps;
	e->snaps = h;
	return cfg;
}

void ik_core_cfg_release(struct ik_engine *e, struct ik_config *cfg)
{
	for (struct ik_snap **pp = &e->snaps; *pp; pp = &(*pp)->next) {
		struct ik_snap *h = *pp;

		if (h->cfg != cfg)
			continue;
		if (--h->holders == 0) {
			*pp = h->next;
			cfg_unref_atomic(h->cfg);
			free(h);
		}
		return;
	}
}

/* ---- host services ---- */

uint64_t ik_core_now(struct ik_engine *e)
{
	return e->host.now_ms(e->host.ctx);
}

void ik_core_rand(struct ik_engine *e, void *buf, size_t len)
{
	e->host.random(e->host.ctx, buf, len);
}

void ik_core_timer_set(struct ik_engine *e, struct ik_timer *t, uint64_t at)
{
	if (ik_timer_set(&e->timers, t, at))
		ik_msg(e->log, IK_LOG_ERR, "ISAKMP: out of memory arming a timer");
}

/* ---- table keys ---- */

uint64_t ik_core_hash_spi(const struct ik_engine *e, const uint8_t cky[8])
{
	return ik_keyed_hash(e->hkey, cky, 8);
}

/* The peer key: the address pair (struct ik_addr's canonical bytes, so that
 * IPv6 peers key the same tables), the remote port and the front-door VRF.
 * A peer's SAs with one local address share a chain, bounded by the caps per
 * pair, however many local addresses the peer reaches. */
uint64_t ik_core_hash_peer(const struct ik_engine *e, const char *fvrf,
			  const struct ik_addr *local, const struct ik_addr *addr, uint16_t port)
{
	uint8_t k[2 * IK_ADDR_KEYLEN + 2 + 64];
	size_t n = ik_addr_key(addr, k), v = 0;

	n += ik_addr_key(local, k + n);

	k[n++] = (uint8_t)(port >> 8);
	k[n++] = (uint8_t)port;
	if (fvrf) {
		v = strlen(fvrf);
		if (v > 64)
			v = 64;
		memcpy(k + n, fvrf, v);
	}
	return ik_keyed_hash(e->hkey, k, n + v);
}

uint64_t ik_core_hash_addr(const struct ik_engine *e, const struct ik_addr *addr)
{
	uint8_t k[IK_ADDR_KEYLEN];

	return ik_keyed_hash(e->hkey, k, ik_addr_key(addr, k));
}

uint64_t ik_core_hash_u32(const struct ik_engine *e, uint8_t tag, uint32_t v)
{
	uint8_t k[5];

	k[0] = tag;
	ik_put32(k + 1, v);
	return ik_keyed_hash(e->hkey, k, 5);
}

uint64_t ik_core_hash_tunnel(const struct ik_engine *e, const char *ifname)
{
	return ik_keyed_hash(e->hkey, ifname, strlen(ifname));
}

/* ---- children ---- */

struct ik_child *ik_core_child_find(struct ik_engine *e, unsigned id)
{
	uint64_t h = ik_core_hash_u32(e, 'i', id);

	for (struct ik_hlink *l = ik_htab_first(&e->ch_by_id, h); l; l = ik_htab_next(l)) {
		struct ik_child *c = ik_container_of(l, struct ik_child, by_id);

		if (c->sa.id == id)
			return c;
	}
	return NULL;
}

struct ik_child *ik_core_child_first_addr(struct ik_engine *e, uint32_t addr)
{
	struct ik_addr a = ik_addr_v4(addr);

	return ik_core_child_first_addr_ip(e, &a);
}

struct ik_child *ik_core_child_first_addr_ip(struct ik_engine *e, const struct ik_addr *a)
{
	for (struct ik_hlink *l = ik_htab_first(&e->ch_by_addr, ik_core_hash_addr(e, a)); l;
	     l = ik_htab_next(l)) {
		struct ik_child *c = ik_container_of(l, struct ik_child, by_addr);

		if (ik_addr_eq(&c->remote.ip, a))
			return c;
	}
	return NULL;
}

struct ik_child *ik_core_child_next_addr(struct ik_engine *e, struct ik_child *c)
{
	struct ik_addr a = c->remote.ip;

	(void)e;
	for (struct ik_hlink *l = ik_htab_next(&c->by_addr); l; l = ik_htab_next(l)) {
		c = ik_container_of(l, struct ik_child, by_addr);
		if (ik_addr_eq(&c->remote.ip, &a))
			return c;
	}
	return NULL;
}

void ik_core_child_insert(struct ik_engine *e, struct ik_child *c, const struct ik_child_ops *ops,
			  uint64_t soft_ms, uint64_t hard_ms)
{
	c->ops = ops;
	c->version = ops->version;
	c->t_soft.kind = IK_TK_CHILD_SOFT;
	c->t_hard.kind = IK_TK_CHILD_HARD;
	c->prev = NULL;
	c->next = e->children;
	if (e->children)
		e->children->prev = c;
	e->children = c;
	ik_htab_add(&e->ch_by_id, &c->by_id, ik_core_hash_u32(e, 'i', c->sa.id));
	ik_htab_add(&e->ch_by_spi, &c->by_spi_in, ik_core_hash_u32(e, 's', c->sa.in.spi));
	ik_htab_add(&e->ch_by_spi_out, &c->by_spi_out, ik_core_hash_u32(e, 's', c->sa.out.spi));
	c->in_tunnel = c->sa.ifname[0] != 0;
	if (c->in_tunnel)
		ik_htab_add(&e->ch_by_tunnel, &c->by_tunnel, ik_core_hash_tunnel(e, c->sa.ifname));
	ik_htab_add(&e->ch_by_peer, &c->by_peer,
		    ik_core_hash_peer(e, c->fvrf, &c->local.ip, &c->remote.ip, c->remote.port));
	ik_htab_add(&e->ch_by_addr, &c->by_addr, ik_core_hash_addr(e, &c->remote.ip));
	ik_core_timer_set(e, &c->t_hard, hard_ms);
	ik_core_timer_set(e, &c->t_soft, soft_ms);
	ik_peer_event(e, &c->remote.ip, c->fvrf, IK_PEER_CHILD_CREATED);
}

static void child_unlink(struct ik_engine *e, struct ik_child *c)
{
	ik_timer_cancel(&e->timers, &c->t_soft);
	ik_timer_cancel(&e->timers, &c->t_hard);
	ik_htab_del(&e->ch_by_id, &c->by_id);
	ik_htab_del(&e->ch_by_spi, &c->by_spi_in);
	ik_htab_del(&e->ch_by_spi_out, &c->by_spi_out);
	if (c->in_tunnel)
		ik_htab_del(&e->ch_by_tunnel, &c->by_tunnel);
	ik_htab_del(&e->ch_by_peer, &c->by_peer);
	ik_htab_del(&e->ch_by_addr, &c->by_addr);
	if (c->prev)
		c->prev->next = c->next;
	else
		e->children = c->next;
	if (c->next)
		c->next->prev = c->prev;
}

static void child_free(struct ik_engine *e, struct ik_child *c)
{
	ik_wipe(&c->sa, sizeof(c->sa));
	ik_core_cfg_release(e, c->cfg);
	free(c->fvrf);
	free(c);
}

void ik_core_child_remove(struct ik_engine *e, struct ik_child *c, bool notify_peer,
			  const char *why)
{
	char ra[IK_ADDR_ANYSTRLEN];

	if (notify_peer)
		c->ops->notify_delete(e, c);
	ik_dbg(e->log, IK_DBG_IPSEC, "IPSEC(delete_sa): deleting SA,");
	ik_dbg(e->log, IK_DBG_IPSEC, "  (sa) sa_dest= %s, sa_proto= 50, sa_spi= 0x%X(%u), "
	       "sa_conn_id= %u (%s)", ik_addr_fmt_ios(&c->remote.ip, ra), c->sa.out.spi,
	       c->sa.out.spi, c->sa.id + 1, why);
	e->host.child_down(e->host.ctx, &c->sa);
	ik_peer_event(e, &c->remote.ip, c->fvrf, IK_PEER_CHILD_DELETED);
	child_unlink(e, c);
	child_free(e, c);
}

void ik_core_children_free(struct ik_engine *e)
{
	while (e->children) {
		struct ik_child *c = e->children;

		child_unlink(e, c);
		child_free(e, c);
	}
	ik_htab_free(&e->ch_by_id);
	ik_htab_free(&e->ch_by_spi);
	ik_htab_free(&e->ch_by_spi_out);
	ik_htab_free(&e->ch_by_tunnel);
	ik_htab_free(&e->ch_by_peer);
	ik_htab_free(&e->ch_by_addr);
}

/* ---- exchanges ---- */

uint64_t ik_core_retrans_window_ms(const struct ik_engine *e)
{
	uint64_t t = 0;

	/* the wait before retransmission n + 1 is BASE << min(n, CAP) */
	for (unsigned n = 0; n <= e->opts.retransmit_max; n++)
		t += (uint64_t)IK_CORE_RETRANS_BASE_MS
		     << (n <= IK_CORE_RETRANS_CAP_SHIFT ? n : IK_CORE_RETRANS_CAP_SHIFT);
	return t;
}

uint64_t ik_core_exchange_limit_ms(const struct ik_engine *e)
{
	uint64_t w = ik_core_retrans_window_ms(e);

	return w > IK_CORE_HALF_OPEN_MS ? w : IK_CORE_HALF_OPEN_MS;
}

/* ---- configuration helpers ---- */

const char *ik_core_tunnel_fvrf(const struct ik_interface *t)
{
	return t ? t->tunnel_vrf : NULL;
}

/* The protected tunnel whose endpoints are local/remote (responder side of
 * Quick Mode), or NULL: through the snapshot's index of tunnels by
 * destination and source. */
const struct ik_interface *ik_core_tunnel_for(const struct ik_config *cfg, uint32_t local,
					    uint32_t remote)
{
	return ik_snapshot_tunnel_for(cfg, local, remote);
}

const struct ik_interface *ik_core_tunnel_for_ip(const struct ik_config *cfg,
						 const struct ik_addr *local,
						 const struct ik_addr *remote)
{
	size_t n = 0;
	const struct ik_interface *const *ts;

	if (remote->family != IK_AF_INET6)
		return ik_core_tunnel_for(cfg, local->family == IK_AF_INET6 ? 0 : local->v4,
					  remote->v4);
	ts = ik_snapshot_tunnels_to_ip(cfg, remote, &n);
	for (size_t i = 0; i < n; i++) {
		const struct ik_interface *t = ts[i];
		struct ik_addr src;

		ik_iface_tunnel_source(t, &src);
		if (!ik_addr_is_any(&src) && !ik_addr_eq(&src, local))
			continue;
		return t;
	}
	return NULL;
}

void ik_core_tset_name(const struct ik_transform_set *ts, char *buf, size_t n)
{
	const char *enc = "esp-null", *auth = "";
	char kl[16] = "";

	switch (ts->enc) {
	case IK_ESP_DES: enc = "esp-des"; break;
	case IK_ESP_3DES: enc = "esp-3des"; break;
	case IK_ESP_AES: enc = "esp-aes"; break;
	case IK_ESP_GCM: enc = "esp-gcm"; break;
	default: break;
	}
	if ((ts->enc == IK_ESP_AES || ts->enc == IK_ESP_GCM) && ts->keylen && ts->keylen != 128)
		snprintf(kl, sizeof(kl), " %u", ts->keylen);
	switch (ts->auth) {
	case IK_ESP_MD5: auth = " esp-md5-hmac"; break;
	case IK_ESP_SHA1: auth = " esp-sha-hmac"; break;
	case IK_ESP_SHA256: auth = " esp-sha256-hmac"; break;
	case IK_ESP_SHA384: auth = " esp-sha384-hmac"; break;
	case IK_ESP_SHA512: auth = " esp-sha512-hmac"; break;
	default: break;
	}
	snprintf(buf, n, "%s%s%s", enc, kl, auth);
}

/* ---- traces ---- */

void ik_core_trace_create_sa(struct ik_engine *e, const struct ik_child *c)
{
	char a[IK_ADDR_ANYSTRLEN];

	ik_dbg(e->log, IK_DBG_IPSEC, "IPSEC(key_engine): got a queue event with 1 KMI message(s)");
	ik_dbg(e->log, IK_DBG_IPSEC, "IPSEC(crypto_ipsec_create_ipsec_sas): Map found %s-head-0",
	       c->sa.ifname);
	ik_dbg(e->log, IK_DBG_IPSEC, "IPSEC(create_sa): sa created,");
	ik_dbg(e->log, IK_DBG_IPSEC, "  (sa) sa_dest= %s, sa_proto= 50,",
	       ik_addr_fmt_ios(&c->local.ip, a));
	ik_dbg(e->log, IK_DBG_IPSEC, "    sa_spi= 0x%X(%u),", c->sa.in.spi, c->sa.in.spi);
	ik_dbg(e->log, IK_DBG_IPSEC, "    sa_trans= %s , sa_conn_id= %u", c->transform_name,
	       c->sa.id);
	ik_dbg(e->log, IK_DBG_IPSEC, "IPSEC(create_sa): sa created,");
	ik_dbg(e->log, IK_DBG_IPSEC, "  (sa) sa_dest= %s, sa_proto= 50,",
	       ik_addr_fmt_ios(&c->remote.ip, a));
	ik_dbg(e->log, IK_DBG_IPSEC, "    sa_spi= 0x%X(%u),", c->sa.out.spi, c->sa.out.spi);
	ik_dbg(e->log, IK_DBG_IPSEC, "    sa_trans= %s , sa_conn_id= %u", c->transform_name,
	       c->sa.id + 1);
}
