#!/usr/bin/env bash
# Boot menu mode, BIOS: the remaining layouts in one menu, ISOs built here:
# Arch (archiso_http_srv=: the initrd fetches arch/x86_64/airootfs.sfs from
# there, as archiso does), Fedora/RHEL installer (inst.repo=: it fetches
# images/install.img, anaconda's stage 2) and the Debian installer ISO (no
# URL on its command line: the boot from inside the ISO is the check).
# Three clients, each picked onto one entry by a --host rule.
. "$(dirname "$0")/lib_iso.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio xorriso
lab_require_file "$LAB_KERNEL" /usr/lib/ipxe/undionly.kpxe
[ "$LB_SERVER" = lifeboat ] || lab_skip "the boot menu is lifeboat's"

lab_up
for l in arch redhat-installer debian-installer; do iso_build $l "$LAB_DIR/$l.iso"; done
args=()
n=10
for l in arch redhat-installer debian-installer; do
	args+=(--iso "$LAB_DIR/$l.iso" --host "$(lab_mac $n)=entry:$l")
	n=$((n + 1))
done
iso_serve "${args[@]}"

# boot NAME MAC CMDLINE-REGEX RESULT-REGEX
boot() {
	local serial=$LAB_DIR/$1.log
	qemu_bios_ipxe "$1" "$2" "$serial"
	wait_for_marker "$serial" "LBISO-(OK|BAD|NOURL)" "${LB_E2E_BOOT_TIMEOUT:-240}" "$1" ||
		lab_fail "the $1 entry did not boot: $LAB_WAIT_WHY"
	grep -aqE "LBISO cmdline=.*$3" "$serial" || lab_fail "$1: wrong command line: $(grep -a 'LBISO cmdline' "$serial")"
	grep -aqE "$4" "$serial" || lab_fail "$1: $(grep -a 'LBISO-' "$serial")"
	lab_stop "qemu-$1"
	lab_log "$1 booted in $(timing "$1")s"
}
boot arch "$(lab_mac 10)" "archisobasedir=arch archiso_http_srv=http://$LAPTOP_IP/lifeboat/iso/arch/ ip=dhcp" LBISO-OK
grep -aq "LBISO extra-initrd=intel-ucode" "$LAB_DIR/arch.log" ||
	lab_fail "arch: the microcode initrd (the first of two) did not arrive"
boot rhinst "$(lab_mac 11)" "inst.repo=http://$LAPTOP_IP/lifeboat/iso/redhat-installer ip=dhcp" LBISO-OK
boot diinst "$(lab_mac 12)" "" LBISO-NOURL
lab_server_log_has "http\.done .*path=/lifeboat/iso/debian-installer/install\.amd/vmlinuz status=200" ||
	lab_fail "the Debian installer ISO's kernel was not served from inside it"
lab_pass "iso arch (two initrds, airootfs.sfs via archiso_http_srv=), redhat-installer (install.img via inst.repo=), debian-installer (boot) from one menu"
