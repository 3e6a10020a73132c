/* The kernel-facing types shared by the IKE engines (src/ike) and the kernel
 * backends (src/vti): a negotiated IPsec SA pair, as Quick Mode (or IKEv2
 * CREATE_CHILD_SA) hands it to the host, which passes it to the kernel
 * backend (vti/kernel.h); and the events the kernel reports back. */
#ifndef IK_IPSEC_CHILD_H
#define IK_IPSEC_CHILD_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/model.h"

#define IK_MAX_ENC_KEY 36  /* AES-256 + 4-byte GCM salt */
#define IK_MAX_AUTH_KEY 64 /* HMAC-SHA-512 */

/* Traffic selector: src/dst prefixes and an IP protocol (0 = any). */
struct ik_selector {
	uint32_t src, src_mask;
	uint32_t dst, dst_mask;
	uint8_t proto;
	uint16_t sport, dport; /* 0 = any */
};

/* One direction of ESP. */
struct ik_esp_sa {
	uint32_t spi;           /* host order */
	uint32_t src, dst;      /* outer addresses of this direction */
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
	uint32_t src, dst;      /* acquire: the packet's outer template addresses */
	struct ik_selector sel; /* acquire: the policy selector */
};

#endif
