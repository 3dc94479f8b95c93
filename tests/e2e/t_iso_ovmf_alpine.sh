#!/usr/bin/env bash
# Boot menu mode, UEFI: OVMF (EDK2's own PXE) with an ISO built here in the
# Alpine layout. lifeboat hands snponly.efi over TFTP, iPXE fetches the
# menu script for platform efi, a --host rule picks the Alpine entry, and
# its initrd fetches modloop= (boot/modloop-lts from inside the ISO) and
# checks size and SHA-256. The ISO's own whole-image URL, a Range inside a
# file and a TFTP transfer of a file inside the ISO are checked too.
. "$(dirname "$0")/lib_iso.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio xorriso curl
lab_require_file "$LAB_KERNEL" /usr/lib/ipxe/snponly.efi
[ "$LB_SERVER" = lifeboat ] || lab_skip "the boot menu is lifeboat's"

lab_up
iso=$LAB_DIR/alpine-std.iso
iso_build alpine "$iso"
mac=$(lab_mac 2)
iso_serve --iso "$iso" --host "$mac=entry:alpine-std"
# the whole image, and a Range inside it, as a client would fetch them
got=$(ip netns exec "$NS_ROUTER" curl -sf "http://$LAPTOP_IP/lifeboat/iso/alpine-std.iso" | sha256sum | cut -d' ' -f1)
[ "$got" = "$(sha256sum < "$iso" | cut -d' ' -f1)" ] || lab_fail "lifeboat/iso/alpine-std.iso is not the ISO"
want=$(tail -c +1001 "$LAB_DIR/blob-alpine" | head -c 5000 | sha256sum | cut -d' ' -f1)
got=$(ip netns exec "$NS_ROUTER" curl -sf -r 1000-5999 "http://$LAPTOP_IP/lifeboat/iso/alpine-std/boot/modloop-lts" | sha256sum | cut -d' ' -f1)
[ "$got" = "$want" ] || lab_fail "a Range of a file inside the ISO has the wrong bytes"
# TFTP serves files inside the ISO too (pread from their offset)
ip netns exec "$NS_ROUTER" busybox tftp -g -r lifeboat/iso/alpine-std/boot/modloop-lts \
	-l "$LAB_DIR/modloop.tftp" "$LAPTOP_IP" || lab_fail "TFTP of a file inside the ISO failed"
cmp -s "$LAB_DIR/modloop.tftp" "$LAB_DIR/blob-alpine" || lab_fail "TFTP served other bytes"
serial=$LAB_DIR/ovmf.log
qemu_ovmf_pxe ovmf "$mac" "$serial"
wait_for_marker "$serial" "LBISO-(OK|BAD)" "${LB_E2E_BOOT_TIMEOUT:-300}" ovmf ||
	lab_fail "the UEFI client did not boot the ISO's entry: $LAB_WAIT_WHY"
grep -aq LBISO-OK "$serial" || lab_fail "the modloop fetched does not match: $(grep -a LBISO "$serial")"
grep -aqE "LBISO cmdline=.*ip=dhcp alpine_repo=http://$LAPTOP_IP/lifeboat/iso/alpine-std/apks modloop=http://$LAPTOP_IP/lifeboat/iso/alpine-std/boot/modloop-lts" "$serial" ||
	lab_fail "the kernel did not get the Alpine command line: $(grep -a 'LBISO cmdline' "$serial")"
lab_server_log_has "http\.done .*path=/lifeboat/menu/$LAPTOP_IP/efi-[0-9a-f-]+\.ipxe status=200" ||
	lab_fail "no menu script served for platform efi"
t=$(timing ovmf)
lab_log "$(grep -a LBISO-FETCH "$serial" | tr -d '\r')"
lab_pass "iso alpine (OVMF, --host pick): whole ISO, Range and TFTP ok, kernel/initrd/modloop from inside the ISO, ${t}s"
