#!/usr/bin/env bash
# The image benchmark (./build.sh bench image): sizes, warm rebuild time and, in QEMU TCG, boot to
# routerd ready against boot to the end of start-up with routerd disabled (the console's status
# line: guest uptime in seconds). Prints a table and writes bench/results/image.json.
#   bench/image.sh ROUTERD_X64 ROUTERD_ARM64 PUBLISH_SECONDS
# BOARDS (default "x86-64 rpi4") narrows the run to some boards (their keys only), BOOT_PAIRS (3)
# sets the boot pairs per board.
# Boards whose image cannot be built here are reported as null, with the reason.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
x64=$1 arm64=$2 publish_s=$3
out=$ROOT/artifacts/image
tmp=$(mktemp -d /var/tmp/routerd-bench-image.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
vm() { ROUTERD="$x64" dotnet "$ROOT/artifacts/bin/Routerd.Vm/debug/Routerd.Vm.dll" "$@"; }
log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
# The serial console ends its lines with \r: without stripping it the last field (the RSS) never
# looked like a number and the JSON said null.
field() { tr ' ' '\n' <<<"$1" | tr -d '\r' | sed -n "s/^$2=//p"; }
median() { printf '%s\n' "$@" | { grep -E '^[0-9.]+$' || true; } | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "null"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a+0 > 0 && b+0 > 0) printf "%.3f", a / b; else print "null" }'; }

dotnet build tests/Routerd.Vm/Routerd.Vm.csproj --verbosity quiet >/dev/null

declare -A J
for board in ${BOARDS:-x86-64 rpi4}; do
  bin=$x64; [ $board = rpi4 ] && bin=$arm64
  key=x86; [ $board = rpi4 ] && key=rpi4
  log "$board: image (the root filesystem is built once per recipe; cold: minutes)"
  if [ $board = x86-64 ]; then
    image/build-image.sh $board "$bin" "$out" --no-xz --no-bundle >/dev/null   # makes sure the root tree is cached
    log "$board: warm rebuild (routerd publish $publish_s s + assembly + xz + update bundle)"
    t0=$(date +%s.%N)
    img=$(image/build-image.sh $board "$bin" "$out" | tail -1)
    J[warm_build_s]=$(awk -v a="$t0" -v b="$(date +%s.%N)" -v p="$publish_s" 'BEGIN { printf "%.1f", b - a + p }')
    # Where it went: the publish, then build-image.sh's own phases (NAME.phases).
    J[warm_publish_s]=$publish_s
    while IFS== read -r k v; do J[warm_${k}_s]=$v; done < "${img%.img}.phases"
  else
    img=$(image/build-image.sh $board "$bin" "$out" | tail -1)
  fi
  # The cold build: stage 1 (the Debian root, built once per recipe), as timed when it was built.
  stage1=$(ls -t /var/cache/routerd-image/$board-*.build-seconds 2>/dev/null | head -1)
  J[${key}_cold_root_s]=$( [ -n "$stage1" ] && cat "$stage1" || echo null)
  J[${key}_img_xz_bytes]=$(stat -c %s "$img.xz")
  J[${key}_img_bytes]=$(stat -c %s "$img")
  J[${key}_root_bytes]=$(cat "${img%.img}.root-bytes")
  J[${key}_bundle_bytes]=$( [ -f "${img%.img}.raucb" ] && stat -c %s "${img%.img}.raucb" || echo null)
  # Boots interleaved in pairs (with routerd, then disabled), BOOT_PAIRS of them (default 3), each a
  # first boot of a fresh copy; the ratio is of the medians. One pair was not enough on a shared
  # machine: a later single boot *with* routerd (56 s) beat the bench's bare boot (60 s).
  img0=$(image/build-image.sh $board "$bin" "$tmp" --no-xz --no-bundle --routerd-disabled | tail -1)
  ready=() bare=() rss=()
  for i in $(seq "${BOOT_PAIRS:-3}"); do
    log "$board: boot pair $i: with routerd"
    s1=$(vm image-boot $board "$img" | tail -1)
    log "$board: boot pair $i: routerd disabled"
    s0=$(vm image-boot $board "$img0" | tail -1)
    ready+=("$(field "$s1" ready)") bare+=("$(field "$s0" booted)") rss+=("$(field "$s1" routerd_rss_kb)")
  done
  rm -f "$img0"
  arch=x86; [ $board = rpi4 ] && arch=arm64
  log "$board: ready ${ready[*]} s; bare ${bare[*]} s"
  J[${arch}_ready_s]=$(median "${ready[@]}")
  J[${arch}_bare_boot_s]=$(median "${bare[@]}")
  J[${arch}_boot_ready_ratio]=$(ratio "${J[${arch}_ready_s]}" "${J[${arch}_bare_boot_s]}")
  J[${arch}_routerd_rss_kb]=$(median "${rss[@]}")
done

mkdir -p bench/results
{
  echo "{"
  first=1
  for k in $(printf '%s\n' "${!J[@]}" | sort); do
    v=${J[$k]}; [[ $v =~ ^[0-9.]+$ ]] || v=null
    [ $first = 1 ] || echo ","
    printf '  "%s": %s' "$k" "$v"; first=0
  done
  printf '\n}\n'
} > bench/results/image.json
printf '%-28s %s\n' metric value
for k in $(printf '%s\n' "${!J[@]}" | sort); do printf '%-28s %s\n' "$k" "${J[$k]}"; done
echo "targets: *_img_xz_bytes <= 200 MB, *_root_bytes <= 400 MB, warm_build_s <= 180, *_boot_ready_ratio <= 1.1"
echo "wrote bench/results/image.json"
