#!/bin/sh
# The framing of datagrams on port 4500 in the daemon (ike/natt_frame.c): an
# IKE message behind the non-ESP marker reaches the engine, a short datagram
# is dropped with a trace, and neither a NAT keepalive nor ESP-in-UDP (which
# the kernel's encapsulation socket may take first) reaches the engine as a
# malformed IKE message.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"
need_netns

run="$tmp/run"
ctl="$run/ctl"
cp "$top_srcdir/tests/daemon/r1.conf" "$tmp/r1.conf"
unshare -n sh -c 'ip link set lo up && exec "$0" "$@"' "$IKERD" -d --kernel none --passive \
	--workers 1 --debug isakmp --ctl "$ctl" --pid "$run/pid" -f "$tmp/r1.conf" \
	2>"$tmp/r1.err" &
pid=$!
pids="$pids $pid"
wait_for_socket "$ctl" "$pid" || fail "ikerd did not create $ctl"

# the first record of the responder seed is an MM1 (flag byte, length, message)
nsenter -t "$pid" -n python3 - "$top_srcdir/tests/fuzz/corpus/v1_responder/seed-r1-initiates" \
	<<'PY' || fail "sender"
import socket, struct, sys, time
d = open(sys.argv[1], "rb").read()
mm1 = d[3:3 + struct.unpack(">H", d[1:3])[0]]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 14500))
for dgram in (b"\xff", b"\x12\x34\x56\x78\x00\x00\x00\x01" + b"\x00" * 40, b"\x00\x00",
              b"\x00\x00\x00\x00" + mm1):
    s.sendto(dgram, ("127.0.0.1", 4500))
    time.sleep(0.05)
PY
wait_grep "$tmp/r1.err" "received packet from 127.0.0.1 dport 4500 sport 14500 .* NEW SA" \
	|| fail "the MM1 behind the marker did not reach the engine"
grep -q "malformed packet\|IKMP_BAD_MESSAGE" "$tmp/r1.err" \
	&& fail "a keepalive or an ESP packet reached the engine as IKE"
grep -q "datagram of 2 bytes from 127.0.0.1:14500 on port 4500: shorter than the non-ESP" \
	"$tmp/r1.err" || fail "short datagram not traced"
grep -q "datagram of 1 bytes" "$tmp/r1.err" && fail "the keepalive was traced as a drop"
echo "PASS"
