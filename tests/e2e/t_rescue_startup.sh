#!/usr/bin/env bash
# `lifeboat serve --rescue` builds the rescue image at start-up (mkrescue
# run as a child into a memfd, before the privilege drop) and serves it:
# the image is a valid newc cpio with /init, the generated iPXE script
# points lifeboat.home at the address asked, and the phone-home endpoint
# takes a report (204, logged) while other POSTs stay refused; a SIGHUP
# keeps serving the same image. No QEMU: the
# kernel is the cached Debian root's (this host may have none in /boot).
. "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_cmd ip dnsmasq cpio curl zstd gzip debootstrap
lab_require_file /usr/lib/ipxe/undionly.kpxe
[ -x "$LB_BIN" ] || lab_fail "no lifeboat binary at $LB_BIN (run make)"
lab_init
root=$("$LAB_E2E/vm/mkrescueroot") || lab_fail "could not build the Debian root (mkrescueroot)"
kernel=$(ls "$root"/boot/vmlinuz-* | sort -V | tail -1)
lab_up
lab_run_laptop "$LB_BIN" serve $LB_SERVE_ARGS -i $LAPTOP_IF --rescue --kernel "$kernel" \
	--ipxe-dir /usr/lib/ipxe
lab_laptop_ready 120
lab_server_log_has "serve\.rescue image=lifeboat/rescue\.img bytes=[1-9]" ||
	lab_fail "no serve.rescue line with the built image's size"
lab_server_log_has "serve\.ready mode=rescue" || lab_fail "serve is not in rescue mode"
lab_server_log_has "serve\.privileges uid=" || lab_fail "serve did not drop root after the build"

get() { ip netns exec "$NS_ROUTER" curl -sS -m 20 "$@"; }
get -o "$LAB_DIR/rescue.img" "http://$LAPTOP_IP/lifeboat/rescue.img" || lab_fail "GET rescue.img"
# the compressor is whichever the kernel accepts: try each
list=$( (zstd -dc < "$LAB_DIR/rescue.img" 2>/dev/null || xz -dc < "$LAB_DIR/rescue.img" 2>/dev/null ||
	gzip -dc < "$LAB_DIR/rescue.img" 2>/dev/null || cat "$LAB_DIR/rescue.img") | cpio -it --quiet 2>/dev/null)
for f in init bin/busybox bin/lifeboat etc/lifeboat/rescue etc/lifeboat/modules root/.ssh/authorized_keys dev/console; do
	grep -qx "$f" <<<"$list" || lab_fail "the served image has no $f"
done
lab_log "served image: $(stat -c %s "$LAB_DIR/rescue.img") bytes, $(wc -l <<<"$list") entries"

script=$(get "http://$LAPTOP_IP/lifeboat/rescue/$LAPTOP_IP/boot.ipxe") || lab_fail "GET the rescue script"
grep -q "^kernel /lifeboat/kernel/$(basename "$kernel") initrd=rescue.img lifeboat.home=http://$LAPTOP_IP:80 " <<<"$script" ||
	lab_fail "the rescue script has no kernel line with lifeboat.home: $script"
grep -qx "initrd /lifeboat/rescue.img" <<<"$script" || lab_fail "the rescue script has no initrd line: $script"
code=$(get -o /dev/null -w '%{http_code}' "http://$LAPTOP_IP/lifeboat/rescue/not-an-ip/boot.ipxe")
[ "$code" = 404 ] || lab_fail "a script for a bogus address answered $code, not 404"

code=$(get -o /dev/null -w '%{http_code}' -H 'Content-Type: text/plain' --data-binary 'up, ssh at 192.0.2.1, test' \
	"http://$LAPTOP_IP/lifeboat/report")
[ "$code" = 204 ] || lab_fail "the report POST answered $code, not 204"
lab_server_log_has 'rescue\.report mac=- ip=192\.0\.2\.1 text="up, ssh at 192\.0\.2\.1, test"' ||
	lab_fail "no rescue.report line for the POST"
code=$(get -o /dev/null -w '%{http_code}' --data-binary 'x' "http://$LAPTOP_IP/lifeboat/rescue.img")
[ "$code" = 404 ] || lab_fail "a POST to another path answered $code, not 404"
code=$(get -o /dev/null -w '%{http_code}' --data-binary "$(head -c 600 /dev/zero | tr '\0' x)" \
	"http://$LAPTOP_IP/lifeboat/report")
[ "$code" = 413 ] || lab_fail "a 600-byte report answered $code, not 413"
# SIGHUP: the image built at start-up is still served (by descriptor: the
# sandboxed process could not reopen /proc/self/fd), nothing is rebuilt
kill -HUP "$(lab_pid laptop)"
t=0
until lab_server_log_has "serve\.reload result="; do
	t=$((t + 1))
	[ $t -gt 100 ] && lab_fail "no serve.reload line after SIGHUP"
	sleep 0.1
done
lab_server_log_has "serve\.reload result=ok" || lab_fail "the reload failed: $(grep -a serve.reload "$LAPTOP_LOG")"
get -o "$LAB_DIR/again.img" "http://$LAPTOP_IP/lifeboat/rescue.img" || lab_fail "GET rescue.img after SIGHUP"
cmp -s "$LAB_DIR/rescue.img" "$LAB_DIR/again.img" || lab_fail "the image changed across SIGHUP"
[ "$(grep -ac 'serve\.rescue image=' "$LAPTOP_LOG")" = 1 ] || lab_fail "the image was built again on SIGHUP"
lab_pass "serve --rescue built and served the image ($(stat -c %s "$LAB_DIR/rescue.img") bytes); script, report POST ok"
