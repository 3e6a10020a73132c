/* IKEv1 Main Mode with certificates (RFC 2409 5.1) between two engines in
 * one process: RSA and ECDSA, either side initiating, and each refusal with
 * its IOS line: a tampered SIG, an expired certificate, an unknown CA, an ID
 * that does not name the certificate, the authorization list refusing a
 * valid certificate's key; and the profile chosen by certificate map (P1
 * with certificate attributes); self-signed certificates made from a bare
 * key (enrollment selfsigned) that only the authorization list vouches for.
 * Certificates are made at test time. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ike/peer.h"
#include "pki/pki.h"
#include "profile/check.h"
#include "pki/pki_show.h"
#include "test_certgen.h"
#include "test_exchange_harness.h"
#include "util/strbuf.h"

#define R1_ADDR 0xc0a80001u /* 192.168.0.1 */
#define R2_ADDR 0xc0a80002u /* 192.168.0.2 */
#define DAY 86400

static struct xnet net;


/* A router's configuration: trustpoint TP from files, a policy with auth,
 * profile P (ca trust-point TP; match certificate CM naming the other side),
 * Tunnel1 to the other side. extra goes at the end. */
static char *conf(const char *host, const char *auth, const char *ca_pem, const char *cert,
		  const char *key, uint32_t self, uint32_t peer, const char *peer_cn,
		  const char *extra, const char *prof_extra)
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
		     "crypto pki certificate map CM 10\n"
		     " subject-name co cn=%s\n"
		     "crypto isakmp policy 10\n"
		     " encr aes\n"
		     " hash sha256\n"
		     " authentication %s\n"
		     " group 19\n"
		     "crypto isakmp profile P\n"
		     " ca trust-point TP\n"
		     " match certificate CM\n"
		     "%s"
		     "crypto ipsec transform-set TS esp-aes esp-sha256-hmac\n"
		     "crypto ipsec profile IP\n"
		     " set transform-set TS\n"
		     " set isakmp-profile P\n"
		     "interface Ethernet0/0\n"
		     " ip address %s 255.255.255.0\n"
		     "interface Tunnel1\n"
		     " ip address 10.0.0.%u 255.255.255.0\n"
		     " tunnel source Ethernet0/0\n"
		     " tunnel destination %s\n"
		     " tunnel protection ipsec profile IP\n"
		     "%s",
		     host, ca_pem, cert, key, peer_cn, auth, prof_extra ? prof_extra : "", s,
		     self & 0xff, d, extra ? extra : "");
	return sb.s;
}

static char *conf1(const struct tc_pki *p, const char *auth, const char *extra,
		   const char *prof_extra)
{
	return conf("R1", auth, p->ca_pem, p->c1_pem, p->k1_pem, R1_ADDR, R2_ADDR,
		    "r2.example.com", extra, prof_extra);
}

static char *conf2(const struct tc_pki *p, const char *auth, const char *extra,
		   const char *prof_extra)
{
	return conf("R2", auth, p->ca_pem, p->c2_pem, p->k2_pem, R2_ADDR, R1_ADDR,
		    "r1.example.com", extra, prof_extra);
}

static void start(char *t1, char *t2)
{
	struct ik_config *c1 = xn_load(t1, "r1.conf"), *c2 = xn_load(t2, "r2.conf");

	free(t1);
	free(t2);
	xn_init(&net, c1, R1_ADDR, c2, R2_ADDR, 7, NULL);
	net.n[0].log.debug_mask = IK_DBG_ALL;
	net.n[1].log.debug_mask = IK_DBG_ALL;
}

static void expect_line(const struct xnode *n, const char *s)
{
	if (xn_find(n, 0, s) < 0)
		xn_dump(n);
	ck_assert_msg(xn_find(n, 0, s) >= 0, "%s: no line with \"%s\"", n->name, s);
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

/* RSA certificates, each side initiating in turn: phase 1 by signatures,
 * phase 2 up; the responder chose its profile by certificate map. */
START_TEST(rsa_both_roles)
{
	struct tc_pki p;
	int side = _i;

	tc_pki_make(&p, TC_RSA, "rsa", XN_WALL);
	start(conf1(&p, "rsa-sig", NULL, NULL), conf2(&p, "rsa-sig", NULL, NULL));
	initiate(side);
	xn_run(&net, 2000);
	expect_up();
	expect_line(&net.n[side], "ISAKMP:      auth RSA sig");
	expect_line(&net.n[side], "SA is doing RSA signature authentication using id type "
		    "ID_DER_ASN1_DN");
	expect_line(&net.n[!side], "peer matches P profile (certificate map CM)");
	expect_line(&net.n[!side], "CRYPTO_PKI: Certificate validated by trustpoint TP");
	expect_line(&net.n[side], "CRYPTO_PKI: Certificate validated by trustpoint TP");
	expect_line(&net.n[side], "constructed CERT_REQ for 1 CA");
	xn_free(&net);
	tc_pki_free(&p);
}
END_TEST

/* ECDSA (P-256, RFC 4754 method 9), both roles. */
START_TEST(ecdsa_both_roles)
{
	struct tc_pki p;
	int side = _i;

	tc_pki_make(&p, TC_EC256, "ec", XN_WALL);
	start(conf1(&p, "ecdsa-sig", NULL, NULL), conf2(&p, "ecdsa-sig", NULL, NULL));
	initiate(side);
	xn_run(&net, 2000);
	expect_up();
	expect_line(&net.n[!side], "ISAKMP:      auth ECDSA sig");
	expect_line(&net.n[side], "SA is doing ECDSA signature authentication");
	xn_free(&net);
	tc_pki_free(&p);
}
END_TEST

/* A SIG payload changed on its way (before encryption, so that only the
 * signature check can notice): refused by the side that checks it. */
START_TEST(tampered_sig)
{
	struct tc_pki p;
	int from = _i; /* 0: SIG_I of MM5, 1: SIG_R of MM6 */

	tc_pki_make(&p, TC_RSA, "sig", XN_WALL);
	start(conf1(&p, "rsa-sig", NULL, NULL), conf2(&p, "rsa-sig", NULL, NULL));
	net.tamper[0] = (struct xtamper){ .on = true, .from = from, .exch = 2, .nth = 0,
					  .pl = 9, .at = 10, .mask = 0x40 };
	initiate(0);
	xn_run(&net, 2000);
	ck_assert_uint_ge(net.tamper[0].applied, 1);
	expect_down();
	expect_line(&net.n[!from], "%CRYPTO-6-IKMP_AUTH_FAIL: Authentication method 3 failed "
		    "with host 192.168.0.");
	expect_line(&net.n[!from], "signature of cn=r");
	xn_free(&net);
	tc_pki_free(&p);
}
END_TEST

/* R1's certificate expired: R2 refuses it with IOS's PKI message. */
START_TEST(expired_cert)
{
	struct tc_pki p;
	X509 *old;
	char *old_pem;

	tc_pki_make(&p, TC_RSA, "exp", XN_WALL);
	old = tc_cert(p.ca, p.ca_key, p.k1, "r1.example.com", false, XN_WALL - 400 * DAY,
		      XN_WALL - 30 * DAY, "DNS:r1.example.com");
	old_pem = tc_write_cert(p.dir, "r1-old.pem", old);
	start(conf("R1", "rsa-sig", p.ca_pem, old_pem, p.k1_pem, R1_ADDR, R2_ADDR,
		   "r2.example.com", NULL, NULL), conf2(&p, "rsa-sig", NULL, NULL));
	initiate(0);
	xn_run(&net, 2000);
	expect_down();
	expect_line(&net.n[1], "%PKI-3-CERTIFICATE_INVALID_EXPIRED: Certificate chain validation "
		    "has failed.  The certificate (SN: ");
	expect_line(&net.n[1], "%CRYPTO-5-IKMP_INVAL_CERT: Certificate received from 192.168.0.1 "
		    "failed validation (certificate has expired");
	expect_line(&net.n[1], "%CRYPTO-6-IKMP_MODE_FAILURE: Processing of Main mode failed with "
		    "peer at 192.168.0.1 (certificate has expired");
	X509_free(old);
	free(old_pem);
	xn_free(&net);
	tc_pki_free(&p);
}
END_TEST

/* revocation-check crl with a CRL that revokes R1's certificate: refused;
 * the same CRL revoking another certificate: the tunnel comes up. */
START_TEST(revoked_cert)
{
	struct tc_pki p;
	char *crl, line[700];
	bool revoked = !_i;

	tc_pki_make(&p, TC_RSA, "crl", XN_WALL);
	crl = tc_write_crl(p.dir, "ca.crl", p.ca, p.ca_key, revoked ? p.c1 : p.c2, XN_WALL);
	snprintf(line, sizeof(line), "crypto pki import TP pem %s\n", p.ca_pem);
	{
		char with[1400];

		snprintf(with, sizeof(with), "%scrypto pki import TP pem %s\n", line, crl);
		start(conf1(&p, "rsa-sig", NULL, NULL),
		      xn_replace(xn_replace(conf2(&p, "rsa-sig", NULL, NULL), line, with),
				 " revocation-check none\n", " revocation-check crl\n"));
	}
	initiate(0);
	xn_run(&net, 2000);
	if (revoked) {
		expect_down();
		expect_line(&net.n[1], "failed validation (certificate revoked");
	} else {
		expect_up();
	}
	free(crl);
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
	char *c_pem, *o_pem;

	tc_pki_make(&p, TC_RSA, "uca", XN_WALL);
	k = tc_key(TC_RSA);
	other = tc_cert(NULL, NULL, k, "another CA", true, XN_WALL - DAY, XN_WALL + 365 * DAY,
			NULL);
	c = tc_cert(other, k, p.k1, "r1.example.com", false, XN_WALL - DAY, XN_WALL + 90 * DAY,
		    "DNS:r1.example.com");
	o_pem = tc_write_cert(p.dir, "other.pem", other);
	c_pem = tc_write_cert(p.dir, "r1-other.pem", c);
	/* R1 trusts both CAs (its own certificate is under the other one) */
	start(conf("R1", "rsa-sig", p.ca_pem, c_pem, p.k1_pem, R1_ADDR, R2_ADDR, "r2.example.com",
		   NULL, NULL), conf2(&p, "rsa-sig", NULL, NULL));
	(void)o_pem;
	initiate(0);
	xn_run(&net, 2000);
	expect_down();
	expect_line(&net.n[1], "%PKI-3-CERTIFICATE_INVALID: Certificate chain validation has "
		    "failed.");
	expect_line(&net.n[1], "failed validation (unknown CA");
	EVP_PKEY_free(k);
	X509_free(other);
	X509_free(c);
	free(c_pem);
	free(o_pem);
	xn_free(&net);
	tc_pki_free(&p);
}
END_TEST

/* R1 names itself by host name (crypto isakmp identity hostname): "R1" is
 * not in its certificate, so R2 refuses the ID. */
START_TEST(id_mismatch)
{
	struct tc_pki p;

	tc_pki_make(&p, TC_RSA, "id", XN_WALL);
	start(conf1(&p, "rsa-sig", "crypto isakmp identity hostname\n", NULL),
	      conf2(&p, "rsa-sig", NULL, NULL));
	initiate(0);
	xn_run(&net, 2000);
	expect_down();
	expect_line(&net.n[1], "failed validation (ID of R1 (type fqdn) and certificate "
		    "cn=r1.example.com,o=ikerd test do not match)");
	xn_free(&net);
	tc_pki_free(&p);
}
END_TEST

/* The same identity with its name in the certificate passes. */
START_TEST(id_fqdn_in_san)
{
	struct tc_pki p;

	tc_pki_make(&p, TC_RSA, "fqdn", XN_WALL);
	start(conf1(&p, "rsa-sig", "", " self-identity fqdn r1.example.com\n"),
	      conf2(&p, "rsa-sig", NULL, NULL));
	initiate(0);
	xn_run(&net, 2000);
	expect_up();
	xn_free(&net);
	tc_pki_free(&p);
}
END_TEST

/* The authorization list pins another key for R1: its valid certificate is
 * refused with the AuthList line naming the identity and the hash; with the
 * right hash the tunnel comes up. */
START_TEST(authlist)
{
	struct tc_pki p;
	char hash[100], line[300];
	EVP_PKEY *other = tc_key(TC_RSA);
	bool right = _i;
	struct ik_sb show;

	ik_sb_init(&show);
	tc_pki_make(&p, TC_RSA, "authz", XN_WALL);
	ik_pki_key_hash_text(right ? p.k1 : other, IK_PKI_SHA256, hash, sizeof(hash));
	snprintf(line, sizeof(line), "crypto isakmp authorization list AL\n"
		 " peer dn \"cn=r1.example.com,o=ikerd test\" key-hash %s\n", hash);
	start(conf1(&p, "rsa-sig", NULL, NULL),
	      conf2(&p, "rsa-sig", line, " authorization list AL\n"));
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
		/* counted as refusals (one per MM5 received: the initiator
		 * retransmits it), not as authentication failures */
		ik_sb_reset(&show);
		ik_engine_show_peers_detail(net.n[1].e, true, &show);
		ck_assert_msg(strstr(show.s, "\"authz_refusals\":") &&
			      !strstr(show.s, "\"authz_refusals\":0") &&
			      strstr(show.s, "\"auth_failures\":0"), "%s", show.s);
	}
	EVP_PKEY_free(other);
	ik_sb_free(&show);
	xn_free(&net);
	tc_pki_free(&p);
}
END_TEST

/* A router with a key and no CA (trustpoint RAW, enrollment selfsigned,
 * subject cn=<host>.example.com), the peer chosen by certificate map and
 * pinned by list AL by its DN (pin: its key hash), raw-public-key accept
 * when raw. */
static char *conf_raw(const char *host, const char *key, uint32_t self, uint32_t peer,
		      const char *peer_cn, const char *pin, bool raw)
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
		     "crypto pki certificate map CM 10\n"
		     " subject-name eq cn=%s\n"
		     "crypto isakmp authorization list AL\n"
		     " peer dn \"cn=%s\" key-hash %s\n"
		     "%s"
		     "crypto isakmp policy 10\n"
		     " encr aes\n"
		     " hash sha256\n"
		     " authentication rsa-sig\n"
		     " group 19\n"
		     "crypto isakmp profile P\n"
		     " ca trust-point RAW\n"
		     " match certificate CM\n"
		     " authorization list AL\n"
		     "crypto ipsec transform-set TS esp-aes esp-sha256-hmac\n"
		     "crypto ipsec profile IP\n"
		     " set transform-set TS\n"
		     " set isakmp-profile P\n"
		     "interface Ethernet0/0\n"
		     " ip address %s 255.255.255.0\n"
		     "interface Tunnel1\n"
		     " ip address 10.0.0.%u 255.255.255.0\n"
		     " tunnel source Ethernet0/0\n"
		     " tunnel destination %s\n"
		     " tunnel protection ipsec profile IP\n",
		     host, host, key, peer_cn, peer_cn, pin,
		     raw ? " raw-public-key accept\n" : "", s, self & 0xff, d);
	return sb.s;
}

/* No CA anywhere: each side signs with a bare key and sends the self-signed
 * certificate made from it; each pins the other's key. 0, 1: each side
 * initiating; 2: R2 pins another key for R1; 3: R2's list does not say
 * raw-public-key accept (a self-signed certificate is then an unknown CA). */
START_TEST(self_signed_pinned)
{
	struct tc_pki p;
	char h1[100], h2[100], line[400], *text1;
	EVP_PKEY *other = tc_key(TC_RSA);
	int side = _i == 1;

	tc_pki_make(&p, TC_RSA, "raw", XN_WALL);
	ik_pki_key_hash_text(_i == 2 ? other : p.k1, IK_PKI_SHA256, h1, sizeof(h1));
	ik_pki_key_hash_text(p.k2, IK_PKI_SHA256, h2, sizeof(h2));
	text1 = conf_raw("R1", p.k1_pem, R1_ADDR, R2_ADDR, "R2.example.com", h2, true);
	start(strdup(text1),
	      conf_raw("R2", p.k2_pem, R2_ADDR, R1_ADDR, "R1.example.com", h1, _i != 3));
	initiate(side);
	xn_run(&net, 2000);
	if (_i == 0) {
		/* what R2 pins, as show crypto pki trustpoints prints it */
		struct ik_config *c = xn_load(text1, "r1.conf");
		struct ik_sb o;
		char want[200];

		ik_sb_init(&o);
		ik_show_pki_trustpoints(c, false, &o);
		ck_assert_msg(strstr(o.s, "    Router certificate self-signed, with its private "
				     "key.\n"), "%s", o.s);
		snprintf(want, sizeof(want), "    Key hash: %s\n", h1);
		ck_assert_msg(strstr(o.s, want), "%s", o.s);
		ik_sb_reset(&o);
		ik_show_pki_trustpoints(c, true, &o);
		snprintf(want, sizeof(want), "\"self_signed\":true,\"key_hash\":\"%s\"", h1);
		ck_assert_msg(strstr(o.s, want), "%s", o.s);
		ik_sb_free(&o);
		ik_config_unref(c);
	}
	free(text1);
	if (_i <= 1) {
		expect_up();
		for (int i = 0; i < 2; i++) {
			expect_line(&net.n[i], "CRYPTO_PKI: self-signed certificate of cn=R");
			expect_line(&net.n[i], "Peer Validated against the AuthList AL");
			expect_line(&net.n[i], "verified (key pinned by the AuthList AL)");
		}
	} else if (_i == 2) {
		expect_down();
		ik_pki_key_hash_text(p.k1, IK_PKI_SHA256, h1, sizeof(h1));
		snprintf(line, sizeof(line), "Peer Not Validated against the AuthList AL: dn "
			 "cn=R1.example.com presented key %s", h1);
		expect_line(&net.n[1], line);
		expect_line(&net.n[1], "%CRYPTO-4-IKMP_AUTHLIST_FAIL: Peer 192.168.0.1");
	} else {
		expect_down();
		expect_line(&net.n[1], "is self-signed: accepted only when pinned by an "
			    "authorization list with raw-public-key accept");
		expect_line(&net.n[1], "%CRYPTO-5-IKMP_INVAL_CERT");
	}
	EVP_PKEY_free(other);
	xn_free(&net);
	tc_pki_free(&p);
}
END_TEST

/* P1 with certificate attributes: of two profiles with certificate maps,
 * the one whose map matches R1's certificate is chosen. */
START_TEST(certmap_selects_profile)
{
	struct tc_pki p;
	const char *other = "crypto pki certificate map OTHER 10\n"
			    " subject-name co cn=nobody\n"
			    "crypto isakmp profile Q\n"
			    " ca trust-point TP\n"
			    " match certificate OTHER\n";

	tc_pki_make(&p, TC_RSA, "map", XN_WALL);
	start(conf1(&p, "rsa-sig", NULL, NULL), conf2(&p, "rsa-sig", other, NULL));
	initiate(0);
	xn_run(&net, 2000);
	expect_up();
	expect_line(&net.n[1], "peer matches P profile (certificate map CM)");
	ck_assert_int_lt(xn_find(&net.n[1], 0, "peer matches Q profile"), 0);
	xn_free(&net);
	tc_pki_free(&p);
}
END_TEST

/* A key file that others may read is refused at load, with file and line. */
START_TEST(key_mode_refused)
{
	struct tc_pki p;
	struct ik_conf_error err;
	struct ik_config *cfg;
	char *text, buf[1024];

	tc_pki_make(&p, TC_RSA, "mode", XN_WALL);
	ck_assert_int_eq(chmod(p.k1_pem, 0644), 0);
	text = conf1(&p, "rsa-sig", NULL, NULL);
	cfg = ik_config_load_string(text, "r1.conf", &err);
	ck_assert_ptr_null(cfg);
	ik_conf_error_format(&err, buf, sizeof(buf));
	ck_assert_msg(strstr(buf, "r1.conf:6:") && strstr(buf, "is readable by others (mode "
							    "0644)"), "%s", buf);
	/* the line is shown as written: a key file's path is no secret */
	ck_assert_msg(strstr(buf, p.k1_pem) && !strstr(buf, "***"), "%s", buf);
	free(text);
	tc_pki_free(&p);
}
END_TEST

/* Printed back and read again: the same PKI configuration. */
START_TEST(running_config_round_trip)
{
	struct tc_pki p;
	struct ik_sb a, b;
	struct ik_config *c1, *c2;
	char *text;

	tc_pki_make(&p, TC_EC256, "print", XN_WALL);
	text = conf1(&p, "ecdsa-sig", NULL, NULL);
	c1 = xn_load(text, "r1.conf");
	ik_sb_init(&a);
	ik_config_print(c1, &a);
	ck_assert_msg(strstr(a.s, "crypto pki trustpoint TP\n enrollment terminal\n "
			     "revocation-check none\n"), "%s", a.s);
	ck_assert_msg(strstr(a.s, "crypto pki certificate map CM 10\n subject-name co "
			     "cn=r2.example.com\n"), "%s", a.s);
	ck_assert_msg(strstr(a.s, " authentication ecdsa-sig\n"), "%s", a.s);
	ck_assert_msg(strstr(a.s, "   ca trust-point TP\n   match certificate CM\n"), "%s", a.s);
	c2 = xn_load(a.s, "r1.conf");
	ik_sb_init(&b);
	ik_config_print(c2, &b);
	ck_assert_str_eq(a.s, b.s);
	ck_assert_ptr_nonnull(c2->trustpoints[0]->cert);
	ck_assert_ptr_nonnull(c2->trustpoints[0]->key);
	ik_sb_free(&a);
	ik_sb_free(&b);
	ik_config_unref(c1);
	ik_config_unref(c2);
	free(text);
	tc_pki_free(&p);
}
END_TEST

/* The IOS hex form of a chain block: the CA as certificate ca SERIAL, read
 * back and printed the same. */
START_TEST(chain_block_hex)
{
	struct tc_pki p;
	struct ik_sb t, a;
	struct ik_config *c;
	unsigned char *der = NULL;
	int n;

	tc_pki_make(&p, TC_RSA, "hex", XN_WALL);
	n = i2d_X509(p.ca, &der);
	ck_assert_int_gt(n, 0);
	ik_sb_init(&t);
	ik_sb_add(&t, "crypto pki trustpoint TP\n enrollment terminal\n revocation-check none\n"
		  "crypto pki certificate chain TP\n certificate ca 01\n");
	for (int i = 0; i < n; i += 32) {
		ik_sb_add(&t, "  ");
		for (int k = i; k < n && k < i + 32; k++)
			ik_sb_printf(&t, "%s%02X", k > i && (k - i) % 4 == 0 ? " " : "", der[k]);
		ik_sb_add(&t, "\n");
	}
	ik_sb_add(&t, "  \tquit\n");
	c = xn_load(t.s, "hex.conf");
	ck_assert_uint_eq(ik_pki_store_ncas(c->trustpoints[0]->store), 1);
	ik_sb_init(&a);
	ik_config_print(c, &a);
	ck_assert_msg(strstr(a.s, t.s + strlen("crypto pki trustpoint TP\n enrollment terminal\n"
					       " revocation-check none\n")), "%s", a.s);
	OPENSSL_free(der);
	ik_sb_free(&t);
	ik_sb_free(&a);
	ik_config_unref(c);
	tc_pki_free(&p);
}
END_TEST

/* show crypto pki certificates [verbose] and show crypto pki trustpoints,
 * IOS layout and JSON. */
START_TEST(show_pki)
{
	struct tc_pki p;
	struct ik_sb o;
	struct ik_config *c;
	char *text, hash[100];

	tc_pki_make(&p, TC_RSA, "show", XN_WALL);
	text = conf1(&p, "rsa-sig", NULL, NULL);
	c = xn_load(text, "r1.conf");
	ik_sb_init(&o);
	ik_show_pki_certificates(c, false, false, XN_WALL, &o);
	ck_assert_msg(strstr(o.s, "Certificate\n  Status: Available\n  Certificate Serial Number "
			     "(hex): "), "%s", o.s);
	ck_assert_msg(strstr(o.s, "  Subject: \n    Name: r1.example.com\n    "
			     "cn=r1.example.com\n    o=ikerd test\n"), "%s", o.s);
	ck_assert_msg(strstr(o.s, "CA Certificate\n  Status: Available\n"), "%s", o.s);
	ck_assert_msg(strstr(o.s, "  Associated Trustpoints: TP \n"), "%s", o.s);
	ck_assert_msg(!strstr(o.s, "Key Hash"), "%s", o.s);
	ik_sb_reset(&o);
	ik_show_pki_certificates(c, true, false, XN_WALL, &o);
	ik_pki_key_hash_text(p.k1, IK_PKI_SHA256, hash, sizeof(hash));
	ck_assert_msg(strstr(o.s, "    RSA Public Key: (2048 bit)\n"), "%s", o.s);
	ck_assert_msg(strstr(o.s, hash), "%s", o.s);
	ik_sb_reset(&o);
	ik_show_pki_certificates(c, false, true, XN_WALL, &o);
	ck_assert_msg(strstr(o.s, "{\"certificates\":[{\"type\":\"router\",\"status\":"
			     "\"available\""), "%s", o.s);
	ck_assert_msg(strstr(o.s, hash), "%s", o.s);
	ik_sb_reset(&o);
	ik_show_pki_trustpoints(c, false, &o);
	ck_assert_msg(strstr(o.s, "Trustpoint TP:\n    Subject Name: \n    cn=ikerd test CA\n"),
		      "%s", o.s);
	ck_assert_msg(strstr(o.s, "    Certificate configured.\n"), "%s", o.s);
	ik_sb_reset(&o);
	ik_show_pki_trustpoints(c, true, &o);
	ck_assert_msg(strstr(o.s, "{\"trustpoints\":[{\"name\":\"TP\",\"ca_certificates\":1,"
			     "\"router_certificate\":true,\"private_key\":true"), "%s", o.s);
	ik_sb_free(&o);
	ik_config_unref(c);
	free(text);
	tc_pki_free(&p);
}
END_TEST

/* ikerd -t with certificates: a signature policy needs a certificate and
 * key of its type, and a CA; a profile's trustpoint without a CA is named. */
START_TEST(checker_findings)
{
	struct tc_pki p;
	struct ik_check_env env = IK_CHECK_ENV_ENGINE;
	struct ik_check_counts n;
	struct ik_sb o;
	struct ik_config *c;
	char *text;

	tc_pki_make(&p, TC_RSA, "check", XN_WALL);
	ik_sb_init(&o);
	/* an RSA key, a policy for ECDSA only: never offered, nothing else works */
	text = conf1(&p, "ecdsa-sig", NULL, NULL);
	c = xn_load(text, "r1.conf");
	ik_check_config_env(c, &env, &o, false, &n);
	ck_assert_msg(strstr(o.s, "error: auth: policy 10 authenticates with ECDSA signatures, "
			     "and no trustpoint has a certificate and private key of that type"),
		      "%s", o.s);
	ik_config_unref(c);
	free(text);
	/* the same with rsa-sig: clean on this point */
	ik_sb_reset(&o);
	text = conf1(&p, "rsa-sig", NULL, NULL);
	c = xn_load(text, "r1.conf");
	ik_check_config_env(c, &env, &o, false, &n);
	ck_assert_msg(!strstr(o.s, ": auth:"), "%s", o.s);
	ik_config_unref(c);
	free(text);
	/* the router's certificate without its CA: no peer can validate */
	ik_sb_reset(&o);
	{
		char line[600];

		snprintf(line, sizeof(line), "crypto pki import TP pem %s\n", p.ca_pem);
		text = xn_replace(conf1(&p, "rsa-sig", NULL, NULL), line, "");
	}
	c = xn_load(text, "r1.conf");
	ik_check_config_env(c, &env, &o, false, &n);
	ck_assert_msg(strstr(o.s, "no trustpoint has a CA certificate: no peer certificate can "
			     "validate") && strstr(o.s, "trustpoint TP has no CA certificate"),
		      "%s", o.s);
	ik_config_unref(c);
	free(text);
	/* no CA at all, but a list that pins raw keys: peers can be validated;
	 * without raw-public-key accept, the same configuration cannot */
	for (int raw = 1; raw >= 0; raw--) {
		char pin[100];

		ik_sb_reset(&o);
		ik_pki_key_hash_text(p.k2, IK_PKI_SHA256, pin, sizeof(pin));
		text = conf_raw("R1", p.k1_pem, R1_ADDR, R2_ADDR, "R2.example.com", pin, raw);
		c = xn_load(text, "r1.conf");
		ik_check_config_env(c, &env, &o, false, &n);
		ck_assert_msg((strstr(ik_sb_str(&o), "no peer certificate can validate") == NULL) ==
			      raw && (strstr(ik_sb_str(&o), "trustpoint RAW has no CA "
					     "certificate") == NULL) == raw,
			      "raw %d: %s", raw, ik_sb_str(&o));
		ik_config_unref(c);
		free(text);
	}
	ik_sb_free(&o);
	tc_pki_free(&p);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("exchange-cert");
	TCase *tc = tcase_create("mm");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, rsa_both_roles, 0, 2);
	tcase_add_loop_test(tc, ecdsa_both_roles, 0, 2);
	tcase_add_loop_test(tc, tampered_sig, 0, 2);
	tcase_add_test(tc, expired_cert);
	tcase_add_test(tc, unknown_ca);
	tcase_add_loop_test(tc, revoked_cert, 0, 2);
	tcase_add_test(tc, id_mismatch);
	tcase_add_test(tc, id_fqdn_in_san);
	tcase_add_loop_test(tc, authlist, 0, 2);
	tcase_add_loop_test(tc, self_signed_pinned, 0, 4);
	tcase_add_test(tc, certmap_selects_profile);
	tcase_add_test(tc, key_mode_refused);
	tcase_add_test(tc, running_config_round_trip);
	tcase_add_test(tc, chain_block_hex);
	tcase_add_test(tc, show_pki);
	tcase_add_test(tc, checker_findings);
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
