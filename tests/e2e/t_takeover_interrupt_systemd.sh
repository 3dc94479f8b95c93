#!/usr/bin/env bash
# lifeboat takeover stage 0 interrupted on a Debian 12 VM whose PID 1 is
# systemd. For SIGINT, SIGTERM and SIGHUP: takeover paused after the bind
# over systemd's binary (LIFEBOAT_PAUSE=bind) gets the signal, exits
# 128+signal after its undo, no lifeboat mount is left, and a later
# `systemctl daemon-reexec` keeps systemd as PID 1. Then stage 0 is
# SIGKILLed after the bind (the bind stays), its state is made stale (boot
# id of another boot) and `systemctl daemon-reexec` runs: systemd execs
# lifeboat through the leftover bind, which must remove it and exec
# systemd again at once (systemd deserializes and carries on).
. "$(dirname "$0")/vm/lib.sh"
vm_setup t_takeover_interrupt_systemd
scen=$VM_TMP/scenario.sh
cat >"$scen" <<'EOF2'
#!/bin/sh
echo SCENARIO-START
exe0=$(readlink /proc/1/exe)
echo "SCEN-PID1-BEFORE exe=$exe0"
paused() { # out
	for i in $(seq 600); do grep -q "paused after step bind" $1 && return 0; sleep 0.1; done
	return 1
}
check() { # label
	if grep -q lifeboat-rescue /proc/self/mountinfo; then echo "SCEN-LEFTOVER $1"; fi
	systemctl daemon-reexec
	echo "SCEN-AFTER-REEXEC $1 exe=$(readlink /proc/1/exe) comm=$(cat /proc/1/comm) ok=$([ "$(readlink /proc/1/exe)" = "$exe0" ] && echo yes || echo no)"
}
for sig in INT TERM HUP; do
	LIFEBOAT_PAUSE=bind lifeboat takeover --yes --grace 1 >/tmp/o.$sig 2>&1 &
	tk=$!
	paused /tmp/o.$sig || { cat /tmp/o.$sig; echo "SCEN-NOPAUSE $sig"; }
	grep -q " $(realpath /lib/systemd/systemd) .*lifeboat-rescue" /proc/self/mountinfo && echo "SCEN-BOUND $sig"
	kill -$sig $tk
	wait $tk
	echo "SCEN-RC $sig rc=$?"
	grep -q "undone: bind and rescue tmpfs removed" /tmp/o.$sig && echo "SCEN-UNDONE $sig"
	check $sig
done
LIFEBOAT_PAUSE=bind lifeboat takeover --yes --grace 1 >/tmp/o.kill 2>&1 &
tk=$!
paused /tmp/o.kill && kill -KILL $tk
wait $tk
grep -q lifeboat-rescue /proc/self/mountinfo && echo "SCEN-KILLED-LEFTOVER"
sed -i 's/^boot_id=.*/boot_id=00000000-0000-4000-8000-000000000000/' /run/lifeboat-rescue/lifeboat/state
check stale
dmesg | grep -q "lifeboat: PID 1 entered through a takeover leftover (state written in an earlier boot)" &&
	echo SCEN-DMESG-STALE
systemctl is-system-running --wait >/dev/null 2>&1
echo "SCEN-SYSTEM state=$(systemctl is-system-running)"
echo SCEN-DONE
lb-poweroff
EOF2
LB_VM_MARKS="SCENARIO-START SCEN-DONE" vm_run systemd "$scen" "${LB_VM_TIMEOUT:-420}"
expect 'SCENARIO-START' "scenario start"
for sig in INT TERM HUP; do
	case $sig in INT) n=130 ;; TERM) n=143 ;; HUP) n=129 ;; esac
	[ "$(count_of "SCEN-NOPAUSE $sig")" = 0 ] || fail "$sig: takeover did not pause after the bind"
	expect "SCEN-BOUND $sig" "$sig: bind over systemd while paused"
	expect "SCEN-RC $sig rc=$n" "$sig: takeover exit $n"
	expect "SCEN-UNDONE $sig" "$sig: undo reported"
	[ "$(count_of "SCEN-LEFTOVER $sig")" = 0 ] || fail "$sig: a lifeboat mount was left"
	expect "SCEN-AFTER-REEXEC $sig .*ok=yes" "$sig: systemd still PID 1 after daemon-reexec"
done
expect 'SCEN-KILLED-LEFTOVER' "SIGKILLed stage 0 leaves its bind (the case the stale path is for)"
expect 'SCEN-AFTER-REEXEC stale .*ok=yes' "systemd PID 1 again after the stale entry"
expect 'SCEN-DMESG-STALE' "lifeboat entered through the stale bind and said so (kernel log)"
[ "$(count_of 'SCEN-LEFTOVER stale')" = 0 ] && fail "the stale leftover was not there before the re-exec"
[ "$(count_of 'LIFEBOAT-PID1')" = 0 ] || fail "lifeboat acted as the rescue init"
expect 'SCEN-SYSTEM state=(running|degraded)' "systemd healthy afterwards"
expect 'SCEN-DONE' "scenario finished"
vm_finish "INT/TERM/HUP after the bind undone, daemon-reexec keeps systemd; stale bind re-executes systemd (vm=${VM_SECS}s)"
