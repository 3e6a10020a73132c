#!/bin/sh
# Two ikerd, the seed's R1 and R2 in IKEv2 form (tests/daemon/r1v2.conf,
# r2v2.conf), in two network namespaces joined by a veth pair, with the
# `none` kernel backend: through the real sockets and workers.
#   R1 initiates (R2 answers only): IKE_SA_INIT, IKE_AUTH, one child SA pair.
#   R2 initiates (R1 answers only): the same (V2-1; IKEv1 fails this way).
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
	ip netns exec "$ns" "$IKERD" -d --kernel none --workers 2 --debug ikev2,ipsec \
		--ctl "$tmp/$name/ctl" --pid "$tmp/$name/pid" "$@" \
		-f "$top_srcdir/tests/daemon/$name.conf" 2>>"$tmp/$name.err" &
	started=$!
	pids="$pids $started"
	wait_for_socket "$tmp/$name/ctl" "$started" || fail "$name did not start"
}
r1() { "$IKERCTL" --ctl "$tmp/r1v2/ctl" "$@"; }
r2() { "$IKERCTL" --ctl "$tmp/r2v2/ctl" "$@"; }

# both hold one child SA pair, and R1's outbound SPI is one of R2's inbound
pair_up() { # WHO
	wait_cmd_grep "spi: 0x" r1 show crypto ipsec sa \
		|| fail "$1: R1 shows no SPI: $(r1 show crypto ipsec sa)"
	wait_cmd_grep "spi: 0x" r2 show crypto ipsec sa \
		|| fail "$1: R2 shows no SPI: $(r2 show crypto ipsec sa)"
	out1=$(r1 show crypto ipsec sa |
		sed -n 's/.*current outbound spi: \(0x[0-9A-Fa-f]*\).*/\1/p' | head -n 1)
	[ -n "$out1" ] || fail "$1: no current outbound spi on R1: $(r1 show crypto ipsec sa)"
	r2 show crypto ipsec sa | grep -q "spi: $out1(" \
		|| fail "$1: R2 does not know R1's outbound SPI $out1"
	r1 show crypto ipsec sa | grep -q "current_peer 198.51.100.2 port 500" \
		|| fail "$1: R1's peer: $(r1 show crypto ipsec sa)"
}

stop() {
	for p in "$@"; do
		kill -TERM "$p"
		wait_gone "$p" || fail "ikerd $p did not exit"
	done
}

# 1. R1 initiates at start-up
start_daemon r2v2 "$b" --passive
p2=$started
start_daemon r1v2 "$a"
p1=$started
pair_up "R1 initiates"
grep -q "Verification of peer's authentication data PASSED" "$tmp/r2v2.err" \
	|| fail "R2's trace lacks the AUTH check"
grep -q "found matching IKEv2 profile 'profile1'" "$tmp/r2v2.err" \
	|| fail "R2 did not pick profile1 from R1's identity"
stop "$p1" "$p2"

# 2. R2 initiates at start-up, R1 answers
start_daemon r1v2 "$a" --passive
p1=$started
start_daemon r2v2 "$b"
p2=$started
pair_up "R2 initiates"
grep -q "found matching IKEv2 profile 'profile2'" "$tmp/r1v2.err" \
	|| fail "R1 did not pick profile2 from R2's identity"
stop "$p1" "$p2"
echo "PASS: pair_v2"
