#!/bin/bash
# ikerd with a crypto map <-> strongSwan policy-based (two children, one per
# subnet pair), PSK, real ESP in tunnel mode. ikerd's LANs 192.0.2.0/26 and
# 192.0.2.64/26, the peer's 203.0.113.0/24.
#   IKEv1: Main Mode + one Quick Mode per child.
#   IKEv2 (set ikev2-profile): the first child comes with IKE_AUTH, the
#   second with CREATE_CHILD_SA on the same IKE SA.
# Usage: cmap.sh 1|2 INITIATOR
#   ikerd  the first packet from each LAN raises an acquire on ikerd's traps
#          (IKEv2 TSi/TSr: the packet's pair first, then the ACL line)
#   peer   swanctl --initiate of each child; ikerd walks its map (and, over
#          IKEv2, narrows)
V=$1
INIT=$2
IOP_NAME=v$V-cmap-by$INIT
DIRN=by$INIT
. "$(dirname "$0")/../lib.sh"

if [ "$V" = 2 ]; then
	iop_need_v2
	iop_pair "m$$"
	ikerd_start() { ik_start_v2 "$@"; }
	IKE_CONF="crypto ikev2 proposal PROP
 encryption aes-cbc-256
 integrity sha256
 group 14
crypto ikev2 policy POL
 proposal PROP
crypto ikev2 keyring KR
 peer PEER
  address $PEER_A
  pre-shared-key lab-psk-cmap
crypto ikev2 profile PROF
 match identity remote address $PEER_A 255.255.255.255
 identity local address $IK_A
 authentication remote pre-share
 authentication local pre-share
 keyring local KR"
	MAP_V2=" set ikev2-profile PROF"
else
	iop_proposal aes256-sha256-14
	iop_pair "c$$"
	ikerd_start() { ik_start "$@"; }
	IKE_CONF="crypto isakmp policy 10
 encr aes 256
 hash sha256
 authentication pre-share
 group 14
crypto isakmp key lab-psk-cmap address $PEER_A"
	MAP_V2=""
fi
lab_lan "$NS_IK" 192.0.2.1/26 lan0
lab_lan "$NS_IK" 192.0.2.65/26 lan1
lab_lan "$NS_PEER" 203.0.113.1/24 lan0
ip -n "$NS_IK" route add 203.0.113.0/24 via "$PEER_A" dev eth0 || iop_bad "route on ikerd's side"
ip -n "$NS_PEER" route add 192.0.2.0/24 via "$IK_A" dev eth0 || iop_bad "route on the peer"

grep -v "^$" >"$IOP_RUN/ikerd.conf" <<EOF2
hostname IK
$IKE_CONF
crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac
ip access-list extended TO-PEER
 permit ip 192.0.2.0 0.0.0.63 203.0.113.0 0.0.0.255
 permit ip 192.0.2.64 0.0.0.63 203.0.113.0 0.0.0.255
crypto map CM 10 ipsec-isakmp
 set peer $PEER_A
 set transform-set TS
 set pfs group14
$MAP_V2
 match address TO-PEER
interface Ethernet0/0
 ip address $IK_A 255.255.255.0
 crypto map CM
EOF2
child() { # child NAME REMOTE_TS
	cat <<EOC
			$1 {
				local_ts = 203.0.113.0/24
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
	child lan1 192.0.2.0/26
	child lan2 192.0.2.64/26
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
	ip netns exec "$NS_IK" ping -c 3 -i 0.3 -W 1 -I 192.0.2.1 203.0.113.1 >/dev/null 2>&1
	[ "$V" = 1 ] || iop_wait 200 ik_v2_ready "$NS_IK"
	ip netns exec "$NS_IK" ping -c 3 -i 0.3 -W 1 -I 192.0.2.65 203.0.113.1 >/dev/null 2>&1
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
iop_check "strongSwan: CHILD_SA lan1 INSTALLED" grep -q "lan1: #[0-9]*, reqid [0-9]*, INSTALLED" \
	"$IOP_OUT/list-sas.$DIRN"
iop_check "strongSwan: CHILD_SA lan2 INSTALLED" grep -q "lan2: #[0-9]*, reqid [0-9]*, INSTALLED" \
	"$IOP_OUT/list-sas.$DIRN"
[ "$V" = 1 ] || iop_check "ikerd: show crypto ikev2 sa: READY" ik_v2_ready "$NS_IK"
lid="local  ident (addr/mask/prot/port)"
iop_check "ikerd: first LAN's SA" grep -qF "$lid: (192.0.2.0/255.255.255.192/0/0)" \
	"$IOP_OUT/show-ipsec-sa.$DIRN"
iop_check "ikerd: second LAN's SA" grep -qF "$lid: (192.0.2.64/255.255.255.192/0/0)" \
	"$IOP_OUT/show-ipsec-sa.$DIRN"
iop_check "ikerd: the map tag" grep -q "Crypto map tag: CM, local addr $IK_A" \
	"$IOP_OUT/show-ipsec-sa.$DIRN"
p1() {
	ip netns exec "$NS_IK" ping -c 4 -i 0.2 -W 2 -I "$1" 203.0.113.1 >"$IOP_OUT/ping-$1.out" 2>&1
}
iop_check "ping 192.0.2.1 -> 203.0.113.1 through lan1's SA" p1 192.0.2.1
iop_check "ping 192.0.2.65 -> 203.0.113.1 through lan2's SA" p1 192.0.2.65
iop_check "ping 203.0.113.1 -> 192.0.2.65 (peer -> ikerd)" \
	ip netns exec "$NS_PEER" ping -c 3 -i 0.2 -W 2 -I 203.0.113.1 192.0.2.65
xo=$(xfrm_pkts "$NS_IK" $IK_A $PEER_A)
xp=$(xfrm_pkts "$NS_PEER" $PEER_A $IK_A)
iop_check "kernel ESP out on ikerd's side >= 8 ($xo)" test "$xo" -ge 8
iop_check "kernel ESP out on the peer >= 8 ($xp)" test "$xp" -ge 8
cap_stop
ik_stop "$NS_IK"
iop_finish
