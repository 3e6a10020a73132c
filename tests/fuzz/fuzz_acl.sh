#!/bin/sh
# Replays the access-list line fuzz corpus through the fuzz target (parse,
# print, re-parse, compare, match).
set -e
: "${top_srcdir:=.}" "${top_builddir:=.}"
exec "$top_builddir/tests/fuzz/fuzz_acl" "$top_srcdir/tests/fuzz/corpus/acl"
