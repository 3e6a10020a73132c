#!/bin/sh
# run-all.sh [NAME...]: builds the lab build (build-lab.sh) and runs every lab
# scenario (tests/lab/scenarios/*.sh, or the NAMEs given) in its own
# user-mode Linux guest through uml-run.sh. Prints one PASS/FAIL line per
# scenario with its time, and on its last line "N passed, M failed".
# Exits 0 when every scenario passed.
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
passed=0
failed=0
failed_names=""
start=$(date +%s)
for s in $list; do
	name=$(basename "$s" .sh)
	if LAB_OUT="$LAB_BUILD/tests/lab/out/$name" "$here/uml-run.sh" "$s"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failed_names="$failed_names $name"
	fi
done
echo "lab: $(($(date +%s) - start)) s in all; logs in $LAB_BUILD/tests/lab/out/"
[ -z "$failed_names" ] || echo "lab: failed:$failed_names"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
