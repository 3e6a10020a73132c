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
	uint32_t addr;
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

struct xnet {
	uint64_t now;
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
};

/* Loads a configuration text (a snapshot with indexes); aborts on error. */
struct ik_config *xn_load(const char *text, const char *name);
/* Reads a file under the source tree into a malloc'd string. */
char *xn_read(const char *relpath);
/* Replaces the first occurrence of from by to (malloc'd result, src freed). */
char *xn_replace(char *src, const char *from, const char *to);

void xn_init(struct xnet *net, struct ik_config *c0, uint32_t a0, struct ik_config *c1,
	     uint32_t a1, uint64_t seed, const struct ik_engine_opts *opts);
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
/* The host callbacks of side n (to make a new engine for it). */
const struct ik_engine_host *xn_host(struct xnode *n);
/* Writes a pcap header to f. */
void xn_pcap_open(struct xnet *net, FILE *f);

#endif
