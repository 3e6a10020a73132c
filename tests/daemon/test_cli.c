/* Unit tests of the control command language (src/ctl/cli.c), its output
 * filters (src/ctl/filter.c) and the request framing (src/ctl/proto.c). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/cli.h"
#include "ctl/filter.h"
#include "ctl/proto.h"
#include "util/log.h"
#include "util/util.h"

static enum ik_cmd_id parse_ok(const char *line, struct ik_cli_cmd *cmd)
{
	struct ik_sb err;

	ik_sb_init(&err);
	int rc = ik_cli_parse(line, cmd, &err);
	ck_assert_msg(rc == 0, "'%s' refused: %s", line, ik_sb_str(&err));
	ik_sb_free(&err);
	return cmd->id;
}

static char *parse_err(const char *line)
{
	struct ik_cli_cmd cmd;
	struct ik_sb err;

	ik_sb_init(&err);
	ck_assert_msg(ik_cli_parse(line, &cmd, &err) == -1, "'%s' accepted", line);
	char *s = strdup(ik_sb_str(&err));
	ik_sb_free(&err);
	return s;
}

START_TEST(full_and_abbreviated)
{
	struct ik_cli_cmd c;

	ck_assert_int_eq(parse_ok("show crypto isakmp key", &c), IK_CMD_SHOW_ISAKMP_KEY);
	ck_assert_int_eq(parse_ok("sh cry isa sa", &c), IK_CMD_SHOW_ISAKMP_SA);
	ck_assert_int_eq(parse_ok("sh cry ipsec sa peer 192.0.2.1 det", &c), IK_CMD_SHOW_IPSEC_SA);
	ck_assert(c.has_peer && c.detail);
	ck_assert_int_eq(parse_ok("sh cry ips sa det", &c), IK_CMD_SHOW_IPSEC_SA);
	ck_assert(!c.has_peer && c.detail);
	ck_assert_int_eq(parse_ok("sh cry sess br", &c), IK_CMD_SHOW_SESSION_BRIEF);
	ck_assert_int_eq(parse_ok("sh cry sess det", &c), IK_CMD_SHOW_SESSION);
	ck_assert(c.detail);
	ck_assert_int_eq(parse_ok("sh cry ips trans", &c), IK_CMD_SHOW_IPSEC_TSET);
	ck_assert_int_eq(parse_ok("sh cry ips prof", &c), IK_CMD_SHOW_IPSEC_PROFILE);
	ck_assert_int_eq(parse_ok("sh cry isa def pol", &c), IK_CMD_SHOW_ISAKMP_DEFAULT_POLICY);
	ck_assert_int_eq(parse_ok("sh cry eng conn act", &c), IK_CMD_SHOW_ENGINE_CONNS);
	ck_assert(!c.detail);
	ck_assert_int_eq(parse_ok("sh cry isa sa det", &c), IK_CMD_SHOW_ISAKMP_SA);
	ck_assert(c.detail);
	ck_assert_int_eq(parse_ok("sh run", &c), IK_CMD_SHOW_RUNNING);
	ck_assert_int_eq(parse_ok("  SHOW   crypto\tipsec sa ", &c), IK_CMD_SHOW_IPSEC_SA);
	ck_assert_int_eq(parse_ok("sh cry isa prof", &c), IK_CMD_SHOW_ISAKMP_PROFILE);
	ck_assert_int_eq(parse_ok("sh cry isa pol", &c), IK_CMD_SHOW_ISAKMP_POLICY);
	ck_assert_int_eq(parse_ok("sh cry isa pe", &c), IK_CMD_SHOW_ISAKMP_PEERS);
	ck_assert_int_eq(parse_ok("sh cry sess", &c), IK_CMD_SHOW_SESSION);
	ck_assert_int_eq(parse_ok("sh deb", &c), IK_CMD_SHOW_DEBUGGING);
	ck_assert_int_eq(parse_ok("che", &c), IK_CMD_CHECK);
	ck_assert_int_eq(parse_ok("rel", &c), IK_CMD_RELOAD);
	ck_assert_int_eq(parse_ok("reload force", &c), IK_CMD_RELOAD_FORCE);
	ck_assert_int_eq(parse_ok("rel f", &c), IK_CMD_RELOAD_FORCE);
	ck_assert_int_eq(parse_ok("term mon", &c), IK_CMD_TERMINAL_MONITOR);
	ck_assert_int_eq(parse_ok("term no mon", &c), IK_CMD_TERMINAL_NO_MONITOR);
}
END_TEST

/* The per-peer counters and the authorization lists. */
START_TEST(peers_and_lists)
{
	struct ik_cli_cmd c;

	ck_assert_int_eq(parse_ok("sh cry isa pe det", &c), IK_CMD_SHOW_ISAKMP_PEERS);
	ck_assert(c.detail);
	ck_assert_int_eq(parse_ok("sh cry isa pe", &c), IK_CMD_SHOW_ISAKMP_PEERS);
	ck_assert(!c.detail);
	ck_assert_int_eq(parse_ok("sh cry ikev2 st peer 192.0.2.7", &c),
			 IK_CMD_SHOW_IKEV2_PEER_STATS);
	ck_assert(c.has_peer && c.peer == 0xc0000207u);
	ck_assert_int_eq(parse_ok("clear crypto statistics", &c), IK_CMD_CLEAR_STATS);
	ck_assert_int_eq(parse_ok("cle cry stat", &c), IK_CMD_CLEAR_STATS);
	ck_assert_int_eq(parse_ok("sh cry auth list", &c), IK_CMD_SHOW_AUTHZ_LIST);
	ck_assert_str_eq(c.list, "");
	ck_assert_int_eq(parse_ok("sh cry auth l PINS-1", &c), IK_CMD_SHOW_AUTHZ_LIST);
	ck_assert_str_eq(c.list, "PINS-1");
	free(parse_err("show crypto ikev2 stats peer r1.example.com"));
	free(parse_err("show crypto authorization list A B"));
}
END_TEST

START_TEST(debug_categories)
{
	struct ik_cli_cmd c;

	ck_assert_int_eq(parse_ok("debug crypto isakmp", &c), IK_CMD_DEBUG);
	ck_assert_uint_eq(c.dbg_cat, IK_DBG_ISAKMP);
	ck_assert_int_eq(parse_ok("deb cry isa aaa", &c), IK_CMD_DEBUG);
	ck_assert_uint_eq(c.dbg_cat, IK_DBG_ISAKMP_AAA);
	ck_assert_int_eq(parse_ok("deb cry ips", &c), IK_CMD_DEBUG);
	ck_assert_uint_eq(c.dbg_cat, IK_DBG_IPSEC);
	ck_assert_int_eq(parse_ok("deb cry ikev2", &c), IK_CMD_DEBUG);
	ck_assert_uint_eq(c.dbg_cat, IK_DBG_IKEV2);
	ck_assert_int_eq(parse_ok("undebug all", &c), IK_CMD_UNDEBUG_ALL);
	ck_assert_int_eq(parse_ok("u all", &c), IK_CMD_UNDEBUG_ALL);
	ck_assert_int_eq(parse_ok("no debug all", &c), IK_CMD_UNDEBUG_ALL);
	ck_assert_int_eq(parse_ok("no deb cry ipsec", &c), IK_CMD_UNDEBUG);
	ck_assert_uint_eq(c.dbg_cat, IK_DBG_IPSEC);
	ck_assert_int_eq(parse_ok("deb cry isa det", &c), IK_CMD_DEBUG);
	ck_assert_uint_eq(c.dbg_cat, IK_DBG_ISAKMP_DETAIL);
	ck_assert_int_eq(parse_ok("no debug crypto isakmp detail", &c), IK_CMD_UNDEBUG);
	ck_assert_uint_eq(c.dbg_cat, IK_DBG_ISAKMP_DETAIL);
	ck_assert_int_eq(parse_ok("debug crypto condition peer ipv4 192.0.2.7", &c),
			 IK_CMD_DEBUG_COND);
	ck_assert(c.has_peer);
	ck_assert_uint_eq(c.peer, 0xc0000207u);
	ck_assert_int_eq(parse_ok("no deb cry cond peer ipv4 192.0.2.7", &c),
			 IK_CMD_NO_DEBUG_COND);
	ck_assert(c.has_peer);
	ck_assert_int_eq(parse_ok("no debug crypto condition all", &c), IK_CMD_NO_DEBUG_COND);
	ck_assert(!c.has_peer);
	ck_assert_int_eq(parse_ok("sh cry debug-condition", &c), IK_CMD_SHOW_DEBUG_COND);
	free(parse_err("debug crypto condition peer ipv4 192.0.2"));
}
END_TEST

START_TEST(arguments)
{
	struct ik_cli_cmd c;

	ck_assert_int_eq(parse_ok("test isakmp peer 192.168.0.2", &c), IK_CMD_TEST_PEER);
	ck_assert(c.has_peer);
	ck_assert_uint_eq(c.peer, 0xc0a80002u);
	ck_assert_str_eq(c.vrf, "");
	ck_assert_int_eq(c.ident, IK_CLI_ID_NONE);
	ck_assert_int_eq(parse_ok("tes isa pe 192.168.0.2 vrf BLUE identity 10.1.1.1", &c),
			 IK_CMD_TEST_PEER);
	ck_assert_str_eq(c.vrf, "BLUE");
	ck_assert_int_eq(c.ident, IK_CLI_ID_ADDR);
	ck_assert_uint_eq(c.ident_addr, 0x0a010101u);
	ck_assert_int_eq(parse_ok("test isakmp peer 192.168.0.2 fqdn r2.example.com", &c),
			 IK_CMD_TEST_PEER);
	ck_assert_int_eq(c.ident, IK_CLI_ID_FQDN);
	ck_assert_str_eq(c.ident_name, "r2.example.com");
	ck_assert_int_eq(parse_ok("test isakmp peer 192.168.0.2 identity user-fqdn a@b", &c),
			 IK_CMD_TEST_PEER);
	ck_assert_int_eq(c.ident, IK_CLI_ID_USER_FQDN);
	/* local A: the exchange's local address (local-address, L2) */
	ck_assert_int_eq(parse_ok("test isakmp peer 192.168.0.2 vrf BLUE local 192.0.2.1 "
				  "identity 10.1.1.1", &c), IK_CMD_TEST_PEER);
	ck_assert_uint_eq(c.local, 0xc0000201u);
	ck_assert_uint_eq(c.ident_addr, 0x0a010101u);
	ck_assert_int_eq(parse_ok("tes isa pe 192.168.0.2 loc 192.0.2.1", &c), IK_CMD_TEST_PEER);
	ck_assert_uint_eq(c.local, 0xc0000201u);
	ck_assert_int_eq(parse_ok("test isakmp peer 192.168.0.2", &c), IK_CMD_TEST_PEER);
	ck_assert_uint_eq(c.local, 0);
	ck_assert_int_eq(parse_ok("clear crypto isakmp 1001", &c), IK_CMD_CLEAR_ISAKMP);
	ck_assert(c.has_conn_id);
	ck_assert_uint_eq(c.conn_id, 1001);
	ck_assert_int_eq(parse_ok("clear crypto isakmp", &c), IK_CMD_CLEAR_ISAKMP);
	ck_assert(!c.has_conn_id);
	ck_assert_int_eq(parse_ok("cle cry sess rem 192.168.0.2", &c), IK_CMD_CLEAR_SESSION);
	ck_assert(c.has_peer);
	ck_assert_int_eq(parse_ok("clear crypto sa peer 192.168.0.1", &c), IK_CMD_CLEAR_SA);
	ck_assert_uint_eq(c.peer, 0xc0a80001u);
	ck_assert_int_eq(parse_ok("initiate Tunnel1", &c), IK_CMD_INITIATE);
	ck_assert_str_eq(c.ifname, "Tunnel1");
}
END_TEST

START_TEST(errors)
{
	char *e;

	/* "isakmp p" is profile, policy and peers */
	e = parse_err("sh cry isa p");
	ck_assert_str_eq(e, "% Ambiguous command:  \"sh cry isa p\"\n");
	free(e);
	/* the marker goes under the first word that matches nothing */
	/* "te" is test and terminal */
	e = parse_err("te isa");
	ck_assert_str_eq(e, "% Ambiguous command:  \"te\"\n");
	free(e);
	e = parse_err("sh cry isa sx");
	ck_assert_str_eq(e, "sh cry isa sx\n           ^\n% Invalid input detected at '^' marker.\n");
	free(e);
	e = parse_err("show crypto bogus sa");
	ck_assert_str_eq(e, "show crypto bogus sa\n            ^\n"
			    "% Invalid input detected at '^' marker.\n");
	free(e);
	/* a bad address is invalid input at that word */
	e = parse_err("test isakmp peer 192.168.0");
	ck_assert_str_eq(e, "test isakmp peer 192.168.0\n                 ^\n"
			    "% Invalid input detected at '^' marker.\n");
	free(e);
	/* words after a complete command */
	e = parse_err("show running-config extra");
	ck_assert_str_eq(e, "show running-config extra\n                    ^\n"
			    "% Invalid input detected at '^' marker.\n");
	free(e);
	e = parse_err("show crypto isakmp");
	ck_assert_str_eq(e, "% Incomplete command.\n");
	free(e);
	e = parse_err("   ");
	ck_assert_str_eq(e, "% Incomplete command.\n");
	free(e);
	e = parse_err("clear crypto isakmp 0");
	ck_assert_ptr_nonnull(strstr(e, "% Invalid input"));
	free(e);
	e = parse_err("a b c d e f g h i j k l m n o p q r");
	ck_assert_ptr_nonnull(strstr(e, "% Invalid input"));
	free(e);
}
END_TEST

/* Runs line's filter over text; returns the output (malloc'd) or NULL with the
 * error in *err_out. */
static char *filtered(const char *line, const char *text, char *cmd, char **err_out)
{
	struct ik_filter f;
	struct ik_sb out, err;
	char *r = NULL;

	ik_sb_init(&out);
	ik_sb_init(&err);
	if (ik_filter_split(line, cmd, 128, &f, &err) == 0) {
		ik_filter_apply(&f, text, &out);
		r = strdup(ik_sb_str(&out));
		ik_filter_free(&f);
	} else if (err_out) {
		*err_out = strdup(ik_sb_str(&err));
	}
	ik_sb_free(&out);
	ik_sb_free(&err);
	return r;
}

#define FILTER_EQ(line, text, want)                                                     \
	do {                                                                            \
		char cmd_[128], *got_ = filtered(line, text, cmd_, NULL);               \
		ck_assert_ptr_nonnull(got_);                                            \
		ck_assert_str_eq(got_, want);                                           \
		free(got_);                                                             \
	} while (0)

static const char session_text[] =
	"Crypto session current status\n"
	"\n"
	"Interface: Tunnel1\n"
	"Profile: profile2\n"
	"Session status: UP-ACTIVE\n"
	"Peer: 198.51.100.2 port 500\n"
	"  IKEv1 SA: local 198.51.100.1/500 remote 198.51.100.2/500 Active\n"
	"  IPSEC FLOW: permit 47 host 198.51.100.1 host 198.51.100.2\n"
	"        Active SAs: 2, origin: crypto map\n"
	"\n"
	"Interface: Tunnel2\n"
	"Session status: DOWN-NEGOTIATING\n"
	"Peer: 203.0.113.9 port 500\n";

static const char running_text[] =
	"crypto keyring keyring1\n"
	"  pre-shared-key address 198.51.100.2 key cisco\n"
	"crypto isakmp profile profile2\n"
	"   keyring keyring2\n"
	"   match identity address 198.51.100.2 255.255.255.255\n"
	"!\n"
	"interface Tunnel1\n"
	" ip address 10.0.0.1 255.255.255.0\n"
	" tunnel protection ipsec profile profile1\n"
	"!\n";

/* | include, exclude, begin, section, count: IOS semantics, POSIX ERE, unique
 * abbreviations, the regular expression running to the end of the line. */
START_TEST(output_filters)
{
	char cmd[128], *err = NULL;

	FILTER_EQ("show crypto session | include Peer", session_text,
		  "Peer: 198.51.100.2 port 500\nPeer: 203.0.113.9 port 500\n");
	FILTER_EQ("sh cry sess | i ^Interface|status: UP", session_text,
		  "Interface: Tunnel1\nSession status: UP-ACTIVE\nInterface: Tunnel2\n");
	FILTER_EQ("sh cry sess | inc Peer: 203", session_text, "Peer: 203.0.113.9 port 500\n");
	FILTER_EQ("sh cry sess | exclude ^ |^$|Peer", session_text,
		  "Crypto session current status\nInterface: Tunnel1\nProfile: profile2\n"
		  "Session status: UP-ACTIVE\nInterface: Tunnel2\n"
		  "Session status: DOWN-NEGOTIATING\n");
	FILTER_EQ("sh cry sess | begin Tunnel2", session_text,
		  "Interface: Tunnel2\nSession status: DOWN-NEGOTIATING\n"
		  "Peer: 203.0.113.9 port 500\n");
	FILTER_EQ("show running-config | section isakmp profile", running_text,
		  "crypto isakmp profile profile2\n   keyring keyring2\n"
		  "   match identity address 198.51.100.2 255.255.255.255\n");
	FILTER_EQ("show running-config | s ^interface", running_text,
		  "interface Tunnel1\n ip address 10.0.0.1 255.255.255.0\n"
		  " tunnel protection ipsec profile profile1\n");
	/* an indented line that matches brings its own children only */
	FILTER_EQ("show running-config | section keyring", running_text,
		  "crypto keyring keyring1\n  pre-shared-key address 198.51.100.2 key cisco\n"
		  "   keyring keyring2\n");
	FILTER_EQ("sh cry sess | count Peer", session_text,
		  "Number of lines which match regexp = 2\n");
	FILTER_EQ("show crypto session", session_text, session_text);
	free(filtered("show crypto session   | include x", "", cmd, NULL));
	ck_assert_str_eq(cmd, "show crypto session");
	/* errors */
	ck_assert_ptr_null(filtered("sh cry sess | e", session_text, cmd, &err));
	ck_assert_ptr_nonnull(strstr(err, "Incomplete"));
	free(err);
	ck_assert_ptr_null(filtered("sh cry sess | grep x", session_text, cmd, &err));
	ck_assert_ptr_nonnull(strstr(err, "Invalid output filter 'grep'"));
	free(err);
	ck_assert_ptr_null(filtered("sh cry sess |", session_text, cmd, &err));
	ck_assert_ptr_nonnull(strstr(err, "Incomplete"));
	free(err);
	ck_assert_ptr_null(filtered("sh cry sess | include (", session_text, cmd, &err));
	ck_assert_ptr_nonnull(strstr(err, "Invalid regular expression \"(\""));
	free(err);
}
END_TEST

START_TEST(frames)
{
	struct ik_ctl_request *req = malloc(sizeof(*req));
	struct ik_sb sb;
	char err[128];
	long n;

	ik_sb_init(&sb);
	ik_ctl_request_encode(&sb, true, "sh run");
	ck_assert_uint_eq(sb.len, 4 + 1 + 6);
	ck_assert_int_eq(ik_ctl_frame_check((const uint8_t *)sb.s, 3, IK_CTL_MAX_REQ, err,
					    sizeof(err)), 0);
	ck_assert_int_eq(ik_ctl_frame_check((const uint8_t *)sb.s, 10, IK_CTL_MAX_REQ, err,
					    sizeof(err)), 0);
	n = ik_ctl_frame_check((const uint8_t *)sb.s, sb.len, IK_CTL_MAX_REQ, err, sizeof(err));
	ck_assert_int_eq(n, 11);
	ck_assert_int_eq(ik_ctl_request_decode((const uint8_t *)sb.s + 4, 7, req, err,
					       sizeof(err)), 0);
	ck_assert(req->json);
	ck_assert_str_eq(req->text, "sh run");

	/* over-long frame refused from its header alone */
	uint8_t big[4] = { 0, 1, 0, 1 };
	ck_assert_int_eq(ik_ctl_frame_check(big, 4, IK_CTL_MAX_REQ, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "frame length 65537 over the limit of 65536 bytes");
	/* bad payloads */
	ck_assert_int_eq(ik_ctl_request_decode((const uint8_t *)"\0", 1, req, err, sizeof(err)),
			 -1);
	ck_assert_int_eq(ik_ctl_request_decode((const uint8_t *)"\x04x", 2, req, err,
					       sizeof(err)), -1);
	ck_assert_str_eq(err, "unknown request flags 0x04");
	ck_assert_int_eq(ik_ctl_request_decode((const uint8_t *)"\0sh\0run", 7, req, err,
					       sizeof(err)), -1);
	ck_assert_str_eq(err, "byte 0x00 at offset 2 of the command is not printable text");
	ik_sb_free(&sb);
	free(req);
}
END_TEST


static char *help_of(const char *line, int want_rc)
{
	struct ik_sb out;

	ik_sb_init(&out);
	ck_assert_int_eq(ik_cli_help(line, &out), want_rc);
	char *r = strdup(ik_sb_str(&out));
	ik_sb_free(&out);
	return r;
}

static char *complete_of(const char *line, int want_rc)
{
	struct ik_sb out;

	ik_sb_init(&out);
	ck_assert_int_eq(ik_cli_complete(line, &out), want_rc);
	char *r = strdup(ik_sb_str(&out));
	ik_sb_free(&out);
	return r;
}

START_TEST(help_next_words)
{
	char *h = help_of("show crypto isakmp ", 0);

	ck_assert_str_eq(h, "  default  Show ISAKMP default settings\n"
			    "  key      Show ISAKMP preshared keys\n"
			    "  peers    Show ISAKMP peer structures\n"
			    "  policy   Show ISAKMP protection suite policy\n"
			    "  profile  Show ISAKMP profiles\n"
			    "  sa       Show ISAKMP Security Associations\n"
			    "  stats    Show ISAKMP statistics\n");
	free(h);
	/* abbreviations select the same place; a complete command adds <cr> */
	h = help_of("sh cry isa sa ", 0);
	ck_assert_str_eq(h, "  detail  Show ISAKMP SA detail\n"
			    "  keys    Decryption keys for Wireshark (secret!)\n  <cr>\n");
	free(h);
	/* arguments: their form and help, after the keywords */
	h = help_of("test isakmp peer ", 0);
	ck_assert_str_eq(h, "  A.B.C.D  Peer IP address\n");
	free(h);
	h = help_of("clear crypto isakmp ", 0);
	ck_assert_str_eq(h, "  <1-4294967295>  Connection id (show crypto isakmp sa detail)\n"
			    "  <cr>\n");
	free(h);
	/* the first word: every command's first keyword */
	h = help_of("", 0);
	ck_assert_ptr_nonnull(strstr(h, "  show      Show running system information\n"));
	ck_assert_ptr_nonnull(strstr(h, "  terminal  Set terminal line parameters\n"));
	ck_assert_ptr_null(strstr(h, "<cr>"));
	free(h);
}
END_TEST

START_TEST(help_partial_word)
{
	char *h = help_of("show cry", 0);

	ck_assert_str_eq(h, "crypto\n");
	free(h);
	h = help_of("show crypto isakmp p", 0);
	ck_assert_str_eq(h, "peers  policy  profile\n");
	free(h);
	h = help_of("SH CRY I", 0);
	ck_assert_str_eq(h, "ikev2  ipsec  isakmp\n");
	free(h);
	h = help_of("show xyz", -1);
	ck_assert_str_eq(h, "% Unrecognized command\n");
	free(h);
	/* a bad word before the '?' is marked as a command would be */
	h = help_of("show foo ", -1);
	ck_assert_str_eq(h, "show foo \n     ^\n% Invalid input detected at '^' marker.\n");
	free(h);
	h = help_of("te ", -1);
	ck_assert_str_eq(h, "% Ambiguous command:  \"te\"\n");
	free(h);
}
END_TEST

START_TEST(every_keyword_has_help)
{
	struct ik_sb out;

	ik_sb_init(&out);
	ck_assert_msg(!ik_cli_help_missing(&out),
		      "keywords of the command table without help (add them to keyword_help "
		      "in src/ctl/cli.c):\n%s", ik_sb_str(&out));
	ik_sb_free(&out);
	ck_assert_ptr_null(ik_cli_keyword_help("show crypto nothing"));
	/* suffix entries: the options of test ikev2 peer in any place */
	ck_assert_str_eq(ik_cli_keyword_help("test ikev2 peer <peer> vrf <vrf> identity fqdn"),
			 "Identity as a fully qualified domain name");
	ck_assert_ptr_null(ik_cli_keyword_help("identity"));
}
END_TEST

START_TEST(completion)
{
	char *c = complete_of("sh cry ", 0);

	ck_assert_str_eq(c, "authorization\ndebug-condition\nengine\nikev2\nipsec\nisakmp\n"
			 "map\npki\nroute\nsession\n");
	free(c);
	c = complete_of("show crypto isakmp p", 0);
	ck_assert_str_eq(c, "peers\npolicy\nprofile\n");
	free(c);
	c = complete_of("te", 0);
	ck_assert_str_eq(c, "terminal\ntest\n");
	free(c);
	/* arguments are not completed; keywords after them are */
	c = complete_of("test isakmp peer ", 0);
	ck_assert_str_eq(c, "");
	free(c);
	c = complete_of("test isakmp peer 192.0.2.1 v", 0);
	ck_assert_str_eq(c, "vrf\n");
	free(c);
	c = complete_of("show bogus ", -1);
	free(c);
	c = complete_of("show crypto isakmp sa detail ", 0);
	ck_assert_str_eq(c, "");
	free(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ctl");
	TCase *tc = tcase_create("cli");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, full_and_abbreviated);
	tcase_add_test(tc, debug_categories);
	tcase_add_test(tc, peers_and_lists);
	tcase_add_test(tc, arguments);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, frames);
	tcase_add_test(tc, help_next_words);
	tcase_add_test(tc, help_partial_word);
	tcase_add_test(tc, every_keyword_has_help);
	tcase_add_test(tc, completion);
	tcase_add_test(tc, output_filters);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
