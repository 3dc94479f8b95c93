#!/usr/bin/env bash
# Issue 10, HTTP quotas and an absolute header deadline: one address opens
# 2000 connections to lifeboat's HTTP port and trickles their heads (half a
# header byte, half a bare CRLF, every 3 s per connection; never the blank
# line that ends a head), reopening whatever is closed (hostile.py
# http-slow-conns), while a real SeaBIOS + iPXE client boots a kernel over
# HTTP through `lifeboat serve --kernel`. Pass: its marker; DHCP prober
# >= 99% answered, p99 < 100 ms; the per-address cap refused connections
# (503 or a close within 1 s); no connection lived longer than the header
# timeout (10 s) + LB_ROBUST_SLOW_SLACK (default 5 s): trickling must not
# re-arm the deadline. Before the fix each trickle re-armed the timer and
# 2000 connections from one address filled every slot.
. "$(dirname "$0")/lib_robust.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio python3
lab_require_file "$LAB_KERNEL" /usr/lib/ipxe/undionly.kpxe

lab_up
token=lbq$$x$RANDOM
robust_kernel_serve "$token"
robust_client_ns 1 192.0.2.51
ns_att=$LAB_CLIENT_NS
stop=$LAB_DIR/stop
deadline=$((10 + ${LB_ROBUST_SLOW_SLACK:-5}))
# the attacker's 2000 sockets (and a margin for reopening)
ulimit -n 8192

robust_probe_start
lab_spawn attack "$ns_att" "$LAB_DIR/attack.log" \
	nice -n 5 python3 "$HOSTILE" http-slow-conns $LAPTOP_IP 2000 --interval 3 \
	--deadline $deadline --stop "$stop"
for i in $(seq 100); do grep -q '^slow:' "$LAB_DIR/attack.log" && break; sleep 0.1; done
lab_log "attacker: $(head -1 "$LAB_DIR/attack.log"); lifeboat has $(robust_fds "$LB_PID") fds open"
robust_boot_bios bios "$token"
# keep the pressure on until the attack has lasted past the deadline
# (the boot can be quicker than header timeout + slack)
while [ "$(lab_elapsed "$PROBE_T0" | cut -d. -f1)" -lt $((deadline + 5)) ]; do sleep 1; done
robust_probe_stop
: > "$stop"
lab_stop attack
robust_alive "after 2000 slow connections"
att=$(grep -a '^SLOW ' "$LAB_DIR/attack.log" | tail -1)
lab_log "attacker: $att"
val() { echo "$att" | grep -o " $1=[0-9.]*" | cut -d= -f2; }
refused=$(($(val refused_503) + $(val refused_close)))
over=$(val over_deadline)
robust_boot_check "slow HTTP connection attack"
robust_probe_check "slow HTTP connection attack"
[ "$refused" -gt 0 ] || lab_fail "no connection of the 2000 from one address was refused (per-address cap): $att"
[ "${over:-1}" = 0 ] ||
	lab_fail "$over connections lived longer than ${deadline}s (header timeout 10 s + slack): the trickle re-arms the deadline ($att)"
[ "$(val closed)" -gt 0 ] || lab_fail "no accepted connection was closed by lifeboat at its deadline: $att"
lab_pass "booted in ${BOOT_T}s beside 2000 slow connections; DHCP $PROBE_PCT% answered, p99 ${PROBE_P99} ms; refused $refused (503: $(val refused_503)), longest life $(val max_lifetime_s)s / open age $(val max_open_age_s)s (limit ${deadline}s)"
