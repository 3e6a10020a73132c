#!/bin/bash
# libreswan <-> strongSwan without ikerd: IKEv1 Main Mode PSK
# aes256/sha256/modp2048, ESP aes256/sha256 over GRE, a ping across. The
# baseline that shows the lab runs libreswan (when an ikerd <-> libreswan case
# fails and this one passes, the difference is ikerd's).
# Usage: lsw-swan.sh [v2]   (v2: the same over IKEv2, aes256-sha256-modp2048)
V=${1:-v1}
[ "$V" = v2 ] && IOP_NAME=lsw-swan-v2
. "$(dirname "$0")/../lib.sh"

lsw_fetch || { iop_bad "libreswan unpacked"; iop_finish; }
iop_pair "l$$"
if [ "$V" = v2 ]; then iop_proposal_v2 aes256-sha256-modp2048; else iop_proposal aes256-sha256-14; fi
iop_peer_links gre
gre_link "$NS_IK" gre1 "$IK_A" "$PEER_A" 203.0.113.1/30
if [ "$V" = v2 ]; then
	LSW_LOCAL=$IK_A LSW_REMOTE=$PEER_A LSW_PSK=lab-psk-v1 LSW_MODE=gre lsw_conf_v2 "$IOP_RUN"
else
	LSW_LOCAL=$IK_A LSW_REMOTE=$PEER_A LSW_PSK=lab-psk-v1 LSW_MODE=gre lsw_conf "$IOP_RUN"
fi
SW_LOCAL=$PEER_A SW_REMOTE=$IK_A SW_PSK=lab-psk-v1 swan_conf "$IOP_RUN/swanctl.conf"
swan_start peer "$NS_PEER" && swan_load peer "$IOP_RUN/swanctl.conf" || {
	iop_bad "strongSwan start"; iop_finish; }
lsw_start lsw "$NS_IK" "$IOP_RUN/ipsec.conf" "$IOP_RUN/ipsec.secrets" && lsw_up_loaded lsw || {
	iop_bad "libreswan start"; iop_finish; }
cap_start "$NS_IK" eth0 "$IOP_OUT/$IOP_NAME.pcap"
lsw_whack lsw --name tun --initiate >"$IOP_OUT/whack-initiate.out" 2>&1
iop_check "libreswan: ISAKMP SA established" lsw_has_ike lsw
iop_check "libreswan: IPsec SA established" lsw_has_child lsw
iop_check "strongSwan: CHILD_SA installed" swan_has_child peer
iop_check "ping across GRE" iop_ping "$NS_IK" 203.0.113.2 5
iop_check "ESP counted lsw -> swan" test "$(xfrm_pkts "$NS_IK" "$IK_A" "$PEER_A")" -ge 5
iop_check "ESP counted swan -> lsw" test "$(xfrm_pkts "$NS_PEER" "$PEER_A" "$IK_A")" -ge 5
lsw_whack lsw --status >"$IOP_OUT/whack-status.out" 2>&1
swan_sas peer >"$IOP_OUT/list-sas.out"
cap_stop
lsw_stop lsw
iop_finish
