/* Unit tests of access lists (conf/acl.c) and crypto maps in the
 * configuration: line parsing (wildcards, ports, host/any, deny, remarks,
 * numbered lists), packet and proxy-identity matching, crypto map and
 * dynamic-map blocks, their errors, and show running-config round trips. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/acl.h"
#include "conf/model.h"
#include "util/addr.h"
#include "util/secmem.h"
#include "util/strbuf.h"

static struct ik_addr A4(const char *s)
{
	uint32_t a = 0;

	ck_assert_int_eq(ik_addr_parse(s, &a), 0);
	return ik_addr_v4(a);
}

static struct ik_config *load_ok(const char *text)
{
	struct ik_conf_error err;
	struct ik_config *cfg = ik_config_load_string(text, "t.conf", &err);
	char buf[2048];

	if (!cfg) {
		ik_conf_error_format(&err, buf, sizeof(buf));
		ck_abort_msg("unexpected parse error:\n%s", buf);
	}
	return cfg;
}

/* The text fails to load; the error's line, column and message part. */
static void load_bad(const char *text, int line, int col, const char *part)
{
	struct ik_conf_error err;
	struct ik_config *cfg = ik_config_load_string(text, "t.conf", &err);

	ck_assert_ptr_null(cfg);
	ck_assert_int_eq(err.line, line);
	if (col)
		ck_assert_int_eq(err.col, col);
	ck_assert_msg(strstr(err.msg, part), "message '%s' lacks '%s'", err.msg, part);
}

static int parse_words(const char *line, struct ik_ace *a, int *bad, char *msg, size_t len)
{
	char buf[512], *save = NULL, *t;
	const char *w[64];
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (t = strtok_r(buf, " ", &save); t && n < 64; t = strtok_r(NULL, " ", &save))
		w[n++] = t;
	memset(a, 0, sizeof(*a));
	return ik_ace_parse(w, n, a, bad, msg, len);
}

static struct ik_ace ace_ok(const char *line)
{
	struct ik_ace a;
	char msg[200];
	int bad = -1;

	ck_assert_msg(parse_words(line, &a, &bad, msg, sizeof(msg)) == 0, "%s: %s", line, msg);
	return a;
}

static struct ik_flow flow(uint8_t proto, const char *s, uint16_t sp, const char *d,
			   uint16_t dp)
{
	struct ik_flow f = { .proto = proto, .sport = sp, .dport = dp };

	f.src = A4(s);
	f.dst = A4(d);
	return f;
}

static char *fmt_ace(const struct ik_ace *a)
{
	static char out[256];
	struct ik_sb sb;

	ik_sb_init(&sb);
	ik_ace_format(a, &sb);
	snprintf(out, sizeof(out), "%s", ik_sb_str(&sb));
	ik_sb_free(&sb);
	return out;
}

START_TEST(ace_parse_forms)
{
	struct ik_ace a = ace_ok("permit ip 10.1.0.0 0.0.255.255 10.2.0.0 0.0.255.255");

	ck_assert_int_eq(a.action, IK_ACE_PERMIT);
	ck_assert_uint_eq(a.proto, 0);
	ck_assert(ik_addr_eq(&a.src.addr, &(struct ik_addr){ .v4 = 0x0a010000 }));
	ck_assert_uint_eq(a.src.wild.v4, 0x0000ffff);
	ck_assert_str_eq(fmt_ace(&a), "ip 10.1.0.0 0.0.255.255 10.2.0.0 0.0.255.255");

	a = ace_ok("deny tcp host 192.0.2.1 any eq 80 log");
	ck_assert_int_eq(a.action, IK_ACE_DENY);
	ck_assert_uint_eq(a.proto, 6);
	ck_assert_int_eq(a.src.form, IK_ACE_HOST);
	ck_assert_int_eq(a.dst.form, IK_ACE_ANY);
	ck_assert_int_eq(a.dport.op, IK_PORT_EQ);
	ck_assert_uint_eq(a.dport.lo, 80);
	ck_assert(a.log);
	/* IOS prints the port by its name */
	ck_assert_str_eq(fmt_ace(&a), "tcp host 192.0.2.1 any eq www log");

	a = ace_ok("permit udp any range 1000 2000 10.0.0.0 0.0.0.255 eq isakmp");
	ck_assert_int_eq(a.sport.op, IK_PORT_RANGE);
	ck_assert_uint_eq(a.sport.lo, 1000);
	ck_assert_uint_eq(a.sport.hi, 2000);
	ck_assert_uint_eq(a.dport.lo, 500);
	ck_assert_str_eq(fmt_ace(&a), "udp any range 1000 2000 10.0.0.0 0.0.0.255 eq isakmp");

	/* address bits under the wildcard are dropped, as IOS does */
	a = ace_ok("permit ip 10.1.1.77 0.0.0.255 any");
	ck_assert_str_eq(fmt_ace(&a), "ip 10.1.1.0 0.0.0.255 any");
	/* A 0.0.0.0 is host A, A 255.255.255.255 is any */
	a = ace_ok("permit 47 10.1.1.1 0.0.0.0 0.0.0.0 255.255.255.255");
	ck_assert_str_eq(fmt_ace(&a), "gre host 10.1.1.1 any");
	a = ace_ok("permit 200 any any");
	ck_assert_str_eq(fmt_ace(&a), "200 any any");
	a = ace_ok("permit tcp any gt 1023 any lt 1024");
	ck_assert_str_eq(fmt_ace(&a), "tcp any gt 1023 any lt 1024");
	a = ace_ok("permit icmp 10.0.0.0 0.255.0.255 any");
	ck_assert_uint_eq(a.proto, 1);
}
END_TEST

START_TEST(ace_parse_errors)
{
	static const struct { const char *line; int bad; const char *part; } cases[] = {
		{ "allow ip any any", 0, "not permit, deny" },
		{ "permit", 1, "protocol expected" },
		{ "permit foo any any", 1, "not a protocol" },
		{ "permit 256 any any", 1, "not a protocol" },
		{ "permit ip", 2, "source address expected" },
		{ "permit ip 10.0.0.0", 3, "wildcard expected" },
		{ "permit ip 10.0.0.0 255.0.0", 3, "not a valid source wildcard" },
		{ "permit ip host", 3, "host address expected" },
		{ "permit ip host 10.1 any", 3, "not a valid source host" },
		{ "permit ip any", 3, "destination address expected" },
		{ "permit ip any any eq 80", 4, "needs tcp, udp or sctp" },
		{ "permit tcp any any eq", 5, "port expected" },
		{ "permit tcp any any eq 65536", 5, "not a port number" },
		{ "permit tcp any any eq isakmp", 5, "not a port number" },
		{ "permit tcp any any range 20 10", 6, "is empty" },
		{ "permit tcp any any range 20", 6, "end of port range" },
		{ "permit ip any any established", 4, "not supported" },
		{ "permit ip object-group X any", 2, "object-group" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ik_ace a;
		char msg[200] = "";
		int bad = -1;

		ck_assert_msg(parse_words(cases[i].line, &a, &bad, msg, sizeof(msg)) == -1,
			      "%s parsed", cases[i].line);
		ck_assert_msg(bad == cases[i].bad, "%s: bad word %d, not %d", cases[i].line, bad,
			      cases[i].bad);
		ck_assert_msg(strstr(msg, cases[i].part), "%s: '%s'", cases[i].line, msg);
	}
}
END_TEST

START_TEST(ace_match_wildcards_ports)
{
	struct ik_ace a = ace_ok("permit ip 10.1.0.0 0.0.255.255 10.2.0.0 0.0.255.255");
	struct ik_ace odd = ace_ok("permit ip 10.0.0.1 0.255.0.254 any");
	struct ik_ace t = ace_ok("permit tcp any range 1000 2000 host 10.9.9.9 eq 22");
	struct ik_ace n = ace_ok("permit udp any neq 53 any");
	struct ik_flow f;

	f = flow(17, "10.1.200.3", 5, "10.2.0.9", 6);
	ck_assert(ik_ace_match(&a, &f));
	f = flow(17, "10.3.0.3", 5, "10.2.0.9", 6);
	ck_assert(!ik_ace_match(&a, &f));
	f = flow(1, "10.1.0.3", 0, "10.20.0.9", 0);
	ck_assert(!ik_ace_match(&a, &f));
	/* a wildcard that is not a prefix: odd third octet bits free */
	f = flow(1, "10.77.0.99", 0, "1.2.3.4", 0);
	ck_assert(ik_ace_match(&odd, &f));
	f = flow(1, "10.77.1.99", 0, "1.2.3.4", 0);
	ck_assert(!ik_ace_match(&odd, &f));
	f = flow(1, "10.77.0.98", 0, "1.2.3.4", 0);
	ck_assert(!ik_ace_match(&odd, &f));
	/* ports, and the protocol of a port test */
	f = flow(6, "1.1.1.1", 1500, "10.9.9.9", 22);
	ck_assert(ik_ace_match(&t, &f));
	f = flow(6, "1.1.1.1", 999, "10.9.9.9", 22);
	ck_assert(!ik_ace_match(&t, &f));
	f = flow(6, "1.1.1.1", 2000, "10.9.9.9", 23);
	ck_assert(!ik_ace_match(&t, &f));
	f = flow(17, "1.1.1.1", 1500, "10.9.9.9", 22);
	ck_assert(!ik_ace_match(&t, &f));
	f = flow(17, "1.1.1.1", 54, "2.2.2.2", 1);
	ck_assert(ik_ace_match(&n, &f));
	f = flow(17, "1.1.1.1", 53, "2.2.2.2", 1);
	ck_assert(!ik_ace_match(&n, &f));
}
END_TEST

START_TEST(acl_first_match_and_deny)
{
	struct ik_config *cfg = load_ok(
		"ip access-list extended VPN\n"
		" remark branch LANs\n"
		" deny   ip host 10.1.0.5 any\n"
		" permit ip 10.1.0.0 0.0.255.255 10.2.0.0 0.0.255.255\n"
		" permit tcp 10.1.0.0 0.0.255.255 any eq 443\n");
	struct ik_acl *acl = ik_config_find_acl(cfg, "VPN");
	struct ik_flow f;
	const struct ik_ace *hit;

	ck_assert_ptr_nonnull(acl);
	ck_assert_uint_eq(acl->naces, 4);
	ck_assert_int_eq(acl->aces[0].action, IK_ACE_REMARK);
	ck_assert_str_eq(acl->aces[0].remark, "branch LANs");
	ck_assert_uint_eq(acl->aces[3].seq, 30); /* a remark takes no number */
	f = flow(1, "10.1.0.5", 0, "10.2.0.1", 0);
	hit = ik_acl_lookup(acl, &f);
	ck_assert_ptr_eq(hit, &acl->aces[1]);
	f = flow(1, "10.1.0.6", 0, "10.2.0.1", 0);
	ck_assert_ptr_eq(ik_acl_lookup(acl, &f), &acl->aces[2]);
	f = flow(6, "10.1.0.6", 999, "192.0.2.1", 443);
	ck_assert_ptr_eq(ik_acl_lookup(acl, &f), &acl->aces[3]);
	/* the implicit deny at the end */
	f = flow(6, "10.1.0.6", 999, "192.0.2.1", 80);
	ck_assert_ptr_null(ik_acl_lookup(acl, &f));
	ik_config_unref(cfg);
}
END_TEST

START_TEST(acl_numbered_and_sequence)
{
	struct ik_config *cfg = load_ok(
		"access-list 101 remark to B\n"
		"access-list 101 permit ip 10.1.1.0 0.0.0.255 10.2.2.0 0.0.0.255\n"
		"access-list 101 deny ip any any\n"
		"access-list 10 permit 10.0.0.0 0.255.255.255\n"
		"ip access-list extended S\n"
		" 30 permit ip any host 10.0.0.3\n"
		" 10 permit ip any host 10.0.0.1\n"
		" permit ip any host 10.0.0.4\n"
		" 20 permit ip any host 10.0.0.2\n");
	struct ik_acl *n = ik_config_find_acl(cfg, "101"), *s = ik_config_find_acl(cfg, "S");

	ck_assert_ptr_nonnull(n);
	ck_assert(n->numbered);
	ck_assert_uint_eq(n->naces, 3);
	/* a standard list is not a crypto ACL: warned about, not kept */
	ck_assert_ptr_null(ik_config_find_acl(cfg, "10"));
	ck_assert_uint_eq(cfg->nwarnings, 1);
	ck_assert_uint_eq(s->naces, 4);
	for (unsigned i = 0; i < 4; i++)
		ck_assert_uint_eq(s->aces[i].seq, 10 * (i + 1));
	ck_assert_uint_eq(s->aces[3].dst.addr.v4, A4("10.0.0.4").v4);
	ik_config_unref(cfg);

	load_bad("ip access-list extended S\n 10 permit ip any any\n 10 deny ip any any\n", 3, 0,
		 "duplicate sequence number 10");
	load_bad("ip access-list extended S\n permit ip 10.0.0.0 any\n", 2, 21,
		 "not a valid source wildcard");
	load_bad("access-list 150 permit tcp any any eq\n", 1, 0, "port expected");
	load_bad("ip access-list extended 99\n", 1, 25, "not an extended list number");
}
END_TEST

START_TEST(proxy_ids_from_lines)
{
	struct ik_ace a = ace_ok("permit ip 10.1.0.0 0.0.255.255 10.2.2.0 0.0.0.255");
	struct ik_ace h = ace_ok("permit udp host 10.1.0.1 eq 500 10.2.2.0 0.0.0.255");
	struct ik_ace odd = ace_ok("permit ip 10.0.0.1 0.255.0.254 any");
	struct ik_ace ne = ace_ok("permit tcp any neq 22 any");
	struct ik_proxy p, q;
	char why[128];

	ck_assert_int_eq(ik_ace_proxy(&a, &p, why, sizeof(why)), 0);
	ck_assert_uint_eq(p.local.lo.v4, A4("10.1.0.0").v4);
	ck_assert_uint_eq(p.local.hi.v4, A4("10.1.255.255").v4);
	ck_assert_uint_eq(p.remote.lo.v4, A4("10.2.2.0").v4);
	ck_assert_uint_eq(p.remote.hi.v4, A4("10.2.2.255").v4);
	ck_assert_uint_eq(p.local.port_hi, 65535);
	ck_assert_int_eq(ik_ace_proxy(&h, &q, why, sizeof(why)), 0);
	ck_assert_uint_eq(q.proto, 17);
	ck_assert_uint_eq(q.local.port_lo, 500);
	ck_assert_uint_eq(q.local.port_hi, 500);
	ck_assert(ik_proxy_within(&q, &p));
	ck_assert(!ik_proxy_within(&p, &q));
	ck_assert(ik_proxy_overlap(&p, &q));
	ck_assert_int_eq(ik_ace_proxy(&odd, &q, why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "not a prefix"));
	ck_assert_int_eq(ik_ace_proxy(&ne, &q, why, sizeof(why)), -1);
	ck_assert_int_eq(ik_wild_plen(&a.src.wild), 16);
	ck_assert_int_eq(ik_wild_plen(&odd.src.wild), -1);
}
END_TEST

START_TEST(proxy_match_first_containing_line)
{
	struct ik_config *cfg = load_ok(
		"ip access-list extended M\n"
		" deny   ip host 10.1.0.9 10.2.0.0 0.0.255.255\n"
		" permit ip 10.1.0.0 0.0.255.255 10.2.0.0 0.0.255.255\n"
		" permit ip 10.3.0.0 0.0.0.255 10.4.0.0 0.0.0.255\n");
	struct ik_acl *acl = ik_config_find_acl(cfg, "M");
	struct ik_ace l = ace_ok("permit ip 10.1.4.0 0.0.0.255 10.2.9.0 0.0.0.255");
	struct ik_ace wide = ace_ok("permit ip 10.0.0.0 0.255.255.255 10.2.0.0 0.0.255.255");
	struct ik_ace h = ace_ok("permit ip host 10.1.0.9 host 10.2.0.1");
	struct ik_ace mirror = ace_ok("permit ip 10.2.0.0 0.0.255.255 10.1.0.0 0.0.255.255");
	struct ik_proxy p;
	char why[128];

	/* a narrower proposal inside a permit line is accepted by it */
	ck_assert_int_eq(ik_ace_proxy(&l, &p, why, sizeof(why)), 0);
	ck_assert_ptr_eq(ik_acl_proxy_match(acl, &p), &acl->aces[1]);
	/* wider than every line: refused */
	ck_assert_int_eq(ik_ace_proxy(&wide, &p, why, sizeof(why)), 0);
	ck_assert_ptr_null(ik_acl_proxy_match(acl, &p));
	/* inside a deny line first: refused */
	ck_assert_int_eq(ik_ace_proxy(&h, &p, why, sizeof(why)), 0);
	ck_assert_ptr_null(ik_acl_proxy_match(acl, &p));
	/* the peer's own view, not mirrored: refused */
	ck_assert_int_eq(ik_ace_proxy(&mirror, &p, why, sizeof(why)), 0);
	ck_assert_ptr_null(ik_acl_proxy_match(acl, &p));
	ik_config_unref(cfg);
}
END_TEST

static const char cmap_conf[] =
	"crypto isakmp key k1 address 203.0.113.2\n"
	"crypto isakmp profile P1\n match identity address 203.0.113.2 255.255.255.255\n"
	"crypto ipsec transform-set T1 esp-aes 256 esp-sha-hmac\n"
	"crypto ipsec transform-set T2 esp-3des esp-md5-hmac\n"
	"crypto dynamic-map DYN 10\n"
	" set transform-set T1\n"
	" match address 120\n"
	"crypto map CM local-address GigabitEthernet0/0\n"
	"crypto map CM 20 ipsec-isakmp\n"
	" description second site\n"
	" set peer 203.0.113.9\n"
	" set transform-set T2\n"
	" match address SITE2\n"
	"crypto map CM 10 ipsec-isakmp\n"
	" description first site\n"
	" set peer 203.0.113.2 default\n"
	" set peer 203.0.113.3\n"
	" set security-association lifetime seconds 1800\n"
	" set security-association lifetime kilobytes 100000\n"
	" set security-association level per-host\n"
	" set transform-set T1 T2\n"
	" set pfs group14\n"
	" set isakmp-profile P1\n"
	" match address SITE1\n"
	" reverse-route static\n"
	"crypto map CM 65535 ipsec-isakmp dynamic DYN\n"
	"interface GigabitEthernet0/0\n"
	" ip address 198.51.100.1 255.255.255.0\n"
	" crypto map CM\n"
	"ip access-list extended SITE1\n"
	" permit ip 192.0.2.0 0.0.0.127 198.51.100.128 0.0.0.127\n"
	"ip access-list extended SITE2\n"
	" permit ip 192.0.2.128 0.0.0.127 198.51.100.128 0.0.0.127\n"
	"access-list 120 permit ip 192.0.2.0 0.0.0.255 any\n";

START_TEST(cmap_parse_fields)
{
	struct ik_config *cfg = load_ok(cmap_conf);
	struct ik_cmap *m = ik_config_find_cmap(cfg, "CM", false);
	struct ik_cmap *d = ik_config_find_cmap(cfg, "DYN", true);
	struct ik_cmap_entry *e;
	struct ik_interface *ifc = ik_config_find_iface(cfg, "GigabitEthernet0/0");

	ck_assert_uint_eq(cfg->nwarnings, 0);
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_null(ik_config_find_cmap(cfg, "CM", true));
	ck_assert(d->is_dynamic);
	ck_assert_str_eq(m->local_address_if, "GigabitEthernet0/0");
	ck_assert_ptr_eq(ifc->crypto_map, m);
	/* entries in sequence order whatever the order of the file */
	ck_assert_uint_eq(m->nentries, 3);
	ck_assert_uint_eq(m->entries[0]->seq, 10);
	ck_assert_uint_eq(m->entries[1]->seq, 20);
	ck_assert_uint_eq(m->entries[2]->seq, 65535);
	e = m->entries[0];
	ck_assert_str_eq(e->description, "first site");
	ck_assert_uint_eq(e->npeers, 2);
	ck_assert(e->peer_default);
	ck_assert_uint_eq(e->peers[0].v4, A4("203.0.113.2").v4);
	ck_assert_uint_eq(e->peers[1].v4, A4("203.0.113.3").v4);
	ck_assert_uint_eq(e->lifetime_sec, 1800);
	ck_assert_uint_eq(e->lifetime_kb, 100000);
	ck_assert(e->per_host);
	ck_assert_uint_eq(e->ntsets, 2);
	ck_assert_str_eq(e->tsets[1]->name, "T2");
	ck_assert_uint_eq(e->pfs_group, 14);
	ck_assert_str_eq(e->isakmp_profile->name, "P1");
	ck_assert_ptr_eq(e->acl, ik_config_find_acl(cfg, "SITE1"));
	ck_assert(e->reverse_route && e->reverse_route_static);
	ck_assert_ptr_eq(m->entries[2]->dynamic, d);
	ck_assert_ptr_eq(d->entries[0]->acl, ik_config_find_acl(cfg, "120"));
	ck_assert_uint_eq(d->entries[0]->npeers, 0);
	ik_config_unref(cfg);
}
END_TEST

START_TEST(cmap_print_round_trip)
{
	struct ik_config *cfg = load_ok(cmap_conf), *again;
	struct ik_sb one, two;
	struct ik_conf_error err;

	ik_sb_init(&one);
	ik_sb_init(&two);
	ik_config_print(cfg, &one);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&one),
		"!\ncrypto dynamic-map DYN 10\n set transform-set T1\n match address 120\n"
		"!\ncrypto map CM local-address GigabitEthernet0/0\n"
		"!\ncrypto map CM 10 ipsec-isakmp\n description first site\n"
		" set peer 203.0.113.2 default\n set peer 203.0.113.3\n"
		" set security-association level per-host\n"
		" set security-association lifetime kilobytes 100000\n"
		" set security-association lifetime seconds 1800\n"
		" set transform-set T1 T2\n set pfs group14\n set isakmp-profile P1\n"
		" match address SITE1\n reverse-route static\n"
		"!\ncrypto map CM 20 ipsec-isakmp\n"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&one),
		"!\ncrypto map CM 65535 ipsec-isakmp dynamic DYN\n"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&one),
		" ip address 198.51.100.1 255.255.255.0\n crypto map CM\n"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&one),
		"!\nip access-list extended SITE1\n"
		" permit ip 192.0.2.0 0.0.0.127 198.51.100.128 0.0.0.127\n"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&one),
		"!\naccess-list 120 permit ip 192.0.2.0 0.0.0.255 any\n"));
	again = ik_config_load_string(ik_sb_str(&one), "print", &err);
	ck_assert_ptr_nonnull(again);
	ik_config_print(again, &two);
	ck_assert_str_eq(ik_sb_str(&one), ik_sb_str(&two));
	ik_config_unref(again);
	ik_sb_free(&one);
	ik_sb_free(&two);
	ik_config_unref(cfg);
}
END_TEST

START_TEST(acl_print_deny_remark_numbered)
{
	struct ik_config *cfg = load_ok(
		"ip access-list extended X\n remark keep web out\n deny tcp any any eq 80\n"
		" permit ip any any\n"
		"access-list 2001 deny udp any eq 53 host 10.0.0.1\n");
	struct ik_sb sb;

	ik_sb_init(&sb);
	ik_config_print(cfg, &sb);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&sb),
		"ip access-list extended X\n remark keep web out\n deny   tcp any any eq www\n"
		" permit ip any any\n"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&sb),
		"access-list 2001 deny   udp any eq domain host 10.0.0.1\n"));
	ik_sb_free(&sb);
	ik_config_unref(cfg);
}
END_TEST

START_TEST(cmap_errors)
{
	load_bad("crypto map CM 10 ipsec-manual\n", 1, 18, "ipsec-manual are not supported");
	load_bad("crypto map CM 70000 ipsec-isakmp\n", 1, 15, "out of range");
	load_bad("crypto map CM 10 ipsec-isakmp\n set peer vpn.example\n", 2, 11,
		 "not a valid peer address");
	load_bad("crypto map CM 10 ipsec-isakmp\n set peer 192.0.2.1\n"
		 " set peer 192.0.2.2 default\n", 3, 21, "only the first peer");
	load_bad("crypto map CM 10 ipsec-isakmp\n set transform-set NOPE\n", 2, 20,
		 "unknown transform-set 'NOPE' in crypto map CM 10");
	load_bad("crypto map CM 10 ipsec-isakmp dynamic D\n", 1, 39,
		 "unknown dynamic map 'D'");
	load_bad("crypto dynamic-map D 1\ncrypto map CM 10 ipsec-isakmp dynamic D\n"
		 " set pfs\n", 3, 2, "from its dynamic map");
	load_bad("crypto map CM 10 ipsec-isakmp\n set isakmp-profile Q\n", 2, 21,
		 "unknown isakmp profile 'Q'");
	load_bad("crypto map CM 10 ipsec-isakmp\n set pfs group3\n", 2, 10,
		 "unsupported PFS group");
	load_bad("crypto map CM 10 ipsec-isakmp\n reverse-route remote-peer\n", 2, 16,
		 "not supported");
	load_bad("crypto map CM 10 ipsec-isakmp\n frobnicate\n", 2, 2,
		 "unknown command 'frobnicate' in crypto map CM 10");
	load_bad("interface Ethernet0\n crypto map NOPE\n", 2, 13, "unknown crypto map 'NOPE'");
	load_bad("crypto map CM local-address 192.0.2.1\n", 1, 29, "takes an interface");
	load_bad("crypto map CM 10\ncrypto map CM 10 ipsec-isakmp dynamic D\n"
		 "crypto dynamic-map D 5\n", 2, 31, "already defined");
}
END_TEST

static int parse6(const char *line, struct ik_ace *a, int *bad, char *msg, size_t len)
{
	char buf[512], *save = NULL, *t;
	const char *w[64];
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (t = strtok_r(buf, " ", &save); t && n < 64; t = strtok_r(NULL, " ", &save))
		w[n++] = t;
	memset(a, 0, sizeof(*a));
	return ik_ace6_parse(w, n, a, bad, msg, len);
}

static char *fmt6(const struct ik_ace *a)
{
	static char buf[256];
	struct ik_sb sb;

	ik_sb_init(&sb);
	ik_ace_format(a, &sb);
	snprintf(buf, sizeof(buf), "%s", ik_sb_str(&sb));
	ik_sb_free(&sb);
	return buf;
}

static struct ik_addr A6(const char *s)
{
	struct ik_addr a;

	ck_assert_int_eq(ik_addr_parse_any(s, &a), 0);
	ck_assert_uint_eq(a.family, IK_AF_INET6);
	return a;
}

/* IPv6 lines (ipv6 access-list): prefixes, host, any, ICMPv6, ports, the
 * sequence keyword first or last, printed back as IOS does (uppercase
 * hex); matching and proxy identities in IPv6; errors with the word. */
START_TEST(acl6_parse_print_match)
{
	struct ik_ace a;
	struct ik_proxy p;
	struct ik_flow f = { 0 };
	char msg[200], why[160];
	int bad = -1;

	ck_assert_int_eq(parse6("permit ipv6 2001:db8:1::/48 2001:db8:2::/48", &a, &bad, msg,
				sizeof(msg)), 0);
	ck_assert(ik_ace_is_ipv6(&a));
	ck_assert_str_eq(fmt6(&a), "ipv6 2001:DB8:1::/48 2001:DB8:2::/48");
	ck_assert_int_eq(ik_ace_proxy(&a, &p, why, sizeof(why)), 0);
	ck_assert(ik_addr_eq(&p.local.lo, &(struct ik_addr){ .family = IK_AF_INET6,
		  .v6 = { 0x20, 0x01, 0x0d, 0xb8, 0, 1 } }));
	f.src = A6("2001:db8:1:7::9");
	f.dst = A6("2001:db8:2::1");
	ck_assert(ik_ace_match(&a, &f));
	f.dst = A6("2001:db8:3::1");
	ck_assert(!ik_ace_match(&a, &f));
	/* an IPv4 packet never matches an IPv6 line */
	f.src = A4("10.0.0.1");
	f.dst = A4("10.0.0.2");
	ck_assert(!ik_ace_match(&a, &f));

	ck_assert_int_eq(parse6("sequence 25 deny tcp host 2001:DB8::1 any eq www log", &a, &bad,
				msg, sizeof(msg)), 0);
	ck_assert_uint_eq(a.seq, 25);
	ck_assert_uint_eq(a.action, IK_ACE_DENY);
	ck_assert_str_eq(fmt6(&a), "tcp host 2001:DB8::1 any eq www log");
	ck_assert_int_eq(parse6("permit icmp any 2001:db8:9::/64 sequence 30", &a, &bad, msg,
				sizeof(msg)), 0);
	ck_assert_uint_eq(a.proto, 58);
	ck_assert_uint_eq(a.seq, 30);
	ck_assert_str_eq(fmt6(&a), "icmp any 2001:DB8:9::/64");
	/* the bits past the length are dropped, /128 is a host */
	ck_assert_int_eq(parse6("permit ipv6 2001:db8:1::77/48 2001:db8::5/128", &a, &bad, msg,
				sizeof(msg)), 0);
	ck_assert_str_eq(fmt6(&a), "ipv6 2001:DB8:1::/48 host 2001:DB8::5");

	ck_assert_int_eq(parse6("permit ipv6 10.0.0.0/8 any", &a, &bad, msg, sizeof(msg)), -1);
	ck_assert_int_eq(bad, 2);
	ck_assert_ptr_nonnull(strstr(msg, "'10.0.0.0/8' is not a valid source"));
	ck_assert_int_eq(parse6("permit ip any any", &a, &bad, msg, sizeof(msg)), -1);
	ck_assert_int_eq(bad, 1);
	ck_assert_int_eq(parse6("permit ipv6 any", &a, &bad, msg, sizeof(msg)), -1);
	ck_assert_int_eq(bad, 3);
	ck_assert_int_eq(parse6("sequence 5 permit ipv6 any any sequence 6", &a, &bad, msg,
				sizeof(msg)), -1);
	ck_assert_int_eq(bad, 6);
	ck_assert_int_eq(parse6("permit ipv6 any any dscp ef", &a, &bad, msg, sizeof(msg)), -1);
	ck_assert_int_eq(bad, 4);
}
END_TEST

/* ipv6 access-list in the configuration: lines in sequence order, printed
 * back (sequence numbers that are not the next by 10), a crypto map
 * naming it, and a name used by an IPv4 list refused. */
START_TEST(acl6_config_round_trip)
{
	static const char text[] =
		"crypto ipsec transform-set T1 esp-aes esp-sha-hmac\n"
		"ipv6 access-list V6\n"
		" permit ipv6 2001:db8:1::/48 2001:db8:2::/48\n"
		" sequence 5 permit tcp 2001:db8:1::/48 any eq 443\n"
		" remark the rest\n"
		" permit ipv6 2001:db8:3::/48 2001:db8:2::/48\n"
		"crypto map CM 10 ipsec-isakmp\n set peer 198.51.100.2\n set transform-set T1\n"
		" match address V6\n"
		"interface GigabitEthernet0/0\n ip address 198.51.100.1 255.255.255.0\n"
		" crypto map CM\n";
	struct ik_config *cfg = load_ok(text), *again;
	const struct ik_acl *acl = ik_config_find_acl(cfg, "V6");
	struct ik_sb one, two;
	struct ik_conf_error err;

	ck_assert_ptr_nonnull(acl);
	ck_assert(acl->ipv6);
	ck_assert_uint_eq(acl->naces, 4);
	ck_assert_uint_eq(acl->aces[0].seq, 5);
	ck_assert_uint_eq(acl->aces[1].seq, 10);
	ck_assert_ptr_eq(cfg->cmaps[0]->entries[0]->acl, acl);
	ik_sb_init(&one);
	ik_sb_init(&two);
	ik_config_print(cfg, &one);
	ck_assert_msg(strstr(ik_sb_str(&one), "!\nipv6 access-list V6\n"
		" sequence 5 permit tcp 2001:DB8:1::/48 any eq 443\n"
		" sequence 10 permit ipv6 2001:DB8:1::/48 2001:DB8:2::/48\n"
		" remark the rest\n"
		" permit ipv6 2001:DB8:3::/48 2001:DB8:2::/48\n"), "%s", ik_sb_str(&one));
	again = ik_config_load_string(ik_sb_str(&one), "print", &err);
	ck_assert_ptr_nonnull(again);
	ik_config_print(again, &two);
	ck_assert_str_eq(ik_sb_str(&one), ik_sb_str(&two));
	ik_config_unref(again);
	ik_sb_free(&one);
	ik_sb_free(&two);
	ik_config_unref(cfg);
	load_bad("ip access-list extended X\n permit ip any any\nipv6 access-list X\n", 3, 18,
		 "X is an IPv4 access list");
	load_bad("ipv6 access-list X\n permit ipv6 any any\nip access-list extended X\n", 3, 25,
		 "X is an IPv6 access list");
	load_bad("ipv6 access-list X\n permit ip 10.0.0.0 0.0.0.255 any\n", 2, 9,
		 "not an IPv6 protocol");
}
END_TEST

START_TEST(cmap_unknown_acl_kept)
{
	/* IOS accepts a match address that names no list yet: kept as text,
	 * reported by the static check */
	struct ik_config *cfg = load_ok("crypto map CM 10 ipsec-isakmp\n match address LATER\n");
	struct ik_cmap *m = ik_config_find_cmap(cfg, "CM", false);

	ck_assert_str_eq(m->entries[0]->acl_name, "LATER");
	ck_assert_ptr_null(m->entries[0]->acl);
	ik_config_unref(cfg);
}
END_TEST

static Suite *acl_suite(void)
{
	Suite *s = suite_create("acl");
	TCase *tc = tcase_create("acl");

	tcase_add_test(tc, ace_parse_forms);
	tcase_add_test(tc, ace_parse_errors);
	tcase_add_test(tc, ace_match_wildcards_ports);
	tcase_add_test(tc, acl_first_match_and_deny);
	tcase_add_test(tc, acl_numbered_and_sequence);
	tcase_add_test(tc, proxy_ids_from_lines);
	tcase_add_test(tc, proxy_match_first_containing_line);
	tcase_add_test(tc, cmap_parse_fields);
	tcase_add_test(tc, cmap_print_round_trip);
	tcase_add_test(tc, acl_print_deny_remark_numbered);
	tcase_add_test(tc, cmap_errors);
	tcase_add_test(tc, cmap_unknown_acl_kept);
	tcase_add_test(tc, acl6_parse_print_match);
	tcase_add_test(tc, acl6_config_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(acl_suite());
	int failed;

	ik_secmem_init();
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
