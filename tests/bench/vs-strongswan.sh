#!/bin/bash
# ikerd and strongSwan's charon as IKEv1 and IKEv2 responders to the same
# load, in one run on one machine: ikeload (ikerd's engine as initiator)
# brings N tunnels up from another namespace against each responder in turn.
#
#   tests/bench/vs-strongswan.sh [-s "1000 10000:1"] [-g "modp1024 ikev2-x25519"]
#                                [-r REPEATS] [-b "openssl gmp"] [-c CONCURRENCY]
#                                [-w "1 2"] [-S SIZES] [-T CHARON_THREADS]
#                                [--no-charon | --no-ikerd]
#
# -g: proposals; modp1024 (3des/md5) and modp2048 (aes256/sha256) are IKEv1
# Main Mode (PSK) + Quick Mode, ikev2-modp2048 and ikev2-x25519 (aes256/
# sha256) are IKEv2 IKE_SA_INIT + IKE_AUTH (PSK) with the first CHILD_SA;
# default "modp1024 modp2048 ikev2-x25519 ikev2-modp2048".
# -s: tunnel counts, each optionally with its own repeat count (N:R);
# default "1000 5000", 3 repeats. -S: the same for charon only (default: as
# -s), for runs where charon's larger points cannot be repeated in time.
# Per point (responder, DH backend, group, tunnels, workers, repeat) it records
# the responder's CPU (utime+stime from /proc/PID/stat, from idle to the last
# tunnel up), the set-up rate seen by ikeload, RSS and anonymous memory (heap)
# per established SA pair (VmRSS, smaps_rollup Anonymous: while every SA is
# held), and the load average. Handshake latency at low load (100 tunnels at
# 20 per second) is measured separately. It prints a table with min/median/max
# and a line of ratios, writes results.csv and chart.png (gnuplot) under
# $top_builddir/bench-out/, and the crypto cost of one responder handshake
# (half of bench_handshake's CPU per handshake, same run).
#
# Same work on both sides: ikerd runs with `--kernel none` (SAs recorded, not
# installed); charon runs with the load-tester plugin's fake_kernel interface
# (SAs recorded, not installed), built once from Debian's strongswan source
# package (see benchlib.sh); the same proposals, one child per IKE SA, the
# same lifetimes and rekey points (ikeload --print-config writes both
# configurations). At the low-load point of each responder the script counts
# the IKE SAs and children it holds (show crypto ... sa, swanctl --list-sas)
# and prints them. Backends of charon: openssl, gmp (MODP from gmp, short
# exponents; for X25519 strongSwan's own curve25519 plugin takes its place).
# Workers: ikerd --workers W; charon.threads = W + the threads charon keeps
# blocked in its receiver, sender, scheduler and watcher (-T sets it: a
# number, or "default" for charon's 16). With W = 1 the responder (all its
# threads) is pinned to CPU 0 and ikeload to CPU 1; with W = 2 nothing is
# pinned. Each point also records the CPU the responder and ikeload used
# per second of set-up (cores busy): a responder below 1.0 with W = 1 was not
# what bounded the rate.
# A benchmark: it asserts nothing about time.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir/build}
. "$top_srcdir/tests/daemon/lib.sh"
. "$top_srcdir/tests/bench/loadlib.sh"
. "$top_srcdir/tests/bench/benchlib.sh"
need_netns

SIZES="1000 5000"
GROUPS_="modp1024 modp2048 ikev2-x25519 ikev2-modp2048"
REPEATS=3
BACKENDS="openssl gmp"
CONC=200
WORKERS="1 2"
CHARON=1
IKERD_RUN=1
CSIZES=
# charon's threads that never process IKE messages (receiver, sender,
# scheduler, watcher: see swan_threads_check)
SWAN_FIXED=4
CTHREADS=auto
while [ $# -gt 0 ]; do
	case $1 in
	-s) SIZES=$2; shift ;;
	-S) CSIZES=$2; shift ;;
	-g) GROUPS_=$2; shift ;;
	-r) REPEATS=$2; shift ;;
	-b) BACKENDS=$2; shift ;;
	-c) CONC=$2; shift ;;
	-w) WORKERS=$2; shift ;;
	-T) CTHREADS=$2; shift ;;
	--no-charon) CHARON=0 ;;
	--no-ikerd) IKERD_RUN=0 ;;
	-h|--help) sed -n "2,45p" "$0"; exit 0 ;;
	*) echo "unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
PSK=bench-Secret
HZ=$(getconf CLK_TCK)
NLOC=240

bench_deps
bench_plain_build
IKELOAD=$BIN/tests/bench/ikeload
IKERD=$BIN/ikerd
[ "$CHARON" = 1 ] && swan_loadtester
OUT=$top_builddir/bench-out/vs-strongswan-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
CSV=$OUT/results.csv
{
	printf "impl,backend,group,tunnels,workers,repeat,up,cpu_s,cpu_ms_per_sa,rate_per_s,"
	printf "rss_kb_per_sa,anon_kb_per_sa,lat_p50_ms,lat_p99_ms,loadavg,retried,retransmits,"
	printf "setup_s,gen_cpu_s,threads\n"
} >"$CSV"

[ -n "$CSIZES" ] || CSIZES=$SIZES
max=0
for n in $SIZES $CSIZES; do n=${n%%:*}; [ "$n" -gt "$max" ] && max=$n; done
nrem=$(( (max + NLOC - 1) / NLOC ))
[ "$nrem" -le 240 ] || fail "at most $((240 * NLOC)) tunnels"
load_topo vss$$i vss$$r
load_addrs i 198.51.100.10 "$NLOC"
load_addrs r 203.0.113.10 "$nrem"

# the crypto cost of one responder handshake, in this run
"$BIN/tests/bench/bench_handshake" 300 >"$OUT/bench_handshake.out" 2>&1
floor() { # floor GROUP: half the CPU per in-process handshake, one thread, in ms
	local s
	case $1 in
	modp1024) s='modp1024/3des/md5' ;;
	modp2048) s='modp2048/aes256/sha256' ;;
	*) s="$1/aes256/sha256" ;;
	esac
	awk -v s="$s" '$1 == s && $2 == 1 { printf "%.3f", $5 / 2000 }' "$OUT/bench_handshake.out"
}

# ikeload's options for a group of -g
largs() {
	case $1 in
	ikev2-*) echo "--ikev2 -p ${1#ikev2-}" ;;
	*) echo "-p $1" ;;
	esac
}

# charon.threads for W workers
swan_threads() {
	case $CTHREADS in
	auto) echo $(($1 + SWAN_FIXED)) ;;
	default) echo 16 ;;
	*) echo "$CTHREADS" ;;
	esac
}

# swan_threads_check PID: charon's threads by the system call each is
# blocked in (x86-64 numbers): idle pool threads wait in futex for a job, the
# receiver, sender, scheduler and watcher in I/O or timed waits (the
# scheduler's timed wait is a futex too); printed once so that the figure
# SWAN_FIXED rests on is seen
swan_threads_check() {
	local t n
	for t in /proc/"$1"/task/*; do
		read -r n _ <"$t/syscall" 2>/dev/null || n="?"
		case $n in
		202) echo futex ;; 7) echo poll ;; 271) echo ppoll ;; 232 | 281) echo epoll ;;
		45 | 47 | 299) echo recv ;; 0) echo read ;; 23 | 270) echo select ;;
		*) echo "syscall-$n" ;;
		esac
	done | sort | uniq -c | tr -s ' \n' ' '
}

# verify IMPL: the IKE SAs and children the responder holds (at 100 tunnels)
verify() {
	local ike child
	if [ "$1" = ikerd ]; then
		if [ "$V" = 2 ]; then
			ike=$("$BIN/ikerctl" --ctl "$RDIR/ctl" show crypto ikev2 sa | grep -c " READY *$")
		else
			ike=$("$BIN/ikerctl" --ctl "$RDIR/ctl" show crypto isakmp sa | grep -c QM_IDLE)
		fi
		child=$("$BIN/ikerctl" --ctl "$RDIR/ctl" show crypto ipsec sa |
			grep -c "current outbound spi: 0x[0-9A-Fa-f]*[1-9A-Fa-f]")
	else
		swanctl --list-sas --uri "unix://$RDIR/run/charon.vici" >"$RDIR/sas.out" 2>&1
		ike=$(grep -c "ESTABLISHED, IKEv$V" "$RDIR/sas.out")
		child=$(grep -c "INSTALLED, TRANSPORT" "$RDIR/sas.out")
	fi
	echo "# $1 $G: holds $ike IKEv$V SAs established, $child child SAs installed" \
		"(ikeload: $UP up)" >&2
	echo "$1 ${BE:--} $G ike_sas $ike children $child up $UP" >>"$OUT/verify.txt"
}

# start_responder IMPL BACKEND GROUP N W: sets RPID (and RDIR for charon)
start_responder() {
	local impl=$1 be=$2 g=$3 n=$4 w=$5 cpus=""
	[ "$w" = 1 ] && cpus=0
	if [ "$impl" = ikerd ]; then
		# shellcheck disable=SC2046
		"$IKELOAD" -n "$n" -l "198.51.100.10+$NLOC" -r "203.0.113.10+$nrem" $(largs "$g") \
			-k "$PSK" --print-config ikerd >"$OUT/ikerd.conf"
		RDIR=$OUT/ikerd-run
		mkdir -p "$RDIR"
		rm -f "$RDIR/ctl" "$RDIR/pid"
		if [ -n "$cpus" ]; then
			ip netns exec "$LOAD_RNS" taskset -c "$cpus" "$IKERD" -d --kernel none \
				--workers "$w" --passive --ctl "$RDIR/ctl" --pid "$RDIR/pid" \
				-f "$OUT/ikerd.conf" 2>"$RDIR/err" &
		else
			ip netns exec "$LOAD_RNS" "$IKERD" -d --kernel none --workers "$w" --passive \
				--ctl "$RDIR/ctl" --pid "$RDIR/pid" -f "$OUT/ikerd.conf" 2>"$RDIR/err" &
		fi
		RPID=$!
		pids="$pids $RPID"
		wait_for_socket "$RDIR/ctl" "$RPID" || fail "ikerd did not start: $(tail "$RDIR/err")"
	else
		RDIR=$OUT/charon-run
		swan_start "$RDIR" "$LOAD_RNS" "$be" "$cpus" "$(swan_threads "$w")"
		RPID=$SWAN_PID
		# shellcheck disable=SC2046
		"$IKELOAD" -n "$n" -l "198.51.100.10+$NLOC" -r "203.0.113.10+$nrem" $(largs "$g") \
			-k "$PSK" --print-config swanctl >"$OUT/swanctl.conf"
		swan_load "$RDIR" "$OUT/swanctl.conf"
	fi
	sleep 1
}

# run_load N W EXTRA...: ikeload holding until the responder is measured.
# Sets UP RATE P50 P99 LPID; returns 1 when the set-up did not finish in time.
run_load() {
	local n=$1 w=$2 pin=""
	shift 2
	[ "$w" = 1 ] && pin="taskset -c 1"
	rm -f "$OUT/load.out"
	# shellcheck disable=SC2086,SC2046
	ip netns exec "$LOAD_INS" $pin "$IKELOAD" -q -n "$n" -l "198.51.100.10+$NLOC" \
		-r "203.0.113.10+$nrem" $(largs "$G") -k "$PSK" -t "$w" --timeout 300 --hold -1 "$@" \
		>"$OUT/load.out" 2>"$OUT/load.err" &
	LPID=$!
	pids="$pids $LPID"
	local lim=$((120 + n / 20)) k=0
	while ! grep -q '^holding' "$OUT/load.out" 2>/dev/null; do
		kill -0 "$LPID" 2>/dev/null || break
		[ $k -ge $((lim * 10)) ] && break
		sleep 0.1
		k=$((k + 1))
	done
	grep -q '^holding' "$OUT/load.out" || return 1
	UP=$(awk '$1 == "tunnels" { print $4 }' "$OUT/load.out")
	RATE=$(awk '$1 == "setup_s" { print $4 }' "$OUT/load.out")
	P50=$(awk '$1 == "latency_ms" { print $3 }' "$OUT/load.out")
	P99=$(awk '$1 == "latency_ms" { print $7 }' "$OUT/load.out")
	RETR=$(awk '$1 == "tunnels" { print $10 "," $12 }' "$OUT/load.out")
	SETUP=$(awk '$1 == "setup_s" { print $2 }' "$OUT/load.out")
	GCPU=$(awk '$1 == "generator_cpu_s" { print $2 }' "$OUT/load.out")
	return 0
}

point() { # point IMPL BACKEND GROUP N W REPEAT
	local impl=$1 be=$2 g=$3 n=$4 w=$5 rep=$6 c0 c1 r0 r1 a0 a1 la cpu
	G=$g
	start_responder "$impl" "$be" "$g" "$n" "$w"
	TH=$w
	[ "$impl" = charon ] && TH=$(swan_threads "$w")
	c0=$(proc_cpu_ticks "$RPID")
	r0=$(proc_rss_kb "$RPID")
	a0=$(proc_anon_kb "$RPID")
	la=$(cut -d' ' -f1 /proc/loadavg)
	if run_load "$n" "$w" -c "$CONC"; then
		c1=$(proc_cpu_ticks "$RPID")
		r1=$(proc_rss_kb "$RPID")
		a1=$(proc_anon_kb "$RPID")
		cpu=$(awk -v a="$c0" -v b="$c1" -v hz="$HZ" 'BEGIN { printf "%.2f", (b - a) / hz }')
		awk -v i="$impl" -v be="$be" -v g="$g" -v n="$n" -v w="$w" -v rep="$rep" \
			-v up="$UP" -v cpu="$cpu" -v rate="$RATE" -v r0="$r0" -v r1="$r1" \
			-v a0="$a0" -v a1="$a1" -v la="$la" -v retr="$RETR" -v st="$SETUP" \
			-v gc="$GCPU" -v th="$TH" 'BEGIN {
			printf "%s,%s,%s,%d,%d,%d,%d,%s,%.3f,%s,%.2f,%.2f,,,%s,%s,%s,%s,%s\n", i, be, g,
				n, w, rep, up, cpu, up ? cpu * 1000 / up : 0, rate,
				up ? (r1 - r0) / up : 0, up ? (a1 - a0) / up : 0, la, retr, st, gc, th
			}' >>"$CSV"
		echo "# $impl $be $g n=$n w=$w #$rep: up $UP cpu ${cpu}s rate $RATE/s" \
			"set-up ${SETUP}s generator ${GCPU}s rss $r0->$r1 kB load $la" \
			"retried,retransmits $RETR" >&2
	else
		echo "$impl,$be,$g,$n,$w,$rep,0,,,,,,,,$la,,,,,$TH" >>"$CSV"
		echo "# $impl $be $g n=$n w=$w #$rep: did not finish: $(cat "$OUT/load.out")" >&2
	fi
	stop_pid "$LPID"
	stop_pid "$RPID"
}

latency() { # latency IMPL BACKEND GROUP REPEAT: 100 tunnels at 20 per second
	local impl=$1 be=$2 g=$3 rep=$4 la
	G=$g
	BE=$be
	V=1
	case $g in ikev2-*) V=2 ;; esac
	start_responder "$impl" "$be" "$g" 100 2
	if [ "$impl" = charon ] && [ ! -f "$OUT/charon-threads.txt" ]; then
		echo "charon.threads $(swan_threads 2), idle, by wait channel:" \
			"$(swan_threads_check "$RPID")" >"$OUT/charon-threads.txt"
		echo "# $(cat "$OUT/charon-threads.txt")" >&2
	fi
	la=$(cut -d' ' -f1 /proc/loadavg)
	if run_load 100 2 -R 20; then
		echo "$impl,$be,$g,100,2,$rep,$UP,,,,,,$P50,$P99,$la,$RETR,,," >>"$CSV"
		echo "# $impl $be $g latency #$rep: p50 $P50 ms p99 $P99 ms" >&2
		[ "$rep" = 1 ] && verify "$impl"
	fi
	stop_pid "$LPID"
	stop_pid "$RPID"
}

IMPLS=""
[ "$IKERD_RUN" = 1 ] && IMPLS="ikerd:-"
if [ "$CHARON" = 1 ]; then
	for be in $BACKENDS; do IMPLS="$IMPLS charon:$be"; done
fi
echo "# output in $OUT; load average at start: $(cat /proc/loadavg)" >&2
for g in $GROUPS_; do
	for ib in $IMPLS; do
		impl=${ib%%:*}
		be=${ib#*:}
		# X25519 is not gmp's: strongSwan's own implementation stands in
		[ "$g" = ikev2-x25519 ] && [ "$be" = gmp ] && be=curve25519
		for rep in $(seq 1 "$REPEATS"); do
			latency "$impl" "$be" "$g" "$rep"
		done
		specs=$SIZES
		[ "$impl" = charon ] && specs=$CSIZES
		first=${specs%% *}
		for spec in $specs; do
			n=${spec%%:*}
			reps=$REPEATS
			[ "$spec" != "$n" ] && reps=${spec#*:}
			for w in $WORKERS; do
				# the set-up rate with 1 worker is measured at the smallest size
				[ "$w" = 1 ] && [ "$n" != "${first%%:*}" ] && continue
				for rep in $(seq 1 "$reps"); do
					point "$impl" "$be" "$g" "$n" "$w" "$rep"
				done
			done
		done
	done
done

for g in $GROUPS_; do echo "$g $(floor "$g")"; done >"$OUT/floor.txt"
python3 "$top_srcdir/tests/bench/vs-report.py" "$CSV" "$OUT/floor.txt" "$(uname -n)" \
	"$(nproc)" | tee "$OUT/table.txt"
if command -v gnuplot >/dev/null; then
	python3 "$top_srcdir/tests/bench/vs-report.py" --plot "$CSV" "$OUT" >"$OUT/chart.gp" &&
		gnuplot "$OUT/chart.gp" && echo "chart: $OUT/chart.png"
fi
ln -sfn "$OUT" "$top_builddir/bench-out/vs-strongswan-latest"
