/* Per-peer counters (see peer.h). */
#include "ike/peer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/v1_int.h"
#include "util/util.h"

#define PEER_VRF_HASHED 64      /* bytes of the VRF name that enter the hash */
#define PEER_TOUCH_MS 1000      /* resolution of the idle list's order */

enum ik_peer_xchg ik_peer_xchg_slot(unsigned version, uint8_t xchg)
{
	if (version == 2) {
		switch (xchg) {
		case 34: return IK_PX_V2_SA_INIT;
		case 35: return IK_PX_V2_AUTH;
		case 36: return IK_PX_V2_CHILD;
		case 37: return IK_PX_V2_INFO;
		default: return IK_PX_V2_OTHER;
		}
	}
	switch (xchg) {
	case IK_V1_EXCH_MM: return IK_PX_V1_MM;
	case IK_V1_EXCH_AGGR: return IK_PX_V1_AM;
	case IK_V1_EXCH_QM: return IK_PX_V1_QM;
	case IK_V1_EXCH_INFO: return IK_PX_V1_INFO;
	default: return IK_PX_V1_OTHER;
	}
}

/* The global table is NULL or "" alike. */
static const char *vrf_norm(const char *v)
{
	return v && *v ? v : NULL;
}

static bool same_vrf(const char *a, const char *b)
{
	a = vrf_norm(a);
	b = vrf_norm(b);
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static uint64_t peer_hash(const struct ik_engine *e, const struct ik_addr *a, const char *fvrf)
{
	uint8_t k[1 + IK_ADDR_KEYLEN + PEER_VRF_HASHED];
	size_t n = 1, vl;

	fvrf = vrf_norm(fvrf);
	vl = fvrf ? strlen(fvrf) : 0;
	k[0] = 'P';
	n += ik_addr_key(a, k + 1);
	if (vl > PEER_VRF_HASHED)
		vl = PEER_VRF_HASHED;
	if (vl)
		memcpy(k + n, fvrf, vl);
	return ik_keyed_hash(e->hkey, k, n + vl);
}

static void idle_unlink(struct ik_peer_tab *t, struct ik_peer *p)
{
	if (p->idle_prev)
		p->idle_prev->idle_next = p->idle_next;
	else
		t->idle_head = p->idle_next;
	if (p->idle_next)
		p->idle_next->idle_prev = p->idle_prev;
	else
		t->idle_tail = p->idle_prev;
	p->idle_prev = p->idle_next = NULL;
	t->nidle--;
}

static void idle_append(struct ik_peer_tab *t, struct ik_peer *p)
{
	p->idle_next = NULL;
	p->idle_prev = t->idle_tail;
	if (t->idle_tail)
		t->idle_tail->idle_next = p;
	else
		t->idle_head = p;
	t->idle_tail = p;
	t->nidle++;
}

static void peer_drop(struct ik_peer_tab *t, struct ik_peer *p)
{
	idle_unlink(t, p);
	ik_htab_del(&t->by_addr, &p->link);
	t->n--;
	t->evicted++;
	free(p->fvrf);
	ik_slab_free(&t->pool, p);
}

/* Drops idle records that expired, then the oldest ones beyond the limit
 * less room. Each record is dropped once: amortised O(1) per record made. */
static void peer_trim(struct ik_peer_tab *t, uint64_t now, size_t room)
{
	size_t max = t->max ? t->max : IK_PEER_MAX_DEFAULT;

	while (t->idle_head && now - t->idle_head->touched_ms > IK_PEER_IDLE_MS)
		peer_drop(t, t->idle_head);
	while (t->idle_head && t->nidle + room > max)
		peer_drop(t, t->idle_head);
}

/* Anything but IPv6 is IPv4: only the address bytes of the family count. */
static struct ik_addr addr_norm(const struct ik_addr *a)
{
	struct ik_addr n;

	memset(&n, 0, sizeof(n));
	if (a->family == IK_AF_INET6) {
		n.family = IK_AF_INET6;
		memcpy(n.v6, a->v6, 16);
	} else {
		n.v4 = a->v4;
	}
	return n;
}

static struct ik_peer *peer_lookup(struct ik_engine *e, const struct ik_addr *a, const char *fvrf,
				   uint64_t h)
{
	for (struct ik_hlink *l = ik_htab_first(&e->peers.by_addr, h); l; l = ik_htab_next(l)) {
		struct ik_peer *p = ik_container_of(l, struct ik_peer, link);

		if (ik_addr_eq(&p->addr, a) && same_vrf(p->fvrf, fvrf))
			return p;
	}
	return NULL;
}

/* The record of a peer, made when absent (NULL when memory runs out); an
 * idle record moves to the end of the idle list. */
static struct ik_peer *peer_get(struct ik_engine *e, const struct ik_addr *addr,
				const char *fvrf)
{
	struct ik_peer_tab *t = &e->peers;
	struct ik_addr na = addr_norm(addr), *a = &na;
	uint64_t h = peer_hash(e, a, fvrf), now = ik_core_now(e);
	struct ik_peer *p = peer_lookup(e, a, fvrf, h);

	if (p) {
		/* an idle record moves to the end at most once a second: a busy
		 * peer does not rewrite its neighbours' links at every message */
		if (!p->refs && now - p->touched_ms >= PEER_TOUCH_MS && p != t->idle_tail) {
			idle_unlink(t, p);
			idle_append(t, p);
		}
		if (now - p->touched_ms >= PEER_TOUCH_MS)
			p->touched_ms = now;
		return p;
	}
	peer_trim(t, now, 1);
	/* a record may outlive the SAs of its peer by an hour: not on the heap
	 * pages of half-open SAs, which it would keep resident once they go */
	if (!t->pool.size)
		ik_slab_init(&t->pool, sizeof(*p));
	p = ik_slab_alloc(&t->pool);
	if (!p)
		return NULL;
	p->addr = *a;
	if (vrf_norm(fvrf) && !(p->fvrf = strdup(fvrf))) {
		ik_slab_free(&t->pool, p);
		return NULL;
	}
	if (ik_htab_add(&t->by_addr, &p->link, h)) {
		free(p->fvrf);
		ik_slab_free(&t->pool, p);
		return NULL;
	}
	p->created_ms = p->touched_ms = now;
	t->n++;
	idle_append(t, p);
	return p;
}

static void count_slot(struct ik_engine *e, struct ik_peer *p, enum ik_peer_xchg slot, bool sent)
{
	if (sent) {
		p->c.tx[slot]++;
		p->c.last_tx_ms = ik_core_now(e);
	} else {
		p->c.rx[slot]++;
		p->c.last_rx_ms = ik_core_now(e);
	}
}

/* hdr: an IKE header (28 bytes at least, ike_header). */
static enum ik_peer_xchg hdr_slot(const uint8_t *hdr)
{
	return ik_peer_xchg_slot((unsigned)(hdr[17] >> 4), hdr[18]);
}

/* The IKE header of msg (after a non-ESP marker), or NULL when it is none. */
static const uint8_t *ike_header(const uint8_t *msg, size_t *len)
{
	if (*len >= 4 + 28 && !msg[0] && !msg[1] && !msg[2] && !msg[3]) {
		msg += 4;
		*len -= 4;
	}
	if (*len < 28 || (msg[17] >> 4 != 1 && msg[17] >> 4 != 2))
		return NULL;
	return msg;
}

/* The record of a peer if it has one (no record is made). */
static struct ik_peer *peer_known(struct ik_engine *e, const struct ik_addr *remote,
				  const char *fvrf)
{
	struct ik_addr a = addr_norm(remote);

	return peer_lookup(e, &a, fvrf, peer_hash(e, &a, fvrf));
}

/* A responder's SA whose peer has not proved its address and has no record:
 * its counts wait in the SA. */
static bool sa_defers(const struct ik_ike_sa *sa)
{
	return !sa->peer && !sa->initiator && sa->half_open && !sa->proven;
}

/* The first exchange of an SA, whose messages wait in its counters. */
static bool sa_opening(struct ik_ike_sa *sa, enum ik_peer_xchg slot)
{
	if (sa->version == 2)
		return slot == IK_PX_V2_SA_INIT;
	if (slot != IK_PX_V1_MM && slot != IK_PX_V1_AM)
		return false;
	if (!sa->peer_rx && !sa->peer_tx)
		sa->peer_am = slot == IK_PX_V1_AM;
	return slot == (sa->peer_am ? IK_PX_V1_AM : IK_PX_V1_MM);
}

/* What the SA counted while its peer had no record goes to record p. */
static void sa_flush(struct ik_ike_sa *sa, struct ik_peer *p)
{
	enum ik_peer_xchg slot;

	if (!sa->peer_rx && !sa->peer_tx)
		return;
	slot = sa->version == 2 ? IK_PX_V2_SA_INIT : sa->peer_am ? IK_PX_V1_AM : IK_PX_V1_MM;
	p->c.rx[slot] += sa->peer_rx;
	p->c.tx[slot] += sa->peer_tx;
	/* the times are not kept: the SA's start bounds them from below */
	if (sa->peer_rx && p->c.last_rx_ms < sa->created_ms)
		p->c.last_rx_ms = sa->created_ms;
	if (sa->peer_tx && p->c.last_tx_ms < sa->created_ms)
		p->c.last_tx_ms = sa->created_ms;
	sa->peer_rx = sa->peer_tx = 0;
}

/* One message of an SA. proven: it carries our responder cookie or SPI, so
 * its source received what we sent there: the record is made. */
static void sa_count(struct ik_ike_sa *sa, enum ik_peer_xchg slot, bool sent, bool proven)
{
	struct ik_peer *p = sa->peer;

	if (!p && sa_defers(sa) && !proven && !(p = peer_known(sa->e, &sa->remote.ip, sa->fvrf))) {
		if (!sa_opening(sa, slot))
			return; /* before the address is proved: in the global counters only */
		if (sent && sa->peer_tx < UINT8_MAX)
			sa->peer_tx++;
		else if (!sent && sa->peer_rx < UINT8_MAX)
			sa->peer_rx++;
		return;
	}
	if (!p && !(p = peer_get(sa->e, &sa->remote.ip, sa->fvrf)))
		return;
	sa_flush(sa, p);
	count_slot(sa->e, p, slot, sent);
}

void ik_peer_msg(struct ik_engine *e, const struct ik_addr *remote, const char *fvrf,
		 const uint8_t *msg, size_t len, bool sent)
{
	struct ik_peer_tab *t = &e->peers;
	struct ik_peer *p;

	if (!(msg = ike_header(msg, &len)))
		return;
	if (sent) {
		if ((p = peer_get(e, remote, fvrf)))
			count_slot(e, p, hdr_slot(msg), true);
		return;
	}
	if ((p = peer_known(e, remote, fvrf))) {
		count_slot(e, p, hdr_slot(msg), false);
		return;
	}
	/* a source without a record: the SA that takes the datagram counts it */
	t->rx_from = addr_norm(remote);
	memcpy(t->rx_spi_r, msg + 8, 8);
	t->rx_slot = (uint8_t)(hdr_slot(msg) + 1);
}

void ik_peer_reply(struct ik_engine *e, const struct ik_addr *remote, const char *fvrf,
		   const uint8_t *msg, size_t len)
{
	struct ik_peer *p;

	if ((msg = ike_header(msg, &len)) && (p = peer_known(e, remote, fvrf)))
		count_slot(e, p, hdr_slot(msg), true);
}

void ik_peer_sa_rx(struct ik_ike_sa *sa)
{
	struct ik_peer_tab *t = &sa->e->peers;
	struct ik_addr from = addr_norm(&sa->remote.ip);
	static const uint8_t zero[8];
	bool proven;

	if (!t->rx_slot || !ik_addr_eq(&t->rx_from, &from))
		return;
	proven = !sa->initiator && memcmp(t->rx_spi_r, zero, 8) &&
		 !memcmp(t->rx_spi_r, sa->spi_r, 8);
	sa_count(sa, (enum ik_peer_xchg)(t->rx_slot - 1), false, proven);
	t->rx_slot = 0;
}

void ik_peer_rx_end(struct ik_engine *e)
{
	e->peers.rx_slot = 0;
}

void ik_peer_sa_msg(struct ik_ike_sa *sa, const uint8_t *msg, size_t len, bool sent)
{
	if ((msg = ike_header(msg, &len)))
		sa_count(sa, hdr_slot(msg), sent, false);
}

void ik_peer_sa_event(struct ik_ike_sa *sa, enum ik_peer_ev ev)
{
	struct ik_peer_tab *t = &sa->e->peers;
	struct ik_peer *p = sa->peer;

	/* A responder's SA counts (and holds the record) once its peer has
	 * answered from its address: spoofed first messages make no record, so
	 * a flood of them costs none. Until then the SA keeps the counts of
	 * its opening exchange, from the datagram that made it on. (A
	 * responder does not retransmit before that: it answers the peer's
	 * retransmissions. Any other event makes the record.) */
	if (ev == IK_PEER_SA_CREATED && sa_defers(sa)) {
		ik_peer_sa_rx(sa);
		return;
	}
	if (ev == IK_PEER_SA_DELETED && !sa->peer) {
		/* never held a record: what it counted goes to one made meanwhile */
		if ((p = peer_known(sa->e, &sa->remote.ip, sa->fvrf)))
			sa_flush(sa, p);
		return;
	}
	if (!p && !(p = peer_get(sa->e, &sa->remote.ip, sa->fvrf)))
		return;
	sa_flush(sa, p);
	p->c.ev[ev]++;
	if (ev == IK_PEER_SA_CREATED && !sa->peer) {
		if (!p->refs++)
			idle_unlink(t, p);
		sa->peer = p;
	} else if (ev == IK_PEER_SA_DELETED && sa->peer) {
		sa->peer = NULL;
		if (!--p->refs) {
			p->touched_ms = ik_core_now(sa->e);
			idle_append(t, p);
			/* within the limit now, not when the next record is made: after
			 * a flood, the records of its sources go with their SAs */
			peer_trim(t, p->touched_ms, 0);
		}
	}
}

void ik_peer_event(struct ik_engine *e, const struct ik_addr *remote, const char *fvrf,
		   enum ik_peer_ev ev)
{
	struct ik_peer *p = peer_get(e, remote, fvrf);

	if (p)
		p->c.ev[ev]++;
}

const struct ik_peer *ik_peer_find(struct ik_engine *e, const struct ik_addr *remote,
				   const char *fvrf)
{
	return peer_known(e, remote, fvrf);
}

void ik_peer_set_max(struct ik_engine *e, size_t max)
{
	e->peers.max = max;
}

size_t ik_peer_count(const struct ik_engine *e)
{
	return e->peers.n;
}

void ik_peer_tab_free(struct ik_peer_tab *t)
{
	if (t->by_addr.b) {
		for (size_t i = 0; i <= t->by_addr.mask; i++) {
			struct ik_hlink *l = t->by_addr.b[i], *next;

			for (; l; l = next) {
				struct ik_peer *p = ik_container_of(l, struct ik_peer, link);

				next = l->next;
				free(p->fvrf);
			}
		}
	}
	ik_slab_destroy(&t->pool);
	ik_htab_free(&t->by_addr);
	memset(t, 0, sizeof(*t));
}

void ik_engine_clear_peer_stats(struct ik_engine *e)
{
	struct ik_htab *h = &e->peers.by_addr;

	if (!h->b)
		return;
	for (size_t i = 0; i <= h->mask; i++)
		for (struct ik_hlink *l = h->b[i]; l; l = l->next)
			memset(&ik_container_of(l, struct ik_peer, link)->c, 0,
			       sizeof(struct ik_peer_counters));
}

/* ---- show ---- */

static int addr_cmp(const struct ik_addr *a, const struct ik_addr *b)
{
	uint8_t ka[IK_ADDR_KEYLEN], kb[IK_ADDR_KEYLEN];
	size_t la = ik_addr_key(a, ka), lb = ik_addr_key(b, kb);

	if (la != lb)
		return la < lb ? -1 : 1;
	return memcmp(ka, kb, la);
}

static int peer_cmp(const void *x, const void *y)
{
	const struct ik_peer *a = *(const struct ik_peer *const *)x;
	const struct ik_peer *b = *(const struct ik_peer *const *)y;
	int r = addr_cmp(&a->addr, &b->addr);

	if (r)
		return r;
	return strcmp(a->fvrf ? a->fvrf : "", b->fvrf ? b->fvrf : "");
}

/* Every record, sorted by address then VRF; *n of them (NULL when none). */
static struct ik_peer **peers_sorted(struct ik_engine *e, size_t *n)
{
	struct ik_htab *h = &e->peers.by_addr;
	struct ik_peer **v;
	size_t k = 0;

	*n = 0;
	peer_trim(&e->peers, ik_core_now(e), 0); /* what expired is not shown */
	if (!e->peers.n || !h->b)
		return NULL;
	v = ik_xcalloc(e->peers.n, sizeof(*v));
	for (size_t i = 0; i <= h->mask; i++)
		for (struct ik_hlink *l = h->b[i]; l && k < e->peers.n; l = l->next)
			v[k++] = ik_container_of(l, struct ik_peer, link);
	qsort(v, k, sizeof(*v), peer_cmp);
	*n = k;
	return v;
}

static const char *const xchg_names[IK_PX_COUNT] = {
	[IK_PX_V1_MM] = "MM", [IK_PX_V1_AM] = "AM", [IK_PX_V1_QM] = "QM",
	[IK_PX_V1_INFO] = "INFO", [IK_PX_V1_OTHER] = "other",
	[IK_PX_V2_SA_INIT] = "IKE_SA_INIT", [IK_PX_V2_AUTH] = "IKE_AUTH",
	[IK_PX_V2_CHILD] = "CREATE_CHILD_SA", [IK_PX_V2_INFO] = "INFORMATIONAL",
	[IK_PX_V2_OTHER] = "other",
};

static const char *const ev_keys[IK_PEER_EV_COUNT] = {
	[IK_PEER_SA_CREATED] = "ike_sas_created", [IK_PEER_SA_DELETED] = "ike_sas_deleted",
	[IK_PEER_CHILD_CREATED] = "ipsec_sas_created",
	[IK_PEER_CHILD_DELETED] = "ipsec_sas_deleted",
	[IK_PEER_RETRANSMIT] = "retransmissions", [IK_PEER_DPD_SENT] = "dpd_sent",
	[IK_PEER_DPD_ANSWERED] = "dpd_answered", [IK_PEER_AUTH_FAIL] = "auth_failures",
	[IK_PEER_AUTHZ_REFUSED] = "authz_refusals", [IK_PEER_DECRYPT_ERR] = "decrypt_errors",
};

/* "00:01:02 ago", or "never". */
static const char *ago(uint64_t now, uint64_t then, char *buf, size_t len)
{
	uint64_t s;

	if (!then) {
		snprintf(buf, len, "never");
		return buf;
	}
	s = now > then ? (now - then) / 1000 : 0;
	snprintf(buf, len, "%02llu:%02llu:%02llu ago", (unsigned long long)(s / 3600),
		 (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
	return buf;
}

static void json_counts(struct ik_sb *out, const char *key, const uint32_t *v, int from, int to)
{
	ik_sb_printf(out, ",\"%s\":{", key);
	for (int i = from; i < to; i++)
		ik_sb_printf(out, "%s\"%s\":%llu", i == from ? "" : ",", xchg_names[i],
			     (unsigned long long)v[i]);
	ik_sb_add(out, "}");
}

static void json_peer_head(struct ik_sb *out, const struct ik_peer *p, uint64_t now)
{
	char a[IK_ADDR_ANYSTRLEN];

	ik_sb_printf(out, "{\"peer\":\"%s\",\"vrf\":", ik_addr_fmt_any(&p->addr, a));
	ik_sb_json_str(out, p->fvrf ? p->fvrf : "");
	ik_sb_printf(out, ",\"ike_sas\":%u,\"age_seconds\":%llu", p->refs,
		     (unsigned long long)((now - p->created_ms) / 1000));
	ik_sb_printf(out, ",\"last_rx_seconds_ago\":%lld,\"last_tx_seconds_ago\":%lld",
		     p->c.last_rx_ms ? (long long)((now - p->c.last_rx_ms) / 1000) : -1LL,
		     p->c.last_tx_ms ? (long long)((now - p->c.last_tx_ms) / 1000) : -1LL);
}

static void text_msg_table(struct ik_sb *out, const struct ik_peer *p, int from, int to)
{
	ik_sb_add(out, "  Exchange             Received       Sent\n");
	for (int i = from; i < to; i++)
		ik_sb_printf(out, "  %-16s %12llu %10llu\n", xchg_names[i],
			     (unsigned long long)p->c.rx[i], (unsigned long long)p->c.tx[i]);
}

/* The IOS peer lines of one IKEv1 SA (as show crypto isakmp peers). */
static void text_sa_lines(struct ik_sb *out, const struct ik_p1 *p1)
{
	char a[IK_ADDR_ANYSTRLEN], b[IK_ADDR_ANYSTRLEN], id[IK_ESCAPED_LEN(255)];

	if (ik_v1_peer_id_type(p1) == IK_V1_ID_IPV4_ADDR)
		ik_addr_fmt(p1->up->peer_id_addr, id);
	else if (ik_v1_peer_id_type(p1))
		ik_str_escape(p1->up->peer_id_name ? p1->up->peer_id_name : "",
			      p1->up->peer_id_name ? strlen(p1->up->peer_id_name) : 0, id,
			      sizeof(id));
	else
		id[0] = '\0';
	ik_sb_printf(out, "Peer: %s Port: %u Local: %s\n", ik_addr_fmt_ios(&p1->remote.ip, b),
		     p1->remote.port, ik_addr_fmt_ios(&p1->local.ip, a));
	ik_sb_printf(out, " Phase1 id: %s\n", id);
}

static int p1_by_peer(const void *x, const void *y)
{
	const struct ik_p1 *a = *(const struct ik_p1 *const *)x;
	const struct ik_p1 *b = *(const struct ik_p1 *const *)y;

	if (a->sa.peer != b->sa.peer)
		return peer_cmp(&a->sa.peer, &b->sa.peer);
	return a->conn_id < b->conn_id ? -1 : a->conn_id > b->conn_id;
}

void ik_engine_show_peers_detail(struct ik_engine *e, bool json, struct ik_sb *out)
{
	uint64_t now = ik_core_now(e);
	size_t n, np = 0, j = 0;
	struct ik_peer **v = peers_sorted(e, &n);
	struct ik_p1 **sas;
	char t1[32], t2[32], a[IK_ADDR_ANYSTRLEN];

	/* the live IKEv1 SAs, in the order of their records */
	for (struct ik_p1 *p1 = e->p1s; p1; p1 = p1->next)
		np += !p1->dead && p1->sa.peer;
	sas = ik_xcalloc(np ? np : 1, sizeof(*sas));
	np = 0;
	for (struct ik_p1 *p1 = e->p1s; p1; p1 = p1->next)
		if (!p1->dead && p1->sa.peer)
			sas[np++] = p1;
	qsort(sas, np, sizeof(*sas), p1_by_peer);
	if (json)
		ik_sb_add(out, "[");
	for (size_t i = 0; i < n; i++) {
		const struct ik_peer *p = v[i];
		unsigned children = 0;

		for (struct ik_child *c = ik_core_child_first_addr_ip(e, &p->addr); c;
		     c = ik_core_child_next_addr(e, c))
			children += same_vrf(c->fvrf, p->fvrf);
		while (j < np && peer_cmp(&sas[j]->sa.peer, &p) < 0)
			j++;
		if (json) {
			ik_sb_add(out, i ? "," : "");
			json_peer_head(out, p, now);
			ik_sb_printf(out, ",\"ipsec_sa_bundles\":%u,\"sessions\":[", children);
			for (size_t k = j; k < np && sas[k]->sa.peer == p; k++) {
				char la[IK_ADDR_ANYSTRLEN], id[IK_ESCAPED_LEN(255)];
				const struct ik_p1 *p1 = sas[k];

				if (ik_v1_peer_id_type(p1) == IK_V1_ID_IPV4_ADDR)
					ik_addr_fmt(p1->up->peer_id_addr, id);
				else
					snprintf(id, sizeof(id), "%s",
						 p1->up && p1->up->peer_id_name ?
						 p1->up->peer_id_name : "");
				ik_sb_printf(out, "%s{\"port\":%u,\"local\":\"%s\",\"conn_id\":%u,"
					     "\"phase1_id\":", k > j ? "," : "", p1->remote.port,
					     ik_addr_fmt_ios(&p1->local.ip, la), p1->conn_id);
				ik_sb_json_str(out, id);
				ik_sb_add(out, "}");
			}
			ik_sb_add(out, "]");
			json_counts(out, "received", p->c.rx, IK_PX_V1_MM, IK_PX_V2_SA_INIT);
			json_counts(out, "sent", p->c.tx, IK_PX_V1_MM, IK_PX_V2_SA_INIT);
			json_counts(out, "ikev2_received", p->c.rx, IK_PX_V2_SA_INIT, IK_PX_COUNT);
			json_counts(out, "ikev2_sent", p->c.tx, IK_PX_V2_SA_INIT, IK_PX_COUNT);
			for (int k = 0; k < IK_PEER_EV_COUNT; k++)
				ik_sb_printf(out, ",\"%s\":%llu", ev_keys[k],
					     (unsigned long long)p->c.ev[k]);
			ik_sb_add(out, "}");
			continue;
		}
		if (j < np && sas[j]->sa.peer == p) {
			for (size_t k = j; k < np && sas[k]->sa.peer == p; k++)
				text_sa_lines(out, sas[k]);
		} else {
			ik_sb_printf(out, "Peer: %s (no IKE SA)\n", ik_addr_fmt_any(&p->addr, a));
		}
		ik_sb_printf(out, " IKE SAs: %u IPSec SA bundles: %u%s%s\n", p->refs, children,
			     p->fvrf ? " fvrf: " : "", p->fvrf ? p->fvrf : "");
		ik_sb_printf(out, " Counters (record made %s):\n", ago(now, p->created_ms, t1,
								       sizeof(t1)));
		text_msg_table(out, p, IK_PX_V1_MM, IK_PX_V2_SA_INIT);
		for (int k = IK_PX_V2_SA_INIT; k < IK_PX_COUNT; k++)
			if (p->c.rx[k] || p->c.tx[k]) {
				ik_sb_add(out, "  IKEv2:\n");
				text_msg_table(out, p, IK_PX_V2_SA_INIT, IK_PX_COUNT);
				break;
			}
		ik_sb_printf(out, "  Retransmissions: %llu  DPD sent: %llu  DPD answered: %llu\n",
			     (unsigned long long)p->c.ev[IK_PEER_RETRANSMIT],
			     (unsigned long long)p->c.ev[IK_PEER_DPD_SENT],
			     (unsigned long long)p->c.ev[IK_PEER_DPD_ANSWERED]);
		ik_sb_printf(out, "  Authentication failures: %llu  Authorization refusals: %llu  "
			     "Decryption errors: %llu\n",
			     (unsigned long long)p->c.ev[IK_PEER_AUTH_FAIL],
			     (unsigned long long)p->c.ev[IK_PEER_AUTHZ_REFUSED],
			     (unsigned long long)p->c.ev[IK_PEER_DECRYPT_ERR]);
		ik_sb_printf(out, "  IKE SAs created: %llu deleted: %llu  IPsec SAs created: %llu "
			     "deleted: %llu\n",
			     (unsigned long long)p->c.ev[IK_PEER_SA_CREATED],
			     (unsigned long long)p->c.ev[IK_PEER_SA_DELETED],
			     (unsigned long long)p->c.ev[IK_PEER_CHILD_CREATED],
			     (unsigned long long)p->c.ev[IK_PEER_CHILD_DELETED]);
		ik_sb_printf(out, "  Last message received: %s  sent: %s\n",
			     ago(now, p->c.last_rx_ms, t1, sizeof(t1)),
			     ago(now, p->c.last_tx_ms, t2, sizeof(t2)));
		ik_sb_add(out, "\n");
	}
	if (json)
		ik_sb_add(out, "]\n");
	free(sas);
	free(v);
}

void ik_engine_show_v2_peer_stats(struct ik_engine *e, const struct ik_addr *peer, bool json,
				  struct ik_sb *out)
{
	uint64_t now = ik_core_now(e);
	size_t n;
	struct ik_peer **v = peers_sorted(e, &n);
	struct ik_addr want = addr_norm(peer);
	bool first = true;
	char t1[32], t2[32], a[IK_ADDR_ANYSTRLEN];

	if (json)
		ik_sb_add(out, "[");
	for (size_t i = 0; i < n; i++) {
		const struct ik_peer *p = v[i];

		if (!ik_addr_eq(&p->addr, &want))
			continue;
		if (json) {
			ik_sb_add(out, first ? "" : ",");
			json_peer_head(out, p, now);
			json_counts(out, "received", p->c.rx, IK_PX_V2_SA_INIT, IK_PX_COUNT);
			json_counts(out, "sent", p->c.tx, IK_PX_V2_SA_INIT, IK_PX_COUNT);
			for (int k = 0; k < IK_PEER_EV_COUNT; k++)
				ik_sb_printf(out, ",\"%s\":%llu", ev_keys[k],
					     (unsigned long long)p->c.ev[k]);
			ik_sb_add(out, "}");
			first = false;
			continue;
		}
		first = false;
		ik_sb_printf(out, "IKEv2 statistics of peer %s%s%s\n", ik_addr_fmt_any(&p->addr, a),
			     p->fvrf ? " fvrf " : "", p->fvrf ? p->fvrf : "");
		text_msg_table(out, p, IK_PX_V2_SA_INIT, IK_PX_COUNT);
		ik_sb_printf(out, "  Retransmissions: %llu  DPD sent: %llu  DPD answered: %llu\n",
			     (unsigned long long)p->c.ev[IK_PEER_RETRANSMIT],
			     (unsigned long long)p->c.ev[IK_PEER_DPD_SENT],
			     (unsigned long long)p->c.ev[IK_PEER_DPD_ANSWERED]);
		ik_sb_printf(out, "  Authentication failures: %llu  Authorization refusals: %llu  "
			     "Decryption errors: %llu\n",
			     (unsigned long long)p->c.ev[IK_PEER_AUTH_FAIL],
			     (unsigned long long)p->c.ev[IK_PEER_AUTHZ_REFUSED],
			     (unsigned long long)p->c.ev[IK_PEER_DECRYPT_ERR]);
		ik_sb_printf(out, "  Last message received: %s  sent: %s\n\n",
			     ago(now, p->c.last_rx_ms, t1, sizeof(t1)),
			     ago(now, p->c.last_tx_ms, t2, sizeof(t2)));
	}
	if (json)
		ik_sb_add(out, "]\n");
	free(v);
}
