#!/bin/sh
# Two ikerd with crypto maps (policy-based IPsec from access lists) in two
# network namespaces joined by a veth pair, with the `none` kernel backend:
# R1 brings up one SA pair per LAN prefix (initiate map, as a ping would),
# R2 answers through a dynamic map; show crypto map, show access-lists,
# show crypto ipsec sa map, clear crypto sa map, each also in JSON; reverse
# routes (show crypto route: with the SA pairs, and static ones from start).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"
need_netns

a=ikm$$a
b=ikm$$b
netns_pair "$a" "$b"

cat >"$tmp/r1.conf" <<'CONF'
hostname R1
crypto isakmp policy 10
 encr aes 256
 hash sha256
 authentication pre-share
 group 14
crypto isakmp key s3cret address 198.51.100.2
crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac
ip access-list extended TO-R2
 remark two LANs behind R1
 permit ip 192.0.2.0 0.0.0.127 203.0.113.0 0.0.0.255
 permit ip 192.0.2.128 0.0.0.127 203.0.113.0 0.0.0.255
crypto map CM 10 ipsec-isakmp
 set peer 198.51.100.2
 set transform-set TS
 set pfs group14
 match address TO-R2
 reverse-route
ip access-list extended SPARE
 permit ip 192.0.2.0 0.0.0.255 198.18.0.0 0.0.255.255
crypto map CM 20 ipsec-isakmp
 set peer 198.51.100.2
 set transform-set TS
 match address SPARE
 reverse-route static
ipv6 access-list V6
 permit ipv6 2001:db8:1::/48 2001:db8:2::/48
crypto map CM 30 ipsec-isakmp
 set peer 198.51.100.2
 set transform-set TS
 set pfs group14
 match address V6
interface eth0
 ip address 198.51.100.1 255.255.255.0
 crypto map CM
CONF
cat >"$tmp/r2.conf" <<'CONF'
hostname R2
crypto isakmp policy 10
 encr aes 256
 hash sha256
 authentication pre-share
 group 14
crypto isakmp key s3cret address 0.0.0.0 0.0.0.0
crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac
crypto dynamic-map DYN 10
 set transform-set TS
 set pfs group14
 reverse-route
crypto map CM 65535 ipsec-isakmp dynamic DYN
interface eth0
 ip address 198.51.100.2 255.255.255.0
 crypto map CM
CONF

start_daemon() {
	name=$1
	ns=$2
	shift 2
	ip netns exec "$ns" "$IKERD" -d --kernel none --workers 2 --debug isakmp,ipsec \
		--ctl "$tmp/$name/ctl" --pid "$tmp/$name/pid" "$@" \
		-f "$tmp/$name.conf" 2>>"$tmp/$name.err" &
	started=$!
	pids="$pids $started"
	wait_for_socket "$tmp/$name/ctl" "$started" || fail "$name did not start"
}
r1() { "$IKERCTL" --ctl "$tmp/r1/ctl" "$@"; }
r2() { "$IKERCTL" --ctl "$tmp/r2/ctl" "$@"; }

"$IKERD" -t -f "$tmp/r1.conf" >"$tmp/t.out" 2>&1 || fail "ikerd -t R1: $(cat "$tmp/t.out")"
start_daemon r2 "$b" --passive
start_daemon r1 "$a" --retransmit 1

# the configuration-side shows
r1 show crypto map | grep -qx 'Crypto Map IPv4 "CM" 10 ipsec-isakmp' \
	|| fail "show crypto map: $(r1 show crypto map)"
line2='	    access-list TO-R2 permit ip 192.0.2.128 0.0.0.127 203.0.113.0 0.0.0.255'
r1 show crypto map | grep -qx "$line2" \
	|| fail "show crypto map ACL lines: $(r1 show crypto map)"
r1 show crypto map interface eth0 | grep -qx '		eth0' \
	|| fail "show crypto map interface: $(r1 show crypto map interface eth0)"
r2 show crypto map | grep -qx '	Dynamic map template tag: DYN' \
	|| fail "R2 show crypto map: $(r2 show crypto map)"
r1 show access-lists | grep -qx '    20 permit ip 192.0.2.128 0.0.0.127 203.0.113.0 0.0.0.255' \
	|| fail "show access-lists: $(r1 show access-lists)"
# --kernel none: no SA counters, so no hit counts (null), not 0
r1 --json show access-lists | grep -q '"matches":null,' \
	|| fail "show access-lists --json: $(r1 --json show access-lists)"
r1 --json show access-lists | grep -q '"matches":[0-9]' \
	&& fail "show access-lists --json counts without a kernel: $(r1 --json show access-lists)"
r1 show crypto map | grep -q 'Packets through its SAs' \
	&& fail "show crypto map counts without a kernel: $(r1 show crypto map)"
r1 --json show crypto map | grep -q '"access_list":"TO-R2"' \
	|| fail "show crypto map --json: $(r1 --json show crypto map)"
r1 show access-lists NOPE >/dev/null 2>&1 && fail "show access-lists of an unknown list"
r1 initiate map CM 10.9.9.9 203.0.113.5 >"$tmp/no.out" 2>&1 && fail "a packet no entry protects"
grep -q "no entry of crypto map CM protects 10.9.9.9 -> 203.0.113.5" "$tmp/no.out" \
	|| fail "initiate map refusal: $(cat "$tmp/no.out")"

# reverse-route static: from start, without SA
r1 show crypto route | grep -qx '198.18.0.0/255.255.0.0 \[1/0\] via 198.51.100.2 tag 0' \
	|| fail "static reverse route: $(r1 show crypto route)"
r1 show crypto route | grep -q 'on eth0 RRI S$' \
	|| fail "static reverse route flag: $(r1 show crypto route)"
r1 show crypto route | grep -q '203.0.113.0' && fail "reverse route without SA"

# one SA pair per LAN prefix
r1 initiate map CM 192.0.2.10 203.0.113.5 | grep -q "Initiating crypto map CM 10" \
	|| fail "initiate map (first LAN)"
wait_cmd_grep "QM_IDLE.*ACTIVE" r1 show crypto isakmp sa \
	|| fail "R1 has no QM_IDLE SA: $(r1 show crypto isakmp sa)"
wait_cmd_grep "spi: 0x" r1 show crypto ipsec sa || fail "R1 shows no SA: $(r1 show crypto ipsec sa)"
r1 initiate map CM 192.0.2.200 203.0.113.5 >/dev/null || fail "initiate map (second LAN)"
n=0
while [ "$(r2 show crypto ipsec sa | grep -c '^interface: eth0')" != 2 ] && [ $n -lt 100 ]; do
	sleep 0.1
	n=$((n + 1))
done
[ "$(r2 show crypto ipsec sa | grep -c '^interface: eth0')" = 2 ] \
	|| fail "R2 has not two SA pairs: $(r2 show crypto ipsec sa)"
r1 show crypto ipsec sa | grep -q "    Crypto map tag: CM, local addr 198.51.100.1" \
	|| fail "map tag: $(r1 show crypto ipsec sa)"
lid="local  ident (addr/mask/prot/port)" rid="remote ident (addr/mask/prot/port)"
r1 show crypto ipsec sa map CM | grep -qF "$lid: (192.0.2.128/255.255.255.128/0/0)" \
	|| fail "second LAN's SA: $(r1 show crypto ipsec sa map CM)"
r2 show crypto ipsec sa map CM | grep -qF "$rid: (192.0.2.0/255.255.255.128/0/0)" \
	|| fail "R2 dynamic entry SA: $(r2 show crypto ipsec sa map CM)"
r1 --json show crypto ipsec sa map CM | grep -q '"crypto_map":"CM"' \
	|| fail "show crypto ipsec sa map --json: $(r1 --json show crypto ipsec sa map CM)"
[ -z "$(r1 show crypto ipsec sa map OTHER)" ] || fail "show crypto ipsec sa map of another map"

# reverse-route: one route per remote subnet while its pairs are up (R1: one
# subnet for both lines; R2: R1's two LANs)
r1 show crypto route | grep -qx '203.0.113.0/255.255.255.0 \[1/0\] via 198.51.100.2 tag 0' \
	|| fail "reverse route of the SA pairs: $(r1 show crypto route)"
[ "$(r2 show crypto route | grep -c 'via 198.51.100.1 tag 0')" = 2 ] \
	|| fail "R2 reverse routes: $(r2 show crypto route)"
r1 --json show crypto route | grep -q '"prefix":"203.0.113.0/24","via":"198.51.100.2"' \
	|| fail "show crypto route --json: $(r1 --json show crypto route)"
# SA pairs up, but no kernel (--kernel none): still no count, not a made-up 0
r1 show crypto map | grep -q 'Packets through its SAs' \
	&& fail "per entry counts without a kernel: $(r1 show crypto map)"
r1 --json show crypto map | grep -q '"packets":null' \
	|| fail "show crypto map --json packets: $(r1 --json show crypto map)"

# an IPv6 access list over the IPv4 peers: IPv6 proxy identities
r1 show access-lists V6 | grep -qx '    permit ipv6 2001:DB8:1::/48 2001:DB8:2::/48 sequence 10' \
	|| fail "show access-lists of an IPv6 list: $(r1 show access-lists V6)"
r1 initiate map CM 2001:db8:1::1 2001:db8:2::1 | grep -q "Initiating crypto map CM 30" \
	|| fail "initiate map with IPv6 addresses"
wait_cmd_grep "remote ident (addr/mask/prot/port): (2001:DB8:1::/48/0/0)" r2 show crypto ipsec sa map CM \
	|| fail "R2 has no IPv6 SA pair: $(r2 show crypto ipsec sa map CM)"

# clear crypto sa map: both pairs go, on both sides (delete notifications)
r1 clear crypto sa map CM || fail "clear crypto sa map"
wait_cmd_nogrep "spi: 0x" r1 show crypto ipsec sa || fail "R1 kept SAs: $(r1 show crypto ipsec sa)"
wait_cmd_nogrep "spi: 0x" r2 show crypto ipsec sa || fail "R2 kept SAs: $(r2 show crypto ipsec sa)"
r1 clear crypto sa map NOPE >/dev/null 2>&1 && fail "clear crypto sa map of an unknown map"
r1 show crypto route | grep -q '203.0.113.0' && fail "reverse route kept: $(r1 show crypto route)"
r1 show crypto route | grep -q '198.18.0.0' || fail "static reverse route removed"

# set peer failover across workers: R1's first peer (198.51.100.3) does not
# exist and is served by the other worker (addresses modulo 2) than the
# second (198.51.100.2): the failover is handed to the worker of the second
sed -e 's/^ set peer 198.51.100.2$/ set peer 198.51.100.3\n set peer 198.51.100.2/' \
	-e 's/^crypto isakmp key s3cret address 198.51.100.2$/&\ncrypto isakmp key s3cret address 198.51.100.3/' \
	"$tmp/r1.conf" >"$tmp/r1f.conf" && cp "$tmp/r1f.conf" "$tmp/r1.conf"
grep -q "set peer 198.51.100.3" "$tmp/r1.conf" || fail "failover configuration"
r1 reload >/dev/null || fail "reload with two peers"
r1 initiate map CM 192.0.2.10 203.0.113.5 >/dev/null || fail "initiate map (failover)"
n=0
while ! grep -q "trying 198.51.100.2 (on the worker thread that serves it)" "$tmp/r1.err" &&
	[ $n -lt 300 ]; do
	sleep 0.1
	n=$((n + 1))
done
grep -q "peer 198.51.100.3 does not answer, trying 198.51.100.2 (on the worker thread that serves it)" \
	"$tmp/r1.err" || fail "failover handed to the other worker: $(tail -5 "$tmp/r1.err")"
wait_cmd_grep "spi: 0x" r1 show crypto ipsec sa map CM \
	|| fail "no SA after failover: $(r1 show crypto ipsec sa map CM)"
r1 show crypto ipsec sa map CM | grep -q "current_peer 198.51.100.2" \
	|| fail "SA not with the second peer: $(r1 show crypto ipsec sa map CM)"
echo "PASS: crypto maps between two ikerd (two LAN prefixes, dynamic map, shows, clear, reverse routes, failover across workers)"
