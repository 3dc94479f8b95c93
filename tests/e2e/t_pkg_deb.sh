#!/usr/bin/env bash
# The Debian package on a Debian 12 systemd VM (the takeover lab's systemd
# image, tests/e2e/vm/): tests/build-deb builds the .deb (lintian clean),
# the VM installs it with dpkg -i (units installed disabled), gets a NIC on a
# lab bridge (192.0.2.0/24 in a namespace of this test), configures
# /etc/lifeboat/serve.conf to serve a boot file there, and then:
# - systemctl enable + start: Type=notify start returns once lifeboat sent
#   READY=1; the host fetches the boot file over TFTP from the VM;
# - systemctl reload: RELOADING=1 then READY=1 (systemd's debug log of the
#   notifications, StatusText);
# - a reload with a boot file that is missing: lifeboat's error is in
#   `journalctl -p warning -u lifeboat-serve` with its priority, no own
#   timestamp, while its info lines are not;
# - systemctl stop: STOPPING=1, exit status 0, Result=success;
# - systemd-analyze security lifeboat-serve.service: the score, reported;
# - lifeboat-serve@NIC.service starts with --interface NIC and stops.
. "$(dirname "$0")/vm/lib.sh"
vm_setup t_pkg_deb
for t in dpkg-buildpackage lintian tftp ip; do
	command -v "$t" >/dev/null || vm_skip "$t not installed (tests/install-deps)"
done

NS=lbpkg$$
POLLER=
pkg_cleanup() {
	trap '' INT TERM HUP
	[ -n "$POLLER" ] && { kill "$POLLER" 2>/dev/null; wait "$POLLER" 2>/dev/null; }
	vm_cleanup
	ip netns del "$NS" 2>/dev/null
}
trap pkg_cleanup EXIT

echo "building the .deb"
out=$(tests/build-deb "$VM_TMP/deb") || { echo "$out"; echo "RESULT: FAIL t_pkg_deb: tests/build-deb"; exit 1; }
echo "$out"
DEB=$(sed -n 's/^deb=//p' <<<"$out")
[ -f "$DEB" ] || { echo "RESULT: FAIL t_pkg_deb: no .deb"; exit 1; }
cp "$DEB" "$VM_TMP/lifeboat.deb"

# The lab: a bridge with the VM's tap in a namespace of our own.
ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" link add lbbr0 type bridge
ip -n "$NS" tuntap add dev lbtap0 mode tap
ip -n "$NS" link set lbtap0 master lbbr0
ip -n "$NS" addr add 192.0.2.1/24 dev lbbr0
ip -n "$NS" link set lbbr0 up
ip -n "$NS" link set lbtap0 up

scen=$VM_TMP/scenario
cat >"$scen" <<'EOF'
#!/bin/sh
exec 2>&1
say() { echo "PKG-$*"; }
# show PROP...: one line each, in the order asked
show() { for p in "$@"; do echo "PKG-SHOW $p=$(systemctl show -p "$p" --value lifeboat-serve.service)"; done; }
# wait_for SECS CMD...: until CMD succeeds, at most SECS seconds
wait_for() {
	n=$1; shift
	while [ "$n" -gt 0 ]; do "$@" >/dev/null 2>&1 && return 0; sleep 1; n=$((n - 1)); done
	return 1
}
jgrep() { journalctl -u lifeboat-serve.service -o cat --no-pager | grep -q -- "$1"; }
status_is() { systemctl show -p StatusText --value lifeboat-serve.service | grep -q -- "$1"; }
say START
dpkg -i /root/lifeboat.deb >/tmp/dpkg.log 2>&1; say "DPKG rc=$?"
tail -3 /tmp/dpkg.log | sed 's/^/PKG-DPKGLOG /'
say "INSTALLED enabled=$(systemctl is-enabled lifeboat-serve.service 2>&1) active=$(systemctl is-active lifeboat-serve.service 2>&1)"
nic_up() { ls /sys/class/net | grep -qv '^lo$'; }
wait_for 60 nic_up
nic=$(ls /sys/class/net | grep -v '^lo$' | head -1)
ip link set "$nic" up && ip addr add 192.0.2.10/24 dev "$nic"
say "NIC $nic"
mkdir -p /srv/tftp && echo lifeboat-pkg-boot-file >/srv/tftp/pxelinux.0
cat >/etc/lifeboat/serve.conf <<CONF
root /srv/tftp
interface $nic
boot bios=pxelinux.0
no-dhcp6
CONF
# systemd logs every notification a service sends at debug level
systemd-analyze log-level debug
systemctl enable lifeboat-serve.service 2>&1 | sed 's/^/PKG-ENABLE /'
systemctl start lifeboat-serve.service; say "STARTED rc=$?"
show ActiveState SubState Type StatusText
say SERVING
wait_for 180 jgrep tftp.done && say "TFTP-DONE"
systemctl reload lifeboat-serve.service; say "RELOAD1 rc=$?"
wait_for 30 status_is 'reloaded' && say "RELOAD1-STATUS ok"
sed -i 's/^boot bios=pxelinux.0/boot bios=missing-boot-file.0/' /etc/lifeboat/serve.conf
systemctl reload lifeboat-serve.service; say "RELOAD2 rc=$?"
wait_for 30 status_is 'failed' && say "RELOAD2-STATUS failed"
show ActiveState StatusText
journalctl -u lifeboat-serve.service -p warning -o cat --no-pager | grep -v '^lifeboat-serve.service: ' | sed 's/^/PKG-JWARN /'
journalctl -u lifeboat-serve.service -p info..info -o cat --no-pager | grep '^info ' | head -5 | sed 's/^/PKG-JINFO /'
journalctl -u lifeboat-serve.service -o cat --no-pager | grep 'notification message' | sed 's/^/PKG-NOTIFY /'
systemd-analyze security lifeboat-serve.service 2>&1 | tail -1 | sed 's/^/PKG-SECURITY /'
systemctl stop lifeboat-serve.service; say "STOP rc=$?"
show ActiveState Result ExecMainCode ExecMainStatus
journalctl -u lifeboat-serve.service -o cat --no-pager | grep 'notification message.*STOPPING' | sed 's/^/PKG-NOTIFY /'
journalctl -u lifeboat-serve.service -o cat --no-pager | grep -E 'serve\.(stop|sandbox|seccomp|ready)' | sed 's/^/PKG-JALL /'
# the per-interface template: -i %i, same config (with the boot file back)
sed -i 's/^boot bios=missing-boot-file.0/boot bios=pxelinux.0/' /etc/lifeboat/serve.conf
inst="lifeboat-serve@$nic.service"
systemctl start "$inst"; say "INSTANCE-STARTED rc=$?"
pid=$(systemctl show -p MainPID --value "$inst")
say "INSTANCE active=$(systemctl is-active "$inst") status=$(systemctl show -p StatusText --value "$inst") cmd=$(tr '\0' ' ' </proc/$pid/cmdline)"
[ "$(systemctl is-active "$inst")" = active ] ||
	journalctl -u "$inst" -o cat --no-pager | tail -15 | sed 's/^/PKG-INSTLOG /'
systemctl stop "$inst"; say "INSTANCE-STOPPED rc=$? result=$(systemctl show -p Result --value "$inst") status=$(systemctl show -p ExecMainStatus --value "$inst")"
systemd-analyze log-level info
say END
lb-poweroff
EOF

# The host's part: once the VM serves, fetch the boot file over TFTP.
raw=$VM_TMP/t_pkg_deb.serial
(
	trap 'exit 0' TERM
	while ! grep -qa 'PKG-SERVING' "$raw" 2>/dev/null; do sleep 1; done
	for _ in $(seq 60); do
		rm -f "$VM_TMP/got"
		ip netns exec "$NS" tftp 192.0.2.10 -m binary -c get pxelinux.0 "$VM_TMP/got" >/dev/null 2>&1
		if grep -q lifeboat-pkg-boot-file "$VM_TMP/got" 2>/dev/null; then
			echo "host: fetched pxelinux.0 over TFTP from the VM's lifeboat-serve"
			: >"$VM_TMP/tftp-ok"
			exit 0
		fi
		sleep 2
	done
) &
POLLER=$!

export LB_VM_INJECT="$VM_TMP/lifeboat.deb=/root/lifeboat.deb"
export LB_VM_NET="-netdev tap,id=n0,ifname=lbtap0,script=no,downscript=no -device virtio-net-pci,netdev=n0,mac=52:54:00:1b:0a:01"
export LB_VM_MARKS="PKG-START PKG-STARTED PKG-TFTP-DONE PKG-END"
VM_RUN_WRAP="ip netns exec $NS" vm_run systemd "$scen" "${LB_PKG_TIMEOUT:-900}"
kill "$POLLER" 2>/dev/null; wait "$POLLER" 2>/dev/null; POLLER=

[ "$VM_END" = poweroff ] || fail "VM did not power off by itself (end=$VM_END)"
expect 'PKG-START' "scenario started" &&
	expect 'PKG-DPKG rc=0' "dpkg -i lifeboat.deb" &&
	expect 'PKG-INSTALLED enabled=disabled active=inactive' "units installed disabled, not started" &&
	expect 'PKG-STARTED rc=0' "systemctl start (Type=notify: returns after READY=1)" &&
	expect 'PKG-SHOW ActiveState=active' "active after start" &&
	expect 'PKG-SHOW Type=notify' "Type=notify"
[ -e "$VM_TMP/tftp-ok" ] || fail "the host could not fetch pxelinux.0 over TFTP from the VM"
expect_reset
expect 'PKG-TFTP-DONE' "lifeboat logged the host's TFTP transfer (tftp.done in the journal)"
expect 'PKG-RELOAD1 rc=0' "systemctl reload" &&
	expect 'PKG-RELOAD1-STATUS ok' "StatusText after a good reload" &&
	expect 'PKG-RELOAD2-STATUS failed' "StatusText after a reload with a missing boot file" &&
	expect 'PKG-SHOW ActiveState=active' "still active after the failed reload"
expect_reset
# the notifications, as systemd (debug level) logged them, in order
expect 'PKG-NOTIFY .*READY=1' "READY=1 at start" &&
	expect 'PKG-NOTIFY .*RELOADING=1.*MONOTONIC_USEC=[0-9]+' "RELOADING=1 with MONOTONIC_USEC" &&
	expect 'PKG-NOTIFY .*READY=1' "READY=1 after the reload" &&
	expect 'PKG-NOTIFY .*RELOADING=1' "RELOADING=1 of the failing reload" &&
	expect 'PKG-NOTIFY .*READY=1' "READY=1 after the failing reload"
expect_reset
# journalctl -p warning: the test's error, with the journal's priority and
# without lifeboat's own timestamp; no info lines
expect 'PKG-JWARN error serve\.error bios=missing-boot-file\.0 reason="not found under ROOT' \
	"journalctl -p warning shows the missing boot file (priority err, no own timestamp)"
expect_reset
expect 'PKG-JWARN error serve\.reload result=failed' "journalctl -p warning shows the failed reload"
[ "$(count_of 'PKG-JWARN .*(serve\.ready|serve\.reload result=ok|tftp\.done)')" = 0 ] ||
	fail "info lines passed journalctl -p warning"
[ "$(count_of 'PKG-JINFO info  serve\.')" -gt 0 ] || fail "no info-priority lifeboat lines in the journal"
[ "$(count_of 'PKG-J(WARN|INFO) [0-9]{4}-[0-9]{2}-[0-9]{2}T')" = 0 ] || fail "a journal line carries lifeboat's own timestamp"
expect_reset
expect 'PKG-STOP rc=0' "systemctl stop" &&
	expect 'PKG-SHOW ActiveState=inactive' "inactive after stop" &&
	expect 'PKG-SHOW Result=success' "Result=success" &&
	expect 'PKG-SHOW ExecMainStatus=0' "exit status 0" &&
	expect 'PKG-NOTIFY .*STOPPING=1' "STOPPING=1 sent"
expect_reset
expect 'PKG-INSTANCE-STARTED rc=0' "systemctl start lifeboat-serve@NIC.service" &&
	expect "PKG-INSTANCE active=active status=serving cmd=/usr/sbin/lifeboat serve --config /etc/lifeboat/serve.conf --interface ens[0-9]+ \$" \
		"the instance runs with --interface %i" &&
	expect 'PKG-INSTANCE-STOPPED rc=0 result=success status=0' "the instance stops cleanly"
expect 'PKG-END' "scenario ended"
score=$(grep -a 'PKG-SECURITY' "$VM_LOG" | head -1 | sed 's/.*PKG-SECURITY //; s/→ //')
[ -n "$score" ] && note "systemd-analyze security: ${score}"
grep -qE 'exposure level.*(OK|SAFE|PERFECT)' <<<"$score" || fail "security score not OK or better: $score"
grep -a 'PKG-JALL' "$VM_LOG" | sed 's/^/vm: /'
vm_finish "deb installed disabled; systemd start (READY), TFTP from the host, reload (RELOADING/READY), journal priorities, stop (STOPPING, status 0) in ${VM_SECS}s"
