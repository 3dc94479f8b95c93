#!/usr/bin/env python3
# The --api end-to-end helpers (tests/e2e/t_api_*.sh). Python 3 stdlib only.
#
#   api_lab.py server PORT ANSWERS LOG [--files DIR]
#       a pixiecore-shaped inventory: GET /<base>/v1/boot/<mac> answers from
#       the JSON file ANSWERS ({"<mac>": {"status": 200, "delay": 3,
#       "body": {...}}}; a MAC not listed: 404), re-read on every request.
#       Each request is one line "REQ <mac> <status>" in LOG. GET /files/X
#       serves DIR/X (kernel/initrd URLs iPXE fetches itself).
#   api_lab.py discover IFACE SERVER MAC [--ipxe] [--count N] [--interval S]
#                       [--listen S]
#       sends N PXE DISCOVERs for MAC (BIOS, or iPXE's with --ipxe) and
#       listens until S seconds after the first: each OFFER from SERVER
#       (option 54) is a line "OFFER t=SECONDS file=FILE"; then
#       "DISCOVER sent=N offers=K".
import json, os, socket, struct, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def server(port, answers, log, files):
    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_a):
            pass

        def reply(self, status, body=b"", ctype="application/json"):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            path = self.path.split("?")[0]
            if path.startswith("/files/") and files:
                name = os.path.basename(path)
                try:
                    with open(os.path.join(files, name), "rb") as f:
                        data = f.read()
                except OSError:
                    return self.reply(404)
                with open(log, "a") as lf:
                    lf.write("FILE %s\n" % name)
                return self.reply(200, data, "application/octet-stream")
            if "/v1/boot/" not in path:
                return self.reply(400)
            mac = path.rsplit("/", 1)[1].lower()
            try:
                with open(answers) as f:
                    a = json.load(f).get(mac)
            except (OSError, ValueError):
                a = None
            status = a.get("status", 200) if a else 404
            with open(log, "a") as lf:
                lf.write("REQ %s %d\n" % (mac, status))
            if a and a.get("delay"):
                time.sleep(a["delay"])
            body = json.dumps(a["body"]).encode() if a and "body" in a else b""
            self.reply(status, body)

    ThreadingHTTPServer.allow_reuse_address = True
    srv = ThreadingHTTPServer(("0.0.0.0", int(port)), H)
    srv.daemon_threads = True
    srv.serve_forever()


def discover(iface, srv_ip, mac_s, ipxe, count, interval, listen):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
    s.bind(("0.0.0.0", 68))
    mac = bytes(int(x, 16) for x in mac_s.split(":"))
    server_id = b"\x36\x04" + socket.inet_aton(srv_ip)
    vc = b"PXEClient:Arch:00000:UNDI:002001"
    xid = struct.unpack("!I", os.urandom(4))[0]
    opts = (b"\x35\x01\x01" + bytes([60, len(vc)]) + vc + b"\x5d\x02\x00\x00"
            + b"\x5e\x03\x01\x02\x01" + b"\x61\x11\x00" + mac + b"\0" * 10)
    if ipxe:
        opts += b"\x4d\x04iPXE"
    opts += b"\x37\x04\x01\x03\x2b\x3c\xff"
    pkt = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0, 0x8000,
                      b"\0" * 4, b"\0" * 4, b"\0" * 4, b"\0" * 4, mac + b"\0" * 10,
                      b"", b"") + b"\x63\x82\x53\x63" + opts
    t0 = time.monotonic()
    sent = offers = 0
    nxt = t0
    while True:
        now = time.monotonic()
        if now - t0 >= listen:
            break
        if sent < count and now >= nxt:
            s.sendto(pkt, ("255.255.255.255", 67))
            sent += 1
            print("SENT t=%.2f" % (now - t0), flush=True)
            nxt += interval
        wait = listen - (now - t0)
        if sent < count:
            wait = min(wait, max(0.01, nxt - now))
        s.settimeout(max(0.01, wait))
        try:
            d = s.recv(2000)
        except socket.timeout:
            continue
        if len(d) < 240 or d[0] != 2 or struct.unpack("!I", d[4:8])[0] != xid:
            continue
        if server_id not in d[240:] or d[28:34] != mac:
            continue
        f = d[108:236].split(b"\0")[0].decode(errors="replace")
        offers += 1
        print("OFFER t=%.2f file=%s" % (time.monotonic() - t0, f or "-"), flush=True)
    print("DISCOVER sent=%d offers=%d" % (sent, offers), flush=True)


def main():
    a = sys.argv[1:]
    if a and a[0] == "server":
        files = a[a.index("--files") + 1] if "--files" in a else None
        return server(a[1], a[2], a[3], files)
    if a and a[0] == "discover":
        def opt(name, dflt):
            return float(a[a.index(name) + 1]) if name in a else dflt
        return discover(a[1], a[2], a[3], "--ipxe" in a, int(opt("--count", 1)),
                        opt("--interval", 1.0), opt("--listen", 3.0))
    sys.exit(__doc__ or "usage: api_lab.py server|discover ...")


if __name__ == "__main__":
    main()
