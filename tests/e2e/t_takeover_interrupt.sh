#!/usr/bin/env bash
# lifeboat takeover stage 0 interrupted, in the busybox-init container of
# lib_container.sh (its PID 1 re-executes on SIGHUP + SIGQUIT, as busybox
# init does, the stand-in here for a routine `systemctl daemon-reexec`):
#  1) SIGINT, SIGTERM and SIGHUP at each step: state written
#     (LIFEBOAT_PAUSE=state), bind made (=bind), re-exec requested (=reexec;
#     with LIFEBOAT_FAULT=reexec the init is not really told): takeover exits
#     128+signal after its undo; PID 1 exe and the mount table are as before;
#     a later re-exec of PID 1 brings back busybox init, not lifeboat;
#  2) stage 0 SIGKILLed after the bind (nothing can undo that): the next
#     takeover refuses while the state is valid; once it is stale (boot id
#     of another boot), a re-exec of PID 1 enters lifeboat through the
#     leftover bind, and lifeboat removes it and execs busybox init at once;
#  3) leftovers again, made stale: `takeover --dry-run` names them and a
#     real run removes them first (then fails at the re-exec fault, undoes).
# Guards as in t_takeover_container.sh: the PID 1 acted on is never the host's.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib_container.sh
ct_setup interrupt
ct_rootfs
ct_boot
exe0=$(readlink /proc/$CTPID/exe)
case $exe0 in *busybox*) ;; *) fail "container init is not busybox: $exe0" ;; esac
mounts0=$(cut -d' ' -f5 /proc/$CTPID/mountinfo)
STATE=/proc/$CTPID/root/run/lifeboat-rescue/lifeboat/state
T0=$(date +%s)
boots=1

unchanged() { # label
	local exe; exe=$(readlink /proc/$CTPID/exe)
	kill -0 $CTPID 2>/dev/null || fail "$1: container PID 1 died"
	[ "$exe" = "$exe0" ] || fail "$1: PID 1 exe is now $exe"
	grep -q "lifeboat-rescue" /proc/$CTPID/mountinfo && { cat /proc/$CTPID/mountinfo; fail "$1: lifeboat mount left"; }
	[ "$(cut -d' ' -f5 /proc/$CTPID/mountinfo)" = "$mounts0" ] ||
		{ cat /proc/$CTPID/mountinfo; fail "$1: mount table changed"; }
	[ -e /proc/$CTPID/root/run/lifeboat-rescue ] && fail "$1: /run/lifeboat-rescue left"
	return 0
}

# PID 1 re-executes (busybox: re-read the inittab, then run ::restart:) and
# must come back as busybox init: one more CT-BOOTED, same exe.
reexec_pid1() { # label
	kill -HUP $CTPID; sleep 0.3; kill -QUIT $CTPID
	boots=$((boots + 1))
	wait_for CT-BOOTED $boots 20 || fail "$1: PID 1 did not come back after its re-exec"
	grep -q LIFEBOAT-PID1 $CON && fail "$1: lifeboat became PID 1 (LIFEBOAT-PID1 on the console)"
	[ "$(readlink /proc/$CTPID/exe)" = "$exe0" ] || fail "$1: after re-exec PID 1 is $(readlink /proc/$CTPID/exe)"
	unchanged "$1 after re-exec"
}

# Starts takeover in the background; sets TK (its host pid) once it says
# it paused after step $1.
start_paused() { # step out [env...]
	local step=$1 out=$2 kids
	shift 2
	env LIFEBOAT_PAUSE=$step "$@" nsenter -t $CTPID -m -p -- /sbin/lifeboat takeover --yes --grace 1 \
		>$out 2>&1 &
	NSE=$!
	for _ in $(seq 200); do grep -q "paused after step $step" $out && break; sleep 0.1; done
	grep -q "paused after step $step" $out || { cat $out; fail "takeover did not pause after $step"; }
	kids=$(cat /proc/$NSE/task/$NSE/children)
	TK=${kids%% *}
	[ -n "$TK" ] && grep -q lifeboat /proc/$TK/cmdline || fail "no takeover process under nsenter $NSE"
}

# 1) the signal matrix
for step in state bind reexec; do
	for sig in INT TERM HUP; do
		label="$sig at $step"
		out=$W/$step-$sig.out
		extra=
		[ $step = reexec ] && extra="LIFEBOAT_FAULT=reexec"
		start_paused $step $out $extra
		case $step in
		state) [ -s $STATE ] || fail "$label: no state file while paused" ;;
		*) grep -q " /etc/inittab .*lifeboat-rescue" /proc/$CTPID/mountinfo ||
			fail "$label: no bind over /etc/inittab while paused" ;;
		esac
		kill -$sig $TK
		rc=0; wait $NSE || rc=$?
		want=$((128 + $(kill -l $sig)))
		[ $rc = $want ] || { cat $out; fail "$label: exit status $rc, want $want"; }
		grep -q "stopped by SIG$sig before PID 1 changed" $out || { cat $out; fail "$label: no 'stopped by'"; }
		grep -q "undone: bind and rescue tmpfs removed" $out || { cat $out; fail "$label: no undo"; }
		unchanged "$label"
		reexec_pid1 "$label"
		echo "ok: $label: exit $rc, mounts and PID 1 as before, a later re-exec kept busybox init"
	done
done

# 2) SIGKILL after the bind: leftovers stay; valid state refuses, stale is ignored
start_paused bind $W/kill.out
kill -KILL $TK; wait $NSE 2>/dev/null
grep -q " /etc/inittab .*lifeboat-rescue" /proc/$CTPID/mountinfo || fail "2) no leftover bind after SIGKILL"
rc=0; inside /sbin/lifeboat takeover --dry-run >$W/dry-valid.out 2>&1 || rc=$?
grep -q "refused: /run/lifeboat-rescue holds the state of a takeover in progress" $W/dry-valid.out ||
	{ cat $W/dry-valid.out; fail "2) a takeover with valid state was not refused"; }
sed -i 's/^boot_id=.*/boot_id=00000000-0000-4000-8000-000000000000/' $STATE
reexec_pid1 "2) stale bind, PID 1 re-exec"
grep -q "lifeboat: PID 1 entered through a takeover leftover (state written in an earlier boot); removing it and executing the original init /bin/busybox" $CON ||
	fail "2) PID 1 did not go through lifeboat's leftover path"
echo "ok: 2) SIGKILLed stage 0: refused while valid; stale: PID 1 entered lifeboat and went straight back to busybox init"

# 3) stale leftovers are named by --dry-run and removed by the next run
start_paused bind $W/kill2.out
kill -KILL $TK; wait $NSE 2>/dev/null
sed -i 's/^boot_id=.*/boot_id=00000000-0000-4000-8000-000000000000/' $STATE
inside /sbin/lifeboat takeover --dry-run >$W/dry-stale.out 2>&1
grep -q "leftovers: 2 mounts of an earlier takeover (state written in an earlier boot): removed first" $W/dry-stale.out ||
	{ cat $W/dry-stale.out; fail "3) dry run did not name the leftovers"; }
grep -q "verdict: would proceed" $W/dry-stale.out || { cat $W/dry-stale.out; fail "3) dry run refuses"; }
grep -q " /etc/inittab .*lifeboat-rescue" /proc/$CTPID/mountinfo || fail "3) the dry run changed something"
rc=0; LIFEBOAT_FAULT=reexec LIFEBOAT_REEXEC_WAIT=1 inside /sbin/lifeboat takeover --yes --grace 1 \
	>$W/clean.out 2>&1 || rc=$?
grep -q "removed 2 mounts left by an earlier takeover (state written in an earlier boot)" $W/clean.out ||
	{ cat $W/clean.out; fail "3) leftovers not removed"; }
grep -q "RAM root ready" $W/clean.out || { cat $W/clean.out; fail "3) did not proceed after the cleanup"; }
unchanged "3) after cleanup + re-exec fault"
reexec_pid1 "3)"
echo "ok: 3) stale leftovers named by --dry-run, removed by the next takeover"

echo "RESULT: PASS stage 0 interrupted by INT/TERM/HUP at state/bind/reexec undoes itself; leftovers of a killed stage 0 refuse while valid, are ignored and removed once stale ($(( $(date +%s) - T0 )) s)"
