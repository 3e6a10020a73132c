/* The address of a Linux interface by name, for `tunnel source IFNAME` when
 * IFNAME is an interface of the host and not of the configuration.
 *
 * Asked for one interface, not by listing the host's addresses: a tunnel
 * initiates or comes up once per tunnel, and the host's addresses include
 * those of every tunnel link, so a full listing per call (getifaddrs) made
 * bringing up N tunnels cost O(N^2). IPv4: SIOCGIFADDR, the first address
 * labelled NAME (an alias label such as eth0:1 included), as a listing in
 * kernel order would find it. IPv6: a netlink address dump restricted to the
 * interface's index (the kernel filters it itself with strict checking,
 * from Linux 4.20; the index is checked here too), the first address that
 * is not link-local or loopback. */
#include "daemon/daemon.h"

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

#define IFADDR_MAX_READS 4096   /* datagrams of one dump read at most */

uint32_t ikd_ifaddr4(const char *name)
{
	struct ifreq ifr;
	size_t len = strlen(name);
	uint32_t a = 0;
	int fd;

	if (!len || len >= IFNAMSIZ)
		return 0;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, len);
	if (ioctl(fd, SIOCGIFADDR, &ifr) == 0 && ifr.ifr_addr.sa_family == AF_INET) {
		struct sockaddr_in sin;

		memcpy(&sin, &ifr.ifr_addr, sizeof(sin));
		a = ntohl(sin.sin_addr.s_addr);
	}
	close(fd);
	return a;
}

/* The address of one RTM_NEWADDR message (len bytes, at least its header)
 * of interface idx, when it is a global IPv6 one. */
static bool addr6_of(const struct nlmsghdr *h, size_t len, unsigned idx, uint8_t out[16])
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	const uint8_t *addr = NULL, *local = NULL;
	const struct rtattr *rta;
	struct in6_addr a;
	int alen;

	if (len < NLMSG_LENGTH(sizeof(*ifa)) || ifa->ifa_family != AF_INET6 ||
	    ifa->ifa_index != idx)
		return false;
	alen = (int)(len - NLMSG_LENGTH(sizeof(*ifa)));
	for (rta = IFA_RTA(ifa); RTA_OK(rta, alen); rta = RTA_NEXT(rta, alen)) {
		if (RTA_PAYLOAD(rta) != 16)
			continue;
		if (rta->rta_type == IFA_ADDRESS)
			addr = RTA_DATA(rta);
		else if (rta->rta_type == IFA_LOCAL)
			local = RTA_DATA(rta);
	}
	if (local) /* a point-to-point link: the local end */
		addr = local;
	if (!addr)
		return false;
	memcpy(&a, addr, 16);
	if (IN6_IS_ADDR_LINKLOCAL(&a) || IN6_IS_ADDR_LOOPBACK(&a))
		return false;
	memcpy(out, addr, 16);
	return true;
}

int ikd_ifaddr6_walk(const struct nlmsghdr *buf, size_t len, unsigned idx, uint8_t out[16])
{
	size_t off = 0;

	/* each message must fit in what is left; the next one starts at the
	 * aligned end of this one */
	while (len - off >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)((const char *)buf + off);

		if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > len - off)
			return -1; /* malformed: the dump cannot be trusted further */
		if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
			return -1;
		if (h->nlmsg_type == RTM_NEWADDR && addr6_of(h, h->nlmsg_len, idx, out))
			return 1;
		if (NLMSG_ALIGN(h->nlmsg_len) >= len - off)
			break;
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	return 0;
}

bool ikd_ifaddr6(const char *name, uint8_t out[16])
{
	struct {
		struct nlmsghdr h;
		struct ifaddrmsg m;
	} req;
	struct timeval tv = { .tv_sec = 1 };
	union {
		struct nlmsghdr h;
		char b[16384];
	} buf;
	unsigned idx;
	bool found = false, done = false;
	int fd, one = 1;

	/* an alias label (eth0:1) names IPv4 addresses only (the kernel would
	 * take it for eth0) */
	if (strchr(name, ':') || !(idx = if_nametoindex(name)))
		return false;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return false;
	/* without strict checking (before 4.20) the kernel lists every
	 * interface: still correct, only slower */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = RTM_GETADDR;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.h.nlmsg_seq = 1;
	req.m.ifa_family = AF_INET6;
	req.m.ifa_index = idx;
	if (send(fd, &req, sizeof(req), 0) != (ssize_t)sizeof(req))
		goto out;
	for (unsigned n = 0; !done && !found && n < IFADDR_MAX_READS; n++) {
		ssize_t len = recv(fd, buf.b, sizeof(buf.b), 0);
		int rc;

		if (len <= 0)
			break;
		rc = ikd_ifaddr6_walk(&buf.h, (size_t)len, idx, out);
		found = rc > 0;
		done = rc < 0;
	}
out:
	close(fd);
	return found;
}
