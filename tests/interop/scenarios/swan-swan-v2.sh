#!/bin/bash
# strongSwan <-> strongSwan, IKEv2 PSK with one of the IKEv2 suites of the
# ikerd cases (iop_proposal_v2), the CHILD_SA protecting GRE between the
# endpoints, a ping across: the baseline of the IKEv2 cases (plugins loaded,
# suite names as swanctl prints them, captures that tshark decodes).
# Usage: swan-swan-v2.sh PROPOSAL [frag]
#   frag: the link's MTU is 576, both namespaces drop IP fragments, both
#   charons split IKE messages at 200 bytes and the initiator offers many ESP
#   proposals (a large IKE_AUTH): IKEv2 fragmentation both ways (RFC 7383).
PROP=$1 FRAG=${2:-}
IOP_NAME=swan-swan-v2-$PROP${FRAG:+-$FRAG}
. "$(dirname "$0")/../lib.sh"
iop_proposal_v2 "$PROP" || exit 2
A=198.51.100.1 B=198.51.100.2 L=s2l$$ R=s2r$$
iop_topo_pair $L $A $R $B
gre_link $L gre1 $A $B 203.0.113.1/30
gre_link $R gre1 $B $A 203.0.113.2/30
if [ "$FRAG" = frag ]; then
	ip -n $L link set eth0 mtu 576; ip -n $R link set eth0 mtu 576
	iop_drop_ip_fragments $L; iop_drop_ip_fragments $R
	SW_FRAG_SIZE=200
fi
swan_start left $L || exit 1
swan_start right $R || exit 1
SW_PSK=lab-psk-v2
ESP_ONE=$SW_ESP
[ "$FRAG" = frag ] && SW_ESP="$SW_ESP,$SW_ESP_MANY"
SW_LOCAL=$A SW_REMOTE=$B swan_conf "$IOP_RUN/left.conf"
SW_ESP=$ESP_ONE
SW_LOCAL=$B SW_REMOTE=$A swan_conf "$IOP_RUN/right.conf"
swan_load left "$IOP_RUN/left.conf" || exit 1
swan_load right "$IOP_RUN/right.conf" || exit 1
cap_start $L eth0 "$IOP_OUT/$IOP_NAME.pcap"
iop_check "swanctl --initiate" swan_initiate left tun
swan_sas left >"$IOP_OUT/list-sas.out"
iop_check "IKEv2 SA established (left)" swan_has_ikev2 left
iop_check "IKEv2 SA established (right)" swan_has_ikev2 right
iop_check "IKE SA $EXP_IKE" grep -q "^  $EXP_IKE\$" "$IOP_OUT/list-sas.out"
iop_check "CHILD_SA ESP:$EXP_CHILD" grep -q "ESP:$EXP_CHILD\$" "$IOP_OUT/list-sas.out"
iop_check "CHILD_SA installed (right)" swan_has_child right
iop_check "ping across GRE" iop_ping $L 203.0.113.2 5
iop_check "ESP counted A->B" test "$(xfrm_pkts $L $A $B)" -ge 5
iop_check "ESP counted B->A" test "$(xfrm_pkts $R $B $A)" -ge 5
if [ "$FRAG" = frag ]; then
	iop_check "left split its IKE_AUTH request" grep -q 'splitting IKE message' \
		"$IOP_OUT/charon-left.log"
	iop_check "right reassembled it" grep -q 'reassembled fragmented IKE message' \
		"$IOP_OUT/charon-right.log"
	iop_check "right split its IKE_AUTH response" grep -q 'splitting IKE message' \
		"$IOP_OUT/charon-right.log"
	iop_check "left reassembled it" grep -q 'reassembled fragmented IKE message' \
		"$IOP_OUT/charon-left.log"
	iop_check "an IP-fragmented datagram does not cross (a 1000-byte ping)" \
		iop_frag_blocked $L $B
fi
cap_stop
iop_finish
