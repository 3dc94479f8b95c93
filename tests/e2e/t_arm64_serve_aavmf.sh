#!/usr/bin/env bash
# An arm64 host serves ARM64 UEFI clients its own way: the static arm64
# lifeboat (build/arm64/lifeboat) runs under qemu-user (uname says aarch64)
# in the laptop namespace with nothing but --kernel/--initrd/--cmdline (an
# arm64 kernel + marker initramfs): no --grub, the default --ipxe-dir, which
# holds no arm64 iPXE (Debian has none). Its default for that host is GRUB:
# it builds an arm64-efi core from grub-efi-arm64-bin with grub-mkimage, and
# an AAVMF client (QEMU virt, EDK2's PXE, arch 11) boots through it to the
# marker: BINL offer, 4011 ACK with the core, GRUB's modules, grub.cfg,
# kernel and initrd over HTTP from lifeboat, next to the router's DHCP. A
# SIGHUP reload before the client powers on must keep all of that.
#   LB_BIN_ARM64=PATH  the arm64 binary (default build/arm64/lifeboat,
#                      built here with `make ARCH=arm64` when missing)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_arm64.sh"
lab_require_root
lab_require_cmd qemu-system-aarch64 qemu-aarch64-static ip dnsmasq cpio python3 readelf grub-mkimage
lab_require_file "$AAVMF_CODE" "$AAVMF_VARS" "$LAB_ARM64_KERNEL" "$DI_ARM64_DIR/initrd.gz" \
	/usr/lib/grub/arm64-efi/moddep.lst
[ "$LB_SERVER" = lifeboat ] || lab_skip "only lifeboat is tested here (LB_SERVER=$LB_SERVER)"
bin=${LB_BIN_ARM64:-$LAB_REPO/build/arm64/lifeboat}
if [ ! -x "$bin" ] && [ -z "${LB_BIN_ARM64:-}" ]; then
	command -v aarch64-linux-gnu-gcc >/dev/null ||
		lab_skip "no arm64 cross compiler (gcc-aarch64-linux-gnu; run tests/install-deps)"
	make -s -C "$LAB_REPO" ARCH=arm64 >/dev/null || lab_fail "make ARCH=arm64 failed"
fi
[ -x "$bin" ] || lab_fail "no arm64 lifeboat at $bin"
readelf -h "$bin" | grep -q 'Machine:.*AArch64' || lab_fail "$bin is not an AArch64 binary"
[ -e /usr/lib/ipxe/arm64-efi/snponly.efi ] &&
	lab_skip "/usr/lib/ipxe/arm64-efi/snponly.efi exists: the arm64 host's default would be iPXE"

lab_up
lab_initramfs_arm64
token=lbe$$x$RANDOM
lab_run_laptop qemu-aarch64-static "$bin" serve $LB_SERVE_ARGS -i $LAPTOP_IF \
	--kernel "$LAB_ARM64_KERNEL" --initrd "$LAB_INITRD_ARM64" \
	--cmdline "$LAB_ARM64_CMDLINE lbe_token=$token"
# emulated start-up plus grub-mkimage: give it a minute to listen
lab_laptop_ready 60
lab_server_log_has "serve\.grub default=arm64-efi host=aarch64 " ||
	lab_fail "the arm64 server did not choose its own GRUB for ARM64 UEFI clients"
lab_server_log_has "serve\.grub image=lifeboat/grub/$LAPTOP_IP/coreaa64\.efi format=arm64-efi prefix=\(http,$LAPTOP_IP\)/grub" ||
	lab_fail "no arm64-efi GRUB core built for $LAPTOP_IP"
# only arm64 gets GRUB by default: no x86 cores, and no warning that arm64
# clients go unanswered
lab_server_log_has "serve\.grub image=\S*/core\.(0|efi) " && lab_fail "the default built x86 GRUB cores too"
lab_server_log_has "file=\S*arm64-efi/snponly\.efi reason=\"missing|serve\.boot family=\"ARM64\" result=none" &&
	lab_fail "the server still warns that ARM64 UEFI clients are not answered"

# a SIGHUP reload recomputes the default and keeps the built core
kill -HUP "$(lab_pid laptop)"
for _ in $(seq 100); do
	lab_server_log_has "serve\.reload result=" && break
	sleep 0.1
done
lab_server_log_has "serve\.reload result=ok mode=kernel" ||
	lab_fail "the SIGHUP reload of the arm64 server did not succeed: $(tail -3 "$LAPTOP_LOG")"
[ "$(grep -c 'serve\.grub default=arm64-efi' "$LAPTOP_LOG")" -ge 2 ] ||
	lab_fail "the reload did not choose the arm64 host's GRUB default again"

mac=$(lab_mac 7)
serial=$LAB_DIR/aavmf.log
qemu_aavmf_pxe aavmf "$mac" "$serial"
lab_console aavmf 'wait:LIFEBOAT-E2E-BOOTED:900'
boot_timeout=${LB_E2E_BOOT_TIMEOUT:-420}
[ "$boot_timeout" -lt 420 ] && boot_timeout=420
wait_for_marker "$serial" "$LAB_MARKER .*lbe_token=$token" "$boot_timeout" aavmf ||
	lab_fail "AAVMF client did not boot through the arm64 server's GRUB: $LAB_WAIT_WHY"
t=$(timing aavmf)
ph=$(phases aavmf "$mac")
lab_log "marker after ${t}s: $(grep -a "$LAB_MARKER" "$serial" | tr -d '\r')"
ip=$(lab_check_lease "$mac") || lab_fail "router's lease file has no lease for $mac: $(cat "$ROUTER_LEASES")"
lab_server_log_has "dhcp\.offer mac=$mac arch=11\(arm64\) fw=uefi shape=binl " ||
	lab_fail "no BINL offer to arch 11 client $mac"
lab_server_log_has "dhcp\.ack mac=$mac arch=11\(arm64\) .*file=lifeboat/grub/$LAPTOP_IP/coreaa64\.efi" ||
	lab_fail "the 4011 ACK to $mac did not name the arm64 GRUB core"
lab_server_log_has "tftp\.done .*file=lifeboat/grub/$LAPTOP_IP/coreaa64\.efi " ||
	lab_fail "no complete TFTP transfer of the arm64 GRUB core"
for p in "/grub/arm64-efi/command\.lst" "/grub/grub\.cfg" "/lifeboat/kernel/linux" "/lifeboat/initrd/0/"; do
	lab_server_log_has "http\.done client=$ip:[0-9]+( mac=\S+)? method=GET path=$p\S* status=200" ||
		lab_fail "GRUB ($ip) did not fetch $p from the arm64 server over HTTP"
done
lab_pass "aavmf (arm64 UEFI, arch 11) booted through the arm64 lifeboat's default GRUB (qemu-user): power-on to marker ${t}s${ph:+ (}${ph}${ph:+)} (lease $ip from router)"
