#!/bin/sh
# Two ikerd with crypto maps whose peers are IPv6 addresses (2001:db8::1 and
# 2001:db8::5 on a veth pair between two network namespaces), the `none`
# kernel backend: the maps are applied with `ipv6 crypto map`. R1 brings up
# one IKEv1 SA pair per IPv4 LAN prefix and an IKEv2 one for its IPv6 LAN;
# R2 answers both through a dynamic map (IPv6 wildcard keys). show crypto
# map (Crypto Map IPv6, Peer = 2001:DB8::5), show crypto ipsec sa map,
# reverse routes via the IPv6 peer, clear crypto sa map, --json; ikerd -t
# on a set peer without a key; set peer failover handed across workers.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"
need_netns

a=ikm6$$a
b=ikm6$$b
netns_pair "$a" "$b"
ip -n "$a" -6 addr add 2001:db8::1/64 dev eth0 nodad || fail "IPv6 address on $a"
ip -n "$b" -6 addr add 2001:db8::5/64 dev eth0 nodad || fail "IPv6 address on $b"

cat >"$tmp/r1.conf" <<'CONF'
hostname R1
crypto isakmp policy 10
 encr aes 256
 hash sha256
 authentication pre-share
 group 14
crypto isakmp key s3cret address ipv6 2001:db8::5/128
crypto ikev2 proposal PROP
 encryption aes-cbc-256
 integrity sha256
 group 14
crypto ikev2 policy POL
 proposal PROP
crypto ikev2 keyring KR
 peer R2
  address 2001:db8::5/128
  pre-shared-key s3cret
crypto ikev2 profile P2
 match identity remote address 2001:db8::5/128
 authentication local pre-share
 authentication remote pre-share
 keyring local KR
crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac
ip access-list extended TO-R2
 permit ip 192.0.2.0 0.0.0.127 203.0.113.0 0.0.0.255
 permit ip 192.0.2.128 0.0.0.127 203.0.113.0 0.0.0.255
ipv6 access-list TO-R2-V6
 permit ipv6 2001:db8:a1::/48 2001:db8:b2::/48
crypto map CM 10 ipsec-isakmp
 set peer 2001:db8::5
 set transform-set TS
 set pfs group14
 match address TO-R2
 reverse-route
crypto map CM 20 ipsec-isakmp
 set peer 2001:db8::5
 set transform-set TS
 set ikev2-profile P2
 match address TO-R2-V6
 reverse-route
interface eth0
 ipv6 address 2001:db8::1/64
 ipv6 crypto map CM
CONF
cat >"$tmp/r2.conf" <<'CONF'
hostname R2
crypto isakmp policy 10
 encr aes 256
 hash sha256
 authentication pre-share
 group 14
crypto isakmp key s3cret address ipv6 ::/0
crypto ikev2 proposal PROP
 encryption aes-cbc-256
 integrity sha256
 group 14
crypto ikev2 policy POL
 proposal PROP
crypto ikev2 keyring KR
 peer ANY
  address ::/0
  pre-shared-key s3cret
crypto ikev2 profile P1
 match identity remote address ::/0
 authentication local pre-share
 authentication remote pre-share
 keyring local KR
crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac
crypto dynamic-map DYN 10
 set transform-set TS
 set pfs group14
 reverse-route
crypto dynamic-map DYN 20
 set transform-set TS
 set ikev2-profile P1
 reverse-route
crypto map CM 65535 ipsec-isakmp dynamic DYN
interface eth0
 ipv6 address 2001:db8::5/64
 ipv6 crypto map CM
CONF

start_daemon() {
	name=$1
	ns=$2
	shift 2
	ip netns exec "$ns" "$IKERD" -d --kernel none --workers 2 --debug isakmp,ipsec,ikev2 \
		--ctl "$tmp/$name/ctl" --pid "$tmp/$name/pid" "$@" \
		-f "$tmp/$name.conf" 2>>"$tmp/$name.err" &
	started=$!
	pids="$pids $started"
	wait_for_socket "$tmp/$name/ctl" "$started" || fail "$name did not start"
}
r1() { "$IKERCTL" --ctl "$tmp/r1/ctl" "$@"; }
r2() { "$IKERCTL" --ctl "$tmp/r2/ctl" "$@"; }

"$IKERD" -t -f "$tmp/r1.conf" >"$tmp/t.out" 2>&1 || fail "ikerd -t R1: $(cat "$tmp/t.out")"
"$IKERD" -t -f "$tmp/r2.conf" >"$tmp/t.out" 2>&1 || fail "ikerd -t R2: $(cat "$tmp/t.out")"
# K1 over IPv6: a set peer without a key is reported with the IOS fix
sed '/^crypto isakmp key/d' "$tmp/r1.conf" >"$tmp/nokey.conf"
"$IKERD" -t -f "$tmp/nokey.conf" >"$tmp/t.out" 2>&1 && fail "ikerd -t without a key passed"
grep -q "crypto map CM 10: no pre-shared key for set peer 2001:DB8::5" "$tmp/t.out" \
	|| fail "ikerd -t K1 over IPv6: $(cat "$tmp/t.out")"
# applied with crypto map (IPv4) only: the IPv6 entries never run
sed 's/^ ipv6 crypto map CM$/ crypto map CM/' "$tmp/r1.conf" >"$tmp/v4.conf"
"$IKERD" -t -f "$tmp/v4.conf" >"$tmp/t.out" 2>&1 && fail "ikerd -t with the IPv4 map passed"
grep -q "no interface applies the map to IPv6 (ipv6 crypto map)" "$tmp/t.out" \
	|| fail "ikerd -t map family: $(cat "$tmp/t.out")"

start_daemon r2 "$b" --passive
start_daemon r1 "$a" --retransmit 1

r1 show crypto map | grep -qx 'Crypto Map IPv6 "CM" 10 ipsec-isakmp' \
	|| fail "show crypto map: $(r1 show crypto map)"
r1 show crypto map | grep -qx '	Peer = 2001:DB8::5' \
	|| fail "show crypto map peer: $(r1 show crypto map)"
r1 show crypto map interface eth0 | grep -qx '		eth0' \
	|| fail "show crypto map interface: $(r1 show crypto map interface eth0)"
j='"family":"ipv6","dynamic_map":null,"description":null,"peers":\["2001:db8::5"\]'
r1 --json show crypto map | grep -q "$j" \
	|| fail "show crypto map --json: $(r1 --json show crypto map)"
r1 show running-config | grep -qx ' ipv6 crypto map CM' \
	|| fail "show running-config: $(r1 show running-config)"

# IKEv1: one SA pair per IPv4 LAN prefix, over IPv6
r1 initiate map CM 192.0.2.10 203.0.113.5 | grep -q "Initiating crypto map CM 10" \
	|| fail "initiate map (first LAN)"
wait_cmd_grep "QM_IDLE.*ACTIVE" r1 show crypto isakmp sa \
	|| fail "R1 has no QM_IDLE SA: $(r1 show crypto isakmp sa)"
wait_cmd_grep "spi: 0x" r1 show crypto ipsec sa \
	|| fail "R1 shows no SA: $(r1 show crypto ipsec sa)"
r1 initiate map CM 192.0.2.200 203.0.113.5 >/dev/null || fail "initiate map (second LAN)"
# IKEv2 for the IPv6 LAN
r1 initiate map CM 2001:db8:a1::1 2001:db8:b2::1 | grep -q "Initiating crypto map CM 20" \
	|| fail "initiate map (IPv6 LAN, IKEv2)"
n=0
while [ "$(r2 show crypto ipsec sa | grep -c '^interface: eth0')" != 3 ] && [ $n -lt 100 ]; do
	sleep 0.1
	n=$((n + 1))
done
[ "$(r2 show crypto ipsec sa | grep -c '^interface: eth0')" = 3 ] \
	|| fail "R2 has not three SA pairs: $(r2 show crypto ipsec sa)"
r1 show crypto ipsec sa | grep -q "    Crypto map tag: CM, local addr 2001:DB8::1" \
	|| fail "map tag: $(r1 show crypto ipsec sa)"
lid="local  ident (addr/mask/prot/port)" rid="remote ident (addr/mask/prot/port)"
r1 show crypto ipsec sa map CM | grep -qF "$lid: (192.0.2.128/255.255.255.128/0/0)" \
	|| fail "second LAN's SA: $(r1 show crypto ipsec sa map CM)"
r2 show crypto ipsec sa map CM | grep -qF "$rid: (192.0.2.0/255.255.255.128/0/0)" \
	|| fail "R2 dynamic entry SA: $(r2 show crypto ipsec sa map CM)"
r2 show crypto ipsec sa map CM | grep -qF "$rid: (2001:DB8:A1::/48/0/0)" \
	|| fail "R2 IPv6 LAN SA: $(r2 show crypto ipsec sa map CM)"
r1 show crypto ipsec sa map CM | grep -qi "current_peer 2001:db8::5" \
	|| fail "current peer: $(r1 show crypto ipsec sa map CM)"
r1 show crypto ikev2 sa | grep -qi "2001:db8::5" \
	|| fail "IKEv2 SA: $(r1 show crypto ikev2 sa)"
r1 --json show crypto ipsec sa map CM | grep -q '"crypto_map":"CM"' \
	|| fail "show crypto ipsec sa map --json: $(r1 --json show crypto ipsec sa map CM)"

# reverse routes via the IPv6 peer (R2: R1's two IPv4 LANs and its IPv6 LAN)
[ "$(r2 show crypto route | grep -c 'via 2001:DB8::1 tag 0')" = 3 ] \
	|| fail "R2 reverse routes: $(r2 show crypto route)"
r2 show crypto route | grep -qx '2001:DB8:A1::/48 \[1/0\] via 2001:DB8::1 tag 0' \
	|| fail "IPv6 reverse route: $(r2 show crypto route)"
r1 --json show crypto route | grep -q '"prefix":"2001:db8:b2::/48","via":"2001:db8::5"' \
	|| fail "show crypto route --json: $(r1 --json show crypto route)"

# clear crypto sa map: every pair goes, on both sides
r1 clear crypto sa map CM || fail "clear crypto sa map"
wait_cmd_nogrep "spi: 0x" r1 show crypto ipsec sa || fail "R1 kept SAs: $(r1 show crypto ipsec sa)"
wait_cmd_nogrep "spi: 0x" r2 show crypto ipsec sa || fail "R2 kept SAs: $(r2 show crypto ipsec sa)"
r1 show crypto route | grep -q 'via' && fail "reverse routes kept: $(r1 show crypto route)"
# set peer failover across workers over IPv6: the first peer (2001:db8::4,
# which does not exist) is served by the other worker (last 32 bits modulo 2)
# than the second (2001:db8::5): the failover is handed to the worker of the
# second, which brings the SA up there
sed -e 's/^ set peer 2001:db8::5$/ set peer 2001:db8::4\n set peer 2001:db8::5/' \
	-e 's|key s3cret address ipv6 2001:db8::5/128$|key s3cret address ipv6 2001:db8::/64|' \
	"$tmp/r1.conf" >"$tmp/r1f.conf" && cp "$tmp/r1f.conf" "$tmp/r1.conf"
grep -q "set peer 2001:db8::4" "$tmp/r1.conf" || fail "failover configuration"
r1 reload >/dev/null || fail "reload with two peers"
r1 initiate map CM 192.0.2.10 203.0.113.5 >/dev/null || fail "initiate map (failover)"
msg="peer 2001:DB8::4 does not answer, trying 2001:DB8::5 (on the worker thread that serves it)"
n=0
while ! grep -qF "$msg" "$tmp/r1.err" && [ $n -lt 300 ]; do
	sleep 0.1
	n=$((n + 1))
done
grep -qF "$msg" "$tmp/r1.err" \
	|| fail "failover handed to the other worker: $(tail -5 "$tmp/r1.err")"
wait_cmd_grep "spi: 0x" r1 show crypto ipsec sa map CM \
	|| fail "no SA after failover: $(r1 show crypto ipsec sa map CM)"
r1 show crypto ipsec sa map CM | grep -qi "current_peer 2001:db8::5" \
	|| fail "SA not with the second peer: $(r1 show crypto ipsec sa map CM)"
echo "PASS: crypto maps with IPv6 peers between two ikerd (IKEv1 two LANs, IKEv2 IPv6 LAN," \
	"dynamic map, shows, reverse routes, clear, failover across workers)"
