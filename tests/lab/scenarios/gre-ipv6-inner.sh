# gre-ipv6-inner: IPv6 inside an IPv4 tunnel. The seed's R1 and R2 over GRE
# (IKE and ESP over IPv4), each tunnel with an ipv6 address and an ipv6 route
# to the other router's IPv6 LAN: ikerd puts the IPv6 address and the route
# on the GRE link, and a ping6 from R1's IPv6 LAN to R2's crosses the tunnel
# inside ESP (the ESP counters move by at least the pings).
. "$LAB_SRC/tests/lab/lib.sh"

lab_seed_topology
# the lab turns IPv6 off in its namespaces; this scenario needs it
for r in r1 r2; do
	ip netns exec $r sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
		net.ipv6.conf.default.disable_ipv6=0 net.ipv6.conf.all.forwarding=1
done
ip -n r1 addr add 2001:db8:1::1/64 dev lan0 nodad
ip -n r2 addr add 2001:db8:2::1/64 dev lan0 nodad
for r in r1 r2; do
	n=${r#r}
	o=$((3 - n))
	sed -e "/^interface Tunnel1/a\\ ipv6 address 2001:db8:ffff::$n/64" \
		-e "\$a\\ipv6 route 2001:db8:$o::/64 2001:db8:ffff::$o" \
		"$(lab_seed_conf "$r")" >"$LAB_OUT/$r-v6.conf"
done
lab_ikerd_start r2 "$LAB_OUT/r2-v6.conf" --passive --debug isakmp,ipsec
lab_ikerd_start r1 "$LAB_OUT/r1-v6.conf" --debug isakmp,ipsec
lab_assert_match "R1's IPv6 tunnel address" 'inet6 2001:db8:ffff::1/64' \
	"$(ip -n r1 -6 addr show dev ik-tun1)"
lab_assert_match "R1's IPv6 route through the tunnel" \
	'2001:db8:2::/64 via 2001:db8:ffff::2 dev ik-tun1' "$(ip -n r1 -6 route)"

lab_wait_isakmp r1 20 198.51.100.2
lab_wait_child r1 20
lab_wait_child r2 20

before=$(lab_xfrm_packets r1 198.51.100.1 198.51.100.2)
out=$(ip netns exec r1 ping -6 -n -c 5 -i 0.2 -W 2 -I 2001:db8:1::1 2001:db8:2::1)
echo "$out"
lab_assert_match "ping6 R1 LAN -> R2 LAN" ' 0% packet loss' "$out"
after=$(lab_xfrm_packets r1 198.51.100.1 198.51.100.2)
lab_assert_ge "R1 kernel ESP out during the ping6" 5 "$((after - before))"
lab_assert_ge "R2 kernel ESP in" 5 "$(lab_xfrm_packets r2 198.51.100.1 198.51.100.2)"
{
	echo "R1#ping 2001:DB8:2::1 source 2001:DB8:1::1"
	echo "$out"
	echo
	echo "R1#show running-config | section interface Tunnel1"
	lab_ikerctl r1 'show running-config | section interface Tunnel1'
} >"$LAB_OUT/transcript.txt"
cat "$LAB_OUT/transcript.txt"
