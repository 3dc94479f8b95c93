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
LB=$PWD/lifeboat
BB=$(command -v busybox || true)
for need in unshare nsenter losetup mkfs.ext4 e2fsck; do
	command -v $need >/dev/null || { echo "SKIP: $need missing"; exit 77; }
done
[ -n "$BB" ] && file -L "$BB" 2>/dev/null | grep -q static || BB=/bin/busybox
[ -x "$BB" ] || { echo "SKIP: static busybox missing (busybox-static)"; exit 77; }
[ -x "$LB" ] || { echo "FAIL: build ./lifeboat first"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }

W=$(mktemp -d /tmp/lbr-ct.XXXXXX)
CON=$W/console.log
LOOP=
USPID=
cleanup() {
	[ -n "$USPID" ] && kill -KILL "$USPID" 2>/dev/null
	[ -n "${CTPID:-}" ] && [ "$CTPID" != 1 ] && kill -KILL "$CTPID" 2>/dev/null
	[ -n "$USPID" ] && wait "$USPID" 2>/dev/null
	[ -n "$LOOP" ] && losetup -d "$LOOP" 2>/dev/null
	[ -n "${CATPID:-}" ] && kill "$CATPID" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
fail() { echo "--- console:"; cat "$CON"; echo; echo "RESULT: FAIL $*"; exit 1; }

# The container's root filesystem: busybox, lifeboat, an inittab.
R=$W/rootfs
mkdir -p $R/bin $R/sbin $R/etc $R/dev $R/proc $R/sys $R/run $R/tmp $R/oldhost
cp "$BB" $R/bin/busybox
for a in sh echo cat sleep mount umount ls; do ln -s busybox $R/bin/$a; done
cp "$LB" $R/sbin/lifeboat
cat > $R/etc/inittab <<'TAB'
::sysinit:/bin/sh -c 'echo CT-BOOTED pid=$$ > /dev/console'
::restart:/bin/busybox init
TAB
touch $R/etc/keep-me
# A second root for --switch-to, as a gzipped tar inside the first.
R2=$W/root2
mkdir -p $R2/bin $R2/sbin $R2/etc $R2/dev $R2/proc $R2/sys $R2/run
cp "$BB" $R2/bin/busybox
ln -s busybox $R2/bin/sh
ln -s ../bin/busybox $R2/sbin/init
cat > $R2/etc/inittab <<'TAB'
::sysinit:/bin/sh -c 'echo CT2-BOOTED > /dev/console'
TAB
echo second > $R2/etc/which-root
cp "$LB" $R2/sbin/lifeboat
tar -C $R2 -czf $R/root2.tar.gz .
truncate -s 64M $W/root.img
mkfs.ext4 -q -F -d $R $W/root.img || fail "mkfs"
LOOP=$(losetup -f --show $W/root.img) || fail "losetup"
: > $CON
# The console is a pty whose master side is drained into $CON: a real tty
# (the rescue shell gets it as controlling tty and waits for input), and
# every writer appends in order.
python3 - $W/pty.name $CON <<'PY' &
import os, pty, sys
m, s = pty.openpty()
open(sys.argv[1], "w").write(os.ttyname(s))
out = open(sys.argv[2], "ab", buffering=0)
while True:
    try:
        d = os.read(m, 4096)
    except OSError:
        break
    if not d:
        break
    out.write(d.replace(b"\r\n", b"\n"))
PY
CATPID=$!
for _ in $(seq 50); do [ -s $W/pty.name ] && break; sleep 0.1; done
PTY=$(cat $W/pty.name)
[ -c "$PTY" ] || fail "no pty"

# Runs as PID 1 of the new namespaces: mount the image, build /dev, pivot
# into it and become busybox init.
cat > $W/ct-start.sh <<EOF2
set -e
[ \$\$ -eq 1 ] || { echo "not ns pid 1"; exit 99; }
M=$W/mnt; mkdir -p \$M
mount $LOOP \$M
mount -t proc proc \$M/proc
mount -t tmpfs -o mode=755 dev \$M/dev
for n in null:1:3 zero:1:5 random:1:8 urandom:1:9 tty:5:0; do
	IFS=: read name maj min <<< "\$n"; mknod -m 666 \$M/dev/\$name c \$maj \$min
done
mknod -m 600 \$M/dev/$(basename $LOOP) b 7 ${LOOP#/dev/loop}
touch \$M/dev/console; mount --bind $PTY \$M/dev/console
mount -t tmpfs -o mode=755,nosuid,nodev,noexec run \$M/run
cd \$M
pivot_root . oldhost
exec /bin/busybox sh -c 'umount -l /oldhost && exec /bin/busybox init' </dev/console >/dev/console 2>&1
EOF2
unshare --pid --fork --mount --propagation private bash $W/ct-start.sh > $W/ct.out 2>&1 &
USPID=$!
wait_for() { # pattern count seconds
	for _ in $(seq 1 $(( $3 * 10 ))); do
		[ "$(grep -c -- "$1" $CON)" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
wait_for CT-BOOTED 1 20 || { cat $W/ct.out; fail "container did not boot"; }
CTPID=$(pgrep -P $USPID | head -1)
# Guards: the target is the container's PID 1, never the host's.
[ -n "$CTPID" ] && [ "$CTPID" != 1 ] || fail "no container pid"
[ "$(readlink /proc/$CTPID/ns/pid)" != "$(readlink /proc/1/ns/pid)" ] || fail "same pid ns as host"
[ "$(readlink /proc/$CTPID/ns/mnt)" != "$(readlink /proc/1/ns/mnt)" ] || fail "same mount ns as host"
grep -q "NSpid:.*[[:space:]]1$" /proc/$CTPID/status || fail "not pid 1 in its namespace"
exe0=$(readlink /proc/$CTPID/exe)
echo "container init: host pid $CTPID exe $exe0"
case $exe0 in *busybox*) ;; *) fail "container init is not busybox: $exe0" ;; esac
inside() { nsenter -t $CTPID -m -p -- "$@"; }

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
kill $HOLDER; wait $HOLDER 2>/dev/null

echo "--- console:"; head -80 $CON; echo
echo "RESULT: PASS container PID 1 replaced, root released (e2fsck clean), return + deadman + confirm + switch-to tar + busy root reported"
