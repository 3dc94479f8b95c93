#!/usr/bin/env bash
# IPv6 on a bare cable: no router, lifeboat `--dhcp6-range` only. lifeboat
# listens 3 s for another router, hears none and sends the router
# advertisements itself (M and O, 2001:db8:1::/64 on-link, router lifetime
# 0). Then:
#  - a Linux namespace (ISC dhclient -6, an ordinary host) gets an address
#    from the range, and its kernel took our RA (the on-link /64 route with a lifetime, no
#    default route);
#  - OVMF's own PXE over IPv6 (EDK2, PXEv4 off) boots kernel mode to the
#    marker: ipxe.efi over TFTP/IPv6, then HTTP/IPv6;
#  - a router (radvd) that appears later silences lifeboat at once: it logs
#    ra.other_router and sends no RA after it (tcpdump on its bridge port),
#    even when the client solicits again.
. "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio radvd dhclient tcpdump
lab_require_file "$LAB_KERNEL" /usr/lib/ipxe/ipxe.efi /usr/share/OVMF/OVMF_CODE.fd

LAPTOP_IP6=2001:db8:1::2
LB_E2E_IPV6_RA=0
lab_up
lab_stop router # a bare cable: nobody but lifeboat and the clients
ip -n "$NS_LAPTOP" addr add $LAPTOP_IP6/64 dev eth0 nodad
laptop_mac=$(ip -n "$NS_LAPTOP" link show eth0 | awk '/link\/ether/ { print $2 }')

cap=$LAB_DIR/ra.pcap.txt
lab_spawn tcpdump "$NS_LAN" "$cap" tcpdump -i p-laptop -l -n -tt -e \
	"ether src $laptop_mac and icmp6 and ip6[40] == 134"
for i in $(seq 50); do grep -q 'listening on' "$cap" && break; sleep 0.1; done
grep -q 'listening on' "$cap" || lab_fail "tcpdump did not start: $(cat "$cap")"

# the ordinary host, up before lifeboat (its kernel's RSs go unanswered)
lab_add_client_ns 1
CNS=$LAB_CLIENT_NS
cmac=$(lab_mac 21)
ip -n "$CNS" link set eth0 address "$cmac"

lab_initramfs
token=lbe$$x$RANDOM
root=$LAB_DIR/root
mkdir -p "$root"
chmod -R a+rX "$root"
[ -x "$LB_BIN" ] || lab_fail "no lifeboat binary at $LB_BIN (run make)"
lab_run_laptop "$LB_BIN" serve "$root" $LB_SERVE_ARGS -i $LAPTOP_IF --no-dhcp \
	--dhcp6-range 2001:db8:1::1000,2001:db8:1::1fff \
	--kernel "$LAB_KERNEL" --initrd "$LAB_INITRD" --cmdline "$LAB_CMDLINE lbe_token=$token" \
	--ipxe-dir /usr/lib/ipxe
lab_wait_udp "$NS_LAPTOP" 547 10 || lab_fail "lifeboat does not listen on udp/547: $(tail -20 "$LAPTOP_LOG")"
lab_server_log_has "ra\.listen iface=eth0" || lab_fail "lifeboat did not listen for routers first"
for i in $(seq 100); do
	lab_server_log_has "ra\.start iface=eth0 prefix=2001:db8:1::/64 flags=M,O router_lifetime=0" && break
	sleep 0.1
done
lab_server_log_has "ra\.start iface=eth0 prefix=2001:db8:1::/64" ||
	lab_fail "lifeboat sends no RAs on a link with no router: $(tail -5 "$LAPTOP_LOG")"

# 1. the Linux host: its kernel takes the RA (on-link prefix, no default
# route), dhclient -6 gets an address from the range
for i in $(seq 100); do
	ip -n "$CNS" -6 route show 2001:db8:1::/64 | grep -q expires && break
	sleep 0.2
done
ip -n "$CNS" -6 route show 2001:db8:1::/64 | grep -q expires ||
	lab_fail "the client's kernel did not take lifeboat's RA: $(ip -n "$CNS" -6 route)"
ip -n "$CNS" -6 route show default | grep -q . &&
	lab_fail "lifeboat's RA made it a default router: $(ip -n "$CNS" -6 route show default)"
cat > "$LAB_DIR/dhclient6.hook" <<HOOK
#!/bin/sh
echo "event=\$reason ip6=\$new_ip6_address" >> "$LAB_DIR/dhclient6.out"
exit 0
HOOK
chmod +x "$LAB_DIR/dhclient6.hook"
start=$(lab_now)
lab_spawn dhclient6 "$CNS" "$LAB_DIR/dhclient6.log" \
	dhclient -6 -d -1 -v -sf "$LAB_DIR/dhclient6.hook" -lf "$LAB_DIR/dhclient6.leases" \
	-pf "$LAB_DIR/dhclient6.pid" eth0
for i in $(seq 300); do
	grep -q 'event=BOUND6' "$LAB_DIR/dhclient6.out" 2>/dev/null && break
	lab_alive dhclient6 || break
	sleep 0.1
done
grep -qE 'event=BOUND6 ip6=2001:db8:1::1[0-9a-f]{3}$' "$LAB_DIR/dhclient6.out" 2>/dev/null ||
	lab_fail "dhclient -6 got no address from the range: $(cat "$LAB_DIR/dhclient6.out" 2>/dev/null) $(tail -5 "$LAB_DIR/dhclient6.log")"
t_dhclient=$(lab_elapsed "$start")
lab_log "dhclient -6: $(grep BOUND6 "$LAB_DIR/dhclient6.out" | head -1) after ${t_dhclient}s"
lab_stop dhclient6

# 2. OVMF's PXE over IPv6, kernel mode
mac=$(lab_mac 6)
serial=$LAB_DIR/ovmf6.log
qemu_ovmf_pxe ovmf6 "$mac" "$serial" -fw_cfg name=opt/org.tianocore/IPv4PXESupport,string=no
to=${LB_E2E_BOOT_TIMEOUT:-240}
wait_for_marker "$serial" "$LAB_MARKER .*lbe_token=$token" "$to" ovmf6 ||
	lab_fail "OVMF did not boot over IPv6 on a bare cable: $LAB_WAIT_WHY"
t=$(timing ovmf6)
lab_server_log_has "dhcp6\.reply mac=$mac type=request port=547 .*mode=stateful addr=2001:db8:1::1[0-9a-f]{3} url=tftp://" ||
	lab_fail "lifeboat did not assign the firmware an address with its boot URL"
lab_server_log_has "http\.done client=\[2001:db8:1::\S*( mac=\S+)? method=GET path=/lifeboat/kernel/linux status=200" ||
	lab_fail "no HTTP/IPv6 fetch of the kernel"
lab_stop qemu-ovmf6
n_before=$(grep -c 'ICMP6, router advertisement' "$cap")
[ "$n_before" -ge 1 ] || lab_fail "the capture saw no RA from lifeboat: $(head -5 "$cap")"

# 3. a router appears: lifeboat goes quiet at once and stays quiet
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
ip netns exec "$NS_ROUTER" sysctl -qw net.ipv6.conf.all.forwarding=1
lab_spawn radvd "$NS_ROUTER" "$LAB_DIR/radvd.log" \
	radvd --nodaemon --config "$LAB_DIR/radvd.conf" --pidfile "$LAB_DIR/radvd.pid" \
	--logmethod stderr --debug 1
for i in $(seq 150); do
	lab_server_log_has "ra\.other_router iface=eth0 .*action=quiet" && break
	sleep 0.1
done
lab_server_log_has "ra\.other_router iface=eth0 from=fe80::\S+ flags=MO router_lifetime=[1-9][0-9]* action=quiet" ||
	lab_fail "lifeboat did not notice the router: $(tail -5 "$LAPTOP_LOG")"
quiet_at=$(date +%s.%N)
# the client solicits again (link down/up): radvd answers (a default route
# via the router), lifeboat must not
ip -n "$CNS" link set eth0 down
ip -n "$CNS" link set eth0 up
for i in $(seq 150); do
	ip -n "$CNS" -6 route show default | grep -q via && break
	sleep 0.1
done
ip -n "$CNS" -6 route show default | grep -q via || lab_fail "the client got no RA from radvd"
sleep 1 # lifeboat would have answered the RS within 0.5 s
after=$(awk -v q="$quiet_at" '/router advertisement/ && $1 > q' "$cap" | wc -l)
[ "$after" = 0 ] || lab_fail "lifeboat sent $after RA(s) after the router appeared: $(tail -3 "$cap")"
lab_alive laptop || lab_fail "lifeboat exited: $(tail -20 "$LAPTOP_LOG")"
lab_pass "ra-bare: dhclient -6 bound in ${t_dhclient}s, OVMF PXEv6 power-on to marker ${t}s; $n_before RA(s) from lifeboat, none after radvd appeared"
