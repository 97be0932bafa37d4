#!/bin/sh
# Returns the guest to its booted state after a scenario: every process but PID 1 and this
# script's ancestors is killed, namespaces and their /etc/netns files removed, the root
# namespace's firewall emptied, mac80211_hwsim unloaded (scenarios load it with their own radios).
keep=" 1 $$ $PPID "
for p in /proc/[0-9]*; do
  pid=${p#/proc/}
  case "$keep" in *" $pid "*) continue ;; esac
  [ -s "$p/cmdline" ] || continue   # kernel threads have no command line
  kill -9 "$pid" 2>/dev/null
done
sleep 0.2
ip -all netns delete 2>/dev/null
rm -rf /etc/netns/* /tmp/*
nft flush ruleset 2>/dev/null
grep -q '^mac80211_hwsim ' /proc/modules && rmmod mac80211_hwsim
exit 0
