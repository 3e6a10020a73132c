/* Fuzz target: whole IKEv2 messages fed to a responder engine built on the
 * seed's R2 in IKEv2 form (etc/examples/ikev2-r2.conf), with the fake host
 * of fuzz_host.h. The input is the same sequence of records as the IKEv1
 * engine targets (flag byte, 2-byte length, message). The host's RNG and
 * clock are those of side R2 of tests/unit/test_exchange_harness.c with seed
 * 40, so the messages R1 sends in a back-to-back run (tests/fuzz/corpus/
 * v2_responder) drive the responder through IKE_SA_INIT, IKE_AUTH and the
 * child SA; captures of strongSwan and libreswan (first messages) seed the
 * rest. */
#include "fuzz_host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ik_log lg = { .debug_mask = 0xf, .sink = f_sink };
	struct ik_engine_host host;
	struct ik_engine *e;
	struct fhost h;

	fuzz_host_init(&h, &host, 1);
	e = ik_engine_new(fuzz_config_v2(), &host, &lg, NULL);
	fuzz_feed(e, &h, FUZZ_R2_ADDR, FUZZ_R1_ADDR, data, size, 0);
	ik_engine_free(e);
	return 0;
}
