#!/usr/bin/env bash
# Boot menu mode with --grub, UEFI: OVMF (EDK2's PXE) boots lifeboat's
# x86_64-efi GRUB core; nobody picks an entry, so after --boot-menu-timeout
# the GRUB menu's default "Boot from local disk" finds the disk's EFI
# system partition (search --file /EFI/BOOT/BOOTX64.EFI) and chain-loads its
# loader: a standalone GRUB made here that prints a marker on COM1.
. "$(dirname "$0")/lib_iso.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio xorriso grub-mkimage grub-mkstandalone mkfs.vfat mcopy mmd python3
lab_require_file /usr/lib/grub/x86_64-efi/moddep.lst /usr/share/OVMF/OVMF_CODE.fd /usr/share/OVMF/OVMF_VARS.fd
[ "$LB_SERVER" = lifeboat ] || lab_skip "the boot menu is lifeboat's"

lab_up
marker="LBDISK-GRUBEFI-$$"
disk=$LAB_DIR/disk.img
iso_efi_disk "$disk" "$marker"
iso=$LAB_DIR/debian-live.iso
iso_build debian-live "$iso"
mac=$(lab_mac 7)
iso_serve --grub --iso "$iso" --boot-menu-timeout 3
serial=$LAB_DIR/grublocal.log
lab_add_tap grublocal
cp /usr/share/OVMF/OVMF_VARS.fd "$LAB_DIR/grublocal.vars.fd"
_qemu_start grublocal "$serial" \
	-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE.fd \
	-drive "if=pflash,format=raw,file=$LAB_DIR/grublocal.vars.fd" \
	-device "virtio-net-pci,netdev=n0,mac=$mac,romfile=,bootindex=1" \
	-drive "if=none,id=d0,format=raw,file=$disk" -device virtio-blk-pci,drive=d0,bootindex=2
wait_for_marker "$serial" "$marker" "${LB_E2E_BOOT_TIMEOUT:-300}" grublocal ||
	lab_fail "GRUB's local-disk default did not boot the disk: $LAB_WAIT_WHY"
lab_server_log_has "http\.done .*path=/lifeboat/grub/cfg/01-[0-9a-f-]+ status=200" ||
	lab_fail "the disk booted without GRUB's menu having been fetched"
t=$(timing grublocal)
lab_pass "iso menu through GRUB (UEFI): timeout, local disk's ESP loader chain-loaded, ${t}s"
