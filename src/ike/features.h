/* What the exchange engine implements, for the static checker (ikerd -t):
 * a configuration that needs a missing feature is reported as an error
 * instead of being called clean. 1 when implemented. */
#ifndef IK_IKE_FEATURES_H
#define IK_IKE_FEATURES_H

#define IK_FEATURE_IKEV2 0      /* IKEv2 exchanges (crypto ikev2 profile) */
#define IK_FEATURE_AGGRESSIVE 1 /* IKEv1 Aggressive Mode (initiate mode aggressive) */
#define IK_FEATURE_CERTS 1      /* rsa-sig, ecdsa-sig authentication (certificates, IKEv1 MM) */

#endif
