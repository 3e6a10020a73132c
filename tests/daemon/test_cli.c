/* Unit tests of the control command language (src/ctl/cli.c) and of the
 * request framing (src/ctl/proto.c). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/cli.h"
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
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
