#!/bin/bash
# run-all.sh [NAME...]: builds the lab build (build-lab.sh) and runs every lab
# scenario (tests/lab/scenarios/*.sh, or the NAMEs given) in its own
# user-mode Linux guest through uml-run.sh. Prints one PASS/FAIL line per
# scenario with its time, and on its last line "N passed, M failed".
# Exits 0 when every scenario passed. LAB_JOBS guests run at once (default 2:
# a guest uses one CPU); the longest scenarios (a "# lab-timeout:" line of
# more than 300 s) start first.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
export LAB_BUILD="${LAB_BUILD:-$top/build-lab}"

if ! "$here/build-lab.sh"; then
	echo "0 passed, 1 failed"
	exit 1
fi
if [ $# -gt 0 ]; then
	list=""
	for n in "$@"; do list="$list $here/scenarios/${n%.sh}.sh"; done
else
	list=$(ls "$here"/scenarios/*.sh 2>/dev/null | sort)
fi
jobs=${LAB_JOBS:-2}
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1
# long ones first
long=""
short=""
for s in $list; do
	t=$(sed -n 's/^# lab-timeout: *\([0-9][0-9]*\).*/\1/p' "$s" 2>/dev/null | head -n 1)
	if [ "${t:-0}" -gt 300 ]; then long="$long $s"; else short="$short $s"; fi
done
res="$LAB_BUILD/tests/lab/out/.results"
mkdir -p "$res"
rm -f "$res"/*
start=$(date +%s)
running=0
for s in $long $short; do
	name=$(basename "$s" .sh)
	if [ "$running" -ge "$jobs" ]; then
		wait -n 2>/dev/null || wait
		running=$((running - 1))
	fi
	(
		LAB_OUT="$LAB_BUILD/tests/lab/out/$name" "$here/uml-run.sh" "$s" \
			>"$res/$name.out" 2>&1
		case $? in
		0) echo pass >"$res/$name.rc" ;;
		77) echo skip >"$res/$name.rc" ;;
		*) echo fail >"$res/$name.rc" ;;
		esac
		cat "$res/$name.out"
	) &
	running=$((running + 1))
done
wait
passed=0
failed=0
failed_names=""
skipped_names=""
for s in $list; do
	name=$(basename "$s" .sh)
	case $(cat "$res/$name.rc" 2>/dev/null) in
	pass) passed=$((passed + 1)) ;;
	skip) skipped_names="$skipped_names $name" ;;
	*) failed=$((failed + 1))
		failed_names="$failed_names $name" ;;
	esac
done
echo "lab: $(($(date +%s) - start)) s in all ($jobs at once); logs in $LAB_BUILD/tests/lab/out/"
[ -z "$failed_names" ] || echo "lab: failed:$failed_names"
[ -z "$skipped_names" ] || echo "lab: skipped (not in this build):$skipped_names"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
