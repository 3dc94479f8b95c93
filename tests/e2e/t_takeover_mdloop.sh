#!/usr/bin/env bash
# Layered storage under a container's root: MD RAID1 stop/re-assembly and
# loop detach/re-attach, in ONE boot of the cached busybox VM (tests/e2e/vm).
# Debian's mdadm (apt-get download on the host, only the binary; libudev1 is
# in the image) and a static busybox are injected. Two extra 32 MiB disks
# (vdb, vdc) become /dev/md0 (RAID1, metadata 1.0: the filesystem starts at
# sector 0 of each member). A PID + mount namespace "container" whose root
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
#     autoclear (PID 1's detach of unused loop devices spares it).
. "$(dirname "$0")/vm/lib.sh"
vm_setup t_takeover_mdloop
bb=/bin/busybox
file -L "$bb" 2>/dev/null | grep -q 'statically linked' || vm_skip "no static busybox (busybox-static)"
dl=$VM_TMP/dl
mkdir -p $dl/x
(cd $dl && apt-get download mdadm >/dev/null 2>&1) || vm_skip "apt-get download mdadm failed (no mirror?)"
dpkg-deb -x $dl/mdadm_*.deb $dl/x
[ -f $dl/x/sbin/mdadm ] || vm_skip "no sbin/mdadm in the mdadm package"
truncate -s 32M $VM_TMP/d1.img $VM_TMP/d2.img

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
echo SCENARIO-DONE
lb-poweroff
EOF
# The extra disks sit in later PCI slots than the image disk (vdb, vdc).
LB_VM_NET="-nic none -drive file=$VM_TMP/d1.img,if=none,format=raw,id=d1 -device virtio-blk-pci,drive=d1,addr=0x1e -drive file=$VM_TMP/d2.img,if=none,format=raw,id=d2 -device virtio-blk-pci,drive=d2,addr=0x1f" \
	LB_VM_INJECT="$dl/x/sbin/mdadm=/usr/local/sbin/mdadm $bb=/usr/local/sbin/busybox.static" \
	LB_VM_MARKS="SCENARIO-START SCEN-ROUND-A SCEN-ROUND-B SCEN-ROUND-B2 SCEN-ROUND-C SCEN-ROUND-D SCENARIO-DONE" \
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
expect 'SCENARIO-DONE' "scenario done"
# md and loop only: the device-mapper (dm-mod) is never touched.
[ "$(count_of 'device-mapper: ioctl')" = 0 ] || fail "dm-mod was loaded for a stack without dm devices"
[ "$(count_of 'SCEN-FAIL')" = 0 ] || fail "scenario: $(grep -a SCEN-FAIL "$VM_LOG" | tr '\n' ' ')"
[ "$VM_END" = poweroff ] || fail "VM ended by '$VM_END', not poweroff"
vm_finish "md busy+stop+reassemble, loop detach+reattach: A=$(mark_delta SCEN-ROUND-A SCEN-ROUND-B)s B=$(mark_delta SCEN-ROUND-B SCEN-ROUND-B2)s B2=$(mark_delta SCEN-ROUND-B2 SCEN-ROUND-C)s C=$(mark_delta SCEN-ROUND-C SCEN-ROUND-D)s D=$(mark_delta SCEN-ROUND-D SCENARIO-DONE)s vm=${VM_SECS}s"
