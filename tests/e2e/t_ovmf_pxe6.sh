#!/usr/bin/env bash
# IPv6 netboot with OVMF's own PXE stack (virtio-net, empty romfile): the
# "UEFI PXEv6" boot option. lifeboat's IPv4 proxyDHCP is off (--no-dhcp), so
# the firmware's "PXEv4" option finds no boot server and OVMF falls through
# to PXEv6.
#
# Default (t_ovmf_pxe6): stateful DHCPv6 (--dhcp6-range), kernel mode. The
# router only advertises the prefix (radvd, M flag); lifeboat assigns the
# address (IA_NA from the range) with option 59
# tftp://[2001:db8:1::2]/lifeboat/ipxe/ipxe.efi; iPXE then asks DHCPv6
# itself (user class iPXE), gets http://[2001:db8:1::2]/lifeboat/boot.ipxe
# and fetches script, kernel and initrd over HTTP/IPv6 to the marker.
# (Not snponly.efi: Debian's 2019 build hangs at "initialising devices" when
# UEFI PXE started it over IPv6; seen in this lab. lifeboat hands ipxe.efi
# to IPv6 UEFI clients in kernel mode.)
#
# LB_E2E_PXE6_BOOT=grub (t_ovmf_pxe6_grub): `serve ROOT --boot
# efi64=grubnetx64.efi`: Debian's signed network GRUB reads grub/grub.cfg,
# the kernel and the initrd from lifeboat over TFTP/IPv6.
#
# LB_E2E_PXE6_MODE=proxy (t_ovmf_pxe6_proxy): the router's dnsmasq assigns
# IPv6 addresses (stateful DHCPv6); lifeboat sends EDK2's proxy Advertise (no
# IA_NA, vendor class 343 PXEClient) and answers its Request on udp/4011.
#
# Every variant ends with curl fetching a file over TFTP and HTTP from
# lifeboat's global and scoped link-local addresses.
. "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio radvd curl
lab_require_file "$LAB_KERNEL" /usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed \
	/usr/lib/ipxe/ipxe.efi /usr/share/OVMF/OVMF_CODE.fd

MODE=${LB_E2E_PXE6_MODE:-stateful}
BOOT=${LB_E2E_PXE6_BOOT:-kernel}
LAPTOP_IP6=2001:db8:1::2
LB_E2E_IPV6_RA=0 # this test runs its own IPv6 router
lab_up
ip -n "$NS_ROUTER" addr add 2001:db8:1::1/64 dev eth0 nodad
ip -n "$NS_LAPTOP" addr add $LAPTOP_IP6/64 dev eth0 nodad
ip netns exec "$NS_ROUTER" sysctl -qw net.ipv6.conf.all.forwarding=1
ROUTER6=${LB_E2E_PXE6_ROUTER:-dnsmasq}
ROUTER6_LOG=$LAB_DIR/router6-$ROUTER6.log
if [ "$MODE" = proxy ] && [ "$ROUTER6" = kea ]; then
	# Kea (kea-dhcp6) as the LAN's stateful DHCPv6 server, radvd the RAs
	# (M flag, no SLAAC): t_ovmf_pxe6_proxy_kea
	lab_require_cmd kea-dhcp6 radvd
	cat > "$LAB_DIR/kea-dhcp6.conf" <<-EOF
	{ "Dhcp6": {
		"interfaces-config": { "interfaces": [ "eth0" ] },
		"server-id": { "type": "LLT", "persist": false },
		"lease-database": { "type": "memfile", "persist": true,
			"name": "$LAB_DIR/router6.leases", "lfc-interval": 0 },
		"preferred-lifetime": 3000, "valid-lifetime": 3600,
		"subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
			"pools": [ { "pool": "2001:db8:1::100 - 2001:db8:1::1ff" } ] } ],
		"loggers": [ { "name": "kea-dhcp6", "severity": "DEBUG", "debuglevel": 40,
			"output_options": [ { "output": "stdout" } ] } ]
	} }
	EOF
	# Kea binds the link-local address: wait for DAD to finish with it
	for i in $(seq 50); do
		ip -n "$NS_ROUTER" -6 addr show dev eth0 scope link | grep -q inet6 &&
			! ip -n "$NS_ROUTER" -6 addr show dev eth0 scope link tentative | grep -q inet6 && break
		sleep 0.2
	done
	lab_spawn router6 "$NS_ROUTER" "$ROUTER6_LOG" \
		env KEA_PIDFILE_DIR="$LAB_DIR" KEA_LOCKFILE_DIR="$LAB_DIR" \
		kea-dhcp6 -c "$LAB_DIR/kea-dhcp6.conf"
	cat > "$LAB_DIR/radvd.conf" <<-EOF
	interface eth0 {
		AdvSendAdvert on;
		MinRtrAdvInterval 3;
		MaxRtrAdvInterval 6;
		AdvManagedFlag on;
		AdvOtherConfigFlag on;
		prefix 2001:db8:1::/64 { AdvOnLink on; AdvAutonomous off; };
	};
	EOF
	lab_spawn radvd "$NS_ROUTER" "$LAB_DIR/radvd.log" \
		radvd --nodaemon --config "$LAB_DIR/radvd.conf" --pidfile "$LAB_DIR/radvd.pid" \
		--logmethod stderr --debug 1
	lab_wait_udp "$NS_ROUTER" 547 15 || lab_fail "router kea-dhcp6 did not start: $(tail -5 "$ROUTER6_LOG")"
elif [ "$MODE" = proxy ]; then
	# dnsmasq as the LAN's stateful DHCPv6 server (it also sends the RAs)
	lab_spawn router6 "$NS_ROUTER" "$ROUTER6_LOG" \
		dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface=eth0 \
		--bind-interfaces --enable-ra --dhcp-range=2001:db8:1::100,2001:db8:1::1ff,64,1h \
		--dhcp-leasefile="$LAB_DIR/router6.leases" --pid-file="$LAB_DIR/router6.pid" \
		--log-dhcp --log-facility=-
	lab_wait_udp "$NS_ROUTER" 547 10 || lab_fail "router DHCPv6 did not start: $(tail -5 "$ROUTER6_LOG")"
else
	cat > "$LAB_DIR/radvd.conf" <<-EOF
	interface eth0 {
		AdvSendAdvert on;
		MinRtrAdvInterval 3;
		MaxRtrAdvInterval 6;
		AdvManagedFlag on;
		AdvOtherConfigFlag on;
		prefix 2001:db8:1::/64 { AdvOnLink on; AdvAutonomous off; };
	};
	EOF
	lab_spawn radvd "$NS_ROUTER" "$LAB_DIR/radvd.log" \
		radvd --nodaemon --config "$LAB_DIR/radvd.conf" --pidfile "$LAB_DIR/radvd.pid" \
		--logmethod stderr --debug 1
fi

lab_initramfs
token=lbe$$x$RANDOM
root=$LAB_DIR/root
mkdir -p "$root/grub"
cat > "$root/grub/grub.cfg" <<EOF
set timeout=0
echo "LIFEBOAT-GRUB6 server=\$net_default_server root=\$root"
linux /linux $LAB_CMDLINE lbe_token=$token
initrd /initrd.gz
boot
EOF
range=()
[ "$MODE" = stateful ] && range=(--dhcp6-range 2001:db8:1::1000,2001:db8:1::1fff)
if [ "$BOOT" = grub ]; then
	# Debian's signed network GRUB, its config, a kernel and the marker
	# initramfs, all fetched by GRUB over TFTP/IPv6 from lifeboat.
	cp /usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed "$root/grubnetx64.efi"
	cp "$LAB_KERNEL" "$root/linux"
	cp "$LAB_INITRD" "$root/initrd.gz"
	nbp=grubnetx64.efi
	boot=(--boot efi64=grubnetx64.efi)
else
	# kernel mode: ipxe.efi over TFTP/IPv6, then iPXE asks DHCPv6 itself and
	# fetches the generated script, kernel and initrd over HTTP/IPv6.
	nbp=lifeboat/ipxe/ipxe.efi
	boot=(--kernel "$LAB_KERNEL" --initrd "$LAB_INITRD" --cmdline "$LAB_CMDLINE lbe_token=$token"
		--ipxe-dir /usr/lib/ipxe)
fi
chmod -R a+rX "$root"
[ -x "$LB_BIN" ] || lab_fail "no lifeboat binary at $LB_BIN (run make)"
lab_run_laptop "$LB_BIN" serve "$root" $LB_SERVE_ARGS -i $LAPTOP_IF --no-dhcp "${range[@]}" "${boot[@]}"
lab_wait_udp "$NS_LAPTOP" 547 10 || lab_fail "lifeboat does not listen on udp/547: $(tail -20 "$LAPTOP_LOG")"
lab_alive laptop || lab_fail "lifeboat exited: $(tail -20 "$LAPTOP_LOG")"

mac=$(lab_mac 6)
serial=$LAB_DIR/ovmf6.log
# PXEv4 off through fw_cfg (this OVMF honours it): otherwise the firmware
# spends ~80 s under TCG giving up on PXEv4 before it tries IPv6.
qemu_ovmf_pxe ovmf6 "$mac" "$serial" -fw_cfg name=opt/org.tianocore/IPv4PXESupport,string=no
to=${LB_E2E_BOOT_TIMEOUT:-240}

if [ "$MODE" = proxy ] && [ "$BOOT" = grub ]; then
	# GRUB 2.06 reads only the DHCPv6 Reply of the server that assigned the
	# address (the router's, without a boot URL), so it stops at its prompt:
	# the proof is that the file lifeboat named was loaded and started.
	wait_for_marker "$serial" "GNU GRUB +version" "$to" ovmf6 ||
		lab_fail "OVMF did not load and start its boot file over IPv6: $LAB_WAIT_WHY"
	t=$(timing ovmf6)
	what="GRUB started"
else
	wait_for_marker "$serial" "$LAB_MARKER .*lbe_token=$token" "$to" ovmf6 ||
		lab_fail "OVMF did not boot over IPv6: $LAB_WAIT_WHY"
	t=$(timing ovmf6)
	lab_log "marker after ${t}s: $(grep -a "$LAB_MARKER" "$serial" | tr -d '\r')"
	what=marker
fi
grep -aq "PXE over IPv6" "$serial" || lab_fail "the firmware never started PXE over IPv6"
grep -aq "NBP file downloaded successfully" "$serial" || lab_fail "the firmware did not report the download"
url="tftp://\[$LAPTOP_IP6\]/${nbp//./\\.}"
lab_server_log_has "dhcp6\.advertise mac=$mac type=solicit port=547 arch=7\(efi64\) fw=uefi mode=$MODE.* url=$url" ||
	lab_fail "lifeboat sent no $MODE Advertise with the boot URL to $mac"
if [ "$MODE" = stateful ]; then
	lab_server_log_has "dhcp6\.reply mac=$mac type=request port=547 .*mode=stateful addr=2001:db8:1::1[0-9a-f]{3} url=$url" ||
		lab_fail "lifeboat did not assign $mac an address from the range with the boot URL"
else
	lab_server_log_has "dhcp6\.reply mac=$mac type=request port=4011 .*mode=proxy url=$url" ||
		lab_fail "lifeboat did not answer EDK2's udp/4011 request"
	grep -aqE "DHCPREPLY.*2001:db8:1::1|DHCP6_LEASE_ALLOC.*2001:db8:1::1" "$ROUTER6_LOG" ||
		lab_fail "the router ($ROUTER6) assigned no IPv6 address"
fi
lab_server_log_has "tftp\.done client=\[2001:db8:1::\S*( mac=\S+)? file=${nbp//./\\.} " ||
	lab_fail "no complete TFTP/IPv6 transfer of $nbp"
if [ "$BOOT" = grub ] && [ "$MODE" = stateful ]; then
	lab_server_log_has "tftp\.done client=\[2001:db8:1::1[0-9a-f]{3}\]\S*( mac=\S+)? file=/?linux " ||
		lab_fail "no TFTP/IPv6 transfer of the kernel to the assigned address"
	lab_server_log_has "tftp\.done client=\[2001:db8:1::1[0-9a-f]{3}\]\S*( mac=\S+)? file=/?initrd\.gz " ||
		lab_fail "no TFTP/IPv6 transfer of the initrd"
	grep -aq "LIFEBOAT-GRUB6 server=$LAPTOP_IP6" "$serial" ||
		lab_fail "GRUB did not name lifeboat as its server"
elif [ "$BOOT" = kernel ]; then
	lab_server_log_has "dhcp6\.(advertise|reply) mac=$mac type=(solicit|request|information-request) port=547 arch=7\(efi64\) fw=ipxe .*url=http://\[$LAPTOP_IP6\]/lifeboat/boot\.ipxe" ||
		lab_fail "iPXE did not get the script URL from lifeboat over DHCPv6"
	lab_server_log_has "http\.done client=\[2001:db8:1::\S*( mac=\S+)? method=GET path=/lifeboat/kernel/linux status=200" ||
		lab_fail "no HTTP/IPv6 fetch of the kernel"
	lab_server_log_has "http\.done client=\[2001:db8:1::\S*( mac=\S+)? method=GET path=/lifeboat/initrd/0/\S+ status=200" ||
		lab_fail "no HTTP/IPv6 fetch of the initrd"
fi
# TFTP and HTTP on the interface's IPv6 addresses, global and link-local
# (with its scope), from another host of the LAN.
ll=$(ip -n "$NS_LAPTOP" -6 addr show dev eth0 scope link | awk '/inet6/ { sub("/.*", "", $2); print $2; exit }')
[ -n "$ll" ] || lab_fail "the laptop has no link-local address"
for u in "http://[$LAPTOP_IP6]/grub/grub.cfg" "http://[$ll%25eth0]/grub/grub.cfg" \
	"tftp://[$LAPTOP_IP6]/grub/grub.cfg" "tftp://[$ll%25eth0]/grub/grub.cfg"; do
	ip netns exec "$NS_ROUTER" curl -gsS --max-time 10 -o "$LAB_DIR/fetched.cfg" "$u" ||
		lab_fail "curl $u failed"
	cmp -s "$LAB_DIR/fetched.cfg" "$root/grub/grub.cfg" || lab_fail "curl $u: wrong content"
done
beside=
[ "$MODE" = proxy ] && beside=" beside $ROUTER6"
lab_pass "ovmf-pxe6 ($MODE DHCPv6$beside, $BOOT): power-on to $what ${t}s"
