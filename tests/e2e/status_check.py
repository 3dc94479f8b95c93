#!/usr/bin/python3
"""Checks for t_status_boot.sh: the polled `lifeboat status --json`
snapshots (one JSON document per line in SNAPS), the final /metrics text
(parsed by prometheus_client's parser) and the expected boots.

usage: status_check.py SNAPS METRICS KERNEL_SIZE INITRD_SIZE SNPONLY_SIZE MAC:arch...
Exits 1 with the reason on the first failed check."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

ORDER = ["seen", "offer", "binl", "file", "handoff"]


def fail(msg):
    print("status_check: FAIL: " + msg)
    sys.exit(1)


def main():
    snaps_path, metrics_path = sys.argv[1], sys.argv[2]
    kernel, initrd, snponly = (int(x) for x in sys.argv[3:6])
    clients = [a.split(":", 6) for a in sys.argv[6:]]
    clients = [(":".join(c[:6]), c[6]) for c in clients]
    snaps = []
    with open(snaps_path) as f:
        for line in f:
            line = line.strip()
            if line:
                snaps.append(json.loads(line))  # every answer is valid JSON
    if len(snaps) < 3:
        fail("only %d status snapshots" % len(snaps))
    last = {c["mac"]: c for c in snaps[-1]["clients"]}
    for mac, arch in clients:
        seen = []
        for s in snaps:
            for c in s["clients"]:
                if c["mac"] == mac and (not seen or seen[-1] != c["stage"]):
                    seen.append(c["stage"])
        idx = [ORDER.index(x) for x in seen]
        if idx != sorted(idx):
            fail("%s: stages out of order: %s" % (mac, seen))
        if seen[-1] != "handoff" or len(seen) < 3:
            fail("%s: stages seen %s, want offer .. handoff" % (mac, seen))
        c = last.get(mac)
        if not c or c["arch"] != arch:
            fail("%s: not in the last snapshot with arch %s: %s" % (mac, arch, c))
        st = c["stages"]
        marks = [st[k] for k in ORDER[1:] if st[k] is not None]
        if marks != sorted(marks):
            fail("%s: stage times out of order: %s" % (mac, st))
        files = {}
        for f in c["files"]:
            if f["state"] == "done":
                files.setdefault(f["name"].rsplit("/", 1)[-1], []).append(f)
        want = {"linux": kernel, "initrd.gz": initrd}
        if arch == "efi64":
            want["snponly.efi"] = snponly
        for name, size in want.items():
            if not any(f["bytes"] == size and f["size"] == size for f in files.get(name, [])):
                fail("%s: no complete %s of %d bytes in %s" % (mac, name, size, c["files"]))
        print("status_check: %s %s stages %s, files %s" % (mac, arch, " > ".join(seen),
              ", ".join("%s=%d" % (n, v[-1]["bytes"]) for n, v in sorted(files.items()))))
    with open(metrics_path) as f:
        text = f.read()
    fams = {m.name: m for m in text_string_to_metric_families(text)}

    def value(name, **labels):
        fam = fams.get(name)
        if not fam:
            fail("no metric family %s" % name)
        total = 0.0
        for s in fam.samples:
            if all(s.labels.get(k) == v for k, v in labels.items()) and not s.name.endswith("_created"):
                total += s.value
        return total

    n = len(clients)
    archs = {}
    for _, arch in clients:
        archs[arch] = archs.get(arch, 0) + 1
    for arch, k in archs.items():
        if value("lifeboat_dhcp_replies", proto="dhcp4", type="offer", arch=arch) < k:
            fail("fewer than %d dhcp4 offers to arch %s" % (k, arch))
    if "efi64" in archs and value("lifeboat_dhcp_replies", proto="dhcp4", type="answer", arch="efi64") < 1:
        fail("no 4011 answer to the efi64 client")
    if value("lifeboat_boots", outcome="handoff") != n:
        fail("boots handed off: %s, want %d" % (value("lifeboat_boots", outcome="handoff"), n))
    http_done = value("lifeboat_transfers_done", proto="http")
    if http_done < 3 * n:  # script, kernel, initrd per client
        fail("http transfers done %s < %d" % (http_done, 3 * n))
    if value("lifeboat_bytes_sent", proto="http") < n * (kernel + initrd):
        fail("http bytes %s < %d" % (value("lifeboat_bytes_sent", proto="http"), n * (kernel + initrd)))
    if "efi64" in archs and value("lifeboat_bytes_sent", proto="tftp") < archs["efi64"] * snponly:
        fail("tftp bytes below the snponly.efi fetches")
    started = value("lifeboat_transfers_started", proto="http")
    if started < http_done:
        fail("http started %s < done %s" % (started, http_done))
    if value("lifeboat_clients") < n:
        fail("lifeboat_clients below %d" % n)
    info = [s for s in fams["lifeboat_build_info"].samples]
    if not info or not info[0].labels.get("version"):
        fail("no build_info version")
    print("status_check: metrics ok: %d families; http done %d, bytes http %d, handoffs %d" % (
        len(fams), http_done, value("lifeboat_bytes_sent", proto="http"), value("lifeboat_boots", outcome="handoff")))


main()
