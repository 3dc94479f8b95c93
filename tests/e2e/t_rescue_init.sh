#!/usr/bin/env bash
# The rescue system's PID 1 (issue 13 §2): `lifeboat init` as /init of an
# initramfs built here with cpio (lifeboat, busybox-static, dropbear and
# e2fsck with their libraries, the virtio modules of the lab's Debian cloud
# kernel from the cached debootstrap root), booted by QEMU -kernel/-initrd
# on the lab LAN. The router's dnsmasq leases for 2 minutes. Asserts:
#  - the modules of /etc/lifeboat/modules that this VM's devices need load
#    (virtio_net gives eth0, virtio_blk gives /dev/vda), the ones none
#    needs (virtio_scsi, virtio_balloon, dummy) are skipped;
#  - lifeboat's own DHCP client gets the address, the route and
#    resolv.conf (option 6/15) on each of two NICs (a default route each,
#    by metric), and renews the 2-minute lease twice (router log);
#  - host key fingerprints on the console equal what ssh-keyscan sees;
#    ssh with the test's key runs a command;
#  - lifeboat.cmd (e2fsck -n of the virtio disk) prints on the console and
#    both phone-home lines ("up, ssh at ...", "cmd exit 0: ...") reach a
#    POST sink on the laptop;
#  - a NAK on renewal (the router restarted with another range) drops
#    the address and binds a new one, reachable by ssh;
#  - `poweroff` over ssh ends QEMU;
#  - a second boot with a static ip= configures that address, route and
#    hostname without any DHCP, and `lifeboat reboot` from lifeboat.cmd
#    ends QEMU (-no-reboot).
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh
lab_require_root
lab_require_cmd qemu-system-x86_64 cpio ssh ssh-keygen ssh-keyscan mkfs.ext4 /usr/bin/python3
lab_require_file /usr/sbin/dropbear /usr/bin/dropbearkey /bin/busybox /sbin/e2fsck
[ -x "$LB_BIN" ] || lab_fail "no lifeboat binary at $LB_BIN (run make)"
TIMEOUT=${LB_E2E_BOOT_TIMEOUT:-170}
MAC=52:54:00:4c:42:$(printf %02x $(($$ & 255)))

# The kernel and its modules: the lab's cached debootstrap root (vm/mkimage
# builds it when it is missing).
cache=${LB_E2E_CACHE:-$PWD/build/e2e-cache}
base=$(ls -d "$cache"/base-*/ 2>/dev/null | head -1)
if [ -z "$base" ]; then
	tests/e2e/vm/mkimage busybox >/dev/null || lab_skip "no debootstrap root (vm/mkimage failed)"
	base=$(ls -d "$cache"/base-*/ | head -1)
fi
base=${base%/}
kernel=$(ls "$base"/boot/vmlinuz-* | head -1)
kver=${kernel##*/vmlinuz-}
moddir=$base/lib/modules/$kver
[ -f "$kernel" ] && [ -f "$moddir/modules.dep" ] || lab_skip "no kernel/modules in $base"

LAB_ROUTER_OPTS=(--dhcp-host="$MAC,2m" --dhcp-option=option:dns-server,192.0.2.1
	--dhcp-option=option:domain-name,lab.test)
lab_up
W=$LAB_DIR

# ---- the initramfs ----
root=$W/root
mkdir -p "$root"/{bin,etc/lifeboat,root/.ssh,dev,proc,sys,run,tmp}
cp "$LB_BIN" "$root/init"
ln -s /init "$root/bin/lifeboat"
cp /bin/busybox "$root/bin/busybox"
for a in $(/bin/busybox --list); do [ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"; done
carry() { # a dynamically linked tool with its libraries at their host paths
	local f lib
	for f in "$@"; do
		mkdir -p "$root$(dirname "$f")"
		cp -L "$f" "$root$f"
		for lib in $(ldd "$f" | grep -oE '/[^ ]+'); do
			[ -e "$root$lib" ] && continue
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$lib" "$root$lib"
		done
	done
}
carry /usr/sbin/dropbear /usr/bin/dropbearkey /sbin/e2fsck
# virtio_net, virtio_blk, virtio_pci with their modules.dep closure, deps first
modlist() {
	local m=$1 d
	for d in $(awk -v m="$m" -F': *' '$1 == m { print $2 }' "$moddir/modules.dep"); do
		modlist "$d"
	done
	echo "$m"
}
# virtio_scsi, virtio_balloon and dummy match no device of this VM: the
# rescue init must skip them (modules.alias is in the image).
for m in kernel/drivers/virtio/virtio_pci.ko kernel/drivers/net/virtio_net.ko \
	kernel/drivers/block/virtio_blk.ko kernel/drivers/scsi/virtio_scsi.ko \
	kernel/drivers/virtio/virtio_balloon.ko kernel/drivers/net/dummy.ko; do
	modlist "$m"
done | awk '!seen[$0]++' > "$W/modules.rel"
while read -r m; do
	mkdir -p "$root/lib/modules/$kver/$(dirname "$m")"
	cp "$moddir/$m" "$root/lib/modules/$kver/$m"
	echo "/lib/modules/$kver/$m"
done < "$W/modules.rel" > "$root/etc/lifeboat/modules"
cp "$moddir/modules.alias" "$moddir/modules.dep" "$root/lib/modules/$kver/"
nmods=$(wc -l < "$root/etc/lifeboat/modules")
nneed=$(for m in kernel/drivers/virtio/virtio_pci.ko kernel/drivers/net/virtio_net.ko \
	kernel/drivers/block/virtio_blk.ko; do modlist "$m"; done | sort -u | wc -l)
nskip=$((nmods - nneed))
printf 'built=e2e\nkernel=%s\n' "$kver" > "$root/etc/lifeboat/rescue"
ssh-keygen -q -t ed25519 -N '' -C e2e -f "$W/id" || lab_fail "ssh-keygen"
cp "$W/id.pub" "$root/root/.ssh/authorized_keys"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -1) > "$W/rescue.cpio.gz" ||
	lab_fail "cpio"
lab_log "initramfs: $(du -h "$W/rescue.cpio.gz" | cut -f1), $nmods modules, kernel $kver"

# ---- a disk for virtio_blk and lifeboat.cmd ----
truncate -s 32M "$W/disk.img"
mkfs.ext4 -q -L rescuedisk "$W/disk.img" || lab_fail "mkfs.ext4"

# ---- the phone-home sink on the laptop ----
cat > "$W/sink.py" <<'PY'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get('Content-Length', 0))
        body = self.rfile.read(n).decode('utf-8', 'replace')
        with open(sys.argv[2], 'a') as f:
            f.write('%s %s %s|%s\n' % (self.path, self.headers.get('Content-Type'), n, body))
        self.send_response(204)
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.HTTPServer(('0.0.0.0', int(sys.argv[1])), H).serve_forever()
PY
: > "$W/posts"
lab_spawn sink "$NS_LAPTOP" "$W/sink.log" /usr/bin/python3 "$W/sink.py" 8080 "$W/posts"

# ---- boot ----
CON=$W/console.log
lab_add_tap rescue
lab_add_tap rescue-b
MAC2=52:54:00:4c:43:$(printf %02x $(($$ & 255)))
append="console=ttyS0 no_timer_check lifeboat.home=http://$LAPTOP_IP:8080"
append="$append lifeboat.cmd=\"echo RESCUE-CMD-RAN; e2fsck -f -n /dev/vda\""
_qemu_start rescue "$CON" -kernel "$kernel" -initrd "$W/rescue.cpio.gz" -append "$append" \
	-device "virtio-net-pci,netdev=n0,mac=$MAC,romfile=" \
	-netdev tap,id=n1,ifname=rescue-b,script=no,downscript=no \
	-device "virtio-net-pci,netdev=n1,mac=$MAC2,romfile=" \
	-drive "file=$W/disk.img,if=virtio,format=raw"

wait_for_marker "$CON" 'LIFEBOAT-RESCUE-INIT' "$TIMEOUT" rescue || lab_fail "no rescue init: $LAB_WAIT_WHY"
wait_for_marker "$CON" 'LIFEBOAT-MODULES' 60 || lab_fail "no module line: $LAB_WAIT_WHY"
grep -aq "LIFEBOAT-MODULES loaded=$nneed present=0 failed=0 skipped=$nskip " "$CON" ||
	lab_fail "modules: $(grep -a LIFEBOAT-MODULES "$CON")"
lab_log "ok: $nneed of $nmods modules loaded, the $nskip no device needs skipped ($(grep -a LIFEBOAT-MODULES "$CON" | tr -d '\r'))"
wait_for_marker "$CON" 'LIFEBOAT-UP up, ssh at ' 120 rescue || lab_fail "not up: $LAB_WAIT_WHY"
lab_log "ok: up $(timing rescue) s after power-on: $(grep -a LIFEBOAT-UP "$CON" | tr -d '\r')"
UPSECS=$(timing rescue)
# the first NIC bound says UP; the other may be a moment behind: wait
# (at most 30 s) for this one's lease rather than look once
lease_of() { local t=0 ip; until ip=$(lab_check_lease "$1"); do t=$((t + 1)); [ $t -gt 30 ] && return 1; sleep 1; done; echo "$ip"; }
IP=$(lease_of "$MAC") || lab_fail "no lease for $MAC at the router"
grep -aq "LIFEBOAT-NET if=eth0 addr=$IP/24 up" "$CON" || lab_fail "console address differs from the lease $IP"

# ---- fingerprints on the console = what ssh sees ----
grep -a 'LIFEBOAT-HOSTKEY' "$CON" | tr -d '\r' | sed 's/.*fingerprint=//' | sort > "$W/fp.console"
[ "$(wc -l < "$W/fp.console")" = 2 ] || lab_fail "expected 2 host key lines: $(cat "$W/fp.console")"
ip netns exec "$NS_LAPTOP" ssh-keyscan -T 20 "$IP" 2>/dev/null > "$W/keyscan"
ssh-keygen -lf "$W/keyscan" | awk '{ print $2 }' | sort > "$W/fp.scan"
cmp -s "$W/fp.console" "$W/fp.scan" ||
	lab_fail "fingerprints: console $(cat "$W/fp.console") vs ssh-keyscan $(cat "$W/fp.scan")"
lab_log "ok: host key fingerprints on the console match ssh-keyscan"
grep -aq "LIFEBOAT-UP up, ssh at 192.0.2.[0-9]*, $(grep -a 'type=ed25519' "$CON" | tr -d '\r' | sed 's/.*fingerprint=//') (ed25519)" "$CON" ||
	lab_fail "the up line does not name the ed25519 fingerprint"

# ---- ssh ----
KNOWN=$W/keyscan
rsh() {
	ip netns exec "$NS_LAPTOP" ssh -i "$W/id" -o StrictHostKeyChecking=yes \
		-o UserKnownHostsFile="$KNOWN" -o ConnectTimeout=20 -o BatchMode=yes "root@$IP" "$@"
}
out=$(rsh 'echo SSH-OK $(id -u); cat /etc/resolv.conf; ip route; ls /dev/vda; cat /proc/modules | cut -d" " -f1 | sort | tr "\n" " "') ||
	lab_fail "ssh login failed: $out"
echo "$out" | sed 's/^/    /'
echo "$out" | grep -q '^SSH-OK 0$' || lab_fail "ssh command output: $out"
echo "$out" | grep -q '^nameserver 192.0.2.1$' || lab_fail "resolv.conf lacks the nameserver"
echo "$out" | grep -q '^search lab.test$' || lab_fail "resolv.conf lacks the search domain"
echo "$out" | grep -q '^default via 192.0.2.1 dev eth0 .*metric 10[01]' || lab_fail "no default route on eth0"
echo "$out" | grep -q '^default via 192.0.2.1 dev eth1 .*metric 10[01]' || lab_fail "no default route on eth1"
IPB=$(lease_of "$MAC2") || lab_fail "no lease for the second NIC $MAC2"
grep -aq "LIFEBOAT-NET if=eth1 addr=$IPB/24 up" "$CON" || lab_fail "eth1 not configured with $IPB"
echo "$out" | grep -q '^/dev/vda$' || lab_fail "no /dev/vda (virtio_blk)"
for m in virtio_net virtio_blk virtio_pci; do
	echo "$out" | grep -qw "$m" || lab_fail "module $m not loaded"
done
for m in virtio_scsi virtio_balloon dummy; do
	echo "$out" | grep -qw "$m" && lab_fail "module $m loaded though no device needs it"
done
lab_log "ok: ssh login with the test key; resolv.conf, a default route per NIC (eth1 $IPB), /dev/vda, modules"

# ---- lifeboat.cmd and phone home ----
wait_for_marker "$CON" 'LIFEBOAT-CMD-EXIT status=' 120 || lab_fail "lifeboat.cmd did not finish: $LAB_WAIT_WHY"
grep -aq 'RESCUE-CMD-RAN' "$CON" || lab_fail "no lifeboat.cmd output on the console"
grep -aqE 'rescuedisk: [0-9]+/[0-9]+ files' "$CON" || lab_fail "no e2fsck output on the console"
grep -aq 'LIFEBOAT-CMD-EXIT status=0' "$CON" || lab_fail "lifeboat.cmd: $(grep -a CMD-EXIT "$CON")"
t=60
while [ "$(grep -c . "$W/posts")" -lt 2 ] && [ $t -gt 0 ]; do sleep 1; t=$((t - 1)); done
cat "$W/posts" | sed 's/^/    POST /'
grep -q "^/lifeboat/report text/plain [0-9]*|up, ssh at 192.0.2.[0-9]*, SHA256:.* (ed25519)$" "$W/posts" ||
	lab_fail "no 'up' report received"
grep -q '^/lifeboat/report text/plain [0-9]*|cmd exit 0: echo RESCUE-CMD-RAN; e2fsck -f -n /dev/vda$' "$W/posts" ||
	lab_fail "no 'cmd exit' report received"
[ "$(head -1 "$W/posts" | cut -d'|' -f2 | cut -c1-2)" = up ] || lab_fail "the 'up' report did not come first"
lab_log "ok: lifeboat.cmd ran (e2fsck clean), both reports POSTed in order"

# ---- two renewals ----
wait_for_marker "$CON" 'net.dhcp.renewals if=eth0 count=2' 200 || lab_fail "no second renewal: $LAB_WAIT_WHY"
acks=$(grep -ac "DHCPACK(eth0) $IP $MAC" "$ROUTER_LOG")
[ "$acks" -ge 3 ] || lab_fail "router acknowledged $acks times, expected 3 (bind + 2 renewals)"
reqs=$(grep -ac "DHCPREQUEST(eth0) $IP $MAC" "$ROUTER_LOG")
lab_log "ok: lease renewed twice (router: $reqs requests, $acks acks)"
rsh 'ip -4 addr show eth0' | grep -q "inet $IP/24" || lab_fail "address gone after renewals"

# ---- NAK: the router forgets the lease and serves another range ----
# At the next T1 the renewal gets a NAK: the client drops the address,
# starts over and binds one of the new range; ssh works there.
lab_stop router
ROUTER2_LOG=$W/router2-dnsmasq.log
: > "$W/router2.leases"
lab_spawn router2 "$NS_ROUTER" "$ROUTER2_LOG" \
	dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface=eth0 --bind-interfaces \
	--dhcp-range=192.0.2.210,192.0.2.220,2m --dhcp-option=option:router,$ROUTER_IP \
	--dhcp-option=option:dns-server,192.0.2.1 --dhcp-leasefile="$W/router2.leases" \
	--pid-file="$W/router2.pid" --dhcp-authoritative --log-dhcp --log-facility=-
lab_wait_udp "$NS_ROUTER" 67 10 || lab_fail "second router dnsmasq did not start"
wait_for_marker "$CON" 'net.dhcp.nak if=eth0' 150 || lab_fail "no NAK after the range change: $LAB_WAIT_WHY"
wait_for_marker "$CON" 'LIFEBOAT-NET if=eth0 addr=192.0.2.2(1[0-9]|20)/24 up' 60 ||
	lab_fail "no new address after the NAK: $LAB_WAIT_WHY"
grep -aq "LIFEBOAT-NET if=eth0 addr=$IP/24 down" "$CON" || lab_fail "the old address was not dropped"
grep -aq "DHCPNAK(eth0) $IP $MAC" "$ROUTER2_LOG" || lab_fail "router2 sent no NAK"
IP2=$(grep -a 'LIFEBOAT-NET if=eth0 addr=192.0.2.2' "$CON" | tail -1 | sed 's/.*addr=\([0-9.]*\)\/.*/\1/')
lab_log "ok: NAK on renewal: $IP dropped, $IP2 bound from the new range"
# the same host keys at the new address
sed "s/^$IP /$IP2 /" "$W/keyscan" > "$W/keyscan2"
KNOWN=$W/keyscan2
IP=$IP2
rsh 'ip -4 addr show eth0' | grep -q "inet $IP/24" || lab_fail "no ssh on the new address $IP"

# ---- poweroff ----
rsh poweroff >/dev/null 2>&1
t=60
while lab_alive qemu-rescue && [ $t -gt 0 ]; do sleep 1; t=$((t - 1)); done
lab_alive qemu-rescue && lab_fail "QEMU still runs 60 s after poweroff"
grep -aq 'LIFEBOAT-POWER action=poweroff reason=SIGUSR2' "$CON" || lab_fail "no poweroff line on the console"
lab_log "ok: poweroff over ssh ended QEMU"

# ---- ip= static overrides DHCP; `lifeboat reboot` from lifeboat.cmd ----
CON2=$W/console2.log
before=$(grep -ac "DHCPDISCOVER(eth0) $MAC" "$ROUTER2_LOG")
lab_add_tap rescue2
append="console=ttyS0 no_timer_check ip=192.0.2.77::192.0.2.1:255.255.255.0:boxname:eth0:off"
append="$append lifeboat.cmd=\"ip -4 addr show dev eth0; ip route; hostname; lifeboat reboot\""
_qemu_start rescue2 "$CON2" -kernel "$kernel" -initrd "$W/rescue.cpio.gz" -append "$append" \
	-device "virtio-net-pci,netdev=n0,mac=$MAC,romfile=" -drive "file=$W/disk.img,if=virtio,format=raw"
wait_for_marker "$CON2" 'LIFEBOAT-POWER action=reboot reason=SIGTERM' "$TIMEOUT" rescue2 ||
	lab_fail "static boot: no reboot: $LAB_WAIT_WHY"
t=30
while lab_alive qemu-rescue2 && [ $t -gt 0 ]; do sleep 1; t=$((t - 1)); done
lab_alive qemu-rescue2 && lab_fail "QEMU still runs 30 s after lifeboat reboot"
grep -aq 'inet 192.0.2.77/24' "$CON2" || lab_fail "static address not on eth0"
grep -aq 'default via 192.0.2.1 dev eth0' "$CON2" || lab_fail "static default route missing"
grep -aq '^boxname' "$CON2" || lab_fail "hostname from ip= not set"
grep -aq 'net.static if=eth0 addr=192.0.2.77/24' "$CON2" || lab_fail "no static configuration line"
[ "$(grep -ac "DHCPDISCOVER(eth0) $MAC" "$ROUTER2_LOG")" = "$before" ] || lab_fail "DHCP ran despite ip=...:off"
lab_log "ok: ip= static address, route and hostname, no DHCP; lifeboat reboot ended QEMU"
lab_pass "rescue init: modules, DHCP with 2 renewals and a NAK, ssh, fingerprints, lifeboat.cmd, phone home, poweroff (up in $UPSECS s)"
