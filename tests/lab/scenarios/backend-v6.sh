# backend-v6: the netlink kernel backend over IPv6, driven by
# tests/lab/kern_probe (no IKE: fixed keys, mirrored on both sides).
#   1. 'tunnel mode gre ipv6': an ip6gre link between 2001:db8:a::1 and
#      2001:db8:a::2, GRE protected by ESP in AF_INET6 (selector GRE between
#      the end points); an 'ipv6 route' through the tunnel, a ping6 from LAN to
#      LAN crosses it and the ESP counters of both sides move;
#   2. the same link carrying IPv4 (IPv4 inside IPv6): ip route through it,
#      ping from LAN to LAN;
#   3. an acquire over IPv6: the outbound policy holds the first packet and
#      the event names the IPv6 end points; then the child goes in;
#   4. 'tunnel mode ipsec ipv6': a vti6 link with its key, the any/any IPv6
#      policies under its mark, ping6 across;
#   5. crypto map style SAs whose selectors are of the other family than the
#      outer addresses: IPv4 subnets over IPv6 and IPv6 subnets over IPv4
#      (XFRM_STATE_AF_UNSPEC), a ping across each;
#   6. shutdown leaves nothing of ikerd's, and flush after a crash removes the
#      IPv6 SAs, policies, links and routes.
. "$LAB_SRC/tests/lab/lib.sh"
lab_need "$KERN_PROBE"

lab_ns_add r1
lab_ns_add r2
for r in r1 r2; do
	ip netns exec $r sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
		net.ipv6.conf.default.disable_ipv6=0 net.ipv6.conf.all.forwarding=1 \
		net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
done
ip link add eth0 netns r1 type veth peer name eth0 netns r2 || lab_fail "veth"
ip -n r1 addr add 2001:db8:a::1/64 dev eth0 nodad
ip -n r2 addr add 2001:db8:a::2/64 dev eth0 nodad
ip -n r1 addr add 198.51.100.1/24 dev eth0
ip -n r2 addr add 198.51.100.2/24 dev eth0
ip -n r1 link set eth0 up
ip -n r2 link set eth0 up
lab_lan r1 192.0.2.1/25
lab_lan r2 203.0.113.1/25
ip -n r1 addr add 2001:db8:1::1/64 dev lan0 nodad
ip -n r2 addr add 2001:db8:2::1/64 dev lan0 nodad
lab_wait 10 "IPv6 underlay" ip netns exec r1 ping -6 -c 1 -W 1 2001:db8:a::2

common="num=1 local=2001:db8:a::1 remote=2001:db8:a::2"
peer="num=1 local=2001:db8:a::2 remote=2001:db8:a::1"
probe() { # NS NAME ARGS...: kern_probe up in NS, waits for "ready"
	local ns=$1 name=$2
	shift 2
	lab_bg $ns "$name" "$KERN_PROBE" up "$@"
	eval "PID_$name=$LAB_LAST_PID"
	lab_wait 10 "$name ready" grep -q '^ready' "$LAB_OUT/$name.log"
}
finish() { # NAME: SIGTERM, then "shutdown done"
	local name=$1 pid
	pid=$(eval echo "\$PID_$name")
	kill -TERM "$pid"
	wait "$pid" || { cat "$LAB_OUT/$name.log"; lab_fail "$name exited with an error"; }
	lab_assert_file_match "$name shut down" '^shutdown done' "$LAB_OUT/$name.log"
}
esp_moved() { # WHAT MIN: ESP counters of both directions on both sides
	lab_assert_ge "$1: r1 ESP out" "$2" "$(lab_xfrm_packets r1 2001:db8:a::1 2001:db8:a::2)"
	lab_assert_ge "$1: r2 ESP in" "$2" "$(lab_xfrm_packets r2 2001:db8:a::1 2001:db8:a::2)"
	lab_assert_ge "$1: r2 ESP out" "$2" "$(lab_xfrm_packets r2 2001:db8:a::2 2001:db8:a::1)"
	lab_assert_ge "$1: r1 ESP in" "$2" "$(lab_xfrm_packets r1 2001:db8:a::2 2001:db8:a::1)"
}
nothing_left() { # NS WHAT
	lab_assert_eq "$1 $2: SAs" 0 "$(lab_xfrm_count_sa $1)"
	lab_assert_eq "$1 $2: policies" 0 "$(lab_xfrm_count_policy $1)"
	lab_assert_no_match "$1 $2: no ik-tun1" 'ik-tun1[:@]' "$(ip -n $1 -o link show)"
	lab_assert_no_match "$1 $2: no route of ikerd's" 'proto 165' \
		"$(ip -n $1 -6 route show table all; ip -n $1 route show table all)"
}

lab_log "== GRE over IPv6 (ip6gre) in ESP, IPv6 inside, aes-256 + sha256"
probe r1 g1 mode=gre6 $common addr6=2001:db8:ffff::1/64 route=2001:db8:2::/64 side=1
probe r2 g2 mode=gre6 $peer addr6=2001:db8:ffff::2/64 route=2001:db8:1::/64 \
	via=2001:db8:ffff::1 side=2
ip -n r1 -d link show ik-tun1
ip -n r1 xfrm policy
lab_assert_match "ip6gre link" 'ip6gre remote 2001:db8:a::2 local 2001:db8:a::1' \
	"$(ip -n r1 -d link show ik-tun1)"
lab_assert_match "ip6gre without encapsulation limit" 'encaplimit none' \
	"$(ip -n r1 -d link show ik-tun1)"
lab_assert_match "IPv6 address on the link" 'inet6 2001:db8:ffff::1/64' \
	"$(ip -n r1 -6 addr show dev ik-tun1)"
lab_assert_match "ipv6 route through the tunnel" '2001:db8:2::/64 dev ik-tun1 proto 165' \
	"$(ip -n r1 -6 route)"
lab_assert_match "ipv6 route via a next hop on the tunnel" \
	'2001:db8:1::/64 via 2001:db8:ffff::1 dev ik-tun1 proto 165' "$(ip -n r2 -6 route)"
lab_assert_match "out policy: GRE between the IPv6 end points" \
	'src 2001:db8:a::1/128 dst 2001:db8:a::2/128 proto gre' "$(ip -n r1 xfrm policy)"
lab_assert_match "IPv6 ESP SA" 'src 2001:db8:a::1 dst 2001:db8:a::2' "$(ip -n r1 xfrm state)"
ip netns exec r1 ping -6 -n -c 1 -W 2 -I 2001:db8:1::1 2001:db8:2::1 >/dev/null
out=$(ip netns exec r1 ping -6 -n -c 5 -i 0.2 -W 2 -I 2001:db8:1::1 2001:db8:2::1)
echo "$out"
lab_assert_match "ping6 LAN to LAN across ip6gre+esp6" ' 0% packet loss' "$out"
esp_moved ip6gre 5
finish g1
finish g2
nothing_left r1 "after ip6gre shutdown"
nothing_left r2 "after ip6gre shutdown"

lab_log "== the same link carrying IPv4, gcm-128"
probe r1 h1 mode=gre6 $common addr=192.0.2.253/30 route=203.0.113.0/25 side=1 enc=gcm-128
probe r2 h2 mode=gre6 $peer addr=192.0.2.254/30 route=192.0.2.0/25 side=2 enc=gcm-128
lab_ping r1 192.0.2.1 203.0.113.1 1 >/dev/null
out=$(lab_ping r1 192.0.2.1 203.0.113.1 5)
echo "$out"
lab_assert_match "ping LAN to LAN, IPv4 in ip6gre+esp6" ' 0% packet loss' "$out"
esp_moved "IPv4 in ip6gre" 5
finish h1
finish h2

lab_log "== acquire over IPv6"
lab_bg r1 a1 "$KERN_PROBE" up mode=gre6 $common addr6=2001:db8:ffff::1/64 \
	route=2001:db8:2::/64 side=1 wait-acquire=20
PID_a1=$LAB_LAST_PID
lab_wait 10 "a1 waiting" grep -q '^waiting for an acquire' "$LAB_OUT/a1.log"
probe r2 a2 mode=gre6 $peer addr6=2001:db8:ffff::2/64 route=2001:db8:1::/64 side=2
out=$(ip netns exec r1 ping -6 -n -c 10 -i 0.3 -W 2 -I 2001:db8:1::1 2001:db8:2::1)
echo "$out"
lab_assert_file_match "IPv6 acquire event" \
	'^event acquire reqid 2 src 2001:db8:a::1 dst 2001:db8:a::2' "$LAB_OUT/a1.log"
lab_assert_match "pings pass once the child is in" ' [1-9][0-9]* received' "$out"
finish a1
finish a2

lab_log "== vti6 ('tunnel mode ipsec ipv6'), aes-128 + sha1"
probe r1 v1 mode=vti6 $common addr6=2001:db8:ffff::1/64 route=2001:db8:2::/64 side=1 \
	enc=aes-128 auth=sha1
probe r2 v2 mode=vti6 $peer addr6=2001:db8:ffff::2/64 route=2001:db8:1::/64 side=2 \
	enc=aes-128 auth=sha1
ip -n r1 -d link show ik-tun1
ip -n r1 xfrm policy
lab_assert_match "vti6 link" 'vti6 remote 2001:db8:a::2 local 2001:db8:a::1' \
	"$(ip -n r1 -d link show ik-tun1)"
lab_assert_match "vti6 keys" 'ikey 26.0.0.1 +okey 26.0.0.1' "$(ip -n r1 -d link show ik-tun1)"
lab_assert_match "vti6 policy: any IPv6" 'src ::/0 dst ::/0' "$(ip -n r1 xfrm policy)"
lab_assert_match "vti6 policy under the mark" 'mark 0x1a000001/0xffffffff' \
	"$(ip -n r1 xfrm policy)"
ip netns exec r1 ping -6 -n -c 1 -W 2 -I 2001:db8:1::1 2001:db8:2::1 >/dev/null
out=$(ip netns exec r1 ping -6 -n -c 5 -i 0.2 -W 2 -I 2001:db8:1::1 2001:db8:2::1)
echo "$out"
lab_assert_match "ping6 LAN to LAN across vti6" ' 0% packet loss' "$out"
esp_moved vti6 5
finish v1
finish v2
nothing_left r1 "after vti6 shutdown"

lab_log "== IPv4 subnets over IPv6, then IPv6 subnets over IPv4 (af-unspec SAs)"
ip -n r1 route add 203.0.113.0/25 dev eth0
ip -n r2 route add 192.0.2.0/25 dev eth0
probe r1 x1 mode=gre6 $common sel=192.0.2.0/25,203.0.113.0/25 side=1 enc=aes-128
probe r2 x2 mode=gre6 $peer sel=192.0.2.0/25,203.0.113.0/25 side=2 enc=aes-128
ip -n r1 xfrm state
lab_assert_match "IPv4 selectors over IPv6: the SA takes any inner family" 'flag af-unspec' \
	"$(ip -n r1 xfrm state)"
lab_assert_match "IPv4 policy with an IPv6 template" \
	'src 192.0.2.0/25 dst 203.0.113.0/25' "$(ip -n r1 xfrm policy)"
lab_ping r1 192.0.2.1 203.0.113.1 1 >/dev/null
out=$(lab_ping r1 192.0.2.1 203.0.113.1 5)
echo "$out"
lab_assert_match "ping LAN to LAN, IPv4 in esp6" ' 0% packet loss' "$out"
esp_moved "IPv4 in esp6" 5
finish x1
finish x2
ip -n r1 -6 route add 2001:db8:2::/64 dev eth0
ip -n r2 -6 route add 2001:db8:1::/64 dev eth0
v4="num=1 local=198.51.100.1 remote=198.51.100.2 addr=192.0.2.253/30"
v4p="num=1 local=198.51.100.2 remote=198.51.100.1 addr=192.0.2.254/30"
probe r1 y1 mode=gre $v4 sel=2001:db8:1::/64,2001:db8:2::/64 side=1
probe r2 y2 mode=gre $v4p sel=2001:db8:1::/64,2001:db8:2::/64 side=2
lab_assert_match "IPv6 policy with an IPv4 template" \
	'src 2001:db8:1::/64 dst 2001:db8:2::/64' "$(ip -n r1 xfrm policy)"
ip netns exec r1 ping -6 -n -c 1 -W 2 -I 2001:db8:1::1 2001:db8:2::1 >/dev/null
out=$(ip netns exec r1 ping -6 -n -c 5 -i 0.2 -W 2 -I 2001:db8:1::1 2001:db8:2::1)
echo "$out"
lab_assert_match "ping6 LAN to LAN, IPv6 in esp4" ' 0% packet loss' "$out"
lab_assert_ge "IPv6 in esp4: r1 ESP out" 5 "$(lab_xfrm_packets r1 198.51.100.1 198.51.100.2)"
lab_assert_ge "IPv6 in esp4: r2 ESP in" 5 "$(lab_xfrm_packets r2 198.51.100.1 198.51.100.2)"
lab_assert_ge "IPv6 in esp4: r1 ESP in" 5 "$(lab_xfrm_packets r1 198.51.100.2 198.51.100.1)"
finish y1
finish y2
ip -n r1 route del 203.0.113.0/25 dev eth0
ip -n r1 -6 route del 2001:db8:2::/64 dev eth0

lab_log "== crash over IPv6: no shutdown, then flush_owned"
probe r1 c1 mode=gre6 $common addr6=2001:db8:ffff::1/64 route=2001:db8:2::/64 side=1 \
	noshutdown=1
kill -TERM "$PID_c1"
wait "$PID_c1"
lab_assert_ge "IPv6 SAs left by the crash" 2 "$(lab_xfrm_count_sa r1)"
lab_in r1 "$KERN_PROBE" flush || lab_fail "kern_probe flush after the crash"
nothing_left r1 "after flush of a crash"
