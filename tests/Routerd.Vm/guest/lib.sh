# Shell library for lab VM scenarios: `. /lab/guest/lib.sh` at the top of a scenario. The guest's
# /bin/sh is dash: `local` keeps the functions' variables out of the scenario's.
# Scenarios run as root in the guest under `sh -e`, in their results directory ($RESULTS, which
# the host reads back); everything they start is killed and every namespace removed after them.

LAB=/lab
ROUTERD=$LAB/bin/routerd          # the routerd binary under test
: "${RESULTS:=$PWD}"

# Seconds since boot, for log lines and timings.
now() { cut -d' ' -f1 /proc/uptime; }
log() { echo "[$(now)] $*"; }
# A failure also shows the end of routerd's own output when the scenario started one: the run
# directory is gone once the host has read the log, and the reason is usually in routerd's words.
fail() {
  echo "FAIL: $*" >&2
  if [ -s "${RESULTS:-}/routerd.log" ]; then
    echo "--- the last lines of routerd's output ($RESULTS/routerd.log)" >&2
    tail -n 30 "$RESULTS/routerd.log" >&2
  fi
  exit 1
}

# A value the host-side test reads back: $RESULTS/NAME holds VALUE.
result() { printf '%s\n' "$2" > "$RESULTS/$1"; }

# ns_add NAME... : fresh network namespaces with loopback up.
ns_add() {
  local ns
  for ns in "$@"; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
  done
}

# veth NS_A IF_A NS_B IF_B : a veth pair between two namespaces, both ends up. Made inside NS_A
# with the peer placed straight into NS_B, so no name ever appears in the root namespace.
veth() {
  ip -n "$1" link add "$2" type veth peer name "$4" netns "$3"
  ip -n "$1" link set "$2" up
  ip -n "$3" link set "$4" up
}

# in_ns NS CMD... : runs CMD in NS (with NS's /etc/netns/NS files over /etc).
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# start_in NS NAME CMD... : starts CMD in NS in the background, output to $RESULTS/NAME.log;
# its pid goes to $RESULTS/NAME.pid. The suite kills it after the scenario if it still runs.
start_in() {
  local ns=$1 name=$2; shift 2
  ip netns exec "$ns" "$@" > "$RESULTS/$name.log" 2>&1 < /dev/null &
  echo $! > "$RESULTS/$name.pid"
  log "started $name in $ns (pid $!): $*"
}

# stop NAME : SIGTERM to what start_in started as NAME, SIGKILL after 3 s.
stop() {
  local pid; pid=$(cat "$RESULTS/$1.pid")
  kill "$pid" 2>/dev/null || return 0
  for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
}

# wait_for SECONDS WHAT CMD... : polls CMD (every 0.2 s) until it succeeds; fails the scenario
# naming WHAT if it has not within SECONDS. Prints how long it took.
wait_for() {
  local limit=$1 what=$2 t0; shift 2
  t0=$(now)
  while ! "$@" > /dev/null 2>&1; do
    if [ "$(echo "$(now) $t0 $limit" | awk '{ print ($1 - $2 > $3) }')" = 1 ]; then
      fail "waited ${limit} s for $what"
    fi
    sleep 0.2
  done
  log "$what after $(echo "$(now) $t0" | awk '{ printf "%.1f", $1 - $2 }') s"
}

# ipv4_of NS IF : the interface's first IPv4 address (without prefix), or nothing.
ipv4_of() { ip -n "$1" -4 -o addr show dev "$2" 2>/dev/null | awk '{ split($4, a, "/"); print a[1]; exit }'; }
has_ipv4() { [ -n "$(ipv4_of "$1" "$2")" ]; }

# netns_etc NS FILE CONTENT : writes /etc/FILE as NS sees it (ip netns exec bind-mounts
# /etc/netns/NS/* over /etc/*), e.g. netns_etc isp ppp/chap-secrets "...".
netns_etc() {
  mkdir -p "$(dirname "/etc/netns/$1/$2")"
  printf '%s\n' "$3" > "/etc/netns/$1/$2"
}

# hwsim RADIOS : (re)loads mac80211_hwsim with RADIOS radios; the phys appear in the root
# namespace (move them with `iw phy phyN set netns name NS`).
hwsim() {
  if grep -q '^mac80211_hwsim ' /proc/modules; then rmmod mac80211_hwsim; fi
  modprobe mac80211_hwsim radios="$1"
}

# --- an ISP that gives the WAN its address by DHCP ----------------------------------------------
# dhcp_isp : namespaces isp and rtr joined by a veth (rtr's wan0, isp's isp0); isp is the
# "internet" host 203.0.113.1 and serves leases 203.0.113.50-99 on it. wan0 stays down until
# routerd brings it up, as on real hardware. With ISP_DNS=yes the ISP also runs a resolver on
# 203.0.113.1 and its leases name it as DNS server. Its one name, www.example.net, is 198.18.0.80:
# routerd's dnsmasq (stop-dns-rebind) refuses answers in the TEST-NETs such as 203.0.113.0/24.
dhcp_isp() {
  veth rtr wan0 isp isp0
  ip -n isp addr add 203.0.113.1/24 dev isp0
  set --
  if [ "${ISP_DNS:-}" = yes ]; then
    start_in isp isp-dns dnsmasq --keep-in-foreground --no-resolv --no-hosts --listen-address=203.0.113.1 \
      --bind-interfaces --host-record=www.example.net,198.18.0.80 --log-queries --pid-file=
    set -- --dhcp-option=6,203.0.113.1
  fi
  start_in isp isp-dhcp dnsmasq --keep-in-foreground --no-resolv --no-hosts --port=0 --interface=isp0 \
    --bind-interfaces --dhcp-range=203.0.113.50,203.0.113.99,255.255.255.0,1h --dhcp-option=3,203.0.113.1 \
    --dhcp-leasefile="$RESULTS/isp.leases" --pid-file= "$@"
  ip -n rtr link set wan0 down
}

# --- PPPoE access concentrator (rp-pppoe, user mode) -------------------------------------------
# pppoe_isp NS IF USER PASSWORD [EXTRA pppoe-server ARGS...] : serves PPPoE on IF in NS with CHAP
# (USER/PASSWORD), local address 100.64.0.1, clients from 100.64.0.2, LCP echo every second.
pppoe_isp() {
  local ns=$1 ifc=$2 user=$3 pass=$4; shift 4
  pppoe_isp_account "$ns" "$user" "\"$pass\""
  pppoe_server "$ns" "$ifc" pppoe-server "$@"
}

# pppoe_isp_account NS USER SECRET [DNS] : the ISP's CHAP account and pppd options. SECRET is
# written as the chap-secrets word it is, so a caller can quote and escape it itself; DNS is the
# server the ISP hands out (default 100.64.0.1).
pppoe_isp_account() {
  netns_etc "$1" ppp/chap-secrets "\"$2\" * $3 *"
  chmod 600 "/etc/netns/$1/ppp/chap-secrets"
  netns_etc "$1" ppp/pppoe-server-options "require-chap
lcp-echo-interval 1
lcp-echo-failure 3
ms-dns ${4:-100.64.0.1}
noipdefault"
}

# pppoe_server NS IF NAME [EXTRA pppoe-server ARGS...] : (re)starts the access concentrator under
# the process name NAME (a scenario that kills it starts the next one under another name).
pppoe_server() {
  local ns=$1 ifc=$2 name=$3; shift 3
  start_in "$ns" "$name" pppoe-server -F -I "$ifc" -L 100.64.0.1 -R 100.64.0.2 -N 8 "$@"
}

# --- routerd --------------------------------------------------------------------------------
# routerd_wan_up : routerd in rtr reports a WAN address from the lab ISP's 203.0.113.0/24.
routerd_wan_up() { routerd_api rtr /api/status | grep -q '"address": *"203\.0\.113\.'; }

# wan_code : the WAN status code routerd in rtr reports (wan/UP, wan/PEER_DEAD, ...);
# wan_code_is CODE, wan_code_is_not CODE : for wait_for.
wan_code() { routerd_api rtr /api/status | tr -d ' \n' | sed -n 's/.*"wan":{[^}]*"code":"\([^"]*\)".*/\1/p'; }
wan_code_is() { [ "$(wan_code)" = "$1" ]; }
wan_code_is_not() { c=$(wan_code); [ -n "$c" ] && [ "$c" != "$1" ]; }

# elapsed T0 : seconds since T0 (a value of `now`), two decimals.
elapsed() { echo "$(now) $1" | awk '{ printf "%.2f", $1 - $2 }'; }

# routerd_board FILE WAN LANPORT... : a board for routerd with private state/run/log
# directories next to FILE (keys as firmware/Routerd.Core/Settings/Board.cs). More members go in
# through $BOARD_EXTRA, e.g. BOARD_EXTRA='"WifiDevice": "wlan0",'.
routerd_board() {
  local file=$1 wan=$2 dir ports; shift 2
  dir=$(dirname "$file")
  mkdir -p "$dir/state" "$dir/run" "$dir/log"
  ports=$(for p in "$@"; do printf '"%s",' "$p"; done | sed 's/,$//')
  cat > "$file" <<JSON
{
  ${BOARD_EXTRA:-}
  "Name": "lab-vm",
  "WanDevice": "$wan",
  "LanPorts": [$ports],
  "LanBridge": "br-lan",
  "StateDir": "$dir/state",
  "RunDir": "$dir/run",
  "LogDir": "$dir/log",
  "WebPort": 80
}
JSON
}

# routerd_start NS BOARD [SECONDS] : `routerd serve` in NS, output to $RESULTS/routerd.log; waits
# up to SECONDS (default 120) for its control socket to answer (a first start under TCG on a busy
# machine took 46 s; scenarios that start routerd early in a boot give it more).
routerd_start() {
  start_in "$1" routerd "$ROUTERD" serve --board "$2"
  ROUTERD_SOCKET=$(dirname "$2")/run/routerd.sock
  wait_for "${3:-120}" "routerd's control socket" routerd_api "$1" /api/status
}

# routerd_api NS PATH [CURL ARGS...] : a request over routerd's control socket; prints the body,
# fails on an HTTP error.
routerd_api() {
  local ns=$1 path=$2; shift 2
  ip netns exec "$ns" curl -sS --fail-with-body --max-time 10 --unix-socket "$ROUTERD_SOCKET" "$@" "http://routerd$path"
}

# json_get KEY : the first value of "KEY" in the JSON on stdin (strings unquoted). Good for
# simple flat checks; not a JSON parser.
json_get() { sed -n "s/.*\"$1\" *: *\"\{0,1\}\([^\",}]*\).*/\1/p" | head -1; }
