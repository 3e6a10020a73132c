/* Test certificates made at test time with OpenSSL (nothing private is
 * committed): keys, a CA, end-entity certificates with chosen names, dates
 * and subjectAltNames, written as PEM files (keys mode 0600) in a scratch
 * folder of the build tree. */
#ifndef IK_TEST_CERTGEN_H
#define IK_TEST_CERTGEN_H

#include <stdbool.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

enum tc_kind { TC_RSA, TC_EC256 };

/* A key: the next of the pool tc_pool() made, or a new one. */
EVP_PKEY *tc_key(enum tc_kind k);
void tc_pool(void);
/* A certificate of subject "CN=cn,O=ikerd test" for key, signed by issuer
 * (and issuer_key), or self-signed when issuer is NULL; valid from nb to na;
 * san: "DNS:x" / "IP:a.b.c.d" / "email:x" list, or NULL. */
X509 *tc_cert(X509 *issuer, EVP_PKEY *issuer_key, EVP_PKEY *key, const char *cn, bool ca,
	      time_t nb, time_t na, const char *san);
/* A fresh scratch folder under the build tree (its path, static storage). */
const char *tc_dir(const char *tag);
/* Writes dir/name; returns the path (malloc'd). Keys get mode 0600. */
char *tc_write_cert(const char *dir, const char *name, X509 *c);
char *tc_write_key(const char *dir, const char *name, EVP_PKEY *k);
/* A CRL of ca revoking revoked, current at now, written as PEM. */
char *tc_write_crl(const char *dir, const char *name, X509 *ca, EVP_PKEY *ca_key,
		   X509 *revoked, time_t now);
/* Removes the scratch folder and the files in it. */
void tc_cleanup(const char *dir);

/* Certificates of one test: a CA, R1's and R2's (CN and subjectAltNames
 * r1.example.com / 192.168.0.1, r2.example.com / 192.168.0.2), valid around
 * now, with their PEM files in a scratch folder named after tag. */
struct tc_pki {
	char dir[512];
	EVP_PKEY *ca_key, *k1, *k2;
	X509 *ca, *c1, *c2;
	char *ca_pem, *c1_pem, *c2_pem, *k1_pem, *k2_pem;
};
void tc_pki_make(struct tc_pki *p, enum tc_kind kind, const char *tag, time_t now);
void tc_pki_free(struct tc_pki *p);

#endif
