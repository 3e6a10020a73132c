/* The secure-memory pool seen from the engine: the secrets of half-open
 * IKEv2 SAs (an IKE_SA_INIT from each of 2,000 sources) leave the pool when
 * the SAs expire, and its chunks go back but for the carved one and the
 * reserve; a handshake of each version leaves no secret behind once its
 * engines are gone. Each test runs in its own process (a pool of its own). */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/engine.h"
#include "test_exchange_harness.h"
#include "test_mesh.h"
#include "util/secmem.h"
#include "util/util.h"

#define R_ADDR 0xc0a80002u   /* 192.168.0.2 */
#define I_ADDR 0xc0a80001u   /* 192.168.0.1 */
#define SRC_BASE 0x64400000u /* 100.64.0.0: one source per half-open SA */

static struct mnet net;

/* A seed configuration (IKEv1, or its IKEv2 form with x25519) with its
 * tunnel in VTI mode. */
static struct ik_config *cfg(const char *path, const char *who, bool v2)
{
	char *t = xn_read(path);
	struct ik_config *c;

	t = xn_replace(t, " tunnel source Ethernet0/0\n", " tunnel source Ethernet0/0\n"
		       " tunnel mode ipsec ipv4\n");
	if (v2)
		t = xn_replace(t, " group 14\n", " group 31\n");
	c = xn_load(t, who);
	free(t);
	return c;
}

START_TEST(v2_half_open_secrets_go_back)
{
	enum { N = 2000 };
	uint8_t first[MN_MAX_MSG];
	struct ik_secmem_stats s0, s1, s2;
	struct ik_engine_opts ro = { .max_half_open = 3 * N };
	struct ik_engine_stats st;
	struct mnode *r;
	struct ik_sb err;
	size_t len;

	mn_init(&net);
	r = mn_add(&net, 0, "R", cfg("etc/examples/ikev2-r2.conf", "r2", true), R_ADDR, 2, &ro,
		   false);
	mn_add(&net, 1, "I", cfg("etc/examples/ikev2-r1.conf", "r1", true), I_ADDR, 3, NULL, false);
	net.keep_first = true;
	ik_sb_init(&err);
	ck_assert_int_eq(ik_engine_initiate(net.n[1].e, "Tunnel1", &err), 0);
	ik_sb_free(&err);
	len = net.first_len;
	ck_assert_uint_gt(len, 0);
	memcpy(first, net.first, len);
	mn_del(&net, 1); /* the initiator's DH value with it */
	net.qlen = 0;
	ik_secmem_stats(&s0);
	for (uint32_t i = 0; i < N; i++) {
		struct ik_endpoint src = ik_ep_v4(SRC_BASE + i, 500);

		ik_put32(first, 0x5e000000u + i); /* another initiator SPI each time */
		mn_inject(&net, 0, &src, first, len);
		net.qlen = 0; /* the responses go nowhere */
	}
	ik_engine_stats(r->e, &st);
	ck_assert_uint_eq(st.half_open, N);
	ik_secmem_stats(&s1);
	/* at least the shared DH secret of each SA: 32 bytes */
	ck_assert_uint_ge(s1.in_use - s0.in_use, (size_t)N * 32);
	net.now += 200000;
	ik_engine_run_timers(r->e);
	ik_engine_stats(r->e, &st);
	ck_assert_uint_eq(st.half_open, 0);
	ik_secmem_stats(&s2);
	ck_assert_uint_eq(s2.in_use, s0.in_use);
	ck_assert_uint_eq(s2.large, s0.large);
	/* the chunks the burst took are given back but for the carved one and
	 * the reserve */
	ck_assert_uint_le(s2.chunks, s0.chunks > 1 + IK_SECMEM_RESERVE ?
				     s0.chunks : 1 + IK_SECMEM_RESERVE);
	if (s1.chunks > 1 + IK_SECMEM_RESERVE)
		ck_assert_uint_ge(s2.chunks_returned - s0.chunks_returned,
				  s1.chunks - s2.chunks);
	mn_free(&net);
}
END_TEST

/* A complete handshake between two engines (IKEv1 seed or its IKEv2 form),
 * then both engines freed: every secret they took is back. */
START_TEST(handshake_leaves_no_secret)
{
	static const char *const conf[2][2] = {
		{ "etc/examples/seed-r2.conf", "etc/examples/seed-r1.conf" },
		{ "etc/examples/ikev2-r2.conf", "etc/examples/ikev2-r1.conf" },
	};
	struct ik_secmem_stats s0, s1, s2;
	struct ik_config *rc, *ic;
	struct mnode *r, *i;
	struct ik_sb err;

	rc = cfg(conf[_i][0], "r2", _i == 1);
	ic = cfg(conf[_i][1], "r1", _i == 1);
	ik_secmem_stats(&s0);
	mn_init(&net);
	r = mn_add(&net, 0, "R", rc, R_ADDR, 5, NULL, false);
	i = mn_add(&net, 1, "I", ic, I_ADDR, 6, NULL, false);
	ik_sb_init(&err);
	ck_assert_int_eq(ik_engine_initiate(i->e, "Tunnel1", &err), 0);
	ik_sb_free(&err);
	mn_deliver(&net);
	ck_assert_uint_eq(i->nup, 1);
	ck_assert_uint_eq(r->nup, 1);
	ik_secmem_stats(&s1);
	ck_assert_uint_gt(s1.in_use, s0.in_use); /* the IKE SAs' keys */
	mn_free(&net);
	ik_secmem_stats(&s2);
	ck_assert_uint_eq(s2.in_use, s0.in_use);
	ck_assert_uint_eq(s2.large, s0.large);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("secmem_sa");
	TCase *tc = tcase_create("engine");
	SRunner *sr;
	int failed;

	if (ik_secmem_init())
		return EXIT_FAILURE;
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, v2_half_open_secrets_go_back);
	tcase_add_loop_test(tc, handshake_leaves_no_secret, 0, 2);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
