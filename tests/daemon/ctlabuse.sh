#!/bin/sh
# ikerd's control socket under abuse: a client that pipelines requests and
# never reads (the daemon's memory must stay bounded: back-pressure), and
# connections at the descriptor limit (accept must not spin the main loop).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"
need_netns
command -v prlimit >/dev/null 2>&1 || { echo "SKIP: needs prlimit (util-linux)"; exit 77; }

run="$tmp/run"
ctl="$run/ctl"
cp "$top_srcdir/tests/daemon/r1.conf" "$tmp/r1.conf"
# a small ASan quarantine, so that RSS follows what the daemon holds
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4 \
unshare -n sh -c 'ip link set lo up && exec "$0" "$@"' "$IKERD" -d --kernel none --passive \
	--workers 2 --ctl "$ctl" --pid "$run/pid" -f "$tmp/r1.conf" 2>"$tmp/r1.err" &
pid=$!
pids="$pids $pid"
wait_for_socket "$ctl" "$pid" || fail "ikerd did not create $ctl"
c() { "$IKERCTL" --ctl "$ctl" "$@"; }

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }
cpu() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }

# 1. pipelined requests, nothing read, for 3 s
c show running-config >/dev/null || fail "show running-config failed"
before=$(rss)
python3 - "$ctl" >"$tmp/pipe.out" <<'PY' || fail "pipelining client: $(cat "$tmp/pipe.out")"
import socket, struct, sys, time
req = b"\x00show running-config"
frame = struct.pack(">I", len(req)) + req
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.setblocking(False)
sent = 0
end = time.time() + 3
buf = frame * 256
while time.time() < end:
    try:
        sent += s.send(buf)
    except BlockingIOError:
        time.sleep(0.01)
print(sent // len(frame))
s.close()
PY
after=$(rss)
echo "pipelined $(cat "$tmp/pipe.out") requests; RSS ${before} kB before, ${after} kB after"
[ "$(cat "$tmp/pipe.out")" -gt 1000 ] || fail "the client could not send its requests"
[ $((after - before)) -lt 49152 ] || fail "RSS grew by $((after - before)) kB (bound 48 MiB)"
kill -0 "$pid" || fail "ikerd died"
c show crypto isakmp sa >/dev/null || fail "ikerd does not answer after the pipelining client"

# 2. at the descriptor limit: 20 clients connect and hold on for 3 s
# the limit leaves one descriptor free: the lowest unused number
free=0
while [ -e "/proc/$pid/fd/$free" ] && [ $free -lt 1000 ]; do
	free=$((free + 1))
done
soft=$(prlimit --pid "$pid" --nofile --raw --noheadings | awk '{ print $(NF - 2) }')
prlimit --pid "$pid" --nofile=$((free + 1)): || fail "prlimit"
cpu0=$(cpu)
python3 - "$ctl" >"$tmp/fd.out" <<'PY' || fail "connecting client: $(cat "$tmp/fd.out")"
import socket, sys, time
socks = []
for i in range(20):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    socks.append(s)
time.sleep(3)
for s in socks:
    s.close()
PY
cpu1=$(cpu)
ticks=$(getconf CLK_TCK)
echo "at the descriptor limit: $((cpu1 - cpu0)) ticks of CPU in 3 s (${ticks}/s)"
[ $((cpu1 - cpu0)) -lt $((ticks / 2)) ] || fail "ikerd used $((cpu1 - cpu0)) ticks in 3 s"
grep -q "IKERD-4-CTL: control connection refused" "$tmp/r1.err" \
	|| fail "no log line for the refused connections"
prlimit --pid "$pid" --nofile="$soft": || fail "prlimit (back to $soft)"
wait_cmd_grep "^dst" c show crypto isakmp sa || fail "ikerd does not answer after the limit"
echo "PASS"
