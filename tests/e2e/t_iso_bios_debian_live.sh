#!/usr/bin/env bash
# Boot menu mode, BIOS: `lifeboat serve --iso X` (no ROOT, kernel or boot
# file) with an ISO built here in the Debian live layout. A --host rule
# picks the ISO's entry for this MAC, so the menu is skipped: SeaBIOS +
# QEMU's e1000 iPXE ROM fetch the menu script, which goes to the entry:
# kernel and initrd are served from inside the ISO, and the initrd fetches
# fetch= (live/filesystem.squashfs, also from inside the ISO) and checks
# its size and SHA-256.
. "$(dirname "$0")/lib_iso.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio xorriso
lab_require_file "$LAB_KERNEL" /usr/lib/ipxe/undionly.kpxe
[ "$LB_SERVER" = lifeboat ] || lab_skip "the boot menu is lifeboat's"

lab_up
iso=$LAB_DIR/debian-live.iso
iso_build debian-live "$iso"
mac=$(lab_mac 1)
iso_serve --iso "$iso" --host "$mac=entry:debian-live"
serial=$LAB_DIR/bios.log
qemu_bios_ipxe bios "$mac" "$serial"
wait_for_marker "$serial" "LBISO-(OK|BAD)" "${LB_E2E_BOOT_TIMEOUT:-240}" bios ||
	lab_fail "the client did not boot the ISO's entry: $LAB_WAIT_WHY"
grep -aq LBISO-OK "$serial" || lab_fail "the squashfs fetched does not match: $(grep -a LBISO "$serial")"
grep -aqE "LBISO cmdline=.*boot=live components fetch=http://$LAPTOP_IP/lifeboat/iso/debian-live/live/filesystem.squashfs" "$serial" ||
	lab_fail "the kernel did not get the Debian live command line: $(grep -a 'LBISO cmdline' "$serial")"
lab_server_log_has "http\.done .*path=/lifeboat/menu/$LAPTOP_IP/pcbios-[0-9a-f-]+\.ipxe status=200" ||
	lab_fail "no menu script served for the BIOS client"
lab_server_log_has "http\.done .*path=/lifeboat/iso/debian-live/live/vmlinuz status=200" ||
	lab_fail "the kernel was not served from inside the ISO"
t=$(timing bios)
lab_log "$(grep -a LBISO-FETCH "$serial" | tr -d '\r')"
lab_pass "iso debian-live (BIOS, --host pick): kernel, initrd and squashfs from inside the ISO, size+SHA-256 ok, ${t}s"
