/* Main Mode with signatures (RFC 2409 section 5.1; ECDSA as RFC 4754):
 *
 *   HDR, SA -->                         <-- HDR, SA
 *   HDR, KE, Ni [, CR] -->              <-- HDR, KE, Nr [, CR]
 *   HDR*, IDii, [CERT,] SIG_I -->       <-- HDR*, IDir, [CERT,] SIG_R
 *
 * The SIG payloads sign HASH_I and HASH_R, computed as with pre-shared keys
 * but under SKEYID = prf(Ni_b | Nr_b, g^xy). What the peer's certificate
 * must satisfy (chain, identity, certificate map, authorization list) is
 * decided by pki/peerauth.c, which IKEv2 shares; this file carries the
 * payloads and the IOS trace. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ike/peer.h"
#include "ike/v1_int.h"
#include "pki/peerauth.h"
#include "util/addr.h"
#include "util/mutant.h"
#include "util/util.h"

#define DBG(p1, ...) ik_dbg((p1)->e->log, IK_DBG_ISAKMP, __VA_ARGS__)

#define CERT_ENC_X509_SIG 4     /* RFC 2408 3.9: X.509 Certificate - Signature */
#define IK_V1_MAX_CR 8          /* CERT_REQ payloads per message */

bool ik_v1_auth_is_sig(enum ik_authm a)
{
	return a == IK_AUTH_RSA_SIG || a == IK_AUTH_ECDSA_SIG;
}

/* The trustpoints of the profile, or every trustpoint when it names none. */
static void tp_list(const struct ik_p1 *p1, const struct ik_isakmp_profile *prof,
		    struct ik_trustpoint *const **tps, size_t *n)
{
	if (prof && prof->ntrustpoints) {
		*tps = prof->trustpoints;
		*n = prof->ntrustpoints;
	} else {
		*tps = p1->cfg->trustpoints;
		*n = p1->cfg->ntrustpoints;
	}
}

static const struct ik_trustpoint *local_tp(const struct ik_p1 *p1, enum ik_authm a)
{
	struct ik_trustpoint *const *tps;
	size_t n;

	tp_list(p1, p1->profile, &tps, &n);
	return ik_pki_local_tp(p1->cfg, tps, n, a);
}

unsigned ik_v1_auth_code(const struct ik_p1 *p1, enum ik_authm a)
{
	const struct ik_trustpoint *tp;

	switch (a) {
	case IK_AUTH_PSK: return 1;
	case IK_AUTH_RSA_SIG: return 3;
	case IK_AUTH_ECDSA_SIG:
		tp = local_tp(p1, a);
		return tp ? ik_pki_v1_auth_method(tp->key) : 9;
	case IK_AUTH_NONE: break;
	}
	return 0;
}

bool ik_v1_auth_usable(const struct ik_p1 *p1, enum ik_authm a)
{
	if (a == IK_AUTH_PSK)
		return true;
	return ik_v1_auth_is_sig(a) && local_tp(p1, a) != NULL;
}

bool ik_v1_auth_code_ok(enum ik_authm a, uint64_t code)
{
	switch (a) {
	case IK_AUTH_PSK: return code == 1;
	case IK_AUTH_RSA_SIG: return code == 3;
	case IK_AUTH_ECDSA_SIG: return code == 9 || code == 10 || code == 11;
	case IK_AUTH_NONE: break;
	}
	return false;
}

/* CR: one per CA of our trustpoints (its subject), as IOS sends them. */
void ik_v1_cert_put_certreq(struct ik_p1 *p1, struct ik_v1_builder *b)
{
	struct ik_trustpoint *const *tps;
	size_t n, sent = 0;

	tp_list(p1, p1->profile, &tps, &n);
	for (size_t i = 0; i < n && sent < IK_V1_MAX_CR; i++) {
		X509 *cas[IK_V1_MAX_CR];
		size_t nca = tps[i] && tps[i]->store ?
			ik_pki_store_cas(tps[i]->store, cas, IK_V1_MAX_CR) : 0;

		for (size_t k = 0; k < nca && sent < IK_V1_MAX_CR; k++) {
			unsigned char *dn = NULL;
			int dl = i2d_X509_NAME(X509_get_subject_name(cas[k]), &dn);

			if (dl > 0 && dl < 1024) {
				size_t off = ik_v1_b_open(b, IK_V1_PL_CR);

				ik_v1_b_put8(b, CERT_ENC_X509_SIG);
				ik_v1_b_put(b, dn, (size_t)dl);
				ik_v1_b_close(b, off);
				sent++;
			}
			OPENSSL_free(dn);
		}
	}
	if (!sent) {
		/* no CA to name: any CA will do */
		size_t off = ik_v1_b_open(b, IK_V1_PL_CR);

		ik_v1_b_put8(b, CERT_ENC_X509_SIG);
		ik_v1_b_close(b, off);
	}
	DBG(p1, "ISAKMP:(%u): constructed CERT_REQ for %zu CA%s", p1->conn_id, sent ? sent : 1,
	    sent == 1 ? "" : "s");
}

/* Our ID with a certificate: the certificate's subject (ID_DER_ASN1_DN),
 * or the host name when the identity is one (crypto isakmp identity
 * hostname, self-identity fqdn). */
static int cert_my_id(struct ik_p1 *p1, X509 *cert, uint8_t *body, size_t cap, size_t *len)
{
	enum ik_self_id s = p1->cfg->isakmp_identity;
	unsigned char *dn = NULL;
	int dl;

	if (p1->profile && p1->profile->self_id != IK_SELF_ID_DEFAULT)
		s = p1->profile->self_id;
	body[1] = 17;
	ik_put16(body + 2, 500);
	if (s == IK_SELF_ID_FQDN) {
		const char *h = (p1->profile && p1->profile->self_id == IK_SELF_ID_FQDN &&
				 p1->profile->self_id_value) ? p1->profile->self_id_value :
			p1->cfg->hostname;
		size_t n = strlen(h);

		if (n > 255 || n + 4 > cap)
			return -1;
		body[0] = IK_V1_ID_FQDN;
		memcpy(body + 4, h, n);
		*len = 4 + n;
		return 0;
	}
	dl = i2d_X509_NAME(X509_get_subject_name(cert), &dn);
	if (dl <= 0 || (size_t)dl + 4 > cap) {
		OPENSSL_free(dn);
		return -1;
	}
	body[0] = IK_V1_ID_DER_ASN1_DN;
	memcpy(body + 4, dn, (size_t)dl);
	*len = 4 + (size_t)dl;
	OPENSSL_free(dn);
	return 0;
}

/* MM5 or MM6 with a signature: HDR*, ID, CERT, SIG [, N(INITIAL-CONTACT)]. */
int ik_v1_cert_send_auth(struct ik_p1 *p1, bool initial_contact)
{
	const struct ik_trustpoint *tp = local_tp(p1, p1->auth);
	uint8_t id[4 + 1024], h[64], sig[1024];
	unsigned char *der = NULL;
	size_t idlen = 0;
	int dl, sl;
	struct ik_v1_builder *b;
	int rc = -1;

	if (!tp || cert_my_id(p1, tp->cert, id, sizeof(id), &idlen)) {
		DBG(p1, "ISAKMP:(%u):No cert, and no keys (public or pre-shared) with remote peer",
		    p1->conn_id);
		return -1;
	}
	DBG(p1, "ISAKMP:(%u):SA is doing %s signature authentication using id type %s",
	    p1->conn_id, p1->auth == IK_AUTH_RSA_SIG ? "RSA" : "ECDSA",
	    id[0] == IK_V1_ID_FQDN ? "ID_FQDN" : "ID_DER_ASN1_DN");
	if (ik_v1_auth_hash(p1, p1->initiator, id, idlen, h))
		return -1;
	sl = ik_pki_sign(tp->key, p1->auth == IK_AUTH_RSA_SIG ? IK_SIG_V1_RSA : IK_SIG_V1_ECDSA,
			 h, ik_hash_len(p1->hash), sig, sizeof(sig));
	dl = i2d_X509(tp->cert, &der);
	b = malloc(sizeof(*b));
	if (sl <= 0 || dl <= 0 || !b) {
		DBG(p1, "ISAKMP:(%u): cannot sign with the key of trustpoint %s", p1->conn_id,
		    tp->name);
		goto out;
	}
	ik_dbg(p1->e->log, IK_DBG_PKI_TRANS, "CRYPTO_PKI: signing with the key of trustpoint %s",
	       tp->name);
	ik_v1_b_init(b, p1->cky_i, p1->cky_r, IK_V1_EXCH_MM, 0, 0);
	ik_v1_b_payload(b, IK_V1_PL_ID, id, idlen);
	{
		size_t off = ik_v1_b_open(b, IK_V1_PL_CERT);

		ik_v1_b_put8(b, CERT_ENC_X509_SIG);
		ik_v1_b_put(b, der, (size_t)dl);
		ik_v1_b_close(b, off);
	}
	ik_v1_b_payload(b, IK_V1_PL_SIG, sig, (size_t)sl);
	if (initial_contact)
		ik_v1_put_initial_contact(p1, b);
	DBG(p1, "ISAKMP (%u): ID payload", p1->conn_id);
	DBG(p1, "\ttype         : %u", id[0]);
	DBG(p1, "ISAKMP:(%u):Total payload length: %zu", p1->conn_id, idlen + 4);
	if (b->overflow || ik_v1_encrypt(p1, b, p1->iv))
		goto out;
	ik_v1_send(p1, b->buf, b->len);
	ik_v1_xmit_set(p1, &p1->x, b->buf, b->len, p1->initiator);
	rc = 0;
out:
	OPENSSL_free(der);
	free(b);
	return rc;
}

static enum ik_pki_id_kind id_kind_of(uint8_t t)
{
	switch (t) {
	case IK_V1_ID_IPV4_ADDR: return IK_PKI_ID_IPV4;
	case IK_V1_ID_IPV6_ADDR: return IK_PKI_ID_IPV6;
	case IK_V1_ID_FQDN: return IK_PKI_ID_FQDN;
	case IK_V1_ID_USER_FQDN: return IK_PKI_ID_EMAIL;
	default: return IK_PKI_ID_DN;
	}
}

/* The certificates of the message (X.509 signature encoding only). */
static size_t collect_certs(struct ik_p1 *p1, const struct ik_v1_msg *m, const uint8_t **der,
			    size_t *len)
{
	size_t n = 0;

	for (size_t i = 0; i < m->npl; i++) {
		const struct ik_v1_pl *pl = &m->pl[i];

		if (pl->type != IK_V1_PL_CERT)
			continue;
		DBG(p1, "ISAKMP:(%u): processing CERT payload. message ID = 0", p1->conn_id);
		if (pl->body_len < 2 || pl->body[0] != CERT_ENC_X509_SIG) {
			DBG(p1, "ISAKMP:(%u): CERT payload at offset %zu: encoding %u of %zu bytes "
			    "ignored (X.509 signature, 4, taken)", p1->conn_id, pl->off,
			    pl->body_len ? pl->body[0] : 0, pl->body_len);
			continue;
		}
		if (n == IK_PKI_MAX_PEER_CERTS) {
			DBG(p1, "ISAKMP:(%u): CERT payload at offset %zu: more than %u certificates, "
			    "the rest ignored", p1->conn_id, pl->off, IK_PKI_MAX_PEER_CERTS);
			break;
		}
		der[n] = pl->body + 1;
		len[n] = pl->body_len - 1;
		n++;
	}
	return n;
}

/* With a certificate map, the profile is chosen by the peer's certificate:
 * the first profile (configuration order) whose map matches the leaf. */
const struct ik_isakmp_profile *ik_v1_cert_profile(struct ik_p1 *p1, const struct ik_v1_msg *m)
{
	const uint8_t *der[IK_PKI_MAX_PEER_CERTS];
	size_t len[IK_PKI_MAX_PEER_CERTS], n;
	const struct ik_isakmp_profile *found = NULL;

	if (!p1->cfg->ncertmap_profiles)
		return NULL;
	n = collect_certs(p1, m, der, len);
	for (size_t k = 0; k < n && !found; k++) {
		X509 *c = ik_pki_cert_parse(der[k], len[k], NULL, 0);

		if (!c)
			continue;
		for (size_t i = 0; i < p1->cfg->ncertmap_profiles && !found; i++) {
			const struct ik_isakmp_profile *p = p1->cfg->certmap_profiles[i];

			if (!X509_check_ca(c) && ik_pki_certmap_match(p->cert_map, c))
				found = p;
		}
		X509_free(c);
	}
	if (found)
		DBG(p1, "ISAKMP:(%u): peer matches %s profile (certificate map %s)", p1->conn_id,
		    found->name, found->cert_map->name);
	return found;
}

int ik_v1_cert_check_auth(struct ik_p1 *p1, const struct ik_v1_msg *m,
			  const struct ik_v1_pl *idpl, char *why, size_t whylen)
{
	const struct ik_v1_pl *sp = ik_v1_find(m, IK_V1_PL_SIG);
	const uint8_t *der[IK_PKI_MAX_PEER_CERTS];
	size_t len[IK_PKI_MAX_PEER_CERTS];
	struct ik_trustpoint *const *tps;
	struct ik_pki_peer_in in = { 0 };
	struct ik_pki_verdict *v = calloc(1, sizeof(*v));
	uint8_t h[64];
	char ra[IK_ADDR_ANYSTRLEN];
	int rc = -1;

	snprintf(why, whylen, "internal error");
	if (!v)
		return -1;
	ik_addr_fmt_ios(&p1->remote.ip, ra);
	if (!sp) {
		DBG(p1, "ISAKMP:(%u): missing SIG payload", p1->conn_id);
		snprintf(why, whylen, "no SIG payload");
		goto out;
	}
	in.ncerts = collect_certs(p1, m, der, len);
	in.certs = der;
	in.cert_lens = len;
	in.id_kind = id_kind_of(idpl->body[0]);
	in.id = idpl->body + 4;
	in.id_len = idpl->body_len - 4;
	tp_list(p1, p1->profile, &tps, &in.ntps);
	in.tps = tps;
	in.map = p1->profile ? p1->profile->cert_map : NULL;
	in.authz = p1->profile && p1->profile->authz ? p1->profile->authz->index : NULL;
	in.peer = p1->remote.ip;
	in.now = p1->e->host.wall_time ? p1->e->host.wall_time(p1->e->host.ctx) : 0;
	in.log = p1->e->log;
	in.conn_id = p1->conn_id;
	if (ik_pki_peer_verify(&in, v) != IK_PKI_V_OK) {
		ik_peer_sa_event(&p1->sa, v->code == IK_PKI_V_AUTHZ ? IK_PEER_AUTHZ_REFUSED :
				 IK_PEER_AUTH_FAIL);
		DBG(p1, "ISAKMP:(%u):SA authentication status:", p1->conn_id);
		DBG(p1, "\tnot authenticated");
		snprintf(why, whylen, "%s", v->reason);
		goto out;
	}
	DBG(p1, "ISAKMP:(%u): processing SIG payload. message ID = 0", p1->conn_id);
	if (ik_v1_auth_hash(p1, !p1->initiator, idpl->body, idpl->body_len, h))
		goto out;
	if (!ik_pki_verify_sig(v->key, EVP_PKEY_get_base_id(v->key) == EVP_PKEY_RSA ?
			       IK_SIG_V1_RSA : IK_SIG_V1_ECDSA, h, ik_hash_len(p1->hash),
			       sp->body, sp->body_len) &&
	    !(p1->initiator ? IK_MUTANT(IK_MUT_MM_SIG_R) : IK_MUTANT(IK_MUT_MM_SIG_I))) {
		ik_peer_sa_event(&p1->sa, IK_PEER_AUTH_FAIL);
		DBG(p1, "ISAKMP:(%u):SA authentication status:", p1->conn_id);
		DBG(p1, "\tnot authenticated");
		ik_msg(p1->e->log, IK_LOG_INFO, "%%CRYPTO-6-IKMP_AUTH_FAIL: Authentication method "
		       "%u failed with host %s", ik_v1_auth_code(p1, p1->auth), ra);
		snprintf(why, whylen, "signature of %s does not verify with the key of its "
			 "certificate", v->subject);
		goto out;
	}
	if (v->pinned)
		ik_dbg(p1->e->log, IK_DBG_PKI_TRANS, "CRYPTO_PKI: signature of %s verified (key "
		       "pinned by the AuthList %s)", v->subject, ik_authz_name(in.authz));
	else
		ik_dbg(p1->e->log, IK_DBG_PKI_TRANS, "CRYPTO_PKI: signature of %s verified "
		       "(trustpoint %s)", v->subject, v->tp ? v->tp->name : "?");
	rc = 0;
out:
	ik_pki_verdict_clear(v);
	free(v);
	return rc;
}
