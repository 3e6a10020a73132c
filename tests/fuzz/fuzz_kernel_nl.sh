#!/bin/sh
# Replays the netlink event corpus through the XFRM event decoder.
set -e
: "${top_srcdir:=.}" "${top_builddir:=.}"
exec "$top_builddir/tests/fuzz/fuzz_kernel_nl" "$top_srcdir/tests/fuzz/corpus/kernel_nl"
