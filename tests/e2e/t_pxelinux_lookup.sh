#!/usr/bin/env bash
# PXELINUX's config lookup through lifeboat (`lifeboat serve ROOT --boot
# bios=pxelinux.0`). ROOT holds three configs with different labels and
# tokens: pxelinux.cfg/01-<mac of client A>, pxelinux.cfg/C00002 (the hex IP
# 192.0.2.x shortened to 6 digits: every client of this LAN) and
# pxelinux.cfg/default.
#  - client A boots the MAC-specific config (its marker carries cfg=mac);
#  - client B (no MAC file) walks the documented order: UUID, 01-<mac>, its
#    full hex IP, shortened digit by digit, until C00002 (cfg=hexip); each
#    miss gets a TFTP "file not found" at once (lifeboat logs tftp.refuse
#    code=1 for it, and the next name follows);
#  - then lifeboat restarts with --boot bios=lpxelinux.0 --pxelinux-config
#    alt.cfg --pxelinux-prefix alt/ (DHCP options 209/210): client A skips the
#    lookup, loads alt/alt.cfg, and lpxelinux fetches kernel and initrd over
#    HTTP from URLs in that config (cfg=opt209).
# Clients: SeaBIOS + QEMU's e1000 iPXE ROM (pxelinux runs on its PXE API).
. "$(dirname "$0")/lib.sh"
lab_require_root
lab_require_cmd qemu-system-x86_64 ip dnsmasq cpio
lab_require_file "$LAB_KERNEL" /usr/lib/PXELINUX/pxelinux.0 /usr/lib/PXELINUX/lpxelinux.0 \
	/usr/lib/syslinux/modules/bios/ldlinux.c32
[ "$LB_SERVER" = lifeboat ] || lab_skip "asserts lifeboat's log lines"

lab_up
lab_initramfs
token=lbe$$x$RANDOM
root=$LAB_DIR/root
mkdir -p "$root/pxelinux.cfg" "$root/alt"
cp /usr/lib/PXELINUX/pxelinux.0 /usr/lib/PXELINUX/lpxelinux.0 /usr/lib/syslinux/modules/bios/ldlinux.c32 "$root/"
cp /usr/lib/syslinux/modules/bios/ldlinux.c32 "$root/alt/"
cp "$LAB_KERNEL" "$root/linux"
cp "$LAB_INITRD" "$root/initrd.gz"
macA=$(lab_mac 5)
macB=$(lab_mac 6)
cfg() { # FILE LABEL KERNEL INITRD
	cat > "$1" <<CFG
DEFAULT $2
PROMPT 0
TIMEOUT 0
LABEL $2
  KERNEL $3
  INITRD $4
  APPEND $LAB_CMDLINE lbe_token=$token lbe_cfg=$2
CFG
}
cfg "$root/pxelinux.cfg/01-${macA//:/-}" mac linux initrd.gz
cfg "$root/pxelinux.cfg/C00002" hexip linux initrd.gz
cfg "$root/pxelinux.cfg/default" default linux initrd.gz
cfg "$root/alt/alt.cfg" opt209 "http://$LAPTOP_IP/linux" "http://$LAPTOP_IP/initrd.gz"

lab_server_root "$root" pxelinux.0
qemu_bios_ipxe lkA "$macA" "$LAB_DIR/lkA.log"
qemu_bios_ipxe lkB "$macB" "$LAB_DIR/lkB.log"
to=${LB_E2E_BOOT_TIMEOUT:-240}
wait_for_marker "$LAB_DIR/lkA.log" "$LAB_MARKER .*lbe_token=$token" "$to" lkA ||
	lab_fail "client A did not boot through pxelinux: $LAB_WAIT_WHY"
wait_for_marker "$LAB_DIR/lkB.log" "$LAB_MARKER .*lbe_token=$token" "$to" lkB ||
	lab_fail "client B did not boot through pxelinux: $LAB_WAIT_WHY"
tA=$(timing lkA) tB=$(timing lkB)
grep -aq "$LAB_MARKER .*lbe_cfg=mac" "$LAB_DIR/lkA.log" ||
	lab_fail "client A did not take pxelinux.cfg/01-<mac>: $(grep -a "$LAB_MARKER" "$LAB_DIR/lkA.log")"
grep -aq "$LAB_MARKER .*lbe_cfg=hexip" "$LAB_DIR/lkB.log" ||
	lab_fail "client B did not take pxelinux.cfg/C00002: $(grep -a "$LAB_MARKER" "$LAB_DIR/lkB.log")"
ipA=$(lab_check_lease "$macA") || lab_fail "no router lease for $macA"
ipB=$(lab_check_lease "$macB") || lab_fail "no router lease for $macB"

# The config names each client asked for, in order, and what lifeboat did.
lookups() { # IP -> "refuse:NAME done:NAME ..."
	grep -aE "tftp\.(refuse|done) client=([^ ]*:)?${1//./\\.}[]:][^ ]*( mac=[^ ]+)? file=pxelinux\.cfg/" "$LAPTOP_LOG" |
		sed -E 's/.*tftp\.(refuse|done) .* file=pxelinux\.cfg\/([^ ]*).*/\1:\2/' | tr '\n' ' '
}
seqA=$(lookups "$ipA")
seqB=$(lookups "$ipB")
lab_log "client A ($ipA) lookups: $seqA"
lab_log "client B ($ipB) lookups: $seqB"
[[ "$seqA" == *"done:01-${macA//:/-} "* ]] || lab_fail "lifeboat did not serve client A's 01-<mac> config"
[[ "$seqA" != *C00002* && "$seqA" != *default* ]] || lab_fail "client A went on past its MAC config: $seqA"
hexB=$(printf '%02X' ${ipB//./ })
want="refuse:01-${macB//:/-} "
for ((i = 8; i > 6; i--)); do want+="refuse:${hexB:0:i} "; done
want+="done:C00002 "
[[ "$seqB" == *"$want" ]] || lab_fail "client B's lookup order is not the documented one: want ...$want got $seqB"
# every miss was answered with error 1 (file not found), none timed out
lab_server_log_has "tftp\.refuse .*file=pxelinux\.cfg/01-${macB//:/-} code=1 reason=not-found" ||
	lab_fail "no fast 'file not found' for client B's MAC config"
# time from client B's first config request to its config being served
first=$(grep -aE "client=([^ ]*:)?${ipB//./\\.}[]:][^ ]*( mac=[^ ]+)? file=pxelinux\.cfg/" "$LAPTOP_LOG" | head -1 | cut -d' ' -f1)
last=$(grep -aE "tftp\.done client=([^ ]*:)?${ipB//./\\.}[]:][^ ]*( mac=[^ ]+)? file=pxelinux\.cfg/C00002" "$LAPTOP_LOG" | head -1 | cut -d' ' -f1)
walk=$(lab_elapsed "$(date -d "$first" +%s.%N)" "$(date -d "$last" +%s.%N)")
cp "$LAPTOP_LOG" "$LAB_DIR/laptop-phase1.log"

# Phase 2: options 209/210 and lpxelinux.0 fetching the kernel over HTTP.
lab_stop laptop
lab_stop qemu-lkA
lab_stop qemu-lkB
lab_run_laptop "$LB_BIN" serve "$root" $LB_SERVE_ARGS -i $LAPTOP_IF --boot bios=lpxelinux.0 \
	--pxelinux-config alt.cfg --pxelinux-prefix alt/
lab_laptop_ready 10
ip -n "$NS_LAN" link del lkA
qemu_bios_ipxe lkA "$macA" "$LAB_DIR/lkA2.log"
wait_for_marker "$LAB_DIR/lkA2.log" "$LAB_MARKER .*lbe_token=$token" "$to" lkA ||
	lab_fail "client A did not boot through lpxelinux with options 209/210: $LAB_WAIT_WHY"
tC=$(timing lkA)
grep -aq "$LAB_MARKER .*lbe_cfg=opt209" "$LAB_DIR/lkA2.log" ||
	lab_fail "client A did not load the config named by option 209: $(grep -a "$LAB_MARKER" "$LAB_DIR/lkA2.log")"
lab_server_log_has "dhcp\.offer mac=$macA .*file=lpxelinux\.0 " || lab_fail "no offer of lpxelinux.0"
lab_server_log_has "tftp\.done .*file=alt/alt\.cfg " || lab_fail "alt/alt.cfg (prefix + config) was not served"
! grep -aq "file=pxelinux\.cfg/" "$LAPTOP_LOG" || lab_fail "with option 209 pxelinux still walked pxelinux.cfg/"
lab_server_log_has "http\.done .*method=GET path=/linux status=200 bytes=$(stat -c %s "$root/linux") " ||
	lab_fail "lpxelinux did not fetch the kernel over HTTP"
lab_server_log_has "http\.done .*method=GET path=/initrd\.gz status=200" ||
	lab_fail "lpxelinux did not fetch the initrd over HTTP"
lab_pass "pxelinux lookup: A 01-<mac> ${tA}s, B walked to C00002 in ${walk}s (${tB}s), opt 209/210 + lpxelinux HTTP kernel ${tC}s"
