#!/bin/sh
# Replays the configuration fuzz corpus and the example configurations
# through the fuzz target (parse, print, re-parse, compare).
set -e
: "${top_srcdir:=.}" "${top_builddir:=.}"
exec "$top_builddir/tests/fuzz/fuzz_conf" "$top_srcdir/tests/fuzz/corpus/conf" \
	"$top_srcdir/etc/examples"
