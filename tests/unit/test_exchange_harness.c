/* Back-to-back engines for tests and benchmarks (see the header). */
#include "test_exchange_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/natt_frame.h"
#include "ike/v1_msg.h"
#include "profile/snapshot.h"
#include "util/addr.h"
#include "util/secmem.h"
#include "util/util.h"

#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."
#endif

struct ik_config *xn_load(const char *text, const char *name)
{
	struct ik_conf_error err;
	struct ik_config *cfg = ik_snapshot_load_string(text, name, &err);

	if (!cfg) {
		char buf[2048];

		ik_conf_error_format(&err, buf, sizeof(buf));
		fprintf(stderr, "%s\n", buf);
		abort();
	}
	return cfg;
}

char *xn_read(const char *relpath)
{
	char path[1024];
	FILE *f;
	long n;
	char *s;

	snprintf(path, sizeof(path), "%s/%s", TOP_SRCDIR, relpath);
	f = fopen(path, "rb");
	if (!f) {
		perror(path);
		abort();
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	s = ik_xmalloc((size_t)n + 1);
	if (fread(s, 1, (size_t)n, f) != (size_t)n)
		abort();
	s[n] = 0;
	fclose(f);
	return s;
}

char *xn_replace(char *src, const char *from, const char *to)
{
	char *p = strstr(src, from), *r;
	size_t a, fl = strlen(from), tl = strlen(to);

	if (!p) {
		fprintf(stderr, "xn_replace: \"%s\" not found\n", from);
		abort();
	}
	a = (size_t)(p - src);
	r = ik_xmalloc(strlen(src) - fl + tl + 1);
	memcpy(r, src, a);
	memcpy(r + a, to, tl);
	strcpy(r + a + tl, p + fl);
	free(src);
	return r;
}

/* ---- host callbacks ---- */

static uint64_t h_now(void *ctx)
{
	struct xnode *n = ctx;

	return n->net->now;
}

static void h_random(void *ctx, void *buf, size_t len)
{
	struct xnode *n = ctx;
	uint8_t *b = buf;

	for (size_t i = 0; i < len; i++) {
		/* splitmix64 */
		uint64_t z = (n->rng += 0x9e3779b97f4a7c15ull);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		b[i] = (uint8_t)(z ^ (z >> 31));
	}
}

static void pcap_rec(FILE *f, uint64_t now, const struct ik_endpoint *s,
		     const struct ik_endpoint *d, const uint8_t *msg, size_t len)
{
	uint8_t h[16], ip[40], udp[8];
	uint32_t sum = 0;
	size_t tot = 20 + 8 + len;

	if (s->family == IK_AF_INET6) {
		/* raw IPv6: version 6, payload length, next header UDP, hop
		 * limit; the UDP checksum left at 0 (tshark does not mind) */
		tot = 40 + 8 + len;
		uint32_t v6[4] = { (uint32_t)(now / 1000), (uint32_t)(now % 1000 * 1000),
				   (uint32_t)tot, (uint32_t)tot };
		memcpy(h, v6, 16);
		memset(ip, 0, sizeof(ip));
		ip[0] = 0x60;
		ik_put16(ip + 4, (uint16_t)(8 + len));
		ip[6] = 17;
		ip[7] = 64;
		memcpy(ip + 8, s->addr6, 16);
		memcpy(ip + 24, d->addr6, 16);
		ik_put16(udp, s->port);
		ik_put16(udp + 2, d->port);
		ik_put16(udp + 4, (uint16_t)(8 + len));
		ik_put16(udp + 6, 0);
		fwrite(h, 1, 16, f);
		fwrite(ip, 1, 40, f);
		fwrite(udp, 1, 8, f);
		fwrite(msg, 1, len, f);
		return;
	}

	ik_put32(h, 0);
	/* pcap record header is host order (little-endian file) */
	uint32_t v[4] = { (uint32_t)(now / 1000), (uint32_t)(now % 1000 * 1000), (uint32_t)tot,
			  (uint32_t)tot };
	memcpy(h, v, 16);
	memset(ip, 0, sizeof(ip));
	ip[0] = 0x45;
	ik_put16(ip + 2, (uint16_t)tot);
	ip[8] = 64;
	ip[9] = 17;
	ik_put32(ip + 12, s->addr);
	ik_put32(ip + 16, d->addr);
	for (int i = 0; i < 20; i += 2)
		sum += ik_get16(ip + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ik_put16(ip + 10, (uint16_t)~sum);
	ik_put16(udp, s->port);
	ik_put16(udp + 2, d->port);
	ik_put16(udp + 4, (uint16_t)(8 + len));
	ik_put16(udp + 6, 0);
	fwrite(h, 1, 16, f);
	fwrite(ip, 1, 20, f);
	fwrite(udp, 1, 8, f);
	fwrite(msg, 1, len, f);
}

void xn_pcap_open(struct xnet *net, FILE *f)
{
	uint32_t gh[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 101 /* raw IPv4 */ };

	fwrite(gh, 1, sizeof(gh), f);
	net->pcap = f;
}

/* ---- tampering ---- */

/* Offset of the generic header of the nth payload of a type, and its length. */
static int pl_locate(const uint8_t *msg, size_t len, uint8_t type, unsigned nth, size_t *off,
		     size_t *plen)
{
	struct ik_v1_msg *m;
	char err[200];
	int rc = -1;

	if (len >= 28 && msg[17] >> 4 == 2) {
		/* IKEv2 (in clear, or as the engine shows it before sealing: the
		 * inner chain right after the header): generic headers only */
		size_t o = 28;
		uint8_t np = msg[16];

		while (np && o + 4 <= len) {
			size_t l = ik_get16(msg + o + 2);

			if (l < 4 || o + l > len)
				return -1;
			if (np == type && nth-- == 0) {
				*off = o;
				*plen = l;
				return 0;
			}
			np = msg[o];
			o += l;
		}
		return -1;
	}
	m = malloc(sizeof(*m));
	if (!m || ik_v1_parse_hdr(msg, len, &m->hdr, err, sizeof(err)))
		goto out;
	if (ik_v1_parse_payloads(msg, m->hdr.len, m, true, err, sizeof(err)))
		goto out;
	for (size_t i = 0; i < m->npl; i++) {
		if (m->pl[i].type != type || nth--)
			continue;
		*off = m->pl[i].off;
		*plen = m->pl[i].len;
		rc = 0;
		break;
	}
out:
	free(m);
	return rc;
}

int xn_pl_flip(uint8_t *msg, size_t len, uint8_t type, unsigned nth, size_t at, uint8_t mask)
{
	size_t off, plen;

	if (pl_locate(msg, len, type, nth, &off, &plen) || 4 + at >= plen)
		return -1;
	msg[off + 4 + at] ^= mask;
	return 0;
}

int xn_pl_replace(uint8_t *msg, size_t *len, size_t cap, uint8_t type, unsigned nth,
		  const uint8_t *body, size_t body_len)
{
	size_t off, plen, nlen;

	if (pl_locate(msg, *len, type, nth, &off, &plen))
		return -1;
	nlen = *len - plen + 4 + body_len;
	if (nlen > cap || 4 + body_len > 0xffff)
		return -1;
	memmove(msg + off + 4 + body_len, msg + off + plen, *len - off - plen);
	memcpy(msg + off + 4, body, body_len);
	ik_put16(msg + off + 2, (uint16_t)(4 + body_len));
	*len = nlen;
	ik_put32(msg + 24, (uint32_t)nlen);
	return 0;
}

/* Whether this message of side `from` is the one the tamper spec names. */
static bool tamper_match(struct xtamper *t, int from, const uint8_t *msg, size_t len, bool wire,
			 bool before_hash)
{
	if (!t->on || t->from != from || t->wire != wire || t->before_hash != before_hash ||
	    len < IK_V1_HDR_LEN ||
	    msg[18] != t->exch)
		return false;
	t->seen++;
	return t->nth == 0 || t->seen == t->nth;
}

static void tamper_apply(struct xtamper *t, uint8_t *msg, size_t *len, size_t cap)
{
	int rc;

	if (!t->pl) {
		if (t->at >= *len)
			return;
		msg[t->at] ^= t->mask;
		t->applied++;
		return;
	}
	if (t->body)
		rc = xn_pl_replace(msg, len, cap, t->pl, t->pl_nth, t->body, t->body_len);
	else
		rc = xn_pl_flip(msg, *len, t->pl, t->pl_nth, t->at, t->mask);
	if (rc == 0)
		t->applied++;
}

static void send_log(struct xnet *net, int from, const struct ik_endpoint *local,
		     const struct ik_endpoint *remote, const uint8_t *msg, size_t len);

/* The engine's hook: a message about to be encrypted. */
static void h_tamper(void *ctx, int stage, uint8_t *msg, size_t *len, size_t cap)
{
	struct xnode *n = ctx;

	for (int i = 0; i < XN_TAMPERS; i++)
		if (tamper_match(&n->net->tamper[i], n->idx, msg, *len, false,
				 stage == IK_TAMPER_HASH))
			tamper_apply(&n->net->tamper[i], msg, len, cap);
}

/* The datagram as it goes on the wire: changed there if a tamper spec says
 * so, and logged. Returns the (possibly changed) length. */
static size_t on_wire(struct xnet *net, int from, const struct ik_endpoint *local,
		      const struct ik_endpoint *remote, uint8_t *wire, size_t len)
{
	/* past the non-ESP marker on 4500 */
	size_t skip = (local->port == 4500 || remote->port == 4500) && len >= 4 &&
		      !ik_get32(wire) ? 4 : 0;
	size_t l = len - skip;

	net->sent_by[from]++;
	for (int i = 0; i < XN_TAMPERS; i++)
		if (tamper_match(&net->tamper[i], from, wire + skip, l, true, false))
			tamper_apply(&net->tamper[i], wire + skip, &l, XN_MAX_MSG - skip);
	send_log(net, from, local, remote, wire, l + skip);
	return l + skip;
}

static void h_send(void *ctx, const struct ik_endpoint *local, const struct ik_endpoint *remote,
		   const char *fvrf, const uint8_t *msg, size_t len)
{
	struct xnode *n = ctx;
	struct xnet *net = n->net;
	unsigned k = ++net->sent;
	int to = 1 - n->idx;
	struct ik_natt_frame fr;
	struct xmsg *m;
	uint8_t wire[XN_MAX_MSG];

	(void)fvrf;
	if (len > XN_MAX_MSG)
		return;
	memcpy(wire, msg, len);
	len = on_wire(net, n->idx, local, remote, wire, len);
	msg = wire;
	if (net->pcap)
		pcap_rec(net->pcap, net->now, local, remote, msg, len);
	if (net->dump_dir) {
		char path[1024];
		FILE *f;

		snprintf(path, sizeof(path), "%s/%smsg%02u", net->dump_dir,
			 net->dump_prefix ? net->dump_prefix : "", k);
		f = fopen(path, "wb");
		if (f) {
			fwrite(msg, 1, len, f);
			fclose(f);
		}
	}
	if (len == 1 && msg[0] == 0xff)
		net->keepalives++;
	if (k <= 64 && (net->drop_mask >> (k - 1)) & 1)
		return;
	if (net->blackhole[to])
		return;
	if (!ik_addr_eq(&remote->ip, &net->n[to].ip) &&
	    !(to == 0 && net->nat_addr && remote->family == IK_AF_INET4 &&
	      remote->addr == net->nat_addr))
		return;
	if (net->qlen == XN_QUEUE || len > XN_MAX_MSG)
		return;
	m = &net->q[(net->qhead + net->qlen++) % XN_QUEUE];
	m->to = to;
	m->src = *local;
	m->dst = *remote;
	if (net->nat_addr && to == 1) {
		/* outbound through the NAT */
		m->src.addr = net->nat_addr;
		m->src.port = local->port == 4500 ? net->nat_port500 + 1 : net->nat_port500;
	} else if (net->nat_addr && to == 0) {
		m->dst.addr = net->n[0].addr;
		m->dst.port = remote->port == net->nat_port500 + 1 ? 4500 : 500;
	}
	/* The receiving host frames it as ikerd does: the non-ESP marker on
	 * 4500 goes, keepalives and the rest do not reach the engine. */
	if (ik_natt_frame_parse(msg, len, local->port == 4500 || remote->port == 4500 ?
				IK_NATT_PORT : 500, &fr) != IK_NATT_IKE) {
		net->qlen--;
		return;
	}
	msg = fr.ike;
	len = fr.ike_len;
	memcpy(m->data, msg, len);
	m->len = len;
}

static void send_log(struct xnet *net, int from, const struct ik_endpoint *local,
		     const struct ik_endpoint *remote, const uint8_t *msg, size_t len)
{
	struct xmsg *m;

	if (net->nlog == XN_LOG)
		return;
	m = &net->log[net->nlog++];
	m->to = 1 - from;
	m->src = *local;
	m->dst = *remote;
	if ((local->port == 4500 || remote->port == 4500) && len >= 4 && !ik_get32(msg)) {
		msg += 4;
		len -= 4;
	}
	memcpy(m->data, msg, len);
	m->len = len;
}

const struct xmsg *xn_sent(const struct xnet *net, int from, uint8_t exch, unsigned k)
{
	for (unsigned i = 0; i < net->nlog; i++) {
		const struct xmsg *m = &net->log[i];

		if (m->to != 1 - from || m->len < IK_V1_HDR_LEN || m->data[18] != exch)
			continue;
		if (k-- == 0)
			return m;
	}
	return NULL;
}

void xn_inject_from(struct xnet *net, int to, uint32_t addr, uint16_t sport, uint16_t dport,
		    const uint8_t *d, size_t len)
{
	struct ik_endpoint src = ik_ep_v4(addr, sport), dst = ik_ep(&net->n[to].ip, dport);

	ik_engine_input(net->n[to].e, &dst, &src, NULL, d, len);
}

static int h_child_up(void *ctx, const struct ik_child_sa *c)
{
	struct xnode *n = ctx;

	n->ups++;
	n->last_up = *c;
	if (n->fail_child_up)
		return -1;
	if (n->nup < XN_MAX_CHILD)
		n->up[n->nup++] = *c;
	return 0;
}

static void h_child_down(void *ctx, const struct ik_child_sa *c)
{
	struct xnode *n = ctx;

	n->downs++;
	n->last_down = *c;
	for (unsigned i = 0; i < n->nup; i++)
		if (n->up[i].id == c->id) {
			n->up[i] = n->up[--n->nup];
			break;
		}
}

static int h_counters(void *ctx, const struct ik_child_sa *c, struct ik_sa_counters *in,
		      struct ik_sa_counters *out)
{
	struct xnode *n = ctx;

	(void)c;
	in->packets = n->in_packets;
	in->bytes = n->in_packets * 100;
	out->packets = n->in_packets;
	out->bytes = n->in_packets * 100;
	return 0;
}

static time_t h_wall(void *ctx)
{
	const struct xnode *n = ctx;

	return n->net->wall;
}

const struct ik_engine_host *xn_host(struct xnode *n)
{
	static __thread struct ik_engine_host host;

	host = (struct ik_engine_host){
		.ctx = n, .now_ms = h_now, .random = h_random, .send = h_send,
		.child_up = h_child_up, .child_down = h_child_down,
		.child_counters = h_counters, .tamper = h_tamper, .wall_time = h_wall,
	};
	return &host;
}

void xn_init(struct xnet *net, struct ik_config *c0, uint32_t a0, struct ik_config *c1,
	     uint32_t a1, uint64_t seed, const struct ik_engine_opts *opts)
{
	struct ik_addr x0 = ik_addr_v4(a0), x1 = ik_addr_v4(a1);

	xn_init_ip(net, c0, &x0, c1, &x1, seed, opts);
}

void xn_init_ip(struct xnet *net, struct ik_config *c0, const struct ik_addr *a0,
		struct ik_config *c1, const struct ik_addr *a1, uint64_t seed,
		const struct ik_engine_opts *opts)
{
	struct ik_config *cfgs[2] = { c0, c1 };
	const struct ik_addr *addrs[2] = { a0, a1 };

	ik_secmem_init();
	memset(net, 0, sizeof(*net));
	net->now = 1000000;
	net->wall = XN_WALL;
	for (int i = 0; i < 2; i++) {
		struct xnode *n = &net->n[i];
		struct ik_engine_host host = {
			.ctx = n, .now_ms = h_now, .random = h_random, .send = h_send,
			.child_up = h_child_up, .child_down = h_child_down,
			.child_counters = h_counters, .tamper = h_tamper, .wall_time = h_wall,
		};
		struct ik_engine_opts o = { 0 };

		if (opts)
			o = opts[i];
		n->name = i ? "R2" : "R1";
		n->net = net;
		n->idx = i;
		n->ip = *addrs[i];
		n->addr = n->ip.family == IK_AF_INET6 ? 0 : n->ip.v4;
		n->cfg = cfgs[i];
		n->rng = seed * 2 + (uint64_t)i + 1;
		n->log.debug_mask = IK_DBG_ALL;
		n->log.sink = ik_log_capture_sink;
		n->log.ctx = &n->cap;
		n->e = ik_engine_new(cfgs[i], &host, &n->log, &o);
	}
}

void xn_free(struct xnet *net)
{
	for (int i = 0; i < 2; i++) {
		ik_engine_free(net->n[i].e);
		ik_config_unref(net->n[i].cfg);
		ik_log_capture_clear(&net->n[i].cap);
	}
}

void xn_deliver(struct xnet *net)
{
	for (unsigned steps = 0; net->qlen && steps < 10000; steps++) {
		struct xmsg *m = &net->q[net->qhead];
		struct xnode *n = &net->n[m->to];
		struct xmsg copy;

		memcpy(&copy, m, offsetof(struct xmsg, data) + m->len);
		net->qhead = (net->qhead + 1) % XN_QUEUE;
		net->qlen--;
		net->delivered++;
		ik_engine_input(n->e, &copy.dst, &copy.src, NULL, copy.data, copy.len);
	}
}

void xn_run(struct xnet *net, uint64_t ms)
{
	uint64_t end = net->now + ms;

	for (unsigned rounds = 0; rounds < 100000; rounds++) {
		uint64_t t;

		xn_deliver(net);
		t = ik_engine_next_timer(net->n[0].e);
		if (ik_engine_next_timer(net->n[1].e) < t)
			t = ik_engine_next_timer(net->n[1].e);
		if (t > end)
			break;
		if (t > net->now)
			net->now = t;
		ik_engine_run_timers(net->n[0].e);
		ik_engine_run_timers(net->n[1].e);
	}
	if (net->now < end)
		net->now = end;
	xn_deliver(net);
}

void xn_inject(struct xnet *net, int from, const uint8_t *d, size_t len, uint16_t port)
{
	struct ik_endpoint src = ik_ep(&net->n[from].ip, port),
			   dst = ik_ep(&net->n[1 - from].ip, port);

	ik_engine_input(net->n[1 - from].e, &dst, &src, NULL, d, len);
}

long xn_find(const struct xnode *n, size_t from, const char *s)
{
	return ik_log_capture_find(&n->cap, from, s);
}

const char *xn_in_order(const struct xnode *n, const char *const *lines, size_t count)
{
	long at = 0;

	for (size_t i = 0; i < count; i++) {
		long k = ik_log_capture_find(&n->cap, (size_t)at, lines[i]);

		if (k < 0)
			return lines[i];
		at = k + 1;
	}
	return NULL;
}

void xn_dump(const struct xnode *n)
{
	for (size_t i = 0; i < n->cap.n; i++)
		fprintf(stderr, "%s: %s\n", n->name, n->cap.lines[i]);
}

int xn_initiate_map(struct xnet *net, int side, const char *map, const char *s, const char *d,
		    struct ik_sb *err)
{
	struct ik_flow f = { .proto = 1 };

	if (ik_addr_parse_any(s, &f.src) || ik_addr_parse_any(d, &f.dst)) {
		fprintf(stderr, "xn_initiate_map: bad address %s or %s\n", s, d);
		abort();
	}
	return ik_engine_initiate_map(net->n[side].e, map, &f, err);
}
