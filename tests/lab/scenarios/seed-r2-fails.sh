# seed-r2-fails (b): the seed's failing direction. R2 initiates; R1, as
# responder, takes the pre-shared key from keyring1 (the first keyring with a
# key for R2's address) at MM3, then R2's identity matches profile2, whose
# keyring is keyring2: rule P2, "Key not found in keyrings of profile ,
# aborting exchange" in R1's debug output. No SA reaches either kernel.
. "$LAB_SRC/tests/lab/lib.sh"

lab_seed_topology
lab_ikerd_start r1 "$(lab_seed_conf r1)" --passive --debug isakmp,ipsec
lab_ikerd_start r2 "$(lab_seed_conf r2)" --debug isakmp,ipsec

lab_wait 30 "R1's debug: P2 refusal" grep -q \
	'Key not found in keyrings of profile , aborting exchange' "$LAB_OUT/ikerd-r1.log"
grep -n 'Key not found in keyrings of profile' "$LAB_OUT/ikerd-r1.log"
# give R2 time to retransmit and fail too
sleep 3
lab_show r1 show crypto isakmp sa
lab_show r2 show crypto isakmp sa
lab_assert_no_match "R1 has no QM_IDLE SA" 'QM_IDLE' "$(lab_ikerctl r1 show crypto isakmp sa)"
lab_assert_no_match "R2 has no QM_IDLE SA" 'QM_IDLE' "$(lab_ikerctl r2 show crypto isakmp sa)"
lab_assert_eq "ESP SAs in R1's kernel" 0 "$(lab_xfrm_count_sa r1)"
lab_assert_eq "ESP SAs in R2's kernel" 0 "$(lab_xfrm_count_sa r2)"
out=$(lab_ping r1 192.0.2.1 203.0.113.1 2)
lab_assert_match "no traffic crosses without SAs" ' 100% packet loss' "$out"
