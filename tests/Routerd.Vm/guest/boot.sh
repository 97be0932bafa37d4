#!/bin/sh
# PID 1 of the lab VM (the initramfs hands over to it): mounts the usual file systems, loads the
# modules the guest has no udev to load, runs the suite (run-suite.sh) and powers off. It lives
# in the 9p share, not in the image, so changing it does not rebuild the image.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mkdir -p /run/netns /var/run
hostname routerd-lab
ip link set lo up
echo "lab-vm: booted in $(cut -d' ' -f1 /proc/uptime) s, kernel $(uname -r)"
for m in $(sed 's/#.*//' /lab/guest/boot-modules.txt); do
  modprobe "$m" || echo "lab-vm: modprobe $m failed"
done
sh /lab/guest/run-suite.sh
sync
echo "lab-vm: powering off after $(cut -d' ' -f1 /proc/uptime) s"
# QEMU runs with -no-reboot: a reboot ends it (no ACPI needed, unlike power-off).
echo b > /proc/sysrq-trigger
