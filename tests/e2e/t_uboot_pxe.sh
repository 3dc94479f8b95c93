#!/usr/bin/env bash
# A U-Boot board (QEMU `virt`, cortex-a57, Debian's u-boot-qemu qemu_arm64
# build, virtio-net) boots an arm64 kernel + marker initramfs from lifeboat
# in kernel mode (`lifeboat serve ROOT --kernel ... --initrd ...`), the way a
# user types it at the U-Boot prompt:
#   setenv autoload no; dhcp; setenv serverip <lifeboat>; pxe get; pxe boot
# `dhcp` gets the address from the router's dnsmasq: stock U-Boot drops
# proxy offers (yiaddr 0), so lifeboat's offer (logged) is ignored and the
# user names the server. `pxe get` walks U-Boot's lookup names: the per-MAC
# name, the hex IP shortened digit by digit and `default-arm-*` get fast TFTP
# "not found" answers from the (empty) ROOT, then `pxelinux.cfg/default` is
# kernel mode's generated config; `pxe boot` loads kernel and initrd over
# TFTP from lifeboat's reserved names and boots them with booti.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_arm64.sh"
lab_require_root
lab_require_cmd qemu-system-aarch64 ip dnsmasq cpio python3 readelf
lab_require_file "$UBOOT_QEMU_ARM64" "$LAB_ARM64_KERNEL" "$DI_ARM64_DIR/initrd.gz"
[ -x "$LB_BIN" ] || lab_fail "no lifeboat binary at $LB_BIN (run make)"
[ "$LB_SERVER" = lifeboat ] || lab_skip "U-Boot's kernel-mode config is lifeboat's own (LB_SERVER=$LB_SERVER)"

lab_up
lab_initramfs_arm64
token=lbe$$x$RANDOM
root=$LAB_DIR/root
mkdir -p "$root"
lab_run_laptop "$LB_BIN" serve "$root" $LB_SERVE_ARGS -i $LAPTOP_IF \
	--kernel "$LAB_ARM64_KERNEL" --initrd "$LAB_INITRD_ARM64" \
	--cmdline "$LAB_ARM64_CMDLINE lbe_token=$token" --ipxe-dir /usr/lib/ipxe
lab_laptop_ready 10
mac=$(lab_mac 5)
serial=$LAB_DIR/uboot.log
qemu_uboot uboot "$mac" "$serial"
lab_console uboot \
	'wait:Hit any key to stop autoboot:120' 'key: ' 'wait:=> :30' \
	'send:printenv ethaddr' 'wait:=> :30' \
	'send:setenv autoload no' 'wait:=> :30' \
	'send:dhcp' 'wait:DHCP client bound to address:120' 'wait:=> :30' \
	"send:setenv serverip $LAPTOP_IP" 'wait:=> :30' \
	'send:pxe get' 'wait:=> :180' \
	'send:pxe boot'
boot_timeout=${LB_E2E_BOOT_TIMEOUT:-300}
[ "$boot_timeout" -lt 300 ] && boot_timeout=300
wait_for_marker "$serial" "$LAB_MARKER .*lbe_token=$token" "$boot_timeout" uboot || {
	lab_alive console-uboot || lab_log "console driver: $(tail -5 "$LAB_DIR/console-uboot.log")"
	lab_fail "U-Boot client did not boot: $LAB_WAIT_WHY"
}
t=$(timing uboot)
# U-Boot's virtio-net driver does not read QEMU's mac= (it runs with its
# own 52:52:52:52:52:52): take the address U-Boot itself reports.
qmac=$mac
mac=$(grep -ao 'ethaddr=[0-9a-fA-F:]*' "$serial" | head -1 | cut -d= -f2 | tr A-F a-f)
[ -n "$mac" ] || lab_fail "U-Boot printed no ethaddr"
[ "$mac" = "$qmac" ] || lab_log "U-Boot uses MAC $mac (QEMU was given $qmac)"
lab_log "marker after ${t}s: $(grep -a "$LAB_MARKER" "$serial" | tr -d '\r')"

ip=$(lab_check_lease "$mac") || lab_fail "router's lease file has no lease for $mac: $(cat "$ROUTER_LEASES")"
lab_log "client $mac holds router lease $ip"
# lifeboat recognised U-Boot (vendor class U-Boot.armv8, arch 22) and made a
# proxy offer without a file (siaddr only): U-Boot dropped it (yiaddr 0).
lab_server_log_has "dhcp\.offer mac=$mac arch=22\(uboot-arm64\) fw=uboot .*file=- " ||
	lab_fail "lifeboat made no U-Boot offer to $mac: $(grep -a "$mac" "$LAPTOP_LOG" | head -3)"
grep -aq "DHCP client bound to address $ip" "$serial" ||
	lab_fail "U-Boot's address is not the router's lease $ip"
# U-Boot's lookup names, each a fast "not found" from the empty ROOT ...
dashes=$(echo "$mac" | tr : - | tr A-F a-f)
lab_server_log_has "tftp\.refuse .*file=pxelinux\.cfg/01-$dashes " ||
	lab_fail "no not-found answer for pxelinux.cfg/01-$dashes"
hex=$(printf '%02X' ${ip//./ })
for n in 8 7 6 5 4 3 2 1; do
	lab_server_log_has "tftp\.refuse .*file=pxelinux\.cfg/${hex:0:$n} " ||
		lab_fail "no not-found answer for U-Boot's hex IP name pxelinux.cfg/${hex:0:$n}"
done
lab_server_log_has "tftp\.refuse .*file=pxelinux\.cfg/default-arm" ||
	lab_fail "no not-found answer for U-Boot's pxelinux.cfg/default-arm* names"
# ... then the generated config, the kernel and the initrd over TFTP
kname=$(basename "$LAB_ARM64_KERNEL")
for f in pxelinux.cfg/default "lifeboat/kernel/$kname" "lifeboat/initrd/0/$(basename "$LAB_INITRD_ARM64")"; do
	lab_server_log_has "tftp\.done .*file=${f//./[.]} " ||
		lab_fail "the server's log shows no complete TFTP transfer of $f"
done
# The generated config is only a fallback: ROOT's own pxelinux.cfg/default
# wins (fetched with curl from the router's namespace).
gen=$(ip netns exec "$NS_ROUTER" curl -sS --max-time 10 "tftp://$LAPTOP_IP/pxelinux.cfg/default") ||
	lab_fail "TFTP fetch of the generated pxelinux.cfg/default failed"
echo "$gen" | grep -q "^  kernel lifeboat/kernel/$kname\$" ||
	lab_fail "generated pxelinux.cfg/default has no kernel line: $gen"
echo "$gen" | grep -q "^  append .*lbe_token=$token\$" || lab_fail "generated config lacks the command line: $gen"
mkdir -p "$root/pxelinux.cfg"
echo "# ROOT's own $token" > "$root/pxelinux.cfg/default"
own=$(ip netns exec "$NS_ROUTER" curl -sS --max-time 10 "tftp://$LAPTOP_IP/pxelinux.cfg/default")
[ "$own" = "# ROOT's own $token" ] || lab_fail "ROOT's pxelinux.cfg/default did not win over the generated one: $own"
misses=$(grep -ac 'tftp\.refuse .*file=pxelinux\.cfg/' "$LAPTOP_LOG")
lab_pass "u-boot pxe boot via lifeboat kernel mode: power-on to marker ${t}s ($misses lookup names answered not-found, lease $ip from router)"
