#!/usr/bin/env bash
# The Pi-as-server case: the static arm64 build of lifeboat (make
# ARCH=arm64: build/arm64/lifeboat) runs `serve` in kernel mode under
# qemu-user (qemu-aarch64-static) in the laptop namespace, and a SeaBIOS
# client with QEMU's e1000 iPXE ROM boots a kernel + marker initramfs
# through it, next to the router's ordinary DHCP server. Proof: the marker
# and our command line on the client's serial console, the offer and the
# HTTP transfers in the arm64 server's log, and that the process serving
# is qemu-user running an AArch64 ELF.
#   LB_BIN_ARM64=PATH  the arm64 binary (default build/arm64/lifeboat,
#                      built here with `make ARCH=arm64` when missing)
. "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 qemu-aarch64-static ip dnsmasq cpio readelf
lab_require_file "$LAB_KERNEL" /usr/lib/ipxe/undionly.kpxe
[ "$LB_SERVER" = lifeboat ] || lab_skip "only lifeboat is tested here (LB_SERVER=$LB_SERVER)"
bin=${LB_BIN_ARM64:-$LAB_REPO/build/arm64/lifeboat}
if [ ! -x "$bin" ] && [ -z "${LB_BIN_ARM64:-}" ]; then
	command -v aarch64-linux-gnu-gcc >/dev/null ||
		lab_skip "no arm64 cross compiler (gcc-aarch64-linux-gnu; run tests/install-deps)"
	make -s -C "$LAB_REPO" ARCH=arm64 >/dev/null || lab_fail "make ARCH=arm64 failed"
fi
[ -x "$bin" ] || lab_fail "no arm64 lifeboat at $bin"
readelf -h "$bin" | grep -q 'Machine:.*AArch64' || lab_fail "$bin is not an AArch64 binary"
readelf -l "$bin" | grep -q INTERP && lab_fail "$bin is not static (has an ELF interpreter)"

lab_up
lab_initramfs
token=lbe$$x$RANDOM
lab_run_laptop qemu-aarch64-static "$bin" serve $LB_SERVE_ARGS -i $LAPTOP_IF \
	--kernel "$LAB_KERNEL" --initrd "$LAB_INITRD" --cmdline "$LAB_CMDLINE lbe_token=$token" \
	--ipxe-dir /usr/lib/ipxe
# emulated start-up is slower than native: give it 30 s to listen
lab_laptop_ready 30
exe=$(readlink "/proc/$(lab_pid laptop)/exe")
case $exe in *qemu-aarch64*) ;; *) lab_fail "the laptop's server runs $exe, not qemu-aarch64" ;; esac
lab_log "server: $exe $bin (pid $(lab_pid laptop))"
lab_server_log_has "serve\.ready mode=kernel " || lab_fail "no serve.ready line from the arm64 server"

mac=$(lab_mac 1)
serial=$LAB_DIR/bios.log
qemu_bios_ipxe bios "$mac" "$serial"
wait_for_marker "$serial" "$LAB_MARKER .*lbe_token=$token" "${LB_E2E_BOOT_TIMEOUT:-240}" bios ||
	lab_fail "BIOS iPXE client did not boot through the arm64 server: $LAB_WAIT_WHY"
t=$(timing bios)
ph=$(phases bios "$mac")
lab_log "marker after ${t}s: $(grep -a "$LAB_MARKER" "$serial" | tr -d '\r')"
ip=$(lab_check_lease "$mac") || lab_fail "router's lease file has no lease for $mac: $(cat "$ROUTER_LEASES")"
lab_server_log_has "dhcp\.offer mac=$mac .*fw=ipxe .*file=http://$LAPTOP_IP/" ||
	lab_fail "the arm64 server did not offer the iPXE ROM client $mac an HTTP script"
lab_server_log_has "http\.done .*mac=$mac .*path=\S*/linux status=200" ||
	lab_fail "the arm64 server's log shows no HTTP fetch of the kernel by $mac"
lab_server_log_has "http\.done .*mac=$mac .*path=\S*/initrd\S* status=200" ||
	lab_fail "the arm64 server's log shows no HTTP fetch of the initrd by $mac"
lab_alive laptop || lab_fail "the arm64 server died during the boot"
lab_pass "x86 BIOS iPXE client booted through the arm64 lifeboat (qemu-user): power-on to marker ${t}s${ph:+ (}${ph}${ph:+)} (lease $ip from router)"
