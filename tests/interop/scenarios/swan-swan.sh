#!/bin/bash
# strongSwan <-> strongSwan, IKEv1 Main Mode PSK 3des/md5/modp1024, Quick Mode
# ESP aes128/sha256 protecting GRE between the endpoints: proves the harness.
# In user-mode Linux: a ping crosses the GRE link and both kernels count ESP.
# On a kernel without ESP: only the IKE SA is checked.
. "$(dirname "$0")/../lib.sh"
trap iop_cleanup EXIT
A=198.51.100.1 B=198.51.100.2
iop_topo_pair iopL $A iopR $B || exit 1
swan_start left iopL || exit 1
swan_start right iopR || exit 1
SW_PSK=lab-psk-v1
SW_LOCAL=$A SW_REMOTE=$B swan_conf "$IOP_RUN/left.conf"
SW_LOCAL=$B SW_REMOTE=$A swan_conf "$IOP_RUN/right.conf"
swan_load left "$IOP_RUN/left.conf" || exit 1
swan_load right "$IOP_RUN/right.conf" || exit 1
esp=0; iop_have_esp iopL && esp=1
if [ $esp = 1 ]; then
	gre_link iopL gre1 $A $B 203.0.113.1/30
	gre_link iopR gre1 $B $A 203.0.113.2/30
fi
cap_start iopL eth0 "$IOP_OUT/swan-swan.pcap"
swan_initiate left tun
iop_check "IKE SA established (left)" swan_has_ike left
iop_check "IKE SA established (right)" swan_has_ike right
if [ $esp = 1 ]; then
	iop_check "CHILD_SA installed (left)" swan_has_child left
	iop_check "CHILD_SA installed (right)" swan_has_child right
	iop_check "ping across GRE" iop_ping iopL 203.0.113.2 5
	iop_check "ESP counted A->B" test "$(xfrm_pkts iopL $A $B)" -ge 5
	iop_check "ESP counted B->A" test "$(xfrm_pkts iopR $B $A)" -ge 5
	swan_sas left
else
	iop_log "no ESP in this kernel: IKE-level checks only"
fi
cap_stop
iop_finish
