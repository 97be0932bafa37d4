# The VIP lane on a real call (issue 21), briefly: the phone's call (guest/call-lib.sh: UDP both
# ways, 1 Mbit/s up, 2 Mbit/s down) on a 16/2 Mbit/s line while three devices each run 4 TCP
# uploads and 4 downloads, first with no shaping (the line's 200 ms buffer is the bottleneck),
# then with routerd's shaper at 85 % of the line and the phone in the lane. With the lane the call
# loses no packet and the delay the load adds to it (p99 loaded minus p99 of the same call alone,
# as bench call counts it) is at least 5 times smaller, both directions: a behaviour check with a
# wide margin (`./build.sh bench call` holds the figures, at 90 %, and the peer).
# This kernel has cake, so the shaped download is one ingress-mode cake with the lane in its tin 1
# (Qos/TcRenderer.cs, CakeDownload); the call's packets are counted there, and GET /api/qos
# reports them as the lane's. The downloads' bare acknowledgements leave in a class of their own,
# capped at a tenth of the upload, where cake's ACK filter drops those a later one makes redundant:
# under this load it must have dropped some.
# vm-timeout: 300
. /lab/guest/lib.sh
. /lab/guest/call-lib.sh

CALL_S=10
call_lab
line_set 2000 16000

# p99 FILE : the 99th percentile (nearest rank) of the numbers in FILE, one per line.
p99() { sort -n "$1" | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; i = int((NR * 99 + 99) / 100); print v[i] }'; }
# added CONFIG DIR : the call's p99 delay loaded minus its p99 alone, in ms.
added() { echo "$(p99 "/tmp/$1_$2.delays") $(p99 "/tmp/$1_idle_$2.delays")" | awk '{ printf "%.3f", $1 - $2 }'; }
# short DIR : the load added to the call in the lane more than a fifth of what it added without shaping.
short() { awk -v f="$(added fifo "$1")" -v v="$(added vip "$1")" 'BEGIN { exit !(v * 5 > f) }'; }
# lost DIR : the lane's call lost packets.
lost() { [ "$(cat "/tmp/vip_$1.recv")" -ne "$(cat "/tmp/vip_$1.sent")" ]; }

log "no shaping: the line's buffer is the bottleneck"
call "$CALL_S" /tmp/fifo_idle
loaded_call "$CALL_S" /tmp/fifo

log "routerd's shaper at 1700/13600 kbit/s, the phone in the lane"
qos_set 1700 13600
vip true
wait_for 20 "the download's cake on br-lan" sh -c 'ip netns exec rtr tc qdisc show dev br-lan | grep -q "^qdisc cake 1: root .* ingress"'
sleep 1
call "$CALL_S" /tmp/vip_idle
ip netns exec line tc -s qdisc show > "$RESULTS/line-before.txt"
loaded_call "$CALL_S" /tmp/vip
# Under TCG the lane's few milliseconds carry the emulator's stalls (the guest's two CPUs run
# twelve bulk flows, routerd and both ends of the call), while the unshaped reference's download
# stays near 45 ms: its acknowledgements queue in the full 200 ms upload buffer, so the downloads
# never fill theirs (no drop at the line's download in a whole run). The download's ratio was
# 8.4 in one run and 4.75 in another (the lane's 9.5 ms). A lane call short of 5x that lost
# nothing is measured once more, and that second call decides; a lost packet fails at once.
attempts=1
for dir in up down; do
  p99 "/tmp/fifo_$dir.delays" > /dev/null || fail "no call packet arrived without shaping ($dir)"
  p99 "/tmp/vip_$dir.delays" > /dev/null || fail "no call packet arrived in the lane ($dir)"
done
if ! lost up && ! lost down && { short up || short down; }; then
  log "the lane's call: $(added vip up) ms added up, $(added vip down) ms down, against $(added fifo up) and $(added fifo down) without shaping; measured again"
  attempts=2
  loaded_call "$CALL_S" /tmp/vip
fi
result vip_attempts "$attempts"
ip netns exec line tc -s qdisc show > "$RESULTS/line-after.txt"
cp /tmp/fifo_*.delays /tmp/vip_*.delays "$RESULTS/"
in_ns rtr tc -s qdisc show dev br-lan > "$RESULTS/br-lan-qdiscs.txt"
in_ns rtr tc -s class show dev wan0 > "$RESULTS/wan0-classes.txt"
in_ns rtr tc -s qdisc show dev wan0 > "$RESULTS/wan0-qdiscs.txt"

for dir in up down; do
  sent=$(cat "/tmp/vip_$dir.sent") recv=$(cat "/tmp/vip_$dir.recv")
  p99 "/tmp/vip_$dir.delays" > /dev/null || fail "no call packet arrived in the lane ($dir)"
  fifo=$(added fifo "$dir") lane=$(added vip "$dir")
  result "${dir}_p99_added_ms_fifo" "$fifo"
  result "${dir}_p99_added_ms_vip" "$lane"
  result "${dir}_vip_sent" "$sent"
  result "${dir}_vip_recv" "$recv"
  log "$dir: the load added $fifo ms to the call's p99 without shaping, $lane ms in the lane (p99 $(p99 "/tmp/vip_$dir.delays") ms, alone $(p99 "/tmp/vip_idle_$dir.delays") ms); the lane's call: $recv of $sent packets arrived"
  if lost "$dir"; then fail "the lane lost call packets ($dir): $recv of $sent arrived"; fi
  if short "$dir"; then fail "the load added $lane ms to the call's p99 in the lane ($dir), not 5 times less than the $fifo ms without shaping"; fi
done

# At least the call's packets (5 × 1000 B of payload a frame) went through the download's lane
# tin, and the owner's page reads them there.
lane=$(routerd_api rtr /api/qos | tr -d ' \n' | sed -n 's/.*"device":"br-lan","direction":"download","classes":\[{"name":"vip","stats":{[^}]*"sentBytes":\([0-9]*\).*/\1/p')
result down_vip_sent_bytes "$lane"
[ -n "$lane" ] || fail "GET /api/qos shows no lane on br-lan's download: $(routerd_api rtr /api/qos)"
[ "$lane" -ge $(( $(cat /tmp/vip_down.recv) * 1000 )) ] \
  || fail "the download's lane counted $lane bytes, less than the call's $(cat /tmp/vip_down.recv) packets: $(cat "$RESULTS/br-lan-qdiscs.txt")"

# The acknowledgements' queue (7:, the leaf of TcRenderer.AckClass) filtered some: the downloads'
# acknowledgements needed more than the tenth of the upload they may take.
acks=$(awk '/^qdisc cake 7:/ { q = 1 } q && $1 == "ack_drop" { print $2; exit }' "$RESULTS/wan0-qdiscs.txt")
result ack_drop "$acks"
[ "${acks:-0}" -gt 0 ] || fail "the acknowledgements' cake dropped no redundant acknowledgement under the load: $(cat "$RESULTS/wan0-qdiscs.txt")"
