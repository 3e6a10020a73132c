#!/bin/sh
# The package under a real systemd on a machine whose PID 1 is not systemd (a
# container, a build host): a Debian 12 base system made by debootstrap and
# booted by systemd-nspawn with a private network, in which
# tests/package/systemd-live.sh installs the package that tests/package/deb.sh
# built and checks the service (readiness, reload, a broken file, the
# journal's priorities, purge). Needs root and Debian's archive (it installs
# debootstrap and systemd-container when missing, and the base system takes a
# few minutes the first time). Not part of scripts/test-all.sh for that
# reason. Ends with systemd-live.sh's "N passed, M failed".
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
work=${DEB_WORK:-$top/build-deb}
root=${NSPAWN_ROOT:-$top/build-nspawn/root}
fail() { echo "nspawn-live: $*"; echo "0 passed, 1 failed"; exit 1; }

[ "$(id -u)" = 0 ] || fail "needs root"
deb=$(ls "$work"/ikerd_*_*.deb 2>/dev/null | grep -v dbgsym | head -n 1)
[ -n "$deb" ] || fail "no package in $work: run tests/package/deb.sh first"
for p in debootstrap systemd-container; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$p" >/dev/null ||
		fail "cannot install $p"
done
if [ ! -x "$root/bin/systemctl" ]; then
	mkdir -p "$root"
	debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus bookworm "$root" \
		http://deb.debian.org/debian >"$root.debootstrap.log" 2>&1 ||
		fail "debootstrap failed (log: $root.debootstrap.log)"
fi
mkdir -p "$root/root/live"
cp "$deb" "$root/root/live/"
cp "$top/tests/package/systemd-live.sh" "$root/root/live/"
# the package's dependencies, from the archive, before the network goes
# private: install it once and purge it (the test installs it again)
chroot "$root" sh -c "DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	/root/live/$(basename "$deb") && apt-get purge -y -q ikerd" >"$root.deps.log" 2>&1 ||
	fail "cannot install the package's dependencies (log: $root.deps.log)"
# the test runs once at boot, then powers the container off
cat >"$root/etc/systemd/system/ikerd-live.service" <<'EOF'
[Unit]
Description=ikerd package test under systemd
After=network.target

[Service]
Type=oneshot
Environment=DEB_WORK=/root/live DEBIAN_FRONTEND=noninteractive
ExecStart=/bin/sh -c '/root/live/systemd-live.sh >/root/live/live.log 2>&1; echo "exit $$?" >>/root/live/live.log'
ExecStartPost=/bin/systemctl poweroff --no-block
EOF
mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
ln -sf ../ikerd-live.service "$root/etc/systemd/system/multi-user.target.wants/ikerd-live.service"
# an IKE daemon of the base system would hold UDP 500
for u in strongswan-starter.service strongswan.service ipsec.service; do
	ln -sf /dev/null "$root/etc/systemd/system/$u"
done
rm -f "$root/root/live/live.log"
# no machined or system bus on such a host: no registration, no scope
timeout 600 systemd-nspawn -q -D "$root" --boot --register=no --keep-unit --private-network \
	>"$root.boot.log" 2>&1 || true
[ -f "$root/root/live/live.log" ] || fail "the test did not run (boot log: $root.boot.log)"
grep -E '^(ok|FAIL|SKIP|→)|passed, [0-9]+ failed' "$root/root/live/live.log" || true
grep -q '^exit 0$' "$root/root/live/live.log" ||
	fail "systemd-live.sh did not pass (log: $root/root/live/live.log)"
