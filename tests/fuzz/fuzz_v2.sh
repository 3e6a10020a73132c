#!/bin/sh
# Replays the IKEv2 parser's corpus (captured strongSwan handshakes and what
# libFuzzer kept) through its fuzz target; every input must parse or be
# refused without a sanitizer report or a failed round trip. Then the
# responder engine's records (a recorded back-to-back exchange, captures).
set -e
: "${top_srcdir:=.}" "${top_builddir:=.}"
"$top_builddir/tests/fuzz/fuzz_v2_parse" "$top_srcdir/tests/fuzz/corpus/v2_parse"
"$top_builddir/tests/fuzz/fuzz_v2_responder" "$top_srcdir/tests/fuzz/corpus/v2_responder"
