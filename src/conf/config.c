/* The configuration snapshot's life: references, freeing, name lookups, the
 * secure key arena, and the IOS-style error text. */
#include "conf/model.h"
#include "conf/store.h"
#include "conf/pki_conf.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/strbuf.h"
#include "util/util.h"

/* ---- name tables: open addressing, linear probing ---- */

uint32_t ik_nmap_hash(const char *s)
{
	uint32_t h = 2166136261u;   /* FNV-1a */

	for (; *s; s++) {
		h ^= (uint8_t)*s;
		h *= 16777619u;
	}
	return h;
}

void *ik_nmap_get(const struct ik_nmap *m, const char *k)
{
	uint32_t h;
	size_t i;

	if (!m->cap)
		return NULL;
	h = ik_nmap_hash(k);
	for (i = h & (m->cap - 1); m->e[i].k; i = (i + 1) & (m->cap - 1))
		if (m->e[i].h == h && !strcmp(m->e[i].k, k))
			return m->e[i].v;
	return NULL;
}

static void nmap_insert(struct ik_nent *e, size_t cap, const struct ik_nent *n)
{
	size_t i;

	for (i = n->h & (cap - 1); e[i].k; i = (i + 1) & (cap - 1))
		;
	e[i] = *n;
}

void ik_nmap_put(struct ik_nmap *m, const char *k, void *v)
{
	struct ik_nent n = { .k = k, .v = v, .h = ik_nmap_hash(k) };

	if ((m->n + 1) * 2 > m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;
		struct ik_nent *e = ik_xcalloc(cap, sizeof(*e));

		for (size_t i = 0; i < m->cap; i++)
			if (m->e[i].k)
				nmap_insert(e, cap, &m->e[i]);
		free(m->e);
		m->e = e;
		m->cap = cap;
	}
	nmap_insert(m->e, m->cap, &n);
	m->n++;
}

void ik_nmap_free(struct ik_nmap *m)
{
	free(m->e);
	memset(m, 0, sizeof(*m));
}

/* ---- secure key arena ---- */

#define SECBLOCK_SIZE (256u * 1024)

struct ik_secret *ik_secarena_new(struct ik_secarena *a, const void *data, size_t len)
{
	struct ik_secblock *b = a->head;
	size_t need = (sizeof(struct ik_secret) + len + 1 + 15) & ~(size_t)15;
	struct ik_secret *s;

	if (!b || b->size - b->used < need) {
		/* blocks grow from one page to SECBLOCK_SIZE: small configs stay small */
		size_t size = b ? b->size * 2 : 4096 - 64;

		if (size > SECBLOCK_SIZE)
			size = SECBLOCK_SIZE;
		if (size < need)
			size = need;

		b = calloc(1, sizeof(*b));
		if (!b)
			return NULL;
		b->mem = sodium_malloc(size);
		if (!b->mem) {
			free(b);
			return NULL;
		}
		b->size = size;
		b->next = a->head;
		a->head = b;
	}
	/* sodium_malloc returns blocks aligned for any header; need keeps 16 */
	s = (struct ik_secret *)(void *)(b->mem + b->used);
	s->len = len;
	s->p = (uint8_t *)(s + 1);
	if (len)
		memcpy(s->p, data, len);
	s->p[len] = '\0';
	b->used += need;
	return s;
}

void ik_secarena_free(struct ik_secarena *a)
{
	struct ik_secblock *b = a->head, *next;

	for (; b; b = next) {
		next = b->next;
		sodium_free(b->mem); /* wipes */
		free(b);
	}
	a->head = NULL;
}

/* ---- references and freeing ---- */

struct ik_config *ik_config_ref(struct ik_config *cfg)
{
	/* atomic: the daemon's worker threads share one snapshot */
	if (cfg)
		__atomic_add_fetch(&cfg->refs, 1, __ATOMIC_RELAXED);
	return cfg;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void free_keyring(struct ik_keyring *kr)
{
	if (!kr)
		return;
	free(kr->name);
	free(kr->vrf);
	free(kr->keys);
	free(kr->local_address_if);
	free(kr->description);
	free(kr);
}

static void free_profile(struct ik_isakmp_profile *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->keyrings);
	free(p->trustpoints);
	for (size_t i = 0; i < p->nmatches; i++) {
		free(p->matches[i].vrf);
		free(p->matches[i].name);
	}
	free(p->matches);
	free(p->ivrf);
	free(p->self_id_value);
	free(p->local_address_if);
	free(p->description);
	free(p);
}

static void free_v2_keyring(struct ik_ikev2_keyring *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->npeers; i++) {
		free(k->peers[i].name);
		free(k->peers[i].id_value);
		free(k->peers[i].hostname);
		free(k->peers[i].description);
	}
	free(k->peers);
	free(k->name);
	free(k);
}

static void free_v2_proposal(struct ik_ikev2_proposal *p)
{
	if (!p)
		return;
	free(p->name);
	free_strv(p->encr, p->nencr);
	free_strv(p->integ, p->ninteg);
	free_strv(p->prf, p->nprf);
	free_strv(p->group, p->ngroup);
	free(p);
}

static void free_v2_policy(struct ik_ikev2_policy *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->proposals);
	free_strv(p->match_fvrf, p->nmatch_fvrf);
	free(p->match_local);
	free(p);
}

static void free_v2_profile(struct ik_ikev2_profile *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->trustpoints);
	for (size_t i = 0; i < p->nmatches; i++)
		free(p->matches[i].value);
	free(p->matches);
	free(p->match_fvrf);
	free(p->match_local);
	free(p->local_id_value);
	free(p->description);
	free(p);
}

static void free_iface(struct ik_interface *ifc)
{
	if (!ifc)
		return;
	free(ifc->name);
	free(ifc->vrf);
	free(ifc->description);
	free(ifc->tunnel_source_if);
	free(ifc->tunnel_vrf);
	free(ifc);
}

static void free_authlist(struct ik_authlist *l)
{
	for (size_t i = 0; i < l->npeers; i++)
		free(l->peers[i].value);
	free(l->peers);
	free(l->description);
	free(l->name);
	free(l);
}

static void free_acl(struct ik_acl *a)
{
	for (size_t i = 0; i < a->naces; i++)
		free(a->aces[i].remark);
	free(a->aces);
	free(a->name);
	free(a);
}

static void free_cmap(struct ik_cmap *m)
{
	for (size_t i = 0; i < m->nentries; i++) {
		struct ik_cmap_entry *e = m->entries[i];

		free(e->peers);
		free(e->acl_name);
		free(e->dynamic_name);
		free(e->ipsec.name);
		free(e->tsets);
		free(e->description);
		free(e);
	}
	free(m->entries);
	free(m->local_address_if);
	free(m->name);
	free(m);
}

void ik_config_free_model(struct ik_config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	free(cfg->file);
	free(cfg->hostname);
	free(cfg->policies);
	for (i = 0; i < cfg->nkeys; i++)
		free(cfg->keys[i]->hostname);
	free(cfg->keys);
	for (i = 0; i < cfg->nkeyrings; i++)
		free_keyring(cfg->keyrings[i]);
	free(cfg->keyrings);
	for (i = 0; i < cfg->nprofiles; i++)
		free_profile(cfg->profiles[i]);
	free(cfg->profiles);
	for (i = 0; i < cfg->ntsets; i++) {
		free(cfg->tsets[i]->name);
		free(cfg->tsets[i]);
	}
	free(cfg->tsets);
	for (i = 0; i < cfg->nipsec_profiles; i++) {
		free(cfg->ipsec_profiles[i]->name);
		free(cfg->ipsec_profiles[i]->tsets);
		free(cfg->ipsec_profiles[i]->description);
		free(cfg->ipsec_profiles[i]);
	}
	free(cfg->ipsec_profiles);
	for (i = 0; i < cfg->nv2_keyrings; i++)
		free_v2_keyring(cfg->v2_keyrings[i]);
	free(cfg->v2_keyrings);
	for (i = 0; i < cfg->nv2_proposals; i++)
		free_v2_proposal(cfg->v2_proposals[i]);
	free(cfg->v2_proposals);
	for (i = 0; i < cfg->nv2_policies; i++)
		free_v2_policy(cfg->v2_policies[i]);
	free(cfg->v2_policies);
	for (i = 0; i < cfg->nv2_profiles; i++)
		free_v2_profile(cfg->v2_profiles[i]);
	free(cfg->v2_profiles);
	for (i = 0; i < cfg->nauthlists; i++)
		free_authlist(cfg->authlists[i]);
	free(cfg->authlists);
	for (i = 0; i < cfg->nifaces; i++)
		free_iface(cfg->ifaces[i]);
	free(cfg->ifaces);
	for (i = 0; i < cfg->nroutes; i++) {
		free(cfg->routes[i].vrf);
		free(cfg->routes[i].out_if_name);
	}
	free(cfg->routes);
	for (i = 0; i < cfg->nvrfs; i++) {
		free(cfg->vrfs[i].name);
		free(cfg->vrfs[i].rd);
	}
	free(cfg->vrfs);
	for (i = 0; i < cfg->nacls; i++)
		free_acl(cfg->acls[i]);
	free(cfg->acls);
	for (i = 0; i < cfg->ncmaps; i++)
		free_cmap(cfg->cmaps[i]);
	free(cfg->cmaps);
	free(cfg->cmap_ifaces);
	free(cfg->ifaces_by_addr);
	free(cfg->cmap_entries);
	free(cfg->warnings);
	ik_conf_pki_free(cfg);
	if (cfg->store) {
		struct ik_keyslab *s, *next;

		ik_secarena_free(&cfg->store->arena);
		for (i = 0; i < IK_NS_COUNT; i++)
			ik_nmap_free(&cfg->store->names[i]);
		for (s = cfg->store->slabs; s; s = next) {
			next = s->next;
			free(s);
		}
		free(cfg->store);
	}
	free(cfg);
}

void ik_config_unref(struct ik_config *cfg)
{
	if (!cfg || __atomic_sub_fetch(&cfg->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	if (cfg->index_free)
		cfg->index_free(cfg);
	ik_config_free_model(cfg);
}

/* ---- lookups ---- */

/* A model built by hand (tests) has no name tables: look through the lists. */
#define FIND_LINEAR(arr, n, name)                                              \
	do {                                                                   \
		for (size_t i_ = 0; i_ < (n); i_++)                            \
			if (!strcmp((arr)[i_]->name, (name)))                  \
				return (arr)[i_];                              \
		return NULL;                                                   \
	} while (0)

static void *find(const struct ik_config *cfg, enum ik_ns ns, const char *name)
{
	return ik_nmap_get(&cfg->store->names[ns], name);
}

struct ik_isakmp_profile *ik_config_find_profile(const struct ik_config *cfg, const char *name)
{
	if (!cfg || !name)
		return NULL;
	if (!cfg->store)
		FIND_LINEAR(cfg->profiles, cfg->nprofiles, name);
	return find(cfg, IK_NS_PROFILE, name);
}

struct ik_keyring *ik_config_find_keyring(const struct ik_config *cfg, const char *name)
{
	if (!cfg || !name)
		return NULL;
	if (!cfg->store)
		FIND_LINEAR(cfg->keyrings, cfg->nkeyrings, name);
	return find(cfg, IK_NS_KEYRING, name);
}

struct ik_ipsec_profile *ik_config_find_ipsec_profile(const struct ik_config *cfg,
						      const char *name)
{
	if (!cfg || !name)
		return NULL;
	if (!cfg->store)
		FIND_LINEAR(cfg->ipsec_profiles, cfg->nipsec_profiles, name);
	return find(cfg, IK_NS_IPSEC_PROFILE, name);
}

struct ik_authlist *ik_config_find_authlist(const struct ik_config *cfg, const char *name)
{
	if (!cfg || !name)
		return NULL;
	if (!cfg->store)
		FIND_LINEAR(cfg->authlists, cfg->nauthlists, name);
	return find(cfg, IK_NS_AUTHLIST, name);
}

struct ik_acl *ik_config_find_acl(const struct ik_config *cfg, const char *name)
{
	if (!cfg || !name)
		return NULL;
	if (!cfg->store)
		FIND_LINEAR(cfg->acls, cfg->nacls, name);
	return find(cfg, IK_NS_ACL, name);
}

struct ik_cmap *ik_config_find_cmap(const struct ik_config *cfg, const char *name, bool dynamic)
{
	if (!cfg || !name)
		return NULL;
	if (!cfg->store) {
		for (size_t i = 0; i < cfg->ncmaps; i++)
			if (cfg->cmaps[i]->is_dynamic == dynamic &&
			    !strcmp(cfg->cmaps[i]->name, name))
				return cfg->cmaps[i];
		return NULL;
	}
	return find(cfg, dynamic ? IK_NS_DYNMAP : IK_NS_CMAP, name);
}

/* ---- interface names, as IOS reads them ---- */

static const char *const iftypes[] = {
	"Tunnel", "Loopback", "Ethernet", "FastEthernet", "GigabitEthernet",
	"TenGigabitEthernet", "FortyGigabitEthernet", "HundredGigE", "Serial",
	"Dialer", "Vlan", "Port-channel", "Virtual-Template", "Virtual-Access", "BDI",
	"Cellular", "Null",
};

int ik_iftype_lookup(const char *s, size_t len, bool abbrev, const char **type)
{
	const char *hit = NULL;
	int n = 0;

	*type = NULL;
	if (!len)
		return 0;
	for (size_t i = 0; i < sizeof(iftypes) / sizeof(iftypes[0]); i++) {
		if (strlen(iftypes[i]) == len && !strncasecmp(s, iftypes[i], len)) {
			*type = iftypes[i];
			return 1;
		}
		if (abbrev && strlen(iftypes[i]) > len && !strncasecmp(s, iftypes[i], len)) {
			hit = iftypes[i];
			n++;
		}
	}
	if (n == 1)
		*type = hit;
	return n;
}

/* The start of Linux's own device names that also abbreviate an IOS type:
 * eth0 and eth0.100 (Ethernet), tun0 (Tunnel). Linux's other names (ens3,
 * enp0s3, wlan0, br0, bond0, veth0, tap0, wg0, gre1, vti1, ppp0, lo) are
 * no IOS type's start and stay as written anyway. */
static const char *const linux_prefixes[] = { "eth", "tun" };

bool ik_iface_name_linux(const char *s)
{
	size_t alen = strcspn(s, "0123456789");

	for (size_t i = 0; i < sizeof(linux_prefixes) / sizeof(linux_prefixes[0]); i++)
		if (alen == strlen(linux_prefixes[i]) && !strncmp(s, linux_prefixes[i], alen))
			return true;
	return false;
}

char *ik_iface_name_canon(const char *s, bool abbrev)
{
	size_t alen = strcspn(s, "0123456789");
	const char *t;
	char *out;

	/* TYPE then a number: 0/1, 1.100, 0/0/0:1 */
	if (alen == 0 || !s[alen] || strspn(s + alen, "0123456789/.:") != strlen(s + alen) ||
	    ik_iftype_lookup(s, alen, abbrev && !ik_iface_name_linux(s), &t) < 1 || !t)
		return ik_xstrdup(s);
	out = ik_xmalloc(strlen(t) + strlen(s + alen) + 1);
	strcpy(out, t);
	strcat(out, s + alen);
	return out;
}

struct ik_interface *ik_config_find_iface(const struct ik_config *cfg, const char *name)
{
	struct ik_interface *ifc;
	char *full;

	if (!cfg || !name)
		return NULL;
	if (!cfg->store) {
		for (size_t i = 0; i < cfg->nifaces; i++)
			if (!strcmp(cfg->ifaces[i]->name, name))
				return cfg->ifaces[i];
	} else if ((ifc = find(cfg, IK_NS_IFACE, name))) {
		return ifc;
	}
	/* Gi0/0 is GigabitEthernet0/0, tunnel1 is Tunnel1 */
	full = ik_iface_name_canon(name, true);
	ifc = NULL;
	if (strcmp(full, name)) {
		if (!cfg->store) {
			for (size_t i = 0; i < cfg->nifaces && !ifc; i++)
				if (!strcmp(cfg->ifaces[i]->name, full))
					ifc = cfg->ifaces[i];
		} else {
			ifc = find(cfg, IK_NS_IFACE, full);
		}
	}
	free(full);
	return ifc;
}

struct ik_interface *ik_config_iface_by_addr(const struct ik_config *cfg, uint32_t a)
{
	size_t lo = 0, hi;

	if (!cfg || !a)
		return NULL;
	if (!cfg->ifaces_indexed) {
		/* a model made by hand (tests): no index */
		for (size_t i = 0; i < cfg->nifaces; i++)
			if (cfg->ifaces[i]->mask && cfg->ifaces[i]->addr == a)
				return cfg->ifaces[i];
		return NULL;
	}
	hi = cfg->nifaces_by_addr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cfg->ifaces_by_addr[mid]->addr < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < cfg->nifaces_by_addr && cfg->ifaces_by_addr[lo]->addr == a ?
	       cfg->ifaces_by_addr[lo] : NULL;
}

struct iface_ent {
	uint32_t addr;
	size_t pos;
	struct ik_interface *ifc;
};

static int iface_ent_cmp(const void *a, const void *b)
{
	const struct iface_ent *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

void ik_config_index_ifaces(struct ik_config *cfg)
{
	struct iface_ent *ent = ik_xcalloc(cfg->nifaces ? cfg->nifaces : 1, sizeof(*ent));
	size_t n = 0;

	free(cfg->ifaces_by_addr);
	for (size_t i = 0; i < cfg->nifaces; i++)
		if (cfg->ifaces[i]->mask)
			ent[n++] = (struct iface_ent){ cfg->ifaces[i]->addr, i, cfg->ifaces[i] };
	qsort(ent, n, sizeof(*ent), iface_ent_cmp);
	cfg->ifaces_by_addr = ik_xcalloc(n ? n : 1, sizeof(*cfg->ifaces_by_addr));
	for (size_t i = 0; i < n; i++)
		cfg->ifaces_by_addr[i] = ent[i].ifc;
	cfg->nifaces_by_addr = n;
	cfg->ifaces_indexed = true;
	free(ent);
}

const char *ik_encr_name(enum ik_encr e)
{
	switch (e) {
	case IK_ENCR_DES: return "des";
	case IK_ENCR_3DES: return "3des";
	case IK_ENCR_AES: return "aes";
	case IK_ENCR_NONE: break;
	}
	return "none";
}

const char *ik_hash_name(enum ik_hash h)
{
	switch (h) {
	case IK_HASH_MD5: return "md5";
	case IK_HASH_SHA1: return "sha";
	case IK_HASH_SHA256: return "sha256";
	case IK_HASH_SHA384: return "sha384";
	case IK_HASH_SHA512: return "sha512";
	case IK_HASH_NONE: break;
	}
	return "none";
}

/* ---- errors ---- */

static void conf_error_one(const char *file, int line, int col, const char *text,
			   size_t textsz, const char *msg, bool incomplete, struct ik_sb *out)
{
	size_t tl;

	if (line <= 0) {
		ik_sb_printf(out, "%s: %s\n", file, msg);
		return;
	}
	if (col <= 0) {
		ik_sb_printf(out, "%s:%d: %s\n", file, line, msg);
		return;
	}
	ik_sb_printf(out, "%s:%d:%d: %s\n%s\n", file, line, col, msg, text);
	tl = strnlen(text, textsz);
	/* keep tabs so that the marker lines up under the token */
	for (int i = 0; i < col - 1 && i < 4096; i++)
		ik_sb_add(out, ((size_t)i < tl && text[i] == '\t') ? "\t" : " ");
	ik_sb_add(out, "^\n");
	ik_sb_add(out, incomplete ? "% Incomplete command.\n"
				  : "% Invalid input detected at '^' marker.\n");
}

void ik_conf_error_format_all(const struct ik_conf_error *err, struct ik_sb *out)
{
	if (!err)
		return;
	conf_error_one(err->file, err->line, err->col, err->text, sizeof(err->text), err->msg,
		       err->incomplete, out);
	for (unsigned i = 0; i < err->nmore && i < IK_CONF_MAX_ERRORS - 1; i++) {
		const struct ik_conf_error_more *m = &err->more[i];

		conf_error_one(err->file, m->line, m->col, m->text, sizeof(m->text), m->msg,
			       m->incomplete, out);
	}
	if (err->nerrors >= IK_CONF_MAX_ERRORS)
		ik_sb_printf(out, "%s: %u errors, reading stopped there; the file is rejected\n",
			     err->file, err->nerrors);
	else if (err->nerrors > 1)
		ik_sb_printf(out, "%s: %u errors; the file is rejected\n", err->file,
			     err->nerrors);
}

void ik_conf_error_format(const struct ik_conf_error *err, char *buf, size_t len)
{
	size_t off = 0, tl;
	int n;

	if (!buf || !len)
		return;
	buf[0] = '\0';
	if (!err)
		return;
#define OUT(...)                                                               \
	do {                                                                   \
		n = snprintf(buf + off, len - off, __VA_ARGS__);               \
		if (n < 0 || (size_t)n >= len - off)                           \
			return;                                                \
		off += (size_t)n;                                              \
	} while (0)
	if (err->line <= 0) {
		OUT("%s: %s\n", err->file, err->msg);
		return;
	}
	if (err->col <= 0) {
		OUT("%s:%d: %s\n", err->file, err->line, err->msg);
		return;
	}
	OUT("%s:%d:%d: %s\n", err->file, err->line, err->col, err->msg);
	OUT("%s\n", err->text);
	tl = strnlen(err->text, sizeof(err->text));
	for (int i = 0; i < err->col - 1 && off + 2 < len; i++) {
		/* keep tabs so that the marker lines up under the token */
		buf[off++] = ((size_t)i < tl && err->text[i] == '\t') ? '\t' : ' ';
	}
	buf[off] = '\0';
	OUT("^\n");
	if (err->incomplete)
		OUT("%% Incomplete command.\n");
	else
		OUT("%% Invalid input detected at '^' marker.\n");
#undef OUT
}
