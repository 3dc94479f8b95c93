#!/usr/bin/env bash
# Issue 10 item 7: a DHCPv6 Solicit flood does not empty a stateful
# --dhcp6-range. lifeboat serves a 16-address range; a python3 client sends
# PXE-looking Solicits (arch 7, vendor class 343 PXEClient), each from a
# DUID-LL of its own, at ~1500/s for 10 s (more than --dhcp-rate allows).
# While the flood runs, a real ISC dhclient -6 (asking with option 61, so
# lifeboat takes it for a netboot client) gets an address from the range;
# after it, two more dhclients get two more, all different: the flood held
# no address (before the fix each Solicit held one for 60 s, so 16 spoofed
# Solicits emptied the range). lifeboat logs dhcp6.ratelimited and stays up.
. "$(dirname "$0")/lib_robust.sh"
lab_require_root
lab_require_cmd ip dnsmasq dhclient python3

RANGE=2001:db8:1::1000,2001:db8:1::100f
LAPTOP_IP6=2001:db8:1::2
LB_E2E_IPV6_RA=0
lab_up
ip -n "$NS_LAPTOP" addr add $LAPTOP_IP6/64 dev eth0 nodad
root=$LAB_DIR/root
mkdir -p "$root"
echo boot > "$root/boot.efi"
chmod -R a+rX "$root"
robust_serve "$root" $LB_SERVE_ARGS -i eth0 --no-dhcp --dhcp6-range "$RANGE" --boot efi64=boot.efi
lab_wait_udp "$NS_LAPTOP" 547 10 || lab_fail "lifeboat does not listen on udp/547"

# ll_ready NS: until eth0 has a link-local address that passed DAD.
ll_ready() {
	local t=50
	while [ $t -gt 0 ]; do
		ip -n "$1" -6 addr show dev eth0 scope link | grep -q 'inet6' &&
			! ip -n "$1" -6 addr show dev eth0 scope link | grep -q tentative && return 0
		sleep 0.1
		t=$((t - 1))
	done
	lab_fail "$1: no link-local address after 5 s"
}

cat > "$LAB_DIR/dhclient6.conf" <<'EOF'
option dhcp6.client-arch code 61 = unsigned integer 16;
send dhcp6.client-arch 7;
timeout 30;
retry 1;
EOF
# client N: dhclient -6 in its own namespace, once, in the background; its
# lease file is $LAB_DIR/dhc$N.leases.
client() {
	robust_client_ns "$1"
	ll_ready "$LAB_CLIENT_NS"
	lab_spawn "dhc$1" "$LAB_CLIENT_NS" "$LAB_DIR/dhc$1.log" \
		dhclient -6 -d -1 -v -cf "$LAB_DIR/dhclient6.conf" -sf /bin/true \
		-lf "$LAB_DIR/dhc$1.leases" -pf "$LAB_DIR/dhc$1.pid" eth0
}
# leased N: the address client N was given (empty: none).
leased() {
	grep -oE 'iaaddr 2001:db8:1::[0-9a-f]+' "$LAB_DIR/dhc$1.leases" 2>/dev/null | head -1 | cut -d' ' -f2
}
# wait_lease N TIMEOUT: until client N has a lease from the range.
wait_lease() {
	local t=$(($2 * 10)) a
	while [ $t -gt 0 ]; do
		a=$(leased "$1")
		if [ -n "$a" ]; then
			echo "$a" | grep -qE '^2001:db8:1::100[0-9a-f]$' || lab_fail "client $1: $a is not in $RANGE"
			return 0
		fi
		sleep 0.2
		t=$((t - 1))
	done
	lab_fail "client $1 got no address from lifeboat in $2 s: $(tail -8 "$LAB_DIR/dhc$1.log")"
}

cat > "$LAB_DIR/flood.py" <<'EOF'
import os, socket, struct, sys, time
secs, rate = float(sys.argv[1]), int(sys.argv[2])
idx = socket.if_nametoindex("eth0")
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # replies: not read
vclass = b"PXEClient:Arch:00007:UNDI:003016"
def opt(code, data):
    return struct.pack("!HH", code, len(data)) + data
sent, t0 = 0, time.monotonic()
print("flood started", flush=True)
while time.monotonic() - t0 < secs:
    for _ in range(rate // 100):
        mac = b"\x02\x66" + struct.pack("!I", sent)
        pkt = (struct.pack("!I", (1 << 24) | (sent & 0xffffff))
               + opt(1, b"\x00\x03\x00\x01" + mac)
               + opt(3, struct.pack("!III", sent, 0, 0))
               + opt(8, b"\x00\x00")
               + opt(61, b"\x00\x07")
               + opt(16, struct.pack("!IH", 343, len(vclass)) + vclass))
        s.sendto(pkt, ("ff02::1:2", 547, 0, idx))
        sent += 1
    time.sleep(max(0.0, t0 + sent / rate - time.monotonic()))
print("flood sent %d Solicits in %.1f s" % (sent, time.monotonic() - t0), flush=True)
EOF

robust_client_ns 9
ll_ready "$LAB_CLIENT_NS"
lab_spawn flood "$LAB_CLIENT_NS" "$LAB_DIR/flood.log" python3 "$LAB_DIR/flood.py" 10 1500
t=50
until grep -q "flood started" "$LAB_DIR/flood.log" 2>/dev/null; do
	[ $t -gt 0 ] || lab_fail "the flood did not start: $(cat "$LAB_DIR/flood.log")"
	sleep 0.1
	t=$((t - 1))
done
sleep 1 # the flood has sent ~1500 Solicits: 16 would have emptied the range
client 1
wait_lease 1 30
lab_alive flood || lab_fail "client 1 got its address only after the flood ended"
a1=$(leased 1)
lab_log "client 1 (during the flood): $a1"
t=200
while lab_alive flood; do
	[ $t -gt 0 ] || lab_fail "the flood did not end"
	sleep 0.1
	t=$((t - 1))
done
sent=$(grep -oE 'sent [0-9]+' "$LAB_DIR/flood.log" | cut -d' ' -f2)
[ "${sent:-0}" -ge 10000 ] || lab_fail "the flood sent only ${sent:-0} Solicits: $(cat "$LAB_DIR/flood.log")"
robust_alive "after the flood"
lab_server_log_has 'dhcp6\.ratelimited dropped=' || lab_fail "lifeboat logged no dhcp6.ratelimited"
client 2
client 3
wait_lease 2 30
wait_lease 3 30
a2=$(leased 2) a3=$(leased 3)
[ "$a1" != "$a2" ] && [ "$a1" != "$a3" ] && [ "$a2" != "$a3" ] ||
	lab_fail "clients share addresses: $a1 $a2 $a3"
adv=$(grep -c 'dhcp6\.advertise' "$LAPTOP_LOG")
lab_pass "dhcp6 flood: $sent spoofed Solicits in 10 s on a 16-address range; a client got $a1 during the flood, two more $a2 $a3 after it ($adv advertise lines logged)"
