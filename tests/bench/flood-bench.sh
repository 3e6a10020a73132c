#!/bin/bash
# The responder under first messages from spoofed sources (a benchmark: it
# prints figures and asserts nothing):
#   1. half-open SAs: an ikerd responder (`--kernel none`, one worker,
#      `crypto call admission limit ike in-negotiation-sa 60000`) receives
#      N Main Mode first messages (default 50,000) from N distinct spoofed
#      sources (500 addresses x N/500 ports, 10,000 per second); it prints
#      the responder's RSS and anonymous memory before, with every half-open
#      SA held, and once they have expired (75 s), and the memory per
#      half-open SA;
#   2. the 10-second flood of tests/daemon/flood.sh at the highest rate the
#      namespace can send (10 established tunnels answering DPD, a
#      legitimate peer starting 5 s into the flood): its figures line and
#      whether the peer came up and DPD kept answering; then the same for
#      IKE_SA_INIT (tests/daemon/flood-v2.sh, without and with
#      crypto ikev2 cookie-challenge).
#
#   tests/bench/flood-bench.sh [-n HALF_OPEN] [--no-halfopen] [--no-flood]
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir/build}
. "$top_srcdir/tests/daemon/lib.sh"
. "$top_srcdir/tests/bench/loadlib.sh"
. "$top_srcdir/tests/bench/benchlib.sh"
need_netns

HALF=50000
DO_HALF=1
DO_FLOOD=1
while [ $# -gt 0 ]; do
	case $1 in
	-n) HALF=$2; shift ;;
	--no-halfopen) DO_HALF=0 ;;
	--no-flood) DO_FLOOD=0 ;;
	-h|--help) sed -n "2,19p" "$0"; exit 0 ;;
	*) echo "unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
bench_plain_build
IKELOAD=$BIN/tests/bench/ikeload
IKERD=$BIN/ikerd
IKERCTL=$BIN/ikerctl
OUT=$top_builddir/bench-out/flood-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
echo "# output in $OUT; load average at start: $(cat /proc/loadavg)"

# stat CTL NAME: one counter of show crypto isakmp stats --json
stat() {
	"$IKERCTL" --ctl "$1" --json show crypto isakmp stats | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"
}

halfopen() {
	local ports=$(((HALF + 499) / 500)) rp fp n ho r0 a0 r1 a1 r2 a2 hmax=0 t0 t1
	load_topo fbh$$i fbh$$r
	load_addrs r 203.0.113.10 1
	{
		seq 1 250 | sed 's/^/192.0.2./'
		seq 2 251 | sed 's/^/198.51.100./'
	} >"$OUT/sources"
	"$IKELOAD" -n 1 -l 198.51.100.10 -r 203.0.113.10 --print-config ikerd >"$OUT/ho.conf"
	echo "crypto call admission limit ike in-negotiation-sa 60000" >>"$OUT/ho.conf"
	mkdir -p "$OUT/ho"
	ip netns exec "$LOAD_RNS" "$IKERD" -d --kernel none --workers 1 --passive \
		--ctl "$OUT/ho/ctl" --pid "$OUT/ho/pid" -f "$OUT/ho.conf" 2>/dev/null &
	rp=$!
	pids="$pids $rp"
	wait_for_socket "$OUT/ho/ctl" "$rp" || fail "responder did not start"
	sleep 1
	r0=$(proc_rss_kb "$rp")
	a0=$(proc_anon_kb "$rp")
	ip netns exec "$LOAD_INS" "$IKELOAD" --flood --flood-rate 10000 --flood-count "$HALF" \
		--flood-ports "$ports" -d 60 -l "@$OUT/sources" -r 203.0.113.10 >"$OUT/ho.flood" \
		2>&1 &
	fp=$!
	pids="$pids $fp"
	n=0
	while kill -0 "$fp" 2>/dev/null && [ $n -lt 900 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	sleep 2
	ho=$(stat "$OUT/ho/ctl" half_open)
	r1=$(proc_rss_kb "$rp")
	a1=$(proc_anon_kb "$rp")
	echo "half-open: $(cat "$OUT/ho.flood")"
	echo "half-open: $ho SAs in negotiation (refused $(stat "$OUT/ho/ctl" half_open_refused)," \
		"evicted $(stat "$OUT/ho/ctl" half_open_evicted), datagrams received" \
		"$(stat "$OUT/ho/ctl" datagrams_received), dropped (buffer full)" \
		"$(stat "$OUT/ho/ctl" dropped_socket_overflow)); load average $(cut -d' ' -f1 /proc/loadavg)"
	t0=$(date +%s)
	n=0
	while [ "$(stat "$OUT/ho/ctl" half_open)" != 0 ] && [ $n -lt 240 ]; do
		sleep 1
		n=$((n + 1))
	done
	t1=$(date +%s)
	# the daemon looks at its SA count every 5 s and returns freed heap then
	sleep 6
	r2=$(proc_rss_kb "$rp")
	a2=$(proc_anon_kb "$rp")
	awk -v ho="$ho" -v r0="$r0" -v r1="$r1" -v r2="$r2" -v a0="$a0" -v a1="$a1" -v a2="$a2" \
		-v w="$((t1 - t0))" -v left="$(stat "$OUT/ho/ctl" half_open)" 'BEGIN {
		printf "half-open: RSS %d kB before, %d kB held (+%.1f MiB), %d kB after expiry " \
			"(+%.1f MiB; %d left after %d s more)\n", r0, r1, (r1 - r0) / 1024, r2,
			(r2 - r0) / 1024, left, w
		printf "half-open: anonymous %d kB before, %d kB held, %d kB after expiry\n",
			a0, a1, a2
		if (ho > 0)
			printf "half-open: per half-open SA %.2f kB RSS, %.2f kB anonymous\n",
				(r1 - r0) / ho, (a1 - a0) / ho
	}'
	stop_pid "$fp"
	stop_pid "$rp"
	for ns in $namespaces; do ip netns del "$ns" 2>/dev/null; done
	namespaces=""
}

fullrate() {
	echo "flood: 10 s at the highest rate, load average $(cut -d' ' -f1 /proc/loadavg)"
	FLOOD_RATE=0 top_builddir=$BIN top_srcdir=$top_srcdir sh "$top_srcdir/tests/daemon/flood.sh" \
		>"$OUT/flood.out" 2>&1
	grep -E "^(flood:|PASS|FAIL)" "$OUT/flood.out" | sed 's/^/flood: /'
	echo "flood-v2: IKE_SA_INIT, 10 s at the highest rate, plain then with cookie-challenge," \
		"load average $(cut -d' ' -f1 /proc/loadavg)"
	FLOOD_RATE=0 top_builddir=$BIN top_srcdir=$top_srcdir \
		sh "$top_srcdir/tests/daemon/flood-v2.sh" >"$OUT/flood-v2.out" 2>&1
	grep -E "^(plain:|cookie:|PASS|FAIL)" "$OUT/flood-v2.out" | sed 's/^/flood-v2: /'
}

[ "$DO_HALF" = 1 ] && halfopen
[ "$DO_FLOOD" = 1 ] && fullrate
echo "# load average at the end: $(cat /proc/loadavg)"
