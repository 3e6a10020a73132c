#!/bin/bash
# Responder selection with two keys for one peer address (rules K1, K3, K5,
# P1, P2 of spec/selection-rules.md; cf. the d-twopsk reference captures).
# ikerd: keyring1 and keyring2 both hold a key for 198.51.100.2 (different
# keys); profile1 (keyring1) matches a host that does not exist, profile2
# (keyring2) matches the strongSwan peer; the tunnel's IPsec profile sets
# isakmp-profile profile2. strongSwan: one or two connections for ikerd.
# Usage: v1-twopsk.sh CASE
#   peer-key1          strongSwan initiates with keyring1's key: ikerd picks
#                      keyring1 at MM3 (K3.6), MM5 decrypts, the peer matches
#                      profile2 (P1) whose keyrings lack keyring1: P2 aborts.
#   peer-key2          strongSwan initiates with keyring2's key: ikerd picks
#                      keyring1 at MM3, MM5 decrypts to garbage (K5).
#   ikerd-swan-first   ikerd initiates with profile2's key (K1); strongSwan's
#                      first connection (another identity, keyring1's key) is
#                      the one it picks blind at MM3: MM5 fails there.
#   ikerd-swan-second  the same with strongSwan's connections swapped: works.
CASE=$1
IOP_NAME=twopsk-$CASE
DIRN=$CASE
. "$(dirname "$0")/../lib.sh"
KEY1=psk-AAAA-for-peer-a KEY2=psk-BBBB-for-peer-b
iop_proposal 3des-md5-2
iop_pair "k$$"
iop_peer_links gre || iop_bad "peer's GRE link"
IK_KEYS="crypto keyring keyring1
 pre-shared-key address $PEER_A key $KEY1
crypto keyring keyring2
 pre-shared-key address $PEER_A key $KEY2
crypto isakmp profile profile1
 keyring keyring1
 match identity address 192.0.2.100 255.255.255.255
crypto isakmp profile profile2
 keyring keyring2
 match identity address $PEER_A 255.255.255.255"
IK_LOCAL=$IK_A IK_REMOTE=$PEER_A IK_MODE=gre IK_PROFILE=profile2 ios_conf "$IOP_RUN/ikerd.conf"

# strongSwan: connection "a" for a fictitious identity with KEY1, connection
# "b" for ikerd's identity with KEY2 (ikerd-swan-*), or one connection for
# ikerd with the key of the case (peer-key*).
swconn() { # NAME REMOTE_ID
	SW_CONN=$1 SW_REMOTE_ID=$2 SW_LOCAL=$PEER_A SW_REMOTE=$IK_A SW_TS=gre \
		swan_conf "$IOP_RUN/sw-$1.conf"
	# the connections block and the secrets block of that file
	sed -n '/^connections {/,/^}/p' "$IOP_RUN/sw-$1.conf" | sed '1d;$d' >"$IOP_RUN/sw-$1.conn"
	sed -n '/^secrets {/,/^}/p' "$IOP_RUN/sw-$1.conf" | sed '1d;$d' >"$IOP_RUN/sw-$1.sec"
}
case $CASE in
peer-key1) SW_PSK=$KEY1 swconn b "$IK_A"; order="b" ;;
peer-key2) SW_PSK=$KEY2 swconn b "$IK_A"; order="b" ;;
ikerd-swan-first) SW_PSK=$KEY1 swconn a 192.0.2.100; SW_PSK=$KEY2 swconn b "$IK_A"; order="a b" ;;
ikerd-swan-second) SW_PSK=$KEY1 swconn a 192.0.2.100; SW_PSK=$KEY2 swconn b "$IK_A"; order="b a" ;;
*) iop_bad "unknown case $CASE"; iop_finish ;;
esac
{
	echo "connections {"; for c in $order; do cat "$IOP_RUN/sw-$c.conn"; done; echo "}"
	echo "secrets {"; for c in $order; do cat "$IOP_RUN/sw-$c.sec"; done; echo "}"
} >"$IOP_RUN/swanctl.conf"
swan_start peer "$NS_PEER" && swan_load peer "$IOP_RUN/swanctl.conf" || {
	iop_bad "strongSwan start"; iop_finish; }
cap_start "$NS_IK" eth0 "$IOP_OUT/$IOP_NAME.pcap"
case $CASE in
peer-*) ik_start "$NS_IK" "$IOP_RUN/ikerd.conf" --passive ;;
*) ik_start "$NS_IK" "$IOP_RUN/ikerd.conf" ;;
esac
SWLOG=$IOP_OUT/charon-peer.log
swlog() { grep -qF -- "$1" "$SWLOG"; }

case $CASE in
peer-key1)
	swan_initiate peer tun 15
	iop_check "K3.6: ikerd, responder, picks keyring1 at MM3 (first configured)" \
		iop_wait 50 ik_trace "$NS_IK" 'ikerd:\([0-9]*\): K3.6: .*keeping the first configured, keyring1'
	iop_check "P1: the peer matches profile2" ik_trace "$NS_IK" 'peer matches profile2 profile'
	iop_check "P2: profile2's keyring is keyring2" \
		ik_trace "$NS_IK" 'Found ADDRESS key in keyring keyring2'
	iop_check "P2: keyring1 is not profile2's: aborted" \
		ik_trace "$NS_IK" 'Key not found in keyrings of profile , aborting exchange'
	iop_check "phase 1 not up on ikerd" test "$(ik_n_qm_idle "$NS_IK")" -eq 0
	iop_check "phase 1 not up on strongSwan" test "$(swan_n_ike peer)" -eq 0
	;;
peer-key2)
	swan_initiate peer tun 15
	iop_check "K3.6: ikerd, responder, picks keyring1 at MM3 (first configured)" \
		iop_wait 50 ik_trace "$NS_IK" 'ikerd:\([0-9]*\): K3.6: .*keeping the first configured, keyring1'
	# MM5 decrypted with the other key is random bytes: IOS's words for it
	# depend on which field of the garbage is checked first
	iop_check "K5: MM5 decrypted with the other key" \
		ik_trace "$NS_IK" 'reserved not zero on ID payload!|ID payload at offset [0-9]+: length'
	iop_check "K5: the hint names the key this side used" \
		ik_trace "$NS_IK" 'did not decrypt to a valid message: the pre-shared key probably differs'
	iop_check "K5: %CRYPTO-4-IKMP_BAD_MESSAGE" \
		ik_trace "$NS_IK" "%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from $PEER_A failed its sanity check or is malformed"
	iop_check "phase 1 not up on ikerd" test "$(ik_n_qm_idle "$NS_IK")" -eq 0
	iop_check "phase 1 not up on strongSwan" test "$(swan_n_ike peer)" -eq 0
	;;
ikerd-swan-first)
	: # ikerd initiated when it started
	iop_check "K1: ikerd, initiator, uses profile2's keyring2" \
		iop_wait 50 ik_trace "$NS_IK" 'Found ADDRESS key in keyring keyring2'
	iop_check "strongSwan picked connection a's key at MM3: MM5 undecryptable" \
		iop_wait 150 swlog 'invalid ID_V1 payload length, decryption failed?'
	iop_check "phase 1 not up on strongSwan" test "$(swan_n_ike peer)" -eq 0
	iop_check "phase 1 not up on ikerd" test "$(ik_n_qm_idle "$NS_IK")" -eq 0
	;;
ikerd-swan-second)
	: # ikerd initiated when it started
	iop_check "K1: ikerd, initiator, uses profile2's keyring2" \
		iop_wait 50 ik_trace "$NS_IK" 'Found ADDRESS key in keyring keyring2'
	iop_check "ikerd: IPsec SA pair up" iop_wait 300 ik_has_p2 "$NS_IK"
	iop_check "strongSwan: CHILD_SA installed" iop_wait 100 swan_has_child peer
	iop_check "strongSwan used connection b" swlog 'IKE_SA b['
	iop_check "ping across the tunnel" iop_ping "$NS_IK" 203.0.113.2 3
	;;
esac
ik_isakmp "$NS_IK" >"$IOP_OUT/show-isakmp-sa.after"
swan_sas peer >"$IOP_OUT/list-sas.after"
cap_stop
ik_stop "$NS_IK"
iop_finish
