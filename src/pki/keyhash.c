/* The authorization list lines of a certificate or key file (see keyhash.h). */
#include "pki/keyhash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "pki/pki.h"
#include "util/addr.h"

/* The certificate in the file, or NULL when it holds a bare key (or cannot
 * be read: ik_pki_load_pubkey_file says why). */
static X509 *file_cert(const char *path)
{
	uint8_t *buf = malloc(IK_KEYHASH_MAX_FILE + 1);
	FILE *f;
	size_t n;
	X509 *c = NULL;

	if (!buf)
		return NULL;
	f = fopen(path, "rb");
	if (f) {
		n = fread(buf, 1, IK_KEYHASH_MAX_FILE + 1, f);
		fclose(f);
		if (n > 0 && n <= IK_KEYHASH_MAX_FILE)
			c = ik_pki_cert_parse(buf, n, NULL, 0);
	}
	free(buf);
	return c;
}

static void add_line(struct ik_sb *out, struct ik_authlist_peer *p, const uint8_t *h, int *count)
{
	char line[IK_CONF_MAX_LINE + 160];

	memcpy(p->hash, h, sizeof(p->hash));
	ik_sb_printf(out, "%s\n", ik_authlist_peer_text(p, line, sizeof(line)));
	(*count)++;
}

/* The subjectAltNames of c that an authorization list can name. */
static void alt_names(X509 *c, enum ik_authl_alg alg, const uint8_t *h, struct ik_sb *out,
		      int *count)
{
	GENERAL_NAMES *alt = X509_get_ext_d2i(c, NID_subject_alt_name, NULL, NULL);
	int n = alt ? sk_GENERAL_NAME_num(alt) : 0;

	for (int i = 0; i < n; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(alt, i);
		struct ik_authlist_peer p = { .alg = alg };
		const ASN1_STRING *s;
		char v[256];
		int len;

		if (g->type == GEN_DNS || g->type == GEN_EMAIL) {
			s = g->type == GEN_DNS ? g->d.dNSName : g->d.rfc822Name;
			len = ASN1_STRING_length(s);
			/* names with a space, a quote or a control byte cannot be written */
			if (len <= 0 || (size_t)len >= sizeof(v) ||
			    strcspn((const char *)ASN1_STRING_get0_data(s), " \t\"!") < (size_t)len)
				continue;
			memcpy(v, ASN1_STRING_get0_data(s), (size_t)len);
			v[len] = '\0';
			p.kind = g->type == GEN_DNS ? IK_AUTHL_FQDN : IK_AUTHL_EMAIL;
			p.value = v;
		} else if (g->type == GEN_IPADD) {
			s = g->d.iPAddress;
			len = ASN1_STRING_length(s);
			p.kind = IK_AUTHL_ADDRESS;
			if (len == 4) {
				const uint8_t *b = ASN1_STRING_get0_data(s);

				p.addr = ik_addr_v4((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
						    (uint32_t)b[2] << 8 | b[3]);
			} else if (len == 16) {
				p.addr.family = IK_AF_INET6;
				memcpy(p.addr.v6, ASN1_STRING_get0_data(s), 16);
			} else {
				continue;
			}
		} else {
			continue;
		}
		add_line(out, &p, h, count);
	}
	GENERAL_NAMES_free(alt);
}

int ik_keyhash_lines(const char *path, enum ik_authl_alg alg, const struct ik_authlist_peer *id,
		     struct ik_sb *out, bool *anyp, char *err, size_t errlen)
{
	EVP_PKEY *pk = ik_pki_load_pubkey_file(path, err, errlen);
	uint8_t h[32] = { 0 };
	int count = 0;
	X509 *c;

	*anyp = false;
	if (!pk)
		return -1;
	if (ik_pki_key_hash(pk, (enum ik_pki_hash)alg, h) < 0) {
		snprintf(err, errlen, "%s: the key cannot be encoded for hashing", path);
		EVP_PKEY_free(pk);
		return -1;
	}
	EVP_PKEY_free(pk);
	if (id) {
		struct ik_authlist_peer p = *id;

		p.alg = alg;
		add_line(out, &p, h, &count);
		return count;
	}
	c = file_cert(path);
	if (c) {
		char dn[1024];
		struct ik_authlist_peer p = { .kind = IK_AUTHL_DN, .alg = alg, .value = dn };

		ik_pki_name_text(X509_get_subject_name(c), dn, sizeof(dn));
		if (dn[0] && !strchr(dn, '"'))
			add_line(out, &p, h, &count);
		alt_names(c, alg, h, out, &count);
		X509_free(c);
	}
	if (!count) {
		struct ik_authlist_peer p = { .kind = IK_AUTHL_ANY, .alg = alg };

		add_line(out, &p, h, &count);
		*anyp = true;
	}
	return count;
}
