#!/bin/sh
# Replays the corpus of peer authentication by certificate (CERT, ID, SIG)
# through pki/peerauth.c.
set -e
: "${top_srcdir:=.}" "${top_builddir:=.}"
exec "$top_builddir/tests/fuzz/fuzz_peerauth" "$top_srcdir/tests/fuzz/corpus/peerauth"
