#!/bin/sh
# Installs, from Debian's archive, everything ikerd needs to build, test and run
# its lab: the build chain and libraries, check, clang with libFuzzer,
# user-mode Linux, iproute2, iptables (ip6tables-legacy: the interop suite's NAT66),
# tshark, valgrind, strongSwan (with the plugins of its IKEv2
# cases: curve25519, chapoly, gcm, kdf); libsystemd and libedit
# (sd_notify, the interactive ikerctl), tmux for its test, and what building and
# checking the Debian package takes (debhelper, lintian). Safe to run again.
set -eu
if [ "$(id -u)" != 0 ]; then
	echo "setup-deps: run as root (it installs Debian packages)" >&2
	exit 1
fi
PKGS="build-essential autoconf automake libtool pkg-config
libsodium-dev libssl-dev libnl-3-dev libnl-xfrm-3-dev libnl-route-3-dev libnftables-dev check
clang libclang-rt-14-dev python3 iproute2 iputils-ping procps util-linux kmod openssl
user-mode-linux nftables iptables tshark tcpdump valgrind
strongswan-charon strongswan-swanctl libcharon-extra-plugins libstrongswan-extra-plugins
libstrongswan-standard-plugins
libsystemd-dev libedit-dev bash-completion systemd tmux man-db
debhelper dh-autoreconf dpkg-dev fakeroot lintian"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "setup-deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q -o DPkg::Lock::Timeout=600
	# shellcheck disable=SC2086
	apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends $missing
fi
echo "setup-deps: all packages present"
