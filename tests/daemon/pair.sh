#!/bin/sh
# Two ikerd, the seed's R1 and R2 (documentation ranges), in two network
# namespaces joined by a veth pair, with the `none` kernel backend.
#   R1 initiates: phase 1 and 2 complete (QM_IDLE ACTIVE on both, SPIs shown),
#   on the worker the BPF program picks by source address.
#   R2 initiates: R1, responder, picks keyring1 at MM3 but R2's identity
#   matches profile2 (keyring2): "Key not found in keyrings of profile" (P2).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"
need_netns

a=ikd$$a
b=ikd$$b
netns_pair "$a" "$b"

# start_daemon NAME NETNS [OPTIONS...]: ikerd with its control socket in $tmp/NAME
start_daemon() {
	name=$1
	ns=$2
	shift 2
	ip netns exec "$ns" "$IKERD" -d --kernel none --workers 2 --debug isakmp,ipsec \
		--ctl "$tmp/$name/ctl" --pid "$tmp/$name/pid" "$@" \
		-f "$top_srcdir/tests/daemon/$name.conf" 2>>"$tmp/$name.err" &
	started=$!
	pids="$pids $started"
	wait_for_socket "$tmp/$name/ctl" "$started" || fail "$name did not start"
}
r1() { "$IKERCTL" --ctl "$tmp/r1/ctl" "$@"; }
r2() { "$IKERCTL" --ctl "$tmp/r2/ctl" "$@"; }

# 1. R2 answers only; R1 initiates at start-up (K1: keyring2; R2, responder:
#    keyring1 at MM3, R1's identity matches profile1 whose keyring is keyring1)
start_daemon r2 "$b" --passive
p2=$started
start_daemon r1 "$a"
p1=$started
wait_cmd_grep "QM_IDLE.*ACTIVE" r1 show crypto isakmp sa \
	|| fail "R1 has no QM_IDLE SA: $(r1 show crypto isakmp sa)"
wait_cmd_grep "QM_IDLE.*ACTIVE" r2 show crypto isakmp sa \
	|| fail "R2 has no QM_IDLE SA: $(r2 show crypto isakmp sa)"
r1 show crypto isakmp sa | grep -q "^198.51.100.2 *198.51.100.1 *QM_IDLE *1001 ACTIVE" \
	|| fail "R1's SA row: $(r1 show crypto isakmp sa)"
# two workers each: R1's datagrams (source .1, odd) reach R2's worker 1,
# whose connection ids start at 101001; the header is printed once
r2 show crypto isakmp sa | grep -q "^198.51.100.2 *198.51.100.1 *QM_IDLE *101001 ACTIVE" \
	|| fail "R2's SA is not on worker 1: $(r2 show crypto isakmp sa)"
[ "$(r2 show crypto isakmp sa | grep -c "^IPv4 Crypto ISAKMP SA")" = 1 ] || fail "merged header"
wait_cmd_grep "spi: 0x" r1 show crypto ipsec sa \
	|| fail "R1 shows no SPI: $(r1 show crypto ipsec sa)"
wait_cmd_grep "spi: 0x" r2 show crypto ipsec sa \
	|| fail "R2 shows no SPI: $(r2 show crypto ipsec sa)"
# the ISAKMP SA's keys are in the secure pool (and leave it with the SA, below)
r1 --json show crypto isakmp stats | python3 -c '
import json, sys
d = json.load(sys.stdin)["isakmp_stats"]
assert d["secure_memory_in_use"] > 0 and d["secure_memory_chunks"] >= 1, d
assert d["secure_memory_held"] >= d["secure_memory_in_use"], d' \
	|| fail "R1 secure memory with the SA up: $(r1 show crypto isakmp stats)"
# R1's outbound SPI is one of R2's
out1=$(r1 show crypto ipsec sa |
	sed -n 's/.*current outbound spi: \(0x[0-9A-Fa-f]*\).*/\1/p' | head -n 1)
[ -n "$out1" ] || fail "no current outbound spi on R1: $(r1 show crypto ipsec sa)"
r2 show crypto ipsec sa | grep -q "spi: $out1(" || fail "R2 does not know R1's outbound SPI $out1"
r1 show crypto session | grep -q "Session status: UP-ACTIVE" \
	|| fail "R1 session: $(r1 show crypto session)"
r1 show crypto ipsec sa peer 198.51.100.2 | grep -q "current_peer 198.51.100.2 port 500" \
	|| fail "show crypto ipsec sa peer: $(r1 show crypto ipsec sa peer 198.51.100.2)"
[ -z "$(r1 show crypto ipsec sa peer 203.0.113.77)" ] || fail "show crypto ipsec sa other peer"
r1 show crypto session brief | grep -q "^198.51.100.2 *Tu1 .* UA$" \
	|| fail "show crypto session brief: $(r1 show crypto session brief)"
r1 show crypto session detail | grep -q "Capabilities:.* connid:1001 lifetime:" \
	|| fail "show crypto session detail: $(r1 show crypto session detail)"
r2 show crypto engine connections active | grep -q " IKE     MD5+3DES " \
	|| fail "show crypto engine connections active: $(r2 show crypto engine connections active)"
r1 'show crypto ipsec sa | include ^interface|current_peer' | grep -c . | grep -qx 2 \
	|| fail "filtered show crypto ipsec sa: $(r1 'show crypto ipsec sa | include ^interface')"
for cmd in "show crypto isakmp sa" "show crypto isakmp sa detail" "show crypto ipsec sa" \
	"show crypto session" "show crypto isakmp peers" "show crypto ipsec sa detail" \
	"show crypto session detail" "show crypto session brief" \
	"show crypto engine connections active"; do
	# shellcheck disable=SC2086
	r2 --json $cmd >"$tmp/j.out" || fail "R2 --json $cmd"
	python3 -m json.tool "$tmp/j.out" >/dev/null || fail "R2 --json $cmd: $(cat "$tmp/j.out")"
done
r2 --json show crypto isakmp sa | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert isinstance(d, list) and len(d) == 1 and d[0]["state"] == "QM_IDLE", d' \
	|| fail "R2 JSON isakmp sa: $(r2 --json show crypto isakmp sa)"
grep -q "peer matches profile1 profile" "$tmp/r2.err" || fail "R2's trace lacks its P1 match"

# per-peer counters: R2 (two workers) received at least R1's three MM and two QM
# messages, answered them, holds one IKE SA and one IPsec SA bundle of R1
r2 show crypto isakmp peers detail >"$tmp/pd.out" || fail "show crypto isakmp peers detail"
grep -q "^Peer: 198.51.100.1 Port: 500 Local: 198.51.100.2$" "$tmp/pd.out" \
	|| fail "peers detail lacks R1: $(cat "$tmp/pd.out")"
grep -q "^ IKE SAs: 1 IPSec SA bundles: 1$" "$tmp/pd.out" || fail "peers detail SA counts"
grep -q "^  MM  *[3-9]  *[3-9]$" "$tmp/pd.out" || fail "peers detail MM: $(cat "$tmp/pd.out")"
grep -q "^  QM  *[2-9]  *[1-9]$" "$tmp/pd.out" || fail "peers detail QM: $(cat "$tmp/pd.out")"
grep -q "^  IKE SAs created: 1 deleted: 0  IPsec SAs created: 1 deleted: 0$" "$tmp/pd.out" \
	|| fail "peers detail SAs created: $(cat "$tmp/pd.out")"
r2 --json show crypto isakmp peers detail | python3 -c '
import json, sys
d = json.load(sys.stdin)
p = [x for x in d if x["peer"] == "198.51.100.1"][0]
assert p["received"]["MM"] >= 3 and p["sent"]["MM"] >= 3 and p["ike_sas"] == 1, p
assert p["sessions"][0]["conn_id"] == 101001, p' \
	|| fail "R2 JSON peers detail: $(r2 --json show crypto isakmp peers detail)"
r2 show crypto ikev2 stats peer 198.51.100.1 | grep -q "^  IKE_SA_INIT  *0  *0$" \
	|| fail "ikev2 stats peer: $(r2 show crypto ikev2 stats peer 198.51.100.1)"
r2 clear crypto statistics || fail "clear crypto statistics"
r2 show crypto isakmp peers detail | grep -q "^  MM  *0  *0$" \
	|| fail "clear crypto statistics kept counts: $(r2 show crypto isakmp peers detail)"
r2 show crypto isakmp peers detail | grep -q "^ IKE SAs: 1 IPSec SA bundles: 1$" \
	|| fail "clear crypto statistics dropped the SAs"

# clear and initiate again by command
r1 clear crypto session >/dev/null || fail "clear on R1"
wait_cmd_nogrep QM_IDLE r1 show crypto isakmp sa \
	|| fail "clear left the SA: $(r1 show crypto isakmp sa)"
wait_cmd_grep "^Secure memory in use: *0 bytes$" r1 show crypto isakmp stats \
	|| fail "R1 kept secure memory after clear: $(r1 show crypto isakmp stats)"
r1 show crypto ipsec sa | grep -q "spi: 0x" \
	&& fail "clear left IPsec SAs: $(r1 show crypto ipsec sa)"
r1 initiate Tunnel1 >"$tmp/init" || fail "initiate: $(cat "$tmp/init")"
wait_cmd_grep "QM_IDLE.*ACTIVE" r1 show crypto isakmp sa \
	|| fail "initiate Tunnel1 did not bring phase 1 up"
# clear crypto isakmp CONN-ID reaches the worker that owns that id range
wait_cmd_grep "QM_IDLE *101002 ACTIVE" r2 show crypto isakmp sa \
	|| fail "R2's second SA is not 101002 on worker 1: $(r2 show crypto isakmp sa)"
r2 clear crypto isakmp 101002 >/dev/null || fail "clear crypto isakmp 101002"
wait_cmd_nogrep "101002" r2 show crypto isakmp sa \
	|| fail "clear crypto isakmp 101002 left it: $(r2 show crypto isakmp sa)"
# (the IPsec SAs outlive their ISAKMP SA, as on IOS: clear both, start again)
r1 clear crypto session >/dev/null || fail "clear on R1"
r2 clear crypto session >/dev/null || fail "clear on R2"
wait_cmd_nogrep "spi: 0x" r2 show crypto ipsec sa || fail "R2 kept IPsec SAs after clear"
# debug crypto condition on another peer: R2's workers print nothing of R1's exchange
r2 debug crypto condition peer ipv4 192.0.2.99 || fail "debug crypto condition on R2"
n0=$(grep -c "received packet from 198.51.100.1" "$tmp/r2.err")
r1 initiate Tunnel1 >"$tmp/init" || fail "initiate: $(cat "$tmp/init")"
wait_cmd_grep "QM_IDLE.*ACTIVE" r2 show crypto isakmp sa || fail "third initiation failed"
wait_cmd_grep "spi: 0x" r2 show crypto ipsec sa || fail "third initiation: no IPsec SA on R2"
[ "$(grep -c "received packet from 198.51.100.1" "$tmp/r2.err")" = "$n0" ] \
	|| fail "R2 printed debug lines of a peer outside its debug condition"
r2 no debug crypto condition all || fail "no debug crypto condition all on R2"
r1 initiate Tunnel9 2>"$tmp/init9" && fail "initiate of an unknown tunnel accepted"
grep -q "Tunnel9 is not a configured tunnel interface" "$tmp/init9" \
	|| fail "unknown tunnel message"

# 2. R1 answers only and R2 initiates at start-up: R1 picks keyring1 at MM3,
#    R2's identity matches profile2 (keyring2): P2 fails. R1 runs one worker
#    (no BPF program) this time.
# R1's clean exit deletes its SAs and tells R2 so
kill -TERM "$p1"
wait_gone "$p1" || fail "R1 did not exit"
wait_cmd_nogrep QM_IDLE r2 show crypto isakmp sa \
	|| fail "R2 kept its SA after R1 exited: $(r2 show crypto isakmp sa)"
r2 show crypto ipsec sa | grep -q "spi: 0x" && fail "R2 kept IPsec SAs after R1 exited"
kill -TERM "$p2"
wait_gone "$p2" || fail "R2 did not exit"
start_daemon r1 "$a" --passive --workers 1
p1=$started
"$IKERCTL" --ctl "$tmp/r1/ctl" terminal monitor >"$tmp/mon.out" 2>&1 &
mon=$!
pids="$pids $mon"
sleep 0.3
start_daemon r2 "$b"
p2=$started
wait_grep "$tmp/r1.err" "Key not found in keyrings of profile" \
	|| fail "R1 did not report the P2 failure"
wait_grep "$tmp/mon.out" "Key not found in keyrings of profile" \
	|| fail "terminal monitor did not show the P2 failure"
grep -q "peer matches profile2 profile" "$tmp/r1.err" || fail "R1's trace lacks its P1 match"
# the failure's one-line message, which is logged with debugging off too
wait_grep "$tmp/r1.err" "%CRYPTO-6-IKMP_MODE_FAILURE: Processing of Main mode failed with peer at \
198.51.100.2 (P2: the key used since MM3 is from keyring keyring1" \
	|| fail "R1 did not log why phase 1 failed"
if r1 show crypto isakmp sa | grep -q "QM_IDLE"; then
	fail "R1 completed phase 1 for R2's initiation: $(r1 show crypto isakmp sa)"
fi
kill -INT "$mon"

for p in $p1 $p2; do
	kill -TERM "$p"
	wait_gone "$p" || fail "ikerd $p did not exit"
done
[ ! -e "$tmp/r1/ctl" ] && [ ! -e "$tmp/r2/ctl" ] || fail "control sockets left behind"
echo "PASS: pair"
