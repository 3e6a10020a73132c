#!/bin/sh
# Replays every fuzz corpus (tests/fuzz/corpus/NAME through the target
# tests/fuzz/fuzz_NAME.c) under valgrind's memcheck, which sees what ASan
# cannot: reads of uninitialised memory. The replay programs are built
# without sanitizers in their own build folder (build-valgrind, or
# $VALGRIND_BUILD). Any memcheck error fails the run; VALGRIND_ORIGINS=1 adds
# --track-origins=yes (where an uninitialised value came from; about twice as
# slow).
# Usage: tests/fuzz/valgrind-replay.sh [NAME ...]    (default: every corpus)
# Its last line: "N passed, M failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bdir=${VALGRIND_BUILD:-$top/build-valgrind}

if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind-replay: valgrind is not installed (scripts/setup-deps.sh)"
	echo "0 passed, 1 failed"
	exit 1
fi
[ -x "$top/configure" ] || (cd "$top" && ./autogen.sh >/dev/null 2>&1)
mkdir -p "$bdir"
if [ ! -f "$bdir/Makefile" ]; then
	(cd "$bdir" && "$top/configure" >configure.log 2>&1) || {
		tail -n 20 "$bdir/configure.log"
		echo "0 passed, 1 failed"
		exit 1
	}
fi

if [ $# -gt 0 ]; then
	names=$*
else
	names=$(cd "$top/tests/fuzz/corpus" && ls)
fi
progs=""
for n in $names; do
	[ -f "$top/tests/fuzz/fuzz_$n.c" ] || { echo "no target tests/fuzz/fuzz_$n.c"; exit 1; }
	progs="$progs tests/fuzz/fuzz_$n"
done
# shellcheck disable=SC2086
if ! make -C "$bdir" -j2 $progs >"$bdir/valgrind-build.log" 2>&1; then
	tail -n 40 "$bdir/valgrind-build.log"
	echo "0 passed, 1 failed"
	exit 1
fi

origins=no
[ "${VALGRIND_ORIGINS:-0}" = 1 ] && origins=yes
passed=0
failed=0
for n in $names; do
	start=$(date +%s)
	log="$bdir/valgrind-$n.log"
	if valgrind -q --tool=memcheck --error-exitcode=99 --track-origins="$origins" \
		--leak-check=no "$bdir/tests/fuzz/fuzz_$n" "$top/tests/fuzz/corpus/$n" \
		>"$log" 2>&1; then
		echo "PASS: $n ($(tail -n 1 "$log"), $(($(date +%s) - start)) s)"
		passed=$((passed + 1))
	else
		echo "FAIL: $n (memcheck errors or a crash; see $log)"
		grep -m 20 -E '^==[0-9]+== ' "$log"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
