#!/usr/bin/env bash
# `lifeboat serve` with no ROOT, kernel or boot file (only -i, as the lab
# needs it) is boot menu mode: the menu script a client gets lists "Boot
# from local disk" as the default and the host's Debian installer (package
# debian-installer-12-netboot-amd64), whose kernel is served byte for byte.
# No QEMU: the menu is fetched as iPXE would, from the router's namespace.
. "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_cmd ip dnsmasq curl
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
grep -q '^item local Boot from local disk' "$menu" || lab_fail "no local-disk item: $(cat "$menu")"
grep -q -- '--default local' "$menu" || lab_fail "local disk is not the default"
grep -q '^item e0 Debian 12 installer' "$menu" || lab_fail "no Debian installer entry: $(cat "$menu")"
url=$(sed -n 's/^kernel \(http:[^ ]*\).*/\1/p' "$menu" | head -1)
[ -n "$url" ] || lab_fail "no kernel line in the menu"
got=$(ip netns exec "$NS_ROUTER" curl -sf "$url" | sha256sum | cut -d' ' -f1)
[ "$got" = "$(sha256sum < "$LAB_KERNEL" | cut -d' ' -f1)" ] || lab_fail "$url is not the installer's kernel"
lab_pass "serve with no arguments: boot menu with local disk (default) and the Debian installer ($url)"
