/* ikerd's run-time context: the running configuration snapshot, the kernel
 * backend, the workers (one IKE engine each, with its own UDP sockets), the
 * control socket and the log sink. The main thread owns the snapshot pointer,
 * the kernel event socket, signals and the control socket; each worker thread
 * owns its engine and touches it only on its own thread. The main thread asks
 * a worker for something (show, clear, initiate, new snapshot, debug switch) by
 * posting a task and waiting for it (ikd_worker_run).
 */
#ifndef IK_DAEMON_DAEMON_H
#define IK_DAEMON_DAEMON_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "conf/model.h"
#include "ctl/proto.h"
#include "ike/engine.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "vti/kernel.h"

#define IKD_MAX_WORKERS 16 /* show_merge.c handles up to 16 parts */
#define IKD_CONN_ID_BASE 1001u
#define IKD_CONN_ID_STRIDE 100000u

struct ikd;
struct ikd_worker;

struct ikd_opts {
	const char *conf_path;
	const char *ctl_path;   /* NULL: no control socket (tests, fuzzing) */
	const char *kernel;     /* "netlink" or "none" */
	unsigned workers;       /* 1..IKD_MAX_WORKERS */
	bool threads;           /* false: engines run on the caller's thread, no sockets */
	bool passive;
	unsigned retransmit_max; /* 0: the engine's default (5, as IOS) */
	bool foreground;        /* log to stderr, else syslog */
	unsigned debug_mask;
	const char *config_text; /* with conf_path NULL: configuration from memory */
	bool quiet;             /* log only to terminal monitor clients */
	const char *keylog_dir; /* --keylog: Wireshark decryption tables, NULL = off */
	const char *metrics_path; /* --metrics: Prometheus textfile, NULL = off */
};

/* A UDP socket pair (ports 500 and 4500) of one front-door VRF. */
struct ikd_sockset {
	char *vrf;              /* NULL = global */
	/* [0] port 500, [1] port 4500 on IPv4; [2] port 500, [3] port 4500 on
	 * IPv6 (IPV6_V6ONLY); -1 if not open */
	int fd[4];
	uint32_t ovfl[4];       /* the kernel's count of drops on each (SO_RXQ_OVFL) */
};

/* A function the main thread runs on a worker's thread (ikd_worker_run). */
struct ikd_task {
	void (*fn)(struct ikd_worker *w, void *arg);
	void *arg;
	bool done;
};

/* Crypto map failovers that may wait for a worker at once. */
#define IKD_MAX_HANDOFF 64u

struct ikd_worker {
	struct ikd *d;
	unsigned idx;
	bool threaded;
	pthread_t thr;
	struct ik_engine *eng;
	struct ik_log log;      /* debug_mask changed only on this worker's thread */
	struct ik_dbg_cond cond; /* debug crypto condition: this thread's copy */
	int epfd, evfd;
	struct ikd_sockset *socks;
	size_t nsocks, socks_cap;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct ikd_task *task;  /* posted by the main thread, NULL when idle */
	/* crypto map failovers handed over by other workers (under mu) */
	struct ik_cmap_handoff handoffs[IKD_MAX_HANDOFF];
	unsigned nhandoffs;
	bool stop;
	uint64_t rx, tx, rx_dropped;
	uint64_t sa_events;     /* SAs that came or went (metrics refresh) */
	uint64_t rx_overflow;   /* datagrams the kernel dropped: receive buffer full */
	/* heap given back after many SAs went: when the SA count was last
	 * looked at, its highest value seen since the heap was last trimmed */
	uint64_t trim_check_ms, trim_peak;
};

/* A control client (see ctlsrv.c). */
struct ikd_client {
	int fd;
	uint8_t *in;
	size_t inlen;
	struct ik_sb out;       /* pending answer bytes; guarded by d->out_mu */
	size_t outoff;
	bool monitor;           /* terminal monitor: log lines are streamed to it */
	bool closing;           /* close once out is flushed */
	bool dead;
	uint64_t out_progress_ms; /* when out last shrank (or became non-empty) */
	struct ikd_client *next;
};

/* Unsent answer bytes over which a client's requests wait (back-pressure),
 * and how long it may stay so without reading before it is dropped. */
#define IKD_CLIENT_OUT_HIGH (256u << 10)
#define IKD_CLIENT_STUCK_MS 60000u

struct ikd {
	struct ikd_opts opts;
	struct ik_config *cfg;  /* running snapshot (main thread) */
	struct ik_kernel *kernel;
	pthread_mutex_t kmu;    /* the kernel backend is not thread-safe */
	struct ik_log log;      /* main thread's log (reload, check, test) */
	unsigned debug_mask;
	struct ik_dbg_cond cond; /* debug crypto condition peer (main thread's set) */
	struct ikd_worker workers[IKD_MAX_WORKERS];
	unsigned nworkers;
	/* log sink and control clients */
	pthread_mutex_t out_mu;
	struct ikd_client *clients;
	int ctl_fd;
	int reserve_fd;         /* spare descriptor for accept() at the fd limit */
	uint64_t accept_paused_until; /* ms; 0: accepting */
	uint64_t ctl_refused, ctl_refused_logged_ms;
	int epfd;
	bool quit;
	uint64_t monitor_dropped;
	int keylog_fd[2];       /* --keylog: ikev1_decryption_table, esp_sa; -1 = off */
	/* --metrics: what the last write saw (see metrics.c) */
	uint64_t metrics_gen;
	bool metrics_written, metrics_failed;
	unsigned metrics_ticks;
	/* crypto maps: reverse routes and ACL line counts (cmap_kernel.c),
	 * under kmu */
	struct ikd_cmk *cmk;
};

/* Loads the configuration, opens the kernel backend, flushes stale state,
 * brings the tunnels up and starts the workers (sockets, engines). Returns
 * NULL with the reason in err. */
struct ikd *ikd_new(const struct ikd_opts *opts, struct ik_sb *err);
/* Initiates every protected tunnel (unless passive), each on its worker. */
void ikd_initiate_all(struct ikd *d);
/* Stops the workers, frees the engines (their SAs go), removes what was
 * installed in the kernel, closes the sockets. */
void ikd_free(struct ikd *d);

/* Runs one control command. client may be NULL (no terminal monitor).
 * Returns the answer status. */
enum ik_ctl_status ikd_command(struct ikd *d, struct ikd_client *client, const char *text,
			       bool json, struct ik_sb *out);

/* Reload: new snapshot, or the old one kept with the error in out (status).
 * Without force a file with no crypto object is refused while the running
 * configuration has some (an empty or clobbered file would end every tunnel). */
enum ik_ctl_status ikd_reload(struct ikd *d, bool force, struct ik_sb *out);

/* A configuration warning's message without its "line N: " prefix. */
const char *ikd_warning_text(const struct ik_conf_warning *w);

/* The worker that owns a peer address: the same hash as the socket-selecting
 * BPF program (source address modulo the number of workers). */
struct ikd_worker *ikd_worker_for(struct ikd *d, uint32_t peer);
/* The address of a Linux interface by name: IPv4 (0 when none), or its first
 * global IPv6 address (false when none). */
uint32_t ikd_ifaddr4(const char *name);
bool ikd_ifaddr6(const char *name, uint8_t out[16]);
/* One datagram of the netlink address dump ikd_ifaddr6 reads (len bytes,
 * aligned as struct nlmsghdr): 1 with out set when a message holds a global
 * IPv6 address of interface idx, -1 at the end of the dump (or a malformed
 * message), 0 when the next datagram must be read. */
struct nlmsghdr;
int ikd_ifaddr6_walk(const struct nlmsghdr *buf, size_t len, unsigned idx, uint8_t out[16]);
/* Runs fn(w, arg) on w's thread and waits for it. */
void ikd_worker_run(struct ikd_worker *w, void (*fn)(struct ikd_worker *w, void *arg), void *arg);

/* cmap_kernel.c: a crypto map child SA up or down (caller holds kmu):
 * its reverse route and its ACL line's counts. */
void ikd_cmap_child(struct ikd *d, const struct ik_child_sa *c, bool up);
/* reverse-route static routes of nw installed, those of old removed (old
 * NULL at start, nw NULL at exit). */
void ikd_cmap_static_sync(struct ikd *d, const struct ik_config *old,
			  const struct ik_config *nw);
/* Removes every reverse route still installed and frees the tables. */
void ikd_cmap_kernel_free(struct ikd *d);
/* show crypto route. */
void ikd_show_crypto_route(struct ikd *d, bool json, struct ik_sb *out);
/* The packet counts of cfg's ACL lines and map entries (freed with
 * ik_cmap_counts_free). 0, or -1 (out of memory). */
struct ik_cmap_counts;
int ikd_cmap_counts(struct ikd *d, const struct ik_config *cfg, struct ik_cmap_counts *out);

/* worker.c */
int ikd_worker_start(struct ikd *d, struct ikd_worker *w, struct ik_sb *err);
void ikd_worker_stop(struct ikd_worker *w);
/* Opens the socket pairs of every fVRF the configuration uses that w lacks. */
void ikd_worker_sockets_sync(struct ikd_worker *w, const struct ik_config *cfg);
/* Receive buffer bytes of an IKE socket under cfg (sized from its half-open limit). */
int ikd_rcvbuf_bytes(const struct ik_config *cfg);

/* logsink.c: the sink of every ik_log of the daemon. */
void ikd_log_sink(void *ctx, unsigned cat, int sev, const char *line);
/* The syslog priority of a log line: LOG_DEBUG for a debug line (cat != 0),
 * the N of an IOS %FACILITY-N-MNEMONIC message, else sev. */
int ikd_log_priority(unsigned cat, int sev, const char *line);
/* Formats the IOS timestamp "*Nov 21 10:04:24.826: " of now. */
void ikd_log_stamp(char *buf, size_t len);

/* notify.c: sd_notify(3) readiness, reload and status (no-ops without
 * libsystemd or outside systemd). status is one line, may be NULL. */
void ikd_notify_ready(const char *status);
void ikd_notify_reloading(void);
void ikd_notify_stopping(void);

/* keylog.c: Wireshark's decryption tables (show crypto isakmp sa keys and
 * ikerd --keylog DIR, which appends a row for every new SA). */
int ikd_keylog_open(struct ikd *d, const char *dir, struct ik_sb *err);
void ikd_keylog_close(struct ikd *d);
void ikd_keylog_show(struct ikd *d, bool json, struct ik_sb *out);
void ikd_keylog_p1(struct ikd *d, const uint8_t cky_i[8], const uint8_t *key, size_t len);
void ikd_keylog_child(struct ikd *d, const struct ik_child_sa *c);

/* metrics.c: the Prometheus textfile (ikerd --metrics FILE), written
 * atomically; unless force, only when something changed since the last
 * write. Returns 0, or -1 (logged once until a write succeeds again). */
int ikd_metrics_write(struct ikd *d, const char *path, bool force);

/* ctlsrv.c */
/* mkdir -p of the directory of path; its last level gets mode 0700. */
int ikd_mkdir_parent(const char *path, struct ik_sb *err);
int ikd_ctl_open(struct ikd *d, const char *path, struct ik_sb *err);
void ikd_ctl_close(struct ikd *d, const char *path);
/* Handles an event on the listening socket or a client (main thread). */
void ikd_ctl_accept(struct ikd *d);
void ikd_ctl_client_event(struct ikd *d, struct ikd_client *c, uint32_t events);
/* Makes fd (a connected stream socket) a control client; NULL (fd closed) on
 * failure. */
struct ikd_client *ikd_ctl_client_add(struct ikd *d, int fd);
/* Periodic work at time now (ikd_now_ms): resumes accepting after a pause at
 * the descriptor limit, drops clients stuck over IKD_CLIENT_OUT_HIGH for
 * IKD_CLIENT_STUCK_MS. Returns the ms until it has work again, or -1. */
int ikd_ctl_tick(struct ikd *d, uint64_t now);
/* CLOCK_MONOTONIC in ms. */
uint64_t ikd_now_ms(void);
/* Sends what c has pending, without blocking; caller holds d->out_mu. */
void ikd_client_flush_locked(struct ikd *d, struct ikd_client *c);
/* Appends an answer frame to a client's output and tries to send it
 * (caller holds no lock). */
void ikd_client_send(struct ikd *d, struct ikd_client *c, enum ik_ctl_status st,
		     const char *text, size_t len);

/* Processes one request payload (after the length) from a client; used by
 * the control server and by the fuzz target. Returns the answer status and
 * fills out with the answer text. */
enum ik_ctl_status ikd_request(struct ikd *d, struct ikd_client *client, const uint8_t *p,
			       size_t len, struct ik_sb *out);

#endif
