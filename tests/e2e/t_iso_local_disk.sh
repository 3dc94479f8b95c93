#!/usr/bin/env bash
# Boot menu mode, BIOS: nobody presses a key, so after --boot-menu-timeout the
# default "Boot from local disk" runs `sanboot --no-describe --drive 0x80`
# and the client's own disk boots: a raw image made here whose boot sector
# writes a marker to COM1 and halts.
. "$(dirname "$0")/lib_iso.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio xorriso python3
lab_require_file /usr/lib/ipxe/undionly.kpxe
[ "$LB_SERVER" = lifeboat ] || lab_skip "the boot menu is lifeboat's"

lab_up
marker="LBDISK-$$"
disk=$LAB_DIR/disk.img
python3 - "$disk" "$marker" <<'PY'
import sys
code = bytearray(b"\xba\xf8\x03")              # mov dx, 0x3f8 (COM1)
for c in (sys.argv[2] + "\r\n").encode():
    code += bytes([0xb0, c, 0xee])             # mov al, c; out dx, al
code += b"\xfa\xf4\xeb\xfd"                    # cli; hlt; jmp back to hlt
sector = code.ljust(510, b"\0") + b"\x55\xaa"
open(sys.argv[1], "wb").write(sector + bytes(1024 * 1024 - 512))
PY
iso=$LAB_DIR/debian-live.iso
iso_build debian-live "$iso"
mac=$(lab_mac 4)
iso_serve --iso "$iso" --boot-menu-timeout 3
serial=$LAB_DIR/local.log
lab_add_tap local
_qemu_start local "$serial" -device "e1000,netdev=n0,mac=$mac" -boot n \
	-drive "file=$disk,format=raw,if=ide"
wait_for_marker "$serial" "$marker" "${LB_E2E_BOOT_TIMEOUT:-240}" local ||
	lab_fail "the local disk did not boot after the menu's timeout: $LAB_WAIT_WHY"
lab_server_log_has "http\.done .*path=/lifeboat/menu/$LAPTOP_IP/pcbios-[0-9a-f-]+\.ipxe status=200" ||
	lab_fail "the disk booted without the menu script having been fetched"
t=$(timing local)
lab_pass "iso menu timeout (BIOS): local disk booted by sanboot 0x80 after the menu, ${t}s"
