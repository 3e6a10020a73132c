/* The netlink kernel backend: XFRM SAs and policies, GRE and VTI links
 * (ip6gre and vti6 over IPv6), addresses and routes, XFRM acquire/expire
 * events.
 *
 * Families: the outer addresses of an SA (and of its policies' templates) are
 * IPv4 or IPv6; the selectors are of the family of the traffic they protect,
 * which may be the other one (IPv6 carried over IPv4 and the reverse, the
 * SA then has XFRM_STATE_AF_UNSPEC as a tunnel-mode SA needs for it).
 *
 * Libraries: libnl-3 core for sockets and messages, libnl-route-3 for links,
 * addresses and routes. XFRM messages are built and decoded here from the
 * structures of <linux/xfrm.h> with the libnl core, small and defensive,
 * because libnl-xfrm-3 (3.7) falls short for each of them:
 *   - an SA add carries keys: a message we built ourselves is wiped after it
 *     is sent; libnl-xfrm copies keys into objects it frees without wiping;
 *   - its policy delete carries no mark, which VTI policies need;
 *   - its SA and policy parsers leak the selector addresses of every object
 *     they decode (LeakSanitizer, tests/lab/test_kernel);
 *   - it has no object for acquire and expire events.
 *
 * Ownership: everything ikerd installs carries marks, so that flush_owned
 * (start-up after a crash) and shutdown remove exactly that and nothing else.
 *   - XFRM SAs: reqid in IK_KERNEL_REQID_BASE (0x1a000000) | engine reqid
 *     (the engine's per-tunnel reqid, below 2^24). Events report the
 *     engine's reqid (low 24 bits); others are ignored.
 *   - XFRM policies: priority IK_KERNEL_POLICY_PRIO (6821) and a template
 *     whose reqid is in the range above; both must hold.
 *   - Links: named from the IOS interface, Tunnel1 -> "ik-tun1", and with
 *     the interface alias "ikerd Tunnel1"; both must hold (a link named
 *     ik-tun1 that someone else made is left alone).
 *   - Routes: protocol IK_KERNEL_RTPROT (0xa5, registered nowhere else) in any
 *     table.
 *   - VTI: the per-tunnel key (ikey = okey = XFRM mark) is
 *     IK_KERNEL_REQID_BASE | tunnel number, on the link, its SAs and policies.
 *   - MSS clamps (ip tcp adjust-mss): nftables table "ip ikerd" (mss.h).
 * flush_owned removes all of the above; shutdown removes what this process
 * installed (it keeps a list) and nothing else.
 *
 * A configured protected tunnel gets its outbound policy at tunnel_up, with
 * the engine's per-tunnel reqid (tunnel number + 1) and no SA yet: traffic
 * routed into the tunnel is then held and raises an XFRM acquire (as IOS
 * starts negotiating on traffic) instead of leaving in clear. child_add
 * replaces that policy with the negotiated one and adds in and fwd; policies
 * are reference-counted so that a rekey (new pair added before the old one is
 * removed) never leaves a gap; the outbound one stays until tunnel_down.
 *
 * Every netlink error goes to the log with the object and the errno text. */
#include "vti/kernel.h"
#include "vti/mss.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <linux/xfrm.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/socket.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/ip6gre.h>
#include <netlink/route/link/ip6vti.h>
#include <netlink/route/link/ipgre.h>
#include <netlink/route/link/ipvti.h>
#include <netlink/route/link/vrf.h>
#include <netlink/route/route.h>
#include <netlink/route/nexthop.h>

#include "util/addr.h"
#include "util/posidx.h"
#include "vti/kernel_int.h"

/* <linux/ip6_tunnel.h> (its <linux/if.h> clashes with <net/if.h>) */
#define IK_IP6_TNL_F_IGN_ENCAP_LIMIT 0x1u
#define IK_KERNEL_POLICY_PRIO 6821u
#define IK_KERNEL_RTPROT 0xa5
#define IK_LINK_PREFIX "ik-tun"
#define IK_ALIAS_PREFIX "ikerd "
#define IK_REPLAY_WINDOW 64u
#define IK_MAX_TRACK 262144u    /* children (and tunnels) this process tracks */
#define IK_MAX_TRACK_POLS (4 * IK_MAX_TRACK) /* policies: out, in, fwd per child + traps */

struct nl_policy_key {
	struct xfrm_selector sel;
	uint8_t dir;
	uint32_t mark;          /* 0 = none */
};

struct nl_policy {
	struct nl_policy_key key;
	unsigned refs;
	uint32_t h;             /* of key, in pol_idx */
};

struct nl_sa_id {
	struct ik_addr src, dst;
	uint32_t spi, mark;
};

struct nl_child {
	unsigned id;
	uint32_t in_spi, out_spi;
	struct nl_sa_id sa[2];  /* in, out */
	struct nl_policy_key pol[3];
	unsigned npol;
	uint32_t h;             /* of (id, in_spi, out_spi), in child_idx */
};

struct nl_tunnel {
	char ifname[IFNAMSIZ];  /* ik-tunN */
	char name[32];          /* TunnelN */
	int ifindex;
	unsigned mss;           /* ip tcp adjust-mss clamp installed (mss.h) */
	bool has_guard;
	struct nl_policy_key guard;
	struct rtnl_route **routes;
	size_t nroutes;
	uint32_t h;             /* of name, in tun_idx */
};

struct ik_kernel_nl {
	struct ik_kernel base;
	struct nl_sock *xs;     /* XFRM requests and dumps */
	struct nl_sock *rs;     /* route requests and dumps */
	struct nl_sock *es;     /* XFRM events (acquire, expire) */
	/* what this process installed: dense arrays (a removal moves the last
	 * element into the hole), each with an index from its key to its
	 * position, so that no add, remove or lookup walks them */
	struct nl_policy *pols;
	size_t npols, cap_pols;
	struct ik_posidx pol_idx;       /* selector, direction, mark */
	struct nl_child *children;
	size_t nchildren, cap_children;
	struct ik_posidx child_idx;     /* engine id, inbound and outbound SPI */
	struct nl_tunnel *tunnels;
	size_t ntunnels, cap_tunnels;
	struct ik_posidx tun_idx;       /* IOS interface name */
	/* event_read's callback, while it runs */
	void (*ev_cb)(void *ctx, const struct ik_kevent *ev);
	void *ev_ctx;
};

static struct ik_kernel_nl *nl_of(struct ik_kernel *k)
{
	return (struct ik_kernel_nl *)k;
}

/* Room for one more element in a dense array of n elements (capacity
 * doubled when full): the array, moved or not, or NULL when out of memory
 * (arr is then unchanged). */
static void *nl_track_room(void *arr, size_t *cap, size_t n, size_t size)
{
	size_t nc = *cap ? *cap * 2 : 16;
	void *na;

	if (n < *cap)
		return arr;
	if (!(na = realloc(arr, nc * size)))
		return NULL;
	*cap = nc;
	return na;
}

/* ---- requests ---- */

/* One request and its answers: valid messages go to fn; the transaction
 * ends with the kernel's ACK, error or end of dump. */
struct nl_tx {
	int kerr;
	bool done;
	nl_recvmsg_msg_cb_t fn;
	void *arg;
};

static int nl_tx_valid(struct nl_msg *msg, void *arg)
{
	struct nl_tx *t = arg;

	return t->fn ? t->fn(msg, t->arg) : NL_OK;
}

static int nl_tx_end(struct nl_msg *msg, void *arg)
{
	struct nl_tx *t = arg;

	(void)msg;
	t->done = true;
	return NL_STOP;
}

static int nl_tx_err(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nl_tx *t = arg;

	(void)nla;
	t->kerr = e->error < 0 ? e->error : -e->error;
	t->done = true;
	return NL_STOP;
}

/* Sends msg and reads the kernel's answers. Returns 0 or -errno (the
 * kernel's own errno, not libnl's translation). wipe: the message carries key
 * material and is zeroed before it is freed. */
static int nl_transact(struct nl_sock *sk, struct nl_msg *msg, bool wipe, nl_recvmsg_msg_cb_t fn,
		       void *arg)
{
	struct nl_tx t = { .fn = fn, .arg = arg };
	struct nl_cb *cb;
	int rc;

	rc = nl_send_auto(sk, msg);
	if (wipe) {
		struct nlmsghdr *h = nlmsg_hdr(msg);

		explicit_bzero(h, h->nlmsg_len);
	}
	nlmsg_free(msg);
	if (rc < 0)
		return -EIO;
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, nl_tx_valid, &t);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, nl_tx_end, &t);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, nl_tx_end, &t);
	nl_cb_err(cb, NL_CB_CUSTOM, nl_tx_err, &t);
	/* bounded: a dump arrives in a few reads per thousand objects */
	for (int i = 0; i < 100000 && !t.done; i++) {
		rc = nl_recvmsgs(sk, cb);
		if (rc < 0 && !t.done) {
			t.kerr = -EIO;
			break;
		}
	}
	nl_cb_put(cb);
	if (!t.done && !t.kerr)
		return -EIO;
	return t.kerr;
}

static int nl_request(struct nl_sock *sk, struct nl_msg *msg, bool wipe)
{
	return nl_transact(sk, msg, wipe, NULL, NULL);
}

static const char *nl_hint(int err)
{
	switch (-err) {
	case ENOSYS:
	case EPROTONOSUPPORT:
	case ENOPROTOOPT:
		return " (no ESP support in this kernel?)";
	case EOPNOTSUPP:
		return " (link type not supported by this kernel?)";
	case EPERM:
		return " (ikerd needs CAP_NET_ADMIN)";
	default:
		return "";
	}
}

static void nl_report(struct ik_kernel_nl *k, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void nl_report(struct ik_kernel_nl *k, int err, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	ik_msg(k->base.log, IK_LOG_ERR, "kernel: %s: %s%s", what, strerror(-err), nl_hint(err));
}

/* ---- addresses ---- */

static int nl_af(const struct ik_addr *a)
{
	return a->family == IK_AF_INET6 ? AF_INET6 : AF_INET;
}

static void nl_xaddr_put(xfrm_address_t *x, const struct ik_addr *a)
{
	memset(x, 0, sizeof(*x));
	if (a->family == IK_AF_INET6)
		memcpy(x->a6, a->v6, 16);
	else
		x->a4 = htonl(a->v4);
}

/* An address of an XFRM message; family AF_INET or AF_INET6 (checked by
 * the caller). */
static struct ik_addr nl_xaddr_get(int family, const xfrm_address_t *x)
{
	struct ik_addr a;

	memset(&a, 0, sizeof(a));
	if (family == AF_INET6) {
		a.family = IK_AF_INET6;
		memcpy(a.v6, x->a6, 16);
	} else {
		a.v4 = ntohl(x->a4);
	}
	return a;
}

static struct ik_addr nl_tunnel_remote(const struct ik_interface *tun)
{
	struct ik_addr a = ik_addr_v4(tun->tunnel_dest);

	if (tun->tunnel_dest_v6) {
		a.family = IK_AF_INET6;
		memcpy(a.v6, tun->tunnel_dest6, 16);
	}
	return a;
}

/* ---- XFRM: algorithms ---- */

struct nl_alg {
	const char *name;
	unsigned key_bits;      /* enc: fixed key size (0 = from the SA); auth: key size */
	unsigned trunc_bits;    /* auth: ICV bits */
};

static int nl_enc_alg(const struct ik_child_sa *c, struct nl_alg *a)
{
	switch (c->enc) {
	case IK_ESP_DES:
		*a = (struct nl_alg){ "cbc(des)", 64, 0 };
		return 0;
	case IK_ESP_3DES:
		*a = (struct nl_alg){ "cbc(des3_ede)", 192, 0 };
		return 0;
	case IK_ESP_AES:
		if (c->enc_keylen != 128 && c->enc_keylen != 192 && c->enc_keylen != 256)
			return -1;
		*a = (struct nl_alg){ "cbc(aes)", c->enc_keylen, 0 };
		return 0;
	case IK_ESP_GCM:
		if (c->enc_keylen != 128 && c->enc_keylen != 192 && c->enc_keylen != 256)
			return -1;
		/* the key carries the 4-byte salt after the AES key */
		*a = (struct nl_alg){ "rfc4106(gcm(aes))", c->enc_keylen + 32,
				      c->icv_bits ? c->icv_bits : 128 };
		return 0;
	case IK_ESP_ENC_NONE:
		break;
	}
	return -1;
}

static int nl_auth_alg(enum ik_esp_auth auth, struct nl_alg *a)
{
	switch (auth) {
	case IK_ESP_MD5:
		*a = (struct nl_alg){ "hmac(md5)", 128, 96 };
		return 0;
	case IK_ESP_SHA1:
		*a = (struct nl_alg){ "hmac(sha1)", 160, 96 };
		return 0;
	case IK_ESP_SHA256:
		*a = (struct nl_alg){ "hmac(sha256)", 256, 128 };
		return 0;
	case IK_ESP_SHA384:
		*a = (struct nl_alg){ "hmac(sha384)", 384, 192 };
		return 0;
	case IK_ESP_SHA512:
		*a = (struct nl_alg){ "hmac(sha512)", 512, 256 };
		return 0;
	case IK_ESP_AUTH_NONE:
		break;
	}
	return -1;
}

/* ---- XFRM: ownership ---- */

static uint32_t nl_kreqid(uint32_t reqid)
{
	return IK_KERNEL_REQID_BASE | (reqid & ~IK_KERNEL_REQID_MASK);
}

static bool nl_reqid_owned(uint32_t kreqid)
{
	return (kreqid & IK_KERNEL_REQID_MASK) == IK_KERNEL_REQID_BASE;
}

static uint32_t nl_tunnel_mark(const struct ik_interface *tun)
{
	return IK_KERNEL_REQID_BASE | (tun->tunnel_num & ~IK_KERNEL_REQID_MASK);
}

static bool nl_is_vti(const struct ik_interface *tun)
{
	return tun && tun->is_tunnel &&
	       (tun->tunnel_mode == IK_TUN_IPSEC_IPV4 || tun->tunnel_mode == IK_TUN_IPSEC_IPV6);
}

/* The family of the tunnel's outer addresses (and of what a VTI carries). */
static int nl_tunnel_af(const struct ik_interface *tun)
{
	return ik_tunnel_mode_v6(tun->tunnel_mode) ? AF_INET6 : AF_INET;
}

/* ---- XFRM: SAs ---- */

/* Every address of a family. */
static void nl_sel_any(struct xfrm_selector *s, int family)
{
	memset(s, 0, sizeof(*s));
	s->family = (uint16_t)family;
}

/* src/splen -> dst/dplen (the family of src; addresses masked to their
 * prefixes, lengths clamped to the family's). */
static void nl_sel_fill(struct xfrm_selector *s, const struct ik_addr *src, int splen,
			const struct ik_addr *dst, int dplen, uint8_t proto, uint16_t sport,
			uint16_t dport)
{
	int bits = ik_af_bits(src->family);

	memset(s, 0, sizeof(*s));
	s->family = (uint16_t)nl_af(src);
	splen = splen > bits ? bits : splen;
	dplen = dplen > bits ? bits : dplen;
	nl_xaddr_put(&s->saddr, src);
	nl_xaddr_put(&s->daddr, dst);
	if (src->family == IK_AF_INET6) {
		ik_addr6_mask((uint8_t *)s->saddr.a6, splen);
		ik_addr6_mask((uint8_t *)s->daddr.a6, dplen);
	} else {
		s->saddr.a4 = htonl(src->v4 & ik_plen_mask(splen));
		s->daddr.a4 = htonl(dst->v4 & ik_plen_mask(dplen));
	}
	s->prefixlen_s = (uint8_t)splen;
	s->prefixlen_d = (uint8_t)dplen;
	s->proto = proto;
	if (sport) {
		s->sport = htons(sport);
		s->sport_mask = 0xffff;
	}
	if (dport) {
		s->dport = htons(dport);
		s->dport_mask = 0xffff;
	}
}

/* The soft limit: ~90 % of the hard one, less a little more that depends on
 * the SPI so that the two peers do not start their rekeys at once. */
static uint64_t nl_soft(uint64_t hard, uint32_t spi)
{
	uint64_t soft = hard - hard / 10;
	uint64_t spread = hard / 20;

	if (spread)
		soft -= spi % spread;
	return soft ? soft : 1;
}

static int nl_sa_add(struct ik_kernel_nl *k, const struct ik_child_sa *c,
		     const struct ik_esp_sa *e, bool inbound, uint32_t mark)
{
	struct xfrm_usersa_info sa;
	struct nl_alg enc = { 0 }, auth = { 0 };
	struct nl_msg *msg;
	char a[2][IK_ADDR_ANYSTRLEN];
	int err = -EINVAL;

	ik_addr_fmt_any(&e->src, a[0]);
	ik_addr_fmt_any(&e->dst, a[1]);
	if (nl_enc_alg(c, &enc) < 0) {
		ik_msg(k->base.log, IK_LOG_ERR, "kernel: XFRM SA add %s spi 0x%08x: "
		       "unsupported cipher %d with key length %u", a[1], e->spi, c->enc,
		       c->enc_keylen);
		return -EINVAL;
	}
	if (c->enc != IK_ESP_GCM && nl_auth_alg(c->auth, &auth) < 0) {
		ik_msg(k->base.log, IK_LOG_ERR, "kernel: XFRM SA add %s spi 0x%08x: "
		       "ESP without integrity is refused (auth %d)", a[1], e->spi, c->auth);
		return -EINVAL;
	}
	if ((enc.key_bits + 7) / 8 > IK_MAX_ENC_KEY ||
	    (c->enc != IK_ESP_GCM && auth.key_bits / 8 > IK_MAX_AUTH_KEY)) {
		ik_msg(k->base.log, IK_LOG_ERR, "kernel: XFRM SA add %s spi 0x%08x: key too long",
		       a[1], e->spi);
		return -EINVAL;
	}

	memset(&sa, 0, sizeof(sa));
	sa.family = (uint16_t)nl_af(&e->dst);
	nl_xaddr_put(&sa.id.daddr, &e->dst);
	sa.id.spi = htonl(e->spi);
	sa.id.proto = IPPROTO_ESP;
	nl_xaddr_put(&sa.saddr, &e->src);
	sa.reqid = nl_kreqid(c->reqid);
	sa.mode = c->mode == IK_MODE_TRANSPORT ? XFRM_MODE_TRANSPORT : XFRM_MODE_TUNNEL;
	sa.replay_window = 0; /* the window is in XFRMA_REPLAY_ESN_VAL */
	if (c->mode == IK_MODE_TRANSPORT) {
		const struct ik_selector *s = &c->sel;

		if (inbound)
			nl_sel_fill(&sa.sel, &s->dst, s->dst_plen, &s->src, s->src_plen, s->proto,
				    s->dport, s->sport);
		else
			nl_sel_fill(&sa.sel, &s->src, s->src_plen, &s->dst, s->dst_plen, s->proto,
				    s->sport, s->dport);
	} else if (c->sel.src.family == e->dst.family || nl_is_vti(c->tunnel)) {
		/* a VTI carries its own family: 'tunnel mode ipsec ipv4/ipv6' */
		sa.sel.family = sa.family;
	} else {
		/* inner and outer families differ: the SA must not check the
		 * inner family against its own */
		sa.flags |= XFRM_STATE_AF_UNSPEC;
	}
	sa.lft.soft_packet_limit = XFRM_INF;
	sa.lft.hard_packet_limit = XFRM_INF;
	sa.lft.soft_byte_limit = XFRM_INF;
	sa.lft.hard_byte_limit = XFRM_INF;
	if (c->lifetime_kb) {
		uint64_t hard = c->lifetime_kb * 1024u;

		sa.lft.hard_byte_limit = hard;
		sa.lft.soft_byte_limit = nl_soft(hard, e->spi);
	}
	if (c->lifetime_sec) {
		sa.lft.hard_add_expires_seconds = c->lifetime_sec;
		sa.lft.soft_add_expires_seconds = nl_soft(c->lifetime_sec, e->spi);
	}

	msg = nlmsg_alloc_simple(XFRM_MSG_NEWSA, 0);
	if (!msg)
		return -ENOMEM;
	if (nlmsg_append(msg, &sa, sizeof(sa), NLMSG_ALIGNTO) < 0)
		goto too_big;

	if (c->enc == IK_ESP_GCM) {
		struct xfrm_algo_aead *al;
		struct nlattr *at = nla_reserve(msg, XFRMA_ALG_AEAD,
						sizeof(*al) + enc.key_bits / 8);

		if (!at)
			goto too_big;
		al = nla_data(at);
		memset(al, 0, sizeof(*al));
		snprintf(al->alg_name, sizeof(al->alg_name), "%s", enc.name);
		al->alg_key_len = enc.key_bits;
		al->alg_icv_len = enc.trunc_bits;
		memcpy(al->alg_key, e->enc_key, enc.key_bits / 8);
	} else {
		struct xfrm_algo *al;
		struct xfrm_algo_auth *au;
		struct nlattr *at = nla_reserve(msg, XFRMA_ALG_CRYPT,
						sizeof(*al) + enc.key_bits / 8);

		if (!at)
			goto too_big;
		al = nla_data(at);
		memset(al, 0, sizeof(*al));
		snprintf(al->alg_name, sizeof(al->alg_name), "%s", enc.name);
		al->alg_key_len = enc.key_bits;
		memcpy(al->alg_key, e->enc_key, enc.key_bits / 8);

		at = nla_reserve(msg, XFRMA_ALG_AUTH_TRUNC, sizeof(*au) + auth.key_bits / 8);
		if (!at)
			goto too_big;
		au = nla_data(at);
		memset(au, 0, sizeof(*au));
		snprintf(au->alg_name, sizeof(au->alg_name), "%s", auth.name);
		au->alg_key_len = auth.key_bits;
		au->alg_trunc_len = auth.trunc_bits;
		memcpy(au->alg_key, e->auth_key, auth.key_bits / 8);
	}

	{
		struct xfrm_replay_state_esn *rs;
		struct nlattr *at = nla_reserve(msg, XFRMA_REPLAY_ESN_VAL,
						sizeof(*rs) + IK_REPLAY_WINDOW / 8);

		if (!at)
			goto too_big;
		rs = nla_data(at);
		memset(rs, 0, sizeof(*rs) + IK_REPLAY_WINDOW / 8);
		rs->bmp_len = IK_REPLAY_WINDOW / 32;
		rs->replay_window = IK_REPLAY_WINDOW;
	}
	if (c->udp_encap) {
		struct xfrm_encap_tmpl enc_t;

		memset(&enc_t, 0, sizeof(enc_t));
		enc_t.encap_type = 2; /* UDP_ENCAP_ESPINUDP */
		enc_t.encap_sport = htons(inbound ? c->encap_remote_port : c->encap_local_port);
		enc_t.encap_dport = htons(inbound ? c->encap_local_port : c->encap_remote_port);
		if (nla_put(msg, XFRMA_ENCAP, sizeof(enc_t), &enc_t) < 0)
			goto too_big;
	}
	if (mark) {
		struct xfrm_mark m = { .v = mark, .m = 0xffffffffu };

		if (nla_put(msg, XFRMA_MARK, sizeof(m), &m) < 0)
			goto too_big;
	}
	err = nl_request(k->xs, msg, true);
	if (err)
		nl_report(k, err, "XFRM SA add %s->%s spi 0x%08x (%s)", a[0], a[1], e->spi,
			  enc.name);
	return err;
too_big:
	explicit_bzero(nlmsg_hdr(msg), nlmsg_hdr(msg)->nlmsg_len);
	nlmsg_free(msg);
	ik_msg(k->base.log, IK_LOG_ERR, "kernel: XFRM SA add %s spi 0x%08x: message too big",
	       a[1], e->spi);
	return -EMSGSIZE;
}

static int nl_sa_del(struct ik_kernel_nl *k, const struct nl_sa_id *id, bool quiet_absent)
{
	struct xfrm_usersa_id sid;
	xfrm_address_t src;
	struct nl_msg *msg;
	char a[2][IK_ADDR_ANYSTRLEN];
	int err;

	memset(&sid, 0, sizeof(sid));
	nl_xaddr_put(&sid.daddr, &id->dst);
	sid.spi = htonl(id->spi);
	sid.family = (uint16_t)nl_af(&id->dst);
	sid.proto = IPPROTO_ESP;
	nl_xaddr_put(&src, &id->src);
	msg = nlmsg_alloc_simple(XFRM_MSG_DELSA, 0);
	if (!msg)
		return -ENOMEM;
	if (nlmsg_append(msg, &sid, sizeof(sid), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, XFRMA_SRCADDR, sizeof(src), &src) < 0)
		goto too_big;
	if (id->mark) {
		struct xfrm_mark m = { .v = id->mark, .m = 0xffffffffu };

		if (nla_put(msg, XFRMA_MARK, sizeof(m), &m) < 0)
			goto too_big;
	}
	err = nl_request(k->xs, msg, false);
	if (err == -ENOENT || err == -ESRCH) {
		if (quiet_absent)
			return 0;
	}
	if (err)
		nl_report(k, err, "XFRM SA delete %s->%s spi 0x%08x",
			  ik_addr_fmt_any(&id->src, a[0]), ik_addr_fmt_any(&id->dst, a[1]),
			  id->spi);
	return err;
too_big:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* ---- XFRM: policies ---- */

static void nl_sel_fmt(const struct xfrm_selector *s, char *buf, size_t len)
{
	char a[2][IK_ADDR_ANYSTRLEN];
	struct ik_addr x = nl_xaddr_get(s->family, &s->saddr);
	struct ik_addr y = nl_xaddr_get(s->family, &s->daddr);

	snprintf(buf, len, "%s/%u->%s/%u proto %u", ik_addr_fmt_any(&x, a[0]), s->prefixlen_s,
		 ik_addr_fmt_any(&y, a[1]), s->prefixlen_d, s->proto);
}

static const char *nl_dir_name(unsigned dir)
{
	return dir == XFRM_POLICY_IN ? "in" : dir == XFRM_POLICY_OUT ? "out" : "fwd";
}

/* Adds or replaces (UPDPOLICY) a policy with one ESP template (outer
 * addresses tsrc -> tdst, of their own family). */
static int nl_policy_put(struct ik_kernel_nl *k, const struct nl_policy_key *key, uint32_t kreqid,
			 bool tunnel, const struct ik_addr *tsrc, const struct ik_addr *tdst)
{
	struct xfrm_userpolicy_info p;
	struct xfrm_user_tmpl t;
	struct nl_msg *msg;
	char sel[2 * IK_ADDR_ANYSTRLEN + 24];
	int err;

	memset(&p, 0, sizeof(p));
	p.sel = key->sel;
	p.lft.soft_byte_limit = XFRM_INF;
	p.lft.hard_byte_limit = XFRM_INF;
	p.lft.soft_packet_limit = XFRM_INF;
	p.lft.hard_packet_limit = XFRM_INF;
	p.priority = IK_KERNEL_POLICY_PRIO;
	p.dir = key->dir;
	p.action = XFRM_POLICY_ALLOW;
	p.share = XFRM_SHARE_ANY;

	memset(&t, 0, sizeof(t));
	t.family = (uint16_t)nl_af(tdst);
	t.id.proto = IPPROTO_ESP;
	t.reqid = kreqid;
	t.mode = tunnel ? XFRM_MODE_TUNNEL : XFRM_MODE_TRANSPORT;
	t.aalgos = t.ealgos = t.calgos = ~0u;
	if (tunnel) {
		nl_xaddr_put(&t.saddr, tsrc);
		nl_xaddr_put(&t.id.daddr, tdst);
	}

	msg = nlmsg_alloc_simple(XFRM_MSG_UPDPOLICY, 0);
	if (!msg)
		return -ENOMEM;
	if (nlmsg_append(msg, &p, sizeof(p), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, XFRMA_TMPL, sizeof(t), &t) < 0)
		goto too_big;
	if (key->mark) {
		struct xfrm_mark m = { .v = key->mark, .m = 0xffffffffu };

		if (nla_put(msg, XFRMA_MARK, sizeof(m), &m) < 0)
			goto too_big;
	}
	err = nl_request(k->xs, msg, false);
	if (err) {
		nl_sel_fmt(&key->sel, sel, sizeof(sel));
		nl_report(k, err, "XFRM policy %s %s add", sel, nl_dir_name(key->dir));
	}
	return err;
too_big:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* Deletes a policy by selector (index 0) or by index (from a dump). */
static int nl_policy_del(struct ik_kernel_nl *k, const struct nl_policy_key *key, uint32_t index)
{
	struct xfrm_userpolicy_id id;
	struct nl_msg *msg;
	char sel[2 * IK_ADDR_ANYSTRLEN + 24];
	int err;

	memset(&id, 0, sizeof(id));
	if (index)
		id.index = index;
	else
		id.sel = key->sel;
	id.dir = key->dir;
	msg = nlmsg_alloc_simple(XFRM_MSG_DELPOLICY, 0);
	if (!msg)
		return -ENOMEM;
	if (nlmsg_append(msg, &id, sizeof(id), NLMSG_ALIGNTO) < 0)
		goto too_big;
	if (key->mark) {
		struct xfrm_mark m = { .v = key->mark, .m = 0xffffffffu };

		if (nla_put(msg, XFRMA_MARK, sizeof(m), &m) < 0)
			goto too_big;
	}
	err = nl_request(k->xs, msg, false);
	if (err == -ENOENT)
		return 0;
	if (err) {
		nl_sel_fmt(&key->sel, sel, sizeof(sel));
		nl_report(k, err, "XFRM policy %s %s delete", sel, nl_dir_name(key->dir));
	}
	return err;
too_big:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static bool nl_policy_key_eq(const struct nl_policy_key *a, const struct nl_policy_key *b)
{
	return a->dir == b->dir && a->mark == b->mark &&
	       !memcmp(&a->sel, &b->sel, sizeof(a->sel));
}

static uint32_t nl_policy_hash(const struct ik_kernel_nl *k, const struct nl_policy_key *key)
{
	uint8_t b[sizeof(key->sel) + 1 + sizeof(key->mark)];

	memcpy(b, &key->sel, sizeof(key->sel));
	b[sizeof(key->sel)] = key->dir;
	memcpy(b + sizeof(key->sel) + 1, &key->mark, sizeof(key->mark));
	return ik_posidx_hash(&k->pol_idx, b, sizeof(b));
}

struct nl_policy_look {
	const struct ik_kernel_nl *k;
	const struct nl_policy_key *key;
};

static bool nl_policy_look_eq(const void *ctx, uint32_t pos)
{
	const struct nl_policy_look *l = ctx;

	return nl_policy_key_eq(&l->k->pols[pos].key, l->key);
}

/* The tracked policy of key (hash h): its position, or false. */
static bool nl_policy_find(const struct ik_kernel_nl *k, const struct nl_policy_key *key,
			   uint32_t h, uint32_t *at)
{
	struct nl_policy_look l = { k, key };

	return ik_posidx_find(&k->pol_idx, h, nl_policy_look_eq, &l, at);
}

/* Stops tracking the policy at position i (the last one takes its place). */
static void nl_policy_untrack(struct ik_kernel_nl *k, size_t i)
{
	size_t last = k->npols - 1;

	ik_posidx_remove(&k->pol_idx, k->pols[i].h, (uint32_t)i);
	if (i != last) {
		k->pols[i] = k->pols[last];
		ik_posidx_move(&k->pol_idx, k->pols[i].h, (uint32_t)last, (uint32_t)i);
	}
	k->npols--;
}

/* Installs (or replaces) a policy and counts one more user of it. */
static int nl_policy_ref(struct ik_kernel_nl *k, const struct nl_policy_key *key, uint32_t kreqid,
			 bool tunnel, const struct ik_addr *tsrc, const struct ik_addr *tdst)
{
	uint32_t h = nl_policy_hash(k, key), at;
	struct nl_policy *p = NULL, *np;
	int err;

	if (nl_policy_find(k, key, h, &at))
		p = &k->pols[at];
	if (!p && k->npols >= IK_MAX_TRACK_POLS) {
		ik_msg(k->base.log, IK_LOG_ERR, "kernel: more than %u policies", IK_MAX_TRACK_POLS);
		return -ENOSPC;
	}
	err = nl_policy_put(k, key, kreqid, tunnel, tsrc, tdst);
	if (err)
		return err;
	if (!p) {
		np = nl_track_room(k->pols, &k->cap_pols, k->npols, sizeof(*np));
		if (np)
			k->pols = np;
		if (!np || ik_posidx_insert(&k->pol_idx, h, (uint32_t)k->npols)) {
			nl_policy_del(k, key, 0);
			return -ENOMEM;
		}
		p = &k->pols[k->npols++];
		p->key = *key;
		p->refs = 0;
		p->h = h;
	}
	p->refs++;
	return 0;
}

/* One user less; the policy goes when it has none. */
static int nl_policy_unref(struct ik_kernel_nl *k, const struct nl_policy_key *key)
{
	struct nl_policy_key kc = *key; /* key may point into pols */
	uint32_t at;

	if (!nl_policy_find(k, &kc, nl_policy_hash(k, &kc), &at))
		return 0;
	if (--k->pols[at].refs)
		return 0;
	nl_policy_untrack(k, at);
	return nl_policy_del(k, &kc, 0);
}

/* ---- child SAs ---- */

static uint32_t nl_child_mark(const struct ik_child_sa *c)
{
	return nl_is_vti(c->tunnel) ? nl_tunnel_mark(c->tunnel) : 0;
}

/* The policies of a child: out (local->remote), in and fwd (reverse). A VTI
 * child protects any/any (of the family the VTI carries) under the tunnel's
 * mark, as Linux VTI requires. */
static void nl_child_policies(const struct ik_child_sa *c, struct nl_policy_key pol[3])
{
	const struct ik_selector *s = &c->sel;
	uint32_t mark = nl_child_mark(c);

	memset(pol, 0, 3 * sizeof(*pol));
	if (mark) {
		nl_sel_any(&pol[0].sel, nl_tunnel_af(c->tunnel));
		pol[1].sel = pol[0].sel;
		pol[2].sel = pol[0].sel;
	} else {
		nl_sel_fill(&pol[0].sel, &s->src, s->src_plen, &s->dst, s->dst_plen, s->proto,
			    s->sport, s->dport);
		nl_sel_fill(&pol[1].sel, &s->dst, s->dst_plen, &s->src, s->src_plen, s->proto,
			    s->dport, s->sport);
		pol[2].sel = pol[1].sel;
	}
	pol[0].dir = XFRM_POLICY_OUT;
	pol[1].dir = XFRM_POLICY_IN;
	pol[2].dir = XFRM_POLICY_FWD;
	for (int i = 0; i < 3; i++)
		pol[i].mark = mark;
}

static uint32_t nl_child_hash(const struct ik_kernel_nl *k, unsigned id, uint32_t in_spi,
			      uint32_t out_spi)
{
	uint32_t b[3] = { id, in_spi, out_spi };

	return ik_posidx_hash(&k->child_idx, b, sizeof(b));
}

struct nl_child_look {
	const struct ik_kernel_nl *k;
	unsigned id;
	uint32_t in_spi, out_spi;
};

static bool nl_child_look_eq(const void *ctx, uint32_t pos)
{
	const struct nl_child_look *l = ctx;
	const struct nl_child *ch = &l->k->children[pos];

	return ch->id == l->id && ch->sa[0].spi == l->in_spi && ch->sa[1].spi == l->out_spi;
}

static int nl_child_add(struct ik_kernel *kk, const struct ik_child_sa *c)
{
	struct ik_kernel_nl *k = nl_of(kk);
	struct nl_child ch;
	uint32_t mark = nl_child_mark(c);
	uint32_t kreqid = nl_kreqid(c->reqid);
	bool tunnel = c->mode != IK_MODE_TRANSPORT;
	int err;

	if (c->reqid & IK_KERNEL_REQID_MASK) {
		ik_msg(kk->log, IK_LOG_ERR, "kernel: child SA %u: reqid %u out of range (< 2^24)",
		       c->id, c->reqid);
		return -EINVAL;
	}
	if (k->nchildren >= IK_MAX_TRACK) {
		ik_msg(kk->log, IK_LOG_ERR, "kernel: more than %u child SAs", IK_MAX_TRACK);
		return -ENOSPC;
	}
	memset(&ch, 0, sizeof(ch));
	ch.id = c->id;
	ch.h = nl_child_hash(k, c->id, c->in.spi, c->out.spi);
	ch.sa[0] = (struct nl_sa_id){ c->in.src, c->in.dst, c->in.spi, mark };
	ch.sa[1] = (struct nl_sa_id){ c->out.src, c->out.dst, c->out.spi, mark };
	nl_child_policies(c, ch.pol);

	/* inbound first: the peer may already send */
	err = nl_sa_add(k, c, &c->in, true, mark);
	if (err)
		return err;
	err = nl_sa_add(k, c, &c->out, false, mark);
	if (err)
		goto undo_in;
	for (ch.npol = 0; ch.npol < 3; ch.npol++) {
		bool out = ch.pol[ch.npol].dir == XFRM_POLICY_OUT;

		err = nl_policy_ref(k, &ch.pol[ch.npol], kreqid, tunnel,
				    out ? &c->out.src : &c->in.src, out ? &c->out.dst : &c->in.dst);
		if (err)
			goto undo_pol;
	}
	{
		struct nl_child *nc = nl_track_room(k->children, &k->cap_children, k->nchildren,
						    sizeof(*nc));

		if (nc)
			k->children = nc;
		if (!nc || ik_posidx_insert(&k->child_idx, ch.h, (uint32_t)k->nchildren)) {
			err = -ENOMEM;
			goto undo_pol;
		}
		k->children[k->nchildren++] = ch;
	}
	return 0;
undo_pol:
	while (ch.npol--)
		nl_policy_unref(k, &ch.pol[ch.npol]);
	nl_sa_del(k, &ch.sa[1], true);
undo_in:
	nl_sa_del(k, &ch.sa[0], true);
	return err;
}

static void nl_trap_key(const struct ik_selector *s, struct nl_policy_key *key)
{
	memset(key, 0, sizeof(*key));
	nl_sel_fill(&key->sel, &s->src, s->src_plen, &s->dst, s->dst_plen, s->proto, s->sport,
		    s->dport);
	key->dir = XFRM_POLICY_OUT;
}

static int nl_trap_add(struct ik_kernel *kk, const struct ik_selector *sel, uint32_t reqid,
		       const struct ik_addr *local, const struct ik_addr *peer)
{
	struct ik_kernel_nl *k = nl_of(kk);
	struct nl_policy_key key;

	if (reqid & IK_KERNEL_REQID_MASK)
		return -EINVAL;
	nl_trap_key(sel, &key);
	return nl_policy_ref(k, &key, nl_kreqid(reqid), true, local, peer);
}

static int nl_trap_del(struct ik_kernel *kk, const struct ik_selector *sel)
{
	struct nl_policy_key key;

	nl_trap_key(sel, &key);
	return nl_policy_unref(nl_of(kk), &key);
}

static int nl_child_remove(struct ik_kernel_nl *k, size_t i)
{
	struct nl_child ch = k->children[i];
	size_t last = k->nchildren - 1;
	int err = 0, e;

	ik_posidx_remove(&k->child_idx, ch.h, (uint32_t)i);
	if (i != last) {
		k->children[i] = k->children[last];
		ik_posidx_move(&k->child_idx, k->children[i].h, (uint32_t)last, (uint32_t)i);
	}
	k->nchildren--;
	for (unsigned j = 0; j < ch.npol; j++)
		if ((e = nl_policy_unref(k, &ch.pol[j])) && !err)
			err = e;
	for (int j = 1; j >= 0; j--)
		if ((e = nl_sa_del(k, &ch.sa[j], true)) && !err)
			err = e;
	return err;
}

static int nl_child_del(struct ik_kernel *kk, const struct ik_child_sa *c)
{
	struct ik_kernel_nl *k = nl_of(kk);
	struct nl_child_look l = { k, c->id, c->in.spi, c->out.spi };
	uint32_t at;

	if (ik_posidx_find(&k->child_idx, nl_child_hash(k, c->id, c->in.spi, c->out.spi),
			   nl_child_look_eq, &l, &at))
		return nl_child_remove(k, at);
	/* not installed by this process (or already gone): delete the SAs if
	 * they are there, quietly */
	{
		uint32_t mark = nl_child_mark(c);
		struct nl_sa_id in = { c->in.src, c->in.dst, c->in.spi, mark };
		struct nl_sa_id out = { c->out.src, c->out.dst, c->out.spi, mark };

		nl_sa_del(k, &out, true);
		nl_sa_del(k, &in, true);
	}
	return 0;
}

static int nl_sa_info_cb(struct nl_msg *msg, void *arg)
{
	struct xfrm_usersa_info *out = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);

	if (h->nlmsg_type != XFRM_MSG_NEWSA || !nlmsg_valid_hdr(h, sizeof(*out)))
		return NL_SKIP;
	memcpy(out, nlmsg_data(h), sizeof(*out));
	return NL_OK;
}

static int nl_sa_counters(struct ik_kernel_nl *k, const struct ik_esp_sa *e, uint32_t mark,
			  struct ik_sa_counters *out)
{
	struct xfrm_usersa_info info;
	struct xfrm_usersa_id sid;
	struct nl_msg *msg;
	char a[IK_ADDR_ANYSTRLEN];
	int err;

	memset(out, 0, sizeof(*out));
	memset(&info, 0, sizeof(info));
	memset(&sid, 0, sizeof(sid));
	nl_xaddr_put(&sid.daddr, &e->dst);
	sid.spi = htonl(e->spi);
	sid.family = (uint16_t)nl_af(&e->dst);
	sid.proto = IPPROTO_ESP;
	msg = nlmsg_alloc_simple(XFRM_MSG_GETSA, 0);
	if (!msg)
		return -ENOMEM;
	if (nlmsg_append(msg, &sid, sizeof(sid), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	if (mark) {
		struct xfrm_mark m = { .v = mark, .m = 0xffffffffu };

		if (nla_put(msg, XFRMA_MARK, sizeof(m), &m) < 0) {
			nlmsg_free(msg);
			return -EMSGSIZE;
		}
	}
	err = nl_transact(k->xs, msg, false, nl_sa_info_cb, &info);
	if (!err && info.id.spi != htonl(e->spi))
		err = -ENOENT;
	if (err) {
		nl_report(k, err, "XFRM SA get %s spi 0x%08x", ik_addr_fmt_any(&e->dst, a), e->spi);
		return err;
	}
	out->bytes = info.curlft.bytes;
	out->packets = info.curlft.packets;
	out->errors = (uint64_t)info.stats.replay_window + info.stats.replay +
		      info.stats.integrity_failed;
	out->replay_failed = (uint64_t)info.stats.replay_window + info.stats.replay;
	out->auth_failed = info.stats.integrity_failed;
	return 0;
}

static int nl_child_counters(struct ik_kernel *kk, const struct ik_child_sa *c,
			     struct ik_sa_counters *in, struct ik_sa_counters *out)
{
	struct ik_kernel_nl *k = nl_of(kk);
	uint32_t mark = nl_child_mark(c);
	int e1 = nl_sa_counters(k, &c->in, mark, in);
	int e2 = nl_sa_counters(k, &c->out, mark, out);

	return e1 ? e1 : e2;
}

/* ---- links, addresses, routes ---- */

static void nl_link_name(const struct ik_interface *tun, char buf[IFNAMSIZ])
{
	snprintf(buf, IFNAMSIZ, IK_LINK_PREFIX "%u", tun->tunnel_num);
}

static int nl_ifindex(struct ik_kernel_nl *k, const char *name)
{
	struct rtnl_link *l = NULL;
	int idx;

	if (rtnl_link_get_kernel(k->rs, 0, name, &l) < 0 || !l)
		return 0;
	idx = rtnl_link_get_ifindex(l);
	rtnl_link_put(l);
	return idx;
}

static int nl_link_delete(struct ik_kernel_nl *k, int ifindex, const char *name)
{
	struct rtnl_link *l = rtnl_link_alloc();
	struct nl_msg *msg = NULL;
	int err;

	if (!l)
		return -ENOMEM;
	rtnl_link_set_ifindex(l, ifindex);
	err = rtnl_link_build_delete_request(l, &msg);
	rtnl_link_put(l);
	if (err < 0)
		return -ENOMEM;
	err = nl_request(k->rs, msg, false);
	if (err == -ENODEV)
		return 0;
	if (err)
		nl_report(k, err, "link %s delete", name);
	return err;
}

/* RTM_NEWLINK on an existing link: up, alias, master (0 = none). */
static int nl_link_setup(struct ik_kernel_nl *k, int ifindex, const char *name, const char *alias,
			 int master)
{
	struct ifinfomsg ifi;
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWLINK, 0);
	int err;

	if (!msg)
		return -ENOMEM;
	memset(&ifi, 0, sizeof(ifi));
	ifi.ifi_family = AF_UNSPEC;
	ifi.ifi_index = ifindex;
	ifi.ifi_flags = IFF_UP;
	ifi.ifi_change = IFF_UP;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(msg, IFLA_IFALIAS, alias) < 0 ||
	    (master && nla_put_u32(msg, IFLA_MASTER, (uint32_t)master) < 0)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	err = nl_request(k->rs, msg, false);
	if (err)
		nl_report(k, err, "link %s up", name);
	return err;
}

static int nl_sysctl_set(struct ik_kernel_nl *k, const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		ik_msg(k->base.log, IK_LOG_ERR, "kernel: %s: %s", path, strerror(errno));
		return -errno;
	}
	n = write(fd, val, strlen(val));
	close(fd);
	if (n != (ssize_t)strlen(val)) {
		ik_msg(k->base.log, IK_LOG_ERR, "kernel: %s = %s: write failed", path, val);
		return -EIO;
	}
	return 0;
}

/* The VRF device of a VRF name: its ifindex and table. A missing VRF is an
 * error that names it (ikerd does not create VRFs). */
static int nl_vrf_lookup(struct ik_kernel_nl *k, const char *vrf, const char *what, int *ifindex,
			 uint32_t *table)
{
	struct rtnl_link *l = NULL;
	int err = rtnl_link_get_kernel(k->rs, 0, vrf, &l);

	if (err < 0 || !l) {
		ik_msg(k->base.log, IK_LOG_ERR, "kernel: %s: VRF %s: no such VRF device "
		       "(create it: ip link add %s type vrf table N)", what, vrf, vrf);
		return -ENODEV;
	}
	if (!rtnl_link_is_vrf(l) || rtnl_link_vrf_get_tableid(l, table) < 0) {
		ik_msg(k->base.log, IK_LOG_ERR, "kernel: %s: %s is not a VRF device", what, vrf);
		rtnl_link_put(l);
		return -EINVAL;
	}
	*ifindex = rtnl_link_get_ifindex(l);
	rtnl_link_put(l);
	return 0;
}

static struct nl_addr *nl_addr4(uint32_t a, int plen)
{
	uint32_t n = htonl(a);
	struct nl_addr *na = nl_addr_build(AF_INET, &n, sizeof(n));

	if (na)
		nl_addr_set_prefixlen(na, plen);
	return na;
}

static struct nl_addr *nl_addr6(const uint8_t a[16], int plen)
{
	struct nl_addr *na = nl_addr_build(AF_INET6, a, 16);

	if (na)
		nl_addr_set_prefixlen(na, plen);
	return na;
}

static int nl_route_send(struct ik_kernel_nl *k, struct rtnl_route *r, bool add, const char *what)
{
	struct nl_msg *msg = NULL;
	int err;

	err = add ? rtnl_route_build_add_request(r, NLM_F_CREATE | NLM_F_REPLACE, &msg)
		  : rtnl_route_build_del_request(r, 0, &msg);
	if (err < 0)
		return -ENOMEM;
	err = nl_request(k->rs, msg, false);
	if (!add && err == -ESRCH)
		return 0;
	if (err)
		nl_report(k, err, "route %s %s", what, add ? "add" : "delete");
	return err;
}

static uint32_t nl_tunnel_hash(const struct ik_kernel_nl *k, const char *name)
{
	return ik_posidx_hash(&k->tun_idx, name, strlen(name));
}

struct nl_tunnel_look {
	const struct ik_kernel_nl *k;
	const char *name;
};

static bool nl_tunnel_look_eq(const void *ctx, uint32_t pos)
{
	const struct nl_tunnel_look *l = ctx;

	return !strcmp(l->k->tunnels[pos].name, l->name);
}

static struct nl_tunnel *nl_tunnel_find(struct ik_kernel_nl *k, const char *name)
{
	struct nl_tunnel_look l = { k, name };
	uint32_t at;

	if (!ik_posidx_find(&k->tun_idx, nl_tunnel_hash(k, name), nl_tunnel_look_eq, &l, &at))
		return NULL;
	return &k->tunnels[at];
}

static void nl_tunnel_forget(struct ik_kernel_nl *k, struct nl_tunnel *t)
{
	size_t i = (size_t)(t - k->tunnels), last = k->ntunnels - 1;

	for (size_t j = 0; j < t->nroutes; j++)
		rtnl_route_put(t->routes[j]);
	free(t->routes);
	ik_posidx_remove(&k->tun_idx, t->h, (uint32_t)i);
	if (i != last) {
		*t = k->tunnels[last];
		ik_posidx_move(&k->tun_idx, t->h, (uint32_t)last, (uint32_t)i);
	}
	k->ntunnels--;
}

static int nl_tunnel_teardown(struct ik_kernel_nl *k, struct nl_tunnel *t)
{
	int err = 0, e;

	for (size_t i = 0; i < t->nroutes; i++)
		if ((e = nl_route_send(k, t->routes[i], false, t->name)) && !err)
			err = e;
	if (t->has_guard && (e = nl_policy_unref(k, &t->guard)) && !err)
		err = e;
	if (t->mss && (e = ik_mss_apply(k->base.log, t->ifname, 0, t->name)) && !err)
		err = e;
	if (t->ifindex && (e = nl_link_delete(k, t->ifindex, t->ifname)) && !err)
		err = e;
	nl_tunnel_forget(k, t);
	return err;
}

int ik_kernel_nl_route_oif(struct nlmsghdr *h, size_t len)
{
	struct nlattr *tb[RTA_MAX + 1];
	uint32_t oif;

	/* the header, and the length it announces, within what was received */
	if (len < sizeof(*h) || h->nlmsg_len < sizeof(*h) || h->nlmsg_len > len ||
	    h->nlmsg_type != RTM_NEWROUTE || !nlmsg_valid_hdr(h, sizeof(struct rtmsg)) ||
	    nlmsg_parse(h, sizeof(struct rtmsg), tb, RTA_MAX, NULL) < 0 || !tb[RTA_OIF] ||
	    nla_len(tb[RTA_OIF]) < (int)sizeof(oif))
		return 0;
	oif = nla_get_u32(tb[RTA_OIF]);
	return oif > 0 && oif <= INT_MAX ? (int)oif : 0;
}

static int nl_oif_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);
	int *oif = arg;
	int v = ik_kernel_nl_route_oif(h, h->nlmsg_len);

	if (!v)
		return NL_SKIP;
	*oif = v;
	return NL_OK;
}

/* The interface the main table sends datagrams to a out of (RTM_GETROUTE,
 * as `ip route get`): its index, or -errno. */
static int nl_oif_toward(struct ik_kernel_nl *k, const struct ik_addr *a)
{
	struct rtmsg rtm = { .rtm_family = (unsigned char)nl_af(a) };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETROUTE, 0);
	int oif = 0, err;

	if (!msg)
		return -ENOMEM;
	rtm.rtm_dst_len = (unsigned char)ik_af_bits(a->family);
	if (nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
	    (a->family == IK_AF_INET6 ? nla_put(msg, RTA_DST, 16, a->v6)
				      : nla_put_u32(msg, RTA_DST, htonl(a->v4))) < 0) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	err = nl_transact(k->rs, msg, false, nl_oif_cb, &oif);
	if (err)
		return err;
	return oif > 0 ? oif : -ENETUNREACH;
}

/* reverse-route: dst/mask via the peer in the main table, ikerd's protocol
 * (start-up clean-up removes what a previous ikerd left). An IPv6 subnet
 * behind an IPv4 peer: Linux has no IPv6 route through an IPv4 gateway, so
 * the route goes out of the interface toward the peer (no gateway); the
 * XFRM policy of the SA pair then sends the packets into ESP to the peer. */
static int nl_rri(struct ik_kernel *kk, const struct ik_addr *dst, uint8_t plen,
		  const struct ik_addr *via, bool add)
{
	struct ik_kernel_nl *k = nl_of(kk);
	bool v6 = dst->family == IK_AF_INET6;
	struct rtnl_route *r = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *d = v6 ? nl_addr6(dst->v6, plen) : nl_addr4(dst->v4, plen);
	struct nl_addr *gw = via->family == IK_AF_INET6 ? nl_addr6(via->v6, 128) :
		nl_addr4(via->v4, 32);
	char what[160], a[2][IK_ADDR_ANYSTRLEN];
	int err, oif = 0;

	if (v6 && via->family != IK_AF_INET6 && add) {
		oif = nl_oif_toward(k, via);
		if (oif < 0) {
			ik_msg(k->base.log, IK_LOG_ERR, "kernel: reverse-route %s/%u: no route "
			       "to the IPv4 peer %s, so no interface for the IPv6 route: %s; not "
			       "installed", ik_addr_fmt_any(dst, a[0]), plen,
			       ik_addr_fmt_any(via, a[1]), strerror(-oif));
			rtnl_route_put(r);
			rtnl_route_nh_free(nh);
			nl_addr_put(d);
			nl_addr_put(gw);
			return oif;
		}
	}
	if (!r || !nh || !d || !gw || plen > ik_af_bits(dst->family)) {
		rtnl_route_put(r);
		rtnl_route_nh_free(nh);
		nl_addr_put(d);
		nl_addr_put(gw);
		return r && nh && d && gw ? -EINVAL : -ENOMEM;
	}
	snprintf(what, sizeof(what), "%s/%u %s %s (reverse-route)", ik_addr_fmt_any(dst, a[0]),
		 plen, v6 && via->family != IK_AF_INET6 ? "toward" : "via",
		 ik_addr_fmt_any(via, a[1]));
	rtnl_route_set_family(r, v6 ? AF_INET6 : AF_INET);
	rtnl_route_set_table(r, RT_TABLE_MAIN);
	rtnl_route_set_protocol(r, IK_KERNEL_RTPROT);
	rtnl_route_set_scope(r, RT_SCOPE_UNIVERSE);
	rtnl_route_set_dst(r, d);
	/* IPv4 subnets behind an IPv6 peer: a gateway of the other family
	 * (RTA_VIA, Linux 5.2); IPv6 behind IPv4: the interface alone (a
	 * delete finds the route by prefix and protocol) */
	if (via->family == dst->family)
		rtnl_route_nh_set_gateway(nh, gw);
	else if (!v6)
		rtnl_route_nh_set_via(nh, gw);
	else if (oif)
		rtnl_route_nh_set_ifindex(nh, oif);
	if (via->family == dst->family || !v6 || oif)
		rtnl_route_add_nexthop(r, nh);
	else
		rtnl_route_nh_free(nh);
	nl_addr_put(d);
	nl_addr_put(gw);
	err = nl_route_send(k, r, add, what);
	rtnl_route_put(r);
	return err;
}

static int nl_rri_add(struct ik_kernel *kk, const struct ik_addr *dst, uint8_t plen,
		      const struct ik_addr *via)
{
	return nl_rri(kk, dst, plen, via, true);
}

static int nl_rri_del(struct ik_kernel *kk, const struct ik_addr *dst, uint8_t plen,
		      const struct ik_addr *via)
{
	return nl_rri(kk, dst, plen, via, false);
}

static bool nl_same_vrf(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* A configured route belongs to a tunnel when it names the tunnel as its
 * interface, or when its only next hop is on the tunnel's subnet (in the
 * tunnel's VRF), as IOS resolves it. */
static bool nl_route_uses(const struct ik_route *ro, const struct ik_interface *tun)
{
	if (ro->out_if || ro->out_if_name)
		return ro->out_if == tun ||
		       (ro->out_if_name && !strcmp(ro->out_if_name, tun->name));
	if (ro->v6)
		return ro->has_nexthop6 && tun->has_addr6 && tun->plen6 < 128 &&
		       ik_addr6_in(ro->nexthop6, tun->addr6, tun->plen6) &&
		       nl_same_vrf(ro->vrf, tun->vrf);
	return ro->nexthop && tun->addr && tun->mask != 0xffffffffu &&
	       ik_addr_in(ro->nexthop, tun->addr, tun->mask) && nl_same_vrf(ro->vrf, tun->vrf);
}

static int nl_tunnel_routes(struct ik_kernel_nl *k, const struct ik_config *cfg,
			    const struct ik_interface *tun, struct nl_tunnel *t)
{
	for (size_t i = 0; cfg && i < cfg->nroutes; i++) {
		const struct ik_route *ro = &cfg->routes[i];
		uint32_t table = RT_TABLE_MAIN;
		struct rtnl_route *r;
		struct rtnl_nexthop *nh;
		struct nl_addr *dst;
		char what[128], a[IK_ADDR_ANYSTRLEN];
		int vidx, err, plen;

		if (!nl_route_uses(ro, tun))
			continue;
		plen = ro->v6 ? ro->plen6 : ik_mask_plen(ro->mask);
		snprintf(what, sizeof(what), "%s%s%s%s/%d dev %s", ro->vrf ? "vrf " : "",
			 ro->vrf ? ro->vrf : "", ro->vrf ? " " : "",
			 ro->v6 ? ik_addr6_fmt_ios(ro->prefix6, a) : ik_addr_fmt(ro->prefix, a),
			 plen, t->ifname);
		if (plen < 0) {
			ik_msg(k->base.log, IK_LOG_ERR, "kernel: route %s: mask not contiguous",
			       what);
			return -EINVAL;
		}
		if (ro->vrf && (err = nl_vrf_lookup(k, ro->vrf, what, &vidx, &table)))
			return err;
		r = rtnl_route_alloc();
		nh = rtnl_route_nh_alloc();
		dst = ro->v6 ? nl_addr6(ro->prefix6, plen) : nl_addr4(ro->prefix, plen);
		if (!r || !nh || !dst) {
			rtnl_route_put(r);
			rtnl_route_nh_free(nh);
			nl_addr_put(dst);
			return -ENOMEM;
		}
		rtnl_route_set_family(r, ro->v6 ? AF_INET6 : AF_INET);
		rtnl_route_set_table(r, table);
		rtnl_route_set_protocol(r, IK_KERNEL_RTPROT);
		rtnl_route_set_dst(r, dst);
		nl_addr_put(dst);
		rtnl_route_nh_set_ifindex(nh, t->ifindex);
		if (ro->v6 ? ro->has_nexthop6 : ro->nexthop != 0) {
			struct nl_addr *gw = ro->v6 ? nl_addr6(ro->nexthop6, 128)
						    : nl_addr4(ro->nexthop, 32);

			if (gw) {
				rtnl_route_nh_set_gateway(nh, gw);
				nl_addr_put(gw);
			}
			rtnl_route_set_scope(r, RT_SCOPE_UNIVERSE);
		} else {
			rtnl_route_set_scope(r, RT_SCOPE_LINK);
		}
		rtnl_route_add_nexthop(r, nh);
		err = nl_route_send(k, r, true, what);
		if (err) {
			rtnl_route_put(r);
			return err;
		}
		{
			struct rtnl_route **nr;

			nr = realloc(t->routes, (t->nroutes + 1) * sizeof(*nr));

			if (!nr) {
				nl_route_send(k, r, false, what);
				rtnl_route_put(r);
				return -ENOMEM;
			}
			t->routes = nr;
			t->routes[t->nroutes++] = r;
		}
	}
	return 0;
}

/* ipv6 address P/L on the tunnel's link, usable at once (no duplicate
 * address detection on a point-to-point tunnel). */
static int nl_tunnel_addr6(struct ik_kernel_nl *k, const struct ik_interface *tun,
			   struct nl_tunnel *t)
{
	struct rtnl_addr *ra = rtnl_addr_alloc();
	struct nl_addr *na = nl_addr6(tun->addr6, tun->plen6);
	struct nl_msg *msg = NULL;
	char a[IK_ADDR_ANYSTRLEN];
	int err;

	if (!ra || !na) {
		rtnl_addr_put(ra);
		nl_addr_put(na);
		return -ENOMEM;
	}
	rtnl_addr_set_ifindex(ra, t->ifindex);
	rtnl_addr_set_family(ra, AF_INET6);
	rtnl_addr_set_local(ra, na);
	rtnl_addr_set_prefixlen(ra, tun->plen6);
	rtnl_addr_set_flags(ra, IFA_F_NODAD);
	nl_addr_put(na);
	err = rtnl_addr_build_add_request(ra, NLM_F_CREATE | NLM_F_REPLACE, &msg);
	rtnl_addr_put(ra);
	if (err < 0)
		return -ENOMEM;
	err = nl_request(k->rs, msg, false);
	if (err)
		nl_report(k, err, "address %s/%d on %s add%s", ik_addr6_fmt_ios(tun->addr6, a),
			  tun->plen6, t->ifname,
			  err == -EACCES ? " (IPv6 is disabled here: sysctl "
					   "net.ipv6.conf.default.disable_ipv6 is 1)" : "");
	return err;
}

/* The outbound policy of a protected tunnel before any SA (see the top). */
static int nl_tunnel_guard(struct ik_kernel_nl *k, const struct ik_interface *tun,
			   const struct ik_addr *local, struct nl_tunnel *t)
{
	const struct ik_ipsec_profile *pp = tun->protection;
	struct ik_addr remote = nl_tunnel_remote(tun);
	bool tunnel_mode = true;
	int err;

	if (!pp)
		return 0;
	if (pp->ntsets && pp->tsets[0]->mode == IK_MODE_TRANSPORT && !nl_is_vti(tun))
		tunnel_mode = false;
	memset(&t->guard, 0, sizeof(t->guard));
	t->guard.dir = XFRM_POLICY_OUT;
	if (nl_is_vti(tun)) {
		nl_sel_any(&t->guard.sel, nl_tunnel_af(tun));
		t->guard.mark = nl_tunnel_mark(tun);
	} else {
		nl_sel_fill(&t->guard.sel, local, ik_af_bits(local->family), &remote,
			    ik_af_bits(remote.family), IPPROTO_GRE, 0, 0);
	}
	err = nl_policy_ref(k, &t->guard, nl_kreqid(tun->tunnel_num + 1), tunnel_mode, local,
			    &remote);
	if (!err)
		t->has_guard = true;
	return err;
}

/* The link of a tunnel: GRE or VTI over IPv4, ip6gre or vti6 over IPv6. */
static struct rtnl_link *nl_tunnel_link(const struct ik_interface *tun, const struct ik_addr *local,
					const struct ik_addr *remote, int underlay)
{
	bool vti = nl_is_vti(tun);
	struct rtnl_link *l;

	if (local->family == IK_AF_INET6) {
		struct in6_addr lo, re;

		memcpy(lo.s6_addr, local->v6, 16);
		memcpy(re.s6_addr, remote->v6, 16);
		l = vti ? rtnl_link_ip6vti_alloc() : rtnl_link_ip6gre_alloc();
		if (!l)
			return NULL;
		if (vti) {
			rtnl_link_ip6vti_set_local(l, &lo);
			rtnl_link_ip6vti_set_remote(l, &re);
			rtnl_link_ip6vti_set_ikey(l, htonl(nl_tunnel_mark(tun)));
			rtnl_link_ip6vti_set_okey(l, htonl(nl_tunnel_mark(tun)));
			if (underlay)
				rtnl_link_ip6vti_set_link(l, (uint32_t)underlay);
		} else {
			rtnl_link_ip6gre_set_local(l, &lo);
			rtnl_link_ip6gre_set_remote(l, &re);
			rtnl_link_ip6gre_set_ttl(l, 255);
			/* no encapsulation limit option: GRE over IPv6 as IOS sends it */
			rtnl_link_ip6gre_set_flags(l, IK_IP6_TNL_F_IGN_ENCAP_LIMIT);
			if (underlay)
				rtnl_link_ip6gre_set_link(l, (uint32_t)underlay);
		}
		return l;
	}
	l = vti ? rtnl_link_ipvti_alloc() : rtnl_link_ipgre_alloc();
	if (!l)
		return NULL;
	if (vti) {
		rtnl_link_ipvti_set_local(l, htonl(local->v4));
		rtnl_link_ipvti_set_remote(l, htonl(remote->v4));
		rtnl_link_ipvti_set_ikey(l, htonl(nl_tunnel_mark(tun)));
		rtnl_link_ipvti_set_okey(l, htonl(nl_tunnel_mark(tun)));
		if (underlay)
			rtnl_link_ipvti_set_link(l, (uint32_t)underlay);
	} else {
		rtnl_link_ipgre_set_local(l, htonl(local->v4));
		rtnl_link_ipgre_set_remote(l, htonl(remote->v4));
		rtnl_link_ipgre_set_ttl(l, 255);
		if (underlay)
			rtnl_link_ipgre_set_link(l, (uint32_t)underlay);
	}
	return l;
}

/* A VTI's decapsulated packets are not checked against policies again (the
 * SA's mark made them VTI traffic): disable_policy of the family it carries.
 * Kernels before 5.18 have no IPv6 disable_policy; vti6 needs none there. */
static int nl_vti_disable_policy(struct ik_kernel_nl *k, const struct nl_tunnel *t, bool v6)
{
	char path[128];

	snprintf(path, sizeof(path), "/proc/sys/net/ipv%c/conf/%s/disable_policy", v6 ? '6' : '4',
		 t->ifname);
	if (v6 && access(path, F_OK))
		return 0;
	return nl_sysctl_set(k, path, "1");
}

static int nl_tunnel_up(struct ik_kernel *kk, const struct ik_config *cfg,
			const struct ik_interface *tun, const struct ik_addr *local)
{
	struct ik_kernel_nl *k = nl_of(kk);
	struct nl_tunnel *t, *nt;
	struct rtnl_link *l;
	struct nl_msg *msg = NULL;
	char alias[64], a[2][IK_ADDR_ANYSTRLEN];
	int master = 0, underlay = 0, err, old;
	struct ik_addr remote = nl_tunnel_remote(tun);
	uint32_t table;
	bool vti;

	if (!tun->is_tunnel) {
		ik_msg(kk->log, IK_LOG_ERR, "kernel: %s is not a tunnel interface", tun->name);
		return -EINVAL;
	}
	if (local->family != remote.family ||
	    local->family != (ik_tunnel_mode_v6(tun->tunnel_mode) ? IK_AF_INET6 : IK_AF_INET4)) {
		ik_msg(kk->log, IK_LOG_ERR, "kernel: %s: tunnel source %s and destination %s are "
		       "not both of the family of its tunnel mode", tun->name,
		       ik_addr_fmt_any(local, a[0]), ik_addr_fmt_any(&remote, a[1]));
		return -EINVAL;
	}
	vti = nl_is_vti(tun);
	if ((t = nl_tunnel_find(k, tun->name)))
		nl_tunnel_teardown(k, t);
	if (tun->vrf && (err = nl_vrf_lookup(k, tun->vrf, tun->name, &master, &table)))
		return err;
	if (tun->tunnel_vrf &&
	    (err = nl_vrf_lookup(k, tun->tunnel_vrf, tun->name, &underlay, &table)))
		return err;

	if (k->ntunnels >= IK_MAX_TRACK) {
		ik_msg(kk->log, IK_LOG_ERR, "kernel: more than %u tunnels", IK_MAX_TRACK);
		return -ENOSPC;
	}
	nt = nl_track_room(k->tunnels, &k->cap_tunnels, k->ntunnels, sizeof(*nt));
	if (!nt)
		return -ENOMEM;
	k->tunnels = nt;
	t = &k->tunnels[k->ntunnels];
	memset(t, 0, sizeof(*t));
	nl_link_name(tun, t->ifname);
	snprintf(t->name, sizeof(t->name), "%s", tun->name);
	t->h = nl_tunnel_hash(k, t->name);
	if (ik_posidx_insert(&k->tun_idx, t->h, (uint32_t)k->ntunnels))
		return -ENOMEM;
	k->ntunnels++;
	snprintf(alias, sizeof(alias), IK_ALIAS_PREFIX "%s", tun->name);

	/* a stale link of ours with this name (a crash): replace it */
	if ((old = nl_ifindex(k, t->ifname)))
		nl_link_delete(k, old, t->ifname);

	l = nl_tunnel_link(tun, local, &remote, underlay);
	if (!l) {
		err = -ENOMEM;
		goto fail;
	}
	rtnl_link_set_name(l, t->ifname);
	if (tun->ip_mtu)
		rtnl_link_set_mtu(l, tun->ip_mtu); /* ip mtu N */
	err = rtnl_link_build_add_request(l, NLM_F_CREATE | NLM_F_EXCL, &msg);
	rtnl_link_put(l);
	if (err < 0) {
		err = -ENOMEM;
		goto fail;
	}
	err = nl_request(k->rs, msg, false);
	if (err) {
		nl_report(k, err, "%s link %s (%s) local %s remote %s add",
			  local->family == IK_AF_INET6 ? (vti ? "vti6" : "ip6gre") :
			  (vti ? "VTI" : "GRE"), t->ifname, tun->name,
			  ik_addr_fmt_any(local, a[0]), ik_addr_fmt_any(&remote, a[1]));
		goto fail;
	}
	t->ifindex = nl_ifindex(k, t->ifname);
	if (!t->ifindex) {
		ik_msg(kk->log, IK_LOG_ERR, "kernel: link %s vanished after its creation",
		       t->ifname);
		err = -ENODEV;
		goto fail;
	}
	if (vti && (err = nl_vti_disable_policy(k, t, local->family == IK_AF_INET6)))
		goto fail;
	if (tun->addr) {
		struct rtnl_addr *ra = rtnl_addr_alloc();
		struct nl_addr *na = nl_addr4(tun->addr, ik_mask_plen(tun->mask));

		if (!ra || !na) {
			rtnl_addr_put(ra);
			nl_addr_put(na);
			err = -ENOMEM;
			goto fail;
		}
		rtnl_addr_set_ifindex(ra, t->ifindex);
		rtnl_addr_set_family(ra, AF_INET);
		rtnl_addr_set_local(ra, na);
		nl_addr_put(na);
		err = rtnl_addr_build_add_request(ra, NLM_F_CREATE | NLM_F_REPLACE, &msg);
		rtnl_addr_put(ra);
		if (err < 0) {
			err = -ENOMEM;
			goto fail;
		}
		err = nl_request(k->rs, msg, false);
		if (err) {
			nl_report(k, err, "address %s/%d on %s add", ik_addr_fmt(tun->addr, a[0]),
				  ik_mask_plen(tun->mask), t->ifname);
			goto fail;
		}
	}
	if (tun->has_addr6 && (err = nl_tunnel_addr6(k, tun, t)))
		goto fail;
	if ((err = nl_link_setup(k, t->ifindex, t->ifname, alias, master)))
		goto fail;
	if (tun->tcp_adjust_mss) {
		char what[96];

		/* a clamp the kernel refuses is reported; the tunnel still comes up */
		snprintf(what, sizeof(what), "ip tcp adjust-mss %u on %s (not applied)",
			 tun->tcp_adjust_mss, tun->name);
		if (!ik_mss_apply(kk->log, t->ifname, tun->tcp_adjust_mss, what))
			t->mss = tun->tcp_adjust_mss;
	}
	if ((err = nl_tunnel_routes(k, cfg, tun, t)))
		goto fail;
	if ((err = nl_tunnel_guard(k, tun, local, t)))
		goto fail;
	return 0;
fail:
	nl_tunnel_teardown(k, t);
	return err;
}

static int nl_tunnel_down(struct ik_kernel *kk, const struct ik_interface *tun)
{
	struct ik_kernel_nl *k = nl_of(kk);
	struct nl_tunnel *t = nl_tunnel_find(k, tun->name);

	return t ? nl_tunnel_teardown(k, t) : 0;
}

/* ---- flush of stale state (start-up) ---- */

struct nl_flush {
	struct ik_kernel_nl *k;
	int err;
	unsigned n;
	/* collected from a dump, deleted after it (not while the socket dumps) */
	struct nl_sa_id *sas;
	size_t nsas, cap_sas;
	struct nl_policy_key *pols;
	uint32_t *pol_index;
	size_t npols, cap_pols, cap_pol_index;
	bool oom;
};

static int nl_dump_sa_cb(struct nl_msg *msg, void *arg)
{
	struct nl_flush *f = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct nlattr *tb[XFRMA_MAX + 1];
	struct xfrm_usersa_info sa;
	struct nl_sa_id *ns;

	if (h->nlmsg_type != XFRM_MSG_NEWSA || !nlmsg_valid_hdr(h, sizeof(sa)))
		return NL_SKIP;
	memcpy(&sa, nlmsg_data(h), sizeof(sa)); /* 8-byte members, 4-byte aligned data */
	if (!nl_reqid_owned(sa.reqid) || (sa.family != AF_INET && sa.family != AF_INET6) ||
	    sa.id.proto != IPPROTO_ESP)
		return NL_SKIP;
	if (f->nsas >= IK_MAX_TRACK * 4 ||
	    !(ns = nl_track_room(f->sas, &f->cap_sas, f->nsas, sizeof(*ns)))) {
		f->oom = true;
		return NL_SKIP;
	}
	f->sas = ns;
	ns = &f->sas[f->nsas++];
	memset(ns, 0, sizeof(*ns));
	ns->src = nl_xaddr_get(sa.family, &sa.saddr);
	ns->dst = nl_xaddr_get(sa.family, &sa.id.daddr);
	ns->spi = ntohl(sa.id.spi);
	if (nlmsg_parse(h, sizeof(sa), tb, XFRMA_MAX, NULL) == 0 && tb[XFRMA_MARK] &&
	    nla_len(tb[XFRMA_MARK]) >= (int)sizeof(struct xfrm_mark)) {
		const struct xfrm_mark *m = nla_data(tb[XFRMA_MARK]);

		ns->mark = m->v & m->m;
	}
	return NL_OK;
}

static int nl_dump_sp_cb(struct nl_msg *msg, void *arg)
{
	struct nl_flush *f = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct nlattr *tb[XFRMA_MAX + 1];
	struct xfrm_userpolicy_info p;
	const struct xfrm_user_tmpl *t;
	struct nl_policy_key *nk;
	uint32_t *ni;

	if (h->nlmsg_type != XFRM_MSG_NEWPOLICY || !nlmsg_valid_hdr(h, sizeof(p)))
		return NL_SKIP;
	memcpy(&p, nlmsg_data(h), sizeof(p)); /* 8-byte members, 4-byte aligned data */
	if (p.priority != IK_KERNEL_POLICY_PRIO ||
	    nlmsg_parse(h, sizeof(p), tb, XFRMA_MAX, NULL) < 0 || !tb[XFRMA_TMPL] ||
	    nla_len(tb[XFRMA_TMPL]) < (int)sizeof(*t))
		return NL_SKIP;
	t = nla_data(tb[XFRMA_TMPL]);
	if (!nl_reqid_owned(t->reqid))
		return NL_SKIP;
	if (f->npols >= IK_MAX_TRACK_POLS) {
		f->oom = true;
		return NL_SKIP;
	}
	nk = nl_track_room(f->pols, &f->cap_pols, f->npols, sizeof(*nk));
	if (nk)
		f->pols = nk;
	ni = nl_track_room(f->pol_index, &f->cap_pol_index, f->npols, sizeof(*ni));
	if (ni)
		f->pol_index = ni;
	if (!nk || !ni) {
		f->oom = true;
		return NL_SKIP;
	}
	nk = &f->pols[f->npols];
	memset(nk, 0, sizeof(*nk));
	nk->sel = p.sel;
	nk->dir = p.dir;
	if (tb[XFRMA_MARK] && nla_len(tb[XFRMA_MARK]) >= (int)sizeof(struct xfrm_mark)) {
		const struct xfrm_mark *m = nla_data(tb[XFRMA_MARK]);

		nk->mark = m->v & m->m;
	}
	f->pol_index[f->npols++] = p.index;
	return NL_OK;
}

/* Dumps SAs or policies of ours into f (libnl-xfrm 3.7's parsers leak the
 * selector addresses of every object they decode, so the dump is read here). */
static int nl_dump_xfrm(struct ik_kernel_nl *k, int type, struct nl_flush *f)
{
	struct nl_msg *msg = nlmsg_alloc_simple(type, NLM_F_DUMP);
	int err;

	if (!msg)
		return -ENOMEM;
	err = nl_transact(k->xs, msg, false,
			  type == XFRM_MSG_GETSA ? nl_dump_sa_cb : nl_dump_sp_cb, f);
	if (err)
		nl_report(k, err, "XFRM %s dump", type == XFRM_MSG_GETSA ? "SA" : "policy");
	else if (f->oom)
		ik_msg(k->base.log, IK_LOG_ERR,
		       "kernel: XFRM dump: too many objects, or out of memory");
	return err ? err : f->oom ? -ENOMEM : 0;
}

static void nl_flush_route(struct nl_object *obj, void *arg)
{
	struct nl_flush *f = arg;
	struct rtnl_route *r = (struct rtnl_route *)obj;
	char what[64];

	if (rtnl_route_get_protocol(r) != IK_KERNEL_RTPROT ||
	    (rtnl_route_get_family(r) != AF_INET && rtnl_route_get_family(r) != AF_INET6))
		return;
	snprintf(what, sizeof(what), "table %u (stale)", rtnl_route_get_table(r));
	if (nl_route_send(f->k, r, false, what) && !f->err)
		f->err = -EIO;
	f->n++;
}

static void nl_flush_link(struct nl_object *obj, void *arg)
{
	struct nl_flush *f = arg;
	struct rtnl_link *l = (struct rtnl_link *)obj;
	const char *name = rtnl_link_get_name(l), *alias = rtnl_link_get_ifalias(l);

	if (!name || strncmp(name, IK_LINK_PREFIX, strlen(IK_LINK_PREFIX)) || !alias ||
	    strncmp(alias, IK_ALIAS_PREFIX, strlen(IK_ALIAS_PREFIX)))
		return;
	if (nl_link_delete(f->k, rtnl_link_get_ifindex(l), name) && !f->err)
		f->err = -EIO;
	f->n++;
}

static int nl_flush_owned(struct ik_kernel *kk)
{
	struct ik_kernel_nl *k = nl_of(kk);
	struct nl_flush f = { .k = k };
	struct nl_cache *c = NULL;
	int err;

	if ((err = nl_dump_xfrm(k, XFRM_MSG_GETPOLICY, &f)))
		f.err = err;
	for (size_t i = 0; i < f.npols; i++) {
		if (nl_policy_del(k, &f.pols[i], f.pol_index[i]) && !f.err)
			f.err = -EIO;
		f.n++;
	}
	if ((err = nl_dump_xfrm(k, XFRM_MSG_GETSA, &f)) && !f.err)
		f.err = err;
	for (size_t i = 0; i < f.nsas; i++) {
		if (nl_sa_del(k, &f.sas[i], false) && !f.err)
			f.err = -EIO;
		f.n++;
	}
	free(f.sas);
	free(f.pols);
	free(f.pol_index);
	if ((err = rtnl_route_alloc_cache(k->rs, AF_UNSPEC, 0, &c)) < 0) {
		ik_msg(kk->log, IK_LOG_ERR, "kernel: route dump: %s", nl_geterror(err));
		return -EIO;
	}
	nl_cache_foreach(c, nl_flush_route, &f);
	nl_cache_free(c);
	c = NULL;
	if ((err = rtnl_link_alloc_cache(k->rs, AF_UNSPEC, &c)) < 0) {
		ik_msg(kk->log, IK_LOG_ERR, "kernel: link dump: %s", nl_geterror(err));
		return -EIO;
	}
	nl_cache_foreach(c, nl_flush_link, &f);
	nl_cache_free(c);
	if (ik_mss_flush(kk->log) && !f.err) /* the MSS clamps' nftables table */
		f.err = -EIO;
	if (f.n)
		ik_msg(kk->log, IK_LOG_NOTICE,
		       "kernel: removed %u stale objects of a previous ikerd", f.n);
	return f.err;
}

/* ---- events ---- */

static void nl_sel_prefix(struct ik_addr *out, uint8_t *plen, const struct ik_addr *a, int len)
{
	*out = *a;
	if (a->family == IK_AF_INET6)
		ik_addr6_mask(out->v6, len);
	else
		out->v4 &= ik_plen_mask(len);
	*plen = (uint8_t)len;
}

int ik_kernel_nl_event_decode(struct nlmsghdr *h, size_t len, const struct ik_log *log,
			      struct ik_kevent *ev)
{
	memset(ev, 0, sizeof(*ev));
	/* the header, and the length it announces, within what was received */
	if (len < sizeof(*h) || h->nlmsg_len < sizeof(*h) || h->nlmsg_len > len)
		return 0;
	if (h->nlmsg_type == XFRM_MSG_ACQUIRE) {
		struct nlattr *tb[XFRMA_MAX + 1];
		struct xfrm_user_acquire aq;
		struct xfrm_user_tmpl t;

		if (!nlmsg_valid_hdr(h, sizeof(aq))) {
			ik_msg(log, IK_LOG_WARNING, "kernel: XFRM acquire of %u bytes, "
			       "shorter than %zu: ignored", h->nlmsg_len, sizeof(aq));
			return 0;
		}
		/* copied out: netlink aligns to 4 bytes, these structures to 8 */
		memcpy(&aq, nlmsg_data(h), sizeof(aq));
		if (nlmsg_parse(h, sizeof(aq), tb, XFRMA_MAX, NULL) < 0 ||
		    !tb[XFRMA_TMPL] || nla_len(tb[XFRMA_TMPL]) < (int)sizeof(t))
			return 0;
		memcpy(&t, nla_data(tb[XFRMA_TMPL]), sizeof(t));
		if (!nl_reqid_owned(t.reqid) ||
		    (aq.sel.family != AF_INET && aq.sel.family != AF_INET6) ||
		    (t.family != AF_INET && t.family != AF_INET6))
			return 0;
		ev->type = IK_KEV_ACQUIRE;
		ev->reqid = t.reqid & ~IK_KERNEL_REQID_MASK;
		/* the outer addresses are of the template's family */
		ev->src = nl_xaddr_get(t.family, &aq.saddr);
		ev->dst = nl_xaddr_get(t.family, &aq.id.daddr);
		{
			int bits = aq.sel.family == AF_INET6 ? 128 : 32;
			struct ik_addr sa = nl_xaddr_get(aq.sel.family, &aq.sel.saddr);
			struct ik_addr da = nl_xaddr_get(aq.sel.family, &aq.sel.daddr);

			/* masked as the selector says, lengths bounded by the family */
			nl_sel_prefix(&ev->sel.src, &ev->sel.src_plen, &sa,
				      aq.sel.prefixlen_s > bits ? bits : aq.sel.prefixlen_s);
			nl_sel_prefix(&ev->sel.dst, &ev->sel.dst_plen, &da,
				      aq.sel.prefixlen_d > bits ? bits : aq.sel.prefixlen_d);
		}
		ev->sel.proto = aq.sel.proto;
		ev->sel.sport = ntohs(aq.sel.sport);
		ev->sel.dport = ntohs(aq.sel.dport);
		return 1;
	}
	if (h->nlmsg_type == XFRM_MSG_EXPIRE) {
		struct xfrm_user_expire ex;

		if (!nlmsg_valid_hdr(h, sizeof(ex))) {
			ik_msg(log, IK_LOG_WARNING, "kernel: XFRM expire of %u bytes, "
			       "shorter than %zu: ignored", h->nlmsg_len, sizeof(ex));
			return 0;
		}
		memcpy(&ex, nlmsg_data(h), sizeof(ex));
		if (!nl_reqid_owned(ex.state.reqid) || ex.state.id.proto != IPPROTO_ESP ||
		    (ex.state.family != AF_INET && ex.state.family != AF_INET6))
			return 0;
		ev->type = ex.hard ? IK_KEV_EXPIRE_HARD : IK_KEV_EXPIRE_SOFT;
		ev->reqid = ex.state.reqid & ~IK_KERNEL_REQID_MASK;
		ev->spi = ntohl(ex.state.id.spi);
		ev->src = nl_xaddr_get(ex.state.family, &ex.state.saddr);
		ev->dst = nl_xaddr_get(ex.state.family, &ex.state.id.daddr);
		return 1;
	}
	return 0;
}

static int nl_event_msg(struct nl_msg *msg, void *arg)
{
	struct ik_kernel_nl *k = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct ik_kevent ev;

	if (!ik_kernel_nl_event_decode(h, h->nlmsg_len, k->base.log, &ev))
		return NL_SKIP;
	if (k->ev_cb)
		k->ev_cb(k->ev_ctx, &ev);
	return NL_OK;
}

static int nl_event_fd(struct ik_kernel *kk)
{
	struct ik_kernel_nl *k = nl_of(kk);

	return k->es ? nl_socket_get_fd(k->es) : -1;
}

static int nl_event_read(struct ik_kernel *kk, void (*cb)(void *ctx, const struct ik_kevent *ev),
			 void *ctx)
{
	struct ik_kernel_nl *k = nl_of(kk);
	int err = 0;

	if (!k->es)
		return 0;
	k->ev_cb = cb;
	k->ev_ctx = ctx;
	for (int i = 0; i < 64; i++) { /* bounded: the rest waits for the next poll */
		err = nl_recvmsgs_default(k->es);
		if (err == -NLE_AGAIN) {
			err = 0;
			break;
		}
		if (err == -NLE_NOMEM) {
			ik_msg(kk->log, IK_LOG_WARNING,
			       "kernel: XFRM events lost (socket buffer full)");
			err = 0;
			continue;
		}
		if (err < 0) {
			ik_msg(kk->log, IK_LOG_ERR, "kernel: XFRM events: %s", nl_geterror(err));
			break;
		}
	}
	k->ev_cb = NULL;
	k->ev_ctx = NULL;
	return err < 0 ? -EIO : 0;
}

/* ---- life cycle ---- */

static int nl_shutdown(struct ik_kernel *kk)
{
	struct ik_kernel_nl *k = nl_of(kk);
	int err = 0, e;

	while (k->nchildren)
		if ((e = nl_child_remove(k, k->nchildren - 1)) && !err)
			err = e;
	while (k->ntunnels)
		if ((e = nl_tunnel_teardown(k, &k->tunnels[k->ntunnels - 1])) && !err)
			err = e;
	/* policies left (none, unless a caller mixed up its calls) */
	while (k->npols) {
		k->pols[k->npols - 1].refs = 1;
		if ((e = nl_policy_unref(k, &k->pols[k->npols - 1].key)) && !err)
			err = e;
	}
	if ((e = ik_mss_flush(kk->log)) && !err)
		err = e;
	return err;
}

static void nl_free(struct ik_kernel *kk)
{
	struct ik_kernel_nl *k = nl_of(kk);

	if (!kk)
		return;
	while (k->ntunnels)
		nl_tunnel_forget(k, &k->tunnels[k->ntunnels - 1]);
	free(k->tunnels);
	free(k->children);
	free(k->pols);
	ik_posidx_free(&k->tun_idx);
	ik_posidx_free(&k->child_idx);
	ik_posidx_free(&k->pol_idx);
	if (k->xs)
		nl_socket_free(k->xs);
	if (k->rs)
		nl_socket_free(k->rs);
	if (k->es)
		nl_socket_free(k->es);
	free(k);
}

static const struct ik_kernel_ops nl_ops = {
	.name = "netlink",
	.flush_owned = nl_flush_owned,
	.tunnel_up = nl_tunnel_up,
	.tunnel_down = nl_tunnel_down,
	.child_add = nl_child_add,
	.child_del = nl_child_del,
	.trap_add = nl_trap_add,
	.trap_del = nl_trap_del,
	.route_add = nl_rri_add,
	.route_del = nl_rri_del,
	.child_counters = nl_child_counters,
	.event_fd = nl_event_fd,
	.event_read = nl_event_read,
	.shutdown = nl_shutdown,
	.free = nl_free,
};

static struct nl_sock *nl_open(int proto, const char *what, struct ik_sb *err)
{
	struct nl_sock *sk = nl_socket_alloc();
	int e;

	if (!sk) {
		ik_sb_printf(err, "netlink %s socket: out of memory", what);
		return NULL;
	}
	if ((e = nl_connect(sk, proto)) < 0) {
		ik_sb_printf(err, "netlink %s socket: %s", what, nl_geterror(e));
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

struct ik_kernel *ik_kernel_netlink_new(const struct ik_log *log, struct ik_sb *err)
{
	struct ik_kernel_nl *k = calloc(1, sizeof(*k));
	int e;

	if (!k) {
		ik_sb_add(err, "kernel backend netlink: out of memory");
		return NULL;
	}
	k->base.ops = &nl_ops;
	k->base.log = log;
	ik_posidx_init(&k->pol_idx);
	ik_posidx_init(&k->child_idx);
	ik_posidx_init(&k->tun_idx);
	if (!(k->xs = nl_open(NETLINK_XFRM, "XFRM", err)) ||
	    !(k->rs = nl_open(NETLINK_ROUTE, "route", err)) ||
	    !(k->es = nl_open(NETLINK_XFRM, "XFRM event", err)))
		goto fail;
	nl_socket_disable_seq_check(k->es);
	nl_socket_disable_auto_ack(k->es);
	nl_socket_modify_cb(k->es, NL_CB_VALID, NL_CB_CUSTOM, nl_event_msg, k);
	if ((e = nl_socket_add_memberships(k->es, XFRMNLGRP_ACQUIRE, XFRMNLGRP_EXPIRE, 0)) < 0) {
		ik_sb_printf(err, "netlink XFRM events (acquire, expire): %s", nl_geterror(e));
		goto fail;
	}
	if ((e = nl_socket_set_nonblocking(k->es)) < 0) {
		ik_sb_printf(err, "netlink XFRM events: %s", nl_geterror(e));
		goto fail;
	}
	nl_socket_set_buffer_size(k->es, 1 << 20, 0);
	return &k->base;
fail:
	nl_free(&k->base);
	return NULL;
}
