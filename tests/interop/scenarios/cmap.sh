#!/bin/bash
# ikerd with a crypto map <-> strongSwan policy-based (two children, one per
# subnet pair), PSK, real ESP in tunnel mode. IPv4: ikerd's LANs 192.0.2.0/26
# and 192.0.2.64/26, the peer's 203.0.113.0/24, the peers on 198.51.100.0/24.
# IPv6: the peers on 2001:db8:a::/64 (`set peer X:X::X`, `ipv6 crypto map` on
# the interface, `address ipv6` keys), an `ipv6 access-list` from ikerd's
# LANs 2001:db8:1::/64 and 2001:db8:2::/64 to the peer's 2001:db8:9::/64.
#   IKEv1: Main Mode + one Quick Mode per child.
#   IKEv2 (set ikev2-profile): the first child comes with IKE_AUTH, the
#   second with CREATE_CHILD_SA on the same IKE SA.
# Usage: cmap.sh 1|2 INITIATOR [4|6]
#   ikerd  the first packet from each LAN raises an acquire on ikerd's traps
#          (IKEv2 TSi/TSr: the packet's pair first, then the ACL line)
#   peer   swanctl --initiate of each child; ikerd walks its map (and, over
#          IKEv2, narrows)
#   4|6    the family of the peers and of the access list (default 4)
V=$1
INIT=$2
FAM=${3:-4}
IOP_NAME=v$V-cmap-by$INIT
[ "$FAM" = 6 ] && IOP_NAME=v$V-cmap6-by$INIT
DIRN=by$INIT
. "$(dirname "$0")/../lib.sh"

# the family's addresses: ikerd's two LANs (first address, prefix), the
# peer's LAN, how ikerd's key, identity and ACL name them
if [ "$FAM" = 6 ]; then
	IK_A=2001:db8:a::1 PEER_A=2001:db8:a::2
	LAN1=2001:db8:1::1 LAN1_P=2001:db8:1::/64 LAN2=2001:db8:2::1 LAN2_P=2001:db8:2::/64
	PLAN=2001:db8:9::1 PLAN_P=2001:db8:9::/64 PLAN_PLEN=64 LAN_PLEN=64
	BACK_ROUTES="$LAN1_P $LAN2_P"
	KEY_ADDR="ipv6 $PEER_A/128" ID_ADDR="ipv6 $PEER_A/128" ID_LOCAL=""
	ACL="ipv6 access-list TO-PEER
 permit ipv6 $LAN1_P $PLAN_P
 permit ipv6 $LAN2_P $PLAN_P"
	IFACE=" ipv6 address $IK_A/64
 ipv6 crypto map CM"
	ID1="(2001:DB8:1::/64/0/0)" ID2="(2001:DB8:2::/64/0/0)"
else
	LAN1=192.0.2.1 LAN1_P=192.0.2.0/26 LAN2=192.0.2.65 LAN2_P=192.0.2.64/26
	PLAN=203.0.113.1 PLAN_P=203.0.113.0/24 PLAN_PLEN=24 LAN_PLEN=26
	BACK_ROUTES=192.0.2.0/24
	KEY_ADDR=$PEER_A ID_ADDR="$PEER_A 255.255.255.255" ID_LOCAL=" identity local address $IK_A"
	ACL="ip access-list extended TO-PEER
 permit ip 192.0.2.0 0.0.0.63 203.0.113.0 0.0.0.255
 permit ip 192.0.2.64 0.0.0.63 203.0.113.0 0.0.0.255"
	IFACE=" ip address $IK_A 255.255.255.0
 crypto map CM"
	ID1="(192.0.2.0/255.255.255.192/0/0)" ID2="(192.0.2.64/255.255.255.192/0/0)"
fi
# cmap_pair P: the two namespaces (${P}i: ikerd, ${P}p: the peer)
cmap_pair() {
	if [ "$FAM" = 4 ]; then
		iop_pair "$1"
		return
	fi
	NS_IK=${1}i NS_PEER=${1}p
	iop_v6_ns "$NS_IK"
	iop_v6_ns "$NS_PEER"
	ip link add eth0 netns "$NS_IK" type veth peer name eth0 netns "$NS_PEER" || return 1
	ip -n "$NS_IK" addr add $IK_A/64 dev eth0 nodad
	ip -n "$NS_PEER" addr add $PEER_A/64 dev eth0 nodad
	ip -n "$NS_IK" link set eth0 up
	ip -n "$NS_PEER" link set eth0 up
	iop_wait 100 ip netns exec "$NS_IK" ping -6 -c 1 -W 1 $PEER_A
}

if [ "$V" = 2 ]; then
	iop_need_v2
	cmap_pair "m$$" || iop_bad "the two namespaces"
	ikerd_start() { ik_start_v2 "$@"; }
	IKE_CONF="crypto ikev2 proposal PROP
 encryption aes-cbc-256
 integrity sha256
 group 14
crypto ikev2 policy POL
 proposal PROP
crypto ikev2 keyring KR
 peer PEER
  address $KEY_ADDR
  pre-shared-key lab-psk-cmap
crypto ikev2 profile PROF
 match identity remote address $ID_ADDR
$ID_LOCAL
 authentication remote pre-share
 authentication local pre-share
 keyring local KR"
	MAP_V2=" set ikev2-profile PROF"
else
	iop_proposal aes256-sha256-14
	cmap_pair "c$$" || iop_bad "the two namespaces"
	ikerd_start() { ik_start "$@"; }
	IKE_CONF="crypto isakmp policy 10
 encr aes 256
 hash sha256
 authentication pre-share
 group 14
crypto isakmp key lab-psk-cmap address $KEY_ADDR"
	MAP_V2=""
fi
lab_lan "$NS_IK" $LAN1/$LAN_PLEN lan0
lab_lan "$NS_IK" $LAN2/$LAN_PLEN lan1
lab_lan "$NS_PEER" $PLAN/$PLAN_PLEN lan0
ip -n "$NS_IK" route add $PLAN_P via "$PEER_A" dev eth0 || iop_bad "route on ikerd's side"
for r in $BACK_ROUTES; do
	ip -n "$NS_PEER" route add "$r" via "$IK_A" dev eth0 || iop_bad "route $r on the peer"
done

grep -v "^$" >"$IOP_RUN/ikerd.conf" <<EOF2
hostname IK
$IKE_CONF
crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac
$ACL
crypto map CM 10 ipsec-isakmp
 set peer $PEER_A
 set transform-set TS
 set pfs group14
$MAP_V2
 match address TO-PEER
interface Ethernet0/0
$IFACE
EOF2
child() { # child NAME REMOTE_TS
	cat <<EOC
			$1 {
				local_ts = $PLAN_P
				remote_ts = $2
				esp_proposals = aes256-sha256-modp2048
				mode = tunnel
				start_action = none
				close_action = none
				dpd_action = clear
			}
EOC
}
{
	cat <<EOC
connections {
	peer {
		version = $V
		local_addrs = $PEER_A
		remote_addrs = $IK_A
		proposals = aes256-sha256-modp2048
		encap = no
		mobike = no
		local {
			auth = psk
			id = $PEER_A
		}
		remote {
			auth = psk
			id = $IK_A
		}
		children {
EOC
	child lan1 $LAN1_P
	child lan2 $LAN2_P
	cat <<EOC
		}
	}
}
secrets {
	ike-peer {
		id-1 = $IK_A
		secret = "lab-psk-cmap"
	}
}
EOC
} >"$IOP_RUN/swanctl.conf"

swan_start peer "$NS_PEER" && swan_load peer "$IOP_RUN/swanctl.conf" || {
	iop_bad "strongSwan start"; iop_finish; }
cap_start "$NS_IK" eth0 "$IOP_OUT/$IOP_NAME.pcap"
two_children() { [ "$(swan_n_child peer)" -ge 2 ] && [ "$(xfrm_n_states "$NS_IK")" -ge 4 ]; }
if [ "$INIT" = ikerd ]; then
	ikerd_start "$NS_IK" "$IOP_RUN/ikerd.conf"
	iop_check "ikerd's traps: one outbound policy per ACL line" \
		test "$(ip -n "$NS_IK" xfrm policy | grep -c '^src ')" -eq 2
	# the first packets of each LAN raise the acquire
	ip netns exec "$NS_IK" ping -c 3 -i 0.3 -W 1 -I $LAN1 $PLAN >/dev/null 2>&1
	[ "$V" = 1 ] || iop_wait 200 ik_v2_ready "$NS_IK"
	ip netns exec "$NS_IK" ping -c 3 -i 0.3 -W 1 -I $LAN2 $PLAN >/dev/null 2>&1
	iop_check "two SA pairs on both sides" iop_wait 400 two_children
else
	ikerd_start "$NS_IK" "$IOP_RUN/ikerd.conf" --passive
	iop_check "swanctl --initiate lan1" swan_initiate peer lan1 30
	iop_check "swanctl --initiate lan2" swan_initiate peer lan2 30
	iop_check "two SA pairs on both sides" iop_wait 400 two_children
fi
swan_sas peer >"$IOP_OUT/list-sas.$DIRN"
ik_ipsec "$NS_IK" >"$IOP_OUT/show-ipsec-sa.$DIRN"
if [ "$V" = 2 ]; then
	ik_v2_sa "$NS_IK" >"$IOP_OUT/show-ikev2-sa.$DIRN"
	iop_check "strongSwan: one IKEv2 SA" \
		test "$(grep -c 'IKEv2, ' "$IOP_OUT/list-sas.$DIRN")" -eq 1
fi
iop_check "strongSwan: the IKE SA with ikerd at $IK_A" \
	grep -q "remote '$IK_A' @ $IK_A\[500\]" "$IOP_OUT/list-sas.$DIRN"
iop_check "strongSwan: CHILD_SA lan1 INSTALLED" grep -q "lan1: #[0-9]*, reqid [0-9]*, INSTALLED" \
	"$IOP_OUT/list-sas.$DIRN"
iop_check "strongSwan: CHILD_SA lan2 INSTALLED" grep -q "lan2: #[0-9]*, reqid [0-9]*, INSTALLED" \
	"$IOP_OUT/list-sas.$DIRN"
[ "$V" = 1 ] || iop_check "ikerd: show crypto ikev2 sa: READY" ik_v2_ready "$NS_IK"
lid="local  ident (addr/mask/prot/port)"
iop_check "ikerd: first LAN's SA" grep -qF "$lid: $ID1" "$IOP_OUT/show-ipsec-sa.$DIRN"
iop_check "ikerd: second LAN's SA" grep -qF "$lid: $ID2" "$IOP_OUT/show-ipsec-sa.$DIRN"
iop_check "ikerd: the map tag" grep -qi "Crypto map tag: CM, local addr $IK_A" \
	"$IOP_OUT/show-ipsec-sa.$DIRN"
p1() {
	ip netns exec "$NS_IK" ping -c 4 -i 0.2 -W 2 -I "$1" $PLAN >"$IOP_OUT/ping-$1.out" 2>&1
}
iop_check "ping $LAN1 -> $PLAN through lan1's SA" p1 $LAN1
iop_check "ping $LAN2 -> $PLAN through lan2's SA" p1 $LAN2
iop_check "ping $PLAN -> $LAN2 (peer -> ikerd)" \
	ip netns exec "$NS_PEER" ping -c 3 -i 0.2 -W 2 -I $PLAN $LAN2
xo=$(xfrm_pkts "$NS_IK" $IK_A $PEER_A)
xp=$(xfrm_pkts "$NS_PEER" $PEER_A $IK_A)
iop_check "kernel ESP out on ikerd's side >= 8 ($xo)" test "$xo" -ge 8
iop_check "kernel ESP out on the peer >= 8 ($xp)" test "$xp" -ge 8
cap_stop
ik_stop "$NS_IK"
iop_finish
