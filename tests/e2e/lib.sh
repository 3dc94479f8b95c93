# shellcheck shell=bash
# Shared library of the lifeboat end-to-end lab (see doc/e2e.md).
#
# One LAN per test run, built from network namespaces named after this
# shell's pid so concurrent runs never collide:
#   $NS_ROUTER  eth0 192.0.2.1/24, real dnsmasq: the LAN's ordinary DHCP server
#               (range 192.0.2.100-200, no PXE options at all)
#   $NS_LAPTOP  eth0 192.0.2.2/24, runs the server under test (lifeboat serve,
#               or dnsmasq in proxy mode as a stand-in: LB_SERVER=dnsmasq)
#   $NS_LAN     bridge br0; one veth port per namespace above, one tap per
#               QEMU client (QEMU runs inside this namespace to open its tap)
#   $LAB_ID-cN  extra client namespaces (lab_add_client_ns)
#
# Every process is started through lab_spawn, which records its pid in
# $LAB_DIR/pids/; lab_down (idempotent, run from the EXIT trap) kills those,
# then anything still inside our namespaces, then deletes the namespaces.
#
# Environment:
#   LB_SERVER=lifeboat|dnsmasq|hybrid  server under test (default lifeboat);
#                               hybrid = lifeboat's proxyDHCP, files from
#                               dnsmasq TFTP + busybox httpd laid out the way
#                               lifeboat serves them (for builds where serve's
#                               TFTP/HTTP are not wired; LB_HYBRID_FLAGS adds
#                               serve flags)
#   LB_BIN=PATH                 the lifeboat binary (default ./lifeboat)
#   LB_SERVE_ARGS="..."         extra `lifeboat serve` flags (default -v: the
#                               tests read the debug lines on ignored packets)
#   LB_E2E_BOOT_TIMEOUT=S       seconds a QEMU client may take to the marker
#                               (default 170; TCG on a loaded host is slow)
#   LB_E2E_IPV6_RA=0            an IPv4-only LAN (default: the router also
#                               sends IPv6 RAs, SLAAC only, like home routers)
#   LB_E2E_KEEP=1               keep $LAB_DIR (logs, pcaps) after the test
#   LB_E2E_VERBOSE=1            print every log file at the end, pass or fail
#   LAB_ROUTER_OPTS=(...)       (array, set by a test) extra options of the
#                               router's dnsmasq, e.g. a --dhcp-boot
#   LB_ROUTER=dnsmasq|isc|kea   the router's DHCPv4 server (default dnsmasq;
#                               isc = ISC dhcpd, kea = kea-dhcp4; with those
#                               two radvd sends the SLAAC-only RAs)
#   LAB_ROUTER_BOOTFILE=FILE    the router itself names a boot file: next-server
#                               192.0.2.1 (itself, no TFTP there) and FILE

LAB_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB_E2E=$LAB_REPO/tests/e2e
LB_SERVER=${LB_SERVER:-lifeboat}
LB_BIN=${LB_BIN:-$LAB_REPO/lifeboat}
LB_SERVE_ARGS=${LB_SERVE_ARGS--v}
LB_ROUTER=${LB_ROUTER:-dnsmasq}
LAB_ID=lbe-$$
NS_ROUTER=$LAB_ID-router
NS_LAPTOP=$LAB_ID-laptop
NS_LAN=$LAB_ID-lan
LAB_DIR=
LAB_UP=0
LAB_FAILED=1 # cleared by lab_pass; decides whether logs are printed

ROUTER_IP=192.0.2.1
LAPTOP_IP=192.0.2.2
LAPTOP_IF=eth0
DI_DIR=/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64
LAB_KERNEL=$DI_DIR/linux
LAB_MARKER=LIFEBOAT-E2E-BOOTED
# no_timer_check: under TCG on a loaded host the guest kernel's IO-APIC
# timer check can fail ("IO-APIC + timer doesn't work!", panic); cloud
# images boot with it for the same reason. Nothing to do with netboot.
LAB_CMDLINE="console=ttyS0 no_timer_check"

lab_log() { echo "[$(date +%T)] $*"; }
lab_fail() {
	echo "FAIL: $*"
	echo "RESULT: FAIL $*"
	exit 1
}
lab_skip() {
	echo "SKIP: $*"
	echo "RESULT: SKIP $*"
	exit 77
}
lab_pass() {
	LAB_FAILED=0
	echo "RESULT: PASS $*"
	exit 0
}

# lab_require_root; lab_require_cmd CMD...; lab_require_file FILE...: skip
# (exit 77) with the reason when the machine cannot run the test.
lab_require_root() { [ "$(id -u)" = 0 ] || lab_skip "needs root (namespaces, taps)"; }
lab_require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || lab_skip "missing command $c (run tests/install-deps)"
	done
}
lab_require_file() {
	local f
	for f in "$@"; do
		[ -e "$f" ] || lab_skip "missing $f (run tests/install-deps)"
	done
}

# lab_init: the per-run directory and the EXIT trap. Called by lab_up; call
# it yourself only to prepare files before the lab exists.
lab_init() {
	[ -n "$LAB_DIR" ] && return 0
	lab_require_root
	LAB_DIR=$(mktemp -d "/tmp/$LAB_ID.XXXXXX")
	# lifeboat drops root to nobody: the files it serves from here must
	# stay readable.
	chmod 755 "$LAB_DIR"
	mkdir -p "$LAB_DIR/pids"
	trap lab_down EXIT
	trap 'exit 130' INT TERM
}

# lab_spawn NAME NS LOG CMD...: runs CMD inside namespace NS in the
# background, stdout+stderr to LOG, pid in $LAB_DIR/pids/NAME.pid.
# `ip netns exec` execs CMD in place, so $! is CMD's own pid.
lab_spawn() {
	local name=$1 ns=$2 log=$3
	shift 3
	ip netns exec "$ns" "$@" > "$log" 2>&1 < /dev/null &
	echo $! > "$LAB_DIR/pids/$name.pid"
	LAB_LAST_PID=$!
}

lab_pid() { cat "$LAB_DIR/pids/$1.pid" 2>/dev/null; }

# lab_alive NAME: true while the process started as NAME still runs.
lab_alive() {
	local pid
	pid=$(lab_pid "$1") || return 1
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
		! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null
}

# lab_stop NAME: TERM, then KILL after 3 s, the process started as NAME.
lab_stop() {
	local pid i
	pid=$(lab_pid "$1") || return 0
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	for i in $(seq 30); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -f "$LAB_DIR/pids/$1.pid"
}

# lab_wait_udp NS PORT TIMEOUT: until something listens on UDP PORT in NS.
lab_wait_udp() {
	local ns=$1 port=$2 t=$(($3 * 10))
	while [ $t -gt 0 ]; do
		ip netns exec "$ns" ss -Hlun "sport = :$port" 2>/dev/null | grep -q . && return 0
		sleep 0.1
		t=$((t - 1))
	done
	return 1
}

lab_ns_link() { # NS IFNAME PEER_NS PEER_IF: veth from NS:IFNAME to PEER_NS:PEER_IF
	ip -n "$1" link add "$2" type veth peer name "$4" netns "$3"
}

# The router's DHCPv4 server other than dnsmasq (LB_ROUTER): ISC dhcpd or
# Kea, the same range and router option as the dnsmasq router, no ping
# check (dnsmasq's 3 s check is the one the timings in doc/e2e.md carry),
# and, with LAB_ROUTER_BOOTFILE, next-server + filename of its own.
_router_isc() {
	local boot=
	[ -n "${LAB_ROUTER_BOOTFILE:-}" ] &&
		boot="next-server $ROUTER_IP; filename \"$LAB_ROUTER_BOOTFILE\";"
	cat > "$LAB_DIR/dhcpd.conf" <<-EOF
	authoritative;
	ping-check false;
	default-lease-time 3600;
	max-lease-time 3600;
	subnet 192.0.2.0 netmask 255.255.255.0 {
		range 192.0.2.100 192.0.2.200;
		option routers $ROUTER_IP;
		$boot
	}
	EOF
	lab_spawn router "$NS_ROUTER" "$ROUTER_LOG" \
		dhcpd -4 -f -d -cf "$LAB_DIR/dhcpd.conf" -lf "$ROUTER_LEASES" \
		-pf "$LAB_DIR/router.dhcpd.pid" eth0
}

_router_kea() {
	local boot=
	[ -n "${LAB_ROUTER_BOOTFILE:-}" ] &&
		boot="\"next-server\": \"$ROUTER_IP\", \"boot-file-name\": \"$LAB_ROUTER_BOOTFILE\","
	[ -s "$ROUTER_LEASES" ] || rm -f "$ROUTER_LEASES" # Kea writes its CSV header itself
	cat > "$LAB_DIR/kea-dhcp4.conf" <<-EOF
	{ "Dhcp4": {
		"interfaces-config": { "interfaces": [ "eth0" ], "dhcp-socket-type": "raw" },
		"lease-database": { "type": "memfile", "persist": true,
			"name": "$ROUTER_LEASES", "lfc-interval": 0 },
		"valid-lifetime": 3600,
		"subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", $boot
			"pools": [ { "pool": "192.0.2.100 - 192.0.2.200" } ],
			"option-data": [ { "name": "routers", "data": "$ROUTER_IP" } ] } ],
		"loggers": [ { "name": "kea-dhcp4", "severity": "DEBUG", "debuglevel": 40,
			"output_options": [ { "output": "stdout" } ] } ]
	} }
	EOF
	lab_spawn router "$NS_ROUTER" "$ROUTER_LOG" \
		env KEA_PIDFILE_DIR="$LAB_DIR" KEA_LOCKFILE_DIR="$LAB_DIR" \
		kea-dhcp4 -c "$LAB_DIR/kea-dhcp4.conf"
}

# lab_router_restart: the router's ISC dhcpd or Kea again, with the
# configuration LB_ROUTER and LAB_ROUTER_BOOTFILE say now (same leases).
lab_router_restart() {
	case $LB_ROUTER in
	isc | kea) ;;
	*) lab_fail "lab_router_restart: only for LB_ROUTER=isc|kea" ;;
	esac
	lab_stop router
	cat "$ROUTER_LOG" >> "$ROUTER_LOG.before"
	"_router_$LB_ROUTER"
	lab_wait_udp "$NS_ROUTER" 67 10 || lab_fail "router $LB_ROUTER did not restart: $(tail -5 "$ROUTER_LOG")"
}

# radvd in the router namespace: SLAAC-only RAs for 2001:db8:1::/64, what
# dnsmasq's ra-only range sends for the other router kinds.
_router_radvd() {
	ip netns exec "$NS_ROUTER" sysctl -qw net.ipv6.conf.all.forwarding=1
	cat > "$LAB_DIR/radvd-slaac.conf" <<-EOF
	interface eth0 {
		AdvSendAdvert on;
		MinRtrAdvInterval 3;
		MaxRtrAdvInterval 6;
		prefix 2001:db8:1::/64 { AdvOnLink on; AdvAutonomous on; };
	};
	EOF
	lab_spawn router-radvd "$NS_ROUTER" "$LAB_DIR/router-radvd.log" \
		radvd --nodaemon --config "$LAB_DIR/radvd-slaac.conf" \
		--pidfile "$LAB_DIR/router-radvd.pid" --logmethod stderr
}

# lab_up: namespaces, bridge, veths, addresses, and the router's DHCP
# server (dnsmasq, or LB_ROUTER's).
lab_up() {
	lab_init
	case $LB_ROUTER in
	dnsmasq) lab_require_cmd ip dnsmasq ss ;;
	isc) lab_require_cmd ip dhcpd radvd ss ;;
	kea) lab_require_cmd ip kea-dhcp4 radvd ss ;;
	*) lab_fail "unknown LB_ROUTER=$LB_ROUTER" ;;
	esac
	local ns
	for ns in "$NS_ROUTER" "$NS_LAPTOP" "$NS_LAN"; do
		ip netns add "$ns" || lab_fail "ip netns add $ns"
		ip -n "$ns" link set lo up
	done
	LAB_UP=1
	ip -n "$NS_LAN" link add br0 type bridge
	# No STP/forward delay: ports forward at once, like a home switch.
	ip -n "$NS_LAN" link set br0 type bridge forward_delay 0 stp_state 0
	ip -n "$NS_LAN" link set br0 up
	lab_ns_link "$NS_LAN" p-router "$NS_ROUTER" eth0
	lab_ns_link "$NS_LAN" p-laptop "$NS_LAPTOP" eth0
	for p in p-router p-laptop; do
		ip -n "$NS_LAN" link set "$p" master br0 up
	done
	ip -n "$NS_ROUTER" addr add $ROUTER_IP/24 dev eth0
	ip -n "$NS_ROUTER" link set eth0 up
	ip -n "$NS_LAPTOP" addr add $LAPTOP_IP/24 dev eth0
	ip -n "$NS_LAPTOP" link set eth0 up
	ROUTER_LEASES=$LAB_DIR/router.leases
	ROUTER_LOG=$LAB_DIR/router-$LB_ROUTER.log
	: > "$ROUTER_LEASES"
	# The router also advertises 2001:db8:1::/64 (SLAAC only, no DHCPv6),
	# like most home routers; without it iPXE waits 13-22 s for its IPv6
	# router solicitations to time out before it boots (LB_E2E_IPV6_RA=0
	# gives that IPv4-only LAN).
	local ra=()
	if [ "${LB_E2E_IPV6_RA:-1}" = 1 ]; then
		ip -n "$NS_ROUTER" addr add 2001:db8:1::1/64 dev eth0 nodad
		ra=(--enable-ra --dhcp-range=2001:db8:1::,ra-only,64)
	fi
	if [ "$LB_ROUTER" != dnsmasq ]; then
		"_router_$LB_ROUTER"
		[ ${#ra[@]} = 0 ] || _router_radvd
		lab_wait_udp "$NS_ROUTER" 67 10 ||
			lab_fail "router $LB_ROUTER did not start: $(tail -5 "$ROUTER_LOG")"
		lab_log "lab up ($LB_ROUTER router): $NS_ROUTER $NS_LAPTOP $NS_LAN (dir $LAB_DIR)"
		return 0
	fi
	[ -n "${LAB_ROUTER_BOOTFILE:-}" ] &&
		LAB_ROUTER_OPTS+=("--dhcp-boot=$LAB_ROUTER_BOOTFILE,,$ROUTER_IP")
	lab_spawn router "$NS_ROUTER" "$ROUTER_LOG" \
		dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface=eth0 \
		--bind-interfaces --dhcp-range=192.0.2.100,192.0.2.200,1h "${ra[@]}" \
		--dhcp-option=option:router,$ROUTER_IP \
		--dhcp-leasefile="$ROUTER_LEASES" --pid-file="$LAB_DIR/router.dnsmasq.pid" \
		--dhcp-authoritative --log-dhcp --log-facility=- \
		${LAB_ROUTER_OPTS[@]+"${LAB_ROUTER_OPTS[@]}"}
	lab_wait_udp "$NS_ROUTER" 67 10 || lab_fail "router dnsmasq did not start: $(tail -5 "$ROUTER_LOG")"
	lab_log "lab up: $NS_ROUTER $NS_LAPTOP $NS_LAN (dir $LAB_DIR)"
}

# lab_add_tap NAME: a tap in the lan namespace, a port of br0.
lab_add_tap() {
	ip -n "$NS_LAN" tuntap add dev "$1" mode tap || lab_fail "tuntap add $1"
	ip -n "$NS_LAN" link set "$1" master br0 up
}

# lab_add_client_ns N: namespace $LAB_ID-cN with eth0 on br0, no address;
# its name in $LAB_CLIENT_NS.
lab_add_client_ns() {
	local ns=$LAB_ID-c$1
	ip netns add "$ns" || lab_fail "ip netns add $ns"
	ip -n "$ns" link set lo up
	lab_ns_link "$NS_LAN" "p-c$1" "$ns" eth0
	ip -n "$NS_LAN" link set "p-c$1" master br0 up
	ip -n "$ns" link set eth0 up
	LAB_CLIENT_NS=$ns
}

# lab_run_laptop CMD...: the server under test, in the laptop namespace, in
# the background; log in $LAPTOP_LOG, pid recorded as "laptop".
lab_run_laptop() {
	LAPTOP_LOG=$LAB_DIR/laptop.log
	lab_spawn laptop "$NS_LAPTOP" "$LAPTOP_LOG" "$@"
	lab_log "laptop: $*"
}

# lab_laptop_ready TIMEOUT: the server listens on 67, else fail with its log.
lab_laptop_ready() {
	local t=$(($1 * 10))
	while [ $t -gt 0 ]; do
		lab_alive laptop || lab_fail "server on the laptop exited at start: $(tail -20 "$LAPTOP_LOG")"
		ip netns exec "$NS_LAPTOP" ss -Hlun "sport = :67" 2>/dev/null | grep -q . && return 0
		sleep 0.1
		t=$((t - 1))
	done
	lab_fail "server on the laptop does not listen on UDP 67 after $1 s: $(tail -20 "$LAPTOP_LOG")"
}

# lab_initramfs: builds (once per run) the marker initramfs; sets LAB_INITRD.
lab_initramfs() {
	LAB_INITRD=$LAB_DIR/initrd.gz
	[ -s "$LAB_INITRD" ] && return 0
	"$LAB_E2E/mkinitramfs" "$LAB_INITRD" "$LAB_MARKER" ||
		{ [ $? = 77 ] && lab_skip "mkinitramfs: busybox-static/cpio missing"; lab_fail "mkinitramfs"; }
}

# lab_mac N: a locally administered MAC unique to this run and client N.
lab_mac() { printf '52:54:%02x:%02x:%02x:%02x\n' $(($$ >> 16 & 255)) $(($$ >> 8 & 255)) $(($$ & 255)) "$1"; }

lab_now() { date +%s.%N; }
# lab_elapsed START [END]: seconds with one decimal.
lab_elapsed() { awk -v a="$1" -v b="${2:-$(lab_now)}" 'BEGIN { printf "%.1f", b - a }'; }

# _qemu_start NAME LOG ARGS...: common part of the qemu_* launchers. The tap
# is named after the client; power-on time goes to $LAB_DIR/NAME.start.
_qemu_start() {
	local name=$1 log=$2
	shift 2
	lab_require_cmd qemu-system-x86_64
	: > "$log"
	lab_now > "$LAB_DIR/$name.start"
	lab_spawn "qemu-$name" "$NS_LAN" "$LAB_DIR/qemu-$name.stderr" \
		qemu-system-x86_64 -accel tcg -m 512 -display none -no-reboot \
		-name "$LAB_ID-$name" -serial "file:$log" \
		-monitor "unix:$LAB_DIR/$name.monitor,server,nowait" \
		-netdev "tap,id=n0,ifname=$name,script=no,downscript=no" "$@"
	lab_log "qemu $name started (serial log $log)"
}

# qemu_bios_ipxe NAME MAC LOG [QEMU-ARGS...]: SeaBIOS with the e1000 iPXE
# option ROM that QEMU ships (PXE arch 0, user class iPXE), network boot only.
qemu_bios_ipxe() {
	local name=$1 mac=$2 log=$3
	shift 3
	lab_add_tap "$name"
	_qemu_start "$name" "$log" -device "e1000,netdev=n0,mac=$mac" -boot n "$@"
}

# qemu_ovmf_pxe NAME MAC LOG [QEMU-ARGS...]: OVMF with EDK2's own PXE stack
# (arch 7): a virtio-net NIC with an empty romfile so no iPXE ROM takes over.
# E.g. `-fw_cfg name=opt/org.tianocore/IPv4PXESupport,string=no` skips PXEv4.
qemu_ovmf_pxe() {
	local name=$1 mac=$2 log=$3
	shift 3
	lab_require_file /usr/share/OVMF/OVMF_CODE.fd /usr/share/OVMF/OVMF_VARS.fd
	lab_add_tap "$name"
	cp /usr/share/OVMF/OVMF_VARS.fd "$LAB_DIR/$name.vars.fd"
	_qemu_start "$name" "$log" \
		-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE.fd \
		-drive "if=pflash,format=raw,file=$LAB_DIR/$name.vars.fd" \
		-device "virtio-net-pci,netdev=n0,mac=$mac,romfile=" "$@"
}

# wait_for_marker LOG REGEX TIMEOUT [NAME]: polls LOG until a line matches
# REGEX. Returns 0 when seen (time recorded for `timing NAME`), and fails
# fast: 2 if the server on the laptop died, 3 if QEMU NAME exited without
# the marker, 4 on a kernel panic, 1 on timeout. Sets LAB_WAIT_WHY.
wait_for_marker() {
	local log=$1 re=$2 t=$(($3 * 5)) name=${4:-}
	LAB_WAIT_WHY=
	while :; do
		if grep -aqE "$re" "$log" 2>/dev/null; then
			[ -n "$name" ] && lab_now > "$LAB_DIR/$name.marker"
			return 0
		fi
		if grep -aq 'Kernel panic' "$log" 2>/dev/null; then
			LAB_WAIT_WHY="kernel panic: $(grep -a 'Kernel panic' "$log" | head -1)"
			return 4
		fi
		if [ -e "$LAB_DIR/pids/laptop.pid" ] && ! lab_alive laptop; then
			LAB_WAIT_WHY="the server on the laptop died: $(tail -5 "$LAPTOP_LOG")"
			return 2
		fi
		if [ -n "$name" ] && ! lab_alive "qemu-$name"; then
			# The serial file may get its last line as QEMU exits.
			grep -aqE "$re" "$log" 2>/dev/null && continue
			LAB_WAIT_WHY="qemu $name exited without the marker: $(tail -3 "$LAB_DIR/qemu-$name.stderr")"
			return 3
		fi
		[ $t -le 0 ] && { LAB_WAIT_WHY="no /$re/ in $log after $3 s"; return 1; }
		sleep 0.2
		t=$((t - 1))
	done
}

# timing NAME: seconds from QEMU NAME's power-on to its marker.
timing() { lab_elapsed "$(cat "$LAB_DIR/$1.start")" "$(cat "$LAB_DIR/$1.marker")"; }

# phases NAME MAC: where the time from QEMU NAME's power-on went, from
# lifeboat's log (UTC ISO timestamps): first offer to MAC, last boot file
# transfer done before the marker, marker. Prints e.g.
# "offer +9.1s, files done +20.3s, marker +45.0s"; nothing for the stand-in.
phases() {
	local start marker first last
	[ "$LB_SERVER" = dnsmasq ] && return 0
	start=$(cat "$LAB_DIR/$1.start")
	marker=$(cat "$LAB_DIR/$1.marker" 2>/dev/null)
	first=$(grep -m1 "dhcp\.offer mac=$2 " "$LAPTOP_LOG" | cut -d' ' -f1)
	last=$(grep -E '(tftp|http)\.done ' "$LAPTOP_LOG" | tail -1 | cut -d' ' -f1)
	[ -n "$first" ] && [ -n "$last" ] || return 0
	printf 'offer +%ss, files done +%ss, marker +%ss' \
		"$(lab_elapsed "$start" "$(date -d "$first" +%s.%N)")" \
		"$(lab_elapsed "$start" "$(date -d "$last" +%s.%N)")" \
		"$(lab_elapsed "$start" "$marker")"
}

# lab_dump: the logs, for a failed run (or LB_E2E_VERBOSE=1).
lab_dump() {
	local f
	for f in "$LAB_DIR"/*.log "$LAB_DIR"/*.stderr; do
		[ -s "$f" ] || continue
		echo "----- $(basename "$f") (last 60 lines) -----"
		tail -60 "$f" | tr -d '\r' | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g'
	done
}

# lab_down: idempotent teardown, safe at any point of lab_up.
lab_down() {
	local rc=$? f pid ns
	trap - EXIT
	[ -n "$LAB_DIR" ] || return $rc
	if [ "$LAB_FAILED" = 1 ] || [ "${LB_E2E_VERBOSE:-0}" = 1 ]; then lab_dump; fi
	for f in "$LAB_DIR"/pids/*.pid; do
		[ -e "$f" ] || continue
		lab_stop "$(basename "$f" .pid)"
	done
	# Anything left in our namespaces (children, daemons that forked) is
	# ours: the namespaces are named after this run.
	for ns in $(ip netns list 2>/dev/null | awk -v p="$LAB_ID-" 'index($1, p) == 1 { print $1 }'); do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -9 "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	if [ "${LB_E2E_KEEP:-0}" = 1 ]; then
		echo "lab: kept $LAB_DIR"
	else
		rm -rf "$LAB_DIR"
	fi
	LAB_DIR=
	exit $rc
}

# lab_server_log_has REGEX: the server's logs (case-insensitive ERE) match.
lab_server_log_has() {
	cat "$LAPTOP_LOG" "$LAB_DIR"/standin-*.log 2>/dev/null | grep -aqiE "$1"
}

# lab_check_lease MAC: the router's lease file holds MAC; prints its IP.
# (dnsmasq: "expiry mac ip ..."; ISC: lease blocks; Kea: CSV address,hwaddr)
lab_check_lease() {
	local m
	m=$(echo "$1" | tr A-F a-f)
	case $LB_ROUTER in
	isc) awk -v m="$m" '$1 == "lease" { ip = $2 }
		$1 == "hardware" && $3 == m ";" { last = ip }
		END { if (last == "") exit 1; print last }' "$ROUTER_LEASES" ;;
	kea) awk -F, -v m="$m" '$2 == m && $4 > 0 { last = $1 }
		END { if (last == "") exit 1; print last }' "$ROUTER_LEASES" ;;
	*) awk -v m="$m" '$2 == m { print $3; found = 1 } END { exit !found }' "$ROUTER_LEASES" ;;
	esac
}

# lab_server_boot_kernel INITRD CMDLINE: starts the server under test in
# kernel mode (lifeboat serve --kernel, or the dnsmasq stand-in serving
# the same kernel/initrd through iPXE over HTTP) and waits until it listens.
lab_server_boot_kernel() {
	local initrd=$1 cmdline=$2
	case $LB_SERVER in
	lifeboat)
		[ -x "$LB_BIN" ] || lab_fail "no lifeboat binary at $LB_BIN (run make)"
		lab_run_laptop "$LB_BIN" serve $LB_SERVE_ARGS -i $LAPTOP_IF --kernel "$LAB_KERNEL" \
			--initrd "$initrd" --cmdline "$cmdline" --ipxe-dir /usr/lib/ipxe
		;;
	dnsmasq)
		_standin_kernel "$initrd" "$cmdline"
		;;
	hybrid)
		[ -x "$LB_BIN" ] || lab_fail "no lifeboat binary at $LB_BIN (run make)"
		lab_run_laptop "$LB_BIN" serve $LB_SERVE_ARGS -i $LAPTOP_IF --kernel "$LAB_KERNEL" \
			--initrd "$initrd" --cmdline "$cmdline" --ipxe-dir /usr/lib/ipxe \
			$LB_HYBRID_FLAGS
		lab_laptop_ready 10
		_hybrid_files_kernel "$initrd" "$cmdline"
		;;
	*) lab_fail "unknown LB_SERVER=$LB_SERVER" ;;
	esac
	lab_laptop_ready 10
}

# _hybrid_files ROOT: once lifeboat runs, the file services it does not
# provide yet in this build (nothing listens on udp/69 or tcp/80): TFTP
# (dnsmasq, no DHCP) and HTTP (busybox httpd) from ROOT on the laptop.
_hybrid_files() {
	if ! ip netns exec "$NS_LAPTOP" ss -Hltn "sport = :80" | grep -q .; then
		lab_spawn standin-httpd "$NS_LAPTOP" "$LAB_DIR/standin-httpd.log" \
			busybox httpd -f -vv -p $LAPTOP_IP:80 -h "$1"
		lab_log "hybrid: HTTP from busybox httpd"
	fi
	if ! ip netns exec "$NS_LAPTOP" ss -Hlun "sport = :69" | grep -q .; then
		lab_spawn standin-tftp "$NS_LAPTOP" "$LAB_DIR/standin-tftp.log" \
			dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface=$LAPTOP_IF \
			--bind-interfaces --enable-tftp --tftp-root="$1" \
			--pid-file="$LAB_DIR/standin-tftp.pid" --log-facility=-
		lab_wait_udp "$NS_LAPTOP" 69 10 || lab_fail "stand-in TFTP did not start"
		lab_log "hybrid: TFTP from dnsmasq"
	fi
}

# The files of kernel mode at the paths lifeboat's boot plan gives them
# (bootplan.c: lifeboat/ipxe/IMAGE, lifeboat/boot.ipxe, lifeboat/kernel/K,
# lifeboat/initrd/N/I), and the script it generates.
_hybrid_files_kernel() {
	local root=$LAB_DIR/hybrid k i
	k=$(basename "$LAB_KERNEL")
	i=$(basename "$1")
	mkdir -p "$root/lifeboat/ipxe" "$root/lifeboat/kernel" "$root/lifeboat/initrd/0"
	cp /usr/lib/ipxe/undionly.kpxe /usr/lib/ipxe/snponly.efi "$root/lifeboat/ipxe/"
	ln -sf "$LAB_KERNEL" "$root/lifeboat/kernel/$k"
	cp "$1" "$root/lifeboat/initrd/0/$i"
	printf '#!ipxe\n# lifeboat e2e hybrid\nkernel kernel/%s initrd=%s %s\ninitrd initrd/0/%s\nboot\n' \
		"$k" "$i" "$2" "$i" > "$root/lifeboat/boot.ipxe"
	_hybrid_files "$root"
}

# lab_server_root ROOT BIOSFILE: starts the server under test serving the
# directory ROOT over TFTP with BIOSFILE as the BIOS boot file (lifeboat
# serve ROOT --boot bios=BIOSFILE) and waits until it listens.
lab_server_root() {
	local root=$1 file=$2
	case $LB_SERVER in
	lifeboat)
		[ -x "$LB_BIN" ] || lab_fail "no lifeboat binary at $LB_BIN (run make)"
		lab_run_laptop "$LB_BIN" serve "$root" $LB_SERVE_ARGS -i $LAPTOP_IF --boot "bios=$file"
		;;
	dnsmasq)
		lab_run_laptop dnsmasq --no-daemon --conf-file=/dev/null --port=0 \
			--interface=$LAPTOP_IF --bind-interfaces --dhcp-range=192.0.2.0,proxy \
			--pxe-service=x86PC,"lifeboat-standin","$file" \
			--enable-tftp --tftp-root="$root" --dhcp-leasefile="$LAB_DIR/standin.leases" \
			--pid-file="$LAB_DIR/standin.pid" --log-dhcp --log-facility=-
		;;
	hybrid)
		[ -x "$LB_BIN" ] || lab_fail "no lifeboat binary at $LB_BIN (run make)"
		lab_run_laptop "$LB_BIN" serve "$root" $LB_SERVE_ARGS -i $LAPTOP_IF --boot "bios=$file" \
			$LB_HYBRID_FLAGS
		lab_laptop_ready 10
		_hybrid_files "$root"
		;;
	*) lab_fail "unknown LB_SERVER=$LB_SERVER" ;;
	esac
	lab_laptop_ready 10
}

# The stand-in: dnsmasq in proxy mode (PXE10 offers, TFTP) plus busybox
# httpd, handing iPXE a script that fetches kernel and initrd over HTTP.
# It exists to prove the lab itself (clients, markers, cleanup, timing).
_standin_kernel() {
	local root=$LAB_DIR/standin
	mkdir -p "$root"
	ln -sf "$LAB_KERNEL" "$root/linux"
	cp "$1" "$root/initrd.gz"
	cp /usr/lib/ipxe/undionly.kpxe /usr/lib/ipxe/snponly.efi "$root/"
	printf '#!ipxe\nkernel http://%s/linux initrd=initrd.gz %s\ninitrd http://%s/initrd.gz\nboot\n' \
		$LAPTOP_IP "$2" $LAPTOP_IP > "$root/boot.ipxe"
	lab_spawn standin-httpd "$NS_LAPTOP" "$LAB_DIR/standin-httpd.log" \
		busybox httpd -f -vv -p $LAPTOP_IP:80 -h "$root"
	lab_run_laptop dnsmasq --no-daemon --conf-file=/dev/null --port=0 \
		--interface=$LAPTOP_IF --bind-interfaces --dhcp-range=192.0.2.0,proxy \
		--dhcp-userclass=set:ipxe,iPXE --dhcp-match=set:ipxe,175 \
		--pxe-service=tag:!ipxe,x86PC,"lifeboat-standin",undionly.kpxe \
		--pxe-service=tag:!ipxe,X86-64_EFI,"lifeboat-standin",snponly.efi \
		--pxe-service=tag:ipxe,x86PC,"lifeboat-standin",boot.ipxe \
		--pxe-service=tag:ipxe,X86-64_EFI,"lifeboat-standin",boot.ipxe \
		--enable-tftp --tftp-root="$root" --dhcp-leasefile="$LAB_DIR/standin.leases" \
		--pid-file="$LAB_DIR/standin.pid" --log-dhcp --log-facility=-
}
