#!/usr/bin/env bash
# One VM boot, three proofs:
#  1. --switch-to a block device holding a systemd root: the busybox-init
#     VM (vda) takes over and switches to a second disk (vdb, a copy of the
#     cached systemd image); systemd boots to multi-user there
#     (`systemctl is-system-running --wait`, multi-user.target active, the
#     serial getty running and waiting for a login, and `su -l root` logs in
#     through PAM).
#  2. From that systemd system, `takeover --then kexec` boots the lab
#     kernel with a marker initramfs (tests/e2e/mkinitramfs) through
#     kexec_file_load: LIFEBOAT-KEXEC, then the marker, in the same VM run.
#  3. The kexec preflight (dry run) lets it through on this kernel.
. "$(dirname "$0")/vm/lib.sh"
vm_setup t_takeover_kexec_systemd
"$VM_DIR/../mkinitramfs" "$VM_TMP/marker.gz" LIFEBOAT-KEXEC-MARKER >/dev/null ||
	vm_skip "mkinitramfs failed (busybox-static, cpio)"
declare -A sd
while IFS='=' read -r k v; do sd[$k]=$v; done < <("$VM_DIR/mkimage" systemd)
[ -n "${sd[image]:-}" ] || { echo "RESULT: FAIL t_takeover_kexec_systemd: no systemd image"; exit 1; }
disk2=$VM_TMP/systemd-root.img
cp --sparse=always "${sd[image]}" "$disk2"
inject2() { # HOST GUEST MODE
	printf 'cd %s\nrm %s\nwrite %s %s\nsif %s mode 0100%s\n' "${2%/*}" "${2##*/}" "$1" "${2##*/}" \
		"${2##*/}" "$3" | debugfs -w -f - "$disk2" >/dev/null 2>&1
	debugfs -R "stat $2" "$disk2" 2>/dev/null | grep -q "Size: $(stat -c %s "$1")" ||
		{ echo "RESULT: FAIL t_takeover_kexec_systemd: could not write $2 into the second disk"; exit 1; }
}
# The systemd root's scenario (run by its lb-scenario.service once up).
cat >"$VM_TMP/scen2.sh" <<'EOF'
#!/bin/sh
st=$(systemctl is-system-running --wait)
echo "SYSTEMD-ROOT-UP pid1=$(cat /proc/1/comm) state=$st multi-user=$(systemctl is-active multi-user.target) getty=$(systemctl is-active serial-getty@ttyS0.service) root=$(findmnt -no SOURCE /)"
[ "$st" = running ] || systemctl --failed --no-legend | sed 's/^/SYSTEMD-FAILED /'
# A login through PAM (su -l: the login shell of root in the new root).
su -l root -c 'echo "SYSTEMD-LOGIN-OK user=$(id -un) home=$HOME shell=$SHELL"'
lifeboat takeover --dry-run --then kexec --initrd /root/marker.gz | grep -E 'kexec|refused|verdict'
lifeboat takeover --yes --grace 2 --then kexec --initrd /root/marker.gz \
	--cmdline "console=ttyS0 panic=-1 no_timer_check"
echo "SCENARIO2-TAKEOVER-EXIT status=$?"
sleep 3600
EOF
inject2 "$TOP/lifeboat" /usr/local/sbin/lifeboat 755
inject2 "$VM_TMP/scen2.sh" /usr/local/sbin/lb-scenario 755
inject2 "$VM_TMP/marker.gz" /root/marker.gz 644
scen=$VM_TMP/scenario.sh
{
	scenario_prologue
	echo "lifeboat takeover --yes --grace 2 --switch-to /dev/vdb"
	scenario_epilogue
} >"$scen"
# The second disk sits in a later PCI slot than the image disk so that it
# is vdb (LB_VM_NET comes first on the QEMU command line).
LB_VM_NET="-nic none -drive file=$disk2,if=none,format=raw,id=d2 -device virtio-blk-pci,drive=d2,addr=0x1e" \
	LB_VM_MARKS="SCENARIO-TAKEOVER LIFEBOAT-ROOT-RELEASED LIFEBOAT-SWITCHED SYSTEMD-ROOT-UP LIFEBOAT-KEXEC LIFEBOAT-KEXEC-MARKER" \
	vm_run busybox "$scen" "${LB_VM_TIMEOUT:-600}"
if expect_takeover_start busybox; then
	expect 'LIFEBOAT-SWITCHED' "LIFEBOAT-SWITCHED (to /dev/vdb)"
	expect 'SYSTEMD-ROOT-UP pid1=systemd state=(running|degraded) multi-user=active getty=active root=/dev/vdb' \
		"systemd on /dev/vdb reached multi-user (getty on ttyS0 active)"
	expect 'SYSTEMD-LOGIN-OK user=root home=/root' "a PAM login (su -l root) in the systemd root"
	grep -aq 'SYSTEMD-ROOT-UP .*state=degraded' "$VM_LOG" &&
		note "systemd says degraded: $(grep -a 'SYSTEMD-FAILED' "$VM_LOG" | head -3 | tr '\n' ' ')"
	expect 'kexec: kernel /lifeboat/kexec/kernel initrd /lifeboat/kexec/initrd' "dry run names the kexec kernel"
	expect 'verdict: would proceed' "kexec preflight allows it"
	expect 'LIFEBOAT-PID1 pid=1 init=systemd' "second takeover, from systemd"
	expect 'LIFEBOAT-KEXEC kernel=/lifeboat/kexec/kernel initrd=/lifeboat/kexec/initrd' "LIFEBOAT-KEXEC"
	expect 'LIFEBOAT-KEXEC-MARKER' "the marker initramfs ran under the kexec'd kernel"
fi
[ "$VM_END" = poweroff ] || fail "VM ended by '$VM_END', not poweroff"
vm_finish "switched=$(mark_delta SCENARIO-TAKEOVER LIFEBOAT-SWITCHED)s switch-to-multi-user=$(mark_delta LIFEBOAT-SWITCHED SYSTEMD-ROOT-UP)s kexec-to-marker=$(mark_delta LIFEBOAT-KEXEC LIFEBOAT-KEXEC-MARKER)s vm=${VM_SECS}s"
