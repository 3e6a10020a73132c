#!/bin/sh
# Builds every tests/fuzz/fuzz_*.c as a libFuzzer program in build-fuzz/:
#   clang -fsanitize=fuzzer,address,undefined, linked with an archive of every
#   source file under src/ except those that define main() (ikerd, ikerctl);
#   as with libikerd.a, only the objects a target needs are linked in.
# Usage: tests/fuzz/build.sh [target ...]     (default: all targets)
# Then, e.g.: build-fuzz/fuzz_conf -max_total_time=300 tests/fuzz/corpus/conf
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
out=${FUZZ_OUT:-$top/build-fuzz}
cc=${CC_FUZZ:-clang}
mkdir -p "$out/obj"

pkgs="libsodium libcrypto libnl-3.0 libnl-xfrm-3.0 libnl-route-3.0 libnftables"
pcflags=$(pkg-config --cflags $pkgs)
pclibs=$(pkg-config --libs $pkgs)
cflags="-std=gnu11 -g -O1 -D_GNU_SOURCE -fno-strict-aliasing -fno-omit-frame-pointer
	-Wall -Wextra -Wno-unused-parameter -DSYSCONFDIR=\"/etc\" -DRUNSTATEDIR=\"/run\"
	-DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -I$top/src -I$out $pcflags"
san="-fsanitize=fuzzer-no-link,address,undefined"

# config.h for sources that include it (the autotools one is not needed here)
[ -f "$out/config.h" ] || printf '#define PACKAGE_VERSION "fuzz"\n#define VERSION "fuzz"\n' \
	>"$out/config.h"

objs=""
for src in $(find "$top/src" -name '*.c' | sort); do
	if grep -Eq '^int[[:space:]]+main[[:space:]]*\(|^main[[:space:]]*\(' "$src"; then
		continue
	fi
	rel=${src#"$top"/}
	obj="$out/obj/$(printf '%s' "$rel" | tr '/' '_' | sed 's/\.c$/.o/')"
	if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || \
	   [ -n "$(find "$top/src" -name '*.h' -newer "$obj" | head -n 1)" ]; then
		echo "  CC $rel"
		# shellcheck disable=SC2086
		$cc $cflags $san -c "$src" -o "$obj"
	fi
	objs="$objs $obj"
done

rm -f "$out/libikerd-fuzz.a"
# shellcheck disable=SC2086
${AR:-ar} rcs "$out/libikerd-fuzz.a" $objs

if [ $# -gt 0 ]; then
	targets=""
	for t in "$@"; do
		targets="$targets $top/tests/fuzz/${t%.c}.c"
	done
else
	targets=$(ls "$top"/tests/fuzz/fuzz_*.c)
fi
for t in $targets; do
	name=$(basename "$t" .c)
	echo "  LD build-fuzz/$name"
	# shellcheck disable=SC2086
	$cc $cflags -fsanitize=fuzzer,address,undefined "$t" "$out/libikerd-fuzz.a" $pclibs \
		-o "$out/$name"
done
