/* The control socket: a UNIX stream socket, root-only (0600), in a 0700
 * directory. Clients send framed requests (ctl/proto.h) and get framed
 * answers; all client I/O is non-blocking, driven by the main thread's epoll
 * (edge-triggered). Output of a client is guarded by d->out_mu because log
 * lines for terminal monitor clients come from every thread. */
#include "daemon/daemon.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/util.h"

#define CLIENT_IN_MAX (IK_CTL_HDR + IK_CTL_MAX_REQ)
#define IKD_EV_CTL 1u

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
			return;
		}
		c->outoff += (size_t)n;
	}
	if (c->outoff == c->out.len) {
		ik_sb_reset(&c->out);
		c->outoff = 0;
	}
}

void ikd_client_send(struct ikd *d, struct ikd_client *c, enum ik_ctl_status st,
		     const char *text, size_t len)
{
	pthread_mutex_lock(&d->out_mu);
	ik_ctl_answer_encode(&c->out, st, text, len);
	if (c->out.oom)
		c->dead = true;
	ikd_client_flush_locked(d, c);
	pthread_mutex_unlock(&d->out_mu);
}

void ikd_ctl_accept(struct ikd *d)
{
	for (int i = 0; i < 64; i++) {
		struct epoll_event ev;
		struct ikd_client *c;
		int fd = accept4(d->ctl_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		c = calloc(1, sizeof(*c));
		if (c)
			c->in = malloc(CLIENT_IN_MAX);
		if (!c || !c->in) {
			free(c);
			close(fd);
			continue;
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
			continue;
		}
		pthread_mutex_lock(&d->out_mu);
		c->next = d->clients;
		d->clients = c;
		pthread_mutex_unlock(&d->out_mu);
	}
}

/* Answers every whole request in c's input buffer. */
static void client_requests(struct ikd *d, struct ikd_client *c)
{
	size_t off = 0;

	while (!c->closing) {
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

	if (events & EPOLLIN) {
		while (!c->closing && c->inlen < CLIENT_IN_MAX) {
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
