#!/usr/bin/env bash
# routerd's one entry point. On a fresh Debian 12 machine every verb installs what it needs.
#   ./build.sh deps          install Debian packages and restore NuGet packages
#   ./build.sh build         NativeAOT routerd for linux-x64 and linux-arm64 -> artifacts/bin/routerd-<rid>/routerd
#   ./build.sh test          every test tier (unit, namespaces, browser, lab VM, images); a tier that cannot run fails
#   ./build.sh lab           the router in a namespace lab, web UI on http://127.0.0.1:8080
#   ./build.sh bench NAME    a benchmark under bench/: core, vip, forward, webui, pppoe, wifi, call, hardening, image or upgrade (table + bench/results/NAME.json)
#   ./build.sh image BOARD   a flashable image: artifacts/image/routerd-BOARD-VERSION.img.xz + .sha256 (x86-64 or rpi4)
#   ./build.sh test-image    the image tier alone: both boards' images booted in QEMU between the lab's ISP and clients
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
OUT=$ROOT/artifacts/bin

# Debian packages by purpose; `deps` installs whichever are missing.
PKGS_BUILD="clang llvm zlib1g-dev gcc-aarch64-linux-gnu libc6-dev-arm64-cross binutils-aarch64-linux-gnu qemu-user-static"
# dhcpcd-base: the WAN's DHCPv6 client (prefix delegation); unshare (util-linux) gives it a private mount namespace.
# iputils-ping, traceroute: the owner's diagnostics (POST /api/diagnostics/ping, /traceroute).
PKGS_RUN="nftables dnsmasq-base iproute2 udhcpc conntrack procps netbase ppp hostapd dhcpcd-base util-linux iputils-ping traceroute"
# kea-dhcp6-server and radvd: the lab ISP's DHCPv6 server that delegates prefixes (dnsmasq cannot) and its router advertisements.
# iptables: iptables-legacy, the linear DNAT chain `bench forward` measures routerd's forward map against.
PKGS_LAB="busybox socat iperf3 iputils-ping curl util-linux pppoe wpasupplicant iw kea-dhcp6-server radvd iptables"
# The browser tier drives Debian's chromium through Playwright (whose driver ships in its NuGet package).
# zbar-tools: zbarimg decodes the Wi-Fi QR code the page draws, from a screenshot.
PKGS_E2E="chromium zbar-tools"
# The lab VM tier: QEMU (qboot.rom is in qemu-system-data), the root filesystem recipe and its images;
# gcc-12 and make build the gpio-sim module Debian's kernel lacks (tests/Routerd.Vm/vm/gpio-sim-module.sh:
# the kernel's headers and source are downloaded into the lab's cache, not installed), libelf1 runs
# the headers' objtool.
PKGS_VM="qemu-system-x86 qemu-system-data mmdebstrap e2fsprogs cpio xz-utils dpkg gcc-12 make libelf1 binutils"
# Images (no loop devices: mkfs -d, mtools, sfdisk on a file) and the image tier (OVMF, nmap).
PKGS_IMAGE="mtools dosfstools fdisk grub-efi-amd64-bin grub-common ovmf nmap qemu-system-arm u-boot-tools arch-test rauc squashfs-tools openssl"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

# A registry can fail for a moment (a name that does not resolve, a reset connection): a failed
# download is tried once more before the build gives up.
retry() {
  "$@" && return 0
  log "'$1 ${2:-}' failed; trying once more in 10 s"
  sleep 10
  "$@"
}

need_root() {
  [ "$(id -u)" = 0 ] || die "$1 needs root (network namespaces, nftables): run it with sudo"
}

deps() {
  [ -z "${DEPS_DONE:-}" ] || return 0
  command -v dotnet >/dev/null || die "the .NET SDK 10 is not installed (dotnet not on PATH)"
  local missing=()
  for p in $PKGS_BUILD $PKGS_RUN $PKGS_LAB $PKGS_E2E $PKGS_VM $PKGS_IMAGE; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    need_root "installing ${missing[*]}"
    log "installing Debian packages: ${missing[*]}"
    retry apt-get update -qq
    # Installing dhcpcd-base rewrites this machine's /etc/resolv.conf (and then apt and NuGet
    # cannot resolve names): keep a copy and put it back, whatever the install did.
    local resolv
    resolv=$(mktemp)
    cp -a /etc/resolv.conf "$resolv" 2>/dev/null || true
    local rc=0
    DEBIAN_FRONTEND=noninteractive retry apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
    if [ -s "$resolv" ] && ! cmp -s "$resolv" /etc/resolv.conf; then
      log "restoring /etc/resolv.conf (a package rewrote it)"
      cat "$resolv" > /etc/resolv.conf
    fi
    rm -f "$resolv"
    [ "$rc" = 0 ] || die "installing Debian packages failed"
  fi
  log "restoring NuGet packages"
  retry dotnet restore Router.sln -p:TreatWarningsAsErrors=true --verbosity quiet
  # The NativeAOT packs of both runtime identifiers, so that `publish -r` finds them in the local
  # package folder and never depends on the registry mid-build.
  local rid
  for rid in linux-x64 linux-arm64; do
    retry dotnet restore firmware/Routerd/Routerd.csproj -r "$rid" --verbosity quiet
  done
  DEPS_DONE=1
}

publish() { # rid [msbuild arguments...]
  local rid=$1
  shift
  log "publishing routerd for $rid (NativeAOT)"
  dotnet publish firmware/Routerd/Routerd.csproj -c Release -r "$rid" --verbosity quiet \
    -o "$OUT/routerd-$rid" -p:DebugType=none -p:StripSymbols=true "$@"
}

build() {
  deps
  publish linux-x64
  publish linux-arm64
  ls -l "$OUT"/routerd-linux-*/routerd
}

# One tier's tests. A test that hangs ends the tier after HANG (a test's longest honest run with
# room to spare) with its name and a dump of the test host in the tier's TestResults, instead of
# holding CI until its own time runs out (stop 27: the unit tier waited from its seventh second
# until CI's 90 minutes were up, with nothing printed to say where).
# Its output is also kept in artifacts/tier-NAME.log, for the summary of failures at the end.
tier() { # project hang [dotnet test arguments...]
  local project=$1 hang=$2
  shift 2
  mkdir -p "$ROOT/artifacts"
  dotnet test "$project" --verbosity quiet --logger "console;verbosity=normal" \
    --blame-hang-timeout "$hang" --blame-hang-dump-type mini "$@" 2>&1 \
    | tee "$ROOT/artifacts/tier-$(basename "$project" .csproj).log"
}

# The failed tests of every tier, each with the start of its message, printed last: CI shows
# the end of a run's output, and stop 28's failed namespace test had scrolled out of it behind
# the image tier's log.
failure_summary() {
  local f
  for f in "$ROOT"/artifacts/tier-*.log "$ROOT/artifacts/image-tier.log"; do
    [ -f "$f" ] || continue
    grep -q '^ *Failed [A-Za-z]' "$f" || continue
    echo "--- failed in $(basename "$f" .log):"
    awk '/^ *Failed [A-Za-z]/ { n = 12 } n > 0 && !/^ *Stack Trace:/ { print; n-- } /^ *Stack Trace:/ { n = 0 }' "$f"
  done
}

unit_tests() {
  log "unit tests"
  tier tests/Routerd.Tests/Routerd.Tests.csproj 5m
}

# The arm64 binary is cross-compiled; running its `version` under qemu-user proves it is a
# working arm64 executable, not just a file with the right name.
arm64_smoke() {
  log "arm64 binary under qemu-aarch64-static"
  local v
  v=$(qemu-aarch64-static -L /usr/aarch64-linux-gnu "$OUT/routerd-linux-arm64/routerd" version)
  echo "$v"
  [[ $v == routerd\ * ]] || die "the arm64 binary did not run: '$v'"
}

# Runs the shipped NativeAOT binary (ROUTERD); `dotnet test tests/Routerd.NetnsTests` alone runs
# the debug build instead, which builds in seconds.
netns_tests() {
  log "namespace tier (real kernel, real nftables and dnsmasq)"
  ROUTERD="$OUT/routerd-linux-x64/routerd" \
    tier tests/Routerd.NetnsTests/Routerd.NetnsTests.csproj 10m
}

# Chromium inside the phone's namespace against the AOT routerd in the lab; screenshots of every
# page land in tests/results/e2e/.
e2e_tests() {
  log "browser tier (chromium in the phone's namespace, Playwright)"
  ROUTERD="$OUT/routerd-linux-x64/routerd" \
    tier tests/Routerd.E2eTests/Routerd.E2eTests.csproj 10m
}

# The lab VM tier: one boot of a stock Debian kernel under QEMU runs every scenario in
# tests/Routerd.VmTests/scenarios with the shipped binary. The kernel and root image are built once
# per recipe into /var/cache/routerd-lab (about a minute), then reused.
vm_tests() {
  log "lab VM tier (Debian kernel under QEMU: PPP, Wi-Fi radios, IPVS, cake)"
  ROUTERD="$OUT/routerd-linux-x64/routerd" \
    tier tests/Routerd.VmTests/Routerd.VmTests.csproj 25m
}

# The image tier: both boards' images (their Debian roots cached per recipe in
# /var/cache/routerd-image, assembled afresh around this build's routerd) booted unmodified under
# QEMU between the lab's ISP and clients: x86-64 as a whole disk under q35 + OVMF, the rpi4 card's
# root slot on -M virt and the whole card through U-Boot on -M raspi3b, plus static checks of the
# card. Each run: first boot (DHCP WAN), a reboot onto a PPPoE ISP (the lab VM), the disk read
# from outside afterwards. A cold cache builds both roots first (x86-64 ~3 min, rpi4 under
# qemu-user ~10 min).
image_tests() {
  if [ -n "${IMAGE_ROOTS_PID:-}" ]; then
    log "waiting for the images' Debian roots (started in the background: $ROOT/artifacts/image/roots.log)"
    wait "$IMAGE_ROOTS_PID" || log "building the roots in the background failed (see roots.log); building them now"
  fi
  log "image tier (x86-64 under QEMU + OVMF; rpi4 on -M virt and -M raspi3b)"
  # The upgrade test's bundles (issue 22: a broken N.1, N.2) are made by the test from this image's
  # root slot (tests/Routerd.Vm/UpgradeBundles.cs), not from a second image build.
  # Both images are assembled at once and the test project builds meanwhile: assembly is mostly
  # copying and mkfs on one core each, the build mostly compiling (2026-12-03, busy machine: 53 s for
  # all three together; in turn the images alone took 74 s, under heavier load, before the test build).
  local dir=$ROOT/artifacts/image board rid pids=()
  mkdir -p "$dir"
  for board in x86-64 rpi4; do
    rid=linux-x64; [ $board = rpi4 ] && rid=linux-arm64
    image/build-image.sh $board "$OUT/routerd-$rid/routerd" "$dir" --no-xz --no-bundle > "$dir/test-image-$board.path" &
    pids+=($!)
  done
  local built=0
  dotnet build tests/Routerd.ImageTests/Routerd.ImageTests.csproj --verbosity quiet || built=$?
  local i; for i in 0 1; do wait "${pids[$i]}" || die "building an image for the image tier failed (its log is above)"; done
  [ "$built" = 0 ] || die "building tests/Routerd.ImageTests failed"
  ROUTERD="$OUT/routerd-linux-x64/routerd" ROUTERD_IMAGE=$(tail -1 "$dir/test-image-x86-64.path") ROUTERD_IMAGE_RPI4=$(tail -1 "$dir/test-image-rpi4.path") \
    tier tests/Routerd.ImageTests/Routerd.ImageTests.csproj 30m --no-build
}

# The images' Debian roots (image stage 1, cached per recipe) need no routerd: on a cold cache
# `test` builds them in the background from the start — mostly package downloads and qemu-user —
# while routerd is published and the first tiers run.
image_roots_in_background() {
  mkdir -p "$ROOT/artifacts/image"
  ( for board in x86-64 rpi4; do image/build-image.sh "$board" - - --root-only || exit 1; done ) \
    > "$ROOT/artifacts/image/roots.log" 2>&1 &
  IMAGE_ROOTS_PID=$!
}

# A flashable image for a board; extra arguments go to image/build-image.sh (--no-xz).
image() {
  need_root "building an image"
  local board=${1:-} rid
  shift || true
  case "$board" in
    x86-64) rid=linux-x64 ;;
    rpi4) rid=linux-arm64 ;;
    *) die "usage: ./build.sh image x86-64|rpi4" ;;
  esac
  deps
  publish "$rid"
  log "image for $board"
  image/build-image.sh "$board" "$OUT/routerd-$rid/routerd" "$ROOT/artifacts/image" "$@"
}

# The lab runs in the foreground until Ctrl-C; `exec` hands the terminal's signals straight to it,
# and it removes every namespace and process it made before exiting. Extra arguments go to
# `Routerd.Lab up` (e.g. --port 8081).
lab() {
  need_root "the lab"
  deps
  publish linux-x64
  log "building the lab"
  dotnet build tests/Routerd.Lab/Routerd.Lab.csproj --verbosity quiet
  exec dotnet "$OUT/Routerd.Lab/debug/Routerd.Lab.dll" up --routerd "$OUT/routerd-linux-x64/routerd" "$@"
}

# Benchmarks measure the shipped NativeAOT binary and print a table + bench/results/NAME.json;
# never part of `test`: they report figures, they assert nothing. core, vip, forward and webui run in the
# namespace lab on this kernel; pppoe, wifi and call in the lab VM (the host kernel has no PPP, radios
# or cake); image and upgrade boot the flashable images in QEMU.
bench() {
  need_root "the benchmarks"
  local name=${1:-}
  shift || true
  case "$name" in
    core|vip|forward|ipv6|webui|pppoe|wifi|call|hardening|image|upgrade) ;;
    *) die "usage: ./build.sh bench core|vip|forward|ipv6|webui|pppoe|wifi|call|hardening|image|upgrade" ;;
  esac
  if [ "$name" = image ]; then
    deps
    publish linux-x64
    publish linux-arm64
    # The warm rebuild is the one after a code change: a source file touched, routerd published
    # again (NativeAOT compiles the whole program each time) with its build outputs warm.
    touch firmware/Routerd/BuildInfo.cs
    local t0=$EPOCHREALTIME
    publish linux-x64
    local publish_s; publish_s=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
    exec bench/image.sh "$OUT/routerd-linux-x64/routerd" "$OUT/routerd-linux-arm64/routerd" "$publish_s"
  fi
  deps
  publish linux-x64
  local routerd="$OUT/routerd-linux-x64/routerd"
  log "building the $name benchmark"
  case "$name" in
    core|vip|forward|ipv6)
      [ "$name" = core ] && publish linux-arm64
      dotnet build bench/Routerd.Bench/Routerd.Bench.csproj -c Release --verbosity quiet
      # The bench's own options pass through (`./build.sh bench forward --adds-only`).
      exec dotnet "$OUT/Routerd.Bench/release/Routerd.Bench.dll" "$name" --routerd "$routerd" --arm64 "$OUT/routerd-linux-arm64/routerd" "$@" ;;
    hardening)
      # `./build.sh bench hardening --load-only`: the 250 clients' load alone (hardening-load.json).
      if [ "${1:-}" = --load-only ]; then
        dotnet build bench/Routerd.Bench/Routerd.Bench.csproj -c Release --verbosity quiet
        exec dotnet "$OUT/Routerd.Bench/release/Routerd.Bench.dll" hardening --routerd "$routerd" "$@"
      fi
      # The corruption corpus and a long fuzz run come from the unit tier, then the power cuts in
      # the lab VM (POWER_CUTS, 200 by default; about 15 s each), the lab probes and the load after.
      local unit; unit=$(mktemp /tmp/routerd-hardening-XXXXXX)
      ROUTERD_BENCH_OUT="$unit" FUZZ_ITER="${FUZZ_ITER:-1000000}" dotnet test tests/Routerd.Tests/Routerd.Tests.csproj --verbosity quiet \
        --filter "FullyQualifiedName~Routerd.Tests.Fuzz|FullyQualifiedName~Corruption_corpus" || true
      dotnet build tests/Routerd.Vm/Routerd.Vm.csproj --verbosity quiet
      dotnet "$OUT/Routerd.Vm/debug/Routerd.Vm.dll" power-cuts "${POWER_CUTS:-200}" --routerd "$routerd" --out "$unit" || true
      dotnet build bench/Routerd.Bench/Routerd.Bench.csproj -c Release --verbosity quiet
      exec dotnet "$OUT/Routerd.Bench/release/Routerd.Bench.dll" hardening --routerd "$routerd" --unit "$unit" ;;
    webui)
      dotnet build bench/Routerd.WebUiBench/Routerd.WebUiBench.csproj -c Release --verbosity quiet
      # `./build.sh bench webui --axe-only`: only the accessibility sweep, on a fresh lab (no results file).
      exec dotnet "$OUT/Routerd.WebUiBench/release/Routerd.WebUiBench.dll" run --routerd "$routerd" "$@" ;;
    pppoe|wifi|call)
      dotnet build bench/Routerd.VmBench/Routerd.VmBench.csproj --verbosity quiet
      ROUTERD="$routerd" exec dotnet "$OUT/Routerd.VmBench/debug/Routerd.VmBench.dll" "$name" "$@" ;;
    upgrade)
      # The x86-64 image with its release bundle (bundle_bytes); the bench makes the broken N.1 and
      # N.2 from that image's root slot as the image tier does (tests/Routerd.Vm/UpgradeBundles.cs).
      local img
      img=$(image/build-image.sh x86-64 "$routerd" "$ROOT/artifacts/image" --no-xz | tail -1)
      dotnet build bench/Routerd.VmBench/Routerd.VmBench.csproj --verbosity quiet
      ROUTERD="$routerd" exec dotnet "$OUT/Routerd.VmBench/debug/Routerd.VmBench.dll" upgrade "$img" "${img%.img}.raucb" ;;
  esac
}

# The arm64 binary is needed from the image tier on (the rpi4 card) and for its smoke test; it is
# compiled while the unit and browser tiers run, which leave a core mostly idle (the browser
# waits on pages, the unit tier is short), rather than before them: about three minutes of the
# run's budget. The namespace tier, with its timing checks, runs after it is done. Its build
# tree is a separate one: a restore for a runtime rewrites each project's assets file, which
# the tiers' own builds read meanwhile.
test_all() {
  need_root "the namespace test tier"
  rm -f "$ROOT"/artifacts/tier-*.log
  deps
  image_roots_in_background
  publish linux-x64
  mkdir -p "$ROOT/artifacts"
  publish linux-arm64 -p:ArtifactsPath="$ROOT/artifacts/arm64" > "$ROOT/artifacts/publish-arm64.log" 2>&1 &
  local arm64=$!
  unit_tests
  e2e_tests
  log "waiting for the arm64 publish (its output: $ROOT/artifacts/publish-arm64.log)"
  wait "$arm64" || { cat "$ROOT/artifacts/publish-arm64.log"; die "publishing routerd for linux-arm64 failed"; }
  arm64_smoke
  image_tests_in_background
  local failed=()
  netns_tests || failed+=("namespace")
  vm_tests || failed+=("lab VM")
  log "waiting for the image tier (started in the background)"
  local image=0
  wait "$IMAGE_TIER_PID" || image=$?
  cat "$ROOT/artifacts/image-tier.log"
  [ "$image" = 0 ] || failed+=("image")
  [ ${#failed[@]} = 0 ] || { failure_summary; die "failed: the ${failed[*]} tier(s) (their output is above)"; }
}

# The image tier runs beside the namespace and lab VM tiers, to keep the whole run in CI's time:
# stop 27's CI (51 min on 2 cores) used 36 min of CPU, most of it the image tier's QEMU while the
# tiers before it mostly waited on timers. It runs niced, so the tiers with time bounds in their
# checks get the CPU first; its output goes to a file, printed once the other tiers are done.
image_tests_in_background() {
  if [ -n "${IMAGE_ROOTS_PID:-}" ]; then
    log "waiting for the images' Debian roots (started in the background: $ROOT/artifacts/image/roots.log)"
    wait "$IMAGE_ROOTS_PID" || log "building the roots in the background failed (see roots.log); the image tier builds them"
    IMAGE_ROOTS_PID=
  fi
  log "image tier started in the background, niced (its output: $ROOT/artifacts/image-tier.log)"
  ( renice -n 10 -p "$BASHPID" > /dev/null; image_tests ) > "$ROOT/artifacts/image-tier.log" 2>&1 &
  IMAGE_TIER_PID=$!
}

cmd=${1:-}
shift || true
case "$cmd" in
  deps) deps ;;
  build) build ;;
  test) test_all ;;
  lab) lab "$@" ;;
  bench) bench "$@" ;;
  image) image "$@" ;;
  test-image) need_root "the image tier"; build; image_tests ;;
  *) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; [ -z "$cmd" ] || exit 2 ;;
esac
