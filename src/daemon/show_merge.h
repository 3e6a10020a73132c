/* Show commands run by every worker on its own engine: the answers merged into
 * one, as IOS would print it.
 *   Text: the lines that every part starts with (headings) and ends with
 *   (trailing sections) are printed once; the rows between them follow in
 *   worker order.
 *   JSON: arrays are concatenated; objects of one member {"K":[...]} with the
 *   same K are merged into one; anything else becomes {"workers":[...]}.
 * A single part is printed as it is. */
#ifndef IK_DAEMON_SHOW_MERGE_H
#define IK_DAEMON_SHOW_MERGE_H

#include "util/strbuf.h"

void ikd_merge_text(const struct ik_sb *parts, unsigned n, struct ik_sb *out);
void ikd_merge_json(const struct ik_sb *parts, unsigned n, struct ik_sb *out);

#endif
