#!/usr/bin/env bash
# Boot menu mode with --grub, BIOS: SeaBIOS + QEMU's e1000 iPXE ROM get the
# GRUB core lifeboat built; GRUB's grub.cfg (root mode's) asks for the
# per-MAC config, which is the boot menu as grub.cfg. Two clients power on
# together, each picked onto one entry by a --host rule:
# - the Debian live entry of an ISO built here: kernel and initrd from
#   inside the ISO over HTTP, and the initrd fetches fetch= (URL with the
#   server GRUB took from its $prefix) and checks it;
# - the GRUB whole-ISO fallback: an ISO of no known layout holding only
#   /boot/grub/loopback.cfg (and the files it names): GRUB opens the whole
#   ISO over HTTP as a loop device and runs its loopback.cfg with iso_path
#   set; its kernel and the marker initramfs boot from inside the loop
#   device, and the command line carries iso_path.
. "$(dirname "$0")/lib_iso.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio xorriso grub-mkimage
lab_require_file "$LAB_KERNEL" /usr/lib/grub/i386-pc/moddep.lst
[ "$LB_SERVER" = lifeboat ] || lab_skip "the boot menu is lifeboat's"

lab_up
iso=$LAB_DIR/debian-live.iso
iso_build debian-live "$iso"
# the whole-ISO fallback's ISO: loopback.cfg boots the lab kernel + marker initramfs
lab_initramfs
token=lbe$$x$RANDOM
tool=$LAB_DIR/tree-tool
mkdir -p "$tool/boot/grub" "$tool/k"
cp "$LAB_KERNEL" "$tool/k/vmlinuz"
cp "$LAB_INITRD" "$tool/k/initrd.gz"
cat > "$tool/boot/grub/loopback.cfg" <<CFG
set timeout=0
menuentry 'tool from loopback.cfg' {
	linux /k/vmlinuz $LAB_CMDLINE lbiso_path=\${iso_path} lbe_token=$token
	initrd /k/initrd.gz
}
CFG
xorriso -as mkisofs -R -J -V LB_TOOL -o "$LAB_DIR/tool.iso" "$tool" 2>/dev/null || lab_fail "xorriso"
chmod 644 "$LAB_DIR/tool.iso"
mac=$(lab_mac 5)
mac_t=$(lab_mac 6)
iso_serve --grub --iso "$iso" --iso "$LAB_DIR/tool.iso" --host "$mac=entry:debian-live" --host "$mac_t=entry:tool"
lab_server_log_has "serve\.iso .*name=tool layout=loopback" || lab_fail "the loopback.cfg ISO is not offered whole"
serial=$LAB_DIR/grubiso.log
serial_t=$LAB_DIR/grubtool.log
qemu_bios_ipxe grubiso "$mac" "$serial"
qemu_bios_ipxe grubtool "$mac_t" "$serial_t"
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
wait_for_marker "$serial_t" "$LAB_MARKER .*lbe_token=$token" "${LB_E2E_BOOT_TIMEOUT:-300}" grubtool ||
	lab_fail "the whole-ISO (loopback.cfg) entry did not boot through GRUB: $LAB_WAIT_WHY"
grep -aq "lbiso_path=/lifeboat/iso/tool.iso" "$serial_t" ||
	lab_fail "loopback.cfg did not get iso_path: $(grep -a "$LAB_MARKER" "$serial_t")"
# GRUB reads the loop device by seeking: Range requests (206), each on a
# new connection it closes once it has what it wanted (http.abort)
lab_server_log_has "http\.(done|abort) .*path=/lifeboat/iso/tool\.iso status=206" ||
	lab_fail "GRUB did not read the whole ISO with Range requests over HTTP"
tt=$(timing grubtool)
lab_pass "iso through GRUB (BIOS, --host picks): debian-live from its files, squashfs ok, ${t}s; whole ISO by loopback over HTTP + its loopback.cfg (iso_path passed), ${tt}s"
