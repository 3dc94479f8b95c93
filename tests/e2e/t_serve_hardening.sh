#!/usr/bin/env bash
# lifeboat serve must never hand out a file outside ROOT, must refuse
# special files, and must run unprivileged once its sockets are bound.
# Real binary, real sockets, in a private network namespace; hostile names
# go over TFTP (raw packets) and HTTP (raw requests).
set -u
cd "$(dirname "$0")/../.."
NS=lbh-$$
TMP=$(mktemp -d /tmp/lbhard.XXXXXX)
PID=
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null
	sleep 0.2
	ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- server log"; tail -30 "$TMP/log"; echo "RESULT: failed"; exit 1; }

ROOT=$TMP/root
mkdir -p "$ROOT/sub" "$ROOT/dir"
echo "inside" > "$ROOT/ok.txt"
echo "nested" > "$ROOT/sub/n.txt"
SECRET="lifeboat-secret-$$-$RANDOM"
echo "$SECRET" > "$TMP/secret.txt"
ln -s "$TMP/secret.txt" "$ROOT/escape-abs"
ln -s ../secret.txt "$ROOT/escape-rel"
ln -s /etc "$ROOT/etc-link"
ln -s ok.txt "$ROOT/inside-link"
mkfifo "$ROOT/fifo"
mknod "$ROOT/null" c 1 3
chmod -R a+rX "$ROOT"; chmod a+r "$TMP/secret.txt"; chmod a+x "$TMP"

ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" link add v0 type veth peer name v1
ip -n "$NS" addr add 192.0.2.2/24 dev v0
ip -n "$NS" link set v0 up; ip -n "$NS" link set v1 up
mkdir -p "$TMP/conf"
printf 'root %s\nboot bios=ok.txt\nverbose\n' "$ROOT" > "$TMP/conf/lb.conf"
ip netns exec "$NS" "${LB_BIN:-./lifeboat}" serve -c "$TMP/conf/lb.conf" > "$TMP/log" 2>&1 &
PID=$!
for _ in $(seq 50); do grep -q serve.ready "$TMP/log" && break; sleep 0.1; done
grep -q serve.ready "$TMP/log" || fail "serve did not start"

# 1. privileges: not root, no capabilities, no_new_privs
st=/proc/$PID/status
uid=$(awk '/^Uid:/{print $2}' "$st"); capeff=$(awk '/^CapEff:/{print $2}' "$st")
nnp=$(awk '/^NoNewPrivs:/{print $2}' "$st"); groups=$(awk '/^Groups:/{print $2}' "$st")
[ "$uid" != 0 ] || fail "still root"
[ "$capeff" = 0000000000000000 ] || fail "capabilities left: $capeff"
[ "$nnp" = 1 ] || fail "NoNewPrivs not set"
[ -z "$groups" ] || fail "supplementary groups left: $groups"
echo "ok: running as uid $uid, CapEff 0, NoNewPrivs 1, no groups"
# the process cannot write outside: try through its own credentials
if ip netns exec "$NS" setpriv --reuid="$uid" --regid="$uid" --clear-groups touch "$ROOT/written" 2>/dev/null; then
	fail "uid $uid can write into ROOT"
fi

# 2. hostile names over TFTP and HTTP
ip netns exec "$NS" python3 - "$SECRET" <<'PY' || fail "hostile requests"
import socket, sys
secret = sys.argv[1].encode()
S = "192.0.2.2"
def tftp(name, mode=b"octet"):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
    s.sendto(b"\x00\x01" + name + b"\x00" + mode + b"\x00", (S, 69))
    try:
        d, _ = s.recvfrom(70000)
    except socket.timeout:
        return ("timeout", b"")
    op = int.from_bytes(d[:2], "big")
    if op == 3:
        return ("data", d[4:])
    if op == 5:
        return ("error%d" % int.from_bytes(d[2:4], "big"), d[4:])
    return ("op%d" % op, d)
def http(path):
    c = socket.create_connection((S, 80), timeout=3)
    c.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = b""
    while True:
        try:
            b = c.recv(65536)
        except ConnectionResetError:  # answered then closed on an unread request
            break
        if not b: break
        data += b
    c.close()
    return int(data.split(b" ")[1]) if data.startswith(b"HTTP/1.1 ") else 0, data
bad = [b"../secret.txt", b"sub/../../secret.txt", b"sub/../../../etc/passwd", b"..\\secret.txt",
       b"sub\\..\\..\\secret.txt", b"/../secret.txt", b"escape-abs", b"escape-rel", b"etc-link/passwd",
       b"etc-link/shadow", b"fifo", b"null", b"dir", b"ok.txt\x01", b"x" * 2000, b"./../secret.txt"]
fails = 0
for n in bad:
    kind, body = tftp(n)
    if kind == "data" or secret in body or kind == "timeout":
        print("TFTP served or hung on", n[:60], kind); fails += 1
hbad = [b"/../secret.txt", b"/%2e%2e/secret.txt", b"/%2E%2E%2Fsecret.txt", b"/%252e%252e/secret.txt",
        b"/sub/%2e%2e/%2e%2e/secret.txt", b"/..%5csecret.txt", b"/escape-abs", b"/escape-rel",
        b"/etc-link/passwd", b"/fifo", b"/null", b"/dir", b"/ok.txt%00.png", b"/" + b"a" * 9000,
        b"http://192.0.2.2/../secret.txt", b"/sub/./../../secret.txt"]
for p in hbad:
    code, data = http(p)
    if code == 200 or secret in data:
        print("HTTP served", p[:60], code); fails += 1
# sanity: the allowed names work, so the refusals above mean something
assert tftp(b"ok.txt") == ("data", b"inside\n"), tftp(b"ok.txt")
assert tftp(b"sub\\n.txt")[1] == b"nested\n"
assert tftp(b"inside-link")[1] == b"inside\n"
assert http(b"/sub/n.txt")[0] == 200 and http(b"/sub/n.txt")[1].endswith(b"nested\n")
assert http(b"/inside-link")[0] == 200
# write requests are refused
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
s.sendto(b"\x00\x02new.txt\x00octet\x00", (S, 69)); d, _ = s.recvfrom(1000)
assert d[:2] == b"\x00\x05", d
print("hostile: %d TFTP + %d HTTP names refused" % (len(bad), len(hbad)))
sys.exit(1 if fails else 0)
PY
[ -e "$ROOT/new.txt" ] && fail "a write request created a file"

# 3. Landlock: the process may read only beneath what it serves. A reload
# that points ROOT at another world-readable directory must be refused.
if grep -q 'serve.sandbox landlock_abi=' "$TMP/log"; then
	mkdir -p "$TMP/other"; echo x > "$TMP/other/f"; chmod -R a+rX "$TMP/other"
	printf 'root %s\nboot bios=f\n' "$TMP/other" > "$TMP/conf/lb2.conf"
	cp "$TMP/conf/lb2.conf" "$TMP/conf/lb.conf"
	kill -HUP "$PID"; sleep 0.5
	grep -q 'serve.reload result=failed root=.*Permission denied' "$TMP/log" ||
		fail "reload outside the sandbox was not refused"
	echo "ok: Landlock confines reads (reload to $TMP/other refused)"
else
	grep 'serve.sandbox' "$TMP/log"
	echo "note: kernel without Landlock"
fi
kill -0 "$PID" 2>/dev/null || fail "server died"
grep -q 'tftp.refuse' "$TMP/log" || fail "no refusal logged"
# control bytes never reach the log raw
if grep -q $'\x01' "$TMP/log"; then fail "raw control byte in the log"; fi
echo "RESULT: no file outside ROOT served, special files refused, unprivileged (uid $uid)"
