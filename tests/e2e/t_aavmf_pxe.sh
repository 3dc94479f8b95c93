#!/usr/bin/env bash
# An ARM64 UEFI client (QEMU `virt`, AAVMF = EDK2 for arm64 from Debian's
# qemu-efi-aarch64, its own PXE stack on virtio-net: arch 11) boots from a
# directory lifeboat serves with `--boot arm64=FILE`: lifeboat makes the
# BINL-shape proxy offer, answers the 4011 request with the file, and AAVMF
# loads it over TFTP next to the router's dnsmasq. FILE is the signed GRUB of
# debian-installer-12-netboot-arm64 (grubaa64.efi), which reads
# debian-installer/arm64/grub/grub.cfg and loads an arm64 kernel + marker
# initramfs from lifeboat over TFTP. (Kernel mode cannot be used here:
# Debian has no arm64 iPXE; see README.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_arm64.sh"
lab_require_root
lab_require_cmd qemu-system-aarch64 ip dnsmasq cpio python3 readelf
lab_require_file "$AAVMF_CODE" "$AAVMF_VARS" "$LAB_ARM64_KERNEL" "$DI_ARM64_DIR/initrd.gz" "$DI_ARM64_DIR/grubaa64.efi"
[ -x "$LB_BIN" ] || lab_fail "no lifeboat binary at $LB_BIN (run make)"
[ "$LB_SERVER" = lifeboat ] || lab_skip "only lifeboat is tested here (LB_SERVER=$LB_SERVER)"

# GRUB (below) looks for its config on the router first. A router that runs
# no TFTP server costs ~2.5 min of GRUB time-outs under TCG; this one
# answers TFTP with fast "not found"s from an empty directory, which proves
# the same thing sooner.
lab_init
mkdir -p "$LAB_DIR/router-tftp"
LAB_ROUTER_OPTS=(--enable-tftp --tftp-root="$LAB_DIR/router-tftp")
lab_up
lab_initramfs_arm64
token=lbe$$x$RANDOM
root=$LAB_DIR/root
d=$root/debian-installer/arm64
mkdir -p "$d/grub"
cp "$DI_ARM64_DIR/grubaa64.efi" "$LAB_ARM64_KERNEL" "$d/"
cp "$LAB_INITRD_ARM64" "$d/initrd.gz"
cat > "$d/grub/grub.cfg" <<CFG
set timeout=0
set default=0
menuentry 'lifeboat e2e' {
    linux  /debian-installer/arm64/linux $LAB_ARM64_CMDLINE lbe_token=$token
    initrd /debian-installer/arm64/initrd.gz
}
CFG
chmod -R a+rX "$root"
lab_run_laptop "$LB_BIN" serve "$root" $LB_SERVE_ARGS -i $LAPTOP_IF \
	--boot arm64=debian-installer/arm64/grubaa64.efi
lab_laptop_ready 10
mac=$(lab_mac 6)
serial=$LAB_DIR/aavmf.log
qemu_aavmf_pxe aavmf "$mac" "$serial"
# Debian's signed GRUB takes its server from the DHCP ACK cached by the
# firmware (the router's), not from lifeboat's proxy offer or 4011 ACK: it
# finds no grub.cfg there and stops at its prompt (the GRUB proxy-mode
# problem of issue #3 item 1). Name the server at the prompt, as a user
# would.
lab_console aavmf 'wait:grub> :480' \
	'send:echo lbe-grub server=$net_default_server prefix=$prefix' 'wait:grub> :60' \
	"send:set root=(tftp,$LAPTOP_IP)" 'wait:grub> :60' \
	'send:configfile /debian-installer/arm64/grub/grub.cfg'
# TCG arm64 firmware and kernel: minutes
boot_timeout=${LB_E2E_BOOT_TIMEOUT:-360}
[ "$boot_timeout" -lt 360 ] && boot_timeout=360
wait_for_marker "$serial" "$LAB_MARKER .*lbe_token=$token" "$boot_timeout" aavmf ||
	lab_fail "AAVMF client did not boot: $LAB_WAIT_WHY"
t=$(timing aavmf)
ph=$(phases aavmf "$mac")
lab_log "marker after ${t}s: $(grep -a "$LAB_MARKER" "$serial" | tr -d '\r')"
lab_log "GRUB at its prompt said: $(grep -ao 'lbe-grub server=[^ ]* prefix=[^ ]*' "$serial" | tail -1 | tr -d '\r')"
ip=$(lab_check_lease "$mac") || lab_fail "router's lease file has no lease for $mac: $(cat "$ROUTER_LEASES")"
lab_log "client $mac holds router lease $ip"
lab_server_log_has "dhcp\.offer mac=$mac arch=11\(arm64\) fw=uefi shape=binl file=debian-installer/arm64/grubaa64\.efi " ||
	lab_fail "lifeboat made no BINL offer of grubaa64.efi to arch 11 client $mac"
lab_server_log_has "dhcp\.ack mac=$mac arch=11\(arm64\) .*file=debian-installer/arm64/grubaa64\.efi " ||
	lab_fail "lifeboat did not answer the client's 4011 request"
for f in debian-installer/arm64/grubaa64.efi debian-installer/arm64/grub/grub.cfg debian-installer/arm64/linux debian-installer/arm64/initrd.gz; do
	lab_server_log_has "(tftp|http)\.done .*(file|path)=/?${f//./[.]} " ||
		lab_fail "the server's log shows no complete transfer of $f"
done
lab_pass "aavmf (arm64 UEFI PXE, arch 11) boot via lifeboat --boot arm64: power-on to marker ${t}s${ph:+ (}${ph}${ph:+)} (lease $ip from router)"
