#!/bin/sh
# Decodes every datagram of back-to-back IKEv1 and IKEv2 runs (tests/unit/test_exchange_pcap)
# with tshark; fails on a malformed packet or an expert warning.
: "${top_srcdir:=.}" "${top_builddir:=.}"
if ! command -v tshark >/dev/null 2>&1; then
	echo "SKIP: tshark is not installed (apt-get install tshark)"
	exit 77
fi
out="$top_builddir/tests/unit/exchange.pcap"
"$top_builddir/tests/unit/test_exchange_pcap" "$out" || exit 1
n=$(tshark -r "$out" -Y isakmp 2>/dev/null | wc -l)
echo "tshark decoded $n ISAKMP datagrams"
n2=$(tshark -r "$out" -Y 'isakmp.version == 0x20' 2>/dev/null | wc -l)
echo "of which $n2 IKEv2"
if [ "$n2" -lt 10 ]; then
	echo "FAIL: expected at least 10 IKEv2 datagrams"
	exit 1
fi
# run 5: rekeys (CREATE_CHILD_SA), liveness checks and DELETE (INFORMATIONAL),
# RFC 7383 fragments (SKF, payload 53)
n3=$(tshark -r "$out" -Y 'isakmp.version == 0x20' 2>/dev/null | grep -c CREATE_CHILD_SA)
n4=$(tshark -r "$out" -Y 'isakmp.version == 0x20' 2>/dev/null | grep -c INFORMATIONAL)
n5=$(tshark -r "$out" -Y 'isakmp.nextpayload == 53' 2>/dev/null | wc -l)
echo "of which $n3 CREATE_CHILD_SA, $n4 INFORMATIONAL, $n5 with SKF fragments"
if [ "$n3" -lt 4 ] || [ "$n4" -lt 4 ] || [ "$n5" -lt 2 ]; then
	echo "FAIL: expected IKEv2 rekeys, informational exchanges and fragments"
	exit 1
fi
if [ "$n" -lt 25 ]; then
	echo "FAIL: expected at least 25 ISAKMP datagrams"
	exit 1
fi
tshark -r "$out" -V >"$out.txt" 2>&1
if grep -n -i "malformed" "$out.txt"; then
	echo "FAIL: tshark reports malformed packets (see $out.txt)"
	exit 1
fi
tshark -r "$out" -q -z expert,warn >"$out.expert" 2>&1
if grep -E -i "warn|error" "$out.expert" | grep -v "Running as user"; then
	echo "FAIL: tshark expert warnings (see $out.expert)"
	exit 1
fi
echo "PASS: no malformed packet, no expert warning"
