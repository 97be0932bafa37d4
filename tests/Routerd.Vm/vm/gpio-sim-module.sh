#!/usr/bin/env bash
# The gpio-sim module for the lab VM's kernel, which Debian builds without it (`# CONFIG_GPIO_SIM
# is not set`): the in-tree driver (drivers/gpio/gpio-sim.c) from Debian's own kernel source
# package, compiled out of tree against the headers of exactly that kernel with Debian's gcc-12
# (the compiler the headers name), so its vermagic and symbol versions match. Debian's kernel
# checks module signatures but does not enforce them: the unsigned module loads (and taints).
#   gpio-sim-module.sh KERNEL_RELEASE PACKAGE_VERSION     e.g. 6.1.0-57-amd64 6.1.192-3
# prints the path of gpio-sim.ko. Built on this machine, not in the VM's root (which would need a
# compiler and the headers installed in it at every root rebuild), once per kernel package and
# this script, in $ROUTERD_LAB_CACHE/gpio-sim-KEY (the same cache and clean-up as the VM's roots).
# Nothing is installed on this machine: the packages are downloaded and unpacked into the cache.
set -euo pipefail
[ $# = 2 ] || { sed -n '7p' "$0" | sed 's/^# *//' >&2; exit 2; }
kver=$1 version=$2
cache=${ROUTERD_LAB_CACHE:-/var/cache/routerd-lab}
log() { printf 'lab-vm: %s\n' "$*" >&2; }
die() { printf 'lab-vm: %s\n' "$*" >&2; exit 1; }
for t in gcc-12:gcc-12 make:make dpkg-deb:dpkg xz:xz-utils strip:binutils; do
  command -v "${t%%:*}" >/dev/null || die "\`${t%%:*}\` is missing: apt-get install ${t#*:} (or ./build.sh deps)"
done

key=$( { echo "$kver $version"; cat "$0"; } | sha256sum | cut -c1-16)
final=$cache/gpio-sim-$key
if [ -f "$final/gpio-sim.ko" ]; then touch "$final/last-used"; echo "$final/gpio-sim.ko"; exit 0; fi

mkdir -p "$cache"
exec 8>"$final.lock"
flock 8
if [ -f "$final/gpio-sim.ko" ]; then touch "$final/last-used"; echo "$final/gpio-sim.ko"; exit 0; fi
work=$final.tmp
rm -rf --one-file-system "$work"
mkdir -p "$work"
trap 'rm -rf --one-file-system "$work"' EXIT
log "gpio-sim module for $kver ($version) in $work"

# The headers come in two parts (the flavour's .config and Module.symvers; the common tree) plus the
# build tools (modpost, objtool); the source only for the driver. Each at the kernel's exact version.
series=${kver%%-*}; series=${series%.*}       # 6.1.0-57-amd64 -> 6.1
pkgs=("linux-headers-$kver=$version" "linux-headers-${kver%-*}-common=$version"
      "linux-kbuild-$series=$version" "linux-source-$series=$version")
(cd "$work" && apt-get download -q "${pkgs[@]}" >/dev/null 2>&1) ||
  die "apt-get download ${pkgs[*]} failed: apt-get update, or the index no longer has the lab kernel's version"
for deb in "$work"/linux-headers-*.deb "$work"/linux-kbuild-*.deb; do dpkg-deb -x "$deb" "$work/root"; done
hdr=$work/root/usr/src/linux-headers-$kver
# The flavour's Makefile includes the common tree by its installed path (/usr/src/...): point it
# at the unpacked one.
sed -i "s|^include /usr/src/|include $work/root/usr/src/|" "$hdr/Makefile"
grep -q "^include $work/" "$hdr/Makefile" || die "unexpected $hdr/Makefile: $(cat "$hdr/Makefile")"

# Three files of the source: the driver, gpiolib's internal header it includes, and the interrupt
# simulator it selects (CONFIG_IRQ_SIM, not in Debian's kernel either), linked into the module.
src=linux-source-$series
dpkg-deb --fsys-tarfile "$work"/linux-source-*.deb | tar -xO "./usr/src/$src.tar.xz" |
  tar -xJ -C "$work" "$src/drivers/gpio/gpio-sim.c" "$src/drivers/gpio/gpiolib.h" "$src/kernel/irq/irq_sim.c"
rm -f "$work"/linux-source-*.deb
mod=$work/module
mkdir -p "$mod"
cp "$work/$src/drivers/gpio/gpio-sim.c" "$mod/gpio-sim-main.c"   # a composite module's parts need other names
cp "$work/$src/drivers/gpio/gpiolib.h" "$work/$src/kernel/irq/irq_sim.c" "$mod/"
# irq_sim.c hands a simulated interrupt to its flow handler through irq_to_desc(), which the
# kernel exports only to built-in code; generic_handle_irq() (exported) looks up the same
# descriptor and calls the same handler (handle_simple_irq, set when the interrupt is mapped).
sed -i 's/handle_simple_irq(irq_to_desc(irqnum));/generic_handle_irq(irqnum);/' "$mod/irq_sim.c"
grep -q 'generic_handle_irq(irqnum);' "$mod/irq_sim.c" || die "irq_sim.c of $version changed: the irq_to_desc() call was not found"
printf 'obj-m := gpio-sim.o\ngpio-sim-y := gpio-sim-main.o irq_sim.o\n' > "$mod/Kbuild"
make -s -C "$hdr" M="$mod" modules >&2 || die "building gpio-sim.ko against $kver failed"
strip --strip-debug "$mod/gpio-sim.ko"
magic=$(strings "$mod/gpio-sim.ko" | sed -n 's/^vermagic=\([^ ]*\) .*/\1/p')
[ "$magic" = "$kver" ] || die "gpio-sim.ko has vermagic '$magic', not $kver"

mkdir -p "$work/out"
mv "$mod/gpio-sim.ko" "$work/out/"
rm -rf --one-file-system "$final"
mv "$work/out" "$final"
touch "$final/last-used"
log "gpio-sim module ready: $final/gpio-sim.ko"
echo "$final/gpio-sim.ko"
