#!/bin/bash
# ikerd <-> strongSwan (or libreswan), IKEv2 PSK: IKE_SA_INIT, IKE_AUTH and
# the first CHILD_SA protecting a GRE or VTI tunnel, real ESP traffic,
# counters on both sides.
# Usage: v2-tunnel.sh PROPOSAL PFS MODE PEER INITIATOR
#   PROPOSAL  aes256-sha256-modp2048 | aes256gcm16-prfsha256-x25519 |
#             chacha20poly1305-prfsha256-ecp256 (see iop_proposal_v2)
#   PFS       yes | no (the first CHILD_SA has no PFS in IKEv2; set pfs must
#             not break it)
#   MODE      gre (protocol 47 selectors between the endpoints) | vti (any/any)
#   PEER      swan | lsw
#   INITIATOR ikerd (at its start) | peer (swanctl --initiate / whack)
PROP=$1 PFS=$2 MODE=$3 PEER=$4 INIT=$5
IOP_NAME=v2-$PROP-pfs$PFS-$MODE-$PEER-by$INIT
DIRN=by$INIT
. "$(dirname "$0")/../lib.sh"
iop_need_v2
iop_proposal_v2 "$PROP" || exit 2
# The first CHILD_SA comes from IKE_AUTH, without a KE: strongSwan shows no
# DH group on it even with PFS configured (the group applies to rekeys).
EXP_CHILD=$EXP_ESP

iop_pair "v$$"
iop_peer_links "$MODE" || iop_bad "peer's $MODE link"
IK_LOCAL=$IK_A IK_REMOTE=$PEER_A IK_PSK=lab-psk-v2 IK_MODE=$MODE ios_conf_v2 "$IOP_RUN/ikerd.conf"
if [ "$PEER" = swan ]; then
	SW_TS=gre SW_MARK=""
	[ "$MODE" = vti ] && SW_TS=any SW_MARK=42
	SW_LOCAL=$PEER_A SW_REMOTE=$IK_A SW_PSK=lab-psk-v2 swan_conf "$IOP_RUN/swanctl.conf"
	swan_start peer "$NS_PEER" && swan_load peer "$IOP_RUN/swanctl.conf" || {
		iop_bad "strongSwan start"; iop_finish; }
else
	LSW_LOCAL=$PEER_A LSW_REMOTE=$IK_A LSW_PSK=lab-psk-v2 LSW_MODE=$MODE lsw_conf_v2 "$IOP_RUN"
	lsw_start peer "$NS_PEER" "$IOP_RUN/ipsec.conf" "$IOP_RUN/ipsec.secrets" &&
		lsw_up_loaded peer || { iop_bad "libreswan start"; iop_finish; }
fi
cap_start "$NS_IK" eth0 "$IOP_OUT/$IOP_NAME.pcap"
if [ "$INIT" = ikerd ]; then
	ik_start_v2 "$NS_IK" "$IOP_RUN/ikerd.conf"
else
	ik_start_v2 "$NS_IK" "$IOP_RUN/ikerd.conf" --passive
	if [ "$PEER" = swan ]; then
		iop_check "swanctl --initiate" swan_initiate peer tun 30
	else
		iop_check "whack --initiate" lsw_whack peer --name tun --initiate
	fi
fi
peer_child() { if [ "$PEER" = swan ]; then swan_has_child peer; else lsw_has_child peer; fi; }
both_up() { ik_has_p2 "$NS_IK" && peer_child; }
iop_check "tunnel up on both sides" iop_wait 400 both_up
iop_check "ikerd: IPsec SA pair up" ik_has_p2 "$NS_IK"
if lab_feature ikev2-show; then
	ik_v2_sa "$NS_IK" >"$IOP_OUT/show-ikev2-sa.$DIRN"
	iop_check "ikerd: show crypto ikev2 sa: READY" ik_v2_ready "$NS_IK"
else
	iop_log "not checked: show crypto ikev2 sa (ikerd --features: ikev2-show no)"
fi
if [ "$PEER" = swan ]; then
	swan_sas peer >"$IOP_OUT/list-sas.$DIRN"
	iop_check "strongSwan: IKEv2 SA established" swan_has_ikev2 peer
	iop_check "strongSwan: IKE SA $EXP_IKE" grep -q "^  $EXP_IKE\$" "$IOP_OUT/list-sas.$DIRN"
	iop_check "strongSwan: CHILD_SA installed" swan_has_child peer
	iop_check "strongSwan: CHILD_SA ESP:$EXP_CHILD" grep -q "ESP:$EXP_CHILD\$" "$IOP_OUT/list-sas.$DIRN"
else
	lsw_whack peer --status >"$IOP_OUT/whack-status.$DIRN" 2>&1
	iop_check "libreswan: IKE SA established" lsw_has_ike peer
	iop_check "libreswan: IPsec SA established" lsw_has_child peer
fi
if [ "$MODE" = gre ]; then
	iop_check "ikerd's policies select GRE (proto 47)" \
		grep -q 'proto gre' <<<"$(ip -n "$NS_IK" xfrm policy)"
else
	iop_check "ikerd's VTI policies carry a mark" \
		grep -Eq 'mark 0x[0-9a-f]+/0xffffffff' <<<"$(ip -n "$NS_IK" xfrm policy)"
fi
if [ "$IOP_FAILS" -eq 0 ]; then
	iop_traffic_checks "$PEER"
else
	iop_bad "traffic not tried: the tunnel is not up"
fi
cap_stop
ik_stop "$NS_IK"
iop_finish
