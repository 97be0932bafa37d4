#!/usr/bin/env bash
# The root filesystem recipe: Debian bookworm, minbase, plus the packages the router runs
# (image/packages.txt) and any further lists a caller adds (the lab VM adds its test tools).
# Used by the lab VM tier (tests/Routerd.Vm/vm/build-artifacts.sh) and meant for the
# disk/SD image too.
#   image/rootfs.sh OUT_DIR [PACKAGE_LIST...]
# OUT_DIR must not exist yet. Needs root (mmdebstrap in root mode, so file owners are real).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { sed -n '6p' "$0" | sed 's/^# *//' >&2; exit 2; }
out=$1; shift
[ ! -e "$out" ] || { echo "rootfs.sh: $out already exists" >&2; exit 1; }

# One package per line; '#' starts a comment.
packages=$(cat "$here/packages.txt" "$@" | sed 's/#.*//' | tr -s ' \t\n' '\n' | grep -v '^$' | sort -u | paste -sd, -)

# The mirrors are spelled out (not the host's sources) so the recipe means the same on any machine.
mmdebstrap --variant=minbase --mode=root --quiet \
  --include="$packages" \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
  bookworm "$out" \
  "deb http://deb.debian.org/debian bookworm main" \
  "deb http://deb.debian.org/debian bookworm-updates main" \
  "deb http://deb.debian.org/debian-security bookworm-security main"
# Package caches and lists are not part of a firmware image.
rm -rf "$out"/var/cache/apt/*.bin "$out"/var/lib/apt/lists/*
