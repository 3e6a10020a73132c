/* Builds configuration models by hand for the selection tests (the same
 * shape the parser produces: keyrings[0] is the default keyring, every object
 * carries a line number and its configuration order). */
#ifndef IK_TEST_SELECT_MODEL_H
#define IK_TEST_SELECT_MODEL_H

#include "conf/model.h"

struct ik_config *tm_new(void);
/* Frees the indexes (index_free) and the model. */
void tm_free(struct ik_config *cfg);
struct ik_keyring *tm_keyring(struct ik_config *cfg, const char *name, const char *vrf);
/* An address key; mask NULL = 255.255.255.255. ring NULL = the default
 * keyring (crypto isakmp key). */
struct ik_key *tm_key(struct ik_config *cfg, struct ik_keyring *ring, const char *addr,
		      const char *mask, const char *secret);
struct ik_key *tm_key_host(struct ik_config *cfg, struct ik_keyring *ring, const char *host,
			   const char *secret);
struct ik_isakmp_profile *tm_profile(struct ik_config *cfg, const char *name);
void tm_profile_keyring(struct ik_isakmp_profile *p, struct ik_keyring *kr);
void tm_match_addr(struct ik_config *cfg, struct ik_isakmp_profile *p, const char *addr,
		   const char *mask, const char *vrf);
void tm_match_name(struct ik_config *cfg, struct ik_isakmp_profile *p, enum ik_match_kind kind,
		   const char *name);
struct ik_ipsec_profile *tm_ipsec(struct ik_config *cfg, const char *name,
				  struct ik_isakmp_profile *isakmp);
struct ik_interface *tm_tunnel(struct ik_config *cfg, unsigned num, const char *dest,
			       struct ik_ipsec_profile *prot, const char *vrf);
/* Builds cfg->resolver and cfg->pindex. */
void tm_index(struct ik_config *cfg);
/* The seed's R1 and R2 (spec/seed-r1.conf, seed-r2.conf), by hand. */
struct ik_config *tm_seed_r1(void);
struct ik_config *tm_seed_r2(void);

uint32_t tm_ip(const char *s);

#endif
