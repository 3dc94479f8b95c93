#!/usr/bin/env bash
# A client that stops mid-way gets a cause in words: an OVMF client (EDK2
# PXE, IPv4 only) takes lifeboat's proxy offer and its 4011 answer, but TFTP
# and HTTP to the laptop are dropped (nft), so it never gets a file. After
# the quiet time lifeboat logs one `client.stopped` line naming the cause,
# the table's NOTE shows it, /status.json carries it and /metrics counts a
# stopped boot.
. "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio nft curl
lab_require_file "$LAB_KERNEL" /usr/lib/ipxe/snponly.efi /usr/share/OVMF/OVMF_CODE.fd

lab_up
lab_initramfs
sock=$LAB_DIR/status.sock
LB_SERVE_ARGS="-v --no-dhcp6 --status 127.0.0.1:9100 --status-socket $sock"
lab_server_boot_kernel "$LAB_INITRD" "$LAB_CMDLINE"
ip netns exec "$NS_LAPTOP" nft -f - << 'EOF2' || lab_fail "nft"
table inet lbstall {
	chain in {
		type filter hook input priority 0;
		iifname "eth0" udp dport 69 drop
		iifname "eth0" tcp dport 80 drop
	}
}
EOF2
mac=$(lab_mac 3)
qemu_ovmf_pxe ovmf "$mac" "$LAB_DIR/ovmf.log" \
	-fw_cfg name=opt/org.tianocore/IPv6PXESupport,string=no
# EDK2 answers on 4011 first; the quiet time (30 s) starts there.
t=0
until lab_server_log_has "client\.stopped mac=$mac "; do
	[ $t -ge "${LB_E2E_BOOT_TIMEOUT:-240}" ] && lab_fail "no client.stopped line for $mac after ${t}s"
	lab_alive laptop || lab_fail "serve died"
	sleep 1
	t=$((t + 1))
done
line=$(grep -a "client\.stopped mac=$mac " "$LAPTOP_LOG" | head -1)
lab_log "$line"
lab_server_log_has "dhcp\.ack mac=$mac " || lab_fail "EDK2 never came to 4011: the lab, not the rule"
echo "$line" | grep -q 'cause=no-file reason="took no file after the offer: its firmware ignored the proxy offer, or TFTP is blocked"' ||
	lab_fail "wrong cause for a client whose TFTP is blocked: $line"
echo "$line" | grep -q 'timeline="offer +0\.0s, 4011 +[0-9.]*s"' || lab_fail "no timeline in: $line"
"$LB_BIN" status --socket "$sock" > "$LAB_DIR/table.txt"
cat "$LAB_DIR/table.txt"
grep -q "^$mac .* 4011 .* took no file after" "$LAB_DIR/table.txt" ||
	lab_fail "the table's NOTE does not show the cause"
"$LB_BIN" status --json --socket "$sock" | grep -q '"cause":"took no file after the offer' ||
	lab_fail "status.json has no cause"
ip netns exec "$NS_LAPTOP" curl -sf http://127.0.0.1:9100/metrics | grep -q '^lifeboat_boots_total{outcome="stopped"} [1-9]' ||
	lab_fail "/metrics does not count the stopped boot"
lab_pass "status stall: EDK2 with TFTP/HTTP blocked: $(echo "$line" | grep -o 'cause=[a-z0-9-]*')"
