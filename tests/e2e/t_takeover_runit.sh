#!/usr/bin/env bash
# lifeboat takeover of runit (Debian's runit-init) as PID 1 of a Debian 12 VM,
# through the ptrace re-exec (runit has no re-exec of its own). The cached
# busybox image is reused (tests/e2e/vm): Debian's runit and runit-init
# packages, fetched with apt-get download on the host, are injected as a
# tarball; the first boot's scenario (under busybox init) unpacks them and
# makes busybox init exec /lib/runit/runit-init as PID 1 (which execs
# /sbin/runit); runit's stage 2 then runs the scenario again, which checks
# PID 1 is runit, dry-runs (ptrace planned, exit 0) and takes over:
# lifeboat becomes PID 1, releases the root, e2fsck -f -n /dev/vda is clean,
# poweroff.
. "$(dirname "$0")/vm/lib.sh"
vm_setup t_takeover_runit
dl=$VM_TMP/dl
mkdir -p $dl/x
(cd $dl && apt-get download runit runit-init >/dev/null 2>&1) ||
	vm_skip "apt-get download runit runit-init failed (no mirror?)"
for d in $dl/*.deb; do dpkg-deb -x "$d" $dl/x; done
# Our own stages: the image has no sysv scripts for Debian's stage 1.
rm -rf $dl/x/usr/share $dl/x/sbin/init $dl/x/sbin/halt $dl/x/sbin/poweroff $dl/x/etc/runit $dl/x/etc/service
mkdir -p $dl/x/etc/runit $dl/x/etc/service
printf '#!/bin/sh\necho "RUNIT-STAGE1 pid1=$(cat /proc/1/comm)" >/dev/console\n' >$dl/x/etc/runit/1
printf '#!/bin/sh\n/usr/local/sbin/lb-hook &\nexec /usr/bin/runsvdir -P /etc/service\n' >$dl/x/etc/runit/2
printf '#!/bin/sh\nexec /bin/busybox poweroff -f\n' >$dl/x/etc/runit/3
chmod 755 $dl/x/etc/runit/[123]
tar -C $dl/x -cf $VM_TMP/runit.tar .
scen=$VM_TMP/scenario.sh
cat >$scen <<'EOF2'
#!/bin/sh
if [ "$(cat /proc/1/comm)" != runit ]; then
	echo "RUNIT-PHASE1 pid1=$(cat /proc/1/comm)"
	busybox tar -xf /usr/local/sbin/runit.tar -C /
	echo '::restart:/lib/runit/runit-init' >/etc/inittab
	sync
	kill -HUP 1
	sleep 1
	kill -QUIT 1
	exec sleep 3600
fi
echo "RUNIT-PHASE2 pid1=$(cat /proc/1/comm) exe=$(readlink /proc/1/exe)"
/usr/local/sbin/lifeboat takeover --dry-run
echo "SCENARIO-DRYRUN-EXIT status=$?"
echo SCENARIO-START
echo SCENARIO-TAKEOVER
/usr/local/sbin/lifeboat takeover --yes --grace 3 --carry /sbin/e2fsck \
	--run 'e2fsck -f -n /dev/vda' --then poweroff
st=$?
echo "SCENARIO-TAKEOVER-EXIT status=$st"
[ $st = 0 ] && exec sleep 3600
exec /bin/busybox poweroff -f
EOF2
LB_VM_INJECT="$VM_TMP/runit.tar=/usr/local/sbin/runit.tar" \
	LB_VM_MARKS="RUNIT-PHASE1 RUNIT-PHASE2 SCENARIO-TAKEOVER LIFEBOAT-PID1 LIFEBOAT-ROOT-RELEASED LIFEBOAT-RUN-EXIT" \
	vm_run busybox "$scen" "${LB_VM_TIMEOUT:-420}"
expect 'RUNIT-PHASE1 pid1=init' "busybox init first"
expect 'RUNIT-STAGE1 pid1=runit' "runit stage 1 with runit as PID 1"
expect 'RUNIT-PHASE2 pid1=runit exe=(/usr)?/sbin/runit$' "scenario under runit (PID 1 exe /sbin/runit)"
expect '^  init: runit \(exe=(/usr)?/sbin/runit' "dry run names runit"
expect '^  re-exec method: ptrace: PID 1 made to call execve' "dry run plans ptrace"
expect 'verdict: would proceed' "dry run would proceed"
expect 'SCENARIO-DRYRUN-EXIT status=0' "dry run exit 0"
expect 'takeover.ptrace msg="PID 1 called execve' "ptrace re-exec done"
expect 'LIFEBOAT-PID1 pid=1 init=runit( |$)' "LIFEBOAT-PID1 pid=1 init=runit"
expect 'LIFEBOAT-ROOT-RELEASED secs=[0-9.]+ ram_kib=[0-9]+' "root released"
expect 'Pass 5: Checking group summary information' "e2fsck pass 5"
expect '^(/dev/vda|lbroot): [0-9]+/[0-9]+ files' "e2fsck summary"
expect 'LIFEBOAT-RUN-EXIT status=0( |$)' "e2fsck clean (status 0)"
expect 'LIFEBOAT-THEN action=poweroff' "then poweroff"
if [ "$(count_of 'is mounted|WARNING|UNEXPECTED INCONSISTENCY|needs_recovery')" != 0 ]; then
	fail "e2fsck saw a mounted or inconsistent fs"
fi
[ "$VM_END" = poweroff ] || fail "VM ended by '$VM_END', not poweroff"
vm_finish "runit: phase2=${VM_MARK[RUNIT-PHASE2]:-?}s takeover-to-released=$(mark_delta SCENARIO-TAKEOVER LIFEBOAT-ROOT-RELEASED)s vm=${VM_SECS}s"
