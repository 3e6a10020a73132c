#!/bin/sh
# Replays the ID payload fuzz corpus through the fuzz target (read, write
# back, read again, compare).
set -e
: "${top_srcdir:=.}" "${top_builddir:=.}"
exec "$top_builddir/tests/fuzz/fuzz_v1_id" "$top_srcdir/tests/fuzz/corpus/v1_id"
