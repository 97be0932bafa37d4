#!/bin/sh
# mmdebstrap --setup-hook for the rpi4 root (runs before any package is installed; $1 is the
# root directory).
# - raspi-firmware's kernel hook, run in a chroot, cannot detect a Pi 4 and would write
#   root=/dev/mmcblk0p2 cma=64M (a CMA that can stop a Pi 4 from booting): its defaults are set
#   first. U-Boot's boot.scr (image/rpi4/boot.cmd) passes the real kernel command line.
# - The initramfs holds a listed set of modules (MODULES=list), not "most": building it runs
#   under qemu-user here, where "most" took over 20 minutes; the list is what finding the root
#   slot needs on the Pi 4 (SD card: sdhci-iproc; USB boot: xhci + usb-storage) and in QEMU
#   (virtio; raspi3b's sdhost).
# - The initramfs is built once, by the kernel's own postinst (update-initramfs -c): later
#   triggers (update-initramfs -u, from packages configured after the kernel) would build it a
#   second time under qemu-user, a minute for nothing — every hook file is unpacked before any
#   package is configured, so the first build already has them all.
set -eu
mkdir -p "$1/etc/default" "$1/boot/firmware" "$1/etc/initramfs-tools/conf.d"
cat > "$1/etc/default/raspi-firmware" <<'CONF'
# Written by the routerd image recipe: the root slot is chosen by U-Boot's boot.scr.
ROOTPART=LABEL=routerd-root
CMA=128M
CONSOLES="ttyS1,115200 tty0"
CONF
cat > "$1/etc/initramfs-tools/conf.d/routerd.conf" <<'CONF'
MODULES=list
CONF
mkdir -p "$1/etc/initramfs-tools"
cat > "$1/etc/initramfs-tools/update-initramfs.conf" <<'CONF'
# Written by the routerd image recipe: the initramfs is built once, when the kernel is installed.
update_initramfs=no
backup_initramfs=no
CONF
cat > "$1/etc/initramfs-tools/modules" <<'CONF'
# The routerd rpi4 image's initramfs (MODULES=list): what mounting the root slot needs.
ext4
mmc_block
sdhci_iproc
bcm2835
sdhci_of_arasan
usb_storage
uas
xhci_pci
xhci_plat_hcd
pcie_brcmstb
reset_raspberrypi
virtio_blk
virtio_pci
virtio_mmio
CONF
