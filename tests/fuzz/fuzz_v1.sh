#!/bin/sh
# Replays the IKEv1 fuzz corpora: every message through the parser target,
# records through the responder and initiator engine targets, and whole UDP
# payloads through the NAT-T framing target.
set -e
: "${top_srcdir:=.}" "${top_builddir:=.}"
c=$top_srcdir/tests/fuzz/corpus
"$top_builddir/tests/fuzz/fuzz_v1_parse" "$c/v1_parse"
"$top_builddir/tests/fuzz/fuzz_v1_responder" "$c/v1_responder"
"$top_builddir/tests/fuzz/fuzz_v1_initiator" "$c/v1_initiator"
"$top_builddir/tests/fuzz/fuzz_natt" "$c/natt"
