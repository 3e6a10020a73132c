#!/bin/sh
# ikerd and ikerctl on a private control socket: the seed's R1 (documentation
# ranges), in its own network namespace with the `none` kernel backend.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"
need_netns

run="$tmp/run"
ctl="$run/ctl"
cp "$top_srcdir/tests/daemon/r1.conf" "$tmp/r1.conf"
# an authorization list, used by profile2 (hash of the fuzz corpus certificate)
cat >>"$tmp/r1.conf" <<'AUTHZ'
crypto isakmp authorization list PINS
 description lab peers
 peer address 198.51.100.2 key-hash sha256 5dcf621b105c59c14e0cdb0c0765f7299fff578645102e4a4b303fd448bcbb79
crypto isakmp profile profile2
 authorization list PINS
AUTHZ
unshare -n sh -c 'ip link set lo up && exec "$0" "$@"' "$IKERD" -d --kernel none --passive \
	--workers 2 --ctl "$ctl" --pid "$run/pid" -f "$tmp/r1.conf" 2>"$tmp/r1.err" &
pid=$!
pids="$pids $pid"
wait_for_socket "$ctl" "$pid" || fail "ikerd did not create $ctl"
c() { "$IKERCTL" --ctl "$ctl" "$@"; }

# the socket is root-only, in a 0700 directory; the pid file names the daemon
[ "$(stat -c %a "$ctl")" = 600 ] || fail "socket mode $(stat -c %a "$ctl"), want 600"
[ "$(stat -c %a "$run")" = 700 ] || fail "directory mode $(stat -c %a "$run"), want 700"
[ "$(cat "$run/pid")" = "$pid" ] || fail "pid file holds $(cat "$run/pid"), want $pid"

# show crypto isakmp key: the seed's layout (R1 has keyring1 and keyring2 for R2)
cat >"$tmp/key.want" <<'KEYS'
Keyring      Hostname/Address          Preshared Key

keyring1    198.51.100.2                   cisco
keyring2    198.51.100.2                   cisco
KEYS
c show crypto isakmp key >"$tmp/key.out" || fail "show crypto isakmp key failed"
diff -u "$tmp/key.want" "$tmp/key.out" || fail "show crypto isakmp key layout"
# abbreviations give the same answer
c sh cry isa key >"$tmp/key2.out" || fail "sh cry isa key failed"
cmp -s "$tmp/key.out" "$tmp/key2.out" || fail "abbreviated command answers differently"
c sh cry isa prof | grep -q "^ISAKMP PROFILE profile2$" || fail "show crypto isakmp profile"
c sh cry isa pol | grep -q "Protection suite of priority 10" || fail "show crypto isakmp policy"
c sh cry isa pol | grep -q "Three key triple DES" || fail "policy encryption text"

# the configuration-side shows added for IOS engineers
c show crypto ipsec transform-set | grep -qx "Transform set TS: { esp-aes esp-sha256-hmac  }" \
	|| fail "show crypto ipsec transform-set: $(c show crypto ipsec transform-set)"
c sh cry ipsec prof | grep -qx "	ISAKMP Profile: profile2" || fail "show crypto ipsec profile"
c show crypto isakmp default policy | grep -q "^Default protection suite of priority 65514" \
	|| fail "show crypto isakmp default policy"
c show crypto engine connections active | grep -q "^   ID  Type    Algorithm" \
	|| fail "show crypto engine connections active"
c show crypto session brief | grep -q "^ Peer            I/F" || fail "show crypto session brief"

# output filters on any show: include, exclude, section, begin, count
[ "$(c 'show crypto isakmp key | include keyring2')" = \
	"keyring2    198.51.100.2                   cisco" ] || fail "| include"
c show crypto isakmp key \| exclude keyring | grep -q keyring && fail "| exclude"
c 'sh run | section ^crypto isakmp profile profile2' >"$tmp/sec.out"
head -n 1 "$tmp/sec.out" | grep -qx "crypto isakmp profile profile2" || fail "| section head"
grep -q "^ *match identity address 198.51.100.2" "$tmp/sec.out" || fail "| section children"
grep -q "profile1" "$tmp/sec.out" && fail "| section took another profile"
c 'sh cry isa pol | begin Protection suite' | head -n 1 | grep -q "^Protection suite of priority" \
	|| fail "| begin"
[ "$(c 'show crypto isakmp key | count ^keyring')" = "Number of lines which match regexp = 2" ] \
	|| fail "| count"
c --json 'show crypto isakmp key | include x' 2>/dev/null && fail "filter with --json accepted"
c 'show crypto isakmp key | grep x' 2>"$tmp/flt.err" && fail "bad filter accepted"
grep -q "Invalid output filter 'grep'" "$tmp/flt.err" || fail "bad filter message"

# errors: ambiguous, invalid (marker under the bad word), incomplete; exit 1
c sh cry isa p 2>"$tmp/amb" && fail "ambiguous command accepted"
grep -qx '% Ambiguous command:  "sh cry isa p"' "$tmp/amb" \
	|| fail "ambiguous message: $(cat "$tmp/amb")"
c show crypto bogus sa 2>"$tmp/inv" && fail "invalid command accepted"
cat >"$tmp/inv.want" <<'INV'
show crypto bogus sa
            ^
% Invalid input detected at '^' marker.
INV
diff -u "$tmp/inv.want" "$tmp/inv" || fail "invalid input message"
c show crypto isakmp 2>"$tmp/inc" && fail "incomplete command accepted"
grep -qx '% Incomplete command.' "$tmp/inc" || fail "incomplete message"

# key-hash FILE needs no daemon: the key's hashes as an authorization list
# takes them, the same as the openssl command line computes
pem="$top_srcdir/tests/fuzz/corpus/pki/rsa-selfsigned.pem"
want=$(openssl x509 -in "$pem" -noout -pubkey | openssl pkey -pubin -outform DER |
	openssl dgst -sha256 -r | cut -d' ' -f1)
"$IKERCTL" key-hash "$pem" >"$tmp/kh.out" || fail "ikerctl key-hash"
grep -qx "peer fqdn r1.example.com key-hash sha256 $want" "$tmp/kh.out" \
	|| fail "ikerctl key-hash: $(cat "$tmp/kh.out")"
"$IKERCTL" key-hash "$pem" sha1 address 2001:db8::7 | grep -qx \
	"peer address 2001:db8::7 key-hash sha1 [0-9a-f]\{40\}" || fail "ikerctl key-hash sha1 address"
"$IKERCTL" key-hash "$pem" bogus 2>/dev/null && fail "key-hash with a bad identity accepted"
"$IKERCTL" key-hash /nonexistent.pem 2>/dev/null && fail "key-hash of a missing file"

# the authorization list as configured, and the per-peer counters (no peer yet)
c show crypto authorization list >"$tmp/az.out" || fail "show crypto authorization list"
grep -qx "Authorization list PINS (line [0-9]*), 1 entry, raw public keys not accepted" \
	"$tmp/az.out" || fail "show crypto authorization list: $(cat "$tmp/az.out")"
grep -qx " Used by: isakmp profile profile2" "$tmp/az.out" || fail "list users: $(cat "$tmp/az.out")"
c sh cry auth list NOPE 2>"$tmp/az.err" && fail "unknown list accepted"
grep -qx "% Authorization list NOPE is not configured" "$tmp/az.err" || fail "unknown list message"
c sh run | grep -qx " peer address 198.51.100.2 key-hash sha256 5dcf621b[0-9a-f]*" \
	|| fail "running-config lacks the list entry"
[ -z "$(c show crypto isakmp peers detail)" ] || fail "peers detail without peers"
c show crypto ikev2 stats peer 198.51.100.2 | grep -q "^% No IKE message was exchanged with peer" \
	|| fail "ikev2 stats of an unknown peer: $(c show crypto ikev2 stats peer 198.51.100.2)"
c clear crypto statistics || fail "clear crypto statistics"

# JSON: one valid document for every show
for cmd in "show crypto isakmp key" "show crypto isakmp profile" "show crypto isakmp policy" \
	"show running-config" "show crypto isakmp sa" "show crypto isakmp sa detail" \
	"show crypto ipsec sa" "show crypto session" "show crypto isakmp peers" \
	"show crypto isakmp stats" \
	"show debugging" "check" "test isakmp peer 198.51.100.2" "debug crypto ipsec" \
	"show crypto debug-condition" "show crypto ipsec transform-set" \
	"show crypto ipsec profile" "show crypto isakmp default policy" \
	"show crypto ipsec sa detail" "show crypto ipsec sa peer 198.51.100.2" \
	"show crypto session detail" "show crypto session brief" \
	"show crypto engine connections active" \
	"show crypto ikev2 proposal" "show crypto ikev2 policy" "show crypto ikev2 profile" \
	"show crypto authorization list" "show crypto authorization list PINS" \
	"show crypto isakmp peers detail" "show crypto ikev2 stats peer 198.51.100.2" \
	"show crypto ikev2 sa" "show crypto ikev2 sa detailed" "show crypto ikev2 session" \
	"show crypto ikev2 session detailed" "show crypto ikev2 stats" \
	"test ikev2 peer 198.51.100.2 identity fqdn r2.example.com"; do
	# shellcheck disable=SC2086
	c --json $cmd >"$tmp/j.out" || fail "--json $cmd failed"
	python3 -m json.tool "$tmp/j.out" >/dev/null \
		|| fail "--json $cmd: not JSON: $(head -c 300 "$tmp/j.out")"
done
c --json sh cry isa key | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert [k["keyring"] for k in d["keys"]] == ["keyring1", "keyring2"], d' \
	|| fail "JSON keys"

# show crypto isakmp stats: counters summed over the 2 workers
c show crypto isakmp stats | grep -q "^IKE SAs in negotiation: *0$" \
	|| fail "show crypto isakmp stats: $(c show crypto isakmp stats)"
c --json show crypto isakmp stats | python3 -c '
import json, sys
d = json.load(sys.stdin)["isakmp_stats"]
assert d["sas_up"] == 0 and d["half_open"] == 0 and d["datagrams_dropped"] == 0, d
# no SA: no DH value or key in the secure pool (the keyrings'"'"' keys are elsewhere)
assert d["secure_memory_in_use"] == 0, d
assert d["secure_memory_held"] >= d["secure_memory_in_use"], d' \
	|| fail "JSON isakmp stats"
c show crypto isakmp stats | grep -Eq "^Secure memory in use: +0 bytes$" \
	|| fail "show crypto isakmp stats: no secure memory line"

# show running-config round trip: ikerd -t accepts it and it holds the keyrings
c show running-config >"$tmp/rc.conf" || fail "show running-config failed"
grep -q "^crypto keyring keyring2" "$tmp/rc.conf" || fail "running-config lacks keyring2"
# (R1's configuration is valid, and its P2 error finding makes the exit 2)
"$IKERD" -t -f "$tmp/rc.conf" >"$tmp/rc.t" 2>&1
[ $? = 2 ] || fail "ikerd -t on show running-config: $(cat "$tmp/rc.t")"
grep -q "configuration valid" "$tmp/rc.t" || fail "show running-config: $(cat "$tmp/rc.t")"

# L1/L2 through the socket: R2's sessions toward R1 fail (P2)
c check | grep -q "sessions initiated by 198.51.100.2 toward this router fail" \
	|| fail "check does not predict the R2-initiated failure"
# IKEv2 (V2-2): no crypto ikev2 policy in r1.conf, so IOS's default one applies;
# no IKEv2 profile matches, and the explainer says so
c sh cry ikev2 pol | grep -q "^IKEv2 policy : default$" || fail "show crypto ikev2 policy"
c sh cry ikev2 prop | grep -q "DH_GROUP_2048_MODP/Group 14" || fail "show crypto ikev2 proposal"
c test ikev2 peer 198.51.100.2 local 198.51.100.1 | grep -q "no IKEv2 profile matches identity" \
	|| fail "test ikev2 peer does not explain the missing profile"
c test isakmp peer 198.51.100.2 | grep -q "Key not found in keyrings of profile" \
	|| fail "test isakmp peer does not explain the P2 failure"
# an IPv6 peer: the seed has no address ipv6 key, and says so as IOS prints
# IPv6; show and clear commands take an IPv6 peer, others refuse IPv6 addresses
c test isakmp peer 2001:db8::2 | grep -qx "ISAKMP:(0):No pre-shared key with 2001:DB8::2!" \
	|| fail "test isakmp peer 2001:db8::2: $(c test isakmp peer 2001:db8::2)"
c test isakmp peer 2001:db8::2 | grep -q "identity ID_IPV6_ADDR 2001:DB8::2$" \
	|| fail "test isakmp peer 2001:db8::2: identity"
c show crypto session remote 2001:db8::2 2>&1 | grep -q "IPv6 addresses are accepted" \
	&& fail "show crypto session remote IPv6 refused"
c clear crypto session remote 2001:db8::2 >/dev/null 2>&1 || fail "clear ... remote IPv6"
c debug crypto condition peer ipv4 2001:db8::2 2>&1 | grep -q "IPv6 addresses are accepted" \
	|| fail "debug crypto condition peer ipv4 with an IPv6 address not refused"
c debug crypto condition peer ipv6 2001:db8::2 || fail "debug crypto condition peer ipv6"
c show crypto debug-condition | grep -q "^2001:DB8::2 $" \
	|| fail "show crypto debug-condition: $(c show crypto debug-condition)"
c --json show crypto debug-condition | grep -q '"peer_ipv6":\["2001:DB8::2"\]' \
	|| fail "show crypto debug-condition --json: $(c --json show crypto debug-condition)"
c no debug crypto condition peer ipv6 2001:db8::2 || fail "no debug crypto condition peer ipv6"
c show crypto debug-condition | grep -q "currently is turned OFF" \
	|| fail "IPv6 condition not removed: $(c show crypto debug-condition)"
c debug crypto condition peer ipv6 192.0.2.1 >/dev/null 2>&1 && fail "peer ipv6 with IPv4 address"
c test isakmp peer 198.51.100.2 local 198.51.100.1 \
	| grep -q "^Responder decision for peer 198.51.100.2, fVRF global on local address " \
	|| fail "test isakmp peer ... local: no local address"

# debug switches and show debugging
[ "$(c debug crypto isakmp)" = "Crypto ISAKMP debugging is on" ] || fail "debug message"
c show debugging | grep -qx "  Crypto ISAKMP debugging is on" || fail "show debugging"
[ "$(c undebug all)" = "All possible debugging has been turned off" ] || fail "undebug all"
[ -z "$(c show debugging)" ] || fail "show debugging after undebug all"
[ "$(c no debug all)" = "All possible debugging has been turned off" ] || fail "no debug all"
# debug crypto isakmp detail: its own switch (IOS: "internals")
[ "$(c debug crypto isakmp detail)" = "Crypto ISAKMP internals debugging is on" ] \
	|| fail "debug crypto isakmp detail message"
c show debugging | grep -qx "  Crypto ISAKMP internals debugging is on" \
	|| fail "show debugging lacks the detail level"
c show debugging | grep -q "  Crypto ISAKMP debugging is on" && fail "detail turned isakmp on"
c no debug crypto isakmp detail >/dev/null || fail "no debug crypto isakmp detail"
# debug crypto condition peer: shown by show crypto debug-condition, removed by no
c show crypto debug-condition | grep -qx "Crypto conditional debug currently is turned OFF" \
	|| fail "debug-condition off"
c debug crypto condition peer ipv4 198.51.100.2 || fail "debug crypto condition peer"
c debug crypto condition peer ipv4 192.0.2.9 || fail "second debug condition"
c show crypto debug-condition >"$tmp/cond.out"
grep -qx "Crypto conditional debug currently is turned ON" "$tmp/cond.out" \
	|| fail "debug-condition on: $(cat "$tmp/cond.out")"
grep -qx "192.0.2.9 198.51.100.2 " "$tmp/cond.out" \
	|| fail "condition peers: $(cat "$tmp/cond.out")"
c --json show crypto debug-condition | grep -q '"peer_ipv4":\["192.0.2.9","198.51.100.2"\]' \
	|| fail "debug-condition json"
c no debug crypto condition peer ipv4 192.0.2.9 || fail "no debug crypto condition peer"
c no debug crypto condition peer ipv4 192.0.2.9 2>/dev/null && fail "removed twice"
grep -q "192.0.2.9" "$(c show crypto debug-condition >"$tmp/cond2.out"; echo "$tmp/cond2.out")" \
	&& fail "condition not removed"
c no debug crypto condition all || fail "no debug crypto condition all"
c show crypto debug-condition | grep -qx "Crypto conditional debug currently is turned OFF" \
	|| fail "debug-condition not cleared"

# terminal monitor gets log lines (a reload logs one) until it disconnects
"$IKERCTL" --ctl "$ctl" terminal monitor >"$tmp/mon.out" 2>&1 &
mon=$!
pids="$pids $mon"
sleep 0.3
c reload >"$tmp/reload.out" || fail "reload failed: $(cat "$tmp/reload.out")"
wait_grep "$tmp/mon.out" "%IKERD-5-RELOAD" || fail "terminal monitor saw no reload line"
grep -q '^\*[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]*\.[0-9][0-9][0-9]: %IKERD-5-RELOAD' "$tmp/mon.out" \
	|| fail "monitor line without IOS timestamp: $(cat "$tmp/mon.out")"
kill -INT "$mon"
wait_gone "$mon" || fail "ikerctl terminal monitor did not stop on SIGINT"

# reload of a broken file keeps the running configuration
cp "$tmp/r1.conf" "$tmp/r1.good"
printf 'crypto isakmp policy banana\n' >>"$tmp/r1.conf"
bad=$(wc -l <"$tmp/r1.conf")
c reload 2>"$tmp/reload.err" && fail "reload of a broken file succeeded"
grep -q "r1.conf:$bad:" "$tmp/reload.err" \
	|| fail "reload error lacks file:line: $(cat "$tmp/reload.err")"
grep -q "running configuration is kept" "$tmp/reload.err" || fail "reload error wording"
c show crypto isakmp key | diff -u "$tmp/key.want" - || fail "broken reload changed the keys"
kill -HUP "$pid"
sleep 0.3
kill -0 "$pid" || fail "ikerd died on SIGHUP with a broken file"
wait_grep "$tmp/r1.err" "RELOAD: .*r1.conf:$bad:" || fail "SIGHUP error not logged with file:line"
c show crypto isakmp key | diff -u "$tmp/key.want" - || fail "broken SIGHUP changed the keys"
# a good change is taken
sed 's/^crypto keyring keyring2$/&\n  pre-shared-key address 203.0.113.9 key newkey/' \
	"$tmp/r1.good" >"$tmp/r1.conf"
kill -HUP "$pid"
wait_cmd_grep "keyring2    203.0.113.9                    newkey" c show crypto isakmp key \
	|| fail "SIGHUP did not load the new key"

# tunnels follow the reloads: shut down, back up, unchanged
[ "$(grep -c "%LINK-3-UPDOWN: Interface Tunnel1, changed state to up" "$tmp/r1.err")" = 1 ] \
	|| fail "Tunnel1 not brought up once at start"
sed 's/^ tunnel protection ipsec profile profile1$/&\n shutdown/' "$tmp/r1.good" >"$tmp/r1.conf"
c reload >/dev/null || fail "reload with Tunnel1 shut down"
grep -q "%LINK-3-UPDOWN: Interface Tunnel1, changed state to down" "$tmp/r1.err" \
	|| fail "Tunnel1 not brought down by the reload"
cp "$tmp/r1.good" "$tmp/r1.conf"
c reload >/dev/null || fail "reload with Tunnel1 back"
c reload >/dev/null || fail "reload unchanged"
[ "$(grep -c "%LINK-3-UPDOWN: Interface Tunnel1, changed state to up" "$tmp/r1.err")" = 2 ] \
	|| fail "Tunnel1 up lines: $(grep UPDOWN "$tmp/r1.err")"

# a second daemon on the same socket is refused
"$IKERD" -d --kernel none --ctl "$ctl" --pid "$tmp/pid2" -f "$tmp/r1.conf" 2>"$tmp/second.out" \
	&& fail "second ikerd started"
grep -q "already running" "$tmp/second.out" \
	|| fail "second ikerd message: $(cat "$tmp/second.out")"

# ikerctl when no daemon listens
"$IKERCTL" --ctl "$tmp/none.ctl" show run 2>"$tmp/nd.err"
[ $? = 2 ] || fail "ikerctl without daemon: exit status"
want="ikerctl: cannot reach ikerd at $tmp/none.ctl: No such file or directory"
want="$want (is ikerd running? start it with ikerd -f FILE)"
grep -qxF "$want" \
	"$tmp/nd.err" || fail "no-daemon message: $(cat "$tmp/nd.err")"
# ... and for a user who may not use the root-only socket
if command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$IKERCTL" --version >/dev/null 2>&1; then
	chmod 755 "$run"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$IKERCTL" --ctl "$ctl" show run \
		2>"$tmp/perm.err"
	[ $? = 2 ] || fail "ikerctl as nobody: exit status"
	grep -q "Permission denied (the control socket is root-only)" "$tmp/perm.err" \
		|| fail "permission message: $(cat "$tmp/perm.err")"
	chmod 700 "$run"
fi

# bad options
"$IKERCTL" --ctl "$ctl" 2>/dev/null
[ $? = 1 ] || fail "ikerctl without a command: exit status"
"$IKERCTL" --bogus show run 2>/dev/null
[ $? = 1 ] || fail "ikerctl --bogus: exit status"
"$IKERD" --bogus 2>"$tmp/opt.err" && fail "ikerd --bogus accepted"
grep -q "unknown option --bogus" "$tmp/opt.err" || fail "bad option message"
"$IKERD" --workers 0 2>"$tmp/opt.err" && fail "ikerd --workers 0 accepted"
grep -q "is not a number from 1 to 16" "$tmp/opt.err" || fail "--workers message"

# SIGTERM: clean exit, socket and pid file removed
kill -TERM "$pid"
wait_gone "$pid" || fail "ikerd did not exit on SIGTERM"
wait "$pid" || fail "ikerd exit status $? on SIGTERM"
[ ! -e "$ctl" ] || fail "control socket left behind"
[ ! -e "$run/pid" ] || fail "pid file left behind"
echo "PASS: ctl"
