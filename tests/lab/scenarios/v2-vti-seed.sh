# v2-vti-seed: the seed's R1 and R2 written with IKEv2 keyrings and profiles,
# over VTI (tunnel mode ipsec ipv4: any/any selectors, the VTI's mark), and R2
# initiates: the direction in which the IKEv1 seed fails (seed-r2-fails) must
# come up over IKEv2, because the responder picks the profile from IDi before
# it needs a key (rule V2-1). A ping from R2's LAN address to R1's crosses the
# tunnel, the counters move on both sides, show crypto ikev2 sa lists the SA in
# READY on both.
. "$LAB_SRC/tests/lab/lib.sh"
lab_need_feature ikev2

lab_seed_topology
lab_ikerd_start r1 "$(lab_seed_conf v2-r1 vti)" --passive --debug ikev2,ipsec
lab_ikerd_start r2 "$(lab_seed_conf v2-r2 vti)" --debug ikev2,ipsec
lab_assert_match "R2's VTI link" 'vti remote 198.51.100.1 local 198.51.100.2 ikey' \
	"$(ip -n r2 -d link show ik-tun1)"
lab_wait_child r2 30
lab_wait_child r1 30

out=$(lab_ping r2 203.0.113.1 192.0.2.1 5)
echo "$out"
lab_assert_match "ping R2 LAN -> R1 LAN" ' 0% packet loss' "$out"
lab_show r1 show crypto ipsec sa
lab_show r2 show crypto ipsec sa
lab_assert_ge "R1 #pkts encaps" 5 "$(lab_ipsec_pkts r1 encaps)"
lab_assert_ge "R1 #pkts decaps" 5 "$(lab_ipsec_pkts r1 decaps)"
lab_assert_ge "R2 #pkts encaps" 5 "$(lab_ipsec_pkts r2 encaps)"
lab_assert_ge "R2 #pkts decaps" 5 "$(lab_ipsec_pkts r2 decaps)"
ip -n r2 xfrm policy
lab_assert_match "R2's VTI policies carry the mark" 'mark 0x[0-9a-f]+/0xffffffff' \
	"$(ip -n r2 xfrm policy)"
lab_assert_ge "R2 kernel ESP out" 5 "$(lab_xfrm_packets r2 198.51.100.2 198.51.100.1)"
lab_assert_ge "R1 kernel ESP in" 5 "$(lab_xfrm_packets r1 198.51.100.2 198.51.100.1)"
lab_assert_ge "R1 kernel ESP out" 5 "$(lab_xfrm_packets r1 198.51.100.1 198.51.100.2)"
lab_assert_ge "R2 kernel ESP in" 5 "$(lab_xfrm_packets r2 198.51.100.1 198.51.100.2)"
lab_assert_file_match "R1 picked profile2 from R2's identity (V2-1)" \
	"found matching IKEv2 profile 'profile2'" "$LAB_OUT/ikerd-r1.log"
if lab_feature ikev2-show; then
	lab_show r1 show crypto ikev2 sa
	lab_show r2 show crypto ikev2 sa
	lab_wait_v2_ready r1 5 198.51.100.2
	lab_wait_v2_ready r2 5 198.51.100.1
else
	lab_log "not checked: show crypto ikev2 sa (ikerd --features: ikev2-show no)"
fi
