/* Fuzz target: the decoding of XFRM events received on the kernel backend's
 * netlink event socket (src/vti/kernel_netlink.c, ik_kernel_nl_event_decode):
 * the input is one received datagram, a sequence of netlink messages, walked
 * as the receive loop walks it; each message is decoded and what it yields
 * checked (an acquire or expire for a reqid of this process, with the
 * ownership bits removed; IPv4 or IPv6 addresses, each pair of one family).
 * Each message also goes through the decoding of a route reply
 * (ik_kernel_nl_route_oif, used to route a reverse route out of the
 * interface toward the peer), which yields a positive index or 0. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>

#include "util/log.h"
#include "vti/kernel_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ik_log lg; /* no sink: warnings go nowhere */
	struct nlmsghdr *buf;
	size_t off = 0;

	if (size > 65536)
		return 0;
	/* received into an aligned buffer, as the socket layer does */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	for (unsigned n = 0; n < 256 && size - off >= sizeof(struct nlmsghdr); n++) {
		struct nlmsghdr *h = (struct nlmsghdr *)((uint8_t *)buf + off);
		struct ik_kevent ev;
		size_t step;

		if (ik_kernel_nl_event_decode(h, size - off, &lg, &ev)) {
			if (ev.type != IK_KEV_ACQUIRE && ev.type != IK_KEV_EXPIRE_SOFT &&
			    ev.type != IK_KEV_EXPIRE_HARD)
				abort();
			if (ev.reqid & IK_KERNEL_REQID_MASK)
				abort();
			/* addresses of one family each: outer (template or SA),
			 * selector (its own, IPv4 or IPv6), lengths within it */
			if (ev.src.family != ev.dst.family ||
			    ev.sel.src.family != ev.sel.dst.family ||
			    ev.sel.src_plen > ik_af_bits(ev.sel.src.family) ||
			    ev.sel.dst_plen > ik_af_bits(ev.sel.dst.family))
				abort();
		}
		if (ik_kernel_nl_route_oif(h, size - off) < 0)
			abort();
		if (h->nlmsg_len < sizeof(*h))
			break;
		step = NLMSG_ALIGN(h->nlmsg_len);
		if (step > size - off)
			break;
		off += step;
	}
	free(buf);
	return 0;
}
