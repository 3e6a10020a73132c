#!/bin/sh
# demo.sh: the seed's two routers in a user-mode Linux lab. Builds the lab
# build if needed, runs the gre-seed scenario (R1 and R2 over GRE protected by
# IPsec, R1 initiates), and prints what an engineer would see on the routers:
# the ping across the tunnel and, for R1 and R2, show crypto isakmp sa,
# show crypto ipsec sa and show crypto session. Exits 0 when the scenario
# passed. Needs root (namespaces inside the guest) and the packages of
# scripts/setup-deps.sh.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
export LAB_BUILD="${LAB_BUILD:-$top/build-lab}"
"$here/build-lab.sh" || exit 1
out="$LAB_BUILD/tests/lab/out/demo"
LAB_OUT="$out" "$here/uml-run.sh" "$here/scenarios/gre-seed.sh"
rc=$?
echo
if [ -s "$out/transcript.txt" ]; then
	echo "==== R1 and R2 (the seed, over GRE with tunnel protection) ===="
	echo
	cat "$out/transcript.txt"
else
	echo "demo: no transcript (the scenario stopped before the tunnel was up); see $out/log"
fi
echo "(ikerd logs with debug crypto isakmp/ipsec: $out/ikerd-r1.log, $out/ikerd-r2.log)"
exit $rc
