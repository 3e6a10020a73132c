/* Output filters of exec commands (see filter.h). */
#include "ctl/filter.h"

#include <string.h>
#include <strings.h>

#include "util/util.h"

static const struct {
	const char *name;
	enum ik_filter_kind kind;
} filter_names[] = {
	{ "include", IK_FILTER_INCLUDE },
	{ "exclude", IK_FILTER_EXCLUDE },
	{ "begin", IK_FILTER_BEGIN },
	{ "section", IK_FILTER_SECTION },
	{ "count", IK_FILTER_COUNT },
};

/* The filter keyword that word (len bytes) abbreviates; NONE if none or more
 * than one (*ambiguous set then). */
static enum ik_filter_kind filter_kw(const char *word, size_t len, bool *ambiguous)
{
	enum ik_filter_kind k = IK_FILTER_NONE;
	unsigned n = 0;

	*ambiguous = false;
	for (size_t i = 0; i < IK_ARRAY_LEN(filter_names); i++) {
		if (len > strlen(filter_names[i].name) ||
		    strncasecmp(filter_names[i].name, word, len))
			continue;
		k = filter_names[i].kind;
		n++;
	}
	if (n > 1) {
		*ambiguous = true;
		return IK_FILTER_NONE;
	}
	return k;
}

int ik_filter_split(const char *line, char *cmd, size_t len, struct ik_filter *f,
		    struct ik_sb *err)
{
	const char *bar = strchr(line, '|'), *p, *w;
	size_t n, wl;
	bool amb;
	char re[512];
	int rc;

	memset(f, 0, sizeof(*f));
	n = bar ? (size_t)(bar - line) : strlen(line);
	while (n && (line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	if (n >= len) {
		ik_sb_add(err, "% Command too long.\n");
		return -1;
	}
	memcpy(cmd, line, n);
	cmd[n] = '\0';
	if (!bar)
		return 0;
	for (w = bar + 1; *w == ' ' || *w == '\t'; w++)
		;
	wl = strcspn(w, " \t");
	if (!wl) {
		ik_sb_add(err, "% Incomplete command.\n");
		return -1;
	}
	f->kind = filter_kw(w, wl, &amb);
	if (f->kind == IK_FILTER_NONE) {
		ik_sb_printf(err, amb ? "%% Ambiguous command:  \"| %.*s\"\n" :
			     "%% Invalid output filter '%.*s' (include, exclude, begin, section, "
			     "count)\n", (int)wl, w);
		return -1;
	}
	for (p = w + wl; *p == ' ' || *p == '\t'; p++)
		;
	n = strlen(p);
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\n'))
		n--;
	if (!n) {
		ik_sb_add(err, "% Incomplete command.\n");
		f->kind = IK_FILTER_NONE;
		return -1;
	}
	if (n >= sizeof(re)) {
		ik_sb_add(err, "% Regular expression too long.\n");
		f->kind = IK_FILTER_NONE;
		return -1;
	}
	memcpy(re, p, n);
	re[n] = '\0';
	rc = regcomp(&f->re, re, REG_EXTENDED | REG_NOSUB);
	if (rc) {
		char msg[128];

		regerror(rc, &f->re, msg, sizeof(msg));
		ik_sb_printf(err, "%% Invalid regular expression \"%s\": %s\n", re, msg);
		f->kind = IK_FILTER_NONE;
		return -1;
	}
	return 0;
}

static size_t indent_of(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

static bool line_matches(const struct ik_filter *f, const char *s, size_t len)
{
	char buf[4096];

	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return regexec(&f->re, buf, 0, NULL, 0) == 0;
}

void ik_filter_apply(const struct ik_filter *f, const char *text, struct ik_sb *out)
{
	const char *s = text;
	bool begun = false, in_section = false;
	size_t section_indent = 0;
	unsigned long count = 0;

	if (f->kind == IK_FILTER_NONE) {
		ik_sb_add(out, text);
		return;
	}
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		size_t next = nl ? len + 1 : len;
		bool m, show = false;

		switch (f->kind) {
		case IK_FILTER_INCLUDE:
			show = line_matches(f, s, len);
			break;
		case IK_FILTER_EXCLUDE:
			show = !line_matches(f, s, len);
			break;
		case IK_FILTER_BEGIN:
			if (!begun)
				begun = line_matches(f, s, len);
			show = begun;
			break;
		case IK_FILTER_SECTION:
			/* a child: non-blank and indented deeper than the matching line */
			if (in_section && len && indent_of(s, len) < len &&
			    indent_of(s, len) > section_indent) {
				show = true;
				break;
			}
			in_section = false;
			m = line_matches(f, s, len);
			if (m) {
				in_section = true;
				section_indent = indent_of(s, len);
				show = true;
			}
			break;
		case IK_FILTER_COUNT:
			if (line_matches(f, s, len))
				count++;
			break;
		case IK_FILTER_NONE:
			break;
		}
		if (show) {
			ik_sb_addn(out, s, len);
			ik_sb_add(out, "\n");
		}
		s += next;
	}
	if (f->kind == IK_FILTER_COUNT)
		ik_sb_printf(out, "Number of lines which match regexp = %lu\n", count);
}

void ik_filter_free(struct ik_filter *f)
{
	if (f->kind != IK_FILTER_NONE)
		regfree(&f->re);
	f->kind = IK_FILTER_NONE;
}
