/* UDP encapsulation on the IKE ports (RFC 3948): what a datagram received on
 * port 500 or 4500 carries, before the engine sees it. On 4500 an IKE
 * message follows a 4-byte non-ESP marker (zero), a single 0xff byte is a
 * NAT keepalive, and anything else is ESP-in-UDP (a non-zero SPI first) that
 * reached the IKE socket because the kernel had no SA for it. */
#ifndef IK_IKE_NATT_FRAME_H
#define IK_IKE_NATT_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define IK_NATT_PORT 4500
#define IK_NATT_MARKER_LEN 4

enum ik_natt_kind {
	IK_NATT_IKE = 1,        /* ike/ike_len: an IKE message for the engine */
	IK_NATT_KEEPALIVE,      /* 1-byte NAT keepalive: nothing to do */
	IK_NATT_ESP,            /* ESP-in-UDP on the IKE socket: dropped */
	IK_NATT_SHORT,          /* too short to be any of these: dropped */
};

struct ik_natt_frame {
	enum ik_natt_kind kind;
	const uint8_t *ike;     /* IK_NATT_IKE: the message, inside the datagram */
	size_t ike_len;
	uint32_t spi;           /* IK_NATT_ESP: the SPI the datagram names */
	const char *why;        /* IK_NATT_SHORT / IK_NATT_ESP: for the drop trace */
};

/* Classifies a datagram of len bytes received on local_port (500 or 4500).
 * Returns f->kind; f->ike points into dgram, never past len. What follows a
 * marker, and a datagram on 500, goes to the engine as it is: its header
 * check reports a malformed message in IOS's words. */
enum ik_natt_kind ik_natt_frame_parse(const uint8_t *dgram, size_t len, uint16_t local_port,
				      struct ik_natt_frame *f);

/* "IKE", "keepalive", "ESP" or "short" */
const char *ik_natt_kind_name(enum ik_natt_kind k);

#endif
