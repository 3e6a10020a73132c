#!/bin/sh
# ip tcp adjust-mss, on the build host's kernel: the nftables clamp that ikerd
# installs for a tunnel link (vti/mss.h, through kern_probe mss) rewrites the
# MSS of TCP SYNs. Three network namespaces: a client, a router and a server;
# the router's link to the server is named ik-tun1, like a tunnel link. A SYN
# from the client (MSS 1460 on a 1500-byte veth) reaches the server with MSS
# 1300 while the clamp is there, and with 1460 again once it is removed.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"
need_netns
command -v tcpdump >/dev/null || { echo "SKIP: tcpdump missing (apt-get install tcpdump)"; exit 77; }
probe=$top_builddir/tests/lab/kern_probe
[ -x "$probe" ] || fail "$probe is not built"

c=ikm$$c
r=ikm$$r
s=ikm$$s
for ns in "$c" "$r" "$s"; do
	ip netns add "$ns" || fail "ip netns add $ns"
	namespaces="$namespaces $ns"
	ip -n "$ns" link set lo up
done
ip -n "$c" link add eth0 type veth peer name eth0 netns "$r" || fail "veth c-r"
ip -n "$r" link add ik-tun1 type veth peer name eth0 netns "$s" || fail "veth r-s"
ip -n "$c" addr add 192.0.2.2/25 dev eth0
ip -n "$r" addr add 192.0.2.1/25 dev eth0
ip -n "$r" addr add 203.0.113.1/24 dev ik-tun1
ip -n "$s" addr add 203.0.113.2/24 dev eth0
ip -n "$c" link set eth0 up
ip -n "$r" link set eth0 up
ip -n "$r" link set ik-tun1 up
ip -n "$s" link set eth0 up
ip -n "$c" route add default via 192.0.2.1
ip -n "$s" route add default via 203.0.113.1
ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1 || fail "ip_forward"

# syn_mss: one SYN from the client to the server; prints the MSS the server saw
syn_mss() {
	: >"$tmp/dump"
	ip netns exec "$s" tcpdump -n -l -i eth0 -c 1 'tcp[tcpflags] & tcp-syn != 0' \
		>"$tmp/dump" 2>&1 &
	dump=$!
	pids="$pids $dump"
	wait_grep "$tmp/dump" "listening on" || fail "tcpdump did not start: $(cat "$tmp/dump")"
	ip netns exec "$c" timeout 3 bash -c 'exec 3<>/dev/tcp/203.0.113.2/9' 2>/dev/null
	wait_grep "$tmp/dump" "Flags \[S\]" || fail "no SYN seen: $(cat "$tmp/dump")"
	kill "$dump" 2>/dev/null
	sed -n 's/.*mss \([0-9]*\).*/\1/p' "$tmp/dump" | head -n 1
}

[ "$(syn_mss)" = 1460 ] || fail "the SYN's MSS without a clamp: $(cat "$tmp/dump")"
ip netns exec "$r" "$probe" mss ik-tun1 1300 >"$tmp/probe" 2>&1 || fail "clamp: $(cat "$tmp/probe")"
ip netns exec "$r" nft list table ip ikerd | grep -q "maxseg size set 1300" \
	|| fail "no rule in table ip ikerd"
[ "$(syn_mss)" = 1300 ] || fail "the SYN's MSS with the clamp: $(cat "$tmp/dump")"
ip netns exec "$r" "$probe" mss ik-tun1 0 >"$tmp/probe" 2>&1 || fail "unclamp: $(cat "$tmp/probe")"
[ "$(syn_mss)" = 1460 ] || fail "the SYN's MSS after removal: $(cat "$tmp/dump")"
ip netns exec "$r" "$probe" flush >"$tmp/probe" 2>&1 || fail "flush: $(cat "$tmp/probe")"
ip netns exec "$r" nft list table ip ikerd >/dev/null 2>&1 && fail "flush left table ip ikerd"
echo "PASS: mss (a SYN's MSS 1460, clamped to 1300, 1460 again)"
