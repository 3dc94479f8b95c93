#!/usr/bin/env bash
# `lifeboat serve` with no ROOT, kernel or boot file (only -i, as the lab
# needs it) is boot menu mode: the menu script a client gets lists "Boot
# from local disk" as the default and the host's Debian installer (package
# debian-installer-12-netboot-amd64), whose kernel is served byte for byte.
# No QEMU: the menu is fetched as iPXE would, from the router's namespace.
. "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_cmd ip dnsmasq curl xorriso
lab_require_file "$LAB_KERNEL" /usr/lib/ipxe/undionly.kpxe
[ "$LB_SERVER" = lifeboat ] || lab_skip "the boot menu is lifeboat's"

lab_up
lab_run_laptop "$LB_BIN" serve $LB_SERVE_ARGS -i $LAPTOP_IF
lab_laptop_ready 10
lab_server_log_has "serve\.ready mode=menu" || lab_fail "serve did not start in boot menu mode"
menu=$LAB_DIR/menu.ipxe
base=http://$LAPTOP_IP/lifeboat/menu/$LAPTOP_IP
ip netns exec "$NS_ROUTER" curl -sf "$base/menu.ipxe" | grep -q 'chain ${platform}-${netX/mac:hexhyp}.ipxe' ||
	lab_fail "menu.ipxe does not chain to the per-machine menu"
ip netns exec "$NS_ROUTER" curl -sf "$base/pcbios-52-54-00-00-00-01.ipxe" > "$menu" ||
	lab_fail "no per-machine menu script"
grep -q '^item --gap This machine: ${netX/mac}, firmware ${platform} (${buildarch})$' "$menu" ||
	lab_fail "the menu does not say which machine and firmware: $(cat "$menu")"
grep -q "^menu lifeboat boot menu (server $LAPTOP_IP)$" "$menu" || lab_fail "the menu does not name its server"
grep -q '^item local Boot from local disk' "$menu" || lab_fail "no local-disk item: $(cat "$menu")"
grep -q -- '--default local' "$menu" || lab_fail "local disk is not the default"
grep -q '^item e0 Debian 12 installer' "$menu" || lab_fail "no Debian installer entry: $(cat "$menu")"
url=$(sed -n 's/^kernel \(http:[^ ]*\).*/\1/p' "$menu" | head -1)
[ -n "$url" ] || lab_fail "no kernel line in the menu"
got=$(ip netns exec "$NS_ROUTER" curl -sf "$url" | sha256sum | cut -d' ' -f1)
[ "$got" = "$(sha256sum < "$LAB_KERNEL" | cut -d' ' -f1)" ] || lab_fail "$url is not the installer's kernel"
# this host has no kernel in /boot or /vmlinuz (a container): no rescue
# entry, said once at start-up, not an error
if [ ! -r "/boot/vmlinuz-$(uname -r)" ] && [ ! -r /vmlinuz ]; then
	lab_server_log_has 'serve\.menu rescue=off reason="no kernel' || lab_fail "no word on the missing rescue entry"
	grep -q '^item rescue' "$menu" && lab_fail "a rescue entry without a kernel"
fi
# an ISO of no known layout: a start-up error naming the layouts known and
# what the ISO has
lab_stop laptop
mkdir -p "$LAB_DIR/odd/sources"
printf x > "$LAB_DIR/odd/README"
xorriso -as mkisofs -R -o "$LAB_DIR/odd.iso" "$LAB_DIR/odd" 2>/dev/null || lab_fail "xorriso"
out=$(ip netns exec "$NS_LAPTOP" timeout 20 "$LB_BIN" serve -i $LAPTOP_IF --no-status --iso "$LAB_DIR/odd.iso" 2>&1) &&
	lab_fail "serve started with an ISO of no known layout"
for l in debian-live debian-installer ubuntu-casper redhat-installer redhat-live arch alpine; do
	[[ $out == *"lifeboat knows"*"$l ("* ]] || lab_fail "the error does not list layout $l: $out"
done
[[ $out == *"this ISO's top level has: README sources/"* ]] || lab_fail "the error does not say what the ISO has: $out"
lab_pass "serve with no arguments: boot menu naming machine and firmware, local disk (default) and the Debian installer ($url); an unknown ISO is an error listing the layouts"
