#!/usr/bin/env bash
# An OVMF client with EDK2's own PXE stack (virtio-net, empty romfile, so no
# iPXE ROM; PXE arch 7) boots a kernel + marker initramfs through
# `lifeboat serve --kernel`: EDK2 takes lifeboat's proxy offer (BINL shape),
# loads snponly.efi over TFTP, and that iPXE fetches the generated script,
# kernel and initrd over HTTP. The LAN's addresses come from the router.
. "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio
lab_require_file "$LAB_KERNEL" /usr/lib/ipxe/snponly.efi /usr/share/OVMF/OVMF_CODE.fd

lab_up
lab_initramfs
token=lbe$$x$RANDOM
lab_server_boot_kernel "$LAB_INITRD" "$LAB_CMDLINE lbe_token=$token"
mac=$(lab_mac 2)
serial=$LAB_DIR/ovmf.log
qemu_ovmf_pxe ovmf "$mac" "$serial"
wait_for_marker "$serial" "$LAB_MARKER .*lbe_token=$token" "${LB_E2E_BOOT_TIMEOUT:-170}" ovmf ||
	lab_fail "OVMF PXE client did not boot: $LAB_WAIT_WHY"
t=$(timing ovmf)
ph=$(phases ovmf "$mac")
lab_log "marker after ${t}s: $(grep -a "$LAB_MARKER" "$serial" | tr -d '\r')"

ip=$(lab_check_lease "$mac") || lab_fail "router's lease file has no lease for $mac: $(cat "$ROUTER_LEASES")"
lab_log "client $mac holds router lease $ip"
lab_server_log_has "offer.*$mac|$mac.*offer|$mac.*proxy|proxy.*$mac" ||
	lab_fail "the server's log shows no offer to $mac"
if [ "$LB_SERVER" != dnsmasq ]; then
	# EDK2 gets the BINL shape (no option 43), then asks on port 4011.
	lab_server_log_has "dhcp\.offer mac=$mac .*arch=7.* shape=binl" ||
		lab_fail "lifeboat did not make a BINL-shape offer to arch 7 client $mac"
	lab_server_log_has "dhcp\.ack mac=$mac .*snponly\.efi" ||
		lab_fail "lifeboat did not answer the client's 4011 request with snponly.efi"
fi
lab_server_log_has "tftp\.done .*file=\S*snponly\.efi |sent \S*snponly\.efi to" ||
	lab_fail "the server's log shows no complete TFTP transfer of snponly.efi"
lab_server_log_has "http\.done .*method=GET path=\S*/linux status=200|url:/\S*linux" ||
	lab_fail "the server's log shows no HTTP fetch of the kernel"
lab_pass "ovmf-pxe kernel boot via $LB_SERVER: power-on to marker ${t}s${ph:+ (}${ph}${ph:+)} (lease $ip from router)"
