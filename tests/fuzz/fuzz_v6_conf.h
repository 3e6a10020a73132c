/* R1 and R2 over IPv6 (2001:db8::1 and 2001:db8::2, GRE over IPv6), for the
 * IKE-over-IPv6 responder fuzz target (fuzz_v6_responder.c) and the run that
 * records its seeds (tests/unit/test_exchange_pcap.c --corpus): R2 answers
 * IKEv1 and IKEv2 (address ipv6 keys, match identity address ipv6); R1 starts
 * Tunnel1 over IKEv1 (fuzz_v6_r1_v1) or IKEv2 (fuzz_v6_r1_v2). */
#ifndef IK_FUZZ_V6_CONF_H
#define IK_FUZZ_V6_CONF_H

#define FUZZ_V6_IPSEC                                           \
	"crypto ipsec transform-set TS esp-aes esp-sha256-hmac\n" \
	" mode tunnel\n"

static const char fuzz_v6_r2[] =
	"hostname R2\n"
	"crypto keyring keyring1\n"
	"  pre-shared-key address ipv6 2001:db8::1/128 key cisco6\n"
	"crypto isakmp policy 10\n"
	" encr aes\n"
	" hash sha256\n"
	" authentication pre-share\n"
	" group 14\n"
	"crypto isakmp profile profile1\n"
	"   keyring keyring1\n"
	"   match identity address ipv6 2001:db8::1/128\n"
	"crypto ikev2 proposal PROP\n"
	" encryption aes-cbc-256\n"
	" integrity sha256\n"
	" group 14\n"
	"crypto ikev2 policy POL\n"
	" proposal PROP\n"
	"crypto ikev2 keyring v2keyring\n"
	" peer R1\n"
	"  address ipv6 2001:db8::1/128\n"
	"  pre-shared-key cisco6\n"
	"crypto ikev2 profile v2profile\n"
	" match identity remote address ipv6 2001:db8::1/128\n"
	" authentication remote pre-share\n"
	" authentication local pre-share\n"
	" keyring local v2keyring\n"
	FUZZ_V6_IPSEC
	"crypto ipsec profile profile1\n"
	" set transform-set TS\n"
	" set isakmp-profile profile1\n"
	"interface Tunnel1\n"
	" ip address 10.0.0.2 255.255.255.0\n"
	" tunnel source Ethernet0/0\n"
	" tunnel mode gre ipv6\n"
	" tunnel destination 2001:db8::1\n"
	" tunnel protection ipsec profile profile1\n"
	"interface Ethernet0/0\n"
	" ipv6 address 2001:db8::2/64\n";

static const char fuzz_v6_r1_v1[] =
	"hostname R1\n"
	"crypto keyring keyring1\n"
	"  pre-shared-key address ipv6 2001:db8::2/128 key cisco6\n"
	"crypto isakmp policy 10\n"
	" encr aes\n"
	" hash sha256\n"
	" authentication pre-share\n"
	" group 14\n"
	"crypto isakmp profile profile1\n"
	"   keyring keyring1\n"
	"   match identity address ipv6 2001:db8::2/128\n"
	FUZZ_V6_IPSEC
	"crypto ipsec profile profile1\n"
	" set transform-set TS\n"
	" set isakmp-profile profile1\n"
	"interface Tunnel1\n"
	" ip address 10.0.0.1 255.255.255.0\n"
	" tunnel source Ethernet0/0\n"
	" tunnel mode gre ipv6\n"
	" tunnel destination 2001:db8::2\n"
	" tunnel protection ipsec profile profile1\n"
	"interface Ethernet0/0\n"
	" ipv6 address 2001:db8::1/64\n";

static const char fuzz_v6_r1_v2[] =
	"hostname R1\n"
	"crypto ikev2 proposal PROP\n"
	" encryption aes-cbc-256\n"
	" integrity sha256\n"
	" group 14\n"
	"crypto ikev2 policy POL\n"
	" proposal PROP\n"
	"crypto ikev2 keyring v2keyring\n"
	" peer R2\n"
	"  address ipv6 2001:db8::2/128\n"
	"  pre-shared-key cisco6\n"
	"crypto ikev2 profile v2profile\n"
	" match identity remote address ipv6 2001:db8::2/128\n"
	" authentication remote pre-share\n"
	" authentication local pre-share\n"
	" keyring local v2keyring\n"
	FUZZ_V6_IPSEC
	"crypto ipsec profile profile1\n"
	" set transform-set TS\n"
	" set ikev2-profile v2profile\n"
	"interface Tunnel1\n"
	" ip address 10.0.0.1 255.255.255.0\n"
	" tunnel source Ethernet0/0\n"
	" tunnel mode gre ipv6\n"
	" tunnel destination 2001:db8::2\n"
	" tunnel protection ipsec profile profile1\n"
	"interface Ethernet0/0\n"
	" ipv6 address 2001:db8::1/64\n";

#endif
