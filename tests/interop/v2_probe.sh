#!/bin/sh
# strongSwan against the IKEv2 wire and crypto layer, without the engine:
# charon initiates from one network namespace; tests/interop/v2_probe in the
# other answers IKE_SA_INIT with a message of the builder, decrypts charon's
# IKE_AUTH with the keys ik_v2_derive made, parses its inner payloads, checks
# its AUTH with the pre-shared key and answers with its own AUTH, which charon
# must accept (IKE SA established in its log). For AES-CBC-256/HMAC-SHA256/
# modp2048, AES-GCM-256/X25519 and ChaCha20-Poly1305/ECP-256; then once with
# a different key on the probe's side, where the AUTH check must refuse.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"
need_netns
CHARON=${CHARON:-/usr/lib/ipsec/charon}
SWANCTL=${SWANCTL:-/usr/sbin/swanctl}
if [ ! -x "$CHARON" ] || [ ! -x "$SWANCTL" ] ||
   [ ! -f /usr/lib/ipsec/plugins/libstrongswan-kdf.so ]; then
	echo "SKIP: strongSwan (charon, swanctl, the kdf plugin) is not installed"
	exit 77
fi
PROBE=$top_builddir/tests/interop/v2_probe

a=v2p$$a
b=v2p$$b
ip netns add "$a" || fail "ip netns add"
namespaces="$a"
ip netns add "$b" || fail "ip netns add"
namespaces="$a $b"
ip -n "$a" link add eth0 type veth peer name eth0 netns "$b" || fail "veth"
ip -n "$a" addr add 198.51.100.1/24 dev eth0
ip -n "$b" addr add 198.51.100.2/24 dev eth0
for ns in "$a" "$b"; do
	ip -n "$ns" link set lo up
	ip -n "$ns" link set eth0 up
done

plugins="random nonce aes sha1 sha2 hmac kdf gcm gmp curve25519 chapoly openssl"
plugins="$plugins socket-default vici kernel-netlink"
cat >"$tmp/strongswan.conf" <<EOC
charon {
	load = $plugins
	install_routes = no
	retransmit_tries = 1
	filelog {
		iop {
			path = /run/charon.log
			flush_line = yes
			default = 1
			ike = 2
		}
	}
	syslog {
		daemon {
			default = -1
		}
	}
}
EOC
swan() { STRONGSWAN_CONF=$tmp/strongswan.conf "$SWANCTL" "$@" --uri "unix://$tmp/charon.vici"; }

# charon with a private /run (it writes its PID file there)
ip netns exec "$a" env STRONGSWAN_CONF=/run/strongswan.conf unshare -m --propagation private \
	sh -c "mount --bind '$tmp' /run && exec '$CHARON'" >"$tmp/charon.err" 2>&1 &
charon=$!
pids="$charon"
n=0
until swan --stats >/dev/null 2>&1; do
	kill -0 "$charon" 2>/dev/null || fail "charon did not start"
	[ $n -ge 100 ] && fail "charon did not answer on its vici socket"
	sleep 0.1
	n=$((n + 1))
done

# run SUITE PROPOSALS PROBE_KEY: one IKE_SA_INIT + IKE_AUTH; the probe's exit status
run() {
	cat >"$tmp/swanctl.conf" <<EOC
connections {
	$1 {
		version = 2
		local_addrs = 198.51.100.1
		remote_addrs = 198.51.100.2
		proposals = $2
		local {
			auth = psk
			id = 198.51.100.1
		}
		remote {
			auth = psk
			id = 198.51.100.2
		}
		children {
			$1 {
				esp_proposals = aes256-sha256
			}
		}
	}
}
secrets {
	ike-1 {
		id-1 = 198.51.100.1
		id-2 = 198.51.100.2
		secret = lab-psk-v2
	}
}
EOC
	swan --load-all --file "$tmp/swanctl.conf" >"$tmp/load-$1.out" 2>&1 ||
		fail "swanctl --load-all: $(cat "$tmp/load-$1.out")"
	ip netns exec "$b" "$PROBE" 198.51.100.2 "$3" "$1" 15 >"$tmp/probe-$1.out" 2>&1 &
	probe=$!
	pids="$pids $probe"
	sleep 0.2
	swan --initiate --child "$1" --timeout 1 >"$tmp/initiate-$1.out" 2>&1
	wait "$probe"
	rc=$?
	sed "s/^/  $1: /" "$tmp/probe-$1.out"
	swan --list-sas >"$tmp/sas-$1.out" 2>&1
	swan --terminate --ike "$1" --force --timeout 1 >/dev/null 2>&1
	return $rc
}

for s in "cbc aes256-sha256-modp2048" "gcm aes256gcm16-prfsha256-x25519" \
	 "chacha chacha20poly1305-prfsha256-ecp256"; do
	# shellcheck disable=SC2086 # the suite's name and proposals, split on purpose
	set -- $s
	run "$1" "$2" lab-psk-v2 || fail "$1: see above"
	# charon checked the probe's AUTH: the IKE SA is established on its side
	grep -q "IKE_SA $1\[[0-9]*\] established between" "$tmp/charon.log" ||
		fail "$1: charon did not establish the IKE SA (see $tmp/charon.log)"
	echo "  $1: charon: $(grep -o "IKE_SA $1\[[0-9]*\] established between.*" \
		"$tmp/charon.log" | tail -n 1)"
done
if run cbc aes256-sha256-modp2048 not-the-key; then
	fail "the probe accepted charon's AUTH with another pre-shared key"
fi
grep -q "FAIL IKE_AUTH: AUTH does not match the pre-shared key" "$tmp/probe-cbc.out" ||
	fail "the wrong key did not end at the AUTH check"
echo "PASS: IKE_AUTH with strongSwan: decrypted and AUTH checked both ways, three suites"
