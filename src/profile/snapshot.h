/* A configuration snapshot ready for lookups: the parsed model plus the
 * indexes built on it once (the keyring resolver, the profile index). This is
 * what the daemon, the engines and the tests load. */
#ifndef IK_PROFILE_SNAPSHOT_H
#define IK_PROFILE_SNAPSHOT_H

#include "conf/model.h"

struct ik_config *ik_snapshot_load_file(const char *path, struct ik_conf_error *err);
struct ik_config *ik_snapshot_load_string(const char *text, const char *name,
					  struct ik_conf_error *err);

#endif
