#!/usr/bin/env bash
# An update bundle for a board: the root slot's ext4 image in a RAUC bundle (plain format: a
# squashfs with a CMS signature appended), signed with image/rauc-keys.sh's pair.
#   image/rauc-bundle.sh BOARD VERSION ROOT_EXT4 OUT_BUNDLE
# The device checks the compatible (routerd-BOARD) and the signature; routerd compares the version.
# BUNDLE_ZSTD_LEVEL: the squashfs's zstd level (default 10; the image tier packs its test bundles
# at 3, while a guest is booting on the same cores).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
die() { printf 'rauc-bundle: %s\n' "$*" >&2; exit 1; }
[ $# -eq 4 ] || die "usage: image/rauc-bundle.sh BOARD VERSION ROOT_EXT4 OUT_BUNDLE"
board=$1 version=$2 rootfs=$3 out=$4
for t in rauc:rauc mksquashfs:squashfs-tools; do
  command -v "${t%%:*}" >/dev/null || die "\`${t%%:*}\` is missing: apt-get install ${t#*:} (or ./build.sh deps)"
done
read -r key cert < <("$here/rauc-keys.sh")
dir=$(mktemp -d "${out%/*}/.bundle.XXXXXX")
trap 'rm -rf "$dir"' EXIT
# A hard link where the file system allows it: the 640 MiB root image is not copied again.
ln "$rootfs" "$dir/rootfs.ext4" 2>/dev/null || cp --sparse=always "$rootfs" "$dir/rootfs.ext4"
cat > "$dir/manifest.raucm" <<MANIFEST
[update]
compatible=routerd-$board
version=$version
description=routerd $version for $board
build=$(date -u +%Y%m%dT%H%M%SZ)

[bundle]
format=plain

[image.rootfs]
filename=rootfs.ext4
MANIFEST
rm -f "$out"
# zstd: several times faster to pack than the default gzip at about the same size for this tree.
level=${BUNDLE_ZSTD_LEVEL:-10}
[[ $level =~ ^[0-9]+$ ]] && [ "$level" -ge 1 ] && [ "$level" -le 22 ] || die "BUNDLE_ZSTD_LEVEL must be 1-22, not '$level'"
rauc bundle --cert="$cert" --key="$key" --mksquashfs-args="-comp zstd -Xcompression-level $level -no-progress -quiet" "$dir" "$out" >&2
