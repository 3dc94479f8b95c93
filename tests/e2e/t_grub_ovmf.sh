#!/usr/bin/env bash
# An OVMF client with EDK2's own PXE stack (virtio-net, empty romfile; PXE
# arch 7) boots a kernel + marker initramfs through GRUB: `lifeboat serve
# --grub --kernel` answers the BINL request on 4011 with the x86_64-efi GRUB
# core it built at start-up; EDK2 loads it over TFTP, and GRUB, whose prefix
# names lifeboat's address, fetches its modules, the generated grub.cfg,
# kernel and initrd from lifeboat over HTTP, although the DHCPACK EDK2 cached
# came from the router.
. "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio grub-mkimage
lab_require_file "$LAB_KERNEL" /usr/lib/grub/x86_64-efi/moddep.lst /usr/share/OVMF/OVMF_CODE.fd
[ "$LB_SERVER" = lifeboat ] || lab_skip "--grub is lifeboat's own (LB_SERVER=$LB_SERVER)"

lab_up
lab_initramfs
token=lbe$$x$RANDOM
lab_run_laptop "$LB_BIN" serve $LB_SERVE_ARGS -i $LAPTOP_IF --grub --kernel "$LAB_KERNEL" \
	--initrd "$LAB_INITRD" --cmdline "$LAB_CMDLINE lbe_token=$token"
lab_laptop_ready 20
mac=$(lab_mac 4)
serial=$LAB_DIR/grub-ovmf.log
qemu_ovmf_pxe grubovmf "$mac" "$serial"
wait_for_marker "$serial" "$LAB_MARKER .*lbe_token=$token" "${LB_E2E_BOOT_TIMEOUT:-240}" grubovmf ||
	lab_fail "OVMF PXE client did not boot through GRUB: $LAB_WAIT_WHY"
t=$(timing grubovmf)
ph=$(phases grubovmf "$mac")
lab_log "marker after ${t}s: $(grep -a "$LAB_MARKER" "$serial" | tr -d '\r')"

ip=$(lab_check_lease "$mac") || lab_fail "router's lease file has no lease for $mac: $(cat "$ROUTER_LEASES")"
lab_log "client $mac holds router lease $ip"
lab_server_log_has "serve\.grub image=lifeboat/grub/$LAPTOP_IP/core\.efi format=x86_64-efi prefix=\(http,$LAPTOP_IP\)/grub" ||
	lab_fail "lifeboat did not build the GRUB x86_64-efi core for $LAPTOP_IP"
# EDK2 gets the BINL shape, then asks on 4011 and gets the GRUB core.
lab_server_log_has "dhcp\.offer mac=$mac .*arch=7.* shape=binl" ||
	lab_fail "lifeboat did not make a BINL-shape offer to arch 7 client $mac"
lab_server_log_has "dhcp\.ack mac=$mac .*file=lifeboat/grub/$LAPTOP_IP/core\.efi" ||
	lab_fail "lifeboat did not answer $mac's 4011 request with the GRUB EFI core"
lab_server_log_has "tftp\.done .*file=lifeboat/grub/$LAPTOP_IP/core\.efi " ||
	lab_fail "no complete TFTP transfer of the GRUB EFI core"
# GRUB itself, over HTTP from lifeboat: its module tree (command.lst), the
# generated config, kernel and initrd.
for p in "/grub/x86_64-efi/command\.lst" "/grub/grub\.cfg" "/lifeboat/kernel/linux" "/lifeboat/initrd/0/"; do
	lab_server_log_has "http\.done client=$ip:[0-9]+( mac=\S+)? method=GET path=$p\S* status=200" ||
		lab_fail "GRUB ($ip) did not fetch $p from lifeboat over HTTP"
done
lab_server_log_has "(dhcp\.(offer|ack)|tftp\.(start|done)|http\.done).*(snponly|boot\.ipxe)" && lab_fail "iPXE was involved although --grub is set"
lab_pass "grub-ovmf kernel boot: power-on to marker ${t}s${ph:+ (}${ph}${ph:+)} (lease $ip from router)"
