#!/bin/sh
# The lab guest's init (tests/lab/uml-init.sh) on the build host, in private
# mount, PID, UTS and network namespaces, as a host without /lib/modules (a
# container with no kernel package) would run it: the modules are bound under
# /run/lab-modules and every module of the list resolves through modprobe -d
# (dry run: the host does not load user-mode Linux's modules), the scenario
# runs with TMPDIR on the guest's /run, and when the modules are missing the
# reason stays in the log. The copy that runs here has no halt, no hostname,
# no kernel.panic, and a fixed kernel version (the guest's, not the host's).
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
fail() { echo "FAIL: init: $*"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "SKIP: init: needs root"; exit 77; }
unshare -m -u -n -p -f true 2>/dev/null || { echo "SKIP: init: no namespaces"; exit 77; }
kver=$(ls /usr/lib/uml/modules 2>/dev/null | head -n 1)
[ -n "$kver" ] || { echo "SKIP: init: user-mode-linux is not installed"; exit 77; }
tmp=$(mktemp -d /tmp/ikerd-init.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT

# run_init KVER: runs the copy with kernel version KVER; status in $tmp/out
run_init() {
	sed -e 's/^\thalt -f$/\texit 0/' -e '/kernel\.panic/d' -e '/^hostname /d' \
		-e "s/^kver=\$(uname -r)\$/kver=$1/" \
		-e 's/modprobe -q -d "\$modroot" "\$m"/modprobe -n -q -S "$kver" -d "$modroot" "$m"/' \
		"$top/tests/lab/uml-init.sh" >"$tmp/init.sh"
	grep -v '^[[:space:]]*#' "$tmp/init.sh" | grep -q 'halt -f\|kernel\.panic\|^hostname' &&
		fail "unsafe copy of uml-init.sh"
	grep -q "^kver=$1\$" "$tmp/init.sh" || fail "kver not replaced in the copy"
	grep -q 'modprobe -n -q -S' "$tmp/init.sh" || fail "modprobe not made a dry run"
	rm -rf "$tmp/out"
	mkdir -p "$tmp/out"
	cat >"$tmp/scen.sh" <<'SCEN'
echo "scenario ran, TMPDIR=$TMPDIR"
ls /run/lab-modules/lib/modules/*/kernel/net/ipv4/esp4.ko
SCEN
	printf "LAB_SCENARIO='%s'\nLAB_NAME=init\nLAB_OUT='%s'\nLAB_BUILD=/nonexistent\n" \
		"$tmp/scen.sh" "$tmp/out" >"$tmp/out/lab.env"
	printf "LAB_SRC='%s'\nLAB_GUEST_TIMEOUT=20\nset --\n" "$top" >>"$tmp/out/lab.env"
	iklab="$tmp/out" timeout 30 unshare -m -u -n -p -f --propagation private \
		sh "$tmp/init.sh" >"$tmp/console" 2>&1
}

run_init "$kver"
[ "$(cat "$tmp/out/status" 2>/dev/null)" = 0 ] ||
	fail "status $(cat "$tmp/out/status" 2>&1): $(cat "$tmp/out/log" "$tmp/console")"
grep -q "scenario ran, TMPDIR=/run/lab-tmp" "$tmp/out/log" ||
	fail "no scenario: $(cat "$tmp/out/log")"
grep -q "esp4.ko" "$tmp/out/log" || fail "modules not bound: $(cat "$tmp/out/log")"
grep -q "modules not loaded" "$tmp/out/log" && fail "modules unresolved: $(cat "$tmp/out/log")"

run_init 0.0.0-none
[ "$(cat "$tmp/out/status" 2>/dev/null)" = 1 ] ||
	fail "missing modules: status $(cat "$tmp/out/status" 2>&1)"
grep -q "uml-init: /usr/lib/uml/modules/0.0.0-none missing" "$tmp/out/log" \
	|| fail "the reason is not in the log: $(cat "$tmp/out/log")"
grep -q "scenario not run" "$tmp/out/log" || fail "no 'scenario not run': $(cat "$tmp/out/log")"
echo "PASS: init (modules of $kver bound under /run, reasons kept in the log)"
