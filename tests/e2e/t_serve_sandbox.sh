#!/usr/bin/env bash
# Issue 10 item 10: what confines a running `lifeboat serve` is in force
# and said. Real binary, real sockets, in a private network namespace:
#  1. --require-sandbox with the shipped build: serve starts, logs Landlock
#     and `serve.seccomp result=on`, /proc/PID/status says Seccomp 2, and the
#     loop still serves (TFTP RRQ and HTTP GET answered, SIGHUP reload ok,
#     SIGTERM exit 0): nothing it needs is outside the allow-list;
#  2. --require-sandbox --no-sandbox: a start-up error, exit status != 0;
#  3. the ASan build (no seccomp there, by design): without the flag one
#     warn line names what is missing; with it, exit status != 0.
set -u
cd "$(dirname "$0")/../.."
NS=lbsb-$$
TMP=$(mktemp -d /tmp/lbsandbox.XXXXXX)
PID=
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null
	ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- server log"; tail -30 "$TMP/log"; echo "RESULT: failed"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v curl >/dev/null && command -v python3 >/dev/null || { echo "SKIP: needs curl, python3"; exit 77; }
LB=${LB_BIN:-./lifeboat}
[ -x "$LB" ] || fail "no $LB (run make)"

ROOT=$TMP/root
mkdir -p "$ROOT"
echo "inside-$$" > "$ROOT/ok.txt"
chmod -R a+rX "$ROOT"; chmod a+x "$TMP"
ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" link add v0 type veth peer name v1
ip -n "$NS" addr add 192.0.2.2/24 dev v0
ip -n "$NS" link set v0 up; ip -n "$NS" link set v1 up
printf 'root %s\nboot bios=ok.txt\nrequire-sandbox\n' "$ROOT" > "$TMP/lb.conf"
chmod a+r "$TMP/lb.conf"

# Waits (up to 5 s) until the log has $1 or the server has ended.
wait_log() {
	for _ in $(seq 50); do
		grep -q "$1" "$TMP/log" && return 0
		kill -0 "$PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# 1. full confinement, and the loop still does its work
ip netns exec "$NS" "$LB" serve -c "$TMP/lb.conf" --no-dhcp6 > "$TMP/log" 2>&1 &
PID=$!
wait_log serve.ready || fail "serve --require-sandbox did not start"
grep -q 'serve.sandbox landlock_abi=' "$TMP/log" || fail "no Landlock line"
grep -q 'serve.seccomp result=on' "$TMP/log" || fail "no seccomp line"
sc=$(awk '/^Seccomp:/{print $2}' /proc/$PID/status)
[ "$sc" = 2 ] || fail "/proc/$PID/status Seccomp: $sc, want 2 (filter)"
got=$(ip netns exec "$NS" curl -s --max-time 5 http://192.0.2.2/ok.txt)
[ "$got" = "inside-$$" ] || fail "HTTP GET under seccomp: '$got'"
got=$(ip netns exec "$NS" python3 - <<'PY'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(5)
s.sendto(b"\0\1ok.txt\0octet\0", ("192.0.2.2", 69))
d, a = s.recvfrom(600); s.sendto(b"\0\4" + d[2:4], a)
print(d[4:].decode().strip())
PY
)
[ "$got" = "inside-$$" ] || fail "TFTP RRQ under seccomp: '$got'"
kill -HUP "$PID"
wait_log 'serve.reload result=ok' || fail "SIGHUP reload under seccomp"
kill -TERM "$PID"; wait "$PID"; rc=$?; PID=
[ "$rc" = 0 ] || fail "SIGTERM: exit $rc (a syscall outside the list kills with SIGSYS = 159)"
echo "ok: Landlock + seccomp (Seccomp: 2); HTTP, TFTP, SIGHUP, SIGTERM all work"

# 2. the two flags contradict each other
ip netns exec "$NS" "$LB" serve -c "$TMP/lb.conf" --no-dhcp6 --no-sandbox > "$TMP/log" 2>&1 &
PID=$!
wait "$PID"; rc=$?; PID=
[ "$rc" != 0 ] || fail "--require-sandbox --no-sandbox started"
grep -q 'contradict' "$TMP/log" || fail "no reason for the refusal"
echo "ok: --require-sandbox --no-sandbox refused (exit $rc)"

# 3. a build without seccomp: said, and refused when required
ASAN=build/asan/lifeboat
if [ -x "$ASAN" ]; then
	sed -i '/require-sandbox/d' "$TMP/lb.conf"
	ip netns exec "$NS" "$ASAN" serve -c "$TMP/lb.conf" --no-dhcp6 > "$TMP/log" 2>&1 &
	PID=$!
	wait_log serve.ready || fail "ASan serve did not start"
	grep -q 'serve.sandbox result=partial not_confined=".*syscalls: no seccomp filter (sanitizer' \
		"$TMP/log" || fail "no line naming the missing seccomp filter"
	kill -TERM "$PID"; wait "$PID"; PID=
	ip netns exec "$NS" "$ASAN" serve -c "$TMP/lb.conf" --no-dhcp6 --require-sandbox \
		> "$TMP/log" 2>&1 &
	PID=$!
	wait "$PID"; rc=$?; PID=
	[ "$rc" != 0 ] || fail "ASan build with --require-sandbox started"
	grep -q 'require-sandbox: not confined: syscalls' "$TMP/log" || fail "no reason given"
	echo "ok: without seccomp: warn line, and --require-sandbox refuses (exit $rc)"
else
	echo "note: no $ASAN (make asan): missing-seccomp case not run"
fi
echo "RESULT: serve runs confined (Landlock + seccomp) and says what is missing"
