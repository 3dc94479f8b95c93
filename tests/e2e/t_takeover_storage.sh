#!/usr/bin/env bash
# Layered storage in a container: the container's root is ext4 on an LVM
# logical volume in a volume group on a LUKS1 mapping over a loop device
# (made here with cryptsetup and lvm; a second LV shares the VG). Proves that
#  - with the root released, the LV is still active for --run (e2fsck -fn on
#    it from the host is clean while --run waits);
#  - then lifeboat tears the stack down in order with the kernel's ioctls:
#    both LVs removed, the crypt mapping closed (gone from the host's dm
#    table), the loop device kept and why (its backing file is outside the
#    container's view);
#  - `lifeboat return` rebuilds LVs and mapping from the saved tables (same
#    device numbers, the same table with the same key) and busybox init
#    comes back from the LV.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib_container.sh
ct_setup storage cryptsetup lvm dmsetup
ct_rootfs
export DM_DISABLE_UDEV=1 LVM_SUPPRESS_FD_WARNINGS=1
LVMCONF='activation { udev_sync=0 udev_rules=0 monitoring=0 } devices { obtain_device_list_from_udev=0 }'
tag=lbst$$
VG=${tag}vg CRYPT=${tag}crypt
st_cleanup() {
	lvm vgchange --config "$LVMCONF" -an $VG >/dev/null 2>&1
	cryptsetup close $CRYPT 2>/dev/null
	dmsetup remove ${VG}-root ${VG}-spare $CRYPT 2>/dev/null
}
trap 'st_cleanup; ct_cleanup' EXIT

t0=$(date +%s.%N)
truncate -s 96M $W/disk.img
LOOP=$(losetup -f --show $W/disk.img) || fail "losetup"
head -c 64 /dev/urandom >$W/key
cryptsetup luksFormat -q --type luks1 --iter-time 10 --key-file $W/key $LOOP || fail "luksFormat"
cryptsetup open --key-file $W/key $LOOP $CRYPT || fail "luksOpen"
lvm pvcreate --config "$LVMCONF" -q /dev/mapper/$CRYPT >/dev/null || fail "pvcreate"
lvm vgcreate --config "$LVMCONF" -q $VG /dev/mapper/$CRYPT >/dev/null || fail "vgcreate"
lvm lvcreate --config "$LVMCONF" -q -n root -L 48M $VG >/dev/null || fail "lvcreate root"
lvm lvcreate --config "$LVMCONF" -q -n spare -L 8M $VG >/dev/null || fail "lvcreate spare"
ROOTLV=/dev/mapper/${VG}-root
mkfs.ext4 -q -F -d $R $ROOTLV || fail "mkfs"
dmsetup table --showkeys $CRYPT >$W/crypt.before
dmsetup table ${VG}-root >$W/root.before
devno_before=$(stat -L -c %t:%T $ROOTLV)
echo "stack built in $(echo "$(date +%s.%N) - $t0" | bc) s: $LOOP -> $CRYPT -> $VG/{root,spare}"

CT_ROOTDEV=$ROOTLV ct_boot

inside /sbin/lifeboat takeover --yes --grace 1 \
	--run 'echo RUN-WAITING; while [ ! -e /go-on ]; do sleep 0.1; done' \
	--then shell >$W/takeover.out 2>&1
wait_for RUN-WAITING 2 30 || { cat $W/takeover.out; fail "--run did not start"; }
grep -q "LIFEBOAT-ROOT-RELEASED" $CON || fail "root not released"
# Released but still active: the LV can be checked now.
e2fsck -fn $ROOTLV >$W/fsck.out 2>&1 || { cat $W/fsck.out; fail "e2fsck on the released LV"; }
echo "e2fsck -fn $ROOTLV clean while --run runs"
touch /proc/$CTPID/root/go-on
wait_for LIFEBOAT-STORAGE-DOWN 1 30 || { cat $W/takeover.out; fail "no LIFEBOAT-STORAGE-DOWN"; }
grep LIFEBOAT-STORAGE $CON
grep -q "LIFEBOAT-STORAGE-CLOSED dev=dm-[0-9]* kind=lvm name=${VG}-root action=deactivate" $CON ||
	fail "root LV not deactivated"
grep -q "LIFEBOAT-STORAGE-CLOSED dev=dm-[0-9]* kind=lvm name=${VG}-spare action=deactivate" $CON ||
	fail "sibling LV not deactivated"
grep -q "LIFEBOAT-STORAGE-CLOSED dev=dm-[0-9]* kind=crypt name=$CRYPT action=close" $CON ||
	fail "crypt mapping not closed"
grep -q "LIFEBOAT-STORAGE-KEPT dev=$(basename $LOOP) kind=loop reason=\"backing file" $CON ||
	fail "loop device not reported as kept"
grep -q "LIFEBOAT-STORAGE-DOWN closed=3 busy=0 kept=1" $CON || fail "wrong summary"
# Order: both LVs before the mapping.
order=$(grep -o "LIFEBOAT-STORAGE-CLOSED dev=dm-[0-9]* kind=[a-z]*" $CON | awk '{print $3}' | tr '\n' ' ')
[ "$order" = "kind=lvm kind=lvm kind=crypt " ] || fail "teardown order: $order"
# The host's view: the mappings are gone, the key with them.
for m in $CRYPT ${VG}-root ${VG}-spare; do
	dmsetup info $m >/dev/null 2>&1 && fail "$m still exists on the host"
done
key=$(awk '{print $5}' $W/crypt.before)
[ ${#key} -ge 32 ] || fail "no hex key in the crypt table: $(cat $W/crypt.before)"
grep -qi "$key" $CON && fail "the key shows on the console"
echo "stack closed: $(dmsetup ls 2>/dev/null | grep -c $tag) mappings of $tag left"

inside /lifeboat/lifeboat return >$W/return.out 2>&1
wait_for CT-BOOTED 2 30 || { cat $W/return.out; fail "original init did not come back"; }
grep -q "LIFEBOAT-STORAGE-UP rebuilt=3 failed=0" $CON || fail "stack not rebuilt"
grep -q LIFEBOAT-RETURNED $CON || fail "no LIFEBOAT-RETURNED"
[ -e /proc/$CTPID/root/etc/keep-me ] || fail "old root files not back"
cmp -s $W/crypt.before <(dmsetup table --showkeys $CRYPT) || fail "crypt table differs after rebuild"
cmp -s $W/root.before <(dmsetup table ${VG}-root) || fail "root LV table differs after rebuild"
[ "$(stat -L -c %t:%T $ROOTLV 2>/dev/null || echo gone)" = "$devno_before" ] ||
	[ "$(dmsetup info -c --noheadings -o major,minor ${VG}-root | tr -d ' ' |
		awk -F: '{printf "%x:%x", $1, $2}')" = "$devno_before" ] || fail "root LV has another device number"
dmsetup info ${VG}-spare >/dev/null 2>&1 || fail "spare LV not rebuilt"
echo "returned: busybox init on the rebuilt LV (same tables, same device number)"
t1=$(date +%s.%N)
echo "RESULT: PASS ($(echo "$t1 - $t0" | bc) s)"
