# Helpers of the benchmark scripts (bash; sourced after tests/daemon/lib.sh and
# tests/bench/loadlib.sh). Everything they build or fetch stays under
# $top_builddir/bench-cache (never committed).
CACHE=$top_builddir/bench-cache

# bench_plain_build: an optimised build without sanitizers (the benchmarks'
# figures must not include ASan's cost); reuses $top_builddir when it is one.
bench_plain_build() {
	if ! grep -q -e '-fsanitize' "$top_builddir/Makefile" 2>/dev/null; then
		BIN=$top_builddir
		return
	fi
	BIN=$CACHE/obj
	mkdir -p "$BIN"
	echo "# building an optimised tree without sanitizers in $BIN" >&2
	if [ ! -f "$BIN/Makefile" ]; then
		(cd "$BIN" && "$top_srcdir/configure" -q >"$BIN/configure.out" 2>&1) \
			|| fail "configure of the plain build: see $BIN/configure.out"
	fi
	make -s -C "$BIN" -j2 ikerd ikerctl tests/bench/ikeload tests/bench/bench_handshake \
		tests/bench/bench_resolver >"$BIN/make.out" 2>&1 \
		|| fail "plain build: see $BIN/make.out"
}

# bench_deps: Debian packages only the benchmarks need, installed on demand.
bench_deps() {
	missing=""
	command -v gnuplot >/dev/null || missing="$missing gnuplot-nox"
	[ -x /usr/lib/ipsec/charon ] || missing="$missing strongswan-charon strongswan-swanctl"
	[ -f /usr/lib/ipsec/plugins/libstrongswan-openssl.so ] \
		|| missing="$missing libstrongswan-standard-plugins"
	dpkg -s libgmp-dev >/dev/null 2>&1 || missing="$missing libgmp-dev"
	command -v bzip2 >/dev/null || missing="$missing bzip2"
	if [ -n "$missing" ]; then
		echo "# installing$missing" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >&2 \
			|| fail "apt-get install$missing"
	fi
}

# swan_loadtester: strongSwan's load-tester plugin (its fake_kernel records
# SAs without a kernel), which Debian does not ship in a binary package:
# built once from Debian's strongswan source package, for the installed
# version, and cached. Sets LT_SO.
swan_loadtester() {
	local ver dir src
	ver=$(dpkg-query -W -f '${Version}' strongswan-charon 2>/dev/null)
	[ -n "$ver" ] || fail "strongswan-charon is not installed"
	LT_SO=$CACHE/strongswan-$ver/libstrongswan-load-tester.so
	[ -f "$LT_SO" ] && return
	dir=$CACHE/apt
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$CACHE/strongswan-$ver"
	# a private source list: deb-src for the Debian archive the binaries came from
	cat >"$dir/sources.list" <<EOF
deb-src http://deb.debian.org/debian bookworm main
deb-src http://deb.debian.org/debian-security bookworm-security main
EOF
	APTO="-o Dir::Etc::SourceList=$dir/sources.list -o Dir::Etc::SourceParts=/dev/null
		-o Dir::State::Lists=$dir/lists -o Dir::Cache=$dir/cache"
	# shellcheck disable=SC2086
	apt-get $APTO update >"$dir/update.out" 2>&1 || fail "apt-get update (deb-src)"
	src=$CACHE/strongswan-$ver/src
	mkdir -p "$src"
	# shellcheck disable=SC2086
	(cd "$src" && apt-get $APTO source --download-only "strongswan=$ver" \
		>"$dir/source.out" 2>&1 || apt-get $APTO source --download-only strongswan \
		>>"$dir/source.out" 2>&1)
	tarball=$(ls "$src"/strongswan_*.orig.tar.* 2>/dev/null | head -n 1)
	[ -n "$tarball" ] || fail "no strongswan source tarball: see $dir/source.out"
	tar -C "$src" -xf "$tarball" || fail "unpacking $tarball"
	tree=$(ls -d "$src"/strongswan-*/ | head -n 1)
	# configure as Debian does where it changes the daemon's structures
	# (mediation on), then build the plugin's directory only
	(cd "$tree" && ./configure --prefix=/usr --sysconfdir=/etc --libexecdir=/usr/lib \
		--with-ipsecdir=/usr/lib/ipsec --enable-load-tester --enable-mediation \
		--disable-stroke --disable-scepclient --disable-pki --disable-swanctl \
		--disable-updown >"$src/configure.out" 2>&1) \
		|| fail "strongswan configure: see $src/configure.out"
	make -C "$tree/src/libcharon/plugins/load_tester" >"$src/make.out" 2>&1 \
		|| fail "load-tester build: see $src/make.out"
	cp "$tree/src/libcharon/plugins/load_tester/.libs/libstrongswan-load-tester.so" "$LT_SO"
}

# swan_start DIR NS BACKEND CPUS [THREADS]: charon in NS with its own /run
# (DIR/run) and a plugin directory with load-tester added (DIR/plugins), both
# bind-mounted in a private mount namespace. BACKEND: openssl (all crypto from
# OpenSSL), gmp (MODP Diffie-Hellman from gmp with short exponents, the rest
# from OpenSSL) or curve25519 (X25519 from strongSwan's own implementation).
# CPUS: taskset list or "". THREADS: charon.threads (default: charon's 16).
# Sets SWAN_PID.
swan_start() {
	local d=$1 ns=$2 be=$3 cpus=$4 threads=${5:-16} load
	mkdir -p "$d/run" "$d/plugins"
	rm -rf "$d/run/"*
	if [ ! -f "$d/plugins/libstrongswan-load-tester.so" ]; then
		cp /usr/lib/ipsec/plugins/*.so "$d/plugins/"
		cp "$LT_SO" "$d/plugins/"
	fi
	case $be in
	gmp | curve25519)
		load="load-tester random nonce $be openssl hmac kdf kernel-netlink socket-default vici" ;;
	*)
		load="load-tester random nonce openssl hmac kdf kernel-netlink socket-default vici" ;;
	esac
	cat >"$d/run/strongswan.conf" <<EOF
charon {
	load = $load
	threads = $threads
	install_routes = no
	install_virtual_ip = no
	dh_exponent_ansi_x9_42 = no
	ikesa_table_size = 65536
	ikesa_table_segments = 16
	plugins {
		load-tester {
			# only its record-only kernel interface is used: its own
			# configuration is IKEv2 towards an address no peer has
			enable = yes
			fake_kernel = yes
			initiators = 0
			version = 2
			responder = 192.0.2.254
			preshared_key = $PSK
		}
	}
	filelog {
		f {
			path = /run/charon.log
			default = 0
			ike = 0
		}
	}
	syslog {
		daemon {
			default = -1
		}
	}
}
EOF
	if [ -n "$cpus" ]; then
		ip netns exec "$ns" taskset -c "$cpus" unshare -m --propagation private sh -c \
			"mount --bind '$d/run' /run && mount --bind '$d/plugins' /usr/lib/ipsec/plugins \
			&& STRONGSWAN_CONF=/run/strongswan.conf exec /usr/lib/ipsec/charon" \
			>"$d/stdout" 2>&1 </dev/null &
	else
		ip netns exec "$ns" unshare -m --propagation private sh -c \
			"mount --bind '$d/run' /run && mount --bind '$d/plugins' /usr/lib/ipsec/plugins \
			&& STRONGSWAN_CONF=/run/strongswan.conf exec /usr/lib/ipsec/charon" \
			>"$d/stdout" 2>&1 </dev/null &
	fi
	SWAN_PID=$!
	pids="$pids $SWAN_PID"
	local k=0
	until swanctl --stats --uri "unix://$d/run/charon.vici" >/dev/null 2>&1; do
		kill -0 "$SWAN_PID" 2>/dev/null || fail "charon exited: $(cat "$d/stdout")"
		[ $k -ge 100 ] && fail "charon did not answer on its vici socket"
		sleep 0.1
		k=$((k + 1))
	done
}

swan_load() { # swan_load DIR FILE
	swanctl --load-all --noprompt --file "$2" --uri "unix://$1/run/charon.vici" \
		>"$1/load.out" 2>&1 || fail "swanctl --load-all: $(cat "$1/load.out")"
}

# stop_pid PID: TERM, then KILL after 20 s
stop_pid() {
	local k=0
	kill -TERM "$1" 2>/dev/null
	while kill -0 "$1" 2>/dev/null && [ $k -lt 200 ]; do
		sleep 0.1
		k=$((k + 1))
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

proc_anon_kb() { awk '/^Anonymous:/ { print $2 }' "/proc/$1/smaps_rollup"; }
