/* Fuzz target of the IPsec ID payload reader of crypto map Quick Mode
 * (ike/v1_cmap.c): any bytes are read as an ID payload body; a body that
 * reads as a traffic selector is written back as an ID payload, which must
 * read as the same selector (ASan/UBSan check the rest). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/v1_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ik_ts a, b;
	uint8_t pa, pb, body[40];
	char why[160];
	size_t n;

	if (ik_v1_id_ts(data, size, &pa, &a, why, sizeof(why))) {
		if (!why[0]) {
			fprintf(stderr, "a refused ID payload without a reason\n");
			abort();
		}
		return 0;
	}
	n = ik_v1_cmap_id(&a, pa, body);
	if (ik_v1_id_ts(body, n, &pb, &b, why, sizeof(why)) || pa != pb ||
	    !ik_addr_eq(&a.lo, &b.lo) || !ik_addr_eq(&a.hi, &b.hi) ||
	    a.port_lo != b.port_lo || a.port_hi != b.port_hi) {
		fprintf(stderr, "an ID payload written back reads differently: %s\n", why);
		abort();
	}
	return 0;
}
