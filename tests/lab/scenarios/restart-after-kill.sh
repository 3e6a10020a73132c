# restart-after-kill (f): with the seed's tunnel up, R1's ikerd is killed with
# SIGKILL (no clean-up), so its SAs, policies, GRE link and route stay in the
# kernel. A new ikerd on R1 removes that stale state at start (flush_owned:
# only objects carrying its marks), sets the tunnel up again, and
# re-establishes with R2: a ping crosses, and R1's kernel holds exactly the new
# SA pair.
. "$LAB_SRC/tests/lab/lib.sh"

lab_seed_topology
conf1=$(lab_seed_conf r1)
lab_ikerd_start r2 "$(lab_seed_conf r2)" --passive --debug isakmp,ipsec
lab_ikerd_start r1 "$conf1" --debug isakmp,ipsec
lab_wait_child r1 20
lab_wait_child r2 20
old_spi=$(lab_ikerctl r1 show crypto ipsec sa |
	sed -n 's/.*current outbound spi: \(0x[0-9A-F]*\).*/\1/p')
lab_log "R1's outbound SPI: $old_spi"

kill -KILL "$(lab_ikerd_pid r1)"
wait "$(lab_ikerd_pid r1)" 2>/dev/null
lab_assert_eq "SAs left in R1's kernel by the killed ikerd" 2 "$(lab_xfrm_count_sa r1)"
lab_assert_match "GRE link left by the killed ikerd" 'ik-tun1' "$(ip -n r1 -o link show)"

lab_ikerd_start r1 "$conf1" --debug isakmp,ipsec
lab_assert_file_match "R1 removed the stale state" 'removed [0-9]+ stale objects' \
	"$LAB_OUT/ikerd-r1.log"
lab_wait 30 "R1 re-established (a new outbound SPI)" sh -c \
	"ip netns exec r1 '$IKERCTL' --ctl /run/ikerd-r1.ctl show crypto ipsec sa |
	 grep 'current outbound spi: 0x' | grep -vq '$old_spi'"
lab_wait_child r2 20
out=$(lab_ping r1 192.0.2.1 203.0.113.1 5)
echo "$out"
lab_assert_match "ping R1 LAN -> R2 LAN after the restart" ' 0% packet loss' "$out"
lab_show r1 show crypto isakmp sa
lab_show r2 show crypto isakmp sa
ip -n r1 xfrm state
lab_assert_eq "SAs in R1's kernel (the new pair only)" 2 "$(lab_xfrm_count_sa r1)"
lab_assert_no_match "the old SPI is gone from R1's kernel" "spi $(echo "$old_spi" | tr A-F a-f) " \
	"$(ip -n r1 xfrm state)"
