/* IKE_AUTH with certificates (RFC 7296 2.15, 3.6-3.8; RFC 7427): our CERT
 * and AUTH signature from the profile's trustpoint, CERTREQ naming the CAs
 * we trust, and the peer's CERT payloads and AUTH signature checked through
 * the version-neutral peer check (pki/peerauth.h) and pki/sig_v2.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ike/peer.h"
#include "ike/v2_cert.h"
#include "ike/v2_int.h"
#include "pki/peerauth.h"
#include "pki/sig_v2.h"
#include "util/util.h"

#define MAX_CAS 16 /* CA key hashes named in one CERTREQ */

bool ik_v2_auth_is_sig(enum ik_authm m)
{
	return m == IK_AUTH_RSA_SIG || m == IK_AUTH_ECDSA_SIG;
}

/* The trustpoints a profile names, or every trustpoint of the config. */
static void tp_list(const struct ik_v2_ike_sa *s, struct ik_trustpoint *const **tps, size_t *n)
{
	if (ik_v2_sa_profile(s) && ik_v2_sa_profile(s)->ntrustpoints) {
		*tps = ik_v2_sa_profile(s)->trustpoints;
		*n = ik_v2_sa_profile(s)->ntrustpoints;
	} else {
		*tps = s->cfg->trustpoints;
		*n = s->cfg->ntrustpoints;
	}
}

/* SignedOctets (2.15): the sender's IKE_SA_INIT | the other's nonce |
 * prf(SK_p, the sender's ID body). malloc'd; NULL on failure. */
static uint8_t *signed_octets(const struct ik_v2_ike_sa *s, bool of_initiator,
			      const uint8_t *id_body, size_t id_len, size_t *olen)
{
	size_t ml;
	const uint8_t *msg = of_initiator ? (ml = s->init_i_len, s->init_i) :
		ik_v2_init_r(s, &ml);
	const uint8_t *nonce = of_initiator ? ik_v2_sa_nr(s) : ik_v2_sa_ni(s);
	size_t nl = of_initiator ? s->nr_len : s->ni_len;
	const struct ik_secret *skp = of_initiator ? s->up->keys.sk_pi : s->up->keys.sk_pr;
	size_t hl = ik_v2_prf_len(s->suite.prf);
	struct ik_iov iov = { id_body, id_len };
	uint8_t *o;

	if (!msg || !nonce || !skp || hl == 0)
		return NULL;
	o = malloc(ml + nl + hl);
	if (!o)
		return NULL;
	memcpy(o, msg, ml);
	memcpy(o + ml, nonce, nl);
	if (ik_v2_prf(s->suite.prf, skp->p, skp->len, &iov, 1, o + ml + nl)) {
		free(o);
		return NULL;
	}
	*olen = ml + nl + hl;
	return o;
}

/* CERTREQ naming the CAs of the n trustpoints tps (at most MAX_CAS), and
 * an empty CERTREQ of encoding 15 when raw public keys are welcome: it is
 * how a peer learns that it may send its key alone (RFC 7670 3). */
static void cert_req(struct ik_v2_ike_sa *s, struct ik_v2_builder *b,
		     struct ik_trustpoint *const *tps, size_t n, bool raw)
{
	uint8_t hashes[MAX_CAS * 20];
	size_t nh = 0;

	for (size_t i = 0; i < n && nh < MAX_CAS; i++) {
		X509 *cas[MAX_CAS];
		size_t k;

		if (!tps[i]->store)
			continue;
		k = ik_pki_store_cas(tps[i]->store, cas, MAX_CAS - nh);
		for (size_t j = 0; j < k; j++) {
			EVP_PKEY *pk = X509_get0_pubkey(cas[j]);

			if (pk && ik_pki_key_hash(pk, IK_PKI_SHA1, hashes + 20 * nh) == 20)
				nh++;
		}
	}
	if (raw) {
		ik_v2_b_cert(b, IK_V2_PL_CERTREQ, IK_V2_CERT_RAW_PUBKEY, hashes, 0);
		V2DBG(s, "Building CERTREQ payload for raw public keys");
	}
	if (!nh)
		return;
	ik_v2_b_cert(b, IK_V2_PL_CERTREQ, IK_V2_CERT_X509_SIG, hashes, 20 * nh);
	V2DBG(s, "Building CERTREQ payload naming %zu CA(s)", nh);
}

static bool list_takes_raw(const struct ik_authlist *l)
{
	return l && l->raw_keys;
}

void ik_v2_cert_req(struct ik_v2_ike_sa *s, struct ik_v2_builder *b)
{
	struct ik_trustpoint *const *tps;
	size_t n;

	if (!ik_v2_sa_profile(s) || !ik_v2_auth_is_sig(ik_v2_sa_profile(s)->auth_remote))
		return;
	tp_list(s, &tps, &n);
	cert_req(s, b, tps, n, list_takes_raw(ik_v2_sa_profile(s)->authz));
}

void ik_v2_cert_sig_hashes(struct ik_v2_ike_sa *s, struct ik_v2_builder *b)
{
	/* SHA2-256, SHA2-384, SHA2-512 (RFC 7427 7) */
	static const uint8_t hashes[] = { 0, 2, 0, 3, 0, 4 };

	if (!s->cfg->ntrustpoints)
		return;
	ik_v2_b_notify(b, 0, NULL, 0, IK_V2_N_SIGNATURE_HASH_ALGORITHMS, hashes,
		       sizeof(hashes));
}

void ik_v2_cert_req_init(struct ik_v2_ike_sa *s, struct ik_v2_builder *b)
{
	bool raw = false;

	/* the profile is not known yet: any list that takes raw keys (a bounded
	 * walk of the configured lists, not of peers or SAs) */
	for (size_t i = 0; i < s->cfg->nauthlists && !raw; i++)
		raw = list_takes_raw(s->cfg->authlists[i]);
	cert_req(s, b, s->cfg->trustpoints, s->cfg->ntrustpoints, raw);
}

/* SIGNATURE_HASH_ALGORITHMS: 2-octet hash identifiers (RFC 7427 4). */
static void note_sig_hashes(struct ik_v2_ike_sa *s, const struct ik_pl *pl)
{
	struct ik_v2_notify n;
	char err[100];

	if (ik_v2_parse_notify(pl, &n, err, sizeof(err)))
		return;
	for (size_t k = 0; k + 1 < n.data_len; k += 2) {
		uint16_t h = (uint16_t)(n.data[k] << 8 | n.data[k + 1]);

		if (h >= 2 && h <= 4)
			s->peer_sig_hashes |= (uint8_t)(1u << h);
	}
}

/* The first of our trustpoints (configuration order) with a certificate
 * and key whose issuer is among the CA key hashes of a CERTREQ. Bounded by
 * the trustpoints configured and MAX_CAS hashes, whatever the peer sends. */
static void note_ca_hashes(struct ik_v2_ike_sa *s, const struct ik_v2_cert *c)
{
	size_t nh = c->len / 20 < MAX_CAS ? c->len / 20 : MAX_CAS;
	const struct ik_trustpoint *found = NULL;

	for (size_t t = 0; t < s->cfg->ntrustpoints && t < UINT16_MAX && !found; t++) {
		const struct ik_trustpoint *tp = s->cfg->trustpoints[t];

		if (!tp->has_issuer_hash || !tp->key)
			continue;
		for (size_t h = 0; h < nh && !found; h++)
			if (!memcmp(c->data + 20 * h, tp->issuer_hash, 20)) {
				s->peer_ca_tp = (uint16_t)(t + 1);
				found = tp;
			}
	}
	if (found)
		V2DBG(s, "Peer's CERTREQ names the CA of trustpoint %s", found->name);
}

void ik_v2_cert_note_req(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx)
{
	const struct ik_pl *sh = ik_v2_find_notify(&rx->m, IK_V2_N_SIGNATURE_HASH_ALGORITHMS);

	if (sh)
		note_sig_hashes(s, sh);
	for (size_t i = 0; i < rx->m.npl; i++) {
		struct ik_v2_cert c;
		char err[100];

		if (rx->m.pl[i].type != IK_V2_PL_CERTREQ ||
		    ik_v2_parse_cert(&rx->m.pl[i], &c, err, sizeof(err)))
			continue;
		if (c.encoding == IK_V2_CERT_X509_SIG && !s->peer_ca_tp)
			note_ca_hashes(s, &c);
		if (c.encoding == IK_V2_CERT_RAW_PUBKEY && !s->peer_raw_req) {
			V2DBG(s, "Peer accepts raw public keys (CERTREQ encoding 15)");
			s->peer_raw_req = true;
		}
	}
}

/* The trustpoint we sign with: the one whose CA the peer asked for, when
 * the profile may use it and its key suits; else the first that suits
 * (ik_pki_local_tp). IOS sends its certificate whether asked or not. */
static const struct ik_trustpoint *local_tp(const struct ik_v2_ike_sa *s, enum ik_authm want)
{
	const struct ik_trustpoint *h = ik_v2_sa_peer_ca(s);
	struct ik_trustpoint *const *tps;
	size_t n;
	bool listed;

	tp_list(s, &tps, &n);
	listed = !(ik_v2_sa_profile(s) && ik_v2_sa_profile(s)->ntrustpoints);
	for (size_t i = 0; h && i < n && !listed; i++)
		listed = tps[i] == h;
	if (h && listed && h->cert && h->key &&
	    ((want == IK_AUTH_RSA_SIG && EVP_PKEY_get_base_id(h->key) == EVP_PKEY_RSA) ||
	     (want == IK_AUTH_ECDSA_SIG && EVP_PKEY_get_base_id(h->key) == EVP_PKEY_EC)))
		return h;
	return ik_pki_local_tp(s->cfg, tps, n, want);
}

unsigned ik_v2_cert_method(EVP_PKEY *key, bool digsig, uint8_t peer_hashes,
			   enum ik_v2_sig_hash *hash)
{
	static const struct { unsigned id; enum ik_v2_sig_hash h; } order[] = {
		{ 2, IK_V2_SIG_SHA256 }, { 3, IK_V2_SIG_SHA384 }, { 4, IK_V2_SIG_SHA512 },
	};

	*hash = IK_V2_SIG_SHA256;
	if (!ik_pki_v2_method(key))
		return 0;
	for (size_t i = 0; digsig && i < IK_ARRAY_LEN(order); i++)
		if (peer_hashes & (1u << order[i].id)) {
			*hash = order[i].h;
			return IK_V2_AUTH_DIGITAL_SIG;
		}
	return ik_pki_v2_method(key);
}

int ik_v2_cert_auth(struct ik_v2_ike_sa *s, struct ik_v2_builder *b, bool initiator,
		    const uint8_t *idb, size_t idl)
{
	const struct ik_ikev2_profile *p = ik_v2_sa_profile(s);
	const struct ik_trustpoint *tp;
	unsigned char *der = NULL;
	uint8_t *oct = NULL, sig[IK_V2_SIG_MAX];
	size_t ol = 0;
	unsigned method;
	int dl, sl = -1, rc = -1;
	bool raw;
	enum ik_v2_sig_hash hash;

	tp = local_tp(s, p->auth_local);
	if (!tp) {
		ik_v2_fail(s, "IKEv2 profile %s: no trustpoint with a certificate and a %s key",
			   p->name, p->auth_local == IK_AUTH_RSA_SIG ? "RSA" : "EC");
		return -1;
	}
	method = ik_v2_cert_method(tp->key, p->auth_local_digsig, s->peer_sig_hashes, &hash);
	/* the key alone when asked for raw keys, unless the peer's CERTREQ names
	 * our self-signed certificate as one of its CAs: it validates that */
	raw = tp->cert_self_signed && s->peer_raw_req && ik_v2_sa_peer_ca(s) != tp;
	dl = raw ? i2d_PUBKEY(tp->key, &der) : i2d_X509(tp->cert, &der);
	oct = signed_octets(s, initiator, idb, idl, &ol);
	if (oct && method)
		sl = ik_pki_v2_sign(tp->key, method, hash, oct, ol, sig, sizeof(sig));
	if (dl <= 0 || sl <= 0) {
		ik_v2_fail(s, "cannot sign with the key of trustpoint %s", tp->name);
		goto out;
	}
	ik_v2_b_cert(b, IK_V2_PL_CERT, raw ? IK_V2_CERT_RAW_PUBKEY : IK_V2_CERT_X509_SIG, der,
		     (size_t)dl);
	if (initiator)
		ik_v2_cert_req(s, b);
	ik_v2_b_auth(b, (uint8_t)method, sig, (size_t)sl);
	ik_dbg(s->e->log, IK_DBG_PKI_TRANS, "CRYPTO_PKI: signing with the key of trustpoint %s",
	       tp->name);
	V2DBG(s, "Generating AUTH payload: %s, %s of trustpoint %s",
	      ik_pki_v2_method_name(method), raw ? "raw public key" : "certificate", tp->name);
	rc = 0;
out:
	OPENSSL_free(der);
	free(oct);
	return rc;
}

size_t ik_v2_cert_local_dn(const struct ik_v2_ike_sa *s, uint8_t *out, size_t cap)
{
	const struct ik_trustpoint *tp;
	unsigned char *der = NULL;
	int dl;

	if (!ik_v2_sa_profile(s) || !ik_v2_auth_is_sig(ik_v2_sa_profile(s)->auth_local))
		return 0;
	tp = local_tp(s, ik_v2_sa_profile(s)->auth_local);
	if (!tp)
		return 0;
	dl = i2d_X509_NAME(X509_get_subject_name(tp->cert), &der);
	if (dl <= 0 || (size_t)dl > cap) {
		OPENSSL_free(der);
		return 0;
	}
	memcpy(out, der, (size_t)dl);
	OPENSSL_free(der);
	return (size_t)dl;
}

int ik_v2_cert_dn_text(const uint8_t *der, size_t len, char **out)
{
	const unsigned char *p = der;
	X509_NAME *n = len ? d2i_X509_NAME(NULL, &p, (long)len) : NULL;
	char buf[256];

	*out = NULL;
	if (!n || p != der + len) {
		X509_NAME_free(n);
		return -1;
	}
	ik_pki_name_text(n, buf, sizeof(buf));
	X509_NAME_free(n);
	*out = strdup(buf);
	return *out ? 0 : -1;
}

/* The leaf among the CERT payloads: the first end-entity certificate. */
static X509 *leaf_cert(const struct ik_v2_rx *rx)
{
	for (size_t i = 0; i < rx->m.npl; i++) {
		struct ik_v2_cert c;
		X509 *x;
		char err[100];

		if (rx->m.pl[i].type != IK_V2_PL_CERT ||
		    ik_v2_parse_cert(&rx->m.pl[i], &c, err, sizeof(err)) ||
		    c.encoding != IK_V2_CERT_X509_SIG)
			continue;
		x = ik_pki_cert_parse(c.data, c.len, NULL, 0);
		if (x && !X509_check_ca(x))
			return x;
		X509_free(x);
	}
	return NULL;
}

const struct ik_ikev2_profile *ik_v2_cert_profile(struct ik_v2_ike_sa *s,
						 const struct ik_v2_rx *rx)
{
	const struct ik_config *cfg = s->cfg;
	const struct ik_ikev2_profile *found = NULL;
	X509 *leaf;

	if (!cfg->nv2_certmap_profiles)
		return NULL;
	leaf = leaf_cert(rx);
	if (!leaf)
		return NULL;
	for (size_t i = 0; i < cfg->nv2_certmap_profiles && !found; i++)
		if (ik_pki_certmap_match(cfg->v2_certmap_profiles[i]->cert_map, leaf))
			found = cfg->v2_certmap_profiles[i];
	X509_free(leaf);
	if (found)
		V2DBG(s, "found matching IKEv2 profile '%s' (certificate map %s)", found->name,
		      found->cert_map->name);
	return found;
}

static enum ik_pki_id_kind id_kind(uint8_t t)
{
	switch (t) {
	case IK_V2_ID_IPV4_ADDR: return IK_PKI_ID_IPV4;
	case IK_V2_ID_IPV6_ADDR: return IK_PKI_ID_IPV6;
	case IK_V2_ID_FQDN: return IK_PKI_ID_FQDN;
	case IK_V2_ID_RFC822_ADDR: return IK_PKI_ID_EMAIL;
	default: return IK_PKI_ID_DN;
	}
}

int ik_v2_cert_check(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx,
		     const struct ik_v2_id_pl *id, const struct ik_v2_auth *a, char *why,
		     size_t whylen)
{
	const uint8_t *der[IK_PKI_MAX_PEER_CERTS];
	size_t len[IK_PKI_MAX_PEER_CERTS], n = 0;
	struct ik_trustpoint *const *tps;
	struct ik_pki_peer_in in = { 0 };
	struct ik_pki_verdict *v = calloc(1, sizeof(*v));
	struct ik_engine *e = s->e;
	uint8_t *oct = NULL;
	size_t ol = 0;
	char err[200];
	int rc = -1;

	snprintf(why, whylen, "internal error");
	if (!v)
		return -1;
	for (size_t i = 0; i < rx->m.npl; i++) {
		const struct ik_pl *pl = &rx->m.pl[i];
		struct ik_v2_cert c;

		if (pl->type != IK_V2_PL_CERT)
			continue;
		if (ik_v2_parse_cert(pl, &c, err, sizeof(err))) {
			V2DBG(s, "CERT payload %zu ignored: %s", i, err);
			continue;
		}
		if (c.encoding == IK_V2_CERT_RAW_PUBKEY && in.raw_key) {
			V2DBG(s, "CERT payload %zu ignored: a second raw public key", i);
			continue;
		}
		if (c.encoding == IK_V2_CERT_RAW_PUBKEY) {
			in.raw_key = c.data;
			in.raw_key_len = c.len;
			continue;
		}
		if (c.encoding != IK_V2_CERT_X509_SIG) {
			V2DBG(s, "CERT payload %zu of encoding %u ignored: not an X.509 signature "
			      "certificate (4) or raw public key (15)", i, c.encoding);
			continue;
		}
		if (n == IK_PKI_MAX_PEER_CERTS) {
			V2DBG(s, "more than %u CERT payloads, the rest ignored",
			      IK_PKI_MAX_PEER_CERTS);
			break;
		}
		der[n] = c.data;
		len[n] = c.len;
		n++;
	}
	in.certs = der;
	in.cert_lens = len;
	in.ncerts = n;
	in.id_kind = id_kind(id->type);
	in.id = id->data;
	in.id_len = id->len;
	tp_list(s, &tps, &in.ntps);
	in.tps = tps;
	in.map = ik_v2_sa_profile(s)->cert_map;
	in.authz = ik_v2_sa_profile(s)->authz ? ik_v2_sa_profile(s)->authz->index : NULL;
	in.peer = s->remote.ip;
	in.now = e->host.wall_time ? e->host.wall_time(e->host.ctx) : 0;
	in.log = e->log;
	in.conn_id = s->sa_id;
	if (ik_pki_peer_verify(&in, v) != IK_PKI_V_OK) {
		ik_peer_sa_event(&s->sa, v->code == IK_PKI_V_AUTHZ ? IK_PEER_AUTHZ_REFUSED :
				 IK_PEER_AUTH_FAIL);
		snprintf(why, whylen, "%s", v->reason);
		goto out;
	}
	oct = signed_octets(s, !s->sa.initiator, id->body, id->body_len, &ol);
	if (!oct)
		goto out;
	if (!ik_pki_v2_verify(v->key, a->method, a->data, a->len, oct, ol, err, sizeof(err))) {
		ik_peer_sa_event(&s->sa, IK_PEER_AUTH_FAIL);
		snprintf(why, whylen, "Verification of peer's authentication data FAILED: %s "
			 "(%s, certificate %s)", err, ik_pki_v2_method_name(a->method),
			 v->subject);
		goto out;
	}
	if (v->pinned)
		ik_dbg(e->log, IK_DBG_PKI_TRANS, "CRYPTO_PKI: signature of %s verified (key pinned "
		       "by the AuthList %s)", v->subject, ik_authz_name(in.authz));
	else
		ik_dbg(e->log, IK_DBG_PKI_TRANS, "CRYPTO_PKI: signature of %s verified "
		       "(trustpoint %s)", v->subject, v->tp ? v->tp->name : "?");
	V2DBG(s, "Peer's AUTH: %s (method %u) with the key %s%s",
	      ik_pki_v2_method_name(a->method), a->method, v->leaf ? "of certificate " : "",
	      v->subject);
	rc = 0;
out:
	free(oct);
	ik_pki_verdict_clear(v);
	free(v);
	return rc;
}
