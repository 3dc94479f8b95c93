#!/usr/bin/env bash
# Only the init role acts as PID 1: lifeboat commands started as PID 1 of a
# PID namespace (a container's entrypoint) run as asked.
#  1) `lifeboat --help` and `lifeboat serve --help` as PID 1: usage on
#     stdout, exit 0, nothing on the namespace's console;
#  2) `lifeboat serve` as PID 1 (own network namespace, a veth
#     with 192.0.2.1, HTTP on 8080): answers HTTP (curl), no rescue init
#     banner or shell; orphans of the namespace become its children and are
#     reaped; SIGTERM ends it cleanly.
# Each namespace gets a file bind-mounted over /dev/console, so an init role
# (the old behaviour) would print there instead of on the host's console.
set -u
cd "$(dirname "$0")/../.."
LB=$PWD/lifeboat
NS=lbp1-$$
W= SPID= UPID=
cleanup() {
	[ -n "$SPID" ] && kill -KILL "$SPID" 2>/dev/null
	[ -n "$UPID" ] && { kill -KILL "$UPID" 2>/dev/null; wait "$UPID" 2>/dev/null; }
	ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	[ -n "$W" ] && rm -rf "$W"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*"
	[ -n "$W" ] && { echo "--- serve log"; tail -20 "$W/serve.log" 2>/dev/null; echo "--- console"; cat "$W"/console* 2>/dev/null; }
	echo "RESULT: FAIL $*"
	exit 1
}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
for t in unshare nsenter ip curl timeout; do
	command -v $t >/dev/null || { echo "SKIP: $t missing"; exit 77; }
done
[ -x "$LB" ] || { echo "FAIL: build ./lifeboat first"; exit 1; }
W=$(mktemp -d /tmp/lbpid1.XXXXXX)
chmod 755 "$W"

# as_pid1 CONSOLE CMD...: CMD as PID 1 of new PID + mount namespaces, with
# CONSOLE over /dev/console (bash execs CMD, so CMD itself is PID 1). With
# LIMIT set, unshare is SIGKILLed after LIMIT s (it ignores TERM) and its
# child with it (--kill-child).
as_pid1() {
	local con=$1
	shift
	: >"$con"
	${LIMIT:+timeout -s KILL $LIMIT} unshare --pid --fork --kill-child --mount-proc --propagation private bash -c \
		'mount --bind "$0" /dev/console && [ $$ = 1 ] && exec "$@"' "$con" "$@"
}

# 1) --help as PID 1
for args in "--help" "serve --help"; do
	tag=${args// /_}
	rc=0
	LIMIT=10 as_pid1 $W/console$tag $LB $args >$W/out$tag 2>&1 || rc=$?
	[ $rc = 0 ] || { cat $W/out$tag; fail "lifeboat $args as PID 1: exit $rc (137: killed after 10 s, it did not return)"; }
	grep -q "^usage: lifeboat" $W/out$tag || { cat $W/out$tag; fail "lifeboat $args as PID 1: no usage"; }
	[ -s $W/console$tag ] && fail "lifeboat $args as PID 1 wrote to the console"
	echo "ok: lifeboat $args as PID 1: usage, exit 0, console silent"
done

# 2) serve as PID 1
mkdir -p $W/root
echo "served-by-pid1-$$" >$W/root/hello.txt
chmod -R a+rX $W/root
ip netns add $NS
ip -n $NS link set lo up
ip -n $NS link add d0 type veth peer name d1
ip -n $NS addr add 192.0.2.1/24 dev d0
ip -n $NS link set d0 up
ip -n $NS link set d1 up
ip netns exec $NS bash -c "$(declare -f as_pid1); as_pid1 $W/console-serve $LB serve $W/root \
	-i d0 -b bios=hello.txt --no-dhcp --no-dhcp6 --no-tftp --http-port 8080" >$W/serve.log 2>&1 &
UPID=$!
for _ in $(seq 100); do grep -q serve.ready $W/serve.log && break; sleep 0.1; done
grep -q serve.ready $W/serve.log || fail "serve as PID 1 did not start"
# serve: the descendant of our runner that is PID 1 of a namespace
SPID=
todo=$UPID
while [ -n "$todo" ] && [ -z "$SPID" ]; do
	set -- $todo; p=$1; shift; todo="$* $(cat /proc/$p/task/*/children 2>/dev/null)"; todo=${todo# }
	grep -q "NSpid:.*[[:space:]]1$" /proc/$p/status 2>/dev/null && SPID=$p
done
[ -n "$SPID" ] || fail "no serve process"
grep -q lifeboat /proc/$SPID/cmdline || fail "PID 1 of the namespace is $(tr '\0' ' ' </proc/$SPID/cmdline)"
grep -q "NSpid:.*[[:space:]]1$" /proc/$SPID/status || fail "serve is not PID 1 of its namespace"
[ "$(readlink /proc/$SPID/ns/pid)" != "$(readlink /proc/1/ns/pid)" ] || fail "same pid ns as host"
got=$(ip netns exec $NS curl -s --max-time 5 http://192.0.2.1:8080/hello.txt)
[ "$got" = "served-by-pid1-$$" ] || fail "HTTP answer '$got'"
grep -q LIFEBOAT- $W/serve.log $W/console-serve && fail "a rescue init marker appeared"
[ -s $W/console-serve ] && fail "serve as PID 1 wrote to the console"
echo "ok: serve as PID 1 (host pid $SPID) answered HTTP: $got"

# Orphans of the namespace: their parent shell exits at once, so they are
# re-parented to PID 1 (serve), which must reap them when they exit.
nsenter -t $SPID -p -m -- /bin/sh -c 'for i in 1 2 3 4 5; do (sleep 1 &); done'
kids() { cat /proc/$SPID/task/$SPID/children 2>/dev/null; }
n=0
for _ in $(seq 50); do n=$(kids | wc -w); [ "$n" -ge 5 ] && break; sleep 0.05; done
[ "$n" -ge 5 ] || fail "orphans did not become children of serve ($n)"
gone=
for _ in $(seq 100); do
	[ -z "$(kids)" ] && { gone=1; break; }
	sleep 0.1
done
if [ -z "$gone" ]; then
	for k in $(kids); do echo "child $k: $(cut -d' ' -f2,3 /proc/$k/stat)"; done
	fail "serve as PID 1 left its orphans as zombies"
fi
echo "ok: 5 orphans re-parented to serve were reaped"
got=$(ip netns exec $NS curl -s --max-time 5 http://192.0.2.1:8080/hello.txt)
[ "$got" = "served-by-pid1-$$" ] || fail "HTTP after the orphans: '$got'"

kill -TERM $SPID
rc=0; timeout 10 tail --pid=$SPID -f /dev/null || rc=$?
[ $rc = 0 ] || fail "serve as PID 1 did not end on SIGTERM"
wait $UPID 2>/dev/null
UPID= SPID=
grep -q "serve.stop signal=" $W/serve.log || fail "no serve.stop in the log"
echo "ok: SIGTERM ended serve as PID 1 cleanly"
echo "RESULT: PASS lifeboat --help, serve --help and serve run as commands when PID 1; serve reaps orphans and stops on SIGTERM"
