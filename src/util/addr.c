#include "util/addr.h"

#include <stdio.h>

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
