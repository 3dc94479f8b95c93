#!/usr/bin/env python3
# Hostile and measuring clients for the e2e robustness tests of issue 10
# (tests/e2e/t_robust_*.sh): one host on the LAN that misbehaves, and a
# DHCP prober that measures whether everyone else still gets answers.
# Python 3 stdlib only. Each subcommand runs until its stop file exists (or
# SIGTERM/SIGINT), then prints one summary line "NAME key=value ...".
#
#   hostile.py dhcp-probe SERVER [--rate R] [--macs M] [--stop F]
#   hostile.py http-pipeline-flood SERVER PATH [--stop F]
#   hostile.py http-slow-conns SERVER N [--interval S] [--path P] [--stop F]
#   hostile.py tftp-rrq-noack SERVER N [--file F] [--timeout T] [--ports K]
#                             [--src A,B,...] [--pps R] [--retries K] [--stop F]
#   hostile.py tftp-spoof-rrq SERVER VICTIMS [--rate R] [--file F] [--stop F]
import argparse, errno, os, random, selectors, signal, socket, struct, sys, time

STOP = False


def _on_signal(_sig, _frm):
    global STOP
    STOP = True


signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)


def stopped(path):
    return STOP or (path is not None and os.path.exists(path))


def summary(name, **kv):
    print(name + " " + " ".join("%s=%s" % (k, v) for k, v in kv.items()), flush=True)


def pct(values, p):
    if not values:
        return -1
    v = sorted(values)
    return v[min(len(v) - 1, int(len(v) * p / 100.0))]


# ---------------------------------------------------------------- dhcp-probe
# A PXE ROM's DISCOVER (option 60 PXEClient, 93 arch 0, 94, 97), sent by
# unicast to SERVER:67 from udp/68 (a broadcast from fresh MACs would reach
# the router's dnsmasq and eat its lease pool); lifeboat's OFFER comes back
# to udp/68. M MACs in turn keep each below lifeboat's per-client limit
# (4/s). A probe counts as answered when an OFFER with its xid and server
# id SERVER arrives within 1 s; latency = send to the kernel's receive
# timestamp (SO_TIMESTAMPNS), so the prober's own scheduling delays on a
# loaded host do not count as lifeboat's; stall_ms = the prober's longest
# lateness for a send, for the record.
SO_TIMESTAMPNS = 35


def dhcp_probe(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, a.iface.encode())
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    s.bind(("0.0.0.0", 68))
    server = socket.inet_aton(a.server)
    stall = 0.0
    vc = b"PXEClient:Arch:00000:UNDI:002001"
    base = os.urandom(3)
    pending = {}  # xid -> send time
    lat, sent, late, lost = [], 0, 0, 0
    interval = 1.0 / a.rate
    nxt = time.monotonic()
    t0 = time.monotonic()
    worst_s = []  # (latency, second since start) of the slowest answers
    while not stopped(a.stop):
        now = time.monotonic()
        if now >= nxt:
            stall = max(stall, now - nxt)
            mac = b"\x02" + base + struct.pack("!H", sent % a.macs)
            xid = random.getrandbits(32)
            opts = (b"\x35\x01\x01" + bytes([60, len(vc)]) + vc + b"\x5d\x02\x00\x00"
                    + b"\x5e\x03\x01\x02\x01" + b"\x61\x11\x00" + mac + b"\0" * 10
                    + b"\x37\x04\x01\x03\x2b\x3c\xff")
            pkt = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0, 0x8000,
                              b"\0" * 4, b"\0" * 4, b"\0" * 4, b"\0" * 4, mac + b"\0" * 10,
                              b"", b"") + b"\x63\x82\x53\x63" + opts
            try:
                t_send = time.time()
                s.sendto(pkt, (a.server, 67))
                pending[xid] = t_send
                sent += 1
            except OSError:
                lost += 1
            nxt += interval
            if nxt < now:  # we were descheduled: do not burst to catch up
                nxt = now + interval
        s.settimeout(max(0.001, nxt - time.monotonic()))
        try:
            d, anc, _fl, _src = s.recvmsg(2000, 64)
        except socket.timeout:
            # nothing queued: what is older than 1 s now got no answer in time
            wall = time.time()
            for xid, t in list(pending.items()):
                if wall - t > 1.0:
                    del pending[xid]
                    lost += 1
            continue
        t = time.time()
        for lvl, typ, data in anc:
            if lvl == socket.SOL_SOCKET and typ == SO_TIMESTAMPNS and len(data) >= 16:
                sec, nsec = struct.unpack("qq", data[:16])
                t = sec + nsec / 1e9
        if len(d) < 244 or d[0] != 2:
            continue
        xid = struct.unpack("!I", d[4:8])[0]
        if xid not in pending or server not in d[240:]:
            if xid not in pending:
                late += 1
            continue
        ms = (t - pending.pop(xid)) * 1000
        lat.append(ms)
        worst_s.append((ms, time.monotonic() - t0))
    # probes still in flight at the end are neither answered nor lost
    sent -= len(pending)
    worst = sorted(worst_s, reverse=True)[:5]
    summary("PROBE", sent=sent, answered=len(lat),
            pct="%.1f" % (100.0 * len(lat) / sent if sent else 0),
            p50_ms="%.1f" % pct(lat, 50), p99_ms="%.1f" % pct(lat, 99),
            max_ms="%.1f" % (max(lat) if lat else -1), late=late,
            stall_ms="%.0f" % (stall * 1000),
            duration_s="%.1f" % (time.monotonic() - t0),
            worst="/".join("%.0fms@%.0fs" % w for w in worst))


# ------------------------------------------------------- http-pipeline-flood
# One connection, GETs of PATH pipelined as fast as the socket takes them,
# answers read and thrown away. Reconnects when the server closes.
def http_pipeline_flood(a):
    req = ("GET %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (a.path, a.server)).encode()
    batch = req * 256
    sent = answers = rbytes = conns = 0
    t0 = time.monotonic()
    while not stopped(a.stop):
        try:
            c = socket.create_connection((a.server, a.port), timeout=5)
        except OSError:
            time.sleep(0.1)
            continue
        conns += 1
        c.setblocking(False)
        sel = selectors.DefaultSelector()
        sel.register(c, selectors.EVENT_READ | selectors.EVENT_WRITE)
        out = memoryview(batch)
        tail = b""
        alive = True
        while alive and not stopped(a.stop):
            for _key, ev in sel.select(0.5):
                if ev & selectors.EVENT_WRITE:
                    try:
                        n = c.send(out)
                        sent += n
                        out = out[n:]
                        if not out:
                            out = memoryview(batch)
                    except BlockingIOError:
                        pass
                    except OSError:
                        alive = False
                        break
                if ev & selectors.EVENT_READ:
                    try:
                        d = c.recv(1 << 20)
                    except BlockingIOError:
                        continue
                    except OSError:
                        alive = False
                        break
                    if not d:
                        alive = False
                        break
                    rbytes += len(d)
                    buf = tail + d
                    answers += buf.count(b"HTTP/1.1 ")
                    tail = buf[-8:]
        sel.close()
        c.close()
    dt = time.monotonic() - t0
    summary("PIPELINE", requests=sent // len(req), answers=answers, bytes_in=rbytes,
            connections=conns, duration_s="%.1f" % dt,
            answers_per_s="%.0f" % (answers / dt if dt else 0))


# ----------------------------------------------------------- http-slow-conns
# N connections from this address, each trickling its head: even ones a
# request line then one header byte per INTERVAL (never the blank line),
# odd ones a bare CRLF per INTERVAL (before any request line). A closed
# slot is reopened (after 1 s if it was refused) so the pressure lasts.
# A connection the server ends within REFUSE_S of connecting, or with a
# 503, counts as refused; for the others the lifetime (connect to close by
# the server) is what the header deadline must bound.
REFUSE_S = 1.0


def http_slow_conns(a):
    sel = selectors.DefaultSelector()
    conns = {}  # fd -> [sock, t_open, kind, nbytes_sent, next_send]
    stats = dict(opened=0, connect_fail=0, refused_503=0, refused_close=0, closed=0,
                 other_status=0)
    lifetimes = []
    reopen_at = []  # times at which a slot may be reopened
    head = ("GET %s HTTP/1.1\r\n" % a.path).encode()
    pad = b"Host: x\r\nX-Slow: " + b"a" * 4096
    t0 = time.monotonic()

    def open_one(i):
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.setblocking(False)
        try:
            c.connect((a.server, a.port))
        except BlockingIOError:
            pass
        except OSError:
            stats["connect_fail"] += 1
            c.close()
            return False
        now = time.monotonic()
        conns[c.fileno()] = [c, now, i % 2, 0, now + random.uniform(0, a.interval)]
        sel.register(c, selectors.EVENT_READ)
        stats["opened"] += 1
        return True

    def close_one(fd, data):
        c, t_open, _kind, _n, _nx = conns.pop(fd)
        life = time.monotonic() - t_open
        sel.unregister(c)
        c.close()
        if data.startswith(b"HTTP/1.1 503") or data.startswith(b"HTTP/1.0 503"):
            stats["refused_503"] += 1
            reopen_at.append(time.monotonic() + a.retry)
        elif life < REFUSE_S:
            stats["refused_close"] += 1
            reopen_at.append(time.monotonic() + a.retry)
        else:
            if data.startswith(b"HTTP/"):
                stats["other_status"] += 1
            stats["closed"] += 1
            lifetimes.append(life)
            reopen_at.append(time.monotonic())

    for i in range(a.n):
        if not open_one(i):
            reopen_at.append(time.monotonic() + 1.0)
    ready_printed = False
    while not stopped(a.stop):
        now = time.monotonic()
        if not ready_printed and now - t0 > 2:
            print("slow: %d open" % len(conns), flush=True)
            ready_printed = True
        due = [t for t in reopen_at if t <= now]
        if due:
            reopen_at[:] = [t for t in reopen_at if t > now]
            for _ in due:
                if not open_one(stats["opened"]):
                    reopen_at.append(now + 1.0)
        for fd, st in list(conns.items()):
            if st[4] > now:
                continue
            c = st[0]
            if st[2] == 0:
                chunk = head if st[3] == 0 else pad[(st[3] - len(head)) % len(pad):][:1]
            else:
                chunk = b"\r\n"
            try:
                st[3] += c.send(chunk)
            except BlockingIOError:
                pass
            except OSError:
                close_one(fd, b"")
                continue
            st[4] = now + a.interval
        for key, _ev in sel.select(0.2):
            fd = key.fd
            if fd not in conns:
                continue
            try:
                d = conns[fd][0].recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                d = b""
            close_one(fd, d)
    now = time.monotonic()
    ages = [now - st[1] for st in conns.values()]
    summary("SLOW", open_at_end=len(conns), max_lifetime_s="%.1f" % max(lifetimes or [0]),
            max_open_age_s="%.1f" % max(ages or [0]),
            over_deadline=sum(1 for x in lifetimes + ages if x > a.deadline),
            duration_s="%.1f" % (now - t0), **stats)


# ------------------------------------------------------------ tftp-rrq-noack
# N RRQs for FILE with option timeout T (and blksize 1468), from K sockets
# (N/K each, so a repeated RRQ from one port is part of it when K < N), from
# each source address in --src (default: any), at PPS a second; an RRQ
# with no answer at all after 2 s is sent again (RETRIES times); never ACK
# anything. Counts what comes back (OACK, DATA, ERROR by code) until
# stopped; held = sockets the server started a transfer for (OACK or DATA),
# oack_timeout_max = the largest `timeout` an OACK granted.
def tftp_rrq_noack(a):
    srcs = a.src.split(",") if a.src else [""]
    rrq = (b"\0\1" + a.file.encode() + b"\0octet\0timeout\0" + str(a.timeout).encode()
           + b"\0blksize\0" + b"1468\0")
    socks = []
    for src in srcs:
        for _ in range(a.ports):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 16)
            s.bind((src, 0))
            s.setblocking(False)
            socks.append(s)
    sel = selectors.DefaultSelector()
    for i, s in enumerate(socks):
        sel.register(s, selectors.EVENT_READ, i)
    got = dict(oack=0, data=0, error=0, other=0)
    answered = [False] * len(socks)  # this socket got anything back
    held = [False] * len(socks)      # ... an OACK or DATA: a transfer waits for us
    codes = {}
    oack_timeout = [-1]  # the largest timeout an OACK granted (-1: none granted)
    # The RRQs in order: N from each source address, round robin over its
    # sockets; paced (a burst of 2000 would overflow the server's socket
    # buffer and test the kernel, not lifeboat).
    todo = []
    for si in range(len(srcs)):
        for i in range(a.n):
            todo.append(si * a.ports + i % a.ports)
    sent = resent = 0
    last_sent = {}
    interval = 1.0 / a.pps
    t0 = time.monotonic()
    nxt = t0
    first_err = None
    announced = False

    def receive(timeout):
        nonlocal first_err
        for key, _ev in sel.select(timeout):
            while True:
                try:
                    d, _ = key.fileobj.recvfrom(2000)
                except (BlockingIOError, ConnectionRefusedError):
                    break
                answered[key.data] = True
                op = d[1] if len(d) >= 2 and d[0] == 0 else 0
                if op == 6:
                    got["oack"] += 1
                    held[key.data] = True
                    f = d[2:].split(b"\0")
                    for k, v in zip(f[0::2], f[1::2]):
                        if k.lower() == b"timeout" and v.isdigit():
                            oack_timeout[0] = max(oack_timeout[0], int(v))
                elif op == 3:
                    got["data"] += 1
                    held[key.data] = True
                elif op == 5:
                    got["error"] += 1
                    code = struct.unpack("!H", d[2:4])[0] if len(d) >= 4 else -1
                    msg = d[4:].split(b"\0")[0].decode(errors="replace").replace(" ", "_")
                    k = "%d:%s" % (code, msg)
                    codes[k] = codes.get(k, 0) + 1
                    if first_err is None:
                        first_err = time.monotonic() - t0
                else:
                    got["other"] += 1

    while not stopped(a.stop):
        now = time.monotonic()
        while todo and now >= nxt:
            i = todo.pop(0)
            try:
                socks[i].sendto(rrq, (a.server, 69))
                if i in last_sent:
                    resent += 1
                else:
                    sent += 1
                last_sent[i] = now
            except OSError:
                todo.append(i)
            nxt += interval
        if not todo and not announced:
            print("noack: sent %d RRQs from %d sockets" % (sent, len(socks)), flush=True)
            announced = True
        # an RRQ that got nothing back within 2 s was lost: ask again, as
        # any client would (at most a.retries times)
        if not todo:
            for i, t in list(last_sent.items()):
                if not answered[i] and now - t > 2 and t > 0:
                    if a.retries > 0 and resent < a.retries * len(socks):
                        todo.append(i)
                    else:
                        last_sent[i] = -1
        receive(0.01 if todo else 0.2)
    summary("NOACK", sent=sent, resent=resent, sockets=len(socks), sources=len(srcs),
            held=sum(held), silent=sum(1 for x in answered if not x),
            oack_timeout_max=oack_timeout[0],
            first_error_s="%.1f" % (first_err if first_err is not None else -1),
            errors_by_code="|".join("%s*%d" % kv for kv in sorted(codes.items())) or "none",
            **got)


# ------------------------------------------------------------ tftp-spoof-rrq
# RRQs for FILE (no options: the server answers with DATA block 1 at once)
# whose IPv4 source is a victim address, round robin over VICTIMS, at R
# packets per second, through a raw socket (IP_HDRINCL). The victims never
# answer (the test's sink namespace counts and drops what they receive).
# Sent bytes are whole IPv4 packets, as the sink's counter counts them.
def _csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def tftp_spoof_rrq(a):
    victims = []
    for part in a.victims.split(","):
        if "-" in part:
            lo, hi = part.split("-")
            base = lo.rsplit(".", 1)
            for x in range(int(base[1]), int(hi.rsplit(".", 1)[-1]) + 1):
                victims.append(base[0] + "." + str(x))
        else:
            victims.append(part)
    r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    r.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    dst = socket.inet_aton(a.server)
    payload = b"\0\1" + a.file.encode() + b"\0octet\0"
    sent = nbytes = 0
    interval = 1.0 / a.rate
    t0 = time.monotonic()
    nxt = t0
    while not stopped(a.stop):
        v = victims[sent % len(victims)]
        src = socket.inet_aton(v)
        sport = random.randrange(1024, 65535)
        ulen = 8 + len(payload)
        pseudo = src + dst + struct.pack("!BBH", 0, 17, ulen)
        udp = struct.pack("!HHHH", sport, 69, ulen, 0) + payload
        uc = _csum(pseudo + udp) or 0xFFFF
        udp = struct.pack("!HHHH", sport, 69, ulen, uc) + payload
        tot = 20 + ulen
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tot, random.getrandbits(16), 0, 64, 17, 0,
                         src, dst)
        ip = ip[:10] + struct.pack("!H", _csum(ip)) + ip[12:]
        try:
            r.sendto(ip + udp, (a.server, 0))
            sent += 1
            nbytes += tot
        except OSError as e:
            if e.errno not in (errno.ENOBUFS, errno.EAGAIN):
                raise
        nxt += interval
        d = nxt - time.monotonic()
        if d > 0:
            time.sleep(d)
        elif d < -1:
            nxt = time.monotonic()
    summary("SPOOF", sent=sent, bytes=nbytes, victims=len(victims),
            duration_s="%.1f" % (time.monotonic() - t0), pkt_bytes=20 + 8 + len(payload))


def main():
    p = argparse.ArgumentParser(description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("dhcp-probe")
    c.add_argument("server")
    c.add_argument("--iface", default="eth0")
    c.add_argument("--rate", type=float, default=20)
    c.add_argument("--macs", type=int, default=64)
    c.add_argument("--stop")
    c.set_defaults(fn=dhcp_probe)
    c = sub.add_parser("http-pipeline-flood")
    c.add_argument("server")
    c.add_argument("path")
    c.add_argument("--port", type=int, default=80)
    c.add_argument("--stop")
    c.set_defaults(fn=http_pipeline_flood)
    c = sub.add_parser("http-slow-conns")
    c.add_argument("server")
    c.add_argument("n", type=int)
    c.add_argument("--port", type=int, default=80)
    c.add_argument("--path", default="/lifeboat/boot.ipxe")
    c.add_argument("--interval", type=float, default=3)
    c.add_argument("--retry", type=float, default=3, help="reopen a refused slot after S")
    c.add_argument("--deadline", type=float, default=15,
                   help="lifetimes above this count as over_deadline")
    c.add_argument("--stop")
    c.set_defaults(fn=http_slow_conns)
    c = sub.add_parser("tftp-rrq-noack")
    c.add_argument("server")
    c.add_argument("n", type=int)
    c.add_argument("--file", default="pxelinux.0")
    c.add_argument("--timeout", type=int, default=255)
    c.add_argument("--ports", type=int, default=0, help="sockets per source (default N)")
    c.add_argument("--pps", type=float, default=1000, help="RRQs per second")
    c.add_argument("--retries", type=int, default=3, help="resend an unanswered RRQ")
    c.add_argument("--src", help="comma-separated source addresses (N RRQs from each)")
    c.add_argument("--stop")
    c.set_defaults(fn=tftp_rrq_noack)
    c = sub.add_parser("tftp-spoof-rrq")
    c.add_argument("server")
    c.add_argument("victims", help="A.B.C.D[-E],... spoofed sources")
    c.add_argument("--rate", type=float, default=200)
    c.add_argument("--file", default="pxelinux.0")
    c.add_argument("--stop")
    c.set_defaults(fn=tftp_spoof_rrq)
    a = p.parse_args()
    if getattr(a, "ports", None) == 0:
        a.ports = a.n
    a.fn(a)


if __name__ == "__main__":
    main()
