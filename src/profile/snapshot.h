/* A configuration snapshot ready for lookups: the parsed model plus the
 * indexes built on it once (the keyring resolver, the profile index). This is
 * what the daemon, the engines and the tests load. */
#ifndef IK_PROFILE_SNAPSHOT_H
#define IK_PROFILE_SNAPSHOT_H

#include <string.h>

#include "conf/model.h"
#include "util/addr.h"

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
 * to remote (IPv4): tunnel destination remote and tunnel source local, or a
 * source not known from the configuration (it matches any local address).
 * Two lookups in the snapshot's (destination, source) index, whatever the
 * number of tunnels to remote; a scan of a model built without one. */
const struct ik_interface *ik_snapshot_tunnel_for(const struct ik_config *cfg, uint32_t local,
						  uint32_t remote);
/* The same for a destination of either family (an IPv6 one matches tunnel
 * destination X:X:X:X::X lines). */
const struct ik_interface *const *ik_snapshot_tunnels_to_ip(const struct ik_config *cfg,
							     const struct ik_addr *dest,
							     size_t *n);

/* A tunnel's destination and source as struct ik_addr: IPv6 when the
 * configuration gives an IPv6 address, else IPv4 (0.0.0.0: none, or a
 * source interface not resolved from the configuration). */
static inline void ik_iface_tunnel_dest(const struct ik_interface *t, struct ik_addr *out)
{
	if (t->tunnel_dest_v6) {
		out->family = IK_AF_INET6;
		memcpy(out->v6, t->tunnel_dest6, 16);
	} else {
		*out = ik_addr_v4(t->tunnel_dest);
	}
}

static inline void ik_iface_tunnel_source(const struct ik_interface *t, struct ik_addr *out)
{
	if (t->tunnel_source_v6) {
		out->family = IK_AF_INET6;
		memcpy(out->v6, t->tunnel_source6, 16);
	} else {
		*out = ik_addr_v4(t->tunnel_source_resolved ? t->tunnel_source : 0);
	}
}

/* The protected tunnel interface TunnelN, or NULL; as above. */
const struct ik_interface *ik_snapshot_tunnel_num(const struct ik_config *cfg, unsigned num);

#endif
