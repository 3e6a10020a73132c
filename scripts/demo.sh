#!/bin/sh
# The demo: two routers (the seed's R1 and R2, in documentation address
# ranges) in a user-mode Linux lab, each running ikerd with its IOS
# configuration. R1 brings the GRE tunnel up with tunnel protection, a ping
# crosses it, and both routers' show crypto isakmp sa, show crypto ipsec sa
# and show crypto session are printed. Run as root on Debian 12; it installs
# what it needs and builds the lab build itself.
#
#   scripts/demo.sh              ikerd and ikerctl of the lab build
#   scripts/demo.sh --installed  the installed ikerd and ikerctl (the Debian
#                                package or make install; found in PATH,
#                                /usr/sbin, /usr/local/sbin), or the ones
#                                IKERD and IKERCTL name
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = --installed ]; then
	PATH=$PATH:/usr/sbin:/usr/local/sbin
	IKERD=${IKERD:-$(command -v ikerd || true)}
	IKERCTL=${IKERCTL:-$(command -v ikerctl || true)}
	if [ ! -x "${IKERD:-}" ] || [ ! -x "${IKERCTL:-}" ]; then
		echo "demo: no installed ikerd and ikerctl" \
			"(install the package, or set IKERD and IKERCTL)" >&2
		exit 1
	fi
	echo "demo: using $IKERD ($("$IKERD" --version)) and $IKERCTL"
	export IKERD IKERCTL
elif [ -n "${1:-}" ]; then
	echo "usage: scripts/demo.sh [--installed]" >&2
	exit 1
fi
"$top/scripts/setup-deps.sh"
exec "$top/tests/lab/demo.sh"
