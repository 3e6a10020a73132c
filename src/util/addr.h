/* IPv4 addresses, masks and prefixes (uint32_t in host order), and struct
 * ik_addr, an IPv4 or IPv6 address. */
#ifndef IK_UTIL_ADDR_H
#define IK_UTIL_ADDR_H

#include <stdbool.h>
#include <stddef.h>
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

/* An IPv4 or IPv6 address. */
/* IK_AF_INET4 is 0 so that a zeroed address (and endpoint) is IPv4. */
enum ik_af { IK_AF_INET4 = 0, IK_AF_INET6 = 6 };
struct ik_addr {
	uint8_t family;         /* enum ik_af */
	union {
		uint32_t v4;    /* host order */
		uint8_t v6[16]; /* network order */
	};
};

#define IK_ADDR_ANYSTRLEN 46 /* INET6_ADDRSTRLEN */
#define IK_ADDR_KEYLEN 17    /* ik_addr_key: family, then 4 or 16 bytes */

static inline struct ik_addr ik_addr_v4(uint32_t a)
{
	struct ik_addr x = { .family = IK_AF_INET4 };

	x.v4 = a;
	return x;
}
bool ik_addr_eq(const struct ik_addr *a, const struct ik_addr *b);
/* 0.0.0.0 or :: (an address not known). */
bool ik_addr_is_any(const struct ik_addr *a);
/* IPv4 dotted quad or IPv6 (RFC 4291 text forms). 0, or -1 when neither. */
int ik_addr_parse_any(const char *s, struct ik_addr *out);
/* Text form (RFC 5952 for IPv6) into buf (IK_ADDR_ANYSTRLEN bytes). */
char *ik_addr_fmt_any(const struct ik_addr *a, char *buf);
/* A canonical byte string of the address for hashing and comparing:
 * returns its length (5 or 17). */
size_t ik_addr_key(const struct ik_addr *a, uint8_t key[IK_ADDR_KEYLEN]);

/* 32 bits of an address that spread peers over workers: the IPv4 address,
 * or the last four bytes of an IPv6 address (where hosts differ), read in
 * network order as the workers' socket filter reads them. */
uint32_t ik_addr_shard(const struct ik_addr *a);

/* IPv6 prefixes: 16 bytes in network order and a length 0..128. */
#define IK_PREFIX6STRLEN 50 /* address, '/', up to 3 digits */

/* Clears the bits of a past plen. */
void ik_addr6_mask(uint8_t a[16], int plen);
/* a lies in net/plen. */
bool ik_addr6_in(const uint8_t a[16], const uint8_t net[16], int plen);
/* IPv6 text only (no IPv4): 0, or -1. */
int ik_addr6_parse(const char *s, uint8_t out[16]);
/* "ADDR/LEN" (LEN 0..128); with plen_opt non-NULL a bare ADDR is also
 * accepted, with *plen_opt = 1 then (and 0 when a length was written).
 * The address is returned unmasked. 0, or -1 when s is not that. */
int ik_prefix6_parse(const char *s, uint8_t out[16], int *plen, int *plen_opt);
/* IPv6 as IOS prints it: RFC 5952 compression, hexadecimal digits in upper
 * case (2001:DB8::1). IPv4 as a dotted quad. buf: IK_ADDR_ANYSTRLEN bytes. */
char *ik_addr_fmt_ios(const struct ik_addr *a, char *buf);
char *ik_addr6_fmt_ios(const uint8_t a[16], char *buf);
/* "2001:DB8::/32" into buf (IK_PREFIX6STRLEN bytes). */
char *ik_prefix6_fmt_ios(const uint8_t a[16], int plen, char *buf);

#endif
