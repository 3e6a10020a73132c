/* Fuzz target: the framing of datagrams on the IKE ports (ike/natt_frame.c:
 * non-ESP marker, NAT keepalive, ESP-in-UDP and short datagrams on 4500) in
 * front of a responder engine on the seed's R2, as ikerd's workers run it.
 * Records as in fuzz_v1_responder.c, but each one is a whole UDP payload: on
 * port 4500 (flag bit 0) an IKE message follows the 4-byte marker. */
#include "fuzz_host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ik_log lg = { .debug_mask = 0xf, .sink = f_sink };
	struct ik_engine_host host;
	struct ik_natt_frame f;
	struct ik_engine *e;
	struct fhost h;

	/* the whole input as one datagram on each port */
	for (int port = 0; port < 2; port++)
		if (ik_natt_frame_parse(data, size, port ? IK_NATT_PORT : 500, &f) == IK_NATT_IKE &&
		    (f.ike < data || f.ike_len > size || (size_t)(f.ike - data) > size - f.ike_len))
			abort();
	fuzz_host_init(&h, &host, 1);
	e = ik_engine_new(fuzz_config(1), &host, &lg, NULL);
	fuzz_feed(e, &h, FUZZ_R2_ADDR, FUZZ_R1_ADDR, data, size, 1);
	ik_engine_free(e);
	return 0;
}
