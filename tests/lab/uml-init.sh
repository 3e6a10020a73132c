#!/bin/sh
# PID 1 of the lab's user-mode Linux guest (started by tests/lab/uml-run.sh).
#
# The root file system is the host's, through hostfs. This script gives the
# guest its own /proc, /sys, /run (AF_UNIX sockets and /run/netns live there,
# never on hostfs), /tmp and /lib/modules (the user-mode kernel's modules),
# loads the modules the lab needs, runs the scenario named in $iklab/lab.env
# under a time limit, writes its exit status to $iklab/status on the host file
# system, and halts. It never returns: PID 1 must not exit.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C LC_ALL=C

halt_now() {
	sync
	halt -f
	# halt -f does not come back; should it, end PID 1 (the guest panics and
	# the host side sees no status file).
	exit 1
}

if [ -z "${iklab:-}" ] || [ ! -f "$iklab/lab.env" ]; then
	echo "uml-init: no iklab=DIR with a lab.env on the kernel command line"
	halt_now
fi
. "$iklab/lab.env"
export LAB_SCENARIO LAB_NAME LAB_OUT LAB_BUILD LAB_SRC LAB_GUEST_TIMEOUT

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/netns /run/lock
mount -t tmpfs -o mode=1777 tmpfs /tmp
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/shm /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t devpts devpts /dev/pts 2>/dev/null

kver=$(uname -r)
modules_ok=1
if [ -d "/usr/lib/uml/modules/$kver" ] && [ -d /lib/modules ]; then
	mount -t tmpfs -o mode=0755 tmpfs /lib/modules
	mkdir -p "/lib/modules/$kver"
	mount --bind "/usr/lib/uml/modules/$kver" "/lib/modules/$kver"
else
	echo "uml-init: /usr/lib/uml/modules/$kver missing" >"$LAB_OUT/log"
	modules_ok=0
fi

# Protocols and devices, then the crypto the XFRM algorithms are built from
# (cbc/des/aes, rfc4106(gcm(aes)), hmac with md5/sha1/sha2, authenc[esn]).
# The kernel loads others on demand through /sbin/modprobe.
missing=""
for m in xfrm_user xfrm_algo esp4 ah4 xfrm4_tunnel ip_gre ip_vti vrf veth dummy \
	sch_netem authenc authencesn cbc ecb ctr gcm ghash-generic seqiv echainiv \
	des_generic aes_ti hmac sha512_generic; do
	[ $modules_ok = 1 ] || break
	modprobe -q "$m" 2>/dev/null || missing="$missing $m"
done

hostname lab 2>/dev/null
ip link set lo up
sysctl -qw kernel.panic=1 2>/dev/null

cd "$LAB_OUT" || halt_now
{
	echo "uml-init: kernel $kver, scenario $LAB_SCENARIO $*"
	[ -z "$missing" ] || echo "uml-init: modules not loaded:$missing"
} >"$LAB_OUT/log"
rc=1
if [ $modules_ok = 1 ]; then
	timeout -k 5 "$LAB_GUEST_TIMEOUT" /bin/bash "$LAB_SCENARIO" "$@" \
		>>"$LAB_OUT/log" 2>&1 </dev/null
	rc=$?
	[ $rc != 124 ] ||
		echo "uml-init: scenario killed after $LAB_GUEST_TIMEOUT s" >>"$LAB_OUT/log"
fi
echo "$rc" >"$LAB_OUT/status"
halt_now
