#!/bin/bash
# ikerd <-> strongSwan, IKEv2 fragmentation (RFC 7383) with a forced small
# MTU: the link's MTU is 576 and both namespaces drop IP fragments, so an IKE
# message larger than the path arrives only when its sender split it. Both
# sides announce IKEV2_FRAGMENTATION_SUPPORTED; strongSwan splits at 200
# bytes and offers many ESP proposals (a large IKE_AUTH), ikerd splits at
# its `crypto ikev2 fragmentation mtu 200`. The tunnel comes up and carries a
# ping; strongSwan's log shows that it reassembled ikerd's fragments and that
# its own were split (and so reassembled by ikerd).
# Usage: v2-frag.sh INITIATOR   (ikerd | peer)
INIT=$1
IOP_NAME=v2-frag-by$INIT
DIRN=by$INIT
. "$(dirname "$0")/../lib.sh"
iop_need_v2 ikev2-fragmentation
iop_proposal_v2 aes256-sha256-modp2048
iop_pair "f$$"
iop_peer_links gre || iop_bad "peer's GRE link"
ip -n "$NS_IK" link set eth0 mtu 576; ip -n "$NS_PEER" link set eth0 mtu 576
iop_drop_ip_fragments "$NS_IK" || iop_bad "nftables rule dropping IP fragments ($NS_IK)"
iop_drop_ip_fragments "$NS_PEER" || iop_bad "nftables rule dropping IP fragments ($NS_PEER)"
IK_EXTRA="crypto ikev2 fragmentation mtu 200"
IK_LOCAL=$IK_A IK_REMOTE=$PEER_A IK_PSK=lab-psk-v2 IK_MODE=gre ios_conf_v2 "$IOP_RUN/ikerd.conf"
SW_FRAG_SIZE=200 SW_ESP="$SW_ESP,$SW_ESP_MANY" SW_LOCAL=$PEER_A SW_REMOTE=$IK_A \
	SW_PSK=lab-psk-v2 SW_TS=gre swan_conf "$IOP_RUN/swanctl.conf"
SW_FRAG_SIZE=200 swan_start peer "$NS_PEER" && swan_load peer "$IOP_RUN/swanctl.conf" || {
	iop_bad "strongSwan start"; iop_finish; }
cap_start "$NS_IK" eth0 "$IOP_OUT/$IOP_NAME.pcap"
if [ "$INIT" = ikerd ]; then
	ik_start_v2 "$NS_IK" "$IOP_RUN/ikerd.conf"
else
	ik_start_v2 "$NS_IK" "$IOP_RUN/ikerd.conf" --passive
	iop_check "swanctl --initiate" swan_initiate peer tun 30
fi
both_up() { ik_has_p2 "$NS_IK" && swan_has_child peer; }
iop_check "tunnel up on both sides" iop_wait 400 both_up
SWLOG=$IOP_OUT/charon-peer.log
iop_check "strongSwan split its IKE_AUTH message" grep -q 'splitting IKE message' "$SWLOG"
iop_check "strongSwan reassembled ikerd's fragments" \
	grep -q 'reassembled fragmented IKE message' "$SWLOG"
if [ "$IOP_FAILS" -eq 0 ]; then
	iop_check "ping across the tunnel" iop_ping "$NS_IK" 203.0.113.2 3
fi
iop_check "an IP-fragmented datagram does not cross (a 1000-byte ping)" \
	iop_frag_blocked "$NS_IK" "$PEER_A"
iop_log "IP fragments dropped: $(iop_ip_fragments_dropped "$NS_IK") at ikerd," \
	"$(iop_ip_fragments_dropped "$NS_PEER") at strongSwan"
cap_stop
ik_stop "$NS_IK"
iop_finish
