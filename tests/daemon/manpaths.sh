#!/bin/sh
# The man pages name the paths the binaries really use: the defaults that
# ikerd --help and ikerctl --help print (configuration file, control socket,
# pid file, all from configure's --sysconfdir and --runstatedir) appear in
# the built pages, and no page names a path of another layout.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"

conf=$("$IKERD" --help 2>&1 | sed -n 's/.*configuration (default \(.*\))$/\1/p')
ctl=$("$IKERD" --help 2>&1 | sed -n 's/.*control socket (default \(.*\))$/\1/p')
pid=$("$IKERD" --help 2>&1 | sed -n 's/.*pid file (default \(.*\))$/\1/p')
ctl2=$("$IKERCTL" --help 2>&1 | sed -n 's/.*control socket of ikerd (default \(.*\))$/\1/p')
[ -n "$conf" ] && [ -n "$ctl" ] && [ -n "$pid" ] && [ -n "$ctl2" ] \
	|| fail "cannot read the default paths from --help"
[ "$ctl" = "$ctl2" ] || fail "ikerd and ikerctl disagree on the socket: $ctl, $ctl2"
man8=$top_builddir/doc/ikerd.8
manctl=$top_builddir/doc/ikerctl.8
man5=$top_builddir/doc/ikerd.conf.5
for f in "$man8" "$manctl" "$man5"; do
	[ -s "$f" ] || fail "$f is not built"
	grep -q '@[a-zA-Z_]*@' "$f" && fail "$f keeps an unsubstituted @...@"
done
# FILES of ikerd(8): the three paths; ikerctl(8): the socket; ikerd.conf(5): the file
for p in "$conf" "$ctl" "$pid"; do
	grep -A1 '^\.I' "$man8" | grep -qxF "$p" && continue
	grep -qF "$p" "$man8" || fail "ikerd(8) does not name $p"
done
grep -qF "$ctl" "$manctl" || fail "ikerctl(8) does not name $ctl"
grep -qF "$conf" "$man5" || fail "ikerd.conf(5) does not name $conf"
# no fixed path of another layout is left behind
for f in "$man8" "$manctl" "$man5"; do
	grep -oE '/[^[:space:]]*/ikerd/ikerd\.(ctl|pid)' "$f" | while read -r p; do
		[ "$p" = "$ctl" ] || [ "$p" = "$pid" ] || fail "$f names $p, the binaries use $ctl"
	done || exit 1
done
echo "PASS: manpaths ($conf, $ctl, $pid)"
