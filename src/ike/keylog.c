/* Wireshark's decryption tables: the row formats (see keylog.h). */
#include "ike/keylog.h"

#include "util/addr.h"

static void hex(struct ik_sb *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ik_sb_printf(out, "%02x", p[i]);
}

void ik_keylog_ikev1(struct ik_sb *out, const uint8_t cky_i[8], const uint8_t *key,
		     size_t len, bool json)
{
	/* Wireshark writes byte fields of a user table as bare hex */
	ik_sb_add(out, json ? "{\"initiator_cookie\":\"" : "");
	hex(out, cky_i, 8);
	ik_sb_add(out, json ? "\",\"encryption_key\":\"" : ",");
	hex(out, key, len);
	ik_sb_add(out, json ? "\"}" : "\n");
}

/* Wireshark 4's names of the ESP algorithms and our key lengths. */
static int esp_enc(const struct ik_child_sa *c, const char **name, size_t *len)
{
	switch (c->enc) {
	case IK_ESP_DES:
		*name = "DES-CBC [RFC2405]";
		*len = 8;
		return 0;
	case IK_ESP_3DES:
		*name = "TripleDES-CBC [RFC2451]";
		*len = 24;
		return 0;
	case IK_ESP_AES:
		*name = "AES-CBC [RFC3602]";
		*len = c->enc_keylen / 8;
		return 0;
	case IK_ESP_GCM:
		if (c->icv_bits && c->icv_bits != 128)
			return -1;
		*name = "AES-GCM with 16 octet ICV [RFC4106]";
		*len = c->enc_keylen / 8 + 4; /* the salt follows the key */
		return 0;
	case IK_ESP_ENC_NONE:
		break;
	}
	return -1;
}

static int esp_auth(const struct ik_child_sa *c, const char **name, size_t *len)
{
	if (c->enc == IK_ESP_GCM) {
		*name = "NULL";
		*len = 0;
		return 0;
	}
	switch (c->auth) {
	case IK_ESP_MD5:
		*name = "HMAC-MD5-96 [RFC2403]";
		*len = 16;
		return 0;
	case IK_ESP_SHA1:
		*name = "HMAC-SHA-1-96 [RFC2404]";
		*len = 20;
		return 0;
	case IK_ESP_SHA256:
		*name = "HMAC-SHA-256-128 [RFC4868]";
		*len = 32;
		return 0;
	case IK_ESP_SHA384:
		*name = "HMAC-SHA-384-192 [RFC4868]";
		*len = 48;
		return 0;
	case IK_ESP_SHA512:
		*name = "HMAC-SHA-512-256 [RFC4868]";
		*len = 64;
		return 0;
	case IK_ESP_AUTH_NONE:
		*name = "NULL";
		*len = 0;
		return 0;
	}
	return -1;
}

int ik_keylog_esp(struct ik_sb *out, const struct ik_child_sa *c, bool inbound, bool json)
{
	const struct ik_esp_sa *d = inbound ? &c->in : &c->out;
	const char *en, *an;
	size_t el, al;
	char s[IK_ADDR_ANYSTRLEN], t[IK_ADDR_ANYSTRLEN];
	const char *proto = d->dst.family == IK_AF_INET6 ? "IPv6" : "IPv4";

	if (esp_enc(c, &en, &el) || esp_auth(c, &an, &al) || el > IK_MAX_ENC_KEY ||
	    al > IK_MAX_AUTH_KEY)
		return -1;
	ik_addr_fmt_any(&d->src, s);
	ik_addr_fmt_any(&d->dst, t);
	if (json)
		ik_sb_printf(out, "{\"protocol\":\"%s\",\"src\":\"%s\",\"dst\":\"%s\","
			     "\"spi\":\"0x%08x\",\"encryption\":\"%s\",\"encryption_key\":\"0x",
			     proto, s, t, d->spi, en);
	else
		ik_sb_printf(out, "\"%s\",\"%s\",\"%s\",\"0x%08x\",\"%s\",\"0x", proto, s, t,
			     d->spi, en);
	hex(out, d->enc_key, el);
	ik_sb_printf(out, json ? "\",\"authentication\":\"%s\",\"authentication_key\":\"%s"
		     : "\",\"%s\",\"%s", an, al ? "0x" : "");
	hex(out, d->auth_key, al);
	ik_sb_add(out, json ? "\"}" : "\"\n");
	return 0;
}
