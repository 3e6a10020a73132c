#!/bin/bash
# Runs inside user-mode Linux: the interop cases of one boot.
# Usage: guest.sh CASEFILE
# CASEFILE: one case a line, "ID SCRIPT ARGS..." (SCRIPT relative to
# tests/interop/scenarios); a line starting with "&" starts its case in the
# background (cases that mostly wait: lifetimes, DPD), and "wait" waits for
# those. Each case gets IOP_OUT=$IOP_ROOT/ID and at most IOP_CASE_TIMEOUT s;
# its exit status and time go to $IOP_OUT/status and $IOP_OUT/elapsed.
: "${top_srcdir:?}" "${top_builddir:?}" "${IOP_ROOT:?}"
export top_srcdir top_builddir
: "${IOP_CASE_TIMEOUT:=240}"

run_case() {
	local id=$1 script=$2 t0 rc
	shift 2
	mkdir -p "$IOP_ROOT/$id"
	t0=$(date +%s)
	IOP_OUT=$IOP_ROOT/$id timeout -k 5 "$IOP_CASE_TIMEOUT" \
		bash "$top_srcdir/tests/interop/scenarios/$script" "$@" \
		>"$IOP_ROOT/$id/log" 2>&1
	rc=$?
	echo "$rc" >"$IOP_ROOT/$id/status"
	echo $(($(date +%s) - t0)) >"$IOP_ROOT/$id/elapsed"
	echo "$(date +%T) case $id: status $rc, $(cat "$IOP_ROOT/$id/elapsed") s"
}

for m in veth esp4 xfrm_user xfrm4_tunnel ip_gre ip_vti; do modprobe "$m" 2>/dev/null; done
sysctl -qw net.core.optmem_max=81920 2>/dev/null
while read -r first rest; do
	case $first in
	''|'#'*) continue ;;
	wait) wait ;;
	'&') # shellcheck disable=SC2086
		run_case $rest & ;;
	*) # shellcheck disable=SC2086
		run_case "$first" $rest ;;
	esac
done <"$1"
wait
echo "$(date +%T) guest done"
