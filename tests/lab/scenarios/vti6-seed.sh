# vti6-seed: IKEv1, then IKEv2, over IPv6 with 'tunnel mode ipsec ipv6'. R1 and R2 on
# 2001:db8:a::/64, each with an IPv6 LAN and a vti6 tunnel ('ipv6 route'
# through it): IKE runs over IPv6, Quick Mode carries ID_IPV6_ADDR_SUBNET ::/0
# both ways, ikerd installs the vti6 link, its any/any IPv6 policies under the
# tunnel's mark and the esp6 SAs; a ping6 from LAN to LAN crosses the tunnel,
# show crypto ipsec sa prints the IPv6 idents and counts the packets, the
# kernel's ESP counters move; ikerd's exit leaves nothing in the kernel. Then
# the same routers in IKEv2 form, R2 initiating: TS_IPV6_ADDR_RANGE ::/0 both
# ways, ping6 from R2's LAN to R1's, ESP counters.
. "$LAB_SRC/tests/lab/lib.sh"

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
ip -n r1 link add lan0 type dummy
ip -n r2 link add lan0 type dummy
ip -n r1 addr add 2001:db8:1::1/64 dev lan0 nodad
ip -n r2 addr add 2001:db8:2::1/64 dev lan0 nodad
ip -n r1 link set lan0 up
ip -n r2 link set lan0 up
lab_wait 10 "IPv6 underlay" ip netns exec r1 ping -6 -c 1 -W 1 2001:db8:a::2

conf() { # ME PEER
	cat <<CONF
hostname R$1
crypto keyring keyring1
  pre-shared-key address ipv6 2001:db8:a::$2/128 key cisco6
crypto isakmp policy 10
 encr aes
 hash sha256
 authentication pre-share
 group 14
crypto isakmp profile profile1
   keyring keyring1
   match identity address ipv6 2001:db8:a::$2/128
crypto ipsec transform-set TS esp-aes esp-sha256-hmac
 mode tunnel
crypto ipsec profile profile1
 set transform-set TS
 set isakmp-profile profile1
interface Loopback0
 ipv6 address 2001:db8:$1::1/64
interface Tunnel1
 ipv6 address 2001:db8:ffff::$1/64
 tunnel source Ethernet0/0
 tunnel mode ipsec ipv6
 tunnel destination 2001:db8:a::$2
 tunnel protection ipsec profile profile1
interface Ethernet0/0
 ipv6 address 2001:db8:a::$1/64
ipv6 route 2001:db8:$2::/64 Tunnel1
CONF
}
conf 1 2 >"$LAB_OUT/r1.conf"
conf 2 1 >"$LAB_OUT/r2.conf"
lab_ikerd_start r2 "$LAB_OUT/r2.conf" --passive --debug isakmp,ipsec
lab_ikerd_start r1 "$LAB_OUT/r1.conf" --debug isakmp,ipsec
ip -n r1 -d link show ik-tun1
lab_assert_match "R1's vti6 link" 'vti6 remote 2001:db8:a::2 local 2001:db8:a::1' \
	"$(ip -n r1 -d link show ik-tun1)"
lab_assert_match "R1's IPv6 tunnel address" 'inet6 2001:db8:ffff::1/64' \
	"$(ip -n r1 -6 addr show dev ik-tun1)"
lab_assert_match "R1's ipv6 route through the tunnel" '2001:db8:2::/64 dev ik-tun1' \
	"$(ip -n r1 -6 route)"

# the first packet raises the acquire (or R1 has already started)
ip netns exec r1 ping -6 -n -c 1 -W 2 -I 2001:db8:1::1 2001:db8:2::1 >/dev/null
lab_wait_isakmp r1 30
lab_wait_child r1 30
lab_wait_child r2 30
out=$(ip netns exec r1 ping -6 -n -c 5 -i 0.2 -W 2 -I 2001:db8:1::1 2001:db8:2::1)
echo "$out"
lab_assert_match "ping6 R1 LAN -> R2 LAN across vti6" ' 0% packet loss' "$out"
lab_show r1 show crypto isakmp sa
lab_show r1 show crypto ipsec sa
lab_show r2 show crypto session
ip -n r1 xfrm policy
ip -n r1 xfrm state
lab_assert_match "R1's ident: every IPv6 address" \
	'local  ident \(addr/mask/prot/port\): \(::/0/0/0\)' \
	"$(lab_ikerctl r1 show crypto ipsec sa)"
lab_assert_match "R2's Quick Mode proxies: ::/0" 'local_proxy= ::/0/0/0' \
	"$(cat "$LAB_OUT/ikerd-r2.log")"
lab_assert_ge "R1 #pkts encaps" 5 "$(lab_ipsec_pkts r1 encaps)"
lab_assert_ge "R2 #pkts decaps" 5 "$(lab_ipsec_pkts r2 decaps)"
lab_assert_match "vti6 policies: any IPv6" 'src ::/0 dst ::/0' "$(ip -n r1 xfrm policy)"
lab_assert_match "vti6 policies under the tunnel's mark" 'mark 0x1a000001/0xffffffff' \
	"$(ip -n r1 xfrm policy)"
lab_assert_ge "R1 kernel ESP out" 5 "$(lab_xfrm_packets r1 2001:db8:a::1 2001:db8:a::2)"
lab_assert_ge "R2 kernel ESP in" 5 "$(lab_xfrm_packets r2 2001:db8:a::1 2001:db8:a::2)"
lab_assert_ge "R2 kernel ESP out" 5 "$(lab_xfrm_packets r2 2001:db8:a::2 2001:db8:a::1)"
lab_assert_ge "R1 kernel ESP in" 5 "$(lab_xfrm_packets r1 2001:db8:a::2 2001:db8:a::1)"

lab_stop "$(lab_ikerd_pid r1)"
lab_assert_eq "R1 after exit: SAs" 0 "$(lab_xfrm_count_sa r1)"
lab_assert_eq "R1 after exit: policies" 0 "$(lab_xfrm_count_policy r1)"
lab_assert_no_match "R1 after exit: no ik-tun1" 'ik-tun1[:@]' "$(ip -n r1 -o link show)"
lab_stop "$(lab_ikerd_pid r2)"
lab_assert_eq "R2 after exit: SAs" 0 "$(lab_xfrm_count_sa r2)"

lab_log "== IKEv2 over IPv6, vti6, R2 initiates"
lab_need_feature ikev2
conf2() { # ME PEER
	cat <<CONF
hostname R$1
crypto ikev2 proposal PROP
 encryption aes-cbc-256
 integrity sha256
 group 14
crypto ikev2 policy POL
 proposal PROP
crypto ikev2 keyring keyring1
 peer R$2
  address ipv6 2001:db8:a::$2/128
  pre-shared-key cisco6
crypto ikev2 profile profile1
 match identity remote address ipv6 2001:db8:a::$2/128
 authentication remote pre-share
 authentication local pre-share
 keyring local keyring1
crypto ipsec transform-set TS esp-aes esp-sha256-hmac
 mode tunnel
crypto ipsec profile profile1
 set transform-set TS
 set ikev2-profile profile1
interface Loopback0
 ipv6 address 2001:db8:$1::1/64
interface Tunnel1
 ipv6 address 2001:db8:ffff::$1/64
 tunnel source Ethernet0/0
 tunnel mode ipsec ipv6
 tunnel destination 2001:db8:a::$2
 tunnel protection ipsec profile profile1
interface Ethernet0/0
 ipv6 address 2001:db8:a::$1/64
ipv6 route 2001:db8:$2::/64 Tunnel1
CONF
}
conf2 1 2 >"$LAB_OUT/v2-r1.conf"
conf2 2 1 >"$LAB_OUT/v2-r2.conf"
mv "$LAB_OUT/ikerd-r1.log" "$LAB_OUT/ikerd-r1-ikev1.log"
mv "$LAB_OUT/ikerd-r2.log" "$LAB_OUT/ikerd-r2-ikev1.log"
lab_ikerd_start r1 "$LAB_OUT/v2-r1.conf" --passive --debug ikev2,ipsec
lab_ikerd_start r2 "$LAB_OUT/v2-r2.conf" --debug ikev2,ipsec
ip netns exec r2 ping -6 -n -c 1 -W 2 -I 2001:db8:2::1 2001:db8:1::1 >/dev/null
lab_wait_child r2 30
lab_wait_child r1 30
out=$(ip netns exec r2 ping -6 -n -c 5 -i 0.2 -W 2 -I 2001:db8:2::1 2001:db8:1::1)
echo "$out"
lab_assert_match "IKEv2: ping6 R2 LAN -> R1 LAN across vti6" ' 0% packet loss' "$out"
lab_show r1 show crypto ikev2 sa
lab_show r1 show crypto ipsec sa
lab_assert_file_match "IKEv2: R1 narrowed to ::/0 both ways" \
	'Traffic selectors for Tunnel1: TSi :: *- *ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff proto 0' \
	"$LAB_OUT/ikerd-r1.log"
lab_assert_match "IKEv2: R1's ident ::/0" 'local  ident \(addr/mask/prot/port\): \(::/0/0/0\)' \
	"$(lab_ikerctl r1 show crypto ipsec sa)"
lab_assert_ge "IKEv2: R2 kernel ESP out" 5 "$(lab_xfrm_packets r2 2001:db8:a::2 2001:db8:a::1)"
lab_assert_ge "IKEv2: R1 kernel ESP in" 5 "$(lab_xfrm_packets r1 2001:db8:a::2 2001:db8:a::1)"
lab_assert_ge "IKEv2: R1 kernel ESP out" 5 "$(lab_xfrm_packets r1 2001:db8:a::1 2001:db8:a::2)"
