/* Per-peer counters (src/ike/peer.h) after in-process IKEv1 exchanges between
 * two engines on the seed's R1/R2 configurations: a clean exchange, a lost
 * message, a wrong pre-shared key, a tampered HASH; the table's bounds (idle
 * records evicted least recently used first, expired after an hour, records
 * of peers with SAs kept); the show and clear commands; no record for a source
 * until it proves its address, both versions (spoofed first messages make
 * none), and the counts of the opening exchange added when it does. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/peer.h"
#include "ike/v1_msg.h"
#include "ike/v2_int.h"
#include "test_exchange_harness.h"
#include "util/addr.h"
#include "util/strbuf.h"
#include "util/util.h"

#define R1_ADDR 0xc0a80001u /* 192.168.0.1 */
#define R2_ADDR 0xc0a80002u /* 192.168.0.2 */

static struct xnet net;

static void start(char *t1, char *t2, uint64_t seed)
{
	struct ik_config *c1 = xn_load(t1, "r1.conf"), *c2 = xn_load(t2, "r2.conf");

	free(t1);
	free(t2);
	xn_init(&net, c1, R1_ADDR, c2, R2_ADDR, seed, NULL);
}

static void initiate(int side, const char *ifname)
{
	struct ik_sb err;

	ik_sb_init(&err);
	ck_assert_msg(ik_engine_initiate(net.n[side].e, ifname, &err) == 0, "%s", ik_sb_str(&err));
	ik_sb_free(&err);
}

/* The record side `side` keeps of the other side. */
static const struct ik_peer *rec(int side)
{
	struct ik_addr a = ik_addr_v4(side ? R1_ADDR : R2_ADDR);
	const struct ik_peer *p = ik_peer_find(net.n[side].e, &a, NULL);

	if (!p) {
		struct ik_sb o;

		ik_sb_init(&o);
		ik_engine_show_peers_detail(net.n[side].e, true, &o);
		fprintf(stderr, "%zu records: %s\n", ik_peer_count(net.n[side].e), ik_sb_str(&o));
		ik_sb_free(&o);
	}
	ck_assert_msg(p != NULL, "side %d has no record of its peer", side);
	return p;
}

static uint64_t sum(const uint32_t *v)
{
	uint64_t s = 0;

	for (int i = 0; i < IK_PX_COUNT; i++)
		s += v[i];
	return s;
}

/* The seed, R1 initiates, nothing lost: 3 MM and 2+1 QM messages, one IKE
 * SA and one IPsec SA on each side, no retransmission. */
START_TEST(clean_exchange)
{
	const struct ik_peer *p0, *p1;

	start(xn_read("etc/examples/seed-r1.conf"), xn_read("etc/examples/seed-r2.conf"), 1);
	initiate(0, "Tunnel1");
	xn_run(&net, 5000);
	ck_assert_uint_eq(net.n[0].nup, 1);
	p0 = rec(0);
	p1 = rec(1);
	ck_assert_uint_eq(p0->c.tx[IK_PX_V1_MM], 3);
	ck_assert_uint_eq(p0->c.rx[IK_PX_V1_MM], 3);
	ck_assert_uint_eq(p1->c.tx[IK_PX_V1_MM], 3);
	ck_assert_uint_eq(p1->c.rx[IK_PX_V1_MM], 3);
	ck_assert_uint_eq(p0->c.tx[IK_PX_V1_QM], 2);
	ck_assert_uint_eq(p0->c.rx[IK_PX_V1_QM], 1);
	ck_assert_uint_eq(p1->c.rx[IK_PX_V1_QM], 2);
	ck_assert_uint_eq(p1->c.tx[IK_PX_V1_QM], 1);
	ck_assert_uint_eq(p0->c.tx[IK_PX_V1_AM] + p0->c.tx[IK_PX_V2_SA_INIT], 0);
	for (int s = 0; s < 2; s++) {
		const struct ik_peer *p = s ? p1 : p0;

		ck_assert_uint_eq(p->c.ev[IK_PEER_SA_CREATED], 1);
		ck_assert_uint_eq(p->c.ev[IK_PEER_SA_DELETED], 0);
		ck_assert_uint_eq(p->c.ev[IK_PEER_CHILD_CREATED], 1);
		ck_assert_uint_eq(p->c.ev[IK_PEER_RETRANSMIT], 0);
		ck_assert_uint_eq(p->c.ev[IK_PEER_AUTH_FAIL], 0);
		ck_assert_uint_eq(p->c.ev[IK_PEER_DECRYPT_ERR], 0);
		ck_assert_uint_eq(p->refs, 1);
		ck_assert_uint_gt(p->c.last_rx_ms, 0);
		ck_assert_uint_gt(p->c.last_tx_ms, 0);
	}
	/* what one side sent, the other received */
	ck_assert_uint_eq(sum(p0->c.tx), sum(p1->c.rx));
	ck_assert_uint_eq(sum(p1->c.tx), sum(p0->c.rx));
	xn_free(&net);
}
END_TEST

/* One message lost (the k-th datagram): the exchange completes, the
 * retransmission is counted, and each side received exactly what the other
 * sent minus the one lost. */
START_TEST(lost_message)
{
	unsigned k = (unsigned)_i;
	const struct ik_peer *p0, *p1;
	uint64_t lost;

	start(xn_read("etc/examples/seed-r1.conf"), xn_read("etc/examples/seed-r2.conf"), 20 + k);
	net.drop_mask = 1ull << (k - 1);
	initiate(0, "Tunnel1");
	xn_run(&net, 60000);
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(net.n[1].nup, 1);
	p0 = rec(0);
	p1 = rec(1);
	ck_assert_uint_ge(p0->c.ev[IK_PEER_RETRANSMIT] + p1->c.ev[IK_PEER_RETRANSMIT], 1);
	lost = (sum(p0->c.tx) - sum(p1->c.rx)) + (sum(p1->c.tx) - sum(p0->c.rx));
	ck_assert_uint_eq(lost, 1);
	/* every message beyond the nine of a clean exchange is a retransmission
	 * or the answer to one (a resent MM2/MM4/QM3 for a duplicate) */
	ck_assert_uint_ge(sum(p0->c.tx) + sum(p1->c.tx),
			  9 + p0->c.ev[IK_PEER_RETRANSMIT] + p1->c.ev[IK_PEER_RETRANSMIT]);
	ck_assert_uint_eq(p0->c.ev[IK_PEER_SA_CREATED], 1);
	ck_assert_uint_eq(p1->c.ev[IK_PEER_SA_CREATED], 1);
	xn_free(&net);
}
END_TEST

/* K5: different pre-shared keys: MM5 does not decrypt on R2, counted as a
 * decryption error of peer R1; no SA comes up. */
START_TEST(wrong_key)
{
	char *t2 = xn_read("etc/examples/seed-r2.conf");

	t2 = xn_replace(t2, "pre-shared-key address 192.168.0.1 key cisco",
			"pre-shared-key address 192.168.0.1 key cisco2");
	start(xn_read("etc/examples/seed-r1.conf"), t2, 5);
	initiate(0, "Tunnel1");
	xn_run(&net, 120000);
	ck_assert_uint_eq(net.n[0].ups + net.n[1].ups, 0);
	ck_assert_uint_ge(rec(1)->c.ev[IK_PEER_DECRYPT_ERR], 1);
	ck_assert_uint_eq(rec(0)->c.ev[IK_PEER_DECRYPT_ERR], 0);
	ck_assert_uint_eq(rec(1)->c.ev[IK_PEER_CHILD_CREATED], 0);
	/* the failed SAs are gone: the records are idle, no longer held */
	ck_assert_uint_eq(rec(0)->refs, 0);
	ck_assert_uint_eq(rec(0)->c.ev[IK_PEER_SA_CREATED], rec(0)->c.ev[IK_PEER_SA_DELETED]);
	xn_free(&net);
}
END_TEST

/* A HASH_I flipped before encryption: an authentication failure of peer R1
 * on R2 (and none on R1). */
START_TEST(tampered_hash)
{
	start(xn_read("etc/examples/seed-r1.conf"), xn_read("etc/examples/seed-r2.conf"), 101);
	net.tamper[0] = (struct xtamper){ .on = true, .from = 0, .exch = IK_V1_EXCH_MM, .nth = 1,
					  .pl = IK_V1_PL_HASH, .mask = 0x01 };
	initiate(0, "Tunnel1");
	xn_run(&net, 120000);
	ck_assert_uint_eq(net.tamper[0].applied, 1);
	/* each copy of MM5 (the retransmissions too) fails its HASH */
	ck_assert_uint_ge(rec(1)->c.ev[IK_PEER_AUTH_FAIL], 1);
	ck_assert_uint_le(rec(1)->c.ev[IK_PEER_AUTH_FAIL], rec(1)->c.rx[IK_PX_V1_MM] - 2);
	ck_assert_uint_eq(rec(0)->c.ev[IK_PEER_AUTH_FAIL], 0);
	xn_free(&net);
}
END_TEST

/* An IKEv1 MM header sent to addr (a message sent makes a record), for
 * filling the table. */
static void fake_tx(struct ik_engine *e, uint32_t addr)
{
	uint8_t h[28] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct ik_addr a = ik_addr_v4(addr);

	h[17] = 0x10;
	h[18] = IK_V1_EXCH_MM;
	h[27] = 28;
	ik_peer_msg(e, &a, NULL, h, sizeof(h), true);
}

/* Idle records beyond the limit go, least recently used first; a record
 * held by an SA stays whatever the limit; idle records expire after an hour. */
START_TEST(bounded_table)
{
	struct ik_engine *e;
	struct ik_addr a;

	start(xn_read("etc/examples/seed-r1.conf"), xn_read("etc/examples/seed-r2.conf"), 1);
	initiate(0, "Tunnel1");
	xn_run(&net, 5000);
	e = net.n[1].e;
	ik_peer_set_max(e, 4);
	for (uint32_t i = 0; i < 1000; i++)
		fake_tx(e, 0xc6336400u + i); /* 198.51.100.0 .. */
	/* 4 idle at most, made before the next one, plus R1's (held by its SA) */
	ck_assert_uint_le(ik_peer_count(e), 5);
	ck_assert_uint_eq(rec(1)->c.rx[IK_PX_V1_MM], 3);
	a = ik_addr_v4(0xc6336400u + 999);
	ck_assert_ptr_nonnull(ik_peer_find(e, &a, NULL));
	a = ik_addr_v4(0xc6336400u);
	ck_assert_ptr_null(ik_peer_find(e, &a, NULL));
	/* a record used again (a second later) moves to the end: 996 survives,
	 * 997 goes */
	net.now += 1000;
	fake_tx(e, 0xc6336400u + 996);
	fake_tx(e, 0xc0000201u);
	fake_tx(e, 0xc0000202u);
	a = ik_addr_v4(0xc6336400u + 996);
	ck_assert_ptr_nonnull(ik_peer_find(e, &a, NULL));
	a = ik_addr_v4(0xc6336400u + 997);
	ck_assert_ptr_null(ik_peer_find(e, &a, NULL));
	/* an hour and a bit later, a new record clears the expired idle ones */
	net.now += IK_PEER_IDLE_MS + 1000;
	fake_tx(e, 0xcb007101u);
	ck_assert_uint_eq(ik_peer_count(e), 2);
	/* and a show an hour later does not list the expired one */
	net.now += IK_PEER_IDLE_MS + 1000;
	{
		struct ik_sb o;

		ik_sb_init(&o);
		ik_engine_show_peers_detail(e, false, &o);
		ck_assert_msg(!strstr(ik_sb_str(&o), "203.0.113.1"), "%s", ik_sb_str(&o));
		ck_assert_msg(strstr(ik_sb_str(&o), "Peer: 192.168.0.1 Port: 500"), "%s",
			      ik_sb_str(&o));
		ik_sb_free(&o);
	}
	ck_assert_uint_eq(ik_peer_count(e), 1);
	ck_assert_uint_eq(rec(1)->refs, 1);
	xn_free(&net);
}
END_TEST

/* IKEv2 (the seed in IKEv2 form): IKE_SA_INIT and IKE_AUTH counted each way,
 * the IKE SA and its child; with a wrong key on R2, one authentication
 * failure there and the SA gone (the record no longer held). */
START_TEST(ikev2_exchange)
{
	struct ik_addr a1 = ik_addr_v4(R1_ADDR), a2 = ik_addr_v4(R2_ADDR);
	const struct ik_peer *p0, *p1;
	struct ik_sb o;
	char *t2;

	start(xn_read("etc/examples/ikev2-r1.conf"), xn_read("etc/examples/ikev2-r2.conf"), 1);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	ck_assert_uint_eq(net.n[0].nup, 1);
	p0 = ik_peer_find(net.n[0].e, &a2, NULL);
	p1 = ik_peer_find(net.n[1].e, &a1, NULL);
	ck_assert(p0 && p1);
	ck_assert_uint_eq(p0->c.tx[IK_PX_V2_SA_INIT], 1);
	ck_assert_uint_eq(p0->c.rx[IK_PX_V2_SA_INIT], 1);
	ck_assert_uint_eq(p0->c.tx[IK_PX_V2_AUTH], 1);
	ck_assert_uint_eq(p0->c.rx[IK_PX_V2_AUTH], 1);
	ck_assert_uint_eq(p1->c.rx[IK_PX_V2_AUTH], 1);
	ck_assert_uint_eq(p1->c.tx[IK_PX_V2_AUTH], 1);
	ck_assert_uint_eq(sum(p0->c.tx), sum(p1->c.rx));
	ck_assert_uint_eq(p1->c.tx[IK_PX_V1_MM] + p1->c.rx[IK_PX_V1_MM], 0);
	ck_assert_uint_eq(p1->c.ev[IK_PEER_SA_CREATED], 1);
	ck_assert_uint_eq(p1->c.ev[IK_PEER_CHILD_CREATED], 1);
	ck_assert_uint_eq(p1->refs, 1);
	ik_sb_init(&o);
	ik_engine_show_v2_peer_stats(net.n[1].e, &a1, false, &o);
	ck_assert_msg(strstr(ik_sb_str(&o), "  IKE_AUTH                    1          1\n"), "%s",
		      ik_sb_str(&o));
	ik_sb_free(&o);
	xn_free(&net);

	t2 = xn_replace(xn_read("etc/examples/ikev2-r2.conf"),
			"  address 192.168.0.1\n  pre-shared-key cisco\n",
			"  address 192.168.0.1\n  pre-shared-key wrong\n");
	start(xn_read("etc/examples/ikev2-r1.conf"), t2, 3);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	ck_assert_uint_eq(net.n[0].ups + net.n[1].ups, 0);
	p1 = ik_peer_find(net.n[1].e, &a1, NULL);
	ck_assert_ptr_nonnull(p1);
	ck_assert_uint_eq(p1->c.ev[IK_PEER_AUTH_FAIL], 1);
	ck_assert_uint_eq(p1->c.ev[IK_PEER_SA_DELETED], 1);
	ck_assert_uint_eq(p1->refs, 0);
	xn_free(&net);
}
END_TEST

/* Records are per front-door VRF and address, IPv6 as IPv4; an IKEv2 header
 * is counted under its exchange. */
START_TEST(vrf_and_ipv6_keys)
{
	uint8_t h[28] = { 9, 9, 9, 9, 9, 9, 9, 9 };
	struct ik_addr a = ik_addr_v4(0xc0000205u), b;
	struct ik_engine *e;
	struct ik_sb o;
	const struct ik_peer *p;

	start(xn_read("etc/examples/seed-r1.conf"), xn_read("etc/examples/seed-r2.conf"), 1);
	e = net.n[0].e;
	h[17] = 0x20;
	h[18] = 35; /* IKE_AUTH */
	ck_assert_int_eq(ik_addr_parse_any("2001:db8::5", &b), 0);
	/* received from sources without a record (and taken by no SA): no record */
	ik_peer_msg(e, &a, NULL, h, sizeof(h), false);
	ik_peer_msg(e, &b, NULL, h, sizeof(h), false);
	ik_peer_rx_end(e);
	ck_assert_uint_eq(ik_peer_count(e), 0);
	/* sent: a record each; then received messages count in them */
	ik_peer_msg(e, &a, NULL, h, sizeof(h), true);
	ik_peer_msg(e, &a, NULL, h, sizeof(h), false);
	ik_peer_msg(e, &a, "", h, sizeof(h), false);  /* "" is the global table too */
	ik_peer_msg(e, &a, "blue", h, sizeof(h), true);
	ik_peer_msg(e, &b, NULL, h, sizeof(h), true);
	ik_peer_msg(e, &b, NULL, h, sizeof(h), false);
	ck_assert_uint_eq(ik_peer_count(e), 3);
	p = ik_peer_find(e, &a, NULL);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->c.rx[IK_PX_V2_AUTH], 2);
	ck_assert_uint_eq(p->c.tx[IK_PX_V2_AUTH], 1);
	p = ik_peer_find(e, &a, "blue");
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->c.tx[IK_PX_V2_AUTH], 1);
	ck_assert_uint_eq(p->c.rx[IK_PX_V2_AUTH], 0);
	ck_assert_ptr_nonnull(ik_peer_find(e, &b, NULL));
	/* too short, or not IKE: not counted, no record */
	ik_peer_msg(e, &b, "red", h, 27, true);
	h[17] = 0x30;
	ik_peer_msg(e, &b, "red", h, sizeof(h), true);
	ck_assert_uint_eq(ik_peer_count(e), 3);
	ik_sb_init(&o);
	ik_engine_show_peers_detail(e, false, &o);
	ck_assert_msg(strstr(ik_sb_str(&o), "Peer: 192.0.2.5 (no IKE SA)\n IKE SAs: 0 IPSec SA "
			     "bundles: 0 fvrf: blue\n"), "%s", ik_sb_str(&o));
	ck_assert_msg(strstr(ik_sb_str(&o), "Peer: 2001:db8::5 (no IKE SA)\n"), "%s",
		      ik_sb_str(&o));
	ck_assert_msg(strstr(ik_sb_str(&o), "  IKE_AUTH                    2          1\n"), "%s",
		      ik_sb_str(&o));
	ik_sb_reset(&o);
	ik_engine_show_v2_peer_stats(e, &a, true, &o);
	ck_assert_msg(strstr(ik_sb_str(&o), "\"vrf\":\"blue\""), "%s", ik_sb_str(&o));
	ck_assert_msg(strstr(ik_sb_str(&o), "\"received\":{\"IKE_SA_INIT\":0,\"IKE_AUTH\":2,"),
		      "%s", ik_sb_str(&o));
	ik_sb_free(&o);
	xn_free(&net);
}
END_TEST

/* show crypto isakmp peers detail, show crypto ikev2 stats peer A, clear
 * crypto statistics. */
START_TEST(show_and_clear)
{
	struct ik_sb out;
	struct ik_addr a = ik_addr_v4(R1_ADDR);
	const char *s;

	start(xn_read("etc/examples/seed-r1.conf"), xn_read("etc/examples/seed-r2.conf"), 1);
	initiate(0, "Tunnel1");
	xn_run(&net, 5000);
	ik_sb_init(&out);
	ik_engine_show_peers_detail(net.n[1].e, false, &out);
	s = ik_sb_str(&out);
	ck_assert_msg(strstr(s, "Peer: 192.168.0.1 Port: 500 Local: 192.168.0.2\n"
			     " Phase1 id: 192.168.0.1\n"
			     " IKE SAs: 1 IPSec SA bundles: 1\n"), "%s", s);
	ck_assert_msg(strstr(s, "  MM                          3          3\n"), "%s", s);
	ck_assert_msg(strstr(s, "  QM                          2          1\n"), "%s", s);
	ck_assert_msg(strstr(s, "  IKE SAs created: 1 deleted: 0  IPsec SAs created: 1 "
			     "deleted: 0\n"), "%s", s);
	ck_assert_msg(strstr(s, "  Last message received: 00:00:0"), "%s", s);
	ik_sb_reset(&out);
	ik_engine_show_peers_detail(net.n[1].e, true, &out);
	s = ik_sb_str(&out);
	ck_assert_msg(strstr(s, "\"peer\":\"192.168.0.1\""), "%s", s);
	ck_assert_msg(strstr(s, "\"received\":{\"MM\":3,\"AM\":0,\"QM\":2,\"INFO\":0"), "%s", s);
	ck_assert_msg(strstr(s, "\"sessions\":[{\"port\":500,\"local\":\"192.168.0.2\""), "%s", s);
	ck_assert_msg(strstr(s, "\"ike_sas_created\":1"), "%s", s);
	ck_assert(s[0] == '[' && s[strlen(s) - 2] == ']');
	ik_sb_reset(&out);
	ik_engine_show_v2_peer_stats(net.n[1].e, &a, false, &out);
	s = ik_sb_str(&out);
	ck_assert_msg(strstr(s, "IKEv2 statistics of peer 192.168.0.1\n"), "%s", s);
	ck_assert_msg(strstr(s, "  IKE_SA_INIT                 0          0\n"), "%s", s);
	ik_sb_reset(&out);
	ik_engine_clear_peer_stats(net.n[1].e);
	ck_assert_uint_eq(sum(rec(1)->c.rx) + sum(rec(1)->c.tx), 0);
	ck_assert_uint_eq(rec(1)->c.ev[IK_PEER_SA_CREATED], 0);
	ck_assert_uint_eq(rec(1)->refs, 1); /* the SA still holds it */
	ik_engine_show_peers_detail(net.n[1].e, false, &out);
	s = ik_sb_str(&out);
	ck_assert_msg(strstr(s, "  MM                          0          0\n"), "%s", s);
	ck_assert_msg(strstr(s, "  Last message received: never  sent: never\n"), "%s", s);
	ik_sb_free(&out);
	xn_free(&net);
}
END_TEST

#define EXCH_V2_SA_INIT 34
#define SPOOF_BASE 0xc6336400u /* 198.51.100.0 */

/* n copies of the first message R1 sent (MM1 or IKE_SA_INIT) given to R2,
 * each from another address with another initiator SPI: they make no peer
 * record on R2, and show in its global counters only. */
static void spoof_flood(uint8_t exch, unsigned n)
{
	const struct xmsg *m = xn_sent(&net, 0, exch, 0);
	struct ik_engine *e = net.n[1].e;
	struct ik_engine_stats st0, st;
	uint8_t msg[XN_MAX_MSG];
	size_t len;

	ck_assert_ptr_nonnull(m);
	len = m->len;
	memcpy(msg, m->data, len);
	ik_engine_stats(e, &st0);
	for (uint32_t k = 0; k < n; k++) {
		ik_put32(msg, 0x5e000000u + k);
		xn_inject_from(&net, 1, SPOOF_BASE + k, 500, 500, msg, len);
	}
	ik_engine_stats(e, &st);
	ck_assert_uint_eq(st.rx_datagrams - st0.rx_datagrams, n);
	ck_assert_uint_eq(ik_peer_count(e), 0);
}

/* Spoofed MM1s from 200 sources while the real MM1 of R1 is on its way:
 * half-open SAs on R2, no record for any of them, during the flood and after
 * they expire; R1's record has its whole Main Mode (MM1 and MM2 counted
 * before R1 proved its address). */
START_TEST(spoofed_mm1_no_record)
{
	struct ik_engine_stats st;
	const struct ik_peer *p0, *p1;
	struct ik_addr a;

	start(xn_read("etc/examples/seed-r1.conf"), xn_read("etc/examples/seed-r2.conf"), 7);
	initiate(0, "Tunnel1");
	spoof_flood(IK_V1_EXCH_MM, 200);
	ik_engine_stats(net.n[1].e, &st);
	ck_assert_uint_eq(st.half_open, 200);
	xn_run(&net, 5000);
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(ik_peer_count(net.n[1].e), 1);
	p0 = rec(0);
	p1 = rec(1);
	ck_assert_uint_eq(p1->c.rx[IK_PX_V1_MM], 3);
	ck_assert_uint_eq(p1->c.tx[IK_PX_V1_MM], 3);
	ck_assert_uint_eq(p1->c.rx[IK_PX_V1_QM], 2);
	ck_assert_uint_eq(p1->c.ev[IK_PEER_SA_CREATED], 1);
	ck_assert_uint_eq(p1->c.ev[IK_PEER_RETRANSMIT], 0);
	ck_assert_uint_eq(sum(p0->c.tx), sum(p1->c.rx));
	ck_assert_uint_eq(sum(p1->c.tx), sum(p0->c.rx));
	a = ik_addr_v4(SPOOF_BASE + 5);
	ck_assert_ptr_null(ik_peer_find(net.n[1].e, &a, NULL));
	xn_run(&net, 200000); /* the spoofed half-open SAs give up */
	ik_engine_stats(net.n[1].e, &st);
	ck_assert_uint_eq(st.half_open, 0);
	ck_assert_uint_eq(ik_peer_count(net.n[1].e), 1);
	xn_free(&net);
}
END_TEST

/* The same in IKEv2: spoofed IKE_SA_INIT requests make no record; R1's
 * record on R2 counts its IKE_SA_INIT request and our response. */
START_TEST(spoofed_sa_init_no_record)
{
	struct ik_addr a1 = ik_addr_v4(R1_ADDR);
	const struct ik_peer *p0, *p1;

	start(xn_read("etc/examples/ikev2-r1.conf"), xn_read("etc/examples/ikev2-r2.conf"), 8);
	initiate(0, "Tunnel1");
	spoof_flood(EXCH_V2_SA_INIT, 200);
	xn_run(&net, 5000);
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(ik_peer_count(net.n[1].e), 1);
	p0 = rec(0);
	p1 = ik_peer_find(net.n[1].e, &a1, NULL);
	ck_assert_ptr_nonnull(p1);
	ck_assert_uint_eq(p1->c.rx[IK_PX_V2_SA_INIT], 1);
	ck_assert_uint_eq(p1->c.tx[IK_PX_V2_SA_INIT], 1);
	ck_assert_uint_eq(p1->c.rx[IK_PX_V2_AUTH], 1);
	ck_assert_uint_eq(sum(p0->c.tx), sum(p1->c.rx));
	ck_assert_uint_eq(sum(p1->c.tx), sum(p0->c.rx));
	xn_free(&net);
}
END_TEST

/* A real peer whose answers are lost at first: R2 keeps no record of it
 * until its MM3 (or IKE_AUTH) arrives, then the record has every message
 * of the opening exchange, R1's retransmissions and R2's answers to them
 * included. _i: 1 = IKEv1, 2 = IKEv2. */
START_TEST(retransmitted_before_proof)
{
	const struct ik_peer *p0, *p1;
	struct ik_engine_stats st;
	bool v2 = _i == 2;
	enum ik_peer_xchg first = v2 ? IK_PX_V2_SA_INIT : IK_PX_V1_MM;

	start(xn_read(v2 ? "etc/examples/ikev2-r1.conf" : "etc/examples/seed-r1.conf"),
	      xn_read(v2 ? "etc/examples/ikev2-r2.conf" : "etc/examples/seed-r2.conf"), 9);
	net.blackhole[0] = true; /* what R2 sends is lost */
	initiate(0, "Tunnel1");
	xn_run(&net, 4500);
	ck_assert_uint_eq(ik_peer_count(net.n[1].e), 0);
	ik_engine_stats(net.n[1].e, &st);
	ck_assert_uint_eq(st.half_open, 1);
	net.blackhole[0] = false;
	xn_run(&net, 60000);
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(net.n[1].nup, 1);
	p0 = rec(0);
	p1 = rec(1);
	/* nothing sent to R2 was lost: it counted all R1 sent */
	ck_assert_uint_eq(sum(p0->c.tx), sum(p1->c.rx));
	ck_assert_uint_ge(p1->c.rx[first], 2);
	ck_assert_uint_eq(p1->c.rx[first], p0->c.tx[first]);
	ck_assert_uint_gt(p1->c.tx[first], p0->c.rx[first]);
	ck_assert_uint_eq(p1->c.ev[IK_PEER_SA_CREATED], 1);
	xn_free(&net);
}
END_TEST

/* Aggressive Mode, R1 initiating, R2's first AM2 lost: R2 has no record of
 * R1 until AM3, then one with the whole exchange (AM1 and its retransmission,
 * every AM2, AM3) under AM, none under MM. */
START_TEST(aggressive_mode_counts)
{
	char *t1 = xn_replace(xn_read("etc/examples/seed-r1.conf"),
			      "   match identity address 192.168.0.2 255.255.255.255 !R2\n",
			      "   match identity address 192.168.0.2 255.255.255.255 !R2\n"
			      "   initiate mode aggressive\n");
	const struct ik_peer *p0, *p1;

	start(t1, xn_read("etc/examples/seed-r2.conf"), 11);
	net.drop_mask = 1u << 1; /* the 2nd datagram: R2's first AM2 */
	initiate(0, "Tunnel1");
	xn_deliver(&net);
	ck_assert_uint_eq(ik_peer_count(net.n[1].e), 0);
	xn_run(&net, 60000);
	ck_assert_uint_eq(net.n[0].nup, 1);
	p0 = rec(0);
	p1 = rec(1);
	/* all R1 sent reached R2; of what R2 sent, the first AM2 was lost */
	ck_assert_uint_eq(p1->c.rx[IK_PX_V1_AM], p0->c.tx[IK_PX_V1_AM]);
	ck_assert_uint_eq(p1->c.tx[IK_PX_V1_AM], p0->c.rx[IK_PX_V1_AM] + 1);
	ck_assert_uint_ge(p1->c.rx[IK_PX_V1_AM], 3); /* AM1 twice, AM3 */
	ck_assert_uint_ge(p1->c.tx[IK_PX_V1_AM], 2);
	ck_assert_uint_eq(p1->c.rx[IK_PX_V1_MM] + p1->c.tx[IK_PX_V1_MM], 0);
	ck_assert_uint_eq(p1->c.ev[IK_PEER_SA_CREATED], 1);
	ck_assert_uint_eq(sum(p0->c.tx), sum(p1->c.rx));
	xn_free(&net);
}
END_TEST

/* The IKE SA of side `side` in IKEv2 READY (one expected). */
static struct ik_v2_ike_sa *v2_ready(int side)
{
	struct ik_engine *e = net.n[side].e;
	struct ik_v2_ike_sa *found = NULL;

	for (struct ik_v2_ike_sa *s = e->v2 ? e->v2->sas : NULL; s; s = s->next)
		if (!s->dead && s->state == IKEV2_READY) {
			ck_assert_ptr_null(found);
			found = s;
		}
	ck_assert_ptr_nonnull(found);
	return found;
}

/* An IKEv2 IKE SA rekeyed by R1: on R2 (the rekey's responder) the new SA
 * holds R1's record as the old one did, and the record counts both SAs. */
START_TEST(ikev2_rekey_holds_record)
{
	struct ik_addr a1 = ik_addr_v4(R1_ADDR);
	struct ik_v2_ike_sa *s0;
	const struct ik_peer *p1;

	start(xn_read("etc/examples/ikev2-r1.conf"), xn_read("etc/examples/ikev2-r2.conf"), 12);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	ck_assert_uint_eq(net.n[0].nup, 1);
	s0 = v2_ready(0);
	ik_v2_sa_timer(s0, &s0->live->t_rekey, net.now);
	xn_run(&net, 3000);
	ck_assert(v2_ready(1)->sa.peer != NULL);
	p1 = ik_peer_find(net.n[1].e, &a1, NULL);
	ck_assert_ptr_nonnull(p1);
	ck_assert_uint_eq(p1->c.ev[IK_PEER_SA_CREATED], 2);
	ck_assert_uint_eq(p1->c.ev[IK_PEER_SA_DELETED], 1);
	ck_assert_uint_eq(p1->refs, 1);
	xn_free(&net);
}
END_TEST

static Suite *peers_suite(void)
{
	Suite *s = suite_create("peers");
	TCase *tc = tcase_create("counters");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, clean_exchange);
	tcase_add_loop_test(tc, lost_message, 1, 10);
	tcase_add_test(tc, wrong_key);
	tcase_add_test(tc, tampered_hash);
	tcase_add_test(tc, bounded_table);
	tcase_add_test(tc, show_and_clear);
	tcase_add_test(tc, vrf_and_ipv6_keys);
	tcase_add_test(tc, ikev2_exchange);
	tcase_add_test(tc, spoofed_mm1_no_record);
	tcase_add_test(tc, spoofed_sa_init_no_record);
	tcase_add_loop_test(tc, retransmitted_before_proof, 1, 3);
	tcase_add_test(tc, aggressive_mode_counts);
	tcase_add_test(tc, ikev2_rekey_holds_record);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(peers_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
