/* Traffic selector helpers: IPv4 masks and IPv4/IPv6 prefixes and ranges. */
#include <stdio.h>
#include <string.h>

#include "ipsec/child.h"
#include "util/strbuf.h"

uint32_t ik_sel_mask4(uint8_t plen)
{
	return ik_plen_mask(plen);
}

/* The number of leading bits lo and hi share. */
static int range_common(const struct ik_addr *lo, const struct ik_addr *hi)
{
	if (lo->family != IK_AF_INET6) {
		uint32_t diff = lo->v4 ^ hi->v4;
		int n = 0;

		while (n < 32 && !(diff & (0x80000000u >> n)))
			n++;
		return n;
	}
	for (int i = 0; i < 16; i++) {
		uint8_t d = lo->v6[i] ^ hi->v6[i];

		if (d) {
			int n = i * 8;

			while (!(d & 0x80)) {
				d <<= 1;
				n++;
			}
			return n;
		}
	}
	return 128;
}

struct ik_addr ik_prefix_last(const struct ik_addr *net, int plen)
{
	struct ik_addr x = *net;

	if (x.family != IK_AF_INET6) {
		x.v4 = net->v4 | ~ik_plen_mask(plen);
		return x;
	}
	for (int i = 0; i < 16; i++) {
		int keep = plen - i * 8;

		if (keep <= 0)
			x.v6[i] = 0xff;
		else if (keep < 8)
			x.v6[i] |= (uint8_t)(0xffu >> keep);
	}
	return x;
}

static struct ik_addr prefix_first(const struct ik_addr *a, int plen)
{
	struct ik_addr x = *a;

	if (x.family != IK_AF_INET6)
		x.v4 &= ik_plen_mask(plen);
	else
		ik_addr6_mask(x.v6, plen);
	return x;
}

int ik_range_cover(const struct ik_addr *lo, const struct ik_addr *hi, struct ik_addr *net)
{
	int plen = range_common(lo, hi);

	*net = prefix_first(lo, plen);
	return plen;
}

int ik_range_prefix(const struct ik_addr *lo, const struct ik_addr *hi, struct ik_addr *net)
{
	struct ik_addr first, last;
	int plen;

	if (lo->family != hi->family)
		return -1;
	plen = range_common(lo, hi);
	first = prefix_first(lo, plen);
	last = ik_prefix_last(&first, plen);
	if (!ik_addr_eq(&first, lo) || !ik_addr_eq(&last, hi))
		return -1;
	*net = first;
	return plen;
}

char *ik_sel_fmt(const struct ik_selector *s, char *buf, size_t n)
{
	char a[IK_ADDR_ANYSTRLEN], b[IK_ADDR_ANYSTRLEN];

	snprintf(buf, n, "%s/%d->%s/%d proto %u", ik_addr_fmt_any(&s->src, a), s->src_plen,
		 ik_addr_fmt_any(&s->dst, b), s->dst_plen, s->proto);
	return buf;
}

void ik_sel_flow_line(struct ik_sb *out, const struct ik_selector *s)
{
	char x[IK_ADDR_ANYSTRLEN], y[IK_ADDR_ANYSTRLEN];

	if (s->proto == 47)
		ik_sb_printf(out, "  IPSEC FLOW: permit 47 host %s host %s\n",
			     ik_addr_fmt_ios(&s->src, x), ik_addr_fmt_ios(&s->dst, y));
	else if (s->src.family == IK_AF_INET6)
		ik_sb_printf(out, "  IPSEC FLOW: permit ipv6 %s/%u %s/%u\n",
			     ik_addr_fmt_ios(&s->src, x), s->src_plen,
			     ik_addr_fmt_ios(&s->dst, y), s->dst_plen);
	else
		ik_sb_add(out, "  IPSEC FLOW: permit ip 0.0.0.0/0.0.0.0 0.0.0.0/0.0.0.0\n");
}
