#!/usr/bin/env bash
# `lifeboat serve ROOT --no-dhcp` with nothing bootable in ROOT is a plain
# TFTP + HTTP file server (issue 12, section 2; it used to refuse with
# "nothing to boot"): it starts, binds no DHCP port (67, 547, 4011), and a
# client on the LAN fetches a file over TFTP and over HTTP, byte for byte.
. "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_cmd ip dnsmasq curl ss cmp
[ "$LB_SERVER" = lifeboat ] || lab_skip "lifeboat's own start-up (LB_SERVER=$LB_SERVER)"
[ -x "$LB_BIN" ] || lab_fail "no lifeboat binary at $LB_BIN (run make)"
curl --version | grep -q '^Protocols:.* tftp' || lab_skip "curl without tftp"

lab_up
root=$LAB_DIR/files
mkdir -p "$root/sub"
head -c 300000 /dev/urandom > "$root/sub/blob.bin"
echo "hello from lifeboat $$" > "$root/hello.txt"
chmod -R a+rX "$root"
lab_run_laptop "$LB_BIN" serve $LB_SERVE_ARGS -i $LAPTOP_IF "$root" --no-dhcp
for _ in $(seq 100); do
	grep -q 'serve\.ready' "$LAPTOP_LOG" && break
	lab_alive laptop || lab_fail "serve ROOT --no-dhcp exited: $(tail -5 "$LAPTOP_LOG")"
	sleep 0.1
done
lab_server_log_has 'serve\.ready mode=root .*dhcp=off dhcp6=off tftp=on http=on' ||
	lab_fail "not ready as a file server: $(tail -5 "$LAPTOP_LOG")"
lab_server_log_has 'serve\.files-only dhcp6=off' || lab_fail "no serve.files-only line"
lab_server_log_has 'serve\.boot result=no-offers' || lab_fail "no start-up line saying DHCP is off"
lab_server_log_has 'nothing to boot: give' && lab_fail "refused as nothing to boot"
for port in 67 547 4011; do
	ip netns exec "$NS_LAPTOP" ss -Hlun "sport = :$port" | grep -q . && lab_fail "something listens on udp/$port"
done

# a client on the LAN with a fixed address (outside the router's range), then curl
lab_add_client_ns 1
ns=$LAB_CLIENT_NS
ip -n "$ns" addr add 192.0.2.50/24 dev eth0
fetch() { # URL FILE
	ip netns exec "$ns" curl -sf --max-time 20 -o "$LAB_DIR/got" "$1" || lab_fail "fetch $1 failed"
	cmp -s "$LAB_DIR/got" "$2" || lab_fail "$1 differs from $2"
	lab_log "fetched $1 ($(stat -c %s "$2") bytes, identical)"
}
fetch "tftp://$LAPTOP_IP/hello.txt" "$root/hello.txt"
fetch "tftp://$LAPTOP_IP/sub/blob.bin" "$root/sub/blob.bin"
fetch "http://$LAPTOP_IP/hello.txt" "$root/hello.txt"
fetch "http://$LAPTOP_IP/sub/blob.bin" "$root/sub/blob.bin"
lab_alive laptop || lab_fail "lifeboat died"
lab_pass "serve ROOT --no-dhcp: file server without a boot plan, no DHCP port bound, 2 files over TFTP and HTTP identical"
