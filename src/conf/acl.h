/* Extended access lists: one line parsed from its words, packets and proxy
 * identities matched against lines and lists.
 *
 * The configuration parser hands the words of `permit|deny ...` (named
 * lists) or of the part after `access-list N` to ik_ace_parse; the crypto
 * map code turns permit lines into proxy identities (ik_ace_proxy) and
 * matches a peer's proposal against them. Addresses are struct ik_addr so
 * that IPv6 lists fit the same functions; IPv4 is what the parser reads
 * today.
 */
#ifndef IK_CONF_ACL_H
#define IK_CONF_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/model.h"
#include "util/addr.h"

struct ik_sb;

/* Parses w[0..n): `permit|deny PROTO SRC [PORTS] DST [PORTS] [log|log-input]`
 * with SRC/DST `any`, `host A` or `A WILDCARD` and PORTS `eq P`, `neq P`,
 * `lt P`, `gt P` or `range P P` (tcp, udp and sctp only; P a number or an
 * IOS port name). Fills *out (seq, line and remark untouched). On error
 * returns -1 with *bad the index of the offending word (n when words are
 * missing) and msg the reason. */
int ik_ace_parse(const char *const *w, int n, struct ik_ace *out, int *bad, char *msg,
		 size_t msglen);

/* The same for a line of an IPv6 list (ipv6 access-list NAME): `[sequence
 * N] permit|deny PROTO SRC [PORTS] DST [PORTS] [log|log-input] [sequence
 * N]` with PROTO ipv6 (any), tcp, udp, icmp (ICMPv6), esp, ... or a number,
 * SRC/DST `any`, `host A` or `PREFIX/LENGTH`. A sequence number written
 * goes into out->seq (else out->seq is kept). */
int ik_ace6_parse(const char *const *w, int n, struct ik_ace *out, int *bad, char *msg,
		  size_t msglen);
/* Whether a (permit or deny) line is of an IPv6 list. */
bool ik_ace_is_ipv6(const struct ik_ace *a);

/* The line as IOS prints it after the permit/deny keyword and its padding:
 * "ip 10.1.0.0 0.0.255.255 host 10.2.0.1", "tcp any any eq www". */
void ik_ace_format(const struct ik_ace *a, struct ik_sb *out);
/* "permit", "deny   " (padded as IOS pads it) or "remark" */
const char *ik_ace_action_word(const struct ik_ace *a, bool padded);

/* A packet (or the acquire of one): protocol, addresses, ports (0 when the
 * protocol has none). */
struct ik_flow {
	uint8_t proto;
	struct ik_addr src, dst;
	uint16_t sport, dport;
};

bool ik_ace_match(const struct ik_ace *a, const struct ik_flow *f);
/* The first permit or deny line that f matches; NULL when none does (the
 * implicit deny at the end of every list). */
const struct ik_ace *ik_acl_lookup(const struct ik_acl *acl, const struct ik_flow *f);

/* Traffic selectors: an inclusive address range and port range of one
 * side; a proxy identity pair is the protocol and both sides, local first
 * as seen from this router. */
struct ik_ts {
	struct ik_addr lo, hi;
	uint16_t port_lo, port_hi;
};

struct ik_proxy {
	uint8_t proto;          /* 0 = any */
	struct ik_ts local, remote;
};

/* A permit line as the proxy identities it stands for (local = the
 * line's source). -1 with why when it cannot be one: a wildcard that is
 * not a prefix (IOS refuses it as a crypto ACL too), or a port test that
 * is not a range (neq). */
int ik_ace_proxy(const struct ik_ace *a, struct ik_proxy *out, char *why, size_t len);
/* Whether every packet of inner is one of outer (same family, proto,
 * address and port ranges inside). */
bool ik_proxy_within(const struct ik_proxy *inner, const struct ik_proxy *outer);
bool ik_proxy_overlap(const struct ik_proxy *a, const struct ik_proxy *b);
/* a and b intersected into *out (the protocol of the one that names one);
 * false, out untouched, when they share no packet. */
bool ik_proxy_intersect(const struct ik_proxy *a, const struct ik_proxy *b,
			struct ik_proxy *out);

/* The responder's check of a proposal p (local/remote as seen here)
 * against a crypto ACL: the first line whose identities contain p decides
 * (permit: the line is returned; deny: NULL). Lines that only overlap p
 * are passed over. NULL when no line contains p. */
const struct ik_ace *ik_acl_proxy_match(const struct ik_acl *acl, const struct ik_proxy *p);

/* Prefix length of an IPv4/IPv6 wildcard when it is contiguous, else -1. */
int ik_wild_plen(const struct ik_addr *wild);

/* IOS name of an IP protocol ("ip", "tcp", ..., or NULL for a number) and
 * of a well-known port of tcp/udp (NULL when IOS prints the number). */
const char *ik_proto_name(uint8_t proto);
const char *ik_port_name(uint8_t proto, uint16_t port);

#endif
