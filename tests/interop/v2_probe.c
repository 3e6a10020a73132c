/* An IKEv2 responder of one exchange, made of the wire and crypto layer
 * only (no engine): it answers a strongSwan initiator's IKE_SA_INIT with a
 * response built here (the chosen proposal, a KE of its own, Nr, NAT-D), then
 * decrypts the IKE_AUTH request that follows with the keys it derived, parses
 * its inner payloads and checks the initiator's AUTH with the pre-shared key,
 * then answers it (IDr, its own AUTH, the child SA and selectors) and
 * decrypts what the initiator sends next for 3 s. Exits 0 when all of that
 * holds, 1 otherwise, with a line per step.
 *
 * Usage: v2_probe LOCAL_IPV4 PSK cbc|gcm|chacha TIMEOUT_S */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "ike/crypto.h"
#include "ike/v2_crypto.h"
#include "ike/v2_msg.h"
#include "util/secmem.h"
#include "util/util.h"

static int sock_on(struct in_addr a, uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr = a };
	int s = socket(AF_INET, SOCK_DGRAM, 0), one = 1;

	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(s, (struct sockaddr *)&sin, sizeof(sin))) {
		perror("v2_probe: bind");
		exit(1);
	}
	return s;
}

static void fail(const char *what, const char *err)
{
	printf("FAIL %s: %s\n", what, err);
	exit(1);
}

/* The IKE_AUTH response: IDr, AUTH (RFC 7296 2.15 over our IKE_SA_INIT
 * response, Ni and IDr), the first proposal of the request's child SA with
 * one transform of each type and an SPI of ours, the request's TSi and TSr;
 * sealed with the responder's keys and sent back (on 4500 after the
 * non-ESP marker). */
static int respond_auth(const struct ik_v2_keys *k, const struct ik_v2_hdr *h,
			const struct ik_v2_msg *in, const uint8_t *init_r, size_t init_r_len,
			const uint8_t *ni, size_t ni_len, const struct ik_secret *psk, int fd,
			bool marker, const struct sockaddr_in *to, socklen_t tolen)
{
	static struct ik_v2_builder b;
	static const uint8_t idr[8] = { IK_V2_ID_IPV4_ADDR, 0, 0, 0, 198, 51, 100, 2 };
	struct ik_v2_transform xf[8];
	struct ik_v2_proposal p;
	struct ik_v2_sa *sa = NULL;
	uint8_t auth[IK_V2_PRF_MAX], iv[16], out[IK_V2_MAX_MSG + 4];
	size_t sk, nt = 0;
	char err[256];

	if (!ik_v2_find(in, IK_V2_PL_SA) || !ik_v2_find(in, IK_V2_PL_TSI) ||
	    !ik_v2_find(in, IK_V2_PL_TSR) ||
	    ik_v2_parse_sa(ik_v2_find(in, IK_V2_PL_SA), &sa, err, sizeof(err)))
		return -1;
	p = sa->p[0];
	for (uint8_t t = IK_V2_TT_ENCR; t <= IK_V2_TT_ESN; t++) {
		const struct ik_v2_transform *x = ik_v2_prop_find(&sa->p[0], t, 0);

		if (x)
			xf[nt++] = *x;
	}
	p.t = xf;
	p.nt = nt;
	randombytes_buf(p.spi, 4);
	if (ik_v2_auth_psk(k->s.prf, psk, init_r, init_r_len, ni, ni_len, k->sk_pr, idr,
			   sizeof(idr), auth)) {
		ik_v2_sa_free(sa);
		return -1;
	}
	ik_v2_b_init(&b, h->spi_i, h->spi_r, IK_V2_EXCH_IKE_AUTH, IK_V2_FLAG_R, h->msgid);
	sk = ik_v2_b_sk(&b);
	ik_v2_b_id(&b, IK_V2_PL_IDR, IK_V2_ID_IPV4_ADDR, idr + 4, 4);
	ik_v2_b_auth(&b, IK_V2_AUTH_PSK, auth, ik_v2_prf_len(k->s.prf));
	ik_v2_b_sa(&b, &p, 1);
	ik_v2_b_payload(&b, IK_V2_PL_TSI, ik_v2_find(in, IK_V2_PL_TSI)->body,
			ik_v2_find(in, IK_V2_PL_TSI)->body_len);
	ik_v2_b_payload(&b, IK_V2_PL_TSR, ik_v2_find(in, IK_V2_PL_TSR)->body,
			ik_v2_find(in, IK_V2_PL_TSR)->body_len);
	ik_v2_b_close(&b, sk);
	ik_v2_sa_free(sa);
	randombytes_buf(iv, sizeof(iv));
	if (ik_v2_sk_seal(k, false, &b, sk, iv, err, sizeof(err)))
		return -1;
	memset(out, 0, 4);
	memcpy(out + (marker ? 4 : 0), b.buf, b.len);
	if (sendto(fd, out, b.len + (marker ? 4 : 0), 0, (const struct sockaddr *)to, tolen) < 0)
		return -1;
	printf("sent IKE_AUTH response (%zu bytes: IDr, AUTH, SA, TSi, TSr in SK)\n", b.len);
	return 0;
}

int main(int argc, char **argv)
{
	static struct ik_v2_msg m;
	static struct ik_v2_builder b;
	static uint8_t buf[IK_V2_MAX_MSG + 4], init_i[IK_V2_MAX_MSG], plain[IK_V2_MAX_MSG];
	struct ik_v2_suite s;
	struct ik_v2_keys k;
	struct ik_secret *psk, *gir = NULL;
	struct ik_dh *dh = NULL;
	struct in_addr la;
	uint8_t spi_r[8], nr[32], ni[IK_V2_MAX_NONCE], rnd[128];
	static uint8_t init_r[IK_V2_MAX_MSG];
	size_t init_len = 0, ni_len = 0, init_r_len = 0;
	bool authed = false;
	int s500, s4500, timeout;
	time_t end;
	char err[256];

	if (argc != 5 || inet_pton(AF_INET, argv[1], &la) != 1)
		fail("usage", "v2_probe LOCAL_IPV4 PSK cbc|gcm|chacha TIMEOUT_S");
	if (!strcmp(argv[3], "cbc"))
		s = (struct ik_v2_suite){ IK_V2_ENCR_AES_CBC, 256, IK_V2_INTEG_HMAC_SHA2_256_128,
					  IK_V2_PRF_HMAC_SHA2_256, 14 };
	else if (!strcmp(argv[3], "gcm"))
		s = (struct ik_v2_suite){ IK_V2_ENCR_AES_GCM_16, 256, 0, IK_V2_PRF_HMAC_SHA2_256,
					  31 };
	else
		s = (struct ik_v2_suite){ IK_V2_ENCR_CHACHA20_POLY1305, 0, 0,
					  IK_V2_PRF_HMAC_SHA2_256, 19 };
	timeout = atoi(argv[4]);
	if (ik_secmem_init())
		fail("secmem", "init");
	psk = ik_secret_new(argv[2], strlen(argv[2]));
	randombytes_buf(spi_r, sizeof(spi_r));
	randombytes_buf(nr, sizeof(nr));
	randombytes_buf(rnd, sizeof(rnd));
	s500 = sock_on(la, 500);
	s4500 = sock_on(la, 4500);
	end = time(NULL) + timeout;
	while (time(NULL) < end) {
		struct pollfd pfd[2] = { { s500, POLLIN, 0 }, { s4500, POLLIN, 0 } };
		struct sockaddr_in from;
		socklen_t flen = sizeof(from);
		const uint8_t *msg;
		ssize_t n;
		size_t len;
		int fd;

		if (poll(pfd, 2, 500) <= 0)
			continue;
		fd = pfd[0].revents & POLLIN ? s500 : s4500;
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
		if (n <= 0)
			continue;
		msg = buf;
		len = (size_t)n;
		if (fd == s4500) {
			if (len < 4 || ik_get32(buf) != 0)
				continue;
			msg += 4;
			len -= 4;
		}
		if (ik_v2_parse_hdr(msg, len, &m.hdr, err, sizeof(err)) ||
		    ik_v2_parse_payloads(msg, m.hdr.len, &m, err, sizeof(err)))
			fail("parse", err);
		printf("received %s (%u bytes, %zu payloads) on %d\n",
		       ik_v2_exch_name(m.hdr.exch), m.hdr.len, m.npl, fd == s500 ? 500 : 4500);
		if (m.hdr.exch == IK_V2_EXCH_IKE_SA_INIT && !(m.hdr.flags & IK_V2_FLAG_R)) {
			struct ik_v2_transform xf[4];
			struct ik_v2_proposal p = { .num = 1, .proto = IK_V2_PROTO_IKE, .t = xf };
			struct ik_v2_ke ke;
			struct ik_v2_sa *sa = NULL;
			const uint8_t *no, *pub;
			size_t nl, pl;
			uint8_t natd[20], ip[4];

			if (ik_v2_parse_sa(ik_v2_find(&m, IK_V2_PL_SA), &sa, err, sizeof(err)) ||
			    ik_v2_parse_ke(ik_v2_find(&m, IK_V2_PL_KE), &ke, err, sizeof(err)) ||
			    ik_v2_ke_check(&ke, err, sizeof(err)) ||
			    ik_v2_parse_nonce(ik_v2_find(&m, IK_V2_PL_NONCE), &no, &nl, err,
					      sizeof(err)))
				fail("IKE_SA_INIT", err);
			if (ke.group != s.dh) {
				snprintf(err, sizeof(err), "KE group %u, expected %u", ke.group,
					 s.dh);
				fail("IKE_SA_INIT", err);
			}
			p.num = sa->p[0].num;
			ik_v2_sa_free(sa);
			xf[0] = (struct ik_v2_transform){ IK_V2_TT_ENCR, s.encr, s.keylen, false,
							  0 };
			xf[1] = (struct ik_v2_transform){ IK_V2_TT_PRF, s.prf, 0, false, 0 };
			p.nt = 2;
			if (s.integ)
				xf[p.nt++] = (struct ik_v2_transform){ IK_V2_TT_INTEG, s.integ, 0,
								       false, 0 };
			xf[p.nt++] = (struct ik_v2_transform){ IK_V2_TT_DH, s.dh, 0, false, 0 };
			dh = ik_dh_new(s.dh, rnd, ik_dh_rand_len(s.dh));
			if (!dh || !(gir = ik_dh_derive(dh, ke.data, ke.len, err, sizeof(err))))
				fail("DH", err);
			memcpy(ni, no, nl);
			ni_len = nl;
			memcpy(init_i, msg, m.hdr.len);
			init_len = m.hdr.len;
			if (ik_v2_derive(&s, gir, ni, ni_len, nr, sizeof(nr), m.hdr.spi_i, spi_r,
					 &k))
				fail("derive", "keys");
			pub = ik_dh_public(dh, &pl);
			ik_v2_b_init(&b, m.hdr.spi_i, spi_r, IK_V2_EXCH_IKE_SA_INIT, IK_V2_FLAG_R,
				     0);
			ik_v2_b_sa(&b, &p, 1);
			ik_v2_b_ke(&b, s.dh, pub, pl);
			ik_v2_b_nonce(&b, nr, sizeof(nr));
			memcpy(ip, &la, 4);
			ik_v2_natd_hash(m.hdr.spi_i, spi_r, ip, 4, 500, natd);
			ik_v2_b_notify(&b, 0, NULL, 0, IK_V2_N_NAT_DETECTION_SOURCE_IP, natd, 20);
			memcpy(ip, &from.sin_addr, 4);
			ik_v2_natd_hash(m.hdr.spi_i, spi_r, ip, 4, ntohs(from.sin_port), natd);
			ik_v2_b_notify(&b, 0, NULL, 0, IK_V2_N_NAT_DETECTION_DESTINATION_IP, natd,
				       20);
			ik_v2_b_finish(&b);
			memcpy(init_r, b.buf, b.len);
			init_r_len = b.len;
			sendto(fd, b.buf, b.len, 0, (struct sockaddr *)&from, flen);
			printf("sent IKE_SA_INIT response (%zu bytes, %s, %s, group %u)\n", b.len,
			       ik_v2_encr_name(s.encr, s.keylen), ik_v2_prf_name(s.prf), s.dh);
			continue;
		}
		if (m.hdr.exch == IK_V2_EXCH_IKE_AUTH && init_len && m.sk) {
			struct ik_v2_msg in;
			struct ik_v2_id_pl id;
			struct ik_v2_auth a;
			size_t plen;

			if (ik_v2_sk_open(&k, true, msg, m.hdr.len, m.sk, plain, sizeof(plain),
					  &plen, err, sizeof(err)))
				fail("IKE_AUTH SK", err);
			printf("IKE_AUTH: ICV correct, %zu bytes decrypted\n", plen);
			if (ik_v2_parse_inner(plain, plen, m.inner_np, m.hdr.exch, &in, err,
					      sizeof(err)))
				fail("IKE_AUTH inner", err);
			for (size_t i = 0; i < in.npl; i++)
				printf("  inner payload %s (%zu bytes)\n",
				       ik_v2_pl_name(in.pl[i].type), in.pl[i].len);
			if (!ik_v2_find(&in, IK_V2_PL_IDI) || !ik_v2_find(&in, IK_V2_PL_AUTH) ||
			    ik_v2_parse_id(ik_v2_find(&in, IK_V2_PL_IDI), &id, err, sizeof(err)) ||
			    ik_v2_parse_auth(ik_v2_find(&in, IK_V2_PL_AUTH), &a, err, sizeof(err)))
				fail("IKE_AUTH IDi/AUTH", err);
			if (a.method != IK_V2_AUTH_PSK)
				fail("IKE_AUTH", "AUTH method is not a shared key");
			if (!ik_v2_auth_psk_equal(s.prf, psk, init_i, init_len, nr, sizeof(nr),
						  k.sk_pi, id.body, id.body_len, a.data, a.len))
				fail("IKE_AUTH", "AUTH does not match the pre-shared key");
			printf("the initiator's AUTH matches the pre-shared key\n");
			if (respond_auth(&k, &m.hdr, &in, init_r, init_r_len, ni, ni_len, psk,
					 fd, fd == s4500, &from, flen))
				fail("IKE_AUTH response", "not built");
			authed = true;
			end = time(NULL) + 3;
			continue;
		}
		if (m.hdr.exch == IK_V2_EXCH_INFORMATIONAL && authed && m.sk) {
			struct ik_v2_msg in;
			size_t plen;

			if (ik_v2_sk_open(&k, m.hdr.flags & IK_V2_FLAG_I, msg, m.hdr.len, m.sk,
					  plain, sizeof(plain), &plen, err, sizeof(err)) ||
			    ik_v2_parse_inner(plain, plen, m.inner_np, m.hdr.exch, &in, err,
					      sizeof(err)))
				fail("INFORMATIONAL", err);
			printf("INFORMATIONAL: ICV correct, %zu payloads\n", in.npl);
			for (size_t i = 0; i < in.npl; i++)
				printf("  inner payload %s (%zu bytes)\n",
				       ik_v2_pl_name(in.pl[i].type), in.pl[i].len);
			break;
		}
	}
	if (authed) {
		printf("PASS: AUTH checked both ways, IKE_AUTH answered\n");
		ik_v2_keys_free(&k);
		ik_secret_free(gir);
		ik_secret_free(psk);
		ik_dh_free(dh);
		close(s500);
		close(s4500);
		return 0;
	}
	fail("timeout", "no IKE_AUTH");
	return 1;
}
