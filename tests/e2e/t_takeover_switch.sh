#!/usr/bin/env bash
# lifeboat takeover --switch-to /root/busybox-rootfs.tar: after releasing the
# old root, PID 1 unpacks a tiny busybox root (built here from the host's
# busybox-static) into RAM and execs its /sbin/init, which prints
# SWITCHED-ROOT-OK with its PID and powers off.
# The image's init is $LB_TAKEOVER_INIT (default busybox: the fastest boot;
# the switch itself does not depend on the old init).
. "$(dirname "$0")/vm/lib.sh"
init=${LB_TAKEOVER_INIT:-busybox}
vm_setup t_takeover_switch
bb=$(command -v busybox || true)
[ -n "$bb" ] && file -L "$bb" 2>/dev/null | grep -q 'statically linked' || bb=/bin/busybox
[ -x "$bb" ] || vm_skip "no static busybox on the host (busybox-static)"
r=$VM_TMP/rootfs
mkdir -p "$r/bin" "$r/sbin" "$r/dev" "$r/proc" "$r/sys" "$r/tmp"
cp "$bb" "$r/bin/busybox"
ln -s busybox "$r/bin/sh"
cat >"$r/sbin/init" <<'EOS'
#!/bin/busybox sh
# The switched-to root's init: prove we run as PID 1 from this root.
[ -c /dev/console ] || /bin/busybox mount -t devtmpfs dev /dev
exec </dev/null >/dev/console 2>&1
/bin/busybox mount -t proc proc /proc 2>/dev/null
echo "SWITCHED-ROOT-OK pid=$$ root=$(/bin/busybox cat /etc/switched-marker)"
/bin/busybox sync
/bin/busybox poweroff -f
EOS
chmod 755 "$r/sbin/init"
mkdir -p "$r/etc"
echo "busybox-rootfs-$$" >"$r/etc/switched-marker"
tar -C "$r" -cf "$VM_TMP/busybox-rootfs.tar" .
scen=$VM_TMP/scenario.sh
{
	scenario_prologue
	echo "lifeboat takeover --yes --switch-to /root/busybox-rootfs.tar"
	scenario_epilogue
} >"$scen"
LB_VM_INJECT="$VM_TMP/busybox-rootfs.tar=/root/busybox-rootfs.tar" \
	LB_VM_MARKS="SCENARIO-START SCENARIO-TAKEOVER LIFEBOAT-ROOT-RELEASED SWITCHED-ROOT-OK" \
	vm_run "$init" "$scen" "${LB_VM_TIMEOUT:-420}"
if expect_takeover_start "$(vm_init_name "$init")"; then
	expect 'LIFEBOAT-SWITCHED' "LIFEBOAT-SWITCHED"
	expect "SWITCHED-ROOT-OK pid=1 root=busybox-rootfs-$$" "SWITCHED-ROOT-OK pid=1 from the tarball's root"
	expect 'reboot: Power down' "power down by the new root's init"
fi
[ "$(count_of 'SCENARIO-AFTER-RETURN')" = 0 ] || fail "the original system came back instead of the switch"
[ "$(count_of 'Linux version [0-9]')" = 1 ] || fail "kernel booted $(count_of 'Linux version [0-9]') times"
[ "$VM_END" = poweroff ] || fail "VM ended by '$VM_END', not poweroff"
vm_finish "$init: takeover-to-released=$(mark_delta SCENARIO-TAKEOVER LIFEBOAT-ROOT-RELEASED)s released-to-switched=$(mark_delta LIFEBOAT-ROOT-RELEASED SWITCHED-ROOT-OK)s vm=${VM_SECS}s"
