# Helpers of the ikerd/ikerctl shell tests (sourced). Every daemon a test
# starts is stopped by its PID in the EXIT trap, also on failure; every wait
# is bounded.
set -u
: "${top_builddir:=$(pwd)}"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
IKERD=$top_builddir/ikerd
IKERCTL=$top_builddir/ikerctl
tmp=$(mktemp -d /tmp/ikerd-test.XXXXXX)
chmod 755 "$tmp"
pids=""
namespaces=""

cleanup() {
	for p in $pids; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $pids; do
		n=0
		while kill -0 "$p" 2>/dev/null && [ $n -lt 50 ]; do
			sleep 0.1
			n=$((n + 1))
		done
		kill -KILL "$p" 2>/dev/null
	done
	for ns in $namespaces; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*" >&2
	for f in "$tmp"/*.err; do
		[ -f "$f" ] || continue
		echo "--- $f (last lines)" >&2
		tail -n 30 "$f" >&2
	done
	exit 1
}

# netns_pair A B: namespaces A (198.51.100.1) and B (198.51.100.2) joined by a
# veth pair named eth0 on both sides, loopbacks up; cleanup removes them.
netns_pair() {
	ip netns add "$1" || fail "ip netns add"
	namespaces="$namespaces $1"
	ip netns add "$2" || fail "ip netns add"
	namespaces="$namespaces $2"
	ip -n "$1" link add eth0 type veth peer name eth0 netns "$2" || fail "veth"
	ip -n "$1" addr add 198.51.100.1/24 dev eth0
	ip -n "$2" addr add 198.51.100.2/24 dev eth0
	for ns in "$1" "$2"; do
		ip -n "$ns" link set lo up
		ip -n "$ns" link set eth0 up
	done
}

need_netns() {
	if [ "$(id -u)" != 0 ] || ! unshare -n true 2>/dev/null; then
		echo "SKIP: needs root and network namespaces"
		exit 77
	fi
}

# wait_for_socket PATH PID: until PATH is a socket (at most 10 s) while PID lives.
wait_for_socket() {
	n=0
	while [ ! -S "$1" ]; do
		kill -0 "$2" 2>/dev/null || return 1
		[ $n -ge 100 ] && return 1
		sleep 0.1
		n=$((n + 1))
	done
}

# wait_gone PID: until the process has exited (at most 10 s).
wait_gone() {
	n=0
	while kill -0 "$1" 2>/dev/null; do
		[ $n -ge 100 ] && return 1
		sleep 0.1
		n=$((n + 1))
	done
}

# wait_grep FILE PATTERN: until FILE has a line matching PATTERN (at most 10 s).
wait_grep() {
	n=0
	while ! grep -q -e "$2" "$1" 2>/dev/null; do
		[ $n -ge 100 ] && return 1
		sleep 0.1
		n=$((n + 1))
	done
}

# wait_cmd_grep PATTERN CMD...: until CMD's output matches PATTERN (at most 10 s).
wait_cmd_grep() {
	pat=$1
	shift
	n=0
	while ! "$@" 2>/dev/null | grep -q -e "$pat"; do
		[ $n -ge 100 ] && return 1
		sleep 0.1
		n=$((n + 1))
	done
}

# wait_cmd_nogrep PATTERN CMD...: until CMD's output no longer matches (at most 10 s).
wait_cmd_nogrep() {
	pat=$1
	shift
	n=0
	while "$@" 2>/dev/null | grep -q -e "$pat"; do
		[ $n -ge 100 ] && return 1
		sleep 0.1
		n=$((n + 1))
	done
}
