#!/usr/bin/env bash
# UEFI HTTP boot end to end: OVMF (EDK2's HttpBootDxe, virtio-net with an
# empty romfile, so no iPXE ROM) with its PXE stack switched off through
# QEMU's fw_cfg (opt/org.tianocore/IPv4PXESupport=no, IPv6PXESupport=no),
# so the first network boot option it tries is "UEFI HTTPv4". It sends
# DHCPDISCOVER with vendor class HTTPClient:Arch:00016; the LAN's router
# gives it an address, lifeboat (kernel mode, proxy) answers with option 60
# HTTPClient and an http://IP-literal URL of snponly.efi. EDK2 fetches that
# EFI file over HTTP and starts it; iPXE then fetches lifeboat's generated
# script, the kernel and the marker initramfs over HTTP. Nothing goes over
# TFTP.
. "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio
lab_require_file "$LAB_KERNEL" /usr/lib/ipxe/snponly.efi /usr/share/OVMF/OVMF_CODE.fd /usr/share/OVMF/OVMF_VARS.fd
[ "$LB_SERVER" = lifeboat ] || lab_skip "HTTP boot proxy offers are lifeboat's; the dnsmasq stand-in has no HTTP boot"

lab_up
lab_initramfs
token=lbe$$x$RANDOM
lab_server_boot_kernel "$LAB_INITRD" "$LAB_CMDLINE lbe_token=$token"
mac=$(lab_mac 4)
serial=$LAB_DIR/httpboot.log
lab_add_tap httpboot
cp /usr/share/OVMF/OVMF_VARS.fd "$LAB_DIR/httpboot.vars.fd"
_qemu_start httpboot "$serial" \
	-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE.fd \
	-drive "if=pflash,format=raw,file=$LAB_DIR/httpboot.vars.fd" \
	-fw_cfg name=opt/org.tianocore/IPv4PXESupport,string=no \
	-fw_cfg name=opt/org.tianocore/IPv6PXESupport,string=no \
	-device "virtio-net-pci,netdev=n0,mac=$mac,romfile=,bootindex=1"
wait_for_marker "$serial" "$LAB_MARKER .*lbe_token=$token" "${LB_E2E_BOOT_TIMEOUT:-240}" httpboot ||
	lab_fail "OVMF HTTP boot client did not boot: $LAB_WAIT_WHY"
t=$(timing httpboot)
ph=$(phases httpboot "$mac")
lab_log "marker after ${t}s: $(grep -a "$LAB_MARKER" "$serial" | tr -d '\r')"

ip=$(lab_check_lease "$mac") || lab_fail "router's lease file has no lease for $mac: $(cat "$ROUTER_LEASES")"
lab_log "client $mac holds router lease $ip"
# The firmware asked as an HTTP boot client (arch 16, HTTPClient) and got a
# URL with an IP literal, in the HTTP shape.
lab_server_log_has "dhcp\.offer mac=$mac arch=16\(efi64-http\) fw=uefi http=yes shape=http file=http://$LAPTOP_IP/lifeboat/ipxe/snponly\.efi " ||
	lab_fail "lifeboat made no HTTP-shape offer with an IP-literal URL to arch 16 client $mac"
# EDK2 loaded the whole EFI file over HTTP (status 200, every byte).
size=$(stat -c %s /usr/lib/ipxe/snponly.efi)
lab_server_log_has "http\.done .*method=GET path=/lifeboat/ipxe/snponly\.efi status=200 bytes=$size " ||
	lab_fail "the server's log shows no complete HTTP GET of snponly.efi ($size bytes)"
# ... and ran it: the iPXE it loaded asked again as iPXE and fetched the kernel.
lab_server_log_has "dhcp\.offer mac=$mac .*fw=ipxe .*boot\.ipxe" ||
	lab_fail "no iPXE DHCP request from $mac after the HTTP boot: snponly.efi did not run"
lab_server_log_has "http\.done .*method=GET path=\S*/linux status=200" ||
	lab_fail "the server's log shows no HTTP fetch of the kernel"
# The firmware's own console says it was its HTTP boot that loaded the file.
con=$(tr -d '\r' < "$serial" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g')
grep -q 'Start HTTP Boot over IPv4' <<<"$con" || lab_fail "OVMF did not start HTTP boot"
grep -q "URI: http://$LAPTOP_IP/lifeboat/ipxe/snponly\.efi" <<<"$con" || lab_fail "OVMF's console shows no URI from lifeboat"
grep -q 'starting Boot[0-9A-F]* "UEFI HTTPv4' <<<"$con" || lab_fail "OVMF did not start the file it got by HTTP boot"
! lab_server_log_has "tftp\.(done|start|refuse) .*snponly" ||
	lab_fail "snponly.efi went over TFTP: the client was not doing HTTP boot"
lab_pass "ovmf uefi http boot via lifeboat: power-on to marker ${t}s${ph:+ (}${ph}${ph:+)} (lease $ip from router)"
