# The fast path when nothing is shaped (issue 21): on this kernel (nf_flow_table; the host's has
# none) routerd renders a flowtable into its table and offloads established connections of
# devices outside the VIP lane. Checked: a normal device's connection shows [OFFLOAD] in
# conntrack; a VIP device's never does, and a device put in the lane mid-transfer has its
# connection taken out at once; the devices' byte counters, on the flowtable path (conntrack's)
# and on the slow path (the sets: the VIP device), are within 1 % of what the sender of each
# direction counted itself, across that eviction;
# line rates turn the fast path off (the flowtable stays declared, unused), clearing them turns it
# back on.
# vm-timeout: 300
. /lab/guest/lib.sh
. /lab/guest/wifi-lib.sh # for device_json only: no radio here

ns_add isp rtr pc vip
dhcp_isp
# Two LAN devices at fixed addresses: pc (a normal device) and vip (in the VIP lane).
n=1
for dev in pc vip; do
  ip -n rtr link add "lan$n" type veth peer name eth0 netns "$dev"
  ip -n "$dev" link set eth0 up
  ip -n "$dev" addr add "192.168.1.2$n/24" dev eth0
  ip -n "$dev" route add default via 192.168.1.1
  n=$((n + 1))
done
PC=192.168.1.21 VIP=192.168.1.22
MAC_pc=$(ip -n pc -o link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
MAC_vip=$(ip -n vip -o link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')

routerd_board /tmp/rtr/board.json wan0 lan1 lan2
routerd_start rtr /tmp/rtr/board.json
wait_for 90 "routerd's WAN address from the ISP" routerd_wan_up

# routerd found nf_flow_table at start and, with no line rates, put a flowtable on the WAN port
# and the bridge's ports (not on br-lan: the kernel follows the route down to the port).
has_flowtable() { in_ns rtr nft list flowtables inet | grep -q 'flowtable fastpath'; }
wait_for 20 "routerd's flowtable" has_flowtable
in_ns rtr nft list flowtable inet routerd fastpath | tee "$RESULTS/flowtable.txt"
grep -q 'devices = { lan1, lan2, wan0 }' "$RESULTS/flowtable.txt" || fail "the flowtable's devices are not the WAN port and the LAN ports"
grep -q counter "$RESULTS/flowtable.txt" || fail "the flowtable does not count (conntrack accounting of offloaded packets)"
[ "$(in_ns rtr sysctl -n net.netfilter.nf_conntrack_acct)" = 1 ] || fail "conntrack accounting is off"

routerd_api rtr "/api/devices/$MAC_vip/priority" -X PUT -H 'Content-Type: application/json' -d '{"enabled":true}' > /dev/null

# What each device sends to the internet host (its output hook) and what that host sends to it
# (the host's output hook; pc's server listens on 5201, the VIP device's on 5202): packet lengths
# as the forward path sees them, since veth hands packets on as they were sent. (A receiver counts
# more: a GSO packet is cut into segments after the router, each with its own headers; the sets
# and conntrack alike count the packet the router forwarded.)
for dev in pc vip; do
  in_ns "$dev" nft -f - <<'NFT'
table inet devcount {
	chain to_isp {
		type filter hook output priority 0; policy accept;
		ip daddr 203.0.113.1 counter
	}
}
NFT
done
in_ns isp nft -f - <<'NFT'
table inet devcount {
	chain to_pc {
		type filter hook output priority 0; policy accept;
		tcp sport 5201 counter
	}
	chain to_vip {
		type filter hook output priority 0; policy accept;
		tcp sport 5202 counter
	}
}
NFT
own_bytes() { in_ns "$1" nft list chain inet devcount "$2" | sed -n 's/.*counter packets [0-9]* bytes \([0-9]*\).*/\1/p'; }
# routerd's count of a device (MAC FIELD): its traffic in GET /api/devices.
routerd_bytes() { device_json "$1" | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"; }
# Every conntrack line of a device's connections to the iperf3 server, offloaded or not.
ct_of() { in_ns rtr conntrack -L -p tcp --orig-src "$1" --dport "$2" 2>/dev/null; }

start_in isp iperf-a iperf3 -s -p 5201
start_in isp iperf-b iperf3 -s -p 5202
sleep 1

log "--- a normal device's upload and a VIP device's, side by side"
start_in pc up-pc iperf3 -c 203.0.113.1 -p 5201 -t 8 --connect-timeout 3000
start_in vip up-vip iperf3 -c 203.0.113.1 -p 5202 -t 8 --connect-timeout 3000
pc_offloaded=0 vip_offloaded=0 vip_seen=0
for _ in $(seq 1 24); do
  sleep 0.3
  ct_of $PC 5201 | grep -q OFFLOAD && pc_offloaded=$((pc_offloaded + 1))
  ct_of $VIP 5202 > /tmp/vip.ct
  [ -s /tmp/vip.ct ] && vip_seen=$((vip_seen + 1))
  grep -q OFFLOAD /tmp/vip.ct && { vip_offloaded=$((vip_offloaded + 1)); cat /tmp/vip.ct; }
done
ct_of $PC 5201 | tee "$RESULTS/ct-pc.txt"
ct_of $VIP 5202 | tee "$RESULTS/ct-vip.txt"
wait_for 30 "both uploads to end" sh -c "! kill -0 $(cat "$RESULTS/up-pc.pid") 2>/dev/null && ! kill -0 $(cat "$RESULTS/up-vip.pid") 2>/dev/null"
result pc_offloaded_samples "$pc_offloaded"
result vip_offloaded_samples "$vip_offloaded"
[ "$pc_offloaded" -gt 0 ] || fail "the normal device's connection never showed [OFFLOAD] in conntrack"
[ "$vip_seen" -gt 0 ] || fail "the VIP device's connection never showed in conntrack"
[ "$vip_offloaded" -eq 0 ] || fail "the VIP device's connection entered the flowtable ($vip_offloaded of 24 looks)"
grep -q 'mark=1 ' "$RESULTS/ct-vip.txt" || fail "the VIP device's connection lacks the lane's mark: $(cat "$RESULTS/ct-vip.txt")"
log "pc's connection offloaded in $pc_offloaded of 24 looks, the VIP device's in none"

log "--- a download, then pc joins the lane in the middle of another: its connection leaves the flowtable"
in_ns pc iperf3 -c 203.0.113.1 -p 5201 -t 4 -R --connect-timeout 3000 > "$RESULTS/down-pc.log"
start_in pc up-pc2 iperf3 -c 203.0.113.1 -p 5201 -t 10 --connect-timeout 3000
pc_up_offloaded() { ct_of $PC 5201 | grep -v TIME_WAIT | grep -q OFFLOAD; }
wait_for 6 "pc's second upload to be offloaded" pc_up_offloaded
routerd_api rtr "/api/devices/$MAC_pc/priority" -X PUT -H 'Content-Type: application/json' -d '{"enabled":true}' > /dev/null
t0=$(now)
pc_out() { ! ct_of $PC 5201 | grep -q OFFLOAD; }
wait_for 3 "pc's connection to leave the flowtable once it is in the lane" pc_out
result evicted_s "$(elapsed "$t0")"
for _ in 1 2 3 4 5 6 7 8 9 10; do
  sleep 0.3
  ct_of $PC 5201 | grep -q OFFLOAD && fail "pc's connection went back into the flowtable while in the lane: $(ct_of $PC 5201)"
done
wait_for 20 "pc's second upload to end" sh -c "! kill -0 $(cat "$RESULTS/up-pc2.pid") 2>/dev/null"

log "--- routerd's counts against the devices' own"
sleep 1
check() { # DEVICE MAC FIELD NS CHAIN
  local theirs ours
  theirs=$(own_bytes "$4" "$5")
  ours=$(routerd_bytes "$2" "$3")
  log "$1 $3: routerd $ours, the sender's own count $theirs"
  result "${1}_$3" "$ours $theirs"
  [ -n "$ours" ] && [ -n "$theirs" ] && [ "$theirs" -gt 100000 ] || fail "$1 $3: no figures (routerd '$ours', own '$theirs')"
  awk -v a="$ours" -v b="$theirs" 'BEGIN { d = (a - b) / b; if (d < 0) d = -d; exit !(d <= 0.01) }' ||
    fail "$1 $3: routerd counted $ours bytes, the sender $theirs: more than 1 % apart"
}
check pc "$MAC_pc" uploadBytes pc to_isp
check pc "$MAC_pc" downloadBytes isp to_pc
check vip "$MAC_vip" uploadBytes vip to_isp
check vip "$MAC_vip" downloadBytes isp to_vip

log "--- line rates switch the fast path off (the flowtable stays, unused), clearing them switches it back on"
offloads() { in_ns rtr nft list chain inet routerd upload | grep -q 'flow add @fastpath'; }
routerd_api rtr /api/settings > /tmp/settings.json
sed -e 's/"uploadKbit" *: *null/"uploadKbit":50000/' -e 's/"downloadKbit" *: *null/"downloadKbit":50000/' /tmp/settings.json > /tmp/shaped.json
grep -q '"uploadKbit":50000' /tmp/shaped.json || fail "could not set line rates in: $(cat /tmp/settings.json)"
routerd_api rtr /api/settings -X PUT -H 'Content-Type: application/json' --data-binary @/tmp/shaped.json > /dev/null
offloads && fail "connections still go to the flowtable with line rates set"
has_flowtable || fail "the flowtable was taken out with line rates set (it stays: FastPathDecision.FlowtableDevices)"
before=$(routerd_bytes "$MAC_pc" uploadBytes)
routerd_api rtr /api/settings -X PUT -H 'Content-Type: application/json' --data-binary @/tmp/settings.json > /dev/null
offloads || fail "connections did not go to the flowtable again when the line rates were cleared"
after=$(routerd_bytes "$MAC_pc" uploadBytes)
[ "$after" -ge "$before" ] || fail "pc's upload count went back from $before to $after across the switch"
log "fast path off with line rates, back without; counts kept ($before, $after)"
