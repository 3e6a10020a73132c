/* The version-neutral core of the engine (core.c, and the SA table in
 * sa_table.c): the engine itself, and what IKEv1 (v1_int.h) and IKEv2
 * (v2_int.h) both call: host services, timers, snapshots, the child SA
 * table, the IKE SA table and the configuration helpers. Not a public
 * interface (that is engine.h). */
#ifndef IK_IKE_CORE_H
#define IK_IKE_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/model.h"
#include "ike/engine.h"
#include "ike/peer.h"
#include "ike/sa.h"
#include "ike/timer.h"
#include "util/addr.h"

/* Retransmissions: the first after IK_CORE_RETRANS_BASE_MS, each next one
 * twice as late up to the cap (2, 4, 8, 16, 16, ... s), IK_CORE_RETRANS_MAX
 * of them unless the engine's options say otherwise; an exchange may take
 * IK_CORE_HALF_OPEN_MS at least. */
#define IK_CORE_RETRANS_BASE_MS 2000u
#define IK_CORE_RETRANS_MAX 5u
#define IK_CORE_RETRANS_CAP_SHIFT 3u
#define IK_CORE_HALF_OPEN_MS 75000u
#define IK_CORE_PEER_MAX_IKE 8u     /* IKE SAs per address pair (local; remote and port) */
#define IK_CORE_PEER_MAX_CHILD 64u  /* child SA pairs per peer */

struct ik_p1;
struct ik_v2_eng;

/* A snapshot this engine uses, with the engine's own count of the SAs that
 * hold it: the snapshot's shared reference count is touched once per
 * snapshot and engine (atomically), not once per SA. */
struct ik_snap {
	struct ik_snap *next;
	struct ik_config *cfg;
	unsigned holders;
};

struct ik_engine {
	struct ik_config *cfg;
	/* IKEv1: where the message being handled came from; v1_rx_moved is the SA
	 * it came to when that is not the SA's endpoint (the SA moves there only
	 * once the message authenticates, within the same input) */
	struct ik_endpoint v1_rx_local, v1_rx_remote;
	const struct ik_p1 *v1_rx_moved;
	struct ik_snap *snaps;
	struct ik_engine_host host;
	const struct ik_log *log;
	struct ik_engine_opts opts;
	bool half_open_from_cfg;        /* max_half_open follows the configuration */
	unsigned next_conn_id;
	unsigned next_child_id;
	uint8_t hkey[IK_HKEY_LEN];      /* SipHash key of every table, fresh per engine */
	struct ik_p1 *p1s;              /* every IKEv1 SA, for show, clear and reload */
	struct ik_htab sa_by_spi;       /* IKE SAs by initiator SPI (cookie) */
	struct ik_htab sa_by_peer;      /* by fvrf, local address, remote address and port */
	struct ik_htab sa_by_addr;      /* by remote address */
	struct ik_htab srcs;            /* struct ik_src by remote address */
	struct ik_slab_pool src_pool;   /* the struct ik_src (util/slab.h) */
	struct ik_child *children;      /* every child, for show, clear and reload */
	struct ik_htab ch_by_id, ch_by_spi, ch_by_spi_out, ch_by_tunnel, ch_by_peer, ch_by_addr;
	/* half-open SAs: count, and the responder SAs that may be evicted, oldest
	 * first: those whose peer has not answered from its address (unproven)
	 * before those that have */
	unsigned half_open;
	struct ik_ike_sa *ho_unproven_head, *ho_unproven_tail;
	struct ik_ike_sa *ho_proven_head, *ho_proven_tail;
	struct ik_ike_sa *free_list;    /* deleted SAs, freed after the event */
	struct ik_timers timers;
	struct ik_engine_stats st;
	uint8_t ios_vid[16];
	struct ik_peer_tab peers;       /* per-peer counters (ike/peer.h) */
	struct ik_v2_eng *v2;            /* IKEv2 state (v2_int.h), made on first use */
};

/* ---- core.c ---- */
/* The snapshot cfg, held by one more SA or child of e (released by as many
 * ik_core_cfg_release). */
struct ik_config *ik_core_cfg_hold(struct ik_engine *e, struct ik_config *cfg);
void ik_core_cfg_release(struct ik_engine *e, struct ik_config *cfg);
/* The host's clock (milliseconds) and random bytes. */
uint64_t ik_core_now(struct ik_engine *e);
void ik_core_rand(struct ik_engine *e, void *buf, size_t len);
/* Arms (at 0: cancels) one of the engine's timers. */
void ik_core_timer_set(struct ik_engine *e, struct ik_timer *t, uint64_t at);

/* The keys of the engine's tables (keyed with e->hkey): an initiator SPI, a
 * peer (front-door VRF, local and remote address, remote port), a remote
 * address, a number under a tag ('i' child id, 's' SPI), a tunnel name. */
uint64_t ik_core_hash_spi(const struct ik_engine *e, const uint8_t spi[8]);
uint64_t ik_core_hash_peer(const struct ik_engine *e, const char *fvrf,
			   const struct ik_addr *local, const struct ik_addr *addr, uint16_t port);
uint64_t ik_core_hash_addr(const struct ik_engine *e, const struct ik_addr *addr);
uint64_t ik_core_hash_u32(const struct ik_engine *e, uint8_t tag, uint32_t v);
uint64_t ik_core_hash_tunnel(const struct ik_engine *e, const char *ifname);

/* Enters a new child in the tables with its version's hooks (its timers
 * armed at soft_ms and hard_ms). */
void ik_core_child_insert(struct ik_engine *e, struct ik_child *c, const struct ik_child_ops *ops,
			  uint64_t soft_ms, uint64_t hard_ms);
/* A child SA leaves the table (deleted, expired, replaced) and is freed. */
void ik_core_child_remove(struct ik_engine *e, struct ik_child *c, bool notify_peer,
			  const char *why);
struct ik_child *ik_core_child_find(struct ik_engine *e, unsigned id);
/* The children whose remote address is addr: first, then next. */
struct ik_child *ik_core_child_first_addr(struct ik_engine *e, uint32_t addr);
struct ik_child *ik_core_child_first_addr_ip(struct ik_engine *e, const struct ik_addr *a);
struct ik_child *ik_core_child_next_addr(struct ik_engine *e, struct ik_child *c);
/* Engine teardown: every child freed (the host is not told), the tables too. */
void ik_core_children_free(struct ik_engine *e);

/* Milliseconds from a first transmission until the last retransmission has
 * gone (the engine's retransmit_max), and how long an exchange may take. */
uint64_t ik_core_retrans_window_ms(const struct ik_engine *e);
uint64_t ik_core_exchange_limit_ms(const struct ik_engine *e);

/* The front-door VRF of a tunnel (NULL: the global table). */
const char *ik_core_tunnel_fvrf(const struct ik_interface *t);
/* The protected tunnel whose endpoints are local/remote, or NULL. */
const struct ik_interface *ik_core_tunnel_for(const struct ik_config *cfg, uint32_t local,
					      uint32_t remote);
/* The same over either family: an IPv6 pair finds tunnels whose destination
 * is that IPv6 address and whose source, when the configuration gives one,
 * is the local address. */
const struct ik_interface *ik_core_tunnel_for_ip(const struct ik_config *cfg,
						 const struct ik_addr *local,
						 const struct ik_addr *remote);
/* IOS's name of a transform set ("esp-aes esp-sha256-hmac"). */
void ik_core_tset_name(const struct ik_transform_set *ts, char *buf, size_t n);
/* The IPSEC(create_sa) trace lines of a new child. */
void ik_core_trace_create_sa(struct ik_engine *e, const struct ik_child *c);

/* ---- sa_table.c ---- */
/* The core's SA table, for both versions: enter an SA in the peer
 * indexes and the half-open count (link), in the SPI table once its
 * initiator SPI is known (index_spi); take it out of everything and onto the
 * free list (unlink: it is freed by ops->free after the event). */
void ik_core_sa_link(struct ik_ike_sa *sa);
/* After SAs went: the buckets of the core's tables and the timer heap's room
 * shrink when their entries fell far below their size (ik_htab_shrink).
 * Costs O(1) unless it shrinks; call when no table walk is under way. */
void ik_core_compact(struct ik_engine *e);
void ik_core_sa_index_spi(struct ik_ike_sa *sa);
void ik_core_sa_unlink(struct ik_ike_sa *sa);
/* Out of the peer and address indexes only (IKEv1 deletion does the rest). */
void ik_core_sa_unindex_peer(struct ik_ike_sa *sa);
/* The half-open record of a source address, or NULL. */
struct ik_src *ik_core_src_find(struct ik_engine *e, const struct ik_addr *addr);
void ik_core_sa_set_endpoints(struct ik_ike_sa *sa, const struct ik_endpoint *local,
			      const struct ik_endpoint *remote);
/* The responder's peer answered from its address (its SA is evicted after
 * every unproven one); the SA is half-open no more. */
void ik_core_ho_prove(struct ik_ike_sa *sa);
void ik_core_ho_leave(struct ik_ike_sa *sa);
/* The established SA's timers, allocated (kinds set, unarmed) on first use:
 * never NULL (ik_xcalloc). Cancelled (SA deleted), freed (SA freed). */
struct ik_sa_live *ik_core_sa_live(struct ik_ike_sa *sa);
void ik_core_sa_live_cancel(struct ik_ike_sa *sa);
void ik_core_sa_live_free(struct ik_ike_sa *sa);
/* The chains of the SPI and address tables for a key (walk with ik_htab_next). */
struct ik_hlink *ik_core_sa_first_spi(struct ik_engine *e, const uint8_t spi_i[8]);
struct ik_hlink *ik_core_sa_first_addr(struct ik_engine *e, uint32_t addr);
struct ik_hlink *ik_core_sa_first_addr_ip(struct ik_engine *e, const struct ik_addr *addr);
/* The chain of the peer index (fvrf, local address, remote address and
 * port) holding SAs with this peer; walk it with ik_htab_next and compare the
 * fields, as other peers may share a chain. */
struct ik_hlink *ik_core_sa_first_peer(struct ik_engine *e, const char *fvrf,
				       const struct ik_endpoint *local,
				       const struct ik_endpoint *remote);

/* ---- engine.c ---- */
/* Whether a first message from remote may open a new SA (engine limits). */
bool ik_core_admit(struct ik_engine *e, const struct ik_endpoint *local,
		   const struct ik_endpoint *remote, const char *fvrf);

#endif
