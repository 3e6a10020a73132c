# Helpers of the load tests and benchmarks (sourced after tests/daemon/lib.sh):
# an initiator namespace and a responder namespace joined by a veth pair.
#   initiator side: 198.51.100.0/24 (ikeload's tunnel sources) and
#                   192.0.2.0/24 (spoofed flood sources), eth0
#   responder side: 203.0.113.0/24, eth0
# Both sides get permanent neighbour entries for every address of the other,
# so that no ARP resolution stalls the first messages of a run.
IKELOAD=$top_builddir/tests/bench/ikeload

# load_topo INS RNS: creates both namespaces (registered for cleanup).
load_topo() {
	ip netns add "$1" || fail "ip netns add $1"
	namespaces="$namespaces $1"
	ip netns add "$2" || fail "ip netns add $2"
	namespaces="$namespaces $2"
	ip -n "$1" link add eth0 type veth peer name eth0 netns "$2" || fail "veth"
	ip -n "$1" addr add 198.51.100.1/24 dev eth0
	ip -n "$2" addr add 203.0.113.1/24 dev eth0
	for ns in "$1" "$2"; do
		ip -n "$ns" link set lo up
		ip -n "$ns" link set eth0 up
	done
	ip -n "$1" route add 203.0.113.0/24 dev eth0
	ip -n "$2" route add 198.51.100.0/24 dev eth0
	ip -n "$2" route add 192.0.2.0/24 dev eth0
	LOAD_IMAC=$(ip netns exec "$1" cat /sys/class/net/eth0/address)
	LOAD_RMAC=$(ip netns exec "$2" cat /sys/class/net/eth0/address)
	LOAD_INS=$1
	LOAD_RNS=$2
}

# flood_topo PREFIX: the topology of the flood tests: load_topo PREFIXi
# PREFIXr, 10 tunnel sources from 198.51.100.10, 200 flood addresses from
# 192.0.2.10, the responder at 203.0.113.10, and the legitimate late peer
# 198.51.100.200 in its own namespace PREFIXl (FLOOD_LNS) and link.
flood_topo() {
	load_topo "$1i" "$1r"
	FLOOD_LNS=$1l
	ip netns add "$FLOOD_LNS" || fail "ip netns add"
	namespaces="$namespaces $FLOOD_LNS"
	ip -n "$FLOOD_LNS" link add eth0 type veth peer name eth1 netns "$LOAD_RNS" || fail "veth"
	ip -n "$FLOOD_LNS" addr add 198.51.100.200/32 dev eth0
	ip -n "$FLOOD_LNS" link set lo up
	ip -n "$FLOOD_LNS" link set eth0 up
	ip -n "$LOAD_RNS" link set eth1 up
	ip -n "$FLOOD_LNS" route add 203.0.113.0/24 dev eth0
	ip -n "$LOAD_RNS" route add 198.51.100.200/32 dev eth1
	load_addrs i 198.51.100.10 10
	load_addrs i 192.0.2.10 200
	load_addrs r 203.0.113.10 1
}

# load_addrs SIDE FIRST COUNT: adds COUNT consecutive /32 addresses from FIRST
# on SIDE (i or r) and the matching permanent neighbour entries on the other.
load_addrs() {
	python3 - "$2" "$3" <<'EOF' >"$tmp/addrs.$$"
import ipaddress, sys
a = ipaddress.IPv4Address(sys.argv[1])
for i in range(int(sys.argv[2])):
    print(a + i)
EOF
	if [ "$1" = i ]; then
		ns=$LOAD_INS; other=$LOAD_RNS; mac=$LOAD_IMAC
	else
		ns=$LOAD_RNS; other=$LOAD_INS; mac=$LOAD_RMAC
	fi
	sed "s|.*|address add &/32 dev eth0|" "$tmp/addrs.$$" | ip -n "$ns" -force -batch - \
		2>/dev/null
	sed "s|.*|neigh replace & lladdr $mac dev eth0 nud permanent|" "$tmp/addrs.$$" |
		ip -n "$other" -force -batch - || fail "neighbour entries"
	rm -f "$tmp/addrs.$$"
}

# proc_rss_kb PID / proc_cpu_ticks PID (utime + stime)
proc_rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
proc_cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
