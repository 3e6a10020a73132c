/* Configuration models built by hand for the selection tests. */
#include "test_select_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyring/resolver.h"
#include "profile/profile.h"
#include "profile/snapshot.h"
#include "util/addr.h"
#include "util/util.h"

static int tm_line = 1;

/* Appends a slot; the array doubles whenever its count reaches a power of
 * two, so its capacity needs no field of its own. */
#define TM_PUSH(arr, n)                                                            \
	(((n) & ((n) - 1)) == 0 ? (void)((arr) = ik_xrealloc((arr), ((n) ? 2 * (n) : 1) * \
							     sizeof(*(arr))))    \
				: (void)0,                                           \
	 &(arr)[(n)++])

uint32_t tm_ip(const char *s)
{
	uint32_t a = 0;

	if (ik_addr_parse(s, &a) < 0) {
		fprintf(stderr, "bad address in a test: %s\n", s);
		abort();
	}
	return a;
}

static char *tm_strdup(const char *s)
{
	return s ? ik_xstrdup(s) : NULL;
}

struct ik_config *tm_new(void)
{
	struct ik_config *cfg = ik_xcalloc(1, sizeof(*cfg));
	struct ik_keyring *d = ik_xcalloc(1, sizeof(*d));

	ik_secmem_init();
	tm_line = 1;
	cfg->refs = 1;
	cfg->file = ik_xstrdup("<test>");
	d->name = ik_xstrdup("default");
	d->is_default = true;
	*TM_PUSH(cfg->keyrings, cfg->nkeyrings) = d;
	return cfg;
}

struct ik_keyring *tm_keyring(struct ik_config *cfg, const char *name, const char *vrf)
{
	struct ik_keyring *kr = ik_xcalloc(1, sizeof(*kr));

	kr->name = ik_xstrdup(name);
	kr->vrf = tm_strdup(vrf);
	kr->line = tm_line++;
	kr->order = (unsigned)cfg->nkeyrings;
	*TM_PUSH(cfg->keyrings, cfg->nkeyrings) = kr;
	return kr;
}

static struct ik_key *tm_key_new(struct ik_config *cfg, struct ik_keyring *ring,
				 const char *secret)
{
	struct ik_key *k = ik_xcalloc(1, sizeof(*k));

	if (!ring)
		ring = cfg->keyrings[0];
	k->ring = ring;
	k->secret = secret ? ik_secret_new(secret, strlen(secret)) : NULL;
	k->line = tm_line++;
	k->order = (unsigned)cfg->nkeys;
	*TM_PUSH(cfg->keys, cfg->nkeys) = k;
	*TM_PUSH(ring->keys, ring->nkeys) = k;
	return k;
}

struct ik_key *tm_key(struct ik_config *cfg, struct ik_keyring *ring, const char *addr,
		      const char *mask, const char *secret)
{
	struct ik_key *k = tm_key_new(cfg, ring, secret);

	k->kind = IK_KEY_ADDRESS;
	k->mask = mask ? tm_ip(mask) : 0xffffffffu;
	k->mask_given = mask != NULL;
	k->plen = ik_mask_plen(k->mask);
	k->addr = tm_ip(addr) & k->mask;
	return k;
}

struct ik_key *tm_key_host(struct ik_config *cfg, struct ik_keyring *ring, const char *host,
			   const char *secret)
{
	struct ik_key *k = tm_key_new(cfg, ring, secret);

	k->kind = IK_KEY_HOSTNAME;
	k->hostname = ik_xstrdup(host);
	return k;
}

struct ik_isakmp_profile *tm_profile(struct ik_config *cfg, const char *name)
{
	struct ik_isakmp_profile *p = ik_xcalloc(1, sizeof(*p));

	p->name = ik_xstrdup(name);
	p->line = tm_line++;
	p->order = (unsigned)cfg->nprofiles;
	*TM_PUSH(cfg->profiles, cfg->nprofiles) = p;
	return p;
}

void tm_profile_keyring(struct ik_isakmp_profile *p, struct ik_keyring *kr)
{
	*TM_PUSH(p->keyrings, p->nkeyrings) = kr;
	tm_line++;
}

void tm_match_addr(struct ik_config *cfg, struct ik_isakmp_profile *p, const char *addr,
		   const char *mask, const char *vrf)
{
	struct ik_identity_match *m = TM_PUSH(p->matches, p->nmatches);

	(void)cfg;
	memset(m, 0, sizeof(*m));
	m->kind = IK_MATCH_ADDRESS;
	m->mask = mask ? tm_ip(mask) : 0xffffffffu;
	m->mask_given = mask != NULL;
	m->plen = ik_mask_plen(m->mask);
	m->addr = tm_ip(addr) & m->mask;
	m->vrf = tm_strdup(vrf);
	m->line = tm_line++;
}

void tm_match_name(struct ik_config *cfg, struct ik_isakmp_profile *p, enum ik_match_kind kind,
		   const char *name)
{
	struct ik_identity_match *m = TM_PUSH(p->matches, p->nmatches);

	(void)cfg;
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->name = ik_xstrdup(name);
	m->line = tm_line++;
}

struct ik_ipsec_profile *tm_ipsec(struct ik_config *cfg, const char *name,
				  struct ik_isakmp_profile *isakmp)
{
	struct ik_ipsec_profile *ip = ik_xcalloc(1, sizeof(*ip));

	ip->name = ik_xstrdup(name);
	ip->isakmp_profile = isakmp;
	ip->line = tm_line++;
	*TM_PUSH(cfg->ipsec_profiles, cfg->nipsec_profiles) = ip;
	return ip;
}

struct ik_interface *tm_tunnel(struct ik_config *cfg, unsigned num, const char *dest,
			       struct ik_ipsec_profile *prot, const char *vrf)
{
	struct ik_interface *ifc = ik_xcalloc(1, sizeof(*ifc));
	char name[32];

	snprintf(name, sizeof(name), "Tunnel%u", num);
	ifc->name = ik_xstrdup(name);
	ifc->is_tunnel = true;
	ifc->tunnel_num = num;
	ifc->tunnel_dest = tm_ip(dest);
	ifc->protection = prot;
	ifc->tunnel_vrf = tm_strdup(vrf);
	ifc->line = tm_line++;
	*TM_PUSH(cfg->ifaces, cfg->nifaces) = ifc;
	return ifc;
}

void tm_index(struct ik_config *cfg)
{
	struct ik_conf_error err;

	if (ik_snapshot_index(cfg, &err) < 0) {
		fprintf(stderr, "index: %s\n", err.msg);
		abort();
	}
}

void tm_free(struct ik_config *cfg)
{
	if (!cfg)
		return;
	if (cfg->index_free)
		cfg->index_free(cfg);
	for (size_t i = 0; i < cfg->nkeys; i++) {
		ik_secret_free(cfg->keys[i]->secret);
		free(cfg->keys[i]->hostname);
		free(cfg->keys[i]);
	}
	free(cfg->keys);
	for (size_t i = 0; i < cfg->nkeyrings; i++) {
		free(cfg->keyrings[i]->name);
		free(cfg->keyrings[i]->vrf);
		free(cfg->keyrings[i]->keys);
		free(cfg->keyrings[i]);
	}
	free(cfg->keyrings);
	for (size_t i = 0; i < cfg->nprofiles; i++) {
		struct ik_isakmp_profile *p = cfg->profiles[i];

		for (size_t j = 0; j < p->nmatches; j++) {
			free(p->matches[j].vrf);
			free(p->matches[j].name);
		}
		free(p->matches);
		free(p->keyrings);
		free(p->name);
		free(p);
	}
	free(cfg->profiles);
	for (size_t i = 0; i < cfg->nipsec_profiles; i++) {
		free(cfg->ipsec_profiles[i]->name);
		free(cfg->ipsec_profiles[i]);
	}
	free(cfg->ipsec_profiles);
	for (size_t i = 0; i < cfg->nifaces; i++) {
		free(cfg->ifaces[i]->name);
		free(cfg->ifaces[i]->tunnel_vrf);
		free(cfg->ifaces[i]);
	}
	free(cfg->ifaces);
	free(cfg->file);
	free(cfg);
}

/* R1 of the seed: keyring1 and keyring2 both hold 192.168.0.2; profile1
 * (keyring1) matches a host that does not exist, profile2 (keyring2) matches
 * R2; the IPsec profile sets isakmp-profile profile2. */
struct ik_config *tm_seed_r1(void)
{
	struct ik_config *cfg = tm_new();
	struct ik_keyring *k1 = tm_keyring(cfg, "keyring1", NULL);
	struct ik_isakmp_profile *p1, *p2;

	tm_key(cfg, k1, "192.168.0.2", NULL, "cisco");
	struct ik_keyring *k2 = tm_keyring(cfg, "keyring2", NULL);
	tm_key(cfg, k2, "192.168.0.2", NULL, "cisco");
	p1 = tm_profile(cfg, "profile1");
	tm_profile_keyring(p1, k1);
	tm_match_addr(cfg, p1, "192.168.0.102", "255.255.255.255", NULL);
	p2 = tm_profile(cfg, "profile2");
	tm_profile_keyring(p2, k2);
	tm_match_addr(cfg, p2, "192.168.0.2", "255.255.255.255", NULL);
	tm_tunnel(cfg, 1, "192.168.0.2", tm_ipsec(cfg, "profile1", p2), NULL);
	tm_index(cfg);
	return cfg;
}

/* R2 of the seed: the mirror, with profile1 (keyring1) matching R1 and the
 * IPsec profile setting isakmp-profile profile1. */
struct ik_config *tm_seed_r2(void)
{
	struct ik_config *cfg = tm_new();
	struct ik_keyring *k1 = tm_keyring(cfg, "keyring1", NULL);
	struct ik_isakmp_profile *p1, *p2;

	tm_key(cfg, k1, "192.168.0.1", NULL, "cisco");
	struct ik_keyring *k2 = tm_keyring(cfg, "keyring2", NULL);
	tm_key(cfg, k2, "192.168.0.1", NULL, "cisco");
	p1 = tm_profile(cfg, "profile1");
	tm_profile_keyring(p1, k1);
	tm_match_addr(cfg, p1, "192.168.0.1", "255.255.255.255", NULL);
	p2 = tm_profile(cfg, "profile2");
	tm_profile_keyring(p2, k2);
	tm_match_addr(cfg, p2, "192.168.0.100", "255.255.255.255", NULL);
	tm_tunnel(cfg, 1, "192.168.0.1", tm_ipsec(cfg, "profile1", p1), NULL);
	tm_index(cfg);
	return cfg;
}
