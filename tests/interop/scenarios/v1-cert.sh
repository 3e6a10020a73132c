#!/bin/bash
# ikerd <-> strongSwan, IKEv1 Main Mode with certificates (RFC 2409 5.1),
# GRE protected, real ESP; and the authorization list refusing a peer whose
# certificate is valid but whose key is not the pinned one.
# Usage: v1-cert.sh CASE INITIATOR
#   rsa | ecdsa   both sides with RSA 2048 or ECDSA P-256 certificates of one
#                 CA made here with openssl; tunnel up, ping across
#   authlist      RSA; ikerd's profile pins another key for the peer's DN:
#                 ikerd refuses with "Peer Not Validated against the AuthList"
#   raw           no CA: strongSwan presents a self-signed certificate, ikerd's
#                 list (raw-public-key accept) pins its key; ikerd signs with a
#                 bare key (enrollment selfsigned) that strongSwan trusts by
#                 `pubkeys =`; tunnel up, ping across
#   INITIATOR     ikerd | peer
CASE=$1 INIT=$2
IOP_NAME=cert-$CASE-by$INIT
DIRN=by$INIT
. "$(dirname "$0")/../lib.sh"

iop_pair "c$$"
iop_peer_links gre || iop_bad "peer's GRE link"
D=$IOP_RUN/pki
mkdir -p "$D"
umask 077
case $CASE in
ecdsa) KEYOPT="-newkey ec -pkeyopt ec_paramgen_curve:P-256" AUTH=ecdsa-sig ;;
*) KEYOPT="-newkey rsa:2048" AUTH=rsa-sig ;;
esac
# A CA, and a certificate for each side (subject DN, the address as SAN).
mkcert() { # mkcert NAME CN ADDR SERIAL
	openssl req $KEYOPT -nodes -keyout "$D/$1.key" -out "$D/$1.csr" \
		-subj "/CN=$2/O=ikerd lab" 2>>"$IOP_OUT/openssl.log" &&
	printf 'subjectAltName=IP:%s\nkeyUsage=critical,digitalSignature\nbasicConstraints=CA:FALSE\n' \
		"$3" >"$D/$1.ext" &&
	openssl x509 -req -in "$D/$1.csr" -CA "$D/ca.pem" -CAkey "$D/ca.key" -set_serial "$4" \
		-days 30 -sha256 -extfile "$D/$1.ext" -out "$D/$1.pem" 2>>"$IOP_OUT/openssl.log"
}
openssl req -x509 $KEYOPT -nodes -keyout "$D/ca.key" -out "$D/ca.pem" -days 30 -sha256 \
	-subj "/CN=ikerd lab CA/O=ikerd lab" \
	-addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign,cRLSign" 2>>"$IOP_OUT/openssl.log" &&
	mkcert ik ikerd.lab "$IK_A" 2 && mkcert peer peer.lab "$PEER_A" 3 ||
	{ iop_bad "openssl: test certificates"; iop_finish; }
if [ "$CASE" = raw ]; then
	# strongSwan's certificate signed by its own key (no CA), not a CA itself
	openssl x509 -req -in "$D/peer.csr" -signkey "$D/peer.key" -set_serial 4 -days 30 \
		-sha256 -extfile "$D/peer.ext" -out "$D/peer.pem" 2>>"$IOP_OUT/openssl.log" &&
		openssl pkey -in "$D/ik.key" -pubout -out "$D/ik.pub" ||
		{ iop_bad "openssl: self-signed certificate"; iop_finish; }
fi
cp "$D/ca.pem" "$D/ik.pem" "$D/peer.pem" "$IOP_OUT/"
# swanctl reads its credentials from folders beside its configuration file
mkdir -p "$IOP_RUN/x509" "$IOP_RUN/x509ca" "$IOP_RUN/private" "$IOP_RUN/pubkey"
cp "$D/peer.pem" "$IOP_RUN/x509/" && cp "$D/ca.pem" "$IOP_RUN/x509ca/" &&
	cp "$D/peer.key" "$IOP_RUN/private/" || iop_bad "strongSwan credentials"
PEER_DN="cn=peer.lab,o=ikerd lab"
AUTHZ="" AUTHZ_REF=""
if [ "$CASE" = authlist ]; then
	# a valid key of the right type, but not the peer's
	openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:2048 -out "$D/other.key" \
		2>>"$IOP_OUT/openssl.log"
	OTHER=$(openssl pkey -in "$D/other.key" -pubout -outform DER | sha256sum | cut -d' ' -f1)
	PEERH=$(openssl x509 -in "$D/peer.pem" -pubkey -noout | openssl pkey -pubin -outform DER |
		sha256sum | cut -d' ' -f1)
	AUTHZ="crypto isakmp authorization list PINNED
 peer dn \"$PEER_DN\" key-hash sha256 $OTHER"
	AUTHZ_REF=" authorization list PINNED"
fi
# ikerd's trustpoint: the lab CA and its certificate, or (raw) its key alone
TRUST="crypto pki trustpoint LAB
 enrollment terminal
 revocation-check none
!
crypto pki import LAB pem $D/ca.pem
crypto pki import LAB pem $D/ik.pem key $D/ik.key"
REMOTE_TRUST="cacerts = ca.pem"
if [ "$CASE" = raw ]; then
	PEERH=$(openssl x509 -in "$D/peer.pem" -pubkey -noout | openssl pkey -pubin -outform DER |
		sha256sum | cut -d' ' -f1)
	AUTHZ="crypto isakmp authorization list PINNED
 peer dn \"$PEER_DN\" key-hash sha256 $PEERH
 raw-public-key accept"
	AUTHZ_REF=" authorization list PINNED"
	TRUST="crypto pki trustpoint LAB
 enrollment selfsigned
 subject-name cn=ikerd.lab,o=ikerd lab
!
crypto pki import LAB pem key $D/ik.key"
	cp "$D/ik.pub" "$IOP_RUN/pubkey/" || iop_bad "strongSwan: ikerd's public key"
	REMOTE_TRUST="pubkeys = ik.pub"
fi
cat >"$IOP_RUN/ikerd.conf" <<EOC
hostname R1
!
$TRUST
!
crypto pki certificate map PEERS 10
 subject-name co cn=peer.lab
!
$AUTHZ
!
crypto isakmp policy 10
 encr aes
 hash sha256
 authentication $AUTH
 group 19
!
crypto isakmp profile CERT
 ca trust-point LAB
 match certificate PEERS
$AUTHZ_REF
!
crypto ipsec transform-set TS esp-aes esp-sha256-hmac
 mode tunnel
!
crypto ipsec profile PROT
 set transform-set TS
 set isakmp-profile CERT
!
interface Tunnel1
 ip address 203.0.113.1 255.255.255.252
 tunnel source $IK_A
 tunnel destination $PEER_A
 tunnel protection ipsec profile PROT
!
end
EOC
cat >"$IOP_RUN/swanctl.conf" <<EOC
connections {
	peer {
		version = 1
		local_addrs = $PEER_A
		remote_addrs = $IK_A
		proposals = aes128-sha256-ecp256
		encap = no
		mobike = no
		local {
			auth = pubkey
			certs = peer.pem
		}
		remote {
			auth = pubkey
			id = "CN=ikerd.lab, O=ikerd lab"
			$REMOTE_TRUST
		}
		children {
			tun {
				local_ts = $PEER_A/32[gre]
				remote_ts = $IK_A/32[gre]
				esp_proposals = aes128-sha256
				mode = tunnel
				start_action = none
				close_action = none
			}
		}
	}
}
EOC
swan_start peer "$NS_PEER" && swan_load peer "$IOP_RUN/swanctl.conf" || {
	iop_bad "strongSwan start"; iop_finish; }
cap_start "$NS_IK" eth0 "$IOP_OUT/$IOP_NAME.pcap"
if [ "$INIT" = ikerd ]; then
	ik_start "$NS_IK" "$IOP_RUN/ikerd.conf"
else
	ik_start "$NS_IK" "$IOP_RUN/ikerd.conf" --passive
fi
lab_ikerctl "$NS_IK" debug crypto isakmp aaa >/dev/null 2>&1
lab_ikerctl "$NS_IK" debug crypto pki transactions >/dev/null 2>&1
lab_ikerctl "$NS_IK" show crypto pki certificates >"$IOP_OUT/show-pki-certificates" 2>&1
iop_check "ikerd: show crypto pki certificates lists the router's and the CA's" \
	grep -q "Associated Trustpoints: LAB" "$IOP_OUT/show-pki-certificates"
[ "$INIT" = peer ] && swan_initiate peer tun 30
SWLOG=$IOP_OUT/charon-peer.log
swlog() { grep -qF -- "$1" "$SWLOG"; }
if [ "$CASE" = authlist ]; then
	iop_check "ikerd: Peer Not Validated against the AuthList" \
		iop_wait 150 ik_trace "$NS_IK" "Peer Not Validated against the AuthList"
	iop_check "ikerd: the refusal names the key hash the peer presented" \
		ik_trace "$NS_IK" "$PEERH"
	iop_check "ikerd: %CRYPTO-4-IKMP_AUTHLIST_FAIL" ik_trace "$NS_IK" "%CRYPTO-4-IKMP_AUTHLIST_FAIL"
	iop_check "phase 1 not up on ikerd" test "$(ik_n_qm_idle "$NS_IK")" -eq 0
	iop_check "ikerd installed no ESP state" test "$(xfrm_n_states "$NS_IK")" -eq 0
else
	both_up() { ik_has_p2 "$NS_IK" && swan_has_child peer; }
	iop_check "tunnel up on both sides" iop_wait 400 both_up
	iop_check "ikerd: signature authentication" \
		ik_trace "$NS_IK" "SA is doing (RSA|ECDSA) signature authentication"
	no_invalid() { ! ik_trace "$NS_IK" "failed validation"; }
	iop_check "ikerd: no certificate failed validation" no_invalid
	# (ikerd initiating, its debug is on only after the exchange: the tunnel
	# up with no CA anywhere is the proof)
	if [ "$CASE" = raw ] && [ "$INIT" = peer ]; then
		iop_check "ikerd: strongSwan's key pinned by the list, no CA" \
			ik_trace "$NS_IK" "verified \\(key pinned by the AuthList PINNED\\)"
		iop_check "ikerd: Peer Validated against the AuthList" \
			ik_trace "$NS_IK" "Peer Validated against the AuthList PINNED"
	fi
	swan_sas peer >"$IOP_OUT/list-sas.$DIRN"
	iop_check "strongSwan: CHILD_SA installed" swan_has_child peer
	iop_check "strongSwan: authenticated ikerd's certificate" \
		swlog 'authentication of '"'"'CN=ikerd.lab, O=ikerd lab'"'"' with'
	if [ "$IOP_FAILS" -eq 0 ]; then
		iop_traffic_checks swan
	fi
fi
ik_isakmp "$NS_IK" >"$IOP_OUT/show-isakmp-sa.$DIRN"
cap_stop
ik_stop "$NS_IK"
iop_finish
