/* Shared by the IKEv1 engine fuzz targets: the seed's R1 and R2
 * (etc/examples/seed-r1.conf, seed-r2.conf) and a fake host whose RNG and
 * clock are those of tests/unit/test_exchange_harness.c, so that messages
 * recorded from a back-to-back run of that harness (seed 40: R1's RNG starts
 * at 81, R2's at 82) drive an engine here through the same exchange. */
#ifndef IK_TEST_FUZZ_HOST_H
#define IK_TEST_FUZZ_HOST_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "ike/engine.h"
#include "ike/natt_frame.h"
#include "profile/snapshot.h"
#include "util/secmem.h"

#define FUZZ_R1_ADDR 0xc0a80001u /* 192.168.0.1 */
#define FUZZ_R2_ADDR 0xc0a80002u /* 192.168.0.2 */
#define FUZZ_SEED 40u

static const char r1_conf[] =
	"! R1 from the seed (ios-ike-keyring-profile-selection.zh-TW.txt)\n"
	"hostname R1\n"
	"!\n"
	"crypto keyring keyring1\n"
	"  pre-shared-key address 192.168.0.2 key cisco\n"
	"crypto keyring keyring2\n"
	"  pre-shared-key address 192.168.0.2 key cisco\n"
	"!\n"
	"crypto isakmp policy 10\n"
	" encr 3des\n"
	" hash md5\n"
	" authentication pre-share\n"
	" group 2\n"
	"!\n"
	"crypto isakmp profile profile1\n"
	"   keyring keyring1\n"
	"   match identity address 192.168.0.102 255.255.255.255 !non existing host\n"
	"crypto isakmp profile profile2\n"
	"   keyring keyring2\n"
	"   match identity address 192.168.0.2 255.255.255.255 !R2\n"
	"!\n"
	"crypto ipsec transform-set TS esp-aes esp-sha256-hmac\n"
	" mode tunnel\n"
	"!\n"
	"crypto ipsec profile profile1\n"
	" set transform-set TS\n"
	" set isakmp-profile profile2\n"
	"!\n"
	"interface Loopback0\n"
	" ip address 192.168.100.1 255.255.255.0\n"
	"!\n"
	"interface Tunnel1\n"
	" ip address 10.0.0.1 255.255.255.0\n"
	" tunnel source Ethernet0/0\n"
	" tunnel destination 192.168.0.2\n"
	" tunnel protection ipsec profile profile1\n"
	"!\n"
	"interface Ethernet0/0\n"
	" ip address 192.168.0.1 255.255.255.0\n"
	"!\n"
	"ip route 192.168.200.0 255.255.255.0 10.0.0.2\n";

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

static inline struct ik_config *fuzz_config(int side)
{
	static struct ik_config *cfg[2];

	if (!cfg[side]) {
		struct ik_conf_error err;

		ik_secmem_init();
		cfg[side] = ik_snapshot_load_string(side ? r2_conf : r1_conf,
						    side ? "seed-r2.conf" : "seed-r1.conf", &err);
		if (!cfg[side])
			abort();
	}
	return cfg[side];
}

/* R2 of the seed in IKEv2 form (etc/examples/ikev2-r2.conf), for the IKEv2
 * engine target. */
static inline struct ik_config *fuzz_config_v2(void)
{
	static const char conf[] =
		"hostname R2\n"
		"crypto ikev2 proposal PROP\n"
		" encryption aes-cbc-256\n"
		" integrity sha256\n"
		" group 14\n"
		"crypto ikev2 policy POL\n"
		" proposal PROP\n"
		"crypto ikev2 keyring keyring1\n"
		" peer R1\n"
		"  address 192.168.0.1\n"
		"  pre-shared-key cisco\n"
		"crypto ikev2 keyring keyring2\n"
		" peer R1\n"
		"  address 192.168.0.1\n"
		"  pre-shared-key cisco\n"
		"crypto ikev2 profile profile1\n"
		" match identity remote address 192.168.0.1 255.255.255.255\n"
		" identity local address 192.168.0.2\n"
		" authentication remote pre-share\n"
		" authentication local pre-share\n"
		" keyring local keyring1\n"
		" dpd 10 2 on-demand\n"
		"crypto ikev2 profile profile2\n"
		" match identity remote address 192.168.0.100 255.255.255.255\n"
		" authentication remote pre-share\n"
		" authentication local pre-share\n"
		" keyring local keyring2\n"
		"crypto ipsec transform-set TS esp-aes esp-sha256-hmac\n"
		" mode tunnel\n"
		"crypto ipsec profile profile1\n"
		" set transform-set TS\n"
		" set ikev2-profile profile1\n"
		"interface Tunnel1\n"
		" ip address 10.0.0.2 255.255.255.0\n"
		" tunnel source Ethernet0/0\n"
		" tunnel destination 192.168.0.1\n"
		" tunnel protection ipsec profile profile1\n"
		"interface Ethernet0/0\n"
		" ip address 192.168.0.2 255.255.255.0\n";
	static struct ik_config *cfg;

	if (!cfg) {
		struct ik_conf_error err;

		ik_secmem_init();
		cfg = ik_snapshot_load_string(conf, "ikev2-r2.conf", &err);
		if (!cfg)
			abort();
	}
	return cfg;
}

static void fuzz_host_init(struct fhost *h, struct ik_engine_host *host, int side)
{
	h->now = 1000000;
	h->rng = FUZZ_SEED * 2 + (uint64_t)side + 1;
	h->ups = 0;
	*host = (struct ik_engine_host){
		.ctx = h, .now_ms = f_now, .random = f_random, .send = f_send,
		.child_up = f_up, .child_down = f_down,
	};
}

/* Feeds the records of data to e: one flag byte (bit 0: the datagram arrives
 * on port 4500; bit 1: advance the clock 20 s and run the timers first), a
 * 2-byte big-endian length, the datagram. With framed, each datagram goes
 * through the NAT-T framing of the IKE ports as ikerd's workers do (on 4500
 * it carries the non-ESP marker); else it is the IKE message itself. Then
 * runs the timers an hour on, prints every show, and clears. */
static void fuzz_feed_ep(struct ik_engine *e, struct fhost *h, const struct ik_endpoint *self,
			 const struct ik_endpoint *peer, const uint8_t *data, size_t size,
			 int framed)
{
	struct ik_endpoint local = *self, remote = *peer;
	struct ik_sb sb;
	size_t off = 0;

	for (unsigned n = 0; n < 16 && size - off >= 3; n++) {
		uint8_t flags = data[off];
		size_t len = (size_t)data[off + 1] << 8 | data[off + 2];
		const uint8_t *msg = data + off + 3;

		off += 3;
		if (len > size - off)
			len = size - off;
		off += len;
		if (flags & 2) {
			h->now += 20000;
			ik_engine_run_timers(e);
		}
		local.port = remote.port = (flags & 1) ? 4500 : 500;
		if (framed) {
			struct ik_natt_frame f;

			if (ik_natt_frame_parse(msg, len, local.port, &f) != IK_NATT_IKE)
				continue;
			/* the message lies inside the datagram */
			if (f.ike < msg || f.ike_len > len || (size_t)(f.ike - msg) > len - f.ike_len)
				abort();
			msg = f.ike;
			len = f.ike_len;
		}
		ik_engine_input(e, &local, &remote, NULL, msg, len);
	}
	h->now += 3600 * 1000;
	ik_engine_run_timers(e);
	ik_sb_init(&sb);
	ik_engine_show_isakmp_sa(e, true, false, &sb);
	ik_engine_show_ipsec_sa(e, false, &sb);
	ik_engine_show_session(e, true, &sb);
	ik_engine_show_peers(e, false, &sb);
	ik_sb_free(&sb);
	ik_engine_clear(e, IK_CLEAR_SESSION, 0, 0);
}

static inline void fuzz_feed(struct ik_engine *e, struct fhost *h, uint32_t self, uint32_t peer,
			     const uint8_t *data, size_t size, int framed)
{
	struct ik_endpoint l = ik_ep_v4(self, 500), r = ik_ep_v4(peer, 500);

	fuzz_feed_ep(e, h, &l, &r, data, size, framed);
}

#endif
