/* 4-ary min-heap of embedded timer handles, deadlines kept in the heap's
 * entries (see timer.h). */
#include "ike/timer.h"

#include <stdlib.h>

#define ARITY 4

static void place(struct ik_timers *ts, size_t i, struct ik_timer_ent ent)
{
	ts->h[i] = ent;
	ent.t->slot = (uint32_t)i + 1;
}

static void sift_up(struct ik_timers *ts, size_t i)
{
	struct ik_timer_ent ent = ts->h[i];

	while (i > 0) {
		size_t p = (i - 1) / ARITY;

		if (ts->h[p].at <= ent.at)
			break;
		place(ts, i, ts->h[p]);
		i = p;
	}
	place(ts, i, ent);
}

static void sift_down(struct ik_timers *ts, size_t i)
{
	struct ik_timer_ent ent = ts->h[i];

	for (;;) {
		size_t c = ARITY * i + 1, end = c + ARITY, m;

		if (c >= ts->n)
			break;
		if (end > ts->n)
			end = ts->n;
		m = c;
		for (size_t k = c + 1; k < end; k++)
			if (ts->h[k].at < ts->h[m].at)
				m = k;
		if (ent.at <= ts->h[m].at)
			break;
		place(ts, i, ts->h[m]);
		i = m;
	}
	place(ts, i, ent);
}

void ik_timer_cancel(struct ik_timers *ts, struct ik_timer *t)
{
	struct ik_timer_ent last;
	size_t i;

	t->at = 0;
	if (!t->slot)
		return;
	i = t->slot - 1;
	t->slot = 0;
	last = ts->h[--ts->n];
	if (i == ts->n)
		return;
	place(ts, i, last);
	if (i > 0 && ts->h[(i - 1) / ARITY].at > last.at)
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
		ts->h[t->slot - 1].at = at;
		if (at < old)
			sift_up(ts, t->slot - 1);
		else if (at > old)
			sift_down(ts, t->slot - 1);
		return 0;
	}
	if (ts->n == ts->cap) {
		size_t cap = ts->cap ? ts->cap * 2 : 64;
		struct ik_timer_ent *h = realloc(ts->h, cap * sizeof(*h));

		if (!h) {
			t->at = 0;
			return -1;
		}
		ts->h = h;
		ts->cap = cap;
	}
	t->at = at;
	place(ts, ts->n++, (struct ik_timer_ent){ at, t });
	sift_up(ts, ts->n - 1);
	return 0;
}

bool ik_timers_shrink(struct ik_timers *ts)
{
	size_t cap = 64;
	struct ik_timer_ent *h;

	if (ts->cap <= 64 || ts->n >= ts->cap / 8)
		return false;
	while (cap < 2 * ts->n)
		cap *= 2;
	if (!(h = realloc(ts->h, cap * sizeof(*h))))
		return false;
	ts->h = h;
	ts->cap = cap;
	return true;
}

void ik_timers_free(struct ik_timers *ts)
{
	for (size_t i = 0; i < ts->n; i++)
		ts->h[i].t->slot = 0;
	free(ts->h);
	ts->h = NULL;
	ts->n = ts->cap = 0;
}
