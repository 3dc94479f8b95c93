#!/usr/bin/env bash
# lifeboat takeover --ssh inside a container (new PID, mount and network
# namespaces; busybox init as PID 1 on an ext4 image). The carried dropbear
# must be started with the container's own host key before the old userland
# is stopped, survive the stop, and let us log in with the old
# authorized_keys over the namespace's loopback while lifeboat is PID 1 and
# the old root is released.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib_container.sh
ct_setup ssh dropbear dbclient dropbearkey ip
ct_rootfs
mkdir -p $R/etc/dropbear $R/root/.ssh $R/usr/sbin
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
ct_boot net

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
