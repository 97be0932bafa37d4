# The phone's wpa_supplicant joins routerd's access point with the configured name and key, gets
# a lease from routerd's dnsmasq over the radio and reaches the ISP host through NAT; the device
# list shows it as a Wi-Fi device. A new key through the API: the old key is refused, the new
# one accepted. hostapd killed: running again and the phone back without help. Then WPA3-SAE:
# a SAE client joins.
# vm-timeout: 300
. /lab/guest/lib.sh
. /lab/guest/wifi-lib.sh

wifi_lab phone
wait_for 60 "routerd's WAN address" routerd_wan_up

sta_start phone "$(psk_network "$WIFI_KEY")"
wait_for 40 "the phone associated (WPA2-PSK)" sta_associated phone
addr=$(sta_dhcp phone)
case "$addr" in 192.168.1.*) log "phone leased $addr from routerd" ;; *) fail "the phone got '$addr', not a lease from routerd" ;; esac
in_ns phone ping -c 2 -W 2 192.168.1.1
# The ISP has no route to 192.168.1.0/24: a reply proves routerd's NAT.
in_ns phone ping -c 2 -W 2 203.0.113.1

phone_wifi_online() { device_json "$MAC_phone" | grep '"connection":"wifi"' | grep -q '"online":true'; }
wait_for 20 "the phone listed as an online Wi-Fi device" phone_wifi_online
log "device: $(device_json "$MAC_phone")"

# --- a new key through the API -------------------------------------------------------------
wifi_set "{\"enabled\":true,\"ssid\":\"$WIFI_SSID\",\"passphrase\":\"new-key-5678\",\"security\":\"wpa2\",\"country\":\"DE\",\"band\":\"2.4\"}"
wait_for 30 "the new key live" wifi_live
grep -q "wpa_passphrase=new-key-5678" "$RUN/hostapd.conf" || fail "hostapd.conf does not hold the new key"
[ "$(stat -c %a "$RUN/hostapd.conf")" = 600 ] || fail "hostapd.conf is not 0600"
# The phone still has the old key: hostapd refuses it.
wait_for 40 "hostapd refusing the old key" grep -q "AP-STA-POSSIBLE-PSK-MISMATCH $MAC_phone" /tmp/rtr/log/hostapd.log
sta_associated phone && fail "the phone is associated with the old key"
phone_offline() { device_json "$MAC_phone" | grep -q '"online":false'; }
wait_for 10 "the phone listed offline" phone_offline
stop wpa-phone
sta_start phone "$(psk_network new-key-5678)"
wait_for 40 "the phone associated with the new key" sta_associated phone
# A new wpa_supplicant took the link down and up: the phone asks for its lease again, as phones do.
sta_dhcp phone > /dev/null

# --- hostapd dies ---------------------------------------------------------------------------
pid=$(cat "$RUN/hostapd.pid")
kill -9 "$pid"
log "killed hostapd (pid $pid)"
hostapd_back() { p=$(cat "$RUN/hostapd.pid" 2>/dev/null) && [ -n "$p" ] && [ "$p" != "$pid" ] && kill -0 "$p"; }
wait_for 30 "hostapd running again" hostapd_back
wait_for 30 "Wi-Fi live again" wifi_live
wait_for 60 "the phone back without help" sta_associated phone
in_ns phone ping -c 2 -W 2 203.0.113.1

# --- WPA3-SAE (the key stays: it is left out of the request) ---------------------------------
wifi_set "{\"enabled\":true,\"ssid\":\"$WIFI_SSID\",\"security\":\"wpa3\",\"country\":\"DE\",\"band\":\"2.4\"}"
wait_for 30 "WPA3 live" wifi_live
hostapd_cli_ap get_config | grep -q "key_mgmt=SAE" || fail "hostapd does not run SAE: $(hostapd_cli_ap get_config)"
stop wpa-phone
sta_start phone "ssid=\"$WIFI_SSID\"
key_mgmt=SAE
ieee80211w=2
psk=\"new-key-5678\""
wait_for 40 "the phone associated with WPA3-SAE" sta_associated phone
sta_cli phone status | grep -q "^key_mgmt=SAE" || fail "the phone's link is not SAE: $(sta_cli phone status)"
sta_dhcp phone > /dev/null
in_ns phone ping -c 2 -W 2 203.0.113.1
