/* Benchmark of the keyring resolver (K3 responder lookups).
 *
 * Builds synthetic configuration models in memory (1k, 100k and 1M address
 * keys; 90 % /32 and the rest /8../31; spread over 1,000 keyrings bound to 16
 * front-door VRFs, the global one included), then streams random peers, half
 * of them inside a configured key and half anywhere, with their fVRF.
 * Prints, per size: the build time, the median over several runs of the
 * nanoseconds per lookup (thread CPU time, and wall time), and the resolver's
 * memory per key. Timings are printed, never asserted.
 *
 * The same again with a quarter of the keyrings bound to 8 local addresses
 * (local-address) and queries arriving on those addresses.
 *
 * Then IPv6 keys (pre-shared-key address ipv6, 2001:db8::/32 and beyond),
 * 90 % /128: once with the prefix lengths of real plans for the rest (/32,
 * /40, /48, /56, /64), once with every length from /32 to /127 (the worst
 * case: a lookup probes once per length present), queries as IPv6 peers.
 *
 * Then the same for ISAKMP profile selection (P1) with 10,000 profiles: the
 * profile index against a scan of every match identity.
 *
 * Usage: bench_resolver [max-keys]   (default 1000000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf/model.h"
#include "keyring/resolver.h"
#include "profile/profile.h"
#include "util/addr.h"
#include "util/util.h"

#define NRINGS 1000
#define NVRFS 16
#define RUNS 7
#define NQUERIES (1u << 20)

static uint64_t rs = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (uint32_t)(rs >> 16);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this thread: on a shared machine, wall time also counts the
 * time other processes held the CPU. */
static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct model {
	struct ik_config cfg;
	struct ik_keyring rings[NRINGS + 1];
	struct ik_keyring *ringp[NRINGS + 1];
	struct ik_key *keys;
	struct ik_key **keyp;
	char vrfnames[NVRFS][8];
};

/* With `bound`, every fourth keyring has local-address 198.51.100.N, N in
 * 1..NLOCALS, and the queries arrive on one of these addresses. */
#define NLOCALS 8

/* v6: 0 IPv4 keys, 1 IPv6 with typical lengths, 2 IPv6 with every length */
static void model_build(struct model *m, size_t nkeys, bool bound, int v6)
{
	size_t per[NRINGS + 1] = { 0 };

	memset(&m->cfg, 0, sizeof(m->cfg));
	m->keys = ik_xcalloc(nkeys, sizeof(*m->keys));
	m->keyp = ik_xcalloc(nkeys, sizeof(*m->keyp));
	for (int v = 1; v < NVRFS; v++)
		snprintf(m->vrfnames[v], sizeof(m->vrfnames[v]), "vrf%d", v);
	memset(m->rings, 0, sizeof(m->rings));
	m->rings[0].name = "default";
	m->rings[0].is_default = true;
	for (int i = 1; i <= NRINGS; i++) {
		int v = i % NVRFS;

		m->rings[i].name = "ring";
		m->rings[i].vrf = v ? m->vrfnames[v] : NULL;
		m->rings[i].order = (unsigned)i;
		if (bound && i % 4 == 0)
			m->rings[i].local_address = 0xc6336401u + (uint32_t)((i / 4) % NLOCALS);
	}
	/* keys go round-robin into keyrings 1..NRINGS */
	for (size_t i = 0; i < nkeys; i++)
		per[1 + i % NRINGS]++;
	for (int i = 0; i <= NRINGS; i++) {
		m->rings[i].keys = per[i] ? ik_xcalloc(per[i], sizeof(struct ik_key *)) : NULL;
		m->ringp[i] = &m->rings[i];
	}
	for (size_t i = 0; i < nkeys; i++) {
		struct ik_key *k = &m->keys[i];
		struct ik_keyring *kr = &m->rings[1 + i % NRINGS];
		int plen = rnd() % 10 ? 32 : 8 + (int)(rnd() % 24);

		if (v6) {
			static const int typical[] = { 32, 40, 48, 56, 64 };

			k->v6 = true;
			k->plen = rnd() % 10 ? 128 : v6 == 1 ? typical[rnd() % 5]
							  : 32 + (int)(rnd() % 96);
			k->addr6[0] = 0x20;
			k->addr6[1] = 0x01;
			k->addr6[2] = 0x0d;
			k->addr6[3] = 0xb8;
			for (int b = 4; b < 16; b++)
				k->addr6[b] = (uint8_t)rnd();
			ik_addr6_mask(k->addr6, k->plen);
			k->ring = kr;
			k->kind = IK_KEY_ADDRESS;
			k->mask_given = true;
			k->order = (unsigned)i;
			kr->keys[kr->nkeys++] = k;
			m->keyp[i] = k;
			continue;
		}
		k->ring = kr;
		k->kind = IK_KEY_ADDRESS;
		k->plen = plen;
		k->mask = ik_plen_mask(plen);
		k->mask_given = true;
		k->addr = rnd() & k->mask;
		k->order = (unsigned)i;
		kr->keys[kr->nkeys++] = k;
		m->keyp[i] = k;
	}
	m->cfg.keyrings = m->ringp;
	m->cfg.nkeyrings = NRINGS + 1;
	m->cfg.keys = m->keyp;
	m->cfg.nkeys = nkeys;
}

static void model_free(struct model *m)
{
	for (int i = 0; i <= NRINGS; i++)
		free(m->rings[i].keys);
	free(m->keys);
	free(m->keyp);
}

struct query {
	const char *vrf;
	uint32_t addr;
	uint32_t local;
	struct ik_addr a6;
};

static void bench(size_t nkeys, bool bound, int v6)
{
	struct model *m = ik_xcalloc(1, sizeof(*m));
	struct query *q = ik_xmalloc(NQUERIES * sizeof(*q));
	double builds[3], runs[RUNS], walls[RUNS], t0, c0;
	struct ik_resolver *r = NULL;
	uintptr_t sink = 0;
	size_t hits = 0;

	model_build(m, nkeys, bound, v6);
	for (int b = 0; b < 3; b++) {
		ik_resolver_free(r);
		t0 = now();
		r = ik_resolver_build(&m->cfg);
		builds[b] = now() - t0;
		if (!r) {
			fprintf(stderr, "resolver build failed at %zu keys\n", nkeys);
			exit(1);
		}
	}
	qsort(builds, 3, sizeof(double), dcmp);
	for (size_t i = 0; i < NQUERIES; i++) {
		if (rnd() % 2) {
			const struct ik_key *k = &m->keys[rnd() % nkeys];

			q[i].vrf = k->ring->vrf;
			q[i].addr = k->addr | (rnd() & ~k->mask);
		} else {
			int v = (int)(rnd() % NVRFS);

			q[i].vrf = v ? m->vrfnames[v] : NULL;
			q[i].addr = rnd();
		}
		q[i].local = bound ? 0xc6336401u + rnd() % NLOCALS : 0;
		if (v6) {
			const struct ik_key *k = &m->keys[rnd() % nkeys];

			q[i].a6.family = IK_AF_INET6;
			memcpy(q[i].a6.v6, k->addr6, 16);
			if (rnd() % 2) {
				q[i].vrf = k->ring->vrf;
				for (int b = (k->plen + 7) / 8; b < 16; b++)
					q[i].a6.v6[b] |= (uint8_t)rnd();
			} else {
				for (int b = 4; b < 16; b++)
					q[i].a6.v6[b] = (uint8_t)rnd();
			}
		}
	}
	for (int run = 0; run < RUNS; run++) {
		t0 = now();
		c0 = cpu_now();
		for (size_t i = 0; i < NQUERIES; i++) {
			const struct ik_key *k;

			if (v6)
				k = ik_resolve_responder_ip(r, q[i].vrf, NULL, &q[i].a6, NULL);
			else
				k = ik_resolve_responder(r, q[i].vrf, q[i].local, q[i].addr, NULL);

			sink ^= (uintptr_t)k;
			hits += k != NULL;
		}
		runs[run] = (cpu_now() - c0) * 1e9 / NQUERIES;
		walls[run] = (now() - t0) * 1e9 / NQUERIES;
	}
	qsort(runs, RUNS, sizeof(double), dcmp);
	qsort(walls, RUNS, sizeof(double), dcmp);
	printf("%8zu keys%s  build %7.1f ms  lookup median %6.1f ns cpu (min %.1f, max %.1f), "
	       "%6.1f ns wall  %5.1f bytes/key  hits %.0f%%  [%lx]\n",
	       nkeys, bound ? " (1/4 of keyrings on 8 local addresses)" :
	       v6 == 1 ? " IPv6 (/128, /32../64)" : v6 == 2 ? " IPv6 (/128, every /32../127)" : "",
	       builds[1] * 1e3,
	       runs[RUNS / 2], runs[0], runs[RUNS - 1], walls[RUNS / 2],
	       (double)ik_resolver_bytes(r) / (double)nkeys,
	       100.0 * (double)hits / ((double)NQUERIES * RUNS), (unsigned long)(sink & 0xf));
	ik_resolver_free(r);
	model_free(m);
	free(m);
	free(q);
}

#define NPROFILES 10000
#define NPQUERIES (1u << 16)

/* P1 over NPROFILES profiles of one match identity address each (90 % /32),
 * with the profile index and, for comparison, by scanning (no index). */
static void bench_profiles(void)
{
	struct ik_isakmp_profile *ps = ik_xcalloc(NPROFILES, sizeof(*ps));
	struct ik_isakmp_profile **pp = ik_xcalloc(NPROFILES, sizeof(*pp));
	struct ik_identity_match *ms = ik_xcalloc(NPROFILES, sizeof(*ms));
	struct ik_peer_id *q = ik_xcalloc(NPQUERIES, sizeof(*q));
	struct ik_config cfg;
	double t0, build, idx[RUNS], scan[3];
	uintptr_t sink = 0;

	memset(&cfg, 0, sizeof(cfg));
	for (size_t i = 0; i < NPROFILES; i++) {
		int plen = rnd() % 10 ? 32 : 8 + (int)(rnd() % 24);

		ms[i].kind = IK_MATCH_ADDRESS;
		ms[i].plen = plen;
		ms[i].mask = ik_plen_mask(plen);
		ms[i].addr = rnd() & ms[i].mask;
		ps[i].name = "p";
		ps[i].matches = &ms[i];
		ps[i].nmatches = 1;
		ps[i].order = (unsigned)i;
		pp[i] = &ps[i];
	}
	cfg.profiles = pp;
	cfg.nprofiles = NPROFILES;
	for (size_t i = 0; i < NPQUERIES; i++) {
		q[i].type = IK_PEER_ID_IPV4;
		q[i].addr = rnd() % 2 ? ms[rnd() % NPROFILES].addr : rnd();
	}
	t0 = now();
	cfg.pindex = ik_profile_index_build(&cfg);
	build = now() - t0;
	for (int run = 0; run < RUNS; run++) {
		t0 = cpu_now();
		for (size_t i = 0; i < NPQUERIES; i++)
			sink ^= (uintptr_t)ik_profile_match_responder(&cfg, NULL, 0, &q[i], NULL);
		idx[run] = (cpu_now() - t0) * 1e9 / NPQUERIES;
	}
	ik_profile_index_free(cfg.pindex);
	cfg.pindex = NULL;
	for (int run = 0; run < 3; run++) {
		t0 = cpu_now();
		for (size_t i = 0; i < NPQUERIES / 64; i++)
			sink ^= (uintptr_t)ik_profile_match_responder(&cfg, NULL, 0, &q[i], NULL);
		scan[run] = (cpu_now() - t0) * 1e9 / (NPQUERIES / 64);
	}
	qsort(idx, RUNS, sizeof(double), dcmp);
	qsort(scan, 3, sizeof(double), dcmp);
	printf("P1 profile selection, %d profiles: index build %.1f ms, lookup median %.1f ns "
	       "cpu; scan %.0f ns cpu  [%lx]\n", NPROFILES, build * 1e3, idx[RUNS / 2], scan[1],
	       (unsigned long)(sink & 0xf));
	free(ps);
	free(pp);
	free(ms);
	free(q);
}

int main(int argc, char **argv)
{
	size_t max = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	static const size_t sizes[] = { 1000, 100000, 1000000 };

	printf("keyring resolver: K3 responder lookups, %d keyrings, %d fVRFs, 90%% /32, "
	       "%u random peers per run, median of %d runs\n", NRINGS, NVRFS, NQUERIES, RUNS);
	for (size_t i = 0; i < IK_ARRAY_LEN(sizes); i++)
		if (sizes[i] <= max)
			bench(sizes[i], false, 0);
	for (size_t i = 0; i < IK_ARRAY_LEN(sizes); i++)
		if (sizes[i] <= max)
			bench(sizes[i], true, 0);
	for (int v6 = 1; v6 <= 2; v6++)
		for (size_t i = 0; i < IK_ARRAY_LEN(sizes); i++)
			if (sizes[i] <= max)
				bench(sizes[i], false, v6);
	bench_profiles();
	return 0;
}
