/* show crypto isakmp sa keys: the decryption tables of every SA the engine
 * holds (see keylog.h). */
#include "ike/keylog.h"
#include "ike/v1_int.h"

void ik_engine_keys(struct ik_engine *e, struct ik_sb *ikev1, struct ik_sb *esp, bool json)
{
	for (const struct ik_p1 *p1 = e->p1s; p1; p1 = p1->next) {
		if (!p1->have_keys || p1->dead || !p1->keys->enc_key)
			continue;
		if (json && ikev1->len)
			ik_sb_add(ikev1, ",");
		ik_keylog_ikev1(ikev1, p1->cky_i, p1->keys->enc_key->p, p1->keys->enc_key->len, json);
	}
	for (const struct ik_child *c = e->children; c; c = c->next)
		for (int in = 1; in >= 0; in--) {
			size_t mark = esp->len;

			if (json && esp->len)
				ik_sb_add(esp, ",");
			if (ik_keylog_esp(esp, &c->sa, in, json)) {
				esp->len = mark;
				if (esp->s)
					esp->s[mark] = '\0';
			}
		}
}
