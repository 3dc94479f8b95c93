#!/usr/bin/env bash
# lifeboat takeover --ssh inside a container (new PID, mount and network
# namespaces; busybox init as PID 1 on an ext4 image). The carried dropbear
# must be started with the container's own host key before the old userland
# is stopped, survive the stop, and let us log in with the old
# authorized_keys over the namespace's loopback while lifeboat is PID 1 and
# the old root is released.
set -u
cd "$(dirname "$0")/../.."
LB=$PWD/lifeboat
BB=/bin/busybox
for need in unshare nsenter losetup mkfs.ext4 dropbear dbclient dropbearkey ip python3; do
	command -v $need >/dev/null || { echo "SKIP: $need missing (dropbear-bin)"; exit 77; }
done
[ -x "$BB" ] || { echo "SKIP: static busybox missing (busybox-static)"; exit 77; }
[ -x "$LB" ] || { echo "FAIL: build ./lifeboat first"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }

W=$(mktemp -d /tmp/lbr-ssh.XXXXXX)
CON=$W/console.log
LOOP= USPID= CATPID= CTPID=
cleanup() {
	[ -n "$USPID" ] && kill -KILL "$USPID" 2>/dev/null
	[ -n "$CTPID" ] && [ "$CTPID" != 1 ] && kill -KILL "$CTPID" 2>/dev/null
	[ -n "$USPID" ] && wait "$USPID" 2>/dev/null
	[ -n "$LOOP" ] && losetup -d "$LOOP" 2>/dev/null
	[ -n "$CATPID" ] && kill "$CATPID" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
fail() { echo "--- console:"; cat "$CON"; echo; echo "RESULT: FAIL $*"; exit 1; }

R=$W/rootfs
mkdir -p $R/bin $R/sbin $R/etc/dropbear $R/dev $R/proc $R/sys $R/run $R/tmp $R/oldhost $R/root/.ssh $R/usr/sbin
cp $BB $R/bin/busybox
ln -s busybox $R/bin/sh
cp "$LB" $R/sbin/lifeboat
# dropbear with its libraries at their host paths (what a real system has)
cp /usr/sbin/dropbear $R/usr/sbin/
for lib in $(ldd /usr/sbin/dropbear | grep -o '/[^ ]*'); do
	mkdir -p $R$(dirname $lib); cp -L $lib $R$lib
done
echo 'root:x:0:0:root:/root:/bin/sh' > $R/etc/passwd
echo 'root:x:0:' > $R/etc/group
dropbearkey -t ed25519 -f $R/etc/dropbear/dropbear_ed25519_host_key > /dev/null 2>&1
dropbearkey -t ed25519 -f $W/id > /dev/null 2>&1
dropbearkey -y -f $W/id | grep '^ssh-' > $R/root/.ssh/authorized_keys
chmod 700 $R/root $R/root/.ssh; chmod 600 $R/root/.ssh/authorized_keys
hostfp=$(dropbearkey -y -f $R/etc/dropbear/dropbear_ed25519_host_key | grep -i fingerprint)
cat > $R/etc/inittab <<'TAB'
::sysinit:/bin/sh -c 'echo CT-BOOTED > /dev/console'
TAB
truncate -s 64M $W/root.img
mkfs.ext4 -q -F -d $R $W/root.img || fail "mkfs"
LOOP=$(losetup -f --show $W/root.img) || fail "losetup"
: > $CON
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

cat > $W/ct-start.sh <<EOF2
set -e
[ \$\$ -eq 1 ] || exit 99
ip link set lo up
M=$W/mnt; mkdir -p \$M
mount $LOOP \$M
mount -t proc proc \$M/proc
mount -t tmpfs -o mode=755 dev \$M/dev
for n in null:1:3 zero:1:5 random:1:8 urandom:1:9 tty:5:0 ptmx:5:2; do
	IFS=: read name maj min <<< "\$n"; mknod -m 666 \$M/dev/\$name c \$maj \$min
done
mkdir \$M/dev/pts; mount -t devpts -o newinstance,ptmxmode=666 devpts \$M/dev/pts
touch \$M/dev/console; mount --bind $PTY \$M/dev/console
mount -t tmpfs -o mode=755,nosuid,nodev,noexec run \$M/run
cd \$M
pivot_root . oldhost
exec /bin/busybox sh -c 'umount -l /oldhost && exec /bin/busybox init' </dev/console >/dev/console 2>&1
EOF2
unshare --pid --fork --mount --net --propagation private bash $W/ct-start.sh > $W/ct.out 2>&1 &
USPID=$!
wait_for() {
	for _ in $(seq 1 $(( $3 * 10 ))); do
		[ "$(grep -c -- "$1" $CON)" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
wait_for CT-BOOTED 1 20 || { cat $W/ct.out; fail "container did not boot"; }
CTPID=$(pgrep -P $USPID | head -1)
[ -n "$CTPID" ] && [ "$CTPID" != 1 ] || fail "no container pid"
[ "$(readlink /proc/$CTPID/ns/pid)" != "$(readlink /proc/1/ns/pid)" ] || fail "same pid ns"
[ "$(readlink /proc/$CTPID/ns/net)" != "$(readlink /proc/1/ns/net)" ] || fail "same net ns"
inside() { nsenter -t $CTPID -m -p -- "$@"; }

inside /sbin/lifeboat takeover --dry-run --ssh 2222 > $W/dry.out 2>&1
grep -q "ssh: /usr/sbin/dropbear on port 2222" $W/dry.out || { cat $W/dry.out; fail "plan lacks ssh"; }
grep -q "libtomcrypt" $W/dry.out || fail "dropbear libraries not carried"
inside /sbin/lifeboat takeover --yes --grace 1 --ssh 2222 > $W/takeover.out 2>&1
wait_for LIFEBOAT-THEN 1 30 || { cat $W/takeover.out; fail "no LIFEBOAT-THEN"; }
grep -q LIFEBOAT-ROOT-RELEASED $CON || fail "root not released"
grep -q "ssh server /usr/sbin/dropbear on port 2222" $CON || fail "ssh not started"
out=$(nsenter -t $CTPID -n -- timeout 20 dbclient -y -i $W/id -p 2222 root@127.0.0.1 \
	'echo pid1=$(cat /proc/1/comm); ls /oldroot | wc -l; ls /etc/dropbear' 2>$W/dbclient.err)
echo "$out"
echo "$out" | grep -q "pid1=lifeboat" || { cat $W/dbclient.err; fail "ssh login into the rescue system"; }
[ "$(echo "$out" | sed -n 2p)" = 0 ] || fail "/oldroot not empty"
# the rescue sshd presents the old system's host key
fp=$(echo "$hostfp" | awk '{print $NF}')
grep -q "fingerprint $fp" $W/dbclient.err || { cat $W/dbclient.err; fail "host key differs from the old one ($fp)"; }
echo "$out" | grep -q dropbear_ed25519_host_key || fail "old host key not carried"
echo "RESULT: PASS ssh login (dropbear, old host key, authorized_keys) into the rescue system with the root released"
