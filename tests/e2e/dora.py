#!/usr/bin/env python3
"""dora.py: DHCPv4 DORA load for the full-DHCP e2e test and bench.

  dora.py IFACE COUNT WINDOW OUT [MACBASE]
Runs COUNT clients (MAC MACBASE + i, default 02:00:00:00:xx:xx), at most
WINDOW in DORA at once: DISCOVER, OFFER, REQUEST (selecting), ACK. Every
ACK is appended to OUT at once ("MAC IP", flushed) so a run killed half way
still lists what the server acknowledged. Prints one line:
  DORA acked=N naks=N lost=N secs=S rate=R p50_ms=X p99_ms=Y
Retransmits a step after 2 s, gives a client up after 4 tries."""
import os, random, select, socket, struct, sys, time

def opts(pkt):
    o, i = {}, 240
    while i < len(pkt):
        c = pkt[i]
        if c == 255: break
        if c == 0: i += 1; continue
        l = pkt[i + 1]; o[c] = pkt[i + 2:i + 2 + l]; i += 2 + l
    return o

def build(xid, mac, typ, req=None, sid=None):
    p = struct.pack('!BBBBIHH4s4s4s4s16s64s128sI', 1, 1, 6, 0, xid, 0, 0x8000, bytes(4), bytes(4),
                    bytes(4), bytes(4), mac + bytes(10), bytes(64), bytes(128), 0x63825363)
    p += bytes([53, 1, typ])
    if req: p += bytes([50, 4]) + req
    if sid: p += bytes([54, 4]) + sid
    p += bytes([55, 4, 1, 3, 6, 51, 255])
    return p

def main():
    iface, count, window, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    base = int(sys.argv[5].replace(':', ''), 16) if len(sys.argv) > 5 else 0x020000000000
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(('0.0.0.0', 68))
    f = open(out, 'a', buffering=1)
    nxt, acked, naks, lost, lat, olat = 0, 0, 0, 0, [], []
    live = {}  # xid -> [mac, state, t0, tsent, tries, offer]
    t_start = time.monotonic()
    def send(x):
        c = live[x]
        if c[1] == 'd':
            s.sendto(build(x, c[0], 1), ('255.255.255.255', 67))
        else:
            s.sendto(build(x, c[0], 3, c[5][0], c[5][1]), ('255.255.255.255', 67))
        c[3] = time.monotonic(); c[4] += 1
    while nxt < count or live:
        while nxt < count and len(live) < window:
            mac = (base + nxt).to_bytes(6, 'big'); nxt += 1
            x = random.getrandbits(32)
            live[x] = [mac, 'd', time.monotonic(), 0, 0, None]
            send(x)
        r, _, _ = select.select([s], [], [], 0.2)
        now = time.monotonic()
        if r:
            pkt = s.recv(2048)
            if len(pkt) < 240 or pkt[0] != 2: continue
            x = struct.unpack('!I', pkt[4:8])[0]
            c = live.get(x)
            if not c or pkt[28:34] != c[0]: continue
            o = opts(pkt); t = o.get(53, b'\0')[0]
            if t == 2 and c[1] == 'd':
                olat.append(now - c[2])
                c[1], c[4] = 'r', 0
                c[5] = (pkt[16:20], o.get(54))
                send(x)
            elif t == 5 and c[1] == 'r':
                f.write('%s %s\n' % (':'.join('%02x' % b for b in c[0]), socket.inet_ntoa(pkt[16:20])))
                acked += 1; lat.append(now - c[2]); del live[x]
            elif t == 6:
                naks += 1; del live[x]
        for x in [x for x, c in live.items() if now - c[3] > 2.0]:
            if live[x][4] >= 4:
                lost += 1; del live[x]
            else:
                send(x)
    secs = time.monotonic() - t_start
    lat.sort()
    olat.sort()
    q = lambda v, p: v[min(len(v) - 1, int(p * len(v)))] * 1000 if v else 0
    print('DORA acked=%d naks=%d lost=%d secs=%.2f rate=%.1f p50_ms=%.1f p99_ms=%.1f '
          'offer_p99_ms=%.1f' % (acked, naks, lost, secs, acked / secs if secs else 0,
                                 q(lat, 0.5), q(lat, 0.99), q(olat, 0.99)))

main()
