# clear-session (e): with the seed's tunnel up (as in gre-seed), ikerctl clear
# crypto session on R1 removes every SA on both sides (R2 through R1's
# DELETE notifications) and every child policy: what stays in each kernel is
# the tunnel's own outbound policy, which holds traffic until a new SA exists.
# Then traffic brings the tunnel back: a ping from R1's LAN meets that policy,
# the kernel raises an acquire, R1 initiates, and the ping gets through.
. "$LAB_SRC/tests/lab/lib.sh"

lab_seed_topology
lab_ikerd_start r2 "$(lab_seed_conf r2)" --passive --debug isakmp,ipsec
lab_ikerd_start r1 "$(lab_seed_conf r1)" --debug isakmp,ipsec
lab_wait_child r1 20
lab_wait_child r2 20
lab_assert_eq "R1 kernel SAs before" 2 "$(lab_xfrm_count_sa r1)"
lab_assert_eq "R2 kernel SAs before" 2 "$(lab_xfrm_count_sa r2)"
lab_assert_eq "R1 kernel policies before (out, in, fwd)" 3 "$(lab_xfrm_count_policy r1)"

lab_show r1 clear crypto session
no_sa() { [ "$(lab_xfrm_count_sa "$1")" = 0 ]; }
lab_wait 10 "R1's kernel has no SA" no_sa r1
lab_wait 10 "R2's kernel has no SA" no_sa r2
lab_show r1 show crypto isakmp sa
lab_show r2 show crypto session
ip -n r1 xfrm policy
lab_assert_no_match "R1 show crypto ipsec sa: no SPI" 'spi: 0x' "$(lab_ikerctl r1 show crypto ipsec sa)"
lab_assert_no_match "R2 show crypto ipsec sa: no SPI" 'spi: 0x' "$(lab_ikerctl r2 show crypto ipsec sa)"
for ns in r1 r2; do
	pol=$(ip -n $ns xfrm policy)
	lab_assert_eq "$ns kernel policies after clear (the tunnel's outbound one)" 1 \
		"$(printf '%s\n' "$pol" | grep -c '^src ')"
	lab_assert_match "$ns: the policy left is outbound" 'dir out priority 6821' "$pol"
done

lab_log "traffic after the clear: acquire, new SAs"
before=$(wc -l <"$LAB_OUT/ikerd-r1.log")
lab_ping r1 192.0.2.1 203.0.113.1 15 >"$LAB_OUT/ping-acquire.log" 2>&1
cat "$LAB_OUT/ping-acquire.log"
lab_assert_match "R1 made new SAs after the clear (no initiate asked for)" 'IPSEC\(create_sa\): sa created' \
	"$(tail -n +"$((before + 1))" "$LAB_OUT/ikerd-r1.log")"
lab_wait_child r1 20
lab_wait_child r2 20
lab_assert_match "the ping got through once the SAs were back" ' [1-9][0-9]* received' \
	"$(cat "$LAB_OUT/ping-acquire.log")"
