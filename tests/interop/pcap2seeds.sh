#!/bin/sh
# pcap2seeds.sh PCAP DIR PREFIX: writes the IKE payload of every ISAKMP
# datagram in PCAP as DIR/PREFIX-NN.bin (the UDP payload on port 500; on port
# 4500 without the 4-byte non-ESP marker), for the v1 parser's fuzz corpus.
# Existing files are never overwritten.
set -eu
pcap=$1 dir=$2 prefix=$3
mkdir -p "$dir"
tshark -r "$pcap" -Y 'isakmp' -T fields -e udp.dstport -e udp.payload 2>/dev/null |
while read -r port hex; do
	[ -n "$hex" ] || continue
	[ "$port" = 4500 ] && hex=${hex#00000000}
	n=$(ls "$dir" | grep -c "^$prefix-" || true)
	f=$dir/$prefix-$(printf '%02d' $((n + 1))).bin
	[ -e "$f" ] && { echo "pcap2seeds: $f exists" >&2; exit 1; }
	printf '%s' "$hex" | xxd -r -p >"$f"
	echo "$f: $(wc -c <"$f") bytes"
done
