/* The kernel backend: one interface, two implementations.
 *   netlink: XFRM SAs and policies, GRE/VTI links, routes (libnl-3);
 *   none:    records calls only, for tests and benchmarks.
 * Everything ikerd installs carries its ownership marks (reqid range and
 * policy priority, see kernel_netlink.c), so that start-up clean-up removes
 * only what ikerd made. */
#ifndef IK_VTI_KERNEL_H
#define IK_VTI_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/model.h"
#include "ipsec/child.h"
#include "util/log.h"
#include "util/strbuf.h"

struct ik_kernel;

struct ik_kernel_ops {
	const char *name;
	/* Removes what a previous ikerd left (SAs, policies, links it owns). */
	int (*flush_owned)(struct ik_kernel *k);
	/* Creates the link of a configured TunnelN (GRE or VTI over IPv4,
	 * ip6gre or vti6 over IPv6), with its addresses, up; installs routes
	 * of the configuration that name it. local: the outer source, of the
	 * family of the tunnel's mode. */
	int (*tunnel_up)(struct ik_kernel *k, const struct ik_config *cfg,
			 const struct ik_interface *tun, const struct ik_addr *local);
	int (*tunnel_down)(struct ik_kernel *k, const struct ik_interface *tun);
	/* Installs both ESP SAs and the out/in/fwd policies of a child SA. A
	 * rekey installs the new pair before the old one is removed. */
	int (*child_add)(struct ik_kernel *k, const struct ik_child_sa *c);
	int (*child_del)(struct ik_kernel *k, const struct ik_child_sa *c);
	/* A crypto map line's trap: the outbound policy of sel in tunnel mode
	 * (template local -> peer, request id reqid) without an SA, so that the
	 * first packet raises an acquire; and its removal. A child SA with the
	 * same selector shares the policy. */
	int (*trap_add)(struct ik_kernel *k, const struct ik_selector *sel, uint32_t reqid,
			const struct ik_addr *local, const struct ik_addr *peer);
	int (*trap_del)(struct ik_kernel *k, const struct ik_selector *sel);
	/* reverse-route: a route to dst/plen (a crypto map line's remote
	 * subnet) via the peer (of dst's family), marked as ikerd's, in the
	 * main table; and its removal (absent: not an error). */
	int (*route_add)(struct ik_kernel *k, const struct ik_addr *dst, uint8_t plen,
			 const struct ik_addr *via);
	int (*route_del)(struct ik_kernel *k, const struct ik_addr *dst, uint8_t plen,
			 const struct ik_addr *via);
	/* Packet and byte counters of each direction. */
	int (*child_counters)(struct ik_kernel *k, const struct ik_child_sa *c,
			      struct ik_sa_counters *in, struct ik_sa_counters *out);
	/* Event socket to poll (-1 if none), and a reader that calls cb per event. */
	int (*event_fd)(struct ik_kernel *k);
	int (*event_read)(struct ik_kernel *k, void (*cb)(void *ctx, const struct ik_kevent *ev), void *ctx);
	/* Removes everything this process installed (on exit). */
	int (*shutdown)(struct ik_kernel *k);
	void (*free)(struct ik_kernel *k);
};

struct ik_kernel {
	const struct ik_kernel_ops *ops;
	const struct ik_log *log;
};

/* name: "netlink" or "none". Returns NULL (with a message in err) on failure. */
struct ik_kernel *ik_kernel_open(const char *name, const struct ik_log *log, struct ik_sb *err);

/* The none backend's record, for tests: every call as one text line. */
const char *ik_kernel_none_record(struct ik_kernel *k);

#endif
