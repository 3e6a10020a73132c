#!/bin/sh
# ikerd's whole test suite, from a fresh clone on Debian 12, as root:
#   1. installs the Debian packages it needs (scripts/setup-deps.sh);
#   2. builds with AddressSanitizer and UBSan, warnings as errors;
#   3. make check: unit tests, in-process exchanges, fuzz corpus replays,
#      daemon tests in network namespaces;
#   4. the mutation check (tests/mutation.sh): each security check removed in
#      turn must make the exchange tests fail;
#   5. make distcheck (the release tarball builds and passes);
#   6. the user-mode Linux lab (real ESP, GRE, VTI);
#   7. interoperability with strongSwan and libreswan, in the lab.
# Its last line counts the tests: "N passed, M failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
"$top/scripts/setup-deps.sh" || exit 1

passed=0
failed=0
stages_failed=""
log_dir="$top/build/test-logs"

stage() { printf '\n==== %s ====\n' "$1"; }
count() { # $1 = stage name, $2 = passed, $3 = failed
	passed=$((passed + $2))
	failed=$((failed + $3))
	[ "$3" -eq 0 ] || stages_failed="$stages_failed $1"
}
# Reads the "N passed, M failed" line a runner printed last.
count_runner() { # $1 = stage, $2 = output file, $3 = runner exit status
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$2" | tail -n 1)
	if [ -n "$line" ]; then
		p=${line%% passed*}
		f=${line#*passed, }
		f=${f%% failed*}
		[ "$3" -eq 0 ] || [ "$f" -gt 0 ] || f=1
		count "$1" "$p" "$f"
	else
		count "$1" 0 1
	fi
}

stage "build (ASan + UBSan)"
./autogen.sh >/dev/null 2>&1 || { echo "autogen failed"; exit 1; }
mkdir -p build && cd build || exit 1
mkdir -p "$log_dir"
if ! { [ -f Makefile ] || ../configure --enable-sanitizers >"$log_dir/configure.log" 2>&1; }; then
	tail -n 30 "$log_dir/configure.log"
	echo "0 passed, 1 failed"
	exit 1
fi
if ! make -j2 >"$log_dir/build.log" 2>&1; then
	tail -n 60 "$log_dir/build.log"
	echo "0 passed, 1 failed"
	exit 1
fi

stage "make check"
make -j2 check >"$log_dir/check.log" 2>&1
rc=$?
grep -E '^(PASS|FAIL|ERROR|XPASS|SKIP):|^# ' "$log_dir/check.log"
p=$(sed -n 's/^# PASS: *//p' "$log_dir/check.log" | tail -n 1)
f=$(sed -n 's/^# FAIL: *//p' "$log_dir/check.log" | tail -n 1)
e=$(sed -n 's/^# ERROR: *//p' "$log_dir/check.log" | tail -n 1)
[ -n "$p" ] || p=0
f=$(( ${f:-0} + ${e:-0} ))
[ $rc -eq 0 ] || [ $f -gt 0 ] || f=1
[ $rc -eq 0 ] || cat test-suite.log 2>/dev/null | tail -n 200
count check "$p" "$f"

stage "mutation (each security check removed in turn)"
"$top/tests/mutation.sh" >"$log_dir/mutation.log" 2>&1
rc=$?
cat "$log_dir/mutation.log"
count_runner mutation "$log_dir/mutation.log" $rc

stage "make distcheck"
if make -j2 distcheck >"$log_dir/distcheck.log" 2>&1; then
	echo "distcheck: ok"
	count distcheck 1 0
else
	tail -n 60 "$log_dir/distcheck.log"
	count distcheck 0 1
fi

if [ -x "$top/tests/lab/run-all.sh" ]; then
	stage "lab (user-mode Linux)"
	"$top/tests/lab/run-all.sh" 2>&1 | tee "$log_dir/lab.log"
	count_runner lab "$log_dir/lab.log" 0
	grep -q ' 0 failed$' "$log_dir/lab.log" || true
fi

if [ -x "$top/tests/interop/run-all.sh" ]; then
	stage "interop (strongSwan, libreswan)"
	"$top/tests/interop/run-all.sh" 2>&1 | tee "$log_dir/interop.log"
	count_runner interop "$log_dir/interop.log" 0
fi

printf '\n'
[ -z "$stages_failed" ] || echo "failed stages:$stages_failed (logs in $log_dir)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
