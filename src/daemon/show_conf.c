/* Configuration-side show commands (see show_conf.h). */
#include "daemon/show_conf.h"

#include <stdio.h>
#include <string.h>

#include "keyring/resolver.h"
#include "util/addr.h"
#include "util/log.h"

/* show crypto isakmp key: the default keyring first (rule K4: it is searched
 * first, whatever its place in the file), then the keyrings in configuration
 * order, keys in configuration order. The mask column is printed only when
 * the key is not a /32, as IOS does. */
void ik_show_isakmp_key(const struct ik_config *cfg, bool json, struct ik_sb *out)
{
	bool first = true;

	if (json)
		ik_sb_add(out, "{\"keys\":[");
	else
		ik_sb_add(out, "Keyring      Hostname/Address          Preshared Key\n\n");
	for (size_t r = 0; r < cfg->nkeyrings; r++) {
		const struct ik_keyring *ring = cfg->keyrings[r];

		for (size_t k = 0; k < ring->nkeys; k++) {
			const struct ik_key *key = ring->keys[k];
			const char *secret = key->secret ? (const char *)key->secret->p : "";
			/* the mask in effect: 0.0.0.0 without a mask is every peer */
			uint32_t mask = ik_key_mask(key);
			char a[IK_ADDRSTRLEN], m[IK_ADDRSTRLEN + 2];

			if (json) {
				ik_sb_printf(out, "%s{\"keyring\":", first ? "" : ",");
				ik_sb_json_str(out, ring->name);
				ik_sb_add(out, ",\"vrf\":");
				ik_sb_json_str(out, ring->vrf);
				if (key->kind == IK_KEY_HOSTNAME) {
					ik_sb_add(out, ",\"hostname\":");
					ik_sb_json_str(out, key->hostname);
				} else if (key->v6) {
					char a6[IK_ADDR_ANYSTRLEN];

					ik_sb_printf(out, ",\"address\":\"%s\","
						     "\"prefix_length\":%d",
						     ik_addr6_fmt_ios(key->addr6, a6),
						     ik_key_plen(key));
				} else {
					ik_sb_printf(out, ",\"address\":\"%s\"",
						     ik_addr_fmt(key->addr, a));
					ik_sb_printf(out, ",\"mask\":\"%s\"",
						     ik_addr_fmt(mask, m));
				}
				ik_sb_add(out, ",\"key\":");
				ik_sb_json_str(out, secret);
				ik_sb_printf(out, ",\"line\":%d}", key->line);
				first = false;
				continue;
			}
			if (key->kind == IK_KEY_HOSTNAME) {
				ik_sb_printf(out, "%-12s%-31s%s\n", ring->name, key->hostname,
					     secret);
			} else if (key->v6) {
				char pb[IK_PREFIX6STRLEN];

				ik_sb_printf(out, "%-12s%-30s %s\n", ring->name,
					     ik_prefix6_fmt_ios(key->addr6, ik_key_plen(key), pb),
					     secret);
			} else if (mask == 0xffffffffu) {
				ik_sb_printf(out, "%-12s%-31s%s\n", ring->name,
					     ik_addr_fmt(key->addr, a), secret);
			} else {
				char mb[IK_ADDRSTRLEN];

				snprintf(m, sizeof(m), "[%s]", ik_addr_fmt(mask, mb));
				ik_sb_printf(out, "%-12s%-17s%-15s%s\n", ring->name,
					     ik_addr_fmt(key->addr, a), m, secret);
			}
		}
	}
	if (json)
		ik_sb_add(out, "]}\n");
}

static unsigned profile_refs(const struct ik_config *cfg, const struct ik_isakmp_profile *p)
{
	unsigned refs = 1;

	for (size_t i = 0; i < cfg->nipsec_profiles; i++)
		if (cfg->ipsec_profiles[i]->isakmp_profile == p)
			refs++;
	return refs;
}

static const char *match_kind_name(enum ik_match_kind k)
{
	switch (k) {
	case IK_MATCH_ADDRESS:
		return "ip-address";
	case IK_MATCH_HOST:
		return "fqdn";
	case IK_MATCH_USER_FQDN:
		return "user-fqdn";
	case IK_MATCH_HOST_DOMAIN:
		return "fqdn domain";
	}
	return "?";
}

static void profile_json(const struct ik_config *cfg, const struct ik_isakmp_profile *p,
			 struct ik_sb *out)
{
	char a[IK_ADDRSTRLEN], m[IK_ADDRSTRLEN];

	ik_sb_add(out, "{\"name\":");
	ik_sb_json_str(out, p->name);
	ik_sb_printf(out, ",\"ref_count\":%u,\"line\":%d,\"vrf\":", profile_refs(cfg, p), p->line);
	ik_sb_json_str(out, p->ivrf);
	ik_sb_add(out, ",\"identities\":[");
	for (size_t i = 0; i < p->nmatches; i++) {
		const struct ik_identity_match *mt = &p->matches[i];

		ik_sb_printf(out, "%s{\"type\":\"%s\"", i ? "," : "",
			     mt->v6 ? "ipv6-address" : match_kind_name(mt->kind));
		if (mt->kind == IK_MATCH_ADDRESS && mt->v6) {
			char a6[IK_ADDR_ANYSTRLEN];

			ik_sb_printf(out, ",\"address\":\"%s\",\"prefix_length\":%d",
				     ik_addr6_fmt_ios(mt->addr6, a6), mt->plen);
			ik_sb_add(out, ",\"vrf\":");
			ik_sb_json_str(out, mt->vrf);
		} else if (mt->kind == IK_MATCH_ADDRESS) {
			ik_sb_printf(out, ",\"address\":\"%s\",\"mask\":\"%s\"",
				     ik_addr_fmt(mt->addr, a), ik_addr_fmt(mt->mask, m));
			ik_sb_add(out, ",\"vrf\":");
			ik_sb_json_str(out, mt->vrf);
		} else {
			ik_sb_add(out, ",\"name\":");
			ik_sb_json_str(out, mt->name);
		}
		ik_sb_printf(out, ",\"line\":%d}", mt->line);
	}
	ik_sb_add(out, "],\"keyrings\":[");
	for (size_t i = 0; i < p->nkeyrings; i++) {
		if (i)
			ik_sb_add(out, ",");
		ik_sb_json_str(out, p->keyrings[i]->name);
	}
	ik_sb_add(out, "],\"authorization_list\":");
	ik_sb_json_str(out, p->authz ? p->authz->name : NULL);
	ik_sb_add(out, "}");
}

/* show crypto isakmp profile, IOS layout. */
void ik_show_isakmp_profile(const struct ik_config *cfg, bool json, struct ik_sb *out)
{
	char a[IK_ADDRSTRLEN], m[IK_ADDRSTRLEN];

	if (json)
		ik_sb_add(out, "{\"profiles\":[");
	for (size_t i = 0; i < cfg->nprofiles; i++) {
		const struct ik_isakmp_profile *p = cfg->profiles[i];

		if (json) {
			if (i)
				ik_sb_add(out, ",");
			profile_json(cfg, p, out);
			continue;
		}
		ik_sb_printf(out, "\nISAKMP PROFILE %s\n", p->name);
		ik_sb_printf(out, "   Ref Count = %u\n", profile_refs(cfg, p));
		if (p->ivrf)
			ik_sb_printf(out, "   vrf: %s\n", p->ivrf);
		ik_sb_add(out, "   Identities matched are:\n");
		for (size_t k = 0; k < p->nmatches; k++) {
			const struct ik_identity_match *mt = &p->matches[k];

			if (mt->kind == IK_MATCH_ADDRESS && mt->v6) {
				char pb[IK_PREFIX6STRLEN];

				ik_sb_printf(out, "    ipv6-address %s",
					     ik_prefix6_fmt_ios(mt->addr6, mt->plen, pb));
				if (mt->vrf)
					ik_sb_printf(out, " vrf %s", mt->vrf);
				ik_sb_add(out, "\n");
			} else if (mt->kind == IK_MATCH_ADDRESS) {
				ik_sb_printf(out, "    ip-address %s %s", ik_addr_fmt(mt->addr, a),
					     ik_addr_fmt(mt->mask, m));
				if (mt->vrf)
					ik_sb_printf(out, " vrf %s", mt->vrf);
				ik_sb_add(out, "\n");
			} else {
				ik_sb_printf(out, "    %s %s\n", match_kind_name(mt->kind), mt->name);
			}
		}
		ik_sb_add(out, "   Certificate maps matched are:\n");
		ik_sb_add(out, "   keyring(s):");
		if (!p->nkeyrings)
			ik_sb_add(out, " <none>");
		for (size_t k = 0; k < p->nkeyrings; k++)
			ik_sb_printf(out, "%s %s", k ? "," : "", p->keyrings[k]->name);
		ik_sb_add(out, "\n   trustpoint(s): <all>\n");
		if (p->authz)
			ik_sb_printf(out, "   authorization list: %s\n", p->authz->name);
	}
	if (json)
		ik_sb_add(out, "]}\n");
}

static const char *encr_text(enum ik_encr e, unsigned keylen, char *buf, size_t len)
{
	switch (e) {
	case IK_ENCR_DES:
	case IK_ENCR_NONE:
		return "DES - Data Encryption Standard (56 bit keys).";
	case IK_ENCR_3DES:
		return "Three key triple DES";
	case IK_ENCR_AES:
		snprintf(buf, len, "AES - Advanced Encryption Standard (%u bit keys).",
			 keylen ? keylen : 128);
		return buf;
	}
	return "?";
}

static const char *hash_text(enum ik_hash h)
{
	switch (h) {
	case IK_HASH_MD5:
		return "Message Digest 5";
	case IK_HASH_SHA1:
	case IK_HASH_NONE:
		return "Secure Hash Standard";
	case IK_HASH_SHA256:
		return "Secure Hash Standard 2 (256 bit)";
	case IK_HASH_SHA384:
		return "Secure Hash Standard 2 (384 bit)";
	case IK_HASH_SHA512:
		return "Secure Hash Standard 2 (512 bit)";
	}
	return "?";
}

static const char *auth_text(enum ik_authm a)
{
	return a == IK_AUTH_PSK ? "Pre-Shared Key" : "Rivest-Shamir-Adleman Signature";
}

static const char *group_text(unsigned g)
{
	switch (g) {
	case 1:
		return "#1 (768 bit)";
	case 2:
		return "#2 (1024 bit)";
	case 5:
		return "#5 (1536 bit)";
	case 14:
		return "#14 (2048 bit)";
	case 15:
		return "#15 (3072 bit)";
	case 16:
		return "#16 (4096 bit)";
	case 19:
		return "#19 (256 bit)";
	case 20:
		return "#20 (384 bit)";
	case 21:
		return "#21 (521 bit)";
	case 24:
		return "#24 (2048 bit, 256 bit subgroup)";
	case 31:
		return "#31 (Curve25519)";
	}
	return "#? (unknown)";
}

static void policy_text(const struct ik_isakmp_policy *p, const char *title, struct ik_sb *out)
{
	char eb[64];

	ik_sb_printf(out, "%s\n", title);
	ik_sb_printf(out, "\tencryption algorithm:\t%s\n", encr_text(p->encr, p->keylen, eb,
								   sizeof(eb)));
	ik_sb_printf(out, "\thash algorithm:\t\t%s\n", hash_text(p->hash));
	ik_sb_printf(out, "\tauthentication method:\t%s\n", auth_text(p->auth));
	ik_sb_printf(out, "\tDiffie-Hellman group:\t%s\n", group_text(p->group ? p->group : 1));
	ik_sb_printf(out, "\tlifetime:\t\t%u seconds, no volume limit\n",
		     p->lifetime ? p->lifetime : 86400);
}

static const char *encr_kw(enum ik_encr e)
{
	return e == IK_ENCR_3DES ? "3des" : e == IK_ENCR_AES ? "aes" : "des";
}

static const char *hash_kw(enum ik_hash h)
{
	switch (h) {
	case IK_HASH_MD5:
		return "md5";
	case IK_HASH_SHA256:
		return "sha256";
	case IK_HASH_SHA384:
		return "sha384";
	case IK_HASH_SHA512:
		return "sha512";
	case IK_HASH_SHA1:
	case IK_HASH_NONE:
		break;
	}
	return "sha";
}

static void policy_json(const struct ik_isakmp_policy *p, bool dflt, struct ik_sb *out)
{
	ik_sb_printf(out, "{\"priority\":");
	if (dflt)
		ik_sb_add(out, "null");
	else
		ik_sb_printf(out, "%u", p->prio);
	ik_sb_printf(out, ",\"encryption\":\"%s\",\"key_length\":%u,\"hash\":\"%s\","
		     "\"authentication\":\"%s\",\"group\":%u,\"lifetime\":%u,\"line\":%d}",
		     encr_kw(p->encr), p->keylen, hash_kw(p->hash),
		     p->auth == IK_AUTH_PSK ? "pre-share" : "rsa-sig", p->group ? p->group : 1,
		     p->lifetime ? p->lifetime : 86400, p->line);
}

/* show crypto isakmp policy: the configured suites by priority; IOS's default
 * suite when none is configured. */
void ik_show_isakmp_policy(const struct ik_config *cfg, bool json, struct ik_sb *out)
{
	static const struct ik_isakmp_policy dflt = {
		.encr = IK_ENCR_DES, .hash = IK_HASH_SHA1, .auth = IK_AUTH_RSA_SIG,
		.group = 1, .lifetime = 86400,
	};

	if (json) {
		ik_sb_add(out, "{\"policies\":[");
		for (size_t i = 0; i < cfg->npolicies; i++) {
			if (i)
				ik_sb_add(out, ",");
			policy_json(&cfg->policies[i], false, out);
		}
		if (!cfg->npolicies)
			policy_json(&dflt, true, out);
		ik_sb_add(out, "]}\n");
		return;
	}
	ik_sb_add(out, "\nGlobal IKE policy\n");
	for (size_t i = 0; i < cfg->npolicies; i++) {
		char title[64];

		snprintf(title, sizeof(title), "Protection suite of priority %u",
			 cfg->policies[i].prio);
		policy_text(&cfg->policies[i], title, out);
	}
	if (!cfg->npolicies)
		policy_text(&dflt, "Default protection suite", out);
}

void ik_show_debugging(unsigned mask, bool json, struct ik_sb *out)
{
	static const struct {
		unsigned cat;
		const char *text;
	} cats[] = {
		{ IK_DBG_ISAKMP, "Crypto ISAKMP debugging is on" },
		{ IK_DBG_ISAKMP_DETAIL, "Crypto ISAKMP internals debugging is on" },
		{ IK_DBG_ISAKMP_AAA, "Crypto ISAKMP AAA debugging is on" },
		{ IK_DBG_IPSEC, "Crypto IPSEC debugging is on" },
		{ IK_DBG_IKEV2, "Crypto IKEv2 debugging is on" },
		{ IK_DBG_PKI_TRANS, "Crypto PKI Trans debugging is on" },
		{ IK_DBG_PKI_MSG, "Crypto PKI Msg debugging is on" },
	};
	bool first = true;

	if (json) {
		ik_sb_add(out, "{\"debugging\":[");
		for (size_t i = 0; i < sizeof(cats) / sizeof(cats[0]); i++) {
			if (!(mask & cats[i].cat))
				continue;
			ik_sb_printf(out, "%s\"%s\"", first ? "" : ",", ik_dbg_cat_name(cats[i].cat));
			first = false;
		}
		ik_sb_add(out, "]}\n");
		return;
	}
	if (!mask)
		return;
	ik_sb_add(out, "Cryptographic Subsystem:\n");
	for (size_t i = 0; i < sizeof(cats) / sizeof(cats[0]); i++)
		if (mask & cats[i].cat)
			ik_sb_printf(out, "  %s\n", cats[i].text);
}

/* ---- show crypto isakmp default policy ---- */

/* IOS 15's default suites (priorities 65507..65514), used by a router whose
 * configuration has no crypto isakmp policy. */
static const struct ik_isakmp_policy default_suites[] = {
	{ .prio = 65507, .encr = IK_ENCR_AES, .keylen = 128, .hash = IK_HASH_SHA1,
	  .auth = IK_AUTH_RSA_SIG, .group = 5, .lifetime = 86400 },
	{ .prio = 65508, .encr = IK_ENCR_AES, .keylen = 128, .hash = IK_HASH_SHA1,
	  .auth = IK_AUTH_PSK, .group = 5, .lifetime = 86400 },
	{ .prio = 65509, .encr = IK_ENCR_3DES, .hash = IK_HASH_SHA1, .auth = IK_AUTH_RSA_SIG,
	  .group = 5, .lifetime = 86400 },
	{ .prio = 65510, .encr = IK_ENCR_3DES, .hash = IK_HASH_SHA1, .auth = IK_AUTH_PSK,
	  .group = 5, .lifetime = 86400 },
	{ .prio = 65511, .encr = IK_ENCR_AES, .keylen = 128, .hash = IK_HASH_SHA1,
	  .auth = IK_AUTH_RSA_SIG, .group = 2, .lifetime = 86400 },
	{ .prio = 65512, .encr = IK_ENCR_AES, .keylen = 128, .hash = IK_HASH_SHA1,
	  .auth = IK_AUTH_PSK, .group = 2, .lifetime = 86400 },
	{ .prio = 65513, .encr = IK_ENCR_3DES, .hash = IK_HASH_SHA1, .auth = IK_AUTH_RSA_SIG,
	  .group = 2, .lifetime = 86400 },
	{ .prio = 65514, .encr = IK_ENCR_3DES, .hash = IK_HASH_SHA1, .auth = IK_AUTH_PSK,
	  .group = 2, .lifetime = 86400 },
};

void ik_show_isakmp_default_policy(const struct ik_config *cfg, bool json, struct ik_sb *out)
{
	size_t n = sizeof(default_suites) / sizeof(default_suites[0]);

	if (json) {
		ik_sb_printf(out, "{\"default_policies_used\":false,\"configured_policies\":%zu,"
			     "\"policies\":[", cfg->npolicies);
		for (size_t i = 0; i < n; i++) {
			if (i)
				ik_sb_add(out, ",");
			policy_json(&default_suites[i], false, out);
		}
		ik_sb_add(out, "]}\n");
		return;
	}
	ik_sb_add(out, "\nDefault IKE policy\n");
	for (size_t i = 0; i < n; i++) {
		char title[64];

		snprintf(title, sizeof(title), "Default protection suite of priority %u",
			 default_suites[i].prio);
		policy_text(&default_suites[i], title, out);
	}
	/* ikerd's own line: what it does differently from a router */
	ik_sb_add(out, "\n% ikerd negotiates only the configured crypto isakmp policies; "
		  "it does not fall back on these default suites.\n");
}

/* ---- show crypto ipsec transform-set, show crypto ipsec profile ---- */

/* The transforms as IOS lists them: "esp-256-aes esp-sha256-hmac". */
static void tset_transforms(const struct ik_transform_set *ts, char *buf, size_t n)
{
	const char *auth = "";
	char enc[32];

	switch (ts->enc) {
	case IK_ESP_DES:
		snprintf(enc, sizeof(enc), "esp-des");
		break;
	case IK_ESP_3DES:
		snprintf(enc, sizeof(enc), "esp-3des");
		break;
	case IK_ESP_AES:
		if (ts->keylen && ts->keylen != 128)
			snprintf(enc, sizeof(enc), "esp-%u-aes", ts->keylen);
		else
			snprintf(enc, sizeof(enc), "esp-aes");
		break;
	case IK_ESP_GCM:
		if (ts->keylen && ts->keylen != 128)
			snprintf(enc, sizeof(enc), "esp-gcm %u", ts->keylen);
		else
			snprintf(enc, sizeof(enc), "esp-gcm");
		break;
	default:
		snprintf(enc, sizeof(enc), "esp-null");
		break;
	}
	switch (ts->auth) {
	case IK_ESP_MD5:
		auth = " esp-md5-hmac";
		break;
	case IK_ESP_SHA1:
		auth = " esp-sha-hmac";
		break;
	case IK_ESP_SHA256:
		auth = " esp-sha256-hmac";
		break;
	case IK_ESP_SHA384:
		auth = " esp-sha384-hmac";
		break;
	case IK_ESP_SHA512:
		auth = " esp-sha512-hmac";
		break;
	case IK_ESP_AUTH_NONE:
		break;
	}
	snprintf(buf, n, "%s%s", enc, auth);
}

static void tset_json(const struct ik_transform_set *ts, struct ik_sb *out)
{
	char tr[80];

	tset_transforms(ts, tr, sizeof(tr));
	ik_sb_add(out, "{\"name\":");
	ik_sb_json_str(out, ts->name);
	ik_sb_add(out, ",\"transforms\":");
	ik_sb_json_str(out, tr);
	ik_sb_printf(out, ",\"mode\":\"%s\",\"line\":%d}",
		     ts->mode == IK_MODE_TRANSPORT ? "transport" : "tunnel", ts->line);
}

void ik_show_ipsec_transform_set(const struct ik_config *cfg, bool json, struct ik_sb *out)
{
	char tr[80];

	if (json) {
		ik_sb_add(out, "{\"transform_sets\":[");
		for (size_t i = 0; i < cfg->ntsets; i++) {
			if (i)
				ik_sb_add(out, ",");
			tset_json(cfg->tsets[i], out);
		}
		ik_sb_add(out, "]}\n");
		return;
	}
	for (size_t i = 0; i < cfg->ntsets; i++) {
		const struct ik_transform_set *ts = cfg->tsets[i];

		tset_transforms(ts, tr, sizeof(tr));
		ik_sb_printf(out, "Transform set %s: { %s  }\n", ts->name, tr);
		ik_sb_printf(out, "   will negotiate = { %s,  },\n\n",
			     ts->mode == IK_MODE_TRANSPORT ? "Transport" : "Tunnel");
	}
}

void ik_show_ipsec_profile(const struct ik_config *cfg, bool json, struct ik_sb *out)
{
	char tr[80];

	if (json)
		ik_sb_add(out, "{\"ipsec_profiles\":[");
	for (size_t i = 0; i < cfg->nipsec_profiles; i++) {
		const struct ik_ipsec_profile *ip = cfg->ipsec_profiles[i];
		uint32_t sec = ip->lifetime_sec ? ip->lifetime_sec :
			       cfg->sa_lifetime_sec ? cfg->sa_lifetime_sec : 3600;
		uint64_t kb = ip->lifetime_kb ? ip->lifetime_kb :
			      cfg->sa_lifetime_kb ? cfg->sa_lifetime_kb : 4608000;

		if (json) {
			ik_sb_add(out, i ? ",{\"name\":" : "{\"name\":");
			ik_sb_json_str(out, ip->name);
			ik_sb_add(out, ",\"isakmp_profile\":");
			ik_sb_json_str(out, ip->isakmp_profile ? ip->isakmp_profile->name : NULL);
			ik_sb_printf(out, ",\"lifetime_kb\":%llu,\"lifetime_sec\":%u,"
				     "\"pfs_group\":%u,\"transform_sets\":[",
				     (unsigned long long)kb, sec, ip->pfs_group);
			for (size_t k = 0; k < ip->ntsets; k++) {
				if (k)
					ik_sb_add(out, ",");
				tset_json(ip->tsets[k], out);
			}
			ik_sb_printf(out, "],\"line\":%d}", ip->line);
			continue;
		}
		ik_sb_printf(out, "IPSEC profile %s\n", ip->name);
		if (ip->isakmp_profile)
			ik_sb_printf(out, "\tISAKMP Profile: %s\n", ip->isakmp_profile->name);
		ik_sb_printf(out, "\tSecurity association lifetime: %llu kilobytes/%u seconds\n",
			     (unsigned long long)kb, sec);
		if (ip->pfs_group)
			ik_sb_printf(out, "\tPFS (Y/N): Y\n\tDH group:  group%u\n", ip->pfs_group);
		else
			ik_sb_add(out, "\tPFS (Y/N): N\n");
		ik_sb_add(out, "\tMixed-mode : Disabled\n\tTransform sets={\n");
		for (size_t k = 0; k < ip->ntsets; k++) {
			tset_transforms(ip->tsets[k], tr, sizeof(tr));
			ik_sb_printf(out, "\t\t%s:  { %s  } ,\n", ip->tsets[k]->name, tr);
		}
		ik_sb_add(out, "\t}\n\n");
	}
	if (json)
		ik_sb_add(out, "]}\n");
}

void ik_show_tset_text(const struct ik_transform_set *ts, char *buf, size_t n)
{
	tset_transforms(ts, buf, n);
}

void ik_show_tset_json(const struct ik_transform_set *ts, struct ik_sb *out)
{
	tset_json(ts, out);
}
