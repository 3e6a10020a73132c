/* Tunnel index benchmark: the snapshot's lookups of protected tunnels by
 * destination (ik_snapshot_tunnels_to_ip, IPv4 and IPv6), by (source,
 * destination) (ik_snapshot_tunnel_for) and by number (ik_snapshot_tunnel_num)
 * with 1,000 and 50,000 tunnels, looked up in random order (a lookup per
 * datagram of a peer that is not the last one seen). Destinations: IPv4 from
 * 198.18.0.0/15 (RFC 2544's benchmarking range, no packet is sent), IPv6 from
 * 2001:db8::/32; half the tunnels of each family. Prints nanoseconds per
 * lookup (median of rounds); asserts nothing.
 *
 * Usage: bench_tindex [ROUNDS] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "conf/model.h"
#include "profile/snapshot.h"
#include "util/addr.h"
#include "util/strbuf.h"

#define LOOKUPS 1000000u

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static uint32_t dest4(unsigned i)
{
	return 0xc6120000u + i; /* 198.18.0.0 + i */
}

static struct ik_addr dest6(unsigned i)
{
	struct ik_addr a = { .family = IK_AF_INET6 };

	a.v6[0] = 0x20;
	a.v6[1] = 0x01;
	a.v6[2] = 0x0d;
	a.v6[3] = 0xb8;
	a.v6[12] = (uint8_t)(i >> 24);
	a.v6[13] = (uint8_t)(i >> 16);
	a.v6[14] = (uint8_t)(i >> 8);
	a.v6[15] = (uint8_t)i;
	return a;
}

static struct ik_config *build(unsigned n)
{
	struct ik_conf_error err;
	struct ik_config *cfg;
	struct ik_sb t;

	ik_sb_init(&t);
	ik_sb_printf(&t, "crypto ipsec transform-set TS esp-aes esp-sha-hmac\n!\n"
		     "crypto ipsec profile P\n set transform-set TS\n!\n"
		     "interface Ethernet0/0\n ip address 192.0.2.1 255.255.255.0\n"
		     " ipv6 address 2001:db8:ffff::1/64\n!\n");
	for (unsigned i = 0; i < n; i++) {
		char a[IK_ADDR_ANYSTRLEN];

		if (i % 2) {
			struct ik_addr d = dest6(i / 2);

			ik_sb_printf(&t, "interface Tunnel%u\n tunnel source Ethernet0/0\n"
				     " tunnel mode gre ipv6\n tunnel destination %s\n"
				     " tunnel protection ipsec profile P\n!\n", i + 1,
				     ik_addr_fmt_any(&d, a));
		} else {
			struct ik_addr d = ik_addr_v4(dest4(i / 2));

			ik_sb_printf(&t, "interface Tunnel%u\n tunnel source 192.0.2.1\n"
				     " tunnel destination %s\n"
				     " tunnel protection ipsec profile P\n!\n", i + 1,
				     ik_addr_fmt_any(&d, a));
		}
	}
	cfg = ik_snapshot_load_string(ik_sb_str(&t), "bench.conf", &err);
	if (!cfg)
		fprintf(stderr, "bench_tindex: %s:%d: %s\n", err.file, err.line, err.msg);
	ik_sb_free(&t);
	return cfg;
}

int main(int argc, char **argv)
{
	static const unsigned sizes[] = { 1000, 50000 };
	unsigned rounds = argc > 1 ? (unsigned)atoi(argv[1]) : 5;
	double *r[4];

	if (rounds < 1 || rounds > 50)
		rounds = 5;
	for (int m = 0; m < 4; m++)
		if (!(r[m] = calloc(rounds, sizeof(double))))
			return 1;
	printf("tunnels   ns per lookup (median of %u x %u): to_ip v4   to_ip v6   tunnel_for"
	       "   tunnel_num\n", rounds, LOOKUPS);
	for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
		unsigned n = sizes[z], half = n / 2;
		struct ik_config *cfg = build(n);
		size_t found = 0;

		if (!cfg)
			return 1;
		for (unsigned k = 0; k < rounds; k++) {
			unsigned seed = 99 + k;
			double t0;
			size_t cnt;

			t0 = now_s();
			for (unsigned j = 0; j < LOOKUPS; j++) {
				struct ik_addr d = ik_addr_v4(dest4((unsigned)rand_r(&seed) % half));

				found += ik_snapshot_tunnels_to_ip(cfg, &d, &cnt) != NULL;
			}
			r[0][k] = (now_s() - t0) / LOOKUPS * 1e9;
			t0 = now_s();
			for (unsigned j = 0; j < LOOKUPS; j++) {
				struct ik_addr d = dest6((unsigned)rand_r(&seed) % half);

				found += ik_snapshot_tunnels_to_ip(cfg, &d, &cnt) != NULL;
			}
			r[1][k] = (now_s() - t0) / LOOKUPS * 1e9;
			t0 = now_s();
			for (unsigned j = 0; j < LOOKUPS; j++)
				found += ik_snapshot_tunnel_for(cfg, 0xc0000201u,
					dest4((unsigned)rand_r(&seed) % half)) != NULL;
			r[2][k] = (now_s() - t0) / LOOKUPS * 1e9;
			t0 = now_s();
			for (unsigned j = 0; j < LOOKUPS; j++)
				found += ik_snapshot_tunnel_num(cfg,
					1 + (unsigned)rand_r(&seed) % n) != NULL;
			r[3][k] = (now_s() - t0) / LOOKUPS * 1e9;
		}
		for (int m = 0; m < 4; m++)
			qsort(r[m], rounds, sizeof(double), cmp_d);
		printf("%7u   %42.1f %10.1f %12.1f %12.1f%s\n", n, r[0][rounds / 2],
		       r[1][rounds / 2], r[2][rounds / 2], r[3][rounds / 2],
		       found == (size_t)rounds * LOOKUPS * 4 ? "" : "  (SOME NOT FOUND)");
		ik_config_unref(cfg);
	}
	for (int m = 0; m < 4; m++)
		free(r[m]);
	return 0;
}
