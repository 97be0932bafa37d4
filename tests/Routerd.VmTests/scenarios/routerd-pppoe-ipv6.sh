# IPv6 over PPPoE (issue 19): routerd dials rp-pppoe's pppoe-server, whose pppd negotiates
# IPv6CP (+ipv6) as routerd's does; the ISP sends router advertisements (radvd) and delegates
# prefixes (Kea, pd-pools) over the PPP link, as a dual-stack PPPoE ISP does.
#   dial-up → ppp-wan gets a global address from the RA (SLAAC, a /64) and an IPv6 default
#   route, dhcpcd on ppp-wan gets a /56, its first /64 goes on br-lan; the phone takes an
#   address in it and pings the ISP's IPv6 host;
#   the ISP hangs up (its session pppd killed: PADT) → routerd redials, starts a fresh dhcpcd
#   on the new session, the prefix is back (PD after a reconnect: dhcpcd issues #332, #76) and
#   the phone reaches the IPv6 host again;
#   IPv6 switched off → routerd redials without IPv6CP (no IPv6 on ppp-wan, no dhcpcd, the LAN's
#   delegated /64 gone); switched on again in static mode (a business line's fixed address,
#   gateway and routed /48) → redialled with IPv6CP, the fixed address and route on ppp-wan, the
#   routed prefix's first /64 on br-lan, and the phone reaches the IPv6 host through it.
# vm-timeout: 900
. /lab/guest/lib.sh
# routerd's logs (dhcpcd.log, pppd.log), the ISP's IPv6 configuration and both sides' addresses
# and routes come back with the results, also when a step fails.
v6_picture() {
  for ns in rtr isp phone; do echo "== $ns"; ip -n $ns -6 addr; ip -n $ns -6 route; done
}
trap 'cp /tmp/rtr/log/*.log /tmp/isp6/*.conf /tmp/isp6/*.json "$RESULTS/" 2>/dev/null; v6_picture > "$RESULTS/ipv6-picture.txt" 2>&1 || true' EXIT

USER_NAME='lab-user@isp.test'
PASS='lab-v6-pass'
INET6=2001:db8:ffff::10

ns_add isp rtr phone inet
veth rtr wan0 isp isp0
ip -n rtr link set wan0 down   # routerd brings its ports up, as on real hardware

# The ISP: a CHAP account whose sessions negotiate IPv6CP, and a route on to an IPv6 host.
pppoe_isp_account isp "$USER_NAME" "\"$PASS\"" 100.64.0.53
echo '+ipv6' >> /etc/netns/isp/ppp/pppoe-server-options
pppoe_server isp isp0 pppoe-server -C lab-bras
veth isp isp-inet inet eth0
ip -n isp -6 addr add 2001:db8:ffff::1/64 dev isp-inet nodad
ip -n inet -6 addr add $INET6/64 dev eth0 nodad
ip -n inet -6 route add default via 2001:db8:ffff::1
in_ns isp sysctl -qw net.ipv6.conf.all.forwarding=1

# The ISP's IPv6 on each session: a PPP interface exists only while a session is up, so a
# watcher (re)starts radvd and Kea on every new one (new ifindex, IPv6CP up: it has a link-local
# address) and routes the delegated-prefix pool through it (Kea hands prefixes out, it does not
# route them; with one subscriber the whole pool may go its way).
mkdir -p /tmp/isp6
cat > /tmp/isp6/watch.sh <<'WATCH'
dir=/tmp/isp6
seen=
stop_daemons() {
  for p in radvd kea; do [ -s "$dir/$p.pid" ] && kill "$(cat "$dir/$p.pid")" 2>/dev/null; rm -f "$dir/$p.pid"; done
  sleep 0.3
}
trap 'stop_daemons; exit 0' TERM INT
while :; do
  now=$(ip -o -6 addr show scope link 2>/dev/null | awk '$2 ~ /^ppp/ { print $1 $2; exit }')
  if [ "$now" != "$seen" ]; then
    stop_daemons
    seen=$now
    if [ -n "$now" ]; then
      ifc=${now#*:}
      echo "session interface $ifc (${now%%:*}): starting radvd and Kea on it"
      # pppd puts the link-local address on as a point-to-point pair (local peer remote), and
      # Kea 2.2 took the peer's address for its own ("Failed to bind socket to fe80::<router's
      # id>: Cannot assign requested address", measured here): the same address again, without a peer.
      set -- $(ip -6 -o addr show dev "$ifc" scope link | awk '{ print $4, $6; exit }')
      if [ -n "${2:-}" ]; then
        ip -6 addr del "$1" peer "$2" dev "$ifc" && ip -6 addr add "$1/64" dev "$ifc" nodad ||
          echo "could not put $1 on $ifc without its peer"
      fi
      cat > "$dir/radvd.conf" <<EOF
interface $ifc {
  AdvSendAdvert on; MinRtrAdvInterval 3; MaxRtrAdvInterval 10;
  AdvManagedFlag on; AdvOtherConfigFlag on;
  prefix 2001:db8:1::/64 { AdvOnLink on; AdvAutonomous on; };
};
EOF
      cat > "$dir/kea.json" <<EOF
{ "Dhcp6": {
  "interfaces-config": { "interfaces": [ "$ifc" ], "service-sockets-max-retries": 60, "service-sockets-retry-wait-time": 500 },
  "data-directory": "$dir",
  "server-id": { "type": "EN", "enterprise-id": 32473, "identifier": "6c61622d69737036", "persist": false },
  "lease-database": { "type": "memfile", "persist": false },
  "preferred-lifetime": 3000, "valid-lifetime": 4000, "renew-timer": 1000, "rebind-timer": 2000,
  "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "$ifc",
    "pools": [ { "pool": "2001:db8:1::100-2001:db8:1::1ff" } ],
    "pd-pools": [ { "prefix": "2001:db8:100::", "prefix-len": 40, "delegated-len": 56 } ],
    "option-data": [ { "name": "dns-servers", "data": "2001:db8:ffff::53" } ] } ],
  "loggers": [ { "name": "kea-dhcp6", "output_options": [ { "output": "stdout" } ], "severity": "INFO" } ]
} }
EOF
      radvd -n -C "$dir/radvd.conf" -p "$dir/radvd.pid.own" -m stderr >> "$RESULTS/isp-radvd.log" 2>&1 &
      echo $! > "$dir/radvd.pid"
      KEA_PIDFILE_DIR=$dir KEA_LOCKFILE_DIR=$dir kea-dhcp6 -c "$dir/kea.json" >> "$RESULTS/isp-kea.log" 2>&1 &
      echo $! > "$dir/kea.pid"
      ip -6 route replace 2001:db8:100::/40 dev "$ifc"
    fi
  fi
  sleep 0.3
done
WATCH
start_in isp isp6 env RESULTS="$RESULTS" sh /tmp/isp6/watch.sh

# The router and the phone.
ip -n rtr link add lan1 type veth peer name eth0 netns phone
ip -n phone link set eth0 address 02:00:00:00:01:01 up
routerd_board /tmp/rtr/board.json wan0 lan1
routerd_start rtr /tmp/rtr/board.json 240
RUN=/tmp/rtr/run

ppp_up() { wan_code_is wan/UP && has_ipv4 rtr ppp-wan; }
# The IPv6 part of the status: its code and delegated prefix.
v6_status() { routerd_api rtr /api/status | tr -d ' \n' | sed -n 's/.*"ipv6":{\([^}]*\)}.*/\1/p'; }
v6_field() { v6_status | sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }
v6_up() { [ "$(v6_field code)" = ipv6/UP ] && [ -n "$(v6_field delegatedPrefix)" ]; }
# ppp-wan's global address from the ISP's router advertisement: SLAAC in 2001:db8:1::/64 (a
# DHCPv6 address, IA_NA, is a /128).
wan_slaac() { ip -n rtr -6 -o addr show dev ppp-wan scope global | grep -q 'inet6 2001:db8:1:[0-9a-f:]*/64 '; }
wan_v6_route() { ip -n rtr -6 route show default | grep -q 'dev ppp-wan'; }
# The phone's address in the LAN /64 of the delegated prefix ($1: "2001:db8:100:" for 2001:db8:100::/56).
phone_global() { ip -n phone -6 -o addr show dev eth0 scope global -tentative | grep -q "inet6 $1"; }
phone_ping6() { in_ns phone ping -6 -c 1 -W 2 $INET6; }
dhcpcd_pid() { cut -d' ' -f1 "$RUN/dhcpcd.pid" 2>/dev/null; }

# PUT the first-boot settings (IPv6 on by default) with the WAN in PPPoE mode.
routerd_api rtr /api/settings > /tmp/settings.dhcp
sed -e 's/"pppoe" *: *null *,\{0,1\}//' \
    -e "s/\"mode\" *: *\"dhcp\"/\"mode\":\"pppoe\",\"pppoe\":{\"username\":\"$USER_NAME\",\"password\":\"$PASS\"}/" /tmp/settings.dhcp > /tmp/settings.put
grep -q '"pppoe":{' /tmp/settings.put || fail "could not make the PPPoE settings from: $(cat /tmp/settings.dhcp)"

log "--- dial-up with IPv6"
t0=$(now)
routerd_api rtr /api/settings -X PUT -H 'Content-Type: application/json' --data-binary @/tmp/settings.put > /tmp/put.answer ||
  fail "PUT /api/settings: $(cat /tmp/put.answer)"
wait_for 90 "the PPPoE session (wan/UP with an address on ppp-wan)" ppp_up
result dial_s "$(elapsed "$t0")"
grep -qx '+ipv6' "$RUN/pppd.options" || fail "routerd's pppd options have no +ipv6: $(cat "$RUN/pppd.options")"
wait_for 60 "ppp-wan's IPv6 link-local address (IPv6CP)" sh -c "ip -n rtr -6 -o addr show dev ppp-wan scope link | grep -q fe80"
wait_for 90 "a delegated prefix over the PPP link (ipv6/UP)" v6_up
result v6_ready_s "$(elapsed "$t0")"
prefix=$(v6_field delegatedPrefix)
log "status ipv6: $(v6_status)"
case "$prefix" in 2001:db8:1[0-9a-f][0-9a-f]:*/56|2001:db8:100::/56) ;; *) fail "the delegated prefix $prefix is not a /56 of the ISP's pool" ;; esac
result prefix "$prefix"
wait_for 60 "ppp-wan's global address from the ISP's router advertisement" wan_slaac
wait_for 30 "the IPv6 default route over ppp-wan" wan_v6_route
result wan_v6 "$(ip -n rtr -6 -o addr show dev ppp-wan scope global | awk '{ print $4 }' | tr '\n' ' ')"
lan=${prefix%%::*}:
ip -n rtr -6 -o addr show dev br-lan | grep -q "inet6 ${lan}:1/64" || fail "br-lan has no ${lan}:1/64: $(ip -n rtr -6 -o addr show dev br-lan)"
grep -qx 'allowinterfaces ppp-wan' "$RUN/dhcpcd.conf" || fail "routerd's dhcpcd is not on ppp-wan: $(cat "$RUN/dhcpcd.conf")"
kill -0 "$(dhcpcd_pid)" || fail "routerd's dhcpcd does not run"

log "--- the phone: an address in the delegated prefix, and the ISP's IPv6 host"
wait_for 60 "the phone's address in ${lan}:/64" phone_global "$lan"
wait_for 30 "the phone's ping to $INET6" phone_ping6
result phone_v6 "$(ip -n phone -6 -o addr show dev eth0 scope global | awk '{ print $4 }' | tr '\n' ' ')"

log "--- the ISP hangs up (PADT): routerd redials and gets its prefix again"
server_sessions() { for p in $(ip netns pids isp); do [ "$(cat /proc/$p/comm 2>/dev/null)" = pppd ] && echo "$p"; done; }
dhcpcd_before=$(dhcpcd_pid)
t0=$(now)
kill -9 $(server_sessions)
wait_for 30 "the session to drop after PADT" wan_code_is_not wan/UP
wait_for 60 "the session to come back" ppp_up
wait_for 90 "a delegated prefix again after the reconnect" v6_up
result reconnect_v6_s "$(elapsed "$t0")"
again=$(v6_field delegatedPrefix)
result prefix_after_reconnect "$again"
log "prefix before $prefix, after the reconnect $again"
dhcpcd_after=$(dhcpcd_pid)
[ -n "$dhcpcd_after" ] && [ "$dhcpcd_after" != "$dhcpcd_before" ] ||
  fail "dhcpcd was not restarted for the new session (pid $dhcpcd_before before, $dhcpcd_after after)"
grep -q 'WAN DHCPv6 [A-Za-z0-9 ]*: delegated prefix none' "$RESULTS/routerd.log" || fail "routerd did not log the session's prefix going: $(grep 'DHCPv6' "$RESULTS/routerd.log")"
lan=${again%%::*}:
wait_for 30 "br-lan's ${lan}:1/64 after the reconnect" sh -c "ip -n rtr -6 -o addr show dev br-lan | grep -q 'inet6 ${lan}:1/64'"
wait_for 60 "the phone's address in ${lan}:/64 after the reconnect" phone_global "$lan"
wait_for 60 "the phone's ping to $INET6 after the reconnect" phone_ping6
log "IPv6 over PPPoE survived the reconnect"

# The stored settings with one change made by sed ($1), PUT back (secrets left out are kept).
put_settings() {
  routerd_api rtr /api/settings | tr -d '\n' | sed -e "$1" > /tmp/settings.put
  routerd_api rtr /api/settings -X PUT -H 'Content-Type: application/json' --data-binary @/tmp/settings.put > /tmp/put.answer ||
    fail "PUT /api/settings ($1): $(cat /tmp/put.answer)"
}
# routerd's pppd: the one pppd in the router's namespace.
rtr_pppd() { for p in $(ip netns pids rtr); do [ "$(cat /proc/$p/comm 2>/dev/null)" = pppd ] && echo "$p"; done | head -1; }

log "--- IPv6 off: pppd negotiates IPv6CP only at the start of a session, so routerd redials without it"
pppd_before=$(rtr_pppd)
t0=$(now)
put_settings 's/"ipv6": *{ *"enabled": *true/"ipv6":{"enabled":false/'
grep -q '"ipv6":{"enabled":false' /tmp/settings.put || fail "could not switch IPv6 off in: $(head -c 600 /tmp/settings.put)"
wait_for 30 "pppd's options without +ipv6" sh -c "! grep -qx '+ipv6' '$RUN/pppd.options'"
wait_for 60 "the session to come back without IPv6" ppp_up
pppd_after=$(rtr_pppd)
[ -n "$pppd_after" ] && [ "$pppd_after" != "$pppd_before" ] || fail "pppd was not restarted for IPv6 off (pid $pppd_before before, $pppd_after after)"
result ipv6_off_redial_s "$(elapsed "$t0")"
ip -n rtr -6 -o addr show dev ppp-wan | grep -q inet6 && fail "ppp-wan still has IPv6 with IPv6 off: $(ip -n rtr -6 -o addr show dev ppp-wan)"
kill -0 "$(dhcpcd_pid)" 2>/dev/null && fail "routerd's dhcpcd still runs with IPv6 off"
wait_for 30 "the delegated /64 and the ULA to leave br-lan" sh -c "! ip -n rtr -6 -o addr show dev br-lan scope global | grep -q inet6"
[ "$(v6_field code)" = ipv6/OFF ] || fail "the IPv6 status is not ipv6/OFF: $(v6_status)"

log "--- IPv6 on again, fixed (a business line's static IPv6 over PPPoE): redialled with IPv6CP, no dhcpcd"
# The ISP's side of the fixed contract: its own address on the session's link and a /48 routed
# to the subscriber, put on each new session interface.
cat > /tmp/isp6/fixed.sh <<'FIXED'
while :; do
  for ifc in $(ip -o link show type ppp | awk -F': ' '{ print $2 }' | cut -d@ -f1); do
    ip -6 addr show dev "$ifc" | grep -q '2001:db8:1::1/64' || ip -6 addr add 2001:db8:1::1/64 dev "$ifc" nodad 2>/dev/null
    ip -6 route replace 2001:db8:200::/48 dev "$ifc" 2>/dev/null
  done
  sleep 0.3
done
FIXED
start_in isp isp6fixed sh /tmp/isp6/fixed.sh
t0=$(now)
put_settings 's/"ipv6": *{ *"enabled": *false/"ipv6":{"enabled":true/; s/"mode": *"automatic" *, *"static": *null/"mode":"automatic"/; s/"mode": *"automatic"/"mode":"static","static":{"address":"2001:db8:1::77\/64","gateway":"2001:db8:1::1","routedPrefix":"2001:db8:200::\/48","dns":["2001:db8:ffff::53"]}/'
grep -q '"mode":"static","static":{' /tmp/settings.put || fail "could not make the fixed IPv6 settings from: $(head -c 600 /tmp/settings.put)"
wait_for 30 "pppd's options with +ipv6 again" grep -qx '+ipv6' "$RUN/pppd.options"
wait_for 60 "the session to come back" ppp_up
wait_for 30 "ppp-wan's fixed address 2001:db8:1::77/64" sh -c "ip -n rtr -6 -o addr show dev ppp-wan | grep -q 'inet6 2001:db8:1::77/64'"
wait_for 30 "the IPv6 default route via 2001:db8:1::1 on ppp-wan" sh -c "ip -n rtr -6 route show default | grep -q 'via 2001:db8:1::1 dev ppp-wan'"
wait_for 30 "br-lan's 2001:db8:200::1/64 from the routed prefix" sh -c "ip -n rtr -6 -o addr show dev br-lan | grep -q 'inet6 2001:db8:200::1/64'"
result fixed_v6_s "$(elapsed "$t0")"
kill -0 "$(dhcpcd_pid)" 2>/dev/null && fail "routerd's dhcpcd runs in static IPv6 mode"
wait_for 60 "the phone's address in 2001:db8:200::/64" phone_global "2001:db8:200:"
wait_for 60 "the phone's ping to $INET6 over the fixed IPv6" phone_ping6
log "status ipv6: $(v6_status)"
log "fixed IPv6 over PPPoE works; IPv6 off and on redialled the session"
