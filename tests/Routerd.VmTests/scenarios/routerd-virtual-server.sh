# A virtual server on the kernel's IPVS (the Debian kernel has it, the host's has not): routerd
# finds IPVS at start, programs a fwmark service over generic netlink (no ipvsadm process) and
# nftables only marks the connections. Checked through IPVS's own view (ipvsadm -Ln): the service,
# its destinations and their counters; weighted least-connections sends new connections to the
# idle backend while the other holds three open ones; a dead backend gets weight 0; a LAN device
# using the WAN address reaches the service too (hairpin).
# vm-timeout: 300
. /lab/guest/lib.sh

# The schedulers routerd asks for (the image loads them at boot too: image/overlay/etc/modules-load.d).
modprobe -a ip_vs_wrr ip_vs_wlc

ns_add isp rtr web1 web2 pc
dhcp_isp
# Two web servers at fixed LAN addresses (outside the DHCP pool), each naming itself.
for n in 1 2; do
  ip -n rtr link add "lan$n" type veth peer name eth0 netns "web$n"
  ip -n "web$n" link set eth0 up
  ip -n "web$n" addr add "192.168.1.2$n/24" dev eth0
  ip -n "web$n" route add default via 192.168.1.1
  mkdir -p "/tmp/www$n" && echo "web$n" > "/tmp/www$n/index.html"
  start_in "web$n" "httpd$n" busybox httpd -f -p 80 -h "/tmp/www$n"
done
# A LAN device at a fixed address, for hairpin.
ip -n rtr link add lan3 type veth peer name eth0 netns pc
ip -n pc link set eth0 up
ip -n pc addr add 192.168.1.23/24 dev eth0
ip -n pc route add default via 192.168.1.1

BOARD_EXTRA='"HealthCheckSeconds": 1,' routerd_board /tmp/rtr/board.json wan0 lan1 lan2 lan3
routerd_start rtr /tmp/rtr/board.json
wait_for 90 "routerd's WAN address from the ISP" routerd_wan_up
wan=$(ip -n rtr -4 -o addr show dev wan0 | awk '{ split($4, a, "/"); print a[1] }')
log "WAN address $wan"

json='Content-Type: application/json'
one='{"address":"192.168.1.21","port":80,"weight":1}'
two='{"address":"192.168.1.22","port":80,"weight":1}'
created=$(routerd_api rtr /api/virtual-servers -X POST -H "$json" -d "{\"protocol\":\"tcp\",\"wanPort\":8080,\"scheduler\":\"wlc\",\"backends\":[$one]}")
log "created: $created"
echo "$created" | grep -q '"balancer":"ipvs"' || fail "routerd did not choose IPVS on this kernel: $created"
id=$(echo "$created" | json_get id)

# IPVS's own view: routerd's fwmark service (0x52440000 | id) with the NATed destination.
mark=$((0x52440000 + id))
ipvs_has() { in_ns rtr ipvsadm -Ln | grep -Eq "^FWM +$mark +wlc"; }
wait_for 10 "IPVS to hold routerd's fwmark service $mark" ipvs_has
in_ns rtr ipvsadm -Ln | tee "$RESULTS/ipvsadm-1.txt"
grep -q '192.168.1.21:80 *Masq *1 ' "$RESULTS/ipvsadm-1.txt" || fail "IPVS lacks web1 as a masqueraded destination of weight 1"
page=$(in_ns isp curl -sS --max-time 10 "http://$wan:8080/")
[ "$page" = "web1" ] || fail "through the virtual server the internet got: $page"
# Hairpin: the LAN device uses the WAN address; web1 sees the router as the source and answers
# through it, so the answer comes back from the address the device asked.
page=$(in_ns pc curl -sS --max-time 10 "http://$wan:8080/") || fail "hairpin: the LAN device got no answer from $wan:8080"
[ "$page" = "web1" ] || fail "hairpin: the LAN device got: $page"
log "hairpin from the LAN reaches web1 through the WAN address"

# Three connections held open on web1 (it waits for their request), then web2 joins, idle.
for n in 1 2 3; do start_in isp "hold$n" sh -c "sleep 90 | socat - TCP:$wan:8080"; done
web1_active() { in_ns rtr ipvsadm -Ln | awk -v n="$1" '$2 == "192.168.1.21:80" && $5 == n { f = 1 } END { exit !f }'; }
wait_for 20 "IPVS to count three active connections on web1" web1_active 3
routerd_api rtr "/api/virtual-servers/$id" -X PUT -H "$json" -d "{\"protocol\":\"tcp\",\"wanPort\":8080,\"scheduler\":\"wlc\",\"backends\":[$one,$two]}" > /dev/null
web2_in() { in_ns rtr ipvsadm -Ln | grep -q '192.168.1.22:80 *Masq *1 '; }
wait_for 10 "web2 to join the service" web2_in
# The API shows IPVS's own counters per backend.
routerd_api rtr /api/virtual-servers | tee "$RESULTS/api.json" | tr -d ' ' | grep -q '"address":"192.168.1.21","port":80,"weight":1,[^}]*"activeConnections":3' \
  || fail "GET /api/virtual-servers does not show web1's three active connections: $(cat "$RESULTS/api.json")"

# Weighted least-connections: web1 has 3 active, web2 none, so every new connection goes to web2.
for n in 1 2 3 4; do in_ns isp curl -sS --max-time 10 "http://$wan:8080/"; done > "$RESULTS/wlc.txt"
to_web2=$(grep -c '^web2$' "$RESULTS/wlc.txt" || true)
result wlc_to_idle "$to_web2"
[ "$to_web2" -eq 4 ] || fail "wlc sent $to_web2 of 4 new connections to the idle backend: $(tr '\n' ' ' < "$RESULTS/wlc.txt")"
in_ns rtr ipvsadm -Ln | tee "$RESULTS/ipvsadm-2.txt"
log "wlc sent all 4 new connections to the idle web2"

# A dead backend stays in IPVS's table at weight 0 (no new connections; its counters still shown).
stop httpd2
t0=$(now)
web2_weight0() { in_ns rtr ipvsadm -Ln | grep -q '192.168.1.22:80 *Masq *0 '; }
wait_for 15 "the dead web2 to get weight 0" web2_weight0
result health_out_seconds "$(elapsed "$t0")"
page=$(in_ns isp curl -sS --max-time 10 "http://$wan:8080/")
[ "$page" = "web1" ] || fail "with web2 dead the internet got: $page"
log "dead web2 out of rotation after $(cat "$RESULTS/health_out_seconds") s"
