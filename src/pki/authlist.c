/* The authorization list by public-key hash (see authlist.h). */
#include "pki/authlist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/model.h"
#include "util/addr.h"
#include "util/secmem.h"
#include "util/util.h"

struct az_ent {
	uint32_t key;           /* hash of the identity */
	uint32_t order;
	struct ik_authz_entry e;
};

struct ik_authz_list {
	char *name;
	bool raw_keys;
	struct az_ent *v;       /* sorted by (key, order) */
	size_t n;
	char **values;          /* copies of the identity texts */
};

static uint32_t az_key(const struct ik_authz_id *id)
{
	char a[IK_ADDR_ANYSTRLEN];
	const char *s = id->kind == IK_AUTHZ_ADDRESS ? ik_addr_fmt_any(&id->addr, a) :
			id->value ? id->value : "";
	uint8_t kind = (uint8_t)id->kind;

	return ik_fnv_nocase(ik_fnv_nocase(IK_FNV_INIT, &kind, 1), s, strlen(s));
}

static int az_cmp(const void *a, const void *b)
{
	const struct az_ent *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static bool az_same(const struct ik_authz_id *a, const struct ik_authz_id *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case IK_AUTHZ_ANY: return true;
	case IK_AUTHZ_ADDRESS: return ik_addr_eq(&a->addr, &b->addr);
	default: return a->value && b->value && !strcasecmp(a->value, b->value);
	}
}

void ik_authz_free(struct ik_authz_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->values[i]);
	free(l->values);
	free(l->v);
	free(l->name);
	free(l);
}

struct ik_authz_list *ik_authz_build(const char *name, const struct ik_authz_entry *e, size_t n,
				     bool raw_keys)
{
	struct ik_authz_list *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->name = strdup(name ? name : "");
	l->v = calloc(n ? n : 1, sizeof(*l->v));
	l->values = calloc(n ? n : 1, sizeof(*l->values));
	if (!l->name || !l->v || !l->values) {
		ik_authz_free(l);
		return NULL;
	}
	l->raw_keys = raw_keys;
	for (size_t i = 0; i < n; i++) {
		struct az_ent *a = &l->v[i];

		a->e = e[i];
		if (e[i].id.value) {
			l->values[i] = strdup(e[i].id.value);
			if (!l->values[i]) {
				l->n = i;
				ik_authz_free(l);
				return NULL;
			}
			a->e.id.value = l->values[i];
		}
		a->key = az_key(&a->e.id);
		a->order = (uint32_t)i;
		l->n = i + 1;
	}
	qsort(l->v, l->n, sizeof(*l->v), az_cmp);
	return l;
}

_Static_assert((int)IK_AUTHL_ANY == (int)IK_AUTHZ_ANY &&
	       (int)IK_AUTHL_ADDRESS == (int)IK_AUTHZ_ADDRESS &&
	       (int)IK_AUTHL_FQDN == (int)IK_AUTHZ_FQDN &&
	       (int)IK_AUTHL_EMAIL == (int)IK_AUTHZ_EMAIL && (int)IK_AUTHL_DN == (int)IK_AUTHZ_DN,
	       "conf/model.h and pki/authlist.h number identities alike");
_Static_assert((int)IK_AUTHL_SHA1 == (int)IK_PKI_SHA1 &&
	       (int)IK_AUTHL_SHA256 == (int)IK_PKI_SHA256,
	       "conf/model.h and pki/pki.h number hashes alike");

struct ik_authz_list *ik_authz_build_conf(const struct ik_authlist *conf)
{
	struct ik_authz_entry *e = calloc(conf->npeers ? conf->npeers : 1, sizeof(*e));
	struct ik_authz_list *l;

	if (!e)
		return NULL;
	for (size_t i = 0; i < conf->npeers; i++) {
		const struct ik_authlist_peer *p = &conf->peers[i];

		e[i].id.kind = (enum ik_authz_kind)p->kind;
		e[i].id.addr = p->addr;
		e[i].id.value = p->value;
		e[i].alg = (enum ik_pki_hash)p->alg;
		memcpy(e[i].hash, p->hash, sizeof(e[i].hash));
		e[i].line = p->line;
	}
	l = ik_authz_build(conf->name, e, conf->npeers, conf->raw_keys);
	free(e);
	return l;
}

const char *ik_authz_name(const struct ik_authz_list *l)
{
	return l->name;
}

bool ik_authz_raw_keys(const struct ik_authz_list *l)
{
	return l->raw_keys;
}

const char *ik_authz_id_text(const struct ik_authz_id *id, char *buf, size_t len)
{
	char a[IK_ADDR_ANYSTRLEN], v[IK_ESCAPED_LEN(256)];
	const char *kw = "any";

	switch (id->kind) {
	case IK_AUTHZ_ANY:
		snprintf(buf, len, "any");
		return buf;
	case IK_AUTHZ_ADDRESS:
		snprintf(buf, len, "address %s", ik_addr_fmt_any(&id->addr, a));
		return buf;
	case IK_AUTHZ_FQDN: kw = "fqdn"; break;
	case IK_AUTHZ_EMAIL: kw = "email"; break;
	case IK_AUTHZ_DN: kw = "dn"; break;
	}
	ik_str_escape(id->value ? id->value : "", id->value ? strlen(id->value) : 0, v, sizeof(v));
	snprintf(buf, len, "%s %s", kw, v);
	return buf;
}

/* Whether the key's hash under entry's algorithm equals entry's hash; the two
 * hashes of the key are computed once, when first needed. */
static bool az_key_matches(const struct ik_authz_entry *e, EVP_PKEY *pk, uint8_t h[2][32],
			   int hl[2])
{
	int k = e->alg == IK_PKI_SHA1 ? 0 : 1;

	if (!hl[k])
		hl[k] = ik_pki_key_hash(pk, e->alg, h[k]);
	return hl[k] > 0 && ik_hash_equal(h[k], (size_t)hl[k], e->hash, (size_t)hl[k]);
}

enum ik_authz_result ik_authz_check(const struct ik_authz_list *l, const struct ik_authz_id *id,
				    EVP_PKEY *pk, const char *peer, const struct ik_log *log)
{
	static const struct ik_authz_id any = { .kind = IK_AUTHZ_ANY };
	const struct ik_authz_id *probe[2] = { id, &any };
	uint8_t h[2][32];
	int hl[2] = { 0, 0 };
	bool listed = false;
	char idt[IK_ESCAPED_LEN(256) + 16], ht[80];

	for (int p = 0; p < 2; p++) {
		uint32_t key = az_key(probe[p]);
		size_t lo = 0, hi = l->n;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (l->v[mid].key < key)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t i = lo; i < l->n && l->v[i].key == key; i++) {
			if (!az_same(&l->v[i].e.id, probe[p]))
				continue;
			listed = true;
			if (az_key_matches(&l->v[i].e, pk, h, hl)) {
				ik_dbg(log, IK_DBG_ISAKMP_AAA, "ISAKMP AAA: Peer Validated against "
				       "the AuthList %s (%s, line %d)", l->name,
				       ik_authz_id_text(id, idt, sizeof(idt)), l->v[i].e.line);
				return IK_AUTHZ_OK;
			}
		}
	}
	ik_authz_id_text(id, idt, sizeof(idt));
	ik_pki_key_hash_text(pk, IK_PKI_SHA256, ht, sizeof(ht));
	ik_dbg(log, IK_DBG_ISAKMP_AAA, "ISAKMP AAA: Peer Not Validated against the AuthList %s: "
	       "%s presented key %s (%s)", l->name, idt, ht,
	       listed ? "not among the keys listed for it" : "identity not on the list");
	ik_msg(log, IK_LOG_WARNING, "%%CRYPTO-4-IKMP_AUTHLIST_FAIL: Peer %s (%s) Not Validated "
	       "against the AuthList %s: it presented key %s", peer ? peer : "?", idt, l->name,
	       ht);
	return listed ? IK_AUTHZ_KEY_MISMATCH : IK_AUTHZ_NO_ENTRY;
}
