#!/usr/bin/env bash
# A BIOS client boots PXELINUX from a directory lifeboat serves over TFTP
# (`lifeboat serve ROOT --boot bios=pxelinux.0`, no kernel mode): pxelinux.0,
# ldlinux.c32 and pxelinux.cfg/default over TFTP, then the kernel and the
# marker initramfs named in that config. The client is SeaBIOS + QEMU's
# e1000 iPXE ROM, which announces itself as iPXE (user class); with no
# kernel mode lifeboat must still hand it pxelinux.0.
. "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio
lab_require_file "$LAB_KERNEL" /usr/lib/PXELINUX/pxelinux.0 /usr/lib/syslinux/modules/bios/ldlinux.c32

lab_up
lab_initramfs
token=lbe$$x$RANDOM
root=$LAB_DIR/root
mkdir -p "$root/pxelinux.cfg"
cp /usr/lib/PXELINUX/pxelinux.0 /usr/lib/syslinux/modules/bios/ldlinux.c32 "$root/"
cp "$LAB_KERNEL" "$root/linux"
cp "$LAB_INITRD" "$root/initrd.gz"
cat > "$root/pxelinux.cfg/default" <<CFG
DEFAULT linux
PROMPT 0
TIMEOUT 0
LABEL linux
  KERNEL linux
  INITRD initrd.gz
  APPEND $LAB_CMDLINE lbe_token=$token
CFG
lab_server_root "$root" pxelinux.0
mac=$(lab_mac 3)
serial=$LAB_DIR/pxelinux.log
qemu_bios_ipxe pxelinux "$mac" "$serial"
wait_for_marker "$serial" "$LAB_MARKER .*lbe_token=$token" "${LB_E2E_BOOT_TIMEOUT:-170}" pxelinux ||
	lab_fail "BIOS client did not boot through pxelinux: $LAB_WAIT_WHY"
t=$(timing pxelinux)
ph=$(phases pxelinux "$mac")
lab_log "marker after ${t}s: $(grep -a "$LAB_MARKER" "$serial" | tr -d '\r')"

ip=$(lab_check_lease "$mac") || lab_fail "router's lease file has no lease for $mac: $(cat "$ROUTER_LEASES")"
lab_log "client $mac holds router lease $ip"
# Each file went over TFTP in full: lifeboat logs tftp.done file=F, the
# dnsmasq stand-in "sent ROOT/F to".
for f in pxelinux.0 ldlinux.c32 pxelinux.cfg/default linux initrd.gz; do
	lab_server_log_has "tftp\.done .*file=${f//./[.]} |root/${f//./[.]} to " ||
		lab_fail "the server's log shows no complete TFTP transfer of $f"
done
# lifeboat's client record: the transfer lines name the machine's MAC.
if [ "$LB_SERVER" != dnsmasq ]; then
	lab_server_log_has "tftp\.done client=${ip//./[.]}:[0-9]+ mac=$mac file=linux " ||
		lab_fail "the kernel's tftp.done line does not name the client's MAC $mac"
fi
lab_pass "bios pxelinux boot via $LB_SERVER: power-on to marker ${t}s${ph:+ (}${ph}${ph:+)} (lease $ip from router)"
