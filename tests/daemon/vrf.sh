#!/bin/sh
# Front-door VRF sockets: a keyring bound to fVRF RED makes every worker open
# a socket pair on ports 500 and 4500 bound to the device RED, next to the
# global pair; a VRF whose device does not exist is reported and skipped; a
# VRF that a reload adds gets its sockets too. A tunnel source that is not a
# configured interface is the Linux interface of that name.
# (Any device will do for SO_BINDTODEVICE; a veth stands in for the VRF.)
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"
need_netns
command -v ss >/dev/null || { echo "SKIP: needs ss"; exit 77; }

ns=ikd$$v
ip netns add "$ns" || fail "ip netns add"
namespaces="$ns"
ip -n "$ns" link set lo up
ip -n "$ns" link add RED type veth peer name RED-peer || fail "veth"
ip -n "$ns" link set RED up

ip -n "$ns" addr add 192.0.2.77/32 dev RED

# tunnel source: a Linux interface (not one of the configuration) by name
cat >"$tmp/vrf.conf" <<'CONF'
interface Tunnel5
 ip address 192.0.2.133 255.255.255.252
 tunnel source RED
 tunnel destination 198.51.100.9
interface Tunnel6
 ip address 192.0.2.137 255.255.255.252
 tunnel source NOPE
 tunnel destination 198.51.100.10
crypto keyring global
  pre-shared-key address 198.51.100.2 key k1
crypto keyring red vrf RED
  pre-shared-key address 198.51.100.2 key k2
crypto keyring blue vrf BLUE
  pre-shared-key address 198.51.100.3 key k3
CONF
ip netns exec "$ns" "$IKERD" -d --kernel none --passive --workers 2 --ctl "$tmp/ctl" \
	--pid "$tmp/pid" -f "$tmp/vrf.conf" 2>"$tmp/vrf.err" &
pid=$!
pids="$pids $pid"
wait_for_socket "$tmp/ctl" "$pid" || fail "ikerd did not start"

ip netns exec "$ns" ss -uanp >"$tmp/ss.out"
# two workers, each with an IPv4 and an IPv6 socket per port and VRF
for port in 500 4500; do
	for fam in 0.0.0.0 '\[::\]'; do
		n=$(grep -c "$fam%RED:$port .*ikerd" "$tmp/ss.out")
		[ "$n" = 2 ] || fail "$n $fam sockets bound to RED on port $port, want 2: \
$(cat "$tmp/ss.out")"
		n=$(grep -c "$fam:$port .*ikerd" "$tmp/ss.out")
		[ "$n" = 2 ] || fail "$n $fam global sockets on port $port, want 2: \
$(cat "$tmp/ss.out")"
	done
done
grep -q "%IKERD-3-VRF: fVRF BLUE: .*No such device" "$tmp/vrf.err" \
	|| fail "missing VRF device not reported: $(cat "$tmp/vrf.err")"
"$IKERCTL" --ctl "$tmp/ctl" show crypto isakmp key | grep -q "^red " || fail "show key"
grep -q "%LINK-3-UPDOWN: Interface Tunnel5, changed state to up" "$tmp/vrf.err" \
	|| fail "Tunnel5 (source RED) not up: $(cat "$tmp/vrf.err")"
grep -q "%IKERD-3-TUNNEL: Tunnel6 (line 5): tunnel source NOPE is neither" "$tmp/vrf.err" \
	|| fail "Tunnel6 (source NOPE) not reported: $(cat "$tmp/vrf.err")"

# a VRF added by a reload gets its sockets on every worker, and so does one
# whose device appeared since
ip -n "$ns" link add GREEN type veth peer name GREEN-peer || fail "veth GREEN"
ip -n "$ns" link add BLUE type veth peer name BLUE-peer || fail "veth BLUE"
printf 'crypto keyring green vrf GREEN\n  pre-shared-key address 198.51.100.4 key k4\n' \
	>>"$tmp/vrf.conf"
"$IKERCTL" --ctl "$tmp/ctl" reload >/dev/null || fail "reload with VRF GREEN"
ip netns exec "$ns" ss -uanp >"$tmp/ss2.out"
for vrf in GREEN BLUE; do
	for port in 500 4500; do
		n=$(grep -c "0.0.0.0%$vrf:$port .*ikerd" "$tmp/ss2.out")
		[ "$n" = 2 ] || \
			fail "$n sockets on $vrf port $port, want 2: $(cat "$tmp/ss2.out")"
	done
done

# another process holding port 500 in the namespace stops a new ikerd
kill -TERM "$pid"
wait_gone "$pid" || fail "ikerd did not exit"
n=0
while ip netns exec "$ns" ss -uanp | grep -q ":500 "; do
	[ $n -ge 100 ] && fail "port 500 still bound after ikerd exited"
	sleep 0.1
	n=$((n + 1))
done
ip netns exec "$ns" python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 500))
time.sleep(20)' &
holder=$!
pids="$pids $holder"
n=0
while ! ip netns exec "$ns" ss -uanp | grep -q ":500 .*python"; do
	[ $n -ge 100 ] && fail "the port holder did not bind port 500"
	sleep 0.1
	n=$((n + 1))
done
ip netns exec "$ns" timeout 10 "$IKERD" -d --kernel none --passive --ctl "$tmp/ctl2" \
	--pid "$tmp/pid2" -f "$tmp/vrf.conf" 2>"$tmp/busy.out" &&
	fail "ikerd started with port 500 taken"
grep -q "UDP port 500 is in use by another program" "$tmp/busy.out" \
	|| fail "port-in-use message: $(cat "$tmp/busy.out")"
[ ! -e "$tmp/ctl2" ] || fail "control socket left by a failed start"
echo "PASS: vrf"
