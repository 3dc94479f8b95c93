#!/usr/bin/env bash
# Issue 10, `-i IFACE` limits every service: the laptop has a second
# interface, eth1 198.51.100.2/24, on another LAN segment (a namespace with
# 198.51.100.10), and lifeboat runs with `-i eth0` in kernel mode. From the
# second segment: HTTP to 198.51.100.2 is refused (no HTTP answer of any
# kind), a TFTP RRQ to 198.51.100.2 gets nothing back, and lifeboat's debug
# log names the client and the interface as the reason for the drop.
# Meanwhile a SeaBIOS + iPXE client on eth0's LAN boots a kernel over HTTP
# (marker) and the DHCP prober gets >= 99% answers with p99 < 100 ms.
# Before the fix HTTP listened on [::]:80 and answered on eth1, and TFTP
# dropped eth1's RRQs with a bare "tftp.drop ifindex=N".
. "$(dirname "$0")/lib_robust.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio python3 curl
lab_require_file "$LAB_KERNEL" /usr/lib/ipxe/undionly.kpxe

lab_up
# the second segment: laptop eth1 <-> seg2 eth0 (a direct veth)
ns_seg2=$LAB_ID-seg2
ip netns add "$ns_seg2" || lab_fail "ip netns add $ns_seg2"
ip -n "$ns_seg2" link set lo up
lab_ns_link "$NS_LAPTOP" eth1 "$ns_seg2" eth0
ip -n "$NS_LAPTOP" addr add 198.51.100.2/24 dev eth1
ip -n "$NS_LAPTOP" link set eth1 up
ip -n "$ns_seg2" addr add 198.51.100.10/24 dev eth0
ip -n "$ns_seg2" link set eth0 up
token=lbq$$x$RANDOM
robust_kernel_serve "$token"

robust_probe_start
ns_ctl=$LAB_CLIENT_NS # the prober's namespace, on eth0's LAN: the control
robust_log_mark
BOOT_MAC=$(lab_mac 1)
qemu_bios_ipxe bios "$BOOT_MAC" "$LAB_DIR/bios.log"
# While the client boots: the excluded interface, over HTTP and TFTP; the
# same requests to eth0's address from eth0's LAN are the control.
http2=$(ip netns exec "$ns_seg2" curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
	"http://198.51.100.2/lifeboat/boot.ipxe" 2>&1)
http2_rc=$?
http1=$(ip netns exec "$ns_ctl" curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
	"http://$LAPTOP_IP/lifeboat/boot.ipxe" 2>&1)
tftp_py='import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.sendto(b"\0\1lifeboat/boot.ipxe\0octet\0", (sys.argv[1], 69))
try:
    d, peer = s.recvfrom(2000)
    print("answer op=%d from %s" % (d[1], peer[0]))
except socket.timeout:
    print("nothing")'
tftp2=$(ip netns exec "$ns_seg2" python3 -c "$tftp_py" 198.51.100.2)
tftp1=$(ip netns exec "$ns_ctl" python3 -c "$tftp_py" $LAPTOP_IP)
lab_log "eth1 (excluded): HTTP ${http2:-none} (curl rc $http2_rc), TFTP $tftp2; eth0 (control): HTTP $http1, TFTP $tftp1"
if wait_for_marker "$LAB_DIR/bios.log" "$LAB_MARKER .*lbq_token=$token" "${LB_E2E_BOOT_TIMEOUT:-200}" bios; then
	BOOT_OK=1
	BOOT_T=$(timing bios)
else
	BOOT_OK=0
	BOOT_WHY=$LAB_WAIT_WHY
fi
robust_probe_stop
robust_alive "after the requests on the excluded interface"
robust_boot_check "excluded-interface requests"
robust_probe_check "excluded-interface requests"
[ "$http1" = 200 ] || lab_fail "control: HTTP on eth0 answered ${http1:-nothing} (want 200)"
case $tftp1 in "answer op=3 "*) ;; *) lab_fail "control: TFTP on eth0: $tftp1 (want DATA)" ;; esac
case $http2 in ''|000) ;; *) lab_fail "HTTP answered $http2 on the excluded interface eth1 (198.51.100.2)" ;; esac
[ "$tftp2" = nothing ] || lab_fail "TFTP on the excluded interface eth1: $tftp2 (want nothing)"
why=$(robust_log_since | grep -aE 'debug.*tftp\.[a-z_]+ .*198\.51\.100\.10' | grep -aiE 'iface|interface' | head -1)
[ -n "$why" ] || lab_fail "lifeboat's debug log does not say why it dropped 198.51.100.10's RRQ (client and interface): $(robust_log_since | grep -a 'tftp\.' | grep -av 'tftp\.done' | head -5)"
lab_log "lifeboat: $why"
lab_pass "eth1 refused (HTTP ${http2:-none}, TFTP $tftp2; logged: ${why#* * }); client on eth0 booted in ${BOOT_T}s; DHCP $PROBE_PCT% answered, p99 ${PROBE_P99} ms"
