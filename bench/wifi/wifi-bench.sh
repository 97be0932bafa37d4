# Benchmark (not a test: figures only, no pass/fail on speed). Writes to the results directory:
#   apply_to_assoc_s  PUT of a new key -> a client holding the new key associated (median of 3)
#   hand_to_assoc_s   the same hostapd.conf started by hand -> the client associated (median of 3)
#   apply_ratio       apply_to_assoc_s / hand_to_assoc_s
#   vip_rtt_ratio     the phone's ping RTT p50 to the ISP host while the laptop downloads at full
#                     speed over the same radio: not VIP / VIP (rtt_p50_ms, vip_rtt_p50_ms).
#   shaper_vip_rtt_ratio  the same with routerd's download shaper (5 Mbit/s) as the bottleneck
#                     instead of the radio (shaper_rtt_p50_ms, shaper_vip_rtt_p50_ms).
#
# The radio as the bottleneck. mac80211_hwsim has no airtime: the AP sends as fast as the CPU
# goes, so no queue forms at the radio and no access category can matter. The lab gives the AP
# radio's egress the shape of a busy channel: the four access-category queues mac80211 picks
# for each frame from its user priority (the root mq, in IEEE80211_AC order VO, VI, BE, BK),
# each a FIFO drained at 5 Mbit/s holding up to 20 ms (a driver queue of sensible size, not a
# bufferbloated one). That models EDCA, where video contends ahead of best effort,
# as separate queues; a driver with per-station airtime fairness would spare a non-VIP phone
# some of the wait, so the figure is for the frames' category alone. routerd's shaper is off
# here: the only queue the phone's pings meet is the radio's, and which one they meet is what
# routerd's DSCP mark (CS4 -> video) decides.
# With the shaper as the bottleneck the figure is mostly cake's: its flow isolation already
# keeps a sparse ping out of the laptop's queue, lane or not.
# vm-timeout: 420
. /lab/guest/lib.sh
. /lab/guest/wifi-lib.sh

wifi_lab phone laptop
wait_for 60 "routerd's WAN address" routerd_wan_up
median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }

# --- settings change -> associated ------------------------------------------------------------
key=$WIFI_KEY
runs=""
for i in 1 2 3; do
  new="bench-key-$i-$$"
  t0=$(now)
  wifi_set "{\"enabled\":true,\"ssid\":\"$WIFI_SSID\",\"passphrase\":\"$new\",\"security\":\"wpa2\",\"country\":\"DE\",\"band\":\"2.4\"}"
  sta_start phone "$(psk_network "$new")"
  wait_for 60 "associated after the change ($i)" sta_associated phone
  runs="$runs $(elapsed "$t0")"
  stop wpa-phone
  key=$new
done
apply=$(median3 $runs)
log "routerd: change -> associated:$runs s"

# --- the same configuration by hand --------------------------------------------------------------
sed "s|^ctrl_interface=.*|ctrl_interface=/tmp/hand-ctrl|" "$RUN/hostapd.conf" > /tmp/hand.conf
wifi_set "{\"enabled\":false,\"ssid\":\"$WIFI_SSID\",\"security\":\"wpa2\",\"country\":\"DE\",\"band\":\"2.4\"}"
off() { wifi_status | grep -q '"code":"wifi/OFF"'; }
wait_for 20 "Wi-Fi off" off
runs=""
for i in 1 2 3; do
  t0=$(now)
  start_in rtr hand-hostapd hostapd /tmp/hand.conf
  sta_start phone "$(psk_network "$key")"
  wait_for 60 "associated to hostapd by hand ($i)" sta_associated phone
  runs="$runs $(elapsed "$t0")"
  stop wpa-phone
  stop hand-hostapd
  sleep 1
done
hand=$(median3 $runs)
log "by hand: start -> associated:$runs s"
wifi_set "{\"enabled\":true,\"ssid\":\"$WIFI_SSID\",\"security\":\"wpa2\",\"country\":\"DE\",\"band\":\"2.4\"}"
wait_for 30 "Wi-Fi live again" wifi_live

# --- VIP vs not under load ---------------------------------------------------------------------
sta_start phone "$(psk_network "$key")"
sta_start laptop "$(psk_network "$key")"
wait_for 60 "phone associated" sta_associated phone
wait_for 60 "laptop associated" sta_associated laptop
sta_dhcp phone > /dev/null
sta_dhcp laptop > /dev/null
start_in isp iperf3 iperf3 -s
sleep 1
p50() { in_ns phone ping -c 40 -i 0.2 -W 2 203.0.113.1 | sed -n 's/.*time=\([0-9.]*\).*/\1/p' | sort -n | sed -n 20p; }
priority() { routerd_api rtr "/api/devices/$MAC_phone/priority" -X PUT -H 'Content-Type: application/json' -d "{\"enabled\":$1}" > /dev/null; }
# loaded_p50s LABEL : the phone's ping p50 without and with the lane while the laptop downloads.
loaded_p50s() {
  start_in laptop load iperf3 -c 203.0.113.1 -R -P 4 -t 120 --connect-timeout 5000
  sleep 5
  plain=$(p50)
  priority true
  vip=$(p50)
  priority false
  stop load
  log "$1: ping p50 under load: not VIP $plain ms, VIP $vip ms"
}

# The radio as the bottleneck (see the top of this file).
ip netns exec rtr tc qdisc replace dev "$AP" root handle 1: mq
for q in 1 2 3 4; do ip netns exec rtr tc qdisc replace dev "$AP" parent "1:$q" tbf rate 5mbit burst 4k latency 20ms; done
loaded_p50s "radio"
radio_plain=$plain radio_vip=$vip
ip netns exec rtr tc qdisc del dev "$AP" root

# routerd's download shaper as the bottleneck. The settings come back with "downloadKbit": null
# (no shaper): give it the download rate.
routerd_api rtr /api/settings | sed 's/"downloadKbit": *null/"downloadKbit":5000/' > /tmp/qos.json
grep -q '"downloadKbit":5000' /tmp/qos.json || fail "could not set the shaper rate: $(cat /tmp/qos.json)"
routerd_api rtr /api/settings -X PUT -H 'Content-Type: application/json' --data-binary @/tmp/qos.json > /dev/null
loaded_p50s "shaper"

ratio() { echo "$1 $2" | awk '{ printf "%.1f", $1 / $2 }'; }
result apply_to_assoc_s "$apply"
result hand_to_assoc_s "$hand"
result apply_ratio "$(echo "$apply $hand" | awk '{ printf "%.2f", $1 / $2 }')"
result rtt_p50_ms "$radio_plain"
result vip_rtt_p50_ms "$radio_vip"
result vip_rtt_ratio "$(ratio "$radio_plain" "$radio_vip")"
result shaper_rtt_p50_ms "$plain"
result shaper_vip_rtt_p50_ms "$vip"
result shaper_vip_rtt_ratio "$(ratio "$plain" "$vip")"
