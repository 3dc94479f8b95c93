#!/usr/bin/env bash
# takeover --image over HTTP from `lifeboat serve` re-images a VM's second
# disk and switches to it (one VM boot). `lifeboat serve DIR --no-dhcp`
# runs in a private network namespace on a veth end (192.0.2.1);
# QEMU runs in the same namespace with user networking (guest in
# 198.51.100.0/24), so the guest's connection to 192.0.2.1:80 reaches serve.
# The busybox-init VM configures its NIC, takes over with
#   --image http://192.0.2.1/new.img.gz --target /dev/vdb --sha256 SUM --then switch
# and the written root's own /sbin/init prints REIMAGED-ROOT-OK and powers
# off. Afterwards the host reads the image's marker file from the second disk.
. "$(dirname "$0")/vm/lib.sh"
vm_setup t_takeover_image_vm
NS=lbimgvm-$$
SRV=
img_vm_cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	ip netns del $NS 2>/dev/null
	vm_cleanup
}
trap img_vm_cleanup EXIT
bb=/bin/busybox
file -L "$bb" 2>/dev/null | grep -q 'statically linked' || vm_skip "no static busybox (busybox-static)"
r=$VM_TMP/newroot
mkdir -p "$r/bin" "$r/sbin" "$r/dev" "$r/proc" "$r/sys" "$r/etc"
cp "$bb" "$r/bin/busybox"
ln -s busybox "$r/bin/sh"
cat >"$r/sbin/init" <<'EOF'
#!/bin/busybox sh
[ -c /dev/console ] || /bin/busybox mount -t devtmpfs dev /dev
exec </dev/null >/dev/console 2>&1
/bin/busybox mount -t proc proc /proc
echo "REIMAGED-ROOT-OK pid=$$ root=$(/bin/busybox cat /etc/reimaged) src=$(/bin/busybox awk '$2 == "/" { print $1 }' /proc/mounts | /bin/busybox tail -1)"
/bin/busybox sync
/bin/busybox poweroff -f
EOF
chmod 755 "$r/sbin/init"
echo "image-$$" >"$r/etc/reimaged"
mkdir -p "$VM_TMP/www"
truncate -s 16M "$VM_TMP/new.img"
mkfs.ext4 -q -F -d "$r" "$VM_TMP/new.img" || { echo "RESULT: FAIL t_takeover_image_vm: mkfs"; exit 1; }
gzip -c "$VM_TMP/new.img" >"$VM_TMP/www/new.img.gz"
sum=$(sha256sum "$VM_TMP/new.img" | cut -d' ' -f1)
truncate -s 32M "$VM_TMP/disk2.img"

ip netns add $NS
ip -n $NS link set lo up
ip -n $NS link add d0 type veth peer name d1
ip -n $NS link set d1 up
ip -n $NS addr add 192.0.2.1/24 dev d0
ip -n $NS link set d0 up
ip netns exec $NS "$TOP/lifeboat" serve "$VM_TMP/www" --no-dhcp -i d0 >"$VM_TMP/serve.log" 2>&1 &
SRV=$!
for _ in $(seq 50); do
	ip netns exec $NS python3 -c 'import socket; socket.create_connection(("192.0.2.1", 80), 1)' 2>/dev/null && break
	sleep 0.2
done

scen=$VM_TMP/scenario.sh
{
	scenario_prologue
	cat <<EOF
modprobe virtio_net
for i in \$(seq 50); do n=\$(ls /sys/class/net | grep -v '^lo\$' | head -1); [ -n "\$n" ] && break; sleep 0.2; done
ip link set "\$n" up
ip addr add 198.51.100.15/24 dev "\$n"
ip route add default via 198.51.100.2
echo "SCENARIO-NET if=\$n"
lifeboat takeover --yes --grace 2 --image http://192.0.2.1/new.img.gz --target /dev/vdb --sha256 $sum --then switch
EOF
	scenario_epilogue
} >"$scen"
# The second disk sits in a later PCI slot than the image disk so that it
# is vdb (LB_VM_NET comes first on the QEMU command line).
VM_RUN_WRAP="ip netns exec $NS" \
	LB_VM_NET="-nic user,model=virtio-net-pci,net=198.51.100.0/24,host=198.51.100.2 -drive file=$VM_TMP/disk2.img,if=none,format=raw,id=d2 -device virtio-blk-pci,drive=d2,addr=0x1e" \
	LB_VM_MARKS="SCENARIO-TAKEOVER LIFEBOAT-ROOT-RELEASED LIFEBOAT-IMAGE-START LIFEBOAT-IMAGE-OK REIMAGED-ROOT-OK" \
	vm_run busybox "$scen" "${LB_VM_TIMEOUT:-480}"
if expect_takeover_start busybox; then
	expect 'LIFEBOAT-IMAGE-START src=http://192.0.2.1/new.img.gz target=/dev/vdb' "LIFEBOAT-IMAGE-START"
	expect 'LIFEBOAT-IMAGE-PROGRESS written=16.0MiB .* done' "final progress line"
	expect "LIFEBOAT-IMAGE-OK sha256=$sum bytes=16777216" "LIFEBOAT-IMAGE-OK with the image's sum"
	expect 'LIFEBOAT-THEN action=switch' "LIFEBOAT-THEN action=switch"
	expect 'LIFEBOAT-SWITCHED' "LIFEBOAT-SWITCHED"
	expect "REIMAGED-ROOT-OK pid=1 root=image-$$ src=/dev/vdb" "the written disk's init runs as PID 1"
fi
[ "$VM_END" = poweroff ] || fail "VM ended by '$VM_END', not poweroff"
# (Not a byte compare: the switched-to root mounted it rw and ext4 updated
# its superblock. The guest's read-back sum is the byte check.)
[ "$(debugfs -R 'cat /etc/reimaged' "$VM_TMP/disk2.img" 2>/dev/null)" = "image-$$" ] ||
	fail "the second disk does not hold the image's filesystem"
grep -q 'new.img.gz' "$VM_TMP/serve.log" || note "serve's log does not name new.img.gz"
vm_finish "takeover-to-released=$(mark_delta SCENARIO-TAKEOVER LIFEBOAT-ROOT-RELEASED)s write=$(mark_delta LIFEBOAT-IMAGE-START LIFEBOAT-IMAGE-OK)s to-new-root=$(mark_delta LIFEBOAT-IMAGE-OK REIMAGED-ROOT-OK)s vm=${VM_SECS}s"
