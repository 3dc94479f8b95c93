#!/usr/bin/env bash
# A SeaBIOS client with QEMU's e1000 iPXE ROM boots a kernel + marker
# initramfs through `lifeboat serve --kernel` on a LAN whose addresses come
# from an ordinary DHCP server (the router's dnsmasq), not from lifeboat.
# Proof: the marker and our command line on the client's serial console,
# the client's MAC in the router's lease file, and the offer in lifeboat's log.
. "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio
lab_require_file "$LAB_KERNEL" /usr/lib/ipxe/undionly.kpxe

lab_up
lab_initramfs
token=lbe$$x$RANDOM
lab_server_boot_kernel "$LAB_INITRD" "$LAB_CMDLINE lbe_token=$token"
mac=$(lab_mac 1)
serial=$LAB_DIR/bios.log
qemu_bios_ipxe bios "$mac" "$serial"
wait_for_marker "$serial" "$LAB_MARKER .*lbe_token=$token" "${LB_E2E_BOOT_TIMEOUT:-170}" bios ||
	lab_fail "BIOS iPXE client did not boot: $LAB_WAIT_WHY"
t=$(timing bios)
ph=$(phases bios "$mac")
lab_log "marker after ${t}s: $(grep -a "$LAB_MARKER" "$serial" | tr -d '\r')"

ip=$(lab_check_lease "$mac") || lab_fail "router's lease file has no lease for $mac: $(cat "$ROUTER_LEASES")"
lab_log "client $mac holds router lease $ip"
lab_server_log_has "offer.*$mac|$mac.*offer|$mac.*proxy|proxy.*$mac" ||
	lab_fail "the server's log shows no offer to $mac"
lab_server_log_has "http\.done .*method=GET path=\S*/linux status=200|url:/\S*linux" ||
	lab_fail "the server's log shows no HTTP fetch of the kernel"
if [ "$LB_SERVER" != dnsmasq ]; then
	# The ROM is iPXE already: it must get the script URL, not undionly.kpxe.
	lab_server_log_has "dhcp\.offer mac=$mac .*fw=ipxe .*file=http://$LAPTOP_IP/" ||
		lab_fail "lifeboat did not offer the iPXE ROM client $mac an HTTP script"
	# The client record: the DHCP stage saw $mac at $ip, so the transfer
	# lines name the machine, not only its address.
	lab_server_log_has "http\.done client=${ip//./[.]}:[0-9]+ mac=$mac .*path=\S*/linux" ||
		lab_fail "the kernel's http.done line does not name the client's MAC $mac"
fi
lab_pass "bios-ipxe kernel boot via $LB_SERVER: power-on to marker ${t}s${ph:+ (}${ph}${ph:+)} (lease $ip from router)"
