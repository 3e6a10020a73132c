/* Timers of an engine: a 4-ary min-heap of handles embedded in the objects
 * they belong to (SAs, Quick Mode nodes, children). Arming, re-arming and
 * cancelling cost O(log n); the earliest deadline is read in O(1). A handle
 * knows its slot in the heap, so nothing is ever searched.
 *
 * Each heap entry carries its deadline next to the handle: comparisons read
 * the heap array only (the four children of an entry share a cache line),
 * and a step of a sift touches the handle it moves, not every handle it
 * compares. With hundreds of thousands of timers in objects spread over the
 * heap of the process, that is what keeps an operation's cost from growing
 * with cache misses as the SAs grow in number. */
#ifndef IK_IKE_TIMER_H
#define IK_IKE_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ik_timer {
	uint64_t at;            /* deadline (now_ms scale); 0 = not armed */
	uint32_t slot;          /* heap index + 1; 0 = not in the heap */
	uint8_t kind;           /* what the owner is and which of its timers this is */
};

struct ik_timer_ent {
	uint64_t at;            /* a copy of t->at */
	struct ik_timer *t;
};

struct ik_timers {
	struct ik_timer_ent *h;
	size_t n, cap;
};

/* Arms t at `at` (re-arms when armed); at 0 cancels. -1 when out of memory
 * (the timer stays unarmed). */
int ik_timer_set(struct ik_timers *ts, struct ik_timer *t, uint64_t at);
void ik_timer_cancel(struct ik_timers *ts, struct ik_timer *t);
static inline bool ik_timer_armed(const struct ik_timer *t)
{
	return t->slot != 0;
}
/* The earliest armed timer, or NULL. */
static inline struct ik_timer *ik_timers_top(const struct ik_timers *ts)
{
	return ts->n ? ts->h[0].t : NULL;
}
/* When the armed timers have fallen below an eighth of the heap's room,
 * gives back the room beyond twice their number (64 entries kept at least);
 * true when it did. Amortised O(1) per timer armed or cancelled. */
bool ik_timers_shrink(struct ik_timers *ts);
void ik_timers_free(struct ik_timers *ts);

#endif
