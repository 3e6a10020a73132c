#!/bin/sh
# PID 1 of the lab's user-mode Linux guest (started by tests/lab/uml-run.sh).
#
# The root file system is the host's, through hostfs. This script gives the
# guest its own /proc, /sys, /run (AF_UNIX sockets and /run/netns live there,
# never on hostfs) and /dev; the guest's scratch space is /run/lab-tmp
# ($TMPDIR), so /tmp stays the host's and a checkout under /tmp works. The
# user-mode kernel's modules are bound under /run/lab-modules and loaded with
# modprobe -d, so the host needs no /lib/modules (a container or chroot without
# a kernel package has none). It loads the modules the lab needs, runs the
# scenario named in $iklab/lab.env under a time limit, writes its exit status
# to $iklab/status on the host file system, and halts. Every early stop says
# why on the console and, once the output folder is known, in its log. It
# never returns: PID 1 must not exit.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C LC_ALL=C
# user-mode Linux keeps 832 bytes of FPU state per guest thread (x87, SSE,
# AVX): on an AVX-512 host a signal or a switch between threads would lose
# the AVX-512 registers (uml-xstate.c). The guest's programs do not use them:
# glibc's string functions and OpenSSL pick their AVX2 variants.
export GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX512F,-AVX512VL,-AVX512BW,-AVX512DQ,-AVX512CD
export OPENSSL_ia32cap='~0x0:~0xdc230000'

halt_now() {
	sync
	halt -f
	# halt -f does not come back; should it, end PID 1 (the guest panics and
	# the host side sees no status file).
	exit 1
}

# Reasons for an early stop, kept until the log is written (never overwritten).
notes=""
note() {
	echo "uml-init: $*"
	notes="$notes
uml-init: $*"
}

if [ -z "${iklab:-}" ] || [ ! -f "$iklab/lab.env" ]; then
	echo "uml-init: no iklab=DIR with a lab.env on the kernel command line"
	halt_now
fi
. "$iklab/lab.env"
export LAB_SCENARIO LAB_NAME LAB_OUT LAB_BUILD LAB_SRC LAB_GUEST_TIMEOUT

mount -t proc proc /proc || note "cannot mount /proc"
mount -t sysfs sysfs /sys || note "cannot mount /sys"
mount -t tmpfs -o mode=0755 tmpfs /run || note "cannot mount a tmpfs on /run"
mkdir -p /run/netns /run/lock
mkdir -p -m 1777 /run/lab-tmp
export TMPDIR=/run/lab-tmp
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/shm /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t devpts devpts /dev/pts 2>/dev/null

# The modules: bound into /run/lab-modules/lib/modules/<version>, loaded by
# modprobe -d; the kernel's own requests go through a wrapper that does the
# same (kernel.modprobe).
kver=$(uname -r)
modroot=/run/lab-modules
modules_ok=1
if [ ! -d "/usr/lib/uml/modules/$kver" ]; then
	note "/usr/lib/uml/modules/$kver missing (apt-get install user-mode-linux)"
	modules_ok=0
elif ! mkdir -p "$modroot/lib/modules/$kver" ||
	! mount --bind "/usr/lib/uml/modules/$kver" "$modroot/lib/modules/$kver"; then
	note "cannot bind /usr/lib/uml/modules/$kver on $modroot/lib/modules/$kver"
	modules_ok=0
else
	printf '#!/bin/sh\nexec modprobe -d %s "$@"\n' "$modroot" >"$modroot/modprobe"
	chmod 0755 "$modroot/modprobe"
	if [ -w /proc/sys/kernel/modprobe ]; then
		echo "$modroot/modprobe" >/proc/sys/kernel/modprobe
	fi
fi

# Protocols and devices, then the crypto the XFRM algorithms are built from
# (cbc/des/aes, rfc4106(gcm(aes)), hmac with md5/sha1/sha2, authenc[esn]).
# The kernel loads others on demand through the wrapper above.
missing=""
for m in xfrm_user xfrm_algo esp4 ah4 xfrm4_tunnel ip_gre ip_vti vrf veth dummy \
	ipv6 esp6 xfrm6_tunnel tunnel6 ip6_tunnel ip6_gre ip6_vti \
	sch_netem authenc authencesn cbc ecb ctr gcm ghash-generic seqiv echainiv \
	des_generic aes_ti hmac sha512_generic; do
	[ $modules_ok = 1 ] || break
	modprobe -q -d "$modroot" "$m" 2>/dev/null || missing="$missing $m"
done

hostname lab 2>/dev/null
ip link set lo up
sysctl -qw kernel.panic=1 2>/dev/null

if ! cd "$LAB_OUT"; then
	echo "uml-init: cannot enter the output folder $LAB_OUT"
	halt_now
fi
{
	echo "uml-init: kernel $kver, scenario $LAB_SCENARIO $*"
	[ -z "$notes" ] || printf '%s\n' "${notes#?}"
	[ -z "$missing" ] || echo "uml-init: modules not loaded:$missing"
	[ $modules_ok = 1 ] || echo "uml-init: scenario not run: the modules are not there"
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
