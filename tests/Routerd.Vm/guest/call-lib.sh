# A video call on a thin line for lab VM scenarios and `bench call`: `. /lab/guest/lib.sh;
# . /lab/guest/call-lib.sh`.
# The picture: the ISP host 203.0.113.1 (isp) reaches the router's WAN port (rtr, routerd) through
# a `line` namespace, a bridge whose two ports each drain at the line's rate into a 200 ms FIFO
# (tbf: the modem's and the DSLAM's buffers); the phone and three busy devices (d1-d3) sit on
# routerd's LAN ports. The phone's call runs call.py (see its header) to the ISP host; each busy
# device runs 4 TCP uploads and 4 downloads (iperf3) at the same time.

PHONE_MAC=02:00:00:00:01:01
ISP=203.0.113.1
CALL_PORT=5004
CALL_UP_BPS=1000000
CALL_DOWN_BPS=2000000
BUSY="d1 d2 d3"
# The share of the line rate routerd's shaper (and the peer's cake) is set to.
SHARE_PCT=90

# call_lab : the namespaces, routerd up with its WAN address, every LAN device with a lease,
# and an iperf3 server on the ISP for each busy device and direction (ports 5201-5206).
call_lab() {
  ns_add isp line rtr phone $BUSY
  ip -n line link add br0 type bridge
  ip -n line link set br0 up
  veth rtr wan0 line l-rtr
  veth line l-isp isp isp0
  ip -n line link set l-rtr master br0
  ip -n line link set l-isp master br0
  ip -n isp addr add "$ISP/24" dev isp0
  start_in isp isp-dhcp dnsmasq --keep-in-foreground --no-resolv --no-hosts --port=0 --interface=isp0 \
    --bind-interfaces --dhcp-range=203.0.113.50,203.0.113.99,255.255.255.0,1h --dhcp-option=3,$ISP \
    --dhcp-leasefile="$RESULTS/isp.leases" --pid-file=
  ip -n rtr link set wan0 down
  local i=1 ns ports=""
  for ns in phone $BUSY; do
    ip -n rtr link add "lan$i" type veth peer name eth0 netns "$ns"
    ip -n "$ns" link set eth0 address "02:00:00:00:01:0$i" up
    ports="$ports lan$i"
    i=$((i + 1))
  done
  routerd_board /tmp/rtr/board.json wan0 $ports
  start_in rtr routerd "$ROUTERD" serve --board /tmp/rtr/board.json
  ROUTERD_SOCKET=/tmp/rtr/run/routerd.sock
  wait_for 180 "routerd's control socket" routerd_api rtr /api/status
  wait_for 90 "routerd's WAN address" routerd_wan_up
  for ns in phone $BUSY; do
    in_ns "$ns" udhcpc -i eth0 -f -q -n -t 30 -T 2 > /dev/null 2>&1
    wait_for 30 "$ns's lease" has_ipv4 "$ns" eth0
  done
  for port in 5201 5202 5203 5204 5205 5206; do start_in isp "iperf-$port" iperf3 -s -p "$port"; done
  sleep 1
}

# line_set UP_KBIT DOWN_KBIT : the line's rates, each direction a 200 ms FIFO (tbf's limit in
# bytes: rate × 0.2 s); line_off : no line (the lab's links at full speed).
line_set() {
  line_dir l-isp "$1"
  line_dir l-rtr "$2"
}
# The burst is 20 ms at the rate, at least 4 full frames: under TCG the guest's timers fire
# milliseconds late on a busy host, and a tbf that may send only 1 ms or 2 frames per timer (the
# first runs) drained the line slower than its rate, slower even than routerd's shaper at 90 %:
# the queue then formed at the line, upstream of the router, whatever the router did (seen on
# both the 16 Mbit/s download and the 2 Mbit/s upload).
line_dir() {
  local burst=$(( $2 * 20 / 8 > 6056 ? $2 * 20 / 8 : 6056 ))
  ip netns exec line tc qdisc replace dev "$1" root tbf rate "$2kbit" burst "$burst" limit $(( $2 * 25 ))
}
line_off() {
  ip netns exec line tc qdisc del dev l-isp root 2>/dev/null || true
  ip netns exec line tc qdisc del dev l-rtr root 2>/dev/null || true
}

# qos_set UP_KBIT DOWN_KBIT : routerd's shaper rates ("null null": shaper off).
qos_set() {
  routerd_api rtr /api/settings | tr -d '\n' | sed "s/\"qos\": *{[^}]*}/\"qos\":{\"uploadKbit\":$1,\"downloadKbit\":$2}/" > /tmp/qos.json
  grep -q "\"qos\":{\"uploadKbit\":$1," /tmp/qos.json || fail "could not set the shaper rates in $(cat /tmp/qos.json)"
  routerd_api rtr /api/settings -X PUT -H 'Content-Type: application/json' --data-binary @/tmp/qos.json > /dev/null
}

# vip true|false : the phone in the lane or not.
vip() {
  routerd_api rtr "/api/devices/$PHONE_MAC/priority" -X PUT -H 'Content-Type: application/json' -d "{\"enabled\":$1}" > /dev/null
}

# cake_on UP_KBIT DOWN_KBIT : what sqm-scripts' layer_cake sets up on an OpenWrt router's WAN port
# with per-host fairness (the settings OpenWrt's guides give for it): cake diffserv3 nat
# dual-srchost on egress, and the download through an IFB with cake diffserv3 nat dual-dsthost
# ingress. It replaces the root routerd put on the WAN port (routerd's shaper is off).
# cake_off : all of it removed again.
cake_on() {
  in_ns rtr tc qdisc replace dev wan0 root cake bandwidth "$1kbit" diffserv3 nat dual-srchost
  in_ns rtr ip link add ifb4wan0 type ifb
  in_ns rtr ip link set ifb4wan0 up
  in_ns rtr tc qdisc add dev wan0 handle ffff: ingress
  in_ns rtr tc filter add dev wan0 parent ffff: matchall action mirred egress redirect dev ifb4wan0
  in_ns rtr tc qdisc add dev ifb4wan0 root cake bandwidth "$2kbit" diffserv3 nat dual-dsthost ingress
}
cake_off() {
  in_ns rtr tc qdisc del dev wan0 ingress 2>/dev/null || true
  in_ns rtr ip link del ifb4wan0 2>/dev/null || true
  in_ns rtr tc qdisc del dev wan0 root 2>/dev/null || true
}
# cake_in_place : both cakes still there (nothing replaced them during a measurement).
cake_in_place() {
  in_ns rtr tc qdisc show dev wan0 | grep -q '^qdisc cake' && in_ns rtr tc qdisc show dev ifb4wan0 | grep -q '^qdisc cake'
}

# call SECONDS OUT : one call from the phone to the ISP host; OUT_up.{sent,recv,delays} (phone →
# ISP) and OUT_down.* (ISP → phone). The answering side starts sending when the first packet
# arrives and ends SECONDS later.
call() {
  local pid
  ip netns exec isp python3 /lab/guest/call.py answer "$CALL_PORT" "$CALL_UP_BPS" "$CALL_DOWN_BPS" "$1" /tmp/answer > "$RESULTS/answer.log" 2>&1 &
  pid=$!
  sleep 0.5
  in_ns phone python3 /lab/guest/call.py dial "$ISP" "$CALL_PORT" "$CALL_UP_BPS" "$CALL_DOWN_BPS" "$1" /tmp/dial
  wait "$pid" || fail "the call's answering side failed: $(cat "$RESULTS/answer.log")"
  cp /tmp/dial.sent "$2_up.sent"; cp /tmp/answer.recv "$2_up.recv"; cp /tmp/answer.delays "$2_up.delays"
  cp /tmp/answer.sent "$2_down.sent"; cp /tmp/dial.recv "$2_down.recv"; cp /tmp/dial.delays "$2_down.delays"
}

# bulk_start SECONDS : each busy device starts 4 uploads and 4 downloads for SECONDS (the first
# 3 s, the ramp-up, are left out of the goodput); bulk_wait OUT : waits for them and writes the
# goodput in Mbit/s summed over the devices to OUT_up.mbit and OUT_down.mbit.
bulk_start() {
  local port=5201 ns
  for ns in $BUSY; do
    start_in "$ns" "bulk-up-$ns" iperf3 -c "$ISP" -p "$port" -P 4 -t "$1" -O 3 -f m --connect-timeout 5000
    start_in "$ns" "bulk-down-$ns" iperf3 -c "$ISP" -p $((port + 1)) -P 4 -t "$1" -O 3 -f m -R --connect-timeout 5000
    port=$((port + 2))
  done
}
bulk_wait() {
  local ns dir pid up=0 down=0 m
  for ns in $BUSY; do
    for dir in up down; do
      pid=$(cat "$RESULTS/bulk-$dir-$ns.pid")
      while kill -0 "$pid" 2>/dev/null; do sleep 0.5; done
      # iperf3's summary line for the receiving side of all 4 streams, in Mbit/s (-f m).
      m=$(awk '/\[SUM\].*receiver/ { print $6 }' "$RESULTS/bulk-$dir-$ns.log" | tail -1)
      [ -n "$m" ] || fail "no goodput from bulk-$dir-$ns: $(tail -5 "$RESULTS/bulk-$dir-$ns.log")"
      if [ "$dir" = up ]; then up=$(echo "$up $m" | awk '{ print $1 + $2 }'); else down=$(echo "$down $m" | awk '{ print $1 + $2 }'); fi
    done
  done
  echo "$up" > "$1_up.mbit"
  echo "$down" > "$1_down.mbit"
}

# loaded_call SECONDS OUT : the call while the busy devices load the line both ways (their flows
# have 4 s to fill the queues first); call figures as `call`, goodput as bulk_wait.
loaded_call() {
  bulk_start $(( $1 + 6 ))
  sleep 4
  call "$1" "$2"
  bulk_wait "$2"
}
