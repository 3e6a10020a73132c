/* The child SAs an engine holds, for the host's metrics (ikerd --metrics). */
#include "ike/engine.h"
#include "ike/v1_int.h"

void ik_engine_foreach_child(const struct ik_engine *e,
			     void (*fn)(void *ctx, const struct ik_child_sa *c), void *ctx)
{
	for (const struct ik_child *c = e->children; c; c = c->next)
		fn(ctx, &c->sa);
}
