/* Constructors of the kernel backends, for kernel.c (ik_kernel_open). */
#ifndef IK_VTI_KERNEL_INT_H
#define IK_VTI_KERNEL_INT_H

#include <stddef.h>

#include "vti/kernel.h"

struct nlmsghdr;

/* XFRM reqids (and link marks) of this process: the top byte is this tag, the
 * rest the engine's reqid. */
#define IK_KERNEL_REQID_BASE 0x1a000000u
#define IK_KERNEL_REQID_MASK 0xff000000u

struct ik_kernel *ik_kernel_none_new(const struct ik_log *log, struct ik_sb *err);
struct ik_kernel *ik_kernel_netlink_new(const struct ik_log *log, struct ik_sb *err);

/* Decodes one XFRM event message received on the netlink event socket
 * (h aligned as struct nlmsghdr, not changed; len bytes of it received): an acquire for a
 * policy of this process, or a soft/hard expire of one of its ESP SAs.
 * Returns 1 with ev filled; 0 for anything else (other types, other owners,
 * other families, or malformed: shorter than its header or than it says,
 * attributes that do not fit; the short ones logged on log). */
int ik_kernel_nl_event_decode(struct nlmsghdr *h, size_t len, const struct ik_log *log,
			      struct ik_kevent *ev);

/* The output interface of a reply to RTM_GETROUTE (h, len bytes received):
 * its RTA_OIF, or 0 for anything else (another type, a zero or out-of-range
 * index, or malformed: shorter than its header or than it says, attributes
 * that do not fit). */
int ik_kernel_nl_route_oif(struct nlmsghdr *h, size_t len);

#endif
