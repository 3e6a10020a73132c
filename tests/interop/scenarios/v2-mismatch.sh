#!/bin/bash
# IKEv2 failures ikerd must explain in IOS's words, against strongSwan.
# Usage: v2-mismatch.sh CASE INITIATOR
#   noprop    ikerd's proposal is aes-cbc-256/sha256/group 14, strongSwan
#             offers only aes128/sha1/modp3072: NO_PROPOSAL_CHOSEN in
#             IKE_SA_INIT
#   wrongkey  the two sides hold different pre-shared keys: the responder's
#             AUTH check fails, AUTHENTICATION_FAILED
#   INITIATOR ikerd | peer
CASE=$1 INIT=$2
IOP_NAME=v2-mismatch-$CASE-by$INIT
DIRN=by$INIT
. "$(dirname "$0")/../lib.sh"
iop_need_v2
iop_proposal_v2 aes256-sha256-modp2048
iop_pair "n$$"
iop_peer_links gre || iop_bad "peer's GRE link"
SW_PSK=lab-psk-v2
case $CASE in
noprop) SW_IKE=aes128-sha1-modp3072 ;;
wrongkey) SW_PSK=not-the-same-psk ;;
*) iop_bad "unknown case $CASE"; iop_finish ;;
esac
IK_LOCAL=$IK_A IK_REMOTE=$PEER_A IK_PSK=lab-psk-v2 IK_MODE=gre ios_conf_v2 "$IOP_RUN/ikerd.conf"
SW_LOCAL=$PEER_A SW_REMOTE=$IK_A SW_TS=gre swan_conf "$IOP_RUN/swanctl.conf"
swan_start peer "$NS_PEER" && swan_load peer "$IOP_RUN/swanctl.conf" || {
	iop_bad "strongSwan start"; iop_finish; }
cap_start "$NS_IK" eth0 "$IOP_OUT/$IOP_NAME.pcap"
if [ "$INIT" = ikerd ]; then
	ik_start_v2 "$NS_IK" "$IOP_RUN/ikerd.conf"
else
	ik_start_v2 "$NS_IK" "$IOP_RUN/ikerd.conf" --passive
	swan_initiate peer tun 15
fi
SWLOG=$IOP_OUT/charon-peer.log
swlog() { grep -qF -- "$1" "$SWLOG"; }
sess="IKEv2(-ERROR)?:\\(SESSION ID = [0-9]+,SA ID = [0-9]+\\):"
case $CASE-$INIT in
noprop-peer)
	# ikerd answers IKE_SA_INIT with N(NO_PROPOSAL_CHOSEN) and says why
	iop_check "ikerd: IOS line: no matching proposal" \
		iop_wait 100 ik_trace "$NS_IK" 'Failed to find a matching (policy|proposal)'
	iop_check "ikerd: sends NO_PROPOSAL_CHOSEN" \
		ik_trace "$NS_IK" '[Ss]ending .*(NO_PROPOSAL_CHOSEN|no proposal chosen)'
	iop_check "strongSwan: received NO_PROPOSAL_CHOSEN notify error" \
		iop_wait 50 swlog 'received NO_PROPOSAL_CHOSEN notify error'
	;;
noprop-ikerd)
	iop_check "strongSwan: answers N(NO_PROP)" iop_wait 150 swlog 'IKE_SA_INIT response 0 [ N(NO_PROP) ]'
	iop_check "ikerd: IOS line: the peer's NO_PROPOSAL_CHOSEN" \
		iop_wait 50 ik_trace "$NS_IK" "${sess}.*(NO_PROPOSAL_CHOSEN|no proposal chosen)"
	;;
wrongkey-peer)
	iop_check "ikerd: IOS line: verification of the peer's AUTH failed" \
		iop_wait 100 ik_trace "$NS_IK" "${sess}Verification of peer's authentication data FAILED"
	iop_check "ikerd: %IKEV2-3-NEG_ABORT names the failed AUTH" \
		ik_trace "$NS_IK" "%IKEV2-3-NEG_ABORT: .*Verification of peer's authentication data FAILED"
	iop_check "strongSwan: received AUTHENTICATION_FAILED notify error" \
		iop_wait 50 swlog 'received AUTHENTICATION_FAILED notify error'
	;;
wrongkey-ikerd)
	iop_check "strongSwan: MAC mismatched" iop_wait 150 swlog 'but MAC mismatched'
	iop_check "ikerd: IOS line: the peer's AUTHENTICATION_FAILED" \
		iop_wait 50 ik_trace "$NS_IK" "${sess}.*AUTHENTICATION_FAILED"
	;;
esac
iop_check "IKE SA not up on strongSwan" test "$(swan_n_ike peer)" -eq 0
iop_check "ikerd installed no IPsec SA" test "$(xfrm_n_states "$NS_IK")" -eq 0
if lab_feature ikev2-show; then
	iop_check "ikerd: no IKEv2 SA in READY" test "$(ik_n_v2_ready "$NS_IK")" -eq 0
fi
cap_stop
ik_stop "$NS_IK"
iop_finish
