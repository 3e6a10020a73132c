/* Every security check of the IKEv1 exchanges, proved by an attack that it
 * refuses: two engines back to back (test_exchange_harness), with one message
 * changed before it is encrypted (a payload substituted, one bit of a HASH
 * flipped), changed on the wire, replayed, or forged from another address.
 * Each test checks the IOS line the receiver prints and that no SA results.
 * tests/mutation.sh switches each check off in turn (src/util/mutant.h) and
 * requires a test here or in test_exchange to fail: the test named in the
 * comment above each one is the one that kills that mutant. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/v1_msg.h"
#include "test_exchange_harness.h"
#include "util/strbuf.h"
#include "util/util.h"

#define R1_ADDR 0xc0a80001u /* 192.168.0.1 */
#define R2_ADDR 0xc0a80002u /* 192.168.0.2 */
#define EVIL_ADDR 0xc6336442u /* 198.51.100.66 */
#define NAT_ADDR 0xcb00710au /* 203.0.113.10 */

static struct xnet net;

static char *r1_text(void)
{
	return xn_read("etc/examples/seed-r1.conf");
}

static char *r2_text(void)
{
	return xn_read("etc/examples/seed-r2.conf");
}

static void start(char *t1, char *t2, uint64_t seed)
{
	struct ik_config *c1 = xn_load(t1, "r1.conf"), *c2 = xn_load(t2, "r2.conf");

	free(t1);
	free(t2);
	xn_init(&net, c1, R1_ADDR, c2, R2_ADDR, seed, NULL);
}

#define EXPECT_ORDER(node, ...)                                                         \
	do {                                                                            \
		const char *const lines_[] = { __VA_ARGS__ };                     \
		const char *miss_ = xn_in_order((node), lines_,                          \
						sizeof(lines_) / sizeof(*lines_));       \
		if (miss_)                                                              \
			xn_dump(node);                                                     \
		ck_assert_msg(!miss_, "%s: trace line missing or out of order: \"%s\"", \
			      (node)->name, miss_ ? miss_ : "");                        \
	} while (0)

#define EXPECT_NONE(node, s)                                                            \
	do {                                                                            \
		if (xn_find((node), 0, (s)) >= 0)                                       \
			xn_dump(node);                                                     \
		ck_assert_msg(xn_find((node), 0, (s)) < 0, "%s: unexpected trace line \"%s\"", \
			      (node)->name, (s));                                       \
	} while (0)

static void initiate(int side, const char *ifname)
{
	struct ik_sb err;

	ik_sb_init(&err);
	ck_assert_msg(ik_engine_initiate(net.n[side].e, ifname, &err) == 0, "%s", ik_sb_str(&err));
	ik_sb_free(&err);
}

static void stats(int side, struct ik_engine_stats *st)
{
	ik_engine_stats(net.n[side].e, st);
}

/* No child SA anywhere, and no established phase 1 except on the sides in
 * p1_up_mask (bit i: side i; the responder completes phase 1 before MM6 is
 * checked by the initiator, and Quick Mode failures leave phase 1 up). */
static void expect_no_sa(unsigned p1_up_mask)
{
	struct ik_engine_stats st;

	if (net.n[0].ups + net.n[1].ups) {
		xn_dump(&net.n[0]);
		xn_dump(&net.n[1]);
	}
	ck_assert_uint_eq(net.n[0].ups, 0);
	ck_assert_uint_eq(net.n[1].ups, 0);
	for (int i = 0; i < 2; i++) {
		stats(i, &st);
		ck_assert_uint_eq(st.child_sas, 0);
		if (!(p1_up_mask >> i & 1))
			ck_assert_uint_eq(st.isakmp_up, 0);
	}
}

static void expect_up(void)
{
	if (net.n[0].nup != 1 || net.n[1].nup != 1) {
		xn_dump(&net.n[0]);
		xn_dump(&net.n[1]);
	}
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(net.n[1].nup, 1);
}

/* Flips bit 0 of the first byte of a payload of the nth message of exch that
 * side `from` sends, before encryption. */
static void tamper_plain(int slot, int from, uint8_t exch, unsigned nth, uint8_t pl)
{
	net.tamper[slot] = (struct xtamper){ .on = true, .from = from, .exch = exch, .nth = nth,
					     .pl = pl, .mask = 0x01 };
}

/* ---- Main Mode authentication ---- */

/* Kills MM_HASH_I: HASH_I of MM5 with one bit flipped before encryption. */
START_TEST(mm_hash_i)
{
	start(r1_text(), r2_text(), 101);
	tamper_plain(0, 0, IK_V1_EXCH_MM, 1, IK_V1_PL_HASH);
	initiate(0, "Tunnel1");
	xn_run(&net, 120000);
	ck_assert_uint_eq(net.tamper[0].applied, 1);
	EXPECT_ORDER(&net.n[1], "ISAKMP:(1001): processing HASH payload. message ID = 0",
		     "\tnot authenticated",
		     "%CRYPTO-6-IKMP_AUTH_FAIL: Authentication method 1 failed with host "
		     "192.168.0.1",
		     "%CRYPTO-6-IKMP_MODE_FAILURE: Processing of Main mode failed with peer at "
		     "192.168.0.1");
	EXPECT_NONE(&net.n[1], "New State = IKE_P1_COMPLETE");
	expect_no_sa(0);
	xn_free(&net);
}
END_TEST

/* Kills MM_HASH_R: HASH_R of MM6 with one bit flipped before encryption. */
START_TEST(mm_hash_r)
{
	start(r1_text(), r2_text(), 102);
	tamper_plain(0, 1, IK_V1_EXCH_MM, 1, IK_V1_PL_HASH);
	initiate(0, "Tunnel1");
	xn_run(&net, 120000);
	ck_assert_uint_eq(net.tamper[0].applied, 1);
	EXPECT_ORDER(&net.n[0], "\tnot authenticated",
		     "%CRYPTO-6-IKMP_AUTH_FAIL: Authentication method 1 failed with host "
		     "192.168.0.2",
		     "%CRYPTO-6-IKMP_MODE_FAILURE: Processing of Main mode failed with peer at "
		     "192.168.0.2");
	EXPECT_NONE(&net.n[0], "New State = IKE_P1_COMPLETE");
	expect_no_sa(2);
	xn_free(&net);
}
END_TEST

/* The ID of MM5 replaced by another identity (192.168.0.9): HASH_I no longer
 * covers what was received. */
START_TEST(mm_id_substituted)
{
	static const uint8_t id[] = { IK_V1_ID_IPV4_ADDR, 17, 0x01, 0xf4, 192, 168, 0, 9 };

	start(r1_text(), r2_text(), 103);
	net.tamper[0] = (struct xtamper){ .on = true, .from = 0, .exch = IK_V1_EXCH_MM, .nth = 1,
					  .pl = IK_V1_PL_ID, .body = id, .body_len = sizeof(id) };
	initiate(0, "Tunnel1");
	xn_run(&net, 120000);
	EXPECT_ORDER(&net.n[1], "\taddress      : 192.168.0.9",
		     "%CRYPTO-6-IKMP_AUTH_FAIL: Authentication method 1 failed with host "
		     "192.168.0.1");
	expect_no_sa(0);
	xn_free(&net);
}
END_TEST

/* The same with an IPv6 identity (ID_IPV6_ADDR 2001:db8::9): the responder
 * reads it, prints it as IOS does, matches it against the profiles (none
 * has an IPv6 line) and still refuses the HASH. */
START_TEST(mm_id_ipv6_substituted)
{
	static const uint8_t id[] = { IK_V1_ID_IPV6_ADDR, 17, 0x01, 0xf4, 0x20, 0x01, 0x0d, 0xb8,
				      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9 };

	start(r1_text(), r2_text(), 104);
	net.tamper[0] = (struct xtamper){ .on = true, .from = 0, .exch = IK_V1_EXCH_MM, .nth = 1,
					  .pl = IK_V1_PL_ID, .body = id, .body_len = sizeof(id) };
	initiate(0, "Tunnel1");
	xn_run(&net, 120000);
	EXPECT_ORDER(&net.n[1], "\ttype         : 5", "\taddress      : 2001:DB8::9",
		     "ISAKMP:(0):: peer matches *none* of the profiles",
		     "%CRYPTO-6-IKMP_AUTH_FAIL: Authentication method 1 failed with host "
		     "192.168.0.1");
	expect_no_sa(0);
	xn_free(&net);
}
END_TEST

/* ---- Aggressive Mode authentication ---- */

/* R1 initiates in Aggressive Mode (its profile2 says so). */
static char *r1_am(char *t)
{
	return xn_replace(t, "   match identity address 192.168.0.2 255.255.255.255 !R2\n",
			  "   match identity address 192.168.0.2 255.255.255.255 !R2\n"
			  "   initiate mode aggressive\n");
}

/* Kills AM_HASH_R: HASH_R of AM2 (in clear) with one bit flipped on the wire. */
START_TEST(am_hash_r)
{
	start(r1_am(r1_text()), r2_text(), 105);
	net.tamper[0] = (struct xtamper){ .on = true, .from = 1, .exch = IK_V1_EXCH_AGGR,
					  .nth = 1, .wire = true, .pl = IK_V1_PL_HASH,
					  .mask = 0x01 };
	initiate(0, "Tunnel1");
	xn_run(&net, 120000);
	ck_assert_uint_ge(net.tamper[0].applied, 1);
	EXPECT_ORDER(&net.n[0], "\tnot authenticated",
		     "%CRYPTO-6-IKMP_AUTH_FAIL: Authentication method 1 failed with host "
		     "192.168.0.2",
		     "%CRYPTO-6-IKMP_MODE_FAILURE: Processing of Aggressive mode failed with peer "
		     "at 192.168.0.2");
	EXPECT_NONE(&net.n[0], "New State = IKE_P1_COMPLETE");
	expect_no_sa(0);
	xn_free(&net);
}
END_TEST

/* Kills AM_HASH_I: HASH_I of AM3 with one bit flipped before encryption. The
 * initiator is done once it sends AM3; the responder must not be. */
START_TEST(am_hash_i)
{
	start(r1_am(r1_text()), r2_text(), 106);
	tamper_plain(0, 0, IK_V1_EXCH_AGGR, 1, IK_V1_PL_HASH);
	initiate(0, "Tunnel1");
	xn_run(&net, 120000);
	ck_assert_uint_eq(net.tamper[0].applied, 1);
	EXPECT_ORDER(&net.n[1], "\tnot authenticated",
		     "%CRYPTO-6-IKMP_AUTH_FAIL: Authentication method 1 failed with host "
		     "192.168.0.1");
	EXPECT_NONE(&net.n[1], "New State = IKE_P1_COMPLETE");
	expect_no_sa(1);
	xn_free(&net);
}
END_TEST

/* ---- Quick Mode authentication ---- */

/* Kills QM_HASH1. */
START_TEST(qm_hash1)
{
	start(r1_text(), r2_text(), 111);
	tamper_plain(0, 0, IK_V1_EXCH_QM, 1, IK_V1_PL_HASH);
	initiate(0, "Tunnel1");
	xn_run(&net, 120000);
	ck_assert_uint_eq(net.tamper[0].applied, 1);
	EXPECT_ORDER(&net.n[1], "New State = IKE_P1_COMPLETE",
		     "phase 2 hash from 192.168.0.1 does not match",
		     "%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from 192.168.0.1 failed its sanity "
		     "check or is malformed");
	EXPECT_NONE(&net.n[1], "QM Responder gets spi");
	expect_no_sa(3);
	xn_free(&net);
}
END_TEST

/* Kills QM_HASH2. */
START_TEST(qm_hash2)
{
	start(r1_text(), r2_text(), 112);
	tamper_plain(0, 1, IK_V1_EXCH_QM, 1, IK_V1_PL_HASH);
	initiate(0, "Tunnel1");
	xn_run(&net, 120000);
	ck_assert_uint_eq(net.tamper[0].applied, 1);
	EXPECT_ORDER(&net.n[0], "phase 2 hash from 192.168.0.2 does not match",
		     "%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from 192.168.0.2 failed its sanity "
		     "check or is malformed");
	ck_assert_uint_eq(net.n[0].ups, 0);
	ck_assert_uint_eq(net.n[1].ups, 0);
	xn_free(&net);
}
END_TEST

/* Kills QM_HASH3: the initiator installs on QM2; the responder must not. */
START_TEST(qm_hash3)
{
	start(r1_text(), r2_text(), 113);
	tamper_plain(0, 0, IK_V1_EXCH_QM, 2, IK_V1_PL_HASH);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	ck_assert_uint_eq(net.tamper[0].applied, 1);
	EXPECT_ORDER(&net.n[1], "QM Responder gets spi",
		     "phase 2 hash from 192.168.0.1 does not match",
		     "%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from 192.168.0.1 failed its sanity "
		     "check or is malformed");
	EXPECT_NONE(&net.n[1], "IKE_QM_PHASE2_COMPLETE");
	ck_assert_uint_eq(net.n[1].ups, 0);
	xn_free(&net);
}
END_TEST

/* ---- informational exchanges: DELETE and DPD ---- */

/* Kills INFO_HASH: a DELETE of the IPsec SA whose HASH(1) does not verify
 * deletes nothing; the next, untouched one does. */
START_TEST(delete_bad_hash)
{
	start(r1_text(), r2_text(), 121);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_up();
	tamper_plain(0, 0, IK_V1_EXCH_INFO, 1, IK_V1_PL_HASH);
	ik_engine_clear(net.n[0].e, IK_CLEAR_SA, 0, 0);
	xn_deliver(&net);
	ck_assert_uint_eq(net.tamper[0].applied, 1);
	EXPECT_ORDER(&net.n[1], "informational exchange with a bad HASH ignored",
		     "%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from 192.168.0.1 failed its sanity "
		     "check or is malformed");
	EXPECT_NONE(&net.n[1], "processing DELETE payload");
	ck_assert_uint_eq(net.n[1].nup, 1);
	ck_assert_uint_eq(net.n[1].downs, 0);
	xn_free(&net);
}
END_TEST

/* Kills INFO_HASH: R_U_THERE with a bad HASH gets no R_U_THERE_ACK; the
 * initiator, hearing nothing, declares the peer dead. */
START_TEST(dpd_bad_hash)
{
	char *t1 = r1_text();

	t1 = xn_replace(t1, "crypto isakmp policy 10", "crypto isakmp keepalive 10 2\n"
			"crypto isakmp policy 10");
	start(t1, r2_text(), 122);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_up();
	tamper_plain(0, 0, IK_V1_EXCH_INFO, 0, IK_V1_PL_HASH);
	xn_run(&net, 60000);
	ck_assert_uint_ge(net.tamper[0].applied, 2);
	EXPECT_ORDER(&net.n[1], "informational exchange with a bad HASH ignored");
	EXPECT_NONE(&net.n[1], "DPD/R_U_THERE received");
	ck_assert_ptr_null(xn_sent(&net, 1, IK_V1_EXCH_INFO, 0));
	EXPECT_ORDER(&net.n[0], "declaring it dead");
	xn_free(&net);
}
END_TEST

/* Kills DELETE_SCOPE: R1, authenticated, sends a DELETE that names the
 * ISAKMP SA R2 is building with another peer (198.51.100.66): ignored. */
START_TEST(delete_other_peers_sa)
{
	const struct xmsg *mm1, *mm2 = NULL;
	uint8_t copy[XN_MAX_MSG], body[24];
	struct ik_engine_stats st;
	size_t n;

	start(r1_text(), r2_text(), 125);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_up();
	/* the other peer's exchange: an MM1 of its own (another initiator cookie) */
	mm1 = xn_sent(&net, 0, IK_V1_EXCH_MM, 0);
	ck_assert_ptr_nonnull(mm1);
	n = mm1->len;
	memcpy(copy, mm1->data, n);
	copy[0] ^= 0xff;
	xn_inject_from(&net, 1, EVIL_ADDR, 500, 500, copy, n);
	for (unsigned i = 0; i < net.nlog; i++)
		if (net.log[i].dst.addr == EVIL_ADDR)
			mm2 = &net.log[i];
	ck_assert_ptr_nonnull(mm2);
	stats(1, &st);
	ck_assert_uint_eq(st.isakmp_sas, 2);
	ik_put32(body, 1);
	body[4] = IK_V1_PROTO_ISAKMP;
	body[5] = 16;
	ik_put16(body + 6, 1);
	memcpy(body + 8, mm2->data, 16);
	net.tamper[0] = (struct xtamper){ .on = true, .from = 0, .exch = IK_V1_EXCH_INFO,
					  .nth = 1, .before_hash = true, .pl = IK_V1_PL_D,
					  .body = body, .body_len = sizeof(body) };
	ik_engine_clear(net.n[0].e, IK_CLEAR_ISAKMP, 0, 0);
	xn_deliver(&net);
	ck_assert_uint_eq(net.tamper[0].applied, 1);
	EXPECT_ORDER(&net.n[1], "processing DELETE payload",
		     "DELETE names the ISAKMP SA of another peer (198.51.100.66), ignored");
	EXPECT_NONE(&net.n[1], "P1 delete notify (in)");
	stats(1, &st);
	ck_assert_uint_eq(st.isakmp_sas, 2);
	xn_free(&net);
}
END_TEST

/* Kills DPD_REPLAY: R2 goes silent; a third party replays R2's last
 * R_U_THERE_ACK (authenticated, old sequence) and an R_U_THERE of R2's to
 * R1 every second. Neither is a sign of life: R1 declares R2 dead. */
START_TEST(dpd_replayed)
{
	char *t1 = r1_text(), *t2 = r2_text();
	const struct xmsg *m;
	uint8_t old[2][XN_MAX_MSG];
	size_t len[2] = { 0, 0 };

	t1 = xn_replace(t1, "crypto isakmp policy 10", "crypto isakmp keepalive 10 2\n"
			"crypto isakmp policy 10");
	t2 = xn_replace(t2, "crypto isakmp policy 10", "crypto isakmp keepalive 10 2\n"
			"crypto isakmp policy 10");
	start(t1, t2, 126);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_up();
	/* both sides idle: each asks R_U_THERE and answers the other's; keep
	 * R2's first two informational messages (one of each, in some order) */
	xn_run(&net, 30000);
	for (unsigned k = 0; k < 2; k++) {
		m = xn_sent(&net, 1, IK_V1_EXCH_INFO, k);
		ck_assert_ptr_nonnull(m);
		memcpy(old[k], m->data, m->len);
		len[k] = m->len;
	}
	EXPECT_ORDER(&net.n[0], "DPD/R_U_THERE received from peer 192.168.0.2",
		     "DPD/R_U_THERE_ACK received from peer 192.168.0.2");
	net.blackhole[1] = true;
	for (int i = 0; i < 90; i++) {
		xn_run(&net, 1000);
		for (int k = 0; k < 2; k++)
			xn_inject_from(&net, 0, R2_ADDR, 500, 500, old[k], len[k]);
	}
	EXPECT_ORDER(&net.n[0], "a replay", "declaring it dead");
	ck_assert_uint_eq(net.n[0].nup, 0);
	xn_free(&net);
}
END_TEST

/* An unencrypted informational exchange with the SA's cookies. */
static size_t plain_info(uint8_t *buf, const uint8_t *cky, uint8_t pl, const uint8_t *body,
			 size_t len)
{
	memcpy(buf, cky, 16);
	buf[16] = pl;
	buf[17] = 0x10;
	buf[18] = IK_V1_EXCH_INFO;
	buf[19] = 0;
	ik_put32(buf + 20, 0x01020304);
	ik_put32(buf + 24, (uint32_t)(IK_V1_HDR_LEN + 4 + len));
	buf[28] = 0;
	buf[29] = 0;
	ik_put16(buf + 30, (uint16_t)(4 + len));
	memcpy(buf + 32, body, len);
	return IK_V1_HDR_LEN + 4 + len;
}

/* Kills INFO_PLAIN: an unencrypted DELETE of the ISAKMP SA and of the IPsec
 * SA, from the peer's own address, deletes nothing. */
START_TEST(delete_unauthenticated)
{
	const struct xmsg *mm1;
	uint8_t cky[16], body[24], d[128];
	size_t n;
	struct ik_engine_stats st;

	start(r1_text(), r2_text(), 123);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_up();
	mm1 = xn_sent(&net, 1, IK_V1_EXCH_MM, 0); /* MM2: both cookies */
	ck_assert_ptr_nonnull(mm1);
	memcpy(cky, mm1->data, 16);
	ik_put32(body, 1);
	body[4] = IK_V1_PROTO_ISAKMP;
	body[5] = 16;
	ik_put16(body + 6, 1);
	memcpy(body + 8, cky, 16);
	n = plain_info(d, cky, IK_V1_PL_D, body, 24);
	xn_inject(&net, 0, d, n, 500);
	ik_put32(body, 1);
	body[4] = IK_V1_PROTO_ESP;
	body[5] = 4;
	ik_put16(body + 6, 1);
	ik_put32(body + 8, net.n[1].up[0].out.spi);
	n = plain_info(d, cky, IK_V1_PL_D, body, 12);
	xn_inject(&net, 0, d, n, 500);
	xn_deliver(&net);
	EXPECT_ORDER(&net.n[1],
		     "unauthenticated informational DELETE payload from the peer ignored",
		     "Notify has no hash. Rejected.",
		     "unauthenticated informational DELETE payload from the peer ignored",
		     "Notify has no hash. Rejected.");
	EXPECT_NONE(&net.n[1], "processing DELETE payload");
	ck_assert_uint_eq(net.n[1].nup, 1);
	ck_assert_uint_eq(net.n[1].downs, 0);
	stats(1, &st);
	ck_assert_uint_eq(st.isakmp_up, 1);
	xn_free(&net);
}
END_TEST

/* Kills INFO_PLAIN: an unencrypted R_U_THERE gets no answer. */
START_TEST(dpd_unauthenticated)
{
	const struct xmsg *mm2;
	uint8_t body[8 + 16 + 4], d[128];
	size_t n;
	unsigned sent;

	start(r1_text(), r2_text(), 124);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_up();
	mm2 = xn_sent(&net, 1, IK_V1_EXCH_MM, 0);
	ck_assert_ptr_nonnull(mm2);
	ik_put32(body, 1);
	body[4] = IK_V1_PROTO_ISAKMP;
	body[5] = 16;
	ik_put16(body + 6, IK_V1_N_R_U_THERE);
	memcpy(body + 8, mm2->data, 16);
	ik_put32(body + 24, 77);
	n = plain_info(d, mm2->data, IK_V1_PL_N, body, sizeof(body));
	sent = net.sent_by[1];
	xn_inject(&net, 0, d, n, 500);
	xn_deliver(&net);
	EXPECT_ORDER(&net.n[1], "processing NOTIFY R_U_THERE protocol 1",
		     "Notify has no hash. Rejected.");
	EXPECT_NONE(&net.n[1], "DPD/R_U_THERE received");
	ck_assert_uint_eq(net.sent_by[1], sent);
	xn_free(&net);
}
END_TEST

/* ---- wrong pre-shared key, each side ---- */

static unsigned count_lines(const struct xnode *n, const char *s)
{
	unsigned c = 0;

	for (long at = xn_find(n, 0, s); at >= 0; at = xn_find(n, (size_t)at + 1, s))
		c++;
	return c;
}

/* R2 holds another key for R1: MM5 decrypts to garbage. IOS's line, then the
 * hint naming the likely cause and the key used; MM4 is retransmitted at
 * most once after that. */
START_TEST(wrong_psk_responder)
{
	char *t2 = r2_text();

	t2 = xn_replace(t2, "pre-shared-key address 192.168.0.1 key cisco",
			"pre-shared-key address 192.168.0.1 key cisco2");
	start(r1_text(), t2, 131);
	initiate(0, "Tunnel1");
	xn_run(&net, 120000);
	EXPECT_ORDER(&net.n[1], "ISAKMP: reserved not zero on ID payload!",
		     "%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from 192.168.0.1 failed its sanity "
		     "check or is malformed",
		     "ISAKMP:(1001): MM5 from 192.168.0.1 did not decrypt to a valid message: the "
		     "pre-shared key probably differs from the peer's (this side used the key of "
		     "keyring keyring1, line 5)",
		     "MM5 from 192.168.0.1 did not decrypt: MM4 is not retransmitted any more");
	ck_assert_uint_le(count_lines(&net.n[1], "retransmitting phase 1 MM_KEY_EXCH..."), 1);
	expect_no_sa(0);
	xn_free(&net);
}
END_TEST

/* R1, the initiator, holds another key for R2 (in keyring2, which profile2
 * selects, K1): R2 cannot decrypt MM5 and says so. */
START_TEST(wrong_psk_initiator)
{
	char *t1 = r1_text();

	t1 = xn_replace(t1, "crypto keyring keyring2\n  pre-shared-key address 192.168.0.2 key "
			"cisco", "crypto keyring keyring2\n  pre-shared-key address 192.168.0.2 "
			"key cisco2");
	start(t1, r2_text(), 133);
	initiate(0, "Tunnel1");
	xn_run(&net, 120000);
	EXPECT_ORDER(&net.n[1], "ISAKMP: reserved not zero on ID payload!",
		     "ISAKMP:(1001): MM5 from 192.168.0.1 did not decrypt to a valid message: the "
		     "pre-shared key probably differs from the peer's (this side used the key of "
		     "keyring keyring1, line 5)");
	ck_assert_uint_le(count_lines(&net.n[1], "retransmitting phase 1 MM_KEY_EXCH..."), 1);
	expect_no_sa(0);
	xn_free(&net);
}
END_TEST

/* R2 initiates; R1, the responder, holds another key for R2 in the default
 * keyring (crypto isakmp key): the hint names that keyring. */
START_TEST(wrong_psk_default_keyring)
{
	char *t1 = r1_text();

	t1 = xn_replace(t1, "crypto isakmp policy 10", "crypto isakmp key wrong address "
			"192.168.0.2\n!\ncrypto isakmp policy 10");
	start(t1, r2_text(), 132);
	initiate(1, "Tunnel1");
	xn_run(&net, 120000);
	EXPECT_ORDER(&net.n[0], "%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from 192.168.0.2 failed "
		     "its sanity check or is malformed",
		     "ISAKMP:(1001): MM5 from 192.168.0.2 did not decrypt to a valid message: the "
		     "pre-shared key probably differs from the peer's (this side used the key of "
		     "keyring default, line");
	ck_assert_uint_le(count_lines(&net.n[0], "retransmitting phase 1 MM_KEY_EXCH..."), 1);
	expect_no_sa(0);
	xn_free(&net);
}
END_TEST

/* ---- replays ---- */

/* Kills QM_REPLAY: QM1 replayed after its node is gone (past the linger
 * time) is dropped as a duplicate M-ID, not answered. */
START_TEST(qm_replay_after_linger)
{
	const struct xmsg *qm1;
	uint8_t copy[XN_MAX_MSG];
	size_t n;
	unsigned sent;

	start(r1_text(), r2_text(), 141);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_up();
	qm1 = xn_sent(&net, 0, IK_V1_EXCH_QM, 0);
	ck_assert_ptr_nonnull(qm1);
	n = qm1->len;
	memcpy(copy, qm1->data, n);
	xn_run(&net, 200000);
	sent = net.sent_by[1];
	xn_inject(&net, 0, copy, n, 500);
	xn_deliver(&net);
	EXPECT_ORDER(&net.n[1], "phase 2 packet is a duplicate of a previous packet (M-ID");
	ck_assert_uint_eq(net.sent_by[1], sent);
	ck_assert_uint_eq(net.n[1].ups, 1);
	xn_free(&net);
}
END_TEST

/* Kills QM_DONE_REPLAY: QM1 and QM3 replayed while the completed node
 * lingers. */
START_TEST(qm_replay_done)
{
	const struct xmsg *qm;
	uint8_t copy[XN_MAX_MSG];
	unsigned sent;
	long at;

	start(r1_text(), r2_text(), 142);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_up();
	sent = net.sent_by[1];
	for (unsigned k = 0; k < 2; k++) {
		qm = xn_sent(&net, 0, IK_V1_EXCH_QM, k);
		ck_assert_ptr_nonnull(qm);
		memcpy(copy, qm->data, qm->len);
		at = (long)net.n[1].cap.n;
		xn_inject(&net, 0, copy, qm->len, 500);
		xn_deliver(&net);
		ck_assert_int_ge(xn_find(&net.n[1], (size_t)at, "phase 2 packet is a duplicate "
					 "of a previous packet (M-ID"), 0);
	}
	ck_assert_uint_eq(net.sent_by[1], sent);
	ck_assert_uint_eq(net.n[1].ups, 1);
	xn_free(&net);
}
END_TEST

/* ---- key exchange values ---- */

/* Kills MM_KE_LEN: a KE one byte short in MM3 is refused as malformed; the
 * SA waits for a good MM3. */
START_TEST(ke_wrong_length)
{
	uint8_t ke[127];

	memset(ke, 0x5a, sizeof(ke));
	start(r1_text(), r2_text(), 151);
	net.tamper[0] = (struct xtamper){ .on = true, .from = 0, .exch = IK_V1_EXCH_MM, .nth = 2,
					  .wire = true, .pl = IK_V1_PL_KE, .body = ke,
					  .body_len = sizeof(ke) };
	initiate(0, "Tunnel1");
	xn_run(&net, 500);
	ck_assert_uint_eq(net.tamper[0].applied, 1);
	EXPECT_ORDER(&net.n[1], "KE payload at offset 28: length 127 != 128 for group 2",
		     "%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from 192.168.0.1 failed its sanity "
		     "check or is malformed");
	EXPECT_NONE(&net.n[1], "New State = IKE_R_MM4");
	expect_no_sa(0);
	xn_free(&net);
}
END_TEST

static const uint8_t modp1024_p[128] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc9, 0x0f, 0xda, 0xa2,
	0x21, 0x68, 0xc2, 0x34, 0xc4, 0xc6, 0x62, 0x8b, 0x80, 0xdc, 0x1c, 0xd1,
	0x29, 0x02, 0x4e, 0x08, 0x8a, 0x67, 0xcc, 0x74, 0x02, 0x0b, 0xbe, 0xa6,
	0x3b, 0x13, 0x9b, 0x22, 0x51, 0x4a, 0x08, 0x79, 0x8e, 0x34, 0x04, 0xdd,
	0xef, 0x95, 0x19, 0xb3, 0xcd, 0x3a, 0x43, 0x1b, 0x30, 0x2b, 0x0a, 0x6d,
	0xf2, 0x5f, 0x14, 0x37, 0x4f, 0xe1, 0x35, 0x6d, 0x6d, 0x51, 0xc2, 0x45,
	0xe4, 0x85, 0xb5, 0x76, 0x62, 0x5e, 0x7e, 0xc6, 0xf4, 0x4c, 0x42, 0xe9,
	0xa6, 0x37, 0xed, 0x6b, 0x0b, 0xff, 0x5c, 0xb6, 0xf4, 0x06, 0xb7, 0xed,
	0xee, 0x38, 0x6b, 0xfb, 0x5a, 0x89, 0x9f, 0xa5, 0xae, 0x9f, 0x24, 0x11,
	0x7c, 0x4b, 0x1f, 0xe6, 0x49, 0x28, 0x66, 0x51, 0xec, 0xe6, 0x53, 0x81,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

/* Kills DH_RANGE: a man in the middle replaces both KE values (MM3 and
 * MM4) by 0, 1 or p-1 (modp1024), which would make g^xy known; the
 * responder refuses the first with IOS's mode failure. */
START_TEST(ke_degenerate)
{
	uint8_t ke[128];

	memset(ke, 0, sizeof(ke));
	if (_i == 1)
		ke[127] = 1;
	else if (_i == 2) {
		memcpy(ke, modp1024_p, sizeof(ke));
		ke[127] = 0xfe;
	}
	start(r1_text(), r2_text(), 152 + (uint64_t)_i);
	for (int s = 0; s < 2; s++)
		net.tamper[s] = (struct xtamper){ .on = true, .from = s, .exch = IK_V1_EXCH_MM,
						  .nth = 2, .wire = true, .pl = IK_V1_PL_KE,
						  .body = ke, .body_len = sizeof(ke) };
	initiate(0, "Tunnel1");
	xn_run(&net, 120000);
	EXPECT_ORDER(&net.n[1], "invalid KE payload: public value out of range",
		     "%CRYPTO-6-IKMP_MODE_FAILURE: Processing of Main mode failed with peer at "
		     "192.168.0.1",
		     "deleting SA reason \"DH failed\"");
	expect_no_sa(0);
	xn_free(&net);
}
END_TEST

/* Invalid EC points in MM3 (groups 19 and 20): refused the same way (the
 * point check is OpenSSL's oct2point and ours). */
START_TEST(ke_invalid_ec_point)
{
	unsigned group = _i ? 20 : 19;
	size_t len = _i ? 96 : 64;
	uint8_t ke[96];
	char pol[64], *t1 = r1_text(), *t2 = r2_text();

	memset(ke, 0, sizeof(ke));
	ke[len / 2 - 1] = 1; /* (1, 1) is on neither curve */
	ke[len - 1] = 1;
	snprintf(pol, sizeof(pol), " group %u\n", group);
	t1 = xn_replace(t1, " group 2\n", pol);
	t2 = xn_replace(t2, " group 2\n", pol);
	start(t1, t2, 155 + (uint64_t)_i);
	net.tamper[0] = (struct xtamper){ .on = true, .from = 0, .exch = IK_V1_EXCH_MM, .nth = 2,
					  .wire = true, .pl = IK_V1_PL_KE, .body = ke,
					  .body_len = len };
	initiate(0, "Tunnel1");
	xn_run(&net, 120000);
	ck_assert_uint_eq(net.tamper[0].applied, 1);
	EXPECT_ORDER(&net.n[1], "invalid KE payload: point not on curve",
		     "%CRYPTO-6-IKMP_MODE_FAILURE: Processing of Main mode failed with peer at "
		     "192.168.0.1");
	expect_no_sa(0);
	xn_free(&net);
}
END_TEST

/* ---- source addresses ---- */

/* Kills SRC_ADDR: MM1 with the initiator cookie of a live SA, from another
 * address: dropped, no new SA, nothing sent, the SA untouched. */
START_TEST(mm1_live_cookie_other_address)
{
	const struct xmsg *mm1;
	uint8_t copy[XN_MAX_MSG];
	struct ik_engine_stats st;
	unsigned sent;

	start(r1_text(), r2_text(), 161);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_up();
	mm1 = xn_sent(&net, 0, IK_V1_EXCH_MM, 0);
	ck_assert_ptr_nonnull(mm1);
	memcpy(copy, mm1->data, mm1->len);
	sent = net.sent_by[1];
	xn_inject_from(&net, 1, EVIL_ADDR, 500, 500, copy, mm1->len);
	xn_inject_from(&net, 1, EVIL_ADDR, 4500, 4500, copy, mm1->len);
	xn_deliver(&net);
	EXPECT_ORDER(&net.n[1], "ISAKMP:(1001): unauthenticated message from 198.51.100.66 port "
		     "500 (dport 500) for the SA with 192.168.0.1 port 500, dropped",
		     "%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from 198.51.100.66 failed its "
		     "sanity check or is malformed",
		     "unauthenticated message from 198.51.100.66 port 4500 (dport 4500)");
	ck_assert_uint_eq(net.sent_by[1], sent);
	stats(1, &st);
	ck_assert_uint_eq(st.isakmp_sas, 1);
	ck_assert_uint_eq(st.isakmp_up, 1);
	xn_free(&net);
}
END_TEST

/* Kills SRC_ADDR: while R2 waits for MM3, a third party who saw the cookies
 * sends its own MM3 (another nonce) from elsewhere. It is dropped, and the
 * real MM3 (retransmitted) completes the exchange. */
START_TEST(mm3_from_other_address)
{
	const struct xmsg *mm3;
	uint8_t copy[XN_MAX_MSG];
	size_t n;

	start(r1_text(), r2_text(), 162);
	net.drop_mask = 1u << 2; /* the 3rd datagram: MM3 */
	initiate(0, "Tunnel1");
	xn_deliver(&net);
	mm3 = xn_sent(&net, 0, IK_V1_EXCH_MM, 1);
	ck_assert_ptr_nonnull(mm3);
	n = mm3->len;
	memcpy(copy, mm3->data, n);
	ck_assert_int_eq(xn_pl_flip(copy, n, IK_V1_PL_NONCE, 0, 3, 0x80), 0);
	xn_inject_from(&net, 1, EVIL_ADDR, 500, 500, copy, n);
	xn_run(&net, 10000);
	EXPECT_ORDER(&net.n[1], "unauthenticated message from 198.51.100.66 port 500 (dport 500) "
		     "for the SA with 192.168.0.1 port 500, dropped",
		     "New State = IKE_R_MM4");
	expect_up();
	xn_free(&net);
}
END_TEST

static char *natt_r1(void)
{
	char *t1 = r1_text();

	t1 = xn_replace(t1, " tunnel source Ethernet0/0\n", " tunnel source Ethernet0/0\n"
			" tunnel mode ipsec ipv4\n");
	return t1;
}

static char *natt_r2(void)
{
	char *t2 = r2_text();

	t2 = xn_replace(t2, " tunnel source Ethernet0/0\n", " tunnel source Ethernet0/0\n"
			" tunnel mode ipsec ipv4\n");
	t2 = xn_replace(t2, " tunnel destination 192.168.0.1", " tunnel destination 203.0.113.10");
	t2 = xn_replace(t2, "pre-shared-key address 192.168.0.1 key cisco",
			"pre-shared-key address 203.0.113.10 key cisco");
	t2 = xn_replace(t2, "crypto isakmp policy 10", "crypto isakmp keepalive 10 2\n"
			"crypto isakmp policy 10");
	return t2;
}

static bool show_has(int side, const char *s)
{
	struct ik_sb sb;
	bool r;

	ik_sb_init(&sb);
	ik_engine_show_isakmp_sa(net.n[side].e, false, false, &sb);
	r = strstr(ik_sb_str(&sb), s) != NULL;
	ik_sb_free(&sb);
	return r;
}

/* Kills ENDPOINT_AUTH: R1 behind a NAT; a third party sends
 * R2, on 4500, a datagram with the live SA's cookies (garbage body), and
 * replays a real encrypted DPD message of R1 from its own address. R2's SA
 * stays with the NAT's address and port, and DPD keeps working. */
START_TEST(natt_endpoint_hijack)
{
	const struct xmsg *mm2, *info;
	uint8_t d[64], copy[XN_MAX_MSG];
	size_t n, mark;

	start(natt_r1(), natt_r2(), 171);
	net.nat_addr = NAT_ADDR;
	net.nat_port500 = 1500;
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_up();
	ck_assert(show_has(1, "203.0.113.10"));
	mark = net.n[1].cap.n;
	mm2 = xn_sent(&net, 1, IK_V1_EXCH_MM, 0);
	ck_assert_ptr_nonnull(mm2);
	memcpy(d, mm2->data, 16);
	d[16] = IK_V1_PL_HASH;
	d[17] = 0x10;
	d[18] = IK_V1_EXCH_INFO;
	d[19] = IK_V1_FLAG_ENC;
	ik_put32(d + 20, 0x11223344);
	ik_put32(d + 24, sizeof(d));
	for (size_t i = IK_V1_HDR_LEN; i < sizeof(d); i++)
		d[i] = (uint8_t)(i * 37);
	xn_inject_from(&net, 1, EVIL_ADDR, 4500, 4500, d, sizeof(d));
	xn_deliver(&net);
	ck_assert(show_has(1, "203.0.113.10"));
	ck_assert(!show_has(1, "198.51.100.66"));
	/* R2's DPD (keepalive 10) is answered by R1: a real R_U_THERE_ACK exists */
	xn_run(&net, 15000);
	info = xn_sent(&net, 0, IK_V1_EXCH_INFO, 0);
	ck_assert_ptr_nonnull(info);
	n = info->len;
	memcpy(copy, info->data, n);
	xn_inject_from(&net, 1, EVIL_ADDR, 4500, 4500, copy, n);
	xn_deliver(&net);
	ck_assert(!show_has(1, "198.51.100.66"));
	ck_assert_int_lt(xn_find(&net.n[1], mark, "peer moved"), 0);
	xn_run(&net, 60000);
	EXPECT_NONE(&net.n[1], "declaring it dead");
	ck_assert_uint_eq(net.n[1].nup, 1);
	xn_free(&net);
}
END_TEST

/* The NAT mapping of R1 changes: R2 follows it once a message from the new
 * port authenticates (a new Quick Mode), not on the DELETE before it. */
START_TEST(natt_rebinding_follows_authenticated)
{
	start(natt_r1(), natt_r2(), 172);
	net.nat_addr = NAT_ADDR;
	net.nat_port500 = 1500;
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_up();
	net.nat_port500 = 2500;
	ik_engine_clear(net.n[0].e, IK_CLEAR_SA, 0, 0);
	xn_deliver(&net);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	EXPECT_ORDER(&net.n[1], "processing DELETE payload",
		     "ISAKMP:(1001): peer moved from 203.0.113.10 port 1501 to 203.0.113.10 port "
		     "2501 (dport 4500), authenticated");
	expect_up();
	ck_assert_uint_eq(net.n[1].up[0].encap_remote_port, 2501);
	xn_free(&net);
}
END_TEST

/* Aggressive Mode through the NAT: R1 floats to 4500 with AM3, which R2
 * follows once HASH_I has verified. */
START_TEST(natt_aggressive)
{
	start(r1_am(natt_r1()), natt_r2(), 173);
	net.nat_addr = NAT_ADDR;
	net.nat_port500 = 1500;
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	EXPECT_ORDER(&net.n[1], "ISAKMP:(1001): peer moved from 203.0.113.10 port 1500 to "
		     "203.0.113.10 port 1501 (dport 4500), authenticated",
		     "ISAKMP:(1001):SA has been authenticated with 203.0.113.10");
	expect_up();
	ck_assert(net.n[1].up[0].udp_encap);
	ck_assert_uint_eq(net.n[1].up[0].encap_remote_port, 1501);
	xn_free(&net);
}
END_TEST

/* Kills NATD_CMP: R1's NAT-D of its own address altered in MM3: R2 must see
 * a NAT in front of R1 (and not install a child SA without UDP
 * encapsulation). */
START_TEST(natd_mismatch)
{
	start(r1_text(), r2_text(), 181);
	net.tamper[0] = (struct xtamper){ .on = true, .from = 0, .exch = IK_V1_EXCH_MM, .nth = 2,
					  .wire = true, .pl = IK_V1_PL_NATD, .pl_nth = 1,
					  .mask = 0x01 };
	initiate(0, "Tunnel1");
	xn_run(&net, 3000);
	ck_assert_uint_eq(net.tamper[0].applied, 1);
	EXPECT_ORDER(&net.n[1], "ISAKMP (1001): NAT found, the node outside NAT");
	EXPECT_NONE(&net.n[1], "No NAT Found for self or peer");
	for (unsigned i = 0; i < net.n[1].nup; i++)
		ck_assert(net.n[1].up[i].udp_encap);
	xn_free(&net);
}
END_TEST

/* ---- policy ---- */

/* Kills QM_PFS_GROUP: R1 asks for PFS with modp768; R2's
 * profile sets no PFS and no isakmp policy uses group 1: refused with IOS's
 * lines. group 2, which R2's isakmp policy uses, is taken. */
START_TEST(qm_pfs_group_not_set)
{
	char *t1 = r1_text();

	t1 = xn_replace(t1, " set transform-set TS\n", _i ? " set transform-set TS\n set pfs "
			"group2\n" : " set transform-set TS\n set pfs group1\n");
	start(t1, r2_text(), 191 + (uint64_t)_i);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	if (_i) {
		expect_up();
		ck_assert_uint_eq(net.n[1].up[0].pfs_group, 2);
	} else {
		EXPECT_ORDER(&net.n[1], "ISAKMP:      group is 1",
			     "PFS group 1 offered: the IPsec profile sets none and no isakmp "
			     "policy uses it", "atts are not acceptable.",
			     "phase 2 SA policy not acceptable! (local 192.168.0.2 remote "
			     "192.168.0.1)");
		expect_no_sa(3);
	}
	xn_free(&net);
}
END_TEST

/* ---- reflection ---- */

/* An MM1 from a spoofed source gets one MM2, never retransmitted; a lost MM2
 * to a real initiator is resent when its MM1 is. */
START_TEST(mm2_not_retransmitted)
{
	const struct xmsg *mm1;
	uint8_t copy[XN_MAX_MSG];

	start(r1_text(), r2_text(), 201);
	net.blackhole[1] = true;
	initiate(0, "Tunnel1");
	xn_deliver(&net);
	mm1 = xn_sent(&net, 0, IK_V1_EXCH_MM, 0);
	ck_assert_ptr_nonnull(mm1);
	memcpy(copy, mm1->data, mm1->len);
	xn_inject_from(&net, 1, EVIL_ADDR, 500, 500, copy, mm1->len);
	xn_run(&net, 100000);
	ck_assert_uint_eq(net.sent_by[1], 1);
	xn_free(&net);

	start(r1_text(), r2_text(), 202);
	net.drop_mask = 1u << 1; /* MM2 */
	initiate(0, "Tunnel1");
	xn_run(&net, 10000);
	EXPECT_ORDER(&net.n[1], "phase 1 packet is a duplicate of a previous packet.",
		     "retransmitting due to retransmit phase 1");
	expect_up();
	xn_free(&net);
}
END_TEST

/* ---- identities ---- */

/* MM5 with an identity of type 4, 7 or 11: refused with a message that names
 * the type (the error text used to be an unset buffer). */
START_TEST(id_type_not_for_phase1)
{
	static const uint8_t subnet[] = { 4, 17, 0x01, 0xf4, 192, 168, 0, 0, 255, 255, 255, 0 };
	static const uint8_t range[] = { 7, 17, 0x01, 0xf4, 192, 168, 0, 1, 192, 168, 0, 9 };
	static const uint8_t keyid[] = { 11, 17, 0x01, 0xf4, 'k', 'e', 'y' };
	static const struct { const uint8_t *b; size_t n; const char *line; } c[] = {
		{ subnet, sizeof(subnet), "ID type 4 (ID_IPV4_ADDR_SUBNET) is not accepted as a "
		  "phase 1 identity" },
		{ range, sizeof(range), "ID type 7 (ID_IPV4_ADDR_RANGE) is not accepted as a "
		  "phase 1 identity" },
		{ keyid, sizeof(keyid), "ID type 11 (ID_KEY_ID) is not accepted as a phase 1 "
		  "identity" },
	};

	start(r1_text(), r2_text(), 211 + (uint64_t)_i);
	net.tamper[0] = (struct xtamper){ .on = true, .from = 0, .exch = IK_V1_EXCH_MM, .nth = 1,
					  .pl = IK_V1_PL_ID, .body = c[_i].b,
					  .body_len = c[_i].n };
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	EXPECT_ORDER(&net.n[1], "ISAKMP:(1001): processing ID payload. message ID = 0",
		     c[_i].line,
		     "%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from 192.168.0.1 failed its sanity "
		     "check or is malformed");
	expect_no_sa(0);
	xn_free(&net);
}
END_TEST

static Suite *trust_suite(void)
{
	Suite *s = suite_create("trust");
	TCase *tc = tcase_create("checks");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, mm_hash_i);
	tcase_add_test(tc, mm_hash_r);
	tcase_add_test(tc, mm_id_substituted);
	tcase_add_test(tc, mm_id_ipv6_substituted);
	tcase_add_test(tc, am_hash_r);
	tcase_add_test(tc, am_hash_i);
	tcase_add_test(tc, qm_hash1);
	tcase_add_test(tc, qm_hash2);
	tcase_add_test(tc, qm_hash3);
	tcase_add_test(tc, delete_bad_hash);
	tcase_add_test(tc, dpd_bad_hash);
	tcase_add_test(tc, delete_other_peers_sa);
	tcase_add_test(tc, dpd_replayed);
	tcase_add_test(tc, delete_unauthenticated);
	tcase_add_test(tc, dpd_unauthenticated);
	tcase_add_test(tc, wrong_psk_responder);
	tcase_add_test(tc, wrong_psk_initiator);
	tcase_add_test(tc, wrong_psk_default_keyring);
	tcase_add_test(tc, qm_replay_after_linger);
	tcase_add_test(tc, qm_replay_done);
	tcase_add_test(tc, ke_wrong_length);
	tcase_add_loop_test(tc, ke_degenerate, 0, 3);
	tcase_add_loop_test(tc, ke_invalid_ec_point, 0, 2);
	tcase_add_test(tc, mm1_live_cookie_other_address);
	tcase_add_test(tc, mm3_from_other_address);
	tcase_add_test(tc, natt_endpoint_hijack);
	tcase_add_test(tc, natt_rebinding_follows_authenticated);
	tcase_add_test(tc, natt_aggressive);
	tcase_add_test(tc, natd_mismatch);
	tcase_add_loop_test(tc, qm_pfs_group_not_set, 0, 2);
	tcase_add_test(tc, mm2_not_retransmitted);
	tcase_add_loop_test(tc, id_type_not_for_phase1, 0, 3);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(trust_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
