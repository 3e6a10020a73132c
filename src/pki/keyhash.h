/* ikerctl key-hash: the authorization list lines (conf/model.h) that pin the
 * public key of a certificate or key file, in exactly the form the
 * configuration takes and show running-config prints, to be copied into a
 * `crypto isakmp authorization list` block. */
#ifndef IK_PKI_KEYHASH_H
#define IK_PKI_KEYHASH_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/model.h"
#include "util/strbuf.h"

/* Bytes of a certificate or key file read at most. */
#define IK_KEYHASH_MAX_FILE 65536

/* Appends to out, one per line, "peer IDENTITY key-hash ALG HEX" for the key
 * of the file at path (a certificate, public key or private key; PEM or DER):
 * with id given, for that identity only (its kind and value; hash and line
 * are ignored); else for each identity of a certificate (its subject as a
 * dn, then its subjectAltNames: DNS names as fqdn, e-mail addresses, IPv4 and
 * IPv6 addresses), or `peer any` for a key that names no identity (*anyp
 * then true). Returns how many lines, or -1 with the reason in err. */
int ik_keyhash_lines(const char *path, enum ik_authl_alg alg, const struct ik_authlist_peer *id,
		     struct ik_sb *out, bool *anyp, char *err, size_t errlen);

#endif
