# v2-gre-seed: the seed's R1 and R2 written with IKEv2 keyrings and profiles,
# over GRE (tunnel protection on a GRE tunnel). R1 initiates, R2 runs
# --passive. IKE_SA_INIT, IKE_AUTH and the first CHILD_SA (protocol 47 between
# the endpoints) complete; a ping from R1's LAN address to R2's crosses the
# tunnel and the ESP counters move on both sides, in ikerd's show crypto ipsec
# sa and in the kernel; show crypto ikev2 sa lists the SA in READY on both.
. "$LAB_SRC/tests/lab/lib.sh"
lab_need_feature ikev2

lab_seed_topology
lab_ikerd_start r2 "$(lab_seed_conf v2-r2)" --passive --debug ikev2,ipsec
lab_ikerd_start r1 "$(lab_seed_conf v2-r1)" --debug ikev2,ipsec
lab_assert_match "R1's GRE link" 'gre remote 198.51.100.2 local 198.51.100.1' \
	"$(ip -n r1 -d link show ik-tun1)"
lab_wait_child r1 30
lab_wait_child r2 30

out=$(lab_ping r1 192.0.2.1 203.0.113.1 5)
echo "$out"
lab_assert_match "ping R1 LAN -> R2 LAN" ' 0% packet loss' "$out"
lab_show r1 show crypto ipsec sa
lab_show r2 show crypto ipsec sa
lab_assert_ge "R1 #pkts encaps" 5 "$(lab_ipsec_pkts r1 encaps)"
lab_assert_ge "R1 #pkts decaps" 5 "$(lab_ipsec_pkts r1 decaps)"
lab_assert_ge "R2 #pkts encaps" 5 "$(lab_ipsec_pkts r2 encaps)"
lab_assert_ge "R2 #pkts decaps" 5 "$(lab_ipsec_pkts r2 decaps)"
ip -n r1 xfrm policy
lab_assert_match "R1's policies select GRE (proto 47)" 'proto gre' "$(ip -n r1 xfrm policy)"
lab_assert_ge "R1 kernel ESP out" 5 "$(lab_xfrm_packets r1 198.51.100.1 198.51.100.2)"
lab_assert_ge "R2 kernel ESP in" 5 "$(lab_xfrm_packets r2 198.51.100.1 198.51.100.2)"
lab_assert_ge "R2 kernel ESP out" 5 "$(lab_xfrm_packets r2 198.51.100.2 198.51.100.1)"
lab_assert_ge "R1 kernel ESP in" 5 "$(lab_xfrm_packets r1 198.51.100.2 198.51.100.1)"
lab_assert_file_match "R2 picked profile1 from R1's identity (V2-1)" \
	"found matching IKEv2 profile 'profile1'" "$LAB_OUT/ikerd-r2.log"
if lab_feature ikev2-show; then
	lab_show r1 show crypto ikev2 sa
	lab_show r2 show crypto ikev2 sa
	lab_wait_v2_ready r1 5 198.51.100.2
	lab_wait_v2_ready r2 5 198.51.100.1
else
	lab_log "not checked: show crypto ikev2 sa (ikerd --features: ikev2-show no)"
fi
