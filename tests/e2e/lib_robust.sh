# shellcheck shell=bash
# Helpers for the robustness tests (tests/e2e/t_robust_*.sh), on top of
# lib.sh (sourced here; lib.sh itself is owned by the e2e lab and left
# alone). Namespaces get the prefix lbq-<pid> instead of lbe-<pid> so these
# tests never collide with the lab's own tests running at the same time.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LAB_ID=lbq-$$
NS_ROUTER=$LAB_ID-router
NS_LAPTOP=$LAB_ID-laptop
NS_LAN=$LAB_ID-lan

# robust_tools: builds bench/tftpload and bench/dhcpload (branch bench) into
# $LAB_DIR/bin with the project's warning flags; sets TFTPLOAD, DHCPLOAD.
robust_tools() {
	local f=(-std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror)
	lab_require_cmd gcc
	[ -f "$LAB_REPO/bench/tftpload.c" ] || lab_skip "bench/tftpload.c missing (merge branch bench)"
	mkdir -p "$LAB_DIR/bin"
	TFTPLOAD=$LAB_DIR/bin/tftpload
	DHCPLOAD=$LAB_DIR/bin/dhcpload
	gcc "${f[@]}" -o "$TFTPLOAD" "$LAB_REPO/bench/tftpload.c" "$LAB_REPO/bench/sha256.c" ||
		lab_fail "building tftpload"
	gcc "${f[@]}" -o "$DHCPLOAD" "$LAB_REPO/bench/dhcpload.c" || lab_fail "building dhcpload"
}

# robust_serve ARGS...: lifeboat serve ARGS in the laptop namespace ($LB_BIN,
# which may be build/asan/lifeboat), until it logs serve.ready. Sets LB_PID.
robust_serve() {
	[ -x "$LB_BIN" ] || lab_fail "no lifeboat binary at $LB_BIN (run make)"
	lab_run_laptop "$LB_BIN" serve "$@"
	LB_PID=$(lab_pid laptop)
	local t=100
	while [ $t -gt 0 ]; do
		grep -q 'serve.ready' "$LAPTOP_LOG" && return 0
		lab_alive laptop || lab_fail "lifeboat exited at start: $(tail -20 "$LAPTOP_LOG")"
		sleep 0.1
		t=$((t - 1))
	done
	lab_fail "lifeboat not ready after 10 s: $(tail -20 "$LAPTOP_LOG")"
}

# robust_alive: fail unless lifeboat still runs.
robust_alive() {
	lab_alive laptop || lab_fail "lifeboat died ($1): $(tail -30 "$LAPTOP_LOG")"
}

# robust_rss PID: VmRSS in kB; robust_fds PID: open file descriptors.
robust_rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
robust_fds() { ls "/proc/$1/fd" | wc -l; }

# robust_client_ns N IP: a client namespace on br0 with address IP/24.
robust_client_ns() {
	lab_add_client_ns "$1"
	[ -n "${2:-}" ] && ip -n "$LAB_CLIENT_NS" addr add "$2/24" dev eth0
	return 0
}

# robust_mkfile PATH MIB: a file of random bytes readable by lifeboat's
# unprivileged user; prints its sha256.
robust_mkfile() {
	head -c $(($2 * 1048576)) /dev/urandom > "$1"
	chmod 644 "$1"
	sha256sum "$1" | cut -d' ' -f1
}

# robust_no_sanitizer_report: fail if lifeboat's log holds an ASan/UBSan
# report (the build/asan binary prints them to stderr = the log).
robust_no_sanitizer_report() {
	if grep -aqE 'ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: (Address|Undefined)' "$LAPTOP_LOG"; then
		lab_fail "sanitizer report in lifeboat's log: $(grep -aE -A15 'ERROR: |runtime error:' "$LAPTOP_LOG" | head -40)"
	fi
}

# robust_garbage_py: writes $LAB_DIR/garbage.py, a generator of hostile UDP
# for lifeboat's ports: random bytes, truncated BOOTP headers, option
# lengths that overrun the packet, PXE option 93/97 of the wrong length,
# endless pad options; TFTP opcodes 0/7/99, RRQs without their NULs, bad
# modes, blksize 0/7/huge, windowsize 0, non-numeric tsize, ACK/DATA/ERROR
# sent to the listening port, 2000-byte names; and a burst of valid PXE
# DISCOVERs from one MAC (the per-client limit must kick in).
#   python3 garbage.py SERVER ROUNDS STOPFILE  (prints sent=N at the end)
robust_garbage_py() {
	GARBAGE_PY=$LAB_DIR/garbage.py
	cat > "$GARBAGE_PY" <<'PY'
import os, random, socket, struct, sys, time
server, rounds, stop = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rnd = random.Random(1234)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
def bootp(opts, op=1, magic=b"\x63\x82\x53\x63", mac=None):
    mac = mac or bytes([0x02, 0x99]) + os.urandom(4)
    h = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", op, 1, 6, 0, rnd.getrandbits(32), 0, 0x8000,
                    b"\0" * 4, b"\0" * 4, b"\0" * 4, b"\0" * 4, mac + b"\0" * 10, b"", b"")
    return h + magic + opts
PXE = b"\x3c\x20PXEClient:Arch:00000:UNDI:002001"
def dhcp_bad():
    k = rnd.randrange(10)
    if k == 0: return os.urandom(rnd.randrange(0, 600))
    if k == 1: return bootp(b"")[: rnd.randrange(1, 240)]
    if k == 2: return bootp(b"\x35\x01\x01" + PXE + b"\x5d\xff\x00")          # 93 overruns
    if k == 3: return bootp(b"\x35\x01\x01" + PXE + b"\x5d\x01\x00\xff")      # 93 len 1
    if k == 4: return bootp(b"\x35\x01\x01" + PXE + b"\x61\x03\x00\x01\x02\xff")  # 97 len 3
    if k == 5: return bootp(b"\x00" * 300)                                     # pads, no end
    if k == 6: return bootp(b"\x35\x01\x01" + PXE + b"\x5d\x02\x00\x00", magic=b"\x01\x02\x03\x04")
    if k == 7: return bootp(b"\x35\x05\x01" + PXE[:10])                        # 53 length 5, cut
    if k == 8: return bootp(b"\x35\x01\x01" + b"\x3c\xff" + os.urandom(40))    # 60 overruns
    return bootp(b"\x35\x01\x01" + PXE + b"\x2b\x80" + os.urandom(128) + b"\x5d\x02\x00\x00\xff", op=2)
def tftp_bad():
    k = rnd.randrange(12)
    if k == 0: return os.urandom(rnd.randrange(0, 700))
    if k == 1: return struct.pack("!H", rnd.choice([0, 7, 99, 65535])) + os.urandom(20)
    if k == 2: return b"\x00\x01lifeboat/boot.ipxe"                            # no NULs
    if k == 3: return b"\x00\x01lifeboat/boot.ipxe\x00bogusmode\x00"
    if k == 4: return b"\x00\x01nosuchfile\x00octet\x00blksize\x000\x00"
    if k == 5: return b"\x00\x01nosuchfile\x00octet\x00blksize\x0099999999999999999999\x00"
    if k == 6: return b"\x00\x01nosuchfile\x00octet\x00windowsize\x000\x00tsize\x00abc\x00"
    if k == 7: return b"\x00\x04\x00\x01"                                      # ACK to :69
    if k == 8: return b"\x00\x03\x00\x01" + os.urandom(512)                     # DATA to :69
    if k == 9: return b"\x00\x05\x00\x00oops\x00"                              # ERROR to :69
    if k == 10: return b"\x00\x01" + b"A" * 2000 + b"\x00octet\x00"
    return b"\x00\x01nosuch" + bytes([rnd.randrange(1, 32)]) + b"\x00netascii\x00blksize\x00"
sent = 0
def send(pkt, port):
    global sent
    try:
        s.sendto(pkt, (server, port)); sent += 1
    except OSError:
        time.sleep(0.001)
one_mac = b"\x02\x98\x00\x00\x00\x01"
for r in range(rounds):
    if os.path.exists(stop): break
    for i in range(500):
        send(dhcp_bad(), 67); send(dhcp_bad(), 4011); send(tftp_bad(), 69)
    # one client that asks too often: the per-client limit (4/s) must answer
    for i in range(100):
        send(bootp(b"\x35\x01\x01" + PXE + b"\x5d\x02\x00\x00\x5e\x03\x01\x02\x01\xff", mac=one_mac), 67)
print("sent=%d" % sent)
PY
}

# robust_discover_py: writes $LAB_DIR/discover.py, a PXE ROM's DISCOVER
# (option 60 PXEClient, 93 arch 0, 94, 97) broadcast from udp/68 on eth0;
# prints the boot file (option 67, else the file field) of the first OFFER
# whose server id (option 54) is SERVER, or "none" after TIMEOUT seconds.
#   python3 discover.py SERVER MAC [TIMEOUT]
robust_discover_py() {
	DISCOVER_PY=$LAB_DIR/discover.py
	cat > "$DISCOVER_PY" <<'PY'
import os, socket, struct, sys, time
server, mac, tmo = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", "")), float(sys.argv[3]) if len(sys.argv) > 3 else 5
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"eth0")
s.bind(("0.0.0.0", 68))
xid = struct.unpack("!I", os.urandom(4))[0]
vc = b"PXEClient:Arch:00000:UNDI:002001"
opts = (b"\x35\x01\x01" + bytes([60, len(vc)]) + vc + b"\x5d\x02\x00\x00\x5e\x03\x01\x02\x01"
        + b"\x61\x11\x00" + mac + b"\0" * 10 + b"\x37\x04\x01\x03\x2b\x3c\xff")
pkt = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0, 0x8000, b"\0" * 4,
                  b"\0" * 4, b"\0" * 4, b"\0" * 4, mac + b"\0" * 10, b"", b"") + b"\x63\x82\x53\x63" + opts
end = time.time() + tmo
nxt = 0
while time.time() < end:
    if time.time() >= nxt:
        s.sendto(pkt, ("255.255.255.255", 67))
        nxt = time.time() + 1
    s.settimeout(max(0.05, min(nxt, end) - time.time()))
    try:
        d, src = s.recvfrom(2000)
    except socket.timeout:
        continue
    if len(d) < 240 or d[0] != 2 or struct.unpack("!I", d[4:8])[0] != xid:
        continue
    o, i, sid, f67 = {}, 240, None, None
    while i < len(d) and d[i] != 255:
        if d[i] == 0:
            i += 1
            continue
        o[d[i]] = d[i + 2:i + 2 + d[i + 1]]
        i += 2 + d[i + 1]
    if o.get(54) != socket.inet_aton(server):
        continue
    f = o.get(67) or d[108:236].split(b"\0")[0]
    print(f.decode(errors="replace"))
    sys.exit(0)
print("none")
sys.exit(1)
PY
}

# ---- issue 10: hostile clients (tests/e2e/hostile.py) and the DHCP prober
HOSTILE=$LAB_E2E/hostile.py

# robust_kernel_serve TOKEN [ARGS...]: lifeboat in kernel mode (the marker
# initramfs, TOKEN on the command line) on eth0, plus ARGS; sets LB_PID.
robust_kernel_serve() {
	local token=$1
	shift
	lab_initramfs
	robust_serve $LB_SERVE_ARGS -i $LAPTOP_IF --kernel "$LAB_KERNEL" --initrd "$LAB_INITRD" \
		--cmdline "$LAB_CMDLINE lbq_token=$token" --ipxe-dir /usr/lib/ipxe "$@"
}

# robust_pxelinux_root TOKEN: $LAB_DIR/root with pxelinux.0, ldlinux.c32,
# kernel, marker initramfs and a pxelinux.cfg/default booting them with
# TOKEN: a BIOS client that loads all of it over TFTP. Sets PXE_ROOT.
robust_pxelinux_root() {
	lab_require_file /usr/lib/PXELINUX/pxelinux.0 /usr/lib/syslinux/modules/bios/ldlinux.c32
	lab_initramfs
	PXE_ROOT=$LAB_DIR/root
	mkdir -p "$PXE_ROOT/pxelinux.cfg"
	cp /usr/lib/PXELINUX/pxelinux.0 /usr/lib/syslinux/modules/bios/ldlinux.c32 "$PXE_ROOT/"
	cp "$LAB_KERNEL" "$PXE_ROOT/linux"
	cp "$LAB_INITRD" "$PXE_ROOT/initrd.gz"
	printf 'DEFAULT linux\nPROMPT 0\nTIMEOUT 0\nLABEL linux\n  KERNEL linux\n  INITRD initrd.gz\n  APPEND %s lbq_token=%s\n' \
		"$LAB_CMDLINE" "$1" > "$PXE_ROOT/pxelinux.cfg/default"
	chmod -R a+rX "$PXE_ROOT"
}

# robust_probe_start: the DHCP prober (hostile.py dhcp-probe: 20 PXE
# DISCOVERs a second to lifeboat, answered % and latency) in its own client
# namespace, at a higher priority than the attacker (the attacker stands
# for another machine: it must not win by taking this host's CPU).
robust_probe_start() {
	robust_client_ns 9 192.0.2.49
	lab_spawn probe "$LAB_CLIENT_NS" "$LAB_DIR/probe.log" \
		nice -n -5 python3 "$HOSTILE" dhcp-probe $LAPTOP_IP --rate "${LB_ROBUST_PROBE_RATE:-20}"
	PROBE_T0=$(lab_now)
}

# robust_probe_stop: stops the prober; PROBE_SUMMARY is its summary line,
# PROBE_PCT the answered %, PROBE_P99 the 99th percentile latency (ms).
robust_probe_stop() {
	lab_stop probe
	PROBE_SUMMARY=$(grep -a '^PROBE ' "$LAB_DIR/probe.log" | tail -1)
	[ -n "$PROBE_SUMMARY" ] || lab_fail "the DHCP prober printed no summary: $(tail -5 "$LAB_DIR/probe.log")"
	PROBE_PCT=$(echo "$PROBE_SUMMARY" | grep -o 'pct=[0-9.]*' | cut -d= -f2)
	PROBE_P99=$(echo "$PROBE_SUMMARY" | grep -o 'p99_ms=[-0-9.]*' | cut -d= -f2)
	lab_log "DHCP prober: $PROBE_SUMMARY"
}

# robust_probe_check WHAT: fail unless >= LB_ROBUST_PROBE_MIN_PCT (99) % of
# the probes were answered with p99 < LB_ROBUST_PROBE_MAX_P99_MS (100).
robust_probe_check() {
	local min=${LB_ROBUST_PROBE_MIN_PCT:-99} max=${LB_ROBUST_PROBE_MAX_P99_MS:-100}
	awk -v p="$PROBE_PCT" -v m="$min" 'BEGIN { exit !(p >= m) }' ||
		lab_fail "$1: only $PROBE_PCT% of DHCP probes answered (want >= $min%): $PROBE_SUMMARY"
	awk -v p="$PROBE_P99" -v m="$max" 'BEGIN { exit !(p >= 0 && p < m) }' ||
		lab_fail "$1: DHCP probe p99 ${PROBE_P99} ms (want < $max ms): $PROBE_SUMMARY"
}

# robust_boot_bios NAME TOKEN: a SeaBIOS + iPXE ROM client NAME boots to
# the marker carrying TOKEN. BOOT_OK=1 and BOOT_T (power-on to marker, s)
# when it did, else BOOT_OK=0 and BOOT_WHY: the test stops the attack and
# the prober first, so a failure still reports what they measured
# (robust_boot_check). BOOT_MAC is the client's MAC.
robust_boot_bios() {
	BOOT_MAC=$(lab_mac 1)
	BOOT_OK=0
	qemu_bios_ipxe "$1" "$BOOT_MAC" "$LAB_DIR/$1.log"
	if wait_for_marker "$LAB_DIR/$1.log" "$LAB_MARKER .*lbq_token=$2" "${LB_E2E_BOOT_TIMEOUT:-200}" "$1"; then
		BOOT_OK=1
		BOOT_T=$(timing "$1")
		lab_log "real client booted in ${BOOT_T}s during the attack"
	else
		BOOT_WHY=$LAB_WAIT_WHY
		lab_log "real client did not boot: $BOOT_WHY"
	fi
}

# robust_boot_check WHAT: fail unless robust_boot_bios saw the marker.
robust_boot_check() {
	[ "$BOOT_OK" = 1 ] ||
		lab_fail "the real client did not boot during the $1: $BOOT_WHY (DHCP prober: ${PROBE_SUMMARY:-none})"
}

# robust_log_mark / robust_log_since: lifeboat's log lines from the mark on.
robust_log_mark() { LOG_MARK=$(wc -l < "$LAPTOP_LOG"); }
robust_log_since() { tail -n +$((LOG_MARK + 1)) "$LAPTOP_LOG"; }
