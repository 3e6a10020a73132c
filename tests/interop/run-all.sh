#!/bin/bash
# Runs every interoperability scenario in user-mode Linux and prints
# "N passed, M failed" as its last line. Needs root, linux.uml, strongSwan,
# tshark, and a built ikerd (make interop builds it first).
# Usage: run-all.sh [REGEX]   (only the cases whose ID matches REGEX)
# Environment: top_srcdir, top_builddir; IOP_UML_RUN (the lab's runner,
# default tests/lab/uml-run.sh); IOP_BOOTS_PARALLEL (default 2).
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$(pwd)}"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
export top_srcdir top_builddir
FILTER=${1:-.}
ROOT=$top_builddir/tests/interop/out
UML_RUN=${IOP_UML_RUN:-$top_srcdir/tests/lab/uml-run.sh}
PAR=${IOP_BOOTS_PARALLEL:-2}
IOP_NAME=run-all IOP_OUT=$ROOT IOP_RUN=$(mktemp -d /tmp/ikerd-iop-host.XXXXXX)
. "$top_srcdir/tests/interop/lib.sh"
trap 'rm -rf "$IOP_RUN"' EXIT

# The cases: "BOOT ID SCRIPT ARGS...". Cases of one boot run in order in one
# user-mode Linux; a "&" before ID runs the case in the background (waiting
# cases), "BOOT wait" waits for them. Boots run IOP_BOOTS_PARALLEL at a time.
cases() {
	local p pfs by m
	echo "b0 swan-swan swan-swan.sh"
	echo "b0 lsw-swan lsw-swan.sh"
	for p in 3des-md5-2 aes256-sha256-14 aes128-sha1-19; do
		for pfs in no yes; do
			for by in ikerd peer; do
				echo "b1 v1-$p-pfs$pfs-gre-by$by v1-tunnel.sh $p $pfs gre swan $by"
			done
		done
	done
	for p in 3des-md5-2 aes256-sha256-14 aes128-sha1-19; do
		for pfs in no yes; do
			for by in ikerd peer; do
				echo "b2 v1-$p-pfs$pfs-vti-by$by v1-tunnel.sh $p $pfs vti swan $by"
			done
		done
	done
	for by in ikerd peer; do
		echo "b0 lsw-aes256-sha256-14-gre-by$by v1-tunnel.sh aes256-sha256-14 no gre lsw $by"
	done
	echo "b3 & rekey-by-ikerd v1-lifecycle.sh rekey-ikerd"
	echo "b3 & rekey-by-peer v1-lifecycle.sh rekey-peer"
	echo "b3 & dpd v1-lifecycle.sh dpd"
	for m in delete-by-peer delete-by-ikerd initial-contact; do
		echo "b3 $m v1-lifecycle.sh $m"
	done
	for m in peer-key1 peer-key2 ikerd-swan-first ikerd-swan-second; do
		echo "b3 twopsk-$m v1-twopsk.sh $m"
	done
	for m in noprop wrongkey; do
		for by in ikerd peer; do
			echo "b3 mismatch-$m-by$by v1-mismatch.sh $m $by"
		done
	done
	echo "b3 wait"
}

if [ "$(id -u)" != 0 ]; then echo "interop: needs root"; echo "0 passed, 1 failed"; exit 1; fi
for t in linux.uml tshark tcpdump "$CHARON" "$SWANCTL" "$IKERD" "$IKERCTL" "$UML_RUN"; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "interop: $t is missing"; echo "0 passed, 1 failed"; exit 1
	fi
done
mkdir -p "$ROOT"
LSW_OK=1
if cases | grep -q ' v1-tunnel.sh .* lsw \| lsw-swan.sh' && ! lsw_fetch; then
	iop_log "libreswan could not be unpacked; its cases fail"
	LSW_OK=0
fi

T0=$(date +%s)
cases | awk -v f="$FILTER" '$2 == "wait" || $2 == "&" && $3 ~ f || $2 ~ f' >"$ROOT/cases"
boots=$(awk '{ print $1 }' "$ROOT/cases" | sort -u)
running=0
for b in $boots; do
	awk -v b="$b" '$1 == b { $1 = ""; sub(/^ /, ""); print }' "$ROOT/cases" >"$ROOT/$b.cases"
	grep -qv '^wait$' "$ROOT/$b.cases" || continue
	cat >"$ROOT/$b.sh" <<EOB
#!/bin/sh
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export top_srcdir='$top_srcdir' top_builddir='$top_builddir' IOP_ROOT='$ROOT'
exec /bin/bash '$top_srcdir/tests/interop/guest.sh' '$ROOT/$b.cases'
EOB
	chmod +x "$ROOT/$b.sh"
	for id in $(awk '$1 == "&" { print $2; next } $1 != "wait" { print $1 }' "$ROOT/$b.cases"); do
		rm -rf "${ROOT:?}/$id"
	done
	iop_log "boot $b: $(grep -cv '^wait$' "$ROOT/$b.cases") cases"
	( t=$(date +%s); "$UML_RUN" "$ROOT/$b.sh" >"$ROOT/$b.log" 2>&1
	  iop_log "boot $b done in $(($(date +%s) - t)) s (runner status $?)" ) &
	iop_track $!
	running=$((running + 1))
	if [ "$running" -ge "$PAR" ]; then wait -n; running=$((running - 1)); fi
done
wait
IOP_PIDS=""

# Verdicts: a case passes when its scenario passed and every capture it left
# decodes in tshark with no malformed packet and no expert warning.
pass=0 fail=0
while read -r _ first rest; do
	[ "$first" = wait ] && continue
	[ "$first" = "&" ] && set -- $rest || set -- "$first" $rest
	id=$1 d=$ROOT/$1 why=""
	if [ ! -f "$d/status" ]; then
		why="did not run (see $ROOT/*.log)"
	elif [ "$(cat "$d/status")" != 0 ]; then
		why="status $(cat "$d/status"): $(grep -c 'FAIL:' "$d/log") checks failed"
		[ "$(cat "$d/status")" = 124 ] && why="timed out"
	fi
	for pc in "$d"/*.pcap; do
		[ -f "$pc" ] || continue
		cap_check "$pc" >/dev/null 2>&1 || why="${why:+$why; }capture $(basename "$pc") has tshark findings"
	done
	case $id in lsw-*) [ $LSW_OK = 1 ] || why="libreswan unavailable; $why" ;; esac
	if [ -z "$why" ]; then
		pass=$((pass + 1)); echo "PASS $id ($(cat "$d/elapsed") s)"
	else
		fail=$((fail + 1)); echo "FAIL $id: $why"
		grep 'FAIL:' "$d/log" 2>/dev/null | sed 's/^/    /'
	fi
done <"$ROOT/cases"
iop_log "total $(($(date +%s) - T0)) s; details under $ROOT"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
