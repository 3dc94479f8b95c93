#!/usr/bin/env bash
# The ptrace re-exec on an aarch64 CPU: qemu-system-aarch64 -M virt (TCG,
# -cpu cortex-a57, no network) boots Debian 12's arm64 installer kernel with
# an initramfs made here that loads ext4 and virtio-blk (modules from the
# matching linux-image-ABI-arm64, apt-get download: the installer kernel
# has them as modules only), mounts the virtio disk (an ext4 image made here
# with the static arm64 lifeboat from `make ARCH=arm64` and Debian's
# busybox-static:arm64) and switch_roots into it. There the machine's real
# PID 1 is an init lifeboat has no re-exec for, chosen by lbpid1= (one boot
# each):
#   ticker: `/bin/sh /ticker`, a busybox shell loop counting into
#           /run/tick; its sleep is a forked busybox, so PID 1 waits in wait4
#           (restarted after the interrupt: -ERESTARTSYS);
#   sleep:  busybox `sleep` (comm sleep) in nanosleep, which the interrupt
#           turns into restart_syscall (-ERESTART_RESTARTBLOCK: on aarch64
#           the kernel rewrites x8 after the stop).
# The scenario (a child of PID 1) checks:
#  1. dry run: ptrace planned, preflight clear, exit 0; --reexec none: exit 1;
#  2. LIFEBOAT_FAULT=ptrace-{attach,stop,regs,mem,setregs,exec} (sleep:
#     setregs and exec, the two restores): exit 1 naming the step, PID 1 is
#     the same program, same mount table, no tracer, and keeps working (the
#     ticker counts on; sleep is asleep again): the aarch64 restore of its
#     syscall (NT_ARM_SYSTEM_CALL, pc back on the svc after the failed
#     execve) works;
#  3. the real takeover: PID 1 execs lifeboat (same PID 1), the root is
#     released, --run shows /proc/1/exe and an empty /oldroot, --then
#     poweroff ends QEMU; then e2fsck -fn of the disk image is clean.
# LB_E2E_CACHE (default build/e2e-cache) keeps the busybox and the modules.
set -u
cd "$(dirname "$0")/../.."
T0=$(date +%s.%N)
skip() { echo "SKIP: $*"; exit 77; }
DI=/usr/lib/debian-installer/images/12/arm64/text/debian-installer/arm64
KERNEL=$DI/linux
for c in qemu-system-aarch64 cpio gzip dpkg-deb apt-get readelf timeout mkfs.ext4 e2fsck bc; do
	command -v $c >/dev/null || skip "$c missing"
done
[ -f "$KERNEL" ] || skip "no $KERNEL (debian-installer-12-netboot-arm64)"
command -v aarch64-linux-gnu-gcc >/dev/null || skip "no arm64 cross compiler (gcc-aarch64-linux-gnu; tests/install-deps)"
W=$(mktemp -d /tmp/lbpt-arm64.XXXXXX)
QPID=
cleanup() {
	[ -n "$QPID" ] && kill -KILL "$QPID" 2>/dev/null && wait "$QPID" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
LOG=$W/serial.log
fail() {
	echo "--- serial console:"
	[ -f "$LOG" ] && tail -n 80 "$LOG"
	echo
	echo "RESULT: FAIL $*"
	exit 1
}

make -s ARCH=arm64 >$W/make.log 2>&1 || { cat $W/make.log; fail "make ARCH=arm64"; }
LB=build/arm64/lifeboat
readelf -h $LB | grep -q 'Machine:.*AArch64' || fail "$LB is not an AArch64 binary"
CACHE=${LB_E2E_CACHE:-$PWD/build/e2e-cache}
mkdir -p "$CACHE"

# busybox-static for arm64 (a static busybox is what takeover carries)
BBC=$CACHE/busybox-static-arm64
if [ ! -s "$BBC" ]; then
	mkdir -p $W/dl/x
	(cd $W/dl && apt-get download busybox-static:arm64 >/dev/null 2>&1) ||
		skip "apt-get download busybox-static:arm64 failed (arm64 not in dpkg --print-foreign-architectures? no mirror?)"
	dpkg-deb -x $W/dl/busybox-static_*_arm64.deb $W/dl/x || fail "dpkg-deb busybox-static"
	readelf -h $W/dl/x/bin/busybox | grep -q 'Machine:.*AArch64' || fail "busybox-static:arm64 is not AArch64"
	cp $W/dl/x/bin/busybox "$BBC.tmp.$$" && mv "$BBC.tmp.$$" "$BBC"
fi

# ext4 and virtio-blk for the installer kernel's ABI, from linux-image-ABI
MODS="crc16 mbcache jbd2 crc32c_generic ext4 virtio_mmio virtio_blk"
ABI=$(zcat $DI/initrd.gz | cpio -t --quiet 2>/dev/null | sed -n 's|^lib/modules/\([^/]*\)/.*|\1|p' | head -1)
[ -n "$ABI" ] || fail "no lib/modules/ABI in $DI/initrd.gz"
MODC=$CACHE/arm64-modules-$ABI
if [ ! -s "$MODC/virtio_blk.ko" ]; then
	mkdir -p $W/kdl/x
	(cd $W/kdl && apt-get download "linux-image-$ABI:arm64" >/dev/null 2>&1) ||
		skip "apt-get download linux-image-$ABI:arm64 failed (no mirror? ABI gone from the archive?)"
	pats=
	for m in $MODS; do pats="$pats ./lib/modules/$ABI/kernel/*/$m.ko"; done
	# shellcheck disable=SC2086 # one pattern each
	dpkg-deb --fsys-tarfile $W/kdl/linux-image-*.deb | tar -x -C $W/kdl/x --wildcards $pats ||
		fail "unpacking linux-image-$ABI"
	mkdir -p $MODC.tmp.$$
	for m in $MODS; do
		f=$(find $W/kdl/x -name "$m.ko" | head -1)
		[ -n "$f" ] || fail "no $m.ko in linux-image-$ABI"
		cp "$f" $MODC.tmp.$$/
	done
	rm -rf "$MODC" && mv $MODC.tmp.$$ "$MODC"
	rm -rf $W/kdl
fi

# the initramfs: load the modules, mount /dev/vda, switch_root
I=$W/initramfs
mkdir -p $I/bin $I/dev $I/proc $I/sys $I/newroot $I/mods
cp "$BBC" $I/bin/busybox
for m in $MODS; do cp "$MODC/$m.ko" $I/mods/; done
mknod -m 600 $I/dev/console c 5 1
cat >$I/init <<EOF
#!/bin/busybox sh
bb=/bin/busybox
\$bb mount -t proc proc /proc
\$bb mount -t devtmpfs dev /dev
\$bb mount -t sysfs sys /sys
fatal() { echo "SCN-FAIL: init: \$*"; \$bb poweroff -f; }
for m in $MODS; do \$bb insmod /mods/\$m.ko || fatal "insmod \$m"; done
for _ in \$(\$bb seq 50); do [ -b /dev/vda ] && break; \$bb sleep 0.1; done
\$bb mount -t ext4 /dev/vda /newroot || fatal "mount /dev/vda"
\$bb chroot /newroot /bin/busybox --install -s
for m in dev proc sys; do \$bb mount --move /\$m /newroot/\$m; done
\$bb mount -t tmpfs -o mode=755 run /newroot/run
exec \$bb switch_root /newroot /bin/sh /ticker
EOF
# the root PID 1 runs on
R=$W/root
mkdir -p $R/bin $R/sbin $R/usr/bin $R/usr/sbin $R/dev $R/proc $R/sys $R/run $R/tmp
cp "$BBC" $R/bin/busybox
cp $LB $R/sbin/lifeboat
ln -s busybox $R/bin/sh
# PID 1 after the switch_root (lbpid1= on the kernel command line):
#   ticker: a shell loop counting into /run/tick; its sleep is a forked
#           busybox, so PID 1 waits in wait4 (restarted after the
#           interrupt: -ERESTARTSYS);
#   sleep:  busybox `sleep` (comm sleep) in nanosleep, which the interrupt
#           turns into restart_syscall (-ERESTART_RESTARTBLOCK: the kernel
#           rewrites x8 after the stop).
cat >$R/ticker <<'EOF'
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mode=ticker
grep -q lbpid1=sleep /proc/cmdline && mode=sleep
/bin/sh /scenario $mode </dev/console >/dev/console 2>&1 &
[ $mode = sleep ] && exec sleep 1000000
i=0
while :; do
	i=$((i+1))
	echo $i > /run/tick
	sleep 0.2
done
EOF
cat >$R/scenario <<'EOF'
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mode=$1
bad() { echo "SCN-FAIL: $mode: $*"; sync; poweroff -f; exit 1; }
exe0=$(readlink /proc/1/exe)
[ "$exe0" = /bin/busybox ] || bad "PID 1 is $exe0, want /bin/busybox"
[ $mode = sleep ] && comm0=sleep || comm0=sh
[ "$(cat /proc/1/comm)" = $comm0 ] || bad "PID 1 comm is $(cat /proc/1/comm), want $comm0"
echo "SCN: $mode: PID 1 $exe0 ($comm0) on $(uname -m), root $(grep ' / / ' /proc/1/mountinfo | cut -d' ' -f9)"
mounts0=$(cut -d' ' -f5 /proc/1/mountinfo)
pid1_works() {
	if [ $mode = sleep ]; then
		# asleep again: nanosleep 101, clock_nanosleep 115, restart_syscall 128
		for _ in $(seq 100); do
			case "$(cut -d' ' -f1 /proc/1/syscall)" in 101|115|128) return 0 ;; esac
			sleep 0.1
		done
		bad "$1: PID 1 is not sleeping (syscall $(cat /proc/1/syscall))"
	fi
	a=$(cat /run/tick)
	for _ in $(seq 100); do
		b=$(cat /run/tick)
		[ "$b" -gt $((a + 1)) ] 2>/dev/null && return 0
		sleep 0.1
	done
	bad "$1: PID 1 stopped counting ($a -> $b; syscall $(cat /proc/1/syscall))"
}
pid1_works before
# 1. dry runs
rc=0; lifeboat takeover --dry-run >/tmp/d1 2>&1 || rc=$?
[ $rc = 0 ] || { cat /tmp/d1; bad "dry run exit $rc"; }
grep -q "re-exec method: ptrace: PID 1 made to call execve of /run/lifeboat-rescue/lifeboat/lifeboat" /tmp/d1 ||
	{ cat /tmp/d1; bad "ptrace not planned"; }
grep -q "ptrace preflight: .*CAP_SYS_PTRACE yes, attach to PID 1 ok" /tmp/d1 || { cat /tmp/d1; bad "preflight"; }
rc=0; lifeboat takeover --dry-run --reexec none >/tmp/d2 2>&1 || rc=$?
[ $rc = 1 ] || { cat /tmp/d2; bad "--reexec none dry run exit $rc"; }
echo "SCN-DRY-OK: $mode: ptrace planned (exit 0), --reexec none refused (exit 1)"
# 2. a failure injected at each step (sleep: the two restores only: still
# at the entry stop, and after the failed execve returned)
faults="attach stop regs mem setregs exec"
[ $mode = sleep ] && faults="setregs exec"
for f in $faults; do
	rc=0
	LIFEBOAT_FAULT=ptrace-$f lifeboat takeover --yes --grace 1 >/tmp/f 2>&1 || rc=$?
	[ $rc = 1 ] || { cat /tmp/f; bad "fault $f: exit $rc"; }
	grep -q "ptrace re-exec failed at step $f" /tmp/f || { cat /tmp/f; bad "fault $f: step not named"; }
	case $f in mem|setregs|exec) want="registers and memory restored" ;; *) want="was not changed" ;; esac
	grep -q "PID 1 $want" /tmp/f || { cat /tmp/f; bad "fault $f: not '$want'"; }
	grep -q "undone: bind and rescue tmpfs removed" /tmp/f || { cat /tmp/f; bad "fault $f: no undo"; }
	nr=$(grep -o 'entry_syscall=[-0-9]*' /tmp/f)
	# sleep's interrupted nanosleep always comes back as restart_syscall
	[ $mode = sleep ] && [ "$nr" != entry_syscall=128 ] && bad "fault $f: stopped at $nr, not restart_syscall (128)"
	[ "$(readlink /proc/1/exe)" = "$exe0" ] || bad "fault $f: PID 1 is now $(readlink /proc/1/exe)"
	[ "$(cat /proc/1/comm)" = $comm0 ] || bad "fault $f: PID 1 comm is now $(cat /proc/1/comm)"
	[ "$(cut -d' ' -f5 /proc/1/mountinfo)" = "$mounts0" ] || bad "fault $f: mount table changed"
	grep -q "TracerPid:[[:space:]]*0" /proc/1/status || bad "fault $f: PID 1 still traced"
	pid1_works "fault $f"
	echo "SCN-FAULT-OK $mode $f: exit 1, PID 1 still $exe0 ($comm0) and working ($want; $nr)"
done
# 3. for real
lifeboat takeover --yes --grace 1 --then poweroff \
	--run 'echo "RUN-EXE $(readlink /proc/1/exe)"; echo "RUN-OLDROOT $(ls -A /oldroot | wc -l)"' >/tmp/t 2>&1
rc=$?
sed 's/^/SCN-T: /' /tmp/t
[ $rc = 0 ] || bad "takeover exit $rc"
EOF
chmod 755 $I/init
(cd $I && find . | cpio -o -H newc --quiet | gzip -1) >$W/initrd.gz || fail "cpio"

# boot MODE: one VM run with PID 1 MODE; serial log $W/serial-MODE.log
boot() {
	LOG=$W/serial-$1.log
	: >$LOG
	rm -f $W/root.img
	truncate -s 32M $W/root.img
	mkfs.ext4 -q -F -d $R $W/root.img || fail "mkfs.ext4"
	timeout --kill-after=5 300 qemu-system-aarch64 -M virt -cpu cortex-a57 -accel tcg -smp 1 -m 512 \
		-display none -monitor none -no-reboot -nic none -serial "file:$LOG" \
		-drive "if=none,id=d0,format=raw,file=$W/root.img" -device virtio-blk-device,drive=d0 \
		-kernel $KERNEL -initrd $W/initrd.gz -append "console=ttyAMA0 panic=-1 quiet lbpid1=$1" \
		>$W/qemu.out 2>&1 &
	QPID=$!
	wait $QPID
	local qrc=$?
	QPID=
	tr -d '\r' <$LOG >$LOG.n && mv $LOG.n $LOG
	grep -q "SCN-FAIL" $LOG && fail "$(grep -m1 SCN-FAIL $LOG)"
	[ $qrc = 0 ] || { cat $W/qemu.out; fail "$1: qemu exit $qrc (124: the guest did not power off within 300 s)"; }
	local comm=sh faults="attach stop regs mem setregs exec"
	[ $1 = sleep ] && comm=sleep faults="setregs exec"
	grep -q "SCN: $1: PID 1 /bin/busybox ($comm) on aarch64" $LOG || fail "$1: PID 1 was not busybox $comm on aarch64"
	grep -q "SCN-DRY-OK: $1" $LOG || fail "$1: no dry runs"
	for f in $faults; do
		grep -q "SCN-FAULT-OK $1 $f:" $LOG || fail "$1: fault $f not passed"
	done
	grep -q "SCN-T: .*PID 1 called execve of /run/lifeboat-rescue/lifeboat/lifeboat" $LOG || fail "$1: no ptrace execve"
	grep -q "LIFEBOAT-PID1 pid=1" $LOG || fail "$1: no LIFEBOAT-PID1"
	grep -q "LIFEBOAT-ROOT-RELEASED" $LOG || fail "$1: root not released"
	grep -q "RUN-EXE /lifeboat/lifeboat" $LOG || fail "$1: --run did not see lifeboat as PID 1"
	grep -q "RUN-OLDROOT 0" $LOG || fail "$1: /oldroot not empty"
	grep -q "LIFEBOAT-THEN action=poweroff" $LOG || fail "$1: no poweroff"
	grep -q "SCN-T: *old root: /dev/vda (ext4)" $LOG || fail "$1: the old root was not /dev/vda (ext4)"
	e2fsck -fn $W/root.img >$W/fsck.out 2>&1 || { cat $W/fsck.out; fail "$1: e2fsck -fn of the root image not clean"; }
	grep -E "SCN: |SCN-FAULT|entry_syscall|LIFEBOAT-ROOT-RELEASED" $LOG
}
boot ticker
boot sleep
T1=$(date +%s.%N)
echo "RESULT: PASS ptrace re-exec on aarch64 (TCG): 6 faults leave a shell-loop PID 1 counting, 2 leave a sleep PID 1 asleep (restart_syscall), then lifeboat is PID 1 (both), ext4 root released, e2fsck clean, poweroff ($(echo "$T1 - $T0" | bc | cut -c1-5) s)"
