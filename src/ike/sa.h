/* The version-neutral core of the engine: what an IKEv1 phase-1 SA and an
 * IKEv2 IKE SA share (SPIs, endpoints, front-door VRF, snapshot, connection
 * id, state, timers, table links), the per-version operations the core calls,
 * and the keyed hash tables every lookup goes through.
 *
 * Tables are chained hash tables of links embedded in the objects. Keys are
 * hashed with SipHash (libsodium's crypto_shorthash) under a key drawn at
 * random when the engine starts, so that attacker-chosen cookies, addresses
 * or ports cannot be made to collide. A table doubles when it holds more
 * entries than buckets (amortised O(1) inserts); lookups and deletions touch
 * one chain. */
#ifndef IK_IKE_SA_H
#define IK_IKE_SA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/model.h"
#include "ike/engine.h"
#include "ike/timer.h"
#include "util/addr.h"
#include "util/strbuf.h"

#define ik_container_of(p, T, m) ((T *)(void *)((char *)(p) - offsetof(T, m)))

#define IK_HKEY_LEN 16

/* A link of a table: pprev points at whatever points at it (a bucket head or
 * the previous link's next), so that removal costs O(1) however many links
 * share its key; NULL when the link is in no table. */
struct ik_hlink {
	struct ik_hlink *next, **pprev;
	uint64_t h;
};

struct ik_htab {
	struct ik_hlink **b;
	size_t mask;            /* buckets - 1 (a power of two) */
	size_t n;
};

uint64_t ik_keyed_hash(const uint8_t key[IK_HKEY_LEN], const void *d, size_t len);
/* -1 when out of memory (the table stays as it was, l not in it). */
int ik_htab_add(struct ik_htab *t, struct ik_hlink *l, uint64_t h);
/* Removes l if it is in a table (t, the one it was added to); returns whether
 * it was. O(1). */
bool ik_htab_del(struct ik_htab *t, struct ik_hlink *l);
/* The links whose hash is h: first, then next (NULL at the end). */
struct ik_hlink *ik_htab_first(const struct ik_htab *t, uint64_t h);
struct ik_hlink *ik_htab_next(const struct ik_hlink *l);
/* When the links have fallen below an eighth of the buckets, moves them
 * into half as many buckets as links or more (64 at least), so that the
 * buckets of a table that was large go back to the system; true when it did.
 * O(buckets), amortised O(1) per link added or removed; never while a walk
 * of the table is under way (the chains change). */
bool ik_htab_shrink(struct ik_htab *t);
/* Frees the buckets only: the owner frees (or forgets) the objects linked. */
void ik_htab_free(struct ik_htab *t);

/* Timer kinds: which object owns an embedded struct ik_timer, and which of
 * its timers it is. */
enum ik_timer_kind {
	IK_TK_SA_XMIT = 1,      /* retransmission of the last message */
	IK_TK_SA_EXPIRE,        /* lifetime, or half-open give-up */
	IK_TK_SA_REKEY,
	IK_TK_SA_DPD,
	IK_TK_SA_NATKA,         /* NAT keepalive */
	IK_TK_XCH_XMIT,         /* an exchange inside an SA (IKEv1 Quick Mode) */
	IK_TK_XCH_EXPIRE,
	IK_TK_CHILD_SOFT,
	IK_TK_CHILD_HARD,
	IK_TK_V2_XMIT,          /* retransmission of an IKEv2 request (v2_int.h) */
};

struct ik_ike_sa;
struct ik_sa_live;
struct ik_child;
struct ik_peer;

/* The forms of show crypto isakmp sa. */
enum ik_sa_show { IK_SA_SHOW_BRIEF, IK_SA_SHOW_DETAIL, IK_SA_SHOW_JSON };

/* What the core asks of a version. */
struct ik_ike_sa_ops {
	uint8_t version;        /* ISAKMP major version: 1 or 2 */
	/* One of the SA's timers (or of an exchange inside it) is due. */
	void (*timer)(struct ik_ike_sa *sa, struct ik_timer *t, uint64_t now);
	/* Deletes the SA (marks it dead; it is freed later by free). */
	void (*del)(struct ik_ike_sa *sa, const char *reason, bool notify_peer);
	/* The SA's row of show crypto isakmp sa in that form (JSON: an object,
	 * preceded by a comma unless first). */
	void (*show)(const struct ik_ike_sa *sa, enum ik_sa_show form, bool first, uint64_t now,
		     struct ik_sb *out);
	void (*free)(struct ik_ike_sa *sa);
};

/* The fields of the base, as a macro so that a version's SA can embed them
 * both as a named struct ik_ike_sa (for the core) and anonymously (so that
 * its own code reads p1->remote). The two have the same layout. */
#define IK_IKE_SA_FIELDS                                                          \
	const struct ik_ike_sa_ops *ops;                                          \
	struct ik_engine *e;                                                      \
	uint8_t version;                                                          \
	bool initiator;                                                           \
	bool dead;              /* deleted, waiting on the free list */           \
	bool half_open;         /* counted in the engine's half-open count */     \
	bool proven;            /* responder: the peer answered from its address */ \
	/* messages of the opening exchange received and sent while the peer has \
	 * no record (ike/peer.c: added to it when one is made) */                \
	uint8_t peer_rx, peer_tx;                                                 \
	bool peer_am;           /* that exchange is IKEv1 Aggressive Mode */      \
	unsigned state;         /* the version's state */                         \
	unsigned conn_id;       /* 0 until keys exist, as IOS prints */           \
	union { uint8_t spi_i[8]; uint8_t cky_i[8]; };                            \
	union { uint8_t spi_r[8]; uint8_t cky_r[8]; };                            \
	struct ik_endpoint local, remote;                                         \
	char *fvrf;                                                               \
	struct ik_config *cfg;  /* the snapshot the SA holds */                   \
	uint64_t created_ms;                                                      \
	struct ik_hlink by_spi, by_peer, by_addr;                                 \
	struct ik_ike_sa *ho_prev;                                                \
	union {                                                                   \
		struct ik_ike_sa *ho_next;   /* half-open eviction list */      \
		struct ik_ike_sa *free_next; /* deleted: it has left that list */ \
	};                                                                        \
	struct ik_src *src;     /* per-source counters while half-open */         \
	struct ik_peer *peer;   /* per-peer counters (ike/peer.h) */              \
	/* the retransmission timer is in the version's exchange state */     \
	struct ik_timer t_expire;                                                 \
	struct ik_sa_live *live; /* NULL until established (ik_core_sa_live) */

struct ik_ike_sa {
	IK_IKE_SA_FIELDS
};

/* The timers an SA arms only once established (rekey, liveness check, NAT
 * keepalive): allocated then (ik_core_sa_live), so that a half-open SA does
 * not carry them. */
struct ik_sa_live {
	struct ik_ike_sa *sa;
	struct ik_timer t_rekey, t_dpd, t_natka;
};

/* Embeds the base: `IK_IKE_SA_BASE;` as the first member. */
#define IK_IKE_SA_BASE union { struct ik_ike_sa sa; struct { IK_IKE_SA_FIELDS }; }

/* Per-source state of first messages (half-open count and response rate). */
struct ik_src {
	struct ik_hlink link;
	uint64_t win_ms;        /* start of the current one-second window */
	struct ik_addr addr;
	uint16_t half_open;     /* at most a tenth of the half-open limit (100,000) */
	uint16_t win_count;     /* new exchanges answered in the window */
};

/* Per-version hooks of a child SA. */
struct ik_child_ops {
	uint8_t version;        /* of the IKE SAs that make such children: 1 or 2 */
	/* The soft lifetime was reached (or the kernel said so): rekey. */
	void (*rekey)(struct ik_engine *e, struct ik_child *c, uint64_t now);
	/* Tells the peer that c goes (DELETE), if an SA to it exists. */
	void (*notify_delete)(struct ik_engine *e, struct ik_child *c);
};

/* A child (IPsec) SA pair in the engine's table. */
struct ik_child {
	const struct ik_child_ops *ops;
	struct ik_child *next, *prev;           /* every child (admin walks only) */
	struct ik_hlink by_id, by_spi_in, by_spi_out, by_tunnel, by_peer, by_addr;
	bool in_tunnel;
	struct ik_timer t_soft, t_hard;
	struct ik_child_sa sa;
	struct ik_config *cfg;  /* the snapshot it was made under */
	struct ik_endpoint local, remote;       /* of the IKE SA that made it */
	char *fvrf;
	char profile_name[64];
	unsigned p1_conn_id;
	uint8_t version;
	bool initiator;
	bool rekeying;
	uint64_t created_ms;
	char transform_name[64];
};

#endif
