#!/bin/sh
# ikeload --ikev2 against an ikerd responder (`--kernel none`, two workers) in
# namespaces: 100 tunnels from 100 addresses, IKEv2 with X25519, come up, all
# of them, and the responder shows 100 IPsec SA pairs (and 100 IKEv2 SAs in
# READY when it has show crypto ikev2 sa); then ikeload deletes them and the
# responder is left with none (when it has INFORMATIONAL DELETE). Skipped
# while ikerd --features says ikev2 no.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"
. "$top_srcdir/tests/bench/loadlib.sh"
need_netns
feat() { "$IKERD" --features | grep -qx "$1 yes"; }
if ! feat ikev2; then
	echo "SKIP: ikerd --features: ikev2 no"
	exit 77
fi

load_topo ik2$$i ik2$$r
load_addrs i 198.51.100.10 100
load_addrs r 203.0.113.10 1
"$IKELOAD" --ikev2 -p x25519 -n 100 -l 198.51.100.10+100 -r 203.0.113.10 \
	--print-config ikerd >"$tmp/r.conf" || fail "ikeload --print-config"
ip netns exec "$LOAD_RNS" "$IKERD" -d --kernel none --workers 2 --passive --ctl "$tmp/r/ctl" \
	--pid "$tmp/r/pid" -f "$tmp/r.conf" 2>>"$tmp/r.err" &
rp=$!
pids="$pids $rp"
wait_for_socket "$tmp/r/ctl" "$rp" || fail "responder did not start"
r() { "$IKERCTL" --ctl "$tmp/r/ctl" "$@"; }

ip netns exec "$LOAD_INS" "$IKELOAD" --ikev2 -p x25519 -n 100 -l 198.51.100.10+100 \
	-r 203.0.113.10 --timeout 30 --hold -1 >"$tmp/load.out" 2>"$tmp/load.err" &
lp=$!
pids="$pids $lp"
wait_grep "$tmp/load.out" "^holding" \
	|| fail "ikeload did not finish its set-up: $(cat "$tmp/load.out" "$tmp/load.err")"
grep -q "^tunnels 100 up 100 failed 0 not-finished 0 " "$tmp/load.out" \
	|| fail "not every tunnel came up: $(cat "$tmp/load.out")"
grep -q "^latency_ms p50 [0-9.]* p90 [0-9.]* p99 [0-9.]* max [0-9.]*$" "$tmp/load.out" \
	|| fail "no latency line: $(cat "$tmp/load.out")"
m=$(r show crypto ipsec sa | grep -c "current outbound spi: 0x[0-9A-Fa-f]*[1-9A-Fa-f]")
[ "$m" = 100 ] || fail "responder shows $m outbound IPsec SAs, not 100"
if feat ikev2-show; then
	n=$(r show crypto ikev2 sa | grep -c " READY *$")
	[ "$n" = 100 ] || fail "responder shows $n IKEv2 SAs in READY, not 100"
fi
kill -TERM "$lp"
wait_gone "$lp" || fail "ikeload did not exit"
grep -q "^deleted 100 (DELETE sent)" "$tmp/load.out" || fail "no delete: $(cat "$tmp/load.out")"
if feat ikev2-informational; then
	wait_cmd_nogrep "current outbound spi: 0x[0-9A-Fa-f]*[1-9A-Fa-f]" r show crypto ipsec sa \
		|| fail "DELETE left IPsec SAs on the responder"
fi
kill -TERM "$rp"
wait_gone "$rp" || fail "responder did not exit"
cat "$tmp/load.out"
echo "PASS: ikeload --ikev2"
