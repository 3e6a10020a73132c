/* Unit tests of the configuration-side show commands (src/daemon/show_conf.c)
 * on a model built by hand: the seed's `show crypto isakmp key` sample (rule
 * K4: the default keyring is listed first although its line is the last). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "conf/model.h"
#include "daemon/show_conf.h"
#include "util/addr.h"
#include "util/log.h"
#include "util/secmem.h"

struct fixture {
	struct ik_config cfg;
	struct ik_keyring rings[3], *ringp[3];
	struct ik_key keys[3], *keyp[3];
	struct ik_key *ring_keys[3][1];
	struct ik_isakmp_profile prof, *profp[1];
	struct ik_keyring *prof_rings[1];
	struct ik_identity_match match;
	struct ik_ipsec_profile ips, *ipsp[1];
	struct ik_isakmp_policy pol;
	struct ik_transform_set ts[2], *tsp[2];
};

static void key_set(struct fixture *f, int i, struct ik_keyring *ring, uint32_t a, uint32_t m,
		    const char *secret, int line)
{
	f->keys[i].ring = ring;
	f->keys[i].kind = IK_KEY_ADDRESS;
	f->keys[i].addr = a;
	f->keys[i].mask = m;
	f->keys[i].plen = ik_mask_plen(m);
	f->keys[i].mask_given = a != 0 && m != 0xffffffffu;
	f->keys[i].secret = ik_secret_new(secret, strlen(secret) + 1);
	f->keys[i].line = line;
	f->ring_keys[i][0] = &f->keys[i];
	ring->keys = f->ring_keys[i];
	ring->nkeys = 1;
	f->keyp[i] = &f->keys[i];
}

/* crypto keyring keyring1 / pre-shared-key address 192.168.0.0 255.255.0.0 key cisco
 * crypto keyring keyring2 / pre-shared-key address 192.168.0.2 key cisco2
 * crypto isakmp key cisco3 address 0.0.0.0 */
static void fixture_build(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	ck_assert_int_eq(ik_secmem_init(), 0);
	f->rings[0].name = "default";
	f->rings[0].is_default = true;
	f->rings[1].name = "keyring1";
	f->rings[1].line = 1;
	f->rings[2].name = "keyring2";
	f->rings[2].line = 3;
	key_set(f, 0, &f->rings[0], 0, 0, "cisco3", 5);
	key_set(f, 1, &f->rings[1], 0xc0a80000u, 0xffff0000u, "cisco", 2);
	key_set(f, 2, &f->rings[2], 0xc0a80002u, 0xffffffffu, "cisco2", 4);
	for (int i = 0; i < 3; i++)
		f->ringp[i] = &f->rings[i];
	f->cfg.keyrings = f->ringp;
	f->cfg.nkeyrings = 3;
	f->cfg.keys = f->keyp;
	f->cfg.nkeys = 3;

	f->match.kind = IK_MATCH_ADDRESS;
	f->match.addr = 0xc0a80002u;
	f->match.mask = 0xffffffffu;
	f->prof.name = "profile2";
	f->prof.matches = &f->match;
	f->prof.nmatches = 1;
	f->prof_rings[0] = &f->rings[2];
	f->prof.keyrings = f->prof_rings;
	f->prof.nkeyrings = 1;
	f->profp[0] = &f->prof;
	f->cfg.profiles = f->profp;
	f->cfg.nprofiles = 1;
	f->ts[0].name = "TS";
	f->ts[0].enc = IK_ESP_AES;
	f->ts[0].keylen = 128;
	f->ts[0].auth = IK_ESP_SHA256;
	f->ts[1].name = "STRONG";
	f->ts[1].enc = IK_ESP_AES;
	f->ts[1].keylen = 256;
	f->ts[1].auth = IK_ESP_SHA512;
	f->ts[1].mode = IK_MODE_TRANSPORT;
	f->tsp[0] = &f->ts[0];
	f->tsp[1] = &f->ts[1];
	f->cfg.tsets = f->tsp;
	f->cfg.ntsets = 2;
	f->ips.tsets = f->tsp;
	f->ips.ntsets = 1;
	f->ips.name = "profile1";
	f->ips.isakmp_profile = &f->prof;
	f->ipsp[0] = &f->ips;
	f->cfg.ipsec_profiles = f->ipsp;
	f->cfg.nipsec_profiles = 1;

	f->pol.prio = 10;
	f->pol.encr = IK_ENCR_3DES;
	f->pol.hash = IK_HASH_MD5;
	f->pol.auth = IK_AUTH_PSK;
	f->pol.group = 2;
	f->pol.lifetime = 86400;
	f->cfg.policies = &f->pol;
	f->cfg.npolicies = 1;
}

static void fixture_free(struct fixture *f)
{
	for (int i = 0; i < 3; i++)
		ik_secret_free(f->keys[i].secret);
}

START_TEST(isakmp_key_seed_layout)
{
	struct fixture f;
	struct ik_sb sb;

	fixture_build(&f);
	ik_sb_init(&sb);
	ik_show_isakmp_key(&f.cfg, false, &sb);
	/* the seed's sample, column for column */
	ck_assert_str_eq(ik_sb_str(&sb),
			 "Keyring      Hostname/Address          Preshared Key\n"
			 "\n"
			 "default     0.0.0.0          [0.0.0.0]      cisco3\n"
			 "keyring1    192.168.0.0      [255.255.0.0]  cisco\n"
			 "keyring2    192.168.0.2                    cisco2\n");
	ik_sb_reset(&sb);
	ik_show_isakmp_key(&f.cfg, true, &sb);
	ck_assert_str_eq(ik_sb_str(&sb),
			 "{\"keys\":["
			 "{\"keyring\":\"default\",\"vrf\":null,\"address\":\"0.0.0.0\","
			 "\"mask\":\"0.0.0.0\",\"key\":\"cisco3\",\"line\":5},"
			 "{\"keyring\":\"keyring1\",\"vrf\":null,\"address\":\"192.168.0.0\","
			 "\"mask\":\"255.255.0.0\",\"key\":\"cisco\",\"line\":2},"
			 "{\"keyring\":\"keyring2\",\"vrf\":null,\"address\":\"192.168.0.2\","
			 "\"mask\":\"255.255.255.255\",\"key\":\"cisco2\",\"line\":4}]}\n");
	ik_sb_free(&sb);
	fixture_free(&f);
}
END_TEST

/* The same sample from configuration text: the parser puts the default
 * keyring first although its line is the last (K4). */
START_TEST(isakmp_key_from_text)
{
	static const char text[] =
		"crypto keyring keyring1\n"
		"  pre-shared-key address 192.168.0.0 255.255.0.0 key cisco\n"
		"crypto keyring keyring2\n"
		"  pre-shared-key address 192.168.0.2 key cisco2\n"
		"crypto isakmp key cisco3 address 0.0.0.0\n";
	struct ik_conf_error err;
	struct ik_config *cfg;
	struct ik_sb sb;

	ck_assert_int_eq(ik_secmem_init(), 0);
	cfg = ik_config_load_string(text, "seed", &err);
	ck_assert_msg(cfg != NULL, "%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
	ik_sb_init(&sb);
	ik_show_isakmp_key(cfg, false, &sb);
	ck_assert_str_eq(ik_sb_str(&sb),
			 "Keyring      Hostname/Address          Preshared Key\n"
			 "\n"
			 "default     0.0.0.0          [0.0.0.0]      cisco3\n"
			 "keyring1    192.168.0.0      [255.255.0.0]  cisco\n"
			 "keyring2    192.168.0.2                    cisco2\n");
	ik_sb_free(&sb);
	ik_config_unref(cfg);
}
END_TEST

START_TEST(isakmp_profile_layout)
{
	struct fixture f;
	struct ik_sb sb;

	fixture_build(&f);
	ik_sb_init(&sb);
	ik_show_isakmp_profile(&f.cfg, false, &sb);
	ck_assert_str_eq(ik_sb_str(&sb),
			 "\nISAKMP PROFILE profile2\n"
			 "   Ref Count = 2\n"
			 "   Identities matched are:\n"
			 "    ip-address 192.168.0.2 255.255.255.255\n"
			 "   Certificate maps matched are:\n"
			 "   keyring(s): keyring2\n"
			 "   trustpoint(s): <all>\n");
	ik_sb_free(&sb);
	fixture_free(&f);
}
END_TEST

START_TEST(isakmp_policy_layout)
{
	struct fixture f;
	struct ik_sb sb;

	fixture_build(&f);
	ik_sb_init(&sb);
	ik_show_isakmp_policy(&f.cfg, false, &sb);
	ck_assert_str_eq(ik_sb_str(&sb),
			 "\nGlobal IKE policy\n"
			 "Protection suite of priority 10\n"
			 "\tencryption algorithm:\tThree key triple DES\n"
			 "\thash algorithm:\t\tMessage Digest 5\n"
			 "\tauthentication method:\tPre-Shared Key\n"
			 "\tDiffie-Hellman group:\t#2 (1024 bit)\n"
			 "\tlifetime:\t\t86400 seconds, no volume limit\n");
	/* no policy configured: IOS's default suite */
	f.cfg.npolicies = 0;
	ik_sb_reset(&sb);
	ik_show_isakmp_policy(&f.cfg, false, &sb);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&sb), "Default protection suite\n"
				     "\tencryption algorithm:\tDES - Data Encryption Standard"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&sb), "Rivest-Shamir-Adleman Signature"));
	ik_sb_free(&sb);
	fixture_free(&f);
}
END_TEST

/* show crypto ipsec transform-set and show crypto ipsec profile: IOS layout
 * (esp-256-aes for a 256-bit AES key), the global lifetimes where the profile
 * sets none, PFS with its group. */
START_TEST(ipsec_transform_set_and_profile)
{
	struct fixture f;
	struct ik_sb sb;

	fixture_build(&f);
	ik_sb_init(&sb);
	ik_show_ipsec_transform_set(&f.cfg, false, &sb);
	ck_assert_str_eq(ik_sb_str(&sb),
			 "Transform set TS: { esp-aes esp-sha256-hmac  }\n"
			 "   will negotiate = { Tunnel,  },\n\n"
			 "Transform set STRONG: { esp-256-aes esp-sha512-hmac  }\n"
			 "   will negotiate = { Transport,  },\n\n");
	ik_sb_reset(&sb);
	ik_show_ipsec_transform_set(&f.cfg, true, &sb);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&sb), "{\"name\":\"STRONG\",\"transforms\":"
				     "\"esp-256-aes esp-sha512-hmac\",\"mode\":\"transport\""));
	ik_sb_reset(&sb);
	ik_show_ipsec_profile(&f.cfg, false, &sb);
	ck_assert_str_eq(ik_sb_str(&sb),
			 "IPSEC profile profile1\n"
			 "\tISAKMP Profile: profile2\n"
			 "\tSecurity association lifetime: 4608000 kilobytes/3600 seconds\n"
			 "\tPFS (Y/N): N\n"
			 "\tMixed-mode : Disabled\n"
			 "\tTransform sets={\n"
			 "\t\tTS:  { esp-aes esp-sha256-hmac  } ,\n"
			 "\t}\n\n");
	f.ips.pfs_group = 14;
	f.cfg.sa_lifetime_sec = 1800;
	ik_sb_reset(&sb);
	ik_show_ipsec_profile(&f.cfg, false, &sb);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&sb), "lifetime: 4608000 kilobytes/1800 seconds\n"
				     "\tPFS (Y/N): Y\n\tDH group:  group14\n"));
	ik_sb_reset(&sb);
	ik_show_ipsec_profile(&f.cfg, true, &sb);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&sb), "{\"ipsec_profiles\":[{\"name\":\"profile1\","
				     "\"isakmp_profile\":\"profile2\",\"lifetime_kb\":4608000,"
				     "\"lifetime_sec\":1800,\"pfs_group\":14"));
	ik_sb_free(&sb);
	fixture_free(&f);
}
END_TEST

/* show crypto isakmp default policy: IOS 15's eight suites, 65507..65514, and
 * ikerd's note that it does not use them. */
START_TEST(isakmp_default_policy)
{
	struct fixture f;
	struct ik_sb sb;

	fixture_build(&f);
	ik_sb_init(&sb);
	ik_show_isakmp_default_policy(&f.cfg, false, &sb);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&sb), "\nDefault IKE policy\n"
				     "Default protection suite of priority 65507\n"
				     "\tencryption algorithm:\tAES - Advanced Encryption Standard "
				     "(128 bit key"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&sb), "Default protection suite of priority 65514\n"
				     "\tencryption algorithm:\tThree key triple DES\n"
				     "\thash algorithm:\t\tSecure Hash Standard\n"
				     "\tauthentication method:\tPre-Shared Key\n"
				     "\tDiffie-Hellman group:\t#2 (1024 bit)\n"));
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&sb), "does not fall back on these default"));
	ik_sb_reset(&sb);
	ik_show_isakmp_default_policy(&f.cfg, true, &sb);
	ck_assert_ptr_nonnull(strstr(ik_sb_str(&sb), "{\"default_policies_used\":false,"
				     "\"configured_policies\":1,\"policies\":[{\"priority\":65507,"));
	ik_sb_free(&sb);
	fixture_free(&f);
}
END_TEST

START_TEST(debugging)
{
	struct ik_sb sb;

	ik_sb_init(&sb);
	ik_show_debugging(IK_DBG_ISAKMP, false, &sb);
	ck_assert_str_eq(ik_sb_str(&sb),
			 "Cryptographic Subsystem:\n  Crypto ISAKMP debugging is on\n");
	ik_sb_reset(&sb);
	ik_show_debugging(0, false, &sb);
	ck_assert_str_eq(ik_sb_str(&sb), "");
	ik_sb_reset(&sb);
	ik_show_debugging(IK_DBG_ISAKMP | IK_DBG_IPSEC, true, &sb);
	ck_assert_str_eq(ik_sb_str(&sb), "{\"debugging\":[\"isakmp\",\"ipsec\"]}\n");
	ik_sb_free(&sb);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("show_conf");
	TCase *tc = tcase_create("show");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, isakmp_key_seed_layout);
	tcase_add_test(tc, isakmp_key_from_text);
	tcase_add_test(tc, isakmp_profile_layout);
	tcase_add_test(tc, isakmp_policy_layout);
	tcase_add_test(tc, debugging);
	tcase_add_test(tc, ipsec_transform_set_and_profile);
	tcase_add_test(tc, isakmp_default_policy);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
