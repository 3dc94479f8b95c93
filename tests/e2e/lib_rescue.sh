# shellcheck shell=bash
# Shared part of the rescue e2e tests (t_rescue_*.sh): `lifeboat mkrescue
# --from` a debootstrap Debian 12 root with linux-image-amd64 (built once,
# cached by tests/e2e/vm/mkrescueroot in ${LB_E2E_CACHE}-rescue), a client
# with a virtio disk holding ext4, netbooted through `lifeboat serve
# --rescue-file` in proxy mode beside the lab router (short leases), then:
# the phone-home line in the serve log, SSH login with the test's own key,
# `e2fsck -f -n /dev/vda` over SSH, the lifeboat.cmd report, and two lease
# renewals in the router's log.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# LB_E2E_RESCUE_MODULES: mkrescue's --modules (default auto), e.g.
# virtio_net,virtio_blk,e1000,ext4 to see what module loading costs.
RESCUE_TIMEOUT=${LB_E2E_BOOT_TIMEOUT:-300}

# rescue_setup MAC: the image, the disk, the lab and the server.
rescue_setup() {
	local mac=$1 root t0
	lab_require_root
	lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio ssh ssh-keygen mkfs.ext4 debootstrap
	lab_require_file /usr/lib/ipxe/undionly.kpxe
	[ -x "$LB_BIN" ] || lab_fail "no lifeboat binary at $LB_BIN (run make)"
	lab_init
	root=$("$LAB_E2E/vm/mkrescueroot") || lab_fail "could not build the Debian root (mkrescueroot)"
	RESCUE_KERNEL=$(ls "$root"/boot/vmlinuz-* | sort -V | tail -1)
	ssh-keygen -q -t ed25519 -N '' -C lifeboat-e2e -f "$LAB_DIR/id_lab" || lab_fail "ssh-keygen"
	t0=$(lab_now)
	"$LB_BIN" mkrescue --from "$root" -o "$LAB_DIR/rescue.img" --ssh-key "$LAB_DIR/id_lab.pub" \
		--modules "${LB_E2E_RESCUE_MODULES:-auto}" \
		> "$LAB_DIR/mkrescue.log" 2>&1 || lab_fail "mkrescue: $(tail -5 "$LAB_DIR/mkrescue.log")"
	RESCUE_BUILD_S=$(lab_elapsed "$t0")
	RESCUE_SIZE=$(stat -c %s "$LAB_DIR/rescue.img")
	lab_log "mkrescue: $((RESCUE_SIZE / 1048576)) MiB in ${RESCUE_BUILD_S}s"
	sed 's/^/  /' "$LAB_DIR/mkrescue.log"
	truncate -s 64M "$LAB_DIR/disk.img"
	mkfs.ext4 -q -F -L lbrescue "$LAB_DIR/disk.img" || lab_fail "mkfs.ext4"
	# dnsmasq's shortest lease: 2 minutes, renewed at T1 = 1 minute
	LAB_ROUTER_OPTS=("--dhcp-host=$mac,2m")
	lab_up
	lab_run_laptop "$LB_BIN" serve $LB_SERVE_ARGS -i $LAPTOP_IF --rescue-file "$LAB_DIR/rescue.img" \
		--status-socket "$LAB_DIR/status.sock" --kernel "$RESCUE_KERNEL" --ipxe-dir /usr/lib/ipxe --cmdline "no_timer_check lifeboat.cmd=blkid"
	lab_laptop_ready 10
}

# rescue_ssh IP CMD...: runs CMD on the rescue as root with the test's key.
rescue_ssh() {
	local ip=$1
	shift
	ip netns exec "$NS_LAPTOP" ssh -i "$LAB_DIR/id_lab" -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o ConnectTimeout=10 -o BatchMode=yes \
		-o LogLevel=ERROR "root@$ip" "$@"
}

# rescue_acks MAC: how many DHCPACKs the router logged for MAC.
rescue_acks() { grep -ac "DHCPACK(eth0) [0-9.]* $1" "$ROUTER_LOG"; }

# rescue_check NAME MAC SERIAL: everything after power-on. Sets RESCUE_RESULT.
rescue_check() {
	local name=$1 mac=$2 serial=$3 ip t_up t_ssh out acks0 t
	wait_for_marker "$LAPTOP_LOG" "rescue\.report mac=$mac .*text=\"up" "$RESCUE_TIMEOUT" "$name" ||
		lab_fail "no phone-home 'up' report from $mac: $LAB_WAIT_WHY; console: $(tail -5 "$serial" | tr -d '\r')"
	t_up=$(timing "$name")
	acks0=$(rescue_acks "$mac")
	lab_log "up report after ${t_up}s: $(grep -a "rescue\.report mac=$mac" "$LAPTOP_LOG" | head -1)"
	# the same report in `lifeboat status` (the row's note) and its JSON
	out=$("$LB_BIN" status --socket "$LAB_DIR/status.sock" 2>&1)
	grep -q "^$mac .*up, ssh at" <<< "$out" || lab_fail "lifeboat status lacks the report of $mac: $out"
	"$LB_BIN" status --socket "$LAB_DIR/status.sock" --json | grep -q '"report":"up, ssh at' ||
		lab_fail "lifeboat status --json lacks the report"
	lab_log "lifeboat status: $(grep "^$mac" <<< "$out")"
	ip=$(lab_check_lease "$mac") || lab_fail "no router lease for $mac"
	# SSH: the first login that works (dropbear may still be making keys)
	t=0
	until out=$(rescue_ssh "$ip" 'echo lb-ssh-ok; cat /etc/lifeboat/rescue' 2>&1) &&
		[[ $out == *lb-ssh-ok* ]]; do
		t=$((t + 1))
		[ $t -gt 60 ] && lab_fail "no SSH login to $ip: $out"
		sleep 1
	done
	t_ssh=$(lab_elapsed "$(cat "$LAB_DIR/$name.start")")
	lab_log "ssh login to root@$ip after ${t_ssh}s from power-on: $(echo "$out" | tr '\n' ' ')"
	out=$(rescue_ssh "$ip" 'e2fsck -f -n /dev/vda; echo "e2fsck-exit=$?"' 2>&1)
	echo "$out" | sed 's/^/  e2fsck: /'
	if [[ $out != *e2fsck-exit=0* ]]; then
		rescue_ssh "$ip" 'cat /proc/partitions; ls /dev; dmesg | grep -i -e virtio -e vda | tail' 2>&1 |
			sed 's/^/  rescue: /'
		lab_fail "e2fsck -f -n /dev/vda over SSH did not exit 0: $out"
	fi
	[[ $out == *files*blocks* ]] || lab_fail "e2fsck printed no summary for /dev/vda: $out"
	wait_for_marker "$LAPTOP_LOG" "rescue\.report mac=$mac .*text=\"cmd exit 0: blkid" 60 ||
		lab_fail "no 'cmd exit 0: blkid' report for lifeboat.cmd=blkid: $LAB_WAIT_WHY"
	lab_log "lifeboat.cmd report: $(grep -a "rescue\.report mac=$mac .*text=\"cmd exit" "$LAPTOP_LOG" | tail -1)"
	# two renewals of the 2-minute lease (T1 = 60 s) after the rescue's own
	t=0
	while [ "$(rescue_acks "$mac")" -lt $((acks0 + 2)) ]; do
		t=$((t + 1))
		[ $t -gt 200 ] && lab_fail "lease of $mac not renewed twice in 200 s ($(rescue_acks "$mac") ACKs, $acks0 at the up report)"
		sleep 1
	done
	lab_log "lease renewed twice: $(grep -a "DHCPACK(eth0) [0-9.]* $mac" "$ROUTER_LOG" | tail -2 | tr '\n' ';')"
	rescue_ssh "$ip" true || lab_fail "SSH no longer works after the renewals"
	RESCUE_RESULT="image $((RESCUE_SIZE / 1048576)) MiB built in ${RESCUE_BUILD_S}s; power-on to phone home ${t_up}s, to SSH login ${t_ssh}s; e2fsck ok; 2 renewals"
}
