/* The generic payload chain walker of both IKE versions. */
#include "ike/pl_walk.h"

#include <stdio.h>
#include <string.h>

#include "util/util.h"

const struct ik_pl_rule *ik_pl_rule_get(const struct ik_pl_rules *r, unsigned type)
{
	if (type > 255 || !r->row[type].name)
		return NULL;
	return &r->row[type];
}

static const char *ctx_name(const struct ik_pl_rules *r, unsigned ctx)
{
	return ctx < r->nctx && r->ctx_name ? r->ctx_name[ctx] : "this context";
}

int ik_pl_walk(const struct ik_pl_rules *r, const uint8_t *msg, size_t msg_len, size_t start,
	       unsigned first_np, unsigned ctx, bool allow_trailing, ik_pl_visit_fn visit,
	       void *arg, struct ik_pl_walk *w, char *err, size_t errlen)
{
	uint8_t count[256];
	size_t off = start;
	unsigned type = first_np;

	memset(w, 0, sizeof(*w));
	memset(count, 0, sizeof(count));
	if (start > msg_len) {
		snprintf(err, errlen, "payload chain starts at offset %zu past the message length "
			 "%zu", start, msg_len);
		return IK_PL_MALFORMED;
	}
	while (type != 0) {
		const struct ik_pl_rule *rule = ik_pl_rule_get(r, type);
		size_t rem = msg_len - off;
		const char *name;
		struct ik_pl pl;
		char uname[32];
		unsigned len;
		int rc;

		if (rule && (rule->flags & IK_PL_F_UNSUPPORTED))
			rule = NULL;
		if (!rule && r->unknown_fatal) {
			bool foreign = type >= r->foreign_lo && type <= r->foreign_hi &&
				       r->foreign;

			if (foreign)
				snprintf(err, errlen, "payload at offset %zu: %s payload type %u "
					 "in an %s message", off, r->foreign, type, r->self);
			else
				snprintf(err, errlen, "payload at offset %zu: unknown payload "
					 "type %u", off, type);
			return IK_PL_MALFORMED;
		}
		if (rule) {
			name = rule->name;
		} else {
			snprintf(uname, sizeof(uname), "type %u", type);
			name = uname;
		}
		if (rem < 4) {
			snprintf(err, errlen, "%s payload at offset %zu: header 4 > %zu remaining",
				 name, off, rem);
			return IK_PL_MALFORMED;
		}
		pl.critical = false;
		if (r->version == 1) {
			if (msg[off + 1] != 0) {
				snprintf(err, errlen, "reserved not zero on %s payload!", name);
				return IK_PL_RESERVED;
			}
		} else {
			/* RFC 7296 3.2: the other seven bits are ignored on receipt */
			pl.critical = (msg[off + 1] & 0x80) != 0;
		}
		len = ik_get16(msg + off + 2);
		if (len < 4u + (rule ? rule->min_body : 0)) {
			snprintf(err, errlen, "%s payload at offset %zu: length %u < %u minimum",
				 name, off, len, 4u + (rule ? rule->min_body : 0));
			return IK_PL_MALFORMED;
		}
		if (len > rem) {
			snprintf(err, errlen, "%s payload at offset %zu: length %u > %zu remaining",
				 name, off, len, rem);
			return IK_PL_MALFORMED;
		}
		if (!rule) {
			if (pl.critical) {
				snprintf(err, errlen, "payload at offset %zu: unsupported critical "
					 "payload type %u", off, type);
				w->bad_type = type;
				return IK_PL_UNSUPPORTED_CRITICAL;
			}
			/* RFC 7296 2.5: skipped, its next payload field followed */
			w->skipped++;
			type = msg[off];
			off += len;
			continue;
		}
		if (ctx >= 32 || !(rule->allow & (1u << ctx))) {
			snprintf(err, errlen, "%s payload at offset %zu: not allowed in %s", name,
				 off, ctx_name(r, ctx));
			return IK_PL_MALFORMED;
		}
		if (rule->max_count && count[type] == rule->max_count) {
			snprintf(err, errlen, "%s payload at offset %zu: more than %u in one "
				 "message", name, off, rule->max_count);
			return IK_PL_MALFORMED;
		}
		if (w->npl == r->max_payloads) {
			snprintf(err, errlen, "%s payload at offset %zu: more than %zu payloads",
				 name, off, r->max_payloads);
			return IK_PL_MALFORMED;
		}
		count[type]++;
		pl.type = (uint8_t)type;
		pl.off = off;
		pl.p = msg + off;
		pl.len = len;
		pl.body = msg + off + 4;
		pl.body_len = len - 4;
		if (visit && (rc = visit(arg, &pl, err, errlen)) != 0)
			return rc;
		w->npl++;
		type = msg[off];
		off += len;
		if (rule->flags & IK_PL_F_LAST) {
			w->inner_np = type;
			break;
		}
	}
	w->end = off;
	if (!allow_trailing && off != msg_len) {
		snprintf(err, errlen, "payload chain ends at offset %zu, %zu bytes before the "
			 "message length %zu", off, msg_len - off, msg_len);
		return IK_PL_MALFORMED;
	}
	return IK_PL_OK;
}
