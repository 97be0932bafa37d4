# Issue 18 against a real hostapd: the ISP's box turns into a modem that is itself a router on
# 192.168.1.x, so routerd moves its LAN to 192.168.2.1/24 and makes its Wi-Fi devices ask again at
# once: hostapd's main network deauthenticates every station (DEAUTHENTICATE ff:ff:ff:ff:ff:ff on
# its control socket). The stations run dhcpcd, which holds routerd's 12 h lease and would not ask
# before its renewal 6 h away; only the deauthentication makes them rejoin and ask (INIT-REBOOT,
# refused by routerd's authoritative dnsmasq, then a new lease in 192.168.2.0/24). Checked: the LAN
# moved; hostapd logged each station's disconnection and the station was told by a frame (not a
# disconnection of its own); it rejoined and holds a fresh long 192.168.2.x lease within a bound;
# it reaches the ISP's web server through the router afterwards. Two stations on the main network:
# a WPA2-PSK phone without protected management frames and a WPA3-SAE tablet with them (PMF
# required: a broadcast deauthentication reaches it only protected, with the group management key).
# A visitor on the guest network (its own BSS, its subnet unchanged) keeps its association.
# vm-timeout: 300
. /lab/guest/lib.sh
. /lab/guest/wifi-lib.sh

# The move is kept (the old address goes, the WAN takes the modem's lease) at this deadline.
BOARD_EXTRA='"RollbackSeconds": 10,'
GUEST_SSID=routerd-lab-guest
GUEST_KEY=guest-key-9876
# The guest subnet stays clear of 192.168.2.0/24, so the LAN moves there (LanConflict skips the guest's).
GUEST_NET=192.168.9
# routerd's DHCP lease (12 h): a client renews at half of it, far beyond this scenario.
LAN_LEASE=43200
# From the modem's first lease to each station holding an address in the moved LAN.
REJOIN_LIMIT=60

wifi_lab phone tablet visitor
wait_for 60 "routerd's WAN address" routerd_wan_up

# Transition mode (WPA2-PSK and WPA3-SAE on one network, PMF optional) and the guest network: one restart.
wifi_set "{\"enabled\":true,\"ssid\":\"$WIFI_SSID\",\"security\":\"wpa2-wpa3\",\"country\":\"DE\",\"band\":\"2.4\",\"guest\":{\"enabled\":true,\"ssid\":\"$GUEST_SSID\",\"passphrase\":\"$GUEST_KEY\",\"address\":\"$GUEST_NET.1/24\"}}"
wait_for 40 "Wi-Fi live in transition mode with the guest network" wifi_live
guest_addr_on() { [ "$(ipv4_of rtr wlan-guest)" = "$GUEST_NET.1" ]; }
wait_for 30 "the router's guest address on wlan-guest" guest_addr_on

# The ISP's web server: what the stations fetch through the router after the move.
mkdir -p /tmp/www
echo hello > /tmp/www/hello
start_in isp httpd busybox httpd -f -p 203.0.113.1:80 -h /tmp/www

sta_start phone "$(psk_network "$WIFI_KEY")"
sta_start tablet "ssid=\"$WIFI_SSID\"
key_mgmt=SAE
ieee80211w=2
psk=\"$WIFI_KEY\""
sta_start visitor "ssid=\"$GUEST_SSID\"
key_mgmt=WPA-PSK
psk=\"$GUEST_KEY\""
sta_dhcpcd phone
sta_dhcpcd tablet
wait_for 40 "the phone associated (WPA2-PSK)" sta_associated phone
wait_for 40 "the tablet associated (WPA3-SAE)" sta_associated tablet
wait_for 40 "the visitor associated to the guest network" sta_associated visitor
# wpa_supplicant shows pmf= only on a link with protected management frames (1 or 2: the AP's
# "capable" or "required"; transition mode's is capable).
sta_cli tablet status | grep -q "^pmf=[12]" || fail "the tablet's link has no protected management frames: $(sta_cli tablet status)"
sta_cli phone status | grep -q "^pmf=[12]" && fail "the phone's link uses protected management frames: $(sta_cli phone status)"

leased_in() { case "$(lease_of "$1" address)" in "$2".*) [ "$(ipv4_of "$1" "$(eval echo "\$IF_$1")")" = "$(lease_of "$1" address)" ] ;; *) false ;; esac; }
for sta in phone tablet; do
  wait_for 30 "the $sta's dhcpcd to lease an address in 192.168.1.0/24" leased_in "$sta" 192.168.1
  [ "$(lease_of "$sta" seconds)" -ge "$LAN_LEASE" ] || fail "the $sta's lease is not long: $(cat "/tmp/$sta/lease")"
  log "$sta: $(tr '\n' ' ' < "/tmp/$sta/lease")"
done
visitor=$(sta_dhcp visitor)
case "$visitor" in "$GUEST_NET".*) log "visitor leased $visitor" ;; *) fail "the visitor got '$visitor', not a guest lease" ;; esac

# --- the ISP becomes a modem ------------------------------------------------------------------
# What has been logged so far: the checks below read only what comes after.
HOSTAPD_LOG=/tmp/rtr/log/hostapd.log
mark() { wc -l < "$1"; }
since() { tail -n "+$(( $1 + 1 ))" "$2"; }
hostapd_mark=$(mark "$HOSTAPD_LOG")
routerd_mark=$(mark "$RESULTS/routerd.log")
for sta in phone tablet visitor; do eval "wpa_mark_$sta=\$(mark \"\$RESULTS/wpa-$sta.log\")"; done

# 192.168.1.1 on the ISP's side of the cable and an authoritative DHCP server for 192.168.1.50-59:
# the router's renewal of its 203.0.113.x lease is refused and it takes one in the LAN's subnet.
ip -n isp addr add 192.168.1.1/24 dev isp0
stop isp-dhcp
start_in isp modem-dhcp dnsmasq --keep-in-foreground --no-resolv --no-hosts --port=0 --interface=isp0 --bind-interfaces \
  --dhcp-authoritative --dhcp-range=192.168.1.50,192.168.1.59,255.255.255.0,1h --dhcp-option=3,192.168.1.1 \
  --dhcp-leasefile="$RESULTS/modem.leases" --log-dhcp --log-facility=- --pid-file=
# routerd's WAN DHCP client: udhcpc by its name, or by its first argument (a busybox applet's link).
is_udhcpc() { [ "$(cat "/proc/$1/comm" 2>/dev/null)" = udhcpc ] || tr '\0' '\n' < "/proc/$1/cmdline" 2>/dev/null | head -1 | grep -q 'udhcpc$'; }
wan_clients=$(for p in $(ip netns pids rtr); do if is_udhcpc "$p"; then echo "$p"; fi; done)
[ -n "$wan_clients" ] || fail "no udhcpc in the router's namespace to renew the WAN lease: $(ip netns pids rtr | xargs -r ps -o pid=,args= -p)"
sleep 0.5
t0=$(now)
kill -USR1 $wan_clients
log "the ISP is a modem on 192.168.1.1; routerd's WAN client (pid $wan_clients) renews"

moved() { ip -n rtr -4 -o addr show dev br-lan | grep -q " 192\.168\.2\.1/24 " && routerd_api rtr /api/status | grep -q "lan/MOVED"; }
wait_for 45 "routerd to move the LAN to 192.168.2.1/24 (lan/MOVED) after the modem's lease" moved
result move_seconds "$(elapsed "$t0")"

# hostapd: every main-network station disconnected after the move started, none of the guest's.
ap_dropped() { since "$hostapd_mark" "$HOSTAPD_LOG" | grep -q "AP-STA-DISCONNECTED $1"; }
# The station: told by the AP (a deauthentication frame), not a disconnection of its own.
sta_told() { eval "m=\$wpa_mark_$1"; since "$m" "$RESULTS/wpa-$1.log" | grep "CTRL-EVENT-DISCONNECTED" | grep -qv "locally_generated=1"; }
for sta in phone tablet; do
  eval "mac=\$MAC_$sta"
  wait_for 15 "hostapd to log the $sta's disconnection (AP-STA-DISCONNECTED $mac) after the LAN moved" ap_dropped "$mac"
  wait_for 15 "the $sta's wpa_supplicant to be disconnected by the AP (CTRL-EVENT-DISCONNECTED, not locally generated)" sta_told "$sta"
  eval "m=\$wpa_mark_$sta"
  result "${sta}_disconnected" "$(since "$m" "$RESULTS/wpa-$sta.log" | grep -m1 CTRL-EVENT-DISCONNECTED)"
  log "$sta: $(cat "$RESULTS/${sta}_disconnected")"
done
# (routerd logs hostapd's OK to the request, which may come a moment after the frames.)
said() { since "$routerd_mark" "$RESULTS/routerd.log" | grep -q "disconnected every station"; }
wait_for 5 "routerd to log hostapd's answer to DEAUTHENTICATE (\"disconnected every station\")" said

# Back, with a fresh long lease in the moved LAN, and nothing left of the old subnet.
for sta in phone tablet; do
  left=$(echo "$t0 $(now) $REJOIN_LIMIT" | awk '{ l = $3 - ($2 - $1); printf "%d", l < 1 ? 1 : l }')
  wait_for "$left" "the $sta associated again (within $REJOIN_LIMIT s of the modem's lease)" sta_associated "$sta"
  left=$(echo "$t0 $(now) $REJOIN_LIMIT" | awk '{ l = $3 - ($2 - $1); printf "%d", l < 1 ? 1 : l }')
  wait_for "$left" "the $sta's dhcpcd (12 h lease) to hold an address in 192.168.2.0/24 (within $REJOIN_LIMIT s of the modem's lease)" leased_in "$sta" 192.168.2
  result "${sta}_rejoin_seconds" "$(elapsed "$t0")"
  [ "$(lease_of "$sta" router)" = 192.168.2.1 ] || fail "the $sta's gateway is not the moved router: $(cat "/tmp/$sta/lease")"
  [ "$(lease_of "$sta" seconds)" -ge "$LAN_LEASE" ] || fail "the $sta's new lease is short: $(cat "/tmp/$sta/lease")"
  eval "ifc=\$IF_$sta"
  ip -n "$sta" -4 -o addr show dev "$ifc" | grep -q " 192\.168\.1\." && fail "the $sta still holds an old address: $(ip -n "$sta" -4 -o addr show dev "$ifc")"
  log "$sta: $(tr '\n' ' ' < "/tmp/$sta/lease")"
done

# Through the router to the ISP's web server once the WAN holds the modem's lease (at the
# move's deadline); the ISP has no route to 192.168.2.0/24, so an answer proves routerd's NAT.
wan_on_modem() { ip -n rtr -4 -o addr show dev wan0 | grep -q " 192\.168\.1\.5[0-9]/24 "; }
wait_for 30 "the WAN to take the modem's lease once the old LAN address has gone" wan_on_modem
fetched() { [ "$(in_ns "$1" curl -sS --max-time 5 http://203.0.113.1/hello)" = hello ]; }
for sta in phone tablet; do
  wait_for 20 "the $sta to fetch the ISP's web page through the router" fetched "$sta"
done

# The guest network kept its station: no disconnection on either side, same address, still online.
eval "m=\$wpa_mark_visitor"
since "$m" "$RESULTS/wpa-visitor.log" | grep -q "CTRL-EVENT-DISCONNECTED" \
  && fail "the visitor on the guest network was disconnected: $(since "$m" "$RESULTS/wpa-visitor.log")"
ap_dropped "$MAC_visitor" && fail "hostapd dropped the guest network's visitor: $(since "$hostapd_mark" "$HOSTAPD_LOG" | grep "$MAC_visitor")"
sta_associated visitor || fail "the visitor is not associated any more: $(sta_cli visitor status)"
[ "$(ipv4_of visitor "$IF_visitor")" = "$visitor" ] || fail "the visitor's address changed: $(ipv4_of visitor "$IF_visitor"), was $visitor"
wait_for 20 "the visitor to fetch the ISP's web page through the router" fetched visitor
result total_seconds "$(elapsed "$t0")"
log "the LAN moved; its Wi-Fi stations rejoined in 192.168.2.0/24, the guest's stayed"
