#!/usr/bin/env bash
# Boot menu mode with --grub, BIOS: SeaBIOS + QEMU's e1000 iPXE ROM get the
# GRUB core lifeboat built; GRUB's grub.cfg (root mode's) asks for the
# per-MAC config, which is the boot menu as grub.cfg; a --host rule picks
# the Debian live entry of an ISO built here, so GRUB boots it at once:
# kernel and initrd from inside the ISO over HTTP, and the initrd fetches
# fetch= (URL with the server GRUB took from its $prefix) and checks it.
. "$(dirname "$0")/lib_iso.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio xorriso grub-mkimage
lab_require_file "$LAB_KERNEL" /usr/lib/grub/i386-pc/moddep.lst
[ "$LB_SERVER" = lifeboat ] || lab_skip "the boot menu is lifeboat's"

lab_up
iso=$LAB_DIR/debian-live.iso
iso_build debian-live "$iso"
mac=$(lab_mac 5)
iso_serve --grub --iso "$iso" --host "$mac=entry:debian-live"
serial=$LAB_DIR/grubiso.log
qemu_bios_ipxe grubiso "$mac" "$serial"
wait_for_marker "$serial" "LBISO-(OK|BAD)" "${LB_E2E_BOOT_TIMEOUT:-300}" grubiso ||
	lab_fail "the client did not boot the ISO's entry through GRUB: $LAB_WAIT_WHY"
grep -aq LBISO-OK "$serial" || lab_fail "the squashfs fetched does not match: $(grep -a LBISO "$serial")"
grep -aqE "LBISO cmdline=.*fetch=http://$LAPTOP_IP/lifeboat/iso/debian-live/live/filesystem.squashfs" "$serial" ||
	lab_fail "GRUB did not expand the server in the command line: $(grep -a 'LBISO cmdline' "$serial")"
lab_server_log_has "http\.done .*path=/lifeboat/grub/cfg/01-[0-9a-f-]+ status=200" ||
	lab_fail "GRUB did not fetch its per-MAC menu"
lab_server_log_has "http\.done .*path=/lifeboat/iso/debian-live/live/vmlinuz status=200" ||
	lab_fail "the kernel was not served from inside the ISO"
t=$(timing grubiso)
lab_pass "iso debian-live through GRUB (BIOS, --host pick): menu grub.cfg, files from inside the ISO, squashfs ok, ${t}s"
