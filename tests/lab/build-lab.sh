#!/bin/sh
# build-lab.sh: configures and builds the lab's own build of ikerd in
# <top>/build-lab (or $LAB_BUILD), used by every lab scenario.
#
# Why a separate build: AddressSanitizer cannot run inside user-mode Linux. Its
# shadow memory must sit at 0x7fff8000..0x10007fff7fff, and a user-mode Linux
# process has an address space of 512 GiB only ("Shadow memory range
# interleaves with an existing memory mapping. ASan cannot proceed correctly").
# So the lab build has UndefinedBehaviorSanitizer only (it needs no shadow
# memory); the ASan build of make check covers memory errors. Warnings do not
# stop it (-Wno-error): the sanitizer changes what the compiler can prove, and
# the warning gate is the main build.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
b=${LAB_BUILD:-$top/build-lab}
mkdir -p "$b"
b=$(cd "$b" && pwd)
log="$b/build-lab.log"
: >"$log"
if [ ! -x "$top/configure" ]; then
	if ! (cd "$top" && ./autogen.sh) >>"$log" 2>&1; then
		tail -n 30 "$log"
		echo "build-lab: autogen failed"
		exit 1
	fi
fi
cd "$b"
cflags="-g -O2 -fsanitize=undefined -fno-sanitize-recover=undefined"
cflags="$cflags -fno-omit-frame-pointer -Wno-error"
if [ ! -f Makefile ] || [ "$(cat .lab-cflags 2>/dev/null)" != "$cflags" ]; then
	"$top/configure" --disable-sanitizers CFLAGS="$cflags" LDFLAGS="-fsanitize=undefined" \
		>>"$log" 2>&1 ||
		{ tail -n 30 "$log"; echo "build-lab: configure failed (log: $log)"; exit 1; }
	echo "$cflags" >.lab-cflags
fi
make -j2 >>"$log" 2>&1 || { tail -n 60 "$log"; echo "build-lab: make failed (log: $log)"; exit 1; }
# test_kernel's "netlink-track" case runs in the guest (scenarios/backend-track.sh)
make -j2 tests/lab/test_kernel >>"$log" 2>&1 ||
	{ tail -n 60 "$log"; echo "build-lab: test_kernel failed (log: $log)"; exit 1; }
# the FPU-state shim user-mode Linux needs on AVX-512 and AMX hosts (uml-xstate.c)
${CC:-cc} -shared -fPIC -O2 -Wall -Werror -o uml-xstate.so "$top/tests/lab/uml-xstate.c" -ldl \
	>>"$log" 2>&1 || { tail -n 20 "$log"; echo "build-lab: uml-xstate.so failed"; exit 1; }
echo "build-lab: $b ready"
