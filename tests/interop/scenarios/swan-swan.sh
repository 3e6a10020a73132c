#!/bin/bash
# strongSwan <-> strongSwan, IKEv1 Main Mode PSK 3des/md5/modp1024, Quick Mode
# ESP aes128/sha256 protecting GRE between the endpoints: the baseline that
# proves the harness (private /run per charon, vici, GRE links, counters).
. "$(dirname "$0")/../lib.sh"
A=198.51.100.1 B=198.51.100.2 L=ssl$$ R=ssr$$
iop_topo_pair $L $A $R $B
gre_link $L gre1 $A $B 203.0.113.1/30
gre_link $R gre1 $B $A 203.0.113.2/30
swan_start left $L || exit 1
swan_start right $R || exit 1
SW_PSK=lab-psk-v1
SW_LOCAL=$A SW_REMOTE=$B swan_conf "$IOP_RUN/left.conf"
SW_LOCAL=$B SW_REMOTE=$A swan_conf "$IOP_RUN/right.conf"
swan_load left "$IOP_RUN/left.conf" || exit 1
swan_load right "$IOP_RUN/right.conf" || exit 1
cap_start $L eth0 "$IOP_OUT/swan-swan.pcap"
swan_initiate left tun
iop_check "IKE SA established (left)" swan_has_ike left
iop_check "IKE SA established (right)" swan_has_ike right
iop_check "CHILD_SA installed (left)" swan_has_child left
iop_check "CHILD_SA installed (right)" swan_has_child right
iop_check "ping across GRE" iop_ping $L 203.0.113.2 5
iop_check "ESP counted A->B" test "$(xfrm_pkts $L $A $B)" -ge 5
iop_check "ESP counted B->A" test "$(xfrm_pkts $R $B $A)" -ge 5
iop_check "strongSwan counts 5 packets in and out" \
	test "$(swan_pkts_in left)" -ge 5 -a "$(swan_pkts_out left)" -ge 5
swan_sas left >"$IOP_OUT/list-sas.out"
cap_stop
iop_finish
