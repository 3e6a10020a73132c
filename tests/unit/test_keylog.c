/* Writes a capture of back-to-back IKEv1 runs and the decryption tables that
 * show crypto isakmp sa keys prints, for tests/unit/test_keylog_tshark.sh:
 * tshark must decrypt Main Mode's ID and HASH payloads and Quick Mode with
 * the ikev1_decryption_table, and an ESP packet sealed with the child SA's
 * outbound keys with the esp_sa table. Also checks here that both ends
 * export the same IKEv1 row (same cookie, same key).
 *
 * Usage: test_keylog OUT.pcap WIRESHARK_CONFIG_DIR */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/keylog.h"
#include "test_exchange_harness.h"
#include "util/util.h"

#define R1_ADDR 0xc0a80001u /* 192.168.0.1, as in the seed configuration */
#define R2_ADDR 0xc0a80002u

static void die(const char *what)
{
	fprintf(stderr, "test_keylog: %s\n", what);
	exit(1);
}

static char *variant(const char *file, int v)
{
	char *t = xn_read(file);

	if (v == 1) { /* AES-256 / SHA-256 phase 1, PFS */
		t = xn_replace(t, " set transform-set TS\n", " set transform-set TS\n"
			       " set pfs group14\n");
		t = xn_replace(t, " encr 3des\n hash md5\n", " encr aes 256\n hash sha256\n");
		t = xn_replace(t, " group 2\n", " group 14\n");
	}
	if (v == 2) /* AES-GCM-256 ESP */
		t = xn_replace(t, "transform-set TS esp-aes esp-sha256-hmac\n",
			       "transform-set TS esp-gcm 256\n");
	return t;
}

static uint16_t ip_sum(const uint8_t *ip)
{
	uint32_t sum = 0;

	for (int i = 0; i < 20; i += 2)
		sum += ik_get16(ip + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void ipv4_header(uint8_t *ip, size_t tot, uint8_t proto, uint32_t s, uint32_t d)
{
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ik_put16(ip + 2, (uint16_t)tot);
	ip[8] = 64;
	ip[9] = proto;
	ik_put32(ip + 12, s);
	ik_put32(ip + 16, d);
	ik_put16(ip + 10, ip_sum(ip));
}

/* The inner packet: an ICMP echo request 192.0.2.1 -> 203.0.113.1. */
static size_t inner_packet(uint8_t *inner)
{
	static const char text[] = "ikerd keylog test";
	size_t ilen = 20 + 8 + sizeof(text) - 1;
	uint32_t sum = 0;

	ipv4_header(inner, ilen, 1, 0xc0000201u, 0xcb007101u);
	memset(inner + 20, 0, 8);
	inner[20] = 8;
	ik_put16(inner + 24, 0x1234);
	ik_put16(inner + 26, 1);
	memcpy(inner + 28, text, sizeof(text) - 1);
	for (size_t i = 20; i + 1 < ilen; i += 2)
		sum += ik_get16(inner + i);
	if ((ilen - 20) & 1)
		sum += (uint32_t)inner[ilen - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ik_put16(inner + 22, (uint16_t)~sum);
	return ilen;
}

static void pcap_ip(FILE *f, uint64_t now, const uint8_t *pkt, size_t n)
{
	uint32_t h[4] = { (uint32_t)(now / 1000), (uint32_t)(now % 1000 * 1000), (uint32_t)n,
			  (uint32_t)n };

	fwrite(h, 1, sizeof(h), f);
	fwrite(pkt, 1, n, f);
}

/* The same ping in ESP with AES-GCM (RFC 4106): nonce = salt | IV, the SPI
 * and sequence number authenticated, a 16-byte ICV. */
static void esp_gcm_packet(FILE *f, uint64_t now, const struct ik_child_sa *c)
{
	uint8_t plain[96], pkt[256], nonce[12], iv[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	size_t klen = c->enc_keylen / 8, ilen = inner_packet(plain), plen = ilen, n;
	EVP_CIPHER_CTX *ctx;
	int outl = 0, fin = 0;

	if (c->enc != IK_ESP_GCM || (klen != 16 && klen != 32))
		die("the child SA is not esp-gcm 128 or 256");
	for (uint8_t k = 1; (plen + 2) % 4; k++)
		plain[plen++] = k;
	plain[plen] = (uint8_t)(plen - ilen);
	plain[plen + 1] = 4;
	plen += 2;
	memcpy(nonce, c->out.enc_key + klen, 4);
	memcpy(nonce + 4, iv, 8);
	n = 20;
	ik_put32(pkt + n, c->out.spi);
	ik_put32(pkt + n + 4, 1);
	memcpy(pkt + n + 8, iv, 8);
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx ||
	    EVP_EncryptInit_ex(ctx, klen == 32 ? EVP_aes_256_gcm() : EVP_aes_128_gcm(), NULL,
			       NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) != 1 ||
	    EVP_EncryptInit_ex(ctx, NULL, NULL, c->out.enc_key, nonce) != 1 ||
	    EVP_EncryptUpdate(ctx, NULL, &outl, pkt + n, 8) != 1 ||
	    EVP_EncryptUpdate(ctx, pkt + n + 16, &outl, plain, (int)plen) != 1 ||
	    EVP_EncryptFinal_ex(ctx, pkt + n + 16 + outl, &fin) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, pkt + n + 16 + outl + fin) != 1)
		die("AES-GCM failed");
	EVP_CIPHER_CTX_free(ctx);
	n += 16 + (size_t)(outl + fin) + 16;
	ipv4_header(pkt, n, 50, c->out.src.v4, c->out.dst.v4);
	pcap_ip(f, now, pkt, n);
}

/* An ICMP echo from R1's LAN to R2's LAN, in ESP (tunnel mode, AES-CBC and
 * HMAC-SHA-256-128), sealed with the outbound keys of c, as one pcap record. */
static void esp_packet(FILE *f, uint64_t now, const struct ik_child_sa *c)
{
	static const char text[] = "ikerd keylog test";
	uint8_t inner[64], plain[96], pkt[256], iv[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	size_t ilen = 20 + 8 + sizeof(text) - 1, plen, n = 0;
	const EVP_CIPHER *ciph;
	EVP_CIPHER_CTX *ctx;
	unsigned mlen = 0;
	uint8_t mac[64];
	int outl = 0, fin = 0;

	if (c->enc != IK_ESP_AES || c->auth != IK_ESP_SHA256)
		die("the child SA is not esp-aes esp-sha256-hmac");
	ciph = c->enc_keylen == 256 ? EVP_aes_256_cbc()
	       : c->enc_keylen == 192 ? EVP_aes_192_cbc() : EVP_aes_128_cbc();
	/* the inner packet: 192.0.2.1 -> 203.0.113.1, ICMP echo request */
	ipv4_header(inner, ilen, 1, 0xc0000201u, 0xcb007101u);
	memset(inner + 20, 0, 8);
	inner[20] = 8;
	ik_put16(inner + 24, 0x1234);
	ik_put16(inner + 26, 1);
	memcpy(inner + 28, text, sizeof(text) - 1);
	{
		uint32_t sum = 0;

		for (size_t i = 20; i + 1 < ilen; i += 2)
			sum += ik_get16(inner + i);
		if ((ilen - 20) & 1)
			sum += (uint32_t)inner[ilen - 1] << 8;
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		ik_put16(inner + 22, (uint16_t)~sum);
	}
	/* padding 1, 2, ... to the block, then pad length and next header 4 */
	memcpy(plain, inner, ilen);
	plen = ilen;
	for (uint8_t k = 1; (plen + 2) % 16; k++)
		plain[plen++] = k;
	plain[plen] = (uint8_t)(plen - ilen);
	plain[plen + 1] = 4;
	plen += 2;
	/* ESP: SPI, sequence 1, IV, ciphertext, ICV */
	n = 20;
	ik_put32(pkt + n, c->out.spi);
	ik_put32(pkt + n + 4, 1);
	memcpy(pkt + n + 8, iv, 16);
	n += 24;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx || EVP_EncryptInit_ex(ctx, ciph, NULL, c->out.enc_key, iv) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 ||
	    EVP_EncryptUpdate(ctx, pkt + n, &outl, plain, (int)plen) != 1 ||
	    EVP_EncryptFinal_ex(ctx, pkt + n + outl, &fin) != 1)
		die("AES-CBC failed");
	EVP_CIPHER_CTX_free(ctx);
	n += (size_t)(outl + fin);
	if (!HMAC(EVP_sha256(), c->out.auth_key, 32, pkt + 20, n - 20, mac, &mlen))
		die("HMAC failed");
	memcpy(pkt + n, mac, 16);
	n += 16;
	ipv4_header(pkt, n, 50, c->out.src.v4, c->out.dst.v4);
	uint32_t h[4] = { (uint32_t)(now / 1000), (uint32_t)(now % 1000 * 1000), (uint32_t)n,
			  (uint32_t)n };
	fwrite(h, 1, sizeof(h), f);
	fwrite(pkt, 1, n, f);
}

static void run(FILE *pcap, int v, struct ik_sb *ikev1, struct ik_sb *esp)
{
	struct xnet net;
	char *t1 = variant("etc/examples/seed-r1.conf", v);
	char *t2 = variant("etc/examples/seed-r2.conf", v);
	struct ik_config *c1 = xn_load(t1, "r1"), *c2 = xn_load(t2, "r2");
	struct ik_sb err, peer1, peer_esp;

	free(t1);
	free(t2);
	xn_init(&net, c1, R1_ADDR, c2, R2_ADDR, 70 + (uint64_t)v, NULL);
	if (v == 0)
		xn_pcap_open(&net, pcap);
	else
		net.pcap = pcap;
	net.now += (uint64_t)v * 60000;
	ik_sb_init(&err);
	if (ik_engine_initiate(net.n[0].e, "Tunnel1", &err))
		die(ik_sb_str(&err));
	ik_sb_free(&err);
	xn_run(&net, 2000);
	if (net.n[0].nup != 1 || net.n[1].nup != 1)
		die("no child SA");
	if (v == 2)
		esp_gcm_packet(pcap, net.now + 10, &net.n[0].up[0]);
	else
		esp_packet(pcap, net.now + 10, &net.n[0].up[0]);

	/* R1's rows go to the tables; R2 must export the same IKEv1 row */
	size_t before = ikev1->len;
	ik_engine_keys(net.n[0].e, ikev1, esp, false);
	ik_sb_init(&peer1);
	ik_sb_init(&peer_esp);
	ik_engine_keys(net.n[1].e, &peer1, &peer_esp, false);
	if (ikev1->len == before || strcmp(ik_sb_str(ikev1) + before, ik_sb_str(&peer1)))
		die("the two ends export different IKEv1 rows");
	/* two directions per child SA on each side, the same SPIs crosswise */
	if (!strstr(ik_sb_str(esp), "\"IPv4\",\"192.168.0.1\",\"192.168.0.2\",\"0x") ||
	    (v == 2 && !strstr(ik_sb_str(esp), "\"AES-GCM with 16 octet ICV [RFC4106]\"")) ||
	    !strstr(ik_sb_str(esp), "\"IPv4\",\"192.168.0.2\",\"192.168.0.1\",\"0x"))
		die("the ESP rows lack a direction");
	ik_sb_free(&peer1);
	ik_sb_free(&peer_esp);
	xn_free(&net);
	net.pcap = NULL;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f))
		die(path);
}

int main(int argc, char **argv)
{
	struct ik_sb ikev1, esp;
	FILE *pcap;

	if (argc != 3) {
		fprintf(stderr, "usage: %s OUT.pcap WIRESHARK_CONFIG_DIR\n", argv[0]);
		return 2;
	}
	pcap = fopen(argv[1], "wb");
	if (!pcap) {
		perror(argv[1]);
		return 1;
	}
	ik_sb_init(&ikev1);
	ik_sb_init(&esp);
	for (int v = 0; v < 3; v++)
		run(pcap, v, &ikev1, &esp);
	fclose(pcap);
	write_file(argv[2], "ikev1_decryption_table", ik_sb_str(&ikev1));
	write_file(argv[2], "esp_sa", ik_sb_str(&esp));
	printf("%s%s", ik_sb_str(&ikev1), ik_sb_str(&esp));
	ik_sb_free(&ikev1);
	ik_sb_free(&esp);
	return 0;
}
