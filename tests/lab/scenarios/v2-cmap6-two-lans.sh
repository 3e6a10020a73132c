# v2-cmap6-two-lans: cmap6-two-lans over IKEv2 (set ikev2-profile): crypto
# maps with IPv6 peers, IKE_SA_INIT and IKE_AUTH on the AF_INET6 sockets, the
# first ACL line's child with IKE_AUTH and the next ones in CREATE_CHILD_SA on
# the same IKE SA, raised by the traps' acquires; pings and ping6 across,
# the IPv6 reverse route, clear crypto sa map.
# lab-timeout: 240
LAB_CMAP6_V2=v2
. "$LAB_SRC/tests/lab/scenarios/cmap6-two-lans.sh"
