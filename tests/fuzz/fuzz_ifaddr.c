/* Fuzz target: the walk of one datagram of the netlink address dump that
 * resolves `tunnel source IFNAME` to an IPv6 address (src/daemon/ifaddr.c,
 * ikd_ifaddr6_walk): the input is the datagram, a sequence of netlink
 * messages, walked for interface 2; an address it yields must be of that
 * interface and global (not link-local, not loopback), and the walk must stay
 * inside the datagram (ASan). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>
#include <netinet/in.h>

#include "daemon/daemon.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nlmsghdr *buf;
	uint8_t out[16];
	struct in6_addr a;
	int rc;

	if (size > 65536)
		return 0;
	/* received into an aligned buffer, as the socket layer does */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	rc = ikd_ifaddr6_walk(buf, size, 2, out);
	if (rc < -1 || rc > 1)
		abort();
	if (rc == 1) {
		memcpy(&a, out, sizeof(a));
		if (IN6_IS_ADDR_LINKLOCAL(&a) || IN6_IS_ADDR_LOOPBACK(&a))
			abort();
	}
	free(buf);
	return 0;
}
