#!/bin/sh
# Replays the certificate fuzz corpus through parsing, validation, identity
# and map matching, key hashing and the authorization list.
set -e
: "${top_srcdir:=.}" "${top_builddir:=.}"
exec "$top_builddir/tests/fuzz/fuzz_pki" "$top_srcdir/tests/fuzz/corpus/pki"
