/* Private to src/conf: what a snapshot owns besides the model itself.
 *
 * - a secure arena for pre-shared keys (see model.h): sodium_malloc'd blocks
 *   holding struct ik_secret headers followed by the key bytes;
 * - hash tables from names to objects, one per namespace, for the parser's
 *   references and the ik_config_find_* lookups;
 * - slabs for the key objects (a million keys are a million small objects).
 */
#ifndef IK_CONF_STORE_H
#define IK_CONF_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "conf/model.h"

/* ---- name tables ---- */
struct ik_nent {
	const char *k;  /* owned by the object it names */
	void *v;
	uint32_t h;
};

struct ik_nmap {
	struct ik_nent *e;
	size_t n, cap;  /* cap is 0 or a power of two */
};

uint32_t ik_nmap_hash(const char *s);
void *ik_nmap_get(const struct ik_nmap *m, const char *k);
/* Adds k -> v; k must not be in the map yet. */
void ik_nmap_put(struct ik_nmap *m, const char *k, void *v);
void ik_nmap_free(struct ik_nmap *m);

/* ---- secure key arena ---- */
struct ik_secblock {
	struct ik_secblock *next;
	uint8_t *mem;   /* sodium_malloc'd */
	size_t used, size;
};

struct ik_secarena {
	struct ik_secblock *head;
};

/* A secret of len bytes copied from data, NUL-terminated, inside the arena.
 * NULL when secure memory cannot be allocated. */
struct ik_secret *ik_secarena_new(struct ik_secarena *a, const void *data, size_t len);
void ik_secarena_free(struct ik_secarena *a); /* wipes */

enum ik_ns {
	IK_NS_KEYRING, IK_NS_PROFILE, IK_NS_TSET, IK_NS_IPSEC_PROFILE,
	IK_NS_V2_KEYRING, IK_NS_V2_PROPOSAL, IK_NS_V2_POLICY, IK_NS_V2_PROFILE,
	IK_NS_IFACE, IK_NS_VRF, IK_NS_TRUSTPOINT, IK_NS_CERTMAP, IK_NS_AUTHLIST, IK_NS_ACL,
	IK_NS_CMAP, IK_NS_DYNMAP, IK_NS_COUNT
};

struct ik_keyslab {
	struct ik_keyslab *next;
	size_t used;
	struct ik_key keys[4096];
};

struct ik_conf_store {
	struct ik_secarena arena;
	struct ik_nmap names[IK_NS_COUNT];
	struct ik_keyslab *slabs;
};

/* Frees a model in any state (also a half-built one after a parse error);
 * looks neither at refs nor at index_free. */
void ik_config_free_model(struct ik_config *cfg);

#endif
