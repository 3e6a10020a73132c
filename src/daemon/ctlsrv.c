/* The control socket: a UNIX stream socket, root-only (0600), in a 0700
 * directory. Clients send framed requests (ctl/proto.h) and get framed
 * answers; all client I/O is non-blocking, driven by the main thread's epoll
 * (edge-triggered). Output of a client is guarded by d->out_mu because log
 * lines for terminal monitor clients come from every thread.
 *
 * Bounded by design: a client whose unsent answers pass IKD_CLIENT_OUT_HIGH
 * gets no further answer and none of its requests is read until it has read
 * enough (back-pressure: what it sends stays in its socket); one that stays
 * so for IKD_CLIENT_STUCK_MS without reading a byte is dropped. At the
 * descriptor limit a reserve descriptor lets a connection be accepted and
 * closed at once, so that the listening socket does not stay readable (and
 * the loop spin); if even that fails, accepting pauses for a second. */
#include "daemon/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "util/util.h"

#define CLIENT_IN_MAX (IK_CTL_HDR + IK_CTL_MAX_REQ)
#define IKD_EV_CTL 1u
#define ACCEPT_PAUSE_MS 1000u
#define OUT_COMPACT (64u << 10)

uint64_t ikd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Unsent answer bytes of c; caller holds d->out_mu. */
static size_t client_pending_locked(const struct ikd_client *c)
{
	return c->out.len - c->outoff;
}

static bool client_over(struct ikd *d, struct ikd_client *c)
{
	bool over;

	pthread_mutex_lock(&d->out_mu);
	over = client_pending_locked(c) > IKD_CLIENT_OUT_HIGH;
	pthread_mutex_unlock(&d->out_mu);
	return over;
}

/* mkdir -p of the directory that holds path; the last level gets 0700. */
int ikd_mkdir_parent(const char *path, struct ik_sb *err)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST) {
			ik_sb_printf(err, "cannot create %s: %s\n", dir, strerror(errno));
			return -1;
		}
		*p = '/';
	}
	if (mkdir(dir, 0700) && errno != EEXIST) {
		ik_sb_printf(err, "cannot create %s: %s\n", dir, strerror(errno));
		return -1;
	}
	return 0;
}

int ikd_ctl_open(struct ikd *d, const char *path, struct ik_sb *err)
{
	struct sockaddr_un sun;
	struct epoll_event ev;
	mode_t old;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		ik_sb_printf(err, "control socket path %s is longer than %zu bytes\n", path,
			     sizeof(sun.sun_path) - 1);
		return -1;
	}
	strcpy(sun.sun_path, path);
	if (ikd_mkdir_parent(path, err))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ik_sb_printf(err, "socket: %s\n", strerror(errno));
		return -1;
	}
	/* a live socket means another ikerd; a dead one is a leftover */
	if (!connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		ik_sb_printf(err, "another ikerd is already running with control socket %s\n",
			     path);
		close(fd);
		return -1;
	}
	close(fd);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ik_sb_printf(err, "socket: %s\n", strerror(errno));
		return -1;
	}
	old = umask(077);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		umask(old);
		ik_sb_printf(err, "cannot bind the control socket %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	umask(old);
	if (chmod(path, 0600) || listen(fd, 16)) {
		ik_sb_printf(err, "control socket %s: %s\n", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = IKD_EV_CTL;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		ik_sb_printf(err, "epoll: %s\n", strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	d->ctl_fd = fd;
	if (d->reserve_fd < 0)
		d->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return 0;
}

static void client_free(struct ikd *d, struct ikd_client *c)
{
	pthread_mutex_lock(&d->out_mu);
	for (struct ikd_client **pp = &d->clients; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	pthread_mutex_unlock(&d->out_mu);
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	ik_sb_free(&c->out);
	free(c->in);
	free(c);
}

void ikd_ctl_close(struct ikd *d, const char *path)
{
	while (d->clients)
		client_free(d, d->clients);
	if (d->reserve_fd >= 0) {
		close(d->reserve_fd);
		d->reserve_fd = -1;
	}
	if (d->ctl_fd >= 0) {
		close(d->ctl_fd);
		d->ctl_fd = -1;
		if (path)
			unlink(path);
	}
}

void ikd_client_flush_locked(struct ikd *d, struct ikd_client *c)
{
	(void)d;
	while (!c->dead && c->outoff < c->out.len) {
		ssize_t n = send(c->fd, c->out.s + c->outoff, c->out.len - c->outoff,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				c->dead = true;
			break;
		}
		c->outoff += (size_t)n;
		c->out_progress_ms = ikd_now_ms();
	}
	if (c->outoff == c->out.len) {
		ik_sb_reset(&c->out);
		c->outoff = 0;
	} else if (c->outoff >= OUT_COMPACT && c->outoff >= c->out.len / 2) {
		/* a client that reads as fast as it asks never empties its buffer:
		 * the sent part goes, so that the buffer holds only what is pending */
		memmove(c->out.s, c->out.s + c->outoff, c->out.len - c->outoff);
		c->out.len -= c->outoff;
		c->out.s[c->out.len] = '\0';
		c->outoff = 0;
	}
}

void ikd_client_send(struct ikd *d, struct ikd_client *c, enum ik_ctl_status st,
		     const char *text, size_t len)
{
	pthread_mutex_lock(&d->out_mu);
	if (client_pending_locked(c) == 0)
		c->out_progress_ms = ikd_now_ms();
	ik_ctl_answer_encode(&c->out, st, text, len);
	if (c->out.oom)
		c->dead = true;
	ikd_client_flush_locked(d, c);
	pthread_mutex_unlock(&d->out_mu);
}

struct ikd_client *ikd_ctl_client_add(struct ikd *d, int fd)
{
	struct epoll_event ev;
	struct ikd_client *c = calloc(1, sizeof(*c));

	if (c)
		c->in = malloc(CLIENT_IN_MAX);
	if (!c || !c->in) {
		free(c);
		close(fd);
		return NULL;
	}
	c->fd = fd;
	ik_sb_init(&c->out);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
	ev.data.ptr = c;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		close(fd);
		free(c->in);
		free(c);
		return NULL;
	}
	pthread_mutex_lock(&d->out_mu);
	c->next = d->clients;
	d->clients = c;
	pthread_mutex_unlock(&d->out_mu);
	return c;
}

/* Out of descriptors: the pending connection is taken with the reserve
 * descriptor and closed (the client sees its connection end), or, without a
 * reserve, the listening socket leaves epoll for ACCEPT_PAUSE_MS. Either way
 * the loop does not spin on a socket that stays readable. Returns true when
 * another connection may be pending. */
static bool accept_out_of_fds(struct ikd *d, int err)
{
	uint64_t now = ikd_now_ms();
	bool taken = false, more = false;

	if (d->reserve_fd >= 0) {
		int fd, e;

		close(d->reserve_fd);
		fd = accept4(d->ctl_fd, NULL, NULL, SOCK_CLOEXEC);
		e = errno;
		if (fd >= 0)
			close(fd);
		d->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		taken = fd >= 0;
		/* nothing was pending after all, or one taken with the reserve back */
		more = taken && d->reserve_fd >= 0;
		if (!taken && (e == EAGAIN || e == EWOULDBLOCK) && d->reserve_fd >= 0)
			return false;
	}
	if (taken)
		d->ctl_refused++;
	if (taken && (now - d->ctl_refused_logged_ms >= 10000 || !d->ctl_refused_logged_ms)) {
		ik_msg(&d->log, IK_LOG_WARNING, "%%IKERD-4-CTL: control connection refused: "
		       "%s (%llu refused so far)", strerror(err),
		       (unsigned long long)d->ctl_refused);
		d->ctl_refused_logged_ms = now;
	}
	if (more)
		return true;
	if (!d->accept_paused_until) {
		struct epoll_event ev;

		memset(&ev, 0, sizeof(ev));
		ev.data.u64 = IKD_EV_CTL;
		epoll_ctl(d->epfd, EPOLL_CTL_MOD, d->ctl_fd, &ev);
		ik_msg(&d->log, IK_LOG_WARNING, "%%IKERD-4-CTL: out of descriptors (%s): "
		       "control connections wait %u ms", strerror(err), ACCEPT_PAUSE_MS);
	}
	d->accept_paused_until = now + ACCEPT_PAUSE_MS;
	return false;
}

void ikd_ctl_accept(struct ikd *d)
{
	for (int i = 0; i < 64 && !d->accept_paused_until; i++) {
		int fd = accept4(d->ctl_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				if (accept_out_of_fds(d, errno))
					continue;
				return;
			}
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return;
		}
		ikd_ctl_client_add(d, fd);
	}
}

int ikd_ctl_tick(struct ikd *d, uint64_t now)
{
	int next = -1;

	if (d->accept_paused_until) {
		if (now >= d->accept_paused_until) {
			struct epoll_event ev;

			d->accept_paused_until = 0;
			if (d->reserve_fd < 0)
				d->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
			memset(&ev, 0, sizeof(ev));
			ev.events = EPOLLIN;
			ev.data.u64 = IKD_EV_CTL;
			epoll_ctl(d->epfd, EPOLL_CTL_MOD, d->ctl_fd, &ev);
			ikd_ctl_accept(d);
		}
		if (d->accept_paused_until)
			next = (int)(d->accept_paused_until - now);
	}
	for (struct ikd_client *c = d->clients, *nx; c; c = nx) {
		size_t pending;
		uint64_t since;

		nx = c->next;
		pthread_mutex_lock(&d->out_mu);
		pending = client_pending_locked(c);
		since = c->out_progress_ms;
		pthread_mutex_unlock(&d->out_mu);
		/* over the mark, or refused and never reading its refusal */
		if (!c->dead && pending <= IKD_CLIENT_OUT_HIGH && !(c->closing && pending))
			continue;
		if (c->dead || now - since >= IKD_CLIENT_STUCK_MS) {
			if (!c->dead)
				ik_msg(&d->log, IK_LOG_WARNING, "%%IKERD-4-CTL: control client "
				       "dropped: %zu bytes of answers unread for %u s", pending,
				       IKD_CLIENT_STUCK_MS / 1000);
			client_free(d, c);
			continue;
		}
		if (next < 0 || since + IKD_CLIENT_STUCK_MS - now < (uint64_t)next)
			next = (int)(since + IKD_CLIENT_STUCK_MS - now);
	}
	return next;
}

/* Answers every whole request in c's input buffer. */
static void client_requests(struct ikd *d, struct ikd_client *c)
{
	size_t off = 0;

	while (!c->closing && !client_over(d, c)) {
		char err[160];
		long total = ik_ctl_frame_check(c->in + off, c->inlen - off, IK_CTL_MAX_REQ, err,
						sizeof(err));
		struct ik_sb out;
		enum ik_ctl_status st;

		if (total == 0)
			break;
		ik_sb_init(&out);
		if (total < 0) {
			ik_sb_printf(&out, "%% Bad request: %s\n", err);
			ikd_client_send(d, c, IK_CTL_ERROR, out.s, out.len);
			ik_sb_free(&out);
			c->closing = true;
			break;
		}
		st = ikd_request(d, c, c->in + off + IK_CTL_HDR, (size_t)total - IK_CTL_HDR, &out);
		if (st == IK_CTL_MONITOR) {
			pthread_mutex_lock(&d->out_mu);
			c->monitor = true;
			pthread_mutex_unlock(&d->out_mu);
		}
		ikd_client_send(d, c, st, ik_sb_str(&out), out.len);
		ik_sb_free(&out);
		off += (size_t)total;
	}
	memmove(c->in, c->in + off, c->inlen - off);
	c->inlen -= off;
}

void ikd_ctl_client_event(struct ikd *d, struct ikd_client *c, uint32_t events)
{
	bool eof = false, flushed;

	pthread_mutex_lock(&d->out_mu);
	ikd_client_flush_locked(d, c);
	pthread_mutex_unlock(&d->out_mu);
	/* Requests already read first, then the socket, until it has no more or
	 * the answers pile up (the rest then waits in the socket: the next
	 * EPOLLOUT, when the client reads, brings us back here). */
	client_requests(d, c);
	while (!c->closing && !c->dead && c->inlen < CLIENT_IN_MAX && !client_over(d, c)) {
		ssize_t n = read(c->fd, c->in + c->inlen, CLIENT_IN_MAX - c->inlen);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (n == 0) {
			eof = true;
			break;
		}
		c->inlen += (size_t)n;
		client_requests(d, c);
	}
	if (events & (EPOLLHUP | EPOLLERR))
		eof = true;
	pthread_mutex_lock(&d->out_mu);
	ikd_client_flush_locked(d, c);
	flushed = c->out.len == 0;
	if (eof)
		c->dead = true;
	pthread_mutex_unlock(&d->out_mu);
	if (c->dead || (c->closing && flushed))
		client_free(d, c);
}
