/* ikeload's only contact with the layout of the engine's address types: the
 * load generator speaks IPv4 in host order (uint32_t) and converts here, so
 * that a change of struct ik_endpoint touches this file alone. */
#ifndef IKELOAD_ADAPT_H
#define IKELOAD_ADAPT_H

#include <stdint.h>
#include <string.h>

#include "ipsec/child.h"
#include "ike/engine.h"

static inline void ikl_ep_set(struct ik_endpoint *ep, uint32_t addr, uint16_t port)
{
	memset(ep, 0, sizeof(*ep));
	ep->addr = addr;
	ep->port = port;
}

static inline uint32_t ikl_ep_addr(const struct ik_endpoint *ep)
{
	return ep->addr;
}

static inline uint16_t ikl_ep_port(const struct ik_endpoint *ep)
{
	return ep->port;
}

#endif
