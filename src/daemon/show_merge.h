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

#include <stdbool.h>
#include <stdint.h>

#include "util/strbuf.h"

void ikd_merge_text(const struct ik_sb *parts, unsigned n, struct ik_sb *out);
void ikd_merge_json(const struct ik_sb *parts, unsigned n, struct ik_sb *out);

/* show crypto isakmp stats: counters of every worker, summed; the secure
 * memory is the process's (one pool for every worker), not summed. */
struct ikd_stats {
	uint64_t sas_up, half_open, child_sas;
	uint64_t half_open_refused, half_open_evicted, retransmits;
	uint64_t rx, rx_dropped, rx_overflow, rx_engine_dropped;
	uint64_t secmem_in_use, secmem_held, secmem_chunks;
};
void ikd_stats_add(struct ikd_stats *sum, const struct ikd_stats *part);
void ikd_stats_format(const struct ikd_stats *s, bool json, struct ik_sb *out);

#endif
