/* Per-peer counters of the engine, for both IKE versions: messages sent and
 * received by exchange type, retransmissions, DPD, authentication failures,
 * authorization refusals, decryption errors, SAs created and deleted, and the
 * time of the last message each way.
 *
 * One record per (front-door VRF, remote address), found through a keyed hash
 * table (as every table of src/ike/sa.h): each count is one lookup, or none
 * when the IKE SA holds its record already. A record is made when we send a
 * message to the peer as initiator, or when the peer proves its address: a
 * responder's SA is answered from it (IKEv1 MM3 or AM3, IKEv2 IKE_AUTH, or any
 * message carrying our responder cookie). Before that, a source's first
 * messages (MM1, AM1, IKE_SA_INIT requests and their retransmissions) and our
 * answers are kept in two small counters of its half-open SA and added to
 * the record when it is made: spoofed first messages cost no record, and
 * appear only in the global counters (datagrams received, half-open, half-open
 * refused of show crypto isakmp stats). The table is bounded: a record whose peer
 * holds no IKE SA sits on an idle list (least recently used first); beyond
 * the limit, or when idle longer than IK_PEER_IDLE_MS, the oldest idle record
 * is dropped when a new one is made. Records of peers with SAs are kept
 * whatever the limit (their number is bounded by the SAs).
 *
 * show crypto isakmp peers detail, show crypto ikev2 stats peer A and clear
 * crypto statistics (admin commands) walk the table. */
#ifndef IK_IKE_PEER_H
#define IK_IKE_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/sa.h"
#include "util/addr.h"
#include "util/slab.h"
#include "util/strbuf.h"

#define IK_PEER_MAX_DEFAULT 10000               /* idle records kept at most */
#define IK_PEER_IDLE_MS (3600u * 1000u)         /* an idle record expires after */

/* Exchange types counted, each version apart. */
enum ik_peer_xchg {
	IK_PX_V1_MM, IK_PX_V1_AM, IK_PX_V1_QM, IK_PX_V1_INFO, IK_PX_V1_OTHER,
	IK_PX_V2_SA_INIT, IK_PX_V2_AUTH, IK_PX_V2_CHILD, IK_PX_V2_INFO, IK_PX_V2_OTHER,
	IK_PX_COUNT
};

enum ik_peer_ev {
	IK_PEER_SA_CREATED,     /* an IKE SA with the peer was made (the SA holds the record) */
	IK_PEER_SA_DELETED,     /* that SA is deleted (the SA lets go of the record) */
	IK_PEER_CHILD_CREATED,  /* an IPsec SA pair is installed */
	IK_PEER_CHILD_DELETED,
	IK_PEER_RETRANSMIT,     /* a message sent again on a timer */
	IK_PEER_DPD_SENT,       /* a liveness check sent (R-U-THERE, empty INFORMATIONAL) */
	IK_PEER_DPD_ANSWERED,   /* its answer received */
	IK_PEER_AUTH_FAIL,      /* the peer's HASH, signature or AUTH is wrong */
	IK_PEER_AUTHZ_REFUSED,  /* authenticated, but refused by the authorization list */
	IK_PEER_DECRYPT_ERR,    /* a message that does not decrypt (or fails its ICV) */
	IK_PEER_EV_COUNT
};

/* 32-bit counts, as IOS keeps them (they wrap at 2^32). */
struct ik_peer_counters {
	uint32_t rx[IK_PX_COUNT], tx[IK_PX_COUNT];
	uint32_t ev[IK_PEER_EV_COUNT];
	uint64_t last_rx_ms, last_tx_ms;        /* engine time; 0 = never */
};

struct ik_peer {
	struct ik_hlink link;
	struct ik_peer *idle_prev, *idle_next;  /* on the idle list when refs == 0 */
	struct ik_addr addr;
	unsigned refs;          /* IKE SAs holding the record */
	char *fvrf;             /* NULL = global */
	uint64_t created_ms, touched_ms;
	struct ik_peer_counters c;
};

struct ik_peer_tab {
	struct ik_htab by_addr;
	struct ik_peer *idle_head, *idle_tail;  /* least recently used first */
	size_t n, nidle;
	size_t max;             /* 0 = IK_PEER_MAX_DEFAULT */
	uint64_t evicted;       /* idle records dropped for room or age */
	struct ik_slab_pool pool; /* the records, on pages of their own (util/slab.h) */
	/* the datagram being received, from a source without a record: counted
	 * by the SA that takes it (ik_peer_sa_rx), or not at all */
	struct ik_addr rx_from;
	uint8_t rx_spi_r[8];
	uint8_t rx_slot;        /* its enum ik_peer_xchg + 1; 0 = none */
};

struct ik_engine;

/* The slot of an exchange type of IKE version version (1 or 2). */
enum ik_peer_xchg ik_peer_xchg_slot(unsigned version, uint8_t xchg);

/* Counts one IKE message from or to remote (in fvrf, NULL = global): its
 * version and exchange type are read from the header of msg (a leading
 * non-ESP marker is skipped). Shorter or non-IKE data is not counted. A sent
 * message makes the record when there is none; a received one is counted in
 * the record if the source has one, else it waits for the SA that takes it
 * (ik_peer_sa_rx) until ik_peer_rx_end. */
void ik_peer_msg(struct ik_engine *e, const struct ik_addr *remote, const char *fvrf,
		 const uint8_t *msg, size_t len, bool sent);
/* A message sent in answer to a first message that made no SA (an IKEv2
 * COOKIE or INVALID_KE_PAYLOAD notification): counted only in a record that
 * exists. */
void ik_peer_reply(struct ik_engine *e, const struct ik_addr *remote, const char *fvrf,
		   const uint8_t *msg, size_t len);
/* The datagram being received (ik_peer_msg) reached sa: counted for its peer
 * (in the SA's counters while the peer has no record). */
void ik_peer_sa_rx(struct ik_ike_sa *sa);
/* The datagram being received is done with: if no SA took it, it stays
 * uncounted per peer. */
void ik_peer_rx_end(struct ik_engine *e);
/* The same for a message of an IKE SA (no lookup once the SA holds its record;
 * a responder's SA whose peer has not proved its address and has no record
 * keeps the count). */
void ik_peer_sa_msg(struct ik_ike_sa *sa, const uint8_t *msg, size_t len, bool sent);
/* Counts an event of an IKE SA of either version. IK_PEER_SA_CREATED makes
 * the SA hold the record, IK_PEER_SA_DELETED lets it go: call each once. */
void ik_peer_sa_event(struct ik_ike_sa *sa, enum ik_peer_ev ev);
/* An event of a peer known by address only (child SAs). */
void ik_peer_event(struct ik_engine *e, const struct ik_addr *remote, const char *fvrf,
		   enum ik_peer_ev ev);

/* The record of a peer, or NULL (tests and show). */
const struct ik_peer *ik_peer_find(struct ik_engine *e, const struct ik_addr *remote,
				   const char *fvrf);
/* Limit on idle records (0 = IK_PEER_MAX_DEFAULT); applied as records are made. */
void ik_peer_set_max(struct ik_engine *e, size_t max);
size_t ik_peer_count(const struct ik_engine *e);

/* Engine life. */
void ik_peer_tab_free(struct ik_peer_tab *t);

/* clear crypto statistics: every counter of every record back to zero. */
void ik_engine_clear_peer_stats(struct ik_engine *e);
/* show crypto isakmp peers detail: the IOS peer lines of each peer with IKE
 * SAs, then every record's counters, ordered by address (JSON: an array). */
void ik_engine_show_peers_detail(struct ik_engine *e, bool json, struct ik_sb *out);
/* show crypto ikev2 stats peer A: the IKEv2 counters of peer A (every VRF). */
void ik_engine_show_v2_peer_stats(struct ik_engine *e, const struct ik_addr *peer, bool json,
				  struct ik_sb *out);

#endif
