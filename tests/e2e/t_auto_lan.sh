#!/usr/bin/env bash
# serve --mode auto (issue 15 §2) in one run, with a capture on the
# laptop's bridge port of every DHCP reply lifeboat sends:
#  1. no router: the probe window passes in silence, lifeboat serves
#     addresses (mode=dhcp); busybox udhcpc gets a lease from it;
#  2. the router's dnsmasq starts later: lifeboat's next probe (every 2 s,
#     --probe-interval 2) meets its offer and lifeboat turns addressing off
#     (mode=proxy, logged) within the interval; a second udhcpc gets the
#     router's lease, and a QEMU BIOS iPXE client boots the kernel to the
#     marker through lifeboat's proxy answers;
#  3. lifeboat restarted beside the running router: proxy from the window
#     on (the router answered a probe; the default 10 s window outlasts
#     dnsmasq's 3 s ping check before its first offer);
#  4. no router again, but the laptop's address now has a finite lifetime
#     (as a DHCP client installs it): lifeboat stays proxy.
# The capture proves that lifeboat sent no DHCP reply carrying an address
# (yiaddr, tcpdump's "Your-IP") after step 2's switch, nor in step 3.
. "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_cmd ip dnsmasq busybox tcpdump qemu-system-x86_64 cpio
lab_require_file "$LAB_KERNEL"

lab_up
laptop_mac=$(ip -n "$NS_LAPTOP" link show eth0 | awk '/link\/ether/ { print $2 }')
ROUTER_CMD=(dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface=eth0
	--bind-interfaces --dhcp-range=192.0.2.100,192.0.2.200,1h
	--enable-ra --dhcp-range=2001:db8:1::,ra-only,64
	--dhcp-option=option:router,$ROUTER_IP --dhcp-leasefile="$ROUTER_LEASES"
	--pid-file="$LAB_DIR/router.dnsmasq.pid" --dhcp-authoritative --log-dhcp --log-facility=-)
lab_stop router # 1. a LAN with no DHCP server

cap=$LAB_DIR/replies.txt
lab_spawn tcpdump "$NS_LAN" "$cap" tcpdump -i p-laptop -l -n -tt -vv \
	"ether src $laptop_mac and udp src port 67"
for i in $(seq 50); do grep -q 'listening on' "$cap" && break; sleep 0.1; done
grep -q 'listening on' "$cap" || lab_fail "tcpdump did not start: $(cat "$cap")"

# replies_with_address AFTER: lifeboat's DHCP replies with a Your-IP sent
# after epoch time AFTER (tcpdump -tt: a timestamped line, then details).
replies_with_address() {
	awk -v t="$1" '/^[0-9]+\.[0-9]+ / { ts = $1 } /Your-IP/ && ts > t { n++ } END { print n + 0 }' "$cap"
}
# log_epoch REGEX: the time of lifeboat's first log line matching REGEX.
log_epoch() {
	date -d "$(grep -aE "$1" "$LAPTOP_LOG" | head -1 | awk '{ print $1 }')" +%s.%N
}
# udhcpc_lease N: a client namespace runs busybox udhcpc once; prints
# "ip serverid".
udhcpc_lease() {
	lab_add_client_ns "$1"
	cat > "$LAB_DIR/udhcpc$1.hook" <<HOOK
#!/bin/sh
[ "\$1" = bound ] && echo "\$ip \$serverid" >> "$LAB_DIR/udhcpc$1.out"
exit 0
HOOK
	chmod +x "$LAB_DIR/udhcpc$1.hook"
	ip netns exec "$LAB_CLIENT_NS" busybox udhcpc -i eth0 -f -q -n -t 8 -T 2 \
		-s "$LAB_DIR/udhcpc$1.hook" > "$LAB_DIR/udhcpc$1.log" 2>&1 ||
		lab_fail "udhcpc $1 got no lease: $(tail -5 "$LAB_DIR/udhcpc$1.log")"
	cat "$LAB_DIR/udhcpc$1.out"
}
serve_auto() {
	LB_SERVE_ARGS="-v --mode auto --probe-interval 2 --no-dhcp6 --no-status --status-socket=
		--lease-file $LAB_DIR/lib/dhcp4.leases"
	lab_server_boot_kernel "$LAB_INITRD" "$LAB_CMDLINE lbe_token=$token"
}

lab_initramfs
token=lbe$$x$RANDOM
serve_auto
for i in $(seq 200); do
	lab_server_log_has "auto\.mode iface=eth0" && break
	sleep 0.1
done
lab_server_log_has "auto\.probing iface=eth0 .*own_address=static" ||
	lab_fail "no probing line: $(grep auto\\. "$LAPTOP_LOG")"
lab_server_log_has "auto\.mode iface=eth0 mode=dhcp probes=[0-9]+ reason=\"no DHCP server answered" ||
	lab_fail "no router, yet lifeboat did not serve addresses: $(grep auto\\. "$LAPTOP_LOG")"
l1=$(udhcpc_lease 1)
echo "$l1" | grep -qE '^192\.0\.2\.[0-9]+ 192\.0\.2\.2$' || lab_fail "udhcpc 1 not served by lifeboat: $l1"
lab_log "1. no router: lifeboat is the DHCP server, udhcpc got $l1"

# 2. the router appears
router_mac=$(ip -n "$NS_ROUTER" link show eth0 | awk '/link\/ether/ { print $2 }')
rcap=$LAB_DIR/router-replies.txt
lab_spawn tcpdump2 "$NS_LAN" "$rcap" tcpdump -i p-router -l -n -tt \
	"ether src $router_mac and udp src port 67"
for i in $(seq 50); do grep -q 'listening on' "$rcap" && break; sleep 0.1; done
t_router=$(lab_now)
lab_spawn router "$NS_ROUTER" "$ROUTER_LOG.2" "${ROUTER_CMD[@]}"
for i in $(seq 150); do
	lab_server_log_has "auto\.mode iface=eth0 mode=proxy" && break
	sleep 0.1
done
lab_server_log_has "auto\.mode iface=eth0 mode=proxy server=192\.0\.2\.1 reason=\"another DHCP server offers addresses" ||
	lab_fail "lifeboat did not step back for the router: $(grep auto\\. "$LAPTOP_LOG")"
switch_at=$(log_epoch "auto\.mode iface=eth0 mode=proxy")
t_switch=$(lab_elapsed "$t_router" "$switch_at")
# tcpdump may print the router's reply a moment after lifeboat logged it
first_offer=
for i in $(seq 50); do
	first_offer=$(awk '/^[0-9]+\.[0-9]+ / { print $1; exit }' "$rcap")
	[ -n "$first_offer" ] && break
	sleep 0.1
done
[ -n "$first_offer" ] || lab_fail "the capture saw no reply from the router"
t_react=$(lab_elapsed "$first_offer" "$switch_at")
# the router's first answer (dnsmasq pings the address 3 s first) to the
# switch: immediate; router start to switch: at most one probe interval
# (2 s) plus that ping and start-up
awk -v r="$t_react" -v t="$t_switch" 'BEGIN { exit !(r <= 0.5 && t <= 2 + 3 + 2) }' ||
	lab_fail "lifeboat stopped offering ${t_switch}s after the router started, ${t_react}s after its first offer"
l2=$(udhcpc_lease 2)
echo "$l2" | grep -qE '^192\.0\.2\.(1[0-9][0-9]|200) 192\.0\.2\.1$' || lab_fail "udhcpc 2 not served by the router: $l2"
mac=$(lab_mac 1)
serial=$LAB_DIR/bios.log
qemu_bios_ipxe bios "$mac" "$serial"
wait_for_marker "$serial" "$LAB_MARKER .*lbe_token=$token" "${LB_E2E_BOOT_TIMEOUT:-170}" bios ||
	lab_fail "the BIOS client did not boot through the proxy: $LAB_WAIT_WHY"
t_boot=$(timing bios)
lab_check_lease "$mac" > /dev/null || lab_fail "the client's address is not the router's"
lab_server_log_has "dhcp\.offer mac=$mac .*fw=ipxe .*file=http://$LAPTOP_IP/lifeboat/boot\.ipxe" ||
	lab_fail "no boot offer to $mac from lifeboat"
n_before=$(replies_with_address 0)
[ "$n_before" -ge 1 ] || lab_fail "the capture saw no reply with an address from lifeboat in step 1"
n_after=$(replies_with_address "$switch_at")
[ "$n_after" = 0 ] || lab_fail "lifeboat sent $n_after DHCP replies with an address after the router appeared"
lab_log "2. router started: lifeboat proxy after ${t_switch}s (${t_react}s after the router's first offer), udhcpc got $l2, BIOS boot ${t_boot}s"

# 3. restart beside the router
lab_stop qemu-bios
lab_stop laptop
mv "$LAPTOP_LOG" "$LAB_DIR/laptop-1.log"
restart_at=$(lab_now)
serve_auto
for i in $(seq 200); do
	lab_server_log_has "auto\.mode iface=eth0" && break
	sleep 0.1
done
lab_server_log_has "auto\.mode iface=eth0 mode=proxy server=192\.0\.2\.1 reason=\"another DHCP server" ||
	lab_fail "beside a router lifeboat did not choose proxy: $(grep auto\\. "$LAPTOP_LOG")"
lab_server_log_has "auto\.mode iface=eth0 mode=dhcp" && lab_fail "lifeboat went full beside a router"
l3=$(udhcpc_lease 3)
echo "$l3" | grep -qE ' 192\.0\.2\.1$' || lab_fail "udhcpc 3 not served by the router: $l3"
n3=$(replies_with_address "$restart_at")
[ "$n3" = 0 ] || lab_fail "lifeboat sent $n3 DHCP replies with an address beside the router"
lab_alive laptop || lab_fail "lifeboat exited: $(tail -20 "$LAPTOP_LOG")"

# 4. no router, but the laptop's own address came from DHCP (a finite
# lifetime, as DHCP clients set it): never full
lab_stop laptop
lab_stop router
mv "$LAPTOP_LOG" "$LAB_DIR/laptop-3.log"
ip -n "$NS_LAPTOP" addr change $LAPTOP_IP/24 dev eth0 valid_lft 3600 preferred_lft 3600
own_at=$(lab_now)
serve_auto
for i in $(seq 200); do
	lab_server_log_has "auto\.mode iface=eth0" && break
	sleep 0.1
done
lab_server_log_has "auto\.probing iface=eth0 .*own_address=dhcp" ||
	lab_fail "the DHCP-assigned address was not recognised: $(grep auto\\. "$LAPTOP_LOG")"
lab_server_log_has "auto\.mode iface=eth0 mode=proxy server=- reason=\"this interface's own address came from DHCP" ||
	lab_fail "lifeboat did not stay proxy on a DHCP-configured interface: $(grep auto\\. "$LAPTOP_LOG")"
n4=$(replies_with_address "$own_at")
[ "$n4" = 0 ] || lab_fail "lifeboat sent $n4 DHCP replies with an address from a DHCP-configured interface"
lab_pass "auto-lan: bare -> dhcp; router later -> proxy in ${t_switch}s (interval 2 s; ${t_react}s after the router's first offer), BIOS boot via proxy ${t_boot}s; restart beside router -> proxy; own address from DHCP -> proxy; $n_before address replies before, 0 after"
