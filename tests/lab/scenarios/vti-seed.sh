# vti-seed (c): the seed's R1 and R2 over VTI (tunnel mode ipsec ipv4): a Linux
# VTI with ikey = okey = the tunnel's XFRM mark, any/any selectors. R1
# initiates (ikerd initiates its protected tunnels at start; R2 runs --passive
# and only answers): phase 1 and phase 2 complete on both, a ping from R1's LAN
# address to R2's crosses the tunnel, and the ESP counters move on both sides,
# in ikerd's show crypto ipsec sa and in the kernel's ip -s xfrm state.
. "$LAB_SRC/tests/lab/lib.sh"

lab_seed_topology
lab_ikerd_start r2 "$(lab_seed_conf r2 vti)" --passive --debug isakmp,ipsec
lab_ikerd_start r1 "$(lab_seed_conf r1 vti)" --debug isakmp,ipsec
lab_assert_match "R1's VTI link" \
	'vti remote 198.51.100.2 local 198.51.100.1 ikey 26.0.0.1 +okey 26.0.0.1' \
	"$(ip -n r1 -d link show ik-tun1)"
lab_assert_match "R1's route through the tunnel" '203.0.113.0/24 via 192.0.2.130 dev ik-tun1' \
	"$(ip -n r1 route)"

lab_wait_isakmp r1 20 198.51.100.2
lab_wait_isakmp r2 20 198.51.100.1
lab_wait_child r1 20
lab_wait_child r2 20

out=$(lab_ping r1 192.0.2.1 203.0.113.1 5)
echo "$out"
lab_assert_match "ping R1 LAN -> R2 LAN" ' 0% packet loss' "$out"
lab_show r1 show crypto isakmp sa
lab_show r1 show crypto ipsec sa
lab_show r2 show crypto ipsec sa
lab_assert_ge "R1 #pkts encaps" 5 "$(lab_ipsec_pkts r1 encaps)"
lab_assert_ge "R1 #pkts decaps" 5 "$(lab_ipsec_pkts r1 decaps)"
lab_assert_ge "R2 #pkts encaps" 5 "$(lab_ipsec_pkts r2 encaps)"
lab_assert_ge "R2 #pkts decaps" 5 "$(lab_ipsec_pkts r2 decaps)"
ip -n r1 -s xfrm state
ip -n r1 xfrm policy
lab_assert_match "R1's VTI policies carry the mark" 'mark 0x1a000001/0xffffffff' \
	"$(ip -n r1 xfrm policy)"
lab_assert_ge "R1 kernel ESP out" 5 "$(lab_xfrm_packets r1 198.51.100.1 198.51.100.2)"
lab_assert_ge "R2 kernel ESP in" 5 "$(lab_xfrm_packets r2 198.51.100.1 198.51.100.2)"
lab_assert_ge "R2 kernel ESP out" 5 "$(lab_xfrm_packets r2 198.51.100.2 198.51.100.1)"
lab_assert_ge "R1 kernel ESP in" 5 "$(lab_xfrm_packets r1 198.51.100.2 198.51.100.1)"
