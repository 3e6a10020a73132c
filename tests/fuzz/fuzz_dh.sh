#!/bin/sh
# Replays the Diffie-Hellman public-value fuzz corpus through ik_dh_derive.
set -e
: "${top_srcdir:=.}" "${top_builddir:=.}"
exec "$top_builddir/tests/fuzz/fuzz_dh" "$top_srcdir/tests/fuzz/corpus/dh"
