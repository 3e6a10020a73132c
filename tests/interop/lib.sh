# tests/interop/lib.sh: helpers for the interoperability scenarios (sourced).
#
# Scenarios run inside the lab's user-mode Linux guest (tests/lab/uml-run.sh,
# through tests/interop/guest.sh) and build on tests/lab/lib.sh: its
# namespaces, process tracking (every process is stopped by PID at exit, also
# on failure), ikerd start and ikerctl. This file adds the peers: strongSwan's
# charon (run directly, one private /run per instance) and libreswan's pluto
# (unpacked from its Debian package, which conflicts with strongSwan's), their
# configurations, the IOS configuration of the ikerd side, and captures.
#
# Unlike tests/lab/lib.sh's assertions, iop_check counts: a scenario runs all
# its checks and iop_finish ends it with the number that failed
# ($LAB_OUT/result: "CHECKS FAILS"). The host side (run-all.sh) sources this
# file with IOP_HOST=1 for lsw_fetch and cap_check only.

CHARON=${CHARON:-/usr/lib/ipsec/charon}
SWANCTL=${SWANCTL:-/usr/sbin/swanctl}
IOP_FAILS=0
IOP_CHECKS=0
if [ -z "${IOP_HOST:-}" ]; then
	. "$(dirname "${BASH_SOURCE[0]}")/../lab/lib.sh"
	IOP_OUT=$LAB_OUT
	IOP_NAME=${IOP_NAME:-$LAB_NAME}
	IOP_RUN=/run/iop-$$
	: "${IOP_CACHE:=$LAB_BUILD/tests/interop/cache}"
	mkdir -p "$IOP_RUN" "$IOP_OUT"
else
	: "${IOP_NAME:=host}"
	: "${IOP_CACHE:?}"
fi

iop_log() { printf '%s [%s] %s\n' "$(date +%T)" "$IOP_NAME" "$*"; }

# A check that passed or failed; the scenario's status is the count of failures.
iop_ok() { IOP_CHECKS=$((IOP_CHECKS + 1)); iop_log "ok: $*"; }
iop_bad() {
	IOP_CHECKS=$((IOP_CHECKS + 1)); IOP_FAILS=$((IOP_FAILS + 1))
	iop_log "FAIL: $*"
}
iop_check() { # iop_check "what" cmd args...
	local what=$1; shift
	if "$@"; then iop_ok "$what"; else iop_bad "$what"; fi
}

# Waits until "cmd args..." succeeds, at most TENTHS tenths of a second of
# wall time (each try may itself take a second inside user-mode Linux).
iop_wait() { # iop_wait TENTHS cmd args...
	local end=$((SECONDS + ($1 + 9) / 10))
	shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# iop_finish: writes the scenario's result ($IOP_OUT/result: "CHECKS FAILS")
# and exits with its status (tests/lab/lib.sh's trap then stops everything).
# The captures are checked by the runner on the host, after the boot
# (tshark is slow inside user-mode Linux).
iop_finish() {
	echo "$IOP_CHECKS $IOP_FAILS" >"$IOP_OUT/result"
	iop_log "$IOP_CHECKS checks, $IOP_FAILS failed"
	[ "$IOP_FAILS" -eq 0 ] && [ "$IOP_CHECKS" -gt 0 ]
	exit $?
}

# Two namespaces joined by a veth pair, eth0 on both sides (/24).
iop_topo_pair() { # NS1 ADDR1 NS2 ADDR2
	lab_ns_add "$1"
	lab_ns_add "$3"
	lab_veth "$1" eth0 "$2/24" "$3" eth0 "$4/24"
}

# ---------------------------------------------------------------- strongSwan
# swan_start NAME NS: charon in NS, configuration and /run in $IOP_RUN/swan-NAME,
# log in $IOP_OUT/charon-NAME.log. Returns when its vici socket answers.
swan_dir() { echo "$IOP_RUN/swan-$1"; }
swan_uri() { echo "unix://$(swan_dir "$1")/charon.vici"; }

swan_start() {
	local name=$1 ns=$2 dir log pid
	dir=$(swan_dir "$name"); log=$IOP_OUT/charon-$name.log
	mkdir -p "$dir"; rm -f "$dir/charon.pid" "$dir/charon.vici" "$log"
	cat >"$dir/strongswan.conf" <<EOF
charon {
	load = random nonce aes md5 sha1 sha2 hmac gmp curve25519 gcm chapoly kdf pem pkcs1 pkcs8 x509 pubkey openssl kernel-netlink socket-default vici
	fragment_size = ${SW_FRAG_SIZE:-1280}
	install_routes = no
	install_virtual_ip = no
	retransmit_tries = 3
	retransmit_timeout = 2.0
	i_dont_care_about_security_and_use_aggressive_mode_psk = ${SW_AM_PSK:-no}
	filelog {
		iop {
			path = $log
			time_format = %T
			append = no
			flush_line = yes
			default = 1
			ike = 2
			knl = 2
			cfg = 2
			net = 1
			enc = 1
		}
	}
	syslog {
		daemon {
			default = -1
		}
	}
}
swanctl {
	load = pem pkcs1 x509 pubkey
}
EOF
	lab_bg "$ns" "charon-$name-stdout" env STRONGSWAN_CONF=/run/strongswan.conf \
		unshare -m --propagation private sh -c "mount --bind '$dir' /run && exec $CHARON"
	pid=$LAB_LAST_PID
	eval "SWAN_PID_$name=$pid"
	if ! iop_wait 200 swan_ctl "$name" --stats; then
		iop_log "charon $name did not answer on $(swan_uri "$name")"
		tail -20 "$log" "$IOP_OUT/charon-$name-stdout.log" 2>/dev/null
		return 1
	fi
	iop_log "charon $name up in $ns (pid $pid)"
}

swan_ctl() { # swan_ctl NAME swanctl-args...
	local name=$1; shift
	STRONGSWAN_CONF=$(swan_dir "$name")/strongswan.conf \
		"$SWANCTL" "$@" --uri "$(swan_uri "$name")"
}

swan_load() { # swan_load NAME FILE
	cp "$2" "$IOP_OUT/swanctl-$1.conf"
	swan_ctl "$1" --load-all --file "$2" >"$IOP_OUT/swanctl-load-$1.out" 2>&1 || {
		cat "$IOP_OUT/swanctl-load-$1.out"; return 1; }
}

# swan_initiate NAME CHILD [TIMEOUT_S]: swanctl --initiate (blocks until done).
swan_initiate() {
	local t=${3:-20}
	swan_ctl "$1" --initiate --child "$2" --timeout "$t" \
		>"$IOP_OUT/swanctl-initiate-$1-$2.out" 2>&1
}
swan_terminate_ike() { # swan_terminate_ike NAME IKE
	swan_ctl "$1" --terminate --ike "$2" --timeout 10 >>"$IOP_OUT/swanctl-terminate-$1.out" 2>&1
}
swan_terminate_child() { # swan_terminate_child NAME CHILD
	swan_ctl "$1" --terminate --child "$2" --timeout 10 >>"$IOP_OUT/swanctl-terminate-$1.out" 2>&1
}
swan_sas() { swan_ctl "$1" --list-sas 2>/dev/null; }
swan_raw_sas() { swan_ctl "$1" --list-sas --raw 2>/dev/null; }
# Number of IKE SAs in ESTABLISHED and of CHILD_SAs in INSTALLED.
swan_n_ike() { swan_sas "$1" | grep -c ': #[0-9]*, ESTABLISHED, IKEv'; }
swan_n_child() { swan_sas "$1" | grep -c ': #[0-9]*, reqid [0-9]*, INSTALLED,'; }
swan_has_ike() { [ "$(swan_n_ike "$1")" -ge 1 ]; }
swan_has_child() { [ "$(swan_n_child "$1")" -ge 1 ]; }
swan_no_sa() { [ "$(swan_n_ike "$1")" -eq 0 ] && [ "$(swan_n_child "$1")" -eq 0 ]; }
swan_stop() { # swan_stop NAME [SIGNAL]: stops that charon (by PID), waits for it
	local pid
	eval "pid=\${SWAN_PID_$1:-}"
	[ -n "$pid" ] || return 0
	lab_stop "$pid" "${2:-TERM}"
	eval "SWAN_PID_$1="
}
# swan_kill NAME: SIGKILL, as a crash would (no DELETE sent).
swan_kill() { swan_stop "$1" KILL; }
# Packets counted by the installed CHILD_SAs (in and out summed).
# ("in  SPI[ (MARK)],  N bytes,  N packets, ..." lines of swanctl --list-sas)
swan_pkts_in() { swan_sas "$1" | awk '$1 == "in" { for (i = 3; i < NF; i++) if ($i == "bytes,") s += $(i + 1) } END { print s + 0 }'; }
swan_pkts_out() { swan_sas "$1" | awk '$1 == "out" { for (i = 3; i < NF; i++) if ($i == "bytes,") s += $(i + 1) } END { print s + 0 }'; }

# ------------------------------------------------------------------- xfrm
# Packets counted by the kernel's ESP states in NS (all states summed).
xfrm_pkts() { # xfrm_pkts NS SRC DST
	ip -n "$1" -s xfrm state list src "$2" dst "$3" proto esp 2>/dev/null |
		awk '/lifetime current:/ { getline; if (match($0, /[0-9]+\(packets\)/))
			s += substr($0, RSTART, RLENGTH - 9) } END { print s + 0 }'
}
xfrm_n_states() { ip -n "$1" xfrm state list proto esp 2>/dev/null | grep -c '^src '; }

# ------------------------------------------------------------------ captures
# cap_start NS IF FILE: tcpdump of IKE and ESP on IF in NS.
cap_start() {
	local log
	log=tcpdump-$(basename "$3" .pcap)
	lab_bg "$1" "$log" tcpdump -i "$2" --immediate-mode -U -s 0 -w "$3" \
		'udp port 500 or udp port 4500 or esp'
	CAP_PID=$LAB_LAST_PID
	iop_wait 100 grep -q 'listening on' "$IOP_OUT/$log.log"
}
cap_stop() {
	[ -n "${CAP_PID:-}" ] || return 0
	sleep 0.3
	lab_stop "$CAP_PID"
	CAP_PID=""
}
# cap_check FILE: tshark decodes it with no malformed packet and no expert
# warning or error; at least one ISAKMP packet is in it.
cap_check() {
	local f=$1 out
	out=$(tshark -r "$f" -z expert,warn -q 2>&1)
	printf '%s\n' "$out" >"$f.expert"
	if printf '%s\n' "$out" | grep -qiE 'malformed|Warnings? \(|Errors? \('; then
		iop_log "tshark expert findings in $f:"; printf '%s\n' "$out"
		return 1
	fi
	[ "$(tshark -r "$f" -Y isakmp 2>/dev/null | wc -l)" -ge 1 ]
}

# ----------------------------------------------------------------- libreswan
# lsw_fetch: unpacks Debian's libreswan (and the libraries it needs that are
# not installed) under $IOP_CACHE/libreswan, once. Sets LSW_ROOT.
LSW_ROOT=$IOP_CACHE/libreswan/root
lsw_fetch() {
	local dl=$IOP_CACHE/libreswan/deb p miss
	if [ -x "$LSW_ROOT/usr/libexec/ipsec/pluto" ] && [ -x "$LSW_ROOT/usr/bin/certutil" ] &&
		! lsw_ldd | grep -q 'not found'; then
		return 0
	fi
	mkdir -p "$dl" "$LSW_ROOT"
	# libreswan, certutil (NSS database), and direct dependencies missing here.
	miss="libreswan"
	for p in $(apt-cache depends libreswan 2>/dev/null |
		sed -n 's/^ *Depends: \([a-z0-9][a-z0-9.+-]*\)$/\1/p'); do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			miss="$miss $p"
	done
	dpkg-query -W -f='${Status}' libnss3-tools 2>/dev/null | grep -q 'ok installed' ||
		miss="$miss libnss3-tools"
	miss=$(printf '%s\n' $miss | sort -u | tr '\n' ' ')
	iop_log "fetching $miss"
	(cd "$dl" && apt-get download $miss) >"$dl/download.log" 2>&1 || {
		cat "$dl/download.log"; return 1; }
	for p in "$dl"/*.deb; do dpkg-deb -x "$p" "$LSW_ROOT" || return 1; done
	if lsw_ldd | grep -q 'not found'; then
		iop_log "libreswan still misses libraries:"; lsw_ldd | grep 'not found'
		return 1
	fi
}
lsw_ldd() {
	LD_LIBRARY_PATH=$LSW_ROOT/usr/lib/x86_64-linux-gnu \
		ldd "$LSW_ROOT/usr/libexec/ipsec/pluto" "$LSW_ROOT/usr/bin/certutil" 2>&1
}
lsw_dir() { echo "$IOP_RUN/lsw-$1"; }

# lsw_start NAME NS CONF SECRETS: pluto in NS with a private mount namespace
# where the unpacked /usr/libexec replaces the host's (pluto runs its helpers
# from there), /run is private, and the NSS database is fresh.
lsw_start() {
	local name=$1 ns=$2 conf=$3 secrets=$4 dir log pid
	dir=$(lsw_dir "$name"); log=$IOP_OUT/pluto-$name.log
	mkdir -p "$dir/nss" "$dir/pluto"; rm -f "$log" "$dir/pluto/pluto.ctl"
	cp "$conf" "$dir/ipsec.conf"; cp "$secrets" "$dir/ipsec.secrets"
	chmod 600 "$dir/ipsec.secrets"
	cp "$conf" "$IOP_OUT/ipsec-$name.conf"
	LD_LIBRARY_PATH=$LSW_ROOT/usr/lib/x86_64-linux-gnu \
		"$LSW_ROOT/usr/bin/certutil" -N -d "sql:$dir/nss" --empty-password \
		>"$IOP_OUT/certutil-$name.out" 2>&1 || return 1
	# Inside the private mount namespace, $dir is /run.
	cat >"$dir/start.sh" <<EOF
mount --bind '$LSW_ROOT/usr/libexec' /usr/libexec || exit 1
mount --bind '$dir' /run || exit 1
export LD_LIBRARY_PATH='$LSW_ROOT/usr/lib/x86_64-linux-gnu'
exec /usr/libexec/ipsec/pluto --nofork --config /run/ipsec.conf \\
	--secretsfile /run/ipsec.secrets --nssdir /run/nss \\
	--rundir /run/pluto --logfile '$log'
EOF
	lab_bg "$ns" "pluto-$name-stdout" unshare -m --propagation private sh "$dir/start.sh"
	pid=$LAB_LAST_PID
	eval "LSW_PID_$name=$pid"
	if ! iop_wait 200 test -S "$dir/pluto/pluto.ctl"; then
		iop_log "pluto $name did not create its control socket"
		tail -20 "$log" "$IOP_OUT/pluto-$name-stdout.log" 2>/dev/null
		return 1
	fi
	iop_log "pluto $name up in $ns (pid $pid)"
}
lsw_whack() { # lsw_whack NAME whack-args...
	local name=$1; shift
	LD_LIBRARY_PATH=$LSW_ROOT/usr/lib/x86_64-linux-gnu \
		"$LSW_ROOT/usr/libexec/ipsec/whack" --ctlsocket "$(lsw_dir "$name")/pluto/pluto.ctl" "$@"
}
lsw_stop() {
	local pid i=0
	eval "pid=\${LSW_PID_$1:-}"
	[ -n "$pid" ] || return 0
	lsw_whack "$1" --shutdown >/dev/null 2>&1
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	lab_stop "$pid"
	eval "LSW_PID_$1="
}

# ------------------------------------------------------------ configurations
# swan_conf FILE: writes a swanctl.conf for one IKEv1 Main Mode PSK peer from
# these variables (defaults in brackets):
#   SW_LOCAL, SW_REMOTE   endpoint addresses
#   SW_PSK                pre-shared key
#   SW_IKE [3des-md5-modp1024]   SW_ESP [aes128-sha256]  (PFS: append the group)
#   SW_TS [gre]: gre = protocol 47 between the endpoints (IPv4 or IPv6); any =
#   0.0.0.0/0 both
#   SW_MARK: for route-based (VTI) tunnels, the mark of the vti link
#   SW_CHILD_REKEY [50m], SW_CHILD_LIFE [60m], SW_IKE_REKEY [23h]
#   SW_DPD [0s = off], SW_CONN [peer], SW_CHILD [tun]
#   SW_LOCAL_ID, SW_REMOTE_ID (default: the addresses)
#   SW_AGGR [no]: yes for IKEv1 Aggressive Mode (swan_start needs SW_AM_PSK=yes
#   for charon to answer it with a pre-shared key)
#   SW_VERSION [1]: 2 for IKEv2; SW_FRAGMENTATION [yes] (yes | no | force)
#   swan_start: SW_FRAG_SIZE [1280] (charon's IKE fragment size)
swan_conf() {
	local f=$1 ts_l ts_r
	case ${SW_TS:-gre} in
	gre) # host prefixes: /32, or /128 for IPv6 end points
		case $SW_LOCAL in
		*:*) ts_l="$SW_LOCAL/128[gre]"; ts_r="$SW_REMOTE/128[gre]" ;;
		*) ts_l="$SW_LOCAL/32[gre]"; ts_r="$SW_REMOTE/32[gre]" ;;
		esac ;;
	any) ts_l="0.0.0.0/0"; ts_r="0.0.0.0/0" ;;
	*) ts_l=$SW_TS; ts_r=$SW_TS ;;
	esac
	{
	cat <<EOC
connections {
	${SW_CONN:-peer} {
		version = ${SW_VERSION:-1}
		aggressive = ${SW_AGGR:-no}
		fragmentation = ${SW_FRAGMENTATION:-yes}
		local_addrs = $SW_LOCAL
		remote_addrs = $SW_REMOTE
		proposals = ${SW_IKE:-3des-md5-modp1024}
		rekey_time = ${SW_IKE_REKEY:-23h}
		dpd_delay = ${SW_DPD:-0s}
		dpd_timeout = ${SW_DPD_TIMEOUT:-30s}
		encap = no
		mobike = no
		local {
			auth = psk
			id = ${SW_LOCAL_ID:-$SW_LOCAL}
		}
		remote {
			auth = psk
			id = ${SW_REMOTE_ID:-$SW_REMOTE}
		}
		children {
			${SW_CHILD:-tun} {
				local_ts = $ts_l
				remote_ts = $ts_r
				esp_proposals = ${SW_ESP:-aes128-sha256}
				mode = tunnel
				rekey_time = ${SW_CHILD_REKEY:-50m}
				life_time = ${SW_CHILD_LIFE:-60m}
				dpd_action = clear
				close_action = none
				start_action = none
EOC
	if [ -n "${SW_MARK:-}" ]; then
		printf '\t\t\t\tmark_in = %s\n\t\t\t\tmark_out = %s\n' "$SW_MARK" "$SW_MARK"
	fi
	cat <<EOC
			}
		}
	}
}
secrets {
	ike-${SW_CONN:-peer} {
		id-1 = ${SW_REMOTE_ID:-$SW_REMOTE}
		secret = "$SW_PSK"
	}
}
EOC
	} >"$f"
}

# True when the running kernel carries ESP (user-mode Linux does, the host
# kernel of the build machines does not). Tried in namespace NS.
iop_have_esp() {
	ip -n "$1" xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1001 \
		enc 'cbc(aes)' 0x00112233445566778899aabbccddeeff \
		auth-trunc 'hmac(sha256)' 0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff 128 \
		>/dev/null 2>&1 || return 1
	ip -n "$1" xfrm state del src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1001
}

# gre_link NS NAME LOCAL REMOTE ADDR/PLEN: a GRE link no IKE daemon manages.
gre_link() {
	ip -n "$1" link add "$2" type gre local "$3" remote "$4" ttl 64 &&
	ip -n "$1" addr add "$5" dev "$2" && ip -n "$1" link set "$2" up
}
# vti_link NS NAME LOCAL REMOTE KEY ADDR/PLEN: a VTI link with ikey=okey=KEY
# (the mark of the CHILD_SA's policies), its own policy check disabled.
vti_link() {
	ip -n "$1" link add "$2" type vti local "$3" remote "$4" key "$5" &&
	ip netns exec "$1" sysctl -qw "net.ipv4.conf.$2.disable_policy=1" &&
	ip -n "$1" addr add "$6" dev "$2" && ip -n "$1" link set "$2" up
}
# iop_ping NS DST COUNT: COUNT pings, all answered.
iop_ping() {
	ip netns exec "$1" ping -c "$3" -i 0.2 -W 2 "$2" >"$IOP_OUT/ping-$1-$2.out" 2>&1
}

# --------------------------------------------------------------------- ikerd
# ikerd runs in a namespace NS through tests/lab/lib.sh (lab_ikerd_start),
# with the netlink backend and full debug; its log is $LAB_OUT/ikerd-NS.log.
ik_start() { # ik_start NS CONF [ARGS...] (e.g. --passive: never initiate)
	local ns=$1 conf=$2
	shift 2
	cp "$conf" "$IOP_OUT/ikerd-$ns.conf"
	lab_need "$IKERD"
	lab_need "$IKERCTL"
	rm -f "$(lab_ctl_path "$ns")"
	lab_bg "$ns" "ikerd-$ns" "$IKERD" -f "$conf" --ctl "$(lab_ctl_path "$ns")" -d \
		--kernel "${IOP_KERNEL:-netlink}" --debug isakmp,isakmp-detail,ipsec \
		--pid "$IOP_RUN/ikerd-$ns.pid" "$@"
	eval "LAB_IKERD_PID_$ns=$LAB_LAST_PID"
	if ! iop_wait 150 lab_ikerctl "$ns" show crypto isakmp sa; then
		iop_bad "ikerd in $ns answers on $(lab_ctl_path "$ns")"
		tail -20 "$LAB_OUT/ikerd-$ns.log"
		return 1
	fi
}
ik_ctl() { lab_ikerctl "$@"; }
ik_stop() { # ik_stop NS [SIGNAL]: TERM lets ikerd remove its kernel state
	local pid
	pid=$(lab_ikerd_pid "$1")
	[ -n "$pid" ] || return 0
	lab_stop "$pid" "${2:-TERM}"
	eval "LAB_IKERD_PID_$1="
}
ik_isakmp() { ik_ctl "$1" show crypto isakmp sa 2>/dev/null; }
ik_ipsec() { ik_ctl "$1" show crypto ipsec sa 2>/dev/null; }
ik_n_qm_idle() { ik_isakmp "$1" | grep -c ' QM_IDLE '; }
ik_n_isakmp() { ik_isakmp "$1" | grep -cE '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+ +[0-9]+\.'; }
ik_has_p1() { [ "$(ik_n_qm_idle "$1")" -ge 1 ]; }
# An IPsec SA pair is up when show crypto ipsec sa names a non-zero outbound SPI.
ik_has_p2() { ik_ipsec "$1" | grep -qiE 'current outbound spi: 0x0*[1-9a-f]'; }
ik_no_sa() { [ "$(ik_n_isakmp "$1")" -eq 0 ] && ! ik_has_p2 "$1"; }
# Nothing established: no ISAKMP SA in QM_IDLE and no IPsec SA (half-open
# negotiations may exist).
ik_no_established() { [ "$(ik_n_qm_idle "$1")" -eq 0 ] && ! ik_has_p2 "$1"; }
ik_sum() { # ik_sum NAME FIELD: sums "#pkts FIELD: N" over show crypto ipsec sa
	ik_ipsec "$1" | sed -n "s/.*#pkts $2: \([0-9]*\).*/\1/p" | awk '{ s += $1 } END { print s + 0 }'
}
# ik_has_spi NS SPI: show crypto ipsec sa or the kernel still knows SPI (0x...).
ik_has_spi() {
	local spi
	spi=$(printf '%s' "$2" | tr 'A-F' 'a-f')
	ik_ipsec "$1" | tr 'A-F' 'a-f' | grep -q "$spi" ||
		ip -n "$1" xfrm state | grep -q "spi $spi"
}
# ik_conn_ids NS: the conn-ids of the ISAKMP SAs in QM_IDLE.
ik_conn_ids() { ik_isakmp "$1" | awk '$3 == "QM_IDLE" { print $4 }'; }
ik_outbound_spi() { ik_ipsec "$1" | sed -n 's/.*current outbound spi: \(0x[0-9A-Fa-f]*\).*/\1/p' | head -1; }
# ik_trace NAME REGEX: the ikerd log holds a line matching REGEX (grep -E).
ik_trace() { grep -qE -- "$2" "$LAB_OUT/ikerd-$1.log"; }

# ios_conf FILE: an IOS configuration for ikerd from these variables:
#   IK_LOCAL, IK_REMOTE, IK_PSK
#   IK_ENCR [3des] (3des | aes | aes 256 ...), IK_HASH [md5], IK_GROUP [2]
#   IK_TSET [esp-aes esp-sha256-hmac], IK_PFS [none] (group2, group14, group19)
#   IK_MODE [gre] (gre | vti), IK_TUN_ADDR [203.0.113.1], IK_SA_LIFE [none]
#   IK_KEEPALIVE [none] ("10 3"), IK_EXTRA (lines appended verbatim)
ios_conf() {
	{
	echo "hostname ${IK_HOSTNAME:-R1}"
	echo "!"
	echo "crypto isakmp policy 10"
	echo " encr ${IK_ENCR:-3des}"
	echo " hash ${IK_HASH:-md5}"
	echo " authentication pre-share"
	echo " group ${IK_GROUP:-2}"
	[ -z "${IK_KEEPALIVE:-}" ] || echo "crypto isakmp keepalive $IK_KEEPALIVE"
	if [ -n "${IK_KEYS:-}" ]; then
		printf '%s\n' "$IK_KEYS"
	else
		echo "crypto isakmp key $IK_PSK address $IK_REMOTE"
	fi
	echo "!"
	echo "crypto ipsec transform-set TS ${IK_TSET:-esp-aes esp-sha256-hmac}"
	echo " mode tunnel"
	echo "!"
	echo "crypto ipsec profile PROT"
	echo " set transform-set TS"
	[ -z "${IK_PFS:-}" ] || echo " set pfs $IK_PFS"
	[ -z "${IK_SA_LIFE:-}" ] || echo " set security-association lifetime seconds $IK_SA_LIFE"
	[ -z "${IK_PROFILE:-}" ] || echo " set isakmp-profile $IK_PROFILE"
	echo "!"
	echo "interface Tunnel1"
	echo " ip address ${IK_TUN_ADDR:-203.0.113.1} 255.255.255.252"
	echo " tunnel source $IK_LOCAL"
	echo " tunnel destination $IK_REMOTE"
	[ "${IK_MODE:-gre}" = vti ] && echo " tunnel mode ipsec ipv4"
	echo " tunnel protection ipsec profile PROT"
	echo "!"
	[ -z "${IK_EXTRA:-}" ] || printf '%s\n' "$IK_EXTRA"
	echo "end"
	} >"$1"
}

# ------------------------------------------------------------ pair scenarios
# The common topology: namespace ${P}i holds ikerd at 198.51.100.1 (IK side),
# ${P}p the peer at 198.51.100.2; tunnel addresses 203.0.113.1/30 and .2/30.
IK_A=198.51.100.1
PEER_A=198.51.100.2
# iop_pair P: makes the two namespaces. Namespace names: ${P}i and ${P}p.
iop_pair() {
	NS_IK=${1}i NS_PEER=${1}p
	iop_topo_pair "$NS_IK" "$IK_A" "$NS_PEER" "$PEER_A"
}

# iop_proposal NAME: sets the IOS and strongSwan variables of a named
# proposal: 3des-md5-2 (the seed's), aes256-sha256-14, aes128-sha1-19.
# PFS=yes adds the phase-1 group to phase 2 on both sides.
iop_proposal() {
	case $1 in
	3des-md5-2)
		IK_ENCR=3des IK_HASH=md5 IK_GROUP=2 IK_TSET="esp-aes esp-sha256-hmac"
		SW_IKE=3des-md5-modp1024 SW_ESP=aes128-sha256 SW_DH=modp1024
		LSW_IKE="3des-md5;modp1024" LSW_ESP=aes128-sha2_256
		EXP_IKE=3DES_CBC/HMAC_MD5_96/PRF_HMAC_MD5/MODP_1024
		EXP_ESP=AES_CBC-128/HMAC_SHA2_256_128 EXP_DH=MODP_1024 ;;
	aes256-sha256-14)
		IK_ENCR="aes 256" IK_HASH=sha256 IK_GROUP=14 IK_TSET="esp-aes 256 esp-sha256-hmac"
		SW_IKE=aes256-sha256-modp2048 SW_ESP=aes256-sha256 SW_DH=modp2048
		LSW_IKE="aes256-sha2_256;modp2048" LSW_ESP=aes256-sha2_256
		EXP_IKE=AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048
		EXP_ESP=AES_CBC-256/HMAC_SHA2_256_128 EXP_DH=MODP_2048 ;;
	aes128-sha1-19)
		IK_ENCR=aes IK_HASH=sha IK_GROUP=19 IK_TSET="esp-aes esp-sha-hmac"
		SW_IKE=aes128-sha1-ecp256 SW_ESP=aes128-sha1 SW_DH=ecp256
		LSW_IKE="aes128-sha1;dh19" LSW_ESP=aes128-sha1
		EXP_IKE=AES_CBC-128/HMAC_SHA1_96/PRF_HMAC_SHA1/ECP_256
		EXP_ESP=AES_CBC-128/HMAC_SHA1_96 EXP_DH=ECP_256 ;;
	*) iop_log "unknown proposal $1"; return 1 ;;
	esac
	IK_PFS="" EXP_CHILD=$EXP_ESP
	if [ "${PFS:-no}" = yes ]; then
		IK_PFS=group$IK_GROUP SW_ESP=$SW_ESP-$SW_DH LSW_PFS=yes
		EXP_CHILD=$EXP_ESP/$EXP_DH
	else
		LSW_PFS=no
	fi
}

# iop_peer_links MODE: the peer's unmanaged GRE link, or its VTI link (key 42).
iop_peer_links() {
	if [ "$1" = vti ]; then
		vti_link "$NS_PEER" vti1 "$PEER_A" "$IK_A" 42 203.0.113.2/30
	else
		gre_link "$NS_PEER" gre1 "$PEER_A" "$IK_A" 203.0.113.2/30
	fi
}

# iop_traffic_checks PEERKIND: 5 pings from ikerd's tunnel to the peer's, 3
# back, then every counter on both sides must have seen them (each source is
# read once: every command costs about a second inside user-mode Linux).
# The tunnel addresses: IOP_TUN_IK [203.0.113.1], IOP_TUN_PEER [203.0.113.2].
iop_traffic_checks() {
	local f=$IOP_OUT/show-ipsec-sa.$DIRN enc dec xo xp sin sout
	local ti=${IOP_TUN_IK:-203.0.113.1} tp=${IOP_TUN_PEER:-203.0.113.2}
	iop_check "ping across the tunnel (ikerd -> peer)" iop_ping "$NS_IK" "$tp" 5
	iop_check "ping across the tunnel (peer -> ikerd)" iop_ping "$NS_PEER" "$ti" 3
	ik_ipsec "$NS_IK" >"$f"
	enc=$(sed -n 's/.*#pkts encaps: \([0-9]*\).*/\1/p' "$f" | awk '{ s += $1 } END { print s + 0 }')
	dec=$(sed -n 's/.*#pkts decaps: \([0-9]*\).*/\1/p' "$f" | awk '{ s += $1 } END { print s + 0 }')
	xo=$(xfrm_pkts "$NS_IK" $IK_A $PEER_A)
	xp=$(xfrm_pkts "$NS_PEER" $PEER_A $IK_A)
	iop_check "ikerd counts >= 8 packets encapsulated ($enc)" test "$enc" -ge 8
	iop_check "ikerd counts >= 8 packets decapsulated ($dec)" test "$dec" -ge 8
	iop_check "ikerd's kernel: ESP out >= 8 ($xo)" test "$xo" -ge 8
	iop_check "peer's kernel: ESP out >= 8 ($xp)" test "$xp" -ge 8
	if [ "$1" = swan ]; then
		swan_sas peer >"$IOP_OUT/list-sas.$DIRN"
		sin=$(awk '$1 == "in" { for (i = 3; i < NF; i++) if ($i == "bytes,") s += $(i + 1) } END { print s + 0 }' "$IOP_OUT/list-sas.$DIRN")
		sout=$(awk '$1 == "out" { for (i = 3; i < NF; i++) if ($i == "bytes,") s += $(i + 1) } END { print s + 0 }' "$IOP_OUT/list-sas.$DIRN")
		iop_check "strongSwan counts >= 8 packets in ($sin)" test "$sin" -ge 8
		iop_check "strongSwan counts >= 8 packets out ($sout)" test "$sout" -ge 8
	else
		lsw_whack peer --trafficstatus >"$IOP_OUT/trafficstatus.$DIRN" 2>&1
		iop_check "libreswan counts ESP in and out" \
			grep -Eq 'inBytes=[1-9][0-9]*, outBytes=[1-9]' "$IOP_OUT/trafficstatus.$DIRN"
	fi
}

# lsw_conf DIR: ipsec.conf and ipsec.secrets for one IKEv1 Main Mode PSK
# connection "tun" from LSW_LOCAL, LSW_REMOTE, LSW_PSK, LSW_IKE, LSW_ESP,
# LSW_PFS (yes|no), LSW_MODE (gre: protocol 47 between the endpoints; vti:
# any/any with a mark, the vti link made by iop_peer_links), LSW_SALIFE.
lsw_conf() {
	local ts
	if [ "${LSW_MODE:-gre}" = vti ]; then
		ts="	leftsubnet=0.0.0.0/0
	rightsubnet=0.0.0.0/0
	mark=42/0xffffffff
	vti-interface=vti1
	vti-routing=no
	vti-shared=yes"
	else
		ts="	leftprotoport=gre
	rightprotoport=gre"
	fi
	cat >"$1/ipsec.conf" <<EOC
config setup
	ikev1-policy=accept
	plutodebug=base
	uniqueids=yes

conn tun
	ikev2=no
	authby=secret
	type=tunnel
	left=$LSW_LOCAL
	leftid=$LSW_LOCAL
	right=$LSW_REMOTE
	rightid=$LSW_REMOTE
	leftupdown=/bin/true
$ts
	ike=$LSW_IKE
	esp=$LSW_ESP
	pfs=${LSW_PFS:-no}
	salifetime=${LSW_SALIFE:-1h}
	ikelifetime=8h
	rekey=yes
	auto=add
EOC
	printf '%s %s : PSK "%s"\n' "$LSW_LOCAL" "$LSW_REMOTE" "$LSW_PSK" >"$1/ipsec.secrets"
}
# lsw_up_loaded NAME: pluto listens, has read its secrets and the connection.
lsw_up_loaded() {
	local dir
	dir=$(lsw_dir "$1")
	lsw_whack "$1" --listen >/dev/null 2>&1 || return 1
	lsw_whack "$1" --rereadsecrets >/dev/null 2>&1 || return 1
	LD_LIBRARY_PATH=$LSW_ROOT/usr/lib/x86_64-linux-gnu \
		"$LSW_ROOT/usr/libexec/ipsec/addconn" --config "$dir/ipsec.conf" \
		--ctlsocket "$dir/pluto/pluto.ctl" --autoall \
		>"$IOP_OUT/addconn-$1.out" 2>&1 || { cat "$IOP_OUT/addconn-$1.out"; return 1; }
}
lsw_status() { lsw_whack "$1" --trafficstatus 2>/dev/null; }
# (IKEv1: "(ISAKMP SA established)", "(IPsec SA established)"; IKEv2 states
# STATE_V2_ESTABLISHED_IKE_SA and STATE_V2_ESTABLISHED_CHILD_SA)
lsw_has_child() {
	lsw_whack "$1" --status 2>/dev/null | grep -qE 'IPsec SA established|ESTABLISHED_CHILD_SA'
}
lsw_has_ike() {
	lsw_whack "$1" --status 2>/dev/null |
		grep -qE '(IKE|ISAKMP) SA established|ESTABLISHED_IKE_SA'
}

# ------------------------------------------------------------------- IKEv2
# iop_proposal_v2 NAME: the IOS (crypto ikev2 proposal, transform-set),
# strongSwan and libreswan variables of a named IKEv2 suite, and what
# swanctl --list-sas prints for it:
#   aes256-sha256-modp2048             ESP aes256/sha256
#   aes256gcm16-prfsha256-x25519       ESP aes256gcm16
#   chacha20poly1305-prfsha256-ecp256  ESP aes128gcm16 (IOS transform-sets have
#                                      no ChaCha20-Poly1305 for ESP)
# PFS=yes adds the suite's group to the CHILD_SAs (set pfs, esp_proposals).
iop_proposal_v2() {
	case $1 in
	aes256-sha256-modp2048)
		IK2_ENCR=aes-cbc-256 IK2_INTEG=sha256 IK2_PRF="" IK2_GROUP=14
		IK_TSET="esp-aes 256 esp-sha256-hmac"
		SW_IKE=aes256-sha256-modp2048 SW_ESP=aes256-sha256 SW_DH=modp2048
		LSW_IKE="aes256-sha2_256;modp2048" LSW_ESP=aes256-sha2_256
		EXP_IKE=AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048
		EXP_ESP=AES_CBC-256/HMAC_SHA2_256_128 EXP_DH=MODP_2048 ;;
	aes256gcm16-prfsha256-x25519)
		IK2_ENCR=aes-gcm-256 IK2_INTEG="" IK2_PRF=sha256 IK2_GROUP=31
		IK_TSET="esp-gcm 256"
		SW_IKE=aes256gcm16-prfsha256-x25519 SW_ESP=aes256gcm16 SW_DH=x25519
		LSW_IKE="aes_gcm256-sha2_256;dh31" LSW_ESP=aes_gcm256
		EXP_IKE=AES_GCM_16-256/PRF_HMAC_SHA2_256/CURVE_25519
		EXP_ESP=AES_GCM_16-256 EXP_DH=CURVE_25519 ;;
	chacha20poly1305-prfsha256-ecp256)
		IK2_ENCR=chacha20-poly1305 IK2_INTEG="" IK2_PRF=sha256 IK2_GROUP=19
		IK_TSET="esp-gcm 128"
		SW_IKE=chacha20poly1305-prfsha256-ecp256 SW_ESP=aes128gcm16 SW_DH=ecp256
		LSW_IKE="chacha20_poly1305-sha2_256;dh19" LSW_ESP=aes_gcm128
		EXP_IKE=CHACHA20_POLY1305/PRF_HMAC_SHA2_256/ECP_256
		EXP_ESP=AES_GCM_16-128 EXP_DH=ECP_256 ;;
	*) iop_log "unknown IKEv2 proposal $1"; return 1 ;;
	esac
	IK_PFS="" EXP_CHILD=$EXP_ESP LSW_PFS=no
	if [ "${PFS:-no}" = yes ]; then
		IK_PFS=group$IK2_GROUP SW_ESP=$SW_ESP-$SW_DH LSW_PFS=yes
		EXP_CHILD=$EXP_ESP/$EXP_DH
	fi
	SW_VERSION=2
}

# ios_conf_v2 FILE: an IOS configuration for ikerd with an IKEv2 proposal,
# policy, keyring, profile and the tunnel protected through them, from:
#   IK_LOCAL, IK_REMOTE, IK_PSK; IK_PSK_REMOTE (asymmetric keys: the key the
#   peer authenticates with; IK_PSK is then ikerd's own)
#   IK2_ENCR, IK2_INTEG, IK2_PRF, IK2_GROUP (see iop_proposal_v2)
#   IK_TSET, IK_PFS, IK_SA_LIFE, IK_MODE [gre], IK_TUN_ADDR [203.0.113.1]
#   IK2_LIFETIME (IKE SA lifetime, s), IK2_DPD ("10 2 periodic"), IK_EXTRA
ios_conf_v2() {
	{
	echo "hostname ${IK_HOSTNAME:-R1}"
	echo "!"
	echo "crypto ikev2 proposal PROP"
	echo " encryption $IK2_ENCR"
	[ -z "${IK2_INTEG:-}" ] || echo " integrity $IK2_INTEG"
	[ -z "${IK2_PRF:-}" ] || echo " prf $IK2_PRF"
	echo " group $IK2_GROUP"
	echo "!"
	echo "crypto ikev2 policy POL"
	echo " proposal PROP"
	echo "!"
	echo "crypto ikev2 keyring KR"
	echo " peer PEER"
	echo "  address $IK_REMOTE"
	if [ -n "${IK_PSK_REMOTE:-}" ]; then
		echo "  pre-shared-key local $IK_PSK"
		echo "  pre-shared-key remote $IK_PSK_REMOTE"
	else
		echo "  pre-shared-key $IK_PSK"
	fi
	echo "!"
	echo "crypto ikev2 profile PROF"
	echo " match identity remote address $IK_REMOTE 255.255.255.255"
	echo " identity local address $IK_LOCAL"
	echo " authentication remote pre-share"
	echo " authentication local pre-share"
	echo " keyring local KR"
	[ -z "${IK2_LIFETIME:-}" ] || echo " lifetime $IK2_LIFETIME"
	[ -z "${IK2_DPD:-}" ] || echo " dpd $IK2_DPD"
	echo "!"
	echo "crypto ipsec transform-set TS ${IK_TSET:-esp-aes esp-sha256-hmac}"
	echo " mode tunnel"
	echo "!"
	echo "crypto ipsec profile PROT"
	echo " set transform-set TS"
	echo " set ikev2-profile PROF"
	[ -z "${IK_PFS:-}" ] || echo " set pfs $IK_PFS"
	[ -z "${IK_SA_LIFE:-}" ] || echo " set security-association lifetime seconds $IK_SA_LIFE"
	echo "!"
	echo "interface Tunnel1"
	echo " ip address ${IK_TUN_ADDR:-203.0.113.1} 255.255.255.252"
	echo " tunnel source $IK_LOCAL"
	echo " tunnel destination $IK_REMOTE"
	[ "${IK_MODE:-gre}" = vti ] && echo " tunnel mode ipsec ipv4"
	echo " tunnel protection ipsec profile PROT"
	echo "!"
	[ -z "${IK_EXTRA:-}" ] || printf '%s\n' "$IK_EXTRA"
	echo "end"
	} >"$1"
}

# iop_need_v2 FEATURE...: skips the case unless ikerd has IKEv2 and every
# FEATURE (ikerd --features).
iop_need_v2() { lab_need_feature ikev2 "$@"; }

# ikerd's IKEv2 start: the debug categories of an IKEv2 case.
ik_start_v2() { # NS CONF [ARGS...]
	local ns=$1 conf=$2
	shift 2
	ik_start "$ns" "$conf" --debug ikev2,ipsec "$@"
}
# show crypto ikev2 sa: IKE SAs in READY (needs ikev2-show).
ik_v2_sa() { ik_ctl "$1" show crypto ikev2 sa 2>/dev/null; }
ik_n_v2_ready() { ik_v2_sa "$1" | grep -cE '^[0-9]+ +[0-9a-fA-F.:]+/[0-9]+ .* READY *$'; }
ik_v2_ready() { [ "$(ik_n_v2_ready "$1")" -ge 1 ]; }

# strongSwan's IKE SA: "NAME: #N, ESTABLISHED, IKEv2, SPIi_i* SPIr_r" -> N, SPIs
swan_ike_uid() { swan_sas "$1" | sed -n 's/^[^ ]*: #\([0-9]*\), ESTABLISHED, IKEv2.*/\1/p' | head -1; }
swan_ike_spis() {
	swan_sas "$1" | sed -n 's/^[^ ]*: #[0-9]*, ESTABLISHED, IKEv2, \([0-9a-f]*\)_i\*\{0,1\} \([0-9a-f]*\)_r.*/\1 \2/p' | head -1
}
swan_has_ikev2() { swan_sas "$1" | grep -q ': #[0-9]*, ESTABLISHED, IKEv2,'; }

# lsw_conf_v2 DIR: ipsec.conf and ipsec.secrets for one IKEv2 PSK connection
# "tun" (the variables of lsw_conf).
lsw_conf_v2() {
	lsw_conf "$1"
	sed -i 's/^\tikev2=no$/\tikev2=yes/' "$1/ipsec.conf"
	grep -q '^	ikev2=yes$' "$1/ipsec.conf"
}

# iop_drop_ip_fragments NS: NS drops, on eth0's ingress, every IP fragment
# that has more to come (so no fragmented datagram is ever reassembled): an
# IKE message larger than the path MTU arrives only when its sender split it
# itself (RFC 7383). tc u32 on the IPv4 header's MF bit (user-mode Linux's
# kernel has no nf_tables for IPv4).
iop_drop_ip_fragments() {
	ip netns exec "$1" tc qdisc add dev eth0 ingress &&
	ip netns exec "$1" tc filter add dev eth0 parent ffff: protocol ip prio 1 \
		u32 match u16 0x2000 0x2000 at 6 action drop
}
# iop_frag_blocked NS DST: a 1000-byte ping from NS to DST gets no answer
# (the drop works: the IKE cases that pass did not rely on IP fragments).
iop_frag_blocked() {
	! ip netns exec "$1" ping -c 1 -W 2 -s 1000 "$2" >/dev/null 2>&1
}
iop_ip_fragments_dropped() { # NS: packets that filter dropped
	ip netns exec "$1" tc -s filter show dev eth0 parent ffff: 2>/dev/null |
		sed -n 's/.*Sent [0-9]* bytes \([0-9]*\) pkt.*/\1/p' | head -1
}
# ESP proposals that make an IKE_AUTH request large (fragmentation cases).
SW_ESP_MANY=aes128-sha256,aes192-sha256,aes128-sha384,aes256-sha384,aes128-sha512,aes256-sha512,aes128-sha1,aes256-sha1,aes128gcm16,aes192gcm16,aes128gcm12,aes256gcm12,3des-sha1,3des-sha256

# ------------------------------------------------------------- NAT over IPv6
# iop_v6_ns NS: a namespace with IPv6 on and no duplicate address detection.
iop_v6_ns() {
	lab_ns_add "$1"
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
		net.ipv6.conf.default.disable_ipv6=0 net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0
}
# iop_v6_nat_topo INSIDE NAT OUTSIDE: three namespaces in a row. INSIDE
# (eth0, 2001:db8:1::1) reaches the world through NAT (eth0 2001:db8:1::fe
# inside, eth1 2001:db8:a::fe outside); OUTSIDE (eth0, 2001:db8:a::2) sees
# every packet of INSIDE from 2001:db8:a::fe, from a port of 40500-40599
# (NAT66 masquerade by ip6tables-legacy: the lab kernel's nf_tables has no
# NAT chain type, its x_tables has ip6table_nat and MASQUERADE). OUTSIDE has
# no route to 2001:db8:1::/64: only the NAT's mappings lead in.
IOP_NAT_IN=2001:db8:1::1 IOP_NAT_PUB=2001:db8:a::fe IOP_NAT_OUT=2001:db8:a::2
iop_v6_nat_topo() {
	local in=$1 nat=$2 out=$3
	iop_v6_ns "$in"
	iop_v6_ns "$nat"
	iop_v6_ns "$out"
	ip link add eth0 netns "$in" type veth peer name eth0 netns "$nat" &&
	ip link add eth1 netns "$nat" type veth peer name eth0 netns "$out" || return 1
	ip -n "$in" addr add $IOP_NAT_IN/64 dev eth0 nodad
	ip -n "$nat" addr add 2001:db8:1::fe/64 dev eth0 nodad
	ip -n "$nat" addr add $IOP_NAT_PUB/64 dev eth1 nodad
	ip -n "$out" addr add $IOP_NAT_OUT/64 dev eth0 nodad
	ip -n "$in" link set eth0 up
	ip -n "$nat" link set eth0 up
	ip -n "$nat" link set eth1 up
	ip -n "$out" link set eth0 up
	ip -n "$in" -6 route add default via 2001:db8:1::fe || return 1
	ip netns exec "$nat" sysctl -qw net.ipv6.conf.all.forwarding=1 || return 1
	ip netns exec "$nat" ip6tables-legacy -t nat -A POSTROUTING -o eth1 \
		-p udp -j MASQUERADE --to-ports 40500-40599 &&
	ip netns exec "$nat" ip6tables-legacy -t nat -A POSTROUTING -o eth1 -j MASQUERADE
}
# iop_nat_mappings NS: the NAT's UDP mappings (conntrack), one a line:
# "SRC SPORT -> PUBLIC PUBPORT".
iop_nat_mappings() {
	ip netns exec "$1" cat /proc/net/nf_conntrack 2>/dev/null | awk '$3 == "udp" {
		n = 0
		for (i = 1; i <= NF; i++)
			if ($i ~ /^(src|sport|dst|dport)=/) v[++n] = substr($i, index($i, "=") + 1)
		print v[1], v[3], "->", v[6], v[8] }'
}
