#!/usr/bin/env bash
# lifeboat takeover --switch-to each kind of root, in one container (PID +
# mount namespace, busybox init on an ext4 loop image; lib_container.sh), no
# VM boot. Each switched-to root is again a busybox root with lifeboat, so
# the next takeover starts from it:
#   1. a directory on the old root (bind mount)   -> SWITCHED-ROOT which=dir
#   2. a block device (a second loop device)      -> which=block
#   3. an image file inside that block device's fs -> which=image (loop)
# None of the three roots has /lib/modules/$(uname -r) or /lib/firmware: the
# first takeover copies the container's (fake) ones into the new root and
# each later one carries them on; every root's init lists them.
# Also: a dry run of --then kexec is refused here (not the initial PID ns).
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib_container.sh
ct_setup switchk mkfs.ext4
BLK=
sk_cleanup() {
	[ -n "$BLK" ] && losetup -d "$BLK" 2>/dev/null
	ct_cleanup
}
trap sk_cleanup EXIT
t_start=$(date +%s.%N)
REL=$(uname -r)

mkroot() { # DIR WHICH
	mkdir -p $1/bin $1/sbin $1/etc $1/dev $1/proc $1/sys $1/run
	cp "$BB" $1/bin/busybox
	ln -sf busybox $1/bin/sh
	ln -sf ../bin/busybox $1/sbin/init
	cp "$LB" $1/sbin/lifeboat
	cat >$1/etc/inittab <<TAB
::sysinit:/bin/sh -c 'echo SWITCHED-ROOT which=$2 mods=\$(/bin/busybox ls /lib/modules/$REL) fw=\$(/bin/busybox ls /lib/firmware) > /dev/console'
::restart:/bin/busybox init
TAB
}
# 3: the image file's root; 2: the block device's root holding it.
mkroot $W/r-image image
truncate -s 16M $W/root-image.img
mkfs.ext4 -q -F -d $W/r-image $W/root-image.img || fail "mkfs image root"
mkroot $W/r-block block
cp $W/root-image.img $W/r-block/root-image.img
truncate -s 48M $W/root-block.img
mkfs.ext4 -q -F -d $W/r-block $W/root-block.img || fail "mkfs block root"

ct_rootfs
mkroot $R/r-dir dir
mkdir -p $R/lib/modules/$REL $R/lib/firmware
echo fake >$R/lib/modules/$REL/lb-fake.ko
echo fake >$R/lib/firmware/lb-fake.bin
ct_boot
# Loop devices for the image file (lifeboat picks a free one) and the block
# root: nodes in the container's /dev, which moves into each new root.
for i in $(seq 0 15); do inside /bin/busybox mknod -m 600 /dev/loop$i b 7 $i 2>/dev/null; done
inside /bin/busybox mknod -m 600 /dev/loop-control c 10 237 || fail "mknod loop-control"

# --then kexec is refused in a container (it would replace the host's kernel).
inside /sbin/lifeboat takeover --dry-run --then kexec --kernel /sbin/lifeboat >$W/kx.out 2>&1
grep -q "refused: --then kexec: not in the initial PID namespace" $W/kx.out ||
	{ cat $W/kx.out; fail "--then kexec not refused in a container"; }

step() { # N ARGS MARK
	local k=$1 mark=$3
	inside /sbin/lifeboat takeover --yes --grace 1 --switch-to $2 >$W/t$k.out 2>&1
	wait_for "SWITCHED-ROOT which=$mark" 1 40 || { cat $W/t$k.out; fail "$2: no SWITCHED-ROOT which=$mark"; }
	grep -q "SWITCHED-ROOT which=$mark mods=lb-fake.ko fw=lb-fake.bin" $CON ||
		fail "$2: modules/firmware not carried into the new root"
	echo "switched to $2 ($mark)"
}
step 1 /r-dir dir
# Attached only now: each takeover detaches the loop devices nobody uses.
BLK=$(losetup -f --show $W/root-block.img) || fail "losetup block root"
n=${BLK#/dev/loop}
[ "$n" -lt 16 ] || fail "no container node for $BLK"
step 2 /dev/loop$n block
step 3 /root-image.img image
[ "$(grep -c LIFEBOAT-SWITCHED $CON)" = 3 ] || fail "not three LIFEBOAT-SWITCHED"
case $(readlink /proc/$CTPID/exe) in *busybox*) ;; *) fail "PID 1 is not busybox init at the end" ;; esac
t_end=$(date +%s.%N)
echo "RESULT: PASS t_takeover_switch_kinds: directory, block device, image file; modules+firmware carried ($(echo "$t_end - $t_start" | bc) s)"
