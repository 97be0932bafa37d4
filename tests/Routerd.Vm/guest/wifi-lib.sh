# Wi-Fi helpers for lab VM scenarios: `. /lab/guest/lib.sh; . /lab/guest/wifi-lib.sh`.
# The picture: mac80211_hwsim radios, the first moved into the router namespace (rtr) where
# routerd runs hostapd on it, the others into client namespaces running wpa_supplicant; an ISP
# namespace gives the router its WAN address by DHCP and is the "internet" host 203.0.113.1.

WIFI_SSID=routerd-lab
WIFI_KEY=lab-key-1234

# wifi_lab CLIENT... : the ISP, the router (routerd up, Wi-Fi live) and one radio per client
# namespace. Sets AP (the router's radio interface), AP_PHY, and for each client NS the
# variables IF_<NS> (its radio interface) and MAC_<NS>.
wifi_lab() {
  hwsim $(( $# + 1 ))
  ns_add isp rtr "$@"
  dhcp_isp
  # A wired LAN port too (the bridge needs one; its far end stays in the router namespace).
  ip -n rtr link add lan1 type veth peer name lan1-far
  set -- rtr "$@"
  for phy in $(ls /sys/class/ieee80211 | sort -V); do
    [ $# -gt 0 ] || break
    ns=$1; shift
    ifc=$(ls "/sys/class/ieee80211/$phy/device/net" | head -1)
    mac=$(cat "/sys/class/net/$ifc/address")
    iw phy "$phy" set netns name "$ns"
    if [ "$ns" = rtr ]; then AP=$ifc AP_PHY=$phy; else eval "IF_$ns=$ifc MAC_$ns=$mac"; fi
    log "radio $phy ($ifc, $mac) -> $ns"
  done
  routerd_board /tmp/rtr/board.json wan0 lan1
  # First boot with a known Wi-Fi name and key, as a board with a printed label would have.
  sed -i "s|\"WebPort\": 80|\"WebPort\": 80,\n  \"Defaults\": { \"WifiSsid\": \"$WIFI_SSID\", \"WifiPassphrase\": \"$WIFI_KEY\", \"WifiCountry\": \"DE\" }|" /tmp/rtr/board.json
  RUN=/tmp/rtr/run
  # routerd_start waits 60 s; a busy host's TCG needs longer for the first start.
  start_in rtr routerd "$ROUTERD" serve --board /tmp/rtr/board.json
  ROUTERD_SOCKET=$RUN/routerd.sock
  wait_for 180 "routerd's control socket" routerd_api rtr /api/status
  wait_for 60 "Wi-Fi live" wifi_live
}

wifi_status() { routerd_api rtr /api/status | tr -d '\n ' | sed -n 's/.*"wifi":{\([^}]*\)}.*/\1/p'; }
wifi_live() { wifi_status | grep -q '"code":"wifi/UP","radio":true,"live":true'; }

# wifi_doc JSON : routerd's settings (compact JSON from GET /api/settings) with the "wifi"
# object replaced by JSON (the key may be left out: then it stays), in /tmp/settings-new.json.
# The object ends at its matching brace (it holds the guest network's object), strings skipped.
# (ENVIRON, not awk -v: -v would read the backslashes of JSON escapes.)
wifi_doc() {
  routerd_api rtr /api/settings > /tmp/settings.json
  NEW="$1" awk '{
    i = index($0, "\"wifi\":{")
    if (i == 0) { print; next }
    depth = 0; instr = 0; esc = 0
    for (k = i + 7; k <= length($0); k++) {
      c = substr($0, k, 1)
      if (instr) { if (esc) esc = 0; else if (c == "\\") esc = 1; else if (c == "\"") instr = 0; continue }
      if (c == "\"") instr = 1
      else if (c == "{") depth++
      else if (c == "}" && --depth == 0) break
    }
    print substr($0, 1, i - 1) "\"wifi\":" ENVIRON["NEW"] substr($0, k + 1) }' /tmp/settings.json > /tmp/settings-new.json
  grep -qF "\"wifi\":$1" /tmp/settings-new.json || fail "could not put the wifi object into $(cat /tmp/settings.json)"
}

# wifi_set JSON : PUTs the settings with this "wifi" object.
wifi_set() {
  wifi_doc "$1"
  routerd_api rtr /api/settings -X PUT -H 'Content-Type: application/json' --data-binary @/tmp/settings-new.json > /dev/null
}

# wifi_put_status JSON : like wifi_set, but prints the HTTP status and keeps the body in
# /tmp/put-body (for changes that must be refused).
wifi_put_status() {
  wifi_doc "$1"
  ip netns exec rtr curl -sS --max-time 10 --unix-socket "$ROUTERD_SOCKET" -o /tmp/put-body -w '%{http_code}' \
    -X PUT -H 'Content-Type: application/json' --data-binary @/tmp/settings-new.json http://routerd/api/settings
}

# hostapd_cli_ap ARGS... : hostapd_cli on routerd's hostapd.
hostapd_cli_ap() { ip netns exec rtr hostapd_cli -p "$RUN/hostapd" -i "$AP" "$@"; }

# sta_start NS NETWORK-BLOCK-LINES : wpa_supplicant on NS's radio with one network.
sta_start() {
  ns=$1; eval "ifc=\$IF_$ns"
  mkdir -p "/tmp/$ns"
  printf 'ctrl_interface=/tmp/%s/wpa\nsae_pwe=2\nnetwork={\n%s\n}\n' "$ns" "$2" > "/tmp/$ns/wpa.conf"
  start_in "$ns" "wpa-$ns" wpa_supplicant -D nl80211 -i "$ifc" -c "/tmp/$ns/wpa.conf"
  wait_for 10 "wpa_supplicant in $ns" sta_cli "$ns" ping
}

# psk_network KEY : a WPA2-PSK network block for the AP's SSID with KEY.
psk_network() { printf 'ssid="%s"\nkey_mgmt=WPA-PSK\npsk="%s"' "$WIFI_SSID" "$1"; }

sta_cli() { ns=$1; shift; eval "ifc=\$IF_$ns"; ip netns exec "$ns" wpa_cli -p "/tmp/$ns/wpa" -i "$ifc" "$@"; }
sta_state() { sta_cli "$1" status | sed -n 's/^wpa_state=//p'; }
sta_associated() { [ "$(sta_state "$1")" = COMPLETED ]; }

# sta_dhcp NS [HOSTNAME] : a DHCP lease on NS's radio (asking under HOSTNAME); prints the address.
sta_dhcp() {
  ns=$1; eval "ifc=\$IF_$ns"
  ip netns exec "$ns" udhcpc -i "$ifc" -f -q -n -t 20 -T 2 ${2:+-x "hostname:$2"} > "$RESULTS/udhcpc-$ns.log" 2>&1
  ipv4_of "$ns" "$ifc"
}

# sta_dhcpcd NS [HOSTNAME] : dhcpcd on NS's radio, the DHCP client of a phone or laptop: it drops
# its lease when the link goes (a deauthentication) and asks for it again (INIT-REBOOT) when the
# station has rejoined; otherwise it asks only at the renewal, half the lease away. (udhcpc, as
# sta_dhcp runs it, asks once and ignores the link.) dhcpcd keeps its control socket and leases in
# /run/dhcpcd and /var/lib/dhcpcd, which every namespace shares: it runs in a private mount
# namespace with /tmp/NS/dhcpcd's directories bound onto both. Its hook records each lease in
# /tmp/NS/lease (address=, router=, seconds=, reason=, count=); output in $RESULTS/dhcpcd-NS.log.
sta_dhcpcd() {
  local ns ifc dir
  ns=$1; eval "ifc=\$IF_$ns"
  dir=/tmp/$ns/dhcpcd
  mkdir -p "$dir/run" "$dir/state"
  sed "s|@LEASE@|/tmp/$ns/lease|g" > "$dir/hook.sh" <<'HOOK'
#!/bin/sh
case "$reason" in
  BOUND|RENEW|REBIND|REBOOT)
    prev=$(sed -n 's/^count=//p' '@LEASE@' 2>/dev/null)
    printf 'address=%s\nrouter=%s\nseconds=%s\nreason=%s\ncount=%s\n' "$new_ip_address" "$new_routers" \
      "$new_dhcp_lease_time" "$reason" $(( ${prev:-0} + 1 )) > '@LEASE@.new'
    mv '@LEASE@.new' '@LEASE@' ;;
esac
exit 0
HOOK
  chmod 700 "$dir/hook.sh"
  # noarp: no address probe (a second's wait); noipv4ll: no 169.254 address while it asks.
  printf 'allowinterfaces %s\nipv4only\nnoipv4ll\nnoarp\nhostname %s\nscript %s\n' "$ifc" "${2:-$ns}" "$dir/hook.sh" > "$dir/dhcpcd.conf"
  start_in "$ns" "dhcpcd-$ns" unshare --mount --propagation private -- /bin/sh -c \
    'mkdir -p /run/dhcpcd /var/lib/dhcpcd && mount --bind "$1" /run/dhcpcd && mount --bind "$2" /var/lib/dhcpcd && exec dhcpcd -B -f "$3" "$4"' \
    lab-dhcpcd "$dir/run" "$dir/state" "$dir/dhcpcd.conf" "$ifc"
}

# lease_of NS KEY : KEY's value in the last lease NS's dhcpcd recorded (sta_dhcpcd).
lease_of() { sed -n "s/^$2=//p" "/tmp/$1/lease" 2>/dev/null; }

# device_json MAC : the device's object from GET /api/devices, on one line.
device_json() { routerd_api rtr /api/devices | tr -d '\n ' | sed 's/{"mac":/\n{"mac":/g' | grep "^{\"mac\":\"$1\""; }

# ap_tid_tx MAC TID : MSDUs the router's radio has sent to station MAC in traffic identifier TID
# (nl80211's per-TID station statistics, kept by mac80211 for every driver).
ap_tid_tx() {
  ip netns exec rtr iw dev "$AP" station dump -v | awk -v mac="$1" -v tid="$2" '
    /^Station / { me = ($2 == mac); msdu = 0; next }
    me && /MSDU:/ { msdu = 1; next }
    me && msdu && $1 == tid { print $3; found = 1; exit }
    END { if (!found) print 0 }'
}
