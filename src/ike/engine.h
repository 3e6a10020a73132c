/* The IKE engine: sans-I/O. The host (the daemon, a test, a benchmark) feeds it
 * events (a datagram arrived, timers are due, an admin command, a kernel event)
 * and the engine acts only through the host callbacks below: send a datagram,
 * bring a child SA up or down, read counters. It never touches a socket,
 * netlink, the clock or the RNG itself; it logs through the struct ik_log it
 * was given. Two engines wired back to back in one process run an exchange
 * deterministically (tests/unit/test_exchange.c).
 *
 * Threads: an engine has no global mutable state (all of it hangs off
 * struct ik_engine) and is not locked: one thread drives one engine. The
 * daemon runs one engine per core, each with its own SO_REUSEPORT sockets
 * that shard peers, and disjoint opts.first_conn_id ranges. Engines may
 * share one snapshot: an engine takes one reference per snapshot it uses,
 * with an atomic increment and decrement of cfg->refs (at ik_engine_new,
 * ik_engine_set_config and when its last SA of an old snapshot goes), and
 * counts its SAs on that snapshot itself. ik_config_ref/unref are plain
 * counters: the daemon must not call them on a snapshot while engines of
 * other threads may be taking or dropping theirs (e.g. drop its own
 * reference to the old snapshot only after every worker has run
 * ik_engine_set_config).
 * Diffie-Hellman is computed inline: it is CPU work, never a wait, so
 * an engine busy with DH keeps its core busy while the engine of the other
 * core runs its own exchanges (tests/bench/bench_handshake.c measures this).
 *
 * Cost per event: every lookup goes through hash tables keyed with SipHash
 * under a key drawn at ik_engine_new (SAs by cookie, by peer address and
 * port, children by id, SPI and tunnel: src/ike/sa.h), timers are in a heap
 * (src/ike/timer.h), the half-open count is a counter: no event walks all
 * SAs. Only admin commands (show, clear of everything, reload) do.
 * Versions: the ISAKMP header's major version is read before anything else;
 * IKEv1 goes to the v1 state table, IKEv2 to src/ike/v2_sa.c (IKE_SA_INIT,
 * IKE_AUTH and the first child SA); both live in the same core tables.
 *
 * NAT-T framing: ik_engine_input takes IKE messages without the 4-byte
 * non-ESP marker (the host strips it on port 4500); the engine adds the
 * marker itself to what it sends from port 4500 (host->send gets the
 * datagram exactly as it goes on the wire). NAT keepalives (one 0xff byte)
 * are sent without a marker, as RFC 3948 says.
 */
#ifndef IK_IKE_ENGINE_H
#define IK_IKE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "conf/acl.h"
#include "conf/model.h"
#include "ipsec/child.h"
#include "util/addr.h"
#include "util/log.h"
#include "util/strbuf.h"

/* An IKE endpoint: an IPv4 or IPv6 address and a UDP port. `ip` is the
 * address as a struct ik_addr; `family`, `addr` (IPv4, host order) and
 * `addr6` name the same bytes, so that IPv4-only code reads ep.addr. A zeroed
 * endpoint is IPv4 (IK_AF_INET4 is 0). Build one with ik_ep_v4 or ik_ep. */
struct ik_endpoint {
	union {
		struct ik_addr ip;
		struct {
			uint8_t family;         /* enum ik_af */
			union {
				uint32_t addr;  /* IPv4, host order */
				uint8_t addr6[16];
			};
		};
	};
	uint16_t port;          /* 500 or 4500 (or a NATed port) */
};

static inline struct ik_endpoint ik_ep_v4(uint32_t addr, uint16_t port)
{
	struct ik_endpoint ep = { .family = IK_AF_INET4, .port = port };

	ep.addr = addr;
	return ep;
}

static inline struct ik_endpoint ik_ep(const struct ik_addr *a, uint16_t port)
{
	struct ik_endpoint ep = { .ip = *a, .port = port };

	return ep;
}

static inline bool ik_ep_eq(const struct ik_endpoint *a, const struct ik_endpoint *b)
{
	return a->port == b->port && ik_addr_eq(&a->ip, &b->ip);
}

/* set peer failover of a crypto map line handed from one engine to the one
 * that serves the next peer: the entry by map name and sequence number (in
 * the receiving engine's configuration), the ACL line, the peer's number
 * among the entry's set peer lines and its address, the local address, and
 * the proxy identities (those of a per-host pair included). */
struct ik_cmap_handoff {
	char map[64];
	unsigned seq;
	size_t ace;
	size_t peer_idx;
	struct ik_addr peer, src;
	struct ik_proxy proxy;
};

struct ik_engine_host {
	void *ctx;
	/* Monotonic milliseconds. */
	uint64_t (*now_ms)(void *ctx);
	void (*random)(void *ctx, void *buf, size_t len);
	/* Sends msg from local to remote, in fvrf (NULL = global). On port 4500
	 * the engine includes the 4-byte non-ESP marker itself. */
	void (*send)(void *ctx, const struct ik_endpoint *local, const struct ik_endpoint *remote,
		     const char *fvrf, const uint8_t *msg, size_t len);
	/* Install both directions; 0 on success. A failure is reported and the
	 * child SA is deleted (and the peer told). */
	int (*child_up)(void *ctx, const struct ik_child_sa *c);
	void (*child_down)(void *ctx, const struct ik_child_sa *c);
	/* Counters for show crypto ipsec sa; may be NULL (counters print as 0). */
	int (*child_counters)(void *ctx, const struct ik_child_sa *c,
			      struct ik_sa_counters *in, struct ik_sa_counters *out);
	/* The IPv4 address of an interface that the configuration names but
	 * does not define (`tunnel source IFNAME` with tunnel_source_resolved
	 * false); 0 on success. May be NULL: such tunnels cannot initiate. */
	int (*resolve_ifaddr)(void *ctx, const char *ifname, uint32_t *addr);
	/* The same for a tunnel over IPv6: the interface's first global IPv6
	 * address (16 bytes); 0 on success. May be NULL. */
	int (*resolve_ifaddr6)(void *ctx, const char *ifname, uint8_t addr[16]);
	/* Whether this engine serves the peer at that address (its datagrams
	 * reach it): a host with several engines shards peers between them.
	 * May be NULL: every peer. Crypto map failover to a peer served by
	 * another engine is handed to that engine through handoff. */
	bool (*owns_peer)(void *ctx, const struct ik_addr *peer);
	/* Hands a crypto map failover to the engine that serves h->peer (which
	 * then calls ik_engine_cmap_handoff on its own thread); must not wait
	 * for it. 0, or -1 when it could not be queued. May be NULL: failover
	 * to another engine's peer is then not started (and said so). */
	int (*handoff)(void *ctx, const struct ik_cmap_handoff *h);
	/* The encryption key of a new ISAKMP SA, for a decryption key log
	 * (ikerd --keylog). May be NULL. */
	void (*p1_keys)(void *ctx, const uint8_t cky_i[8], const uint8_t *key, size_t len);
	/* Tests only (NULL elsewhere): sees a message the engine is about to
	 * protect, header and payload chain in clear, and may rewrite it (*len up
	 * to cap bytes): at IK_TAMPER_ENCRYPT every message just before it is
	 * encrypted (its HASH computed already), at IK_TAMPER_HASH an
	 * informational exchange before its HASH is computed (what an
	 * authenticated peer chooses to say). The exchange tests substitute
	 * payloads this way. */
	void (*tamper)(void *ctx, int stage, uint8_t *msg, size_t *len, size_t cap);
	/* Wall-clock time (seconds since 1970) for certificate validity dates.
	 * May be NULL: then no certificate validates (time 0 precedes them all). */
	time_t (*wall_time)(void *ctx);
};
enum { IK_TAMPER_HASH = 1, IK_TAMPER_ENCRYPT = 2 };

struct ik_engine_opts {
	bool passive;           /* never initiate (responder only) */
	unsigned first_conn_id; /* IOS numbers ISAKMP SAs from 1001; shards use disjoint ranges */
	/* Bound on SAs not yet authenticated (0 = the configuration's `crypto call
	 * admission limit ike in-negotiation-sa`, else 1000). When it is reached a
	 * new first message evicts the oldest responder SA whose peer has not
	 * answered from its address; if every one has, the newcomer is refused.
	 * One source address holds at most a tenth of it (at least 4). */
	unsigned max_half_open;
	/* Retransmissions of one message before the exchange is given up (0 = 5, as
	 * IOS). Back-off doubles from 2 s and is capped at 16 s. Half-open SAs and
	 * completed Quick Modes are kept at least as long as a peer with the same
	 * setting may still retransmit to them. */
	unsigned retransmit_max;
};

struct ik_engine;

/* cfg: a reference is taken. log: kept by pointer; its debug_mask is read at
 * every line, so switching debug on at run time works. */
struct ik_engine *ik_engine_new(struct ik_config *cfg, const struct ik_engine_host *host,
				const struct ik_log *log, const struct ik_engine_opts *opts);
void ik_engine_free(struct ik_engine *e);

/* A new snapshot (reload). SAs whose tunnel's configuration is unchanged keep
 * running; others are cleared. */
void ik_engine_set_config(struct ik_engine *e, struct ik_config *cfg);

/* A datagram arrived on local from remote (non-ESP marker already removed on
 * 4500), in fvrf (NULL = global). */
void ik_engine_input(struct ik_engine *e, const struct ik_endpoint *local,
		     const struct ik_endpoint *remote, const char *fvrf,
		     const uint8_t *msg, size_t len);

/* Absolute time (now_ms scale) of the next timer, UINT64_MAX if none: O(1). */
uint64_t ik_engine_next_timer(const struct ik_engine *e);
/* Runs every timer that is due (retransmits, lifetimes, rekeys, DPD), and
 * only those. */
void ik_engine_run_timers(struct ik_engine *e);

/* Starts negotiation for a configured protected tunnel (TunnelN); local is
 * the tunnel source address. Returns 0 when negotiation started (or was
 * already under way), 1 when the tunnel's IPsec SAs are already up (nothing is
 * negotiated; err says so), -1 with the reason in err. */
int ik_engine_initiate(struct ik_engine *e, const char *ifname, struct ik_sb *err);
/* Crypto map: the SA pair for packet f (acquire or ikerctl), as IOS brings
 * it up for traffic matching an entry of the map: phase 1 to the entry's
 * first set peer (the next one when it does not answer), Quick Mode with
 * the proxy identities of the ACL line f matches. */
struct ik_flow;
int ik_engine_initiate_map(struct ik_engine *e, const char *map, const struct ik_flow *f,
			   struct ik_sb *err);
/* A crypto map failover handed over by another engine (host handoff):
 * phase 1 or IKE_SA_INIT to the peer. 0, or -1 (logged). */
int ik_engine_cmap_handoff(struct ik_engine *e, const struct ik_cmap_handoff *h);
/* Initiates every protected tunnel that is not shut down (used at start). */
void ik_engine_initiate_all(struct ik_engine *e);
/* Kernel events: acquire (traffic without an SA), soft expire (rekey), hard
 * expire (delete). */
void ik_engine_acquire(struct ik_engine *e, uint32_t reqid, uint32_t src, uint32_t dst);
/* The same with the packet's outer addresses of either family (dst finds the
 * tunnel when reqid is 0). */
void ik_engine_acquire_ip(struct ik_engine *e, uint32_t reqid, const struct ik_addr *src,
			  const struct ik_addr *dst);
void ik_engine_expire(struct ik_engine *e, uint32_t spi, bool hard);
/* An acquire as the kernel reports it: for a crypto map line, the packet
 * (the event's selector) is known, which per-host entries and IKEv2's first
 * traffic selector use; other acquires go to ik_engine_acquire. */
struct ik_kevent;
void ik_engine_acquire_ev(struct ik_engine *e, const struct ik_kevent *ev);

/* clear crypto session [remote A] / clear crypto isakmp [CONN-ID] / clear crypto sa
 * [peer A] / clear crypto ikev2 sa [remote A] (IKEv2 SAs and their children;
 * clear crypto session covers IKEv2 too): deletes the SAs, sending DELETE
 * notifications. peer 0 = all. */
enum ik_clear_what { IK_CLEAR_SESSION, IK_CLEAR_ISAKMP, IK_CLEAR_SA, IK_CLEAR_IKEV2_SA };
void ik_engine_clear(struct ik_engine *e, enum ik_clear_what what, uint32_t peer, unsigned conn_id);
/* The same with a peer of either family (NULL = all): clear crypto session
 * remote 2001:db8::2. */
void ik_engine_clear_addr(struct ik_engine *e, enum ik_clear_what what,
			  const struct ik_addr *peer, unsigned conn_id);
/* clear crypto sa map NAME: the child SAs of the map's entries (and of the
 * dynamic maps it names), deleted with the peer told. */
void ik_engine_clear_map(struct ik_engine *e, const char *map);

/* show commands in IOS layout, or JSON when json:
 *   show crypto isakmp sa [detail], show crypto ipsec sa, show crypto session,
 *   show crypto isakmp peers. */
void ik_engine_show_isakmp_sa(struct ik_engine *e, bool detail, bool json, struct ik_sb *out);
void ik_engine_show_ipsec_sa(struct ik_engine *e, bool json, struct ik_sb *out);
void ik_engine_show_session(struct ik_engine *e, bool json, struct ik_sb *out);
void ik_engine_show_peers(struct ik_engine *e, bool json, struct ik_sb *out);
/* Their variants: show crypto ipsec sa [peer A] [detail], show crypto session
 * [remote A] [detail | brief], and show crypto engine connections active.
 * peer 0 = every peer. */
struct ik_show_opts {
	uint32_t peer;
	bool has_peer_ip;       /* peer_ip filters instead of peer (IPv4 or IPv6) */
	struct ik_addr peer_ip;
	bool detail, brief;
	const char *map;        /* show crypto ipsec sa map NAME; NULL = all */
};

/* Whether a peer at a passes the show's peer filter. */
static inline bool ik_show_opts_peer(const struct ik_show_opts *o, const struct ik_addr *a)
{
	if (o->has_peer_ip)
		return ik_addr_eq(&o->peer_ip, a);
	return !o->peer || (a->family == IK_AF_INET4 && a->v4 == o->peer);
}
void ik_engine_show_ipsec_sa_opt(struct ik_engine *e, const struct ik_show_opts *o, bool json,
				 struct ik_sb *out);
void ik_engine_show_session_opt(struct ik_engine *e, const struct ik_show_opts *o, bool json,
				struct ik_sb *out);
void ik_engine_show_engine_conns(struct ik_engine *e, bool json, struct ik_sb *out);

/* Counts for tests, benchmarks and show crypto isakmp stats: O(1). */
struct ik_engine_stats {
	unsigned isakmp_sas;    /* all ISAKMP SAs in the table */
	unsigned isakmp_up;     /* in QM_IDLE (phase 1 complete) */
	unsigned child_sas;     /* child SAs up */
	unsigned half_open;
	uint64_t p1_done, p2_done, p1_failed, p2_failed;
	uint64_t half_open_refused;     /* first messages refused (limits, rate) */
	uint64_t half_open_evicted;     /* half-open SAs dropped for a newcomer */
	uint64_t retransmits;           /* messages sent again on a timer */
	uint64_t rx_datagrams;          /* IKE datagrams given to the engine */
	uint64_t rx_dropped;            /* of which dropped before any SA took them */
};
void ik_engine_stats(const struct ik_engine *e, struct ik_engine_stats *st);
/* show crypto ikev2 stats: counters of the IKEv2 exchanges (O(1) to read;
 * the SA counts are kept as SAs change state). */
struct ik_v2_stats {
	unsigned max_in_neg;            /* the half-open limit in force */
	unsigned in_sas, in_active, in_neg;     /* SAs the peer started (responder) */
	unsigned out_sas, out_active, out_neg;  /* SAs this side started */
	uint64_t in_req, in_req_accepted, in_req_rejected;     /* IKE_SA_INIT requests */
	uint64_t out_req, out_req_accepted, out_req_rejected;  /* ours */
	uint64_t rej_rsrc_low, rej_sa_limit;
	uint64_t dropped;               /* IKEv2 datagrams dropped at dispatch */
	uint64_t cookie_challenged, cookie_accepted, cookie_rejected, cookie_missing;
	uint64_t child_rekeys, ike_rekeys, rekey_collisions;
	uint64_t deletes_rx, deletes_tx, dpd_tx, dpd_dead;
	uint64_t frag_tx, frag_rx;
	uint64_t retransmits;
};
void ik_engine_v2_stats(const struct ik_engine *e, struct ik_v2_stats *st);
/* Sums per-engine counters (the daemon's workers) and prints them in IOS's
 * layout of show crypto ikev2 stats, or JSON. */
void ik_v2_stats_add(struct ik_v2_stats *sum, const struct ik_v2_stats *part);
void ik_v2_stats_format(const struct ik_v2_stats *st, bool json, struct ik_sb *out);
/* show crypto ikev2 sa [remote A] [detailed] and show crypto ikev2 session
 * [detailed] (o->peer, o->detail), in IOS's layout or JSON. */
void ik_engine_show_ikev2_sa(struct ik_engine *e, const struct ik_show_opts *o, bool json,
			     struct ik_sb *out);
void ik_engine_show_ikev2_session(struct ik_engine *e, const struct ik_show_opts *o, bool json,
				  struct ik_sb *out);
/* Calls fn for every child SA the engine holds (for the host's metrics). */
void ik_engine_foreach_child(const struct ik_engine *e,
			     void (*fn)(void *ctx, const struct ik_child_sa *c), void *ctx);

#endif
