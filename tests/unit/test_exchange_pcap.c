/* Writes every datagram of back-to-back runs into a pcap file (IPv4 + UDP
 * headers made here, ports 500/4500) for tests/unit/test_exchange_tshark.sh,
 * which decodes it with tshark and fails on any malformed packet or expert
 * warning. With --corpus DIR it also writes fuzz seeds: each datagram into
 * DIR/v1_parse, and the initiator's messages of the seed-40 run as records
 * (flag byte, 2-byte length, message) into DIR/v1_responder, which
 * tests/fuzz/fuzz_v1_responder.c replays against the same responder.
 *
 * Usage: test_exchange_pcap OUT.pcap [--corpus DIR] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_exchange_harness.h"
#include "util/util.h"

#define R1_ADDR 0xc0a80001u
#define R2_ADDR 0xc0a80002u

static char *variant(const char *file, int v)
{
	char *t = xn_read(file);

	if (v == 1) { /* PFS + VTI + AES/SHA-256 phase 1 + transport-less */
		t = xn_replace(t, " set transform-set TS\n", " set transform-set TS\n"
			       " set pfs group14\n");
		t = xn_replace(t, " tunnel source Ethernet0/0\n", " tunnel source Ethernet0/0\n"
			       " tunnel mode ipsec ipv4\n");
		t = xn_replace(t, " encr 3des\n hash md5\n", " encr aes 256\n hash sha256\n");
		t = xn_replace(t, " group 2\n", " group 14\n");
	}
	if (v == 2) { /* DPD, then a DELETE */
		t = xn_replace(t, "crypto isakmp policy 10", "crypto isakmp keepalive 10 2\n"
			       "crypto isakmp policy 10");
	}
	return t;
}

struct rec {
	uint8_t *buf;
	size_t len, cap;
};

static void run(FILE *pcap, int v, const char *corpus)
{
	struct xnet net;
	char *t1 = variant("etc/examples/seed-r1.conf", v);
	char *t2 = variant("etc/examples/seed-r2.conf", v);
	struct ik_config *c1 = xn_load(t1, "r1"), *c2 = xn_load(t2, "r2");
	struct ik_sb err;
	char dir[1024], prefix[32];

	free(t1);
	free(t2);
	xn_init(&net, c1, R1_ADDR, c2, R2_ADDR, 40 + (uint64_t)v, NULL);
	if (v == 0)
		xn_pcap_open(&net, pcap); /* the file header, once */
	else
		net.pcap = pcap;
	net.now += (uint64_t)v * 60000;
	if (corpus) {
		snprintf(dir, sizeof(dir), "%s/v1_parse", corpus);
		snprintf(prefix, sizeof(prefix), "run%d-", v);
		net.dump_dir = dir;
		net.dump_prefix = prefix;
	}
	ik_sb_init(&err);
	if (ik_engine_initiate(net.n[0].e, "Tunnel1", &err)) {
		fprintf(stderr, "%s\n", ik_sb_str(&err));
		exit(1);
	}
	ik_sb_free(&err);
	xn_run(&net, 2000);
	if (net.n[0].nup != 1 || net.n[1].nup != 1) {
		fprintf(stderr, "run %d: no child SA\n", v);
		exit(1);
	}
	if (v == 2) {
		xn_run(&net, 12000);
		ik_engine_clear(net.n[0].e, IK_CLEAR_SESSION, 0, 0);
		xn_deliver(&net);
	}
	xn_free(&net);
	net.pcap = NULL;
}

/* The seed-40 run again, recording what R1 sends to R2 as responder records. */
static void responder_seed(const char *corpus)
{
	struct xnet net;
	char *t1 = xn_read("etc/examples/seed-r1.conf"), *t2 = xn_read("etc/examples/seed-r2.conf");
	struct ik_config *c1 = xn_load(t1, "r1"), *c2 = xn_load(t2, "r2");
	char tmp[1024], path[1200];
	struct ik_sb err;
	FILE *out;

	free(t1);
	free(t2);
	snprintf(tmp, sizeof(tmp), "%s/v1_responder", corpus);
	xn_init(&net, c1, R1_ADDR, c2, R2_ADDR, 40, NULL);
	net.dump_dir = tmp;
	net.dump_prefix = "tmp-";
	ik_sb_init(&err);
	ik_engine_initiate(net.n[0].e, "Tunnel1", &err);
	ik_sb_free(&err);
	xn_run(&net, 2000);
	snprintf(path, sizeof(path), "%s/v1_responder/seed-r1-initiates", corpus);
	out = fopen(path, "wb");
	if (!out)
		exit(1);
	/* odd datagrams are R1's: MM1, MM3, MM5, QM1, QM3 */
	for (unsigned k = 1; k <= 9; k += 2) {
		uint8_t buf[XN_MAX_MSG];
		size_t n;
		FILE *f;

		snprintf(path, sizeof(path), "%s/tmp-msg%02u", tmp, k);
		f = fopen(path, "rb");
		if (!f)
			exit(1);
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		remove(path);
		fputc(0, out);
		fputc((int)(n >> 8), out);
		fputc((int)(n & 0xff), out);
		fwrite(buf, 1, n, out);
		snprintf(path, sizeof(path), "%s/tmp-msg%02u", tmp, k + 1);
		remove(path);
	}
	fclose(out);
	if (net.n[1].nup != 1)
		exit(1);
	xn_free(&net);
}

int main(int argc, char **argv)
{
	const char *corpus = NULL;
	FILE *pcap;

	if (argc < 2) {
		fprintf(stderr, "usage: %s OUT.pcap [--corpus DIR]\n", argv[0]);
		return 2;
	}
	if (argc == 4 && !strcmp(argv[2], "--corpus"))
		corpus = argv[3];
	pcap = fopen(argv[1], "wb");
	if (!pcap) {
		perror(argv[1]);
		return 1;
	}
	for (int v = 0; v < 3; v++)
		run(pcap, v, corpus);
	fclose(pcap);
	if (corpus)
		responder_seed(corpus);
	return 0;
}
