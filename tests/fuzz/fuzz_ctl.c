/* Fuzz target: the control request decoder and the command dispatcher of
 * ikerd, on a daemon context built on the seed's R1 (etc/examples/seed-r1.conf)
 * with the `none` kernel backend and two engines run in-line (no threads, no
 * sockets). The input is used twice: as one request payload, and as a stream
 * of length-prefixed frames, as the control socket reads them. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/proto.h"
#include "daemon/daemon.h"
#include "util/secmem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."
#endif

static struct ikd *ctx;

static struct ikd *ctx_get(void)
{
	struct ikd_opts o;
	struct ik_sb err;

	if (ctx)
		return ctx;
	if (ik_secmem_init())
		abort();
	memset(&o, 0, sizeof(o));
	o.conf_path = TOP_SRCDIR "/etc/examples/seed-r1.conf";
	o.kernel = "none";
	o.workers = 2;
	o.threads = false;
	o.passive = true;
	o.quiet = true;
	ik_sb_init(&err);
	ctx = ikd_new(&o, &err);
	if (!ctx) {
		fprintf(stderr, "fuzz_ctl: cannot build the daemon context: %s\n", ik_sb_str(&err));
		abort();
	}
	ik_sb_free(&err);
	return ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ikd *d = ctx_get();
	struct ik_sb out;
	size_t off = 0;

	ik_sb_init(&out);
	ikd_request(d, NULL, data, size, &out);
	ik_sb_free(&out);
	while (off < size) {
		char err[160];
		long total = ik_ctl_frame_check(data + off, size - off, IK_CTL_MAX_REQ, err,
						sizeof(err));

		if (total <= 0)
			break;
		ik_sb_init(&out);
		ikd_request(d, NULL, data + off + IK_CTL_HDR, (size_t)total - IK_CTL_HDR, &out);
		ik_sb_free(&out);
		off += (size_t)total;
	}
	return 0;
}
