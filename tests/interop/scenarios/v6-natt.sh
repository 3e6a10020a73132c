#!/bin/bash
# ikerd <-> strongSwan over IPv6 through a NAT66 (masquerade to 2001:db8:a::fe
# with ports 40500-40599, iop_v6_nat_topo): IKEv1 Main Mode + Quick Mode or
# IKEv2, PSK, a VTI over IPv6 (ikerd: `tunnel mode ipsec ipv6`; strongSwan:
# ::/0 selectors under mark 42 and a vti6 link) carrying IPv6. Either ikerd or
# strongSwan sits behind the NAT and initiates (the NAT lets nothing in that
# its inside did not start). Checked: NAT-D finds the NAT on both sides (the
# IOS lines of ikerd's trace), IKE moves to UDP 4500, the SAs are ESP in UDP
# (ikerd's `UDP-Encaps`, the kernel's espinudp states towards the NAT's
# ports), no plain ESP on the wire outside the NAT, ikerd's NAT keepalives
# when it is behind the NAT, a ping6 through the VTI both ways and the ESP
# counters of both sides.
# The same against libreswan (PEER lsw: pluto with its vti6 link), and
# between two ikerd (PEER ikerd): the inside one initiates, the
# outside one, --passive, has the NAT's address as its tunnel destination.
# Usage: v6-natt.sh 1|2 ikerd|peer [swan|lsw|ikerd]
#   1|2     IKE version
#   BEHIND  ikerd (ikerd behind the NAT, initiating at its start) | peer
#           (the peer behind the NAT, swanctl or whack --initiate; ikerd
#           --passive)
#   PEER    swan (default) | lsw (libreswan, as strongSwan) | ikerd (a second
#           ikerd outside; BEHIND ikerd)
VER=$1 BEHIND=$2 PEER=${3:-swan}
IOP_NAME=v6-natt-ikev$VER-behind$BEHIND
[ "$PEER" = ikerd ] && IOP_NAME=v6-natt-ikev$VER-ikerd-ikerd BEHIND=ikerd
[ "$PEER" = lsw ] && IOP_NAME=lsw-v6-natt-ikev$VER-behind$BEHIND
DIRN=behind$BEHIND
. "$(dirname "$0")/../lib.sh"
[ "$VER" = 2 ] && iop_need_v2
if [ "$PEER" = lsw ]; then
	lsw_fetch || { iop_bad "libreswan unpacked"; iop_finish; }
fi
command -v ip6tables-legacy >/dev/null || {
	iop_bad "ip6tables-legacy missing (Debian package iptables, scripts/setup-deps.sh)"
	iop_finish; }

NS_IN=n$$i NS_NAT=n$$n NS_OUT=n$$o
iop_v6_nat_topo "$NS_IN" "$NS_NAT" "$NS_OUT" || { iop_bad "NAT66 topology"; iop_finish; }
if [ "$BEHIND" = ikerd ]; then
	NS_IK=$NS_IN NS_PEER=$NS_OUT
	IK_ADDR=$IOP_NAT_IN PEER_ADDR=$IOP_NAT_OUT
	IK_SEES=$PEER_ADDR PEER_SEES=$IOP_NAT_PUB
else
	NS_IK=$NS_OUT NS_PEER=$NS_IN
	IK_ADDR=$IOP_NAT_OUT PEER_ADDR=$IOP_NAT_IN
	IK_SEES=$IOP_NAT_PUB PEER_SEES=$IK_ADDR
fi
iop_check "IPv6 from inside to outside through the NAT" \
	iop_wait 100 ip netns exec "$NS_IN" ping -6 -c 1 -W 1 $IOP_NAT_OUT
inside_closed() { ! ip netns exec "$NS_OUT" ping -6 -c 1 -W 1 $IOP_NAT_IN >/dev/null 2>&1; }
iop_check "nothing reaches the inside from outside" inside_closed

# ikerd_conf NAME SEES PEER_ID SOURCE TUNNEL_ADDR: ikerd's configuration; the
# peer's key and tunnel destination are the address ikerd sees it at (SEES:
# the NAT's when the peer is behind it), its identity is its own address.
ikerd_conf() {
	local name=$1 sees=$2 peer_id=$3 src=$4 tun=$5
	echo "hostname $name"
	if [ "$VER" = 1 ]; then
		cat <<EOC
crypto keyring KR
  pre-shared-key address ipv6 $sees/128 key lab-psk-natt
crypto isakmp policy 10
 encr aes 256
 hash sha256
 authentication pre-share
 group 14
crypto isakmp nat keepalive 5
crypto isakmp profile PROF
 keyring KR
 match identity address ipv6 $peer_id/128
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
  address ipv6 $sees/128
  pre-shared-key lab-psk-natt
crypto ikev2 profile PROF
 match identity remote address ipv6 $peer_id/128
 authentication remote pre-share
 authentication local pre-share
 keyring local KR
 nat keepalive 5
crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac
 mode tunnel
crypto ipsec profile PROT
 set transform-set TS
 set ikev2-profile PROF
EOC
	fi
	cat <<EOC
interface Tunnel1
 ipv6 address $tun/64
 tunnel source $src
 tunnel mode ipsec ipv6
 tunnel destination $sees
 tunnel protection ipsec profile PROT
end
EOC
}
ikerd_conf R1 "$IK_SEES" "$PEER_ADDR" "$IK_ADDR" 2001:db8:ffff::1 >"$IOP_RUN/ikerd.conf"
if [ "$PEER" != ikerd ]; then
	# strongSwan or libreswan: ::/0 both ways under mark 42, a vti6 link
	# towards the address it sees ikerd at; ikerd's identity is ikerd's own
	# address.
	ip -n "$NS_PEER" link add vti1 type vti6 local "$PEER_ADDR" remote "$PEER_SEES" key 42 &&
		ip -n "$NS_PEER" addr add 2001:db8:ffff::2/64 dev vti1 nodad &&
		ip -n "$NS_PEER" link set vti1 up || iop_bad "peer's vti6 link"
	ip netns exec "$NS_PEER" sysctl -qw net.ipv6.conf.vti1.disable_policy=1 2>/dev/null
fi
if [ "$PEER" = lsw ]; then
	LSW_IKE="aes256-sha2_256;modp2048" LSW_ESP=aes256-sha2_256 LSW_PFS=no LSW_MODE=vti
	LSW_LOCAL=$PEER_ADDR LSW_REMOTE=$PEER_SEES LSW_PSK=lab-psk-natt
	if [ "$VER" = 2 ]; then lsw_conf_v2 "$IOP_RUN"; else lsw_conf "$IOP_RUN"; fi
	sed -i -e 's#subnet=0\.0\.0\.0/0$#subnet=::/0#' -e "s#^\trightid=.*#\trightid=$IK_ADDR#" \
		"$IOP_RUN/ipsec.conf"
	printf '%s %s : PSK "%s"\n' "$PEER_ADDR" "$IK_ADDR" lab-psk-natt >"$IOP_RUN/ipsec.secrets"
	lsw_start peer "$NS_PEER" "$IOP_RUN/ipsec.conf" "$IOP_RUN/ipsec.secrets" &&
		lsw_up_loaded peer || { iop_bad "libreswan start"; iop_finish; }
elif [ "$PEER" = swan ]; then
	SW_VERSION=$VER SW_IKE=aes256-sha256-modp2048 SW_ESP=aes256-sha256 SW_TS=::/0 \
		SW_MARK=42 SW_LOCAL=$PEER_ADDR SW_REMOTE=$PEER_SEES SW_REMOTE_ID=$IK_ADDR \
		SW_PSK=lab-psk-natt swan_conf "$IOP_RUN/swanctl.conf"
	swan_start peer "$NS_PEER" && swan_load peer "$IOP_RUN/swanctl.conf" || {
		iop_bad "strongSwan start"; iop_finish; }
else
	ikerd_conf R2 "$PEER_SEES" "$IK_ADDR" "$PEER_ADDR" 2001:db8:ffff::2 >"$IOP_RUN/r2.conf"
	ik_start "$NS_PEER" "$IOP_RUN/r2.conf" --passive --debug ikev2
fi
# the capture is outside the NAT: what the world sees
cap_start "$NS_NAT" eth1 "$IOP_OUT/$IOP_NAME.pcap"
if [ "$BEHIND" = ikerd ]; then
	ik_start "$NS_IK" "$IOP_RUN/ikerd.conf" --debug ikev2
elif [ "$PEER" = swan ]; then
	ik_start "$NS_IK" "$IOP_RUN/ikerd.conf" --passive --debug ikev2
	iop_check "swanctl --initiate" swan_initiate peer tun 30
else
	ik_start "$NS_IK" "$IOP_RUN/ikerd.conf" --passive --debug ikev2
	iop_check "whack --initiate" lsw_whack peer --name tun --initiate
fi
peer_child() {
	case $PEER in
	swan) swan_has_child peer ;;
	lsw) lsw_has_child peer ;;
	*) ik_has_p2 "$NS_PEER" ;;
	esac
}
both_up() { ik_has_p2 "$NS_IK" && peer_child; }
iop_check "tunnel up on both sides" iop_wait 400 both_up

# NAT-D: the inside finds itself behind a NAT, the outside its peer
if [ "$VER" = 1 ]; then
	if [ "$BEHIND" = ikerd ]; then
		iop_check "ikerd: NAT-D: this node inside NAT" \
			ik_trace "$NS_IK" "ISAKMP \([0-9]+\): NAT found, the node inside NAT"
		iop_check "ikerd: NAT-T: Main Mode floats to 4500" \
			ik_trace "$NS_IK" "ISAKMP:\([0-9]+\):NAT-T: floating to port 4500"
	else
		iop_check "ikerd: NAT-D: this node outside NAT" \
			ik_trace "$NS_IK" "ISAKMP \([0-9]+\): NAT found, the node outside NAT"
	fi
	ik_isakmp "$NS_IK" >"$IOP_OUT/show-isakmp-sa.$DIRN"
	iop_check "ikerd: show crypto isakmp sa: QM_IDLE" \
		grep -q "^ state: QM_IDLE \| QM_IDLE " "$IOP_OUT/show-isakmp-sa.$DIRN"
else
	if [ "$BEHIND" = ikerd ]; then
		iop_check "ikerd: NAT detected, this end behind it" \
			ik_trace "$NS_IK" "NAT detected: this end is behind a NAT"
	else
		iop_check "ikerd: NAT detected, the peer behind it" \
			ik_trace "$NS_IK" "NAT detected: the peer is behind a NAT"
	fi
	ik_v2_sa "$NS_IK" >"$IOP_OUT/show-ikev2-sa.$DIRN"
	iop_check "ikerd: show crypto ikev2 sa: READY on 4500" \
		grep -Eq "$IK_ADDR/4500 +$IK_SEES/[0-9]+ .*READY" "$IOP_OUT/show-ikev2-sa.$DIRN"
fi
if [ "$PEER" = swan ]; then
	swan_sas peer >"$IOP_OUT/list-sas.$DIRN"
	iop_check "strongSwan: IKEv$VER SA established" \
		grep -q ": #[0-9]*, ESTABLISHED, IKEv$VER, " "$IOP_OUT/list-sas.$DIRN"
	iop_check "strongSwan: CHILD_SA installed" swan_has_child peer
	if [ "$BEHIND" = ikerd ]; then
		iop_check "strongSwan: ikerd at the NAT's address and a NAT port" grep -Eq \
			"remote '$IK_ADDR' @ $IOP_NAT_PUB\[405[0-9][0-9]\]" "$IOP_OUT/list-sas.$DIRN"
	else
		iop_check "strongSwan: itself on 4500, ikerd on 4500" \
			grep -q "remote '$IK_ADDR' @ $IK_ADDR\[4500\]" "$IOP_OUT/list-sas.$DIRN"
	fi
elif [ "$PEER" = lsw ]; then
	lsw_whack peer --status >"$IOP_OUT/whack-status.$DIRN" 2>&1
	iop_check "libreswan: IKE SA established" lsw_has_ike peer
	iop_check "libreswan: IPsec SA established" lsw_has_child peer
	if [ "$BEHIND" = ikerd ]; then
		iop_check "libreswan: ikerd at a NAT port" grep -Eq \
			"\"tun\":405[0-9][0-9] STATE_(QUICK_[IR]2|V2_ESTABLISHED_CHILD_SA) " \
			"$IOP_OUT/whack-status.$DIRN"
		iop_check "libreswan: its SAs to the NAT's address" \
			grep -q "esp:[0-9a-f]*@$IOP_NAT_PUB " "$IOP_OUT/whack-status.$DIRN"
	else
		iop_check "libreswan: ikerd on 4500" grep -Eq \
			"\"tun\":4500 STATE_(QUICK_[IR]2|V2_ESTABLISHED_CHILD_SA) " \
			"$IOP_OUT/whack-status.$DIRN"
	fi
else
	# the outside ikerd: its peer behind the NAT, at the NAT's ports
	if [ "$VER" = 1 ]; then
		iop_check "outside ikerd: NAT-D: this node outside NAT" ik_trace "$NS_PEER" \
			"ISAKMP \([0-9]+\): NAT found, the node outside NAT"
	else
		iop_check "outside ikerd: NAT detected, the peer behind it" \
			ik_trace "$NS_PEER" "NAT detected: the peer is behind a NAT"
	fi
	ik_ipsec "$NS_PEER" >"$IOP_OUT/show-ipsec-sa-outside.$DIRN"
	iop_check "outside ikerd: current_peer the NAT's address and its port" \
		grep -Eqi "current_peer $PEER_SEES port 405[0-9][0-9]" \
		"$IOP_OUT/show-ipsec-sa-outside.$DIRN"
	iop_check "outside ikerd: in use settings: Tunnel UDP-Encaps" grep -q \
		"in use settings ={Tunnel UDP-Encaps, }" "$IOP_OUT/show-ipsec-sa-outside.$DIRN"
	iop_check "outside ikerd's kernel: ESP in UDP from 4500 to the NAT's port" \
		grep -Eq "encap type espinudp sport 4500 dport 405[0-9][0-9]" \
		<<<"$(ip -n "$NS_PEER" xfrm state)"
fi
iop_nat_mappings "$NS_NAT" >"$IOP_OUT/nat-mappings.$DIRN"
iop_check "the NAT maps the inside's 4500 to a port of 40500-40599" \
	grep -Eq "^[0-9a-f:]+ 4500 -> [0-9a-f:]+ 405[0-9][0-9]$" "$IOP_OUT/nat-mappings.$DIRN"

ik_ipsec "$NS_IK" >"$IOP_OUT/show-ipsec-sa.$DIRN.pre"
if [ "$BEHIND" = ikerd ]; then
	iop_check "ikerd: current_peer on port 4500" grep -qi "current_peer $IK_SEES port 4500" \
		"$IOP_OUT/show-ipsec-sa.$DIRN.pre"
else
	iop_check "ikerd: current_peer the NAT's address and its port" \
		grep -Eqi "current_peer $IK_SEES port 405[0-9][0-9]" "$IOP_OUT/show-ipsec-sa.$DIRN.pre"
fi
iop_check "ikerd: in use settings: Tunnel UDP-Encaps" \
	grep -q "in use settings ={Tunnel UDP-Encaps, }" "$IOP_OUT/show-ipsec-sa.$DIRN.pre"
ip -n "$NS_IK" xfrm state >"$IOP_OUT/xfrm-state-ikerd.$DIRN"
if [ "$BEHIND" = ikerd ]; then
	iop_check "ikerd's kernel: ESP in UDP 4500 <-> 4500" \
		grep -q "encap type espinudp sport 4500 dport 4500" "$IOP_OUT/xfrm-state-ikerd.$DIRN"
else
	iop_check "ikerd's kernel: ESP in UDP from 4500 to the NAT's port" \
		grep -Eq "encap type espinudp sport 4500 dport 405[0-9][0-9]" \
		"$IOP_OUT/xfrm-state-ikerd.$DIRN"
fi

# behind the NAT, ikerd keeps its mapping open (nat keepalive 5): a
# keepalive from the NAT's 4500 mapping within 12 s
ka_seen() {
	tcpdump -n -r "$IOP_OUT/$IOP_NAME.pcap" 2>/dev/null |
		grep -q "IP6 $IOP_NAT_PUB\.405[0-9][0-9] > $IK_SEES\.4500: isakmp-nat-keep-alive"
}
[ "$BEHIND" = ikerd ] && iop_check "ikerd: a NAT keepalive through the NAT's mapping of 4500" \
	iop_wait 120 ka_seen
if [ "$IOP_FAILS" -eq 0 ]; then
	iop_check "ping6 across the VTI (ikerd -> peer)" iop_ping "$NS_IK" 2001:db8:ffff::2 5
	iop_check "ping6 across the VTI (peer -> ikerd)" iop_ping "$NS_PEER" 2001:db8:ffff::1 3
	ik_ipsec "$NS_IK" >"$IOP_OUT/show-ipsec-sa.$DIRN"
	enc=$(sed -n 's/.*#pkts encaps: \([0-9]*\).*/\1/p' "$IOP_OUT/show-ipsec-sa.$DIRN" |
		awk '{ s += $1 } END { print s + 0 }')
	dec=$(sed -n 's/.*#pkts decaps: \([0-9]*\).*/\1/p' "$IOP_OUT/show-ipsec-sa.$DIRN" |
		awk '{ s += $1 } END { print s + 0 }')
	xo=$(xfrm_pkts "$NS_IK" "$IK_ADDR" "$IK_SEES")
	xp=$(xfrm_pkts "$NS_PEER" "$PEER_ADDR" "$PEER_SEES")
	iop_check "ikerd counts >= 8 packets encapsulated ($enc)" test "$enc" -ge 8
	iop_check "ikerd counts >= 8 packets decapsulated ($dec)" test "$dec" -ge 8
	iop_check "ikerd's kernel: ESP out >= 8 ($xo)" test "$xo" -ge 8
	iop_check "peer's kernel: ESP out >= 8 ($xp)" test "$xp" -ge 8
else
	iop_bad "traffic not tried: the tunnel is not up"
fi
cap_stop
# on the wire outside the NAT: ESP only inside UDP (4500 on the outside
# host's side), never as IP protocol 50
tcpdump -n -r "$IOP_OUT/$IOP_NAME.pcap" >"$IOP_OUT/wire.$DIRN" 2>/dev/null
nesp=$(grep -c "UDP-encap: ESP(spi=" "$IOP_OUT/wire.$DIRN")
nplain=$(grep -v "UDP-encap" "$IOP_OUT/wire.$DIRN" | grep -c "ESP(spi=")
iop_check "outside the NAT: >= 16 ESP packets in UDP ($nesp)" test "$nesp" -ge 16
iop_check "outside the NAT: no plain ESP ($nplain)" test "$nplain" -eq 0
ik_stop "$NS_IK"
[ "$PEER" = ikerd ] && ik_stop "$NS_PEER"
iop_finish
