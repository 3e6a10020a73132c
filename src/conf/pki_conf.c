/* The PKI part of the configuration: trustpoints filled from chain blocks
 * (IOS's hex form) and from PEM files, the router's own certificate and
 * private key, certificate maps; freed and printed back (see pki_conf.h). */
#include "conf/pki_conf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "pki/pki.h"
#include "util/util.h"

#define PKI_MAX_FILE (1024u * 1024)     /* bytes of a certificate or key file */
#define PKI_MAX_PER_FILE 64             /* certificates and CRLs in one file */

static struct ik_pki_store *tp_store(struct ik_trustpoint *tp)
{
	if (!tp->store)
		tp->store = ik_pki_store_new();
	return tp->store;
}

/* The router's certificate, or a trust anchor. */
static int tp_take_cert(struct ik_trustpoint *tp, X509 *c, bool ca, const char *where,
			char *err, size_t errlen)
{
	unsigned char *der = NULL;
	int n;

	if (ca) {
		struct ik_pki_store *s = tp_store(tp);

		n = i2d_X509(c, &der);
		if (!s || n <= 0 || ik_pki_store_add_ca(s, der, (size_t)n, err, errlen) < 0) {
			OPENSSL_free(der);
			if (err && !err[0])
				snprintf(err, errlen, "%s: cannot add the CA certificate", where);
			return -1;
		}
		OPENSSL_free(der);
		return 0;
	}
	if (tp->cert) {
		snprintf(err, errlen, "%s: trustpoint %s has a router certificate already (one "
			 "per trustpoint)", where, tp->name);
		return -1;
	}
	if (X509_up_ref(c) != 1)
		return -1;
	tp->cert = c;
	return 0;
}

int ik_conf_pki_chain_cert(struct ik_trustpoint *tp, const uint8_t *der, size_t len, bool ca,
			   char *err, size_t errlen)
{
	char why[256] = "";
	X509 *c = ik_pki_cert_parse(der, len, why, sizeof(why));
	int rc;

	if (!c) {
		snprintf(err, errlen, "certificate of %zu bytes does not parse: %s", len, why);
		return -1;
	}
	rc = tp_take_cert(tp, c, ca, "certificate", err, errlen);
	X509_free(c);
	return rc;
}

static uint8_t *read_small(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (!f) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	buf = ik_xmalloc(PKI_MAX_FILE + 1);
	n = fread(buf, 1, PKI_MAX_FILE + 1, f);
	fclose(f);
	if (n == 0 || n > PKI_MAX_FILE) {
		snprintf(err, errlen, "%s: %s (1..%u bytes accepted)", path,
			 n ? "too large" : "empty", PKI_MAX_FILE);
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

/* Certificates (CAs become trust anchors, the one end-entity certificate the
 * router's) and CRLs of a PEM file. */
static int import_certs(struct ik_trustpoint *tp, const char *path, char *err, size_t errlen)
{
	size_t len = 0;
	uint8_t *buf = read_small(path, &len, err, errlen);
	BIO *b;
	STACK_OF(X509_INFO) *infos;
	int rc = 0, found = 0;

	if (!buf)
		return -1;
	b = BIO_new_mem_buf(buf, (int)len);
	infos = b ? PEM_X509_INFO_read_bio(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	ik_wipe(buf, len);
	free(buf);
	if (!infos) {
		ERR_clear_error();
		snprintf(err, errlen, "%s: no PEM certificate or CRL in it", path);
		return -1;
	}
	for (int i = 0; i < sk_X509_INFO_num(infos) && !rc; i++) {
		X509_INFO *xi = sk_X509_INFO_value(infos, i);

		if (i >= PKI_MAX_PER_FILE) {
			snprintf(err, errlen, "%s: more than %d certificates and CRLs", path,
				 PKI_MAX_PER_FILE);
			rc = -1;
			break;
		}
		if (xi->x509) {
			rc = tp_take_cert(tp, xi->x509, X509_check_ca(xi->x509) != 0, path, err,
					  errlen);
			found++;
		}
		if (!rc && xi->crl) {
			unsigned char *der = NULL;
			int n = i2d_X509_CRL(xi->crl, &der);
			struct ik_pki_store *s = tp_store(tp);

			if (!s || n <= 0 || ik_pki_store_add_crl(s, der, (size_t)n, err, errlen))
				rc = -1;
			OPENSSL_free(der);
			tp->ncrls++;
			found++;
		}
		if (!rc && xi->x_pkey) {
			snprintf(err, errlen, "%s: holds a private key: give the key in its own "
				 "file, readable by root only (key KEYFILE)", path);
			rc = -1;
		}
	}
	sk_X509_INFO_pop_free(infos, X509_INFO_free);
	ERR_clear_error();
	if (!rc && !found) {
		snprintf(err, errlen, "%s: no PEM certificate or CRL in it", path);
		rc = -1;
	}
	return rc;
}

static int import_key(struct ik_trustpoint *tp, const char *path, char *err, size_t errlen)
{
	struct stat st;
	size_t len = 0;
	uint8_t *buf;
	BIO *b;
	EVP_PKEY *pk;

	if (stat(path, &st)) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "key file %s is not a regular file", path);
		return -1;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, errlen, "key file %s is readable by others (mode %04o): it must be "
			 "readable by root only (chmod 600 %s)", path,
			 (unsigned)(st.st_mode & 07777), path);
		return -1;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(err, errlen, "key file %s belongs to user %u: it must belong to root",
			 path, (unsigned)st.st_uid);
		return -1;
	}
	if (tp->key) {
		snprintf(err, errlen, "trustpoint %s has a private key already", tp->name);
		return -1;
	}
	if (!(buf = read_small(path, &len, err, errlen)))
		return -1;
	b = BIO_new_mem_buf(buf, (int)len);
	pk = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	ik_wipe(buf, len);
	free(buf);
	ERR_clear_error();
	if (!pk) {
		snprintf(err, errlen, "%s: no unencrypted PEM private key in it", path);
		return -1;
	}
	if (EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA && EVP_PKEY_get_base_id(pk) != EVP_PKEY_EC) {
		EVP_PKEY_free(pk);
		snprintf(err, errlen, "%s: the key is neither RSA nor ECDSA", path);
		return -1;
	}
	tp->key = pk;
	return 0;
}

/* A relative path is read from the configuration file's folder. */
static char *resolve_path(const char *cfgfile, const char *path)
{
	const char *slash = cfgfile ? strrchr(cfgfile, '/') : NULL;
	char *out;
	size_t dl;

	if (path[0] == '/' || !slash)
		return ik_xstrdup(path);
	dl = (size_t)(slash - cfgfile);
	out = ik_xmalloc(dl + 1 + strlen(path) + 1);
	memcpy(out, cfgfile, dl);
	out[dl] = '/';
	strcpy(out + dl + 1, path);
	return out;
}

int ik_conf_pki_import(const char *cfgfile, struct ik_trustpoint *tp,
		       const struct ik_tp_import *im, char *err, size_t errlen)
{
	char *p;
	int rc = 0;

	if (im->file) {
		p = resolve_path(cfgfile, im->file);
		rc = import_certs(tp, p, err, errlen);
		free(p);
	}
	if (!rc && im->keyfile) {
		p = resolve_path(cfgfile, im->keyfile);
		rc = import_key(tp, p, err, errlen);
		free(p);
	}
	return rc;
}

int ik_conf_pki_check(struct ik_trustpoint *tp, const char *hostname, char *err,
		      size_t errlen)
{
	if (tp->key && !tp->cert && tp->enrollment_selfsigned) {
		char why[300] = "";

		tp->cert = ik_pki_self_sign(tp->key, tp->subject_name,
					    hostname && hostname[0] ? hostname : tp->name, why,
					    sizeof(why));
		if (!tp->cert) {
			snprintf(err, errlen, "trustpoint %s: enrollment selfsigned: %s", tp->name,
				 why);
			return -1;
		}
	}
	if (tp->key && !tp->cert) {
		snprintf(err, errlen, "trustpoint %s has a private key but no router certificate "
			 "(a key without a CA: enrollment selfsigned)", tp->name);
		return -1;
	}
	tp->cert_self_signed = tp->cert && ik_pki_cert_self_signed(tp->cert);
	tp->has_issuer_hash = false;
	if (tp->cert && tp->store) {
		X509 *cas[64];
		size_t n = ik_pki_store_cas(tp->store, cas, 64);
		uint8_t h[32];

		for (size_t i = 0; i < n && !tp->has_issuer_hash; i++)
			tp->has_issuer_hash = X509_check_issued(cas[i], tp->cert) == X509_V_OK &&
				ik_pki_key_hash(X509_get0_pubkey(cas[i]), IK_PKI_SHA1, h) == 20;
		if (tp->has_issuer_hash)
			memcpy(tp->issuer_hash, h, sizeof(tp->issuer_hash));
		ERR_clear_error();
	}
	if (tp->cert_self_signed && !tp->has_issuer_hash) {
		/* its own issuer: a peer that holds it as a CA names its key */
		uint8_t h[32];

		tp->has_issuer_hash = ik_pki_key_hash(X509_get0_pubkey(tp->cert), IK_PKI_SHA1,
						      h) == 20;
		if (tp->has_issuer_hash)
			memcpy(tp->issuer_hash, h, sizeof(tp->issuer_hash));
	}
	if (tp->key && X509_check_private_key(tp->cert, tp->key) != 1) {
		ERR_clear_error();
		snprintf(err, errlen, "trustpoint %s: the private key is not the key of its "
			 "router certificate", tp->name);
		return -1;
	}
	if (tp->revocation == IK_REVOKE_CRL && !tp->ncrls) {
		snprintf(err, errlen, "trustpoint %s: revocation-check crl needs a CRL (crypto pki "
			 "import %s pem FILE with the CRL in FILE); ikerd does not fetch CRLs",
			 tp->name, tp->name);
		return -1;
	}
	return 0;
}

static void free_tp(struct ik_trustpoint *tp)
{
	free(tp->name);
	free(tp->subject_name);
	free(tp->rsakeypair);
	free(tp->eckeypair);
	for (size_t i = 0; i < tp->ncerts; i++) {
		free(tp->certs[i].der);
		free(tp->certs[i].serial);
	}
	free(tp->certs);
	for (size_t i = 0; i < tp->nimports; i++) {
		free(tp->imports[i].file);
		free(tp->imports[i].keyfile);
	}
	free(tp->imports);
	ik_pki_store_free(tp->store);
	X509_free(tp->cert);
	EVP_PKEY_free(tp->key);
	free(tp);
}

void ik_conf_pki_free(struct ik_config *cfg)
{
	for (size_t i = 0; i < cfg->ntrustpoints; i++)
		free_tp(cfg->trustpoints[i]);
	free(cfg->trustpoints);
	for (size_t i = 0; i < cfg->ncertmaps; i++) {
		struct ik_certmap *m = cfg->certmaps[i];

		for (size_t k = 0; k < m->nentries; k++) {
			for (size_t r = 0; r < m->entries[k].nrules; r++)
				free(m->entries[k].rules[r].value);
			free(m->entries[k].rules);
		}
		free(m->entries);
		free(m->name);
		free(m);
	}
	free(cfg->certmaps);
	free(cfg->certmap_profiles);
	free(cfg->v2_certmap_profiles);
}

/* ---- show running-config ---- */

static const char *const map_fields[] = { "subject-name", "issuer-name" };
static const char *const map_ops[] = { "eq", "ne", "co", "nc" };

const char *ik_conf_certmap_field_kw(unsigned f)
{
	return f < IK_ARRAY_LEN(map_fields) ? map_fields[f] : "?";
}

const char *ik_conf_certmap_op_kw(unsigned op)
{
	return op < IK_ARRAY_LEN(map_ops) ? map_ops[op] : "?";
}

/* IOS prints a certificate as hex words of 4 bytes, 8 to a line. */
static void print_hex(const uint8_t *d, size_t n, struct ik_sb *out)
{
	for (size_t i = 0; i < n; i += 32) {
		ik_sb_add(out, "  ");
		for (size_t k = i; k < n && k < i + 32; k++)
			ik_sb_printf(out, "%s%02X", k > i && (k - i) % 4 == 0 ? " " : "", d[k]);
		ik_sb_add(out, "\n");
	}
	ik_sb_add(out, "  \tquit\n");
}

void ik_conf_pki_print(const struct ik_config *cfg, struct ik_sb *out)
{
	for (size_t i = 0; i < cfg->ntrustpoints; i++) {
		const struct ik_trustpoint *tp = cfg->trustpoints[i];

		ik_sb_add(out, "!\n");
		ik_sb_printf(out, "crypto pki trustpoint %s\n", tp->name);
		if (tp->enrollment_terminal)
			ik_sb_add(out, " enrollment terminal\n");
		if (tp->enrollment_selfsigned)
			ik_sb_add(out, " enrollment selfsigned\n");
		if (tp->subject_name)
			ik_sb_printf(out, " subject-name %s\n", tp->subject_name);
		if (tp->revocation)
			ik_sb_printf(out, " revocation-check %s\n",
				     tp->revocation == IK_REVOKE_CRL ? "crl" : "none");
		if (tp->rsakeypair)
			ik_sb_printf(out, " rsakeypair %s\n", tp->rsakeypair);
		if (tp->eckeypair)
			ik_sb_printf(out, " eckeypair %s\n", tp->eckeypair);
	}
	for (size_t i = 0; i < cfg->ncertmaps; i++) {
		const struct ik_certmap *m = cfg->certmaps[i];

		for (size_t k = 0; k < m->nentries; k++) {
			const struct ik_certmap_entry *e = &m->entries[k];

			ik_sb_add(out, "!\n");
			ik_sb_printf(out, "crypto pki certificate map %s %u\n", m->name, e->seq);
			for (size_t r = 0; r < e->nrules; r++)
				ik_sb_printf(out, " %s %s %s\n",
					     ik_conf_certmap_field_kw(e->rules[r].field),
					     ik_conf_certmap_op_kw(e->rules[r].op),
					     e->rules[r].value);
		}
	}
	for (size_t i = 0; i < cfg->ntrustpoints; i++) {
		const struct ik_trustpoint *tp = cfg->trustpoints[i];

		for (size_t k = 0; k < tp->nimports; k++) {
			const struct ik_tp_import *im = &tp->imports[k];

			ik_sb_add(out, "!\n");
			ik_sb_printf(out, "crypto pki import %s pem", tp->name);
			if (im->file)
				ik_sb_printf(out, " %s", im->file);
			if (im->keyfile)
				ik_sb_printf(out, " key %s", im->keyfile);
			ik_sb_add(out, "\n");
		}
		if (!tp->has_chain)
			continue;
		ik_sb_add(out, "!\n");
		ik_sb_printf(out, "crypto pki certificate chain %s\n", tp->name);
		for (size_t k = 0; k < tp->ncerts; k++) {
			const struct ik_tp_cert *c = &tp->certs[k];

			ik_sb_printf(out, " certificate %s%s\n", c->ca ? "ca " :
				     c->self_signed ? "self-signed " : "", c->serial);
			print_hex(c->der, c->len, out);
		}
	}
}
