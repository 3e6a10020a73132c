#!/bin/sh
# Mutation check of the security checks: for each check listed in
# src/util/mutant.h, rebuilds the library and the exchange tests with that one
# check switched off (-DIK_MUTANT_BUILD, ik_mutant_id.h = its number) and
# requires the exchange tests to FAIL. A mutant whose tests still pass has
# "SURVIVED": no test proves that check, and this script fails.
#
# One scratch build directory (no sanitizers, -O1), configured once; changing
# the mutant recompiles only the files that include src/util/mutant.h.
#   tests/mutation.sh [MUTANT_NAME...]    (default: every mutant)
# Environment: IK_MUTATION_DIR (scratch build, default build-mutation/ at the
# top of the tree), IK_MUTATION_JOBS (make -j, default 2).
# Prints one line per mutant and ends with "N passed, M failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
work=${IK_MUTATION_DIR:-$top/build-mutation}
jobs=${IK_MUTATION_JOBS:-2}
tests="tests/unit/test_exchange tests/unit/test_exchange_am tests/unit/test_trust
	tests/unit/test_v2_crypto tests/unit/test_exchange_v2 tests/unit/test_exchange_v2_more
	tests/unit/test_exchange_cert tests/unit/test_engine_core
	tests/unit/test_exchange_v2_cert tests/unit/test_cmap_v2 tests/unit/test_cmap6"
start=$(date +%s)

fail_setup() {
	echo "mutation: $1 (log: $2)"
	tail -n 30 "$2" 2>/dev/null
	echo "0 passed, 1 failed"
	exit 1
}

[ -x "$top/configure" ] || (cd "$top" && ./autogen.sh >/dev/null 2>&1) ||
	fail_setup "autogen failed" /dev/null
mkdir -p "$work/mutant-id" || exit 1
if [ ! -f "$work/Makefile" ]; then
	(cd "$work" && "$top/configure" CFLAGS="-O1" \
		CPPFLAGS="-DIK_MUTANT_BUILD -I$work/mutant-id") >"$work/configure.out" 2>&1 ||
		fail_setup "configure failed" "$work/configure.out"
fi

# The mutants: "number name" from the X(...) lines of the list.
list=$(sed -n 's/^[[:space:]]*X(\([0-9][0-9]*\), *\([A-Z0-9_]*\),.*/\1 \2/p' \
	"$top/src/util/mutant.h")
[ -n "$list" ] || fail_setup "no mutants listed in src/util/mutant.h" /dev/null

set_id() { # $1 = number; rewrites the header only when it changes
	new="#define IK_MUTANT_ID $1"
	if [ ! -f "$work/mutant-id/ik_mutant_id.h" ] ||
	   [ "$(cat "$work/mutant-id/ik_mutant_id.h")" != "$new" ]; then
		echo "$new" >"$work/mutant-id/ik_mutant_id.h"
	fi
}

build() { # $1 = log file
	# shellcheck disable=SC2086 # $tests is a list of targets
	(cd "$work" && make -j"$jobs" libikerd.a $tests) >"$1" 2>&1
}

# Runs the tests; prints the names of the failing test cases (or the program
# that failed without naming one). Returns 0 when every test passed.
run_tests() { # $1 = log file
	rc=0
	: >"$1"
	for t in $tests; do
		if ! (cd "$work" && timeout 300 "./$t") >>"$1" 2>&1; then
			rc=1
		fi
	done
	return $rc
}

failing_cases() { # $1 = log file
	names=$(sed -n 's/^[^:]*:[0-9]*:[FE]:[^:]*:\([^:]*\):.*/\1/p' "$1" | sort -u |
		tr '\n' ' ')
	echo "${names:-(a test program failed)}"
}

passed=0
failed=0

# The unmutated build must pass, or a "killed" below would mean nothing.
set_id 0
build "$work/build-0.log" || fail_setup "the unmutated build failed" "$work/build-0.log"
if ! run_tests "$work/run-0.log"; then
	fail_setup "the exchange tests fail without any mutant" "$work/run-0.log"
fi
echo "baseline: exchange tests pass with every check in place"

echo "$list" | {
	while read -r num name; do
		[ -n "$num" ] || continue
		if [ $# -gt 0 ]; then
			want=no
			for a in "$@"; do [ "$a" = "$name" ] && want=yes; done
			[ $want = yes ] || continue
		fi
		set_id "$num"
		if ! build "$work/build-$num.log"; then
			echo "BUILD FAILED $name ($num): see $work/build-$num.log"
			failed=$((failed + 1))
			continue
		fi
		if run_tests "$work/run-$num.log"; then
			echo "SURVIVED $name ($num): the exchange tests pass without this check"
			failed=$((failed + 1))
		else
			echo "killed   $name ($num) by: $(failing_cases "$work/run-$num.log")"
			passed=$((passed + 1))
		fi
	done
	set_id 0
	echo "mutation: $(( $(date +%s) - start )) s"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
