/* IKE_AUTH with pre-shared keys (RFC 7296 1.2, 2.15) or certificates
 * (v2_cert.c), both roles: IDi and IDr, the responder's profile from IDi
 * (V2-1: ik_v2_profile_select), the key from that profile's keyring
 * (ik_v2_key_responder / _initiator, local and remote keys apart),
 * AUTHENTICATION_FAILED, INITIAL_CONTACT, and the first child SA
 * (v2_esp.c), without PFS. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/v2_cert.h"
#include "ike/v2_int.h"
#include "util/addr.h"
#include "util/mutant.h"
#include "util/util.h"

#define ID_MAX 1024

/* Our identity (`identity local`, default the address) as an ID body:
 * type, three reserved bytes, data. */
static size_t id_local(const struct ik_v2_ike_sa *s, uint8_t *body, size_t cap)
{
	const struct ik_ikev2_profile *p = ik_v2_sa_profile(s);
	enum ik_id_type t = p ? p->local_id_type : IK_ID_NONE;
	const char *v = p ? p->local_id_value : NULL;
	uint8_t type;
	size_t len;

	memset(body, 0, 4);
	if (p && p->local_id_dn) {
		len = ik_v2_cert_local_dn(s, body + 4, cap - 4);
		if (len) {
			body[0] = IK_V2_ID_DER_ASN1_DN;
			return 4 + len;
		}
	}
	if ((t == IK_ID_NONE || !v) && s->local.family == IK_AF_INET6) {
		body[0] = IK_V2_ID_IPV6_ADDR;
		memcpy(body + 4, s->local.addr6, 16);
		return 20;
	}
	if (t == IK_ID_ADDRESS && v && strchr(v, ':')) {
		uint8_t a6[16];

		if (ik_addr6_parse(v, a6) == 0) {
			body[0] = IK_V2_ID_IPV6_ADDR;
			memcpy(body + 4, a6, 16);
			return 20;
		}
	}
	if (t == IK_ID_NONE || t == IK_ID_ADDRESS || !v) {
		uint32_t a = s->local.addr;

		if (t == IK_ID_ADDRESS && v)
			ik_addr_parse(v, &a);
		body[0] = IK_V2_ID_IPV4_ADDR;
		ik_put32(body + 4, a);
		return 8;
	}
	type = t == IK_ID_FQDN ? IK_V2_ID_FQDN : t == IK_ID_EMAIL ? IK_V2_ID_RFC822_ADDR :
		IK_V2_ID_KEY_ID;
	len = strlen(v);
	if (len > cap - 4)
		len = cap - 4;
	body[0] = type;
	memcpy(body + 4, v, len);
	return 4 + len;
}

static const char *id_type_text(uint8_t t)
{
	switch (t) {
	case IK_V2_ID_IPV4_ADDR: return "IPv4 address";
	case IK_V2_ID_FQDN: return "FQDN";
	case IK_V2_ID_RFC822_ADDR: return "email";
	case IK_V2_ID_IPV6_ADDR: return "IPv6 address";
	case IK_V2_ID_KEY_ID: return "key ID";
	case IK_V2_ID_DER_ASN1_DN: return "DER ASN1 DN";
	default: return "unknown";
	}
}

/* The peer's ID payload as selection reads it (s->peer_id): 0; 1 for a DN
 * (its text in s->peer_id_value, s->peer_id left empty); -1 for a type IOS
 * profiles cannot match, or a name with a NUL in it. */
static int id_peer(struct ik_v2_ike_sa *sa, const struct ik_v2_id_pl *id)
{
	struct ik_v2_up *s = ik_v2_up(sa);

	free(s->peer_id_value);
	s->peer_id_value = NULL;
	memset(&s->peer_id, 0, sizeof(s->peer_id));
	s->peer_id_type = id->type;
	switch (id->type) {
	case IK_V2_ID_IPV4_ADDR:
		if (id->len != 4)
			return -1;
		s->peer_id.type = IK_ID_ADDRESS;
		s->peer_id.addr = ik_get32(id->data);
		return 0;
	case IK_V2_ID_IPV6_ADDR:
		if (id->len != 16)
			return -1;
		s->peer_id.type = IK_ID_ADDRESS;
		s->peer_id.v6 = true;
		memcpy(s->peer_id.addr6, id->data, 16);
		return 0;
	case IK_V2_ID_FQDN:
		s->peer_id.type = IK_ID_FQDN;
		break;
	case IK_V2_ID_RFC822_ADDR:
		s->peer_id.type = IK_ID_EMAIL;
		break;
	case IK_V2_ID_KEY_ID:
		s->peer_id.type = IK_ID_KEY_ID;
		break;
	case IK_V2_ID_DER_ASN1_DN:
		/* no match identity names a DN: the profile comes from a
		 * certificate map (ik_v2_cert_profile) */
		return ik_v2_cert_dn_text(id->data, id->len, &s->peer_id_value) ? -1 : 1;
	default:
		return -1;
	}
	if (id->len == 0 || id->len > 255 || memchr(id->data, 0, id->len))
		return -1;
	s->peer_id_value = malloc(id->len + 1);
	if (!s->peer_id_value)
		return -1;
	memcpy(s->peer_id_value, id->data, id->len);
	s->peer_id_value[id->len] = 0;
	s->peer_id.value = s->peer_id_value;
	return 0;
}

static bool auth_known(enum ik_authm m)
{
	return m == IK_AUTH_PSK || ik_v2_auth_is_sig(m);
}

/* Whether either side of the profile authenticates with a pre-shared key. */
static bool psk_used(const struct ik_ikev2_profile *p)
{
	return p->auth_local == IK_AUTH_PSK || p->auth_remote == IK_AUTH_PSK;
}

static void auth_failed(struct ik_v2_ike_sa *s, const char *why)
{
	char ra[IK_ADDR_ANYSTRLEN];

	V2DBG(s, "%s", why);
	ik_v2_fail(s, "Auth exchange failed with %s (%s)",
		   ik_addr_fmt_any(&s->remote.ip, ra), why);
}

/* INITIAL_CONTACT from an authenticated peer: its older IKEv2 SAs (and
 * their children) are gone on its side. Through the address index. */
static bool same_vrf(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* INITIAL_CONTACT: the peer's other IKE SAs go, with their children. The peer
 * is its address AND port (and fVRF), as in IKEv1, so that peers behind one
 * NAT address do not delete each other's SAs; the walk goes through the peer
 * index, whatever the number of SAs from that address. */
static void initial_contact(struct ik_v2_ike_sa *s)
{
	struct ik_engine *e = s->e;
	struct ik_hlink *l, *next;

	for (l = ik_core_sa_first_peer(e, s->fvrf, &s->local, &s->remote); l; l = next) {
		struct ik_ike_sa *o = ik_container_of(l, struct ik_ike_sa, by_peer);

		next = ik_htab_next(l);
		if (o == &s->sa || o->dead || o->version != 2 || o->state != IKEV2_READY ||
		    !ik_addr_eq(&o->remote.ip, &s->remote.ip) || o->remote.port != s->remote.port ||
		    !ik_addr_eq(&o->local.ip, &s->local.ip) || !same_vrf(o->fvrf, s->fvrf))
			continue;
		V2DBG(s, "INITIAL_CONTACT: deleting the older IKE SA %u with this peer",
		      ((struct ik_v2_ike_sa *)o)->sa_id);
		ik_v2_sa_delete((struct ik_v2_ike_sa *)o, "INITIAL_CONTACT received", false);
	}
}

/* ---- initiator ---- */

int ik_v2_auth_start(struct ik_v2_ike_sa *s)
{
	struct ik_engine *e = s->e;
	struct ik_trace tr = { e->log, s->sa_id };
	struct ik_v2_builder *b;
	uint8_t idb[ID_MAX], auth[IK_V2_PRF_MAX];
	size_t idl, sk;
	int rc = -1;

	ik_v2_up(s); /* the identity and keys this exchange chooses go there */
	if (!ik_v2_sa_profile(s)) {
		ik_v2_fail(s, "no IKEv2 profile for the tunnel");
		return -1;
	}
	if (!auth_known(ik_v2_sa_profile(s)->auth_local) ||
	    !auth_known(ik_v2_sa_profile(s)->auth_remote)) {
		ik_v2_fail(s, "IKEv2 profile %s: authentication local and remote must be "
			   "pre-share, rsa-sig or ecdsa-sig", ik_v2_sa_profile(s)->name);
		return -1;
	}
	if (psk_used(ik_v2_sa_profile(s)) &&
	    (ik_v2_key_initiator_ip(s->cfg, ik_v2_sa_profile(s), &s->remote.ip, NULL, &s->up->psk,
				    &tr) ||
	     (ik_v2_sa_profile(s)->auth_local == IK_AUTH_PSK && !s->up->psk.local))) {
		ik_v2_fail(s, "no pre-shared key for %s in keyring of IKEv2 profile %s",
			   ik_addr_fmt_any(&s->remote.ip, (char[IK_ADDR_ANYSTRLEN]){ 0 }),
			   ik_v2_sa_profile(s)->name);
		return -1;
	}
	b = malloc(sizeof(*b));
	if (!b)
		return -1;
	idl = id_local(s, idb, sizeof(idb));
	ik_v2_msg_begin(s, b, IK_V2_EXCH_IKE_AUTH, false, UINT32_MAX, &sk);
	ik_v2_b_id(b, IK_V2_PL_IDI, idb[0], idb + 4, idl - 4);
	if (ik_v2_auth_is_sig(ik_v2_sa_profile(s)->auth_local)) {
		if (ik_v2_cert_auth(s, b, true, idb, idl))
			goto out;
	} else {
		if (ik_v2_auth_psk(s->suite.prf, s->up->psk.local, s->init_i, s->init_i_len,
				   ik_v2_sa_nr(s), s->nr_len, s->up->keys.sk_pi, idb, idl, auth))
			goto out;
		ik_v2_cert_req(s, b);
		ik_v2_b_auth(b, IK_V2_AUTH_PSK, auth, ik_v2_prf_len(s->suite.prf));
		ik_wipe(auth, sizeof(auth));
	}
	if (!ik_v2_sa_find_peer(e, &s->local.ip, &s->remote.ip)) {
		ik_v2_b_notify(b, 0, NULL, 0, IK_V2_N_INITIAL_CONTACT, NULL, 0);
		s->initial_contact = true;
	}
	if ((s->up->tunnel || (s->up->child && s->up->child->cmap)) && s->up->want_child) {
		if (ik_v2_esp_offer(s, s->up->tunnel, ik_v2_sa_child(s), b))
			goto out;
	}
	if (ik_v2_sa_profile(s)->auth_local == IK_AUTH_PSK)
		V2DBG(s, "Generating IKE_AUTH message (identity %s, pre-shared key of peer block "
		      "%s)", id_type_text(idb[0]), s->up->psk.peer ? s->up->psk.peer->name : "?");
	else
		V2DBG(s, "Generating IKE_AUTH message (identity %s, certificate)",
		      id_type_text(idb[0]));
	if (ik_v2_send_request(s, b, sk))
		goto out;
	ik_v2_sa_set_state(s, IKEV2_I_AUTH_SENT);
	rc = 0;
out:
	free(b);
	return rc;
}

static void first_child(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx);

int ik_v2_auth_response(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx)
{
	const struct ik_pl *pl_id = ik_v2_find(&rx->m, IK_V2_PL_IDR);
	const struct ik_pl *pl_auth = ik_v2_find(&rx->m, IK_V2_PL_AUTH);
	struct ik_v2_id_pl id;
	struct ik_v2_auth a;
	char err[200];

	ik_v2_up(s);
	if (ik_v2_find_notify(&rx->m, IK_V2_N_AUTHENTICATION_FAILED)) {
		auth_failed(s, ik_v2_sa_profile(s) &&
			    ik_v2_auth_is_sig(ik_v2_sa_profile(s)->auth_local) ?
			    "Received AUTHENTICATION_FAILED from the peer: it did not accept "
			    "our certificate, signature or identity" :
			    "Received AUTHENTICATION_FAILED from the peer: it did not accept "
			    "our pre-shared key or identity");
		ik_v2_sa_delete(s, "AUTHENTICATION_FAILED", false);
		return -1;
	}
	if (!pl_id || !pl_auth || ik_v2_parse_id(pl_id, &id, err, sizeof(err)) ||
	    ik_v2_parse_auth(pl_auth, &a, err, sizeof(err))) {
		auth_failed(s, "IKE_AUTH response without a valid IDr and AUTH");
		ik_v2_sa_delete(s, "bad IKE_AUTH response", false);
		return -1;
	}
	id_peer(s, &id);
	if (ik_v2_auth_is_sig(ik_v2_sa_profile(s)->auth_remote)) {
		char why[500];

		if (ik_v2_cert_check(s, rx, &id, &a, why, sizeof(why))) {
			auth_failed(s, why);
			ik_v2_sa_delete(s, "AUTH of the responder does not verify", false);
			return -1;
		}
	} else if (a.method != IK_V2_AUTH_PSK || !s->up->psk.remote ||
	    !ik_v2_auth_psk_equal(s->suite.prf, s->up->psk.remote, ik_v2_sa_init_r(s),
				  s->init_r_len, ik_v2_sa_ni(s), s->ni_len, s->up->keys.sk_pr,
				  id.body, id.body_len, a.data, a.len)) {
		ik_peer_sa_event(&s->sa, IK_PEER_AUTH_FAIL);
		auth_failed(s, "Verification of peer's authentication data FAILED");
		ik_v2_sa_delete(s, "AUTH of the responder does not verify", false);
		return -1;
	}
	V2DBG(s, "Verification of peer's authentication data PASSED");
	ik_v2_sa_established(s);
	if (s->up->want_child)
		first_child(s, rx);
	ik_v2_kept_free(s); /* the child took its keys from the nonces */
	return 0;
}

/* Initiator: the IPsec SA the IKE_AUTH response brings, or the peer's
 * refusal of it. */
static void first_child(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx)
{
	const struct ik_pl *pl_n;
	char err[200];

	for (size_t i = 0; i < rx->m.npl; i++) {
		struct ik_v2_notify n;

		pl_n = &rx->m.pl[i];
		if (pl_n->type != IK_V2_PL_N || ik_v2_parse_notify(pl_n, &n, err, sizeof(err)) ||
		    n.type > IK_V2_N_ERROR_MAX)
			continue;
		if (s->up->child && s->up->child->cmap)
			ik_v2_fail(s, "the peer refused the IPsec SA for crypto map %s %u: %s",
				   s->up->child->cmap->map->name, s->up->child->cmap->seq,
				   ik_v2_notify_name(n.type));
		else
			ik_v2_fail(s, "the peer refused the IPsec SA for %s: %s",
				   s->up->tunnel ? s->up->tunnel->name : "?",
				   ik_v2_notify_name(n.type));
		s->e->st.p2_failed++;
		return;
	}
	if (ik_v2_esp_accept(s, rx, ik_v2_sa_child(s)) == 0)
		ik_v2_child_install(s, s->up->child, ik_v2_sa_ni(s), s->ni_len, ik_v2_sa_nr(s),
				    s->nr_len, NULL);
	else
		s->e->st.p2_failed++;
	ik_v2_sa_child_done(s);
}

/* ---- responder ---- */

static void send_auth_failed(struct ik_v2_ike_sa *s, uint32_t msgid)
{
	struct ik_v2_builder *b = malloc(sizeof(*b));
	size_t sk;

	if (!b)
		return;
	ik_v2_msg_begin(s, b, IK_V2_EXCH_IKE_AUTH, true, msgid, &sk);
	ik_v2_b_notify(b, 0, NULL, 0, IK_V2_N_AUTHENTICATION_FAILED, NULL, 0);
	ik_v2_send_response(s, b, sk);
	free(b);
}

int ik_v2_auth_request(struct ik_v2_ike_sa *s, const struct ik_v2_rx *rx)
{
	struct ik_engine *e = s->e;
	uint32_t msgid = rx->m.hdr.msgid;
	const struct ik_pl *pl_id = ik_v2_find(&rx->m, IK_V2_PL_IDI);
	const struct ik_pl *pl_auth = ik_v2_find(&rx->m, IK_V2_PL_AUTH);
	struct ik_trace tr = { e->log, s->sa_id };
	struct ik_v2_id_pl id;
	struct ik_v2_auth a;
	struct ik_v2_builder *b = NULL;
	uint8_t idb[ID_MAX], auth[IK_V2_PRF_MAX];
	char err[200], idtxt[300], why[500];
	size_t idl, sk;
	int cerr = IK_V2_N_NO_PROPOSAL_CHOSEN, idk;
	bool child = ik_v2_find(&rx->m, IK_V2_PL_SA) != NULL;

	ik_v2_up(s); /* decrypted: the peer holds the keys of IKE_SA_INIT */
	/* the peer answered from its address with our keys: proven */
	ik_core_ho_prove(&s->sa);
	if (!pl_id || !pl_auth || ik_v2_parse_id(pl_id, &id, err, sizeof(err)) ||
	    ik_v2_parse_auth(pl_auth, &a, err, sizeof(err))) {
		auth_failed(s, "IKE_AUTH request without a valid IDi and AUTH");
		goto fail;
	}
	ik_v2_cert_note_req(s, rx);
	idk = id_peer(s, &id);
	if (idk < 0) {
		auth_failed(s, "peer identity of a type no IKEv2 profile can match");
		goto fail;
	}
	V2DBG(s, "Received identity %s of type '%s'", idk ? s->up->peer_id_value :
	      ik_v2_id_fmt(&s->up->peer_id, idtxt, sizeof(idtxt)), id_type_text(id.type));
	ik_v2_up(s)->profile = ik_v2_cert_profile(s, rx);
	if (!ik_v2_sa_profile(s) && !idk)
		ik_v2_up(s)->profile = ik_v2_profile_select_ip(s->cfg, s->fvrf, &s->local.ip,
							       &s->up->peer_id, &tr);
	if (!ik_v2_sa_profile(s)) {
		auth_failed(s, "Failed to locate an IKEv2 profile for the peer's identity");
		goto fail;
	}
	if (!auth_known(ik_v2_sa_profile(s)->auth_remote) ||
	    !auth_known(ik_v2_sa_profile(s)->auth_local)) {
		auth_failed(s, "the IKEv2 profile has no authentication method");
		goto fail;
	}
	if (idk && psk_used(ik_v2_sa_profile(s))) {
		auth_failed(s, "a peer with a DN identity authenticates by certificates only (the "
			    "profile uses pre-share)");
		goto fail;
	}
	if (psk_used(ik_v2_sa_profile(s)) &&
	    (ik_v2_key_responder_ip(s->cfg, ik_v2_sa_profile(s), &s->up->peer_id, &s->remote.ip,
				    &s->up->psk, &tr) ||
	     (ik_v2_sa_profile(s)->auth_remote == IK_AUTH_PSK && !s->up->psk.remote) ||
	     (ik_v2_sa_profile(s)->auth_local == IK_AUTH_PSK && !s->up->psk.local))) {
		auth_failed(s, "no pre-shared key for the peer in the profile's keyring");
		goto fail;
	}
	if (ik_v2_auth_is_sig(ik_v2_sa_profile(s)->auth_remote)) {
		if (ik_v2_cert_check(s, rx, &id, &a, why, sizeof(why))) {
			auth_failed(s, why);
			goto fail;
		}
	} else if (a.method != IK_V2_AUTH_PSK) {
		auth_failed(s, "peer authenticates with a method other than pre-share");
		goto fail;
	} else if (!ik_v2_auth_psk_equal(s->suite.prf, s->up->psk.remote, s->init_i, s->init_i_len,
					 ik_v2_sa_nr(s), s->nr_len, s->up->keys.sk_pi, id.body,
					 id.body_len,
					 a.data, a.len)) {
		ik_peer_sa_event(&s->sa, IK_PEER_AUTH_FAIL);
		auth_failed(s, "Verification of peer's authentication data FAILED");
		goto fail;
	}
	V2DBG(s, "Verification of peer's authentication data PASSED");
	if (ik_v2_find_notify(&rx->m, IK_V2_N_INITIAL_CONTACT)) {
		V2DBG(s, "Processing INITIAL_CONTACT");
		s->initial_contact = true;
		initial_contact(s);
	}
	b = malloc(sizeof(*b));
	if (!b)
		goto fail;
	idl = id_local(s, idb, sizeof(idb));
	ik_v2_msg_begin(s, b, IK_V2_EXCH_IKE_AUTH, true, msgid, &sk);
	ik_v2_b_id(b, IK_V2_PL_IDR, idb[0], idb + 4, idl - 4);
	if (ik_v2_auth_is_sig(ik_v2_sa_profile(s)->auth_local)) {
		if (ik_v2_cert_auth(s, b, false, idb, idl))
			goto fail;
	} else {
		size_t irl;
		const uint8_t *ir = ik_v2_init_r(s, &irl);

		if (ik_v2_auth_psk(s->suite.prf, s->up->psk.local, ir, irl, ik_v2_sa_ni(s),
				   s->ni_len, s->up->keys.sk_pr, idb, idl, auth))
			goto fail;
		ik_v2_b_auth(b, IK_V2_AUTH_PSK, auth, ik_v2_prf_len(s->suite.prf));
		ik_wipe(auth, sizeof(auth));
	}
	if (child) {
		cerr = ik_v2_esp_choose(s, rx, ik_v2_sa_child(s), b);
		if (cerr)
			ik_v2_b_notify(b, 0, NULL, 0, (uint16_t)cerr, NULL, 0);
	}
	if (ik_v2_send_response(s, b, sk))
		goto fail;
	ik_v2_sa_established(s);
	if (child && !cerr)
		ik_v2_child_install(s, s->up->child, ik_v2_sa_ni(s), s->ni_len, ik_v2_sa_nr(s),
				    s->nr_len, NULL);
	else if (child)
		e->st.p2_failed++;
	ik_v2_sa_child_done(s);
	ik_v2_kept_free(s); /* the child took its keys from the nonces */
	free(b);
	return 0;
fail:
	free(b);
	send_auth_failed(s, msgid);
	ik_v2_sa_delete(s, "IKE_AUTH failed", false);
	return -1;
}
