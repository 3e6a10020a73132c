/* Mutation switches for the security checks.
 *
 * Every check that authenticates a message or refuses a hostile value is
 * written as `if (!check && !IK_MUTANT(IK_MUT_NAME))`: in every normal build
 * IK_MUTANT_ID is 0 and IK_MUTANT() is the constant false, so the compiler
 * drops it. tests/mutation.sh rebuilds the library once per entry of the list
 * below with that one check switched off (IK_MUTANT_ID = its number) and
 * requires the exchange tests to fail: a check whose removal no test notices
 * is a check nothing proves.
 *
 * Only tests/mutation.sh defines IK_MUTANT_BUILD; it then writes the number
 * into ik_mutant_id.h in its scratch build, so that changing the mutant
 * recompiles only the files that include this header.
 */
#ifndef IK_UTIL_MUTANT_H
#define IK_UTIL_MUTANT_H

#ifdef IK_MUTANT_BUILD
#include "ik_mutant_id.h"
#endif
#ifndef IK_MUTANT_ID
#define IK_MUTANT_ID 0
#endif

/* X(number, name, what the check refuses); tests/mutation.sh reads these lines. */
#define IK_MUTANT_LIST(X)                                                               \
	X(1, MM_HASH_I, "MM5: HASH_I that does not verify (responder)")                   \
	X(2, MM_HASH_R, "MM6: HASH_R that does not verify (initiator)")                   \
	X(3, QM_HASH1, "QM1: HASH(1) that does not verify (responder)")                   \
	X(4, QM_HASH2, "QM2: HASH(2) that does not verify (initiator)")                   \
	X(5, QM_HASH3, "QM3: HASH(3) that does not verify (responder)")                   \
	X(6, INFO_HASH, "informational exchange whose HASH does not verify")              \
	X(7, INFO_PLAIN, "unencrypted informational exchange (DELETE, DPD) acted upon")   \
	X(8, QM_REPLAY, "Quick Mode message ID seen before (node gone)")                  \
	X(9, QM_DONE_REPLAY, "Quick Mode message for a completed node")                   \
	X(10, MM_KE_LEN, "KE payload of the wrong length for the group")                  \
	X(11, DH_RANGE, "MODP public value 0, 1 or >= p-1")                               \
	X(12, SRC_ADDR, "unauthenticated message for an SA from another address")         \
	X(13, ENDPOINT_AUTH, "SA endpoint moved before the message authenticated")        \
	X(14, NATD_CMP, "NAT-D hash compared (mismatch means NAT)")                       \
	X(15, QM_PFS_GROUP, "Quick Mode PFS group the IPsec profile does not set")        \
	X(16, DELETE_SCOPE, "authenticated DELETE naming another peer's ISAKMP SA")       \
	X(17, DPD_REPLAY, "replayed DPD message taken as a sign of the peer's life")      \
	X(18, AM_HASH_I, "AM3: HASH_I that does not verify (responder)")                  \
	X(19, AM_HASH_R, "AM2: HASH_R that does not verify (initiator)")                  \
	X(20, V2_AUTH, "IKEv2: AUTH (pre-shared key) that does not verify")               \
	X(21, V2_ICV, "IKEv2: SK payload whose integrity checksum does not verify")       \
	X(22, V2_MSGID, "IKEv2: message ID outside the window (replay, old response)")    \
	X(23, V2_SRC_ADDR, "IKEv2: IKE_SA_INIT for an SA from another address")           \
	X(24, V2_COOKIE, "IKEv2: IKE_SA_INIT without a valid COOKIE above the threshold") \
	X(25, V2_ENDPOINT_AUTH, "IKEv2: SA endpoint moved before the message's ICV verified") \
	X(26, DELETE_ESP_SCOPE, "authenticated DELETE naming another peer's IPsec SA") \
	X(41, MM_SIG_I, "MM5: SIG_I that does not verify (responder)")                    \
	X(42, MM_SIG_R, "MM6: SIG_R that does not verify (initiator)")                    \
	X(43, CERT_CHAIN, "peer certificate whose chain does not validate")               \
	X(44, CERT_ID, "ID payload that does not name the peer's certificate")            \
	X(45, CERT_AUTHZ, "certificate key the authorization list does not pin")           \
	X(46, V2_SIG, "IKEv2: AUTH signature that does not verify with the peer's certificate") \
	X(61, RAW_PIN, "raw public key or self-signed certificate the authorization list does not pin") \
	X(71, V2_CMAP_PEER, "IKEv2 crypto map: a peer the entry's set peer lines do not name") \
	X(72, V2_CMAP_NARROW, "IKEv2 crypto map: selectors wider than the entry's ACL line")

#define IK_MUT_ENUM_(n, name, what) IK_MUT_##name = n,
enum ik_mutant { IK_MUT_NONE = 0, IK_MUTANT_LIST(IK_MUT_ENUM_) };
#undef IK_MUT_ENUM_

/* True only in the build where check n is switched off. */
#define IK_MUTANT(n) (IK_MUTANT_ID == (n))

#endif
