# shellcheck shell=bash
# ARM64 clients for the e2e lab (source after lib.sh): QEMU's `virt` board
# under TCG with Debian's U-Boot (u-boot-qemu) or AAVMF (qemu-efi-aarch64),
# the arm64 kernel of debian-installer-12-netboot-arm64, and a marker
# initramfs built from that installer's own (arm64, dynamic) busybox: no
# arm64 package needs to be installed on the host.

DI_ARM64_DIR=/usr/lib/debian-installer/images/12/arm64/text/debian-installer/arm64
LAB_ARM64_KERNEL=$DI_ARM64_DIR/linux
UBOOT_QEMU_ARM64=/usr/lib/u-boot/qemu_arm64/u-boot.bin
AAVMF_CODE=/usr/share/AAVMF/AAVMF_CODE.fd
AAVMF_VARS=/usr/share/AAVMF/AAVMF_VARS.fd
# the PL011 UART of `virt`
LAB_ARM64_CMDLINE="console=ttyAMA0"

# lab_initramfs_arm64: the marker initramfs for arm64 (once per run) in
# $LAB_INITRD_ARM64.
lab_initramfs_arm64() {
	LAB_INITRD_ARM64=$LAB_DIR/initrd-arm64.gz
	[ -s "$LAB_INITRD_ARM64" ] && return 0
	local sys=$LAB_DIR/di-arm64
	mkdir -p "$sys"
	(cd "$sys" && zcat "$DI_ARM64_DIR/initrd.gz" | cpio -id --quiet 'bin/busybox' 'lib/*' 2>/dev/null)
	[ -f "$sys/bin/busybox" ] || lab_fail "no bin/busybox in $DI_ARM64_DIR/initrd.gz"
	"$LAB_E2E/mkinitramfs" "$LAB_INITRD_ARM64" "$LAB_MARKER" "$sys" ||
		{ [ $? = 77 ] && lab_skip "mkinitramfs: cpio/readelf missing"; lab_fail "mkinitramfs arm64"; }
}

# _qemu_arm64_start NAME LOG ARGS...: qemu-system-aarch64 -M virt in the lan
# namespace on tap NAME. The serial console is a unix socket
# ($LAB_DIR/NAME.console, QEMU waits for a client before it runs the guest)
# that also logs everything to LOG.
_qemu_arm64_start() {
	local name=$1 log=$2
	shift 2
	lab_require_cmd qemu-system-aarch64
	: > "$log"
	lab_now > "$LAB_DIR/$name.start"
	lab_spawn "qemu-$name" "$NS_LAN" "$LAB_DIR/qemu-$name.stderr" \
		qemu-system-aarch64 -M virt -cpu cortex-a57 -accel tcg -m 1024 -display none \
		-no-reboot -name "$LAB_ID-$name" \
		-chardev "socket,id=con,path=$LAB_DIR/$name.console,server=on,wait=on,logfile=$log" \
		-serial chardev:con \
		-monitor "unix:$LAB_DIR/$name.monitor,server,nowait" \
		-netdev "tap,id=n0,ifname=$name,script=no,downscript=no" "$@"
	lab_log "qemu-system-aarch64 $name started (serial log $log)"
}

# qemu_uboot NAME MAC LOG: U-Boot (u-boot-qemu's qemu_arm64) with a
# virtio-net NIC; drive its console with serial-console on
# $LAB_DIR/NAME.console.
qemu_uboot() {
	lab_add_tap "$1"
	_qemu_arm64_start "$1" "$3" -bios "$UBOOT_QEMU_ARM64" \
		-device "virtio-net-pci,netdev=n0,mac=$2,romfile="
}

# qemu_aavmf_pxe NAME MAC LOG: AAVMF (EDK2 for arm64) with its own PXE stack
# (PXE arch 11) on a virtio-net NIC with no option ROM.
qemu_aavmf_pxe() {
	lab_add_tap "$1"
	cp "$AAVMF_VARS" "$LAB_DIR/$1.vars.fd"
	_qemu_arm64_start "$1" "$3" \
		-drive "if=pflash,format=raw,readonly=on,file=$AAVMF_CODE" \
		-drive "if=pflash,format=raw,file=$LAB_DIR/$1.vars.fd" \
		-device "virtio-net-pci,netdev=n0,mac=$2,romfile="
}

# lab_console NAME STEP...: serial-console on QEMU NAME's console socket in
# the background (pid recorded as console-NAME, output in
# $LAB_DIR/console-NAME.log).
lab_console() {
	local name=$1
	shift
	lab_spawn "console-$name" "$NS_LAN" "$LAB_DIR/console-$name.log" \
		python3 "$LAB_E2E/serial-console" "$LAB_DIR/$name.console" "$@"
}
