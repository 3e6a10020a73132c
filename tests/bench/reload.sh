#!/bin/bash
# Reload of a large configuration while SAs are up: an ikerd responder
# (`--kernel none`, 2 workers) holds N tunnels brought up by ikeload, its
# configuration also carries K extra pre-shared keys; `ikerctl reload` runs L
# times. Prints, per reload, the time the reload command took, the time a
# command that does nothing took just before (`show debugging`: ikerctl's own
# start and the scheduling delays of a busy machine), the daemon's CPU (all
# threads), the time its threads waited for a CPU while runnable (schedstat,
# summed over the threads: what a busy machine adds to the wall time), the
# ISAKMP SAs in QM_IDLE on the responder, and the responder's RSS; then
# min/median/max of each and how many reloads took 0.5 s or more; the SAs
# ikeload lost (a DELETE or DPD death on its side) and, with --trim, the RSS
# after the allocator was asked to return free memory (malloc_trim(0) called
# in the daemon through gdb), which separates memory the allocator keeps from
# memory still in use (a leak would stay).
#
#   tests/bench/reload.sh [-k KEYS] [-n TUNNELS] [-l RELOADS] [--trim]
#                         [--bin BUILDDIR] [--env VAR=VALUE]...
# defaults: 100000 keys, 10000 tunnels, 40 reloads; BUILDDIR: an optimised
# build without sanitizers (built under build/bench-cache/obj if needed).
# --env sets a variable for the daemon (e.g. MALLOC_ARENA_MAX=2).
# A benchmark: it asserts nothing.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir/build}
. "$top_srcdir/tests/daemon/lib.sh"
. "$top_srcdir/tests/bench/loadlib.sh"
. "$top_srcdir/tests/bench/benchlib.sh"
need_netns

KEYS=100000
NT=10000
RELOADS=40
TRIM=0
BIN=""
ENVS=""
while [ $# -gt 0 ]; do
	case $1 in
	-k) KEYS=$2; shift ;;
	-n) NT=$2; shift ;;
	-l) RELOADS=$2; shift ;;
	--trim) TRIM=1 ;;
	--bin) BIN=$2; shift ;;
	--env) ENVS="$ENVS $2"; shift ;;
	-h|--help) sed -n '2,22p' "$0"; exit 0 ;;
	*) echo "unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$BIN" ] || bench_plain_build
IKELOAD=$BIN/tests/bench/ikeload
IKERD=$BIN/ikerd
IKERCTL=$BIN/ikerctl
NLOC=240
nrem=$(( (NT + NLOC - 1) / NLOC ))
OUT=$top_builddir/bench-out/reload-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"

load_topo rld$$i rld$$r
load_addrs i 198.51.100.10 "$NLOC"
load_addrs r 203.0.113.10 "$nrem"
"$IKELOAD" -n "$NT" -l "198.51.100.10+$NLOC" -r "203.0.113.10+$nrem" --print-config ikerd \
	>"$OUT/r.conf" || fail "ikeload --print-config"
# K more keys in a keyring of their own (configuration only: no packet uses
# these addresses)
python3 - "$KEYS" >>"$OUT/r.conf" <<'EOF'
import sys
k = int(sys.argv[1])
print("crypto keyring BULK")
for i in range(k):
    a = 0x0a000000 + i
    print("  pre-shared-key address %d.%d.%d.%d key bulk-%d"
          % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255, i))
EOF
echo "# $(wc -l <"$OUT/r.conf") lines, $KEYS extra keys, $NT tunnels; env:${ENVS:- none}" >&2

# shellcheck disable=SC2086
ip netns exec "$LOAD_RNS" env $ENVS "$IKERD" -d --kernel none --workers 2 --passive \
	--ctl "$OUT/ctl" --pid "$OUT/pid" -f "$OUT/r.conf" 2>"$OUT/r.err" &
rp=$!
pids="$pids $rp"
n=0
until [ -S "$OUT/ctl" ]; do
	kill -0 "$rp" 2>/dev/null || fail "ikerd did not start: $(tail "$OUT/r.err")"
	[ $n -ge 600 ] && fail "ikerd did not start in 60 s"
	sleep 0.1
	n=$((n + 1))
done
r() { "$IKERCTL" --ctl "$OUT/ctl" "$@"; }
rss_start=$(proc_rss_kb "$rp")
ip netns exec "$LOAD_INS" "$IKELOAD" -q -n "$NT" -l "198.51.100.10+$NLOC" \
	-r "203.0.113.10+$nrem" -t 2 -c 200 --timeout 300 --hold -1 >"$OUT/load.out" \
	2>"$OUT/load.err" &
lp=$!
pids="$pids $lp"
n=0
while ! grep -q '^holding' "$OUT/load.out" 2>/dev/null; do
	kill -0 "$lp" 2>/dev/null || fail "ikeload ended: $(cat "$OUT/load.out")"
	[ $n -ge 6000 ] && fail "set-up did not finish in 600 s"
	sleep 0.1
	n=$((n + 1))
done
head -n 3 "$OUT/load.out"
sas() { r show crypto isakmp sa | grep -c "QM_IDLE"; }
mb() { proc_rss_kb "$rp" | awk '{ printf "%.1f", $1 / 1024 }'; }
# run and runqueue wait of all the daemon's threads, in ns
sched_ns() { cat /proc/"$rp"/task/*/schedstat 2>/dev/null | awk '{ r += $1; w += $2 }
	END { printf "%.0f %.0f\n", r, w }'; }
printf "%-7s %9s %9s %9s %9s %8s %9s   (load average %s)\n" reload "wall s" "no-op s" \
	"CPU s" "waited s" SAs "RSS MB" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-7s %9s %9s %9s %9s %8s %9.1f\n" before - - - - 0 \
	"$(echo "$rss_start" | awk '{ print $1 / 1024 }')"
printf "%-7s %9s %9s %9s %9s %8s %9s\n" up - - - - "$(sas)" "$(mb)"
: >"$OUT/reloads.txt"
for i in $(seq 1 "$RELOADS"); do
	t0=$(date +%s.%N)
	r show debugging >/dev/null 2>&1
	t1=$(date +%s.%N)
	s0=$(sched_ns)
	r reload >"$OUT/reload.out" 2>&1 || fail "reload $i: $(cat "$OUT/reload.out")"
	t2=$(date +%s.%N)
	s1=$(sched_ns)
	echo "$t0 $t1 $t2 $s0 $s1" | awk '{ printf "%.3f %.3f %.3f %.3f\n", $3 - $2, $2 - $1,
		($6 - $4) / 1e9, ($7 - $5) / 1e9 }' >"$OUT/reloads.last"
	cat "$OUT/reloads.last" >>"$OUT/reloads.txt"
	read -r wall noop cpu waited <"$OUT/reloads.last"
	printf "%-7s %9.3f %9.3f %9.3f %9.3f %8s %9s\n" "$i" "$wall" "$noop" "$cpu" "$waited" \
		"$(sas)" "$(mb)"
done
awk '{ w[NR] = $1; n[NR] = $2; c[NR] = $3; q[NR] = $4; s += $1 >= 0.5 }
	function mmm(a, k,   i, j, t, m) {
		for (i = 1; i <= k; i++) m[i] = a[i]
		for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++)
			if (m[j] < m[i]) { t = m[i]; m[i] = m[j]; m[j] = t }
		return sprintf("%.3f/%.3f/%.3f", m[1], m[int((k + 1) / 2)], m[k])
	}
	END { printf "min/median/max: wall %s s, no-op %s s, CPU %s s, waited for a CPU %s s;",
		mmm(w, NR), mmm(n, NR), mmm(c, NR), mmm(q, NR)
		printf " %d of %d at 0.5 s or more\n", s, NR }' "$OUT/reloads.txt"
if [ "$TRIM" = 1 ]; then
	gdb -p "$rp" -batch -ex 'call (int) malloc_trim(0)' >"$OUT/gdb.out" 2>&1
	printf "%-7s %9s %9s %9s %9s %8s %9s\n" trim - - - - "$(sas)" "$(mb)"
fi
kill -TERM "$lp"
wait_gone "$lp"
grep '^held' "$OUT/load.out" || true
stop_pid "$rp"
echo "# output in $OUT" >&2
