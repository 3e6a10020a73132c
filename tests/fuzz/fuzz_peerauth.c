/* Fuzz target: what a peer sends to authenticate with a certificate (CERT,
 * ID and SIG payloads of IKEv1 MM5/MM6, and later IKEv2 IKE_AUTH) through
 * the version-neutral check of pki/peerauth.h: the certificates parsed and
 * the leaf picked, the chain validated against a trustpoint, the ID matched
 * against the leaf, a certificate map and an authorization list applied,
 * then the signature verified with the leaf's key (RSA and ECDSA schemes of
 * IKEv1, and IKEv2's AUTH methods 1, 9-11 and 14 with its ASN.1
 * AlgorithmIdentifier), whatever the verdict; the ID also read as the DER
 * Name of an IKEv2 ID_DER_ASN1_DN.
 *
 * Raw public keys: with flag 0x40 the first record is a raw key (IKEv2 CERT
 * encoding 15, a DER SubjectPublicKeyInfo); with flag 0x80 the list in
 * force says raw-public-key accept and pins one P-256 key (pinned_spki
 * below, whose private half was thrown away: the seeds carry that key and a
 * certificate it self-signed) for any identity.
 *
 * Input: one byte for the ID kind (mod 5) and flags (0x10 certificate map,
 * 0x20 list, 0x40 raw key, 0x80 list taking raw keys), then records of a
 * 2-byte big-endian length and that many bytes: the raw key (flag 0x40),
 * the certificates (at most IK_PKI_MAX_PEER_CERTS + 1, to reach the bound),
 * then the ID, then the SIG (the last two records). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "ike/v2_cert.h"
#include "pki/peerauth.h"
#include "pki/sig_v2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_REC (IK_PKI_MAX_PEER_CERTS + 3)

static struct ik_trustpoint tp;
static struct ik_certmap map;
static struct ik_certmap_entry entry;
static struct ik_certmap_rule rule = { IK_PKI_MAP_SUBJECT, IK_PKI_MAP_CO, (char *)"example" };
static struct ik_authz_list *authz, *authz_raw;

static const uint8_t pinned_spki[] = {
	0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02,
	0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03,
	0x42, 0x00, 0x04, 0x4d, 0x29, 0xf4, 0x0a, 0x70, 0xdd, 0x1e, 0x3a, 0x63,
	0x73, 0x3f, 0xd9, 0x50, 0xb6, 0x0e, 0x51, 0x20, 0xde, 0x25, 0x15, 0xb1,
	0xad, 0x45, 0x87, 0x66, 0x14, 0xdd, 0x36, 0x09, 0x1c, 0x0f, 0x64, 0x60,
	0x44, 0x96, 0x48, 0x73, 0x53, 0xd6, 0xb9, 0xb9, 0xee, 0x21, 0x5e, 0x3f,
	0xa5, 0x6e, 0x6b, 0x62, 0x4a, 0xcc, 0x3e, 0xa2, 0x18, 0xde, 0xaa, 0x62,
	0x4d, 0xf7, 0xcc, 0x94, 0xda, 0x22, 0x08,
};

/* A trustpoint with one CA (made once, EC P-256). */
static void setup(void)
{
	EVP_PKEY *k;
	X509 *ca;
	X509_NAME *n;
	unsigned char *der = NULL;
	int dl;
	struct ik_authz_entry e = { { IK_AUTHZ_ANY, { .v4 = 0 }, NULL }, IK_PKI_SHA256, { 0 }, 1 };

	if (tp.store)
		return;
	tp.name = (char *)"FUZZ";
	tp.store = ik_pki_store_new();
	k = EVP_EC_gen("P-256");
	ca = X509_new();
	n = X509_NAME_new();
	if (!tp.store || !k || !ca || !n)
		abort();
	X509_set_version(ca, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(ca), 1);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"fuzz CA", -1, -1,
				   0);
	X509_set_subject_name(ca, n);
	X509_set_issuer_name(ca, n);
	ASN1_TIME_set(X509_getm_notBefore(ca), 1700000000);
	ASN1_TIME_set(X509_getm_notAfter(ca), 1900000000);
	X509_set_pubkey(ca, k);
	if (!X509_sign(ca, k, EVP_sha256()))
		abort();
	dl = i2d_X509(ca, &der);
	if (dl <= 0 || ik_pki_store_add_ca(tp.store, der, (size_t)dl, NULL, 0) != 1)
		abort();
	OPENSSL_free(der);
	X509_NAME_free(n);
	X509_free(ca);
	EVP_PKEY_free(k);
	entry.seq = 10;
	entry.rules = &rule;
	entry.nrules = 1;
	map.name = (char *)"MAP";
	map.entries = &entry;
	map.nentries = 1;
	authz = ik_authz_build("FUZZ", &e, 1, false);
	{
		const unsigned char *p = pinned_spki;
		EVP_PKEY *pk = d2i_PUBKEY(NULL, &p, (long)sizeof(pinned_spki));

		if (!pk || ik_pki_key_hash(pk, IK_PKI_SHA256, e.hash) != 32)
			abort();
		EVP_PKEY_free(pk);
	}
	authz_raw = ik_authz_build("FUZZRAW", &e, 1, true);
	if (!authz || !authz_raw)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t signed_octets[32] = { 1, 2, 3 };
	const uint8_t *rec[MAX_REC];
	size_t len[MAX_REC], n = 0, at = 1;
	struct ik_trustpoint *tps[1] = { &tp };
	struct ik_pki_peer_in in = { 0 };
	struct ik_pki_verdict v;

	setup();
	if (size < 1)
		return 0;
	while (n < MAX_REC && at + 2 <= size) {
		size_t l = (size_t)data[at] << 8 | data[at + 1];

		at += 2;
		if (l > size - at)
			l = size - at;
		rec[n] = data + at;
		len[n] = l;
		n++;
		at += l;
	}
	if (n < 2 || (data[0] & 0x40 && n < 3))
		return 0;
	if (data[0] & 0x40) {
		in.raw_key = rec[0];
		in.raw_key_len = len[0];
	}
	in.certs = data[0] & 0x40 ? rec + 1 : rec;
	in.cert_lens = data[0] & 0x40 ? len + 1 : len;
	in.ncerts = n - 2 - (data[0] & 0x40 ? 1 : 0);
	in.id_kind = (enum ik_pki_id_kind)(data[0] % 5 + 1);
	in.id = rec[n - 2];
	in.id_len = len[n - 2];
	in.tps = tps;
	in.ntps = 1;
	in.map = data[0] & 0x10 ? &map : NULL;
	in.authz = data[0] & 0x80 ? authz_raw : data[0] & 0x20 ? authz : NULL;
	in.peer = ik_addr_v4(0xc0000201u);
	in.now = 1780000000;
	(void)ik_pki_peer_verify(&in, &v);
	if (v.key || v.leaf) {
		EVP_PKEY *k = v.key ? v.key : X509_get0_pubkey(v.leaf);

		if (k) {
			(void)ik_pki_verify_sig(k, IK_SIG_V1_RSA, signed_octets,
						sizeof(signed_octets), rec[n - 1], len[n - 1]);
			(void)ik_pki_verify_sig(k, IK_SIG_V1_ECDSA, signed_octets,
						sizeof(signed_octets), rec[n - 1], len[n - 1]);
			(void)ik_pki_v1_auth_method(k);
			for (unsigned m = 0; m < 16; m++)
				(void)ik_pki_v2_verify(k, m, rec[n - 1], len[n - 1], signed_octets,
						       sizeof(signed_octets), NULL, 0);
		}
	}
	ik_pki_verdict_clear(&v);
	{
		char *dn = NULL;

		if (ik_v2_cert_dn_text(rec[n - 2], len[n - 2], &dn) == 0)
			free(dn);
	}
	return 0;
}
