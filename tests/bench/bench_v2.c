/* Cost of the IKEv2 wire and crypto layer (not part of make check; prints
 * figures, asserts nothing): median nanoseconds per operation over RUNS runs
 * of N calls each, one thread:
 *   parsing a captured strongSwan IKE_SA_INIT (header, chain, SA, KE, Nonce,
 *     notifies) and the IKEv1 MM1 SA payload (its sized allocation included);
 *   SKEYSEED and the seven SK_* keys, the PSK AUTH value, and sealing then
 *     opening a 300-byte IKE_AUTH body, per suite;
 *   the IKEv2 profile of an IPv6 identity (match identity remote address
 *     ipv6) among 10, 1,000 and 10,000 profiles, through the index and by
 *     the scan over the profiles.
 * Usage: bench_v2 [calls per run, default 2000] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ike/v1_msg.h"
#include "ike/v2_crypto.h"
#include "ike/v2_msg.h"
#include "profile/snapshot.h"
#include "profile/v2_select.h"
#include "util/addr.h"
#include "util/secmem.h"
#include "util/strbuf.h"

#define RUNS 7

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

typedef int (*op_fn)(void *arg);

static void bench(const char *name, op_fn op, void *arg, unsigned n)
{
	double t[RUNS];

	for (int r = 0; r < RUNS; r++) {
		double t0 = now_ns();

		for (unsigned i = 0; i < n; i++)
			if (op(arg)) {
				printf("%-44s failed\n", name);
				return;
			}
		t[r] = (now_ns() - t0) / n;
	}
	qsort(t, RUNS, sizeof(t[0]), cmp_double);
	printf("%-44s %10.0f ns\n", name, t[RUNS / 2]);
}

static uint8_t *read_file(const char *path, size_t *len)
{
	static uint8_t buf[IK_V2_MAX_MSG];
	FILE *f = fopen(path, "rb");

	if (!f)
		return NULL;
	*len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return buf;
}

static const uint8_t *init_msg;
static size_t init_len;

static int op_parse_init(void *arg)
{
	static struct ik_v2_msg m;
	char err[256];

	(void)arg;
	if (ik_v2_parse_hdr(init_msg, init_len, &m.hdr, err, sizeof(err)) ||
	    ik_v2_parse_payloads(init_msg, m.hdr.len, &m, err, sizeof(err)))
		return -1;
	for (size_t i = 0; i < m.npl; i++) {
		struct ik_v2_sa *sa;
		struct ik_v2_ke ke;
		struct ik_v2_notify n;

		if (m.pl[i].type == IK_V2_PL_SA) {
			if (ik_v2_parse_sa(&m.pl[i], &sa, err, sizeof(err)))
				return -1;
			ik_v2_sa_free(sa);
		} else if (m.pl[i].type == IK_V2_PL_KE) {
			if (ik_v2_parse_ke(&m.pl[i], &ke, err, sizeof(err)))
				return -1;
		} else if (m.pl[i].type == IK_V2_PL_N) {
			if (ik_v2_parse_notify(&m.pl[i], &n, err, sizeof(err)))
				return -1;
		}
	}
	return 0;
}

static struct ik_v1_msg mm1;

static int op_v1_sa(void *arg)
{
	struct ik_v1_sa *sa;
	char err[256];

	(void)arg;
	if (ik_v1_parse_sa(ik_v1_find(&mm1, IK_V1_PL_SA), &sa, err, sizeof(err)))
		return -1;
	ik_v1_sa_free(sa);
	return 0;
}

struct suite_ctx {
	struct ik_v2_suite s;
	struct ik_secret *gir, *psk;
	struct ik_v2_keys k;
	uint8_t n[32], spi[8], iv[16], body[300], out[IK_V2_PRF_MAX];
};

static int op_derive(void *arg)
{
	struct suite_ctx *c = arg;
	struct ik_v2_keys k;

	if (ik_v2_derive(&c->s, c->gir, c->n, 32, c->n, 32, c->spi, c->spi, &k))
		return -1;
	ik_v2_keys_free(&k);
	return 0;
}

static int op_auth(void *arg)
{
	struct suite_ctx *c = arg;

	return ik_v2_auth_psk(c->s.prf, c->psk, c->body, sizeof(c->body), c->n, 32, c->k.sk_pi,
			      c->body, 12, c->out);
}

static int op_seal_open(void *arg)
{
	static struct ik_v2_builder b;
	static uint8_t plain[IK_V2_MAX_MSG];
	struct suite_ctx *c = arg;
	struct ik_pl pl;
	size_t sk, plen;
	char err[256];

	ik_v2_b_init(&b, c->spi, c->spi, IK_V2_EXCH_IKE_AUTH, IK_V2_FLAG_I, 1);
	sk = ik_v2_b_sk(&b);
	ik_v2_b_payload(&b, IK_V2_PL_V, c->body, sizeof(c->body) - 4);
	if (ik_v2_sk_seal(&c->k, true, &b, sk, c->iv, err, sizeof(err)))
		return -1;
	pl = (struct ik_pl){ IK_V2_PL_SK, false, sk, b.buf + sk, b.len - sk, b.buf + sk + 4,
			     b.len - sk - 4 };
	return ik_v2_sk_open(&c->k, true, b.buf, b.len, &pl, plain, sizeof(plain), &plen, err,
			     sizeof(err));
}

struct prof_ctx {
	struct ik_config *cfg;
	struct ik_v2_id id;
	unsigned k, nprof;
};

/* The identity of profile k (a /128 each), k going round all profiles. */
static int op_profile6(void *arg)
{
	struct prof_ctx *c = arg;

	c->k = (c->k + 7919) % c->nprof;
	c->id.addr6[14] = (uint8_t)(c->k >> 8);
	c->id.addr6[15] = (uint8_t)c->k;
	return ik_v2_profile_select(c->cfg, NULL, 0, &c->id, NULL) ? 0 : -1;
}

static void bench_profiles6(unsigned n)
{
	static const unsigned sizes[] = { 10, 1000, 10000 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct ik_conf_error err;
		struct prof_ctx c = { .id = { .type = IK_ID_ADDRESS, .v6 = true },
				      .nprof = sizes[i] };
		struct ik_v2_index *x;
		struct ik_sb t;
		char name[96];

		ik_sb_init(&t);
		for (unsigned k = 0; k < c.nprof; k++)
			ik_sb_printf(&t, "crypto ikev2 profile P%u\n match identity remote "
				     "address ipv6 2001:db8::%x/128\n", k, k);
		c.cfg = ik_snapshot_load_string(ik_sb_str(&t), "bench.conf", &err);
		ik_sb_free(&t);
		if (!c.cfg) {
			printf("profiles: %s:%d: %s\n", err.file, err.line, err.msg);
			return;
		}
		memcpy(c.id.addr6, (const uint8_t[16]){ 0x20, 0x01, 0x0d, 0xb8 }, 16);
		snprintf(name, sizeof(name), "IPv6 identity, %u profiles: index", c.nprof);
		bench(name, op_profile6, &c, n);
		x = c.cfg->v2index;
		c.cfg->v2index = NULL;
		snprintf(name, sizeof(name), "IPv6 identity, %u profiles: scan", c.nprof);
		bench(name, op_profile6, &c, c.nprof > 1000 ? n / 10 + 1 : n);
		c.cfg->v2index = x;
		ik_config_unref(c.cfg);
	}
}

int main(int argc, char **argv)
{
	static const struct { const char *name; struct ik_v2_suite s; } suites[] = {
		{ "aes256-sha256-modp2048", { IK_V2_ENCR_AES_CBC, 256,
			IK_V2_INTEG_HMAC_SHA2_256_128, IK_V2_PRF_HMAC_SHA2_256, 14 } },
		{ "aes128-sha1", { IK_V2_ENCR_AES_CBC, 128, IK_V2_INTEG_HMAC_SHA1_96,
			IK_V2_PRF_HMAC_SHA1, 14 } },
		{ "aes256gcm16-prfsha256", { IK_V2_ENCR_AES_GCM_16, 256, 0,
			IK_V2_PRF_HMAC_SHA2_256, 31 } },
		{ "chacha20poly1305-prfsha256", { IK_V2_ENCR_CHACHA20_POLY1305, 0, 0,
			IK_V2_PRF_HMAC_SHA2_256, 19 } },
	};
	unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 2000;
	char path[1024], err[256], name[96];
	size_t len;
	uint8_t *d;

	if (n == 0 || ik_secmem_init())
		return 1;
	snprintf(path, sizeof(path), "%s/tests/fuzz/corpus/v2_parse/"
		 "pcap-c1-v2-modp2048-xfrmi-01.bin", TOP_SRCDIR);
	init_msg = read_file(path, &init_len);
	if (init_msg)
		bench("parse strongSwan IKE_SA_INIT (464 B)", op_parse_init, NULL, n);
	snprintf(path, sizeof(path), "%s/tests/fuzz/corpus/v1_parse/"
		 "iop-ikerd-resp-swan-v1mm-3des-gre-01.bin", TOP_SRCDIR);
	d = read_file(path, &len);
	if (d && ik_v1_parse_hdr(d, len, &mm1.hdr, err, sizeof(err)) == 0 &&
	    ik_v1_parse_payloads(d, mm1.hdr.len, &mm1, false, err, sizeof(err)) == 0)
		bench("parse strongSwan MM1 SA payload (IKEv1)", op_v1_sa, NULL, n);
	bench_profiles6(n);
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		struct suite_ctx c;

		memset(&c, 0x3c, sizeof(c));
		c.s = suites[i].s;
		c.gir = ik_secret_new(c.body, 256);
		c.psk = ik_secret_new("lab-psk-v2", 10);
		if (!c.gir || !c.psk ||
		    ik_v2_derive(&c.s, c.gir, c.n, 32, c.n, 32, c.spi, c.spi, &c.k))
			return 1;
		snprintf(name, sizeof(name), "%s: SKEYSEED + SK_*", suites[i].name);
		bench(name, op_derive, &c, n);
		snprintf(name, sizeof(name), "%s: PSK AUTH", suites[i].name);
		bench(name, op_auth, &c, n);
		snprintf(name, sizeof(name), "%s: seal + open 300 B", suites[i].name);
		bench(name, op_seal_open, &c, n);
		ik_v2_keys_free(&c.k);
		ik_secret_free(c.gir);
		ik_secret_free(c.psk);
	}
	return 0;
}
