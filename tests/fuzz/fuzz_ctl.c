/* Fuzz target: the control request decoder and the command dispatcher of
 * ikerd, on a daemon context built on the seed's R1 (etc/examples/seed-r1.conf)
 * (a built-in copy when the file cannot be read) with the `none` kernel
 * backend and two engines run in-line (no threads, no sockets). The input is used three
 * times: as one request payload, as a line for ikerctl's '?' help and TAB
 * completion, and as a stream of length-prefixed frames, as the control
 * socket reads them. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/cli.h"
#include "ctl/proto.h"
#include "daemon/daemon.h"
#include "util/secmem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."
#endif

static struct ikd *ctx;

/* The seed's R1, used when the example file cannot be read (a fuzzer run from
 * another directory). */
static const char seed_r1[] =
	"hostname R1\n"
	"crypto keyring keyring1\n"
	"  pre-shared-key address 192.168.0.2 key cisco\n"
	"crypto keyring keyring2\n"
	"  pre-shared-key address 192.168.0.2 key cisco\n"
	"crypto isakmp policy 10\n encr 3des\n hash md5\n authentication pre-share\n group 2\n"
	"crypto isakmp profile profile1\n"
	"   keyring keyring1\n"
	"   match identity address 192.168.0.102 255.255.255.255\n"
	"crypto isakmp profile profile2\n"
	"   keyring keyring2\n"
	"   match identity address 192.168.0.2 255.255.255.255\n"
	"crypto ipsec transform-set TS esp-aes esp-sha256-hmac\n mode tunnel\n"
	"crypto ipsec profile profile1\n set transform-set TS\n set isakmp-profile profile2\n"
	"interface Loopback0\n ip address 192.168.100.1 255.255.255.0\n"
	"interface Tunnel1\n ip address 10.0.0.1 255.255.255.0\n tunnel source Ethernet0/0\n"
	" tunnel destination 192.168.0.2\n tunnel protection ipsec profile profile1\n"
	"interface Ethernet0/0\n ip address 192.168.0.1 255.255.255.0\n"
	"ip route 192.168.200.0 255.255.255.0 10.0.0.2\n";

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
		o.conf_path = NULL;
		o.config_text = seed_r1;
		ik_sb_reset(&err);
		ctx = ikd_new(&o, &err);
	}
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
	/* the same bytes as a line typed before '?' or TAB in ikerctl */
	{
		char line[1024];
		size_t n = size < sizeof(line) - 1 ? size : sizeof(line) - 1;

		memcpy(line, data, n);
		line[n] = '\0';
		ik_sb_init(&out);
		ik_cli_help(line, &out);
		ik_sb_reset(&out);
		ik_cli_complete(line, &out);
		ik_sb_free(&out);
	}
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
