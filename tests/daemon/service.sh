#!/bin/sh
# ikerd as systemd runs it (Type=notify, journal on stderr), without systemd:
# a datagram socket stands in for NOTIFY_SOCKET and records what ikerd says
# (READY=1 with a status, RELOADING=1 then READY=1 on SIGHUP, the reason of a
# failed reload, STOPPING=1); JOURNAL_STREAM names the stderr file, so every
# line must start with its syslog priority, taken from the IOS severity.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"
need_netns
grep -q '^#define HAVE_LIBSYSTEMD 1' "$top_builddir/config.h" || {
	echo "SKIP: built without libsystemd"
	exit 77
}

run="$tmp/run"
ctl="$run/ctl"
cp "$top_srcdir/tests/daemon/r1.conf" "$tmp/r1.conf"
# the stand-in for systemd's notification socket: one line per datagram
python3 - "$tmp/notify.sock" "$tmp/notify.log" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(1.0)
end = time.time() + 60
with open(sys.argv[2], "a") as f:
    while time.time() < end:
        try:
            m = s.recv(4096)
        except socket.timeout:
            continue
        f.write(m.decode().replace("\n", "|") + "\n")
        f.flush()
PY
pids="$pids $!"
wait_for_socket "$tmp/notify.sock" "$!" || fail "notify stand-in did not start"
: >"$tmp/r1.err"
js=$(stat -c '%d:%i' "$tmp/r1.err")
NOTIFY_SOCKET="$tmp/notify.sock" JOURNAL_STREAM="$js" unshare -n sh -c \
	'ip link set lo up && exec "$0" "$@"' "$IKERD" -d --kernel none --passive \
	--ctl "$ctl" --pid "$run/pid" -f "$tmp/r1.conf" 2>>"$tmp/r1.err" &
pid=$!
pids="$pids $pid"
wait_for_socket "$ctl" "$pid" || fail "ikerd did not create $ctl"
wait_grep "$tmp/notify.log" '^READY=1|STATUS=Running .*r1.conf' \
	|| fail "no READY=1 with a status: $(cat "$tmp/notify.log")"

# SIGHUP (systemctl reload): RELOADING=1, then READY=1 with the result
kill -HUP "$pid"
wait_grep "$tmp/notify.log" '^READY=1|STATUS=Configuration reloaded from' \
	|| fail "no READY=1 after a reload: $(cat "$tmp/notify.log")"
grep -q '^RELOADING=1|MONOTONIC_USEC=[0-9]' "$tmp/notify.log" \
	|| fail "no RELOADING=1 before the reload: $(cat "$tmp/notify.log")"
# a broken file: the running configuration stays, the status says why
printf 'crypto isakmp policy 10\n encr rot13\n' >>"$tmp/r1.conf"
kill -HUP "$pid"
wait_grep "$tmp/notify.log" 'STATUS=.*r1.conf:.*reload failed, running configuration kept' \
	|| fail "no failed-reload status: $(cat "$tmp/notify.log")"

# the journal stream: <N> priorities; %IKERD-3-RELOAD is an error (3),
# %IKERD-5-START a notice (5); no IOS timestamp (the journal has its own)
grep -q '^<5>%IKERD-5-START: ' "$tmp/r1.err" || fail "start line: $(head -3 "$tmp/r1.err")"
grep -q '^<3>%IKERD-3-RELOAD: ' "$tmp/r1.err" || fail "reload error: $(cat "$tmp/r1.err")"
bad=$(grep -v '^<[0-7]>' "$tmp/r1.err" | head -3)
[ -z "$bad" ] || fail "journal lines without a priority: $bad"

kill -TERM "$pid"
wait_gone "$pid" || fail "ikerd did not stop on SIGTERM"
wait_grep "$tmp/notify.log" '^STOPPING=1' || fail "no STOPPING=1: $(cat "$tmp/notify.log")"
echo "PASS: sd_notify readiness, reload and status; journal priorities"
