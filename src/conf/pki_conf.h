/* The PKI commands of the configuration (crypto pki trustpoint, certificate
 * chain, import, certificate map): what conf/parse.c calls to fill a
 * trustpoint, check it, free and print the PKI part of a snapshot. Errors
 * come back as text for the caller to put after file:line. */
#ifndef IK_CONF_PKI_CONF_H
#define IK_CONF_PKI_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/model.h"
#include "util/strbuf.h"

/* A certificate of a chain block (DER from the hex lines): a trust anchor
 * when ca, else the router's certificate. */
int ik_conf_pki_chain_cert(struct ik_trustpoint *tp, const uint8_t *der, size_t len, bool ca,
			   char *err, size_t errlen);
/* Reads an import line's files (relative paths from cfgfile's folder): CA
 * certificates become trust anchors, the end-entity certificate the
 * router's, CRLs are loaded; the key file must be a regular file of root
 * (or of the user running ikerd) that no one else may read. */
int ik_conf_pki_import(const char *cfgfile, struct ik_trustpoint *tp,
		       const struct ik_tp_import *im, char *err, size_t errlen);
/* After the last line: key and certificate agree, a CRL is there when
 * revocation-check crl asks for one; with enrollment selfsigned, a key and
 * no certificate, the self-signed certificate is made (subject-name, else
 * cn=hostname). */
int ik_conf_pki_check(struct ik_trustpoint *tp, const char *hostname, char *err,
		      size_t errlen);
void ik_conf_pki_free(struct ik_config *cfg);
/* The PKI commands as show running-config prints them. */
void ik_conf_pki_print(const struct ik_config *cfg, struct ik_sb *out);
const char *ik_conf_certmap_field_kw(unsigned f);
const char *ik_conf_certmap_op_kw(unsigned op);

#endif
