#include "util/addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

bool ik_addr_eq(const struct ik_addr *a, const struct ik_addr *b)
{
	if (a->family != b->family)
		return false;
	return a->family == IK_AF_INET6 ? !memcmp(a->v6, b->v6, 16) : a->v4 == b->v4;
}

int ik_addr_parse_any(const char *s, struct ik_addr *out)
{
	struct ik_addr a;

	memset(&a, 0, sizeof(a));
	if (ik_addr_parse(s, &a.v4) == 0) {
		a.family = IK_AF_INET4;
	} else if (inet_pton(AF_INET6, s, a.v6) == 1) {
		a.family = IK_AF_INET6;
	} else {
		return -1;
	}
	*out = a;
	return 0;
}

char *ik_addr_fmt_any(const struct ik_addr *a, char *buf)
{
	if (a->family == IK_AF_INET6) {
		if (!inet_ntop(AF_INET6, a->v6, buf, IK_ADDR_ANYSTRLEN))
			snprintf(buf, IK_ADDR_ANYSTRLEN, "?");
		return buf;
	}
	return ik_addr_fmt(a->v4, buf);
}

size_t ik_addr_key(const struct ik_addr *a, uint8_t key[IK_ADDR_KEYLEN])
{
	key[0] = a->family;
	if (a->family == IK_AF_INET6) {
		memcpy(key + 1, a->v6, 16);
		return 17;
	}
	key[1] = (uint8_t)(a->v4 >> 24);
	key[2] = (uint8_t)(a->v4 >> 16);
	key[3] = (uint8_t)(a->v4 >> 8);
	key[4] = (uint8_t)a->v4;
	return 5;
}

bool ik_addr_is_any(const struct ik_addr *a)
{
	static const uint8_t zero[16];

	return a->family == IK_AF_INET6 ? !memcmp(a->v6, zero, 16) : !a->v4;
}

uint32_t ik_addr_shard(const struct ik_addr *a)
{
	if (a->family != IK_AF_INET6)
		return a->v4;
	return (uint32_t)a->v6[12] << 24 | (uint32_t)a->v6[13] << 16 |
	       (uint32_t)a->v6[14] << 8 | a->v6[15];
}

int ik_addr_parse(const char *s, uint32_t *out)
{
	uint32_t a = 0;

	for (int part = 0; part < 4; part++) {
		unsigned v = 0;
		int digits = 0;

		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (unsigned)(*s - '0');
			if (++digits > 3 || v > 255)
				return -1;
			s++;
		}
		if (!digits)
			return -1;
		a = (a << 8) | v;
		if (part < 3) {
			if (*s != '.')
				return -1;
			s++;
		}
	}
	if (*s)
		return -1;
	*out = a;
	return 0;
}

char *ik_addr_fmt(uint32_t a, char *buf)
{
	snprintf(buf, IK_ADDRSTRLEN, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff,
		 (a >> 8) & 0xff, a & 0xff);
	return buf;
}

int ik_mask_plen(uint32_t mask)
{
	int plen = 0;

	while (plen < 32 && (mask & (0x80000000u >> plen)))
		plen++;
	if (plen < 32 && (mask << plen))
		return -1;
	return plen;
}

uint32_t ik_plen_mask(int plen)
{
	if (plen <= 0)
		return 0;
	if (plen >= 32)
		return 0xffffffffu;
	return ~(0xffffffffu >> plen);
}

void ik_addr6_mask(uint8_t a[16], int plen)
{
	if (plen < 0)
		plen = 0;
	for (int i = 0; i < 16; i++) {
		int bits = plen - 8 * i;

		if (bits >= 8)
			continue;
		a[i] &= bits <= 0 ? 0 : (uint8_t)(0xff00u >> bits);
	}
}

bool ik_addr6_in(const uint8_t a[16], const uint8_t net[16], int plen)
{
	uint8_t x[16], y[16];

	memcpy(x, a, 16);
	memcpy(y, net, 16);
	ik_addr6_mask(x, plen);
	ik_addr6_mask(y, plen);
	return !memcmp(x, y, 16);
}

int ik_addr6_parse(const char *s, uint8_t out[16])
{
	uint8_t a[16];

	/* inet_pton also takes an embedded dotted quad (::ffff:192.0.2.1) */
	if (!strchr(s, ':') || inet_pton(AF_INET6, s, a) != 1)
		return -1;
	memcpy(out, a, 16);
	return 0;
}

int ik_prefix6_parse(const char *s, uint8_t out[16], int *plen, int *plen_opt)
{
	char buf[IK_ADDR_ANYSTRLEN];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	int len = 0;

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (ik_addr6_parse(buf, out))
		return -1;
	if (!slash) {
		if (!plen_opt)
			return -1;
		*plen_opt = 1;
		*plen = 128;
		return 0;
	}
	if (!slash[1] || strlen(slash + 1) > 3)
		return -1;
	for (const char *p = slash + 1; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		len = len * 10 + (*p - '0');
	}
	if (len > 128 || (slash[1] == '0' && slash[2]))
		return -1;
	*plen = len;
	if (plen_opt)
		*plen_opt = 0;
	return 0;
}

char *ik_addr6_fmt_ios(const uint8_t a[16], char *buf)
{
	if (!inet_ntop(AF_INET6, a, buf, IK_ADDR_ANYSTRLEN)) {
		snprintf(buf, IK_ADDR_ANYSTRLEN, "?");
		return buf;
	}
	for (char *p = buf; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	return buf;
}

char *ik_addr_fmt_ios(const struct ik_addr *a, char *buf)
{
	if (a->family == IK_AF_INET6)
		return ik_addr6_fmt_ios(a->v6, buf);
	return ik_addr_fmt(a->v4, buf);
}

char *ik_prefix6_fmt_ios(const uint8_t a[16], int plen, char *buf)
{
	char t[IK_ADDR_ANYSTRLEN];

	snprintf(buf, IK_PREFIX6STRLEN, "%s/%d", ik_addr6_fmt_ios(a, t), plen);
	return buf;
}
