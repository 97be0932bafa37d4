# The guest Wi-Fi: a second SSID on the same radio (hostapd's multi-BSS). Two stations on two
# hwsim radios: the phone joins the main network, the visitor the guest network. The visitor gets
# an address in the guest subnet from routerd's dnsmasq, its DNS answered by the router, and reaches
# the ISP host through NAT; it cannot reach the phone, nor the router's web UI (on either of the
# router's addresses), and the firewall's guest rules are what stopped it. The phone still has the
# internet and the web UI, and cannot reach into the guest network. The guest key never shows in
# GET /api/settings; POST /api/wifi/guest/join gives it as the WIFI: URI. A second visitor cannot
# reach the first (ap_isolate: the radio does not pass frames between guests). A new guest key is a
# reload (hostapd keeps running): the old key is refused, the new one joins.
# DNS (issue 23): guests have their own dnsmasq instance, which knows no LAN name: the visitor's
# query for the phone's name (laptop.lan) or the router's gets no LAN address, neither from the
# guest resolver nor from the LAN's at 192.168.1.1, while the phone resolves laptop.lan; both
# resolve the internet's names through the ISP's resolver.
# The download shaper covers guests: with a download rate set, the download's cake (this kernel has
# it) sits on the IFB ifb-down, br-lan's and wlan-guest's egress are redirected into it, the
# visitor's download is counted in its tin 0 (everyone's) and held to the rate, and the phone's VIP
# replies still land in the lane's tin 1.
# vm-timeout: 360
. /lab/guest/lib.sh
. /lab/guest/wifi-lib.sh

GUEST_SSID=routerd-lab-guest
GUEST_KEY='guest;key:9876'
GUEST_IF=wlan-guest

ISP_DNS=yes wifi_lab phone visitor visitor2
wait_for 60 "routerd's WAN address" routerd_wan_up

# The guest network on, beside the unchanged main network (its key left out: it stays).
wifi_set "{\"enabled\":true,\"ssid\":\"$WIFI_SSID\",\"security\":\"wpa2\",\"country\":\"DE\",\"band\":\"2.4\",\"guest\":{\"enabled\":true,\"ssid\":\"$GUEST_SSID\",\"passphrase\":\"$GUEST_KEY\",\"address\":\"192.168.2.1/24\"}}"
grep -q "^bss=$GUEST_IF\$" "$RUN/hostapd.conf" || fail "hostapd.conf has no guest BSS: $(cat "$RUN/hostapd.conf" | grep -v passphrase)"
wait_for 40 "Wi-Fi live with the guest network" wifi_live
guest_addr_on() { [ "$(ipv4_of rtr $GUEST_IF)" = 192.168.2.1 ]; }
wait_for 30 "the router's guest address on $GUEST_IF" guest_addr_on
hostapd_cli_ap status | grep -q "^ssid\[1\]=$GUEST_SSID\$" || fail "hostapd does not run the guest SSID: $(hostapd_cli_ap status | grep ssid)"

# --- the secret stays out of the settings; the join endpoint gives it -----------------------
routerd_api rtr /api/settings | grep -qF "$GUEST_KEY" && fail "GET /api/settings shows the guest key"
join=$(routerd_api rtr /api/wifi/guest/join -X POST)
printf '%s\n' "$join" | grep -qF "\"uri\":\"WIFI:T:WPA;S:$GUEST_SSID;P:guest\\\\;key\\\\:9876;;\"" || fail "the guest join URI is not the escaped one: $join"

# --- both stations join ---------------------------------------------------------------------
sta_start phone "$(psk_network "$WIFI_KEY")"
guest_network() { printf 'ssid="%s"\nkey_mgmt=WPA-PSK\npsk="%s"' "$GUEST_SSID" "$1"; }
sta_start visitor "$(guest_network "$GUEST_KEY")"
wait_for 40 "the phone associated to the main network" sta_associated phone
wait_for 40 "the visitor associated to the guest network" sta_associated visitor
sta_cli visitor status | grep -qxF "ssid=$GUEST_SSID" || fail "the visitor is on another network: $(sta_cli visitor status | grep ssid)"
phone=$(sta_dhcp phone laptop)
case "$phone" in 192.168.1.*) log "phone leased $phone" ;; *) fail "the phone got '$phone', not a LAN lease" ;; esac
visitor=$(sta_dhcp visitor)
case "$visitor" in 192.168.2.*) log "visitor leased $visitor" ;; *) fail "the visitor got '$visitor', not a guest lease" ;; esac
ip -n visitor route | grep -q "default via 192.168.2.1" \
  || fail "the visitor's gateway is not the router's guest address: $(ip -n visitor route)"
# Guests lease from their own dnsmasq (its own lease file): the device list still shows them.
listed() { routerd_api rtr /api/devices | grep -qiF "$1"; }
wait_for 20 "the visitor in the device list" listed "$MAC_visitor"

# --- the visitor: internet and DNS, nothing else --------------------------------------------
# The ISP has no route to 192.168.2.0/24: a reply proves routerd's NAT for guests.
in_ns visitor ping -c 2 -W 2 203.0.113.1
# DNS: the internet's names for both, the LAN's names for the LAN only. (nslookup's output is
# checked, not its exit status: "no such name" and "no answer" both leave the LAN address out.)
lookup() { in_ns "$1" busybox nslookup "$2" "$3" > "$RESULTS/dns-$1-$2-$3.log" 2>&1 || true; cat "$RESULTS/dns-$1-$2-$3.log"; }
dns_state() { ip netns exec rtr ss -lunp | grep ':53 '; ip netns exec rtr nft list chain inet routerd input_guest; tail -n 5 /tmp/rtr/log/dnsmasq*.log; }
answers() { lookup "$1" "$2" "$3" | sed -n '/^Name:/,$p' | grep -q "Address.*$4\$"; }
answers visitor www.example.net 192.168.2.1 198.18.0.80 \
  || fail "the visitor did not resolve an internet name through the router: $(lookup visitor www.example.net 192.168.2.1) $(dns_state)"
answers phone www.example.net 192.168.1.1 198.18.0.80 \
  || fail "the phone did not resolve an internet name through the router: $(lookup phone www.example.net 192.168.1.1)"
wait_for 20 "the phone's name in the LAN's DNS" answers phone laptop.lan 192.168.1.1 "$phone"
# Any address at all (the phone's IPv4, its ULA from ra-names, the router's) is a leak.
for server in 192.168.2.1 192.168.1.1; do
  for name in laptop.lan laptop router.lan; do
    lookup visitor "$name" "$server" | sed -n '/^Name:/,$p' | grep -q Address \
      && fail "a guest learned a LAN name's address: $name from $server: $(lookup visitor "$name" "$server")"
  done
done
grep -q "$GUEST_IF" "$RUN/dnsmasq.conf" && fail "the LAN's dnsmasq still serves the guest interface: $(cat "$RUN/dnsmasq.conf")"
[ -s "$RUN/dnsmasq-guest.conf" ] || fail "no guest dnsmasq configuration"
log "guests resolve the internet's names, not the LAN's"
in_ns visitor ping -c 2 -W 2 "$phone" && fail "the visitor reached the phone on the LAN"
# The web UI: the phone reaches it (so it listens), the visitor does not, on either address.
in_ns phone curl -sS -o /dev/null --max-time 5 http://192.168.1.1/ || fail "the phone does not reach the web UI"
in_ns visitor curl -sS -o /dev/null --max-time 5 http://192.168.1.1/ && fail "the visitor reached the web UI on the LAN address"
in_ns visitor curl -sS -o /dev/null --max-time 5 http://192.168.2.1/ && fail "the visitor reached the web UI on the guest address"
# Refused by the guest rules (counted), not merely unanswered.
rejected() { ip netns exec rtr nft list chain inet routerd input_guest | sed -n 's/.*counter packets \([0-9]*\).*reject.*/\1/p'; }
[ "$(rejected)" -ge 2 ] || fail "the guest input rule did not refuse the visitor: $(ip netns exec rtr nft list chain inet routerd input_guest)"
blocked() { ip netns exec rtr nft list chain inet routerd forward | sed -n 's/.*iifname "wlan-guest" counter packets \([0-9]*\).*/\1/p'; }
[ "$(blocked)" -ge 2 ] || fail "the guest forward rule did not refuse the visitor: $(ip netns exec rtr nft list chain inet routerd forward)"
log "refused by the guest rules: $(rejected) to the router, $(blocked) to the LAN"

# --- the phone: still the internet, but not into the guest network --------------------------
in_ns phone ping -c 2 -W 2 203.0.113.1
in_ns phone ping -c 2 -W 2 "$visitor" && fail "the phone reached the visitor in the guest network"

# --- a second visitor: guests do not reach each other ---------------------------------------
sta_start visitor2 "$(guest_network "$GUEST_KEY")"
wait_for 40 "the second visitor associated to the guest network" sta_associated visitor2
visitor2=$(sta_dhcp visitor2)
case "$visitor2" in 192.168.2.*) log "second visitor leased $visitor2" ;; *) fail "the second visitor got '$visitor2'" ;; esac
in_ns visitor2 ping -c 2 -W 2 203.0.113.1
in_ns visitor2 ping -c 2 -W 2 "$visitor" && fail "one guest reached another"

# --- a new guest key: a reload, the old key refused, the new one joins ----------------------
pid=$(cat "$RUN/hostapd.pid")
wifi_set "{\"enabled\":true,\"ssid\":\"$WIFI_SSID\",\"security\":\"wpa2\",\"country\":\"DE\",\"band\":\"2.4\",\"guest\":{\"enabled\":true,\"ssid\":\"$GUEST_SSID\",\"passphrase\":\"new-guest-key-1\",\"address\":\"192.168.2.1/24\"}}"
grep -q "^wpa_passphrase=new-guest-key-1\$" "$RUN/hostapd.conf" || fail "hostapd.conf does not hold the new guest key"
[ "$(cat "$RUN/hostapd.pid")" = "$pid" ] || fail "a new guest key restarted hostapd instead of reloading it"
wait_for 40 "hostapd refusing the visitor's old key" grep -q "AP-STA-POSSIBLE-PSK-MISMATCH $MAC_visitor" /tmp/rtr/log/hostapd.log
stop wpa-visitor
sta_start visitor "$(guest_network new-guest-key-1)"
wait_for 40 "the visitor associated with the new key" sta_associated visitor
sta_dhcp visitor > /dev/null
in_ns visitor ping -c 2 -W 2 203.0.113.1
# (hostapd's reload may drop the main network's stations too; the phone rejoins with its unchanged key.)
wait_for 40 "the phone on the main network after the guest key change" sta_associated phone
in_ns phone ping -c 2 -W 2 203.0.113.1

# --- the download shaper covers the guests ---------------------------------------------------
# 2 Mbit/s: under what the emulated radio carries (10-20 Mbit/s in TCG), so the shaper binds.
routerd_api rtr /api/settings > /tmp/settings.json
sed 's/"downloadKbit" *: *null/"downloadKbit":2000/' /tmp/settings.json > /tmp/shaped.json
grep -q '"downloadKbit":2000' /tmp/shaped.json || fail "could not set a download rate in: $(cat /tmp/settings.json)"
routerd_api rtr /api/settings -X PUT -H 'Content-Type: application/json' --data-binary @/tmp/shaped.json > /dev/null
tree_on_ifb() { ip netns exec rtr tc qdisc show dev ifb-down | grep -q "^qdisc cake 1: root"; }
wait_for 20 "the download's cake on ifb-down" tree_on_ifb
for dev in br-lan "$GUEST_IF"; do
  ip netns exec rtr tc qdisc show dev "$dev" | grep -q "^qdisc clsact" || fail "$dev's egress is not redirected: $(ip netns exec rtr tc qdisc show dev "$dev")"
  ip netns exec rtr tc filter show dev "$dev" egress | grep -q "Redirect to device ifb-down" \
    || fail "$dev has no redirect into ifb-down: $(ip netns exec rtr tc filter show dev "$dev" egress)"
done
ip netns exec rtr tc qdisc show dev br-lan | grep -q "htb\|cake" && fail "br-lan kept a tree of its own: $(ip netns exec rtr tc qdisc show dev br-lan)"
routerd_api rtr /api/qos | tr -d ' \n' | grep -q '"device":"ifb-down","direction":"download"' || fail "GET /api/qos does not show ifb-down: $(routerd_api rtr /api/qos)"
# sent COLUMN : the bytes the cake's tin in that column of its table has taken (1: tin 0, 2: tin 1).
sent() { ip netns exec rtr tc -s qdisc show dev ifb-down | awk -v col="$1" '$1 == "bytes" { print $(col + 1); exit }'; }
start_in isp iperf-guest iperf3 -s -p 5201 -1
sleep 1
bulk0=$(sent 1)
in_ns visitor iperf3 -c 203.0.113.1 -p 5201 -t 5 -R -J --connect-timeout 3000 > "$RESULTS/guest-download.json" \
  || fail "the visitor's download did not run: $(cat "$RESULTS/guest-download.json")"
bulk1=$(sent 1)
# (iperf3 indents its JSON with tabs.)
received=$(tr -d ' \t\n' < "$RESULTS/guest-download.json" | sed -n 's/.*"sum_received":{[^}]*"bytes":\([0-9]*\).*/\1/p')
kbit=$(tr -d ' \t\n' < "$RESULTS/guest-download.json" | sed -n 's/.*"sum_received":{[^}]*"bits_per_second":\([0-9.e+]*\).*/\1/p' | awk '{ printf "%d", $1 / 1000 }')
log "visitor downloaded $received B at $kbit kbit/s; ifb-down's tin 0 took $((bulk1 - bulk0)) B meanwhile"
[ -n "$received" ] && [ "$received" -gt 100000 ] || fail "the visitor's download carried too little: '$received' B"
[ $((bulk1 - bulk0)) -ge "$received" ] || fail "ifb-down's tin 0 took $((bulk1 - bulk0)) B, less than the visitor's $received B download"
[ "$kbit" -le 2300 ] || fail "the visitor's download ran at $kbit kbit/s, above the 2000 kbit/s download rate"
# The phone in the lane: its ping replies (1000-byte payloads) leave br-lan for the lane's tin.
routerd_api rtr "/api/devices/$MAC_phone/priority" -X PUT -H 'Content-Type: application/json' -d '{"enabled":true}' > /dev/null
vip0=$(sent 2)
in_ns phone ping -c 5 -i 0.3 -s 1000 -W 2 203.0.113.1 > /dev/null || fail "the phone's pings went unanswered with the shaper on"
vip1=$(sent 2)
[ $((vip1 - vip0)) -ge 5000 ] || fail "ifb-down's lane tin took $((vip1 - vip0)) B for the phone's five 1000-byte replies"
log "the phone's replies in ifb-down's lane tin: $((vip1 - vip0)) B"
result guest_download_kbit "$kbit"

result visitor_address "$visitor"
result phone_address "$phone"
log "guest network: internet only"
