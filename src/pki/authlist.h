/* The authorization list: which public key each peer identity may present,
 * by the hash of its SubjectPublicKeyInfo (SHA-1 or SHA-256), as the NMSP
 * controller's AuthList pins a peer's key hash to its identity. A peer whose
 * certificate validates but whose key is not on the list for its identity is
 * refused: "Peer Not Validated against the AuthList".
 *
 * Lookups go through an array sorted by the hash of the identity: one binary
 * search per check, whatever the size of the list. */
#ifndef IK_PKI_AUTHLIST_H
#define IK_PKI_AUTHLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pki/pki.h"
#include "util/addr.h"
#include "util/log.h"

enum ik_authz_kind {
	IK_AUTHZ_ANY = 0,       /* any identity */
	IK_AUTHZ_ADDRESS,       /* IPv4 or IPv6 address */
	IK_AUTHZ_FQDN,
	IK_AUTHZ_EMAIL,
	IK_AUTHZ_DN,            /* the subject as ik_pki_name_text prints it */
};

/* An identity, as configured or as a peer presents it. */
struct ik_authz_id {
	enum ik_authz_kind kind;
	struct ik_addr addr;    /* IK_AUTHZ_ADDRESS */
	const char *value;      /* FQDN, e-mail, DN text */
};

struct ik_authz_entry {
	struct ik_authz_id id;
	enum ik_pki_hash alg;
	uint8_t hash[32];
	int line;
};

struct ik_authz_list;

/* Builds a list from n entries (copied). raw_keys: a peer may present a bare
 * public key (no CA) that the list pins. NULL when memory runs out. */
struct ik_authz_list *ik_authz_build(const char *name, const struct ik_authz_entry *e, size_t n,
				     bool raw_keys);
void ik_authz_free(struct ik_authz_list *l);
const char *ik_authz_name(const struct ik_authz_list *l);
bool ik_authz_raw_keys(const struct ik_authz_list *l);

enum ik_authz_result {
	IK_AUTHZ_OK = 0,
	IK_AUTHZ_NO_ENTRY,      /* the identity is not on the list */
	IK_AUTHZ_KEY_MISMATCH,  /* it is, with other keys */
};

/* Whether identity id may present key pk: an entry for id (or for any
 * identity) whose hash equals the key's. Logs under debug crypto isakmp aaa
 * "Peer Validated against the AuthList" or "Peer Not Validated against the
 * AuthList" with the identity and the key's hash, and on refusal the message
 * %CRYPTO-4-IKMP_AUTHLIST_FAIL naming peer (its address, for the log). */
enum ik_authz_result ik_authz_check(const struct ik_authz_list *l, const struct ik_authz_id *id,
				    EVP_PKEY *pk, const char *peer, const struct ik_log *log);

/* The list of a configured authorization list (conf/model.h), or NULL when
 * memory runs out. */
struct ik_authlist;
struct ik_authz_list *ik_authz_build_conf(const struct ik_authlist *conf);

/* "address 192.0.2.1", "fqdn r1.example.com", "any", ... into buf. */
const char *ik_authz_id_text(const struct ik_authz_id *id, char *buf, size_t len);

#endif
