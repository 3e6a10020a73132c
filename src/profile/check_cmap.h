/* L1 for crypto maps: what the static checker finds in access lists and
 * crypto maps (profile/check.c prints the findings with the others). */
#ifndef IK_PROFILE_CHECK_CMAP_H
#define IK_PROFILE_CHECK_CMAP_H

#include <stddef.h>

#include "conf/model.h"
#include "keyring/resolver.h"

#define IK_CMAP_FINDING_LINES 4

struct ik_cmap_finding {
	const char *severity;   /* "error", "warning", "note" */
	const char *rule;       /* "L1", "K1", "K2" */
	char message[400];
	int line[IK_CMAP_FINDING_LINES];
	const char *file[IK_CMAP_FINDING_LINES]; /* NULL: the file checked; else
						  * the peer's configuration */
	char what[IK_CMAP_FINDING_LINES][200];
	size_t nlines;
	char peer[48];          /* "" when no peer is concerned */
	char direction[300];
	char fix[300];
};

typedef void (*ik_cmap_finding_fn)(void *ctx, const struct ik_cmap_finding *f);

/* Calls add for each finding: an ACL line shadowed by an earlier line of
 * its list; a permit line of an entry wholly inside one of an earlier
 * entry (never used) or overlapping one (the earlier entry takes the
 * common traffic); an ACL line that cannot be a traffic selector; match
 * address naming no list; an entry without match address, set peer or
 * transform-set; a set peer without a pre-shared key (K1/K2); a map
 * applied to no interface. Bounded: at most max_pairs line pairs are
 * compared per list and per map. */
void ik_check_cmaps(const struct ik_config *cfg, const struct ik_resolver *r,
		    ik_cmap_finding_fn add, void *ctx);

/* L1 with the peer's configuration (ikerd -t --peer-config FILE): for each
 * static entry of cfg that sets a peer whose address is one of peer's
 * interfaces, each permit line's proxy identities as peer's responder sees
 * them (the mirror image) must be taken by the map peer applies there
 * (ik_cmap_match_proxy: an entry allowing cfg's address, a permit line
 * containing them); and the same from peer's side towards cfg. A line the
 * other side refuses fails Quick Mode ("proxy identities not supported")
 * or, with IKEv2, gets TS_UNACCEPTABLE unless the responder can narrow it
 * (then a note). peer_file names the peer's lines. */
void ik_check_cmap_mirror(const struct ik_config *cfg, const struct ik_config *peer,
			  const char *peer_file, ik_cmap_finding_fn add, void *ctx);

#endif
