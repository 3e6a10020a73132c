/* The kernel-facing types shared by the IKE engines (src/ike) and the kernel
 * backends (src/vti): a negotiated IPsec SA pair, as Quick Mode (or IKEv2
 * CREATE_CHILD_SA) hands it to the host, which passes it to the kernel
 * backend (vti/kernel.h); and the events the kernel reports back. */
#ifndef IK_IPSEC_CHILD_H
#define IK_IPSEC_CHILD_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/model.h"
#include "util/addr.h"

#define IK_MAX_ENC_KEY 36  /* AES-256 + 4-byte GCM salt */
#define IK_MAX_AUTH_KEY 64 /* HMAC-SHA-512 */

/* Traffic selector: src/dst prefixes and an IP protocol (0 = any). Both
 * prefixes are of one family (IPv4 or IPv6), which may differ from the
 * family of the outer addresses (IPv6 carried over IPv4 and the reverse).
 * The address bits past the prefix length are zero. */
struct ik_selector {
	struct ik_addr src, dst;
	uint8_t src_plen, dst_plen; /* 0..32 or 0..128 */
	uint8_t proto;
	uint16_t sport, dport; /* 0 = any */
};

/* One direction of ESP. */
struct ik_esp_sa {
	uint32_t spi;           /* host order */
	struct ik_addr src, dst; /* outer addresses of this direction */
	uint8_t enc_key[IK_MAX_ENC_KEY];
	uint8_t auth_key[IK_MAX_AUTH_KEY];
};

struct ik_child_sa {
	unsigned id;            /* engine-unique, stable for the SA's life */
	char ifname[32];        /* the configured TunnelN this protects, "" for none */
	const struct ik_interface *tunnel; /* in the snapshot the SA holds */
	const struct ik_cmap_entry *cmap; /* crypto map entry (tunnel NULL), same snapshot */
	enum ik_ipsec_mode mode;
	enum ik_esp_enc enc;
	unsigned enc_keylen;    /* bits of cipher key, salt excluded */
	enum ik_esp_auth auth;
	unsigned icv_bits;      /* GCM: 128 */
	struct ik_esp_sa in, out;
	struct ik_selector sel; /* local -> remote, as seen from this side */
	uint32_t lifetime_sec;  /* negotiated hard lifetime; soft is derived */
	uint64_t lifetime_kb;
	bool udp_encap;         /* NAT-T: ESP in UDP 4500 */
	uint16_t encap_local_port, encap_remote_port;
	unsigned pfs_group;
	uint32_t reqid;         /* per tunnel, stable across rekeys */
	const char *fvrf;       /* NULL = global */
};

struct ik_sa_counters {
	uint64_t packets, bytes;
	uint64_t errors;        /* replay, auth failures, ... */
	uint64_t replay_failed; /* of errors: outside the window or replayed */
	uint64_t auth_failed;   /* of errors: integrity check failed */
};

/* Events the kernel reports (XFRM acquire and expire). */
enum ik_kevent_type { IK_KEV_ACQUIRE = 1, IK_KEV_EXPIRE_SOFT, IK_KEV_EXPIRE_HARD };
struct ik_kevent {
	enum ik_kevent_type type;
	uint32_t reqid;
	uint32_t spi;           /* expire: the SA's SPI (host order) */
	struct ik_addr src, dst; /* acquire: the packet's outer template addresses */
	struct ik_selector sel; /* acquire: the policy selector */
};

/* Selector helpers (src/ipsec/selector.c). */
/* The prefix length of an address family: 32 or 128. */
static inline int ik_af_bits(uint8_t family)
{
	return family == IK_AF_INET6 ? 128 : 32;
}
/* The IPv4 mask (host order) of a selector side's prefix length. */
uint32_t ik_sel_mask4(uint8_t plen);
/* The range lo..hi (one family) as net/plen: the return is the prefix
 * length when the range is exactly a prefix, -1 else (net untouched). */
int ik_range_prefix(const struct ik_addr *lo, const struct ik_addr *hi, struct ik_addr *net);
/* The smallest prefix holding lo..hi: sets net, returns the length. */
int ik_range_cover(const struct ik_addr *lo, const struct ik_addr *hi, struct ik_addr *net);
/* The last address of net/plen. */
struct ik_addr ik_prefix_last(const struct ik_addr *net, int plen);
/* "10.1.1.0/24->10.2.0.0/16 proto 0" into buf (IPv6 in RFC 5952 form). */
#define IK_SEL_STRLEN (2 * (IK_ADDR_ANYSTRLEN + 4) + 16)
char *ik_sel_fmt(const struct ik_selector *s, char *buf, size_t n);
struct ik_sb;
/* The "  IPSEC FLOW: ..." line of show crypto session for a selector. */
void ik_sel_flow_line(struct ik_sb *out, const struct ik_selector *s);

#endif
