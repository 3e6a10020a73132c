/* IKEv1 exchanges between two engines in one process, on the seed's R1/R2
 * configurations (etc/examples/seed-r*.conf) and variants of them, with the
 * IOS trace lines of spec/selection-rules.md checked in order (rules cited
 * per test). Deterministic: fake clock, seeded RNGs. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_exchange_harness.h"
#include "util/addr.h"
#include "util/strbuf.h"

#define R1_ADDR 0xc0a80001u /* 192.168.0.1 */
#define R2_ADDR 0xc0a80002u /* 192.168.0.2 */

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

static void initiate(int side, const char *ifname)
{
	struct ik_sb err;

	ik_sb_init(&err);
	ck_assert_msg(ik_engine_initiate(net.n[side].e, ifname, &err) == 0, "%s", ik_sb_str(&err));
	ik_sb_free(&err);
}

/* Both sides hold one child each, and each one's outbound SA is the other's
 * inbound SA (same SPI, same keys). */
static void expect_pair(void)
{
	const struct ik_child_sa *a, *b;

	if (net.n[0].nup != 1 || net.n[1].nup != 1) {
		xn_dump(&net.n[0]);
		xn_dump(&net.n[1]);
	}
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(net.n[1].nup, 1);
	a = &net.n[0].up[0];
	b = &net.n[1].up[0];
	ck_assert_uint_eq(a->out.spi, b->in.spi);
	ck_assert_uint_eq(a->in.spi, b->out.spi);
	ck_assert_uint_gt(a->in.spi, 255);
	ck_assert_uint_gt(a->out.spi, 255);
	ck_assert(!memcmp(a->out.enc_key, b->in.enc_key, sizeof(a->out.enc_key)));
	ck_assert(!memcmp(a->out.auth_key, b->in.auth_key, sizeof(a->out.auth_key)));
	ck_assert(!memcmp(a->in.enc_key, b->out.enc_key, sizeof(a->in.enc_key)));
	ck_assert(!memcmp(a->in.auth_key, b->out.auth_key, sizeof(a->in.auth_key)));
	ck_assert(memcmp(a->in.enc_key, a->out.enc_key, sizeof(a->in.enc_key)));
	ck_assert(ik_addr_eq(&a->out.src, &b->in.src));
	ck_assert(ik_addr_eq(&a->out.dst, &b->in.dst));
	ck_assert_uint_eq(a->mode, b->mode);
	ck_assert_uint_eq(a->enc, b->enc);
	ck_assert_uint_eq(a->auth, b->auth);
	ck_assert_uint_eq(a->reqid, 2); /* Tunnel1 */
}

/* The seed, R1 initiates (K1, K3.6, P1, P2 pass): phase 1 and 2 complete. */
START_TEST(r1_initiates_success)
{
	struct ik_engine_stats st;

	start(r1_text(), r2_text(), 1);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_pair();
	ck_assert_uint_eq(net.n[0].up[0].enc, IK_ESP_AES);
	ck_assert_uint_eq(net.n[0].up[0].enc_keylen, 128);
	ck_assert_uint_eq(net.n[0].up[0].auth, IK_ESP_SHA256);
	ck_assert_uint_eq(net.n[0].up[0].mode, IK_MODE_TUNNEL);
	ck_assert_uint_eq(net.n[0].up[0].sel.proto, 47);
	ck_assert_uint_eq(net.n[0].up[0].sel.src.v4, R1_ADDR);
	ck_assert_uint_eq(net.n[0].up[0].sel.dst.v4, R2_ADDR);
	ck_assert_uint_eq(net.n[0].up[0].lifetime_sec, 3600);
	ck_assert_uint_eq(net.n[0].up[0].lifetime_kb, 4608000);
	ck_assert(!net.n[0].up[0].udp_encap);
	ik_engine_stats(net.n[0].e, &st);
	ck_assert_uint_eq(st.p1_done, 1);
	ck_assert_uint_eq(st.p2_done, 1);
	ck_assert_uint_eq(st.isakmp_up, 1);
	ck_assert_uint_eq(st.child_sas, 1);
	ik_engine_stats(net.n[1].e, &st);
	ck_assert_uint_eq(st.p1_done, 1);
	ck_assert_uint_eq(st.p2_done, 1);
	/* 9 messages: MM1..MM6, QM1..QM3 */
	ck_assert_uint_eq(net.sent, 9);
	/* The seed's R1 lines (K1, P3), in order. */
	XN_EXPECT_ORDER(&net.n[0],
		     "IPSEC(sa_request): ,",
		     "ISAKMP:(0): SA request profile is profile2",
		     " a peer struct for 192.168.0.2, peer port 500",
		     "ISAKMP: Locking peer struct 0x",
		     "ISAKMP: local port 500, remote port 500",
		     "ISAKMP: set new node 0 to QM_IDLE",
		     "ISAKMP:(0):insert sa successfully sa = ",
		     "ISAKMP:(0):Can not start Aggressive mode, trying Main mode.",
		     "ISAKMP:(0):Found ADDRESS key in keyring keyring2",
		     "ISAKMP:(0): constructed NAT-T vendor-rfc3947 ID",
		     "ISAKMP:(0): constructed NAT-T vendor-07 ID",
		     "ISAKMP:(0): constructed NAT-T vendor-03 ID",
		     "ISAKMP:(0): constructed NAT-T vendor-02 ID",
		     "ISAKMP:(0):Input = IKE_MESG_FROM_IPSEC, IKE_SA_REQ_MM",
		     "ISAKMP:(0):Old State = IKE_READY New State = IKE_I_MM1",
		     "ISAKMP:(0): beginning Main Mode exchange",
		     "ISAKMP:(0): sending packet to 192.168.0.2 my_port 500 peer_port 500 (I) "
		     "MM_NO_STATE",
		     "ISAKMP (0): received packet from 192.168.0.2 dport 500 sport 500 Global (I) "
		     "MM_NO_STATE",
		     "ISAKMP:(0):Input = IKE_MESG_FROM_PEER, IKE_MM_EXCH",
		     "ISAKMP:(0):Old State = IKE_I_MM1 New State = IKE_I_MM2",
		     "ISAKMP:(0): processing SA payload. message ID = 0",
		     "ISAKMP:(0): processing vendor id payload",
		     "ISAKMP:(0): vendor ID seems Unity/DPD but major 69 mismatch",
		     "ISAKMP (0): vendor ID is NAT-T RFC 3947",
		     "ISAKMP:(0):Found ADDRESS key in keyring keyring2",
		     "ISAKMP:(0): local preshared key found",
		     "ISAKMP : Looking for xauth in profile profile2",
		     "ISAKMP:(0):Checking ISAKMP transform 1 against priority 10 policy",
		     "ISAKMP:      encryption 3DES-CBC",
		     "ISAKMP:      hash MD5",
		     "ISAKMP:      default group 2",
		     "ISAKMP:      auth pre-share",
		     "ISAKMP:      life type in seconds",
		     "ISAKMP:      life duration (VPI) of  0x0 0x1 0x51 0x80",
		     "ISAKMP:(0):atts are acceptable. Next payload is 0",
		     "ISAKMP:(0):Fill atts in sa life_in_seconds:86400",
		     "ISAKMP:(0)::Started lifetime timer: 86400.",
		     "ISAKMP:(0):Old State = IKE_I_MM2 New State = IKE_I_MM2",
		     "ISAKMP:(0): sending packet to 192.168.0.2 my_port 500 peer_port 500 (I) "
		     "MM_SA_SETUP",
		     "ISAKMP (0): received packet from 192.168.0.2 dport 500 sport 500 Global (I) "
		     "MM_SA_SETUP",
		     "ISAKMP:(0):Old State = IKE_I_MM3 New State = IKE_I_MM4",
		     "ISAKMP:(0): processing KE payload. message ID = 0",
		     "ISAKMP:(0): processing NONCE payload. message ID = 0",
		     "ISAKMP:(0):Found ADDRESS key in keyring keyring2",
		     "ISAKMP:(1001): processing vendor id payload",
		     "ISAKMP:(1001): vendor ID is Unity",
		     "ISAKMP:(1001): vendor ID is DPD",
		     "ISAKMP:(1001): speaking to another IOS box!",
		     "ISAKMP:received payload type 20",
		     "ISAKMP (1001): His hash no match - this node outside NAT",
		     "ISAKMP:received payload type 20",
		     "ISAKMP (1001): No NAT Found for self or peer",
		     "ISAKMP:(1001):Old State = IKE_I_MM4 New State = IKE_I_MM4",
		     "ISAKMP:(1001):Send initial contact",
		     "ISAKMP:(1001):SA is doing pre-shared key authentication using id type "
		     "ID_IPV4_ADDR",
		     "ISAKMP (1001): ID payload",
		     "\taddress      : 192.168.0.1",
		     "\tprotocol     : 17",
		     "\tport         : 500",
		     "\tlength       : 12",
		     "ISAKMP:(1001):Total payload length: 12",
		     "ISAKMP:(1001): sending packet to 192.168.0.2 my_port 500 peer_port 500 (I) "
		     "MM_KEY_EXCH",
		     "ISAKMP (1001): received packet from 192.168.0.2 dport 500 sport 500 "
		     "Global (I) "
		     "MM_KEY_EXCH",
		     "ISAKMP:(1001): processing ID payload. message ID = 0",
		     "\taddress      : 192.168.0.2",
		     "ISAKMP:(1001): processing HASH payload. message ID = 0",
		     "ISAKMP:(1001):SA authentication status:",
		     "\tauthenticated",
		     "ISAKMP:(1001):SA has been authenticated with 192.168.0.2",
		     "ISAKMP AAA: Accounting is not enabled",
		     "ISAKMP:(1001):Old State = IKE_I_MM5 New State = IKE_I_MM6",
		     "ISAKMP:(1001):Old State = IKE_I_MM6 New State = IKE_I_MM6",
		     "ISAKMP:(1001):Old State = IKE_I_MM6 New State = IKE_P1_COMPLETE",
		     "ISAKMP:(1001):beginning Quick Mode exchange, M-ID of ",
		     "ISAKMP:(1001):Old State = IKE_QM_READY  New State = IKE_QM_I_QM1",
		     "ISAKMP:(1001):Old State = IKE_QM_I_QM1  New State = IKE_QM_PHASE2_COMPLETE",
		     "IPSEC(create_sa): sa created,");
	/* The seed's R2 lines (K3.6, P1, P2 pass). */
	XN_EXPECT_ORDER(&net.n[1],
		     "ISAKMP (0): received packet from 192.168.0.1 dport 500 sport 500 Global (N) "
		     "NEW SA",
		     "ISAKMP:(0):Old State = IKE_READY New State = IKE_R_MM1",
		     "ISAKMP:(0): processing SA payload. message ID = 0",
		     "ISAKMP (0): vendor ID is NAT-T RFC 3947",
		     "ISAKMP:(0):Checking ISAKMP transform 1 against priority 10 policy",
		     "ISAKMP:(0):atts are acceptable. Next payload is 0",
		     "ISAKMP:(0): constructed NAT-T vendor-rfc3947 ID",
		     "ISAKMP:(0): sending packet to 192.168.0.1 my_port 500 peer_port 500 (R) "
		     "MM_SA_SETUP",
		     "ISAKMP (0): received packet from 192.168.0.1 dport 500 sport 500 Global (R) "
		     "MM_SA_SETUP",
		     "ISAKMP:(0):Input = IKE_MESG_FROM_PEER, IKE_MM_EXCH",
		     "ISAKMP:(0):Old State = IKE_R_MM2 New State = IKE_R_MM3",
		     "ISAKMP:(0): processing KE payload. message ID = 0",
		     "ISAKMP:(0): processing NONCE payload. message ID = 0",
		     "ISAKMP:(0):found peer pre-shared key matching 192.168.0.1",
		     "ISAKMP:(1001): processing vendor id payload",
		     "ISAKMP:(1001): vendor ID is DPD",
		     "ISAKMP:(1001): speaking to another IOS box!",
		     "ISAKMP:(1001): vendor ID is XAUTH",
		     "ISAKMP (1001): No NAT Found for self or peer",
		     "ISAKMP:(1001):Old State = IKE_R_MM3 New State = IKE_R_MM3",
		     "ISAKMP:(1001): sending packet to 192.168.0.1 my_port 500 peer_port 500 (R) "
		     "MM_KEY_EXCH",
		     "ISAKMP (1001): received packet from 192.168.0.1 dport 500 sport 500 "
		     "Global (R) "
		     "MM_KEY_EXCH",
		     "ISAKMP:(1001):Old State = IKE_R_MM4 New State = IKE_R_MM5",
		     "ISAKMP:(1001): processing ID payload. message ID = 0",
		     "\taddress      : 192.168.0.1",
		     "ISAKMP:(0):: peer matches profile1 profile",
		     "ISAKMP:(1001):Found ADDRESS key in keyring keyring1",
		     "ISAKMP:(1001): processing HASH payload. message ID = 0",
		     "ISAKMP:(1001): processing NOTIFY INITIAL_CONTACT protocol 1",
		     "\tspi 0, message ID = 0, sa = 0x",
		     "ISAKMP:(1001):SA has been authenticated with 192.168.0.1",
		     "ISAKMP:(1001):SA is doing pre-shared key authentication using id type "
		     "ID_IPV4_ADDR",
		     "\taddress      : 192.168.0.2",
		     "ISAKMP:(1001): sending packet to 192.168.0.1 my_port 500 peer_port 500 (R) "
		     "MM_KEY_EXCH",
		     "ISAKMP:(1001):Input = IKE_MESG_INTERNAL, IKE_PROCESS_COMPLETE",
		     "ISAKMP:(1001):Old State = IKE_R_MM5 New State = IKE_P1_COMPLETE",
		     "ISAKMP:(1001):Checking IPsec proposal 1",
		     "ISAKMP: transform 1, ESP_AES ",
		     "ISAKMP:      encaps is 1 (Tunnel)",
		     "ISAKMP:      SA life type in seconds",
		     "ISAKMP:      SA life duration (basic) of 3600",
		     "ISAKMP:      SA life type in kilobytes",
		     "ISAKMP:      SA life duration (VPI) of  0x0 0x46 0x50 0x0",
		     "ISAKMP:      authenticator is HMAC-SHA256",
		     "ISAKMP:      key length is 128",
		     "ISAKMP:(1001):atts are acceptable.",
		     "IPSEC(validate_proposal_request): proposal part #1",
		     "ISAKMP:(1001):QM Responder gets spi",
		     "ISAKMP:(1001):Old State = IKE_QM_SPI_STARVE  New State = "
		     "IKE_QM_IPSEC_INSTALL_AWAIT",
		     "ISAKMP:(1001):Old State = IKE_QM_IPSEC_INSTALL_AWAIT  New State = "
		     "IKE_QM_R_QM2",
		     "ISAKMP:(1001):deleting node ",
		     "ISAKMP:(1001):Old State = IKE_QM_R_QM2  New State = IKE_QM_PHASE2_COMPLETE",
		     "IPSEC(create_sa): sa created,");
	xn_free(&net);
}
END_TEST

/* An initiate request for a tunnel whose IPsec SAs are up negotiates nothing
 * (the operator's ikerctl initiate on an up tunnel must not make a second pair). */
START_TEST(initiate_when_up_is_a_no_op)
{
	struct ik_sb err;
	unsigned sent;

	start(r1_text(), r2_text(), 1);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_pair();
	sent = net.sent;
	ik_sb_init(&err);
	ck_assert_int_eq(ik_engine_initiate(net.n[0].e, "Tunnel1", &err), 1);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&err), "already up"));
	ik_sb_free(&err);
	ik_engine_initiate_all(net.n[0].e);
	xn_run(&net, 1000);
	ck_assert_uint_eq(net.sent, sent);
	expect_pair();
}
END_TEST

/* The seed, R2 initiates: R1 (responder) picks keyring1 at MM3 (K3.6), R2's
 * identity matches profile2 whose keyring is keyring2: P2 fails with IOS's
 * lines; nothing comes up; both sides give up by retransmission. */
START_TEST(r2_initiates_p2_failure)
{
	struct ik_engine_stats st;

	start(r1_text(), r2_text(), 2);
	initiate(1, "Tunnel1");
	xn_run(&net, 200000);
	ck_assert_uint_eq(net.n[0].ups, 0);
	ck_assert_uint_eq(net.n[1].ups, 0);
	XN_EXPECT_ORDER(&net.n[1],
		     "ISAKMP:(0): SA request profile is profile1",
		     "ISAKMP:(0):Found ADDRESS key in keyring keyring1",
		     "ISAKMP:(0): sending packet to 192.168.0.1 my_port 500 peer_port 500 (I) "
		     "MM_SA_SETUP");
	XN_EXPECT_ORDER(&net.n[0],
		     "ISAKMP:(0):found peer pre-shared key matching 192.168.0.2",
		     "ISAKMP:(1001): speaking to another IOS box!",
		     "ISAKMP (1001): received packet from 192.168.0.2 dport 500 sport 500 "
		     "Global (R) "
		     "MM_KEY_EXCH",
		     "ISAKMP:(1001):Input = IKE_MESG_FROM_PEER, IKE_MM_EXCH",
		     "ISAKMP:(1001):Old State = IKE_R_MM4 New State = IKE_R_MM5",
		     "ISAKMP:(1001): processing ID payload. message ID = 0",
		     "\taddress      : 192.168.0.2",
		     "ISAKMP:(0):: peer matches profile2 profile",
		     "ISAKMP:(1001):Found ADDRESS key in keyring keyring2",
		     "ISAKMP:(1001): Key not found in keyrings of profile , aborting exchange",
		     "ISAKMP (1001): FSM action returned error: 2",
		     "deleting SA reason \"Death by retransmission P1\"");
	/* R1 never authenticated R2 nor sent MM6. */
	ck_assert_int_lt(xn_find(&net.n[0], 0, "SA has been authenticated"), 0);
	ck_assert_int_lt(xn_find(&net.n[0], 0, "New State = IKE_P1_COMPLETE"), 0);
	ck_assert_int_lt(xn_find(&net.n[0], 0, "New State = IKE_P1_COMPLETE"), 0);
	ik_engine_stats(net.n[0].e, &st);
	ck_assert_uint_eq(st.isakmp_sas, 0);
	ck_assert_uint_eq(st.p1_done, 0);
	ck_assert_uint_ge(st.p1_failed, 1);
	ik_engine_stats(net.n[1].e, &st);
	ck_assert_uint_eq(st.isakmp_sas, 0);
	ck_assert_uint_ge(st.p1_failed, 1);
	xn_free(&net);
}
END_TEST


/* K2: no ISAKMP profile anywhere on R1, a /24 in keyring1 and a /32 in
 * keyring2: the initiator takes the most specific key over all keyrings, and
 * at MM6 the peer matches none of the profiles; phase 1 and 2 complete. */
START_TEST(k2_no_profile)
{
	char *t1 = r1_text();

	t1 = xn_replace(t1, "crypto keyring keyring1\n  pre-shared-key address 192.168.0.2 key",
			"crypto keyring keyring1\n  pre-shared-key address 192.168.0.0 "
			"255.255.255.0 key");
	t1 = xn_replace(t1, "crypto isakmp profile profile1\n", "");
	t1 = xn_replace(t1, "   keyring keyring1\n   match identity address 192.168.0.102 "
			"255.255.255.255 !non existing host\n", "");
	t1 = xn_replace(t1, "crypto isakmp profile profile2\n", "");
	t1 = xn_replace(t1, "   keyring keyring2\n   match identity address 192.168.0.2 "
			"255.255.255.255 !R2\n", "");
	t1 = xn_replace(t1, " set isakmp-profile profile2\n", "");
	start(t1, r2_text(), 3);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	XN_EXPECT_ORDER(&net.n[0],
		     "ISAKMP:(0):key for 192.168.0.2 not available in default",
		     "ISAKMP:(0):key for 192.168.0.2 found in keyring1",
		     "ISAKMP:(0):ISAKMP: Selecting 192.168.0.0,255.255.255.0 as key",
		     "ISAKMP:(0):key for 192.168.0.2 found in keyring2",
		     "ISAKMP:(0):ISAKMP: Selecting 192.168.0.2,255.255.255.255 as final key",
		     "ISAKMP:(0):found peer pre-shared key matching 192.168.0.2",
		     "ISAKMP:(0):: peer matches *none* of the profiles",
		     "ISAKMP:(1001):SA has been authenticated with 192.168.0.2");
	expect_pair();
	xn_free(&net);
}
END_TEST

/* local-address (K1, K3): R2's keyring1, first in configuration order and
 * first in profile1, is bound to another local address and holds a wrong
 * key; keyring2 holds the right one. On 192.168.0.2 only keyring2 is
 * searched: as responder (R1 initiates) and as initiator (R2 initiates),
 * phase 1 and 2 complete. Without local-address both directions fail (K5). */
START_TEST(local_address_keyring_per_address)
{
	for (int side = 0; side < 2; side++) {
		char *t2 = r2_text();

		t2 = xn_replace(t2, "crypto keyring keyring1\n  pre-shared-key address 192.168.0.1 "
				"key cisco", "crypto keyring keyring1\n  local-address 192.168.0.99\n"
				"  pre-shared-key address 192.168.0.1 key wrong");
		t2 = xn_replace(t2, "   keyring keyring1\n", "   keyring keyring1\n"
				"   keyring keyring2\n");
		/* R1 accepts R2's sessions (its profile2 lists keyring1 too) */
		char *t1 = xn_replace(r1_text(), "   keyring keyring2\n",
				      "   keyring keyring1\n   keyring keyring2\n");

		start(t1, t2, 6 + (uint64_t)side);
		initiate(side, "Tunnel1");
		xn_run(&net, 1000);
		if (side == 0)
			XN_EXPECT_ORDER(&net.n[1],
				     "ISAKMP:(0):key for 192.168.0.1 not available in default",
				     "ISAKMP:(0):key for 192.168.0.1 found in keyring2",
				     "ISAKMP:(0):found peer pre-shared key matching 192.168.0.1",
				     "ISAKMP:(0):: peer matches profile1 profile",
				     "ISAKMP:(1001):Found ADDRESS key in keyring keyring2");
		else
			XN_EXPECT_ORDER(&net.n[1],
				     "ISAKMP:(0): SA request profile is profile1",
				     "ISAKMP:(0):Found ADDRESS key in keyring keyring2");
		expect_pair();
		xn_free(&net);
	}
}
END_TEST

/* K3 at MM3 on the responder: debug crypto isakmp prints the outcome ("found
 * peer pre-shared key matching"); the walk over the keyrings ("not available
 * in default", "found in keyring1", "Selecting ... as final key") is debug
 * crypto isakmp detail, as in the seed's captures. */
START_TEST(debug_isakmp_vs_detail)
{
	for (int detail = 0; detail < 2; detail++) {
		start(r1_text(), r2_text(), 1);
		net.n[1].log.debug_mask = IK_DBG_ISAKMP | IK_DBG_IPSEC |
					  (detail ? IK_DBG_ISAKMP_DETAIL : 0);
		initiate(0, "Tunnel1");
		xn_run(&net, 1000);
		expect_pair();
		XN_EXPECT_ORDER(&net.n[1], "ISAKMP:(0): processing NONCE payload. message ID = 0",
			     "ISAKMP:(0):found peer pre-shared key matching 192.168.0.1",
			     "ISAKMP:(0):: peer matches profile1 profile",
			     "ISAKMP:(1001):Found ADDRESS key in keyring keyring1");
		if (detail) {
			XN_EXPECT_ORDER(&net.n[1],
				     "ISAKMP:(0):key for 192.168.0.1 not available in default",
				     "ISAKMP:(0):key for 192.168.0.1 found in keyring1",
				     "ISAKMP:(0):ISAKMP: Selecting 192.168.0.1,255.255.255.255 as "
				     "final key",
				     "ISAKMP:(0):found peer pre-shared key matching 192.168.0.1");
		} else {
			ck_assert_int_lt(xn_find(&net.n[1], 0, "not available in default"), 0);
			ck_assert_int_lt(xn_find(&net.n[1], 0, "found in keyring"), 0);
			ck_assert_int_lt(xn_find(&net.n[1], 0, "Selecting "), 0);
		}
		xn_free(&net);
	}
}
END_TEST

/* debug crypto condition peer ipv4 A: R2 prints the lines of its exchange
 * with R1 only while R1's address is in its condition set; R1, without a
 * condition, prints everything. */
START_TEST(debug_condition_peer)
{
	for (int match = 0; match < 2; match++) {
		struct ik_dbg_cond cond = { 0 };

		start(r1_text(), r2_text(), 1);
		ck_assert_int_eq(ik_dbg_cond_add(&cond, match ? R1_ADDR : 0xc0a80009u), 0);
		net.n[1].log.cond = &cond;
		initiate(0, "Tunnel1");
		xn_run(&net, 1000);
		expect_pair();
		ck_assert_int_ge(xn_find(&net.n[0], 0, "IKE_P1_COMPLETE"), 0);
		if (match) {
			XN_EXPECT_ORDER(&net.n[1], "ISAKMP (0): received packet from 192.168.0.1",
				     "ISAKMP:(1001):Old State = IKE_R_MM5 New State = "
				     "IKE_P1_COMPLETE",
				     "IPSEC(create_sa): sa created,");
		} else {
			if (net.n[1].cap.n)
				xn_dump(&net.n[1]);
			ck_assert_uint_eq(net.n[1].cap.n, 0);
		}
		xn_free(&net);
	}
}
END_TEST

/* K4: a global key for 0.0.0.0 on the responder is searched before the
 * keyrings; same key text, but the default keyring is not profile1's: P2
 * fails on R2. */
START_TEST(k4_default_key_shadows)
{
	char *t2 = r2_text();

	t2 = xn_replace(t2, "crypto isakmp policy 10", "crypto isakmp key cisco address 0.0.0.0 "
			"0.0.0.0\n!\ncrypto isakmp policy 10");
	start(r1_text(), t2, 4);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	ck_assert_uint_eq(net.n[0].ups + net.n[1].ups, 0);
	XN_EXPECT_ORDER(&net.n[1],
		     "ISAKMP:(0):found peer pre-shared key matching 192.168.0.1",
		     "ISAKMP:(0):: peer matches profile1 profile",
		     "ISAKMP:(1001): Key not found in keyrings of profile , aborting exchange",
		     "ISAKMP (1001): FSM action returned error: 2");
	xn_free(&net);
}
END_TEST

/* K5: different keys: MM5 decrypts to garbage on the responder. */
START_TEST(k5_different_keys)
{
	char *t2 = r2_text();

	t2 = xn_replace(t2, "pre-shared-key address 192.168.0.1 key cisco",
			"pre-shared-key address 192.168.0.1 key cisco2");
	start(r1_text(), t2, 5);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	ck_assert_uint_eq(net.n[0].ups + net.n[1].ups, 0);
	XN_EXPECT_ORDER(&net.n[1],
		     "ISAKMP (1001): received packet from 192.168.0.1 dport 500 sport 500 Global "
		     "(R) MM_KEY_EXCH",
		     "ISAKMP: reserved not zero on ID payload!",
		     "%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from 192.168.0.1 failed its sanity "
		     "check or is malformed");
	ck_assert_int_lt(xn_find(&net.n[1], 0, "Old State = IKE_R_MM4 New State = IKE_R_MM5"), 0);
	xn_free(&net);
}
END_TEST

/* P4: R2's IPsec profile names profile2, which holds the right keyring too:
 * phase 1 completes (P1 picks profile1), Quick Mode is refused with IOS's
 * lines and an encrypted PROPOSAL_NOT_CHOSEN. */
START_TEST(p4_wrong_profile)
{
	char *t2 = r2_text();

	t2 = xn_replace(t2, "   keyring keyring2\n   match identity address 192.168.0.100",
			"   keyring keyring1\n   match identity address 192.168.0.100");
	t2 = xn_replace(t2, " set isakmp-profile profile1", " set isakmp-profile profile2");
	start(r1_text(), t2, 6);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	ck_assert_uint_eq(net.n[0].ups + net.n[1].ups, 0);
	XN_EXPECT_ORDER(&net.n[1],
		     "ISAKMP:(1001):Old State = IKE_R_MM5 New State = IKE_P1_COMPLETE",
		     "ISAKMP:(1001):Checking IPsec proposal 1",
		     "ISAKMP:(1001):atts are acceptable.",
		     "IPSEC(validate_proposal_request): proposal part #1",
		     "map_db_check_isakmp_profile profile did not match",
		     "Crypto mapdb : proxy_match",
		     "\tsrc addr     : 192.168.0.2",
		     "\tdst addr     : 192.168.0.1",
		     "\tprotocol     : 47",
		     "map_db_check_isakmp_profile profile did not match",
		     "Crypto mapdb : proxy_match",
		     "map_db_check_isakmp_profile profile did not match",
		     "map_db_find_best did not find matching map",
		     "IPSEC(ipsec_process_proposal): proxy identities not supported",
		     "ISAKMP:(1001): IPsec policy invalidated proposal with error 32",
		     "ISAKMP:(1001): phase 2 SA policy not acceptable! (local 192.168.0.2 remote "
		     "192.168.0.1)",
		     "ISAKMP: set new node ",
		     "ISAKMP:(1001):Sending NOTIFY PROPOSAL_NOT_CHOSEN protocol 3");
	XN_EXPECT_ORDER(&net.n[0], "ISAKMP:(1001): processing NOTIFY PROPOSAL_NOT_CHOSEN protocol 3",
		     "error TRUE reason \"PROPOSAL_NOT_CHOSEN\"");
	/* the initiator's node went at once: nothing is retransmitted later */
	{
		unsigned sent = net.sent;
		struct ik_engine_stats st;

		xn_run(&net, 60000);
		ck_assert_uint_eq(net.sent, sent);
		ik_engine_stats(net.n[0].e, &st);
		ck_assert_uint_eq(st.p2_failed, 1);
	}
	xn_free(&net);
}
END_TEST

/* With debugging off, every phase-1 and phase-2 failure still logs one line
 * naming IOS's message, the peer and why (the rule), on the side that knows;
 * no debug line is printed. */
static void debug_off(void)
{
	net.n[0].log.debug_mask = 0;
	net.n[1].log.debug_mask = 0;
}

static void expect_no_debug_lines(const struct xnode *n)
{
	for (size_t i = 0; i < n->cap.n; i++)
		ck_assert_msg(n->cap.cats[i] == 0, "%s: debug line with debug off: %s", n->name,
			      n->cap.lines[i]);
}

#define EXPECT_MSG(side, text)                                                          \
	do {                                                                            \
		if (xn_find(&net.n[side], 0, text) < 0)                                 \
			xn_dump(&net.n[side]);                                             \
		ck_assert_msg(xn_find(&net.n[side], 0, text) >= 0, "%s: no message \"%s\"", \
			      net.n[side].name, text);                                  \
	} while (0)

START_TEST(failures_logged_with_debug_off)
{
	char *t2;

	/* P2 (seed, R2 initiates): R1 says which keyring and profile; R2 that MM5
	 * went unanswered */
	start(r1_text(), r2_text(), 2);
	debug_off();
	initiate(1, "Tunnel1");
	xn_run(&net, 200000);
	EXPECT_MSG(0, "%CRYPTO-6-IKMP_MODE_FAILURE: Processing of Main mode failed with peer at "
		   "192.168.0.2 (P2: the key used since MM3 is from keyring keyring1, which ISAKMP "
		   "profile profile2 (matched by the peer's identity) does not list)");
	EXPECT_MSG(1, "%CRYPTO-6-IKMP_MODE_FAILURE: Processing of Main mode failed with peer at "
		   "192.168.0.1 (no answer in MM_KEY_EXCH after 5 retransmissions: a peer that "
		   "drops MM5");
	expect_no_debug_lines(&net.n[0]);
	expect_no_debug_lines(&net.n[1]);
	xn_free(&net);

	/* K5: different keys, MM5 does not decrypt on R2 */
	t2 = xn_replace(r2_text(), "pre-shared-key address 192.168.0.1 key cisco",
			"pre-shared-key address 192.168.0.1 key cisco2");
	start(r1_text(), t2, 5);
	debug_off();
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	EXPECT_MSG(1, "%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from 192.168.0.1 failed its "
		   "sanity check or is malformed");
	EXPECT_MSG(1, "%CRYPTO-6-IKMP_MODE_FAILURE: Processing of Main mode failed with peer at "
		   "192.168.0.1 (MM5 does not decrypt: the peers' pre-shared keys differ (K5); "
		   "ours is from keyring keyring1)");
	expect_no_debug_lines(&net.n[1]);
	xn_free(&net);

	/* P4: R2's IPsec profile names profile2, phase 1 matched profile1 */
	t2 = xn_replace(r2_text(), "   keyring keyring2\n   match identity address 192.168.0.100",
			"   keyring keyring1\n   match identity address 192.168.0.100");
	t2 = xn_replace(t2, " set isakmp-profile profile1", " set isakmp-profile profile2");
	start(r1_text(), t2, 6);
	debug_off();
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	EXPECT_MSG(1, "%CRYPTO-6-IKMP_MODE_FAILURE: Processing of Quick mode failed with peer at "
		   "192.168.0.1 (P4: the IPsec profile profile1 of Tunnel1 names ISAKMP profile "
		   "profile2; phase 1 matched profile1)");
	EXPECT_MSG(0, "%CRYPTO-6-IKMP_MODE_FAILURE: Processing of Quick mode failed with peer at "
		   "192.168.0.2 (the peer refused our offer: PROPOSAL_NOT_CHOSEN");
	expect_no_debug_lines(&net.n[0]);
	expect_no_debug_lines(&net.n[1]);
	xn_free(&net);

	/* the initiator has no key for the peer in its profile's keyrings (K1) */
	{
		char *t1 = xn_replace(r1_text(), "crypto keyring keyring2\n  pre-shared-key address "
				      "192.168.0.2 key", "crypto keyring keyring2\n  pre-shared-key "
				      "address 192.168.0.77 key");
		struct ik_sb err;

		start(t1, r2_text(), 9);
		debug_off();
		ik_sb_init(&err);
		ck_assert_int_ne(ik_engine_initiate(net.n[0].e, "Tunnel1", &err), 0);
		ik_sb_free(&err);
	}
	EXPECT_MSG(0, "%CRYPTO-6-IKMP_MODE_FAILURE: Processing of Main mode failed with peer at "
		   "192.168.0.2 (no pre-shared key for 192.168.0.2 in the keyrings of profile "
		   "profile2 (K1))");
	xn_free(&net);

	/* phase 1, no proposal chosen: R2's only policy is AES */
	t2 = xn_replace(r2_text(), " encr 3des", " encr aes");
	start(r1_text(), t2, 7);
	debug_off();
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	EXPECT_MSG(1, "%CRYPTO-6-IKMP_MODE_FAILURE: Processing of Main mode failed with peer at "
		   "192.168.0.1 (NO_PROPOSAL_CHOSEN: no crypto isakmp policy matches");
	expect_no_debug_lines(&net.n[1]);
	xn_free(&net);

	/* phase 2, no proposal chosen: R2's transform set differs */
	t2 = xn_replace(r2_text(), "transform-set TS esp-aes esp-sha256-hmac",
			"transform-set TS esp-3des esp-md5-hmac");
	start(r1_text(), t2, 8);
	debug_off();
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	EXPECT_MSG(1, "%CRYPTO-6-IKMP_MODE_FAILURE: Processing of Quick mode failed with peer at "
		   "192.168.0.1 (NO_PROPOSAL_CHOSEN: no transform set of IPsec profile profile1");
	EXPECT_MSG(0, "(the peer refused our offer: PROPOSAL_NOT_CHOSEN");
	expect_no_debug_lines(&net.n[1]);
	xn_free(&net);
}
END_TEST

/* set pfs group14 on both IPsec profiles: KE in Quick Mode. */
START_TEST(pfs)
{
	char *t1 = r1_text(), *t2 = r2_text();

	t1 = xn_replace(t1, " set transform-set TS\n", " set transform-set TS\n set pfs group14\n");
	t2 = xn_replace(t2, " set transform-set TS\n", " set transform-set TS\n set pfs group14\n");
	start(t1, t2, 7);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_pair();
	ck_assert_uint_eq(net.n[0].up[0].pfs_group, 14);
	ck_assert_uint_eq(net.n[1].up[0].pfs_group, 14);
	XN_EXPECT_ORDER(&net.n[1], "ISAKMP:      group is 14", "processing KE payload. message ID = ");
	xn_free(&net);
}
END_TEST

/* mode transport in the transform sets of a GRE tunnel. */
START_TEST(transport)
{
	char *t1 = r1_text(), *t2 = r2_text();

	t1 = xn_replace(t1, " mode tunnel", " mode transport");
	t2 = xn_replace(t2, " mode tunnel", " mode transport");
	start(t1, t2, 8);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_pair();
	ck_assert_uint_eq(net.n[0].up[0].mode, IK_MODE_TRANSPORT);
	ck_assert_uint_eq(net.n[1].up[0].mode, IK_MODE_TRANSPORT);
	XN_EXPECT_ORDER(&net.n[1], "ISAKMP:      encaps is 2 (Transport)");
	xn_free(&net);
}
END_TEST

/* tunnel mode ipsec ipv4 (VTI): any/any proxies, tunnel mode. */
START_TEST(vti)
{
	char *t1 = r1_text(), *t2 = r2_text();

	t1 = xn_replace(t1, " tunnel source Ethernet0/0\n", " tunnel source Ethernet0/0\n"
			" tunnel mode ipsec ipv4\n");
	t2 = xn_replace(t2, " tunnel source Ethernet0/0\n", " tunnel source Ethernet0/0\n"
			" tunnel mode ipsec ipv4\n");
	start(t1, t2, 9);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_pair();
	ck_assert_uint_eq(net.n[0].up[0].sel.proto, 0);
	ck_assert_uint_eq(ik_sel_mask4(net.n[0].up[0].sel.src_plen), 0);
	ck_assert_uint_eq(ik_sel_mask4(net.n[0].up[0].sel.dst_plen), 0);
	ck_assert_uint_eq(net.n[0].up[0].mode, IK_MODE_TUNNEL);
	XN_EXPECT_ORDER(&net.n[0], "    local_proxy= 0.0.0.0/0.0.0.0/0/0,");
	xn_free(&net);
}
END_TEST

/* The loss of any one of the nine messages is repaired by retransmission. */
START_TEST(loss_of_each_message)
{
	unsigned k = (unsigned)_i;

	start(r1_text(), r2_text(), 10 + k);
	net.drop_mask = 1ull << (k - 1);
	initiate(0, "Tunnel1");
	xn_run(&net, 60000);
	expect_pair();
	ck_assert_uint_eq(net.n[0].ups, 1);
	ck_assert_uint_eq(net.n[1].ups, 1);
	ck_assert_int_ge(xn_find(&net.n[0], 0, "retransmit") >= 0 ||
			 xn_find(&net.n[1], 0, "retransmit") >= 0, 1);
	xn_free(&net);
}
END_TEST

/* QM3 lost again and again: the responder retransmits QM2 (2, 6, 14, 30 and
 * 46 s after the first), and the initiator, whose Quick Mode completed when it
 * sent QM3, must still answer each one with QM3, also the last one, 46 s on. */
START_TEST(qm3_lost_until_the_last_retransmission)
{
	start(r1_text(), r2_text(), 41);
	/* 9: QM3; 11, 13, 15, 17: the QM3s resent for QM2 retransmissions 1..4 */
	net.drop_mask = (1ull << 8) | (1ull << 10) | (1ull << 12) | (1ull << 14) | (1ull << 16);
	initiate(0, "Tunnel1");
	xn_run(&net, 120000);
	expect_pair();
	ck_assert_uint_eq(net.n[1].ups, 1);
	xn_free(&net);
}
END_TEST

/* Duplicates: a replayed MM1 makes the responder resend MM2 (once per
 * duplicate, rate limited); a replayed QM1 after completion is dropped. */
START_TEST(duplicates)
{
	struct ik_engine_stats st;
	char dir[] = "/tmp/ikx-dupXXXXXX";
	uint8_t buf[2048];
	size_t n;
	FILE *f;
	unsigned sent;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	start(r1_text(), r2_text(), 30);
	net.dump_dir = dir;
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_pair();
	/* MM1 again: R2 finds the SA and resends MM2 */
	snprintf((char *)buf, sizeof(buf), "%s/msg01", dir);
	f = fopen((char *)buf, "rb");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	/* MM1 carries a zero responder cookie; R2's SA is complete: dropped */
	sent = net.sent;
	xn_inject(&net, 0, buf, n, 500);
	xn_deliver(&net);
	ik_engine_stats(net.n[1].e, &st);
	ck_assert_uint_eq(st.isakmp_sas, 1);
	/* QM1 replayed */
	snprintf((char *)buf, sizeof(buf), "%s/msg07", dir);
	f = fopen((char *)buf, "rb");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	net.now += 60000; /* the node is gone, its M-ID is remembered */
	ik_engine_run_timers(net.n[1].e);
	xn_inject(&net, 0, buf, n, 500);
	xn_deliver(&net);
	ck_assert_uint_eq(net.n[1].ups, 1);
	if (xn_find(&net.n[1], 0, "phase 2 packet is a duplicate") < 0)
		xn_dump(&net.n[1]);
	ck_assert_int_ge(xn_find(&net.n[1], 0, "phase 2 packet is a duplicate"), 0);
	(void)sent;
	for (unsigned i = 1; i <= 9; i++) {
		snprintf((char *)buf, sizeof(buf), "%s/msg%02u", dir, i);
		unlink((char *)buf);
	}
	rmdir(dir);
	xn_free(&net);
}
END_TEST

/* A duplicate MM3 (its MM4 lost on the way) makes the responder resend MM4. */
START_TEST(duplicate_resend)
{
	start(r1_text(), r2_text(), 31);
	net.drop_mask = 1ull << 3; /* MM4 */
	initiate(0, "Tunnel1");
	xn_run(&net, 60000);
	expect_pair();
	XN_EXPECT_ORDER(&net.n[1],
		"ISAKMP:(1001): phase 1 packet is a duplicate of a previous packet.",
		     "ISAKMP:(1001): retransmitting due to retransmit phase 1");
	xn_free(&net);
}
END_TEST

/* clear crypto sa on R1: DELETE for the IPsec SPI; R2 removes its pair. Then
 * clear crypto session on R2: DELETE of the ISAKMP SA; R1 removes it. */
START_TEST(delete_both_ways)
{
	struct ik_engine_stats st;

	start(r1_text(), r2_text(), 32);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_pair();
	ik_engine_clear(net.n[0].e, IK_CLEAR_SA, 0, 0);
	xn_deliver(&net);
	ck_assert_uint_eq(net.n[0].nup, 0);
	ck_assert_uint_eq(net.n[1].nup, 0);
	ck_assert_uint_eq(net.n[1].downs, 1);
	XN_EXPECT_ORDER(&net.n[1], "ISAKMP:(1001): processing DELETE payload.",
		     "IPSEC(key_engine_delete_sas): rec'd delete notify from ISAKMP");
	ik_engine_stats(net.n[0].e, &st);
	ck_assert_uint_eq(st.isakmp_up, 1);
	ik_engine_clear(net.n[1].e, IK_CLEAR_SESSION, R1_ADDR, 0);
	xn_deliver(&net);
	ik_engine_stats(net.n[0].e, &st);
	ck_assert_uint_eq(st.isakmp_sas, 0);
	ik_engine_stats(net.n[1].e, &st);
	ck_assert_uint_eq(st.isakmp_sas, 0);
	XN_EXPECT_ORDER(&net.n[0], "deleting SA reason \"P1 delete notify (in)\"");
	xn_free(&net);
}
END_TEST

/* Phase 2 rekey at the soft lifetime (85-90%): the new pair is installed
 * before the old one is deleted, on both sides. */
START_TEST(rekey_phase2)
{
	unsigned id0;

	start(r1_text(), r2_text(), 33);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_pair();
	id0 = net.n[0].up[0].id;
	xn_run(&net, 3300 * 1000);
	ck_assert_uint_eq(net.n[0].ups, 2);
	ck_assert_uint_eq(net.n[1].ups, 2);
	ck_assert_uint_eq(net.n[0].downs, 1);
	ck_assert_uint_eq(net.n[1].downs, 1);
	ck_assert_uint_eq(net.n[0].last_down.id, id0);
	expect_pair();
	ck_assert_uint_ne(net.n[0].up[0].id, id0);
	xn_free(&net);
}
END_TEST

/* DPD: crypto isakmp keepalive 10 2; R2 stops answering; R1 declares it dead
 * and clears its SAs. */
START_TEST(dpd_timeout)
{
	char *t1 = r1_text();
	struct ik_engine_stats st;

	t1 = xn_replace(t1, "crypto isakmp policy 10", "crypto isakmp keepalive 10 2\n"
			"crypto isakmp policy 10");
	start(t1, r2_text(), 34);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_pair();
	/* one round answered */
	xn_run(&net, 12000);
	XN_EXPECT_ORDER(&net.n[1], "DPD/R_U_THERE received from peer 192.168.0.1");
	XN_EXPECT_ORDER(&net.n[0], "DPD/R_U_THERE_ACK received from peer 192.168.0.2");
	ck_assert_uint_eq(net.n[0].nup, 1);
	net.blackhole[1] = true;
	xn_run(&net, 60000);
	ck_assert_uint_eq(net.n[0].nup, 0);
	ik_engine_stats(net.n[0].e, &st);
	ck_assert_uint_eq(st.isakmp_sas, 0);
	XN_EXPECT_ORDER(&net.n[0], "declaring it dead", "No reply to DPD");
	xn_free(&net);
}
END_TEST

/* show output after a successful exchange, text and JSON. */
START_TEST(shows)
{
	struct ik_sb sb;

	start(r1_text(), r2_text(), 35);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	ik_sb_init(&sb);
	ik_engine_show_isakmp_sa(net.n[0].e, false, false, &sb);
	ck_assert_str_eq(ik_sb_str(&sb),
			 "IPv4 Crypto ISAKMP SA\n"
			 "dst             src             state          conn-id status\n"
			 "192.168.0.2     192.168.0.1     QM_IDLE           1001 ACTIVE\n"
			 "\nIPv6 Crypto ISAKMP SA\n\n");
	ik_sb_reset(&sb);
	ik_engine_show_session(net.n[0].e, false, &sb);
	ck_assert_str_eq(ik_sb_str(&sb),
			 "Crypto session current status\n\n"
			 "Interface: Tunnel1\n"
			 "Profile: profile2\n"
			 "Session status: UP-ACTIVE\n"
			 "Peer: 192.168.0.2 port 500\n"
			 "  IKEv1 SA: local 192.168.0.1/500 remote 192.168.0.2/500 Active\n"
			 "  IPSEC FLOW: permit 47 host 192.168.0.1 host 192.168.0.2\n"
			 "        Active SAs: 2, origin: crypto map\n\n");
	ik_sb_reset(&sb);
	ik_engine_show_ipsec_sa(net.n[1].e, false, &sb);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&sb), "interface: Tunnel1\n"
				     "    Crypto map tag: Tunnel1-head-0, "
				     "local addr 192.168.0.2\n"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&sb), "   local  ident (addr/mask/prot/port): "
				     "(192.168.0.2/255.255.255.255/47/0)\n"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&sb), "        transform: esp-aes "
				     "esp-sha256-hmac ,\n        in use settings ={Tunnel, }\n"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&sb), "sa timing: remaining key lifetime (k/sec): "
				     "(4608000/3599)"));
	ik_sb_reset(&sb);
	ik_engine_show_isakmp_sa(net.n[0].e, true, true, &sb);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&sb), "\"conn_id\":1001,\"dst\":\"192.168.0.2\""));
	ik_sb_reset(&sb);
	ik_engine_show_isakmp_sa(net.n[0].e, true, false, &sb);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&sb), "1001  192.168.0.1     192.168.0.2     "
				     "(none)/(none)  ACTIVE 3des md5    psk  2  23:59:59 "));
	ik_sb_reset(&sb);
	ik_engine_show_peers(net.n[0].e, false, &sb);
	ck_assert_str_eq(ik_sb_str(&sb), "Peer: 192.168.0.2 Port: 500 Local: 192.168.0.1\n"
			 " Phase1 id: 192.168.0.2\n");
	ik_sb_free(&sb);
	xn_free(&net);
}
END_TEST

/* show crypto ipsec sa peer A | detail, show crypto session detail | brief |
 * remote A, show crypto engine connections active: IOS layouts and JSON. */
START_TEST(shows_variants)
{
	struct ik_show_opts o = { 0 };
	struct ik_sb sb;

	start(r1_text(), r2_text(), 35);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	net.now += 5000; /* five more seconds of uptime */
	ik_sb_init(&sb);
	/* peer filter: the peer's SAs, nothing for another address */
	o.peer = R2_ADDR;
	ik_engine_show_ipsec_sa_opt(net.n[0].e, &o, false, &sb);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&sb), "   current_peer 192.168.0.2 port 500\n"));
	ck_assert_ptr_null(strstr(ik_sb_str(&sb), "verify failed"));
	ik_sb_reset(&sb);
	o.peer = 0xc0a80063u;
	ik_engine_show_ipsec_sa_opt(net.n[0].e, &o, false, &sb);
	ck_assert_str_eq(ik_sb_str(&sb), "");
	ik_sb_reset(&sb);
	ik_engine_show_ipsec_sa_opt(net.n[0].e, &o, true, &sb);
	ck_assert_str_eq(ik_sb_str(&sb), "[]\n");
	/* detail: the kernel's failure counters */
	ik_sb_reset(&sb);
	o.peer = 0;
	o.detail = true;
	ik_engine_show_ipsec_sa_opt(net.n[0].e, &o, false, &sb);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&sb), "    #pkts verify failed: 0\n"
				     "    ##pkts replay failed (rcv): 0\n"
				     "    #send errors 0, #recv errors 0\n"));
	ik_sb_reset(&sb);
	ik_engine_show_session_opt(net.n[0].e, &o, false, &sb);
	ck_assert_str_eq(ik_sb_str(&sb),
			 "Crypto session current status\n\n"
			 "Code: C - IKE Configuration mode, D - Dead Peer Detection\n"
			 "K - Keepalives, N - NAT-traversal, T - cTCP encapsulation\n"
			 "X - IKE Extended Authentication, F - IKE Fragmentation\n"
			 "R - IKE Auto Reconnect, U - IKE Dynamic Route Update\n\n"
			 "Interface: Tunnel1\n"
			 "Profile: profile2\n"
			 "Uptime: 00:00:06\n"
			 "Session status: UP-ACTIVE\n"
			 "Peer: 192.168.0.2 port 500 fvrf: (none) ivrf: (none)\n"
			 "      Phase1_id: 192.168.0.2\n"
			 "      Desc: (none)\n"
			 "  IKEv1 SA: local 192.168.0.1/500 remote 192.168.0.2/500 Active\n"
			 "          Capabilities:(none) connid:1001 lifetime:23:59:54\n"
			 "  IPSEC FLOW: permit 47 host 192.168.0.1 host 192.168.0.2\n"
			 "        Active SAs: 2, origin: crypto map\n"
			 "        Inbound:  #pkts dec'ed 0 drop 0 life (KB/Sec) 4608000/3594\n"
			 "        Outbound: #pkts enc'ed 0 drop 0 life (KB/Sec) 4608000/3594\n\n");
	ik_sb_reset(&sb);
	o.detail = false;
	o.brief = true;
	ik_engine_show_session_opt(net.n[0].e, &o, false, &sb);
	ck_assert_str_eq(ik_sb_str(&sb),
			 "Status: A- Active, U - Up, D - Down, I - Idle, S - Standby, "
			 "N - Negotiating\n"
			 "        K - No IKE\n"
			 "ivrf = (none)\n"
			 " Peer            I/F          Username        Group/Phase1_id          "
			 "Uptime   Status\n"
			 "192.168.0.2     Tu1                          192.168.0.2              "
			 "00:00:06 UA\n");
	ik_sb_reset(&sb);
	o.brief = false;
	o.peer = 0xc0a80063u;
	ik_engine_show_session_opt(net.n[0].e, &o, false, &sb);
	ck_assert_str_eq(ik_sb_str(&sb), "Crypto session current status\n\n");
	ik_sb_reset(&sb);
	o.peer = 0;
	ik_engine_show_session_opt(net.n[0].e, &o, true, &sb);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&sb), "\"phase1_id\":\"192.168.0.2\","
				     "\"fvrf\":null,\"uptime\":\"00:00:06\",\"conn_id\":1001"));
	/* engine connections: both directions of the pair, then the ISAKMP SA */
	ik_sb_reset(&sb);
	net.n[0].in_packets = 7;
	ik_engine_show_engine_conns(net.n[0].e, false, &sb);
	ck_assert_str_eq(ik_sb_str(&sb),
			 "Crypto Engine Connections\n\n"
			 "   ID  Type    Algorithm           Encrypt  Decrypt LastSeqN IP-Address\n"
			 " 2001  IPsec   AES+SHA256                0        7        - 192.168.0.1\n"
			 " 2002  IPsec   AES+SHA256                7        0        - 192.168.0.1\n"
			 " 1001  IKE     MD5+3DES                  -        -        - 192.168.0.1\n");
	ik_sb_reset(&sb);
	ik_engine_show_engine_conns(net.n[0].e, true, &sb);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&sb), "{\"id\":2001,\"type\":\"IPsec\","
				     "\"algorithm\":\"AES+SHA256\",\"encrypt\":0,\"decrypt\":7,"
				     "\"address\":\"192.168.0.1\"}"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&sb), "\"encrypt\":null,\"decrypt\":null"));
	ik_sb_free(&sb);
	xn_free(&net);
}
END_TEST

/* NAT-T (RFC 3947): R1 behind a NAT (203.0.113.10, ports 1500/1501), VTI.
 * NAT-D detects it, Main Mode floats to 4500 at MM5, the child SAs are UDP
 * encapsulated with UDP-tunnel mode, and NAT keepalives go out. */
START_TEST(nat_t)
{
	char *t1 = r1_text(), *t2 = r2_text();

	t1 = xn_replace(t1, " tunnel source Ethernet0/0\n", " tunnel source Ethernet0/0\n"
			" tunnel mode ipsec ipv4\n");
	t1 = xn_replace(t1, "crypto isakmp policy 10", "crypto isakmp nat keepalive 20\n"
			"crypto isakmp policy 10");
	t2 = xn_replace(t2, " tunnel source Ethernet0/0\n", " tunnel source Ethernet0/0\n"
			" tunnel mode ipsec ipv4\n");
	t2 = xn_replace(t2, " tunnel destination 192.168.0.1", " tunnel destination 203.0.113.10");
	t2 = xn_replace(t2, "pre-shared-key address 192.168.0.1 key cisco",
			"pre-shared-key address 203.0.113.10 key cisco");
	start(t1, t2, 36);
	net.nat_addr = 0xcb00710au;
	net.nat_port500 = 1500;
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	XN_EXPECT_ORDER(&net.n[0], "ISAKMP (1001): My hash no match - this node inside NAT",
		     "ISAKMP (1001): NAT found, the node inside NAT",
		     "ISAKMP:(1001):NAT-T: floating to port 4500",
		     "ISAKMP:(1001): sending packet to 192.168.0.2 my_port 4500 peer_port 4500 (I) "
		     "MM_KEY_EXCH");
	XN_EXPECT_ORDER(&net.n[1], "ISAKMP (1001): NAT found, the node outside NAT",
		     "ISAKMP (1001): received packet from 203.0.113.10 dport 4500 sport 1501 "
		     "Global (R) MM_KEY_EXCH",
		     "ISAKMP:      encaps is 3 (Tunnel)");
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(net.n[1].nup, 1);
	ck_assert(net.n[0].up[0].udp_encap);
	ck_assert(net.n[1].up[0].udp_encap);
	ck_assert_uint_eq(net.n[0].up[0].encap_local_port, 4500);
	ck_assert_uint_eq(net.n[1].up[0].encap_remote_port, 1501);
	ck_assert_uint_eq(net.n[0].up[0].out.spi, net.n[1].up[0].in.spi);
	ck_assert(!memcmp(net.n[0].up[0].out.enc_key, net.n[1].up[0].in.enc_key, 16));
	xn_run(&net, 45000);
	ck_assert_uint_ge(net.keepalives, 2);
	xn_free(&net);
}
END_TEST

/* crypto isakmp identity hostname: R1 sends ID_FQDN "R1"; R2 matches none of
 * its address profiles (P1), so Quick Mode hits P4. */
START_TEST(identity_hostname)
{
	char *t1 = r1_text();

	t1 = xn_replace(t1, "crypto isakmp policy 10", "crypto isakmp identity hostname\n"
			"crypto isakmp policy 10");
	start(t1, r2_text(), 37);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	XN_EXPECT_ORDER(&net.n[0], "ISAKMP:(1001):SA is doing pre-shared key authentication using id "
		     "type ID_FQDN", "\tFQDN name    : R1");
	XN_EXPECT_ORDER(&net.n[1], "\tFQDN name    : R1",
		     "ISAKMP:(0):: peer matches *none* of the profiles",
		     "ISAKMP:(1001):Old State = IKE_R_MM5 New State = IKE_P1_COMPLETE",
		     "map_db_check_isakmp_profile profile did not match");
	ck_assert_uint_eq(net.n[0].ups + net.n[1].ups, 0);
	xn_free(&net);
}
END_TEST

/* A peer identity carrying a newline, an escape sequence, a backslash and a
 * non-ASCII byte must not forge a log line or reach a terminal: the responder's
 * trace and `show crypto isakmp peers` print it escaped, one line per line. */
START_TEST(identity_escaped)
{
	static char forged[] = "R1\n*Dec  4 10:00:00.000: %CRYPTO-6-FORGED\x1b[2J\\\xc3";
	const char *want = "R1\\x0a*Dec  4 10:00:00.000: %CRYPTO-6-FORGED\\x1b[2J\\\\\\xc3";
	char *t1 = r1_text(), line[300], *saved;
	struct ik_sb out;

	t1 = xn_replace(t1, "crypto isakmp policy 10", "crypto isakmp identity hostname\n"
			"crypto isakmp policy 10");
	start(t1, r2_text(), 37);
	saved = net.n[0].cfg->hostname;
	net.n[0].cfg->hostname = forged;
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	snprintf(line, sizeof(line), "\tFQDN name    : %s", want);
	ck_assert_int_ge(xn_find(&net.n[1], 0, line), 0);
	for (size_t i = 0; i < net.n[1].cap.n; i++)
		for (const char *c = net.n[1].cap.lines[i]; *c; c++)
			ck_assert_msg((*c >= 0x20 && *c < 0x7f) || *c == '\t',
				      "raw byte 0x%02x in trace line \"%s\"", (unsigned char)*c,
				      net.n[1].cap.lines[i]);
	ik_sb_init(&out);
	ik_engine_show_peers(net.n[1].e, false, &out);
	snprintf(line, sizeof(line), " Phase1 id: %s\n", want);
	ck_assert_msg(strstr(ik_sb_str(&out), line), "show peers: %s", ik_sb_str(&out));
	for (const char *c = ik_sb_str(&out); *c; c++)
		ck_assert((*c >= 0x20 && *c < 0x7f) || *c == '\n');
	ik_sb_free(&out);
	net.n[0].cfg->hostname = saved;
	xn_free(&net);
}
END_TEST

/* An offer with an unknown DH group (99) is refused with the policy check
 * lines and NO_PROPOSAL_CHOSEN; the responder keeps no state. */
START_TEST(unknown_dh_group)
{
	char dir[] = "/tmp/ikx-grpXXXXXX", path[64];
	uint8_t buf[2048];
	struct ik_engine_stats st;
	size_t n, i;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	start(r1_text(), r2_text(), 38);
	net.dump_dir = dir;
	net.blackhole[1] = true;
	initiate(0, "Tunnel1");
	xn_deliver(&net);
	snprintf(path, sizeof(path), "%s/msg01", dir);
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	unlink(path);
	rmdir(dir);
	for (i = 28; i + 4 <= n; i++)
		if (!memcmp(buf + i, "\x80\x04\x00\x02", 4))
			break;
	ck_assert_uint_lt(i + 4, n);
	buf[i + 3] = 99;
	net.blackhole[1] = false;
	xn_inject(&net, 0, buf, n, 500);
	XN_EXPECT_ORDER(&net.n[1], "ISAKMP:      default group 99",
		     "ISAKMP:(0):Diffie-Hellman group offered does not match policy!",
		     "ISAKMP:(0):atts are not acceptable. Next payload is 0",
		     "ISAKMP:(0):no offers accepted!",
		     "ISAKMP:(0): phase 1 SA policy not acceptable! (local 192.168.0.2 remote "
		     "192.168.0.1)",
		     "ISAKMP:(0):Sending NOTIFY PROPOSAL_NOT_CHOSEN protocol 1",
		     "%CRYPTO-6-IKMP_MODE_FAILURE: Processing of Main mode failed with peer at "
		     "192.168.0.1");
	ik_engine_stats(net.n[1].e, &st);
	ck_assert_uint_eq(st.isakmp_sas, 0);
	/* R1 learns why, from an unauthenticated notification it does not act on */
	xn_deliver(&net);
	XN_EXPECT_ORDER(&net.n[0], "ISAKMP:(0): processing NOTIFY PROPOSAL_NOT_CHOSEN protocol 1",
		     "ISAKMP:(0):Notify has no hash. Rejected.");
	ik_engine_stats(net.n[0].e, &st);
	ck_assert_uint_eq(st.isakmp_sas, 1);
	xn_free(&net);
}
END_TEST

/* Half-open SAs are bounded: the oldest goes when a new MM1 would exceed the
 * limit. */
START_TEST(half_open_bound)
{
	struct ik_engine_opts opts[2] = { { 0 }, { .max_half_open = 2 } };
	struct ik_config *c1, *c2;
	char *t1 = r1_text(), *t2 = r2_text();
	char dir[] = "/tmp/ikx-hoXXXXXX", path[64];
	uint8_t buf[2048];
	struct ik_engine_stats st;
	size_t n;
	FILE *f;

	c1 = xn_load(t1, "r1");
	c2 = xn_load(t2, "r2");
	free(t1);
	free(t2);
	xn_init(&net, c1, R1_ADDR, c2, R2_ADDR, 39, opts);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	net.dump_dir = dir;
	net.blackhole[0] = true;
	initiate(0, "Tunnel1");
	xn_deliver(&net);
	snprintf(path, sizeof(path), "%s/msg01", dir);
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	for (unsigned k = 2; k <= 3; k++) {
		snprintf(path, sizeof(path), "%s/msg%02u", dir, k);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/msg01", dir);
	unlink(path);
	rmdir(dir);
	for (unsigned k = 0; k < 3; k++) {
		buf[0] ^= (uint8_t)(k + 1);
		xn_inject(&net, 0, buf, n, 500);
	}
	ik_engine_stats(net.n[1].e, &st);
	ck_assert_uint_eq(st.half_open, 2);
	XN_EXPECT_ORDER(&net.n[1], "half-open SA limit 2 reached, dropping the oldest");
	xn_free(&net);
}
END_TEST

/* Reload: the same configuration keeps the SAs; a changed transform set
 * clears them (DELETE sent, the peer removes its pair too). */
START_TEST(reload)
{
	char *t1;
	struct ik_config *same, *changed;

	start(r1_text(), r2_text(), 40);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_pair();
	t1 = r1_text();
	same = xn_load(t1, "r1-again");
	ik_engine_set_config(net.n[0].e, same);
	ik_config_unref(same);
	xn_deliver(&net);
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(net.n[1].nup, 1);
	/* a second identical reload, then the phase-2 rekey runs on the SAs
	 * made under the first snapshot, with the third one current */
	same = xn_load(t1, "r1-third");
	ik_engine_set_config(net.n[0].e, same);
	ik_config_unref(same);
	xn_run(&net, 3300 * 1000);
	ck_assert_uint_eq(net.n[0].ups, 2);
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(net.n[1].nup, 1);
	t1 = xn_replace(t1, "esp-aes esp-sha256-hmac", "esp-3des esp-sha-hmac");
	changed = xn_load(t1, "r1-changed");
	free(t1);
	ik_engine_set_config(net.n[0].e, changed);
	ik_config_unref(changed);
	xn_deliver(&net);
	ck_assert_uint_eq(net.n[0].nup, 0);
	ck_assert_uint_eq(net.n[1].nup, 0);
	xn_free(&net);
}
END_TEST

/* passive never initiates; initiate_all and acquire do. */
START_TEST(initiation)
{
	struct ik_engine_opts opts[2] = { { .passive = true }, { 0 } };
	char *t1 = r1_text(), *t2 = r2_text();
	struct ik_config *c1 = xn_load(t1, "r1"), *c2 = xn_load(t2, "r2");
	struct ik_sb err;

	free(t1);
	free(t2);
	xn_init(&net, c1, R1_ADDR, c2, R2_ADDR, 41, opts);
	ik_sb_init(&err);
	ck_assert_int_eq(ik_engine_initiate(net.n[0].e, "Tunnel1", &err), -1);
	ck_assert_int_eq(ik_engine_initiate(net.n[1].e, "Tunnel9", &err), -1);
	ik_sb_free(&err);
	ik_engine_initiate_all(net.n[0].e);
	ik_engine_acquire(net.n[0].e, 2, R1_ADDR, R2_ADDR);
	ck_assert_uint_eq(net.sent, 0);
	xn_free(&net);

	start(r1_text(), r2_text(), 42);
	ik_engine_initiate_all(net.n[0].e);
	xn_run(&net, 1000);
	expect_pair();
	xn_free(&net);

	start(r1_text(), r2_text(), 43);
	ik_engine_acquire(net.n[0].e, 2, R1_ADDR, R2_ADDR);
	xn_run(&net, 1000);
	expect_pair();
	/* kernel hard expire: the pair goes on both sides */
	ik_engine_expire(net.n[0].e, net.n[0].up[0].in.spi, true);
	xn_deliver(&net);
	ck_assert_uint_eq(net.n[0].nup, 0);
	ck_assert_uint_eq(net.n[1].nup, 0);
	/* acquire again: phase 1 is up, only Quick Mode runs */
	ik_engine_acquire(net.n[0].e, 0, R1_ADDR, R2_ADDR);
	xn_run(&net, 1000);
	expect_pair();
	ck_assert_uint_eq(net.n[0].ups, 2);
	/* kernel soft expire: rekey, new pair before the old one goes */
	ik_engine_expire(net.n[0].e, net.n[0].up[0].out.spi, false);
	xn_run(&net, 1000);
	ck_assert_uint_eq(net.n[0].ups, 3);
	expect_pair();
	xn_free(&net);
}
END_TEST

/* The host fails to install the pair: the responder tells the initiator,
 * which removes its pair. */
START_TEST(child_up_failure)
{
	start(r1_text(), r2_text(), 44);
	net.n[1].fail_child_up = true;
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	ck_assert_uint_eq(net.n[1].nup, 0);
	ck_assert_uint_eq(net.n[0].nup, 0);
	ck_assert_uint_eq(net.n[0].downs, 1);
	xn_free(&net);
}
END_TEST

/* Phase 1 lifetime 600 s: the initiator renegotiates at 85-90% and the old
 * ISAKMP SA goes; the child SAs stay. clear crypto isakmp CONN-ID deletes one. */
START_TEST(phase1_rekey_and_clear)
{
	char *t1 = r1_text(), *t2 = r2_text();
	struct ik_engine_stats st;

	t1 = xn_replace(t1, " group 2\n", " group 2\n lifetime 600\n");
	t2 = xn_replace(t2, " group 2\n", " group 2\n lifetime 600\n");
	start(t1, t2, 45);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_pair();
	xn_run(&net, 620 * 1000);
	ik_engine_stats(net.n[0].e, &st);
	ck_assert_uint_eq(st.p1_done, 2);
	ck_assert_uint_eq(st.isakmp_sas, 1);
	ck_assert_uint_eq(st.isakmp_up, 1);
	ck_assert_uint_eq(net.n[0].nup, 1);
	ik_engine_stats(net.n[1].e, &st);
	ck_assert_uint_eq(st.isakmp_sas, 1);
	ik_engine_clear(net.n[0].e, IK_CLEAR_ISAKMP, 0, 1002);
	xn_deliver(&net);
	ik_engine_stats(net.n[0].e, &st);
	ck_assert_uint_eq(st.isakmp_sas, 0);
	ik_engine_stats(net.n[1].e, &st);
	ck_assert_uint_eq(st.isakmp_sas, 0);
	ck_assert_uint_eq(net.n[0].nup, 1);
	xn_free(&net);
}
END_TEST

/* R1 restarts (a new engine, no state) while R2 still holds the SAs: R1's
 * MM5 carries INITIAL-CONTACT and R2 deletes the old SAs of that peer. */
START_TEST(initial_contact_after_restart)
{
	struct ik_engine_host host;
	struct ik_engine_stats st;

	start(r1_text(), r2_text(), 46);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_pair();
	/* a fresh R1 engine with the same host */
	{
		struct ik_engine *old = net.n[0].e;
		struct ik_engine_opts o = { 0 };

		memset(&host, 0, sizeof(host));
		host = *xn_host(&net.n[0]);
		net.n[0].e = ik_engine_new(net.n[0].cfg, &host, &net.n[0].log, &o);
		ik_engine_free(old);
		net.n[0].nup = 0;
	}
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	XN_EXPECT_ORDER(&net.n[1], "ISAKMP:(1002): processing NOTIFY INITIAL_CONTACT protocol 1",
		     "ISAKMP:(1001):deleting SA reason \"Receive initial contact\"");
	ik_engine_stats(net.n[1].e, &st);
	ck_assert_uint_eq(st.isakmp_sas, 1);
	ck_assert_uint_eq(st.child_sas, 1);
	ck_assert_uint_eq(net.n[1].downs, 1);
	expect_pair();
	xn_free(&net);
}
END_TEST

static Suite *exchange_suite(void)
{
	Suite *s = suite_create("exchange");
	TCase *tc = tcase_create("seed");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, r1_initiates_success);
	tcase_add_test(tc, initiate_when_up_is_a_no_op);
	tcase_add_test(tc, qm3_lost_until_the_last_retransmission);
	tcase_add_test(tc, r2_initiates_p2_failure);
	tcase_add_test(tc, local_address_keyring_per_address);
	tcase_add_test(tc, k2_no_profile);
	tcase_add_test(tc, debug_isakmp_vs_detail);
	tcase_add_test(tc, debug_condition_peer);
	tcase_add_test(tc, failures_logged_with_debug_off);
	tcase_add_test(tc, k4_default_key_shadows);
	tcase_add_test(tc, k5_different_keys);
	tcase_add_test(tc, p4_wrong_profile);
	tcase_add_test(tc, pfs);
	tcase_add_test(tc, transport);
	tcase_add_test(tc, vti);
	tcase_add_loop_test(tc, loss_of_each_message, 1, 10);
	tcase_add_test(tc, duplicates);
	tcase_add_test(tc, duplicate_resend);
	tcase_add_test(tc, delete_both_ways);
	tcase_add_test(tc, rekey_phase2);
	tcase_add_test(tc, dpd_timeout);
	tcase_add_test(tc, shows);
	tcase_add_test(tc, shows_variants);
	tcase_add_test(tc, nat_t);
	tcase_add_test(tc, identity_hostname);
	tcase_add_test(tc, unknown_dh_group);
	tcase_add_test(tc, half_open_bound);
	tcase_add_test(tc, reload);
	tcase_add_test(tc, initiation);
	tcase_add_test(tc, child_up_failure);
	tcase_add_test(tc, phase1_rekey_and_clear);
	tcase_add_test(tc, initial_contact_after_restart);
	tcase_add_test(tc, identity_escaped);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(exchange_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
