/* Fuzz target: IKE over IPv6. Whole IKEv1 and IKEv2 messages (the version by
 * the header, as the daemon gives them) from 2001:db8::1 fed to a responder
 * engine on 2001:db8::2 built on R2 of fuzz_v6_conf.h: address ipv6 keys,
 * match identity address ipv6, ID_IPV6_ADDR identities, NAT-D over 16-byte
 * addresses, Quick Mode proxy identities and IKEv2 traffic selectors of a GRE
 * tunnel over IPv6. The input is the records of the other engine targets
 * (flag byte, 2-byte length, message), the host's RNG and clock those of
 * side R2 of tests/unit/test_exchange_harness.c with seed 40, so the messages
 * R1 sends in back-to-back runs over IPv6 (tests/fuzz/corpus/v6_responder,
 * written by test_exchange_pcap --corpus) drive the responder through Main
 * Mode and Quick Mode, and through IKE_SA_INIT, IKE_AUTH and the child SA. */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_host.h"
#include "fuzz_v6_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ik_config *v6_config(void)
{
	static struct ik_config *cfg;

	if (!cfg) {
		struct ik_conf_error err;

		ik_secmem_init();
		cfg = ik_snapshot_load_string(fuzz_v6_r2, "v6-r2.conf", &err);
		if (!cfg)
			abort();
	}
	return cfg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ik_log lg = { .debug_mask = 0xf, .sink = f_sink };
	struct ik_addr a1 = { .family = IK_AF_INET6 }, a2 = { .family = IK_AF_INET6 };
	struct ik_endpoint self, peer;
	struct ik_engine_host host;
	struct ik_engine *e;
	struct fhost h;

	a1.v6[0] = a2.v6[0] = 0x20;
	a1.v6[1] = a2.v6[1] = 0x01;
	a1.v6[2] = a2.v6[2] = 0x0d;
	a1.v6[3] = a2.v6[3] = 0xb8;
	a1.v6[15] = 1;
	a2.v6[15] = 2;
	self = ik_ep(&a2, 500);
	peer = ik_ep(&a1, 500);
	fuzz_host_init(&h, &host, 1);
	e = ik_engine_new(v6_config(), &host, &lg, NULL);
	fuzz_feed_ep(e, &h, &self, &peer, data, size, 0);
	if (getenv("FUZZ_V6_REPORT"))
		fprintf(stderr, "fuzz_v6_responder: %u child SA(s) installed\n", h.ups);
	ik_engine_free(e);
	return 0;
}
