/* Binary min-heap of embedded timer handles (see timer.h). */
#include "ike/timer.h"

#include <stdlib.h>

static void place(struct ik_timers *ts, size_t i, struct ik_timer *t)
{
	ts->h[i] = t;
	t->slot = (uint32_t)i + 1;
}

static void sift_up(struct ik_timers *ts, size_t i)
{
	struct ik_timer *t = ts->h[i];

	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (ts->h[p]->at <= t->at)
			break;
		place(ts, i, ts->h[p]);
		i = p;
	}
	place(ts, i, t);
}

static void sift_down(struct ik_timers *ts, size_t i)
{
	struct ik_timer *t = ts->h[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= ts->n)
			break;
		if (c + 1 < ts->n && ts->h[c + 1]->at < ts->h[c]->at)
			c++;
		if (t->at <= ts->h[c]->at)
			break;
		place(ts, i, ts->h[c]);
		i = c;
	}
	place(ts, i, t);
}

void ik_timer_cancel(struct ik_timers *ts, struct ik_timer *t)
{
	size_t i;
	struct ik_timer *last;

	t->at = 0;
	if (!t->slot)
		return;
	i = t->slot - 1;
	t->slot = 0;
	last = ts->h[--ts->n];
	if (i == ts->n)
		return;
	place(ts, i, last);
	if (i > 0 && ts->h[(i - 1) / 2]->at > last->at)
		sift_up(ts, i);
	else
		sift_down(ts, i);
}

int ik_timer_set(struct ik_timers *ts, struct ik_timer *t, uint64_t at)
{
	uint64_t old = t->at;

	if (!at) {
		ik_timer_cancel(ts, t);
		return 0;
	}
	if (t->slot) {
		t->at = at;
		if (at < old)
			sift_up(ts, t->slot - 1);
		else if (at > old)
			sift_down(ts, t->slot - 1);
		return 0;
	}
	if (ts->n == ts->cap) {
		size_t cap = ts->cap ? ts->cap * 2 : 64;
		struct ik_timer **h = realloc(ts->h, cap * sizeof(*h));

		if (!h) {
			t->at = 0;
			return -1;
		}
		ts->h = h;
		ts->cap = cap;
	}
	t->at = at;
	place(ts, ts->n++, t);
	sift_up(ts, ts->n - 1);
	return 0;
}

void ik_timers_free(struct ik_timers *ts)
{
	for (size_t i = 0; i < ts->n; i++)
		ts->h[i]->slot = 0;
	free(ts->h);
	ts->h = NULL;
	ts->n = ts->cap = 0;
}
