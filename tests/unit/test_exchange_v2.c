/* IKEv2 exchanges (IKE_SA_INIT, IKE_AUTH, the first child SA) between two
 * engines in one process, on the seed's R1/R2 topology written with IKEv2
 * keyrings and profiles (etc/examples/ikev2-r*.conf, rule V2-1) and
 * variants: both roles, GRE and VTI, lost and duplicated messages, COOKIE,
 * INVALID_KE_PAYLOAD, NO_PROPOSAL_CHOSEN, wrong keys, tampered AUTH and ICV,
 * replayed messages, a foreign source address. Deterministic: fake clock,
 * seeded RNGs. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/v2_msg.h"
#include "test_exchange_harness.h"
#include "util/addr.h"
#include "util/strbuf.h"
#include "util/util.h"

#define R1_ADDR 0xc0a80001u /* 192.168.0.1 */
#define R2_ADDR 0xc0a80002u /* 192.168.0.2 */

static struct xnet net;

static char *r1_text(void)
{
	return xn_read("etc/examples/ikev2-r1.conf");
}

static char *r2_text(void)
{
	return xn_read("etc/examples/ikev2-r2.conf");
}

static void start_opts(char *t1, char *t2, uint64_t seed, const struct ik_engine_opts *o)
{
	struct ik_config *c1 = xn_load(t1, "r1.conf"), *c2 = xn_load(t2, "r2.conf");

	free(t1);
	free(t2);
	xn_init(&net, c1, R1_ADDR, c2, R2_ADDR, seed, o);
}

static void start(char *t1, char *t2, uint64_t seed)
{
	start_opts(t1, t2, seed, NULL);
}

#define EXPECT_LINE(node, s)                                                            \
	do {                                                                            \
		if (xn_find((node), 0, (s)) < 0)                                        \
			xn_dump(node);                                                     \
		ck_assert_msg(xn_find((node), 0, (s)) >= 0, "%s: no line \"%s\"",       \
			      (node)->name, (s));                                       \
	} while (0)

#define EXPECT_NO_LINE(node, s)                                                         \
	ck_assert_msg(xn_find((node), 0, (s)) < 0, "%s: unexpected line \"%s\"",         \
		      (node)->name, (s))

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

static void expect_none(void)
{
	struct ik_engine_stats st;

	ck_assert_uint_eq(net.n[0].nup, 0);
	ck_assert_uint_eq(net.n[1].nup, 0);
	for (int i = 0; i < 2; i++) {
		ik_engine_stats(net.n[i].e, &st);
		ck_assert_uint_eq(st.child_sas, 0);
		ck_assert_uint_eq(st.isakmp_up, 0);
	}
}

/* V2-1: the seed's R1/R2 in IKEv2 form; R1 initiates. Four messages:
 * IKE_SA_INIT and IKE_AUTH, request and response; the child is the GRE
 * endpoints with protocol 47, AES-128/SHA-256 from transform set TS. */
/* The responder's SK_* are derived when IKE_AUTH (or its first fragment)
 * arrives, not at IKE_SA_INIT; the initiator's at the IKE_SA_INIT response. */
static void expect_lazy_keys(int responder)
{
	XN_EXPECT_ORDER(&net.n[responder], "IKEv2 IKE_SA_INIT Exchange RESPONSE",
			"IKEv2 IKE_AUTH Exchange REQUEST",
			"Generating KEYMAT: SKEYSEED and SK_* derived");
	XN_EXPECT_ORDER(&net.n[!responder], "IKEv2 IKE_SA_INIT Exchange RESPONSE",
			"Generating KEYMAT: SKEYSEED and SK_* derived",
			"IKEv2 IKE_AUTH Exchange REQUEST");
}

START_TEST(v2_1_r1_initiates)
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
	ck_assert_uint_eq(ik_sel_mask4(net.n[0].up[0].sel.src_plen), 0xffffffffu);
	ck_assert_uint_eq(net.n[1].up[0].sel.src.v4, R2_ADDR);
	ck_assert_uint_eq(net.n[1].up[0].sel.dst.v4, R1_ADDR);
	ck_assert_uint_eq(net.n[0].up[0].lifetime_sec, 3600);
	ck_assert(!net.n[0].up[0].udp_encap);
	ck_assert_uint_eq(net.sent, 4);
	expect_lazy_keys(1);
	for (int i = 0; i < 2; i++) {
		ik_engine_stats(net.n[i].e, &st);
		ck_assert_uint_eq(st.p1_done, 1);
		ck_assert_uint_eq(st.p2_done, 1);
		ck_assert_uint_eq(st.isakmp_up, 1);
		ck_assert_uint_eq(st.half_open, 0);
		ck_assert_uint_eq(st.child_sas, 1);
	}
	XN_EXPECT_ORDER(&net.n[0],
		     "IKEv2:(SESSION ID = 1,SA ID = 1):Initiating IKEv2 for Tunnel1 to 192.168.0.2 "
		     "(IKEv2 profile profile2)",
		     "IKEv2:Found Policy 'POL'",
		     "IKEv2:(SESSION ID = 1,SA ID = 1):Generating IKE_SA_INIT message "
		     "(DH group 14)",
		     "IKEv2:(SESSION ID = 1,SA ID = 1):IKEv2 IKE_SA_INIT Exchange REQUEST",
		     "IKEv2:(SESSION ID = 1,SA ID = 1):IKEv2 IKE_SA_INIT Exchange RESPONSE",
		     "IKEv2:(SESSION ID = 1,SA ID = 1):Payload contents: SA KE Nonce "
		     "N(NAT_DETECTION_SOURCE_IP) N(NAT_DETECTION_DESTINATION_IP)",
		     "IKEv2:(SESSION ID = 1,SA ID = 1):Checking NAT discovery",
		     "IKEv2:(SESSION ID = 1,SA ID = 1):NAT not found",
		     "IKEv2:% Getting preshared key from profile keyring keyring2",
		     "IKEv2:% Matched peer block 'R2'",
		     "IKEv2:(SESSION ID = 1,SA ID = 1):IKEv2 IKE_AUTH Exchange REQUEST",
		     "IKEv2:(SESSION ID = 1,SA ID = 1):IKEv2 IKE_AUTH Exchange RESPONSE",
		     "IKEv2:(SESSION ID = 1,SA ID = 1):Payload contents: IDr AUTH SA TSi TSr",
		     "IKEv2:(SESSION ID = 1,SA ID = 1):Verification of peer's authentication data "
		     "PASSED",
		     "IKEv2:(SESSION ID = 1,SA ID = 1):State change: I_AUTH_SENT -> READY",
		     "IKEv2:(SESSION ID = 1,SA ID = 1):Session with IKE ID PAIR (192.168.0.1, "
		     "192.168.0.2) is UP",
		     "IPSEC(create_sa): sa created,");
	/* R2 picks profile1 from R1's identity (V2-1), then keyring1's key */
	XN_EXPECT_ORDER(&net.n[1],
		     "IKEv2:(SESSION ID = 1,SA ID = 1):IKEv2 IKE_SA_INIT Exchange REQUEST",
		     "IKEv2:(SESSION ID = 1,SA ID = 1):Found Policy 'POL'",
		     "IKEv2:(SESSION ID = 1,SA ID = 1):Negotiated proposal: Encryption AES-CBC-256",
		     "IKEv2:(SESSION ID = 1,SA ID = 1):Payload contents: IDi AUTH "
		     "N(INITIAL_CONTACT) SA TSi TSr",
		     "IKEv2:(SESSION ID = 1,SA ID = 1):Received identity 192.168.0.1 of type "
		     "'IPv4 address'",
		     "IKEv2:found matching IKEv2 profile 'profile1'",
		     "IKEv2:% Getting preshared key from profile keyring keyring1",
		     "IKEv2:(SESSION ID = 1,SA ID = 1):Verification of peer's authentication data "
		     "PASSED",
		     "IKEv2:(SESSION ID = 1,SA ID = 1):Processing INITIAL_CONTACT",
		     "IKEv2:(SESSION ID = 1,SA ID = 1):Traffic selectors for Tunnel1: TSi "
		     "192.168.0.1-192.168.0.1 proto 47 ports 0-65535, TSr 192.168.0.2-192.168.0.2 "
		     "proto 47 ports 0-65535",
		     "IKEv2:(SESSION ID = 1,SA ID = 1):State change: R_INIT_SENT -> READY",
		     "IKEv2:(SESSION ID = 1,SA ID = 1):Session with IKE ID PAIR (192.168.0.1, "
		     "192.168.0.2) is UP",
		     "IPSEC(create_sa): sa created,");
	xn_free(&net);
}
END_TEST

/* V2-1: the same topology comes up when R2 initiates (with IKEv1 this
 * direction fails: R1 picks keyring1 blind, K3 + P2). */
START_TEST(v2_1_r2_initiates)
{
	start(r1_text(), r2_text(), 2);
	initiate(1, "Tunnel1");
	xn_run(&net, 1000);
	expect_pair();
	ck_assert_uint_eq(net.sent, 4);
	XN_EXPECT_ORDER(&net.n[0],
		     "IKEv2:found matching IKEv2 profile 'profile2'",
		     "IKEv2:% Getting preshared key from profile keyring keyring2",
		     "IKEv2:(SESSION ID = 1,SA ID = 1):Verification of peer's authentication data "
		     "PASSED");
	xn_free(&net);
}
END_TEST

/* A wrong key on R2's side: R2 answers AUTHENTICATION_FAILED with the IOS
 * lines, neither side keeps an SA, no child SA is installed. */
START_TEST(wrong_psk)
{
	char *t2 = xn_replace(r2_text(), "  address 192.168.0.1\n  pre-shared-key cisco\n!\n"
			      "crypto ikev2 keyring keyring2",
			      "  address 192.168.0.1\n  pre-shared-key wrong\n!\n"
			      "crypto ikev2 keyring keyring2");
	struct ik_engine_stats st;

	start(r1_text(), t2, 3);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_none();
	XN_EXPECT_ORDER(&net.n[1],
		     "IKEv2:(SESSION ID = 1,SA ID = 1):Verification of peer's authentication data "
		     "FAILED",
		     "IKEv2-ERROR:(SESSION ID = 1,SA ID = 1):: Auth exchange failed with "
		     "192.168.0.1 (Verification of peer's authentication data FAILED)",
		     "%IKEV2-3-NEG_ABORT: Negotiation aborted due to ERROR: Auth exchange failed "
		     "with 192.168.0.1",
		     "IKEv2:(SESSION ID = 1,SA ID = 1):IKEv2 IKE_AUTH Exchange RESPONSE",
		     "IKEv2:(SESSION ID = 1,SA ID = 1):Payload contents: N(AUTHENTICATION_FAILED)");
	XN_EXPECT_ORDER(&net.n[0],
		     "IKEv2:(SESSION ID = 1,SA ID = 1):Payload contents: N(AUTHENTICATION_FAILED)",
		     "%IKEV2-3-NEG_ABORT: Negotiation aborted due to ERROR: Auth exchange failed "
		     "with 192.168.0.2 (Received AUTHENTICATION_FAILED from the peer");
	for (int i = 0; i < 2; i++) {
		ik_engine_stats(net.n[i].e, &st);
		ck_assert_uint_eq(st.isakmp_sas, 0);
		ck_assert_uint_eq(st.p1_failed, 1);
		ck_assert_uint_eq(net.n[i].ups, 0);
	}
	xn_free(&net);
}
END_TEST


static char *vti(char *t)
{
	return xn_replace(t, " tunnel protection ipsec profile profile1",
			  " tunnel mode ipsec ipv4\n tunnel protection ipsec profile profile1");
}

/* VTI (`tunnel mode ipsec ipv4`): the child's selectors are any/any,
 * whichever side initiates. */
START_TEST(vti_both_roles)
{
	start(vti(r1_text()), vti(r2_text()), 4 + (unsigned)_i);
	initiate(_i, "Tunnel1");
	xn_run(&net, 1000);
	expect_pair();
	for (int i = 0; i < 2; i++) {
		ck_assert_uint_eq(net.n[i].up[0].sel.proto, 0);
		ck_assert_uint_eq(net.n[i].up[0].sel.src.v4, 0);
		ck_assert_uint_eq(ik_sel_mask4(net.n[i].up[0].sel.src_plen), 0);
		ck_assert_uint_eq(ik_sel_mask4(net.n[i].up[0].sel.dst_plen), 0);
		ck_assert_uint_eq(net.n[i].up[0].mode, IK_MODE_TUNNEL);
	}
	EXPECT_LINE(&net.n[1 - _i], "IKEv2:(SESSION ID = 1,SA ID = 1):Traffic selectors for "
		    "Tunnel1: "
		    "TSi 0.0.0.0-255.255.255.255 proto 0 ports 0-65535, TSr "
		    "0.0.0.0-255.255.255.255 proto 0 ports 0-65535");
	xn_free(&net);
}
END_TEST

/* A GRE tunnel on one side and VTI on the other: the responder cannot
 * narrow any/any to the GRE endpoints' protocol 47... it can: any/any
 * contains them. The other way round (GRE initiator, VTI responder) the
 * GRE selectors are within any/any too; a responder whose tunnel goes to
 * another address has nothing to offer: TS_UNACCEPTABLE, the IKE SA stays. */
START_TEST(ts_unacceptable)
{
	char *t2 = xn_replace(r2_text(), " tunnel destination 192.168.0.1",
			      " tunnel destination 192.168.0.77");
	struct ik_engine_stats st;

	start(r1_text(), t2, 5);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	ck_assert_uint_eq(net.n[0].nup, 0);
	ck_assert_uint_eq(net.n[1].nup, 0);
	EXPECT_LINE(&net.n[1], "no protected tunnel to 192.168.0.1 allows the peer's traffic "
		    "selectors (TSi 192.168.0.1-192.168.0.1 proto 47 ports 0-65535, TSr "
		    "192.168.0.2-192.168.0.2 proto 47 ports 0-65535): TS_UNACCEPTABLE");
	EXPECT_LINE(&net.n[0], "the peer refused the IPsec SA for Tunnel1: TS_UNACCEPTABLE");
	for (int i = 0; i < 2; i++) {
		ik_engine_stats(net.n[i].e, &st);
		ck_assert_uint_eq(st.isakmp_up, 1);
		ck_assert_uint_eq(st.p2_failed, 1);
	}
	xn_free(&net);
}
END_TEST

/* Each of the four messages lost once: the initiator retransmits its
 * request, the responder resends its kept response; one SA pair results. */
START_TEST(lost_each_message)
{
	for (unsigned k = 1; k <= 4; k++) {
		struct ik_engine_stats st;

		start(r1_text(), r2_text(), 10 + k);
		net.drop_mask = 1ull << (k - 1);
		initiate(0, "Tunnel1");
		xn_run(&net, 10000);
		expect_pair();
		ik_engine_stats(net.n[0].e, &st);
		ck_assert_uint_eq(st.retransmits, 1);
		ck_assert_uint_eq(st.p1_done, 1);
		ik_engine_stats(net.n[1].e, &st);
		ck_assert_uint_eq(st.p1_done, 1);
		ck_assert_uint_eq(st.isakmp_sas, 1);
		if (k == 2 || k == 4)
			EXPECT_LINE(&net.n[1], "resending the response");
		xn_free(&net);
	}
}
END_TEST

/* Every message delivered twice: duplicates of requests get the kept
 * response, duplicate responses are dropped; one SA pair results. */
START_TEST(duplicated_messages)
{
	struct ik_engine_stats st;

	start(r1_text(), r2_text(), 20);
	initiate(0, "Tunnel1");
	for (int step = 0; step < 64 && net.qlen; step++) {
		struct xmsg m = net.q[net.qhead];
		struct xnode *n = &net.n[m.to];

		net.qhead = (net.qhead + 1) % XN_QUEUE;
		net.qlen--;
		/* the datagram, and the same once more */
		ik_engine_input(n->e, &m.dst, &m.src, NULL, m.data, m.len);
		ik_engine_input(n->e, &m.dst, &m.src, NULL, m.data, m.len);
	}
	xn_run(&net, 1000);
	expect_pair();
	for (int i = 0; i < 2; i++) {
		ik_engine_stats(net.n[i].e, &st);
		ck_assert_uint_eq(st.isakmp_sas, 1);
		ck_assert_uint_eq(st.p1_done, 1);
		ck_assert_uint_eq(net.n[i].ups, 1);
	}
	EXPECT_LINE(&net.n[1], "Retransmitted request (message id 0): resending the response");
	EXPECT_LINE(&net.n[1], "Retransmitted request (message id 1): resending the response");
	EXPECT_LINE(&net.n[0], "does not answer our request");
	xn_free(&net);
}
END_TEST

/* Copies of a request get the kept response at most twice a second: four
 * copies at once get the answer and one resend, a fifth 600 ms later
 * another resend (the half-open responder's rate limit, kept in 32 bits). */
START_TEST(resend_rate_limited)
{
	struct xmsg m;
	unsigned q0;

	start(r1_text(), r2_text(), 21);
	net.now += 5000; /* the limit is counted from the SA's creation, not from 0 */
	initiate(0, "Tunnel1");
	ck_assert_uint_ge(net.qlen, 1);
	m = net.q[net.qhead];
	net.qhead = (net.qhead + 1) % XN_QUEUE;
	net.qlen--;
	q0 = net.qlen;
	for (int i = 0; i < 4; i++)
		ik_engine_input(net.n[m.to].e, &m.dst, &m.src, NULL, m.data, m.len);
	ck_assert_uint_eq(net.qlen, q0 + 2);
	net.now += 400;
	ik_engine_input(net.n[m.to].e, &m.dst, &m.src, NULL, m.data, m.len);
	ck_assert_uint_eq(net.qlen, q0 + 2);
	net.now += 200;
	ik_engine_input(net.n[m.to].e, &m.dst, &m.src, NULL, m.data, m.len);
	ck_assert_uint_eq(net.qlen, q0 + 3);
	xn_run(&net, 10000);
	expect_pair();
	xn_free(&net);
}
END_TEST

/* INVALID_KE_PAYLOAD: R1 offers groups 14 and 19 and sends a group-14 KE;
 * R2 takes only 19, answers INVALID_KE_PAYLOAD(19) without keeping state,
 * and R1 retries with 19 (RFC 7296 1.2). */
START_TEST(invalid_ke_retry)
{
	char *t1 = xn_replace(r1_text(), " group 14\n", " group 14 19\n");
	char *t2 = xn_replace(r2_text(), " group 14\n", " group 19\n");
	struct ik_engine_stats st;

	start(t1, t2, 6);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_pair();
	ck_assert_uint_eq(net.sent, 6);
	XN_EXPECT_ORDER(&net.n[1],
		     "IKEv2:KE payload of group 14 from 192.168.0.1, policy POL wants group 19: "
		     "sending INVALID_KE_PAYLOAD",
		     "Negotiated proposal: Encryption AES-CBC-256, PRF HMAC-SHA256, Integrity "
		     "HMAC-SHA256-128, DH group 19");
	XN_EXPECT_ORDER(&net.n[0],
		     "IKEv2:(SESSION ID = 1,SA ID = 1):Received INVALID_KE_PAYLOAD: the peer wants "
		     "DH group 19 (we sent 14)",
		     "IKEv2:(SESSION ID = 1,SA ID = 1):Generating IKE_SA_INIT message "
		     "(DH group 19)");
	expect_lazy_keys(1);
	ik_engine_stats(net.n[1].e, &st);
	ck_assert_uint_eq(st.isakmp_sas, 1);
	xn_free(&net);
}
END_TEST

/* No common proposal: NO_PROPOSAL_CHOSEN from R2 (no state kept), R1 gives
 * up with the IOS line. */
START_TEST(no_proposal)
{
	char *t2 = xn_replace(r2_text(), " encryption aes-cbc-256\n",
			      " encryption aes-cbc-128\n");

	start(r1_text(), t2, 7);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_none();
	ck_assert_uint_eq(net.sent, 2);
	EXPECT_LINE(&net.n[1], "IKEv2:Failed to find a matching proposal for 192.168.0.1 (policy "
		    "POL)");
	EXPECT_LINE(&net.n[1], "%IKEV2-5-RECV_CONNECTION_REQUEST: no matching IKEv2 proposal for "
		    "192.168.0.1: NO_PROPOSAL_CHOSEN");
	EXPECT_LINE(&net.n[0], "%IKEV2-3-NEG_ABORT: Negotiation aborted due to ERROR: the peer "
		    "192.168.0.2 answered NO_PROPOSAL_CHOSEN to IKE_SA_INIT (policy POL)");
	xn_free(&net);
}
END_TEST

/* COOKIE (RFC 7296 2.6): R2 has `crypto ikev2 cookie-challenge 1` and one
 * IKEv2 SA half-open already (a request from 198.51.100.1); R1's request is
 * answered with a COOKIE and no state, its retry carries it and succeeds.
 * tamper_cookie: the COOKIE of the retry is changed on the way, so R2
 * challenges again; the next retry succeeds. */
static void cookie_run(bool tamper_cookie)
{
	char *t2 = xn_replace(r2_text(), "crypto ikev2 policy POL",
			      "crypto ikev2 cookie-challenge 1\n!\ncrypto ikev2 policy POL");
	struct ik_engine_stats st;
	struct xmsg m;
	long at;

	start(r1_text(), t2, 8);
	if (tamper_cookie)
		net.tamper[0] = (struct xtamper){ .on = true, .from = 0,
			.exch = IK_V2_EXCH_IKE_SA_INIT, .nth = 3, .wire = true,
			.pl = IK_V2_PL_N, .pl_nth = 0, .at = 12, .mask = 0x40 };
	initiate(0, "Tunnel1");
	/* R1's first request goes elsewhere: replayed from another address with
	 * another SPI, it leaves one half-open SA on R2 */
	m = net.q[net.qhead];
	net.qlen = 0;
	m.data[0] ^= 0x5a;
	xn_inject_from(&net, 1, 0xc6336401u /* 198.51.100.1 */, 500, 500, m.data, m.len);
	ik_engine_stats(net.n[1].e, &st);
	ck_assert_uint_eq(st.half_open, 1);
	xn_run(&net, 20000);
	expect_pair();
	at = xn_find(&net.n[1], 0, "half-open IKEv2 SAs (cookie-challenge 1): sending COOKIE "
		     "to 192.168.0.1");
	ck_assert_int_ge(at, 0);
	EXPECT_LINE(&net.n[0], "Received COOKIE: sending IKE_SA_INIT again with it");
	expect_lazy_keys(1);
	if (tamper_cookie) {
		ck_assert_uint_eq(net.tamper[0].applied, 1);
		ck_assert_int_ge(xn_find(&net.n[1], (size_t)at + 1, "sending COOKIE to "
					 "192.168.0.1"), 0);
	} else {
		ck_assert_int_lt(xn_find(&net.n[1], (size_t)at + 1, "sending COOKIE to "
					 "192.168.0.1"), 0);
	}
	xn_free(&net);
}

START_TEST(cookie_round)
{
	cookie_run(false);
}
END_TEST

START_TEST(cookie_tampered)
{
	cookie_run(true);
}
END_TEST

/* The AUTH payload of R1's IKE_AUTH changed before encryption (an
 * authenticated channel carrying a wrong AUTH): R2 refuses it with the IOS
 * lines and AUTHENTICATION_FAILED; no SA. */
START_TEST(tampered_auth)
{
	start(r1_text(), r2_text(), 30);
	net.tamper[0] = (struct xtamper){ .on = true, .from = 0, .exch = IK_V2_EXCH_IKE_AUTH,
		.nth = 1, .pl = IK_V2_PL_AUTH, .pl_nth = 0, .at = 6, .mask = 0x01 };
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	ck_assert_uint_eq(net.tamper[0].applied, 1);
	expect_none();
	XN_EXPECT_ORDER(&net.n[1],
		     "IKEv2:(SESSION ID = 1,SA ID = 1):Verification of peer's authentication data "
		     "FAILED",
		     "%IKEV2-3-NEG_ABORT: Negotiation aborted due to ERROR: Auth exchange failed "
		     "with 192.168.0.1");
	EXPECT_NO_LINE(&net.n[1], "authentication data PASSED");
	xn_free(&net);
}
END_TEST

/* The responder's AUTH changed: the initiator refuses it (its own check). */
START_TEST(tampered_auth_responder)
{
	struct ik_engine_stats st;

	start(r1_text(), r2_text(), 31);
	net.tamper[0] = (struct xtamper){ .on = true, .from = 1, .exch = IK_V2_EXCH_IKE_AUTH,
		.nth = 1, .pl = IK_V2_PL_AUTH, .pl_nth = 0, .at = 4, .mask = 0x80 };
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	ck_assert_uint_eq(net.tamper[0].applied, 1);
	ck_assert_uint_eq(net.n[0].ups, 0);
	ik_engine_stats(net.n[0].e, &st);
	ck_assert_uint_eq(st.isakmp_sas, 0);
	EXPECT_LINE(&net.n[0], "IKEv2:(SESSION ID = 1,SA ID = 1):Verification of peer's "
		    "authentication data FAILED");
	xn_free(&net);
}
END_TEST

/* R1's IKE_AUTH changed on the wire: its ICV no longer verifies, R2 drops it before
 * acting on anything in it (its trace says why, nothing else happens); R1's
 * retransmission, intact, completes the exchange. */
START_TEST(tampered_icv)
{
	start(r1_text(), r2_text(), 32);
	/* a byte of the encrypted part (the ICV covers the whole message) */
	net.tamper[0] = (struct xtamper){ .on = true, .from = 0, .exch = IK_V2_EXCH_IKE_AUTH,
		.nth = 1, .wire = true, .pl = 0, .at = 60, .mask = 0x01 };
	initiate(0, "Tunnel1");
	xn_run(&net, 10000);
	expect_pair();
	EXPECT_LINE(&net.n[1], "Failed to verify the checksum of the encrypted payload (ICV "
		    "mismatch): message dropped");
	EXPECT_LINE(&net.n[1], "%IKEV2-5-INTEG_CHECK_FAIL: integrity check failed on a message "
		    "from 192.168.0.1:500");
	/* the tampered copy changed nothing: R2 answered only the intact one */
	ck_assert_int_lt(xn_find(&net.n[1], 0, "Verification of peer's authentication data "
				 "FAILED"), 0);
	xn_free(&net);
}
END_TEST

/* Message IDs (RFC 7296 2.3): with `dpd 10 2 periodic` R1 sends liveness
 * checks (message IDs 2, 3); the check with ID 2 replayed later is dropped by
 * R2, which sends nothing for it. */
START_TEST(replayed_request)
{
	char *t1 = xn_replace(r1_text(), " dpd 10 2 on-demand", " dpd 10 2 periodic");
	const struct xmsg *old;
	struct xmsg copy;
	unsigned before;

	start(t1, r2_text(), 33);
	initiate(0, "Tunnel1");
	xn_run(&net, 25000);
	expect_pair();
	old = xn_sent(&net, 0, IK_V2_EXCH_INFORMATIONAL, 0);
	ck_assert_ptr_nonnull(old);
	ck_assert_ptr_nonnull(xn_sent(&net, 0, IK_V2_EXCH_INFORMATIONAL, 1));
	copy = *old;
	ck_assert_uint_eq(ik_get32(copy.data + 20), 2);
	before = net.sent_by[1];
	xn_inject(&net, 0, copy.data, copy.len, 500);
	xn_deliver(&net);
	ck_assert_uint_eq(net.sent_by[1], before);
	EXPECT_LINE(&net.n[1], "request with message id 2, expected 4: dropped");
	xn_free(&net);
}
END_TEST

/* An unprotected IKE_SA_INIT answer for R1's SA from another address (a
 * forged NO_PROPOSAL_CHOSEN) is dropped; the real exchange completes. */
START_TEST(foreign_source)
{
	uint8_t forged[64];

	start(r1_text(), r2_text(), 34);
	initiate(0, "Tunnel1");
	/* header of R1's request, made a response carrying N(NO_PROPOSAL_CHOSEN) */
	memcpy(forged, net.q[net.qhead].data, IK_V2_HDR_LEN);
	forged[16] = IK_V2_PL_N;
	forged[19] = IK_V2_FLAG_R;
	memcpy(forged + IK_V2_HDR_LEN, "\0\0\0\x08\0\0\0\x0e", 8);
	ik_put32(forged + 24, IK_V2_HDR_LEN + 8);
	xn_inject_from(&net, 0, 0xcb007101u /* 203.0.113.1 */, 500, 500, forged,
		       IK_V2_HDR_LEN + 8);
	xn_run(&net, 1000);
	expect_pair();
	EXPECT_LINE(&net.n[0], "IKE_SA_INIT from 203.0.113.1:500, not the SA's peer "
		    "192.168.0.2:500: dropped");
	EXPECT_NO_LINE(&net.n[0], "NO_PROPOSAL_CHOSEN");
	xn_free(&net);
}
END_TEST

/* R1 behind a NAT (its datagrams leave from 203.0.113.10): NAT-D finds it,
 * both move to UDP 4500 for IKE_AUTH, the child is UDP-encapsulated. VTI,
 * R2's tunnel and key name the NAT's address. */
START_TEST(nat_t)
{
	char *t2 = xn_replace(xn_replace(vti(r2_text()), " tunnel destination 192.168.0.1",
					 " tunnel destination 203.0.113.10"),
			      "  address 192.168.0.1\n  pre-shared-key cisco\n!\n"
			      "crypto ikev2 keyring keyring2",
			      "  address 203.0.113.10\n  pre-shared-key cisco\n!\n"
			      "crypto ikev2 keyring keyring2");

	start(vti(r1_text()), t2, 35);
	net.nat_addr = 0xcb00710au;
	net.nat_port500 = 10500;
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(net.n[1].nup, 1);
	ck_assert(net.n[0].up[0].udp_encap);
	ck_assert(net.n[1].up[0].udp_encap);
	ck_assert_uint_eq(net.n[0].up[0].encap_local_port, 4500);
	ck_assert_uint_eq(net.n[1].up[0].encap_remote_port, 10501);
	ck_assert_uint_eq(net.n[0].up[0].out.spi, net.n[1].up[0].in.spi);
	EXPECT_LINE(&net.n[0], "NAT detected: this end is behind a NAT");
	EXPECT_LINE(&net.n[1], "NAT detected: the peer is behind a NAT");
	EXPECT_LINE(&net.n[0], "NAT detected float to init port 4500, resp port 4500");
	EXPECT_LINE(&net.n[1], "peer moved from 203.0.113.10:10500 to 203.0.113.10:10501 "
		    "(local port 4500), authenticated");
	xn_free(&net);
}
END_TEST

/* The peer never answers: IKE_SA_INIT is retransmitted with back-off
 * (2, 4, 8, 16, 16 s: five times), then the SA goes with the IOS line. */
START_TEST(peer_silent)
{
	struct ik_engine_stats st;

	start(r1_text(), r2_text(), 40);
	net.blackhole[1] = true;
	initiate(0, "Tunnel1");
	xn_run(&net, 45000);
	ik_engine_stats(net.n[0].e, &st);
	ck_assert_uint_eq(st.isakmp_sas, 1);
	ck_assert_uint_eq(st.retransmits, 4);
	xn_run(&net, 20000);
	ik_engine_stats(net.n[0].e, &st);
	ck_assert_uint_eq(st.retransmits, 5);
	ck_assert_uint_eq(st.isakmp_sas, 0);
	ck_assert_uint_eq(st.p1_failed, 1);
	ck_assert_uint_eq(net.sent, 6);
	XN_EXPECT_ORDER(&net.n[0],
		     "IKEv2:(SESSION ID = 1,SA ID = 1):Retransmitting packet",
		     "IKEv2:(SESSION ID = 1,SA ID = 1):Maximum number of retransmissions reached",
		     "%IKEV2-3-NEG_ABORT: Negotiation aborted due to ERROR: no response from "
		     "192.168.0.2 to IKE_SA_INIT after 5 retransmissions");
	xn_free(&net);
}
END_TEST

/* A protected message from another address whose ICV does not verify does
 * not move the SA: it still sends to the peer's address it had. */
START_TEST(no_move_unauthenticated)
{
	const struct xmsg *auth;
	struct xmsg copy;

	start(r1_text(), r2_text(), 41);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_pair();
	auth = xn_sent(&net, 0, IK_V2_EXCH_IKE_AUTH, 0);
	ck_assert_ptr_nonnull(auth);
	copy = *auth;
	/* a later message ID, so that it is not taken for a retransmission */
	ik_put32(copy.data + 20, 2);
	copy.data[copy.len - 1] ^= 0x01;
	xn_inject_from(&net, 1, 0xcb007101u /* 203.0.113.1 */, 4500, 4500, copy.data, copy.len);
	EXPECT_LINE(&net.n[1], "ICV mismatch");
	EXPECT_NO_LINE(&net.n[1], "peer moved");
	xn_free(&net);
}
END_TEST

/* AEAD IKE SAs (the SK payload sealed with AES-GCM or ChaCha20-Poly1305,
 * IVs from a counter) with X25519 or ECP-256, and an AES-GCM child. */
static char *aead(char *t, int v)
{
	t = xn_replace(t, " encryption aes-cbc-256\n integrity sha256\n group 14\n",
		       v == 0 ? " encryption aes-gcm-256\n prf sha256\n group 31\n" :
		       " encryption chacha20-poly1305\n prf sha512\n group 19\n");
	return xn_replace(t, "crypto ipsec transform-set TS esp-aes esp-sha256-hmac",
			  "crypto ipsec transform-set TS esp-gcm 256");
}

START_TEST(aead_suites)
{
	start(aead(r1_text(), _i), aead(r2_text(), _i), 50 + (unsigned)_i);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_pair();
	ck_assert_uint_eq(net.n[0].up[0].enc, IK_ESP_GCM);
	ck_assert_uint_eq(net.n[0].up[0].enc_keylen, 256);
	ck_assert_uint_eq(net.n[0].up[0].icv_bits, 128);
	EXPECT_LINE(&net.n[1], _i == 0 ? "Negotiated proposal: Encryption AES-GCM-16-256, PRF "
		    "HMAC-SHA256, Integrity none, DH group 31" : "Negotiated proposal: Encryption "
		    "CHACHA20-POLY1305, PRF HMAC-SHA512, Integrity none, DH group 19");
	xn_free(&net);
}
END_TEST

/* `set pfs` on both IPsec profiles: the child of IKE_AUTH has no D-H of its
 * own (RFC 7296 1.2) and comes up all the same. */
START_TEST(pfs_profile_ike_auth)
{
	char *t1 = xn_replace(r1_text(), " set transform-set TS\n",
			      " set transform-set TS\n set pfs group14\n");
	char *t2 = xn_replace(r2_text(), " set transform-set TS\n",
			      " set transform-set TS\n set pfs group14\n");

	start(t1, t2, 60);
	initiate(1, "Tunnel1");
	xn_run(&net, 1000);
	expect_pair();
	ck_assert_uint_eq(net.n[0].up[0].pfs_group, 0);
	xn_free(&net);
}
END_TEST

/* Reload: the same configuration keeps the IKEv2 SA and its child; a changed
 * transform set on the initiator's tunnel takes both down. */
START_TEST(reload)
{
	struct ik_engine_stats st;
	struct ik_config *c;
	char *t;

	start(r1_text(), r2_text(), 61);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_pair();
	t = r1_text();
	c = xn_load(t, "r1.conf");
	free(t);
	ik_engine_set_config(net.n[0].e, c);
	ik_config_unref(c);
	ik_engine_stats(net.n[0].e, &st);
	ck_assert_uint_eq(st.isakmp_up, 1);
	ck_assert_uint_eq(st.child_sas, 1);
	t = xn_replace(r1_text(), "esp-aes esp-sha256-hmac", "esp-aes 256 esp-sha-hmac");
	c = xn_load(t, "r1.conf");
	free(t);
	ik_engine_set_config(net.n[0].e, c);
	ik_config_unref(c);
	ik_engine_stats(net.n[0].e, &st);
	ck_assert_uint_eq(st.isakmp_sas, 0);
	ck_assert_uint_eq(st.child_sas, 0);
	EXPECT_LINE(&net.n[0], "Deleting SA: reason \"configuration changed\"");
	xn_free(&net);
}
END_TEST

/* crypto ikev2 limit max-in-negotiation-sa 1: with one IKEv2 SA half-open
 * on R2 already, R1's request is refused (no answer, no state) with the
 * line saying so. */
START_TEST(max_in_negotiation)
{
	char *t2 = xn_replace(r2_text(), "crypto ikev2 policy POL",
			      "crypto ikev2 limit max-in-negotiation-sa 1\n!\n"
			      "crypto ikev2 policy POL");
	struct ik_engine_stats st;
	struct xmsg m;

	start(r1_text(), t2, 62);
	initiate(0, "Tunnel1");
	m = net.q[net.qhead];
	net.qlen = 0;
	m.data[0] ^= 0x5a;
	xn_inject_from(&net, 1, 0xc6336401u /* 198.51.100.1 */, 500, 500, m.data, m.len);
	xn_run(&net, 5000);
	ck_assert_uint_eq(net.n[1].nup, 0);
	ik_engine_stats(net.n[1].e, &st);
	ck_assert_uint_eq(st.isakmp_sas, 1);
	ck_assert_uint_ge(st.half_open_refused, 1);
	EXPECT_LINE(&net.n[1], "%IKEV2-4-MAX_IN_NEG: in-negotiation SA limit 1 reached, "
		    "IKE_SA_INIT from 192.168.0.1 refused");
	xn_free(&net);
}
END_TEST

/* Asymmetric keys (`pre-shared-key local|remote`): each side signs with its
 * local key and checks the peer with its remote key; crossed right, the
 * tunnel comes up; R1's remote key wrong, R1 refuses R2's AUTH. */
static char *asym(char *t, const char *peer_addr, const char *local, const char *remote)
{
	char from[128], to[256];

	snprintf(from, sizeof(from), "  address %s\n  pre-shared-key cisco\n", peer_addr);
	snprintf(to, sizeof(to), "  address %s\n  pre-shared-key local %s\n"
		 "  pre-shared-key remote %s\n", peer_addr, local, remote);
	/* both keyrings of the file */
	return xn_replace(xn_replace(t, from, to), from, to);
}

START_TEST(asymmetric_keys)
{
	start(asym(r1_text(), "192.168.0.2", "from-r1", "from-r2"),
	      asym(r2_text(), "192.168.0.1", "from-r2", _i ? "wrong" : "from-r1"), 70);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	if (!_i) {
		expect_pair();
	} else {
		expect_none();
		EXPECT_LINE(&net.n[1], "Verification of peer's authentication data FAILED");
	}
	xn_free(&net);
}
END_TEST

/* Identities other than addresses (V2-1): R1 says fqdn r1.example.com, R2's
 * profile matches that name and its keyring's peer block holds the key by
 * identity (the address of the block points elsewhere). */
START_TEST(fqdn_identity)
{
	char *t1 = xn_replace(r1_text(), " identity local address 192.168.0.1\n",
			      " identity local fqdn r1.example.com\n");
	char *t2 = xn_replace(r2_text(), " match identity remote address 192.168.0.1 "
			      "255.255.255.255\n", " match identity remote fqdn r1.example.com\n");

	t2 = xn_replace(t2, "crypto ikev2 keyring keyring1\n peer R1\n  address 192.168.0.1\n",
			"crypto ikev2 keyring keyring1\n peer R1\n  address 10.9.9.9\n"
			"  identity fqdn r1.example.com\n");
	start(t1, t2, 71);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_pair();
	XN_EXPECT_ORDER(&net.n[1],
		     "IKEv2:(SESSION ID = 1,SA ID = 1):Received identity r1.example.com of type "
		     "'FQDN'",
		     "IKEv2:found matching IKEv2 profile 'profile1'",
		     "IKEv2:% Getting preshared key from profile keyring keyring1",
		     "Verification of peer's authentication data PASSED");
	xn_free(&net);
}
END_TEST

/* An IKE_SA_INIT from an IPv6 peer to a router configured for IPv4 peers:
 * the policy (no match address local) applies on any address, so it is
 * answered over IPv6, as IOS does; IKE_AUTH would find no IPv6 identity or
 * key (test_exchange_v6 runs IKEv2 over IPv6 to the end). A request whose
 * addresses are of two families never reaches the engine from the daemon,
 * and is dropped. */
START_TEST(ipv6_peer_answered)
{
	struct ik_engine_stats st;
	struct ik_addr a6 = { .family = IK_AF_INET6 }, l6 = { .family = IK_AF_INET6 };
	struct ik_endpoint src, dst;
	struct xmsg m;

	start(r1_text(), r2_text(), 80);
	initiate(0, "Tunnel1");
	m = net.q[net.qhead];
	net.qlen = 0;
	a6.v6[0] = 0x20; a6.v6[1] = 0x01; a6.v6[2] = 0x0d; a6.v6[3] = 0xb8; a6.v6[15] = 1;
	l6 = a6;
	l6.v6[15] = 2;
	src = ik_ep(&a6, 500);
	dst = ik_ep_v4(R2_ADDR, 500);
	ik_engine_input(net.n[1].e, &dst, &src, NULL, m.data, m.len);
	ik_engine_stats(net.n[1].e, &st);
	ck_assert_uint_eq(st.isakmp_sas, 0);
	EXPECT_LINE(&net.n[1], "IKEv2:IKE_SA_INIT request from 2001:db8::1 to an address of the "
		    "other family: dropped");
	dst = ik_ep(&l6, 500);
	ik_engine_input(net.n[1].e, &dst, &src, NULL, m.data, m.len);
	ik_engine_stats(net.n[1].e, &st);
	ck_assert_uint_eq(st.isakmp_sas, 1);
	EXPECT_LINE(&net.n[1], "Sending Packet [To 2001:db8::1:500/From 2001:db8::2:500");
	xn_free(&net);
}
END_TEST

/* The host cannot install R2's child SA pair: R2 says so and deletes the
 * pair at R1 with an INFORMATIONAL DELETE; the IKE SA stays. */
START_TEST(child_up_failure)
{
	struct ik_engine_stats st;
	const struct xmsg *d;

	start(r1_text(), r2_text(), 81);
	net.n[1].fail_child_up = true;
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	ck_assert_uint_eq(net.n[1].nup, 0);
	ik_engine_stats(net.n[1].e, &st);
	ck_assert_uint_eq(st.isakmp_up, 1);
	ck_assert_uint_eq(st.p2_failed, 1);
	d = xn_sent(&net, 1, IK_V2_EXCH_INFORMATIONAL, 0);
	ck_assert_ptr_nonnull(d);
	EXPECT_LINE(&net.n[1], "IPSEC: installing the SA pair for Tunnel1");
	EXPECT_LINE(&net.n[1], "Payload contents: D");
	EXPECT_LINE(&net.n[1], "(not installed)");
	EXPECT_LINE(&net.n[0], "IKEv2 INFORMATIONAL Exchange REQUEST");
	xn_free(&net);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("exchange_v2");
	TCase *tc = tcase_create("v2");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, v2_1_r1_initiates);
	tcase_add_test(tc, v2_1_r2_initiates);
	tcase_add_test(tc, wrong_psk);
	tcase_add_test(tc, resend_rate_limited);
	tcase_add_loop_test(tc, vti_both_roles, 0, 2);
	tcase_add_test(tc, peer_silent);
	tcase_add_test(tc, pfs_profile_ike_auth);
	tcase_add_test(tc, reload);
	tcase_add_test(tc, max_in_negotiation);
	tcase_add_loop_test(tc, asymmetric_keys, 0, 2);
	tcase_add_test(tc, fqdn_identity);
	tcase_add_test(tc, ipv6_peer_answered);
	tcase_add_test(tc, child_up_failure);
	tcase_add_loop_test(tc, aead_suites, 0, 2);
	tcase_add_test(tc, no_move_unauthenticated);
	tcase_add_test(tc, ts_unacceptable);
	tcase_add_test(tc, lost_each_message);
	tcase_add_test(tc, duplicated_messages);
	tcase_add_test(tc, invalid_ke_retry);
	tcase_add_test(tc, no_proposal);
	tcase_add_test(tc, cookie_round);
	tcase_add_test(tc, cookie_tampered);
	tcase_add_test(tc, tampered_auth);
	tcase_add_test(tc, tampered_auth_responder);
	tcase_add_test(tc, tampered_icv);
	tcase_add_test(tc, replayed_request);
	tcase_add_test(tc, foreign_source);
	tcase_add_test(tc, nat_t);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
