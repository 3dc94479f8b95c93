#!/usr/bin/env bash
# Takeover inside a real container runtime: podman (Debian 4.3) with runc,
# all state private to the test (--root/--runroot/--tmpdir under $W, vfs
# storage, no network, no registry: the image is `podman import` of a
# tarball holding busybox-static, tini-static and ./lifeboat).
#
# Workarounds this machine needs (doc/takeover.md "Containers"): the
# sandbox's bounding set lacks CAP_SYS_RESOURCE and podman 4.3 asks the
# runtime for nofile/nproc limits it cannot set ("error setting rlimit type
# 6: operation not permitted"), so the containers get lower limits
# (--ulimit nofile=1024:1024 --ulimit nproc=1024:1024); crun 1.8 refuses the
# hybrid cgroup layout here, so --runtime runc.
#
#  1. default capabilities and podman's default seccomp profile, PID 1 tini
#     and PID 1 plain `sleep`: `takeover --dry-run` exits 1 naming the
#     blockers (no CAP_SYS_ADMIN, mount blocked by seccomp); a real takeover
#     exits 1 too and PID 1 is unchanged;
#  2. only --cap-add SYS_ADMIN,SYS_BOOT (no SYS_PTRACE) with the default seccomp
#     profile (still a filter, Seccomp: 2: the profile allows mount,
#     umount2 and pivot_root once CAP_SYS_ADMIN is granted), PID 1 `sleep`: dry run exits 0 (ptrace planned), takeover
#     via ptrace: lifeboat is PID 1, the container's root is released
#     (/oldroot empty, nothing busy), --then poweroff stops the container
#     (reboot(2) in a PID namespace: exit 130, SIGINT); a dry run with
#     --then kexec is refused (not the initial PID namespace);
#  3. --privileged (no seccomp filter), PID 1 tini running sleep: the same.
# CAP_SYS_PTRACE is not needed: podman exec gets the same capabilities as
# PID 1 and ptrace_may_access only wants the tracer's permitted set to cover
# the tracee's (same uid, no Yama), and the default seccomp profile allows
# ptrace. So step 1 names CAP_SYS_ADMIN and seccomp, and step 2 works with
# the minimal set: SYS_ADMIN (mount, pivot_root), SYS_BOOT (the poweroff).
set -u
cd "$(dirname "$0")/../.."
T0=$(date +%s.%N)
LB=$PWD/lifeboat
BB=/bin/busybox
for need in podman runc; do
	command -v $need >/dev/null || { echo "SKIP: $need missing"; exit 77; }
done
[ -x /usr/bin/tini-static ] || { echo "SKIP: tini-static missing (tini)"; exit 77; }
file -L "$BB" 2>/dev/null | grep -q static || { echo "SKIP: static busybox missing (busybox-static)"; exit 77; }
[ -x "$LB" ] || { echo "FAIL: build ./lifeboat first"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }

W=$(mktemp -d /tmp/lbct-podman.XXXXXX)
# Nothing of the host's podman configuration, storage or registries is used.
mkdir -p $W/tmp
printf '[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "none"\n' >$W/containers.conf
printf '[storage]\ndriver = "vfs"\ngraphroot = "%s"\nrunroot = "%s"\n' $W/storage $W/run >$W/storage.conf
: >$W/registries.conf
export CONTAINERS_CONF=$W/containers.conf CONTAINERS_STORAGE_CONF=$W/storage.conf
export CONTAINERS_REGISTRIES_CONF=$W/registries.conf TMPDIR=$W/tmp
P() {
	podman --root $W/storage --runroot $W/run --tmpdir $W/tmp --storage-driver vfs \
		--cgroup-manager cgroupfs --events-backend none "$@"
}
cleanup() {
	P rm -f -a -t 0 >/dev/null 2>&1
	P rmi -a -f >/dev/null 2>&1
	# vfs layers are plain directories; anything podman left mounted goes too
	grep -o " $W/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
fail() {
	echo "RESULT: FAIL $*"
	exit 1
}

# The image
R=$W/rootfs
mkdir -p $R/bin $R/sbin $R/etc $R/dev $R/proc $R/sys $R/run $R/tmp
cp $BB $R/bin/busybox
for a in sh sleep cat ls echo wc readlink; do ln -s busybox $R/bin/$a; done
cp /usr/bin/tini-static $R/sbin/tini
cp $LB $R/sbin/lifeboat
tar -C $R -cf $W/root.tar . || fail "tar"
P import $W/root.tar localhost/lbtest:1 >$W/import.out 2>&1 || { cat $W/import.out; fail "podman import"; }
echo "podman $(P version --format '{{.Client.Version}}'), runc $(runc --version | head -1 | cut -d' ' -f3), image imported"

RUN="--runtime runc --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024"
start() { # name podman-args... -- command...
	local name=$1
	shift
	P run -d -t --name $name $RUN "$@" >$W/$name.start 2>&1 || { cat $W/$name.start; fail "$name: podman run"; }
	hpid $name >/dev/null || fail "$name: not running"
}
hpid() { # host pid of the container's PID 1
	local p
	p=$(P inspect -f '{{.State.Pid}}' $1) && [ -n "$p" ] && [ "$p" != 0 ] && [ "$p" != 1 ] || return 1
	echo $p
}
status1() { grep "^$2:" /proc/$1/status | cut -f2; }

# 1. default capabilities and seccomp
start def-tini localhost/lbtest:1 /sbin/tini -- /bin/sleep 100000
start def-sleep localhost/lbtest:1 /bin/sleep 100000
for c in def-tini def-sleep; do
	h=$(hpid $c)
	exe0=$(readlink /proc/$h/exe)
	[ "$(status1 $h Seccomp)" = 2 ] || fail "$c: PID 1 has no seccomp filter (Seccomp: $(status1 $h Seccomp))"
	rc=0
	P exec $c /sbin/lifeboat takeover --dry-run >$W/$c.dry 2>&1 || rc=$?
	[ $rc = 1 ] || { cat $W/$c.dry; fail "$c: dry run exit $rc, want 1"; }
	for want in "re-exec method: ptrace: PID 1 made to call execve of /run/lifeboat-rescue/lifeboat/lifeboat" \
		"ptrace preflight: yama ptrace_scope=none, CAP_SYS_PTRACE no, attach to PID 1 ok, seccomp self=2 pid1=2" \
		"refused: no CAP_SYS_ADMIN in CapEff" \
		"refused: mount blocked by seccomp/LSM, typical in containers" \
		"verdict: would refuse (dry run: nothing changed; exit 1)"; do
		grep -qF "$want" $W/$c.dry || { cat $W/$c.dry; fail "$c: dry run lacks '$want'"; }
	done
	rc=0
	P exec $c /sbin/lifeboat takeover --yes --grace 1 >$W/$c.real 2>&1 || rc=$?
	[ $rc = 1 ] || { cat $W/$c.real; fail "$c: takeover exit $rc, want 1"; }
	grep -qF "refused: no CAP_SYS_ADMIN in CapEff" $W/$c.real || { cat $W/$c.real; fail "$c: no refusal"; }
	[ "$(hpid $c)" = $h ] && [ "$(readlink /proc/$h/exe)" = "$exe0" ] || fail "$c: PID 1 changed"
	P logs $c 2>&1 | grep -q LIFEBOAT- && fail "$c: a lifeboat marker although nothing was to change"
	echo "1. $c ($exe0, default caps + seccomp): dry run and takeover refused (exit 1): no CAP_SYS_ADMIN, mount blocked by seccomp"
done
P rm -f -t 0 def-tini def-sleep >/dev/null 2>&1

# 2./3. takeover for real
takeover() { # name label seccomp-mode CAP_SYS_PTRACE(yes|no)
	local c=$1 h exe0 rc st
	h=$(hpid $c)
	exe0=$(readlink /proc/$h/exe)
	rc=0
	P exec $c /sbin/lifeboat takeover --dry-run >$W/$c.dry 2>&1 || rc=$?
	[ $rc = 0 ] || { cat $W/$c.dry; fail "$c: dry run exit $rc, want 0"; }
	grep -qF "ptrace preflight: yama ptrace_scope=none, CAP_SYS_PTRACE $4, attach to PID 1 ok, seccomp self=$3 pid1=$3" $W/$c.dry ||
		{ cat $W/$c.dry; fail "$c: preflight"; }
	grep -qF "verdict: would proceed" $W/$c.dry || { cat $W/$c.dry; fail "$c: no verdict"; }
	P exec $c /sbin/lifeboat takeover --yes --grace 1 --then poweroff \
		--run 'echo RUN-OK; ls -a /oldroot | wc -l; readlink /proc/1/exe; cat /proc/1/comm' >$W/$c.real 2>&1 ||
		{ cat $W/$c.real; fail "$c: takeover exit $?"; }
	grep -qF "PID 1 called execve of /run/lifeboat-rescue/lifeboat/lifeboat" $W/$c.real ||
		{ cat $W/$c.real; fail "$c: no ptrace"; }
	st=$(timeout 60 podman --root $W/storage --runroot $W/run --tmpdir $W/tmp --storage-driver vfs \
		--cgroup-manager cgroupfs --events-backend none wait $c) || fail "$c: did not stop within 60 s"
	P logs $c >$W/$c.log 2>&1
	tr -d '\r' <$W/$c.log >$W/$c.con
	for want in "LIFEBOAT-PID1 pid=1" "0 busy, 0 detached lazily" "LIFEBOAT-ROOT-RELEASED" \
		"LIFEBOAT-RUN-EXIT status=0" "LIFEBOAT-THEN action=poweroff"; do
		grep -qF "$want" $W/$c.con || { cat $W/$c.con; fail "$c: console lacks '$want'"; }
	done
	grep -x -A3 RUN-OK $W/$c.con | sed -n 2,4p | tr '\n' ' ' | grep -qx "2 /lifeboat/lifeboat lifeboat " ||
		{ cat $W/$c.con; fail "$c: /oldroot not empty or PID 1 not lifeboat"; }
	[ "$st" = 130 ] || { cat $W/$c.con; fail "$c: exit status $st, want 130 (poweroff in a PID namespace)"; }
	echo "$2 $c ($exe0, Seccomp: $3, CAP_SYS_PTRACE $4): ptrace takeover, PID 1 /lifeboat/lifeboat, /oldroot empty, poweroff stopped the container (exit $st)"
}
start caps-sleep --cap-add SYS_ADMIN,SYS_BOOT localhost/lbtest:1 /bin/sleep 100000
# kexec would replace the host's kernel: refused even where the rest would proceed
rc=0
P exec caps-sleep /sbin/lifeboat takeover --dry-run --then kexec >$W/kexec.dry 2>&1 || rc=$?
[ $rc = 1 ] || { cat $W/kexec.dry; fail "--then kexec dry run exit $rc, want 1"; }
grep -qF "not in the initial PID namespace (a container): kexec would replace the host's kernel" $W/kexec.dry ||
	{ cat $W/kexec.dry; fail "--then kexec: no PID namespace refusal"; }
# without SYS_BOOT, --then poweroff would leave a rescue shell: refused first
start caps-noboot --cap-add SYS_ADMIN localhost/lbtest:1 /bin/sleep 100000
rc=0
P exec caps-noboot /sbin/lifeboat takeover --dry-run --then poweroff >$W/noboot.dry 2>&1 || rc=$?
[ $rc = 1 ] || { cat $W/noboot.dry; fail "no SYS_BOOT: dry run exit $rc, want 1"; }
grep -qF "refused: no CAP_SYS_BOOT in CapEff: --then poweroff would fail" $W/noboot.dry ||
	{ cat $W/noboot.dry; fail "no SYS_BOOT: no refusal naming CAP_SYS_BOOT"; }
rc=0
P exec caps-noboot /sbin/lifeboat takeover --dry-run --then return >$W/noboot-ret.dry 2>&1 || rc=$?
[ $rc = 0 ] || { cat $W/noboot-ret.dry; fail "no SYS_BOOT, --then return: dry run exit $rc, want 0"; }
takeover caps-sleep "2." 2 no
start priv-tini --privileged localhost/lbtest:1 /sbin/tini -- /bin/sleep 100000
takeover priv-tini "3." 0 yes
T1=$(date +%s.%N)
echo "RESULT: PASS podman+runc: default caps/seccomp refused by name, no SYS_BOOT refused for poweroff; with only SYS_ADMIN+SYS_BOOT added (default seccomp) or --privileged, sleep/tini as PID 1 taken over via ptrace, root released, container stopped ($(echo "$T1 - $T0" | bc | cut -c1-5) s)"
