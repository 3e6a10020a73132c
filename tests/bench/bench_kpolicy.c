/* Kernel backend policy tracking benchmark: the time of one policy add and
 * one policy remove (a crypto map trap: trap_add / trap_del of the netlink
 * backend, XFRM netlink requests included) while the backend already tracks
 * 0, 1,000, 10,000 or 50,000 policies. Runs in a network namespace of its
 * own (root), where the host kernel installs XFRM policies even without ESP.
 * Prints the median over rounds; asserts nothing.
 *
 * Usage: bench_kpolicy [ROUNDS] */
#include <sched.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "util/addr.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "vti/kernel.h"

#define BENCH_OPS 1000u         /* adds and removes timed per round */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The i-th selector: 192.0.2.x/32 -> 198.51.100.y/32, proto 17 port p
 * (a distinct key for every i below 2^24). */
static void sel_of(unsigned i, struct ik_selector *s)
{
	s->src = ik_addr_v4(0xc0000200u | (i & 0xffu));
	s->dst = ik_addr_v4(0xc6336400u | ((i >> 8) & 0xffu));
	s->src_plen = s->dst_plen = 32;
	s->proto = 17;
	s->sport = 0;
	s->dport = (uint16_t)(1 + (i >> 16));
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static const unsigned sizes[] = { 0, 1000, 10000, 50000 };
	unsigned rounds = argc > 1 ? (unsigned)atoi(argv[1]) : 5;
	struct ik_log log = { 0 };
	struct ik_addr local = ik_addr_v4(0xcb007101u), peer = ik_addr_v4(0xcb007102u);
	struct ik_kernel *k;
	struct ik_sb err;
	unsigned have = 0;
	double *add, *del;

	if (rounds < 1 || rounds > 50)
		rounds = 5;
	if (sodium_init() < 0)
		return 1;
	if (unshare(CLONE_NEWNET)) {
		printf("bench_kpolicy: skipped (needs root and network namespaces)\n");
		return 0;
	}
	ik_sb_init(&err);
	k = ik_kernel_open("netlink", &log, &err);
	if (!k) {
		printf("bench_kpolicy: skipped (%s)\n", err.s ? err.s : "no netlink backend");
		ik_sb_free(&err);
		return 0;
	}
	add = calloc(rounds, sizeof(*add));
	del = calloc(rounds, sizeof(*del));
	if (!add || !del)
		return 1;
	printf("tracked policies   add (us, median of %u x %u)   remove (us)\n", rounds,
	       BENCH_OPS);
	for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
		struct ik_selector s;
		double t0, fill = now_s();
		int failed = 0;

		for (; have < sizes[z]; have++) {
			sel_of(have, &s);
			failed |= k->ops->trap_add(k, &s, 1, &local, &peer);
		}
		fill = now_s() - fill;
		for (unsigned r = 0; r < rounds; r++) {
			t0 = now_s();
			for (unsigned j = 0; j < BENCH_OPS; j++) {
				sel_of(have + j, &s);
				failed |= k->ops->trap_add(k, &s, 1, &local, &peer);
			}
			add[r] = (now_s() - t0) / BENCH_OPS * 1e6;
			t0 = now_s();
			for (unsigned j = 0; j < BENCH_OPS; j++) {
				sel_of(have + j, &s);
				failed |= k->ops->trap_del(k, &s);
			}
			del[r] = (now_s() - t0) / BENCH_OPS * 1e6;
		}
		qsort(add, rounds, sizeof(*add), cmp_d);
		qsort(del, rounds, sizeof(*del), cmp_d);
		printf("%16u   %8.2f                            %8.2f   (filled in %.2f s)%s\n",
		       sizes[z], add[rounds / 2], del[rounds / 2], fill,
		       failed ? "  SOME CALLS FAILED" : "");
	}
	k->ops->shutdown(k);
	k->ops->free(k);
	ik_sb_free(&err);
	free(add);
	free(del);
	return 0;
}
