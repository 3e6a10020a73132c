# lab-sanity: the lab guest itself has what the other scenarios rely on.
# Two routers over veth, ESP in tunnel mode installed by iproute2 (not by
# ikerd), a ping from LAN to LAN across it with the kernel counting packets on
# both sides; GRE, VTI, VRF and netem devices can be made.
. "$LAB_SRC/tests/lab/lib.sh"

lab_ns_add r1
lab_ns_add r2
lab_veth r1 eth0 198.51.100.1/24 r2 eth0 198.51.100.2/24
lab_lan r1 192.0.2.1/24
lab_lan r2 203.0.113.1/24
ip -n r1 route add 203.0.113.0/24 via 198.51.100.2
ip -n r2 route add 192.0.2.0/24 via 198.51.100.1

k1=0x$(printf '%032x' 1)
k2=0x$(printf '%064x' 2)
k3=0x$(printf '%032x' 3)
k4=0x$(printf '%064x' 4)
for ns in r1 r2; do
	ip -n $ns xfrm state add src 198.51.100.1 dst 198.51.100.2 proto esp spi 0x1001 \
		reqid 1 mode tunnel enc 'cbc(aes)' $k1 auth-trunc 'hmac(sha256)' $k2 128 ||
		lab_fail "ESP SA in $ns (esp4 module?)"
	ip -n $ns xfrm state add src 198.51.100.2 dst 198.51.100.1 proto esp spi 0x1002 \
		reqid 1 mode tunnel enc 'cbc(aes)' $k3 auth-trunc 'hmac(sha256)' $k4 128 ||
		lab_fail "ESP SA in $ns"
done
ip -n r1 xfrm policy add src 192.0.2.0/24 dst 203.0.113.0/24 dir out \
	tmpl src 198.51.100.1 dst 198.51.100.2 proto esp reqid 1 mode tunnel
ip -n r1 xfrm policy add src 203.0.113.0/24 dst 192.0.2.0/24 dir in \
	tmpl src 198.51.100.2 dst 198.51.100.1 proto esp reqid 1 mode tunnel
ip -n r2 xfrm policy add src 203.0.113.0/24 dst 192.0.2.0/24 dir out \
	tmpl src 198.51.100.2 dst 198.51.100.1 proto esp reqid 1 mode tunnel
ip -n r2 xfrm policy add src 192.0.2.0/24 dst 203.0.113.0/24 dir in \
	tmpl src 198.51.100.1 dst 198.51.100.2 proto esp reqid 1 mode tunnel

out=$(lab_ping r1 192.0.2.1 203.0.113.1 3)
echo "$out"
lab_assert_match "ping across ESP" ' 0% packet loss' "$out"
lab_assert_ge "r1 ESP packets out" 3 "$(lab_xfrm_packets r1 198.51.100.1 198.51.100.2)"
lab_assert_ge "r2 ESP packets in" 3 "$(lab_xfrm_packets r2 198.51.100.1 198.51.100.2)"
lab_assert_ge "r2 ESP packets out" 3 "$(lab_xfrm_packets r2 198.51.100.2 198.51.100.1)"

# Other algorithms the backend uses are accepted by this kernel.
ip -n r1 xfrm state add src 198.51.100.1 dst 198.51.100.2 proto esp spi 0x2001 \
	mode tunnel aead 'rfc4106(gcm(aes))' 0x$(printf '%040x' 5) 128 || lab_fail "GCM SA"
ip -n r1 xfrm state add src 198.51.100.1 dst 198.51.100.2 proto esp spi 0x2002 \
	mode tunnel enc 'cbc(des3_ede)' 0x$(printf '%048x' 6) auth-trunc 'hmac(md5)' \
	0x$(printf '%032x' 7) 96 || lab_fail "3DES SA"
ip -n r1 xfrm state add src 198.51.100.1 dst 198.51.100.2 proto esp spi 0x2003 \
	mode tunnel enc 'cbc(des)' 0x$(printf '%016x' 8) auth-trunc 'hmac(sha512)' \
	0x$(printf '%0128x' 9) 256 || lab_fail "DES/SHA-512 SA"

ip -n r1 link add gt0 type gre local 198.51.100.1 remote 198.51.100.2 ttl 255 ||
	lab_fail "GRE link"
ip -n r1 link add vt0 type vti local 198.51.100.1 remote 198.51.100.2 ikey 5 okey 5 ||
	lab_fail "VTI link"
lab_vrf r1 blue 10
lab_netem r1 eth0 loss 30%
lab_log "GRE, VTI, VRF and netem available"
