#!/usr/bin/env bash
# The ptrace re-exec on an aarch64 CPU: qemu-system-aarch64 -M virt (TCG,
# no network, no disk) boots Debian's arm64 installer kernel with an
# initramfs made here: the static arm64 lifeboat (make ARCH=arm64), Debian's
# busybox-static:arm64 (apt-get download), and a scenario. Its /init moves
# everything into a tmpfs and switch_roots into it (the installer kernel has
# neither ext4 nor loop built in), where the machine's real PID 1 is
# `/bin/sh /ticker`: a busybox shell loop counting into /run/tick, an init
# lifeboat has no re-exec for. The scenario (a child of PID 1) then checks:
#  1. dry run: ptrace planned, preflight clear, exit 0; --reexec none: exit 1;
#  2. LIFEBOAT_FAULT=ptrace-{attach,stop,regs,mem,setregs,exec}: exit 1
#     naming the step, PID 1 is still busybox, same mount table, no tracer,
#     and it keeps counting (the aarch64 restore of its syscall works:
#     NT_ARM_SYSTEM_CALL, pc back on the svc after the failed execve);
#  3. the real takeover: PID 1 execs lifeboat (same PID 1), the root is
#     released, --run shows /proc/1/exe and an empty /oldroot, poweroff
#     ends QEMU.
# LB_E2E_CACHE keeps the extracted busybox between runs.
set -u
cd "$(dirname "$0")/../.."
T0=$(date +%s.%N)
skip() { echo "SKIP: $*"; exit 77; }
DI=/usr/lib/debian-installer/images/12/arm64/text/debian-installer/arm64
KERNEL=$DI/linux
for c in qemu-system-aarch64 cpio gzip dpkg-deb apt-get readelf timeout; do
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

# busybox-static for arm64 (a static busybox is what takeover carries)
BBC=${LB_E2E_CACHE:-$W}/busybox-static-arm64
if [ ! -s "$BBC" ]; then
	mkdir -p $W/dl/x
	(cd $W/dl && apt-get download busybox-static:arm64 >/dev/null 2>&1) ||
		skip "apt-get download busybox-static:arm64 failed (arm64 not in dpkg --print-foreign-architectures? no mirror?)"
	dpkg-deb -x $W/dl/busybox-static_*_arm64.deb $W/dl/x || fail "dpkg-deb busybox-static"
	readelf -h $W/dl/x/bin/busybox | grep -q 'Machine:.*AArch64' || fail "busybox-static:arm64 is not AArch64"
	mkdir -p "$(dirname "$BBC")"
	cp $W/dl/x/bin/busybox "$BBC.tmp.$$" && mv "$BBC.tmp.$$" "$BBC"
fi

I=$W/initramfs
mkdir -p $I/bin $I/sbin $I/usr/bin $I/usr/sbin $I/dev $I/proc $I/sys $I/run $I/newroot
cp "$BBC" $I/bin/busybox
cp $LB $I/sbin/lifeboat
mknod -m 600 $I/dev/console c 5 1
cat >$I/init <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t devtmpfs dev /dev
mount -t sysfs sys /sys
# the root PID 1 runs on: a tmpfs (switch_root needs a mount point; the
# initramfs itself cannot be pivoted away)
mount -t tmpfs -o mode=755 root /newroot
cp -a /bin /sbin /usr /ticker /scenario /newroot/
mkdir -p /newroot/dev /newroot/proc /newroot/sys /newroot/run /newroot/tmp
for m in dev proc sys; do mount --move /$m /newroot/$m; done
mount -t tmpfs -o mode=755 run /newroot/run
echo "ARM64-INIT-SWITCH"
exec switch_root /newroot /bin/sh /ticker
EOF
# PID 1 after the switch_root (lbpid1= on the kernel command line):
#   ticker: a shell loop counting into /run/tick; its sleep is a forked
#           busybox, so PID 1 waits in wait4 (restarted after the
#           interrupt: -ERESTARTSYS);
#   sleep:  busybox `sleep` (comm sleep) in nanosleep, which the interrupt
#           turns into restart_syscall (-ERESTART_RESTARTBLOCK: the kernel
#           rewrites x8 after the stop).
cat >$I/ticker <<'EOF'
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
cat >$I/scenario <<'EOF'
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
chmod 755 $I/init $I/ticker $I/scenario
(cd $I && find . | cpio -o -H newc --quiet | gzip -1) >$W/initrd.gz || fail "cpio"

# boot MODE: one VM run with PID 1 MODE; serial log $W/serial-MODE.log
boot() {
	LOG=$W/serial-$1.log
	: >$LOG
	timeout --kill-after=5 300 qemu-system-aarch64 -M virt -cpu cortex-a57 -accel tcg -smp 1 -m 512 \
		-display none -monitor none -no-reboot -nic none -serial "file:$LOG" \
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
	grep -E "SCN-FAULT|entry_syscall|LIFEBOAT-ROOT-RELEASED" $LOG
}
boot ticker
boot sleep
T1=$(date +%s.%N)
echo "RESULT: PASS ptrace re-exec on aarch64 (TCG): 6 faults leave a shell-loop PID 1 counting, 2 leave a sleep PID 1 asleep (restart_syscall), then lifeboat is PID 1 (both), root released, poweroff ($(echo "$T1 - $T0" | bc | cut -c1-5) s)"
