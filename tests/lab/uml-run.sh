#!/bin/sh
# uml-run.sh SCENARIO [ARGS...]: runs one lab scenario inside user-mode Linux.
#
# The guest boots the host's own root file system through hostfs, so it runs the
# project's lab build (build-lab/, see build-lab.sh), iproute2 and ping directly.
# tests/lab/uml-init.sh is its PID 1: it mounts what the guest needs, loads the
# ESP/GRE/VTI/VRF/netem modules, runs SCENARIO with ARGS under a time limit and
# writes the scenario's exit status into a file on the host file system. This
# script reads that file: the exit status of the boot itself says nothing.
#
# Environment:
#   LAB_OUT      output folder (default: $LAB_BUILD/tests/lab/out/<scenario>);
#                holds log (the scenario's output), console.log (the guest
#                console), status and whatever the scenario writes there
#   LAB_BUILD    the lab build (default: <top>/build-lab)
#   LAB_TIMEOUT  seconds for the whole run, boot included (default: the
#                scenario's "# lab-timeout: N" line, else 300); the scenario
#                gets 15 s less, then the guest is killed by process group
#   LAB_MEM      guest memory (default 512M)
#   LAB_VERBOSE  1: print the scenario's whole log, not only on failure
# Prints one line "PASS name (N s)" or "FAIL name (...)" and exits 0 on PASS.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

if [ $# -lt 1 ]; then
	echo "usage: $0 SCENARIO [ARGS...]" >&2
	exit 2
fi
script=$1
shift
case $script in
/*) ;;
*) script=$(cd "$(dirname "$script")" && pwd)/$(basename "$script") ;;
esac
name=$(basename "$script" .sh)
fail() { echo "FAIL $name ($*)"; exit 1; }
[ -f "$script" ] || fail "no such scenario: $script"

uml=${LAB_UML:-/usr/bin/linux.uml}
[ -x "$uml" ] || fail "$uml missing: apt-get install user-mode-linux"
command -v modprobe >/dev/null 2>&1 || [ -x /usr/sbin/modprobe ] ||
	fail "modprobe missing (the guest loads its modules with it): apt-get install kmod"

LAB_BUILD=${LAB_BUILD:-$top/build-lab}
case $LAB_BUILD in /*) ;; *) LAB_BUILD=$(pwd)/$LAB_BUILD ;; esac
out=${LAB_OUT:-$LAB_BUILD/tests/lab/out/$name}
mkdir -p "$out" || fail "cannot create $out"
out=$(cd "$out" && pwd)
case "$out$script$LAB_BUILD" in
*[[:space:]]*) fail "paths with white space are not supported: $out" ;;
esac
# The guest mounts its own /run, /dev, /proc and /sys: what the host keeps
# there is invisible inside. /tmp is the host's (the guest's scratch space is
# its own /run/lab-tmp), so a checkout under /tmp works.
for p in "$out" "$script" "$LAB_BUILD"; do
	case $p in
	/run/* | /dev/* | /proc/* | /sys/*)
		fail "$p is hidden inside the guest (it mounts its own /run, /dev, /proc, /sys)" ;;
	esac
done
declared=$(sed -n 's/^# lab-timeout: *\([0-9][0-9]*\).*/\1/p' "$script" | head -n 1)
timeout_s=${LAB_TIMEOUT:-${declared:-300}}
guest_s=$((timeout_s - 15))
[ "$guest_s" -ge 10 ] || guest_s=10

# The guest reads its orders from lab.env in the output folder; the kernel
# command line only says where that folder is (iklab=...), which the kernel
# hands to init as an environment variable.
rm -f "$out/status" "$out/log" "$out/console.log" "$out/skip"
q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
{
	echo "LAB_SCENARIO=$(q "$script")"
	echo "LAB_NAME=$(q "$name")"
	echo "LAB_OUT=$(q "$out")"
	echo "LAB_BUILD=$(q "$LAB_BUILD")"
	echo "LAB_SRC=$(q "$top")"
	echo "LAB_GUEST_TIMEOUT=$guest_s"
	# programs other than the lab build's (the demo of an installed package)
	[ -z "${IKERD:-}" ] || echo "IKERD=$(q "$IKERD")"
	[ -z "${IKERCTL:-}" ] || echo "IKERCTL=$(q "$IKERCTL")"
	printf 'set --'
	for a in "$@"; do printf ' %s' "$(q "$a")"; done
	echo
} >"$out/lab.env"

# On hosts whose XSAVE area is larger than user-mode Linux 6.1 knows (AVX-512,
# AMX) the guest dies at once unless uml-xstate.so (see uml-xstate.c, built by
# build-lab.sh) carries its FPU state writes; elsewhere it changes nothing.
preload=
[ -f "$LAB_BUILD/uml-xstate.so" ] && preload=$LAB_BUILD/uml-xstate.so

start=$(date +%s)
# A process group of its own, so that a timeout kills the guest and every host
# process it made (user-mode Linux runs guest processes as host processes).
LD_PRELOAD=$preload setsid "$uml" mem="${LAB_MEM:-512M}" root=/dev/root rootfstype=hostfs rootflags=/ rw \
	init="$here/uml-init.sh" con=null con0=null,fd:1 quiet \
	uml_dir="$out" umid=uml iklab="$out" \
	</dev/null >"$out/console.log" 2>&1 &
pid=$!
timed_out=0
while kill -0 "$pid" 2>/dev/null; do
	if [ $(($(date +%s) - start)) -ge "$timeout_s" ]; then
		timed_out=1
		kill -TERM -- "-$pid" 2>/dev/null
		sleep 2
		kill -KILL -- "-$pid" 2>/dev/null
		break
	fi
	sleep 0.2
done
wait "$pid" 2>/dev/null
rm -rf "$out/uml"
secs=$(($(date +%s) - start))

status=$(cat "$out/status" 2>/dev/null)
if [ "${LAB_VERBOSE:-0}" = 1 ] && [ -f "$out/log" ]; then
	cat "$out/log"
fi
if [ "$status" = 0 ]; then
	echo "PASS $name (${secs} s)"
	exit 0
fi
# 77: the scenario needs what this build lacks (lab_skip), with the reason
if [ "$status" = 77 ] && [ -s "$out/skip" ]; then
	echo "SKIP $name ($(head -n 1 "$out/skip"))"
	exit 77
fi
if [ "${LAB_VERBOSE:-0}" != 1 ]; then
	if [ -s "$out/log" ]; then
		echo "---- last lines of $out/log"
		tail -n 40 "$out/log"
	else
		echo "---- no scenario log; last lines of $out/console.log"
		tail -n 20 "$out/console.log" 2>/dev/null
	fi
	# the guest's kernel could not run its first process: say why in words
	if grep -q "ptrace set fp regs failed" "$out/console.log" 2>/dev/null; then
		echo "uml-run: user-mode Linux could not set a process's FPU registers: the host" \
			"CPU's XSAVE area is larger than it handles and $LAB_BUILD/uml-xstate.so" \
			"did not carry the writes (run tests/lab/build-lab.sh)"
	fi
	echo "----"
fi
if [ $timed_out = 1 ]; then
	echo "FAIL $name (guest killed after ${timeout_s} s; log: $out/log)"
elif [ -z "$status" ]; then
	echo "FAIL $name (no exit status: the guest stopped early, ${secs} s;" \
		"see $out/console.log)"
elif [ "$status" = 124 ]; then
	echo "FAIL $name (scenario timed out after ${guest_s} s; log: $out/log)"
else
	echo "FAIL $name (exit status $status, ${secs} s; log: $out/log)"
fi
exit 1
