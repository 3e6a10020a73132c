/* IPv4 addresses, masks and prefixes. Addresses are uint32_t in host order. */
#ifndef IK_UTIL_ADDR_H
#define IK_UTIL_ADDR_H

#include <stdbool.h>
#include <stdint.h>

#define IK_ADDRSTRLEN 16

/* Dotted quad, strict (four decimal parts 0..255). 0 on success, -1 else. */
int ik_addr_parse(const char *s, uint32_t *out);
/* Writes the dotted quad into buf (IK_ADDRSTRLEN bytes) and returns buf. */
char *ik_addr_fmt(uint32_t a, char *buf);
/* Mask -> prefix length; -1 when the mask is not contiguous. */
int ik_mask_plen(uint32_t mask);
uint32_t ik_plen_mask(int plen);
static inline bool ik_addr_in(uint32_t a, uint32_t net, uint32_t mask)
{
	return (a & mask) == (net & mask);
}

#endif
