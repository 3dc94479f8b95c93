#!/usr/bin/env bash
# Raspberry Pi netboot at packet level (no Pi, and no emulator plays its boot
# ROM/EEPROM): lifeboat serves a ROOT holding bootcode.bin and start4.elf
# (found automatically: --boot rpi=bootcode.bin). A client namespace on the
# lab LAN (with the router's dnsmasq answering too) sends
#  - the Pi 3 DHCPDISCOVER of the Raspberry Pi documentation's capture and a
#    Pi 4 one in the documented DHCP_OPTION97 format
#    (tests/vectors/dhcp4/mk-rpi.py) and checks lifeboat's proxy offers:
#    option 43 byte for byte as in the documentation's capture, 60
#    PXEClient, 97 echoed, siaddr = lifeboat, yiaddr 0;
#  - the TFTP requests a Pi makes (curl as the TFTP client): bootcode.bin,
#    bootsig.bin (a TFTP "file not found" error, not silence),
#    <serial>/start4.elf with no such folder (the root's file),
#    <mac>/config.txt from a per-Pi folder and <mac>/start4.elf (not in that
#    folder: the root's), and a 64 MiB kernel at blksize 1024 (lifeboat warns
#    that it needs more than 65535 blocks).
. "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_cmd ip dnsmasq curl python3 sha256sum
[ "$LB_SERVER" = lifeboat ] || lab_skip "asserts lifeboat's replies and log lines"

lab_up
root=$LAB_DIR/root
mkdir -p "$root/dc-a6-32-01-36-c2"
head -c 52480 /dev/urandom > "$root/bootcode.bin"
head -c 2300000 /dev/urandom > "$root/start4.elf"
echo "root config" > "$root/config.txt"
echo "per-pi config for dc-a6-32-01-36-c2" > "$root/dc-a6-32-01-36-c2/config.txt"
truncate -s $((64 * 1024 * 1024)) "$root/kernel8.img"
chmod -R a+rX "$root"
[ -x "$LB_BIN" ] || lab_fail "no lifeboat binary at $LB_BIN (run make)"
lab_run_laptop "$LB_BIN" serve "$root" $LB_SERVE_ARGS -i $LAPTOP_IF
lab_laptop_ready 10
lab_server_log_has "serve\.auto boot=rpi=bootcode\.bin" || lab_fail "bootcode.bin in ROOT was not picked for rpi clients"
lab_add_client_ns 1
ns=$LAB_CLIENT_NS
ip -n "$ns" addr add 192.0.2.50/24 dev eth0

# --- DHCP: the documented DISCOVERs, lifeboat's offers ---
cat > "$LAB_DIR/pidhcp.py" <<'PY'
import socket, struct, sys, time
vec, want43_hex = sys.argv[1], sys.argv[2]
pkt = open(vec, "rb").read()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"eth0")
s.bind(("0.0.0.0", 68))
s.settimeout(0.5)
t0 = time.time()
s.sendto(pkt, ("255.255.255.255", 67))
def opts(p):
    o, i = {}, 240
    while i < len(p) and p[i] != 255:
        if p[i] == 0:
            i += 1; continue
        o.setdefault(p[i], b""); o[p[i]] += p[i + 2:i + 2 + p[i + 1]]; i += 2 + p[i + 1]
    return o
while time.time() - t0 < 5:
    try:
        r, peer = s.recvfrom(2048)
    except socket.timeout:
        continue
    if r[0] != 2 or r[4:8] != pkt[4:8]:
        continue
    o = opts(r)
    if o.get(54) != bytes([192, 0, 2, 2]):
        print("router offer (ignored): yiaddr", socket.inet_ntoa(r[16:20]))
        continue
    ok = (r[16:20] == bytes(4) and r[20:24] == bytes([192, 0, 2, 2]) and r[28:34] == pkt[28:34]
          and o.get(43) == bytes.fromhex(want43_hex) and o.get(60) == b"PXEClient"
          and o.get(97) == opts(pkt).get(97) and o.get(53) == b"\x02")
    print("lifeboat offer after %.1f ms: yiaddr %s siaddr %s file %r 43=%s 97=%s -> %s" % (
        (time.time() - t0) * 1000, socket.inet_ntoa(r[16:20]), socket.inet_ntoa(r[20:24]),
        r[108:236].rstrip(b"\0"), o.get(43, b"").hex(), o.get(97, b"").hex(), "ok" if ok else "WRONG"))
    sys.exit(0 if ok else 1)
print("no offer from lifeboat within 5 s")
sys.exit(1)
PY
# option 43 of the documentation's capture (boot-net.adoc)
want43=$(printf '060103 0a0400505845 0914000011 %s ff' "$(printf 'Raspberry Pi Boot' | od -An -tx1 | tr -d ' \n')" | tr -d ' ')
for v in rpi3-doc-discover.bin rpi4-doc-discover.bin; do
	out=$(ip netns exec "$ns" python3 "$LAB_DIR/pidhcp.py" "$LAB_REPO/tests/vectors/dhcp4/$v" "$want43") ||
		lab_fail "$v: $out"
	lab_log "$v: $out"
done
lab_server_log_has "dhcp\.offer mac=b8:27:eb:28:f6:6d arch=0\(rpi\) fw=rpi shape=rpi file=bootcode\.bin" ||
	lab_fail "no rpi-shape offer to the Pi 3 in lifeboat's log"
lab_server_log_has "dhcp\.offer mac=dc:a6:32:01:36:c2 arch=0\(rpi\) fw=rpi shape=rpi" ||
	lab_fail "no rpi-shape offer to the Pi 4 in lifeboat's log"

# --- TFTP: what the Pi asks for ---
tftp_get() { # NAME OUT [curl args]: curl's exit status
	local name=$1 out=$2
	shift 2
	ip netns exec "$ns" curl -s -o "$out" "$@" "tftp://$LAPTOP_IP/$name"
}
same() { [ "$(sha256sum < "$1")" = "$(sha256sum < "$2")" ]; }
tftp_get bootcode.bin "$LAB_DIR/got1" || lab_fail "bootcode.bin over TFTP failed"
same "$LAB_DIR/got1" "$root/bootcode.bin" || lab_fail "bootcode.bin arrived corrupt"
t0=$(lab_now)
tftp_get bootsig.bin "$LAB_DIR/got2"
rc=$?
tsig=$(lab_elapsed "$t0")
[ $rc = 68 ] || lab_fail "bootsig.bin: curl exit $rc, want 68 (TFTP file not found); 28 would be a timeout"
lab_server_log_has "tftp\.refuse client=[^ ]*192\.0\.2\.50[]:][^ ]* file=bootsig\.bin code=1 reason=not-found" ||
	lab_fail "lifeboat did not log a not-found answer to bootsig.bin"
tftp_get 9ffefdef/start4.elf "$LAB_DIR/got3" || lab_fail "<serial>/start4.elf with no such folder was not served"
same "$LAB_DIR/got3" "$root/start4.elf" || lab_fail "<serial>/start4.elf is not the root's start4.elf"
lab_server_log_has "tftp\.rpi-root client=192\.0\.2\.50 file=9ffefdef/start4\.elf served=start4\.elf" ||
	lab_fail "no tftp.rpi-root line for the serial folder"
tftp_get dc-a6-32-01-36-c2/config.txt "$LAB_DIR/got4" || lab_fail "per-Pi config.txt not served"
same "$LAB_DIR/got4" "$root/dc-a6-32-01-36-c2/config.txt" || lab_fail "the per-Pi config.txt did not win over the root's"
tftp_get dc-a6-32-01-36-c2/start4.elf "$LAB_DIR/got5" || lab_fail "<mac>/start4.elf (root fallback) not served"
same "$LAB_DIR/got5" "$root/start4.elf" || lab_fail "<mac>/start4.elf is not the root's file"
tftp_get 9ffefdef/bootsig.bin "$LAB_DIR/got6"
rc=$?
[ $rc = 68 ] || lab_fail "<serial>/bootsig.bin: curl exit $rc, want 68 (not found in folder nor root)"
# A 64 MiB kernel at the Pi 4 EEPROM's blksize 1024 needs 65537 blocks:
# warned as the transfer starts (curl is stopped after 2 s, it does not
# matter whether it finished)
tftp_get kernel8.img /dev/null --tftp-blksize 1024 --max-time 2
lab_server_log_has "tftp\.warn client=[^ ]*192\.0\.2\.50[]:][^ ]* file=kernel8\.img size=67108864 blksize=1024 blocks=65537 reason=\"more than 65535 blocks" ||
	lab_fail "no warning for a file past 65535 blocks of 1024"
! grep -a "tftp\.warn" "$LAPTOP_LOG" | grep -qv kernel8 || lab_fail "a small file was warned about: $(grep -a tftp.warn "$LAPTOP_LOG")"
lab_pass "raspberry pi: documented offers byte-exact, bootsig.bin not-found in ${tsig}s (curl round trip), serial/MAC folders overlay ROOT, >65535-block warning"
