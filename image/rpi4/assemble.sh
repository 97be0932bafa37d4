# Sourced by image/build-image.sh: the Raspberry Pi 4 SD card. MBR (the Pi's boot ROM reads it),
# with a random disk signature so PARTUUIDs differ between cards.
#   1 boot  256 MiB FAT32 (type 0x0c): the Pi firmware (start4.elf, fixup4.dat), the bcm2711 DTB,
#           config.txt, Debian's U-Boot (u-boot.bin), boot.scr, later uboot.env
#   2 rootA        ext4, read-only: the system, its kernel and initramfs in /boot
#   3 rootB        empty until the first upgrade (issue 22)
#   4 data   64 MiB ext4 (label routerd-data), grown to the end of the card at first boot
# In: $root $work $outdir $name $bdir. Out: $img.
command -v mkimage >/dev/null || die "\`mkimage\` is missing: apt-get install u-boot-tools"
BOOT_MB=256 ROOT_MB=${ROOT_MB:-640} DATA_MB=${DATA_MB:-64}
[ -e "$root/vmlinuz" ] && [ -e "$root/initrd.img" ] || die "the root filesystem has no /vmlinuz or /initrd.img"
kdir=$(ls -d "$root"/usr/lib/linux-image-*/broadcom | head -1)
[ -f "$kdir/bcm2711-rpi-4-b.dtb" ] || die "no bcm2711-rpi-4-b.dtb in the kernel package"
[ -f "$root/usr/lib/u-boot/rpi_arm64/u-boot.bin" ] || die "no u-boot.bin (u-boot-rpi) in the root filesystem"
[ -f "$root/usr/lib/raspi-firmware/start4.elf" ] || die "no start4.elf (raspi-firmware) in the root filesystem"

disk_id=$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
log "boot partition (firmware, DTBs, U-Boot, boot.scr)"
b=$work/bootfs
mkdir -p "$b"
cp "$root"/usr/lib/raspi-firmware/{bootcode.bin,start4.elf,fixup4.dat,start.elf,fixup.dat} "$b/" 2>/dev/null || true
cp "$root"/usr/lib/raspi-firmware/*.elf "$root"/usr/lib/raspi-firmware/*.dat "$b/" 2>/dev/null || true
cp "$kdir"/bcm2711-rpi-4-b.dtb "$kdir"/bcm2711-rpi-400.dtb "$kdir"/bcm2711-rpi-cm4.dtb "$kdir"/bcm2837-rpi-3-b.dtb "$kdir"/bcm2837-rpi-3-b-plus.dtb "$b/" 2>/dev/null || true
cp "$root/usr/lib/u-boot/rpi_arm64/u-boot.bin" "$b/u-boot.bin"
cp "$bdir/config.txt" "$b/config.txt"
mkimage -A arm64 -T script -C none -n "routerd slot chooser" -d "$bdir/boot.cmd" "$b/boot.scr" >/dev/null
# The firmware's own cmdline.txt is not used (U-Boot passes the command line); kept for people
# who look for it.
echo "# unused: U-Boot's boot.scr sets the kernel command line" > "$b/cmdline.txt"
rm -f "$work/boot.img"
mkfs.vfat -F 32 -s 1 -n RPI-BOOT -C "$work/boot.img" $((BOOT_MB * 1024)) >/dev/null
mcopy -i "$work/boot.img" -s "$b"/* ::/

# The slot's own kernel: U-Boot's booti wants an uncompressed arm64 Image.
kimg=$(readlink -f "$root/vmlinuz")
if [ "$(head -c2 "$kimg" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then
  gzip -dc < "$kimg" > "$kimg.tmp" && mv "$kimg.tmp" "$kimg"
fi
# The slot's kernel and initramfs also next to the image: the -M virt test boots them directly.
cp "$kimg" "$outdir/$name.vmlinuz"
cp "$(readlink -f "$root/initrd.img")" "$outdir/$name.initrd"
log "root slot A (mkfs.ext4 -d, ${ROOT_MB} MiB)"
mkfs.ext4 -q -F -L routerd-root -O ^has_journal -d "$root" "$work/root.ext4" "${ROOT_MB}M" 2>&1 | { grep -v "^Creating regular file" || true; } >&2

img=$outdir/$name.img
rm -f "$img"
boot_start=4 a_start=$((4 + BOOT_MB)) b_start=$((4 + BOOT_MB + ROOT_MB)) data_start=$((4 + BOOT_MB + 2 * ROOT_MB))
truncate -s $(( (data_start + DATA_MB) * 1048576 )) "$img"
sfdisk --quiet "$img" <<SFDISK
label: dos
label-id: 0x$disk_id
start=${boot_start}MiB, size=${BOOT_MB}MiB, type=c, bootable
start=${a_start}MiB, size=${ROOT_MB}MiB, type=83
start=${b_start}MiB, size=${ROOT_MB}MiB, type=83
start=${data_start}MiB, size=${DATA_MB}MiB, type=83
SFDISK
place() { dd if="$1" of="$img" bs=1M seek="$2" conv=notrunc,sparse status=none; }
place "$work/boot.img" $boot_start
place "$work/root.ext4" $a_start
place "$work/data.ext4" $data_start
echo "$disk_id" > "$outdir/$name.disk-id"
