#!/usr/bin/env bash
# Issue 5, "never break the LAN it joins": with `lifeboat serve --kernel`
# on the LAN, three ordinary DHCP clients -- dhcpcd (skipped if not
# installed), busybox udhcpc and ISC dhclient, each in its own namespace --
# get exactly the router's lease (server id 192.0.2.1, an address of its
# range). A capture on the laptop's bridge port (pcap, parsed with python3)
# proves that lifeboat sends nothing to udp/68 during their exchanges.
# Then the same clients run again next to a PXE client: lifeboat answers
# the PXE client (the capture is not blind), every DHCP packet it sends has
# yiaddr 0.0.0.0 and is addressed (chaddr) to the PXE client only.
. "$(dirname "$0")/lib_robust.sh"
lab_require_root
lab_require_cmd ip dnsmasq tcpdump busybox python3 cpio
lab_require_file "$LAB_KERNEL"

lab_up
lab_initramfs
robust_discover_py
lab_server_boot_kernel "$LAB_INITRD" "$LAB_CMDLINE"

# hook NAME: records what a client was given (no resolv.conf rewrites).
hook() {
	cat > "$LAB_DIR/$1.hook" <<HOOK
#!/bin/sh
if [ -n "\$reason" ]; then
	echo "event=\$reason ip=\$new_ip_address serverid=\$new_dhcp_server_identifier" >> "$LAB_DIR/$1.out"
else
	echo "event=\$1 ip=\$ip serverid=\$serverid" >> "$LAB_DIR/$1.out"
fi
exit 0
HOOK
	chmod +x "$LAB_DIR/$1.hook"
}
check_lease() {
	local line
	line=$(grep -E 'event=(bound|BOUND|REBOOT)' "$LAB_DIR/$1.out" 2>/dev/null | head -1)
	[ -n "$line" ] || lab_fail "$1 got no lease: $(cat "$LAB_DIR/$1.out" 2>/dev/null) $(tail -5 "$LAB_DIR/$1.log")"
	echo "$line" | grep -qE 'ip=192\.0\.2\.(1[0-9][0-9]|200) ' || lab_fail "$1: lease not from the router's range: $line"
	echo "$line" | grep -qE "serverid=$ROUTER_IP\$" || lab_fail "$1: server id is not the router: $line"
	lab_log "$1: $line"
}
# run_client NAME ROUND: one client in namespace $LAB_ID-c<N>, until bound.
# udhcpc runs without -n: when the router's dnsmasq is slow to answer (it
# pings each new address before offering it; the host may be loaded) udhcpc
# gives up after three REQUESTs, and must start over rather than exit.
CLIENTS="udhcpc dhclient"
command -v dhcpcd >/dev/null && CLIENTS="dhcpcd $CLIENTS"
n=0
declare -A MAC
run_client() {
	local name=$1 tag=$1-$2
	n=$((n + 1))
	robust_client_ns "$n" ""
	MAC[$tag]=$(lab_mac $((40 + n)))
	ip -n "$LAB_CLIENT_NS" link set eth0 address "${MAC[$tag]}"
	hook "$tag"
	case $name in
	udhcpc) lab_spawn "$tag" "$LAB_CLIENT_NS" "$LAB_DIR/$tag.log" \
		busybox udhcpc -i eth0 -f -q -t 5 -T 2 -A 1 -s "$LAB_DIR/$tag.hook" ;;
	dhclient) lab_spawn "$tag" "$LAB_CLIENT_NS" "$LAB_DIR/$tag.log" \
		dhclient -d -1 -v -sf "$LAB_DIR/$tag.hook" -lf "$LAB_DIR/$tag.leases" \
		-pf "$LAB_DIR/$tag.pid" eth0 ;;
	# dhcpcd keeps its pid file, control sockets and leases under /run
	# and /var/lib/dhcpcd, named after the interface: private tmpfs
	# mounts (ip netns exec gives each client its own mount namespace)
	# keep them off the host and apart from any other dhcpcd.
	dhcpcd) lab_spawn "$tag" "$LAB_CLIENT_NS" "$LAB_DIR/$tag.log" sh -c \
		'mount -t tmpfs tmpfs /run && mkdir -p /run/dhcpcd && { [ ! -d /var/lib/dhcpcd ] || mount -t tmpfs tmpfs /var/lib/dhcpcd; } && exec "$@"' dhcpcd \
		dhcpcd -f /dev/null -B -1 -4 -d -t 20 --noipv4ll -c "$LAB_DIR/$tag.hook" eth0 ;;
	esac
}
wait_bound() {
	local tag=$1 i
	for i in $(seq 250); do
		grep -qE 'event=(bound|BOUND|REBOOT)' "$LAB_DIR/$tag.out" 2>/dev/null && break
		sleep 0.1
	done
	lab_stop "$tag"
	check_lease "$tag"
}
capture() { # NAME: pcap of the laptop's bridge port
	lab_spawn "cap-$1" "$NS_LAN" "$LAB_DIR/cap-$1.log" tcpdump -i p-laptop -U -n -w "$LAB_DIR/$1.pcap" \
		'udp and (port 67 or port 68 or port 4011)'
	for i in $(seq 50); do grep -q 'listening on' "$LAB_DIR/cap-$1.log" && break; sleep 0.1; done
	grep -q 'listening on' "$LAB_DIR/cap-$1.log" || lab_fail "tcpdump did not start"
}
cat > "$LAB_DIR/pcap.py" <<'PY'
# pcap.py FILE LAPTOP_IP: one line per UDP/IPv4 frame of the capture:
#   src dst sport dport op yiaddr chaddr
import socket, struct, sys
d = open(sys.argv[1], "rb").read()
magic = struct.unpack("<I", d[:4])[0]
e = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
link = struct.unpack(e + "I", d[20:24])[0]
i = 24
while i + 16 <= len(d):
    _, _, incl, _ = struct.unpack(e + "IIII", d[i:i + 16])
    f = d[i + 16:i + 16 + incl]
    i += 16 + incl
    if link == 1:
        if f[12:14] != b"\x08\x00": continue
        ip = f[14:]
    elif link == 113:
        if f[14:16] != b"\x08\x00": continue
        ip = f[16:]
    else:
        sys.exit("linktype %d" % link)
    if ip[9] != 17: continue
    hl = (ip[0] & 15) * 4
    sport, dport = struct.unpack("!HH", ip[hl:hl + 4])
    b = ip[hl + 8:]
    op = b[0] if b else -1
    yi = socket.inet_ntoa(b[16:20]) if len(b) >= 20 else "-"
    ch = b[28:34].hex(":") if len(b) >= 34 else "-"
    print(socket.inet_ntoa(ip[12:16]), socket.inet_ntoa(ip[16:20]), sport, dport, op, yi, ch)
PY

# Round 1: ordinary clients only.
capture r1
start=$(lab_now)
for c in $CLIENTS; do run_client "$c" 1; sleep 0.5; done
for c in $CLIENTS; do wait_bound "$c-1"; done
t1=$(lab_elapsed "$start")
sleep 2 # a late (wrong) answer would show up here
lab_stop cap-r1
python3 "$LAB_DIR/pcap.py" "$LAB_DIR/r1.pcap" > "$LAB_DIR/r1.txt" || lab_fail "pcap parse"
from_lb=$(awk -v ip=$LAPTOP_IP '$1 == ip' "$LAB_DIR/r1.txt")
[ -z "$from_lb" ] || lab_fail "lifeboat sent DHCP frames during the ordinary clients' exchanges: $from_lb"
seen=$(wc -l < "$LAB_DIR/r1.txt")
[ "$seen" -gt 0 ] || lab_fail "the capture on p-laptop saw no client broadcast at all: blind capture"
lab_robust_r1="$CLIENTS: router leases in ${t1}s; $seen client frames reached the laptop, 0 frames from it"
lab_log "round 1: $lab_robust_r1"
robust_alive "round 1"
for c in $CLIENTS; do
	lab_server_log_has "ignor.*${MAC[$c-1]}|${MAC[$c-1]}.*ignor" || lab_fail "lifeboat's log does not show it ignored $c (${MAC[$c-1]})"
done

# Round 2: the same clients next to a PXE client, all at once.
capture r2
for c in $CLIENTS; do run_client "$c" 2; sleep 0.5; done
n=$((n + 1))
robust_client_ns "$n" ""
pxemac=$(lab_mac 99)
lab_spawn pxe "$LAB_CLIENT_NS" "$LAB_DIR/pxe.log" python3 "$DISCOVER_PY" $LAPTOP_IP "$pxemac" 10
for c in $CLIENTS; do wait_bound "$c-2"; done
wait "$(lab_pid pxe)" || lab_fail "the PXE client got no offer from lifeboat: $(cat "$LAB_DIR/pxe.log")"
sleep 1
lab_stop cap-r2
python3 "$LAB_DIR/pcap.py" "$LAB_DIR/r2.pcap" > "$LAB_DIR/r2.txt" || lab_fail "pcap parse"
awk -v ip=$LAPTOP_IP '$1 == ip' "$LAB_DIR/r2.txt" > "$LAB_DIR/r2-lb.txt"
nlb=$(wc -l < "$LAB_DIR/r2-lb.txt")
[ "$nlb" -gt 0 ] || lab_fail "control: no frame from lifeboat for the PXE client; round 1 proves nothing"
bad=$(awk '$6 != "0.0.0.0" || $5 != 2' "$LAB_DIR/r2-lb.txt")
[ -z "$bad" ] || lab_fail "lifeboat sent a DHCP packet with yiaddr != 0 (or not a BOOTREPLY): $bad"
other=$(awk -v m="$pxemac" '$7 != m' "$LAB_DIR/r2-lb.txt")
[ -z "$other" ] || lab_fail "lifeboat answered someone other than the PXE client $pxemac: $other"
lab_log "round 2: $nlb frames from lifeboat, all BOOTREPLY yiaddr 0.0.0.0 to $pxemac; offer names $(cat "$LAB_DIR/pxe.log")"
robust_alive "round 2"
lab_pass "$lab_robust_r1; next to a PXE client: $nlb lifeboat frames, all yiaddr 0 and for the PXE client only"
