/* Fuzz target of the access-list line parser (conf/acl.c): the bytes are
 * split into words and parsed as one line, by the IPv4 and by the IPv6
 * line parser; a line that parses is printed,
 * the print must parse again into the same line, and the matching and
 * proxy-identity functions run on it (ASan/UBSan check the rest). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/acl.h"
#include "util/strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_WORDS 64

static int split(char *s, const char **w)
{
	int n = 0;

	for (char *t = strtok(s, " \t\n"); t && n < MAX_WORDS; t = strtok(NULL, " \t\n"))
		w[n++] = t;
	return n;
}

/* One parser (IPv4 or IPv6 lines) on the words of text: a line that parses
 * prints, and the print parses into the same line. */
static void one(int (*parse)(const char *const *, int, struct ik_ace *, int *, char *, size_t),
		const char *text)
{
	char buf[1024], again[1100], msg[200];
	const char *w[MAX_WORDS];
	struct ik_ace a, b;
	struct ik_proxy p;
	struct ik_flow f = { 0 };
	struct ik_sb sb;
	int n, bad = -1;

	snprintf(buf, sizeof(buf), "%s", text);
	n = split(buf, w);
	memset(&a, 0, sizeof(a));
	if (parse(w, n, &a, &bad, msg, sizeof(msg))) {
		if (bad < 0 || bad > n || !msg[0]) {
			fprintf(stderr, "error out of place: word %d of %d: %s\n", bad, n, msg);
			abort();
		}
		return;
	}
	ik_sb_init(&sb);
	ik_ace_format(&a, &sb);
	/* the sequence number as written (IPv6 lines take it as a keyword) */
	if (a.seq && parse == ik_ace6_parse)
		snprintf(again, sizeof(again), "sequence %u %s %s", a.seq,
			 ik_ace_action_word(&a, false), ik_sb_str(&sb));
	else
		snprintf(again, sizeof(again), "%s %s", ik_ace_action_word(&a, false),
			 ik_sb_str(&sb));
	ik_sb_free(&sb);
	n = split(again, w);
	memset(&b, 0, sizeof(b));
	if (parse != ik_ace6_parse)
		b.seq = a.seq;
	if (parse(w, n, &b, &bad, msg, sizeof(msg)) || memcmp(&a, &b, sizeof(a))) {
		fprintf(stderr, "the print of a parsed line differs or does not parse: %s\n", msg);
		abort();
	}
	f.proto = a.proto;
	f.src = a.src.addr;
	f.dst = a.dst.addr;
	f.sport = a.sport.lo;
	f.dport = a.dport.hi;
	(void)ik_ace_match(&a, &f);
	if (!ik_ace_proxy(&a, &p, msg, sizeof(msg)) && !ik_proxy_within(&p, &p)) {
		fprintf(stderr, "a proxy pair is not within itself\n");
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[1024];

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (strlen(text) != size)
		return 0;
	one(ik_ace_parse, text);
	one(ik_ace6_parse, text);
	return 0;
}
