#!/bin/sh
# Reload protection: a file that is not text (random bytes) is refused at
# file:line:col in IOS's error form, and a file with no crypto configuration
# (empty, clobbered) is refused while the running one has some, by
# `ikerctl reload` and by SIGHUP alike, unless `ikerctl reload force`.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"
need_netns

run="$tmp/run"
ctl="$run/ctl"
conf="$tmp/r1.conf"
cp "$top_srcdir/tests/daemon/r1.conf" "$conf"
unshare -n sh -c 'ip link set lo up && exec "$0" "$@"' "$IKERD" -d --kernel none --passive \
	--workers 2 --ctl "$ctl" --pid "$run/pid" -f "$conf" 2>"$tmp/r1.err" &
pid=$!
pids="$pids $pid"
wait_for_socket "$ctl" "$pid" || fail "ikerd did not create $ctl"
c() { "$IKERCTL" --ctl "$ctl" "$@"; }
keys_kept() {
	c show crypto isakmp key | grep -q "^keyring1 " || fail "$1: the running keys are gone"
}

c reload >"$tmp/ok.out" || fail "reload of the same file: $(cat "$tmp/ok.out")"
grep -q "^Configuration reloaded from $conf" "$tmp/ok.out" || fail "reload message"

# random bytes written over the file
python3 -c '
import random, sys
r = random.Random(7)
sys.stdout.buffer.write(bytes(r.randrange(1, 256) for _ in range(4096)))' >"$conf"
c reload >"$tmp/rnd.out" 2>&1 && fail "a file of random bytes was loaded"
grep -Eq "^$conf:[0-9]+:[0-9]+: non-printable byte 0x[0-9a-f]{2}: the file is not text$" \
	"$tmp/rnd.out" || fail "random bytes: no file:line:col error: $(head -c 300 "$tmp/rnd.out")"
grep -qx "% Invalid input detected at '^' marker." "$tmp/rnd.out" || fail "IOS error form"
grep -qx "% Reload failed: the running configuration is kept." "$tmp/rnd.out" \
	|| fail "random bytes: no 'running configuration is kept'"
keys_kept "random bytes"

# an empty file: refused (ikerctl and SIGHUP), then loaded with reload force
: >"$conf"
c reload >"$tmp/empty.out" 2>&1 && fail "an empty file was loaded by reload"
grep -q "^$conf: no crypto configuration in this file" "$tmp/empty.out" \
	|| fail "empty file: reason: $(cat "$tmp/empty.out")"
grep -q '^% Reload refused: the running configuration is kept ("reload force"' \
	"$tmp/empty.out" || fail "empty file: no refusal line"
keys_kept "empty file"
kill -HUP "$pid"
wait_grep "$tmp/r1.err" "IKERD-3-RELOAD: $conf has no crypto configuration.*reload refused" \
	|| fail "SIGHUP: no log line for the refused reload"
keys_kept "SIGHUP with an empty file"
kill -0 "$pid" || fail "ikerd died"
c reload force >"$tmp/force.out" || fail "reload force: $(cat "$tmp/force.out")"
grep -q "^Configuration reloaded from $conf" "$tmp/force.out" || fail "reload force message"
c show crypto isakmp key | grep -q "^keyring1 " && fail "reload force kept the old keys"

# back to a real configuration: nothing to protect, a plain reload loads it
cp "$top_srcdir/tests/daemon/r1.conf" "$conf"
c reload >/dev/null || fail "reload of r1.conf after the empty one"
keys_kept "r1.conf again"
echo "PASS"
