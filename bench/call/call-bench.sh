# Benchmark (not a test: figures only, no pass/fail). A video call from the phone (call.py: UDP
# both ways, 50 frames/s, 1 Mbit/s up, 2 Mbit/s down) while three other LAN devices each run 4 TCP
# uploads and 4 downloads, on an emulated line (guest/call-lib.sh: each direction a 200 ms FIFO
# at the line rate), in four configurations interleaved in one boot:
#   fifo    no shaping: the line's buffer is the bottleneck
#   cake    the OpenWrt peer: sqm-scripts' layer_cake (cake diffserv3 nat dual-srchost on WAN
#           egress, dual-dsthost ingress on an IFB) at SHARE_PCT % of the line, routerd's shaper off
#   shaper  routerd's shaper at SHARE_PCT % of the line, the phone not in the lane
#   vip     the same with the phone in the lane
# With routerd's shaper off (fifo, cake, and the capacity figure below) routerd runs its flowtable
# (FastPath/: this kernel has nf_flow_table), as an OpenWrt owner with software offload would;
# cake still sees every packet (offloaded ones leave through the same qdiscs).
# For each profile (PROFILES, default "adsl cable": 16/2 and 100/20 Mbit/s) and configuration,
# ROUNDS times (the configurations in turn each round): the call alone (idle), then under load.
# Written to the results directory, per PROFILE_CONFIG_{idle,loaded}_{up,down}: .sent, .recv,
# .delays (ms, one per packet) and for loaded also .mbit (bulk goodput); and capacity_{up,down}
# (Mbit/s the VM forwards for the same load with no line and no shaper: the CPU's ceiling under
# TCG) plus the rates used, PROFILE_{up,down}_kbit and PROFILE_{up,down}_shaped_kbit. Not figures,
# for reading (ROUTERD_VM_KEEP=1): the line's qdisc counters before and after each loaded call
# (line-{before,after}-CONFIG-PROFILE-ROUND.txt; the tbf's overlimits growing on l-rtr say the
# download queued at the line, upstream of the router, where no lane reaches), and for shaper and
# vip routerd's trees: wan0's classes and qdiscs (cake's ack_drop), br-lan's classes and qdiscs
# (on this kernel the shaped download is a cake: its tins).
# Then, with no line and no shaper, the forwarding path's own cost (the CPU is the bottleneck
# under TCG, so what passes measures work per packet), as bytes through the router's WAN port both
# ways (its counters) while the three busy devices load it: routerd as it runs with its shaper off
# (its own flowtable: FastPath/), FASTPATH_ROUNDS runs of 9 s (nat_flowtable, Mbit/s, one line per
# run, from the middle 4 s; flowtable_offloaded: connections conntrack showed offloaded); then the
# same ruleset with the flowtable and its offload statements taken out (the slow path, as routerd
# runs with the fast path off) and conntrack + one masquerade rule alone, in turn under one
# continuous load, NAT_WINDOWS pairs of 2 s windows, the
# first of each pair alternating (nat_routerd and nat_kernel, one line per window, the pair's on
# the same line number). The VM's speed drifts from second to second under TCG (one run's kernel
# NAT measured 734 and 643 Mbit/s in consecutive runs), so the two are compared only seconds apart.
# vm-timeout: 2400
. /lab/guest/lib.sh
. /lab/guest/call-lib.sh

: "${PROFILES:=adsl cable}" "${ROUNDS:=1}" "${CALL_S:=15}" "${CONFIGS:=fifo cake shaper vip}"
call_lab

# --- the VM's own ceiling: the same load with no line and no shaper ------------------------------
line_off
bulk_start 9
bulk_wait /tmp/capacity
result capacity_up "$(cat /tmp/capacity_up.mbit)"
result capacity_down "$(cat /tmp/capacity_down.mbit)"
log "unshaped forwarding capacity under the bulk load: up $(cat /tmp/capacity_up.mbit) Mbit/s, down $(cat /tmp/capacity_down.mbit) Mbit/s"

configure() { # CONFIG UP_SHAPED DOWN_SHAPED
  case "$1" in
    fifo) vip false; qos_set null null ;;
    cake) vip false; qos_set null null; cake_on "$2" "$3" ;;
    shaper) vip false; qos_set "$2" "$3" ;;
    vip) qos_set "$2" "$3"; vip true ;;
  esac
  sleep 1
}
unconfigure() { # CONFIG
  if [ "$1" = cake ]; then
    cake_in_place || fail "the peer's cake was replaced during the measurement: $(in_ns rtr tc qdisc show)"
    in_ns rtr tc -s qdisc show dev wan0 > "$RESULTS/cake-egress-$profile-$round.txt"
    in_ns rtr tc -s qdisc show dev ifb4wan0 > "$RESULTS/cake-ingress-$profile-$round.txt"
    cake_off
  fi
  if [ "$1" = vip ] || [ "$1" = shaper ]; then
    in_ns rtr tc -s class show dev wan0 > "$RESULTS/classes-$1-$profile-$round.txt"
    in_ns rtr tc -s qdisc show dev wan0 > "$RESULTS/qdiscs-$1-$profile-$round.txt"
    in_ns rtr tc -s class show dev br-lan > "$RESULTS/classes-down-$1-$profile-$round.txt"
    in_ns rtr tc -s qdisc show dev br-lan > "$RESULTS/qdiscs-down-$1-$profile-$round.txt"
  fi
}
# Several rounds append to one file per figure.
append() { for f in "$1"_*; do cat "$f" >> "$RESULTS/$(basename "$2")${f#"$1"}"; done; rm -f "$1"_*; }

for profile in $PROFILES; do
  case "$profile" in
    adsl) up=2000 down=16000 ;;
    cable) up=20000 down=100000 ;;
    *) fail "unknown profile $profile" ;;
  esac
  up_s=$((up * SHARE_PCT / 100)) down_s=$((down * SHARE_PCT / 100))
  result "${profile}_up_kbit" "$up"; result "${profile}_down_kbit" "$down"
  result "${profile}_up_shaped_kbit" "$up_s"; result "${profile}_down_shaped_kbit" "$down_s"
  line_set "$up" "$down"
  round=1
  while [ "$round" -le "$ROUNDS" ]; do
    for c in $CONFIGS; do
      log "$profile round $round: $c"
      configure "$c" "$up_s" "$down_s"
      call "$CALL_S" /tmp/m_idle
      append /tmp/m_idle "${profile}_${c}_idle"
      ip netns exec line tc -s qdisc show > "$RESULTS/line-before-$c-$profile-$round.txt"
      loaded_call "$CALL_S" /tmp/m_loaded
      ip netns exec line tc -s qdisc show > "$RESULTS/line-after-$c-$profile-$round.txt"
      append /tmp/m_loaded "${profile}_${c}_loaded"
      unconfigure "$c"
      log "$profile $c: up $(cat "$RESULTS/${profile}_${c}_loaded_up.recv" | tail -1)/$(tail -1 "$RESULTS/${profile}_${c}_loaded_up.sent") received, down $(tail -1 "$RESULTS/${profile}_${c}_loaded_down.recv")/$(tail -1 "$RESULTS/${profile}_${c}_loaded_down.sent"); bulk up $(tail -1 "$RESULTS/${profile}_${c}_loaded_up.mbit") down $(tail -1 "$RESULTS/${profile}_${c}_loaded_down.mbit") Mbit/s"
    done
    round=$((round + 1))
  done
done
vip false

# --- the forwarding path's cost: routerd's flowtable vs. its ruleset without vs. kernel NAT -----
: "${FASTPATH_ROUNDS:=5}" "${NAT_WINDOWS:=12}"
wan_bytes() { in_ns rtr sh -c 'echo $(( $(cat /sys/class/net/wan0/statistics/rx_bytes) + $(cat /sys/class/net/wan0/statistics/tx_bytes) ))'; }
# window SECONDS FILE : Mbit/s through the WAN port (both ways) over the next SECONDS, appended to FILE.
window() {
  local b0 b1 t0 t1 ns
  for ns in $BUSY; do
    kill -0 "$(cat "$RESULTS/bulk-up-$ns.pid")" 2>/dev/null || fail "the load ended before the forwarding windows did (bulk-up-$ns)"
  done
  b0=$(wan_bytes); t0=$(date +%s.%N)
  sleep "$1"
  b1=$(wan_bytes); t1=$(date +%s.%N)
  echo "$b0 $b1 $t0 $t1" | awk '{ printf "%.1f\n", ($2 - $1) * 8 / ($4 - $3) / 1e6 }' >> "$2"
  log "forwarding, $(basename "$2"): $(tail -1 "$2") Mbit/s"
}
# switch_to routerd|kernel : one transaction takes the other set-up out and puts this one in, so
# that no packet of the running load meets neither (without NAT for a moment the connections
# break). Neither has a flowtable: taking a flowtable out or putting one in under this load, other
# than routerd's own way (the whole table replaced in one transaction, flowtable and all), has
# hung this kernel's softirq for good (6.1, twice in prototypes of this measurement).
switch_to() {
  case "$1" in
    # "table + delete": also when the table is not there (routerd's own idiom).
    routerd) { echo "table ip natonly"; echo "delete table ip natonly"; echo "table inet routerd"; echo "delete table inet routerd"; cat /tmp/routerd-slow.nft; } ;;
    kernel) { echo "table inet routerd"; echo "delete table inet routerd"; cat /tmp/natonly.nft; } ;;
  esac > /tmp/switch.nft
  in_ns rtr nft -f /tmp/switch.nft || fail "could not switch the forwarding path to $1"
}
fastpath() {
  line_off
  # No line rates: routerd renders its flowtable (this kernel has nf_flow_table).
  qos_set null null
  in_ns rtr nft list flowtable inet routerd fastpath > /dev/null || fail "routerd rendered no flowtable with its shaper off"
  in_ns rtr nft list table inet routerd > /tmp/routerd.nft
  # The same ruleset without its flowtable and the one rule that offloads to it: the slow path.
  sed -e '/^\tflowtable fastpath {/,/^\t}/d' -e 's/flow add @fastpath accept/accept/' -e '/flow add @fastpath/d' /tmp/routerd.nft > /tmp/routerd-slow.nft
  ! grep -q 'flowtable fastpath\|flow add' /tmp/routerd-slow.nft || fail "could not take the flowtable out of routerd's ruleset"
  printf 'table ip natonly {\n\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t\toifname "wan0" masquerade\n\t}\n}\n' > /tmp/natonly.nft
  i=1
  while [ "$i" -le "$FASTPATH_ROUNDS" ]; do
    bulk_start 9
    sleep 3
    in_ns rtr conntrack -L 2>/dev/null | grep -c OFFLOAD > "$RESULTS/flowtable_offloaded" || true
    window 4 "$RESULTS/nat_flowtable"
    bulk_wait /tmp/nat
    i=$((i + 1))
  done
  # Between loads, nothing flowing: routerd's table as it runs out, the slow path in.
  in_ns rtr nft delete table inet routerd
  in_ns rtr nft -f /tmp/routerd-slow.nft
  # A pair takes about 12 s under TCG (loading routerd's table takes 1-2 s of it under this load).
  bulk_start $((NAT_WINDOWS * 16 + 10))
  sleep 4
  i=1
  while [ "$i" -le "$NAT_WINDOWS" ]; do
    if [ $((i % 2)) -eq 1 ]; then order="routerd kernel"; else order="kernel routerd"; fi
    for setup in $order; do
      switch_to "$setup"
      sleep 1
      window 2 "$RESULTS/nat_$setup"
    done
    i=$((i + 1))
  done
  switch_to routerd
  bulk_wait /tmp/nat
  # routerd's own table (with its flowtable) back in place of the slow path's, between loads.
  in_ns rtr nft delete table inet routerd
  in_ns rtr nft -f /tmp/routerd.nft
}
# In a subshell: a failure there (fail exits) must not take the call figures with it.
if [ "$FASTPATH_ROUNDS" -gt 0 ] && ! (fastpath); then log "the forwarding-cost measurement failed; its figures are left out"; fi

