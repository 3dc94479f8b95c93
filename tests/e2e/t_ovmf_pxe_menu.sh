#!/usr/bin/env bash
# PXE boot menu on UEFI: OVMF with EDK2's own PXE stack (arch 7) and
# `lifeboat serve --kernel ... --menu "...=efi64:lifeboat/ipxe/snponly.efi"
# --menu "...=efi64:local"`. EDK2 prints the menu prompt on its console
# (serial here), lets the timeout run out, picks the first item and does
# PXE boot server discovery: a DHCPREQUEST to lifeboat's udp/4011 with option
# 43.71 (type 0x8080); lifeboat answers with the item's file, EDK2 loads
# snponly.efi over TFTP and iPXE boots the kernel over HTTP to the marker.
. "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio
lab_require_file "$LAB_KERNEL" /usr/lib/ipxe/snponly.efi /usr/share/OVMF/OVMF_CODE.fd
[ "$LB_SERVER" = lifeboat ] || lab_skip "--menu is lifeboat's"

lab_up
lab_initramfs
token=lbe$$x$RANDOM
[ -x "$LB_BIN" ] || lab_fail "no lifeboat binary at $LB_BIN (run make)"
lab_run_laptop "$LB_BIN" serve $LB_SERVE_ARGS -i $LAPTOP_IF --kernel "$LAB_KERNEL" \
	--initrd "$LAB_INITRD" --cmdline "$LAB_CMDLINE lbe_token=$token" --ipxe-dir /usr/lib/ipxe \
	--menu "lifeboat rescue kernel=efi64:lifeboat/ipxe/snponly.efi" --menu "Local disk=efi64:local" \
	--menu-prompt "LIFEBOAT-MENU-PROMPT" --menu-timeout 3
lab_laptop_ready 10
mac=$(lab_mac 8)
serial=$LAB_DIR/ovmfmenu.log
qemu_ovmf_pxe ovmfmenu "$mac" "$serial"
wait_for_marker "$serial" "$LAB_MARKER .*lbe_token=$token" "${LB_E2E_BOOT_TIMEOUT:-240}" ovmfmenu ||
	lab_fail "OVMF did not boot the first menu item: $LAB_WAIT_WHY"
t=$(timing ovmfmenu)
tr -d '\r' < "$serial" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' | grep -q "LIFEBOAT-MENU-PROMPT" ||
	lab_fail "EDK2 did not show the menu prompt on its console"
lab_server_log_has "dhcp\.offer mac=$mac arch=7\(efi64\) fw=uefi shape=menu" ||
	lab_fail "no menu offer to the arch 7 client"
lab_server_log_has "dhcp\.ack mac=$mac arch=7\(efi64\) fw=uefi shape=item file=lifeboat/ipxe/snponly\.efi" ||
	lab_fail "lifeboat did not answer EDK2's boot server discovery (43.71) with the item's file"
lab_server_log_has "tftp\.done .*file=lifeboat/ipxe/snponly\.efi " || lab_fail "snponly.efi not served"
lab_pass "ovmf pxe menu: prompt on the console, first item by timeout, 4011 discovery answered, marker after ${t}s"
