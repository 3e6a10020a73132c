#!/bin/sh
# The Wireshark decryption tables from two ikerd (the seed's R1 and R2 in two
# network namespaces, `none` kernel backend): R2 runs with --keylog, R1
# initiates. show crypto isakmp sa keys prints on both ends the same IKEv1 row
# and the ESP rows of the SPIs that show crypto ipsec sa lists; R2's --keylog
# directory holds the same rows in root-only files, with Wireshark
# preferences that switch ESP decryption on. (tests/unit/test_keylog_tshark.sh
# decrypts a capture with these rows.)
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"
need_netns

a=ikk$$a
b=ikk$$b
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
r2() { "$IKERCTL" --ctl "$tmp/r2/ctl" "$@"; }
kl="$tmp/keylog"
start_daemon r2 "$b" --passive --keylog "$kl"
start_daemon r1 "$a"
grep -q '%IKERD-4-KEYLOG: writing the decryption keys of every new SA to' "$tmp/r2.err" \
	|| fail "no warning that keys are written"
wait_cmd_grep "spi: 0x" r2 show crypto ipsec sa || fail "no IPsec SA: $(r2 show crypto ipsec sa)"
wait_cmd_grep "spi: 0x" r1 show crypto ipsec sa || fail "no IPsec SA: $(r1 show crypto ipsec sa)"

r2 show crypto isakmp sa keys >"$tmp/keys2" || fail "show crypto isakmp sa keys failed"
r1 sh cry isa sa keys >"$tmp/keys1" || fail "abbreviated show ... keys failed"
grep -E '^[0-9a-f]{16},[0-9a-f]{48}$' "$tmp/keys2" >"$tmp/ike2" \
	|| fail "no IKEv1 row: $(cat "$tmp/keys2")"
grep -E '^[0-9a-f]{16},[0-9a-f]{48}$' "$tmp/keys1" >"$tmp/ike1" || fail "no IKEv1 row on R1"
[ "$(wc -l <"$tmp/ike2")" = 1 ] || fail "R2 prints $(wc -l <"$tmp/ike2") IKEv1 rows, want 1"
cmp -s "$tmp/ike1" "$tmp/ike2" || fail "the two ends print different IKEv1 rows"
addr='"198\.51\.100\.[12]"'
esp_re="^\"IPv4\",$addr,$addr,\"0x[0-9a-f]{8}\",\"AES-CBC \\[RFC3602\\]\",\"0x[0-9a-f]{32}\","
esp_re="$esp_re\"HMAC-SHA-256-128 \\[RFC4868\\]\",\"0x[0-9a-f]{64}\"\$"
grep -E "$esp_re" "$tmp/keys2" | sort >"$tmp/esp2"
[ "$(wc -l <"$tmp/esp2")" = 2 ] || fail "ESP rows: $(cat "$tmp/keys2")"
grep -E "$esp_re" "$tmp/keys1" | sort >"$tmp/esp1"
cmp -s "$tmp/esp1" "$tmp/esp2" || fail "the two ends print different ESP rows"
# the SPIs are the ones show crypto ipsec sa lists
for spi in $(r2 show crypto ipsec sa | sed -n 's/.*spi: \(0x[0-9A-Fa-f]*\).*/\1/p' | sort -u); do
	low=$(printf '0x%08x' "$spi")
	grep -q "\"$low\"" "$tmp/esp2" || fail "SPI $spi of show crypto ipsec sa has no ESP row"
done
# JSON: the same rows as objects
r2 --json show crypto isakmp sa keys >"$tmp/keys.json" || fail "--json failed"
python3 - "$tmp/keys.json" "$tmp/ike2" <<'PY' || fail "JSON keys: $(cat "$tmp/keys.json")"
import json, sys
d = json.load(open(sys.argv[1]))
cookie, key = open(sys.argv[2]).read().strip().split(",")
assert d["ikev1_decryption_table"] == [{"initiator_cookie": cookie, "encryption_key": key}]
assert len(d["esp_sa"]) == 2 and all(e["protocol"] == "IPv4" for e in d["esp_sa"])
PY

# the --keylog files: the same rows, root-only, and the ESP preferences
[ "$(stat -c %a "$kl")" = 700 ] || fail "keylog directory mode $(stat -c %a "$kl")"
for f in ikev1_decryption_table esp_sa preferences; do
	[ "$(stat -c %a "$kl/$f")" = 600 ] || fail "$f mode $(stat -c %a "$kl/$f")"
done
cmp -s "$kl/ikev1_decryption_table" "$tmp/ike2" \
	|| fail "keylog IKEv1 table: $(cat "$kl/ikev1_decryption_table")"
sort "$kl/esp_sa" | cmp -s - "$tmp/esp2" || fail "keylog ESP table: $(cat "$kl/esp_sa")"
grep -qx 'esp.enable_encryption_decode: TRUE' "$kl/preferences" || fail "preferences"
echo "PASS: show crypto isakmp sa keys and --keylog agree on both ends"
