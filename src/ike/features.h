/* What the exchange engine implements, for the static checker (ikerd -t):
 * a configuration that needs a missing feature is reported as an error
 * instead of being called clean. 1 when implemented. */
#ifndef IK_IKE_FEATURES_H
#define IK_IKE_FEATURES_H

#define IK_FEATURE_IKEV2 1      /* IKEv2 exchanges (crypto ikev2 profile) */
#define IK_FEATURE_AGGRESSIVE 1 /* IKEv1 Aggressive Mode (initiate mode aggressive) */
#define IK_FEATURE_CERTS 1      /* rsa-sig, ecdsa-sig authentication (IKEv1 MM, IKEv2 IKE_AUTH) */
#define IK_FEATURE_IPV6 1       /* IKE over IPv6 and tunnels over IPv6 (tunnel mode gre|ipsec
				 * ipv6); a VTI carries its own family only (tunnel mode ipsec
				 * ipv4 no IPv6, as on IOS), GRE carries both */

/* Parts of IKEv2 beyond IKE_SA_INIT, IKE_AUTH and the first CHILD_SA; the lab
 * and interop scenarios that need one report SKIP while it is 0. */
#define IK_FEATURE_IKEV2_CHILD_REKEY 1 /* CREATE_CHILD_SA rekeying a CHILD_SA */
#define IK_FEATURE_IKEV2_IKE_REKEY 1   /* CREATE_CHILD_SA rekeying the IKE SA */
#define IK_FEATURE_IKEV2_INFO 1        /* INFORMATIONAL: DELETE, liveness (dpd) */
#define IK_FEATURE_IKEV2_FRAG 1        /* RFC 7383 fragmentation */
#define IK_FEATURE_IKEV2_SHOW 1        /* show crypto ikev2 sa, clear crypto ikev2 sa */

#endif
