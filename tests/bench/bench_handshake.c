/* Handshake benchmark: N complete handshakes between two engines in one
 * process (the host records child SAs only, like the `none` kernel backend):
 * IKEv1 Main Mode + Quick Mode for two suites, and IKEv2 IKE_SA_INIT +
 * IKE_AUTH with the first CHILD_SA for modp2048 and x25519 (when the engine
 * negotiates IKEv2: ike/features.h), with 1 thread and with 2 threads (two
 * independent engine pairs, each with its own configuration snapshots).
 * Prints handshakes per second, CPU microseconds per handshake, and the
 * cost of the Diffie-Hellman operations alone (4 per handshake: a key pair
 * and a shared secret on each side), measured through crypto.h.
 * Not a test: it asserts nothing about time.
 *
 * Usage: bench_handshake [N]      (default 400 per suite and thread count) */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ike/crypto.h"
#include "ike/features.h"
#include "test_exchange_harness.h"
#include "util/secmem.h"

#define R1_ADDR 0xc0a80001u
#define R2_ADDR 0xc0a80002u

struct suite {
	const char *name;
	unsigned version;
	unsigned group;
	const char *policy; /* replaces the seed's "encr 3des\n hash md5\n" (IKEv1) */
	const char *grp;    /* replaces the example's group line */
};

/* IKEv1: the seed (etc/examples/seed-r1.conf, 3des/md5/group 2); IKEv2: the
 * seed in IKEv2 form (etc/examples/ikev2-r1.conf, aes-cbc-256/sha256/group
 * 14), both with ESP aes/sha256. */
static const struct suite suites[] = {
	{ "modp1024/3des/md5", 1, 2, " encr 3des\n hash md5\n", " group 2\n" },
	{ "modp2048/aes256/sha256", 1, 14, " encr aes 256\n hash sha256\n", " group 14\n" },
	{ "ikev2-modp2048/aes256/sha256", 2, 14, NULL, " group 14\n" },
	{ "ikev2-x25519/aes256/sha256", 2, 31, NULL, " group 31\n" },
};

static char *conf(const char *file, const struct suite *s)
{
	char *t = xn_read(file);

	if (s->version == 1) {
		t = xn_replace(t, " encr 3des\n hash md5\n", s->policy);
		t = xn_replace(t, " group 2\n", s->grp);
	} else {
		t = xn_replace(t, " group 14\n", s->grp);
	}
	return t;
}

struct job {
	const struct suite *s;
	unsigned n, ok;
};

static void *worker(void *arg)
{
	struct job *j = arg;
	char *t1 = conf(j->s->version == 1 ? "etc/examples/seed-r1.conf" :
			"etc/examples/ikev2-r1.conf", j->s);
	char *t2 = conf(j->s->version == 1 ? "etc/examples/seed-r2.conf" :
			"etc/examples/ikev2-r2.conf", j->s);
	struct ik_config *c1 = xn_load(t1, "r1"), *c2 = xn_load(t2, "r2");
	struct xnet *net = malloc(sizeof(*net));

	free(t1);
	free(t2);
	if (!net)
		return NULL;
	for (unsigned i = 0; i < j->n; i++) {
		struct ik_sb err;

		xn_init(net, ik_config_ref(c1), R1_ADDR, ik_config_ref(c2), R2_ADDR, i + 1, NULL);
		net->n[0].log.debug_mask = 0;
		net->n[1].log.debug_mask = 0;
		ik_sb_init(&err);
		if (ik_engine_initiate(net->n[0].e, "Tunnel1", &err) == 0) {
			xn_deliver(net);
			if (net->n[0].nup == 1 && net->n[1].nup == 1)
				j->ok++;
		}
		ik_sb_free(&err);
		xn_free(net);
	}
	free(net);
	ik_config_unref(c1);
	ik_config_unref(c2);
	return NULL;
}

static double now_s(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of the DH operations of one handshake: two key pairs, two
 * shared secrets. */
static double dh_cost_us(unsigned group, unsigned reps)
{
	size_t rl = ik_dh_rand_len(group);
	uint8_t *r = calloc(1, rl + 1);
	double t0 = now_s(CLOCK_PROCESS_CPUTIME_ID);

	for (unsigned i = 0; i < reps; i++) {
		struct ik_dh *a, *b;
		const uint8_t *pa, *pb;
		size_t la, lb;
		struct ik_secret *s1, *s2;

		for (size_t k = 0; k < rl; k++)
			r[k] = (uint8_t)(i * 31 + k * 7 + 1);
		a = ik_dh_new(group, r, rl);
		r[0] ^= 0x5a;
		b = ik_dh_new(group, r, rl);
		pa = ik_dh_public(a, &la);
		pb = ik_dh_public(b, &lb);
		s1 = ik_dh_derive(a, pb, lb, NULL, 0);
		s2 = ik_dh_derive(b, pa, la, NULL, 0);
		ik_secret_free(s1);
		ik_secret_free(s2);
		ik_dh_free(a);
		ik_dh_free(b);
	}
	free(r);
	return (now_s(CLOCK_PROCESS_CPUTIME_ID) - t0) * 1e6 / reps;
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 400;

	if (!n)
		n = 1;
	ik_secmem_init();
	printf("Handshakes, both ends in process, PSK, ESP aes/sha256, %u per run: IKEv1 Main\n"
	       "Mode + Quick Mode, and ikev2-*: IKE_SA_INIT + IKE_AUTH (first CHILD_SA)\n\n", n);
	printf("%-28s %7s %9s %10s %11s %12s %6s\n", "suite", "threads", "wall s", "hs/s",
	       "CPU us/hs", "DH us/hs", "cores");
	for (size_t s = 0; s < sizeof(suites) / sizeof(suites[0]); s++) {
		double dh;

		if (suites[s].version == 2 && !IK_FEATURE_IKEV2) {
			printf("%-28s not measured: this build's engine does not negotiate IKEv2 "
			       "yet\n", suites[s].name);
			continue;
		}
		dh = dh_cost_us(suites[s].group, 50);

		for (unsigned threads = 1; threads <= 2; threads++) {
			struct job jobs[2];
			pthread_t th[2];
			double w0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
			double wall, cpu;
			unsigned ok = 0;

			for (unsigned t = 0; t < threads; t++) {
				jobs[t].s = &suites[s];
				jobs[t].n = n / threads;
				jobs[t].ok = 0;
				pthread_create(&th[t], NULL, worker, &jobs[t]);
			}
			for (unsigned t = 0; t < threads; t++) {
				pthread_join(th[t], NULL);
				ok += jobs[t].ok;
			}
			wall = now_s(CLOCK_MONOTONIC) - w0;
			cpu = now_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
			printf("%-28s %7u %9.3f %10.1f %11.1f %12.1f %6.2f%s\n", suites[s].name,
			       threads, wall, ok / wall, cpu * 1e6 / (ok ? ok : 1), dh, cpu / wall,
			       ok == (n / threads) * threads ? "" : "  (some failed!)");
		}
	}
	printf("\nCPU us/hs counts both ends; DH us/hs is 2 key pairs + 2 shared secrets;\n"
	       "cores = process CPU time / wall time (2.00 = both cores busy).\n"
	       "2 threads = two independent engine pairs (one engine per core, as ikerd "
	       "runs them).\n");
	return 0;
}
