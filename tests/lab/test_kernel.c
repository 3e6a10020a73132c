/* Unit tests of src/vti on the build host's kernel (make check).
 *
 * The none backend: its record of calls, zero counters, no event source.
 * The netlink backend, each test in a network namespace of its own (check
 * runs every test in a child process; it unshares its network namespace):
 * open, flush_owned that removes objects carrying ikerd's marks and leaves
 * foreign ones, and child_add/tunnel_up that either work (a kernel with ESP
 * and GRE) or fail cleanly with a message naming the object. Which of the two
 * happens depends on the kernel (the build host has no ESP, GRE or VTI); the
 * lab (tests/lab/scenarios/backend-smoke.sh) proves the working case. */
#include <check.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"
#include "util/strbuf.h"
#include "vti/kernel.h"
#include "vti/mss.h"

static void fill_child(struct ik_child_sa *c, struct ik_interface *tun)
{
	memset(tun, 0, sizeof(*tun));
	tun->name = (char *)"Tunnel1";
	tun->is_tunnel = true;
	tun->tunnel_num = 1;
	tun->tunnel_source = 0xc6336401u; /* 198.51.100.1 */
	tun->tunnel_dest = 0xc6336402u;   /* 198.51.100.2 */
	tun->addr = 0xc00002fdu;          /* 192.0.2.253/30 */
	tun->mask = 0xfffffffcu;

	memset(c, 0, sizeof(*c));
	c->id = 7;
	snprintf(c->ifname, sizeof(c->ifname), "Tunnel1");
	c->tunnel = tun;
	c->mode = IK_MODE_TUNNEL;
	c->enc = IK_ESP_AES;
	c->enc_keylen = 256;
	c->auth = IK_ESP_SHA256;
	c->out = (struct ik_esp_sa){ .spi = 0x1234abcdu, .src = ik_addr_v4(0xc6336401u),
				     .dst = ik_addr_v4(0xc6336402u) };
	c->in = (struct ik_esp_sa){ .spi = 0x5678ef01u, .src = ik_addr_v4(0xc6336402u),
				    .dst = ik_addr_v4(0xc6336401u) };
	c->sel = (struct ik_selector){ .src = ik_addr_v4(0xc6336401u), .src_plen = 32,
				       .dst = ik_addr_v4(0xc6336402u), .dst_plen = 32,
				       .proto = 47 };
	c->lifetime_sec = 3600;
	c->lifetime_kb = 4608000;
	c->reqid = 2;
}

static struct ik_addr A(const char *s)
{
	struct ik_addr a;

	memset(&a, 0, sizeof(a));
	ck_assert_int_eq(ik_addr_parse_any(s, &a), 0);
	return a;
}

/* GRE over IPv6 ('tunnel mode gre ipv6'): outer 2001:db8::1 -> 2001:db8::2,
 * the selector GRE between them; mode IK_TUN_IPSEC_IPV6 makes it a vti6. */
static void fill_child6(struct ik_child_sa *c, struct ik_interface *tun, enum ik_tunnel_mode m)
{
	struct ik_addr l = A("2001:db8::1"), r = A("2001:db8::2");

	fill_child(c, tun);
	tun->tunnel_mode = m;
	tun->tunnel_source = tun->tunnel_dest = 0;
	tun->addr = tun->mask = 0;
	tun->tunnel_source_v6 = tun->tunnel_dest_v6 = true;
	memcpy(tun->tunnel_source6, l.v6, 16);
	memcpy(tun->tunnel_dest6, r.v6, 16);
	tun->has_addr6 = true;
	memcpy(tun->addr6, A("2001:db8:ffff::1").v6, 16);
	tun->plen6 = 64;
	c->out.src = c->in.dst = l;
	c->out.dst = c->in.src = r;
	memset(&c->sel, 0, sizeof(c->sel));
	if (m == IK_TUN_IPSEC_IPV6) {
		c->sel.src.family = c->sel.dst.family = IK_AF_INET6;
	} else {
		c->sel.src = l;
		c->sel.dst = r;
		c->sel.src_plen = c->sel.dst_plen = 128;
		c->sel.proto = 47;
	}
}

START_TEST(none_records_ipv6)
{
	struct ik_sb err;
	struct ik_kernel *k;
	struct ik_interface tun;
	struct ik_child_sa c;
	struct ik_config cfg;
	struct ik_selector sel;
	struct ik_addr l4 = A("198.51.100.1"), r4 = A("198.51.100.2");

	memset(&cfg, 0, sizeof(cfg));
	ik_sb_init(&err);
	k = ik_kernel_open("none", NULL, &err);
	ck_assert_ptr_nonnull(k);
	fill_child6(&c, &tun, IK_TUN_GRE_IPV6);
	ck_assert_int_eq(k->ops->tunnel_up(k, &cfg, &tun, &c.out.src), 0);
	ck_assert_int_eq(k->ops->child_add(k, &c), 0);
	/* an IPv6 crypto map line over an IPv4 peer */
	memset(&sel, 0, sizeof(sel));
	sel.src = A("2001:db8:1::");
	sel.dst = A("2001:db8:2::");
	sel.src_plen = sel.dst_plen = 48;
	ck_assert_int_eq(k->ops->trap_add(k, &sel, 0x800101u, &l4, &r4), 0);
	ck_assert_int_eq(k->ops->trap_del(k, &sel), 0);
	ck_assert_str_eq(ik_kernel_none_record(k),
		"tunnel_up Tunnel1 mode gre-ipv6 local 2001:db8::1 remote 2001:db8::2 "
		"addr6 2001:DB8:FFFF::1/64\n"
		"child_add id 7 reqid 2 if Tunnel1 mode tunnel enc aes-256 auth sha256 "
		"out 2001:db8::1->2001:db8::2 spi 0x1234abcd in 2001:db8::2->2001:db8::1 "
		"spi 0x5678ef01 sel 2001:db8::1/128->2001:db8::2/128 proto 47\n"
		"trap_add 2001:db8:1::/48->2001:db8:2::/48 proto 0 reqid 8388865 "
		"tmpl 198.51.100.1->198.51.100.2\n"
		"trap_del 2001:db8:1::/48->2001:db8:2::/48 proto 0\n");
	k->ops->free(k);
	ik_sb_free(&err);
}
END_TEST

START_TEST(none_records_calls)
{
	struct ik_sb err;
	struct ik_kernel *k;
	struct ik_interface tun;
	struct ik_child_sa c;
	struct ik_sa_counters in = { 1, 1, 1, 1, 1 }, out = { 1, 1, 1, 1, 1 };
	struct ik_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	ik_sb_init(&err);
	k = ik_kernel_open("none", NULL, &err);
	ck_assert_ptr_nonnull(k);
	ck_assert_str_eq(k->ops->name, "none");
	fill_child(&c, &tun);
	tun.ip_mtu = 1400;
	tun.tcp_adjust_mss = 1360;
	ck_assert_int_eq(k->ops->flush_owned(k), 0);
	ck_assert_int_eq(k->ops->tunnel_up(k, &cfg, &tun, &c.out.src), 0);
	ck_assert_int_eq(k->ops->child_add(k, &c), 0);
	ck_assert_int_eq(k->ops->child_counters(k, &c, &in, &out), 0);
	ck_assert_uint_eq(in.packets + in.bytes + in.errors, 0);
	ck_assert_uint_eq(out.packets + out.bytes + out.errors, 0);
	ck_assert_int_eq(k->ops->event_fd(k), -1);
	ck_assert_int_eq(k->ops->event_read(k, NULL, NULL), 0);
	ck_assert_int_eq(k->ops->child_del(k, &c), 0);
	{
		struct ik_addr net = ik_addr_v4(0xcb007100u), via = ik_addr_v4(0xc6336402u);

		ck_assert_int_eq(k->ops->route_add(k, &net, 24, &via), 0);
		ck_assert_int_eq(k->ops->route_del(k, &net, 24, &via), 0);
	}
	ck_assert_int_eq(k->ops->tunnel_down(k, &tun), 0);
	ck_assert_int_eq(k->ops->shutdown(k), 0);
	ck_assert_str_eq(ik_kernel_none_record(k),
		"flush_owned\n"
		"tunnel_up Tunnel1 mode gre local 198.51.100.1 remote 198.51.100.2 mtu 1400 mss 1360\n"
		"child_add id 7 reqid 2 if Tunnel1 mode tunnel enc aes-256 auth sha256 "
		"out 198.51.100.1->198.51.100.2 spi 0x1234abcd in 198.51.100.2->198.51.100.1 "
		"spi 0x5678ef01\n"
		"child_counters id 7\n"
		"child_del id 7 reqid 2 if Tunnel1 mode tunnel enc aes-256 auth sha256 "
		"out 198.51.100.1->198.51.100.2 spi 0x1234abcd in 198.51.100.2->198.51.100.1 "
		"spi 0x5678ef01\n"
		"route_add 203.0.113.0/24 via 198.51.100.2\n"
		"route_del 203.0.113.0/24 via 198.51.100.2\n"
		"tunnel_down Tunnel1\n"
		"shutdown\n");
	k->ops->free(k);
	ik_sb_free(&err);
}
END_TEST

START_TEST(open_unknown_backend)
{
	struct ik_sb err;

	ik_sb_init(&err);
	ck_assert_ptr_null(ik_kernel_open("pfkey", NULL, &err));
	ck_assert_str_eq(ik_sb_str(&err),
			 "unknown kernel backend 'pfkey' (expected netlink or none)");
	ik_sb_free(&err);
	/* the record of another backend is empty, not a crash */
	ck_assert_str_eq(ik_kernel_none_record(NULL), "");
}
END_TEST

/* ---- netlink, in a private network namespace ---- */

static void enter_netns(void)
{
	if (unshare(CLONE_NEWNET) != 0)
		ck_abort_msg("unshare(CLONE_NEWNET) failed: these tests need root");
}

static int sh(const char *cmd)
{
	int rc = system(cmd);

	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* Output of a command, for assertions. */
static char *capture(const char *cmd)
{
	static char buf[16384];
	FILE *p = popen(cmd, "r");
	size_t n;

	ck_assert_ptr_nonnull(p);
	n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = 0;
	pclose(p);
	return buf;
}

START_TEST(netlink_open_and_flush)
{
	struct ik_log_capture cap = { 0 };
	struct ik_log lg = { .sink = ik_log_capture_sink, .ctx = &cap };
	struct ik_sb err;
	struct ik_kernel *k;
	char *out;

	enter_netns();
	ck_assert_int_eq(sh("ip link set lo up"), 0);
	/* foreign policies, one with ikerd's priority but another reqid */
	ck_assert_int_eq(sh("ip xfrm policy add src 192.0.2.1/32 dst 203.0.113.1/32 dir out "
			    "tmpl src 198.51.100.1 dst 198.51.100.2 proto esp reqid 7 "
			    "mode tunnel"), 0);
	ck_assert_int_eq(sh("ip xfrm policy add src 192.0.2.2/32 dst 203.0.113.2/32 dir out "
			    "priority 6821 tmpl src 198.51.100.1 dst 198.51.100.2 "
			    "proto esp reqid 8 mode tunnel"), 0);
	/* one of a previous ikerd's: its priority and reqid range, with a mark */
	ck_assert_int_eq(sh("ip xfrm policy add src 0.0.0.0/0 dst 0.0.0.0/0 dir out priority 6821 "
			    "mark 0x1a000003 mask 0xffffffff tmpl src 198.51.100.1 "
			    "dst 198.51.100.2 proto esp reqid 0x1a000004 mode tunnel"), 0);
	ck_assert_int_eq(sh("ip xfrm policy add src 192.0.2.3/32 dst 203.0.113.3/32 dir in "
			    "priority 6821 tmpl src 198.51.100.2 dst 198.51.100.1 proto esp "
			    "reqid 0x1a000004 mode tunnel"), 0);
	/* routes: a foreign one and one with ikerd's protocol */
	ck_assert_int_eq(sh("ip route add 203.0.113.0/25 dev lo proto static"), 0);
	ck_assert_int_eq(sh("ip route add 203.0.113.128/25 dev lo proto 0xa5"), 0);
	/* links: a foreign one named like ikerd's, and one of ikerd's (name and alias) */
	ck_assert_int_eq(sh("ip link add ik-tun9 type veth peer name fv0"), 0);
	ck_assert_int_eq(sh("ip link add ik-tun8 type veth peer name fv1 && "
			    "ip link set ik-tun8 alias 'ikerd Tunnel8'"), 0);

	ik_sb_init(&err);
	k = ik_kernel_open("netlink", &lg, &err);
	ck_assert_msg(k != NULL, "open: %s", ik_sb_str(&err));
	ck_assert_str_eq(k->ops->name, "netlink");
	ck_assert_int_ge(k->ops->event_fd(k), 0);
	ck_assert_int_eq(k->ops->event_read(k, NULL, NULL), 0);
	ck_assert_int_eq(k->ops->flush_owned(k), 0);
	ck_assert_int_ge(ik_log_capture_find(&cap, 0, "kernel: removed 4 stale objects"), 0);

	out = capture("ip xfrm policy");
	ck_assert_msg(strstr(out, "192.0.2.1/32") && strstr(out, "192.0.2.2/32"),
		      "foreign policies gone: %s", out);
	ck_assert_msg(!strstr(out, "192.0.2.3/32") && !strstr(out, "mark 0x1a000003"),
		      "owned policies left: %s", out);
	out = capture("ip route show table all");
	ck_assert_msg(strstr(out, "203.0.113.0/25 dev lo proto static"), "foreign route gone: %s",
		      out);
	ck_assert_msg(!strstr(out, "203.0.113.128/25"), "owned route left: %s", out);
	out = capture("ip -o link show");
	ck_assert_msg(strstr(out, "ik-tun9@"), "foreign link gone: %s", out);
	ck_assert_msg(!strstr(out, "ik-tun8@"), "owned link left: %s", out);

	/* a second flush finds nothing */
	ik_log_capture_clear(&cap);
	ck_assert_int_eq(k->ops->flush_owned(k), 0);
	ck_assert_int_lt(ik_log_capture_find(&cap, 0, "stale"), 0);
	ck_assert_int_eq(k->ops->shutdown(k), 0);
	k->ops->free(k);
	ik_sb_free(&err);
	ik_log_capture_clear(&cap);
	free(cap.lines);
	free(cap.cats);
}
END_TEST

START_TEST(netlink_child_add_works_or_fails_cleanly)
{
	struct ik_log_capture cap = { 0 };
	struct ik_log lg = { .sink = ik_log_capture_sink, .ctx = &cap };
	struct ik_sb err;
	struct ik_kernel *k;
	struct ik_interface tun;
	struct ik_child_sa c;
	char *out;
	int rc;

	enter_netns();
	ck_assert_int_eq(sh("ip link set lo up"), 0);
	ik_sb_init(&err);
	k = ik_kernel_open("netlink", &lg, &err);
	ck_assert_msg(k != NULL, "open: %s", ik_sb_str(&err));
	fill_child(&c, &tun);
	rc = k->ops->child_add(k, &c);
	if (rc == 0) {
		/* a kernel with ESP: both SAs and three policies are there */
		struct ik_sa_counters in, o;

		out = capture("ip xfrm state");
		ck_assert_msg(strstr(out, "spi 0x1234abcd") && strstr(out, "spi 0x5678ef01"),
			      "SAs missing: %s", out);
		ck_assert_int_eq(k->ops->child_counters(k, &c, &in, &o), 0);
		ck_assert_uint_eq(o.packets, 0);
		ck_assert_int_eq(k->ops->child_del(k, &c), 0);
		out = capture("ip xfrm state; ip xfrm policy");
		ck_assert_msg(!strstr(out, "src"), "left after child_del: %s", out);
	} else {
		/* no ESP here: a negative errno, the error names the SA, nothing is left */
		const char *want = "kernel: XFRM SA add 198.51.100.2->198.51.100.1 "
				   "spi 0x5678ef01 (cbc(aes)): ";
		long i = ik_log_capture_find(&cap, 0, want);

		ck_assert_int_lt(rc, 0);
		ck_assert_msg(i >= 0, "no error line naming the SA (%zu lines)", cap.n);
		out = capture("ip xfrm state; ip xfrm policy");
		ck_assert_msg(!strstr(out, "src"), "left after a failed child_add: %s", out);
	}
	/* invalid input is refused before the kernel sees it */
	ik_log_capture_clear(&cap);
	c.enc_keylen = 100;
	ck_assert_int_lt(k->ops->child_add(k, &c), 0);
	ck_assert_int_ge(ik_log_capture_find(&cap, 0, "unsupported cipher"), 0);
	fill_child(&c, &tun);
	c.reqid = 0x01000000u;
	ck_assert_int_lt(k->ops->child_add(k, &c), 0);
	ck_assert_int_ge(ik_log_capture_find(&cap, 0, "reqid 16777216 out of range"), 0);

	/* a GRE tunnel: works, or fails naming the link, leaving nothing */
	ik_log_capture_clear(&cap);
	{
		struct ik_config cfg;

		memset(&cfg, 0, sizeof(cfg));
		rc = k->ops->tunnel_up(k, &cfg, &tun, &c.out.src);
	}
	out = capture("ip -o link show");
	if (rc == 0) {
		ck_assert_msg(strstr(out, "ik-tun1@"), "no ik-tun1: %s", out);
		ck_assert_int_eq(k->ops->tunnel_down(k, &tun), 0);
		out = capture("ip -o link show");
	} else {
		ck_assert_int_ge(ik_log_capture_find(&cap, 0, "GRE link ik-tun1 (Tunnel1) local "
						     "198.51.100.1 remote 198.51.100.2 add: "), 0);
	}
	ck_assert_msg(!strstr(out, "ik-tun1@"), "ik-tun1 left: %s", out);
	ck_assert_int_eq(k->ops->shutdown(k), 0);
	k->ops->free(k);
	ik_sb_free(&err);
	ik_log_capture_clear(&cap);
	free(cap.lines);
	free(cap.cats);
}
END_TEST

/* reverse-route: a route to the remote subnet via the peer, with ikerd's
 * protocol (so that a restart's flush removes it), then removed; a peer not
 * on a connected subnet is refused with the route named. */
START_TEST(netlink_reverse_route)
{
	struct ik_log_capture cap = { 0 };
	struct ik_log lg = { .sink = ik_log_capture_sink, .ctx = &cap };
	struct ik_sb err;
	struct ik_kernel *k;
	struct ik_addr net = ik_addr_v4(0xcb007100u), via = ik_addr_v4(0xc6336402u);
	struct ik_addr far = ik_addr_v4(0xc0000209u), net6, via6;
	char *out;

	ck_assert_int_eq(ik_addr_parse_any("2001:db8:5::", &net6), 0);
	ck_assert_int_eq(ik_addr_parse_any("2001:db8:1::2", &via6), 0);
	enter_netns();
	ck_assert_int_eq(sh("ip link add ikv0 type veth peer name ikv1 && ip link set ikv0 up && "
			    "ip link set ikv1 up && ip addr add 198.51.100.1/24 dev ikv0 && "
			    "ip addr add 2001:db8:1::1/64 dev ikv0 nodad"), 0);
	ik_sb_init(&err);
	k = ik_kernel_open("netlink", &lg, &err);
	ck_assert_msg(k != NULL, "open: %s", ik_sb_str(&err));
	ck_assert_int_eq(k->ops->route_add(k, &net, 24, &via), 0);
	out = capture("ip route show 203.0.113.0/24");
	ck_assert_msg(strstr(out, "203.0.113.0/24 via 198.51.100.2 dev ikv0 proto 165"),
		      "reverse route: %s", out);
	ck_assert_int_eq(k->ops->route_del(k, &net, 24, &via), 0);
	out = capture("ip route show 203.0.113.0/24");
	ck_assert_msg(!strstr(out, "203.0.113.0"), "route left: %s", out);
	/* gone already: not an error */
	ck_assert_int_eq(k->ops->route_del(k, &net, 24, &via), 0);
	/* IPv6 */
	ck_assert_int_eq(k->ops->route_add(k, &net6, 48, &via6), 0);
	out = capture("ip -6 route show 2001:db8:5::/48");
	ck_assert_msg(strstr(out, "2001:db8:5::/48 via 2001:db8:1::2 dev ikv0 proto 165"),
		      "IPv6 reverse route: %s", out);
	ck_assert_int_eq(k->ops->route_del(k, &net6, 48, &via6), 0);
	out = capture("ip -6 route show 2001:db8:5::/48");
	ck_assert_msg(!strstr(out, "2001:db8:5::"), "IPv6 route left: %s", out);
	/* IPv4 subnets behind an IPv6 peer: an IPv6 gateway (RTA_VIA) */
	ck_assert_int_eq(k->ops->route_add(k, &net, 24, &via6), 0);
	out = capture("ip route show 203.0.113.0/24");
	ck_assert_msg(strstr(out, "203.0.113.0/24 via inet6 2001:db8:1::2 dev ikv0 proto 165"),
		      "IPv4 reverse route via an IPv6 peer: %s", out);
	ck_assert_int_eq(k->ops->route_del(k, &net, 24, &via6), 0);
	/* IPv6 subnets behind an IPv4 peer: Linux has no IPv6 route through an
	 * IPv4 gateway; a route out of the interface toward the peer */
	ck_assert_int_eq(k->ops->route_add(k, &net6, 48, &via), 0);
	out = capture("ip -6 route show 2001:db8:5::/48");
	ck_assert_msg(strstr(out, "2001:db8:5::/48 dev ikv0 proto 165"),
		      "IPv6 reverse route toward an IPv4 peer: %s", out);
	ck_assert_msg(!strstr(out, "via"), "a gateway on the IPv6 route: %s", out);
	ck_assert_int_eq(k->ops->route_del(k, &net6, 48, &via), 0);
	out = capture("ip -6 route show 2001:db8:5::/48");
	ck_assert_msg(!strstr(out, "2001:db8:5::"), "IPv6 route left: %s", out);
	/* a route the kernel does not take, of another protocol, stays */
	ck_assert_int_eq(sh("ip -6 route add 2001:db8:5::/48 dev ikv0"), 0);
	ck_assert_int_eq(k->ops->route_del(k, &net6, 48, &via), 0);
	out = capture("ip -6 route show 2001:db8:5::/48");
	ck_assert_msg(strstr(out, "2001:db8:5::/48 dev ikv0"), "a foreign route removed: %s",
		      out);
	ck_assert_int_eq(sh("ip -6 route del 2001:db8:5::/48 dev ikv0"), 0);
	/* an IPv4 peer with no route: the IPv6 route has no interface; said so */
	ck_assert_int_lt(k->ops->route_add(k, &net6, 48, &far), 0);
	ck_assert_int_ge(ik_log_capture_find(&cap, 0, "kernel: reverse-route 2001:db8:5::/48: no "
					     "route to the IPv4 peer 192.0.2.9, so no interface "
					     "for the IPv6 route"), 0);
	ck_assert_int_lt(k->ops->route_add(k, &net, 24, &far), 0);
	ck_assert_int_ge(ik_log_capture_find(&cap, 0, "kernel: route 203.0.113.0/24 via "
					     "192.0.2.9 (reverse-route) add: "), 0);
	ck_assert_int_eq(k->ops->shutdown(k), 0);
	k->ops->free(k);
	ik_sb_free(&err);
	ik_log_capture_clear(&cap);
	free(cap.lines);
	free(cap.cats);
}
END_TEST

/* ip tcp adjust-mss: the nftables table ikerd owns, its two chains per link
 * with the clamp rules, removed with the tunnel; flush deletes the table and
 * is quiet when there is none. nf_tables is in the build host's kernel. */
START_TEST(mss_clamp_nftables)
{
	struct ik_log_capture cap = { 0 };
	struct ik_log lg = { .debug_mask = 0, .sink = ik_log_capture_sink, .ctx = &cap };
	struct ik_sb cmds;
	const char *out;

	ik_sb_init(&cmds);
	ik_mss_commands("ik-tun1", 1360, &cmds);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&cmds), "add rule ip ikerd mss-ik-tun1-fwd oifname "
				     "\"ik-tun1\" tcp flags syn tcp option maxseg size > 1360 tcp "
				     "option maxseg size set 1360\n"));
	ik_sb_free(&cmds);
	enter_netns();
	ck_assert_int_eq(ik_mss_flush(&lg), 0); /* nothing there: quiet */
	ck_assert_uint_eq(cap.n, 0);
	ck_assert_int_eq(ik_mss_apply(&lg, "ik-tun1", 1360, "ip tcp adjust-mss 1360 on Tunnel1"),
			 0);
	ck_assert_int_eq(ik_mss_apply(&lg, "ik-tun2", 1300, "ip tcp adjust-mss 1300 on Tunnel2"),
			 0);
	/* applied twice: the same rules, not two of each */
	ck_assert_int_eq(ik_mss_apply(&lg, "ik-tun1", 1360, "ip tcp adjust-mss 1360 on Tunnel1"),
			 0);
	out = capture("nft list table ip ikerd 2>&1");
	ck_assert_msg(strstr(out, "chain mss-ik-tun1-fwd {") &&
		      strstr(out, "type filter hook forward priority mangle; policy accept;") &&
		      strstr(out, "oifname \"ik-tun1\" tcp flags syn tcp option maxseg size > 1360 "
			     "tcp option maxseg size set 1360") &&
		      strstr(out, "iifname \"ik-tun1\" tcp flags syn") &&
		      strstr(out, "chain mss-ik-tun1-out {") &&
		      strstr(out, "type filter hook output priority mangle;") &&
		      strstr(out, "maxseg size set 1300"), "nft ruleset:\n%s", out);
	ck_assert_int_eq(sh("test $(nft list table ip ikerd | grep -c 'maxseg size set 1360') = 3"),
			 0);
	/* tunnel down: its chains go, the other tunnel's stay */
	ck_assert_int_eq(ik_mss_apply(&lg, "ik-tun1", 0, "Tunnel1"), 0);
	out = capture("nft list table ip ikerd 2>&1");
	ck_assert_msg(!strstr(out, "ik-tun1") && strstr(out, "ik-tun2"), "after removal:\n%s", out);
	ck_assert_int_eq(ik_mss_flush(&lg), 0);
	ck_assert_int_ne(sh("nft list table ip ikerd >/dev/null 2>&1"), 0);
	/* a clamp nftables refuses is reported with what it was for */
	ck_assert_int_ne(ik_mss_run(&lg, "add rule ip nosuchtable c tcp flags syn\n",
				    "ip tcp adjust-mss 1360 on Tunnel9"), 0);
	ck_assert_int_ge(ik_log_capture_find(&cap, 0, "%IKERD-3-MSS: ip tcp adjust-mss 1360 on "
					     "Tunnel9: nftables refused: "), 0);
	ik_log_capture_clear(&cap);
}
END_TEST

/* IPv6: SAs and policies in AF_INET6 (outer and selectors), ip6gre and
 * vti6 links; each works (a kernel with esp6, ip6_gre, ip6_vti: the lab's
 * backend-v6 scenario) or fails naming the object and leaves nothing. */
START_TEST(netlink_ipv6_child_and_links)
{
	struct ik_log_capture cap = { 0 };
	struct ik_log lg = { .sink = ik_log_capture_sink, .ctx = &cap };
	struct ik_sb err;
	struct ik_kernel *k;
	struct ik_interface tun;
	struct ik_child_sa c;
	struct ik_config cfg;
	char *out;
	int rc;

	enter_netns();
	ck_assert_int_eq(sh("ip link set lo up"), 0);
	ik_sb_init(&err);
	k = ik_kernel_open("netlink", &lg, &err);
	ck_assert_msg(k != NULL, "open: %s", ik_sb_str(&err));
	fill_child6(&c, &tun, IK_TUN_GRE_IPV6);
	rc = k->ops->child_add(k, &c);
	if (rc == 0) {
		out = capture("ip xfrm state; ip xfrm policy");
		ck_assert_msg(strstr(out, "src 2001:db8::1 dst 2001:db8::2") &&
			      strstr(out, "src 2001:db8::1/128 dst 2001:db8::2/128 proto gre"),
			      "IPv6 SA or policy missing: %s", out);
		ck_assert_int_eq(k->ops->child_del(k, &c), 0);
	} else {
		ck_assert_int_lt(rc, 0);
		ck_assert_int_ge(ik_log_capture_find(&cap, 0, "kernel: XFRM SA add "
						     "2001:db8::2->2001:db8::1 spi 0x5678ef01 "
						     "(cbc(aes)): "), 0);
	}
	out = capture("ip xfrm state; ip xfrm policy");
	ck_assert_msg(!strstr(out, "src"), "left after the IPv6 child: %s", out);

	memset(&cfg, 0, sizeof(cfg));
	for (int vti = 0; vti < 2; vti++) {
		ik_log_capture_clear(&cap);
		fill_child6(&c, &tun, vti ? IK_TUN_IPSEC_IPV6 : IK_TUN_GRE_IPV6);
		rc = k->ops->tunnel_up(k, &cfg, &tun, &c.out.src);
		out = capture("ip -d -o link show");
		if (rc == 0) {
			const char *want = vti ? "vti6 remote 2001:db8::2 local 2001:db8::1" :
				"ip6gre remote 2001:db8::2 local 2001:db8::1";

			ck_assert_msg(strstr(out, want), "link: %s", out);
			ck_assert_int_eq(k->ops->tunnel_down(k, &tun), 0);
			out = capture("ip -o link show");
		} else {
			const char *want = vti ? "vti6 link ik-tun1 (Tunnel1) local 2001:db8::1 "
				"remote 2001:db8::2 add: " : "ip6gre link ik-tun1 (Tunnel1) local "
				"2001:db8::1 remote 2001:db8::2 add: ";

			ck_assert_int_ge(ik_log_capture_find(&cap, 0, want), 0);
		}
		ck_assert_msg(!strstr(out, "ik-tun1@"), "ik-tun1 left: %s", out);
		out = capture("ip xfrm policy");
		ck_assert_msg(!strstr(out, "src"), "policy left: %s", out);
	}
	/* a tunnel source of the other family is refused before the kernel */
	ik_log_capture_clear(&cap);
	fill_child6(&c, &tun, IK_TUN_GRE_IPV6);
	{
		struct ik_addr l4 = A("198.51.100.1");

		ck_assert_int_lt(k->ops->tunnel_up(k, &cfg, &tun, &l4), 0);
	}
	ck_assert_int_ge(ik_log_capture_find(&cap, 0, "Tunnel1: tunnel source 198.51.100.1 and "
					     "destination 2001:db8::2 are not both"), 0);
	ck_assert_int_eq(k->ops->shutdown(k), 0);
	k->ops->free(k);
	ik_sb_free(&err);
	ik_log_capture_clear(&cap);
	free(cap.lines);
	free(cap.cats);
}
END_TEST

struct acq {
	unsigned n;
	struct ik_kevent ev;
};

static void on_acquire(void *ctx, const struct ik_kevent *ev)
{
	struct acq *a = ctx;

	if (ev->type == IK_KEV_ACQUIRE && a->n++ == 0)
		a->ev = *ev;
}

/* Reads events for up to 3 s until an acquire. */
static void wait_acquire(struct ik_kernel *k, struct acq *a)
{
	for (int i = 0; i < 30 && !a->n; i++) {
		ck_assert_int_eq(k->ops->event_read(k, on_acquire, a), 0);
		if (!a->n)
			usleep(100000);
	}
}

/* Crypto map traps with IPv6 selectors: IPv6 over IPv6 and IPv6 over IPv4
 * (template of the other family). Both policies go in (XFRM policies need
 * no ESP), a packet raises an acquire that decodes with the template's
 * outer addresses and the IPv6 selector, and trap_del removes them; flush
 * removes IPv6 objects of ikerd's (policy, route) and leaves foreign ones. */
START_TEST(netlink_ipv6_traps_and_acquire)
{
	struct ik_log_capture cap = { 0 };
	struct ik_log lg = { .sink = ik_log_capture_sink, .ctx = &cap };
	struct ik_sb err;
	struct ik_kernel *k;
	struct ik_selector s6, s64;
	struct ik_addr l6 = A("2001:db8::1"), r6 = A("2001:db8::2");
	struct ik_addr l4 = A("198.51.100.1"), r4 = A("198.51.100.2");
	struct acq a = { 0 };
	char buf[IK_SEL_STRLEN], x[IK_ADDR_ANYSTRLEN], y[IK_ADDR_ANYSTRLEN];
	char *out;

	enter_netns();
	ck_assert_int_eq(sh("ip link set lo up && sysctl -qw net.ipv6.conf.all.disable_ipv6=0 "
			    "net.ipv6.conf.lo.disable_ipv6=0 && "
			    "ip addr add 2001:db8::1/64 dev lo nodad && "
			    "ip -6 route add 2001:db8:2::/48 dev lo && "
			    "ip -6 route add 2001:db8:4::/48 dev lo"), 0);
	/* a foreign IPv6 route, one with ikerd's protocol, an owned IPv6 policy */
	ck_assert_int_eq(sh("ip -6 route add 2001:db8:7::/48 dev lo proto static && "
			    "ip -6 route add 2001:db8:8::/48 dev lo proto 0xa5 && "
			    "ip xfrm policy add src 2001:db8:9::/48 dst 2001:db8:a::/48 dir out "
			    "priority 6821 tmpl src 2001:db8::1 dst 2001:db8::9 proto esp "
			    "reqid 0x1a000009 mode tunnel"), 0);
	ik_sb_init(&err);
	k = ik_kernel_open("netlink", &lg, &err);
	ck_assert_msg(k != NULL, "open: %s", ik_sb_str(&err));
	ck_assert_int_eq(k->ops->flush_owned(k), 0);
	ck_assert_int_ge(ik_log_capture_find(&cap, 0, "kernel: removed 2 stale objects"), 0);
	out = capture("ip -6 route show table all; ip xfrm policy");
	ck_assert_msg(strstr(out, "2001:db8:7::/48") && !strstr(out, "2001:db8:8::/48") &&
		      !strstr(out, "2001:db8:9::/48"), "after flush: %s", out);

	memset(&s6, 0, sizeof(s6));
	s6.src = A("2001:db8::");
	s6.dst = A("2001:db8:2::");
	s6.src_plen = 64;
	s6.dst_plen = 48;
	s64 = s6;
	s64.dst = A("2001:db8:4::");
	ck_assert_int_eq(k->ops->trap_add(k, &s6, 0x800101u, &l6, &r6), 0);
	ck_assert_int_eq(k->ops->trap_add(k, &s64, 0x800102u, &l4, &r4), 0);
	out = capture("ip xfrm policy");
	ck_assert_msg(strstr(out, "src 2001:db8::/64 dst 2001:db8:2::/48") &&
		      strstr(out, "tmpl src 2001:db8::1 dst 2001:db8::2") &&
		      strstr(out, "src 2001:db8::/64 dst 2001:db8:4::/48") &&
		      strstr(out, "tmpl src 198.51.100.1 dst 198.51.100.2"), "policies: %s", out);

	/* a packet into each trap: acquires with IPv6 and IPv4 outer addresses */
	ck_assert_int_eq(sh("ping -6 -c 1 -W 1 2001:db8:2::5 >/dev/null 2>&1; true"), 0);
	wait_acquire(k, &a);
	ck_assert_uint_ge(a.n, 1);
	ck_assert_uint_eq(a.ev.reqid, 0x800101u);
	ck_assert_str_eq(ik_addr_fmt_any(&a.ev.src, x), "2001:db8::1");
	ck_assert_str_eq(ik_addr_fmt_any(&a.ev.dst, y), "2001:db8::2");
	/* the packet's own selector (ping may first connect a UDP socket) */
	ik_sel_fmt(&a.ev.sel, buf, sizeof(buf));
	ck_assert_msg(!strncmp(buf, "2001:db8::1/128->2001:db8:2::5/128 proto ", 41),
		      "selector %s", buf);
	memset(&a, 0, sizeof(a));
	ck_assert_int_eq(sh("ping -6 -c 1 -W 1 2001:db8:4::5 >/dev/null 2>&1; true"), 0);
	wait_acquire(k, &a);
	ck_assert_uint_ge(a.n, 1);
	ck_assert_uint_eq(a.ev.reqid, 0x800102u);
	ck_assert_str_eq(ik_addr_fmt_any(&a.ev.src, x), "198.51.100.1");
	ck_assert_str_eq(ik_addr_fmt_any(&a.ev.dst, y), "198.51.100.2");
	ck_assert_uint_eq(a.ev.sel.dst.family, IK_AF_INET6);

	ck_assert_int_eq(k->ops->trap_del(k, &s6), 0);
	ck_assert_int_eq(k->ops->trap_del(k, &s64), 0);
	out = capture("ip xfrm policy");
	ck_assert_msg(!strstr(out, "src"), "policies left: %s", out);
	ck_assert_int_eq(k->ops->shutdown(k), 0);
	k->ops->free(k);
	ik_sb_free(&err);
	ik_log_capture_clear(&cap);
	free(cap.lines);
	free(cap.cats);
}
END_TEST

/* ---- tracking of what the backend installed (indexed by key) ---- */

#define TRACK_KEYS 600u
#define TRACK_OPS 6000u

/* The k-th trap selector: 192.0.2.x/32 -> 198.51.100.y/32 udp port p. */
static void track_sel(unsigned i, struct ik_selector *s)
{
	memset(s, 0, sizeof(*s));
	s->src = ik_addr_v4(0xc0000200u | (i & 0xffu));
	s->dst = ik_addr_v4(0xc6336400u | ((i >> 8) & 0xffu));
	s->src_plen = s->dst_plen = 32;
	s->proto = 17;
	s->dport = (uint16_t)(100 + i % 7);
}

/* Marks in have[] the keys whose policy the kernel holds; returns their count
 * (every policy of the namespace, ours or not). */
static unsigned track_kernel(bool have[TRACK_KEYS])
{
	FILE *p = popen("ip xfrm policy list", "r");
	char line[512];
	unsigned n = 0;

	ck_assert_ptr_nonnull(p);
	memset(have, 0, TRACK_KEYS * sizeof(*have));
	while (fgets(line, sizeof(line), p)) {
		unsigned x, y, port;

		if (strncmp(line, "src ", 4))
			continue;
		n++;
		if (sscanf(line, "src 192.0.2.%u/32 dst 198.51.100.%u/32 proto udp dport %u",
			   &x, &y, &port) != 3)
			continue;
		for (unsigned i = x; i < TRACK_KEYS; i += 256)
			if ((i >> 8) == y && 100 + i % 7 == port) {
				ck_assert_msg(!have[i], "policy of key %u twice", i);
				have[i] = true;
			}
	}
	pclose(p);
	return n;
}

/* Traps added and removed at random, several users per selector: after any
 * sequence, the kernel holds exactly the selectors with users left. A wrong
 * lookup in the backend's policy index would leave a policy behind, remove
 * one still in use, or count users of one selector against another. */
START_TEST(netlink_policy_tracking_agrees_with_model)
{
	struct ik_log lg = { 0 };
	struct ik_addr l = ik_addr_v4(0xcb007101u), r = ik_addr_v4(0xcb007102u);
	static unsigned refs[TRACK_KEYS];
	static bool have[TRACK_KEYS];
	unsigned seed = 4242, want = 0;
	struct ik_selector s;
	struct ik_sb err;
	struct ik_kernel *k;

	enter_netns();
	ik_sb_init(&err);
	k = ik_kernel_open("netlink", &lg, &err);
	ck_assert_msg(k != NULL, "open: %s", ik_sb_str(&err));
	memset(refs, 0, sizeof(refs));
	for (unsigned op = 1; op <= TRACK_OPS; op++) {
		unsigned i = (unsigned)rand_r(&seed) % TRACK_KEYS;

		track_sel(i, &s);
		if (rand_r(&seed) % 2 && refs[i] < 3) {
			ck_assert_int_eq(k->ops->trap_add(k, &s, 1 + i, &l, &r), 0);
			want += !refs[i]++;
		} else {
			ck_assert_int_eq(k->ops->trap_del(k, &s), 0);
			if (refs[i])
				want -= !--refs[i];
		}
		if (op % 1500 == 0 || op == TRACK_OPS) {
			ck_assert_uint_eq(track_kernel(have), want);
			for (unsigned j = 0; j < TRACK_KEYS; j++)
				ck_assert_msg(have[j] == (refs[j] > 0),
					      "key %u: kernel %d, users %u (op %u)", j, have[j],
					      refs[j], op);
		}
	}
	ck_assert_uint_gt(want, TRACK_KEYS / 4);
	ck_assert_int_eq(k->ops->shutdown(k), 0);
	ck_assert_uint_eq(track_kernel(have), 0);
	k->ops->free(k);
	ik_sb_free(&err);
}
END_TEST

static bool has_spi(const char *out, uint32_t spi)
{
	char b[32];

	snprintf(b, sizeof(b), "spi 0x%08x ", spi);
	return strstr(out, b) != NULL;
}

/* Children found by (id, SPIs) whatever their order: eight children, two
 * per id (a rekey's old and new pair) with one selector (shared policies),
 * added and removed interleaved, so that removals move others in the
 * backend's array and later additions reuse the freed places; after each
 * step exactly the children present have their two SAs, and the policies
 * stay while any child is left. Tunnels likewise by name (links present
 * exactly for the tunnels up). Needs a kernel with ESP and GRE (the lab runs
 * this test case: tests/lab/scenarios/backend-track.sh); on the build host
 * the first child_add and tunnel_up fail cleanly and the test stops there. */
#define TRACK_N 8
static const int track_steps[] = { 1, 2, 3, 4, 5, 6, -1, 7, -6, -3, 8, -2, -5, -4, -7, -8 };

START_TEST(netlink_children_and_tunnels_tracked)
{
	struct ik_log lg = { 0 };
	struct ik_interface tun[TRACK_N];
	struct ik_child_sa c[TRACK_N];
	struct ik_config cfg;
	struct ik_sb err;
	struct ik_kernel *k;
	char names[TRACK_N][16];
	bool up[TRACK_N] = { false };
	unsigned nup = 0;
	char *out;
	int rc;

	enter_netns();
	ck_assert_int_eq(sh("ip link set lo up"), 0);
	ik_sb_init(&err);
	k = ik_kernel_open("netlink", &lg, &err);
	ck_assert_msg(k != NULL, "open: %s", ik_sb_str(&err));
	for (unsigned i = 0; i < TRACK_N; i++) {
		fill_child(&c[i], &tun[i]);
		c[i].id = 10 + i / 2;
		c[i].in.spi = 0x1000u + i;
		c[i].out.spi = 0x2000u + i;
	}
	for (size_t j = 0; j < sizeof(track_steps) / sizeof(track_steps[0]); j++) {
		int st = track_steps[j];
		unsigned i = (unsigned)(st < 0 ? -st : st) - 1;

		if (st > 0) {
			rc = k->ops->child_add(k, &c[i]);
			if (rc && !j) {
				fprintf(stderr, "netlink-track: child_add failed (no ESP here): "
					"children not exercised\n");
				out = capture("ip xfrm state; ip xfrm policy");
				ck_assert_msg(!strstr(out, "src"), "left: %s", out);
				goto tunnels;
			}
			ck_assert_int_eq(rc, 0);
			up[i] = true;
			nup++;
		} else {
			ck_assert_int_eq(k->ops->child_del(k, &c[i]), 0);
			up[i] = false;
			nup--;
		}
		out = capture("ip xfrm state");
		for (unsigned m = 0; m < TRACK_N; m++)
			ck_assert_msg(has_spi(out, c[m].in.spi) == up[m] &&
				      has_spi(out, c[m].out.spi) == up[m],
				      "step %zu: child %u should be %s: %s", j, m,
				      up[m] ? "there" : "gone", out);
		out = capture("ip xfrm policy");
		ck_assert_msg((strstr(out, "src ") != NULL) == (nup > 0),
			      "step %zu: policies with %u children: %s", j, nup, out);
	}
tunnels:
	memset(&cfg, 0, sizeof(cfg));
	memset(up, 0, sizeof(up));
	for (unsigned i = 0; i < TRACK_N; i++) {
		tun[i].tunnel_num = 1 + i;
		snprintf(names[i], sizeof(names[i]), "Tunnel%u", 1 + i);
		tun[i].name = names[i];
		tun[i].tunnel_dest = 0xc6336410u + i;
	}
	for (size_t j = 0; j < sizeof(track_steps) / sizeof(track_steps[0]); j++) {
		int st = track_steps[j];
		unsigned i = (unsigned)(st < 0 ? -st : st) - 1;

		if (st > 0) {
			rc = k->ops->tunnel_up(k, &cfg, &tun[i], &c[0].out.src);
			if (rc && !j) {
				fprintf(stderr, "netlink-track: tunnel_up failed (no GRE here): "
					"tunnels not exercised\n");
				goto done;
			}
			ck_assert_int_eq(rc, 0);
		} else {
			ck_assert_int_eq(k->ops->tunnel_down(k, &tun[i]), 0);
		}
		up[i] = st > 0;
		out = capture("ip -o link show");
		for (unsigned m = 0; m < TRACK_N; m++) {
			char want[16];

			snprintf(want, sizeof(want), "ik-tun%u@", 1 + m);
			ck_assert_msg((strstr(out, want) != NULL) == up[m],
				      "step %zu: %s should be %s: %s", j, want,
				      up[m] ? "there" : "gone", out);
		}
	}
done:
	ck_assert_int_eq(k->ops->shutdown(k), 0);
	out = capture("ip xfrm state; ip xfrm policy; ip -o link show");
	ck_assert_msg(!strstr(out, "src") && !strstr(out, "ik-tun"), "left: %s", out);
	k->ops->free(k);
	ik_sb_free(&err);
}
END_TEST

static Suite *kernel_suite(void)
{
	Suite *s = suite_create("kernel");
	TCase *tc = tcase_create("none");

	tcase_add_test(tc, none_records_calls);
	tcase_add_test(tc, open_unknown_backend);
	tcase_add_test(tc, none_records_ipv6);
	suite_add_tcase(s, tc);
	tc = tcase_create("netlink");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, netlink_open_and_flush);
	tcase_add_test(tc, netlink_child_add_works_or_fails_cleanly);
	tcase_add_test(tc, netlink_reverse_route);
	tcase_add_test(tc, mss_clamp_nftables);
	tcase_add_test(tc, netlink_ipv6_child_and_links);
	tcase_add_test(tc, netlink_ipv6_traps_and_acquire);
	suite_add_tcase(s, tc);
	/* its own case, so that the lab can run it alone (CK_RUN_CASE) */
	tc = tcase_create("netlink-track");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, netlink_policy_tracking_agrees_with_model);
	tcase_add_test(tc, netlink_children_and_tunnels_tracked);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(kernel_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
