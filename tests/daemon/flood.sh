#!/bin/sh
# A 10-second flood of Main Mode first messages from 3,200 spoofed sources
# (200 addresses x 16 ports) at a modest rate (1,000 per second: enough to
# fill the responder's half-open table, 1,000 per worker, within the first
# seconds, since each spoofed entry waits for its retransmissions) against an
# ikerd responder (`--kernel none`, two workers) that holds 10 established
# tunnels:
#   - the 10 established SAs keep answering DPD (R_U_THERE every 10 s from
#     the peer is acknowledged, none is declared dead, none is lost);
#   - a legitimate peer that starts 5 s into the flood, when the half-open
#     table is full, brings its tunnel up before the flood ends;
#   - the responder's RSS stays within 64 MiB of its value before the flood;
#   - no per-peer record is made for a spoofed source (show crypto isakmp
#     peers detail lists the legitimate peer, none of the flood's addresses).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"
. "$top_srcdir/tests/bench/loadlib.sh"
need_netns

RATE=${FLOOD_RATE:-1000}
flood_topo fld$$
lns=$FLOOD_LNS

# the responder knows the 10 held tunnels and the late peer (tunnel 11)
printf '198.51.100.%s\n' 10 11 12 13 14 15 16 17 18 19 200 >"$tmp/peers"
"$IKELOAD" -n 11 -l "@$tmp/peers" -r 203.0.113.10 --dpd 10 --print-config ikerd \
	>"$tmp/r.conf" || fail "ikeload --print-config"
# In a sanitizer build, freed memory waits in ASan's quarantine (256 MB by
# default) and would count as the daemon's: keep it small so RSS shows what
# the daemon holds.
ip netns exec "$LOAD_RNS" env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16" \
	"$IKERD" -d --kernel none --workers 2 --passive --ctl "$tmp/r/ctl" \
	--pid "$tmp/r/pid" -f "$tmp/r.conf" 2>>"$tmp/r.err" &
rp=$!
pids="$pids $rp"
wait_for_socket "$tmp/r/ctl" "$rp" || fail "responder did not start"

ip netns exec "$LOAD_INS" "$IKELOAD" -n 10 -l 198.51.100.10+10 -r 203.0.113.10 --dpd 10 \
	--timeout 20 --hold -1 >"$tmp/held.out" 2>"$tmp/held.err" &
hp=$!
pids="$pids $hp"
wait_grep "$tmp/held.out" "^holding" || fail "the held tunnels did not come up"
grep -q "^tunnels 10 up 10 " "$tmp/held.out" || fail "held tunnels: $(cat "$tmp/held.out")"
rss0=$(proc_rss_kb "$rp")

ip netns exec "$LOAD_INS" "$IKELOAD" --flood --flood-rate "$RATE" -d 10 -l 192.0.2.10+200 \
	-r 203.0.113.10 >"$tmp/flood.out" 2>"$tmp/flood.err" &
fp=$!
pids="$pids $fp"
sleep 5
# the half-open table is full (or nearly) when the legitimate peer arrives
ho=$("$IKERCTL" --ctl "$tmp/r/ctl" show crypto isakmp sa | grep -c "^203\.0\.113\.10 .* MM_")
ip netns exec "$lns" "$IKELOAD" -n 1 -l 198.51.100.200 -r 203.0.113.10 --timeout 5 \
	--attempt-timeout 5 >"$tmp/late.out" 2>"$tmp/late.err" &
lp=$!
pids="$pids $lp"
rssmax=$rss0
n=0
while kill -0 "$fp" 2>/dev/null && [ $n -lt 150 ]; do
	r=$(proc_rss_kb "$rp")
	[ "$r" -gt "$rssmax" ] && rssmax=$r
	sleep 0.1
	n=$((n + 1))
done
wait_gone "$fp" || fail "the flood did not end"
wait_gone "$lp" || fail "the late peer did not end"
grep -q "^flood sent [1-9]" "$tmp/flood.out" \
	|| fail "flood: $(cat "$tmp/flood.out" "$tmp/flood.err")"
echo "flood: $(cat "$tmp/flood.out"); responder RSS ${rss0} kB before, ${rssmax} kB at most;" \
	"$ho half-open SAs when the legitimate peer started"
grep -q "^tunnels 1 up 1 " "$tmp/late.out" \
	|| fail "the legitimate peer did not come up during the flood: $(cat "$tmp/late.out")"
[ $((rssmax - rss0)) -le 65536 ] || fail "responder RSS grew by $((rssmax - rss0)) kB"
# per-peer records: the legitimate peer has one, no spoofed source (none
# answered from its address)
peers=$("$IKERCTL" --ctl "$tmp/r/ctl" show crypto isakmp peers detail) \
	|| fail "show crypto isakmp peers detail"
spoofed=$(printf '%s\n' "$peers" | grep -c "^Peer: 192\.0\.2\." || true)
printf '%s\n' "$peers" | grep -q "^Peer: 198\.51\.100\.200 " \
	|| fail "no per-peer record of the legitimate peer: $peers"
[ "$spoofed" = 0 ] || fail "$spoofed per-peer records of spoofed sources"
kill -TERM "$hp"
wait_gone "$hp" || fail "ikeload did not exit"
grep -q "^held up 10 lost 0 dpd_acks [1-9][0-9]* dpd_dead 0$" "$tmp/held.out" \
	|| fail "established SAs did not keep answering DPD: $(cat "$tmp/held.out")"
kill -TERM "$rp"
wait_gone "$rp" || fail "responder did not exit"
echo "PASS: flood"
