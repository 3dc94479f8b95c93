#!/usr/bin/env bash
# lifeboat takeover inside systemd-nspawn (systemd-container) booting the
# cached Debian 12 systemd image (tests/e2e/vm/mkimage systemd; a sparse copy
# on a loop device) as a directory container. The image's lb-scenario.service
# runs the scenario as a service of the container's systemd, so it has
# nspawn's capability bounding set and seccomp filter:
#  - dry run: systemd's own re-exec planned, exit 0;
#  - dry run with --reexec ptrace: the ptrace preflight as nspawn allows it;
#  - the real takeover with --reexec ptrace (systemd made to execve lifeboat
#    by ptrace; LB_NSP_REEXEC=auto: systemd's own daemon-reexec, as
#    t_takeover_nspawn_native.sh does), --run: the container's PID 1 becomes
#    lifeboat (same PID), /oldroot is empty, and e2fsck -fn of the loop
#    device is clean.
set -u
cd "$(dirname "$0")/../.."
LB=$PWD/lifeboat
REEXEC=${LB_NSP_REEXEC:-ptrace}
T0=$(date +%s.%N)
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v systemd-nspawn >/dev/null || { echo "SKIP: systemd-nspawn missing (systemd-container)"; exit 77; }
[ -x "$LB" ] || { echo "FAIL: build ./lifeboat first"; exit 1; }
W=$(mktemp -d /tmp/lbnsp.XXXXXX)
LOOP= NSP= CT=
cleanup() {
	[ -n "$CT" ] && [ "$CT" != 1 ] && kill -KILL "$CT" 2>/dev/null
	[ -n "$NSP" ] && kill -KILL "$NSP" 2>/dev/null
	for _ in $(seq 50); do [ -n "$NSP" ] && kill -0 "$NSP" 2>/dev/null || break; sleep 0.1; done
	[ -n "$LOOP" ] && losetup -d "$LOOP" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
fail() {
	echo "--- scenario log:"; cat $W/out/scen.log 2>/dev/null
	echo "--- nspawn:"; tail -20 $W/nspawn.log 2>/dev/null
	echo "RESULT: FAIL $*"; exit 1
}
img=$(LB_E2E_CACHE=${LB_E2E_CACHE:-} tests/e2e/vm/mkimage systemd | sed -n 's/^image=//p')
[ -f "$img" ] || fail "no systemd image"
cp --sparse=always "$img" $W/root.img
mkdir -p $W/m $W/out
cat >$W/scenario <<EOF2
#!/bin/sh
exec >/lbout/scen.log 2>&1
grep -E '^(Cap(Eff|Bnd)|Seccomp):' /proc/self/status
touch /lbout/booted
for i in \$(seq 600); do [ -e /lbout/go ] && break; sleep 0.1; done
/usr/local/sbin/lifeboat takeover --dry-run; echo "DRY-NATIVE-EXIT=\$?"
/usr/local/sbin/lifeboat takeover --dry-run --reexec ptrace; echo "DRY-PTRACE-EXIT=\$?"
/usr/local/sbin/lifeboat takeover --yes --grace 2 --reexec $REEXEC \\
	--run 'echo RUN-OK; ls /oldroot | wc -l'
echo "TAKEOVER-EXIT=\$?"
EOF2
LOOP=$(losetup -f --show $W/root.img) || fail "losetup"
# The image gets lifeboat and the scenario; the outer mount is detached
# lazily once the container runs, so only the container holds the fs.
cat >$W/start.sh <<EOF2
set -e
mount $LOOP $W/m
cp $LB $W/m/usr/local/sbin/lifeboat
install -m 755 $W/scenario $W/m/usr/local/sbin/lb-scenario
systemd-nspawn -q -D $W/m -b --register=no --keep-unit --console=pipe -M lbnsp$$ \
	--bind=$W/out:/lbout </dev/null >$W/nspawn.log 2>&1 &
echo \$! >$W/nspawn.pid
for i in \$(seq 1200); do [ -e $W/out/booted ] && break; sleep 0.1; done
umount -l $W/m
touch $W/out/go
wait
EOF2
unshare -m --propagation private bash $W/start.sh 2>$W/start.err &
for _ in $(seq 1200); do [ -e $W/out/go ] && break; sleep 0.1; done
[ -e $W/out/go ] || fail "the container did not boot to its scenario within 120 s"
NSP=$(cat $W/nspawn.pid)
CT=$(pgrep -P $NSP | head -1)
[ -n "$CT" ] && [ "$CT" != 1 ] || fail "no container PID 1"
[ "$(readlink /proc/$CT/ns/pid)" != "$(readlink /proc/1/ns/pid)" ] || fail "same pid ns as host"
echo "container PID 1: host pid $CT, $(readlink /proc/$CT/exe)"
for _ in $(seq 1200); do grep -q "TAKEOVER-EXIT=\|LIFEBOAT\|RUN-OK" $W/out/scen.log && break; sleep 0.1; done
for _ in $(seq 600); do grep -q "RUN-OK" /proc/$CT/root/run/lifeboat-run.log 2>/dev/null && break; sleep 0.1; done
cat $W/out/scen.log | grep -vE "^  (carried|unmounted)"
grep -q "DRY-NATIVE-EXIT=0" $W/out/scen.log || fail "native dry run did not exit 0"
grep -q "re-exec method: systemctl daemon-reexec" $W/out/scen.log || fail "native method not planned"
grep -q "ptrace preflight:" $W/out/scen.log || fail "no ptrace preflight"
grep -q "DRY-PTRACE-EXIT=0" $W/out/scen.log || fail "ptrace dry run refused under nspawn"
if [ $REEXEC = ptrace ]; then
	grep -q 'takeover.ptrace msg="PID 1 called execve' $W/out/scen.log || fail "no ptrace re-exec"
	how="systemd made to execve lifeboat by ptrace"
else
	grep -q 'method="systemctl daemon-reexec"' $W/out/scen.log || fail "not systemd's own re-exec"
	how="systemd's own daemon-reexec"
fi
[ "$(readlink /proc/$CT/exe)" = /lifeboat/lifeboat ] || fail "container PID 1 is $(readlink /proc/$CT/exe)"
grep -A1 RUN-OK /proc/$CT/root/run/lifeboat-run.log | tail -1 | grep -qx 0 || fail "/oldroot not empty"
e2fsck -fn $LOOP >$W/fsck.out 2>&1 || { cat $W/fsck.out; fail "e2fsck of the container's root not clean"; }
echo "RESULT: PASS nspawn ($REEXEC): $how, root released, e2fsck clean ($(echo "$(date +%s.%N) - $T0" | bc | cut -c1-5) s)"
