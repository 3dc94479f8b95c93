#!/usr/bin/env bash
# Boot menu mode, UEFI: after --boot-menu-timeout the default "Boot from
# local disk" runs `exit 1`: iPXE returns an error to OVMF, which goes on with its boot
# order (NIC first, then the disk, by bootindex) and boots the client's own
# disk: a FAT disk made here whose EFI/BOOT/BOOTX64.EFI is a standalone
# GRUB (grub-mkstandalone) that prints a marker on the serial port.
. "$(dirname "$0")/lib_iso.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio xorriso grub-mkstandalone mkfs.vfat mcopy mmd python3
lab_require_file /usr/lib/ipxe/snponly.efi /usr/lib/grub/x86_64-efi/moddep.lst \
	/usr/share/OVMF/OVMF_CODE.fd /usr/share/OVMF/OVMF_VARS.fd
[ "$LB_SERVER" = lifeboat ] || lab_skip "the boot menu is lifeboat's"

lab_up
marker="LBDISK-EFI-$$"
disk=$LAB_DIR/disk.img
iso_efi_disk "$disk" "$marker"
iso=$LAB_DIR/alpine.iso
iso_build alpine "$iso"
mac=$(lab_mac 6)
iso_serve --iso "$iso" --boot-menu-timeout 3
serial=$LAB_DIR/efilocal.log
lab_add_tap efilocal
cp /usr/share/OVMF/OVMF_VARS.fd "$LAB_DIR/efilocal.vars.fd"
_qemu_start efilocal "$serial" \
	-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE.fd \
	-drive "if=pflash,format=raw,file=$LAB_DIR/efilocal.vars.fd" \
	-device "virtio-net-pci,netdev=n0,mac=$mac,romfile=,bootindex=1" \
	-drive "if=none,id=d0,format=raw,file=$disk" -device virtio-blk-pci,drive=d0,bootindex=2
wait_for_marker "$serial" "$marker" "${LB_E2E_BOOT_TIMEOUT:-300}" efilocal ||
	lab_fail "the local disk did not boot after the menu's timeout: $LAB_WAIT_WHY"
lab_server_log_has "http\.done .*path=/lifeboat/menu/$LAPTOP_IP/efi-[0-9a-f-]+\.ipxe status=200" ||
	lab_fail "the disk booted without the UEFI menu script having been fetched"
t=$(timing efilocal)
lab_pass "iso menu timeout (UEFI): iPXE exit 1, OVMF booted the local disk next, ${t}s"
