# cmap6-two-lans: two ikerd with crypto maps whose peers are IPv6 addresses
# (R1 2001:db8:a::1, R2 2001:db8:a::2), applied with `ipv6 crypto map`:
# R1's entry 10 protects its two IPv4 LAN prefixes (192.0.2.0/26 and
# 192.0.2.64/26) to R2's 203.0.113.0/24, entry 20 its IPv6 LAN
# (2001:db8:1::/64) to R2's 2001:db8:2::/64. At start each ikerd installs a
# trap per permit line (an outbound XFRM policy whose tunnel template has the
# IPv6 outer addresses); the first ping from each LAN raises an acquire and
# IKEv1 over IPv6 brings up that line's SA pair (esp6 in tunnel mode, IPv4 or
# IPv6 inside): three SA pairs, pings across, ESP counters on both sides.
# R2 routes R1's IPv6 LAN only through its reverse route (an IPv6 route via
# the IPv6 peer, while the pair is up). show crypto map prints the IPv6
# entries as IOS does; clear crypto sa map takes every pair down.
# With argument v2 (or LAB_CMAP6_V2=v2; scenario v2-cmap6-two-lans): the same
# entries with set ikev2-profile, IKEv2 over IPv6 (the first line's child in
# IKE_AUTH, the others in CREATE_CHILD_SA), keys from `address ipv6` peer blocks.
# lab-timeout: 240
. "$LAB_SRC/tests/lab/lib.sh"

v2=${1:-${LAB_CMAP6_V2:-}}
[ -z "$v2" ] || lab_need_feature ikev2
# v2conf PEER: IKEv2 settings for a map toward PEER (IPv6); the entries then
# name the profile (set ikev2-profile PROF after each set transform-set)
v2conf() {
	cat <<CONF
crypto ikev2 proposal PROP
 encryption aes-cbc-256
 integrity sha256
 group 14
crypto ikev2 policy POL
 proposal PROP
crypto ikev2 keyring KR
 peer P
  address ipv6 $1/128
  pre-shared-key lab-v2-k3y
crypto ikev2 profile PROF
 match identity remote address ipv6 $1/128
 authentication remote pre-share
 authentication local pre-share
 keyring local KR
CONF
}
to_v2() { # FILE PEER
	[ -n "$v2" ] || return 0
	{ v2conf "$2"; sed 's/^ set transform-set TS$/&\n set ikev2-profile PROF/' "$1"; } \
		>"$1.v2" && mv "$1.v2" "$1"
}

lab_ns_add r1
lab_ns_add r2
for r in r1 r2; do
	ip netns exec $r sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
		net.ipv6.conf.default.disable_ipv6=0 \
		net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
done
ip link add eth0 netns r1 type veth peer name eth0 netns r2 || lab_fail "veth"
ip -n r1 addr add 2001:db8:a::1/64 dev eth0 nodad
ip -n r2 addr add 2001:db8:a::2/64 dev eth0 nodad
ip -n r1 link set eth0 up
ip -n r2 link set eth0 up
lab_lan r1 192.0.2.1/26 lan0
lab_lan r1 192.0.2.65/26 lan1
lab_lan r2 203.0.113.1/24 lan0
ip -n r1 addr add 2001:db8:1::1/64 dev lan0 nodad
ip -n r2 addr add 2001:db8:2::1/64 dev lan0 nodad
lab_wait 10 "IPv6 underlay" ip netns exec r1 ping -6 -c 1 -W 1 2001:db8:a::2
# policy-based IPsec: the LANs are routed out of eth0, the policies pick
# ESP to the IPv6 peer; R2 has no route to R1's IPv6 LAN but its reverse route
ip -n r1 route add 203.0.113.0/24 dev eth0 || lab_fail "route r1"
ip -n r2 route add 192.0.2.0/24 dev eth0 || lab_fail "route r2"
ip -n r1 -6 route add 2001:db8:2::/64 dev eth0 || lab_fail "IPv6 route r1"

cat >"$LAB_OUT/r1.conf" <<'CONF'
hostname R1
crypto isakmp policy 10
 encr aes 256
 hash sha256
 authentication pre-share
 group 14
crypto isakmp key lab-k3y address ipv6 2001:db8:a::2/128
crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac
ip access-list extended TO-R2
 permit ip 192.0.2.0 0.0.0.63 203.0.113.0 0.0.0.255
 permit ip 192.0.2.64 0.0.0.63 203.0.113.0 0.0.0.255
ipv6 access-list TO-R2-V6
 permit ipv6 2001:db8:1::/64 2001:db8:2::/64
crypto map CM6 10 ipsec-isakmp
 set peer 2001:db8:a::2
 set transform-set TS
 set pfs group14
 match address TO-R2
crypto map CM6 20 ipsec-isakmp
 set peer 2001:db8:a::2
 set transform-set TS
 match address TO-R2-V6
interface Ethernet0/0
 ipv6 address 2001:db8:a::1/64
 ipv6 crypto map CM6
CONF
cat >"$LAB_OUT/r2.conf" <<'CONF'
hostname R2
crypto isakmp policy 10
 encr aes 256
 hash sha256
 authentication pre-share
 group 14
crypto isakmp key lab-k3y address ipv6 2001:db8:a::1/128
crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac
ip access-list extended TO-R1
 permit ip 203.0.113.0 0.0.0.255 192.0.2.0 0.0.0.63
 permit ip 203.0.113.0 0.0.0.255 192.0.2.64 0.0.0.63
ipv6 access-list TO-R1-V6
 permit ipv6 2001:db8:2::/64 2001:db8:1::/64
crypto map CM6 10 ipsec-isakmp
 set peer 2001:db8:a::1
 set transform-set TS
 set pfs group14
 match address TO-R1
crypto map CM6 20 ipsec-isakmp
 set peer 2001:db8:a::1
 set transform-set TS
 match address TO-R1-V6
 reverse-route
interface Ethernet0/0
 ipv6 address 2001:db8:a::2/64
 ipv6 crypto map CM6
CONF
to_v2 "$LAB_OUT/r1.conf" 2001:db8:a::2
to_v2 "$LAB_OUT/r2.conf" 2001:db8:a::1

"$IKERD" -t -f "$LAB_OUT/r1.conf" || lab_fail "ikerd -t R1"
"$IKERD" -t -f "$LAB_OUT/r2.conf" || lab_fail "ikerd -t R2"
lab_ikerd_start r2 "$LAB_OUT/r2.conf" --passive --debug isakmp,ipsec,ikev2
lab_ikerd_start r1 "$LAB_OUT/r1.conf" --debug isakmp,ipsec,ikev2
ip -n r1 xfrm policy
lab_assert_eq "R1's traps (one outbound policy per ACL line)" 3 "$(lab_xfrm_count_policy r1)"
lab_assert_eq "R1 has no SA before the first packet" 0 "$(lab_xfrm_count_sa r1)"
lab_assert_match "R1's trap: tunnel template to the IPv6 map peer" \
	'tmpl src 2001:db8:a::1 dst 2001:db8:a::2' "$(ip -n r1 xfrm policy)"
lab_assert_match "R1's IPv4 trap" 'src 192.0.2.64/26 dst 203.0.113.0/24' \
	"$(ip -n r1 xfrm policy)"

# the first IPv4 LAN: the first packets raise the acquire
lab_ping r1 192.0.2.1 203.0.113.1 3 || true
lab_wait_child r1 20
lab_wait_child r2 20
out=$(lab_ping r1 192.0.2.1 203.0.113.1 5)
echo "$out"
lab_assert_match "ping 192.0.2.1 -> 203.0.113.1 (IPv4 in ESP over IPv6)" ' 0% packet loss' "$out"
lab_assert_eq "R1: one SA pair" 2 "$(lab_xfrm_count_sa r1)"

# the second IPv4 LAN: its own line, its own SA pair on the same phase 1
lab_ping r1 192.0.2.65 203.0.113.1 3 || true
lab_wait 20 "R1: a second SA pair" sh -c "[ \"\$(ip -n r1 xfrm state | grep -c '^src ')\" = 4 ]"
out=$(lab_ping r1 192.0.2.65 203.0.113.1 5)
echo "$out"
lab_assert_match "ping 192.0.2.65 -> 203.0.113.1" ' 0% packet loss' "$out"

# the IPv6 LAN: entry 20; R2 answers through its reverse route
ip netns exec r1 ping -6 -n -c 3 -i 0.2 -W 2 -I 2001:db8:1::1 2001:db8:2::1 || true
lab_wait 20 "R1: a third SA pair" sh -c "[ \"\$(ip -n r1 xfrm state | grep -c '^src ')\" = 6 ]"
lab_wait 10 "R2: reverse route to R1's IPv6 LAN" \
	sh -c "ip -n r2 -6 route | grep -q '^2001:db8:1::/64 via 2001:db8:a::1'"
out6=$(ip netns exec r1 ping -6 -n -c 5 -i 0.2 -W 2 -I 2001:db8:1::1 2001:db8:2::1)
echo "$out6"
lab_assert_match "ping6 2001:db8:1::1 -> 2001:db8:2::1 (IPv6 in ESP over IPv6)" \
	' 0% packet loss' "$out6"
lab_assert_eq "R2: three SA pairs" 6 "$(lab_xfrm_count_sa r2)"

if [ -n "$v2" ]; then
	lab_show r1 show crypto ikev2 sa
	lab_assert_match "IKEv2 SA over IPv6" 'READY' "$(lab_ikerctl r1 show crypto ikev2 sa)"
	lab_assert_eq "one IKEv2 SA carries the three pairs" 1 \
		"$(lab_ikerctl r1 show crypto ikev2 sa | grep -c READY)"
else
	lab_show r1 show crypto isakmp sa
fi
lab_show r1 show crypto ipsec sa map CM6
lab_show r1 show crypto map
lab_show r2 show crypto route
ip -n r1 -s xfrm state
ip -n r2 -6 route
lab_assert_match "show crypto map: IPv6 entry" 'Crypto Map IPv6 "CM6" 10 ipsec-isakmp' \
	"$(lab_ikerctl r1 show crypto map)"
lab_assert_match "show crypto map: IPv6 peer" 'Peer = 2001:DB8:A::2' \
	"$(lab_ikerctl r1 show crypto map)"
lab_assert_match "map tag" 'Crypto map tag: CM6, local addr 2001:DB8:A::1' \
	"$(lab_ikerctl r1 show crypto ipsec sa)"
lab_assert_match "second LAN's SA" \
	'local  ident \(addr/mask/prot/port\): \(192.0.2.64/255.255.255.192/0/0\)' \
	"$(lab_ikerctl r1 show crypto ipsec sa map CM6)"
lab_assert_match "IPv6 LAN's SA" 'local  ident \(addr/mask/prot/port\): \(2001:DB8:1::/64/0/0\)' \
	"$(lab_ikerctl r1 show crypto ipsec sa map CM6)"
lab_assert_match "show crypto route: IPv6 reverse route" \
	'2001:DB8:1::/64 \[1/0\] via 2001:DB8:A::1 tag 0' "$(lab_ikerctl r2 show crypto route)"
lab_assert_ge "R1 kernel ESP out" 15 "$(lab_xfrm_packets r1 2001:db8:a::1 2001:db8:a::2)"
lab_assert_ge "R2 kernel ESP in" 15 "$(lab_xfrm_packets r2 2001:db8:a::1 2001:db8:a::2)"
lab_assert_ge "R2 kernel ESP out" 15 "$(lab_xfrm_packets r2 2001:db8:a::2 2001:db8:a::1)"
lab_assert_ge "R1 kernel ESP in" 15 "$(lab_xfrm_packets r1 2001:db8:a::2 2001:db8:a::1)"

# clear crypto sa map: the SAs go on both sides, the traps and no reverse route stay
lab_ikerctl r1 clear crypto sa map CM6 || lab_fail "clear crypto sa map"
lab_wait 10 "R1: no SA left" sh -c "[ \"\$(ip -n r1 xfrm state | grep -c '^src ')\" = 0 ]"
lab_wait 10 "R2: no SA left" sh -c "[ \"\$(ip -n r2 xfrm state | grep -c '^src ')\" = 0 ]"
lab_assert_eq "R1's traps kept" 3 "$(lab_xfrm_count_policy r1)"
lab_wait 10 "R2: reverse route removed with the SAs" \
	sh -c "! ip -n r2 -6 route | grep -q '2001:db8:1::/64'"
