#!/bin/sh
# The decryption tables of show crypto isakmp sa keys, used by tshark on a
# capture of three back-to-back IKEv1 runs (3DES/MD5, AES-256/SHA-256 with
# PFS, ESP with AES-GCM-256) and one ESP packet per run (tests/unit/test_keylog):
# without the
# tables Main Mode's ID and HASH payloads stay encrypted; with them tshark
# shows every ID and HASH of Main Mode and Quick Mode, and decrypts the ESP
# packets with a correct ICV.
: "${top_srcdir:=.}" "${top_builddir:=.}"
if ! command -v tshark >/dev/null 2>&1; then
	echo "SKIP: tshark is not installed (apt-get install tshark)"
	exit 77
fi
dir=$(mktemp -d /tmp/ikerd-keylog.XXXXXX)
trap 'rm -rf "$dir"' EXIT
pcap="$dir/keylog.pcap"
conf="$dir/wireshark"
mkdir -p "$conf" "$dir/empty"
(cd "$top_srcdir" && "$top_builddir/tests/unit/test_keylog" "$pcap" "$conf") >"$dir/tables" ||
	exit 1
cat "$dir/tables"
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
decode() { # decode CONFIG_DIR: tshark -V of the capture with that personal configuration
	WIRESHARK_CONFIG_DIR=$1 tshark -r "$pcap" -o esp.enable_encryption_decode:TRUE \
		-o esp.enable_authentication_check:TRUE -V 2>"$dir/tshark.err"
	if grep -v -e 'Running as user' -e 'could be dangerous' "$dir/tshark.err" | grep .; then
		fail "tshark complained about the tables"
	fi
}
decode "$dir/empty" >"$dir/plain.txt"
decode "$conf" >"$dir/decrypted.txt"
n_id0=$(grep -c 'Payload: Identification (5)' "$dir/plain.txt")
n_hash0=$(grep -c 'Payload: Hash (8)' "$dir/plain.txt")
n_id=$(grep -c 'Payload: Identification (5)' "$dir/decrypted.txt")
n_hash=$(grep -c 'Payload: Hash (8)' "$dir/decrypted.txt")
n_icv=$(grep -c 'ESP ICV: .*> \[correct\]' "$dir/decrypted.txt")
n_ping=$(grep -c 'Type: 8 (Echo (ping) request)' "$dir/decrypted.txt")
echo "without the tables: $n_id0 ID and $n_hash0 HASH payloads readable"
echo "with the tables: $n_id ID, $n_hash HASH payloads, $n_icv ESP ICVs correct, $n_ping pings"
[ "$n_id0" -eq 0 ] && [ "$n_hash0" -eq 0 ] || fail "the capture is readable without keys"
# per run: ID in MM5, MM6, QM1 (2), QM2 (2); HASH in MM5, MM6, QM1, QM2, QM3
[ "$n_id" -eq 18 ] || fail "$n_id Identification payloads decrypted, want 18"
[ "$n_hash" -eq 15 ] || fail "$n_hash Hash payloads decrypted, want 15"
[ "$n_icv" -eq 3 ] || fail "$n_icv ESP ICVs correct, want 3 (HMAC-SHA-256 twice, GCM once)"
grep -q 'ESP ICV: .*<AES-GCM \[RFC4106\]> \[correct\]' "$dir/decrypted.txt" \
	|| fail "the AES-GCM packet's ICV is not correct"
[ "$n_ping" -eq 3 ] || fail "$n_ping ESP payloads decrypted to the ping, want 3"
echo "PASS: tshark decrypts IKEv1 and ESP with the exported tables"
