# backend-smoke: the netlink kernel backend on a kernel with ESP, GRE and VTI,
# driven by tests/lab/kern_probe (no IKE: fixed keys, mirrored on both sides).
#   1. flush_owned at start removes a previous run's objects (SA, policy, link,
#      route carrying ikerd's marks) and nothing else;
#   2. GRE over ESP (aes-256/sha256): a ping from LAN to LAN crosses the GRE
#      tunnel, the ESP counters move on both sides, kern_probe reads the same
#      counters through child_counters;
#   3. VTI (gcm-128) likewise, with the VTI's mark and disable_policy;
#   4. an acquire: the tunnel's outbound policy holds the first packet and the
#      kernel reports it; then the child SA is installed and pings pass;
#   5. soft and hard expire events of a child with a 10 s lifetime;
#   6. VRFs: vrf forwarding enslaves the link to the VRF device and the
#      VRF's routes go into its table; a VRF with no device is an error that
#      names it;
#   7. shutdown, and flush after a crash, leave foreign SAs, policies, links
#      and routes untouched.
. "$LAB_SRC/tests/lab/lib.sh"
lab_need "$KERN_PROBE"

lab_ns_add r1
lab_ns_add r2
lab_veth r1 eth0 198.51.100.1/24 r2 eth0 198.51.100.2/24
lab_lan r1 192.0.2.1/25
lab_lan r2 203.0.113.1/25

# Objects that are not ikerd's: they must survive everything below.
foreign() {
	local ns=$1
	ip -n $ns xfrm state add src 198.51.100.77 dst 198.51.100.78 proto esp spi 0x777 reqid 7 \
		mode tunnel enc 'cbc(aes)' 0x$(printf '%032x' 7) auth-trunc 'hmac(sha1)' \
		0x$(printf '%040x' 7) 96 || lab_fail "foreign SA in $ns"
	ip -n $ns xfrm policy add src 192.0.2.200/32 dst 203.0.113.200/32 dir out priority 6821 \
		tmpl src 198.51.100.77 dst 198.51.100.78 proto esp reqid 7 mode tunnel ||
		lab_fail "foreign policy in $ns"
	ip -n $ns link add ik-tun9 type dummy || lab_fail "foreign link in $ns"
	ip -n $ns route add 203.0.113.128/25 dev lan0 proto static ||
		lab_fail "foreign route in $ns"
}
# Objects that look like a crashed ikerd's: flush_owned must remove them.
stale() {
	local ns=$1
	ip -n $ns xfrm state add src 198.51.100.55 dst 198.51.100.56 proto esp spi 0x555 \
		reqid 0x1a000006 mode tunnel enc 'cbc(aes)' 0x$(printf '%032x' 5) \
		auth-trunc 'hmac(sha1)' 0x$(printf '%040x' 5) 96 || lab_fail "stale SA in $ns"
	ip -n $ns xfrm policy add src 192.0.2.100/32 dst 203.0.113.100/32 dir out priority 6821 \
		tmpl src 198.51.100.55 dst 198.51.100.56 proto esp reqid 0x1a000006 mode tunnel ||
		lab_fail "stale policy in $ns"
	ip -n $ns link add ik-tun5 type gre local 198.51.100.55 remote 198.51.100.56 ||
		lab_fail "stale link in $ns"
	ip -n $ns link set ik-tun5 alias "ikerd Tunnel5"
	ip -n $ns route add 192.0.2.128/26 dev lan0 proto 0xa5 || lab_fail "stale route in $ns"
}
# Only foreign objects are left (and nothing of ikerd's).
only_foreign() {
	local ns=$1 what=$2 out
	out=$(ip -n $ns xfrm state)
	lab_assert_eq "$ns $what: SAs left" 1 "$(printf '%s\n' "$out" | grep -c '^src ')"
	lab_assert_match "$ns $what: foreign SA kept" 'reqid 7 ' "$out"
	out=$(ip -n $ns xfrm policy | grep -c '^src ')
	lab_assert_eq "$ns $what: policies left" 1 "$out"
	lab_assert_match "$ns $what: foreign policy kept" '192.0.2.200/32' \
		"$(ip -n $ns xfrm policy)"
	out=$(ip -n $ns -o link show)
	lab_assert_match "$ns $what: foreign link ik-tun9 kept" 'ik-tun9' "$out"
	lab_assert_no_match "$ns $what: no ik-tun1" 'ik-tun1[:@]' "$out"
	lab_assert_no_match "$ns $what: no ik-tun5" 'ik-tun5[:@]' "$out"
	out=$(ip -n $ns route show table all)
	lab_assert_match "$ns $what: foreign route kept" \
		'203.0.113.128/25 dev lan0 proto static' "$out"
	lab_assert_no_match "$ns $what: no route of ikerd's" 'proto 165' "$out"
}

for ns in r1 r2; do
	foreign $ns
	stale $ns
done
lab_in r1 "$KERN_PROBE" flush || lab_fail "kern_probe flush in r1"
only_foreign r1 "after flush_owned"

common="num=1 local=198.51.100.1 remote=198.51.100.2"
peer="num=1 local=198.51.100.2 remote=198.51.100.1"
# probe NS NAME ARGS...: kern_probe up in NS, waits for "ready"
probe() {
	local ns=$1 name=$2
	shift 2
	lab_bg $ns "$name" "$KERN_PROBE" up "$@"
	eval "PID_$name=$LAB_LAST_PID"
	lab_wait 10 "$name ready" grep -q '^ready' "$LAB_OUT/$name.log"
}
# finish NAME: SIGTERM, then its counters line and "shutdown done"
finish() {
	local name=$1 pid
	pid=$(eval echo "\$PID_$name")
	kill -TERM "$pid"
	wait "$pid" || { cat "$LAB_OUT/$name.log"; lab_fail "$name exited with an error"; }
	lab_assert_file_match "$name shut down" '^shutdown done' "$LAB_OUT/$name.log"
}
crossing() { # MODE: ping LAN to LAN, ESP counters on both sides
	local out
	# One packet first, not counted: right after a VTI is set up the first
	# packet was seen lost once (neighbour resolution of the outer path).
	lab_ping r1 192.0.2.1 203.0.113.1 1 >/dev/null
	out=$(lab_ping r1 192.0.2.1 203.0.113.1 5)
	echo "$out"
	lab_assert_match "$1: ping across the tunnel" ' 0% packet loss' "$out"
	lab_assert_ge "$1: r1 ESP out packets" 5 "$(lab_xfrm_packets r1 198.51.100.1 198.51.100.2)"
	lab_assert_ge "$1: r2 ESP in packets" 5 "$(lab_xfrm_packets r2 198.51.100.1 198.51.100.2)"
	lab_assert_ge "$1: r2 ESP out packets" 5 "$(lab_xfrm_packets r2 198.51.100.2 198.51.100.1)"
	lab_assert_ge "$1: r1 ESP in packets" 5 "$(lab_xfrm_packets r1 198.51.100.2 198.51.100.1)"
}

lab_log "== GRE over ESP, aes-256 + sha256"
probe r1 gre1 mode=gre $common addr=192.0.2.253/30 route=203.0.113.0/25 side=1 \
	enc=aes-256 auth=sha256
probe r2 gre2 mode=gre $peer addr=192.0.2.254/30 route=192.0.2.0/25 via=192.0.2.253 side=2 \
	enc=aes-256 auth=sha256
ip -n r1 -d link show ik-tun1
ip -n r1 xfrm policy
ip -n r1 route
lab_assert_match "GRE link" 'gre remote 198.51.100.2 local 198.51.100.1 ttl 255' \
	"$(ip -n r1 -d link show ik-tun1)"
lab_assert_match "GRE link alias" 'alias ikerd Tunnel1' "$(ip -n r1 -d link show ik-tun1)"
lab_assert_match "route via the tunnel, protocol 0xa5" '203.0.113.0/25 dev ik-tun1 proto 165' \
	"$(ip -n r1 route)"
lab_assert_match "route via a next hop on the tunnel" \
	'192.0.2.0/25 via 192.0.2.253 dev ik-tun1 proto 165' "$(ip -n r2 route)"
lab_assert_match "out policy: GRE between the end points" \
	'src 198.51.100.1/32 dst 198.51.100.2/32 proto gre' "$(ip -n r1 xfrm policy)"
state=$(ip -n r1 -s xfrm state)
lab_assert_match "ESP SA replay window 64 (no ESN)" 'replay_window 64, bitmap-length 2' "$state"
lab_assert_match "ESP SA hard lifetime 3600 s, soft below" \
	'expire add: soft 3[0-2][0-9][0-9]\(sec\), hard 3600\(sec\)' "$state"
lab_assert_match "ESP SA reqid in ikerd's range" 'reqid [0-9]+\(0x1a000002\)' "$state"
crossing gre
ip -n r1 -s xfrm state
finish gre1
finish gre2
lab_assert_file_match "gre1 child_counters" 'counters in ([5-9]|[1-9][0-9]+) packets' \
	"$LAB_OUT/gre1.log"
only_foreign r1 "after GRE shutdown"
only_foreign r2 "after GRE shutdown"

lab_log "== VTI, rfc4106(gcm(aes)) 128"
probe r1 vti1 mode=vti $common addr=192.0.2.253/30 route=203.0.113.0/25 side=1 enc=gcm-128
probe r2 vti2 mode=vti $peer addr=192.0.2.254/30 route=192.0.2.0/25 side=2 enc=gcm-128
ip -n r1 -d link show ik-tun1
ip -n r1 xfrm policy
lab_assert_match "VTI link keys" 'ikey 26.0.0.1 +okey 26.0.0.1' "$(ip -n r1 -d link show ik-tun1)"
lab_assert_eq "VTI disable_policy" 1 \
	"$(lab_in r1 cat /proc/sys/net/ipv4/conf/ik-tun1/disable_policy)"
lab_assert_match "VTI policy mark" 'mark 0x1a000001/0xffffffff' "$(ip -n r1 xfrm policy)"
crossing vti
finish vti1
finish vti2
lab_assert_file_match "vti1 child_counters" 'counters in ([5-9]|[1-9][0-9]+) packets' \
	"$LAB_OUT/vti1.log"
only_foreign r1 "after VTI shutdown"
only_foreign r2 "after VTI shutdown"

lab_log "== acquire: traffic before the child SA, 3des + sha1"
lab_bg r1 acq1 "$KERN_PROBE" up mode=gre $common addr=192.0.2.253/30 route=203.0.113.0/25 \
	side=1 enc=3des auth=sha1 wait-acquire=20
PID_acq1=$LAB_LAST_PID
lab_wait 10 "acq1 waiting" grep -q '^waiting for an acquire' "$LAB_OUT/acq1.log"
probe r2 acq2 mode=gre $peer addr=192.0.2.254/30 route=192.0.2.0/25 side=2 enc=3des auth=sha1
out=$(lab_ping r1 192.0.2.1 203.0.113.1 10)
echo "$out"
lab_assert_file_match "acquire event" '^event acquire reqid 2 src 198.51.100.1 dst 198.51.100.2' \
	"$LAB_OUT/acq1.log"
lab_assert_match "pings pass once the child is in" ' [1-9][0-9]* received' "$out"
finish acq1
finish acq2

lab_log "== expire events: lifetime 10 s, md5"
probe r1 exp1 mode=gre $common addr=192.0.2.253/30 side=1 enc=aes-128 auth=md5 life=10
lab_wait 20 "soft expire event" grep -q '^event expire soft reqid 2' "$LAB_OUT/exp1.log"
lab_wait 10 "hard expire event" grep -q '^event expire hard reqid 2' "$LAB_OUT/exp1.log"
finish exp1
only_foreign r1 "after expiry and shutdown"

lab_log "== NAT-T: ESP in UDP 4500, aes-192 + sha384"
probe r1 nat1 mode=gre $common addr=192.0.2.253/30 route=203.0.113.0/25 side=1 enc=aes-192 \
	auth=sha384 encap=1
probe r2 nat2 mode=gre $peer addr=192.0.2.254/30 route=192.0.2.0/25 side=2 enc=aes-192 \
	auth=sha384 encap=1
lab_assert_match "SA with UDP encapsulation" 'encap type espinudp sport 4500 dport 4500' \
	"$(ip -n r1 xfrm state)"
crossing nat-t
finish nat1
finish nat2

lab_log "== VRF: vrf forwarding blue, ip route vrf blue"
lab_vrf r1 blue 10
probe r1 vrf1 mode=gre $common addr=192.0.2.253/30 route=203.0.113.0/25 vrf=blue side=1
lab_assert_match "link enslaved to the VRF" 'master blue' "$(ip -n r1 link show ik-tun1)"
lab_assert_match "route in the VRF's table" '203.0.113.0/25 dev ik-tun1 proto 165' \
	"$(ip -n r1 route show table 10)"
lab_assert_no_match "route not in the main table" '203.0.113.0/25' "$(ip -n r1 route show)"
finish vrf1
lab_assert_no_match "VRF route removed" 'proto 165' "$(ip -n r1 route show table 10)"
lab_bg r1 vrf2 "$KERN_PROBE" up mode=gre $common addr=192.0.2.253/30 vrf=green side=1 hold=1
wait "$LAB_LAST_PID" && lab_fail "tunnel_up with a VRF that has no device succeeded"
lab_assert_file_match "missing VRF named" 'VRF green: no such VRF device' "$LAB_OUT/vrf2.log"
lab_assert_no_match "nothing left of the failed tunnel" 'ik-tun1' "$(ip -n r1 -o link show)"

lab_log "== crash: no shutdown, then flush_owned"
probe r1 crash1 mode=vti $common addr=192.0.2.253/30 route=203.0.113.0/25 side=1 noshutdown=1
kill -TERM "$PID_crash1"
wait "$PID_crash1"
lab_assert_ge "SAs left by the crash" 3 "$(lab_xfrm_count_sa r1)"
lab_in r1 "$KERN_PROBE" flush || lab_fail "kern_probe flush after the crash"
only_foreign r1 "after flush of a crash"
only_foreign r2 "at the end"
