/* IOS output filters on exec commands: COMMAND | include|exclude|begin|section|count RE.
 * The regular expression is POSIX extended, matched anywhere in a line; it is
 * everything after the keyword (spaces and '|' included, as on IOS, where
 * `| include Tunnel|Peer` is one alternation). Keywords take IOS's unique
 * abbreviations (`| i`, `| inc`, `| s`). section: a line that matches and the
 * lines indented deeper than it that follow (its children). */
#ifndef IK_CTL_FILTER_H
#define IK_CTL_FILTER_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/strbuf.h"

enum ik_filter_kind {
	IK_FILTER_NONE = 0,
	IK_FILTER_INCLUDE,
	IK_FILTER_EXCLUDE,
	IK_FILTER_BEGIN,
	IK_FILTER_SECTION,
	IK_FILTER_COUNT,
};

struct ik_filter {
	enum ik_filter_kind kind;
	regex_t re;             /* compiled when kind != NONE */
};

/* Splits line at its first '|': the command before it is copied into cmd
 * (len bytes at most, trailing blanks removed), the filter after it compiled
 * into f (kind NONE when there is no '|'). Returns 0, or -1 with IOS's error
 * text in err (unknown or missing keyword, bad regular expression). */
int ik_filter_split(const char *line, char *cmd, size_t len, struct ik_filter *f,
		    struct ik_sb *err);
/* Appends the lines of text that pass f to out (all of them for NONE). */
void ik_filter_apply(const struct ik_filter *f, const char *text, struct ik_sb *out);
void ik_filter_free(struct ik_filter *f);

#endif
