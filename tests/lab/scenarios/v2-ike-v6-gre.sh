# v2-ike-v6-gre: ike-v6-gre over IKEv2 (tests/lab/conf/v2-r1-v6.conf,
# v2-r2-v6.conf): IKE_SA_INIT and IKE_AUTH on the AF_INET6 sockets, the
# profile by `match identity remote address ipv6`, the key by an `address
# ipv6` peer block, the child SA protecting GRE between the IPv6 end points;
# ping and ping6 across, ESP counters, clear by IPv6 address.
# lab-timeout: 240
LAB_V6_V2=v2
. "$LAB_SRC/tests/lab/scenarios/ike-v6-gre.sh"
