/* IKEv2 IKE_AUTH with certificates (RFC 7296 2.15, 3.6-3.8) between two
 * engines in one process: RSA (method 1) and ECDSA P-256 (method 9), either
 * side initiating, CERTREQ naming the CA, and each refusal: a tampered AUTH
 * signature, a certificate from an unknown CA, an identity the certificate
 * does not name, the authorization list pinning another key; a DN identity
 * and the profile chosen by certificate map; raw public keys (RFC 7670)
 * without any CA, pinned by the authorization list. Signature
 * methods 1, 9 and 14 (RFC 7427) are also checked alone, both ways.
 * Certificates are made at test time. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/v2_cert.h"
#include "ike/v2_msg.h"
#include "pki/pki.h"
#include "pki/sig_v2.h"
#include "profile/check.h"
#include "profile/snapshot.h"
#include "test_certgen.h"
#include "test_exchange_harness.h"
#include "util/strbuf.h"

#define R1_ADDR 0xc0a80001u /* 192.168.0.1 */
#define R2_ADDR 0xc0a80002u /* 192.168.0.2 */
#define DAY 86400

static struct xnet net;


/* A router: trustpoint TP from files, IKEv2 profile P authenticating both
 * ways with auth (rsa-sig or ecdsa-sig), matching the other side by
 * address, Tunnel1 to it. top goes before the profile, prof inside it. */
static char *conf(const char *host, const char *auth, const char *ca_pem, const char *cert,
		  const char *key, uint32_t self, uint32_t peer, const char *top,
		  const char *prof)
{
	struct ik_sb sb;
	char s[16], d[16];

	snprintf(s, sizeof(s), "192.168.0.%u", self & 0xff);
	snprintf(d, sizeof(d), "192.168.0.%u", peer & 0xff);
	ik_sb_init(&sb);
	ik_sb_printf(&sb,
		     "hostname %s\n"
		     "crypto pki trustpoint TP\n"
		     " enrollment terminal\n"
		     " revocation-check none\n"
		     "crypto pki import TP pem %s\n"
		     "crypto pki import TP pem %s key %s\n"
		     "crypto ikev2 proposal PROP\n"
		     " encryption aes-cbc-256\n"
		     " integrity sha256\n"
		     " group 14\n"
		     "crypto ikev2 policy POL\n"
		     " proposal PROP\n"
		     "%s"
		     "crypto ikev2 profile P\n"
		     " match identity remote address %s 255.255.255.255\n"
		     " authentication remote %s\n"
		     " authentication local %s\n"
		     " pki trustpoint TP\n"
		     "%s"
		     "crypto ipsec transform-set TS esp-aes esp-sha256-hmac\n"
		     "crypto ipsec profile IP\n"
		     " set transform-set TS\n"
		     " set ikev2-profile P\n"
		     "interface Ethernet0/0\n"
		     " ip address %s 255.255.255.0\n"
		     "interface Tunnel1\n"
		     " ip address 10.0.0.%u 255.255.255.0\n"
		     " tunnel source Ethernet0/0\n"
		     " tunnel destination %s\n"
		     " tunnel protection ipsec profile IP\n",
		     host, ca_pem, cert, key, top ? top : "", d, auth, auth, prof ? prof : "", s,
		     self & 0xff, d);
	return sb.s;
}

static char *conf1(const struct tc_pki *p, const char *auth, const char *top, const char *prof)
{
	return conf("R1", auth, p->ca_pem, p->c1_pem, p->k1_pem, R1_ADDR, R2_ADDR, top, prof);
}

static char *conf2(const struct tc_pki *p, const char *auth, const char *top, const char *prof)
{
	return conf("R2", auth, p->ca_pem, p->c2_pem, p->k2_pem, R2_ADDR, R1_ADDR, top, prof);
}

static void start(char *t1, char *t2, uint64_t seed)
{
	struct ik_config *c1 = xn_load(t1, "r1.conf"), *c2 = xn_load(t2, "r2.conf");

	free(t1);
	free(t2);
	xn_init(&net, c1, R1_ADDR, c2, R2_ADDR, seed, NULL);
	net.n[0].log.debug_mask = IK_DBG_ALL;
	net.n[1].log.debug_mask = IK_DBG_ALL;
}

static void expect_line(const struct xnode *n, const char *s)
{
	if (xn_find(n, 0, s) < 0)
		xn_dump(n);
	ck_assert_msg(xn_find(n, 0, s) >= 0, "%s: no line with \"%s\"", n->name, s);
}

static void expect_no_line(const struct xnode *n, const char *s)
{
	ck_assert_msg(xn_find(n, 0, s) < 0, "%s: unexpected line \"%s\"", n->name, s);
}

static void initiate(int side)
{
	struct ik_sb err;

	ik_sb_init(&err);
	ck_assert_msg(ik_engine_initiate(net.n[side].e, "Tunnel1", &err) == 0, "%s",
		      ik_sb_str(&err));
	ik_sb_free(&err);
}

static void expect_up(void)
{
	if (net.n[0].nup != 1 || net.n[1].nup != 1) {
		xn_dump(&net.n[0]);
		xn_dump(&net.n[1]);
	}
	ck_assert_uint_eq(net.n[0].nup, 1);
	ck_assert_uint_eq(net.n[1].nup, 1);
	ck_assert_uint_eq(net.n[0].up[0].out.spi, net.n[1].up[0].in.spi);
	ck_assert(!memcmp(net.n[0].up[0].out.enc_key, net.n[1].up[0].in.enc_key,
			  sizeof(net.n[0].up[0].out.enc_key)));
}

static void expect_down(void)
{
	ck_assert_uint_eq(net.n[0].nup, 0);
	ck_assert_uint_eq(net.n[1].nup, 0);
}

/* RSA certificates (method 1, IOS's default), each side initiating. */
START_TEST(rsa_both_roles)
{
	struct tc_pki p;
	int side = _i;

	tc_pki_make(&p, TC_RSA, "v2rsa", XN_WALL);
	start(conf1(&p, "rsa-sig", NULL, NULL), conf2(&p, "rsa-sig", NULL, NULL), 40 + side);
	initiate(side);
	xn_run(&net, 2000);
	expect_up();
	expect_line(&net.n[side], "Building CERTREQ payload naming 1 CA(s)");
	expect_line(&net.n[side], "Generating AUTH payload: RSA signature, certificate of "
		    "trustpoint TP");
	/* the responder's SK_* come with IKE_AUTH */
	XN_EXPECT_ORDER(&net.n[!side], "IKEv2 IKE_SA_INIT Exchange RESPONSE",
			"IKEv2 IKE_AUTH Exchange REQUEST",
			"Generating KEYMAT: SKEYSEED and SK_* derived",
			"Verification of peer's authentication data PASSED");
	expect_line(&net.n[!side], "Payload contents: IDi CERT CERTREQ AUTH");
	expect_line(&net.n[side], "Payload contents: IDr CERT AUTH");
	/* the responder asked for certificates in IKE_SA_INIT already */
	expect_line(&net.n[side], "Payload contents: SA KE Nonce N(NAT_DETECTION_SOURCE_IP) "
		    "N(NAT_DETECTION_DESTINATION_IP) CERTREQ N(SIGNATURE_HASH_ALGORITHMS)");
	expect_line(&net.n[!side], "Payload contents: SA KE Nonce N(NAT_DETECTION_SOURCE_IP) "
		    "N(NAT_DETECTION_DESTINATION_IP) N(SIGNATURE_HASH_ALGORITHMS)");
	for (int i = 0; i < 2; i++) {
		expect_line(&net.n[i], "CRYPTO_PKI: Certificate validated by trustpoint TP");
		expect_line(&net.n[i], "CRYPTO_PKI: signature of cn=r");
		expect_line(&net.n[i], "Verification of peer's authentication data PASSED");
		expect_line(&net.n[i], "Peer's AUTH: RSA signature (method 1) with the key of "
			    "certificate cn=r");
	}
	xn_free(&net);
	tc_pki_free(&p);
}
END_TEST

/* ECDSA P-256 (method 9), each side initiating. */
START_TEST(ecdsa_both_roles)
{
	struct tc_pki p;
	int side = _i;

	tc_pki_make(&p, TC_EC256, "v2ec", XN_WALL);
	start(conf1(&p, "ecdsa-sig", NULL, NULL), conf2(&p, "ecdsa-sig", NULL, NULL), 50 + side);
	initiate(side);
	xn_run(&net, 2000);
	expect_up();
	expect_line(&net.n[side], "Generating AUTH payload: ECDSA with SHA-256 on P-256");
	expect_line(&net.n[!side], "Generating AUTH payload: ECDSA with SHA-256 on P-256");
	xn_free(&net);
	tc_pki_free(&p);
}
END_TEST

/* The AUTH signature changed inside the encrypted payload (so that only
 * the signature check can notice): refused by the side that checks it. */
START_TEST(tampered_auth)
{
	struct tc_pki p;
	int from = _i;

	tc_pki_make(&p, TC_RSA, "v2sig", XN_WALL);
	start(conf1(&p, "rsa-sig", NULL, NULL), conf2(&p, "rsa-sig", NULL, NULL), 60 + from);
	net.tamper[0] = (struct xtamper){ .on = true, .from = from, .exch = IK_V2_EXCH_IKE_AUTH,
		.nth = 1, .pl = IK_V2_PL_AUTH, .pl_nth = 0, .at = 40, .mask = 0x10 };
	initiate(0);
	xn_run(&net, 2000);
	ck_assert_uint_ge(net.tamper[0].applied, 1);
	/* the checking side has nothing (the responder of a refused response
	 * learns it only by the initiator's DELETE) */
	ck_assert_uint_eq(net.n[!from].nup, 0);
	if (from == 0)
		expect_down();
	expect_line(&net.n[!from], "Verification of peer's authentication data FAILED: "
		    "signature does not verify with the key of the certificate (RSA signature, "
		    "certificate cn=r");
	expect_line(&net.n[!from], "%IKEV2-3-NEG_ABORT: Negotiation aborted due to ERROR: Auth "
		    "exchange failed with 192.168.0.");
	expect_no_line(&net.n[!from], "authentication data PASSED");
	xn_free(&net);
	tc_pki_free(&p);
}
END_TEST

/* R1's certificate comes from a CA R2 does not trust. */
START_TEST(unknown_ca)
{
	struct tc_pki p;
	EVP_PKEY *k;
	X509 *other, *c;
	char *c_pem;

	tc_pki_make(&p, TC_RSA, "v2uca", XN_WALL);
	k = tc_key(TC_RSA);
	other = tc_cert(NULL, NULL, k, "another CA", true, XN_WALL - DAY, XN_WALL + 365 * DAY,
			NULL);
	c = tc_cert(other, k, p.k1, "r1.example.com", false, XN_WALL - DAY, XN_WALL + 90 * DAY,
		    "IP:192.168.0.1");
	c_pem = tc_write_cert(p.dir, "r1-other.pem", c);
	start(conf("R1", "rsa-sig", p.ca_pem, c_pem, p.k1_pem, R1_ADDR, R2_ADDR, NULL, NULL),
	      conf2(&p, "rsa-sig", NULL, NULL), 70);
	initiate(0);
	xn_run(&net, 2000);
	expect_down();
	expect_line(&net.n[1], "%PKI-3-CERTIFICATE_INVALID: Certificate chain validation has "
		    "failed.");
	expect_line(&net.n[1], "failed validation (unknown CA");
	expect_line(&net.n[1], "%IKEV2-3-NEG_ABORT: Negotiation aborted due to ERROR: Auth "
		    "exchange failed with 192.168.0.1");
	expect_line(&net.n[0], "Received AUTHENTICATION_FAILED from the peer: it did not accept "
		    "our certificate, signature or identity");
	EVP_PKEY_free(k);
	X509_free(other);
	X509_free(c);
	free(c_pem);
	xn_free(&net);
	tc_pki_free(&p);
}
END_TEST

/* R1 names itself by an FQDN its certificate does not hold: refused; with
 * the FQDN of its subjectAltName the tunnel comes up. */
START_TEST(id_mismatch)
{
	struct tc_pki p;
	bool good = _i;

	tc_pki_make(&p, TC_RSA, "v2id", XN_WALL);
	start(conf1(&p, "rsa-sig", NULL, good ? " identity local fqdn r1.example.com\n" :
		    " identity local fqdn r1.elsewhere.net\n"),
	      xn_replace(conf2(&p, "rsa-sig", NULL, NULL),
			 " match identity remote address 192.168.0.1 255.255.255.255\n",
			 " match identity remote fqdn domain example.com\n"
			 " match identity remote fqdn domain elsewhere.net\n"), 80 + good);
	initiate(0);
	xn_run(&net, 2000);
	if (good) {
		expect_up();
	} else {
		expect_down();
		expect_line(&net.n[1], "failed validation (ID of r1.elsewhere.net (type fqdn) and "
			    "certificate cn=r1.example.com,o=ikerd test do not match)");
	}
	xn_free(&net);
	tc_pki_free(&p);
}
END_TEST

/* The authorization list pins another key for R1: its valid certificate is
 * refused with the AuthList line; with the right hash the tunnel comes up. */
START_TEST(authlist)
{
	struct tc_pki p;
	char hash[100], line[300];
	EVP_PKEY *other = tc_key(TC_RSA);
	bool right = _i;

	tc_pki_make(&p, TC_RSA, "v2authz", XN_WALL);
	ik_pki_key_hash_text(right ? p.k1 : other, IK_PKI_SHA256, hash, sizeof(hash));
	snprintf(line, sizeof(line), "crypto isakmp authorization list AL\n"
		 " peer address 192.168.0.1 key-hash %s\n", hash);
	start(conf1(&p, "rsa-sig", NULL, NULL),
	      conf2(&p, "rsa-sig", line, " authorization list AL\n"), 90 + right);
	initiate(0);
	xn_run(&net, 2000);
	if (right) {
		expect_up();
		expect_line(&net.n[1], "Peer Validated against the AuthList");
	} else {
		expect_down();
		ik_pki_key_hash_text(p.k1, IK_PKI_SHA256, hash, sizeof(hash));
		expect_line(&net.n[1], "Peer Not Validated against the AuthList");
		expect_line(&net.n[1], hash);
		expect_line(&net.n[1], "%CRYPTO-4-IKMP_AUTHLIST_FAIL");
	}
	EVP_PKEY_free(other);
	xn_free(&net);
	tc_pki_free(&p);
}
END_TEST

/* A router with a key and no CA (trustpoint RAW, enrollment selfsigned),
 * the peer pinned by list AL: its key hash (pin), raw-public-key accept
 * when raw. */
static char *conf_raw(const char *host, const char *auth, const char *key, uint32_t self,
		      uint32_t peer, const char *pin, bool raw)
{
	struct ik_sb sb;
	char s[16], d[16];

	snprintf(s, sizeof(s), "192.168.0.%u", self & 0xff);
	snprintf(d, sizeof(d), "192.168.0.%u", peer & 0xff);
	ik_sb_init(&sb);
	ik_sb_printf(&sb,
		     "hostname %s\n"
		     "crypto pki trustpoint RAW\n"
		     " enrollment selfsigned\n"
		     " subject-name cn=%s.example.com\n"
		     "crypto pki import RAW pem key %s\n"
		     "crypto isakmp authorization list AL\n"
		     " peer address %s key-hash %s\n"
		     "%s"
		     "crypto ikev2 proposal PROP\n"
		     " encryption aes-cbc-256\n"
		     " integrity sha256\n"
		     " group 14\n"
		     "crypto ikev2 policy POL\n"
		     " proposal PROP\n"
		     "crypto ikev2 profile P\n"
		     " match identity remote address %s 255.255.255.255\n"
		     " authentication remote %s\n"
		     " authentication local %s\n"
		     " pki trustpoint RAW\n"
		     " authorization list AL\n"
		     "crypto ipsec transform-set TS esp-aes esp-sha256-hmac\n"
		     "crypto ipsec profile IP\n"
		     " set transform-set TS\n"
		     " set ikev2-profile P\n"
		     "interface Ethernet0/0\n"
		     " ip address %s 255.255.255.0\n"
		     "interface Tunnel1\n"
		     " ip address 10.0.0.%u 255.255.255.0\n"
		     " tunnel source Ethernet0/0\n"
		     " tunnel destination %s\n"
		     " tunnel protection ipsec profile IP\n",
		     host, host, key, d, pin, raw ? " raw-public-key accept\n" : "", d, auth, auth,
		     s, self & 0xff, d);
	return sb.s;
}

/* Raw public keys, no CA anywhere: each side pins the other's key. Both
 * ask for raw keys (CERTREQ encoding 15) and send their key alone (CERT
 * encoding 15). 0, 1: each side initiating, RSA; 2: ECDSA P-256; 3: R2 pins
 * another key for R1; 4: R2's list does not say raw-public-key accept (R1
 * then sends its self-signed certificate, refused: no CA); 5: R2's list
 * pins R1's key for another address. */
START_TEST(raw_keys)
{
	struct tc_pki p;
	char h1[100], h2[100], line[400];
	EVP_PKEY *other = tc_key(TC_RSA);
	int side = _i == 1;
	const char *auth = _i == 2 ? "ecdsa-sig" : "rsa-sig";

	tc_pki_make(&p, _i == 2 ? TC_EC256 : TC_RSA, "v2raw", XN_WALL);
	ik_pki_key_hash_text(_i == 3 ? other : p.k1, IK_PKI_SHA256, h1, sizeof(h1));
	ik_pki_key_hash_text(p.k2, IK_PKI_SHA256, h2, sizeof(h2));
	start(conf_raw("R1", auth, p.k1_pem, R1_ADDR, R2_ADDR, h2, true),
	      xn_replace(conf_raw("R2", auth, p.k2_pem, R2_ADDR, R1_ADDR, h1, _i != 4),
			 " peer address 192.168.0.1 ",
			 _i == 5 ? " peer address 192.168.0.9 " : " peer address 192.168.0.1 "),
	      200 + _i);
	initiate(side);
	xn_run(&net, 2000);
	if (_i <= 2) {
		expect_up();
		for (int i = 0; i < 2; i++) {
			expect_line(&net.n[i], "Peer accepts raw public keys (CERTREQ encoding 15)");
			expect_line(&net.n[i], ", raw public key of trustpoint RAW");
			expect_line(&net.n[i], "CRYPTO_PKI: raw public key of 192.168.0.");
			expect_line(&net.n[i], "with the key raw public key");
			expect_line(&net.n[i], "Peer Validated against the AuthList AL");
			expect_line(&net.n[i], "CRYPTO_PKI: signature of raw public key verified (key "
				    "pinned by the AuthList AL)");
			expect_line(&net.n[i], "Verification of peer's authentication data PASSED");
		}
		/* the responder asks for raw keys in IKE_SA_INIT already */
		expect_line(&net.n[side], "Payload contents: SA KE Nonce N(NAT_DETECTION_SOURCE_IP)"
			    " N(NAT_DETECTION_DESTINATION_IP) CERTREQ N(SIGNATURE_HASH_ALGORITHMS)");
	} else {
		expect_down();
		ik_pki_key_hash_text(p.k1, IK_PKI_SHA256, h1, sizeof(h1));
		if (_i == 4) {
			expect_no_line(&net.n[0], "Peer accepts raw public keys");
			expect_line(&net.n[1], "CRYPTO_PKI: cn=R1.example.com is self-signed: accepted "
				    "only when pinned by an authorization list with "
				    "raw-public-key accept");
			expect_line(&net.n[1], "%CRYPTO-5-IKMP_INVAL_CERT");
		} else {
			snprintf(line, sizeof(line), "Peer Not Validated against the AuthList AL: "
				 "address 192.168.0.1 presented key %s", h1);
			expect_line(&net.n[1], line);
			expect_line(&net.n[1], _i == 3 ? "not among the keys listed for it" :
				    "identity not on the list");
			snprintf(line, sizeof(line), "%%CRYPTO-4-IKMP_AUTHLIST_FAIL: Peer 192.168.0.1 "
				 "(address 192.168.0.1) Not Validated against the AuthList AL: it "
				 "presented key %s", h1);
			expect_line(&net.n[1], line);
		}
		expect_no_line(&net.n[1], "Verification of peer's authentication data PASSED");
	}
	EVP_PKEY_free(other);
	xn_free(&net);
	tc_pki_free(&p);
}
END_TEST

/* R2 takes raw keys but also holds R1's self-signed certificate as a CA
 * (a chain block, as IOS pins a self-signed peer): its CERTREQ names R1's
 * key, so R1 sends the certificate, which R2 validates by that trustpoint;
 * R2's own key still goes alone to R1. Each side initiating. */
START_TEST(raw_self_signed_anchor)
{
	struct tc_pki p;
	char h1[100], h2[100], err[200];
	X509 *anchor;
	unsigned char *der = NULL;
	int n;
	struct ik_sb t;
	char *c2;

	tc_pki_make(&p, TC_RSA, "v2anchor", XN_WALL);
	ik_pki_key_hash_text(p.k1, IK_PKI_SHA256, h1, sizeof(h1));
	ik_pki_key_hash_text(p.k2, IK_PKI_SHA256, h2, sizeof(h2));
	anchor = ik_pki_self_sign(p.k1, "cn=R1.example.com", "R1", err, sizeof(err));
	ck_assert_msg(anchor != NULL, "%s", err);
	n = i2d_X509(anchor, &der);
	ck_assert_int_gt(n, 0);
	ik_sb_init(&t);
	ik_sb_add(&t, "crypto pki trustpoint TPR1\n revocation-check none\n"
		  "crypto pki certificate chain TPR1\n certificate ca 01\n");
	for (int i = 0; i < n; i += 32) {
		ik_sb_add(&t, "  ");
		for (int k = i; k < n && k < i + 32; k++)
			ik_sb_printf(&t, "%s%02X", k > i && (k - i) % 4 == 0 ? " " : "", der[k]);
		ik_sb_add(&t, "\n");
	}
	ik_sb_add(&t, "  \tquit\ncrypto pki certificate map CM 10\n"
		  " subject-name eq cn=r1.example.com\n"
		  "crypto isakmp authorization list AL\n");
	/* R1 names itself by the certificate's subject (the chain path checks
	 * the ID against it); R2 finds R1's profile by certificate map */
	c2 = xn_replace(conf_raw("R2", "rsa-sig", p.k2_pem, R2_ADDR, R1_ADDR, h1, true),
			"crypto isakmp authorization list AL\n", t.s);
	c2 = xn_replace(c2, " peer address 192.168.0.1 ", " peer dn \"cn=R1.example.com\" ");
	c2 = xn_replace(c2, " match identity remote address 192.168.0.1 255.255.255.255\n",
			" match certificate CM\n");
	start(xn_replace(conf_raw("R1", "rsa-sig", p.k1_pem, R1_ADDR, R2_ADDR, h2, true),
			 "\n authorization list AL\n", "\n authorization list AL\n"
			 " identity local dn\n"),
	      xn_replace(c2, "\n pki trustpoint RAW\n",
			 "\n pki trustpoint RAW\n pki trustpoint TPR1\n"),
	      500 + _i);
	initiate(_i);
	xn_run(&net, 2000);
	expect_up();
	expect_line(&net.n[0], "Peer's CERTREQ names the CA of trustpoint RAW");
	expect_line(&net.n[0], "RSA signature, certificate of trustpoint RAW");
	expect_no_line(&net.n[0], "raw public key of trustpoint RAW");
	expect_line(&net.n[1], "CRYPTO_PKI: Certificate validated by trustpoint TPR1");
	expect_line(&net.n[1], "RSA signature, raw public key of trustpoint RAW");
	expect_line(&net.n[0], "signature of raw public key verified (key pinned");
	ik_sb_free(&t);
	OPENSSL_free(der);
	X509_free(anchor);
	xn_free(&net);
	tc_pki_free(&p);
}
END_TEST

/* authentication local rsa-sig|ecdsa-sig digital-signature: AUTH method 14
 * (RFC 7427) with SHA-256, since the peer announced SIGNATURE_HASH_
 * ALGORITHMS; without the word, IOS's method 1 (rsa_both_roles) or 9. */
START_TEST(digsig_sent)
{
	struct tc_pki p;
	const char *auth = _i ? "ecdsa-sig" : "rsa-sig";
	char from[64], to[96];

	tc_pki_make(&p, _i ? TC_EC256 : TC_RSA, "v2digsig", XN_WALL);
	snprintf(from, sizeof(from), " authentication local %s\n", auth);
	snprintf(to, sizeof(to), " authentication local %s digital-signature\n", auth);
	start(xn_replace(conf1(&p, auth, NULL, NULL), from, to), conf2(&p, auth, NULL, NULL),
	      300 + _i);
	initiate(0);
	xn_run(&net, 2000);
	expect_up();
	expect_line(&net.n[0], "Generating AUTH payload: digital signature (RFC 7427)");
	expect_line(&net.n[1], "Peer's AUTH: digital signature (RFC 7427) (method 14)");
	/* R2 was not asked: its own method */
	expect_line(&net.n[0], _i ? "Peer's AUTH: ECDSA with SHA-256 on P-256 (method 9)" :
		    "Peer's AUTH: RSA signature (method 1)");
	xn_free(&net);
	tc_pki_free(&p);
}
END_TEST

/* The method chosen from what the peer announced, and the word printed
 * back; it belongs to authentication local only. */
START_TEST(digsig_choice)
{
	EVP_PKEY *rsa = tc_key(TC_RSA), *ec = tc_key(TC_EC256);
	enum ik_v2_sig_hash h;
	struct tc_pki p;
	struct ik_config *c;
	struct ik_conf_error err;
	struct ik_sb a;
	char *text;

	ck_assert_uint_eq(ik_v2_cert_method(rsa, false, 1u << 2, &h), 1);
	ck_assert_uint_eq(ik_v2_cert_method(ec, false, 1u << 2, &h), 9);
	ck_assert_uint_eq(ik_v2_cert_method(rsa, true, 0, &h), 1);
	ck_assert_uint_eq(ik_v2_cert_method(rsa, true, 1u << 2 | 1u << 4, &h), 14);
	ck_assert_int_eq(h, IK_V2_SIG_SHA256);
	ck_assert_uint_eq(ik_v2_cert_method(ec, true, 1u << 4, &h), 14);
	ck_assert_int_eq(h, IK_V2_SIG_SHA512);
	ck_assert_uint_eq(ik_v2_cert_method(rsa, true, 1u << 3, &h), 14);
	ck_assert_int_eq(h, IK_V2_SIG_SHA384);
	tc_pki_make(&p, TC_RSA, "v2digsigconf", XN_WALL);
	text = xn_replace(conf1(&p, "rsa-sig", NULL, NULL), " authentication local rsa-sig\n",
			  " authentication local rsa-sig digital-signature\n");
	c = xn_load(text, "r1.conf");
	ik_sb_init(&a);
	ik_config_print(c, &a);
	ck_assert_msg(strstr(a.s, " authentication local rsa-sig digital-signature\n"), "%s",
		      a.s);
	ik_sb_free(&a);
	ik_config_unref(c);
	free(text);
	text = xn_replace(conf1(&p, "rsa-sig", NULL, NULL), " authentication remote rsa-sig\n",
			  " authentication remote rsa-sig digital-signature\n");
	ck_assert_ptr_null(ik_snapshot_load_string(text, "r1.conf", &err));
	free(text);
	text = xn_replace(conf1(&p, "rsa-sig", NULL, NULL), " authentication local rsa-sig\n",
			  " authentication local pre-share digital-signature\n");
	ck_assert_ptr_null(ik_snapshot_load_string(text, "r1.conf", &err));
	free(text);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ec);
	tc_pki_free(&p);
}
END_TEST

/* R1 holds certificates of two CAs (trustpoints TPA, TPB, in that order);
 * R2 trusts only B. R2's CERTREQ names B's key: R1 signs with TPB's
 * certificate and key, not with its first trustpoint's. */
START_TEST(certreq_honoured)
{
	struct tc_pki a, b;
	struct ik_sb sb;
	char *rest;

	tc_pki_make(&a, TC_RSA, "v2reqa", XN_WALL);
	tc_pki_make(&b, TC_RSA, "v2reqb", XN_WALL);
	ik_sb_init(&sb);
	ik_sb_printf(&sb, "hostname R1\n"
		     "crypto pki trustpoint TPA\n"
		     " revocation-check none\n"
		     "crypto pki import TPA pem %s\n"
		     "crypto pki import TPA pem %s key %s\n"
		     "crypto pki trustpoint TPB\n"
		     " revocation-check none\n"
		     "crypto pki import TPB pem %s\n"
		     "crypto pki import TPB pem %s key %s\n",
		     a.ca_pem, a.c1_pem, a.k1_pem, b.ca_pem, b.c1_pem, b.k1_pem);
	rest = conf1(&a, "rsa-sig", NULL, " pki trustpoint TPB\n");
	ik_sb_add(&sb, strstr(rest, "crypto ikev2 proposal"));
	free(rest);
	start(xn_replace(sb.s, " pki trustpoint TP\n", " pki trustpoint TPA\n"),
	      conf2(&b, "rsa-sig", NULL, NULL), 400 + _i);
	initiate(_i);
	xn_run(&net, 2000);
	expect_up();
	expect_line(&net.n[0], "Peer's CERTREQ names the CA of trustpoint TPB");
	expect_line(&net.n[0], "Generating AUTH payload: RSA signature, certificate of "
		    "trustpoint TPB");
	expect_line(&net.n[1], "CRYPTO_PKI: Certificate validated by trustpoint TP");
	xn_free(&net);
	tc_pki_free(&a);
	tc_pki_free(&b);
}
END_TEST

/* ikerd -t on a profile that authenticates by signatures only: no keyring
 * is needed (no V2-2 or V2-1 finding), with a CA or with raw keys. */
START_TEST(check_no_keyring)
{
	struct tc_pki p;
	struct ik_check_env env = IK_CHECK_ENV_ENGINE;
	struct ik_check_counts n;
	struct ik_sb o;
	struct ik_config *c;
	char pin[100], *text[3];

	tc_pki_make(&p, TC_RSA, "v2check", XN_WALL);
	ik_pki_key_hash_text(p.k2, IK_PKI_SHA256, pin, sizeof(pin));
	text[0] = conf1(&p, "rsa-sig", NULL, NULL);
	text[1] = conf_raw("R1", "rsa-sig", p.k1_pem, R1_ADDR, R2_ADDR, pin, true);
	/* pre-share without a keyring: still an error */
	text[2] = conf1(&p, "pre-share", NULL, NULL);
	ik_sb_init(&o);
	for (int i = 0; i < 3; i++) {
		ik_sb_reset(&o);
		c = xn_load(text[i], "r1.conf");
		ik_check_config_env(c, &env, &o, false, &n);
		if (i < 2)
			ck_assert_msg(!strstr(ik_sb_str(&o), "V2-2") &&
				      !strstr(ik_sb_str(&o), "V2-1"), "%d: %s", i, ik_sb_str(&o));
		else
			ck_assert_msg(strstr(ik_sb_str(&o), "IKEv2 profile P has no keyring local"),
				      "%s", ik_sb_str(&o));
		ik_config_unref(c);
		free(text[i]);
	}
	ik_sb_free(&o);
	tc_pki_free(&p);
}
END_TEST

/* R1 names itself by its certificate's subject (identity local dn, ID type
 * DER_ASN1_DN, as strongSwan does by default); R2 has no match identity for
 * it and chooses its profile by certificate map: the first profile whose
 * map matches R1's certificate (P0's map does not). */
START_TEST(dn_certmap)
{
	struct tc_pki p;
	const char *maps = "crypto pki certificate map CM0 10\n"
			   " subject-name co cn=nobody.example.com\n"
			   "crypto pki certificate map CM 10\n"
			   " subject-name co cn=r1.example.com\n"
			   "crypto ikev2 profile P0\n"
			   " match certificate CM0\n"
			   " authentication remote rsa-sig\n"
			   " authentication local rsa-sig\n"
			   " pki trustpoint TP\n";

	tc_pki_make(&p, TC_RSA, "v2dn", XN_WALL);
	start(conf1(&p, "rsa-sig", NULL, " identity local dn\n"),
	      xn_replace(conf2(&p, "rsa-sig", maps, NULL),
			 " match identity remote address 192.168.0.1 255.255.255.255\n",
			 " match certificate CM\n"), 100);
	initiate(0);
	xn_run(&net, 2000);
	expect_up();
	expect_line(&net.n[1], "Received identity cn=r1.example.com,o=ikerd test of type "
		    "'DER ASN1 DN'");
	expect_line(&net.n[1], "found matching IKEv2 profile 'P' (certificate map CM)");
	expect_no_line(&net.n[1], "profile 'P0'");
	xn_free(&net);
	tc_pki_free(&p);
}
END_TEST

/* identity local dn survives show running-config and a reload of it. */
START_TEST(identity_dn_printed)
{
	struct tc_pki p;
	struct ik_config *c, *c2;
	struct ik_sb a, b;
	char *text;

	tc_pki_make(&p, TC_RSA, "v2print", XN_WALL);
	text = conf1(&p, "rsa-sig", NULL, " identity local dn\n");
	c = xn_load(text, "r1.conf");
	ik_sb_init(&a);
	ik_config_print(c, &a);
	ck_assert_msg(strstr(a.s, "crypto ikev2 profile P\n") &&
		      strstr(a.s, " identity local dn\n"), "%s", a.s);
	c2 = xn_load(a.s, "printed.conf");
	ik_sb_init(&b);
	ik_config_print(c2, &b);
	ck_assert_str_eq(a.s, b.s);
	ik_sb_free(&a);
	ik_sb_free(&b);
	ik_config_unref(c);
	ik_config_unref(c2);
	free(text);
	tc_pki_free(&p);
}
END_TEST

/* Methods 1, 9 and 14 alone: what one side signs the other verifies; a
 * changed octet, the wrong key or a method that does not suit the key is
 * refused; method 14's AlgorithmIdentifier is checked. */
START_TEST(sig_methods)
{
	static const uint8_t msg[] = "signed octets of an IKE_AUTH message";
	EVP_PKEY *rsa = tc_key(TC_RSA), *rsa2 = tc_key(TC_RSA), *ec = tc_key(TC_EC256);
	uint8_t sig[IK_V2_SIG_MAX];
	char why[200];
	struct { EVP_PKEY *k; unsigned m; enum ik_v2_sig_hash h; } c[] = {
		{ rsa, 1, IK_V2_SIG_SHA256 }, { ec, 9, IK_V2_SIG_SHA256 },
		{ rsa, 14, IK_V2_SIG_SHA256 }, { rsa, 14, IK_V2_SIG_SHA384 },
		{ rsa, 14, IK_V2_SIG_SHA512 }, { ec, 14, IK_V2_SIG_SHA256 },
		{ ec, 14, IK_V2_SIG_SHA512 },
	};

	ck_assert_uint_eq(ik_pki_v2_method(rsa), 1);
	ck_assert_uint_eq(ik_pki_v2_method(ec), 9);
	for (size_t i = 0; i < sizeof(c) / sizeof(*c); i++) {
		int n = ik_pki_v2_sign(c[i].k, c[i].m, c[i].h, msg, sizeof(msg), sig, sizeof(sig));

		ck_assert_int_gt(n, 0);
		ck_assert_msg(ik_pki_v2_verify(c[i].k, c[i].m, sig, (size_t)n, msg, sizeof(msg),
					       why, sizeof(why)), "case %zu: %s", i, why);
		ck_assert(!ik_pki_v2_verify(c[i].k, c[i].m, sig, (size_t)n, msg,
					    sizeof(msg) - 1, why, sizeof(why)));
		sig[n - 1] ^= 1;
		ck_assert(!ik_pki_v2_verify(c[i].k, c[i].m, sig, (size_t)n, msg, sizeof(msg),
					    why, sizeof(why)));
		sig[n - 1] ^= 1;
		if (c[i].k == rsa)
			ck_assert(!ik_pki_v2_verify(rsa2, c[i].m, sig, (size_t)n, msg,
						    sizeof(msg), why, sizeof(why)));
		if (c[i].m == 14) {
			/* the AlgorithmIdentifier: its DER as RFC 7427 A lists it */
			ck_assert_uint_eq(sig[0], c[i].k == rsa ? 15 : 12);
			ck_assert_uint_eq(sig[1], 0x30);
			/* an RSA AlgorithmIdentifier with an EC key, and the reverse */
			ck_assert(!ik_pki_v2_verify(c[i].k == rsa ? ec : rsa, 14, sig, (size_t)n,
						    msg, sizeof(msg), why, sizeof(why)));
			ck_assert_msg(strstr(why, "does not suit"), "%s", why);
			/* sha1WithRSAEncryption: refused (SHA-2 only) */
			if (c[i].k == rsa) {
				sig[13] = 0x05;
				ck_assert(!ik_pki_v2_verify(rsa, 14, sig, (size_t)n, msg,
							    sizeof(msg), why, sizeof(why)));
				ck_assert_msg(strstr(why, "SHA-2 only"), "%s", why);
			}
			/* a length octet past the data */
			sig[0] = 0xff;
			ck_assert(!ik_pki_v2_verify(c[i].k, 14, sig, 20, msg, sizeof(msg), why,
						    sizeof(why)));
		}
	}
	/* methods that do not suit the key */
	ck_assert_int_lt(ik_pki_v2_sign(ec, 1, IK_V2_SIG_SHA256, msg, sizeof(msg), sig,
					sizeof(sig)), 0);
	ck_assert_int_lt(ik_pki_v2_sign(rsa, 9, IK_V2_SIG_SHA256, msg, sizeof(msg), sig,
					sizeof(sig)), 0);
	ck_assert_int_lt(ik_pki_v2_sign(ec, 10, IK_V2_SIG_SHA256, msg, sizeof(msg), sig,
					sizeof(sig)), 0);
	ck_assert(!ik_pki_v2_verify(rsa, 2, sig, 64, msg, sizeof(msg), why, sizeof(why)));
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(rsa2);
	EVP_PKEY_free(ec);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("exchange-v2-cert");
	TCase *tc = tcase_create("ike_auth");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, sig_methods);
	tcase_add_loop_test(tc, rsa_both_roles, 0, 2);
	tcase_add_loop_test(tc, ecdsa_both_roles, 0, 2);
	tcase_add_loop_test(tc, tampered_auth, 0, 2);
	tcase_add_test(tc, unknown_ca);
	tcase_add_loop_test(tc, id_mismatch, 0, 2);
	tcase_add_loop_test(tc, authlist, 0, 2);
	tcase_add_loop_test(tc, raw_keys, 0, 6);
	tcase_add_loop_test(tc, raw_self_signed_anchor, 0, 2);
	tcase_add_loop_test(tc, digsig_sent, 0, 2);
	tcase_add_test(tc, digsig_choice);
	tcase_add_loop_test(tc, certreq_honoured, 0, 2);
	tcase_add_test(tc, check_no_keyring);
	tcase_add_test(tc, dn_certmap);
	tcase_add_test(tc, identity_dn_printed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	tc_pool();
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
