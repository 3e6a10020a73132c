/* Several IKE engines in one process: one responder and initiators that come
 * and go, each initiator optionally behind a NAT (its datagrams leave from a
 * public address and port). A fake clock, seeded RNGs, a queue of datagrams
 * routed by destination address (and NAT port). Used by the engine core tests
 * (two peers behind one NAT, floods of first messages, per-peer caps) and by
 * the scale benchmark. */
#ifndef IK_TEST_MESH_H
#define IK_TEST_MESH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/engine.h"
#include "util/log.h"

#define MN_MAX_NODES 8
#define MN_QUEUE 256
#define MN_MAX_MSG 4096

struct mnet;

struct mnode {
	const char *name;
	struct mnet *net;
	struct ik_engine *e;
	struct ik_config *cfg;
	struct ik_log log;
	struct ik_log_capture cap;
	bool capture;           /* keep the debug lines (tests), else discard them */
	uint64_t rng;
	uint32_t addr;
	unsigned naddrs;        /* it owns addr .. addr + naddrs - 1 (0: addr only) */
	uint32_t nat_addr;      /* 0: not behind a NAT */
	uint16_t nat_port;      /* 500 maps to nat_port, 4500 to nat_port + 1 */
	unsigned nup, ups, downs;
	uint32_t last_up_spi;
	double cpu_s;           /* thread CPU spent in this engine's calls */
	bool timed;             /* account cpu_s */
	bool deaf;              /* datagrams to it are lost */
	/* sees what the engine is about to protect (struct ik_engine_host's tamper) */
	void (*tamper)(struct mnode *n, int stage, uint8_t *msg, size_t *len, size_t cap);
	bool used;
};

struct mmsg {
	int to;
	struct ik_endpoint src, dst;
	size_t len;
	uint8_t data[MN_MAX_MSG];
};

struct mnet {
	uint64_t now;
	struct mnode n[MN_MAX_NODES];
	struct mmsg *q;
	unsigned qhead, qlen;
	unsigned sent, dropped;
	/* the first datagram a node sent, kept when keep_first is set */
	bool keep_first;
	uint8_t first[MN_MAX_MSG];
	size_t first_len;
};

void mn_init(struct mnet *net);
void mn_free(struct mnet *net);
/* A node on slot i with configuration cfg (a reference is taken over). */
struct mnode *mn_add(struct mnet *net, int i, const char *name, struct ik_config *cfg,
		     uint32_t addr, uint64_t seed, const struct ik_engine_opts *opts, bool capture);
void mn_del(struct mnet *net, int i);
/* Delivers the next queued datagram; false when there is none. */
bool mn_step(struct mnet *net);
/* Delivers datagrams until none is left (bounded). */
void mn_deliver(struct mnet *net);
/* Runs timers and deliveries for ms of fake time, timer by timer. */
void mn_run(struct mnet *net, uint64_t ms);
/* Gives node `to` a datagram as if from src (to its own address, port 500). */
void mn_inject(struct mnet *net, int to, const struct ik_endpoint *src, const uint8_t *d,
	       size_t len);
long mn_find(const struct mnode *n, size_t from, const char *s);
void mn_dump(const struct mnode *n);

#endif
