#!/bin/sh
# ikerd --metrics: the Prometheus textfile of R1 (the seed's routers in two
# network namespaces, `none` kernel backend). The file exists from the start,
# parses as the text exposition format, shows Tunnel1 up with one IPsec SA
# and a completed phase 1 once R1 initiated, Tunnel1 down after clear crypto
# session; an idle daemon leaves the file alone; it is removed at exit.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"
need_netns

a=ikm$$a
b=ikm$$b
netns_pair "$a" "$b"
start_daemon() { # NAME NETNS [OPTIONS...]
	name=$1
	ns=$2
	shift 2
	ip netns exec "$ns" "$IKERD" -d --kernel none --workers 2 \
		--ctl "$tmp/$name/ctl" --pid "$tmp/$name/pid" "$@" \
		-f "$top_srcdir/tests/daemon/$name.conf" 2>>"$tmp/$name.err" &
	started=$!
	pids="$pids $started"
	wait_for_socket "$tmp/$name/ctl" "$started" || fail "$name did not start"
}
r1() { "$IKERCTL" --ctl "$tmp/r1/ctl" "$@"; }
prom="$tmp/textfile/ikerd.prom"
mkdir -p "$tmp/textfile"
start_daemon r2 "$b" --passive
start_daemon r1 "$a" --metrics "$prom" --metrics-interval 1
p1=$started
n=0
while [ ! -f "$prom" ]; do # written right after the control socket opens
	[ $n -ge 50 ] && fail "no metrics file at start"
	sleep 0.1
	n=$((n + 1))
done

# the text exposition format: HELP and TYPE before each family, then samples
valid() {
	python3 - "$1" <<'PY'
import re, sys
seen, typed = set(), {}
name = r'[a-z_][a-z0-9_]*'
sample = re.compile(r'^(%s)(\{(%s="(\\.|[^"\\])*",?)*\})? (-?[0-9.e+]+)$' % (name, name))
for n, line in enumerate(open(sys.argv[1]), 1):
    line = line.rstrip("\n")
    if line.startswith("# HELP "):
        continue
    if line.startswith("# TYPE "):
        _, _, name, kind = line.split(" ")
        assert kind in ("gauge", "counter"), line
        assert name not in typed, "family %s twice" % name
        typed[name] = kind
        continue
    m = sample.match(line)
    assert m, "line %d is not a sample: %r" % (n, line)
    assert m.group(1) in typed, "line %d: %s has no TYPE" % (n, m.group(1))
    assert (m.group(1), m.group(2)) not in seen, "line %d repeats a series" % n
    seen.add((m.group(1), m.group(2)))
    if typed[m.group(1)] == "counter":
        assert m.group(1).endswith("_total"), line
PY
}
up_line='ikerd_tunnel_up{interface="Tunnel1",destination="198.51.100.2",shutdown="no"}'
wait_grep "$prom" "^$up_line 1\$" || fail "Tunnel1 not up in the metrics: $(cat "$prom")"
valid "$prom" || fail "not the exposition format: $(cat "$prom")"
grep -qx 'ikerd_ipsec_sas 1' "$prom" || fail "IPsec SA count: $(cat "$prom")"
grep -qx 'ikerd_tunnel_ipsec_sas{interface="Tunnel1"} 1' "$prom" || fail "per-tunnel SAs"
grep -qx 'ikerd_phase1_total{result="completed"} 1' "$prom" || fail "phase 1 count"
grep -qx 'ikerd_isakmp_sas{state="established"} 1' "$prom" || fail "ISAKMP SA gauge"
grep -q '^ikerd_datagrams_received_total [1-9]' "$prom" || fail "datagram counter"
grep -qx 'ikerd_half_open_refused_total 0' "$prom" || fail "refused counter: $(cat "$prom")"
grep -q '^ikerd_retransmissions_total [0-9]' "$prom" || fail "retransmission counter"
grep -q '^ikerd_secure_memory_bytes{kind="in_use"} [1-9][0-9]*$' "$prom" \
	|| fail "secure memory gauge with an SA up: $(cat "$prom")"
grep -q '^ikerd_secure_memory_bytes{kind="held"} [1-9][0-9]*$' "$prom" || fail "secure memory held"
[ "$(stat -c %a "$prom")" = 644 ] || fail "metrics mode $(stat -c %a "$prom")"

# idle: the file is not rewritten (rename gives a new inode)
sleep 1.5
ino=$(stat -c %i "$prom")
sleep 2.5
[ "$(stat -c %i "$prom")" = "$ino" ] || fail "an idle daemon rewrote the metrics file"

r1 clear crypto session >/dev/null || fail "clear crypto session"
wait_grep "$prom" "^$up_line 0\$" || fail "Tunnel1 still up after clear: $(cat "$prom")"
grep -qx 'ikerd_ipsec_sas 0' "$prom" || fail "IPsec SAs after clear: $(cat "$prom")"
valid "$prom" || fail "not the exposition format after clear"
ls "$tmp/textfile" | grep -v '^ikerd.prom$' && fail "temporary files left beside the metrics"

kill -TERM "$p1"
wait_gone "$p1" || fail "R1 did not stop"
[ ! -e "$prom" ] || fail "the metrics file outlived ikerd"
echo "PASS: --metrics textfile: format, tunnel state, idle, removal"
