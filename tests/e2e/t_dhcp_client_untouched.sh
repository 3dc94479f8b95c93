#!/usr/bin/env bash
# Ordinary DHCP clients on a LAN where lifeboat serves (kernel mode) get the
# router's lease and nothing from lifeboat: a proxy that answered them would
# break the LAN it was plugged into. Clients: busybox udhcpc (sends vendor
# class "udhcp x.y") and ISC dhclient (no vendor class), each in its own
# namespace on br0. tcpdump on every bridge port proves that no DHCP-port
# UDP frame enters the bridge from the laptop during their exchanges, while
# the router's replies are seen (so the capture itself works).
. "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_cmd ip dnsmasq tcpdump busybox cpio
lab_require_file "$LAB_KERNEL"

lab_up
lab_initramfs
lab_server_boot_kernel "$LAB_INITRD" "$LAB_CMDLINE"

cap=$LAB_DIR/capture.log
lab_spawn tcpdump "$NS_LAN" "$cap" tcpdump -i any -l -n -e -vv \
	'udp and (port 67 or port 68 or port 4011)'
for i in $(seq 50); do grep -q 'listening on' "$cap" && break; sleep 0.1; done
grep -q 'listening on' "$cap" || lab_fail "tcpdump did not start: $(cat "$cap")"

# mkhook NAME: a hook script that only records what the client was given
# in $LAB_DIR/NAME.out (the stock scripts would rewrite the host's
# /etc/resolv.conf). The path is baked in: dhclient clears the environment.
# It exits 0: a failing dhclient hook on BOUND makes dhclient DECLINE.
mkhook() {
	cat > "$LAB_DIR/$1.hook" <<HOOK
#!/bin/sh
# udhcpc: \$1=event, ip/serverid/router; dhclient: reason, new_* variables.
if [ -n "\$reason" ]; then
	echo "event=\$reason ip=\$new_ip_address serverid=\$new_dhcp_server_identifier router=\$new_routers" >> "$LAB_DIR/$1.out"
else
	echo "event=\$1 ip=\$ip serverid=\$serverid router=\$router" >> "$LAB_DIR/$1.out"
fi
exit 0
HOOK
	chmod +x "$LAB_DIR/$1.hook"
}

# check_lease NAME OUT: the hook saw a bound lease from the router.
check_lease() {
	local line
	line=$(grep -E 'event=(bound|BOUND)' "$2" | head -1)
	[ -n "$line" ] || lab_fail "$1 got no lease: $(cat "$2" 2>/dev/null) $(tail -5 "$LAB_DIR/$1.log")"
	echo "$line" | grep -qE 'ip=192\.0\.2\.(1[0-9][0-9]|200) ' ||
		lab_fail "$1 lease is not from the router's range: $line"
	echo "$line" | grep -q "serverid=$ROUTER_IP " || lab_fail "$1 lease's server id is not the router: $line"
	lab_log "$1: $line"
}

# udhcpc: one exchange, then quit (-q); no release.
lab_add_client_ns 1
mac1=$(lab_mac 11)
ip -n "$LAB_CLIENT_NS" link set eth0 address "$mac1"
start=$(lab_now)
mkhook udhcpc
lab_spawn udhcpc "$LAB_CLIENT_NS" "$LAB_DIR/udhcpc.log" \
	busybox udhcpc -i eth0 -f -q -n -t 5 -T 2 -s "$LAB_DIR/udhcpc.hook"
wait "$(lab_pid udhcpc)" || lab_fail "udhcpc failed: $(cat "$LAB_DIR/udhcpc.log")"
t_udhcpc=$(lab_elapsed "$start")
check_lease udhcpc "$LAB_DIR/udhcpc.out"

t_dhclient=n/a
mac2=
if command -v dhclient >/dev/null; then
	lab_add_client_ns 2
	mac2=$(lab_mac 12)
	ip -n "$LAB_CLIENT_NS" link set eth0 address "$mac2"
	start=$(lab_now)
	mkhook dhclient
	lab_spawn dhclient "$LAB_CLIENT_NS" "$LAB_DIR/dhclient.log" \
		dhclient -d -1 -v -sf "$LAB_DIR/dhclient.hook" -lf "$LAB_DIR/dhclient.leases" \
		-pf "$LAB_DIR/dhclient.pid" eth0
	for i in $(seq 200); do
		grep -q 'event=BOUND' "$LAB_DIR/dhclient.out" 2>/dev/null && break
		lab_alive dhclient || break
		sleep 0.1
	done
	t_dhclient=$(lab_elapsed "$start")
	check_lease dhclient "$LAB_DIR/dhclient.out"
	lab_stop dhclient
fi

# Give a late (wrong) answer from the laptop time to show up.
sleep 2
lab_alive laptop || lab_fail "the server on the laptop died: $(tail -20 "$LAPTOP_LOG")"
lab_stop tcpdump

grep -q "$ROUTER_IP\.67 > " "$cap" || lab_fail "capture saw no router reply; the capture is broken"
from_laptop=$(grep -E '^[0-9:.]+ p-laptop +(In|B|M|P) ' "$cap" || true)
[ -z "$from_laptop" ] || lab_fail "the laptop sent DHCP traffic to the LAN: $from_laptop"
grep -q "$LAPTOP_IP\.67 > " "$cap" && lab_fail "a reply from $LAPTOP_IP:67 was seen: $(grep "$LAPTOP_IP\.67 > " "$cap")"
lab_log "capture: $(grep -c "$ROUTER_IP\.67 > " "$cap") router reply frames, 0 frames from the laptop"

if [ "$LB_SERVER" != dnsmasq ]; then
	for m in $mac1 $mac2; do
		lab_server_log_has "ignor.*$m|$m.*ignor" || lab_fail "lifeboat's log does not show it ignored $m"
	done
fi

# Control: the same capture and check do see the laptop when a client looks
# like a PXE ROM (option 60 PXEClient, option 93 arch 0, option 94 UNDI
# 2.1); otherwise "0 frames" above could come from a blind capture.
cap2=$LAB_DIR/capture-control.log
lab_spawn tcpdump2 "$NS_LAN" "$cap2" tcpdump -i any -l -n -e -vv \
	'udp and (port 67 or port 68 or port 4011)'
for i in $(seq 50); do grep -q 'listening on' "$cap2" && break; sleep 0.1; done
lab_add_client_ns 3
mac3=$(lab_mac 13)
ip -n "$LAB_CLIENT_NS" link set eth0 address "$mac3"
mkhook pxe
lab_spawn pxe "$LAB_CLIENT_NS" "$LAB_DIR/pxe.log" busybox udhcpc -i eth0 -f -q -n -t 2 -T 2 \
	-V PXEClient:Arch:00000:UNDI:002001 -x 0x5d:0000 -x 0x5e:010201 -s "$LAB_DIR/pxe.hook"
wait "$(lab_pid pxe)"
sleep 1
lab_stop tcpdump2
grep -qE '^[0-9:.]+ p-laptop +(In|B|M|P) ' "$cap2" ||
	lab_fail "control: no frame from the laptop for a PXE-looking client; the check above proves nothing"
lab_log "control: the laptop answered the PXE-looking client $mac3 ($(grep -cE '^[0-9:.]+ p-laptop +(In|B|M|P) ' "$cap2") frames)"

lab_pass "ordinary clients untouched by $LB_SERVER: udhcpc lease in ${t_udhcpc}s, dhclient lease in ${t_dhclient}s, 0 frames from the laptop (a PXE-looking control client was answered)"
