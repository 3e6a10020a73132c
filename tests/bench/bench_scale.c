/* Scale benchmark: one responder engine filled with N established IKEv1 SAs
 * (Main Mode + Quick Mode driven by real initiator engines, one after the
 * other, each behind its own NAT address as the responder sees it), in one
 * process (tests/unit/test_mesh.c). At N = 1k, 10k and 50k it prints the
 * responder's CPU per additional handshake, the cost of next_timer and
 * run_timers, and heap bytes per established IKE SA with its child pair;
 * then heap, secure memory and RSS for 50,000 half-open SAs (MM1 from distinct addresses)
 * and after they expire, and the same for IKEv2 (IKE_SA_INIT: 50,000 with
 * x25519, 2,000 with modp2048; --half scales these), and heap per
 * established IKEv2 SA with its child pair (x25519, --max SAs, at least
 * 2,000). Asserts nothing.
 *
 * Usage: bench_scale [--modp2048] [--max N] [--batch B] [--half H (50,000)]
 *                    [--only scale|v1half|v2half|v2est]
 * --only runs one part alone: the IKEv1 scale table, the IKEv1 half-open
 * figures, the IKEv2 half-open figures (x25519 and modp2048) or the IKEv2
 * established-SA figures. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ike/core.h"
#include "ike/v2_int.h"
#include "ike/v2_more.h"
#include "test_exchange_harness.h"
#include "test_mesh.h"
#include "util/secmem.h"
#include "util/util.h"

#define RESP_ADDR 0xc0a80002u   /* 192.168.0.2 */
#define INIT_ADDR 0xc0a80001u   /* 192.168.0.1 behind every NAT */
#define PUB_BASE 0x64400000u    /* 100.64.0.0: the initiators' public addresses */

static struct mnet net;

static double now_s(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* malloc's heap in use, and the slabs of e's record pools (util/slab.h),
 * which malloc does not see. */
static size_t heap_bytes(const struct ik_engine *e)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd +
	       (e->peers.pool.nslabs + e->src_pool.nslabs) * (size_t)IK_SLAB_BYTES;
}

static double rss_mib(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return (double)rss * (double)sysconf(_SC_PAGESIZE) / (1024.0 * 1024.0);
}

static char *fmt_addr(uint32_t a, char *buf)
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	return buf;
}

static void group_of(char **t, bool modp2048)
{
	if (modp2048) {
		*t = xn_replace(*t, " encr 3des\n hash md5\n", " encr aes 256\n hash sha256\n");
		*t = xn_replace(*t, " group 2\n", " group 14\n");
	}
}

/* The responder: the seed's R2 with one VTI per initiator's public address
 * and a wildcard key. */
static struct ik_config *responder_cfg(unsigned n, bool modp2048)
{
	char *t = xn_read("etc/examples/seed-r2.conf"), a[16];
	struct ik_sb sb;
	struct ik_config *c;

	group_of(&t, modp2048);
	t = xn_replace(t, "pre-shared-key address 192.168.0.1 key cisco",
		       "pre-shared-key address 0.0.0.0 0.0.0.0 key cisco");
	t = xn_replace(t, " tunnel source Ethernet0/0\n", " tunnel source Ethernet0/0\n"
		       " tunnel mode ipsec ipv4\n");
	ik_sb_init(&sb);
	ik_sb_add(&sb, t);
	for (unsigned k = 0; k < n; k++)
		ik_sb_printf(&sb, "interface Tunnel%u\n tunnel source Ethernet0/0\n"
			     " tunnel mode ipsec ipv4\n tunnel destination %s\n"
			     " tunnel protection ipsec profile profile1\n!\n", 10 + k,
			     fmt_addr(PUB_BASE + k, a));
	c = xn_load(ik_sb_str(&sb), "responder");
	ik_sb_free(&sb);
	free(t);
	return c;
}

static struct ik_config *initiator_cfg(bool modp2048)
{
	char *t = xn_read("etc/examples/seed-r1.conf");
	struct ik_config *c;

	group_of(&t, modp2048);
	t = xn_replace(t, " tunnel source Ethernet0/0\n", " tunnel source Ethernet0/0\n"
		       " tunnel mode ipsec ipv4\n");
	c = xn_load(t, "initiator");
	free(t);
	return c;
}

/* One complete handshake from initiator k; true when both ends have the pair. */
static bool handshake(struct ik_config *ic, unsigned k)
{
	struct mnode *r = &net.n[0], *i;
	unsigned before = r->nup;
	struct ik_sb err;
	bool ok;

	i = mn_add(&net, 1, "I", ik_config_ref(ic), INIT_ADDR, 1000 + k, NULL, false);
	i->nat_addr = PUB_BASE + k;
	i->nat_port = 500;
	ik_sb_init(&err);
	ok = ik_engine_initiate(i->e, "Tunnel1", &err) == 0;
	ik_sb_free(&err);
	mn_deliver(&net);
	ok = ok && i->nup == 1 && r->nup == before + 1;
	mn_del(&net, 1);
	return ok;
}

static void timer_cost(struct ik_engine *e, double *next_ns, double *run_ns)
{
	enum { REPS = 20000 };
	volatile uint64_t sink = 0;
	double t0 = now_s(CLOCK_THREAD_CPUTIME_ID);

	for (unsigned i = 0; i < REPS; i++)
		sink += ik_engine_next_timer(e);
	*next_ns = (now_s(CLOCK_THREAD_CPUTIME_ID) - t0) * 1e9 / REPS;
	t0 = now_s(CLOCK_THREAD_CPUTIME_ID);
	for (unsigned i = 0; i < REPS; i++)
		ik_engine_run_timers(e);
	*run_ns = (now_s(CLOCK_THREAD_CPUTIME_ID) - t0) * 1e9 / REPS;
	(void)sink;
}

static char *v2_conf(const char *path, unsigned group)
{
	char *t = xn_read(path), g[32];

	snprintf(g, sizeof(g), " group %u\n", group);
	return xn_replace(t, " group 14\n", g);
}

/* Heap per established IKEv2 SA with its child pair: the IKEv2 form of the
 * seed (group `group`), a VTI per initiator's public address on the
 * responder, n handshakes one after the other; heap growth between n/2 and
 * n SAs right after the handshakes, then what one request of the responder
 * in flight (unanswered: the initiators are gone) adds to each SA, each kind
 * on a fresh set of SAs: a liveness check (the profile's on-demand DPD, 10 s,
 * no traffic), a child SA rekey (its soft lifetime reached), an IKE SA rekey
 * (its soft lifetime reached: the new SA, not yet usable, included). */
static void v2_established(unsigned group, unsigned n, const struct ik_engine_opts *ro)
{
	static const char *const kinds[] = { "a liveness check", "a child SA rekey",
					     "an IKE SA rekey" };
	char *t = v2_conf("etc/examples/ikev2-r2.conf", group), a[16];
	struct ik_config *rc, *ic;
	struct ik_sb sb;
	struct mnode *r;
	size_t h_half = 0, h_full = 0, h_kind;
	double per_sa = 0, more[3];
	unsigned failed = 0, up = 0, busy[3];

	if (n < 2)
		return;
	t = xn_replace(t, "crypto ikev2 keyring keyring1\n peer R1\n  address 192.168.0.1\n",
		       "crypto ikev2 keyring keyring1\n peer R1\n  address 0.0.0.0 0.0.0.0\n");
	ik_sb_init(&sb);
	ik_sb_add(&sb, t);
	for (unsigned k = 0; k < n; k++)
		ik_sb_printf(&sb, "interface Tunnel%u\n tunnel source Ethernet0/0\n"
			     " tunnel mode ipsec ipv4\n tunnel destination %s\n"
			     " tunnel protection ipsec profile profile1\n!\n", 10 + k,
			     fmt_addr(PUB_BASE + k, a));
	rc = xn_load(ik_sb_str(&sb), "responder");
	ik_sb_free(&sb);
	free(t);
	t = v2_conf("etc/examples/ikev2-r1.conf", group);
	ic = xn_load(t, "initiator");
	free(t);
	for (unsigned kind = 0; kind < 3; kind++) {
		mn_init(&net);
		r = mn_add(&net, 0, "R", ik_config_ref(rc), RESP_ADDR, 1, ro, false);
		failed = 0;
		for (unsigned k = 0; k < n; k++) {
			if (k == n / 2) {
				malloc_trim(0);
				h_half = heap_bytes(r->e);
			}
			if (!handshake(ic, k))
				failed++;
		}
		malloc_trim(0);
		h_full = heap_bytes(r->e);
		up = r->nup;
		if (kind == 0) {
			per_sa = (double)(h_full - h_half) / (n - n / 2);
			net.now += 15000; /* one DPD interval */
			ik_engine_run_timers(r->e);
		} else {
			uint64_t now = net.now;

			for (struct ik_v2_ike_sa *s = r->e->v2 ? r->e->v2->sas : NULL, *nx; s;
			     s = nx) {
				struct ik_child *c = ik_v2_child_first(s);

				nx = s->next;
				if (s->dead || s->state != IKEV2_READY || !s->live)
					continue;
				if (kind == 1 && c)
					ik_v2_child_rekey(r->e, c, now);
				else if (kind == 2)
					ik_v2_sa_timer(s, &s->live->t_rekey, now);
			}
		}
		net.qlen = 0;
		busy[kind] = 0;
		for (struct ik_v2_ike_sa *s = r->e->v2 ? r->e->v2->sas : NULL; s; s = s->next)
			if (!s->dead && s->state == IKEV2_READY && ik_v2_req_pending(s))
				busy[kind]++;
		malloc_trim(0);
		h_kind = heap_bytes(r->e);
		more[kind] = ((double)h_kind - (double)h_full) / (busy[kind] ? busy[kind] : 1);
		mn_free(&net);
	}
	printf("\n%u established IKEv2 SAs (group %u, PSK, one child pair each): heap %.0f B "
	       "per SA with its child pair (growth from %u to %u SAs)", up, group, per_sa,
	       n / 2, n);
	if (failed)
		printf(" (%u handshakes failed)", failed);
	printf(";\n");
	for (unsigned kind = 0; kind < 3; kind++)
		printf("with %s of the responder each in flight (unanswered, %u SAs): %+.0f B "
		       "per SA%s\n", kinds[kind], busy[kind], more[kind],
		       kind == 2 ? " (the new IKE SA included)" : "");
	printf("an established IKEv2 SA with its child pair and a liveness check in flight: "
	       "%.0f B\n", per_sa + more[0]);
	ik_config_unref(rc);
	ik_config_unref(ic);
}

/* Heap and RSS of n half-open SAs: the first message of an initiator (IKEv1
 * MM1 of the seed, or IKEv2 IKE_SA_INIT of the seed in IKEv2 form with DH
 * group `group`) sent n times into a fresh responder, each time from another
 * address with another initiator SPI; the responses go nowhere. */
static void half_open(unsigned version, unsigned group, unsigned n,
		      const struct ik_engine_opts *ro)
{
	if (!n)
		return;
	uint8_t first[MN_MAX_MSG];
	size_t len, h0, h1;
	double rss0, rss1, rss2, rss3;
	struct ik_secmem_stats s0, s1, s3;
	struct ik_engine_stats st;
	struct ik_config *rc, *ic;
	struct mnode *r;
	struct ik_sb err;

	if (version == 1) {
		rc = responder_cfg(1, group == 14);
		ic = initiator_cfg(group == 14);
	} else {
		char *t = v2_conf("etc/examples/ikev2-r2.conf", group);

		rc = xn_load(t, "responder");
		free(t);
		t = v2_conf("etc/examples/ikev2-r1.conf", group);
		ic = xn_load(t, "initiator");
		free(t);
	}
	mn_init(&net);
	malloc_trim(0);
	r = mn_add(&net, 0, "R", rc, RESP_ADDR, 2, ro, false);
	mn_add(&net, 1, "I", ic, INIT_ADDR, 3, NULL, false);
	net.keep_first = true;
	ik_sb_init(&err);
	ik_engine_initiate(net.n[1].e, "Tunnel1", &err);
	ik_sb_free(&err);
	len = net.first_len;
	memcpy(first, net.first, len);
	mn_del(&net, 1);
	net.qlen = 0;
	malloc_trim(0);
	h0 = heap_bytes(r->e);
	ik_secmem_stats(&s0);
	rss0 = rss_mib();
	for (uint32_t i = 0; i < n; i++) {
		struct ik_endpoint src = ik_ep_v4(PUB_BASE + i, 500);

		ik_put32(first, 0x5e000000u + i);
		mn_inject(&net, 0, &src, first, len);
		net.qlen = 0; /* the responses go nowhere */
	}
	h1 = heap_bytes(r->e);
	ik_secmem_stats(&s1);
	rss1 = rss_mib();
	ik_engine_stats(r->e, &st);
	net.now += 200000;
	ik_engine_run_timers(r->e);
	rss2 = rss_mib();
	malloc_trim(0);
	rss3 = rss_mib();
	ik_secmem_stats(&s3);
	printf("\n%u half-open %s SAs (%s, group %u, from distinct addresses, %u kept): "
	       "heap %.0f B + secure memory %.0f B each;\n"
	       "RSS %.1f MiB above the baseline of %.1f MiB; secure memory in use %+.1f MiB, "
	       "held %+.1f MiB (%zu chunks)\n", n,
	       version == 1 ? "IKEv1" : "IKEv2", version == 1 ? "MM1" : "IKE_SA_INIT", group,
	       st.half_open, (double)(h1 - h0) / (st.half_open ? st.half_open : 1),
	       ((double)s1.in_use - (double)s0.in_use) / (st.half_open ? st.half_open : 1),
	       rss1 - rss0, rss0, ((double)s1.in_use - (double)s0.in_use) / 1048576.0,
	       ((double)s1.held - (double)s0.held) / 1048576.0, s1.chunks);
	printf("after they expire: RSS %.1f MiB above the baseline (%.1f MiB after "
	       "malloc_trim);\nsecure memory in use %+.1f MiB, held %+.1f MiB (%zu chunks, "
	       "%llu given back so far)\n", rss2 - rss0, rss3 - rss0,
	       ((double)s3.in_use - (double)s0.in_use) / 1048576.0,
	       ((double)s3.held - (double)s0.held) / 1048576.0, s3.chunks,
	       (unsigned long long)s3.chunks_returned);
	mn_free(&net);
}

/* A part --only names. */
static bool only_known(const char *name)
{
	static const char *const parts[] = { "scale", "v1half", "v2half", "v2est" };

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (!strcmp(name, parts[i]))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	bool modp2048 = false;
	unsigned max = 50000, batch = 300, half = 50000, marks[] = { 1000, 10000, 50000 };
	struct ik_config *rc, *ic;
	struct ik_engine_opts ro = { .max_half_open = 60000 };
	struct mnode *r;
	unsigned k = 0, failed = 0;
	size_t heap_mark = 0;
	unsigned n_mark = 0;
	const char *only = NULL;

	mallopt(M_MXFAST, 0); /* as ikerd runs (src/daemon/ikerd.c) */
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--modp2048"))
			modp2048 = true;
		else if (!strcmp(argv[i], "--max") && i + 1 < argc)
			max = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--half") && i + 1 < argc)
			half = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--batch") && i + 1 < argc)
			batch = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--only") && i + 1 < argc && only_known(argv[i + 1]))
			only = argv[++i];
		else {
			fprintf(stderr, "usage: bench_scale [--modp2048] [--max N] [--batch B] "
				"[--half H] [--only scale|v1half|v2half|v2est]\n");
			return 2;
		}
	}
	if (!batch)
		batch = 1;
	if (only && strcmp(only, "scale"))
		goto parts;
	printf("IKEv1 responder at scale: Main Mode + Quick Mode (PSK, %s), ESP aes/sha256,\n"
	       "initiators one after the other, each behind its own NAT address\n\n",
	       modp2048 ? "modp2048/aes256/sha256" : "modp1024/3des/md5");
	mn_init(&net);
	rc = responder_cfg(max + batch, modp2048);
	ic = initiator_cfg(modp2048);
	{
		double t0 = now_s(CLOCK_MONOTONIC);

		r = mn_add(&net, 0, "R", rc, RESP_ADDR, 1, &ro, false);
		printf("engine start (per-process set-up included): %.2f ms\n",
		       (now_s(CLOCK_MONOTONIC) - t0) * 1e3);
	}
	r->timed = true;
	if (!handshake(ic, k++))
		failed++;
	printf("first handshake after start: responder CPU %.2f ms\n\n", r->cpu_s * 1e3);
	printf("%8s %14s %14s %14s %16s\n", "SAs", "resp CPU us/hs", "next_timer ns",
	       "run_timers ns", "heap B/SA+child");
	for (size_t m = 0; m < sizeof(marks) / sizeof(marks[0]) && marks[m] <= max; m++) {
		double cpu0, nt, rt;
		size_t heap_now;

		while (k < marks[m])
			if (!handshake(ic, k++))
				failed++;
		/* completed Quick Mode nodes linger for retransmissions: let them go */
		net.now += 200000;
		ik_engine_run_timers(r->e);
		malloc_trim(0);
		heap_now = heap_bytes(r->e);
		timer_cost(r->e, &nt, &rt);
		cpu0 = r->cpu_s;
		for (unsigned b = 0; b < batch; b++)
			if (!handshake(ic, k++))
				failed++;
		printf("%8u %14.1f %14.1f %14.1f", marks[m], (r->cpu_s - cpu0) * 1e6 / batch, nt,
		       rt);
		if (n_mark)
			printf(" %16.0f\n", (double)(heap_now - heap_mark) / (marks[m] - n_mark));
		else
			printf(" %16s\n", "-");
		net.now += 200000;
		ik_engine_run_timers(r->e);
		malloc_trim(0);
		heap_mark = heap_bytes(r->e);
		n_mark = k;
	}
	if (failed)
		printf("(%u handshakes failed)\n", failed);
	mn_free(&net);
	ik_config_unref(ic);
parts:
	if (!only || !strcmp(only, "v1half"))
		half_open(1, modp2048 ? 14 : 2, half, &ro);
	if (!only || !strcmp(only, "v2half")) {
		half_open(2, 31, half, &ro);
		half_open(2, 14, half / 25, &ro);
	}
	if (!only || !strcmp(only, "v2est"))
		v2_established(31, max < 2000 ? 2000 : max, &ro);
	if (only && strcmp(only, "scale"))
		return 0;
	printf("\nresp CPU us/hs: responder thread CPU per handshake of a batch of %u added at\n"
	       "that size; heap B/SA+child: heap growth per established SA with its child pair\n"
	       "between two sizes, once completed Quick Mode nodes have lingered out.\n", batch);
	return 0;
}
