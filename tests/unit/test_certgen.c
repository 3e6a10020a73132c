/* Test certificates made at test time (see test_certgen.h). */
#include "test_certgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

static void die(const char *what)
{
	fprintf(stderr, "test_certgen: %s failed\n", what);
	abort();
}

/* Keys made once per process (tc_pool), handed out in turn: every test
 * (a forked child) then starts from the same few keys without waiting for
 * RSA key generation. */
#define TC_POOL 6
static EVP_PKEY *pool[2][TC_POOL];
static unsigned next[2];

static EVP_PKEY *gen(enum tc_kind k)
{
	EVP_PKEY *pk = k == TC_RSA ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");

	if (!pk)
		die("key generation");
	return pk;
}

void tc_pool(void)
{
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < TC_POOL; i++)
			if (!pool[k][i])
				pool[k][i] = gen((enum tc_kind)k);
}

EVP_PKEY *tc_key(enum tc_kind k)
{
	EVP_PKEY *pk;

	if (next[k] >= TC_POOL || !pool[k][next[k]])
		return gen(k);
	pk = pool[k][next[k]++];
	if (EVP_PKEY_up_ref(pk) != 1)
		die("EVP_PKEY_up_ref");
	return pk;
}

static void add_ext(X509 *c, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ex;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer ? issuer : c, c, NULL, NULL, 0);
	ex = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ex || X509_add_ext(c, ex, -1) != 1)
		die("extension");
	X509_EXTENSION_free(ex);
}

X509 *tc_cert(X509 *issuer, EVP_PKEY *issuer_key, EVP_PKEY *key, const char *cn, bool ca,
	      time_t nb, time_t na, const char *san)
{
	static long serial = 1;
	X509 *c = X509_new();
	X509_NAME *n = X509_NAME_new();

	if (!c || !n)
		die("X509_new");
	X509_set_version(c, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(c), serial++);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"ikerd test", -1,
				   -1, 0);
	X509_set_subject_name(c, n);
	X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer) : n);
	X509_NAME_free(n);
	ASN1_TIME_set(X509_getm_notBefore(c), nb);
	ASN1_TIME_set(X509_getm_notAfter(c), na);
	X509_set_pubkey(c, key);
	add_ext(c, issuer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
	add_ext(c, issuer, NID_key_usage, ca ? "critical,keyCertSign,cRLSign" :
		"critical,digitalSignature");
	add_ext(c, issuer, NID_subject_key_identifier, "hash");
	if (san)
		add_ext(c, issuer, NID_subject_alt_name, san);
	if (!X509_sign(c, issuer_key ? issuer_key : key, EVP_sha256()))
		die("X509_sign");
	return c;
}

const char *tc_dir(const char *tag)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/tests/unit/certs-%s-XXXXXX", TOP_BUILDDIR, tag);
	if (!mkdtemp(path))
		die("mkdtemp");
	return path;
}

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (!p)
		die("malloc");
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

char *tc_write_cert(const char *dir, const char *name, X509 *c)
{
	char *p = join(dir, name);
	FILE *f = fopen(p, "w");

	if (!f || PEM_write_X509(f, c) != 1)
		die("writing a certificate");
	fclose(f);
	return p;
}

char *tc_write_key(const char *dir, const char *name, EVP_PKEY *k)
{
	char *p = join(dir, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (!f || PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) != 1)
		die("writing a key");
	fclose(f);
	return p;
}

void tc_cleanup(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	while (d && (e = readdir(d)) && n++ < 64) {
		char *p;

		if (e->d_name[0] == '.')
			continue;
		p = join(dir, e->d_name);
		unlink(p);
		free(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

char *tc_write_crl(const char *dir, const char *name, X509 *ca, EVP_PKEY *ca_key,
		   X509 *revoked, time_t now)
{
	X509_CRL *crl = X509_CRL_new();
	X509_REVOKED *r = X509_REVOKED_new();
	ASN1_TIME *t = ASN1_TIME_set(NULL, now - 3600);
	ASN1_TIME *upd = ASN1_TIME_set(NULL, now + 86400);
	char *p = join(dir, name);
	FILE *f;

	if (!crl || !r || !t || !upd || X509_CRL_set_version(crl, 1) != 1 ||
	    X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)) != 1 ||
	    X509_CRL_set1_lastUpdate(crl, t) != 1 || X509_CRL_set1_nextUpdate(crl, upd) != 1 ||
	    X509_REVOKED_set_serialNumber(r, X509_get_serialNumber(revoked)) != 1 ||
	    X509_REVOKED_set_revocationDate(r, t) != 1 || X509_CRL_add0_revoked(crl, r) != 1 ||
	    !X509_CRL_sign(crl, ca_key, EVP_sha256()))
		die("CRL");
	f = fopen(p, "w");
	if (!f || PEM_write_X509_CRL(f, crl) != 1)
		die("writing a CRL");
	fclose(f);
	ASN1_TIME_free(t);
	ASN1_TIME_free(upd);
	X509_CRL_free(crl);
	return p;
}

#define TC_DAY 86400

void tc_pki_make(struct tc_pki *p, enum tc_kind kind, const char *tag, time_t now)
{
	snprintf(p->dir, sizeof(p->dir), "%s", tc_dir(tag));
	p->ca_key = tc_key(kind);
	p->ca = tc_cert(NULL, NULL, p->ca_key, "ikerd test CA", true, now - TC_DAY,
			now + 365 * TC_DAY, NULL);
	p->k1 = tc_key(kind);
	p->k2 = tc_key(kind);
	p->c1 = tc_cert(p->ca, p->ca_key, p->k1, "r1.example.com", false, now - TC_DAY,
			now + 90 * TC_DAY, "DNS:r1.example.com,IP:192.168.0.1");
	p->c2 = tc_cert(p->ca, p->ca_key, p->k2, "r2.example.com", false, now - TC_DAY,
			now + 90 * TC_DAY, "DNS:r2.example.com,IP:192.168.0.2");
	p->ca_pem = tc_write_cert(p->dir, "ca.pem", p->ca);
	p->c1_pem = tc_write_cert(p->dir, "r1.pem", p->c1);
	p->c2_pem = tc_write_cert(p->dir, "r2.pem", p->c2);
	p->k1_pem = tc_write_key(p->dir, "r1.key", p->k1);
	p->k2_pem = tc_write_key(p->dir, "r2.key", p->k2);
}

void tc_pki_free(struct tc_pki *p)
{
	tc_cleanup(p->dir);
	EVP_PKEY_free(p->ca_key);
	EVP_PKEY_free(p->k1);
	EVP_PKEY_free(p->k2);
	X509_free(p->ca);
	X509_free(p->c1);
	X509_free(p->c2);
	free(p->ca_pem);
	free(p->c1_pem);
	free(p->c2_pem);
	free(p->k1_pem);
	free(p->k2_pem);
}
