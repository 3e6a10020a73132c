/* Small helpers shared by every folder. */
#ifndef IK_UTIL_UTIL_H
#define IK_UTIL_UTIL_H

#include <stddef.h>
#include <string.h>
#include <stdint.h>

#define IK_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* malloc/calloc/realloc/strdup that abort on failure with a message:
 * used only where running out of memory leaves nothing sensible to do
 * (configuration building at start-up); the data path checks instead. */
void *ik_xmalloc(size_t n);
void *ik_xcalloc(size_t n, size_t size);
void *ik_xrealloc(void *p, size_t n);
char *ik_xstrdup(const char *s);

/* Grows a (ptr, count, cap) array by one slot; returns the new slot (zeroed). */
#define IK_VEC_PUSH(ptr, n, cap)                                               \
	(((n) == (cap) ? ((cap) = (cap) ? (cap) * 2 : 4,                        \
			  (ptr) = ik_xrealloc((ptr), (cap) * sizeof(*(ptr)))) \
		       : 0),                                                    \
	 memset(&(ptr)[(n)], 0, sizeof(*(ptr))), &(ptr)[(n)++])

/* Writes all n bytes to fd, retrying short writes and EINTR. Returns 0, or -1
 * with errno set (a write of 0 bytes counts as an error). */
int ik_write_all(int fd, const void *p, size_t n);

uint16_t ik_get16(const uint8_t *p);
uint32_t ik_get32(const uint8_t *p);
void ik_put16(uint8_t *p, uint16_t v);
void ik_put32(uint8_t *p, uint32_t v);

/* FNV-1a over len bytes folded to lower case (ASCII), continuing from h
 * (IK_FNV_INIT to start): for the sorted name tables built from the
 * configuration (keys, profiles, identities). */
#define IK_FNV_INIT 2166136261u
uint32_t ik_fnv_nocase(uint32_t h, const void *d, size_t len);

/* Lower-case hex of len bytes into out (2*len+1 bytes). */
void ik_hex(const uint8_t *in, size_t len, char *out);

/* Peer-supplied text made safe for a log line or a show: len bytes of in
 * copied into out (outlen bytes, always NUL-terminated), every byte outside
 * printable ASCII (0x20..0x7e) written as \xHH and the backslash as \\, so
 * that a peer can neither start a new log line nor send terminal escapes.
 * Output that does not fit ends in "...". IK_ESCAPED_LEN(n) bytes always hold
 * n bytes escaped. Returns out. */
#define IK_ESCAPED_LEN(n) (4 * (n) + 1)
const char *ik_str_escape(const void *in, size_t len, char *out, size_t outlen);

#endif
