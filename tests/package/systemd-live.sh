#!/bin/sh
# The package under a running systemd (a Debian 12 machine or VM where
# systemd is PID 1; skipped elsewhere): installs the .deb that
# tests/package/deb.sh built, and checks that the service starts with the
# shipped configuration (Type=notify readiness, status line), that a reload
# of a broken file keeps it running with the reason in its status, that a
# broken file keeps a restart from starting it, and that the journal has
# ikerd's lines with IOS severities as priorities. Removes the package at
# the end. Ends with "N passed, M failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
work=${DEB_WORK:-$top/build-deb}
if [ "$(cat /proc/1/comm 2>/dev/null)" != systemd ] || [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root and systemd as PID 1"
	exit 77
fi
deb=$(ls "$work"/ikerd_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { echo "no package in $work: run tests/package/deb.sh first"; exit 1; }
if dpkg-query -W ikerd >/dev/null 2>&1; then
	echo "ikerd is installed already: this test installs and removes it itself"
	exit 1
fi
passed=0
failed=0
check() { # DESCRIPTION COMMAND...
	d=$1
	shift
	if "$@" >/tmp/ikerd-live.out 2>&1; then
		passed=$((passed + 1))
		echo "ok: $d"
	else
		failed=$((failed + 1))
		echo "FAIL: $d: $(head -c 400 /tmp/ikerd-live.out)"
	fi
}
# wait_state STATE: until systemctl is-active says so (at most 15 s)
wait_state() {
	n=0
	until [ "$(systemctl is-active ikerd)" = "$1" ]; do
		[ $n -ge 150 ] && return 1
		sleep 0.1
		n=$((n + 1))
	done
}
since=$(date '+%Y-%m-%d %H:%M:%S')
check "apt-get installs the package" apt-get install -y "$deb"
check "the service is active with the shipped configuration" wait_state active
check "the status line comes from sd_notify" \
	sh -c "systemctl show -p StatusText ikerd | grep -q 'StatusText=Running /etc/ikerd/ikerd.conf'"
check "the control socket is in /run/ikerd" test -S /run/ikerd/ikerd.ctl
check "ikerctl reaches the service" ikerctl show crypto session
cp /etc/ikerd/ikerd.conf /tmp/ikerd-live.conf
printf 'crypto isakmp policy 10\n encr rot13\n' >>/etc/ikerd/ikerd.conf
check "systemctl reload of a broken file" systemctl reload ikerd
sleep 1
check "the service keeps running after a bad reload" wait_state active
check "its status names the error" \
	sh -c "systemctl show -p StatusText ikerd | grep -q 'reload failed, running configuration kept'"
check "a restart with the broken file fails (ExecStartPre ikerd -t)" \
	sh -c "! systemctl restart ikerd"
check "the journal has the file and line of the error" \
	sh -c "journalctl -u ikerd --since '$since' | grep -q 'ikerd.conf:'"
check "the journal stores %IKERD-3- lines with priority 3" \
	sh -c "journalctl -u ikerd --since '$since' -p 3..3 | grep -q '%IKERD-3-RELOAD'"
cp /tmp/ikerd-live.conf /etc/ikerd/ikerd.conf
check "the service starts again with a valid file" systemctl restart ikerd
check "systemd-analyze security of the installed unit" \
	sh -c "systemd-analyze security ikerd --no-pager | tail -n 1 | grep -q 'Overall exposure level'"
systemd-analyze security ikerd --no-pager 2>/dev/null | tail -n 1
check "apt-get purges the package" apt-get purge -y ikerd
check "the service is gone" sh -c "! systemctl is-active -q ikerd"
rm -f /tmp/ikerd-live.conf /tmp/ikerd-live.out
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
