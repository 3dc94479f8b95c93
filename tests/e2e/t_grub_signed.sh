#!/usr/bin/env bash
# The Secure Boot chain with Secure Boot ON: OVMF with Microsoft's keys
# enrolled (OVMF_CODE_4M.ms.fd, SMM) loads Debian's signed shim from
# lifeboat, shim checks and starts the signed grubnetx64 (served next to it
# as grubx64.efi), and that GRUB loads lifeboat's generated grub.cfg and the
# Debian-signed kernel (checked by shim) from lifeboat over TFTP.
# `lifeboat serve --grub-signed --no-dhcp`: the signed GRUB takes its server
# from the cached DHCPACK and cannot be changed (a modified image loses its
# signature), so this works only when the LAN's DHCP server names lifeboat
# as next-server (here: the router's dnsmasq --dhcp-boot). In proxy mode it
# asks the router for /grub/... (checked in doc/grub.md, not here).
. "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio
CODE=/usr/share/OVMF/OVMF_CODE_4M.ms.fd VARS=/usr/share/OVMF/OVMF_VARS_4M.ms.fd
lab_require_file "$LAB_KERNEL" "$CODE" "$VARS" /usr/lib/shim/shimx64.efi.signed \
	/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed
[ "$LB_SERVER" = lifeboat ] || lab_skip "--grub-signed is lifeboat's own (LB_SERVER=$LB_SERVER)"

LAB_ROUTER_OPTS=(--dhcp-boot=lifeboat/grub/shimx64.efi,,$LAPTOP_IP)
lab_up
lab_initramfs
token=lbe$$x$RANDOM
lab_run_laptop "$LB_BIN" serve $LB_SERVE_ARGS -i $LAPTOP_IF --no-dhcp --grub-signed \
	--kernel "$LAB_KERNEL" --initrd "$LAB_INITRD" --cmdline "$LAB_CMDLINE lbe_token=$token"
lab_wait_udp "$NS_LAPTOP" 69 20 || lab_fail "lifeboat does not listen on udp/69: $(tail -5 "$LAPTOP_LOG")"
mac=$(lab_mac 6)
serial=$LAB_DIR/grub-signed.log
lab_add_tap grubsb
cp "$VARS" "$LAB_DIR/grubsb.vars.fd"
_qemu_start grubsb "$serial" -machine q35,smm=on -global driver=cfi.pflash01,property=secure,value=on \
	-drive "if=pflash,format=raw,unit=0,readonly=on,file=$CODE" \
	-drive "if=pflash,format=raw,unit=1,file=$LAB_DIR/grubsb.vars.fd" \
	-device "virtio-net-pci,netdev=n0,mac=$mac,romfile="
wait_for_marker "$serial" "$LAB_MARKER .*lbe_token=$token" "${LB_E2E_BOOT_TIMEOUT:-300}" grubsb ||
	lab_fail "OVMF (Secure Boot) did not boot through shim + signed GRUB: $LAB_WAIT_WHY"
t=$(timing grubsb)
lab_log "marker after ${t}s: $(grep -a "$LAB_MARKER" "$serial" | tr -d '\r')"
grep -aq 'Secure boot enabled' "$serial" ||
	lab_fail "the kernel does not report Secure Boot enabled: the chain was not verified"
for f in "lifeboat/grub/shimx64\.efi" "(lifeboat/grub/)?grubx64\.efi" "grub/grub\.cfg" "lifeboat/kernel/linux" "lifeboat/initrd/0/"; do
	lab_server_log_has "tftp\.done .*file=/?$f\S* " ||
		lab_fail "no complete TFTP transfer of $f from lifeboat"
done
lab_pass "grub-signed Secure Boot chain (shim -> signed grubnetx64 -> signed kernel): power-on to marker ${t}s"
