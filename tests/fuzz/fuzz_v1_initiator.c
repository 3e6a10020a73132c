/* Fuzz target: the initiator side of IKEv1. An engine on the seed's R1
 * (etc/examples/seed-r1.conf) initiates Tunnel1 (it sends MM1), then takes
 * the records of the input as the responder's answers (MM2, MM4, MM6, QM2,
 * informational), as in fuzz_v1_responder.c. The host's RNG and clock are
 * those of side R1 of tests/unit/test_exchange_harness.c with seed 40, so
 * R2's answers recorded from a back-to-back run (tests/fuzz/corpus/
 * v1_initiator, written by test_exchange_pcap --corpus) take it to MM3, MM5
 * and Quick Mode, where the fuzzer's changes to the later records land. */
#include "fuzz_host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ik_log lg = { .debug_mask = 0xf, .sink = f_sink };
	struct ik_engine_host host;
	struct ik_engine *e;
	struct ik_sb err;
	struct fhost h;

	fuzz_host_init(&h, &host, 0);
	e = ik_engine_new(fuzz_config(0), &host, &lg, NULL);
	ik_sb_init(&err);
	if (ik_engine_initiate(e, "Tunnel1", &err))
		abort();
	ik_sb_free(&err);
	fuzz_feed(e, &h, FUZZ_R1_ADDR, FUZZ_R2_ADDR, data, size, 0);
	ik_engine_free(e);
	return 0;
}
