#!/usr/bin/env bash
# Issue 5: clients that vanish mid-transfer must not leak. 200 TFTP clients
# (windowsize 8, blksize 1468, timeout 1 s) take the first blocks of an
# 8 MiB file and disappear; 200 HTTP clients read 64 KiB of it and close
# (half with a FIN, half with a RST); 50 HTTP clients send half a request
# header and hang. After the retry and header timeouts, lifeboat's open
# file descriptors must be back to their baseline and its VmRSS within
# LB_ROBUST_RSS_MARGIN_KB (default 1024 kB) of it. The baseline is taken
# after one complete TFTP and HTTP transfer, so first-use allocations do
# not count as leaks.
. "$(dirname "$0")/lib_robust.sh"
lab_require_root
lab_require_cmd ip dnsmasq python3 curl

lab_up
root=$LAB_DIR/root
mkdir -p "$root"
chmod 755 "$root"
sha=$(robust_mkfile "$root/big.bin" 8)
robust_serve "$root" -i $LAPTOP_IF --boot bios=big.bin --no-dhcp
robust_client_ns 1 192.0.2.70
ns=$LAB_CLIENT_NS

# warm-up: one complete transfer each way, checked
got=$(ip netns exec "$ns" curl -sf --max-time 60 "http://$LAPTOP_IP/big.bin" | sha256sum | cut -d' ' -f1)
[ "$got" = "$sha" ] || lab_fail "warm-up HTTP fetch: wrong digest"
got=$(ip netns exec "$ns" curl -sf --max-time 120 --tftp-blksize 1468 "tftp://$LAPTOP_IP/big.bin" | sha256sum | cut -d' ' -f1)
[ "$got" = "$sha" ] || lab_fail "warm-up TFTP fetch: wrong digest"
sleep 1
fd0=$(robust_fds "$LB_PID")
rss0=$(robust_rss "$LB_PID")
lab_log "baseline: $fd0 fds, VmRSS $rss0 kB"

cat > "$LAB_DIR/vanish.py" <<'PY'
import socket, struct, sys, time
S = sys.argv[1]
socks = []
# TFTP: RRQ with options, take the first window, ACK nothing more, vanish
tftp_started = 0
for i in range(200):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.sendto(b"\0\1big.bin\0octet\0blksize\x001468\0windowsize\x008\0timeout\x001\0", (S, 69))
    try:
        d, peer = s.recvfrom(2000)
        if d[:2] == b"\0\6":               # OACK: ACK 0 starts the data
            s.sendto(b"\0\4\0\0", peer)
            d, peer = s.recvfrom(2000)
        if d[:2] == b"\0\3":
            tftp_started += 1
    except socket.timeout:
        pass
    socks.append(s)                       # kept open: packets keep arriving, never ACKed
# HTTP: read 64 KiB of the body and close, FIN or RST
http_started = 0
for i in range(200):
    c = socket.create_connection((S, 80), timeout=5)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    c.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
    got = b""
    while len(got) < 65536:
        b = c.recv(65536)
        if not b: break
        got += b
    if got.startswith(b"HTTP/1.1 200"):
        http_started += 1
    if i % 2:
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()
# half a header, then silence
hang = []
for i in range(50):
    c = socket.create_connection((S, 80), timeout=5)
    c.sendall(b"GET /big.bin HTTP/1.1\r\nHo")
    hang.append(c)
print("tftp_started=%d http_started=%d hung=%d" % (tftp_started, http_started, len(hang)), flush=True)
time.sleep(float(sys.argv[2]))
for s in socks + hang:
    s.close()
print("closed", flush=True)
PY
# The python process keeps its sockets for HOLD seconds (longer than the
# TFTP retries and the HTTP header timeout), so lifeboat must free the
# transfers on its own timers, not on ICMP port unreachable.
hold=14
lab_spawn vanish "$ns" "$LAB_DIR/vanish.log" python3 "$LAB_DIR/vanish.py" $LAPTOP_IP $hold
for i in $(seq 300); do grep -q started "$LAB_DIR/vanish.log" && break; sleep 0.1; done
grep -q started "$LAB_DIR/vanish.log" || lab_fail "vanishing clients did not start: $(cat "$LAB_DIR/vanish.log")"
fdp=$(robust_fds "$LB_PID")
rssp=$(robust_rss "$LB_PID")
lab_log "peak: $fdp fds, VmRSS $rssp kB; $(head -1 "$LAB_DIR/vanish.log")"
echo "$(head -1 "$LAB_DIR/vanish.log")" | grep -qE 'tftp_started=[1-9][0-9]+ http_started=[1-9][0-9]+' ||
	lab_fail "too few vanishing transfers started: $(cat "$LAB_DIR/vanish.log")"
[ "$fdp" -gt $((fd0 + 50)) ] || lab_fail "fd count at peak ($fdp) barely above baseline ($fd0): the load did not reach lifeboat"

# Wait for the timeouts: TFTP 1 s x retries, HTTP header timeout 10 s.
deadline=$(($(date +%s) + ${LB_ROBUST_VANISH_WAIT:-40}))
margin=${LB_ROBUST_RSS_MARGIN_KB:-1024}
while :; do
	robust_alive "while clients vanished"
	fd1=$(robust_fds "$LB_PID")
	rss1=$(robust_rss "$LB_PID")
	[ "$fd1" -le "$fd0" ] && [ "$rss1" -le $((rss0 + margin)) ] && break
	[ "$(date +%s)" -ge "$deadline" ] && break
	sleep 1
done
lab_log "after: $fd1 fds, VmRSS $rss1 kB ($(grep -ac 'tftp\.fail\|reason=timeout' "$LAPTOP_LOG") TFTP timeouts logged)"
[ "$fd1" -le "$fd0" ] || lab_fail "fd leak: $fd1 open fds, baseline $fd0: $(ls -l /proc/$LB_PID/fd | tail -5)"
[ "$rss1" -le $((rss0 + margin)) ] || lab_fail "memory not returned: VmRSS $rss1 kB, baseline $rss0 kB (margin $margin)"
lab_stop vanish
# still serving
got=$(ip netns exec "$ns" curl -sf --max-time 60 "http://$LAPTOP_IP/big.bin" | sha256sum | cut -d' ' -f1)
[ "$got" = "$sha" ] || lab_fail "HTTP after the vanishing clients: wrong digest"
lab_pass "vanishing clients freed: fds $fd0 -> $fdp -> $fd1, VmRSS $rss0 -> $rssp -> $rss1 kB"
