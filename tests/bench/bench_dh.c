/* Cost of ikerd's handshake cryptography (not part of make check; prints
 * figures, asserts nothing):
 *   per DH group: median microseconds of a key generation and of a derive,
 *     one thread;
 *   the same pairs (keygen + derive) as operations per second with 1 and 2
 *     threads, with the process CPU time per wall second to show that both
 *     cores work;
 *   the IKEv1 PRF chain (SKEYID.. plus the cipher key and IV), Quick Mode
 *     KEYMAT, one HMAC, and a 256-byte CBC encryption;
 *   for scale on a shared machine, the same DH through OpenSSL's EVP_PKEY
 *     interface (named groups, derive without the peer re-validation) in the
 *     same run, as perf-notes.md measured it.
 * Usage: bench_dh [seconds per threaded run, default 1] */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "conf/model.h"
#include "ike/crypto.h"
#include "util/secmem.h"

#define RUNS 7

static double now_s(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One ready peer public value per group, to derive against. */
static struct ik_dh *make_peer(unsigned group)
{
	uint8_t r[128];
	size_t rl = ik_dh_rand_len(group);

	randombytes_buf(r, rl);
	return ik_dh_new(group, r, rl);
}

static int dh_pair(unsigned group, const uint8_t *peer, size_t plen)
{
	uint8_t r[128];
	size_t rl = ik_dh_rand_len(group);
	struct ik_dh *dh;
	struct ik_secret *s;

	randombytes_buf(r, rl);
	dh = ik_dh_new(group, r, rl);
	s = dh ? ik_dh_derive(dh, peer, plen, NULL, 0) : NULL;
	ik_secret_free(s);
	ik_dh_free(dh);
	return s ? 0 : -1;
}

static void bench_group_single(unsigned group, int iters)
{
	double kg[RUNS], dv[RUNS];
	struct ik_dh *peer = make_peer(group), **mine;
	const uint8_t *pp;
	size_t plen;
	uint8_t r[128];
	size_t rl = ik_dh_rand_len(group);

	mine = calloc((size_t)iters, sizeof(*mine));
	if (!peer || !mine) {
		printf("group %u: setup failed\n", group);
		exit(1);
	}
	pp = ik_dh_public(peer, &plen);
	for (int run = 0; run < RUNS; run++) {
		double t0 = now_s(CLOCK_MONOTONIC), t1;

		for (int i = 0; i < iters; i++) {
			randombytes_buf(r, rl);
			mine[i] = ik_dh_new(group, r, rl);
			if (!mine[i]) {
				printf("group %u: keygen failed\n", group);
				exit(1);
			}
		}
		t1 = now_s(CLOCK_MONOTONIC);
		for (int i = 0; i < iters; i++) {
			struct ik_secret *s = ik_dh_derive(mine[i], pp, plen, NULL, 0);

			if (!s) {
				printf("group %u: derive failed\n", group);
				exit(1);
			}
			ik_secret_free(s);
		}
		dv[run] = (now_s(CLOCK_MONOTONIC) - t1) * 1e6 / iters;
		kg[run] = (t1 - t0) * 1e6 / iters;
		for (int i = 0; i < iters; i++)
			ik_dh_free(mine[i]);
	}
	printf("  group %-2u %-13s keygen %8.1f us   derive %8.1f us\n", group,
	       ik_dh_name(group), median(kg, RUNS), median(dv, RUNS));
	free(mine);
	ik_dh_free(peer);
}

struct worker {
	unsigned group;
	const uint8_t *peer;
	size_t plen;
	double seconds;
	unsigned long ops;
	int failed;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	double end = now_s(CLOCK_MONOTONIC) + w->seconds;

	while (now_s(CLOCK_MONOTONIC) < end) {
		for (int i = 0; i < 8; i++)
			if (dh_pair(w->group, w->peer, w->plen) != 0)
				w->failed = 1;
		w->ops += 8;
	}
	return NULL;
}

/* Pairs per second with n threads; *cpu gets process CPU seconds per wall second. */
static double bench_threads(unsigned group, const uint8_t *peer, size_t plen, int n,
			    double seconds, double *cpu)
{
	struct worker w[2];
	pthread_t t[2];
	double c0 = now_s(CLOCK_PROCESS_CPUTIME_ID), t0 = now_s(CLOCK_MONOTONIC), wall;
	unsigned long ops = 0;

	for (int i = 0; i < n; i++) {
		w[i] = (struct worker){ group, peer, plen, seconds, 0, 0 };
		if (pthread_create(&t[i], NULL, worker_run, &w[i]) != 0) {
			printf("pthread_create failed\n");
			exit(1);
		}
	}
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		if (w[i].failed) {
			printf("group %u: a threaded derive failed\n", group);
			exit(1);
		}
		ops += w[i].ops;
	}
	wall = now_s(CLOCK_MONOTONIC) - t0;
	*cpu = (now_s(CLOCK_PROCESS_CPUTIME_ID) - c0) / wall;
	return (double)ops / wall;
}

/* Median ns per call of fn over RUNS runs of iters calls. */
static double time_ns(int (*fn)(void *), void *arg, int iters)
{
	double v[RUNS];

	for (int run = 0; run < RUNS; run++) {
		double t0 = now_s(CLOCK_MONOTONIC);

		for (int i = 0; i < iters; i++)
			if (fn(arg) != 0) {
				printf("operation failed\n");
				exit(1);
			}
		v[run] = (now_s(CLOCK_MONOTONIC) - t0) * 1e9 / iters;
	}
	return median(v, RUNS);
}

/* ---- the EVP_PKEY reference ---- */

static EVP_PKEY *ref_keygen(const char *alg, const char *group)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, alg, NULL);
	EVP_PKEY *k = NULL;

	if (!c || EVP_PKEY_keygen_init(c) != 1)
		goto done;
	if (group) {
		OSSL_PARAM p[2] = { OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
								     (char *)(uintptr_t)group, 0),
				    OSSL_PARAM_construct_end() };

		if (EVP_PKEY_CTX_set_params(c, p) != 1)
			goto done;
	}
	if (EVP_PKEY_generate(c, &k) != 1)
		k = NULL;
done:
	EVP_PKEY_CTX_free(c);
	return k;
}

static int ref_derive(EVP_PKEY *mine, EVP_PKEY *peer)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, mine, NULL);
	uint8_t out[512];
	size_t olen = sizeof(out);
	int rc = -1;

	if (c && EVP_PKEY_derive_init(c) == 1 && EVP_PKEY_derive_set_peer_ex(c, peer, 0) == 1 &&
	    EVP_PKEY_derive(c, out, &olen) == 1)
		rc = 0;
	EVP_PKEY_CTX_free(c);
	return rc;
}

static void bench_reference(const char *label, const char *alg, const char *group, int iters)
{
	double kg[RUNS], dv[RUNS];
	EVP_PKEY *peer = ref_keygen(alg, group), **mine = calloc((size_t)iters, sizeof(*mine));

	if (!peer || !mine) {
		printf("  %s: not available\n", label);
		EVP_PKEY_free(peer);
		free(mine);
		return;
	}
	for (int run = 0; run < RUNS; run++) {
		double t0 = now_s(CLOCK_MONOTONIC), t1;

		for (int i = 0; i < iters; i++)
			if (!(mine[i] = ref_keygen(alg, group))) {
				printf("  %s: keygen failed\n", label);
				exit(1);
			}
		t1 = now_s(CLOCK_MONOTONIC);
		for (int i = 0; i < iters; i++)
			if (ref_derive(mine[i], peer) != 0) {
				printf("  %s: derive failed\n", label);
				exit(1);
			}
		dv[run] = (now_s(CLOCK_MONOTONIC) - t1) * 1e6 / iters;
		kg[run] = (t1 - t0) * 1e6 / iters;
		for (int i = 0; i < iters; i++)
			EVP_PKEY_free(mine[i]);
	}
	printf("  %-22s keygen %8.1f us   derive %8.1f us\n", label, median(kg, RUNS),
	       median(dv, RUNS));
	free(mine);
	EVP_PKEY_free(peer);
}

struct kdf_case {
	enum ik_hash h;
	enum ik_encr e;
	unsigned kbits;
	struct ik_secret *psk, *gxy;
	uint8_t ni[32], nr[32], gx[256], cky[8];
};

static int do_v1_derive(void *arg)
{
	struct kdf_case *c = arg;
	struct ik_v1_keys k;
	uint8_t km[64];
	int rc;

	rc = ik_v1_derive_psk(c->h, c->e, c->kbits, c->psk, c->ni, sizeof(c->ni), c->nr,
			      sizeof(c->nr), c->gxy, c->gx, sizeof(c->gx), c->gx, sizeof(c->gx),
			      c->cky, c->cky, &k);
	if (rc == 0) /* and the Quick Mode keys for esp-aes 256 + sha256 (64 bytes) */
		rc = ik_v1_keymat(c->h, k.skeyid_d, NULL, 3, c->cky, c->ni, sizeof(c->ni),
				  c->nr, sizeof(c->nr), km, sizeof(km));
	ik_v1_keys_free(&k);
	return rc;
}

static int do_prf(void *arg)
{
	struct kdf_case *c = arg;
	struct ik_iov iov = { c->gx, 64 };
	uint8_t out[64];

	return ik_prf(c->h, c->ni, sizeof(c->ni), &iov, 1, out);
}

struct cbc_case {
	enum ik_encr e;
	uint8_t key[32], iv[16], buf[256];
	size_t klen;
};

static int do_secret(void *arg)
{
	struct ik_secret *s = ik_secret_alloc(32);

	(void)arg;
	ik_secret_free(s);
	return s ? 0 : -1;
}

static int do_cbc(void *arg)
{
	struct cbc_case *c = arg;

	return ik_cbc_encrypt(c->e, c->key, c->klen, c->iv, c->buf, sizeof(c->buf), c->buf);
}

int main(int argc, char **argv)
{
	static const struct {
		unsigned group;
		int iters;
	} groups[] = { { 2, 200 }, { 14, 60 }, { 15, 20 }, { 19, 300 }, { 20, 100 }, { 31, 300 } };
	double seconds = argc > 1 ? atof(argv[1]) : 1.0;

	if (ik_secmem_init() != 0 || seconds <= 0) {
		fprintf(stderr, "usage: bench_dh [seconds per threaded run]\n");
		return 1;
	}
	printf("DH, one thread, median of %d runs:\n", RUNS);
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		bench_group_single(groups[i].group, groups[i].iters);

	printf("The same through OpenSSL EVP_PKEY (reference, same run):\n");
	bench_reference("modp_2048 (group 14)", "DH", "modp_2048", 60);
	bench_reference("P-256 (group 19)", "EC", "P-256", 300);
	bench_reference("X25519 (group 31)", "X25519", NULL, 300);

	printf("DH keygen + derive pairs per second, median of 3 runs of %.1f s (cpu = process"
	       " CPU s per wall s):\n", seconds);
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		struct ik_dh *peer = make_peer(groups[i].group);
		const uint8_t *pp;
		size_t plen;
		double c1, c2, r1, r2, v1[3], v2[3], u1[3], u2[3];

		pp = ik_dh_public(peer, &plen);
		/* alternate the two kinds of run; the machine is shared and noisy */
		for (int run = 0; run < 3; run++) {
			v1[run] = bench_threads(groups[i].group, pp, plen, 1, seconds, &u1[run]);
			v2[run] = bench_threads(groups[i].group, pp, plen, 2, seconds, &u2[run]);
		}
		r1 = median(v1, 3);
		r2 = median(v2, 3);
		c1 = median(u1, 3);
		c2 = median(u2, 3);
		printf("  group %-2u 1 thread %9.0f/s (cpu %.2f)   2 threads %9.0f/s (cpu %.2f)"
		       "   x%.2f\n", groups[i].group, r1, c1, r2, c2, r2 / r1);
		ik_dh_free(peer);
	}

	printf("IKEv1 key derivation (SKEYID, _d, _a, _e, cipher key, IV + 64-byte KEYMAT):\n");
	{
		struct kdf_case c[2] = { { .h = IK_HASH_SHA256, .e = IK_ENCR_AES, .kbits = 256 },
					 { .h = IK_HASH_MD5, .e = IK_ENCR_3DES } };
		static const char *const name[2] = { "sha256/aes256", "md5/3des" };

		for (int i = 0; i < 2; i++) {
			c[i].psk = ik_secret_new("lab-psk-v1", 10);
			c[i].gxy = ik_secret_alloc(256);
			randombytes_buf(c[i].gxy->p, 256);
			randombytes_buf(c[i].ni, sizeof(c[i].ni));
			randombytes_buf(c[i].nr, sizeof(c[i].nr));
			randombytes_buf(c[i].gx, sizeof(c[i].gx));
			printf("  %-14s chain %6.2f us   one HMAC (32-byte key, 64 bytes) %4.0f ns\n",
			       name[i], time_ns(do_v1_derive, &c[i], 2000) / 1e3,
			       time_ns(do_prf, &c[i], 20000));
			ik_secret_free(c[i].psk);
			ik_secret_free(c[i].gxy);
		}
	}

	printf("secure memory: ik_secret_alloc + ik_secret_free %.2f us\n",
	       time_ns(do_secret, NULL, 5000) / 1e3);
	printf("CBC encryption of 256 bytes:\n");
	{
		struct cbc_case c[3] = { { .e = IK_ENCR_3DES, .klen = 24 },
					 { .e = IK_ENCR_AES, .klen = 16 },
					 { .e = IK_ENCR_AES, .klen = 32 } };
		static const char *const name[3] = { "3des", "aes128", "aes256" };

		for (int i = 0; i < 3; i++) {
			randombytes_buf(c[i].key, sizeof(c[i].key));
			randombytes_buf(c[i].iv, sizeof(c[i].iv));
			printf("  %-7s %6.2f us\n", name[i], time_ns(do_cbc, &c[i], 20000) / 1e3);
		}
	}
	return 0;
}
