# ike-v6-gre: IKE over IPv6 and a GRE tunnel over IPv6 (tunnel mode gre ipv6)
# between R1 (2001:db8:a::1) and R2 (2001:db8:a::2), tests/lab/conf/r1-v6.conf
# and r2-v6.conf: IKEv1 Main Mode and Quick Mode on the AF_INET6 sockets
# (K3.6 picks the /128 key over a /32 one, P1 matches identity address ipv6),
# an ip6gre link protected by ESP between the IPv6 end points, IPv4 and IPv6
# routed through it: a ping and a ping6 from LAN to LAN cross it, the ESP
# counters move in ikerd's show and in the kernel's IPv6 SAs; show crypto
# isakmp sa lists the SA under IPv6 as IOS does; clear crypto session remote
# 2001:db8:a::2 removes the IPv6 SAs from both kernels.
# With argument v2 (or LAB_V6_V2=v2; scenario v2-ike-v6-gre): the same over
# IKEv2 (v2-r1-v6.conf, v2-r2-v6.conf), show crypto ikev2 sa READY over IPv6.
# lab-timeout: 240
. "$LAB_SRC/tests/lab/lib.sh"

v2=${1:-${LAB_V6_V2:-}}
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
ip -n r1 link set eth0 up
ip -n r2 link set eth0 up
lab_lan r1 192.0.2.1/25
lab_lan r2 203.0.113.1/24
ip -n r1 addr add 2001:db8:1::1/64 dev lan0 nodad
ip -n r2 addr add 2001:db8:2::1/64 dev lan0 nodad
lab_wait 10 "IPv6 underlay" ip netns exec r1 ping -6 -c 1 -W 1 2001:db8:a::2

conf=${v2:+v2-}
lab_ikerd_start r2 "$LAB_SRC/tests/lab/conf/${conf}r2-v6.conf" --passive --debug isakmp,ipsec,ikev2
lab_ikerd_start r1 "$LAB_SRC/tests/lab/conf/${conf}r1-v6.conf" --debug isakmp,ipsec,ikev2

# the IPv6 section of show crypto isakmp sa holds an SA with PEER in QM_IDLE
v6_idle() { # NS PEER
	lab_ikerctl "$1" show crypto isakmp sa | sed -n '/^IPv6 Crypto ISAKMP SA/,$p' |
		tr '\n' ' ' | grep -q "$2 .*state: QM_IDLE"
}
v2_ready() { # NS PEER
	lab_ikerctl "$1" show crypto ikev2 sa | sed -n '/IPv6 Crypto IKEv2/,$p' |
		grep -q "$2/500 .*READY"
}
if [ -n "$v2" ]; then
	lab_wait 30 "R1: IKEv2 SA READY over IPv6" v2_ready r1 2001:db8:a::2
	lab_wait 30 "R2: IKEv2 SA READY over IPv6" v2_ready r2 2001:db8:a::1
else
	lab_wait 30 "R1: IPv6 ISAKMP SA in QM_IDLE" v6_idle r1 "dst: 2001:DB8:A::2"
	lab_wait 30 "R2: IPv6 ISAKMP SA in QM_IDLE" v6_idle r2 "src: 2001:DB8:A::1"
fi
lab_wait_child r1 30
lab_wait_child r2 30
lab_assert_match "R1's ip6gre link" 'ip6gre remote 2001:db8:a::2 local 2001:db8:a::1' \
	"$(ip -n r1 -d link show ik-tun1)"
ip -n r1 -6 route
v6_route() { ip -n r1 -6 route | grep -q '2001:db8:2::/64 .*dev ik-tun1'; }
lab_wait 10 "R1's IPv6 route through the tunnel" v6_route

out=$(lab_ping r1 192.0.2.1 203.0.113.1 5)
echo "$out"
lab_assert_match "ping R1 LAN -> R2 LAN (IPv4 in GRE over IPv6)" ' 0% packet loss' "$out"
out6=$(ip netns exec r1 ping -6 -n -c 5 -i 0.2 -W 2 -I 2001:db8:1::1 2001:db8:2::1)
echo "$out6"
lab_assert_match "ping6 R1 LAN -> R2 LAN (IPv6 in GRE over IPv6)" ' 0% packet loss' "$out6"
{
	for r in R1 R2; do
		for cmd in "show crypto isakmp sa" "show crypto ikev2 sa" "show crypto ipsec sa" \
			"show crypto session"; do
			echo "$r#$cmd"
			lab_ikerctl "${r,,}" $cmd
			echo
		done
	done
} >"$LAB_OUT/transcript.txt"
cat "$LAB_OUT/transcript.txt"
lab_assert_ge "R1 #pkts encaps" 10 "$(lab_ipsec_pkts r1 encaps)"
lab_assert_ge "R2 #pkts decaps" 10 "$(lab_ipsec_pkts r2 decaps)"
ip -n r1 -s xfrm state
lab_assert_ge "R1 kernel ESP out" 10 "$(lab_xfrm_packets r1 2001:db8:a::1 2001:db8:a::2)"
lab_assert_ge "R2 kernel ESP in" 10 "$(lab_xfrm_packets r2 2001:db8:a::1 2001:db8:a::2)"
lab_assert_ge "R2 kernel ESP out" 10 "$(lab_xfrm_packets r2 2001:db8:a::2 2001:db8:a::1)"
lab_assert_ge "R1 kernel ESP in" 10 "$(lab_xfrm_packets r1 2001:db8:a::2 2001:db8:a::1)"
if [ -z "$v2" ]; then
	lab_assert_file_match "R2 picked the /128 key (K3.6)" \
		'found peer pre-shared key matching 2001:DB8:A::1' "$LAB_OUT/ikerd-r2.log"
	lab_assert_file_match "R2's profile by IPv6 identity (P1)" \
		'peer matches profile1 profile' "$LAB_OUT/ikerd-r2.log"
fi

# clear crypto session remote 2001:db8:a::2: both sides lose the SAs (R1 tells
# R2 with DELETEs)
lab_ikerctl r1 clear crypto session remote 2001:db8:a::2
no_sa() { ! ip -n "$1" xfrm state | grep -q "^src $2"; }
lab_wait 15 "R1's IPv6 SAs gone after the clear" no_sa r1 2001:db8:a::1
lab_wait 15 "R2's IPv6 SAs gone after R1's DELETE" no_sa r2 2001:db8:a::1
