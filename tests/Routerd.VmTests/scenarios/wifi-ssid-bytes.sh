# An SSID with spaces, quotes, a backslash, Cyrillic and Chinese letters and an emoji reaches
# the air byte for byte: the client's scan shows exactly those bytes, and a client configured
# with them (as hex) joins. A newline or control character in the SSID or key is refused
# naming the field, and hostapd keeps running what it ran.
# vm-timeout: 240
. /lab/guest/lib.sh
. /lab/guest/wifi-lib.sh

wifi_lab phone
# JSON for: Café "q" \ Жар 家 😀  (27 bytes of UTF-8)
wifi_set '{"enabled":true,"ssid":"Café \"q\" \\ Жар 家 😀","security":"wpa2","country":"DE","band":"2.4"}'
wait_for 30 "the new SSID live" wifi_live
# hostapd itself prints the SSID it runs in its escaping (printf_encode): every non-ASCII byte as \xNN.
expected='Caf\xc3\xa9 \"q\" \\ \xd0\x96\xd0\xb0\xd1\x80 \xe5\xae\xb6 \xf0\x9f\x98\x80'
hostapd_cli_ap status | grep -qxF "ssid[0]=$expected" || fail "hostapd runs another SSID: $(hostapd_cli_ap status | grep ssid)"

sta_start phone "ssid=436166c3a920227122205c20d096d0b0d18020e5aeb620f09f9880
key_mgmt=WPA-PSK
psk=\"$WIFI_KEY\""
seen() { sta_cli phone scan > /dev/null; sta_cli phone scan_results | cut -f5 | grep -qxF "$expected"; }
wait_for 30 "the client's scan showing the SSID byte for byte" seen
wait_for 40 "the client associated to that SSID" sta_associated phone
sta_cli phone status | grep -qxF "ssid=$expected" || fail "associated to another SSID: $(sta_cli phone status | grep ssid)"

# --- refused values ----------------------------------------------------------------------------
before_conf=$(md5sum < "$RUN/hostapd.conf")
before_run=$(hostapd_cli_ap get_config)
before_pid=$(cat "$RUN/hostapd.pid")
refused() { # JSON FIELD
  code=$(wifi_put_status "$1")
  [ "$code" = 400 ] || fail "HTTP $code for $1: $(cat /tmp/put-body)"
  grep -q "\"field\": *\"$2\"" /tmp/put-body || fail "the refusal does not name $2: $(cat /tmp/put-body)"
  log "refused as expected ($2): $(tr -d '\n' < /tmp/put-body)"
}
refused '{"ssid":"evil\nwpa=0","security":"wpa2","country":"DE","band":"2.4"}' wifi.ssid
refused '{"ssid":"evil\u0000x","security":"wpa2","country":"DE","band":"2.4"}' wifi.ssid
refused '{"ssid":"ok","passphrase":"abcdefgh\nwpa_key_mgmt=NONE","security":"wpa2","country":"DE","band":"2.4"}' wifi.passphrase
refused '{"ssid":"ok","passphrase":"abc\u0007defghij","security":"wpa2","country":"DE","band":"2.4"}' wifi.passphrase
refused '{"ssid":"ok","security":"wpa2","country":"DE\nX","band":"2.4"}' wifi.country
[ "$(md5sum < "$RUN/hostapd.conf")" = "$before_conf" ] || fail "hostapd.conf changed"
[ "$(hostapd_cli_ap get_config)" = "$before_run" ] || fail "hostapd's running config changed"
[ "$(cat "$RUN/hostapd.pid")" = "$before_pid" ] || fail "hostapd was restarted"
wifi_live || fail "Wi-Fi is no longer live: $(wifi_status)"
sta_associated phone || fail "the client dropped"
