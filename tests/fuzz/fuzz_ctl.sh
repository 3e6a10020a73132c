#!/bin/sh
# Replays the control-request fuzz corpus through the request decoder and the
# command dispatcher of a daemon context on the seed's R1.
set -e
: "${top_srcdir:=.}" "${top_builddir:=.}"
exec "$top_builddir/tests/fuzz/fuzz_ctl" "$top_srcdir/tests/fuzz/corpus/ctl"
