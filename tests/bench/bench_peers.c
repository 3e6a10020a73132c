/* Per-peer counter benchmark (src/ike/peer.h): the cost of counting one
 * received message for a peer whose record exists, with 1k, 10k and 100k
 * records in the table (records made by a message sent, held by no SA, the
 * limit raised to hold them), the cost when every message comes from a new
 * address (received: no record made; sent: a record made and, beyond the
 * default limit of idle records, the oldest dropped), and heap bytes per
 * record. Asserts nothing.
 *
 * Usage: bench_peers */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ike/peer.h"
#include "ike/v1_msg.h"
#include "test_exchange_harness.h"
#include "util/addr.h"

static struct xnet net;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t heap_bytes(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static void msg(struct ik_engine *e, uint32_t addr, bool sent)
{
	static uint8_t h[28] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct ik_addr a = ik_addr_v4(addr);

	h[17] = 0x10;
	h[18] = IK_V1_EXCH_INFO;
	h[27] = 28;
	ik_peer_msg(e, &a, NULL, h, sizeof(h), sent);
	if (!sent)
		ik_peer_rx_end(e); /* as the engine's input does */
}

int main(void)
{
	static const unsigned sizes[] = { 1000, 10000, 100000 };
	struct ik_config *c0 = xn_load(xn_read("etc/examples/seed-r1.conf"), "r1.conf");
	struct ik_config *c1 = xn_load(xn_read("etc/examples/seed-r2.conf"), "r2.conf");
	struct ik_engine *e;

	xn_init(&net, c0, 0xc0a80001u, c1, 0xc0a80002u, 1, NULL);
	e = net.n[1].e;
	printf("%-34s %12s %14s\n", "case", "ns/message", "heap B/record");
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		unsigned n = sizes[s], rounds = 2000000 / n;
		size_t h0 = heap_bytes(), n0 = ik_peer_count(e), per;
		double t0;

		ik_peer_set_max(e, n + 1);
		for (unsigned i = 0; i < n; i++)
			msg(e, 0x0a000000u + i * 7919u, true);
		per = (heap_bytes() - h0) / (ik_peer_count(e) - n0 ? ik_peer_count(e) - n0 : 1);

		t0 = now_s();
		for (unsigned r = 0; r < rounds; r++)
			for (unsigned i = 0; i < n; i++)
				msg(e, 0x0a000000u + i * 7919u, false);
		printf("existing record, %6u records      %12.1f %14zu\n", n,
		       (now_s() - t0) * 1e9 / ((double)rounds * n), per);
	}
	ik_peer_set_max(e, 0);
	for (int sent = 0; sent < 2; sent++) {
		unsigned n = 1000000;
		size_t n0 = ik_peer_count(e);
		double t0 = now_s();

		for (unsigned i = 0; i < n; i++)
			msg(e, (sent ? 0x64000000u : 0x65000000u) + i, sent);
		printf("new address each, %s, limit %6u %8.1f %14s\n",
		       sent ? "sent    " : "received", IK_PEER_MAX_DEFAULT,
		       (now_s() - t0) * 1e9 / n, "-");
		printf("records kept: %zu (%+lld)\n", ik_peer_count(e),
		       (long long)ik_peer_count(e) - (long long)n0);
	}
	xn_free(&net);
	return 0;
}
