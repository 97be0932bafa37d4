# PPPoE in a VLAN and the WAN MAC clone (issue 23), against rp-pppoe's pppoe-server that listens
# only on VLAN 7 of the ISP's port (as Deutsche Telekom's BNG answers only tagged frames):
#   untagged, nobody answers (wan/NO_SERVER); with VLAN 7 routerd makes wan0.7 through its network
#   plan, pppd's plugin runs on it and the session comes up; "Detect my connection type" probes on
#   wan0.7 and finds the server; with a cloned MAC the ISP's session is with the cloned address
#   (the peer address pppoe-server hands its session pppd), not the port's own; clearing both
#   removes wan0.7 and gives wan0 its own address back.
# vm-timeout: 420
. /lab/guest/lib.sh
trap 'cp /tmp/rtr/log/*.log "$RESULTS/" 2>/dev/null || true' EXIT

USER_NAME='lab-user@isp.test'
PASS='lab-pass'
CLONE='02:5a:11:22:33:44'

ns_add isp rtr lan
veth rtr wan0 isp isp0
veth rtr lan1 lan eth0
ip -n rtr link set wan0 down   # routerd brings its ports up, as on real hardware
OWN=$(in_ns rtr cat /sys/class/net/wan0/address)
log "wan0's own address: $OWN"
[ "$OWN" != "$CLONE" ] || fail "the veth came up with the clone's address"

# The ISP: pppoe-server only on the tagged interface; the untagged port carries no PPPoE.
ip -n isp link add link isp0 name isp0.7 type vlan id 7
ip -n isp link set isp0.7 up
pppoe_isp_account isp "$USER_NAME" "\"$PASS\""
pppoe_server isp isp0.7 pppoe-server -C lab-bras -S internet

routerd_board /tmp/rtr/board.json wan0 lan1
routerd_start rtr /tmp/rtr/board.json 240   # its first start under TCG on a busy host is slow
RUN=/tmp/rtr/run

ppp_up() { wan_code_is wan/UP && has_ipv4 rtr ppp-wan; }
link_exists() { in_ns rtr ip link show "$1" >/dev/null 2>&1; }
no_link() { ! link_exists "$1"; }
mac_of() { in_ns rtr cat "/sys/class/net/$1/address"; }
mac_is() { [ "$(mac_of "$1")" = "$2" ]; }
# The peer addresses the ISP's side holds for its sessions: pppoe-server gives each session's pppd
# (or its pppoe relay) the client's MAC as SESSION:MAC on the command line.
isp_peers() {
  for p in $(ip netns pids isp); do tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null; echo; done |
    grep -oiE '[0-9]+:([0-9a-f]{2}:){5}[0-9a-f]{2}' | cut -d: -f2- | tr 'A-F' 'a-f' | sort -u
}
isp_sees() { isp_peers | grep -qx "$1"; }

# settings FILE PPPOE MAC : the first-boot settings with the WAN in PPPoE mode; PPPOE: more
# members of the pppoe object (JSON, e.g. '"vlanId":7'), MAC: wan.mac (JSON: null or "aa:..").
routerd_api rtr /api/settings > /tmp/settings.dhcp
settings() {
  pppoe="\"mode\":\"pppoe\",\"pppoe\":{\"username\":\"$USER_NAME\",\"password\":\"$PASS\"${2:+,$2}}"
  # wan.mac is there as null (the API writes every member) or, were nulls left out, goes after the device.
  if grep -q '"mac" *: *null' /tmp/settings.dhcp; then mac="s/\"mac\" *: *null/\"mac\":$3/"
  else mac="s/\"device\" *: *\"wan0\"/\"device\":\"wan0\",\"mac\":$3/"; fi
  sed -e 's/"pppoe" *: *null *,\{0,1\}//' -e "s/\"mode\" *: *\"dhcp\"/$pppoe/" -e "$mac" /tmp/settings.dhcp > "$1"
  grep -q '"pppoe":{' "$1" || fail "could not make the PPPoE settings from: $(cat /tmp/settings.dhcp)"
  grep -q "\"mac\":$3" "$1" || fail "could not set wan.mac in: $(cat /tmp/settings.dhcp)"
}
put_wan() {
  settings /tmp/settings.put "$1" "$2"
  routerd_api rtr /api/settings -X PUT -H 'Content-Type: application/json' --data-binary @/tmp/settings.put > /tmp/put.answer ||
    fail "PUT /api/settings: $(cat /tmp/put.answer)"
}

log "--- refused: VLAN 4095 and a multicast MAC, each at its field; nothing changes"
put_bad() {
  settings /tmp/settings.bad "$1" "$2"
  code=$(routerd_api rtr /api/settings -X PUT -H 'Content-Type: application/json' --data-binary @/tmp/settings.bad -o /tmp/bad.answer -w '%{http_code}' || true)
  [ "$code" = 400 ] || fail "PUT with $1 / mac $2 answered $code, not 400: $(cat /tmp/bad.answer)"
  tr -d ' \n' < /tmp/bad.answer | grep -q "\"field\":\"$3\"" || fail "the refusal does not name $3: $(cat /tmp/bad.answer)"
}
put_bad '"vlanId":4095' null wan.pppoe.vlanId
put_bad '"vlanId":7' '"01:00:5e:00:00:01"' wan.mac
routerd_api rtr /api/settings | tr -d ' \n' | grep -q '"mode":"dhcp"' || fail "a refused PUT changed the stored settings"
link_exists wan0.7 && fail "a refused PUT made wan0.7"
result refused yes

log "--- untagged: the server listens only on VLAN 7, so nobody answers"
put_wan '' null
wait_for 60 "wan/NO_SERVER without the VLAN" wan_code_is wan/NO_SERVER

log "--- VLAN 7: routerd makes wan0.7 and dials on it"
t0=$(now)
put_wan '"vlanId":7' null
wait_for 90 "the PPPoE session in VLAN 7" ppp_up
result vlan_dial_s "$(elapsed "$t0")"
in_ns rtr ip -d link show wan0.7 | grep -q 'vlan protocol 802.1Q id 7' || fail "wan0.7 is not VLAN 7: $(in_ns rtr ip -d link show wan0.7)"
grep -qx 'nic-wan0.7' "$RUN/pppd.options" || fail "pppd's options do not name nic-wan0.7: $(cat "$RUN/pppd.options")"
grep -q '^vlan wan0.7 link wan0 id 7$' "$RUN/network-owned" || fail "routerd does not own wan0.7: $(cat "$RUN/network-owned")"
isp_sees "$OWN" || fail "the ISP's session is not with wan0's own address $OWN: $(isp_peers)"
result ppp_address "$(ipv4_of rtr ppp-wan)"

log "--- Detect my connection type: probes on wan0.7"
routerd_api rtr /api/wan/detect > /tmp/detect.json
tr -d ' \n' < /tmp/detect.json | grep -q '"device":"wan0.7"' || fail "detection did not run on wan0.7: $(cat /tmp/detect.json)"
grep -q 'lab-bras' /tmp/detect.json || fail "detection on wan0.7 did not find lab-bras: $(cat /tmp/detect.json)"
result detect yes

log "--- MAC clone: the port and its VLAN device take $CLONE, and the ISP's session is with it"
t0=$(now)
put_wan '"vlanId":7' "\"$CLONE\""
wait_for 30 "wan0 to take the cloned address" mac_is wan0 "$CLONE"
mac_is wan0.7 "$CLONE" || fail "wan0.7 has $(mac_of wan0.7), not the clone"
clone_session() { ppp_up && isp_sees "$CLONE"; }
wait_for 90 "a session the ISP holds with the cloned address" clone_session
result clone_dial_s "$(elapsed "$t0")"
result isp_peer "$(isp_peers | tr '\n' ' ')"
grep -q "^mac wan0 was $OWN\$" "$RUN/network-owned" || fail "routerd did not keep wan0's own address: $(cat "$RUN/network-owned")"

log "--- cleared: wan0.7 goes, wan0 gets its own address back"
put_wan '' null
wait_for 30 "wan0.7 to be removed" no_link wan0.7
wait_for 30 "wan0's own address back" mac_is wan0 "$OWN"
grep -q 'wan0' "$RUN/network-owned" && fail "routerd still owns something of wan0: $(cat "$RUN/network-owned")"
wait_for 60 "wan/NO_SERVER once untagged again" wan_code_is wan/NO_SERVER
result cleared yes
