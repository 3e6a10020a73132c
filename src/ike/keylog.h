/* Decryption keys in the formats Wireshark reads, for an engineer who
 * captured a failing exchange: the ISAKMP dissector's IKEv1 decryption table
 * (user table ikev1_decryption_table: initiator cookie, encryption key) and
 * the ESP dissector's SA table (user table esp_sa: protocol, source,
 * destination, SPI, encryption algorithm and key, authentication algorithm
 * and key). One line is one table row, as Wireshark writes the file itself.
 * These are secrets: whoever reads them can read and forge the traffic. */
#ifndef IK_IKE_KEYLOG_H
#define IK_IKE_KEYLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipsec/child.h"
#include "util/strbuf.h"

struct ik_engine;

/* A row of ikev1_decryption_table: icookie-hex,key-hex and a newline;
 * in JSON an object (without separator). */
void ik_keylog_ikev1(struct ik_sb *out, const uint8_t cky_i[8], const uint8_t *key,
		     size_t len, bool json);

/* The esp_sa row of one direction of a child SA (inbound: the peer's
 * traffic to us); 0, or -1 when its algorithm has no Wireshark name. */
int ik_keylog_esp(struct ik_sb *out, const struct ik_child_sa *c, bool inbound, bool json);

/* The rows of every ISAKMP SA with keys and every child SA of the engine,
 * into the two tables. */
void ik_engine_keys(struct ik_engine *e, struct ik_sb *ikev1, struct ik_sb *esp, bool json);

#endif
