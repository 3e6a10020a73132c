#!/bin/bash
# ikerd <-> strongSwan or libreswan over IPv6: IKE on the AF_INET6 sockets
# between 2001:db8:a::1 (ikerd) and 2001:db8:a::2 (charon or pluto), IKEv1
# Main Mode + Quick Mode or IKEv2, PSK (ikerd: `address ipv6` keys,
# identities ID_IPV6_ADDR), the CHILD_SA protecting GRE between the IPv6 end
# points (ikerd: `tunnel mode gre ipv6`, an ip6gre link; the peer: an
# unmanaged ip6gre link and GRE selectors /128), IPv4 inside, real ESP,
# counters on both sides. MODE vti: a VTI over IPv6 instead (ikerd: `tunnel
# mode ipsec ipv6`, a vti6 link, ::/0 proxies or traffic selectors under the
# tunnel's mark; the peer: a vti6 link, key 42, ::/0 under mark 42), IPv6
# inside.
# Usage: v6-tunnel.sh 1|2 ikerd|peer [swan|lsw [gre|vti]]
#   1|2       IKE version
#   INITIATOR ikerd (at its start) | peer (swanctl --initiate / whack)
#   PEER      swan (default) | lsw
#   MODE      gre (default) | vti
VER=$1 INIT=$2 PEER=${3:-swan} MODE=${4:-gre}
IOP_NAME=v6-ikev$VER-$MODE-$PEER-by$INIT
DIRN=by$INIT
. "$(dirname "$0")/../lib.sh"
[ "$VER" = 2 ] && iop_need_v2
if [ "$PEER" = lsw ]; then
	lsw_fetch || { iop_bad "libreswan unpacked"; iop_finish; }
fi

# the pair on IPv6 (iop_traffic_checks reads the end points from IK_A, PEER_A)
IK_A=2001:db8:a::1 PEER_A=2001:db8:a::2
NS_IK=s$$i NS_PEER=s$$p
lab_ns_add "$NS_IK"
lab_ns_add "$NS_PEER"
for ns in "$NS_IK" "$NS_PEER"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
		net.ipv6.conf.default.disable_ipv6=0 net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0
done
ip link add eth0 netns "$NS_IK" type veth peer name eth0 netns "$NS_PEER" || iop_bad "veth"
ip -n "$NS_IK" addr add $IK_A/64 dev eth0 nodad
ip -n "$NS_PEER" addr add $PEER_A/64 dev eth0 nodad
ip -n "$NS_IK" link set eth0 up
ip -n "$NS_PEER" link set eth0 up
if [ "$MODE" = vti ]; then
	IOP_TUN_IK=2001:db8:ffff::1 IOP_TUN_PEER=2001:db8:ffff::2
	ip -n "$NS_PEER" link add vti1 type vti6 local $PEER_A remote $IK_A key 42 &&
		ip -n "$NS_PEER" addr add $IOP_TUN_PEER/64 dev vti1 nodad &&
		ip -n "$NS_PEER" link set vti1 up || iop_bad "peer's vti6 link"
	TUN_CONF=" ipv6 address $IOP_TUN_IK/64
 tunnel mode ipsec ipv6"
else
	ip -n "$NS_PEER" link add gre1 type ip6gre local $PEER_A remote $IK_A ttl 64 &&
		ip -n "$NS_PEER" addr add 203.0.113.2/30 dev gre1 &&
		ip -n "$NS_PEER" link set gre1 up || iop_bad "peer's ip6gre link"
	TUN_CONF=" ip address 203.0.113.1 255.255.255.252
 tunnel mode gre ipv6"
fi
iop_check "IPv6 between the peers" iop_wait 100 ip netns exec "$NS_IK" ping -6 -c 1 -W 1 $PEER_A

# ikerd: aes256/sha256/modp2048 in both versions
{
	echo "hostname R1"
	if [ "$VER" = 1 ]; then
		cat <<EOC
crypto keyring KR
  pre-shared-key address ipv6 $PEER_A/128 key lab-psk-v6
crypto isakmp policy 10
 encr aes 256
 hash sha256
 authentication pre-share
 group 14
crypto isakmp profile PROF
 keyring KR
 match identity address ipv6 $PEER_A/128
crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac
 mode tunnel
crypto ipsec profile PROT
 set transform-set TS
 set isakmp-profile PROF
EOC
	else
		cat <<EOC
crypto ikev2 proposal PROP
 encryption aes-cbc-256
 integrity sha256
 group 14
crypto ikev2 policy POL
 proposal PROP
crypto ikev2 keyring KR
 peer PEER
  address ipv6 $PEER_A/128
  pre-shared-key lab-psk-v6
crypto ikev2 profile PROF
 match identity remote address ipv6 $PEER_A/128
 authentication remote pre-share
 authentication local pre-share
 keyring local KR
crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac
 mode tunnel
crypto ipsec profile PROT
 set transform-set TS
 set ikev2-profile PROF
EOC
	fi
	cat <<EOC
interface Tunnel1
$TUN_CONF
 tunnel source $IK_A
 tunnel destination $PEER_A
 tunnel protection ipsec profile PROT
end
EOC
} >"$IOP_RUN/ikerd.conf"
if [ "$PEER" = swan ]; then
	SW_TS=gre SW_MARK=""
	[ "$MODE" = vti ] && SW_TS=::/0 SW_MARK=42
	SW_VERSION=$VER SW_IKE=aes256-sha256-modp2048 SW_ESP=aes256-sha256 \
		SW_LOCAL=$PEER_A SW_REMOTE=$IK_A SW_PSK=lab-psk-v6 swan_conf "$IOP_RUN/swanctl.conf"
	swan_start peer "$NS_PEER" && swan_load peer "$IOP_RUN/swanctl.conf" || {
		iop_bad "strongSwan start"; iop_finish; }
else
	# pluto: the same suite; its connection's family follows left/right
	LSW_IKE="aes256-sha2_256;modp2048" LSW_ESP=aes256-sha2_256 LSW_PFS=no LSW_MODE=$MODE
	LSW_LOCAL=$PEER_A LSW_REMOTE=$IK_A LSW_PSK=lab-psk-v6
	if [ "$VER" = 2 ]; then lsw_conf_v2 "$IOP_RUN"; else lsw_conf "$IOP_RUN"; fi
	# VTI: every IPv6 address both ways (lsw_conf writes the IPv4 ones)
	[ "$MODE" = gre ] || sed -i 's#subnet=0\.0\.0\.0/0$#subnet=::/0#' "$IOP_RUN/ipsec.conf"
	lsw_start peer "$NS_PEER" "$IOP_RUN/ipsec.conf" "$IOP_RUN/ipsec.secrets" &&
		lsw_up_loaded peer || { iop_bad "libreswan start"; iop_finish; }
fi
cap_start "$NS_IK" eth0 "$IOP_OUT/$IOP_NAME.pcap"
if [ "$INIT" = ikerd ]; then
	ik_start "$NS_IK" "$IOP_RUN/ikerd.conf" --debug ikev2
elif [ "$PEER" = swan ]; then
	ik_start "$NS_IK" "$IOP_RUN/ikerd.conf" --passive --debug ikev2
	iop_check "swanctl --initiate" swan_initiate peer tun 30
else
	ik_start "$NS_IK" "$IOP_RUN/ikerd.conf" --passive --debug ikev2
	iop_check "whack --initiate" lsw_whack peer --name tun --initiate
fi
peer_child() { if [ "$PEER" = swan ]; then swan_has_child peer; else lsw_has_child peer; fi; }
both_up() { ik_has_p2 "$NS_IK" && peer_child; }
iop_check "tunnel up on both sides" iop_wait 400 both_up
if [ "$PEER" = swan ]; then
	swan_sas peer >"$IOP_OUT/list-sas.$DIRN"
	iop_check "strongSwan: IKEv$VER SA established" \
		grep -q ": #[0-9]*, ESTABLISHED, IKEv$VER, " "$IOP_OUT/list-sas.$DIRN"
	iop_check "strongSwan: IKE SA over IPv6 ($IK_A)" \
		grep -q "remote '$IK_A' @ $IK_A\[500\]" "$IOP_OUT/list-sas.$DIRN"
	iop_check "strongSwan: CHILD_SA installed" swan_has_child peer
	if [ "$MODE" = vti ]; then
		iop_check "strongSwan: selectors ::/0 both ways" \
			test "$(grep -cE '^    (local|remote) +::/0$' "$IOP_OUT/list-sas.$DIRN")" -eq 2
	else
		iop_check "strongSwan: GRE selectors /128" \
			grep -q "$PEER_A/128\[gre\]" "$IOP_OUT/list-sas.$DIRN"
	fi
else
	lsw_whack peer --status >"$IOP_OUT/whack-status.$DIRN" 2>&1
	iop_check "libreswan: IKE SA established" lsw_has_ike peer
	iop_check "libreswan: IPsec SA established" lsw_has_child peer
	if [ "$MODE" = vti ]; then
		iop_check "libreswan: ::/0 both ways, erouted" \
			grep -qF "\"tun\": ::/0===$PEER_A...$IK_A===::/0; erouted" \
			"$IOP_OUT/whack-status.$DIRN"
	else
		iop_check "libreswan: GRE selectors /128 between the IPv6 end points, erouted" \
			grep -qF "\"tun\": $PEER_A/128:GRE/0-65535===$PEER_A...$IK_A===$IK_A/128:GRE/0-65535; erouted" \
			"$IOP_OUT/whack-status.$DIRN"
	fi
	iop_check "libreswan: ikerd's identity ID_IPV6_ADDR" \
		grep -qF "their idtype: ID_IPV6_ADDR; their id=$IK_A" "$IOP_OUT/whack-status.$DIRN"
	iop_check "libreswan: IKEv$VER" grep -q "policy: IKEv$VER+PSK" "$IOP_OUT/whack-status.$DIRN"
fi
if [ "$VER" = 1 ]; then
	ik_isakmp "$NS_IK" >"$IOP_OUT/show-isakmp-sa.$DIRN"
	iop_check "ikerd: show crypto isakmp sa: the IPv6 SA in QM_IDLE" \
		grep -q "^ state: QM_IDLE " "$IOP_OUT/show-isakmp-sa.$DIRN"
	iop_check "ikerd: the peer's identity ID_IPV6_ADDR (type 5)" \
		ik_trace "$NS_IK" "address      : 2001:DB8:A::2"
else
	ik_ctl "$NS_IK" show crypto ikev2 sa >"$IOP_OUT/show-ikev2-sa.$DIRN"
	iop_check "ikerd: show crypto ikev2 sa: READY over IPv6" \
		grep -q "$PEER_A/500 .*READY" "$IOP_OUT/show-ikev2-sa.$DIRN"
	iop_check "ikerd: IKE ID pair of IPv6 addresses" ik_trace "$NS_IK" \
		"Session with IKE ID PAIR \(($IK_A, $PEER_A|$PEER_A, $IK_A)\) is UP"
fi
if [ "$MODE" = vti ]; then
	iop_check "ikerd's vti6 link" grep -q "vti6 remote $PEER_A local $IK_A" \
		<<<"$(ip -n "$NS_IK" -d link show ik-tun1)"
	ip -n "$NS_IK" xfrm policy >"$IOP_OUT/xfrm-policy.$DIRN"
	iop_check "ikerd's policies: any IPv6 both ways" \
		test "$(grep -c '^src ::/0 dst ::/0' "$IOP_OUT/xfrm-policy.$DIRN")" -ge 2
	iop_check "ikerd's policies under the tunnel's mark" \
		grep -Eq "mark 0x[0-9a-f]+/0xffffffff" "$IOP_OUT/xfrm-policy.$DIRN"
else
	iop_check "ikerd's policies select GRE between the IPv6 end points" \
		grep -q "src $IK_A/128 dst $PEER_A/128 proto gre" <<<"$(ip -n "$NS_IK" xfrm policy)"
fi
ik_ipsec "$NS_IK" >"$IOP_OUT/show-ipsec-sa.$DIRN.pre"
iop_check "ikerd: current_peer $PEER_A" grep -q "current_peer 2001:DB8:A::2 port 500" \
	"$IOP_OUT/show-ipsec-sa.$DIRN.pre"
if [ "$IOP_FAILS" -eq 0 ]; then
	iop_traffic_checks "$PEER"
else
	iop_bad "traffic not tried: the tunnel is not up"
fi
cap_stop
ik_stop "$NS_IK"
iop_finish
