#!/usr/bin/env bash
# Issue 4: `lifeboat serve --tftp-single-port`. 32 concurrent clients
# (bench/tftpload: 4 processes x 8 clients; lockstep, windowsize 4, 16 and
# 64) fetch a 4 MiB file while nft in the clients' namespace drops 1% of the
# packets each way (so the timeouts and resends on the shared socket run
# too). Pass: every client's file has the right size and SHA-256, every UDP
# datagram that reached the clients from the server came from port 69 (nft
# counters: from 69 > 0, from any other port = 0), the server logged
# single_port=1 and dropped root (it sends from the already-bound socket).
. "$(dirname "$0")/lib_robust.sh"
lab_require_root
lab_require_cmd ip dnsmasq nft gcc

lab_up
robust_tools
root=$LAB_DIR/root
mkdir -p "$root"
chmod 755 "$root"
mib=4
sha=$(robust_mkfile "$root/big.bin" "$mib")
robust_serve "$root" -i $LAPTOP_IF --boot bios=big.bin --no-dhcp --no-http --tftp-single-port
grep -q 'tftp.listen .*single_port=1' "$LAPTOP_LOG" || lab_fail "no single_port=1 in tftp.listen: $(grep -a tftp.listen "$LAPTOP_LOG")"
[ "$(stat -c %U "/proc/$LB_PID")" != root ] || lab_fail "lifeboat still runs as root"

robust_client_ns 1 192.0.2.61
ns=$LAB_CLIENT_NS
ip netns exec "$ns" nft -f - <<NFT || lab_fail "nft rules"
table ip lbsp {
	chain in {
		type filter hook input priority 0;
		ip saddr $LAPTOP_IP udp sport 69 counter
		ip saddr $LAPTOP_IP udp sport != 69 counter
		numgen random mod 100 < 1 counter drop
	}
	chain out {
		type filter hook output priority 0;
		numgen random mod 100 < 1 counter drop
	}
}
NFT

start=$(lab_now)
i=0
for w in 1 4 16 64; do
	i=$((i + 1))
	args=(-s $LAPTOP_IP -f big.bin -n 8 -b 1468 -t -T 200 -R 100 -e "$sha" -z $((mib * 1048576)) -L 300 -l "w$w")
	[ "$w" = 1 ] || args+=(-w "$w")
	lab_spawn "load$i" "$ns" "$LAB_DIR/load$i.log" "$TFTPLOAD" "${args[@]}"
done
fail=0
for j in $(seq $i); do
	wait "$(lab_pid load$j)" || fail=1
done
took=$(lab_elapsed "$start")
robust_alive "after the transfers"
summary=
for j in $(seq $i); do
	line=$(grep -a '^TFTPLOAD' "$LAB_DIR/load$j.log")
	[ -n "$line" ] || lab_fail "load$j printed no result: $(cat "$LAB_DIR/load$j.log")"
	lab_log "$line"
	echo "$line" | grep -q ' failed=0 ' || fail=1
	echo "$line" | grep -q ' corrupt=0 ' || fail=1
	summary="$summary $(echo "$line" | grep -o 'label=[^ ]*') $(echo "$line" | grep -o 'ok=[0-9]*')"
done
# Every client has its whole file now, but a transfer whose final ACK fell
# to the 1% loss ends on the server only when it gives up resending the
# last window (TFTP gives it no other way to know): wait until the server
# has accounted for all 32, then count what it sent.
for _ in $(seq 200); do
	ended=$(grep -acE 'tftp\.(done|fail)' "$LAPTOP_LOG")
	[ "$ended" -ge 32 ] && break
	sleep 0.1
done
done_lines=$(grep -ac 'tftp\.done' "$LAPTOP_LOG")
[ "$ended" -ge 32 ] || lab_fail "the server ended only $ended of 32 transfers within 20 s"
if grep -a 'tftp\.fail' "$LAPTOP_LOG" | grep -v 'reason=timeout'; then
	lab_fail "a transfer failed on the server for another reason than a lost final ACK"
fi
counters=$(ip netns exec "$ns" nft list table ip lbsp | grep -o 'packets [0-9]*' | awk '{ printf "%s ", $2 }')
lab_log "nft counters (from port 69, from other ports, dropped in, dropped out): $counters"
set -- $counters
[ $fail = 0 ] || lab_fail "a client got a wrong or no file:$summary"
[ "${1:-0}" -ge $((32 * mib * 1048576 / 1468)) ] || lab_fail "fewer datagrams from port 69 than DATA blocks: $counters"
[ "${2:-1}" = 0 ] || lab_fail "$2 datagrams came from a port other than 69"
[ "${3:-0}" -gt 0 ] && [ "${4:-0}" -gt 0 ] || lab_fail "the loss rules never matched: $counters"
lab_pass "32 clients x ${mib} MiB intact with --tftp-single-port under 1% loss in ${took}s; all $1 server datagrams from port 69 ($done_lines tftp.done, $((ended - done_lines)) ended by a lost final ACK)"
