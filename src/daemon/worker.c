/* A worker: one IKE engine, its UDP sockets on ports 500 and 4500 (one pair
 * per front-door VRF), and the thread that runs them.
 *
 * With several workers every one binds the same ports with SO_REUSEPORT and a
 * classic BPF program picks the socket of a datagram by its source address
 * modulo the number of workers, so that a peer always reaches the same engine
 * on both ports, even when a NAT changes its source port.
 */
#include "daemon/daemon.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/udp.h>
#include <malloc.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ike/natt_frame.h"
#include "util/addr.h"
#include "util/util.h"

#ifndef UDP_ENCAP_ESPINUDP
#define UDP_ENCAP_ESPINUDP 2
#endif
#ifndef SO_ATTACH_REUSEPORT_CBPF
#define SO_ATTACH_REUSEPORT_CBPF 51
#endif

#define WORKER_EV_TASK 1u
#define RX_BUF 65536

static const uint16_t ports[2] = { 500, 4500 };

/* ---- engine host callbacks ---- */

static uint64_t host_now_ms(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The wall clock, for certificate validity dates. */
static time_t host_wall_time(void *ctx)
{
	(void)ctx;
	return time(NULL);
}

static void host_random(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	randombytes_buf(buf, len);
}

static const struct ikd_sockset *sockset_for(const struct ikd_worker *w, const char *fvrf)
{
	for (size_t i = 0; i < w->nsocks; i++)
		if ((!fvrf && !w->socks[i].vrf) ||
		    (fvrf && w->socks[i].vrf && !strcmp(fvrf, w->socks[i].vrf)))
			return &w->socks[i];
	return NULL;
}

/* The source address of a reply: IP_PKTINFO (IPv4) or IPV6_PKTINFO control
 * data naming local's address, so that a reply leaves from the address the
 * request arrived on. Returns the control length (0: local not known). */
static size_t send_pktinfo(const struct ik_endpoint *local, void *buf, size_t cap,
			   struct msghdr *mh)
{
	struct cmsghdr *c;

	if (ik_addr_is_any(&local->ip))
		return 0;
	memset(buf, 0, cap);
	mh->msg_control = buf;
	mh->msg_controllen = cap;
	c = CMSG_FIRSTHDR(mh);
	if (local->family == IK_AF_INET6) {
		struct in6_pktinfo pi;

		memset(&pi, 0, sizeof(pi));
		memcpy(&pi.ipi6_addr, local->addr6, 16);
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		mh->msg_controllen = CMSG_SPACE(sizeof(pi));
	} else {
		struct in_pktinfo pi;

		memset(&pi, 0, sizeof(pi));
		pi.ipi_spec_dst.s_addr = htonl(local->addr);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		mh->msg_controllen = CMSG_SPACE(sizeof(pi));
	}
	return mh->msg_controllen;
}

static void host_send(void *ctx, const struct ik_endpoint *local, const struct ik_endpoint *remote,
		      const char *fvrf, const uint8_t *msg, size_t len)
{
	struct ikd_worker *w = ctx;
	const struct ikd_sockset *ss = sockset_for(w, fvrf);
	bool v6 = remote->family == IK_AF_INET6;
	struct sockaddr_storage to;
	struct iovec iov;
	struct msghdr mh;
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} cm;
	char ra[IK_ADDR_ANYSTRLEN];
	int fd;

	if (!ss) {
		if (w->threaded)
			ik_msg(&w->log, IK_LOG_ERR, "%%IKERD-3-SEND: no socket for fVRF %s: "
			       "datagram to %s dropped", fvrf ? fvrf : "global",
			       ik_addr_fmt_ios(&remote->ip, ra));
		return;
	}
	fd = ss->fd[(v6 ? 2 : 0) + (local->port == 4500 ? 1 : 0)];
	if (fd < 0) {
		if (v6 && w->threaded)
			ik_msg(&w->log, IK_LOG_ERR, "%%IKERD-3-SEND: no IPv6 socket: datagram "
			       "to %s dropped", ik_addr_fmt_ios(&remote->ip, ra));
		return;
	}
	memset(&to, 0, sizeof(to));
	if (v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&to;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, remote->addr6, 16);
		s6->sin6_port = htons(remote->port);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&to;

		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(remote->addr);
		s4->sin_port = htons(remote->port);
	}
	iov.iov_base = (void *)(uintptr_t)msg;
	iov.iov_len = len;
	memset(&mh, 0, sizeof(mh));
	mh.msg_name = &to;
	mh.msg_namelen = v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	/* a local address of the other family (not known yet) is left out */
	if (local->family == remote->family)
		send_pktinfo(local, cm.buf, sizeof(cm.buf), &mh);
	if (sendmsg(fd, &mh, MSG_DONTWAIT) < 0) {
		char la[IK_ADDR_ANYSTRLEN];

		ik_msg(&w->log, IK_LOG_ERR, "%%IKERD-3-SEND: %s:%u -> %s:%u (%zu bytes): %s",
		       ik_addr_fmt_ios(&local->ip, la), local->port,
		       ik_addr_fmt_ios(&remote->ip, ra), remote->port, len, strerror(errno));
		return;
	}
	w->tx++;
}

/* tunnel source IFNAME naming an interface of the host, not of the
 * configuration: its address when a tunnel initiates. */
static int host_resolve_ifaddr(void *ctx, const char *ifname, uint32_t *addr)
{
	(void)ctx;
	*addr = ikd_ifaddr4(ifname);
	return *addr ? 0 : -1;
}

static int host_resolve_ifaddr6(void *ctx, const char *ifname, uint8_t addr[16])
{
	(void)ctx;
	return ikd_ifaddr6(ifname, addr) ? 0 : -1;
}

static int host_child_up(void *ctx, const struct ik_child_sa *c)
{
	struct ikd_worker *w = ctx;
	struct ik_kernel *k = w->d->kernel;
	int rc;

	pthread_mutex_lock(&w->d->kmu);
	rc = k->ops->child_add(k, c);
	if (!rc && c->cmap)
		ikd_cmap_child(w->d, c, true);
	pthread_mutex_unlock(&w->d->kmu);
	if (!rc) {
		w->sa_events++;
		ikd_keylog_child(w->d, c);
	}
	return rc;
}

static bool host_owns_peer(void *ctx, const struct ik_addr *peer)
{
	struct ikd_worker *w = ctx;

	return ikd_worker_for(w->d, ik_addr_shard(peer)) == w;
}

/* A crypto map failover to a peer another worker serves: queued there, and
 * that worker woken (it starts the exchange on its own thread). */
static int host_handoff(void *ctx, const struct ik_cmap_handoff *h)
{
	struct ikd_worker *w = ctx;
	struct ikd_worker *to = ikd_worker_for(w->d, ik_addr_shard(&h->peer));
	uint64_t one = 1;
	int rc = -1;

	if (to == w || !to->threaded)
		return -1;
	pthread_mutex_lock(&to->mu);
	if (to->nhandoffs < IKD_MAX_HANDOFF) {
		to->handoffs[to->nhandoffs++] = *h;
		rc = 0;
	}
	pthread_mutex_unlock(&to->mu);
	if (rc == 0)
		while (write(to->evfd, &one, sizeof(one)) < 0 && errno == EINTR)
			;
	return rc;
}

static void host_p1_keys(void *ctx, const uint8_t cky_i[8], const uint8_t *key, size_t len)
{
	struct ikd_worker *w = ctx;

	w->sa_events++;
	ikd_keylog_p1(w->d, cky_i, key, len);
}

static void host_child_down(void *ctx, const struct ik_child_sa *c)
{
	struct ikd_worker *w = ctx;
	struct ik_kernel *k = w->d->kernel;

	pthread_mutex_lock(&w->d->kmu);
	if (c->cmap)
		ikd_cmap_child(w->d, c, false);
	k->ops->child_del(k, c);
	pthread_mutex_unlock(&w->d->kmu);
	w->sa_events++;
}

static int host_child_counters(void *ctx, const struct ik_child_sa *c, struct ik_sa_counters *in,
			       struct ik_sa_counters *out)
{
	struct ikd_worker *w = ctx;
	struct ik_kernel *k = w->d->kernel;
	int rc;

	pthread_mutex_lock(&w->d->kmu);
	rc = k->ops->child_counters(k, c, in, out);
	pthread_mutex_unlock(&w->d->kmu);
	return rc;
}

/* ---- sockets ---- */

/* ld [src address]; A %= n; return A: the index of the socket in the group.
 * IPv4: the source address (offset 12 of the header); IPv6: the last four
 * bytes of the source address (offset 8 + 12), as ik_addr_shard reads them. */
static int attach_bpf(int fd, unsigned n, bool v6)
{
	struct sock_filter code[] = {
		{ BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)(SKF_NET_OFF + (v6 ? 20 : 12)) },
		{ BPF_ALU | BPF_MOD | BPF_K, 0, 0, n },
		{ BPF_RET | BPF_A, 0, 0, 0 },
	};
	struct sock_fprog prog = { (unsigned short)IK_ARRAY_LEN(code), code };

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog, sizeof(prog));
}

/* Fails when a process that is not one of our workers holds the port: a
 * socket without SO_REUSEPORT cannot bind then. Only the first worker checks,
 * before any socket of ours exists. */
static int port_free(uint16_t port, struct ik_sb *err)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = 0;

	if (fd < 0)
		return 0;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) && errno == EADDRINUSE) {
		ik_sb_printf(err, "UDP port %u is in use by another program (is another ikerd "
			     "or IKE daemon running?)\n", port);
		rc = -1;
	}
	close(fd);
	return rc;
}

/* The receive buffer of an IKE socket: room for a burst of first messages as
 * large as the configured half-open limit (the larger of crypto call
 * admission limit ike in-negotiation-sa and crypto ikev2 limit
 * max-in-negotiation-sa, 1000 when neither is set), at 2 KiB of kernel
 * memory each (the datagram and its buffer head), between 256 KiB and
 * 64 MiB. SO_RCVBUFFORCE passes the system's rmem_max when ikerd has
 * CAP_NET_ADMIN; SO_RCVBUF (bounded by rmem_max) is the fallback. */
int ikd_rcvbuf_bytes(const struct ik_config *cfg)
{
	unsigned lim = cfg->max_in_negotiation > cfg->v2_max_in_negotiation ?
		cfg->max_in_negotiation : cfg->v2_max_in_negotiation;
	uint64_t b = (uint64_t)(lim ? lim : 1000) * 2048;

	if (b < 256 * 1024)
		b = 256 * 1024;
	if (b > 64 * 1024 * 1024)
		b = 64 * 1024 * 1024;
	return (int)b;
}

static void sock_rcvbuf(struct ikd_worker *w, int fd, int bytes)
{
	/* the kernel doubles what it is given (bookkeeping overhead) */
	int v = bytes / 2;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) == 0)
		return;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)))
		ik_msg(&w->log, IK_LOG_WARNING, "%%IKERD-4-RCVBUF: cannot size a socket's "
		       "receive buffer to %d bytes: %s", bytes, strerror(errno));
}

/* One UDP socket on port, IPv4 or IPv6. An IPv6 socket is IPV6_V6ONLY (the
 * IPv4 one serves IPv4) and reports the local address of each datagram
 * (IPV6_RECVPKTINFO) as the IPv4 one does (IP_PKTINFO). Returns the
 * descriptor, -1 with err set, or -2 when this system has no IPv6 (the
 * daemon then runs IPv4 only). */
static int sock_open(struct ikd_worker *w, const char *vrf, uint16_t port, bool v6,
		     struct ik_sb *err)
{
	struct sockaddr_storage sa;
	const char *fam = v6 ? " (IPv6)" : "";
	int one = 1, fd;

	fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		if (v6 && errno == EAFNOSUPPORT)
			return -2;
		ik_sb_printf(err, "socket%s: %s\n", fam, strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one)) ||
	    (!v6 && setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one))) ||
	    (v6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one))) ||
	    (v6 && setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)))) {
		ik_sb_printf(err, "UDP port %u%s: setsockopt: %s\n", port, fam, strerror(errno));
		goto fail;
	}
	if (vrf && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, vrf, (socklen_t)strlen(vrf) + 1)) {
		ik_sb_printf(err, "UDP port %u%s: cannot bind to the device of VRF %s: %s\n", port,
			     fam, vrf, strerror(errno));
		goto fail;
	}
	memset(&sa, 0, sizeof(sa));
	if (v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&sa;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_any;
		s6->sin6_port = htons(port);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&sa;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
	}
	if (bind(fd, (struct sockaddr *)&sa,
		 v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in))) {
		/* IPv6 switched off (ipv6.disable=1 or disable_ipv6 on every
		 * interface): IPv4 only */
		if (v6 && errno == EADDRNOTAVAIL) {
			close(fd);
			return -2;
		}
		ik_sb_printf(err, "cannot bind UDP port %u%s%s%s: %s\n", port, fam,
			     vrf ? " in VRF " : "", vrf ? vrf : "", strerror(errno));
		goto fail;
	}
	if (port == 4500) {
		int encap = UDP_ENCAP_ESPINUDP;

		if (setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &encap, sizeof(encap)))
			ik_msg(&w->log, IK_LOG_WARNING, "%%IKERD-4-NATT: UDP port 4500%s: the "
			       "kernel refuses ESP-in-UDP decapsulation (%s); NAT-T data "
			       "traffic will not flow", fam, strerror(errno));
	}
	sock_rcvbuf(w, fd, ikd_rcvbuf_bytes(w->d->cfg));
	if (w->d->nworkers > 1 && attach_bpf(fd, w->d->nworkers, v6)) {
		ik_sb_printf(err, "UDP port %u%s: cannot attach the worker-selecting BPF "
			     "program: %s\n", port, fam, strerror(errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

static int sockset_open(struct ikd_worker *w, const char *vrf, struct ik_sb *err)
{
	struct ikd_sockset *ss;
	struct epoll_event ev;

	/* the global pair is opened first; a VRF's probe would collide with it */
	if (w->idx == 0 && !vrf && (port_free(500, err) || port_free(4500, err)))
		return -1;
	ss = IK_VEC_PUSH(w->socks, w->nsocks, w->socks_cap);
	ss->vrf = vrf ? ik_xstrdup(vrf) : NULL;
	for (int i = 0; i < 4; i++)
		ss->fd[i] = -1;
	for (int i = 0; i < 4; i++) {
		ss->fd[i] = sock_open(w, vrf, ports[i & 1], i >= 2, err);
		if (ss->fd[i] == -2) {
			ss->fd[i] = -1;
			if (w->idx == 0 && !vrf && i == 2)
				ik_msg(&w->log, IK_LOG_WARNING, "%%IKERD-4-IPV6: this system "
				       "has no IPv6: IKE over IPv6 is off");
			continue;
		}
		if (ss->fd[i] < 0)
			return -1;
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		ev.data.u64 = ((uint64_t)(w->nsocks - 1) << 2 | (uint64_t)i) + 2;
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, ss->fd[i], &ev)) {
			ik_sb_printf(err, "epoll: %s\n", strerror(errno));
			return -1;
		}
	}
	return 0;
}

static bool has_vrf(const struct ikd_worker *w, const char *vrf)
{
	for (size_t i = 0; i < w->nsocks; i++)
		if (w->socks[i].vrf && !strcmp(w->socks[i].vrf, vrf))
			return true;
	return false;
}

/* Every front-door VRF the configuration names: tunnel vrf, keyring vrf,
 * match identity ... FVRF. */
static void cfg_vrfs_each(const struct ik_config *cfg, void (*fn)(void *ctx, const char *vrf),
			  void *ctx)
{
	for (size_t i = 0; i < cfg->nifaces; i++)
		if (cfg->ifaces[i]->tunnel_vrf)
			fn(ctx, cfg->ifaces[i]->tunnel_vrf);
	for (size_t i = 0; i < cfg->nkeyrings; i++)
		if (cfg->keyrings[i]->vrf)
			fn(ctx, cfg->keyrings[i]->vrf);
	for (size_t i = 0; i < cfg->nprofiles; i++)
		for (size_t k = 0; k < cfg->profiles[i]->nmatches; k++)
			if (cfg->profiles[i]->matches[k].vrf)
				fn(ctx, cfg->profiles[i]->matches[k].vrf);
}

static void vrf_open_cb(void *ctx, const char *vrf)
{
	struct ikd_worker *w = ctx;
	struct ik_sb err;

	if (has_vrf(w, vrf))
		return;
	ik_sb_init(&err);
	if (sockset_open(w, vrf, &err)) {
		struct ikd_sockset *ss = &w->socks[w->nsocks - 1];

		/* drop the slot (always the last one): the next reload tries
		 * again, in case the VRF device exists by then */
		for (int i = 0; i < 4; i++)
			if (ss->fd[i] >= 0) {
				epoll_ctl(w->epfd, EPOLL_CTL_DEL, ss->fd[i], NULL);
				close(ss->fd[i]);
			}
		free(ss->vrf);
		w->nsocks--;
		if (err.len && err.s[err.len - 1] == '\n')
			err.s[--err.len] = '\0';
		/* every worker fails alike: one message is enough */
		if (w->idx == 0)
			ik_msg(&w->log, IK_LOG_ERR, "%%IKERD-3-VRF: fVRF %s: %s", vrf,
			       ik_sb_str(&err));
	}
	ik_sb_free(&err);
}

void ikd_worker_sockets_sync(struct ikd_worker *w, const struct ik_config *cfg)
{
	cfg_vrfs_each(cfg, vrf_open_cb, w);
	/* a reload may change the half-open limit */
	for (size_t i = 0; i < w->nsocks; i++)
		for (int k = 0; k < 4; k++)
			if (w->socks[i].fd[k] >= 0)
				sock_rcvbuf(w, w->socks[i].fd[k], ikd_rcvbuf_bytes(cfg));
}

/* ---- the worker's loop ---- */

/* The peer's address of a datagram (IPv4 or IPv6 socket address). */
static struct ik_endpoint from_endpoint(const struct sockaddr_storage *from)
{
	if (from->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)from;
		struct ik_addr a = { .family = IK_AF_INET6 };

		memcpy(a.v6, &s6->sin6_addr, 16);
		return ik_ep(&a, ntohs(s6->sin6_port));
	}
	return ik_ep_v4(ntohl(((const struct sockaddr_in *)from)->sin_addr.s_addr),
			ntohs(((const struct sockaddr_in *)from)->sin_port));
}

static void sock_read(struct ikd_worker *w, struct ikd_sockset *ss, int which)
{
	static __thread uint8_t buf[RX_BUF];
	bool v6 = which >= 2;

	for (int n = 0; n < 64; n++) {
		struct sockaddr_storage from;
		struct iovec iov = { buf, sizeof(buf) };
		union {
			char b[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
			       CMSG_SPACE(sizeof(uint32_t))];
			struct cmsghdr align;
		} cm;
		struct msghdr mh;
		struct ik_endpoint local = ik_ep_v4(0, ports[which & 1]), remote;
		struct ik_natt_frame fr;
		ssize_t len;

		if (v6)
			local.family = IK_AF_INET6;
		memset(&mh, 0, sizeof(mh));
		memset(&from, 0, sizeof(from));
		mh.msg_name = &from;
		mh.msg_namelen = sizeof(from);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cm.b;
		mh.msg_controllen = sizeof(cm.b);
		len = recvmsg(ss->fd[which], &mh, MSG_DONTWAIT);
		if (len < 0)
			return;
		w->rx++;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
				struct in_pktinfo pi;

				memcpy(&pi, CMSG_DATA(c), sizeof(pi));
				local.addr = ntohl(pi.ipi_addr.s_addr);
			} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
				struct in6_pktinfo pi;

				memcpy(&pi, CMSG_DATA(c), sizeof(pi));
				memcpy(local.addr6, &pi.ipi6_addr, 16);
			} else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
				uint32_t drops;

				/* the socket's running count: add what is new */
				memcpy(&drops, CMSG_DATA(c), sizeof(drops));
				w->rx_overflow += (uint32_t)(drops - ss->ovfl[which]);
				ss->ovfl[which] = drops;
			}
		}
		if (from.ss_family != (v6 ? AF_INET6 : AF_INET)) {
			w->rx_dropped++;
			continue;
		}
		remote = from_endpoint(&from);
		if (ik_natt_frame_parse(buf, (size_t)len, local.port, &fr) != IK_NATT_IKE) {
			char ra[IK_ADDR_ANYSTRLEN];

			if (fr.kind == IK_NATT_KEEPALIVE)
				continue;
			w->rx_dropped++;
			ik_log_scope_addr(&w->log, &remote.ip);
			ik_dbg(&w->log, IK_DBG_ISAKMP, "ISAKMP: datagram of %zd bytes from %s:%u on "
			       "port %u: %s, dropped", len, ik_addr_fmt_ios(&remote.ip, ra),
			       remote.port, local.port, fr.why);
			continue;
		}
		ik_engine_input(w->eng, &local, &remote, ss->vrf, fr.ike, fr.ike_len);
	}
}

static void task_take(struct ikd_worker *w)
{
	static __thread struct ik_cmap_handoff hs[IKD_MAX_HANDOFF];
	struct ikd_task *t;
	uint64_t v;
	unsigned n;

	while (read(w->evfd, &v, sizeof(v)) < 0 && errno == EINTR)
		;
	pthread_mutex_lock(&w->mu);
	t = w->task;
	w->task = NULL;
	n = w->nhandoffs;
	memcpy(hs, w->handoffs, n * sizeof(hs[0]));
	w->nhandoffs = 0;
	pthread_mutex_unlock(&w->mu);
	for (unsigned i = 0; i < n; i++)
		(void)ik_engine_cmap_handoff(w->eng, &hs[i]);
	if (!t)
		return;
	t->fn(w, t->arg);
	pthread_mutex_lock(&w->mu);
	t->done = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

/* After many SAs went (half-open ones expiring after a flood), give the freed
 * heap back to the system: malloc keeps it otherwise, and pages between
 * blocks still in use stay resident until malloc_trim returns them. Looked
 * at every 5 s while the count has been TRIM_MIN or more since the last trim
 * (the loop wakes up for it); the engine's counts cost nothing. The heap is
 * trimmed once the count has fallen from its highest value since the last
 * trim by TRIM_DROP SAs, or by TRIM_MIN and at least as many as remain:
 * the last expiries of a flood are trimmed too, however they fall across
 * the 5 s looks, and a trim runs at most once per look, not per SA. */
#define TRIM_EVERY_MS 5000
#define TRIM_DROP 1000
#define TRIM_MIN 64

static bool trim_watching(const struct ikd_worker *w)
{
	return w->trim_peak >= TRIM_MIN;
}

static void trim_after_drop(struct ikd_worker *w)
{
	uint64_t now = host_now_ms(NULL), fell;
	struct ik_engine_stats st;
	uint64_t n;

	if (now - w->trim_check_ms < TRIM_EVERY_MS)
		return;
	w->trim_check_ms = now;
	ik_engine_stats(w->eng, &st);
	n = (uint64_t)st.isakmp_sas + st.child_sas;
	if (n > w->trim_peak)
		w->trim_peak = n;
	fell = w->trim_peak - n;
	if (fell >= TRIM_DROP || (fell >= TRIM_MIN && fell >= n)) {
		malloc_trim(0);
		w->trim_peak = n;
	}
}

static void *worker_main(void *arg)
{
	struct ikd_worker *w = arg;
	struct epoll_event evs[16];

	while (!w->stop) {
		uint64_t next = ik_engine_next_timer(w->eng), now = host_now_ms(NULL);
		int timeout = -1, n;

		if (next != UINT64_MAX)
			timeout = next <= now ? 0 : next - now > 60000 ? 60000 : (int)(next - now);
		if (trim_watching(w) && (timeout < 0 || timeout > TRIM_EVERY_MS))
			timeout = TRIM_EVERY_MS;
		n = epoll_wait(w->epfd, evs, (int)IK_ARRAY_LEN(evs), timeout);
		for (int i = 0; i < n; i++) {
			uint64_t tag = evs[i].data.u64;

			if (tag == WORKER_EV_TASK) {
				task_take(w);
			} else {
				size_t s = (size_t)((tag - 2) >> 2);

				if (s < w->nsocks)
					sock_read(w, &w->socks[s], (int)((tag - 2) & 3));
			}
		}
		if (ik_engine_next_timer(w->eng) <= host_now_ms(NULL))
			ik_engine_run_timers(w->eng);
		trim_after_drop(w);
	}
	return NULL;
}

int ikd_worker_start(struct ikd *d, struct ikd_worker *w, struct ik_sb *err)
{
	static const struct ik_engine_host host_tmpl = {
		.now_ms = host_now_ms,
		.random = host_random,
		.send = host_send,
		.child_up = host_child_up,
		.child_down = host_child_down,
		.child_counters = host_child_counters,
		.p1_keys = host_p1_keys,
		.wall_time = host_wall_time,
		.owns_peer = host_owns_peer,
		.handoff = host_handoff,
		.resolve_ifaddr = host_resolve_ifaddr,
		.resolve_ifaddr6 = host_resolve_ifaddr6,
	};
	struct ik_engine_host host = host_tmpl;
	struct ik_engine_opts eo;
	struct epoll_event ev;

	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->log = d->log;
	w->cond = d->cond;
	w->log.cond = &w->cond;
	host.ctx = w;
	memset(&eo, 0, sizeof(eo));
	eo.passive = d->opts.passive;
	eo.retransmit_max = d->opts.retransmit_max;
	eo.first_conn_id = IKD_CONN_ID_BASE + w->idx * IKD_CONN_ID_STRIDE;
	w->eng = ik_engine_new(d->cfg, &host, &w->log, &eo);
	if (!w->eng) {
		ik_sb_printf(err, "cannot create the IKE engine of worker %u\n", w->idx);
		return -1;
	}
	if (!w->threaded)
		return 0;
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	w->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->epfd < 0 || w->evfd < 0) {
		ik_sb_printf(err, "worker %u: epoll/eventfd: %s\n", w->idx, strerror(errno));
		goto fail;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = WORKER_EV_TASK;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->evfd, &ev) || sockset_open(w, NULL, err))
		goto fail;
	ikd_worker_sockets_sync(w, d->cfg);
	if (pthread_create(&w->thr, NULL, worker_main, w)) {
		ik_sb_printf(err, "worker %u: cannot start its thread\n", w->idx);
		goto fail;
	}
	return 0;
fail:
	w->threaded = false;
	ikd_worker_stop(w);
	return -1;
}

static void task_stop(struct ikd_worker *w, void *arg)
{
	(void)arg;
	w->stop = true;
}

/* On exit, every SA is deleted as by "clear crypto session": the peers are
 * told (DELETE notifications) and the kernel SAs removed, before the engine
 * and its sockets go. */
static void task_clear_all(struct ikd_worker *w, void *arg)
{
	(void)arg;
	ik_engine_clear(w->eng, IK_CLEAR_SESSION, 0, 0);
}

void ikd_worker_stop(struct ikd_worker *w)
{
	if (w->eng)
		ikd_worker_run(w, task_clear_all, NULL);
	if (w->threaded) {
		ikd_worker_run(w, task_stop, NULL);
		pthread_join(w->thr, NULL);
		w->threaded = false;
	}
	if (w->eng)
		ik_engine_free(w->eng);
	w->eng = NULL;
	for (size_t i = 0; i < w->nsocks; i++) {
		for (int k = 0; k < 4; k++)
			if (w->socks[i].fd[k] >= 0)
				close(w->socks[i].fd[k]);
		free(w->socks[i].vrf);
	}
	free(w->socks);
	w->socks = NULL;
	w->nsocks = w->socks_cap = 0;
	if (w->evfd >= 0)
		close(w->evfd);
	if (w->epfd >= 0)
		close(w->epfd);
	w->evfd = w->epfd = -1;
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
}
