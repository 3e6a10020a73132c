/* Logging and the IOS debug trace.
 *
 * The core (resolver, profile selector, engines) never writes to a file or
 * syslog: it emits lines through a struct ik_log that the host owns. Debug
 * lines carry a category (the IOS "debug crypto ..." switch) and are emitted
 * only while that category is on; messages (%CRYPTO-... style, errors) are
 * always emitted. Lines carry no timestamp: the sink adds one when it prints.
 */
#ifndef IK_UTIL_LOG_H
#define IK_UTIL_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ik_dbg_cat {
	IK_DBG_ISAKMP = 1u << 0,     /* debug crypto isakmp */
	IK_DBG_IPSEC = 1u << 1,      /* debug crypto ipsec */
	IK_DBG_ISAKMP_AAA = 1u << 2, /* debug crypto isakmp aaa */
	IK_DBG_IKEV2 = 1u << 3,      /* debug crypto ikev2 */
	IK_DBG_ISAKMP_DETAIL = 1u << 4, /* debug crypto isakmp detail (internals) */
	IK_DBG_PKI_TRANS = 1u << 5,  /* debug crypto pki transactions */
	IK_DBG_PKI_MSG = 1u << 6,    /* debug crypto pki messages */
	IK_DBG_ALL = 0x7fu,
};

enum ik_sev {
	IK_LOG_ERR = 3,
	IK_LOG_WARNING = 4,
	IK_LOG_NOTICE = 5,
	IK_LOG_INFO = 6,
	IK_LOG_DEBUG = 7,
};

/* cat is 0 for a message, one IK_DBG_* bit for a debug line. */
typedef void (*ik_log_sink_fn)(void *ctx, unsigned cat, int sev, const char *line);

/* debug crypto condition peer ipv4 A: the set of peers whose debug lines are
 * printed, and the peer of the event being handled. The engine names that
 * peer once per event (ik_log_scope: one hash probe sequence of bounded
 * length); every debug line then tests one flag, whatever the number of
 * peers, SAs or conditions. A line emitted outside any peer's event is
 * dropped while a condition is set (IOS's "debug context unmatched" off).
 * One per thread: the host gives each engine's log its own. */
#define IK_DBG_COND_MAX 32
#define IK_DBG_COND_SLOTS 64 /* power of two, twice IK_DBG_COND_MAX */
struct ik_dbg_cond {
	unsigned n;                        /* peers in the set; 0 = no condition */
	uint32_t slot[IK_DBG_COND_SLOTS];  /* IPv4, open addressing; 0 = empty */
	unsigned n6;                       /* IPv6 peers (counted in n too) */
	uint8_t v6[IK_DBG_COND_MAX][16];   /* debug crypto condition peer ipv6 */
	uint32_t cur;                      /* the peer of the current event, 0 = none */
	bool pass;                         /* cur is in the set */
};

struct ik_log {
	unsigned debug_mask; /* IK_DBG_* bits switched on */
	ik_log_sink_fn sink; /* may be NULL: everything is dropped */
	void *ctx;
	struct ik_dbg_cond *cond; /* may be NULL: no condition possible */
};

bool ik_log_on(const struct ik_log *lg, unsigned cat);
/* The event being handled concerns peer (host order; 0 = no peer). */
void ik_log_scope(const struct ik_log *lg, uint32_t peer);
/* The same for a peer of either family (an IPv6 peer is looked up among the
 * at most IK_DBG_COND_MAX IPv6 conditions). */
struct ik_addr;
void ik_log_scope_addr(const struct ik_log *lg, const struct ik_addr *peer);
/* The IPv6 conditions (debug crypto condition peer ipv6 A): add (0, or -1
 * when the set is full), remove (0, or -1 when absent), test. */
int ik_dbg_cond_add6(struct ik_dbg_cond *c, const uint8_t a[16]);
int ik_dbg_cond_del6(struct ik_dbg_cond *c, const uint8_t a[16]);
bool ik_dbg_cond_has6(const struct ik_dbg_cond *c, const uint8_t a[16]);
/* The condition set: add (0, or -1 when full or addr is 0), remove (0, or -1
 * when absent), clear, and whether addr is in it. */
int ik_dbg_cond_add(struct ik_dbg_cond *c, uint32_t addr);
int ik_dbg_cond_del(struct ik_dbg_cond *c, uint32_t addr);
void ik_dbg_cond_clear(struct ik_dbg_cond *c);
bool ik_dbg_cond_has(const struct ik_dbg_cond *c, uint32_t addr);
/* A debug line in category cat; dropped unless the category is on. */
void ik_dbg(const struct ik_log *lg, unsigned cat, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A message of severity sev (IOS %FACILITY-SEV-MNEMONIC lines, errors). */
void ik_msg(const struct ik_log *lg, int sev, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ik_vdbg(const struct ik_log *lg, unsigned cat, const char *fmt, va_list ap);

/* Category names as typed after "debug crypto": "isakmp", "ipsec",
 * "isakmp aaa" (or "isakmp-aaa"), "isakmp detail" (or "isakmp-detail"),
 * "ikev2". Returns 0 if unknown. */
unsigned ik_dbg_cat_parse(const char *name);
const char *ik_dbg_cat_name(unsigned cat);

/* An in-memory sink for tests and for "ikerctl test": collects lines. */
struct ik_log_capture {
	char **lines;
	unsigned *cats;
	size_t n, cap;
};
void ik_log_capture_sink(void *ctx, unsigned cat, int sev, const char *line);
void ik_log_capture_clear(struct ik_log_capture *c);
/* Index of the first line at or after from that contains needle, or -1. */
long ik_log_capture_find(const struct ik_log_capture *c, size_t from, const char *needle);

#endif
