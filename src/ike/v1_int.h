/* Internals of the IKEv1 engine shared by engine.c, v1_states.c, v1_mm.c,
 * v1_qm.c, v1_info.c, v1_vid.c and v1_show.c. Not a public interface. */
#ifndef IK_IKE_V1_INT_H
#define IK_IKE_V1_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/model.h"
#include "ipsec/child.h"
#include "ike/core.h"
#include "ike/crypto.h"
#include "ike/engine.h"
#include "ike/peer.h"
#include "ike/sa.h"
#include "ike/timer.h"
#include "ike/v1_msg.h"
#include "keyring/resolver.h"
#include "profile/cmap_select.h"
#include "profile/profile.h"

/* Phase-1 states, named as IOS prints them. */
enum ik_p1_state {
	IKE_READY = 0,
	IKE_I_MM1, IKE_I_MM2, IKE_I_MM3, IKE_I_MM4, IKE_I_MM5, IKE_I_MM6,
	IKE_R_MM1, IKE_R_MM2, IKE_R_MM3, IKE_R_MM4, IKE_R_MM5,
	IKE_I_AM1, IKE_R_AM_AAA_AWAIT, IKE_R_AM2,   /* Aggressive Mode */
	IKE_P1_COMPLETE,
	IKE_DEST_SA,            /* being deleted */
};

/* Quick Mode node states, as IOS prints them. */
enum ik_qm_state {
	IKE_QM_READY = 0,
	IKE_QM_I_QM1,
	IKE_QM_SPI_STARVE,
	IKE_QM_IPSEC_INSTALL_AWAIT,
	IKE_QM_R_QM2,
	IKE_QM_PHASE2_COMPLETE,
};

#define IK_V1_DUP_RATE_MS 500u
#define IK_V1_QM_LINGER_MS 180000u /* strongSwan's default retransmissions last ~165 s */
#define IK_V1_NONCE_LEN 20u
#define IK_V1_MAX_NONCE 256u
#define IK_V1_MIN_NONCE 8u
#define IK_V1_EVICT_LOOK 16u      /* half-open SAs looked at to choose one to evict */
#define IK_V1_SA_MAX_QM 16u       /* Quick Mode nodes under way per IKE SA */
#define IK_V1_SA_MAX_QM_NODES 64u /* nodes per IKE SA, lingering ones included */
#define IK_V1_AM_HASH_LEN 64u     /* room for the longest HASH (SHA-512) */
#define IK_V1_SEEN_MSGID 32u      /* Quick Mode message IDs remembered per SA (replays) */
#define IK_V1_SRC_RATE 50u        /* new exchanges answered per source and second */

/* The last message sent, kept for retransmission, and the digest of the last
 * message received, to recognise duplicates. */
struct ik_xmit {
	uint8_t *buf;
	size_t len;
	unsigned count;         /* retransmissions done */
	struct ik_timer t;      /* the next retransmission (unarmed: none pending) */
	struct ik_timers *ts;   /* the heap t is armed in (set by ik_v1_xmit_set) */
	uint64_t rx_digest;     /* of the datagram this answers (0 = none) */
	uint64_t last_dup_ms;
};

struct ik_p1;
struct ik_v2_eng;

struct ik_qm {
	struct ik_qm *next;
	struct ik_p1 *p1;
	uint32_t msgid;
	enum ik_qm_state state;
	bool initiator;
	uint8_t iv[16];
	uint8_t *ni, *nr;       /* as long as received (ik_v1_nonce_set) */
	size_t ni_len, nr_len;
	struct ik_dh *dh;
	struct ik_secret *gxy;
	unsigned pfs_group;
	/* what this negotiates, in the snapshot the node holds */
	struct ik_config *cfg;
	const struct ik_interface *tunnel;
	const struct ik_ipsec_profile *ipsec;
	const struct ik_cmap *cmap_map; /* responder: the map of the interface, if any */
	const struct ik_cmap_entry *cmap; /* crypto map entry (then tunnel is NULL) */
	size_t cmap_ace;        /* its ACL line, 255 when the entry has none */
	struct ik_proxy proxy;  /* crypto map: the proxy identities, as seen here */
	struct ik_child_sa child;
	uint32_t spi_in, spi_out;
	uint8_t *sa_b;          /* initiator: the SA payload sent (for matching the reply) */
	size_t sa_b_len;
	unsigned rekey_of;      /* child id this replaces, 0 = none */
	struct ik_xmit x;
	struct ik_timer t_expire; /* node give-up / linger deadline */
	bool done;
};


/* The IKEv1 phase-1 SA: the core's IKE SA (state is an enum ik_p1_state,
 * cky_i/cky_r are the SPIs) and what Main Mode needs. */
/* What a crypto-map initiator keeps: the ACL line, the index of the set peer
 * tried, and the proxy identities to send. */
struct ik_p1_cmap {
	size_t ace, peer;
	struct ik_proxy proxy;
};

/* What an IKEv1 SA needs only once phase 1 is complete, once the peer's
 * identity is known, or as an initiator: allocated then (ik_v1_p1_up), so
 * that a half-open responder SA does not carry it. */
struct ik_p1_up {
	uint8_t p2_iv_base[16]; /* last CBC block of phase 1 */
	uint64_t established_ms;
	uint64_t dpd_in_pkts;
	uint32_t dpd_seq, dpd_peer_seq;
	unsigned dpd_tries;
	bool dpd_pending;
	bool rekey_started;
	unsigned qm_pending;    /* Quick Mode nodes not done */
	unsigned qm_count;      /* Quick Mode nodes, done ones (lingering) included */
	/* quick mode nodes, and the message IDs of the last ones (replays) */
	struct ik_qm *qms;
	uint32_t *seen_msgid;   /* IK_V1_SEEN_MSGID of them, from the first Quick Mode on */
	unsigned seen_next;
	/* the peer's identity (MM5/MM6, AM1/AM2) */
	uint8_t peer_id_type;
	uint32_t peer_id_addr;
	char *peer_id_name;     /* NUL-terminated copy of a name ID, or NULL */
	/* initiator: phase 2 to start once phase 1 completes */
	bool want_qm;
	unsigned want_rekey_of;
	/* crypto map initiator (tunnel NULL): the entry (in cfg), its ACL line,
	 * the index of the set peer tried, and the proxy identities to send */
	const struct ik_cmap_entry *cmap;
	struct ik_p1_cmap *cmx; /* set with cmap (apart: most SAs have no map) */
};

struct ik_p1 {
	IK_IKE_SA_BASE;
	struct ik_p1 *next, *prev; /* every IKEv1 SA (admin walks only) */
	struct ik_p1_up *up;    /* NULL until phase 1 completes (ik_v1_p1_up): set in
				 * state IKE_P1_COMPLETE */
	const struct ik_interface *tunnel;          /* initiator: the tunnel asked for */
	const struct ik_isakmp_profile *profile;    /* K1/P3 (initiator), P1 (responder) */
	const struct ik_key *key;                   /* K1/K2 (initiator), K3 (responder) */
	/* negotiated policy */
	enum ik_encr encr;
	unsigned keylen;
	enum ik_hash hash;
	enum ik_authm auth;
	unsigned group;
	uint32_t lifetime;
	unsigned policy_prio;
	unsigned bad_decrypts;  /* MM5/MM6 that decrypted to garbage (key mismatch) */
	/* exchange material */
	uint8_t *sai_b;
	size_t sai_b_len;
	struct ik_dh *dh;
	uint8_t *gxi, *gxr;
	size_t gxi_len, gxr_len;
	uint8_t *ni, *nr;       /* as long as received; freed once phase 1 is done */
	size_t ni_len, nr_len;
	struct ik_v1_keys *keys; /* allocated when derived (not while half-open) */
	uint8_t iv[16];
	uint8_t blen;           /* the cipher's block (IV) length: 8 or 16 */
	bool have_keys;
	/* peer */
	bool peer_natt_rfc, peer_natt_draft, peer_dpd, peer_unity, peer_ios, peer_xauth;
	bool nat_self, nat_peer;
	bool initial_contact_sent;
	bool aggressive;        /* phase 1 by Aggressive Mode */
	uint8_t *am_hash_i;     /* responder: the HASH_I AM3 must carry (IK_V1_AM_HASH_LEN) */
	/* timers (t_expire, t_rekey, t_dpd, t_natka are in the base) */
	struct ik_xmit x;
	uint64_t last_rx_ms;
};

/* The type of the peer's phase-1 identity as received; 0 before it came. */
static inline uint8_t ik_v1_peer_id_type(const struct ik_p1 *p1)
{
	return p1->up ? p1->up->peer_id_type : 0;
}

/* ---- engine.c ---- */
struct ik_p1 *ik_v1_p1_new(struct ik_engine *e, bool initiator, const struct ik_endpoint *local,
			   const struct ik_endpoint *remote, const char *fvrf);
void ik_v1_p1_delete(struct ik_p1 *p1, const char *reason, bool notify_peer);
/* The post-phase-1 block of p1, allocated (zeroed) on first use: when the
 * SA enters IKE_P1_COMPLETE, when the peer's identity arrives, when an
 * initiator is told what to do once phase 1 completes, or when an
 * authenticated DPD message needs it. Never NULL (ik_xcalloc). */
struct ik_p1_up *ik_v1_p1_up(struct ik_p1 *p1);
void ik_v1_p1_rehash(struct ik_p1 *p1);
void ik_v1_p1_set_state(struct ik_p1 *p1, const char *input, enum ik_p1_state to);
const char *ik_v1_p1_state_name(enum ik_p1_state s);
const char *ik_v1_p1_disp(const struct ik_p1 *p1);
const char *ik_v1_qm_state_name(enum ik_qm_state s);
void ik_v1_send(struct ik_p1 *p1, const uint8_t *msg, size_t len);
void ik_v1_xmit_set(struct ik_p1 *p1, struct ik_xmit *x, const uint8_t *msg, size_t len,
		    bool retransmit);
void ik_v1_xmit_clear(struct ik_xmit *x);
uint64_t ik_v1_digest(const uint8_t *d, size_t len);
struct ik_p1 *ik_v1_p1_find_peer(struct ik_engine *e, uint32_t local, uint32_t remote,
				 bool established);
/* The same for either family; local NULL (or 0.0.0.0, ::): any local address. */
struct ik_p1 *ik_v1_p1_find_peer_ip(struct ik_engine *e, const struct ik_addr *local,
				    const struct ik_addr *remote, bool established);
/* The live IKEv1 SA with these cookies, or NULL. */
struct ik_p1 *ik_v1_p1_find_cookies(struct ik_engine *e, const uint8_t icky[8],
				    const uint8_t rcky[8]);
/* Replaces *dst with a copy of len bytes of src (or, src NULL, random
 * bytes); the old value is wiped. -1 when out of memory. */
int ik_v1_nonce_set(struct ik_engine *e, uint8_t **dst, size_t *dlen, const uint8_t *src,
		    size_t len);
void ik_v1_nonce_free(uint8_t **n, size_t *len);
/* The Quick Mode message IDs of the last IK_V1_SEEN_MSGID nodes of p1. */
bool ik_v1_msgid_seen(const struct ik_p1 *p1, uint32_t msgid);
void ik_v1_msgid_remember(struct ik_p1 *p1, uint32_t msgid);
/* Moves the SA to new endpoints (NAT-T float, a NAT mapping change). */
void ik_v1_p1_set_endpoints(struct ik_p1 *p1, const struct ik_endpoint *local,
			    const struct ik_endpoint *remote);
/* Calls fn on every live SA (other than except) and every child that share
 * fvrf, local address, remote address and remote port with p1: one peer,
 * even when several sit behind one NAT address. */
void ik_v1_peer_each(struct ik_p1 *p1, struct ik_p1 *except,
		     void (*sa_fn)(struct ik_p1 *o, void *arg),
		     void (*child_fn)(struct ik_engine *e, struct ik_child *c, void *arg),
		     void *arg);
/* Enters a new IKEv1 child in the core's table (ik_core_child_insert). */
void ik_v1_child_insert(struct ik_engine *e, struct ik_child *c, uint64_t soft_ms,
			uint64_t hard_ms);
void ik_v1_assign_conn_id(struct ik_p1 *p1);
const struct ik_trace *ik_v1_tr(const struct ik_p1 *p1, struct ik_trace *tr);
/* Removes the children with peer address remote whose outbound SPI is spi
 * (the SPIs a peer's DELETE names), through the SPI index; how many. */
unsigned ik_v1_child_remove_out(struct ik_engine *e, uint32_t remote, uint32_t spi,
				const char *why);
unsigned ik_v1_child_remove_out_ip(struct ik_engine *e, const struct ik_addr *remote,
				   uint32_t spi, const char *why);
uint32_t ik_v1_tunnel_source(struct ik_engine *e, const struct ik_interface *t);
int ik_v1_tunnel_source_ip(struct ik_engine *e, const struct ik_interface *t,
			   struct ik_addr *out);

/* ---- v1_states.c ---- */
/* Handles one (decrypted when needed) message for an existing or new SA. */
void ik_v1_dispatch(struct ik_engine *e, struct ik_p1 *p1, const struct ik_endpoint *local,
		    const struct ik_endpoint *remote, const char *fvrf, const uint8_t *raw,
		    size_t raw_len);

/* The message being handled passed its HASH check: the SA follows the peer
 * to the address and port it came from (RFC 3947 section 4), if it moved. */
void ik_v1_p1_authenticated(struct ik_p1 *p1);

/* ---- v1_mm.c ---- */
int ik_v1_mm_start(struct ik_p1 *p1);
int ik_v1_mm_r1(struct ik_p1 *p1, const struct ik_v1_msg *m, const uint8_t *msg, size_t len);
int ik_v1_mm_i2(struct ik_p1 *p1, const struct ik_v1_msg *m, const uint8_t *msg, size_t len);
int ik_v1_mm_r3(struct ik_p1 *p1, const struct ik_v1_msg *m, const uint8_t *msg, size_t len);
int ik_v1_mm_i4(struct ik_p1 *p1, const struct ik_v1_msg *m, const uint8_t *msg, size_t len);
int ik_v1_mm_r5(struct ik_p1 *p1, const struct ik_v1_msg *m, const uint8_t *msg, size_t len);
int ik_v1_mm_i6(struct ik_p1 *p1, const struct ik_v1_msg *m, const uint8_t *msg, size_t len);
/* Aggressive Mode (RFC 2409 5.4): AM1 -> AM2 (responder), AM2 -> AM3
 * (initiator), AM3 (responder). The initiator starts it from ik_v1_mm_start
 * when the tunnel's ISAKMP profile says `initiate mode aggressive`. */
int ik_v1_am_r1(struct ik_p1 *p1, const struct ik_v1_msg *m, const uint8_t *msg, size_t len);
int ik_v1_am_i2(struct ik_p1 *p1, const struct ik_v1_msg *m, const uint8_t *msg, size_t len);
int ik_v1_am_r3(struct ik_p1 *p1, const struct ik_v1_msg *m, const uint8_t *msg, size_t len);
/* Encrypts the body of a built message in place (zero padding to the block)
 * and updates iv. */
int ik_v1_encrypt(struct ik_p1 *p1, struct ik_v1_builder *b, uint8_t *iv);
/* Decrypts a message into out (header copied); the IV is updated only in
 * *iv_out. Returns the plaintext length or -1. */
long ik_v1_decrypt(struct ik_p1 *p1, const uint8_t *msg, size_t len, const uint8_t *iv,
		   uint8_t *iv_out, uint8_t *out, size_t outcap);
void ik_v1_phase1_done(struct ik_p1 *p1);

/* Shared with v1_cert.c: HASH_I/HASH_R over an ID payload body, the
 * N(INITIAL-CONTACT) of MM5, the one-line failure message. */
int ik_v1_auth_hash(struct ik_p1 *p1, bool of_initiator, const uint8_t *id_b, size_t id_len,
		    uint8_t *out);
void ik_v1_put_initial_contact(struct ik_p1 *p1, struct ik_v1_builder *b);

/* ---- v1_cert.c: Main Mode with signatures (rsa-sig, ecdsa-sig) ---- */
bool ik_v1_auth_is_sig(enum ik_authm a);
/* The SA attribute value of an authentication method (1, 3, 9..11). */
unsigned ik_v1_auth_code(const struct ik_p1 *p1, enum ik_authm a);
/* Whether an offered value is the policy's method. */
bool ik_v1_auth_code_ok(enum ik_authm a, uint64_t code);
/* Whether we can authenticate that way: a pre-shared key is looked up
 * later; a signature needs a trustpoint with a certificate and key. */
bool ik_v1_auth_usable(const struct ik_p1 *p1, enum ik_authm a);
void ik_v1_cert_put_certreq(struct ik_p1 *p1, struct ik_v1_builder *b);
int ik_v1_cert_send_auth(struct ik_p1 *p1, bool initial_contact);
/* The profile a certificate map picks for the certificate of MM5, or NULL. */
const struct ik_isakmp_profile *ik_v1_cert_profile(struct ik_p1 *p1, const struct ik_v1_msg *m);
/* Checks CERT, ID and SIG of MM5/MM6 (pki/peerauth.h, then the signature);
 * 0, or -1 with the reason in why. */
int ik_v1_cert_check_auth(struct ik_p1 *p1, const struct ik_v1_msg *m,
			  const struct ik_v1_pl *idpl, char *why, size_t whylen);

/* ---- v1_qm.c ---- */
int ik_v1_qm_start(struct ik_p1 *p1, const struct ik_interface *tunnel, unsigned rekey_of);
int ik_v1_qm_r1(struct ik_p1 *p1, struct ik_qm *q, const struct ik_v1_msg *m);
/* v1_cmap.c: Quick Mode for crypto maps. The responder's choice of a map
 * entry for the proxy identities received (0: q->cmap, q->ipsec set; 1: no
 * crypto map on the interface of the IKE SA; -1: none matches, traced as
 * IOS does), the proposal's proxy trace lines, and the child's selectors. */
int ik_v1_cmap_select(struct ik_p1 *p1, struct ik_qm *q, const struct ik_v1_pl *idci,
		      const struct ik_v1_pl *idcr);
void ik_v1_cmap_trace_proxies(struct ik_p1 *p1, const struct ik_qm *q);
void ik_v1_cmap_trace_walk(struct ik_p1 *p1, const struct ik_qm *q);
void ik_v1_cmap_child(const struct ik_qm *q, struct ik_child_sa *c);
/* The ID payload body of one side of a proxy pair; returns its length. */
size_t ik_v1_cmap_id(const struct ik_ts *ts, uint8_t proto, uint8_t body[40]);
/* Initiator: Quick Mode for a map entry's line on an established SA. */
int ik_v1_qm_start_cmap(struct ik_p1 *p1, const struct ik_cmap_entry *cm, size_t ace,
			const struct ik_proxy *px, unsigned rekey_of);
/* Phase 1 is complete: the Quick Mode p1 was started for (p1->cmap). */
void ik_v1_cmap_start_wanted(struct ik_p1 *p1);
/* Phase 1 to p1's peer got no answer: the next set peer of the entry. */
void ik_v1_cmap_failover(struct ik_p1 *p1);
/* Reload: whether a child of entry e (older snapshot) to peer stays: the
 * map still has the entry, with the same access list, and names the peer
 * (a dynamic-map entry: any peer). */
bool ik_v1_cmap_kept(const struct ik_config *cfg, const struct ik_cmap_entry *e,
		     const struct ik_addr *peer);
/* The body of an IPsec ID payload (RFC 2407 4.6.2) as a traffic selector:
 * protocol, port, address, subnet or range (IPv4 or IPv6). -1 with why. */
int ik_v1_id_ts(const uint8_t *body, size_t len, uint8_t *proto, struct ik_ts *ts, char *why,
		size_t whylen);
/* The soft lifetime of a crypto map child this side initiated: Quick Mode
 * for the same line (on the IKE SA to the peer, or a new phase 1). */
void ik_v1_cmap_rekey(struct ik_engine *e, struct ik_child *c);
/* An acquire with a crypto map request id: the entry's line brought up. */
int ik_v1_cmap_acquire(struct ik_engine *e, uint32_t reqid);
/* set peer failover of line ace of entry was (any snapshot) after peer
 * number cur (address dead) did not answer: the next set peer, here or
 * handed to the engine that serves it (IKEv1 and IKEv2). */
void ik_cmap_failover(struct ik_engine *e, const struct ik_cmap_entry *was, size_t ace,
		      const struct ik_proxy *px, size_t cur, const struct ik_addr *dead,
		      const struct ik_addr *src);
/* The IPSEC(sa_request) proxy lines of p1's crypto map line. */
void ik_v1_cmap_trace_request(struct ik_p1 *p1);
/* Whether entry e belongs to map NAME (or to a dynamic map NAME names). */
bool ik_v1_cmap_in_map(const struct ik_config *cfg, const struct ik_cmap_entry *e,
		       const char *name);
/* The interface that carries e's map (or the map naming e's dynamic map),
 * "" when none; and the map tag show crypto ipsec sa prints. */
const char *ik_v1_cmap_ifname(const struct ik_config *cfg, const struct ik_cmap_entry *e);
int ik_v1_qm_i2(struct ik_p1 *p1, struct ik_qm *q, const struct ik_v1_msg *m);
int ik_v1_qm_r3(struct ik_p1 *p1, struct ik_qm *q, const struct ik_v1_msg *m);
struct ik_qm *ik_v1_qm_find(struct ik_p1 *p1, uint32_t msgid);
struct ik_qm *ik_v1_qm_new(struct ik_p1 *p1, uint32_t msgid, bool initiator);
void ik_v1_qm_free(struct ik_qm *q);
/* The node completed: kept until linger_until for retransmissions. */
void ik_v1_qm_done(struct ik_qm *q, uint64_t linger_until);
/* Whether the peer of p1 may not open another Quick Mode node (caps on
 * nodes under way per SA and on child SAs per peer); traces why. */
bool ik_v1_qm_refused(struct ik_p1 *p1);
/* Keeps the nodes of p1 under IK_V1_SA_MAX_QM_NODES: the oldest completed
 * node (kept only for retransmissions) goes early. */
void ik_v1_qm_make_room(struct ik_p1 *p1);
void ik_v1_qm_unlink(struct ik_p1 *p1, struct ik_qm *q);
/* prf(SKEYID_a, [pre] | M-ID | rest) into out. */
int ik_v1_hash_msgid(struct ik_p1 *p1, const uint8_t *pre, size_t pre_len, uint32_t msgid,
		     const uint8_t *a, size_t alen, const uint8_t *b2, size_t blen2,
		     uint8_t *out);

/* ---- v1_info.c ---- */
int ik_v1_info_input(struct ik_p1 *p1, const struct ik_v1_msg *m, bool authenticated);
/* Sends an encrypted informational exchange carrying one payload. */
void ik_v1_info_send(struct ik_p1 *p1, uint8_t pl_type, const uint8_t *body, size_t len);
void ik_v1_send_notify(struct ik_p1 *p1, uint16_t type, uint8_t proto, const uint8_t *spi,
		       size_t spi_len, const uint8_t *data, size_t data_len);
void ik_v1_send_delete(struct ik_p1 *p1, uint8_t proto, const uint8_t *spis, size_t spi_size,
		       unsigned nspi);
void ik_v1_dpd_timer(struct ik_p1 *p1, uint64_t now);

/* ---- v1_show.c ---- */
void ik_v1_show_sa(const struct ik_ike_sa *sa, enum ik_sa_show form, bool first, uint64_t now,
		   struct ik_sb *out);

/* ---- v1_vid.c ---- */
void ik_v1_vid_process(struct ik_p1 *p1, const struct ik_v1_msg *m, const uint8_t *msg,
		       size_t len);
void ik_v1_vid_add_natt(struct ik_p1 *p1, struct ik_v1_builder *b, bool all);
void ik_v1_vid_add(struct ik_p1 *p1, struct ik_v1_builder *b, bool unity, bool xauth);
int ik_v1_natd_add(struct ik_p1 *p1, struct ik_v1_builder *b);
void ik_v1_natd_process(struct ik_p1 *p1, const struct ik_v1_msg *m);

/* trace helpers */
#define P1ID(p1) ((p1) ? (p1)->conn_id : 0u)

#endif
