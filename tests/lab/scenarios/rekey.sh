# lab-timeout: 280
# rekey (d): phase-2 rekey under traffic. Both routers run the seed's GRE
# tunnel with "set security-association lifetime seconds 120" (the IOS
# minimum). A ping runs from R1's LAN to R2's, every 0.2 s, across the first
# SA pair's whole life (130 s): the pair is rekeyed before it expires (the
# engine's timer or the kernel's soft expire, ~85-90 % of the lifetime), the
# new pair takes over, the old one is removed, and no more than one packet is
# lost.
. "$LAB_SRC/tests/lab/lib.sh"

lab_seed_topology
lab_ikerd_start r2 "$(lab_seed_conf r2 lifetime 120)" --passive --debug isakmp,ipsec
lab_ikerd_start r1 "$(lab_seed_conf r1 lifetime 120)" --debug isakmp,ipsec
lab_wait_child r1 20
lab_wait_child r2 20
spi() {
	lab_ikerctl "$1" show crypto ipsec sa |
		sed -n 's/.*current outbound spi: \(0x[0-9A-Fa-f]*\).*/\1/p'
}
first1=$(spi r1)
first2=$(spi r2)
lab_log "first pair: R1 out $first1, R2 out $first2"
lab_assert_match "R1's SA lifetime is 120 s" \
	'remaining key lifetime \(k/sec\): \([0-9]+/1[01][0-9]\)' \
	"$(lab_ikerctl r1 show crypto ipsec sa)"

lab_bg r1 ping ping -n -i 0.2 -c 650 -W 1 -I 192.0.2.1 203.0.113.1
ping_pid=$LAB_LAST_PID
# the rekey, well before the first pair's 120 s are over
lab_wait 125 "R1 uses a new outbound SA" sh -c \
	"ip netns exec r1 '$IKERCTL' --ctl /run/ikerd-r1.ctl show crypto ipsec sa |
	 grep 'current outbound spi: 0x' | grep -vq '$first1'"
lab_log "new pair: R1 out $(spi r1), R2 out $(spi r2)"
lab_show r1 show crypto ipsec sa
wait "$ping_pid"
tail -n 3 "$LAB_OUT/ping.log"
sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$LAB_OUT/ping.log")
recv=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$LAB_OUT/ping.log")
lab_assert_ge "ping packets sent" 600 "${sent:-0}"
lab_assert_ge "ping packets received (at most one lost)" $((sent - 1)) "${recv:-0}"
ip -n r1 -s xfrm state | grep -E '^src|spi|packets'
lab_assert_no_match "R1's kernel: the first pair is gone" \
	"spi $(printf '0x%08x' "$first1") " "$(ip -n r1 xfrm state)"
lab_assert_le() {
	[ "$3" -le "$2" ] || lab_fail "$1: expected at most $2, saw $3"
	lab_log "ok: $1 = $3 (<= $2)"
}
lab_assert_le "R1's kernel SAs after the rekey" 4 "$(lab_xfrm_count_sa r1)"
out=$(lab_ping r1 192.0.2.1 203.0.113.1 3)
lab_assert_match "ping on the new pair" ' 0% packet loss' "$out"
