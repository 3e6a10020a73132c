#!/bin/bash
# ikerd <-> strongSwan over GRE (IKEv1 3des/md5/modp1024, ESP aes128/sha256):
# what happens after the tunnel is up.
# Usage: v1-lifecycle.sh CASE
#   rekey-ikerd      ikerd's IPsec SA lifetime is 120 s: ikerd rekeys phase 2
#   rekey-peer       strongSwan's CHILD_SA rekeys after 20..30 s
#   dpd              crypto isakmp keepalive 10 3; strongSwan dies (SIGKILL, its
#                    kernel state flushed): ikerd's DPD clears the SAs
#   delete-by-peer   swanctl --terminate: the SAs strongSwan deleted go away
#                    on ikerd too (DELETE); ikerctl initiate Tunnel1 (or the
#                    tunnel's traffic) brings the tunnel up again
#   delete-by-ikerd  ikerctl clear crypto session: strongSwan's SAs go away
#   initial-contact  strongSwan restarts and connects again: its INITIAL-CONTACT
#                    clears ikerd's old SAs
#   initiate-again   ikerctl initiate Tunnel1 on a tunnel that is up: no second
#                    IPsec SA pair (a router negotiates only what is missing)
CASE=$1
IOP_NAME=v1-$CASE
DIRN=$CASE
. "$(dirname "$0")/../lib.sh"
iop_proposal 3des-md5-2
iop_pair "c$$"
iop_peer_links gre || iop_bad "peer's GRE link"
IK_SA_LIFE="" IK_KEEPALIVE=""
SW_CHILD_REKEY=50m SW_CHILD_LIFE=60m
case $CASE in
rekey-ikerd) IK_SA_LIFE=120 ;;
rekey-peer) SW_CHILD_REKEY=30s SW_CHILD_LIFE=45s ;;
dpd) IK_KEEPALIVE="10 3" ;;
esac
IK_LOCAL=$IK_A IK_REMOTE=$PEER_A IK_PSK=lab-psk-v1 IK_MODE=gre ios_conf "$IOP_RUN/ikerd.conf"
SW_LOCAL=$PEER_A SW_REMOTE=$IK_A SW_PSK=lab-psk-v1 SW_TS=gre swan_conf "$IOP_RUN/swanctl.conf"
swan_start peer "$NS_PEER" && swan_load peer "$IOP_RUN/swanctl.conf" || {
	iop_bad "strongSwan start"; iop_finish; }
cap_start "$NS_IK" eth0 "$IOP_OUT/$IOP_NAME.pcap"
# Up: ikerd initiates (at start, as a router does), except where strongSwan must be the
# initiator (then ikerd is --passive).
case $CASE in
rekey-peer|delete-by-ikerd)
	ik_start "$NS_IK" "$IOP_RUN/ikerd.conf" --passive
	iop_check "swanctl --initiate" swan_initiate peer tun 30 ;;
*)
	ik_start "$NS_IK" "$IOP_RUN/ikerd.conf" ;;
esac
both_up() { ik_has_p2 "$NS_IK" && swan_has_child peer; }
iop_check "tunnel up on both sides" iop_wait 400 both_up
iop_check "ikerd: IPsec SA pair up" ik_has_p2 "$NS_IK"
iop_check "strongSwan: CHILD_SA installed" swan_has_child peer
if [ "$IOP_FAILS" -gt 0 ]; then
	iop_bad "$CASE not tried: the tunnel is not up"
	iop_finish
fi
iop_check "ping across the tunnel" iop_ping "$NS_IK" 203.0.113.2 3
spi0=$(ik_outbound_spi "$NS_IK")
iop_log "ikerd's outbound SPI: $spi0"
ik_isakmp "$NS_IK" >"$IOP_OUT/show-isakmp-sa.before"
ik_ipsec "$NS_IK" >"$IOP_OUT/show-ipsec-sa.before"
swan_sas peer >"$IOP_OUT/list-sas.before"

spi_changed() { local s; s=$(ik_outbound_spi "$NS_IK"); [ -n "$s" ] && [ "$s" != "$spi0" ]; }
# strongSwan's inbound SPI equals ikerd's current outbound SPI.
spis_agree() {
	local s
	s=$(ik_outbound_spi "$NS_IK" | tr 'A-F' 'a-f' | sed 's/^0x0*//')
	[ -n "$s" ] && swan_sas peer | grep -Eq "^ +in +0*${s}[ ,]"
}

no_esp() { [ "$(xfrm_n_states "$1")" -eq 0 ]; }
one_isakmp() { [ "$(ik_n_isakmp "$NS_IK")" -eq 1 ]; }

case $CASE in
rekey-ikerd|rekey-peer)
	# 120 s lifetime: the rekey comes before expiry; at most 150 s.
	iop_check "phase 2 rekeyed (new outbound SPI on ikerd)" iop_wait 1500 spi_changed
	iop_check "strongSwan's inbound SPI is ikerd's new outbound SPI" iop_wait 100 spis_agree
	iop_check "ping across the rekeyed tunnel" iop_ping "$NS_IK" 203.0.113.2 3
	iop_check "strongSwan still has its IKE SA" swan_has_ike peer
	iop_check "ikerd still has its ISAKMP SA in QM_IDLE" ik_has_p1 "$NS_IK"
	;;
dpd)
	swan_kill peer
	ip -n "$NS_PEER" xfrm state flush; ip -n "$NS_PEER" xfrm policy flush
	# On-demand DPD (IOS): traffic out, nothing back.
	lab_bg "$NS_IK" ping-dpd ping -c 150 -i 0.5 -W 1 203.0.113.2
	iop_check "ikerd cleared its SAs after DPD (at most 90 s)" \
		iop_wait 900 ik_no_established "$NS_IK"
	iop_check "ikerd sent DPD R_U_THERE" ik_trace "$NS_IK" 'R_U_THERE'
	iop_check "ikerd declared the peer dead" ik_trace "$NS_IK" 'not responding'
	# The pings keep asking for a tunnel (kernel acquires, new Main Mode
	# attempts): what must be gone is the dead peer's SA, in show and kernel.
	old_p2_gone() { ! ik_has_spi "$NS_IK" "$spi0"; }
	iop_check "ikerd's IPsec SA $spi0 gone (show and kernel)" iop_wait 100 old_p2_gone
	;;
delete-by-peer)
	# Traffic on the tunnel (the GRE link's own IPv6 chatter is enough) makes
	# ikerd negotiate anew at once, as a router would: what must be gone are
	# the SAs strongSwan deleted, not every SA.
	cid0=$(ik_conn_ids "$NS_IK" | head -1)
	old_p1_gone() { ! ik_conn_ids "$NS_IK" | grep -qx "$cid0"; }
	old_p2_gone() { ! ik_has_spi "$NS_IK" "$spi0"; }
	iop_check "swanctl --terminate --ike" swan_terminate_ike peer peer
	iop_check "ikerd processed the DELETE" iop_wait 100 ik_trace "$NS_IK" 'processing DELETE payload'
	iop_check "ikerd's ISAKMP SA $cid0 gone after strongSwan's DELETE" iop_wait 100 old_p1_gone
	iop_check "ikerd's IPsec SA $spi0 gone (show and kernel)" iop_wait 100 old_p2_gone
	# and up on request
	iop_check "ikerctl initiate Tunnel1" ik_ctl "$NS_IK" initiate Tunnel1
	iop_check "tunnel up again on both sides" iop_wait 400 both_up
	iop_check "ping across the tunnel" iop_ping "$NS_IK" 203.0.113.2 3
	;;
delete-by-ikerd)
	iop_check "ikerctl clear crypto session" ik_ctl "$NS_IK" clear crypto session
	iop_check "strongSwan's SAs gone after ikerd's DELETE" iop_wait 150 swan_no_sa peer
	iop_check "ikerd's SAs gone" iop_wait 50 ik_no_sa "$NS_IK"
	iop_check "strongSwan's kernel has no ESP state left" iop_wait 50 no_esp "$NS_PEER"
	;;
initiate-again)
	ik_ctl "$NS_IK" initiate Tunnel1 >"$IOP_OUT/initiate-again.out" 2>&1
	sleep 5
	iop_check "ikerd's kernel still holds one ESP pair ($(xfrm_n_states "$NS_IK") states)" \
		test "$(xfrm_n_states "$NS_IK")" -eq 2
	iop_check "strongSwan holds one CHILD_SA ($(swan_n_child peer))" test "$(swan_n_child peer)" -eq 1
	iop_check "ping across the tunnel" iop_ping "$NS_IK" 203.0.113.2 3
	;;
initial-contact)
	swan_kill peer
	ip -n "$NS_PEER" xfrm state flush; ip -n "$NS_PEER" xfrm policy flush
	swan_start peer "$NS_PEER" && swan_load peer "$IOP_RUN/swanctl.conf" ||
		iop_bad "strongSwan restart"
	iop_check "swanctl --initiate after the restart" swan_initiate peer tun 30
	iop_check "ikerd processed INITIAL-CONTACT" ik_trace "$NS_IK" '[Ii]nitial.[Cc]ontact|INITIAL.CONTACT'
	iop_check "ikerd holds one ISAKMP SA only" iop_wait 100 one_isakmp
	iop_check "ikerd's outbound SPI is new" spi_changed
	iop_check "strongSwan's inbound SPI is ikerd's outbound SPI" spis_agree
	iop_check "ikerd's kernel holds one ESP pair" test "$(xfrm_n_states "$NS_IK")" -eq 2
	iop_check "ping across the new tunnel" iop_ping "$NS_IK" 203.0.113.2 3
	;;
*) iop_bad "unknown case $CASE" ;;
esac
ik_isakmp "$NS_IK" >"$IOP_OUT/show-isakmp-sa.after"
ik_ipsec "$NS_IK" >"$IOP_OUT/show-ipsec-sa.after"
swan_sas peer >"$IOP_OUT/list-sas.after" 2>/dev/null
cap_stop
ik_stop "$NS_IK"
iop_finish
