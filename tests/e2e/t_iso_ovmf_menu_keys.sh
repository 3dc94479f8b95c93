#!/usr/bin/env bash
# Boot menu mode, UEFI (OVMF, EDK2's PXE), chosen by keyboard: no --host
# rule, so iPXE shows
# the menu ("Boot from local disk" first and selected). Once the menu
# script is served the test presses Down and Enter through QEMU's monitor
# (sendkey); the Alpine entry boots and its initrd checks the
# modloop it fetched. The marker can only appear if the menu was shown
# and the entry picked by key.
. "$(dirname "$0")/lib_iso.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio xorriso python3
lab_require_file "$LAB_KERNEL" /usr/lib/ipxe/snponly.efi
[ "$LB_SERVER" = lifeboat ] || lab_skip "the boot menu is lifeboat's"

lab_up
iso=$LAB_DIR/alpine.iso
iso_build alpine "$iso"
mac=$(lab_mac 14)
iso_serve --iso "$iso" --boot-menu-timeout 120
serial=$LAB_DIR/efikeys.log
qemu_ovmf_pxe efikeys "$mac" "$serial"
t=0
until lab_server_log_has "http\.done .*path=/lifeboat/menu/$LAPTOP_IP/efi-[0-9a-f-]+\.ipxe status=200"; do
	sleep 0.5
	t=$((t + 1))
	[ $t -lt 480 ] || lab_fail "the menu script was never fetched"
	lab_alive qemu-efikeys || lab_fail "qemu exited before the menu"
done
sleep 4
iso_keys efikeys down || lab_fail "could not send keys to QEMU's monitor"
sleep 1
iso_keys efikeys ret
lab_log "pressed Down and Enter"
wait_for_marker "$serial" "LBISO-(OK|BAD)" "${LB_E2E_BOOT_TIMEOUT:-300}" efikeys ||
	lab_fail "the client did not boot the entry chosen by key: $LAB_WAIT_WHY"
grep -aq LBISO-OK "$serial" || lab_fail "the modloop fetched does not match: $(grep -a LBISO "$serial")"
lab_pass "iso menu by keyboard (UEFI): menu shown, Alpine entry chosen with Down+Enter, modloop ok"
