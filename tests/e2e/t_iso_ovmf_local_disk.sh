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
cfg=$LAB_DIR/disk-grub.cfg
printf 'serial --unit=0 --speed=115200\nterminal_output serial console\necho %s\nsleep 600\n' "$marker" > "$cfg"
grub-mkstandalone -O x86_64-efi -o "$LAB_DIR/BOOTX64.EFI" --modules="serial echo sleep terminal" \
	"boot/grub/grub.cfg=$cfg" 2>/dev/null || lab_fail "grub-mkstandalone"
disk=$LAB_DIR/disk.img
truncate -s 40M "$disk"
# an MBR with one EFI system partition (type 0xef) at 1 MiB, FAT16 in place
python3 - "$disk" <<'PY' || lab_fail "partition table"
import struct, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(446)
    f.write(struct.pack("<B3sB3sII", 0, b"\xff\xff\xff", 0xEF, b"\xff\xff\xff", 2048, 65536))
    f.seek(510)
    f.write(b"\x55\xaa")
PY
mkfs.vfat -F 16 --offset 2048 "$disk" 32768 >/dev/null || lab_fail "mkfs.vfat"
mmd -i "$disk@@1M" ::/EFI ::/EFI/BOOT &&
	mcopy -i "$disk@@1M" "$LAB_DIR/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI || lab_fail "mtools"
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
