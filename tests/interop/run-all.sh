#!/bin/bash
# Runs every interoperability scenario in user-mode Linux and prints
# "N passed, M failed" as its last line. Needs root, user-mode-linux,
# strongSwan (charon, swanctl), tcpdump and tshark; builds the lab build of
# ikerd first (tests/lab/build-lab.sh; ASan cannot run in user-mode Linux).
# libreswan is fetched with apt-get download and unpacked under the lab
# build when missing (its package conflicts with strongSwan's).
# Usage: run-all.sh [REGEX]   (only the cases whose ID matches REGEX)
# Environment: LAB_BUILD (default <top>/build-lab), IOP_BOOTS_PARALLEL
# (user-mode Linux guests run at once, default 2), IOP_SKIP_BUILD=1.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
export LAB_BUILD="${LAB_BUILD:-$top/build-lab}"
FILTER=${1:-.}
ROOT=$LAB_BUILD/tests/interop/out
PAR=${IOP_BOOTS_PARALLEL:-2}
IOP_HOST=1 IOP_NAME=interop IOP_CACHE=$LAB_BUILD/tests/interop/cache
. "$here/lib.sh"

# The cases: "BOOT ID SCRIPT ARGS...". Cases of one boot run in order in one
# user-mode Linux; a "&" before ID runs the case in the background (waiting
# cases), "BOOT wait" waits for them. Boots run IOP_BOOTS_PARALLEL at a time.
cases() {
	local p pfs by m
	# boot a: the baselines (strongSwan and libreswan without ikerd), then
	# every proposal with and without PFS over GRE, both directions, and
	# libreswan over GRE, both directions.
	echo "a swan-swan swan-swan.sh"
	echo "a lsw-swan lsw-swan.sh"
	for p in 3des-md5-2 aes256-sha256-14 aes128-sha1-19; do
		for pfs in no yes; do
			for by in ikerd peer; do
				echo "a v1-$p-pfs$pfs-gre-by$by v1-tunnel.sh $p $pfs gre swan $by"
			done
		done
	done
	for by in ikerd peer; do
		echo "a lsw-aes256-sha256-14-gre-by$by v1-tunnel.sh aes256-sha256-14 no gre lsw $by"
	done
	# boot b: the waiting cases in the background, then VTI (every proposal
	# with and without PFS, each direction once per proposal), the
	# lifecycle, two-PSK and mismatch cases.
	echo "b & rekey-by-ikerd v1-lifecycle.sh rekey-ikerd"
	echo "b & rekey-by-peer v1-lifecycle.sh rekey-peer"
	echo "b & dpd v1-lifecycle.sh dpd"
	for p in 3des-md5-2 aes256-sha256-14 aes128-sha1-19; do
		echo "b v1-$p-pfsno-vti-byikerd v1-tunnel.sh $p no vti swan ikerd"
		echo "b v1-$p-pfsyes-vti-bypeer v1-tunnel.sh $p yes vti swan peer"
	done
	for m in delete-by-peer delete-by-ikerd initial-contact initiate-again; do
		echo "b $m v1-lifecycle.sh $m"
	done
	for m in peer-key1 peer-key2 ikerd-swan-first ikerd-swan-second; do
		echo "b twopsk-$m v1-twopsk.sh $m"
	done
	for m in noprop wrongkey; do
		for by in ikerd peer; do
			echo "b mismatch-$m-by$by v1-mismatch.sh $m $by"
		done
	done
	for by in ikerd peer; do
		echo "b aggressive-by$by v1-aggressive.sh $by"
	done
	echo "b wait"
	# boot c: IKEv2 against strongSwan, every suite over GRE and VTI, both
	# directions, and PFS. Cases whose feature ikerd --features lacks are SKIP.
	for p in aes256-sha256-modp2048 aes256gcm16-prfsha256-x25519 \
		chacha20poly1305-prfsha256-ecp256; do
		for m in gre vti; do
			for by in ikerd peer; do
				echo "c v2-$p-$m-by$by v2-tunnel.sh $p no $m swan $by"
			done
		done
	done
	echo "c v2-aes256-sha256-modp2048-pfsyes-gre-byikerd v2-tunnel.sh aes256-sha256-modp2048 yes gre swan ikerd"
	# boot d: the IKEv2 lifecycle (the waiting cases in the background), the
	# baselines without ikerd, libreswan, mismatches, fragmentation.
	for m in rekey-child-ikerd rekey-child-peer rekey-ike-ikerd rekey-ike-peer dpd; do
		echo "d & v2-$m v2-lifecycle.sh $m"
	done
	for m in delete-by-peer delete-by-ikerd delete-child-by-peer; do
		echo "d v2-$m v2-lifecycle.sh $m"
	done
	for p in aes256-sha256-modp2048 aes256gcm16-prfsha256-x25519 \
		chacha20poly1305-prfsha256-ecp256; do
		echo "d swan-swan-v2-$p swan-swan-v2.sh $p"
	done
	echo "d swan-swan-v2-frag swan-swan-v2.sh aes256-sha256-modp2048 frag"
	echo "d lsw-swan-v2 lsw-swan.sh v2"
	for m in gre vti; do
		for by in ikerd peer; do
			echo "d lsw-v2-$m-by$by v2-tunnel.sh aes256-sha256-modp2048 no $m lsw $by"
		done
	done
	for m in noprop wrongkey; do
		for by in ikerd peer; do
			echo "d v2-mismatch-$m-by$by v2-mismatch.sh $m $by"
		done
	done
	for by in ikerd peer; do
		echo "d v2-frag-by$by v2-frag.sh $by"
	done
	echo "d wait"
	# boot e: crypto maps (policy-based, two subnet pairs), both directions,
	# IKEv1 and IKEv2
	for by in ikerd peer; do
		echo "e v1-cmap-by$by cmap.sh 1 $by"
		echo "e v2-cmap-by$by cmap.sh 2 $by"
	done
	# boot j: crypto maps over IPv6 peers (an ipv6 access-list of two
	# prefix pairs), both directions, IKEv1 and IKEv2
	for by in ikerd peer; do
		echo "j v1-cmap6-by$by cmap.sh 1 $by 6"
		echo "j v2-cmap6-by$by cmap.sh 2 $by 6"
	done
	# boot f: certificates (RSA and ECDSA, either initiator) and the
	# authorization list refusing a valid certificate's key.
	for c in rsa ecdsa; do
		for by in ikerd peer; do
			echo "f cert-$c-by$by v1-cert.sh $c $by"
		done
	done
	echo "f cert-authlist-bypeer v1-cert.sh authlist peer"
	for by in ikerd peer; do
		echo "f cert-raw-by$by v1-cert.sh raw $by"
	done
	# IKEv2 with certificates (RSA and ECDSA, either initiator), the
	# authorization list refusing strongSwan's valid certificate
	for c in rsa ecdsa; do
		for by in ikerd peer; do
			echo "f v2-cert-$c-by$by v2-cert.sh $c $by"
		done
	done
	echo "f v2-cert-authlist-bypeer v2-cert.sh authlist peer"
	# raw keys without a CA: strongSwan's self-signed certificate pinned by
	# ikerd's list, ikerd's bare key trusted by strongSwan's pubkeys
	for by in ikerd peer; do
		echo "f v2-cert-raw-by$by v2-cert.sh raw $by"
	done
	echo "f v2-cert-rawbad-bypeer v2-cert.sh rawbad peer"
	echo "f v2-cert-digsig-byikerd v2-cert.sh digsig ikerd"
	echo "f v2-cert-digsig-bypeer v2-cert.sh digsig peer"
	# boot g: IKE over IPv6 with strongSwan (GRE over IPv6 carrying IPv4, VTI
	# over IPv6 carrying IPv6), IKEv1 and IKEv2, either initiator
	for v in 1 2; do
		for by in ikerd peer; do
			echo "g v6-ikev$v-gre-swan-by$by v6-tunnel.sh $v $by"
			echo "g v6-ikev$v-vti-swan-by$by v6-tunnel.sh $v $by swan vti"
		done
	done
	# boot h: IKE over IPv6 with libreswan (pluto), IKEv1 and IKEv2, either
	# initiator
	for v in 1 2; do
		for by in ikerd peer; do
			echo "h lsw-v6-ikev$v-gre-by$by v6-tunnel.sh $v $by lsw"
			echo "h lsw-v6-ikev$v-vti-by$by v6-tunnel.sh $v $by lsw vti"
		done
	done
	# boot i: NAT-T over IPv6 through a NAT66 (masquerade, ports changed),
	# ikerd or strongSwan or libreswan behind it, and two ikerd, IKEv1 and
	# IKEv2
	for v in 1 2; do
		for b in ikerd peer; do
			echo "i v6-natt-ikev$v-behind$b v6-natt.sh $v $b"
		done
		echo "i v6-natt-ikev$v-ikerd-ikerd v6-natt.sh $v ikerd ikerd"
		for b in ikerd peer; do
			echo "i lsw-v6-natt-ikev$v-behind$b v6-natt.sh $v $b lsw"
		done
	done
}

if [ "$(id -u)" != 0 ]; then echo "interop: needs root"; echo "0 passed, 1 failed"; exit 1; fi
if [ "${IOP_SKIP_BUILD:-0}" != 1 ] && ! "$top/tests/lab/build-lab.sh"; then
	echo "0 passed, 1 failed"; exit 1
fi
for t in linux.uml tshark tcpdump "$CHARON" "$SWANCTL" "$LAB_BUILD/ikerd" "$LAB_BUILD/ikerctl"; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "interop: $t is missing"; echo "0 passed, 1 failed"; exit 1
	fi
done
mkdir -p "$ROOT"
T0=$(date +%s)
cases | awk -v f="$FILTER" '$2 == "wait" || $2 == "&" && $3 ~ f || $2 ~ f' >"$ROOT/cases"
LSW_OK=1
if grep -q 'lsw' "$ROOT/cases" && ! lsw_fetch; then
	iop_log "libreswan could not be unpacked; its cases fail"
	LSW_OK=0
fi
boots=$(awk '{ print $1 }' "$ROOT/cases" | sort -u)
running=0
for b in $boots; do
	awk -v b="$b" '$1 == b { $1 = ""; sub(/^ /, ""); print }' "$ROOT/cases" >"$ROOT/$b.cases"
	grep -qv '^wait$' "$ROOT/$b.cases" || continue
	n=$(grep -cv '^wait$' "$ROOT/$b.cases")
	iop_log "boot $b: $n cases"
	( LAB_OUT=$ROOT/boot-$b LAB_TIMEOUT=$((120 + 60 * n)) \
		"$top/tests/lab/uml-run.sh" "$here/guest.sh" "$ROOT/$b.cases" "$ROOT" \
		>"$ROOT/boot-$b.out" 2>&1
	  iop_log "boot $b: $(tail -1 "$ROOT/boot-$b.out")" ) &
	running=$((running + 1))
	if [ "$running" -ge "$PAR" ]; then wait -n; running=$((running - 1)); fi
done
wait

# Verdicts: a case passes when its scenario passed and every capture it left
# decodes in tshark with no malformed packet and no expert warning.
# A case that exits 77 with a reason in its skip file (lab_skip: this build
# lacks a feature it needs) is listed as SKIP, counted apart.
pass=0 fail=0 skip=0
while read -r _ first rest; do
	[ "$first" = wait ] && continue
	[ "$first" = "&" ] && set -- $rest || set -- "$first" $rest
	id=$1 d=$ROOT/$1 why=""
	if [ "$(cat "$d/status" 2>/dev/null)" = 77 ] && [ -s "$d/skip" ]; then
		skip=$((skip + 1)); echo "SKIP $id: $(head -n 1 "$d/skip")"
		continue
	fi
	if [ ! -f "$d/status" ]; then
		why="did not run (see $ROOT/boot-*/log)"
	elif [ "$(cat "$d/status")" != 0 ]; then
		why="status $(cat "$d/status"): $(grep -c 'FAIL:' "$d/log") checks failed"
		[ "$(cat "$d/status")" = 124 ] && why="timed out"
	fi
	for pc in "$d"/*.pcap; do
		[ -f "$pc" ] || continue
		cap_check "$pc" >/dev/null 2>&1 || why="${why:+$why; }capture $(basename "$pc") has tshark findings"
	done
	case $id in lsw-*) [ $LSW_OK = 1 ] || why="libreswan unavailable; $why" ;; esac
	if [ -z "$why" ]; then
		pass=$((pass + 1)); echo "PASS $id ($(cat "$d/elapsed") s)"
	else
		fail=$((fail + 1)); echo "FAIL $id: $why"
		grep 'FAIL:' "$d/log" 2>/dev/null | sed 's/^/    /'
	fi
done <"$ROOT/cases"
iop_log "total $(($(date +%s) - T0)) s; details under $ROOT"
[ "$skip" -eq 0 ] || echo "$skip skipped (features this build lacks)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
