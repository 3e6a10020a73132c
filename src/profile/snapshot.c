/* A configuration snapshot: the parsed model plus its lookup indexes. */
#include "profile/snapshot.h"

static struct ik_config *snapshot_finish(struct ik_config *cfg, struct ik_conf_error *err)
{
	if (!cfg)
		return NULL;
	if (ik_snapshot_index(cfg, err) < 0) {
		ik_config_unref(cfg);
		return NULL;
	}
	return cfg;
}

struct ik_config *ik_snapshot_load_file(const char *path, struct ik_conf_error *err)
{
	return snapshot_finish(ik_config_load_file(path, err), err);
}

struct ik_config *ik_snapshot_load_string(const char *text, const char *name,
					  struct ik_conf_error *err)
{
	return snapshot_finish(ik_config_load_string(text, name, err), err);
}
