#!/bin/sh
# Replays the IKEv1 fuzz corpora: every message through the parser target, and
# both corpora through the responder target (parser inputs as one-record runs).
set -e
: "${top_srcdir:=.}" "${top_builddir:=.}"
"$top_builddir/tests/fuzz/fuzz_v1_parse" "$top_srcdir/tests/fuzz/corpus/v1_parse"
"$top_builddir/tests/fuzz/fuzz_v1_responder" "$top_srcdir/tests/fuzz/corpus/v1_responder"
