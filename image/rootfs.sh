#!/usr/bin/env bash
# The root filesystem recipe: Debian bookworm, minbase, plus the packages the router runs
# (image/packages.txt) and any further lists a caller adds (the lab VM adds its test tools, the
# disk images their kernel, systemd and boot loader).
# Used by the lab VM tier (tests/Routerd.Vm/vm/build-artifacts.sh) and image/build-image.sh.
#   image/rootfs.sh OUT_DIR [PACKAGE_LIST...] [-- MMDEBSTRAP_OPTION...]
# OUT_DIR must not exist yet. Needs root (mmdebstrap in root mode, so file owners are real).
# ROOTFS_ARCH (default: the build machine's) and ROOTFS_COMPONENTS (default: main) choose what
# the recipe's own apt sources hold; the mirrors themselves come from the build machine's apt
# configuration, so no registry host is written here.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { sed -n '6p' "$0" | sed 's/^# *//' >&2; exit 2; }
out=$1; shift
[ ! -e "$out" ] || { echo "rootfs.sh: $out already exists" >&2; exit 1; }
lists=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do lists+=("$1"); shift; done
[ "${1:-}" != -- ] || shift
arch=${ROOTFS_ARCH:-$(dpkg --print-architecture)}
components=${ROOTFS_COMPONENTS:-main}

# One package per line; '#' starts a comment.
packages=$(cat "$here/packages.txt" ${lists[@]+"${lists[@]}"} | sed 's/#.*//' | tr -s ' \t\n' '\n' | grep -v '^$' | sort -u | paste -sd, -)

# The build machine's Debian mirrors (URI + suite), whatever format its sources use, with this
# recipe's components: one-line entries for the chroot's own sources.list.
sources=()
while read -r uri suite; do
  sources+=("deb $uri $suite $components")
done < <(apt-get indextargets --no-release-info --format '$(REPO_URI) $(RELEASE)' 'Created-By: Packages' | sort -u)
[ ${#sources[@]} -gt 0 ] || { echo "rootfs.sh: the build machine's apt configuration names no Debian mirror" >&2; exit 1; }

# merged /usr the debootstrap way (symlinks + usr-is-merged): otherwise init-system-helpers pulls
# in usrmerge and with it the whole of perl (46 MB) that nothing on a router uses.
mmdebstrap --variant=minbase --mode=root --quiet --architectures="$arch" \
  --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
  --include="$packages" \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
  "$@" \
  bookworm "$out" "${sources[@]}"
# Package caches and lists are not part of a firmware image.
rm -rf "$out"/var/cache/apt/*.bin "$out"/var/lib/apt/lists/* "$out"/var/cache/debconf/*-old "$out"/var/lib/dpkg/*-old
