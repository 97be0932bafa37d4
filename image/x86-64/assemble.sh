# Sourced by image/build-image.sh: the x86-64 disk. GPT, UEFI.
#   1 ESP   64 MiB  FAT32: EFI/BOOT/BOOTX64.EFI (GRUB), grub.cfg, grubenv (slot choice)
#   2 rootA        ext4, read-only: the system, its kernel and initramfs in /boot
#   3 rootB        empty until the first upgrade (issue 22)
#   4 data   64 MiB ext4 (label routerd-data), grown to the end of the disk at first boot
# In: $root $work $outdir $name $bdir. Out: $img.
for t in grub-mkimage:grub-common grub-editenv:grub-common; do
  command -v "${t%%:*}" >/dev/null || die "\`${t%%:*}\` is missing: apt-get install ${t#*:} grub-efi-amd64-bin"
done
[ -d /usr/lib/grub/x86_64-efi ] || die "GRUB's EFI modules are missing: apt-get install grub-efi-amd64-bin"
ESP_MB=64 ROOT_MB=${ROOT_MB:-640} DATA_MB=${DATA_MB:-64}
[ -e "$root/vmlinuz" ] && [ -e "$root/initrd.img" ] || die "the root filesystem has no /vmlinuz or /initrd.img"

uuid() { cat /proc/sys/kernel/random/uuid; }
disk_uuid=$(uuid) esp_uuid=$(uuid) a_uuid=$(uuid) b_uuid=$(uuid) data_uuid=$(uuid)

log "ESP (GRUB, grub.cfg, grubenv)"
grub-mkimage -O x86_64-efi -o "$work/BOOTX64.EFI" -p /EFI/BOOT \
  part_gpt part_msdos fat ext2 normal boot linux configfile loadenv test regexp echo \
  search search_fs_uuid search_label sleep reboot halt efi_gop efi_uga gzio cat ls
sed -e "s/@A_PARTUUID@/$a_uuid/" -e "s/@B_PARTUUID@/$b_uuid/" "$bdir/grub.cfg" > "$work/grub.cfg"
grub-editenv "$work/grubenv" create
grub-editenv "$work/grubenv" set ORDER="A B" A_OK=1 A_TRY=0 B_OK=0 B_TRY=0
rm -f "$work/esp.img"
mkfs.vfat -F 32 -s 1 -n ESP -i "${esp_uuid:0:8}" -C "$work/esp.img" $((ESP_MB * 1024)) >/dev/null
mmd -i "$work/esp.img" ::EFI ::EFI/BOOT
mcopy -i "$work/esp.img" "$work/BOOTX64.EFI" "$work/grub.cfg" "$work/grubenv" ::EFI/BOOT/

log "root slot A (mkfs.ext4 -d, ${ROOT_MB} MiB)"
mkfs.ext4 -q -F -L routerd-root -O ^has_journal -d "$root" "$work/root.ext4" "${ROOT_MB}M" 2>&1 | { grep -v "^Creating regular file" || true; } >&2

img=$outdir/$name.img
rm -f "$img"
esp_start=1 a_start=$((1 + ESP_MB)) b_start=$((1 + ESP_MB + ROOT_MB)) data_start=$((1 + ESP_MB + 2 * ROOT_MB))
truncate -s $(( (data_start + DATA_MB + 1) * 1048576 )) "$img"
sfdisk --quiet "$img" <<SFDISK
label: gpt
label-id: $disk_uuid
start=${esp_start}MiB, size=${ESP_MB}MiB, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=$esp_uuid, name=esp
start=${a_start}MiB, size=${ROOT_MB}MiB, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, uuid=$a_uuid, name=rootA
start=${b_start}MiB, size=${ROOT_MB}MiB, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, uuid=$b_uuid, name=rootB
start=${data_start}MiB, size=${DATA_MB}MiB, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=$data_uuid, name=data
SFDISK
place() { dd if="$1" of="$img" bs=1M seek="$2" conv=notrunc,sparse status=none; }
place "$work/esp.img" $esp_start
place "$work/root.ext4" $a_start
place "$work/data.ext4" $data_start
