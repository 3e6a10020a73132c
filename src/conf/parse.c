/* The IOS configuration parser: text in, struct ik_config out.
 *
 * One pass over the lines builds the objects; references between objects
 * (profile -> keyring, ipsec profile -> transform-set, tunnel protection ->
 * ipsec profile, ...) are recorded with the place they were written and
 * resolved after the last line, so that the order of the blocks in the file
 * does not matter. The first error stops the parse: the half-built model is
 * freed and the caller keeps its old snapshot.
 *
 * Lines: '!' starts a comment (a whole line, or a token of its own later in
 * a line); blank lines, CRLF and tabs are accepted; keywords are matched
 * without regard to case, names keep theirs. A command that opens a sub-mode
 * is followed by its indented lines; `exit` or a non-indented line closes it.
 */
#include "conf/model.h"
#include "conf/abbrev.h"
#include "conf/acl.h"
#include "conf/store.h"
#include "conf/pki_conf.h"
#include "pki/pki.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/addr.h"
#include "util/secmem.h"
#include "util/util.h"

#define MAX_TOKENS (IK_CONF_MAX_LINE / 2 + 2)
#define MAX_KEY_LEN 128
#define MAX_PROFILE_KEYRINGS 65536
#define MAX_V2_LIST 64
#define MAX_TSETS_PER_PROFILE 6
#define MAX_ACES 100000
#define MAX_CMAP_PEERS 16
#define MAX_CMAP_ENTRIES 65535

struct tok {
	char *s;
	int col;        /* 1-based column in the raw line */
	int len;
};

enum mode {
	M_NONE, M_IGNORE, M_KEYRING, M_POLICY, M_PROFILE, M_TSET, M_IPSEC_PROFILE,
	M_V2_KEYRING, M_V2_PEER, M_V2_PROPOSAL, M_V2_POLICY, M_V2_PROFILE, M_IFACE,
	M_VRF, M_PKI_TP, M_PKI_CHAIN, M_PKI_CERT, M_PKI_MAP, M_AUTHLIST, M_ACL, M_CMAP,
};

enum ref_kind {
	R_PROF_KEYRING, R_IPSEC_TSET, R_IPSEC_ISAKMP, R_IPSEC_IKEV2, R_TUN_PROT,
	R_V2PROF_KEYRING, R_V2POL_PROPOSAL, R_ROUTE_IF, R_PROF_TP, R_PROF_MAP, R_V2PROF_TP,
	R_V2PROF_MAP, R_PROF_AUTHZ, R_V2PROF_AUTHZ, R_CMAP_TSET, R_CMAP_ISAKMP,
	R_CMAP_IKEV2, R_CMAP_DYN, R_IFACE_CMAP, R_IFACE_CMAP6,
};

struct ref {
	enum ref_kind kind;
	void *obj;      /* the object holding the reference */
	size_t idx;     /* slot in its list, or the route's index */
	char *name;
	int line, col;
};

/* The key table: (keyring, address, mask) or (keyring, hostname) -> key,
 * so that a repeated key line replaces the earlier key (as IOS does). */
struct kent {
	struct ik_key *k;
	uint32_t h;
};

struct ktab {
	struct kent *e;
	size_t n, cap;
};

struct pctx {
	struct ik_config *cfg;
	struct ik_conf_store *st;
	struct ik_conf_error *err;
	bool line_failed;       /* the line being read has an error */
	struct ik_abbrev_hint ab_hint[IK_AB_COUNT]; /* abbreviations: last commands per mode */
	const char *text;       /* the whole input */
	size_t textlen;
	int lineno;
	char raw[IK_CONF_MAX_LINE + 1];  /* the line as written */
	char work[IK_CONF_MAX_LINE + 1]; /* tokens, NUL-separated */
	size_t rawlen;
	struct tok tok[MAX_TOKENS];
	int ntok;
	unsigned char secret[MAX_TOKENS]; /* tokens that are keys: masked in errors */

	enum mode mode;
	void *obj;              /* the object of the sub-mode */
	size_t peer;            /* M_V2_PEER: index in the ikev2 keyring */
	size_t policy;          /* M_POLICY: index in cfg->policies */
	size_t vrf;             /* M_VRF: index in cfg->vrfs */
	int policy_idx[10001];  /* priority -> index + 1 */

	bool in_banner;
	char banner_delim[3];

	/* M_PKI_CERT: the certificate being read from hex lines */
	uint8_t *cert_der;
	size_t cert_len, cert_cap;
	bool cert_ca, cert_self;
	char *cert_serial;
	int cert_line;
	size_t map_entry;       /* M_PKI_MAP: index in the map's entries */

	struct ref *refs;
	size_t nrefs;
	struct ktab keys;
	struct ik_nmap peers;   /* "keyring\npeer" -> index + 1 */
	char **peer_keys;
	size_t npeer_keys;
	bool failed;
};

/* ---- small vectors: capacity follows the count (4, 8, 16, ...) ---- */

static void *vgrow(void *p, size_t n, size_t size)
{
	if (n == 0)
		return ik_xrealloc(p, 4 * size);
	if (n >= 4 && !(n & (n - 1)))
		return ik_xrealloc(p, 2 * n * size);
	return p;
}

#define VPUSH(arr, n)                                                          \
	((arr) = vgrow((arr), (n), sizeof(*(arr))),                            \
	 memset(&(arr)[(n)], 0, sizeof(*(arr))), &(arr)[(n)++])

/* ---- errors and warnings ---- */

/* Words after which a line may hold a secret: the crypto keys, and the
 * passwords of the router commands that are ignored (username, enable,
 * snmp-server community, OSPF and HSRP authentication, ...). */
static const char *const secret_words[] = {
	"key", "password", "secret", "community", "md5", "key-string", "authentication-key",
};

/* Marks the words of the current line that may be secrets; computed only
 * when the line is about to be copied into an error or a warning. */
static void mask_secrets(struct pctx *c)
{
	memset(c->secret, 0, sizeof(c->secret[0]) * (size_t)(c->ntok + 1));
	/* crypto pki import TP pem FILE key KEYFILE: paths, not secrets */
	if (c->ntok > 2 && !strcasecmp(c->tok[0].s, "crypto") &&
	    !strcasecmp(c->tok[1].s, "pki") && !strcasecmp(c->tok[2].s, "import"))
		return;
	for (int i = 0; i < c->ntok; i++) {
		const char *t = c->tok[i].s;
		bool sw = false;

		for (size_t k = 0; k < IK_ARRAY_LEN(secret_words) && !sw; k++)
			sw = !strcasecmp(t, secret_words[k]);
		if (sw && i + 1 < c->ntok) {
			c->secret[i + 1] = 1;
			if (i + 2 < c->ntok)
				c->secret[i + 2] = 1;
		} else if (!strcasecmp(t, "pre-shared-key") && i + 1 < c->ntok &&
			   strcasecmp(c->tok[i + 1].s, "address") &&
			   strcasecmp(c->tok[i + 1].s, "hostname")) {
			c->secret[i + 1] = 1;
			if (i + 2 < c->ntok)
				c->secret[i + 2] = 1;
		}
	}
	/* "crypto isakmp key K ...": the "key" rule above marks K */
}

static void copy_text(struct pctx *c, char *text, size_t size)
{
	size_t n = c->rawlen < size - 1 ? c->rawlen : size - 1;

	memcpy(text, c->raw, n);
	text[n] = '\0';
	mask_secrets(c);
	for (int i = 0; i < c->ntok; i++) {
		if (!c->secret[i])
			continue;
		for (int j = 0; j < c->tok[i].len; j++) {
			size_t at = (size_t)(c->tok[i].col - 1 + j);
			if (at < n)
				text[at] = '*';
		}
	}
}

/* Records an error: the first in the fields of err, the next ones in
 * err->more (the whole file is checked, every error counted). */
static void verror(struct pctx *c, int line, int col, bool incomplete, const char *fmt,
		   va_list ap)
{
	struct ik_conf_error *e = c->err;
	bool first = !c->failed;

	c->failed = true;
	c->line_failed = true;
	if (!e)
		return;
	e->nerrors++;
	if (first) {
		snprintf(e->file, sizeof(e->file), "%s", c->cfg->file);
		e->line = line;
		e->col = col;
		e->incomplete = incomplete;
		e->text[0] = '\0';
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		if (line > 0 && line == c->lineno)
			copy_text(c, e->text, sizeof(e->text));
		return;
	}
	if (e->nmore >= IK_ARRAY_LEN(e->more))
		return;
	struct ik_conf_error_more *m = &e->more[e->nmore++];

	m->line = line;
	m->col = col;
	m->incomplete = incomplete;
	m->text[0] = '\0';
	vsnprintf(m->msg, sizeof(m->msg), fmt, ap);
	if (line > 0 && line == c->lineno)
		copy_text(c, m->text, sizeof(m->text));
}

/* An error about a whole line (no column) or the whole file (line 0). */
static void __attribute__((format(printf, 4, 5)))
line_error(struct pctx *c, int line, bool incomplete, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(c, line, 0, incomplete, fmt, ap);
	va_end(ap);
}

/* An error at token i of the current line (i == ntok: at the end). */
static int __attribute__((format(printf, 3, 4)))
perr(struct pctx *c, int i, const char *fmt, ...)
{
	va_list ap;
	int col;

	if (i < c->ntok)
		col = c->tok[i].col;
	else if (c->ntok)
		col = c->tok[c->ntok - 1].col + c->tok[c->ntok - 1].len + 1;
	else
		col = 1;
	va_start(ap, fmt);
	verror(c, c->lineno, col, false, fmt, ap);
	va_end(ap);
	return -1;
}

/* An error at column col (1-based) of the current line. */
static void __attribute__((format(printf, 3, 4)))
verror_at(struct pctx *c, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(c, c->lineno, col, false, fmt, ap);
	va_end(ap);
}

/* The command stops short of what it needs. */
static int __attribute__((format(printf, 2, 3)))
pincomplete(struct pctx *c, const char *fmt, ...)
{
	va_list ap;
	int col = 1;

	if (c->ntok)
		col = c->tok[c->ntok - 1].col + c->tok[c->ntok - 1].len + 1;
	va_start(ap, fmt);
	verror(c, c->lineno, col, true, fmt, ap);
	va_end(ap);
	return -1;
}

/* Text of tokens first..last as written (inner spacing kept), with the
 * words that may be secrets replaced by '*'. */
static void tok_span(struct pctx *c, int first, char *out, size_t len)
{
	int a, b;
	size_t n;

	if (first >= c->ntok || !len) {
		if (len)
			out[0] = '\0';
		return;
	}
	a = c->tok[first].col - 1;
	b = c->tok[c->ntok - 1].col - 1 + c->tok[c->ntok - 1].len;
	n = (size_t)(b - a);
	if (n >= len)
		n = len - 1;
	memcpy(out, c->raw + a, n);
	out[n] = '\0';
	mask_secrets(c);
	for (int i = first; i < c->ntok; i++) {
		if (!c->secret[i])
			continue;
		for (int j = 0; j < c->tok[i].len; j++) {
			size_t at = (size_t)(c->tok[i].col - 1 - a + j);
			if (at < n)
				out[at] = '*';
		}
	}
}

static char *tok_span_dup(const struct pctx *c, int first)
{
	int a = c->tok[first].col - 1;
	int b = c->tok[c->ntok - 1].col - 1 + c->tok[c->ntok - 1].len;
	char *s = ik_xmalloc((size_t)(b - a) + 1);

	memcpy(s, c->raw + a, (size_t)(b - a));
	s[b - a] = '\0';
	return s;
}

static void __attribute__((format(printf, 2, 3)))
pwarn(struct pctx *c, const char *fmt, ...)
{
	struct ik_config *cfg = c->cfg;
	struct ik_conf_warning *w;
	va_list ap;

	if (cfg->nwarnings > IK_CONF_MAX_WARNINGS)
		return;
	w = VPUSH(cfg->warnings, cfg->nwarnings);
	w->line = c->lineno;
	if (cfg->nwarnings > IK_CONF_MAX_WARNINGS) {
		snprintf(w->msg, sizeof(w->msg),
			 "line %d: more ignored lines follow; only the first %d are listed",
			 c->lineno, IK_CONF_MAX_WARNINGS);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(w->msg, sizeof(w->msg), fmt, ap);
	va_end(ap);
}

/* "line N: 'router ospf 1' is not used by ikerd; ignored" */
static void warn_ignored(struct pctx *c, const char *where)
{
	char cmd[128];

	if (c->cfg->nwarnings > IK_CONF_MAX_WARNINGS)
		return;
	tok_span(c, 0, cmd, sizeof(cmd));
	if (where)
		pwarn(c, "line %d: '%s' in %s is not used by ikerd; ignored", c->lineno, cmd,
		      where);
	else
		pwarn(c, "line %d: '%s' is not used by ikerd; ignored", c->lineno, cmd);
}

/* ---- token helpers ---- */

static bool kw(const struct pctx *c, int i, const char *k)
{
	return i < c->ntok && !strcasecmp(c->tok[i].s, k);
}

static int need(struct pctx *c, int i, const char *what)
{
	if (i < c->ntok)
		return 0;
	return pincomplete(c, "incomplete command: %s expected", what);
}

static int no_more(struct pctx *c, int i)
{
	if (i >= c->ntok)
		return 0;
	return perr(c, i, "unexpected '%s'", c->tok[i].s);
}

static int get_uint(struct pctx *c, int i, const char *what, unsigned long long min,
		    unsigned long long max, unsigned long long *out)
{
	const char *s;
	unsigned long long v = 0;

	if (need(c, i, what))
		return -1;
	s = c->tok[i].s;
	if (!*s)
		return perr(c, i, "%s must be a number", what);
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return perr(c, i, "%s must be a number, not '%s'", what, c->tok[i].s);
		if (v > (max + 9) / 10 + 1)
			return perr(c, i, "%s %s is out of range %llu-%llu", what, c->tok[i].s,
				    min, max);
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (v < min || v > max)
		return perr(c, i, "%s %s is out of range %llu-%llu", what, c->tok[i].s, min, max);
	*out = v;
	return 0;
}

static int get_u32(struct pctx *c, int i, const char *what, unsigned min, unsigned max,
		   unsigned *out)
{
	unsigned long long v;

	if (get_uint(c, i, what, min, max, &v))
		return -1;
	*out = (unsigned)v;
	return 0;
}

static bool is_addr(const char *s)
{
	uint32_t a;

	return ik_addr_parse(s, &a) == 0;
}

static int get_addr(struct pctx *c, int i, const char *what, uint32_t *out)
{
	if (need(c, i, what))
		return -1;
	if (ik_addr_parse(c->tok[i].s, out))
		return perr(c, i, "'%s' is not a valid %s (dotted quad expected)", c->tok[i].s,
			    what);
	return 0;
}

/* "X:X::X/LEN" at token i (the address masked to LEN); with opt, a bare
 * address is read as /128 and *given says whether a length was written. */
static int get_prefix6(struct pctx *c, int i, const char *what, uint8_t out[16], int *plen,
		       bool opt, bool *given)
{
	int bare = 0;

	if (need(c, i, what))
		return -1;
	if (ik_prefix6_parse(c->tok[i].s, out, plen, opt ? &bare : NULL))
		return perr(c, i, "'%s' is not a valid IPv6 %s (X:X:X:X::X%s expected)",
			    c->tok[i].s, what, opt ? "[/<0-128>]" : "/<0-128>");
	if (given)
		*given = !bare;
	ik_addr6_mask(out, *plen);
	return 0;
}

static int get_addr6(struct pctx *c, int i, const char *what, uint8_t out[16])
{
	if (need(c, i, what))
		return -1;
	if (ik_addr6_parse(c->tok[i].s, out))
		return perr(c, i, "'%s' is not a valid IPv6 %s (X:X:X:X::X expected)",
			    c->tok[i].s, what);
	return 0;
}

static int get_mask(struct pctx *c, int i, uint32_t *mask, int *plen)
{
	if (get_addr(c, i, "mask", mask))
		return -1;
	*plen = ik_mask_plen(*mask);
	if (*plen < 0)
		return perr(c, i, "mask %s is not contiguous", c->tok[i].s);
	return 0;
}

/* ---- references ---- */

static void add_ref(struct pctx *c, enum ref_kind kind, void *obj, size_t idx, int ti)
{
	struct ref *r = VPUSH(c->refs, c->nrefs);

	r->kind = kind;
	r->obj = obj;
	r->idx = idx;
	r->name = ik_xstrdup(c->tok[ti].s);
	r->line = c->lineno;
	r->col = c->tok[ti].col;
}

/* ---- interface names ---- */

/* IOS writes interface types in one spelling: tunnel1 is Tunnel1. */
static char *iface_canon(const char *s)
{
	return ik_iface_name_canon(s, false);
}

/* ---- keys ---- */

/* IOS reads "address 0.0.0.0" without a mask as the wildcard 0.0.0.0
 * 0.0.0.0 (rule K4): for replacing keys, both spellings are one key. */
static int key_eff_plen(const struct ik_key *k)
{
	return !k->mask_given && k->addr == 0 ? 0 : k->plen;
}

static uint32_t key_hash(const struct ik_key *k)
{
	uint64_t x = (uint64_t)k->ring->order << 32;

	if (k->kind == IK_KEY_ADDRESS && k->v6) {
		uint64_t hi, lo;

		memcpy(&hi, k->addr6, 8);
		memcpy(&lo, k->addr6 + 8, 8);
		x ^= hi ^ (lo * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)(unsigned)k->plen << 49);
		x ^= 1ull << 62;
	} else if (k->kind == IK_KEY_ADDRESS) {
		x ^= k->addr;
		x ^= (uint64_t)(unsigned)key_eff_plen(k) << 58;
	} else {
		uint32_t h = 2166136261u;

		for (const char *p = k->hostname; *p; p++) {
			char ch = *p;
			if (ch >= 'A' && ch <= 'Z')
				ch = (char)(ch - 'A' + 'a');
			h = (h ^ (uint8_t)ch) * 16777619u;
		}
		x ^= h | (1ull << 63);
	}
	/* splitmix64 finalizer: every input bit reaches every output bit */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return (uint32_t)x;
}

static bool key_same(const struct ik_key *a, const struct ik_key *b)
{
	if (a->ring != b->ring || a->kind != b->kind)
		return false;
	if (a->kind == IK_KEY_ADDRESS && (a->v6 || b->v6))
		return a->v6 == b->v6 && a->plen == b->plen && !memcmp(a->addr6, b->addr6, 16);
	if (a->kind == IK_KEY_ADDRESS)
		return a->addr == b->addr && key_eff_plen(a) == key_eff_plen(b);
	return !strcasecmp(a->hostname, b->hostname);
}

/* The slot holding a key equal to k, or the empty slot where it goes. */
static struct kent *ktab_slot(struct ktab *t, const struct ik_key *k, uint32_t h)
{
	size_t i = h & (t->cap - 1);

	for (; t->e[i].k; i = (i + 1) & (t->cap - 1))
		if (t->e[i].h == h && key_same(t->e[i].k, k))
			return &t->e[i];
	return &t->e[i];
}

static void ktab_add(struct ktab *t, struct ik_key *k, uint32_t h)
{
	struct kent *slot;

	if ((t->n + 1) * 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct kent *e = ik_xcalloc(cap, sizeof(*e));

		for (size_t i = 0; i < t->cap; i++) {
			size_t j = t->e[i].h & (cap - 1);

			if (!t->e[i].k)
				continue;
			while (e[j].k)
				j = (j + 1) & (cap - 1);
			e[j] = t->e[i];
		}
		free(t->e);
		t->e = e;
		t->cap = cap;
	}
	slot = ktab_slot(t, k, h);
	slot->k = k;
	slot->h = h;
	t->n++;
}

/* A file of many lines may hold as many keys: the table is made large enough
 * for one key a line at once, so that it is not rehashed while it grows
 * (100,000 keys: 12 rehashes of a table up to 4 MB). Small files grow it. */
static void ktab_presize(struct ktab *t, const char *text, size_t len)
{
	size_t lines = 1, cap = 64;

	for (const char *p = text, *end = text + len;
	     (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
		lines++;
	if (lines < 4096)
		return;
	if (lines > IK_CONF_MAX_KEYS)
		lines = IK_CONF_MAX_KEYS;
	while (cap < 2 * lines + 2)
		cap *= 2;
	t->e = ik_xcalloc(cap, sizeof(*t->e));
	t->cap = cap;
}

static struct ik_key *key_alloc(struct pctx *c)
{
	struct ik_keyslab *s = c->st->slabs;

	if (!s || s->used == IK_ARRAY_LEN(s->keys)) {
		s = ik_xmalloc(sizeof(*s));
		s->used = 0;
		s->next = c->st->slabs;
		c->st->slabs = s;
	}
	memset(&s->keys[s->used], 0, sizeof(s->keys[0]));
	return &s->keys[s->used++];
}

/* The key text at token ki: "K", or "0 K" (type 0 = clear text). Types 6
 * and 7 (encrypted with the router's master key) cannot be used here.
 * Returns the token index of the key, or -1. */
static int key_token(struct pctx *c, int ki, bool more_allowed, const char *const *stops)
{
	if (need(c, ki, "key"))
		return -1;
	if (ki + 1 < c->ntok && strlen(c->tok[ki].s) == 1 && strchr("067", c->tok[ki].s[0])) {
		bool next_is_stop = false;

		for (int i = 0; stops && stops[i]; i++)
			if (kw(c, ki + 1, stops[i]))
				next_is_stop = true;
		if (!next_is_stop) {
			if (c->tok[ki].s[0] != '0')
				return perr(c, ki,
					    "encrypted key (type %s) cannot be used: give the "
					    "pre-shared key in clear text", c->tok[ki].s);
			ki++;
		}
	}
	if (c->tok[ki].len > MAX_KEY_LEN)
		return perr(c, ki, "pre-shared key is %d characters long, longer than %d",
			    c->tok[ki].len, MAX_KEY_LEN);
	if (!more_allowed && no_more(c, ki + 1))
		return -1;
	return ki;
}

static struct ik_secret *secret_from(struct pctx *c, int ki)
{
	struct ik_secret *s = ik_secarena_new(&c->st->arena, c->tok[ki].s,
					      (size_t)c->tok[ki].len);

	if (!s)
		perr(c, ki, "out of secure memory for the pre-shared key");
	return s;
}

static void secret_replace(struct ik_secret **dst, struct ik_secret *s)
{
	if (*dst)
		ik_wipe((*dst)->p, (*dst)->len);
	*dst = s;
}

static int add_key(struct pctx *c, struct ik_keyring *ring, const struct ik_key *proto, int ki)
{
	struct ik_config *cfg = c->cfg;
	struct ik_key probe = *proto, *k;
	struct kent *slot;
	struct ik_secret *s;
	uint32_t h;

	probe.ring = ring;
	h = key_hash(&probe);
	if (c->keys.cap) {
		slot = ktab_slot(&c->keys, &probe, h);
		if (slot->k) {
			/* IOS: the same address (or hostname) again replaces the key */
			k = slot->k;
			free(probe.hostname);
			if (!(s = secret_from(c, ki)))
				return -1;
			secret_replace(&k->secret, s);
			k->no_xauth = proto->no_xauth;
			k->mask = proto->mask;
			k->plen = proto->plen;
			k->mask_given = proto->mask_given;
			k->line = c->lineno;
			return 0;
		}
	}
	if (cfg->nkeys >= IK_CONF_MAX_KEYS) {
		free(probe.hostname);
		return perr(c, 0, "too many pre-shared keys: the limit is %u", IK_CONF_MAX_KEYS);
	}
	if (!(s = secret_from(c, ki))) {
		free(probe.hostname);
		return -1;
	}
	k = key_alloc(c);
	*k = probe;
	k->secret = s;
	k->line = c->lineno;
	k->order = (unsigned)cfg->nkeys;
	*VPUSH(cfg->keys, cfg->nkeys) = k;
	*VPUSH(ring->keys, ring->nkeys) = k;
	ktab_add(&c->keys, k, h);
	return 0;
}

/* "address A [MASK]" at token i; sets the key's address fields and returns
 * the index of the token after them. */
static int parse_key_addr(struct pctx *c, int i, struct ik_key *k)
{
	uint32_t a;

	/* address ipv6 X:X::X/LEN (IOS), or the prefix written directly */
	if (kw(c, i, "ipv6") || (i < c->ntok && strchr(c->tok[i].s, ':'))) {
		i += kw(c, i, "ipv6");
		if (get_prefix6(c, i, "prefix", k->addr6, &k->plen, true, &k->mask_given))
			return -1;
		k->kind = IK_KEY_ADDRESS;
		k->v6 = true;
		return i + 1;
	}
	if (get_addr(c, i, "address", &a))
		return -1;
	k->kind = IK_KEY_ADDRESS;
	k->mask = 0xffffffffu;
	k->plen = 32;
	if (i + 1 < c->ntok && is_addr(c->tok[i + 1].s)) {
		if (get_mask(c, i + 1, &k->mask, &k->plen))
			return -1;
		k->mask_given = true;
		i++;
	}
	k->addr = a & k->mask;
	return i + 1;
}

/* ---- objects ---- */

static struct ik_keyring *keyring_get(struct pctx *c, int ni, int vi)
{
	struct ik_config *cfg = c->cfg;
	struct ik_keyring *kr = ik_nmap_get(&c->st->names[IK_NS_KEYRING], c->tok[ni].s);
	const char *vrf = vi >= 0 ? c->tok[vi].s : NULL;

	if (kr) {
		if (vrf && (!kr->vrf || strcmp(kr->vrf, vrf))) {
			perr(c, vi, "keyring %s is already bound to %s%s", kr->name,
			     kr->vrf ? "vrf " : "the global VRF", kr->vrf ? kr->vrf : "");
			return NULL;
		}
		return kr;
	}
	kr = ik_xcalloc(1, sizeof(*kr));
	kr->name = ik_xstrdup(c->tok[ni].s);
	kr->vrf = vrf ? ik_xstrdup(vrf) : NULL;
	kr->line = c->lineno;
	kr->order = (unsigned)cfg->nkeyrings;
	*VPUSH(cfg->keyrings, cfg->nkeyrings) = kr;
	ik_nmap_put(&c->st->names[IK_NS_KEYRING], kr->name, kr);
	return kr;
}

static void *named_get(struct pctx *c, enum ik_ns ns, int ni, size_t size, void ***arr,
		       size_t *n, bool *created)
{
	void *o = ik_nmap_get(&c->st->names[ns], c->tok[ni].s);
	char **namep;

	*created = false;
	if (o)
		return o;
	o = ik_xcalloc(1, size);
	*created = true;
	/* every named object starts with char *name; its line is set by the caller */
	namep = o;
	*namep = ik_xstrdup(c->tok[ni].s);
	*VPUSH(*arr, *n) = o;
	ik_nmap_put(&c->st->names[ns], *namep, o);
	return o;
}

#define NAMED_GET(c, ns, ni, type, arr, n, created)                            \
	((type *)named_get((c), (ns), (ni), sizeof(type), (void ***)(void *)&(arr), \
			   &(n), (created)))

static void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? ik_xstrdup(s) : NULL;
}

/* local-address IF|A */
static int parse_local_address(struct pctx *c, int i, char **ifname, uint32_t *addr,
			       bool *v6, uint8_t addr6[16])
{
	if (need(c, i, "interface or address") || no_more(c, i + 1))
		return -1;
	free(*ifname);
	*ifname = NULL;
	*addr = 0;
	*v6 = false;
	memset(addr6, 0, 16);
	if (strchr(c->tok[i].s, ':')) {
		if (get_addr6(c, i, "address", addr6))
			return -1;
		*v6 = true;
		return 0;
	}
	if (is_addr(c->tok[i].s))
		return get_addr(c, i, "address", addr);
	*ifname = iface_canon(c->tok[i].s);
	return 0;
}

static int parse_description(struct pctx *c, char **dst)
{
	if (need(c, 1, "description text"))
		return -1;
	free(*dst);
	*dst = tok_span_dup(c, 1);
	return 0;
}

/* ---- crypto isakmp authorization list ---- */

#define MAX_AUTHLIST_PEERS 1000000

/* authorization list NAME (in isakmp and ikev2 profiles) */
static int parse_authz_ref(struct pctx *c, enum ref_kind kind, void *prof, int *line)
{
	if (!kw(c, 1, "list"))
		return c->ntok > 1 ? perr(c, 1, "'list' expected, not '%s'", c->tok[1].s)
				   : pincomplete(c, "incomplete command: 'list' expected");
	if (need(c, 2, "authorization list name") || no_more(c, 3))
		return -1;
	*line = c->lineno;
	add_ref(c, kind, prof, 0, 2);
	return 0;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* key-hash sha256|sha1 HEX at token i: the hash in hex, with or without ':'
 * between the bytes (as openssl prints fingerprints). */
static int parse_key_hash(struct pctx *c, int i, struct ik_authlist_peer *p)
{
	size_t want, n = 0;
	const char *s;

	if (!kw(c, i, "key-hash"))
		return i < c->ntok ? perr(c, i, "'key-hash' expected, not '%s'", c->tok[i].s)
				   : pincomplete(c, "incomplete command: 'key-hash' expected");
	if (need(c, i + 1, "sha256 or sha1"))
		return -1;
	if (kw(c, i + 1, "sha256")) {
		p->alg = IK_AUTHL_SHA256;
		want = 32;
	} else if (kw(c, i + 1, "sha1")) {
		p->alg = IK_AUTHL_SHA1;
		want = 20;
	} else {
		return perr(c, i + 1, "unknown key hash '%s' (sha256, sha1)", c->tok[i + 1].s);
	}
	if (need(c, i + 2, "key hash in hex") || no_more(c, i + 3))
		return -1;
	for (s = c->tok[i + 2].s; *s; s++) {
		int hi, lo;

		if (*s == ':' && n && s[1] && s[1] != ':')
			continue;
		hi = hexval(s[0]);
		lo = hi < 0 || !s[1] ? -1 : hexval(s[1]);
		if (lo < 0)
			return perr(c, i + 2, "key hash '%s' is not hexadecimal (at character %zu)",
				    c->tok[i + 2].s, (size_t)(s - c->tok[i + 2].s) + 1 +
				    (hi >= 0 && s[1] ? 1 : 0));
		if (n == want)
			break;
		p->hash[n++] = (uint8_t)(hi << 4 | lo);
		s++;
	}
	if (n != want || *s)
		return perr(c, i + 2, "a %s key hash has %zu bytes (%zu hex digits), not %s%zu",
			    p->alg == IK_AUTHL_SHA256 ? "sha256" : "sha1", want, want * 2,
			    *s ? "more than " : "", *s ? want : n);
	return 0;
}

/* DN at token i: "a quoted text" (spaces kept) or one word. Returns the index
 * of the token after it, or -1. */
static int parse_dn(struct pctx *c, int i, char **out)
{
	const char *start, *end;
	int j;

	if (need(c, i, "distinguished name"))
		return -1;
	if (c->tok[i].s[0] != '"') {
		*out = ik_xstrdup(c->tok[i].s);
		return i + 1;
	}
	start = c->raw + c->tok[i].col;
	end = strchr(start, '"');
	if (!end)
		return perr(c, i, "the distinguished name has no closing '\"'");
	if (end == start)
		return perr(c, i, "the distinguished name is empty");
	*out = ik_xmalloc((size_t)(end - start) + 1);
	memcpy(*out, start, (size_t)(end - start));
	(*out)[end - start] = '\0';
	for (j = i; j < c->ntok && c->tok[j].col - 1 <= end - c->raw; j++)
		;
	if (c->tok[j - 1].col - 1 + c->tok[j - 1].len != end - c->raw + 1) {
		free(*out);
		*out = NULL;
		return perr(c, j - 1, "a space expected after the closing '\"'");
	}
	return j;
}

static bool authl_peer_same(const struct ik_authlist_peer *a, const struct ik_authlist_peer *b)
{
	if (a->kind != b->kind || a->alg != b->alg ||
	    memcmp(a->hash, b->hash, sizeof(a->hash)))
		return false;
	if (a->kind == IK_AUTHL_ADDRESS)
		return ik_addr_eq(&a->addr, &b->addr);
	return a->kind == IK_AUTHL_ANY || !strcasecmp(a->value, b->value);
}

static int cmd_authlist_sub(struct pctx *c)
{
	struct ik_authlist *l = c->obj;

	if (kw(c, 0, "peer")) {
		struct ik_authlist_peer p = { .line = c->lineno };
		int i;

		if (need(c, 1, "address, fqdn, email, dn or any"))
			return -1;
		if (kw(c, 1, "any")) {
			p.kind = IK_AUTHL_ANY;
			i = 2;
		} else if (kw(c, 1, "address")) {
			p.kind = IK_AUTHL_ADDRESS;
			if (need(c, 2, "address"))
				return -1;
			if (ik_addr_parse_any(c->tok[2].s, &p.addr))
				return perr(c, 2, "'%s' is not a valid IPv4 or IPv6 address",
					    c->tok[2].s);
			i = 3;
		} else if (kw(c, 1, "fqdn") || kw(c, 1, "email")) {
			p.kind = kw(c, 1, "fqdn") ? IK_AUTHL_FQDN : IK_AUTHL_EMAIL;
			if (need(c, 2, p.kind == IK_AUTHL_FQDN ? "fqdn" : "e-mail address"))
				return -1;
			if (p.kind == IK_AUTHL_EMAIL && !strchr(c->tok[2].s, '@'))
				return perr(c, 2, "'%s' is not an e-mail address (no '@')",
					    c->tok[2].s);
			p.value = ik_xstrdup(c->tok[2].s);
			i = 3;
		} else if (kw(c, 1, "dn")) {
			p.kind = IK_AUTHL_DN;
			if ((i = parse_dn(c, 2, &p.value)) < 0)
				return -1;
		} else {
			return perr(c, 1, "unknown identity type '%s' (address, fqdn, email, dn, "
				    "any)", c->tok[1].s);
		}
		if (parse_key_hash(c, i, &p)) {
			free(p.value);
			return -1;
		}
		if (l->npeers >= MAX_AUTHLIST_PEERS) {
			free(p.value);
			return perr(c, 0, "too many peer lines in authorization list %s (limit %d)",
				    l->name, MAX_AUTHLIST_PEERS);
		}
		/* the same line again is the same entry, as IOS keeps one copy */
		if (l->npeers && authl_peer_same(&l->peers[l->npeers - 1], &p)) {
			free(p.value);
			return 0;
		}
		*VPUSH(l->peers, l->npeers) = p;
		return 0;
	}
	if (kw(c, 0, "raw-public-key")) {
		if (!kw(c, 1, "accept"))
			return c->ntok > 1 ?
			       perr(c, 1, "'accept' expected, not '%s'", c->tok[1].s) :
			       pincomplete(c, "incomplete command: 'accept' expected");
		if (no_more(c, 2))
			return -1;
		l->raw_keys = true;
		return 0;
	}
	if (kw(c, 0, "description"))
		return parse_description(c, &l->description);
	return perr(c, 0, "unknown command '%s' in crypto isakmp authorization list %s",
		    c->tok[0].s, l->name);
}

/* crypto isakmp authorization list NAME */
static int cmd_authlist(struct pctx *c)
{
	struct ik_config *cfg = c->cfg;
	struct ik_authlist *l;
	bool created;

	if (!kw(c, 3, "list"))
		return c->ntok > 3 ? perr(c, 3, "'list' expected, not '%s'", c->tok[3].s)
				   : pincomplete(c, "incomplete command: 'list' expected");
	if (need(c, 4, "list name") || no_more(c, 5))
		return -1;
	l = NAMED_GET(c, IK_NS_AUTHLIST, 4, struct ik_authlist, cfg->authlists, cfg->nauthlists,
		      &created);
	if (created) {
		l->line = c->lineno;
		l->order = (unsigned)cfg->nauthlists - 1;
	}
	c->obj = l;
	c->mode = M_AUTHLIST;
	return 0;
}

/* ---- crypto keyring ---- */

static int cmd_keyring_sub(struct pctx *c)
{
	struct ik_keyring *kr = c->obj;
	struct ik_key k = { 0 };
	int i, ki;

	if (kw(c, 0, "pre-shared-key")) {
		if (kw(c, 1, "address")) {
			if ((i = parse_key_addr(c, 2, &k)) < 0)
				return -1;
		} else if (kw(c, 1, "hostname")) {
			if (need(c, 2, "hostname"))
				return -1;
			k.kind = IK_KEY_HOSTNAME;
			i = 3;
		} else if (c->ntok > 1) {
			return perr(c, 1, "'address' or 'hostname' expected, not '%s'",
				    c->tok[1].s);
		} else {
			return pincomplete(c, "incomplete command: 'address' or 'hostname' expected");
		}
		if (!kw(c, i, "key")) {
			if (i < c->ntok)
				return perr(c, i, "'key' expected, not '%s'", c->tok[i].s);
			return pincomplete(c, "incomplete command: 'key' expected");
		}
		if ((ki = key_token(c, i + 1, false, NULL)) < 0)
			return -1;
		if (k.kind == IK_KEY_HOSTNAME)
			k.hostname = ik_xstrdup(c->tok[2].s);
		return add_key(c, kr, &k, ki);
	}
	if (kw(c, 0, "local-address"))
		return parse_local_address(c, 1, &kr->local_address_if, &kr->local_address,
					   &kr->local_v6, kr->local_address6);
	if (kw(c, 0, "description"))
		return parse_description(c, &kr->description);
	return perr(c, 0, "unknown command '%s' in crypto keyring %s", c->tok[0].s, kr->name);
}

/* ---- crypto isakmp ---- */

static int cmd_isakmp_key(struct pctx *c)
{
	static const char *const stops[] = { "address", "hostname", NULL };
	struct ik_key k = { 0 };
	int ki, i;

	/* crypto isakmp key [0] K address A [MASK] [no-xauth] | hostname H */
	if ((ki = key_token(c, 3, true, stops)) < 0)
		return -1;
	i = ki + 1;
	if (kw(c, i, "address")) {
		if ((i = parse_key_addr(c, i + 1, &k)) < 0)
			return -1;
		if (kw(c, i, "no-xauth")) {
			k.no_xauth = true;
			i++;
		}
		if (no_more(c, i))
			return -1;
	} else if (kw(c, i, "hostname")) {
		if (need(c, i + 1, "hostname") || no_more(c, i + 2))
			return -1;
		k.kind = IK_KEY_HOSTNAME;
		k.hostname = ik_xstrdup(c->tok[i + 1].s);
	} else if (i < c->ntok) {
		return perr(c, i, "'address' or 'hostname' expected, not '%s'", c->tok[i].s);
	} else {
		return pincomplete(c, "incomplete command: 'address' or 'hostname' expected");
	}
	return add_key(c, c->cfg->keyrings[0], &k, ki);
}

static int cmd_policy_sub(struct pctx *c)
{
	struct ik_isakmp_policy *p = &c->cfg->policies[c->policy];
	unsigned v;

	if (kw(c, 0, "encr") || kw(c, 0, "encryption")) {
		if (need(c, 1, "algorithm (des, 3des, aes)"))
			return -1;
		if (kw(c, 1, "des") || kw(c, 1, "3des")) {
			if (no_more(c, 2))
				return -1;
			p->encr = kw(c, 1, "des") ? IK_ENCR_DES : IK_ENCR_3DES;
			p->keylen = 0;
			return 0;
		}
		if (!kw(c, 1, "aes"))
			return perr(c, 1, "unknown encryption '%s' (des, 3des, aes)", c->tok[1].s);
		v = 128;
		if (c->ntok > 2) {
			if (strcmp(c->tok[2].s, "128") && strcmp(c->tok[2].s, "192") &&
			    strcmp(c->tok[2].s, "256"))
				return perr(c, 2, "AES key length must be 128, 192 or 256");
			v = (unsigned)atoi(c->tok[2].s);
			if (no_more(c, 3))
				return -1;
		}
		p->encr = IK_ENCR_AES;
		p->keylen = v;
		return 0;
	}
	if (kw(c, 0, "hash")) {
		static const struct { const char *n; enum ik_hash h; } hs[] = {
			{ "md5", IK_HASH_MD5 }, { "sha", IK_HASH_SHA1 },
			{ "sha256", IK_HASH_SHA256 }, { "sha384", IK_HASH_SHA384 },
			{ "sha512", IK_HASH_SHA512 },
		};
		if (need(c, 1, "hash (md5, sha, sha256, sha384, sha512)") || no_more(c, 2))
			return -1;
		for (size_t i = 0; i < IK_ARRAY_LEN(hs); i++)
			if (kw(c, 1, hs[i].n)) {
				p->hash = hs[i].h;
				return 0;
			}
		return perr(c, 1, "unknown hash '%s' (md5, sha, sha256, sha384, sha512)",
			    c->tok[1].s);
	}
	if (kw(c, 0, "authentication")) {
		if (need(c, 1, "pre-share, rsa-sig or ecdsa-sig") || no_more(c, 2))
			return -1;
		if (kw(c, 1, "pre-share"))
			p->auth = IK_AUTH_PSK;
		else if (kw(c, 1, "rsa-sig"))
			p->auth = IK_AUTH_RSA_SIG;
		else if (kw(c, 1, "ecdsa-sig"))
			p->auth = IK_AUTH_ECDSA_SIG;
		else
			return perr(c, 1, "unsupported authentication '%s' (pre-share, rsa-sig, "
				    "ecdsa-sig)", c->tok[1].s);
		return 0;
	}
	if (kw(c, 0, "group")) {
		static const unsigned groups[] = { 1, 2, 5, 14, 15, 16, 19, 20, 21, 24 };
		if (get_u32(c, 1, "group", 0, 100, &v) || no_more(c, 2))
			return -1;
		for (size_t i = 0; i < IK_ARRAY_LEN(groups); i++)
			if (groups[i] == v) {
				p->group = v;
				return 0;
			}
		return perr(c, 1, "unsupported DH group %s (1 2 5 14 15 16 19 20 21 24)",
			    c->tok[1].s);
	}
	if (kw(c, 0, "lifetime")) {
		if (get_u32(c, 1, "lifetime", 60, 86400, &v) || no_more(c, 2))
			return -1;
		p->lifetime = v;
		return 0;
	}
	return perr(c, 0, "unknown command '%s' in crypto isakmp policy %u", c->tok[0].s,
		    p->prio);
}

static int cmd_profile_sub(struct pctx *c)
{
	struct ik_isakmp_profile *p = c->obj;
	unsigned v;

	if (kw(c, 0, "keyring")) {
		if (need(c, 1, "keyring name") || no_more(c, 2))
			return -1;
		if (p->nkeyrings >= MAX_PROFILE_KEYRINGS)
			return perr(c, 0, "too many keyring lines in isakmp profile %s (limit %d)",
				    p->name, MAX_PROFILE_KEYRINGS);
		*VPUSH(p->keyrings, p->nkeyrings) = NULL;
		add_ref(c, R_PROF_KEYRING, p, p->nkeyrings - 1, 1);
		return 0;
	}
	if (kw(c, 0, "ca")) {
		if (!kw(c, 1, "trust-point"))
			return c->ntok > 1 ? perr(c, 1, "'trust-point' expected, not '%s'", c->tok[1].s)
					   : pincomplete(c, "incomplete command: 'trust-point' expected");
		if (need(c, 2, "trustpoint name") || no_more(c, 3))
			return -1;
		*VPUSH(p->trustpoints, p->ntrustpoints) = NULL;
		add_ref(c, R_PROF_TP, p, p->ntrustpoints - 1, 2);
		return 0;
	}
	if (kw(c, 0, "match") && kw(c, 1, "certificate")) {
		if (need(c, 2, "certificate map name") || no_more(c, 3))
			return -1;
		add_ref(c, R_PROF_MAP, p, 0, 2);
		return 0;
	}
	if (kw(c, 0, "match")) {
		struct ik_identity_match m = { .line = c->lineno };
		int i = 4;

		if (!kw(c, 1, "identity"))
			return c->ntok > 1 ? perr(c, 1, "'identity' expected, not '%s'", c->tok[1].s)
					   : pincomplete(c, "incomplete command: 'identity' expected");
		if (kw(c, 2, "address") &&
		    (kw(c, 3, "ipv6") || (c->ntok > 3 && strchr(c->tok[3].s, ':')))) {
			/* match identity address ipv6 X:X::X/LEN [FVRF] */
			i = kw(c, 3, "ipv6") ? 4 : 3;
			m.kind = IK_MATCH_ADDRESS;
			m.v6 = true;
			if (get_prefix6(c, i, "prefix", m.addr6, &m.plen, true, &m.mask_given))
				return -1;
			i++;
			if (i < c->ntok)
				m.vrf = ik_xstrdup(c->tok[i++].s);
			if (no_more(c, i)) {
				free(m.vrf);
				return -1;
			}
		} else if (kw(c, 2, "address")) {
			m.kind = IK_MATCH_ADDRESS;
			if (get_addr(c, 3, "address", &m.addr))
				return -1;
			m.mask = 0xffffffffu;
			m.plen = 32;
			if (i < c->ntok && is_addr(c->tok[i].s)) {
				if (get_mask(c, i, &m.mask, &m.plen))
					return -1;
				m.mask_given = true;
				i++;
			}
			m.addr &= m.mask;
			if (i < c->ntok)
				m.vrf = ik_xstrdup(c->tok[i++].s);
			if (no_more(c, i)) {
				free(m.vrf);
				return -1;
			}
		} else if (kw(c, 2, "host") && kw(c, 3, "domain")) {
			/* match identity host domain D: every host name in D */
			m.kind = IK_MATCH_HOST_DOMAIN;
			if (need(c, 4, "domain name") || no_more(c, 5))
				return -1;
			m.name = ik_xstrdup(c->tok[4].s[0] == '.' ? c->tok[4].s + 1 : c->tok[4].s);
		} else if (kw(c, 2, "host") || kw(c, 2, "user-fqdn")) {
			m.kind = kw(c, 2, "host") ? IK_MATCH_HOST : IK_MATCH_USER_FQDN;
			if (need(c, 3, "identity") || no_more(c, 4))
				return -1;
			m.name = ik_xstrdup(c->tok[3].s);
		} else if (c->ntok > 2) {
			return perr(c, 2, "unknown identity type '%s' (address, host, user-fqdn)",
				    c->tok[2].s);
		} else {
			return pincomplete(c, "incomplete command: address, host or user-fqdn expected");
		}
		*VPUSH(p->matches, p->nmatches) = m;
		return 0;
	}
	if (kw(c, 0, "vrf")) {
		if (need(c, 1, "vrf name") || no_more(c, 2))
			return -1;
		set_str(&p->ivrf, c->tok[1].s);
		return 0;
	}
	if (kw(c, 0, "self-identity")) {
		if (need(c, 1, "address, fqdn or user-fqdn"))
			return -1;
		if (kw(c, 1, "address")) {
			if (no_more(c, 2))
				return -1;
			p->self_id = IK_SELF_ID_ADDRESS;
			set_str(&p->self_id_value, NULL);
		} else if (kw(c, 1, "fqdn") || kw(c, 1, "user-fqdn")) {
			if (no_more(c, 3))
				return -1;
			p->self_id = kw(c, 1, "fqdn") ? IK_SELF_ID_FQDN : IK_SELF_ID_USER_FQDN;
			set_str(&p->self_id_value, c->ntok > 2 ? c->tok[2].s : NULL);
		} else {
			return perr(c, 1, "unknown self-identity '%s' (address, fqdn, user-fqdn)",
				    c->tok[1].s);
		}
		return 0;
	}
	if (kw(c, 0, "local-address"))
		return parse_local_address(c, 1, &p->local_address_if, &p->local_address,
					   &p->local_v6, p->local_address6);
	if (kw(c, 0, "initiate")) {
		if (!kw(c, 1, "mode"))
			return c->ntok > 1 ? perr(c, 1, "'mode' expected, not '%s'", c->tok[1].s)
					   : pincomplete(c, "incomplete command: 'mode' expected");
		if (!kw(c, 2, "aggressive"))
			return c->ntok > 2 ? perr(c, 2, "'aggressive' expected, not '%s'", c->tok[2].s)
					   : pincomplete(c, "incomplete command: 'aggressive' expected");
		if (no_more(c, 3))
			return -1;
		p->initiate_aggressive = true;
		return 0;
	}
	if (kw(c, 0, "keepalive")) {
		unsigned r;

		if (get_u32(c, 1, "keepalive interval", 10, 3600, &v))
			return -1;
		if (!kw(c, 2, "retry"))
			return c->ntok > 2 ? perr(c, 2, "'retry' expected, not '%s'", c->tok[2].s)
					   : pincomplete(c, "incomplete command: 'retry' expected");
		if (get_u32(c, 3, "keepalive retry", 2, 60, &r) || no_more(c, 4))
			return -1;
		p->keepalive = v;
		p->keepalive_retry = r;
		return 0;
	}
	if (kw(c, 0, "description"))
		return parse_description(c, &p->description);
	if (kw(c, 0, "authorization"))
		return parse_authz_ref(c, R_PROF_AUTHZ, p, &p->authz_line);
	return perr(c, 0, "unknown command '%s' in crypto isakmp profile %s", c->tok[0].s,
		    p->name);
}

static int cmd_isakmp(struct pctx *c)
{
	struct ik_config *cfg = c->cfg;
	unsigned v, r;

	if (need(c, 2, "isakmp command"))
		return -1;
	if (kw(c, 2, "policy")) {
		struct ik_isakmp_policy *p;

		if (get_u32(c, 3, "policy priority", 1, 10000, &v) || no_more(c, 4))
			return -1;
		if (!c->policy_idx[v]) {
			p = VPUSH(cfg->policies, cfg->npolicies);
			p->prio = v;
			p->encr = IK_ENCR_DES;
			p->hash = IK_HASH_SHA1;
			p->auth = IK_AUTH_RSA_SIG;
			p->group = 1;
			p->lifetime = 86400;
			p->line = c->lineno;
			c->policy_idx[v] = (int)cfg->npolicies;
		}
		c->policy = (size_t)c->policy_idx[v] - 1;
		c->mode = M_POLICY;
		return 0;
	}
	if (kw(c, 2, "key"))
		return cmd_isakmp_key(c);
	if (kw(c, 2, "identity")) {
		if (need(c, 3, "address or hostname") || no_more(c, 4))
			return -1;
		if (kw(c, 3, "address"))
			cfg->isakmp_identity = IK_SELF_ID_ADDRESS;
		else if (kw(c, 3, "hostname"))
			cfg->isakmp_identity = IK_SELF_ID_FQDN;
		else
			return perr(c, 3, "unknown identity '%s' (address, hostname)", c->tok[3].s);
		return 0;
	}
	if (kw(c, 2, "keepalive")) {
		int i = 4;
		bool periodic = false;

		if (get_u32(c, 3, "keepalive interval", 10, 3600, &v))
			return -1;
		r = 2;
		if (i < c->ntok && c->tok[i].s[0] >= '0' && c->tok[i].s[0] <= '9') {
			if (get_u32(c, i, "keepalive retry", 2, 60, &r))
				return -1;
			i++;
		}
		if (kw(c, i, "periodic")) {
			periodic = true;
			i++;
		} else if (kw(c, i, "on-demand")) {
			i++;
		}
		if (no_more(c, i))
			return -1;
		cfg->keepalive = v;
		cfg->keepalive_retry = r;
		cfg->keepalive_periodic = periodic;
		return 0;
	}
	if (kw(c, 2, "aggressive-mode")) {
		if (!kw(c, 3, "disable"))
			return c->ntok > 3 ? perr(c, 3, "'disable' expected, not '%s'", c->tok[3].s)
					   : pincomplete(c, "incomplete command: 'disable' expected");
		if (no_more(c, 4))
			return -1;
		cfg->aggressive_mode_disable = true;
		return 0;
	}
	if (kw(c, 2, "invalid-spi-recovery")) {
		if (no_more(c, 3))
			return -1;
		cfg->invalid_spi_recovery = true;
		pwarn(c, "line %d: crypto isakmp invalid-spi-recovery: ikerd does not start an "
		      "IKE exchange to report an invalid SPI; kept for show running-config",
		      c->lineno);
		return 0;
	}
	if (kw(c, 2, "fragmentation")) {
		if (no_more(c, 3))
			return -1;
		cfg->isakmp_fragmentation = true;
		pwarn(c, "line %d: crypto isakmp fragmentation: ikerd does not fragment IKE "
		      "messages; kept for show running-config", c->lineno);
		return 0;
	}
	if (kw(c, 2, "nat-traversal")) {
		/* the older form of crypto isakmp nat keepalive */
		if (get_u32(c, 3, "nat keepalive interval", 5, 3600, &v) || no_more(c, 4))
			return -1;
		cfg->nat_keepalive = v;
		return 0;
	}
	if (kw(c, 2, "nat")) {
		if (!kw(c, 3, "keepalive"))
			return c->ntok > 3 ? perr(c, 3, "'keepalive' expected, not '%s'", c->tok[3].s)
					   : pincomplete(c, "incomplete command: 'keepalive' expected");
		if (get_u32(c, 4, "nat keepalive interval", 5, 3600, &v) || no_more(c, 5))
			return -1;
		cfg->nat_keepalive = v;
		return 0;
	}
	if (kw(c, 2, "authorization"))
		return cmd_authlist(c);
	if (kw(c, 2, "profile")) {
		struct ik_isakmp_profile *p;
		bool created;

		if (need(c, 3, "profile name") || no_more(c, 4))
			return -1;
		p = NAMED_GET(c, IK_NS_PROFILE, 3, struct ik_isakmp_profile, cfg->profiles,
			      cfg->nprofiles, &created);
		if (created) {
			p->line = c->lineno;
			p->order = (unsigned)cfg->nprofiles - 1;
		}
		c->obj = p;
		c->mode = M_PROFILE;
		return 0;
	}
	return perr(c, 2, "unknown command 'crypto isakmp %s'", c->tok[2].s);
}

/* ---- crypto ipsec ---- */

static int parse_transform(struct pctx *c, int *i, struct ik_transform_set *t)
{
	static const struct { const char *n; enum ik_esp_auth a; } auths[] = {
		{ "esp-md5-hmac", IK_ESP_MD5 }, { "esp-sha-hmac", IK_ESP_SHA1 },
		{ "esp-sha256-hmac", IK_ESP_SHA256 }, { "esp-sha384-hmac", IK_ESP_SHA384 },
		{ "esp-sha512-hmac", IK_ESP_SHA512 },
	};
	int at = *i;
	enum ik_esp_enc enc = IK_ESP_ENC_NONE;
	unsigned keylen = 0;

	if (kw(c, at, "esp-des")) {
		enc = IK_ESP_DES;
	} else if (kw(c, at, "esp-3des")) {
		enc = IK_ESP_3DES;
	} else if (kw(c, at, "esp-aes") || kw(c, at, "esp-gcm")) {
		bool gcm = kw(c, at, "esp-gcm");

		enc = gcm ? IK_ESP_GCM : IK_ESP_AES;
		keylen = 128;
		if (at + 1 < c->ntok && c->tok[at + 1].s[0] >= '0' && c->tok[at + 1].s[0] <= '9') {
			const char *s = c->tok[at + 1].s;

			if (!strcmp(s, "128") || !strcmp(s, "256") || (!gcm && !strcmp(s, "192")))
				keylen = (unsigned)atoi(s);
			else
				return perr(c, at + 1, "%s key length must be %s", c->tok[at].s,
					    gcm ? "128 or 256" : "128, 192 or 256");
			(*i)++;
		}
	} else {
		for (size_t k = 0; k < IK_ARRAY_LEN(auths); k++) {
			if (!kw(c, at, auths[k].n))
				continue;
			if (t->auth)
				return perr(c, at, "transform-set %s has two authentication "
					    "transforms", t->name);
			if (t->enc == IK_ESP_GCM)
				return perr(c, at, "esp-gcm provides integrity: it cannot be "
					    "combined with %s", c->tok[at].s);
			t->auth = auths[k].a;
			(*i)++;
			return 0;
		}
		return perr(c, at, "unknown transform '%s'", c->tok[at].s);
	}
	if (t->enc)
		return perr(c, at, "transform-set %s has two encryption transforms", t->name);
	if (enc == IK_ESP_GCM && t->auth)
		return perr(c, at, "esp-gcm provides integrity: it cannot be combined with an "
			    "HMAC transform");
	t->enc = enc;
	t->keylen = keylen;
	(*i)++;
	return 0;
}

static int cmd_tset_sub(struct pctx *c)
{
	struct ik_transform_set *t = c->obj;

	if (kw(c, 0, "mode")) {
		if (need(c, 1, "tunnel or transport"))
			return -1;
		if (kw(c, 1, "transport") && kw(c, 2, "require")) {
			/* transport or nothing: ikerd never falls back to tunnel */
			if (no_more(c, 3))
				return -1;
			t->mode = IK_MODE_TRANSPORT;
			t->mode_require = true;
			return 0;
		}
		if (no_more(c, 2))
			return -1;
		t->mode_require = false;
		if (kw(c, 1, "tunnel"))
			t->mode = IK_MODE_TUNNEL;
		else if (kw(c, 1, "transport"))
			t->mode = IK_MODE_TRANSPORT;
		else
			return perr(c, 1, "unknown mode '%s' (tunnel, transport)", c->tok[1].s);
		return 0;
	}
	return perr(c, 0, "unknown command '%s' in crypto ipsec transform-set %s", c->tok[0].s,
		    t->name);
}

static const unsigned dh_groups[] = { 1, 2, 5, 14, 15, 16, 19, 20, 21, 24 };

/* set pfs [groupN] (ipsec profiles and crypto map entries) */
/* set transform-set NAME...: the list replaces the previous one; the names are
 * references (kind, owner) resolved once the file is read. */
static int parse_set_tsets(struct pctx *c, struct ik_transform_set ***tsets, size_t *ntsets,
			   enum ref_kind kind, void *owner)
{
	if (need(c, 2, "transform-set name"))
		return -1;
	if (c->ntok - 2 > MAX_TSETS_PER_PROFILE)
		return perr(c, 2 + MAX_TSETS_PER_PROFILE,
			    "at most %d transform-sets can be set", MAX_TSETS_PER_PROFILE);
	free(*tsets);
	*tsets = NULL;
	*ntsets = 0;
	for (int i = 2; i < c->ntok; i++) {
		*VPUSH(*tsets, *ntsets) = NULL;
		add_ref(c, kind, owner, *ntsets - 1, i);
	}
	return 0;
}

static int parse_set_pfs(struct pctx *c, unsigned *group)
{
	if (c->ntok == 2) {
		/* IOS: set pfs without a group means group1 */
		*group = 1;
		return 0;
	}
	if (no_more(c, 3))
		return -1;
	for (size_t i = 0; i < IK_ARRAY_LEN(dh_groups); i++) {
		char n[16];

		snprintf(n, sizeof(n), "group%u", dh_groups[i]);
		if (kw(c, 2, n)) {
			*group = dh_groups[i];
			return 0;
		}
	}
	return perr(c, 2, "unsupported PFS group '%s' (group1 group2 group5 group14 "
		    "group15 group16 group19 group20 group21 group24)", c->tok[2].s);
}

/* set security-association lifetime seconds|kilobytes N */
static int parse_set_sa_lifetime(struct pctx *c, uint32_t *sec, uint64_t *kb)
{
	unsigned long long v;

	if (!kw(c, 2, "lifetime"))
		return c->ntok > 2 ? perr(c, 2, "'lifetime' expected, not '%s'", c->tok[2].s)
				   : pincomplete(c, "incomplete command: 'lifetime' expected");
	if (kw(c, 3, "seconds")) {
		if (get_uint(c, 4, "lifetime", 120, 86400, &v) || no_more(c, 5))
			return -1;
		*sec = (uint32_t)v;
	} else if (kw(c, 3, "kilobytes")) {
		if (get_uint(c, 4, "lifetime", 2560, 4294967295ull, &v) || no_more(c, 5))
			return -1;
		*kb = v;
	} else {
		return c->ntok > 3 ? perr(c, 3, "'seconds' or 'kilobytes' expected, not '%s'",
					 c->tok[3].s)
				   : pincomplete(c, "incomplete command: 'seconds' or "
						 "'kilobytes' expected");
	}
	return 0;
}

static int cmd_ipsec_profile_sub(struct pctx *c)
{
	struct ik_ipsec_profile *p = c->obj;

	if (kw(c, 0, "description"))
		return parse_description(c, &p->description);
	if (!kw(c, 0, "set"))
		return perr(c, 0, "unknown command '%s' in crypto ipsec profile %s",
			    c->tok[0].s, p->name);
	if (need(c, 1, "transform-set, isakmp-profile, ikev2-profile, pfs or "
		 "security-association"))
		return -1;
	if (kw(c, 1, "transform-set"))
		return parse_set_tsets(c, &p->tsets, &p->ntsets, R_IPSEC_TSET, p);
	if (kw(c, 1, "isakmp-profile") || kw(c, 1, "ikev2-profile")) {
		bool v1 = kw(c, 1, "isakmp-profile");

		if (need(c, 2, "profile name") || no_more(c, 3))
			return -1;
		add_ref(c, v1 ? R_IPSEC_ISAKMP : R_IPSEC_IKEV2, p, 0, 2);
		return 0;
	}
	if (kw(c, 1, "pfs"))
		return parse_set_pfs(c, &p->pfs_group);
	if (kw(c, 1, "security-association"))
		return parse_set_sa_lifetime(c, &p->lifetime_sec, &p->lifetime_kb);
	return perr(c, 1, "unknown command 'set %s' in crypto ipsec profile %s", c->tok[1].s,
		    p->name);
}

static int cmd_ipsec(struct pctx *c)
{
	struct ik_config *cfg = c->cfg;
	bool created;

	if (need(c, 2, "ipsec command"))
		return -1;
	if (kw(c, 2, "transform-set")) {
		struct ik_transform_set t = { 0 }, *ts;
		int i = 4;

		if (need(c, 3, "transform-set name") || need(c, 4, "transform"))
			return -1;
		t.name = c->tok[3].s;
		while (i < c->ntok)
			if (parse_transform(c, &i, &t))
				return -1;
		ts = NAMED_GET(c, IK_NS_TSET, 3, struct ik_transform_set, cfg->tsets, cfg->ntsets,
			       &created);
		if (created)
			ts->line = c->lineno;
		ts->enc = t.enc;
		ts->keylen = t.keylen;
		ts->auth = t.auth;
		c->obj = ts;
		c->mode = M_TSET;
		return 0;
	}
	if (kw(c, 2, "profile")) {
		struct ik_ipsec_profile *p;

		if (need(c, 3, "profile name") || no_more(c, 4))
			return -1;
		p = NAMED_GET(c, IK_NS_IPSEC_PROFILE, 3, struct ik_ipsec_profile,
			      cfg->ipsec_profiles, cfg->nipsec_profiles, &created);
		if (created)
			p->line = c->lineno;
		c->obj = p;
		c->mode = M_IPSEC_PROFILE;
		return 0;
	}
	if (kw(c, 2, "df-bit")) {
		static const char *const dfs[] = { "copy", "clear", "set" };

		if (need(c, 3, "clear, set or copy") || no_more(c, 4))
			return -1;
		for (size_t i = 0; i < IK_ARRAY_LEN(dfs); i++)
			if (kw(c, 3, dfs[i])) {
				cfg->df_bit = (enum ik_df_bit)i;
				if (i)
					pwarn(c, "line %d: crypto ipsec df-bit %s: ikerd leaves the DF "
					      "bit to the kernel (copied from the inner packet); "
					      "kept for show running-config", c->lineno, dfs[i]);
				return 0;
			}
		return perr(c, 3, "unknown df-bit setting '%s' (clear, set, copy)", c->tok[3].s);
	}
	if (kw(c, 2, "security-association") && kw(c, 3, "replay")) {
		unsigned v;

		if (kw(c, 4, "disable")) {
			if (no_more(c, 5))
				return -1;
			cfg->replay_disable = true;
			pwarn(c, "line %d: anti-replay stays on: ikerd does not turn the kernel's "
			      "replay check off; kept for show running-config", c->lineno);
			return 0;
		}
		if (!kw(c, 4, "window-size"))
			return c->ntok > 4 ? perr(c, 4, "'window-size' or 'disable' expected, not "
						 "'%s'", c->tok[4].s)
					   : pincomplete(c, "incomplete command: 'window-size' or "
							 "'disable' expected");
		if (get_u32(c, 5, "replay window size", 64, 1024, &v) || no_more(c, 6))
			return -1;
		cfg->replay_window = v;
		if (v != 64)
			pwarn(c, "line %d: replay window-size %u: ikerd installs SAs with a window "
			      "of 64 packets; kept for show running-config", c->lineno, v);
		return 0;
	}
	if (kw(c, 2, "security-association") && kw(c, 3, "idle-time")) {
		unsigned v;

		if (get_u32(c, 4, "idle time", 60, 86400, &v) || no_more(c, 5))
			return -1;
		cfg->sa_idle_time = v;
		pwarn(c, "line %d: crypto ipsec security-association idle-time: ikerd keeps idle "
		      "SAs until their lifetime ends; kept for show running-config", c->lineno);
		return 0;
	}
	if (kw(c, 2, "security-association")) {
		unsigned long long v;

		if (!kw(c, 3, "lifetime"))
			return c->ntok > 3 ? perr(c, 3, "unknown command 'crypto ipsec "
						 "security-association %s'", c->tok[3].s)
					   : pincomplete(c, "incomplete command: 'lifetime' expected");
		if (kw(c, 4, "seconds")) {
			if (get_uint(c, 5, "lifetime", 120, 86400, &v) || no_more(c, 6))
				return -1;
			cfg->sa_lifetime_sec = (uint32_t)v;
		} else if (kw(c, 4, "kilobytes")) {
			if (get_uint(c, 5, "lifetime", 2560, 4294967295ull, &v) || no_more(c, 6))
				return -1;
			cfg->sa_lifetime_kb = v;
		} else {
			return c->ntok > 4 ? perr(c, 4, "'seconds' or 'kilobytes' expected, not '%s'",
						 c->tok[4].s)
					   : pincomplete(c, "incomplete command: 'seconds' or "
							 "'kilobytes' expected");
		}
		return 0;
	}
	return perr(c, 2, "unknown command 'crypto ipsec %s'", c->tok[2].s);
}

/* ---- crypto ikev2 ---- */

/* identity forms shared by keyring peers and profiles:
 * address A | fqdn [domain] F | email [domain] E | key-id K */
static int parse_v2_identity(struct pctx *c, int i, enum ik_id_type *type, char **value,
			     bool *domain)
{
	bool dom = false;
	enum ik_id_type t;

	if (need(c, i, "address, fqdn, email or key-id"))
		return -1;
	if (kw(c, i, "address") && i + 1 < c->ntok && strchr(c->tok[i + 1].s, ':')) {
		uint8_t a6[16];
		char buf[IK_ADDR_ANYSTRLEN];

		if (get_addr6(c, i + 1, "address", a6) || no_more(c, i + 2))
			return -1;
		*type = IK_ID_ADDRESS;
		set_str(value, ik_addr6_fmt_ios(a6, buf));
		if (domain)
			*domain = false;
		return 0;
	}
	if (kw(c, i, "address")) {
		uint32_t a;
		char buf[IK_ADDRSTRLEN];

		if (get_addr(c, i + 1, "address", &a) || no_more(c, i + 2))
			return -1;
		*type = IK_ID_ADDRESS;
		set_str(value, ik_addr_fmt(a, buf));
		if (domain)
			*domain = false;
		return 0;
	}
	if (kw(c, i, "fqdn"))
		t = IK_ID_FQDN;
	else if (kw(c, i, "email"))
		t = IK_ID_EMAIL;
	else if (kw(c, i, "key-id"))
		t = IK_ID_KEY_ID;
	else
		return perr(c, i, "unknown identity type '%s' (address, fqdn, email, key-id)",
			    c->tok[i].s);
	if (t != IK_ID_KEY_ID && domain && kw(c, i + 1, "domain") && i + 2 < c->ntok) {
		dom = true;
		i++;
	}
	if (need(c, i + 1, "identity") || no_more(c, i + 2))
		return -1;
	*type = t;
	set_str(value, c->tok[i + 1].s);
	if (domain)
		*domain = dom;
	return 0;
}

static int cmd_v2_peer_sub(struct pctx *c)
{
	struct ik_ikev2_keyring *kr = c->obj;
	struct ik_ikev2_peer *p = &kr->peers[c->peer];

	if (kw(c, 0, "address") &&
	    (kw(c, 1, "ipv6") || (c->ntok > 1 && strchr(c->tok[1].s, ':')))) {
		/* address ipv6 X:X::X/LEN, or address X:X::X/LEN as IOS writes it */
		int i = kw(c, 1, "ipv6") ? 2 : 1;

		if (get_prefix6(c, i, "prefix", p->addr6, &p->plen, true, &p->mask_given) ||
		    no_more(c, i + 1))
			return -1;
		p->v6 = true;
		p->addr = 0;
		p->mask = 0;
		p->has_addr = true;
		return 0;
	}
	if (kw(c, 0, "address")) {
		uint32_t a;

		if (get_addr(c, 1, "address", &a))
			return -1;
		p->v6 = false;
		memset(p->addr6, 0, sizeof(p->addr6));
		p->mask = 0xffffffffu;
		p->plen = 32;
		p->mask_given = false;
		if (c->ntok > 2) {
			if (get_mask(c, 2, &p->mask, &p->plen) || no_more(c, 3))
				return -1;
			p->mask_given = true;
		}
		p->addr = a & p->mask;
		p->has_addr = true;
		return 0;
	}
	if (kw(c, 0, "identity"))
		return parse_v2_identity(c, 1, &p->id_type, &p->id_value, &p->id_domain);
	if (kw(c, 0, "hostname")) {
		if (need(c, 1, "host name") || no_more(c, 2))
			return -1;
		set_str(&p->hostname, c->tok[1].s);
		return 0;
	}
	if (kw(c, 0, "pre-shared-key")) {
		struct ik_secret **dst = &p->psk, *s;
		int ki = 1;

		if ((kw(c, 1, "local") || kw(c, 1, "remote")) && c->ntok > 2) {
			dst = kw(c, 1, "local") ? &p->psk_local : &p->psk_remote;
			ki = 2;
		}
		if ((ki = key_token(c, ki, false, NULL)) < 0)
			return -1;
		if (!(s = secret_from(c, ki)))
			return -1;
		secret_replace(dst, s);
		return 0;
	}
	if (kw(c, 0, "description"))
		return parse_description(c, &p->description);
	return perr(c, 0, "unknown command '%s' in peer %s of crypto ikev2 keyring %s",
		    c->tok[0].s, p->name, kr->name);
}

static int cmd_v2_keyring_sub(struct pctx *c)
{
	struct ik_ikev2_keyring *kr = c->obj;

	if (kw(c, 0, "peer")) {
		size_t klen, idx;
		char *key;
		void *v;

		if (need(c, 1, "peer name") || no_more(c, 2))
			return -1;
		klen = strlen(kr->name) + 1 + (size_t)c->tok[1].len + 1;
		key = ik_xmalloc(klen);
		snprintf(key, klen, "%s\n%s", kr->name, c->tok[1].s);
		v = ik_nmap_get(&c->peers, key);
		if (v) {
			free(key);
			idx = (size_t)(uintptr_t)v - 1;
		} else {
			struct ik_ikev2_peer *p = VPUSH(kr->peers, kr->npeers);

			p->name = ik_xstrdup(c->tok[1].s);
			p->line = c->lineno;
			idx = kr->npeers - 1;
			*VPUSH(c->peer_keys, c->npeer_keys) = key;
			ik_nmap_put(&c->peers, key, (void *)(uintptr_t)(idx + 1));
		}
		c->peer = idx;
		c->mode = M_V2_PEER;
		return 0;
	}
	if (c->mode == M_V2_PEER)
		return cmd_v2_peer_sub(c);
	return perr(c, 0, "unknown command '%s' in crypto ikev2 keyring %s (peer expected)",
		    c->tok[0].s, kr->name);
}

static int add_v2_words(struct pctx *c, const char *what, const char *const *allowed,
			char ***list, size_t *n)
{
	if (need(c, 1, what))
		return -1;
	for (int i = 1; i < c->ntok; i++) {
		const char *w = NULL;
		bool dup = false;

		for (size_t k = 0; allowed[k]; k++)
			if (kw(c, i, allowed[k]))
				w = allowed[k];
		if (!w)
			return perr(c, i, "unknown %s '%s'", what, c->tok[i].s);
		for (size_t k = 0; k < *n; k++)
			if (!strcmp((*list)[k], w))
				dup = true;
		if (!dup)
			*VPUSH(*list, *n) = ik_xstrdup(w);
	}
	return 0;
}

static int cmd_v2_proposal_sub(struct pctx *c)
{
	/* chacha20-poly1305 and group 31 (X25519) are beyond IOS: strongSwan and
	 * libreswan offer them */
	static const char *const encr[] = { "aes-cbc-128", "aes-cbc-192", "aes-cbc-256",
					    "aes-gcm-128", "aes-gcm-256", "chacha20-poly1305",
					    "3des", NULL };
	static const char *const integ[] = { "md5", "sha1", "sha256", "sha384", "sha512", NULL };
	static const char *const groups[] = { "1", "2", "5", "14", "15", "16", "19", "20",
					      "21", "24", "31", NULL };
	struct ik_ikev2_proposal *p = c->obj;

	if (kw(c, 0, "encryption"))
		return add_v2_words(c, "encryption", encr, &p->encr, &p->nencr);
	if (kw(c, 0, "integrity"))
		return add_v2_words(c, "integrity", integ, &p->integ, &p->ninteg);
	if (kw(c, 0, "prf"))
		return add_v2_words(c, "prf", integ, &p->prf, &p->nprf);
	if (kw(c, 0, "group"))
		return add_v2_words(c, "group", groups, &p->group, &p->ngroup);
	return perr(c, 0, "unknown command '%s' in crypto ikev2 proposal %s", c->tok[0].s,
		    p->name);
}

/* match address local A (IKEv2 policies and profiles): repeatable, a
 * repeated address counts once. */
static int match_address_local(struct pctx *c, uint32_t **list, size_t *n)
{
	uint32_t a;

	if (!kw(c, 2, "local"))
		return c->ntok > 2 ? perr(c, 2, "'local' expected, not '%s'", c->tok[2].s)
				   : pincomplete(c, "incomplete command: 'local' expected");
	if (get_addr(c, 3, "address", &a) || no_more(c, 4))
		return -1;
	for (size_t i = 0; i < *n; i++)
		if ((*list)[i] == a)
			return 0;
	if (*n >= MAX_V2_LIST)
		return perr(c, 3, "too many match address lines (limit %d)", MAX_V2_LIST);
	*VPUSH(*list, *n) = a;
	return 0;
}

static int cmd_v2_policy_sub(struct pctx *c)
{
	struct ik_ikev2_policy *p = c->obj;

	if (kw(c, 0, "proposal")) {
		if (need(c, 1, "proposal name") || no_more(c, 2))
			return -1;
		if (p->nproposals >= MAX_V2_LIST)
			return perr(c, 1, "too many proposals in ikev2 policy %s (limit %d)",
				    p->name, MAX_V2_LIST);
		*VPUSH(p->proposals, p->nproposals) = NULL;
		add_ref(c, R_V2POL_PROPOSAL, p, p->nproposals - 1, 1);
		return 0;
	}
	if (kw(c, 0, "match")) {
		if (kw(c, 1, "fvrf")) {
			if (need(c, 2, "vrf name or any") || no_more(c, 3))
				return -1;
			for (size_t i = 0; i < p->nmatch_fvrf; i++)
				if (!strcmp(p->match_fvrf[i], c->tok[2].s))
					return 0;
			if (p->nmatch_fvrf >= MAX_V2_LIST)
				return perr(c, 2, "too many match fvrf lines (limit %d)", MAX_V2_LIST);
			*VPUSH(p->match_fvrf, p->nmatch_fvrf) =
				ik_xstrdup(kw(c, 2, "any") ? "any" : c->tok[2].s);
			return 0;
		}
		if (kw(c, 1, "address"))
			return match_address_local(c, &p->match_local, &p->nmatch_local);
		return c->ntok > 1 ? perr(c, 1, "'fvrf' or 'address' expected, not '%s'", c->tok[1].s)
				   : pincomplete(c, "incomplete command: 'fvrf' or 'address' expected");
	}
	return perr(c, 0, "unknown command '%s' in crypto ikev2 policy %s", c->tok[0].s, p->name);
}

static int cmd_v2_profile_sub(struct pctx *c)
{
	struct ik_ikev2_profile *p = c->obj;
	unsigned v, r;

	if (kw(c, 0, "match")) {
		if (kw(c, 1, "fvrf")) {
			if (need(c, 2, "vrf name or any") || no_more(c, 3))
				return -1;
			set_str(&p->match_fvrf, kw(c, 2, "any") ? "any" : c->tok[2].s);
			return 0;
		}
		if (kw(c, 1, "address"))
			return match_address_local(c, &p->match_local, &p->nmatch_local);
		if (kw(c, 1, "certificate")) {
			if (need(c, 2, "certificate map name") || no_more(c, 3))
				return -1;
			add_ref(c, R_V2PROF_MAP, p, 0, 2);
			return 0;
		}
		if (kw(c, 1, "identity")) {
			struct ik_ikev2_match m = { .line = c->lineno };

			if (!kw(c, 2, "remote"))
				return c->ntok > 2 ? perr(c, 2, "'remote' expected, not '%s'", c->tok[2].s)
						   : pincomplete(c, "incomplete command: 'remote' expected");
			if (kw(c, 3, "address") &&
			    (kw(c, 4, "ipv6") || (c->ntok > 4 && strchr(c->tok[4].s, ':')))) {
				int i = kw(c, 4, "ipv6") ? 5 : 4;

				if (get_prefix6(c, i, "prefix", m.addr6, &m.plen, true,
						&m.mask_given) || no_more(c, i + 1))
					return -1;
				m.type = IK_ID_ADDRESS;
				m.v6 = true;
			} else if (kw(c, 3, "address")) {
				if (get_addr(c, 4, "address", &m.addr))
					return -1;
				m.type = IK_ID_ADDRESS;
				m.mask = 0xffffffffu;
				m.plen = 32;
				if (c->ntok > 5) {
					if (get_mask(c, 5, &m.mask, &m.plen) || no_more(c, 6))
						return -1;
					m.mask_given = true;
				}
				m.addr &= m.mask;
			} else if (parse_v2_identity(c, 3, &m.type, &m.value, &m.domain)) {
				free(m.value);
				return -1;
			}
			*VPUSH(p->matches, p->nmatches) = m;
			return 0;
		}
		return c->ntok > 1 ? perr(c, 1, "'identity', 'fvrf' or 'address' expected, not '%s'",
					 c->tok[1].s)
				   : pincomplete(c, "incomplete command: 'identity', 'fvrf' or "
						 "'address' expected");
	}
	if (kw(c, 0, "identity")) {
		if (!kw(c, 1, "local"))
			return c->ntok > 1 ? perr(c, 1, "'local' expected, not '%s'", c->tok[1].s)
					   : pincomplete(c, "incomplete command: 'local' expected");
		if (kw(c, 2, "dn") && c->ntok == 3) {
			/* the subject of our certificate, as IOS's identity local dn */
			p->local_id_type = IK_ID_NONE;
			p->local_id_dn = true;
			return 0;
		}
		p->local_id_dn = false;
		return parse_v2_identity(c, 2, &p->local_id_type, &p->local_id_value, NULL);
	}
	if (kw(c, 0, "authentication")) {
		enum ik_authm *dst;

		if (kw(c, 1, "local"))
			dst = &p->auth_local;
		else if (kw(c, 1, "remote"))
			dst = &p->auth_remote;
		else
			return c->ntok > 1 ? perr(c, 1, "'local' or 'remote' expected, not '%s'",
						 c->tok[1].s)
					   : pincomplete(c, "incomplete command: 'local' or 'remote' "
							 "expected");
		if (need(c, 2, "pre-share, rsa-sig or ecdsa-sig"))
			return -1;
		if (dst == &p->auth_local && c->ntok == 4 && kw(c, 3, "digital-signature") &&
		    (kw(c, 2, "rsa-sig") || kw(c, 2, "ecdsa-sig")))
			p->auth_local_digsig = true;
		else if (no_more(c, 3))
			return -1;
		else if (dst == &p->auth_local)
			p->auth_local_digsig = false;
		if (kw(c, 2, "pre-share"))
			*dst = IK_AUTH_PSK;
		else if (kw(c, 2, "rsa-sig"))
			*dst = IK_AUTH_RSA_SIG;
		else if (kw(c, 2, "ecdsa-sig"))
			*dst = IK_AUTH_ECDSA_SIG;
		else
			return perr(c, 2, "unsupported authentication '%s' (pre-share, rsa-sig, "
				    "ecdsa-sig)", c->tok[2].s);
		return 0;
	}
	if (kw(c, 0, "pki")) {
		/* pki trustpoint NAME [sign | verify] */
		if (!kw(c, 1, "trustpoint"))
			return c->ntok > 1 ? perr(c, 1, "'trustpoint' expected, not '%s'", c->tok[1].s)
					   : pincomplete(c, "incomplete command: 'trustpoint' expected");
		if (need(c, 2, "trustpoint name"))
			return -1;
		if (c->ntok > 3 && !kw(c, 3, "sign") && !kw(c, 3, "verify"))
			return perr(c, 3, "'sign' or 'verify' expected, not '%s'", c->tok[3].s);
		if (no_more(c, 4))
			return -1;
		*VPUSH(p->trustpoints, p->ntrustpoints) = NULL;
		add_ref(c, R_V2PROF_TP, p, p->ntrustpoints - 1, 2);
		return 0;
	}
	if (kw(c, 0, "keyring")) {
		int i = kw(c, 1, "local") && c->ntok > 2 ? 2 : 1;

		if (need(c, i, "keyring name") || no_more(c, i + 1))
			return -1;
		add_ref(c, R_V2PROF_KEYRING, p, 0, i);
		return 0;
	}
	if (kw(c, 0, "lifetime")) {
		if (get_u32(c, 1, "lifetime", 120, 86400, &v) || no_more(c, 2))
			return -1;
		p->lifetime = v;
		return 0;
	}
	if (kw(c, 0, "dpd")) {
		if (get_u32(c, 1, "dpd interval", 10, 3600, &v) ||
		    get_u32(c, 2, "dpd retry", 2, 60, &r))
			return -1;
		if (need(c, 3, "on-demand or periodic") || no_more(c, 4))
			return -1;
		if (kw(c, 3, "periodic"))
			p->dpd_periodic = true;
		else if (kw(c, 3, "on-demand"))
			p->dpd_periodic = false;
		else
			return perr(c, 3, "'on-demand' or 'periodic' expected, not '%s'", c->tok[3].s);
		p->dpd_interval = v;
		p->dpd_retry = r;
		return 0;
	}
	if (kw(c, 0, "nat")) {
		if (!kw(c, 1, "keepalive"))
			return c->ntok > 1 ? perr(c, 1, "'keepalive' expected, not '%s'", c->tok[1].s)
					   : pincomplete(c, "incomplete command: 'keepalive' expected");
		if (get_u32(c, 2, "nat keepalive", 5, 3600, &v) || no_more(c, 3))
			return -1;
		p->nat_keepalive = v;
		return 0;
	}
	if (kw(c, 0, "description"))
		return parse_description(c, &p->description);
	if (kw(c, 0, "authorization"))
		return parse_authz_ref(c, R_V2PROF_AUTHZ, p, &p->authz_line);
	return perr(c, 0, "unknown command '%s' in crypto ikev2 profile %s", c->tok[0].s,
		    p->name);
}

/* crypto call admission limit ike in-negotiation-sa N: the bound on IKE
 * SAs in negotiation (the half-open table). */
static int cmd_call_admission(struct pctx *c)
{
	static const char *const words[] = { NULL, NULL, "admission", "limit", "ike",
					     "in-negotiation-sa" };
	unsigned v;

	for (int i = 2; i < 6; i++) {
		if (i >= c->ntok)
			return pincomplete(c, "incomplete command: '%s' expected", words[i]);
		if (i == 5 && kw(c, i, "sa"))
			return perr(c, i, "crypto call admission limit ike sa is not supported "
				    "(in-negotiation-sa is)");
		if (!kw(c, i, words[i]))
			return perr(c, i, "'%s' expected, not '%s'", words[i], c->tok[i].s);
	}
	if (get_u32(c, 6, "in-negotiation-sa limit", 10, 100000, &v) || no_more(c, 7))
		return -1;
	c->cfg->max_in_negotiation = v;
	return 0;
}

static int cmd_ikev2(struct pctx *c)
{
	struct ik_config *cfg = c->cfg;
	bool created;

	if (need(c, 2, "ikev2 command"))
		return -1;
	if (kw(c, 2, "limit")) {
		unsigned v;

		if (need(c, 3, "max-in-negotiation-sa"))
			return -1;
		if (!kw(c, 3, "max-in-negotiation-sa"))
			return perr(c, 3, "'max-in-negotiation-sa' expected, not '%s' (the only "
				    "crypto ikev2 limit supported)", c->tok[3].s);
		if (get_u32(c, 4, "max-in-negotiation-sa limit", 1, 100000, &v) || no_more(c, 5))
			return -1;
		cfg->v2_max_in_negotiation = v;
		return 0;
	}
	if (kw(c, 2, "cookie-challenge")) {
		unsigned v;

		if (get_u32(c, 3, "cookie-challenge threshold", 1, 1000, &v) || no_more(c, 4))
			return -1;
		cfg->v2_cookie_challenge = v;
		return 0;
	}
	if (kw(c, 2, "fragmentation")) {
		unsigned v = IK_V2_FRAG_MTU_DEFAULT;

		if (c->ntok > 3) {
			if (!kw(c, 3, "mtu"))
				return perr(c, 3, "'mtu' expected, not '%s'", c->tok[3].s);
			if (need(c, 4, "mtu size") ||
			    get_u32(c, 4, "fragmentation mtu", IK_V2_FRAG_MTU_MIN,
				    IK_V2_FRAG_MTU_MAX, &v))
				return -1;
		}
		if (no_more(c, c->ntok > 3 ? 5 : 3))
			return -1;
		cfg->v2_frag_mtu = v;
		return 0;
	}
	if (!kw(c, 2, "keyring") && !kw(c, 2, "proposal") && !kw(c, 2, "policy") &&
	    !kw(c, 2, "profile"))
		return perr(c, 2, "unknown command 'crypto ikev2 %s'", c->tok[2].s);
	if (need(c, 3, "name") || no_more(c, 4))
		return -1;
	if (kw(c, 2, "keyring")) {
		struct ik_ikev2_keyring *k = NAMED_GET(c, IK_NS_V2_KEYRING, 3,
			struct ik_ikev2_keyring, cfg->v2_keyrings, cfg->nv2_keyrings, &created);
		if (created)
			k->line = c->lineno;
		c->obj = k;
		c->mode = M_V2_KEYRING;
	} else if (kw(c, 2, "proposal")) {
		struct ik_ikev2_proposal *p = NAMED_GET(c, IK_NS_V2_PROPOSAL, 3,
			struct ik_ikev2_proposal, cfg->v2_proposals, cfg->nv2_proposals, &created);
		if (created)
			p->line = c->lineno;
		c->obj = p;
		c->mode = M_V2_PROPOSAL;
	} else if (kw(c, 2, "policy")) {
		struct ik_ikev2_policy *p = NAMED_GET(c, IK_NS_V2_POLICY, 3,
			struct ik_ikev2_policy, cfg->v2_policies, cfg->nv2_policies, &created);
		if (created)
			p->line = c->lineno;
		c->obj = p;
		c->mode = M_V2_POLICY;
	} else {
		struct ik_ikev2_profile *p = NAMED_GET(c, IK_NS_V2_PROFILE, 3,
			struct ik_ikev2_profile, cfg->v2_profiles, cfg->nv2_profiles, &created);
		if (created) {
			p->line = c->lineno;
			p->order = (unsigned)cfg->nv2_profiles - 1;
		}
		c->obj = p;
		c->mode = M_V2_PROFILE;
	}
	return 0;
}

/* ---- crypto pki (certificates: conf/pki_conf.h) ---- */

static struct ik_trustpoint *tp_named(struct pctx *c, int ni)
{
	return ik_nmap_get(&c->st->names[IK_NS_TRUSTPOINT], c->tok[ni].s);
}

/* crypto pki import NAME pem [FILE] [key KEYFILE] */
static int pki_import(struct pctx *c)
{
	struct ik_trustpoint *tp;
	struct ik_tp_import im = { .line = c->lineno };
	char err[512] = "";
	int i = 5;

	if (need(c, 3, "trustpoint name"))
		return -1;
	if (!(tp = tp_named(c, 3)))
		return perr(c, 3, "unknown trustpoint '%s': define it (crypto pki trustpoint %s) "
			    "before importing into it", c->tok[3].s, c->tok[3].s);
	if (!kw(c, 4, "pem"))
		return c->ntok > 4 ? perr(c, 4, "'pem' expected, not '%s' (ikerd imports PEM "
					  "files)", c->tok[4].s)
				   : pincomplete(c, "incomplete command: 'pem' expected");
	if (i < c->ntok && !kw(c, i, "key"))
		im.file = c->tok[i++].s;
	if (kw(c, i, "key")) {
		if (need(c, i + 1, "private key file"))
			return -1;
		im.keyfile = c->tok[i + 1].s;
		i += 2;
	}
	if (!im.file && !im.keyfile)
		return pincomplete(c, "incomplete command: a PEM file or 'key KEYFILE' expected");
	if (no_more(c, i))
		return -1;
	if (ik_conf_pki_import(c->cfg->file, tp, &im, err, sizeof(err)))
		return perr(c, im.keyfile && i - 1 < c->ntok && !im.file ? i - 1 : 5, "%s", err);
	im.file = im.file ? ik_xstrdup(im.file) : NULL;
	im.keyfile = im.keyfile ? ik_xstrdup(im.keyfile) : NULL;
	*VPUSH(tp->imports, tp->nimports) = im;
	return 0;
}

static int cmd_pki(struct pctx *c)
{
	struct ik_config *cfg = c->cfg;
	bool created;

	if (kw(c, 2, "import"))
		return pki_import(c);
	if (kw(c, 2, "trustpoint")) {
		struct ik_trustpoint *tp;

		if (need(c, 3, "trustpoint name") || no_more(c, 4))
			return -1;
		tp = NAMED_GET(c, IK_NS_TRUSTPOINT, 3, struct ik_trustpoint, cfg->trustpoints,
			       cfg->ntrustpoints, &created);
		if (created) {
			tp->line = c->lineno;
			tp->order = (unsigned)cfg->ntrustpoints - 1;
		}
		c->obj = tp;
		c->mode = M_PKI_TP;
		return 0;
	}
	if (kw(c, 3, "chain")) {
		struct ik_trustpoint *tp;

		if (need(c, 4, "trustpoint name") || no_more(c, 5))
			return -1;
		if (!(tp = tp_named(c, 4)))
			return perr(c, 4, "unknown trustpoint '%s': a certificate chain belongs to a "
				    "trustpoint defined before it", c->tok[4].s);
		tp->has_chain = true;
		c->obj = tp;
		c->mode = M_PKI_CHAIN;
		return 0;
	}
	if (kw(c, 3, "map")) {
		struct ik_certmap *m;
		struct ik_certmap_entry *e = NULL;
		unsigned seq;

		if (need(c, 4, "certificate map name") ||
		    get_u32(c, 5, "sequence number", 1, 65535, &seq) || no_more(c, 6))
			return -1;
		m = NAMED_GET(c, IK_NS_CERTMAP, 4, struct ik_certmap, cfg->certmaps,
			      cfg->ncertmaps, &created);
		if (created)
			m->line = c->lineno;
		for (size_t k = 0; k < m->nentries && !e; k++)
			if (m->entries[k].seq == seq) {
				e = &m->entries[k];
				c->map_entry = k;
			}
		if (!e) {
			e = VPUSH(m->entries, m->nentries);
			e->seq = seq;
			e->line = c->lineno;
			c->map_entry = m->nentries - 1;
		}
		c->obj = m;
		c->mode = M_PKI_MAP;
		return 0;
	}
	return perr(c, 3, "'chain' or 'map' expected after 'crypto pki certificate'");
}

static int cmd_pki_tp_sub(struct pctx *c)
{
	struct ik_trustpoint *tp = c->obj;

	if (kw(c, 0, "enrollment")) {
		if (kw(c, 1, "terminal") && c->ntok == 2) {
			tp->enrollment_terminal = true;
			return 0;
		}
		if (kw(c, 1, "selfsigned") && c->ntok == 2) {
			tp->enrollment_selfsigned = true;
			return 0;
		}
		/* enrollment url, ...: the certificates come from the file */
		warn_ignored(c, "crypto pki trustpoint");
		return 0;
	}
	if (kw(c, 0, "revocation-check")) {
		if (need(c, 1, "none or crl") || no_more(c, 2))
			return -1;
		if (kw(c, 1, "none"))
			tp->revocation = IK_REVOKE_NONE;
		else if (kw(c, 1, "crl"))
			tp->revocation = IK_REVOKE_CRL;
		else
			return perr(c, 1, "unsupported revocation-check '%s' (none, crl)",
				    c->tok[1].s);
		return 0;
	}
	if (kw(c, 0, "subject-name")) {
		if (need(c, 1, "subject name"))
			return -1;
		free(tp->subject_name);
		tp->subject_name = tok_span_dup(c, 1);
		return 0;
	}
	if (kw(c, 0, "rsakeypair") || kw(c, 0, "eckeypair")) {
		if (need(c, 1, "key pair label"))
			return -1;
		/* the key size words that may follow are kept out: the key is a file */
		set_str(kw(c, 0, "rsakeypair") ? &tp->rsakeypair : &tp->eckeypair, c->tok[1].s);
		return 0;
	}
	if (kw(c, 0, "serial-number") || kw(c, 0, "ip-address") || kw(c, 0, "fqdn") ||
	    kw(c, 0, "usage") || kw(c, 0, "auto-enroll") || kw(c, 0, "hash") ||
	    kw(c, 0, "crl") || kw(c, 0, "password") || kw(c, 0, "source")) {
		warn_ignored(c, "crypto pki trustpoint");
		return 0;
	}
	return perr(c, 0, "unknown command '%s' in crypto pki trustpoint %s", c->tok[0].s,
		    tp->name);
}

static int cmd_pki_chain_sub(struct pctx *c)
{
	int i = 1;

	if (!kw(c, 0, "certificate"))
		return perr(c, 0, "'certificate' expected in crypto pki certificate chain, not '%s'",
			    c->tok[0].s);
	c->cert_ca = false;
	c->cert_self = false;
	if (kw(c, 1, "ca")) {
		c->cert_ca = true;
		i = 2;
	} else if (kw(c, 1, "self-signed")) {
		/* IOS's own HTTPS certificate (TP-self-signed-N): kept, not used */
		c->cert_self = true;
		i = 2;
	} else if (kw(c, 1, "rollover")) {
		return perr(c, 1, "certificate rollover is not supported: give the trust anchor "
			    "as 'certificate ca SERIAL'");
	}
	if (need(c, i, "certificate serial number") || no_more(c, i + 1))
		return -1;
	free(c->cert_serial);
	c->cert_serial = ik_xstrdup(c->tok[i].s);
	c->cert_len = 0;
	c->cert_line = c->lineno;
	c->mode = M_PKI_CERT;
	return 0;
}

/* A hex line of a certificate, or the quit that ends it. */
static int cmd_pki_cert_sub(struct pctx *c)
{
	struct ik_trustpoint *tp = c->obj;
	char err[512];

	if (kw(c, 0, "quit")) {
		struct ik_tp_cert tc = { .ca = c->cert_ca, .self_signed = c->cert_self,
					 .line = c->cert_line };

		c->mode = M_PKI_CHAIN;
		if (no_more(c, 1))
			return -1;
		if (!c->cert_len) {
			line_error(c, c->cert_line, false, "certificate %s has no hex lines before "
				   "its quit", c->cert_serial ? c->cert_serial : "");
			return -1;
		}
		if (c->cert_self) {
			pwarn(c, "line %d: certificate self-signed %s of trustpoint %s: not used by "
			      "ikerd (IKE uses the CA and router certificates); kept for show "
			      "running-config", c->cert_line, c->cert_serial, tp->name);
		} else if (ik_conf_pki_chain_cert(tp, c->cert_der, c->cert_len, c->cert_ca, err,
						  sizeof(err))) {
			line_error(c, c->cert_line, false, "%s", err);
			return -1;
		}
		tc.der = ik_xmalloc(c->cert_len);
		memcpy(tc.der, c->cert_der, c->cert_len);
		tc.len = c->cert_len;
		tc.serial = c->cert_serial;
		c->cert_serial = NULL;
		*VPUSH(tp->certs, tp->ncerts) = tc;
		return 0;
	}
	for (int t = 0; t < c->ntok; t++) {
		const char *s = c->tok[t].s;
		size_t n = strlen(s);

		if (n % 2)
			return perr(c, t, "odd number of hex digits in '%s'", s);
		for (size_t k = 0; k < n; k += 2) {
			int hi = hexval(s[k]), lo = hexval(s[k + 1]);

			if (hi < 0 || lo < 0)
				return perr(c, t, "'%s' is not hex (a certificate line, or quit, "
					    "expected)", s);
			if (c->cert_len >= IK_PKI_MAX_CERT)
				return perr(c, t, "certificate longer than %u bytes", IK_PKI_MAX_CERT);
			if (c->cert_len == c->cert_cap) {
				c->cert_cap = c->cert_cap ? c->cert_cap * 2 : 1024;
				c->cert_der = ik_xrealloc(c->cert_der, c->cert_cap);
			}
			c->cert_der[c->cert_len++] = (uint8_t)(hi << 4 | lo);
		}
	}
	return 0;
}

static void pki_cert_unclosed(struct pctx *c)
{
	line_error(c, c->cert_line, true, "certificate %s not closed by 'quit' before the end of "
		   "its block", c->cert_serial ? c->cert_serial : "");
	c->mode = M_NONE;
}

/* subject-name|issuer-name eq|ne|co|nc VALUE */
static int cmd_pki_map_sub(struct pctx *c)
{
	struct ik_certmap *m = c->obj;
	struct ik_certmap_entry *e = &m->entries[c->map_entry];
	struct ik_certmap_rule r = { 0 };
	static const char *const ops[] = { "eq", "ne", "co", "nc" };
	bool op_ok = false;

	if (kw(c, 0, "subject-name"))
		r.field = IK_PKI_MAP_SUBJECT;
	else if (kw(c, 0, "issuer-name"))
		r.field = IK_PKI_MAP_ISSUER;
	else
		return perr(c, 0, "unknown command '%s' in crypto pki certificate map %s %u "
			    "(subject-name, issuer-name)", c->tok[0].s, m->name, e->seq);
	if (need(c, 1, "eq, ne, co or nc"))
		return -1;
	for (unsigned k = 0; k < IK_ARRAY_LEN(ops); k++)
		if (kw(c, 1, ops[k])) {
			r.op = (uint8_t)k;
			op_ok = true;
		}
	if (!op_ok)
		return perr(c, 1, "unknown operator '%s' (eq, ne, co, nc)", c->tok[1].s);
	if (need(c, 2, "value"))
		return -1;
	r.value = tok_span_dup(c, 2);
	*VPUSH(e->rules, e->nrules) = r;
	return 0;
}

static int cmp_map_entry(const void *a, const void *b)
{
	const struct ik_certmap_entry *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* After the last line: each trustpoint checked, map entries in SEQ order. */
static int pki_finish(struct pctx *c)
{
	struct ik_config *cfg = c->cfg;
	char err[512];
	int bad = 0;

	for (size_t i = 0; i < cfg->ntrustpoints; i++)
		if (ik_conf_pki_check(cfg->trustpoints[i], cfg->hostname, err, sizeof(err))) {
			line_error(c, cfg->trustpoints[i]->line, false, "%s", err);
			bad = -1;
		}
	for (size_t i = 0; i < cfg->ncertmaps; i++)
		qsort(cfg->certmaps[i]->entries, cfg->certmaps[i]->nentries,
		      sizeof(cfg->certmaps[i]->entries[0]), cmp_map_entry);
	for (size_t i = 0; i < cfg->nprofiles; i++)
		if (cfg->profiles[i]->cert_map)
			*VPUSH(cfg->certmap_profiles, cfg->ncertmap_profiles) = cfg->profiles[i];
	for (size_t i = 0; i < cfg->nv2_profiles; i++)
		if (cfg->v2_profiles[i]->cert_map)
			*VPUSH(cfg->v2_certmap_profiles, cfg->nv2_certmap_profiles) =
				cfg->v2_profiles[i];
	return bad;
}

/* ---- access lists ---- */

/* Extended list numbers: 100-199 and 2000-2699. */
static bool acl_num_extended(const char *s)
{
	unsigned long v;
	char *end;

	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 5)
		return false;
	v = strtoul(s, &end, 10);
	return (v >= 100 && v <= 199) || (v >= 2000 && v <= 2699);
}

static struct ik_acl *acl_get(struct pctx *c, int ni)
{
	struct ik_config *cfg = c->cfg;
	bool created;
	struct ik_acl *a = NAMED_GET(c, IK_NS_ACL, ni, struct ik_acl, cfg->acls, cfg->nacls,
				     &created);

	if (created) {
		a->line = c->lineno;
		a->numbered = acl_num_extended(a->name);
	}
	return a;
}

/* One line of list a from token i on: [SEQ] permit|deny ... or remark TEXT.
 * A line without a sequence number goes last, 10 after the last one. */
static int acl_add_line(struct pctx *c, struct ik_acl *a, int i, bool seq_allowed)
{
	struct ik_ace ace = { .line = c->lineno };
	const char *w[64];
	char msg[200];
	int n = 0, bad = 0;
	size_t at;

	if (seq_allowed && !a->ipv6 && i < c->ntok && c->tok[i].s[0] >= '0' &&
	    c->tok[i].s[0] <= '9') {
		if (get_u32(c, i, "sequence number", 1, 2147483647, &ace.seq))
			return -1;
		i++;
	}
	if (need(c, i, a->ipv6 ? "permit, deny, sequence or remark" : "permit, deny or remark"))
		return -1;
	if (a->naces >= MAX_ACES)
		return perr(c, i, "access list %s has more than %d lines", a->name, MAX_ACES);
	if (kw(c, i, "remark")) {
		if (need(c, i + 1, "remark text"))
			return -1;
		ace.action = IK_ACE_REMARK;
		ace.remark = tok_span_dup(c, i + 1);
		if (strlen(ace.remark) > 100) {
			free(ace.remark);
			return perr(c, i + 1, "remark is longer than 100 characters");
		}
	} else {
		if (c->ntok - i > (int)IK_ARRAY_LEN(w))
			return perr(c, i + (int)IK_ARRAY_LEN(w), "access-list line is too long");
		for (int k = i; k < c->ntok; k++)
			w[n++] = c->tok[k].s;
		if ((a->ipv6 ? ik_ace6_parse : ik_ace_parse)(w, n, &ace, &bad, msg, sizeof(msg))) {
			if (bad >= n)
				return pincomplete(c, "%s", msg);
			return perr(c, i + bad, "%s", msg);
		}
	}
	/* a remark takes no number of its own: it goes with the next line */
	if (!ace.seq) {
		ace.seq = a->naces ? a->aces[a->naces - 1].seq : 0;
		if (ace.action != IK_ACE_REMARK)
			ace.seq += 10;
	}
	for (at = a->naces; at > 0 && a->aces[at - 1].seq > ace.seq; at--)
		;
	for (size_t k = at; ace.action != IK_ACE_REMARK && k > 0 &&
	     a->aces[k - 1].seq == ace.seq; k--) {
		if (a->aces[k - 1].action == IK_ACE_REMARK)
			continue;
		return perr(c, i - 1 >= 0 ? i - 1 : 0, "duplicate sequence number %u in access "
			    "list %s (line %d)", ace.seq, a->name, a->aces[k - 1].line);
	}
	VPUSH(a->aces, a->naces);
	memmove(&a->aces[at + 1], &a->aces[at], (a->naces - 1 - at) * sizeof(a->aces[0]));
	a->aces[at] = ace;
	return 0;
}

/* ip access-list extended NAME (a sub-mode of lines); standard lists and
 * the other ip access-list commands are not used by ikerd. */
static int cmd_ip_acl(struct pctx *c)
{
	if (!kw(c, 2, "extended")) {
		warn_ignored(c, NULL);
		c->mode = M_IGNORE;
		return 0;
	}
	if (need(c, 3, "access list name") || no_more(c, 4))
		return -1;
	if (c->tok[3].s[0] >= '0' && c->tok[3].s[0] <= '9' && !acl_num_extended(c->tok[3].s))
		return perr(c, 3, "access list %s is not an extended list number (100-199, "
			    "2000-2699)", c->tok[3].s);
	c->obj = acl_get(c, 3);
	if (((struct ik_acl *)c->obj)->ipv6)
		return perr(c, 3, "%s is an IPv6 access list (line %d): IPv4 and IPv6 lists need "
			    "names of their own here", c->tok[3].s, ((struct ik_acl *)c->obj)->line);
	c->mode = M_ACL;
	return 0;
}

/* ipv6 access-list NAME (a sub-mode of IPv6 lines). */
static int cmd_ipv6_acl(struct pctx *c)
{
	struct ik_acl *a;

	if (need(c, 2, "access list name") || no_more(c, 3))
		return -1;
	a = acl_get(c, 2);
	if (!a->ipv6 && a->naces)
		return perr(c, 2, "%s is an IPv4 access list (line %d): IPv4 and IPv6 lists need "
			    "names of their own here", a->name, a->line);
	if (a->numbered)
		return perr(c, 2, "an IPv6 access list is named, not numbered");
	a->ipv6 = true;
	c->obj = a;
	c->mode = M_ACL;
	return 0;
}

static int cmd_acl_sub(struct pctx *c)
{
	return acl_add_line(c, c->obj, 0, true);
}

/* access-list N permit|deny|remark ... */
static int cmd_access_list(struct pctx *c)
{
	if (need(c, 1, "access list number"))
		return -1;
	if (!acl_num_extended(c->tok[1].s)) {
		/* standard, MAC, protocol-type lists: not crypto ACLs */
		warn_ignored(c, NULL);
		return 0;
	}
	if (kw(c, 2, "dynamic"))
		return perr(c, 2, "dynamic access-list lines are not supported");
	return acl_add_line(c, acl_get(c, 1), 2, false);
}

/* ---- crypto maps ---- */

static struct ik_cmap *cmap_get(struct pctx *c, int ni, bool dynamic)
{
	struct ik_config *cfg = c->cfg;
	bool created;
	struct ik_cmap *m = NAMED_GET(c, dynamic ? IK_NS_DYNMAP : IK_NS_CMAP, ni, struct ik_cmap,
				      cfg->cmaps, cfg->ncmaps, &created);

	if (created) {
		m->line = c->lineno;
		m->is_dynamic = dynamic;
	}
	return m;
}

/* The entry SEQ of m, created in its place when new. */
static struct ik_cmap_entry *cmap_entry_get(struct pctx *c, struct ik_cmap *m, unsigned seq,
					    bool *created)
{
	size_t at;
	struct ik_cmap_entry *e;

	for (at = m->nentries; at > 0 && m->entries[at - 1]->seq > seq; at--)
		;
	*created = false;
	if (at > 0 && m->entries[at - 1]->seq == seq)
		return m->entries[at - 1];
	e = ik_xcalloc(1, sizeof(*e));
	e->map = m;
	e->seq = seq;
	e->line = c->lineno;
	VPUSH(m->entries, m->nentries);
	memmove(&m->entries[at + 1], &m->entries[at],
		(m->nentries - 1 - at) * sizeof(m->entries[0]));
	m->entries[at] = e;
	*created = true;
	return e;
}

/* crypto map NAME SEQ [ipsec-isakmp [dynamic DYN]] | crypto map NAME
 * local-address IF | crypto dynamic-map NAME SEQ */
static int cmd_cmap(struct pctx *c)
{
	bool dynamic = kw(c, 1, "dynamic-map"), created;
	struct ik_cmap *m;
	struct ik_cmap_entry *e;
	unsigned seq;
	int dyn_ti = -1;

	if (need(c, 2, "map name") || need(c, 3, "sequence number or local-address"))
		return -1;
	if (!dynamic && kw(c, 3, "local-address")) {
		if (need(c, 4, "interface") || no_more(c, 5))
			return -1;
		if (is_addr(c->tok[4].s))
			return perr(c, 4, "crypto map local-address takes an interface, not an "
				    "address");
		m = cmap_get(c, 2, false);
		free(m->local_address_if);
		m->local_address_if = iface_canon(c->tok[4].s);
		return 0;
	}
	if (!(c->tok[3].s[0] >= '0' && c->tok[3].s[0] <= '9'))
		return perr(c, 3, "'crypto %s %s %s' is not supported by ikerd (a sequence "
			    "number%s expected)", c->tok[1].s, c->tok[2].s, c->tok[3].s,
			    dynamic ? "" : " or local-address");
	if (get_u32(c, 3, "sequence number", 1, MAX_CMAP_ENTRIES, &seq))
		return -1;
	if (dynamic) {
		if (no_more(c, 4))
			return -1;
	} else if (c->ntok > 4) {
		if (kw(c, 4, "ipsec-manual") || kw(c, 4, "gdoi"))
			return perr(c, 4, "crypto map entries of type %s are not supported: use "
				    "ipsec-isakmp", c->tok[4].s);
		if (!kw(c, 4, "ipsec-isakmp"))
			return perr(c, 4, "'ipsec-isakmp' expected, not '%s'", c->tok[4].s);
		if (c->ntok > 5) {
			if (!kw(c, 5, "dynamic"))
				return perr(c, 5, "'dynamic' expected, not '%s'", c->tok[5].s);
			if (need(c, 6, "dynamic map name") || no_more(c, 7))
				return -1;
			dyn_ti = 6;
		}
	}
	m = cmap_get(c, 2, dynamic);
	e = cmap_entry_get(c, m, seq, &created);
	if (!created && (dyn_ti >= 0) != (e->dynamic_name != NULL))
		return perr(c, dyn_ti >= 0 ? 5 : 3, "crypto map %s %u is already defined (line "
			    "%d) %s a dynamic map", m->name, seq, e->line,
			    dyn_ti >= 0 ? "without" : "with");
	if (dyn_ti >= 0 && created) {
		e->dynamic_name = ik_xstrdup(c->tok[dyn_ti].s);
		add_ref(c, R_CMAP_DYN, e, 0, dyn_ti);
	} else if (dyn_ti >= 0 && strcmp(e->dynamic_name, c->tok[dyn_ti].s)) {
		return perr(c, dyn_ti, "crypto map %s %u already refers to dynamic map %s (line "
			    "%d)", m->name, seq, e->dynamic_name, e->line);
	}
	c->obj = e;
	c->mode = M_CMAP;
	return 0;
}

static int cmap_set_peer(struct pctx *c, struct ik_cmap_entry *e)
{
	struct ik_addr a;
	char fa[IK_ADDR_ANYSTRLEN];
	bool dflt = kw(c, 3, "default");

	if (need(c, 2, "peer address"))
		return -1;
	if (ik_addr_parse_any(c->tok[2].s, &a))
		return perr(c, 2, "'%s' is not a valid peer address (an IPv4 or IPv6 address "
			    "expected; ikerd does not resolve host names)", c->tok[2].s);
	if (no_more(c, dflt ? 4 : 3))
		return -1;
	if (ik_addr_is_any(&a))
		return perr(c, 2, "peer %s is not valid", ik_addr_fmt_ios(&a, fa));
	if (a.family == IK_AF_INET6 && (a.v6[0] == 0xff ||
					(a.v6[0] == 0xfe && (a.v6[1] & 0xc0) == 0x80)))
		return perr(c, 2, "peer %s is not valid (a multicast or link-local address)",
			    ik_addr_fmt_ios(&a, fa));
	if (e->npeers && e->peers[0].family != a.family)
		/* the map applies an entry to IPv4 (crypto map) or to IPv6
		 * (ipv6 crypto map): its peers are of one family */
		return perr(c, 2, "crypto map %s %u sets %s peers already (first: %s): a %s "
			    "peer cannot join them; use another entry", e->map->name, e->seq,
			    e->peers[0].family == IK_AF_INET6 ? "IPv6" : "IPv4",
			    ik_addr_fmt_ios(&e->peers[0], fa),
			    a.family == IK_AF_INET6 ? "IPv6" : "IPv4");
	for (size_t i = 0; i < e->npeers; i++)
		if (ik_addr_eq(&e->peers[i], &a)) {
			if (dflt && i)
				return perr(c, 3, "only the first peer can be the default peer");
			e->peer_default |= dflt;
			return 0;
		}
	if (dflt && e->npeers)
		return perr(c, 3, "only the first peer can be the default peer");
	if (e->npeers >= MAX_CMAP_PEERS)
		return perr(c, 2, "at most %d peers can be set in a crypto map entry",
			    MAX_CMAP_PEERS);
	*VPUSH(e->peers, e->npeers) = a;
	e->peer_default |= dflt;
	return 0;
}

static int cmd_cmap_sub(struct pctx *c)
{
	struct ik_cmap_entry *e = c->obj;
	char where[160];

	snprintf(where, sizeof(where), "crypto %s %s %u", e->map->is_dynamic ? "dynamic-map" :
		 "map", e->map->name, e->seq);
	if (e->dynamic_name)
		return perr(c, 0, "%s takes its settings from its dynamic map: set them there",
			    where);
	if (kw(c, 0, "description"))
		return parse_description(c, &e->description);
	if (kw(c, 0, "match") && kw(c, 1, "address")) {
		if (need(c, 2, "access list name") || no_more(c, 3))
			return -1;
		set_str(&e->acl_name, c->tok[2].s);
		return 0;
	}
	if (kw(c, 0, "reverse-route")) {
		if (c->ntok == 1 || (kw(c, 1, "static") && c->ntok == 2)) {
			e->reverse_route = true;
			e->reverse_route_static = c->ntok == 2;
			return 0;
		}
		return perr(c, 1, "reverse-route %s is not supported (reverse-route or "
			    "reverse-route static)", c->tok[1].s);
	}
	if (kw(c, 0, "qos") && kw(c, 1, "pre-classify")) {
		warn_ignored(c, where);
		return 0;
	}
	if (!kw(c, 0, "set"))
		return perr(c, 0, "unknown command '%s' in %s", c->tok[0].s, where);
	if (need(c, 1, "peer, transform-set, pfs, security-association, isakmp-profile or "
		 "ikev2-profile"))
		return -1;
	if (kw(c, 1, "peer"))
		return cmap_set_peer(c, e);
	if (kw(c, 1, "transform-set"))
		return parse_set_tsets(c, &e->tsets, &e->ntsets, R_CMAP_TSET, e);
	if (kw(c, 1, "isakmp-profile") || kw(c, 1, "ikev2-profile")) {
		bool v1 = kw(c, 1, "isakmp-profile");

		if (need(c, 2, "profile name") || no_more(c, 3))
			return -1;
		add_ref(c, v1 ? R_CMAP_ISAKMP : R_CMAP_IKEV2, e, 0, 2);
		return 0;
	}
	if (kw(c, 1, "pfs"))
		return parse_set_pfs(c, &e->pfs_group);
	if (kw(c, 1, "security-association") && kw(c, 2, "level")) {
		if (!kw(c, 3, "per-host"))
			return c->ntok > 3 ? perr(c, 3, "'per-host' expected, not '%s'", c->tok[3].s)
					   : pincomplete(c, "incomplete command: 'per-host' expected");
		if (no_more(c, 4))
			return -1;
		e->per_host = true;
		return 0;
	}
	if (kw(c, 1, "security-association"))
		return parse_set_sa_lifetime(c, &e->lifetime_sec, &e->lifetime_kb);
	return perr(c, 1, "unknown command 'set %s' in %s", c->tok[1].s, where);
}

static int cmd_crypto(struct pctx *c)
{
	if (need(c, 1, "crypto command"))
		return -1;
	if (kw(c, 1, "keyring")) {
		struct ik_keyring *kr;
		int vi = -1;

		if (need(c, 2, "keyring name"))
			return -1;
		if (c->ntok > 3) {
			if (!kw(c, 3, "vrf"))
				return perr(c, 3, "'vrf' expected, not '%s'", c->tok[3].s);
			if (need(c, 4, "vrf name") || no_more(c, 5))
				return -1;
			vi = 4;
		}
		if (!(kr = keyring_get(c, 2, vi)))
			return -1;
		c->obj = kr;
		c->mode = M_KEYRING;
		return 0;
	}
	if (kw(c, 1, "isakmp"))
		return cmd_isakmp(c);
	if (kw(c, 1, "ipsec"))
		return cmd_ipsec(c);
	if (kw(c, 1, "ikev2"))
		return cmd_ikev2(c);
	if (kw(c, 1, "call"))
		return cmd_call_admission(c);
	if (kw(c, 1, "pki") && (kw(c, 2, "trustpoint") || kw(c, 2, "certificate") ||
				kw(c, 2, "import")))
		return cmd_pki(c);
	if (kw(c, 1, "pki") || kw(c, 1, "ca")) {
		/* other PKI commands (a CA server, tokens, ...): not used */
		warn_ignored(c, NULL);
		c->mode = M_IGNORE;
		return 0;
	}
	if (kw(c, 1, "logging") && kw(c, 2, "session")) {
		if (no_more(c, 3))
			return -1;
		c->cfg->logging_session = true;
		pwarn(c, "line %d: crypto logging session: ikerd does not print "
		      "%%CRYPTO-5-SESSION_STATUS lines; kept for show running-config", c->lineno);
		return 0;
	}
	if (kw(c, 1, "map") || kw(c, 1, "dynamic-map"))
		return cmd_cmap(c);
	return perr(c, 1, "unknown command 'crypto %s'", c->tok[1].s);
}

/* ---- interfaces, VRFs, routes ---- */

static int cmd_iface_sub(struct pctx *c)
{
	struct ik_interface *ifc = c->obj;
	char where[160];

	snprintf(where, sizeof(where), "interface %s", ifc->name);
	if (kw(c, 0, "ip") && kw(c, 1, "address") &&
	    (kw(c, 2, "dhcp") || kw(c, 2, "negotiated"))) {
		/* the address comes from the host's interface */
		warn_ignored(c, where);
		return 0;
	}
	if (kw(c, 0, "ip") && kw(c, 1, "address")) {
		uint32_t a, m;
		int plen;

		if (get_addr(c, 2, "address", &a) || get_mask(c, 3, &m, &plen))
			return -1;
		if (plen == 0)
			return perr(c, 3, "bad mask %s for address %s", c->tok[3].s, c->tok[2].s);
		if (kw(c, 4, "secondary")) {
			warn_ignored(c, where);
			return 0;
		}
		if (no_more(c, 4))
			return -1;
		ifc->addr = a;
		ifc->mask = m;
		return 0;
	}
	if (kw(c, 0, "ipv6") && kw(c, 1, "address") && c->ntok > 2 && strchr(c->tok[2].s, ':')) {
		uint8_t a[16];
		int plen;

		if (c->ntok > 3 && (kw(c, 3, "link-local") || kw(c, 3, "eui-64") ||
				    kw(c, 3, "anycast"))) {
			warn_ignored(c, where);
			return 0;
		}
		if (ik_prefix6_parse(c->tok[2].s, a, &plen, NULL))
			return perr(c, 2, "'%s' is not a valid IPv6 prefix (X:X:X:X::X/<0-128> "
				    "expected)", c->tok[2].s);
		if (c->ntok > 3 || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) || ifc->has_addr6) {
			/* eui-64, link-local, anycast, further addresses: the first
			 * global address is the one ikerd uses */
			warn_ignored(c, where);
			return 0;
		}
		if (plen == 0)
			return perr(c, 2, "bad prefix length 0 for address %s", c->tok[2].s);
		memcpy(ifc->addr6, a, 16);
		ifc->plen6 = plen;
		ifc->has_addr6 = true;
		return 0;
	}
	if (kw(c, 0, "no") && kw(c, 1, "ipv6") && kw(c, 2, "address") && c->ntok == 3) {
		ifc->has_addr6 = false;
		memset(ifc->addr6, 0, sizeof(ifc->addr6));
		ifc->plen6 = 0;
		return 0;
	}
	if ((kw(c, 0, "ip") && kw(c, 1, "vrf") && kw(c, 2, "forwarding")) ||
	    (kw(c, 0, "vrf") && kw(c, 1, "forwarding"))) {
		int i = kw(c, 0, "ip") ? 3 : 2;

		if (need(c, i, "vrf name") || no_more(c, i + 1))
			return -1;
		set_str(&ifc->vrf, c->tok[i].s);
		return 0;
	}
	if (kw(c, 0, "description"))
		return parse_description(c, &ifc->description);
	if (kw(c, 0, "shutdown") && c->ntok == 1) {
		ifc->shutdown = true;
		return 0;
	}
	if (kw(c, 0, "no") && kw(c, 1, "shutdown") && c->ntok == 2) {
		ifc->shutdown = false;
		return 0;
	}
	if (kw(c, 0, "no") && kw(c, 1, "ip") && kw(c, 2, "address") && c->ntok == 3) {
		ifc->addr = ifc->mask = 0;
		return 0;
	}
	if (kw(c, 0, "ip") && kw(c, 1, "mtu")) {
		unsigned long long v;

		if (get_uint(c, 2, "ip mtu", 68, 17916, &v) || no_more(c, 3))
			return -1;
		ifc->ip_mtu = (unsigned)v;
		return 0;
	}
	if (kw(c, 0, "ip") && kw(c, 1, "tcp") && kw(c, 2, "adjust-mss")) {
		unsigned long long v;

		if (get_uint(c, 3, "ip tcp adjust-mss", 500, 1460, &v) || no_more(c, 4))
			return -1;
		ifc->tcp_adjust_mss = (unsigned)v;
		return 0;
	}
	if (kw(c, 0, "no") && kw(c, 1, "ip") && kw(c, 2, "mtu") && c->ntok == 3) {
		ifc->ip_mtu = 0;
		return 0;
	}
	if (kw(c, 0, "no") && kw(c, 1, "ip") && kw(c, 2, "tcp") && kw(c, 3, "adjust-mss") &&
	    c->ntok == 4) {
		ifc->tcp_adjust_mss = 0;
		return 0;
	}
	if ((kw(c, 0, "crypto") && kw(c, 1, "map")) ||
	    (kw(c, 0, "ipv6") && kw(c, 1, "crypto") && kw(c, 2, "map"))) {
		/* crypto map NAME applies the map to IPv4, ipv6 crypto map NAME to
		 * IPv6, as on IOS */
		int i = kw(c, 0, "ipv6") ? 3 : 2;

		if (need(c, i, "crypto map name") || no_more(c, i + 1))
			return -1;
		if (ifc->is_tunnel)
			return perr(c, 0, "crypto map on a tunnel interface is not supported: use "
				    "tunnel protection ipsec profile");
		add_ref(c, i == 3 ? R_IFACE_CMAP6 : R_IFACE_CMAP, ifc, 0, i);
		return 0;
	}
	if (kw(c, 0, "crypto"))
		return perr(c, 0, "crypto commands on interfaces other than crypto map are not "
			    "supported");
	if (kw(c, 0, "no") && kw(c, 1, "keepalive") && c->ntok == 2) {
		/* GRE keepalives are off, as ikerd never sends them */
		return 0;
	}
	if (kw(c, 0, "tunnel")) {
		if (!ifc->is_tunnel)
			return perr(c, 0, "tunnel commands apply to Tunnel interfaces only, not to %s",
				    ifc->name);
		if (kw(c, 1, "source")) {
			if (need(c, 2, "interface or address") || no_more(c, 3))
				return -1;
			free(ifc->tunnel_source_if);
			ifc->tunnel_source_if = NULL;
			ifc->tunnel_source = 0;
			ifc->tunnel_source_v6 = false;
			memset(ifc->tunnel_source6, 0, sizeof(ifc->tunnel_source6));
			if (strchr(c->tok[2].s, ':')) {
				static const uint8_t zero[16];

				if (get_addr6(c, 2, "address", ifc->tunnel_source6))
					return -1;
				if (!memcmp(ifc->tunnel_source6, zero, 16))
					return perr(c, 2, "tunnel source :: is not valid");
				ifc->tunnel_source_v6 = true;
			} else if (is_addr(c->tok[2].s)) {
				if (get_addr(c, 2, "address", &ifc->tunnel_source))
					return -1;
				if (!ifc->tunnel_source)
					return perr(c, 2, "tunnel source 0.0.0.0 is not valid");
			} else {
				ifc->tunnel_source_if = iface_canon(c->tok[2].s);
			}
			return 0;
		}
		if (kw(c, 1, "destination") && c->ntok > 2 && strchr(c->tok[2].s, ':')) {
			static const uint8_t zero[16];

			if (get_addr6(c, 2, "address", ifc->tunnel_dest6) || no_more(c, 3))
				return -1;
			if (!memcmp(ifc->tunnel_dest6, zero, 16))
				return perr(c, 2, "tunnel destination :: is not valid");
			ifc->tunnel_dest_v6 = true;
			ifc->tunnel_dest = 0;
			return 0;
		}
		if (kw(c, 1, "destination")) {
			ifc->tunnel_dest_v6 = false;
			memset(ifc->tunnel_dest6, 0, sizeof(ifc->tunnel_dest6));
			if (get_addr(c, 2, "address", &ifc->tunnel_dest) || no_more(c, 3))
				return -1;
			if (!ifc->tunnel_dest)
				return perr(c, 2, "tunnel destination 0.0.0.0 is not valid");
			return 0;
		}
		if (kw(c, 1, "mode")) {
			if (kw(c, 2, "gre") && kw(c, 3, "ip") && c->ntok == 4)
				ifc->tunnel_mode = IK_TUN_GRE_IP;
			else if (kw(c, 2, "ipsec") && kw(c, 3, "ipv4") && c->ntok == 4)
				ifc->tunnel_mode = IK_TUN_IPSEC_IPV4;
			else if (kw(c, 2, "gre") && kw(c, 3, "ipv6") && c->ntok == 4)
				ifc->tunnel_mode = IK_TUN_GRE_IPV6;
			else if (kw(c, 2, "ipsec") && kw(c, 3, "ipv6") && c->ntok == 4)
				ifc->tunnel_mode = IK_TUN_IPSEC_IPV6;
			else if (c->ntok < 4)
				return pincomplete(c, "incomplete command: 'gre ip', 'gre ipv6', "
						   "'ipsec ipv4' or 'ipsec ipv6' expected");
			else
				return perr(c, 2, "tunnel mode '%s %s' is not supported by ikerd "
					    "(gre ip, gre ipv6, ipsec ipv4, ipsec ipv6)",
					    c->tok[2].s, c->tok[3].s);
			return 0;
		}
		if (kw(c, 1, "vrf")) {
			if (need(c, 2, "vrf name") || no_more(c, 3))
				return -1;
			set_str(&ifc->tunnel_vrf, c->tok[2].s);
			return 0;
		}
		if (kw(c, 1, "protection")) {
			if (!kw(c, 2, "ipsec"))
				return c->ntok > 2 ? perr(c, 2, "'ipsec' expected, not '%s'", c->tok[2].s)
						   : pincomplete(c, "incomplete command: 'ipsec' expected");
			if (!kw(c, 3, "profile"))
				return c->ntok > 3 ? perr(c, 3, "'profile' expected, not '%s'", c->tok[3].s)
						   : pincomplete(c, "incomplete command: 'profile' expected");
			if (need(c, 4, "ipsec profile name") || no_more(c, 5))
				return -1;
			add_ref(c, R_TUN_PROT, ifc, 0, 4);
			return 0;
		}
	}
	warn_ignored(c, where);
	return 0;
}

static int cmd_interface(struct pctx *c)
{
	struct ik_config *cfg = c->cfg;
	struct ik_interface *ifc;
	char *name;

	const char *t;
	size_t alen;

	if (need(c, 1, "interface name"))
		return -1;
	/* the type as IOS reads it: any case, or an unambiguous prefix (in one
	 * word, not one of Linux's own names: eth0 is the host's eth0) */
	alen = strcspn(c->tok[1].s, "0123456789");
	if (alen && ik_iftype_lookup(c->tok[1].s, alen, true, &t) > 1)
		return perr(c, 1, "%% Ambiguous command: interface type '%.*s' (%s)", (int)alen,
			    c->tok[1].s, "write more of the type");
	if (c->ntok == 3 && ik_iftype_lookup(c->tok[1].s, (size_t)c->tok[1].len, true, &t) == 1 &&
	    c->tok[2].s[0] >= '0' && c->tok[2].s[0] <= '9' &&
	    strspn(c->tok[2].s, "0123456789/.:") == (size_t)c->tok[2].len) {
		/* "interface Tunnel 1", "interface tu 1": a Linux name has no space */
		size_t n = strlen(t) + (size_t)c->tok[2].len + 1;

		name = ik_xmalloc(n);
		snprintf(name, n, "%s%s", t, c->tok[2].s);
	} else {
		if (no_more(c, 2))
			return -1;
		name = ik_iface_name_canon(c->tok[1].s, true);
	}
	ifc = ik_nmap_get(&c->st->names[IK_NS_IFACE], name);
	if (ifc) {
		free(name);
	} else {
		ifc = ik_xcalloc(1, sizeof(*ifc));
		ifc->name = name;
		ifc->line = c->lineno;
		if (!strncmp(name, "Tunnel", 6) && name[6] &&
		    strspn(name + 6, "0123456789") == strlen(name + 6) && strlen(name + 6) <= 9) {
			ifc->is_tunnel = true;
			ifc->tunnel_num = (unsigned)strtoul(name + 6, NULL, 10);
		}
		*VPUSH(cfg->ifaces, cfg->nifaces) = ifc;
		ik_nmap_put(&c->st->names[IK_NS_IFACE], ifc->name, ifc);
	}
	c->obj = ifc;
	c->mode = M_IFACE;
	return 0;
}

static int cmd_route(struct pctx *c)
{
	struct ik_config *cfg = c->cfg;
	struct ik_route rt = { .line = c->lineno };
	int i = 2, plen;

	if (kw(c, 2, "vrf")) {
		if (need(c, 3, "vrf name"))
			return -1;
		rt.vrf = c->tok[3].s;
		i = 4;
	}
	if (get_addr(c, i, "prefix", &rt.prefix) || get_mask(c, i + 1, &rt.mask, &plen))
		return -1;
	if (rt.prefix & ~rt.mask)
		return perr(c, i, "inconsistent address and mask: %s has bits outside %s",
			    c->tok[i].s, c->tok[i + 1].s);
	i += 2;
	if (need(c, i, "interface or next hop"))
		return -1;
	if (is_addr(c->tok[i].s)) {
		if (get_addr(c, i, "next hop", &rt.nexthop))
			return -1;
		if (!rt.nexthop)
			return perr(c, i, "next hop 0.0.0.0 is not valid");
		i++;
	} else {
		rt.out_if_name = c->tok[i].s;
		i++;
		if (i < c->ntok && is_addr(c->tok[i].s)) {
			if (get_addr(c, i, "next hop", &rt.nexthop))
				return -1;
			if (!rt.nexthop)
				return perr(c, i, "next hop 0.0.0.0 is not valid");
			i++;
		}
	}
	if (i < c->ntok)
		pwarn(c, "line %d: route options from '%s' on are not used by ikerd; ignored",
		      c->lineno, c->tok[i].s);
	if (rt.vrf)
		rt.vrf = ik_xstrdup(rt.vrf);
	if (rt.out_if_name)
		rt.out_if_name = iface_canon(rt.out_if_name);
	*VPUSH(cfg->routes, cfg->nroutes) = rt;
	if (rt.out_if_name) {
		struct ref *r = VPUSH(c->refs, c->nrefs);

		r->kind = R_ROUTE_IF;
		r->idx = cfg->nroutes - 1;
		r->name = ik_xstrdup(rt.out_if_name);
		r->line = c->lineno;
	}
	return 0;
}

/* ipv6 route [vrf V] X:X::X/LEN {IF [NEXTHOP] | NEXTHOP} [options] */
static int cmd_route6(struct pctx *c)
{
	struct ik_config *cfg = c->cfg;
	struct ik_route rt = { .line = c->lineno, .v6 = true };
	static const uint8_t zero[16];
	int i = 2;

	if (kw(c, 2, "vrf")) {
		if (need(c, 3, "vrf name"))
			return -1;
		rt.vrf = c->tok[3].s;
		i = 4;
	}
	if (need(c, i, "prefix"))
		return -1;
	if (ik_prefix6_parse(c->tok[i].s, rt.prefix6, &rt.plen6, NULL))
		return perr(c, i, "'%s' is not a valid IPv6 prefix (X:X:X:X::X/<0-128> expected)",
			    c->tok[i].s);
	{
		uint8_t m[16];

		memcpy(m, rt.prefix6, 16);
		ik_addr6_mask(m, rt.plen6);
		if (memcmp(m, rt.prefix6, 16))
			return perr(c, i, "inconsistent prefix: %s has bits outside its length",
				    c->tok[i].s);
	}
	i++;
	if (need(c, i, "interface or next hop"))
		return -1;
	if (!strchr(c->tok[i].s, ':')) {
		rt.out_if_name = c->tok[i].s;
		i++;
	}
	if (i < c->ntok && strchr(c->tok[i].s, ':')) {
		if (get_addr6(c, i, "next hop", rt.nexthop6))
			return -1;
		if (!memcmp(rt.nexthop6, zero, 16))
			return perr(c, i, "next hop :: is not valid");
		rt.has_nexthop6 = true;
		i++;
	}
	if (!rt.out_if_name && !rt.has_nexthop6)
		return need(c, c->ntok, "interface or next hop");
	if (i < c->ntok)
		pwarn(c, "line %d: route options from '%s' on are not used by ikerd; ignored",
		      c->lineno, c->tok[i].s);
	if (rt.vrf)
		rt.vrf = ik_xstrdup(rt.vrf);
	if (rt.out_if_name)
		rt.out_if_name = iface_canon(rt.out_if_name);
	*VPUSH(cfg->routes, cfg->nroutes) = rt;
	if (rt.out_if_name) {
		struct ref *r = VPUSH(c->refs, c->nrefs);

		r->kind = R_ROUTE_IF;
		r->idx = cfg->nroutes - 1;
		r->name = ik_xstrdup(rt.out_if_name);
		r->line = c->lineno;
	}
	return 0;
}

static void add_vrf(struct pctx *c, const char *name)
{
	struct ik_config *cfg = c->cfg;
	struct ik_vrf *v;

	c->vrf = cfg->nvrfs;
	for (size_t i = 0; i < cfg->nvrfs; i++)
		if (!strcmp(cfg->vrfs[i].name, name))
			c->vrf = i;
	if (ik_nmap_get(&c->st->names[IK_NS_VRF], name))
		return;
	v = VPUSH(cfg->vrfs, cfg->nvrfs);
	v->name = ik_xstrdup(name);
	v->line = c->lineno;
	/* the value is only a presence mark: vrfs moves when it grows */
	ik_nmap_put(&c->st->names[IK_NS_VRF], v->name, cfg);
	/* names in the map point into the vrfs array's strings, which stay put */
}

static int cmd_vrf_sub(struct pctx *c)
{
	struct ik_vrf *v = &c->cfg->vrfs[c->vrf];

	if (kw(c, 0, "rd")) {
		if (need(c, 1, "route distinguisher") || no_more(c, 2))
			return -1;
		set_str(&v->rd, c->tok[1].s);
		return 0;
	}
	if (kw(c, 0, "address-family")) {
		if (!kw(c, 1, "ipv4") || (c->ntok > 2 && !kw(c, 2, "unicast")) || c->ntok > 3) {
			warn_ignored(c, "vrf");
			return 0;
		}
		v->af_ipv4 = true;
		return 0;
	}
	if (kw(c, 0, "route-target") || kw(c, 0, "description") ||
	    kw(c, 0, "exit-address-family"))
		return 0;
	warn_ignored(c, "vrf");
	return 0;
}

static int cmd_banner(struct pctx *c)
{
	int i = 1;
	const char *start, *end;
	size_t dl;

	/* banner [motd|login|exec|incoming|...] DELIM text DELIM */
	if (i < c->ntok && c->tok[i].s[0] >= 'a' && c->tok[i].s[0] <= 'z' &&
	    c->tok[i].len > 2)
		i++;
	else if (i < c->ntok && c->tok[i].s[0] >= 'A' && c->tok[i].s[0] <= 'Z' &&
		 c->tok[i].len > 2)
		i++;
	if (need(c, i, "banner delimiter"))
		return -1;
	warn_ignored(c, NULL);
	start = c->raw + c->tok[i].col - 1;
	if (start[0] == '^' && start[1] && start[1] != ' ' && start[1] != '\t')
		dl = 2;
	else
		dl = 1;
	memcpy(c->banner_delim, start, dl);
	c->banner_delim[dl] = '\0';
	/* the text may close on the same line */
	end = strstr(start + dl, c->banner_delim);
	c->in_banner = end == NULL;
	c->mode = M_NONE;
	return 0;
}

/* Sub-commands of the crypto and interface sub-modes that IOS has no
 * top-level command for: written without indentation, they would be read
 * as ignored top-level commands and a key or a setting would be lost. */
static const char *const submode_words[] = {
	"pre-shared-key", "set", "match", "keyring", "encr", "encryption", "hash",
	"authentication", "group", "lifetime", "tunnel", "peer", "integrity", "prf",
	"proposal", "description", "local-address", "mode", "dpd", "self-identity",
	"initiate", "shutdown", "raw-public-key", "authorization",
};

static int cmd_top(struct pctx *c)
{
	if (c->mode == M_PKI_CERT)
		pki_cert_unclosed(c);
	c->mode = M_NONE;
	c->obj = NULL;
	if (kw(c, 0, "hostname")) {
		if (need(c, 1, "hostname") || no_more(c, 2))
			return -1;
		set_str(&c->cfg->hostname, c->tok[1].s);
		return 0;
	}
	if (kw(c, 0, "crypto"))
		return cmd_crypto(c);
	if (kw(c, 0, "interface"))
		return cmd_interface(c);
	if (kw(c, 0, "ip") && kw(c, 1, "route"))
		return cmd_route(c);
	if (kw(c, 0, "ipv6") && kw(c, 1, "route") && c->ntok > 2 &&
	    (kw(c, 2, "vrf") || strchr(c->tok[2].s, ':')))
		return cmd_route6(c);
	if (kw(c, 0, "ip") && kw(c, 1, "access-list"))
		return cmd_ip_acl(c);
	if (kw(c, 0, "ipv6") && kw(c, 1, "access-list"))
		return cmd_ipv6_acl(c);
	if (kw(c, 0, "access-list"))
		return cmd_access_list(c);
	if ((kw(c, 0, "ip") && kw(c, 1, "vrf") && c->ntok == 3) ||
	    (kw(c, 0, "vrf") && kw(c, 1, "definition") && c->ntok == 3)) {
		add_vrf(c, c->tok[2].s);
		if (kw(c, 1, "definition"))
			c->cfg->vrfs[c->vrf].definition = true;
		c->mode = M_VRF;
		return 0;
	}
	if (kw(c, 0, "banner"))
		return cmd_banner(c);
	if (kw(c, 0, "exit") && c->ntok == 1)
		return 0;
	if (kw(c, 0, "no") && kw(c, 1, "crypto")) {
		if ((kw(c, 2, "ikev2") && kw(c, 3, "http-url")) ||
		    (kw(c, 2, "isakmp") && kw(c, 3, "default") && kw(c, 4, "policy"))) {
			warn_ignored(c, NULL);
			return 0;
		}
		return perr(c, 0, "'no crypto ...' is not supported: leave the command out");
	}
	for (size_t i = 0; i < IK_ARRAY_LEN(submode_words); i++)
		if (kw(c, 0, submode_words[i]))
			return perr(c, 0, "'%s' is a sub-mode command: indent it under the command "
				    "it belongs to (a line that is not indented ends a sub-mode)",
				    c->tok[0].s);
	warn_ignored(c, NULL);
	c->mode = M_IGNORE;
	return 0;
}

static int cmd_sub(struct pctx *c)
{
	if (c->mode == M_PKI_CERT)
		return cmd_pki_cert_sub(c);
	if (kw(c, 0, "exit") && c->ntok == 1) {
		c->mode = c->mode == M_V2_PEER ? M_V2_KEYRING : M_NONE;
		return 0;
	}
	switch (c->mode) {
	case M_PKI_TP: return cmd_pki_tp_sub(c);
	case M_PKI_CHAIN: return cmd_pki_chain_sub(c);
	case M_PKI_MAP: return cmd_pki_map_sub(c);
	case M_PKI_CERT: break;
	case M_IGNORE: return 0;
	case M_KEYRING: return cmd_keyring_sub(c);
	case M_POLICY: return cmd_policy_sub(c);
	case M_PROFILE: return cmd_profile_sub(c);
	case M_TSET: return cmd_tset_sub(c);
	case M_IPSEC_PROFILE: return cmd_ipsec_profile_sub(c);
	case M_V2_KEYRING:
	case M_V2_PEER: return cmd_v2_keyring_sub(c);
	case M_V2_PROPOSAL: return cmd_v2_proposal_sub(c);
	case M_V2_POLICY: return cmd_v2_policy_sub(c);
	case M_V2_PROFILE: return cmd_v2_profile_sub(c);
	case M_IFACE: return cmd_iface_sub(c);
	case M_VRF: return cmd_vrf_sub(c);
	case M_AUTHLIST: return cmd_authlist_sub(c);
	case M_ACL: return cmd_acl_sub(c);
	case M_CMAP: return cmd_cmap_sub(c);
	case M_NONE: break;
	}
	return cmd_top(c);
}

/* ---- lines ---- */

static void tokenize(struct pctx *c)
{
	char *p = c->work;

	c->ntok = 0;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (!*p || *p == '!')
			break;
		c->tok[c->ntok].s = p;
		c->tok[c->ntok].col = (int)(p - c->work) + 1;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r')
			p++;
		c->tok[c->ntok].len = (int)(p - c->tok[c->ntok].s);
		c->ntok++;
		if (!*p)
			break;
		*p++ = '\0';
	}
}

/* Loads line `len` bytes at s into raw/work; the caller checked the length. */
static void load_line(struct pctx *c, const char *s, size_t len)
{
	while (len && (s[len - 1] == '\r'))
		len--;
	memcpy(c->raw, s, len);
	c->raw[len] = '\0';
	memcpy(c->work, s, len);
	c->work[len] = '\0';
	c->rawlen = len;
	tokenize(c);
}

static void wipe_line(struct pctx *c)
{
	ik_wipe(c->raw, c->rawlen);
	ik_wipe(c->work, c->rawlen);
	c->rawlen = 0;
	c->ntok = 0;
}

/* Re-reads line n of the input (for errors found after the last line). */
static void reload_line(struct pctx *c, int n)
{
	const char *p = c->text, *end = c->text + c->textlen;

	for (int i = 1; i < n && p < end; i++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
	}
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	size_t len = (size_t)((nl ? nl : end) - p);

	if (len > IK_CONF_MAX_LINE)
		len = IK_CONF_MAX_LINE;
	load_line(c, p, len);
	c->lineno = n;
}

static int __attribute__((format(printf, 4, 5)))
late_error(struct pctx *c, int line, int col, const char *fmt, ...)
{
	va_list ap;

	reload_line(c, line);
	va_start(ap, fmt);
	verror(c, line, col, false, fmt, ap);
	va_end(ap);
	wipe_line(c);
	return -1;
}

/* IOS abbreviations: the words of the line spelled out (conf/abbrev.h). */
static int expand_abbrev(struct pctx *c, bool top)
{
	static const enum ik_abbrev_ctx ctx_of[] = {
		[M_KEYRING] = IK_AB_KEYRING, [M_POLICY] = IK_AB_POLICY,
		[M_PROFILE] = IK_AB_PROFILE, [M_TSET] = IK_AB_TSET,
		[M_IPSEC_PROFILE] = IK_AB_IPSEC_PROFILE, [M_V2_KEYRING] = IK_AB_V2_KEYRING,
		[M_V2_PEER] = IK_AB_V2_KEYRING, [M_V2_PROPOSAL] = IK_AB_V2_PROPOSAL,
		[M_V2_POLICY] = IK_AB_V2_POLICY, [M_V2_PROFILE] = IK_AB_V2_PROFILE,
		[M_IFACE] = IK_AB_IFACE, [M_VRF] = IK_AB_VRF, [M_AUTHLIST] = IK_AB_AUTHLIST,
	};
	const char *w[8];
	char alts[256];
	int n = c->ntok < 8 ? c->ntok : 8, bad = 0;
	enum ik_abbrev_ctx ctx;

	if (top)
		ctx = IK_AB_TOP;
	else if (c->mode > M_IGNORE && (size_t)c->mode < IK_ARRAY_LEN(ctx_of))
		ctx = ctx_of[c->mode];
	else
		return 0;
	for (int i = 0; i < n; i++)
		w[i] = c->tok[i].s;
	if (ik_abbrev_expand(ctx, w, n, &bad, alts, sizeof(alts), &c->ab_hint[ctx]))
		return perr(c, bad, "%% Ambiguous command: '%s' may be %s", c->tok[bad].s, alts);
	/* the keywords are static text that nothing writes to */
	for (int i = 0; i < n; i++)
		c->tok[i].s = (char *)(uintptr_t)w[i];
	return 0;
}

/* Length of the well-formed UTF-8 sequence at p (n bytes left), 0 if none. */
static size_t utf8_seq(const uint8_t *p, size_t n)
{
	size_t len;
	uint8_t lo = 0x80, hi = 0xbf;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

/* A configuration is text: printable ASCII, tabs, CR before LF, and UTF-8
 * (descriptions, banners). Anything else (a binary or corrupted file) is an
 * error at its column, before the line is read as a command; the echoed line
 * shows each such byte as '?'. */
static int check_text(struct pctx *c)
{
	const uint8_t *p = (const uint8_t *)c->raw;

	for (size_t i = 0; i < c->rawlen;) {
		size_t u;

		if ((p[i] >= 0x20 && p[i] < 0x7f) || p[i] == '\t' || p[i] == '\r') {
			i++;
			continue;
		}
		if (p[i] >= 0x80 && (u = utf8_seq(p + i, c->rawlen - i))) {
			i += u;
			continue;
		}
		verror_at(c, (int)i + 1, "non-printable byte 0x%02x: the file is not text", p[i]);
		if (c->err && c->err->nerrors) {
			/* the echoed line of the record just written (the first
			 * error's, or the last of the next ones), NULs included */
			char *t = c->err->nmore ? c->err->more[c->err->nmore - 1].text :
				  c->err->text;
			size_t cap = c->err->nmore ? sizeof(c->err->more[0].text) :
				     sizeof(c->err->text);
			size_t n = c->rawlen < cap - 1 ? c->rawlen : cap - 1;

			for (size_t k = 0; k < n; k++)
				if (((uint8_t)t[k] < 0x20 && t[k] != '\t') || (uint8_t)t[k] >= 0x7f)
					t[k] = '?';
		}
		return -1;
	}
	return 0;
}

static int parse_lines(struct pctx *c)
{
	const char *p = c->text, *end = c->text + c->textlen;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);
		int rc;

		c->lineno++;
		if (c->err && c->err->nerrors >= IK_CONF_MAX_ERRORS)
			return -1; /* enough to fix first */
		if (len > IK_CONF_MAX_LINE + 1 ||
		    (len == IK_CONF_MAX_LINE + 1 && p[len - 1] != '\r')) {
			line_error(c, c->lineno, false,
				   "line is %zu bytes long, longer than the limit of %d", len,
				   IK_CONF_MAX_LINE);
			p = nl ? nl + 1 : end;
			c->mode = M_IGNORE;
			continue;
		}
		load_line(c, p, len);
		p = nl ? nl + 1 : end;
		if (check_text(c)) {
			wipe_line(c);
			return -1;
		}
		if (c->in_banner) {
			if (strstr(c->raw, c->banner_delim))
				c->in_banner = false;
			wipe_line(c);
			continue;
		}
		if (c->ntok == 0) {
			wipe_line(c);
			continue;
		}
		bool top = !(c->tok[0].col > 1 && c->mode != M_NONE);

		c->line_failed = false;
		if (expand_abbrev(c, top))
			rc = -1;
		else
			rc = top ? cmd_top(c) : cmd_sub(c);
		wipe_line(c);
		/* a command that failed opens no sub-mode: its block is
		 * skipped, and the next errors are reported too */
		if ((rc || c->line_failed) && top)
			c->mode = M_IGNORE;
	}
	if (c->in_banner)
		line_error(c, c->lineno, true, "banner text not closed by its delimiter '%s' "
			   "before the end of the file", c->banner_delim);
	if (c->mode == M_PKI_CERT)
		pki_cert_unclosed(c);
	return c->failed ? -1 : 0;
}

/* ---- after the last line ---- */

static int resolve_refs(struct pctx *c)
{
	struct ik_config *cfg = c->cfg;
	struct ik_nmap *nm = c->st->names;
	bool bad = false;

	for (size_t i = 0; i < c->nrefs; i++) {
		struct ref *r = &c->refs[i];
		void *t;

		switch (r->kind) {
		case R_PROF_KEYRING: {
			struct ik_isakmp_profile *p = r->obj;

			if (!(t = ik_nmap_get(&nm[IK_NS_KEYRING], r->name))) {
				late_error(c, r->line, r->col,
					   "unknown keyring '%s' in isakmp profile %s",
					   r->name, p->name);
				bad = true;
				break;
			}
			p->keyrings[r->idx] = t;
			break;
		}
		case R_IPSEC_TSET: {
			struct ik_ipsec_profile *p = r->obj;

			if (!(t = ik_nmap_get(&nm[IK_NS_TSET], r->name))) {
				late_error(c, r->line, r->col,
					   "unknown transform-set '%s' in ipsec profile %s",
					   r->name, p->name);
				bad = true;
				break;
			}
			/* in file order: a later set transform-set line that
			 * replaced the list overwrites every slot it kept */
			if (r->idx < p->ntsets)
				p->tsets[r->idx] = t;
			break;
		}
		case R_IPSEC_ISAKMP: {
			struct ik_ipsec_profile *p = r->obj;

			if (!(t = ik_nmap_get(&nm[IK_NS_PROFILE], r->name))) {
				late_error(c, r->line, r->col,
					   "unknown isakmp profile '%s' in ipsec profile %s",
					   r->name, p->name);
				bad = true;
				break;
			}
			p->isakmp_profile = t;
			break;
		}
		case R_IPSEC_IKEV2: {
			struct ik_ipsec_profile *p = r->obj;

			if (!(t = ik_nmap_get(&nm[IK_NS_V2_PROFILE], r->name))) {
				late_error(c, r->line, r->col,
					   "unknown ikev2 profile '%s' in ipsec profile %s",
					   r->name, p->name);
				bad = true;
				break;
			}
			p->ikev2_profile = t;
			break;
		}
		case R_TUN_PROT: {
			struct ik_interface *ifc = r->obj;

			if (!(t = ik_nmap_get(&nm[IK_NS_IPSEC_PROFILE], r->name))) {
				late_error(c, r->line, r->col,
					   "unknown ipsec profile '%s' in interface %s",
					   r->name, ifc->name);
				bad = true;
				break;
			}
			ifc->protection = t;
			break;
		}
		case R_V2PROF_KEYRING: {
			struct ik_ikev2_profile *p = r->obj;

			if (!(t = ik_nmap_get(&nm[IK_NS_V2_KEYRING], r->name))) {
				late_error(c, r->line, r->col,
					   "unknown ikev2 keyring '%s' in ikev2 profile %s",
					   r->name, p->name);
				bad = true;
				break;
			}
			p->keyring = t;
			break;
		}
		case R_V2POL_PROPOSAL: {
			struct ik_ikev2_policy *p = r->obj;

			if (!(t = ik_nmap_get(&nm[IK_NS_V2_PROPOSAL], r->name))) {
				late_error(c, r->line, r->col,
					   "unknown ikev2 proposal '%s' in ikev2 policy %s",
					   r->name, p->name);
				bad = true;
				break;
			}
			p->proposals[r->idx] = t;
			break;
		}
		case R_PROF_TP:
		case R_V2PROF_TP: {
			bool v1 = r->kind == R_PROF_TP;
			struct ik_isakmp_profile *p = r->obj;
			struct ik_ikev2_profile *p2 = r->obj;

			if (!(t = ik_nmap_get(&nm[IK_NS_TRUSTPOINT], r->name))) {
				late_error(c, r->line, r->col, "unknown trustpoint '%s' in %s profile %s",
					   r->name, v1 ? "isakmp" : "ikev2", v1 ? p->name : p2->name);
				bad = true;
				break;
			}
			if (v1)
				p->trustpoints[r->idx] = t;
			else
				p2->trustpoints[r->idx] = t;
			break;
		}
		case R_PROF_MAP:
		case R_V2PROF_MAP: {
			bool v1 = r->kind == R_PROF_MAP;
			struct ik_isakmp_profile *p = r->obj;
			struct ik_ikev2_profile *p2 = r->obj;

			if (!(t = ik_nmap_get(&nm[IK_NS_CERTMAP], r->name))) {
				late_error(c, r->line, r->col,
					   "unknown certificate map '%s' in %s profile %s", r->name,
					   v1 ? "isakmp" : "ikev2", v1 ? p->name : p2->name);
				bad = true;
				break;
			}
			if (v1)
				p->cert_map = t;
			else
				p2->cert_map = t;
			break;
		}
		case R_PROF_AUTHZ:
		case R_V2PROF_AUTHZ: {
			struct ik_authlist **dst;
			const char *pname, *what;

			if (r->kind == R_PROF_AUTHZ) {
				struct ik_isakmp_profile *p = r->obj;

				dst = &p->authz;
				pname = p->name;
				what = "isakmp";
			} else {
				struct ik_ikev2_profile *p = r->obj;

				dst = &p->authz;
				pname = p->name;
				what = "ikev2";
			}
			if (!(t = ik_nmap_get(&nm[IK_NS_AUTHLIST], r->name))) {
				late_error(c, r->line, r->col, "unknown authorization list '%s' in "
					   "%s profile %s", r->name, what, pname);
				bad = true;
				break;
			}
			*dst = t;
			break;
		}
		case R_CMAP_TSET: {
			struct ik_cmap_entry *e = r->obj;

			if (!(t = ik_nmap_get(&nm[IK_NS_TSET], r->name))) {
				late_error(c, r->line, r->col, "unknown transform-set '%s' in crypto "
					   "map %s %u", r->name, e->map->name, e->seq);
				bad = true;
				break;
			}
			if (r->idx < e->ntsets)
				e->tsets[r->idx] = t;
			break;
		}
		case R_CMAP_ISAKMP:
		case R_CMAP_IKEV2: {
			struct ik_cmap_entry *e = r->obj;
			bool v1 = r->kind == R_CMAP_ISAKMP;

			if (!(t = ik_nmap_get(&nm[v1 ? IK_NS_PROFILE : IK_NS_V2_PROFILE],
					      r->name))) {
				late_error(c, r->line, r->col, "unknown %s profile '%s' in crypto "
					   "map %s %u", v1 ? "isakmp" : "ikev2", r->name,
					   e->map->name, e->seq);
				bad = true;
				break;
			}
			if (v1)
				e->isakmp_profile = t;
			else
				e->ikev2_profile = t;
			break;
		}
		case R_CMAP_DYN: {
			struct ik_cmap_entry *e = r->obj;

			if (!(t = ik_nmap_get(&nm[IK_NS_DYNMAP], r->name))) {
				late_error(c, r->line, r->col, "unknown dynamic map '%s' in crypto "
					   "map %s %u", r->name, e->map->name, e->seq);
				bad = true;
				break;
			}
			e->dynamic = t;
			break;
		}
		case R_IFACE_CMAP:
		case R_IFACE_CMAP6: {
			struct ik_interface *ifc = r->obj;
			bool v6 = r->kind == R_IFACE_CMAP6;

			if (!(t = ik_nmap_get(&nm[IK_NS_CMAP], r->name))) {
				late_error(c, r->line, r->col, "unknown crypto map '%s' in interface "
					   "%s%s", r->name, ifc->name, v6 ? " (ipv6 crypto map)" : "");
				bad = true;
				break;
			}
			if (v6)
				ifc->crypto_map6 = t;
			else
				ifc->crypto_map = t;
			break;
		}
		case R_ROUTE_IF:
			/* not an error: the daemon finds the interface in Linux */
			cfg->routes[r->idx].out_if = ik_config_find_iface(cfg, r->name);
			break;
		}
	}
	return bad ? -1 : 0;
}

/* A tunnel's mode says which IP version carries it: its source and
 * destination addresses must be of that version (IOS keeps such a tunnel
 * down; ikerd refuses the file and says why). */
static int check_tunnel_families(struct pctx *c)
{
	struct ik_config *cfg = c->cfg;
	bool bad = false;

	for (size_t i = 0; i < cfg->nifaces; i++) {
		const struct ik_interface *t = cfg->ifaces[i];
		bool v6 = ik_tunnel_mode_v6(t->tunnel_mode);
		const char *mode = t->tunnel_mode == IK_TUN_GRE_IP ? "gre ip" :
				   t->tunnel_mode == IK_TUN_IPSEC_IPV4 ? "ipsec ipv4" :
				   t->tunnel_mode == IK_TUN_GRE_IPV6 ? "gre ipv6" : "ipsec ipv6";
		const char *what = NULL;

		if (!t->is_tunnel)
			continue;
		if ((t->tunnel_dest_v6 && !v6) || (t->tunnel_dest && v6))
			what = "destination";
		else if ((t->tunnel_source_v6 && !v6) ||
			 (t->tunnel_source && !t->tunnel_source_if && v6))
			what = "source";
		if (!what)
			continue;
		late_error(c, t->line, 1, "interface %s: tunnel %s is %s but tunnel mode %s "
			   "carries the tunnel over %s: use tunnel mode %s", t->name, what,
			   v6 ? "IPv4" : "IPv6", mode, v6 ? "IPv6" : "IPv4",
			   t->tunnel_mode == IK_TUN_GRE_IP ? "gre ipv6" :
			   t->tunnel_mode == IK_TUN_IPSEC_IPV4 ? "ipsec ipv6" :
			   t->tunnel_mode == IK_TUN_GRE_IPV6 ? "gre ip" : "ipsec ipv4");
		bad = true;
	}
	return bad ? -1 : 0;
}

/* Repeated names in a list keep their first place. */
static void dedup_ptrs(void **v, size_t *n)
{
	size_t out = 0;

	for (size_t i = 0; i < *n; i++) {
		bool dup = false;

		for (size_t j = 0; j < out && !dup; j++)
			dup = v[j] == v[i];
		if (!dup)
			v[out++] = v[i];
	}
	*n = out;
}

static int cmp_policy(const void *a, const void *b)
{
	const struct ik_isakmp_policy *x = a, *y = b;

	return x->prio < y->prio ? -1 : x->prio > y->prio;
}

static int check_v2_proposals(struct pctx *c)
{
	struct ik_config *cfg = c->cfg;

	for (size_t i = 0; i < cfg->nv2_proposals; i++) {
		struct ik_ikev2_proposal *p = cfg->v2_proposals[i];
		size_t ngcm = 0;
		const char *what = NULL;

		for (size_t k = 0; k < p->nencr; k++)
			ngcm += !strncmp(p->encr[k], "aes-gcm", 7) ||
				!strcmp(p->encr[k], "chacha20-poly1305");
		if (!p->nencr)
			what = "has no encryption";
		else if (!p->ngroup)
			what = "has no group";
		else if (ngcm && ngcm != p->nencr)
			what = "mixes AEAD (aes-gcm, chacha20-poly1305) with non-AEAD encryption";
		else if (ngcm && p->ninteg)
			what = "has integrity with an AEAD cipher (it needs none)";
		else if (ngcm && !p->nprf)
			what = "needs a prf with an AEAD cipher";
		else if (!ngcm && !p->ninteg)
			what = "has no integrity";
		if (what) {
			reload_line(c, p->line);
			int col = c->ntok > 3 ? c->tok[3].col : 1;
			wipe_line(c);
			late_error(c, p->line, col, "ikev2 proposal %s %s", p->name, what);
		}
	}
	return c->failed ? -1 : 0;
}

/* After the references: the entry's access list (a name that names none
 * stays unresolved, as IOS keeps it; ikerd -t reports it). */
static void cmap_finish_entry(struct ik_config *cfg, struct ik_cmap_entry *e, unsigned id)
{
	struct ik_ipsec_profile *ip = &e->ipsec;
	size_t n = strlen(e->map->name) + 32;

	if (e->acl_name)
		e->acl = ik_config_find_acl(cfg, e->acl_name);
	e->id = id;
	ip->name = ik_xmalloc(n);
	snprintf(ip->name, n, "crypto map %s %u", e->map->name, e->seq);
	ip->tsets = e->tsets;
	ip->ntsets = e->ntsets;
	ip->isakmp_profile = e->isakmp_profile;
	ip->ikev2_profile = e->ikev2_profile;
	ip->pfs_group = e->pfs_group;
	ip->lifetime_sec = e->lifetime_sec;
	ip->lifetime_kb = e->lifetime_kb;
	ip->line = e->line;
	ip->description = e->description;
}

static int finish(struct pctx *c)
{
	struct ik_config *cfg = c->cfg;
	struct ik_interface *ifc;

	unsigned *seen;
	int bad;

	/* every unknown name and bad proposal is reported */
	bad = resolve_refs(c) | check_v2_proposals(c);
	/* after the references: the profiles' certificate maps are known */
	if (pki_finish(c) || bad)
		return -1;
	/* a keyring named twice in a profile counts once, at its first place */
	seen = ik_xcalloc(cfg->nkeyrings, sizeof(*seen));
	for (size_t i = 0; i < cfg->nprofiles; i++) {
		struct ik_isakmp_profile *p = cfg->profiles[i];
		size_t out = 0;

		for (size_t k = 0; k < p->nkeyrings; k++) {
			unsigned o = p->keyrings[k]->order;

			if (seen[o] == i + 1)
				continue;
			seen[o] = (unsigned)i + 1;
			p->keyrings[out++] = p->keyrings[k];
		}
		p->nkeyrings = out;
		if (p->local_address_if &&
		    (ifc = ik_config_find_iface(cfg, p->local_address_if))) {
			if (ifc->mask)
				p->local_address = ifc->addr;
			if (ifc->has_addr6) {
				p->local_v6 = true;
				memcpy(p->local_address6, ifc->addr6, 16);
			}
		}
	}
	for (size_t i = 0; i < cfg->nipsec_profiles; i++)
		dedup_ptrs((void **)cfg->ipsec_profiles[i]->tsets, &cfg->ipsec_profiles[i]->ntsets);
	for (size_t i = 0, id = 0; i < cfg->ncmaps; i++)
		for (size_t k = 0; k < cfg->cmaps[i]->nentries; k++) {
			struct ik_cmap_entry *e = cfg->cmaps[i]->entries[k];

			dedup_ptrs((void **)e->tsets, &e->ntsets);
			cmap_finish_entry(cfg, e, (unsigned)id++);
			*VPUSH(cfg->cmap_entries, cfg->ncmap_entries) = e;
		}
	for (size_t i = 0; i < cfg->nifaces; i++)
		if (cfg->ifaces[i]->crypto_map || cfg->ifaces[i]->crypto_map6)
			*VPUSH(cfg->cmap_ifaces, cfg->ncmap_ifaces) = cfg->ifaces[i];
	ik_config_index_ifaces(cfg);
	for (size_t i = 0; i < cfg->nv2_policies; i++)
		dedup_ptrs((void **)cfg->v2_policies[i]->proposals,
			   &cfg->v2_policies[i]->nproposals);
	free(seen);
	for (size_t i = 0; i < cfg->nkeyrings; i++) {
		struct ik_keyring *kr = cfg->keyrings[i];

		if (kr->local_address_if &&
		    (ifc = ik_config_find_iface(cfg, kr->local_address_if))) {
			if (ifc->mask)
				kr->local_address = ifc->addr;
			if (ifc->has_addr6) {
				kr->local_v6 = true;
				memcpy(kr->local_address6, ifc->addr6, 16);
			}
		}
	}
	for (size_t i = 0; i < cfg->nifaces; i++) {
		struct ik_interface *t = cfg->ifaces[i];

		if (t->tunnel_source_if && ik_tunnel_mode_v6(t->tunnel_mode)) {
			ifc = ik_config_find_iface(cfg, t->tunnel_source_if);
			if (ifc && ifc->has_addr6) {
				memcpy(t->tunnel_source6, ifc->addr6, 16);
				t->tunnel_source_v6 = true;
				t->tunnel_source_resolved = true;
			}
		} else if (t->tunnel_source_if) {
			ifc = ik_config_find_iface(cfg, t->tunnel_source_if);
			if (ifc && ifc->mask) {
				t->tunnel_source = ifc->addr;
				t->tunnel_source_resolved = true;
			}
		} else if (t->tunnel_source_v6) {
			t->tunnel_source_resolved = true;
		} else if (t->tunnel_source) {
			t->tunnel_source_resolved = true;
		}
	}
	if (cfg->npolicies > 1)
		qsort(cfg->policies, cfg->npolicies, sizeof(cfg->policies[0]), cmp_policy);
	return check_tunnel_families(c);
}

static struct ik_config *config_new(const char *name)
{
	struct ik_config *cfg = ik_xcalloc(1, sizeof(*cfg));
	struct ik_keyring *def = ik_xcalloc(1, sizeof(*def));

	cfg->refs = 1;
	cfg->file = ik_xstrdup(name ? name : "<string>");
	cfg->hostname = ik_xstrdup("Router");
	cfg->isakmp_identity = IK_SELF_ID_ADDRESS;
	cfg->sa_lifetime_sec = 3600;
	cfg->sa_lifetime_kb = 4608000;
	cfg->store = ik_xcalloc(1, sizeof(*cfg->store));
	def->name = ik_xstrdup("default");
	def->is_default = true;
	*VPUSH(cfg->keyrings, cfg->nkeyrings) = def;
	ik_nmap_put(&cfg->store->names[IK_NS_KEYRING], def->name, def);
	return cfg;
}

static struct ik_config *parse_text(const char *text, size_t len, const char *name,
				    struct ik_conf_error *err)
{
	struct pctx *c;
	struct ik_config *cfg;
	int rc;

	if (err)
		memset(err, 0, sizeof(*err));
	if (ik_secmem_init()) {
		if (err) {
			snprintf(err->file, sizeof(err->file), "%s", name ? name : "<string>");
			snprintf(err->msg, sizeof(err->msg), "cannot initialise secure memory");
		}
		return NULL;
	}
	c = ik_xcalloc(1, sizeof(*c));
	c->cfg = cfg = config_new(name);
	c->st = cfg->store;
	c->err = err;
	c->text = text;
	c->textlen = len;
	ktab_presize(&c->keys, text, len);
	rc = parse_lines(c);
	/* the names a failed file refers to are checked too; the rest of the
	 * finishing work needs them all resolved */
	if (!(c->err && c->err->nerrors >= IK_CONF_MAX_ERRORS))
		rc = finish(c) || rc ? -1 : 0;
	for (size_t i = 0; i < c->nrefs; i++)
		free(c->refs[i].name);
	free(c->refs);
	free(c->cert_der);
	free(c->cert_serial);
	free(c->keys.e);
	ik_nmap_free(&c->peers);
	for (size_t i = 0; i < c->npeer_keys; i++)
		free(c->peer_keys[i]);
	free(c->peer_keys);
	ik_wipe(c->raw, sizeof(c->raw));
	ik_wipe(c->work, sizeof(c->work));
	free(c);
	if (rc) {
		ik_config_free_model(cfg);
		return NULL;
	}
	return cfg;
}

struct ik_config *ik_config_load_string(const char *text, const char *name,
					struct ik_conf_error *err)
{
	return parse_text(text ? text : "", text ? strlen(text) : 0, name, err);
}

static void file_error(struct ik_conf_error *err, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void file_error(struct ik_conf_error *err, const char *path, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", path);
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

struct ik_config *ik_config_load_file(const char *path, struct ik_conf_error *err)
{
	struct ik_config *cfg = NULL;
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		file_error(err, path, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		file_error(err, path, "not a regular file");
		goto out;
	}
	if ((unsigned long long)st.st_size > IK_CONF_MAX_FILE) {
		file_error(err, path, "file is %lld bytes long, larger than the limit of %u",
			   (long long)st.st_size, IK_CONF_MAX_FILE);
		goto out;
	}
	/* one byte more than the limit tells a file that grew while read */
	buf = ik_xmalloc(IK_CONF_MAX_FILE + 1 < (size_t)st.st_size + 4096
			 ? IK_CONF_MAX_FILE + 1 : (size_t)st.st_size + 4096);
	for (;;) {
		size_t cap = IK_CONF_MAX_FILE + 1 < (size_t)st.st_size + 4096
			     ? IK_CONF_MAX_FILE + 1 : (size_t)st.st_size + 4096;
		ssize_t n;

		if (got == cap) {
			if (cap > IK_CONF_MAX_FILE) {
				file_error(err, path, "file is larger than the limit of %u bytes",
					   IK_CONF_MAX_FILE);
				goto out;
			}
			file_error(err, path, "file changed while it was read");
			goto out;
		}
		n = read(fd, buf + got, cap - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			file_error(err, path, "read error: %s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	cfg = parse_text(buf, got, path, err);
out:
	if (buf) {
		ik_wipe(buf, got);
		free(buf);
	}
	close(fd);
	return cfg;
}
