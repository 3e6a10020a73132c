/* Framing of control requests and answers (see proto.h). */
#include "ctl/proto.h"

#include <stdio.h>
#include <string.h>

#include "util/util.h"

long ik_ctl_frame_check(const uint8_t *buf, size_t have, size_t max, char *err, size_t errlen)
{
	uint32_t len;

	if (have < IK_CTL_HDR)
		return 0;
	len = ik_get32(buf);
	if (len > max) {
		snprintf(err, errlen, "frame length %u over the limit of %zu bytes", len, max);
		return -1;
	}
	if (have - IK_CTL_HDR < len)
		return 0;
	return (long)(IK_CTL_HDR + len);
}

int ik_ctl_request_decode(const uint8_t *p, size_t len, struct ik_ctl_request *req,
			  char *err, size_t errlen)
{
	if (len < 2) {
		snprintf(err, errlen, "request of %zu bytes: need a flags byte and a command", len);
		return -1;
	}
	if (len - 1 >= sizeof(req->text)) {
		snprintf(err, errlen, "command of %zu bytes over the limit of %zu", len - 1,
			 sizeof(req->text) - 1);
		return -1;
	}
	if (p[0] & ~IK_CTL_F_JSON) {
		snprintf(err, errlen, "unknown request flags 0x%02x", p[0]);
		return -1;
	}
	for (size_t i = 1; i < len; i++) {
		if ((p[i] < 0x20 && p[i] != '\t') || p[i] > 0x7e) {
			snprintf(err, errlen, "byte 0x%02x at offset %zu of the command is not "
				 "printable text", p[i], i - 1);
			return -1;
		}
	}
	req->json = p[0] & IK_CTL_F_JSON;
	memcpy(req->text, p + 1, len - 1);
	req->text[len - 1] = '\0';
	req->len = len - 1;
	return 0;
}

static void frame_begin(struct ik_sb *out, size_t len, uint8_t first)
{
	uint8_t hdr[IK_CTL_HDR + 1];

	ik_put32(hdr, (uint32_t)(len + 1));
	hdr[IK_CTL_HDR] = first;
	ik_sb_addn(out, (const char *)hdr, sizeof(hdr));
}

void ik_ctl_request_encode(struct ik_sb *out, bool json, const char *text)
{
	size_t n = strlen(text);

	frame_begin(out, n, json ? IK_CTL_F_JSON : 0);
	ik_sb_addn(out, text, n);
}

void ik_ctl_answer_encode(struct ik_sb *out, enum ik_ctl_status st, const char *text, size_t len)
{
	frame_begin(out, len, (uint8_t)st);
	ik_sb_addn(out, text, len);
}
