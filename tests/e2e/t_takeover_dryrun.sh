#!/usr/bin/env bash
# lifeboat takeover --dry-run on this host (safe: it changes nothing), its
# exit codes (0 would proceed, 1 would refuse) and the refusal checks.
# Non-dry-run refusals are only tried inside a private PID + mount namespace
# whose PID 1 is `sleep` (an init without a re-exec of its own: ptrace).
set -u
cd "$(dirname "$0")/../.."
LB=$PWD/lifeboat
[ -x "$LB" ] || { echo "FAIL: build ./lifeboat first"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
W=$(mktemp -d /tmp/lbr-dry.XXXXXX)
NSPID= CT=
cleanup() {
	[ -n "$NSPID" ] && kill -KILL "$NSPID" 2>/dev/null
	[ -n "$CT" ] && [ "$CT" != 1 ] && kill -KILL "$CT" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
fail() { echo "RESULT: FAIL $*"; exit 1; }

# 1. host dry run: a plan naming the host's PID 1, exit 0, nothing changed
before=$(grep -c lifeboat /proc/self/mountinfo)
"$LB" takeover --dry-run > $W/dry.out 2>&1; rc=$?
cat $W/dry.out
# exit code: 0 exactly when the verdict is "would proceed", else 1
if grep -q "^verdict: would proceed" $W/dry.out; then want=0; else want=1; fi
[ $rc = $want ] || fail "dry run exit $rc, verdict wants $want"
rc0=$rc
comm=$(cat /proc/1/comm)
grep -q "^  init: .*comm=$comm" $W/dry.out || fail "plan does not name PID 1 ($comm)"
for k in "re-exec method:" "carried:" "RAM: need" "unmounted (in this order" "verdict:"; do
	grep -q "$k" $W/dry.out || fail "plan lacks '$k'"
done
grep -q "/lifeboat/lifeboat" $W/dry.out || fail "plan does not carry itself"
[ -e /run/lifeboat-rescue ] && fail "dry run left /run/lifeboat-rescue"
[ "$(grep -c lifeboat /proc/self/mountinfo)" = "$before" ] || fail "dry run changed mounts"

# 2. --carry resolves libraries (e2fsck and its libs appear in the plan)
if [ -x /usr/sbin/e2fsck ]; then
	"$LB" takeover --dry-run --carry /usr/sbin/e2fsck > $W/carry.out 2>&1
	grep -q "libext2fs.so.2" $W/carry.out || fail "--carry e2fsck lacks libext2fs"
	"$LB" takeover --dry-run --carry /nonexistent/x > $W/carry2.out 2>&1
	grep -q "refused: cannot carry /nonexistent/x" $W/carry2.out || fail "no refusal for missing --carry"
fi

# 3. without CAP_SYS_ADMIN: refused, and the mount probe reports EPERM
setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin "$LB" takeover --dry-run > $W/nocap.out 2>&1
rc=0; setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin "$LB" takeover --dry-run >/dev/null 2>&1 || rc=$?
[ $rc = 1 ] || fail "refusing dry run exit $rc, want 1"
grep -q "verdict: would refuse (dry run: nothing changed; exit 1)" $W/nocap.out || fail "no refuse verdict"
grep -q "refused: no CAP_SYS_ADMIN" $W/nocap.out || { cat $W/nocap.out; fail "no CAP_SYS_ADMIN refusal"; }
grep -q "refused: mount blocked by seccomp/LSM" $W/nocap.out || { cat $W/nocap.out; fail "no mount-blocked refusal"; }
# 4. not root
setpriv --reuid=65534 --regid=65534 --clear-groups "$LB" takeover --dry-run > $W/user.out 2>&1
grep -q "refused: not root" $W/user.out || { cat $W/user.out; fail "no not-root refusal"; }

# 5. unknown init, for real (not dry run), but only inside a new PID + mount
#    namespace whose PID 1 is sleep: refused, exit 1, nothing mounted.
unshare --pid --fork --mount --mount-proc --propagation private \
	sh -c 'exec sleep 60' &
NSPID=$!
sleep 0.5
CT=$(pgrep -P $NSPID | head -1)
[ -n "$CT" ] && [ "$CT" != 1 ] || fail "no namespace"
[ "$(readlink /proc/$CT/ns/pid)" != "$(readlink /proc/1/ns/pid)" ] || fail "same pid ns"
# 5a. dry run: sleep has no re-exec of its own, so ptrace; would proceed (exit 0)
rc=0; nsenter -t $CT -m -p -- "$LB" takeover --dry-run > $W/pt.out 2>&1 || rc=$?
cat $W/pt.out
[ $rc = 0 ] || fail "ptrace dry run: exit $rc"
grep -q "re-exec method: ptrace" $W/pt.out || fail "sleep not planned with ptrace"
grep -q "ptrace preflight: .*attach to PID 1 ok" $W/pt.out || fail "no ptrace preflight"
# 5b. --reexec none, for real: refused, exit 1, nothing changed
rc=0; nsenter -t $CT -m -p -- "$LB" takeover --yes --reexec none > $W/unknown.out 2>&1 || rc=$?
cat $W/unknown.out
[ $rc = 1 ] || fail "unknown init with --reexec none: exit $rc"
grep -q "refused: unknown init .* has no re-exec of its own and --reexec none forbids ptrace" $W/unknown.out ||
	fail "no --reexec none refusal"
grep -q "own re-exec: systemd, sysvinit, openrc-init, busybox" $W/unknown.out || fail "no list"
grep -q lifeboat /proc/$CT/mountinfo && fail "refusal left a mount"
[ "$(readlink /proc/$CT/exe)" = "$(readlink -f "$(command -v sleep)")" ] || fail "ns PID 1 changed"
# 6. without CAP_SYS_PTRACE the ptrace preflight refuses (dry run, exit 1)
rc=0; nsenter -t $CT -m -p -- setpriv --inh-caps=-sys_ptrace --bounding-set=-sys_ptrace \
	"$LB" takeover --dry-run --force-ptrace > $W/ptrace.out 2>&1 || rc=$?
cat $W/ptrace.out
[ $rc = 1 ] || fail "no-CAP_SYS_PTRACE dry run: exit $rc"
grep -q "refused: ptrace: attach to PID 1: Operation not permitted: no CAP_SYS_PTRACE" $W/ptrace.out ||
	fail "no CAP_SYS_PTRACE refusal"
echo "RESULT: PASS dry run names $comm (exit $rc0), refusals (exit 1): no cap, no root, --reexec none, no CAP_SYS_PTRACE; sleep planned with ptrace"
