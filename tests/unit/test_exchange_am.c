/* IKEv1 Aggressive Mode between two engines in one process, on the seed's
 * R1/R2 configurations with `initiate mode aggressive` (rules cited per
 * test): success and the IOS state lines, the profile chosen from the clear
 * IDii before the key (P1 then P2, before the key is used), host-name keys
 * for an FQDN identity, `crypto isakmp aggressive-mode disable`, a wrong key
 * on either side, a tampered AM3, and the loss of each message. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile/check.h"
#include "test_exchange_harness.h"
#include "util/addr.h"
#include "util/strbuf.h"

#define R1_ADDR 0xc0a80001u /* 192.168.0.1 */
#define R2_ADDR 0xc0a80002u /* 192.168.0.2 */

static struct xnet net;

/* R1 initiates in Aggressive Mode: its profile2 (the tunnel's) says so. */
static char *r1_am(void)
{
	char *t = xn_read("etc/examples/seed-r1.conf");

	return xn_replace(t, "   match identity address 192.168.0.2 255.255.255.255 !R2\n",
			  "   match identity address 192.168.0.2 255.255.255.255 !R2\n"
			  "   initiate mode aggressive\n");
}

/* R2 initiates in Aggressive Mode: its profile1 (the tunnel's). */
static char *r2_am(void)
{
	char *t = xn_read("etc/examples/seed-r2.conf");

	return xn_replace(t, "   match identity address 192.168.0.1 255.255.255.255 !R1\n",
			  "   match identity address 192.168.0.1 255.255.255.255 !R1\n"
			  "   initiate mode aggressive\n");
}

static void start(char *t1, char *t2, uint64_t seed)
{
	struct ik_config *c1 = xn_load(t1, "r1.conf"), *c2 = xn_load(t2, "r2.conf");

	free(t1);
	free(t2);
	xn_init(&net, c1, R1_ADDR, c2, R2_ADDR, seed, NULL);
}

static void initiate(int side)
{
	struct ik_sb err;

	ik_sb_init(&err);
	ck_assert_msg(ik_engine_initiate(net.n[side].e, "Tunnel1", &err) == 0, "%s",
		      ik_sb_str(&err));
	ik_sb_free(&err);
}

static void expect_up(void)
{
	struct ik_engine_stats st;

	if (net.n[0].nup != 1 || net.n[1].nup != 1) {
		xn_dump(&net.n[0]);
		xn_dump(&net.n[1]);
	}
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(net.n[1].nup, 1);
	ck_assert_uint_eq(net.n[0].up[0].out.spi, net.n[1].up[0].in.spi);
	ck_assert_uint_eq(net.n[0].up[0].in.spi, net.n[1].up[0].out.spi);
	ck_assert(!memcmp(net.n[0].up[0].out.enc_key, net.n[1].up[0].in.enc_key,
			  sizeof(net.n[0].up[0].out.enc_key)));
	ik_engine_stats(net.n[0].e, &st);
	ck_assert_uint_eq(st.p1_done, 1);
	ik_engine_stats(net.n[1].e, &st);
	ck_assert_uint_eq(st.p1_done, 1);
}

static void expect_nothing_up(void)
{
	struct ik_engine_stats st;

	ck_assert_uint_eq(net.n[0].ups + net.n[1].ups, 0);
	ik_engine_stats(net.n[0].e, &st);
	ck_assert_uint_eq(st.isakmp_up, 0);
	ik_engine_stats(net.n[1].e, &st);
	ck_assert_uint_eq(st.isakmp_up, 0);
}

/* R1 initiates (K1: keyring2). R2, responder, reads R1's identity in AM1,
 * matches profile1 (P1), picks keyring1's key (K3) and checks it against
 * profile1 (P2) before using it: AM1..AM3 then Quick Mode, six messages. */
START_TEST(am_r1_initiates)
{
	start(r1_am(), xn_read("etc/examples/seed-r2.conf"), 1);
	initiate(0);
	xn_run(&net, 1000);
	expect_up();
	ck_assert_uint_eq(net.sent, 6);
	XN_EXPECT_ORDER(&net.n[0],
		     "ISAKMP:(0): SA request profile is profile2",
		     "ISAKMP:(0):Found ADDRESS key in keyring keyring2",
		     "ISAKMP:(0):Input = IKE_MESG_FROM_IPSEC, IKE_SA_REQ_AM",
		     "ISAKMP:(0):Old State = IKE_READY New State = IKE_I_AM1",
		     "ISAKMP:(0): beginning Aggressive Mode exchange",
		     "ISAKMP:(0): sending packet to 192.168.0.2 my_port 500 peer_port 500 (I) "
		     "AG_INIT_EXCH",
		     "ISAKMP:(1001):SA has been authenticated with 192.168.0.2",
		     "ISAKMP:(1001):Old State = IKE_I_AM1 New State = IKE_P1_COMPLETE");
	XN_EXPECT_ORDER(&net.n[1],
		     "ISAKMP:(0):Old State = IKE_READY New State = IKE_R_AM_AAA_AWAIT",
		     "\taddress      : 192.168.0.1",
		     "ISAKMP:(0):: peer matches profile1 profile",
		     "ISAKMP:(0):Found ADDRESS key in keyring keyring1",
		     "ISAKMP:(1001):Old State = IKE_R_AM_AAA_AWAIT New State = IKE_R_AM2",
		     "ISAKMP:(1001):SA has been authenticated with 192.168.0.1",
		     "ISAKMP:(1001):Old State = IKE_R_AM2 New State = IKE_P1_COMPLETE");
	xn_free(&net);
}
END_TEST

/* R2 initiates: R1 matches profile2 from the clear IDii (P1) and refuses the
 * key K3 picks (keyring1) at once (P2): no AM2 leaves, nothing is derived. */
START_TEST(am_p2_checked_before_the_key_is_used)
{
	start(xn_read("etc/examples/seed-r1.conf"), r2_am(), 2);
	initiate(1);
	xn_run(&net, 60000);
	expect_nothing_up();
	XN_EXPECT_ORDER(&net.n[0],
		     "ISAKMP:(0):: peer matches profile2 profile",
		     "Key not found in keyrings of profile , aborting exchange",
		     "FSM action returned error: 2",
		     "%CRYPTO-6-IKMP_MODE_FAILURE: Processing of Aggressive mode failed with "
		     "peer at 192.168.0.2");
	ck_assert_int_lt(xn_find(&net.n[0], 0, "New State = IKE_R_AM2"), 0);
	/* only the AM1 and its retransmissions were sent */
	ck_assert_int_lt(xn_find(&net.n[0], 0, "sending packet to"), 0);
	xn_free(&net);
}
END_TEST

/* R1 identifies itself by host name (ID_FQDN "R1"); R2's profile1 matches
 * that name (P1) and its keyring1 holds a host-name key for R1. */
START_TEST(am_hostname_key)
{
	char *t1 = r1_am(), *t2 = xn_read("etc/examples/seed-r2.conf");

	t1 = xn_replace(t1, "crypto isakmp policy 10", "crypto isakmp identity hostname\n"
			"crypto isakmp policy 10");
	t2 = xn_replace(t2, "  pre-shared-key address 192.168.0.1 key cisco\n",
			"  pre-shared-key address 192.168.0.1 key cisco\n"
			"  pre-shared-key hostname R1 key cisco\n");
	t2 = xn_replace(t2, "   match identity address 192.168.0.1 255.255.255.255 !R1\n",
			"   match identity address 192.168.0.1 255.255.255.255 !R1\n"
			"   match identity host R1\n");
	start(t1, t2, 3);
	initiate(0);
	xn_run(&net, 1000);
	expect_up();
	XN_EXPECT_ORDER(&net.n[1], "\tFQDN name    : R1",
		     "ISAKMP:(0):: peer matches profile1 profile",
		     "found peer pre-shared key matching R1",
		     "ISAKMP:(1001):Old State = IKE_R_AM2 New State = IKE_P1_COMPLETE");
	xn_free(&net);
}
END_TEST

/* crypto isakmp aggressive-mode disable: AM1 is refused with IOS's message,
 * no SA is made, nothing is sent back. */
START_TEST(am_disabled)
{
	char *t2 = xn_read("etc/examples/seed-r2.conf");

	t2 = xn_replace(t2, "crypto isakmp policy 10", "crypto isakmp aggressive-mode disable\n"
			"crypto isakmp policy 10");
	start(r1_am(), t2, 4);
	initiate(0);
	xn_run(&net, 1000);
	expect_nothing_up();
	ck_assert_int_ge(xn_find(&net.n[1], 0, "%CRYPTO-6-IKMP_AGG_MODE_DISABLED: Unable to "
				 "initiate or respond to Aggressive Mode while disabled"), 0);
	ck_assert_int_lt(xn_find(&net.n[1], 0, "sending packet to"), 0);
	xn_free(&net);
}
END_TEST

/* The same switch on the initiator: it falls back to Main Mode. */
START_TEST(am_disabled_initiator_uses_main_mode)
{
	char *t1 = r1_am();

	t1 = xn_replace(t1, "crypto isakmp policy 10", "crypto isakmp aggressive-mode disable\n"
			"crypto isakmp policy 10");
	start(t1, xn_read("etc/examples/seed-r2.conf"), 5);
	initiate(0);
	xn_run(&net, 1000);
	expect_up();
	XN_EXPECT_ORDER(&net.n[0], "%CRYPTO-6-IKMP_AGG_MODE_DISABLED",
		     "ISAKMP:(0):Can not start Aggressive mode, trying Main mode.",
		     "ISAKMP:(0): beginning Main Mode exchange");
	xn_free(&net);
}
END_TEST

/* Different keys (K5 in Aggressive Mode): the initiator's HASH_R check fails. */
START_TEST(am_wrong_key_responder)
{
	char *t2 = xn_read("etc/examples/seed-r2.conf");

	t2 = xn_replace(t2, "pre-shared-key address 192.168.0.1 key cisco",
			"pre-shared-key address 192.168.0.1 key other");
	start(r1_am(), t2, 6);
	initiate(0);
	xn_run(&net, 1000);
	expect_nothing_up();
	XN_EXPECT_ORDER(&net.n[0], "\tnot authenticated",
		     "%CRYPTO-6-IKMP_AUTH_FAIL: Authentication method 1 failed with host "
		     "192.168.0.2");
	xn_free(&net);
}
END_TEST

/* AM3 with a wrong HASH_I (the real AM3 lost; a forged one sent in clear, as
 * RFC 2409 allows): the responder's HASH_I check refuses it, no SA comes up
 * on the responder. */
START_TEST(am_forged_am3)
{
	char dir[] = "/tmp/ikx-amXXXXXX", path[128];
	uint8_t am2[XN_MAX_MSG], am3[XN_MAX_MSG], forged[28 + 20] = { 0 };
	size_t n2, n3;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	start(r1_am(), xn_read("etc/examples/seed-r2.conf"), 7);
	net.dump_dir = dir;
	net.drop_mask = 1u << 2; /* AM3 */
	initiate(0);
	xn_deliver(&net);
	snprintf(path, sizeof(path), "%s/msg02", dir);
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	n2 = fread(am2, 1, sizeof(am2), f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/msg03", dir);
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	n3 = fread(am3, 1, sizeof(am3), f);
	fclose(f);
	ck_assert_uint_gt(n2, 28);
	ck_assert_uint_gt(n3, 28 + 16);
	ck_assert(am3[19] & 1); /* ikerd encrypts AM3 */
	/* HDR (the exchange's cookies), HASH with 16 bytes that are not HASH_I */
	memcpy(forged, am2, 16);
	forged[16] = 8;         /* next payload: HASH */
	forged[17] = 0x10;
	forged[18] = 4;         /* Aggressive */
	forged[27] = sizeof(forged);
	forged[31] = 20;        /* HASH payload length */
	memset(forged + 32, 0x5a, 16);
	xn_inject(&net, 0, forged, sizeof(forged), 500);
	XN_EXPECT_ORDER(&net.n[1], "\tnot authenticated",
		     "%CRYPTO-6-IKMP_AUTH_FAIL: Authentication method 1 failed "
		     "with host 192.168.0.1");
	ck_assert_int_lt(xn_find(&net.n[1], 0, "New State = IKE_P1_COMPLETE"), 0);
	ck_assert_uint_eq(net.n[1].ups, 0);
	for (unsigned k = 1; k <= 16; k++) {
		snprintf(path, sizeof(path), "%s/msg%02u", dir, k);
		unlink(path);
	}
	rmdir(dir);
	xn_free(&net);
}
END_TEST

/* Each of AM1, AM2 and AM3 lost once: retransmissions bring the tunnel up (a
 * lost AM3 is resent when the responder retransmits AM2). */
START_TEST(am_loss_of_each_message)
{
	unsigned k = (unsigned)_i;

	start(r1_am(), xn_read("etc/examples/seed-r2.conf"), 10 + k);
	net.drop_mask = 1ull << (k - 1);
	initiate(0);
	xn_run(&net, 60000);
	expect_up();
	ck_assert_uint_eq(net.n[0].ups, 1);
	ck_assert_uint_eq(net.n[1].ups, 1);
	xn_free(&net);
}
END_TEST

/* ikerd -t: a profile initiating in Aggressive Mode gets the offline-guessing
 * warning; with aggressive-mode disable, the note that Main Mode is used. */
START_TEST(am_checker_warning)
{
	char *t = r1_am();
	struct ik_config *cfg = xn_load(t, "r1.conf");
	struct ik_sb o;

	ik_sb_init(&o);
	ik_check_config(cfg, &o, false);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&o), "warning: AM: profile profile2 initiates in "
				      "Aggressive Mode with pre-shared keys"));
	ik_config_unref(cfg);
	ik_sb_reset(&o);
	t = xn_replace(t, "crypto isakmp policy 10", "crypto isakmp aggressive-mode disable\n"
		       "crypto isakmp policy 10");
	cfg = xn_load(t, "r1.conf");
	free(t);
	ik_check_config(cfg, &o, false);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&o), "this router initiates in Main Mode"));
	ik_config_unref(cfg);
	ik_sb_free(&o);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("exchange_am");
	TCase *tc = tcase_create("am");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, am_r1_initiates);
	tcase_add_test(tc, am_p2_checked_before_the_key_is_used);
	tcase_add_test(tc, am_hostname_key);
	tcase_add_test(tc, am_disabled);
	tcase_add_test(tc, am_disabled_initiator_uses_main_mode);
	tcase_add_test(tc, am_wrong_key_responder);
	tcase_add_test(tc, am_forged_am3);
	tcase_add_loop_test(tc, am_loss_of_each_message, 1, 4);
	tcase_add_test(tc, am_checker_warning);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
