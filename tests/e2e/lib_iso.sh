# shellcheck shell=bash
# Helpers of the t_iso_* tests (doc/iso.md): ISOs built in the test with
# xorriso in a distribution's layout, whose kernel is the lab kernel and
# whose initrd is a "fetch" initramfs: it prints the command line it got
# (LBISO cmdline=...), brings the NIC up (modules from the Debian
# installer's initrd, address from the router's DHCP with busybox udhcpc),
# fetches the first fetch=/url=/modloop=/root=live: URL of its command line
# (or what archiso_http_srv= and inst.repo= lead to) with
# busybox wget and prints LBISO-OK when size and SHA-256 are those of the
# blob the test put in the ISO (LBISO-BAD otherwise). Output goes to
# /dev/ttyS0: the menu's command lines have no console=ttyS0.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ISO_MODS="drivers/net/ethernet/intel/e1000/e1000.ko drivers/virtio/virtio.ko
drivers/virtio/virtio_ring.ko drivers/virtio/virtio_pci_legacy_dev.ko
drivers/virtio/virtio_pci_modern_dev.ko drivers/virtio/virtio_pci.ko net/core/failover.ko
drivers/net/net_failover.ko drivers/net/virtio_net.ko"

# iso_fetch_initramfs OUT.gz BLOB: the fetch initramfs expecting BLOB's bytes.
iso_fetch_initramfs() {
	local out=$1 blob=$2 tmp m kver
	tmp=$(mktemp -d "$LAB_DIR/ird.XXXXXX")
	mkdir -p "$tmp"/{bin,dev,proc,sys,tmp,mods}
	cp /bin/busybox "$tmp/bin/busybox"
	ln -s busybox "$tmp/bin/sh"
	(cd "$tmp" && zcat "$DI_DIR/initrd.gz" | cpio -id --quiet 'lib/modules/*' 2>/dev/null) ||
		lab_fail "cannot unpack the installer's modules"
	kver=$(ls "$tmp/lib/modules" | head -1)
	for m in $ISO_MODS; do
		[ -f "$tmp/lib/modules/$kver/kernel/$m" ] && cp "$tmp/lib/modules/$kver/kernel/$m" "$tmp/mods/"
		basename "$m" >> "$tmp/mods/order"
	done
	rm -rf "$tmp/lib"
	echo "$(stat -c %s "$blob") $(sha256sum "$blob" | cut -d' ' -f1)" > "$tmp/expect"
	cat > "$tmp/udhcpc.sh" <<'S'
#!/bin/sh
case "$1" in bound|renew) ifconfig "$interface" "$ip" netmask "${subnet:-255.255.255.0}" up ;; esac
S
	cat > "$tmp/init" <<'S'
#!/bin/sh
export PATH=/bin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
out=/dev/ttyS0
echo "LBISO cmdline=$(cat /proc/cmdline)" > $out
# a second initrd (Arch's microcode image) adds this file
[ -f /lbiso-extra ] && echo "LBISO extra-initrd=$(cat /lbiso-extra)" > $out
for m in $(cat /mods/order); do [ -f /mods/$m ] && insmod /mods/$m 2>/dev/null; done
sleep 1
ifconfig eth0 up
udhcpc -i eth0 -n -q -t 20 -s /udhcpc.sh > $out 2>&1
url=
for w in $(cat /proc/cmdline); do
	case "$w" in
	fetch=*|url=*|modloop=*) [ -z "$url" ] && url=${w#*=} ;;
	root=live:*) [ -z "$url" ] && url=${w#root=live:} ;;
	# what archiso and anaconda fetch first from these
	archiso_http_srv=*) [ -z "$url" ] && url=${w#*=}arch/x86_64/airootfs.sfs ;;
	inst.repo=*) [ -z "$url" ] && url=${w#*=}/images/install.img ;;
	esac
done
if [ -z "$url" ]; then
	echo LBISO-NOURL > $out
	sync
	poweroff -f
fi
wget -q -O /tmp/f "$url" > $out 2>&1
size=$(wc -c < /tmp/f)
sha=$(sha256sum /tmp/f | cut -d' ' -f1)
echo "LBISO-FETCH url=$url size=$size sha256=$sha" > $out
if [ "$size $sha" = "$(cat /expect)" ]; then echo LBISO-OK > $out; else echo LBISO-BAD > $out; fi
sync
poweroff -f
while :; do sleep 60; done
S
	chmod 755 "$tmp/init" "$tmp/udhcpc.sh"
	(cd "$tmp" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 > "$out"
	rm -rf "$tmp"
}

# iso_build LAYOUT OUT.iso: an ISO in LAYOUT (debian-live, alpine,
# ubuntu-casper, fedora-live, arch, redhat-installer, debian-installer) with
# the lab kernel, the fetch initramfs and a 4 MiB random blob as the file
# the command line names; the blob is kept as $LAB_DIR/blob-LAYOUT.
iso_build() {
	local layout=$1 out=$2 t=$LAB_DIR/tree-$1 blob=$LAB_DIR/blob-$1
	lab_require_cmd xorriso cpio
	head -c $((4 << 20)) /dev/urandom > "$blob"
	case $layout in
	debian-live)
		mkdir -p "$t/live"
		cp "$LAB_KERNEL" "$t/live/vmlinuz"
		iso_fetch_initramfs "$t/live/initrd.img" "$blob"
		cp "$blob" "$t/live/filesystem.squashfs"
		;;
	alpine)
		mkdir -p "$t/boot" "$t/apks/x86_64"
		cp "$LAB_KERNEL" "$t/boot/vmlinuz-lts"
		iso_fetch_initramfs "$t/boot/initramfs-lts" "$blob"
		cp "$blob" "$t/boot/modloop-lts"
		;;
	ubuntu-casper)
		# url= is the whole ISO: the test compares the SHA-256 printed
		mkdir -p "$t/casper"
		cp "$LAB_KERNEL" "$t/casper/vmlinuz"
		iso_fetch_initramfs "$t/casper/initrd" "$blob"
		cp "$blob" "$t/casper/filesystem.squashfs"
		;;
	fedora-live)
		mkdir -p "$t/images/pxeboot" "$t/LiveOS"
		cp "$LAB_KERNEL" "$t/images/pxeboot/vmlinuz"
		iso_fetch_initramfs "$t/images/pxeboot/initrd.img" "$blob"
		cp "$blob" "$t/LiveOS/squashfs.img"
		;;
	arch)
		mkdir -p "$t/arch/boot/x86_64" "$t/arch/x86_64"
		cp "$LAB_KERNEL" "$t/arch/boot/x86_64/vmlinuz-linux"
		iso_fetch_initramfs "$t/arch/boot/x86_64/initramfs-linux.img" "$blob"
		# intel-ucode.img, loaded before the initramfs: an uncompressed
		# cpio adding /lbiso-extra (the boot proves both initrds arrived)
		mkdir -p "$LAB_DIR/ucode" && echo intel-ucode > "$LAB_DIR/ucode/lbiso-extra"
		(cd "$LAB_DIR/ucode" && echo lbiso-extra | cpio -o -H newc --quiet) > "$t/arch/boot/intel-ucode.img"
		rm -rf "$LAB_DIR/ucode"
		cp "$blob" "$t/arch/x86_64/airootfs.sfs"
		;;
	redhat-installer)
		mkdir -p "$t/images/pxeboot"
		cp "$LAB_KERNEL" "$t/images/pxeboot/vmlinuz"
		iso_fetch_initramfs "$t/images/pxeboot/initrd.img" "$blob"
		cp "$blob" "$t/images/install.img"
		;;
	debian-installer)
		# no URL on its command line: the boot itself is the check
		mkdir -p "$t/install.amd"
		cp "$LAB_KERNEL" "$t/install.amd/vmlinuz"
		iso_fetch_initramfs "$t/install.amd/initrd.gz" "$blob"
		;;
	*) lab_fail "iso_build: unknown layout $layout" ;;
	esac
	xorriso -as mkisofs -R -J -V "LB_$layout" -o "$out" "$t" 2>/dev/null || lab_fail "xorriso"
	chmod 644 "$out"
	rm -rf "$t"
}

# iso_serve ARGS...: lifeboat in boot menu mode (no ROOT, kernel or boot file).
# --iso-cmdline no_timer_check as the lab's kernel-mode command line has it:
# under TCG on a loaded host the kernel's IO-APIC timer check fails now and
# then, and on OVMF it panics before any console shows it (seen here with
# six OVMF clients at once: the client stops after "EFI stub: Loaded initrd").
iso_serve() {
	[ -x "$LB_BIN" ] || lab_fail "no lifeboat binary at $LB_BIN (run make)"
	lab_run_laptop "$LB_BIN" serve $LB_SERVE_ARGS -i $LAPTOP_IF --ipxe-dir /usr/lib/ipxe \
		--no-auto-entries --iso-cmdline no_timer_check "$@"
	lab_laptop_ready 10
}

# iso_keys NAME KEY...: QEMU monitor sendkey, half a second apart.
iso_keys() {
	local mon=$LAB_DIR/$1.monitor
	shift
	python3 - "$mon" "$@" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
for k in sys.argv[2:]:
    s.sendall(("sendkey %s\n" % k).encode())
    time.sleep(0.5)
time.sleep(0.5)
s.close()
PY
}

# iso_efi_disk OUT MARKER: a raw disk (MBR, one EFI system partition at
# 1 MiB, FAT16) whose EFI/BOOT/BOOTX64.EFI is a standalone GRUB printing
# MARKER on COM1.
iso_efi_disk() {
	local disk=$1 cfg=$LAB_DIR/disk-grub.cfg
	printf 'serial --unit=0 --speed=115200\nterminal_output serial console\necho %s\nsleep 600\n' "$2" > "$cfg"
	grub-mkstandalone -O x86_64-efi -o "$LAB_DIR/BOOTX64.EFI" --modules="serial echo sleep terminal" \
		"boot/grub/grub.cfg=$cfg" 2>/dev/null || lab_fail "grub-mkstandalone"
	truncate -s 40M "$disk"
	python3 - "$disk" <<'PY' || lab_fail "partition table"
import struct, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(446)
    f.write(struct.pack("<B3sB3sII", 0, b"\xff\xff\xff", 0xEF, b"\xff\xff\xff", 2048, 65536))
    f.seek(510)
    f.write(b"\x55\xaa")
PY
	mkfs.vfat -F 16 --offset 2048 "$disk" 32768 >/dev/null || lab_fail "mkfs.vfat"
	mmd -i "$disk@@1M" ::/EFI ::/EFI/BOOT &&
		mcopy -i "$disk@@1M" "$LAB_DIR/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI || lab_fail "mtools"
}
