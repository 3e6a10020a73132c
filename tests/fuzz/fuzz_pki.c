/* Fuzz target: certificates as a peer sends them (CERT payloads): the bytes
 * are parsed as a certificate (DER or PEM); a certificate is then validated
 * against a store whose only CA is the same bytes (so that self-signed inputs
 * reach the signature and date checks), matched against identities of every
 * kind and a certificate map, named as show output names it, and its key
 * hashed and checked against an authorization list. The bytes are also tried
 * as a CA and as a CRL. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pki/authlist.h"
#include "pki/pki.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t ip[4] = { 192, 0, 2, 1 };
	struct ik_pki_map_rule rules[2] = {
		{ IK_PKI_MAP_SUBJECT, IK_PKI_MAP_CO, "example" },
		{ IK_PKI_MAP_ISSUER, IK_PKI_MAP_NE, "cn=x" },
	};
	struct ik_authz_entry e = { { IK_AUTHZ_FQDN, { .v4 = 0 }, "r1.example.com" },
				    IK_PKI_SHA256, { 0 }, 1 };
	struct ik_authz_id id = { IK_AUTHZ_FQDN, { .v4 = 0 }, "r1.example.com" };
	struct ik_pki_store *s = ik_pki_store_new();
	struct ik_authz_list *l = ik_authz_build("FUZZ", &e, 1, false);
	char err[256], text[512];
	X509 *c;

	if (!s || !l)
		goto out;
	(void)ik_pki_store_add_crl(s, data, size, err, sizeof(err));
	c = ik_pki_cert_parse(data, size, err, sizeof(err));
	if (c) {
		EVP_PKEY *pk = X509_get0_pubkey(c);
		uint8_t h[32];

		(void)ik_pki_store_add_ca(s, data, size, err, sizeof(err));
		(void)ik_pki_verify(s, c, NULL, 1767225600, err, sizeof(err));
		(void)ik_pki_cert_has_id(c, IK_PKI_ID_IPV4, ip, 4);
		(void)ik_pki_cert_has_id(c, IK_PKI_ID_FQDN, "r1.example.com", 14);
		(void)ik_pki_cert_has_id(c, IK_PKI_ID_EMAIL, "ops@example.com", 15);
		(void)ik_pki_cert_has_id(c, IK_PKI_ID_DN, data, size < 64 ? size : 64);
		ik_pki_name_text(X509_get_subject_name(c), text, sizeof(text));
		ik_pki_name_text(X509_get_issuer_name(c), text, sizeof(text));
		(void)ik_pki_map_match(c, rules, 2);
		if (pk) {
			(void)ik_pki_key_hash(pk, IK_PKI_SHA1, h);
			(void)ik_authz_check(l, &id, pk, "192.0.2.1", NULL);
		}
		X509_free(c);
	}
out:
	ik_authz_free(l);
	ik_pki_store_free(s);
	return 0;
}
