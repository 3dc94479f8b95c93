#!/usr/bin/env bash
# lifeboat takeover --image in a container (PID + mount + network namespace,
# busybox init on an ext4 image, see lib_container.sh), no VM boot. A second
# loop device is the target disk; `lifeboat serve --no-dhcp` in its own
# network namespace serves the images over HTTP (192.0.2.1 -> 192.0.2.2).
#  A. xz over HTTP with a wrong --sha256: written, read back, refused:
#     LIFEBOAT-IMAGE-FAILED, no LIFEBOAT-THEN (no switch); `lifeboat return`.
#  B. zstd from a local file with --revert-after: LIFEBOAT-IMAGE-WAIT and the
#     target untouched until `lifeboat confirm`; then written, verified,
#     --then return brings busybox init back; the target equals the image.
#  C. gzip over HTTP with the right --sha256 and --then switch: progress
#     lines, LIFEBOAT-IMAGE-OK, the written disk's own init runs (CT3-BOOTED).
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib_container.sh
ct_setup image ip xz zstd gzip sha256sum cmp
NS=lbimg-$$
TGT= SRVPID=
img_cleanup() {
	[ -n "$SRVPID" ] && kill "$SRVPID" 2>/dev/null && wait "$SRVPID" 2>/dev/null
	ip netns del $NS 2>/dev/null
	[ -n "$TGT" ] && losetup -d "$TGT" 2>/dev/null
	ct_cleanup
}
trap img_cleanup EXIT
t_start=$(date +%s.%N)

# The image to write: a busybox root whose init says CT3-BOOTED.
R3=$W/root3
mkdir -p $R3/bin $R3/sbin $R3/etc $R3/dev $R3/proc $R3/sys $R3/run
cp "$BB" $R3/bin/busybox
ln -s busybox $R3/bin/sh
ln -s ../bin/busybox $R3/sbin/init
echo "::sysinit:/bin/sh -c 'echo CT3-BOOTED which=\$(cat /etc/which-root) > /dev/console'" >$R3/etc/inittab
echo written-image >$R3/etc/which-root
truncate -s 16M $W/new.img
mkfs.ext4 -q -F -d $R3 $W/new.img || fail "mkfs new.img"
mkdir -p $W/www
xz -T1 -c $W/new.img >$W/www/new.img.xz
gzip -c $W/new.img >$W/www/new.img.gz
SUM=$(sha256sum $W/new.img | cut -d' ' -f1)
BAD=$(echo "$SUM" | tr 0-9a-f 1-9a-f0)

ct_rootfs
zstd -q -c $W/new.img >$R/new.img.zst
# The system's own zstd (dynamic), which takeover carries with its libraries.
mkdir -p $R/usr/bin
cp /usr/bin/zstd $R/usr/bin/zstd
for l in $(ldd /usr/bin/zstd | grep -o '/[^ ]*'); do cp --parents -L "$l" $R/; done
ct_boot net
truncate -s 24M $W/target.img
TGT=$(losetup -f --show $W/target.img) || fail "losetup target"
n=${TGT#/dev/loop}
inside /bin/busybox mknod -m 600 /dev/loop$n b 7 $n || fail "mknod target in the container"

# The network: serve in $NS, the container at 192.0.2.2.
ip netns add $NS
ip link add lbi0-$$ type veth peer name lbi1-$$
ip link set lbi0-$$ netns $CTPID
ip link set lbi1-$$ netns $NS
nsenter -t $CTPID -n sh -c "ip link set lbi0-$$ name eth0 && ip addr add 192.0.2.2/24 dev eth0 && ip link set eth0 up"
ip -n $NS addr add 192.0.2.1/24 dev lbi1-$$
ip -n $NS link set lbi1-$$ up
ip -n $NS link set lo up
ip netns exec $NS "$LB" serve $W/www --no-dhcp -i lbi1-$$ >$W/serve.log 2>&1 &
SRVPID=$!
for _ in $(seq 50); do
	nsenter -t $CTPID -n python3 -c 'import socket; socket.create_connection(("192.0.2.1", 80), 1)' 2>/dev/null && break
	sleep 0.2
done

# A. wrong --sha256: refused before any --then.
inside /sbin/lifeboat takeover --yes --grace 1 --image http://192.0.2.1/new.img.xz \
	--target /dev/loop$n --sha256 $BAD --then switch >$W/a.out 2>&1
wait_for "LIFEBOAT-IMAGE-FAILED" 1 60 || { cat $W/a.out; fail "A: no LIFEBOAT-IMAGE-FAILED"; }
grep -q "LIFEBOAT-IMAGE-FAILED sha256=$SUM, expected $BAD" $CON || fail "A: failure does not name both sums"
sleep 1
grep -q "LIFEBOAT-THEN" $CON && fail "A: --then ran after a wrong --sha256"
grep -q "LIFEBOAT-SWITCHED" $CON && fail "A: switched after a wrong --sha256"
echo "A: xz over HTTP, wrong sha256 refused, no --then"
inside /lifeboat/lifeboat return >$W/ret.out 2>&1
wait_for CT-BOOTED 2 20 || fail "A: busybox init did not come back"

# B. --revert-after: nothing written before confirm.
dd if=/dev/zero of=$TGT bs=1M count=24 conv=fsync status=none
inside /sbin/lifeboat takeover --yes --grace 1 --image /new.img.zst --target /dev/loop$n \
	--sha256 $SUM --revert-after 120 --then return >$W/b.out 2>&1
wait_for "LIFEBOAT-IMAGE-WAIT" 1 30 || { cat $W/b.out; fail "B: no LIFEBOAT-IMAGE-WAIT"; }
sleep 2
cmp -s -n 16777216 $TGT /dev/zero || fail "B: target written before confirm"
[ "$(grep -c "LIFEBOAT-IMAGE-START" $CON)" = 1 ] || fail "B: image started before confirm"
inside /lifeboat/lifeboat confirm >$W/confirm.out 2>&1
wait_for "LIFEBOAT-IMAGE-OK" 1 60 || fail "B: no LIFEBOAT-IMAGE-OK after confirm"
wait_for CT-BOOTED 3 30 || fail "B: --then return did not bring busybox init back"
cmp -n 16777216 $TGT $W/new.img || fail "B: target differs from the image"
echo "B: zstd local file written only after confirm, verified, returned"

# C. gzip over HTTP, right sha256, switch to the written disk.
dd if=/dev/zero of=$TGT bs=1M count=24 conv=fsync status=none
inside /sbin/lifeboat takeover --yes --grace 1 --image http://192.0.2.1/new.img.gz \
	--target /dev/loop$n --sha256 $SUM --then switch >$W/c.out 2>&1
wait_for "CT3-BOOTED which=written-image" 1 60 || { cat $W/c.out; fail "C: the written root did not boot"; }
[ "$(grep -c "LIFEBOAT-IMAGE-OK sha256=$SUM bytes=16777216" $CON)" = 2 ] || fail "B+C: not two LIFEBOAT-IMAGE-OK with the sum"
[ "$(grep -Ec "LIFEBOAT-IMAGE-PROGRESS written=16.0MiB .*done" $CON)" = 3 ] || fail "A+B+C: not three final progress lines"
grep -q "LIFEBOAT-SWITCHED" $CON || fail "C: no LIFEBOAT-SWITCHED"
grep -q "GET /new.img.gz\|new.img.gz" $W/serve.log || echo "note: serve log does not name the GET"
t_end=$(date +%s.%N)
echo "RESULT: PASS t_takeover_image: xz/wrong-sha refused, zstd after confirm, gzip over HTTP switched ($(echo "$t_end - $t_start" | bc) s)"
