/* ikerd's context: start-up, tunnels, reload, and the control commands (see
 * daemon.h). */
#include "daemon/daemon.h"

#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl/cli.h"
#include "ctl/filter.h"
#include "daemon/show_conf.h"
#include "pki/pki_show.h"
#include "profile/v2_select.h"
#include "daemon/show_merge.h"
#include "ike/peer.h"
#include "profile/check.h"
#include "profile/cmap_select.h"
#include "profile/snapshot.h"
#include "util/addr.h"
#include "util/secmem.h"
#include "util/util.h"

struct ikd_worker *ikd_worker_for(struct ikd *d, uint32_t peer)
{
	return &d->workers[peer % d->nworkers];
}

/* ---- tunnels ---- */

/* The worker that serves a tunnel's destination. */
static struct ikd_worker *tunnel_worker(struct ikd *d, const struct ik_interface *t)
{
	struct ik_addr dst;

	ik_iface_tunnel_dest(t, &dst);
	return ikd_worker_for(d, ik_addr_shard(&dst));
}

/* The checker's lookup of a Linux interface's address (0 when it has one). */
static int check_ifaddr(void *ctx, const char *name, uint32_t *addr)
{
	(void)ctx;
	*addr = ikd_ifaddr4(name);
	return *addr ? 0 : -1;
}

/* The tunnel's local (outer) address, of the family of its mode; false
 * (logged) when there is none. */
static bool tunnel_local(struct ikd *d, const struct ik_interface *t, struct ik_addr *a)
{
	bool v6 = ik_tunnel_mode_v6(t->tunnel_mode);

	memset(a, 0, sizeof(*a));
	if (v6)
		a->family = IK_AF_INET6;
	if (t->tunnel_source_resolved && v6 && t->tunnel_source_v6) {
		memcpy(a->v6, t->tunnel_source6, 16);
		return true;
	}
	if (t->tunnel_source_resolved && !v6) {
		a->v4 = t->tunnel_source;
		return a->v4 != 0;
	}
	if (!t->tunnel_source_if) {
		ik_msg(&d->log, IK_LOG_ERR, "%%IKERD-3-TUNNEL: %s (line %d) has no tunnel source",
		       t->name, t->line);
		return false;
	}
	if (v6 ? ikd_ifaddr6(t->tunnel_source_if, a->v6) :
	    (a->v4 = ikd_ifaddr4(t->tunnel_source_if)) != 0)
		return true;
	ik_msg(&d->log, IK_LOG_ERR, "%%IKERD-3-TUNNEL: %s (line %d): tunnel source %s is "
	       "neither a configured interface with an address nor a Linux interface "
	       "with an %s address", t->name, t->line, t->tunnel_source_if,
	       v6 ? "IPv6" : "IPv4");
	return false;
}

static void tunnel_up(struct ikd *d, const struct ik_config *cfg, const struct ik_interface *t)
{
	struct ik_addr local;
	int rc;

	if (!tunnel_local(d, t, &local))
		return;
	pthread_mutex_lock(&d->kmu);
	rc = d->kernel->ops->tunnel_up(d->kernel, cfg, t, &local);
	pthread_mutex_unlock(&d->kmu);
	if (rc)
		ik_msg(&d->log, IK_LOG_ERR, "%%IKERD-3-TUNNEL: cannot bring %s (line %d) up",
		       t->name, t->line);
	else
		ik_msg(&d->log, IK_LOG_NOTICE, "%%LINK-3-UPDOWN: Interface %s, changed state to "
		       "up", t->name);
}

static void tunnel_down(struct ikd *d, const struct ik_interface *t)
{
	int rc;

	pthread_mutex_lock(&d->kmu);
	rc = d->kernel->ops->tunnel_down(d->kernel, t);
	pthread_mutex_unlock(&d->kmu);
	if (rc)
		ik_msg(&d->log, IK_LOG_ERR, "%%IKERD-3-TUNNEL: cannot bring %s down", t->name);
	else
		ik_msg(&d->log, IK_LOG_NOTICE, "%%LINK-3-UPDOWN: Interface %s, changed state to "
		       "down", t->name);
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Whether a tunnel interface is configured the same in two snapshots. */
static bool tunnel_same(const struct ik_interface *a, const struct ik_interface *b)
{
	return a->addr == b->addr && a->mask == b->mask && a->shutdown == b->shutdown &&
	       a->has_addr6 == b->has_addr6 && !memcmp(a->addr6, b->addr6, 16) &&
	       a->plen6 == b->plen6 &&
	       str_eq(a->vrf, b->vrf) && str_eq(a->tunnel_source_if, b->tunnel_source_if) &&
	       a->tunnel_source == b->tunnel_source && a->tunnel_dest == b->tunnel_dest &&
	       a->tunnel_source_v6 == b->tunnel_source_v6 &&
	       !memcmp(a->tunnel_source6, b->tunnel_source6, 16) &&
	       a->tunnel_dest_v6 == b->tunnel_dest_v6 &&
	       !memcmp(a->tunnel_dest6, b->tunnel_dest6, 16) &&
	       a->tunnel_mode == b->tunnel_mode && str_eq(a->tunnel_vrf, b->tunnel_vrf) &&
	       str_eq(a->protection ? a->protection->name : NULL,
		      b->protection ? b->protection->name : NULL);
}

static bool tunnel_wanted(const struct ik_interface *i)
{
	return i->is_tunnel && !i->shutdown;
}

/* Brings down the tunnels of old that are gone or changed in new, and up
 * those of new that are new or changed. old may be NULL (start-up). */
static void tunnels_sync(struct ikd *d, const struct ik_config *old, const struct ik_config *nw)
{
	for (size_t i = 0; old && i < old->nifaces; i++) {
		const struct ik_interface *o = old->ifaces[i], *n;

		if (!tunnel_wanted(o))
			continue;
		n = ik_config_find_iface(nw, o->name);
		if (!n || !tunnel_wanted(n) || !tunnel_same(o, n))
			tunnel_down(d, o);
	}
	for (size_t i = 0; i < nw->nifaces; i++) {
		const struct ik_interface *n = nw->ifaces[i], *o;

		if (!tunnel_wanted(n))
			continue;
		o = old ? ik_config_find_iface(old, n->name) : NULL;
		if (!o || !tunnel_wanted(o) || !tunnel_same(o, n))
			tunnel_up(d, nw, n);
	}
}

/* ---- crypto maps: the traps (outbound policies without SA) ---- */

struct trap_ctx {
	struct ikd *d;
	bool add;
};

static void trap_one(void *ctx, const struct ik_cmap_entry *e, size_t ace,
		     const struct ik_selector *sel, uint32_t reqid, const struct ik_addr *local,
		     const struct ik_addr *peer)
{
	struct trap_ctx *t = ctx;
	struct ik_kernel *k = t->d->kernel;
	int rc;

	pthread_mutex_lock(&t->d->kmu);
	rc = t->add ? k->ops->trap_add(k, sel, reqid, local, peer) : k->ops->trap_del(k, sel);
	pthread_mutex_unlock(&t->d->kmu);
	if (rc)
		ik_msg(&t->d->log, IK_LOG_ERR, "%%IKERD-3-CRYPTO_MAP: crypto map %s %u, access "
		       "list %s line %u: cannot %s its kernel policy", e->map->name, e->seq,
		       e->acl->name, e->acl->aces[ace].seq, t->add ? "install" : "remove");
}

/* The traps of old removed and those of nw installed (old NULL: start-up). */
static void cmaps_sync(struct ikd *d, const struct ik_config *old, const struct ik_config *nw)
{
	struct trap_ctx t = { d, false };

	if (old)
		ik_cmap_traps(old, trap_one, &t);
	t.add = true;
	ik_cmap_traps(nw, trap_one, &t);
	ikd_cmap_static_sync(d, old, nw);
}

const char *ikd_warning_text(const struct ik_conf_warning *w)
{
	const char *m = w->msg;
	char pfx[32];
	int n = snprintf(pfx, sizeof(pfx), "line %d: ", w->line);

	/* the location is printed by the caller as FILE:LINE */
	if (n > 0 && !strncmp(m, pfx, (size_t)n))
		m += n;
	return m;
}

static void log_warnings(struct ikd *d, const struct ik_config *cfg)
{
	for (size_t i = 0; i < cfg->nwarnings; i++)
		ik_msg(&d->log, IK_LOG_WARNING, "%%IKERD-4-CONFIG: %s:%d: %s", cfg->file,
		       cfg->warnings[i].line, ikd_warning_text(&cfg->warnings[i]));
}

/* ---- workers: tasks run on a worker's thread ---- */

void ikd_worker_run(struct ikd_worker *w, void (*fn)(struct ikd_worker *w, void *arg), void *arg)
{
	struct ikd_task t = { fn, arg, false };
	uint64_t one = 1;

	if (!w->threaded) {
		fn(w, arg);
		return;
	}
	pthread_mutex_lock(&w->mu);
	w->task = &t;
	pthread_mutex_unlock(&w->mu);
	while (write(w->evfd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
	pthread_mutex_lock(&w->mu);
	while (!t.done)
		pthread_cond_wait(&w->cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
}

/* fn on every worker at once: all posted, then all waited for, so that the
 * workers run it side by side (a reload re-binds each worker's SAs). */
static void workers_run_all(struct ikd *d, void (*fn)(struct ikd_worker *w, void *arg),
			    void *arg)
{
	struct ikd_task t[IKD_MAX_WORKERS];
	uint64_t one = 1;

	for (unsigned i = 0; i < d->nworkers; i++) {
		struct ikd_worker *w = &d->workers[i];

		t[i].fn = fn;
		t[i].arg = arg;
		t[i].done = false;
		if (!w->threaded) {
			fn(w, arg);
			t[i].done = true;
			continue;
		}
		pthread_mutex_lock(&w->mu);
		w->task = &t[i];
		pthread_mutex_unlock(&w->mu);
		while (write(w->evfd, &one, sizeof(one)) < 0 && errno == EINTR)
			;
	}
	for (unsigned i = 0; i < d->nworkers; i++) {
		struct ikd_worker *w = &d->workers[i];

		pthread_mutex_lock(&w->mu);
		while (!t[i].done)
			pthread_cond_wait(&w->cv, &w->mu);
		pthread_mutex_unlock(&w->mu);
	}
}

static void task_set_config(struct ikd_worker *w, void *arg)
{
	ik_engine_set_config(w->eng, arg);
	if (w->threaded)
		ikd_worker_sockets_sync(w, arg);
}

static void task_set_debug(struct ikd_worker *w, void *arg)
{
	w->log.debug_mask = *(const unsigned *)arg;
}

/* The worker's copy of the condition set; the peer of its current event stays. */
static void task_set_cond(struct ikd_worker *w, void *arg)
{
	const struct ik_dbg_cond *c = arg;

	memcpy(w->cond.slot, c->slot, sizeof(w->cond.slot));
	w->cond.n = c->n;
	ik_log_scope(&w->log, w->cond.cur);
}

struct initiate_arg {
	const char *ifname;
	struct ik_sb *err;
	int rc;
};

static void task_initiate(struct ikd_worker *w, void *arg)
{
	struct initiate_arg *a = arg;

	a->rc = ik_engine_initiate(w->eng, a->ifname, a->err);
}

struct initiate_map_arg {
	const char *map;
	struct ik_flow flow;
	struct ik_sb *err;
	int rc;
};

static void task_initiate_map(struct ikd_worker *w, void *arg)
{
	struct initiate_map_arg *a = arg;

	a->rc = ik_engine_initiate_map(w->eng, a->map, &a->flow, a->err);
}

/* initiate map M SRC DST: the engine of the entry's first peer (the worker
 * that owns that peer) brings the SA pair up. */
static enum ik_ctl_status initiate_map(struct ikd *d, const struct ik_cli_cmd *cmd,
				       struct ik_sb *out)
{
	const struct ik_cmap *m = ik_config_find_cmap(d->cfg, cmd->name, false);
	struct initiate_map_arg ia = { .map = cmd->name, .err = out };
	struct ik_cmap_match mt;
	char a[IK_ADDR_ANYSTRLEN], b[IK_ADDR_ANYSTRLEN], p[IK_ADDR_ANYSTRLEN];

	ia.flow.src = cmd->flow_src;
	ia.flow.dst = cmd->flow_dst;
	/* as a ping (ICMPv6 for IPv6) */
	ia.flow.proto = cmd->flow_src.family == IK_AF_INET6 ? 58 : 1;
	if (cmd->flow_src.family != cmd->flow_dst.family) {
		ik_sb_printf(out, "%% %s and %s are not of one address family\n",
			     ik_addr_fmt_any(&cmd->flow_src, a), ik_addr_fmt_any(&cmd->flow_dst, b));
		return IK_CTL_ERROR;
	}
	if (!m) {
		ik_sb_printf(out, "%% crypto map %s is not configured\n", cmd->name);
		return IK_CTL_ERROR;
	}
	if (ik_cmap_match_flow(m, &ia.flow, &mt)) {
		ik_sb_printf(out, "%% no entry of crypto map %s protects %s -> %s\n", cmd->name,
			     ik_addr_fmt_any(&cmd->flow_src, a), ik_addr_fmt_any(&cmd->flow_dst, b));
		return IK_CTL_ERROR;
	}
	ikd_worker_run(ikd_worker_for(d, ik_addr_shard(&mt.entry->peers[0])), task_initiate_map,
		       &ia);
	if (ia.rc) {
		ik_sb_add(out, "\n");
		return IK_CTL_ERROR;
	}
	ik_sb_printf(out, "Initiating crypto map %s %u for %s -> %s to %s\n", cmd->name,
		     mt.entry->seq, ik_addr_fmt_any(&cmd->flow_src, a),
		     ik_addr_fmt_any(&cmd->flow_dst, b), ik_addr_fmt_any(&mt.entry->peers[0], p));
	return IK_CTL_OK;
}

struct show_arg {
	enum ik_cmd_id id;
	bool detail, json;
	struct ik_show_opts opts;
	struct ik_sb out;
};

static void task_show(struct ikd_worker *w, void *arg)
{
	struct show_arg *a = arg;

	switch (a->id) {
	case IK_CMD_SHOW_ISAKMP_SA:
		ik_engine_show_isakmp_sa(w->eng, a->detail, a->json, &a->out);
		break;
	case IK_CMD_SHOW_IPSEC_SA:
		ik_engine_show_ipsec_sa_opt(w->eng, &a->opts, a->json, &a->out);
		break;
	case IK_CMD_SHOW_SESSION:
	case IK_CMD_SHOW_SESSION_BRIEF:
		ik_engine_show_session_opt(w->eng, &a->opts, a->json, &a->out);
		break;
	case IK_CMD_SHOW_ENGINE_CONNS:
		ik_engine_show_engine_conns(w->eng, a->json, &a->out);
		break;
	case IK_CMD_SHOW_ISAKMP_PEERS:
		if (a->detail)
			ik_engine_show_peers_detail(w->eng, a->json, &a->out);
		else
			ik_engine_show_peers(w->eng, a->json, &a->out);
		break;
	case IK_CMD_SHOW_IKEV2_PEER_STATS: {
		ik_engine_show_v2_peer_stats(w->eng, &a->opts.peer_ip, a->json, &a->out);
		break;
	}
	case IK_CMD_SHOW_IKEV2_SA:
		ik_engine_show_ikev2_sa(w->eng, &a->opts, a->json, &a->out);
		break;
	case IK_CMD_SHOW_IKEV2_SESSION:
		ik_engine_show_ikev2_session(w->eng, &a->opts, a->json, &a->out);
		break;
	default:
		break;
	}
}

static void task_stats(struct ikd_worker *w, void *arg)
{
	struct ikd_stats *s = arg;
	struct ik_engine_stats st;

	ik_engine_stats(w->eng, &st);
	s->sas_up = st.isakmp_up;
	s->half_open = st.half_open;
	s->child_sas = st.child_sas;
	s->half_open_refused = st.half_open_refused;
	s->half_open_evicted = st.half_open_evicted;
	s->retransmits = st.retransmits;
	s->rx = w->rx;
	s->rx_dropped = w->rx_dropped;
	s->rx_overflow = w->rx_overflow;
	s->rx_engine_dropped = st.rx_dropped;
}

static void task_v2_stats(struct ikd_worker *w, void *arg)
{
	ik_engine_v2_stats(w->eng, arg);
}

/* show crypto ikev2 stats: every worker's counters, summed. */
static void show_v2_stats(struct ikd *d, bool json, struct ik_sb *out)
{
	struct ik_v2_stats sum, part;

	memset(&sum, 0, sizeof(sum));
	for (unsigned k = 0; k < d->nworkers; k++) {
		memset(&part, 0, sizeof(part));
		ikd_worker_run(&d->workers[k], task_v2_stats, &part);
		ik_v2_stats_add(&sum, &part);
	}
	ik_v2_stats_format(&sum, json, out);
}

static void show_stats(struct ikd *d, bool json, struct ik_sb *out)
{
	struct ikd_stats sum, part;
	struct ik_secmem_stats sm;

	memset(&sum, 0, sizeof(sum));
	for (unsigned k = 0; k < d->nworkers; k++) {
		memset(&part, 0, sizeof(part));
		ikd_worker_run(&d->workers[k], task_stats, &part);
		ikd_stats_add(&sum, &part);
	}
	ik_secmem_stats(&sm); /* the process's, shared by the workers */
	sum.secmem_in_use = sm.in_use;
	sum.secmem_held = sm.held;
	sum.secmem_chunks = sm.chunks;
	ikd_stats_format(&sum, json, out);
}

struct clear_arg {
	enum ik_clear_what what;
	bool has_peer;
	struct ik_addr peer;    /* IPv4 or IPv6 */
	unsigned conn_id;
};

static void task_clear_stats(struct ikd_worker *w, void *arg)
{
	(void)arg;
	ik_engine_clear_peer_stats(w->eng);
}

static void task_clear(struct ikd_worker *w, void *arg)
{
	const struct clear_arg *a = arg;

	ik_engine_clear_addr(w->eng, a->what, a->has_peer ? &a->peer : NULL, a->conn_id);
}

static void task_clear_map(struct ikd_worker *w, void *arg)
{
	const char *map = arg;

	ik_engine_clear_map(w->eng, map);
}

/* ---- start-up and shutdown ---- */

static int open_config(struct ikd *d, struct ik_config **cfg, struct ik_sb *err)
{
	struct ik_conf_error ce;

	memset(&ce, 0, sizeof(ce));
	if (d->opts.conf_path)
		*cfg = ik_snapshot_load_file(d->opts.conf_path, &ce);
	else
		*cfg = ik_snapshot_load_string(d->opts.config_text ? d->opts.config_text : "",
					       "<string>", &ce);
	if (*cfg)
		return 0;
	ik_conf_error_format_all(&ce, err);
	return -1;
}

struct ikd *ikd_new(const struct ikd_opts *opts, struct ik_sb *err)
{
	struct ikd *d = ik_xcalloc(1, sizeof(*d));
	struct ik_sb kerr;

	d->opts = *opts;
	d->ctl_fd = -1;
	d->reserve_fd = -1;
	d->epfd = -1;
	d->keylog_fd[0] = d->keylog_fd[1] = -1;
	d->debug_mask = opts->debug_mask;
	d->log.debug_mask = opts->debug_mask;
	d->log.sink = ikd_log_sink;
	d->log.ctx = d;
	pthread_mutex_init(&d->kmu, NULL);
	pthread_mutex_init(&d->out_mu, NULL);
	if (open_config(d, &d->cfg, err))
		goto fail;
	log_warnings(d, d->cfg);
	if (opts->keylog_dir && ikd_keylog_open(d, opts->keylog_dir, err))
		goto fail;

	ik_sb_init(&kerr);
	d->kernel = ik_kernel_open(opts->kernel ? opts->kernel : "netlink", &d->log, &kerr);
	if (!d->kernel) {
		ik_sb_printf(err, "cannot open the %s kernel backend: %s\n",
			     opts->kernel ? opts->kernel : "netlink", ik_sb_str(&kerr));
		ik_sb_free(&kerr);
		goto fail;
	}
	ik_sb_free(&kerr);
	if (d->kernel->ops->flush_owned(d->kernel))
		ik_msg(&d->log, IK_LOG_WARNING, "%%IKERD-4-KERNEL: could not remove the state "
		       "an earlier ikerd left in the %s backend", d->kernel->ops->name);
	tunnels_sync(d, NULL, d->cfg);
	cmaps_sync(d, NULL, d->cfg);

	d->nworkers = opts->workers ? opts->workers : 1;
	if (d->nworkers > IKD_MAX_WORKERS)
		d->nworkers = IKD_MAX_WORKERS;
	for (unsigned i = 0; i < d->nworkers; i++) {
		struct ikd_worker *w = &d->workers[i];

		w->d = d;
		w->idx = i;
		w->evfd = -1;
		w->epfd = -1;
		w->threaded = opts->threads;
		if (ikd_worker_start(d, w, err)) {
			for (unsigned k = 0; k < i; k++)
				ikd_worker_stop(&d->workers[k]);
			d->nworkers = 0;
			goto fail;
		}
	}
	return d;
fail:
	ikd_free(d);
	return NULL;
}

void ikd_initiate_all(struct ikd *d)
{
	if (d->opts.passive)
		return;
	for (size_t i = 0; i < d->cfg->nifaces; i++) {
		const struct ik_interface *t = d->cfg->ifaces[i];
		struct initiate_arg a;
		struct ik_sb e;

		if (!tunnel_wanted(t) || !t->protection || (!t->tunnel_dest && !t->tunnel_dest_v6))
			continue;
		ik_sb_init(&e);
		a.ifname = t->name;
		a.err = &e;
		a.rc = 0;
		ikd_worker_run(tunnel_worker(d, t), task_initiate, &a);
		if (a.rc < 0)
			ik_msg(&d->log, IK_LOG_ERR, "%%IKERD-3-INITIATE: %s: %s", t->name,
			       ik_sb_str(&e));
		ik_sb_free(&e);
	}
}

void ikd_free(struct ikd *d)
{
	if (!d)
		return;
	for (unsigned i = 0; i < d->nworkers; i++)
		ikd_worker_stop(&d->workers[i]);
	if (d->kernel) {
		pthread_mutex_lock(&d->kmu);
		ikd_cmap_kernel_free(d);
		d->kernel->ops->shutdown(d->kernel);
		d->kernel->ops->free(d->kernel);
		pthread_mutex_unlock(&d->kmu);
	}
	if (d->cfg)
		ik_config_unref(d->cfg);
	ikd_keylog_close(d);
	pthread_mutex_destroy(&d->kmu);
	pthread_mutex_destroy(&d->out_mu);
	free(d);
}

/* ---- reload ---- */

/* Crypto objects of a snapshot: ISAKMP policies, pre-shared keys, keyrings,
 * profiles, transform sets, IPsec profiles, IKEv2 objects, protected
 * tunnels. A reload to none from some would take every tunnel down. */
static size_t crypto_objects(const struct ik_config *cfg)
{
	size_t n = cfg->npolicies + cfg->nkeys + cfg->nprofiles + cfg->ntsets +
		   cfg->nipsec_profiles + cfg->nv2_keyrings + cfg->nv2_proposals +
		   cfg->nv2_policies + cfg->nv2_profiles;

	if (cfg->nkeyrings > 1) /* keyrings[0] is the default one, always there */
		n += cfg->nkeyrings - 1;
	for (size_t i = 0; i < cfg->nifaces; i++)
		n += cfg->ifaces[i]->is_tunnel && cfg->ifaces[i]->protection;
	return n;
}

enum ik_ctl_status ikd_reload(struct ikd *d, bool force, struct ik_sb *out)
{
	struct ik_config *nw, *old = d->cfg;
	struct ik_sb err;
	size_t had;

	ik_sb_init(&err);
	ikd_notify_reloading();
	if (open_config(d, &nw, &err)) {
		ik_msg(&d->log, IK_LOG_ERR, "%%IKERD-3-RELOAD: configuration not loaded, the "
		       "running one is kept: %s", ik_sb_str(&err));
		ik_sb_printf(out, "%s%% Reload failed: the running configuration is kept.\n",
			     ik_sb_str(&err));
		ik_sb_printf(&err, " (reload failed, running configuration kept)");
		ikd_notify_ready(ik_sb_str(&err));
		ik_sb_free(&err);
		return IK_CTL_ERROR;
	}
	had = crypto_objects(old);
	if (!force && had && !crypto_objects(nw)) {
		const char *f = nw->file ? nw->file : "<string>";

		ik_msg(&d->log, IK_LOG_ERR, "%%IKERD-3-RELOAD: %s has no crypto configuration "
		       "(the running one has %zu objects): reload refused, the running "
		       "configuration is kept; 'ikerctl reload force' loads it anyway", f, had);
		ik_sb_printf(out, "%s: no crypto configuration in this file (no isakmp policy, "
			     "key, keyring, profile, transform set or protected tunnel), while the "
			     "running configuration has %zu; loading it would take every tunnel "
			     "down.\n%% Reload refused: the running configuration is kept "
			     "(\"reload force\" loads the file anyway).\n", f, had);
		ik_config_unref(nw);
		ik_sb_free(&err);
		return IK_CTL_ERROR;
	}
	ik_sb_free(&err);
	log_warnings(d, nw);
	workers_run_all(d, task_set_config, nw);
	tunnels_sync(d, old, nw);
	cmaps_sync(d, old, nw);
	d->cfg = nw;
	ik_config_unref(old);
#ifdef __GLIBC__
	/* A large snapshot is freed in blocks that glibc keeps for reuse (its
	 * mmap threshold rises after the first large free): RSS would climb by
	 * several snapshots' worth over the first reloads and stay there.
	 * Hand the free pages back once per reload (measured by
	 * tests/bench/reload.sh: flat instead of +28 MB at 100,000 keys). */
	malloc_trim(0);
#endif
	ik_msg(&d->log, IK_LOG_NOTICE, "%%IKERD-5-RELOAD: configuration reloaded from %s",
	       nw->file ? nw->file : "<string>");
	ik_sb_printf(out, "Configuration reloaded from %s (%zu line(s) ignored).\n",
		     nw->file ? nw->file : "<string>", nw->nwarnings);
	ikd_notify_ready(ik_sb_str(out));
	if (d->opts.metrics_path) /* the tunnels may be others now */
		ikd_metrics_write(d, d->opts.metrics_path, true);
	return IK_CTL_OK;
}

static void show_engines(struct ikd *d, const struct ik_cli_cmd *cmd, bool json,
			 struct ik_sb *out)
{
	struct show_arg a[IKD_MAX_WORKERS];
	struct ik_sb parts[IKD_MAX_WORKERS];

	memset(a, 0, sizeof(a));
	for (unsigned k = 0; k < d->nworkers; k++) {
		a[k].id = cmd->id;
		a[k].detail = cmd->detail;
		a[k].json = json;
		a[k].opts.peer = cmd->has_peer ? cmd->peer : 0;
		a[k].opts.has_peer_ip = cmd->has_peer;
		a[k].opts.peer_ip = cmd->peer_ip;
		a[k].opts.map = cmd->name[0] ? cmd->name : NULL;
		a[k].opts.detail = cmd->detail;
		a[k].opts.brief = cmd->id == IK_CMD_SHOW_SESSION_BRIEF;
		ik_sb_init(&a[k].out);
		ikd_worker_run(&d->workers[k], task_show, &a[k]);
	}
	for (unsigned k = 0; k < d->nworkers; k++)
		parts[k] = a[k].out;
	if (json)
		ikd_merge_json(parts, d->nworkers, out);
	else
		ikd_merge_text(parts, d->nworkers, out);
	for (unsigned k = 0; k < d->nworkers; k++)
		ik_sb_free(&a[k].out);
}

/* ---- commands ---- */

static const char *dbg_text(unsigned cat)
{
	switch (cat) {
	case IK_DBG_ISAKMP:
		return "Crypto ISAKMP";
	case IK_DBG_ISAKMP_AAA:
		return "Crypto ISAKMP AAA";
	case IK_DBG_IPSEC:
		return "Crypto IPSEC";
	case IK_DBG_IKEV2:
		return "Crypto IKEv2";
	case IK_DBG_ISAKMP_DETAIL:
		return "Crypto ISAKMP internals";
	case IK_DBG_PKI_TRANS:
		return "Crypto PKI Trans";
	case IK_DBG_PKI_MSG:
		return "Crypto PKI Msg";
	}
	return "Crypto";
}

static void set_cond(struct ikd *d)
{
	for (unsigned k = 0; k < d->nworkers; k++)
		ikd_worker_run(&d->workers[k], task_set_cond, &d->cond);
}

/* show crypto debug-condition, in IOS's layout. */
static void show_debug_cond(const struct ik_dbg_cond *c, bool json, struct ik_sb *out)
{
	uint32_t v[IK_DBG_COND_MAX];
	unsigned n = 0;
	char a[IK_ADDR_ANYSTRLEN];

	for (unsigned i = 0; i < IK_DBG_COND_SLOTS && n < IK_DBG_COND_MAX; i++)
		if (c->slot[i])
			v[n++] = c->slot[i];
	for (unsigned i = 1; i < n; i++) /* address order */
		for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint32_t t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	if (json) {
		ik_sb_printf(out, "{\"conditional_debug\":%s,\"unmatched\":false,"
			     "\"peer_ipv4\":[", n || c->n6 ? "true" : "false");
		for (unsigned i = 0; i < n; i++)
			ik_sb_printf(out, "%s\"%s\"", i ? "," : "", ik_addr_fmt(v[i], a));
		ik_sb_add(out, "],\"peer_ipv6\":[");
		for (unsigned i = 0; i < c->n6; i++)
			ik_sb_printf(out, "%s\"%s\"", i ? "," : "", ik_addr6_fmt_ios(c->v6[i], a));
		ik_sb_add(out, "]}\n");
		return;
	}
	ik_sb_printf(out, "Crypto conditional debug currently is turned %s\n",
		     n || c->n6 ? "ON" : "OFF");
	ik_sb_add(out, "IKE debug context unmatched flag:OFF\n"
		  "IPsec debug context unmatched flag:OFF\n"
		  "Crypto Engine debug context unmatched flag:OFF\n");
	if (!n && !c->n6)
		return;
	ik_sb_add(out, "\nIKE peer IP address filters:\n");
	for (unsigned i = 0; i < n; i++)
		ik_sb_printf(out, "%s ", ik_addr_fmt(v[i], a));
	for (unsigned i = 0; i < c->n6; i++)
		ik_sb_printf(out, "%s ", ik_addr6_fmt_ios(c->v6[i], a));
	ik_sb_add(out, "\n");
}

static void set_debug(struct ikd *d, unsigned mask)
{
	d->debug_mask = mask;
	d->log.debug_mask = mask;
	for (unsigned k = 0; k < d->nworkers; k++)
		ikd_worker_run(&d->workers[k], task_set_debug, &mask);
}

static void wrap_json(struct ik_sb *out, const char *text)
{
	ik_sb_add(out, "{\"output\":");
	ik_sb_json_str(out, text);
	ik_sb_add(out, "}\n");
}

static bool json_native(enum ik_cmd_id id)
{
	switch (id) {
	case IK_CMD_SHOW_ISAKMP_KEY:
	case IK_CMD_SHOW_ISAKMP_PROFILE:
	case IK_CMD_SHOW_ISAKMP_POLICY:
	case IK_CMD_SHOW_ISAKMP_DEFAULT_POLICY:
	case IK_CMD_SHOW_IPSEC_TSET:
	case IK_CMD_SHOW_IPSEC_PROFILE:
	case IK_CMD_SHOW_ENGINE_CONNS:
	case IK_CMD_SHOW_SESSION_BRIEF:
	case IK_CMD_SHOW_ISAKMP_SA:
	case IK_CMD_SHOW_ISAKMP_SA_KEYS:
	case IK_CMD_SHOW_ISAKMP_PEERS:
	case IK_CMD_SHOW_ISAKMP_STATS:
	case IK_CMD_SHOW_IPSEC_SA:
	case IK_CMD_SHOW_SESSION:
	case IK_CMD_SHOW_DEBUGGING:
	case IK_CMD_SHOW_DEBUG_COND:
	case IK_CMD_TEST_PEER:
	case IK_CMD_CHECK:
	case IK_CMD_SHOW_IKEV2_PROPOSAL:
	case IK_CMD_SHOW_IKEV2_POLICY:
	case IK_CMD_SHOW_IKEV2_PROFILE:
	case IK_CMD_TEST_IKEV2_PEER:
	case IK_CMD_SHOW_PKI_CERTS:
	case IK_CMD_SHOW_PKI_TRUSTPOINTS:
	case IK_CMD_SHOW_IKEV2_PEER_STATS:
	case IK_CMD_SHOW_AUTHZ_LIST:
	case IK_CMD_SHOW_CRYPTO_MAP:
	case IK_CMD_SHOW_ACCESS_LISTS:
	case IK_CMD_SHOW_CRYPTO_ROUTE:
	case IK_CMD_SHOW_IKEV2_SA:
	case IK_CMD_SHOW_IKEV2_SESSION:
	case IK_CMD_SHOW_IKEV2_STATS:
		return true;
	default:
		return false;
	}
}

/* test ikev2 peer A [vrf V] [local L] [identity ...]: without `local`, the
 * address of the tunnel whose destination is A, else the first interface
 * address of the configuration. */
static void test_v2_peer(struct ikd *d, const struct ik_cli_cmd *cmd, bool json,
			 struct ik_sb *out)
{
	struct ik_v2_id id = { .type = IK_ID_ADDRESS, .addr = cmd->peer };
	uint32_t local = cmd->has_v2_local ? cmd->v2_local : 0;

	for (size_t i = 0; !local && i < d->cfg->nifaces; i++) {
		const struct ik_interface *t = d->cfg->ifaces[i];

		if (t->is_tunnel && t->tunnel_dest == cmd->peer && t->tunnel_source_resolved)
			local = t->tunnel_source;
	}
	for (size_t i = 0; !local && i < d->cfg->nifaces; i++)
		if (!d->cfg->ifaces[i]->is_tunnel)
			local = d->cfg->ifaces[i]->addr;
	switch (cmd->ident) {
	case IK_CLI_ID_ADDR:
		id.addr = cmd->ident_addr;
		break;
	case IK_CLI_ID_FQDN:
	case IK_CLI_ID_USER_FQDN:
		id.type = IK_ID_FQDN;
		id.value = cmd->ident_name;
		break;
	case IK_CLI_ID_EMAIL:
		id.type = IK_ID_EMAIL;
		id.value = cmd->ident_name;
		break;
	case IK_CLI_ID_KEY_ID:
		id.type = IK_ID_KEY_ID;
		id.value = cmd->ident_name;
		break;
	case IK_CLI_ID_NONE:
		break;
	}
	ik_v2_explain_responder(d->cfg, cmd->vrf[0] ? cmd->vrf : NULL, local, cmd->peer, &id,
				out, json);
}

static enum ik_ctl_status run(struct ikd *d, struct ikd_client *client,
			      const struct ik_cli_cmd *cmd, bool json, struct ik_sb *out)
{
	struct ik_peer_id id;
	struct clear_arg ca;
	char a[IK_ADDRSTRLEN];

	switch (cmd->id) {
	case IK_CMD_SHOW_ISAKMP_KEY:
		ik_show_isakmp_key(d->cfg, json, out);
		return IK_CTL_OK;
	case IK_CMD_SHOW_ISAKMP_PROFILE:
		ik_show_isakmp_profile(d->cfg, json, out);
		return IK_CTL_OK;
	case IK_CMD_SHOW_ISAKMP_POLICY:
		ik_show_isakmp_policy(d->cfg, json, out);
		return IK_CTL_OK;
	case IK_CMD_SHOW_ISAKMP_DEFAULT_POLICY:
		ik_show_isakmp_default_policy(d->cfg, json, out);
		return IK_CTL_OK;
	case IK_CMD_SHOW_PKI_CERTS:
		ik_show_pki_certificates(d->cfg, cmd->detail, json, time(NULL), out);
		return IK_CTL_OK;
	case IK_CMD_SHOW_PKI_TRUSTPOINTS:
		ik_show_pki_trustpoints(d->cfg, json, out);
		return IK_CTL_OK;
	case IK_CMD_SHOW_IPSEC_TSET:
		ik_show_ipsec_transform_set(d->cfg, json, out);
		return IK_CTL_OK;
	case IK_CMD_SHOW_IPSEC_PROFILE:
		ik_show_ipsec_profile(d->cfg, json, out);
		return IK_CTL_OK;
	case IK_CMD_SHOW_IKEV2_PROPOSAL:
		ik_v2_show_proposal(d->cfg, json, out);
		return IK_CTL_OK;
	case IK_CMD_SHOW_IKEV2_POLICY:
		ik_v2_show_policy(d->cfg, json, out);
		return IK_CTL_OK;
	case IK_CMD_SHOW_IKEV2_PROFILE:
		ik_v2_show_profile(d->cfg, json, out);
		return IK_CTL_OK;
	case IK_CMD_TEST_IKEV2_PEER:
		test_v2_peer(d, cmd, json, out);
		return IK_CTL_OK;
	case IK_CMD_SHOW_CRYPTO_MAP:
	case IK_CMD_SHOW_ACCESS_LISTS: {
		struct ik_cmap_counts cnt;
		/* the none backend has no SA counters: no counts rather than 0 */
		bool have = strcmp(d->kernel->ops->name, "none") != 0 &&
			    ikd_cmap_counts(d, d->cfg, &cnt) == 0;
		int rc = cmd->id == IK_CMD_SHOW_CRYPTO_MAP ?
			ik_show_crypto_map(d->cfg, cmd->ifname[0] ? cmd->ifname : NULL, json,
					   have ? &cnt : NULL, out) :
			ik_show_access_lists(d->cfg, cmd->name[0] ? cmd->name : NULL, json,
					     have ? &cnt : NULL, out);

		if (have)
			ik_cmap_counts_free(&cnt);
		return rc ? IK_CTL_ERROR : IK_CTL_OK;
	}
	case IK_CMD_SHOW_CRYPTO_ROUTE:
		ikd_show_crypto_route(d, json, out);
		return IK_CTL_OK;
	case IK_CMD_INITIATE_MAP:
		return initiate_map(d, cmd, out);
	case IK_CMD_CLEAR_SA_MAP: {
		char map[sizeof(cmd->name)];

		if (!ik_config_find_cmap(d->cfg, cmd->name, false)) {
			ik_sb_printf(out, "%% crypto map %s is not configured\n", cmd->name);
			return IK_CTL_ERROR;
		}
		memcpy(map, cmd->name, sizeof(map));
		for (unsigned k = 0; k < d->nworkers; k++)
			ikd_worker_run(&d->workers[k], task_clear_map, map);
		return IK_CTL_OK;
	}
	case IK_CMD_SHOW_RUNNING: {
		struct ik_sb cfgtext;

		ik_sb_init(&cfgtext);
		ik_config_print(d->cfg, &cfgtext);
		if (json) {
			ik_sb_add(out, "{\"running_config\":");
			ik_sb_json_str(out, ik_sb_str(&cfgtext));
			ik_sb_add(out, "}\n");
		} else {
			ik_sb_add(out, ik_sb_str(&cfgtext));
		}
		ik_sb_free(&cfgtext);
		return IK_CTL_OK;
	}
	case IK_CMD_SHOW_DEBUGGING:
		ik_show_debugging(d->debug_mask, json, out);
		return IK_CTL_OK;
	case IK_CMD_SHOW_DEBUG_COND:
		show_debug_cond(&d->cond, json, out);
		return IK_CTL_OK;
	case IK_CMD_DEBUG_COND:
		if (cmd->peer_ip.family == IK_AF_INET6 ?
		    ik_dbg_cond_add6(&d->cond, cmd->peer_ip.v6) :
		    ik_dbg_cond_add(&d->cond, cmd->peer)) {
			ik_sb_printf(out, "%% at most %u peer conditions\n", IK_DBG_COND_MAX);
			return IK_CTL_ERROR;
		}
		set_cond(d);
		return IK_CTL_OK;
	case IK_CMD_NO_DEBUG_COND:
		if (!cmd->has_peer) {
			ik_dbg_cond_clear(&d->cond);
		} else if (cmd->peer_ip.family == IK_AF_INET6 ?
			   ik_dbg_cond_del6(&d->cond, cmd->peer_ip.v6) :
			   ik_dbg_cond_del(&d->cond, cmd->peer)) {
			char a6[IK_ADDR_ANYSTRLEN];

			ik_sb_printf(out, "%% no debug condition for peer %s\n",
				     ik_addr_fmt_ios(&cmd->peer_ip, a6));
			return IK_CTL_ERROR;
		}
		set_cond(d);
		return IK_CTL_OK;
	case IK_CMD_SHOW_ISAKMP_SA:
	case IK_CMD_SHOW_ISAKMP_PEERS:
	case IK_CMD_SHOW_IPSEC_SA:
	case IK_CMD_SHOW_SESSION:
	case IK_CMD_SHOW_SESSION_BRIEF:
	case IK_CMD_SHOW_ENGINE_CONNS:
	case IK_CMD_SHOW_IKEV2_SA:
	case IK_CMD_SHOW_IKEV2_SESSION:
		show_engines(d, cmd, json, out);
		return IK_CTL_OK;
	case IK_CMD_SHOW_IKEV2_PEER_STATS:
		show_engines(d, cmd, json, out);
		if (!json && !out->len)
			ik_sb_printf(out, "%% No IKE message was exchanged with peer %s (or its "
				     "record expired)\n", ik_addr_fmt(cmd->peer, a));
		return IK_CTL_OK;
	case IK_CMD_CLEAR_STATS:
		for (unsigned k = 0; k < d->nworkers; k++)
			ikd_worker_run(&d->workers[k], task_clear_stats, NULL);
		return IK_CTL_OK;
	case IK_CMD_SHOW_AUTHZ_LIST:
		return ik_show_authz_list(d->cfg, cmd->list[0] ? cmd->list : NULL, json, out) ?
		       IK_CTL_ERROR : IK_CTL_OK;
	case IK_CMD_SHOW_IKEV2_STATS:
		show_v2_stats(d, json, out);
		return IK_CTL_OK;
	case IK_CMD_SHOW_ISAKMP_SA_KEYS:
		ikd_keylog_show(d, json, out);
		return IK_CTL_OK;
	case IK_CMD_SHOW_ISAKMP_STATS:
		show_stats(d, json, out);
		return IK_CTL_OK;
	case IK_CMD_TEST_PEER:
		memset(&id, 0, sizeof(id));
		switch (cmd->ident) {
		case IK_CLI_ID_NONE:
		case IK_CLI_ID_KEY_ID: /* the IKEv1 patterns offer no key-id */
			id.type = cmd->peer_ip.family == IK_AF_INET6 ? IK_PEER_ID_IPV6
								     : IK_PEER_ID_IPV4;
			id.addr = cmd->peer;
			memcpy(id.addr6, cmd->peer_ip.v6, 16);
			break;
		case IK_CLI_ID_ADDR:
			id.type = cmd->ident_ip.family == IK_AF_INET6 ? IK_PEER_ID_IPV6
								      : IK_PEER_ID_IPV4;
			id.addr = cmd->ident_addr;
			memcpy(id.addr6, cmd->ident_ip.v6, 16);
			break;
		case IK_CLI_ID_FQDN:
			id.type = IK_PEER_ID_FQDN;
			id.name = cmd->ident_name;
			break;
		case IK_CLI_ID_USER_FQDN:
		case IK_CLI_ID_EMAIL:
			id.type = IK_PEER_ID_USER_FQDN;
			id.name = cmd->ident_name;
			break;
		}
		ik_explain_responder_ip(d->cfg, cmd->vrf[0] ? cmd->vrf : NULL, &cmd->local_ip,
					&cmd->peer_ip, &id, out, json);
		return IK_CTL_OK;
	case IK_CMD_CHECK: {
		/* as ikerd -t: this host's interfaces for tunnel source names */
		struct ik_check_env env = IK_CHECK_ENV_ENGINE;
		int n;

		env.ifaddr = check_ifaddr;
		n = ik_check_config_env(d->cfg, &env, out, json, NULL);

		if (!json && n == 0)
			ik_sb_add(out, "No findings: no responder-side selection failure is "
				  "predicted for this configuration.\n");
		return IK_CTL_OK;
	}
	case IK_CMD_DEBUG:
		set_debug(d, d->debug_mask | cmd->dbg_cat);
		ik_sb_printf(out, "%s debugging is on\n", dbg_text(cmd->dbg_cat));
		return IK_CTL_OK;
	case IK_CMD_UNDEBUG:
		set_debug(d, d->debug_mask & ~cmd->dbg_cat);
		ik_sb_printf(out, "%s debugging is off\n", dbg_text(cmd->dbg_cat));
		return IK_CTL_OK;
	case IK_CMD_UNDEBUG_ALL:
		set_debug(d, 0);
		ik_sb_add(out, "All possible debugging has been turned off\n");
		return IK_CTL_OK;
	case IK_CMD_TERMINAL_MONITOR:
		if (!client) {
			ik_sb_add(out, "% terminal monitor needs a control connection\n");
			return IK_CTL_ERROR;
		}
		return IK_CTL_MONITOR;
	case IK_CMD_TERMINAL_NO_MONITOR:
		if (client) {
			pthread_mutex_lock(&d->out_mu);
			client->monitor = false;
			pthread_mutex_unlock(&d->out_mu);
		}
		return IK_CTL_OK;
	case IK_CMD_RELOAD:
		return ikd_reload(d, false, out);
	case IK_CMD_RELOAD_FORCE:
		return ikd_reload(d, true, out);
	case IK_CMD_INITIATE: {
		const struct ik_interface *t = ik_config_find_iface(d->cfg, cmd->ifname);
		char a6[IK_ADDR_ANYSTRLEN];
		struct initiate_arg ia;
		struct ik_addr td;

		if (!t || !t->is_tunnel) {
			ik_sb_printf(out, "%% %s is not a configured tunnel interface\n",
				     cmd->ifname);
			return IK_CTL_ERROR;
		}
		ia.ifname = t->name;
		ia.err = out;
		ia.rc = 0;
		ikd_worker_run(tunnel_worker(d, t), task_initiate, &ia);
		if (ia.rc) {
			ik_sb_add(out, "\n");
			return ia.rc > 0 ? IK_CTL_OK : IK_CTL_ERROR; /* > 0: already up */
		}
		ik_iface_tunnel_dest(t, &td);
		ik_sb_printf(out, "Initiating %s to %s\n", t->name, ik_addr_fmt_ios(&td, a6));
		return IK_CTL_OK;
	}
	case IK_CMD_CLEAR_SESSION:
	case IK_CMD_CLEAR_ISAKMP:
	case IK_CMD_CLEAR_SA:
	case IK_CMD_CLEAR_IKEV2_SA:
		ca.what = cmd->id == IK_CMD_CLEAR_SESSION ? IK_CLEAR_SESSION
			: cmd->id == IK_CMD_CLEAR_ISAKMP ? IK_CLEAR_ISAKMP
			: cmd->id == IK_CMD_CLEAR_IKEV2_SA ? IK_CLEAR_IKEV2_SA : IK_CLEAR_SA;
		ca.has_peer = cmd->has_peer && !ik_addr_is_any(&cmd->peer_ip);
		ca.peer = cmd->peer_ip;
		ca.conn_id = cmd->has_conn_id ? cmd->conn_id : 0;
		if (ca.has_peer) {
			struct ikd_worker *w = ikd_worker_for(d, ik_addr_shard(&ca.peer));

			ikd_worker_run(w, task_clear, &ca);
		} else if (ca.conn_id >= IKD_CONN_ID_BASE &&
			   (ca.conn_id - IKD_CONN_ID_BASE) / IKD_CONN_ID_STRIDE < d->nworkers) {
			ikd_worker_run(&d->workers[(ca.conn_id - IKD_CONN_ID_BASE) /
						   IKD_CONN_ID_STRIDE], task_clear, &ca);
		} else {
			for (unsigned k = 0; k < d->nworkers; k++)
				ikd_worker_run(&d->workers[k], task_clear, &ca);
		}
		return IK_CTL_OK;
	case IK_CMD_NONE:
		break;
	}
	ik_sb_add(out, "% Unknown command\n");
	return IK_CTL_ERROR;
}

enum ik_ctl_status ikd_command(struct ikd *d, struct ikd_client *client, const char *text,
			       bool json, struct ik_sb *out)
{
	struct ik_cli_cmd cmd;
	enum ik_ctl_status st;
	struct ik_filter flt;
	struct ik_sb tmp;
	char line[1024];

	if (ik_filter_split(text, line, sizeof(line), &flt, out))
		return IK_CTL_ERROR;
	if (ik_cli_parse(line, &cmd, out)) {
		ik_filter_free(&flt);
		return IK_CTL_ERROR;
	}
	if (flt.kind != IK_FILTER_NONE) {
		if (json || cmd.id == IK_CMD_TERMINAL_MONITOR) {
			ik_sb_add(out, json ? "% Output filters apply to IOS text, not to --json\n" :
				  "% terminal monitor takes no output filter\n");
			ik_filter_free(&flt);
			return IK_CTL_ERROR;
		}
		ik_sb_init(&tmp);
		st = run(d, client, &cmd, false, &tmp);
		ik_filter_apply(&flt, ik_sb_str(&tmp), out);
		ik_sb_free(&tmp);
		ik_filter_free(&flt);
		return st;
	}
	if (!json || json_native(cmd.id))
		return run(d, client, &cmd, json, out);
	ik_sb_init(&tmp);
	st = run(d, client, &cmd, false, &tmp);
	if (st == IK_CTL_OK)
		wrap_json(out, ik_sb_str(&tmp));
	else
		ik_sb_add(out, ik_sb_str(&tmp));
	ik_sb_free(&tmp);
	return st;
}

enum ik_ctl_status ikd_request(struct ikd *d, struct ikd_client *client, const uint8_t *p,
			       size_t len, struct ik_sb *out)
{
	static struct ik_ctl_request req; /* main thread only */
	char err[160];

	if (ik_ctl_request_decode(p, len, &req, err, sizeof(err))) {
		ik_sb_printf(out, "%% Bad request: %s\n", err);
		return IK_CTL_ERROR;
	}
	return ikd_command(d, client, req.text, req.json, out);
}
