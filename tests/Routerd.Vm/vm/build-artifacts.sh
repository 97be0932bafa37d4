#!/usr/bin/env bash
# Builds what the lab VM boots, once per recipe: Debian's kernel (uncompressed vmlinux), its
# modules inside a Debian root filesystem made by image/rootfs.sh, and a small initramfs.
#   build-artifacts.sh            prints the cache directory holding vmlinux, initramfs.cpio,
#                                 rootfs.ext4 and kernel-release (building it if needed)
#   build-artifacts.sh --key      prints only the recipe's key
# The cache ($ROUTERD_LAB_CACHE, default /var/cache/routerd-lab) is keyed by a hash of every
# recipe file and of the kernel package's version. A build happens under a lock in KEY.tmp and
# is renamed to KEY only when complete, so a directory named KEY is always a finished build and
# a concurrent second builder waits and then uses it.
set -euo pipefail
vm=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$vm/../../.." && pwd)
cache=${ROUTERD_LAB_CACHE:-/var/cache/routerd-lab}
log() { printf 'lab-vm: %s\n' "$*" >&2; }
die() { printf 'lab-vm: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "building the lab VM needs root (mmdebstrap, chroot): run it with sudo"
for t in mmdebstrap:mmdebstrap dpkg-deb:dpkg mkfs.ext4:e2fsprogs cpio:cpio xz:xz-utils flock:util-linux findmnt:util-linux apt-get:apt; do
  command -v "${t%%:*}" >/dev/null || die "\`${t%%:*}\` is missing: apt-get install ${t#*:} (or ./build.sh deps)"
done

# The newest amd64 kernel Debian's index offers; its exact version is part of the key.
kpkg=$(apt-cache show --no-all-versions linux-image-amd64 2>/dev/null | sed -n 's/^Depends: \(linux-image-[^ ,]*\) (= \([^)]*\)).*/\1=\2/p' | head -1)
[ -n "$kpkg" ] || die "apt knows no linux-image-amd64 package: run apt-get update"

recipe=("$repo/image/rootfs.sh" "$repo/image/packages.txt" "$vm/packages.txt" "$vm/boot-modules.txt"
        "$vm/initramfs-init" "$vm/build-artifacts.sh" "$vm/gpio-sim-module.sh")
key=$( { echo "$kpkg"; cat "${recipe[@]}"; } | sha256sum | cut -c1-16)
if [ "${1:-}" = --key ]; then echo "$key"; exit 0; fi

final=$cache/$key
# Each use stamps last-used; builds other recipes left unused for a week are removed (worktrees on
# other branches may use theirs in between).
hit() { touch "$final/last-used" 2>/dev/null || true; echo "$final"; exit 0; }
prune() {
  find "$cache" -mindepth 2 -maxdepth 2 -name last-used -mtime +7 | while read -r stamp; do
    old=$(dirname "$stamp")
    [ "$old" != "$final" ] || continue
    ( flock -n 8 && rm -rf --one-file-system "$old" "$old.lock" ) 8>"$old.lock" || true
  done
}
if [ -f "$final/rootfs.ext4" ]; then hit; fi

mkdir -p "$cache"
exec 9>"$cache/$key.lock"
if ! flock -n 9; then
  log "another build of $key is running; waiting for it"
  flock 9
fi
if [ -f "$final/rootfs.ext4" ]; then hit; fi   # the other builder finished it

work=$cache/$key.tmp
# A build killed mid-way may leave mmdebstrap's /proc, /sys or /dev mounts in its chroot: unmount
# them first, and never let rm cross into another file system.
clean_work() {
  findmnt -rn -o TARGET | grep -F "$work/" | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf --one-file-system "$work"
}
clean_work                     # what an interrupted earlier build left
mkdir -p "$work"
trap clean_work EXIT           # never leave a half-built tree behind, even on Ctrl-C
log "building $key ($kpkg) in $work"

# Kernel: the package unpacked, the uncompressed vmlinux taken out of the bzImage (its payload is
# one xz stream: booting it skips the slow decompression under TCG).
(cd "$work" && apt-get download -q "$kpkg" >/dev/null 2>&1) || die "apt-get download $kpkg failed: run apt-get update"
dpkg-deb -x "$work"/linux-image-*.deb "$work/kernel"
kver=$(ls "$work/kernel/lib/modules")
offset=$(LC_ALL=C grep -obUaP '\xFD7zXZ\x00' "$work/kernel/boot/vmlinuz-$kver" | head -1 | cut -d: -f1)
[ -n "$offset" ] || die "no xz payload in vmlinuz-$kver"
# xz stops at the stream's end and complains about the trailer that follows: the ELF check decides.
tail -c +$((offset + 1)) "$work/kernel/boot/vmlinuz-$kver" | xz -dc > "$work/vmlinux" 2>/dev/null || true
[ "$(head -c 4 "$work/vmlinux" | od -An -c | tr -d ' ')" = '177ELF' ] || die "the xz payload of vmlinuz-$kver is not an ELF kernel"
echo "$kver" > "$work/kernel-release"

log "root filesystem (mmdebstrap)"
"$repo/image/rootfs.sh" "$work/rootfs" "$vm/packages.txt"
root=$work/rootfs
# The kernel's modules, without hardware no VM has (graphics, sound, media, USB, SCSI, NICs).
moddir=$root/usr/lib/modules/$kver
mkdir -p "$root/usr/lib/modules"
cp -a "$work/kernel/lib/modules/$kver" "$moddir"
for d in drivers/gpu drivers/media sound drivers/infiniband drivers/staging drivers/usb drivers/iio \
         drivers/hid drivers/input drivers/scsi drivers/bluetooth drivers/net/ethernet drivers/net/can \
         drivers/net/usb; do
  rm -rf "${moddir:?}/kernel/$d"
done
find "$moddir/kernel/drivers/net/wireless" -mindepth 1 -maxdepth 1 ! -name mac80211_hwsim.ko -exec rm -rf {} +
# A simulated GPIO chip for the reset button's scenario: Debian's kernel lacks gpio-sim, so it is
# built from Debian's source for this kernel (cached per kernel version) and added as an update.
ko=$("$vm/gpio-sim-module.sh" "$kver" "${kpkg#*=}")
install -D -m 0644 "$ko" "$moddir/updates/gpio-sim.ko"
chroot "$root" depmod -a "$kver"
for m in $(sed 's/#.*//' "$vm/boot-modules.txt") mac80211_hwsim gpio-sim; do
  chroot "$root" modprobe -S "$kver" --show-depends "$m" >/dev/null || die "module $m is missing from the root filesystem"
done
mkdir -p "$root/lab"
echo routerd-lab > "$root/etc/hostname"

log "initramfs"
ird=$work/initramfs
mkdir -p "$ird"/{bin,dev,proc,newroot,modules,lib/x86_64-linux-gnu,lib64}
cp "$root/usr/bin/busybox" "$ird/bin/busybox"
ln -s busybox "$ird/bin/sh"
for lib in libc.so.6 libresolv.so.2; do cp -L "$root/usr/lib/x86_64-linux-gnu/$lib" "$ird/lib/x86_64-linux-gnu/"; done
cp -L "$root/usr/lib64/ld-linux-x86-64.so.2" "$ird/lib64/"
mknod "$ird/dev/console" c 5 1
install -m 0755 "$vm/initramfs-init" "$ird/init"
chroot "$root" modprobe -S "$kver" -a --show-depends virtio_pci virtio_blk ext4 9pnet_virtio 9p |
  awk '$1 == "insmod" && !seen[$2]++ { print $2 }' | while read -r ko; do
    cp "$root$ko" "$ird/modules/"
    basename "$ko" >> "$ird/modules/order"
  done
(cd "$ird" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$work/initramfs.cpio"

log "root image (mkfs.ext4 -d)"
size_mb=$(( $(du -sm "$root" | cut -f1) * 13 / 10 + 128 ))
mkfs.ext4 -q -F -L routerd-lab -O ^has_journal -d "$root" "$work/rootfs.ext4" "${size_mb}M" >&2

rm -rf --one-file-system "$root" "$ird" "$work/kernel" "$work"/linux-image-*.deb
mv "$work" "$final"
trap - EXIT
log "ready: $final"
prune
hit
