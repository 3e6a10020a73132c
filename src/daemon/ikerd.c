/* ikerd: the IKE daemon. Options, start-up, the main thread's event loop
 * (control socket, signals, kernel events), and ikerd -t. */
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <getopt.h>
#include <ifaddrs.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "config.h"
#include "daemon/daemon.h"
#include "ike/features.h"
#include "profile/check.h"
#include "profile/snapshot.h"
#include "util/secmem.h"
#include "util/util.h"

#define DEFAULT_CONF SYSCONFDIR "/ikerd/ikerd.conf"
#define DEFAULT_CTL RUNSTATEDIR "/ikerd/ikerd.ctl"
#define DEFAULT_PID RUNSTATEDIR "/ikerd/ikerd.pid"

#define EV_CTL 1u
#define EV_SIGNAL 2u
#define EV_KERNEL 3u
#define EV_METRICS 4u
#define MAX_KEVENTS 256

#define MAX_PEER_CONFIGS 8 /* ikerd -t --peer-config FILE */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ikerd [-d] [-f FILE] [--ctl PATH] [--pid PATH] [--kernel netlink|none]\n"
		"             [--workers N] [--passive] [--retransmit N] [--debug CATEGORIES]\n"
		"             [--keylog DIR] [--metrics FILE [--metrics-interval SECONDS]]\n"
		"       ikerd -t [-f FILE] [--peer-config FILE]... [--strict] [--json]\n"
		"  -f FILE           configuration (default %s)\n"
		"  -d                stay in the foreground, log to stderr\n"
		"  -t                test the configuration and exit (0 valid, 1 not valid,\n"
		"                    2 an error finding, or a warning with --strict)\n"
		"  --strict          with -t: findings of the static check fail the test\n"
		"  --json            with -t: one JSON document\n"
		"  --peer-config FILE  with -t: a peer's configuration (up to %d): crypto map\n"
		"                    access lists are checked for mirror images against it\n"
		"  --debug LIST      debug categories on from the start: isakmp, ipsec,\n"
		"                    isakmp-aaa, isakmp-detail, ikev2, all (comma-separated)\n"
		"  --passive         never initiate, answer only\n"
		"  --retransmit N    retransmissions of a message before giving up, 1..30\n"
		"                    (default 5, as IOS; raise it for lossy links)\n"
		"  --kernel NAME     kernel backend: netlink (default) or none\n"
		"  --ctl PATH        control socket (default %s)\n"
		"  --pid PATH        pid file (default %s)\n"
		"  --workers N       IKE worker threads, 1..%d (default: online CPUs)\n"
		"  --keylog DIR      write every new SA's keys to DIR as Wireshark's decryption\n"
		"                    tables (SECRET: for debugging only; off by default)\n"
		"  --metrics FILE    Prometheus metrics for node_exporter's textfile collector\n"
		"                    (FILE ends in .prom), rewritten atomically\n"
		"  --metrics-interval N  seconds between refreshes, 1..3600 (default 15)\n"
		"  -h, --help        this text\n"
		"  --version         the version\n"
		"  --features        what this build negotiates, one \"name yes|no\" a line\n",
		DEFAULT_CONF, MAX_PEER_CONFIGS, DEFAULT_CTL, DEFAULT_PID, IKD_MAX_WORKERS);
}

/* ---- ikerd -t ---- */

/* The IPv4 address of a Linux interface, for the checker (0 when found). */
static int test_ifaddr(void *ctx, const char *name, uint32_t *addr)
{
	struct ifaddrs *ifa, *i;
	int rc = -1;

	(void)ctx;
	if (getifaddrs(&ifa))
		return -1;
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || strcmp(i->ifa_name, name))
			continue;
		*addr = ntohl(((const struct sockaddr_in *)(const void *)i->ifa_addr)
				      ->sin_addr.s_addr);
		rc = 0;
		break;
	}
	freeifaddrs(ifa);
	return rc;
}

/* A file that does not load: its errors, the IOS way (text, on stderr) or
 * as one JSON document (on stdout). */
static void test_print_load_error(const char *path, const struct ik_conf_error *ce, bool json)
{
	struct ik_sb out;

	ik_sb_init(&out);
	if (json) {
		ik_sb_add(&out, "{\"file\":");
		ik_sb_json_str(&out, path);
		ik_sb_printf(&out, ",\"valid\":false,\"error\":{\"line\":%d,\"col\":%d,"
			     "\"message\":", ce->line, ce->col);
		ik_sb_json_str(&out, ce->msg);
		ik_sb_add(&out, ",\"text\":");
		ik_sb_json_str(&out, ce->text);
		ik_sb_printf(&out, "},\"error_count\":%u,\"errors\":[",
			     ce->nerrors ? ce->nerrors : 1);
		for (unsigned i = 0; i <= ce->nmore && i < IK_CONF_MAX_ERRORS; i++) {
			bool first = i == 0;
			const struct ik_conf_error_more *m = first ? NULL : &ce->more[i - 1];

			ik_sb_printf(&out, "%s{\"line\":%d,\"col\":%d,\"message\":",
				     first ? "" : ",", first ? ce->line : m->line,
				     first ? ce->col : m->col);
			ik_sb_json_str(&out, first ? ce->msg : m->msg);
			ik_sb_add(&out, ",\"text\":");
			ik_sb_json_str(&out, first ? ce->text : m->text);
			ik_sb_add(&out, "}");
		}
		ik_sb_add(&out, "]}\n");
		fputs(ik_sb_str(&out), stdout);
	} else {
		ik_conf_error_format_all(ce, &out);
		fputs(ik_sb_str(&out), stderr);
	}
	ik_sb_free(&out);
}

/* Exit status: 0 valid (warnings and notes allowed), 1 not valid (the file
 * or a peer's), 2 a finding labelled error (or, with --strict, any warning
 * finding). */
static int test_config(const char *path, const char *const *peer_paths, size_t npeers,
		       bool json, bool strict)
{
	struct ik_conf_error ce;
	struct ik_config *cfg, *peers[MAX_PEER_CONFIGS] = { NULL };
	struct ik_sb findings, out;
	struct ik_check_env env = IK_CHECK_ENV_ENGINE;
	struct ik_check_counts cnt;
	bool failing;
	int n;

	memset(&ce, 0, sizeof(ce));
	cfg = ik_snapshot_load_file(path, &ce);
	if (!cfg) {
		test_print_load_error(path, &ce, json);
		return 1;
	}
	for (size_t i = 0; i < npeers; i++) {
		memset(&ce, 0, sizeof(ce));
		peers[i] = ik_snapshot_load_file(peer_paths[i], &ce);
		if (!peers[i]) {
			test_print_load_error(peer_paths[i], &ce, json);
			for (size_t j = 0; j < i; j++)
				ik_config_unref(peers[j]);
			ik_config_unref(cfg);
			return 1;
		}
	}
	env.peers = (const struct ik_config *const *)peers;
	env.peer_files = peer_paths;
	env.npeers = npeers;
	ik_sb_init(&out);
	ik_sb_init(&findings);
	env.ifaddr = test_ifaddr;
	n = ik_check_config_env(cfg, &env, &findings, json, &cnt);
	failing = cnt.errors || (strict && cnt.warnings);
	if (json) {
		ik_sb_add(&out, "{\"file\":");
		ik_sb_json_str(&out, path);
		ik_sb_add(&out, ",\"valid\":true,\"warnings\":[");
		for (size_t i = 0; i < cfg->nwarnings; i++) {
			ik_sb_printf(&out, "%s{\"line\":%d,\"message\":", i ? "," : "",
				     cfg->warnings[i].line);
			ik_sb_json_str(&out, ikd_warning_text(&cfg->warnings[i]));
			ik_sb_add(&out, "}");
		}
		ik_sb_printf(&out, "],\"finding_count\":%d,\"errors\":%d,\"warnings\":%d,"
			     "\"notes\":%d,\"findings\":%s}\n", n, cnt.errors, cnt.warnings,
			     cnt.notes, findings.len ? ik_sb_str(&findings) : "[]");
	} else {
		for (size_t i = 0; i < cfg->nwarnings; i++)
			ik_sb_printf(&out, "%s:%d: warning: %s\n", path, cfg->warnings[i].line,
				     ikd_warning_text(&cfg->warnings[i]));
		ik_sb_add(&out, ik_sb_str(&findings));
		ik_sb_printf(&out, "ikerd: %s: configuration valid, %zu line(s) ignored, "
			     "%d finding(s) (%d error(s), %d warning(s), %d note(s))%s\n", path,
			     cfg->nwarnings, n, cnt.errors, cnt.warnings, cnt.notes,
			     !failing ? "" : cnt.errors ? ": failing" : " (--strict: failing)");
	}
	fputs(ik_sb_str(&out), stdout);
	ik_sb_free(&out);
	ik_sb_free(&findings);
	for (size_t i = 0; i < npeers; i++)
		ik_config_unref(peers[i]);
	ik_config_unref(cfg);
	return failing ? 2 : 0;
}

/* ---- pid file ---- */

static int pidfile_write(const char *path, int *fdp)
{
	char buf[32];
	struct ik_sb err;
	int fd;

	ik_sb_init(&err);
	if (ikd_mkdir_parent(path, &err)) {
		fprintf(stderr, "ikerd: pid file: %s", ik_sb_str(&err));
		ik_sb_free(&err);
		return -1;
	}
	ik_sb_free(&err);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "ikerd: cannot open the pid file %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		fprintf(stderr, "ikerd: %s is locked: another ikerd is running\n", path);
		close(fd);
		return -1;
	}
	snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) || write(fd, buf, strlen(buf)) != (ssize_t)strlen(buf)) {
		fprintf(stderr, "ikerd: cannot write the pid file %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	*fdp = fd;
	return 0;
}

/* path made absolute against the current directory (into buf), or as is. */
static const char *abs_path(const char *path, char *buf, size_t len)
{
	char cwd[4096];

	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return path;
	if ((size_t)snprintf(buf, len, "%s/%s", cwd, path) >= len)
		return path;
	return buf;
}

/* ---- daemonizing: the parent exits when the child reports ready ---- */

static int daemonize(int *notify_fd)
{
	int p[2];
	pid_t pid;
	char c = 1;

	if (pipe2(p, O_CLOEXEC)) {
		perror("ikerd: pipe");
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		perror("ikerd: fork");
		return -1;
	}
	if (pid > 0) {
		close(p[1]);
		/* ready byte: 0 = started; EOF = the child failed (it said why) */
		if (read(p[0], &c, 1) == 1 && c == 0)
			_exit(0);
		_exit(1);
	}
	close(p[0]);
	if (setsid() < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (chdir("/"))
		return -1;
	*notify_fd = p[1];
	return 0;
}

static void detach_stdio(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
}

/* ---- the main loop ---- */

struct kev_batch {
	struct ik_kevent ev[MAX_KEVENTS];
	size_t n;
};

static void kev_collect(void *ctx, const struct ik_kevent *ev)
{
	struct kev_batch *b = ctx;

	if (b->n < MAX_KEVENTS)
		b->ev[b->n++] = *ev;
}

/* The worker key of an acquire's peer: the IPv4 address, or the last 32
 * bits of an IPv6 one. */
static uint32_t kev_peer_key(const struct ik_addr *a)
{
	if (a->family == IK_AF_INET6)
		return (uint32_t)a->v6[12] << 24 | (uint32_t)a->v6[13] << 16 |
		       (uint32_t)a->v6[14] << 8 | a->v6[15];
	return a->v4;
}

static void task_acquire(struct ikd_worker *w, void *arg)
{
	const struct ik_kevent *ev = arg;

	ik_engine_acquire_ev(w->eng, ev);
}

static void task_expire(struct ikd_worker *w, void *arg)
{
	const struct ik_kevent *ev = arg;

	ik_engine_expire(w->eng, ev->spi, ev->type == IK_KEV_EXPIRE_HARD);
}

static void kernel_events(struct ikd *d)
{
	static struct kev_batch b;

	b.n = 0;
	pthread_mutex_lock(&d->kmu);
	d->kernel->ops->event_read(d->kernel, kev_collect, &b);
	pthread_mutex_unlock(&d->kmu);
	for (size_t i = 0; i < b.n; i++) {
		if (b.ev[i].type == IK_KEV_ACQUIRE) {
			ikd_worker_run(ikd_worker_for(d, kev_peer_key(&b.ev[i].dst)),
				       task_acquire, &b.ev[i]);
		} else {
			/* the SPI does not tell the peer: every engine looks it up */
			for (unsigned k = 0; k < d->nworkers; k++)
				ikd_worker_run(&d->workers[k], task_expire, &b.ev[i]);
		}
	}
}

static void signal_event(struct ikd *d, int sfd)
{
	struct signalfd_siginfo si;

	while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			struct ik_sb out;

			ik_sb_init(&out);
			ikd_reload(d, false, &out); /* logs its result (or refusal) */
			ik_sb_free(&out);
		} else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			ik_msg(&d->log, IK_LOG_NOTICE, "%%IKERD-5-EXIT: signal %u, shutting down",
			       si.ssi_signo);
			d->quit = true;
		}
	}
}

static unsigned parse_debug(const char *list)
{
	char buf[256], *save = NULL;
	unsigned mask = 0;

	snprintf(buf, sizeof(buf), "%s", list);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		unsigned c = ik_dbg_cat_parse(t);

		if (!strcmp(t, "all"))
			c = IK_DBG_ALL;
		if (!c) {
			fprintf(stderr, "ikerd: --debug: unknown category '%s' (isakmp, ipsec, "
				"isakmp-aaa, isakmp-detail, ikev2, all)\n", t);
			exit(1);
		}
		mask |= c;
	}
	return mask;
}

enum {
	OPT_STRICT = 256, OPT_JSON, OPT_DEBUG, OPT_PASSIVE, OPT_KERNEL, OPT_CTL, OPT_PID,
	OPT_WORKERS, OPT_VERSION, OPT_RETRANSMIT, OPT_KEYLOG, OPT_METRICS, OPT_METRICS_INTERVAL,
	OPT_FEATURES, OPT_PEER_CONFIG,
};

/* ikerd --features: the engine's capabilities (ike/features.h), for scripts
 * and tests that must tell "not built yet" from "broken". */
static void print_features(void)
{
	static const struct {
		const char *name;
		int on;
	} f[] = {
		{ "ikev1-aggressive", IK_FEATURE_AGGRESSIVE },
		{ "certificates", IK_FEATURE_CERTS },
		{ "ipv6", IK_FEATURE_IPV6 },
		{ "ikev2", IK_FEATURE_IKEV2 },
		{ "ikev2-child-rekey", IK_FEATURE_IKEV2_CHILD_REKEY },
		{ "ikev2-ike-rekey", IK_FEATURE_IKEV2_IKE_REKEY },
		{ "ikev2-informational", IK_FEATURE_IKEV2_INFO },
		{ "ikev2-fragmentation", IK_FEATURE_IKEV2_FRAG },
		{ "ikev2-show", IK_FEATURE_IKEV2_SHOW },
	};

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		printf("%s %s\n", f[i].name, f[i].on ? "yes" : "no");
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "peer-config", required_argument, NULL, OPT_PEER_CONFIG },
		{ "debug", required_argument, NULL, OPT_DEBUG },
		{ "passive", no_argument, NULL, OPT_PASSIVE },
		{ "kernel", required_argument, NULL, OPT_KERNEL },
		{ "ctl", required_argument, NULL, OPT_CTL },
		{ "pid", required_argument, NULL, OPT_PID },
		{ "workers", required_argument, NULL, OPT_WORKERS },
		{ "retransmit", required_argument, NULL, OPT_RETRANSMIT },
		{ "keylog", required_argument, NULL, OPT_KEYLOG },
		{ "metrics", required_argument, NULL, OPT_METRICS },
		{ "metrics-interval", required_argument, NULL, OPT_METRICS_INTERVAL },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "features", no_argument, NULL, OPT_FEATURES },
		{ NULL, 0, NULL, 0 },
	};
	struct ikd_opts o;
	const char *pid_path = DEFAULT_PID;
	bool test = false, strict = false, json = false;
	const char *peer_confs[MAX_PEER_CONFIGS];
	size_t npeer_confs = 0;
	int c, notify_fd = -1, pid_fd = -1, sfd = -1, rc = 1;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct ik_sb err;
	struct ikd *d = NULL;
	char conf_abs[4096], ctl_abs[4096], pid_abs[4096], keylog_abs[4096], metrics_abs[4096];
	unsigned metrics_interval = 15;

#ifdef __GLIBC__
	/* Small blocks freed go straight back to the heap, not to glibc's fast
	 * bins. The SAs live in the workers' arenas, and malloc_trim does not
	 * shrink the top of such an arena: after a flood of half-open SAs
	 * expired, the blocks held in fast bins were merged into that top only
	 * by malloc_trim itself, and about 30 MiB stayed resident. Freed at
	 * once, they reach the top through free(), which gives the pages back.
	 * The per-thread caches still serve the hot sizes. */
	mallopt(M_MXFAST, 0);
#endif
	int mfd = -1;
	sigset_t sigs;

	memset(&o, 0, sizeof(o));
	o.conf_path = DEFAULT_CONF;
	o.ctl_path = DEFAULT_CTL;
	o.kernel = "netlink";
	o.threads = true;
	o.workers = ncpu < 1 ? 1 : ncpu > IKD_MAX_WORKERS ? IKD_MAX_WORKERS : (unsigned)ncpu;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:dth", lopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o.conf_path = optarg;
			break;
		case 'd':
			o.foreground = true;
			break;
		case 't':
			test = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case OPT_VERSION:
			printf("ikerd %s\n", PACKAGE_VERSION);
			return 0;
		case OPT_FEATURES:
			print_features();
			return 0;
		case OPT_STRICT:
			strict = true;
			break;
		case OPT_JSON:
			json = true;
			break;
		case OPT_PEER_CONFIG:
			if (npeer_confs == MAX_PEER_CONFIGS) {
				fprintf(stderr, "ikerd: at most %d --peer-config files\n",
					MAX_PEER_CONFIGS);
				return 1;
			}
			peer_confs[npeer_confs++] = optarg;
			break;
		case OPT_DEBUG:
			o.debug_mask |= parse_debug(optarg);
			break;
		case OPT_PASSIVE:
			o.passive = true;
			break;
		case OPT_KERNEL:
			if (strcmp(optarg, "netlink") && strcmp(optarg, "none")) {
				fprintf(stderr, "ikerd: --kernel: unknown backend '%s' (netlink or "
					"none)\n", optarg);
				return 1;
			}
			o.kernel = optarg;
			break;
		case OPT_CTL:
			o.ctl_path = optarg;
			break;
		case OPT_PID:
			pid_path = optarg;
			break;
		case OPT_KEYLOG:
			o.keylog_dir = optarg;
			break;
		case OPT_METRICS:
			o.metrics_path = optarg;
			break;
		case OPT_METRICS_INTERVAL: {
			char *end;
			long n = strtol(optarg, &end, 10);

			if (*end || end == optarg || n < 1 || n > 3600) {
				fprintf(stderr, "ikerd: --metrics-interval: '%s' is not a number of "
					"seconds from 1 to 3600\n", optarg);
				return 1;
			}
			metrics_interval = (unsigned)n;
			break;
		}
		case OPT_WORKERS: {
			char *end;
			long n = strtol(optarg, &end, 10);

			if (*end || end == optarg || n < 1 || n > IKD_MAX_WORKERS) {
				fprintf(stderr, "ikerd: --workers: '%s' is not a number from 1 to "
					"%d\n", optarg, IKD_MAX_WORKERS);
				return 1;
			}
			o.workers = (unsigned)n;
			break;
		}
		case OPT_RETRANSMIT: {
			char *end;
			long n = strtol(optarg, &end, 10);

			if (*end || end == optarg || n < 1 || n > 30) {
				fprintf(stderr, "ikerd: --retransmit: '%s' is not a number from 1 to "
					"30\n", optarg);
				return 1;
			}
			o.retransmit_max = (unsigned)n;
			break;
		}
		case ':':
			fprintf(stderr, "ikerd: option %s needs a value (see ikerd -h)\n",
				argv[optind - 1]);
			return 1;
		default:
			fprintf(stderr, "ikerd: unknown option %s (see ikerd -h)\n",
				argv[optind - 1]);
			return 1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ikerd: unexpected argument '%s' (see ikerd -h)\n", argv[optind]);
		return 1;
	}
	if ((strict || json || npeer_confs) && !test) {
		fprintf(stderr, "ikerd: --strict, --json and --peer-config go with -t\n");
		return 1;
	}
	if (ik_secmem_init()) {
		fprintf(stderr, "ikerd: cannot initialise libsodium\n");
		return 1;
	}
	if (test)
		return test_config(o.conf_path, peer_confs, npeer_confs, json, strict);

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	/* blocked before any thread starts, so only the signalfd sees them */
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	if (!o.foreground) {
		/* the daemon runs in /: relative paths are made absolute first */
		o.conf_path = abs_path(o.conf_path, conf_abs, sizeof(conf_abs));
		o.ctl_path = abs_path(o.ctl_path, ctl_abs, sizeof(ctl_abs));
		pid_path = abs_path(pid_path, pid_abs, sizeof(pid_abs));
		if (o.keylog_dir)
			o.keylog_dir = abs_path(o.keylog_dir, keylog_abs, sizeof(keylog_abs));
		if (o.metrics_path)
			o.metrics_path = abs_path(o.metrics_path, metrics_abs, sizeof(metrics_abs));
		if (daemonize(&notify_fd))
			return 1;
		openlog("ikerd", LOG_PID, LOG_DAEMON);
	}
	ik_sb_init(&err);
	if (pidfile_write(pid_path, &pid_fd))
		goto out;
	d = ikd_new(&o, &err);
	if (!d) {
		fprintf(stderr, "ikerd: %s%s", ik_sb_str(&err),
			err.len && err.s[err.len - 1] == '\n' ? "" : "\n");
		if (!o.foreground)
			syslog(LOG_ERR, "%s", ik_sb_str(&err));
		goto out;
	}
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	sfd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->epfd < 0 || sfd < 0) {
		fprintf(stderr, "ikerd: epoll/signalfd: %s\n", strerror(errno));
		goto out;
	}
	{
		struct epoll_event ev;
		int kfd = d->kernel->ops->event_fd(d->kernel);

		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		ev.data.u64 = EV_SIGNAL;
		epoll_ctl(d->epfd, EPOLL_CTL_ADD, sfd, &ev);
		if (kfd >= 0) {
			ev.data.u64 = EV_KERNEL;
			epoll_ctl(d->epfd, EPOLL_CTL_ADD, kfd, &ev);
		}
		if (o.metrics_path) {
			struct itimerspec its;

			memset(&its, 0, sizeof(its));
			its.it_value.tv_sec = its.it_interval.tv_sec = metrics_interval;
			mfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
			if (mfd < 0 || timerfd_settime(mfd, 0, &its, NULL)) {
				fprintf(stderr, "ikerd: metrics timer: %s\n", strerror(errno));
				goto out;
			}
			ev.data.u64 = EV_METRICS;
			epoll_ctl(d->epfd, EPOLL_CTL_ADD, mfd, &ev);
		}
	}
	if (ikd_ctl_open(d, o.ctl_path, &err)) {
		fprintf(stderr, "ikerd: %s", ik_sb_str(&err));
		if (!o.foreground)
			syslog(LOG_ERR, "%s", ik_sb_str(&err));
		goto out;
	}
	ik_msg(&d->log, IK_LOG_NOTICE, "%%IKERD-5-START: ikerd %s: %s, %u worker(s), kernel %s, "
	       "control socket %s", PACKAGE_VERSION, d->cfg->file ? d->cfg->file : o.conf_path,
	       d->nworkers, d->kernel->ops->name, o.ctl_path);
	{
		struct ik_sb st;

		ik_sb_init(&st);
		ik_sb_printf(&st, "Running %s, %u worker(s), control socket %s",
			     d->cfg->file ? d->cfg->file : o.conf_path, d->nworkers, o.ctl_path);
		ikd_notify_ready(ik_sb_str(&st));
		ik_sb_free(&st);
	}
	if (notify_fd >= 0) {
		char ok = 0;

		if (write(notify_fd, &ok, 1) != 1)
			perror("ikerd: notify");
		close(notify_fd);
		notify_fd = -1;
		detach_stdio();
	}
	ikd_initiate_all(d);
	if (o.metrics_path)
		ikd_metrics_write(d, o.metrics_path, true);

	while (!d->quit) {
		int tick = ikd_ctl_tick(d, ikd_now_ms());
		struct epoll_event evs[32];
		int n = epoll_wait(d->epfd, evs, (int)IK_ARRAY_LEN(evs), tick);

		if (n < 0 && errno != EINTR) {
			ik_msg(&d->log, IK_LOG_ERR, "%%IKERD-3-EPOLL: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n && !d->quit; i++) {
			uint64_t tag = evs[i].data.u64;

			if (tag == EV_CTL)
				ikd_ctl_accept(d);
			else if (tag == EV_SIGNAL)
				signal_event(d, sfd);
			else if (tag == EV_KERNEL)
				kernel_events(d);
			else if (tag == EV_METRICS) {
				uint64_t ticks;

				if (read(mfd, &ticks, sizeof(ticks)) == (ssize_t)sizeof(ticks))
					ikd_metrics_write(d, o.metrics_path, false);
			}
			else
				ikd_ctl_client_event(d, evs[i].data.ptr, evs[i].events);
		}
	}
	rc = 0;
	ikd_notify_stopping();
out:
	if (d) {
		ikd_ctl_close(d, o.ctl_path);
		if (d->epfd >= 0)
			close(d->epfd);
		ikd_free(d);
	}
	if (sfd >= 0)
		close(sfd);
	if (mfd >= 0)
		close(mfd);
	/* no metrics of a daemon that is gone: absent, not stale */
	if (o.metrics_path && mfd >= 0)
		unlink(o.metrics_path);
	if (pid_fd >= 0) {
		unlink(pid_path);
		close(pid_fd);
	}
	ik_sb_free(&err);
	if (!o.foreground)
		closelog();
	return rc;
}
