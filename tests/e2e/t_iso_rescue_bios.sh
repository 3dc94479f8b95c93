#!/usr/bin/env bash
# Boot menu mode with the lifeboat rescue entry, BIOS, and the Alpine layout
# on BIOS, from one serve: `serve --iso alpine.iso --rescue-file IMG
# --kernel K` (with --iso, --rescue puts the rescue in the menu instead of
# booting every client into it). Two SeaBIOS + iPXE ROM clients power on
# together: one picked onto the rescue entry by `--host MAC=entry:rescue`
# boots the image `lifeboat mkrescue --from` built from the cached Debian
# root (lib_rescue.sh): it phones home to the menu-mode serve, takes an SSH
# login with the test's key, and e2fsck -n runs clean on its disk; the other
# picked onto the Alpine ISO boots it (modloop= fetched and checked).
. "$(dirname "$0")/lib_iso.sh"
. "$(dirname "$0")/lib_rescue.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio xorriso ssh ssh-keygen mkfs.ext4 debootstrap
lab_require_file "$LAB_KERNEL" /usr/lib/ipxe/undionly.kpxe
[ "$LB_SERVER" = lifeboat ] || lab_skip "the boot menu is lifeboat's"
[ -x "$LB_BIN" ] || lab_fail "no lifeboat binary at $LB_BIN (run make)"

lab_init
root=$("$LAB_E2E/vm/mkrescueroot") || lab_fail "could not build the Debian root (mkrescueroot)"
kernel=$(ls "$root"/boot/vmlinuz-* | sort -V | tail -1)
ssh-keygen -q -t ed25519 -N '' -C lifeboat-e2e -f "$LAB_DIR/id_lab" || lab_fail "ssh-keygen"
t0=$(lab_now)
"$LB_BIN" mkrescue --from "$root" -o "$LAB_DIR/rescue.img" --ssh-key "$LAB_DIR/id_lab.pub" \
	> "$LAB_DIR/mkrescue.log" 2>&1 || lab_fail "mkrescue: $(tail -5 "$LAB_DIR/mkrescue.log")"
lab_log "mkrescue --from: $(($(stat -c %s "$LAB_DIR/rescue.img") / 1048576)) MiB in $(lab_elapsed "$t0")s"
truncate -s 64M "$LAB_DIR/disk.img"
mkfs.ext4 -q -F -L lbrescue "$LAB_DIR/disk.img" || lab_fail "mkfs.ext4"

lab_up
iso=$LAB_DIR/alpine.iso
iso_build alpine "$iso"
mac_r=$(lab_mac 1)
mac_a=$(lab_mac 2)
iso_serve --iso "$iso" --rescue-file "$LAB_DIR/rescue.img" --kernel "$kernel" \
	--cmdline "no_timer_check lifeboat.cmd=blkid" \
	--host "$mac_r=entry:rescue" --host "$mac_a=entry:alpine"
lab_server_log_has 'serve\.ready mode=menu' || lab_fail "serve is not in boot menu mode"
lab_server_log_has 'serve\.menu entry=rescue label="lifeboat rescue \(rescue\.img\)"' ||
	lab_fail "no lifeboat rescue entry in the menu"

serial_r=$LAB_DIR/rescue.log
serial_a=$LAB_DIR/alpine.log
qemu_bios_ipxe rescue "$mac_r" "$serial_r" -m 1024 -drive "file=$LAB_DIR/disk.img,if=virtio,format=raw"
qemu_bios_ipxe alpine "$mac_a" "$serial_a"

wait_for_marker "$serial_a" "LBISO-(OK|BAD)" "${LB_E2E_BOOT_TIMEOUT:-300}" alpine ||
	lab_fail "the Alpine entry did not boot on BIOS: $LAB_WAIT_WHY"
grep -aq LBISO-OK "$serial_a" || lab_fail "modloop fetched does not match: $(grep -a LBISO "$serial_a")"
grep -aqE "LBISO cmdline=.*modloop=http://$LAPTOP_IP/lifeboat/iso/alpine/boot/modloop-lts" "$serial_a" ||
	lab_fail "no Alpine command line: $(grep -a 'LBISO cmdline' "$serial_a")"
ta=$(timing alpine)

wait_for_marker "$LAPTOP_LOG" "rescue\.report mac=$mac_r .*text=\"up" "$RESCUE_TIMEOUT" rescue ||
	lab_fail "no phone-home 'up' report from the rescue entry: $LAB_WAIT_WHY; console: $(tail -5 "$serial_r" | tr -d '\r')"
tr=$(timing rescue)
lab_server_log_has "http\.done .*path=/lifeboat/menu/$LAPTOP_IP/pcbios-[0-9a-f-]+\.ipxe status=200" ||
	lab_fail "no menu script served"
lab_server_log_has "http\.done .*path=/lifeboat/entry/0/1/rescue\.img status=200" ||
	lab_fail "the rescue image was not served as the menu entry's initrd"
ip=$(lab_check_lease "$mac_r") || lab_fail "no router lease for $mac_r"
t=0
until out=$(rescue_ssh "$ip" 'echo lb-ssh-ok; cat /proc/cmdline' 2>&1) && [[ $out == *lb-ssh-ok* ]]; do
	t=$((t + 1))
	[ $t -gt 60 ] && lab_fail "no SSH login to $ip: $out"
	sleep 1
done
[[ $out == *"lifeboat.home=http://$LAPTOP_IP"* ]] || lab_fail "the rescue's command line lacks lifeboat.home: $out"
tssh=$(lab_elapsed "$(cat "$LAB_DIR/rescue.start")")
out=$(rescue_ssh "$ip" 'e2fsck -f -n /dev/vda; echo "e2fsck-exit=$?"' 2>&1)
[[ $out == *e2fsck-exit=0* ]] || lab_fail "e2fsck -f -n /dev/vda over SSH did not exit 0: $out"
wait_for_marker "$LAPTOP_LOG" "rescue\.report mac=$mac_r .*text=\"cmd exit 0: blkid" 60 ||
	lab_fail "no 'cmd exit 0: blkid' report for the entry's lifeboat.cmd=blkid: $LAB_WAIT_WHY"
lab_pass "menu rescue entry (BIOS, --host MAC=entry:rescue): phone home ${tr}s, SSH ${tssh}s, e2fsck ok; iso alpine on BIOS beside it ${ta}s"
