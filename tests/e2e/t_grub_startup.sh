#!/usr/bin/env bash
# `serve --grub` start-up, without a client: missing GRUB packages and
# impossible settings are refused with the package or fix named; with one
# module tree only, that core is built and served (the other is not), the
# module tree and the generated grub.cfg are served after the privilege
# drop and sandbox, the prefix carries a non-default HTTP port, and a
# SIGHUP reload keeps the cores.
. "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_cmd ip dnsmasq curl grub-mkimage
lab_require_file /usr/lib/grub/i386-pc/moddep.lst
[ "$LB_SERVER" = lifeboat ] || lab_skip "--grub is lifeboat's own (LB_SERVER=$LB_SERVER)"
[ -x "$LB_BIN" ] || lab_fail "no lifeboat binary at $LB_BIN (run make)"

lab_up
# a stand-in kernel: just the x86 boot protocol header serve checks
{ head -c 510 /dev/zero; printf '\x55\xaa\x00\x00HdrS\x0f\x02'; } > "$LAB_DIR/vmlinuz"
echo i > "$LAB_DIR/initrd"
chmod 644 "$LAB_DIR/vmlinuz" "$LAB_DIR/initrd"
K=(--kernel "$LAB_DIR/vmlinuz" --initrd "$LAB_DIR/initrd")
mkdir -p "$LAB_DIR/empty" "$LAB_DIR/biosonly"
ln -s /usr/lib/grub/i386-pc "$LAB_DIR/biosonly/i386-pc"
cp -a "$LAB_DIR/biosonly" "$LAB_DIR/biosonly2"

# refuse: run it, it must exit non-zero and say $2
refuse() {
	local want=$1 out rc
	shift
	out=$(ip netns exec "$NS_LAPTOP" timeout 20 "$@" 2>&1)
	rc=$?
	[ $rc != 0 ] && [ $rc != 124 ] || lab_fail "accepted (rc $rc): $*: $out"
	echo "$out" | grep -q -- "$want" || lab_fail "no '$want' in the error of $*: $out"
	lab_log "refused as expected: ${out##*reason=}"
}
refuse 'grub-pc-bin' "$LB_BIN" serve -i $LAPTOP_IF --grub --grub-dir "$LAB_DIR/empty" "${K[@]}"
refuse 'grub-efi-amd64-bin' "$LB_BIN" serve -i $LAPTOP_IF --grub --grub-dir "$LAB_DIR/empty" "${K[@]}"
refuse 'grub-common' env PATH=/nonexistent "$LB_BIN" serve -i $LAPTOP_IF --grub "${K[@]}"
refuse 'TFTP on port 69' "$LB_BIN" serve -i $LAPTOP_IF --grub --no-http --tftp-port 6969 \
	--grub-dir "$LAB_DIR/biosonly" "$LAB_DIR"
refuse 'shim-signed and grub-efi-amd64-signed' "$LB_BIN" serve -i $LAPTOP_IF --grub-signed \
	--grub-dir "$LAB_DIR/biosonly" "${K[@]}"

# the options from a --config file: flags without a value work there too
conf=$LAB_DIR/lifeboat.conf
printf 'grub\ngrub-dir %s\nhttp-port 8080\nkernel %s\ninitrd %s\n' "$LAB_DIR/biosonly" \
	"$LAB_DIR/vmlinuz" "$LAB_DIR/initrd" > "$conf"
chmod 644 "$conf"
lab_run_laptop "$LB_BIN" serve $LB_SERVE_ARGS -i $LAPTOP_IF -c "$conf"
lab_laptop_ready 20
for i in $(seq 50); do grep -q 'serve\.ready' "$LAPTOP_LOG" && break; sleep 0.2; done
lab_server_log_has "serve\.grub image=lifeboat/grub/$LAPTOP_IP/core\.0 format=i386-pc-pxe prefix=\(http,$LAPTOP_IP:8080\)/grub" ||
	lab_fail "no BIOS core with the :8080 prefix"
lab_server_log_has "serve\.grub image=\S*core\.efi" && lab_fail "an EFI core without the x86_64-efi tree"
lab_server_log_has "serve\.warn grub=x86_64-efi .*grub-efi-amd64-bin" ||
	lab_fail "no warning naming grub-efi-amd64-bin"
# get PATH CODE: HTTP status of PATH from lifeboat
get() {
	local code
	code=$(ip netns exec "$NS_LAPTOP" curl -s -o "$LAB_DIR/got" -w '%{http_code}' "http://$LAPTOP_IP:8080/$1")
	[ "$code" = "$2" ] || lab_fail "GET /$1: $code, want $2"
}
check_files() {
	get "lifeboat/grub/$LAPTOP_IP/core.0" 200
	[ "$(head -c 2 "$LAB_DIR/got" | od -An -tx1 | tr -d ' ')" != "" ] || lab_fail "empty core"
	get "lifeboat/grub/$LAPTOP_IP/core.efi" 404
	get "lifeboat/grub/198.51.100.1/core.0" 404
	get grub/i386-pc/normal.mod 200
	cmp -s "$LAB_DIR/got" /usr/lib/grub/i386-pc/normal.mod || lab_fail "normal.mod differs"
	get grub/i386-pc/../../../etc/passwd 404
	get grub/x86_64-efi/normal.mod 404
	get grub/grub.cfg 200
	grep -q "^linux '/lifeboat/kernel/vmlinuz'" "$LAB_DIR/got" || lab_fail "grub.cfg: $(cat "$LAB_DIR/got")"
}
check_files
kill -HUP "$(lab_pid laptop)"
for i in $(seq 50); do lab_server_log_has 'serve\.reload result=' && break; sleep 0.2; done
lab_server_log_has 'serve\.reload result=ok' || lab_fail "reload failed: $(tail -3 "$LAPTOP_LOG")"
check_files
# another --grub-dir needs a restart: the reload is refused, nothing changes
sed -i "s|^grub-dir .*|grub-dir $LAB_DIR/biosonly2|" "$conf"
kill -HUP "$(lab_pid laptop)"
for i in $(seq 50); do lab_server_log_has 'serve\.reload result=failed' && break; sleep 0.2; done
lab_server_log_has 'serve\.reload result=failed reason="--grub-dir changes only on restart"' ||
	lab_fail "a reload with another --grub-dir was not refused: $(tail -3 "$LAPTOP_LOG")"
check_files
lab_alive laptop || lab_fail "lifeboat died"
lab_pass "grub start-up: 5 refusals name the fix; BIOS-only core with :8080 prefix, tree, grub.cfg served before and after SIGHUP; --grub-dir change refused on reload"
