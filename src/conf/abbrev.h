/* IOS abbreviations in the configuration file: `int tu1`, `cry isa pol 10`,
 * `authentication pre` are read as on a router, from a table of the command
 * words of each configuration mode. A word that is the start of exactly one
 * keyword possible at its place is replaced by that keyword; one that starts
 * several is "% Ambiguous command"; anything else is left for the command
 * parser (an argument, or an error it reports). */
#ifndef IK_CONF_ABBREV_H
#define IK_CONF_ABBREV_H

#include <stddef.h>

enum ik_abbrev_ctx {
	IK_AB_TOP, IK_AB_KEYRING, IK_AB_POLICY, IK_AB_PROFILE, IK_AB_TSET,
	IK_AB_IPSEC_PROFILE, IK_AB_V2_KEYRING, IK_AB_V2_PROPOSAL, IK_AB_V2_POLICY,
	IK_AB_V2_PROFILE, IK_AB_IFACE, IK_AB_VRF, IK_AB_AUTHLIST, IK_AB_COUNT
};

/* The last few commands matched in one mode (zeroed: none yet). A block
 * repeats a handful of commands (an interface's tunnel source, destination
 * and protection): each is found again at the cost of one comparison per
 * word instead of a walk over the mode's table. */
#define IK_AB_HINTS 4
struct ik_abbrev_hint {
	unsigned e[IK_AB_HINTS];
	unsigned n, next;
};

/* Expands words[0..n) in place (each replaced word points to the keyword's
 * static text). Returns -1 when word *bad is ambiguous, with the keywords it
 * may stand for in alts ("policy, profile"), else 0. hint (may be NULL),
 * kept by the caller per mode, remembers the last commands matched: a line
 * that is one of them again (written out in full) is left as it is. */
int ik_abbrev_expand(enum ik_abbrev_ctx ctx, const char **words, int n, int *bad, char *alts,
		     size_t altslen, struct ik_abbrev_hint *hint);

#endif
