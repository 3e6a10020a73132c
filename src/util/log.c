#include "util/log.h"
#include "util/addr.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/util.h"

/* The last defence against a forged log line: a control byte other than the
 * tab of IOS traces that reached a formatted line (peer data formatted
 * without ik_str_escape) is written as \xHH, so one call is one line. */
static void log_scrub(char *line, size_t cap)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[1024];
	size_t o = 0, i = strlen(line);

	while (i && line[i - 1] == '\n') /* a message ending in a newline */
		line[--i] = '\0';
	for (i = 0; line[i]; i++)
		if (((uint8_t)line[i] < 0x20 && line[i] != '\t') || line[i] == 0x7f)
			break;
	if (!line[i])
		return;
	for (i = 0; line[i] && o + 5 < sizeof(tmp) && o + 5 < cap; i++) {
		uint8_t c = (uint8_t)line[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			tmp[o++] = '\\';
			tmp[o++] = 'x';
			tmp[o++] = digits[c >> 4];
			tmp[o++] = digits[c & 15];
		} else {
			tmp[o++] = (char)c;
		}
	}
	tmp[o] = '\0';
	memcpy(line, tmp, o + 1);
}

bool ik_log_on(const struct ik_log *lg, unsigned cat)
{
	return lg && lg->sink && (lg->debug_mask & cat) &&
	       (!lg->cond || !lg->cond->n || lg->cond->pass);
}

static unsigned cond_hash(uint32_t addr)
{
	return (unsigned)((addr * 2654435761u) >> 26) & (IK_DBG_COND_SLOTS - 1);
}

/* The slot holding addr, or the empty slot where it would go; -1 if neither
 * (the table is never full: at most half of it is used). */
static int cond_slot(const struct ik_dbg_cond *c, uint32_t addr)
{
	unsigned h = cond_hash(addr);

	for (unsigned i = 0; i < IK_DBG_COND_SLOTS; i++) {
		unsigned k = (h + i) & (IK_DBG_COND_SLOTS - 1);

		if (c->slot[k] == addr || c->slot[k] == 0)
			return (int)k;
	}
	return -1;
}

bool ik_dbg_cond_has(const struct ik_dbg_cond *c, uint32_t addr)
{
	int k;

	if (!c || !addr)
		return false;
	k = cond_slot(c, addr);
	return k >= 0 && c->slot[k] == addr;
}

int ik_dbg_cond_add(struct ik_dbg_cond *c, uint32_t addr)
{
	int k;

	if (!addr)
		return -1;
	k = cond_slot(c, addr);
	if (k < 0)
		return -1;
	if (c->slot[k] == addr)
		return 0;
	if (c->n >= IK_DBG_COND_MAX)
		return -1;
	c->slot[k] = addr;
	c->n++;
	c->pass = c->cur && ik_dbg_cond_has(c, c->cur);
	return 0;
}

int ik_dbg_cond_del(struct ik_dbg_cond *c, uint32_t addr)
{
	uint32_t keep[IK_DBG_COND_MAX];
	unsigned n = 0;

	if (!ik_dbg_cond_has(c, addr))
		return -1;
	/* rebuild without addr: linear probing leaves no holes behind */
	for (unsigned i = 0; i < IK_DBG_COND_SLOTS; i++)
		if (c->slot[i] && c->slot[i] != addr && n < IK_DBG_COND_MAX)
			keep[n++] = c->slot[i];
	memset(c->slot, 0, sizeof(c->slot));
	c->n = c->n6;
	for (unsigned i = 0; i < n; i++)
		ik_dbg_cond_add(c, keep[i]);
	c->pass = c->cur && ik_dbg_cond_has(c, c->cur);
	return 0;
}

bool ik_dbg_cond_has6(const struct ik_dbg_cond *c, const uint8_t a[16])
{
	for (unsigned i = 0; c && i < c->n6; i++)
		if (!memcmp(c->v6[i], a, 16))
			return true;
	return false;
}

int ik_dbg_cond_add6(struct ik_dbg_cond *c, const uint8_t a[16])
{
	if (ik_dbg_cond_has6(c, a))
		return 0;
	if (c->n >= IK_DBG_COND_MAX)
		return -1;
	memcpy(c->v6[c->n6++], a, 16);
	c->n++;
	return 0;
}

int ik_dbg_cond_del6(struct ik_dbg_cond *c, const uint8_t a[16])
{
	for (unsigned i = 0; i < c->n6; i++)
		if (!memcmp(c->v6[i], a, 16)) {
			memmove(c->v6[i], c->v6[i + 1], (size_t)(c->n6 - i - 1) * 16);
			c->n6--;
			c->n--;
			return 0;
		}
	return -1;
}

void ik_dbg_cond_clear(struct ik_dbg_cond *c)
{
	memset(c->slot, 0, sizeof(c->slot));
	c->n6 = 0;
	c->n = 0;
	c->pass = false;
}

void ik_log_scope(const struct ik_log *lg, uint32_t peer)
{
	struct ik_dbg_cond *c = lg ? lg->cond : NULL;

	if (!c)
		return;
	c->cur = peer;
	c->pass = c->n && ik_dbg_cond_has(c, peer);
}

void ik_log_scope_addr(const struct ik_log *lg, const struct ik_addr *peer)
{
	struct ik_dbg_cond *c = lg ? lg->cond : NULL;

	if (peer->family != IK_AF_INET6) {
		ik_log_scope(lg, peer->v4);
		return;
	}
	if (!c)
		return;
	c->cur = 0;
	c->pass = c->n6 && ik_dbg_cond_has6(c, peer->v6);
}

void ik_vdbg(const struct ik_log *lg, unsigned cat, const char *fmt, va_list ap)
{
	char line[1024];

	if (!ik_log_on(lg, cat))
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	log_scrub(line, sizeof(line));
	lg->sink(lg->ctx, cat, IK_LOG_DEBUG, line);
}

void ik_dbg(const struct ik_log *lg, unsigned cat, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ik_vdbg(lg, cat, fmt, ap);
	va_end(ap);
}

void ik_msg(const struct ik_log *lg, int sev, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!lg || !lg->sink)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_scrub(line, sizeof(line));
	lg->sink(lg->ctx, 0, sev, line);
}

static const struct {
	const char *name;
	unsigned cat;
} cat_names[] = {
	{ "isakmp", IK_DBG_ISAKMP },
	{ "ipsec", IK_DBG_IPSEC },
	{ "isakmp aaa", IK_DBG_ISAKMP_AAA },
	{ "isakmp-aaa", IK_DBG_ISAKMP_AAA },
	{ "isakmp detail", IK_DBG_ISAKMP_DETAIL },
	{ "isakmp-detail", IK_DBG_ISAKMP_DETAIL },
	{ "ikev2", IK_DBG_IKEV2 },
	{ "pki transactions", IK_DBG_PKI_TRANS },
	{ "pki-transactions", IK_DBG_PKI_TRANS },
	{ "pki messages", IK_DBG_PKI_MSG },
	{ "pki-messages", IK_DBG_PKI_MSG },
};

unsigned ik_dbg_cat_parse(const char *name)
{
	for (size_t i = 0; i < IK_ARRAY_LEN(cat_names); i++)
		if (!strcasecmp(name, cat_names[i].name))
			return cat_names[i].cat;
	return 0;
}

const char *ik_dbg_cat_name(unsigned cat)
{
	for (size_t i = 0; i < IK_ARRAY_LEN(cat_names); i++)
		if (cat_names[i].cat == cat)
			return cat_names[i].name;
	return "?";
}

void ik_log_capture_sink(void *ctx, unsigned cat, int sev, const char *line)
{
	struct ik_log_capture *c = ctx;

	(void)sev;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->lines = ik_xrealloc(c->lines, c->cap * sizeof(*c->lines));
		c->cats = ik_xrealloc(c->cats, c->cap * sizeof(*c->cats));
	}
	c->lines[c->n] = ik_xstrdup(line);
	c->cats[c->n] = cat;
	c->n++;
}

void ik_log_capture_clear(struct ik_log_capture *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->lines[i]);
	free(c->lines);
	free(c->cats);
	memset(c, 0, sizeof(*c));
}

long ik_log_capture_find(const struct ik_log_capture *c, size_t from, const char *needle)
{
	for (size_t i = from; i < c->n; i++)
		if (strstr(c->lines[i], needle))
			return (long)i;
	return -1;
}
