/* Extended access lists: parse one line, match packets and proxy
 * identities (conf/acl.h). */
#include "conf/acl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/strbuf.h"
#include "util/util.h"

struct name_num {
	const char *name;
	unsigned num;
};

static const struct name_num protos[] = {
	{ "ip", 0 }, { "icmp", 1 }, { "igmp", 2 }, { "ipinip", 4 }, { "tcp", 6 },
	{ "udp", 17 }, { "gre", 47 }, { "esp", 50 }, { "ahp", 51 }, { "eigrp", 88 },
	{ "ospf", 89 }, { "nos", 94 }, { "pim", 103 }, { "pcp", 108 }, { "sctp", 132 },
};

/* the names IOS prints instead of the numbers */
static const struct name_num tcp_ports[] = {
	{ "echo", 7 }, { "discard", 9 }, { "daytime", 13 }, { "chargen", 19 },
	{ "ftp-data", 20 }, { "ftp", 21 }, { "telnet", 23 }, { "smtp", 25 }, { "time", 37 },
	{ "whois", 43 }, { "tacacs", 49 }, { "domain", 53 }, { "gopher", 70 },
	{ "finger", 79 }, { "www", 80 }, { "hostname", 101 }, { "pop2", 109 },
	{ "pop3", 110 }, { "sunrpc", 111 }, { "ident", 113 }, { "nntp", 119 }, { "bgp", 179 },
	{ "irc", 194 }, { "pim-auto-rp", 496 }, { "exec", 512 }, { "login", 513 },
	{ "cmd", 514 }, { "lpd", 515 }, { "talk", 517 }, { "uucp", 540 }, { "klogin", 543 },
	{ "kshell", 544 },
};

static const struct name_num udp_ports[] = {
	{ "echo", 7 }, { "discard", 9 }, { "time", 37 }, { "nameserver", 42 },
	{ "tacacs", 49 }, { "domain", 53 }, { "bootps", 67 }, { "bootpc", 68 },
	{ "tftp", 69 }, { "sunrpc", 111 }, { "ntp", 123 }, { "netbios-ns", 137 },
	{ "netbios-dgm", 138 }, { "netbios-ss", 139 }, { "snmp", 161 }, { "snmptrap", 162 },
	{ "xdmcp", 177 }, { "dnsix", 195 }, { "mobile-ip", 434 }, { "pim-auto-rp", 496 },
	{ "isakmp", 500 }, { "biff", 512 }, { "who", 513 }, { "syslog", 514 }, { "talk", 517 },
	{ "rip", 520 }, { "non500-isakmp", 4500 },
};

static bool has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 132;
}

static const struct name_num *port_table(uint8_t proto, size_t *n)
{
	if (proto == 6) {
		*n = IK_ARRAY_LEN(tcp_ports);
		return tcp_ports;
	}
	if (proto == 17) {
		*n = IK_ARRAY_LEN(udp_ports);
		return udp_ports;
	}
	*n = 0;
	return NULL;
}

const char *ik_proto_name(uint8_t proto)
{
	for (size_t i = 0; i < IK_ARRAY_LEN(protos); i++)
		if (protos[i].num == proto)
			return protos[i].name;
	return NULL;
}

const char *ik_port_name(uint8_t proto, uint16_t port)
{
	size_t n;
	const struct name_num *t = port_table(proto, &n);

	for (size_t i = 0; i < n; i++)
		if (t[i].num == port)
			return t[i].name;
	return NULL;
}

/* A decimal number lo..hi; -1 when s is not one. */
static long num_in(const char *s, long lo, long hi)
{
	long v = 0;

	if (!*s || strlen(s) > 6)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v < lo || v > hi ? -1 : v;
}

static int parse_port(uint8_t proto, const char *s, uint16_t *out)
{
	size_t n;
	const struct name_num *t = port_table(proto, &n);
	long v = num_in(s, 0, 65535);

	if (v >= 0) {
		*out = (uint16_t)v;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(s, t[i].name)) {
			*out = (uint16_t)t[i].num;
			return 0;
		}
	return -1;
}

#define FAIL(at, ...)                                                          \
	do {                                                                   \
		*bad = (at);                                                   \
		snprintf(msg, msglen, __VA_ARGS__);                            \
		return -1;                                                     \
	} while (0)

static int parse_side(const char *const *w, int n, int *i, struct ik_ace_addr *s, int *bad,
		      char *msg, size_t msglen, const char *what)
{
	uint32_t a, m;

	memset(s, 0, sizeof(*s));
	if (*i >= n)
		FAIL(n, "incomplete access-list line: %s address expected", what);
	if (!strcasecmp(w[*i], "any")) {
		s->form = IK_ACE_ANY;
		s->wild = ik_addr_v4(0xffffffffu);
		s->addr = ik_addr_v4(0);
		(*i)++;
		return 0;
	}
	if (!strcasecmp(w[*i], "host")) {
		if (*i + 1 >= n)
			FAIL(n, "incomplete access-list line: %s host address expected", what);
		if (ik_addr_parse(w[*i + 1], &a))
			FAIL(*i + 1, "'%s' is not a valid %s host address (dotted quad expected)",
			     w[*i + 1], what);
		s->form = IK_ACE_HOST;
		s->addr = ik_addr_v4(a);
		s->wild = ik_addr_v4(0);
		*i += 2;
		return 0;
	}
	if (!strcasecmp(w[*i], "object-group") || !strcasecmp(w[*i], "addrgroup"))
		FAIL(*i, "%s in access lists is not supported: write the addresses as lines",
		     w[*i]);
	if (ik_addr_parse(w[*i], &a))
		FAIL(*i, "'%s' is not a valid %s address (any, host A, or A WILDCARD expected)",
		     w[*i], what);
	if (*i + 1 >= n)
		FAIL(n, "incomplete access-list line: %s wildcard expected after %s", what, w[*i]);
	if (ik_addr_parse(w[*i + 1], &m))
		FAIL(*i + 1, "'%s' is not a valid %s wildcard (dotted quad expected)", w[*i + 1],
		     what);
	if (m == 0xffffffffu) {
		s->form = IK_ACE_ANY;
		a = 0;
	} else if (m == 0) {
		s->form = IK_ACE_HOST;
	}
	/* IOS keeps only the bits the wildcard compares */
	s->addr = ik_addr_v4(a & ~m);
	s->wild = ik_addr_v4(m);
	*i += 2;
	return 0;
}

static int parse_ports(const char *const *w, int n, int *i, uint8_t proto,
		       struct ik_ace_ports *p, int *bad, char *msg, size_t msglen)
{
	static const struct { const char *w; enum ik_port_op op; } ops[] = {
		{ "eq", IK_PORT_EQ }, { "neq", IK_PORT_NEQ }, { "lt", IK_PORT_LT },
		{ "gt", IK_PORT_GT }, { "range", IK_PORT_RANGE },
	};
	int at = *i;

	memset(p, 0, sizeof(*p));
	if (at >= n)
		return 0;
	for (size_t k = 0; k < IK_ARRAY_LEN(ops); k++) {
		if (strcasecmp(w[at], ops[k].w))
			continue;
		if (!has_ports(proto))
			FAIL(at, "'%s' needs tcp, udp or sctp, not protocol %u", w[at],
			     (unsigned)proto);
		p->op = ops[k].op;
		if (at + 1 >= n)
			FAIL(n, "incomplete access-list line: port expected after '%s'", w[at]);
		if (parse_port(proto, w[at + 1], &p->lo))
			FAIL(at + 1, "'%s' is not a port number (0-65535) or a port name", w[at + 1]);
		if (p->op == IK_PORT_RANGE) {
			if (at + 2 >= n)
				FAIL(n, "incomplete access-list line: end of port range expected");
			if (parse_port(proto, w[at + 2], &p->hi))
				FAIL(at + 2, "'%s' is not a port number (0-65535) or a port name",
				     w[at + 2]);
			if (p->hi < p->lo)
				FAIL(at + 2, "port range %u-%u is empty", p->lo, p->hi);
			*i = at + 3;
		} else {
			p->hi = p->lo;
			*i = at + 2;
		}
		return 0;
	}
	return 0;
}

int ik_ace_parse(const char *const *w, int n, struct ik_ace *out, int *bad, char *msg,
		 size_t msglen)
{
	struct ik_ace a;
	int i = 2;
	long v;
	bool known = false;

	memset(&a, 0, sizeof(a));
	if (n < 1)
		FAIL(0, "incomplete access-list line: permit or deny expected");
	if (!strcasecmp(w[0], "permit"))
		a.action = IK_ACE_PERMIT;
	else if (!strcasecmp(w[0], "deny"))
		a.action = IK_ACE_DENY;
	else
		FAIL(0, "'%s' is not permit, deny or remark", w[0]);
	if (n < 2)
		FAIL(1, "incomplete access-list line: protocol expected");
	for (size_t k = 0; k < IK_ARRAY_LEN(protos) && !known; k++)
		if (!strcasecmp(w[1], protos[k].name)) {
			a.proto = (uint8_t)protos[k].num;
			known = true;
		}
	if (!known) {
		if ((v = num_in(w[1], 0, 255)) < 0)
			FAIL(1, "'%s' is not a protocol (ip, tcp, udp, icmp, gre, esp, ... or "
			     "0-255)", w[1]);
		a.proto = (uint8_t)v;
	}
	if (parse_side(w, n, &i, &a.src, bad, msg, msglen, "source") ||
	    parse_ports(w, n, &i, a.proto, &a.sport, bad, msg, msglen) ||
	    parse_side(w, n, &i, &a.dst, bad, msg, msglen, "destination") ||
	    parse_ports(w, n, &i, a.proto, &a.dport, bad, msg, msglen))
		return -1;
	if (i < n && (!strcasecmp(w[i], "log") || !strcasecmp(w[i], "log-input"))) {
		a.log = true;
		i++;
	}
	if (i < n)
		FAIL(i, "'%s' is not supported in access-list lines read by ikerd", w[i]);
	a.seq = out->seq;
	a.line = out->line;
	*out = a;
	return 0;
}

/* ---- IPv6 lines (ipv6 access-list NAME) ---- */

static const struct name_num protos6[] = {
	{ "ipv6", 0 }, { "tcp", 6 }, { "udp", 17 }, { "gre", 47 }, { "esp", 50 },
	{ "ahp", 51 }, { "icmp", 58 }, { "pcp", 108 }, { "sctp", 132 },
};

static const char *proto6_name(uint8_t proto)
{
	for (size_t i = 0; i < IK_ARRAY_LEN(protos6); i++)
		if (protos6[i].num == proto)
			return protos6[i].name;
	return NULL;
}

/* any | host A | A/PLEN (IPv6) */
static int parse_side6(const char *const *w, int n, int *i, struct ik_ace_addr *s, int *bad,
		       char *msg, size_t msglen, const char *what)
{
	uint8_t a[16];
	int plen, opt;

	memset(s, 0, sizeof(*s));
	s->addr.family = s->wild.family = IK_AF_INET6;
	if (*i >= n)
		FAIL(n, "incomplete access-list line: %s prefix expected", what);
	if (!strcasecmp(w[*i], "any")) {
		s->form = IK_ACE_ANY;
		memset(s->wild.v6, 0xff, 16);
		(*i)++;
		return 0;
	}
	if (!strcasecmp(w[*i], "host")) {
		if (*i + 1 >= n)
			FAIL(n, "incomplete access-list line: %s host address expected", what);
		if (ik_addr6_parse(w[*i + 1], a))
			FAIL(*i + 1, "'%s' is not a valid %s IPv6 host address", w[*i + 1], what);
		s->form = IK_ACE_HOST;
		memcpy(s->addr.v6, a, 16);
		*i += 2;
		return 0;
	}
	if (!strcasecmp(w[*i], "object-group") || !strcasecmp(w[*i], "addrgroup"))
		FAIL(*i, "%s in access lists is not supported: write the prefixes as lines",
		     w[*i]);
	if (ik_prefix6_parse(w[*i], a, &plen, &opt) || opt)
		FAIL(*i, "'%s' is not a valid %s (any, host A, or PREFIX/LENGTH expected)", w[*i],
		     what);
	if (plen == 128)
		s->form = IK_ACE_HOST;
	else if (plen == 0)
		s->form = IK_ACE_ANY;
	/* the bits past the length are dropped, as IOS does */
	ik_addr6_mask(a, plen);
	memcpy(s->addr.v6, a, 16);
	for (int k = 0; k < 16; k++) {
		int bits = plen - 8 * k;

		s->wild.v6[k] = bits >= 8 ? 0 : bits <= 0 ? 0xff : (uint8_t)(0xff >> bits);
	}
	(*i)++;
	return 0;
}

int ik_ace6_parse(const char *const *w, int n, struct ik_ace *out, int *bad, char *msg,
		  size_t msglen)
{
	struct ik_ace a;
	int i = 0;
	long v;
	bool known = false;

	memset(&a, 0, sizeof(a));
	if (n >= 1 && !strcasecmp(w[0], "sequence")) {
		if (n < 2 || (v = num_in(w[1], 1, 4294967294L)) < 0)
			FAIL(n < 2 ? n : 1, "sequence number (1-4294967294) expected");
		a.seq = (unsigned)v;
		i = 2;
	}
	if (i >= n)
		FAIL(n, "incomplete access-list line: permit or deny expected");
	if (!strcasecmp(w[i], "permit"))
		a.action = IK_ACE_PERMIT;
	else if (!strcasecmp(w[i], "deny"))
		a.action = IK_ACE_DENY;
	else
		FAIL(i, "'%s' is not permit, deny or remark", w[i]);
	if (++i >= n)
		FAIL(n, "incomplete access-list line: protocol expected");
	for (size_t k = 0; k < IK_ARRAY_LEN(protos6) && !known; k++)
		if (!strcasecmp(w[i], protos6[k].name)) {
			a.proto = (uint8_t)protos6[k].num;
			known = true;
		}
	if (!known) {
		if ((v = num_in(w[i], 0, 255)) < 0)
			FAIL(i, "'%s' is not an IPv6 protocol (ipv6, tcp, udp, icmp, esp, ... or "
			     "0-255)", w[i]);
		a.proto = (uint8_t)v;
	}
	i++;
	if (parse_side6(w, n, &i, &a.src, bad, msg, msglen, "source") ||
	    parse_ports(w, n, &i, a.proto, &a.sport, bad, msg, msglen) ||
	    parse_side6(w, n, &i, &a.dst, bad, msg, msglen, "destination") ||
	    parse_ports(w, n, &i, a.proto, &a.dport, bad, msg, msglen))
		return -1;
	if (i < n && (!strcasecmp(w[i], "log") || !strcasecmp(w[i], "log-input"))) {
		a.log = true;
		i++;
	}
	if (i < n && !strcasecmp(w[i], "sequence")) {
		if (a.seq)
			FAIL(i, "the sequence number is given twice");
		if (i + 1 >= n || (v = num_in(w[i + 1], 1, 4294967294L)) < 0)
			FAIL(i + 1 >= n ? n : i + 1, "sequence number (1-4294967294) expected");
		a.seq = (unsigned)v;
		i += 2;
	}
	if (i < n)
		FAIL(i, "'%s' is not supported in IPv6 access-list lines read by ikerd", w[i]);
	if (!a.seq)
		a.seq = out->seq;
	a.line = out->line;
	*out = a;
	return 0;
}

bool ik_ace_is_ipv6(const struct ik_ace *a)
{
	return a->action != IK_ACE_REMARK && a->src.addr.family == IK_AF_INET6;
}

const char *ik_ace_action_word(const struct ik_ace *a, bool padded)
{
	switch (a->action) {
	case IK_ACE_PERMIT: return "permit";
	case IK_ACE_DENY: return padded ? "deny  " : "deny";
	case IK_ACE_REMARK: return "remark";
	}
	return "?";
}

static void format_side(const struct ik_ace_addr *s, struct ik_sb *out)
{
	char a[IK_PREFIX6STRLEN], m[IK_ADDR_ANYSTRLEN];

	if (s->addr.family == IK_AF_INET6 && s->form == IK_ACE_WILD) {
		ik_sb_printf(out, " %s", ik_prefix6_fmt_ios(s->addr.v6, ik_wild_plen(&s->wild), a));
		return;
	}
	if (s->addr.family == IK_AF_INET6 && s->form == IK_ACE_HOST) {
		ik_sb_printf(out, " host %s", ik_addr6_fmt_ios(s->addr.v6, a));
		return;
	}
	if (s->form == IK_ACE_ANY)
		ik_sb_add(out, " any");
	else if (s->form == IK_ACE_HOST)
		ik_sb_printf(out, " host %s", ik_addr_fmt_any(&s->addr, a));
	else
		ik_sb_printf(out, " %s %s", ik_addr_fmt_any(&s->addr, a),
			     ik_addr_fmt_any(&s->wild, m));
}

static void format_port(uint8_t proto, uint16_t p, struct ik_sb *out)
{
	const char *n = ik_port_name(proto, p);

	if (n)
		ik_sb_printf(out, " %s", n);
	else
		ik_sb_printf(out, " %u", (unsigned)p);
}

static void format_ports(uint8_t proto, const struct ik_ace_ports *p, struct ik_sb *out)
{
	static const char *const ops[] = { "", "eq", "neq", "lt", "gt", "range" };

	if (p->op == IK_PORT_ANY)
		return;
	ik_sb_printf(out, " %s", ops[p->op]);
	format_port(proto, p->lo, out);
	if (p->op == IK_PORT_RANGE)
		format_port(proto, p->hi, out);
}

void ik_ace_format(const struct ik_ace *a, struct ik_sb *out)
{
	const char *pn = ik_ace_is_ipv6(a) ? proto6_name(a->proto) : ik_proto_name(a->proto);

	if (a->action == IK_ACE_REMARK) {
		ik_sb_add(out, a->remark ? a->remark : "");
		return;
	}
	if (pn)
		ik_sb_add(out, pn);
	else
		ik_sb_printf(out, "%u", (unsigned)a->proto);
	format_side(&a->src, out);
	format_ports(a->proto, &a->sport, out);
	format_side(&a->dst, out);
	format_ports(a->proto, &a->dport, out);
	if (a->log)
		ik_sb_add(out, " log");
}

/* ---- matching ---- */

static size_t alen(const struct ik_addr *a)
{
	return a->family == IK_AF_INET6 ? 16 : 4;
}

/* Address bytes in network order (4 or 16). */
static void abytes(const struct ik_addr *a, uint8_t *b)
{
	if (a->family == IK_AF_INET6) {
		memcpy(b, a->v6, 16);
		return;
	}
	b[0] = (uint8_t)(a->v4 >> 24);
	b[1] = (uint8_t)(a->v4 >> 16);
	b[2] = (uint8_t)(a->v4 >> 8);
	b[3] = (uint8_t)a->v4;
}

static bool side_match(const struct ik_ace_addr *s, const struct ik_addr *x)
{
	uint8_t a[16], w[16], v[16];

	if (s->addr.family != x->family)
		return false;
	abytes(&s->addr, a);
	abytes(&s->wild, w);
	abytes(x, v);
	for (size_t i = 0; i < alen(x); i++)
		if ((a[i] & ~w[i]) != (v[i] & ~w[i]))
			return false;
	return true;
}

static bool port_match(const struct ik_ace_ports *p, uint16_t x)
{
	switch (p->op) {
	case IK_PORT_ANY: return true;
	case IK_PORT_EQ: return x == p->lo;
	case IK_PORT_NEQ: return x != p->lo;
	case IK_PORT_LT: return x < p->lo;
	case IK_PORT_GT: return x > p->lo;
	case IK_PORT_RANGE: return x >= p->lo && x <= p->hi;
	}
	return false;
}

bool ik_ace_match(const struct ik_ace *a, const struct ik_flow *f)
{
	if (a->action == IK_ACE_REMARK)
		return false;
	if (a->proto && a->proto != f->proto)
		return false;
	if (!side_match(&a->src, &f->src) || !side_match(&a->dst, &f->dst))
		return false;
	if (has_ports(a->proto))
		return port_match(&a->sport, f->sport) && port_match(&a->dport, f->dport);
	return true;
}

const struct ik_ace *ik_acl_lookup(const struct ik_acl *acl, const struct ik_flow *f)
{
	for (size_t i = 0; acl && i < acl->naces; i++)
		if (ik_ace_match(&acl->aces[i], f))
			return &acl->aces[i];
	return NULL;
}

int ik_wild_plen(const struct ik_addr *wild)
{
	uint8_t w[16];
	size_t n = alen(wild);
	int plen = 0;
	bool ones = false;

	abytes(wild, w);
	for (size_t i = 0; i < n; i++)
		for (int b = 7; b >= 0; b--) {
			bool set = (w[i] >> b) & 1;

			if (set)
				ones = true;
			else if (ones)
				return -1;
			else
				plen++;
		}
	return plen;
}

static void side_range(const struct ik_ace_addr *s, struct ik_ts *t)
{
	uint8_t a[16], w[16], lo[16], hi[16];
	size_t n = alen(&s->addr);

	abytes(&s->addr, a);
	abytes(&s->wild, w);
	for (size_t i = 0; i < n; i++) {
		lo[i] = a[i] & (uint8_t)~w[i];
		hi[i] = lo[i] | w[i];
	}
	t->lo.family = t->hi.family = s->addr.family;
	if (s->addr.family == IK_AF_INET6) {
		memcpy(t->lo.v6, lo, 16);
		memcpy(t->hi.v6, hi, 16);
	} else {
		t->lo.v4 = (uint32_t)lo[0] << 24 | (uint32_t)lo[1] << 16 | (uint32_t)lo[2] << 8 |
			   lo[3];
		t->hi.v4 = (uint32_t)hi[0] << 24 | (uint32_t)hi[1] << 16 | (uint32_t)hi[2] << 8 |
			   hi[3];
	}
}

static int ports_range(const struct ik_ace_ports *p, struct ik_ts *t)
{
	switch (p->op) {
	case IK_PORT_ANY: t->port_lo = 0; t->port_hi = 65535; return 0;
	case IK_PORT_EQ: t->port_lo = t->port_hi = p->lo; return 0;
	case IK_PORT_RANGE: t->port_lo = p->lo; t->port_hi = p->hi; return 0;
	case IK_PORT_LT:
		if (!p->lo)
			return -1;
		t->port_lo = 0;
		t->port_hi = (uint16_t)(p->lo - 1);
		return 0;
	case IK_PORT_GT:
		if (p->lo == 65535)
			return -1;
		t->port_lo = (uint16_t)(p->lo + 1);
		t->port_hi = 65535;
		return 0;
	case IK_PORT_NEQ: return -1;
	}
	return -1;
}

int ik_ace_proxy(const struct ik_ace *a, struct ik_proxy *out, char *why, size_t len)
{
	memset(out, 0, sizeof(*out));
	if (a->action != IK_ACE_PERMIT && a->action != IK_ACE_DENY) {
		snprintf(why, len, "a remark is not a traffic selector");
		return -1;
	}
	if (ik_wild_plen(&a->src.wild) < 0 || ik_wild_plen(&a->dst.wild) < 0) {
		snprintf(why, len, "wildcard %s is not a prefix: a crypto access list needs "
			 "subnets", ik_wild_plen(&a->src.wild) < 0 ? "of the source" :
			 "of the destination");
		return -1;
	}
	out->proto = a->proto;
	side_range(&a->src, &out->local);
	side_range(&a->dst, &out->remote);
	if (!has_ports(a->proto)) {
		out->local.port_hi = out->remote.port_hi = 65535;
		return 0;
	}
	if (ports_range(&a->sport, &out->local) || ports_range(&a->dport, &out->remote)) {
		snprintf(why, len, "a port test that is not one range (neq, lt 0, gt 65535) "
			 "cannot be a traffic selector");
		return -1;
	}
	return 0;
}

static int acmp(const struct ik_addr *x, const struct ik_addr *y)
{
	uint8_t a[16], b[16];

	abytes(x, a);
	abytes(y, b);
	return memcmp(a, b, alen(x));
}

static bool ts_within(const struct ik_ts *in, const struct ik_ts *out)
{
	return in->lo.family == out->lo.family && acmp(&in->lo, &out->lo) >= 0 &&
	       acmp(&in->hi, &out->hi) <= 0 && in->port_lo >= out->port_lo &&
	       in->port_hi <= out->port_hi;
}

static bool ts_overlap(const struct ik_ts *a, const struct ik_ts *b)
{
	return a->lo.family == b->lo.family && acmp(&a->lo, &b->hi) <= 0 &&
	       acmp(&b->lo, &a->hi) <= 0 && a->port_lo <= b->port_hi &&
	       b->port_lo <= a->port_hi;
}

bool ik_proxy_within(const struct ik_proxy *inner, const struct ik_proxy *outer)
{
	if (outer->proto && inner->proto != outer->proto)
		return false;
	return ts_within(&inner->local, &outer->local) && ts_within(&inner->remote, &outer->remote);
}

bool ik_proxy_overlap(const struct ik_proxy *a, const struct ik_proxy *b)
{
	if (a->proto && b->proto && a->proto != b->proto)
		return false;
	return ts_overlap(&a->local, &b->local) && ts_overlap(&a->remote, &b->remote);
}

static bool ts_inter(const struct ik_ts *a, const struct ik_ts *b, struct ik_ts *out)
{
	if (!ts_overlap(a, b))
		return false;
	out->lo = acmp(&a->lo, &b->lo) >= 0 ? a->lo : b->lo;
	out->hi = acmp(&a->hi, &b->hi) <= 0 ? a->hi : b->hi;
	out->port_lo = a->port_lo > b->port_lo ? a->port_lo : b->port_lo;
	out->port_hi = a->port_hi < b->port_hi ? a->port_hi : b->port_hi;
	return true;
}

bool ik_proxy_intersect(const struct ik_proxy *a, const struct ik_proxy *b,
			struct ik_proxy *out)
{
	struct ik_proxy x;

	if (a->proto && b->proto && a->proto != b->proto)
		return false;
	x.proto = a->proto ? a->proto : b->proto;
	if (!ts_inter(&a->local, &b->local, &x.local) ||
	    !ts_inter(&a->remote, &b->remote, &x.remote))
		return false;
	*out = x;
	return true;
}

const struct ik_ace *ik_acl_proxy_match(const struct ik_acl *acl, const struct ik_proxy *p)
{
	char why[128];

	for (size_t i = 0; acl && i < acl->naces; i++) {
		const struct ik_ace *a = &acl->aces[i];
		struct ik_proxy x;

		if (a->action == IK_ACE_REMARK || ik_ace_proxy(a, &x, why, sizeof(why)))
			continue;
		if (!ik_proxy_within(p, &x))
			continue;
		return a->action == IK_ACE_PERMIT ? a : NULL;
	}
	return NULL;
}
