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
	ck_assert_int_eq(parse_ok("term mon", &c), IK_CMD_TERMINAL_MONITOR);
	ck_assert_int_eq(parse_ok("term no mon", &c), IK_CMD_TERMINAL_NO_MONITOR);
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

int main(void)
{
	Suite *s = suite_create("ctl");
	TCase *tc = tcase_create("cli");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, full_and_abbreviated);
	tcase_add_test(tc, debug_categories);
	tcase_add_test(tc, arguments);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, frames);
	tcase_add_test(tc, output_filters);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
