#!/bin/sh
# ikeload against an ikerd responder (`--kernel none`, two workers) in
# namespaces: 100 tunnels from 100 addresses come up, all of them, and the
# responder shows 100 ISAKMP SAs in QM_IDLE and 100 IPsec SA pairs; then
# ikeload deletes them (DELETE sent) and the responder is left with none.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"
. "$top_srcdir/tests/bench/loadlib.sh"
need_netns

load_topo ikl$$i ikl$$r
load_addrs i 198.51.100.10 100
load_addrs r 203.0.113.10 1
"$IKELOAD" -n 100 -l 198.51.100.10+100 -r 203.0.113.10 --print-config ikerd >"$tmp/r.conf" \
	|| fail "ikeload --print-config"
ip netns exec "$LOAD_RNS" "$IKERD" -d --kernel none --workers 2 --passive --ctl "$tmp/r/ctl" \
	--pid "$tmp/r/pid" -f "$tmp/r.conf" 2>>"$tmp/r.err" &
rp=$!
pids="$pids $rp"
wait_for_socket "$tmp/r/ctl" "$rp" || fail "responder did not start"
r() { "$IKERCTL" --ctl "$tmp/r/ctl" "$@"; }

# hold the SAs until the responder has been looked at, then delete them
ip netns exec "$LOAD_INS" "$IKELOAD" -n 100 -l 198.51.100.10+100 -r 203.0.113.10 \
	--timeout 30 --hold -1 >"$tmp/load.out" 2>"$tmp/load.err" &
lp=$!
pids="$pids $lp"
wait_grep "$tmp/load.out" "^holding" \
	|| fail "ikeload did not finish its set-up: $(cat "$tmp/load.out")"
grep -q "^tunnels 100 up 100 failed 0 not-finished 0 " "$tmp/load.out" \
	|| fail "not every tunnel came up: $(cat "$tmp/load.out")"
grep -q "^latency_ms p50 [0-9.]* p90 [0-9.]* p99 [0-9.]* max [0-9.]*$" "$tmp/load.out" \
	|| fail "no latency line: $(cat "$tmp/load.out")"
n=$(r show crypto isakmp sa | grep -c "QM_IDLE *[0-9]* ACTIVE")
[ "$n" = 100 ] || fail "responder shows $n ISAKMP SAs in QM_IDLE, not 100"
m=$(r show crypto ipsec sa | grep -c "current outbound spi: 0x[0-9A-Fa-f]*[1-9A-Fa-f]")
[ "$m" = 100 ] || fail "responder shows $m outbound IPsec SAs, not 100"
kill -TERM "$lp"
wait_gone "$lp" || fail "ikeload did not exit"
grep -q "^deleted 100 (DELETE sent)" "$tmp/load.out" || fail "no delete: $(cat "$tmp/load.out")"
wait_cmd_nogrep "QM_IDLE" r show crypto isakmp sa \
	|| fail "DELETE left SAs: $(r show crypto isakmp sa | grep -c QM_IDLE)"
kill -TERM "$rp"
wait_gone "$rp" || fail "responder did not exit"
echo "PASS: ikeload"
