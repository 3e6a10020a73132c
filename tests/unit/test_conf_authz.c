/* The authorization list configuration: crypto isakmp authorization list
 * NAME with its peer lines, `authorization list NAME` in isakmp and ikev2
 * profiles, errors that name file:line:column, show running-config round
 * trip, the lookup index built with the snapshot (a real key checked through
 * it), and show crypto authorization list. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/model.h"
#include "daemon/show_conf.h"
#include "pki/authlist.h"
#include "pki/keyhash.h"
#include "pki/pki.h"
#include "profile/snapshot.h"
#include "profile/v2_select.h"
#include "util/addr.h"
#include "util/log.h"
#include "util/strbuf.h"

#define H256 "6ab919e2c1f2a34b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3"
#define H1 "0011223344556677889900112233445566778899"

static const char *const text =
	"crypto isakmp authorization list PINS\n"
	" description branch routers\n"
	" peer fqdn r1.example.com key-hash sha256 " H256 "\n"
	" peer address 2001:db8::1 key-hash sha1 00:11:22:33:44:55:66:77:88:99:00:11:22:33:44:"
	"55:66:77:88:99\n"
	" peer address 192.0.2.1 key-hash SHA256 " H256 "\n"
	" peer email ops@example.com key-hash sha1 " H1 "\n"
	" peer dn \"cn=r2.example.com, o=Example\" key-hash sha1 " H1 "\n"
	" peer any key-hash sha256 AB19E2C1F2A34B5C6D7E8F90A1B2C3D4"
	"E5F60718293A4B5C6D7E8F90A1B2C3FF\n"
	" raw-public-key accept\n"
	"crypto isakmp profile P1\n"
	" match identity host r1.example.com\n"
	" authorization list PINS\n"
	"crypto ikev2 profile V2\n"
	" match identity remote fqdn r1.example.com\n"
	" authorization list PINS\n";

static struct ik_config *load(const char *t)
{
	struct ik_conf_error err;
	struct ik_config *cfg = ik_snapshot_load_string(t, "a.conf", &err);
	char buf[2048];

	if (!cfg) {
		ik_conf_error_format(&err, buf, sizeof(buf));
		ck_abort_msg("unexpected parse error:\n%s", buf);
	}
	return cfg;
}

START_TEST(list_fields)
{
	struct ik_config *cfg = load(text);
	const struct ik_authlist *l = ik_config_find_authlist(cfg, "PINS");
	char a[IK_ADDR_ANYSTRLEN];

	ck_assert_ptr_nonnull(l);
	ck_assert_uint_eq(cfg->nauthlists, 1);
	ck_assert_str_eq(l->description, "branch routers");
	ck_assert(l->raw_keys);
	ck_assert_int_eq(l->line, 1);
	ck_assert_uint_eq(l->npeers, 6);
	ck_assert_int_eq(l->peers[0].kind, IK_AUTHL_FQDN);
	ck_assert_str_eq(l->peers[0].value, "r1.example.com");
	ck_assert_int_eq(l->peers[0].alg, IK_AUTHL_SHA256);
	ck_assert_uint_eq(l->peers[0].hash[0], 0x6a);
	ck_assert_uint_eq(l->peers[0].hash[31], 0xc3);
	ck_assert_int_eq(l->peers[0].line, 3);
	ck_assert_int_eq(l->peers[1].kind, IK_AUTHL_ADDRESS);
	ck_assert_int_eq(l->peers[1].addr.family, IK_AF_INET6);
	ck_assert_str_eq(ik_addr_fmt_any(&l->peers[1].addr, a), "2001:db8::1");
	ck_assert_int_eq(l->peers[1].alg, IK_AUTHL_SHA1);
	ck_assert_uint_eq(l->peers[1].hash[19], 0x99);
	ck_assert_int_eq(l->peers[2].addr.family, IK_AF_INET4);
	ck_assert_uint_eq(l->peers[2].addr.v4, 0xc0000201u);
	ck_assert_int_eq(l->peers[3].kind, IK_AUTHL_EMAIL);
	ck_assert_int_eq(l->peers[4].kind, IK_AUTHL_DN);
	ck_assert_str_eq(l->peers[4].value, "cn=r2.example.com, o=Example");
	ck_assert_int_eq(l->peers[5].kind, IK_AUTHL_ANY);
	ck_assert_uint_eq(l->peers[5].hash[31], 0xff);
	ck_assert_ptr_eq(cfg->profiles[0]->authz, l);
	ck_assert_int_eq(cfg->profiles[0]->authz_line, 12);
	ck_assert_ptr_eq(cfg->v2_profiles[0]->authz, l);
	ck_assert_ptr_nonnull(l->index);
	ck_assert(ik_authz_raw_keys(l->index));
	ck_assert_str_eq(ik_authz_name(l->index), "PINS");
	ik_config_unref(cfg);
}
END_TEST

/* show running-config prints the list back; that text parses into the same. */
START_TEST(print_round_trip)
{
	struct ik_config *cfg = load(text), *again;
	struct ik_sb one, two;
	const char *s;

	ik_sb_init(&one);
	ik_sb_init(&two);
	ik_config_print(cfg, &one);
	s = ik_sb_str(&one);
	ck_assert_msg(strstr(s, "!\ncrypto isakmp authorization list PINS\n"
			     " description branch routers\n"
			     " peer fqdn r1.example.com key-hash sha256 " H256 "\n"
			     " peer address 2001:db8::1 key-hash sha1 " H1 "\n"), "%s", s);
	ck_assert_msg(strstr(s, " peer dn \"cn=r2.example.com, o=Example\" key-hash sha1 " H1
			     "\n peer any key-hash sha256 ab19e2c1"), "%s", s);
	ck_assert_msg(strstr(s, " raw-public-key accept\n"), "%s", s);
	ck_assert_msg(strstr(s, "   authorization list PINS\n"), "%s", s);
	ck_assert_msg(strstr(s, "\n authorization list PINS\n"), "%s", s);
	again = load(s);
	ik_config_print(again, &two);
	ck_assert_str_eq(s, ik_sb_str(&two));
	ik_config_unref(again);
	ik_config_unref(cfg);
	ik_sb_free(&one);
	ik_sb_free(&two);
}
END_TEST

struct err_case {
	const char *text;
	int line, col;
	const char *msg;
};

static const struct err_case err_cases[] = {
	{ "crypto isakmp authorization list L\n peer fqdn a key-hash sha256 12zz\n", 2, 30,
	  "key hash '12zz' is not hexadecimal (at character 3)" },
	{ "crypto isakmp authorization list L\n peer fqdn a key-hash sha256 " H1 "\n", 2, 30,
	  "a sha256 key hash has 32 bytes (64 hex digits), not 20" },
	{ "crypto isakmp authorization list L\n peer fqdn a key-hash sha1 " H256 "\n", 2, 28,
	  "a sha1 key hash has 20 bytes (40 hex digits), not more than 20" },
	{ "crypto isakmp authorization list L\n peer fqdn a key-hash sha1 " H1 "0\n", 2, 28,
	  "is not hexadecimal" },
	{ "crypto isakmp authorization list L\n peer fqdn a key-hash md5 00\n", 2, 23,
	  "unknown key hash 'md5' (sha256, sha1)" },
	{ "crypto isakmp authorization list L\n peer host a key-hash sha1 " H1 "\n", 2, 7,
	  "unknown identity type 'host'" },
	{ "crypto isakmp authorization list L\n peer address 192.0.2.300 key-hash sha1 " H1
	  "\n", 2, 15, "'192.0.2.300' is not a valid IPv4 or IPv6 address" },
	{ "crypto isakmp authorization list L\n peer email ops key-hash sha1 " H1 "\n", 2, 13,
	  "not an e-mail address" },
	{ "crypto isakmp authorization list L\n peer dn \"cn=x key-hash sha1 " H1 "\n", 2, 10,
	  "no closing" },
	{ "crypto isakmp authorization list L\n peer fqdn a sha1 " H1 "\n", 2, 14,
	  "'key-hash' expected, not 'sha1'" },
	{ "crypto isakmp authorization list L\n peer fqdn a key-hash sha1\n", 2, 0,
	  "key hash in hex" },
	{ "crypto isakmp authorization list L\n raw-public-key\n", 2, 0, "'accept' expected" },
	{ "crypto isakmp authorization list L\n bogus\n", 2, 2,
	  "unknown command 'bogus' in crypto isakmp authorization list L" },
	{ "crypto isakmp profile P\n authorization list NOPE\n", 2, 21,
	  "unknown authorization list 'NOPE' in isakmp profile P" },
	{ "crypto ikev2 profile V\n authorization list NOPE\n", 2, 21,
	  "unknown authorization list 'NOPE' in ikev2 profile V" },
	{ "crypto isakmp profile P\n authorization NOPE\n", 2, 16, "'list' expected" },
	{ "crypto isakmp authorization foo\n", 1, 29, "'list' expected" },
	/* L abbreviates list, as on a router: then the name is missing */
	{ "crypto isakmp authorization L\n", 1, 0, "list name expected" },
};

START_TEST(error_cases)
{
	const struct err_case *ec = &err_cases[_i];
	struct ik_conf_error err;
	struct ik_config *cfg = ik_config_load_string(ec->text, "e.conf", &err);
	char buf[2048];

	ik_conf_error_format(&err, buf, sizeof(buf));
	ck_assert_msg(cfg == NULL, "case %d parsed:\n%s", _i, ec->text);
	ck_assert_str_eq(err.file, "e.conf");
	ck_assert_msg(err.line == ec->line && (!ec->col || err.col == ec->col),
		      "case %d: got %d:%d, want %d:%d\n%s", _i, err.line, err.col, ec->line,
		      ec->col, buf);
	ck_assert_msg(strstr(err.msg, ec->msg), "case %d: message '%s' lacks '%s'", _i, err.msg,
		      ec->msg);
}
END_TEST

/* Abbreviations as on a router, the same line twice kept once, a list
 * defined after the profile that names it. */
START_TEST(abbreviations_and_order)
{
	struct ik_config *cfg = load("crypto isakmp profile P\n"
				     " authorization list L\n"
				     "cry isa author list L\n"
				     " pe fq r1.example.com key sha1 " H1 "\n"
				     " peer fqdn r1.example.com key-hash sha1 " H1 "\n"
				     " raw accept\n");
	const struct ik_authlist *l = ik_config_find_authlist(cfg, "L");

	ck_assert_ptr_nonnull(l);
	ck_assert_uint_eq(l->npeers, 1);
	ck_assert(l->raw_keys);
	ck_assert_ptr_eq(cfg->profiles[0]->authz, l);
	ik_config_unref(cfg);
}
END_TEST

/* The list built with the snapshot refuses and accepts keys as configured:
 * the hash of a real certificate's key, pinned to r1.example.com. */
START_TEST(index_checks_real_key)
{
	char err[256], ht[80], *conf;
	EVP_PKEY *pk = ik_pki_load_pubkey_file(TOP_SRCDIR
					       "/tests/fuzz/corpus/pki/rsa-selfsigned.pem", err,
					       sizeof(err));
	struct ik_authz_id r1 = { IK_AUTHZ_FQDN, { .v4 = 0 }, "r1.example.com" };
	struct ik_authz_id r2 = { IK_AUTHZ_FQDN, { .v4 = 0 }, "r2.example.com" };
	struct ik_authz_id a6 = { IK_AUTHZ_ADDRESS, { .v4 = 0 }, NULL };
	struct ik_log_capture cap = { 0 };
	struct ik_log log = { .debug_mask = IK_DBG_ISAKMP_AAA, .sink = ik_log_capture_sink,
			      .ctx = &cap };
	struct ik_config *cfg;
	const struct ik_authz_list *l;
	size_t n;

	ck_assert_msg(pk != NULL, "%s", err);
	ik_pki_key_hash_text(pk, IK_PKI_SHA256, ht, sizeof(ht));
	n = strlen(ht) + 400;
	conf = malloc(n);
	snprintf(conf, n, "crypto isakmp authorization list L\n"
		 " peer fqdn r1.example.com key-hash %s\n"
		 " peer address 2001:db8::5 key-hash %s\n"
		 " peer fqdn r2.example.com key-hash sha256 " H256 "\n"
		 "crypto isakmp profile P\n match identity host r1.example.com\n"
		 " authorization list L\n", ht, ht);
	cfg = load(conf);
	l = cfg->profiles[0]->authz->index;
	ck_assert_int_eq(ik_authz_check(l, &r1, pk, "192.0.2.1", &log), IK_AUTHZ_OK);
	ck_assert_int_eq(ik_authz_check(l, &r2, pk, "192.0.2.2", &log), IK_AUTHZ_KEY_MISMATCH);
	ck_assert_int_ge(ik_log_capture_find(&cap, 0, "Peer Not Validated against the AuthList L: "
					     "fqdn r2.example.com presented key sha256 "), 0);
	ck_assert_int_eq(ik_addr_parse_any("2001:db8::5", &a6.addr), 0);
	ck_assert_int_eq(ik_authz_check(l, &a6, pk, "2001:db8::5", &log), IK_AUTHZ_OK);
	ck_assert_int_eq(ik_addr_parse_any("2001:db8::6", &a6.addr), 0);
	ck_assert_int_eq(ik_authz_check(l, &a6, pk, "2001:db8::6", &log), IK_AUTHZ_NO_ENTRY);
	ck_assert(!ik_authz_raw_keys(l));
	ik_config_unref(cfg);
	ik_log_capture_clear(&cap);
	free(conf);
	EVP_PKEY_free(pk);
}
END_TEST

START_TEST(show_list)
{
	struct ik_config *cfg = load(text);
	struct ik_sb out;
	const char *s;

	ik_sb_init(&out);
	ck_assert_int_eq(ik_show_authz_list(cfg, NULL, false, &out), 0);
	s = ik_sb_str(&out);
	ck_assert_msg(strstr(s, "Authorization list PINS (line 1), 6 entries, raw public keys "
			     "accepted when pinned\n Description: branch routers\n"
			     " Used by: isakmp profile P1, ikev2 profile V2\n"
			     "  peer fqdn r1.example.com key-hash sha256 " H256 "   (line 3)\n"),
		      "%s", s);
	ik_sb_reset(&out);
	ck_assert_int_eq(ik_show_authz_list(cfg, "PINS", true, &out), 0);
	s = ik_sb_str(&out);
	ck_assert_msg(strstr(s, "{\"authorization_lists\":[{\"name\":\"PINS\",\"line\":1,"
			     "\"raw_public_keys\":true,\"description\":\"branch routers\","
			     "\"used_by\":[{\"isakmp_profile\":\"P1\"},{\"ikev2_profile\":\"V2\"}],"
			     "\"entries\":[{\"identity\":\"fqdn\",\"value\":\"r1.example.com\","
			     "\"hash\":\"sha256\",\"key_hash\":\"" H256 "\",\"line\":3}"), "%s", s);
	ik_sb_reset(&out);
	ik_show_isakmp_profile(cfg, false, &out);
	ck_assert_msg(strstr(ik_sb_str(&out), "   trustpoint(s): <all>\n"
			     "   authorization list: PINS\n"), "%s", ik_sb_str(&out));
	ik_sb_reset(&out);
	ik_show_isakmp_profile(cfg, true, &out);
	ck_assert_msg(strstr(ik_sb_str(&out), ",\"authorization_list\":\"PINS\"}"), "%s",
		      ik_sb_str(&out));
	ik_sb_reset(&out);
	ik_v2_show_profile(cfg, false, &out);
	ck_assert_msg(strstr(ik_sb_str(&out), " Authorization list: PINS\n"), "%s",
		      ik_sb_str(&out));
	ik_sb_reset(&out);
	ik_v2_show_profile(cfg, true, &out);
	ck_assert_msg(strstr(ik_sb_str(&out), "\"authorization_list\":\"PINS\""), "%s",
		      ik_sb_str(&out));
	ik_sb_reset(&out);
	ck_assert_int_eq(ik_show_authz_list(cfg, "NOPE", false, &out), -1);
	ck_assert_str_eq(ik_sb_str(&out), "% Authorization list NOPE is not configured\n");
	ik_sb_free(&out);
	ik_config_unref(cfg);
}
END_TEST

/* ikerctl key-hash: the lines for a certificate name its subject and its
 * subjectAltNames; pasted into a list, they parse and the index accepts the
 * certificate's key for those identities (and no other key). */
START_TEST(key_hash_lines_paste)
{
	const char *pem = TOP_SRCDIR "/tests/fuzz/corpus/pki/rsa-selfsigned.pem";
	struct ik_authlist_peer id = { .kind = IK_AUTHL_EMAIL, .value = "noc@example.com" };
	struct ik_authz_id r1 = { IK_AUTHZ_FQDN, { .v4 = 0 }, "r1.example.com" };
	struct ik_authz_id dn = { IK_AUTHZ_DN, { .v4 = 0 }, "o=Example,cn=r1.example.com" };
	struct ik_log log = { 0 };
	struct ik_sb lines, conf;
	char err[256];
	bool any;
	struct ik_config *cfg;
	EVP_PKEY *pk = ik_pki_load_pubkey_file(pem, err, sizeof(err)), *other;
	const struct ik_authz_list *l;

	ck_assert_msg(pk != NULL, "%s", err);
	ik_sb_init(&lines);
	ik_sb_init(&conf);
	ck_assert_int_eq(ik_keyhash_lines(pem, IK_AUTHL_SHA256, NULL, &lines, &any, err,
					  sizeof(err)), 4);
	ck_assert(!any);
	ck_assert_msg(!strncmp(ik_sb_str(&lines), "peer dn \"o=Example,cn=r1.example.com\" "
			       "key-hash sha256 5dcf621b105c59c1", 60), "%s", ik_sb_str(&lines));
	ck_assert_msg(strstr(ik_sb_str(&lines), "\npeer fqdn r1.example.com key-hash sha256 "
			     "5dcf621b105c59c14e0cdb0c0765f7299fff578645102e4a4b303fd448bcbb79\n"
			     "peer address 192.0.2.1 key-hash sha256 "), "%s", ik_sb_str(&lines));
	ck_assert_int_eq(ik_keyhash_lines(pem, IK_AUTHL_SHA1, &id, &lines, &any, err,
					  sizeof(err)), 1);
	ck_assert_msg(strstr(ik_sb_str(&lines), "\npeer email noc@example.com key-hash sha1 "
			     "1dcf09517ec24e51ca2478d21387f1c92b528995\n"), "%s",
		      ik_sb_str(&lines));
	ik_sb_add(&conf, "crypto isakmp authorization list L\n");
	for (const char *p = ik_sb_str(&lines), *nl; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		ik_sb_add(&conf, " ");
		ik_sb_addn(&conf, p, (size_t)(nl - p) + 1);
	}
	cfg = load(ik_sb_str(&conf));
	l = ik_config_find_authlist(cfg, "L")->index;
	ck_assert_uint_eq(ik_config_find_authlist(cfg, "L")->npeers, 5);
	ck_assert_int_eq(ik_authz_check(l, &r1, pk, "192.0.2.1", &log), IK_AUTHZ_OK);
	ck_assert_int_eq(ik_authz_check(l, &dn, pk, "192.0.2.1", &log), IK_AUTHZ_OK);
	other = ik_pki_load_pubkey_file(TOP_SRCDIR "/tests/fuzz/corpus/pki/ecdsa-ca.der", err,
					sizeof(err));
	ck_assert_msg(other != NULL, "%s", err);
	ck_assert_int_eq(ik_authz_check(l, &r1, other, "192.0.2.1", &log), IK_AUTHZ_KEY_MISMATCH);
	ck_assert_int_eq(ik_keyhash_lines("/nonexistent.pem", IK_AUTHL_SHA1, NULL, &lines, &any,
					  err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "/nonexistent.pem"), "%s", err);
	EVP_PKEY_free(other);
	EVP_PKEY_free(pk);
	ik_config_unref(cfg);
	ik_sb_free(&lines);
	ik_sb_free(&conf);
}
END_TEST

static Suite *authz_suite(void)
{
	Suite *s = suite_create("conf_authz");
	TCase *tc = tcase_create("authz");

	tcase_add_test(tc, list_fields);
	tcase_add_test(tc, print_round_trip);
	tcase_add_loop_test(tc, error_cases, 0, (int)(sizeof(err_cases) / sizeof(err_cases[0])));
	tcase_add_test(tc, abbreviations_and_order);
	tcase_add_test(tc, index_checks_real_key);
	tcase_add_test(tc, show_list);
	tcase_add_test(tc, key_hash_lines_paste);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(authz_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
