# backend-track: the netlink backend finds what it installed through its
# indexes (policies by selector, direction and mark; children by id and SPIs;
# tunnels by name) on a kernel with ESP and GRE: the "netlink-track" case of
# tests/lab/test_kernel (random traps against a model of their users; six
# children and six tunnels removed in an order that moves the others in the
# backend's arrays, each removal taking exactly its own objects).
. "$LAB_SRC/tests/lab/lib.sh"
prog=$LAB_BUILD/tests/lab/test_kernel
lab_need "$prog"
out=$(CK_RUN_CASE=netlink-track CK_TIMEOUT_MULTIPLIER=3 "$prog" 2>&1)
rc=$?
printf '%s\n' "$out"
[ $rc -eq 0 ] || lab_fail "test_kernel netlink-track failed"
lab_assert_match "both tests ran" 'Checks: 2, Failures: 0, Errors: 0' "$out"
# the case must have gone past the host's early stop: children and tunnels
# were really installed in the guest
lab_assert_no_match "children and tunnels exercised" 'not exercised' "$out"
echo "backend-track: ok"
