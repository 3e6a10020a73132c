#!/bin/sh
# The demo: two routers (the seed's R1 and R2, in documentation address
# ranges) in a user-mode Linux lab, each running ikerd with its IOS
# configuration. R1 brings the GRE tunnel up with tunnel protection, a ping
# crosses it, and both routers' show crypto isakmp sa, show crypto ipsec sa
# and show crypto session are printed. Run as root on Debian 12; it installs
# what it needs and builds the lab build itself.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/setup-deps.sh"
exec "$top/tests/lab/demo.sh"
