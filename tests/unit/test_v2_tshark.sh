#!/bin/sh
# Decodes IKEv2 messages built and sealed by ikerd's codec (tests/unit/test_v2_pcap)
# with tshark; fails on a malformed packet or an expert warning.
: "${top_srcdir:=.}" "${top_builddir:=.}"
if ! command -v tshark >/dev/null 2>&1; then
	echo "SKIP: tshark is not installed (apt-get install tshark)"
	exit 77
fi
out="$top_builddir/tests/unit/v2.pcap"
"$top_builddir/tests/unit/test_v2_pcap" "$out" || exit 1
n=$(tshark -r "$out" -Y 'isakmp.version == 0x20' 2>/dev/null | wc -l)
echo "tshark decoded $n IKEv2 datagrams"
if [ "$n" -lt 9 ]; then
	echo "FAIL: expected at least 9 IKEv2 datagrams"
	exit 1
fi
# with the keys test_v2_pcap wrote, tshark decrypts every SK/SKF payload and
# checks its ICV: the inner payloads (IDi, IDr, AUTH, TSi, TSr, D, ...) decode
keys="uat:ikev2_decryption_table:$(cat "$out.keys")"
for t in 33 34 35 36 39 40 41 42 43 44 45 46 53; do
	if [ "$(tshark -r "$out" -o "$keys" -Y "isakmp.nextpayload == $t" 2>/dev/null |
		wc -l)" -lt 1 ]; then
		echo "FAIL: no payload of type $t decoded"
		exit 1
	fi
done
tshark -r "$out" -o "$keys" -V >"$out.txt" 2>&1
icv_ok=$(grep -c "Integrity Checksum Data: .*\[correct\]" "$out.txt")
echo "tshark found $icv_ok correct ICVs"
if grep -n -i "incorrect\|malformed" "$out.txt"; then
	echo "FAIL: tshark reports malformed packets or a wrong ICV (see $out.txt)"
	exit 1
fi
if [ "$icv_ok" -lt 7 ]; then
	echo "FAIL: expected 7 correct ICVs (SK and SKF payloads)"
	exit 1
fi
tshark -r "$out" -o "$keys" -q -z expert,warn >"$out.expert" 2>&1
if grep -E -i "warn|error" "$out.expert" | grep -v "Running as user"; then
	echo "FAIL: tshark expert warnings (see $out.expert)"
	exit 1
fi
echo "PASS: no malformed packet, no expert warning"
