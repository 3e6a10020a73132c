/* Several engines in one process (see test_mesh.h). */
#include "test_mesh.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/secmem.h"
#include "util/util.h"

static double thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t h_now(void *ctx)
{
	struct mnode *n = ctx;

	return n->net->now;
}

static void h_random(void *ctx, void *buf, size_t len)
{
	struct mnode *n = ctx;
	uint8_t *p = buf;

	for (size_t i = 0; i < len; i++) {
		n->rng ^= n->rng << 13;
		n->rng ^= n->rng >> 7;
		n->rng ^= n->rng << 17;
		p[i] = (uint8_t)(n->rng >> 24);
	}
}

/* The node a datagram to remote goes to, with remote rewritten to the node's
 * own address and port behind its NAT; -1 when nobody has that address. */
static int route(struct mnet *net, struct ik_endpoint *remote)
{
	for (int j = 0; j < MN_MAX_NODES; j++) {
		struct mnode *m = &net->n[j];

		if (!m->used)
			continue;
		if (m->nat_addr) {
			if (remote->addr != m->nat_addr ||
			    (remote->port != m->nat_port && remote->port != m->nat_port + 1))
				continue;
			remote->port = remote->port == m->nat_port ? 500 : 4500;
			remote->addr = m->addr;
			return j;
		}
		if (remote->addr - m->addr < (m->naddrs ? m->naddrs : 1u))
			return j;
	}
	return -1;
}

static void h_send(void *ctx, const struct ik_endpoint *local, const struct ik_endpoint *remote,
		   const char *fvrf, const uint8_t *msg, size_t len)
{
	struct mnode *n = ctx;
	struct mnet *net = n->net;
	struct ik_endpoint src = *local, dst = *remote;
	struct mmsg *m;
	int to;

	(void)fvrf;
	net->sent++;
	if (net->keep_first && !net->first_len && len <= MN_MAX_MSG) {
		memcpy(net->first, msg, len);
		net->first_len = len;
	}
	if (len == 1 && msg[0] == 0xff)
		return;
	if (n->nat_addr) {
		src.addr = n->nat_addr;
		src.port = local->port == 4500 ? n->nat_port + 1 : n->nat_port;
	}
	to = route(net, &dst);
	if (to < 0 || net->qlen == MN_QUEUE || len > MN_MAX_MSG) {
		net->dropped++;
		return;
	}
	if ((local->port == 4500 || remote->port == 4500) && len >= 4 && !ik_get32(msg)) {
		msg += 4;
		len -= 4;
	}
	m = &net->q[(net->qhead + net->qlen++) % MN_QUEUE];
	m->to = to;
	m->src = src;
	m->dst = dst;
	memcpy(m->data, msg, len);
	m->len = len;
}

static int h_child_up(void *ctx, const struct ik_child_sa *c)
{
	struct mnode *n = ctx;

	n->ups++;
	n->nup++;
	n->last_up_spi = c->in.spi;
	return 0;
}

static void h_child_down(void *ctx, const struct ik_child_sa *c)
{
	struct mnode *n = ctx;

	(void)c;
	n->downs++;
	n->nup--;
}

static void h_tamper(void *ctx, int stage, uint8_t *msg, size_t *len, size_t cap)
{
	struct mnode *n = ctx;

	if (n->tamper)
		n->tamper(n, stage, msg, len, cap);
}

void mn_init(struct mnet *net)
{
	ik_secmem_init();
	memset(net, 0, sizeof(*net));
	net->q = ik_xmalloc(sizeof(*net->q) * MN_QUEUE);
	net->now = 1000000;
}

struct mnode *mn_add(struct mnet *net, int i, const char *name, struct ik_config *cfg,
		     uint32_t addr, uint64_t seed, const struct ik_engine_opts *opts, bool capture)
{
	struct mnode *n = &net->n[i];
	struct ik_engine_host host;

	memset(n, 0, sizeof(*n));
	n->name = name;
	n->net = net;
	n->cfg = cfg;
	n->addr = addr;
	n->rng = seed * 2654435761u + 88172645463325252ull;
	n->capture = capture;
	n->log.debug_mask = capture ? IK_DBG_ALL : 0;
	n->log.sink = capture ? ik_log_capture_sink : NULL;
	n->log.ctx = &n->cap;
	n->used = true;
	host = (struct ik_engine_host){
		.ctx = n, .now_ms = h_now, .random = h_random, .send = h_send,
		.child_up = h_child_up, .child_down = h_child_down, .tamper = h_tamper,
	};
	n->e = ik_engine_new(cfg, &host, &n->log, opts);
	return n;
}

void mn_del(struct mnet *net, int i)
{
	struct mnode *n = &net->n[i];

	if (!n->used)
		return;
	ik_engine_free(n->e);
	ik_config_unref(n->cfg);
	ik_log_capture_clear(&n->cap);
	n->used = false;
	/* what is still queued for it is lost */
	for (unsigned k = 0; k < net->qlen; k++) {
		struct mmsg *m = &net->q[(net->qhead + k) % MN_QUEUE];

		if (m->to == i)
			m->to = -1;
	}
}

void mn_free(struct mnet *net)
{
	for (int i = 0; i < MN_MAX_NODES; i++)
		mn_del(net, i);
	free(net->q);
}

static void input(struct mnode *n, const struct ik_endpoint *dst, const struct ik_endpoint *src,
		  const uint8_t *d, size_t len)
{
	double t0 = n->timed ? thread_cpu() : 0;

	ik_engine_input(n->e, dst, src, NULL, d, len);
	if (n->timed)
		n->cpu_s += thread_cpu() - t0;
}

bool mn_step(struct mnet *net)
{
	static struct mmsg copy;
	struct mmsg *m;

	if (!net->qlen)
		return false;
	m = &net->q[net->qhead];
	memcpy(&copy, m, offsetof(struct mmsg, data) + m->len);
	net->qhead = (net->qhead + 1) % MN_QUEUE;
	net->qlen--;
	if (copy.to >= 0 && net->n[copy.to].used && !net->n[copy.to].deaf)
		input(&net->n[copy.to], &copy.dst, &copy.src, copy.data, copy.len);
	return true;
}

void mn_deliver(struct mnet *net)
{
	static struct mmsg copy;

	for (unsigned steps = 0; net->qlen && steps < 100000; steps++) {
		struct mmsg *m = &net->q[net->qhead];

		memcpy(&copy, m, offsetof(struct mmsg, data) + m->len);
		net->qhead = (net->qhead + 1) % MN_QUEUE;
		net->qlen--;
		if (copy.to < 0 || !net->n[copy.to].used || net->n[copy.to].deaf)
			continue;
		input(&net->n[copy.to], &copy.dst, &copy.src, copy.data, copy.len);
	}
}

void mn_run(struct mnet *net, uint64_t ms)
{
	uint64_t end = net->now + ms;

	for (unsigned rounds = 0; rounds < 1000000; rounds++) {
		uint64_t t = UINT64_MAX;

		mn_deliver(net);
		for (int i = 0; i < MN_MAX_NODES; i++)
			if (net->n[i].used) {
				uint64_t x = ik_engine_next_timer(net->n[i].e);

				if (x < t)
					t = x;
			}
		if (t > end)
			break;
		if (t > net->now)
			net->now = t;
		for (int i = 0; i < MN_MAX_NODES; i++)
			if (net->n[i].used)
				ik_engine_run_timers(net->n[i].e);
	}
	if (net->now < end)
		net->now = end;
	mn_deliver(net);
}

void mn_inject(struct mnet *net, int to, const struct ik_endpoint *src, const uint8_t *d,
	       size_t len)
{
	struct ik_endpoint dst = ik_ep_v4(net->n[to].addr, 500);

	input(&net->n[to], &dst, src, d, len);
}

long mn_find(const struct mnode *n, size_t from, const char *s)
{
	return ik_log_capture_find(&n->cap, from, s);
}

void mn_dump(const struct mnode *n)
{
	for (size_t i = 0; i < n->cap.n; i++)
		fprintf(stderr, "%s: %s\n", n->name, n->cap.lines[i]);
}
