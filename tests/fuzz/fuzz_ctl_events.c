/* Fuzz target: the control server's client event handling (src/daemon/
 * ctlsrv.c) on one end of a socket pair with small buffers, as the main loop
 * drives it: partial reads, requests split anywhere, pipelining, output
 * back-pressure, a peer that half-closes, the periodic check. The input is a
 * script of operations, each one byte followed by its operands:
 *   0: N, then N bytes: the peer writes them (as much as fits), EPOLLIN event;
 *   1: N: the peer reads up to N*64 bytes, EPOLLOUT event;
 *   2: N: the periodic check runs N seconds later than now;
 *   3: the peer shuts its writing side, EPOLLIN|EPOLLRDHUP event;
 *   4: N: the last bytes of operation 0 written again N*4 times, an EPOLLIN
 *      event after each (enough pipelining to pass the output mark);
 *   other values: an event with nothing new.
 * After each event, a live client that is neither over its output mark nor
 * closing must have read everything its socket held (edge-triggered epoll
 * gives no second notice). The daemon context is fuzz_ctl.c's (seed R1). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctl/proto.h"
#include "daemon/daemon.h"
#include "util/secmem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."
#endif

static struct ikd *ctx;

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
	o.workers = 1;
	o.threads = false;
	o.passive = true;
	o.quiet = true;
	ik_sb_init(&err);
	ctx = ikd_new(&o, &err);
	if (!ctx) {
		/* run from elsewhere: an empty configuration will do here */
		o.conf_path = NULL;
		o.config_text = "hostname R1\n";
		ik_sb_reset(&err);
		ctx = ikd_new(&o, &err);
	}
	if (!ctx) {
		fprintf(stderr, "fuzz_ctl_events: %s\n", ik_sb_str(&err));
		abort();
	}
	ik_sb_free(&err);
	ctx->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (ctx->epfd < 0)
		abort();
	return ctx;
}

static int alive(struct ikd *d, const struct ikd_client *c)
{
	for (const struct ikd_client *x = d->clients; x; x = x->next)
		if (x == c)
			return 1;
	return 0;
}

/* The edge-triggered invariant (see the comment on top). */
static void check_drained(struct ikd *d, struct ikd_client *c)
{
	size_t pending;
	int unread = 0;

	if (!alive(d, c) || c->closing || c->dead)
		return;
	pthread_mutex_lock(&d->out_mu);
	pending = c->out.len - c->outoff;
	pthread_mutex_unlock(&d->out_mu);
	if (pending > IKD_CLIENT_OUT_HIGH || c->inlen >= IK_CTL_HDR + IK_CTL_MAX_REQ)
		return;
	if (ioctl(c->fd, FIONREAD, &unread) == 0 && unread > 0) {
		fprintf(stderr, "fuzz_ctl_events: %d bytes left unread in the socket\n", unread);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ikd *d = ctx_get();
	struct ikd_client *c;
	int sv[2], buf = 4096;
	uint8_t sink[16384];
	size_t off = 0, last = 0, last_len = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv))
		return 0;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	c = ikd_ctl_client_add(d, sv[0]);
	if (!c) {
		close(sv[1]);
		return 0;
	}
	for (unsigned ops = 0; ops < 256 && off < size && alive(d, c); ops++) {
		uint8_t op = data[off++];
		size_t n = off < size ? data[off] : 0;

		switch (op) {
		case 0:
			off++;
			if (n > size - off)
				n = size - off;
			if (n && send(sv[1], data + off, n, MSG_NOSIGNAL) < 0) {
				/* full: the client's back-pressure at work */
			}
			last = off;
			last_len = n;
			off += n;
			ikd_ctl_client_event(d, c, EPOLLIN);
			break;
		case 1:
			off++;
			for (size_t want = n * 64; want > 0;) {
				ssize_t r = read(sv[1], sink, want < sizeof(sink) ? want : sizeof(sink));

				if (r <= 0)
					break;
				want -= (size_t)r;
			}
			ikd_ctl_client_event(d, c, EPOLLOUT);
			break;
		case 2:
			off++;
			ikd_ctl_tick(d, ikd_now_ms() + n * 1000);
			break;
		case 3:
			shutdown(sv[1], SHUT_WR);
			ikd_ctl_client_event(d, c, EPOLLIN | EPOLLRDHUP);
			break;
		case 4:
			off++;
			for (size_t k = 0; k < n * 4 && last_len && alive(d, c); k++) {
				if (send(sv[1], data + last, last_len, MSG_NOSIGNAL) < 0) {
					/* full */
				}
				ikd_ctl_client_event(d, c, EPOLLIN);
			}
			break;
		default:
			ikd_ctl_client_event(d, c, EPOLLIN | EPOLLOUT);
			break;
		}
		check_drained(d, c);
	}
	close(sv[1]);
	if (alive(d, c))
		ikd_ctl_client_event(d, c, EPOLLIN | EPOLLHUP);
	if (alive(d, c))
		abort(); /* a hung-up client must go */
	return 0;
}
