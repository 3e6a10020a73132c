/* show crypto ikev2 proposal|policy|profile and the IKEv2 explainer
 * (ikerctl test ikev2 peer), in IOS layout or JSON. */
#include <stdio.h>
#include <string.h>

#include "profile/v2_select.h"
#include "util/addr.h"
#include "util/log.h"
#include "util/util.h"

/* Keyword as configured -> the name IOS's show prints. */
static const char *v2_encr_show(const char *w)
{
	static const struct { const char *kw, *show; } t[] = {
		{ "aes-cbc-128", "AES-CBC-128" }, { "aes-cbc-192", "AES-CBC-192" },
		{ "aes-cbc-256", "AES-CBC-256" }, { "aes-gcm-128", "AES-GCM-128" },
		{ "aes-gcm-256", "AES-GCM-256" }, { "chacha20-poly1305", "CHACHA20-POLY1305" },
		{ "3des", "3DES" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(t[i].kw, w) == 0)
			return t[i].show;
	return w;
}

static const char *v2_integ_show(const char *w, bool prf)
{
	static const struct { const char *kw, *integ, *prf; } t[] = {
		{ "md5", "MD596", "MD5" }, { "sha1", "SHA96", "SHA1" },
		{ "sha256", "SHA256", "SHA256" }, { "sha384", "SHA384", "SHA384" },
		{ "sha512", "SHA512", "SHA512" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(t[i].kw, w) == 0)
			return prf ? t[i].prf : t[i].integ;
	return w;
}

static const char *v2_group_show(const char *w)
{
	static const struct { const char *kw, *show; } t[] = {
		{ "1", "DH_GROUP_768_MODP/Group 1" }, { "2", "DH_GROUP_1024_MODP/Group 2" },
		{ "5", "DH_GROUP_1536_MODP/Group 5" }, { "14", "DH_GROUP_2048_MODP/Group 14" },
		{ "15", "DH_GROUP_3072_MODP/Group 15" }, { "16", "DH_GROUP_4096_MODP/Group 16" },
		{ "19", "DH_GROUP_256_ECP/Group 19" }, { "20", "DH_GROUP_384_ECP/Group 20" },
		{ "21", "DH_GROUP_521_ECP/Group 21" }, { "24", "DH_GROUP_2048_256_MODP/Group 24" },
		{ "31", "DH_GROUP_CURVE25519/Group 31" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(t[i].kw, w) == 0)
			return t[i].show;
	return w;
}

static void v2_words(struct ik_sb *out, const char *label, char **w, size_t n,
		     const char *(*name)(const char *, bool), bool prf,
		     const char *(*name1)(const char *))
{
	if (!n)
		return;
	ik_sb_printf(out, "     %-11s:", label);
	for (size_t i = 0; i < n; i++)
		ik_sb_printf(out, " %s", name ? name(w[i], prf) : name1(w[i]));
	ik_sb_add(out, "\n");
}

static void v2_json_words(struct ik_sb *out, const char *key, char **w, size_t n)
{
	ik_sb_printf(out, ",\"%s\":[", key);
	for (size_t i = 0; i < n; i++) {
		if (i)
			ik_sb_add(out, ",");
		ik_sb_json_str(out, w[i]);
	}
	ik_sb_add(out, "]");
}

static void v2_proposal_one(const struct ik_ikev2_proposal *p, bool json, bool first,
			    struct ik_sb *out)
{
	if (json) {
		ik_sb_add(out, first ? "{\"name\":" : ",{\"name\":");
		ik_sb_json_str(out, p->name);
		v2_json_words(out, "encryption", p->encr, p->nencr);
		v2_json_words(out, "integrity", p->integ, p->ninteg);
		v2_json_words(out, "prf", p->prf, p->nprf);
		v2_json_words(out, "group", p->group, p->ngroup);
		ik_sb_add(out, "}");
		return;
	}
	ik_sb_printf(out, " IKEv2 proposal: %s \n", p->name);
	v2_words(out, "Encryption", p->encr, p->nencr, NULL, false, v2_encr_show);
	v2_words(out, "Integrity", p->integ, p->ninteg, v2_integ_show, false, NULL);
	v2_words(out, "PRF", p->prf, p->nprf, v2_integ_show, true, NULL);
	v2_words(out, "DH Group", p->group, p->ngroup, NULL, false, v2_group_show);
}

void ik_v2_show_proposal(const struct ik_config *cfg, bool json, struct ik_sb *out)
{
	const struct ik_ikev2_proposal *const *def;
	size_t ndef = ik_v2_default_proposals(&def);
	bool first = true;

	if (json)
		ik_sb_add(out, "{\"proposals\":[");
	for (size_t i = 0; i < cfg->nv2_proposals; i++, first = false)
		v2_proposal_one(cfg->v2_proposals[i], json, first, out);
	/* the default proposals exist while no policy is configured, as on IOS */
	if (cfg->nv2_policies == 0)
		for (size_t i = 0; i < ndef; i++, first = false)
			v2_proposal_one(def[i], json, first, out);
	if (json)
		ik_sb_add(out, "]}\n");
}

void ik_v2_show_policy(const struct ik_config *cfg, bool json, struct ik_sb *out)
{
	const struct ik_ikev2_policy *def = ik_v2_default_policy();
	size_t n = cfg->nv2_policies ? cfg->nv2_policies : 1;
	char a[IK_ADDRSTRLEN];

	if (json)
		ik_sb_add(out, "{\"policies\":[");
	for (size_t i = 0; i < n; i++) {
		const struct ik_ikev2_policy *p = cfg->nv2_policies ? cfg->v2_policies[i] : def;

		if (json) {
			ik_sb_add(out, i ? ",{\"name\":" : "{\"name\":");
			ik_sb_json_str(out, p->name);
			v2_json_words(out, "match_fvrf", p->match_fvrf, p->nmatch_fvrf);
			ik_sb_add(out, ",\"match_address_local\":[");
			for (size_t k = 0; k < p->nmatch_local; k++)
				ik_sb_printf(out, "%s\"%s\"", k ? "," : "",
					     ik_addr_fmt(p->match_local[k], a));
			ik_sb_add(out, "],\"proposals\":[");
			for (size_t k = 0; k < p->nproposals; k++) {
				if (k)
					ik_sb_add(out, ",");
				ik_sb_json_str(out, p->proposals[k]->name);
			}
			ik_sb_printf(out, "],\"default\":%s}",
				     ik_v2_policy_is_default(p) ? "true" : "false");
			continue;
		}
		ik_sb_printf(out, "IKEv2 policy : %s\n", p->name);
		if (p->nmatch_fvrf == 0)
			ik_sb_add(out, "      Match fvrf : global\n");
		for (size_t k = 0; k < p->nmatch_fvrf; k++)
			ik_sb_printf(out, "      Match fvrf : %s\n", p->match_fvrf[k]);
		if (p->nmatch_local == 0)
			ik_sb_add(out, "      Match address local : any\n");
		for (size_t k = 0; k < p->nmatch_local; k++)
			ik_sb_printf(out, "      Match address local : %s\n",
				     ik_addr_fmt(p->match_local[k], a));
		/* the default policy lists its two default proposals once */
		for (size_t k = 0; k < p->nproposals; k++) {
			if (k && ik_v2_policy_is_default(p))
				break;
			ik_sb_printf(out, "      Proposal    : %s\n", p->proposals[k]->name);
		}
	}
	if (json)
		ik_sb_add(out, "]}\n");
}

static const char *v2_auth_show(enum ik_authm m)
{
	switch (m) {
	case IK_AUTH_PSK: return "pre-share";
	case IK_AUTH_RSA_SIG: return "rsa-sig";
	case IK_AUTH_ECDSA_SIG: return "ecdsa-sig";
	case IK_AUTH_NONE: break;
	}
	return "none";
}

static const char *v2_id_kw(enum ik_id_type t)
{
	switch (t) {
	case IK_ID_ADDRESS: return "address";
	case IK_ID_FQDN: return "fqdn";
	case IK_ID_EMAIL: return "email";
	case IK_ID_KEY_ID: return "key-id";
	case IK_ID_NONE: break;
	}
	return "none";
}

static void v2_match_text(const struct ik_ikev2_match *m, char *buf, size_t len)
{
	char a[IK_ADDRSTRLEN], k[IK_ADDRSTRLEN];

	if (m->type == IK_ID_ADDRESS)
		snprintf(buf, len, "address %s %s", ik_addr_fmt(m->addr, a),
			 ik_addr_fmt(m->mask, k));
	else
		snprintf(buf, len, "%s%s %s", v2_id_kw(m->type), m->domain ? " domain" : "",
			 m->value ? m->value : "");
}

void ik_v2_show_profile(const struct ik_config *cfg, bool json, struct ik_sb *out)
{
	char buf[400], a[IK_ADDRSTRLEN];

	if (json)
		ik_sb_add(out, "{\"profiles\":[");
	for (size_t i = 0; i < cfg->nv2_profiles; i++) {
		const struct ik_ikev2_profile *p = cfg->v2_profiles[i];

		if (json) {
			ik_sb_add(out, i ? ",{\"name\":" : "{\"name\":");
			ik_sb_json_str(out, p->name);
			ik_sb_add(out, ",\"match_fvrf\":");
			ik_sb_json_str(out, p->match_fvrf ? p->match_fvrf : "global");
			ik_sb_add(out, ",\"match_address_local\":[");
			for (size_t k = 0; k < p->nmatch_local; k++)
				ik_sb_printf(out, "%s\"%s\"", k ? "," : "",
					     ik_addr_fmt(p->match_local[k], a));
			ik_sb_add(out, "],\"identities\":[");
			for (size_t k = 0; k < p->nmatches; k++) {
				v2_match_text(&p->matches[k], buf, sizeof(buf));
				if (k)
					ik_sb_add(out, ",");
				ik_sb_json_str(out, buf);
			}
			ik_sb_add(out, "],\"local_identity\":");
			if (p->local_id_type) {
				snprintf(buf, sizeof(buf), "%s %s", v2_id_kw(p->local_id_type),
					 p->local_id_value);
				ik_sb_json_str(out, buf);
			} else {
				ik_sb_add(out, "null");
			}
			ik_sb_printf(out, ",\"authentication_local\":\"%s\","
				     "\"authentication_remote\":\"%s\",\"keyring\":",
				     v2_auth_show(p->auth_local), v2_auth_show(p->auth_remote));
			ik_sb_json_str(out, p->keyring ? p->keyring->name : NULL);
			ik_sb_add(out, ",\"authorization_list\":");
			ik_sb_json_str(out, p->authz ? p->authz->name : NULL);
			ik_sb_printf(out, ",\"lifetime\":%u,\"dpd_interval\":%u,\"dpd_retry\":%u,"
				     "\"dpd_mode\":\"%s\",\"nat_keepalive\":%u,\"line\":%d}",
				     p->lifetime ? (unsigned)p->lifetime : 86400u, p->dpd_interval,
				     p->dpd_retry, p->dpd_periodic ? "periodic" : "on-demand",
				     p->nat_keepalive, p->line);
			continue;
		}
		ik_sb_printf(out, "IKEv2 profile: %s\n", p->name);
		ik_sb_add(out, " Shutdown : No\n Match criteria:\n");
		ik_sb_printf(out, "  Fvrf: %s\n", p->match_fvrf ? p->match_fvrf : "global");
		if (p->nmatch_local == 0)
			ik_sb_add(out, "  Local address/interface: none\n");
		for (size_t k = 0; k < p->nmatch_local; k++)
			ik_sb_printf(out, "  Local address/interface: %s\n",
				     ik_addr_fmt(p->match_local[k], a));
		ik_sb_add(out, "  Identities:");
		if (!p->nmatches)
			ik_sb_add(out, " none");
		ik_sb_add(out, "\n");
		for (size_t k = 0; k < p->nmatches; k++) {
			v2_match_text(&p->matches[k], buf, sizeof(buf));
			ik_sb_printf(out, "   %s\n", buf);
		}
		ik_sb_add(out, "  Certificate maps: none\n");
		if (p->local_id_type)
			ik_sb_printf(out, " Local identity: %s %s\n", v2_id_kw(p->local_id_type),
				     p->local_id_value);
		else
			ik_sb_add(out, " Local identity: none\n");
		ik_sb_add(out, " Remote identity: none\n");
		ik_sb_printf(out, " Local authentication method: %s\n",
			     v2_auth_show(p->auth_local));
		ik_sb_printf(out, " Remote authentication method(s): %s\n",
			     v2_auth_show(p->auth_remote));
		ik_sb_printf(out, " Keyring: %s\n", p->keyring ? p->keyring->name : "none");
		ik_sb_add(out, " Trustpoint(s): none\n");
		ik_sb_printf(out, " Lifetime: %u seconds\n",
			     p->lifetime ? (unsigned)p->lifetime : 86400u);
		if (p->dpd_interval)
			ik_sb_printf(out, " DPD: interval %u retry-interval %u %s\n",
				     p->dpd_interval, p->dpd_retry,
				     p->dpd_periodic ? "periodic" : "on-demand");
		else
			ik_sb_add(out, " DPD: disabled\n");
		if (p->nat_keepalive)
			ik_sb_printf(out, " NAT-keepalive: %u seconds\n", p->nat_keepalive);
		else
			ik_sb_add(out, " NAT-keepalive: disabled\n");
		if (p->authz)
			ik_sb_printf(out, " Authorization list: %s\n", p->authz->name);
		ik_sb_add(out, "\n");
	}
	if (json)
		ik_sb_add(out, "]}\n");
}

/* ---- explain ---- */

int ik_v2_explain_responder(const struct ik_config *cfg, const char *fvrf, uint32_t local,
			    uint32_t peer, const struct ik_v2_id *id, struct ik_sb *out,
			    bool json)
{
	struct ik_log_capture cap = { 0 };
	struct ik_log lg = { .debug_mask = IK_DBG_IKEV2, .sink = ik_log_capture_sink,
			     .ctx = &cap };
	struct ik_trace tr = { &lg, 0 };
	struct ik_v2_id self = { .type = IK_ID_ADDRESS, .addr = peer };
	const struct ik_ikev2_policy *pol;
	const struct ik_ikev2_profile *prof = NULL;
	struct ik_v2_psk psk = { 0 };
	char verdict[1400], a[IK_ADDRSTRLEN], l[IK_ADDRSTRLEN], idb[IK_ESCAPED_LEN(256)];
	int rc = 1;

	if (!id)
		id = &self;
	ik_v2_id_fmt(id, idb, sizeof(idb));
	ik_addr_fmt(peer, a);
	ik_addr_fmt(local, l);
	pol = ik_v2_policy_select(cfg, fvrf, local, &tr);
	if (!pol) {
		snprintf(verdict, sizeof(verdict), "IKE_SA_INIT from %s to %s fails: no IKEv2 "
			 "policy for fvrf %s and local address %s (NO_PROPOSAL_CHOSEN)", a, l,
			 fvrf ? fvrf : "global", l);
	} else if (!(prof = ik_v2_profile_select(cfg, fvrf, local, id, &tr))) {
		snprintf(verdict, sizeof(verdict), "IKE_AUTH from %s fails: no IKEv2 profile "
			 "matches identity %s '%s' (AUTHENTICATION_FAILED)", a,
			 ik_v2_id_type_name(id->type), idb);
	} else if (ik_v2_key_responder(cfg, prof, id, peer, &psk, &tr)) {
		snprintf(verdict, sizeof(verdict), "IKE_AUTH from %s fails: profile %s finds no "
			 "pre-shared key for this peer in keyring %s (AUTHENTICATION_FAILED)", a,
			 prof->name, prof->keyring ? prof->keyring->name : "(none)");
	} else {
		snprintf(verdict, sizeof(verdict), "IKE_AUTH from %s succeeds: policy %s, profile "
			 "%s, keyring %s, peer block %s", a, pol->name, prof->name,
			 psk.keyring->name, psk.peer->name);
		rc = 0;
	}
	if (json) {
		ik_sb_add(out, "{\"trace\":[");
		for (size_t i = 0; i < cap.n; i++) {
			if (i)
				ik_sb_add(out, ",");
			ik_sb_json_str(out, cap.lines[i]);
		}
		ik_sb_add(out, "],\"policy\":");
		ik_sb_json_str(out, pol ? pol->name : NULL);
		ik_sb_add(out, ",\"profile\":");
		ik_sb_json_str(out, prof ? prof->name : NULL);
		ik_sb_add(out, ",\"keyring\":");
		ik_sb_json_str(out, rc == 0 ? psk.keyring->name : NULL);
		ik_sb_add(out, ",\"peer_block\":");
		ik_sb_json_str(out, rc == 0 ? psk.peer->name : NULL);
		ik_sb_printf(out, ",\"ok\":%s,\"verdict\":", rc == 0 ? "true" : "false");
		ik_sb_json_str(out, verdict);
		ik_sb_add(out, "}\n");
	} else {
		for (size_t i = 0; i < cap.n; i++)
			ik_sb_printf(out, "%s\n", cap.lines[i]);
		ik_sb_printf(out, "%s\n", verdict);
	}
	ik_log_capture_clear(&cap);
	return rc;
}
