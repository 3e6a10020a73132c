/* The daemon's log sink: an IOS timestamp, then stderr (-d) or syslog, and a
 * copy to every terminal monitor client. Called from every thread. When
 * stderr is systemd's journal (JOURNAL_STREAM), each line starts with its
 * syslog priority as "<N>", which the journal stores as the priority. */
#include "daemon/daemon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

static pthread_once_t journal_once = PTHREAD_ONCE_INIT;
static bool journal_stderr;

/* systemd sets JOURNAL_STREAM to the device and inode of the stream it
 * connected; stderr is the journal if they match. */
static void journal_detect(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 && !fstat(2, &st))
		journal_stderr = (unsigned long long)st.st_dev == dev &&
				 (unsigned long long)st.st_ino == ino;
}

/* Each line of a message gets the priority: the journal reads one entry
 * per line (a configuration error carries its line and '^' marker). */
static void journal_write(int prio, const char *msg)
{
	for (const char *p = msg; *p;) {
		size_t n = strcspn(p, "\n");

		if (n)
			fprintf(stderr, "<%d>%.*s\n", prio, (int)n, p);
		p += n + (p[n] == '\n');
	}
}

void ikd_log_sink(void *ctx, unsigned cat, int sev, const char *line)
{
	struct ikd *d = ctx;
	char stamp[48];
	struct ik_sb msg;
	int prio = ikd_log_priority(cat, sev, line);

	ikd_log_stamp(stamp, sizeof(stamp));
	if (!d->opts.quiet) {
		if (d->opts.foreground) {
			pthread_once(&journal_once, journal_detect);
			flockfile(stderr);
			if (journal_stderr)
				journal_write(prio, line);
			else
				fprintf(stderr, "%s%s\n", stamp, line);
			funlockfile(stderr);
		} else {
			syslog(prio, "%s%s", stamp, line);
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
