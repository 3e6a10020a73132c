#!/bin/sh
# The Debian package: builds it with dpkg-buildpackage from a copy of the
# source tree (a plain build, no sanitizers, in <top>/build-deb), unpacks it
# into a throw-away root and checks what a Debian 12 machine would get: the
# programs with Debian's paths compiled in, the unit (systemd-analyze verify
# and security), the conffile, the man pages, the bash completion, the
# maintainer scripts that enable and start the unit, and lintian.
# Ends with "N passed, M failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
work=${DEB_WORK:-$top/build-deb}
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() { # check DESCRIPTION COMMAND...: one assertion
	d=$1
	shift
	if "$@" >"$work/last.out" 2>&1; then
		ok "$d"
	else
		bad "$d: $(head -c 600 "$work/last.out")"
	fi
}
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}

for t in dpkg-buildpackage dh dpkg-deb; do
	command -v "$t" >/dev/null 2>&1 || { bad "$t is missing (scripts/setup-deps.sh)"; finish; }
done
rm -rf "$work"
mkdir -p "$work/src" "$work/root"
# the source as a fresh checkout has it: tracked and new files, no builds
cd "$top" || exit 1
if git rev-parse --git-dir >/dev/null 2>&1; then
	git ls-files -co --exclude-standard | grep -v -e '^build' -e '^tests/lab/out/' |
		tar -cf - -T - | tar -xf - -C "$work/src"
else
	tar -cf - --exclude='./build*' . | tar -xf - -C "$work/src"
fi
cd "$work/src" || exit 1
start=$(date +%s)
if DEB_BUILD_OPTIONS="nocheck parallel=2" timeout 600 dpkg-buildpackage -us -uc -b \
	>"$work/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b ($(($(date +%s) - start)) s)"
else
	tail -n 40 "$work/build.log"
	bad "dpkg-buildpackage failed (log: $work/build.log)"
	finish
fi
deb=$(ls "$work"/ikerd_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { bad "no ikerd .deb"; finish; }
root="$work/root"
dpkg-deb -x "$deb" "$root"
dpkg-deb -e "$deb" "$work/control"
dpkg-deb -c "$deb" >"$work/contents"

# the files, where Debian 12 wants them
for f in ./usr/sbin/ikerd ./usr/sbin/ikerctl ./lib/systemd/system/ikerd.service \
	./etc/ikerd/ikerd.conf ./usr/share/man/man8/ikerd.8.gz ./usr/share/man/man8/ikerctl.8.gz \
	./usr/share/man/man5/ikerd.conf.5.gz ./usr/share/bash-completion/completions/ikerctl \
	./usr/share/doc/ikerd/examples/seed-r1.conf ./usr/share/doc/ikerd/copyright \
	./etc/default/ikerd; do
	check "contains $f" grep -q " $f\$" "$work/contents"
done
check "the configuration is a conffile" grep -qx /etc/ikerd/ikerd.conf "$work/control/conffiles"
check "/etc/default/ikerd is a conffile" grep -qx /etc/default/ikerd "$work/control/conffiles"
check "the configuration is root-only (0600)" \
	grep -q '^-rw------- root/root .* ./etc/ikerd/ikerd.conf$' "$work/contents"

# Debian's paths are compiled in
"$root/usr/sbin/ikerd" --help >"$work/help" 2>&1
check "ikerd's default configuration is /etc/ikerd/ikerd.conf" \
	grep -q '(default /etc/ikerd/ikerd.conf)' "$work/help"
check "ikerd's control socket is /run/ikerd/ikerd.ctl" \
	grep -q '(default /run/ikerd/ikerd.ctl)' "$work/help"
check "ikerd's pid file is /run/ikerd/ikerd.pid" \
	grep -q '(default /run/ikerd/ikerd.pid)' "$work/help"
"$root/usr/sbin/ikerctl" --help >"$work/ctlhelp" 2>&1
check "ikerctl's control socket is /run/ikerd/ikerd.ctl" \
	grep -q '(default /run/ikerd/ikerd.ctl)' "$work/ctlhelp"
check "ikerd is built with sd_notify (libsystemd)" \
	sh -c "ldd '$root/usr/sbin/ikerd' | grep -q libsystemd"
check "ikerctl is built with line editing (libedit)" \
	sh -c "ldd '$root/usr/sbin/ikerctl' | grep -q libedit"

# the conffile as shipped is valid (so the service starts) and inert
check "ikerd -t accepts the shipped /etc/ikerd/ikerd.conf, with nothing ignored" sh -c \
	"'$root/usr/sbin/ikerd' -t -f '$root/etc/ikerd/ikerd.conf' |
	grep -q '0 line(s) ignored, 0 finding(s)'"
check "the shipped configuration has no key, policy or tunnel" \
	sh -c "! grep -v '^!' '$root/etc/ikerd/ikerd.conf' | grep -q -e crypto -e interface"
# the examples parse (exit 0, or 2 when the static check finds the hazard an
# example is there to show; 1 would be a configuration that does not load)
for ex in "$root"/usr/share/doc/ikerd/examples/*.conf; do
	check "ikerd -t loads the example $(basename "$ex")" \
		sh -c "'$root/usr/sbin/ikerd' -t -f '$ex'; [ \$? != 1 ]"
done
printf 'crypto isakmp policy 10\n encr rot13\n' >"$work/broken.conf"
check "ikerd -t refuses a broken file (ExecStartPre keeps the service down)" \
	sh -c "! '$root/usr/sbin/ikerd' -t -f '$work/broken.conf'"
check "ikerctl '?' works from the package" \
	sh -c "'$root/usr/sbin/ikerctl' show crypto isakmp '?' |
	grep -q 'Show ISAKMP Security Associations'"

# the unit
unit="$root/lib/systemd/system/ikerd.service"
check "unit: Type=notify" grep -qx 'Type=notify' "$unit"
check "unit: ikerd -t before the start, failing on exit 1 only" grep -qxF \
	"ExecStartPre=/bin/sh -c '/usr/sbin/ikerd -t -f /etc/ikerd/ikerd.conf; [ \$\$? -ne 1 ]'" \
	"$unit"
# the unit's check as systemd runs it ($$ is a $): fails on a broken file only
pre=$(sed -n "s/^ExecStartPre=\/bin\/sh -c '\(.*\)'\$/\1/p" "$unit" | sed 's/\$\$/$/g' |
	sed "s|/usr/sbin/ikerd|$root/usr/sbin/ikerd|; s|/etc/ikerd/ikerd.conf|\$1|")
check "unit check passes the shipped file" sh -c "$pre" _ "$root/etc/ikerd/ikerd.conf"
check "unit check passes a file with findings (seed-r1)" \
	sh -c "$pre" _ "$root/usr/share/doc/ikerd/examples/seed-r1.conf"
check "unit check fails a broken file" sh -c "! sh -c '$pre' _ '$work/broken.conf'"
check "unit: ExecStart in the foreground" \
	grep -qx 'ExecStart=/usr/sbin/ikerd -d -f /etc/ikerd/ikerd.conf $IKERD_OPTS' "$unit"
check "unit: options from /etc/default/ikerd" \
	grep -qx 'EnvironmentFile=-/etc/default/ikerd' "$unit"
check "unit: reload by SIGHUP" grep -qx "ExecReload=/bin/sh -c 'kill -HUP \$MAINPID'" "$unit"
check "unit: RuntimeDirectory=ikerd" grep -qx 'RuntimeDirectory=ikerd' "$unit"
if command -v systemd-analyze >/dev/null 2>&1; then
	# verify resolves the programs: point them into the unpacked root
	mkdir -p "$work/unit"
	sed "s|/usr/sbin/|$root/usr/sbin/|g" "$unit" >"$work/unit/ikerd.service"
	check "systemd-analyze verify" systemd-analyze verify --man=no "$work/unit/ikerd.service"
	systemd-analyze security --offline=true --no-pager "$unit" >"$work/security" 2>&1
	score=$(sed -n 's/.*Overall exposure level for ikerd.service: \([0-9.]*\).*/\1/p' \
		"$work/security")
	echo "systemd-analyze security: exposure ${score:-?}"
	check "systemd-analyze security exposure at most 3.0 (${score:-none})" \
		awk -v s="${score:-99}" 'BEGIN { exit !(s <= 3.0) }'
else
	bad "systemd-analyze is missing (apt-get install systemd)"
fi

# the maintainer scripts enable and start the unit (dh_installsystemd)
check "postinst enables ikerd.service" \
	grep -q "deb-systemd-helper .*enable.* 'ikerd.service'" "$work/control/postinst"
check "postinst starts ikerd.service" sh -c "grep -q '_dh_action=start' '$work/control/postinst' &&
	grep -q \"deb-systemd-invoke \\\$_dh_action 'ikerd.service'\" '$work/control/postinst'"
check "postrm purges the unit's state" grep -q "deb-systemd-helper purge 'ikerd.service'" \
	"$work/control/postrm"

# man pages: render without warnings
for m in man8/ikerd.8.gz man8/ikerctl.8.gz man5/ikerd.conf.5.gz; do
	check "man page $m renders without warnings" sh -c \
		"out=\$(MANWIDTH=80 man --warnings -l '$root/usr/share/man/$m' 2>&1 >/dev/null); \
		[ -z \"\$out\" ] || { echo \"\$out\"; exit 1; }"
done

# the bash completion loads and registers ikerctl
if [ -f /usr/share/bash-completion/bash_completion ]; then
	check "bash completion registers ikerctl" bash -c \
		". /usr/share/bash-completion/bash_completion; \
		. '$root/usr/share/bash-completion/completions/ikerctl'; complete -p ikerctl"
fi

# lintian: no error (warnings are printed)
if command -v lintian >/dev/null 2>&1; then
	lintian "$work"/ikerd_*.changes >"$work/lintian.txt" 2>&1
	grep -E '^[EWI]:' "$work/lintian.txt"
	echo "lintian: $(grep -c '^E:' "$work/lintian.txt") error(s)," \
		"$(grep -c '^W:' "$work/lintian.txt") warning(s)"
	check "lintian reports no error" sh -c "! grep -q '^E:' '$work/lintian.txt'"
else
	bad "lintian is missing (scripts/setup-deps.sh)"
fi
finish
