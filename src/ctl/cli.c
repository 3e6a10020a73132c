/* The control command table and its IOS-style matcher.
 *
 * Every command is written out in full as a pattern of words: a keyword, or an
 * argument in angle brackets. The input is matched word by word against every
 * pattern still alive: a word selects the keywords it is a prefix of (an exact
 * keyword wins); more than one distinct keyword is ambiguous; no keyword makes
 * it try the arguments of the alive patterns; nothing left is invalid input.
 */
#include "ctl/cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/addr.h"
#include "util/log.h"
#include "util/util.h"

#define CLI_MAX_WORDS 16

struct cli_pattern {
	const char *words;      /* space-separated */
	enum ik_cmd_id id;
	unsigned dbg_cat;
	bool detail;
};

static const struct cli_pattern patterns[] = {
	{ "show crypto isakmp key", IK_CMD_SHOW_ISAKMP_KEY, 0, false },
	{ "show crypto isakmp profile", IK_CMD_SHOW_ISAKMP_PROFILE, 0, false },
	{ "show crypto isakmp policy", IK_CMD_SHOW_ISAKMP_POLICY, 0, false },
	{ "show crypto isakmp sa", IK_CMD_SHOW_ISAKMP_SA, 0, false },
	{ "show crypto isakmp sa detail", IK_CMD_SHOW_ISAKMP_SA, 0, true },
	{ "show crypto isakmp sa keys", IK_CMD_SHOW_ISAKMP_SA_KEYS, 0, false },
	{ "show crypto isakmp peers", IK_CMD_SHOW_ISAKMP_PEERS, 0, false },
	{ "show crypto isakmp peers detail", IK_CMD_SHOW_ISAKMP_PEERS, 0, true },
	{ "show crypto ikev2 stats peer <peer>", IK_CMD_SHOW_IKEV2_PEER_STATS, 0, false },
	{ "show crypto authorization list", IK_CMD_SHOW_AUTHZ_LIST, 0, false },
	{ "show crypto authorization list <list>", IK_CMD_SHOW_AUTHZ_LIST, 0, false },
	{ "clear crypto statistics", IK_CMD_CLEAR_STATS, 0, false },
	{ "show crypto isakmp stats", IK_CMD_SHOW_ISAKMP_STATS, 0, false },
	{ "show crypto isakmp default policy", IK_CMD_SHOW_ISAKMP_DEFAULT_POLICY, 0, false },
	{ "show crypto ipsec sa", IK_CMD_SHOW_IPSEC_SA, 0, false },
	{ "show crypto ipsec sa detail", IK_CMD_SHOW_IPSEC_SA, 0, true },
	{ "show crypto ipsec sa peer <peer>", IK_CMD_SHOW_IPSEC_SA, 0, false },
	{ "show crypto ipsec sa peer <peer> detail", IK_CMD_SHOW_IPSEC_SA, 0, true },
	{ "show crypto ipsec transform-set", IK_CMD_SHOW_IPSEC_TSET, 0, false },
	{ "show crypto ipsec profile", IK_CMD_SHOW_IPSEC_PROFILE, 0, false },
	{ "show crypto session", IK_CMD_SHOW_SESSION, 0, false },
	{ "show crypto session detail", IK_CMD_SHOW_SESSION, 0, true },
	{ "show crypto session brief", IK_CMD_SHOW_SESSION_BRIEF, 0, false },
	{ "show crypto session remote <peer>", IK_CMD_SHOW_SESSION, 0, false },
	{ "show crypto session remote <peer> detail", IK_CMD_SHOW_SESSION, 0, true },
	{ "show crypto engine connections active", IK_CMD_SHOW_ENGINE_CONNS, 0, false },
	{ "show running-config", IK_CMD_SHOW_RUNNING, 0, false },
	{ "show debugging", IK_CMD_SHOW_DEBUGGING, 0, false },
	{ "test isakmp peer <peer>", IK_CMD_TEST_PEER, 0, false },
	{ "test isakmp peer <peer> identity <id-addr>", IK_CMD_TEST_PEER, 0, false },
	{ "test isakmp peer <peer> identity fqdn <fqdn>", IK_CMD_TEST_PEER, 0, false },
	{ "test isakmp peer <peer> identity user-fqdn <ufqdn>", IK_CMD_TEST_PEER, 0, false },
	{ "test isakmp peer <peer> fqdn <fqdn>", IK_CMD_TEST_PEER, 0, false },
	{ "test isakmp peer <peer> local <local>", IK_CMD_TEST_PEER, 0, false },
	{ "test isakmp peer <peer> local <local> identity <id-addr>", IK_CMD_TEST_PEER, 0, false },
	{ "test isakmp peer <peer> local <local> identity fqdn <fqdn>",
	  IK_CMD_TEST_PEER, 0, false },
	{ "test isakmp peer <peer> local <local> identity user-fqdn <ufqdn>",
	  IK_CMD_TEST_PEER, 0, false },
	{ "test isakmp peer <peer> local <local> fqdn <fqdn>", IK_CMD_TEST_PEER, 0, false },
	{ "test isakmp peer <peer> vrf <vrf>", IK_CMD_TEST_PEER, 0, false },
	{ "test isakmp peer <peer> vrf <vrf> identity <id-addr>", IK_CMD_TEST_PEER, 0, false },
	{ "test isakmp peer <peer> vrf <vrf> identity fqdn <fqdn>", IK_CMD_TEST_PEER, 0, false },
	{ "test isakmp peer <peer> vrf <vrf> identity user-fqdn <ufqdn>",
	  IK_CMD_TEST_PEER, 0, false },
	{ "test isakmp peer <peer> vrf <vrf> fqdn <fqdn>", IK_CMD_TEST_PEER, 0, false },
	{ "test isakmp peer <peer> vrf <vrf> local <local>", IK_CMD_TEST_PEER, 0, false },
	{ "test isakmp peer <peer> vrf <vrf> local <local> identity <id-addr>",
	  IK_CMD_TEST_PEER, 0, false },
	{ "test isakmp peer <peer> vrf <vrf> local <local> identity fqdn <fqdn>",
	  IK_CMD_TEST_PEER, 0, false },
	{ "test isakmp peer <peer> vrf <vrf> local <local> identity user-fqdn <ufqdn>",
	  IK_CMD_TEST_PEER, 0, false },
	{ "test isakmp peer <peer> vrf <vrf> local <local> fqdn <fqdn>",
	  IK_CMD_TEST_PEER, 0, false },
	{ "check", IK_CMD_CHECK, 0, false },
	{ "debug crypto isakmp", IK_CMD_DEBUG, IK_DBG_ISAKMP, false },
	{ "debug crypto isakmp aaa", IK_CMD_DEBUG, IK_DBG_ISAKMP_AAA, false },
	{ "debug crypto isakmp detail", IK_CMD_DEBUG, IK_DBG_ISAKMP_DETAIL, false },
	{ "debug crypto condition peer ipv4 <peer>", IK_CMD_DEBUG_COND, 0, false },
	{ "no debug crypto condition peer ipv4 <peer>", IK_CMD_NO_DEBUG_COND, 0, false },
	{ "debug crypto condition peer ipv6 <peer6>", IK_CMD_DEBUG_COND, 0, false },
	{ "no debug crypto condition peer ipv6 <peer6>", IK_CMD_NO_DEBUG_COND, 0, false },
	{ "no debug crypto condition all", IK_CMD_NO_DEBUG_COND, 0, false },
	{ "show crypto debug-condition", IK_CMD_SHOW_DEBUG_COND, 0, false },
	{ "debug crypto ipsec", IK_CMD_DEBUG, IK_DBG_IPSEC, false },
	{ "debug crypto ikev2", IK_CMD_DEBUG, IK_DBG_IKEV2, false },
	{ "undebug crypto isakmp", IK_CMD_UNDEBUG, IK_DBG_ISAKMP, false },
	{ "undebug crypto isakmp aaa", IK_CMD_UNDEBUG, IK_DBG_ISAKMP_AAA, false },
	{ "undebug crypto isakmp detail", IK_CMD_UNDEBUG, IK_DBG_ISAKMP_DETAIL, false },
	{ "undebug crypto ipsec", IK_CMD_UNDEBUG, IK_DBG_IPSEC, false },
	{ "undebug crypto ikev2", IK_CMD_UNDEBUG, IK_DBG_IKEV2, false },
	{ "undebug all", IK_CMD_UNDEBUG_ALL, 0, false },
	{ "no debug crypto isakmp", IK_CMD_UNDEBUG, IK_DBG_ISAKMP, false },
	{ "no debug crypto isakmp aaa", IK_CMD_UNDEBUG, IK_DBG_ISAKMP_AAA, false },
	{ "no debug crypto isakmp detail", IK_CMD_UNDEBUG, IK_DBG_ISAKMP_DETAIL, false },
	{ "no debug crypto ipsec", IK_CMD_UNDEBUG, IK_DBG_IPSEC, false },
	{ "no debug crypto ikev2", IK_CMD_UNDEBUG, IK_DBG_IKEV2, false },
	{ "no debug all", IK_CMD_UNDEBUG_ALL, 0, false },
	{ "terminal monitor", IK_CMD_TERMINAL_MONITOR, 0, false },
	{ "terminal no monitor", IK_CMD_TERMINAL_NO_MONITOR, 0, false },
	{ "reload", IK_CMD_RELOAD, 0, false },
	{ "reload force", IK_CMD_RELOAD_FORCE, 0, false },
	{ "initiate <ifname>", IK_CMD_INITIATE, 0, false },
	{ "initiate map <map> <src> <dst>", IK_CMD_INITIATE_MAP, 0, false },
	{ "show crypto map", IK_CMD_SHOW_CRYPTO_MAP, 0, false },
	{ "show crypto map interface <ifname>", IK_CMD_SHOW_CRYPTO_MAP, 0, false },
	{ "show crypto route", IK_CMD_SHOW_CRYPTO_ROUTE, 0, false },
	{ "show access-lists", IK_CMD_SHOW_ACCESS_LISTS, 0, false },
	{ "show access-lists <acl>", IK_CMD_SHOW_ACCESS_LISTS, 0, false },
	{ "show crypto ipsec sa map <map>", IK_CMD_SHOW_IPSEC_SA, 0, false },
	{ "show crypto ipsec sa map <map> detail", IK_CMD_SHOW_IPSEC_SA, 0, true },
	{ "clear crypto sa map <map>", IK_CMD_CLEAR_SA_MAP, 0, false },
	{ "clear crypto session", IK_CMD_CLEAR_SESSION, 0, false },
	{ "clear crypto session remote <peer>", IK_CMD_CLEAR_SESSION, 0, false },
	{ "clear crypto isakmp", IK_CMD_CLEAR_ISAKMP, 0, false },
	{ "clear crypto isakmp <conn-id>", IK_CMD_CLEAR_ISAKMP, 0, false },
	{ "clear crypto sa", IK_CMD_CLEAR_SA, 0, false },
	{ "clear crypto sa peer <peer>", IK_CMD_CLEAR_SA, 0, false },
	{ "show crypto ikev2 proposal", IK_CMD_SHOW_IKEV2_PROPOSAL, 0, false },
	{ "show crypto ikev2 policy", IK_CMD_SHOW_IKEV2_POLICY, 0, false },
	{ "show crypto ikev2 profile", IK_CMD_SHOW_IKEV2_PROFILE, 0, false },
	{ "show crypto pki certificates", IK_CMD_SHOW_PKI_CERTS, 0, false },
	{ "show crypto pki certificates verbose", IK_CMD_SHOW_PKI_CERTS, 0, true },
	{ "show crypto pki trustpoints", IK_CMD_SHOW_PKI_TRUSTPOINTS, 0, false },
	{ "debug crypto pki transactions", IK_CMD_DEBUG, IK_DBG_PKI_TRANS, false },
	{ "debug crypto pki messages", IK_CMD_DEBUG, IK_DBG_PKI_MSG, false },
	{ "undebug crypto pki transactions", IK_CMD_UNDEBUG, IK_DBG_PKI_TRANS, false },
	{ "undebug crypto pki messages", IK_CMD_UNDEBUG, IK_DBG_PKI_MSG, false },
	{ "no debug crypto pki transactions", IK_CMD_UNDEBUG, IK_DBG_PKI_TRANS, false },
	{ "no debug crypto pki messages", IK_CMD_UNDEBUG, IK_DBG_PKI_MSG, false },
	{ "show crypto ikev2 sa", IK_CMD_SHOW_IKEV2_SA, 0, false },
	{ "show crypto ikev2 sa detailed", IK_CMD_SHOW_IKEV2_SA, 0, true },
	{ "show crypto ikev2 sa remote <peer>", IK_CMD_SHOW_IKEV2_SA, 0, false },
	{ "show crypto ikev2 sa remote <peer> detailed", IK_CMD_SHOW_IKEV2_SA, 0, true },
	{ "show crypto ikev2 session", IK_CMD_SHOW_IKEV2_SESSION, 0, false },
	{ "show crypto ikev2 session detailed", IK_CMD_SHOW_IKEV2_SESSION, 0, true },
	{ "show crypto ikev2 stats", IK_CMD_SHOW_IKEV2_STATS, 0, false },
	{ "clear crypto ikev2 sa", IK_CMD_CLEAR_IKEV2_SA, 0, false },
	{ "clear crypto ikev2 sa remote <peer>", IK_CMD_CLEAR_IKEV2_SA, 0, false },
/* test ikev2 peer A [vrf V] [local L] [identity address|fqdn|email|key-id X] */
#define V2T(opts, id) { "test ikev2 peer <peer>" opts id, IK_CMD_TEST_IKEV2_PEER, 0, false }
#define V2T4(id) V2T("", id), V2T(" vrf <vrf>", id), V2T(" local <v2-local>", id), \
	V2T(" vrf <vrf> local <v2-local>", id)
	V2T4(""),
	V2T4(" identity address <id-addr>"),
	V2T4(" identity fqdn <fqdn>"),
	V2T4(" identity email <email>"),
	V2T4(" identity key-id <key-id>"),
#undef V2T4
#undef V2T
};

#define NPAT IK_ARRAY_LEN(patterns)

/* The one-line help of each keyword, by its place in the table: the pattern
 * words up to and including it; an entry "* WORDS" is the help of WORDS
 * wherever they end a path (the options of test ikev2 peer, in any order).
 * Every keyword of the table has one (the unit tests check). */
static const struct {
	const char *path, *help;
} keyword_help[] = {
	{ "show", "Show running system information" },
	{ "show crypto", "Encryption module" },
	{ "show crypto isakmp", "Show ISAKMP" },
	{ "show crypto isakmp key", "Show ISAKMP preshared keys" },
	{ "show crypto isakmp profile", "Show ISAKMP profiles" },
	{ "show crypto isakmp policy", "Show ISAKMP protection suite policy" },
	{ "show crypto isakmp sa", "Show ISAKMP Security Associations" },
	{ "show crypto isakmp sa detail", "Show ISAKMP SA detail" },
	{ "show crypto isakmp sa keys", "Decryption keys for Wireshark (secret!)" },
	{ "show crypto isakmp peers", "Show ISAKMP peer structures" },
	{ "show crypto ipsec", "Show IPSEC policy" },
	{ "show crypto ipsec sa", "IPSEC SA table" },
	{ "show crypto session", "Show crypto sessions (tunnels)" },
	{ "show running-config", "Current operating configuration" },
	{ "show crypto map", "Crypto maps" },
	{ "show crypto map interface", "The crypto map of one interface" },
	{ "show crypto route", "Show routes injected by crypto (reverse-route)" },
	{ "show access-lists", "List access lists" },
	{ "initiate map", "Bring up the SA pair of a crypto map for a packet" },
	{ "show crypto ipsec sa map", "IPSEC SAs of one crypto map" },
	{ "clear crypto sa map", "Flush the IPSEC SAs of one crypto map" },
	{ "show debugging", "State of each debugging option" },
	{ "test", "Test subsystems" },
	{ "test isakmp", "Test ISAKMP key and profile selection" },
	{ "test isakmp peer", "The peer as the responder would see it" },
	{ "test isakmp peer <peer> vrf", "Front-door VRF the peer arrives in" },
	{ "test isakmp peer <peer> identity", "Identity the peer sends" },
	{ "test isakmp peer <peer> identity fqdn", "Identity as a fully qualified domain name" },
	{ "test isakmp peer <peer> identity user-fqdn", "Identity as user@domain" },
	{ "test isakmp peer <peer> fqdn", "Identity as a fully qualified domain name" },
	{ "test isakmp peer <peer> vrf <vrf> identity", "Identity the peer sends" },
	{ "test isakmp peer <peer> vrf <vrf> identity fqdn",
	  "Identity as a fully qualified domain name" },
	{ "test isakmp peer <peer> vrf <vrf> identity user-fqdn", "Identity as user@domain" },
	{ "test isakmp peer <peer> vrf <vrf> fqdn", "Identity as a fully qualified domain name" },
	{ "check", "Static check of the running configuration" },
	{ "debug", "Debugging functions (see also 'undebug')" },
	{ "debug crypto", "Cryptographic subsystem" },
	{ "debug crypto isakmp", "Crypto ISAKMP debug messages" },
	{ "debug crypto isakmp aaa", "ISAKMP key and profile selection" },
	{ "debug crypto ipsec", "Crypto IPSEC debug messages" },
	{ "debug crypto ikev2", "Crypto IKEv2 debug messages" },
	{ "undebug", "Disable debugging functions (see also 'debug')" },
	{ "undebug crypto", "Cryptographic subsystem" },
	{ "undebug crypto isakmp", "Crypto ISAKMP debug messages" },
	{ "undebug crypto isakmp aaa", "ISAKMP key and profile selection" },
	{ "undebug crypto ipsec", "Crypto IPSEC debug messages" },
	{ "undebug crypto ikev2", "Crypto IKEv2 debug messages" },
	{ "undebug all", "Disable all debugging" },
	{ "no", "Negate a command" },
	{ "no debug", "Disable debugging functions" },
	{ "no debug crypto", "Cryptographic subsystem" },
	{ "no debug crypto isakmp", "Crypto ISAKMP debug messages" },
	{ "no debug crypto isakmp aaa", "ISAKMP key and profile selection" },
	{ "no debug crypto ipsec", "Crypto IPSEC debug messages" },
	{ "no debug crypto ikev2", "Crypto IKEv2 debug messages" },
	{ "no debug all", "Disable all debugging" },
	{ "terminal", "Set terminal line parameters" },
	{ "terminal monitor", "Copy debug output to the current terminal line" },
	{ "terminal no", "Negate a command" },
	{ "terminal no monitor", "Stop copying debug output to this terminal line" },
	{ "reload", "Read the configuration file again" },
	{ "initiate", "Bring a tunnel's SAs up now" },
	{ "clear", "Reset functions" },
	{ "clear crypto", "Encryption module" },
	{ "clear crypto session", "Clear crypto sessions (tunnels)" },
	{ "clear crypto session remote", "Remote peer" },
	{ "clear crypto isakmp", "Flush the ISAKMP database" },
	{ "clear crypto sa", "Flush the IPSEC SAs" },
	{ "clear crypto sa peer", "Flush the IPSEC SAs of one peer" },
	{ "show crypto isakmp default", "Show ISAKMP default settings" },
	{ "show crypto isakmp stats", "Show ISAKMP statistics" },
	{ "show crypto isakmp default policy", "Show the default protection suites" },
	{ "show crypto ipsec sa detail", "Detailed IPSEC SA information" },
	{ "show crypto ipsec sa peer", "IPSEC SAs of one peer" },
	{ "show crypto ipsec transform-set", "Crypto transform sets" },
	{ "show crypto ipsec profile", "IPSEC profiles" },
	{ "show crypto session detail", "Detailed crypto session information" },
	{ "show crypto session brief", "One line per crypto session" },
	{ "show crypto session remote", "Crypto sessions of one remote peer" },
	{ "show crypto engine", "Show crypto engine information" },
	{ "show crypto engine connections", "Crypto engine connections" },
	{ "show crypto engine connections active", "Active crypto engine connections" },
	{ "show crypto debug-condition", "Show the crypto debug conditions" },
	{ "debug crypto isakmp detail", "ISAKMP debug messages in detail" },
	{ "undebug crypto isakmp detail", "ISAKMP debug messages in detail" },
	{ "no debug crypto isakmp detail", "ISAKMP debug messages in detail" },
	{ "debug crypto condition", "Debug only what matches a condition" },
	{ "no debug crypto condition", "Remove debug conditions" },
	{ "no debug crypto condition all", "Remove every debug condition" },
	{ "* condition peer", "Condition on the peer" },
	{ "* condition peer ipv4", "Peer IPv4 address" },
	{ "* condition peer ipv6", "Peer IPv6 address" },
	{ "* detail", "Detailed information" },
	{ "show crypto ikev2", "Show IKEv2" },
	{ "show crypto ikev2 proposal", "Show IKEv2 proposals" },
	{ "show crypto ikev2 policy", "Show IKEv2 policies" },
	{ "show crypto ikev2 profile", "Show IKEv2 profiles" },
	{ "show crypto pki", "Show PKI" },
	{ "show crypto pki certificates", "Show certificates" },
	{ "show crypto pki certificates verbose", "Certificates in detail (keys, hashes)" },
	{ "show crypto pki trustpoints", "Show trustpoints" },
	{ "debug crypto pki", "Public Key Infrastructure" },
	{ "debug crypto pki transactions", "Certificate validation and signing" },
	{ "debug crypto pki messages", "Certificates received" },
	{ "undebug crypto pki", "Public Key Infrastructure" },
	{ "undebug crypto pki transactions", "Certificate validation and signing" },
	{ "undebug crypto pki messages", "Certificates received" },
	{ "no debug crypto pki", "Public Key Infrastructure" },
	{ "no debug crypto pki transactions", "Certificate validation and signing" },
	{ "no debug crypto pki messages", "Certificates received" },
	{ "show crypto ikev2 stats", "Show IKEv2 statistics" },
	{ "show crypto ikev2 stats peer", "IKEv2 message counters of one peer" },
	{ "show crypto authorization", "Peer authorization by public-key hash" },
	{ "show crypto authorization list", "Authorization lists and their entries" },
	{ "clear crypto statistics", "Reset the per-peer counters" },
	{ "show crypto ikev2 sa", "Shows ikev2 SAs" },
	{ "show crypto ikev2 sa detailed", "detailed ikev2 SA information" },
	{ "show crypto ikev2 sa remote", "Remote peer" },
	{ "show crypto ikev2 sa remote <peer> detailed", "detailed ikev2 SA information" },
	{ "show crypto ikev2 session", "Shows ikev2 sessions" },
	{ "show crypto ikev2 session detailed", "detailed ikev2 session information" },
	{ "show crypto ikev2 stats", "Shows ikev2 sa stats" },
	{ "clear crypto ikev2", "Clear IKEv2" },
	{ "clear crypto ikev2 sa", "Clear IKEv2 SAs" },
	{ "clear crypto ikev2 sa remote", "Remote peer" },
	{ "test ikev2", "Test IKEv2 profile selection" },
	{ "test ikev2 peer", "The peer as the IKEv2 responder would see it" },
	{ "reload force", "Also load a file with no crypto configuration" },
	{ "* identity user-fqdn", "Identity as user@domain" },
	{ "* fqdn", "Identity as a fully qualified domain name" },
	{ "* vrf", "Front-door VRF the peer arrives in" },
	{ "* local", "Local address the peer sends to" },
	{ "* identity", "Identity the peer sends" },
	{ "* identity address", "Identity as an IP address" },
	{ "* identity fqdn", "Identity as a fully qualified domain name" },
	{ "* identity email", "Identity as an e-mail address" },
	{ "* identity key-id", "Identity as a key id" },
};

/* What an argument looks like and what it is, for '?'. */
static const struct {
	const char *arg, *form, *help;
} arg_help[] = {
	{ "<peer>", "A.B.C.D", "Peer IP address" },
	{ "<peer6>", "X:X:X:X::X", "Peer IPv6 address" },
	{ "<id-addr>", "A.B.C.D", "Identity as an IP address" },
	{ "<vrf>", "WORD", "VRF name" },
	{ "<fqdn>", "WORD", "Host name, e.g. r2.example.com" },
	{ "<ufqdn>", "WORD", "user@domain" },
	{ "<conn-id>", "<1-4294967295>", "Connection id (show crypto isakmp sa detail)" },
	{ "<ifname>", "WORD", "Tunnel interface, e.g. Tunnel0" },
	{ "<map>", "WORD", "Crypto map name" },
	{ "<acl>", "WORD", "Access list name or number" },
	{ "<src>", "A.B.C.D", "Source address of the packet" },
	{ "<dst>", "A.B.C.D", "Destination address of the packet" },
	{ "<email>", "WORD", "user@domain" },
	{ "<key-id>", "WORD", "Key id" },
	{ "<v2-local>", "A.B.C.D", "Local IP address" },
	{ "<local>", "A.B.C.D", "Local IP address" },
	{ "<list>", "WORD", "Authorization list name" },
};

/* A word of the input: where it starts in the line and how long it is. */
struct cli_word {
	size_t off, len;
};

/* The i-th word of a pattern, copied into buf; false if the pattern is shorter. */
static bool pat_word(const char *pat, size_t i, char *buf, size_t len)
{
	const char *p = pat;

	for (size_t k = 0; k < i; k++) {
		p = strchr(p, ' ');
		if (!p)
			return false;
		p++;
	}
	size_t n = strcspn(p, " ");
	if (n >= len)
		n = len - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return true;
}

static size_t pat_nwords(const char *pat)
{
	size_t n = 1;

	for (; *pat; pat++)
		if (*pat == ' ')
			n++;
	return n;
}

static bool word_is_number(const char *w, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)w[0]))
		return false;
	errno = 0;
	v = strtoul(w, &end, 10);
	if (errno || *end || v == 0 || v > 0xffffffffUL)
		return false;
	*out = (unsigned)v;
	return true;
}

static bool word_is_name(const char *w, size_t max)
{
	size_t n = strlen(w);

	if (n == 0 || n >= max)
		return false;
	for (; *w; w++)
		if (!isgraph((unsigned char)*w))
			return false;
	return true;
}

/* Commands whose peer may be an IPv6 address: the clear and show commands
 * that name a peer (clear crypto session remote 2001:db8::2, show crypto
 * ipsec sa peer 2001:db8::2, ...). */
static bool cli_takes_v6_peer(enum ik_cmd_id id)
{
	return id == IK_CMD_CLEAR_SESSION || id == IK_CMD_CLEAR_ISAKMP || id == IK_CMD_CLEAR_SA ||
	       id == IK_CMD_CLEAR_IKEV2_SA || id == IK_CMD_SHOW_IPSEC_SA ||
	       id == IK_CMD_SHOW_SESSION || id == IK_CMD_SHOW_IKEV2_SA ||
	       id == IK_CMD_SHOW_IKEV2_PEER_STATS;
}

/* Whether argument kind arg ("<peer>") accepts the word; stores it in cmd. */
static bool arg_accept(const char *arg, const char *w, struct ik_cli_cmd *cmd)
{
	uint32_t a;
	unsigned n;

	if (!strcmp(arg, "<peer6>")) {
		if (ik_addr_parse_any(w, &cmd->peer_ip) || cmd->peer_ip.family != IK_AF_INET6)
			return false;
		cmd->has_peer = true;
		cmd->peer = 0;
		return true;
	}
	if (!strcmp(arg, "<peer>")) {
		if (ik_addr_parse_any(w, &cmd->peer_ip))
			return false;
		cmd->has_peer = true;
		cmd->peer = cmd->peer_ip.family == IK_AF_INET6 ? 0 : cmd->peer_ip.v4;
		return true;
	}
	if (!strcmp(arg, "<local>")) {
		if (ik_addr_parse_any(w, &cmd->local_ip))
			return false;
		cmd->local = cmd->local_ip.family == IK_AF_INET6 ? 0 : cmd->local_ip.v4;
		return true;
	}
	if (!strcmp(arg, "<id-addr>")) {
		if (ik_addr_parse_any(w, &cmd->ident_ip))
			return false;
		cmd->ident = IK_CLI_ID_ADDR;
		cmd->ident_addr = cmd->ident_ip.family == IK_AF_INET6 ? 0 : cmd->ident_ip.v4;
		return true;
	}
	if (!strcmp(arg, "<vrf>")) {
		if (!word_is_name(w, sizeof(cmd->vrf)))
			return false;
		strcpy(cmd->vrf, w);
		return true;
	}
	if (!strcmp(arg, "<fqdn>") || !strcmp(arg, "<ufqdn>") || !strcmp(arg, "<email>") ||
	    !strcmp(arg, "<key-id>")) {
		if (!word_is_name(w, sizeof(cmd->ident_name)))
			return false;
		cmd->ident = arg[1] == 'u' ? IK_CLI_ID_USER_FQDN :
			     arg[1] == 'e' ? IK_CLI_ID_EMAIL :
			     arg[1] == 'k' ? IK_CLI_ID_KEY_ID : IK_CLI_ID_FQDN;
		strcpy(cmd->ident_name, w);
		return true;
	}
	if (!strcmp(arg, "<v2-local>")) {
		if (ik_addr_parse(w, &a))
			return false;
		cmd->has_v2_local = true;
		cmd->v2_local = a;
		return true;
	}
	if (!strcmp(arg, "<conn-id>")) {
		if (!word_is_number(w, &n))
			return false;
		cmd->has_conn_id = true;
		cmd->conn_id = n;
		return true;
	}
	if (!strcmp(arg, "<list>")) {
		if (!word_is_name(w, sizeof(cmd->list)))
			return false;
		strcpy(cmd->list, w);
		return true;
	}
	if (!strcmp(arg, "<ifname>")) {
		if (!word_is_name(w, sizeof(cmd->ifname)))
			return false;
		strcpy(cmd->ifname, w);
		return true;
	}
	if (!strcmp(arg, "<map>") || !strcmp(arg, "<acl>")) {
		if (!word_is_name(w, sizeof(cmd->name)))
			return false;
		strcpy(cmd->name, w);
		return true;
	}
	if (!strcmp(arg, "<src>") || !strcmp(arg, "<dst>")) {
		struct ik_addr x;

		if (ik_addr_parse_any(w, &x))
			return false;
		*(arg[1] == 's' ? &cmd->flow_src : &cmd->flow_dst) = x;
		return true;
	}
	return false;
}

static void err_marker(struct ik_sb *err, const char *line, size_t off)
{
	for (const char *p = line; *p; p++)
		ik_sb_addn(err, *p == '\t' ? " " : p, 1);
	ik_sb_add(err, "\n");
	for (size_t i = 0; i < off; i++)
		ik_sb_add(err, " ");
	ik_sb_add(err, "^\n% Invalid input detected at '^' marker.\n");
}

/* Splits line into words; -1 (marker in err) when there are too many. */
static int cli_split(const char *line, struct cli_word *words, size_t *nwp, struct ik_sb *err)
{
	const char *p = line;
	size_t nw = 0;

	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		size_t n = strcspn(p, " \t");
		if (nw == CLI_MAX_WORDS) {
			err_marker(err, line, (size_t)(p - line));
			return -1;
		}
		words[nw].off = (size_t)(p - line);
		words[nw].len = n;
		nw++;
		p += n;
	}
	*nwp = nw;
	return 0;
}

/* Matches the first nw words against the table: alive[i] tells which
 * patterns are still possible. -1 with IOS's error text in err. */
static int cli_match(const char *line, const struct cli_word *words, size_t nw, bool *alive,
		     struct ik_sb *err)
{
	size_t i;

	for (i = 0; i < NPAT; i++)
		alive[i] = true;

	for (size_t w = 0; w < nw; w++) {
		char word[256], pw[64], exact[64] = "", first[64] = "";
		unsigned distinct = 0;
		bool any = false;

		if (words[w].len >= sizeof(word)) {
			err_marker(err, line, words[w].off);
			return -1;
		}
		memcpy(word, line + words[w].off, words[w].len);
		word[words[w].len] = '\0';

		/* keywords first */
		for (i = 0; i < NPAT; i++) {
			if (!alive[i] || !pat_word(patterns[i].words, w, pw, sizeof(pw)) ||
			    pw[0] == '<')
				continue;
			if (strncasecmp(pw, word, words[w].len))
				continue;
			if (!strcasecmp(pw, word))
				strcpy(exact, pw);
			if (!first[0]) {
				strcpy(first, pw);
				distinct = 1;
			} else if (strcmp(first, pw) && distinct < 2) {
				distinct = 2;
			}
		}
		if (exact[0] || distinct == 1) {
			const char *kw = exact[0] ? exact : first;

			for (i = 0; i < NPAT; i++)
				if (alive[i] && (!pat_word(patterns[i].words, w, pw, sizeof(pw)) ||
						 strcmp(pw, kw)))
					alive[i] = false;
			continue;
		}
		if (distinct > 1) {
			ik_sb_add(err, "% Ambiguous command:  \"");
			ik_sb_addn(err, line + words[0].off,
				   words[w].off + words[w].len - words[0].off);
			ik_sb_add(err, "\"\n");
			return -1;
		}
		/* then arguments */
		for (i = 0; i < NPAT; i++) {
			struct ik_cli_cmd scratch;

			if (!alive[i])
				continue;
			if (!pat_word(patterns[i].words, w, pw, sizeof(pw)) || pw[0] != '<' ||
			    !arg_accept(pw, word, &scratch))
				alive[i] = false;
			else
				any = true;
		}
		if (!any) {
			err_marker(err, line, words[w].off);
			return -1;
		}
	}
	return 0;
}

int ik_cli_parse(const char *line, struct ik_cli_cmd *cmd, struct ik_sb *err)
{
	struct cli_word words[CLI_MAX_WORDS];
	bool alive[NPAT];
	size_t nw = 0, i;

	memset(cmd, 0, sizeof(*cmd));
	if (cli_split(line, words, &nw, err))
		return -1;
	if (nw == 0) {
		ik_sb_add(err, "% Incomplete command.\n");
		return -1;
	}
	if (cli_match(line, words, nw, alive, err))
		return -1;

	for (i = 0; i < NPAT; i++)
		if (alive[i] && pat_nwords(patterns[i].words) == nw)
			break;
	if (i == NPAT) {
		ik_sb_add(err, "% Incomplete command.\n");
		return -1;
	}
	cmd->id = patterns[i].id;
	cmd->dbg_cat = patterns[i].dbg_cat;
	cmd->detail = patterns[i].detail;
	for (size_t w = 0; w < nw; w++) {
		char word[256], pw[64];

		pat_word(patterns[i].words, w, pw, sizeof(pw));
		if (pw[0] != '<')
			continue;
		memcpy(word, line + words[w].off, words[w].len);
		word[words[w].len] = '\0';
		arg_accept(pw, word, cmd);
	}
	if (cmd->id != IK_CMD_TEST_PEER && !cli_takes_v6_peer(cmd->id) &&
	    !strstr(patterns[i].words, "<peer6>") &&
	    (cmd->peer_ip.family == IK_AF_INET6 || cmd->local_ip.family == IK_AF_INET6 ||
	     cmd->ident_ip.family == IK_AF_INET6)) {
		ik_sb_add(err, "% IPv6 addresses are accepted by test isakmp peer and the show "
			  "and clear commands naming a peer; this command takes an IPv4 "
			  "address\n");
		return -1;
	}
	return 0;
}

void ik_cli_list(struct ik_sb *out)
{
	for (size_t i = 0; i < NPAT; i++) {
		ik_sb_add(out, patterns[i].words);
		ik_sb_add(out, "\n");
	}
}

/* The words 0..w of a pattern, as a help path. */
static void pat_path(const char *pat, size_t w, char *buf, size_t len)
{
	const char *p = pat;

	for (size_t k = 0; k <= w && p; k++) {
		p = strchr(p, ' ');
		if (p && k < w)
			p++;
	}
	size_t n = p ? (size_t)(p - pat) : strlen(pat);
	if (n >= len)
		n = len - 1;
	memcpy(buf, pat, n);
	buf[n] = '\0';
}

const char *ik_cli_keyword_help(const char *path)
{
	const char *best = NULL;
	size_t best_len = 0, pl = strlen(path);

	for (size_t i = 0; i < IK_ARRAY_LEN(keyword_help); i++) {
		const char *k = keyword_help[i].path;
		size_t kl;

		if (!strcmp(k, path))
			return keyword_help[i].help;
		if (strncmp(k, "* ", 2))
			continue;
		k += 2;
		kl = strlen(k);
		/* a suffix of the path at a word boundary; the longest wins */
		if (kl < pl && path[pl - kl - 1] == ' ' && !strcmp(path + pl - kl, k) &&
		    kl > best_len) {
			best = keyword_help[i].help;
			best_len = kl;
		}
	}
	return best;
}

/* One entry of a '?' listing. */
struct cli_choice {
	char word[64];
	const char *help;
};

static int choice_cmp(const void *a, const void *b)
{
	const struct cli_choice *x = a, *y = b;
	bool ax = x->word[0] == '<' || isupper((unsigned char)x->word[0]);
	bool ay = y->word[0] == '<' || isupper((unsigned char)y->word[0]);

	if (ax != ay) /* arguments after the keywords, as IOS lists them */
		return ax ? 1 : -1;
	return strcmp(x->word, y->word);
}

/* The possible words at index w of the alive patterns whose keyword starts
 * with prefix (arguments only when prefix is NULL). Returns how many, sorted;
 * *complete tells whether a command ends before index w. */
static size_t cli_choices(const bool *alive, size_t w, const char *prefix,
			  struct cli_choice *ch, size_t max, bool *complete)
{
	size_t n = 0;

	*complete = false;
	for (size_t i = 0; i < NPAT; i++) {
		char pw[64], path[512];
		const char *form, *help = NULL;
		size_t k;

		if (!alive[i])
			continue;
		if (!pat_word(patterns[i].words, w, pw, sizeof(pw))) {
			*complete = true;
			continue;
		}
		if (pw[0] == '<') {
			if (prefix)
				continue;
			form = pw;
			for (k = 0; k < IK_ARRAY_LEN(arg_help); k++)
				if (!strcmp(arg_help[k].arg, pw)) {
					form = arg_help[k].form;
					help = arg_help[k].help;
				}
		} else {
			if (prefix && strncasecmp(pw, prefix, strlen(prefix)))
				continue;
			form = pw;
			pat_path(patterns[i].words, w, path, sizeof(path));
			help = ik_cli_keyword_help(path);
		}
		for (k = 0; k < n; k++)
			if (!strcmp(ch[k].word, form))
				break;
		if (k < n || n == max)
			continue;
		snprintf(ch[n].word, sizeof(ch[n].word), "%s", form);
		ch[n].help = help ? help : "";
		n++;
	}
	qsort(ch, n, sizeof(*ch), choice_cmp);
	return n;
}

/* Splits line into its complete words and the partial last one (empty when
 * line ends with a blank), and matches the complete ones. */
static int cli_prepare(const char *line, struct cli_word *words, size_t *nwp, bool *alive,
		       char *partial, size_t plen, struct ik_sb *err)
{
	size_t nw, ll = strlen(line);

	if (cli_split(line, words, &nw, err))
		return -1;
	partial[0] = '\0';
	if (nw && ll && line[ll - 1] != ' ' && line[ll - 1] != '\t') {
		nw--;
		if (words[nw].len >= plen) {
			err_marker(err, line, words[nw].off);
			return -1;
		}
		memcpy(partial, line + words[nw].off, words[nw].len);
		partial[words[nw].len] = '\0';
	}
	*nwp = nw;
	return cli_match(line, words, nw, alive, err);
}

int ik_cli_help(const char *line, struct ik_sb *out)
{
	struct cli_word words[CLI_MAX_WORDS];
	struct cli_choice ch[NPAT];
	bool alive[NPAT], complete;
	char partial[64];
	size_t nw, n, width = 0;

	if (cli_prepare(line, words, &nw, alive, partial, sizeof(partial), out))
		return -1;
	if (partial[0]) {
		/* "show cry?": the keywords that start so, on one line */
		n = cli_choices(alive, nw, partial, ch, NPAT, &complete);
		if (!n) {
			ik_sb_add(out, "% Unrecognized command\n");
			return -1;
		}
		for (size_t k = 0; k < n; k++)
			ik_sb_printf(out, "%s%s", k ? "  " : "", ch[k].word);
		ik_sb_add(out, "\n");
		return 0;
	}
	n = cli_choices(alive, nw, NULL, ch, NPAT, &complete);
	for (size_t k = 0; k < n; k++)
		if (strlen(ch[k].word) > width)
			width = strlen(ch[k].word);
	for (size_t k = 0; k < n; k++)
		ik_sb_printf(out, "  %-*s  %s\n", (int)width, ch[k].word, ch[k].help);
	if (complete)
		ik_sb_add(out, "  <cr>\n");
	return 0;
}

int ik_cli_complete(const char *line, struct ik_sb *out)
{
	struct cli_word words[CLI_MAX_WORDS];
	struct cli_choice ch[NPAT];
	bool alive[NPAT], complete;
	char partial[64];
	size_t nw, n;
	struct ik_sb err;

	ik_sb_init(&err);
	if (cli_prepare(line, words, &nw, alive, partial, sizeof(partial), &err)) {
		ik_sb_free(&err);
		return -1;
	}
	ik_sb_free(&err);
	n = cli_choices(alive, nw, partial, ch, NPAT, &complete);
	for (size_t k = 0; k < n; k++)
		ik_sb_printf(out, "%s\n", ch[k].word);
	return 0;
}

bool ik_cli_help_missing(struct ik_sb *out)
{
	bool missing = false;

	for (size_t i = 0; i < NPAT; i++) {
		size_t nw = pat_nwords(patterns[i].words);

		for (size_t w = 0; w < nw; w++) {
			char pw[64], path[512];

			pat_word(patterns[i].words, w, pw, sizeof(pw));
			if (pw[0] == '<')
				continue;
			pat_path(patterns[i].words, w, path, sizeof(path));
			if (!ik_cli_keyword_help(path)) {
				ik_sb_printf(out, "no help for '%s'\n", path);
				missing = true;
			}
		}
	}
	return missing;
}
