#!/bin/sh
# The receive-drop counter of `show crypto isakmp stats`: an ikerd responder
# (`--kernel none`, one worker) is stopped (SIGSTOP) while a burst of 1,000
# Main Mode first messages from spoofed sources arrives, then resumed.
#   - with `crypto call admission limit ike in-negotiation-sa 10` its socket
#     receive buffer is the minimum (256 KiB): part of the burst does not fit,
#     and every datagram sent is either received or counted as dropped for a
#     full receive buffer (the kernel's SO_RXQ_OVFL count, exact);
#   - with the default limit (1,000: a 2 MiB buffer) the same burst fits and
#     the counter stays at zero.
# The kernel reports its drop count with the next datagram it queues: one
# more datagram follows each burst once the daemon runs again.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"
. "$top_srcdir/tests/bench/loadlib.sh"
need_netns

BURST=1000
load_topo rxd$$i rxd$$r
load_addrs r 203.0.113.10 1
"$IKELOAD" -n 1 -l 198.51.100.10 -r 203.0.113.10 --print-config ikerd >"$tmp/base.conf" \
	|| fail "ikeload --print-config"

# stat NAME: one counter of show crypto isakmp stats --json
stat() {
	"$IKERCTL" --ctl "$tmp/$run/ctl" --json show crypto isakmp stats |
		sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"
}

# burst RUN CONF: starts a responder, stops it, floods BURST MM1, resumes it,
# sends one more; sets SENT (as the flood counted them), RX and DROPS.
burst() {
	run=$1
	mkdir -p "$tmp/$run"
	ip netns exec "$LOAD_RNS" "$IKERD" -d --kernel none --workers 1 --passive \
		--ctl "$tmp/$run/ctl" --pid "$tmp/$run/pid" -f "$2" 2>>"$tmp/$run.err" &
	rp=$!
	pids="$pids $rp"
	wait_for_socket "$tmp/$run/ctl" "$rp" || fail "$run: responder did not start"
	[ "$(stat datagrams_received)" = 0 ] || fail "$run: datagrams before the burst"
	kill -STOP "$rp"
	# 20,000 per second in batches of 32: the host's backlog queue takes each
	# batch whole, only the socket's buffer overflows
	ip netns exec "$LOAD_INS" "$IKELOAD" --flood --flood-rate 20000 --flood-count $BURST \
		-d 10 -l 192.0.2.10+200 -r 203.0.113.10 >"$tmp/$run.flood" 2>>"$tmp/$run.err" \
		|| fail "$run: flood: $(cat "$tmp/$run.flood")"
	kill -CONT "$rp"
	wait_cmd_grep "\"datagrams_received\":[1-9]" "$IKERCTL" --ctl "$tmp/$run/ctl" --json \
		show crypto isakmp stats || fail "$run: nothing received after the burst"
	sleep 1
	ip netns exec "$LOAD_INS" "$IKELOAD" --flood --flood-count 1 -d 10 \
		-l 192.0.2.250 -r 203.0.113.10 >"$tmp/$run.last" 2>>"$tmp/$run.err" \
		|| fail "$run: last datagram: $(cat "$tmp/$run.last")"
	SENT=$(($(sed -n 's/^flood sent \([0-9]*\) .*/\1/p' "$tmp/$run.flood") +
		$(sed -n 's/^flood sent \([0-9]*\) .*/\1/p' "$tmp/$run.last")))
	n=0
	while :; do
		RX=$(stat datagrams_received)
		DROPS=$(stat dropped_socket_overflow)
		[ $((RX + DROPS)) -ge "$SENT" ] && break
		[ $n -ge 50 ] && break
		sleep 0.1
		n=$((n + 1))
	done
	echo "$run: sent $SENT, received $RX, dropped (receive buffer full) $DROPS"
	"$IKERCTL" --ctl "$tmp/$run/ctl" show crypto isakmp stats >"$tmp/$run.stats"
	kill -TERM "$rp"
	wait_gone "$rp" || fail "$run: responder did not exit"
}

{ cat "$tmp/base.conf"; echo "crypto call admission limit ike in-negotiation-sa 10"; } \
	>"$tmp/small.conf"
burst small "$tmp/small.conf"
[ "$SENT" = $((BURST + 1)) ] || fail "small: $SENT datagrams sent, not $((BURST + 1))"
[ "$DROPS" -gt 0 ] || fail "small: a 256 KiB buffer took a burst of $BURST without a drop"
[ $((RX + DROPS)) = "$SENT" ] \
	|| fail "small: $SENT sent but $RX received and $DROPS counted as dropped"
grep -q "^  socket receive buffer full: *$DROPS$" "$tmp/small.stats" \
	|| fail "small: show crypto isakmp stats: $(cat "$tmp/small.stats")"

burst default "$tmp/base.conf"
[ "$SENT" = $((BURST + 1)) ] || fail "default: $SENT datagrams sent, not $((BURST + 1))"
[ "$DROPS" = 0 ] || fail "default: $DROPS datagrams dropped with the default receive buffer"
[ "$RX" = "$SENT" ] || fail "default: $SENT sent, $RX received"
echo "PASS: rxdrop"
