#!/usr/bin/env bash
# Re-image in place: takeover --image over HTTP from `lifeboat serve`
# writes a whole-disk image over the VM's OWN root disk, reboots, and the
# machine then boots the written system through its firmware.
#
# The image (built here without root or loop devices): an MBR partition
# table (sfdisk on a file, syslinux's mbr.bin), one FAT16 partition at 1 MiB
# with SYSLINUX installed through mtools (`syslinux --offset`), the lab
# kernel and a marker initramfs (tests/e2e/mkinitramfs) that prints
# REIMAGE-BOOTED-<id> with its command line and powers off.
#
# `lifeboat serve DIR --no-dhcp` runs in a private network namespace on a
# veth end (192.0.2.1); QEMU runs in the same namespace with user networking
# (guest in 198.51.100.0/24), so the guest reaches 192.0.2.1:80. Boot 1 (the
# cached busybox-init VM, booted with -kernel) takes over with
#   --image http://192.0.2.1/new.img.gz --target /dev/vda --sha256 SUM --then reboot
# and QEMU's -no-reboot ends it on the reboot. The host compares the disk's
# first bytes with the image, then boot 2 starts QEMU on the same disk
# WITHOUT -kernel: SeaBIOS -> mbr.bin -> SYSLINUX -> kernel -> marker.
#
# LB_IMG_THEN=kexec (not run by the suite: one more TCG boot's worth of
# time) takes `--then kexec --kernel /linux --initrd /initrd.gz` instead:
# the kernel is read from the written disk's first partition (after the
# partition table was re-read), the marker shows the kexec command line,
# and boot 2 is the same firmware boot.
. "$(dirname "$0")/vm/lib.sh"
vm_setup t_takeover_image_vm
NS=lbimgvm-$$
SRV=
img_vm_cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	ip netns del $NS 2>/dev/null
	vm_cleanup
}
trap img_vm_cleanup EXIT
THEN=${LB_IMG_THEN:-reboot}
case $THEN in reboot | kexec) ;; *) echo "RESULT: FAIL t_takeover_image_vm: LB_IMG_THEN=$THEN"; exit 1 ;; esac
kernel=/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64/linux
mbr=/usr/lib/syslinux/mbr/mbr.bin
[ -f "$kernel" ] || vm_skip "no lab kernel $kernel (debian-installer-12-netboot-amd64)"
[ -f "$mbr" ] || vm_skip "no $mbr (syslinux-common)"
for t in syslinux mcopy mkfs.vfat sfdisk; do
	command -v "$t" >/dev/null || PATH=$PATH:/usr/sbin:/sbin command -v "$t" >/dev/null ||
		vm_skip "$t not installed (syslinux, mtools, dosfstools, fdisk)"
done
PATH=$PATH:/usr/sbin:/sbin
id=$$
marker=REIMAGE-BOOTED-$id

# The whole-disk image: 12 MiB, partition 1 from sector 2048 to the end.
img=$VM_TMP/new.img
mkimg() {
	bash "$TOP/tests/e2e/mkinitramfs" "$VM_TMP/initrd.gz" "$marker" >/dev/null &&
		truncate -s 12M "$img" &&
		printf 'label: dos\nstart=2048, type=6, bootable\n' | sfdisk -q "$img" &&
		mkfs.vfat -F 16 -n LBREIMAGE --offset 2048 "$img" $((11 * 1024)) >/dev/null &&
		cat >"$VM_TMP/syslinux.cfg" <<-EOF &&
			SERIAL 0 115200
			DEFAULT marker
			PROMPT 0
			TIMEOUT 0
			LABEL marker
			  KERNEL /linux
			  INITRD /initrd.gz
			  APPEND console=ttyS0 no_timer_check panic=-1 lbreimage=$id
		EOF
		mcopy -i "$img@@1M" "$VM_TMP/syslinux.cfg" "$kernel" "$VM_TMP/initrd.gz" :: &&
		syslinux --offset 1048576 --install "$img" &&
		dd if="$mbr" of="$img" bs=440 count=1 conv=notrunc status=none
}
mkimg || { echo "RESULT: FAIL t_takeover_image_vm: cannot build the disk image"; exit 1; }
mkdir -p "$VM_TMP/www"
gzip -c "$img" >"$VM_TMP/www/new.img.gz"
sum=$(sha256sum "$img" | cut -d' ' -f1)
size=$(stat -c %s "$img")

ip netns add $NS
ip -n $NS link set lo up
ip -n $NS link add d0 type veth peer name d1
ip -n $NS link set d1 up
ip -n $NS addr add 192.0.2.1/24 dev d0
ip -n $NS link set d0 up
ip netns exec $NS "$TOP/lifeboat" serve "$VM_TMP/www" --no-dhcp -i d0 >"$VM_TMP/serve.log" 2>&1 &
SRV=$!
for _ in $(seq 50); do
	ip netns exec $NS python3 -c 'import socket; socket.create_connection(("192.0.2.1", 80), 1)' 2>/dev/null && break
	sleep 0.2
done

then_args="--then reboot"
[ "$THEN" = kexec ] &&
	then_args="--then kexec --kernel /linux --initrd /initrd.gz --cmdline 'console=ttyS0 no_timer_check panic=-1 lbkexec=$id'"
scen=$VM_TMP/scenario.sh
{
	scenario_prologue
	cat <<EOF
modprobe virtio_net
for i in \$(seq 50); do n=\$(ls /sys/class/net | grep -v '^lo\$' | head -1); [ -n "\$n" ] && break; sleep 0.2; done
ip link set "\$n" up
ip addr add 198.51.100.15/24 dev "\$n"
ip route add default via 198.51.100.2
echo "SCENARIO-NET if=\$n"
lifeboat takeover --yes --grace 2 --image http://192.0.2.1/new.img.gz --target /dev/vda --sha256 $sum $then_args
EOF
	scenario_epilogue
} >"$scen"
disk=$VM_TMP/disk.img
end_mark=LIFEBOAT-THEN
[ "$THEN" = kexec ] && end_mark=$marker
LB_VM_TMPDIR=$VM_TMP LB_VM_KEEP_DISK=$disk VM_RUN_WRAP="ip netns exec $NS" \
	LB_VM_NET="-nic user,model=virtio-net-pci,net=198.51.100.0/24,host=198.51.100.2" \
	LB_VM_MARKS="SCENARIO-TAKEOVER LIFEBOAT-ROOT-RELEASED LIFEBOAT-IMAGE-START LIFEBOAT-IMAGE-OK $end_mark" \
	vm_run busybox "$scen" "${LB_VM_TIMEOUT:-480}"
if expect_takeover_start busybox; then
	expect 'LIFEBOAT-IMAGE-START src=http://192.0.2.1/new.img.gz target=/dev/vda' "LIFEBOAT-IMAGE-START"
	expect 'LIFEBOAT-IMAGE-PROGRESS written=12.0MiB .* done' "final progress line"
	# The written MBR's partition table, re-read (BLKRRPART) after the verify.
	expect ' vda: vda1$' "the kernel's re-read of the new partition table (vda: vda1)"
	expect "LIFEBOAT-IMAGE-OK sha256=$sum bytes=$size" "LIFEBOAT-IMAGE-OK with the image's sum"
	expect "LIFEBOAT-THEN action=$THEN" "LIFEBOAT-THEN action=$THEN"
	if [ "$THEN" = reboot ]; then
		expect 'reboot: Restarting system' "the kernel's reboot after LIFEBOAT-THEN"
	else
		expect 'LIFEBOAT-KEXEC kernel=/newroot/linux initrd=/newroot/initrd.gz' "LIFEBOAT-KEXEC from the written partition"
		expect "$marker .*cmdline=console=ttyS0 no_timer_check panic=-1 lbkexec=$id" "the kexec'd marker kernel"
	fi
fi
boot1_end=$VM_END boot1_secs=$VM_SECS
[ "$THEN" = reboot ] && want_end=reboot || want_end=poweroff
[ "$VM_END" = "$want_end" ] || fail "boot 1 ended by '$VM_END', not $want_end"
[ "$(count_of "$marker")" = "$([ "$THEN" = kexec ] && echo 1 || echo 0)" ] ||
	fail "boot 1 shows the marker $(count_of "$marker") times"
grep -q 'new.img.gz' "$VM_TMP/serve.log" || note "serve's log does not name new.img.gz"
w=$(mark_delta LIFEBOAT-IMAGE-START LIFEBOAT-IMAGE-OK)
if [ ! -f "$disk" ]; then
	fail "run-scenario kept no disk"
	vm_finish "boot1=${boot1_end}"
fi
# Byte check of what boot 2 will boot (the disk was written while the
# guest ran from RAM; nothing mounted it since).
[ "$(head -c "$size" "$disk" | sha256sum | cut -d' ' -f1)" = "$sum" ] ||
	fail "the disk's first $size bytes are not the image"

# Boot 2: the firmware boots the written disk (no -kernel).
log2=$VM_TMP/boot2.serial
echo "vm: boot 2: SeaBIOS boots the written disk"
t0=$(date +%s.%N)
timeout -s KILL "${LB_VM_TIMEOUT2:-180}" setpriv --pdeathsig KILL -- \
	qemu-system-x86_64 -name "lbvm-reimage-$$" -accel tcg -cpu qemu64 -m 512 -smp 1 \
	-nodefaults -display none -monitor none -serial "file:$log2" -no-reboot \
	-drive "file=$disk,if=virtio,format=raw" &
VM_RS_PID=$!
wait "$VM_RS_PID"
rc=$?
VM_RS_PID=
boot2_secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
VM_LOG=$TOP/build/e2e/t_takeover_image_vm.boot2.serial.log
tr -d '\r' <"$log2" >"$VM_LOG" 2>/dev/null || : >"$VM_LOG"
[ $rc = 0 ] || fail "boot 2: QEMU exit $rc (137: timeout)"
expect_reset
expect 'SYSLINUX [0-9]' "boot 2: SYSLINUX from the written disk"
expect 'Linux version [0-9]' "boot 2: the written disk's kernel"
expect "$marker uptime=[0-9.]+ cmdline=BOOT_IMAGE=/linux console=ttyS0 no_timer_check panic=-1 lbreimage=$id initrd=/initrd.gz" \
	"boot 2: the written system's marker (command line from its syslinux.cfg)"
expect 'reboot: Power down' "boot 2: power down after the marker"
vm_finish "then=$THEN takeover-to-released=$(mark_delta SCENARIO-TAKEOVER LIFEBOAT-ROOT-RELEASED)s write=${w}s boot1=${boot1_secs}s boot2(firmware)=${boot2_secs}s"
