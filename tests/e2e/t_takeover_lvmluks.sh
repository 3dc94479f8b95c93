#!/usr/bin/env bash
# A Debian 12 systemd VM whose root is ext4 on LVM on LUKS1, unlocked at
# boot by a keyfile in its initramfs (image: vm/mkimage-lvmluks). One boot:
#   takeover --carry e2fsck,lvm,resize2fs --run 'e2fsck; lvextend +16M;
#   resize2fs; e2fsck -n' --then return
# proves: the root LV is released while still active for --run (the
# carried lvm/resize2fs/e2fsck work on it); then lifeboat deactivates both
# LVs and closes the crypt mapping itself (dm ioctls: no dm device left);
# `return` rebuilds them from the saved tables (the resized one, crypt key
# held in lifeboat's RAM) and systemd boots again from the LV, which is
# 16 MiB bigger.
. "$(dirname "$0")/vm/lib.sh"
# Its image is built inside a builder VM (the host may lack device-mapper):
# ~19 min under TCG, more than the suite's budget allows on a fresh machine.
# So it runs when the image is already cached or LB_E2E_LVMLUKS=1 asks for
# the build; otherwise it is a visible SKIP.
lk_cache=${LB_E2E_CACHE:-$(cd "$(dirname "$0")/../.." && pwd)/build/e2e-cache}
lk_key=$(sha256sum "$(dirname "$0")/vm/mkimage-lvmluks" | cut -c1-12)
if [ "${LB_E2E_LVMLUKS:-0}" != 1 ] && ! ls "$lk_cache"/lvmluks-"$lk_key"* >/dev/null 2>&1; then
	echo "SKIP: t_takeover_lvmluks: LVM-on-LUKS image not cached ($lk_cache/lvmluks-$lk_key); LB_E2E_LVMLUKS=1 builds it (~19 min under TCG)"
	exit 77
fi
vm_setup t_takeover_lvmluks
declare -A im
while IFS='=' read -r k v; do im[$k]=$v; done < <("$VM_DIR/mkimage-lvmluks")
[ -n "${im[image]:-}" ] || { echo "RESULT: FAIL t_takeover_lvmluks: image build failed"; exit 1; }

C='activation { udev_sync=0 udev_rules=0 monitoring=0 } backup { backup=0 archive=0 } devices { obtain_device_list_from_udev=0 }'
mkdir -p "$VM_TMP/x"
cat >"$VM_TMP/x/scenario" <<EOF
#!/bin/sh
echo SCENARIO-START
size() { blockdev --getsize64 /dev/mapper/lbvg-root; }
if [ -e /var/lib/lb-e2e/first-boot-done ]; then
	echo "SCENARIO-AFTER-RETURN pid1=\$(cat /proc/1/comm) root=\$(findmnt -no SOURCE /) size=\$(size) before=\$(cat /var/lib/lb-e2e/size)"
	lb-poweroff
	exit 0
fi
mkdir -p /var/lib/lb-e2e
echo done >/var/lib/lb-e2e/first-boot-done
size >/var/lib/lb-e2e/size
sync
echo "SCENARIO-TAKEOVER root=\$(findmnt -no SOURCE /)"
lifeboat takeover --yes --grace 3 --carry /sbin/e2fsck --carry /sbin/lvm --carry /sbin/resize2fs \\
	--run "e2fsck -f -y /dev/mapper/lbvg-root && DM_DISABLE_UDEV=1 lvm lvextend --config '$C' -L +16M lbvg/root && resize2fs /dev/mapper/lbvg-root && e2fsck -f -n /dev/mapper/lbvg-root" \\
	--then return
st=\$?
echo "SCENARIO-TAKEOVER-EXIT status=\$st"
[ \$st = 0 ] && exec sleep 3600
lb-poweroff
EOF
cp "$TOP/lifeboat" "$VM_TMP/x/lifeboat"
mkfs.ext4 -q -F -d "$VM_TMP/x" "$VM_TMP/inject.img" 16M >/dev/null
# A private sparse copy: the run writes to it (fsck, lvextend, the boot).
cp --reflink=auto --sparse=always "${im[image]}" "$VM_TMP/disk.img"

VM_LOG=$TOP/build/e2e/t_takeover_lvmluks.serial.log
: >"$VM_LOG"
echo "vm: booting the LVM-on-LUKS image (timeout ${LB_VM_TIMEOUT:-600}s)"
start=$(date +%s.%N)
setpriv --pdeathsig KILL -- timeout "${LB_VM_TIMEOUT:-600}" qemu-system-x86_64 \
	-name "lbvm-lvmluks-$$" -accel tcg -cpu qemu64,+rdrand -m 1024 -smp 1 \
	-nodefaults -display none -monitor none -device virtio-rng-pci \
	-serial "file:$VM_LOG" -no-reboot -nic none \
	-kernel "${im[kernel]}" -initrd "${im[initrd]}" \
	-append "${im[append]} panic=-1 no_timer_check" \
	-drive "file=$VM_TMP/disk.img,if=virtio,format=raw" \
	-drive "file=$VM_TMP/inject.img,if=virtio,format=raw,readonly=on" &
VM_RS_PID=$!
wait $VM_RS_PID && VM_END=ended || VM_END=timeout
VM_RS_PID=
VM_SECS=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
tr -d '\r' <"$VM_LOG" >"$VM_LOG.tmp" && mv "$VM_LOG.tmp" "$VM_LOG"
grep -aq 'reboot: Power down' "$VM_LOG" && VM_END=poweroff

expect 'SCENARIO-TAKEOVER root=/dev/mapper/lbvg-root' "first boot from the LV (unlocked by the initramfs keyfile)"
expect 'LIFEBOAT-PID1 pid=1 init=systemd' "LIFEBOAT-PID1 init=systemd"
expect 'LIFEBOAT-ROOT-RELEASED' "LIFEBOAT-ROOT-RELEASED"
expect 'Pass 5: Checking group summary information' "e2fsck on the released LV"
expect 'Size of logical volume lbvg/root changed' "lvextend by the carried lvm"
expect 'The filesystem on /dev/mapper/lbvg-root is now' "resize2fs by the carried resize2fs"
expect 'LIFEBOAT-RUN-EXIT status=0( |$)' "LIFEBOAT-RUN-EXIT status=0 (e2fsck -n clean after the resize)"
expect_reset
expect 'LIFEBOAT-STORAGE-CLOSED dev=dm-[0-9]+ kind=lvm name=lbvg-root action=deactivate' "root LV deactivated"
expect 'LIFEBOAT-STORAGE-CLOSED dev=dm-[0-9]+ kind=lvm name=lbvg-spare action=deactivate' "spare LV deactivated"
expect 'LIFEBOAT-STORAGE-CLOSED dev=dm-[0-9]+ kind=crypt name=lbcrypt action=close' "crypt mapping closed"
expect 'LIFEBOAT-STORAGE-DOWN closed=3 busy=0 kept=0 dm_left=0' "nothing busy, no dm device left"
expect 'LIFEBOAT-THEN action=return' "LIFEBOAT-THEN action=return"
expect 'LIFEBOAT-STORAGE-UP rebuilt=3 failed=0' "stack rebuilt"
expect 'LIFEBOAT-RETURNED' "LIFEBOAT-RETURNED"
expect 'SCENARIO-AFTER-RETURN pid1=systemd root=/dev/mapper/lbvg-root' "systemd back on the rebuilt LV"
after=$(grep -aoE 'SCENARIO-AFTER-RETURN .*size=[0-9]+ before=[0-9]+' "$VM_LOG" | head -1)
sz=${after##*size=} sz=${sz%% *} before=${after##*before=}
[ -n "$after" ] && [ "$sz" = $((before + 16777216)) ] ||
	fail "root LV size after return: '$sz', want before+16 MiB ($before)"
[ "$(count_of 'Linux version [0-9]')" = 1 ] || fail "kernel booted $(count_of 'Linux version [0-9]') times"
[ "$VM_END" = poweroff ] || fail "VM ended by '$VM_END', not poweroff"
t_rel=$(grep -aoE 'LIFEBOAT-ROOT-RELEASED secs=[0-9]+' "$VM_LOG" | head -1)
vm_finish "LVM on LUKS: ${t_rel#LIFEBOAT-ROOT-RELEASED }, closed 3, rebuilt 3, LV +16 MiB after return, vm=${VM_SECS}s"
