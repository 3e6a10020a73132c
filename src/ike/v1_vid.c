/* Vendor IDs as IOS sends and recognises them, and NAT discovery (RFC 3947
 * NAT-D, with the draft payload number 130 for draft peers). */
#include <string.h>

#include "ike/v1_int.h"
#include "util/addr.h"
#include "util/mutant.h"
#include "util/util.h"

#define DBG(p1, ...) ik_dbg((p1)->e->log, IK_DBG_ISAKMP, __VA_ARGS__)

/* MD5 of "RFC 3947", "draft-ietf-ipsec-nat-t-ike-07", "-03", "-02\n". */
static const uint8_t vid_rfc3947[16] = { 0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
					 0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f };
static const uint8_t vid_draft07[16] = { 0x43, 0x9b, 0x59, 0xf8, 0xba, 0x67, 0x6c, 0x4c,
					 0x77, 0x37, 0xae, 0x22, 0xea, 0xb8, 0xf5, 0x82 };
static const uint8_t vid_draft03[16] = { 0x7d, 0x94, 0x19, 0xa6, 0x53, 0x10, 0xca, 0x6f,
					 0x2c, 0x17, 0x9d, 0x92, 0x15, 0x52, 0x9d, 0x56 };
static const uint8_t vid_draft02[16] = { 0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e,
					 0x08, 0x63, 0x81, 0xb5, 0xec, 0x42, 0x7b, 0x1f };
/* RFC 3706 DPD, Cisco Unity 1.0, XAUTH. */
static const uint8_t vid_dpd[16] = { 0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
				     0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00 };
static const uint8_t vid_unity[16] = { 0x12, 0xf5, 0xf2, 0x8c, 0x45, 0x71, 0x68, 0xa9,
				       0x70, 0x2d, 0x9f, 0xe2, 0x74, 0xcc, 0x01, 0x00 };
static const uint8_t vid_xauth[8] = { 0x09, 0x00, 0x26, 0x89, 0xdf, 0xd6, 0xb7, 0x12 };

static bool is(const struct ik_v1_pl *pl, const uint8_t *v, size_t n)
{
	return pl->body_len == n && !memcmp(pl->body, v, n);
}

void ik_v1_vid_process(struct ik_p1 *p1, const struct ik_v1_msg *m, const uint8_t *msg, size_t len)
{
	unsigned id = p1->conn_id;

	for (size_t i = 0; i < m->npl; i++) {
		const struct ik_v1_pl *pl = &m->pl[i];
		size_t at = pl->off + 4 + 14;

		if (pl->type != IK_V1_PL_VID)
			continue;
		DBG(p1, "ISAKMP:(%u): processing vendor id payload", id);
		if (pl->body_len >= 4 && !memcmp(pl->body, "\x3e\x98\x40\x48", 4)) {
			DBG(p1, "ISAKMP:(%u): speaking to another IOS box!", id);
			p1->peer_ios = true;
			continue;
		}
		/* IOS reads the version byte of a Unity/DPD-like ID at offset 14 of
		 * any vendor ID, past its end for short ones. */
		if (at < len && msg[at] != 1)
			DBG(p1, "ISAKMP:(%u): vendor ID seems Unity/DPD but major %u mismatch", id,
			    msg[at]);
		if (is(pl, vid_unity, 16)) {
			DBG(p1, "ISAKMP:(%u): vendor ID is Unity", id);
			p1->peer_unity = true;
		} else if (is(pl, vid_dpd, 16)) {
			DBG(p1, "ISAKMP:(%u): vendor ID is DPD", id);
			p1->peer_dpd = true;
		} else if (is(pl, vid_xauth, 8)) {
			DBG(p1, "ISAKMP:(%u): vendor ID is XAUTH", id);
			p1->peer_xauth = true;
		} else if (is(pl, vid_rfc3947, 16)) {
			DBG(p1, "ISAKMP (%u): vendor ID is NAT-T RFC 3947", id);
			p1->peer_natt_rfc = true;
		} else if (is(pl, vid_draft07, 16)) {
			DBG(p1, "ISAKMP:(%u): vendor ID is NAT-T v7", id);
			p1->peer_natt_draft = true;
		} else if (is(pl, vid_draft03, 16)) {
			DBG(p1, "ISAKMP:(%u): vendor ID is NAT-T v3", id);
			p1->peer_natt_draft = true;
		} else if (is(pl, vid_draft02, 16)) {
			DBG(p1, "ISAKMP:(%u): vendor ID is NAT-T v2", id);
			p1->peer_natt_draft = true;
		}
	}
}

static void add(struct ik_v1_builder *b, const uint8_t *v, size_t n)
{
	ik_v1_b_payload(b, IK_V1_PL_VID, v, n);
}

/* MM1: every NAT-T version IOS knows; MM2: the best one the initiator sent. */
void ik_v1_vid_add_natt(struct ik_p1 *p1, struct ik_v1_builder *b, bool all)
{
	unsigned id = p1->conn_id;

	if (all || p1->peer_natt_rfc) {
		add(b, vid_rfc3947, 16);
		DBG(p1, "ISAKMP:(%u): constructed NAT-T vendor-rfc3947 ID", id);
	}
	if (all || (!p1->peer_natt_rfc && p1->peer_natt_draft)) {
		add(b, vid_draft07, 16);
		DBG(p1, "ISAKMP:(%u): constructed NAT-T vendor-07 ID", id);
	}
	if (all) {
		add(b, vid_draft03, 16);
		DBG(p1, "ISAKMP:(%u): constructed NAT-T vendor-03 ID", id);
		add(b, vid_draft02, 16);
		DBG(p1, "ISAKMP:(%u): constructed NAT-T vendor-02 ID", id);
	}
}

/* MM3 (DPD, IOS, XAUTH) and MM4 (Unity, DPD, IOS), as IOS sends them. */
void ik_v1_vid_add(struct ik_p1 *p1, struct ik_v1_builder *b, bool unity, bool xauth)
{
	if (unity)
		add(b, vid_unity, 16);
	add(b, vid_dpd, 16);
	add(b, p1->e->ios_vid, 16);
	if (xauth)
		add(b, vid_xauth, 8);
}

static bool natt(const struct ik_p1 *p1)
{
	return p1->peer_natt_rfc || p1->peer_natt_draft;
}

/* HASH(CKY-I | CKY-R | IP | Port) with the negotiated hash (RFC 3947 3.2):
 * IP is 4 bytes for IPv4, the 16 of the address for IPv6. */
static int natd_hash(struct ik_p1 *p1, const struct ik_endpoint *ep, uint8_t *out)
{
	uint8_t a[16], pt[2];
	struct ik_iov iov[4] = {
		{ p1->cky_i, 8 }, { p1->cky_r, 8 }, { a, 4 }, { pt, 2 },
	};

	if (ep->family == IK_AF_INET6) {
		memcpy(a, ep->addr6, 16);
		iov[2].len = 16;
	} else {
		ik_put32(a, ep->addr);
	}
	ik_put16(pt, ep->port);
	return ik_hash(p1->hash, iov, 4, out);
}

int ik_v1_natd_add(struct ik_p1 *p1, struct ik_v1_builder *b)
{
	uint8_t h[64];
	size_t hl = ik_hash_len(p1->hash);
	uint8_t type = p1->peer_natt_rfc ? IK_V1_PL_NATD : IK_V1_PL_NATD_DRAFT;

	if (!natt(p1))
		return 0;
	if (natd_hash(p1, &p1->remote, h))
		return -1;
	ik_v1_b_payload(b, type, h, hl);
	if (natd_hash(p1, &p1->local, h))
		return -1;
	ik_v1_b_payload(b, type, h, hl);
	return 0;
}

void ik_v1_natd_process(struct ik_p1 *p1, const struct ik_v1_msg *m)
{
	uint8_t mine[64], his[64];
	size_t hl = ik_hash_len(p1->hash);
	unsigned id = p1->conn_id, n = 0;
	bool peer_match = false;

	if (natd_hash(p1, &p1->local, mine) ||
	    natd_hash(p1, &p1->remote, his))
		return;
	for (size_t i = 0; i < m->npl; i++) {
		const struct ik_v1_pl *pl = &m->pl[i];

		if (pl->type != IK_V1_PL_NATD && pl->type != IK_V1_PL_NATD_DRAFT)
			continue;
		DBG(p1, "ISAKMP:received payload type %u", pl->type);
		if (n++ == 0) {
			bool ok = ik_hash_equal(pl->body, pl->body_len, mine, hl) ||
				  IK_MUTANT(IK_MUT_NATD_CMP);

			p1->nat_self = !ok;
			if (ok)
				DBG(p1, "ISAKMP (%u): His hash no match - this node outside NAT",
					id);
			else
				DBG(p1, "ISAKMP (%u): My hash no match - this node inside NAT", id);
		} else if (ik_hash_equal(pl->body, pl->body_len, his, hl) ||
			   IK_MUTANT(IK_MUT_NATD_CMP)) {
			peer_match = true;
		}
	}
	if (n == 0)
		return;
	p1->nat_peer = n > 1 && !peer_match;
	if (!p1->nat_self && !p1->nat_peer)
		DBG(p1, "ISAKMP (%u): No NAT Found for self or peer", id);
	else if (p1->nat_self && p1->nat_peer)
		DBG(p1, "ISAKMP (%u): NAT found, both nodes inside NAT", id);
	else if (p1->nat_self)
		DBG(p1, "ISAKMP (%u): NAT found, the node inside NAT", id);
	else
		DBG(p1, "ISAKMP (%u): NAT found, the node outside NAT", id);
}
