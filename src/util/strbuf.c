#include "util/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ik_sb_init(struct ik_sb *sb)
{
	memset(sb, 0, sizeof(*sb));
}

void ik_sb_free(struct ik_sb *sb)
{
	free(sb->s);
	memset(sb, 0, sizeof(*sb));
}

void ik_sb_reset(struct ik_sb *sb)
{
	sb->len = 0;
	if (sb->s)
		sb->s[0] = '\0';
}

static int sb_reserve(struct ik_sb *sb, size_t more)
{
	size_t need;
	char *n;

	if (sb->oom)
		return -1;
	need = sb->len + more + 1;
	if (need <= sb->cap)
		return 0;
	size_t cap = sb->cap ? sb->cap : 256;
	while (cap < need)
		cap *= 2;
	n = realloc(sb->s, cap);
	if (!n) {
		sb->oom = 1;
		return -1;
	}
	sb->s = n;
	sb->cap = cap;
	return 0;
}

void ik_sb_addn(struct ik_sb *sb, const char *s, size_t n)
{
	if (sb_reserve(sb, n))
		return;
	memcpy(sb->s + sb->len, s, n);
	sb->len += n;
	sb->s[sb->len] = '\0';
}

void ik_sb_add(struct ik_sb *sb, const char *s)
{
	ik_sb_addn(sb, s, strlen(s));
}

void ik_sb_vprintf(struct ik_sb *sb, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0 || sb_reserve(sb, (size_t)n))
		return;
	vsnprintf(sb->s + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void ik_sb_printf(struct ik_sb *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ik_sb_vprintf(sb, fmt, ap);
	va_end(ap);
}

void ik_sb_json_str(struct ik_sb *sb, const char *s)
{
	if (!s) {
		ik_sb_add(sb, "null");
		return;
	}
	ik_sb_add(sb, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			ik_sb_printf(sb, "\\%c", c);
		else if (c == '\n')
			ik_sb_add(sb, "\\n");
		else if (c == '\t')
			ik_sb_add(sb, "\\t");
		else if (c < 0x20)
			ik_sb_printf(sb, "\\u%04x", c);
		else
			ik_sb_addn(sb, (const char *)&c, 1);
	}
	ik_sb_add(sb, "\"");
}

const char *ik_sb_str(const struct ik_sb *sb)
{
	return sb->s ? sb->s : "";
}
