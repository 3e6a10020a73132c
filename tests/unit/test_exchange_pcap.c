/* Writes every datagram of back-to-back runs (IKEv1, and IKEv2 from run 3 on;
 * run 5: CREATE_CHILD_SA rekeys of the child with PFS and of the IKE SA,
 * liveness checks, RFC 7383 fragments and a DELETE)
 * into a pcap file (IPv4 + UDP
 * headers made here, ports 500/4500) for tests/unit/test_exchange_tshark.sh,
 * which decodes it with tshark and fails on any malformed packet or expert
 * warning. With --corpus DIR it also writes fuzz seeds: each datagram into
 * DIR/v1_parse, and the messages of the seed-40 run as records (flag byte,
 * 2-byte length, message): the initiator's into DIR/v1_responder and
 * DIR/natt, the responder's into DIR/v1_initiator, for the engine targets
 * of tests/fuzz (see responder_seed), and those of runs over IPv6 into
 * DIR/v6_responder (v6_seed).
 *
 * Usage: test_exchange_pcap OUT.pcap [--corpus DIR] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../fuzz/fuzz_v6_conf.h"
#include "test_exchange_harness.h"
#include "util/addr.h"
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
	if (v == 4) { /* IKEv2, VTI, an INVALID_KE_PAYLOAD round (R1 sends 14, R2 wants 19) */
		t = xn_replace(t, " tunnel source Ethernet0/0\n", " tunnel source Ethernet0/0\n"
			       " tunnel mode ipsec ipv4\n");
		t = xn_replace(t, " group 14\n", strstr(t, "hostname R1") ? " group 14 19\n" :
			       " group 19\n");
	}
	if (v == 5) { /* IKEv2: PFS rekeys, IKE SA lifetime 120 s, fragments of 300 bytes */
		t = xn_replace(t, " set transform-set TS\n", " set transform-set TS\n"
			       " set pfs group14\n");
		t = xn_replace(t, "crypto ikev2 proposal PROP\n",
			       "crypto ikev2 fragmentation mtu 300\n!\ncrypto ikev2 proposal PROP\n");
		if (strstr(t, "hostname R1"))
			t = xn_replace(t, " dpd 10 2 on-demand\n", " dpd 10 2 on-demand\n"
				       " lifetime 120\n");
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
	/* runs 3 and 4: IKEv2 (the seed in IKEv2 form) */
	char *t1 = variant(v >= 3 ? "etc/examples/ikev2-r1.conf" : "etc/examples/seed-r1.conf", v);
	char *t2 = variant(v >= 3 ? "etc/examples/ikev2-r2.conf" : "etc/examples/seed-r2.conf", v);
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
	if (corpus && v < 3) {
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
	if (v == 5) {
		/* R2 rekeys the child (soft lifetime), the IKE SA rekeys at R1's
		 * lifetime, liveness checks in between, then R1 clears it all */
		ik_engine_expire(net.n[1].e, net.n[1].up[0].in.spi, false);
		xn_run(&net, 115000);
		if (net.n[0].nup != 1 || net.n[1].nup != 1) {
			fprintf(stderr, "run %d: no child SA after the rekeys\n", v);
			exit(1);
		}
		ik_engine_clear(net.n[0].e, IK_CLEAR_SESSION, 0, 0);
		xn_deliver(&net);
	}
	xn_free(&net);
	net.pcap = NULL;
}

static void put_rec(FILE *out, uint8_t flags, const uint8_t *marker, const uint8_t *msg,
		    size_t n)
{
	size_t tot = n + (marker ? 4 : 0);

	fputc(flags, out);
	fputc((int)(tot >> 8), out);
	fputc((int)(tot & 0xff), out);
	if (marker)
		fwrite(marker, 1, 4, out);
	fwrite(msg, 1, n, out);
}

static FILE *seed_open(const char *corpus, const char *sub, const char *name)
{
	char path[1200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", corpus, sub, name);
	f = fopen(path, "wb");
	if (!f) {
		perror(path);
		exit(1);
	}
	return f;
}

/* The seed-40 run again, recording each side's messages as records: R1's
 * (MM1, MM3, MM5, QM1, QM3) for the responder target, R2's (MM2, MM4, MM6,
 * QM2) for the initiator target (as prefixes: one seed ends at each stage),
 * and R1's again as UDP payloads on 4500 (non-ESP marker) for the NAT-T
 * framing target, with a keepalive, an ESP packet and short datagrams. */
static void responder_seed(const char *corpus)
{
	static uint8_t msgs[9][XN_MAX_MSG];
	static const char *const stage[] = { "mm2", "mm2-mm4", "mm2-mm4-mm6", "mm2-to-qm2" };
	static const uint8_t zero[4], ka = 0xff;
	static const uint8_t esp[16] = { 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 1 };
	size_t lens[9];
	struct xnet net;
	char *t1 = xn_read("etc/examples/seed-r1.conf"), *t2 = xn_read("etc/examples/seed-r2.conf");
	struct ik_config *c1 = xn_load(t1, "r1"), *c2 = xn_load(t2, "r2");
	char tmp[1024], path[1200], name[64];
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
	if (net.n[1].nup != 1)
		exit(1);
	/* odd datagrams are R1's: MM1, MM3, MM5, QM1, QM3; even ones R2's */
	for (unsigned k = 1; k <= 9; k++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/tmp-msg%02u", tmp, k);
		f = fopen(path, "rb");
		if (!f)
			exit(1);
		lens[k - 1] = fread(msgs[k - 1], 1, XN_MAX_MSG, f);
		fclose(f);
		remove(path);
	}
	for (unsigned k = 10; k <= 16; k++) { /* nothing else is expected */
		snprintf(path, sizeof(path), "%s/tmp-msg%02u", tmp, k);
		remove(path);
	}
	out = seed_open(corpus, "v1_responder", "seed-r1-initiates");
	for (unsigned k = 0; k < 9; k += 2)
		put_rec(out, 0, NULL, msgs[k], lens[k]);
	fclose(out);
	for (unsigned s = 0; s < 4; s++) {
		snprintf(name, sizeof(name), "seed-r2-answers-%s", stage[s]);
		out = seed_open(corpus, "v1_initiator", name);
		for (unsigned k = 1; k <= 2 * s + 1; k += 2)
			put_rec(out, 0, NULL, msgs[k], lens[k]);
		fclose(out);
	}
	out = seed_open(corpus, "natt", "seed-r1-initiates-4500");
	for (unsigned k = 0; k < 9; k += 2)
		put_rec(out, 1, zero, msgs[k], lens[k]);
	fclose(out);
	out = seed_open(corpus, "natt", "seed-keepalive-esp-short");
	put_rec(out, 1, NULL, &ka, 1);
	put_rec(out, 1, NULL, esp, sizeof(esp));
	put_rec(out, 1, NULL, esp, 7);
	put_rec(out, 1, NULL, zero, 3);
	put_rec(out, 1, NULL, zero, 4);
	put_rec(out, 0, NULL, &ka, 1);
	put_rec(out, 1, zero, msgs[0], lens[0]);
	fclose(out);
	xn_free(&net);
}

/* IKE over IPv6 (R1 and R2 of tests/fuzz/fuzz_v6_conf.h), seed 40: R1's
 * messages of a Main Mode + Quick Mode run and of an IKEv2 run, as records
 * for the IPv6 responder target (DIR/v6_responder); each seed ends with a
 * child SA installed on the target's engine. */
static void v6_seed(const char *corpus)
{
	static const char *const r1[2] = { fuzz_v6_r1_v1, fuzz_v6_r1_v2 };
	static const char *const name[2] = { "seed-v1-r1-initiates", "seed-v2-r1-initiates" };
	struct ik_addr a1, a2;

	if (ik_addr_parse_any("2001:db8::1", &a1) || ik_addr_parse_any("2001:db8::2", &a2))
		exit(1);
	for (int v = 0; v < 2; v++) {
		struct xnet net;
		struct ik_sb err;
		FILE *out;

		xn_init_ip(&net, xn_load(r1[v], "v6-r1"), &a1, xn_load(fuzz_v6_r2, "v6-r2"), &a2,
			   40, NULL);
		ik_sb_init(&err);
		ik_engine_initiate(net.n[0].e, "Tunnel1", &err);
		ik_sb_free(&err);
		xn_run(&net, 2000);
		if (net.n[1].nup != 1)
			exit(1);
		out = seed_open(corpus, "v6_responder", name[v]);
		for (unsigned k = 0; k < net.nlog; k++)
			if (ik_addr_eq(&net.log[k].src.ip, &a1))
				put_rec(out, 0, NULL, net.log[k].data, net.log[k].len);
		fclose(out);
		xn_free(&net);
	}
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
	for (int v = 0; v < 6; v++)
		run(pcap, v, corpus);
	fclose(pcap);
	if (corpus) {
		responder_seed(corpus);
		v6_seed(corpus);
	}
	return 0;
}
