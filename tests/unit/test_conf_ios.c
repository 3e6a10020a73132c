/* The configuration language as a router reads it: every error of a file in
 * one run, the global crypto commands of real configurations (with their
 * show running-config round trip), IOS abbreviations and interface names,
 * vrf definition, and match identity host domain (P1 of
 * doc/selection-rules.md). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/model.h"
#include "profile/profile.h"
#include "profile/snapshot.h"
#include "util/addr.h"
#include "util/secmem.h"
#include "util/strbuf.h"

static uint32_t ip(const char *s)
{
	uint32_t a = 0;

	ck_assert_int_eq(ik_addr_parse(s, &a), 0);
	return a;
}

static struct ik_config *load_ok(const char *text)
{
	struct ik_conf_error err;
	struct ik_config *cfg = ik_snapshot_load_string(text, "t.conf", &err);
	struct ik_sb sb;

	if (!cfg) {
		ik_sb_init(&sb);
		ik_conf_error_format_all(&err, &sb);
		ck_abort_msg("unexpected parse error:\n%s", ik_sb_str(&sb));
	}
	return cfg;
}

/* The formatted errors of a file that must not load. */
static char *load_err(const char *text, struct ik_conf_error *err)
{
	struct ik_config *cfg = ik_config_load_string(text, "t.conf", err);
	struct ik_sb sb;
	char *s;

	ck_assert_msg(cfg == NULL, "parsed: %s", text);
	ik_sb_init(&sb);
	ik_conf_error_format_all(err, &sb);
	s = strdup(ik_sb_str(&sb));
	ik_sb_free(&sb);
	return s;
}

/* print, parse the print, print again: the same text; returns the print. */
static char *round_trip(const struct ik_config *cfg)
{
	struct ik_sb one, two;
	struct ik_conf_error err;
	struct ik_config *again;
	char *s;

	ik_sb_init(&one);
	ik_sb_init(&two);
	ik_config_print(cfg, &one);
	again = ik_config_load_string(ik_sb_str(&one), "print", &err);
	ck_assert_msg(again != NULL, "print does not parse: %d: %s\n%s", err.line, err.msg,
		      ik_sb_str(&one));
	ik_config_print(again, &two);
	ck_assert_str_eq(ik_sb_str(&one), ik_sb_str(&two));
	ik_config_unref(again);
	s = strdup(ik_sb_str(&one));
	ik_sb_free(&one);
	ik_sb_free(&two);
	return s;
}

static bool warned(const struct ik_config *cfg, int line, const char *text)
{
	for (size_t i = 0; i < cfg->nwarnings; i++)
		if (cfg->warnings[i].line == line && strstr(cfg->warnings[i].msg, text))
			return true;
	return false;
}

/* Every error of a file in one run, each with its place; the file is
 * rejected as a whole. */
START_TEST(every_error_reported)
{
	struct ik_conf_error err;
	char *s = load_err("crypto isakmp policy 10\n"
			   " group banana\n"
			   " hash md6\n"
			   "crypto keyring A\n"
			   "  pre-shared-key address 10.0.0.1 key k\n"
			   "crypto isakmp profile P\n"
			   "   keyring NOPE\n"
			   "crypto frobnicate\n"
			   "crypto map M 10 ipsec-manual\n"
			   " set peer 10.0.0.1\n"
			   " match address 101\n"
			   "crypto ipsec transform-set T esp-blowfish\n", &err);

	ck_assert_uint_eq(err.nerrors, 6);
	ck_assert_int_eq(err.line, 2);
	ck_assert_msg(strstr(s, "t.conf:2:8: group must be a number"), "%s", s);
	ck_assert_msg(strstr(s, "t.conf:3:7: unknown hash 'md6'"), "%s", s);
	ck_assert_msg(strstr(s, "t.conf:8:8: unknown command 'crypto frobnicate'"), "%s", s);
	/* a crypto map entry of a type ikerd does not run is reported, not
	 * dropped, and its block is skipped */
	ck_assert_msg(strstr(s, "t.conf:9:17: crypto map entries of type ipsec-manual are not "
			     "supported: use ipsec-isakmp"), "%s", s);
	ck_assert_msg(!strstr(s, "t.conf:10:") && !strstr(s, "t.conf:11:"), "%s", s);
	ck_assert_msg(strstr(s, "t.conf:12:30: unknown transform 'esp-blowfish'"), "%s", s);
	ck_assert_msg(strstr(s, "t.conf:7:12: unknown keyring 'NOPE'"), "%s", s);
	ck_assert_msg(strstr(s, "t.conf: 6 errors; the file is rejected\n"), "%s", s);
	free(s);
}
END_TEST

/* A sane cap: 50 errors, then reading stops. */
START_TEST(errors_capped)
{
	struct ik_conf_error err;
	struct ik_sb text;
	char *s;

	ik_sb_init(&text);
	for (int i = 0; i < 200; i++)
		ik_sb_printf(&text, "crypto bogus%d\n", i);
	s = load_err(ik_sb_str(&text), &err);
	ck_assert_uint_eq(err.nerrors, IK_CONF_MAX_ERRORS);
	ck_assert_uint_eq(err.nmore, IK_CONF_MAX_ERRORS - 1);
	ck_assert_int_eq(err.more[IK_CONF_MAX_ERRORS - 2].line, IK_CONF_MAX_ERRORS);
	ck_assert_msg(strstr(s, "t.conf: 50 errors, reading stopped there; the file is "
			     "rejected\n"), "%s", s);
	free(s);
	ik_sb_free(&text);
}
END_TEST

/* The global crypto commands of real configurations: parsed with their IOS
 * meaning, a warning for those ikerd cannot honour, and printed back. */
START_TEST(global_crypto_commands)
{
	struct ik_config *cfg = load_ok(
		"crypto isakmp aggressive-mode disable\n"           /* 1 */
		"crypto isakmp invalid-spi-recovery\n"              /* 2 */
		"crypto isakmp nat-traversal 20\n"                  /* 3 */
		"crypto isakmp fragmentation\n"                     /* 4 */
		"crypto ipsec df-bit clear\n"                       /* 5 */
		"crypto ipsec security-association replay window-size 128\n" /* 6 */
		"crypto ipsec security-association replay disable\n" /* 7 */
		"crypto ipsec security-association idle-time 600\n" /* 8 */
		"crypto logging session\n"                          /* 9 */
		"crypto ipsec transform-set T esp-aes esp-sha-hmac\n"
		" mode transport require\n"
		"crypto ipsec profile I\n"
		" set transform-set T\n"
		" set pfs\n"
		"interface Tunnel1\n"
		" no keepalive\n"
		" tunnel source 192.0.2.1\n");
	char *print;

	ck_assert(cfg->aggressive_mode_disable);
	ck_assert(cfg->invalid_spi_recovery);
	ck_assert_uint_eq(cfg->nat_keepalive, 20);
	ck_assert(cfg->isakmp_fragmentation);
	ck_assert_int_eq(cfg->df_bit, IK_DF_CLEAR);
	ck_assert_uint_eq(cfg->replay_window, 128);
	ck_assert(cfg->replay_disable);
	ck_assert_uint_eq(cfg->sa_idle_time, 600);
	ck_assert(cfg->logging_session);
	ck_assert(cfg->tsets[0]->mode == IK_MODE_TRANSPORT && cfg->tsets[0]->mode_require);
	/* set pfs alone: IOS's default group, group1 */
	ck_assert_uint_eq(cfg->ipsec_profiles[0]->pfs_group, 1);
	/* honoured: no warning */
	ck_assert(!warned(cfg, 1, "") && !warned(cfg, 3, "") && !warned(cfg, 16, ""));
	/* not honoured: said so */
	ck_assert(warned(cfg, 2, "invalid-spi-recovery"));
	ck_assert(warned(cfg, 4, "does not fragment"));
	ck_assert(warned(cfg, 5, "df-bit clear"));
	ck_assert(warned(cfg, 6, "window of 64"));
	ck_assert(warned(cfg, 7, "anti-replay stays on"));
	ck_assert(warned(cfg, 8, "idle-time"));
	ck_assert(warned(cfg, 9, "SESSION_STATUS"));
	print = round_trip(cfg);
	ck_assert_msg(strstr(print, "crypto isakmp aggressive-mode disable\n"
				    "crypto isakmp invalid-spi-recovery\n"
				    "crypto isakmp fragmentation\n"
				    "crypto logging session\n"), "%s", print);
	ck_assert_msg(strstr(print, "crypto isakmp nat keepalive 20\n"), "%s", print);
	ck_assert_msg(strstr(print, "crypto ipsec df-bit clear\n"
				    "crypto ipsec security-association replay window-size 128\n"
				    "crypto ipsec security-association replay disable\n"
				    "crypto ipsec security-association idle-time 600\n"), "%s", print);
	ck_assert_msg(strstr(print, " mode transport require\n"), "%s", print);
	ck_assert_msg(strstr(print, " set pfs group1\n"), "%s", print);
	free(print);
	ik_config_unref(cfg);
}
END_TEST

/* Certificate references must name a trustpoint and a map that exist. */
START_TEST(certificates_not_supported)
{
	struct ik_conf_error err;
	char *s = load_err("crypto isakmp profile P\n"
			   "   ca trust-point TP\n"
			   "   match certificate MAP\n", &err);

	ck_assert_uint_eq(err.nerrors, 2);
	ck_assert_msg(strstr(s, "t.conf:2:19: unknown trustpoint 'TP' in isakmp profile P"),
		      "%s", s);
	ck_assert_msg(strstr(s, "t.conf:3:22: unknown certificate map 'MAP' in isakmp profile "
			     "P"), "%s", s);
	free(s);
}
END_TEST

/* P1 with match identity host domain: a host name in the domain selects the
 * profile; an exact host match is more specific; a longer domain more
 * specific than a shorter one. */
START_TEST(host_domain_p1)
{
	struct ik_config *cfg = load_ok("crypto isakmp profile ALL\n"
					"   match identity host domain example.net\n"
					"crypto isakmp profile BRANCH\n"
					"   match identity host domain branch.example.net\n"
					"crypto isakmp profile R7\n"
					"   match identity host r7.branch.example.net\n");
	struct ik_peer_id id = { .type = IK_PEER_ID_FQDN };
	static const struct { const char *name, *want; } cases[] = {
		{ "hq.example.net", "ALL" }, { "r1.branch.example.net", "BRANCH" },
		{ "R7.Branch.Example.NET", "R7" }, { "example.net", "ALL" },
		{ "badexample.net", NULL }, { "example.org", NULL },
	};
	char *print;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ik_isakmp_profile *p;

		id.name = cases[i].name;
		p = ik_profile_match_responder(cfg, NULL, 0, &id, NULL);
		if (!cases[i].want)
			ck_assert_msg(p == NULL, "%s: %s", cases[i].name, p ? p->name : "");
		else
			ck_assert_msg(p && !strcmp(p->name, cases[i].want), "%s: %s",
				      cases[i].name, p ? p->name : "none");
	}
	print = round_trip(cfg);
	ck_assert_msg(strstr(print, "   match identity host domain example.net\n"), "%s", print);
	free(print);
	ik_config_unref(cfg);
}
END_TEST

/* IOS abbreviations inside the file, and interface names as IOS reads them. */
START_TEST(abbreviations)
{
	struct ik_config *cfg = load_ok(
		"hostn R9\n"
		"cry isa pol 10\n"
		" enc aes 256\n"
		" authentication pre\n"
		" gr 14\n"
		"cry keyr K\n"
		"  pre-sh add 198.51.100.2 k secret\n"
		"cry isa prof P\n"
		"   keyr K\n"
		"   ma id add 198.51.100.2 255.255.255.255\n"
		"cry ips transform-set T esp-aes esp-sha-hmac\n"
		" mo transp\n"
		"cry ips prof I\n"
		" set transform-set T\n"
		" set isa P\n"
		"int gi0/0\n"
		" ip add 192.0.2.1 255.255.255.0\n"
		"int tu1\n"
		" tun sou Gi0/0\n"
		" tun dest 198.51.100.2\n"
		" tun prot ips prof I\n");
	const struct ik_interface *t = ik_config_find_iface(cfg, "Tu1");

	ck_assert_str_eq(cfg->hostname, "R9");
	ck_assert_uint_eq(cfg->npolicies, 1);
	ck_assert_int_eq(cfg->policies[0].encr, IK_ENCR_AES);
	ck_assert_uint_eq(cfg->policies[0].keylen, 256);
	ck_assert_int_eq(cfg->policies[0].auth, IK_AUTH_PSK);
	ck_assert_uint_eq(cfg->policies[0].group, 14);
	ck_assert_uint_eq(cfg->keyrings[1]->nkeys, 1);
	ck_assert_str_eq((const char *)cfg->keyrings[1]->keys[0]->secret->p, "secret");
	ck_assert_uint_eq(cfg->profiles[0]->nmatches, 1);
	ck_assert_int_eq(cfg->tsets[0]->mode, IK_MODE_TRANSPORT);
	ck_assert_ptr_eq(cfg->ipsec_profiles[0]->isakmp_profile, cfg->profiles[0]);
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(t->name, "Tunnel1");
	ck_assert_ptr_eq(ik_config_find_iface(cfg, "TUNNEL1"), t);
	ck_assert_ptr_eq(ik_config_find_iface(cfg, "GigabitEthernet0/0"),
			 ik_config_find_iface(cfg, "gi0/0"));
	/* tunnel source Gi0/0 is the configured GigabitEthernet0/0 */
	ck_assert(t->tunnel_source_resolved);
	ck_assert_uint_eq(t->tunnel_source, ip("192.0.2.1"));
	ck_assert_uint_eq(t->tunnel_dest, ip("198.51.100.2"));
	ck_assert_ptr_nonnull(t->protection);
	ck_assert_uint_eq(cfg->nwarnings, 0);
	ik_config_unref(cfg);
}
END_TEST

/* An abbreviation that stands for two commands is an error, as on a router;
 * a Linux interface name stays as written. */
START_TEST(abbreviations_ambiguous)
{
	struct ik_conf_error err;
	struct ik_config *cfg;
	char *s = load_err("cry isa p P\n"
			   "crypto isakmp policy 10\n"
			   " hash sh\n"
			   "int t1\n", &err);

	ck_assert_uint_eq(err.nerrors, 3);
	ck_assert_msg(strstr(s, "t.conf:1:9: % Ambiguous command: 'p' may be policy, profile"),
		      "%s", s);
	ck_assert_msg(strstr(s, "t.conf:3:7: % Ambiguous command: 'sh' may be sha, sha256, "
			     "sha384, sha512"), "%s", s);
	ck_assert_msg(strstr(s, "t.conf:4:5: % Ambiguous command: interface type 't'"), "%s", s);
	free(s);
	cfg = load_ok("interface Tunnel1\n tunnel source eth0\n");
	ck_assert_str_eq(cfg->ifaces[0]->tunnel_source_if, "eth0");
	ck_assert(!cfg->ifaces[0]->tunnel_source_resolved);
	ik_config_unref(cfg);
}
END_TEST

/* Interface names: Linux's own device names that also start an IOS type
 * (eth0, eth0.100, tun0) stay as written, so that the interface and every
 * reference to it name the host's device; IOS's abbreviations (in any other
 * spelling) are still expanded. */
START_TEST(interface_linux_names_kept)
{
	static const char *const kept[] = { "eth0", "eth1.100", "tun0", "ens3", "wlan0" };
	static const char *const ios[][2] = {
		{ "Eth0", "Ethernet0" }, { "ETH2", "Ethernet2" }, { "e0/0.5", "Ethernet0/0.5" },
		{ "et3", "Ethernet3" }, { "tu7", "Tunnel7" }, { "Tun8", "Tunnel8" },
		{ "gi0/1", "GigabitEthernet0/1" }, { "loop3", "Loopback3" },
	};
	char text[256];

	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		struct ik_config *cfg;

		snprintf(text, sizeof(text), "interface %s\n ip address 192.0.2.1 255.255.255.0\n"
			 "interface Tunnel1\n tunnel source %s\n", kept[i], kept[i]);
		cfg = load_ok(text);
		ck_assert_str_eq(cfg->ifaces[0]->name, kept[i]);
		ck_assert_ptr_eq(ik_config_find_iface(cfg, kept[i]), cfg->ifaces[0]);
		ck_assert_ptr_eq(ik_config_iface_by_addr(cfg, 0xc0000201u), cfg->ifaces[0]);
		/* the tunnel's source is that interface, by the name as written */
		ck_assert_str_eq(cfg->ifaces[1]->tunnel_source_if, kept[i]);
		ck_assert(cfg->ifaces[1]->tunnel_source_resolved);
		ck_assert_uint_eq(cfg->ifaces[1]->tunnel_source, 0xc0000201u);
		ik_config_unref(cfg);
	}
	for (size_t i = 0; i < sizeof(ios) / sizeof(ios[0]); i++) {
		struct ik_config *cfg;

		snprintf(text, sizeof(text), "interface %s\n", ios[i][0]);
		cfg = load_ok(text);
		ck_assert_str_eq(cfg->ifaces[0]->name, ios[i][1]);
		ck_assert_ptr_eq(ik_config_find_iface(cfg, ios[i][1]), cfg->ifaces[0]);
		ck_assert_ptr_eq(ik_config_find_iface(cfg, ios[i][0]), cfg->ifaces[0]);
		ik_config_unref(cfg);
	}
	/* in two words, IOS's spelling whatever the letters */
	{
		struct ik_config *cfg = load_ok("interface tun 4\n");

		ck_assert_str_eq(cfg->ifaces[0]->name, "Tunnel4");
		ck_assert(cfg->ifaces[0]->is_tunnel);
		ik_config_unref(cfg);
	}
}
END_TEST

/* vrf definition prints back as itself, with rd and address-family ipv4;
 * ip vrf stays ip vrf. */
START_TEST(vrf_definition_round_trip)
{
	struct ik_config *cfg = load_ok("vrf definition INET\n"
					" rd 65000:1\n"
					" !\n"
					" address-family ipv4\n"
					" exit-address-family\n"
					"ip vrf OLD\n"
					" rd 65000:2\n");
	char *print = round_trip(cfg);

	ck_assert_msg(strstr(print, "!\nvrf definition INET\n rd 65000:1\n !\n address-family "
				    "ipv4\n exit-address-family\n!\nip vrf OLD\n rd 65000:2\n"),
		      "%s", print);
	ck_assert_uint_eq(cfg->nwarnings, 0);
	free(print);
	ik_config_unref(cfg);
}
END_TEST

static Suite *ios_suite(void)
{
	Suite *s = suite_create("conf-ios");
	TCase *t = tcase_create("ios");

	tcase_add_test(t, every_error_reported);
	tcase_add_test(t, errors_capped);
	tcase_add_test(t, global_crypto_commands);
	tcase_add_test(t, certificates_not_supported);
	tcase_add_test(t, host_domain_p1);
	tcase_add_test(t, abbreviations);
	tcase_add_test(t, abbreviations_ambiguous);
	tcase_add_test(t, interface_linux_names_kept);
	tcase_add_test(t, vrf_definition_round_trip);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	ik_secmem_init();
	sr = srunner_create(ios_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
