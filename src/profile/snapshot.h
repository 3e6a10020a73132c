/* A configuration snapshot ready for lookups: the parsed model plus the
 * indexes built on it once (the keyring resolver, the profile index). This is
 * what the daemon, the engines and the tests load. */
#ifndef IK_PROFILE_SNAPSHOT_H
#define IK_PROFILE_SNAPSHOT_H

#include "conf/model.h"

struct ik_config *ik_snapshot_load_file(const char *path, struct ik_conf_error *err);
struct ik_config *ik_snapshot_load_string(const char *text, const char *name,
					  struct ik_conf_error *err);

/* Builds the indexes of a model that was made some other way (tests,
 * benchmarks): cfg->resolver, cfg->pindex and cfg->index_free. Returns 0, or
 * -1 with *err filled (cfg is left without indexes). */
int ik_snapshot_index(struct ik_config *cfg, struct ik_conf_error *err);

/* The protected tunnel interfaces (tunnel protection set) whose tunnel
 * destination is dest, in configuration order; *n of them. Through the
 * snapshot's index (O(log n)), or a scan of a model built without one. */
const struct ik_interface *const *ik_snapshot_tunnels_to(const struct ik_config *cfg,
							  uint32_t dest, size_t *n);
/* The first protected tunnel interface, in configuration order, from local
 * to remote: tunnel destination remote and tunnel source local, or a source
 * not known from the configuration (it matches any local address). Two
 * lookups in the snapshot's (destination, source) index, whatever the
 * number of tunnels to remote; a scan of a model built without one. */
const struct ik_interface *ik_snapshot_tunnel_for(const struct ik_config *cfg, uint32_t local,
						  uint32_t remote);
/* The protected tunnel interface TunnelN, or NULL; as above. */
const struct ik_interface *ik_snapshot_tunnel_num(const struct ik_config *cfg, unsigned num);

#endif
