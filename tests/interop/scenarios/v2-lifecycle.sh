#!/bin/bash
# ikerd <-> strongSwan over GRE, IKEv2 aes256-sha256-modp2048 (ESP
# aes256/sha256, PFS group 14 on rekeys): what happens after the tunnel is up.
# Usage: v2-lifecycle.sh CASE
#   rekey-child-ikerd  ikerd's IPsec SA lifetime is 120 s: ikerd rekeys the
#                      CHILD_SA (CREATE_CHILD_SA with N(REKEY_SA))
#   rekey-child-peer   strongSwan's CHILD_SA rekeys after 30 s
#   rekey-ike-ikerd    ikerd's IKEv2 profile lifetime is 120 s: ikerd rekeys
#                      the IKE SA (new SPIs), the CHILD_SA stays
#   rekey-ike-peer     strongSwan rekeys the IKE SA after 30 s
#   dpd                dpd 10 2 periodic; strongSwan dies (SIGKILL, its kernel
#                      state flushed): ikerd's liveness checks clear the SAs
#   delete-by-peer     swanctl --terminate --ike: ikerd's SAs go away (DELETE)
#   delete-by-ikerd    ikerctl clear crypto session: strongSwan's SAs go away
#   delete-child-by-peer  swanctl --terminate --child: ikerd's IPsec SA goes
#                      away, the IKE SA stays
CASE=$1
IOP_NAME=v2-$CASE
DIRN=$CASE
. "$(dirname "$0")/../lib.sh"
case $CASE in
rekey-child-*) iop_need_v2 ikev2-child-rekey ;;
rekey-ike-*) iop_need_v2 ikev2-ike-rekey ;;
dpd|delete-*) iop_need_v2 ikev2-informational ;;
*) iop_bad "unknown case $CASE"; iop_finish ;;
esac
PFS=yes iop_proposal_v2 aes256-sha256-modp2048
iop_pair "w$$"
iop_peer_links gre || iop_bad "peer's GRE link"
IK_SA_LIFE="" IK2_LIFETIME="" IK2_DPD=""
SW_CHILD_REKEY=50m SW_CHILD_LIFE=60m SW_IKE_REKEY=23h
case $CASE in
rekey-child-ikerd) IK_SA_LIFE=120 ;;
rekey-child-peer) SW_CHILD_REKEY=30s SW_CHILD_LIFE=45s ;;
rekey-ike-ikerd) IK2_LIFETIME=120 ;;
rekey-ike-peer) SW_IKE_REKEY=30s ;;
dpd) IK2_DPD="10 2 periodic" ;;
esac
IK_LOCAL=$IK_A IK_REMOTE=$PEER_A IK_PSK=lab-psk-v2 IK_MODE=gre ios_conf_v2 "$IOP_RUN/ikerd.conf"
SW_LOCAL=$PEER_A SW_REMOTE=$IK_A SW_PSK=lab-psk-v2 SW_TS=gre swan_conf "$IOP_RUN/swanctl.conf"
swan_start peer "$NS_PEER" && swan_load peer "$IOP_RUN/swanctl.conf" || {
	iop_bad "strongSwan start"; iop_finish; }
cap_start "$NS_IK" eth0 "$IOP_OUT/$IOP_NAME.pcap"
# ikerd initiates at its start, except where strongSwan's side is tested as
# the initiator (then ikerd is --passive).
case $CASE in
*-peer|delete-by-ikerd)
	ik_start_v2 "$NS_IK" "$IOP_RUN/ikerd.conf" --passive
	iop_check "swanctl --initiate" swan_initiate peer tun 30 ;;
*)
	ik_start_v2 "$NS_IK" "$IOP_RUN/ikerd.conf" ;;
esac
both_up() { ik_has_p2 "$NS_IK" && swan_has_child peer; }
iop_check "tunnel up on both sides" iop_wait 400 both_up
if [ "$IOP_FAILS" -gt 0 ]; then
	iop_bad "$CASE not tried: the tunnel is not up"
	iop_finish
fi
iop_check "ping across the tunnel" iop_ping "$NS_IK" 203.0.113.2 3
spi0=$(ik_outbound_spi "$NS_IK")
ike0=$(swan_ike_spis peer)
uid0=$(swan_ike_uid peer)
iop_log "ikerd's outbound SPI: $spi0; strongSwan's IKE SA #$uid0, SPIs $ike0"
ik_ipsec "$NS_IK" >"$IOP_OUT/show-ipsec-sa.before"
swan_sas peer >"$IOP_OUT/list-sas.before"

spi_changed() { local s; s=$(ik_outbound_spi "$NS_IK"); [ -n "$s" ] && [ "$s" != "$spi0" ]; }
spis_agree() { # strongSwan's inbound SPI is ikerd's current outbound SPI
	local s
	s=$(ik_outbound_spi "$NS_IK" | tr 'A-F' 'a-f' | sed 's/^0x0*//')
	[ -n "$s" ] && swan_sas peer | grep -Eq "^ +in +0*${s}[ ,]"
}
ike_rekeyed() { # strongSwan holds one established IKE SA with new SPIs
	local now
	now=$(swan_ike_spis peer)
	[ -n "$now" ] && [ "$now" != "$ike0" ] && [ "$(swan_n_ike peer)" -eq 1 ]
}
no_esp() { [ "$(xfrm_n_states "$1")" -eq 0 ]; }
ikerd_no_child() { ! ik_has_p2 "$NS_IK"; }

case $CASE in
rekey-child-*)
	# ikerd: 120 s lifetime, the rekey comes before expiry (at most 150 s);
	# strongSwan: 30 s.
	iop_check "CHILD_SA rekeyed (new outbound SPI on ikerd)" iop_wait 1500 spi_changed
	iop_check "strongSwan's inbound SPI is ikerd's new outbound SPI" iop_wait 100 spis_agree
	iop_check "strongSwan: one CHILD_SA after the rekey" \
		iop_wait 100 test "$(swan_n_child peer)" -eq 1
	iop_check "strongSwan: same IKE SA (#$uid0)" test "$(swan_ike_uid peer)" = "$uid0"
	iop_check "ping across the rekeyed tunnel" iop_ping "$NS_IK" 203.0.113.2 3
	old_gone() { ! ik_has_spi "$NS_IK" "$spi0"; }
	iop_check "ikerd: old IPsec SA $spi0 deleted (show and kernel)" iop_wait 300 old_gone
	;;
rekey-ike-*)
	iop_check "IKE SA rekeyed (new SPIs on strongSwan)" iop_wait 1500 ike_rekeyed
	iop_check "ikerd: IPsec SA unchanged by the IKE rekey ($spi0)" \
		test "$(ik_outbound_spi "$NS_IK")" = "$spi0"
	iop_check "strongSwan: CHILD_SA still installed" swan_has_child peer
	iop_check "ping across the tunnel after the IKE rekey" iop_ping "$NS_IK" 203.0.113.2 3
	if lab_feature ikev2-show; then
		one_ready() { [ "$(ik_n_v2_ready "$NS_IK")" -eq 1 ]; }
		iop_check "ikerd: one IKEv2 SA READY (the old one deleted)" iop_wait 300 one_ready
	fi
	# The rekeyed IKE SA must work: a CHILD_SA over it, by strongSwan.
	iop_check "swanctl --terminate --child over the new IKE SA" swan_terminate_child peer tun
	iop_check "swanctl --initiate over the new IKE SA" swan_initiate peer tun 30
	iop_check "tunnel up again" iop_wait 300 both_up
	;;
dpd)
	# periodic: a liveness check every 10 s while the peer lives, answered
	iop_check "strongSwan answered a liveness check (at most 30 s)" \
		iop_wait 300 grep -q 'parsed INFORMATIONAL request' "$IOP_OUT/charon-peer.log"
	iop_check "ikerd still has its IPsec SA after it" test "$(ik_outbound_spi "$NS_IK")" = "$spi0"
	swan_kill peer
	ip -n "$NS_PEER" xfrm state flush; ip -n "$NS_PEER" xfrm policy flush
	iop_check "ikerd cleared its SAs after DPD (at most 90 s)" \
		iop_wait 900 ik_no_established "$NS_IK"
	old_gone() { ! ik_has_spi "$NS_IK" "$spi0"; }
	iop_check "ikerd's IPsec SA $spi0 gone (show and kernel)" iop_wait 100 old_gone
	iop_check "ikerd traced its liveness checks" \
		ik_trace "$NS_IK" 'DPD|[Ll]iveness|INFORMATIONAL'
	;;
delete-by-peer)
	iop_check "swanctl --terminate --ike" swan_terminate_ike peer peer
	old_gone() { ! ik_has_spi "$NS_IK" "$spi0"; }
	iop_check "ikerd's IPsec SA $spi0 gone after strongSwan's DELETE" iop_wait 100 old_gone
	if lab_feature ikev2-show; then
		iop_check "ikerd: no IKEv2 SA left from it" \
			iop_wait 100 test "$(ik_n_v2_ready "$NS_IK")" -eq 0
	fi
	iop_check "strongSwan: its DELETE answered (an empty INFORMATIONAL response)" \
		grep -Eq 'parsed INFORMATIONAL response [0-9]+ \[ \]' "$IOP_OUT/charon-peer.log"
	iop_check "strongSwan: IKE_SA deleted" grep -q 'IKE_SA deleted' "$IOP_OUT/charon-peer.log"
	;;
delete-by-ikerd)
	iop_check "ikerctl clear crypto session" ik_ctl "$NS_IK" clear crypto session
	iop_check "strongSwan's SAs gone after ikerd's DELETE" iop_wait 150 swan_no_sa peer
	iop_check "ikerd's SAs gone" iop_wait 50 ikerd_no_child
	iop_check "strongSwan's kernel has no ESP state left" iop_wait 50 no_esp "$NS_PEER"
	;;
delete-child-by-peer)
	# ikerd initiated: traffic may make it negotiate a new CHILD_SA at once,
	# as a router would; what must be gone is the one strongSwan deleted.
	iop_check "swanctl --terminate --child" swan_terminate_child peer tun
	old_gone() { ! ik_has_spi "$NS_IK" "$spi0"; }
	iop_check "ikerd's IPsec SA $spi0 gone after strongSwan's DELETE" iop_wait 100 old_gone
	iop_check "strongSwan keeps its IKE SA #$uid0" test "$(swan_ike_uid peer)" = "$uid0"
	if lab_feature ikev2-show; then
		iop_check "ikerd keeps its IKEv2 SA" ik_v2_ready "$NS_IK"
	fi
	;;
esac
ik_ipsec "$NS_IK" >"$IOP_OUT/show-ipsec-sa.after"
swan_sas peer >"$IOP_OUT/list-sas.after" 2>/dev/null
cap_stop
ik_stop "$NS_IK"
iop_finish
