#!/bin/sh
# Two ikerd, the seed's R1 and R2 (documentation ranges), in two network
# namespaces joined by a veth pair, with the `none` kernel backend.
#   R1 initiates: phase 1 and 2 complete (QM_IDLE ACTIVE on both, SPIs shown).
#   R2 initiates: R1, responder, picks keyring1 at MM3 but R2's identity
#   matches profile2 (keyring2): "Key not found in keyrings of profile" (P2).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"
need_netns

a=ikd$$a
b=ikd$$b
ip netns add "$a" || fail "ip netns add"
namespaces="$a"
ip netns add "$b" || fail "ip netns add"
namespaces="$a $b"
ip -n "$a" link add eth0 type veth peer name eth0 netns "$b" || fail "veth"
ip -n "$a" addr add 198.51.100.1/24 dev eth0
ip -n "$b" addr add 198.51.100.2/24 dev eth0
for ns in "$a" "$b"; do
	ip -n "$ns" link set lo up
	ip -n "$ns" link set eth0 up
done

# passive: nothing starts before the test asks for it
ip netns exec "$a" "$IKERD" -d --kernel none --passive --debug isakmp,ipsec \
	--ctl "$tmp/r1/ctl" --pid "$tmp/r1/pid" -f "$top_srcdir/tests/daemon/r1.conf" \
	2>"$tmp/r1.err" &
p1=$!
pids="$pids $p1"
ip netns exec "$b" "$IKERD" -d --kernel none --passive --debug isakmp,ipsec \
	--ctl "$tmp/r2/ctl" --pid "$tmp/r2/pid" -f "$top_srcdir/tests/daemon/r2.conf" \
	2>"$tmp/r2.err" &
p2=$!
pids="$pids $p2"
wait_for_socket "$tmp/r1/ctl" "$p1" || fail "R1 did not start"
wait_for_socket "$tmp/r2/ctl" "$p2" || fail "R2 did not start"
r1() { "$IKERCTL" --ctl "$tmp/r1/ctl" "$@"; }
r2() { "$IKERCTL" --ctl "$tmp/r2/ctl" "$@"; }

# R1 initiates (K1: keyring2; R2 responder: keyring1 at MM3, profile1 at MM5: P2 passes)
r1 initiate Tunnel1 >"$tmp/init1" || fail "initiate on R1: $(cat "$tmp/init1")"
wait_cmd_grep "QM_IDLE.*ACTIVE" r1 show crypto isakmp sa || fail "R1 has no QM_IDLE SA: $(r1 show crypto isakmp sa)"
wait_cmd_grep "QM_IDLE.*ACTIVE" r2 show crypto isakmp sa || fail "R2 has no QM_IDLE SA: $(r2 show crypto isakmp sa)"
r1 show crypto isakmp sa | grep -q "198.51.100.2 *198.51.100.1 *QM_IDLE" \
	|| fail "R1's SA row: $(r1 show crypto isakmp sa)"
wait_cmd_grep "spi: 0x" r1 show crypto ipsec sa || fail "R1 shows no SPI: $(r1 show crypto ipsec sa)"
wait_cmd_grep "spi: 0x" r2 show crypto ipsec sa || fail "R2 shows no SPI: $(r2 show crypto ipsec sa)"
# R1's outbound SPI is R2's inbound SPI
out1=$(r1 show crypto ipsec sa | sed -n 's/.*current outbound spi: \(0x[0-9A-Fa-f]*\).*/\1/p' | head -n 1)
[ -n "$out1" ] || fail "no current outbound spi on R1: $(r1 show crypto ipsec sa)"
r2 show crypto ipsec sa | grep -qi "spi: $out1" || fail "R2 does not know R1's outbound SPI $out1"
r1 --json show crypto isakmp sa | python3 -m json.tool >/dev/null || fail "R1 JSON isakmp sa"
r2 --json show crypto ipsec sa | python3 -m json.tool >/dev/null || fail "R2 JSON ipsec sa"
grep -q "peer matches profile1 profile" "$tmp/r2.err" || fail "R2's trace lacks its P1 match"

# clear both sides, then R2 initiates: R1 must refuse at MM5 (P2)
r1 clear crypto session >/dev/null || fail "clear on R1"
r2 clear crypto session >/dev/null || fail "clear on R2"
"$IKERCTL" --ctl "$tmp/r1/ctl" terminal monitor >"$tmp/mon.out" 2>&1 &
mon=$!
pids="$pids $mon"
sleep 0.3
r2 initiate Tunnel1 >"$tmp/init2" || fail "initiate on R2: $(cat "$tmp/init2")"
wait_grep "$tmp/r1.err" "Key not found in keyrings of profile" \
	|| fail "R1 did not report the P2 failure"
wait_grep "$tmp/mon.out" "Key not found in keyrings of profile" \
	|| fail "terminal monitor did not show the P2 failure"
grep -q "peer matches profile2 profile" "$tmp/r1.err" || fail "R1's trace lacks its P1 match"
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
