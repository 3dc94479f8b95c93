#!/usr/bin/env bash
# Issue 15 §1, a bare cable: no router, lifeboat serve --mode dhcp is the
# LAN's only DHCP server. In one run:
#  - a namespace squats on 192.0.2.100; a client asking for that address
#    (udhcpc -r) is offered another one and the log names the conflict
#    (ARP probe, RFC 5227);
#  - udhcpc, ISC dhclient and dhcpcd get leases with the configured router,
#    DNS, domain, MTU and NTP; dhclient's MAC has a reservation (--host
#    MAC=IP,NAME) and gets that address and host name;
#  - a QEMU BIOS iPXE client and an OVMF (EDK2 PXE) client boot the kernel
#    to the marker with addresses from lifeboat;
#  - kill -9 of serve during a burst of DORAs (tests/e2e/dora.py records
#    each ACK as it arrives), restart on the same lease file: every
#    acknowledged lease is in the file, and each of those clients is
#    offered the same address again.
. "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_cmd ip busybox dhclient python3 qemu-system-x86_64
lab_require_file "$LAB_KERNEL"
lab_init
LEASES=$LAB_DIR/lib/dhcp4.leases

# bare_up: laptop namespace and the LAN bridge only (lab_up adds a router).
bare_up() {
	local ns
	for ns in "$NS_LAPTOP" "$NS_LAN"; do
		ip netns add "$ns" || lab_fail "ip netns add $ns"
		ip -n "$ns" link set lo up
	done
	LAB_UP=1
	ip -n "$NS_LAN" link add br0 type bridge
	ip -n "$NS_LAN" link set br0 type bridge forward_delay 0 stp_state 0
	ip -n "$NS_LAN" link set br0 up
	lab_ns_link "$NS_LAN" p-laptop "$NS_LAPTOP" eth0
	ip -n "$NS_LAN" link set p-laptop master br0 up
	ip -n "$NS_LAPTOP" addr add $LAPTOP_IP/24 dev eth0
	ip -n "$NS_LAPTOP" link set eth0 up
}

# serve_full: lifeboat in kernel mode and --mode dhcp (the flags the
# clients' checks expect) until it listens on 67.
serve_full() {
	LB_SERVE_ARGS="-v --mode dhcp --no-dhcp6 --dhcp-range 192.0.2.100,192.0.2.199,1h
		--router 192.0.2.1 --dns 192.0.2.53 --dns 192.0.2.54 --domain lab.example
		--mtu 1400 --ntp 192.0.2.13 --lease-file $LEASES --no-status --status-socket=
		--host $RESV_MAC=192.0.2.77,resv-host"
	lab_server_boot_kernel "$LAB_INITRD" "$LAB_CMDLINE"
	LB_PID=$(lab_pid laptop)
	for _ in $(seq 50); do grep -q serve.ready "$LAPTOP_LOG" && return 0; sleep 0.1; done
	lab_fail "no serve.ready: $(tail -20 "$LAPTOP_LOG")"
}

# hook NAME: records what a client was given.
hook() {
	cat > "$LAB_DIR/$1.hook" <<HOOK
#!/bin/sh
if [ -n "\$reason" ]; then
	echo "event=\$reason ip=\$new_ip_address router=\$new_routers dns=\$new_domain_name_servers domain=\$new_domain_name mtu=\$new_interface_mtu ntp=\$new_ntp_servers host=\$new_host_name" >> "$LAB_DIR/$1.out"
else
	echo "event=\$1 ip=\$ip router=\$router dns=\$dns domain=\$domain mtu=\$mtu ntp=\$ntpsrv host=\$hostname" >> "$LAB_DIR/$1.out"
fi
exit 0
HOOK
	chmod +x "$LAB_DIR/$1.hook"
}
n=0
client_ns() {
	n=$((n + 1))
	lab_add_client_ns "$n"
	ip -n "$LAB_CLIENT_NS" link set eth0 address "$1"
}
bound_line() {
	local i
	for i in $(seq 300); do
		grep -qE 'event=(bound|BOUND|REBOOT)' "$LAB_DIR/$1.out" 2>/dev/null && break
		sleep 0.1
	done
	grep -E 'event=(bound|BOUND|REBOOT)' "$LAB_DIR/$1.out" 2>/dev/null | head -1
}
check_opts() { # NAME LINE
	local want
	for want in 'router=192.0.2.1 ' 'dns=192.0.2.53 192.0.2.54 ' 'domain=lab.example ' \
		'ntp=192.0.2.13'; do
		case $2 in *"$want"*) ;; *) lab_fail "$1: no '$want' in: $2" ;; esac
	done
	# udhcpc hands the MTU to its script; dhclient and dhcpcd apply it
	case $1 in udhcpc*) case $2 in *'mtu=1400 '*) ;; *) lab_fail "$1: no mtu=1400 in: $2" ;; esac ;; esac
}

bare_up
lab_initramfs
RESV_MAC=$(lab_mac 31)
t0=$(lab_now)
serve_full
lab_server_log_has 'serve.ready mode=kernel .*dhcp=full' || lab_fail "not in full DHCP mode"

# the VMs first: they take longest
qemu_bios_ipxe bios "$(lab_mac 11)" "$LAB_DIR/bios.serial"
qemu_ovmf_pxe ovmf "$(lab_mac 12)" "$LAB_DIR/ovmf.serial"

# ARP conflict: the squatter holds .100, the client asks for it
client_ns 02:00:00:00:99:01
SQUAT_NS=$LAB_CLIENT_NS
ip -n "$SQUAT_NS" addr add 192.0.2.100/24 dev eth0
client_ns "$(lab_mac 21)"
hook udhcpc-squat
lab_spawn udhcpc-squat "$LAB_CLIENT_NS" "$LAB_DIR/udhcpc-squat.log" \
	busybox udhcpc -i eth0 -f -q -t 5 -T 2 -A 1 -r 192.0.2.100 -s "$LAB_DIR/udhcpc-squat.hook"
line=$(bound_line udhcpc-squat)
lab_stop udhcpc-squat
[ -n "$line" ] || lab_fail "udhcpc (squat) got no lease: $(tail -5 "$LAB_DIR/udhcpc-squat.log")"
case $line in *'ip=192.0.2.100 '*) lab_fail "offered the squatted address: $line" ;; esac
lab_server_log_has 'dhcp.conflict ip=192.0.2.100 owner=02:00:00:00:99:01' ||
	lab_fail "no dhcp.conflict line for 192.0.2.100"
check_opts udhcpc "$line"
lab_log "conflict: 192.0.2.100 skipped; udhcpc: $line"

# dhclient (reserved MAC) and dhcpcd
client_ns "$RESV_MAC"
hook dhclient
lab_spawn dhclient "$LAB_CLIENT_NS" "$LAB_DIR/dhclient.log" \
	dhclient -d -1 -v -sf "$LAB_DIR/dhclient.hook" -lf "$LAB_DIR/dhclient.leases" \
	-pf "$LAB_DIR/dhclient.pid" eth0
line=$(bound_line dhclient)
lab_stop dhclient
[ -n "$line" ] || lab_fail "dhclient got no lease: $(tail -5 "$LAB_DIR/dhclient.log")"
case $line in *'ip=192.0.2.77 '*'host=resv-host'*) ;; *) lab_fail "dhclient: not the reservation: $line" ;; esac
check_opts dhclient "$line"
lab_log "dhclient: $line"
if command -v dhcpcd > /dev/null; then
	client_ns "$(lab_mac 22)"
	hook dhcpcd
	lab_spawn dhcpcd "$LAB_CLIENT_NS" "$LAB_DIR/dhcpcd.log" sh -c \
		'mount -t tmpfs tmpfs /run && mkdir -p /run/dhcpcd && { [ ! -d /var/lib/dhcpcd ] || mount -t tmpfs tmpfs /var/lib/dhcpcd; } && exec "$@"' dhcpcd \
		dhcpcd -f /dev/null -B -1 -4 -d -t 20 --noipv4ll -o domain_name_servers \
		-o domain_name -o ntp_servers -o interface_mtu -c "$LAB_DIR/dhcpcd.hook" eth0
	line=$(bound_line dhcpcd)
	lab_stop dhcpcd
	[ -n "$line" ] || lab_fail "dhcpcd got no lease: $(tail -5 "$LAB_DIR/dhcpcd.log")"
	case $line in *'ip=192.0.2.1'[0-9][0-9]' '*) ;; *) lab_fail "dhcpcd: address not from the range: $line" ;; esac
	check_opts dhcpcd "$line"
	lab_log "dhcpcd: $line"
else
	lab_log "dhcpcd not installed: skipped"
fi

# kill -9 during a burst of leases
client_ns 02:00:00:00:aa:00
BURST_NS=$LAB_CLIENT_NS
ACKS=$LAB_DIR/acks.txt
: > "$ACKS"
lab_spawn dora "$BURST_NS" "$LAB_DIR/dora.log" python3 "$LAB_E2E/dora.py" eth0 60 8 "$ACKS" 02:00:00:01:00:00
for _ in $(seq 200); do [ "$(wc -l < "$ACKS")" -ge 15 ] && break; sleep 0.05; done
kill -9 "$LB_PID"
acked=$(wc -l < "$ACKS")
lab_stop dora
[ "$acked" -ge 1 ] || lab_fail "no ACK before the kill: $(cat "$LAB_DIR/dora.log")"
head -1 "$LEASES" | grep -qx 'lifeboat-dhcp4-leases 1' || lab_fail "lease file torn: $(head -3 "$LEASES")"
while read -r mac ip; do
	grep -qx "$mac $ip [0-9]*" "$LEASES" || lab_fail "acknowledged lease $mac $ip lost by kill -9"
done < "$ACKS"
lab_log "kill -9 after $acked ACKs: all in the lease file ($(($(wc -l < "$LEASES") - 1)) records)"
# the VMs still need a server: restart on the same file
mv "$LAPTOP_LOG" "$LAB_DIR/laptop-1.log"
serve_full
lab_server_log_has "dhcp.leases file=dhcp4.leases records=[0-9]+ bad_lines=0" || lab_fail "leases not read back"
# each acknowledged client is offered its address again
: > "$LAB_DIR/acks2.txt"
first=$(head -1 "$ACKS" | cut -d' ' -f1)
ip netns exec "$BURST_NS" python3 "$LAB_E2E/dora.py" eth0 "$acked" 8 "$LAB_DIR/acks2.txt" "$first" > "$LAB_DIR/dora2.log" 2>&1 ||
	lab_fail "second DORA run: $(cat "$LAB_DIR/dora2.log")"
while read -r mac ip; do
	grep -qx "$mac $ip" "$LAB_DIR/acks2.txt" || lab_fail "$mac had $ip before the kill, now: $(grep "$mac" "$LAB_DIR/acks2.txt")"
done < "$ACKS"
lab_log "after restart: the $acked acknowledged clients got the same addresses"

for vm in bios ovmf; do
	wait_for_marker "$LAB_DIR/$vm.serial" "$LAB_MARKER" "${LB_E2E_BOOT_TIMEOUT:-300}" "$vm" ||
		lab_fail "$vm did not boot: $LAB_WAIT_WHY"
	lab_log "$vm booted in $(timing "$vm") s"
done
for mac in "$(lab_mac 11)" "$(lab_mac 12)"; do
	cat "$LAB_DIR/laptop-1.log" "$LAPTOP_LOG" | grep -q "dhcp.ack mac=$mac ip=192.0.2.1[0-9][0-9] .*boot=" ||
		lab_fail "no full-DHCP ACK with boot information for $mac"
done
lab_log "total $(lab_elapsed "$t0") s"
lab_pass
