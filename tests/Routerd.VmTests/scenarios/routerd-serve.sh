# routerd under test in a router namespace of the guest: it serves its control socket, takes its
# WAN address from the ISP's DHCP server and gives a LAN client a lease through its dnsmasq.
# vm-timeout: 300
. /lab/guest/lib.sh

ns_add isp rtr phone
dhcp_isp
# The router's ports stay down until routerd brings them up, as on real hardware.
ip -n rtr link add lan1 type veth peer name eth0 netns phone
ip -n phone link set eth0 address 02:00:00:00:01:01 up

routerd_board /tmp/rtr/board.json wan0 lan1
routerd_start rtr /tmp/rtr/board.json
status=$(routerd_api rtr /api/status)
log "status: $status"
echo "$status" | grep -q '"version"' || fail "GET /api/status has no version: $status"

wait_for 90 "routerd's WAN address from the ISP" routerd_wan_up

in_ns phone udhcpc -i eth0 -f -q -n -t 30 -T 2
wait_for 30 "the phone's LAN address" has_ipv4 phone eth0
addr=$(ipv4_of phone eth0)
case "$addr" in 192.168.1.*) ;; *) fail "the phone got $addr, not a 192.168.1.0/24 lease from routerd" ;; esac
result phone_address "$addr"
in_ns phone ping -c 2 -W 2 192.168.1.1
# Through routerd's NAT: the ISP has no route back to 192.168.1.0/24, so a reply proves the NAT.
in_ns phone ping -c 2 -W 2 203.0.113.1
