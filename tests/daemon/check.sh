#!/bin/sh
# ikerd -t: the static check (L1) on the seed's R1, --strict, --json, and a
# broken file.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"

seed="$top_srcdir/etc/examples/seed-r1.conf"
[ -f "$seed" ] || fail "missing $seed"

# the seed's P2 finding is an error: exit 2 even without --strict (L1)
"$IKERD" -t -f "$seed" >"$tmp/t.out" 2>&1
[ $? = 2 ] || fail "ikerd -t: exit status is not 2 on the seed: $(cat "$tmp/t.out")"
grep -q "sessions initiated by 192.168.0.2 toward this router fail" "$tmp/t.out" \
	|| fail "the R2-initiated failure is not reported: $(cat "$tmp/t.out")"
grep -q "configuration valid" "$tmp/t.out" || fail "no summary line"

"$IKERD" -t --strict -f "$seed" >/dev/null 2>&1
[ $? = 2 ] || fail "ikerd -t --strict: exit status is not 2"

"$IKERD" -t --json -f "$seed" >"$tmp/t.json"
[ $? = 2 ] || fail "ikerd -t --json exit status"
python3 - "$tmp/t.json" <<'PY' || fail "ikerd -t --json document"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["valid"] is True, d
assert d["finding_count"] >= 1 and len(d["findings"]) == d["finding_count"], d
assert d["errors"] == 1 and d["errors"] + d["warnings"] + d["notes"] == d["finding_count"], d
assert any("192.168.0.2" in f["direction"] for f in d["findings"]), d
PY

# a configuration without findings exits 0 even with --strict
cat >"$tmp/clean.conf" <<'CONF'
crypto keyring only
  pre-shared-key address 198.51.100.2 key k1
crypto isakmp profile p
   keyring only
   match identity address 198.51.100.2 255.255.255.255
CONF
"$IKERD" -t --strict -f "$tmp/clean.conf" >"$tmp/clean.out" 2>&1 \
	|| fail "clean configuration: exit $?: $(cat "$tmp/clean.out")"

# router lines ikerd does not use are reported as warnings, with their place
printf 'service timestamps debug datetime msec\nrouter ospf 1\n' >"$tmp/warn.conf"
cat "$tmp/clean.conf" >>"$tmp/warn.conf"
"$IKERD" -t --strict -f "$tmp/warn.conf" >"$tmp/warn.out" 2>&1 || fail "warnings fail -t --strict"
want="$tmp/warn.conf:2: warning: 'router ospf 1' is not used by ikerd; ignored"
grep -qxF "$want" "$tmp/warn.out" \
	|| fail "warning line: $(cat "$tmp/warn.out")"
grep -q "configuration valid, 2 line(s) ignored, 0 finding(s)" "$tmp/warn.out" || fail "summary"

# what cannot work at run time is an error finding: exit 2 without --strict
runtime() { # NAME RULE TEXT: the configuration on stdin
	cat >"$tmp/$1.conf"
	"$IKERD" -t -f "$tmp/$1.conf" >"$tmp/$1.out" 2>&1
	[ $? = 2 ] || fail "$1: exit status is not 2: $(cat "$tmp/$1.out")"
	grep -q "error: $2: .*$3" "$tmp/$1.out" || fail "$1: no $2 error: $(cat "$tmp/$1.out")"
}
runtime rsasig auth "policy 10 authenticates with RSA signatures, and no trustpoint has a certificate and private key" <<'CONF'
crypto isakmp policy 10
 encr aes
 group 14
CONF
runtime srcif tunnel "tunnel source NoSuchIf9 of Tunnel1 is neither" <<'CONF'
interface Tunnel1
 tunnel source NoSuchIf9
 tunnel destination 198.51.100.2
CONF
runtime v2 V2 "IKEv2 profile P2 of Tunnel1 does not set how both ways authenticate" <<'CONF'
crypto ikev2 profile P2
 match identity remote address 198.51.100.2 255.255.255.255
crypto ipsec profile IP
 set ikev2-profile P2
interface Tunnel1
 tunnel source 192.0.2.1
 tunnel destination 198.51.100.2
 tunnel protection ipsec profile IP
CONF
runtime v2sig V2 "IKEv2 profile P2 of Tunnel1 signs with rsa-sig, and no trustpoint has a certificate" <<'CONF'
crypto ikev2 profile P2
 match identity remote address 198.51.100.2 255.255.255.255
 authentication local rsa-sig
 authentication remote rsa-sig
crypto ipsec profile IP
 set ikev2-profile P2
interface Tunnel1
 tunnel source 192.0.2.1
 tunnel destination 198.51.100.2
 tunnel protection ipsec profile IP
CONF
# NAT (L1): the hub reaches the spoke at its NAT address, holds the key for
# that address and matches the spoke's private address as its identity: no
# K3 warning, no P4 error, a note; exit 0 even with --strict
cat >"$tmp/nat.conf" <<'CONF'
crypto keyring SPOKES
  pre-shared-key address 198.51.100.20 key natkey
crypto isakmp policy 10
 authentication pre-share
crypto isakmp profile SPOKE
   keyring SPOKES
   match identity address 10.1.1.2 255.255.255.255
crypto ipsec transform-set TS esp-aes esp-sha-hmac
crypto ipsec profile IPP
 set transform-set TS
 set isakmp-profile SPOKE
interface Tunnel1
 tunnel source 192.0.2.1
 tunnel destination 198.51.100.20
 tunnel protection ipsec profile IPP
CONF
"$IKERD" -t --strict -f "$tmp/nat.conf" >"$tmp/nat.out" 2>&1 \
	|| fail "NAT hub: exit $?: $(cat "$tmp/nat.out")"
grep -q "note: P4: Tunnel1's peer 198.51.100.20 is not matched by its own address" "$tmp/nat.out" \
	|| fail "NAT hub: no note: $(cat "$tmp/nat.out")"
grep -q "(0 error(s), 0 warning(s), 1 note(s))" "$tmp/nat.out" \
	|| fail "NAT hub: $(cat "$tmp/nat.out")"
# a tunnel source naming an interface of this system is fine
cat >"$tmp/lo.conf" <<'CONF'
interface Tunnel1
 tunnel source lo
 tunnel destination 198.51.100.2
CONF
"$IKERD" -t -f "$tmp/lo.conf" >"$tmp/lo.out" 2>&1 || fail "tunnel source lo: $(cat "$tmp/lo.out")"

# a broken file: exit 1, file:line:col and the marker
sed 's/^ group 2$/ group banana/' "$seed" >"$tmp/broken.conf"
line=$(grep -n "group banana" "$tmp/broken.conf" | cut -d: -f1)
"$IKERD" -t -f "$tmp/broken.conf" >"$tmp/b.out" 2>&1
[ $? = 1 ] || fail "broken file: exit status is not 1"
grep -q "broken.conf:$line:[0-9][0-9]*:" "$tmp/b.out" \
	|| fail "no file:line:col: $(cat "$tmp/b.out")"
grep -q "\^" "$tmp/b.out" || fail "no marker: $(cat "$tmp/b.out")"
"$IKERD" -t --strict -f "$tmp/broken.conf" >/dev/null 2>&1
[ $? = 1 ] || fail "broken file with --strict: exit status is not 1"
"$IKERD" -t --json -f "$tmp/broken.conf" >"$tmp/b.json"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["valid"] is False and d["error"]["line"] == int(sys.argv[2]), d' \
	"$tmp/b.json" "$line" || fail "broken file JSON"
"$IKERD" -t -f "$tmp/does-not-exist.conf" >/dev/null 2>&1
[ $? = 1 ] || fail "missing file: exit status is not 1"
# --peer-config: crypto map access lists checked for mirror images against
# the peer's file (L1); a line of the peer's that this router refuses is
# named in the peer's file; a peer file that does not load fails with 1
cat >"$tmp/m1.conf" <<'CONF'
crypto isakmp key k3y address 192.0.2.2
crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac
ip access-list extended TO-R2
 permit ip 198.51.100.0 0.0.0.255 203.0.113.0 0.0.0.255
crypto map CM 10 ipsec-isakmp
 set peer 192.0.2.2
 set transform-set TS
 match address TO-R2
interface eth0
 ip address 192.0.2.1 255.255.255.0
 crypto map CM
CONF
sed -e 's/192.0.2.2/192.0.2.1/' -e 's/TO-R2/TO-R1/' \
    -e 's/198.51.100.0 0.0.0.255 203.0.113.0/203.0.113.0 0.0.0.255 198.51.100.0/' \
    -e 's/ip address 192.0.2.1/ip address 192.0.2.2/' "$tmp/m1.conf" >"$tmp/m2.conf"
"$IKERD" -t --strict -f "$tmp/m1.conf" --peer-config "$tmp/m2.conf" >"$tmp/m.out" 2>&1 \
	|| fail "mirrored maps: exit $?: $(cat "$tmp/m.out")"
printf ' permit ip 203.0.113.0 0.0.0.255 198.51.101.0 0.0.0.255\n' >"$tmp/extra"
sed "/^ permit/r $tmp/extra" "$tmp/m2.conf" >"$tmp/m3.conf"
"$IKERD" -t -f "$tmp/m1.conf" --peer-config "$tmp/m3.conf" >"$tmp/m.out" 2>&1
[ $? = 2 ] || fail "--peer-config: exit status is not 2: $(cat "$tmp/m.out")"
grep -qF "$tmp/m3.conf:6: error: L1: the peer's crypto map CM 10 ($tmp/m3.conf): access list TO-R1 line 20 has no mirror image in crypto map CM here" "$tmp/m.out" \
	|| fail "--peer-config finding: $(cat "$tmp/m.out")"
"$IKERD" -t --json -f "$tmp/m1.conf" --peer-config "$tmp/m3.conf" >"$tmp/m.json"
python3 - "$tmp/m.json" "$tmp/m3.conf" <<'PY' || fail "--peer-config JSON"
import json, sys
d = json.load(open(sys.argv[1]))
f = [f for f in d["findings"] if "mirror image" in f["message"]]
assert len(f) == 1 and f[0]["severity"] == "error", d
assert {l["file"] for l in f[0]["lines"]} == {sys.argv[2]}, f
PY
"$IKERD" -t -f "$tmp/m1.conf" --peer-config "$tmp/broken.conf" >"$tmp/m.out" 2>&1
[ $? = 1 ] || fail "broken peer file: exit status is not 1"
grep -q "broken.conf:$line:[0-9][0-9]*:" "$tmp/m.out" || fail "broken peer file: $(cat "$tmp/m.out")"
"$IKERD" -f "$tmp/m1.conf" --peer-config "$tmp/m2.conf" >"$tmp/m.out" 2>&1
[ $? = 1 ] && grep -q "go with -t" "$tmp/m.out" || fail "--peer-config without -t"
echo "PASS: check"
