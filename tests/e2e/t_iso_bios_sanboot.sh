#!/usr/bin/env bash
# Boot menu mode, BIOS, an ISO of no known layout that is El Torito
# bootable: its entry boots the whole image with iPXE's sanboot over HTTP
# (Range requests on lifeboat/iso/NAME.iso). The ISO is built here: its
# no-emulation boot image writes a marker to COM1 and halts.
. "$(dirname "$0")/lib_iso.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq xorriso python3
lab_require_file /usr/lib/ipxe/undionly.kpxe
[ "$LB_SERVER" = lifeboat ] || lab_skip "the boot menu is lifeboat's"

lab_up
marker="LBSANBOOT-$$"
t=$LAB_DIR/tree-et
mkdir -p "$t"
printf 'not a layout lifeboat knows\n' > "$t/README"
python3 - "$t/boot.img" "$marker" <<'PY'
import sys
code = bytearray(b"\xba\xf8\x03")              # mov dx, 0x3f8 (COM1)
for c in (sys.argv[2] + "\r\n").encode():
    code += bytes([0xb0, c, 0xee])             # mov al, c; out dx, al
code += b"\xfa\xf4\xeb\xfd"                    # cli; hlt; jmp back to hlt
open(sys.argv[1], "wb").write(code.ljust(2048, b"\0"))
PY
iso=$LAB_DIR/tool.iso
xorriso -as mkisofs -R -b boot.img -no-emul-boot -boot-load-size 4 -o "$iso" "$t" 2>/dev/null ||
	lab_fail "xorriso"
chmod 644 "$iso"
mac=$(lab_mac 13)
iso_serve --iso "$iso" --host "$mac=entry:tool"
lab_server_log_has "serve\.iso .*name=tool layout=sanboot" || lab_fail "the ISO is not offered for sanboot"
serial=$LAB_DIR/sanboot.log
qemu_bios_ipxe sanboot "$mac" "$serial"
wait_for_marker "$serial" "$marker" "${LB_E2E_BOOT_TIMEOUT:-240}" sanboot ||
	lab_fail "the whole ISO did not boot with sanboot: $LAB_WAIT_WHY"
lab_server_log_has "http\.done .*path=/lifeboat/iso/tool\.iso status=20[06]" ||
	lab_fail "iPXE did not read the ISO from lifeboat"
lab_pass "iso of unknown layout, El Torito: whole image booted with iPXE sanboot over HTTP, $(timing sanboot)s"
