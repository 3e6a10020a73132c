/* show running-config: the model printed back as IOS text.
 *
 * The order is fixed (hostname, keyrings, isakmp policies and global isakmp
 * lines, isakmp profiles, ipsec transform-sets, IKEv2 blocks, ipsec
 * profiles, crypto maps, VRFs, interfaces, routes, access lists) and
 * defaults are left out as IOS does, so that printing, parsing the print
 * and printing again gives the same text. Keys are printed: the output is
 * as secret as the file.
 */
#include "conf/model.h"
#include "conf/pki_conf.h"
#include "conf/acl.h"

#include <stdio.h>
#include <string.h>

#include "util/addr.h"
#include "util/strbuf.h"

static const char *a2s(uint32_t a, char *buf)
{
	return ik_addr_fmt(a, buf);
}

static const char *p6(const uint8_t a[16], int plen, char *buf)
{
	return ik_prefix6_fmt_ios(a, plen, buf);
}

static const char *a6(const uint8_t a[16], char *buf)
{
	return ik_addr6_fmt_ios(a, buf);
}

static void print_key(const struct ik_key *k, struct ik_sb *out)
{
	char a[IK_ADDRSTRLEN], m[IK_ADDRSTRLEN], p[IK_PREFIX6STRLEN];
	const char *key = (const char *)k->secret->p;

	if (k->kind == IK_KEY_ADDRESS && k->v6) {
		if (k->ring->is_default)
			ik_sb_printf(out, "crypto isakmp key %s address ipv6 %s%s\n", key,
				     p6(k->addr6, k->plen, p), k->no_xauth ? " no-xauth" : "");
		else
			ik_sb_printf(out, "  pre-shared-key address ipv6 %s key %s\n",
				     p6(k->addr6, k->plen, p), key);
		return;
	}

	if (k->ring->is_default) {
		if (k->kind == IK_KEY_HOSTNAME) {
			ik_sb_printf(out, "crypto isakmp key %s hostname %s\n", key, k->hostname);
			return;
		}
		ik_sb_printf(out, "crypto isakmp key %s address %s", key, a2s(k->addr, a));
		if (k->mask_given)
			ik_sb_printf(out, " %s", a2s(k->mask, m));
		ik_sb_add(out, k->no_xauth ? " no-xauth\n" : "\n");
		return;
	}
	if (k->kind == IK_KEY_HOSTNAME) {
		ik_sb_printf(out, "  pre-shared-key hostname %s key %s\n", k->hostname, key);
		return;
	}
	ik_sb_printf(out, "  pre-shared-key address %s", a2s(k->addr, a));
	if (k->mask_given)
		ik_sb_printf(out, " %s", a2s(k->mask, m));
	ik_sb_printf(out, " key %s\n", key);
}

static void print_local_address(const char *ifname, uint32_t a, const uint8_t *v6,
				struct ik_sb *out)
{
	char buf[IK_ADDR_ANYSTRLEN];

	if (ifname)
		ik_sb_printf(out, "  local-address %s\n", ifname);
	else if (v6)
		ik_sb_printf(out, "  local-address %s\n", a6(v6, buf));
	else if (a)
		ik_sb_printf(out, "  local-address %s\n", a2s(a, buf));
}

static void print_keyrings(const struct ik_config *cfg, struct ik_sb *out)
{
	for (size_t i = 0; i < cfg->nkeyrings; i++) {
		const struct ik_keyring *kr = cfg->keyrings[i];

		if (kr->is_default) {
			/* its keys are crypto isakmp key lines; only these need a block */
			if (!kr->description && !kr->local_address_if && !kr->local_address &&
			    !kr->local_v6)
				continue;
			ik_sb_add(out, "!\n");
			ik_sb_printf(out, "crypto keyring %s\n", kr->name);
		} else if (kr->vrf) {
			ik_sb_add(out, "!\n");
			ik_sb_printf(out, "crypto keyring %s vrf %s\n", kr->name, kr->vrf);
		} else {
			ik_sb_add(out, "!\n");
			ik_sb_printf(out, "crypto keyring %s\n", kr->name);
		}
		if (kr->description)
			ik_sb_printf(out, "  description %s\n", kr->description);
		print_local_address(kr->local_address_if, kr->local_address_if ? 0 : kr->local_address,
				    kr->local_v6 ? kr->local_address6 : NULL, out);
		if (!kr->is_default)
			for (size_t k = 0; k < kr->nkeys; k++)
				print_key(kr->keys[k], out);
	}
}

static void print_isakmp(const struct ik_config *cfg, struct ik_sb *out)
{
	const struct ik_keyring *def = cfg->keyrings[0];

	for (size_t i = 0; i < cfg->npolicies; i++) {
		const struct ik_isakmp_policy *p = &cfg->policies[i];

		ik_sb_add(out, "!\n");
		ik_sb_printf(out, "crypto isakmp policy %u\n", p->prio);
		if (p->encr == IK_ENCR_AES && p->keylen != 128)
			ik_sb_printf(out, " encr aes %u\n", p->keylen);
		else if (p->encr != IK_ENCR_DES)
			ik_sb_printf(out, " encr %s\n", ik_encr_name(p->encr));
		if (p->hash != IK_HASH_SHA1)
			ik_sb_printf(out, " hash %s\n", ik_hash_name(p->hash));
		if (p->auth == IK_AUTH_PSK)
			ik_sb_add(out, " authentication pre-share\n");
		else if (p->auth == IK_AUTH_ECDSA_SIG)
			ik_sb_add(out, " authentication ecdsa-sig\n");
		if (p->group != 1)
			ik_sb_printf(out, " group %u\n", p->group);
		if (p->lifetime != 86400)
			ik_sb_printf(out, " lifetime %u\n", (unsigned)p->lifetime);
	}
	if (def->nkeys || cfg->isakmp_identity == IK_SELF_ID_FQDN || cfg->keepalive ||
	    cfg->nat_keepalive || cfg->max_in_negotiation || cfg->v2_max_in_negotiation ||
	    cfg->aggressive_mode_disable || cfg->invalid_spi_recovery ||
	    cfg->isakmp_fragmentation || cfg->logging_session)
		ik_sb_add(out, "!\n");
	for (size_t k = 0; k < def->nkeys; k++)
		print_key(def->keys[k], out);
	if (cfg->isakmp_identity == IK_SELF_ID_FQDN)
		ik_sb_add(out, "crypto isakmp identity hostname\n");
	if (cfg->keepalive)
		ik_sb_printf(out, "crypto isakmp keepalive %u %u%s\n", cfg->keepalive,
			     cfg->keepalive_retry, cfg->keepalive_periodic ? " periodic" : "");
	if (cfg->nat_keepalive)
		ik_sb_printf(out, "crypto isakmp nat keepalive %u\n", cfg->nat_keepalive);
	if (cfg->aggressive_mode_disable)
		ik_sb_add(out, "crypto isakmp aggressive-mode disable\n");
	if (cfg->max_in_negotiation)
		ik_sb_printf(out, "crypto call admission limit ike in-negotiation-sa %u\n",
			     cfg->max_in_negotiation);
	if (cfg->v2_max_in_negotiation)
		ik_sb_printf(out, "crypto ikev2 limit max-in-negotiation-sa %u\n",
			     cfg->v2_max_in_negotiation);
	if (cfg->invalid_spi_recovery)
		ik_sb_add(out, "crypto isakmp invalid-spi-recovery\n");
	if (cfg->isakmp_fragmentation)
		ik_sb_add(out, "crypto isakmp fragmentation\n");
	if (cfg->logging_session)
		ik_sb_add(out, "crypto logging session\n");
}

const char *ik_authlist_id_kw(enum ik_authl_kind k)
{
	switch (k) {
	case IK_AUTHL_ADDRESS: return "address";
	case IK_AUTHL_FQDN: return "fqdn";
	case IK_AUTHL_EMAIL: return "email";
	case IK_AUTHL_DN: return "dn";
	case IK_AUTHL_ANY: break;
	}
	return "any";
}

char *ik_authlist_peer_text(const struct ik_authlist_peer *p, char *buf, size_t len)
{
	char a[IK_ADDR_ANYSTRLEN], hex[65];
	size_t hl = p->alg == IK_AUTHL_SHA1 ? 20 : 32;

	for (size_t i = 0; i < hl; i++)
		snprintf(hex + 2 * i, 3, "%02x", p->hash[i]);
	switch (p->kind) {
	case IK_AUTHL_ANY:
		snprintf(buf, len, "peer any");
		break;
	case IK_AUTHL_ADDRESS:
		snprintf(buf, len, "peer address %s", ik_addr_fmt_any(&p->addr, a));
		break;
	case IK_AUTHL_DN:
		snprintf(buf, len, "peer dn \"%s\"", p->value);
		break;
	default:
		snprintf(buf, len, "peer %s %s", ik_authlist_id_kw(p->kind), p->value);
		break;
	}
	snprintf(buf + strlen(buf), len - strlen(buf), " key-hash %s %s",
		 p->alg == IK_AUTHL_SHA1 ? "sha1" : "sha256", hex);
	return buf;
}

static void print_authlists(const struct ik_config *cfg, struct ik_sb *out)
{
	char line[IK_CONF_MAX_LINE + 160];

	for (size_t i = 0; i < cfg->nauthlists; i++) {
		const struct ik_authlist *l = cfg->authlists[i];

		ik_sb_add(out, "!\n");
		ik_sb_printf(out, "crypto isakmp authorization list %s\n", l->name);
		if (l->description)
			ik_sb_printf(out, " description %s\n", l->description);
		for (size_t k = 0; k < l->npeers; k++)
			ik_sb_printf(out, " %s\n",
				     ik_authlist_peer_text(&l->peers[k], line, sizeof(line)));
		if (l->raw_keys)
			ik_sb_add(out, " raw-public-key accept\n");
	}
}

static void print_profiles(const struct ik_config *cfg, struct ik_sb *out)
{
	char a[IK_ADDR_ANYSTRLEN], m[IK_ADDRSTRLEN], pb[IK_PREFIX6STRLEN];

	for (size_t i = 0; i < cfg->nprofiles; i++) {
		const struct ik_isakmp_profile *p = cfg->profiles[i];

		ik_sb_add(out, "!\n");
		ik_sb_printf(out, "crypto isakmp profile %s\n", p->name);
		if (p->description)
			ik_sb_printf(out, "   description %s\n", p->description);
		if (p->ivrf)
			ik_sb_printf(out, "   vrf %s\n", p->ivrf);
		for (size_t k = 0; k < p->ntrustpoints; k++)
			ik_sb_printf(out, "   ca trust-point %s\n", p->trustpoints[k]->name);
		if (p->cert_map)
			ik_sb_printf(out, "   match certificate %s\n", p->cert_map->name);
		for (size_t k = 0; k < p->nkeyrings; k++)
			ik_sb_printf(out, "   keyring %s\n", p->keyrings[k]->name);
		if (p->self_id == IK_SELF_ID_ADDRESS)
			ik_sb_add(out, "   self-identity address\n");
		else if (p->self_id == IK_SELF_ID_FQDN || p->self_id == IK_SELF_ID_USER_FQDN)
			ik_sb_printf(out, "   self-identity %s%s%s\n",
				     p->self_id == IK_SELF_ID_FQDN ? "fqdn" : "user-fqdn",
				     p->self_id_value ? " " : "",
				     p->self_id_value ? p->self_id_value : "");
		for (size_t k = 0; k < p->nmatches; k++) {
			const struct ik_identity_match *mt = &p->matches[k];

			if (mt->kind == IK_MATCH_HOST) {
				ik_sb_printf(out, "   match identity host %s\n", mt->name);
				continue;
			}
			if (mt->kind == IK_MATCH_HOST_DOMAIN) {
				ik_sb_printf(out, "   match identity host domain %s\n", mt->name);
				continue;
			}
			if (mt->kind == IK_MATCH_USER_FQDN) {
				ik_sb_printf(out, "   match identity user-fqdn %s\n", mt->name);
				continue;
			}
			if (mt->v6) {
				ik_sb_printf(out, "   match identity address ipv6 %s%s%s\n",
					     p6(mt->addr6, mt->plen, pb), mt->vrf ? " " : "",
					     mt->vrf ? mt->vrf : "");
				continue;
			}
			ik_sb_printf(out, "   match identity address %s", a2s(mt->addr, a));
			/* a VRF named like an address needs the mask before it */
			if (mt->mask_given || (mt->vrf && ik_addr_parse(mt->vrf, &(uint32_t){ 0 }) == 0))
				ik_sb_printf(out, " %s", a2s(mt->mask, m));
			if (mt->vrf)
				ik_sb_printf(out, " %s", mt->vrf);
			ik_sb_add(out, "\n");
		}
		if (p->local_address_if)
			ik_sb_printf(out, "   local-address %s\n", p->local_address_if);
		else if (p->local_v6)
			ik_sb_printf(out, "   local-address %s\n", a6(p->local_address6, a));
		else if (p->local_address)
			ik_sb_printf(out, "   local-address %s\n", a2s(p->local_address, a));
		if (p->keepalive)
			ik_sb_printf(out, "   keepalive %u retry %u\n", p->keepalive,
				     p->keepalive_retry);
		if (p->initiate_aggressive)
			ik_sb_add(out, "   initiate mode aggressive\n");
		if (p->authz)
			ik_sb_printf(out, "   authorization list %s\n", p->authz->name);
	}
}

static void print_tsets(const struct ik_config *cfg, struct ik_sb *out)
{
	static const char *const auths[] = {
		[IK_ESP_MD5] = "esp-md5-hmac", [IK_ESP_SHA1] = "esp-sha-hmac",
		[IK_ESP_SHA256] = "esp-sha256-hmac", [IK_ESP_SHA384] = "esp-sha384-hmac",
		[IK_ESP_SHA512] = "esp-sha512-hmac",
	};

	if (cfg->sa_lifetime_sec != 3600 || cfg->sa_lifetime_kb != 4608000 || cfg->df_bit ||
	    cfg->replay_window || cfg->replay_disable || cfg->sa_idle_time)
		ik_sb_add(out, "!\n");
	if (cfg->df_bit)
		ik_sb_printf(out, "crypto ipsec df-bit %s\n",
			     cfg->df_bit == IK_DF_CLEAR ? "clear" : "set");
	if (cfg->replay_window)
		ik_sb_printf(out, "crypto ipsec security-association replay window-size %u\n",
			     cfg->replay_window);
	if (cfg->replay_disable)
		ik_sb_add(out, "crypto ipsec security-association replay disable\n");
	if (cfg->sa_idle_time)
		ik_sb_printf(out, "crypto ipsec security-association idle-time %u\n",
			     cfg->sa_idle_time);
	if (cfg->sa_lifetime_sec != 3600)
		ik_sb_printf(out, "crypto ipsec security-association lifetime seconds %u\n",
			     (unsigned)cfg->sa_lifetime_sec);
	if (cfg->sa_lifetime_kb != 4608000)
		ik_sb_printf(out, "crypto ipsec security-association lifetime kilobytes %llu\n",
			     (unsigned long long)cfg->sa_lifetime_kb);
	for (size_t i = 0; i < cfg->ntsets; i++) {
		const struct ik_transform_set *t = cfg->tsets[i];

		ik_sb_add(out, "!\n");
		ik_sb_printf(out, "crypto ipsec transform-set %s", t->name);
		switch (t->enc) {
		case IK_ESP_DES: ik_sb_add(out, " esp-des"); break;
		case IK_ESP_3DES: ik_sb_add(out, " esp-3des"); break;
		case IK_ESP_AES:
		case IK_ESP_GCM:
			ik_sb_add(out, t->enc == IK_ESP_AES ? " esp-aes" : " esp-gcm");
			if (t->keylen != 128)
				ik_sb_printf(out, " %u", t->keylen);
			break;
		case IK_ESP_ENC_NONE: break;
		}
		if (t->auth && t->auth < sizeof(auths) / sizeof(auths[0]))
			ik_sb_printf(out, " %s", auths[t->auth]);
		ik_sb_printf(out, "\n mode %s%s\n", t->mode == IK_MODE_TRANSPORT ? "transport" : "tunnel",
			     t->mode_require ? " require" : "");
	}
}

static const char *id_kw(enum ik_id_type t)
{
	switch (t) {
	case IK_ID_ADDRESS: return "address";
	case IK_ID_FQDN: return "fqdn";
	case IK_ID_EMAIL: return "email";
	case IK_ID_KEY_ID: return "key-id";
	case IK_ID_NONE: break;
	}
	return NULL;
}

static void print_strv(struct ik_sb *out, const char *cmd, char *const *v, size_t n)
{
	if (!n)
		return;
	ik_sb_printf(out, " %s", cmd);
	for (size_t i = 0; i < n; i++)
		ik_sb_printf(out, " %s", v[i]);
	ik_sb_add(out, "\n");
}

static const char *auth_kw(enum ik_authm a)
{
	return a == IK_AUTH_RSA_SIG ? "rsa-sig" : a == IK_AUTH_ECDSA_SIG ? "ecdsa-sig" :
	       "pre-share";
}

static void print_ikev2(const struct ik_config *cfg, struct ik_sb *out)
{
	char a[IK_ADDRSTRLEN], m[IK_ADDRSTRLEN], pb[IK_PREFIX6STRLEN];

	if (cfg->v2_cookie_challenge) {
		ik_sb_add(out, "!\n");
		ik_sb_printf(out, "crypto ikev2 cookie-challenge %u\n", cfg->v2_cookie_challenge);
	}
	if (cfg->v2_frag_mtu) {
		ik_sb_add(out, "!\n");
		if (cfg->v2_frag_mtu == IK_V2_FRAG_MTU_DEFAULT)
			ik_sb_add(out, "crypto ikev2 fragmentation\n");
		else
			ik_sb_printf(out, "crypto ikev2 fragmentation mtu %u\n", cfg->v2_frag_mtu);
	}
	for (size_t i = 0; i < cfg->nv2_proposals; i++) {
		const struct ik_ikev2_proposal *p = cfg->v2_proposals[i];

		ik_sb_add(out, "!\n");
		ik_sb_printf(out, "crypto ikev2 proposal %s\n", p->name);
		print_strv(out, "encryption", p->encr, p->nencr);
		print_strv(out, "integrity", p->integ, p->ninteg);
		print_strv(out, "prf", p->prf, p->nprf);
		print_strv(out, "group", p->group, p->ngroup);
	}
	for (size_t i = 0; i < cfg->nv2_policies; i++) {
		const struct ik_ikev2_policy *p = cfg->v2_policies[i];

		ik_sb_add(out, "!\n");
		ik_sb_printf(out, "crypto ikev2 policy %s\n", p->name);
		for (size_t k = 0; k < p->nmatch_fvrf; k++)
			ik_sb_printf(out, " match fvrf %s\n", p->match_fvrf[k]);
		for (size_t k = 0; k < p->nmatch_local; k++)
			ik_sb_printf(out, " match address local %s\n", a2s(p->match_local[k], a));
		for (size_t k = 0; k < p->nproposals; k++)
			ik_sb_printf(out, " proposal %s\n", p->proposals[k]->name);
	}
	for (size_t i = 0; i < cfg->nv2_keyrings; i++) {
		const struct ik_ikev2_keyring *kr = cfg->v2_keyrings[i];

		ik_sb_add(out, "!\n");
		ik_sb_printf(out, "crypto ikev2 keyring %s\n", kr->name);
		for (size_t k = 0; k < kr->npeers; k++) {
			const struct ik_ikev2_peer *p = &kr->peers[k];

			ik_sb_printf(out, " peer %s\n", p->name);
			if (p->description)
				ik_sb_printf(out, "  description %s\n", p->description);
			if (p->has_addr && p->v6) {
				ik_sb_printf(out, "  address %s\n", p6(p->addr6, p->plen, pb));
			} else if (p->has_addr) {
				ik_sb_printf(out, "  address %s", a2s(p->addr, a));
				if (p->mask_given)
					ik_sb_printf(out, " %s", a2s(p->mask, m));
				ik_sb_add(out, "\n");
			}
			if (p->hostname)
				ik_sb_printf(out, "  hostname %s\n", p->hostname);
			if (id_kw(p->id_type))
				ik_sb_printf(out, "  identity %s%s %s\n", id_kw(p->id_type),
					     p->id_domain ? " domain" : "", p->id_value);
			if (p->psk)
				ik_sb_printf(out, "  pre-shared-key %s\n", (const char *)p->psk->p);
			if (p->psk_local)
				ik_sb_printf(out, "  pre-shared-key local %s\n",
					     (const char *)p->psk_local->p);
			if (p->psk_remote)
				ik_sb_printf(out, "  pre-shared-key remote %s\n",
					     (const char *)p->psk_remote->p);
		}
	}
	for (size_t i = 0; i < cfg->nv2_profiles; i++) {
		const struct ik_ikev2_profile *p = cfg->v2_profiles[i];

		ik_sb_add(out, "!\n");
		ik_sb_printf(out, "crypto ikev2 profile %s\n", p->name);
		if (p->description)
			ik_sb_printf(out, " description %s\n", p->description);
		if (p->match_fvrf)
			ik_sb_printf(out, " match fvrf %s\n", p->match_fvrf);
		for (size_t k = 0; k < p->nmatch_local; k++)
			ik_sb_printf(out, " match address local %s\n", a2s(p->match_local[k], a));
		for (size_t k = 0; k < p->nmatches; k++) {
			const struct ik_ikev2_match *mt = &p->matches[k];

			if (mt->type == IK_ID_ADDRESS && mt->v6) {
				ik_sb_printf(out, " match identity remote address %s\n",
					     p6(mt->addr6, mt->plen, pb));
			} else if (mt->type == IK_ID_ADDRESS) {
				ik_sb_printf(out, " match identity remote address %s",
					     a2s(mt->addr, a));
				if (mt->mask_given)
					ik_sb_printf(out, " %s", a2s(mt->mask, m));
				ik_sb_add(out, "\n");
			} else if (id_kw(mt->type)) {
				ik_sb_printf(out, " match identity remote %s%s %s\n", id_kw(mt->type),
					     mt->domain ? " domain" : "", mt->value);
			}
		}
		if (id_kw(p->local_id_type))
			ik_sb_printf(out, " identity local %s %s\n", id_kw(p->local_id_type),
				     p->local_id_value);
		else if (p->local_id_dn)
			ik_sb_printf(out, " identity local dn\n");
		if (p->cert_map)
			ik_sb_printf(out, " match certificate %s\n", p->cert_map->name);
		if (p->auth_remote)
			ik_sb_printf(out, " authentication remote %s\n", auth_kw(p->auth_remote));
		if (p->auth_local)
			ik_sb_printf(out, " authentication local %s%s\n", auth_kw(p->auth_local),
				     p->auth_local_digsig ? " digital-signature" : "");
		if (p->keyring)
			ik_sb_printf(out, " keyring local %s\n", p->keyring->name);
		for (size_t k = 0; k < p->ntrustpoints; k++)
			ik_sb_printf(out, " pki trustpoint %s\n", p->trustpoints[k]->name);
		if (p->lifetime)
			ik_sb_printf(out, " lifetime %u\n", (unsigned)p->lifetime);
		if (p->dpd_interval)
			ik_sb_printf(out, " dpd %u %u %s\n", p->dpd_interval, p->dpd_retry,
				     p->dpd_periodic ? "periodic" : "on-demand");
		if (p->nat_keepalive)
			ik_sb_printf(out, " nat keepalive %u\n", p->nat_keepalive);
		if (p->authz)
			ik_sb_printf(out, " authorization list %s\n", p->authz->name);
	}
}

static void print_ipsec_profiles(const struct ik_config *cfg, struct ik_sb *out)
{
	for (size_t i = 0; i < cfg->nipsec_profiles; i++) {
		const struct ik_ipsec_profile *p = cfg->ipsec_profiles[i];

		ik_sb_add(out, "!\n");
		ik_sb_printf(out, "crypto ipsec profile %s\n", p->name);
		if (p->description)
			ik_sb_printf(out, " description %s\n", p->description);
		if (p->lifetime_kb)
			ik_sb_printf(out, " set security-association lifetime kilobytes %llu\n",
				     (unsigned long long)p->lifetime_kb);
		if (p->lifetime_sec)
			ik_sb_printf(out, " set security-association lifetime seconds %u\n",
				     (unsigned)p->lifetime_sec);
		if (p->ntsets) {
			ik_sb_add(out, " set transform-set");
			for (size_t k = 0; k < p->ntsets; k++)
				ik_sb_printf(out, " %s", p->tsets[k]->name);
			ik_sb_add(out, "\n");
		}
		if (p->pfs_group)
			ik_sb_printf(out, " set pfs group%u\n", p->pfs_group);
		if (p->isakmp_profile)
			ik_sb_printf(out, " set isakmp-profile %s\n", p->isakmp_profile->name);
		if (p->ikev2_profile)
			ik_sb_printf(out, " set ikev2-profile %s\n", p->ikev2_profile->name);
	}
}

static const char *const tunnel_modes[] = {
	[IK_TUN_GRE_IP] = NULL, [IK_TUN_IPSEC_IPV4] = "ipsec ipv4",
	[IK_TUN_GRE_IPV6] = "gre ipv6", [IK_TUN_IPSEC_IPV6] = "ipsec ipv6",
};
static void print_cmap_entry(const struct ik_cmap_entry *e, struct ik_sb *out)
{
	char a[IK_ADDR_ANYSTRLEN];

	if (e->map->is_dynamic)
		ik_sb_printf(out, "crypto dynamic-map %s %u\n", e->map->name, e->seq);
	else if (e->dynamic_name)
		ik_sb_printf(out, "crypto map %s %u ipsec-isakmp dynamic %s\n", e->map->name,
			     e->seq, e->dynamic_name);
	else
		ik_sb_printf(out, "crypto map %s %u ipsec-isakmp\n", e->map->name, e->seq);
	if (e->dynamic_name)
		return;
	if (e->description)
		ik_sb_printf(out, " description %s\n", e->description);
	for (size_t k = 0; k < e->npeers; k++)
		ik_sb_printf(out, " set peer %s%s\n", ik_addr_fmt_ios(&e->peers[k], a),
			     !k && e->peer_default ? " default" : "");
	if (e->per_host)
		ik_sb_add(out, " set security-association level per-host\n");
	if (e->lifetime_kb)
		ik_sb_printf(out, " set security-association lifetime kilobytes %llu\n",
			     (unsigned long long)e->lifetime_kb);
	if (e->lifetime_sec)
		ik_sb_printf(out, " set security-association lifetime seconds %u\n",
			     (unsigned)e->lifetime_sec);
	if (e->ntsets) {
		ik_sb_add(out, " set transform-set");
		for (size_t k = 0; k < e->ntsets; k++)
			ik_sb_printf(out, " %s", e->tsets[k]->name);
		ik_sb_add(out, "\n");
	}
	if (e->pfs_group)
		ik_sb_printf(out, " set pfs group%u\n", e->pfs_group);
	if (e->isakmp_profile)
		ik_sb_printf(out, " set isakmp-profile %s\n", e->isakmp_profile->name);
	if (e->ikev2_profile)
		ik_sb_printf(out, " set ikev2-profile %s\n", e->ikev2_profile->name);
	if (e->acl_name)
		ik_sb_printf(out, " match address %s\n", e->acl_name);
	if (e->reverse_route)
		ik_sb_add(out, e->reverse_route_static ? " reverse-route static\n" :
			  " reverse-route\n");
}

/* Dynamic maps first (the maps refer to them), then the maps, each with its
 * local-address line before its entries, as IOS prints them. */
static void print_cmaps(const struct ik_config *cfg, struct ik_sb *out)
{
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < cfg->ncmaps; i++) {
			const struct ik_cmap *m = cfg->cmaps[i];

			if (m->is_dynamic != !pass)
				continue;
			if (m->local_address_if) {
				ik_sb_add(out, "!\n");
				ik_sb_printf(out, "crypto map %s local-address %s\n", m->name,
					     m->local_address_if);
			}
			for (size_t k = 0; k < m->nentries; k++) {
				ik_sb_add(out, "!\n");
				print_cmap_entry(m->entries[k], out);
			}
		}
}

static void print_ace(const struct ik_acl *acl, const struct ik_ace *a, unsigned prev_seq,
		      struct ik_sb *out)
{
	if (acl->numbered)
		ik_sb_printf(out, "access-list %s ", acl->name);
	else
		ik_sb_add(out, " ");
	/* IPv6 lines: IOS writes a sequence number that is not the next by 10 */
	if (acl->ipv6 && a->action != IK_ACE_REMARK && a->seq != prev_seq + 10)
		ik_sb_printf(out, "sequence %u ", a->seq);
	ik_sb_printf(out, "%s ", acl->ipv6 ? ik_ace_action_word(a, false) :
		     ik_ace_action_word(a, true));
	ik_ace_format(a, out);
	ik_sb_add(out, "\n");
}

/* Named lists as blocks, then the numbered ones as access-list lines. */
static void print_acls(const struct ik_config *cfg, struct ik_sb *out)
{
	bool numbered_seen = false;

	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < cfg->nacls; i++) {
			const struct ik_acl *acl = cfg->acls[i];

			if (acl->numbered != (pass == 1))
				continue;
			if (!acl->numbered || !numbered_seen)
				ik_sb_add(out, "!\n");
			numbered_seen = acl->numbered;
			if (acl->ipv6)
				ik_sb_printf(out, "ipv6 access-list %s\n", acl->name);
			else if (!acl->numbered)
				ik_sb_printf(out, "ip access-list extended %s\n", acl->name);
			for (size_t k = 0, prev = 0; k < acl->naces; k++) {
				print_ace(acl, &acl->aces[k], (unsigned)prev, out);
				if (acl->aces[k].action != IK_ACE_REMARK)
					prev = acl->aces[k].seq;
			}
		}
}

static void print_ifaces(const struct ik_config *cfg, struct ik_sb *out)
{
	char a[IK_ADDR_ANYSTRLEN], m[IK_ADDRSTRLEN], pb[IK_PREFIX6STRLEN];

	for (size_t i = 0; i < cfg->nvrfs; i++) {
		const struct ik_vrf *v = &cfg->vrfs[i];

		ik_sb_add(out, "!\n");
		ik_sb_printf(out, "%s %s\n", v->definition ? "vrf definition" : "ip vrf", v->name);
		if (v->rd)
			ik_sb_printf(out, " rd %s\n", v->rd);
		if (v->definition && v->af_ipv4)
			ik_sb_add(out, " !\n address-family ipv4\n exit-address-family\n");
	}
	for (size_t i = 0; i < cfg->nifaces; i++) {
		const struct ik_interface *f = cfg->ifaces[i];

		ik_sb_add(out, "!\n");
		ik_sb_printf(out, "interface %s\n", f->name);
		if (f->description)
			ik_sb_printf(out, " description %s\n", f->description);
		if (f->vrf)
			ik_sb_printf(out, " vrf forwarding %s\n", f->vrf);
		if (f->mask)
			ik_sb_printf(out, " ip address %s %s\n", a2s(f->addr, a), a2s(f->mask, m));
		if (f->has_addr6)
			ik_sb_printf(out, " ipv6 address %s\n", p6(f->addr6, f->plen6, pb));
		if (f->ip_mtu)
			ik_sb_printf(out, " ip mtu %u\n", f->ip_mtu);
		if (f->tcp_adjust_mss)
			ik_sb_printf(out, " ip tcp adjust-mss %u\n", f->tcp_adjust_mss);
		if (f->shutdown)
			ik_sb_add(out, " shutdown\n");
		if (f->tunnel_source_if)
			ik_sb_printf(out, " tunnel source %s\n", f->tunnel_source_if);
		else if (f->tunnel_source_v6)
			ik_sb_printf(out, " tunnel source %s\n", a6(f->tunnel_source6, a));
		else if (f->tunnel_source)
			ik_sb_printf(out, " tunnel source %s\n", a2s(f->tunnel_source, a));
		if (f->tunnel_dest_v6)
			ik_sb_printf(out, " tunnel destination %s\n", a6(f->tunnel_dest6, a));
		else if (f->tunnel_dest)
			ik_sb_printf(out, " tunnel destination %s\n", a2s(f->tunnel_dest, a));
		if (f->tunnel_mode != IK_TUN_GRE_IP)
			ik_sb_printf(out, " tunnel mode %s\n", tunnel_modes[f->tunnel_mode]);
		if (f->tunnel_vrf)
			ik_sb_printf(out, " tunnel vrf %s\n", f->tunnel_vrf);
		if (f->protection)
			ik_sb_printf(out, " tunnel protection ipsec profile %s\n",
				     f->protection->name);
		if (f->crypto_map)
			ik_sb_printf(out, " crypto map %s\n", f->crypto_map->name);
		if (f->crypto_map6)
			ik_sb_printf(out, " ipv6 crypto map %s\n", f->crypto_map6->name);
	}
	if (cfg->nroutes)
		ik_sb_add(out, "!\n");
	for (size_t i = 0; i < cfg->nroutes; i++) {
		const struct ik_route *r = &cfg->routes[i];

		if (r->v6) {
			ik_sb_add(out, "ipv6 route");
			if (r->vrf)
				ik_sb_printf(out, " vrf %s", r->vrf);
			ik_sb_printf(out, " %s", p6(r->prefix6, r->plen6, pb));
			if (r->out_if_name)
				ik_sb_printf(out, " %s", r->out_if_name);
			if (r->has_nexthop6)
				ik_sb_printf(out, " %s", a6(r->nexthop6, a));
			ik_sb_add(out, "\n");
			continue;
		}
		ik_sb_add(out, "ip route");
		if (r->vrf)
			ik_sb_printf(out, " vrf %s", r->vrf);
		ik_sb_printf(out, " %s %s", a2s(r->prefix, a), a2s(r->mask, m));
		if (r->out_if_name)
			ik_sb_printf(out, " %s", r->out_if_name);
		if (r->nexthop)
			ik_sb_printf(out, " %s", a2s(r->nexthop, a));
		ik_sb_add(out, "\n");
	}
}

void ik_config_print(const struct ik_config *cfg, struct ik_sb *out)
{
	if (!cfg || !out)
		return;
	ik_sb_printf(out, "hostname %s\n", cfg->hostname);
	ik_conf_pki_print(cfg, out);
	print_keyrings(cfg, out);
	print_isakmp(cfg, out);
	print_authlists(cfg, out);
	print_profiles(cfg, out);
	print_tsets(cfg, out);
	print_ikev2(cfg, out);
	print_ipsec_profiles(cfg, out);
	print_cmaps(cfg, out);
	print_ifaces(cfg, out);
	print_acls(cfg, out);
}
