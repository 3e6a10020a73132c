#!/bin/sh
# Replays the IKE-over-IPv6 responder corpus (IKEv1 and IKEv2 from an IPv6
# peer) through its fuzz target.
set -e
: "${top_srcdir:=.}" "${top_builddir:=.}"
exec "$top_builddir/tests/fuzz/fuzz_v6_responder" "$top_srcdir/tests/fuzz/corpus/v6_responder"
