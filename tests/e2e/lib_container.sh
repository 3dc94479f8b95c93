# lib_container.sh: a throw-away "container" for takeover tests. A private
# PID + mount namespace (optionally network too) whose PID 1 is busybox init
# on a loop-mounted ext4 image, with a pty as /dev/console whose output is
# drained into $CON and whose input is fed from the fifo $W/con.in.
#
# Use (from the repo root, with `set -u`):
#   . tests/e2e/lib_container.sh
#   ct_setup TAG [COMMAND...]    checks (root, busybox-static, ./lifeboat,
#                                COMMANDs), work dir $W, EXIT trap, fail()
#   ct_rootfs                    $R: busybox, /sbin/lifeboat, an inittab that
#                                prints CT-BOOTED on the console
#   ct_root2_tar                 $R/root2.tar.gz: a second root (CT2-BOOTED)
#   ...add your own files to $R...
#   ct_boot [net]                image + loop ($LOOP), console ($PTY), start,
#                                wait for CT-BOOTED; sets $CTPID and inside()
#   wait_for PATTERN COUNT SECS  until PATTERN is on the console COUNT times
#
# Guards make sure the PID 1 acted on is never the host's.

LB=$PWD/lifeboat
BB=/bin/busybox
W= CON= LOOP= USPID= CATPID= CTPID= HOLDER= R=
CT_NET=0

ct_cleanup() {
	[ -n "$USPID" ] && kill -KILL "$USPID" 2>/dev/null
	[ -n "$CTPID" ] && [ "$CTPID" != 1 ] && kill -KILL "$CTPID" 2>/dev/null
	[ -n "$USPID" ] && wait "$USPID" 2>/dev/null
	[ -n "$LOOP" ] && losetup -d "$LOOP" 2>/dev/null
	[ -n "$HOLDER" ] && kill -KILL "$HOLDER" 2>/dev/null
	[ -n "$CATPID" ] && kill "$CATPID" 2>/dev/null
	[ -n "$W" ] && rm -rf "$W"
}

fail() {
	echo "--- console:"
	[ -n "$CON" ] && cat "$CON"
	echo
	echo "RESULT: FAIL $*"
	exit 1
}

ct_setup() {
	local tag=$1 need
	shift
	for need in unshare nsenter losetup mkfs.ext4 e2fsck python3 "$@"; do
		command -v "$need" >/dev/null || { echo "SKIP: $need missing"; exit 77; }
	done
	file -L "$BB" 2>/dev/null | grep -q static || { echo "SKIP: static busybox missing (busybox-static)"; exit 77; }
	[ -x "$LB" ] || { echo "FAIL: build ./lifeboat first"; exit 1; }
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
	W=$(mktemp -d "/tmp/lbct-$tag.XXXXXX")
	CON=$W/console.log
	R=$W/rootfs
	trap ct_cleanup EXIT
}

ct_rootfs() {
	mkdir -p $R/bin $R/sbin $R/etc $R/dev $R/proc $R/sys $R/run $R/tmp $R/oldhost
	cp "$BB" $R/bin/busybox
	for a in sh echo cat sleep mount umount ls; do ln -s busybox $R/bin/$a; done
	cp "$LB" $R/sbin/lifeboat
	cat >$R/etc/inittab <<'TAB'
::sysinit:/bin/sh -c 'echo CT-BOOTED pid=$$ > /dev/console'
::restart:/bin/busybox init
TAB
	touch $R/etc/keep-me
}

ct_root2_tar() {
	local R2=$W/root2
	mkdir -p $R2/bin $R2/sbin $R2/etc $R2/dev $R2/proc $R2/sys $R2/run
	cp "$BB" $R2/bin/busybox
	ln -s busybox $R2/bin/sh
	ln -s ../bin/busybox $R2/sbin/init
	echo "::sysinit:/bin/sh -c 'echo CT2-BOOTED > /dev/console'" >$R2/etc/inittab
	echo second >$R2/etc/which-root
	cp "$LB" $R2/sbin/lifeboat
	tar -C $R2 -czf $R/root2.tar.gz .
}

# The console: a pty whose master side is drained into $CON (a real tty: the
# rescue shell gets it as controlling tty) and fed from the fifo $W/con.in.
ct_console() {
	: >$CON
	mkfifo $W/con.in
	python3 - $W/pty.name $CON $W/con.in <<'PY' &
import os, pty, select, sys
m, s = pty.openpty()
# O_RDWR: the fifo never reports EOF when a writer goes away.
fin = os.open(sys.argv[3], os.O_RDWR)
open(sys.argv[1], "w").write(os.ttyname(s))
out = open(sys.argv[2], "ab", buffering=0)
while True:
    r, _, _ = select.select([m, fin], [], [])
    if fin in r:
        os.write(m, os.read(fin, 4096))
    if m in r:
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
}

wait_for() { # pattern count seconds
	for _ in $(seq 1 $(($3 * 10))); do
		[ "$(grep -c -- "$1" $CON)" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

inside() { nsenter -t $CTPID -m -p -- "$@"; }

ct_boot() {
	local unshare_net=
	[ "${1:-}" = net ] && { CT_NET=1; unshare_net=--net; }
	truncate -s 64M $W/root.img
	mkfs.ext4 -q -F -d $R $W/root.img || fail "mkfs"
	LOOP=$(losetup -f --show $W/root.img) || fail "losetup"
	ct_console
	# Runs as PID 1 of the new namespaces: mount the image, build /dev,
	# pivot into it and become busybox init.
	cat >$W/ct-start.sh <<EOF2
set -e
[ \$\$ -eq 1 ] || { echo "not ns pid 1"; exit 99; }
[ $CT_NET = 1 ] && ip link set lo up
M=$W/mnt; mkdir -p \$M
mount $LOOP \$M
mount -t proc proc \$M/proc
mount -t tmpfs -o mode=755 dev \$M/dev
for n in null:1:3 zero:1:5 random:1:8 urandom:1:9 tty:5:0 ptmx:5:2; do
	IFS=: read name maj min <<< "\$n"; mknod -m 666 \$M/dev/\$name c \$maj \$min
done
mknod -m 600 \$M/dev/$(basename $LOOP) b 7 ${LOOP#/dev/loop}
mkdir \$M/dev/pts; mount -t devpts -o newinstance,ptmxmode=666 devpts \$M/dev/pts
touch \$M/dev/console; mount --bind $PTY \$M/dev/console
mount -t tmpfs -o mode=755,nosuid,nodev,noexec run \$M/run
cd \$M
pivot_root . oldhost
exec /bin/busybox sh -c 'umount -l /oldhost && exec /bin/busybox init' </dev/console >/dev/console 2>&1
EOF2
	unshare --pid --fork --mount $unshare_net --propagation private bash $W/ct-start.sh >$W/ct.out 2>&1 &
	USPID=$!
	wait_for CT-BOOTED 1 20 || { cat $W/ct.out; fail "container did not boot"; }
	CTPID=$(pgrep -P $USPID | head -1)
	[ -n "$CTPID" ] && [ "$CTPID" != 1 ] || fail "no container pid"
	[ "$(readlink /proc/$CTPID/ns/pid)" != "$(readlink /proc/1/ns/pid)" ] || fail "same pid ns as host"
	[ "$(readlink /proc/$CTPID/ns/mnt)" != "$(readlink /proc/1/ns/mnt)" ] || fail "same mount ns as host"
	if [ $CT_NET = 1 ]; then
		[ "$(readlink /proc/$CTPID/ns/net)" != "$(readlink /proc/1/ns/net)" ] || fail "same net ns as host"
	fi
	grep -q "NSpid:.*[[:space:]]1$" /proc/$CTPID/status || fail "not pid 1 in its namespace"
}
