# The VIP lane carries a video call through a thin, busy line (issue 21; `bench call` holds the
# exact figures): on the ADSL-like 16/2 Mbit/s line of guest/call-lib.sh, with three LAN devices
# each running 4 TCP uploads and 4 downloads, the phone's call (1 Mbit/s up, 2 Mbit/s down) in
# routerd's lane loses no packet and its p99 one-way delay is at least 5x lower than with no
# shaping at all, in both directions. A behaviour check with a wide margin: without the lane the
# line's 200 ms buffer fills and the call waits in it; with the lane it waits for about one
# packet's transmission at the shaped rate.
# vm-timeout: 420
. /lab/guest/lib.sh
. /lab/guest/call-lib.sh

call_lab
line_set 2000 16000

qos_set null null
loaded_call 8 "$RESULTS/fifo"
qos_set 1800 14400
vip true
sleep 1   # the lane's tree and sets are in place before the load starts
loaded_call 8 "$RESULTS/vip"

p99() { sort -n "$1" | awk '{ v[NR] = $1 } END { if (NR == 0) { print "none"; exit } i = int(NR * 0.99 + 0.999); print v[i] }'; }
for dir in up down; do
  fifo=$(p99 "$RESULTS/fifo_$dir.delays") lane=$(p99 "$RESULTS/vip_$dir.delays")
  sent=$(cat "$RESULTS/vip_$dir.sent") recv=$(cat "$RESULTS/vip_$dir.recv")
  log "$dir: p99 one-way delay without shaping $fifo ms, in the lane $lane ms; lane: $recv of $sent packets arrived"
  [ "$sent" -gt 0 ] || fail "$dir: the call sent nothing"
  [ "$recv" = "$sent" ] || fail "$dir: the call in the lane lost $((sent - recv)) of $sent packets"
  [ "$fifo" != none ] || fail "$dir: no call packet arrived without shaping"
  echo "$fifo $lane" | awk '{ exit !($1 >= 5 * $2) }' ||
    fail "$dir: the lane's p99 delay $lane ms is not 5x below no shaping's $fifo ms"
done
