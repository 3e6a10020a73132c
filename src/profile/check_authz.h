/* The static checker's findings on authorization lists (rule AZ), for
 * profile/check.c: lists or entries that no profile uses, profiles whose
 * peers can never pass their list, identities listed with different keys. */
#ifndef IK_PROFILE_CHECK_AUTHZ_H
#define IK_PROFILE_CHECK_AUTHZ_H

#include "conf/model.h"

#define IK_CHECK_AZ_LINES 8

/* One finding: every string is malloc'd and taken by the receiver. */
struct ik_check_item {
	const char *severity;   /* "error", "warning" */
	const char *rule;       /* "AZ" */
	int line[IK_CHECK_AZ_LINES];
	char *what[IK_CHECK_AZ_LINES];
	int nlines;
	char *message, *direction, *fix;
};

/* Calls emit for each finding, in configuration order. Cost: O(n log n) in
 * the entries of the lists, plus entries times match lines of the profiles
 * that use them. */
void ik_check_authz(const struct ik_config *cfg,
		    void (*emit)(void *ctx, struct ik_check_item *it), void *ctx);

#endif
