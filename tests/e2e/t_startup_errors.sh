#!/usr/bin/env bash
# Start-up errors of `lifeboat serve` (issue 12, section 2), no client
# needed. Each is refused at start-up with words that name the problem:
# a ROOT (or a boot file in it) the drop user cannot read, naming the path
# and the user; kernel and initrd swapped; a file that is no kernel given
# to --kernel; a kernel given to --initrd; an --ipxe-dir without any image,
# naming the files. An --ipxe-dir that lacks only the BIOS image starts and
# its warning names that file. A SIGHUP reload that fails, with
# --log-format json, leaves a log whose every line is JSON.
. "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_cmd ip dnsmasq python3
lab_require_file "$LAB_KERNEL" "$DI_DIR/initrd.gz" /usr/lib/ipxe/snponly.efi
[ "$LB_SERVER" = lifeboat ] || lab_skip "start-up checks are lifeboat's own (LB_SERVER=$LB_SERVER)"
[ -x "$LB_BIN" ] || lab_fail "no lifeboat binary at $LB_BIN (run make)"

lab_up
INITRD=$DI_DIR/initrd.gz
# refuse WANT CMD...: CMD must exit non-zero at start-up and say WANT (ERE)
refuse() {
	local want=$1 out rc
	shift
	out=$(ip netns exec "$NS_LAPTOP" timeout 20 "$@" 2>&1)
	rc=$?
	[ $rc != 0 ] && [ $rc != 124 ] || lab_fail "accepted (rc $rc): $*: $out"
	echo "$out" | grep -qE -- "$want" || lab_fail "no '$want' in the error of $*: $out"
	echo "$out" | grep -q 'serve\.ready' && lab_fail "ready before refusing: $out"
	lab_log "refused: $(echo "$out" | grep -E -- "$want" | head -1 | cut -c26-)"
}
S=("$LB_BIN" serve -i $LAPTOP_IF)

# 1. a ROOT the drop user (nobody) cannot enter: root owns it, mode 0700
mkdir -p "$LAB_DIR/private" "$LAB_DIR/open"
echo pxe > "$LAB_DIR/private/pxelinux.0"
chmod 700 "$LAB_DIR/private"
refuse "serve\.error root=$LAB_DIR/private user=nobody reason=\"user nobody cannot enter ROOT \(Permission denied\)" \
	"${S[@]}" "$LAB_DIR/private"
# ... and one boot file in a readable ROOT that only root may read
echo pxe > "$LAB_DIR/open/pxelinux.0"
echo efi > "$LAB_DIR/open/bootx64.efi"
chmod 755 "$LAB_DIR/open"; chmod 644 "$LAB_DIR/open/pxelinux.0"; chmod 600 "$LAB_DIR/open/bootx64.efi"
refuse "serve\.error file=$LAB_DIR/open/bootx64\.efi user=nobody reason=\"user nobody cannot read it \(Permission denied\)" \
	"${S[@]}" "$LAB_DIR/open" --boot bios=pxelinux.0 --boot efi64=bootx64.efi
# the same as --user daemon (Debian's base-passwd has it): the check follows the drop user
if getent passwd daemon >/dev/null; then
	refuse "file=$LAB_DIR/open/bootx64\.efi user=daemon reason=\"user daemon cannot read it" \
		"${S[@]}" "$LAB_DIR/open" --user daemon --boot bios=pxelinux.0 --boot efi64=bootx64.efi
fi

# ... while files a boot loader fetches later (not named by the plan) and
# that nobody cannot read are one start-up warning, not an error
mkdir -p "$LAB_DIR/later/pxelinux.cfg" "$LAB_DIR/later/sub"
echo pxe > "$LAB_DIR/later/pxelinux.0"
echo default > "$LAB_DIR/later/pxelinux.cfg/default"
echo c32 > "$LAB_DIR/later/sub/ldlinux.c32"
chmod -R a+rX "$LAB_DIR/later"
chmod 700 "$LAB_DIR/later/pxelinux.cfg"; chmod 600 "$LAB_DIR/later/sub/ldlinux.c32"
lab_run_laptop "${S[@]}" "$LAB_DIR/later"
for _ in $(seq 100); do grep -q 'serve\.ready' "$LAPTOP_LOG" && break; sleep 0.1; done
grep -q 'serve\.ready' "$LAPTOP_LOG" || lab_fail "a ROOT with private files did not start: $(tail -5 "$LAPTOP_LOG")"
grep -qE "warn  serve\.warn root=$LAB_DIR/later user=nobody unreadable=2 first=\"(pxelinux\.cfg, sub/ldlinux\.c32|sub/ldlinux\.c32, pxelinux\.cfg)\"" "$LAPTOP_LOG" ||
	lab_fail "no warning naming pxelinux.cfg and sub/ldlinux.c32: $(grep -a warn "$LAPTOP_LOG")"
lab_log "private files beneath ROOT: $(grep -o 'unreadable=.*first="[^"]*"' "$LAPTOP_LOG")"
lab_stop laptop

# 2. kernel and initrd swapped
refuse "serve\.error file=$INITRD reason=\"--kernel and --initrd look swapped: the --kernel file is gzip data \(an initrd\?\), the --initrd file is an x86 bzImage kernel" \
	"${S[@]}" --kernel "$INITRD" --initrd "$LAB_KERNEL"
# 3. no kernel given to --kernel: an EFI program, a text file, an initrd alone
refuse "serve\.error file=/usr/lib/ipxe/snponly\.efi reason=\"not a kernel: an EFI program \(PE\), not a Linux kernel" \
	"${S[@]}" --kernel /usr/lib/ipxe/snponly.efi --initrd "$INITRD"
echo "console=ttyS0" > "$LAB_DIR/cmdline.txt"
refuse "reason=\"not a kernel: no known kernel or initrd format" "${S[@]}" --kernel "$LAB_DIR/cmdline.txt"
refuse "reason=\"not a kernel: gzip data \(an initrd\?\)" "${S[@]}" --kernel "$INITRD"
# a kernel as the second initrd
refuse "serve\.error file=$LAB_KERNEL reason=\"this --initrd is an x86 bzImage kernel" \
	"${S[@]}" --kernel "$LAB_KERNEL" --initrd "$INITRD" --initrd "$LAB_KERNEL"

# 4. --ipxe-dir: none of the images, then only the UEFI one
mkdir -p "$LAB_DIR/ipxe-empty" "$LAB_DIR/ipxe-efi"
refuse "serve\.error ipxe_dir=$LAB_DIR/ipxe-empty missing=\"undionly\.kpxe, snponly\.efi, arm64-efi/snponly\.efi\"" \
	"${S[@]}" --kernel "$LAB_KERNEL" --ipxe-dir "$LAB_DIR/ipxe-empty"
cp /usr/lib/ipxe/snponly.efi "$LAB_DIR/ipxe-efi/"
chmod -R a+rX "$LAB_DIR/ipxe-efi"
lab_run_laptop "${S[@]}" --kernel "$LAB_KERNEL" --ipxe-dir "$LAB_DIR/ipxe-efi"
for _ in $(seq 100); do grep -q 'serve\.ready' "$LAPTOP_LOG" && break; sleep 0.1; done
grep -q 'serve\.ready' "$LAPTOP_LOG" || lab_fail "serve with a UEFI-only --ipxe-dir did not start: $(tail -5 "$LAPTOP_LOG")"
grep -q "warn  serve\.boot family=\"BIOS\" result=none reason=\"kernel mode: no iPXE image for this architecture in --ipxe-dir\" missing=$LAB_DIR/ipxe-efi/undionly\.kpxe package=ipxe" "$LAPTOP_LOG" ||
	lab_fail "no warning naming $LAB_DIR/ipxe-efi/undionly.kpxe: $(grep serve.boot "$LAPTOP_LOG")"
grep -q 'serve\.boot family="UEFI x64" file="lifeboat/ipxe/snponly\.efi" via=kernel' "$LAPTOP_LOG" ||
	lab_fail "UEFI x64 not served from the --ipxe-dir"
lab_log "UEFI-only --ipxe-dir: starts, warns $LAB_DIR/ipxe-efi/undionly.kpxe missing (package ipxe)"
lab_stop laptop

# 5. a failed SIGHUP reload with --log-format json: every line stays JSON
mkdir -p "$LAB_DIR/root"
echo pxe > "$LAB_DIR/root/pxelinux.0"
chmod -R a+rX "$LAB_DIR/root"
conf=$LAB_DIR/lifeboat.conf
printf 'root %s\nlog-format json\n' "$LAB_DIR/root" > "$conf"
chmod 644 "$conf"
lab_run_laptop "${S[@]}" -c "$conf"
for _ in $(seq 100); do grep -q '"serve\.ready"' "$LAPTOP_LOG" && break; sleep 0.1; done
grep -q '"serve\.ready"' "$LAPTOP_LOG" || lab_fail "serve -c did not start: $(tail -5 "$LAPTOP_LOG")"
# reload_fails N WHAT: HUP, then until the Nth failed reload is logged
reload_fails() {
	kill -HUP "$(lab_pid laptop)"
	for _ in $(seq 100); do
		[ "$(grep -c '"serve\.reload","result":"failed"' "$LAPTOP_LOG")" -ge "$1" ] && return 0
		sleep 0.1
	done
	lab_fail "reload $2 not reported as failed: $(tail -3 "$LAPTOP_LOG")"
}
echo 'no-such-option 1' >> "$conf"
reload_fails 1 "with an unknown option"
sed -i '$d' "$conf"
echo 'boot efi64=not-there.efi' >> "$conf"
reload_fails 2 "naming a boot file ROOT does not hold"
lab_alive laptop || lab_fail "lifeboat died on a failed reload"
python3 - "$LAPTOP_LOG" "$conf" <<'PY' || lab_fail "the JSON log is broken: $(cat "$LAPTOP_LOG")"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
recs = [json.loads(l) for l in lines]  # raises on any line that is not JSON
bad = [r for r in recs if r.get("event") == "serve.reload" and r.get("result") == "failed"]
assert len(bad) == 2, bad
assert bad[0]["detail"] == "%s:3: unknown option 'no-such-option'" % sys.argv[2], bad[0]
assert any(r.get("event") == "serve.error" and r.get("efi64") == "not-there.efi" for r in recs)
print("json ok: %d lines" % len(recs))
PY
lab_pass "start-up errors: unreadable ROOT/file named with the user, other unreadable files warned, swapped kernel/initrd, 3 non-kernels, kernel as initrd, empty --ipxe-dir names its files, BIOS image missing named, failed reloads logged as JSON"
