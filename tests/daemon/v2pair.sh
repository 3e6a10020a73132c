#!/bin/sh
# Two ikerd speaking IKEv2 (tests/daemon/r1v2.conf, r2v2.conf: the seed in
# IKEv2 form, rule V2-1) in two network namespaces joined by a veth pair,
# with the `none` kernel backend: show crypto ikev2 sa [detailed], show
# crypto ikev2 session, show crypto ikev2 stats (summed over two workers),
# show crypto session with the IKEv2 peer, --json of each, then clear crypto
# ikev2 sa remote A on one side: its DELETE clears the other side too.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"
need_netns

a=ikv$$a
b=ikv$$b
netns_pair "$a" "$b"

# start_daemon NAME NETNS [OPTIONS...]: ikerd with its control socket in $tmp/NAME
start_daemon() {
	name=$1
	ns=$2
	shift 2
	ip netns exec "$ns" "$IKERD" -d --kernel none --workers 2 --debug ikev2,ipsec \
		--ctl "$tmp/$name/ctl" --pid "$tmp/$name/pid" "$@" \
		-f "$top_srcdir/tests/daemon/${name}v2.conf" 2>>"$tmp/$name.err" &
	started=$!
	pids="$pids $started"
	wait_for_socket "$tmp/$name/ctl" "$started" || fail "$name did not start"
}
r1() { "$IKERCTL" --ctl "$tmp/r1/ctl" "$@"; }
r2() { "$IKERCTL" --ctl "$tmp/r2/ctl" "$@"; }

start_daemon r2 "$b" --passive
p2=$started
start_daemon r1 "$a"
p1=$started
wait_cmd_grep "READY" r1 show crypto ikev2 sa || fail "R1 has no READY IKEv2 SA: \
$(r1 show crypto ikev2 sa)"
wait_cmd_grep "READY" r2 show crypto ikev2 sa || fail "R2 has no READY IKEv2 SA: \
$(r2 show crypto ikev2 sa)"
row="^[0-9]* *198.51.100.1/[0-9]* *198.51.100.2/[0-9]* *none/none *READY"
r1 show crypto ikev2 sa | grep -q "$row" \
	|| fail "R1's SA row: $(r1 show crypto ikev2 sa)"
[ "$(r2 show crypto ikev2 sa | grep -c "IPv4 Crypto IKEv2  SA")" = 1 ] || fail "merged header"
r1 show crypto ikev2 sa detailed | grep -q "Initiator of SA : Yes" \
	|| fail "R1 detailed: $(r1 show crypto ikev2 sa detailed)"
r2 show crypto ikev2 sa detailed | grep -q "Initiator of SA : No" \
	|| fail "R2 detailed: $(r2 show crypto ikev2 sa detailed)"
r1 show crypto ikev2 sa detailed | grep -q "DPD configured for 10 seconds, retry 2" \
	|| fail "R1 dpd: $(r1 show crypto ikev2 sa detailed)"
wait_cmd_grep "Status:UP-ACTIVE, IKE count:1, CHILD count:1" r2 show crypto ikev2 session \
	|| fail "R2 session: $(r2 show crypto ikev2 session)"
r2 show crypto ikev2 session detailed | grep -q "esp_hmac: SHA256" \
	|| fail "R2 session detailed: $(r2 show crypto ikev2 session detailed)"
r1 show crypto ikev2 stats | grep -q "Total outgoing IKEv2 SA Count: *1 *active: *1" \
	|| fail "R1 stats: $(r1 show crypto ikev2 stats)"
r2 show crypto ikev2 stats | grep -q "Total incoming IKEv2 SA Count: *1 *active: *1" \
	|| fail "R2 stats: $(r2 show crypto ikev2 stats)"
r1 show crypto session |
	grep -q "IKEv2 SA: local 198.51.100.1/[0-9]* remote 198.51.100.2/[0-9]* Active" \
	|| fail "R1 show crypto session: $(r1 show crypto session)"
r1 show crypto ikev2 sa remote 203.0.113.77 | grep -q READY && fail "sa remote: another peer"
for cmd in "show crypto ikev2 sa" "show crypto ikev2 sa detailed" \
	"show crypto ikev2 session" "show crypto ikev2 session detailed" \
	"show crypto ikev2 stats" "show crypto session"; do
	# shellcheck disable=SC2086
	r2 --json $cmd >"$tmp/j.out" || fail "R2 --json $cmd"
	python3 -m json.tool "$tmp/j.out" >/dev/null || fail "R2 --json $cmd: $(cat "$tmp/j.out")"
done
r2 --json show crypto ikev2 sa | python3 -c '
import json, sys
d = json.load(sys.stdin)["ikev2_sas"]
assert len(d) == 1 and d[0]["status"] == "READY" and not d[0]["initiator"], d' \
	|| fail "R2 JSON ikev2 sa: $(r2 --json show crypto ikev2 sa)"
r1 --json show crypto ikev2 stats | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["outgoing_active"] == 1 and d["incoming_sas"] == 0, d' \
	|| fail "R1 JSON stats: $(r1 --json show crypto ikev2 stats)"
# per-peer counters: IKE_SA_INIT and IKE_AUTH each way, one IKE SA, from the
# worker that holds R1
r2 show crypto ikev2 stats peer 198.51.100.1 >"$tmp/ps.out" || fail "ikev2 stats peer"
grep -q "^  IKE_SA_INIT  *[1-9]  *[1-9]$" "$tmp/ps.out" || fail "stats peer: $(cat "$tmp/ps.out")"
grep -q "^  IKE_AUTH  *[1-9]  *[1-9]$" "$tmp/ps.out" || fail "stats peer: $(cat "$tmp/ps.out")"
r2 --json show crypto ikev2 stats peer 198.51.100.1 | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert len(d) == 1 and d[0]["ike_sas"] == 1 and d[0]["received"]["IKE_AUTH"] >= 1, d' \
	|| fail "R2 JSON stats peer: $(r2 --json show crypto ikev2 stats peer 198.51.100.1)"
r2 show crypto isakmp peers detail | grep -q "^  IKE_AUTH  *[1-9]  *[1-9]$" \
	|| fail "peers detail lacks IKEv2: $(r2 show crypto isakmp peers detail)"

# clear crypto ikev2 sa remote A: R1 deletes and tells R2
r1 clear crypto ikev2 sa remote 198.51.100.2 >/dev/null || fail "clear crypto ikev2 sa remote"
wait_cmd_nogrep "READY" r1 show crypto ikev2 sa || fail "R1 kept its SA: \
$(r1 show crypto ikev2 sa)"
wait_cmd_nogrep "READY" r2 show crypto ikev2 sa || fail "R2 kept its SA after the DELETE: \
$(r2 show crypto ikev2 sa)"
grep -q "Process delete request from peer" "$tmp/r2.err" || fail "R2's trace lacks the DELETE"

for p in $p1 $p2; do
	kill -TERM "$p"
	wait_gone "$p" || fail "ikerd $p did not exit"
done
echo "PASS: v2pair"
