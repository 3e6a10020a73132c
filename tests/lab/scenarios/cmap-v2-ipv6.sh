# cmap-v2-ipv6: two ikerd with crypto maps over IKEv2 (set ikev2-profile)
# between IPv4 peers, protecting an IPv4 LAN pair (an extended list) and an
# IPv6 LAN pair (an ipv6 access-list) behind them. The first ping (and
# ping6) raises an acquire on the line's trap policy; the first child comes
# with IKE_AUTH, the second with CREATE_CHILD_SA on the same IKE SA; ESP in
# tunnel mode carries IPv4 and IPv6 between the LANs; R2 (responder) walks
# its map and injects reverse routes to R1's IPv4 LAN (via R1) and to R1's
# IPv6 LAN (out of eth0, toward R1: no IPv6 route has an IPv4 gateway), so
# R2 needs no static route back; show access-lists counts the IPv6 line's
# packets; clearing the SAs removes the reverse routes.
# lab-timeout: 240
. "$LAB_SRC/tests/lab/lib.sh"
lab_need_feature ikev2

lab_ns_add r1
lab_ns_add r2
# the lab turns IPv6 off in its namespaces; this scenario needs it
for r in r1 r2; do
	ip netns exec $r sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
		net.ipv6.conf.default.disable_ipv6=0
done
lab_veth r1 eth0 198.51.100.1/24 r2 eth0 198.51.100.2/24
lab_lan r1 192.0.2.1/26 lan0
lab_lan r2 203.0.113.1/24 lan0
ip -n r1 addr add 2001:db8:1::1/64 dev lan0 nodad
ip -n r2 addr add 2001:db8:2::1/64 dev lan0 nodad
ip -n r1 route add 203.0.113.0/24 via 198.51.100.2 dev eth0 || lab_fail "route r1"
# IPv6 over IPv4 peers: R1 routes R2's IPv6 LAN out of eth0 (the policies
# pick ESP); R2's route back is its reverse route
ip -n r1 -6 route add 2001:db8:2::/64 dev eth0 || lab_fail "IPv6 route r1"

conf() { # NAME PEER PSK_PEER ACL4 ACL6 EXTRA
	cat <<CONF
hostname $1
crypto ikev2 proposal PROP
 encryption aes-cbc-256
 integrity sha256
 group 14
crypto ikev2 policy POL
 proposal PROP
crypto ikev2 keyring KR
 peer P
  address $2
  pre-shared-key lab-v2-cmap
crypto ikev2 profile PROF
 match identity remote address $2 255.255.255.255
 authentication remote pre-share
 authentication local pre-share
 keyring local KR
crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac
ip access-list extended V4
 $4
ipv6 access-list V6
 $5
crypto map CM 10 ipsec-isakmp
 set peer $2
 set transform-set TS
 set pfs group14
 set ikev2-profile PROF
 match address V4
crypto map CM 20 ipsec-isakmp
 set peer $2
 set transform-set TS
 set pfs group14
 set ikev2-profile PROF
 match address V6
$6
interface Ethernet0/0
 ip address $3 255.255.255.0
 crypto map CM
CONF
}
conf R1 198.51.100.2 198.51.100.1 "permit ip 192.0.2.0 0.0.0.63 203.0.113.0 0.0.0.255" \
	"permit ipv6 2001:db8:1::/64 2001:db8:2::/64" "" >"$LAB_OUT/r1.conf"
conf R2 198.51.100.1 198.51.100.2 "permit ip 203.0.113.0 0.0.0.255 192.0.2.0 0.0.0.255" \
	"permit ipv6 2001:db8:2::/64 2001:db8::/32" "" >"$LAB_OUT/r2.conf"
# R2: reverse routes for both entries (no static route to R1's LANs)
sed -i -e '/^ match address V4$/a\ reverse-route' -e '/^ match address V6$/a\ reverse-route' \
	"$LAB_OUT/r2.conf"
lab_assert_eq "R2's reverse-route lines" 2 "$(grep -c '^ reverse-route$' "$LAB_OUT/r2.conf")"

"$IKERD" -t -f "$LAB_OUT/r1.conf" || lab_fail "ikerd -t R1"
"$IKERD" -t -f "$LAB_OUT/r2.conf" || lab_fail "ikerd -t R2"
lab_ikerd_start r2 "$LAB_OUT/r2.conf" --passive --debug ikev2,ipsec
lab_ikerd_start r1 "$LAB_OUT/r1.conf" --debug ikev2,ipsec
ip -n r1 xfrm policy
lab_assert_eq "R1's traps (IPv4 and IPv6 line)" 2 "$(lab_xfrm_count_policy r1)"
lab_assert_match "R1's IPv6 trap" 'src 2001:db8:1::/64 dst 2001:db8:2::/64' \
	"$(ip -n r1 xfrm policy)"

# IPv4 line: its acquire brings up the IKE SA and the first child
lab_ping r1 192.0.2.1 203.0.113.1 3 || true
lab_wait_child r1 20
lab_wait_child r2 20
out=$(lab_ping r1 192.0.2.1 203.0.113.1 5)
echo "$out"
lab_assert_match "ping 192.0.2.1 -> 203.0.113.1" ' 0% packet loss' "$out"

# IPv6 line: CREATE_CHILD_SA on the same IKE SA
ip netns exec r1 ping -6 -n -c 3 -i 0.3 -W 1 -I 2001:db8:1::1 2001:db8:2::1 >/dev/null 2>&1 || true
lab_wait 20 "R1: a second SA pair" sh -c "[ \"\$(ip -n r1 xfrm state | grep -c '^src ')\" = 4 ]"
ip -n r1 xfrm state
lab_show r2 show crypto ipsec sa map CM
ip -n r2 route
lab_assert_match "R2's reverse route to R1's IPv4 LAN" \
	'192.0.2.0/26 via 198.51.100.1 dev eth0 proto 165' "$(ip -n r2 route)"
ip -n r2 -6 route
lab_assert_match "R2's reverse route to R1's IPv6 LAN (no IPv4 gateway: out of eth0)" \
	'2001:db8:1::/64 dev eth0 proto 165' "$(ip -n r2 -6 route)"
before=$(lab_xfrm_packets r1 198.51.100.1 198.51.100.2)
out=$(ip netns exec r1 ping -6 -n -c 5 -i 0.2 -W 2 -I 2001:db8:1::1 2001:db8:2::1)
echo "$out"
lab_assert_match "ping6 2001:db8:1::1 -> 2001:db8:2::1" ' 0% packet loss' "$out"
after=$(lab_xfrm_packets r1 198.51.100.1 198.51.100.2)
lab_assert_ge "R1 kernel ESP out during the ping6" 5 "$((after - before))"
lab_assert_match "one IKE SA, two children: CREATE_CHILD_SA sent" \
	'Sending CREATE_CHILD_SA request for crypto map CM 20' "$(cat "$LAB_OUT"/ikerd-r1*.log 2>/dev/null)"
lab_show r1 show access-lists
m=$(lab_ikerctl r1 show access-lists V6 | sed -n 's/.*(\([0-9]*\) match.*/\1/p')
lab_assert_ge "R1 IPv6 line matches" 10 "${m:-0}"
lab_ikerctl r1 clear crypto sa map CM || lab_fail "clear crypto sa map"
lab_wait 10 "R1: no SA left" sh -c "[ \"\$(ip -n r1 xfrm state | grep -c '^src ')\" = 0 ]"
lab_wait 10 "R2: the IPv6 reverse route removed with its SA pair" \
	sh -c "! ip -n r2 -6 route | grep -q 'proto 165'"
