#!/bin/bash
# ikerd <-> strongSwan (or libreswan), IKEv1 Main Mode + Quick Mode PSK over
# a GRE or VTI tunnel, real ESP traffic, counters on both sides.
# Usage: v1-tunnel.sh PROPOSAL PFS MODE PEER INITIATOR
#   PROPOSAL  3des-md5-2 | aes256-sha256-14 | aes128-sha1-19 (see iop_proposal)
#   PFS       yes | no
#   MODE      gre (protocol 47 selectors between the endpoints) | vti (any/any)
#   PEER      swan | lsw
#   INITIATOR ikerd (ikerctl initiate Tunnel1) | peer (swanctl --initiate / whack)
PROP=$1 PFS=$2 MODE=$3 PEER=$4 INIT=$5
IOP_NAME=v1-$PROP-pfs$PFS-$MODE-$PEER-by$INIT
DIRN=by$INIT
. "$(dirname "$0")/../lib.sh"

iop_proposal "$PROP" || exit 2

iop_pair "t$$"
iop_peer_links "$MODE" || iop_bad "peer's $MODE link"
IK_LOCAL=$IK_A IK_REMOTE=$PEER_A IK_PSK=lab-psk-v1 IK_MODE=$MODE ios_conf "$IOP_RUN/ikerd.conf"
if [ "$PEER" = swan ]; then
	SW_TS=gre SW_MARK=""
	[ "$MODE" = vti ] && SW_TS=any SW_MARK=42
	SW_LOCAL=$PEER_A SW_REMOTE=$IK_A SW_PSK=lab-psk-v1 swan_conf "$IOP_RUN/swanctl.conf"
	swan_start peer "$NS_PEER" && swan_load peer "$IOP_RUN/swanctl.conf" || {
		iop_bad "strongSwan start"; iop_finish; }
else
	LSW_LOCAL=$PEER_A LSW_REMOTE=$IK_A LSW_PSK=lab-psk-v1 LSW_MODE=$MODE lsw_conf "$IOP_RUN"
	lsw_start peer "$NS_PEER" "$IOP_RUN/ipsec.conf" "$IOP_RUN/ipsec.secrets" &&
		lsw_up_loaded peer || { iop_bad "libreswan start"; iop_finish; }
fi
cap_start "$NS_IK" eth0 "$IOP_OUT/$IOP_NAME.pcap"
# ikerd initiates its protected tunnels when it starts (as a router does when
# the tunnel comes up; ikerctl initiate on a tunnel that is up is the
# initiate-again case of v1-lifecycle.sh). As responder it runs --passive.
if [ "$INIT" = ikerd ]; then
	ik_start "$NS_IK" "$IOP_RUN/ikerd.conf"
else
	ik_start "$NS_IK" "$IOP_RUN/ikerd.conf" --passive
	if [ "$PEER" = swan ]; then
		iop_check "swanctl --initiate" swan_initiate peer tun 30
	else
		iop_check "whack --initiate" lsw_whack peer --name tun --initiate
	fi
fi
# Both phases up on both sides (one wait of at most 40 s), then what is up
# and what is not, each on its own.
peer_child() { if [ "$PEER" = swan ]; then swan_has_child peer; else lsw_has_child peer; fi; }
both_up() { ik_has_p2 "$NS_IK" && peer_child; }
iop_check "tunnel up on both sides" iop_wait 400 both_up
iop_check "ikerd: phase 1 in QM_IDLE" ik_has_p1 "$NS_IK"
iop_check "ikerd: IPsec SA pair up" ik_has_p2 "$NS_IK"
if [ "$PEER" = swan ]; then
	swan_sas peer >"$IOP_OUT/list-sas.$DIRN"
	iop_check "strongSwan: IKE SA $EXP_IKE" grep -q "^  $EXP_IKE\$" "$IOP_OUT/list-sas.$DIRN"
	iop_check "strongSwan: CHILD_SA installed" swan_has_child peer
	iop_check "strongSwan: CHILD_SA ESP:$EXP_CHILD" grep -q "ESP:$EXP_CHILD\$" "$IOP_OUT/list-sas.$DIRN"
else
	lsw_whack peer --status >"$IOP_OUT/whack-status.$DIRN" 2>&1
	iop_check "libreswan: IKE SA established" lsw_has_ike peer
	iop_check "libreswan: IPsec SA established" lsw_has_child peer
fi
ik_isakmp "$NS_IK" >"$IOP_OUT/show-isakmp-sa.$DIRN"
if [ "$IOP_FAILS" -eq 0 ]; then
	iop_traffic_checks "$PEER"
else
	iop_bad "traffic not tried: the tunnel is not up"
fi
cap_stop
ik_stop "$NS_IK"
iop_finish
