#!/bin/sh
# Replays the address dump corpus through the walk of ikd_ifaddr6.
set -e
: "${top_srcdir:=.}" "${top_builddir:=.}"
exec "$top_builddir/tests/fuzz/fuzz_ifaddr" "$top_srcdir/tests/fuzz/corpus/ifaddr"
