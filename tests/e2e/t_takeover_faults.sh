#!/usr/bin/env bash
# lifeboat takeover with a failure injected at each stage, inside a container
# (private PID + mount namespace, busybox init as its PID 1 on a loop-mounted
# ext4, a pty as console). Proves the system either stays as it was or ends
# in a usable rescue shell:
#  a) copy into the RAM root fails (LIFEBOAT_FAULT=copy; also a natural
#     --carry of a missing file, refused before anything changes),
#  b) the bind mount over the init's file fails (LIFEBOAT_FAULT=bind),
#  c) PID 1 never re-executes (LIFEBOAT_FAULT=reexec: the trigger is not
#     sent; LIFEBOAT_REEXEC_WAIT=3 shortens the 60 s wait),
#  -> each: PID 1 is still busybox init, no lifeboat tmpfs / bind left in
#     the namespace's mountinfo, takeover said what failed and undid it;
#  e) the console cannot be opened (--console /dev/does-not-exist): lifeboat
#     still becomes PID 1, releases the root and runs --run,
#  d) a root that will not release (a holder outside the PID namespace):
#     PID 1 is lifeboat, alive, and a command typed on the console runs.
# Guards as in t_takeover_container.sh: the PID 1 acted on is never the host's.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib_container.sh
ct_setup faults
ct_rootfs
ct_boot
exe0=$(readlink /proc/$CTPID/exe)
echo "container init: host pid $CTPID exe $exe0"
case $exe0 in *busybox*) ;; *) fail "container init is not busybox: $exe0" ;; esac

T0=$(date +%s)
mounts0=$(cut -d' ' -f5 /proc/$CTPID/mountinfo)
# After a failure before PID 1 changed: same init, same mounts, undo said.
assert_unchanged() { # label takeover-output rc
	local exe; exe=$(readlink /proc/$CTPID/exe)
	[ "$3" != 0 ] || { cat $2; fail "$1: takeover exited 0"; }
	kill -0 $CTPID 2>/dev/null || fail "$1: container PID 1 died"
	[ "$exe" = "$exe0" ] || { cat $2; fail "$1: PID 1 exe is now $exe"; }
	grep -q "lifeboat-rescue" /proc/$CTPID/mountinfo && fail "$1: lifeboat tmpfs left mounted"
	[ "$(cut -d' ' -f5 /proc/$CTPID/mountinfo)" = "$mounts0" ] ||
		{ cat /proc/$CTPID/mountinfo; fail "$1: mount table changed"; }
	[ -e /proc/$CTPID/root/run/lifeboat-rescue ] && fail "$1: /run/lifeboat-rescue left"
	echo "$1: rc=$3, PID 1 still $exe, mount table unchanged"
}

# a) copy into the RAM root fails (injected at the carry step)
rc=0; LIFEBOAT_FAULT=copy inside /sbin/lifeboat takeover --yes --grace 1 > $W/a.out 2>&1 || rc=$?
assert_unchanged "a) copy" $W/a.out $rc
grep -q "takeover: copy into /run/lifeboat-rescue: No space left on device (LIFEBOAT_FAULT=copy)" $W/a.out ||
	{ cat $W/a.out; fail "a) copy failure not reported"; }
grep -q "undone: bind and rescue tmpfs removed" $W/a.out || { cat $W/a.out; fail "a) no undo"; }
# a') natural: a --carry that cannot be copied is refused before any change
rc=0; inside /sbin/lifeboat takeover --yes --grace 1 --carry /no/such/tool > $W/a2.out 2>&1 || rc=$?
assert_unchanged "a') --carry missing" $W/a2.out $rc
grep -q "refused: cannot carry /no/such/tool" $W/a2.out || { cat $W/a2.out; fail "a') no refusal"; }
grep -q "refused, nothing changed" $W/a2.out || { cat $W/a2.out; fail "a') no 'nothing changed'"; }

# b) the bind mount over the init's file fails
rc=0; LIFEBOAT_FAULT=bind inside /sbin/lifeboat takeover --yes --grace 1 > $W/b.out 2>&1 || rc=$?
assert_unchanged "b) bind" $W/b.out $rc
grep -q "takeover: bind .* over /etc/inittab: Permission denied (LIFEBOAT_FAULT=bind)" $W/b.out ||
	{ cat $W/b.out; fail "b) bind failure not reported"; }
grep -q "undone: bind and rescue tmpfs removed" $W/b.out || { cat $W/b.out; fail "b) no undo"; }

# c) PID 1 does not re-execute: time out, undo the bind and the tmpfs
t0=$(date +%s.%N); rc=0
LIFEBOAT_FAULT=reexec LIFEBOAT_REEXEC_WAIT=3 inside /sbin/lifeboat takeover --yes --grace 1 \
	> $W/c.out 2>&1 || rc=$?
t1=$(date +%s.%N)
assert_unchanged "c) reexec" $W/c.out $rc
grep -q "RAM root ready" $W/c.out || { cat $W/c.out; fail "c) did not get as far as the trigger"; }
grep -q "PID 1 did not re-execute into lifeboat within 3s" $W/c.out || { cat $W/c.out; fail "c) no timeout"; }
grep -q "undone: bind and rescue tmpfs removed" $W/c.out || { cat $W/c.out; fail "c) no undo"; }
echo "c) timed out and undid in $(echo "$t1 - $t0" | bc) s"
grep -q LIFEBOAT- $CON && fail "a lifeboat marker on the console although PID 1 never changed"

# e) the console cannot be opened: PID 1 still releases the root and runs --run
inside /sbin/lifeboat takeover --yes --grace 1 --console /dev/does-not-exist \
	--run 'echo run-out-e; ls /oldroot | wc -l' > $W/e.out 2>&1
RLOG=/proc/$CTPID/root/run/lifeboat-run.log
for _ in $(seq 300); do
	grep -q run-out-e $RLOG 2>/dev/null && [ "$(sed -n 2p $RLOG 2>/dev/null)" != "" ] && break
	sleep 0.1
done
grep -q run-out-e $RLOG 2>/dev/null || { cat $W/e.out; fail "e) --run did not run"; }
[ "$(sed -n 2p $RLOG)" = 0 ] || { cat $RLOG; fail "e) /oldroot not empty in --run"; }
case $(readlink /proc/$CTPID/exe) in *lifeboat*) ;; *) fail "e) PID 1 is not lifeboat" ;; esac
grep -q " /oldroot" /proc/$CTPID/mountinfo && fail "e) /oldroot still mounted"
grep -q "^$LOOP\|$LOOP " /proc/$CTPID/mountinfo && fail "e) $LOOP still mounted"
e2fsck -fn $LOOP > $W/fsck.out 2>&1 || { cat $W/fsck.out; fail "e) e2fsck on the released root"; }
sleep 1
kill -0 $CTPID 2>/dev/null || fail "e) PID 1 died"
case $(readlink /proc/$CTPID/exe) in *lifeboat*) ;; *) fail "e) PID 1 left lifeboat" ;; esac
grep -q LIFEBOAT- $CON && fail "e) markers on the console that could not be opened"
echo "e) no console: PID 1 lifeboat, root released (e2fsck clean), --run ran: $(tr '\n' ' ' < $RLOG)"
inside /lifeboat/lifeboat return > $W/e-ret.out 2>&1
wait_for CT-BOOTED 2 20 || { cat $W/e-ret.out; fail "e) original init did not come back"; }
exe0=$(readlink /proc/$CTPID/exe)
case $exe0 in *busybox*) ;; *) fail "e) after return PID 1 is $exe0" ;; esac

# d) a root that will not release: PID 1 stays lifeboat and its shell works
nsenter -t $CTPID -m -- /bin/busybox sh -c 'cd /etc && exec /bin/busybox sleep 120' &
HOLDER=$!
sleep 0.5
inside /sbin/lifeboat takeover --yes --grace 1 --then shell > $W/d.out 2>&1
wait_for "LIFEBOAT-ROOT-BUSY mount=/oldroot" 1 30 || { cat $W/d.out; fail "d) no ROOT-BUSY"; }
wait_for "LIFEBOAT-THEN action=shell" 1 30 || fail "d) no THEN after busy root"
grep -q LIFEBOAT-ROOT-RELEASED $CON && fail "d) RELEASED despite a holder"
ok=
for _ in $(seq 10); do
	echo 'echo SHELL-MARK-$((6*7)) $$' > $W/con.in
	wait_for "SHELL-MARK-42" 1 2 && { ok=1; break; }
done
[ -n "$ok" ] || fail "d) the console shell did not run a command"
kill -0 $CTPID 2>/dev/null || fail "d) PID 1 died"
case $(readlink /proc/$CTPID/exe) in *lifeboat*) ;; *) fail "d) PID 1 is not lifeboat" ;; esac
echo "d) busy root: PID 1 lifeboat, console shell answered: $(grep -a '^SHELL-MARK-42' $CON | head -1)"
kill -KILL $HOLDER; wait $HOLDER 2>/dev/null; HOLDER=

echo "--- console:"; head -60 $CON; echo
echo "RESULT: PASS faults at copy, carry, bind, re-exec leave PID 1 and mounts unchanged; no console and busy root end with lifeboat PID 1 alive, root released / shell answering ($(( $(date +%s) - T0 )) s after boot)"
