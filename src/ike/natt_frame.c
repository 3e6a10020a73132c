/* Framing of datagrams on the IKE ports (see natt_frame.h). Validate first:
 * every length is checked against what was received before a byte is read. */
#include "ike/natt_frame.h"

#include <string.h>

#include "util/util.h"

/* An ESP header is an SPI and a sequence number. */
#define ESP_HDR_LEN 8

enum ik_natt_kind ik_natt_frame_parse(const uint8_t *dgram, size_t len, uint16_t local_port,
				      struct ik_natt_frame *f)
{
	memset(f, 0, sizeof(*f));
	if (local_port != IK_NATT_PORT) {
		/* port 500: the datagram is the message; the engine checks its header */
		f->ike = dgram;
		f->ike_len = len;
		return f->kind = IK_NATT_IKE;
	}
	if (len == 1 && dgram[0] == 0xff)
		return f->kind = IK_NATT_KEEPALIVE;
	if (len < IK_NATT_MARKER_LEN) {
		f->why = "shorter than the non-ESP marker";
		return f->kind = IK_NATT_SHORT;
	}
	if (ik_get32(dgram) != 0) {
		if (len < ESP_HDR_LEN) {
			f->why = "not a non-ESP marker and shorter than an ESP header";
			return f->kind = IK_NATT_SHORT;
		}
		f->spi = ik_get32(dgram);
		f->why = "ESP-in-UDP (no kernel SA took it)";
		return f->kind = IK_NATT_ESP;
	}
	f->ike = dgram + IK_NATT_MARKER_LEN;
	f->ike_len = len - IK_NATT_MARKER_LEN;
	return f->kind = IK_NATT_IKE;
}

const char *ik_natt_kind_name(enum ik_natt_kind k)
{
	switch (k) {
	case IK_NATT_IKE:
		return "IKE";
	case IK_NATT_KEEPALIVE:
		return "keepalive";
	case IK_NATT_ESP:
		return "ESP";
	case IK_NATT_SHORT:
		return "short";
	}
	return "?";
}
