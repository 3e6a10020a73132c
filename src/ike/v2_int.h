/* Internals of the IKEv2 engine (RFC 7296) shared by v2_sa.c (the SA, its
 * message window and retransmissions, input dispatch), v2_init.c
 * (IKE_SA_INIT), v2_auth.c (IKE_AUTH), v2_esp.c (the child SA hooks: ESP
 * proposals, traffic selectors, install) and the files of the other
 * exchanges (CREATE_CHILD_SA, INFORMATIONAL). Not a public interface.
 *
 * An IKEv2 SA is a core IKE SA (struct ik_ike_sa, version 2): it sits in the
 * engine's tables by initiator SPI, by peer and by address like an IKEv1 SA,
 * counts as half-open until IKE_AUTH completes, and its children are struct
 * ik_child entries of the core's child table (version 2).
 *
 * Window size 1 (RFC 7296 2.3): one request of ours outstanding at a time,
 * kept with its retransmission timer until its response arrives; the last
 * response we sent is kept and resent when the peer retransmits its request.
 * A message is acted upon only after its ICV verified; the SA follows the
 * peer to a new address only then.
 */
#ifndef IK_IKE_V2_INT_H
#define IK_IKE_V2_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/acl.h"
#include "conf/model.h"
#include "ike/core.h"
#include "ike/crypto.h"
#include "ike/engine.h"
#include "ike/sa.h"
#include "ike/timer.h"
#include "ike/v2_crypto.h"
#include "ike/v2_msg.h"
#include "ipsec/child.h"
#include "profile/cmap_select.h"
#include "profile/v2_select.h"

/* IKE SA states. Names as traces print them (IOS: "IN-NEG" until READY). */
enum ik_v2_state {
	IKEV2_IDLE = 0,
	IKEV2_I_INIT_SENT,      /* initiator: IKE_SA_INIT request sent */
	IKEV2_R_INIT_SENT,      /* responder: IKE_SA_INIT answered, IKE_AUTH awaited */
	IKEV2_I_AUTH_SENT,      /* initiator: IKE_AUTH request sent */
	IKEV2_READY,            /* authenticated; CREATE_CHILD_SA, INFORMATIONAL */
	IKEV2_DELETING,         /* a DELETE of the IKE SA sent, response awaited */
	IKEV2_DEAD,
};

#define IK_V2_NONCE_LEN 32u             /* ours; the peer's may be 16..256 */
#define IK_V2_RETRANS_BASE_MS 2000u     /* as IKEv1: 2, 4, 8, 16, 16 s */
#define IK_V2_HALF_OPEN_MS 75000u
#define IK_V2_DEFAULT_LIFETIME 86400u   /* crypto ikev2 profile lifetime default */
#define IK_V2_COOKIE_ROTATE_MS 300000u  /* the COOKIE secret's lifetime */
#define IK_V2_COOKIE_LEN 20u            /* version (4) | HMAC-SHA256 truncated (16) */
#define IK_V2_KE_RETRIES 3u             /* INVALID_KE_PAYLOAD answers followed */
#define IK_V2_COOKIE_RETRIES 3u         /* COOKIE answers followed */
#define IK_V2_MAX_MSGS (IK_V2_MAX_FRAGMENTS) /* datagrams of one kept message */

/* One message as sent: one datagram, or the fragments of it (RFC 7383),
 * each as it goes on the wire (non-ESP marker not included: ik_v2_sa_send
 * adds it on 4500). */
struct ik_v2_out {
	uint8_t *buf;           /* the datagrams back to back */
	uint16_t *dlen;         /* their lengths (IK_V2_MAX_MSGS room) when fragments;
				 * NULL: one datagram of len bytes */
	uint32_t len;           /* at most IK_V2_MAX_MSGS * IK_V2_MAX_MSG */
	uint16_t n;             /* datagrams */
};

/* The message window of an IKE SA (RFC 7296 2.3), window size 1: the
 * responder half, which every SA needs (a responder half-open after
 * IKE_SA_INIT answers retransmissions of the request with it). The last
 * response, resent for a retransmitted request, is the kept IKE_SA_INIT
 * response (the SA's resp_kept) or up->resp. */
struct ik_v2_win {
	uint32_t last_dup;      /* rate limit of those resends: when the last went, in ms
				 * since the SA's creation, plus 1 (0: none yet) */
	uint32_t peer_next;     /* the ID the peer's next request must take */
	uint32_t resp_msgid;    /* = peer_next - 1 when the SA's have_resp */
};

/* The requester half of the window, in struct ik_v2_up: a responder SA sends
 * no request before IKE_AUTH arrives. */
struct ik_v2_req_win {
	uint32_t next_msgid;    /* the ID our next request takes */
	uint32_t req_msgid;
	bool req_pending;       /* a request awaits its response */
	uint8_t req_exch;       /* IK_V2_EXCH_* of that request */
	unsigned req_count;     /* retransmissions done */
	uint32_t req_interval_ms; /* fixed retransmission interval (DPD retry), 0: back-off */
	struct ik_v2_out req;   /* kept for retransmission */
	struct ik_timer t_xmit; /* kind IK_TK_V2_XMIT; unarmed: none pending */
};

/* What a child SA being made (IKE_AUTH, CREATE_CHILD_SA) has chosen: the
 * tunnel and its IPsec profile, the ESP transform, SPIs, selectors. Filled by
 * ik_v2_esp_offer (initiator) or ik_v2_esp_choose (responder), consumed by
 * ik_v2_child_install. */
struct ik_v2_child_req {
	const struct ik_interface *tunnel;      /* in the SA's snapshot */
	const struct ik_ipsec_profile *ipsec;
	const struct ik_transform_set *tset;    /* chosen (responder) or accepted */
	uint32_t spi_in;        /* ours: the peer sends to it */
	uint32_t spi_out;       /* the peer's */
	bool esn;
	bool transport;         /* USE_TRANSPORT_MODE agreed */
	unsigned pfs_group;     /* CREATE_CHILD_SA with KE only (never in IKE_AUTH) */
	unsigned rekey_of;      /* child id this replaces, 0 = none */
	bool exch_initiator;    /* this side sent the request of the exchange making the
				 * child: KEYMAT order, SPIs and selectors follow it */
	struct ik_v2_ts tsi, tsr; /* the selectors agreed (one each) */
	/* a crypto map entry instead of a tunnel (v2_cmap.c): the entry in the
	 * SA's snapshot, its ACL line (255: a dynamic entry without one) and
	 * the proxy identities, local first, as seen from this side */
	const struct ik_cmap_entry *cmap;
	size_t cmap_ace;
	struct ik_proxy proxy;
	/* initiator: the packet that raised it (single addresses), sent as the
	 * first TSi/TSr so that the responder picks the line holding it (RFC
	 * 7296 2.9); proto 255 when unknown */
	struct ik_proxy pkt;
};

/* The part of an IKEv2 SA that IKE_AUTH fills and the established SA
 * reads (the keys, the peer's identity, the first child), the requester
 * half of the window and the initiator's IKE_SA_INIT state: allocated by
 * ik_v2_up when first written (the responder: when the first encrypted
 * message arrives and the keys are derived; the initiator: at creation), so
 * that a responder SA half-open after IKE_SA_INIT does not carry it. */
struct ik_v2_up {
	struct ik_v2_ike_sa *sa;        /* the SA it belongs to (its timer's owner) */
	unsigned session_id;            /* the session of the SA an IKE rekey replaced
					 * (0: the SA's own, sa_id) */
	const struct ik_interface *tunnel; /* initiator: the tunnel asked for */
	const struct ik_ikev2_profile *profile; /* the tunnel's (I), from IDi (R): read it
						 * with ik_v2_sa_profile */
	const struct ik_ikev2_policy *policy; /* initiator: its proposals (the responder
					       * chooses one at IKE_SA_INIT and keeps
					       * the suite) */
	struct ik_v2_keys keys;         /* valid when the SA's have_keys */
	uint64_t iv_seq;                /* AEAD IVs: a counter, never repeated under SK_e */
	struct ik_v2_req_win rq;        /* our requests */
	struct ik_v2_out resp;          /* our last response but the IKE_SA_INIT one */
	uint64_t last_rx_ms;            /* an authenticated message arrived (DPD) */
	struct ik_dh *dh;               /* initiator: our key pair until the response */
	struct ik_v2_reasm *reasm;      /* fragments of the peer's message, allocated with
					 * the first fragment and freed when done */
	/* the first child SA (IKE_AUTH): allocated when wanted (ik_v2_sa_child),
	 * freed once IKE_AUTH is done */
	struct ik_v2_child_req *child;
	bool want_child;                /* initiator: IKE_AUTH carries one */
	unsigned cmap_peer;             /* initiator for child.cmap: its set peer number */
	struct ik_v2_psk psk;           /* from the profile's keyring */
	struct ik_v2_id peer_id;        /* IDi (R) or IDr (I) as selection reads it */
	char *peer_id_value;            /* the text peer_id.value points into */
	uint8_t peer_id_type;           /* IK_V2_ID_* as received */
	uint64_t established_ms;        /* 0 until IKE_AUTH completes */
	/* on-demand liveness: inbound ESP packets of the peer's children at the
	 * last check, counted from the first exchange of ours after IKE_AUTH */
	uint64_t dpd_in_pkts;
	bool dpd_base;
	struct ik_v2_pair_node *ready;  /* its node in the (local, remote) index while READY
					 * (v2_pair.c) */
	uint8_t *cookie;                /* initiator: the COOKIE to echo */
	size_t cookie_len;
	unsigned ke_retries, cookie_retries;
};

/* The IKEv2 IKE SA. spi_i/spi_r of the base are the SPIs; state is an enum
 * ik_v2_state. */
struct ik_v2_ike_sa {
	IK_IKE_SA_BASE;
	struct ik_v2_ike_sa *next, *prev; /* every IKEv2 SA (admin walks only) */
	/* configuration, in the snapshot the SA holds (base cfg): the IKEv2
	 * profile, the initiator's tunnel and IKEv2 policy are in up */
	/* what IKE_AUTH and later use: allocated when first needed (ik_v2_up),
	 * so that an SA half-open after IKE_SA_INIT does not carry it */
	struct ik_v2_up *up;
	/* from IKE_SA_INIT until the SK_* are derived (ik_v2_sa_keys): SKEYSEED
	 * alone, one PRF output; g^ir is wiped as soon as SKEYSEED is made */
	struct ik_secret *skeyseed;
	/* the two IKE_SA_INIT messages, for AUTH, exact and back to back in one
	 * block that init_i owns (init_r_len: 0 until the response is known);
	 * the nonces are their Nonce payloads' data in it. Freed by
	 * ik_v2_kept_free once IKE_AUTH is done. */
	uint8_t *init_i;
	uint16_t init_i_len, init_r_len; /* the response follows the request (each one
					  * datagram, at most IK_V2_MAX_MSG) */
	uint16_t ni_off, nr_off;        /* the nonces' data in the request, in the
					 * response (read them with ik_v2_sa_ni, _nr) */
	uint16_t ni_len, nr_len;        /* 0: not kept */
	unsigned sa_id;                 /* of the trace: IKEv2:(SESSION ID = n,SA ID = m); the
					 * session is the SA's own but after an IKE rekey
					 * (ik_v2_session_id) */
	/* negotiated */
	struct ik_v2_suite suite;
	uint16_t dh_group;      /* offered (initiator: may change on INVALID_KE) */
	bool have_keys : 1;     /* up->keys hold the SK_* (ik_v2_sa_keys) */
	bool have_resp : 1;     /* the response to message win.resp_msgid is kept */
	bool resp_kept : 1;     /* it is the IKE_SA_INIT response of the kept block */
	/* the peer */
	bool nat_self : 1, nat_peer : 1;  /* NAT-D: we, the peer, are behind a NAT */
	bool peer_frag : 1;               /* IKEV2_FRAGMENTATION_SUPPORTED received */
	bool peer_raw_req : 1;            /* CERTREQ for raw public keys received (RFC 7670) */
	bool initial_contact : 1;         /* INITIAL_CONTACT received (R) or sent (I) */
	uint8_t peer_sig_hashes;        /* SIGNATURE_HASH_ALGORITHMS received: bit n for
					 * hash n (RFC 7427 7: 2 SHA-256, 3, 4) */
	uint16_t peer_ca_tp;            /* 1 + the index in s->cfg->trustpoints of our first
					 * trustpoint whose issuer the peer's CERTREQ names;
					 * 0: none (ik_v2_sa_peer_ca) */
	/* exchanges: the responder half of the window (the requester half is
	 * up->rq) */
	struct ik_v2_win win;
	struct ik_v2_more *more;        /* rekeys, DELETE, DPD (v2_more.h); freed by
					 * ik_v2_more_free */
};

/* A half-open responder SA is this struct, its two IKE_SA_INIT messages and
 * SKEYSEED: keep it small (what only IKE_AUTH and later need goes in struct
 * ik_v2_up). */
_Static_assert(sizeof(struct ik_v2_ike_sa) <= 344,
	       "struct ik_v2_ike_sa grew past 344 bytes (a 352-byte malloc chunk)");

/* The SA's IKEv2 profile, or NULL (a responder before IKE_AUTH chose one). */
const struct ik_ikev2_profile *ik_v2_sa_profile(const struct ik_v2_ike_sa *s);

/* The trustpoint the peer's CERTREQ named (s->peer_ca_tp), or NULL. */
static inline const struct ik_trustpoint *ik_v2_sa_peer_ca(const struct ik_v2_ike_sa *s)
{
	return s->peer_ca_tp && s->peer_ca_tp <= s->cfg->ntrustpoints ?
		s->cfg->trustpoints[s->peer_ca_tp - 1] : NULL;
}

/* Engine-wide IKEv2 state (hung off struct ik_engine as e->v2). */
struct ik_v2_more;
struct ik_v2_pair_node;

struct ik_v2_eng {
	struct ik_v2_ike_sa *sas;       /* every IKEv2 SA, for show, clear and reload */
	unsigned next_session_id, next_sa_id;
	unsigned half_open;             /* IKEv2 SAs in negotiation (COOKIE threshold) */
	/* COOKIE (RFC 7296 2.6): HMAC-SHA256(secret, Ni | IPi | SPIi), the
	 * secret rotated every IK_V2_COOKIE_ROTATE_MS; the previous one is
	 * still accepted (its version is in the cookie). */
	uint8_t cookie_secret[32], cookie_prev[32];
	uint32_t cookie_version;
	uint64_t cookie_rotated_ms;
	bool cookie_have_secret;
	uint64_t cookies_sent, cookies_ok;
	struct ik_v2_stats st;          /* show crypto ikev2 stats (engine.h) */
	struct ik_htab pairs;           /* READY SAs by (local, remote) address (v2_pair.c) */
	/* where the message being handled came from: the SA moves there only
	 * once it authenticated (one message is handled at a time) */
	struct ik_endpoint rx_local, rx_remote;
};

/* Received message, decrypted (for SK exchanges): what handlers see. */
struct ik_v2_rx {
	const uint8_t *raw;             /* the message as received (header first) */
	size_t raw_len;
	struct ik_v2_msg m;             /* clear chain (IKE_SA_INIT) or inner chain */
	const uint8_t *plain;           /* the inner chain's bytes (m's offsets) */
	size_t plain_len;
};

/* IKEv2:(SESSION ID = n,...): the SA's own number, or the session of the SA
 * an IKE rekey replaced */
static inline unsigned ik_v2_session_id(const struct ik_v2_ike_sa *s)
{
	return s->up && s->up->session_id ? s->up->session_id : s->sa_id;
}

#define V2ID(s) ik_v2_session_id(s), (s)->sa_id
/* debug crypto ikev2: "IKEv2:(SESSION ID = n,SA ID = m):..." */
#define V2DBG(s, fmt, ...) \
	ik_dbg((s)->e->log, IK_DBG_IKEV2, "IKEv2:(SESSION ID = %u,SA ID = %u):" fmt, V2ID(s), \
	       ##__VA_ARGS__)

/* ---- v2_sa.c: the SA, window, sending, dispatch ---- */
/* A datagram with major version 2 (engine.c hands it over). */
void ik_v2_input(struct ik_engine *e, const struct ik_endpoint *local,
		 const struct ik_endpoint *remote, const char *fvrf, const uint8_t *msg,
		 size_t len);
/* Starts IKE_SA_INIT for a tunnel whose IPsec profile names an IKEv2 profile
 * (engine_initiate_tunnel, after its checks). 0, or -1 with err set. */
int ik_v2_initiate(struct ik_engine *e, const struct ik_interface *t, const struct ik_addr *src,
		   unsigned rekey_of, struct ik_sb *err);
/* The SA a due IKEv2 timer (kind IK_TK_V2_XMIT) belongs to. */
struct ik_ike_sa *ik_v2_timer_owner(struct ik_timer *t);
void ik_v2_engine_free(struct ik_engine *e);
struct ik_v2_eng *ik_v2_eng(struct ik_engine *e);

struct ik_v2_ike_sa *ik_v2_sa_new(struct ik_engine *e, bool initiator,
				  const struct ik_endpoint *local,
				  const struct ik_endpoint *remote, const char *fvrf);
/* Deletes the SA and its children (the children's host child_down);
 * notify_peer: an INFORMATIONAL DELETE goes first when the SA is READY. */
void ik_v2_sa_delete(struct ik_v2_ike_sa *s, const char *reason, bool notify_peer);
void ik_v2_sa_set_state(struct ik_v2_ike_sa *s, enum ik_v2_state to);
const char *ik_v2_state_name(enum ik_v2_state st);
/* The live SA with these SPIs (spi_r zero: any SA of spi_i still without
 * one), or NULL: through the core's SPI table. */
struct ik_v2_ike_sa *ik_v2_sa_find(struct ik_engine *e, const uint8_t spi_i[8],
				   const uint8_t spi_r[8]);
/* ---- v2_pair.c ---- */
/* The newest (highest SA ID) READY SA with this peer (local and remote
 * address), or NULL: through the (local, remote) index; local NULL (any
 * local address) walks the SAs of the remote address instead. */
struct ik_v2_ike_sa *ik_v2_sa_find_peer(struct ik_engine *e, const struct ik_addr *local,
					const struct ik_addr *remote);
/* The same answer by a walk over the SAs of the remote address (the
 * reference the index is tested against). */
struct ik_v2_ike_sa *ik_v2_sa_find_peer_walk(struct ik_engine *e, const struct ik_addr *local,
					     const struct ik_addr *remote);
/* The SA enters the index (it became READY), leaves it (it left READY or is
 * deleted), or is re-entered under its new addresses (it moved). */
void ik_v2_pair_enter(struct ik_v2_ike_sa *s);
void ik_v2_pair_leave(struct ik_v2_ike_sa *s);
void ik_v2_pair_moved(struct ik_v2_ike_sa *s);
/* Engine teardown: every node and record, the table. */
void ik_v2_pairs_free(struct ik_engine *e);
/* The SA authenticated (IKE_AUTH done): leaves the half-open count, READY,
 * lifetime/rekey/DPD timers armed. */
void ik_v2_sa_established(struct ik_v2_ike_sa *s);
/* The message being handled authenticated (its ICV verified): the SA
 * follows the peer to the address and port it came from, if it moved. */
void ik_v2_sa_authenticated(struct ik_v2_ike_sa *s);
/* Moves the SA to port 4500 (NAT detected, or RFC 7296 2.23: always from
 * IKE_AUTH on when a NAT is found). */
void ik_v2_sa_float(struct ik_v2_ike_sa *s);

/* Messages. ik_v2_msg_begin starts one in b: header with our flags (I when
 * we are the original initiator, R for a response) and, for every exchange
 * but IKE_SA_INIT, an SK payload whose offset goes to *sk_off; the caller
 * adds the inner payloads. msgid: a request takes win.next_msgid (pass
 * UINT32_MAX), a response the request's. */
void ik_v2_msg_begin(struct ik_v2_ike_sa *s, struct ik_v2_builder *b, uint8_t exch,
		     bool response, uint32_t msgid, size_t *sk_off);
/* Seals (SK) or finishes (IKE_SA_INIT) b, sends it, keeps it as the
 * outstanding request (armed for retransmission, next_msgid advanced) or as
 * the last response. 0, or -1 (nothing sent: b overflowed, or sealing
 * failed; traced). A request while one is outstanding is refused (-1):
 * callers queue their own work and retry from ik_v2_win_idle. */
int ik_v2_send_request(struct ik_v2_ike_sa *s, struct ik_v2_builder *b, size_t sk_off);
int ik_v2_send_response(struct ik_v2_ike_sa *s, struct ik_v2_builder *b, size_t sk_off);
/* The IKE_SA_INIT response of the SA (for AUTH): the initiator's copy of
 * what it received, or the responder's response as sent. */
const uint8_t *ik_v2_init_r(const struct ik_v2_ike_sa *s, size_t *len);
/* Keeps the IKE_SA_INIT messages. The initiator's request as sent (the
 * window's), its Nonce data at ni_off of it; then the response as received,
 * its Nonce data at nr_off, appended to the same block. The responder: the
 * request as received and the response it has just sent (resent from the
 * block from then on), nonces at ni_off and nr_off of each. 0, or -1 (no
 * memory; nothing kept changed). */
int ik_v2_keep_request(struct ik_v2_ike_sa *s, size_t ni_off, size_t ni_len);
int ik_v2_keep_response(struct ik_v2_ike_sa *s, const uint8_t *msg, size_t len, size_t nr_off,
			size_t nr_len);
int ik_v2_keep_both(struct ik_v2_ike_sa *s, const uint8_t *req, size_t req_len, size_t ni_off,
		    size_t ni_len, const uint8_t *resp, size_t resp_len, size_t nr_off,
		    size_t nr_len);
/* The kept IKE_SA_INIT response (NULL until known) and the nonces (NULL
 * when not kept), views of the block init_i owns. */
static inline const uint8_t *ik_v2_sa_init_r(const struct ik_v2_ike_sa *s)
{
	return s->init_i && s->init_r_len ? s->init_i + s->init_i_len : NULL;
}

static inline const uint8_t *ik_v2_sa_ni(const struct ik_v2_ike_sa *s)
{
	return s->init_i && s->ni_len ? s->init_i + s->ni_off : NULL;
}

static inline const uint8_t *ik_v2_sa_nr(const struct ik_v2_ike_sa *s)
{
	return s->init_i && s->nr_len && s->init_r_len ?
		s->init_i + s->init_i_len + s->nr_off : NULL;
}
/* IKE_AUTH is done: the kept messages and nonces go (wiped). */
void ik_v2_kept_free(struct ik_v2_ike_sa *s);
/* The SA's first child SA request, allocated (zeroed) on first use: never
 * NULL (ik_xcalloc). ik_v2_sa_child_done frees it. */
struct ik_v2_child_req *ik_v2_sa_child(struct ik_v2_ike_sa *s);
/* The SA's post-IKE_SA_INIT block, allocated (zeroed) on first use: never
 * NULL (ik_xcalloc). ik_v2_up_ro reads it without allocating: a zeroed
 * block while the SA has none. Freed with the SA. */
struct ik_v2_up *ik_v2_up(struct ik_v2_ike_sa *s);
const struct ik_v2_up *ik_v2_up_ro(const struct ik_v2_ike_sa *s);
/* The requester half of the window (allocates the block), and whether a
 * request of ours awaits its response (never allocates). */
struct ik_v2_req_win *ik_v2_rq(struct ik_v2_ike_sa *s);
bool ik_v2_req_pending(const struct ik_v2_ike_sa *s);
/* The SA's SK_* keys, derived from the kept SKEYSEED on first use (the
 * responder: when the first encrypted message, IKE_AUTH or its first
 * fragment, arrives; the initiator: at the IKE_SA_INIT response), SKEYSEED
 * then owned by them; NULL when the SA has none (before IKE_SA_INIT completed,
 * or derivation failed: traced). */
const struct ik_v2_keys *ik_v2_sa_keys(struct ik_v2_ike_sa *s);
/* At IKE_SA_INIT: SKEYSEED from g^ir and the nonces, kept in s->skeyseed
 * until ik_v2_sa_keys needs it. 0, or -1 (traced). */
int ik_v2_sa_skeyseed(struct ik_v2_ike_sa *s, const struct ik_secret *gir, const uint8_t *ni,
		      size_t ni_len, const uint8_t *nr, size_t nr_len);
void ik_v2_sa_child_done(struct ik_v2_ike_sa *s);
/* An unprotected IKE_SA_INIT-style answer with one notify (COOKIE,
 * INVALID_KE_PAYLOAD, NO_PROPOSAL_CHOSEN) for a request that has no SA. */
void ik_v2_send_notify_clear(struct ik_engine *e, const struct ik_endpoint *local,
			     const struct ik_endpoint *remote, const char *fvrf,
			     const struct ik_v2_hdr *req, uint16_t type, const uint8_t *data,
			     size_t len);
/* Sends one datagram of the SA (non-ESP marker on 4500). */
void ik_v2_sa_send(struct ik_v2_ike_sa *s, const uint8_t *d, size_t len);
/* The request is answered: the window is free; the exchange files hook in
 * here to send what they queued (v2more: DELETE, DPD, rekeys). */
void ik_v2_win_idle(struct ik_v2_ike_sa *s);
/* Nonces and kept messages. */
int ik_v2_copy(uint8_t **dst, size_t *dlen, const uint8_t *src, size_t len);
void ik_v2_wipe_free(uint8_t **p, size_t *len);
/* A %CRYPTO- syslog line and a debug line for a failed negotiation. */
void ik_v2_fail(struct ik_v2_ike_sa *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- v2_init.c: IKE_SA_INIT (RFC 7296 1.2, 2.6, 2.23, 1.3.4 retries) ---- */
int ik_v2_init_start(struct ik_v2_ike_sa *s);
/* Responder: a request with no SA yet (admission and COOKIE first). */
void ik_v2_init_request(struct ik_engine *e, const struct ik_endpoint *local,
			const struct ik_endpoint *remote, const char *fvrf,
			const struct ik_v2_rx *rx);
int ik_v2_init_response(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx);

/* ---- v2_auth.c: IKE_AUTH with PSK (RFC 7296 1.2, 2.15) ---- */
int ik_v2_auth_start(struct ik_v2_ike_sa *s);
int ik_v2_auth_request(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx);
int ik_v2_auth_response(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx);

/* ---- v2_esp.c: child SA hooks (IKE_AUTH and CREATE_CHILD_SA) ---- */
/* Initiator: fills cr for tunnel t (its IPsec profile, a fresh SPI) and
 * appends SA, TSi, TSr to b (and USE_TRANSPORT_MODE when asked). A
 * cr->pfs_group set on entry adds that D-H transform to every proposal
 * (CREATE_CHILD_SA with PFS; the caller sends KEi). */
int ik_v2_esp_offer(struct ik_v2_ike_sa *s, const struct ik_interface *t,
		    struct ik_v2_child_req *cr, struct ik_v2_builder *b);
/* Responder: from the peer's SA, TSi, TSr (in rx), chooses the tunnel, the
 * transform set and narrows the selectors into cr; on success appends the
 * answer's SA, TSi, TSr to b. Returns 0, or the notify type to answer with
 * (NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE). A D-H transform in the chosen
 * proposal sets cr->pfs_group; it must be the IPsec profile's `set pfs`
 * group, and a profile with PFS refuses proposals without one. */
int ik_v2_esp_choose(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx,
		     struct ik_v2_child_req *cr, struct ik_v2_builder *b);
/* Initiator: checks the responder's SA and TS answer against cr (one of
 * ours, selectors within what we offered). 0, or -1 (traced). */
int ik_v2_esp_accept(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx,
		     struct ik_v2_child_req *cr);
/* KEYMAT (RFC 7296 2.17; gir NULL without PFS), the struct ik_child_sa,
 * host child_up, the core's child table (version 2), then retires
 * cr->rekey_of. 0, or -1 (nothing installed). */
int ik_v2_child_install(struct ik_v2_ike_sa *s, const struct ik_v2_child_req *cr,
			const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
			const struct ik_secret *gir);
/* The protected tunnel to the SA's peer (local/remote addresses), or NULL. */
const struct ik_interface *ik_v2_tunnel_for(const struct ik_v2_ike_sa *s);

/* ---- v2_cmap.c: crypto map entries that set an ikev2-profile ---- */
/* IKE_SA_INIT (or, with a READY SA to the peer, CREATE_CHILD_SA) for line
 * ace of entry ce (in e's configuration) with proxy identities px, to peer
 * number pi of the entry, from src. 0, or -1 with err set. */
int ik_v2_cmap_start(struct ik_engine *e, const struct ik_addr *src,
		     const struct ik_cmap_entry *ce, size_t ace, const struct ik_proxy *px,
		     const struct ik_flow *f, size_t pi, struct ik_sb *err);
/* The TSi and TSr of cr->proxy (cr->exch_initiator: ours is TSi). */
void ik_v2_cmap_ts(const struct ik_v2_child_req *cr, struct ik_v2_ts *tsi,
		   struct ik_v2_ts *tsr);
/* Initiator: appends TSi and TSr for cr (the packet's pair first when
 * known) to b, and sets cr->tsi, cr->tsr to the line's. */
void ik_v2_cmap_offer_ts(struct ik_v2_child_req *cr, struct ik_v2_builder *b);
/* Responder: when the SA's local address carries a crypto map, the first
 * entry (IOS's order, mapdb trace) whose ACL allows the peer's TSi/TSr,
 * narrowed as RFC 7296 2.9: cr->cmap, cmap_ace, ipsec, proxy set and *ni,
 * *nr the selectors to answer. 0; 1 when no map serves the address; -1
 * when none of its entries takes them (traced). */
int ik_v2_cmap_choose(struct ik_v2_ike_sa *s, const struct ik_v2_ts_list *tsi,
		      const struct ik_v2_ts_list *tsr, struct ik_v2_child_req *cr,
		      struct ik_v2_ts *ni, struct ik_v2_ts *nr);
/* An initiator's SA for a crypto map line that never became READY (no
 * answer): the entry's next set peer (set peer failover). */
void ik_v2_cmap_failover(struct ik_v2_ike_sa *s);
/* The entry of cfg with the map name and sequence number of ce, or NULL. */
const struct ik_cmap_entry *ik_v2_cmap_entry_in(const struct ik_config *cfg,
						const struct ik_cmap_entry *ce);
/* The proxy identities of an installed child (its selectors). */
void ik_v2_cmap_child_proxy(const struct ik_child *c, struct ik_proxy *px);

/* ---- exchanges on an established SA (v2_info.c; CREATE_CHILD_SA and
 * INFORMATIONAL proper belong there) ---- */
/* A request of these exchanges, authenticated and in window order: must
 * send exactly one response (ik_v2_send_response). */
void ik_v2_info_request(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx);
void ik_v2_ccsa_request(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx);
/* The response to our outstanding request of these exchanges. */
void ik_v2_info_response(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx);
void ik_v2_ccsa_response(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx);
/* Child hooks of the core (struct ik_child_ops of version 2). */
void ik_v2_child_rekey(struct ik_engine *e, struct ik_child *c, uint64_t now);
void ik_v2_child_notify_delete(struct ik_engine *e, struct ik_child *c);
/* The SA timers other than retransmission (t_rekey, t_dpd, t_natka). */
void ik_v2_sa_timer(struct ik_v2_ike_sa *s, struct ik_timer *t, uint64_t now);

#endif
