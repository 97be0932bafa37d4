#!/usr/bin/env bash
# Builds a flashable image for a board, without loop devices or mounts:
#   image/build-image.sh BOARD ROUTERD_BINARY OUT_DIR [--no-xz] [--no-bundle] [--routerd-disabled]
#   image/build-image.sh BOARD - - --root-only    only stage 1 (fills the cache; prints its path)
# BOARD is x86-64 or rpi4. Writes OUT_DIR/routerd-BOARD-VERSION.img (+ .img.xz and .sha256) and the
# update bundle OUT_DIR/routerd-BOARD-VERSION.raucb (image/rauc-bundle.sh; signed with
# image/rauc-keys.sh's pair: RAUC_KEY/RAUC_CERT for a release, else a development pair kept outside
# the repository). IMAGE_VERSION overrides the version the image and bundle carry (default: routerd's).
#
# Two stages:
#  1. the Debian root filesystem (image/rootfs.sh with the board's package list), built once per
#     recipe into $ROUTERD_IMAGE_CACHE (default /var/cache/routerd-image), keyed by a hash of every
#     recipe file and the kernel package's version;
#  2. assembly, every time: a copy of that tree + routerd + overlay → ext4 root slot (mkfs.ext4 -d),
#     boot partition (mkfs.vfat + mtools), data partition (mkfs.ext4 -d), partition table written
#     by sfdisk into a plain file, partitions placed with dd.
# Layout (both boards): 1 boot | 2 root A | 3 root B (empty) | 4 data; see image/README.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
cache=${ROUTERD_IMAGE_CACHE:-/var/cache/routerd-image}
log() { printf 'image: %s\n' "$*" >&2; }
die() { printf 'image: %s\n' "$*" >&2; exit 1; }

[ $# -ge 3 ] || die "usage: image/build-image.sh x86-64|rpi4 ROUTERD_BINARY OUT_DIR [--no-xz] [--no-bundle] [--routerd-disabled] [--root-only]"
board=$1 routerd=$2 outdir=$3; shift 3
xz=1 bundle=1 routerd_enabled=1 root_only=0
for a in "$@"; do
  case $a in
    --no-xz) xz=0 ;; --no-bundle) bundle=0 ;; --routerd-disabled) routerd_enabled=0 ;; --root-only) root_only=1 ;;
    *) die "unknown option $a" ;;
  esac
done
[ "$(id -u)" = 0 ] || die "building an image needs root (mmdebstrap, file owners in the root filesystem): run it with sudo"
case $board in
  x86-64) arch=amd64 components=main ;;
  rpi4) arch=arm64 components="main non-free-firmware" ;;
  *) die "unknown board '$board' (x86-64 or rpi4)" ;;
esac
for t in mmdebstrap:mmdebstrap mkfs.ext4:e2fsprogs mkfs.vfat:dosfstools mcopy:mtools sfdisk:fdisk xz:xz-utils flock:util-linux; do
  command -v "${t%%:*}" >/dev/null || die "\`${t%%:*}\` is missing: apt-get install ${t#*:} (or ./build.sh deps)"
done
[ $root_only = 1 ] || [ -x "$routerd" ] || die "routerd is not built at $routerd (./build.sh build)"
bdir=$here/$board

# ---------------------------------------------------------------- stage 1: root filesystem (cached)
kver=$(apt-cache policy linux-image-amd64 2>/dev/null | sed -n 's/^ *Candidate: //p')
[ -n "$kver" ] && [ "$kver" != "(none)" ] || die "apt knows no linux-image-amd64 package: run apt-get update"
recipe=("$here/rootfs.sh" "$here/packages.txt" "$here/prune.txt" "$bdir/packages.txt" "$bdir/prune.txt" "$bdir/setup-hook.sh")
key=$( { echo "$board $arch $components kernel=$kver"; for f in "${recipe[@]}"; do [ ! -f "$f" ] || cat "$f"; done; } | sha256sum | cut -c1-16)
rootfs=$cache/$board-$key
mkdir -p "$cache"
if [ ! -d "$rootfs" ]; then
  exec 9>"$cache/$board-$key.lock"
  flock -n 9 || { log "another build of $board-$key is running; waiting for it"; flock 9; }
fi
if [ ! -d "$rootfs" ]; then
  tmp=$rootfs.tmp
  clean_tmp() {
    findmnt -rn -o TARGET | grep -F "$tmp/" | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
    rm -rf --one-file-system "$tmp"
  }
  clean_tmp
  trap clean_tmp EXIT
  if [ "$arch" != "$(dpkg --print-architecture)" ]; then
    # Running the arm64 packages' configure scripts needs qemu-user registered with binfmt_misc.
    command -v qemu-aarch64-static >/dev/null || die "qemu-aarch64-static is missing: apt-get install qemu-user-static"
    if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
      log "registering qemu-aarch64 with binfmt_misc (systemd-binfmt, as qemu-user-static does at boot)"
      mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
      /lib/systemd/systemd-binfmt /usr/lib/binfmt.d/qemu-aarch64.conf
    fi
  fi
  # prune.txt (then the board's): a module path, /PATTERN (exclude) or +/PATTERN (include), each
  # for both /lib and /usr/lib (bookworm's packages still ship /lib; merged /usr makes them one).
  excludes=()
  filter() { # exclude|include PATTERN
    excludes+=("--dpkgopt=path-$1=$2")
    case $2 in /lib/*) excludes+=("--dpkgopt=path-$1=/usr$2") ;; esac
  }
  while read -r d; do
    case $d in
      +/*) filter include "${d#+}" ;;
      /*) filter exclude "$d" ;;
      *.ko) filter exclude "/lib/modules/*/kernel/$d" ;;
      *) filter exclude "/lib/modules/*/kernel/$d/*" ;;
    esac
  done < <(cat "$here/prune.txt" "$bdir/prune.txt" 2>/dev/null | sed 's/#.*//; s/[[:space:]]*$//; /^ *$/d')
  hook=()
  [ -f "$bdir/setup-hook.sh" ] && hook=("--setup-hook=$bdir/setup-hook.sh \"\$1\"" "--dpkgopt=force-confold")
  log "root filesystem for $board ($arch, $components) with $kver → $rootfs (cold: minutes)"
  start=$SECONDS
  ROOTFS_ARCH=$arch ROOTFS_COMPONENTS=$components "$here/rootfs.sh" "$tmp" "$bdir/packages.txt" -- \
    "${excludes[@]}" ${hook[@]+"${hook[@]}"}
  mv "$tmp" "$rootfs"
  trap - EXIT
  echo $((SECONDS - start)) > "$rootfs.build-seconds"   # the cold stage's cost, for bench/image.sh
  log "root filesystem built in $((SECONDS - start)) s"
fi
touch "$rootfs.last-used"
# Root trees of other recipes unused for a week go (other worktrees may still use theirs).
find "$cache" -maxdepth 1 -name '*.last-used' -mtime +7 | while read -r stamp; do
  old=${stamp%.last-used}; [ "$old" = "$rootfs" ] || rm -rf --one-file-system "$old" "$stamp" "$old.lock" "$old.build-seconds"
done

if [ $root_only = 1 ]; then echo "$rootfs"; exit 0; fi

# ---------------------------------------------------------------- stage 2: assembly (every build)
case $arch in
  amd64) version=$("$routerd" version | awk '{print $2; exit}') ;;
  *) version=$(qemu-aarch64-static -L /usr/aarch64-linux-gnu "$routerd" version | awk '{print $2; exit}') ;;
esac
[ -n "$version" ] || die "could not read the version of $routerd"
version=${IMAGE_VERSION:-$version}
[[ $version =~ ^[0-9]+(\.[0-9]+)*(-[A-Za-z0-9.-]+)?$ ]] || die "version '$version' is not N.N.N[-suffix]"
name=routerd-$board-$version
mkdir -p "$outdir"
work=$(mktemp -d "$cache/assemble.XXXXXX")
trap 'rm -rf --one-file-system "$work"' EXIT
start=$SECONDS
# Where the warm rebuild's time goes: each phase's seconds, logged and kept next to the image
# (NAME.phases) for bench/image.sh.
phases=() mark=$EPOCHREALTIME
phase() {
  local now=$EPOCHREALTIME
  phases+=("$1=$(awk -v a="$mark" -v b="$now" 'BEGIN { printf "%.1f", b - a }')")
  mark=$now
}
root=$work/root
cp -a "$rootfs" "$root"
phase copy

# routerd, its board file, the overlays (units, fstab, journald, console banner; the board's own).
install -D -m 0755 "$routerd" "$root/usr/bin/routerd"
install -D -m 0644 "$repo/board/$board/board.json" "$root/etc/routerd/board.json"
cp -a "$here/overlay/." "$root/"
# The board's own files on top (image/<board>/overlay: e.g. the x86-64 image's watchdog).
[ ! -d "$bdir/overlay" ] || cp -a "$bdir/overlay/." "$root/"
echo "$version" > "$root/etc/routerd/version"
# RAUC (A/B upgrades): the board's system.conf, completed at boot with the slots' devices
# (routerd-rauc-slots); the certificate bundles must be signed with; the boot partition mounted where
# the boot loader's variables are (grubenv, uboot.env).
install -D -m 0644 "$bdir/rauc-system.conf" "$root/usr/lib/routerd/rauc-system.conf.in"
mkdir -p "$root/etc/rauc"
ln -sfn /run/rauc-conf/system.conf "$root/etc/rauc/system.conf"
read -r _ rauc_cert < <("$here/rauc-keys.sh")
install -m 0644 "$rauc_cert" "$root/etc/rauc/keyring.pem"
[ ! -f "$bdir/fw_env.config" ] || install -m 0644 "$bdir/fw_env.config" "$root/etc/fw_env.config"
cat "$bdir/fstab" >> "$root/etc/fstab"
sed 's/#.*//' "$bdir/fstab" | awk 'NF >= 2 { print $2 }' | while read -r m; do mkdir -p "$root$m"; done
mkdir -p "$root/data"
echo routerd > "$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\trouterd\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$root/etc/hosts"
# The getty's greeting: \4{br-lan} is the LAN address as it is now.
printf 'routerd %s (\\l)\nLAN: \\4{br-lan}   web UI: http://\\4{br-lan}/\nFirst-boot Wi-Fi key: /var/lib/routerd/wifi-first-boot.txt (root only), or set your own in the web UI.\n\n' \
  "$version" > "$root/etc/issue"
# Read-only root: an empty machine-id makes systemd generate one in RAM at every boot; stamps that
# say /etc and /var are up to date keep ldconfig and hwdb updates from trying to write.
: > "$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
touch -r "$root/usr" "$root/etc/.updated" "$root/var/.updated"
systemctl --root="$root" --quiet enable routerd.service routerd-console.service routerd-grow-data.service routerd-rauc-slots.service routerd-boot-trial.timer
[ $routerd_enabled = 1 ] || systemctl --root="$root" --quiet disable routerd.service
# Nothing runs that a router does not need: no package downloads, no file system scrubbing.
# routerd runs hostapd itself, with its own configuration.
systemctl --root="$root" --quiet mask apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer e2scrub_reap.service hostapd.service wpa_supplicant.service 2>/dev/null || true
# raspi-firmware's kernel hook copied the kernel, initramfs and DTBs to /boot/firmware: the boot
# partition is assembled from the packages' own files instead (image/rpi4/assemble.sh).
rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/var/log/*.log "$root"/var/log/apt/* "$root"/boot/firmware.bak "$root"/boot/firmware/*

mb() { echo $(( ($1 + 1048575) / 1048576 )); }
root_bytes=$(du -sb "$root" | cut -f1)
log "root tree: $(mb "$root_bytes") MiB"
echo "$root_bytes" > "$outdir/$name.root-bytes"
phase customise

# The data partition starts small (it grows to fill the disk at first boot) and already holds the
# overlay's directories for /var.
mkdir -p "$work/data/var" "$work/data/.var-work"
mkfs.ext4 -q -F -L routerd-data -d "$work/data" "$work/data.ext4" "${DATA_MB:-64}M" 2>&1 | { grep -v "^Creating regular file" || true; } >&2

phase data_fs
. "$bdir/assemble.sh"   # the board's boot partition, partition table and image: sets $img
phase boot_root_place
if [ $bundle = 1 ]; then
  log "update bundle (RAUC): $name.raucb"
  "$here/rauc-bundle.sh" "$board" "$version" "$work/root.ext4" "$outdir/$name.raucb"
  phase bundle
fi

if [ $xz = 1 ]; then
  # Preset 1, not xz's default 6: measured here on the root slot's bytes, 6 took 5x as long for an
  # image 8 % smaller (bench/image.sh's warm_xz_s; the size target has room). XZ_PRESET overrides.
  log "compressing (xz -${XZ_PRESET:-1})"
  xz -T0 "-${XZ_PRESET:-1}" -k -f "$img"
  (cd "$outdir" && sha256sum "$name.img.xz" > "$name.img.xz.sha256")
  phase xz
fi
printf '%s\n' "${phases[@]}" > "$outdir/$name.phases"
log "assembled in $((SECONDS - start)) s (${phases[*]}): $img"
ls -l "$outdir/$name".* >&2
echo "$img"
