/* kern_probe: drives the netlink kernel backend by hand, for the lab's
 * backend scenarios (tests/lab/scenarios/backend-*.sh). No IKE: the child SA
 * is made here with fixed keys, mirrored between side=1 and side=2, so that
 * two probes in two namespaces protect one tunnel.
 *
 *   kern_probe flush
 *       flush_owned, then exit (what ikerd does at start-up).
 *   kern_probe mss IFNAME N
 *       the ip tcp adjust-mss clamp of link IFNAME set to N (0: removed), as
 *       tunnel_up and tunnel_down do (vti/mss.h), without flush_owned.
 *   kern_probe up key=value...
 *       flush_owned, tunnel_up of a TunnelN, child_add (unless child=0), then
 *       waits, printing kernel events, until SIGTERM/SIGINT or hold= seconds;
 *       then prints the child's counters, calls shutdown and exits. With
 *       noshutdown=1 it exits without shutdown (a crash, as far as the kernel
 *       is concerned).
 *   keys: mode=gre|vti|gre6|vti6 num=N local=A remote=A addr=A/P [addr6=A/L]
 *         route=P/L [via=A] [vrf=V] [tvrf=V] side=1|2
 *         enc=aes-128|aes-192|aes-256|des|3des|gcm-128|gcm-256
 *         auth=md5|sha1|sha256|sha384|sha512 [transport=1] [life=S] [hold=S]
 *         [wait-acquire=S] [child=0] [noshutdown=1] [encap=1] [sel=A/P,B/P]
 * gre6 and vti6 ('tunnel mode gre ipv6', 'tunnel mode ipsec ipv6'): local and
 * remote are IPv6, the links ip6gre and vti6; addr= may then be empty (an
 * IPv6-only tunnel). route= and via= are IPv4 or IPv6 (an 'ipv6 route').
 * sel=A/P,B/P: the child's selector is that pair of prefixes (A behind side 1)
 * instead of the tunnel's, as a crypto map line gives it; it may be of the
 * other family than local/remote (IPv6 in IPv4, IPv4 in IPv6 XFRM SAs).
 * encap=1: ESP in UDP 4500 (NAT-T); the probe holds the UDP socket with
 * UDP_ENCAP_ESPINUDP that the kernel needs to take encapsulated ESP in.
 * Prints "ready" when everything is installed, one line per kernel event
 * ("event acquire reqid R src A dst A", "event expire soft|hard reqid R spi
 * 0xS") and (unless the SAs expired) "counters in P packets B bytes E errors out ..." at the end.
 * Exit status 0 when every backend call it made succeeded. */
#include <errno.h>
#include <linux/udp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/addr.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "vti/kernel.h"
#include "vti/mss.h"

static volatile sig_atomic_t stop;
static unsigned acquires, hard_expires;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void sink(void *ctx, unsigned cat, int sev, const char *line)
{
	(void)ctx;
	(void)cat;
	fprintf(stderr, "log(%d): %s\n", sev, line);
}

static const char *arg(int argc, char **argv, const char *key, const char *def)
{
	size_t n = strlen(key);

	for (int i = 2; i < argc; i++)
		if (!strncmp(argv[i], key, n) && argv[i][n] == '=')
			return argv[i] + n + 1;
	return def;
}

static int parse_addr(const char *what, const char *s, uint32_t *a, int *plen)
{
	char buf[32];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);

	if (n >= sizeof(buf))
		goto bad;
	memcpy(buf, s, n);
	buf[n] = 0;
	if (ik_addr_parse(buf, a) < 0)
		goto bad;
	if (plen) {
		char *end;
		long l = slash ? strtol(slash + 1, &end, 10) : 32;

		if (slash && (*end || l < 0 || l > 32))
			goto bad;
		*plen = (int)l;
	}
	return 0;
bad:
	fprintf(stderr, "kern_probe: %s: bad address '%s'\n", what, s);
	return -1;
}

/* IPv4 or IPv6, with an optional /LEN (the full length when absent). */
static int parse_any(const char *what, const char *s, struct ik_addr *a, int *plen)
{
	char buf[IK_ADDR_ANYSTRLEN];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	int bits;

	if (n >= sizeof(buf))
		goto bad;
	memcpy(buf, s, n);
	buf[n] = 0;
	if (ik_addr_parse_any(buf, a) < 0)
		goto bad;
	bits = a->family == IK_AF_INET6 ? 128 : 32;
	if (plen) {
		char *end;
		long l = slash ? strtol(slash + 1, &end, 10) : bits;

		if (slash && (*end || l < 0 || l > bits))
			goto bad;
		*plen = (int)l;
	}
	return 0;
bad:
	fprintf(stderr, "kern_probe: %s: bad address '%s'\n", what, s);
	return -1;
}

static struct ik_addr tun_addr(bool v6, uint32_t a4, const uint8_t a6[16])
{
	struct ik_addr a = ik_addr_v4(a4);

	if (v6) {
		a.family = IK_AF_INET6;
		memcpy(a.v6, a6, 16);
	}
	return a;
}

static void fill_key(uint8_t *k, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		k[i] = (uint8_t)(seed * 31u + i * 7u + 1u);
}

static void on_event(void *ctx, const struct ik_kevent *ev)
{
	char a[2][IK_ADDR_ANYSTRLEN];

	(void)ctx;
	if (ev->type == IK_KEV_ACQUIRE)
		acquires++;
	if (ev->type == IK_KEV_EXPIRE_HARD)
		hard_expires++;
	if (ev->type == IK_KEV_ACQUIRE)
		printf("event acquire reqid %u src %s dst %s\n", ev->reqid,
		       ik_addr_fmt_any(&ev->src, a[0]), ik_addr_fmt_any(&ev->dst, a[1]));
	else
		printf("event expire %s reqid %u spi 0x%08x\n",
		       ev->type == IK_KEV_EXPIRE_HARD ? "hard" : "soft", ev->reqid, ev->spi);
	fflush(stdout);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Polls the event socket until stop, the deadline, or (until_acquire) the
 * first acquire. */
static int wait_events(struct ik_kernel *k, double secs, bool until_acquire)
{
	double end = now_s() + secs;
	int fd = k->ops->event_fd(k);

	while (!stop && now_s() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int n = poll(&p, fd >= 0 ? 1 : 0, 100);

		if (n < 0 && errno != EINTR)
			return -1;
		if (n > 0) {
			unsigned before = acquires;

			if (k->ops->event_read(k, on_event, NULL) < 0)
				return -1;
			if (until_acquire && acquires != before)
				return 0;
		}
	}
	return until_acquire ? -1 : 0;
}

static int setup_child(struct ik_child_sa *c, int argc, char **argv, const struct ik_interface *t,
		       int side)
{
	const char *enc = arg(argc, argv, "enc", "aes-256");
	const char *auth = arg(argc, argv, "auth", "sha256");
	struct ik_esp_sa *a = side == 1 ? &c->out : &c->in; /* side 1 -> side 2 */
	struct ik_esp_sa *b = side == 1 ? &c->in : &c->out; /* side 2 -> side 1 */
	struct ik_addr lo = tun_addr(t->tunnel_source_v6, t->tunnel_source, t->tunnel_source6);
	struct ik_addr re = tun_addr(t->tunnel_dest_v6, t->tunnel_dest, t->tunnel_dest6);
	struct ik_addr s1 = side == 1 ? lo : re;
	struct ik_addr s2 = side == 1 ? re : lo;

	memset(c, 0, sizeof(*c));
	c->id = t->tunnel_num;
	snprintf(c->ifname, sizeof(c->ifname), "%s", t->name);
	c->tunnel = t;
	c->mode = atoi(arg(argc, argv, "transport", "0")) ? IK_MODE_TRANSPORT : IK_MODE_TUNNEL;
	c->reqid = t->tunnel_num + 1;
	c->lifetime_sec = (uint32_t)atoi(arg(argc, argv, "life", "3600"));
	c->lifetime_kb = 4608000;
	if (!strncmp(enc, "aes-", 4)) {
		c->enc = IK_ESP_AES;
		c->enc_keylen = (unsigned)atoi(enc + 4);
	} else if (!strncmp(enc, "gcm-", 4)) {
		c->enc = IK_ESP_GCM;
		c->enc_keylen = (unsigned)atoi(enc + 4);
		c->icv_bits = 128;
	} else if (!strcmp(enc, "3des")) {
		c->enc = IK_ESP_3DES;
		c->enc_keylen = 192;
	} else if (!strcmp(enc, "des")) {
		c->enc = IK_ESP_DES;
		c->enc_keylen = 64;
	} else {
		fprintf(stderr, "kern_probe: enc=%s unknown\n", enc);
		return -1;
	}
	if (c->enc != IK_ESP_GCM) {
		static const struct { const char *n; enum ik_esp_auth a; } auths[] = {
			{ "md5", IK_ESP_MD5 }, { "sha1", IK_ESP_SHA1 },
			{ "sha256", IK_ESP_SHA256 }, { "sha384", IK_ESP_SHA384 },
			{ "sha512", IK_ESP_SHA512 },
		};
		for (size_t i = 0; i < sizeof(auths) / sizeof(auths[0]); i++)
			if (!strcmp(auth, auths[i].n))
				c->auth = auths[i].a;
		if (!c->auth) {
			fprintf(stderr, "kern_probe: auth=%s unknown\n", auth);
			return -1;
		}
	}
	a->src = s1;
	a->dst = s2;
	a->spi = 0x1000u + t->tunnel_num;
	b->src = s2;
	b->dst = s1;
	b->spi = 0x2000u + t->tunnel_num;
	fill_key(a->enc_key, sizeof(a->enc_key), 1);
	fill_key(a->auth_key, sizeof(a->auth_key), 2);
	fill_key(b->enc_key, sizeof(b->enc_key), 3);
	fill_key(b->auth_key, sizeof(b->auth_key), 4);
	if (t->tunnel_mode == IK_TUN_IPSEC_IPV4 || t->tunnel_mode == IK_TUN_IPSEC_IPV6) {
		/* VTI: everything of the family it carries */
		memset(&c->sel.src, 0, sizeof(c->sel.src));
		c->sel.src.family = lo.family;
		c->sel.dst = c->sel.src;
	} else {
		/* GRE over IPsec: the GRE packets between the tunnel end points */
		c->sel.src = lo;
		c->sel.dst = re;
		c->sel.src_plen = c->sel.dst_plen = (uint8_t)ik_af_bits(lo.family);
		c->sel.proto = 47;
	}
	if (arg(argc, argv, "sel", NULL)) {
		/* sel=A/P,B/P: a crypto map's subnets (A behind side 1, B behind
		 * side 2), of either family whatever the outer one is */
		char buf[2 * IK_ADDR_ANYSTRLEN + 10];
		char *comma;
		struct ik_addr x, y;
		int px, py;

		snprintf(buf, sizeof(buf), "%s", arg(argc, argv, "sel", NULL));
		comma = strchr(buf, ',');
		if (!comma) {
			fprintf(stderr, "kern_probe: sel=A/P,B/P\n");
			return -1;
		}
		*comma = 0;
		if (parse_any("sel", buf, &x, &px) < 0 || parse_any("sel", comma + 1, &y, &py) < 0)
			return -1;
		if (x.family != y.family) {
			fprintf(stderr, "kern_probe: sel= prefixes of two families\n");
			return -1;
		}
		c->sel.src = side == 1 ? x : y;
		c->sel.dst = side == 1 ? y : x;
		c->sel.src_plen = (uint8_t)(side == 1 ? px : py);
		c->sel.dst_plen = (uint8_t)(side == 1 ? py : px);
		c->sel.proto = 0;
		c->tunnel = NULL; /* policies of the selector, no VTI mark */
	}
	if (atoi(arg(argc, argv, "encap", "0"))) {
		c->udp_encap = true;
		c->encap_local_port = 4500;
		c->encap_remote_port = 4500;
	}
	return 0;
}

/* The socket on UDP 4500 that makes the kernel decapsulate ESP in UDP. */
static int encap_socket(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(4500) };
	int type = UDP_ENCAP_ESPINUDP;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &type, sizeof(type)) < 0) {
		fprintf(stderr, "kern_probe: UDP 4500 encapsulation socket: %s\n",
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	struct ik_log log = { .sink = sink };
	struct ik_sb err;
	struct ik_kernel *k;
	struct ik_interface tun;
	struct ik_route route;
	struct ik_config cfg;
	struct ik_child_sa c;
	struct ik_ipsec_profile prof = { .name = (char *)"probe" };
	char *name = NULL, *vrf = NULL, *tvrf = NULL;
	int rc = 1, side, plen, efd = -1;
	bool child;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "mss")) {
		char *end;
		unsigned long n = strtoul(argv[3], &end, 10);

		if (*end || n > 65535) {
			fprintf(stderr, "kern_probe: mss %s: not a number\n", argv[3]);
			return 2;
		}
		if (ik_mss_apply(&log, argv[2], (unsigned)n, "kern_probe mss"))
			return 1;
		printf("mss %s %lu\n", argv[2], n);
		return 0;
	}
	if (argc < 2 || (strcmp(argv[1], "flush") && strcmp(argv[1], "up"))) {
		fprintf(stderr, "usage: kern_probe flush | up key=value... | mss IFNAME N\n");
		return 2;
	}
	ik_sb_init(&err);
	k = ik_kernel_open("netlink", &log, &err);
	if (!k) {
		fprintf(stderr, "kern_probe: %s\n", ik_sb_str(&err));
		ik_sb_free(&err);
		return 1;
	}
	ik_sb_free(&err);
	if (k->ops->flush_owned(k) < 0) {
		fprintf(stderr, "kern_probe: flush_owned failed\n");
		goto out;
	}
	if (!strcmp(argv[1], "flush")) {
		printf("flushed\n");
		rc = 0;
		goto out;
	}

	memset(&tun, 0, sizeof(tun));
	memset(&route, 0, sizeof(route));
	memset(&cfg, 0, sizeof(cfg));
	tun.is_tunnel = true;
	tun.tunnel_num = (unsigned)atoi(arg(argc, argv, "num", "1"));
	if (asprintf(&name, "Tunnel%u", tun.tunnel_num) < 0)
		goto out;
	tun.name = name;
	{
		const char *mode = arg(argc, argv, "mode", "gre");

		tun.tunnel_mode = !strcmp(mode, "vti") ? IK_TUN_IPSEC_IPV4 :
			!strcmp(mode, "gre6") ? IK_TUN_GRE_IPV6 :
			!strcmp(mode, "vti6") ? IK_TUN_IPSEC_IPV6 : IK_TUN_GRE_IP;
	}
	side = atoi(arg(argc, argv, "side", "1"));
	child = atoi(arg(argc, argv, "child", "1")) != 0;
	{
		struct ik_addr lo, re;
		bool v6 = ik_tunnel_mode_v6(tun.tunnel_mode);

		if (parse_any("local", arg(argc, argv, "local", ""), &lo, NULL) < 0 ||
		    parse_any("remote", arg(argc, argv, "remote", ""), &re, NULL) < 0)
			goto out;
		if ((lo.family == IK_AF_INET6) != v6 || (re.family == IK_AF_INET6) != v6) {
			fprintf(stderr, "kern_probe: local and remote must be IPv%c for mode=%s\n",
				v6 ? '6' : '4', arg(argc, argv, "mode", "gre"));
			goto out;
		}
		if (v6) {
			tun.tunnel_source_v6 = tun.tunnel_dest_v6 = true;
			memcpy(tun.tunnel_source6, lo.v6, 16);
			memcpy(tun.tunnel_dest6, re.v6, 16);
		} else {
			tun.tunnel_source = lo.v4;
			tun.tunnel_dest = re.v4;
		}
	}
	if (*arg(argc, argv, "addr", "") || !ik_tunnel_mode_v6(tun.tunnel_mode)) {
		if (parse_addr("addr", arg(argc, argv, "addr", ""), &tun.addr, &plen) < 0)
			goto out;
		tun.mask = ik_plen_mask(plen);
	}
	if (arg(argc, argv, "addr6", NULL)) {
		struct ik_addr a6;

		if (parse_any("addr6", arg(argc, argv, "addr6", NULL), &a6, &tun.plen6) < 0 ||
		    a6.family != IK_AF_INET6) {
			fprintf(stderr, "kern_probe: addr6= wants an IPv6 prefix\n");
			goto out;
		}
		memcpy(tun.addr6, a6.v6, 16);
		tun.has_addr6 = true;
	}
	tun.tunnel_source_resolved = true;
	if (arg(argc, argv, "vrf", NULL))
		vrf = strdup(arg(argc, argv, "vrf", NULL));
	if (arg(argc, argv, "tvrf", NULL))
		tvrf = strdup(arg(argc, argv, "tvrf", NULL));
	tun.vrf = vrf;
	tun.tunnel_vrf = tvrf;
	if (arg(argc, argv, "route", NULL)) {
		struct ik_addr ra;

		if (parse_any("route", arg(argc, argv, "route", NULL), &ra, &plen) < 0)
			goto out;
		if (ra.family == IK_AF_INET6) {
			route.v6 = true;
			memcpy(route.prefix6, ra.v6, 16);
			ik_addr6_mask(route.prefix6, plen);
			route.plen6 = plen;
		} else {
			route.prefix = ra.v4;
			route.mask = ik_plen_mask(plen);
		}
		if (arg(argc, argv, "via", NULL)) {
			/* ip route P M NEXTHOP: the next hop is on the tunnel's subnet */
			struct ik_addr va;

			if (parse_any("via", arg(argc, argv, "via", NULL), &va, NULL) < 0)
				goto out;
			if ((va.family == IK_AF_INET6) != route.v6) {
				fprintf(stderr, "kern_probe: via= of another family than route=\n");
				goto out;
			}
			if (route.v6) {
				route.has_nexthop6 = true;
				memcpy(route.nexthop6, va.v6, 16);
			} else {
				route.nexthop = va.v4;
			}
		} else {
			route.out_if = &tun;
			route.out_if_name = name;
		}
		route.vrf = vrf;
		cfg.routes = &route;
		cfg.nroutes = 1;
	}
	/* a protected tunnel: tunnel_up installs its outbound policy */
	tun.protection = &prof;

	if (setup_child(&c, argc, argv, &tun, side) < 0)
		goto out;
	if (c.udp_encap && (efd = encap_socket()) < 0)
		goto out;
	{
		struct ik_addr lo = tun_addr(tun.tunnel_source_v6, tun.tunnel_source,
					     tun.tunnel_source6);

		if (k->ops->tunnel_up(k, &cfg, &tun, &lo) < 0) {
			fprintf(stderr, "kern_probe: tunnel_up failed\n");
			goto out;
		}
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if (atoi(arg(argc, argv, "wait-acquire", "0")) > 0) {
		printf("waiting for an acquire\n");
		if (wait_events(k, atoi(arg(argc, argv, "wait-acquire", "0")), true) < 0) {
			fprintf(stderr, "kern_probe: no acquire\n");
			goto out_shutdown;
		}
	}
	if (child && k->ops->child_add(k, &c) < 0) {
		fprintf(stderr, "kern_probe: child_add failed\n");
		goto out_shutdown;
	}
	printf("ready\n");
	if (wait_events(k, atoi(arg(argc, argv, "hold", "120")), false) < 0)
		goto out_shutdown;
	if (atoi(arg(argc, argv, "noshutdown", "0"))) {
		printf("exit without shutdown\n");
		rc = 0;
		goto out;
	}
	if (child && hard_expires)
		printf("no counters: the kernel removed the SAs (hard expire)\n");
	if (child && !hard_expires) {
		struct ik_sa_counters in, out;

		if (k->ops->child_counters(k, &c, &in, &out) < 0) {
			fprintf(stderr, "kern_probe: child_counters failed\n");
			goto out_shutdown;
		}
		printf("counters in %llu packets %llu bytes %llu errors "
		       "out %llu packets %llu bytes %llu errors\n",
		       (unsigned long long)in.packets, (unsigned long long)in.bytes,
		       (unsigned long long)in.errors, (unsigned long long)out.packets,
		       (unsigned long long)out.bytes, (unsigned long long)out.errors);
	}
	rc = 0;
out_shutdown:
	if (k->ops->shutdown(k) < 0) {
		fprintf(stderr, "kern_probe: shutdown failed\n");
		rc = 1;
	} else {
		printf("shutdown done\n");
	}
out:
	if (efd >= 0)
		close(efd);
	k->ops->free(k);
	free(name);
	free(vrf);
	free(tvrf);
	return rc;
}
