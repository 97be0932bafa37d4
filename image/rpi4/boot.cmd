# routerd Raspberry Pi 4: U-Boot's boot script (compiled to boot.scr with mkimage). The Pi's
# firmware loads Debian's U-Boot (rpi_arm64), whose distro boot runs this from the FAT partition.
# It picks the root slot and boots the kernel and initramfs stored inside that slot.
# Slot selection is RAUC's `uboot` back-end convention (issue 22 uses it unchanged): BOOT_ORDER and
# per-slot tries BOOT_A_LEFT / BOOT_B_LEFT in uboot.env on the FAT partition. Each boot of a slot
# spends one try; the updater refills them once the running slot is healthy.
# Missing or damaged environment (U-Boot falls back to its built-in defaults, which have no
# BOOT_ORDER): the order routerd recorded when it last marked a slot good (routerd-last-good.txt on
# this partition, `BOOT_ORDER=B A` lines — Core/Upgrade/LastGoodSlot.cs), else "A B"; fresh tries
# either way. Without the record a lost uboot.env after an upgrade to B would start the old A.
# It is loaded at pxefile_addr_r: free at this point (${scriptaddr} holds this running script) and
# not one of the kernel's, initramfs' or device tree's addresses. Only BOOT_ORDER is imported.
# No single quote outside comments: U-Boot's hush opens a quoted string at one even inside "...".
if test -z "${BOOT_ORDER}"; then
  if load ${devtype} ${devnum}:${distro_bootpart} ${pxefile_addr_r} /routerd-last-good.txt; then
    env import -t -r ${pxefile_addr_r} ${filesize} BOOT_ORDER
    echo "routerd: no boot environment; boot order ${BOOT_ORDER} from routerd-last-good.txt (the last good slot first)"
  fi
fi
test -n "${BOOT_ORDER}" || setenv BOOT_ORDER "A B"
test -n "${BOOT_A_LEFT}" || setenv BOOT_A_LEFT 3
test -n "${BOOT_B_LEFT}" || setenv BOOT_B_LEFT 3

setenv rootpart
for slot in ${BOOT_ORDER}; do
  if test -z "${rootpart}"; then
    if test "${slot}" = "A" && test ${BOOT_A_LEFT} -gt 0; then
      setexpr BOOT_A_LEFT ${BOOT_A_LEFT} - 1; setenv rootpart 2; setenv rootslot A
    elif test "${slot}" = "B" && test ${BOOT_B_LEFT} -gt 0; then
      setexpr BOOT_B_LEFT ${BOOT_B_LEFT} - 1; setenv rootpart 3; setenv rootslot B
    fi
  fi
done
if test -z "${rootpart}"; then
  # Every slot spent its tries (neither has been marked good since its tries ran out): the first
  # slot of the order again, with fresh tries.
  echo "routerd: no slot has tries left; refilling and booting the first of the order ${BOOT_ORDER}"
  setenv BOOT_A_LEFT 3
  setenv BOOT_B_LEFT 3
  for slot in ${BOOT_ORDER}; do
    if test -z "${rootpart}"; then
      if test "${slot}" = "B"; then setenv rootpart 3; setenv rootslot B; else setenv rootpart 2; setenv rootslot A; fi
    fi
  done
fi
saveenv
echo "routerd: booting slot ${rootslot} (partition ${rootpart}; tries left A=${BOOT_A_LEFT} B=${BOOT_B_LEFT})"

part uuid ${devtype} ${devnum}:${rootpart} rootuuid
setenv bootargs "root=PARTUUID=${rootuuid} ro rootwait net.ifnames=0 console=ttyS1,115200 console=tty1 quiet panic=10 rauc.slot=${rootslot}"
ext4load ${devtype} ${devnum}:${rootpart} ${kernel_addr_r} /vmlinuz
ext4load ${devtype} ${devnum}:${rootpart} ${ramdisk_addr_r} /initrd.img
setenv initrd_size ${filesize}
booti ${kernel_addr_r} ${ramdisk_addr_r}:${initrd_size} ${fdt_addr}
echo "routerd: booting slot ${rootslot} failed"
