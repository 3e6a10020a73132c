/* The daemon's lookup of a host interface's address (tunnel source IFNAME
 * naming a Linux interface), asked for one interface (src/daemon/ifaddr.c),
 * agrees with a scan of every address of the host (getifaddrs, what it did
 * before): IPv4 by label (aliases such as v0:1 included, the first address of
 * a label in kernel order), IPv6 the first address that is not link-local
 * or loopback, none for interfaces without one or that do not exist. In a
 * network namespace of its own (root; skipped otherwise), among 300 other
 * addresses of other interfaces. */
#include <check.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/daemon.h"

static uint32_t scan4(const char *name)
{
	struct ifaddrs *ifa, *i;
	uint32_t a = 0;

	ck_assert_int_eq(getifaddrs(&ifa), 0);
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || strcmp(i->ifa_name, name))
			continue;
		a = ntohl(((const struct sockaddr_in *)(const void *)i->ifa_addr)->sin_addr.s_addr);
		break;
	}
	freeifaddrs(ifa);
	return a;
}

static bool scan6(const char *name, uint8_t out[16])
{
	struct ifaddrs *ifa, *i;
	bool found = false;

	ck_assert_int_eq(getifaddrs(&ifa), 0);
	for (i = ifa; i && !found; i = i->ifa_next) {
		const struct sockaddr_in6 *s6;

		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET6 || strcmp(i->ifa_name, name))
			continue;
		s6 = (const struct sockaddr_in6 *)(const void *)i->ifa_addr;
		if (IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr) || IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
			continue;
		memcpy(out, s6->sin6_addr.s6_addr, 16);
		found = true;
	}
	freeifaddrs(ifa);
	return found;
}

static int sh(const char *cmd)
{
	int rc = system(cmd);

	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

START_TEST(ifaddr_agrees_with_scan)
{
	static const char *const names[] = { "lo", "v0", "v0:1", "v1", "v2", "v3", "nosuch",
					     "v0:9", "" };
	FILE *f;

	if (unshare(CLONE_NEWNET)) {
		fprintf(stderr, "test_ifaddr: skipped (needs root and network namespaces)\n");
		return;
	}
	ck_assert_int_eq(sh("ip link set lo up && "
			    "ip link add v0 type veth peer name v1 && "
			    "ip link add v2 type veth peer name v3 && "
			    "sysctl -qw net.ipv6.conf.all.disable_ipv6=0 && "
			    "for i in v0 v1 v2 v3; do sysctl -qw net.ipv6.conf.$i.disable_ipv6=0; "
			    "ip link set $i up; done"), 0);
	/* v2: 300 addresses first, so that v0's come after them in a listing */
	f = popen("ip -batch -", "w");
	ck_assert_ptr_nonnull(f);
	for (unsigned i = 0; i < 150; i++) {
		fprintf(f, "address add 203.0.113.%u/32 dev v2\n", i + 1);
		fprintf(f, "address add 2001:db8:2::%x/128 dev v2 nodad\n", i + 1);
	}
	ck_assert_int_eq(pclose(f), 0);
	ck_assert_int_eq(sh("ip addr add 192.0.2.1/24 dev v0 && "
			    "ip addr add 192.0.2.2/24 dev v0 && "
			    "ip addr add 198.51.100.1/24 dev v0 label v0:1 && "
			    "ip addr add 2001:db8::1/64 dev v0 nodad && "
			    "ip addr add 2001:db8::2/64 dev v0 nodad && "
			    "ip addr add 2001:db8:1::1/64 dev v3 nodad"), 0);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint8_t a[16] = { 0 }, b[16] = { 0 };
		bool fa = ikd_ifaddr6(names[i], a), fb = scan6(names[i], b);

		ck_assert_msg(ikd_ifaddr4(names[i]) == scan4(names[i]), "IPv4 of '%s'", names[i]);
		ck_assert_msg(fa == fb && !memcmp(a, b, 16), "IPv6 of '%s'", names[i]);
	}
	/* the cases the set-up must produce */
	ck_assert_uint_eq(ikd_ifaddr4("v0"), 0xc0000201u);
	ck_assert_uint_eq(ikd_ifaddr4("v0:1"), 0xc6336401u);
	ck_assert_uint_eq(ikd_ifaddr4("v1"), 0);
	{
		uint8_t a[16];

		static const uint8_t net[15] = { 0x20, 0x01, 0x0d, 0xb8 };

		/* 2001:db8::1 or ::2 (Linux lists the newer IPv6 address first) */
		ck_assert(ikd_ifaddr6("v0", a));
		ck_assert(!memcmp(a, net, sizeof(net)) && (a[15] == 1 || a[15] == 2));
		ck_assert(!ikd_ifaddr6("v1", a)); /* link-local only */
		ck_assert(!ikd_ifaddr6("lo", a)); /* loopback only */
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ifaddr");
	TCase *tc = tcase_create("netns");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, ifaddr_agrees_with_scan);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
