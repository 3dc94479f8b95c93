#!/usr/bin/env bash
# Issue 10, not a reflector: a host sends TFTP RRQs (47-byte packets, no
# options) whose source is forged to be one of 2 victim addresses in the
# lab (192.0.2.20-21; hostile.py tftp-spoof-rrq over a raw IP_HDRINCL
# socket, LB_ROBUST_REFLECT_PPS a second, default 1000). A sink namespace
# owns the victim addresses, counts every UDP byte lifeboat sends them
# (nftables counter, whole IPv4 packets) and drops it, so no victim ever
# answers, not even with ICMP. Meanwhile a SeaBIOS + iPXE client boots
# PXELINUX over TFTP. Pass: its marker; DHCP prober >= 99% answered, p99 <
# 100 ms; reflection ratio (bytes the victims got / bytes the attacker
# sent) <= LB_ROBUST_REFLECT_MAX_RATIO (default 2) and the reflected rate
# per victim <= LB_ROBUST_REFLECT_MAX_BPS (default 49152 bytes/s: 32
# first replies a second of 1088 bytes, DATA 1 and one resend, plus the
# burst). Before the fix every RRQ yielded DATA block 1 and its five
# retransmissions (69x), limited only by "server busy" once 1024
# transfers were held, and the real client was refused too.
# (Spread over many victims below the per-address rate, a spoofed RRQ
# still yields 23x, within the global 500 first replies a second; see
# doc/tftp.md.)
. "$(dirname "$0")/lib_robust.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio python3 nft
lab_require_file "$LAB_KERNEL"

lab_up
token=lbq$$x$RANDOM
robust_pxelinux_root "$token"
robust_serve "$PXE_ROOT" $LB_SERVE_ARGS -i $LAPTOP_IF --boot bios=pxelinux.0
robust_client_ns 1 192.0.2.51
ns_att=$LAB_CLIENT_NS
robust_client_ns 2 192.0.2.20
ns_sink=$LAB_CLIENT_NS
# LB_ROBUST_REFLECT_VICTIMS (2..50, default 2) victim addresses from .20 on
nvict=${LB_ROBUST_REFLECT_VICTIMS:-2}
last=$((19 + nvict))
for i in $(seq 21 $last); do ip -n "$ns_sink" addr add 192.0.2.$i/24 dev eth0; done
# the victims: count what lifeboat sends them, answer nothing
ip netns exec "$ns_sink" nft -f - <<NFT || lab_fail "nft in the sink namespace"
table ip sink {
	chain in {
		type filter hook input priority 0; policy drop;
		ip saddr $LAPTOP_IP ip daddr 192.0.2.20-192.0.2.$last meta l4proto udp counter
	}
}
NFT
sink_bytes() {
	ip netns exec "$ns_sink" nft list chain ip sink in | grep -o 'counter packets [0-9]* bytes [0-9]*' |
		awk '{ print $3, $5 }'
}
stop=$LAB_DIR/stop
pps=${LB_ROBUST_REFLECT_PPS:-1000}

robust_probe_start
t0=$(lab_now)
lab_spawn attack "$ns_att" "$LAB_DIR/attack.log" \
	nice -n 5 python3 "$HOSTILE" tftp-spoof-rrq $LAPTOP_IP 192.0.2.20-192.0.2.$last --rate "$pps" --stop "$stop"
robust_boot_bios bios "$token"
robust_probe_stop
: > "$stop"
lab_stop attack
t_att=$(lab_elapsed "$t0")
# what lifeboat still sends after the attack stopped (retransmissions)
# counts too: give its transfers time to give up
sleep "${LB_ROBUST_REFLECT_TAIL:-8}"
robust_alive "after the spoofed RRQs"
att=$(grep -a '^SPOOF ' "$LAB_DIR/attack.log" | tail -1)
read -r pk_in by_in < <(sink_bytes)
by_out=$(echo "$att" | grep -o ' bytes=[0-9]*' | cut -d= -f2)
[ "${by_out:-0}" -gt 0 ] || lab_fail "the attacker sent nothing: $att $(tail -3 "$LAB_DIR/attack.log")"
ratio=$(awk -v a="$by_in" -v b="$by_out" 'BEGIN { printf "%.2f", a / b }')
bps=$(awk -v a="$by_in" -v t="$t_att" -v n=$nvict 'BEGIN { printf "%d", a / t / n }')
lab_log "attacker: $att"
lab_log "victims received $pk_in packets, $by_in bytes: reflection ratio $ratio, $bps bytes/s per victim over ${t_att}s"
max_ratio=${LB_ROBUST_REFLECT_MAX_RATIO:-2}
max_bps=${LB_ROBUST_REFLECT_MAX_BPS:-49152}
robust_boot_check "spoofed RRQ attack"
robust_probe_check "spoofed RRQ attack"
awk -v r="$ratio" -v m="$max_ratio" 'BEGIN { exit !(r <= m) }' ||
	lab_fail "reflection ratio $ratio (victims got $by_in bytes for $by_out sent; want <= $max_ratio)"
[ "$bps" -le "$max_bps" ] || lab_fail "reflected $bps bytes/s to each victim (want <= $max_bps)"
lab_pass "booted over TFTP in ${BOOT_T}s under spoofed RRQs; DHCP $PROBE_PCT% answered, p99 ${PROBE_P99} ms; reflection ratio $ratio ($by_in/$by_out bytes), $bps B/s per victim"
