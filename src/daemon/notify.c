/* Telling the service manager how ikerd is doing: readiness, reloads and a
 * one-line status through sd_notify(3) when ikerd runs under systemd
 * (Type=notify). Built without libsystemd, or run without NOTIFY_SOCKET,
 * these calls change nothing. Also: the syslog priority of a log line. */
#include "daemon/daemon.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "config.h"
#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#define STATUS_MAX 200

#ifdef HAVE_LIBSYSTEMD
/* A status text on one line, at most STATUS_MAX bytes. */
static void status_clean(char *dst, size_t len, const char *src)
{
	size_t n = 0;

	for (; *src && n + 1 < len && n < STATUS_MAX; src++) {
		if (*src == '\n') {
			if (src[1])
				dst[n++] = ' ';
			continue;
		}
		dst[n++] = isprint((unsigned char)*src) ? *src : '?';
	}
	dst[n] = '\0';
}

static void notify(const char *state, const char *status)
{
	char st[STATUS_MAX + 1];

	status_clean(st, sizeof(st), status ? status : "");
	if (status)
		sd_notifyf(0, "%s%sSTATUS=%s", state, state[0] ? "\n" : "", st);
	else
		sd_notify(0, state);
}

void ikd_notify_ready(const char *status)
{
	notify("READY=1", status);
}

void ikd_notify_reloading(void)
{
	struct timespec ts;
	char buf[96];

	/* MONOTONIC_USEC lets newer systemd pair the reload with its job */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(buf, sizeof(buf), "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)ts.tv_sec * 1000000ull +
		 (unsigned long long)ts.tv_nsec / 1000ull);
	notify(buf, "Reloading the configuration");
}

void ikd_notify_stopping(void)
{
	notify("STOPPING=1", "Shutting down");
}
#else
void ikd_notify_ready(const char *status)
{
	(void)status;
}

void ikd_notify_reloading(void)
{
}

void ikd_notify_stopping(void)
{
}
#endif

int ikd_log_priority(unsigned cat, int sev, const char *line)
{
	const char *p;

	if (cat)
		return LOG_DEBUG;
	/* an IOS message names its severity: %FACILITY-N-MNEMONIC */
	for (p = strchr(line, '%'); p; p = strchr(p + 1, '%')) {
		const char *q = p + 1;

		if (!isupper((unsigned char)*q))
			continue;
		while (isupper((unsigned char)*q) || isdigit((unsigned char)*q) || *q == '_')
			q++;
		if (q[0] == '-' && q[1] >= '0' && q[1] <= '7' && q[2] == '-' &&
		    isupper((unsigned char)q[3]))
			return q[1] - '0';
	}
	return sev >= LOG_EMERG && sev <= LOG_DEBUG ? sev : LOG_NOTICE;
}
