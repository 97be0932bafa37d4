#!/bin/sh
# Returns the guest to its booted state after a scenario: every process but PID 1 and this
# script's ancestors is killed, namespaces and their /etc/netns files removed, the root
# namespace's firewall emptied, mac80211_hwsim unloaded (scenarios load it with their own radios),
# gpio-sim chips removed.
keep=" 1 $$ $PPID "
for p in /proc/[0-9]*; do
  pid=${p#/proc/}
  case "$keep" in *" $pid "*) continue ;; esac
  # Kernel threads have an empty command line. (`[ -s ]` cannot tell: every /proc file has size 0,
  # so it skipped every process and nothing was ever killed.)
  cmd=
  read -r cmd < "$p/cmdline" 2>/dev/null
  [ -n "$cmd" ] || continue
  kill -9 "$pid" 2>/dev/null
done
sleep 0.2
ip -all netns delete 2>/dev/null
rm -rf /etc/netns/* /tmp/*
nft flush ruleset 2>/dev/null
grep -q '^mac80211_hwsim ' /proc/modules && rmmod mac80211_hwsim
# Simulated GPIO chips (gpio-sim through configfs) a failed scenario left: taken down once the
# killed processes have let go of their lines (a killed holder lets go within a second; a chip
# removed with a line still requested stays behind in the kernel, and a next chip's edge-event
# request once failed with EBUSY). Waits at most 20 tries.
for c in /sys/kernel/config/gpio-sim/*/; do
  [ -d "$c" ] || continue
  for chip in $(cat "$c"*/chip_name 2>/dev/null); do
    for _ in $(seq 20); do gpioinfo "$chip" 2>/dev/null | grep -q '\[used\]' || break; sleep 0.1; done
  done
  echo 0 > "$c/live"
  rmdir "$c"*/line*/hog "$c"*/line* "$c"*/ "$c" 2>/dev/null
done
exit 0
