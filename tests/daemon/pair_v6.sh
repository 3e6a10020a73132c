#!/bin/sh
# Two ikerd over IPv6 (2001:db8::1 and 2001:db8::2 on a veth pair between two
# network namespaces), `none` kernel backend, two workers each: IKE on the
# AF_INET6 sockets, replies from the address the request reached
# (IPV6_PKTINFO), the worker picked by the last bytes of the IPv6 source.
#   IKEv1 (tests/daemon/r1v6.conf, r2v6.conf; K3.6, P1, P2 over IPv6): Main
#   Mode and Quick Mode complete (GRE proxy identities between the IPv6
#   tunnel endpoints); show crypto isakmp sa lists the SA under IPv6 as IOS does,
#   show crypto isakmp peers names the peer, clear crypto session remote
#   2001:db8::2 deletes it on both sides (DELETE over IPv6).
#   IKEv2 (r1v6v2.conf, r2v6v2.conf; V2-1 on ID_IPV6_ADDR): the IKE SA is
#   READY with its child, show crypto ikev2 sa remote 2001:db8::1 finds it, clear crypto
#   ikev2 sa remote deletes it on both sides.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"
need_netns

a=ik6$$a
b=ik6$$b
netns_pair "$a" "$b"
ip -n "$a" -6 addr add 2001:db8::1/64 dev eth0 nodad || fail "IPv6 address on $a"
ip -n "$b" -6 addr add 2001:db8::2/64 dev eth0 nodad || fail "IPv6 address on $b"

# start_daemon NAME NETNS CONF [OPTIONS...]
start_daemon() {
	name=$1
	ns=$2
	conf=$3
	shift 3
	mkdir -p "$tmp/$name"
	ip netns exec "$ns" "$IKERD" -d --kernel none --workers 2 --debug isakmp,ikev2 \
		--ctl "$tmp/$name/ctl" --pid "$tmp/$name/pid" "$@" \
		-f "$top_srcdir/tests/daemon/$conf" 2>>"$tmp/$name.err" &
	started=$!
	pids="$pids $started"
	wait_for_socket "$tmp/$name/ctl" "$started" || fail "$name did not start"
}
stop_daemon() {
	kill -TERM "$1"
	wait_gone "$1" || fail "ikerd $1 did not exit"
}
r1() { "$IKERCTL" --ctl "$tmp/r1/ctl" "$@"; }
r2() { "$IKERCTL" --ctl "$tmp/r2/ctl" "$@"; }

# the sockets: IPv4 and IPv6 on 500 and 4500, per worker
start_daemon r2 "$b" r2v6.conf --passive
p2=$started
ip netns exec "$b" ss -uanp >"$tmp/ss.out"
for port in 500 4500; do
	n=$(grep -c "\[::\]:$port .*ikerd" "$tmp/ss.out")
	[ "$n" = 2 ] || fail "$n IPv6 sockets on port $port, want 2: $(cat "$tmp/ss.out")"
done

# 1. IKEv1 Main Mode over IPv6, R1 initiates
start_daemon r1 "$a" r1v6.conf
p1=$started
wait_cmd_grep "^ state: QM_IDLE" r1 show crypto isakmp sa \
	|| fail "R1 has no IPv6 QM_IDLE SA: $(r1 show crypto isakmp sa)"
wait_cmd_grep "^ state: QM_IDLE" r2 show crypto isakmp sa \
	|| fail "R2 has no IPv6 QM_IDLE SA: $(r2 show crypto isakmp sa)"
r2 show crypto isakmp sa >"$tmp/sa.out"
grep -A4 "^IPv6 Crypto ISAKMP SA" "$tmp/sa.out" | tr '\n' '|' |
	grep -q "|| dst: 2001:DB8::2| src: 2001:DB8::1| state: QM_IDLE  *conn-id: *[0-9]* status: A" \
	|| fail "R2's IPv6 SA rows: $(cat "$tmp/sa.out")"
[ "$(grep -c "^ dst:" "$tmp/sa.out")" = 1 ] || fail "R2 has more than one SA: $(cat "$tmp/sa.out")"
# two workers: the socket filter reads the last four bytes of the IPv6 source
# (2001:db8::1: 1, odd), so R1's datagrams reach worker 1 (conn-ids from 101001)
grep -q "conn-id: 101001 status: ACTIVE" "$tmp/sa.out" \
	|| fail "R2's SA is not on worker 1: $(cat "$tmp/sa.out")"
grep -q "ISAKMP (0): received packet from 2001:DB8::1 dport 500 sport 500 Global (N) NEW SA" \
	"$tmp/r2.err" || fail "R2's trace lacks the first message from 2001:DB8::1"
# K3.6: the /128 key (keyring1), not keyring0's /32 one (another key: MM5 would fail)
grep -q "found peer pre-shared key matching 2001:DB8::1" "$tmp/r2.err" || fail "R2's key"
grep -q "peer matches profile1 profile" "$tmp/r2.err" || fail "R2's profile (P1)"
grep -q "Sending an IKE IPv6 Packet." "$tmp/r1.err" || fail "R1's trace"
# Quick Mode over IPv6: the GRE proxy identities are the tunnel endpoints
wait_cmd_grep "spi: 0x" r1 show crypto ipsec sa || fail "R1: no SPI: $(r1 show crypto ipsec sa)"
wait_cmd_grep "spi: 0x" r2 show crypto ipsec sa || fail "R2: no SPI: $(r2 show crypto ipsec sa)"
out1=$(r1 show crypto ipsec sa |
	sed -n 's/.*current outbound spi: \(0x[0-9A-Fa-f]*\).*/\1/p' | head -n 1)
[ -n "$out1" ] || fail "no current outbound spi on R1: $(r1 show crypto ipsec sa)"
r2 show crypto ipsec sa | grep -q "spi: $out1(" || fail "R2 does not know R1's outbound SPI $out1"
r1 show crypto ipsec sa peer 2001:db8::2 | grep -q "current_peer 2001:DB8::2 port 500" \
	|| fail "show crypto ipsec sa peer: $(r1 show crypto ipsec sa peer 2001:db8::2)"
[ -z "$(r1 show crypto ipsec sa peer 2001:db8::77)" ] || fail "show crypto ipsec sa other peer"
r1 show crypto session remote 2001:db8::2 | grep -q "Session status: UP-ACTIVE" \
	|| fail "R1 session: $(r1 show crypto session remote 2001:db8::2)"
r2 --json show crypto isakmp sa | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert len(d) == 1 and d[0]["src"] == "2001:DB8::1" and d[0]["state"] == "QM_IDLE", d' \
	|| fail "R2 JSON: $(r2 --json show crypto isakmp sa)"
r2 show crypto isakmp peers | grep -q "2001:DB8::1" \
	|| fail "R2 peers: $(r2 show crypto isakmp peers)"
r2 show crypto isakmp peers detail | grep -q "^Peer: 2001:DB8::1 Port: 500 Local: 2001:DB8::2" \
	|| fail "R2 peers detail: $(r2 show crypto isakmp peers detail)"
r1 clear crypto session remote 2001:db8::2 >/dev/null || fail "clear crypto session remote"
wait_cmd_nogrep "QM_IDLE" r2 show crypto isakmp sa \
	|| fail "R2 kept its SA after R1's DELETE: $(r2 show crypto isakmp sa)"
stop_daemon "$p1"
stop_daemon "$p2"

# 2. IKEv2 over IPv6, R1 initiates
start_daemon r2 "$b" r2v6v2.conf --passive
p2=$started
start_daemon r1 "$a" r1v6v2.conf
p1=$started
row="^[0-9]* *2001:db8::1/500 *2001:db8::2/500 *none/none *READY"
wait_cmd_grep "$row" r1 show crypto ikev2 sa || fail "R1 has no READY IKEv2 SA over IPv6: \
$(r1 show crypto ikev2 sa)"
wait_cmd_grep "READY" r2 show crypto ikev2 sa || fail "R2 has no READY IKEv2 SA: \
$(r2 show crypto ikev2 sa)"
r2 show crypto ikev2 sa | sed -n '/IPv6 Crypto IKEv2/,$p' | grep -q "2001:db8::1/500 .*READY" \
	|| fail "R2's SA not under IPv6: $(r2 show crypto ikev2 sa)"
wait_cmd_grep "Status:UP-ACTIVE, IKE count:1, CHILD count:1" r2 show crypto ikev2 session \
	|| fail "R2 session: $(r2 show crypto ikev2 session)"
r2 show crypto ikev2 sa remote 2001:db8::1 | grep -q READY \
	|| fail "show crypto ikev2 sa remote: $(r2 show crypto ikev2 sa remote 2001:db8::1)"
r2 show crypto ikev2 sa remote 2001:db8::77 | grep -q READY && fail "sa remote: another peer"
grep -q "Received identity 2001:db8::1 of type 'IPv6 address'" "$tmp/r2.err" \
	|| fail "R2's trace lacks the IPv6 identity"
r2 show crypto ikev2 stats peer 2001:db8::1 >"$tmp/ps.out" || fail "ikev2 stats peer 2001:db8::1"
grep -q "^  IKE_AUTH  *[1-9]  *[1-9]$" "$tmp/ps.out" || fail "stats peer: $(cat "$tmp/ps.out")"
r1 clear crypto ikev2 sa remote 2001:db8::2 >/dev/null || fail "clear crypto ikev2 sa remote"
wait_cmd_nogrep "READY" r2 show crypto ikev2 sa || fail "R2 kept its SA after the DELETE: \
$(r2 show crypto ikev2 sa)"
stop_daemon "$p1"
stop_daemon "$p2"
echo "PASS: pair_v6"
