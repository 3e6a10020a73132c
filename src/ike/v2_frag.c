/* IKE fragmentation (RFC 7383) of an IKEv2 SA: when a protected message is
 * sent as SKF fragments, and the reassembly of the fragments a peer sends.
 *
 * Both sides announce IKEV2_FRAGMENTATION_SUPPORTED in IKE_SA_INIT; with
 * `crypto ikev2 fragmentation [mtu N]` configured and the peer's notify
 * received, a message whose IP packet would exceed N bytes goes as fragments
 * of at most N bytes each (IP and UDP headers, and the non-ESP marker on port
 * 4500, included). Each fragment is sealed on its own (its own IV and ICV),
 * and the whole set is kept as the message for retransmission.
 *
 * Received fragments are checked (ICV) and decrypted one by one, then held in
 * the SA's struct ik_v2_reasm, bounded in count and bytes (IK_V2_MAX_FRAGMENTS,
 * IK_V2_MAX_MSG: one message per SA, and only from a peer whose fragments
 * authenticated) and in time: a reassembly older than IK_V2_REASM_MS is
 * discarded when the next fragment arrives, and with the SA. A fragment is
 * accepted only when this side announced support itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/v2_int.h"
#include "ike/v2_more.h"
#include "util/addr.h"
#include "util/util.h"

#define IP4_HDR 20u
#define IP6_HDR 40u
#define UDP_HDR 8u
#define NON_ESP_MARKER 4u

size_t ik_v2_frag_size(unsigned mtu, bool ipv6, bool natt)
{
	size_t over = (ipv6 ? IP6_HDR : IP4_HDR) + UDP_HDR + (natt ? NON_ESP_MARKER : 0);

	return mtu > over ? mtu - over : 0;
}

bool ik_v2_frag_local(const struct ik_v2_ike_sa *s)
{
	return s->cfg && s->cfg->v2_frag_mtu != 0;
}

/* The datagram size a message of this SA may have before it is cut. */
static size_t frag_limit(const struct ik_v2_ike_sa *s)
{
	return ik_v2_frag_size(s->cfg->v2_frag_mtu, s->remote.family == IK_AF_INET6,
			       s->remote.port != 500);
}

size_t ik_v2_sealed_len(const struct ik_v2_keys *k, const struct ik_v2_builder *b)
{
	/* IV, ICV and at most one block of padding (the pad length included) */
	return b->len + ik_v2_iv_len(k->s.encr) + ik_v2_icv_len(&k->s) + 16;
}

bool ik_v2_frag_needed(const struct ik_v2_ike_sa *s, const struct ik_v2_builder *b)
{
	if (!s->have_keys || !s->peer_frag || !ik_v2_frag_local(s))
		return false;
	return ik_v2_sealed_len(&s->up->keys, b) > frag_limit(s);
}

struct frag_sink {
	struct ik_v2_out *out;
	size_t cap;
};

static int frag_emit(void *arg, const uint8_t *msg, size_t len)
{
	struct frag_sink *fs = arg;
	struct ik_v2_out *o = fs->out;

	if (o->n >= IK_V2_MAX_MSGS || len > UINT16_MAX)
		return -1;
	if (!o->dlen && !(o->dlen = malloc(IK_V2_MAX_MSGS * sizeof(*o->dlen))))
		return -1;
	if (o->len + len > fs->cap) {
		size_t cap = fs->cap ? fs->cap * 2 : 4096;
		uint8_t *nb;

		while (cap < o->len + len)
			cap *= 2;
		nb = realloc(o->buf, cap);
		if (!nb)
			return -1;
		o->buf = nb;
		fs->cap = cap;
	}
	memcpy(o->buf + o->len, msg, len);
	o->len += len;
	o->dlen[o->n++] = (uint16_t)len;
	return 0;
}

int ik_v2_frag_out(struct ik_v2_ike_sa *s, const struct ik_v2_builder *b, size_t sk_off,
		   struct ik_v2_out *out)
{
	size_t ivl = ik_v2_iv_len(s->up->keys.s.encr);
	uint8_t ivs[IK_V2_MAX_FRAGMENTS * IK_V2_IV_MAX];
	struct frag_sink fs = { out, 0 };
	char err[200];
	int n;

	free(out->buf);
	free(out->dlen);
	memset(out, 0, sizeof(*out));
	if (ivl == 0 || ivl > IK_V2_IV_MAX)
		return -1;
	if (ik_v2_encr_is_aead(s->up->keys.s.encr)) {
		/* GCM, ChaCha20-Poly1305: the SA's IV counter, never repeated under
		 * the key (as msg_seal does for whole messages) */
		memset(ivs, 0, IK_V2_MAX_FRAGMENTS * ivl);
		for (size_t f = 0; f < IK_V2_MAX_FRAGMENTS; f++) {
			s->up->iv_seq++;
			for (size_t i = 0; i < 8 && i < ivl; i++)
				ivs[f * ivl + i] = (uint8_t)(s->up->iv_seq >> (56 - 8 * i));
		}
	} else {
		ik_core_rand(s->e, ivs, IK_V2_MAX_FRAGMENTS * ivl);
	}
	n = ik_v2_fragment(&s->up->keys, s->initiator, b, sk_off, frag_limit(s), ivs,
			   IK_V2_MAX_FRAGMENTS * ivl, frag_emit, &fs, err, sizeof(err));
	if (n < 0) {
		V2DBG(s, "Fragmentation of a %zu-byte message failed: %s", b->len, err);
		free(out->buf);
		free(out->dlen);
		memset(out, 0, sizeof(*out));
		return -1;
	}
	V2DBG(s, "Fragmenting packet, Fragment MTU: %u, Number of fragments: %d, "
	      "Fragment ID: %u", s->cfg->v2_frag_mtu, n, ik_get32(b->buf + 20));
	s->e->v2->st.frag_tx += (unsigned)n;
	return n;
}

int ik_v2_frag_in(struct ik_v2_ike_sa *s, const uint8_t *msg, size_t len,
		  const struct ik_v2_msg *m, uint8_t *out, size_t out_size, size_t *out_len,
		  unsigned *first_np)
{
	struct ik_engine *e = s->e;
	struct ik_v2_skf f;
	uint8_t *plain = NULL;
	size_t plain_len = 0;
	char err[200], ra[IK_ADDR_ANYSTRLEN];
	uint64_t now = ik_core_now(e);
	int rc;

	if (!m->sk || m->sk->type != IK_V2_PL_SKF)
		return -1;
	if (!ik_v2_frag_local(s) || !s->have_keys) {
		V2DBG(s, "Fragment from %s dropped: fragmentation was not negotiated",
		      ik_addr_fmt_any(&s->remote.ip, ra));
		return -1;
	}
	if (ik_v2_parse_skf(m->sk, &f, err, sizeof(err))) {
		V2DBG(s, "Fragment dropped: %s", err);
		return -1;
	}
	if (s->up->reasm && ik_v2_reasm_expire(s->up->reasm, now)) {
		free(s->up->reasm);
		s->up->reasm = NULL;
	}
	plain = malloc(len);
	if (!plain)
		return -1;
	rc = ik_v2_sk_open(&s->up->keys, (m->hdr.flags & IK_V2_FLAG_I) != 0, msg, len, m->sk, plain,
			   len, &plain_len, err, sizeof(err));
	if (rc != 0) {
		V2DBG(s, "Fragment %u/%u of message %u dropped: %s", f.num, f.total,
		      m->hdr.msgid, rc == IK_V2_ICV_MISMATCH ? "integrity check failed" : err);
		free(plain);
		return rc == IK_V2_ICV_MISMATCH ? IK_V2_ICV_MISMATCH : -1;
	}
	if (!s->up->reasm)
		s->up->reasm = calloc(1, sizeof(*s->up->reasm));
	rc = !s->up->reasm ? -1 :
		ik_v2_reasm_add(s->up->reasm, m->hdr.msgid, &f, m->inner_np, plain, plain_len, now,
				out, out_size, out_len, first_np, err, sizeof(err));
	if (!s->up->reasm)
		snprintf(err, sizeof(err), "out of memory");
	else if (!s->up->reasm->active) {
		free(s->up->reasm);
		s->up->reasm = NULL;
	}
	ik_wipe(plain, len);
	free(plain);
	e->v2->st.frag_rx++;
	if (rc < 0) {
		V2DBG(s, "Reassembly of message %u abandoned: %s", m->hdr.msgid, err);
		return -1;
	}
	if (rc == IK_V2_REASM_DONE) {
		V2DBG(s, "Reassembled message %u from %u fragments (%zu bytes)", m->hdr.msgid,
		      f.total, *out_len);
		return 1;
	}
	V2DBG(s, "Fragment %u of %u of message %u %s", f.num, f.total, m->hdr.msgid,
	      rc == IK_V2_REASM_IGNORED ? "ignored (duplicate)" : "stored");
	return 0;
}
