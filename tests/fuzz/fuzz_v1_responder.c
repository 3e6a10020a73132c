/* Fuzz target: whole IKEv1 messages fed to a responder engine built on the
 * seed's R2 configuration (etc/examples/seed-r2.conf), with a fake host.
 * The input is a sequence of records: one flag byte (bit 0: the message
 * arrives on port 4500; bit 1: advance the clock 20 s and run the timers
 * first), a 2-byte big-endian length, the message. The host's RNG and clock
 * are those of side R2 of tests/unit/test_exchange_harness.c with seed 40,
 * so messages recorded from a back-to-back run (tests/fuzz/corpus/
 * v1_responder) drive the responder through Main Mode and Quick Mode. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ike/engine.h"
#include "profile/snapshot.h"
#include "util/secmem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char r2_conf[] =
	"! R2 from the seed (ios-ike-keyring-profile-selection.zh-TW.txt)\n"
	"hostname R2\n"
	"!\n"
	"crypto keyring keyring1\n"
	"  pre-shared-key address 192.168.0.1 key cisco\n"
	"crypto keyring keyring2\n"
	"  pre-shared-key address 192.168.0.1 key cisco\n"
	"!\n"
	"crypto isakmp policy 10\n"
	" encr 3des\n"
	" hash md5\n"
	" authentication pre-share\n"
	" group 2\n"
	"!\n"
	"crypto isakmp profile profile1\n"
	"   keyring keyring1\n"
	"   match identity address 192.168.0.1 255.255.255.255 !R1\n"
	"crypto isakmp profile profile2\n"
	"   keyring keyring2\n"
	"   match identity address 192.168.0.100 255.255.255.255 !non existing host\n"
	"!\n"
	"crypto ipsec transform-set TS esp-aes esp-sha256-hmac\n"
	" mode tunnel\n"
	"!\n"
	"crypto ipsec profile profile1\n"
	" set transform-set TS\n"
	" set isakmp-profile profile1\n"
	"!\n"
	"interface Loopback0\n"
	" ip address 192.168.200.1 255.255.255.0\n"
	"!\n"
	"interface Tunnel1\n"
	" ip address 10.0.0.2 255.255.255.0\n"
	" tunnel source Ethernet0/0\n"
	" tunnel destination 192.168.0.1\n"
	" tunnel protection ipsec profile profile1\n"
	"!\n"
	"interface Ethernet0/0\n"
	" ip address 192.168.0.2 255.255.255.0\n"
	"!\n"
	"ip route 192.168.100.0 255.255.255.0 10.0.0.1\n";

struct fhost {
	uint64_t now, rng;
	unsigned ups;
};

static uint64_t f_now(void *ctx)
{
	return ((struct fhost *)ctx)->now;
}

static void f_random(void *ctx, void *buf, size_t len)
{
	struct fhost *h = ctx;
	uint8_t *b = buf;

	for (size_t i = 0; i < len; i++) {
		uint64_t z = (h->rng += 0x9e3779b97f4a7c15ull);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		b[i] = (uint8_t)(z ^ (z >> 31));
	}
}

static void f_send(void *ctx, const struct ik_endpoint *l, const struct ik_endpoint *r,
		   const char *fvrf, const uint8_t *msg, size_t len)
{
	(void)ctx; (void)l; (void)r; (void)fvrf; (void)msg; (void)len;
}

static int f_up(void *ctx, const struct ik_child_sa *c)
{
	(void)c;
	((struct fhost *)ctx)->ups++;
	return 0;
}

static void f_down(void *ctx, const struct ik_child_sa *c)
{
	(void)ctx; (void)c;
}

static void f_sink(void *ctx, unsigned cat, int sev, const char *line)
{
	(void)ctx; (void)cat; (void)sev; (void)line;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ik_config *cfg;
	static struct ik_log lg = { .debug_mask = 0xf, .sink = f_sink };
	struct fhost h = { .now = 1000000, .rng = 40 * 2 + 2 };
	struct ik_engine_host host = {
		.ctx = &h, .now_ms = f_now, .random = f_random, .send = f_send,
		.child_up = f_up, .child_down = f_down,
	};
	struct ik_endpoint local = { 0xc0a80002u, 500 }, remote = { 0xc0a80001u, 500 };
	struct ik_engine *e;
	struct ik_sb sb;
	size_t off = 0;

	if (!cfg) {
		struct ik_conf_error err;

		ik_secmem_init();
		cfg = ik_snapshot_load_string(r2_conf, "seed-r2.conf", &err);
		if (!cfg)
			abort();
	}
	e = ik_engine_new(cfg, &host, &lg, NULL);
	for (unsigned n = 0; n < 16 && size - off >= 3; n++) {
		uint8_t flags = data[off];
		size_t len = (size_t)data[off + 1] << 8 | data[off + 2];

		off += 3;
		if (len > size - off)
			len = size - off;
		if (flags & 2) {
			h.now += 20000;
			ik_engine_run_timers(e);
		}
		local.port = remote.port = (flags & 1) ? 4500 : 500;
		ik_engine_input(e, &local, &remote, NULL, data + off, len);
		off += len;
	}
	h.now += 3600 * 1000;
	ik_engine_run_timers(e);
	ik_sb_init(&sb);
	ik_engine_show_isakmp_sa(e, true, false, &sb);
	ik_engine_show_ipsec_sa(e, false, &sb);
	ik_engine_show_session(e, true, &sb);
	ik_sb_free(&sb);
	ik_engine_clear(e, IK_CLEAR_SESSION, 0, 0);
	ik_engine_free(e);
	return 0;
}
