#!/usr/bin/env bash
# The live table on a terminal: `lifeboat serve` runs in a tmux pane while a
# SeaBIOS iPXE client boots; tmux capture-pane shows the table in the top
# rows (header, the client's MAC and its stage) with the log scrolling
# below it, and follows the terminal's size (SIGWINCH). With --no-status the same pane shows plain log lines only, and
# `lifeboat status` without a running serve says so and exits 1.
. "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio tmux
lab_require_file "$LAB_KERNEL" /usr/lib/ipxe/undionly.kpxe

lab_up
lab_initramfs
TM="tmux -L $LAB_ID"
sock=$LAB_DIR/status.sock

# serve_in_tmux FLAGS...: serve in a fresh 160x48 tmux pane; its output
# also goes to $LAPTOP_LOG (pipe-pane). Waits until it answers on its socket.
serve_in_tmux() {
	LAPTOP_LOG=$LAB_DIR/laptop-tty.log
	: > "$LAPTOP_LOG"
	# A serve from before: SIGHUP (tmux going) only reloads it; the
	# laptop namespace is this run's own, so everything in it goes.
	$TM kill-server 2> /dev/null
	local p i
	for p in $(ip netns pids "$NS_LAPTOP"); do kill "$p" 2> /dev/null; done
	for i in $(seq 50); do
		[ -z "$(ip netns pids "$NS_LAPTOP")" ] && break
		sleep 0.1
	done
	$TM new-session -d -s lb -x 160 -y 48 \
		"ip netns exec $NS_LAPTOP $LB_BIN serve -v -i $LAPTOP_IF --kernel $LAB_KERNEL --initrd $LAB_INITRD --cmdline '$LAB_CMDLINE' --status-socket $sock $*; sleep 600" ||
		lab_fail "tmux new-session"
	$TM display -p '#{pid}' > "$LAB_DIR/pids/tmux.pid"
	$TM pipe-pane -t lb "cat >> $LAPTOP_LOG"
	for i in $(seq 100); do
		"$LB_BIN" status --socket "$sock" > /dev/null 2>&1 && return 0
		sleep 0.1
	done
	lab_fail "serve in tmux does not answer: $($TM capture-pane -p -t lb)"
}
pane() { $TM capture-pane -p -t lb; }

# No serve yet: one clear line, exit status 1.
out=$("$LB_BIN" status --socket "$sock" 2>&1)
rc=$?
[ $rc = 1 ] || lab_fail "lifeboat status without serve: exit $rc, want 1"
echo "$out" | grep -q "no lifeboat serve is running" || lab_fail "lifeboat status without serve said: $out"

serve_in_tmux
mac=$(lab_mac 1)
qemu_bios_ipxe bios "$mac" "$LAB_DIR/bios.log"
seen=
for i in $(seq 1200); do
	p=$(pane)
	# The table: summary in row 1, header in row 2, the client below.
	if echo "$p" | sed -n 2p | grep -q '^MAC  *IP  *ARCH  *STAGE  *FILE' &&
		echo "$p" | sed -n '3,12p' | grep -qE "^$mac +192\.0\.2\.[0-9]+ +bios +(http|kernel) "; then
		seen=$(echo "$p" | sed -n '1,5p')
		break
	fi
	sleep 0.2
done
[ -n "$seen" ] || lab_fail "the pane never showed $mac in the table: $(pane)"
lab_log "the table in the pane during the boot:"
echo "$seen"
# The log scrolls below the table: its lines are there, under row 12.
pane | sed -n '13,$p' | grep -q 'dhcp\.offer\|http\.done\|serve\.ready' ||
	lab_fail "no log lines below the table: $(pane)"
wait_for_marker "$LAB_DIR/bios.log" "$LAB_MARKER" "${LB_E2E_BOOT_TIMEOUT:-170}" bios ||
	lab_fail "BIOS client did not boot: $LAB_WAIT_WHY"
for i in $(seq 30); do
	pane | sed -n '3,12p' | grep -qE "^$mac .* kernel " && break
	sleep 0.2
done
pane | sed -n '3,12p' | grep -qE "^$mac .* kernel " || lab_fail "the table did not reach stage kernel: $(pane)"
lab_stop qemu-bios
# SIGWINCH: the table follows a narrower terminal.
w0=$(pane | sed -n 2p | awk '{ print length($0) }')
$TM resize-window -t lb -x 110 -y 40 || lab_fail "tmux resize-window"
for i in $(seq 30); do
	[ "$(pane | sed -n 2p | awk '{ print length($0) }')" -le 110 ] && break
	sleep 0.2
done
w1=$(pane | sed -n 2p | awk '{ print length($0) }')
[ "$w0" -gt 110 ] && [ "$w1" -le 110 ] && pane | sed -n 2p | grep -q '^MAC  *IP' ||
	lab_fail "after the resize the header is $w1 wide (was $w0): $(pane)"
lab_log "resized: the header went from $w0 to $w1 columns"

# --no-status: plain log lines, no table.
serve_in_tmux --no-status
sleep 1.5
pane | grep -q '^MAC  *IP  *ARCH' && lab_fail "--no-status still draws the table: $(pane)"
pane | grep -q 'serve\.ready' || lab_fail "--no-status: no log in the pane: $(pane)"
$TM kill-server
for p in $(ip netns pids "$NS_LAPTOP"); do kill "$p" 2> /dev/null; done
lab_pass "status tty: the table above the log in tmux showed $mac up to stage kernel; --no-status draws none"
