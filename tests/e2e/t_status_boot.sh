#!/usr/bin/env bash
# Live status while a SeaBIOS iPXE client and an OVMF (EDK2 PXE) client boot
# through `lifeboat serve --kernel` at once: `lifeboat status --json` is
# polled over the status socket during the boots (the stages appear in
# order, the bytes equal the file sizes), /metrics is parsed by
# prometheus_client and matches the boots, the HTML page rendered by headless
# Chromium shows both MACs and their stage, SIGUSR1 writes the table and
# counters to the log, and each client's boot ends in one timeline line.
. "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio curl chromium
lab_require_file "$LAB_KERNEL" /usr/lib/ipxe/undionly.kpxe /usr/lib/ipxe/snponly.efi \
	/usr/share/OVMF/OVMF_CODE.fd /usr/lib/python3/dist-packages/prometheus_client/parser.py

lab_up
lab_initramfs
sock=$LAB_DIR/status.sock
LB_SERVE_ARGS="-v --status $LAPTOP_IP:9100 --status-socket $sock"
lab_server_boot_kernel "$LAB_INITRD" "$LAB_CMDLINE"
st() { "$LB_BIN" status --socket "$sock" "$@"; }

# Before any client: the table has its header, JSON has no client.
st > "$LAB_DIR/status0.txt" || lab_fail "lifeboat status failed with serve running"
grep -q '^MAC  *IP  *ARCH  *STAGE  *FILE' "$LAB_DIR/status0.txt" ||
	lab_fail "no table header: $(cat "$LAB_DIR/status0.txt")"
st --json | grep -q '"clients":\[\]' || lab_fail "status --json lists clients before any boot"

mac_b=$(lab_mac 1)
mac_u=$(lab_mac 2)
qemu_bios_ipxe bios "$mac_b" "$LAB_DIR/bios.log"
qemu_ovmf_pxe ovmf "$mac_u" "$LAB_DIR/ovmf.log"

# Poll the status while both boot.
snaps=$LAB_DIR/snaps.jsonl
(
	while :; do
		st --json >> "$snaps" 2> /dev/null
		sleep 0.3
	done
) &
poller=$!
wait_for_marker "$LAB_DIR/bios.log" "$LAB_MARKER" "${LB_E2E_BOOT_TIMEOUT:-240}" bios ||
	{ kill $poller; lab_fail "BIOS client did not boot: $LAB_WAIT_WHY"; }
wait_for_marker "$LAB_DIR/ovmf.log" "$LAB_MARKER" "${LB_E2E_BOOT_TIMEOUT:-240}" ovmf ||
	{ kill $poller; lab_fail "OVMF client did not boot: $LAB_WAIT_WHY"; }
sleep 1
kill $poller
wait $poller 2> /dev/null
st --json >> "$snaps" || lab_fail "last status --json failed"
lab_log "$(wc -l < "$snaps") status snapshots"

# The table, as a user sees it (also the README's sample).
st > "$LAB_DIR/table.txt"
lab_log "lifeboat status:"
cat "$LAB_DIR/table.txt"
for m in "$mac_b" "$mac_u"; do
	grep -q "^$m .* kernel " "$LAB_DIR/table.txt" || lab_fail "table: $m is not at stage kernel"
done

ip netns exec "$NS_LAPTOP" curl -sf "http://$LAPTOP_IP:9100/metrics" > "$LAB_DIR/metrics.txt" ||
	lab_fail "GET /metrics failed"
/usr/bin/python3 "$LAB_E2E/status_check.py" "$snaps" "$LAB_DIR/metrics.txt" \
	"$(stat -c %s "$LAB_KERNEL")" "$(stat -c %s "$LAB_INITRD")" \
	"$(stat -c %s /usr/lib/ipxe/snponly.efi)" "$mac_b:bios" "$mac_u:efi64" ||
	lab_fail "status snapshots or metrics do not match the boots"

# The HTML page in a real browser.
prof=$(mktemp -d)
timeout 120 ip netns exec "$NS_LAPTOP" chromium --headless --no-sandbox --disable-gpu \
	--disable-background-networking --disable-component-update --disable-sync \
	--no-first-run --user-data-dir="$prof" --dump-dom "http://$LAPTOP_IP:9100/" \
	> "$LAB_DIR/dom.html" 2> "$LAB_DIR/chromium.stderr"
rm -rf "$prof"
for m in "$mac_b" "$mac_u"; do
	grep -q "<td>$m</td>.*<td class=\"stage\">kernel</td>" "$LAB_DIR/dom.html" ||
		lab_fail "the page in Chromium does not show $m at stage kernel: $(head -c 2000 "$LAB_DIR/dom.html")"
done
lab_log "Chromium's DOM shows both clients at stage kernel"

# The timeline at each hand-off.
for m in "$mac_b" "$mac_u"; do
	lab_server_log_has "client\.boot mac=$m .*result=handoff .*timeline=\"offer \+0\.0s.*linux http .*initrd\.gz http .*handoff" ||
		lab_fail "no timeline line for $m"
	lab_log "$(grep -a "client\.boot mac=$m" "$LAPTOP_LOG" | head -1)"
done
lab_server_log_has 'client\.boot mac='"$mac_u"' .*4011 \+.*snponly\.efi tftp' ||
	lab_fail "the OVMF timeline lacks 4011 and snponly.efi"

# SIGUSR1: the table and the counters in the log; serve keeps running.
kill -USR1 "$(lab_pid laptop)"
for i in $(seq 50); do
	lab_server_log_has 'status\.counters ' && break
	sleep 0.1
done
lab_server_log_has "status\.table row=\"$mac_b .* kernel " || lab_fail "SIGUSR1: no table row for $mac_b"
lab_server_log_has 'status\.counters clients=2 offers=[1-9].* handoffs=2 ' ||
	lab_fail "SIGUSR1: no counters line (or wrong counts): $(grep -a status.counters "$LAPTOP_LOG")"
lab_alive laptop || lab_fail "serve died on SIGUSR1"

t_b=$(timing bios)
t_u=$(timing ovmf)
lab_pass "status: BIOS ${t_b}s and OVMF ${t_u}s boots seen in order by lifeboat status, /metrics, Chromium, SIGUSR1 and the timeline"
