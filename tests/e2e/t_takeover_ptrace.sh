#!/usr/bin/env bash
# The ptrace re-exec in a container (private PID + mount namespace on a
# loop-mounted ext4, pty console; tests/e2e/lib_container.sh). PID 1 is an
# init lifeboat has no re-exec for: `sh /bin/ticker` (a shell loop writing a
# counter to /run/tick, so a PID 1 that stopped working shows), or with
# LB_PT_INIT=tini, tini-static running sleep, as in a docker container.
#  1. dry run: ptrace planned, preflight clear, exit 0; --reexec none:
#     refused, exit 1; without CAP_SYS_PTRACE: refused naming it, exit 1;
#  2. LIFEBOAT_FAULT=ptrace-{attach,stop,regs,mem,setregs,exec}: takeover
#     exits 1 naming the step, PID 1 is the same program, the mount table
#     is the same, and PID 1 keeps working (the ticker counts on / tini
#     still waits in rt_sigtimedwait with its child alive);
#  3. the real takeover: PID 1 execs lifeboat (same PID), the root is
#     released, --run runs, e2fsck -fn of the loop device is clean.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib_container.sh
T0=$(date +%s.%N)
ct_setup ptrace setpriv
ct_rootfs
# util-linux setpriv (it can drop from the bounding set) with its libraries
for f in $(command -v setpriv) $(ldd "$(command -v setpriv)" | grep -o '/[^ ]*'); do
	cp --parents -L "$f" $R/
done
MODE=${LB_PT_INIT:-ticker}
if [ "$MODE" = tini ]; then
	[ -x /usr/bin/tini-static ] || { echo "SKIP: tini-static missing (tini)"; exit 77; }
	cp /usr/bin/tini-static $R/sbin/tini
	CT_INIT="/sbin/tini -- /bin/sleep 100000"
	want_exe=/sbin/tini
else
	printf '#!/bin/sh\ni=0\nwhile :; do i=$((i+1)); echo $i > /run/tick; sleep 0.2; done\n' > $R/bin/ticker
	chmod +x $R/bin/ticker
	CT_INIT="/bin/sh /bin/ticker"
	want_exe=/bin/busybox
fi
ct_boot
exe0=$(readlink /proc/$CTPID/exe)
[ "$exe0" = "$want_exe" ] || fail "container PID 1 is $exe0, want $want_exe"
echo "container PID 1: host pid $CTPID, $exe0 ($(cat /proc/$CTPID/comm))"
mounts0=$(cut -d' ' -f5 /proc/$CTPID/mountinfo)

# PID 1 still works: the ticker counts on; tini still has its sleep child
# and waits for signals again.
pid1_works() { # label
	if [ $MODE = tini ]; then
		local nr
		for _ in $(seq 50); do
			nr=$(cut -d' ' -f1 /proc/$CTPID/syscall 2>/dev/null)
			[ "$nr" = 128 ] && break # rt_sigtimedwait
			sleep 0.1
		done
		[ "$nr" = 128 ] || fail "$1: tini is not back in rt_sigtimedwait (syscall $nr)"
		pgrep -P $CTPID -x sleep >/dev/null || fail "$1: tini lost its child"
	else
		local a b
		a=$(cat /proc/$CTPID/root/run/tick)
		for _ in $(seq 50); do
			b=$(cat /proc/$CTPID/root/run/tick)
			[ "$b" -gt $((a + 1)) ] 2>/dev/null && break
			sleep 0.1
		done
		[ "$b" -gt $((a + 1)) ] 2>/dev/null || fail "$1: PID 1 stopped counting ($a -> $b)"
	fi
}
pid1_works "before"

# 1. dry runs
rc=0; inside /sbin/lifeboat takeover --dry-run > $W/d1.out 2>&1 || rc=$?
[ $rc = 0 ] || { cat $W/d1.out; fail "dry run exit $rc"; }
grep -q "re-exec method: ptrace: PID 1 made to call execve of /run/lifeboat-rescue/lifeboat/lifeboat" $W/d1.out ||
	{ cat $W/d1.out; fail "ptrace not planned"; }
grep -q "ptrace preflight: .*CAP_SYS_PTRACE yes, attach to PID 1 ok" $W/d1.out || { cat $W/d1.out; fail "preflight"; }
grep -q "bind over" $W/d1.out && fail "a bind is planned for ptrace"
rc=0; inside /sbin/lifeboat takeover --dry-run --reexec none > $W/d2.out 2>&1 || rc=$?
[ $rc = 1 ] || fail "--reexec none dry run exit $rc"
grep -q "refused: unknown init .* --reexec none forbids ptrace" $W/d2.out || { cat $W/d2.out; fail "no none refusal"; }
rc=0; inside $(command -v setpriv) --inh-caps=-sys_ptrace --bounding-set=-sys_ptrace \
	/sbin/lifeboat takeover --dry-run > $W/d3.out 2>&1 || rc=$?
[ $rc = 1 ] || { cat $W/d3.out; fail "no-CAP_SYS_PTRACE dry run exit $rc"; }
grep -q "refused: ptrace: attach to PID 1: Operation not permitted: no CAP_SYS_PTRACE" $W/d3.out ||
	{ cat $W/d3.out; fail "no CAP_SYS_PTRACE refusal"; }
echo "1. dry runs: ptrace planned (exit 0); --reexec none and no CAP_SYS_PTRACE refused (exit 1)"

# 2. a failure injected at each ptrace step
for f in attach stop regs mem setregs exec; do
	rc=0
	LIFEBOAT_FAULT=ptrace-$f inside /sbin/lifeboat takeover --yes --grace 1 > $W/f-$f.out 2>&1 || rc=$?
	[ $rc = 1 ] || { cat $W/f-$f.out; fail "fault $f: exit $rc"; }
	grep -q "ptrace re-exec failed at step $f" $W/f-$f.out || { cat $W/f-$f.out; fail "fault $f: step not named"; }
	case $f in mem|setregs|exec) want="registers and memory restored" ;; *) want="was not changed" ;; esac
	grep -q "PID 1 $want" $W/f-$f.out || { cat $W/f-$f.out; fail "fault $f: not '$want'"; }
	grep -q "undone: bind and rescue tmpfs removed" $W/f-$f.out || fail "fault $f: no undo"
	[ "$(readlink /proc/$CTPID/exe)" = "$exe0" ] || fail "fault $f: PID 1 is now $(readlink /proc/$CTPID/exe)"
	[ "$(cut -d' ' -f5 /proc/$CTPID/mountinfo)" = "$mounts0" ] || fail "fault $f: mount table changed"
	grep -q "TracerPid:[[:space:]]*0" /proc/$CTPID/status || fail "fault $f: PID 1 still traced"
	pid1_works "fault $f"
	echo "2. fault ptrace-$f: exit 1, PID 1 still $exe0 and working, mounts unchanged ($want)"
done
grep -q LIFEBOAT- $CON && fail "a lifeboat marker although PID 1 never changed"

# 3. for real
inside /sbin/lifeboat takeover --yes --grace 1 --run 'echo RUN-OK; ls /oldroot | wc -l' > $W/t.out 2>&1 ||
	{ cat $W/t.out; fail "takeover exit $?"; }
grep -q "PID 1 called execve of /run/lifeboat-rescue/lifeboat/lifeboat" $W/t.out || { cat $W/t.out; fail "no ptrace"; }
wait_for LIFEBOAT-RUN-EXIT 1 60 || fail "no --run"
grep -q "LIFEBOAT-PID1 pid=1" $CON || fail "no LIFEBOAT-PID1"
grep -q "LIFEBOAT-ROOT-RELEASED" $CON || fail "root not released"
grep -A2 RUN-OK $CON | grep -qx 0 || fail "/oldroot not empty"
[ "$(readlink /proc/$CTPID/exe)" = /lifeboat/lifeboat ] || fail "PID 1 is $(readlink /proc/$CTPID/exe)"
e2fsck -fn $LOOP > $W/fsck.out 2>&1 || { cat $W/fsck.out; fail "e2fsck not clean"; }
T1=$(date +%s.%N)
echo "RESULT: PASS ptrace re-exec of $MODE as PID 1: 6 faults leave it working, then lifeboat is PID 1, root released, e2fsck clean ($(echo "$T1 - $T0" | bc | cut -c1-5) s)"
