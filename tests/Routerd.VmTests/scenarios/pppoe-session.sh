# A PPPoE session on the guest's kernel: rp-pppoe's pppoe-server with CHAP as the ISP, plain
# `pppd plugin rp-pppoe.so` (kernel mode) as the client. The client's ppp0 gets its address from
# the ISP and pings it. (routerd is not involved: this proves the lab's ISP side works.)
# vm-timeout: 90
. /lab/guest/lib.sh

ns_add isp cpe
veth isp isp0 cpe wan0
pppoe_isp isp isp0 lab-user lab-secret-1 -S lab-service

netns_etc cpe ppp/chap-secrets '"lab-user" * "lab-secret-1" *'
chmod 600 /etc/netns/cpe/ppp/chap-secrets
start_in cpe pppd pppd plugin rp-pppoe.so nic-wan0 rp_pppoe_service lab-service user lab-user \
  noauth nodetach noipdefault defaultroute mtu 1492 mru 1492 lcp-echo-interval 1 lcp-echo-failure 5 debug

wait_for 45 "ppp0 to get an address" has_ipv4 cpe ppp0
addr=$(ipv4_of cpe ppp0)
log "ppp0 has $addr"
case "$addr" in 100.64.0.*) ;; *) fail "ppp0 got $addr, not an address from the ISP's 100.64.0.0 pool" ;; esac
result ppp0_address "$addr"
in_ns cpe ping -c 3 -W 2 100.64.0.1
grep -q 'CHAP authentication succeeded' "$RESULTS/pppd.log" || fail "pppd did not report CHAP success"
