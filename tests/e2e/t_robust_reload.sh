#!/usr/bin/env bash
# Issue 5: SIGHUP and SIGTERM under load, against the ASan+UBSan build
# (build/asan/lifeboat, made here if missing; LB_BIN overrides).
#  1. a 32 MiB TFTP transfer (tftpload, windowsize 4, 3 ms RTT) and a 32 MiB
#     HTTP transfer (curl at 2 MB/s) run while SIGHUP reloads a --config
#     file whose `boot bios=` entry changed: both complete intact (SHA-256),
#     and a new PXE DISCOVER gets the new file;
#  2. a config with an unknown option on SIGHUP is refused with a
#     FILE:LINE error, and DISCOVERs still get the running file;
#  3. SIGTERM: exit status 0 within 2 s, no socket left listening;
#  4. no sanitizer report in lifeboat's log.
LB_BIN=${LB_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/build/asan/lifeboat}
. "$(dirname "$0")/lib_robust.sh"
lab_require_root
lab_require_cmd ip dnsmasq python3 curl gcc
if [ ! -x "$LB_BIN" ] && [ "$LB_BIN" = "$LAB_REPO/build/asan/lifeboat" ]; then
	make -s -C "$LAB_REPO" -j2 asan >/dev/null || lab_skip "cannot build build/asan/lifeboat (make asan)"
fi

lab_up
robust_tools
robust_discover_py
root=$LAB_DIR/root
mkdir -p "$root"
chmod 755 "$root"
sha=$(robust_mkfile "$root/big.bin" 32)
echo old > "$root/old.0"
echo new > "$root/new.0"
chmod 644 "$root"/*.0
conf=$LAB_DIR/serve.conf
cat > "$conf" <<CONF
# lifeboat serve --config, as a user would write it
root $root
interface $LAPTOP_IF
boot bios=old.0
CONF
chmod 644 "$conf"
# the sanitizers' own reports go to stderr = the log
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
robust_serve --config "$conf"
lab_log "lifeboat: $LB_BIN (pid $LB_PID)"

robust_client_ns 1 192.0.2.80
ns_xfer=$LAB_CLIENT_NS
robust_client_ns 2 ""
ns_pxe=$LAB_CLIENT_NS
mac=$(lab_mac 21)

f=$(ip netns exec "$ns_pxe" python3 "$DISCOVER_PY" $LAPTOP_IP "$mac" 8) || lab_fail "no offer before reload: $f"
[ "$f" = old.0 ] || lab_fail "before reload the offer names '$f', not old.0"

lab_spawn tftpbig "$ns_xfer" "$LAB_DIR/tftpbig.log" "$TFTPLOAD" -s $LAPTOP_IP -f big.bin -n 1 \
	-w 4 -b 1468 -r 3 -t -e "$sha" -z $((32 * 1048576)) -L 240 -l reload
lab_spawn httpbig "$ns_xfer" "$LAB_DIR/httpbig.log" sh -c \
	"curl -sS --limit-rate 2M --max-time 240 -o '$LAB_DIR/http.out' http://$LAPTOP_IP/big.bin; echo curl_rc=\$?"
sleep 3
[ -s "$LAB_DIR/http.out" ] || lab_fail "the HTTP transfer has not started after 3 s"

sed -i 's/^boot bios=old.0$/boot bios=new.0/' "$conf"
# both transfers must still be running when the signal lands
lab_alive tftpbig || lab_fail "the TFTP transfer ended before the reload: $(cat "$LAB_DIR/tftpbig.log")"
lab_alive httpbig || lab_fail "the HTTP transfer ended before the reload: $(cat "$LAB_DIR/httpbig.log")"
kill -HUP "$LB_PID"
for i in $(seq 50); do grep -aq 'serve.reload result=ok' "$LAPTOP_LOG" && break; sleep 0.1; done
grep -aq 'serve.reload result=ok' "$LAPTOP_LOG" || lab_fail "no serve.reload result=ok after SIGHUP: $(grep -a reload "$LAPTOP_LOG")"
f=$(ip netns exec "$ns_pxe" python3 "$DISCOVER_PY" $LAPTOP_IP "$(lab_mac 22)" 8) || lab_fail "no offer after reload"
[ "$f" = new.0 ] || lab_fail "after reload the offer names '$f', not new.0"
lab_log "reload 1: offer now names $f"

# a broken config: refused with file and line, the running one stays
printf 'boot bios=old.0\nfrobnicate yes\n' >> "$conf"
line=$(grep -n '^frobnicate' "$conf" | cut -d: -f1)
lab_alive tftpbig && lab_alive httpbig || lab_fail "a transfer ended before the second reload"
kill -HUP "$LB_PID"
for i in $(seq 50); do grep -aq 'serve.reload result=failed' "$LAPTOP_LOG" && break; sleep 0.1; done
grep -aq 'serve.reload result=failed' "$LAPTOP_LOG" || lab_fail "a broken config was not refused: $(grep -a reload "$LAPTOP_LOG")"
grep -aqF "$conf:$line: unknown option 'frobnicate'" "$LAPTOP_LOG" ||
	lab_fail "no '$conf:$line: unknown option' error: $(grep -a -B2 'result=failed' "$LAPTOP_LOG")"
f=$(ip netns exec "$ns_pxe" python3 "$DISCOVER_PY" $LAPTOP_IP "$(lab_mac 23)" 8) || lab_fail "no offer after the refused reload"
[ "$f" = new.0 ] || lab_fail "after a refused reload the offer names '$f', not the running new.0"
lab_log "reload 2 refused with line $line; offers still name $f"
robust_alive "after two reloads"

wait "$(lab_pid tftpbig)" || lab_fail "TFTP transfer across the reloads failed: $(cat "$LAB_DIR/tftpbig.log")"
grep -aq ' ok=1 failed=0 corrupt=0 ' "$LAB_DIR/tftpbig.log" || lab_fail "TFTP transfer: $(cat "$LAB_DIR/tftpbig.log")"
wait "$(lab_pid httpbig)"
grep -q 'curl_rc=0' "$LAB_DIR/httpbig.log" || lab_fail "HTTP transfer across the reloads: $(cat "$LAB_DIR/httpbig.log")"
[ "$(sha256sum < "$LAB_DIR/http.out" | cut -d' ' -f1)" = "$sha" ] || lab_fail "HTTP transfer across the reloads: wrong digest"
tw=$(grep -ao 'wall_s=[0-9.]*' "$LAB_DIR/tftpbig.log")
lab_log "32 MiB over TFTP ($tw) and HTTP intact across both reloads"

# SIGTERM: prompt, clean exit, nothing left listening
t0=$(lab_now)
kill -TERM "$LB_PID"
rc=
for i in $(seq 40); do
	if ! kill -0 "$LB_PID" 2>/dev/null; then break; fi
	sleep 0.05
done
wait "$LB_PID"
rc=$?
took=$(lab_elapsed "$t0")
rm -f "$LAB_DIR/pids/laptop.pid"
robust_no_sanitizer_report
[ "$rc" = 0 ] || lab_fail "lifeboat exited $rc on SIGTERM: $(tail -20 "$LAPTOP_LOG")"
awk -v t="$took" 'BEGIN { exit !(t < 2) }' || lab_fail "SIGTERM took ${took}s (want < 2 s)"
left=$(ip netns exec "$NS_LAPTOP" ss -Hlnuta 2>/dev/null | grep -v ESTAB)
[ -z "$left" ] || lab_fail "sockets left after exit: $left"
lab_pass "$(basename "$LB_BIN") survived 2 SIGHUPs mid-transfer (32 MiB TFTP+HTTP intact, new boot entry offered, bad config refused at line $line), SIGTERM exit 0 in ${took}s, no sanitizer report"
