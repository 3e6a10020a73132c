# lab-timeout: 150
# mtu-mss: `ip mtu 1400` and `ip tcp adjust-mss 1300` on the seed's Tunnel1
# of R1 reach the Linux link: ik-tun1 has MTU 1400 (R2's, not configured,
# keeps GRE's 1476), the tunnel comes up and a ping crosses it. The clamp:
# where the guest kernel has nf_tables for IPv4, ikerd's table (ip ikerd)
# holds the rules and a SYN that R1 sends into the tunnel (MSS 1360 from the
# 1400 MTU) leaves with MSS 1300 (tcpdump on the link); Debian's user-mode
# Linux kernel has none, and then ikerd must say so in one line and still
# bring the tunnel up (the clamp itself is tested on the build host's kernel
# by tests/daemon/mss.sh). When ikerd stops, the link and the table are gone.
. "$LAB_SRC/tests/lab/lib.sh"

command -v nft >/dev/null || lab_fail "nft missing: apt-get install nftables"
command -v tcpdump >/dev/null || lab_fail "tcpdump missing: apt-get install tcpdump"
lab_seed_topology
conf1=$(lab_seed_conf r1)
sed -i -e '/^ tunnel protection/a\ ip tcp adjust-mss 1300' \
	-e '/^ tunnel protection/a\ ip mtu 1400' "$conf1" || lab_fail "editing $conf1"
lab_assert_file_match "R1's configuration" '^ ip mtu 1400$' "$conf1"
lab_ikerd_start r2 "$(lab_seed_conf r2)" --passive
lab_ikerd_start r1 "$conf1"

lab_assert_match "R1's link MTU" ' mtu 1400 ' "$(ip -n r1 link show ik-tun1)"
lab_assert_match "R2's link MTU (not configured: GRE's default)" ' mtu 1476 ' \
	"$(ip -n r2 link show ik-tun1)"
lab_assert_match "running-config keeps them" 'ip tcp adjust-mss 1300' \
	"$(lab_ikerctl r1 show running-config)"
lab_wait_child r1 20
lab_wait_child r2 20
lab_assert_match "ping R1 LAN -> R2 LAN" ' 0% packet loss' "$(lab_ping r1 192.0.2.1 203.0.113.1 3)"

nft_ipv4=1
ip netns add nftprobe
ip netns exec nftprobe nft add table ip probe 2>/dev/null || nft_ipv4=0
ip netns del nftprobe
if [ $nft_ipv4 = 0 ]; then
	lab_log "this guest kernel has no nf_tables for IPv4: the clamp cannot be installed here"
	lab_assert_file_match "R1 says why the clamp is missing" \
		'%IKERD-3-MSS: ip tcp adjust-mss 1300 on Tunnel1 \(not applied\): nftables refused: .*this kernel has no nf_tables for IPv4' \
		"$LAB_OUT/ikerd-r1.log"
else
	rules=$(ip netns exec r1 nft list table ip ikerd 2>&1)
	echo "$rules"
	lab_assert_match "R1's clamp, forwarded out" \
		'oifname "ik-tun1" tcp flags syn tcp option maxseg size > 1300 tcp option maxseg size set 1300' \
		"$rules"
	lab_assert_match "R1's clamp, local output" 'hook output priority mangle' "$rules"
	# one SYN from R1 to R2's LAN through the tunnel, seen on the link
	lab_bg r1 tcpdump tcpdump -n -l -i ik-tun1 -c 1 'tcp[tcpflags] & tcp-syn != 0'
	dump_pid=$LAB_LAST_PID
	lab_wait 10 "tcpdump listening" grep -q "listening on" "$LAB_OUT/tcpdump.log"
	ip netns exec r1 timeout 3 bash -c 'exec 3<>/dev/tcp/203.0.113.1/9' 2>/dev/null
	lab_wait 10 "the SYN captured" grep -q "Flags \[S\]" "$LAB_OUT/tcpdump.log"
	cat "$LAB_OUT/tcpdump.log"
	lab_assert_file_match "the SYN's MSS, clamped" 'mss 1300[,>]' "$LAB_OUT/tcpdump.log"
	lab_stop "$dump_pid"
fi

# ikerd gone: its link and its table with it
lab_stop "$(lab_ikerd_pid r1)"
ip -n r1 link show ik-tun1 >/dev/null 2>&1 && lab_fail "ik-tun1 left behind"
ip netns exec r1 nft list table ip ikerd >/dev/null 2>&1 && lab_fail "table ip ikerd left behind"
lab_log "ok: link and nftables table removed at shutdown"
