/* The lookup indexes of a snapshot: the keyring resolver and the profile
 * index, built once per model and freed with it (cfg->index_free). */
#include "profile/snapshot.h"

#include <stdio.h>
#include <string.h>

#include "keyring/hostkeys.h"
#include "keyring/resolver.h"
#include "profile/profile.h"
#include "profile/v2_select.h"

static void snapshot_index_free(struct ik_config *cfg)
{
	ik_resolver_free(cfg->resolver);
	ik_profile_index_free(cfg->pindex);
	ik_hostkeys_free(cfg->hostkeys);
	ik_v2_index_free(cfg->v2index);
	cfg->resolver = NULL;
	cfg->pindex = NULL;
	cfg->hostkeys = NULL;
	cfg->v2index = NULL;
}

int ik_snapshot_index(struct ik_config *cfg, struct ik_conf_error *err)
{
	const char *what = NULL;

	cfg->resolver = ik_resolver_build(cfg);
	if (!cfg->resolver)
		what = "keyring resolver";
	cfg->pindex = what ? NULL : ik_profile_index_build(cfg);
	if (!what && !cfg->pindex)
		what = "ISAKMP profile index";
	cfg->hostkeys = what ? NULL : ik_hostkeys_build(cfg);
	if (!what && !cfg->hostkeys)
		what = "host-name key index";
	cfg->v2index = what ? NULL : ik_v2_index_build(cfg);
	if (!what && !cfg->v2index)
		what = "IKEv2 profile and keyring index";
	if (!what) {
		cfg->index_free = snapshot_index_free;
		return 0;
	}
	snapshot_index_free(cfg);
	if (err) {
		memset(err, 0, sizeof(*err));
		snprintf(err->file, sizeof(err->file), "%s", cfg->file ? cfg->file : "<config>");
		snprintf(err->msg, sizeof(err->msg),
			 "%% cannot build the %s: out of memory (%zu keyrings, %zu profiles)",
			 what, cfg->nkeyrings, cfg->nprofiles);
	}
	return -1;
}

