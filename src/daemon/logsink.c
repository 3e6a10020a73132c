/* The daemon's log sink: an IOS timestamp, then stderr (-d) or syslog, and a
 * copy to every terminal monitor client. Called from every thread. */
#include "daemon/daemon.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

/* Bound on what a slow terminal monitor client may have pending. */
#define MONITOR_MAX_PENDING (1u << 20)

void ikd_log_stamp(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char t[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(t, sizeof(t), "%b %e %H:%M:%S", &tm);
	snprintf(buf, len, "*%s.%03ld: ", t, ts.tv_nsec / 1000000);
}

void ikd_log_sink(void *ctx, unsigned cat, int sev, const char *line)
{
	struct ikd *d = ctx;
	char stamp[48];
	struct ik_sb msg;

	(void)cat;
	ikd_log_stamp(stamp, sizeof(stamp));
	if (!d->opts.quiet) {
		if (d->opts.foreground) {
			flockfile(stderr);
			fprintf(stderr, "%s%s\n", stamp, line);
			funlockfile(stderr);
		} else {
			syslog(sev, "%s%s", stamp, line);
		}
	}
	pthread_mutex_lock(&d->out_mu);
	if (!d->clients) {
		pthread_mutex_unlock(&d->out_mu);
		return;
	}
	ik_sb_init(&msg);
	ik_sb_printf(&msg, "%s%s\n", stamp, line);
	for (struct ikd_client *c = d->clients; c; c = c->next) {
		if (!c->monitor || c->dead)
			continue;
		if (c->out.len - c->outoff > MONITOR_MAX_PENDING) {
			d->monitor_dropped++;
			continue;
		}
		if (c->out.len == c->outoff)
			c->out_progress_ms = ikd_now_ms();
		ik_ctl_answer_encode(&c->out, IK_CTL_MONITOR, msg.s, msg.len);
		ikd_client_flush_locked(d, c);
	}
	pthread_mutex_unlock(&d->out_mu);
	ik_sb_free(&msg);
}
