#!/bin/bash
# ikerd <-> strongSwan, IKEv1 Aggressive Mode PSK + Quick Mode over GRE, real
# ESP traffic, both directions. ikerd initiates through an ISAKMP profile with
# `initiate mode aggressive`; as responder it answers strongSwan's
# `aggressive = yes` (strongSwan needs its explicit opt-in to answer PSK
# Aggressive Mode: i_dont_care_about_security_and_use_aggressive_mode_psk).
# Usage: v1-aggressive.sh INITIATOR   (ikerd | peer)
INIT=$1
IOP_NAME=v1-aggressive-by$INIT
DIRN=by$INIT
. "$(dirname "$0")/../lib.sh"

iop_proposal aes256-sha256-14 || exit 2
iop_pair "a$$"
iop_peer_links gre || iop_bad "peer's GRE link"
IK_PROFILE=AMP IK_EXTRA="crypto isakmp profile AMP
 match identity address $PEER_A 255.255.255.255
 initiate mode aggressive" \
	IK_LOCAL=$IK_A IK_REMOTE=$PEER_A IK_PSK=lab-psk-am IK_MODE=gre ios_conf "$IOP_RUN/ikerd.conf"
SW_AGGR=yes SW_LOCAL=$PEER_A SW_REMOTE=$IK_A SW_PSK=lab-psk-am SW_TS=gre \
	swan_conf "$IOP_RUN/swanctl.conf"
SW_AM_PSK=yes swan_start peer "$NS_PEER" && swan_load peer "$IOP_RUN/swanctl.conf" || {
	iop_bad "strongSwan start"; iop_finish; }
cap_start "$NS_IK" eth0 "$IOP_OUT/$IOP_NAME.pcap"
if [ "$INIT" = ikerd ]; then
	ik_start "$NS_IK" "$IOP_RUN/ikerd.conf"
else
	ik_start "$NS_IK" "$IOP_RUN/ikerd.conf" --passive
	iop_check "swanctl --initiate" swan_initiate peer tun 30
fi
SWLOG=$IOP_OUT/charon-peer.log
both_up() { ik_has_p2 "$NS_IK" && swan_has_child peer; }
iop_check "tunnel up on both sides" iop_wait 400 both_up
if [ "$INIT" = ikerd ]; then
	iop_check "ikerd: Aggressive Mode initiated" \
		ik_trace "$NS_IK" 'Old State = IKE_READY New State = IKE_I_AM1'
	iop_check "ikerd: phase 1 complete from IKE_I_AM1" \
		ik_trace "$NS_IK" 'Old State = IKE_I_AM1 New State = IKE_P1_COMPLETE'
	iop_check "strongSwan: Aggressive Mode answered" \
		grep -qF "$IK_A is initiating a Aggressive Mode IKE_SA" "$SWLOG"
else
	iop_check "ikerd: Aggressive Mode answered" \
		ik_trace "$NS_IK" 'Old State = IKE_R_AM_AAA_AWAIT New State = IKE_R_AM2'
	iop_check "ikerd: phase 1 complete from IKE_R_AM2" \
		ik_trace "$NS_IK" 'Old State = IKE_R_AM2 New State = IKE_P1_COMPLETE'
	iop_check "strongSwan: initiated Aggressive Mode" \
		grep -qF "initiating Aggressive Mode IKE_SA peer[1] to $IK_A" "$SWLOG"
fi
swan_sas peer >"$IOP_OUT/list-sas.$DIRN"
iop_check "strongSwan: IKE SA $EXP_IKE" grep -q "^  $EXP_IKE\$" "$IOP_OUT/list-sas.$DIRN"
ik_isakmp "$NS_IK" >"$IOP_OUT/show-isakmp-sa.$DIRN"
if [ "$IOP_FAILS" -eq 0 ]; then
	iop_traffic_checks swan
else
	iop_bad "traffic not tried: the tunnel is not up"
fi
cap_stop
ik_stop "$NS_IK"
iop_finish
