/* IKE over IPv6 between two engines in one process: IKEv1 Main Mode and
 * Quick Mode, and IKEv2, between 2001:db8::1 (R1) and 2001:db8::2 (R2) with
 * `tunnel mode gre ipv6`, keys and identities written `address ipv6`
 * (rules K1, K3.6, P1, P2 over IPv6; V2-1). Deterministic: fake clock,
 * seeded RNGs. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/crypto.h"
#include "ike/peer.h"
#include "ike/v1_msg.h"
#include "ike/v2_msg.h"
#include "test_exchange_harness.h"
#include "util/addr.h"
#include "util/strbuf.h"
#include "util/util.h"

static struct xnet net;

static const char r1_v1[] =
	"hostname R1\n"
	"crypto keyring keyring1\n"
	"  pre-shared-key address ipv6 2001:db8::2/128 key cisco6\n"
	"crypto keyring keyring0\n"
	"  pre-shared-key address ipv6 2001:db8::/32 key wrong\n"
	"crypto isakmp policy 10\n"
	" encr aes\n"
	" hash sha256\n"
	" authentication pre-share\n"
	" group 14\n"
	"crypto isakmp profile profile1\n"
	"   keyring keyring1\n"
	"   match identity address ipv6 2001:db8::2/128\n"
	"crypto ipsec transform-set TS esp-aes esp-sha256-hmac\n"
	" mode tunnel\n"
	"crypto ipsec profile profile1\n"
	" set transform-set TS\n"
	" set isakmp-profile profile1\n"
	"interface Tunnel1\n"
	" ip address 10.0.0.1 255.255.255.0\n"
	" tunnel source Ethernet0/0\n"
	" tunnel mode gre ipv6\n"
	" tunnel destination 2001:db8::2\n"
	" tunnel protection ipsec profile profile1\n"
	"interface Ethernet0/0\n"
	" ipv6 address 2001:db8::1/64\n";

static const char r2_v1[] =
	"hostname R2\n"
	"crypto keyring keyring0\n"
	"  pre-shared-key address ipv6 2001:db8::/32 key wrong\n"
	"crypto keyring keyring1\n"
	"  pre-shared-key address ipv6 2001:db8::1/128 key cisco6\n"
	"crypto isakmp policy 10\n"
	" encr aes\n"
	" hash sha256\n"
	" authentication pre-share\n"
	" group 14\n"
	"crypto isakmp profile profile1\n"
	"   keyring keyring1\n"
	"   match identity address ipv6 2001:db8::1/128\n"
	"crypto ipsec transform-set TS esp-aes esp-sha256-hmac\n"
	" mode tunnel\n"
	"crypto ipsec profile profile1\n"
	" set transform-set TS\n"
	" set isakmp-profile profile1\n"
	"interface Tunnel1\n"
	" ip address 10.0.0.2 255.255.255.0\n"
	" tunnel source Ethernet0/0\n"
	" tunnel mode gre ipv6\n"
	" tunnel destination 2001:db8::1\n"
	" tunnel protection ipsec profile profile1\n"
	"interface Ethernet0/0\n"
	" ipv6 address 2001:db8::2/64\n";

static const char r1_v2[] =
	"hostname R1\n"
	"crypto ikev2 proposal PROP\n"
	" encryption aes-cbc-256\n"
	" integrity sha256\n"
	" group 14\n"
	"crypto ikev2 policy POL\n"
	" proposal PROP\n"
	"crypto ikev2 keyring keyring1\n"
	" peer R2\n"
	"  address ipv6 2001:db8::2/128\n"
	"  pre-shared-key cisco6\n"
	"crypto ikev2 profile profile1\n"
	" match identity remote address ipv6 2001:db8::2/128\n"
	" authentication remote pre-share\n"
	" authentication local pre-share\n"
	" keyring local keyring1\n"
	"crypto ipsec transform-set TS esp-aes esp-sha256-hmac\n"
	" mode tunnel\n"
	"crypto ipsec profile profile1\n"
	" set transform-set TS\n"
	" set ikev2-profile profile1\n"
	"interface Tunnel1\n"
	" ip address 10.0.0.1 255.255.255.0\n"
	" tunnel source Ethernet0/0\n"
	" tunnel mode gre ipv6\n"
	" tunnel destination 2001:db8::2\n"
	" tunnel protection ipsec profile profile1\n"
	"interface Ethernet0/0\n"
	" ipv6 address 2001:db8::1/64\n";

static const char r2_v2[] =
	"hostname R2\n"
	"crypto ikev2 proposal PROP\n"
	" encryption aes-cbc-256\n"
	" integrity sha256\n"
	" group 14\n"
	"crypto ikev2 policy POL\n"
	" proposal PROP\n"
	"crypto ikev2 keyring keyring1\n"
	" peer R1\n"
	"  address ipv6 2001:db8::1/128\n"
	"  pre-shared-key cisco6\n"
	"crypto ikev2 profile profile1\n"
	" match identity remote address ipv6 2001:db8::1/128\n"
	" authentication remote pre-share\n"
	" authentication local pre-share\n"
	" keyring local keyring1\n"
	"crypto ipsec transform-set TS esp-aes esp-sha256-hmac\n"
	" mode tunnel\n"
	"crypto ipsec profile profile1\n"
	" set transform-set TS\n"
	" set ikev2-profile profile1\n"
	"interface Tunnel1\n"
	" ip address 10.0.0.2 255.255.255.0\n"
	" tunnel source Ethernet0/0\n"
	" tunnel mode gre ipv6\n"
	" tunnel destination 2001:db8::1\n"
	" tunnel protection ipsec profile profile1\n"
	"interface Ethernet0/0\n"
	" ipv6 address 2001:db8::2/64\n";

static struct ik_addr v6(const char *s)
{
	struct ik_addr a;

	ck_assert_int_eq(ik_addr_parse_any(s, &a), 0);
	return a;
}

static void start(const char *t1, const char *t2, uint64_t seed)
{
	struct ik_config *c1 = xn_load(t1, "r1.conf"), *c2 = xn_load(t2, "r2.conf");
	struct ik_addr a1 = v6("2001:db8::1"), a2 = v6("2001:db8::2");

	xn_init_ip(&net, c1, &a1, c2, &a2, seed, NULL);
}

#define EXPECT_ORDER(node, ...)                                                         \
	do {                                                                            \
		static const char *const lines_[] = { __VA_ARGS__ };                     \
		const char *miss_ = xn_in_order((node), lines_,                         \
						sizeof(lines_) / sizeof(*lines_));      \
		if (miss_)                                                              \
			xn_dump(node);                                                     \
		ck_assert_msg(!miss_, "%s: trace line missing or out of order: \"%s\"", \
			      (node)->name, miss_ ? miss_ : "");                        \
	} while (0)

#define EXPECT_LINE(node, s)                                                            \
	do {                                                                            \
		if (xn_find((node), 0, (s)) < 0)                                        \
			xn_dump(node);                                                     \
		ck_assert_msg(xn_find((node), 0, (s)) >= 0, "%s: no line \"%s\"",       \
			      (node)->name, (s));                                       \
	} while (0)

static void initiate(int side, const char *ifname)
{
	struct ik_sb err;

	ik_sb_init(&err);
	ck_assert_msg(ik_engine_initiate(net.n[side].e, ifname, &err) == 0, "%s", ik_sb_str(&err));
	ik_sb_free(&err);
}

static void expect_line(const struct xnode *n, const char *line)
{
	if (xn_find(n, 0, line) < 0)
		xn_dump(n);
	ck_assert_msg(xn_find(n, 0, line) >= 0, "%s: no line \"%s\"", n->name, line);
}

/* Both sides hold one child SA pair for Tunnel1 (GRE over IPv6: proto 47
 * between the two tunnel endpoints), each one's outbound SA the other's
 * inbound one, the ESP outer addresses those of the IKE SA. */
static void expect_pair(void)
{
	struct ik_addr a1 = v6("2001:db8::1"), a2 = v6("2001:db8::2");
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
	ck_assert(!memcmp(a->out.enc_key, b->in.enc_key, sizeof(a->out.enc_key)));
	ck_assert(!memcmp(a->in.auth_key, b->out.auth_key, sizeof(a->in.auth_key)));
	ck_assert(ik_addr_eq(&a->out.src, &a1) && ik_addr_eq(&a->out.dst, &a2));
	ck_assert(ik_addr_eq(&a->in.src, &a2) && ik_addr_eq(&a->in.dst, &a1));
	ck_assert(ik_addr_eq(&b->out.src, &a2) && ik_addr_eq(&b->out.dst, &a1));
	ck_assert_uint_eq(a->sel.proto, 47);
	ck_assert(ik_addr_eq(&a->sel.src, &a1) && ik_addr_eq(&a->sel.dst, &a2));
	ck_assert_uint_eq(a->sel.src_plen, 128);
	ck_assert(ik_addr_eq(&b->sel.src, &a2) && ik_addr_eq(&b->sel.dst, &a1));
	ck_assert_str_eq(a->ifname, "Tunnel1");
	ck_assert_str_eq(b->ifname, "Tunnel1");
}

static void show_sa(int side, bool detail, struct ik_sb *out)
{
	ik_sb_init(out);
	ik_engine_show_isakmp_sa(net.n[side].e, detail, false, out);
}

/* R1 initiates Main Mode over IPv6 to R2 (K3.6: the /128 key beats the /32
 * one of another keyring; P1: match identity address ipv6; P2: the key is in
 * the profile's keyring): both ends complete phase 1, identities travel as
 * ID_IPV6_ADDR (type 5), and every line names the peer as IOS prints IPv6. */
START_TEST(v1_main_mode)
{
	struct ik_engine_stats st;
	struct ik_sb out;

	start(r1_v1, r2_v1, 1);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	ik_engine_stats(net.n[0].e, &st);
	ck_assert_uint_eq(st.p1_done, 1);
	ik_engine_stats(net.n[1].e, &st);
	ck_assert_uint_eq(st.p1_done, 1);
	ck_assert_uint_eq(st.p2_done, 1);
	expect_pair();
	EXPECT_ORDER(&net.n[1],
		     "ISAKMP (0): received packet from 2001:DB8::1 dport 500 sport 500 Global "
		     "(N) NEW SA",
		     "ISAKMP:(0):key for 2001:DB8::1 found in keyring0",
		     "ISAKMP:(0):ISAKMP: Selecting 2001:DB8::1/128 as final key",
		     "ISAKMP (1001): No NAT Found for self or peer",
		     "\ttype         : 5",
		     "\taddress      : 2001:DB8::1",
		     "ISAKMP:(0):: peer matches profile1 profile",
		     "ISAKMP:(1001):Found ADDRESS key in keyring keyring1",
		     "ISAKMP:(1001):SA has been authenticated with 2001:DB8::1",
		     "ISAKMP:(1001):SA is doing pre-shared key authentication using id type "
		     "ID_IPV6_ADDR",
		     "\taddress      : 2001:DB8::2",
		     "ISAKMP:(1001): sending packet to 2001:DB8::1 my_port 500 peer_port 500 (R) "
		     "MM_KEY_EXCH",
		     "ISAKMP:(1001):Sending an IKE IPv6 Packet.",
		     "ISAKMP:(1001):Old State = IKE_R_MM5 New State = IKE_P1_COMPLETE");
	EXPECT_ORDER(&net.n[0],
		     "ISAKMP:(0): SA request profile is profile1",
		     "ISAKMP:(0):Found ADDRESS key in keyring keyring1",
		     "ISAKMP (1001): No NAT Found for self or peer",
		     "ISAKMP:(1001):SA is doing pre-shared key authentication using id type "
		     "ID_IPV6_ADDR",
		     "ISAKMP:(1001):SA has been authenticated with 2001:DB8::2",
		     "ISAKMP:(1001):Old State = IKE_I_MM6 New State = IKE_P1_COMPLETE");
	/* show crypto isakmp sa: nothing under IPv4, the SA under IPv6 */
	show_sa(0, false, &out);
	ck_assert_msg(strstr(ik_sb_str(&out), "IPv4 Crypto ISAKMP SA\n"
			     "dst             src             state          conn-id status\n"
			     "\nIPv6 Crypto ISAKMP SA\n\n"
			     " dst: 2001:DB8::2\n src: 2001:DB8::1\n"
			     " state: QM_IDLE         conn-id:   1001 status: ACTIVE\n"),
		      "%s", ik_sb_str(&out));
	ik_sb_free(&out);
	show_sa(1, true, &out);
	ck_assert_msg(strstr(ik_sb_str(&out), "IPv6 Crypto ISAKMP SA\n\nC-id  Local") &&
		      strstr(ik_sb_str(&out), "1001  2001:DB8::2\n"
			     "                      2001:DB8::1\n"
			     "                                      (none)/(none)  ACTIVE aes  "
			     "sha256 psk  14"), "%s", ik_sb_str(&out));
	ik_sb_free(&out);
	ik_sb_init(&out);
	ik_engine_show_isakmp_sa(net.n[1].e, false, true, &out);
	ck_assert_msg(strstr(ik_sb_str(&out), "\"dst\":\"2001:DB8::1\",\"src\":\"2001:DB8::2\"") ||
		      strstr(ik_sb_str(&out), "\"dst\":\"2001:DB8::2\",\"src\":\"2001:DB8::1\""),
		      "%s", ik_sb_str(&out));
	ik_sb_free(&out);
	xn_free(&net);
}
END_TEST

/* The first payload of type `type` in a message in clear, or NULL. */
static const uint8_t *find_pl(const uint8_t *m, size_t len, uint8_t type, size_t *blen)
{
	uint8_t np = m[16];
	size_t off = 28;

	for (unsigned k = 0; k < 32 && np && off + 4 <= len; k++) {
		size_t pl = ik_get16(m + off + 2);

		if (pl < 4 || off + pl > len)
			return NULL;
		if (np == type) {
			*blen = pl - 4;
			return m + off + 4;
		}
		np = m[off];
		off += pl;
	}
	return NULL;
}

/* NAT-D over IPv6 (RFC 3947 3.2): HASH(CKY-I | CKY-R | IP | port) with the
 * 16 bytes of the address. MM3's first NAT-D payload, recomputed here for
 * R2's address, must match; a 4-byte address would not. */
START_TEST(v1_natd_ipv6)
{
	const struct xmsg *mm3;
	const uint8_t *pl;
	uint8_t a[16], port[2], h[32];
	size_t blen = 0;
	struct ik_addr r2 = v6("2001:db8::2");

	start(r1_v1, r2_v1, 2);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	mm3 = xn_sent(&net, 0, IK_V1_EXCH_MM, 1);
	ck_assert_ptr_nonnull(mm3);
	pl = find_pl(mm3->data, mm3->len, IK_V1_PL_NATD, &blen);
	ck_assert_ptr_nonnull(pl);
	ck_assert_uint_eq(blen, 32);
	memcpy(a, r2.v6, 16);
	ik_put16(port, 500);
	{
		struct ik_iov iov[4] = {
			{ mm3->data, 8 }, { mm3->data + 8, 8 }, { a, 16 }, { port, 2 },
		};

		ck_assert_int_eq(ik_hash(IK_HASH_SHA256, iov, 4, h), 0);
	}
	ck_assert(!memcmp(pl, h, 32));
	expect_line(&net.n[1], "ISAKMP (1001): No NAT Found for self or peer");
	xn_free(&net);
}
END_TEST

/* R2 holds another key for R1's IPv6 address: MM5 does not decrypt, R2 says
 * so with the hint naming its key, and no SA comes up on either side. */
START_TEST(v1_wrong_key)
{
	struct ik_engine_stats st;
	char *t2 = xn_replace(strdup(r2_v1), "address ipv6 2001:db8::1/128 key cisco6",
			      "address ipv6 2001:db8::1/128 key cisco7");

	start(r1_v1, t2, 3);
	free(t2);
	initiate(0, "Tunnel1");
	xn_run(&net, 120000);
	EXPECT_ORDER(&net.n[1], "ISAKMP: reserved not zero on ID payload!",
		     "%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from 2001:DB8::1 failed its sanity "
		     "check or is malformed",
		     "ISAKMP:(1001): MM5 from 2001:DB8::1 did not decrypt to a valid message: the "
		     "pre-shared key probably differs from the peer's (this side used the key of "
		     "keyring keyring1, line 5)");
	for (int i = 0; i < 2; i++) {
		ik_engine_stats(net.n[i].e, &st);
		ck_assert_uint_eq(st.p1_done, 0);
		ck_assert_uint_eq(st.isakmp_up, 0);
	}
	xn_free(&net);
}
END_TEST

/* A message in clear with the cookies of R2's SA, from another IPv6 address
 * whose first 32 bits are R1's (2001:db8::99): the source check compares the
 * whole address and drops it; the SA stays with R1. */
START_TEST(v1_foreign_source)
{
	struct ik_endpoint src, dst;
	const struct xmsg *mm1, *mm2;
	struct ik_addr spoof = v6("2001:db8::99");
	struct ik_engine_stats st;
	uint8_t m[XN_MAX_MSG];
	struct ik_sb out;

	start(r1_v1, r2_v1, 4);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	mm1 = xn_sent(&net, 0, IK_V1_EXCH_MM, 0);
	mm2 = xn_sent(&net, 1, IK_V1_EXCH_MM, 0);
	ck_assert_ptr_nonnull(mm1);
	ck_assert_ptr_nonnull(mm2);
	memcpy(m, mm1->data, mm1->len);
	memcpy(m + 8, mm2->data + 8, 8); /* the live SA's responder cookie */
	src = ik_ep(&spoof, 500);
	dst = ik_ep(&net.n[1].ip, 500);
	ik_engine_input(net.n[1].e, &dst, &src, NULL, m, mm1->len);
	expect_line(&net.n[1], "ISAKMP:(1001): unauthenticated message from 2001:DB8::99 port 500 "
		    "(dport 500) for the SA with 2001:DB8::1 port 500, dropped");
	ik_engine_stats(net.n[1].e, &st);
	ck_assert_uint_eq(st.isakmp_up, 1);
	show_sa(1, false, &out);
	ck_assert_msg(strstr(ik_sb_str(&out), " dst: 2001:DB8::2\n src: 2001:DB8::1\n"), "%s",
		      ik_sb_str(&out));
	ik_sb_free(&out);
	xn_free(&net);
}
END_TEST

/* clear crypto session remote X:X::X: another IPv6 peer's address clears
 * nothing; the peer's own clears its SA and tells it (DELETE). */
START_TEST(v1_clear_remote)
{
	struct ik_addr other = v6("2001:db8::3"), peer = v6("2001:db8::2");
	struct ik_engine_stats st;
	unsigned sent;

	start(r1_v1, r2_v1, 5);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	ik_engine_clear_addr(net.n[0].e, IK_CLEAR_SESSION, &other, 0);
	ik_engine_stats(net.n[0].e, &st);
	ck_assert_uint_eq(st.isakmp_up, 1);
	sent = net.sent;
	ik_engine_clear_addr(net.n[0].e, IK_CLEAR_SESSION, &peer, 0);
	ik_engine_stats(net.n[0].e, &st);
	ck_assert_uint_eq(st.isakmp_sas, 0);
	ck_assert_uint_gt(net.sent, sent);
	xn_run(&net, 1000);
	ik_engine_stats(net.n[1].e, &st);
	ck_assert_uint_eq(st.isakmp_up, 0);
	expect_line(&net.n[1], "P1 delete notify (in)");
	xn_free(&net);
}
END_TEST

/* IKEv2 over IPv6 (V2-1 on an ID_IPV6_ADDR identity): IKE_SA_INIT with NAT
 * detection over the 16-byte addresses, IKE_AUTH with the profile matched
 * by `match identity remote address ipv6` and the key by `address ipv6`;
 * show crypto ikev2 sa lists the SA under IPv6. */
START_TEST(v2_ike_sa)
{
	struct ik_engine_stats st;
	struct ik_show_opts so = { 0 };
	struct ik_addr peer = v6("2001:db8::1");
	struct ik_sb out;

	start(r1_v2, r2_v2, 6);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	for (int i = 0; i < 2; i++) {
		ik_engine_stats(net.n[i].e, &st);
		ck_assert_uint_eq(st.isakmp_up, 1);
	}
	expect_pair();
	EXPECT_ORDER(&net.n[1],
		     "IKEv2:Searching Policy with fvrf 0, local address 2001:db8::2",
		     "IKEv2:(SESSION ID = 1,SA ID = 1):NAT not found",
		     "IKEv2:(SESSION ID = 1,SA ID = 1):Received identity 2001:db8::1 of type "
		     "'IPv6 address'",
		     "IKEv2:found matching IKEv2 profile 'profile1'",
		     "IKEv2:% Matched peer block 'R1'",
		     "IKEv2:(SESSION ID = 1,SA ID = 1):Verification of peer's authentication data "
		     "PASSED",
		     "IKEv2:(SESSION ID = 1,SA ID = 1):Session with IKE ID PAIR (2001:db8::1, "
		     "2001:db8::2) is UP");
	expect_line(&net.n[0], "IKEv2:(SESSION ID = 1,SA ID = 1):Generating IKE_AUTH message "
		    "(identity IPv6 address, pre-shared key of peer block R2)");
	ik_sb_init(&out);
	ik_engine_show_ikev2_sa(net.n[1].e, &so, false, &out);
	ck_assert_msg(strstr(ik_sb_str(&out), " IPv6 Crypto IKEv2  SA \n\nTunnel-id Local") &&
		      strstr(ik_sb_str(&out), "2001:db8::2/500       2001:db8::1/500"),
		      "%s", ik_sb_str(&out));
	ik_sb_free(&out);
	/* show crypto ikev2 sa remote 2001:db8::1 finds it; clear removes it */
	so.has_peer_ip = true;
	so.peer_ip = peer;
	ik_sb_init(&out);
	ik_engine_show_ikev2_sa(net.n[1].e, &so, false, &out);
	ck_assert_msg(strstr(ik_sb_str(&out), "2001:db8::1/500"), "%s", ik_sb_str(&out));
	ik_sb_free(&out);
	ik_engine_clear_addr(net.n[1].e, IK_CLEAR_IKEV2_SA, &peer, 0);
	ik_engine_stats(net.n[1].e, &st);
	ck_assert_uint_eq(st.isakmp_sas, 0);
	xn_free(&net);
}
END_TEST

/* IKEv2 with a wrong key on R2 for R1's IPv6 address: AUTH fails, no SA. */
START_TEST(v2_wrong_key)
{
	struct ik_engine_stats st;
	char *t2 = xn_replace(strdup(r2_v2), "pre-shared-key cisco6", "pre-shared-key cisco7");

	start(r1_v2, t2, 7);
	free(t2);
	initiate(0, "Tunnel1");
	xn_run(&net, 120000);
	expect_line(&net.n[1], "Verification of peer's authentication data FAILED");
	for (int i = 0; i < 2; i++) {
		ik_engine_stats(net.n[i].e, &st);
		ck_assert_uint_eq(st.isakmp_up, 0);
	}
	xn_free(&net);
}
END_TEST

/* DPD over IPv6 (crypto isakmp keepalive 10 2): R_U_THERE and its ACK name
 * the IPv6 peers; when R2 stops answering, R1 declares it dead and clears
 * its SAs. */
START_TEST(v1_dpd)
{
	char *t1 = xn_replace(strdup(r1_v1), "crypto isakmp policy 10",
			      "crypto isakmp keepalive 10 2\ncrypto isakmp policy 10");
	struct ik_engine_stats st;

	start(t1, r2_v1, 9);
	free(t1);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_pair();
	xn_run(&net, 12000);
	EXPECT_ORDER(&net.n[1], "DPD/R_U_THERE received from peer 2001:DB8::1");
	EXPECT_ORDER(&net.n[0], "DPD/R_U_THERE_ACK received from peer 2001:DB8::2");
	net.blackhole[1] = true;
	xn_run(&net, 60000);
	ck_assert_uint_eq(net.n[0].nup, 0);
	ik_engine_stats(net.n[0].e, &st);
	ck_assert_uint_eq(st.isakmp_sas, 0);
	EXPECT_ORDER(&net.n[0], "declaring it dead", "No reply to DPD");
	xn_free(&net);
}
END_TEST

/* R1 restarts while R2 holds the SAs: INITIAL-CONTACT in R1's MM5 makes R2
 * delete the old SAs of that IPv6 peer (found through the peer index). */
START_TEST(v1_initial_contact)
{
	struct ik_engine_host host;
	struct ik_engine_stats st;
	struct ik_engine_opts o = { 0 };
	struct ik_engine *old;

	start(r1_v1, r2_v1, 10);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_pair();
	old = net.n[0].e;
	host = *xn_host(&net.n[0]);
	net.n[0].e = ik_engine_new(net.n[0].cfg, &host, &net.n[0].log, &o);
	ik_engine_free(old);
	net.n[0].nup = 0;
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	EXPECT_ORDER(&net.n[1], "ISAKMP:(1002): processing NOTIFY INITIAL_CONTACT protocol 1",
		     "ISAKMP:(1001):deleting SA reason \"Receive initial contact\"");
	ik_engine_stats(net.n[1].e, &st);
	ck_assert_uint_eq(st.isakmp_sas, 1);
	ck_assert_uint_eq(st.child_sas, 1);
	ck_assert_uint_eq(net.n[1].downs, 1);
	expect_pair();
	xn_free(&net);
}
END_TEST

/* debug crypto condition peer ipv6 A: R2 prints the lines of its exchange
 * with R1 only while R1's IPv6 address is in its condition set (another
 * address of R1's /32, or R1's as an IPv4 condition, does not pass); an IPv4
 * condition and an IPv6 one mix in one set, and deleting one keeps the other. */
START_TEST(v1_debug_condition_ipv6)
{
	struct ik_addr r1 = v6("2001:db8::1"), other = v6("2001:db8::9");

	for (int match = 0; match < 2; match++) {
		struct ik_dbg_cond cond = { 0 };

		start(r1_v1, r2_v1, 11);
		ck_assert_int_eq(ik_dbg_cond_add(&cond, 0x20010db8u), 0); /* 32.1.13.184 */
		ck_assert_int_eq(ik_dbg_cond_add6(&cond, match ? r1.v6 : other.v6), 0);
		ck_assert_int_eq(ik_dbg_cond_add6(&cond, match ? r1.v6 : other.v6), 0); /* once */
		ck_assert_uint_eq(cond.n, 2);
		net.n[1].log.cond = &cond;
		initiate(0, "Tunnel1");
		xn_run(&net, 1000);
		expect_pair();
		if (match) {
			EXPECT_ORDER(&net.n[1], "ISAKMP (0): received packet from 2001:DB8::1",
				     "ISAKMP:(1001):Old State = IKE_R_MM5 New State = "
				     "IKE_P1_COMPLETE");
			ck_assert_int_eq(ik_dbg_cond_del(&cond, 0x20010db8u), 0);
			ck_assert(ik_dbg_cond_has6(&cond, r1.v6));
			ck_assert_int_eq(ik_dbg_cond_del6(&cond, r1.v6), 0);
			ck_assert_int_eq(ik_dbg_cond_del6(&cond, r1.v6), -1);
			ck_assert_uint_eq(cond.n, 0);
		} else {
			if (net.n[1].cap.n)
				xn_dump(&net.n[1]);
			ck_assert_uint_eq(net.n[1].cap.n, 0);
		}
		xn_free(&net);
	}
}
END_TEST

/* Aggressive Mode over IPv6 (initiate mode aggressive in R1's profile): the
 * responder reads R1's ID_IPV6_ADDR in AM1, matches its profile and picks the
 * key before answering; six messages in all with Quick Mode. */
START_TEST(v1_aggressive_mode)
{
	char *t1 = xn_replace(strdup(r1_v1), "   match identity address ipv6 2001:db8::2/128\n",
			      "   match identity address ipv6 2001:db8::2/128\n"
			      "   initiate mode aggressive\n");

	start(t1, r2_v1, 12);
	free(t1);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_pair();
	ck_assert_uint_eq(net.sent, 6);
	EXPECT_ORDER(&net.n[1],
		     "ISAKMP:(0):Old State = IKE_READY New State = IKE_R_AM_AAA_AWAIT",
		     "\ttype         : 5",
		     "\taddress      : 2001:DB8::1",
		     "ISAKMP:(0):: peer matches profile1 profile",
		     "ISAKMP:(1001):SA has been authenticated with 2001:DB8::1",
		     "ISAKMP:(1001):Old State = IKE_R_AM2 New State = IKE_P1_COMPLETE");
	xn_free(&net);
}
END_TEST

/* IKEv2 identity local address X:X::X: R1 sends that IPv6 address as its
 * ID_IPV6_ADDR (not its own), and R2's profile matches it (V2-1); the key
 * still comes from R1's peer block by address. */
START_TEST(v2_identity_local_ipv6)
{
	char *t1 = xn_replace(strdup(r1_v2), " keyring local keyring1\n",
			      " keyring local keyring1\n identity local address 2001:db8::100\n");
	char *t2 = xn_replace(strdup(r2_v2),
			      " match identity remote address ipv6 2001:db8::1/128\n",
			      " match identity remote address ipv6 2001:db8::100/128\n");

	start(t1, t2, 13);
	free(t1);
	free(t2);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_pair();
	EXPECT_ORDER(&net.n[1],
		     "IKEv2:(SESSION ID = 1,SA ID = 1):Received identity 2001:db8::100 of type "
		     "'IPv6 address'",
		     "IKEv2:found matching IKEv2 profile 'profile1'",
		     "IKEv2:% Matched peer block 'R1'");
	xn_free(&net);
}
END_TEST

/* Every occurrence of from in src replaced by to (malloc'd). */
static char *replace_all(const char *src, const char *from, const char *to)
{
	size_t nf = strlen(from), nt = strlen(to), n = 0;
	const char *p;
	char *out, *o;

	for (p = strstr(src, from); p; p = strstr(p + nf, from))
		n++;
	out = malloc(strlen(src) + n * nt + 1);
	ck_assert_ptr_nonnull(out);
	for (o = out, p = src; *p;) {
		if (!strncmp(p, from, nf)) {
			memcpy(o, to, nt);
			o += nt;
			p += nf;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

/* Addresses as long as IPv6 text gets (39 characters): every trace, show and
 * buffer that prints them holds them (AddressSanitizer checks the rest), for
 * Main Mode, Quick Mode and IKEv2. */
START_TEST(long_addresses)
{
	static const char l1[] = "2001:db8:1234:5678:9abc:def0:1234:5671";
	static const char l2[] = "2001:db8:1234:5678:9abc:def0:1234:5672";
	static const char pre[] = "2001:db8:1234:5678:9abc:def0:1234:567";
	const char *c1[2] = { r1_v1, r1_v2 }, *c2[2] = { r2_v1, r2_v2 };

	for (int v = 0; v < 2; v++) {
		char *t1 = replace_all(c1[v], "2001:db8::", pre);
		char *t2 = replace_all(c2[v], "2001:db8::", pre);
		struct ik_config *k1 = xn_load(t1, "r1.conf"), *k2 = xn_load(t2, "r2.conf");
		struct ik_addr a1 = v6(l1), a2 = v6(l2);
		struct ik_show_opts so = { 0 };
		struct ik_sb out;

		free(t1);
		free(t2);
		xn_init_ip(&net, k1, &a1, k2, &a2, 14 + (uint64_t)v, NULL);
		initiate(0, "Tunnel1");
		xn_run(&net, 1000);
		ck_assert_uint_eq(net.n[0].nup, 1);
		ck_assert_uint_eq(net.n[1].nup, 1);
		ik_sb_init(&out);
		for (int i = 0; i < 2; i++) {
			ik_engine_show_isakmp_sa(net.n[i].e, false, false, &out);
			ik_engine_show_isakmp_sa(net.n[i].e, true, true, &out);
			ik_engine_show_isakmp_sa(net.n[i].e, true, false, &out);
			for (int j = 0; j < 2; j++) {
				ik_engine_show_ipsec_sa(net.n[i].e, j, &out);
				ik_engine_show_session(net.n[i].e, j, &out);
			}
			ik_engine_show_peers(net.n[i].e, false, &out);
			ik_engine_show_peers_detail(net.n[i].e, false, &out);
			ik_engine_show_ikev2_sa(net.n[i].e, &so, false, &out);
			ik_engine_show_engine_conns(net.n[i].e, false, &out);
		}
		ck_assert_msg(strstr(ik_sb_str(&out), "2001:DB8:1234:5678:9ABC:DEF0:1234:5672"),
			      "%s", ik_sb_str(&out));
		ik_sb_free(&out);
		ik_engine_clear_addr(net.n[0].e, IK_CLEAR_SESSION, &a2, 0);
		xn_run(&net, 1000);
		ck_assert_uint_eq(net.n[1].nup, 0);
		xn_free(&net);
	}
}
END_TEST

/* Reload over IPv6: the same configuration keeps the SAs (on R1, the
 * initiator, and on R2, the responder, whose tunnel is found by its IPv6 end
 * points); a tunnel destination moved to another IPv6 address clears them,
 * the peer told. */
START_TEST(reload_keeps_or_clears)
{
	struct ik_config *same, *moved;
	char *t2;

	for (int side = 0; side < 2; side++) {
		const char *text = side ? r2_v1 : r1_v1;

		start(r1_v1, r2_v1, 15 + (uint64_t)side);
		initiate(0, "Tunnel1");
		xn_run(&net, 1000);
		expect_pair();
		same = xn_load(text, "again");
		ik_engine_set_config(net.n[side].e, same);
		ik_config_unref(same);
		xn_deliver(&net);
		ck_assert_uint_eq(net.n[0].nup, 1);
		ck_assert_uint_eq(net.n[1].nup, 1);
		t2 = xn_replace(strdup(text), side ? " tunnel destination 2001:db8::1\n" :
				" tunnel destination 2001:db8::2\n",
				" tunnel destination 2001:db8::7\n");
		moved = xn_load(t2, "moved");
		free(t2);
		ik_engine_set_config(net.n[side].e, moved);
		ik_config_unref(moved);
		xn_deliver(&net);
		ck_assert_uint_eq(net.n[side].nup, 0);
		ck_assert_uint_eq(net.n[1 - side].nup, 0);
		xn_free(&net);
	}
}
END_TEST

static int host_ifaddr6(void *ctx, const char *ifname, uint8_t addr[16])
{
	struct ik_addr a = v6("2001:db8::1");

	(void)ctx;
	if (strcmp(ifname, "eth0"))
		return -1;
	memcpy(addr, a.v6, 16);
	return 0;
}

/* tunnel source IFNAME on a tunnel over IPv6, the interface being the
 * host's (not in the configuration): the engine asks the host for its IPv6
 * address when the tunnel initiates; without one the tunnel says so. */
START_TEST(v1_source_host_interface)
{
	char *t1 = xn_replace(strdup(r1_v1), " tunnel source Ethernet0/0\n",
			      " tunnel source eth0\n");
	struct ik_engine_host host;
	struct ik_engine_opts o = { 0 };
	struct ik_engine *old;
	struct ik_sb err;

	start(t1, r2_v1, 8);
	free(t1);
	ik_sb_init(&err);
	ck_assert_int_lt(ik_engine_initiate(net.n[0].e, "Tunnel1", &err), 0);
	ck_assert_msg(strstr(ik_sb_str(&err), "Tunnel1: tunnel source or destination unknown"),
		      "%s", ik_sb_str(&err));
	ik_sb_free(&err);
	old = net.n[0].e;
	host = *xn_host(&net.n[0]);
	host.resolve_ifaddr6 = host_ifaddr6;
	net.n[0].e = ik_engine_new(net.n[0].cfg, &host, &net.n[0].log, &o);
	ik_engine_free(old);
	initiate(0, "Tunnel1");
	xn_run(&net, 1000);
	expect_pair();
	xn_free(&net);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("exchange_v6");
	TCase *tc = tcase_create("ipv6");

	tcase_add_test(tc, v1_main_mode);
	tcase_add_test(tc, v1_natd_ipv6);
	tcase_add_test(tc, v1_wrong_key);
	tcase_add_test(tc, v1_foreign_source);
	tcase_add_test(tc, v1_clear_remote);
	tcase_add_test(tc, v2_ike_sa);
	tcase_add_test(tc, v2_wrong_key);
	tcase_add_test(tc, v1_source_host_interface);
	tcase_add_test(tc, v1_dpd);
	tcase_add_test(tc, v1_initial_contact);
	tcase_add_test(tc, v1_debug_condition_ipv6);
	tcase_add_test(tc, v1_aggressive_mode);
	tcase_add_test(tc, v2_identity_local_ipv6);
	tcase_add_test(tc, long_addresses);
	tcase_add_test(tc, reload_keeps_or_clears);
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
