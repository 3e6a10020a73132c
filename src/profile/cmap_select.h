/* Crypto map selection: which map entry protects a proposal (responder)
 * or a packet (initiator), as IOS walks the map database: the map of the
 * interface the IKE SA uses, its entries in sequence order, the entries of
 * a dynamic map in their own order at the place of the entry that names
 * it. */
#ifndef IK_PROFILE_CMAP_SELECT_H
#define IK_PROFILE_CMAP_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/acl.h"
#include "conf/model.h"

/* The interface whose crypto map serves local address a: its own address
 * of a's family, or the one of the map's local-address interface. An IPv4
 * address is served by the map applied with `crypto map NAME`, an IPv6 one
 * by the map applied with `ipv6 crypto map NAME` (as IOS applies them).
 * NULL when no map is applied there. Linear in the interfaces that carry a
 * map (a router has a few). */
const struct ik_interface *ik_cmap_iface_for_local(const struct ik_config *cfg,
						   const struct ik_addr *a);
/* The map an interface applies to a family: crypto_map (IPv4) or
 * crypto_map6 (IPv6). */
const struct ik_cmap *ik_cmap_of_iface(const struct ik_interface *ifc, uint8_t family);
/* The map serving local address a (the two above), or NULL. */
const struct ik_cmap *ik_cmap_for_local(const struct ik_config *cfg, const struct ik_addr *a);
/* Whether interface ifc applies map m (to either family). */
bool ik_cmap_iface_carries(const struct ik_interface *ifc, const struct ik_cmap *m);

struct ik_cmap_match {
	const struct ik_cmap_entry *entry; /* static entry, or dynamic-map entry */
	const struct ik_cmap_entry *via;   /* the map's entry that named the dynamic map */
	const struct ik_ace *ace;          /* the permit line; NULL: an entry without
					    * match address (dynamic) takes the proposal */
	size_t ace_idx;
};

/* Called for each entry considered, before its ACL is checked. */
typedef void (*ik_cmap_trace_fn)(void *ctx, const struct ik_cmap_entry *e);

/* Responder: the first entry of map (in order) that the peer may use and
 * whose ACL has a permit line containing proposal p (local/remote as seen
 * here; the mirror image of the peer's). A static entry needs the peer
 * among its set peer lines and a match address; a dynamic-map entry
 * accepts any peer unless it sets peers, and any proposal when it has no
 * match address. ike_version 1: entries that set an ikev2-profile are
 * passed over (IOS runs them with IKEv2); ike_version 2: only those. 0
 * with *out, or -1. */
int ik_cmap_match_proxy(const struct ik_cmap *map, unsigned ike_version,
			const struct ik_addr *peer, const struct ik_proxy *p,
			ik_cmap_trace_fn trace, void *ctx, struct ik_cmap_match *out);

/* Whether a peer may use entry e: among its set peer lines, or any peer
 * for a dynamic-map entry without set peer. */
bool ik_cmap_peer_allowed(const struct ik_cmap_entry *e, const struct ik_addr *peer);

/* The map database walk itself: fn for each entry of map in IOS's order
 * (a dynamic map's entries at the place of the entry naming it) until fn
 * returns true; that entry, with *via the entry that named its dynamic map
 * (or NULL). NULL when fn took none. */
typedef bool (*ik_cmap_walk_fn)(void *ctx, const struct ik_cmap_entry *e);
const struct ik_cmap_entry *ik_cmap_walk(const struct ik_cmap *map, ik_cmap_walk_fn fn,
					 void *ctx, const struct ik_cmap_entry **via);

/* Initiator: the first static entry whose ACL permits packet f (a deny
 * line sends the packet on to the next entry, as IOS does). 0 with *out, or
 * -1. */
int ik_cmap_match_flow(const struct ik_cmap *map, const struct ik_flow *f,
		       struct ik_cmap_match *out);

/* The traps of a configuration: for each permit line (up to the 255th) of
 * each complete static entry of a map applied to an interface with an
 * address of its peers' family, the outbound selector (local subnet ->
 * remote subnet, IPv4 or IPv6 as the access list), the request id, and the
 * outer addresses (the map's local address of the peers' family, the first
 * set peer). The kernel installs them as policies without SA, so that the
 * first packet raises an acquire. Returns the number of traps. */
struct ik_selector;
typedef void (*ik_cmap_trap_fn)(void *ctx, const struct ik_cmap_entry *e, size_t ace,
				const struct ik_selector *sel, uint32_t reqid,
				const struct ik_addr *local, const struct ik_addr *peer);
size_t ik_cmap_traps(const struct ik_config *cfg, ik_cmap_trap_fn fn, void *ctx);
/* The entry and line of a request id (an acquire), or -1. */
int ik_cmap_by_reqid(const struct ik_config *cfg, uint32_t reqid,
		     const struct ik_cmap_entry **e, size_t *ace);
/* The local address of family (IK_AF_INET4 or IK_AF_INET6) that map m's
 * exchanges with a peer of that family leave from: the address of that
 * family of its local-address interface, or of the first interface that
 * applies the map to that family (crypto map for IPv4, ipv6 crypto map for
 * IPv6). 0 with *out, or -1 when there is none. */
int ik_cmap_local(const struct ik_config *cfg, const struct ik_cmap *m, uint8_t family,
		  struct ik_addr *out);

/* The kernel request id of an entry's line (stable across reloads that keep
 * the map's order): apart from the tunnels' (tunnel number + 1). */
uint32_t ik_cmap_reqid(const struct ik_cmap_entry *e, size_t ace_idx);
#define IK_CMAP_REQID_FLAG 0x800000u

#endif
