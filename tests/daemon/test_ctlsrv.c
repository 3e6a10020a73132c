/* The control server's client handling (src/daemon/ctlsrv.c) on socket pairs:
 * requests split at every byte, pipelined requests with output back-pressure
 * (bounded buffering, nothing lost), a client that never reads dropped, and
 * accept() at the descriptor limit without a spinning listening socket. */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl/proto.h"
#include "daemon/daemon.h"
#include "util/secmem.h"

static struct ikd *d;

static void setup(void)
{
	struct ikd_opts o;
	struct ik_sb err;

	ck_assert_int_eq(ik_secmem_init(), 0);
	memset(&o, 0, sizeof(o));
	o.conf_path = TOP_SRCDIR "/etc/examples/seed-r1.conf";
	o.kernel = "none";
	o.workers = 1;
	o.threads = false;
	o.passive = true;
	o.quiet = true;
	ik_sb_init(&err);
	d = ikd_new(&o, &err);
	ck_assert_msg(d != NULL, "%s", ik_sb_str(&err));
	ik_sb_free(&err);
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	ck_assert_int_ge(d->epfd, 0);
}

static void teardown(void)
{
	ikd_ctl_close(d, NULL);
	close(d->epfd);
	ikd_free(d);
	d = NULL;
}

/* A client on one end of a socket pair; *peer gets the other end. */
static struct ikd_client *client_new(int *peer, int sndbuf)
{
	int sv[2];
	struct ikd_client *c;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	if (sndbuf) {
		setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
		setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &sndbuf, sizeof(sndbuf));
	}
	c = ikd_ctl_client_add(d, sv[0]);
	ck_assert_ptr_nonnull(c);
	*peer = sv[1];
	return c;
}

static bool client_alive(const struct ikd_client *c)
{
	for (const struct ikd_client *x = d->clients; x; x = x->next)
		if (x == c)
			return true;
	return false;
}

/* Reads what the peer end has; returns the byte count (appended to sb). */
static size_t drain(int fd, struct ik_sb *sb)
{
	char buf[65536];
	size_t tot = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (sb)
			ik_sb_addn(sb, buf, (size_t)n);
		tot += (size_t)n;
	}
	return tot;
}

/* Number of whole answer frames in buf, with the status of the first. */
static unsigned frames(const struct ik_sb *sb, int *first_status)
{
	const uint8_t *p = (const uint8_t *)sb->s;
	size_t off = 0;
	unsigned n = 0;

	while (sb->len - off >= IK_CTL_HDR + 1) {
		size_t len = (size_t)p[off] << 24 | (size_t)p[off + 1] << 16 |
			     (size_t)p[off + 2] << 8 | p[off + 3];

		if (len > sb->len - off - IK_CTL_HDR)
			break;
		if (n == 0 && first_status)
			*first_status = p[off + IK_CTL_HDR];
		off += IK_CTL_HDR + len;
		n++;
	}
	return n;
}

START_TEST(request_split_at_every_byte)
{
	struct ik_sb req, whole, got;
	int peer;
	struct ikd_client *c = client_new(&peer, 0);

	ik_sb_init(&req);
	ik_sb_init(&whole);
	ik_ctl_request_encode(&req, false, "show crypto isakmp key");
	ck_assert_int_eq(write(peer, req.s, req.len), (ssize_t)req.len);
	ikd_ctl_client_event(d, c, EPOLLIN);
	drain(peer, &whole);
	ck_assert_uint_eq(frames(&whole, NULL), 1);
	ck_assert_ptr_nonnull(strstr(whole.s + IK_CTL_HDR + 1, "keyring1"));
	for (size_t k = 0; k <= req.len; k++) {
		ik_sb_init(&got);
		/* the first k bytes, an event, then the rest a byte at a time */
		if (k && write(peer, req.s, k) != (ssize_t)k)
			ck_abort();
		ikd_ctl_client_event(d, c, EPOLLIN);
		ck_assert_uint_eq(drain(peer, &got), k == req.len ? whole.len : 0);
		for (size_t i = k; i < req.len; i++) {
			if (write(peer, req.s + i, 1) != 1)
				ck_abort();
			ikd_ctl_client_event(d, c, EPOLLIN);
		}
		drain(peer, &got);
		ck_assert_uint_eq(got.len, whole.len);
		ck_assert(!memcmp(got.s, whole.s, whole.len));
		ik_sb_free(&got);
	}
	ck_assert(client_alive(c));
	close(peer);
	ikd_ctl_client_event(d, c, EPOLLIN | EPOLLRDHUP);
	ck_assert(!client_alive(c));
	ik_sb_free(&req);
	ik_sb_free(&whole);
}
END_TEST

/* A client pipelines requests and reads nothing: the daemon holds at most
 * the high mark plus one answer, leaves the rest of the requests in the
 * socket, and answers every one once the client reads. */
START_TEST(pipelined_back_pressure)
{
	struct ik_sb req, one, got;
	unsigned sent = 0, answered;
	size_t max_pending = 0, answer_len;
	int peer;
	struct ikd_client *c = client_new(&peer, 16384);

	ik_sb_init(&req);
	ik_sb_init(&one);
	ik_ctl_request_encode(&req, false, "show running-config");
	/* the size of one answer */
	ck_assert_int_eq(write(peer, req.s, req.len), (ssize_t)req.len);
	ikd_ctl_client_event(d, c, EPOLLIN);
	answer_len = drain(peer, &one);
	ck_assert_uint_gt(answer_len, 100);
	for (int round = 0; round < 4000; round++) {
		ssize_t n = write(peer, req.s, req.len);

		if (n == (ssize_t)req.len)
			sent++;
		else
			ck_assert_int_lt(n, 0); /* the frame is small: all or nothing */
		ikd_ctl_client_event(d, c, EPOLLIN);
		if (c->out.len - c->outoff > max_pending)
			max_pending = c->out.len - c->outoff;
		if (n < 0)
			break;
	}
	/* the requests stopped being read: the client's socket is full */
	ck_assert_uint_lt(sent, 4000);
	ck_assert_uint_gt(max_pending, IKD_CLIENT_OUT_HIGH);
	ck_assert_uint_le(max_pending, IKD_CLIENT_OUT_HIGH + answer_len + IK_CTL_HDR + 1);
	/* now the client reads: every request gets its answer */
	ik_sb_init(&got);
	for (int round = 0; round < 100000 && frames(&got, NULL) < sent; round++) {
		drain(peer, &got);
		ikd_ctl_client_event(d, c, EPOLLOUT);
	}
	drain(peer, &got);
	ck_assert_uint_eq(frames(&got, NULL), sent);
	answered = sent;
	ck_assert_uint_eq(got.len, (size_t)answered * answer_len);
	ck_assert(client_alive(c));
	ik_sb_free(&got);
	ik_sb_free(&one);
	ik_sb_free(&req);
	close(peer);
}
END_TEST

/* A client that reads while it keeps asking (its buffer never empties): what
 * the daemon holds follows what is pending, not what was ever sent. */
START_TEST(steady_pipeline_bounded)
{
	struct ik_sb req, one;
	size_t answer_len, max_len = 0, got = 0;
	unsigned sent = 0;
	int peer;
	struct ikd_client *c = client_new(&peer, 16384);

	ik_sb_init(&req);
	ik_sb_init(&one);
	ik_ctl_request_encode(&req, false, "show running-config");
	ck_assert_int_eq(write(peer, req.s, req.len), (ssize_t)req.len);
	ikd_ctl_client_event(d, c, EPOLLIN);
	answer_len = drain(peer, &one);
	/* 100 answers outstanding (more than the socket buffers hold), read
	 * 1500 bytes at a time */
	for (int round = 0; round < 3000; round++) {
		char buf[1500];
		ssize_t n;

		while (sent < 100 + got / answer_len &&
		       write(peer, req.s, req.len) == (ssize_t)req.len)
			sent++;
		ikd_ctl_client_event(d, c, EPOLLIN);
		n = read(peer, buf, sizeof(buf));
		if (n > 0)
			got += (size_t)n;
		ikd_ctl_client_event(d, c, EPOLLOUT);
		if (c->out.len > max_len)
			max_len = c->out.len;
	}
	ck_assert_uint_gt(got, 2000 * 1000);
	ck_assert_uint_le(max_len, 2 * (64u << 10) + 110 * answer_len);
	ik_sb_free(&one);
	ik_sb_free(&req);
	close(peer);
}
END_TEST

/* Over the mark without reading for IKD_CLIENT_STUCK_MS: dropped. */
START_TEST(stuck_client_dropped)
{
	struct ik_sb req;
	int peer, tick;
	struct ikd_client *c = client_new(&peer, 16384);
	uint64_t now;

	ik_sb_init(&req);
	ik_ctl_request_encode(&req, false, "show running-config");
	for (int round = 0; round < 4000; round++) {
		if (write(peer, req.s, req.len) < 0)
			break;
		ikd_ctl_client_event(d, c, EPOLLIN);
	}
	now = ikd_now_ms();
	tick = ikd_ctl_tick(d, now);
	ck_assert_int_gt(tick, 0);
	ck_assert_int_le(tick, (int)IKD_CLIENT_STUCK_MS);
	ck_assert(client_alive(c));
	ikd_ctl_tick(d, now + IKD_CLIENT_STUCK_MS / 2);
	ck_assert(client_alive(c));
	ikd_ctl_tick(d, now + IKD_CLIENT_STUCK_MS + 1);
	ck_assert(!client_alive(c));
	/* the peer sees its connection end once it reads what was sent */
	drain(peer, NULL);
	ck_assert_int_eq(read(peer, &tick, 1), 0);
	close(peer);
	ik_sb_free(&req);
}
END_TEST

/* A refused request whose answer is never read: dropped too. */
START_TEST(refused_client_not_reading_dropped)
{
	static const uint8_t huge[4] = { 0x7f, 0xff, 0xff, 0xff };
	int peer;
	struct ikd_client *c = client_new(&peer, 0);

	ck_assert_int_eq(write(peer, huge, 4), 4);
	ikd_ctl_client_event(d, c, EPOLLIN);
	/* the refusal was sent; with nothing pending the client goes at once */
	ck_assert(!client_alive(c));
	close(peer);
}
END_TEST

/* At the descriptor limit, pending connections are accepted with the
 * reserve descriptor and closed: the listening socket is no longer readable
 * (no busy loop), and accepting works again once descriptors are free. */
START_TEST(accept_at_fd_limit)
{
	char dir[] = "/tmp/ikd-ctlXXXXXX", path[64];
	struct sockaddr_un sun;
	struct ik_sb err;
	struct rlimit rl;
	int cl[8], top = 0;
	struct pollfd pfd;
	char b;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ctl", dir);
	ik_sb_init(&err);
	ck_assert_msg(ikd_ctl_open(d, path, &err) == 0, "%s", ik_sb_str(&err));
	ik_sb_free(&err);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	for (int i = 0; i < 8; i++) {
		cl[i] = socket(AF_UNIX, SOCK_STREAM, 0);
		ck_assert_int_ge(cl[i], 0);
		ck_assert_int_eq(connect(cl[i], (struct sockaddr *)&sun, sizeof(sun)), 0);
		if (cl[i] > top)
			top = cl[i];
	}
	if (d->reserve_fd > top)
		top = d->reserve_fd;
	/* no descriptor above the highest one in use: accept4 fails with EMFILE */
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	rl.rlim_cur = (rlim_t)top + 1;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	ikd_ctl_accept(d);
	ck_assert_ptr_null(d->clients);
	pfd.fd = d->ctl_fd;
	pfd.events = POLLIN;
	ck_assert_int_eq(poll(&pfd, 1, 0), 0);
	ck_assert_uint_eq(d->ctl_refused, 8);
	for (int i = 0; i < 8; i++) {
		ck_assert_int_eq(read(cl[i], &b, 1), 0); /* closed by the daemon */
		close(cl[i]);
	}
	/* descriptors free again: the next client is served */
	cl[0] = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(connect(cl[0], (struct sockaddr *)&sun, sizeof(sun)), 0);
	ikd_ctl_accept(d);
	ck_assert_ptr_nonnull(d->clients);
	close(cl[0]);
	ikd_ctl_close(d, path);
	rmdir(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ctlsrv");
	TCase *tc = tcase_create("ctlsrv");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, request_split_at_every_byte);
	tcase_add_test(tc, pipelined_back_pressure);
	tcase_add_test(tc, steady_pipeline_bounded);
	tcase_add_test(tc, stuck_client_dropped);
	tcase_add_test(tc, refused_client_not_reading_dropped);
	tcase_add_test(tc, accept_at_fd_limit);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
