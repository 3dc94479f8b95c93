#!/usr/bin/env bash
# Boot menu mode, UEFI: every layout the BIOS tests boot, booted on OVMF
# too (EDK2's own PXE, snponly.efi, the efi-MAC.ipxe menu script; the EFI
# stub gets each initrd by its name, initrd=NAME). One serve holds ISOs
# built here in the Debian live, Debian installer, Ubuntu casper, Fedora
# live, Arch (two initrds: microcode first) and Fedora/RHEL installer
# layouts; six OVMF clients power on together, each picked onto one entry
# by a --host rule, and each initrd checks what its command line names
# (lib_iso.sh). Alpine on OVMF: t_iso_ovmf_alpine.
. "$(dirname "$0")/lib_iso.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio xorriso
lab_require_file "$LAB_KERNEL" /usr/lib/ipxe/snponly.efi
[ "$LB_SERVER" = lifeboat ] || lab_skip "the boot menu is lifeboat's"

layouts="debian-live debian-installer ubuntu-casper fedora-live arch redhat-installer"
lab_up
args=()
n=20
for l in $layouts; do
	iso_build "$l" "$LAB_DIR/$l.iso"
	args+=(--iso "$LAB_DIR/$l.iso" --host "$(lab_mac $n)=entry:$l")
	n=$((n + 1))
done
iso_serve "${args[@]}"
# tap names are the client names: short ones
declare -A short=([debian-live]=dlive [debian-installer]=dinst [ubuntu-casper]=casper
	[fedora-live]=flive [arch]=arch [redhat-installer]=rhinst)
n=20
for l in $layouts; do
	qemu_ovmf_pxe "${short[$l]}" "$(lab_mac $n)" "$LAB_DIR/${short[$l]}.log"
	n=$((n + 1))
done

ip=$LAPTOP_IP
iso_sum() { echo "size=$(stat -c %s "$1") sha256=$(sha256sum < "$1" | cut -d' ' -f1)"; }
# check NAME CMDLINE-REGEX RESULT-REGEX
check() {
	local serial=$LAB_DIR/${short[$1]}.log
	wait_for_marker "$serial" "LBISO-(OK|BAD|NOURL)" "${LB_E2E_BOOT_TIMEOUT:-420}" "${short[$1]}" ||
		lab_fail "$1 on OVMF did not boot: $LAB_WAIT_WHY"
	grep -aqE "LBISO cmdline=.*$2" "$serial" || lab_fail "$1: wrong command line: $(grep -a 'LBISO cmdline' "$serial")"
	grep -aqE "$3" "$serial" || lab_fail "$1: $(grep -a 'LBISO' "$serial" | tr -d '\r' | tr '\n' ' ')"
	lab_stop "qemu-${short[$1]}"
	times+=" $1 $(timing "${short[$1]}")s"
}
times=
check debian-live "boot=live components fetch=http://$ip/lifeboat/iso/debian-live/live/filesystem\.squashfs" LBISO-OK
check debian-installer "initrd=initrd\.gz" LBISO-NOURL
check ubuntu-casper "boot=casper ip=dhcp url=http://$ip/lifeboat/iso/ubuntu-casper\.iso" "LBISO-FETCH .*$(iso_sum "$LAB_DIR/ubuntu-casper.iso")"
check fedora-live "root=live:http://$ip/lifeboat/iso/fedora-live/LiveOS/squashfs\.img rd\.live\.image ip=dhcp" LBISO-OK
check arch "initrd=intel-ucode\.img initrd=initramfs-linux\.img archisobasedir=arch archiso_http_srv=http://$ip/lifeboat/iso/arch/ ip=dhcp" LBISO-OK
grep -aq "LBISO extra-initrd=intel-ucode" "$LAB_DIR/${short[arch]}.log" || lab_fail "arch on OVMF: the microcode initrd did not arrive"
check redhat-installer "inst\.repo=http://$ip/lifeboat/iso/redhat-installer ip=dhcp" LBISO-OK
lab_server_log_has "http\.done .*path=/lifeboat/menu/$ip/efi-[0-9a-f-]+\.ipxe status=200" ||
	lab_fail "no efi menu script served"
lab_pass "iso layouts on OVMF (six clients at once, --host picks):$times"
