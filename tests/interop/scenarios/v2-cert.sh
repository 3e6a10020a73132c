#!/bin/bash
# ikerd <-> strongSwan, IKEv2 IKE_AUTH with certificates (RFC 7296 2.15,
# 3.6-3.8), GRE protected, real ESP; and the authorization list refusing a
# peer whose certificate is valid but whose key is not the pinned one.
# strongSwan names itself by its certificate's DN: ikerd chooses its profile
# by certificate map.
# Usage: v2-cert.sh CASE INITIATOR
#   rsa | ecdsa   both sides with RSA 2048 or ECDSA P-256 certificates of one
#                 CA made here with openssl; tunnel up, ping across
#   authlist      RSA; ikerd's profile pins another key for the peer's DN:
#                 ikerd refuses with "Peer Not Validated against the AuthList"
#   raw           no CA: strongSwan presents a self-signed certificate, ikerd's
#                 list (raw-public-key accept) pins its key; ikerd signs with a
#                 bare key (enrollment selfsigned) that strongSwan trusts by
#                 `pubkeys =`; tunnel up, ping across
#   rawbad        as raw, but ikerd's list pins another key: refused with the
#                 AuthList line naming the hash strongSwan's certificate holds
#   digsig        RSA, ikerd's profile says `authentication local rsa-sig
#                 digital-signature`: ikerd signs with RFC 7427 (method 14,
#                 SHA-256, which strongSwan announced)
#   INITIATOR     ikerd | peer
CASE=$1 INIT=$2
IOP_NAME=v2-cert-$CASE-by$INIT
DIRN=by$INIT
. "$(dirname "$0")/../lib.sh"
iop_need_v2

iop_pair "w$$"
iop_peer_links gre || iop_bad "peer's GRE link"
D=$IOP_RUN/pki
mkdir -p "$D"
umask 077
case $CASE in
ecdsa) KEYOPT="-newkey ec -pkeyopt ec_paramgen_curve:P-256" AUTH=ecdsa-sig ;;
*) KEYOPT="-newkey rsa:2048" AUTH=rsa-sig ;;
esac
AUTH_LOCAL=$AUTH
[ "$CASE" = digsig ] && AUTH_LOCAL="$AUTH digital-signature"
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
case $CASE in
raw | rawbad)
	# strongSwan's certificate signed by its own key (no CA), not a CA itself
	openssl x509 -req -in "$D/peer.csr" -signkey "$D/peer.key" -set_serial 4 -days 30 \
		-sha256 -extfile "$D/peer.ext" -out "$D/peer.pem" 2>>"$IOP_OUT/openssl.log" &&
		openssl pkey -in "$D/ik.key" -pubout -out "$D/ik.pub" ||
		{ iop_bad "openssl: self-signed certificate"; iop_finish; }
	;;
esac
cp "$D/ca.pem" "$D/ik.pem" "$D/peer.pem" "$IOP_OUT/"
mkdir -p "$IOP_RUN/x509" "$IOP_RUN/x509ca" "$IOP_RUN/private" "$IOP_RUN/pubkey"
cp "$D/peer.pem" "$IOP_RUN/x509/" && cp "$D/ca.pem" "$IOP_RUN/x509ca/" &&
	cp "$D/peer.key" "$IOP_RUN/private/" || iop_bad "strongSwan credentials"
PEER_DN="cn=peer.lab,o=ikerd lab"
PEERH=$(openssl x509 -in "$D/peer.pem" -pubkey -noout | openssl pkey -pubin -outform DER |
	sha256sum | cut -d' ' -f1)
AUTHZ="" AUTHZ_REF=""
# ikerd's trustpoint: the lab CA and its certificate, or (raw) its key alone
TRUST="crypto pki trustpoint LAB
 enrollment terminal
 revocation-check none
!
crypto pki import LAB pem $D/ca.pem
crypto pki import LAB pem $D/ik.pem key $D/ik.key"
REMOTE_TRUST="cacerts = ca.pem"
if [ "$CASE" = authlist ]; then
	openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:2048 -out "$D/other.key" \
		2>>"$IOP_OUT/openssl.log"
	OTHER=$(openssl pkey -in "$D/other.key" -pubout -outform DER | sha256sum | cut -d' ' -f1)
	AUTHZ="crypto isakmp authorization list PINNED
 peer dn \"$PEER_DN\" key-hash sha256 $OTHER"
	AUTHZ_REF=" authorization list PINNED"
fi
if [ "$CASE" = raw ] || [ "$CASE" = rawbad ]; then
	PIN=$PEERH
	if [ "$CASE" = rawbad ]; then
		openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:2048 -out "$D/other.key" \
			2>>"$IOP_OUT/openssl.log"
		PIN=$(openssl pkey -in "$D/other.key" -pubout -outform DER | sha256sum |
			cut -d' ' -f1)
	fi
	AUTHZ="crypto isakmp authorization list PINNED
 peer dn \"$PEER_DN\" key-hash sha256 $PIN
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
crypto ikev2 proposal PROP
 encryption aes-cbc-256
 integrity sha256
 group 14
!
crypto ikev2 policy POL
 proposal PROP
!
crypto ikev2 profile CERT
 match certificate PEERS
 match identity remote address $PEER_A 255.255.255.255
 identity local address $IK_A
 authentication remote $AUTH
 authentication local $AUTH_LOCAL
 pki trustpoint LAB
$AUTHZ_REF
!
crypto ipsec transform-set TS esp-aes esp-sha256-hmac
 mode tunnel
!
crypto ipsec profile PROT
 set transform-set TS
 set ikev2-profile CERT
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
		version = 2
		local_addrs = $PEER_A
		remote_addrs = $IK_A
		proposals = aes256-sha256-modp2048
		encap = no
		mobike = no
		local {
			auth = pubkey
			certs = peer.pem
		}
		remote {
			auth = pubkey
			id = $IK_A
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
# debug crypto pki transactions from the start (ikerd initiates at once)
if [ "$INIT" = ikerd ]; then
	ik_start_v2 "$NS_IK" "$IOP_RUN/ikerd.conf" --debug pki-transactions
else
	ik_start_v2 "$NS_IK" "$IOP_RUN/ikerd.conf" --debug pki-transactions --passive
fi
[ "$INIT" = peer ] && swan_initiate peer tun 30
SWLOG=$IOP_OUT/charon-peer.log
swlog() { grep -qF -- "$1" "$SWLOG"; }
if [ "$CASE" = authlist ] || [ "$CASE" = rawbad ]; then
	iop_check "ikerd: Peer Not Validated against the AuthList" \
		iop_wait 150 ik_trace "$NS_IK" "Peer Not Validated against the AuthList"
	iop_check "ikerd: the refusal names the key hash the peer presented" \
		ik_trace "$NS_IK" "$PEERH"
	iop_check "ikerd: %CRYPTO-4-IKMP_AUTHLIST_FAIL" ik_trace "$NS_IK" "%CRYPTO-4-IKMP_AUTHLIST_FAIL"
	iop_check "ikerd installed no ESP state" test "$(xfrm_n_states "$NS_IK")" -eq 0
else
	both_up() { ik_has_p2 "$NS_IK" && swan_has_child peer; }
	iop_check "tunnel up on both sides" iop_wait 400 both_up
	iop_check "ikerd: verified strongSwan's signature" \
		ik_trace "$NS_IK" "CRYPTO_PKI: signature of cn=peer.lab"
	if [ "$CASE" = raw ]; then
		SELFL="self-signed certificate of cn=peer.lab,o=ikerd lab: key sha256 $PEERH"
		iop_check "ikerd: strongSwan's self-signed certificate, checked by the list" \
			ik_trace "$NS_IK" "$SELFL, checked against the AuthList PINNED"
		iop_check "ikerd: strongSwan's key pinned by the list, no CA" \
			ik_trace "$NS_IK" "verified \\(key pinned by the AuthList PINNED\\)"
	fi
	iop_check "ikerd: peer authentication PASSED" \
		ik_trace "$NS_IK" "Verification of peer's authentication data PASSED"
	# we announce SIGNATURE_HASH_ALGORITHMS: strongSwan signs with RFC 7427
	iop_check "ikerd: strongSwan's AUTH was a digital signature (method 14)" \
		ik_trace "$NS_IK" "Peer's AUTH: digital signature \\(RFC 7427\\) \\(method 14\\)"
	no_invalid() { ! ik_trace "$NS_IK" "failed validation"; }
	iop_check "ikerd: no certificate failed validation" no_invalid
	swan_sas peer >"$IOP_OUT/list-sas.$DIRN"
	iop_check "strongSwan: CHILD_SA installed" swan_has_child peer
	iop_check "strongSwan: authenticated ikerd's certificate" \
		swlog 'authentication of '"'$IK_A'"' with'
	if [ "$CASE" = digsig ]; then
		iop_check "ikerd: signed with RFC 7427 (method 14)" \
			ik_trace "$NS_IK" "Generating AUTH payload: digital signature \\(RFC 7427\\)"
		iop_check "strongSwan: verified ikerd's RSA_EMSA_PKCS1_SHA2_256 signature" \
			swlog 'authentication of '"'$IK_A'"' with RSA_EMSA_PKCS1_SHA2_256 successful'
	fi
	if [ "$IOP_FAILS" -eq 0 ]; then
		iop_traffic_checks swan
	fi
fi
ik_v2_sa "$NS_IK" >"$IOP_OUT/show-ikev2-sa.$DIRN"
cap_stop
ik_stop "$NS_IK"
iop_finish
