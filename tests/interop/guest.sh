#!/bin/bash
# Runs inside user-mode Linux (as the scenario of tests/lab/uml-run.sh): the
# interop cases of one boot.
# Usage: guest.sh CASEFILE ROOT
# CASEFILE: one case a line, "ID SCRIPT ARGS..." (SCRIPT relative to
# tests/interop/scenarios); a line starting with "&" starts its case in the
# background (cases that mostly wait: lifetimes, DPD), and "wait" waits for
# those. Each case runs with LAB_OUT=ROOT/ID, at most IOP_CASE_TIMEOUT s; its
# exit status and time go to ROOT/ID/status and ROOT/ID/elapsed.
: "${LAB_SRC:?run through tests/lab/uml-run.sh}" "${LAB_BUILD:?}"
CASES=$1 ROOT=$2
: "${IOP_CASE_TIMEOUT:=300}"

run_case() {
	local id=$1 script=$2 t0 rc
	shift 2
	rm -rf "${ROOT:?}/$id"
	mkdir -p "$ROOT/$id"
	t0=$(date +%s)
	LAB_OUT=$ROOT/$id LAB_NAME=$id timeout -k 5 "$IOP_CASE_TIMEOUT" \
		bash "$LAB_SRC/tests/interop/scenarios/$script" "$@" \
		>"$ROOT/$id/log" 2>&1 </dev/null
	rc=$?
	echo "$rc" >"$ROOT/$id/status"
	echo $(($(date +%s) - t0)) >"$ROOT/$id/elapsed"
	echo "$(date +%T) case $id: status $rc, $(cat "$ROOT/$id/elapsed") s"
}

while read -r first rest; do
	case $first in
	''|'#'*) continue ;;
	wait) wait ;;
	'&') # shellcheck disable=SC2086
		run_case $rest & ;;
	*) # shellcheck disable=SC2086
		run_case "$first" $rest ;;
	esac
done <"$CASES"
wait
echo "$(date +%T) guest done"
