#!/bin/bash
# Failures ikerd must explain in IOS's words, against strongSwan.
# Usage: v1-mismatch.sh CASE INITIATOR
#   noprop    ikerd's policy is 3des/md5/group 2, strongSwan offers only
#             aes256/sha256/modp2048: no proposal chosen
#   wrongkey  the two sides hold different pre-shared keys (rule K5)
#   INITIATOR ikerd | peer
CASE=$1 INIT=$2
IOP_NAME=mismatch-$CASE-by$INIT
DIRN=by$INIT
. "$(dirname "$0")/../lib.sh"
iop_proposal 3des-md5-2
iop_pair "m$$"
iop_peer_links gre || iop_bad "peer's GRE link"
SW_PSK=lab-psk-v1
case $CASE in
noprop) SW_IKE=aes256-sha256-modp2048 ;;
wrongkey) SW_PSK=not-the-same-psk ;;
*) iop_bad "unknown case $CASE"; iop_finish ;;
esac
IK_LOCAL=$IK_A IK_REMOTE=$PEER_A IK_PSK=lab-psk-v1 IK_MODE=gre ios_conf "$IOP_RUN/ikerd.conf"
SW_LOCAL=$PEER_A SW_REMOTE=$IK_A SW_TS=gre swan_conf "$IOP_RUN/swanctl.conf"
swan_start peer "$NS_PEER" && swan_load peer "$IOP_RUN/swanctl.conf" || {
	iop_bad "strongSwan start"; iop_finish; }
cap_start "$NS_IK" eth0 "$IOP_OUT/$IOP_NAME.pcap"
if [ "$INIT" = ikerd ]; then
	ik_start "$NS_IK" "$IOP_RUN/ikerd.conf"
else
	ik_start "$NS_IK" "$IOP_RUN/ikerd.conf" --passive
fi
SWLOG=$IOP_OUT/charon-peer.log
swlog() { grep -qF -- "$1" "$SWLOG"; }

if [ "$INIT" = ikerd ]; then
	: # ikerd initiated when it started
else
	swan_initiate peer tun 15
fi
case $CASE-$INIT in
noprop-peer)
	iop_check "ikerd: atts are not acceptable" iop_wait 100 ik_trace "$NS_IK" 'atts are not acceptable'
	iop_check "ikerd: phase 1 SA policy not acceptable!" \
		ik_trace "$NS_IK" "phase 1 SA policy not acceptable! \\(local $IK_A remote $PEER_A\\)"
	iop_check "strongSwan: received NO_PROPOSAL_CHOSEN error notify" \
		iop_wait 50 swlog 'received NO_PROPOSAL_CHOSEN error notify'
	;;
noprop-ikerd)
	iop_check "strongSwan: no proposal found" iop_wait 100 swlog 'no proposal found'
	iop_check "ikerd: the peer's NO_PROPOSAL_CHOSEN is traced" \
		iop_wait 50 ik_trace "$NS_IK" 'NO_PROPOSAL_CHOSEN|PROPOSAL_NOT_CHOSEN'
	;;
wrongkey-peer)
	iop_check "ikerd: reserved not zero on ID payload!" \
		iop_wait 100 ik_trace "$NS_IK" \
		'reserved not zero on ID payload!|ID payload at offset [0-9]+: length'
	iop_check "ikerd: %CRYPTO-4-IKMP_BAD_MESSAGE" \
		ik_trace "$NS_IK" "%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from $PEER_A failed its sanity check or is malformed"
	;;
wrongkey-ikerd)
	iop_check "strongSwan: MM5 undecryptable" \
		iop_wait 150 swlog 'invalid ID_V1 payload length, decryption failed?'
	;;
esac
iop_check "phase 1 not up on ikerd" test "$(ik_n_qm_idle "$NS_IK")" -eq 0
iop_check "phase 1 not up on strongSwan" test "$(swan_n_ike peer)" -eq 0
iop_check "ikerd installed no ESP state" test "$(xfrm_n_states "$NS_IK")" -eq 0
ik_isakmp "$NS_IK" >"$IOP_OUT/show-isakmp-sa.after"
cap_stop
ik_stop "$NS_IK"
iop_finish
