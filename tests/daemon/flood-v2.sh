#!/bin/sh
# The IKEv2 counterpart of flood.sh: a 10-second flood of IKE_SA_INIT
# requests from 3,200 spoofed sources (200 addresses x 16 ports) at a modest
# rate (1,000 per second) against an ikerd responder (`--kernel none`, two
# workers) that holds 10 established IKEv2 tunnels, run twice: without and
# with `crypto ikev2 cookie-challenge`. Each time:
#   - the 10 established SAs keep answering DPD (liveness checks every 10 s
#     from the peer are answered, none is declared dead, none is lost);
#   - a legitimate peer that starts 5 s into the flood brings its tunnel up
#     before the flood ends (with the cookie challenge: after sending the
#     COOKIE back);
#   - the responder's RSS stays within 64 MiB of its value before the flood;
#   - no per-peer record is made for a spoofed source.
# With the cookie challenge, the responder also keeps no more half-open SAs
# than the threshold per worker, and counts the challenges it sent.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"
. "$top_srcdir/tests/bench/loadlib.sh"
need_netns
if ! "$IKERD" --features | grep -qx "ikev2 yes"; then
	echo "SKIP: ikerd --features: ikev2 no"
	exit 77
fi

RATE=${FLOOD_RATE:-1000}
COOKIE_AT=100
flood_topo f2$$
lns=$FLOOD_LNS

# the responder knows the 10 held tunnels and the late peer
printf '198.51.100.%s\n' 10 11 12 13 14 15 16 17 18 19 200 >"$tmp/peers"
"$IKELOAD" --ikev2 -p x25519 -n 11 -l "@$tmp/peers" -r 203.0.113.10 --dpd 10 \
	--print-config ikerd >"$tmp/r.conf" || fail "ikeload --print-config"
r() { "$IKERCTL" --ctl "$tmp/r/ctl" "$@"; }

# flood_case NAME [cookie]: one run, the responder started and stopped in it
flood_case() {
	cp "$tmp/r.conf" "$tmp/$1.conf"
	[ "${2:-}" = cookie ] && printf 'crypto ikev2 cookie-challenge %u\n' "$COOKIE_AT" \
		>>"$tmp/$1.conf"
	rm -rf "$tmp/r"
	# a small ASan quarantine, so that RSS shows what the daemon holds
	ip netns exec "$LOAD_RNS" \
		env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16" \
		"$IKERD" -d --kernel none --workers 2 --passive --ctl "$tmp/r/ctl" \
		--pid "$tmp/r/pid" -f "$tmp/$1.conf" 2>>"$tmp/$1-r.err" &
	rp=$!
	pids="$pids $rp"
	wait_for_socket "$tmp/r/ctl" "$rp" || fail "$1: responder did not start"

	ip netns exec "$LOAD_INS" "$IKELOAD" --ikev2 -p x25519 -n 10 -l 198.51.100.10+10 \
		-r 203.0.113.10 --dpd 10 --timeout 20 --hold -1 \
		>"$tmp/$1-held.out" 2>"$tmp/$1-held.err" &
	hp=$!
	pids="$pids $hp"
	wait_grep "$tmp/$1-held.out" "^holding" || fail "$1: the held tunnels did not come up"
	grep -q "^tunnels 10 up 10 " "$tmp/$1-held.out" \
		|| fail "$1: held tunnels: $(cat "$tmp/$1-held.out")"
	rss0=$(proc_rss_kb "$rp")

	ip netns exec "$LOAD_INS" "$IKELOAD" --ikev2 -p x25519 --flood --flood-rate "$RATE" \
		-d 10 -l 192.0.2.10+200 -r 203.0.113.10 \
		>"$tmp/$1-flood.out" 2>"$tmp/$1-flood.err" &
	fp=$!
	pids="$pids $fp"
	sleep 5
	ho=$(r show crypto ikev2 sa | grep -c " IN-NEG *$")
	ip netns exec "$lns" "$IKELOAD" --ikev2 -p x25519 -n 1 -l 198.51.100.200 \
		-r 203.0.113.10 --timeout 5 --attempt-timeout 5 \
		>"$tmp/$1-late.out" 2>"$tmp/$1-late.err" &
	lp=$!
	pids="$pids $lp"
	rssmax=$rss0
	homax=$ho
	n=0
	while kill -0 "$fp" 2>/dev/null && [ $n -lt 150 ]; do
		v=$(proc_rss_kb "$rp")
		[ "$v" -gt "$rssmax" ] && rssmax=$v
		if [ $((n % 10)) = 0 ]; then
			v=$(r show crypto ikev2 sa | grep -c " IN-NEG *$")
			[ "$v" -gt "$homax" ] && homax=$v
		fi
		sleep 0.1
		n=$((n + 1))
	done
	wait_gone "$fp" || fail "$1: the flood did not end"
	wait_gone "$lp" || fail "$1: the late peer did not end"
	grep -q "^flood sent [1-9][0-9]* IKE_SA_INIT " "$tmp/$1-flood.out" \
		|| fail "$1: flood: $(cat "$tmp/$1-flood.out" "$tmp/$1-flood.err")"
	cc=$(r show crypto ikev2 stats | sed -n 's/^Incoming IKEV2 Cookie Challenged Requests: //p')
	echo "$1: $(cat "$tmp/$1-flood.out"); responder RSS ${rss0} kB before," \
		"${rssmax} kB at most; $ho half-open IKEv2 SAs when the legitimate peer" \
		"started, $homax at most; ${cc:-?} cookie challenges"
	grep -q "^tunnels 1 up 1 " "$tmp/$1-late.out" \
		|| fail "$1: the legitimate peer did not come up during the flood:" \
			"$(cat "$tmp/$1-late.out")"
	[ $((rssmax - rss0)) -le 65536 ] || fail "$1: responder RSS grew by $((rssmax - rss0)) kB"
	if [ "${2:-}" = cookie ]; then
		[ "${cc:-0}" -gt 0 ] || fail "$1: no cookie challenge counted"
		# the threshold per worker, and the legitimate peer
		[ "$homax" -le $((2 * COOKIE_AT + 1)) ] \
			|| fail "$1: $homax half-open SAs with cookie-challenge $COOKIE_AT"
	else
		[ "$ho" -gt $((2 * COOKIE_AT + 1)) ] \
			|| fail "$1: only $ho half-open SAs: the flood did not load the responder"
	fi
	# per-peer records: the legitimate peer has one, no spoofed source (none
	# answered from its address; COOKIE challenges make none either)
	peers=$(r show crypto isakmp peers detail) || fail "$1: show crypto isakmp peers detail"
	spoofed=$(printf '%s\n' "$peers" | grep -c "^Peer: 192\.0\.2\." || true)
	printf '%s\n' "$peers" | grep -q "^Peer: 198\.51\.100\.200 " \
		|| fail "$1: no per-peer record of the legitimate peer: $peers"
	[ "$spoofed" = 0 ] || fail "$1: $spoofed per-peer records of spoofed sources"
	kill -TERM "$hp"
	wait_gone "$hp" || fail "$1: ikeload did not exit"
	grep -q "^held up 10 lost 0 dpd_acks [1-9][0-9]* dpd_dead 0$" "$tmp/$1-held.out" \
		|| fail "$1: established SAs did not keep answering DPD:" \
			"$(cat "$tmp/$1-held.out")"
	kill -TERM "$rp"
	wait_gone "$rp" || fail "$1: responder did not exit"
}

flood_case plain
flood_case cookie cookie
echo "PASS: IKE_SA_INIT flood (plain and with cookie-challenge)"
