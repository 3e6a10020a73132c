/* One answer from the show output of several workers (see show_merge.h). */
#include "daemon/show_merge.h"

#include <stdbool.h>
#include <string.h>

static size_t line_count(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (*s == '\n')
			n++;
	return n;
}

/* Offset of the start of line i (0-based) of s. */
static size_t line_off(const char *s, size_t i)
{
	const char *p = s;

	while (i && *p) {
		if (*p++ == '\n')
			i--;
	}
	return (size_t)(p - s);
}

static bool line_eq(const char *a, size_t ia, const char *b, size_t ib)
{
	const char *pa = a + line_off(a, ia), *pb = b + line_off(b, ib);
	size_t la = strcspn(pa, "\n"), lb = strcspn(pb, "\n");

	return la == lb && !memcmp(pa, pb, la);
}

/* Every part ends with a newline here. */
static void merge_lines(const struct ik_sb *parts, unsigned n, struct ik_sb *out)
{
	const char *s0 = ik_sb_str(&parts[0]);
	size_t head = line_count(s0), tail;

	for (unsigned k = 1; k < n; k++) {
		const char *s = ik_sb_str(&parts[k]);
		size_t lc = line_count(s), h = 0;

		while (h < head && h < lc && line_eq(s0, h, s, h))
			h++;
		head = h;
	}
	tail = line_count(s0) - head;
	for (unsigned k = 1; k < n; k++) {
		const char *s = ik_sb_str(&parts[k]);
		size_t lc0 = line_count(s0), lc = line_count(s), t = 0;

		while (t < tail && t < lc - head && line_eq(s0, lc0 - 1 - t, s, lc - 1 - t))
			t++;
		tail = t;
	}
	ik_sb_addn(out, s0, line_off(s0, head));
	for (unsigned k = 0; k < n; k++) {
		const char *s = ik_sb_str(&parts[k]);
		size_t lc = line_count(s);

		ik_sb_addn(out, s + line_off(s, head), line_off(s, lc - tail) - line_off(s, head));
	}
	ik_sb_add(out, s0 + line_off(s0, line_count(s0) - tail));
}

/* JSON: arrays are concatenated; documents of the form {"K":[...]} with the
 * same K are merged into one array; anything else is wrapped as
 * {"workers":[doc,...]}. */
/* Index of the bracket that closes the one at open (strings skipped), or
 * (size_t)-1. */
static size_t json_close(const char *s, size_t open)
{
	unsigned depth = 0;
	bool str = false;

	for (size_t i = open; s[i]; i++) {
		char c = s[i];

		if (str) {
			if (c == '\\' && s[i + 1])
				i++;
			else if (c == '"')
				str = false;
			continue;
		}
		if (c == '"')
			str = true;
		else if (c == '[' || c == '{')
			depth++;
		else if ((c == ']' || c == '}') && --depth == 0)
			return i;
	}
	return (size_t)-1;
}

static bool json_single_array(const char *s, char *key, size_t keylen, size_t *b, size_t *e)
{
	const char *p = s, *q;
	size_t len = strlen(s);

	while (len && (s[len - 1] == '\n' || s[len - 1] == ' '))
		len--;
	if (len < 6 || p[0] != '{' || p[1] != '"' || s[len - 1] != '}' || s[len - 2] != ']')
		return false;
	q = strchr(p + 2, '"');
	if (!q || (size_t)(q - p - 2) >= keylen || q[1] != ':' || q[2] != '[')
		return false;
	memcpy(key, p + 2, (size_t)(q - p - 2));
	key[q - p - 2] = '\0';
	*b = (size_t)(q + 3 - s);
	*e = len - 2;
	/* the array must be the object's only member: its closing bracket is
	 * the one before the final brace */
	return json_close(s, *b - 1) == *e;
}

/* A document that is an array: the offsets of what is between its brackets. */
static bool json_array(const char *s, size_t *b, size_t *e)
{
	size_t len = strlen(s), i = 0;

	while (len && (s[len - 1] == '\n' || s[len - 1] == ' '))
		len--;
	while (i < len && (s[i] == ' ' || s[i] == '\n'))
		i++;
	if (len - i < 2 || s[i] != '[' || s[len - 1] != ']')
		return false;
	if (json_close(s, i) != len - 1)
		return false;
	*b = i + 1;
	*e = len - 1;
	while (*b < *e && (s[*b] == ' ' || s[*b] == '\n'))
		(*b)++;
	return true;
}

void ikd_merge_json(const struct ik_sb *parts, unsigned n, struct ik_sb *out)
{
	char key0[64], key[64];
	size_t b, e;
	bool arrays = true, same;

	if (n == 1) {
		ik_sb_add(out, ik_sb_str(&parts[0]));
		return;
	}

	for (unsigned k = 0; arrays && k < n; k++)
		arrays = json_array(ik_sb_str(&parts[k]), &b, &e);
	if (arrays) {
		bool first = true;

		ik_sb_add(out, "[");
		for (unsigned k = 0; k < n; k++) {
			const char *s = ik_sb_str(&parts[k]);

			json_array(s, &b, &e);
			if (e == b)
				continue;
			ik_sb_add(out, first ? "" : ",");
			ik_sb_addn(out, s + b, e - b);
			first = false;
		}
		ik_sb_add(out, "]\n");
		return;
	}
	same = json_single_array(ik_sb_str(&parts[0]), key0, sizeof(key0), &b, &e);

	for (unsigned k = 1; same && k < n; k++)
		same = json_single_array(ik_sb_str(&parts[k]), key, sizeof(key), &b, &e) &&
		       !strcmp(key, key0);
	if (!same) {
		ik_sb_add(out, "{\"workers\":[");
		for (unsigned k = 0; k < n; k++) {
			const char *s = ik_sb_str(&parts[k]);
			size_t len = strlen(s);

			while (len && s[len - 1] == '\n')
				len--;
			ik_sb_add(out, k ? "," : "");
			ik_sb_addn(out, s, len);
		}
		ik_sb_add(out, "]}\n");
		return;
	}
	ik_sb_add(out, "{");
	ik_sb_json_str(out, key0);
	ik_sb_add(out, ":[");
	bool first = true;
	for (unsigned k = 0; k < n; k++) {
		const char *s = ik_sb_str(&parts[k]);

		json_single_array(s, key, sizeof(key), &b, &e);
		if (e == b)
			continue;
		ik_sb_add(out, first ? "" : ",");
		ik_sb_addn(out, s + b, e - b);
		first = false;
	}
	ik_sb_add(out, "]}\n");
}


void ikd_merge_text(const struct ik_sb *parts, unsigned n, struct ik_sb *out)
{
	struct ik_sb norm[16];

	memset(norm, 0, sizeof(norm));
	if (n == 1 || n > 16) {
		for (unsigned k = 0; k < n; k++)
			ik_sb_add(out, ik_sb_str(&parts[k]));
		return;
	}
	/* a last line without its newline gets one, so that lines compare */
	for (unsigned k = 0; k < n; k++) {
		ik_sb_init(&norm[k]);
		ik_sb_add(&norm[k], ik_sb_str(&parts[k]));
		if (norm[k].len && norm[k].s[norm[k].len - 1] != '\n')
			ik_sb_add(&norm[k], "\n");
	}
	merge_lines(norm, n, out);
	for (unsigned k = 0; k < n; k++)
		ik_sb_free(&norm[k]);
}

/* ---- show crypto isakmp stats ---- */

void ikd_stats_add(struct ikd_stats *sum, const struct ikd_stats *p)
{
	sum->sas_up += p->sas_up;
	sum->half_open += p->half_open;
	sum->child_sas += p->child_sas;
	sum->half_open_refused += p->half_open_refused;
	sum->half_open_evicted += p->half_open_evicted;
	sum->retransmits += p->retransmits;
	sum->rx += p->rx;
	sum->rx_dropped += p->rx_dropped;
	sum->rx_overflow += p->rx_overflow;
	sum->rx_engine_dropped += p->rx_engine_dropped;
}

void ikd_stats_format(const struct ikd_stats *s, bool json, struct ik_sb *out)
{
	if (json) {
		ik_sb_printf(out, "{\"isakmp_stats\":{\"sas_up\":%llu,\"half_open\":%llu,"
			     "\"half_open_refused\":%llu,\"half_open_evicted\":%llu,"
			     "\"ipsec_sa_pairs\":%llu,\"retransmissions\":%llu,"
			     "\"datagrams_received\":%llu,\"datagrams_dropped\":%llu,"
			     "\"dropped_socket_overflow\":%llu,\"dropped_malformed\":%llu,"
			     "\"dropped_no_sa\":%llu,\"secure_memory_in_use\":%llu,"
			     "\"secure_memory_held\":%llu,\"secure_memory_chunks\":%llu}}\n",
			     (unsigned long long)s->sas_up, (unsigned long long)s->half_open,
			     (unsigned long long)s->half_open_refused,
			     (unsigned long long)s->half_open_evicted,
			     (unsigned long long)s->child_sas, (unsigned long long)s->retransmits,
			     (unsigned long long)s->rx,
			     (unsigned long long)(s->rx_dropped + s->rx_overflow +
						  s->rx_engine_dropped),
			     (unsigned long long)s->rx_overflow, (unsigned long long)s->rx_dropped,
			     (unsigned long long)s->rx_engine_dropped,
			     (unsigned long long)s->secmem_in_use,
			     (unsigned long long)s->secmem_held,
			     (unsigned long long)s->secmem_chunks);
		return;
	}
	ik_sb_printf(out, "IKE SAs up:                      %llu\n"
		     "IKE SAs in negotiation:          %llu\n"
		     "  new ones refused (limits):     %llu\n"
		     "  evicted (half-open limit):     %llu\n"
		     "IPsec SA pairs:                  %llu\n"
		     "Retransmissions:                 %llu\n"
		     "Datagrams received:              %llu\n"
		     "Datagrams dropped:               %llu\n"
		     "  socket receive buffer full:    %llu\n"
		     "  malformed (NAT-T marker):      %llu\n"
		     "  refused, or no SA:             %llu\n"
		     "Secure memory in use:            %llu bytes\n"
		     "  held:                          %llu bytes (%llu pool chunks)\n",
		     (unsigned long long)s->sas_up, (unsigned long long)s->half_open,
		     (unsigned long long)s->half_open_refused,
		     (unsigned long long)s->half_open_evicted, (unsigned long long)s->child_sas,
		     (unsigned long long)s->retransmits, (unsigned long long)s->rx,
		     (unsigned long long)(s->rx_dropped + s->rx_overflow + s->rx_engine_dropped),
		     (unsigned long long)s->rx_overflow, (unsigned long long)s->rx_dropped,
		     (unsigned long long)s->rx_engine_dropped, (unsigned long long)s->secmem_in_use,
		     (unsigned long long)s->secmem_held, (unsigned long long)s->secmem_chunks);
}
