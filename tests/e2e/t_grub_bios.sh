#!/usr/bin/env bash
# A SeaBIOS client (QEMU's e1000 iPXE ROM, PXE arch 0) boots a kernel +
# marker initramfs through GRUB: `lifeboat serve --grub --kernel` hands the
# ROM the GRUB BIOS core lifeboat built at start-up (not the iPXE script),
# over TFTP; the core's prefix names lifeboat's address, so GRUB fetches its
# modules, the generated grub.cfg, kernel and initrd from lifeboat over HTTP
# although the DHCPACK it cached came from the router (the proxy-mode
# pitfall of a stock grub-mknetdir core).
. "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio grub-mkimage
lab_require_file "$LAB_KERNEL" /usr/lib/grub/i386-pc/moddep.lst
[ "$LB_SERVER" = lifeboat ] || lab_skip "--grub is lifeboat's own (LB_SERVER=$LB_SERVER)"

lab_up
lab_initramfs
token=lbe$$x$RANDOM
lab_run_laptop "$LB_BIN" serve $LB_SERVE_ARGS -i $LAPTOP_IF --grub --kernel "$LAB_KERNEL" \
	--initrd "$LAB_INITRD" --cmdline "$LAB_CMDLINE lbe_token=$token"
lab_laptop_ready 20
mac=$(lab_mac 3)
serial=$LAB_DIR/grub-bios.log
qemu_bios_ipxe grubbios "$mac" "$serial"
wait_for_marker "$serial" "$LAB_MARKER .*lbe_token=$token" "${LB_E2E_BOOT_TIMEOUT:-240}" grubbios ||
	lab_fail "BIOS client did not boot through GRUB: $LAB_WAIT_WHY"
t=$(timing grubbios)
ph=$(phases grubbios "$mac")
lab_log "marker after ${t}s: $(grep -a "$LAB_MARKER" "$serial" | tr -d '\r')"

ip=$(lab_check_lease "$mac") || lab_fail "router's lease file has no lease for $mac: $(cat "$ROUTER_LEASES")"
lab_log "client $mac holds router lease $ip"
lab_server_log_has "serve\.grub image=lifeboat/grub/$LAPTOP_IP/core\.0 format=i386-pc-pxe prefix=\(http,$LAPTOP_IP\)/grub" ||
	lab_fail "lifeboat did not build the GRUB BIOS core for $LAPTOP_IP"
# The ROM is iPXE, but with --grub it gets the GRUB core, not the script.
lab_server_log_has "dhcp\.offer mac=$mac .*file=lifeboat/grub/$LAPTOP_IP/core\.0" ||
	lab_fail "lifeboat did not offer $mac the GRUB BIOS core"
lab_server_log_has "dhcp\.offer mac=$mac .*boot\.ipxe" &&
	lab_fail "lifeboat offered $mac the iPXE script although --grub is set"
lab_server_log_has "tftp\.done .*file=lifeboat/grub/$LAPTOP_IP/core\.0 " ||
	lab_fail "no complete TFTP transfer of the GRUB core"
# GRUB itself, over HTTP from lifeboat: its module tree (command.lst), the
# generated config, kernel and initrd.
for p in "/grub/i386-pc/command\.lst" "/grub/grub\.cfg" "/lifeboat/kernel/linux" "/lifeboat/initrd/0/"; do
	lab_server_log_has "http\.done client=$ip:[0-9]+( mac=\S+)? method=GET path=$p\S* status=200" ||
		lab_fail "GRUB ($ip) did not fetch $p from lifeboat over HTTP"
done
lab_pass "grub-bios kernel boot: power-on to marker ${t}s${ph:+ (}${ph}${ph:+)} (lease $ip from router)"
