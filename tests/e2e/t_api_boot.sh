#!/usr/bin/env bash
# serve --api: an inventory service (tests/e2e/api_lab.py, python3
# http.server, on the router at 192.0.2.1:8080) decides per MAC. One QEMU
# boot and a few scripted DISCOVERs prove:
#  A  (BIOS iPXE VM) boots the kernel the API names: the kernel by URL from
#     the API host (iPXE fetches it itself), the initrd by path from ROOT
#     (lifeboat serves it), the command line with {{ URL "..." }} expanded,
#     the message echoed; its second boot (a later DISCOVER) is answered
#     from the cache: the API saw one request for A, and A is still offered
#     once the API is dead;
#  B  a second kernel: its own script (both names served from ROOT);
#  C  404: no offer to any of its DISCOVERs, one API request (negative cache);
#  D  an API that answers in 3 s (--api-timeout 2000): no offer, ever (the
#     listener stays 7 s), one api.fail line for several DISCOVERs;
#  E  the API dead (connection refused): no offer, an api.fail line.
# All under the seccomp filter and Landlock, across a SIGHUP reload.
. "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio python3 curl
lab_require_file "$LAB_KERNEL" /usr/lib/ipxe/undionly.kpxe

HELP=$LAB_E2E/api_lab.py
lab_up
lab_initramfs
token=lbe$$x$RANDOM
root=$LAB_DIR/root
files=$LAB_DIR/apifiles
mkdir -p "$root/img" "$files"
cp "$LAB_INITRD" "$root/img/initrd.gz"
cp "$LAB_KERNEL" "$root/img/linux"
cp "$LAB_KERNEL" "$files/vmlinuz"
echo "inventory config" > "$root/cfg.txt"
chmod -R a+rX "$root"

macA=$(lab_mac 1) macB=$(lab_mac 2) macC=$(lab_mac 3) macD=$(lab_mac 4) macE=$(lab_mac 5)
answers=$LAB_DIR/answers.json
apilog=$LAB_DIR/api-requests.log
: > "$apilog"
cat > "$answers" <<EOF
{
 "$macA": {"body": {"kernel": "http://$ROUTER_IP:8080/files/vmlinuz",
                    "initrd": ["/img/initrd.gz"],
                    "cmdline": "$LAB_CMDLINE lbe_token=$token lbe_cfg={{ URL \"/cfg.txt\" }}",
                    "message": "inventory says: machine A", "extra": {"rack": [1, 2]}}},
 "$macB": {"body": {"kernel": "img/linux", "initrd": ["img/initrd.gz"], "cmdline": "quiet"}},
 "$macD": {"delay": 3, "body": {"kernel": "img/linux"}}
}
EOF
lab_spawn api "$NS_ROUTER" "$LAB_DIR/api-server.log" python3 "$HELP" server 8080 "$answers" "$apilog" --files "$files"
for _ in $(seq 50); do
	ip netns exec "$NS_ROUTER" ss -Hltn "sport = :8080" | grep -q . && break
	sleep 0.1
done

# --api as a config-file key (the file is read again on SIGHUP below)
printf 'api http://%s:8080/inventory/\napi-ttl 120\n' $ROUTER_IP > "$LAB_DIR/serve.conf"
chmod 644 "$LAB_DIR/serve.conf"
lab_run_laptop "$LB_BIN" serve "$root" $LB_SERVE_ARGS -i $LAPTOP_IF --ipxe-dir /usr/lib/ipxe \
	-c "$LAB_DIR/serve.conf" --api-timeout 2000
lab_laptop_ready 10
lab_server_log_has "serve\.ready mode=api " || lab_fail "serve.ready does not say mode=api"
lab_server_log_has "serve\.boot result=per-machine source=api url=http://$ROUTER_IP:8080/inventory/ ttl_s=120 timeout_ms=2000" ||
	lab_fail "no start-up line for --api with the config file's URL and TTL"
# the API is reached after the privilege drop, under Landlock and seccomp
lab_server_log_has "serve\.seccomp result=on|no seccomp filter \(sanitizer build" ||
	lab_fail "the seccomp filter is not on"

lab_add_client_ns 1
ip -n "$LAB_CLIENT_NS" addr add 192.0.2.60/24 dev eth0
disc() { ip netns exec "$LAB_CLIENT_NS" python3 "$HELP" discover eth0 $LAPTOP_IP "$@"; }
requests() { grep -c "^REQ $1 " "$apilog"; }

# --- A: the VM boot
t0=$(lab_now)
serial=$LAB_DIR/bios.log
qemu_bios_ipxe bios "$macA" "$serial"
wait_for_marker "$serial" "$LAB_MARKER .*lbe_token=$token" "${LB_E2E_BOOT_TIMEOUT:-170}" bios ||
	lab_fail "A did not boot: $LAB_WAIT_WHY"
t=$(timing bios)
lab_log "A booted in ${t}s: $(grep -a "$LAB_MARKER" "$serial" | tr -d '\r' | head -1)"
grep -aq "lbe_cfg=http://$LAPTOP_IP:80/cfg.txt" "$serial" ||
	lab_fail "A's command line lacks the expanded {{ URL }}: $(grep -a "$LAB_MARKER" "$serial")"
# iPXE prints to the screen only: the message is read in A's script
machex=$(echo "$macA" | tr -d :)
body=$(ip netns exec "$NS_ROUTER" curl -sf "http://$LAPTOP_IP/lifeboat/api/$LAPTOP_IP/$machex/boot.ipxe") ||
	lab_fail "cannot fetch A's script"
echo "$body" | grep -q "^echo inventory says: machine A$" || lab_fail "A's script does not echo the message: $body"
grep -q "^FILE vmlinuz" "$apilog" || lab_fail "A's kernel URL was not fetched from the API host"
lab_server_log_has "http\.done .*path=/?img/initrd\.gz status=200" ||
	lab_fail "A's initrd was not served from ROOT by lifeboat"
lab_server_log_has "api\.answer mac=$macA status=200" || lab_fail "no api.answer line for A"
lab_server_log_has "dhcp\.offer mac=$macA .*file=http://$LAPTOP_IP/lifeboat/api/" ||
	lab_fail "A's iPXE was not offered its API script"
qemu_stop() { lab_stop "qemu-bios"; }
qemu_stop

# --- B: a second kernel, both names from ROOT
out=$(disc "$macB" --count 3 --interval 1 --listen 3.5)
lab_log "B: $(echo "$out" | tr '\n' ' ')"
echo "$out" | grep -q "^OFFER .*file=lifeboat/ipxe/undionly.kpxe" ||
	lab_fail "B (a BIOS PXE client) was not offered iPXE after the API answered"
# the first DISCOVER started the lookup and got nothing, not even late
echo "$out" | grep -q "^OFFER t=0\." && lab_fail "B's first DISCOVER was answered: $out"
out=$(disc "$macB" --ipxe --count 1 --listen 1.5)
script=$(echo "$out" | sed -n 's/^OFFER .*file=\(http:[^ ]*\)/\1/p' | head -1)
[ -n "$script" ] || lab_fail "B's iPXE was not offered a script: $out"
body=$(ip netns exec "$LAB_CLIENT_NS" curl -sf "$script") || lab_fail "cannot fetch B's script $script"
echo "$body" | grep -q "^kernel http://$LAPTOP_IP:80/img/linux initrd=initrd.gz quiet$" &&
	echo "$body" | grep -q "^initrd http://$LAPTOP_IP:80/img/initrd.gz$" ||
	lab_fail "B's script is not the second kernel: $body"
[ "$(requests "$macB")" = 1 ] || lab_fail "B: $(requests "$macB") API requests, want 1 (cache)"

# --- C: 404, not ours
out=$(disc "$macC" --count 3 --interval 1 --listen 3.5)
echo "$out" | grep -q "offers=0" || lab_fail "C (404) got an offer: $out"
[ "$(requests "$macC")" = 1 ] || lab_fail "C: $(requests "$macC") API requests, want 1 (negative cache)"
lab_server_log_has "api\.answer mac=$macC status=404 .*result=not-ours" || lab_fail "no 404 line for C"

# --- D: slow API, never a late offer
out=$(disc "$macD" --count 4 --interval 1 --listen 7)
lab_log "D: $(echo "$out" | tr '\n' ' ')"
echo "$out" | grep -q "offers=0" || lab_fail "D (API takes 3 s) got an offer: $out"
n=$(grep -c "api\.fail mac=$macD .*timeout" "$LAPTOP_LOG")
[ "$n" = 1 ] || lab_fail "D: $n api.fail timeout lines, want exactly 1"

# --- a reload keeps the client and its cache
kill -HUP "$(lab_pid laptop)"
for _ in $(seq 50); do lab_server_log_has "serve\.reload result=" && break; sleep 0.1; done
lab_server_log_has "serve\.reload result=ok" || lab_fail "SIGHUP reload with --api failed"

# --- A's second boot from the cache, then E with the API dead
lab_stop api
out=$(disc "$macA" --count 3 --interval 1 --listen 2.5)
echo "$out" | grep -q "^OFFER .*file=lifeboat/ipxe/undionly.kpxe" ||
	lab_fail "A's second boot was not answered from the cache: $out"
[ "$(requests "$macA")" = 1 ] || lab_fail "A: $(requests "$macA") API requests over two boots, want 1"
out=$(disc "$macE" --count 3 --interval 1 --listen 3.5)
echo "$out" | grep -q "offers=0" || lab_fail "E (API dead) got an offer: $out"
lab_server_log_has "api\.fail mac=$macE .*reason=\"connection refused\"" ||
	lab_fail "no api.fail line naming the refused connection for E"
lab_alive laptop || lab_fail "lifeboat died"
lab_pass "api: A booted in ${t}s (kernel by URL, initrd from ROOT), B second kernel, C 404 silent, D slow silent, E dead silent, cache: 1 request per MAC; test $(lab_elapsed "$t0")s"
