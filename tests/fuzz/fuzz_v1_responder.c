/* Fuzz target: whole IKEv1 messages fed to a responder engine built on the
 * seed's R2 configuration (etc/examples/seed-r2.conf), with a fake host.
 * The input is a sequence of records: one flag byte (bit 0: the message
 * arrives on port 4500; bit 1: advance the clock 20 s and run the timers
 * first), a 2-byte big-endian length, the message. The host's RNG and clock
 * are those of side R2 of tests/unit/test_exchange_harness.c with seed 40,
 * so messages recorded from a back-to-back run (tests/fuzz/corpus/
 * v1_responder) drive the responder through Main Mode and Quick Mode. */
#include "fuzz_host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ik_log lg = { .debug_mask = 0xf, .sink = f_sink };
	struct ik_engine_host host;
	struct ik_engine *e;
	struct fhost h;

	fuzz_host_init(&h, &host, 1);
	e = ik_engine_new(fuzz_config(1), &host, &lg, NULL);
	fuzz_feed(e, &h, FUZZ_R2_ADDR, FUZZ_R1_ADDR, data, size, 0);
	ik_engine_free(e);
	return 0;
}
