/* A growable text buffer for show output, traces and messages. */
#ifndef IK_UTIL_STRBUF_H
#define IK_UTIL_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct ik_sb {
	char *s;      /* always NUL-terminated once anything was added */
	size_t len;
	size_t cap;
	int oom;      /* set when an allocation failed; further writes are dropped */
};

void ik_sb_init(struct ik_sb *sb);
void ik_sb_free(struct ik_sb *sb);
void ik_sb_reset(struct ik_sb *sb);
void ik_sb_add(struct ik_sb *sb, const char *s);
void ik_sb_addn(struct ik_sb *sb, const char *s, size_t n);
void ik_sb_printf(struct ik_sb *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ik_sb_vprintf(struct ik_sb *sb, const char *fmt, va_list ap);
/* Appends s as a JSON string literal, quotes included. NULL gives null. */
void ik_sb_json_str(struct ik_sb *sb, const char *s);
const char *ik_sb_str(const struct ik_sb *sb); /* "" when empty */

#endif
