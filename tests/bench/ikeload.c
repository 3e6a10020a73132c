/* ikeload: an IKE initiator load generator built on ikerd's own engine.
 *
 * N tunnels, each a distinct (local address, remote address) pair, are
 * brought up against any standard responder with IKEv1 Main Mode (PSK) and
 * Quick Mode, or with IKEv2 (--ikev2: IKE_SA_INIT, IKE_AUTH with PSK and the
 * first CHILD_SA), at an offered rate or under a concurrency limit. The tunnels are
 * spread over several engines (a few hundred tunnels each) so that the
 * generator's own cost per event stays small whatever N is, and over one
 * or more threads (SO_REUSEPORT sockets, picked by destination address).
 * It reports SAs set up, failed, retried, the set-up rate and latency
 * percentiles from the first Main Mode message to the end of Quick Mode;
 * it can hold the SAs up (the engines answer DPD) and then delete them.
 *
 * --flood sends copies of a valid MM1 with fresh cookies from many spoofed
 * (address, port) sources through a raw socket, at a rate or as fast as it
 * can, for a given time.
 *
 * --print-config initiator|ikerd|swanctl prints the configuration of either
 * side for the same tunnels, so that scripts set up equivalent responders. */
#include <errno.h>
#include <getopt.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "ikeload_adapt.h"
#include "ike/features.h"
#include "profile/snapshot.h"
#include "util/addr.h"
#include "util/log.h"
#include "util/secmem.h"
#include "util/strbuf.h"

#ifndef SO_ATTACH_REUSEPORT_CBPF
#define SO_ATTACH_REUSEPORT_CBPF 51
#endif

#define MAX_THREADS 8
#define RX_BATCH 64
#define RX_BUF 4096

/* ---- options ---- */

struct suite {
	const char *name;
	const char *isakmp;   /* IOS policy lines; NULL: IKEv2 only */
	const char *ikev2;    /* IOS crypto ikev2 proposal lines */
	const char *esp;      /* IOS transform-set */
	const char *swan_ike; /* swanctl proposals */
	const char *swan_esp;
};

static const struct suite suites[] = {
	{ "modp1024", " encr 3des\n hash md5\n authentication pre-share\n group 2\n",
	  " encryption 3des\n integrity md5\n group 2\n",
	  "esp-3des esp-md5-hmac", "3des-md5-modp1024", "3des-md5" },
	{ "modp2048", " encr aes 256\n hash sha256\n authentication pre-share\n group 14\n",
	  " encryption aes-cbc-256\n integrity sha256\n group 14\n",
	  "esp-aes 256 esp-sha256-hmac", "aes256-sha256-modp2048", "aes256-sha256" },
	{ "ecp256", " encr aes 256\n hash sha256\n authentication pre-share\n group 19\n",
	  " encryption aes-cbc-256\n integrity sha256\n group 19\n",
	  "esp-aes 256 esp-sha256-hmac", "aes256-sha256-ecp256", "aes256-sha256" },
	{ "x25519", NULL, " encryption aes-cbc-256\n integrity sha256\n group 31\n",
	  "esp-aes 256 esp-sha256-hmac", "aes256-sha256-x25519", "aes256-sha256" },
};

static struct {
	unsigned ntun;
	uint32_t *locals; size_t nlocals;
	uint32_t *remotes; size_t nremotes;
	const char *add_dev;
	double rate;            /* tunnels started per second, 0 = no limit */
	unsigned concurrency;   /* tunnels in negotiation at once, 0 = no limit */
	const struct suite *suite;
	const char *psk;
	const char *config_file;
	unsigned per_engine;
	unsigned threads;
	double timeout_s, attempt_s, hold_s;
	unsigned dpd, retransmit;
	bool debug, quiet;
	bool ikev2;             /* IKEv2 instead of IKEv1 Main Mode + Quick Mode */
	const char *print_config;
	/* flood */
	bool flood;
	double flood_rate, duration_s;
	unsigned flood_ports;
	unsigned long flood_count;  /* 0: no bound but the duration */
} opt = {
	.ntun = 100, .suite = &suites[0], .psk = "ikeload-Secret", .per_engine = 200,
	.threads = 1, .timeout_s = 120, .attempt_s = 20, .flood_ports = 16,
};

static atomic_int stop_req;

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&stop_req, 1);
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ikeload: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* "A", "A+COUNT" (COUNT consecutive addresses from A) or "@FILE" (one per line) */
static void parse_addrs(const char *s, uint32_t **out, size_t *n)
{
	size_t cap = 0;

	*n = 0;
	if (s[0] == '@') {
		FILE *f = fopen(s + 1, "r");
		char line[128];
		unsigned ln = 0;

		if (!f)
			die("cannot open address list %s", s + 1);
		while (fgets(line, sizeof(line), f)) {
			char *e = line + strcspn(line, " \t\r\n#");
			uint32_t a;

			ln++;
			*e = '\0';
			if (!line[0])
				continue;
			if (ik_addr_parse(line, &a)) {
				fprintf(stderr, "ikeload: %s:%u: not an IPv4 address: %s\n", s + 1,
					ln, line);
				exit(2);
			}
			if (*n == cap) {
				cap = cap ? cap * 2 : 256;
				*out = realloc(*out, cap * sizeof(**out));
				if (!*out)
					die("%s", "out of memory");
			}
			(*out)[(*n)++] = a;
		}
		fclose(f);
	} else {
		char buf[64];
		const char *plus = strchr(s, '+');
		unsigned long cnt = 1;
		uint32_t a;

		snprintf(buf, sizeof(buf), "%.*s", plus ? (int)(plus - s) : (int)strlen(s), s);
		if (ik_addr_parse(buf, &a))
			die("not an IPv4 address: %s", s);
		if (plus) {
			char *end;

			cnt = strtoul(plus + 1, &end, 10);
			if (*end || !cnt || cnt > 65536)
				die("bad address count in %s (1..65536)", s);
		}
		*out = malloc(cnt * sizeof(**out));
		if (!*out)
			die("%s", "out of memory");
		for (unsigned long i = 0; i < cnt; i++)
			(*out)[i] = a + (uint32_t)i;
		*n = cnt;
	}
	if (!*n)
		die("no address in %s", s);
}

/* Tunnel i: local locals[i % nlocals], remote remotes[i / nlocals]. */
static uint32_t tun_local(unsigned i)
{
	return opt.locals[i % opt.nlocals];
}

static uint32_t tun_remote(unsigned i)
{
	return opt.remotes[(i / opt.nlocals) % opt.nremotes];
}

/* Smallest prefix covering every address of a list: "A M" and "A/len". */
static void cover(const uint32_t *a, size_t n, uint32_t *net, uint32_t *mask)
{
	uint32_t lo = a[0], diff = 0;
	int len = 32;

	for (size_t i = 1; i < n; i++)
		diff |= a[i] ^ lo;
	while (diff) {
		diff >>= 1;
		len--;
	}
	*mask = ik_plen_mask(len);
	*net = lo & *mask;
}

/* ---- configuration texts ---- */

static void conf_common(struct ik_sb *o, const char *host, const uint32_t *peers, size_t npeers)
{
	uint32_t net, mask;
	char a[IK_ADDRSTRLEN], m[IK_ADDRSTRLEN];

	cover(peers, npeers, &net, &mask);
	ik_addr_fmt(net, a);
	ik_addr_fmt(mask, m);
	if (opt.ikev2) {
		/* one peer block and one profile cover every peer; the profile is
		 * found from the peer's identity (its address), V2 rules */
		ik_sb_printf(o, "hostname %s\n!\ncrypto ikev2 proposal LOAD\n%s!\n"
			     "crypto ikev2 policy LOAD\n proposal LOAD\n!\n"
			     "crypto ikev2 keyring LOAD\n peer ALL\n  address %s %s\n"
			     "  pre-shared-key %s\n!\n"
			     "crypto ikev2 profile LOAD\n match identity remote address %s %s\n"
			     " authentication remote pre-share\n authentication local pre-share\n"
			     " keyring local LOAD\n", host, opt.suite->ikev2, a, m, opt.psk, a, m);
		if (opt.dpd)
			ik_sb_printf(o, " dpd %u 3 periodic\n", opt.dpd);
		ik_sb_printf(o, "!\ncrypto ipsec transform-set TS %s\n mode transport\n!\n"
			     "crypto ipsec profile LOAD\n set transform-set TS\n"
			     " set ikev2-profile LOAD\n!\n", opt.suite->esp);
		return;
	}
	ik_sb_printf(o, "hostname %s\n!\ncrypto keyring LOAD\n  pre-shared-key address %s %s key %s\n"
		     "!\ncrypto isakmp policy 10\n%s", host, a, m, opt.psk, opt.suite->isakmp);
	if (opt.dpd)
		ik_sb_printf(o, "crypto isakmp keepalive %u 3 periodic\n", opt.dpd);
	ik_sb_printf(o, "!\ncrypto isakmp profile LOAD\n   keyring LOAD\n"
		     "   match identity address %s %s\n!\n"
		     "crypto ipsec transform-set TS %s\n mode transport\n!\n"
		     "crypto ipsec profile LOAD\n set transform-set TS\n set isakmp-profile LOAD\n!\n",
		     a, m, opt.suite->esp);
}

static void conf_tunnel(struct ik_sb *o, unsigned i, uint32_t src, uint32_t dst)
{
	char s[IK_ADDRSTRLEN], d[IK_ADDRSTRLEN];

	ik_sb_printf(o, "interface Tunnel%u\n tunnel source %s\n tunnel destination %s\n"
		     " tunnel protection ipsec profile LOAD\n!\n", i + 1, ik_addr_fmt(src, s),
		     ik_addr_fmt(dst, d));
}

static void print_config(const char *which)
{
	struct ik_sb o;

	ik_sb_init(&o);
	if (!strcmp(which, "initiator")) {
		conf_common(&o, "IKELOAD", opt.remotes, opt.nremotes);
		for (unsigned i = 0; i < opt.ntun; i++)
			conf_tunnel(&o, i, tun_local(i), tun_remote(i));
	} else if (!strcmp(which, "ikerd")) {
		conf_common(&o, "RESPONDER", opt.locals, opt.nlocals);
		for (unsigned i = 0; i < opt.ntun; i++)
			conf_tunnel(&o, i, tun_remote(i), tun_local(i));
	} else if (!strcmp(which, "swanctl")) {
		uint32_t ln, lm, rn, rm;
		char a[IK_ADDRSTRLEN], b[IK_ADDRSTRLEN];

		cover(opt.remotes, opt.nremotes, &rn, &rm);
		cover(opt.locals, opt.nlocals, &ln, &lm);
		ik_sb_printf(&o, "connections {\n\tikeload {\n\t\tversion = %d\n"
			     "\t\tlocal_addrs = %s/%d\n\t\tremote_addrs = %s/%d\n"
			     "\t\tproposals = %s\n\t\tunique = never\n\t\tmobike = no\n",
			     opt.ikev2 ? 2 : 1, ik_addr_fmt(rn, a), ik_mask_plen(rm), ik_addr_fmt(ln, b),
			     ik_mask_plen(lm), opt.suite->swan_ike);
		if (opt.dpd)
			ik_sb_printf(&o, "\t\tdpd_delay = %us\n", opt.dpd);
		/* the lifetimes and rekey points of ikerd's responder: IKE SA
		 * 86400 s rekeyed 10 % before (IKEv2), child 3600 s rekeyed at
		 * 90-95 %, so that both responders keep the same timers */
		ik_sb_printf(&o, "\t\trekey_time = 77760s\n\t\tover_time = 8640s\n"
			     "\t\tlocal {\n\t\t\tauth = psk\n\t\t}\n"
			     "\t\tremote {\n\t\t\tauth = psk\n\t\t}\n"
			     "\t\tchildren {\n\t\t\tgre {\n\t\t\t\tlocal_ts = dynamic[gre]\n"
			     "\t\t\t\tremote_ts = dynamic[gre]\n\t\t\t\tmode = transport\n"
			     "\t\t\t\tesp_proposals = %s\n"
			     "\t\t\t\trekey_time = 3240s\n\t\t\t\trand_time = 180s\n"
			     "\t\t\t\tlife_time = 3600s\n\t\t\t}\n\t\t}\n\t}\n}\n"
			     "secrets {\n\tike-load {\n\t\tsecret = \"%s\"\n\t}\n}\n",
			     opt.suite->swan_esp, opt.psk);
	} else {
		die("--print-config: initiator, ikerd or swanctl, not %s", which);
	}
	fwrite(o.s, 1, o.len, stdout);
	ik_sb_free(&o);
}

/* ---- the initiator ---- */

enum { T_IDLE, T_NEGO, T_UP, T_FAILED };

struct tun {
	uint32_t la, ra;
	uint32_t eng;           /* engine index in its thread */
	uint8_t state;
	uint8_t attempts;       /* MM1s with a fresh cookie */
	uint16_t last_len;
	uint32_t last_hash;
	uint8_t icookie[8];
	uint64_t t_start, t_up; /* us */
	uint64_t next_check;    /* us */
	unsigned check_next;    /* FIFO link (tunnel index + 1; 0 = end) */
};

struct thr;

struct eng {
	struct thr *t;
	struct ik_engine *e;
	uint64_t next_ms;
	bool dirty;
};

/* (local, remote) -> tunnel index, open addressing */
struct tmap {
	uint64_t *keys;
	unsigned *vals;
	size_t mask;
};

struct thr {
	unsigned idx;
	pthread_t th;
	int fd[2], ep;
	unsigned *tids; size_t ntids; /* the tunnels of this thread, in start order */
	struct eng *engs; size_t nengs;
	struct tmap map;
	struct ik_log log;
	size_t next_start;
	uint64_t next_start_us;
	unsigned inflight;
	unsigned check_head, check_tail;
	/* counts */
	unsigned up, failed, retried, retransmits, started;
	unsigned lost, dpd_acks, dpd_dead; /* while holding */
	uint64_t rx, tx, tx_errors, rx_unknown;
	atomic_int setup_done;
};

static struct tun *tuns;
static struct thr thrs[MAX_THREADS];
static atomic_int phase; /* 0 set-up, 1 hold, 2 delete, 3 exit */

static uint64_t pair_key(uint32_t la, uint32_t ra)
{
	return (uint64_t)la << 32 | ra;
}

static size_t key_hash(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	return (size_t)k;
}

static void tmap_init(struct tmap *m, size_t n)
{
	size_t cap = 16;

	while (cap < n * 2)
		cap <<= 1;
	m->keys = calloc(cap, sizeof(*m->keys));
	m->vals = calloc(cap, sizeof(*m->vals));
	if (!m->keys || !m->vals)
		die("%s", "out of memory");
	m->mask = cap - 1;
}

static void tmap_put(struct tmap *m, uint64_t k, unsigned v)
{
	size_t i = key_hash(k) & m->mask;

	while (m->keys[i] && m->keys[i] != k)
		i = (i + 1) & m->mask;
	m->keys[i] = k;
	m->vals[i] = v;
}

static long tmap_get(const struct tmap *m, uint64_t k)
{
	size_t i = key_hash(k) & m->mask;

	while (m->keys[i]) {
		if (m->keys[i] == k)
			return (long)m->vals[i];
		i = (i + 1) & m->mask;
	}
	return -1;
}

static uint64_t host_now_ms(void *ctx)
{
	(void)ctx;
	return now_us() / 1000u;
}

static void host_random(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	randombytes_buf(buf, len);
}

static uint32_t fnv(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static void host_send(void *ctx, const struct ik_endpoint *local, const struct ik_endpoint *remote,
		      const char *fvrf, const uint8_t *msg, size_t len)
{
	struct eng *g = ctx;
	struct thr *t = g->t;
	uint32_t la = ikl_ep_addr(local), ra = ikl_ep_addr(remote);
	long ti = tmap_get(&t->map, pair_key(la, ra));
	struct sockaddr_in to;
	struct iovec iov;
	struct msghdr mh;
	union {
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} cm;
	struct cmsghdr *c;
	struct in_pktinfo pi;
	int fd = t->fd[ikl_ep_port(local) == 4500 ? 1 : 0];

	(void)fvrf;
	if (ti >= 0 && len >= 28 && ikl_ep_port(local) == 500) {
		struct tun *u = &tuns[ti];
		uint32_t h = fnv(msg, len);
		static const uint8_t zero[8];

		/* a new attempt: MM1 (exchange 2) or IKE_SA_INIT (34) with a new
		 * initiator SPI, no responder SPI, message ID 0 */
		if ((msg[18] == 2 || msg[18] == 34) && !memcmp(msg + 8, zero, 8) &&
		    !memcmp(msg + 20, zero, 4) && memcmp(msg, u->icookie, 8)) {
			if (u->attempts++)
				t->retried++;
			memcpy(u->icookie, msg, 8);
		} else if (h == u->last_hash && len == u->last_len) {
			t->retransmits++;
		}
		u->last_hash = h;
		u->last_len = (uint16_t)len;
	}
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_addr.s_addr = htonl(ra);
	to.sin_port = htons(ikl_ep_port(remote));
	iov.iov_base = (void *)(uintptr_t)msg;
	iov.iov_len = len;
	memset(&mh, 0, sizeof(mh));
	mh.msg_name = &to;
	mh.msg_namelen = sizeof(to);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	memset(&cm, 0, sizeof(cm));
	mh.msg_control = cm.buf;
	mh.msg_controllen = sizeof(cm.buf);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(pi));
	memset(&pi, 0, sizeof(pi));
	pi.ipi_spec_dst.s_addr = htonl(la);
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	if (sendmsg(fd, &mh, MSG_DONTWAIT) < 0)
		t->tx_errors++;
	else
		t->tx++;
}

static unsigned tun_of_ifname(const char *ifname)
{
	return (unsigned)strtoul(ifname + strlen("Tunnel"), NULL, 10) - 1;
}

static int host_child_up(void *ctx, const struct ik_child_sa *c)
{
	struct eng *g = ctx;
	unsigned ti = tun_of_ifname(c->ifname);

	if (ti < opt.ntun && tuns[ti].state == T_NEGO) {
		tuns[ti].state = T_UP;
		tuns[ti].t_up = now_us();
		g->t->up++;
		g->t->inflight--;
	}
	return 0;
}

static void host_child_down(void *ctx, const struct ik_child_sa *c)
{
	struct eng *g = ctx;

	(void)c;
	if (atomic_load(&phase) == 1)
		g->t->lost++;
}

/* While holding with --dpd, the engines' debug lines are on and counted
 * here (printed only with --debug). */
static void log_sink(void *ctx, unsigned cat, int sev, const char *line)
{
	struct thr *t = ctx;

	/* IKEv1 DPD, IKEv2 liveness checks */
	if (t && cat && (strstr(line, "R_U_THERE_ACK received") ||
			 strstr(line, "Received DPD/liveness response")))
		t->dpd_acks++;
	if (t && cat && (strstr(line, "declaring it") ||
			 (strstr(line, "Maximum number of retransmissions reached: peer") &&
			  strstr(line, "is dead"))))
		t->dpd_dead++;
	if (opt.debug || (cat == 0 && sev <= IK_LOG_ERR && !opt.quiet))
		fprintf(stderr, "%s\n", line);
}

static int sock_open(struct thr *t, uint16_t port)
{
	struct sockaddr_in sin;
	int one = 1, fd, sz = 8 << 20;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		fprintf(stderr, "ikeload: cannot bind UDP port %u: %s\n", port, strerror(errno));
		close(fd);
		return -1;
	}
	if (opt.threads > 1) {
		/* the thread of a datagram: its destination address modulo threads */
		struct sock_filter code[] = {
			{ BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)(SKF_NET_OFF + 16) },
			{ BPF_ALU | BPF_MOD | BPF_K, 0, 0, opt.threads },
			{ BPF_RET | BPF_A, 0, 0, 0 },
		};
		struct sock_fprog prog = { 3, code };

		if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog, sizeof(prog)))
			fprintf(stderr, "ikeload: reuseport BPF: %s\n", strerror(errno));
	}
	(void)t;
	return fd;
}

static void engines_build(struct thr *t)
{
	struct ik_engine_host host = {
		.now_ms = host_now_ms, .random = host_random, .send = host_send,
		.child_up = host_child_up, .child_down = host_child_down,
	};
	struct ik_engine_opts eo = { .retransmit_max = opt.retransmit };

	t->nengs = (t->ntids + opt.per_engine - 1) / opt.per_engine;
	t->engs = calloc(t->nengs ? t->nengs : 1, sizeof(*t->engs));
	if (!t->engs)
		die("%s", "out of memory");
	eo.max_half_open = opt.per_engine * 2 + 16;
	for (size_t k = 0; k < t->nengs; k++) {
		struct ik_sb o;
		struct ik_conf_error err;
		struct ik_config *cfg;
		struct eng *g = &t->engs[k];

		ik_sb_init(&o);
		conf_common(&o, "IKELOAD", opt.remotes, opt.nremotes);
		for (size_t j = k * opt.per_engine; j < t->ntids && j < (k + 1) * opt.per_engine;
		     j++) {
			unsigned i = t->tids[j];

			conf_tunnel(&o, i, tuns[i].la, tuns[i].ra);
			tuns[i].eng = (uint32_t)k;
		}
		cfg = ik_snapshot_load_string(o.s, "ikeload", &err);
		if (!cfg) {
			char buf[2048];

			ik_conf_error_format(&err, buf, sizeof(buf));
			die("generated configuration refused:\n%s", buf);
		}
		ik_sb_free(&o);
		g->t = t;
		host.ctx = g;
		eo.first_conn_id = 1001 + (unsigned)(t->idx * 1000000u + k * 10000u);
		g->e = ik_engine_new(cfg, &host, &t->log, &eo);
		ik_config_unref(cfg);
		if (!g->e)
			die("%s", "engine creation failed");
		g->dirty = true;
	}
}

static void check_push(struct thr *t, unsigned ti, uint64_t when)
{
	tuns[ti].next_check = when;
	tuns[ti].check_next = 0;
	if (t->check_tail)
		tuns[t->check_tail - 1].check_next = ti + 1;
	else
		t->check_head = ti + 1;
	t->check_tail = ti + 1;
}

static void tun_initiate(struct thr *t, unsigned ti)
{
	struct tun *u = &tuns[ti];
	struct eng *g = &t->engs[u->eng];
	char ifn[32];
	struct ik_sb err;

	snprintf(ifn, sizeof(ifn), "Tunnel%u", ti + 1);
	ik_sb_init(&err);
	if (ik_engine_initiate(g->e, ifn, &err) < 0 && !opt.quiet)
		fprintf(stderr, "ikeload: %s\n", ik_sb_str(&err));
	ik_sb_free(&err);
	g->dirty = true;
}

static void rx_one(struct thr *t, int port, uint8_t *buf, size_t len, uint32_t src, uint16_t sport,
		   uint32_t dst)
{
	long ti;
	struct ik_endpoint l, r;
	struct eng *g;

	t->rx++;
	if (port == 4500) {
		if (len == 1 && buf[0] == 0xff)
			return;
		if (len < 4 || buf[0] || buf[1] || buf[2] || buf[3])
			return; /* ESP in UDP: no kernel SA here */
		buf += 4;
		len -= 4;
	}
	ti = tmap_get(&t->map, pair_key(dst, src));
	if (ti < 0) {
		t->rx_unknown++;
		return;
	}
	g = &t->engs[tuns[ti].eng];
	ikl_ep_set(&l, dst, (uint16_t)port);
	ikl_ep_set(&r, src, sport);
	ik_engine_input(g->e, &l, &r, NULL, buf, len);
	g->dirty = true;
}

static void rx_drain(struct thr *t, int which)
{
	static __thread uint8_t bufs[RX_BATCH][RX_BUF];
	struct mmsghdr mm[RX_BATCH];
	struct iovec iov[RX_BATCH];
	struct sockaddr_in from[RX_BATCH];
	union {
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} cm[RX_BATCH];

	for (int round = 0; round < 16; round++) {
		int n;

		for (int i = 0; i < RX_BATCH; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = RX_BUF;
			memset(&mm[i], 0, sizeof(mm[i]));
			mm[i].msg_hdr.msg_name = &from[i];
			mm[i].msg_hdr.msg_namelen = sizeof(from[i]);
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
			mm[i].msg_hdr.msg_control = cm[i].buf;
			mm[i].msg_hdr.msg_controllen = sizeof(cm[i].buf);
		}
		n = recvmmsg(t->fd[which], mm, RX_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		for (int i = 0; i < n; i++) {
			uint32_t dst = 0;

			for (struct cmsghdr *c = CMSG_FIRSTHDR(&mm[i].msg_hdr); c;
			     c = CMSG_NXTHDR(&mm[i].msg_hdr, c)) {
				if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
					struct in_pktinfo pi;

					memcpy(&pi, CMSG_DATA(c), sizeof(pi));
					dst = ntohl(pi.ipi_addr.s_addr);
				}
			}
			rx_one(t, which ? 4500 : 500, bufs[i], mm[i].msg_len,
			       ntohl(from[i].sin_addr.s_addr), ntohs(from[i].sin_port), dst);
		}
		if (n < RX_BATCH)
			return;
	}
}

/* Starts what the rate and the concurrency limit allow; rechecks tunnels
 * whose attempt timed out. Returns the time of the next start (or 0). */
static uint64_t starts_and_checks(struct thr *t, uint64_t now)
{
	double per = opt.rate > 0 ? 1e6 * opt.threads / opt.rate : 0;

	while (t->next_start < t->ntids && (!opt.concurrency ||
	       t->inflight < (opt.concurrency + opt.threads - 1) / opt.threads) &&
	       (!per || now >= t->next_start_us)) {
		unsigned ti = t->tids[t->next_start++];

		tuns[ti].state = T_NEGO;
		tuns[ti].t_start = now;
		t->inflight++;
		t->started++;
		check_push(t, ti, now + (uint64_t)(opt.attempt_s * 1e6));
		tun_initiate(t, ti);
		if (per)
			t->next_start_us += (uint64_t)per;
	}
	while (t->check_head && tuns[t->check_head - 1].next_check <= now) {
		unsigned ti = t->check_head - 1;

		t->check_head = tuns[ti].check_next;
		if (!t->check_head)
			t->check_tail = 0;
		if (tuns[ti].state != T_NEGO)
			continue;
		if (now - tuns[ti].t_start >= (uint64_t)(opt.timeout_s * 1e6)) {
			tuns[ti].state = T_FAILED;
			t->failed++;
			t->inflight--;
			continue;
		}
		/* the engine starts afresh only if it gave the exchange up */
		tun_initiate(t, ti);
		check_push(t, ti, now + (uint64_t)(opt.attempt_s * 1e6));
	}
	if (t->next_start < t->ntids && per)
		return t->next_start_us;
	return 0;
}

static void *thr_main(void *arg)
{
	struct thr *t = arg;
	uint64_t end_delete = 0;
	int cleared = 0, hold_seen = 0;

	t->next_start_us = now_us();
	for (;;) {
		uint64_t now = now_us(), next = now + 50000, ns;
		uint64_t now_ms = now / 1000;
		struct epoll_event ev[4];
		int ph = atomic_load(&phase), n, to;

		if (ph == 0 || ph == 1) {
			ns = starts_and_checks(t, now);
			if (ns && ns < next)
				next = ns;
			if (!atomic_load(&t->setup_done) && t->next_start == t->ntids &&
			    t->up + t->failed == t->ntids)
				atomic_store(&t->setup_done, 1);
			if (ph == 1 && opt.dpd && !hold_seen) {
				t->log.debug_mask |= IK_DBG_ISAKMP | IK_DBG_IKEV2;
				hold_seen = 1;
			}
		} else if (ph == 2 && !cleared) {
			for (size_t k = 0; k < t->nengs; k++) {
				ik_engine_clear(t->engs[k].e, IK_CLEAR_SESSION, 0, 0);
				t->engs[k].dirty = true;
			}
			cleared = 1;
			end_delete = now + 300000;
		} else if (ph == 3 || (cleared && now >= end_delete)) {
			break;
		}
		for (size_t k = 0; k < t->nengs; k++) {
			struct eng *g = &t->engs[k];

			if (g->dirty) {
				g->next_ms = ik_engine_next_timer(g->e);
				g->dirty = false;
			}
			if (g->next_ms <= now_ms) {
				ik_engine_run_timers(g->e);
				g->next_ms = ik_engine_next_timer(g->e);
			}
			if (g->next_ms != UINT64_MAX && g->next_ms * 1000 < next)
				next = g->next_ms * 1000;
		}
		now = now_us();
		to = next > now ? (int)((next - now + 999) / 1000) : 0;
		n = epoll_wait(t->ep, ev, 4, to);
		for (int i = 0; i < n; i++)
			rx_drain(t, (int)ev[i].data.u32);
	}
	return NULL;
}

static void add_addrs(const char *dev, const uint32_t *a, size_t n, int plen)
{
	FILE *p;
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "ip -force -batch - 2>/dev/null");
	p = popen(cmd, "w");
	if (!p)
		die("%s", "cannot run ip");
	for (size_t i = 0; i < n; i++) {
		char s[IK_ADDRSTRLEN];

		fprintf(p, "address add %s/%d dev %s\n", ik_addr_fmt(a[i], s), plen, dev);
	}
	pclose(p);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double pct(const uint64_t *v, size_t n, double p)
{
	size_t i;

	if (!n)
		return 0;
	i = (size_t)(p * (double)(n - 1) + 0.5);
	return (double)v[i] / 1000.0;
}

static int run_initiator(void)
{
	uint64_t t0, t_done, t_last_up = 0;
	uint64_t *lat;
	size_t nlat = 0;
	unsigned up = 0, failed = 0, retried = 0, retrans = 0;
	uint64_t rx = 0, tx = 0, rxu = 0;
	struct ik_engine_stats st;
	uint64_t p1f = 0, p2f = 0;

	if ((uint64_t)opt.nlocals * opt.nremotes < opt.ntun) {
		fprintf(stderr, "ikeload: %u tunnels need %u distinct (local, remote) pairs; "
			"%zu local x %zu remote addresses give %zu\n", opt.ntun, opt.ntun,
			opt.nlocals, opt.nremotes, opt.nlocals * opt.nremotes);
		return 2;
	}
	if (opt.add_dev)
		add_addrs(opt.add_dev, opt.locals, opt.nlocals, 32);
	tuns = calloc(opt.ntun, sizeof(*tuns));
	if (!tuns)
		die("%s", "out of memory");
	for (unsigned k = 0; k < opt.threads; k++) {
		struct thr *t = &thrs[k];

		t->idx = k;
		t->tids = calloc(opt.ntun, sizeof(*t->tids));
		tmap_init(&t->map, opt.ntun / opt.threads + 16);
		t->log.sink = log_sink;
		t->log.ctx = t;
		t->log.debug_mask = opt.debug ? IK_DBG_ISAKMP | IK_DBG_IKEV2 | IK_DBG_IPSEC : 0;
	}
	for (unsigned i = 0; i < opt.ntun; i++) {
		struct thr *t;

		tuns[i].la = tun_local(i);
		tuns[i].ra = tun_remote(i);
		t = &thrs[opt.threads > 1 ? tuns[i].la % opt.threads : 0];
		t->tids[t->ntids++] = i;
		tmap_put(&t->map, pair_key(tuns[i].la, tuns[i].ra), i);
	}
	for (unsigned k = 0; k < opt.threads; k++) {
		struct thr *t = &thrs[k];
		struct epoll_event ev;

		engines_build(t);
		t->ep = epoll_create1(EPOLL_CLOEXEC);
		for (int j = 0; j < 2; j++) {
			t->fd[j] = sock_open(t, j ? 4500 : 500);
			if (t->fd[j] < 0)
				return 2;
			memset(&ev, 0, sizeof(ev));
			ev.events = EPOLLIN;
			ev.data.u32 = (uint32_t)j;
			epoll_ctl(t->ep, EPOLL_CTL_ADD, t->fd[j], &ev);
		}
	}
	t0 = now_us();
	for (unsigned k = 0; k < opt.threads; k++)
		pthread_create(&thrs[k].th, NULL, thr_main, &thrs[k]);
	for (;;) {
		unsigned done = 0;

		for (unsigned k = 0; k < opt.threads; k++)
			done += (unsigned)atomic_load(&thrs[k].setup_done);
		if (done == opt.threads || atomic_load(&stop_req))
			break;
		usleep(2000);
	}
	t_done = now_us();
	for (unsigned i = 0; i < opt.ntun; i++)
		if (tuns[i].state == T_UP && tuns[i].t_up > t_last_up)
			t_last_up = tuns[i].t_up;
	lat = malloc((opt.ntun + 1) * sizeof(*lat));
	for (unsigned i = 0; i < opt.ntun; i++)
		if (tuns[i].state == T_UP)
			lat[nlat++] = tuns[i].t_up - tuns[i].t_start;
	qsort(lat, nlat, sizeof(*lat), cmp_u64);
	for (unsigned k = 0; k < opt.threads; k++) {
		struct thr *t = &thrs[k];

		up += t->up;
		failed += t->failed;
		retried += t->retried;
		retrans += t->retransmits;
		rx += t->rx;
		tx += t->tx;
		rxu += t->rx_unknown;
	}
	{
		double wall = (double)((t_last_up ? t_last_up : t_done) - t0) / 1e6;

		printf("tunnels %u up %u failed %u not-finished %u retried %u retransmits %u\n",
		       opt.ntun, up, failed, opt.ntun - up - failed, retried, retrans);
		printf("setup_s %.3f rate_per_s %.1f\n", wall, wall > 0 ? up / wall : 0.0);
		printf("latency_ms p50 %.2f p90 %.2f p99 %.2f max %.2f\n", pct(lat, nlat, 0.5),
		       pct(lat, nlat, 0.9), pct(lat, nlat, 0.99),
		       nlat ? (double)lat[nlat - 1] / 1000.0 : 0.0);
		struct rusage ru;

		getrusage(RUSAGE_SELF, &ru);
		printf("datagrams tx %lu rx %lu rx_unmatched %lu\n", (unsigned long)tx,
		       (unsigned long)rx, (unsigned long)rxu);
		printf("generator_cpu_s %.2f\n", (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
		fflush(stdout);
	}
	free(lat);
	atomic_store(&phase, 1);
	if (opt.hold_s != 0) {
		uint64_t until = now_us() + (uint64_t)(opt.hold_s * 1e6);

		printf("holding %u SAs%s\n", up, opt.hold_s < 0 ? " until SIGINT/SIGTERM" : "");
		fflush(stdout);
		while (!atomic_load(&stop_req) && (opt.hold_s < 0 || now_us() < until))
			usleep(20000);
		{
			unsigned lost = 0, acks = 0, dead = 0;

			for (unsigned k = 0; k < opt.threads; k++) {
				lost += thrs[k].lost;
				acks += thrs[k].dpd_acks;
				dead += thrs[k].dpd_dead;
			}
			printf("held up %u lost %u dpd_acks %u dpd_dead %u\n", up - lost, lost, acks,
			       dead);
			fflush(stdout);
		}
	}
	atomic_store(&phase, 2);
	for (unsigned k = 0; k < opt.threads; k++)
		pthread_join(thrs[k].th, NULL);
	for (unsigned k = 0; k < opt.threads; k++) {
		struct thr *t = &thrs[k];

		for (size_t g = 0; g < t->nengs; g++) {
			ik_engine_stats(t->engs[g].e, &st);
			p1f += st.p1_failed;
			p2f += st.p2_failed;
			ik_engine_free(t->engs[g].e);
		}
		close(t->fd[0]);
		close(t->fd[1]);
		close(t->ep);
		free(t->engs);
		free(t->tids);
		free(t->map.keys);
		free(t->map.vals);
	}
	printf("deleted %u (DELETE sent); engine phase-1 failures %lu, phase-2 failures %lu\n",
	       up, (unsigned long)p1f, (unsigned long)p2f);
	free(tuns);
	return up == opt.ntun ? 0 : 1;
}

/* ---- flood ---- */

static uint8_t mm1_tpl[2048];
static size_t mm1_len;

static void tpl_send(void *ctx, const struct ik_endpoint *local, const struct ik_endpoint *remote,
		     const char *fvrf, const uint8_t *msg, size_t len)
{
	(void)ctx;
	(void)local;
	(void)remote;
	(void)fvrf;
	if (!mm1_len && len <= sizeof(mm1_tpl)) {
		memcpy(mm1_tpl, msg, len);
		mm1_len = len;
	}
}

/* A real MM1 for the chosen proposal, as the engine writes it. */
static void mm1_template(void)
{
	struct ik_engine_host host = {
		.now_ms = host_now_ms, .random = host_random, .send = tpl_send,
		.child_up = host_child_up, .child_down = host_child_down,
	};
	struct ik_engine_opts eo = { 0 };
	struct ik_log lg = { .sink = log_sink };
	struct ik_sb o, err;
	struct ik_conf_error cerr;
	struct ik_config *cfg;
	struct ik_engine *e;

	ik_sb_init(&o);
	conf_common(&o, "IKELOAD", opt.remotes, opt.nremotes);
	conf_tunnel(&o, 0, opt.locals[0], opt.remotes[0]);
	cfg = ik_snapshot_load_string(o.s, "ikeload", &cerr);
	ik_sb_free(&o);
	if (!cfg)
		die("%s", "generated configuration refused");
	e = ik_engine_new(cfg, &host, &lg, &eo);
	ik_config_unref(cfg);
	ik_sb_init(&err);
	ik_engine_initiate(e, "Tunnel1", &err);
	ik_sb_free(&err);
	ik_engine_free(e);
	if (!mm1_len)
		die("%s", "the engine wrote no MM1");
}

struct fpkt {
	struct iphdr ip;
	struct udphdr udp;
	uint8_t body[2048];
} __attribute__((packed));

static int run_flood(void)
{
	int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	enum { BATCH = 32 };
	static struct fpkt pk[BATCH];
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in to;
	uint64_t t0, end, sent = 0, errs = 0, seq = 0;
	double per = opt.flood_rate > 0 ? 1e6 / opt.flood_rate : 0;
	size_t plen;

	if (fd < 0) {
		fprintf(stderr, "ikeload: raw socket: %s (root needed)\n", strerror(errno));
		return 2;
	}
	{
		int sz = 8 << 20;

		setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz));
	}
	if (opt.add_dev)
		add_addrs(opt.add_dev, opt.locals, opt.nlocals, 32);
	mm1_template();
	plen = sizeof(struct iphdr) + sizeof(struct udphdr) + mm1_len;
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_addr.s_addr = htonl(opt.remotes[0]);
	for (int i = 0; i < BATCH; i++) {
		memset(&pk[i], 0, sizeof(pk[i]));
		pk[i].ip.version = 4;
		pk[i].ip.ihl = 5;
		pk[i].ip.ttl = 64;
		pk[i].ip.protocol = IPPROTO_UDP;
		pk[i].ip.tot_len = htons((uint16_t)plen);
		pk[i].udp.len = htons((uint16_t)(plen - sizeof(struct iphdr)));
		pk[i].udp.dest = htons(500);
		memcpy(pk[i].body, mm1_tpl, mm1_len);
		iov[i].iov_base = &pk[i];
		iov[i].iov_len = plen;
		memset(&mm[i], 0, sizeof(mm[i]));
		mm[i].msg_hdr.msg_name = &to;
		mm[i].msg_hdr.msg_namelen = sizeof(to);
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	t0 = now_us();
	end = t0 + (uint64_t)(opt.duration_s * 1e6);
	while (!atomic_load(&stop_req)) {
		uint64_t now = now_us();
		int n = BATCH, r;

		if (now >= end || (opt.flood_count && sent >= opt.flood_count))
			break;
		if (per) {
			uint64_t due = (uint64_t)((double)(now - t0) / per) + 1;

			if (due <= sent) {
				uint64_t wait = t0 + (uint64_t)((double)sent * per) - now;

				usleep(wait > 20000 ? 20000 : (useconds_t)wait);
				continue;
			}
			if (due - sent < (uint64_t)n)
				n = (int)(due - sent);
		}
		if (opt.flood_count && opt.flood_count - sent < (uint64_t)n)
			n = (int)(opt.flood_count - sent);
		for (int i = 0; i < n; i++, seq++) {
			uint32_t src = opt.locals[seq % opt.nlocals];
			uint16_t sport = (uint16_t)(1024 + (seq / opt.nlocals) % opt.flood_ports);

			pk[i].ip.saddr = htonl(src);
			pk[i].ip.daddr = htonl(opt.remotes[seq % opt.nremotes]);
			pk[i].udp.source = htons(sport);
			randombytes_buf(pk[i].body, 8);
		}
		r = sendmmsg(fd, mm, (unsigned)n, 0);
		if (r < 0) {
			errs++;
			if (errno != ENOBUFS && errno != EAGAIN)
				break;
			continue;
		}
		sent += (uint64_t)r;
	}
	{
		double wall = (double)(now_us() - t0) / 1e6;

		printf("flood sent %lu MM1 in %.2f s (%.0f per s) from %zu addresses x %u ports, "
		       "%lu send errors\n", (unsigned long)sent, wall, wall > 0 ? sent / wall : 0.0,
		       opt.nlocals, opt.flood_ports, (unsigned long)errs);
	}
	close(fd);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: ikeload [options] --local A[+N]|@FILE --remote A[+N]|@FILE\n"
"IKEv1 Main Mode (PSK) + Quick Mode, or IKEv2 (PSK), initiator load generator on\n"
"ikerd's engine.\n"
"      --ikev2            IKEv2: IKE_SA_INIT, IKE_AUTH and the first CHILD_SA\n"
"  -n, --tunnels N        tunnels to bring up (default 100); tunnel i runs from local\n"
"                         address i mod L to remote address i div L\n"
"  -l, --local A[+N]|@F   local addresses: A, N from A, or a file (one per line)\n"
"  -r, --remote A[+N]|@F  responder addresses\n"
"      --add-addrs DEV    add the local addresses (/32) to DEV first\n"
"  -R, --rate R           start R tunnels per second (default: no limit)\n"
"  -c, --concurrency C    at most C tunnels in negotiation at once (default: no limit)\n"
"  -p, --proposal P       modp1024 (3des/md5, ESP 3des/md5), modp2048 (aes256/sha256),\n"
"                         ecp256 (aes256/sha256) or, with --ikev2, x25519\n"
"                         (aes256/sha256, group 31); default modp1024\n"
"  -k, --psk KEY          pre-shared key (default ikeload-Secret)\n"
"      --dpd S            crypto isakmp keepalive S 3 periodic on both sides (IKEv2:\n"
"                         dpd S 3 periodic in the profile)\n"
"      --per-engine N     tunnels per engine (default 200)\n"
"  -t, --threads T        threads, each with its engines and sockets (default 1)\n"
"      --retransmit N     retransmissions before an exchange is given up (default 5)\n"
"      --attempt-timeout S  re-initiate a tunnel not up after S s (default 20)\n"
"      --timeout S        a tunnel not up S s after its start counts as failed (120)\n"
"      --hold S           keep the SAs S seconds (answering DPD; -1: until SIGINT or\n"
"                         SIGTERM), then delete them (DELETE sent)\n"
"      --print-config W   print the configuration of W: initiator, ikerd (the\n"
"                         responder side, IOS) or swanctl (strongSwan responder)\n"
"      --flood            send MM1 (IKE_SA_INIT with --ikev2) from spoofed (local\n"
"                         address, port) sources through a raw socket to the remote\n"
"                         addresses\n"
"      --flood-rate R     first messages per second (default: as fast as possible)\n"
"      --flood-ports N    source ports per address (default 16)\n"
"      --flood-count N    stop after N MM1 (default: when the duration ends)\n"
"  -d, --duration S       flood duration (default 10)\n"
"  -v, --debug            the engines' debug crypto isakmp/ikev2/ipsec trace on stderr\n"
"  -q, --quiet            no engine error lines\n"
"Output: key-value lines (tunnels, setup_s/rate_per_s, latency_ms p50/p90/p99/max).\n"
"Exit status: 0 when every tunnel came up (or the flood ran), 1 if some did not.\n");
}

int main(int argc, char **argv)
{
	enum { O_ADD = 256, O_DPD, O_PER, O_RETR, O_ATT, O_TMO, O_HOLD, O_PRINT, O_FLOOD,
	       O_FRATE, O_FPORTS, O_IKEV2, O_FCOUNT };
	static const struct option lo[] = {
		{ "tunnels", 1, NULL, 'n' }, { "local", 1, NULL, 'l' }, { "remote", 1, NULL, 'r' },
		{ "add-addrs", 1, NULL, O_ADD }, { "rate", 1, NULL, 'R' },
		{ "concurrency", 1, NULL, 'c' }, { "proposal", 1, NULL, 'p' },
		{ "psk", 1, NULL, 'k' }, { "dpd", 1, NULL, O_DPD }, { "per-engine", 1, NULL, O_PER },
		{ "threads", 1, NULL, 't' }, { "retransmit", 1, NULL, O_RETR },
		{ "attempt-timeout", 1, NULL, O_ATT }, { "timeout", 1, NULL, O_TMO },
		{ "hold", 1, NULL, O_HOLD }, { "print-config", 1, NULL, O_PRINT },
		{ "flood", 0, NULL, O_FLOOD }, { "flood-rate", 1, NULL, O_FRATE },
		{ "flood-ports", 1, NULL, O_FPORTS }, { "flood-count", 1, NULL, O_FCOUNT },
		{ "duration", 1, NULL, 'd' },
		{ "debug", 0, NULL, 'v' }, { "quiet", 0, NULL, 'q' }, { "help", 0, NULL, 'h' },
		{ "ikev2", 0, NULL, O_IKEV2 },
		{ NULL, 0, NULL, 0 },
	};
	const char *ls = NULL, *rs = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "n:l:r:R:c:p:k:t:d:vqh", lo, NULL)) != -1) {
		switch (c) {
		case 'n': opt.ntun = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'l': ls = optarg; break;
		case 'r': rs = optarg; break;
		case O_ADD: opt.add_dev = optarg; break;
		case 'R': opt.rate = strtod(optarg, NULL); break;
		case 'c': opt.concurrency = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'p':
			opt.suite = NULL;
			for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
				if (!strcmp(optarg, suites[i].name))
					opt.suite = &suites[i];
			if (!opt.suite)
				die("unknown proposal %s (modp1024, modp2048, ecp256, x25519)", optarg);
			break;
		case O_IKEV2: opt.ikev2 = true; break;
		case 'k': opt.psk = optarg; break;
		case O_DPD: opt.dpd = (unsigned)strtoul(optarg, NULL, 10); break;
		case O_PER: opt.per_engine = (unsigned)strtoul(optarg, NULL, 10); break;
		case 't': opt.threads = (unsigned)strtoul(optarg, NULL, 10); break;
		case O_RETR: opt.retransmit = (unsigned)strtoul(optarg, NULL, 10); break;
		case O_ATT: opt.attempt_s = strtod(optarg, NULL); break;
		case O_TMO: opt.timeout_s = strtod(optarg, NULL); break;
		case O_HOLD: opt.hold_s = strtod(optarg, NULL); break;
		case O_PRINT: opt.print_config = optarg; break;
		case O_FLOOD: opt.flood = true; break;
		case O_FRATE: opt.flood_rate = strtod(optarg, NULL); break;
		case O_FPORTS: opt.flood_ports = (unsigned)strtoul(optarg, NULL, 10); break;
		case O_FCOUNT: opt.flood_count = strtoul(optarg, NULL, 10); break;
		case 'd': opt.duration_s = strtod(optarg, NULL); break;
		case 'v': opt.debug = true; break;
		case 'q': opt.quiet = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || !ls || !rs) {
		usage(stderr);
		return 2;
	}
	if (!opt.ntun || opt.ntun > 1000000)
		die("%s", "--tunnels: 1..1000000");
	if (!opt.threads || opt.threads > MAX_THREADS)
		die("%s", "--threads: 1..8");
	if (!opt.per_engine)
		die("%s", "--per-engine: at least 1");
	if (!opt.flood_ports || opt.flood_ports > 60000)
		die("%s", "--flood-ports: 1..60000");
	if (opt.attempt_s <= 0 || opt.timeout_s <= 0)
		die("%s", "--attempt-timeout and --timeout must be positive");
	if (strlen(opt.psk) == 0 || strpbrk(opt.psk, " \t\r\n\""))
		die("%s", "--psk: a non-empty key without blanks or quotes");
	if (opt.dpd && (opt.dpd < 10 || opt.dpd > 3600))
		die("%s", "--dpd: 10..3600 seconds (crypto isakmp keepalive)");
	if (!opt.duration_s)
		opt.duration_s = 10;
	if (!opt.ikev2 && !opt.suite->isakmp)
		die("proposal %s is IKEv2 only (add --ikev2)", opt.suite->name);
	parse_addrs(ls, &opt.locals, &opt.nlocals);
	parse_addrs(rs, &opt.remotes, &opt.nremotes);
	if (opt.print_config) {
		print_config(opt.print_config);
		return 0;
	}
	if (opt.ikev2 && !IK_FEATURE_IKEV2)
		die("%s", "--ikev2: this build's engine does not negotiate IKEv2 yet "
		    "(ikerd --features: ikev2 no)");
	if (sodium_init() < 0 || ik_secmem_init())
		die("%s", "cannot initialise libsodium or the secure memory pool");
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (opt.flood)
		return run_flood();
	return run_initiator();
}
