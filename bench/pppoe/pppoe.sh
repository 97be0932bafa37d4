# The PPPoE benchmark in the lab VM (./build.sh bench pppoe): DIALS dials by hand with the very
# options routerd renders, DIALS dials by routerd (told to connect: its WAN switched to PPPoE
# over the API, until ppp-wan has an address), then the dead-peer detection time (the ISP's
# server frozen and killed → wan/PEER_DEAD) and the recovery time (server back → wan/UP).
# Values go to $RESULTS: hand_dials, routerd_dials (seconds, one per line), dead_peer_s, recover_s.
# vm-timeout: 1500
. /lab/guest/lib.sh
: "${DIALS:=10}"
trap 'cp /tmp/rtr/log/*.log "$RESULTS/" 2>/dev/null || true' EXIT

ns_add isp rtr phone
veth rtr wan0 isp isp0
ip -n rtr link set wan0 down   # routerd brings its ports up, as on real hardware
ip -n rtr link add lan1 type veth peer name eth0 netns phone   # a LAN port: routerd refuses a board whose LAN port is missing
pppoe_isp_account isp bench@isp.test '"bench-pw"' 100.64.0.53
start_server() { pppoe_server isp isp0 "$1" -C lab-bras -S internet; }
start_server pppoe-server

routerd_board /tmp/rtr/board.json wan0 lan1
start_in rtr routerd "$ROUTERD" serve --board /tmp/rtr/board.json
ROUTERD_SOCKET=/tmp/rtr/run/routerd.sock
wait_for 600 "routerd's control socket" routerd_api rtr /api/status
RUN=/tmp/rtr/run

# The router's pppd only: the ISP runs a pppd per session too.
rtr_pppd() { for p in $(ip netns pids rtr); do [ "$(cat /proc/$p/comm 2>/dev/null)" = pppd ] && return 0; done; return 1; }
no_ppp() { ! ip -n rtr link show ppp-wan > /dev/null 2>&1 && ! rtr_pppd; }

routerd_api rtr /api/settings > /tmp/settings.dhcp
sed -e 's/"pppoe" *: *null *,\{0,1\}//' \
    -e 's/"mode" *: *"dhcp"/"mode":"pppoe","pppoe":{"username":"bench@isp.test","password":"bench-pw"}/' /tmp/settings.dhcp > /tmp/settings.pppoe
put() {
  routerd_api rtr /api/settings -X PUT -H 'Content-Type: application/json' --data-binary "@$1" > /tmp/put.answer ||
    fail "PUT /api/settings ($1): $(cat /tmp/put.answer)"
}

# routerd renders the options once; the hand dials use a copy (its password file too: routerd
# removes its own when the WAN leaves PPPoE mode).
put /tmp/settings.pppoe
wait_for 120 "the first routerd session" has_ipv4 rtr ppp-wan
mkdir -p /tmp/hand
cp "$RUN/pppd.secret" /tmp/hand/pppd.secret
sed "s|$RUN/pppd.secret|/tmp/hand/pppd.secret|" "$RUN/pppd.options" > /tmp/hand/pppd.options
put /tmp/settings.dhcp
wait_for 60 "routerd's pppd to stop" no_ppp

: > "$RESULTS/hand_dials"
i=0
while [ $i -lt "$DIALS" ]; do
  t0=$(now)
  start_in rtr hand-pppd pppd file /tmp/hand/pppd.options
  wait_for 120 "hand dial $i" has_ipv4 rtr ppp-wan
  elapsed "$t0" >> "$RESULTS/hand_dials"; echo >> "$RESULTS/hand_dials"
  stop hand-pppd
  wait_for 60 "the hand session to end" no_ppp
  i=$((i + 1))
done

: > "$RESULTS/routerd_dials"
i=0
while [ $i -lt "$DIALS" ]; do
  t0=$(now)
  put /tmp/settings.pppoe
  wait_for 120 "routerd dial $i" has_ipv4 rtr ppp-wan
  elapsed "$t0" >> "$RESULTS/routerd_dials"; echo >> "$RESULTS/routerd_dials"
  put /tmp/settings.dhcp
  wait_for 60 "routerd's session to end" no_ppp
  i=$((i + 1))
done

put /tmp/settings.pppoe
wait_for 120 "routerd's session before the dead peer" wan_code_is wan/UP
isp_ppp=$(for p in $(ip netns pids isp); do case "$(cat /proc/$p/comm 2>/dev/null)" in pppoe-server|pppoe|pppd) echo "$p" ;; esac; done)
t0=$(now)
kill -STOP $isp_ppp
kill -9 $isp_ppp
wait_for 120 "wan/PEER_DEAD" wan_code_is wan/PEER_DEAD
result dead_peer_s "$(elapsed "$t0")"
t0=$(now)
start_server pppoe-server-2
wait_for 120 "the session after the server came back" wan_code_is wan/UP
result recover_s "$(elapsed "$t0")"
