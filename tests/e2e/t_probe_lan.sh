#!/usr/bin/env bash
# lifeboat probe on the lab LAN (no QEMU: the probe runs in a client
# namespace on the bridge, 192.0.2.50 set by hand, no lease). One lab, the
# scenarios one after the other, each asserted on the probe's --json (and
# the text table) and its exit status:
#   1 router only: the router's dnsmasq is a "DHCP server", no boot offer
#   2 router + lifeboat serve ROOT: lifeboat is a proxy; bios (PXE10),
#     efi64 and arm64 (BINL, answered on udp/4011), efi-http (URL), ipxe
#     (script URL), rpi (Pi menu) boot, files fetched over TFTP/HTTP;
#     uboot will not (proxy offers only); -6: lifeboat's DHCPv6 answer
#   3 + a dnsmasq proxy (pxe-service) in another namespace: two proxies
#   4 the router sets next-server and file itself (dhcp-boot)
#   5 a boot file that does not exist (the router names one lifeboat lacks)
#   6 TFTP blocked by nft on lifeboat's host; then udp/4011 blocked (efi64's
#     BINL step silent)
#   7 no DHCP server at all (router stopped), then lifeboat alone (proxy
#     without a DHCP server)
# The probe's duration is printed for each (RESULT line), not asserted.
# Right after the router (re)starts, its first offer to the probe's MAC
# waits for dnsmasq's 3 s ping check: those runs get --timeout 8000 so a
# loaded host cannot push the offer past the default 4.5 s window (the
# window still ends 1 s after the last answer, so they take as long as
# with the default when the host is not loaded).
. "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_cmd ip dnsmasq python3 nft
[ "$LB_SERVER" = lifeboat ] || lab_skip "tests lifeboat probe against lifeboat serve"
[ -x "$LB_BIN" ] || lab_fail "no lifeboat binary at $LB_BIN (run make)"

lab_up
ROUTER_BASE_OPTS=()
root=$LAB_DIR/root
mkdir -p "$root"
head -c 70000 /dev/urandom > "$root/undionly.kpxe"
head -c 200000 /dev/urandom > "$root/snponly.efi"
head -c 150000 /dev/urandom > "$root/arm64.efi"
head -c 52480 /dev/urandom > "$root/bootcode.bin"
printf '#!ipxe\necho probe\n' > "$root/boot.ipxe"
chmod -R a+rX "$root"

lab_add_client_ns 1
PNS=$LAB_CLIENT_NS
ip -n "$PNS" addr add 192.0.2.50/24 dev eth0
PMAC=$(ip netns exec "$PNS" cat /sys/class/net/eth0/address)
for i in $(seq 50); do # the veth's carrier comes up a moment after 'link set up'
	[ "$(ip netns exec "$PNS" cat /sys/class/net/eth0/operstate)" = up ] && break
	sleep 0.1
done
times=()

# probe NAME ARGS...: runs the probe with --json into $LAB_DIR/NAME.json, exit
# status in $PRC; with TEXT=1 once more as the table (NAME.txt, printed), and
# both runs must agree on the exit status.
probe() {
	local name=$1 t0 rc2
	shift
	t0=$(lab_now)
	ip netns exec "$PNS" "$LB_BIN" probe -i eth0 --json "$@" > "$LAB_DIR/$name.json" 2> "$LAB_DIR/$name.stderr"
	PRC=$?
	times+=("$name=$(lab_elapsed "$t0")s")
	lab_log "probe $name ($*): exit $PRC in $(lab_elapsed "$t0") s ($(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["duration_ms"])' "$LAB_DIR/$name.json" 2>/dev/null) ms by its own clock)"
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$LAB_DIR/$name.json" ||
		lab_fail "$name: --json output is not JSON: $(head -c 300 "$LAB_DIR/$name.json") $(cat "$LAB_DIR/$name.stderr")"
	[ "${TEXT:-0}" = 1 ] || return 0
	ip netns exec "$PNS" "$LB_BIN" probe -i eth0 "$@" > "$LAB_DIR/$name.txt" 2>> "$LAB_DIR/$name.stderr"
	rc2=$?
	sed 's/^/    /' "$LAB_DIR/$name.txt"
	[ $PRC = $rc2 ] || lab_fail "$name: --json exit $PRC but text exit $rc2"
}

# check NAME PYEXPR WHAT: PYEXPR over the JSON (as j; helpers below) is true.
check() {
	python3 - "$LAB_DIR/$1.json" "$2" <<'PY' || lab_fail "$1: $3 (expr: $2)"
import json, sys
j = json.load(open(sys.argv[1]))
def srv(a): return next((s for s in j["servers"] if s["address"] == a), None)
def kind(k): return next(x for x in j["kinds"] if x["kind"] == k)
def rules(): return [f["rule"] for f in j["findings"]]
def finding(r): return next((f for f in j["findings"] if f["rule"] == r), None)
def offers(k, frm=None): return [o for o in j["offers"] if o["kind"] == k and (frm is None or o["from"] == frm)]
def file(p): return next((f for f in j["files"] if f["path"] == p), None)
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
}
text_has() { grep -qE "$2" "$LAB_DIR/$1.txt" || lab_fail "$1: the table does not say /$2/"; }

restart_router() { # extra dnsmasq options for the router
	lab_stop router
	LAB_ROUTER_OPTS=("$@")
	lab_spawn router "$NS_ROUTER" "$ROUTER_LOG" \
		dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface=eth0 \
		--bind-interfaces --dhcp-range=192.0.2.100,192.0.2.200,1h \
		--dhcp-option=option:router,$ROUTER_IP --dhcp-leasefile="$ROUTER_LEASES" \
		--dhcp-authoritative --log-dhcp --log-facility=- "$@"
	lab_wait_udp "$NS_ROUTER" 67 10 || lab_fail "router dnsmasq did not restart"
}

# --- 1: router only ---
TEXT=1 probe router-only --timeout 8000
[ $PRC = 1 ] || lab_fail "router only: exit $PRC, want 1"
check router-only 'srv("192.0.2.1")["role"] == "DHCP server"' "router not listed as a DHCP server"
check router-only 'srv("192.0.2.1")["mac"] is not None' "router's MAC unknown"
check router-only '"no-boot-offer" in rules() and not any(k["boots"] for k in j["kinds"])' \
	"no 'no boot offer' finding"
check router-only 'all(o["address"].startswith("192.0.2.") for o in j["offers"]) and len(j["offers"]) == 7' \
	"want one address offer per kind from the router"
text_has router-only 'No server offers a boot file'
! grep -q "DHCPREQUEST\|DHCPACK" "$ROUTER_LOG" || lab_fail "the probe made the router see a REQUEST / send an ACK"
[ ! -s "$ROUTER_LEASES" ] || lab_fail "the probe took a lease: $(cat "$ROUTER_LEASES")"

# --- 2: router + lifeboat ---
lab_run_laptop "$LB_BIN" serve "$root" $LB_SERVE_ARGS -i $LAPTOP_IF --boot bios=undionly.kpxe \
	--boot efi64=snponly.efi --boot efi64-http=snponly.efi --boot ipxe=boot.ipxe \
	--boot arm64=arm64.efi --boot rpi=bootcode.bin --boot uboot-arm64=arm64.efi
lab_laptop_ready 10
TEXT=1 probe lifeboat --as bios,efi64,efi-http,ipxe,arm64,rpi -6
[ $PRC = 0 ] || lab_fail "router + lifeboat: exit $PRC, want 0"
check lifeboat 'srv("192.0.2.2")["role"] == "proxy" and srv("192.0.2.1")["role"] == "DHCP server"' "roles"
check lifeboat 'all(k["boots"] for k in j["kinds"])' "not every kind boots"
check lifeboat 'kind("efi64")["binl"] == "answered" and kind("arm64")["binl"] == "answered"' \
	"efi64/arm64 udp/4011 not answered"
check lifeboat 'any(o["binl"] for o in offers("efi64", "192.0.2.2"))' "no 4011 ACK for efi64 in the offers"
check lifeboat 'file("undionly.kpxe")["result"] == "ok" and file("undionly.kpxe")["size"] == 70000' \
	"undionly.kpxe not fetched with its tsize"
check lifeboat 'kind("efi-http")["file"].endswith("snponly.efi") and any(f["proto"] == "http" and f["result"] == "ok" for f in j["files"])' \
	"efi-http URL not fetched over HTTP"
check lifeboat 'offers("bios", "192.0.2.2")[0]["opt60"] == "PXEClient" and offers("bios", "192.0.2.2")[0]["opt43"].startswith("0601")' \
	"bios proxy offer lacks 60/43"
check lifeboat 'any(o["v6"] and o["boot_file_url"] for o in j["offers"])' "no DHCPv6 boot-file-url from lifeboat"
text_has lifeboat 'OK: 6 of 6 client kinds would boot'
probe lifeboat-mac --as bios --mac 02:00:5e:00:53:01 --timeout 8000
[ $PRC = 0 ] || lab_fail "--mac: exit $PRC, want 0"
check lifeboat-mac 'j["mac"] == "02:00:5e:00:53:01"' "--mac not used"
lab_server_log_has "dhcp\.offer mac=02:00:5e:00:53:01 arch=0" || lab_fail "lifeboat did not see the --mac MAC"
probe lifeboat-uboot --as uboot
[ $PRC = 1 ] || lab_fail "uboot through a proxy: exit $PRC, want 1"
check lifeboat-uboot '"uboot-proxy" in rules() and kind("uboot")["why"].startswith("only proxy")' \
	"no U-Boot finding"

# --- 3: a second proxy (dnsmasq, pxe-service, its own TFTP) ---
lab_add_client_ns 2
XNS=$LAB_CLIENT_NS
ip -n "$XNS" addr add 192.0.2.3/24 dev eth0
mkdir -p "$LAB_DIR/xtftp"
head -c 30000 /dev/urandom > "$LAB_DIR/xtftp/pxelinux.0"
chmod -R a+rX "$LAB_DIR/xtftp"
lab_spawn xproxy "$XNS" "$LAB_DIR/xproxy.log" dnsmasq --no-daemon --conf-file=/dev/null --port=0 \
	--interface=eth0 --bind-interfaces --dhcp-range=192.0.2.0,proxy --pxe-service=x86PC,"Other proxy",pxelinux \
	--enable-tftp --tftp-root="$LAB_DIR/xtftp" --log-dhcp --log-facility=- --user=root
lab_wait_udp "$XNS" 4011 10 || lab_fail "second proxy did not start: $(tail -5 "$LAB_DIR/xproxy.log")"
TEXT=1 probe two-proxies --as bios
[ $PRC = 0 ] || lab_fail "two proxies, both files there: exit $PRC, want 0"
check two-proxies 'srv("192.0.2.3")["role"] == "proxy" and srv("192.0.2.2")["role"] == "proxy"' "two proxies not listed"
check two-proxies '"two-proxies" in rules() and "192.0.2.2" in finding("two-proxies")["text"] and "192.0.2.3" in finding("two-proxies")["text"]' \
	"no two-proxies finding naming both"
check two-proxies 'file("pxelinux.0")["result"] == "ok" and file("undionly.kpxe")["result"] == "ok"' \
	"both proxies' files should be fetched"
text_has two-proxies '2 proxies answer bios'
lab_stop xproxy

# --- 4: the router sets next-server and file itself ---
restart_router --dhcp-boot=undionly.kpxe,,192.0.2.2
probe router-boot --as bios,uboot --timeout 8000
[ $PRC = 0 ] || lab_fail "router with next-server/file: exit $PRC, want 0"
check router-boot 'srv("192.0.2.1")["role"] == "both"' "router not 'both'"
check router-boot 'finding("router-sets-boot")["severity"] == "warning" and "bios" in finding("router-sets-boot")["kinds"]' \
	"no warning that the router sets next-server/file beside the proxy"
check router-boot 'any(o["from"] == "192.0.2.1" and "undionly.kpxe" in (o["file"], o["opt67"]) and o["next_server"] == "192.0.2.2" for o in j["offers"])' \
	"router's offer lacks file/next-server"
check router-boot 'kind("uboot")["boots"]' "uboot should boot the router's file"

# --- 5: a boot file that does not exist ---
restart_router --dhcp-boot=nosuch.0,,192.0.2.2
probe missing-file --as uboot --timeout 8000
[ $PRC = 1 ] || lab_fail "missing file: exit $PRC, want 1"
check missing-file 'file("nosuch.0")["result"] == "not found" and file("nosuch.0")["code"] == 1' "nosuch.0 not reported missing"
check missing-file '"file-missing" in rules() and "nosuch.0" in finding("file-missing")["text"]' "no file-missing finding"
check missing-file 'kind("uboot")["why"] == "its boot file cannot be fetched"' "uboot verdict"
restart_router

# --- 6: TFTP blocked by nft on lifeboat's host ---
ip netns exec "$NS_LAPTOP" nft -f - <<'NFT' || lab_fail "nft rules"
table inet probetest {
	chain in { type filter hook input priority 0; udp dport 69 drop; }
}
NFT
TEXT=1 probe tftp-blocked --as bios,efi-http
[ $PRC = 1 ] || lab_fail "TFTP blocked: exit $PRC, want 1"
check tftp-blocked 'file("undionly.kpxe")["result"] == "no answer"' "TFTP fetch not silent"
check tftp-blocked '"tftp-blocked" in rules() and finding("tftp-blocked")["kinds"] == ["bios"]' "no tftp-blocked finding for bios"
check tftp-blocked 'kind("efi-http")["boots"] and not kind("bios")["boots"]' "HTTP boot should still work, bios not"
text_has tftp-blocked 'TFTP to 192.0.2.2 port 69 got no answer'
ip netns exec "$NS_LAPTOP" nft delete table inet probetest

# --- 6b: the udp/4011 server silent (nft drops 4011 on lifeboat's host) ---
ip netns exec "$NS_LAPTOP" nft -f - <<'NFT' || lab_fail "nft rules"
table inet probetest {
	chain in { type filter hook input priority 0; udp dport 4011 drop; }
}
NFT
probe binl-silent --as efi64,bios
[ $PRC = 1 ] || lab_fail "4011 dropped: exit $PRC, want 1"
check binl-silent 'kind("efi64")["binl"] == "silent" and not kind("efi64")["boots"] and kind("bios")["boots"]' \
	"efi64 should fail on the silent 4011 server, bios (PXE10, no 4011) boot"
check binl-silent 'finding("binl-silent")["kinds"] == ["efi64"]' "no binl-silent finding for efi64"
ip netns exec "$NS_LAPTOP" nft delete table inet probetest

# --- 7: no DHCP server at all; then lifeboat alone ---
lab_stop router
probe lifeboat-alone --as bios
[ $PRC = 1 ] || lab_fail "proxy alone: exit $PRC, want 1"
check lifeboat-alone '"no-address" in rules() and kind("bios")["why"] == "no DHCP server offers an address"' \
	"no finding that nothing offers an address"
lab_stop laptop
probe no-dhcp
[ $PRC = 1 ] || lab_fail "no DHCP: exit $PRC, want 1"
check no-dhcp 'j["servers"] == [] and rules()[0] == "no-dhcp-server"' "no 'no DHCP server' finding"

lab_pass "probe: ${times[*]}"
