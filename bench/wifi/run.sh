#!/usr/bin/env bash
# The Wi-Fi benchmark in the lab VM: `./build.sh bench wifi` (or bench/wifi/run.sh [ROUTERD]).
# Boots the VM once for wifi-bench.sh, prints a table and writes bench/results/wifi.json with
# apply_to_assoc_s, hand_to_assoc_s, apply_ratio, rtt_p50_ms, vip_rtt_p50_ms, vip_rtt_ratio and the
# same three figures with routerd's shaper as the bottleneck (shaper_*).
set -euo pipefail
cd "$(dirname "$0")/../.."
routerd=${1:-artifacts/bin/routerd-linux-x64/routerd}
[ -x "$routerd" ] || { echo "bench/wifi: no routerd at $routerd (./build.sh build first)" >&2; exit 1; }
dotnet build tests/Routerd.Vm/Routerd.Vm.csproj --verbosity quiet >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet artifacts/bin/Routerd.Vm/debug/Routerd.Vm.dll run --keep --routerd "$routerd" bench/wifi/wifi-bench.sh 2>&1 | tee "$log" >&2
run=$(sed -n 's/.*run directory \(\/[^ ]*\).*/\1/p' "$log" | head -1)
results=$run/share/results/wifi-bench
[ -f "$results/apply_ratio" ] || { echo "bench/wifi: no results in $results (see its log)" >&2; exit 1; }
keys="apply_to_assoc_s hand_to_assoc_s apply_ratio rtt_p50_ms vip_rtt_p50_ms vip_rtt_ratio shaper_rtt_p50_ms shaper_vip_rtt_p50_ms shaper_vip_rtt_ratio"
mkdir -p bench/results
{
  echo "{"
  sep=""
  for k in $keys; do printf '%s  "%s": %s' "$sep" "$k" "$(cat "$results/$k")"; sep=$',\n'; done
  printf '\n}\n'
} > bench/results/wifi.json
printf '%-18s %s\n' metric value
for k in $keys; do printf '%-18s %s\n' "$k" "$(cat "$results/$k")"; done
echo "(bench/results/wifi.json; run directory $run)"
