/* The `none` kernel backend: installs nothing and records every call as one
 * line of text (ik_kernel_none_record). It is for tests and benchmarks, like
 * strongSwan's load-tester fake kernel: the daemon and the engine run their
 * whole life cycle (tunnels, child SAs, rekeys, shutdown) with no kernel state
 * and no privileges. Counters are all 0; there is no event source.
 *
 * The record is bounded (IK_NONE_RECORD_MAX bytes): past that, calls are
 * counted and the record ends with a line saying how many were not kept, so
 * that a long benchmark does not grow without limit. Keys are never recorded. */
#include "vti/kernel.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/addr.h"
#include "vti/kernel_int.h"

#define IK_NONE_RECORD_MAX (4u << 20)

struct ik_kernel_none {
	struct ik_kernel base;
	struct ik_sb rec;
	unsigned long dropped;
	struct ik_sb view;      /* rec plus the "not recorded" line */
};

static struct ik_kernel_none *none_of(struct ik_kernel *k)
{
	return (struct ik_kernel_none *)k;
}

static void none_line(struct ik_kernel *k, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void none_line(struct ik_kernel *k, const char *fmt, ...)
{
	struct ik_kernel_none *n = none_of(k);
	va_list ap;

	if (n->rec.len >= IK_NONE_RECORD_MAX) {
		n->dropped++;
		return;
	}
	va_start(ap, fmt);
	ik_sb_vprintf(&n->rec, fmt, ap);
	va_end(ap);
	ik_sb_add(&n->rec, "\n");
}

static const char *enc_name(enum ik_esp_enc e)
{
	switch (e) {
	case IK_ESP_DES: return "des";
	case IK_ESP_3DES: return "3des";
	case IK_ESP_AES: return "aes";
	case IK_ESP_GCM: return "gcm";
	case IK_ESP_ENC_NONE: break;
	}
	return "null";
}

static const char *auth_name(enum ik_esp_auth a)
{
	switch (a) {
	case IK_ESP_MD5: return "md5";
	case IK_ESP_SHA1: return "sha1";
	case IK_ESP_SHA256: return "sha256";
	case IK_ESP_SHA384: return "sha384";
	case IK_ESP_SHA512: return "sha512";
	case IK_ESP_AUTH_NONE: break;
	}
	return "none";
}

static void none_sel(const struct ik_selector *sel, char *buf, size_t n)
{
	ik_sel_fmt(sel, buf, n);
}

/* The selector is written when it or the outer addresses are IPv6 (the
 * IPv4 record is that of the IPv4-only backend). */
static void none_child(struct ik_kernel *k, const char *verb, const struct ik_child_sa *c)
{
	char a[4][IK_ADDR_ANYSTRLEN], sel[IK_SEL_STRLEN + 8] = "";

	if (c->sel.src.family == IK_AF_INET6 || c->out.src.family == IK_AF_INET6) {
		memcpy(sel, " sel ", 6);
		none_sel(&c->sel, sel + 5, sizeof(sel) - 5);
	}
	none_line(k, "%s id %u reqid %u if %s mode %s enc %s-%u auth %s "
		  "out %s->%s spi 0x%08x in %s->%s spi 0x%08x%s%s",
		  verb, c->id, c->reqid, c->ifname[0] ? c->ifname : "-",
		  c->mode == IK_MODE_TRANSPORT ? "transport" : "tunnel",
		  enc_name(c->enc), c->enc_keylen, auth_name(c->auth),
		  ik_addr_fmt_any(&c->out.src, a[0]), ik_addr_fmt_any(&c->out.dst, a[1]),
		  c->out.spi, ik_addr_fmt_any(&c->in.src, a[2]), ik_addr_fmt_any(&c->in.dst, a[3]),
		  c->in.spi, c->udp_encap ? " udp-encap" : "", sel);
}

static int none_flush_owned(struct ik_kernel *k)
{
	none_line(k, "flush_owned");
	return 0;
}

static const char *none_mode(enum ik_tunnel_mode m)
{
	switch (m) {
	case IK_TUN_IPSEC_IPV4: return "ipsec";
	case IK_TUN_GRE_IPV6: return "gre-ipv6";
	case IK_TUN_IPSEC_IPV6: return "ipsec-ipv6";
	case IK_TUN_GRE_IP: break;
	}
	return "gre";
}

static int none_tunnel_up(struct ik_kernel *k, const struct ik_config *cfg,
			  const struct ik_interface *tun, const struct ik_addr *local)
{
	char a[2][IK_ADDR_ANYSTRLEN], extra[48] = "", v6[IK_PREFIX6STRLEN + 8] = "";
	struct ik_addr remote = ik_addr_v4(tun->tunnel_dest);

	(void)cfg;
	if (tun->tunnel_dest_v6) {
		remote.family = IK_AF_INET6;
		memcpy(remote.v6, tun->tunnel_dest6, 16);
	}
	if (tun->ip_mtu || tun->tcp_adjust_mss)
		snprintf(extra, sizeof(extra), " mtu %u mss %u", tun->ip_mtu, tun->tcp_adjust_mss);
	if (tun->has_addr6) {
		memcpy(v6, " addr6 ", 8);
		ik_prefix6_fmt_ios(tun->addr6, tun->plen6, v6 + 7);
	}
	none_line(k, "tunnel_up %s mode %s local %s remote %s%s%s", tun->name,
		  none_mode(tun->tunnel_mode), ik_addr_fmt_any(local, a[0]),
		  ik_addr_fmt_any(&remote, a[1]), extra, v6);
	return 0;
}

static int none_tunnel_down(struct ik_kernel *k, const struct ik_interface *tun)
{
	none_line(k, "tunnel_down %s", tun->name);
	return 0;
}

static int none_child_add(struct ik_kernel *k, const struct ik_child_sa *c)
{
	none_child(k, "child_add", c);
	return 0;
}

static int none_child_del(struct ik_kernel *k, const struct ik_child_sa *c)
{
	none_child(k, "child_del", c);
	return 0;
}

static int none_trap_add(struct ik_kernel *k, const struct ik_selector *sel, uint32_t reqid,
			 const struct ik_addr *local, const struct ik_addr *peer)
{
	char s[IK_SEL_STRLEN], a[2][IK_ADDR_ANYSTRLEN];

	none_sel(sel, s, sizeof(s));
	none_line(k, "trap_add %s reqid %u tmpl %s->%s", s, reqid, ik_addr_fmt_any(local, a[0]),
		  ik_addr_fmt_any(peer, a[1]));
	return 0;
}

static int none_trap_del(struct ik_kernel *k, const struct ik_selector *sel)
{
	char s[IK_SEL_STRLEN];

	none_sel(sel, s, sizeof(s));
	none_line(k, "trap_del %s", s);
	return 0;
}

static int none_route(struct ik_kernel *k, const char *verb, const struct ik_addr *dst,
		      uint8_t plen, const struct ik_addr *via)
{
	char a[2][IK_ADDR_ANYSTRLEN];

	none_line(k, "%s %s/%u via %s", verb, ik_addr_fmt_any(dst, a[0]), plen,
		  ik_addr_fmt_any(via, a[1]));
	return 0;
}

static int none_route_add(struct ik_kernel *k, const struct ik_addr *dst, uint8_t plen,
			  const struct ik_addr *via)
{
	return none_route(k, "route_add", dst, plen, via);
}

static int none_route_del(struct ik_kernel *k, const struct ik_addr *dst, uint8_t plen,
			  const struct ik_addr *via)
{
	return none_route(k, "route_del", dst, plen, via);
}

static int none_child_counters(struct ik_kernel *k, const struct ik_child_sa *c,
			       struct ik_sa_counters *in, struct ik_sa_counters *out)
{
	memset(in, 0, sizeof(*in));
	memset(out, 0, sizeof(*out));
	none_line(k, "child_counters id %u", c->id);
	return 0;
}

static int none_event_fd(struct ik_kernel *k)
{
	(void)k;
	return -1;
}

static int none_event_read(struct ik_kernel *k, void (*cb)(void *ctx, const struct ik_kevent *ev),
			   void *ctx)
{
	(void)k;
	(void)cb;
	(void)ctx;
	return 0;
}

static int none_shutdown(struct ik_kernel *k)
{
	none_line(k, "shutdown");
	return 0;
}

static void none_free(struct ik_kernel *k)
{
	struct ik_kernel_none *n = none_of(k);

	if (!k)
		return;
	ik_sb_free(&n->rec);
	ik_sb_free(&n->view);
	free(n);
}

static const struct ik_kernel_ops none_ops = {
	.name = "none",
	.flush_owned = none_flush_owned,
	.tunnel_up = none_tunnel_up,
	.tunnel_down = none_tunnel_down,
	.child_add = none_child_add,
	.child_del = none_child_del,
	.trap_add = none_trap_add,
	.trap_del = none_trap_del,
	.route_add = none_route_add,
	.route_del = none_route_del,
	.child_counters = none_child_counters,
	.event_fd = none_event_fd,
	.event_read = none_event_read,
	.shutdown = none_shutdown,
	.free = none_free,
};

struct ik_kernel *ik_kernel_none_new(const struct ik_log *log, struct ik_sb *err)
{
	struct ik_kernel_none *n = calloc(1, sizeof(*n));

	if (!n) {
		ik_sb_add(err, "kernel backend none: out of memory");
		return NULL;
	}
	n->base.ops = &none_ops;
	n->base.log = log;
	ik_sb_init(&n->rec);
	ik_sb_init(&n->view);
	return &n->base;
}

const char *ik_kernel_none_record(struct ik_kernel *k)
{
	struct ik_kernel_none *n;

	if (!k || k->ops != &none_ops)
		return "";
	n = none_of(k);
	if (!n->dropped)
		return ik_sb_str(&n->rec);
	ik_sb_reset(&n->view);
	ik_sb_add(&n->view, ik_sb_str(&n->rec));
	ik_sb_printf(&n->view, "(%lu calls not recorded: record full)\n", n->dropped);
	return ik_sb_str(&n->view);
}
