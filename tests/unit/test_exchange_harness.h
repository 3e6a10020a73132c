/* Two IKE engines back to back in one process: a fake clock, a seeded
 * deterministic RNG per side, a send callback that queues each datagram for
 * the other side (with optional loss), and hosts that record child SAs. Used
 * by the exchange tests, the pcap/tshark test and the handshake benchmark. */
#ifndef IK_TEST_EXCHANGE_HARNESS_H
#define IK_TEST_EXCHANGE_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "ike/engine.h"
#include "util/log.h"

#define XN_MAX_MSG 9000
#define XN_QUEUE 64
#define XN_MAX_CHILD 16

struct xnet;

struct xnode {
	const char *name;
	struct xnet *net;
	int idx;
	struct ik_engine *e;
	struct ik_config *cfg;
	struct ik_log log;
	struct ik_log_capture cap;
	uint64_t rng;
	uint32_t addr;          /* IPv4 (0 when the node is on IPv6) */
	struct ik_addr ip;      /* the node's address, IPv4 or IPv6 */
	/* children as the host sees them */
	struct ik_child_sa up[XN_MAX_CHILD];
	unsigned nup;           /* currently installed */
	unsigned ups, downs;    /* calls */
	struct ik_child_sa last_up, last_down;
	uint64_t in_packets;    /* what child_counters reports */
	bool fail_child_up;
};

struct xmsg {
	int to;
	struct ik_endpoint src, dst;
	size_t len;
	uint8_t data[XN_MAX_MSG];
};

/* A change to one message on its way, to prove that the receiver's checks
 * refuse it: the nth message of exchange `exch` that side `from` sends
 * (before encryption when !wire: the hook of the sending engine; on the
 * wire when wire: the datagram as sent, so on an encrypted message only raw
 * bytes at `at` can be flipped). In payload `pl` (its `pl_nth`th occurrence,
 * from 0; 0 = the whole message, `at` then counts from its first byte), at
 * byte `at` of the payload body: XOR with mask, or the whole body replaced
 * by body/body_len. Before encryption, the engine keeps the changed message
 * for its retransmissions. With before_hash, an informational exchange is
 * changed before the sender computes its HASH: the peer itself says it. */
struct xtamper {
	bool on;
	int from;
	uint8_t exch;
	unsigned nth;           /* 1-based; 0 = every such message */
	bool wire;
	bool before_hash;       /* informational: before its HASH is computed */
	uint8_t pl;
	unsigned pl_nth;
	size_t at;
	uint8_t mask;
	const uint8_t *body;
	size_t body_len;
	unsigned seen, applied; /* matching messages seen, changes made */
};

#define XN_LOG 48
#define XN_TAMPERS 2

/* The wall clock of the engines (certificate dates): 2026-05-28. */
#define XN_WALL ((time_t)1780000000)

struct xnet {
	uint64_t now;
	time_t wall;
	struct xnode n[2];
	struct xmsg q[XN_QUEUE];
	unsigned qhead, qlen;
	unsigned sent;          /* datagrams sent so far (1-based index of the next - 1) */
	uint64_t drop_mask;     /* bit k-1: drop the k-th datagram sent */
	bool blackhole[2];      /* drop everything sent to side i */
	FILE *pcap;             /* every datagram delivered or not, if set */
	const char *dump_dir;   /* write each datagram there as a file, if set */
	const char *dump_prefix; /* file name prefix there (default none) */
	unsigned delivered;
	/* NAT in front of side 0: its datagrams leave from nat_addr, ports 500
	 * and 4500 mapped to nat_port500 and nat_port500 + 1 */
	uint32_t nat_addr;
	uint16_t nat_port500;
	unsigned keepalives;    /* 1-byte NAT keepalives seen */
	struct xtamper tamper[XN_TAMPERS];
	/* the first XN_LOG datagrams sent (delivered or not), as the receiver
	 * would get them */
	struct xmsg log[XN_LOG];
	unsigned nlog;
	unsigned sent_by[2];
};

/* Loads a configuration text (a snapshot with indexes); aborts on error. */
struct ik_config *xn_load(const char *text, const char *name);
/* Reads a file under the source tree into a malloc'd string. */
char *xn_read(const char *relpath);
/* Replaces the first occurrence of from by to (malloc'd result, src freed). */
char *xn_replace(char *src, const char *from, const char *to);

void xn_init(struct xnet *net, struct ik_config *c0, uint32_t a0, struct ik_config *c1,
	     uint32_t a1, uint64_t seed, const struct ik_engine_opts *opts);
/* The same with addresses of either family (IKE over IPv6 between
 * 2001:db8:: addresses). */
void xn_init_ip(struct xnet *net, struct ik_config *c0, const struct ik_addr *a0,
		struct ik_config *c1, const struct ik_addr *a1, uint64_t seed,
		const struct ik_engine_opts *opts);
void xn_free(struct xnet *net);
/* Delivers queued datagrams (and what they cause) until none is left, then
 * runs due timers, advancing the clock up to `ms` from now, timer by timer. */
void xn_run(struct xnet *net, uint64_t ms);
/* Delivers queued datagrams only. */
void xn_deliver(struct xnet *net);
/* Injects a datagram as if it came from side `from`. */
void xn_inject(struct xnet *net, int from, const uint8_t *d, size_t len, uint16_t port);
/* Index of the first captured line of side i at or after `from` containing s, or -1. */
long xn_find(const struct xnode *n, size_t from, const char *s);
/* Checks that the lines appear in this order; returns NULL or the first missing one. */
const char *xn_in_order(const struct xnode *n, const char *const *lines, size_t count);
/* Side's engine starts crypto map map for an ICMP packet from s to d
 * (IPv4 or IPv6 text; a malformed one aborts the test), as a kernel acquire
 * would: ik_engine_initiate_map's result, with its reason in err. */
struct ik_sb;
int xn_initiate_map(struct xnet *net, int side, const char *map, const char *s, const char *d,
		    struct ik_sb *err);

/* Every trace line node n captured, on stderr (a failing test shows them). */
void xn_dump(const struct xnode *n);
/* Asserts that node's trace holds the lines given, in that order; on a miss
 * the whole trace goes to stderr. Needs <check.h>. */
#define XN_EXPECT_ORDER(node, ...)                                                      \
	do {                                                                            \
		static const char *const lines_[] = { __VA_ARGS__ };                     \
		const char *miss_ = xn_in_order((node), lines_, sizeof(lines_) / sizeof(*lines_)); \
		if (miss_)                                                              \
			xn_dump(node);                                                  \
		ck_assert_msg(!miss_, "%s: trace line missing or out of order: \"%s\"", \
			      (node)->name, miss_ ? miss_ : "");                        \
	} while (0)
/* The host callbacks of side n (to make a new engine for it). */
const struct ik_engine_host *xn_host(struct xnode *n);
/* Injects a datagram from any address and port to side `to`. */
void xn_inject_from(struct xnet *net, int to, uint32_t addr, uint16_t sport, uint16_t dport,
		    const uint8_t *d, size_t len);
/* The k-th datagram of the send log (0-based) that side `from` sent with
 * exchange type exch (k counted among those), or NULL. */
const struct xmsg *xn_sent(const struct xnet *net, int from, uint8_t exch, unsigned k);
/* Payload editing on a message in clear (header included, len its length):
 * returns 0 and changes it, or -1 when the payload is not there. */
int xn_pl_flip(uint8_t *msg, size_t len, uint8_t type, unsigned nth, size_t at, uint8_t mask);
int xn_pl_replace(uint8_t *msg, size_t *len, size_t cap, uint8_t type, unsigned nth,
		  const uint8_t *body, size_t body_len);
/* Writes a pcap header to f. */
void xn_pcap_open(struct xnet *net, FILE *f);

#endif
