#!/usr/bin/env bash
# s6-svscan as PID 1 (as in an s6-overlay container) in a private PID + mount
# namespace on a loop-mounted ext4 (tests/e2e/lib_container.sh), with one
# supervised service (`sleep`) under s6-supervise. s6 has no re-exec of its
# own (s6-svscan execs .s6-svscan/finish only after stopping every service),
# so takeover uses the ptrace re-exec.
#  1. dry run: names s6-svscan and ptrace, preflight clear, exit 0;
#     --reexec none refuses (exit 1);
#  2. the takeover: PID 1 execs lifeboat (same host PID), the service and
#     its supervisor are stopped, the root is released (/oldroot empty),
#     --run runs, e2fsck -fn of the loop device is clean.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib_container.sh
T0=$(date +%s.%N)
ct_setup s6 s6-svscan s6-supervise
ct_rootfs
# s6 is dynamically linked (libskarnet): its programs with their libraries
for b in s6-svscan s6-supervise; do
	for f in $(command -v $b) $(ldd "$(command -v $b)" | grep -o '/[^ ]*'); do
		cp --parents -L "$f" $R/
	done
done
mkdir -p $R/etc/s6/sleeper
printf '#!/bin/sh\nexec /bin/sleep 100000\n' >$R/etc/s6/sleeper/run
chmod +x $R/etc/s6/sleeper/run
CT_INIT="$(command -v s6-svscan) /etc/s6"
ct_boot
exe0=$(readlink /proc/$CTPID/exe)
[ "$exe0" = "$(command -v s6-svscan)" ] || fail "container PID 1 is $exe0, want s6-svscan"
# the service runs: s6-supervise (child of PID 1) with its sleep
for _ in $(seq 50); do
	SUP=$(pgrep -P $CTPID -x s6-supervise) && SVC=$(pgrep -P "$SUP" -x sleep) && break
	sleep 0.1
done
[ -n "${SVC:-}" ] || fail "s6-supervise/sleep not running under s6-svscan"
echo "container PID 1: host pid $CTPID, $exe0; s6-supervise $SUP runs sleep $SVC"

# 1. dry runs
rc=0; inside /sbin/lifeboat takeover --dry-run >$W/d1.out 2>&1 || rc=$?
[ $rc = 0 ] || { cat $W/d1.out; fail "dry run exit $rc"; }
for want in "init: s6-svscan (exe=$exe0 comm=s6-svscan" \
	"re-exec method: ptrace: PID 1 made to call execve of /run/lifeboat-rescue/lifeboat/lifeboat" \
	"CAP_SYS_PTRACE yes, attach to PID 1 ok" "verdict: would proceed"; do
	grep -qF "$want" $W/d1.out || { cat $W/d1.out; fail "dry run lacks '$want'"; }
done
grep -q "bind over" $W/d1.out && fail "a bind is planned for ptrace"
rc=0; inside /sbin/lifeboat takeover --dry-run --reexec none >$W/d2.out 2>&1 || rc=$?
[ $rc = 1 ] || { cat $W/d2.out; fail "--reexec none dry run exit $rc"; }
grep -qF "refused: s6-svscan init (/proc/1/exe=$exe0) has no re-exec of its own and --reexec none forbids ptrace" $W/d2.out ||
	{ cat $W/d2.out; fail "--reexec none: no refusal naming s6-svscan"; }
echo "1. dry run: init s6-svscan, ptrace planned (exit 0); --reexec none refused (exit 1): $(grep -m1 '^  refused: ' $W/d2.out | sed 's/^ *//')"

# 2. for real
inside /sbin/lifeboat takeover --yes --grace 1 --run 'echo RUN-OK; ls /oldroot | wc -l' >$W/t.out 2>&1 ||
	{ cat $W/t.out; fail "takeover exit $?"; }
grep -q "PID 1 called execve of /run/lifeboat-rescue/lifeboat/lifeboat" $W/t.out || { cat $W/t.out; fail "no ptrace"; }
wait_for LIFEBOAT-RUN-EXIT 1 60 || fail "no --run"
grep -q "LIFEBOAT-PID1 pid=1 init=s6-svscan" $CON || fail "no LIFEBOAT-PID1 init=s6-svscan"
grep -q "LIFEBOAT-ROOT-RELEASED" $CON || fail "root not released"
grep -x -A1 RUN-OK $CON | grep -qx 0 || fail "/oldroot not empty"
[ "$(readlink /proc/$CTPID/exe)" = /lifeboat/lifeboat ] || fail "PID 1 is $(readlink /proc/$CTPID/exe)"
kill -0 $SUP 2>/dev/null && fail "s6-supervise $SUP still runs"
kill -0 $SVC 2>/dev/null && fail "the service $SVC still runs"
e2fsck -fn $LOOP >$W/fsck.out 2>&1 || { cat $W/fsck.out; fail "e2fsck not clean"; }
T1=$(date +%s.%N)
echo "RESULT: PASS s6-svscan as PID 1 with a supervised service: ptrace re-exec, lifeboat is PID 1, service stopped, root released, e2fsck clean ($(echo "$T1 - $T0" | bc | cut -c1-5) s)"
