/* The configuration model: one immutable snapshot of an ikerd.conf (IOS text).
 *
 * conf/parse.c builds it; nothing changes it afterwards. Every object keeps the
 * line it was defined on (for the static checker's findings and for errors).
 * All references between objects are resolved into pointers by the parser:
 * a name that does not resolve is a configuration error, so users of the model
 * never see a dangling name. IPv4 addresses are uint32_t in host order; an
 * object that may also hold an IPv6 address says so with a v6 flag and keeps
 * it in a uint8_t[16] (network order) next to its IPv4 field, its prefix
 * length then counting 0..128.
 *
 * Lifetime: ik_config_ref / ik_config_unref. SAs hold a reference to the
 * snapshot they were negotiated under; a reload makes a new snapshot.
 *
 * Pre-shared keys (struct ik_key.secret, struct ik_ikev2_peer.psk*) live in a
 * per-snapshot secure arena: a few sodium_malloc'd blocks holding both the
 * struct ik_secret headers and the NUL-terminated key bytes. Readers use
 * secret->p and secret->len as for any ik_secret, but must never pass these
 * to ik_secret_free: ik_config_unref wipes and frees the whole arena (use
 * ik_secret_dup for a copy that outlives the snapshot).
 */
#ifndef IK_CONF_MODEL_H
#define IK_CONF_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/addr.h"
#include "util/secmem.h"

struct ik_resolver;      /* keyring/resolver.h: built once per snapshot */
struct ik_profile_index; /* profile/profile.h: built once per snapshot */
struct ik_hostkeys;      /* keyring/hostkeys.h: built once per snapshot */
struct ik_v2_index;      /* profile/v2_select.h: built once per snapshot */
struct ik_authz_list;    /* pki/authlist.h: built once per list and snapshot */

/* ---- IKEv1 policy ---- */
enum ik_encr { IK_ENCR_NONE = 0, IK_ENCR_DES, IK_ENCR_3DES, IK_ENCR_AES };
enum ik_hash { IK_HASH_NONE = 0, IK_HASH_MD5, IK_HASH_SHA1, IK_HASH_SHA256, IK_HASH_SHA384, IK_HASH_SHA512 };
enum ik_authm { IK_AUTH_NONE = 0, IK_AUTH_PSK, IK_AUTH_RSA_SIG, IK_AUTH_ECDSA_SIG };

struct ik_isakmp_policy {
	unsigned prio;          /* crypto isakmp policy N */
	enum ik_encr encr;      /* IOS default: des */
	unsigned keylen;        /* bits; AES 128/192/256, 0 for des/3des */
	enum ik_hash hash;      /* IOS default: sha */
	enum ik_authm auth;     /* IOS default: rsa-sig */
	unsigned group;         /* DH group number; IOS default 1 */
	uint32_t lifetime;      /* seconds; IOS default 86400 */
	int line;
};

/* ---- keys and keyrings (K rules) ---- */
enum ik_key_kind { IK_KEY_ADDRESS, IK_KEY_HOSTNAME };

struct ik_keyring;

struct ik_key {
	struct ik_keyring *ring;
	enum ik_key_kind kind;
	uint32_t addr;          /* IK_KEY_ADDRESS: network (addr & mask) */
	uint32_t mask;          /* omitted in the config = 255.255.255.255 */
	int plen;               /* prefix length of mask (0..128 for IPv6) */
	bool mask_given;        /* the config wrote a mask (for show running-config) */
	bool v6;                /* address ipv6 P: addr6/plen, addr and mask unused */
	uint8_t addr6[16];      /* network (masked) */
	char *hostname;         /* IK_KEY_HOSTNAME */
	struct ik_secret *secret; /* NUL-terminated text key, in secure memory */
	bool no_xauth;
	int line;
	unsigned order;         /* position among all keys of the file (0-based) */
	/* secret points into the snapshot's key arena: never ik_secret_free it */
};

struct ik_keyring {
	char *name;             /* "default" for the global crypto isakmp key lines */
	char *vrf;              /* front-door VRF; NULL = global */
	bool is_default;
	struct ik_key **keys;   /* in configuration order */
	size_t nkeys;
	char *local_address_if; /* local-address IFNAME, or NULL */
	uint32_t local_address; /* local-address A (or the interface's address), 0 = any */
	bool local_v6;          /* local-address is IPv6: local_address6 */
	uint8_t local_address6[16];
	int line;               /* 0 for the implicit default keyring */
	unsigned order;         /* position among keyrings; default keyring is 0 */
	char *description;      /* description TEXT, or NULL */
};

/* ---- PKI: trustpoints, their certificates, certificate maps ---- */
struct ik_pki_store;    /* pki/pki.h: trust anchors (and CRLs) of a trustpoint */
struct x509_st;         /* OpenSSL's X509 */
struct evp_pkey_st;     /* OpenSSL's EVP_PKEY */

enum ik_revocation { IK_REVOKE_UNSET = 0, IK_REVOKE_NONE, IK_REVOKE_CRL };

/* One certificate of a trustpoint, as configured. */
struct ik_tp_cert {
	uint8_t *der;
	size_t len;
	bool ca;                /* a trust anchor (certificate ca SERIAL, or a CA in a file) */
	bool self_signed;       /* certificate self-signed SERIAL: IOS's own, kept, not used */
	char *serial;           /* certificate [ca] SERIAL of a chain block; NULL from a file */
	int line;
};

/* crypto pki import NAME pem [FILE] [key KEYFILE] (Linux: PEM files). */
struct ik_tp_import {
	char *file;             /* certificates (and CRLs), or NULL */
	char *keyfile;          /* the router's private key, or NULL */
	int line;
};

struct ik_trustpoint {
	char *name;
	bool enrollment_terminal;
	bool enrollment_selfsigned; /* enrollment selfsigned: a key without a CA; the
				     * router's certificate is made from it at load */
	enum ik_revocation revocation;
	char *subject_name;     /* subject-name TEXT, or NULL */
	char *rsakeypair, *eckeypair;
	struct ik_tp_cert *certs; size_t ncerts; /* chain block certificates */
	struct ik_tp_import *imports; size_t nimports;
	bool has_chain;         /* a crypto pki certificate chain block names it */
	/* built by the parser from the above */
	struct ik_pki_store *store;     /* trust anchors and CRLs */
	struct x509_st *cert;           /* the router's certificate, or NULL */
	struct evp_pkey_st *key;        /* its private key, or NULL */
	bool cert_self_signed;          /* cert is self-signed (made or imported): a
					 * peer that asks for raw keys gets the key alone */
	bool has_issuer_hash;           /* the CA of store that issued cert is known: */
	uint8_t issuer_hash[20];        /* SHA-1 of its key, as an IKEv2 CERTREQ names it */
	size_t ncrls;
	int line;
	unsigned order;
};

/* crypto pki certificate map NAME SEQ: an entry matches a certificate when
 * every rule does; the map when one of its entries (by SEQ) does. field and
 * op are enum ik_pki_map_field and enum ik_pki_map_op of pki/pki.h. */
struct ik_certmap_rule {
	uint8_t field, op;
	char *value;
};

struct ik_certmap_entry {
	unsigned seq;
	struct ik_certmap_rule *rules;
	size_t nrules;
	int line;
};

struct ik_certmap {
	char *name;
	struct ik_certmap_entry *entries; /* sorted by seq after parsing */
	size_t nentries;
	int line;
};

/* ---- authorization lists by public-key hash ----
 *
 *   crypto isakmp authorization list NAME
 *    description TEXT
 *    peer address A|fqdn F|email E|dn "DN"|any key-hash sha256|sha1 HEX
 *    raw-public-key accept
 *
 * referenced by `authorization list NAME` in crypto isakmp profile and crypto
 * ikev2 profile blocks. The values of enum ik_authl_kind equal those of enum
 * ik_authz_kind (pki/authlist.h), and alg those of enum ik_pki_hash. */
enum ik_authl_kind {
	IK_AUTHL_ANY = 0, IK_AUTHL_ADDRESS, IK_AUTHL_FQDN, IK_AUTHL_EMAIL, IK_AUTHL_DN
};
enum ik_authl_alg { IK_AUTHL_SHA1 = 1, IK_AUTHL_SHA256 };

struct ik_authlist_peer {
	enum ik_authl_kind kind;
	struct ik_addr addr;    /* IK_AUTHL_ADDRESS: IPv4 or IPv6 */
	char *value;            /* FQDN, e-mail, or DN as written (without quotes) */
	enum ik_authl_alg alg;
	uint8_t hash[32];       /* 20 bytes for sha1, 32 for sha256 */
	int line;
};

struct ik_authlist {
	char *name;
	struct ik_authlist_peer *peers; size_t npeers; /* in configuration order */
	bool raw_keys;          /* raw-public-key accept: a bare key the list pins is
				 * accepted without a certificate authority */
	char *description;      /* description TEXT, or NULL */
	int line;
	unsigned order;         /* position among the lists */
	/* the lookup structure for ik_authz_check, built by ik_snapshot_index
	 * (NULL in a model loaded without indexes) */
	struct ik_authz_list *index;
};

/* ---- ISAKMP profiles (P rules) ---- */
enum ik_match_kind { IK_MATCH_ADDRESS, IK_MATCH_HOST, IK_MATCH_USER_FQDN, IK_MATCH_HOST_DOMAIN };

struct ik_identity_match {
	enum ik_match_kind kind;
	uint32_t addr, mask;    /* IK_MATCH_ADDRESS */
	int plen;
	bool mask_given;
	bool v6;                /* address ipv6 P: addr6/plen */
	uint8_t addr6[16];
	char *vrf;              /* address A M FVRF; NULL = global */
	char *name;             /* host H / user-fqdn U / host domain D */
	int line;
};

enum ik_self_id { IK_SELF_ID_DEFAULT = 0, IK_SELF_ID_ADDRESS, IK_SELF_ID_FQDN, IK_SELF_ID_USER_FQDN };

struct ik_isakmp_profile {
	char *name;
	struct ik_keyring **keyrings; /* keyring K lines, in order */
	size_t nkeyrings;
	struct ik_identity_match *matches;
	size_t nmatches;
	char *ivrf;             /* vrf IVRF */
	enum ik_self_id self_id;
	char *self_id_value;    /* for fqdn/user-fqdn forms with a value */
	char *local_address_if;
	uint32_t local_address;
	bool local_v6;          /* local-address is IPv6: local_address6 */
	uint8_t local_address6[16];
	bool initiate_aggressive;
	unsigned keepalive, keepalive_retry; /* 0 = not set */
	int line;
	unsigned order;
	char *description;      /* description TEXT, or NULL */
	struct ik_trustpoint **trustpoints; /* ca trust-point NAME lines, in order */
	size_t ntrustpoints;
	struct ik_certmap *cert_map;        /* match certificate MAP, or NULL */
	struct ik_authlist *authz; /* authorization list NAME, or NULL */
	int authz_line;
};

/* ---- IPsec ---- */
enum ik_esp_enc { IK_ESP_ENC_NONE = 0, IK_ESP_DES, IK_ESP_3DES, IK_ESP_AES, IK_ESP_GCM };
enum ik_esp_auth { IK_ESP_AUTH_NONE = 0, IK_ESP_MD5, IK_ESP_SHA1, IK_ESP_SHA256, IK_ESP_SHA384, IK_ESP_SHA512 };
enum ik_ipsec_mode { IK_MODE_TUNNEL = 0, IK_MODE_TRANSPORT };

struct ik_transform_set {
	char *name;
	enum ik_esp_enc enc;
	unsigned keylen;        /* AES/GCM bits; IOS default for esp-aes is 128 */
	enum ik_esp_auth auth;  /* NONE allowed with GCM */
	enum ik_ipsec_mode mode;
	bool mode_require;      /* mode transport require: no fallback to tunnel */
	int line;
};

struct ik_ikev2_profile;

struct ik_ipsec_profile {
	char *name;
	struct ik_transform_set **tsets;
	size_t ntsets;
	struct ik_isakmp_profile *isakmp_profile; /* set isakmp-profile, or NULL */
	struct ik_ikev2_profile *ikev2_profile;   /* set ikev2-profile, or NULL */
	unsigned pfs_group;     /* set pfs groupN (set pfs alone: group1); 0 = no PFS */
	uint32_t lifetime_sec;  /* 0 = global default (3600) */
	uint64_t lifetime_kb;   /* 0 = global default (4608000) */
	int line;
	char *description;      /* description TEXT, or NULL */
};

/* ---- IKEv2 ---- */
enum ik_id_type { IK_ID_NONE = 0, IK_ID_ADDRESS, IK_ID_FQDN, IK_ID_EMAIL, IK_ID_KEY_ID };

struct ik_ikev2_peer {
	char *name;
	bool has_addr;
	uint32_t addr, mask;
	int plen;
	bool v6;                /* address [ipv6] P: addr6/plen */
	uint8_t addr6[16];
	enum ik_id_type id_type;
	char *id_value;         /* address as text, fqdn, email, key-id */
	struct ik_secret *psk, *psk_local, *psk_remote; /* in the key arena */
	int line;
	bool mask_given;        /* address A M: the config wrote a mask */
	bool id_domain;         /* identity fqdn|email domain VALUE */
	char *hostname;         /* hostname H (initiator lookup by name), or NULL */
	char *description;      /* description TEXT, or NULL */
};

struct ik_ikev2_keyring {
	char *name;
	struct ik_ikev2_peer *peers;
	size_t npeers;
	int line;
};

struct ik_ikev2_proposal {
	char *name;
	/* each list holds IOS keywords as written (aes-cbc-256, sha256, 14, ...) */
	char **encr; size_t nencr;
	char **integ; size_t ninteg;
	char **prf; size_t nprf;
	char **group; size_t ngroup;
	int line;
};

struct ik_ikev2_policy {
	char *name;
	struct ik_ikev2_proposal **proposals;
	size_t nproposals;
	char **match_fvrf; size_t nmatch_fvrf; /* "any" allowed */
	uint32_t *match_local; size_t nmatch_local;
	int line;
};

struct ik_ikev2_match {
	enum ik_id_type type;   /* match identity remote address|fqdn|email|key-id */
	uint32_t addr, mask;
	int plen;
	bool v6;                /* address [ipv6] P: addr6/plen */
	uint8_t addr6[16];
	char *value;
	int line;
	bool mask_given;        /* address A M: the config wrote a mask */
	bool domain;            /* fqdn|email domain VALUE */
};

struct ik_ikev2_profile {
	char *name;
	struct ik_ikev2_match *matches;
	size_t nmatches;
	char *match_fvrf;       /* NULL = global, "any" = any */
	enum ik_id_type local_id_type;
	char *local_id_value;
	bool local_id_dn;       /* identity local dn: our certificate's subject */
	enum ik_authm auth_local, auth_remote;
	bool auth_local_digsig; /* authentication local rsa-sig|ecdsa-sig digital-signature:
				 * AUTH method 14 (RFC 7427) when the peer takes it */
	struct ik_ikev2_keyring *keyring;
	uint32_t lifetime;      /* 0 = default 86400 */
	unsigned dpd_interval, dpd_retry;
	bool dpd_periodic;
	uint32_t *match_local; size_t nmatch_local; /* match address local A */
	unsigned nat_keepalive; /* nat keepalive S; 0 = off */
	int line;
	unsigned order;         /* position among IKEv2 profiles */
	char *description;      /* description TEXT, or NULL */
	struct ik_trustpoint **trustpoints; /* pki trustpoint NAME lines, in order */
	size_t ntrustpoints;
	struct ik_certmap *cert_map;        /* match certificate MAP, or NULL */
	struct ik_authlist *authz; /* authorization list NAME, or NULL */
	int authz_line;
};

/* ---- interfaces, VRFs, routes ---- */
enum ik_tunnel_mode { IK_TUN_GRE_IP = 0, IK_TUN_IPSEC_IPV4, IK_TUN_GRE_IPV6, IK_TUN_IPSEC_IPV6 };

/* tunnel mode gre ipv6 and ipsec ipv6 carry the tunnel over IPv6. */
static inline bool ik_tunnel_mode_v6(enum ik_tunnel_mode m)
{
	return m == IK_TUN_GRE_IPV6 || m == IK_TUN_IPSEC_IPV6;
}

struct ik_interface {
	char *name;             /* as written: Tunnel1, Ethernet0/0, Loopback0 */
	uint32_t addr, mask;    /* ip address A M; 0/0 when none */
	bool has_addr6;         /* ipv6 address P/L (the first one written) */
	uint8_t addr6[16];
	int plen6;
	char *vrf;              /* vrf forwarding / ip vrf forwarding */
	char *description;
	bool shutdown;
	bool is_tunnel;
	unsigned tunnel_num;    /* N of TunnelN */
	char *tunnel_source_if; /* tunnel source IFNAME */
	uint32_t tunnel_source; /* tunnel source A, or resolved from the config's interface */
	bool tunnel_source_resolved; /* tunnel_source is known from the config */
	uint32_t tunnel_dest;
	bool tunnel_source_v6;  /* tunnel source is IPv6: tunnel_source6 */
	uint8_t tunnel_source6[16];
	bool tunnel_dest_v6;    /* tunnel destination is IPv6: tunnel_dest6 */
	uint8_t tunnel_dest6[16];
	enum ik_tunnel_mode tunnel_mode;
	char *tunnel_vrf;
	struct ik_ipsec_profile *protection; /* tunnel protection ipsec profile P */
	unsigned ip_mtu;        /* ip mtu N; 0 = the link's default */
	unsigned tcp_adjust_mss; /* ip tcp adjust-mss N; 0 = none */
	struct ik_cmap *crypto_map; /* crypto map NAME (IPv4 peers), or NULL */
	struct ik_cmap *crypto_map6; /* ipv6 crypto map NAME (IPv6 peers), or NULL */
	int line;
};

struct ik_route {
	char *vrf;
	uint32_t prefix, mask;
	struct ik_interface *out_if; /* when a configured interface is named */
	char *out_if_name;
	uint32_t nexthop;       /* 0 when only an interface */
	bool v6;                /* ipv6 route P/L ...: prefix6, plen6, nexthop6 */
	uint8_t prefix6[16];
	int plen6;
	bool has_nexthop6;
	uint8_t nexthop6[16];
	int line;
};

struct ik_vrf {
	char *name;
	int line;
	bool definition;        /* vrf definition NAME (else ip vrf NAME) */
	char *rd;               /* rd ASN:NN, or NULL */
	bool af_ipv4;           /* vrf definition: address-family ipv4 */
};

/* ---- access lists (conf/acl.h parses and matches their lines) ---- */
enum ik_ace_action { IK_ACE_PERMIT = 0, IK_ACE_DENY, IK_ACE_REMARK };
enum ik_port_op { IK_PORT_ANY = 0, IK_PORT_EQ, IK_PORT_NEQ, IK_PORT_LT, IK_PORT_GT,
	IK_PORT_RANGE };

/* One side of an access-list line: an address and a wildcard (bits set =
 * any value), both of one family; `any` is the all-ones wildcard, `host A`
 * the zero one. Kept as struct ik_addr so that IPv6 lists fit. */
struct ik_ace_addr {
	struct ik_addr addr;    /* addr & ~wild */
	struct ik_addr wild;
	enum { IK_ACE_WILD = 0, IK_ACE_ANY, IK_ACE_HOST } form; /* as written */
};

struct ik_ace_ports {
	enum ik_port_op op;
	uint16_t lo, hi;        /* EQ/NEQ/LT/GT: lo; RANGE: lo..hi */
};

struct ik_ace {
	enum ik_ace_action action;
	uint8_t proto;          /* IP protocol; 0 = ip (any) */
	struct ik_ace_addr src, dst;
	struct ik_ace_ports sport, dport;
	bool log;               /* log or log-input: kept for show running-config */
	unsigned seq;           /* IOS sequence number (10, 20, ... unless written) */
	char *remark;           /* IK_ACE_REMARK: the text */
	int line;
};

struct ik_acl {
	char *name;             /* "VPN-TRAFFIC", or the number "101" */
	bool numbered;          /* access-list N lines: printed as such */
	bool ipv6;              /* ipv6 access-list NAME: IPv6 lines */
	struct ik_ace *aces;    /* in sequence order, remarks included */
	size_t naces;
	int line;
};

/* ---- crypto maps ---- */
struct ik_cmap;

/* crypto map NAME SEQ ipsec-isakmp [dynamic DYN], or crypto dynamic-map
 * NAME SEQ: one entry of a map. Names that do not resolve to an access
 * list stay as text (IOS accepts them; ikerd -t reports them). */
struct ik_cmap_entry {
	struct ik_cmap *map;
	unsigned seq;
	char *dynamic_name;             /* ipsec-isakmp dynamic DYN, or NULL */
	struct ik_cmap *dynamic;        /* DYN resolved */
	struct ik_addr *peers;          /* set peer lines: the failover order */
	size_t npeers;
	bool peer_default;              /* the first peer is written `set peer A default`:
					 * each new attempt starts again from it */
	char *acl_name;                 /* match address NAME, or NULL */
	struct ik_acl *acl;             /* resolved, or NULL */
	struct ik_transform_set **tsets;
	size_t ntsets;
	unsigned pfs_group;             /* 0 = no PFS */
	uint32_t lifetime_sec;          /* 0 = global default */
	uint64_t lifetime_kb;           /* 0 = global default */
	struct ik_isakmp_profile *isakmp_profile;
	struct ik_ikev2_profile *ikev2_profile;
	bool reverse_route, reverse_route_static;
	bool per_host;                  /* set security-association level per-host */
	char *description;
	int line;
	/* Filled after the last line: the entry's number among all entries of
	 * the file (for kernel request ids), and its settings in the form Quick
	 * Mode uses for an IPsec profile (name "crypto map NAME SEQ"). */
	unsigned id;
	struct ik_ipsec_profile ipsec;
};

struct ik_cmap {
	char *name;
	bool is_dynamic;                /* crypto dynamic-map */
	struct ik_cmap_entry **entries; /* sorted by seq */
	size_t nentries;
	char *local_address_if;         /* crypto map NAME local-address IF */
	int line;                       /* first line naming the map */
};

/* ---- the snapshot ---- */
struct ik_config {
	unsigned refs;
	char *file;             /* path it was read from (or "<string>") */
	char *hostname;         /* default "Router" */

	struct ik_isakmp_policy *policies; size_t npolicies; /* sorted by prio */
	enum ik_self_id isakmp_identity; /* crypto isakmp identity; default address */
	unsigned keepalive, keepalive_retry; /* crypto isakmp keepalive S [R]; 0 = off */
	bool keepalive_periodic;
	unsigned nat_keepalive; /* crypto isakmp nat keepalive S; 0 = off */
	/* crypto call admission limit ike in-negotiation-sa N (IKEv1) and crypto
	 * ikev2 limit max-in-negotiation-sa N; 0 = not set */
	unsigned max_in_negotiation, v2_max_in_negotiation;
	bool aggressive_mode_disable; /* crypto isakmp aggressive-mode disable */

	/* keyrings[0] is always the default keyring (crypto isakmp key ...),
	 * possibly with no keys; the others follow in configuration order. */
	struct ik_keyring **keyrings; size_t nkeyrings;
	struct ik_key **keys; size_t nkeys; /* every key, in file order */

	struct ik_isakmp_profile **profiles; size_t nprofiles;
	struct ik_transform_set **tsets; size_t ntsets;
	struct ik_ipsec_profile **ipsec_profiles; size_t nipsec_profiles;

	struct ik_ikev2_keyring **v2_keyrings; size_t nv2_keyrings;
	struct ik_ikev2_proposal **v2_proposals; size_t nv2_proposals;
	struct ik_ikev2_policy **v2_policies; size_t nv2_policies;
	struct ik_ikev2_profile **v2_profiles; size_t nv2_profiles;
	unsigned v2_cookie_challenge; /* crypto ikev2 cookie-challenge N; 0 = off */
	/* crypto ikev2 fragmentation [mtu N]: IKEv2 messages larger than the MTU
	 * (IP packet size, IOS default 576) go as RFC 7383 fragments when the
	 * peer supports them; 0 = off */
	unsigned v2_frag_mtu;

	struct ik_trustpoint **trustpoints; size_t ntrustpoints;
	struct ik_certmap **certmaps; size_t ncertmaps;
	/* the isakmp profiles with a match certificate line, in configuration
	 * order: what a responder tries a peer's certificate against */
	struct ik_isakmp_profile **certmap_profiles; size_t ncertmap_profiles;
	/* IKEv2 profiles with match certificate, in configuration order */
	struct ik_ikev2_profile **v2_certmap_profiles; size_t nv2_certmap_profiles;
	struct ik_authlist **authlists; size_t nauthlists; /* in configuration order */

	struct ik_interface **ifaces; size_t nifaces;
	struct ik_route *routes; size_t nroutes;
	struct ik_vrf *vrfs; size_t nvrfs;

	struct ik_acl **acls; size_t nacls;     /* in configuration order */
	struct ik_cmap **cmaps; size_t ncmaps;  /* crypto maps and dynamic maps */
	/* Every map entry by its id (struct ik_cmap_entry.id). */
	struct ik_cmap_entry **cmap_entries; size_t ncmap_entries;
	/* The interfaces with a crypto map (crypto map or ipv6 crypto map), in
	 * configuration order. */
	struct ik_interface **cmap_ifaces; size_t ncmap_ifaces;
	/* The interfaces with an IPv4 address, by address then configuration
	 * order (ik_config_iface_by_addr); ifaces_indexed once it is built. */
	struct ik_interface **ifaces_by_addr; size_t nifaces_by_addr;
	bool ifaces_indexed;

	/* Indexes built on top of the model by the layers above it, once per
	 * snapshot: profile/snapshot.h loads a file and builds them. The model
	 * layer knows them only through index_free, which ik_config_unref calls
	 * before freeing the model. */
	struct ik_resolver *resolver;
	struct ik_profile_index *pindex;
	struct ik_tunnel_index *tindex;
	struct ik_hostkeys *hostkeys;
	struct ik_v2_index *v2index;      /* profile/v2_select.h */
	void (*index_free)(struct ik_config *cfg);

	/* Lines read and ignored (router commands that ikerd does not use), for
	 * ikerd -t and the log. */
	struct ik_conf_warning *warnings; size_t nwarnings;

	/* crypto ipsec security-association lifetime seconds|kilobytes: the
	 * defaults for IPsec profiles that set none (IOS: 3600 s, 4608000 KB). */
	uint32_t sa_lifetime_sec;
	uint64_t sa_lifetime_kb;

	/* Global crypto commands of real configurations (ikerd.conf(5) says
	 * which ones ikerd honours; the others are kept for show
	 * running-config and warned about). */
	bool invalid_spi_recovery;    /* crypto isakmp invalid-spi-recovery */
	bool isakmp_fragmentation;    /* crypto isakmp fragmentation */
	enum ik_df_bit { IK_DF_COPY = 0, IK_DF_CLEAR, IK_DF_SET } df_bit; /* crypto ipsec df-bit */
	unsigned replay_window;       /* ... replay window-size N; 0 = default (64) */
	bool replay_disable;          /* ... replay disable */
	unsigned sa_idle_time;        /* ... idle-time N (seconds); 0 = none */
	bool logging_session;         /* crypto logging session */

	/* Private to src/conf: the key arena, name tables, allocation slabs. */
	struct ik_conf_store *store;
};

struct ik_conf_warning {
	int line;
	char msg[256];
};

/* Errors of one file reported in one run; the file is rejected as a whole. */
#define IK_CONF_MAX_ERRORS 50
/* crypto ikev2 fragmentation mtu: IOS's range and default */
#define IK_V2_FRAG_MTU_MIN 68
#define IK_V2_FRAG_MTU_MAX 1500
#define IK_V2_FRAG_MTU_DEFAULT 576

/* The errors after the first: as the first, with shorter texts. */
struct ik_conf_error_more {
	int line, col;
	bool incomplete;
	char text[256];
	char msg[256];
};

/* A parse error: where and why. The fields name the first error of the
 * file; more[] the next ones (up to IK_CONF_MAX_ERRORS in all), and
 * nerrors counts every error found. */
struct ik_conf_error {
	char file[256];
	int line, col;          /* 1-based; col points at the offending token */
	char text[512];         /* the offending line as written (a key on it
				 * is replaced by '*' characters) */
	char msg[512];          /* what is wrong */
	bool incomplete;        /* the command stops short: "% Incomplete command." */
	unsigned nerrors;       /* every error found (0 or 1: only the one above) */
	unsigned nmore;
	struct ik_conf_error_more more[IK_CONF_MAX_ERRORS - 1];
};

/* Bounds of what the loader accepts (errors beyond them, never a crash). */
#define IK_CONF_MAX_LINE 4096                 /* bytes per line, CR/LF excluded */
#define IK_CONF_MAX_FILE (16u * 1024 * 1024)  /* bytes of a file (load_file) */
#define IK_CONF_MAX_KEYS 4000000u             /* pre-shared keys per snapshot */
#define IK_CONF_MAX_WARNINGS 1000             /* recorded; then one summary */

/* Parses an IOS configuration into a model with one reference (no indexes:
 * use ik_snapshot_load_* of profile/snapshot.h for a snapshot ready for
 * lookups). On error returns NULL and fills *err. Nothing is half-applied:
 * the caller keeps its old snapshot. */
struct ik_config *ik_config_load_file(const char *path, struct ik_conf_error *err);
struct ik_config *ik_config_load_string(const char *text, const char *name, struct ik_conf_error *err);

/* Formats an error the IOS way:
 *   FILE:LINE:COL: MSG
 *     <the line>
 *     <spaces>^
 *   % Invalid input detected at '^' marker.      (or the message's own % line)
 * Errors about the file as a whole (cannot open, too large) have line 0 and
 * print as "FILE: MSG"; errors about a whole line (too long) have col 0 and
 * print as "FILE:LINE: MSG". */
void ik_conf_error_format(const struct ik_conf_error *err, char *buf, size_t len);
/* Every error, each formatted as above, then "FILE: N errors; ..." when
 * there is more than one. */
struct ik_sb;
void ik_conf_error_format_all(const struct ik_conf_error *err, struct ik_sb *out);

struct ik_config *ik_config_ref(struct ik_config *cfg);
void ik_config_unref(struct ik_config *cfg);

/* Lookups by name (NULL if absent). */
struct ik_isakmp_profile *ik_config_find_profile(const struct ik_config *cfg, const char *name);
struct ik_keyring *ik_config_find_keyring(const struct ik_config *cfg, const char *name);
struct ik_ipsec_profile *ik_config_find_ipsec_profile(const struct ik_config *cfg, const char *name);
struct ik_interface *ik_config_find_iface(const struct ik_config *cfg, const char *name);
struct ik_authlist *ik_config_find_authlist(const struct ik_config *cfg, const char *name);
struct ik_acl *ik_config_find_acl(const struct ik_config *cfg, const char *name);
/* dynamic false: crypto map NAME; true: crypto dynamic-map NAME */
struct ik_cmap *ik_config_find_cmap(const struct ik_config *cfg, const char *name, bool dynamic);
/* Interface names as IOS reads them: the type is matched without regard to
 * case, and with abbrev also by an unambiguous prefix (Gi0/0 is
 * GigabitEthernet0/0, tu1 is Tunnel1), except a prefix written in lower case
 * as Linux starts its own device names (ik_iface_name_linux: eth0, tun0,
 * eth0.100 are the host's devices, Eth0 is Ethernet0). ik_iftype_lookup
 * returns how many types s[0..len) names (1 with *type set when it is one),
 * and ik_iface_name_canon the name with the type spelled out (a copy of s
 * when it is not TYPE followed by a number, or the type is unknown or
 * ambiguous, or the name is Linux's). The lookups by name accept every
 * spelling. */
int ik_iftype_lookup(const char *s, size_t len, bool abbrev, const char **type);
bool ik_iface_name_linux(const char *s);
char *ik_iface_name_canon(const char *s, bool abbrev);
/* The configured interface whose ip address equals a (the first in the file
 * when several have it), or NULL: O(log n) in a parsed model. */
struct ik_interface *ik_config_iface_by_addr(const struct ik_config *cfg, uint32_t a);
/* Builds that index (the parser does, once the file is read). */
void ik_config_index_ifaces(struct ik_config *cfg);

/* show running-config: the model printed back as IOS text (keys included),
 * parseable by ik_config_load_string into an equal model. */
struct ik_sb;
void ik_config_print(const struct ik_config *cfg, struct ik_sb *out);

/* An authorization list entry as its configuration line, without the
 * indentation: "peer fqdn r1.example.com key-hash sha256 6ab9..." (also the
 * form ikerctl key-hash prints). Returns buf. */
char *ik_authlist_peer_text(const struct ik_authlist_peer *p, char *buf, size_t len);
const char *ik_authlist_id_kw(enum ik_authl_kind k); /* "address", "fqdn", ..., "any" */

/* Names used in show output and traces. */
const char *ik_encr_name(enum ik_encr e);   /* "des", "3des", "aes" */
const char *ik_hash_name(enum ik_hash h);   /* "md5", "sha", "sha256", ... */

#endif
