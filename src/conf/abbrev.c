/* IOS abbreviations in the configuration file (see conf/abbrev.h).
 *
 * Each mode has a table of its commands as word lists: a keyword, or a
 * placeholder for an argument ("*" any word, "A" a dotted address, "N" a
 * number), and "..." for the free rest of the line. The commands of other
 * router features that ikerd ignores are listed by their first words, so
 * that an abbreviation that IOS finds ambiguous is ambiguous here too.
 * A line is matched word by word against the commands still possible; the
 * cost is bounded by the size of the table, not by the file.
 */
#include "conf/abbrev.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/util.h"

#define AB_MAX_WORDS 8
#define AB_MAX_ENTS 160

struct ab_ent {
	const char *w[AB_MAX_WORDS];
};

#define E(...) { { __VA_ARGS__ } }

static const struct ab_ent ab_top[] = {
	E("crypto", "keyring", "*", "vrf", "*"),
	E("crypto", "isakmp", "policy", "N"),
	E("crypto", "isakmp", "key", "..."),
	E("crypto", "isakmp", "identity", "address"),
	E("crypto", "isakmp", "identity", "hostname"),
	E("crypto", "isakmp", "identity", "dn"),
	E("crypto", "isakmp", "keepalive", "..."),
	E("crypto", "isakmp", "nat", "keepalive", "N"),
	E("crypto", "isakmp", "nat-traversal", "N"),
	E("crypto", "isakmp", "profile", "*"),
	E("crypto", "isakmp", "authorization", "list", "*"),
	E("crypto", "isakmp", "aggressive-mode", "disable"),
	E("crypto", "isakmp", "invalid-spi-recovery"),
	E("crypto", "isakmp", "fragmentation"),
	E("crypto", "isakmp", "enable", "..."),
	E("crypto", "isakmp", "client", "..."),
	E("crypto", "isakmp", "xauth", "..."),
	E("crypto", "ipsec", "transform-set", "*", "..."),
	E("crypto", "ipsec", "profile", "*"),
	E("crypto", "ipsec", "df-bit", "clear"),
	E("crypto", "ipsec", "df-bit", "set"),
	E("crypto", "ipsec", "df-bit", "copy"),
	E("crypto", "ipsec", "security-association", "lifetime", "seconds", "N"),
	E("crypto", "ipsec", "security-association", "lifetime", "kilobytes", "N"),
	E("crypto", "ipsec", "security-association", "replay", "window-size", "N"),
	E("crypto", "ipsec", "security-association", "replay", "disable"),
	E("crypto", "ipsec", "security-association", "idle-time", "N"),
	E("crypto", "ipsec", "nat-transparency", "..."),
	E("crypto", "ipsec", "client", "..."),
	E("crypto", "ipsec", "fragmentation", "..."),
	E("crypto", "ikev2", "keyring", "*"),
	E("crypto", "ikev2", "proposal", "*"),
	E("crypto", "ikev2", "policy", "*"),
	E("crypto", "ikev2", "profile", "*"),
	E("crypto", "ikev2", "..."),
	E("crypto", "pki", "..."),
	E("crypto", "ca", "..."),
	E("crypto", "map", "..."),
	E("crypto", "dynamic-map", "..."),
	E("crypto", "logging", "session"),
	E("crypto", "key", "..."),
	E("crypto", "engine", "..."),
	E("interface", "..."),
	E("ip", "route", "..."),
	E("ip", "vrf", "*"),
	E("ip", "routing", "..."), E("ip", "cef", "..."), E("ip", "domain", "..."),
	E("ip", "domain-name", "..."), E("ip", "domain-lookup", "..."),
	E("ip", "name-server", "..."), E("ip", "ssh", "..."), E("ip", "http", "..."),
	E("ip", "forward-protocol", "..."), E("ip", "access-list", "..."),
	E("ip", "dhcp", "..."), E("ip", "host", "..."), E("ip", "multicast-routing", "..."),
	E("ip", "nat", "..."), E("ip", "prefix-list", "..."), E("ip", "sla", "..."),
	E("ip", "scp", "..."), E("ip", "tftp", "..."), E("ip", "ftp", "..."),
	E("ip", "classless", "..."), E("ip", "subnet-zero", "..."),
	E("ip", "source-route", "..."), E("ip", "finger", "..."), E("ip", "icmp", "..."),
	E("ip", "bootp", "..."), E("ip", "tcp", "..."), E("ip", "flow-export", "..."),
	E("ip", "inspect", "..."), E("ip", "audit", "..."), E("ip", "auth-proxy", "..."),
	E("ip", "admission", "..."), E("ip", "default-gateway", "..."),
	E("ip", "local", "..."), E("ip", "options", "..."), E("ip", "sla", "..."),
	E("vrf", "definition", "*"),
	E("hostname", "*"),
	E("banner", "..."),
	E("exit"),
	E("no", "..."),
	E("aaa", "..."), E("access-list", "..."), E("alias", "..."), E("archive", "..."),
	E("boot", "..."), E("boot-start-marker", "..."), E("boot-end-marker", "..."),
	E("cdp", "..."), E("class-map", "..."), E("clock", "..."),
	E("config-register", "..."), E("control-plane", "..."), E("default", "..."),
	E("dial-peer", "..."), E("enable", "..."), E("end", "..."),
	E("errdisable", "..."), E("ipv6", "..."), E("key", "..."), E("license", "..."),
	E("line", "..."), E("logging", "..."), E("login", "..."), E("memory-size", "..."),
	E("mpls", "..."), E("multilink", "..."), E("ntp", "..."), E("object-group", "..."),
	E("policy-map", "..."), E("redundancy", "..."), E("route-map", "..."),
	E("router", "..."), E("service", "..."), E("snmp-server", "..."),
	E("spanning-tree", "..."), E("username", "..."), E("version", "..."),
	E("track", "..."), E("tacacs-server", "..."), E("radius-server", "..."),
	E("vpdn", "..."), E("zone", "..."), E("zone-pair", "..."), E("parameter-map", "..."),
	E("diagnostic", "..."), E("platform", "..."), E("security", "..."),
	E("event", "..."), E("file", "..."), E("vtp", "..."), E("voice", "..."),
	E("subscriber", "..."), E("virtual-profile", "..."), E("xconnect", "..."),
	E("scheduler", "..."), E("power", "..."), E("card", "..."),
	E("hw-module", "..."), E("exception", "..."), E("privilege", "..."),
	E("call-home", "..."), E("flow", "..."), E("netconf", "..."), E("restconf", "..."),
	E("transport", "..."), E("ipc", "..."), E("kron", "..."), E("monitor", "..."),
	E("mac", "..."), E("macro", "..."), E("udld", "..."), E("vlan", "..."),
};

static const struct ab_ent ab_keyring[] = {
	E("pre-shared-key", "address", "A", "key", "..."),
	E("pre-shared-key", "address", "A", "A", "key", "..."),
	E("pre-shared-key", "hostname", "*", "key", "..."),
	E("local-address", "*"),
	E("description", "..."),
	E("rsa-pubkey", "..."),
	E("exit"),
};

static const struct ab_ent ab_policy[] = {
	E("encryption", "des"), E("encryption", "3des"), E("encryption", "aes"),
	E("encryption", "aes", "N"),
	E("hash", "md5"), E("hash", "sha"), E("hash", "sha256"), E("hash", "sha384"),
	E("hash", "sha512"),
	E("authentication", "pre-share"), E("authentication", "rsa-sig"),
	E("authentication", "rsa-encr"), E("authentication", "ecdsa-sig"),
	E("group", "N"),
	E("lifetime", "N"),
	E("exit"),
};

static const struct ab_ent ab_profile[] = {
	E("keyring", "*"),
	E("match", "identity", "address", "A", "..."),
	E("match", "identity", "host", "domain", "*"),
	E("match", "identity", "host", "*"),
	E("match", "identity", "user-fqdn", "*"),
	E("match", "identity", "group", "*"),
	E("match", "certificate", "*"),
	E("vrf", "*"),
	E("self-identity", "address"),
	E("self-identity", "fqdn", "..."),
	E("self-identity", "user-fqdn", "..."),
	E("local-address", "*"),
	E("initiate", "mode", "aggressive"),
	E("keepalive", "N", "retry", "N"),
	E("description", "..."),
	E("ca", "trust-point", "*"),
	E("authorization", "list", "*"),
	E("client", "..."),
	E("isakmp", "..."),
	E("accounting", "..."),
	E("virtual-template", "..."),
	E("qos-group", "..."),
	E("exit"),
};

static const struct ab_ent ab_tset[] = {
	E("mode", "tunnel"),
	E("mode", "transport"),
	E("mode", "transport", "require"),
	E("exit"),
};

static const struct ab_ent ab_ipsec_profile[] = {
	E("set", "transform-set", "..."),
	E("set", "isakmp-profile", "*"),
	E("set", "ikev2-profile", "*"),
	E("set", "pfs", "..."),
	E("set", "security-association", "lifetime", "seconds", "N"),
	E("set", "security-association", "lifetime", "kilobytes", "N"),
	E("set", "security-association", "idle-time", "..."),
	E("set", "security-association", "replay", "..."),
	E("set", "reverse-route", "..."),
	E("description", "..."),
	E("responder-only"),
	E("exit"),
};

static const struct ab_ent ab_v2_keyring[] = {
	E("peer", "*"),
	E("address", "..."),
	E("identity", "..."),
	E("pre-shared-key", "..."),
	E("description", "..."),
	E("hostname", "..."),
	E("exit"),
};

static const struct ab_ent ab_v2_proposal[] = {
	E("encryption", "..."),
	E("integrity", "..."),
	E("prf", "..."),
	E("group", "..."),
	E("exit"),
};

static const struct ab_ent ab_v2_policy[] = {
	E("proposal", "*"),
	E("match", "fvrf", "..."),
	E("match", "address", "local", "..."),
	E("exit"),
};

static const struct ab_ent ab_v2_profile[] = {
	E("match", "identity", "remote", "..."),
	E("match", "fvrf", "..."),
	E("match", "address", "local", "..."),
	E("match", "certificate", "..."),
	E("identity", "local", "..."),
	E("authentication", "local", "..."),
	E("authentication", "remote", "..."),
	E("keyring", "local", "*"),
	E("keyring", "..."),
	E("lifetime", "N"),
	E("dpd", "..."),
	E("description", "..."),
	E("pki", "..."),
	E("authorization", "list", "*"),
	E("nat", "..."),
	E("ivrf", "..."),
	E("exit"),
};

static const struct ab_ent ab_iface[] = {
	E("ip", "address", "..."),
	E("ip", "vrf", "forwarding", "*"),
	E("ip", "mtu", "N"),
	E("ip", "tcp", "adjust-mss", "N"),
	E("ip", "tcp", "header-compression", "..."),
	E("ip", "ospf", "..."), E("ip", "nhrp", "..."), E("ip", "pim", "..."),
	E("ip", "nat", "..."), E("ip", "helper-address", "..."),
	E("ip", "access-group", "..."), E("ip", "accounting", "..."),
	E("ip", "admission", "..."), E("ip", "virtual-reassembly", "..."),
	E("ip", "unnumbered", "..."), E("ip", "verify", "..."), E("ip", "policy", "..."),
	E("ip", "flow", "..."), E("ip", "redirects", "..."), E("ip", "unreachables", "..."),
	E("ip", "proxy-arp", "..."), E("ip", "route-cache", "..."),
	E("ip", "directed-broadcast", "..."), E("ip", "mroute-cache", "..."),
	E("ip", "split-horizon", "..."), E("ip", "summary-address", "..."),
	E("ip", "authentication", "..."), E("ip", "hello-interval", "..."),
	E("ip", "hold-time", "..."), E("ip", "bandwidth-percent", "..."),
	E("ip", "dhcp", "..."), E("ip", "igmp", "..."), E("ip", "rip", "..."),
	E("ip", "inspect", "..."), E("ip", "ips", "..."), E("ip", "wccp", "..."),
	E("ip", "local-proxy-arp", "..."), E("ip", "mask-reply", "..."),
	E("ip", "multicast", "..."), E("ip", "load-sharing", "..."),
	E("ip", "information-reply", "..."), E("ip", "sticky-arp", "..."),
	E("ip", "security", "..."), E("ip", "rsvp", "..."), E("ip", "rtp", "..."),
	E("ip", "dvmrp", "..."), E("ip", "cgmp", "..."), E("ip", "probe", "..."),
	E("ip", "irdp", "..."), E("ip", "mobile", "..."), E("ip", "sap", "..."),
	E("vrf", "forwarding", "*"),
	E("description", "..."),
	E("shutdown"),
	E("no", "shutdown"),
	E("no", "ip", "..."),
	E("no", "keepalive"),
	E("no", "cdp", "..."), E("no", "mop", "..."), E("no", "ipv6", "..."),
	E("no", "negotiation", "..."), E("no", "snmp", "..."), E("no", "logging", "..."),
	E("no", "autostate", "..."), E("no", "switchport", "..."),
	E("no", "description", "..."), E("no", "tunnel", "..."),
	E("tunnel", "source", "*"),
	E("tunnel", "destination", "*"),
	E("tunnel", "mode", "gre", "ip"),
	E("tunnel", "mode", "gre", "multipoint"),
	E("tunnel", "mode", "gre", "ipv6"),
	E("tunnel", "mode", "ipsec", "ipv4"),
	E("tunnel", "mode", "ipsec", "ipv6"),
	E("tunnel", "mode", "..."),
	E("tunnel", "vrf", "*"),
	E("tunnel", "protection", "ipsec", "profile", "..."),
	E("tunnel", "key", "..."), E("tunnel", "path-mtu-discovery", "..."),
	E("tunnel", "bandwidth", "..."), E("tunnel", "checksum", "..."),
	E("tunnel", "sequence-datagrams", "..."), E("tunnel", "tos", "..."),
	E("tunnel", "ttl", "..."), E("tunnel", "route-via", "..."),
	E("crypto", "..."),
	E("bandwidth", "..."), E("delay", "..."), E("keepalive", "..."), E("mtu", "..."),
	E("duplex", "..."), E("speed", "..."), E("negotiation", "..."),
	E("load-interval", "..."), E("media-type", "..."), E("cdp", "..."),
	E("service-policy", "..."), E("standby", "..."), E("vrrp", "..."),
	E("encapsulation", "..."), E("ipv6", "..."), E("mpls", "..."),
	E("zone-member", "..."), E("logging", "..."), E("snmp", "..."), E("arp", "..."),
	E("carrier-delay", "..."), E("hold-queue", "..."), E("pppoe", "..."),
	E("pppoe-client", "..."), E("dialer", "..."), E("switchport", "..."),
	E("spanning-tree", "..."), E("channel-group", "..."), E("mac-address", "..."),
	E("qos", "..."), E("platform", "..."), E("nat", "..."), E("ppp", "..."),
	E("exit"),
};

static const struct ab_ent ab_vrf[] = {
	E("rd", "*"),
	E("route-target", "..."),
	E("description", "..."),
	E("address-family", "ipv4", "..."),
	E("address-family", "ipv6", "..."),
	E("exit-address-family"),
	E("vnet", "..."),
	E("exit"),
};

static const struct ab_ent ab_authlist[] = {
	E("peer", "address", "*", "key-hash", "sha256", "*"),
	E("peer", "address", "*", "key-hash", "sha1", "*"),
	E("peer", "fqdn", "*", "key-hash", "sha256", "*"),
	E("peer", "fqdn", "*", "key-hash", "sha1", "*"),
	E("peer", "email", "*", "key-hash", "sha256", "*"),
	E("peer", "email", "*", "key-hash", "sha1", "*"),
	E("peer", "dn", "..."),
	E("peer", "any", "key-hash", "sha256", "*"),
	E("peer", "any", "key-hash", "sha1", "*"),
	E("raw-public-key", "accept"),
	E("description", "..."),
	E("exit"),
};

static const struct {
	const struct ab_ent *e;
	size_t n;
} ab_tables[IK_AB_COUNT] = {
	[IK_AB_TOP] = { ab_top, IK_ARRAY_LEN(ab_top) },
	[IK_AB_KEYRING] = { ab_keyring, IK_ARRAY_LEN(ab_keyring) },
	[IK_AB_POLICY] = { ab_policy, IK_ARRAY_LEN(ab_policy) },
	[IK_AB_PROFILE] = { ab_profile, IK_ARRAY_LEN(ab_profile) },
	[IK_AB_TSET] = { ab_tset, IK_ARRAY_LEN(ab_tset) },
	[IK_AB_IPSEC_PROFILE] = { ab_ipsec_profile, IK_ARRAY_LEN(ab_ipsec_profile) },
	[IK_AB_V2_KEYRING] = { ab_v2_keyring, IK_ARRAY_LEN(ab_v2_keyring) },
	[IK_AB_V2_PROPOSAL] = { ab_v2_proposal, IK_ARRAY_LEN(ab_v2_proposal) },
	[IK_AB_V2_POLICY] = { ab_v2_policy, IK_ARRAY_LEN(ab_v2_policy) },
	[IK_AB_V2_PROFILE] = { ab_v2_profile, IK_ARRAY_LEN(ab_v2_profile) },
	[IK_AB_IFACE] = { ab_iface, IK_ARRAY_LEN(ab_iface) },
	[IK_AB_VRF] = { ab_vrf, IK_ARRAY_LEN(ab_vrf) },
	[IK_AB_AUTHLIST] = { ab_authlist, IK_ARRAY_LEN(ab_authlist) },
};

/* The checks below look at the first character before calling the string
 * functions: a line costs a few comparisons per command of its mode. */
static bool ab_is_placeholder(const char *w)
{
	return (w[0] == '*' || w[0] == 'A' || w[0] == 'N') && !w[1];
}

static bool ab_is_free(const char *w)
{
	return w[0] == '.';
}

/* keywords are lower case */
static bool ab_first(const char *s, const char *kw)
{
	char c = s[0];

	if (c >= 'A' && c <= 'Z')
		c = (char)(c - 'A' + 'a');
	return c == kw[0];
}

/* Whether placeholder ph accepts word s. */
static bool ab_accepts(const char *ph, const char *s)
{
	if (!strcmp(ph, "*"))
		return true;
	if (!strcmp(ph, "N"))
		return s[0] && strspn(s, "0123456789") == strlen(s);
	/* A: a dotted address (a mask included) */
	return s[0] >= '0' && s[0] <= '9' && strspn(s, "0123456789.") == strlen(s);
}

static bool ab_prefix(const char *s, const char *kw)
{
	size_t n;

	if (!ab_first(s, kw))
		return false;
	n = strlen(s);
	return !strncasecmp(s, kw, n) && kw[n];
}

/* Whether the words are exactly command e (keywords as written, arguments
 * its placeholders accept, up to its free rest): then nothing is expanded
 * and nothing is ambiguous. */
static bool ab_exact(const struct ab_ent *e, const char **words, int n)
{
	int i;

	for (i = 0; i < n && i < AB_MAX_WORDS && e->w[i]; i++) {
		const char *w = e->w[i];

		if (ab_is_free(w))
			return true;
		if (ab_is_placeholder(w) ? !ab_accepts(w, words[i])
					 : !ab_first(words[i], w) || strcasecmp(w, words[i]))
			return false;
	}
	return i == n && (i == AB_MAX_WORDS || !e->w[i]);
}

int ik_abbrev_expand(enum ik_abbrev_ctx ctx, const char **words, int n, int *bad, char *alts,
		     size_t altslen, struct ik_abbrev_hint *hint)
{
	const struct ab_ent *tab;
	size_t ntab;
	/* the commands still possible, and those whose rest is free */
	unsigned char live[AB_MAX_ENTS], freed[AB_MAX_ENTS];

	if (ctx < 0 || ctx >= IK_AB_COUNT)
		return 0;
	tab = ab_tables[ctx].e;
	ntab = ab_tables[ctx].n;
	if (ntab > AB_MAX_ENTS)
		ntab = AB_MAX_ENTS;
	/* the commands of the previous lines of this mode, most often the same */
	for (unsigned k = 0; hint && k < hint->n && k < IK_AB_HINTS; k++)
		if (hint->e[k] < ntab && ab_exact(&tab[hint->e[k]], words, n))
			return 0;
	memset(live, 1, ntab);
	memset(freed, 0, ntab);
	for (int i = 0; i < n && i < AB_MAX_WORDS; i++) {
		const char *s = words[i], *exact = NULL, *pref = NULL;
		bool arg = false, any_live = false;
		int npref = 0;

		for (size_t e = 0; e < ntab; e++) {
			const char *w;

			if (!live[e])
				continue;
			w = tab[e].w[i];
			if (freed[e] || (w && ab_is_free(w))) {
				arg = true;
				continue;
			}
			if (!w)
				continue;
			if (ab_is_placeholder(w)) {
				arg = arg || ab_accepts(w, s);
				continue;
			}
			if (!ab_first(s, w))
				continue;
			if (!strcasecmp(w, s)) {
				exact = w;
			} else if (ab_prefix(s, w) && (!pref || strcmp(pref, w))) {
				/* distinct keywords: the same one in several commands
				 * counts once */
				bool seen = false;

				for (size_t f = 0; f < e && !seen; f++)
					seen = live[f] && !freed[f] && tab[f].w[i] &&
					       !strcmp(tab[f].w[i], w) && ab_prefix(s, w);
				if (!seen) {
					npref++;
					pref = w;
				}
			}
		}
		if (!exact && npref > 1 && !arg) {
			size_t off = 0;

			*bad = i;
			if (alts && altslen) {
				alts[0] = '\0';
				for (size_t e = 0; e < ntab; e++) {
					const char *w = live[e] && !freed[e] ? tab[e].w[i] : NULL;
					int k;

					if (!w || ab_is_placeholder(w) || !ab_prefix(s, w) ||
					    strstr(alts, w))
						continue;
					k = snprintf(alts + off, altslen - off, "%s%s",
						     off ? ", " : "", w);
					if (k < 0 || (size_t)k >= altslen - off)
						break;
					off += (size_t)k;
				}
			}
			return -1;
		}
		if (!exact && npref == 1 && !arg)
			exact = pref;
		if (exact)
			words[i] = exact;
		/* keep the commands that the word continues */
		for (size_t e = 0; e < ntab; e++) {
			const char *w;

			if (!live[e] || freed[e])
				continue;
			w = tab[e].w[i];
			if (w && ab_is_free(w)) {
				freed[e] = 1;
			} else if (!w) {
				live[e] = 0;
			} else if (exact) {
				live[e] = w == exact || !strcmp(w, exact);
			} else {
				live[e] = ab_is_placeholder(w) && ab_accepts(w, s);
			}
			any_live = any_live || (live[e] && !freed[e]);
		}
		if (!any_live)
			break;
	}
	for (size_t e = 0; hint && e < ntab; e++)
		if (live[e] && ab_exact(&tab[e], words, n)) {
			if (hint->n < IK_AB_HINTS) {
				hint->e[hint->n++] = (unsigned)e;
			} else {
				hint->e[hint->next % IK_AB_HINTS] = (unsigned)e;
				hint->next = (hint->next + 1) % IK_AB_HINTS;
			}
			break;
		}
	return 0;
}
