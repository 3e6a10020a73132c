# lib.sh: helpers for lab scenarios (bash), sourced by tests/lab/scenarios/*.sh.
#
# A scenario runs inside the user-mode Linux guest (tests/lab/uml-run.sh) as
# root. It builds its routers as network namespaces joined by veth links, using
# documentation ranges only: 198.51.100.0/24 for the transport link between
# routers, 192.0.2.0/24 and 203.0.113.0/24 for the LANs behind them (a dummy
# interface inside each router namespace). Everything a scenario starts is
# recorded and stopped by PID when it exits (trap), also on failure; every wait
# is bounded in time. Assertions print what was expected and what was seen.
#
# Variables from uml-init.sh: LAB_OUT (write files here), LAB_BUILD (the lab
# build, see build-lab.sh), LAB_SRC (source tree), LAB_NAME.

set -u
: "${LAB_OUT:?run scenarios through tests/lab/uml-run.sh}"
: "${LAB_BUILD:?run scenarios through tests/lab/uml-run.sh}"
LAB_SRC=${LAB_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
LAB_T0=${EPOCHREALTIME/[.,]/}
LAB_PIDS=()
LAB_NAMESPACES=()

# The programs of the lab build; a scenario that needs one it cannot find
# fails with the path it looked at.
lab_find_prog() { # name candidates...
	local name=$1 p
	shift
	for p in "$@"; do
		if [ -x "$p" ]; then
			echo "$p"
			return 0
		fi
	done
	echo "$LAB_BUILD/src/$name"
}
IKERD=${IKERD:-$(lab_find_prog ikerd "$LAB_BUILD/ikerd" "$LAB_BUILD/src/daemon/ikerd")}
IKERCTL=${IKERCTL:-$(lab_find_prog ikerctl "$LAB_BUILD/ikerctl" "$LAB_BUILD/src/ctl/ikerctl")}
KERN_PROBE=${KERN_PROBE:-$LAB_BUILD/tests/lab/kern_probe}

# ---- messages and assertions ----
# (no forks here: a process start costs a lot inside user-mode Linux)
lab_log() {
	local us=$((${EPOCHREALTIME/[.,]/} - LAB_T0))
	printf '[lab %3d.%02ds] %s\n' $((us / 1000000)) $((us % 1000000 / 10000)) "$*"
}
# lab_matches TEXT ERE: like grep -Eq on TEXT's lines; without a fork unless
# the expression is anchored (^ or $ apply to lines).
lab_matches() {
	case $2 in
	*'^'* | *'$'*) printf '%s\n' "$1" | grep -Eq -- "$2" ;;
	*) [[ $1 =~ $2 ]] ;;
	esac
}
lab_fail() {
	echo "FAIL: $*"
	exit 1
}
lab_need() { # program: fails when it is not built
	[ -x "$1" ] || lab_fail "$1 is not built (run tests/lab/build-lab.sh)"
}
# lab_skip REASON: the scenario cannot run on this build (a feature that is
# not there yet): exit status 77, the reason in $LAB_OUT/skip; the runners
# print "SKIP name (reason)", which is neither a pass nor a failure.
lab_skip() {
	echo "SKIP: $*"
	printf '%s\n' "$*" >"$LAB_OUT/skip"
	exit 77
}
# lab_feature NAME: ikerd --features says "NAME yes".
lab_feature() {
	lab_need "$IKERD"
	"$IKERD" --features | grep -qx "$1 yes"
}
# lab_need_feature NAME...: skips the scenario unless ikerd has every NAME.
lab_need_feature() {
	local f
	for f in "$@"; do
		lab_feature "$f" || lab_skip "ikerd --features: $f no"
	done
}
lab_assert_eq() { # what expected seen
	if [ "$2" != "$3" ]; then
		lab_fail "$1: expected '$2', saw '$3'"
	fi
	lab_log "ok: $1 = $3"
}
lab_assert_ge() { # what minimum seen
	if ! [ "$3" -ge "$2" ] 2>/dev/null; then
		lab_fail "$1: expected at least $2, saw '$3'"
	fi
	lab_log "ok: $1 = $3 (>= $2)"
}
lab_assert_match() { # what extended-regex text
	if ! lab_matches "$3" "$2"; then
		printf '%s\n' "---- $1: seen:" "$3" "----"
		lab_fail "$1: expected a line matching /$2/"
	fi
	lab_log "ok: $1 matches /$2/"
}
lab_assert_no_match() { # what extended-regex text
	if lab_matches "$3" "$2"; then
		printf '%s\n' "---- $1: seen:" "$3" "----"
		lab_fail "$1: expected no line matching /$2/"
	fi
	lab_log "ok: $1 has no /$2/"
}
lab_assert_file_match() { # what extended-regex file
	if ! grep -Eq -- "$2" "$3" 2>/dev/null; then
		echo "---- $1: last lines of $3:"
		tail -n 30 "$3" 2>/dev/null
		echo "----"
		lab_fail "$1: expected a line matching /$2/ in $3"
	fi
	lab_log "ok: $1: $3 matches /$2/"
}

# lab_wait SECONDS DESCRIPTION CMD...: runs CMD every 0.2 s until it succeeds,
# at most SECONDS; on time-out fails with DESCRIPTION and CMD's last output.
lab_wait() {
	local secs=$1 desc=$2 end out
	shift 2
	end=$((EPOCHSECONDS + secs))
	while :; do
		if out=$("$@" 2>&1); then
			lab_log "ok: $desc"
			return 0
		fi
		[ "$EPOCHSECONDS" -lt "$end" ] || break
		sleep 0.2
	done
	printf '%s\n' "---- last output of: $*" "$out" "----"
	lab_fail "$desc: not reached within $secs s"
}

# ---- topology ----
lab_ns_add() { # NS
	ip netns add "$1" || lab_fail "ip netns add $1"
	LAB_NAMESPACES+=("$1")
	ip -n "$1" link set lo up
	# IPv4 only: no IPv6 router solicitations or MLD reports over the tunnels
	ip netns exec "$1" sh -c 'sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1'
}
lab_in() { # NS CMD...: runs CMD inside NS
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}
# lab_veth NS1 IF1 ADDR1/PLEN NS2 IF2 ADDR2/PLEN: a veth link between two routers.
lab_veth() {
	ip link add "$2" netns "$1" type veth peer name "$5" netns "$4" ||
		lab_fail "veth $1:$2 -- $4:$5"
	ip -n "$1" addr add "$3" dev "$2"
	ip -n "$4" addr add "$6" dev "$5"
	ip -n "$1" link set "$2" up
	ip -n "$4" link set "$5" up
}
# lab_lan NS ADDR/PLEN [IFNAME]: the LAN behind a router, on a dummy interface.
lab_lan() {
	local ifn=${3:-lan0}
	ip -n "$1" link add "$ifn" type dummy || lab_fail "dummy $ifn in $1"
	ip -n "$1" addr add "$2" dev "$ifn"
	ip -n "$1" link set "$ifn" up
}
# lab_vrf NS NAME TABLE: a VRF device (ikerd expects configured VRFs to exist).
lab_vrf() {
	ip -n "$1" link add "$2" type vrf table "$3" || lab_fail "vrf $2 in $1"
	ip -n "$1" link set "$2" up
}
# lab_netem NS IF ARGS...: e.g. lab_netem r1 eth0 loss 30%
lab_netem() {
	local ns=$1 ifn=$2
	shift 2
	ip netns exec "$ns" tc qdisc replace dev "$ifn" root netem "$@" ||
		lab_fail "netem $* on $ns:$ifn"
}

# ---- processes ----
# lab_bg NS NAME CMD...: starts CMD inside NS in the background, output in
# $LAB_OUT/NAME.log; its PID is recorded (LAB_LAST_PID) and stopped at exit.
lab_bg() {
	local ns=$1 name=$2
	shift 2
	ip netns exec "$ns" "$@" >"$LAB_OUT/$name.log" 2>&1 </dev/null &
	LAB_LAST_PID=$!
	LAB_PIDS+=("$LAB_LAST_PID")
	lab_log "started $name in $ns: pid $LAB_LAST_PID: $*"
}
# lab_stop PID [SIGNAL]: stops one recorded process and waits for it (3 s,
# then SIGKILL).
lab_stop() {
	local pid=$1 sig=${2:-TERM} i
	kill -"$sig" "$pid" 2>/dev/null || return 0
	for i in $(seq 30); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}
lab_cleanup() {
	local rc=$? pid ns
	for pid in "${LAB_PIDS[@]}"; do
		lab_stop "$pid"
	done
	for ns in "${LAB_NAMESPACES[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	if [ $rc = 0 ]; then
		lab_log "scenario ${LAB_NAME:-?} passed"
	elif [ $rc = 77 ]; then
		lab_log "scenario ${LAB_NAME:-?} skipped: $(cat "$LAB_OUT/skip" 2>/dev/null)"
	else
		lab_log "scenario ${LAB_NAME:-?} failed (status $rc)"
	fi
	exit $rc
}
trap lab_cleanup EXIT
trap 'exit 130' INT TERM

# ---- ikerd ----
# The control socket of a router's ikerd: on the guest's tmpfs /run (AF_UNIX
# sockets do not work on hostfs).
lab_ctl_path() { echo "/run/ikerd-$1.ctl"; }
# lab_ikerd_start NS CONF [ARGS...]: ikerd in the foreground (-d) inside NS
# with the netlink backend, its log in $LAB_OUT/ikerd-NS.log (new at the first
# start, appended at a restart); waits (10 s) until its control socket
# answers. ARGS: more ikerd options (--passive, --debug isakmp,ipsec, ...).
lab_ikerd_start() {
	local ns=$1 conf=$2
	shift 2
	lab_need "$IKERD"
	lab_need "$IKERCTL"
	rm -f "$(lab_ctl_path "$ns")"
	# a new log for this scenario run; a restart within it appends
	if [ -z "$(eval echo "\${LAB_IKERD_PID_$ns:-}")" ]; then
		: >"$LAB_OUT/ikerd-$ns.log"
	fi
	echo "---- ikerd start: $*" >>"$LAB_OUT/ikerd-$ns.log"
	ip netns exec "$ns" "$IKERD" -d -f "$conf" --ctl "$(lab_ctl_path "$ns")" \
		--pid "/run/ikerd-$ns.pid" "$@" >>"$LAB_OUT/ikerd-$ns.log" 2>&1 </dev/null &
	LAB_LAST_PID=$!
	LAB_PIDS+=("$LAB_LAST_PID")
	lab_log "started ikerd in $ns: pid $LAB_LAST_PID: -f $conf $*"
	eval "LAB_IKERD_PID_$ns=$LAB_LAST_PID"
	lab_wait 10 "ikerd in $ns answers on $(lab_ctl_path "$ns")" \
		lab_ikerctl "$ns" show crypto isakmp sa
}
lab_ikerd_pid() { eval "echo \${LAB_IKERD_PID_$1:-}"; }
# lab_ikerctl NS ARGS...: ikerctl against NS's ikerd.
lab_ikerctl() {
	local ns=$1
	shift
	ip netns exec "$ns" "$IKERCTL" --ctl "$(lab_ctl_path "$ns")" "$@"
}
lab_show() { # NS COMMAND...: ikerctl output, printed with the router's prompt
	local ns=$1
	shift
	echo "$ns#$*"
	lab_ikerctl "$ns" "$@"
}
# lab_wait_isakmp NS SECONDS [PEER]: until show crypto isakmp sa lists QM_IDLE
# (with PEER as dst or src when given).
lab_isakmp_idle() {
	local out
	out=$(lab_ikerctl "$1" show crypto isakmp sa) || return 1
	if [ -n "${2:-}" ]; then
		printf '%s\n' "$out" | grep -F "$2" | grep -q QM_IDLE
	else
		printf '%s\n' "$out" | grep -q QM_IDLE
	fi
}
lab_wait_isakmp() {
	lab_wait "$2" "$1: ISAKMP SA in QM_IDLE${3:+ with $3}" lab_isakmp_idle "$1" "${3:-}"
}

# lab_wait_child NS SECONDS: until show crypto ipsec sa has an outbound SPI.
lab_child_up() {
	lab_ikerctl "$1" show crypto ipsec sa | grep -Eq 'current outbound spi: 0x0*[1-9A-Fa-f]'
}
lab_wait_child() {
	lab_wait "$2" "$1: IPsec SA up (outbound SPI)" lab_child_up "$1"
}
# lab_ipsec_pkts NS encaps|decaps: the first counter of that name in show
# crypto ipsec sa.
lab_ipsec_pkts() {
	lab_ikerctl "$1" show crypto ipsec sa |
		sed -n "s/.*#pkts $2: \([0-9]*\).*/\1/p" | head -n 1
}

# ---- the seed's two routers ----
# lab_seed_topology: R1 and R2 (namespaces r1, r2) as in the seed, moved to
# documentation ranges (tests/lab/conf/r1.conf, r2.conf): Ethernet0/0 is eth0
# (198.51.100.1 and .2/24), Loopback0 is lan0 (192.0.2.1/25, 203.0.113.1/24).
lab_seed_topology() {
	lab_ns_add r1
	lab_ns_add r2
	lab_veth r1 eth0 198.51.100.1/24 r2 eth0 198.51.100.2/24
	lab_lan r1 192.0.2.1/25
	lab_lan r2 203.0.113.1/24
}
# lab_seed_conf ROUTER [vti] [lifetime SECONDS]: writes $LAB_OUT/ROUTER.conf,
# the seed's configuration, as a VTI (tunnel mode ipsec ipv4) and/or with a
# phase-2 lifetime in its IPsec profile; prints the path.
lab_seed_conf() {
	local r=$1 f="$LAB_OUT/$1.conf"
	local -a ex=(-e 's/$//')
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		vti) ex+=(-e '/^ tunnel protection/a\ tunnel mode ipsec ipv4')
			shift ;;
		lifetime)
			local line=" set security-association lifetime seconds $2"
			ex+=(-e "/^ set i[a-z0-9]*-profile/a\\$line")
			shift 2 ;;
		*) lab_fail "lab_seed_conf: $1?" ;;
		esac
	done
	sed "${ex[@]}" "$LAB_SRC/tests/lab/conf/$r.conf" >"$f" || lab_fail "config $f"
	echo "$f"
}

# ---- the kernel's view ----
# lab_xfrm_packets NS SRC DST: packets counted by the kernel on the ESP SAs
# from SRC to DST (sum over SAs, e.g. during a rekey), from ip -s xfrm state.
lab_xfrm_packets() {
	ip -n "$1" -s xfrm state | awk -v s="$2" -v d="$3" '
		/^src / { on = ($2 == s && $4 == d) }
		on && /\(packets\)/ { sub(/\(packets\).*/, ""); n += $NF }
		END { print n + 0 }'
}
lab_xfrm_count_sa() { ip -n "$1" xfrm state | grep -c '^src '; }
lab_xfrm_count_policy() { ip -n "$1" xfrm policy | grep -c '^src '; }
# lab_ping NS SRC DST COUNT: ping from SRC inside NS; prints ping's output.
lab_ping() {
	ip netns exec "$1" ping -n -c "$4" -i 0.2 -W 2 -I "$2" "$3"
}

# ---- IKEv2 ----
# lab_v2_ready NS PEER: show crypto ikev2 sa lists an IKE SA with PEER in
# READY (needs ikerd --features: ikev2-show).
lab_v2_ready() {
	lab_ikerctl "$1" show crypto ikev2 sa 2>/dev/null |
		grep -Eq "^[0-9]+ +[0-9.]+/[0-9]+ +$2/[0-9]+ .* READY"
}
lab_wait_v2_ready() { # NS SECONDS PEER
	lab_wait "$2" "IKEv2 SA with $3 READY on $1" lab_v2_ready "$1" "$3"
}
