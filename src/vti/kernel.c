/* ik_kernel_open: chooses a kernel backend by name. */
#include "vti/kernel.h"

#include <string.h>

#include "vti/kernel_int.h"

struct ik_kernel *ik_kernel_open(const char *name, const struct ik_log *log, struct ik_sb *err)
{
	if (!name || !strcmp(name, "netlink"))
		return ik_kernel_netlink_new(log, err);
	if (!strcmp(name, "none"))
		return ik_kernel_none_new(log, err);
	ik_sb_printf(err, "unknown kernel backend '%s' (expected netlink or none)", name);
	return NULL;
}
