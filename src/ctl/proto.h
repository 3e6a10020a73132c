/* The control protocol between ikerctl and ikerd, over a UNIX stream socket.
 *
 * Every message is a frame: a 4-byte big-endian length, then that many bytes
 * of payload.
 *   request payload: one flags byte (IK_CTL_F_JSON), then the command text
 *                    (printable ASCII and tabs, no NUL, at least one byte);
 *   answer payload:  one status byte (enum ik_ctl_status), then the text.
 * A request is at most IK_CTL_MAX_REQ bytes of payload; a longer length is
 * refused before anything is read. After an IK_CTL_MONITOR answer (terminal
 * monitor) the daemon keeps sending IK_CTL_MONITOR frames, one log line each,
 * until the client disconnects.
 */
#ifndef IK_CTL_PROTO_H
#define IK_CTL_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/strbuf.h"

#define IK_CTL_HDR 4u
#define IK_CTL_MAX_REQ 65536u            /* request payload bound */
#define IK_CTL_MAX_ANSWER (64u << 20)     /* answer payload bound (client side) */
#define IK_CTL_F_JSON 0x01u

enum ik_ctl_status {
	IK_CTL_OK = 0,          /* the command ran */
	IK_CTL_ERROR = 1,       /* the command was refused or failed */
	IK_CTL_MONITOR = 2,     /* streaming log lines follow */
};

struct ik_ctl_request {
	bool json;
	char text[IK_CTL_MAX_REQ];  /* NUL-terminated command text */
	size_t len;
};

/* Looks at the first have bytes of a stream. Returns 0 when more bytes are
 * needed, the total frame size (header included) when a whole frame is there,
 * or -1 when the announced length is over max (err says both sizes). */
long ik_ctl_frame_check(const uint8_t *buf, size_t have, size_t max, char *err, size_t errlen);

/* Decodes a request payload (the bytes after the length). Returns 0, or -1
 * with the reason in err: empty payload, unknown flags, NUL or control bytes
 * (with their offset). */
int ik_ctl_request_decode(const uint8_t *p, size_t len, struct ik_ctl_request *req,
			  char *err, size_t errlen);

/* Appends a whole frame to out. */
void ik_ctl_request_encode(struct ik_sb *out, bool json, const char *text);
void ik_ctl_answer_encode(struct ik_sb *out, enum ik_ctl_status st, const char *text, size_t len);

#endif
