# The VIP lane on the radio: while the phone is a VIP, what the router sends it over Wi-Fi goes
# out in the video access category (802.1d user priority / TID 4, from the DSCP CS4 routerd
# marks); otherwise best effort (TID 0), also when the internet marks its packets EF (routerd
# clears the DSCP of non-VIP downloads). Counted from the radio's per-TID statistics.
# vm-timeout: 240
. /lab/guest/lib.sh
. /lab/guest/wifi-lib.sh

wifi_lab phone
wait_for 60 "routerd's WAN address" routerd_wan_up
sta_start phone "$(psk_network "$WIFI_KEY")"
wait_for 40 "the phone associated" sta_associated phone
addr=$(sta_dhcp phone)
log "phone $MAC_phone at $addr"

# pings TOS : 30 pings to the ISP host (the replies come back through routerd and over the
# radio); prints how many MSDUs went to the phone in TID 0 and in TID 4 meanwhile.
pings() {
  be0=$(ap_tid_tx "$MAC_phone" 0) vi0=$(ap_tid_tx "$MAC_phone" 4)
  in_ns phone ping -q -c 30 -i 0.1 -W 2 -Q "$1" 203.0.113.1 > /dev/null
  echo "$(( $(ap_tid_tx "$MAC_phone" 0) - be0 )) $(( $(ap_tid_tx "$MAC_phone" 4) - vi0 ))"
}
expect() { # WHAT "BE VI" BE-RULE VI-RULE
  set -- "$1" $2 "$3" "$4"
  log "$1: $2 frames best effort (TID 0), $3 video (TID 4)"
  [ "$2" $4 ] && [ "$3" $5 ] || fail "$1: expected TID 0 $4 and TID 4 $5, got $2 and $3 ($(ip netns exec rtr iw dev "$AP" station dump -v))"
}

expect "not VIP" "$(pings 0)" "-ge 30" "-lt 5"
expect "not VIP, EF from the internet" "$(pings 0xb8)" "-ge 30" "-lt 5"
routerd_api rtr "/api/devices/$MAC_phone/priority" -X PUT -H 'Content-Type: application/json' -d '{"enabled":true}' > /dev/null
r=$(pings 0)
expect "VIP" "$r" "-lt 10" "-ge 30"
result vip_tid4_frames "${r#* }"
routerd_api rtr "/api/devices/$MAC_phone/priority" -X PUT -H 'Content-Type: application/json' -d '{"enabled":false}' > /dev/null
expect "VIP off again" "$(pings 0)" "-ge 30" "-lt 5"
