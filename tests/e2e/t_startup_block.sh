#!/usr/bin/env bash
# The start-up block of `lifeboat serve` (issue 12, section 2), no client
# needed: for a ROOT holding only a BIOS boot file, exactly one line per
# family that boots (file and boot-plan row) and one info line for all the
# rest, no warning; in kernel mode with an amd64 kernel no ARM64 warning
# (Debian ships no arm64 iPXE: one info line), with an arm64 kernel a
# warning that names the missing arm64 iPXE image.
. "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_cmd ip dnsmasq
DI_ARM64=/usr/lib/debian-installer/images/12/arm64/text/debian-installer/arm64
lab_require_file "$LAB_KERNEL" /usr/lib/ipxe/undionly.kpxe /usr/lib/ipxe/snponly.efi
[ "$LB_SERVER" = lifeboat ] || lab_skip "the start-up block is lifeboat's own (LB_SERVER=$LB_SERVER)"
[ -x "$LB_BIN" ] || lab_fail "no lifeboat binary at $LB_BIN (run make)"

lab_up
root=$LAB_DIR/root
mkdir -p "$root"
echo "not really pxelinux" > "$root/pxelinux.0"
chmod -R a+rX "$root"

# block ARGS...: starts lifeboat serve ARGS (no -v: the block without debug
# lines), waits for serve.ready, stops it; the serve.auto/serve.boot lines
# without timestamp and level into $LAB_DIR/block, warnings into .../warns.
block() {
	lab_run_laptop "$LB_BIN" serve -i $LAPTOP_IF --status-socket "$LAB_DIR/status.sock" "$@"
	for _ in $(seq 100); do
		grep -q 'serve\.ready' "$LAPTOP_LOG" && break
		lab_alive laptop || lab_fail "serve exited: $(tail -5 "$LAPTOP_LOG")"
		sleep 0.1
	done
	grep -q 'serve\.ready' "$LAPTOP_LOG" || lab_fail "no serve.ready: $(tail -5 "$LAPTOP_LOG")"
	lab_stop laptop
	sed -nE 's/^[^ ]+ (info|warn|error) +(serve\.(auto|boot) .*)$/\2/p' "$LAPTOP_LOG" > "$LAB_DIR/block"
	# (a sanitizer build runs without its seccomp filter and says so)
	grep -E '^[^ ]+ (warn|error) ' "$LAPTOP_LOG" | grep -v 'serve\.sandbox result=partial' > "$LAB_DIR/warns"
}
# same NAME: the block equals the expected lines on stdin
same() {
	if ! diff -u - "$LAB_DIR/block" > "$LAB_DIR/diff"; then
		cat "$LAB_DIR/diff"
		lab_fail "$1: the start-up block differs (- expected, + got)"
	fi
	lab_log "$1: block as expected ($(wc -l < "$LAB_DIR/block") lines)"
}

# 1. ROOT with only a BIOS file
block "$root"
same "ROOT with pxelinux.0 only" <<EXP
serve.auto boot=bios=pxelinux.0 reason="found in ROOT"
serve.boot family="BIOS" file="pxelinux.0" via=arch-file
serve.boot family="iPXE" file="pxelinux.0" via=arch-file
serve.boot families="UEFI x64, UEFI HTTP, ARM64, Raspberry Pi, U-Boot" result=none reason="not asked for: no --boot, --host, --menu, --grub or --kernel for them"
EXP
[ -s "$LAB_DIR/warns" ] && lab_fail "warnings for a BIOS-only ROOT: $(cat "$LAB_DIR/warns")"

# 2. kernel mode, amd64 kernel, Debian's ipxe (no arm64 image): no warning
block --kernel "$LAB_KERNEL"
same "amd64 kernel" <<EXP
serve.boot family="BIOS" file="lifeboat/ipxe/undionly.kpxe" via=kernel
serve.boot family="UEFI x64" file="lifeboat/ipxe/snponly.efi" via=kernel
serve.boot family="UEFI HTTP" file="http://$LAPTOP_IP/lifeboat/ipxe/snponly.efi" via=kernel
serve.boot family="iPXE" file="http://$LAPTOP_IP/lifeboat/boot.ipxe" via=ipxe-script
serve.boot families="ARM64, Raspberry Pi, U-Boot" result=none reason="not asked for: no --boot, --host, --menu, --grub or --kernel for them"
EXP
[ -s "$LAB_DIR/warns" ] && lab_fail "warnings for an amd64 kernel: $(cat "$LAB_DIR/warns")"
grep -q 'serve\.kernel .*format="an x86 bzImage kernel (boot protocol 2\.[0-9]*, EFI stub)" arch=x86' "$LAPTOP_LOG" ||
	lab_fail "no serve.kernel line naming the bzImage"

# 3. kernel mode, arm64 kernel: ARM64 was asked for and its image is missing
arm64=skipped
if [ -e "$DI_ARM64/linux" ] && [ ! -e /usr/lib/ipxe/arm64-efi/snponly.efi ]; then
	block --kernel "$DI_ARM64/linux" --http-port 8080
	same "arm64 kernel" <<EXP
serve.boot family="ARM64" result=none reason="kernel mode: no iPXE image for this architecture in --ipxe-dir" missing=/usr/lib/ipxe/arm64-efi/snponly.efi note="no Debian package ships it: build it from iPXE's sources (bin-arm64-efi/snponly.efi) or give --boot ARCH=FILE"
serve.boot family="iPXE" file="http://$LAPTOP_IP:8080/lifeboat/boot.ipxe" via=ipxe-script
serve.boot family="U-Boot" file=- via=kernel note="kernel mode: U-Boot runs pxe get"
serve.boot families="BIOS, UEFI x64, UEFI HTTP, Raspberry Pi" result=none reason="not asked for: no --boot, --host, --menu, --grub or --kernel for them"
EXP
	[ "$(wc -l < "$LAB_DIR/warns")" = 1 ] || lab_fail "want exactly the ARM64 warning: $(cat "$LAB_DIR/warns")"
	arm64=checked
fi
lab_pass "start-up block: BIOS-only ROOT (2 families + 1 info line, no warning), amd64 kernel (no ARM64 warning), arm64 kernel ($arm64: the missing image named)"
