/* Metrics for Prometheus, as a node_exporter textfile-collector file
 * (ikerd --metrics FILE): the counters and gauges of the engines and the
 * state of every tunnel interface, in the text exposition format, written to
 * FILE.tmp and renamed over FILE so that a reader never sees half a file.
 *
 * Why a file and not an HTTP port: a router already runs node_exporter (or
 * can), which serves the file with its own TLS and authentication; ikerd, a
 * root daemon holding keys, opens no further listening socket and carries no
 * HTTP server. The file is refreshed every interval, and only when a worker
 * received, sent or dropped a datagram or an SA came or went since the last
 * write (and at least every METRICS_FULL_EVERY intervals, for SAs that
 * expired in silence): an idle router does almost no work for it. */
#include "daemon/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "util/addr.h"
#include "util/secmem.h"
#include "util/util.h"

#define METRICS_FULL_EVERY 20

struct metrics_part {
	struct ik_engine_stats st;
	uint64_t rx, tx, dropped, events;
	char **ifnames;         /* tunnel of each child SA ("" for none) */
	size_t n, cap;
	bool count_only;
};

static void child_seen(void *ctx, const struct ik_child_sa *c)
{
	struct metrics_part *p = ctx;

	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->ifnames = ik_xrealloc(p->ifnames, p->cap * sizeof(*p->ifnames));
	}
	p->ifnames[p->n++] = ik_xstrdup(c->ifname);
}

static void task_metrics(struct ikd_worker *w, void *arg)
{
	struct metrics_part *p = arg;

	p->rx = w->rx;
	p->tx = w->tx;
	p->dropped = w->rx_dropped;
	p->events = w->sa_events;
	if (p->count_only)
		return;
	ik_engine_stats(w->eng, &p->st);
	ik_engine_foreach_child(w->eng, child_seen, p);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A label value: backslash, quote and newline escaped. */
static void label(struct ik_sb *out, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			ik_sb_printf(out, "\\%c", *v);
		else if (*v == '\n')
			ik_sb_add(out, "\\n");
		else
			ik_sb_addn(out, v, 1);
	}
}

static void head(struct ik_sb *out, const char *name, const char *type, const char *help)
{
	ik_sb_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The text exposition of the parts of all workers. */
static void render(struct ikd *d, struct metrics_part *parts, struct ik_sb *out)
{
	struct ik_engine_stats t;
	struct ik_secmem_stats sm;
	uint64_t rx = 0, tx = 0, dropped = 0;
	char **all = NULL;
	size_t n = 0;

	memset(&t, 0, sizeof(t));
	for (unsigned k = 0; k < d->nworkers; k++) {
		const struct metrics_part *p = &parts[k];

		t.isakmp_sas += p->st.isakmp_sas;
		t.isakmp_up += p->st.isakmp_up;
		t.half_open += p->st.half_open;
		t.child_sas += p->st.child_sas;
		t.p1_done += p->st.p1_done;
		t.p1_failed += p->st.p1_failed;
		t.p2_done += p->st.p2_done;
		t.p2_failed += p->st.p2_failed;
		t.half_open_refused += p->st.half_open_refused;
		t.half_open_evicted += p->st.half_open_evicted;
		t.retransmits += p->st.retransmits;
		rx += p->rx;
		tx += p->tx;
		dropped += p->dropped;
		n += p->n;
	}
	all = ik_xcalloc(n ? n : 1, sizeof(*all));
	n = 0;
	for (unsigned k = 0; k < d->nworkers; k++)
		for (size_t i = 0; i < parts[k].n; i++)
			all[n++] = parts[k].ifnames[i];
	qsort(all, n, sizeof(*all), str_cmp);

	head(out, "ikerd_info", "gauge", "ikerd's version and configuration file.");
	ik_sb_add(out, "ikerd_info{version=\"" PACKAGE_VERSION "\",config=\"");
	label(out, d->cfg->file ? d->cfg->file : "");
	ik_sb_add(out, "\"} 1\n");
	head(out, "ikerd_isakmp_sas", "gauge",
	     "ISAKMP SAs in the table: established (QM_IDLE) or still negotiating.");
	ik_sb_printf(out, "ikerd_isakmp_sas{state=\"established\"} %u\n", t.isakmp_up);
	ik_sb_printf(out, "ikerd_isakmp_sas{state=\"negotiating\"} %u\n", t.half_open);
	head(out, "ikerd_ipsec_sas", "gauge", "IPsec SA pairs (inbound and outbound) up.");
	ik_sb_printf(out, "ikerd_ipsec_sas %u\n", t.child_sas);
	head(out, "ikerd_phase1_total", "counter", "Phase 1 (Main Mode) exchanges, by result.");
	ik_sb_printf(out, "ikerd_phase1_total{result=\"completed\"} %llu\n"
		     "ikerd_phase1_total{result=\"failed\"} %llu\n",
		     (unsigned long long)t.p1_done, (unsigned long long)t.p1_failed);
	head(out, "ikerd_phase2_total", "counter", "Phase 2 (Quick Mode) exchanges, by result.");
	ik_sb_printf(out, "ikerd_phase2_total{result=\"completed\"} %llu\n"
		     "ikerd_phase2_total{result=\"failed\"} %llu\n",
		     (unsigned long long)t.p2_done, (unsigned long long)t.p2_failed);
	head(out, "ikerd_half_open_refused_total", "counter",
	     "First messages refused (half-open limit or rate), as show crypto isakmp stats.");
	ik_sb_printf(out, "ikerd_half_open_refused_total %llu\n",
		     (unsigned long long)t.half_open_refused);
	head(out, "ikerd_half_open_evicted_total", "counter",
	     "Half-open SAs dropped to make room for a newcomer.");
	ik_sb_printf(out, "ikerd_half_open_evicted_total %llu\n",
		     (unsigned long long)t.half_open_evicted);
	head(out, "ikerd_retransmissions_total", "counter", "IKE messages sent again on a timer.");
	ik_sb_printf(out, "ikerd_retransmissions_total %llu\n", (unsigned long long)t.retransmits);
	head(out, "ikerd_datagrams_received_total", "counter", "IKE datagrams received.");
	ik_sb_printf(out, "ikerd_datagrams_received_total %llu\n", (unsigned long long)rx);
	head(out, "ikerd_datagrams_sent_total", "counter", "IKE datagrams sent.");
	ik_sb_printf(out, "ikerd_datagrams_sent_total %llu\n", (unsigned long long)tx);
	head(out, "ikerd_datagrams_dropped_total", "counter",
	     "IKE datagrams dropped before the engine (malformed or unreadable).");
	ik_sb_printf(out, "ikerd_datagrams_dropped_total %llu\n", (unsigned long long)dropped);
	ik_secmem_stats(&sm); /* the process's: one pool for every worker */
	head(out, "ikerd_secure_memory_bytes", "gauge",
	     "Secure memory of the SAs' secrets: in use, and held from the system.");
	ik_sb_printf(out, "ikerd_secure_memory_bytes{kind=\"in_use\"} %zu\n"
		     "ikerd_secure_memory_bytes{kind=\"held\"} %zu\n", sm.in_use, sm.held);

	head(out, "ikerd_tunnel_up", "gauge",
	     "1 when the protected tunnel interface has an IPsec SA, else 0.");
	for (size_t i = 0; i < d->cfg->nifaces; i++) {
		const struct ik_interface *f = d->cfg->ifaces[i];
		char a[IK_ADDRSTRLEN];
		const char *key = f->name;
		char **hit;

		if (!f->is_tunnel || !f->protection)
			continue;
		hit = bsearch(&key, all, n, sizeof(*all), str_cmp);
		ik_sb_add(out, "ikerd_tunnel_up{interface=\"");
		label(out, f->name);
		ik_sb_printf(out, "\",destination=\"%s\",shutdown=\"%s\"} %d\n",
			     ik_addr_fmt(f->tunnel_dest, a), f->shutdown ? "yes" : "no", hit != NULL);
	}
	head(out, "ikerd_tunnel_ipsec_sas", "gauge",
	     "IPsec SA pairs of the tunnel interface (two while a rekey overlaps).");
	for (size_t i = 0; i < d->cfg->nifaces; i++) {
		const struct ik_interface *f = d->cfg->ifaces[i];
		const char *key = f->name;
		char **hit;
		size_t lo, hi;

		if (!f->is_tunnel || !f->protection)
			continue;
		hit = bsearch(&key, all, n, sizeof(*all), str_cmp);
		lo = hi = hit ? (size_t)(hit - all) : 0;
		if (hit) {
			while (lo > 0 && !strcmp(all[lo - 1], f->name))
				lo--;
			while (hi < n && !strcmp(all[hi], f->name))
				hi++;
		}
		ik_sb_add(out, "ikerd_tunnel_ipsec_sas{interface=\"");
		label(out, f->name);
		ik_sb_printf(out, "\"} %zu\n", hi - lo);
	}
	free(all);
}

static int write_file(const char *path, const struct ik_sb *text, struct ik_sb *err)
{
	char tmp[4200];
	int fd;
	ssize_t w;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		ik_sb_printf(err, "path too long");
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		ik_sb_printf(err, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	w = write(fd, text->s, text->len);
	if (w != (ssize_t)text->len || fsync(fd) || close(fd)) {
		ik_sb_printf(err, "%s: %s", tmp, w < 0 ? strerror(errno) : "short write");
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path)) {
		ik_sb_printf(err, "rename to %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int ikd_metrics_write(struct ikd *d, const char *path, bool force)
{
	struct metrics_part parts[IKD_MAX_WORKERS];
	uint64_t gen = 0;
	struct ik_sb out, err;
	int rc;

	memset(parts, 0, sizeof(parts));
	/* first the cheap counters: nothing happened, nothing to write */
	for (unsigned k = 0; k < d->nworkers; k++) {
		parts[k].count_only = true;
		ikd_worker_run(&d->workers[k], task_metrics, &parts[k]);
		gen += parts[k].rx + parts[k].tx + parts[k].dropped + parts[k].events;
	}
	if (++d->metrics_ticks >= METRICS_FULL_EVERY) {
		d->metrics_ticks = 0;
		force = true;
	}
	if (!force && d->metrics_written && gen == d->metrics_gen)
		return 0;
	for (unsigned k = 0; k < d->nworkers; k++) {
		parts[k].count_only = false;
		ikd_worker_run(&d->workers[k], task_metrics, &parts[k]);
	}
	ik_sb_init(&out);
	render(d, parts, &out);
	for (unsigned k = 0; k < d->nworkers; k++) {
		for (size_t i = 0; i < parts[k].n; i++)
			free(parts[k].ifnames[i]);
		free(parts[k].ifnames);
	}
	ik_sb_init(&err);
	rc = out.oom ? -1 : write_file(path, &out, &err);
	if (rc) {
		if (!d->metrics_failed)
			ik_msg(&d->log, IK_LOG_ERR, "%%IKERD-3-METRICS: cannot write %s: %s", path,
			       out.oom ? "out of memory" : ik_sb_str(&err));
		d->metrics_failed = true;
	} else {
		d->metrics_failed = false;
		d->metrics_written = true;
		d->metrics_gen = gen;
	}
	ik_sb_free(&err);
	ik_sb_free(&out);
	return rc;
}
