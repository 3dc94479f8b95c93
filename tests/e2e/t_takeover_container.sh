#!/usr/bin/env bash
# lifeboat takeover inside a container: a PID + mount namespace whose PID 1
# is busybox init on an ext4 image (loop device). Proves that
#  - takeover replaces the container's PID 1 with lifeboat (same PID, new exe),
#  - the old root is fully unmounted (e2fsck -fn on the loop device is clean),
#  - --run and --then run, markers appear on the console,
#  - `lifeboat return` brings the original busybox init back,
#  - --revert-after fires without `lifeboat confirm` and returns too.
# Everything happens inside the unshared namespaces; guards make sure the
# PID 1 we act on is never the host's.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib_container.sh
ct_setup ct
ct_rootfs
ct_root2_tar
ct_boot
exe0=$(readlink /proc/$CTPID/exe)
echo "container init: host pid $CTPID exe $exe0"
case $exe0 in *busybox*) ;; *) fail "container init is not busybox: $exe0" ;; esac

# 1. dry run inside names busybox
inside /sbin/lifeboat takeover --dry-run > $W/dry.out 2>&1
grep -q "init: busybox" $W/dry.out || { cat $W/dry.out; fail "dry run did not find busybox"; }
grep -q "verdict: would proceed" $W/dry.out || { cat $W/dry.out; fail "dry run refuses"; }

# 2. takeover
t0=$(date +%s.%N)
inside /sbin/lifeboat takeover --yes --grace 1 --run 'echo run-output-here; ls /oldroot | wc -l' \
	--then shell > $W/takeover.out 2>&1
wait_for LIFEBOAT-THEN 1 30 || { cat $W/takeover.out; fail "no LIFEBOAT-THEN"; }
t1=$(date +%s.%N)
for m in "LIFEBOAT-PID1 pid=1 init=busybox" "LIFEBOAT-ROOT-RELEASED secs=" \
	"LIFEBOAT-RUN-START cmd=echo run-output-here" "run-output-here" \
	"LIFEBOAT-RUN-EXIT status=0" "LIFEBOAT-THEN action=shell"; do
	grep -q -- "$m" $CON || fail "missing marker: $m"
done
exe1=$(readlink /proc/$CTPID/exe)
echo "after takeover: host pid $CTPID exe $exe1 ($(echo "$t1 - $t0" | bc) s)"
case $exe1 in *lifeboat*) ;; *) fail "PID 1 exe is $exe1" ;; esac
grep -q " /oldroot" /proc/$CTPID/mountinfo && fail "/oldroot still mounted"
grep -q "^$LOOP\|$LOOP " /proc/$CTPID/mountinfo && fail "$LOOP still mounted"
e2fsck -fn $LOOP > $W/fsck.out 2>&1 || { cat $W/fsck.out; fail "e2fsck on the released root"; }
echo "e2fsck -fn $LOOP clean while lifeboat is PID 1"
grep "LIFEBOAT-ROOT-RELEASED" $CON

# 3. lifeboat return -> busybox init again, same PID
# (PID 1 kills every rescue process, this caller too, before it switches)
inside /lifeboat/lifeboat return > $W/return.out 2>&1
grep -q "asked PID 1 to return" $W/return.out || { cat $W/return.out; fail "return cmd"; }
wait_for CT-BOOTED 2 20 || fail "original init did not come back"
grep -q LIFEBOAT-RETURNED $CON || fail "no LIFEBOAT-RETURNED"
exe2=$(readlink /proc/$CTPID/exe)
case $exe2 in *busybox*) ;; *) fail "after return PID 1 exe is $exe2" ;; esac
[ -e /proc/$CTPID/root/etc/keep-me ] || fail "old root files not back"
echo "returned: host pid $CTPID exe $exe2"

# 4. dead-man switch: no confirm -> revert
inside /sbin/lifeboat takeover --yes --grace 1 --revert-after 2 > $W/takeover2.out 2>&1
wait_for "LIFEBOAT-REVERT reason=deadman" 1 30 || { cat $W/takeover2.out; fail "no deadman revert"; }
wait_for CT-BOOTED 3 20 || fail "original init did not come back after revert"
[ "$(grep -c LIFEBOAT-RETURNED $CON)" -ge 2 ] || fail "no second LIFEBOAT-RETURNED"
case $(readlink /proc/$CTPID/exe) in *busybox*) ;; *) fail "after revert PID 1 is not busybox" ;; esac

# 5. confirm stops the dead-man switch
inside /sbin/lifeboat takeover --yes --grace 1 --revert-after 4 > $W/takeover3.out 2>&1
wait_for "LIFEBOAT-THEN" 3 30 || fail "third takeover"
inside /lifeboat/lifeboat confirm > $W/confirm.out 2>&1 || { cat $W/confirm.out; fail "confirm"; }
wait_for LIFEBOAT-CONFIRMED 1 5 || fail "no LIFEBOAT-CONFIRMED"
sleep 5
[ "$(grep -c 'LIFEBOAT-REVERT' $CON)" -eq 1 ] || fail "reverted despite confirm"
case $(readlink /proc/$CTPID/exe) in *lifeboat*) ;; *) fail "PID 1 left lifeboat after confirm" ;; esac

# 6. back to busybox, then --switch-to the tarball (unpacked into RAM)
inside /lifeboat/lifeboat return > $W/return2.out 2>&1
wait_for CT-BOOTED 4 20 || fail "no 4th boot"
inside /sbin/lifeboat takeover --yes --grace 1 --switch-to /root2.tar.gz > $W/switch.out 2>&1
wait_for CT2-BOOTED 1 30 || { cat $W/switch.out; fail "switched root did not boot"; }
grep -q "LIFEBOAT-THEN action=switch" $CON || fail "no THEN switch"
grep -q "LIFEBOAT-SWITCHED" $CON || fail "no LIFEBOAT-SWITCHED"
[ "$(cat /proc/$CTPID/root/etc/which-root)" = second ] || fail "root is not the tarball"
case $(readlink /proc/$CTPID/exe) in *busybox*) ;; *) fail "after switch PID 1 is not busybox" ;; esac
grep -q "$LOOP\| /oldroot" /proc/$CTPID/mountinfo && fail "old root still mounted after switch"
e2fsck -fn $LOOP > $W/fsck2.out 2>&1 || { cat $W/fsck2.out; fail "e2fsck after switch"; }

# 7. a holder lifeboat cannot kill (outside the container's PID namespace,
#    cwd inside its root): LIFEBOAT-ROOT-BUSY, lazy detach, no RELEASED
nsenter -t $CTPID -m -- /bin/busybox sh -c 'cd /etc && exec /bin/busybox sleep 60' &
HOLDER=$!
sleep 0.5
released=$(grep -c LIFEBOAT-ROOT-RELEASED $CON)
inside /sbin/lifeboat takeover --yes --grace 1 > $W/busy.out 2>&1
wait_for "LIFEBOAT-ROOT-BUSY mount=/oldroot" 1 30 || { cat $W/busy.out; cat $CON | tail -20; kill $HOLDER; fail "no ROOT-BUSY"; }
wait_for "LIFEBOAT-THEN" 5 30 || { kill $HOLDER; fail "no THEN after busy root"; }
[ "$(grep -c LIFEBOAT-ROOT-RELEASED $CON)" = "$released" ] || { kill $HOLDER; fail "RELEASED despite a holder"; }
grep -q "detached lazily" $CON || fail "no lazy detach"
kill $HOLDER; wait $HOLDER 2>/dev/null; HOLDER=

echo "--- console:"; head -80 $CON; echo
echo "RESULT: PASS container PID 1 replaced, root released (e2fsck clean), return + deadman + confirm + switch-to tar + busy root reported"
