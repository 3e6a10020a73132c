/* show crypto pki certificates [verbose], show crypto pki trustpoints
 * (pki_show.h). */
#include "pki/pki_show.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "pki/pki.h"
#include "util/util.h"

#define SHOW_MAX_CAS 32 /* CA certificates shown per trustpoint */

/* "00:00:00 UTC May 27 2026", as IOS prints validity dates. */
static void ios_date(const ASN1_TIME *t, char *buf, size_t len)
{
	struct tm tm;

	if (ASN1_TIME_to_tm(t, &tm) != 1) {
		snprintf(buf, len, "?");
		return;
	}
	strftime(buf, len, "%H:%M:%S UTC %b %d %Y", &tm);
}

static void serial_hex(X509 *c, char *buf, size_t len)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(c), NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;

	snprintf(buf, len, "%s", hex ? hex : "?");
	OPENSSL_free(hex);
	BN_free(bn);
}

/* One name as IOS lists it: one attribute per line. */
static void name_lines(const X509_NAME *n, const char *indent, struct ik_sb *out)
{
	char text[1024], *p, *save = NULL;

	ik_pki_name_text(n, text, sizeof(text));
	for (p = strtok_r(text, ",", &save); p; p = strtok_r(NULL, ",", &save))
		ik_sb_printf(out, "%s%s\n", indent, p);
}

static const char *cn_of(X509 *c, char *buf, size_t len)
{
	int i = X509_NAME_get_index_by_NID(X509_get_subject_name(c), NID_commonName, -1);
	const ASN1_STRING *s = i >= 0 ?
		X509_NAME_ENTRY_get_data(X509_NAME_get_entry(X509_get_subject_name(c), i)) : NULL;

	buf[0] = '\0';
	if (s)
		ik_str_escape(ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s), buf, len);
	return buf;
}

static void key_info(X509 *c, char *alg, size_t alen, int *bits)
{
	EVP_PKEY *k = X509_get0_pubkey(c);

	*bits = k ? EVP_PKEY_get_bits(k) : 0;
	snprintf(alg, alen, "%s", !k ? "?" : EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA ?
		 "rsaEncryption" : EVP_PKEY_get_base_id(k) == EVP_PKEY_EC ? "id-ecPublicKey" :
		 "other");
}

static const char *status(X509 *c, time_t now, bool json)
{
	if (X509_cmp_time(X509_get0_notBefore(c), &now) >= 0)
		return json ? "not-yet-valid" : "Not yet valid";
	if (X509_cmp_time(X509_get0_notAfter(c), &now) <= 0)
		return json ? "expired" : "Expired";
	return json ? "available" : "Available";
}

static void cert_text(X509 *c, bool ca, const char *tp, bool verbose, time_t now,
		      struct ik_sb *out)
{
	char sn[80], nb[64], na[64], cn[IK_ESCAPED_LEN(256)], alg[32], hash[100];
	int bits;

	serial_hex(c, sn, sizeof(sn));
	ios_date(X509_get0_notBefore(c), nb, sizeof(nb));
	ios_date(X509_get0_notAfter(c), na, sizeof(na));
	ik_sb_printf(out, "%s\n", ca ? "CA Certificate" : "Certificate");
	ik_sb_printf(out, "  Status: %s\n", status(c, now, false));
	ik_sb_printf(out, "  Certificate Serial Number (hex): %s\n", sn);
	ik_sb_printf(out, "  Certificate Usage: %s\n", ca ? "Signature" : "General Purpose");
	ik_sb_add(out, "  Issuer: \n");
	name_lines(X509_get_issuer_name(c), "    ", out);
	ik_sb_add(out, "  Subject: \n");
	if (!ca && cn_of(c, cn, sizeof(cn))[0])
		ik_sb_printf(out, "    Name: %s\n", cn);
	name_lines(X509_get_subject_name(c), "    ", out);
	ik_sb_add(out, "  Validity Date: \n");
	ik_sb_printf(out, "    start date: %s\n", nb);
	ik_sb_printf(out, "    end   date: %s\n", na);
	if (verbose) {
		key_info(c, alg, sizeof(alg), &bits);
		ik_sb_add(out, "  Subject Key Info:\n");
		ik_sb_printf(out, "    Public Key Algorithm: %s\n", alg);
		ik_sb_printf(out, "    %s Public Key: (%d bit)\n",
			     !strcmp(alg, "rsaEncryption") ? "RSA" : "EC", bits);
		ik_sb_printf(out, "  Signature Algorithm: %s\n",
			     OBJ_nid2ln(X509_get_signature_nid(c)));
		if (X509_get0_pubkey(c))
			ik_sb_printf(out, "  Key Hash: %s\n",
				     ik_pki_key_hash_text(X509_get0_pubkey(c), IK_PKI_SHA256, hash,
							  sizeof(hash)));
	}
	ik_sb_printf(out, "  Associated Trustpoints: %s \n\n", tp);
}

static void cert_json(X509 *c, bool ca, const char *tp, bool first, time_t now,
		      struct ik_sb *out)
{
	char sn[80], nb[64], na[64], subj[1024], iss[1024], alg[32], hash[100];
	int bits;

	serial_hex(c, sn, sizeof(sn));
	ios_date(X509_get0_notBefore(c), nb, sizeof(nb));
	ios_date(X509_get0_notAfter(c), na, sizeof(na));
	ik_pki_name_text(X509_get_subject_name(c), subj, sizeof(subj));
	ik_pki_name_text(X509_get_issuer_name(c), iss, sizeof(iss));
	key_info(c, alg, sizeof(alg), &bits);
	ik_sb_printf(out, "%s{\"type\":\"%s\",\"status\":\"%s\",\"serial\":\"%s\",\"subject\":",
		     first ? "" : ",", ca ? "ca" : "router", status(c, now, true), sn);
	ik_sb_json_str(out, subj);
	ik_sb_add(out, ",\"issuer\":");
	ik_sb_json_str(out, iss);
	ik_sb_printf(out, ",\"start\":\"%s\",\"end\":\"%s\",\"key_algorithm\":\"%s\","
		     "\"key_bits\":%d,\"key_hash\":\"%s\",\"trustpoint\":", nb, na, alg, bits,
		     X509_get0_pubkey(c) ? ik_pki_key_hash_text(X509_get0_pubkey(c), IK_PKI_SHA256,
								 hash, sizeof(hash)) : "");
	ik_sb_json_str(out, tp);
	ik_sb_add(out, "}");
}

void ik_show_pki_certificates(const struct ik_config *cfg, bool verbose, bool json, time_t now,
			      struct ik_sb *out)
{
	bool first = true;

	if (json)
		ik_sb_add(out, "{\"certificates\":[");
	for (size_t i = 0; i < cfg->ntrustpoints; i++) {
		const struct ik_trustpoint *tp = cfg->trustpoints[i];
		X509 *cas[SHOW_MAX_CAS];
		size_t n = tp->store ? ik_pki_store_cas(tp->store, cas, SHOW_MAX_CAS) : 0;

		if (tp->cert) {
			if (json)
				cert_json(tp->cert, false, tp->name, first, now, out);
			else
				cert_text(tp->cert, false, tp->name, verbose, now, out);
			first = false;
		}
		for (size_t k = 0; k < n; k++) {
			if (json)
				cert_json(cas[k], true, tp->name, first, now, out);
			else
				cert_text(cas[k], true, tp->name, verbose, now, out);
			first = false;
		}
	}
	if (json)
		ik_sb_add(out, "]}\n");
}

void ik_show_pki_trustpoints(const struct ik_config *cfg, bool json, struct ik_sb *out)
{
	if (json)
		ik_sb_add(out, "{\"trustpoints\":[");
	for (size_t i = 0; i < cfg->ntrustpoints; i++) {
		const struct ik_trustpoint *tp = cfg->trustpoints[i];
		X509 *cas[SHOW_MAX_CAS];
		size_t n = tp->store ? ik_pki_store_cas(tp->store, cas, SHOW_MAX_CAS) : 0;
		char sn[80], subj[1024];

		if (json) {
			ik_sb_printf(out, "%s{\"name\":", i ? "," : "");
			ik_sb_json_str(out, tp->name);
			ik_sb_printf(out, ",\"ca_certificates\":%zu,\"router_certificate\":%s,"
				     "\"private_key\":%s,\"revocation_check\":\"%s\",\"crls\":%zu,",
				     n, tp->cert ? "true" : "false",
				     tp->key ? "true" : "false",
				     tp->revocation == IK_REVOKE_CRL ? "crl" : "none", tp->ncrls);
			ik_sb_printf(out, "\"self_signed\":%s,",
				     tp->cert_self_signed ? "true" : "false");
			if (tp->cert_self_signed) {
				ik_sb_add(out, "\"key_hash\":");
				ik_sb_json_str(out, ik_pki_key_hash_text(X509_get0_pubkey(tp->cert),
									 IK_PKI_SHA256, sn,
									 sizeof(sn)));
				ik_sb_add(out, ",");
			}
			ik_sb_add(out, "\"ca_subjects\":[");
			for (size_t k = 0; k < n; k++) {
				ik_pki_name_text(X509_get_subject_name(cas[k]), subj, sizeof(subj));
				if (k)
					ik_sb_add(out, ",");
				ik_sb_json_str(out, subj);
			}
			ik_sb_add(out, "]}");
			continue;
		}
		ik_sb_printf(out, "Trustpoint %s:\n", tp->name);
		for (size_t k = 0; k < n; k++) {
			serial_hex(cas[k], sn, sizeof(sn));
			ik_sb_add(out, "    Subject Name: \n");
			name_lines(X509_get_subject_name(cas[k]), "    ", out);
			ik_sb_printf(out, "          Serial Number (hex): %s\n", sn);
		}
		ik_sb_printf(out, "    %s\n", n ? "Certificate configured." :
			     "Certificate not configured (no CA certificate).");
		if (tp->cert)
			ik_sb_printf(out, "    Router certificate %s%s.\n",
				     tp->cert_self_signed ? "self-signed" : "configured",
				     tp->key ? ", with its private key" : ", without a private key");
		if (tp->cert_self_signed)
			/* what a peer's authorization list pins (raw-public-key accept) */
			ik_sb_printf(out, "    Key hash: %s\n",
				     ik_pki_key_hash_text(X509_get0_pubkey(tp->cert), IK_PKI_SHA256,
							  sn, sizeof(sn)));
		ik_sb_printf(out, "    Revocation check: %s%s\n",
			     tp->revocation == IK_REVOKE_CRL ? "crl" : "none",
			     tp->ncrls ? " (CRL loaded)" : "");
		ik_sb_add(out, "\n");
	}
	if (json)
		ik_sb_add(out, "]}\n");
}
