#!/usr/bin/env bash
# Layered storage under a container's root: MD RAID1 stop/re-assembly,
# loop detach/re-attach and LVM-on-LUKS1 deactivate/close/rebuild, in ONE
# boot of the cached busybox VM (tests/e2e/vm). Debian's mdadm (apt-get
# download on the host, only the binary; libudev1 is in the image) and a
# static busybox are injected. Two extra 32 MiB disks (vdb, vdc; a third,
# vdd, is for E) become /dev/md0 (RAID1, metadata 1.0: the filesystem
# starts at sector 0 of each member). A PID + mount namespace "container" whose root
# is ext4 on the device runs busybox init; its /dev is a devtmpfs, the
# console the VM's serial console. Then, in the VM:
#  A. md0 also mounted outside the container: takeover --then return ->
#     LIFEBOAT-STORAGE-BUSY dev=md0 kind=md with the reason, nothing torn
#     down, the container's init comes back, md0 still active;
#  B. no outside mount: takeover --then shell -> LIFEBOAT-STORAGE-CLOSED
#     dev=md0 kind=md; the VM sees the array stopped (not in /proc/mdstat,
#     no holders on vdb) and e2fsck -f -n /dev/vdb is clean; `lifeboat
#     return` -> LIFEBOAT-STORAGE-UP rebuilt=1 failed=0, md0 active again on
#     both members (STOP_ARRAY, new_array + SET_ARRAY_INFO + ADD_NEW_DISK +
#     RUN_ARRAY), the container's init back on /dev/md0; B2: the same
#     with --then return (stop and re-assembly back to back);
#  C. a second container whose root is ext4 on /dev/loopN, its backing file
#     in the devtmpfs (so reachable from the RAM system, whose /dev is the
#     container's /dev moved over): takeover --then shell ->
#     LIFEBOAT-STORAGE-CLOSED dev=loopN kind=loop, the VM sees the loop
#     device detached and e2fsck -f -n of the image clean; `lifeboat return`
#     -> STORAGE-UP rebuilt=1 (LOOP_CONFIGURE from the backing file kept
#     open), the container's init back on the re-attached loop device;
#  D. two layers: md1 (metadata 1.2) on two loop devices, --then return ->
#     md1 stopped, then both loops detached; loops re-attached, then md1
#     re-assembled (STORAGE-UP rebuilt=3), the init back on md1; the
#     loop device of C, mounted in the VM only, stays attached without
#     autoclear (PID 1's detach of unused loop devices spares it);
#  E. LVM on LUKS1 with the real tools' on-disk formats: Debian's
#     cryptsetup and lvm (cryptsetup-bin, lvm2 and the shared libraries the
#     image lacks, injected as a tarball, run with LD_LIBRARY_PATH) only
#     CREATE the stack on a third extra disk (vdd): LUKS1 (key file, so the
#     key is in the dm table) -> PV -> VG lbvg -> LVs root (ext4, a
#     container's root) and spare (a random pattern). takeover --then
#     shell -> both LVs deactivated, then the crypt mapping closed,
#     dm_left=0, and the VM sees no dm device at all (the key is gone from
#     the kernel); `lifeboat return` -> STORAGE-UP rebuilt=3 failed=0 (crypt
#     opened again from the key in lifeboat's RAM, then both LVs), same
#     device numbers, the init back on the LV; lvm and cryptsetup see both
#     LVs active and the mapping LUKS1; the spare's pattern reads back, and
#     e2fsck -f -n of the root LV is clean once the container is gone.
. "$(dirname "$0")/vm/lib.sh"
vm_setup t_takeover_mdloop
bb=/bin/busybox
file -L "$bb" 2>/dev/null | grep -q 'statically linked' || vm_skip "no static busybox (busybox-static)"
dl=$VM_TMP/dl
mkdir -p $dl/x
# Round E: cryptsetup and lvm with the libraries that the busybox image
# (Debian 12) lacks; those it has (libc, libcrypto, libblkid, libuuid,
# libudev, libselinux, libsystemd, libbsd, libtinfo) are used from it.
lkpkgs="cryptsetup-bin libcryptsetup12 libargon2-1 libjson-c5 libpopt0 lvm2 libdevmapper1.02.1 libdevmapper-event1.02.1 libaio1 libedit2"
# shellcheck disable=SC2086
(cd $dl && apt-get download mdadm $lkpkgs >/dev/null 2>&1) || vm_skip "apt-get download mdadm $lkpkgs failed (no mirror?)"
for f in $dl/*.deb; do dpkg-deb -x "$f" $dl/x; done
[ -f $dl/x/sbin/mdadm ] || vm_skip "no sbin/mdadm in the mdadm package"
[ -f $dl/x/sbin/cryptsetup ] && [ -f $dl/x/sbin/lvm ] || vm_skip "no sbin/cryptsetup or sbin/lvm in cryptsetup-bin, lvm2"
mkdir -p $dl/lk/sbin $dl/lk/lib
cp $dl/x/sbin/cryptsetup $dl/x/sbin/lvm $dl/lk/sbin/
find $dl/x -path '*/x86_64-linux-gnu/lib*.so.*' -exec cp -L {} $dl/lk/lib/ \;
tar -C $dl/lk -cf $dl/lk.tar sbin lib
truncate -s 32M $VM_TMP/d1.img $VM_TMP/d2.img $VM_TMP/d3.img

scen=$VM_TMP/scenario.sh
cat >"$scen" <<'EOF'
#!/bin/sh
echo SCENARIO-START
B=/usr/local/sbin
chmod 755 $B/mdadm $B/busybox.static
BB=$B/busybox.static
modprobe md_mod && modprobe raid1 && modprobe loop || echo "SCEN-FAIL modprobe"
# waitfor TENTHS CMD...: until CMD succeeds
waitfor() {
	n=$1
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}
# The container's root tree: static busybox, lifeboat, an init that counts
# its boots in /etc/boots and says so on the console.
R=/tmp/ctroot
mkdir -p $R/bin $R/sbin $R/etc $R/dev $R/proc $R/sys $R/run $R/tmp $R/oldhost
cp $BB $R/bin/busybox
for a in sh echo cat sleep mount umount ls awk; do ln -s busybox $R/bin/$a; done
cp $B/lifeboat $R/sbin/lifeboat
cat >$R/etc/boot.sh <<'EOB'
[ -e /proc/self ] || mount -t proc proc /proc
n=$(($(cat /etc/boots 2>/dev/null || echo 0) + 1))
echo $n >/etc/boots
echo "CT-BOOTED n=$n root=$(awk '$2 == "/" { print $1 }' /proc/mounts | tail -1)"
EOB
echo '::sysinit:/bin/sh /etc/boot.sh' >$R/etc/inittab
cat >/tmp/ct-start.sh <<'EOS'
# PID 1 of new PID + mount namespaces: root on $1, /dev a devtmpfs.
M=/tmp/ctmnt
mkdir -p $M
mount "$1" $M || exit 1
mount -t proc proc $M/proc
mount -t devtmpfs dev $M/dev
mount -t tmpfs -o mode=755,nosuid,nodev run $M/run
cd $M
pivot_root . oldhost
exec /bin/busybox sh -c 'umount -l /oldhost && exec /bin/busybox init' </dev/console >/dev/console 2>&1
EOS
CT= US=
ct_start() { # DEV
	unshare --pid --fork --mount --propagation private sh /tmp/ct-start.sh "$1" &
	US=$!
	kids() { cat /proc/$US/task/$US/children 2>/dev/null; }
	has_kids() { [ -n "$(kids)" ]; }
	waitfor 100 has_kids || { echo "SCEN-FAIL no container"; return 1; }
	CT=$(kids)
	CT=${CT%% *}
	waitfor 300 test -s /proc/$CT/root/etc/boots || { echo "SCEN-FAIL container did not boot"; return 1; }
}
ct_stop() { kill -KILL $CT; wait $US 2>/dev/null; }
boots() { cat /proc/$CT/root/etc/boots 2>/dev/null; }
booted() { [ "$(boots)" = "$1" ] && [ "$(readlink /proc/$CT/exe)" = /bin/busybox ]; }
is_lifeboat() { [ "$(readlink /proc/$CT/exe)" = /lifeboat/lifeboat ]; }
inside() { nsenter -t $CT -m -p -- "$@"; }
md0_gone() { ! grep -q '^md0' /proc/mdstat; }
mdstat() { grep -A1 '^md0' /proc/mdstat | tr -s ' \n' ' '; }
ct_root() { awk '$2 == "/" { print $1 }' /proc/$CT/mounts | tail -1; }

$B/mdadm --create /dev/md0 --run --assume-clean --level=1 --raid-devices=2 \
	--metadata=1.0 /dev/vdb /dev/vdc 2>&1 || echo "SCEN-FAIL mdadm create"
mkfs.ext4 -q -F -d $R /dev/md0 || echo "SCEN-FAIL mkfs md0"
echo "SCEN-MD-CREATED $(mdstat)"
ct_start /dev/md0 && echo "SCEN-CT-UP root=$(ct_root)"

# A: also mounted outside the container
mkdir -p /mnt/out
mount /dev/md0 /mnt/out
echo SCEN-ROUND-A
inside /sbin/lifeboat takeover --yes --grace 1 --then return
echo "SCEN-A-TAKEOVER-EXIT status=$?"
waitfor 1200 booted 2 || echo "SCEN-FAIL A: init not back"
echo "SCEN-A-BACK boots=$(boots) exe=$(readlink /proc/$CT/exe) root=$(ct_root) $(mdstat)"
umount /mnt/out

# B: only the container uses it
echo SCEN-ROUND-B
inside /sbin/lifeboat takeover --yes --grace 1 --then shell
echo "SCEN-B-TAKEOVER-EXIT status=$?"
waitfor 1200 is_lifeboat || echo "SCEN-FAIL B: lifeboat is not PID 1"
waitfor 600 md0_gone || echo "SCEN-FAIL B: md0 not stopped"
echo "SCEN-B-STOPPED mdstat_md0=$(grep -c '^md0' /proc/mdstat) md0_state=$(cat /sys/block/md0/md/array_state 2>/dev/null || echo none) holders_vdb=$(ls /sys/block/vdb/holders | wc -l) holders_vdc=$(ls /sys/block/vdc/holders | wc -l)"
e2fsck -f -n /dev/vdb
echo "SCEN-B-FSCK status=$?"
inside /lifeboat/lifeboat return
waitfor 1200 booted 3 || echo "SCEN-FAIL B: init not back"
echo "SCEN-B-BACK boots=$(boots) exe=$(readlink /proc/$CT/exe) root=$(ct_root) $(mdstat)"
# B2: stop and re-assemble back to back (--then return)
echo SCEN-ROUND-B2
inside /sbin/lifeboat takeover --yes --grace 1 --then return
echo "SCEN-B2-TAKEOVER-EXIT status=$?"
waitfor 1200 booted 4 || echo "SCEN-FAIL B2: init not back"
echo "SCEN-B2-BACK boots=$(boots) exe=$(readlink /proc/$CT/exe) root=$(ct_root) $(mdstat)"
ct_stop

# C: a loop device, backing file in the devtmpfs
truncate -s 16M /dev/lbloop.img
rm -f $R/etc/boots
mkfs.ext4 -q -F -d $R /dev/lbloop.img || echo "SCEN-FAIL mkfs loop"
L=$(losetup -f --show /dev/lbloop.img) || echo "SCEN-FAIL losetup"
l=${L#/dev/}
detached() { ! [ -s /sys/block/$l/loop/backing_file ]; }
ct_start $L && echo "SCEN-CT2-UP root=$(ct_root) backing=$(cat /sys/block/$l/loop/backing_file)"
echo "SCEN-ROUND-C dev=$l"
inside /sbin/lifeboat takeover --yes --grace 1 --then shell
echo "SCEN-C-TAKEOVER-EXIT status=$?"
waitfor 1200 is_lifeboat || echo "SCEN-FAIL C: lifeboat is not PID 1"
waitfor 600 detached || echo "SCEN-FAIL C: $l not detached"
echo "SCEN-C-DETACHED backing=$(cat /sys/block/$l/loop/backing_file 2>/dev/null || echo none)"
e2fsck -f -n /dev/lbloop.img
echo "SCEN-C-FSCK status=$?"
inside /lifeboat/lifeboat return
waitfor 1200 booted 2 || echo "SCEN-FAIL C: init not back"
echo "SCEN-C-BACK boots=$(boots) exe=$(readlink /proc/$CT/exe) root=$(ct_root) backing=$(cat /sys/block/$l/loop/backing_file 2>/dev/null || echo none)"
ct_stop

# D: two layers, md1 (metadata 1.2) on two loop devices (backing files in
# the devtmpfs): torn down top first, rebuilt bottom first, --then return
truncate -s 24M /dev/lbm1.img /dev/lbm2.img
M1=$(losetup -f --show /dev/lbm1.img) && M2=$(losetup -f --show /dev/lbm2.img) || echo "SCEN-FAIL losetup D"
$B/mdadm --create /dev/md1 --run --assume-clean --level=1 --raid-devices=2 \
	--metadata=1.2 $M1 $M2 2>&1 || echo "SCEN-FAIL mdadm create md1"
rm -f $R/etc/boots
mkfs.ext4 -q -F -d $R /dev/md1 || echo "SCEN-FAIL mkfs md1"
md1() { grep -A1 '^md1' /proc/mdstat | tr -s ' \n' ' '; }
echo "SCEN-MD1-CREATED ${M1#/dev/} ${M2#/dev/} $(md1)"
ct_start /dev/md1 && echo "SCEN-CT3-UP root=$(ct_root)"
# The loop device of C, mounted here in the VM (outside the container):
# lifeboat's "detach unused loop devices" must leave it alone.
mkdir -p /mnt/c
mount $L /mnt/c || echo "SCEN-FAIL mount $L"
echo SCEN-ROUND-D
inside /sbin/lifeboat takeover --yes --grace 1 --then return
echo "SCEN-D-TAKEOVER-EXIT status=$?"
waitfor 1200 booted 2 || echo "SCEN-FAIL D: init not back"
echo "SCEN-D-BACK boots=$(boots) exe=$(readlink /proc/$CT/exe) root=$(ct_root) $(md1) backing=$(cat /sys/block/${M1#/dev/}/loop/backing_file),$(cat /sys/block/${M2#/dev/}/loop/backing_file)"
echo "SCEN-D-VMLOOP $l backing=$(cat /sys/block/$l/loop/backing_file 2>/dev/null || echo none) autoclear=$(cat /sys/block/$l/loop/autoclear 2>/dev/null)"
umount /mnt/c
ct_stop

# E: LVM on LUKS1 on vdd, made by Debian's cryptsetup and lvm
echo SCEN-E-SETUP
X=/tmp/lk
mkdir -p $X && tar -xf /usr/local/lib/lb-lvmluks.tar -C $X || echo "SCEN-FAIL E: tarball"
C='activation { udev_sync=0 udev_rules=0 monitoring=0 } backup { backup=0 archive=0 } devices { obtain_device_list_from_udev=0 use_devicesfile=0 }'
cs() { LD_LIBRARY_PATH=$X/lib DM_DISABLE_UDEV=1 $X/sbin/cryptsetup "$@"; }
lvm() {
	c=$1
	shift
	LD_LIBRARY_PATH=$X/lib DM_DISABLE_UDEV=1 LVM_SUPPRESS_FD_WARNINGS=1 $X/sbin/lvm $c --config "$C" "$@"
}
dms() { echo $(for d in /sys/block/dm-*; do [ -e $d/dm/name ] && echo "$(cat $d/dm/name)=$(cat $d/dev)"; done | sort); }
no_dm() { ! ls /sys/block | grep -q '^dm-'; }
lvattr() { echo $(lvm lvs --noheadings -o lv_name,lv_attr lbvg 2>/dev/null); }
root_open() { lvm lvs --noheadings -o lv_attr lbvg/root 2>/dev/null | grep -q '^ *.....o'; }
spare_sum() { dd if=/dev/mapper/lbvg-spare bs=1M count=1 2>/dev/null | md5sum | cut -d' ' -f1; }
modprobe dm_mod && modprobe dm_crypt || echo "SCEN-FAIL E: modprobe dm"
head -c 64 /dev/urandom >/tmp/lk.key
# LUKS1: its key is in the crypt target's table, which lifeboat saves (a
# LUKS2 key sits in the kernel keyring: kept by design). Fixed PBKDF2
# iterations: no benchmark (~3 s under TCG).
cs luksFormat --batch-mode --type luks1 --pbkdf-force-iterations 1000 --key-file /tmp/lk.key /dev/vdd || echo "SCEN-FAIL E: luksFormat"
cs open --type luks1 --key-file /tmp/lk.key /dev/vdd lbcrypt || echo "SCEN-FAIL E: luksOpen"
# vgcreate makes the mapping a PV itself (no separate pvcreate run).
lvm vgcreate -q lbvg /dev/mapper/lbcrypt &&
	lvm lvcreate -q -n root -L 20M lbvg && lvm lvcreate -q -n spare -L 4M lbvg || echo "SCEN-FAIL E: lvm"
rm -f $R/etc/boots
mkfs.ext4 -q -F -d $R /dev/mapper/lbvg-root || echo "SCEN-FAIL mkfs LV"
head -c 1048576 /dev/urandom >/dev/mapper/lbvg-spare
sum=$(spare_sum)
dm0=$(dms)
echo "SCEN-E-CREATED dm=$dm0 luks=$(cs luksDump /dev/vdd | awk '/^Version/ { print $2 }') lvs=$(lvattr)"
ct_start /dev/mapper/lbvg-root && echo "SCEN-CT4-UP root=$(ct_root)"
echo SCEN-ROUND-E
inside /sbin/lifeboat takeover --yes --grace 1 --then shell
echo "SCEN-E-TAKEOVER-EXIT status=$?"
waitfor 1200 is_lifeboat || echo "SCEN-FAIL E: lifeboat is not PID 1"
waitfor 600 no_dm || echo "SCEN-FAIL E: dm devices left"
echo "SCEN-E-CLOSED dm=$(ls /sys/block | grep -c '^dm-') holders_vdd=$(ls /sys/block/vdd/holders | wc -l) status=$(cs status lbcrypt >/dev/null 2>&1; echo $?) isluks=$(cs isLuks /dev/vdd; echo $?)"
inside /lifeboat/lifeboat return
waitfor 1200 booted 2 || echo "SCEN-FAIL E: init not back"
echo "SCEN-E-BACK boots=$(boots) exe=$(readlink /proc/$CT/exe) root=$(ct_root) same_devs=$([ "$(dms)" = "$dm0" ] && echo yes || echo "no: $(dms)")"
echo "SCEN-E-TOOLS lvs=$(lvattr) crypt=$(cs status lbcrypt | awk '/type:/ { print $2 }') spare=$([ "$(spare_sum)" = "$sum" ] && echo same || echo changed)"
ct_stop
# The container's mount goes with its namespace: wait until lvm sees the
# root LV closed.
root_free() { ! root_open; }
waitfor 100 root_free || echo "SCEN-FAIL E: root LV still open"
e2fsck -f -n /dev/mapper/lbvg-root
echo "SCEN-E-FSCK status=$?"
echo SCENARIO-DONE
lb-poweroff
EOF
# The extra disks sit in later PCI slots than the image disk (vdb, vdc, vdd).
vdisk() { echo "-drive file=$VM_TMP/$1.img,if=none,format=raw,id=$1 -device virtio-blk-pci,drive=$1,addr=$2"; }
LB_VM_NET="-nic none $(vdisk d1 0x1d) $(vdisk d2 0x1e) $(vdisk d3 0x1f)" \
	LB_VM_INJECT="$dl/x/sbin/mdadm=/usr/local/sbin/mdadm $bb=/usr/local/sbin/busybox.static $dl/lk.tar=/usr/local/lib/lb-lvmluks.tar" \
	LB_VM_MARKS="SCENARIO-START SCEN-ROUND-A SCEN-ROUND-B SCEN-ROUND-B2 SCEN-ROUND-C SCEN-ROUND-D SCEN-E-SETUP SCEN-ROUND-E SCENARIO-DONE" \
	vm_run busybox "$scen" "${LB_VM_TIMEOUT:-600}"

expect 'SCEN-MD-CREATED md0 : active raid1 vdc\[1\] vdb\[0\]' "md0 created (RAID1 on vdb, vdc)"
expect 'SCEN-CT-UP root=/dev/md0' "container up on /dev/md0"
# A
expect 'SCEN-ROUND-A' "round A"
expect 'LIFEBOAT-PID1 pid=1 init=busybox' "A: lifeboat PID 1"
expect 'LIFEBOAT-ROOT-RELEASED' "A: root released"
expect 'LIFEBOAT-STORAGE-BUSY dev=md0 kind=md .*(mounted|open)' "A: md0 BUSY with its reason"
expect 'LIFEBOAT-STORAGE-DOWN closed=0 busy=1 kept=0' "A: nothing torn down"
expect 'LIFEBOAT-RETURNED' "A: returned"
expect 'SCEN-A-BACK boots=2 exe=/bin/busybox root=/dev/md0 md0 : active raid1 vdc\[1\] vdb\[0\]' "A: init back, md0 still active"
# B
expect 'SCEN-ROUND-B' "round B"
expect 'LIFEBOAT-ROOT-RELEASED' "B: root released"
expect 'LIFEBOAT-STORAGE-CLOSED dev=md0 kind=md action=stop' "B: md0 stopped"
expect 'LIFEBOAT-STORAGE-DOWN closed=1 busy=0 kept=0' "B: summary"
expect 'SCEN-B-STOPPED mdstat_md0=0 md0_state=(none|clear|inactive) holders_vdb=0 holders_vdc=0' "B: the VM sees md0 stopped"
expect 'SCEN-B-FSCK status=0' "B: e2fsck -f -n of a member clean"
expect 'LIFEBOAT-STORAGE-UP rebuilt=1 failed=0' "B: md0 rebuilt"
expect 'LIFEBOAT-RETURNED' "B: returned"
expect 'SCEN-B-BACK boots=3 exe=/bin/busybox root=/dev/md0 md0 : active raid1 vdc\[1\] vdb\[0\]' "B: init back on md0, both members"
expect 'SCEN-ROUND-B2' "round B2"
expect 'LIFEBOAT-STORAGE-CLOSED dev=md0 kind=md action=stop' "B2: md0 stopped"
expect 'LIFEBOAT-STORAGE-UP rebuilt=1 failed=0' "B2: md0 rebuilt at once"
expect 'LIFEBOAT-RETURNED' "B2: returned"
expect 'SCEN-B2-BACK boots=4 exe=/bin/busybox root=/dev/md0 md0 : active raid1 vdc\[1\] vdb\[0\]' "B2: init back on md0, both members"
# C
expect 'SCEN-CT2-UP root=/dev/loop[0-9]+ backing=/dev/lbloop.img' "container 2 up on a loop device"
expect 'SCEN-ROUND-C dev=loop' "round C"
expect 'LIFEBOAT-ROOT-RELEASED' "C: root released"
expect 'LIFEBOAT-STORAGE-CLOSED dev=loop[0-9]+ kind=loop action=detach' "C: loop detached"
expect 'LIFEBOAT-STORAGE-DOWN closed=1 busy=0 kept=0' "C: summary"
expect 'SCEN-C-DETACHED backing=none' "C: the VM sees the loop device detached"
expect 'SCEN-C-FSCK status=0' "C: e2fsck -f -n of the image clean"
expect 'LIFEBOAT-STORAGE-UP rebuilt=1 failed=0' "C: loop re-attached"
expect 'LIFEBOAT-RETURNED' "C: returned"
expect 'SCEN-C-BACK boots=2 exe=/bin/busybox root=/dev/loop[0-9]+ backing=/dev/lbloop.img' "C: init back on the re-attached loop device"
# D
expect 'SCEN-MD1-CREATED loop1 loop2 md1 : active raid1 loop2\[1\] loop1\[0\]' "md1 (1.2) created on loop1, loop2"
expect 'SCEN-CT3-UP root=/dev/md1' "container 3 up on /dev/md1"
expect 'SCEN-ROUND-D' "round D"
expect 'storage.stack root=9:1 order="md1\(md\) loop[12]\(loop\) loop[12]\(loop\)"' "D: order md1, then its loop devices"
expect 'LIFEBOAT-STORAGE-CLOSED dev=md1 kind=md action=stop' "D: md1 stopped"
expect 'LIFEBOAT-STORAGE-CLOSED dev=loop[12] kind=loop action=detach' "D: first member loop detached"
expect 'LIFEBOAT-STORAGE-CLOSED dev=loop[12] kind=loop action=detach' "D: second member loop detached"
expect 'LIFEBOAT-STORAGE-DOWN closed=3 busy=0 kept=0' "D: summary"
expect 'storage.rebuilt dev=loop[12] kind=loop' "D: a loop re-attached first"
expect 'storage.rebuilt dev=md1 kind=md' "D: md1 re-assembled after its members"
expect 'LIFEBOAT-STORAGE-UP rebuilt=3 failed=0' "D: all three rebuilt"
expect 'LIFEBOAT-RETURNED' "D: returned"
expect 'SCEN-D-BACK boots=2 exe=/bin/busybox root=/dev/md1 md1 : active raid1 loop2\[1\] loop1\[0\] .* backing=/dev/lbm1.img,/dev/lbm2.img' "D: init back on md1 over both re-attached loops"
expect 'SCEN-D-VMLOOP loop0 backing=(/dev)?/lbloop.img autoclear=0' "D: the VM's own mounted loop device still attached, autoclear not set"
# E
expect 'SCEN-E-SETUP' "round E setup"
expect 'SCEN-E-CREATED dm=lbcrypt=[0-9]+:0 lbvg-root=[0-9]+:1 lbvg-spare=[0-9]+:2 luks=1 lvs=root -wi-a----- spare -wi-a-----$' "LUKS1 -> lbvg -> root, spare made by cryptsetup and lvm"
expect 'SCEN-CT4-UP root=/dev/mapper/lbvg-root' "container 4 up on the LV"
expect 'SCEN-ROUND-E' "round E"
expect 'LIFEBOAT-ROOT-RELEASED' "E: root released"
expect 'storage.stack root=[0-9]+:1 order="dm-[12]\(lvm lbvg-(root|spare)\) dm-[12]\(lvm lbvg-(root|spare)\) dm-0\(crypt lbcrypt\)"' "E: order both LVs, then the crypt mapping"
expect 'LIFEBOAT-STORAGE-CLOSED dev=dm-[12] kind=lvm name=lbvg-(root|spare) action=deactivate' "E: first LV deactivated"
expect 'LIFEBOAT-STORAGE-CLOSED dev=dm-[12] kind=lvm name=lbvg-(root|spare) action=deactivate' "E: second LV deactivated"
expect 'LIFEBOAT-STORAGE-CLOSED dev=dm-0 kind=crypt name=lbcrypt action=close' "E: crypt mapping closed"
expect 'LIFEBOAT-STORAGE-DOWN closed=3 busy=0 kept=0 dm_left=0' "E: summary, no dm device left"
expect 'SCEN-E-CLOSED dm=0 holders_vdd=0 status=4 isluks=0' "E: the VM sees no dm device (key gone), LUKS header intact"
expect 'storage.rebuilt dev=dm-0 kind=crypt name=lbcrypt' "E: crypt opened first"
expect 'storage.rebuilt dev=dm-[12] kind=lvm' "E: an LV activated"
expect 'storage.rebuilt dev=dm-[12] kind=lvm' "E: the other LV activated"
expect 'LIFEBOAT-STORAGE-UP rebuilt=3 failed=0' "E: all three rebuilt"
expect 'LIFEBOAT-RETURNED' "E: returned"
expect 'SCEN-E-BACK boots=2 exe=/bin/busybox root=/dev/mapper/lbvg-root same_devs=yes' "E: init back on the LV, same device numbers"
expect 'SCEN-E-TOOLS lvs=root -wi-ao---- spare -wi-a----- crypt=LUKS1 spare=same' "E: lvm and cryptsetup see the rebuilt stack, spare LV data intact"
expect 'SCEN-E-FSCK status=0' "E: e2fsck -f -n of the root LV clean"
expect 'SCENARIO-DONE' "scenario done"
# Rounds A-D (md and loop only) never touch the device-mapper: dm-mod is
# loaded first by round E's modprobe.
dm_first=$(line_of 'device-mapper: ioctl' 0)
[ "$dm_first" = 0 ] || [ "$dm_first" -gt "$(line_of 'SCEN-E-SETUP' 0)" ] || fail "dm-mod was loaded for a stack without dm devices"
[ "$(count_of 'SCEN-FAIL')" = 0 ] || fail "scenario: $(grep -a SCEN-FAIL "$VM_LOG" | tr '\n' ' ')"
[ "$VM_END" = poweroff ] || fail "VM ended by '$VM_END', not poweroff"
vm_finish "md busy+stop+reassemble, loop detach+reattach, LVM on LUKS1 deactivate+close+rebuild: A=$(mark_delta SCEN-ROUND-A SCEN-ROUND-B)s B=$(mark_delta SCEN-ROUND-B SCEN-ROUND-B2)s B2=$(mark_delta SCEN-ROUND-B2 SCEN-ROUND-C)s C=$(mark_delta SCEN-ROUND-C SCEN-ROUND-D)s D=$(mark_delta SCEN-ROUND-D SCEN-E-SETUP)s E-setup=$(mark_delta SCEN-E-SETUP SCEN-ROUND-E)s E=$(mark_delta SCEN-ROUND-E SCENARIO-DONE)s vm=${VM_SECS}s"
