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
	{ "show crypto isakmp peers", IK_CMD_SHOW_ISAKMP_PEERS, 0, false },
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
	{ "clear crypto session", IK_CMD_CLEAR_SESSION, 0, false },
	{ "clear crypto session remote <peer>", IK_CMD_CLEAR_SESSION, 0, false },
	{ "clear crypto isakmp", IK_CMD_CLEAR_ISAKMP, 0, false },
	{ "clear crypto isakmp <conn-id>", IK_CMD_CLEAR_ISAKMP, 0, false },
	{ "clear crypto sa", IK_CMD_CLEAR_SA, 0, false },
	{ "clear crypto sa peer <peer>", IK_CMD_CLEAR_SA, 0, false },
	{ "show crypto ikev2 proposal", IK_CMD_SHOW_IKEV2_PROPOSAL, 0, false },
	{ "show crypto ikev2 policy", IK_CMD_SHOW_IKEV2_POLICY, 0, false },
	{ "show crypto ikev2 profile", IK_CMD_SHOW_IKEV2_PROFILE, 0, false },
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

/* Whether argument kind arg ("<peer>") accepts the word; stores it in cmd. */
static bool arg_accept(const char *arg, const char *w, struct ik_cli_cmd *cmd)
{
	uint32_t a;
	unsigned n;

	if (!strcmp(arg, "<peer>")) {
		if (ik_addr_parse(w, &a))
			return false;
		cmd->has_peer = true;
		cmd->peer = a;
		return true;
	}
	if (!strcmp(arg, "<local>")) {
		if (ik_addr_parse(w, &a))
			return false;
		cmd->local = a;
		return true;
	}
	if (!strcmp(arg, "<id-addr>")) {
		if (ik_addr_parse(w, &a))
			return false;
		cmd->ident = IK_CLI_ID_ADDR;
		cmd->ident_addr = a;
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
	if (!strcmp(arg, "<ifname>")) {
		if (!word_is_name(w, sizeof(cmd->ifname)))
			return false;
		strcpy(cmd->ifname, w);
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

int ik_cli_parse(const char *line, struct ik_cli_cmd *cmd, struct ik_sb *err)
{
	struct cli_word words[CLI_MAX_WORDS];
	bool alive[NPAT];
	size_t nw = 0, i;
	const char *p = line;

	memset(cmd, 0, sizeof(*cmd));
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
	if (nw == 0) {
		ik_sb_add(err, "% Incomplete command.\n");
		return -1;
	}
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
	return 0;
}

void ik_cli_list(struct ik_sb *out)
{
	for (size_t i = 0; i < NPAT; i++) {
		ik_sb_add(out, patterns[i].words);
		ik_sb_add(out, "\n");
	}
}
