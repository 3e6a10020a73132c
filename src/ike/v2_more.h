/* Internals of the IKEv2 exchanges on an established SA, shared by
 * v2_info.c (INFORMATIONAL: DELETE, liveness checks), v2_ccsa.c
 * (CREATE_CHILD_SA: child and IKE SA rekeys, RFC 7296 1.3, 2.8), v2_frag.c
 * (RFC 7383) and v2_show_sa.c (show and clear crypto ikev2). Not a public
 * interface.
 *
 * Window size 1: work that wants a request (a DELETE, a liveness check, a
 * rekey) is queued in the SA's struct ik_v2_more and sent by ik_v2_more_run
 * when the window is free; the queue is bounded (at most one request of
 * each kind, and IK_V2_MORE_DEL_MAX child SPIs to delete,
 * IK_V2_MORE_REKEY_MAX children to rekey, IK_V2_MORE_NEW_MAX additional
 * children to make). What it holds is sized by use: arrays of the queued
 * entries only, and a CREATE_CHILD_SA record only while one is in flight.
 */
#ifndef IK_IKE_V2_MORE_H
#define IK_IKE_V2_MORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/v2_int.h"

#define IK_V2_MORE_DEL_MAX 32u    /* child SPIs waiting for a DELETE */
#define IK_V2_MORE_REKEY_MAX 16u  /* children waiting for a rekey */
#define IK_V2_MORE_NEW_MAX 16u    /* crypto map children waiting to be made */
#define IK_V2_REKEY_MARGIN_PCT 10u /* the IKE SA is rekeyed this share before its lifetime */
#define IK_V2_REKEY_RETRY_MS 30000u /* a rekey that failed is tried again after this */

/* The request of ours in flight (one at a time). */
enum ik_v2_xch {
	IK_V2_X_NONE = 0,
	IK_V2_X_DPD,            /* an empty INFORMATIONAL */
	IK_V2_X_DELETE_CHILD,
	IK_V2_X_CHILD_REKEY,    /* CREATE_CHILD_SA with REKEY_SA */
	IK_V2_X_IKE_REKEY,      /* CREATE_CHILD_SA of an IKE SA */
	IK_V2_X_CHILD_NEW,      /* CREATE_CHILD_SA of an additional child (crypto map line) */
};

/* An additional child wanted: a crypto map entry (in the SA's snapshot),
 * its ACL line and the proxy identities, local first. */
struct ik_v2_new_child {
	const struct ik_cmap_entry *cmap;
	size_t ace;
	struct ik_proxy proxy;
	struct ik_proxy pkt;    /* proto 255: unknown */
};

/* A CREATE_CHILD_SA request of ours in flight (a child rekey, an additional
 * child or an IKE SA rekey): made when the request is sent, freed once it is
 * answered or given up (ik_v2_ccsa_abort). A liveness check or a DELETE
 * never carries one. */
struct ik_v2_ccsa_x {
	struct ik_v2_child_req cr;      /* CHILD_REKEY, CHILD_NEW: what we offered */
	uint8_t *ni;                    /* our nonce in it */
	size_t ni_len;
	struct ik_dh *dh;               /* its KE (PFS, IKE rekey) */
	uint8_t new_spi[8];             /* IKE_REKEY: our SPI of the new SA */
	struct ik_v2_suite new_suite;   /* IKE_REKEY: what we offered */
	/* a collision (RFC 7296 2.8.1): the peer's exchange rekeyed what ours
	 * rekeys; what it made, and the lowest nonce of that exchange (its
	 * length as received) */
	unsigned coll_child;            /* child id the peer's exchange made (0: none) */
	unsigned coll_old;              /* the child both rekeyed */
	bool coll_ike;                  /* the peer's exchange rekeyed this IKE SA */
	uint8_t coll_spi_i[8], coll_spi_r[8]; /* the SA it made */
	uint8_t *coll_nonce;
	size_t coll_nonce_len;
};

/* What an established SA has queued or in flight. The queues grow by need
 * (ik_v2_more_grow) up to their bounds and are freed when they drain; an
 * SA with nothing of this has none (s->more NULL), one with a liveness
 * check in flight only this small block. */
struct ik_v2_more {
	/* queued until the window is free */
	uint32_t *del_spi;              /* our inbound SPIs of children gone */
	unsigned *rekey_id;             /* child ids */
	struct ik_v2_new_child *new_child;
	uint8_t ndel, del_cap;
	uint8_t nrekey, rekey_cap;
	uint8_t nnew, new_cap;
	bool want_dpd, want_ike_rekey;
	/* replaced by an IKE rekey: its children belong to the new SA */
	bool rekeyed;
	/* our request in flight */
	uint8_t x;                      /* enum ik_v2_xch */
	struct ik_v2_ccsa_x *ccsa;      /* CHILD_REKEY, CHILD_NEW, IKE_REKEY */
};

_Static_assert(IK_V2_MORE_DEL_MAX <= UINT8_MAX && IK_V2_MORE_REKEY_MAX <= UINT8_MAX &&
	       IK_V2_MORE_NEW_MAX <= UINT8_MAX, "queue bounds fit the counters");

/* The SA's state, made on first use (NULL when out of memory); freed again
 * by ik_v2_win_idle once nothing is queued, in flight or remembered in it. */
struct ik_v2_more *ik_v2_more_get(struct ik_v2_ike_sa *s);
/* The SA's state if it has one (NULL: nothing queued, in flight or
 * remembered); never allocates. */
struct ik_v2_more *ik_v2_more_peek(const struct ik_v2_ike_sa *s);
void ik_v2_more_free(struct ik_v2_ike_sa *s);
/* Room for one more element in a queue of n elements of size bytes whose
 * array arr has room for *cap: arr itself, or the array grown (doubled, at
 * most max elements; *cap updated), or NULL (full or out of memory: arr is
 * untouched and still owned by the caller). */
void *ik_v2_more_grow(void *arr, uint8_t *cap, unsigned n, size_t size, unsigned max);
/* Bytes the SA's state holds on the heap besides its DH key: the block,
 * the queues' arrays, a CREATE_CHILD_SA record and its nonces (0: none). */
size_t ik_v2_more_bytes(const struct ik_v2_ike_sa *s);
/* Sends the queued request with the highest priority if the window is free
 * (DELETEs of children, IKE rekey, child rekeys, liveness check). The
 * DELETE of the IKE SA goes at once (ik_v2_sa_delete). */
void ik_v2_more_run(struct ik_v2_ike_sa *s);
/* The SA became READY: arms its lifetime, rekey, liveness and NAT keepalive
 * timers from the profile (lifetime, dpd, nat keepalive), for both roles. */
void ik_v2_more_established(struct ik_v2_ike_sa *s);
/* Our request of these exchanges (liveness check, DELETE, rekey) went
 * unanswered (retransmissions exhausted): the peer is dead, said in IOS's
 * words. Returns true when this handled it (the SA and its children are
 * gone); false for other requests (IKE_SA_INIT, IKE_AUTH). */
bool ik_v2_more_request_timeout(struct ik_v2_ike_sa *s);

/* Child SAs of the SA (made by it or handed to it by an IKE SA rekey),
 * through the children's address index: first/next, NULL at the end. */
struct ik_child *ik_v2_child_first(struct ik_v2_ike_sa *s);
struct ik_child *ik_v2_child_next(struct ik_v2_ike_sa *s, struct ik_child *c);
/* The child of the SA whose outbound (peer's inbound) SPI is spi, or NULL. */
struct ik_child *ik_v2_child_by_out_spi(struct ik_v2_ike_sa *s, uint32_t spi);
/* Lowest of two nonces as octet strings (RFC 7296 2.8.1): <0, 0, >0. */
int ik_v2_nonce_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/* ---- v2_info.c ---- */
void ik_v2_info_dpd_timer(struct ik_v2_ike_sa *s, uint64_t now);
/* Queues a DELETE of a child (our inbound SPI) and runs the queue. */
void ik_v2_info_queue_delete(struct ik_v2_ike_sa *s, uint32_t spi_in);
int ik_v2_info_send_queued(struct ik_v2_ike_sa *s);

/* ---- v2_ccsa.c ---- */
int ik_v2_ccsa_send_child_rekey(struct ik_v2_ike_sa *s, unsigned child_id);
int ik_v2_ccsa_send_ike_rekey(struct ik_v2_ike_sa *s);
/* CREATE_CHILD_SA without REKEY_SA for a crypto map line (nc). */
int ik_v2_ccsa_send_child_new(struct ik_v2_ike_sa *s, const struct ik_v2_new_child *nc);
/* Our CREATE_CHILD_SA request is over (answered, failed or given up): its
 * record goes (nonce, DH key, collision), a child it rekeyed may be rekeyed
 * again. */
void ik_v2_ccsa_abort(struct ik_v2_ike_sa *s);
/* Frees a CREATE_CHILD_SA record (its nonce wiped); NULL is fine. */
void ik_v2_ccsa_x_free(struct ik_v2_ccsa_x *x);

/* ---- v2_frag.c ---- */
/* The largest IKE datagram (UDP payload) for an IP MTU. */
size_t ik_v2_frag_size(unsigned mtu, bool ipv6, bool natt);
/* Whether this side announces IKEV2_FRAGMENTATION_SUPPORTED (configured). */
bool ik_v2_frag_local(const struct ik_v2_ike_sa *s);
/* An upper bound of the datagram b becomes once its SK payload is sealed. */
size_t ik_v2_sealed_len(const struct ik_v2_keys *k, const struct ik_v2_builder *b);
/* Whether the message in b (SK opened, not sealed) goes as fragments. */
bool ik_v2_frag_needed(const struct ik_v2_ike_sa *s, const struct ik_v2_builder *b);
/* Seals the message in b as SKF fragments into out (replacing what it held):
 * the number of fragments, or -1 (traced). */
int ik_v2_frag_out(struct ik_v2_ike_sa *s, const struct ik_v2_builder *b, size_t sk_off,
		   struct ik_v2_out *out);
/* A message whose clear chain ends with SKF (m->sk), of a message ID the
 * window accepts: checks the fragment's ICV, decrypts it and adds it to the
 * reassembly. 1: the whole message's inner payloads are in out (out_len
 * bytes, first payload *first_np); 0: stored or a duplicate; -1: dropped
 * (traced); IK_V2_ICV_MISMATCH: its ICV did not verify. */
int ik_v2_frag_in(struct ik_v2_ike_sa *s, const uint8_t *msg, size_t len,
		  const struct ik_v2_msg *m, uint8_t *out, size_t out_size, size_t *out_len,
		  unsigned *first_np);

/* ---- v2_show_sa.c ---- */
/* The IKEv2 peers' entries of show crypto session (after the IKEv1 ones;
 * *first: no entry printed yet, for the JSON commas). */
void ik_v2_show_crypto_session(struct ik_engine *e, const struct ik_show_opts *o, bool json,
			       bool *first, struct ik_sb *out);
/* The IKEv2 peers' rows of show crypto session brief. */
void ik_v2_show_session_brief(struct ik_engine *e, const struct ik_show_opts *o,
			      struct ik_sb *out);
/* clear crypto ikev2 sa [remote A] (peer 0: all): DELETE sent, SAs and
 * their children gone. */
void ik_v2_clear(struct ik_engine *e, uint32_t peer);
/* The same with a peer of either family (NULL = all). */
void ik_v2_clear_addr(struct ik_engine *e, const struct ik_addr *peer);

#endif
