# cmap-two-lans: two ikerd with crypto maps (policy-based IPsec from access
# lists), two LAN prefixes behind R1 (192.0.2.0/26 and 192.0.2.64/26) to
# R2's LAN (203.0.113.0/24). At start each ikerd installs an outbound XFRM
# policy per permit line without SA (a trap); R1's first ping from each LAN
# raises an acquire, and ikerd brings up that line's SA pair in tunnel mode
# with the map peer as the outer addresses (no GRE/VTI link): two SA pairs,
# pings across, ESP counters on both sides, the map tag in show crypto ipsec
# sa, then clear crypto sa map takes both pairs down. R2 injects reverse
# routes to R1's two LANs while their pairs are up (reverse-route) and one
# for a spare entry's subnet from start (reverse-route static); the ACL
# lines' hit counts in show access-lists move with the pings.
# lab-timeout: 240
. "$LAB_SRC/tests/lab/lib.sh"

lab_ns_add r1
lab_ns_add r2
lab_veth r1 eth0 198.51.100.1/24 r2 eth0 198.51.100.2/24
lab_lan r1 192.0.2.1/26 lan0
lab_lan r1 192.0.2.65/26 lan1
lab_lan r2 203.0.113.1/24 lan0
# policy-based IPsec: the LANs are routed to the peer, the policies pick ESP
ip -n r1 route add 203.0.113.0/24 via 198.51.100.2 dev eth0 || lab_fail "route r1"
ip -n r2 route add 192.0.2.0/24 via 198.51.100.1 dev eth0 || lab_fail "route r2"

cat >"$LAB_OUT/r1.conf" <<'CONF'
hostname R1
crypto isakmp policy 10
 encr aes 256
 hash sha256
 authentication pre-share
 group 14
crypto isakmp key lab-k3y address 198.51.100.2
crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac
ip access-list extended TO-R2
 permit ip 192.0.2.0 0.0.0.63 203.0.113.0 0.0.0.255
 permit ip 192.0.2.64 0.0.0.63 203.0.113.0 0.0.0.255
crypto map CM 10 ipsec-isakmp
 set peer 198.51.100.2
 set transform-set TS
 set pfs group14
 match address TO-R2
interface Ethernet0/0
 ip address 198.51.100.1 255.255.255.0
 crypto map CM
CONF
cat >"$LAB_OUT/r2.conf" <<'CONF'
hostname R2
crypto isakmp policy 10
 encr aes 256
 hash sha256
 authentication pre-share
 group 14
crypto isakmp key lab-k3y address 198.51.100.1
crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac
ip access-list extended TO-R1
 permit ip 203.0.113.0 0.0.0.255 192.0.2.0 0.0.0.63
 permit ip 203.0.113.0 0.0.0.255 192.0.2.64 0.0.0.63
crypto map CM 10 ipsec-isakmp
 set peer 198.51.100.1
 set transform-set TS
 set pfs group14
 match address TO-R1
 reverse-route
ip access-list extended SPARE
 permit ip 203.0.113.0 0.0.0.255 198.18.0.0 0.0.255.255
crypto map CM 20 ipsec-isakmp
 set peer 198.51.100.1
 set transform-set TS
 match address SPARE
 reverse-route static
interface Ethernet0/0
 ip address 198.51.100.2 255.255.255.0
 crypto map CM
CONF

"$IKERD" -t -f "$LAB_OUT/r1.conf" || lab_fail "ikerd -t R1"
lab_ikerd_start r2 "$LAB_OUT/r2.conf" --passive --debug isakmp,ipsec
lab_ikerd_start r1 "$LAB_OUT/r1.conf" --debug isakmp,ipsec
ip -n r1 xfrm policy
lab_assert_eq "R1's traps (one outbound policy per ACL line)" 2 "$(lab_xfrm_count_policy r1)"
lab_assert_eq "R1 has no SA before the first packet" 0 "$(lab_xfrm_count_sa r1)"
lab_assert_match "R1's trap: tunnel template to the map peer" \
	'tmpl src 198.51.100.1 dst 198.51.100.2' "$(ip -n r1 xfrm policy)"
lab_assert_match "R2's static reverse route" '198.18.0.0/16 via 198.51.100.1 dev eth0 proto 165' \
	"$(ip -n r2 route)"
lab_assert_no_match "no reverse route before the SAs" '192.0.2.0/26' "$(ip -n r2 route)"

# the first LAN: the first packets raise the acquire
lab_ping r1 192.0.2.1 203.0.113.1 3 || true
lab_wait_child r1 20
lab_wait_child r2 20
out=$(lab_ping r1 192.0.2.1 203.0.113.1 5)
echo "$out"
lab_assert_match "ping 192.0.2.1 -> 203.0.113.1" ' 0% packet loss' "$out"
lab_assert_eq "R1: one SA pair" 2 "$(lab_xfrm_count_sa r1)"

# the second LAN: its own line, its own SA pair on the same phase 1
lab_ping r1 192.0.2.65 203.0.113.1 3 || true
lab_wait 20 "R1: a second SA pair" sh -c "[ \"\$(ip -n r1 xfrm state | grep -c '^src ')\" = 4 ]"
out=$(lab_ping r1 192.0.2.65 203.0.113.1 5)
echo "$out"
lab_assert_match "ping 192.0.2.65 -> 203.0.113.1" ' 0% packet loss' "$out"
lab_assert_eq "R2: two SA pairs" 4 "$(lab_xfrm_count_sa r2)"

lab_show r1 show crypto isakmp sa
lab_show r1 show crypto ipsec sa
lab_show r2 show crypto ipsec sa map CM
lab_show r1 show crypto map
ip -n r1 -s xfrm state
ip -n r1 xfrm policy
lab_assert_match "map tag" 'Crypto map tag: CM, local addr 198.51.100.1' \
	"$(lab_ikerctl r1 show crypto ipsec sa)"
lab_assert_match "second LAN's SA" \
	'local  ident \(addr/mask/prot/port\): \(192.0.2.64/255.255.255.192/0/0\)' \
	"$(lab_ikerctl r1 show crypto ipsec sa map CM)"
lab_assert_ge "R1 kernel ESP out" 10 "$(lab_xfrm_packets r1 198.51.100.1 198.51.100.2)"
lab_assert_ge "R2 kernel ESP in" 10 "$(lab_xfrm_packets r2 198.51.100.1 198.51.100.2)"
lab_assert_ge "R2 kernel ESP out" 10 "$(lab_xfrm_packets r2 198.51.100.2 198.51.100.1)"
lab_assert_ge "R1 kernel ESP in" 10 "$(lab_xfrm_packets r1 198.51.100.2 198.51.100.1)"

# reverse routes of the two pairs on R2, and show crypto route
ip -n r2 route
lab_show r2 show crypto route
lab_assert_match "R2 reverse route, first LAN" '192.0.2.0/26 via 198.51.100.1 dev eth0 proto 165' \
	"$(ip -n r2 route)"
lab_assert_match "R2 reverse route, second LAN" \
	'192.0.2.64/26 via 198.51.100.1 dev eth0 proto 165' "$(ip -n r2 route)"
lab_assert_match "show crypto route" '192.0.2.64/255.255.255.192 \[1/0\] via 198.51.100.1 tag 0' \
	"$(lab_ikerctl r2 show crypto route)"

# hit counts: (N matches) per ACL line, moving with traffic
lab_show r1 show access-lists
m1=$(lab_ikerctl r1 show access-lists | sed -n 's/^ *10 permit .*(\([0-9]*\) match.*/\1/p')
lab_assert_ge "R1 ACL line 10 matches" 10 "${m1:-0}"
lab_ping r1 192.0.2.1 203.0.113.1 5 >/dev/null
m2=$(lab_ikerctl r1 show access-lists | sed -n 's/^ *10 permit .*(\([0-9]*\) match.*/\1/p')
lab_assert_ge "R1 ACL line 10 matches after 5 more pings" $((m1 + 10)) "${m2:-0}"
lab_assert_match "per entry count" 'Packets through its SAs \(in and out, present and past\): [1-9]' \
	"$(lab_ikerctl r1 show crypto map)"

# clear crypto sa map: the SAs go on both sides, the traps stay
lab_ikerctl r1 clear crypto sa map CM || lab_fail "clear crypto sa map"
lab_wait 10 "R1: no SA left" sh -c "[ \"\$(ip -n r1 xfrm state | grep -c '^src ')\" = 0 ]"
lab_wait 10 "R2: no SA left" sh -c "[ \"\$(ip -n r2 xfrm state | grep -c '^src ')\" = 0 ]"
lab_assert_eq "R1's traps kept" 2 "$(lab_xfrm_count_policy r1)"
lab_wait 10 "R2: reverse routes removed with the SAs" \
	sh -c "! ip -n r2 route | grep -q '192.0.2.0/26'"
lab_assert_match "R2's static reverse route kept" '198.18.0.0/16 via 198.51.100.1' \
	"$(ip -n r2 route)"
m3=$(lab_ikerctl r1 show access-lists | sed -n 's/^ *10 permit .*(\([0-9]*\) match.*/\1/p')
lab_assert_ge "R1 ACL line 10 keeps its count after the SAs went" "$m2" "${m3:-0}"
