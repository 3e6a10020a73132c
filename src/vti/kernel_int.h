/* Constructors of the kernel backends, for kernel.c (ik_kernel_open). */
#ifndef IK_VTI_KERNEL_INT_H
#define IK_VTI_KERNEL_INT_H

#include "vti/kernel.h"

struct ik_kernel *ik_kernel_none_new(const struct ik_log *log, struct ik_sb *err);
struct ik_kernel *ik_kernel_netlink_new(const struct ik_log *log, struct ik_sb *err);

#endif
