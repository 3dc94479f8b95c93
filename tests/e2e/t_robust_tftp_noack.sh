#!/usr/bin/env bash
# Issue 10, TFTP quotas and honest timeouts: 1024 RRQs with option
# `timeout 255` that never ACK (hostile.py tftp-rrq-noack), from 1024
# source ports of one address, plus 64 each from 16 other addresses, are
# sent (paced, lost ones again) before a real client starts; then a SeaBIOS + iPXE client boots
# PXELINUX from `lifeboat serve ROOT --boot bios=pxelinux.0`, everything
# over TFTP (pxelinux.0, ldlinux.c32, config, kernel, initrd). Pass: its
# marker; DHCP prober >= 99% answered, p99 < 100 ms; no OACK grants a
# timeout above LB_ROBUST_TFTP_MAX_TIMEOUT (default 10 s); the single
# address got >= 32 TFTP ERROR packets (its excess refused, not held or
# silently dropped only) and at most 512 of its 1024 RRQs were ever
# started (lifeboat's per-address rate limit may drop some silently).
# Before the fix its 1024 transfers held every slot for 6 x 255 s (OACK
# timeout 255, no ERROR) and the real client got "server busy".
. "$(dirname "$0")/lib_robust.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio python3
lab_require_file "$LAB_KERNEL"

lab_up
token=lbq$$x$RANDOM
robust_pxelinux_root "$token"
robust_serve "$PXE_ROOT" $LB_SERVE_ARGS -i $LAPTOP_IF --boot bios=pxelinux.0
robust_client_ns 1 192.0.2.51
ns_one=$LAB_CLIENT_NS
robust_client_ns 2 192.0.2.80
ns_many=$LAB_CLIENT_NS
srcs=192.0.2.80
for i in $(seq 81 95); do
	ip -n "$ns_many" addr add 192.0.2.$i/24 dev eth0
	srcs=$srcs,192.0.2.$i
done
stop=$LAB_DIR/stop
ulimit -n 8192

robust_probe_start
# the single address first (it must not find the slots taken by the 16)
lab_spawn noack1 "$ns_one" "$LAB_DIR/noack1.log" \
	nice -n 5 python3 "$HOSTILE" tftp-rrq-noack $LAPTOP_IP 1024 --timeout 255 --stop "$stop"
noack_started() {
	for i in $(seq 300); do grep -q '^noack: sent' "$LAB_DIR/$1.log" && return 0; sleep 0.1; done
	lab_fail "$1 did not send its RRQs: $(cat "$LAB_DIR/$1.log")"
}
noack_started noack1
lab_spawn noack16 "$ns_many" "$LAB_DIR/noack16.log" \
	nice -n 5 python3 "$HOSTILE" tftp-rrq-noack $LAPTOP_IP 64 --src "$srcs" --timeout 255 --stop "$stop"
noack_started noack16
lab_log "$(cat "$LAB_DIR/noack1.log"); $(cat "$LAB_DIR/noack16.log")"
robust_boot_bios bios "$token"
robust_probe_stop
: > "$stop"
lab_stop noack1
lab_stop noack16
robust_alive "after the never-ACKing RRQs"
one=$(grep -a '^NOACK ' "$LAB_DIR/noack1.log" | tail -1)
many=$(grep -a '^NOACK ' "$LAB_DIR/noack16.log" | tail -1)
lab_log "one address: $one"
lab_log "16 addresses: $many"
val() { echo "$one" | grep -o " $1=[-0-9]*" | cut -d= -f2; }
err1=$(val error)
held1=$(val held)
tmo=$(val oack_timeout_max)
max_tmo=${LB_ROBUST_TFTP_MAX_TIMEOUT:-10}
robust_boot_check "never-ACKing RRQ attack (timeout 255)"
robust_probe_check "never-ACKing RRQ attack"
[ "${tmo:-255}" -le "$max_tmo" ] ||
	lab_fail "an OACK granted timeout $tmo (want <= $max_tmo s: a client's timeout option is capped): $one"
[ "${err1:-0}" -ge 32 ] ||
	lab_fail "one address with 1024 never-ACKing RRQs got only ${err1:-0} TFTP ERROR packets (want >= 32: its excess refused with an error, not held or ignored): $one"
[ "${held1:-1024}" -le 512 ] ||
	lab_fail "one address had $held1 of its 1024 RRQs started (want <= 512: a per-client cap): $one"
lab_pass "booted over TFTP in ${BOOT_T}s beside 2048 never-ACKing RRQs (timeout 255); DHCP $PROBE_PCT% answered, p99 ${PROBE_P99} ms; one address: $held1 started, $err1 ERRORs, OACK timeout $([ "$tmo" = -1 ] && echo 'not granted' || echo "<= $tmo s") ($one)"
