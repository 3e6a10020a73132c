#!/bin/sh
# Replays the control fuzz corpora: requests through the decoder and the
# command dispatcher of a daemon context on the seed's R1, and event scripts
# through the control server's client handling.
set -e
: "${top_srcdir:=.}" "${top_builddir:=.}"
"$top_builddir/tests/fuzz/fuzz_ctl" "$top_srcdir/tests/fuzz/corpus/ctl"
"$top_builddir/tests/fuzz/fuzz_ctl_events" "$top_srcdir/tests/fuzz/corpus/ctl_events"
