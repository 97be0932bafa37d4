# routerd dials PPPoE against rp-pppoe's pppoe-server (CHAP) on the guest's kernel, and every
# way a session ends brings it back without restarting routerd:
#   dial-up → ppp-wan gets its address; the phone downloads 10 MB from an internet host behind
#   the ISP through NAT over PPP, with ICMP "fragmentation needed" blocked at the ISP (broken
#   path MTU discovery, as in the wild), so only MSS clamping keeps the transfer from stalling;
#   the password is in no process's arguments and no log; the ISP ends the session with PADT →
#   redial; the ISP's server dies → wan/PEER_DEAD within the LCP echo window, and the session
#   returns on its own when the server is back; the cable is cut → wan/LINK_DOWN → recovers;
#   a wrong password → wan/AUTH_FAILED with growing waits between dials; a service name and
#   then an AC name the server does not have → wan/WRONG_SERVICE, wan/WRONG_AC, each naming who
#   answered and what it offers (pppd itself only says "no access concentrator").
# vm-timeout: 780
. /lab/guest/lib.sh
# routerd's own logs (pppd.log above all) come back with the results, also when a step fails.
trap 'cp /tmp/rtr/log/*.log "$RESULTS/" 2>/dev/null || true' EXIT

USER_NAME='lab-user@isp.test'
# The password goes through JSON, pppd's options file and CHAP: quotes, a backslash and '#'
# prove the quoting end to end. Written the same in JSON and in chap-secrets (both escape " and \).
PASS_QUOTED='"Lab#pw \"q\" \\z"'
PASS_MARK='Lab#pw'

ns_add isp rtr phone inet
veth rtr wan0 isp isp0
ip -n rtr link set wan0 down   # routerd brings its ports up, as on real hardware

# The ISP: CHAP account, pppoe-server, and a route on to the internet host.
pppoe_isp_account isp "$USER_NAME" "$PASS_QUOTED" 100.64.0.53
start_server() { pppoe_server isp isp0 "$1" -C lab-bras -S internet; }
start_server pppoe-server
veth isp isp-inet inet eth0
ip -n isp addr add 198.51.100.1/24 dev isp-inet
ip -n inet addr add 198.51.100.10/24 dev eth0
ip -n inet route add default via 198.51.100.1
in_ns isp sysctl -qw net.ipv4.ip_forward=1
# Broken path MTU discovery: the ISP never tells a sender that a packet was too big for PPP.
in_ns isp nft -f - <<'NFT'
table inet isp {
	chain out {
		type filter hook output priority filter; policy accept;
		icmp type destination-unreachable icmp code frag-needed drop
	}
}
NFT
mkdir -p /tmp/www
dd if=/dev/urandom of=/tmp/www/10mb bs=1M count=10 2>/dev/null
start_in inet httpd busybox httpd -f -p 198.51.100.10:80 -h /tmp/www

# The router and the phone.
ip -n rtr link add lan1 type veth peer name eth0 netns phone
ip -n phone link set eth0 address 02:00:00:00:01:01 up
routerd_board /tmp/rtr/board.json wan0 lan1
# routerd_start, with more patience: its first start under TCG on a busy host can take minutes.
start_in rtr routerd "$ROUTERD" serve --board /tmp/rtr/board.json
ROUTERD_SOCKET=/tmp/rtr/run/routerd.sock
wait_for 240 "routerd's control socket" routerd_api rtr /api/status
RUN=/tmp/rtr/run

ppp_up() { wan_code_is wan/UP && has_ipv4 rtr ppp-wan; }

# PUT the first-boot settings with the WAN in PPPoE mode and this password (JSON), and more
# members of the pppoe object if given (JSON, e.g. '"serviceName":"x"').
routerd_api rtr /api/settings > /tmp/settings.dhcp
put_pppoe() {
  pppoe="\"mode\":\"pppoe\",\"pppoe\":{\"username\":\"$USER_NAME\",\"password\":$1${2:+,$2}}"
  # Escaped for sed's replacement text, where \ and & are special.
  pppoe=$(printf '%s' "$pppoe" | sed 's/[\\&/]/\\&/g')
  sed -e 's/"pppoe" *: *null *,\{0,1\}//' -e "s/\"mode\" *: *\"dhcp\"/$pppoe/" /tmp/settings.dhcp > /tmp/settings.put
  grep -q '"pppoe":{' /tmp/settings.put || fail "could not make the PPPoE settings from: $(cat /tmp/settings.dhcp)"
  routerd_api rtr /api/settings -X PUT -H 'Content-Type: application/json' --data-binary @/tmp/settings.put > /tmp/put.answer ||
    fail "PUT /api/settings: $(cat /tmp/put.answer); sent: $(sed 's/"password":"[^}]*}/"password":(hidden)}/' /tmp/settings.put)"
  if grep -qF "$PASS_MARK" /tmp/put.answer; then fail "the PUT answer shows the password"; fi
}

log "--- dial-up"
t0=$(now)
put_pppoe "$PASS_QUOTED"
wait_for 90 "the PPPoE session (wan/UP with an address on ppp-wan)" ppp_up
result dial_s "$(elapsed "$t0")"
addr=$(ipv4_of rtr ppp-wan)
case "$addr" in 100.64.0.*) ;; *) fail "ppp-wan got $addr, not an address from the ISP's pool" ;; esac
result ppp_address "$addr"
status=$(routerd_api rtr /api/status | tr -d ' \n')
log "status: $status"
echo "$status" | grep -q '"sessionId":"0x[0-9a-f]\{4\}"' || fail "the status has no session id: $status"
echo "$status" | grep -q '"uptimeSeconds":' || fail "the status has no uptime: $status"
grep -q 'server=100.64.0.53' "$RUN/dnsmasq.servers" || fail "dnsmasq was not pointed at the ISP's DNS: $(cat "$RUN/dnsmasq.servers")"
in_ns rtr tc qdisc show dev ppp-wan | grep -q 'htb 1:' || fail "the VIP lane's queues are not on ppp-wan"

log "--- the password: only in its 0600 file"
[ "$(stat -c %a "$RUN/pppd.secret")" = 600 ] || fail "pppd.secret has mode $(stat -c %a "$RUN/pppd.secret")"
for c in /proc/[0-9]*/cmdline; do
  if tr '\0' ' ' < "$c" 2>/dev/null | grep -qF "$PASS_MARK"; then fail "$c has the password: $(tr '\0' ' ' < "$c")"; fi
done
pgrep -a pppd | grep -q "file $RUN/pppd.options" || fail "routerd's pppd is not running with its options file: $(pgrep -a pppd)"
if grep -rlF "$PASS_MARK" /tmp/rtr/log "$RESULTS/routerd.log"; then fail "a log has the password"; fi
routerd_api rtr /api/settings | grep -qF "$PASS_MARK" && fail "GET /api/settings shows the password"
result password_hidden yes

log "--- the phone downloads 10 MB through NAT over PPP (MSS clamping, no PMTU discovery)"
in_ns phone udhcpc -i eth0 -f -q -n -t 30 -T 2
wait_for 10 "the phone's LAN address" has_ipv4 phone eth0
t0=$(now)
in_ns phone curl -sS --max-time 120 -o /tmp/10mb.got http://198.51.100.10/10mb || fail "the 10 MB download failed or stalled"
size=$(stat -c %s /tmp/10mb.got)
[ "$size" = 10485760 ] || fail "downloaded $size bytes, not 10485760"
cmp -s /tmp/www/10mb /tmp/10mb.got || fail "the download differs from the file"
result download_s "$(elapsed "$t0")"

server_sessions() { for p in $(ip netns pids isp); do [ "$(cat /proc/$p/comm 2>/dev/null)" = pppd ] && echo "$p"; done; }

log "--- the ISP ends the session with PADT: routerd redials"
# Killing the ISP's session pppd hard leaves its pppoe relay to close the session with PADT.
t0=$(now)
kill -9 $(server_sessions)
wait_for 30 "the session to drop after PADT" wan_code_is_not wan/UP
wait_for 60 "the session to come back after PADT" ppp_up
result padt_redial_s "$(elapsed "$t0")"
grep -q 'exited with status 16' "$RESULTS/routerd.log" || fail "pppd did not report a hangup (16) after PADT: $(grep 'pppd exited' "$RESULTS/routerd.log")"

log "--- the ISP's server dies: wan/PEER_DEAD within the echo window, back when it returns"
t0=$(now)
# Frozen first, then killed: a dying relay must not send PADT, the client has to notice by itself.
isp_ppp=$(for p in $(ip netns pids isp); do case "$(cat /proc/$p/comm 2>/dev/null)" in pppoe-server|pppoe|pppd) echo "$p" ;; esac; done)
kill -STOP $isp_ppp
kill -9 $isp_ppp
wait_for 60 "wan/PEER_DEAD" wan_code_is wan/PEER_DEAD
result dead_peer_s "$(elapsed "$t0")"
t0=$(now)
start_server pppoe-server-2
wait_for 90 "the session to come back on its own" ppp_up
result recover_s "$(elapsed "$t0")"

log "--- the cable is cut: wan/LINK_DOWN, and it recovers"
# Cut for longer than the echo window, so the session is really gone (a short cut it survives).
exits() { grep -c 'pppd exited with status' "$RESULTS/routerd.log" || true; }
sessions() { grep -c 'PPPoE session up' "$RESULTS/routerd.log" || true; }
exits_before=$(exits)
sessions_before=$(sessions)
ip -n isp link set isp0 down
wait_for 20 "wan/LINK_DOWN" wan_code_is wan/LINK_DOWN
pppd_gave_up() { [ "$(exits)" -gt "$exits_before" ]; }
wait_for 60 "pppd to give the session up while the cable is out" pppd_gave_up
wan_code_is wan/LINK_DOWN || fail "with the cable out the status is $(wan_code), not wan/LINK_DOWN"
ip -n isp link set isp0 up
t0=$(now)
new_session() { [ "$(sessions)" -gt "$sessions_before" ] && ppp_up; }
wait_for 60 "a new session after the cable came back" new_session
result link_recover_s "$(elapsed "$t0")"

log "--- a wrong password: wan/AUTH_FAILED, and the dials back off"
put_pppoe '"wrong-password"'
wait_for 60 "wan/AUTH_FAILED" wan_code_is wan/AUTH_FAILED
waits() { sed -n 's/.*pppd exited with status 19 .*dialling again in \([0-9.]*\) s.*/\1/p' "$RESULTS/routerd.log"; }
three_waits() { [ "$(waits | wc -l)" -ge 3 ]; }
wait_for 90 "three failed dials" three_waits
w=$(waits | head -3 | tr '\n' ' ')
log "waits between dials: $w"
echo "$w" | awk '{ exit !($1 < $2 && $2 < $3) }' || fail "the waits after a wrong password do not grow: $w"
result auth_waits "$w"

# pppd's discovery gives up after 1 + 2 + 4 s, routerd's probe listens 3 s more: 30 s covers a
# slow pppd start under TCG, while the plugin's defaults (options after nic-: 35 s) would not.
# wrong_name CODE MEMBER PATTERN : the account with MEMBER added gets CODE, and the status's
# sentence matches PATTERN (the names in it are quoted, and JSON may escape those quotes).
wrong_name() {
  t0=$(now)
  put_pppoe "$PASS_QUOTED" "$2"
  wait_for 30 "$1" wan_code_is "$1"
  result "$(printf '%s' "${1#wan/}" | tr 'A-Z' 'a-z')_s" "$(elapsed "$t0")"
  routerd_api rtr /api/status > /tmp/status.json
  grep -qE "$3" /tmp/status.json || fail "$1: the status does not say who answers with what: $(cat /tmp/status.json)"
}
log "--- a service the server does not offer, then an AC name nobody has: each named"
wrong_name wan/WRONG_SERVICE '"serviceName":"ISP-B"' 'lab-bras[^ ]* answers but offers the service [^ ]*internet[^ ]*, not [^ ]*ISP-B'
wrong_name wan/WRONG_AC '"acName":"bras-7"' 'bras-7[^ ]* does not answer; [^ ]*lab-bras[^ ]* answers instead'

log "--- the right password again"
put_pppoe "$PASS_QUOTED"
wait_for 90 "the session with the right password" ppp_up
