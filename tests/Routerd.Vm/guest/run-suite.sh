#!/bin/sh
# Runs each scenario named in /lab/suite (one name per line) from /lab/scenarios/NAME.sh, in
# order, each in its own results directory /lab/results/NAME: its output goes to `log`, its exit
# status to `status` (124: killed at its time limit). Between scenarios everything a scenario
# left behind is removed, so each starts from a clean guest.
# A scenario's time limit is 120 s unless a line `# vm-timeout: SECONDS` in it says otherwise.
results=/lab/results
mkdir -p "$results"
[ -f /lab/env ] && . /lab/env   # settings the host passes (VmRunOptions.Environment)

while read -r name; do
  [ -n "$name" ] || continue
  script=/lab/scenarios/$name.sh
  dir=$results/$name
  mkdir -p "$dir"
  limit=$(sed -n 's/^# vm-timeout: *\([0-9][0-9]*\).*/\1/p' "$script" | head -1)
  echo "lab-vm: scenario $name (limit ${limit:=120} s)"
  start=$(cut -d' ' -f1 /proc/uptime)
  (cd "$dir" && RESULTS=$dir SCENARIO=$name setsid timeout -k 5 "$limit" sh -e "$script" > "$dir/log" 2>&1 < /dev/null)
  rc=$?
  end=$(cut -d' ' -f1 /proc/uptime)
  echo "$rc" > "$dir/status"
  echo "$start $end" | awk '{ printf "%.1f\n", $2 - $1 }' > "$dir/seconds"
  echo "lab-vm: scenario $name -> exit $rc in $(cat "$dir/seconds") s"
  sh /lab/guest/reset.sh >> "$dir/log" 2>&1
done < /lab/suite
touch "$results/suite-done"
