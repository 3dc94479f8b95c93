#!/usr/bin/env bash
# `lifeboat serve ROOT --grub` (root mode): a SeaBIOS client (e1000 iPXE
# ROM) boots the GRUB BIOS core lifeboat built, and GRUB gets the config
# named after its MAC (ROOT/grub/grub.cfg-01-<mac>), not ROOT/grub/grub.cfg
# (a decoy that does not boot): GRUB 2.06 only searches per-client names
# over TFTP, so lifeboat's grub.cfg hands GRUB's MAC back and lifeboat runs
# the search in ROOT. The kernel and initrd come from ROOT over HTTP.
. "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio grub-mkimage
lab_require_file "$LAB_KERNEL" /usr/lib/grub/i386-pc/moddep.lst
[ "$LB_SERVER" = lifeboat ] || lab_skip "--grub is lifeboat's own (LB_SERVER=$LB_SERVER)"

lab_up
lab_initramfs
token=lbe$$x$RANDOM
mac=$(lab_mac 5)
root=$LAB_DIR/root
mkdir -p "$root/grub"
cp "$LAB_KERNEL" "$root/vmlinuz"
cp "$LAB_INITRD" "$root/initrd.gz"
printf 'echo "lifeboat-e2e: WRONG CONFIG (grub.cfg, not the per-MAC one)"\nhalt\n' > "$root/grub/grub.cfg"
printf 'linux /vmlinuz %s lbe_token=%s\ninitrd /initrd.gz\nboot\n' "$LAB_CMDLINE" "$token" \
	> "$root/grub/grub.cfg-01-$(echo "$mac" | tr : -)"
chmod -R a+rX "$root"
lab_run_laptop "$LB_BIN" serve "$root" $LB_SERVE_ARGS -i $LAPTOP_IF --grub
lab_laptop_ready 20
serial=$LAB_DIR/grub-root.log
qemu_bios_ipxe grubroot "$mac" "$serial"
wait_for_marker "$serial" "$LAB_MARKER .*lbe_token=$token" "${LB_E2E_BOOT_TIMEOUT:-240}" grubroot ||
	lab_fail "BIOS client did not boot through GRUB with its per-MAC config: $LAB_WAIT_WHY"
t=$(timing grubroot)
ph=$(phases grubroot "$mac")
lab_log "marker after ${t}s: $(grep -a "$LAB_MARKER" "$serial" | tr -d '\r')"

ip=$(lab_check_lease "$mac") || lab_fail "router's lease file has no lease for $mac: $(cat "$ROUTER_LEASES")"
lab_server_log_has "dhcp\.offer mac=$mac .*file=lifeboat/grub/$LAPTOP_IP/core\.0" ||
	lab_fail "lifeboat did not offer $mac the GRUB BIOS core"
lab_server_log_has "serve\.grub cfg=grub/grub\.cfg-01-$(echo "$mac" | tr : -) " ||
	lab_fail "lifeboat did not pick the per-MAC config"
for p in "/grub/grub\.cfg" "/lifeboat/grub/cfg/01-$(echo "$mac" | tr : -)" "/vmlinuz" "/initrd\.gz"; do
	lab_server_log_has "http\.done client=$ip:[0-9]+( mac=\S+)? method=GET path=$p status=200" ||
		lab_fail "GRUB ($ip) did not fetch $p from lifeboat over HTTP"
done
lab_pass "grub-root per-MAC config boot: power-on to marker ${t}s${ph:+ (}${ph}${ph:+)} (lease $ip from router)"
