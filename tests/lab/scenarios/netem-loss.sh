# lab-timeout: 900
# netem-loss (g): tunnel set-up over a lossy link. sch_netem drops 30 % of the
# packets leaving each router on the transport link (both directions), so
# most exchanges need retransmissions. 20 set-ups in a row must all complete
# (phase 1 and 2 on both routers); between two, both routers clear their
# sessions. The number of retransmissions R1 made is printed.
. "$LAB_SRC/tests/lab/lib.sh"
N=${NETEM_SETUPS:-20}

lab_seed_topology
lab_netem r1 eth0 loss 30%
lab_netem r2 eth0 loss 30%
# With 30 % loss each way an exchange step (a message and its answer) gets
# through 49 % of the time, so IOS's 5 retransmissions lose a step 1.8 % of
# the time and about one set-up in 13. --retransmit 14 (an ikerd option, for
# lossy links) makes that about 1 in 10,000 steps.
lab_ikerd_start r2 "$(lab_seed_conf r2)" --passive --retransmit 14 --debug isakmp
lab_ikerd_start r1 "$(lab_seed_conf r1)" --retransmit 14 --debug isakmp

no_sa() { [ "$(lab_xfrm_count_sa r1)" = 0 ] && [ "$(lab_xfrm_count_sa r2)" = 0 ]; }
done_ok=0
for i in $(seq "$N"); do
	t0=$EPOCHSECONDS
	# the first set-up is ikerd's own at start; the others are asked for
	[ "$i" = 1 ] || lab_ikerctl r1 initiate Tunnel1 >/dev/null
	lab_wait 240 "set-up $i: R1 has its IPsec SA" lab_child_up r1
	lab_wait 240 "set-up $i: R2 has its IPsec SA" lab_child_up r2
	done_ok=$((done_ok + 1))
	lab_log "set-up $i of $N complete in $((EPOCHSECONDS - t0)) s"
	lab_ikerctl r1 clear crypto session >/dev/null
	lab_ikerctl r2 clear crypto session >/dev/null
	lab_wait 20 "set-up $i: both kernels without SAs" no_sa
done
ip netns exec r1 tc -s qdisc show dev eth0
lab_log "R1 retransmissions: $(grep -c 'retransmitting phase' "$LAB_OUT/ikerd-r1.log")"
lab_log "R2 retransmissions: $(grep -c 'retransmitting phase' "$LAB_OUT/ikerd-r2.log")"
lab_assert_eq "set-ups completed" "$N" "$done_ok"
