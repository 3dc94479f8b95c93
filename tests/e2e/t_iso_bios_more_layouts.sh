#!/usr/bin/env bash
# Boot menu mode, BIOS, two more layouts in one menu: ISOs built here in the
# Ubuntu casper layout (url= the whole ISO: the initrd downloads the ISO and
# its SHA-256 must be the image's) and the Fedora live layout (root=live:
# LiveOS/squashfs.img, checked against the blob). Two clients, each picked
# onto one entry by a --host rule, boot one after the other.
. "$(dirname "$0")/lib_iso.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio xorriso
lab_require_file "$LAB_KERNEL" /usr/lib/ipxe/undionly.kpxe
[ "$LB_SERVER" = lifeboat ] || lab_skip "the boot menu is lifeboat's"

lab_up
ubuntu=$LAB_DIR/ubuntu.iso
fedora=$LAB_DIR/fedora.iso
iso_build ubuntu-casper "$ubuntu"
iso_build fedora-live "$fedora"
mac_u=$(lab_mac 8)
mac_f=$(lab_mac 9)
iso_serve --iso "$ubuntu" --iso "$fedora" --host "$mac_u=entry:ubuntu" --host "$mac_f=entry:fedora"

serial=$LAB_DIR/ubuntu.log
qemu_bios_ipxe ubuntu "$mac_u" "$serial"
wait_for_marker "$serial" "LBISO-(OK|BAD)" "${LB_E2E_BOOT_TIMEOUT:-240}" ubuntu ||
	lab_fail "the casper entry did not boot: $LAB_WAIT_WHY"
grep -aqE "LBISO cmdline=.*boot=casper ip=dhcp url=http://$LAPTOP_IP/lifeboat/iso/ubuntu\.iso" "$serial" ||
	lab_fail "no casper command line: $(grep -a 'LBISO cmdline' "$serial")"
want="size=$(stat -c %s "$ubuntu") sha256=$(sha256sum < "$ubuntu" | cut -d' ' -f1)"
grep -aq "LBISO-FETCH .*$want" "$serial" || lab_fail "the ISO fetched by url= is not the image: $(grep -a LBISO-FETCH "$serial") (want $want)"
tu=$(timing ubuntu)
lab_stop qemu-ubuntu

serial=$LAB_DIR/fedora.log
qemu_bios_ipxe fedora "$mac_f" "$serial"
wait_for_marker "$serial" "LBISO-(OK|BAD)" "${LB_E2E_BOOT_TIMEOUT:-240}" fedora ||
	lab_fail "the Fedora live entry did not boot: $LAB_WAIT_WHY"
grep -aq LBISO-OK "$serial" || lab_fail "squashfs.img fetched does not match: $(grep -a LBISO "$serial")"
grep -aqE "LBISO cmdline=.*root=live:http://$LAPTOP_IP/lifeboat/iso/fedora/LiveOS/squashfs\.img rd\.live\.image ip=dhcp" "$serial" ||
	lab_fail "no Fedora live command line: $(grep -a 'LBISO cmdline' "$serial")"
tf=$(timing fedora)
lab_pass "iso ubuntu-casper (whole ISO by url=, ${tu}s) and fedora-live (root=live:, ${tf}s) from one menu (BIOS, --host picks)"
