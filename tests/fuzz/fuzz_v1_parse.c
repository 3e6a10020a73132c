/* Fuzz target: the IKEv1 message parser (header, payload chain, and every
 * per-payload parser), then the builder rebuilding the chain it found. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ike/v1_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ik_v1_msg m;
	static struct ik_v1_builder b;
	char err[256];

	if (ik_v1_parse_hdr(data, size, &m.hdr, err, sizeof(err)))
		return 0;
	for (int trailing = 0; trailing < 2; trailing++) {
		if (ik_v1_parse_payloads(data, m.hdr.len, &m, trailing, err, sizeof(err)))
			continue;
		ik_v1_b_init(&b, m.hdr.icookie, m.hdr.rcookie, m.hdr.exch, m.hdr.flags,
			     m.hdr.msgid);
		for (size_t i = 0; i < m.npl; i++) {
			const struct ik_v1_pl *pl = &m.pl[i];
			struct ik_v1_id id;
			struct ik_v1_notify n;
			struct ik_v1_delete d;
			struct ik_v1_sa *sa;

			switch (pl->type) {
			case IK_V1_PL_SA:
				if (ik_v1_parse_sa(pl, &sa, err, sizeof(err)) == 0) {
					/* one block, proportional to what was received */
					if (sa->alloc > IK_V1_SA_ALLOC_MAX ||
					    sa->alloc > ik_v1_sa_size(0, 0, 0) + 6 * pl->body_len)
						__builtin_trap();
					for (size_t p = 0; p < sa->np; p++)
						for (size_t t = 0; t < sa->p[p].nt; t++)
							(void)ik_v1_attr_find(&sa->p[p].t[t], 1);
					ik_v1_sa_free(sa);
				}
				break;
			case IK_V1_PL_ID:
				(void)ik_v1_parse_id(pl, &id, err, sizeof(err));
				break;
			case IK_V1_PL_N:
				if (ik_v1_parse_notify(pl, &n, err, sizeof(err)) == 0)
					(void)ik_v1_notify_name(n.type);
				break;
			case IK_V1_PL_D:
				(void)ik_v1_parse_delete(pl, &d, err, sizeof(err));
				break;
			default:
				break;
			}
			ik_v1_b_payload(&b, pl->type, pl->body, pl->body_len);
		}
		ik_v1_b_finish(&b);
		/* What the builder made from a clean chain parses the same. */
		if (!trailing && !b.overflow && m.end == m.hdr.len &&
		    memcmp(b.buf + IK_V1_HDR_LEN, data + IK_V1_HDR_LEN,
			   m.hdr.len - IK_V1_HDR_LEN) != 0)
			__builtin_trap();
	}
	return 0;
}
