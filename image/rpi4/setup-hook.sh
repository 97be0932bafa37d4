#!/bin/sh
# mmdebstrap --setup-hook for the rpi4 root (runs before any package is installed; $1 is the
# root directory). raspi-firmware's kernel hook, run in a chroot, cannot detect a Pi 4 and would
# write root=/dev/mmcblk0p2 cma=64M (a CMA that can stop a Pi 4 from booting): its defaults are
# set first. U-Boot's boot.scr (image/rpi4/boot.cmd) passes the real kernel command line.
set -eu
mkdir -p "$1/etc/default" "$1/boot/firmware"
cat > "$1/etc/default/raspi-firmware" <<'CONF'
# Written by the routerd image recipe: the root slot is chosen by U-Boot's boot.scr.
ROOTPART=LABEL=routerd-root
CMA=128M
CONSOLES="ttyS1,115200 tty0"
CONF
