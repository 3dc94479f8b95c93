#!/usr/bin/env bash
# PXE boot menu (--menu) with a real firmware menu: SeaBIOS + QEMU's e1000
# iPXE ROM, which shows PXE menus (iPXE pxemenu.c). lifeboat offers
#   A. Boot from local disk   (type 0: local boot)
#   B. Rescue via pxelinux    (bios:pxelinux.0)
# with a prompt and a 60 s timeout. The first item is local boot, so the
# marker can only appear if the menu was shown and item B chosen: once
# lifeboat has offered the menu, the test presses F8 and "b" through the
# QEMU monitor. iPXE then asks lifeboat on udp/4011 with option 43.71 (boot
# item type 0x8181), lifeboat answers with pxelinux.0, which boots the kernel.
. "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio python3
lab_require_file "$LAB_KERNEL" /usr/lib/PXELINUX/pxelinux.0 /usr/lib/syslinux/modules/bios/ldlinux.c32
[ "$LB_SERVER" = lifeboat ] || lab_skip "--menu is lifeboat's"

lab_up
lab_initramfs
token=lbe$$x$RANDOM
root=$LAB_DIR/root
mkdir -p "$root/pxelinux.cfg"
cp /usr/lib/PXELINUX/pxelinux.0 /usr/lib/syslinux/modules/bios/ldlinux.c32 "$root/"
cp "$LAB_KERNEL" "$root/linux"
cp "$LAB_INITRD" "$root/initrd.gz"
printf 'DEFAULT linux\nPROMPT 0\nTIMEOUT 0\nLABEL linux\n  KERNEL linux\n  INITRD initrd.gz\n  APPEND %s lbe_token=%s\n' \
	"$LAB_CMDLINE" "$token" > "$root/pxelinux.cfg/default"
[ -x "$LB_BIN" ] || lab_fail "no lifeboat binary at $LB_BIN (run make)"
lab_run_laptop "$LB_BIN" serve "$root" $LB_SERVE_ARGS -i $LAPTOP_IF \
	--menu "Boot from local disk=bios:local" --menu "Rescue via pxelinux=bios:pxelinux.0" \
	--menu-prompt "lifeboat: press F8 for the boot menu" --menu-timeout 60
lab_laptop_ready 10
mac=$(lab_mac 7)
serial=$LAB_DIR/menu.log
qemu_bios_ipxe menu "$mac" "$serial"

# Wait for the menu offer, then press F8 (show the menu) and B (item B).
t=0
until lab_server_log_has "dhcp\.ack mac=$mac .*shape=menu|dhcp\.offer mac=$mac .*shape=menu"; do
	sleep 0.5
	t=$((t + 1))
	[ $t -lt 360 ] || lab_fail "lifeboat never offered the menu to $mac"
	lab_alive qemu-menu || lab_fail "qemu exited before the menu was offered"
done
sleep 3
keys() {
	python3 - "$LAB_DIR/menu.monitor" "$@" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
for k in sys.argv[2:]:
    s.sendall(("sendkey %s\n" % k).encode())
    time.sleep(0.5)
time.sleep(0.5)
s.close()
PY
}
keys f8 || lab_fail "could not send keys to QEMU's monitor"
sleep 2
keys b
lab_log "pressed F8 and B"
wait_for_marker "$serial" "$LAB_MARKER .*lbe_token=$token" "${LB_E2E_BOOT_TIMEOUT:-240}" menu ||
	lab_fail "the client did not boot menu item B: $LAB_WAIT_WHY"
tm=$(timing menu)
lab_server_log_has "dhcp\.offer mac=$mac arch=0\(bios\) fw=ipxe shape=menu" ||
	lab_fail "no menu offer in lifeboat's log"
lab_server_log_has "dhcp\.ack mac=$mac arch=0\(bios\) fw=ipxe shape=item file=pxelinux\.0" ||
	lab_fail "lifeboat did not answer the boot item request on 4011 with pxelinux.0"
lab_server_log_has "tftp\.done .*file=pxelinux\.0 " || lab_fail "pxelinux.0 was not served"
lab_pass "pxe menu (iPXE ROM): menu offered, item B chosen by key, 4011 item answer, marker after ${tm}s"
