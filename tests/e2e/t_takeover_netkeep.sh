#!/usr/bin/env bash
# The rescue network lasts (issue 16 §5), in a container with its own
# network namespace: a veth to a server namespace running dnsmasq (2 min
# leases). The container's address comes from a real DHCP exchange
# (busybox udhcpc) and is set with the lease's lifetime, and a
# systemd-networkd lease file names it, as networkd leaves them. After
# takeover, lifeboat (PID 1's keeper child) takes the lease over: dnsmasq
# ACKs a renewal for the same address, the address's lifetime is refreshed,
# and the RAM system's resolv.conf holds the lease's name server.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib_container.sh
ct_setup netkeep dnsmasq ip
NS=lbnk$$ DNSPID=
nk_cleanup() {
	[ -n "$DNSPID" ] && kill "$DNSPID" 2>/dev/null
	ip netns del $NS 2>/dev/null
}
trap 'nk_cleanup; ct_cleanup' EXIT
ct_rootfs
mkdir -p $R/run
echo "nameserver 198.51.100.53" >$R/etc/resolv.conf
ct_boot net
t0=$(date +%s.%N)

ip netns add $NS || fail "netns"
ip link add nkh$$ type veth peer name nkc$$ || fail "veth"
ip link set nkh$$ netns $NS
ip link set nkc$$ netns $CTPID
ip -n $NS addr add 192.0.2.1/24 dev nkh$$
ip -n $NS link set nkh$$ up
nsenter -t $CTPID -n ip link set nkc$$ name eth0 || fail "rename"
nsenter -t $CTPID -n ip link set eth0 up
ip netns exec $NS dnsmasq --keep-in-foreground --port=0 --bind-interfaces --interface=nkh$$ \
	--dhcp-range=192.0.2.50,192.0.2.60,2m --dhcp-option=6,192.0.2.53 \
	--dhcp-leasefile=$W/dnsmasq.leases --log-dhcp --log-facility=$W/dnsmasq.log \
	--pid-file=$W/dnsmasq.pid &
DNSPID=$!
# A real lease: udhcpc's script writes what it got; the address is set
# with the lease's lifetime, as networkd does.
cat >$W/udhcpc.sh <<'EOF'
#!/bin/sh
[ "$1" = bound ] && echo "ip=$ip serverid=$serverid lease=$lease" >"$UDHCPC_OUT"
exit 0
EOF
chmod 755 $W/udhcpc.sh
UDHCPC_OUT=$W/udhcpc.out nsenter -t $CTPID -n timeout 30 busybox udhcpc -i eth0 -n -q -f \
	-s $W/udhcpc.sh >$W/udhcpc.log 2>&1 || { cat $W/udhcpc.log; fail "no initial lease"; }
# shellcheck disable=SC1091  # sets ip, serverid, lease
. $W/udhcpc.out
echo "initial lease: $ip from $serverid for ${lease}s"
nsenter -t $CTPID -n ip addr add $ip/24 dev eth0 valid_lft $lease preferred_lft $lease
idx=$(nsenter -t $CTPID -n cat /sys/class/net/eth0/ifindex 2>/dev/null ||
	nsenter -t $CTPID -n ip -o link show eth0 | cut -d: -f1)
mkdir -p /proc/$CTPID/root/run/systemd/netif/leases
printf 'ADDRESS=%s\nNETMASK=255.255.255.0\nSERVER_ADDRESS=%s\nLIFETIME=%s\nDNS=192.0.2.53\n' \
	$ip $serverid $lease >/proc/$CTPID/root/run/systemd/netif/leases/$idx
acks0=$(grep -c "DHCPACK.* $ip " $W/dnsmasq.log)
disc0=$(grep -c DHCPDISCOVER $W/dnsmasq.log)

# Let some of the lifetime run off, so a refresh is visible.
for _ in $(seq 50); do
	left=$(nsenter -t $CTPID -n ip -o -4 addr show dev eth0 | grep -o 'valid_lft [0-9]*' | cut -d' ' -f2)
	[ -n "$left" ] && [ "$left" -le $((lease - 5)) ] && break
	sleep 0.2
done
inside /sbin/lifeboat takeover --yes --grace 1 --then shell >$W/takeover.out 2>&1
wait_for "LIFEBOAT-THEN" 1 30 || { cat $W/takeover.out; fail "no LIFEBOAT-THEN"; }
# The keeper renews at once: a new ACK for the same address.
ok=0
for _ in $(seq 150); do
	[ "$(grep -c "DHCPACK.* $ip " $W/dnsmasq.log)" -gt "$acks0" ] && { ok=1; break; }
	sleep 0.2
done
[ $ok = 1 ] || { tail -20 $W/dnsmasq.log; fail "no renewal ACK for $ip after takeover"; }
grep "DHCPREQUEST\|DHCPACK" $W/dnsmasq.log | tail -2
# Taken over, not started afresh: no second DISCOVER.
[ "$(grep -c DHCPDISCOVER $W/dnsmasq.log)" = "$disc0" ] || { grep DHCP $W/dnsmasq.log; fail "lifeboat sent a DISCOVER instead of renewing"; }
# The keeper applies the ACK: the lifetime grows again.
newleft=
for _ in $(seq 50); do
	after=$(nsenter -t $CTPID -n ip -o -4 addr show dev eth0)
	newleft=$(echo "$after" | grep -o 'valid_lft [0-9]*' | cut -d' ' -f2)
	[ -n "$newleft" ] && [ "$newleft" -gt "$left" ] && break
	sleep 0.1
done
echo "after: $after"
echo "$after" | grep -q "inet $ip/24" || fail "address $ip gone"
[ -n "$newleft" ] && [ "$newleft" -gt "$left" ] || fail "lifetime not refreshed ($left -> $newleft)"
[ "$(readlink /proc/$CTPID/exe)" = /lifeboat/lifeboat ] || fail "PID 1 is not lifeboat"
grep -q "nameserver 192.0.2.53" /proc/$CTPID/root/etc/resolv.conf ||
	{ cat /proc/$CTPID/root/etc/resolv.conf; fail "RAM system's resolv.conf lacks the lease's server"; }
echo "RESULT: PASS (lease $ip renewed by lifeboat, valid_lft $left -> $newleft, $(echo "$(date +%s.%N) - $t0" | bc) s)"
